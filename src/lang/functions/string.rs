//! String functions: case, trimming, splitting, substrings.
//!
//! Lengths and offsets count grapheme clusters (what a reader sees as one character), as
//! Terraform does, so `substr("noël", 2, 1)` is `"ë"` however `ë` is encoded.

use super::{arg_int, arg_seq, arg_str, call_err, p, spec, t_bool, t_list_str, t_str};
use super::{FnResult, FunctionContext, Spec, Value, P};
use unicode_segmentation::UnicodeSegmentation;

pub(super) const SPECS: &[Spec] = &[
    spec("chomp", &[p("str", P::Str)], t_str, chomp),
    spec(
        "indent",
        &[p("spaces", P::Num), p("str", P::Str)],
        t_str,
        indent,
    ),
    spec("join", &[p("separator", P::Str)], t_str, join).var(p("lists", P::ListStr)),
    spec("lower", &[p("str", P::Str)], t_str, lower),
    spec("upper", &[p("str", P::Str)], t_str, upper),
    spec("title", &[p("str", P::Str)], t_str, title),
    spec(
        "split",
        &[p("separator", P::Str), p("str", P::Str)],
        t_list_str,
        split,
    ),
    spec("strrev", &[p("str", P::Str)], t_str, strrev),
    spec(
        "substr",
        &[p("str", P::Str), p("offset", P::Num), p("length", P::Num)],
        t_str,
        substr,
    ),
    spec(
        "trim",
        &[p("str", P::Str), p("cutset", P::Str)],
        t_str,
        trim,
    ),
    spec(
        "trimprefix",
        &[p("str", P::Str), p("prefix", P::Str)],
        t_str,
        trimprefix,
    ),
    spec(
        "trimsuffix",
        &[p("str", P::Str), p("suffix", P::Str)],
        t_str,
        trimsuffix,
    ),
    spec("trimspace", &[p("str", P::Str)], t_str, trimspace),
    spec(
        "startswith",
        &[p("str", P::Str), p("prefix", P::Str)],
        t_bool,
        startswith,
    ),
    spec(
        "endswith",
        &[p("str", P::Str), p("suffix", P::Str)],
        t_bool,
        endswith,
    ),
    spec(
        "strcontains",
        &[p("str", P::Str), p("substr", P::Str)],
        t_bool,
        strcontains,
    ),
];

fn chomp(args: &[Value], _: &FunctionContext) -> FnResult {
    let s = arg_str(args, 0);
    let trimmed = s.trim_end_matches(['\n', '\r']);
    Ok(Value::string(trimmed))
}

fn indent(args: &[Value], _: &FunctionContext) -> FnResult {
    let spaces = arg_int(args, 0)?;
    if spaces < 0 {
        return Err(call_err("negative indentation is not allowed"));
    }
    let spaces = spaces.min(1 << 16) as usize;
    let pad = format!("\n{}", " ".repeat(spaces));
    Ok(Value::string(arg_str(args, 1).replace('\n', &pad)))
}

fn join(args: &[Value], _: &FunctionContext) -> FnResult {
    if args.len() < 2 {
        return Err(call_err("at least one list is required"));
    }
    let sep = arg_str(args, 0);
    let mut parts: Vec<&str> = Vec::new();
    for (i, list) in args.iter().enumerate().skip(1) {
        for (j, item) in arg_seq(args, i).iter().enumerate() {
            match item.as_str() {
                Some(s) => parts.push(s),
                None => {
                    let _ = list;
                    return Err(super::arg_err(
                        i,
                        format!("element {j} is null; cannot concatenate null values"),
                    ));
                }
            }
        }
    }
    Ok(Value::string(parts.join(sep)))
}

/// Go maps case rune by rune and leaves a rune alone when its other case is not a single
/// rune (`upper("ß")` is `"ß"`); Rust would expand it, so map per char the same way.
fn map_case(s: &str, upper: bool) -> String {
    s.chars()
        .map(|c| {
            let mut mapped: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            match mapped.len() {
                1 => mapped.pop().unwrap_or(c),
                _ if !upper => mapped.first().copied().unwrap_or(c),
                _ => c,
            }
        })
        .collect()
}

fn lower(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::string(map_case(arg_str(args, 0), false)))
}

fn upper(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::string(map_case(arg_str(args, 0), true)))
}

/// Go's `strings.Title`: the first letter of every word upper-cased, the rest untouched.
fn title(args: &[Value], _: &FunctionContext) -> FnResult {
    let mut prev_separator = true;
    let mut out = String::new();
    for c in arg_str(args, 0).chars() {
        if prev_separator {
            out.push_str(&map_case(&c.to_string(), true));
        } else {
            out.push(c);
        }
        prev_separator = is_word_separator(c);
    }
    Ok(Value::string(out))
}

fn is_word_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

fn split(args: &[Value], _: &FunctionContext) -> FnResult {
    let sep = arg_str(args, 0);
    let s = arg_str(args, 1);
    let parts: Vec<Value> = if sep.is_empty() {
        // Go splits into UTF-8 sequences (code points) when the separator is empty.
        s.chars().map(|c| Value::string(c.to_string())).collect()
    } else {
        s.split(sep).map(Value::string).collect()
    };
    Ok(Value::List(parts))
}

fn strrev(args: &[Value], _: &FunctionContext) -> FnResult {
    let s: String = arg_str(args, 0).graphemes(true).rev().collect();
    Ok(Value::string(s))
}

fn substr(args: &[Value], _: &FunctionContext) -> FnResult {
    let graphemes: Vec<&str> = arg_str(args, 0).graphemes(true).collect();
    let len = graphemes.len() as i64;
    let mut offset = arg_int(args, 1)?;
    let mut length = arg_int(args, 2)?;
    if offset < 0 {
        offset = (len + offset).max(0);
    }
    if offset > len {
        return Ok(Value::string(""));
    }
    if length < 0 || offset.saturating_add(length) > len {
        length = len - offset;
    }
    let start = offset as usize;
    let end = (offset + length) as usize;
    Ok(Value::string(graphemes[start..end].concat()))
}

fn trim(args: &[Value], _: &FunctionContext) -> FnResult {
    let cutset: Vec<char> = arg_str(args, 1).chars().collect();
    Ok(Value::string(
        arg_str(args, 0).trim_matches(cutset.as_slice()),
    ))
}

fn trimprefix(args: &[Value], _: &FunctionContext) -> FnResult {
    let s = arg_str(args, 0);
    Ok(Value::string(s.strip_prefix(arg_str(args, 1)).unwrap_or(s)))
}

fn trimsuffix(args: &[Value], _: &FunctionContext) -> FnResult {
    let s = arg_str(args, 0);
    Ok(Value::string(s.strip_suffix(arg_str(args, 1)).unwrap_or(s)))
}

fn trimspace(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::string(arg_str(args, 0).trim()))
}

fn startswith(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::Bool(arg_str(args, 0).starts_with(arg_str(args, 1))))
}

fn endswith(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::Bool(arg_str(args, 0).ends_with(arg_str(args, 1))))
}

fn strcontains(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::Bool(arg_str(args, 0).contains(arg_str(args, 1))))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn case_and_title() {
        assert_eq!(ok("lower", vec![s("ÀÉÎ")]), s("àéî"));
        assert_eq!(ok("upper", vec![s("ß")]), s("ß"));
        assert_eq!(ok("upper", vec![n(1)]), s("1"));
        assert_eq!(ok("upper", vec![Value::Bool(true)]), s("TRUE"));
        assert_eq!(
            ok("title", vec![s("hello wORLD  foo-bar ábc")]),
            s("Hello WORLD  Foo-Bar Ábc")
        );
    }

    #[test]
    fn substr_like_terraform() {
        let h = || s("hello");
        assert_eq!(ok("substr", vec![h(), n(-3), n(-1)]), s("llo"));
        assert_eq!(ok("substr", vec![h(), n(1), n(-1)]), s("ello"));
        assert_eq!(ok("substr", vec![h(), n(-10), n(2)]), s("he"));
        assert_eq!(ok("substr", vec![h(), n(2), n(100)]), s("llo"));
        assert_eq!(ok("substr", vec![h(), n(10), n(1)]), s(""));
        assert_eq!(ok("substr", vec![n(12345), n(1), n(2)]), s("23"));
        assert_eq!(ok("substr", vec![s("noe\u{308}l"), n(2), n(1)]), s("ë"));
        let (summary, detail) = err("substr", vec![h(), num("1.5"), n(1)]);
        assert_eq!(summary, "Error in function call");
        assert!(detail.contains("value must be a whole number"), "{detail}");
        let (summary, detail) = err("substr", vec![h()]);
        assert_eq!(summary, "Not enough function arguments");
        assert_eq!(
            detail,
            "Function \"substr\" expects 3 argument(s). Missing value for \"offset\"."
        );
    }

    #[test]
    fn trimming() {
        assert_eq!(ok("trim", vec![s("aaa"), s("a")]), s(""));
        assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(
            ok("trimsuffix", vec![s("helloworld"), s("world")]),
            s("hello")
        );
        assert_eq!(
            ok("trimprefix", vec![s("helloworld"), s("hello")]),
            s("world")
        );
        assert_eq!(ok("trimspace", vec![s("\t a \n")]), s("a"));
        assert_eq!(ok("chomp", vec![s("hello\n\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("a\r\n\r\n")]), s("a"));
    }

    #[test]
    fn split_join_rev_indent() {
        assert_eq!(okj("split", vec![s(""), s("abc")]), r#"["a","b","c"]"#);
        assert_eq!(okj("split", vec![s(","), s("")]), r#"[""]"#);
        assert_eq!(okj("split", vec![s(","), s("a,,b")]), r#"["a","","b"]"#);
        assert_eq!(ok("join", vec![s(","), tup(vec![n(1), n(2)])]), s("1,2"));
        assert_eq!(
            ok("join", vec![s("-"), strs(&["a"]), strs(&["b", "c"])]),
            s("a-b-c")
        );
        let (summary, detail) = err("join", vec![s(",")]);
        assert_eq!(summary, "Error in function call");
        assert_eq!(
            detail,
            "Call to function \"join\" failed: at least one list is required."
        );
        let (_, detail) = err("join", vec![s(","), tup(vec![n(1), strs(&["x"])])]);
        assert_eq!(
            detail,
            "Invalid value for \"lists\" parameter: element 1: string required."
        );
        assert_eq!(ok("strrev", vec![s("noël")]), s("lëon"));
        assert_eq!(ok("indent", vec![n(4), s("x")]), s("x"));
        assert_eq!(ok("indent", vec![n(2), s("a\nb")]), s("a\n  b"));
    }

    #[test]
    fn newer_predicates() {
        assert_eq!(
            ok("startswith", vec![s("hello"), s("he")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("endswith", vec![s("hello"), s("he")]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("strcontains", vec![s("hello"), s("ll")]),
            Value::Bool(true)
        );
    }

    #[test]
    fn null_and_unknown_and_sensitive() {
        let (summary, detail) = err("upper", vec![Value::Null]);
        assert_eq!(summary, "Invalid function argument");
        assert_eq!(
            detail,
            "Invalid value for \"str\" parameter: argument must not be null."
        );
        assert_eq!(
            ok("upper", vec![Value::unknown()]),
            Value::Unknown(super::super::Type::String)
        );
        assert_eq!(
            ok("upper", vec![Value::sensitive(s("a"))]),
            Value::sensitive(s("A"))
        );
        let (summary, _) = err("upper", vec![s("a"), s("b")]);
        assert_eq!(summary, "Too many function arguments");
    }

    use super::super::Value;
}
