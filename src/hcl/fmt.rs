//! Canonical formatting, byte-identical to `terraform fmt`.
//!
//! Like Terraform, formatting works on tokens rather than the syntax tree, so comments,
//! blank lines and heredoc text survive untouched. Before laying out whitespace it makes
//! Terraform's few rewrites: a value that is only `"${expr}"` becomes `expr`, legacy type
//! strings in `variable` blocks become type expressions, and bare block labels get quotes.

use super::fmt_layout::{layout, render, FmtToken};
use super::lexer::{lex, TokenKind};
use crate::diag::Diagnostics;

/// Formats a whole configuration file. Input that does not parse is returned as the
/// parser's diagnostics, and nothing is formatted (as `terraform fmt` refuses it).
pub fn format_source(src: &str, file: &str) -> Result<String, Diagnostics> {
    super::parse_file(src, file)?;
    let lexed = lex(src);
    // Whitespace after the last token belongs to the end-of-file token, which the
    // layout leaves alone: Terraform writes it back as that many spaces.
    let trailing = lexed
        .last()
        .map(|eof| {
            let before = lexed.len().checked_sub(2).map(|i| lexed[i].end.byte);
            eof.start.byte - before.unwrap_or(0)
        })
        .unwrap_or(0);
    let toks: Vec<FmtToken> = lexed
        .iter()
        .filter(|t| t.kind != TokenKind::Eof)
        .map(|t| FmtToken::new(t.kind, t.text(src)))
        .collect();
    let mut rw = Rewriter {
        toks,
        out: Vec::new(),
    };
    rw.body(0, &mut Vec::new());
    let mut toks = rw.out;
    layout(&mut toks);
    let mut out = render(&toks);
    out.extend(std::iter::repeat_n(' ', trailing));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Copies tokens from `toks` to `out`, rewriting attribute values and block labels.
struct Rewriter {
    toks: Vec<FmtToken>,
    out: Vec<FmtToken>,
}

impl Rewriter {
    fn kind(&self, i: usize) -> Option<TokenKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn copy(&mut self, range: std::ops::Range<usize>) {
        if let Some(ts) = self.toks.get(range) {
            self.out.extend_from_slice(ts);
        }
    }

    /// Processes body items from `i`; returns the index of the closing brace (or the end).
    fn body(&mut self, mut i: usize, blocks: &mut Vec<String>) -> usize {
        loop {
            match self.kind(i) {
                None | Some(TokenKind::CBrace) => return i,
                Some(TokenKind::Ident) => {}
                Some(_) => {
                    self.copy(i..i + 1);
                    i += 1;
                    continue;
                }
            }
            let name = self.toks[i].text.clone();
            let mut j = i + 1;
            while self.kind(j) == Some(TokenKind::Comment) {
                j += 1;
            }
            if self.kind(j) == Some(TokenKind::Equal) {
                let (start, end) = self.expr_range(j + 1);
                self.copy(i..start);
                let expr = self.toks.get(start..end).unwrap_or(&[]).to_vec();
                let in_variable = blocks.len() == 1 && blocks[0] == "variable";
                let expr = if in_variable && name == "type" {
                    format_type_expr(expr)
                } else {
                    format_value_expr(expr)
                };
                self.out.extend(expr);
                i = end;
            } else {
                self.copy(i..i + 1);
                let open = (i + 1..self.toks.len())
                    .find(|&k| self.kind(k) == Some(TokenKind::OBrace))
                    .unwrap_or(self.toks.len());
                // Comments after the last label stay; those between labels go.
                let last_label = (i + 1..open)
                    .rev()
                    .find(|&k| self.kind(k) != Some(TokenKind::Comment))
                    .unwrap_or(i);
                let mut k = i + 1;
                while let Some(kind) = self.kind(k) {
                    match kind {
                        TokenKind::OBrace => break,
                        TokenKind::Ident => {
                            let label = self.toks[k].text.clone();
                            self.out.push(FmtToken::new(TokenKind::OQuote, "\""));
                            self.out.push(FmtToken::new(TokenKind::QuotedLit, label));
                            self.out.push(FmtToken::new(TokenKind::CQuote, "\""));
                        }
                        // Labels are rewritten whole, as Terraform does: comments
                        // between them are dropped.
                        TokenKind::Comment if k < last_label => {}
                        TokenKind::OQuote => {
                            // Terraform re-reads a quoted label only when its text is a
                            // single literal token; other labels vanish from its output.
                            let close = (k + 1..open)
                                .find(|&c| self.kind(c) == Some(TokenKind::CQuote))
                                .unwrap_or(open);
                            let text: String = (k + 1..close)
                                .filter_map(|c| self.toks.get(c))
                                .map(|t| t.text.as_str())
                                .collect();
                            if label_is_single_token(&text) {
                                self.copy(k..close + 1);
                            }
                            k = close;
                        }
                        _ => self.copy(k..k + 1),
                    }
                    k += 1;
                }
                self.copy(k..k + 1);
                blocks.push(name);
                let close = self.body(k + 1, blocks);
                blocks.pop();
                self.copy(close..close + 1);
                i = close + 1;
            }
        }
    }

    /// The tokens of an attribute's expression starting at `from`: up to the end of the
    /// line at bracket depth zero (or a single-line block's closing brace), without
    /// comments at either end.
    fn expr_range(&self, from: usize) -> (usize, usize) {
        let mut start = from;
        while self.kind(start) == Some(TokenKind::Comment) && !self.toks[start].text.ends_with('\n')
        {
            start += 1;
        }
        let mut depth = 0i32;
        let mut end = start;
        let mut k = start;
        while let Some(t) = self.toks.get(k) {
            let line_end = t.kind == TokenKind::Newline
                || (t.kind == TokenKind::Comment && t.text.ends_with('\n'));
            if depth == 0 && line_end {
                break;
            }
            let change = t.kind.bracket_change();
            if change < 0 && depth == 0 {
                break;
            }
            depth += change;
            if t.kind != TokenKind::Comment {
                end = k + 1;
            }
            k += 1;
        }
        (start, end.max(start))
    }
}

/// Terraform's scanner splits quoted text at `$` and `%` (except the escapes `$${` and
/// `%%{`, and a lone `$` or `%`), and its label rewriting keeps only single-token labels.
fn label_is_single_token(text: &str) -> bool {
    !text.contains(['$', '%']) || matches!(text, "$" | "%" | "$${" | "%%{")
}

/// `"${ expr }"` alone becomes `expr`; anything else is left as it is.
fn format_value_expr(tokens: Vec<FmtToken>) -> Vec<FmtToken> {
    let n = tokens.len();
    if n < 5 {
        return tokens;
    }
    if tokens[0].kind != TokenKind::OQuote
        || tokens[1].kind != TokenKind::TemplateInterp
        || tokens[n - 2].kind != TokenKind::TemplateSeqEnd
        || tokens[n - 1].kind != TokenKind::CQuote
    {
        return tokens;
    }
    let inside = &tokens[2..n - 2];
    let mut quotes = 0i32;
    for t in inside {
        match t.kind {
            TokenKind::OQuote => quotes += 1,
            TokenKind::CQuote => quotes -= 1,
            _ if quotes > 0 => {}
            // Another sequence (`"${a}${b}"`) or literal text: not a lone interpolation.
            TokenKind::TemplateInterp | TokenKind::TemplateSeqEnd | TokenKind::QuotedLit => {
                return tokens
            }
            _ => {}
        }
    }
    let first = inside
        .iter()
        .position(|t| t.kind != TokenKind::Newline)
        .unwrap_or(inside.len());
    let last = inside
        .iter()
        .rposition(|t| t.kind != TokenKind::Newline)
        .map(|p| p + 1)
        .unwrap_or(first);
    let trimmed = &inside[first..last.max(first)];
    // A value spread over lines needs parentheses to stay one expression once unwrapped.
    let multi_line = trimmed.iter().any(|t| t.kind == TokenKind::Newline);
    let parenthesized = trimmed.first().is_some_and(|t| t.kind == TokenKind::OParen)
        && trimmed.len() > 1
        && trimmed.last().is_some_and(|t| t.kind == TokenKind::CParen);
    if multi_line && !parenthesized {
        let mut wrapped = Vec::with_capacity(trimmed.len() + 2);
        wrapped.push(FmtToken::new(TokenKind::OParen, "("));
        wrapped.extend_from_slice(trimmed);
        wrapped.push(FmtToken::new(TokenKind::CParen, ")"));
        return wrapped;
    }
    trimmed.to_vec()
}

/// Legacy type syntax in `variable` blocks: `"string"`, `"list"`, `"map"` and bare
/// `list`/`map`/`set` become type expressions.
fn format_type_expr(tokens: Vec<FmtToken>) -> Vec<FmtToken> {
    let call = |name: &str, arg: &str| {
        vec![
            FmtToken::new(TokenKind::Ident, name),
            FmtToken::new(TokenKind::OParen, "("),
            FmtToken::new(TokenKind::Ident, arg),
            FmtToken::new(TokenKind::CParen, ")"),
        ]
    };
    match tokens.as_slice() {
        [kw] if kw.kind == TokenKind::Ident => match kw.text.as_str() {
            "list" | "map" | "set" => call(&kw.text, "any"),
            _ => tokens,
        },
        [o, s, c]
            if o.kind == TokenKind::OQuote
                && s.kind == TokenKind::QuotedLit
                && c.kind == TokenKind::CQuote =>
        {
            match s.text.as_str() {
                "string" => vec![FmtToken::new(TokenKind::Ident, "string")],
                "list" => call("list", "string"),
                "map" => call("map", "string"),
                _ => tokens,
            }
        }
        _ => tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::format_source;

    fn fmt(src: &str) -> String {
        match format_source(src, "t.tf") {
            Ok(s) => s,
            Err(d) => panic!("{d}"),
        }
    }

    #[test]
    fn aligns_equals_in_runs() {
        assert_eq!(
            fmt("a=1\nbbb = 2\n\nc  =  3\n"),
            "a   = 1\nbbb = 2\n\nc = 3\n"
        );
    }

    #[test]
    fn indents_blocks_and_quotes_labels() {
        assert_eq!(
            fmt("resource x y {\nfoo {\na = 1\n}\n}"),
            "resource \"x\" \"y\" {\n  foo {\n    a = 1\n  }\n}\n"
        );
    }

    #[test]
    fn unwraps_lone_interpolation_only_at_top() {
        assert_eq!(
            fmt("a = \"${x}\"\nb = [\"${x}\"]\nc = \"${x}${y}\"\n"),
            "a = x\nb = [\"${x}\"]\nc = \"${x}${y}\"\n"
        );
    }

    #[test]
    fn multi_line_unwrap_gets_parentheses() {
        assert_eq!(
            fmt("a = \"${join(\",\",\n  var.x)}\"\n"),
            "a = (join(\",\",\nvar.x))\n"
        );
    }

    #[test]
    fn keeps_comments_crlf_and_heredocs() {
        assert_eq!(
            fmt("a = 1   # c\r\nbb = <<EOT\r\n  ${ x }\r\nEOT\r\n"),
            "a  = 1 # c\r\nbb = <<EOT\r\n  ${x}\r\nEOT\r\n"
        );
    }

    #[test]
    fn rewrites_legacy_variable_types() {
        assert_eq!(
            fmt("variable \"v\" {\n  type = \"list\"\n}\n"),
            "variable \"v\" {\n  type = list(string)\n}\n"
        );
    }

    #[test]
    fn rejects_invalid_input() {
        assert!(format_source("a = [1 2]\n", "t").is_err());
    }
}
