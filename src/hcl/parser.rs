//! Recursive-descent parser producing `ast` with spans and Terraform's diagnostics.
//!
//! The parser works on the lexer's token stream with comments removed. Newlines end
//! arguments and separate object items, but are insignificant inside parentheses, brackets
//! and template interpolations; a stack records which applies where. Recursion is bounded
//! by `MAX_DEPTH` so hostile input cannot overflow the stack.

use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{Attribute, Block, Body, BodyItem, Expr, ExprKind, ForExpr, Label, NumberLit};
use super::lexer::{lex, Token, TokenKind};
use super::template::{self, TemplateItem};
use crate::diag::{Diagnostic, Diagnostics, Pos, Span};

/// How deeply brackets, templates, unary operators and blocks may nest.
pub const MAX_DEPTH: usize = 256;

pub(crate) type PResult<T> = Result<T, Box<Diagnostic>>;

/// Stack for the parsing thread. Recursion is bounded by `MAX_DEPTH`, but unoptimised
/// builds spend over 10 KiB of stack per nesting level, more than a default 2 MiB thread
/// stack holds at the limit; the memory is reserved, not committed, until used.
const PARSER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Runs `f` on a thread with a stack big enough for `MAX_DEPTH` levels of nesting
/// (or on the current thread if no thread can be started).
fn with_parser_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let cell = std::sync::Mutex::new(Some(f));
    let take = || cell.lock().ok().and_then(|mut g| g.take());
    let from_thread = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("hcl-parser".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || take().map(|f| f()));
        match spawned.map(|h| h.join()) {
            Ok(Ok(v)) => v,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => None,
        }
    });
    match from_thread {
        Some(v) => v,
        // No thread could be started: run on this one.
        None => match take() {
            Some(f) => f(),
            None => unreachable_parser_state(),
        },
    }
}

#[cold]
fn unreachable_parser_state() -> ! {
    // `f` is taken exactly once: by the thread (which then returns Some) or here.
    panic!("parser thread returned without running")
}

pub fn parse_body(src: &str, file: &str) -> Result<Body, Diagnostics> {
    with_parser_stack(|| parse_body_here(src, file))
}

pub fn parse_expression(src: &str, file: &str) -> Result<Expr, Diagnostics> {
    with_parser_stack(|| parse_expression_here(src, file))
}

fn parse_body_here(src: &str, file: &str) -> Result<Body, Diagnostics> {
    let mut p = Parser::new(src, file);
    let mut diags = p.invalid_character_diags();
    match p.parse_body_items(true) {
        Ok(body) if diags.is_empty() => Ok(body),
        Ok(_) => Err(sorted(diags)),
        Err(d) => {
            diags.push(*d);
            Err(sorted(diags))
        }
    }
}

/// Terraform shows diagnostics in source order.
fn sorted(mut diags: Diagnostics) -> Diagnostics {
    diags
        .0
        .sort_by_key(|d| d.span.as_ref().map(|s| s.start.byte).unwrap_or(0));
    diags
}

fn parse_expression_here(src: &str, file: &str) -> Result<Expr, Diagnostics> {
    // A heredoc's closing marker must end its line; an expression given on its own
    // (console input, `-var`) may stop right after it.
    let with_newline;
    let (src, added_newline) = if src.ends_with('\n') {
        (src, None)
    } else {
        with_newline = format!("{src}\n");
        (with_newline.as_str(), Some(src.len()))
    };
    let mut p = Parser::new(src, file);
    p.added_newline = added_newline;
    let mut diags = p.invalid_character_diags();
    p.nl_stack.push(false);
    let result = p.parse_expr().and_then(|e| {
        let t = p.peek();
        if t.kind != TokenKind::Eof {
            return Err(p.error(
                "Extra characters after expression",
                "An expression was successfully parsed, but extra characters were found after it.",
                &t,
            ));
        }
        Ok(e)
    });
    match result {
        Ok(e) if diags.is_empty() => Ok(e),
        Ok(_) => Err(sorted(diags)),
        Err(d) => {
            diags.push(*d);
            Err(sorted(diags))
        }
    }
}

pub(crate) struct Parser<'a> {
    pub(crate) src: &'a str,
    file: Arc<str>,
    toks: Vec<Token>,
    i: usize,
    /// Top: whether newlines are significant here (bodies, object constructors).
    nl_stack: Vec<bool>,
    depth: usize,
    prev_end: Pos,
    /// Byte offset of a newline `parse_expression` added after the input.
    added_newline: Option<usize>,
}

fn range_text(s: &Span) -> String {
    if s.start.line == s.end.line {
        format!("{}:{},{}-{}", s.file, s.start.line, s.start.col, s.end.col)
    } else {
        format!(
            "{}:{},{}-{},{}",
            s.file, s.start.line, s.start.col, s.end.line, s.end.col
        )
    }
}

fn binary_op(kind: TokenKind) -> Option<(super::ast::BinaryOp, u8)> {
    use super::ast::BinaryOp as B;
    Some(match kind {
        TokenKind::Or => (B::Or, 1),
        TokenKind::And => (B::And, 2),
        TokenKind::EqualOp => (B::Eq, 3),
        TokenKind::NotEqual => (B::NotEq, 3),
        TokenKind::Lt => (B::Lt, 4),
        TokenKind::LtEq => (B::LtEq, 4),
        TokenKind::Gt => (B::Gt, 4),
        TokenKind::GtEq => (B::GtEq, 4),
        TokenKind::Plus => (B::Add, 5),
        TokenKind::Minus => (B::Sub, 5),
        TokenKind::Star => (B::Mul, 6),
        TokenKind::Slash => (B::Div, 6),
        TokenKind::Percent => (B::Mod, 6),
        _ => return None,
    })
}

const INTERP_EXTRA_DETAIL: &str = "Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with \"$${\" instead of just \"${\".";

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str, file: &str) -> Parser<'a> {
        // Comments are dropped, but a line comment ends its line: keep that newline.
        let toks: Vec<Token> = lex(src)
            .into_iter()
            .filter_map(|t| {
                if t.kind != TokenKind::Comment {
                    return Some(t);
                }
                let text = t.text(src);
                text.ends_with('\n').then(|| {
                    let nl_len = if text.ends_with("\r\n") { 2 } else { 1 };
                    let mut start = t.end;
                    start.byte -= nl_len;
                    start.line -= 1;
                    start.col = t.start.col + text.chars().count() - nl_len;
                    Token {
                        kind: TokenKind::Newline,
                        start,
                        end: t.end,
                    }
                })
            })
            .collect();
        Parser {
            src,
            file: Arc::from(file),
            toks,
            i: 0,
            nl_stack: vec![true],
            depth: 0,
            added_newline: None,
            prev_end: Pos {
                line: 1,
                col: 1,
                byte: 0,
            },
        }
    }

    /// Terraform reports every character the language does not use before parsing.
    fn invalid_character_diags(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for t in &self.toks {
            if t.kind != TokenKind::Invalid || t.text(self.src).starts_with("/*") {
                continue;
            }
            let operator = match t.text(self.src) {
                "~" => Some("NOT (\"!\")"),
                "&" => Some("AND (\"&&\")"),
                "|" => Some("OR (\"||\")"),
                _ => None,
            };
            if let Some(op) = operator {
                diags.push(
                    Diagnostic::error(
                        "Unsupported operator",
                        format!("Bitwise operators are not supported. Did you mean boolean {op}?"),
                    )
                    .with_span(self.tok_span(t)),
                );
                continue;
            }
            let detail = match t.text(self.src) {
                ";" => "The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.",
                "'" => "Single quotes are not valid. Use double quotes (\") to enclose strings.",
                "`" => "The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".",
                _ => "This character is not used within the language.",
            };
            diags.push(Diagnostic::error("Invalid character", detail).with_span(self.tok_span(t)));
        }
        diags
    }

    pub(crate) fn span(&self, start: Pos, end: Pos) -> Span {
        Span::new(self.file.clone(), start, end)
    }

    pub(crate) fn tok_span(&self, t: &Token) -> Span {
        self.span(t.start, t.end)
    }

    pub(crate) fn error(&self, summary: &str, detail: &str, t: &Token) -> Box<Diagnostic> {
        Box::new(Diagnostic::error(summary, detail).with_span(self.tok_span(t)))
    }

    fn newlines_significant(&self) -> bool {
        self.nl_stack.last().copied().unwrap_or(false)
    }

    fn peek_index(&self) -> usize {
        let mut j = self.i;
        if !self.newlines_significant() {
            while self
                .toks
                .get(j)
                .is_some_and(|t| t.kind == TokenKind::Newline)
            {
                j += 1;
            }
        }
        j.min(self.toks.len().saturating_sub(1))
    }

    pub(crate) fn peek(&self) -> Token {
        self.toks.get(self.peek_index()).cloned().unwrap_or(Token {
            kind: TokenKind::Eof,
            start: self.prev_end,
            end: self.prev_end,
        })
    }

    /// The token after the next one (same newline rules).
    fn peek2(&self) -> Token {
        let mut j = self.peek_index() + 1;
        if !self.newlines_significant() {
            while self
                .toks
                .get(j)
                .is_some_and(|t| t.kind == TokenKind::Newline)
            {
                j += 1;
            }
        }
        self.toks.get(j).cloned().unwrap_or_else(|| self.peek())
    }

    pub(crate) fn next(&mut self) -> Token {
        let j = self.peek_index();
        let t = self.peek();
        if t.kind != TokenKind::Eof {
            self.i = j + 1;
            self.prev_end = t.end;
        }
        t
    }

    /// The next token regardless of newline rules (templates see every token).
    pub(crate) fn next_raw(&mut self) -> Token {
        match self.toks.get(self.i).cloned() {
            Some(t) => {
                if t.kind != TokenKind::Eof {
                    self.i += 1;
                    self.prev_end = t.end;
                }
                t
            }
            None => self.peek(),
        }
    }

    pub(crate) fn peek_raw(&self) -> Token {
        self.toks
            .get(self.i)
            .cloned()
            .unwrap_or_else(|| self.peek())
    }

    fn text(&self, t: &Token) -> &'a str {
        t.text(self.src)
    }

    fn enter(&mut self, at: &Token) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                "Nesting too deep",
                &format!("Brackets, templates, operators and blocks may be nested at most {MAX_DEPTH} levels deep. Move inner parts into local values to simplify the configuration."),
                at,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---------------------------------------------------------------- bodies

    fn parse_body_items(&mut self, top: bool) -> PResult<Body> {
        let start = self.peek_raw().start;
        let mut items: Vec<BodyItem> = Vec::new();
        // Where each attribute name was first set, so a redefinition is found in one lookup
        // instead of a scan of every earlier item (which made a large block quadratic).
        let mut first_set: HashMap<String, Span> = HashMap::new();
        loop {
            while self.peek_raw().kind == TokenKind::Newline {
                self.next_raw();
            }
            let t = self.peek_raw();
            if t.kind == TokenKind::Eof && top {
                break;
            }
            if t.kind == TokenKind::CBrace && !top {
                break;
            }
            let item = self.parse_body_item()?;
            if let BodyItem::Attribute(a) = &item {
                if let Some(prev_span) = first_set.get(&a.name) {
                    return Err(Box::new(
                        Diagnostic::error(
                            "Attribute redefined",
                            format!(
                                "The argument \"{}\" was already set at {}. Each argument may be set only once.",
                                a.name,
                                range_text(prev_span)
                            ),
                        )
                        .with_span(a.name_span.clone()),
                    ));
                }
                first_set.insert(a.name.clone(), a.name_span.clone());
            }
            items.push(item);
        }
        let end = self.peek_raw().start;
        Ok(Body {
            items,
            span: self.span(start, end),
        })
    }

    fn parse_body_item(&mut self) -> PResult<BodyItem> {
        let ident = self.next_raw();
        if ident.kind == TokenKind::OQuote {
            return Err(self.error(
                "Invalid argument name",
                "Argument names must not be quoted.",
                &ident,
            ));
        }
        if ident.kind != TokenKind::Ident {
            return Err(self.error(
                "Argument or block definition required",
                "An argument or block definition is required here.",
                &ident,
            ));
        }
        let after = self.peek_raw();
        match after.kind {
            TokenKind::Equal => {
                let attr = self.finish_attribute(&ident)?;
                let end = self.peek_raw();
                match end.kind {
                    TokenKind::Newline | TokenKind::Eof => {}
                    // An unterminated `/*` after a value.
                    TokenKind::Invalid => {
                        return Err(self.error(
                            "Invalid expression",
                            "Expected the start of an expression, but found an invalid expression token.",
                            &end,
                        ))
                    }
                    TokenKind::Comma => return Err(self.error(
                        "Unexpected comma after argument",
                        "Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.",
                        &end,
                    )),
                    _ => return Err(self.error(
                        "Missing newline after argument",
                        "An argument definition must end with a newline.",
                        &end,
                    )),
                }
                Ok(BodyItem::Attribute(attr))
            }
            TokenKind::OQuote | TokenKind::OBrace | TokenKind::Ident => {
                Ok(BodyItem::Block(self.finish_block(&ident)?))
            }
            _ => Err(self.error(
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
                &ident,
            )),
        }
    }

    fn finish_attribute(&mut self, ident: &Token) -> PResult<Attribute> {
        self.next_raw(); // `=`
        let expr = self.parse_expr()?;
        Ok(Attribute {
            name: self.text(ident).to_string(),
            name_span: self.tok_span(ident),
            span: self.span(ident.start, expr.span.end),
            expr,
        })
    }

    fn finish_block(&mut self, ident: &Token) -> PResult<Block> {
        let mut labels = Vec::new();
        loop {
            let t = self.peek_raw();
            match t.kind {
                TokenKind::Ident => {
                    self.next_raw();
                    labels.push(Label {
                        value: self.text(&t).to_string(),
                        span: self.tok_span(&t),
                    });
                }
                TokenKind::OQuote => {
                    let e = self.parse_primary()?;
                    let value = match &e.kind {
                        ExprKind::Template(parts) => match parts.as_slice() {
                            [] => Some(String::new()),
                            [super::ast::TemplatePart::Literal(s)] => Some(s.clone()),
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(value) = value else {
                        return Err(Box::new(Diagnostic::error(
                            "Invalid string literal",
                            "Template sequences are not allowed in this string. To include a literal \"${\", use \"$${\".",
                        ).with_span(e.span)));
                    };
                    labels.push(Label {
                        value,
                        span: e.span,
                    });
                }
                TokenKind::OBrace => break,
                TokenKind::Equal => {
                    return Err(self.error(
                        "Invalid block definition",
                        "The equals sign \"=\" indicates an argument definition, and must not be used when defining a block.",
                        &t,
                    ))
                }
                TokenKind::Newline | TokenKind::Eof => {
                    return Err(self.error(
                        "Invalid block definition",
                        "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.",
                        &t,
                    ))
                }
                _ => {
                    return Err(self.error(
                        "Invalid block definition",
                        "Either a quoted string block label or an opening brace (\"{\") is expected here.",
                        &t,
                    ))
                }
            }
        }
        let obrace = self.next_raw();
        self.enter(&obrace)?;
        let body = if self.peek_raw().kind == TokenKind::Newline {
            self.parse_body_items(false)?
        } else {
            self.parse_single_line_body()?
        };
        let close = self.next_raw();
        if close.kind != TokenKind::CBrace {
            return Err(self.error(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                &obrace,
            ));
        }
        self.leave();
        let after = self.peek_raw();
        if !matches!(after.kind, TokenKind::Newline | TokenKind::Eof) {
            return Err(self.error(
                "Missing newline after block definition",
                "A block definition must end with a newline.",
                &after,
            ));
        }
        Ok(Block {
            kind: self.text(ident).to_string(),
            kind_span: self.tok_span(ident),
            labels,
            span: self.span(ident.start, close.end),
            body,
        })
    }

    /// `name { arg = value }` on one line: at most one argument, no nested blocks.
    fn parse_single_line_body(&mut self) -> PResult<Body> {
        let start = self.peek_raw();
        if start.kind == TokenKind::CBrace {
            return Ok(Body {
                items: Vec::new(),
                span: self.span(start.start, start.start),
            });
        }
        if start.kind != TokenKind::Ident {
            return Err(self.error(
                "Argument or block definition required",
                "An argument or block definition is required here.",
                &start,
            ));
        }
        self.next_raw();
        if self.peek_raw().kind != TokenKind::Equal {
            let name = self.text(&start).to_string();
            return Err(self.error(
                "Argument definition required",
                &format!("A single-line block definition can contain only a single argument. If you meant to define argument \"{name}\", use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block."),
                &start,
            ));
        }
        let attr = self.finish_attribute(&start)?;
        let end = self.peek_raw();
        match end.kind {
            TokenKind::CBrace => {}
            TokenKind::Newline => return Err(self.error(
                "Invalid single-argument block definition",
                "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
                &end,
            )),
            _ => return Err(self.error(
                "Invalid single-argument block definition",
                "A single-line block definition must end with a closing brace immediately after its single argument definition.",
                &end,
            )),
        }
        Ok(Body {
            span: attr.span.clone(),
            items: vec![BodyItem::Attribute(attr)],
        })
    }

    // ----------------------------------------------------------- expressions

    pub(crate) fn parse_expr(&mut self) -> PResult<Expr> {
        let first = self.peek();
        self.enter(&first)?;
        let cond = self.parse_binary(1)?;
        let result = if self.peek().kind == TokenKind::Question {
            self.next();
            let then = self.parse_expr()?;
            let colon = self.peek();
            if colon.kind != TokenKind::Colon {
                return Err(self.error(
                    "Missing false expression in conditional",
                    "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
                    &colon,
                ));
            }
            self.next();
            let otherwise = self.parse_expr()?;
            Expr {
                span: cond.span.to(&otherwise.span),
                kind: ExprKind::Conditional {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    otherwise: Box::new(otherwise),
                },
            }
        } else {
            cond
        };
        self.leave();
        Ok(result)
    }

    fn parse_binary(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut left = self.parse_unary()?;
        while let Some((op, prec)) = binary_op(self.peek().kind) {
            if prec < min_prec {
                break;
            }
            self.next();
            let right = self.parse_binary(prec + 1)?;
            left = Expr {
                span: left.span.to(&right.span),
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
            };
        }
        Ok(left)
    }

    fn parse_unary(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let op = match t.kind {
            TokenKind::Minus => super::ast::UnaryOp::Negate,
            TokenKind::Bang => super::ast::UnaryOp::Not,
            _ => return self.parse_postfix(),
        };
        self.next();
        self.enter(&t)?;
        let operand = self.parse_unary()?;
        self.leave();
        Ok(Expr {
            span: self.span(t.start, operand.span.end),
            kind: ExprKind::Unary(op, Box::new(operand)),
        })
    }

    fn parse_postfix(&mut self) -> PResult<Expr> {
        let mut e = self.parse_primary()?;
        loop {
            let t = self.peek();
            match t.kind {
                TokenKind::Dot => {
                    if self.peek2().kind == TokenKind::Star {
                        self.next();
                        self.next();
                        let item = Expr {
                            kind: ExprKind::SplatItem,
                            span: self.span(t.start, self.prev_end),
                        };
                        let each = self.parse_splat_steps(item, true)?;
                        e = Expr {
                            span: self.span(e.span.start, self.prev_end),
                            kind: ExprKind::Splat {
                                source: Box::new(e),
                                each: Box::new(each),
                                legacy: true,
                            },
                        };
                    } else {
                        e = self.parse_dot_step(e)?;
                    }
                }
                TokenKind::OBrack => {
                    if self.peek2().kind == TokenKind::Star {
                        self.next();
                        self.nl_stack.push(false);
                        self.next();
                        let close = self.next();
                        self.nl_stack.pop();
                        if close.kind != TokenKind::CBrack {
                            return Err(self.error(
                                "Missing close bracket on splat index",
                                "The star for a full splat operator must be immediately followed by a closing bracket (\"]\").",
                                &close,
                            ));
                        }
                        let item = Expr {
                            kind: ExprKind::SplatItem,
                            span: self.span(t.start, close.end),
                        };
                        let each = self.parse_splat_steps(item, false)?;
                        e = Expr {
                            span: self.span(e.span.start, self.prev_end),
                            kind: ExprKind::Splat {
                                source: Box::new(e),
                                each: Box::new(each),
                                legacy: false,
                            },
                        };
                    } else {
                        e = self.parse_index_step(e)?;
                    }
                }
                _ => return Ok(e),
            }
        }
    }

    /// The traversal steps a splat applies to each element: attribute steps for the
    /// legacy `.*`, attribute and index steps for `[*]`. Another splat ends them.
    fn parse_splat_steps(&mut self, mut each: Expr, legacy: bool) -> PResult<Expr> {
        loop {
            let t = self.peek();
            let t2 = self.peek2();
            match t.kind {
                TokenKind::Dot if t2.kind != TokenKind::Star => {
                    each = self.parse_dot_step(each)?;
                }
                TokenKind::Dot if legacy => {
                    return Err(self.error(
                        "Nested splat expression not allowed",
                        "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                        &t2,
                    ))
                }
                TokenKind::OBrack if !legacy && t2.kind != TokenKind::Star => {
                    each = self.parse_index_step(each)?;
                }
                _ => return Ok(each),
            }
        }
    }

    fn parse_dot_step(&mut self, e: Expr) -> PResult<Expr> {
        self.next(); // `.`
        let name = self.peek();
        match name.kind {
            TokenKind::Ident => {
                self.next();
                Ok(Expr {
                    span: self.span(e.span.start, name.end),
                    kind: ExprKind::GetAttr(Box::new(e), self.text(&name).to_string()),
                })
            }
            TokenKind::NumberLit => {
                self.next();
                // Legacy index syntax `foo.0`.
                let mut e = e;
                if self.text(&name).contains('.') {
                    return Err(self.error(
                        "Invalid legacy index syntax",
                        "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [1][2].",
                        &name,
                    ));
                }
                for part in self.text(&name).split('.') {
                    let Some(n) = NumberLit::parse(part) else {
                        return Err(self.error(
                            "Invalid number literal",
                            "Failed to recognize the value of this number literal.",
                            &name,
                        ));
                    };
                    e = Expr {
                        span: self.span(e.span.start, name.end),
                        kind: ExprKind::Index(
                            Box::new(e),
                            Box::new(Expr {
                                kind: ExprKind::Number(n),
                                span: self.tok_span(&name),
                            }),
                        ),
                    };
                }
                Ok(e)
            }
            _ => Err(self.error(
                "Invalid attribute name",
                "An attribute name is required after a dot.",
                &name,
            )),
        }
    }

    fn parse_index_step(&mut self, e: Expr) -> PResult<Expr> {
        self.next(); // `[`
        self.nl_stack.push(false);
        let key = self.parse_expr();
        let close = self.peek();
        self.nl_stack.pop();
        let key = key?;
        if close.kind != TokenKind::CBrack {
            return Err(self.error(
                "Missing close bracket on index",
                "The index operator must end with a closing bracket (\"]\").",
                &close,
            ));
        }
        self.nl_stack.push(false);
        self.next();
        self.nl_stack.pop();
        Ok(Expr {
            span: self.span(e.span.start, close.end),
            kind: ExprKind::Index(Box::new(e), Box::new(key)),
        })
    }

    pub(crate) fn parse_primary(&mut self) -> PResult<Expr> {
        let t = self.peek();
        match t.kind {
            TokenKind::NumberLit => {
                self.next();
                let Some(n) = NumberLit::parse(self.text(&t)) else {
                    return Err(self.error(
                        "Invalid number literal",
                        "Failed to recognize the value of this number literal.",
                        &t,
                    ));
                };
                Ok(Expr {
                    kind: ExprKind::Number(n),
                    span: self.tok_span(&t),
                })
            }
            TokenKind::Ident => {
                self.next();
                let name = self.text(&t);
                if self.peek().kind == TokenKind::OParen {
                    return self.finish_call(&t);
                }
                let kind = match name {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ => ExprKind::Variable(name.to_string()),
                };
                Ok(Expr {
                    kind,
                    span: self.tok_span(&t),
                })
            }
            TokenKind::OParen => {
                self.next();
                self.nl_stack.push(false);
                let inner = self.parse_expr();
                let close = self.peek();
                if close.kind == TokenKind::CParen {
                    self.next();
                }
                self.nl_stack.pop();
                let inner = inner?;
                if close.kind != TokenKind::CParen {
                    return Err(self.error(
                        "Unbalanced parentheses",
                        "Expected a closing parenthesis to terminate the expression.",
                        &close,
                    ));
                }
                Ok(Expr {
                    kind: ExprKind::Parens(Box::new(inner)),
                    span: self.span(t.start, close.end),
                })
            }
            TokenKind::OBrack => {
                self.next();
                self.nl_stack.push(false);
                let r = if self.is_for_keyword() {
                    self.finish_for(&t, false)
                } else {
                    self.finish_tuple(&t)
                };
                self.nl_stack.pop();
                r
            }
            TokenKind::OBrace => {
                self.next();
                self.nl_stack.push(true);
                let r = if self.is_for_keyword() {
                    self.nl_stack.push(false);
                    let r = self.finish_for(&t, true);
                    self.nl_stack.pop();
                    r
                } else {
                    self.finish_object(&t)
                };
                self.nl_stack.pop();
                r
            }
            TokenKind::OQuote | TokenKind::OHeredoc => {
                self.next();
                template::finish_template(self, &t)
            }
            TokenKind::Invalid if !self.text(&t).starts_with("/*") => Err(self.error(
                "Invalid character",
                "This character is not used within the language.",
                &t,
            )),
            _ => Err(self.error(
                "Invalid expression",
                "Expected the start of an expression, but found an invalid expression token.",
                &t,
            )),
        }
    }

    fn is_for_keyword(&self) -> bool {
        // Newlines may precede `for` in either bracket.
        let mut j = self.i;
        while self
            .toks
            .get(j)
            .is_some_and(|t| t.kind == TokenKind::Newline)
        {
            j += 1;
        }
        self.toks
            .get(j)
            .is_some_and(|t| t.kind == TokenKind::Ident && self.text(t) == "for")
    }

    fn finish_call(&mut self, name: &Token) -> PResult<Expr> {
        self.next(); // `(`
        self.nl_stack.push(false);
        let r = self.finish_call_args(name);
        self.nl_stack.pop();
        r
    }

    fn finish_call_args(&mut self, name: &Token) -> PResult<Expr> {
        let mut args = Vec::new();
        let mut expand_final = false;
        loop {
            if self.peek().kind == TokenKind::CParen {
                break;
            }
            args.push(self.parse_expr()?);
            let t = self.peek();
            match t.kind {
                TokenKind::Comma => {
                    self.next();
                }
                TokenKind::CParen => break,
                TokenKind::Ellipsis => {
                    self.next();
                    expand_final = true;
                    let close = self.peek();
                    if close.kind != TokenKind::CParen {
                        return Err(self.error(
                            "Missing closing parenthesis",
                            "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
                            &close,
                        ));
                    }
                    break;
                }
                _ => {
                    return Err(self.error(
                        "Missing argument separator",
                        "A comma is required to separate each function argument from the next.",
                        &t,
                    ))
                }
            }
        }
        let close = self.next();
        Ok(Expr {
            kind: ExprKind::FunctionCall {
                name: self.text(name).to_string(),
                args,
                expand_final,
            },
            span: self.span(name.start, close.end),
        })
    }

    fn finish_tuple(&mut self, open: &Token) -> PResult<Expr> {
        let mut items = Vec::new();
        loop {
            if self.peek().kind == TokenKind::CBrack {
                break;
            }
            items.push(self.parse_expr()?);
            let t = self.peek();
            match t.kind {
                TokenKind::Comma => {
                    self.next();
                }
                TokenKind::CBrack => break,
                _ => {
                    return Err(self.error(
                        "Missing item separator",
                        "Expected a comma to mark the beginning of the next item.",
                        &t,
                    ))
                }
            }
        }
        let close = self.next();
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            span: self.span(open.start, close.end),
        })
    }

    fn finish_object(&mut self, open: &Token) -> PResult<Expr> {
        let mut items = Vec::new();
        loop {
            while self.peek().kind == TokenKind::Newline {
                self.next();
            }
            if self.peek().kind == TokenKind::CBrace {
                break;
            }
            let key_tok = self.peek();
            let mut key = self.parse_expr()?;
            // A bare name is a literal key, even a keyword like `null`.
            if key_tok.kind == TokenKind::Ident && key.span.end == key_tok.end {
                key.kind = ExprKind::Variable(self.text(&key_tok).to_string());
            }
            let sep = self.peek();
            if !matches!(sep.kind, TokenKind::Equal | TokenKind::Colon) {
                return Err(self.error(
                    "Missing key/value separator",
                    "Expected an equals sign (\"=\") to mark the beginning of the attribute value.",
                    &sep,
                ));
            }
            self.next();
            let value = self.parse_expr()?;
            items.push((key, value));
            let t = self.peek();
            match t.kind {
                TokenKind::Comma | TokenKind::Newline => {
                    self.next();
                }
                TokenKind::CBrace => break,
                _ => {
                    return Err(self.error(
                        "Missing attribute separator",
                        "Expected a newline or comma to mark the beginning of the next attribute.",
                        &t,
                    ))
                }
            }
        }
        let close = self.next();
        Ok(Expr {
            kind: ExprKind::Object(items),
            span: self.span(open.start, close.end),
        })
    }

    /// Reads `name` or `key, value` iterator names (used by for-expressions and
    /// template `for` directives). Returns (key_var, value_var).
    pub(crate) fn parse_for_names(&mut self, directive: bool) -> PResult<(Option<String>, String)> {
        let (summary, what) = if directive {
            ("Invalid 'for' directive", "For directive")
        } else {
            ("Invalid 'for' expression", "For expression")
        };
        let first = self.next();
        if first.kind != TokenKind::Ident {
            return Err(self.error(
                summary,
                &format!("{what} requires variable name after 'for'."),
                &first,
            ));
        }
        let mut names = (None, self.text(&first).to_string());
        if self.peek().kind == TokenKind::Comma {
            self.next();
            let second = self.next();
            if second.kind != TokenKind::Ident {
                if directive && self.text(&second) == "in" {
                    return Err(self.error(
                        summary,
                        "For directive requires 'in' keyword after names.",
                        &second,
                    ));
                }
                return Err(self.error(
                    summary,
                    &format!("{what} requires value variable name after comma."),
                    &second,
                ));
            }
            names = (Some(names.1), self.text(&second).to_string());
        }
        let kw = self.peek();
        if kw.kind != TokenKind::Ident || self.text(&kw) != "in" {
            let detail = if directive {
                "For directive requires 'in' keyword after names."
            } else {
                "For expression requires the 'in' keyword after its name declarations."
            };
            return Err(self.error(summary, detail, &kw));
        }
        self.next();
        Ok(names)
    }

    fn finish_for(&mut self, open: &Token, object: bool) -> PResult<Expr> {
        self.next(); // `for`
        let (key_var, value_var) = self.parse_for_names(false)?;
        let collection = self.parse_expr()?;
        let colon = self.peek();
        if colon.kind != TokenKind::Colon {
            return Err(self.error(
                "Invalid 'for' expression",
                "For expression requires a colon after the collection expression.",
                &colon,
            ));
        }
        self.next();
        let first = self.parse_expr()?;
        let (key, value) = if self.peek().kind == TokenKind::FatArrow {
            let arrow = self.next();
            if !object {
                return Err(self.error(
                    "Invalid 'for' expression",
                    "Key expression is not valid when building a tuple.",
                    &arrow,
                ));
            }
            (Some(first), self.parse_expr()?)
        } else {
            if object {
                return Err(self.error(
                    "Invalid 'for' expression",
                    "Key expression is required when building an object.",
                    &self.peek(),
                ));
            }
            (None, first)
        };
        let mut group = false;
        if object && self.peek().kind == TokenKind::Ellipsis {
            self.next();
            group = true;
        }
        let mut cond = None;
        let t = self.peek();
        if t.kind == TokenKind::Ident && self.text(&t) == "if" {
            self.next();
            cond = Some(self.parse_expr()?);
        }
        let close = self.peek();
        let want = if object {
            TokenKind::CBrace
        } else {
            TokenKind::CBrack
        };
        if close.kind != want {
            return Err(self.error(
                "Invalid 'for' expression",
                "Extra characters after the end of the 'for' expression.",
                &close,
            ));
        }
        self.next();
        Ok(Expr {
            kind: ExprKind::For(Box::new(ForExpr {
                key_var,
                value_var,
                collection,
                key,
                value,
                cond,
                group,
            })),
            span: self.span(open.start, close.end),
        })
    }

    /// Collects the items of a quoted template or heredoc up to its closing token.
    pub(crate) fn template_items(&mut self, heredoc: bool) -> PResult<(Vec<TemplateItem>, Token)> {
        let mut items = Vec::new();
        loop {
            let t = self.next_raw();
            match t.kind {
                TokenKind::CQuote if !heredoc => return Ok((items, t)),
                TokenKind::CHeredoc if heredoc => return Ok((items, t)),
                TokenKind::QuotedLit => {
                    let text = template::unescape_quoted(self.text(&t))
                        .map_err(|sym| {
                            self.error(
                                "Invalid escape sequence",
                                &format!("The symbol \"{sym}\" is not a valid escape sequence selector."),
                                &t,
                            )
                        })?;
                    items.push(TemplateItem::literal(text, self.tok_span(&t)));
                }
                TokenKind::StringLit => {
                    let text = template::unescape_heredoc(self.text(&t));
                    items.push(TemplateItem::literal(text, self.tok_span(&t)));
                }
                TokenKind::TemplateInterp => {
                    self.nl_stack.push(false);
                    let e = self.parse_expr();
                    let close = self.peek();
                    if close.kind == TokenKind::TemplateSeqEnd {
                        self.next();
                    }
                    self.nl_stack.pop();
                    let e = e?;
                    if close.kind != TokenKind::TemplateSeqEnd {
                        return Err(self.error(
                            "Extra characters after interpolation expression",
                            INTERP_EXTRA_DETAIL,
                            &close,
                        ));
                    }
                    items.push(TemplateItem::interp(
                        e,
                        self.text(&t).ends_with('~'),
                        self.text(&close).starts_with('~'),
                    ));
                }
                TokenKind::TemplateControl => {
                    self.nl_stack.push(false);
                    let item = template::parse_directive(self, &t);
                    self.nl_stack.pop();
                    items.push(item?);
                }
                TokenKind::Newline if !heredoc && Some(t.start.byte) != self.added_newline => {
                    return Err(self.error(
                        "Invalid multi-line string",
                        "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.",
                        &t,
                    ))
                }
                _ => {
                    return Err(self.error(
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                        &t,
                    ))
                }
            }
        }
    }

    pub(crate) fn range_text(&self, s: &Span) -> String {
        range_text(s)
    }
}
