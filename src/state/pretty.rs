//! The state document's text: pretty-printed as serde_json prints it (two-space indent),
//! including the attributes that are held as compact text ([`super::Attributes`]).
//!
//! serde_json writes raw text verbatim, which would put every instance's attributes on one
//! line. The formatter here tracks the depth it is writing at and re-indents raw text to
//! it, so the file reads (and diffs) exactly as when the attributes were JSON trees, and
//! [`minify`] turns such text back into compact text when it is read: both are single
//! passes over bytes, no parsing.

use std::io;

use serde_json::ser::{Formatter, PrettyFormatter};

const INDENT: &[u8] = b"  ";

/// `value` as pretty JSON, raw text re-indented to where it is written.
pub fn to_vec_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    let formatter = IndentingFormatter {
        pretty: PrettyFormatter::with_indent(INDENT),
        depth: 0,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    Ok(out)
}

/// serde_json's pretty formatter, counting how deep it is.
struct IndentingFormatter<'a> {
    pretty: PrettyFormatter<'a>,
    depth: usize,
}

impl Formatter for IndentingFormatter<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        self.pretty.end_array(w)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        self.pretty.end_object(w)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }

    fn write_raw_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut out = Vec::with_capacity(fragment.len() * 2);
        indent_compact(fragment, self.depth, &mut out);
        w.write_all(&out)
    }
}

/// Appends compact JSON `text` to `out` as serde_json's pretty printer writes the same value
/// `depth` levels deep: entries on their own lines, `": "` after keys, `{}` and `[]` for
/// empty containers. Whitespace outside strings in `text` is dropped.
pub fn indent_compact(text: &str, depth: usize, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut level = depth;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    let newline = |out: &mut Vec<u8>, level: usize| {
        out.push(b'\n');
        for _ in 0..level {
            out.extend_from_slice(INDENT);
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if in_string {
            out.push(b);
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                let next = bytes[i..].iter().position(|c| !c.is_ascii_whitespace());
                if next.map(|n| bytes[i + n]) == Some(close) {
                    out.extend_from_slice(&[b, close]);
                    i += next.unwrap_or(0) + 1;
                } else {
                    out.push(b);
                    level += 1;
                    newline(out, level);
                }
            }
            b'}' | b']' => {
                level = level.saturating_sub(1);
                newline(out, level);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(out, level);
            }
            b':' => out.extend_from_slice(b": "),
            b' ' | b'\n' | b'\r' | b'\t' => {}
            _ => out.push(b),
        }
    }
}

/// `text` (valid JSON) without whitespace outside its strings; borrowed when it has none.
pub fn minify(text: &str) -> std::borrow::Cow<'_, str> {
    let is_space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    // Start of the bytes not yet copied to `out`.
    let mut kept_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            // Jump over the string: to the next quote or escape, then past it.
            i += 1;
            loop {
                match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                    Some(n) if bytes[i + n] == b'\\' => i = (i + n + 2).min(bytes.len()),
                    Some(n) => {
                        i += n + 1;
                        break;
                    }
                    None => {
                        i = bytes.len();
                        break;
                    }
                }
            }
        } else if is_space(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            let out = out.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
            out.extend_from_slice(&bytes[kept_from..start]);
            kept_from = i;
        } else {
            i += 1;
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut out) => {
            out.extend_from_slice(&bytes[kept_from..]);
            // Only ASCII whitespace between tokens was removed, so the bytes stay UTF-8.
            std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Raw text written through the formatter reads exactly as serde_json's own pretty output
    /// of the same tree, at every depth, with empty containers and tricky strings.
    #[test]
    fn raw_text_is_indented_as_serde_json_indents_trees() {
        let inner = json!({
            "a": {"b": [], "c": {}, "d": [1, {"e": null}], "s": "x, y: {z} [\"q\\\\\"]"},
            "n": -1.5e10,
            "t": [true, false, "é\u{1}"],
        });
        let raw = serde_json::value::RawValue::from_string(inner.to_string()).unwrap();
        let doc = json!({"empty": {}, "outer": [{"attributes": inner.clone(), "k": 1}]});
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            empty: serde_json::Value,
            outer: Vec<Instance<'a>>,
        }
        #[derive(serde::Serialize)]
        struct Instance<'a> {
            attributes: &'a serde_json::value::RawValue,
            k: u32,
        }
        let with_raw = Doc {
            empty: json!({}),
            outer: vec![Instance {
                attributes: &raw,
                k: 1,
            }],
        };
        assert_eq!(
            String::from_utf8(to_vec_pretty(&with_raw).unwrap()).unwrap(),
            serde_json::to_string_pretty(&doc).unwrap()
        );
    }

    #[test]
    fn minify_drops_only_whitespace_outside_strings() {
        assert_eq!(
            minify("{\n  \"a b\": [ 1, \"c \\\" d\" ],\t\"e\": {}\r\n}"),
            r#"{"a b":[1,"c \" d"],"e":{}}"#
        );
        assert!(matches!(
            minify(r#"{"a":"b c"}"#),
            std::borrow::Cow::Borrowed(_)
        ));
        // An escaped backslash does not escape the quote after it.
        assert_eq!(
            minify(r#"{"a" : "x\\" , "b" : " "}"#),
            r#"{"a":"x\\","b":" "}"#
        );
    }
}
