//! Tokens of HCL native syntax.
//!
//! The token set mirrors the one Terraform's own scanner produces (comments and newlines are
//! tokens, templates are split into quote/literal/interpolation tokens), so the same stream
//! serves the parser and the formatter, which must reproduce `terraform fmt` byte for byte.
//! The lexer never fails: characters the language does not use become `Invalid` tokens and
//! the parser reports them.

use crate::diag::Pos;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    /// The `"` opening a quoted template.
    OQuote,
    /// The `"` closing a quoted template.
    CQuote,
    /// `<<EOT` or `<<-EOT` including the newline after the marker.
    OHeredoc,
    /// The closing marker line of a heredoc, including its leading whitespace.
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    /// `${` or `${~`
    TemplateInterp,
    /// `%{` or `%{~`
    TemplateControl,
    /// The `}` or `~}` closing an interpolation or directive.
    TemplateSeqEnd,
    /// Literal text of a quoted template, escapes still raw.
    QuotedLit,
    /// Literal text of a heredoc (a line's text with its newline, or part of it).
    StringLit,
    NumberLit,
    Ident,
    /// `# ...`, `// ...` (including the line end) or `/* ... */`.
    Comment,
    Newline,
    Eof,
    /// A character the language does not use (or an unterminated `/*` comment).
    Invalid,
}

impl TokenKind {
    /// +1 for tokens that open a bracketing pair, -1 for those that close one
    /// (the formatter's indentation and the depth limit both count these).
    pub fn bracket_change(self) -> i32 {
        match self {
            TokenKind::OBrace
            | TokenKind::OBrack
            | TokenKind::OParen
            | TokenKind::TemplateControl
            | TokenKind::TemplateInterp => 1,
            TokenKind::CBrace
            | TokenKind::CBrack
            | TokenKind::CParen
            | TokenKind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: Pos,
    pub end: Pos,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start.byte..self.end.byte).unwrap_or("")
    }
}

/// What the lexer is inside of; templates and interpolations nest.
#[derive(Debug, Clone)]
enum Frame {
    /// Configuration or expression text; counts open `{` to match `}`.
    Normal {
        braces: usize,
    },
    /// Inside `${ ... }` or `%{ ... }`; a `}` at zero open braces ends it.
    Interp {
        braces: usize,
    },
    Quoted,
    Heredoc {
        marker: String,
        line_start: bool,
    },
}

/// Splits `src` into tokens, ending with one `Eof` token.
pub fn lex(src: &str) -> Vec<Token> {
    Lexer::new(src).run()
}

struct Lexer<'a> {
    src: &'a str,
    pos: Pos,
    frames: Vec<Frame>,
    out: Vec<Token>,
}

/// Identifiers follow Unicode's identifier rules (UAX #31) plus `_` and `-`, as in HCL.
fn is_ident_start(c: char) -> bool {
    unicode_ident::is_xid_start(c) || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c) || c == '-'
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src,
            pos: Pos {
                line: 1,
                col: 1,
                byte: 0,
            },
            frames: vec![Frame::Normal { braces: 0 }],
            out: Vec::new(),
        }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos.byte..).unwrap_or("")
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn advance_char(&mut self) {
        if let Some(c) = self.peek_char() {
            self.pos.byte += c.len_utf8();
            if c == '\n' {
                self.pos.line += 1;
                self.pos.col = 1;
            } else {
                self.pos.col += 1;
            }
        }
    }

    fn advance_bytes(&mut self, n: usize) {
        let target = self.pos.byte + n;
        while self.pos.byte < target && self.pos.byte < self.src.len() {
            self.advance_char();
        }
    }

    fn emit(&mut self, kind: TokenKind, start: Pos) {
        self.out.push(Token {
            kind,
            start,
            end: self.pos,
        });
    }

    fn run(mut self) -> Vec<Token> {
        // A byte-order mark at the start is not part of the text (Terraform drops it).
        if self.src.starts_with('\u{feff}') {
            self.pos.byte = '\u{feff}'.len_utf8();
        }
        while self.pos.byte < self.src.len() {
            match self.frames.last().cloned() {
                Some(Frame::Quoted) => self.lex_quoted(),
                Some(Frame::Heredoc { marker, line_start }) => {
                    self.lex_heredoc(&marker, line_start)
                }
                _ => self.lex_normal(),
            }
        }
        let p = self.pos;
        self.emit(TokenKind::Eof, p);
        self.out
    }

    fn set_brace_count(&mut self, delta: isize) -> bool {
        // Returns true when a `}` closes an interpolation.
        match self.frames.last_mut() {
            Some(Frame::Normal { braces }) => {
                if delta > 0 {
                    *braces += 1;
                } else if *braces > 0 {
                    *braces -= 1;
                }
                false
            }
            Some(Frame::Interp { braces }) => {
                if delta > 0 {
                    *braces += 1;
                    false
                } else if *braces > 0 {
                    *braces -= 1;
                    false
                } else {
                    true
                }
            }
            _ => false,
        }
    }

    fn in_interp_at_zero(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Interp { braces: 0 }))
    }

    fn lex_normal(&mut self) {
        let start = self.pos;
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return;
        };
        match c {
            ' ' | '\t' => {
                self.advance_char();
            }
            '\n' => {
                self.advance_char();
                self.emit(TokenKind::Newline, start);
            }
            '\r' if rest.starts_with("\r\n") => {
                self.advance_bytes(2);
                self.emit(TokenKind::Newline, start);
            }
            '#' => self.lex_line_comment(start),
            '/' if rest.starts_with("//") => self.lex_line_comment(start),
            '/' if rest.starts_with("/*") => match rest.get(2..).and_then(|r| r.find("*/")) {
                Some(i) => {
                    self.advance_bytes(i + 4);
                    self.emit(TokenKind::Comment, start);
                }
                None => {
                    self.advance_bytes(rest.len());
                    self.emit(TokenKind::Invalid, start);
                }
            },
            '{' => {
                self.set_brace_count(1);
                self.advance_char();
                self.emit(TokenKind::OBrace, start);
            }
            '~' if rest.starts_with("~}") && self.in_interp_at_zero() => {
                self.advance_bytes(2);
                self.frames.pop();
                self.emit(TokenKind::TemplateSeqEnd, start);
            }
            '}' => {
                let closes = self.set_brace_count(-1);
                self.advance_char();
                if closes {
                    self.frames.pop();
                    self.emit(TokenKind::TemplateSeqEnd, start);
                } else {
                    self.emit(TokenKind::CBrace, start);
                }
            }
            '"' => {
                self.advance_char();
                self.emit(TokenKind::OQuote, start);
                self.frames.push(Frame::Quoted);
            }
            '<' if rest.starts_with("<<") => {
                if !self.try_heredoc(start) {
                    self.advance_char();
                    self.emit(TokenKind::Lt, start);
                }
            }
            '0'..='9' => self.lex_number(start),
            c if is_ident_start(c) => {
                let len = rest
                    .char_indices()
                    .find(|&(_, ch)| !is_ident_continue(ch))
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                self.advance_bytes(len);
                self.emit(TokenKind::Ident, start);
            }
            _ => {
                let ops: [(&str, TokenKind); 27] = [
                    ("...", TokenKind::Ellipsis),
                    ("==", TokenKind::EqualOp),
                    ("!=", TokenKind::NotEqual),
                    ("<=", TokenKind::LtEq),
                    (">=", TokenKind::GtEq),
                    ("&&", TokenKind::And),
                    ("||", TokenKind::Or),
                    ("=>", TokenKind::FatArrow),
                    ("${", TokenKind::TemplateInterp),
                    ("%{", TokenKind::TemplateControl),
                    ("[", TokenKind::OBrack),
                    ("]", TokenKind::CBrack),
                    ("(", TokenKind::OParen),
                    (")", TokenKind::CParen),
                    ("*", TokenKind::Star),
                    ("/", TokenKind::Slash),
                    ("+", TokenKind::Plus),
                    ("-", TokenKind::Minus),
                    ("%", TokenKind::Percent),
                    ("=", TokenKind::Equal),
                    ("<", TokenKind::Lt),
                    (">", TokenKind::Gt),
                    ("!", TokenKind::Bang),
                    (".", TokenKind::Dot),
                    (",", TokenKind::Comma),
                    ("?", TokenKind::Question),
                    (":", TokenKind::Colon),
                ];
                for (text, kind) in ops {
                    if rest.starts_with(text) {
                        if matches!(kind, TokenKind::TemplateInterp | TokenKind::TemplateControl) {
                            // Template sequences only appear inside templates; outside
                            // they are invalid characters, as in Terraform.
                            break;
                        }
                        self.advance_bytes(text.len());
                        self.emit(kind, start);
                        return;
                    }
                }
                self.advance_char();
                self.emit(TokenKind::Invalid, start);
            }
        }
    }

    fn lex_line_comment(&mut self, start: Pos) {
        let rest = self.rest();
        let len = match rest.find('\n') {
            Some(i) => i + 1,
            None => rest.len(),
        };
        self.advance_bytes(len);
        self.emit(TokenKind::Comment, start);
    }

    fn lex_number(&mut self, start: Pos) {
        let b = self.rest().as_bytes();
        let mut i = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            // `1.0.1` is one (invalid) literal, as in Terraform; the parser splits
            // legacy index chains like `a.0.1` itself.
            while i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut j = i + 1;
            if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        self.advance_bytes(i);
        self.emit(TokenKind::NumberLit, start);
    }

    /// `<<EOT` / `<<-EOT` followed directly by a newline opens a heredoc.
    fn try_heredoc(&mut self, start: Pos) -> bool {
        let rest = self.rest();
        let mut i = 2;
        if rest.as_bytes().get(2) == Some(&b'-') {
            i = 3;
        }
        let after = rest.get(i..).unwrap_or("");
        let mut chars = after.char_indices();
        match chars.next() {
            Some((_, c)) if is_ident_start(c) => {}
            _ => return false,
        }
        let len = after
            .char_indices()
            .find(|&(_, ch)| !is_ident_continue(ch))
            .map(|(k, _)| k)
            .unwrap_or(after.len());
        let marker = after.get(..len).unwrap_or("").to_string();
        let tail = after.get(len..).unwrap_or("");
        let nl = if tail.starts_with('\n') {
            1
        } else if tail.starts_with("\r\n") {
            2
        } else {
            return false;
        };
        self.advance_bytes(i + len + nl);
        self.emit(TokenKind::OHeredoc, start);
        self.frames.push(Frame::Heredoc {
            marker,
            line_start: true,
        });
        true
    }

    /// Finds where literal text ends: at a `${`/`%{` that is not escaped by doubling,
    /// or at any character in `stops`.
    fn literal_len(rest: &str, stops: &[u8], backslash_escapes: bool) -> usize {
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if backslash_escapes && c == b'\\' {
                // Skip the escaped character (or stop at a line end).
                if i + 1 < b.len() && b[i + 1] != b'\n' && b[i + 1] != b'\r' {
                    i += 2;
                    continue;
                }
                i += 1;
                continue;
            }
            if stops.contains(&c) {
                return i;
            }
            if (c == b'$' || c == b'%') && i + 1 < b.len() {
                if b[i + 1] == c && i + 2 < b.len() && b[i + 2] == b'{' {
                    i += 3;
                    continue;
                }
                if b[i + 1] == b'{' {
                    return i;
                }
            }
            i += 1;
        }
        // `i` may overshoot by one on a trailing backslash; clamp to a char boundary.
        let mut n = i.min(b.len());
        while n > 0 && !rest.is_char_boundary(n) {
            n -= 1;
        }
        n
    }

    fn lex_template_open(&mut self, start: Pos) -> bool {
        let rest = self.rest();
        let kind = if rest.starts_with("${") {
            TokenKind::TemplateInterp
        } else if rest.starts_with("%{") {
            TokenKind::TemplateControl
        } else {
            return false;
        };
        let len = if rest.get(2..).is_some_and(|r| r.starts_with('~')) {
            3
        } else {
            2
        };
        self.advance_bytes(len);
        self.emit(kind, start);
        self.frames.push(Frame::Interp { braces: 0 });
        true
    }

    fn lex_quoted(&mut self) {
        let start = self.pos;
        let rest = self.rest();
        if rest.starts_with('"') {
            self.advance_char();
            self.frames.pop();
            self.emit(TokenKind::CQuote, start);
            return;
        }
        if rest.starts_with('\n') || rest.starts_with("\r\n") {
            // Quoted strings end at a line end; the parser reports it.
            self.frames.pop();
            return;
        }
        if rest.starts_with('\r') {
            // A bare carriage return inside a string splits it over lines too.
            self.frames.pop();
            self.advance_char();
            self.emit(TokenKind::Newline, start);
            return;
        }
        if self.lex_template_open(start) {
            return;
        }
        let len = Self::literal_len(rest, b"\"\n\r", true);
        let len = if len == 0 { 1 } else { len };
        self.advance_bytes(len);
        self.emit(TokenKind::QuotedLit, start);
    }

    fn lex_heredoc(&mut self, marker: &str, line_start: bool) {
        let start = self.pos;
        let rest = self.rest();
        if line_start {
            let trimmed = rest.trim_start_matches([' ', '\t']);
            let indent = rest.len() - trimmed.len();
            if let Some(after) = trimmed.strip_prefix(marker) {
                // The closing marker must end its line (spaces and tabs may follow it);
                // at the end of the file it does not.
                let tail = after.trim_start_matches([' ', '\t']);
                if tail.starts_with('\n') || tail.starts_with("\r\n") {
                    let trailing = after.len() - tail.len();
                    self.advance_bytes(indent + marker.len() + trailing);
                    self.frames.pop();
                    self.emit(TokenKind::CHeredoc, start);
                    return;
                }
            }
        }
        if let Some(Frame::Heredoc { line_start, .. }) = self.frames.last_mut() {
            *line_start = false;
        }
        if self.lex_template_open(start) {
            return;
        }
        let len = Self::literal_len(rest, b"\n", false);
        let at_newline = rest.get(len..).is_some_and(|r| r.starts_with('\n'));
        let len = if at_newline { len + 1 } else { len.max(1) };
        self.advance_bytes(len);
        self.emit(TokenKind::StringLit, start);
        if at_newline {
            if let Some(Frame::Heredoc { line_start, .. }) = self.frames.last_mut() {
                *line_start = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn quoted_template_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("a = \"x${b}y\"\n"),
            vec![
                Ident,
                Equal,
                OQuote,
                QuotedLit,
                TemplateInterp,
                Ident,
                TemplateSeqEnd,
                QuotedLit,
                CQuote,
                Newline,
                Eof
            ]
        );
    }

    #[test]
    fn heredoc_tokens_keep_marker_indent() {
        let src = "x = <<-EOT\n  a\n  EOT\n";
        let toks = lex(src);
        let close = toks.iter().find(|t| t.kind == TokenKind::CHeredoc);
        assert_eq!(close.map(|t| t.text(src)), Some("  EOT"));
    }

    #[test]
    fn heredoc_marker_may_have_trailing_blanks_but_must_end_its_line() {
        let src = "x = <<EOT\na\nEOT \t\n";
        let toks = lex(src);
        let close = toks.iter().find(|t| t.kind == TokenKind::CHeredoc);
        assert_eq!(close.map(|t| t.text(src)), Some("EOT \t"));
        let unterminated = lex("x = <<EOT\na\nEOT");
        assert!(!unterminated.iter().any(|t| t.kind == TokenKind::CHeredoc));
    }

    #[test]
    fn line_comments_include_their_newline() {
        let src = "a = 1 # c\r\nb = 2";
        let toks = lex(src);
        let c = toks.iter().find(|t| t.kind == TokenKind::Comment);
        assert_eq!(c.map(|t| t.text(src)), Some("# c\r\n"));
    }

    #[test]
    fn braces_inside_interpolation_nest() {
        use TokenKind::*;
        assert_eq!(
            kinds("\"${ {a=1} }\""),
            vec![
                OQuote,
                TemplateInterp,
                OBrace,
                Ident,
                Equal,
                NumberLit,
                CBrace,
                TemplateSeqEnd,
                CQuote,
                Eof
            ]
        );
    }

    #[test]
    fn multibyte_positions_count_characters() {
        let toks = lex("é = 1");
        assert_eq!(toks[1].start.col, 3);
        assert_eq!(toks[1].start.byte, 3);
    }

    #[test]
    fn escaped_interpolation_is_literal() {
        use TokenKind::*;
        assert_eq!(kinds("\"$${a}\""), vec![OQuote, QuotedLit, CQuote, Eof]);
    }
}
