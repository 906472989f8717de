//! JSON encoding and decoding with Terraform's conventions: numbers kept exact in both
//! directions (so `jsondecode("12345678901234567890")` does not round), object keys
//! sorted, and HTML-sensitive characters escaped like Go's encoder.

use super::{Number, Value};
use std::collections::BTreeMap;

/// Nesting deeper than this is refused instead of risking the stack.
const MAX_DEPTH: usize = 500;

pub(super) fn encode(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_value(v, &mut out, 0)?;
    Ok(out)
}

fn write_value(v: &Value, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("value is nested too deeply to encode".to_string());
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Unknown(_) => return Err("value is not yet known".to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(x, out, depth + 1)?;
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(x, out, depth + 1)?;
            }
            out.push('}');
        }
        Value::Sensitive(inner) => write_value(inner, out, depth)?,
    }
    Ok(())
}

/// Go's `encoding/json` string escaping (with HTML escaping on).
pub(super) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Decodes JSON text into a value: arrays become tuples, objects become objects.
pub(super) fn decode(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        chars: text.char_indices().peekable(),
        text,
    };
    p.skip_ws();
    if p.chars.peek().is_none() {
        return Err("EOF".to_string());
    }
    let v = p.value(0)?;
    p.skip_ws();
    if p.chars.peek().is_some() {
        return Err("extraneous data after JSON object".to_string());
    }
    Ok(v)
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.chars.peek(), Some((_, ' ' | '\t' | '\n' | '\r'))) {
            self.chars.next();
        }
    }

    fn next_char(&mut self) -> Result<char, String> {
        self.chars
            .next()
            .map(|(_, c)| c)
            .ok_or_else(|| "unexpected end of JSON input".to_string())
    }

    fn unexpected(c: char, looking: &str) -> String {
        format!("invalid character {c:?} {looking}")
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("JSON is nested too deeply".to_string());
        }
        self.skip_ws();
        let Some(&(start, c)) = self.chars.peek() else {
            return Err("unexpected end of JSON input".to_string());
        };
        match c {
            '{' => self.object(depth),
            '[' => self.array(depth),
            '"' => self.string().map(Value::String),
            't' => self.literal("true", Value::Bool(true)),
            'f' => self.literal("false", Value::Bool(false)),
            'n' => self.literal("null", Value::Null),
            '-' | '0'..='9' => self.number(start),
            other => Err(Self::unexpected(other, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for expected in word.chars() {
            let c = self.next_char()?;
            if c != expected {
                return Err(Self::unexpected(
                    c,
                    &format!("in literal {word} (expecting {expected:?})"),
                ));
            }
        }
        Ok(v)
    }

    fn number(&mut self, start: usize) -> Result<Value, String> {
        let mut end = start;
        while let Some(&(i, c)) = self.chars.peek() {
            if c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E') {
                end = i + c.len_utf8();
                self.chars.next();
            } else {
                break;
            }
        }
        let text = &self.text[start..end];
        if !valid_json_number(text) {
            return Err(format!("invalid number literal {text:?}"));
        }
        Number::parse(text)
            .map(Value::Number)
            .ok_or_else(|| format!("invalid number literal {text:?}"))
    }

    fn string(&mut self) -> Result<String, String> {
        self.next_char()?; // opening quote
        let mut out = String::new();
        loop {
            match self.next_char()? {
                '"' => return Ok(out),
                '\\' => match self.next_char()? {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hi = self.hex4()?;
                        let c = if (0xD800..0xDC00).contains(&hi) {
                            let mut lookahead = self.chars.clone();
                            let low = match (lookahead.next(), lookahead.next()) {
                                (Some((_, '\\')), Some((_, 'u'))) => {
                                    self.chars.next();
                                    self.chars.next();
                                    Some(self.hex4()?)
                                }
                                _ => None,
                            };
                            match low {
                                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                }
                                _ => None,
                            }
                        } else {
                            char::from_u32(hi)
                        };
                        out.push(c.unwrap_or('\u{FFFD}'));
                    }
                    other => return Err(Self::unexpected(other, "in string escape code")),
                },
                c if (c as u32) < 0x20 => return Err(Self::unexpected(c, "in string literal")),
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0u32;
        for _ in 0..4 {
            let c = self.next_char()?;
            let d = c
                .to_digit(16)
                .ok_or_else(|| Self::unexpected(c, "in \\u hexadecimal character escape"))?;
            n = n * 16 + d;
        }
        Ok(n)
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.next_char()?;
        let mut xs = Vec::new();
        self.skip_ws();
        if matches!(self.chars.peek(), Some((_, ']'))) {
            self.chars.next();
            return Ok(Value::Tuple(xs));
        }
        loop {
            xs.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.next_char()? {
                ',' => continue,
                ']' => return Ok(Value::Tuple(xs)),
                c => return Err(Self::unexpected(c, "after array element")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.next_char()?;
        let mut m = BTreeMap::new();
        self.skip_ws();
        if matches!(self.chars.peek(), Some((_, '}'))) {
            self.chars.next();
            return Ok(Value::Object(m.into()));
        }
        loop {
            self.skip_ws();
            match self.chars.peek() {
                Some((_, '"')) => {}
                Some(&(_, c)) => {
                    return Err(Self::unexpected(
                        c,
                        "looking for beginning of object key string",
                    ))
                }
                None => return Err("EOF".to_string()),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.next_char()? {
                ':' => {}
                c => return Err(Self::unexpected(c, "after object key")),
            }
            let v = self.value(depth + 1)?;
            m.insert(key, v);
            self.skip_ws();
            match self.next_char()? {
                ',' => continue,
                '}' => return Ok(Value::Object(m.into())),
                c => return Err(Self::unexpected(c, "after object key:value pair")),
            }
        }
    }
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn valid_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_len = i - int_start;
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s || i - s > 6 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn encode_like_terraform() {
        assert_eq!(
            okj(
                "jsonencode",
                vec![tup(vec![n(1), Value::Null, Value::Bool(true), s("s")])]
            ),
            r#""[1,null,true,\"s\"]""#
        );
        assert_eq!(
            ok("jsonencode", vec![s("<a&b>\u{2028}")]),
            s(r#""\u003ca\u0026b\u003e\u2028""#)
        );
        assert_eq!(
            ok(
                "jsonencode",
                vec![obj(vec![("b", n(1)), ("a", tup(vec![num("1.5"), s("x")]))])]
            ),
            s(r#"{"a":[1.5,"x"],"b":1}"#)
        );
        assert_eq!(ok("jsonencode", vec![Value::Null]), s("null"));
        assert_eq!(ok("jsonencode", vec![s("\u{1}\t")]), s(r#""\u0001\t""#));
    }

    #[test]
    fn decode_like_terraform() {
        assert_eq!(ok("jsondecode", vec![s("1.5")]), num("1.5"));
        assert_eq!(
            json(&ok("jsondecode", vec![s("12345678901234567890")])),
            "12345678901234567890"
        );
        assert_eq!(
            okj("jsondecode", vec![s("[1, {\"a\": null}]")]),
            r#"[1,{"a":null}]"#
        );
        assert_eq!(
            okj("jsondecode", vec![s("{\"a\":1,\"a\":2}")]),
            r#"{"a":2}"#
        );
        assert_eq!(ok("jsondecode", vec![s("\"\\ud83d\\ude00\"")]), s("😀"));
        assert!(err("jsondecode", vec![s("{")]).1.ends_with("failed: EOF."));
        assert!(err("jsondecode", vec![s("")]).1.ends_with("failed: EOF."));
        assert!(err("jsondecode", vec![s("1 2")])
            .1
            .ends_with("extraneous data after JSON object."));
        assert_eq!(
            err("jsondecode", vec![s("[01]")]).0,
            "Error in function call"
        );
        let deep = "[".repeat(10_000);
        assert_eq!(
            err("jsondecode", vec![s(&deep)]).0,
            "Error in function call"
        );
    }
}
