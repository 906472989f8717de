//! Encoding functions: base64, gzip, CSV, JSON, YAML, URL and text encodings.

use super::{arg_err, arg_str, call_err, json, p, spec, t_dyn, t_str, yaml};
use super::{FnErr, FnResult, FunctionContext, FunctionError, Spec, Value, P};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;
use std::io::Write;

pub(super) const SPECS: &[Spec] = &[
    spec("base64decode", &[p("str", P::Str)], t_str, base64decode),
    spec("base64encode", &[p("str", P::Str)], t_str, base64encode),
    spec("base64gzip", &[p("str", P::Str)], t_str, base64gzip),
    spec("csvdecode", &[p("str", P::Str)], t_dyn, csvdecode),
    spec("jsondecode", &[p("str", P::Str)], t_dyn, jsondecode),
    spec(
        "jsonencode",
        &[p("val", P::Any).nullable()],
        t_str,
        jsonencode,
    ),
    spec(
        "textdecodebase64",
        &[p("source", P::Str), p("encoding", P::Str)],
        t_str,
        textdecodebase64,
    ),
    spec(
        "textencodebase64",
        &[p("string", P::Str), p("encoding", P::Str)],
        t_str,
        textencodebase64,
    ),
    spec("urlencode", &[p("str", P::Str)], t_str, urlencode),
    spec("yamldecode", &[p("src", P::Str)], t_dyn, yamldecode),
    spec(
        "yamlencode",
        &[p("value", P::Any).nullable()],
        t_str,
        yamlencode,
    ),
];

/// Encodes a value as `jsonencode` does: keys sorted, numbers exact, `<`, `>` and `&`
/// escaped. Fails on unknown values, which have no JSON form yet.
pub fn json_encode(v: &Value) -> Result<String, FunctionError> {
    json::encode(v).map_err(|msg| FunctionError {
        summary: "Error in function call".to_string(),
        detail: format!("Call to function \"jsonencode\" failed: {msg}."),
        arg: None,
    })
}

fn base64decode(args: &[Value], _: &FunctionContext) -> FnResult {
    let s = arg_str(args, 0);
    // Go's decoder skips line breaks inside the data.
    let compact: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let bytes = STANDARD
        .decode(&compact)
        .map_err(|_| call_err(format!("failed to decode base64 data '{s}'")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| call_err("the result of decoding the provided string is not valid UTF-8"))
}

fn base64encode(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::String(STANDARD.encode(arg_str(args, 0))))
}

fn base64gzip(args: &[Value], _: &FunctionContext) -> FnResult {
    // Like Go's gzip writer: no name, zero mtime, OS "unknown".
    let mut enc = flate2::GzBuilder::new()
        .operating_system(255)
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    enc.write_all(arg_str(args, 0).as_bytes())
        .map_err(|e| call_err(format!("failed to write gzip raw data: {e}")))?;
    let bytes = enc
        .finish()
        .map_err(|e| call_err(format!("failed to write gzip raw data: {e}")))?;
    Ok(Value::String(STANDARD.encode(bytes)))
}

fn csvdecode(args: &[Value], _: &FunctionContext) -> FnResult {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(arg_str(args, 0).as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(call_err("missing header line")),
        Some(r) => r.map_err(csv_error)?,
    };
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(call_err(format!("duplicate column name {n:?}")));
        }
    }
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(csv_error)?;
        let row: BTreeMap<String, Value> = names
            .iter()
            .cloned()
            .zip(rec.iter().map(Value::string))
            .collect();
        rows.push(Value::Object(row.into()));
    }
    Ok(Value::List(rows))
}

fn csv_error(e: csv::Error) -> FnErr {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, .. } => call_err(format!(
            "CSV parse error on line {}: wrong number of fields",
            pos.as_ref().map(|p| p.line()).unwrap_or(0)
        )),
        _ => call_err(format!("CSV parse error: {e}")),
    }
}

fn jsondecode(args: &[Value], _: &FunctionContext) -> FnResult {
    json::decode(arg_str(args, 0)).map_err(call_err)
}

fn jsonencode(args: &[Value], _: &FunctionContext) -> FnResult {
    let v = args.first().cloned().unwrap_or(Value::Null);
    json::encode(&v).map(Value::String).map_err(call_err)
}

fn yamldecode(args: &[Value], _: &FunctionContext) -> FnResult {
    yaml::decode(arg_str(args, 0)).map_err(call_err)
}

fn yamlencode(args: &[Value], _: &FunctionContext) -> FnResult {
    let v = args.first().cloned().unwrap_or(Value::Null);
    yaml::encode(&v).map(Value::String).map_err(call_err)
}

/// Go's `url.QueryEscape`.
fn urlencode(args: &[Value], _: &FunctionContext) -> FnResult {
    let mut out = String::new();
    for b in arg_str(args, 0).bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

/// The text encodings `textencodebase64` knows.
#[derive(Clone, Copy)]
enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// UTF-16 with a big-endian byte-order mark.
    Utf16Bom,
    Latin1,
    Ascii,
    /// Any other encoding the WHATWG registry knows (Shift_JIS, windows-1252, GBK, ...).
    Other(&'static encoding_rs::Encoding),
}

fn text_encoding(name: &str, arg: usize) -> Result<TextEncoding, FnErr> {
    let norm = name.to_ascii_uppercase().replace('_', "-");
    Ok(match norm.as_str() {
        "UTF-8" | "UTF8" => TextEncoding::Utf8,
        "UTF-16LE" => TextEncoding::Utf16Le,
        "UTF-16BE" => TextEncoding::Utf16Be,
        "UTF-16" => TextEncoding::Utf16Bom,
        "ISO-8859-1" | "LATIN1" | "ISO8859-1" | "L1" => TextEncoding::Latin1,
        "US-ASCII" | "ASCII" => TextEncoding::Ascii,
        _ if encoding_rs::Encoding::for_label(name.as_bytes()).is_some() => {
            match encoding_rs::Encoding::for_label(name.as_bytes()) {
                Some(enc) => TextEncoding::Other(enc),
                None => TextEncoding::Utf8,
            }
        }
        _ => {
            return Err(arg_err(
                arg,
                format!(
                "{name:?} is not a supported IANA encoding name or alias in this Terraform version"
            ),
            ))
        }
    })
}

fn textencodebase64(args: &[Value], _: &FunctionContext) -> FnResult {
    let enc = text_encoding(arg_str(args, 1), 1)?;
    let s = arg_str(args, 0);
    let unsupported = || {
        arg_err(
            0,
            format!(
                "the given string contains characters that cannot be represented in {}",
                arg_str(args, 1)
            ),
        )
    };
    let bytes: Vec<u8> = match enc {
        TextEncoding::Utf8 => s.as_bytes().to_vec(),
        TextEncoding::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        TextEncoding::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        TextEncoding::Utf16Bom => [0xFE, 0xFF]
            .into_iter()
            .chain(s.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        TextEncoding::Latin1 => s
            .chars()
            .map(|c| u8::try_from(c as u32).map_err(|_| unsupported()))
            .collect::<Result<_, _>>()?,
        TextEncoding::Ascii => s
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    Ok(c as u8)
                } else {
                    Err(unsupported())
                }
            })
            .collect::<Result<_, _>>()?,
        TextEncoding::Other(enc) => {
            let (bytes, _, unmappable) = enc.encode(s);
            if unmappable {
                return Err(unsupported());
            }
            bytes.into_owned()
        }
    };
    Ok(Value::String(STANDARD.encode(bytes)))
}

fn textdecodebase64(args: &[Value], _: &FunctionContext) -> FnResult {
    let enc = text_encoding(arg_str(args, 1), 1)?;
    let bytes = STANDARD.decode(arg_str(args, 0)).map_err(|e| {
        arg_err(
            0,
            format!("the given value is has an invalid base64 symbol: {e}"),
        )
    })?;
    let bad = || {
        arg_err(
            0,
            format!(
                "the given string contains symbols that are not defined for {}",
                arg_str(args, 1)
            ),
        )
    };
    if matches!(
        enc,
        TextEncoding::Utf16Le | TextEncoding::Utf16Be | TextEncoding::Utf16Bom
    ) && bytes.len() % 2 == 1
    {
        return Err(bad());
    }
    let units = |be: bool, b: &[u8]| -> Vec<u16> {
        b.chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect()
    };
    let text = match enc {
        TextEncoding::Utf8 => String::from_utf8(bytes).map_err(|_| bad())?,
        TextEncoding::Utf16Le => String::from_utf16(&units(false, &bytes)).map_err(|_| bad())?,
        TextEncoding::Utf16Be => String::from_utf16(&units(true, &bytes)).map_err(|_| bad())?,
        TextEncoding::Utf16Bom => {
            let (be, body) = match bytes.as_slice() {
                [0xFF, 0xFE, rest @ ..] => (false, rest),
                [0xFE, 0xFF, rest @ ..] => (true, rest),
                rest => (true, rest),
            };
            String::from_utf16(&units(be, body)).map_err(|_| bad())?
        }
        TextEncoding::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        TextEncoding::Ascii => {
            if bytes.iter().any(|b| !b.is_ascii()) {
                return Err(bad());
            }
            bytes.iter().map(|&b| b as char).collect()
        }
        TextEncoding::Other(enc) => enc
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .ok_or_else(bad)?
            .into_owned(),
    };
    Ok(Value::String(text))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn base64_family() {
        assert_eq!(ok("base64encode", vec![s("é")]), s("w6k="));
        assert_eq!(ok("base64decode", vec![s("w6k=")]), s("é"));
        let (sm, d) = err("base64decode", vec![s("invalid!")]);
        assert_eq!(sm, "Error in function call");
        assert!(d.contains("failed to decode base64 data 'invalid!'"));
        assert!(err("base64decode", vec![s("/w==")])
            .1
            .contains("not valid UTF-8"));
        assert_eq!(
            ok("textencodebase64", vec![s("hi"), s("UTF-16LE")]),
            s("aABpAA==")
        );
        assert_eq!(
            ok("textdecodebase64", vec![s("aABpAA=="), s("UTF-16LE")]),
            s("hi")
        );
        assert_eq!(
            ok("textencodebase64", vec![s("é"), s("ISO-8859-1")]),
            s("6Q==")
        );
        assert_eq!(
            ok("textencodebase64", vec![s("hi"), s("utf-16")]),
            s("/v8AaABp")
        );
        assert_eq!(
            err("textencodebase64", vec![s("hi"), s("nope")]).0,
            "Invalid function argument"
        );
        // base64gzip output is a valid gzip of the input.
        let out = ok("base64gzip", vec![s("hi")]);
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            out.as_str().unwrap_or_default(),
        )
        .unwrap_or_default();
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(bytes.as_slice()),
            &mut text,
        );
        assert_eq!(text, "hi");
    }

    #[test]
    fn csv_and_url() {
        assert_eq!(
            okj("csvdecode", vec![s("a,b\n\"x,y\",z")]),
            r#"[{"a":"x,y","b":"z"}]"#
        );
        let (_, d) = err("csvdecode", vec![s("a,b\n1")]);
        assert!(
            d.ends_with("CSV parse error on line 2: wrong number of fields."),
            "{d}"
        );
        assert!(err("csvdecode", vec![s("")])
            .1
            .ends_with("missing header line."));
        assert!(err("csvdecode", vec![s("a,a\n1,2")])
            .1
            .contains("duplicate column name"));
        assert_eq!(
            ok("urlencode", vec![s("a=b&c/d?é")]),
            s("a%3Db%26c%2Fd%3F%C3%A9")
        );
        assert_eq!(ok("urlencode", vec![s("a b~_.-*")]), s("a+b~_.-%2A"));
    }
}
