//! Whitespace layout of a token stream, the way `terraform fmt` (hclwrite) lays it out.
//!
//! Formatting only changes the spaces before each token: indentation by bracket nesting per
//! line, spacing between tokens by pairwise rules, and vertical alignment of `=` and of
//! trailing comments across runs of consecutive lines. Line structure, comments and
//! heredoc contents are kept as they are.

use unicode_segmentation::UnicodeSegmentation;

use super::lexer::TokenKind;

/// A token as the formatter sees it: its text and how many spaces precede it.
#[derive(Debug, Clone)]
pub(crate) struct FmtToken {
    pub kind: TokenKind,
    pub text: String,
    pub spaces: usize,
}

impl FmtToken {
    pub(crate) fn new(kind: TokenKind, text: impl Into<String>) -> FmtToken {
        FmtToken {
            kind,
            text: text.into(),
            spaces: 0,
        }
    }

    /// Newline tokens, and line comments (which include their line end).
    fn ends_line(&self) -> bool {
        self.kind == TokenKind::Newline
            || (self.kind == TokenKind::Comment && self.text.ends_with('\n'))
    }
}

/// One line split into cells: `lead` (indentation applies to it), `assign` (from an `=`
/// that assigns a whole single-line expression), `comment` (a trailing comment).
/// Each cell is a half-open range of token indexes; empty cells have `start == end`.
#[derive(Debug, Clone, Copy, Default)]
struct Line {
    lead: (usize, usize),
    assign: Option<(usize, usize)>,
    comment: Option<(usize, usize)>,
}

fn columns(toks: &[FmtToken], range: (usize, usize)) -> usize {
    toks.get(range.0..range.1)
        .unwrap_or(&[])
        .iter()
        .map(|t| t.spaces + t.text.graphemes(true).count())
        .sum()
}

fn net_brackets(toks: &[FmtToken]) -> i32 {
    let mut net = 0;
    for t in toks {
        net += t.kind.bracket_change();
        if t.kind == TokenKind::OHeredoc {
            break;
        }
    }
    net
}

/// Lays out `toks` in place (they exclude the end-of-file token).
pub(crate) fn layout(toks: &mut [FmtToken]) {
    let mut lines = split_lines(toks);
    indent(toks, &lines);
    space(toks, &lines);
    align(toks, &mut lines);
}

fn split_lines(toks: &[FmtToken]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.ends_line() {
            lines.push(Line {
                lead: (start, i + 1),
                ..Line::default()
            });
            start = i + 1;
        }
    }
    if start < toks.len() {
        lines.push(Line {
            lead: (start, toks.len()),
            ..Line::default()
        });
    }
    for line in &mut lines {
        let (s, e) = line.lead;
        if e - s > 1 && toks[e - 1].kind == TokenKind::Comment {
            line.comment = Some((e - 1, e));
            line.lead = (s, e - 1);
        }
        let (s, e) = line.lead;
        if let Some(eq) = (s + 1..e).find(|&i| toks[i].kind == TokenKind::Equal) {
            // Only a whole expression on this line joins an alignment run.
            if net_brackets(&toks[eq..e]) == 0 {
                line.assign = Some((eq, e));
                line.lead = (s, eq);
            }
        }
    }
    lines
}

fn indent(toks: &mut [FmtToken], lines: &[Line]) {
    let mut stack: Vec<i32> = Vec::new();
    for line in lines {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        if toks[s].kind == TokenKind::Newline {
            toks[s].spaces = 0;
            continue;
        }
        let mut net = net_brackets(&toks[s..e]);
        if let Some((a, b)) = line.assign {
            net += net_brackets(&toks[a..b]);
        }
        if net > 0 {
            toks[s].spaces = 2 * stack.len();
            stack.push(net);
        } else {
            if net < 0 {
                let mut closed = -net;
                while closed > 0 {
                    let Some(top) = stack.last_mut() else { break };
                    if closed > *top {
                        closed -= *top;
                        stack.pop();
                    } else if closed < *top {
                        *top -= closed;
                        closed = 0;
                    } else {
                        stack.pop();
                        closed = 0;
                    }
                }
            }
            toks[s].spaces = 2 * stack.len();
        }
    }
}

fn space(toks: &mut [FmtToken], lines: &[Line]) {
    for line in lines {
        space_cell(toks, line.lead);
        if let Some((a, b)) = line.assign {
            toks[a].spaces = 1;
            space_cell(toks, (a, b));
        }
    }
}

fn space_cell(toks: &mut [FmtToken], (s, e): (usize, usize)) {
    for i in s..e {
        if i + 1 >= e {
            break;
        }
        let before = if i > s { Some(toks[i - 1].kind) } else { None };
        let sp = space_after(toks[i].kind, before, toks[i + 1].kind, &toks[i].text);
        toks[i + 1].spaces = usize::from(sp);
    }
}

/// Whether `subject` is followed by a space when `after` comes next (hclwrite's rules).
fn space_after(
    subject: TokenKind,
    before: Option<TokenKind>,
    after: TokenKind,
    text: &str,
) -> bool {
    use TokenKind::*;
    if after == Newline {
        return false;
    }
    if subject == Ident && after == OParen {
        return false;
    }
    if subject == Dot || after == Dot {
        return false;
    }
    if after == Comma || after == Ellipsis {
        return false;
    }
    if subject == Comma {
        return true;
    }
    if subject == Bang {
        return false;
    }
    if matches!(subject, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(after, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        return false;
    }
    if subject == Ident && text == "in" && before == Some(Ident) {
        // The `in` of a for-expression keeps its space even before `[`.
        return true;
    }
    if after == OBrack && (subject == Ident || subject == NumberLit || subject.bracket_change() < 0)
    {
        return false;
    }
    if subject == Minus {
        // Negation (no space) when what comes before cannot end an operand.
        return !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | Gt
                    | GtEq
                    | Lt
                    | LtEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if subject == OBrace || after == CBrace {
        return !(subject == OBrace && after == CBrace);
    }
    if matches!(subject, TemplateInterp | TemplateControl) && after == OBrace {
        return true;
    }
    if subject == CBrace && after == TemplateSeqEnd {
        return true;
    }
    if subject == TemplateSeqEnd && matches!(after, TemplateInterp | TemplateControl) {
        return false;
    }
    if subject.bracket_change() > 0 {
        return false;
    }
    if after.bracket_change() < 0 {
        return false;
    }
    true
}

fn align(toks: &mut [FmtToken], lines: &mut [Line]) {
    // `=` signs of consecutive assignment lines line up one space after the longest lead.
    let mut i = 0;
    while i < lines.len() {
        if lines[i].assign.is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].assign.is_some() {
            i += 1;
        }
        let width = lines[start..i]
            .iter()
            .map(|l| columns(toks, l.lead))
            .max()
            .unwrap_or(0);
        for l in &lines[start..i] {
            let w = columns(toks, l.lead);
            if let Some((a, _)) = l.assign {
                toks[a].spaces = width - w + 1;
            }
        }
    }
    // Trailing comments of consecutive lines line up one space after the longest code.
    let code_width = |toks: &[FmtToken], l: &Line| {
        columns(toks, l.lead) + l.assign.map(|r| columns(toks, r)).unwrap_or(0)
    };
    let mut i = 0;
    while i < lines.len() {
        if lines[i].comment.is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].comment.is_some() {
            i += 1;
        }
        let width = lines[start..i]
            .iter()
            .map(|l| code_width(toks, l))
            .max()
            .unwrap_or(0);
        for l in &lines[start..i] {
            let w = code_width(toks, l);
            if let Some((c, _)) = l.comment {
                toks[c].spaces = width - w + 1;
            }
        }
    }
}

/// Writes the tokens with their spaces.
pub(crate) fn render(toks: &[FmtToken]) -> String {
    let mut out = String::new();
    for t in toks {
        for _ in 0..t.spaces {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}
