//! Quoted templates and heredocs: escapes, strip markers (`~`), flush heredocs (`<<-`) and
//! the nesting of `%{if}` / `%{for}` directives.
//!
//! The parser first collects a flat list of items (literals, interpolations, directive
//! markers); strip markers and heredoc flushing act on that list, then the directives are
//! matched up into the `TemplatePart` tree.

use super::ast::{Expr, ExprKind, TemplatePart};
use super::lexer::{Token, TokenKind};
use super::parser::{PResult, Parser, MAX_DEPTH};
use crate::diag::{Diagnostic, Span};

#[derive(Debug)]
pub(crate) enum ItemKind {
    Literal(String),
    Interp(Expr),
    If(Expr),
    Else,
    EndIf,
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Expr,
    },
    EndFor,
}

#[derive(Debug)]
pub(crate) struct TemplateItem {
    kind: ItemKind,
    /// `${~` / `%{~`: trim whitespace at the end of the preceding literal.
    strip_left: bool,
    /// `~}`: trim whitespace at the start of the following literal.
    strip_right: bool,
    span: Option<Span>,
}

impl TemplateItem {
    pub(crate) fn literal(text: String, span: Span) -> TemplateItem {
        TemplateItem {
            kind: ItemKind::Literal(text),
            strip_left: false,
            strip_right: false,
            span: Some(span),
        }
    }

    pub(crate) fn interp(e: Expr, strip_left: bool, strip_right: bool) -> TemplateItem {
        TemplateItem {
            kind: ItemKind::Interp(e),
            strip_left,
            strip_right,
            span: None,
        }
    }
}

/// Decodes the escapes of a quoted template literal. `Err` carries the invalid selector.
pub(crate) fn unescape_quoted(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(sel) = chars.next() else {
                    return Err(String::new());
                };
                match sel {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' | 'U' => {
                        let n = if sel == 'u' { 4 } else { 8 };
                        let hex: String = chars.by_ref().take(n).collect();
                        let ch = (hex.len() == n)
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .and_then(char::from_u32);
                        match ch {
                            Some(ch) => out.push(ch),
                            None => return Err(format!("{sel}{hex}")),
                        }
                    }
                    other => return Err(other.to_string()),
                }
            }
            '$' | '%' if chars.peek() == Some(&c) => {
                // `$${` and `%%{` stand for a literal `${` / `%{`.
                let mut look = chars.clone();
                look.next();
                if look.peek() == Some(&'{') {
                    chars.next();
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Heredocs have no backslash escapes; only `$${` and `%%{` are decoded.
pub(crate) fn unescape_heredoc(raw: &str) -> String {
    raw.replace("$${", "${").replace("%%{", "%{")
}

/// Parses a `%{ ... }` directive after its opening token.
pub(crate) fn parse_directive(p: &mut Parser<'_>, open: &Token) -> PResult<TemplateItem> {
    let kw = p.next();
    let word = kw.text(p.src).to_string();
    if kw.kind != TokenKind::Ident {
        return Err(p.error(
            "Invalid template directive",
            "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence.",
            &kw,
        ));
    }
    let kind = match word.as_str() {
        "if" => ItemKind::If(p.parse_expr()?),
        "else" => ItemKind::Else,
        "endif" => ItemKind::EndIf,
        "endfor" => ItemKind::EndFor,
        "for" => {
            let (key_var, value_var) = p.parse_for_names(true)?;
            let collection = p.parse_expr()?;
            ItemKind::For {
                key_var,
                value_var,
                collection,
            }
        }
        _ => {
            return Err(p.error(
                "Invalid template control keyword",
                &format!("\"{word}\" is not a valid template control keyword."),
                &kw,
            ))
        }
    };
    let close = p.peek();
    if close.kind != TokenKind::TemplateSeqEnd {
        return Err(p.error(
            &format!("Extra characters in {word} marker"),
            "Expected a closing brace to end the sequence, but found extra characters.",
            &close,
        ));
    }
    p.next();
    Ok(TemplateItem {
        kind,
        strip_left: open.text(p.src).ends_with('~'),
        strip_right: close.text(p.src).starts_with('~'),
        span: Some(p.tok_span(open).to(&p.tok_span(&close))),
    })
}

/// Parses the rest of a quoted template or heredoc after its opening token.
pub(crate) fn finish_template(p: &mut Parser<'_>, open: &Token) -> PResult<Expr> {
    let heredoc = open.kind == TokenKind::OHeredoc;
    let (mut items, close) = p.template_items(heredoc)?;
    apply_strip_markers(&mut items);
    if heredoc && open.text(p.src).starts_with("<<-") {
        flush_heredoc(&mut items);
    }
    let mut iter = items.into_iter().peekable();
    let (parts, stray) = build(p, &mut iter, 0)?;
    if let Some(item) = stray {
        let name = match item.kind {
            ItemKind::Else => "else",
            ItemKind::EndIf => "endif",
            _ => "endfor",
        };
        return Err(Box::new(
            Diagnostic::error(
                format!("Unexpected {name} directive"),
                "The control directives within this template are unbalanced.",
            )
            .at(item.span.as_ref()),
        ));
    }
    Ok(Expr {
        kind: ExprKind::Template(parts),
        span: p.span(open.start, close.end),
    })
}

fn apply_strip_markers(items: &mut [TemplateItem]) {
    for i in 0..items.len() {
        if items[i].strip_left && i > 0 {
            if let ItemKind::Literal(s) = &mut items[i - 1].kind {
                let keep = s.trim_end().len();
                s.truncate(keep);
            }
        }
        if items[i].strip_right && i + 1 < items.len() {
            if let ItemKind::Literal(s) = &mut items[i + 1].kind {
                *s = s.trim_start().to_string();
            }
        }
    }
}

/// `<<-` heredocs lose the smallest leading whitespace shared by their lines; lines that
/// are only whitespace do not count, and lines starting with an interpolation count as 0.
fn flush_heredoc(items: &mut [TemplateItem]) {
    let mut min = usize::MAX;
    let mut adjust = Vec::new();
    let mut at_line_start = true;
    for (i, item) in items.iter().enumerate() {
        if at_line_start {
            at_line_start = false;
            match &item.kind {
                ItemKind::Literal(s) => {
                    let trimmed = s.trim_start();
                    if !(trimmed.is_empty() && s.ends_with('\n')) {
                        let spaces = s.chars().take_while(|c| c.is_whitespace()).count();
                        min = min.min(spaces);
                        adjust.push(i);
                    }
                }
                _ => min = 0,
            }
        }
        if let ItemKind::Literal(s) = &item.kind {
            if s.ends_with('\n') {
                at_line_start = true;
            }
        }
    }
    if min == usize::MAX || min == 0 {
        return;
    }
    for i in adjust {
        if let ItemKind::Literal(s) = &mut items[i].kind {
            let cut: usize = s.chars().take(min).map(char::len_utf8).sum();
            *s = s.get(cut..).unwrap_or("").to_string();
        }
    }
}

type Items = std::iter::Peekable<std::vec::IntoIter<TemplateItem>>;

/// Matches directives into a tree. Returns the parts and the closing directive
/// (`else`/`endif`/`endfor`) that ended this level, if any.
fn build(
    p: &Parser<'_>,
    items: &mut Items,
    depth: usize,
) -> PResult<(Vec<TemplatePart>, Option<TemplateItem>)> {
    let mut parts: Vec<TemplatePart> = Vec::new();
    while let Some(item) = items.next() {
        match item.kind {
            ItemKind::Literal(s) => {
                if s.is_empty() {
                    continue;
                }
                if let Some(TemplatePart::Literal(prev)) = parts.last_mut() {
                    prev.push_str(&s);
                } else {
                    parts.push(TemplatePart::Literal(s));
                }
            }
            ItemKind::Interp(e) => parts.push(TemplatePart::Interpolation(e)),
            ItemKind::Else | ItemKind::EndIf | ItemKind::EndFor => {
                return Ok((
                    parts,
                    Some(TemplateItem {
                        kind: item.kind,
                        strip_left: false,
                        strip_right: false,
                        span: item.span,
                    }),
                ))
            }
            ItemKind::If(cond) => {
                check_depth(depth, &item.span)?;
                let (then, end) = build(p, items, depth + 1)?;
                let (otherwise, end) = match end {
                    Some(TemplateItem {
                        kind: ItemKind::Else,
                        ..
                    }) => build(p, items, depth + 1)?,
                    other => (Vec::new(), other),
                };
                match end {
                    Some(TemplateItem {
                        kind: ItemKind::EndIf,
                        ..
                    }) => {}
                    Some(stray) => return Err(unexpected(&stray)),
                    None => return Err(unclosed(p, "if", "endif", &item.span)),
                }
                parts.push(TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                });
            }
            ItemKind::For {
                key_var,
                value_var,
                collection,
            } => {
                check_depth(depth, &item.span)?;
                let (body, end) = build(p, items, depth + 1)?;
                match end {
                    Some(TemplateItem {
                        kind: ItemKind::EndFor,
                        ..
                    }) => {}
                    Some(stray) => return Err(unexpected(&stray)),
                    None => return Err(unclosed(p, "for", "endfor", &item.span)),
                }
                parts.push(TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                });
            }
        }
    }
    Ok((parts, None))
}

fn check_depth(depth: usize, span: &Option<Span>) -> PResult<()> {
    if depth >= MAX_DEPTH {
        return Err(Box::new(
            Diagnostic::error(
                "Nesting too deep",
                format!("Template directives may be nested at most {MAX_DEPTH} levels deep."),
            )
            .at(span.as_ref()),
        ));
    }
    Ok(())
}

fn unexpected(item: &TemplateItem) -> Box<Diagnostic> {
    let name = match item.kind {
        ItemKind::Else => "else",
        ItemKind::EndIf => "endif",
        _ => "endfor",
    };
    Box::new(
        Diagnostic::error(
            format!("Unexpected {name} directive"),
            "The control directives within this template are unbalanced.",
        )
        .at(item.span.as_ref()),
    )
}

fn unclosed(p: &Parser<'_>, what: &str, end: &str, span: &Option<Span>) -> Box<Diagnostic> {
    let at = span.as_ref().map(|s| p.range_text(s)).unwrap_or_default();
    Box::new(
        Diagnostic::error(
            "Unexpected end of template",
            format!("The {what} directive at {at} is missing its corresponding {end} directive."),
        )
        .at(span.as_ref()),
    )
}
