//! YAML decoding (YAML 1.1 scalar rules, as Terraform's `yamldecode`: `yes`/`no`/`on`/`off`
//! are booleans) and encoding in the style of Terraform's `yamlencode` (double-quoted keys
//! and strings, literal blocks for multi-line strings).

use super::{json, Number, Value};
use std::collections::{BTreeMap, HashMap};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Aliases may repeat nodes; refuse documents that would expand beyond this many nodes.
const MAX_NODES: usize = 1_000_000;
const MAX_DEPTH: usize = 500;

enum Frame {
    Seq(Vec<Value>),
    Map(BTreeMap<String, Value>, Option<String>),
}

struct Builder {
    stack: Vec<(Frame, usize)>,
    anchors: HashMap<usize, Value>,
    root: Option<Value>,
    nodes: usize,
}

impl Builder {
    fn push_value(&mut self, v: Value, anchor: usize) -> Result<(), String> {
        self.nodes += count_nodes(&v);
        if self.nodes > MAX_NODES {
            return Err("document expands to too many values".to_string());
        }
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return Err("unexpected extra content after value".to_string());
                }
                self.root = Some(v);
            }
            Some((Frame::Seq(xs), _)) => xs.push(v),
            Some((Frame::Map(m, key), _)) => match key.take() {
                None => *key = Some(key_string(&v)?),
                Some(k) => {
                    m.insert(k, v);
                }
            },
        }
        Ok(())
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Tuple(xs) => 1 + xs.iter().map(count_nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

fn key_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok("null".to_string()),
        _ => Err("only scalar values can be used as mapping keys".to_string()),
    }
}

pub(super) fn decode(src: &str) -> Result<Value, String> {
    for (i, line) in src.lines().enumerate() {
        if let Some(version) = line.strip_prefix("%YAML") {
            if version.trim() != "1.1" {
                return Err(format!(
                    "on line {}, column 1: found incompatible YAML document",
                    i + 1
                ));
            }
        }
    }
    let mut parser = Parser::new_from_str(src);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
    };
    let mut documents = 0;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            format!(
                "on line {}, column {}: {}",
                e.marker().line(),
                e.marker().col() + 1,
                e.info()
            )
        })?;
        let at = |msg: &str| format!("on line {}, column {}: {msg}", mark.line(), mark.col() + 1);
        match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(at("unexpected extra content after value")
                        .replace(&format!("on line {}", mark.line()), "on line 1"));
                }
            }
            Event::Alias(id) => {
                let v = b
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| at("unknown anchor referenced"))?;
                b.push_value(v, 0).map_err(|m| at(&m))?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let v = scalar(&text, style, tag.as_ref().map(|t| t.suffix.as_str()))
                    .map_err(|m| at(&m))?;
                b.push_value(v, anchor).map_err(|m| at(&m))?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if b.stack.len() >= MAX_DEPTH {
                    return Err(at("document is nested too deeply"));
                }
                let frame = if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new())
                } else {
                    Frame::Map(BTreeMap::new(), None)
                };
                b.stack.push((frame, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((frame, anchor)) = b.stack.pop() else {
                    return Err(at("unbalanced collection end"));
                };
                let v = match frame {
                    Frame::Seq(xs) => Value::Tuple(xs),
                    Frame::Map(m, _) => Value::Object(m.into()),
                };
                b.push_value(v, anchor).map_err(|m| at(&m))?;
            }
        }
    }
    b.root
        .ok_or_else(|| "on line 1, column 1: missing start of document".to_string())
}

/// Resolves a scalar to a value with YAML 1.1's implicit types (plain scalars only).
fn scalar(text: &str, style: TScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    // Only `!!str` changes how a scalar is read; other tags are ignored, as in Terraform.
    if tag == Some("str") || style != TScalarStyle::Plain {
        return Ok(Value::string(text));
    }
    resolve_plain(text)
}

fn resolve_plain(text: &str) -> Result<Value, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(format!("cannot represent {text} as a number"));
        }
        _ => {}
    }
    if let Some(n) = resolve_number(text) {
        return Ok(Value::Number(n));
    }
    if let Some(ts) = resolve_date(text) {
        return Ok(Value::String(ts));
    }
    Ok(Value::string(text))
}

fn resolve_number(text: &str) -> Option<Number> {
    let plain = text.replace('_', "");
    let (neg, body) = match plain.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let radix = |digits: &str, base: u32| -> Option<Number> {
        let n = i128::from_str_radix(digits, base).ok()?;
        let n = if neg { -n } else { n };
        Number::parse(&n.to_string())
    };
    if let Some(hex) = body.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = body.strip_prefix("0o") {
        return radix(oct, 8);
    }
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if body.chars().all(|c| c.is_ascii_digit()) {
        return Number::parse(&plain);
    }
    // Floats: digits with a dot and/or an exponent.
    let valid = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && body.chars().any(|c| c.is_ascii_digit());
    if valid {
        return crate::lang::convert::parse_number(&plain);
    }
    None
}

/// YAML 1.1 timestamps (date only, or date and time) become RFC 3339 strings.
fn resolve_date(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let is_date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if is_date {
        return Some(format!("{text}T00:00:00Z"));
    }
    if b.len() > 10 && b.get(10).is_some_and(|c| matches!(c, b'T' | b't' | b' ')) {
        let normalized = format!("{}T{}", &text[..10], text[11..].trim_start());
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&normalized) {
            return Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
    }
    None
}

// ---- encoding ----

pub(super) fn encode(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    match v.unmarked() {
        Value::Null | Value::Bool(_) | Value::Number(_) => {
            out.push_str(&plain_scalar(v.unmarked()));
            out.push_str("\n...\n");
        }
        Value::Unknown(_) => return Err("value is not yet known".to_string()),
        _ => {
            write_node(v.unmarked(), 0, &mut out, 0)?;
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    Ok(out)
}

fn plain_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn is_collection(v: &Value) -> bool {
    match v.unmarked() {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => !xs.is_empty(),
        Value::Map(m) | Value::Object(m) => !m.is_empty(),
        _ => false,
    }
}

/// Writes a node whose first line continues the current line (after `key: ` or `- `).
fn write_node(v: &Value, indent: usize, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("value is nested too deeply to encode".to_string());
    }
    let pad = " ".repeat(indent);
    match v.unmarked() {
        Value::Unknown(_) => return Err("value is not yet known".to_string()),
        Value::String(s) => write_string(s, indent, out),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            if xs.is_empty() {
                out.push_str("[]\n");
            }
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                out.push_str("- ");
                write_node(x, indent + 2, out, depth + 1)?;
            }
        }
        Value::Map(m) | Value::Object(m) => {
            if m.is_empty() {
                out.push_str("{}\n");
            }
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(&pad);
                }
                json::write_string(k, out);
                out.push(':');
                if is_collection(x) {
                    out.push('\n');
                    let is_seq = matches!(
                        x.unmarked(),
                        Value::List(_) | Value::Tuple(_) | Value::Set(_)
                    );
                    // Sequences inside mappings are not indented (go-yaml's style).
                    let child = if is_seq { indent } else { indent + 2 };
                    out.push_str(&" ".repeat(child));
                    write_node(x, child, out, depth + 1)?;
                } else {
                    out.push(' ');
                    write_node(x, indent + 2, out, depth + 1)?;
                }
            }
        }
        other => {
            out.push_str(&plain_scalar(other));
            out.push('\n');
        }
    }
    Ok(())
}

fn write_string(s: &str, indent: usize, out: &mut String) {
    let multiline = s.contains('\n') && s.chars().all(|c| c == '\n' || !c.is_control());
    if multiline {
        let chomp = if s.ends_with("\n\n") {
            "+"
        } else if s.ends_with('\n') {
            ""
        } else {
            "-"
        };
        out.push('|');
        // A leading space or line break needs an explicit indentation indicator.
        if s.starts_with([' ', '\n']) {
            out.push('2');
        }
        out.push_str(chomp);
        out.push('\n');
        let body = s.strip_suffix('\n').unwrap_or(s);
        let pad = " ".repeat(indent.max(2));
        for line in body.split('\n') {
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
            out.push('\n');
        }
        return;
    }
    // libyaml folds long double-quoted scalars at a single space once the line passes
    // 80 columns, continuing on an indented line.
    let line_start = out.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut column = out[line_start..].chars().count();
    let cont_indent = indent.max(2);
    out.push('"');
    column += 1;
    let chars: Vec<char> = s.chars().collect();
    let mut prev_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            if !prev_space && column > 80 && i != 0 && i + 1 != chars.len() {
                out.push('\n');
                out.push_str(&" ".repeat(cont_indent));
                column = cont_indent;
                if chars.get(i + 1) == Some(&' ') {
                    out.push('\\');
                    column += 1;
                }
            } else {
                out.push(' ');
                column += 1;
            }
            prev_space = true;
            continue;
        }
        prev_space = false;
        let escaped = match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            '\r' => "\\r".to_string(),
            c if c.is_control() => format!("\\x{:02X}", c as u32),
            c => c.to_string(),
        };
        column += escaped.chars().count();
        out.push_str(&escaped);
    }
    out.push_str("\"\n");
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn yaml_1_1_scalars() {
        let src = "a: yes\nb: no\nc: on\nd: off\ne: y\nf: Yes\ng: \"yes\"\nh: 1.5\ni: 0x1F\nj: ~\nk: 1e3\nl: 012\no: TRUE\np: [1, a]\nq: 1_000\n";
        assert_eq!(
            okj("yamldecode", vec![s(src)]),
            r#"{"a":true,"b":false,"c":true,"d":false,"e":true,"f":true,"g":"yes","h":1.5,"i":31,"j":null,"k":1000,"l":12,"o":true,"p":[1,"a"],"q":1000}"#
        );
        assert_eq!(
            okj("yamldecode", vec![s("n: 2001-12-14")]),
            r#"{"false":"2001-12-14T00:00:00Z"}"#
        );
        assert_eq!(
            okj("yamldecode", vec![s("a: &x [1, 2]\nb: *x\n")]),
            r#"{"a":[1,2],"b":[1,2]}"#
        );
    }

    #[test]
    fn yaml_errors() {
        assert_eq!(
            err("yamldecode", vec![s("a: [")]).0,
            "Error in function call"
        );
        assert!(err("yamldecode", vec![s("")])
            .1
            .ends_with("on line 1, column 1: missing start of document."));
        assert!(err("yamldecode", vec![s("a: 1\n---\nb: 2")])
            .1
            .contains("unexpected extra content after value"));
        // Alias bombs are refused, not expanded.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert_eq!(
            err("yamldecode", vec![s(&bomb)]).0,
            "Error in function call"
        );
    }

    #[test]
    fn yaml_encode_style() {
        assert_eq!(ok("yamlencode", vec![super::Value::Null]), s("null\n...\n"));
        assert_eq!(ok("yamlencode", vec![s("a")]), s("\"a\"\n"));
        assert_eq!(ok("yamlencode", vec![tup(vec![])]), s("[]\n"));
        let v = obj(vec![
            ("a", s("x")),
            (
                "b",
                tup(vec![n(1), super::Value::Bool(true), super::Value::Null]),
            ),
            ("c", obj(vec![])),
            ("d", s("yes")),
            ("e", s("1")),
            ("f", s("multi\nline")),
        ]);
        assert_eq!(
            ok("yamlencode", vec![v]),
            s("\"a\": \"x\"\n\"b\":\n- 1\n- true\n- null\n\"c\": {}\n\"d\": \"yes\"\n\"e\": \"1\"\n\"f\": |-\n  multi\n  line\n")
        );
    }
}
