//! Diagnostics: the one error type every layer reports to the user.
//!
//! A diagnostic carries a short summary (Terraform's wording where Terraform has one), a
//! detail sentence that says what to do next, and, when the problem is in a file, the source
//! range so the renderer can print `file:line:col` and a snippet with a caret.

use std::fmt;
use std::sync::Arc;

/// A position in a source file. `line` and `col` are 1-based; `col` counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub byte: usize,
}

/// A range in a named source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file name as shown to the user (relative to the working directory).
    pub file: Arc<str>,
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(file: Arc<str>, start: Pos, end: Pos) -> Span {
        Span { file, start, end }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn to(&self, other: &Span) -> Span {
        Span {
            file: self.file.clone(),
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.start.line, self.start.col)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub span: Option<Span>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            span: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            span: None,
        }
    }

    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub fn at(mut self, span: Option<&Span>) -> Diagnostic {
        if self.span.is_none() {
            self.span = span.cloned();
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = &self.span {
            write!(f, "{span}: ")?;
        }
        write!(f, "{}", self.summary)?;
        if !self.detail.is_empty() {
            write!(f, "; {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// An ordered list of diagnostics; errors and warnings together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Err(self)` when any error is present, so callers can `?` after collecting.
    pub fn into_result(self) -> Result<(), Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(())
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Source texts by file name, so diagnostics can be rendered with a snippet.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// One source text with the byte offset where each of its lines starts, so the snippet of
/// a diagnostic is found in one lookup: scanning the text from the top for each of many
/// diagnostics in a large file would be quadratic.
#[derive(Debug, Clone)]
struct SourceFile {
    name: Arc<str>,
    text: Arc<str>,
    line_starts: Vec<usize>,
}

impl Sources {
    pub fn add(&mut self, name: Arc<str>, text: Arc<str>) {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.files.push(SourceFile {
            name,
            text,
            line_starts,
        });
    }

    /// Every file, in the order added.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|f| (&*f.name, &*f.text))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.file(name).map(|f| &*f.text)
    }

    fn file(&self, name: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| &*f.name == name)
    }

    /// Line `line` (1-based) of file `name` without its line ending, as `str::lines` gives
    /// it: a final newline does not start another line.
    pub fn line(&self, name: &str, line: usize) -> Option<&str> {
        let f = self.file(name)?;
        let start = *f.line_starts.get(line.checked_sub(1)?)?;
        if start >= f.text.len() {
            return None;
        }
        let end = f
            .line_starts
            .get(line)
            .map_or(f.text.len(), |next| next - 1);
        let text = f.text.get(start..end)?;
        Some(text.strip_suffix('\r').unwrap_or(text))
    }

    /// How many line starts are indexed for `name` (one per line, computed once when the
    /// file is added); tests use it to check the index is built once and is linear.
    pub fn indexed_lines(&self, name: &str) -> Option<usize> {
        self.file(name).map(|f| f.line_starts.len())
    }
}

/// Renders diagnostics the way Terraform does:
///
/// ```text
/// Error: Unsupported argument
///
///   on main.sky.hcl line 3, in resource "mcloud_instance" "web":
///    3:   cpux = 2
///
/// An argument named "cpux" is not expected here. Did you mean "cpu"?
/// ```
///
/// skyform adds the column (`main.sky.hcl:3:3`) so editors can jump to it.
pub fn render(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    for d in diags.iter() {
        render_one(&mut out, d, sources, color);
    }
    out
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &Sources, color: bool) {
    let (label, start, end) = match (d.severity, color) {
        (Severity::Error, true) => ("Error", "\x1b[1;31m", "\x1b[0m"),
        (Severity::Warning, true) => ("Warning", "\x1b[1;33m", "\x1b[0m"),
        (Severity::Error, false) => ("Error", "", ""),
        (Severity::Warning, false) => ("Warning", "", ""),
    };
    out.push('\n');
    out.push_str(&format!("{start}{label}:{end} {}\n", d.summary));
    if let Some(span) = &d.span {
        out.push('\n');
        out.push_str(&format!(
            "  on {} line {} (at {}:{}:{}):\n",
            span.file, span.start.line, span.file, span.start.line, span.start.col
        ));
        if let Some(line) = sources.line(&span.file, span.start.line.max(1)) {
            let line = line.trim_end_matches('\r');
            let gutter = format!("{:>4}: ", span.start.line);
            out.push_str(&format!("{gutter}{line}\n"));
            let caret_col = span.start.col.saturating_sub(1);
            let width = if span.end.line == span.start.line && span.end.col > span.start.col {
                span.end.col - span.start.col
            } else {
                1
            };
            let pad: String = line
                .chars()
                .take(caret_col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{}{}{}\n",
                " ".repeat(gutter.len()),
                pad,
                "^".repeat(width.min(200))
            ));
        }
    }
    if !d.detail.is_empty() {
        out.push('\n');
        out.push_str(&d.detail);
        out.push('\n');
    }
}

/// The closest candidate to `name` by edit distance, if it is close enough to be a likely
/// typo ("did you mean").
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, usize)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        if d <= (name.chars().count().max(3) / 3).max(1) + 1 && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best.map(|(c, _)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
