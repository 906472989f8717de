//! How values are shown to people: console notation and compact JSON.

use super::Value;
use std::fmt::Write;

/// A value as `terraform console` (v1.0) prints it: strings quoted (multi-line strings as
/// heredocs), lists and maps over several lines with two-space indentation, `tolist(...)`,
/// `toset(...)` and `tomap(...)` around typed collections, `(sensitive)` for sensitive
/// values and `(known after apply)` for unknown ones.
pub fn console_notation(v: &Value) -> String {
    let mut out = String::new();
    write_console(&mut out, v, 0);
    out
}

fn write_console(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Unknown(_) => out.push_str("(known after apply)"),
        Value::Sensitive(_) => out.push_str("(sensitive)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if s.contains('\n') => write_heredoc(out, s, indent),
        Value::String(s) => out.push_str(&go_quote(s)),
        Value::Tuple(xs) => write_sequence(out, xs, indent, "[", "]"),
        Value::List(xs) => write_sequence(out, xs, indent, "tolist([", "])"),
        Value::Set(xs) => write_sequence(out, xs, indent, "toset([", "])"),
        Value::Object(m) => write_mapping(out, m, indent, "{", "}"),
        Value::Map(m) => write_mapping(out, m, indent, "tomap({", "})"),
    }
}

fn write_heredoc(out: &mut String, s: &str, indent: usize) {
    let pad = " ".repeat(indent);
    out.push_str(if indent == 0 { "<<EOT\n" } else { "<<-EOT\n" });
    for line in s.split('\n') {
        out.push_str(&pad);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str("EOT");
}

fn write_sequence(out: &mut String, xs: &[Value], indent: usize, open: &str, close: &str) {
    out.push_str(open);
    if !xs.is_empty() {
        out.push('\n');
        let pad = " ".repeat(indent + 2);
        for x in xs {
            out.push_str(&pad);
            write_console(out, x, indent + 2);
            out.push_str(",\n");
        }
        out.push_str(&" ".repeat(indent));
    }
    out.push_str(close);
}

fn write_mapping(out: &mut String, m: &super::ValueMap, indent: usize, open: &str, close: &str) {
    out.push_str(open);
    if !m.is_empty() {
        out.push('\n');
        let pad = " ".repeat(indent + 2);
        for (k, x) in m {
            out.push_str(&pad);
            out.push_str(&go_quote(k));
            out.push_str(" = ");
            write_console(out, x, indent + 2);
            out.push('\n');
        }
        out.push_str(&" ".repeat(indent));
    }
    out.push_str(close);
}

/// Quotes a string as Go's `strconv.Quote` does (what Terraform's console uses).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !is_printable(c) => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, approximately: not a control, format, separator (other than
/// the ASCII space), private-use or noncharacter code point.
fn is_printable(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFDD0..=0xFDEF | 0xFFFE | 0xFFFF)
}

/// A value as `jsonencode` prints it: compact, keys in order, `<`, `>` and `&` escaped as
/// `\u003c`, `\u003e`, `\u0026`, numbers exactly as they are. Sensitive marks are dropped
/// (callers mark the result); unknown values cannot be encoded.
///
/// There is one JSON encoder, the function library's `jsonencode`; this asks it.
pub fn json_compact(v: &Value) -> Result<String, String> {
    let ctx = super::functions::FunctionContext::default();
    match super::functions::call("jsonencode", vec![v.deep_unmarked()], &ctx) {
        Some(Ok(Value::String(s))) => Ok(s),
        Some(Ok(other)) => Err(format!("jsonencode returned a non-string value: {other:?}")),
        Some(Err(e)) => Err(e.detail),
        None => Err("the jsonencode function is not available".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Number;

    fn n(i: i64) -> Value {
        Value::number(i)
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }

    // Expected texts below are what `terraform console` (1.0.3) prints.
    #[test]
    fn console_prints_collections_like_terraform() {
        assert_eq!(
            console_notation(&Value::Tuple(vec![n(1), n(2)])),
            "[\n  1,\n  2,\n]"
        );
        assert_eq!(
            console_notation(&Value::List(vec![n(1)])),
            "tolist([\n  1,\n])"
        );
        assert_eq!(console_notation(&Value::Tuple(vec![])), "[]");
        assert_eq!(console_notation(&Value::List(vec![])), "tolist([])");
        assert_eq!(console_notation(&Value::Set(vec![])), "toset([])");
        assert_eq!(
            console_notation(&Value::Map(Default::default())),
            "tomap({})"
        );
        assert_eq!(
            console_notation(&Value::object([("a", n(1))])),
            "{\n  \"a\" = 1\n}"
        );
        let nested = Value::object([("a", Value::object([("b", Value::Tuple(vec![n(1)]))]))]);
        assert_eq!(
            console_notation(&nested),
            "{\n  \"a\" = {\n    \"b\" = [\n      1,\n    ]\n  }\n}"
        );
        let map = Value::Map(
            [
                ("a".to_string(), Value::List(vec![n(1)])),
                ("b".to_string(), Value::List(vec![])),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            console_notation(&map),
            "tomap({\n  \"a\" = tolist([\n    1,\n  ])\n  \"b\" = tolist([])\n})"
        );
        assert_eq!(
            console_notation(&Value::Tuple(vec![Value::Set(vec![])])),
            "[\n  toset([]),\n]"
        );
    }

    #[test]
    fn console_prints_scalars_and_marks() {
        assert_eq!(console_notation(&Value::Null), "null");
        assert_eq!(console_notation(&Value::Bool(true)), "true");
        assert_eq!(
            console_notation(&Value::Number(Number::parse("1e21").unwrap())),
            "1000000000000000000000"
        );
        assert_eq!(console_notation(&Value::sensitive(n(1))), "(sensitive)");
        assert_eq!(
            console_notation(&Value::Tuple(vec![Value::sensitive(n(1))])),
            "[\n  (sensitive),\n]"
        );
        assert_eq!(console_notation(&Value::unknown()), "(known after apply)");
    }

    #[test]
    fn console_quotes_strings_like_go() {
        assert_eq!(
            console_notation(&s("q\"\\ \t é ${x} %{y} \r")),
            r#""q\"\\ \t é ${x} %{y} \r""#
        );
        assert_eq!(
            console_notation(&s("\u{1}\u{7f}\u{85}\u{a0}\u{200b}\u{feff}")),
            r#""\x01\u007f\u0085\u00a0\u200b\ufeff""#
        );
        assert_eq!(console_notation(&s("<>&")), "\"<>&\"");
    }

    #[test]
    fn console_prints_multiline_strings_as_heredocs() {
        assert_eq!(console_notation(&s("a\nb")), "<<EOT\na\nb\nEOT");
        assert_eq!(console_notation(&s("a\nb\n")), "<<EOT\na\nb\n\nEOT");
        assert_eq!(
            console_notation(&Value::Tuple(vec![s("a\nb\n"), s("c")])),
            "[\n  <<-EOT\n  a\n  b\n  \n  EOT,\n  \"c\",\n]"
        );
        assert_eq!(
            console_notation(&Value::object([("a", s("x\ny"))])),
            "{\n  \"a\" = <<-EOT\n  x\n  y\n  EOT\n}"
        );
    }

    #[test]
    fn json_is_compact_and_escaped_like_jsonencode() {
        let v = Value::Tuple(vec![
            n(1),
            Value::Null,
            Value::Bool(true),
            s("<a&b>\n\u{1}"),
        ]);
        assert_eq!(
            json_compact(&v).unwrap(),
            r#"[1,null,true,"\u003ca\u0026b\u003e\n\u0001"]"#
        );
        let third = Number::parse("1")
            .unwrap()
            .div(&Number::parse("3").unwrap())
            .unwrap();
        assert_eq!(
            json_compact(&Value::Number(third)).unwrap(),
            format!("0.{}5", "3".repeat(154))
        );
        assert_eq!(
            json_compact(&Value::object([("b", n(2)), ("a", s("x"))])).unwrap(),
            r#"{"a":"x","b":2}"#
        );
        assert!(json_compact(&Value::Tuple(vec![Value::unknown()])).is_err());
        assert_eq!(json_compact(&Value::sensitive(n(1))).unwrap(), "1");
    }
}
