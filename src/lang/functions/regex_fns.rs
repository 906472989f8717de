//! `regex`, `regexall` and `replace` (whose `/pattern/` form is a regular expression).
//!
//! Terraform uses Go's RE2 syntax; Rust's `regex` crate implements the same syntax family
//! (no backreferences or lookaround), so patterns mean the same thing.

use super::{arg_err, arg_str, call_err, p, spec, t_dyn, t_str};
use super::{FnResult, FunctionContext, Spec, Type, Value, P};
use regex::Regex;
use std::collections::BTreeMap;

pub(super) const SPECS: &[Spec] = &[
    spec(
        "regex",
        &[p("pattern", P::Str), p("string", P::Str)],
        t_dyn,
        regex_fn,
    ),
    spec(
        "regexall",
        &[p("pattern", P::Str), p("string", P::Str)],
        t_list_dyn,
        regexall,
    ),
    spec(
        "replace",
        &[p("str", P::Str), p("substr", P::Str), p("replace", P::Str)],
        t_str,
        replace,
    ),
];

fn t_list_dyn() -> Type {
    Type::list(Type::Dynamic)
}

/// A compiled pattern, limited in size so a hostile pattern cannot exhaust memory.
fn compile(pattern: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(&ascii_perl_classes(pattern))
        .size_limit(10 * (1 << 20))
        .build()
        .map_err(|e| match e {
            regex::Error::Syntax(s) => s
                .lines()
                .rev()
                .find(|l| l.starts_with("error:"))
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .unwrap_or(s),
            other => other.to_string(),
        })
}

/// In Go's RE2, `\d`, `\w`, `\s` and `\b` are ASCII-only; in Rust's `regex` they are
/// Unicode-aware. Rewrites them to their ASCII forms so `\d` does not match `٣`.
fn ascii_perl_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push(c);
                    break;
                };
                match (in_class, next) {
                    (false, 'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B') => {
                        out.push_str("(?-u:\\");
                        out.push(next);
                        out.push(')');
                    }
                    (true, 'd') => out.push_str("0-9"),
                    (true, 'w') => out.push_str("0-9A-Za-z_"),
                    (true, 's') => out.push_str("\\t\\n\\x0C\\r\\x20"),
                    _ => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            '[' if in_class && chars.peek() == Some(&':') => {
                // A POSIX class like [:alpha:] inside a bracket expression.
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// How one match is returned: the whole match (no groups), a tuple of groups (unnamed)
/// or an object of groups (named).
enum Shape {
    Whole,
    Unnamed,
    Named,
}

fn shape(re: &Regex) -> Result<Shape, String> {
    let groups = re.captures_len() - 1;
    let named = re.capture_names().flatten().count();
    match (groups, named) {
        (0, _) => Ok(Shape::Whole),
        (g, 0) if g > 0 => Ok(Shape::Unnamed),
        (g, n) if g == n => Ok(Shape::Named),
        _ => Err("invalid regexp pattern: cannot mix both named and unnamed capture groups".into()),
    }
}

fn match_value(re: &Regex, shape: &Shape, caps: &regex::Captures<'_>) -> Value {
    let group = |i: usize| {
        caps.get(i)
            .map(|m| Value::string(m.as_str()))
            .unwrap_or(Value::Null)
    };
    match shape {
        Shape::Whole => group(0),
        Shape::Unnamed => Value::Tuple((1..caps.len()).map(group).collect()),
        Shape::Named => {
            let mut out = BTreeMap::new();
            for (i, name) in re.capture_names().enumerate() {
                if let Some(name) = name {
                    out.insert(name.to_string(), group(i));
                }
            }
            Value::Object(out.into())
        }
    }
}

fn prepare(args: &[Value]) -> Result<(Regex, Shape), super::FnErr> {
    let re = compile(arg_str(args, 0))
        .map_err(|m| arg_err(0, format!("invalid regexp pattern: {m}")))?;
    let shape = shape(&re).map_err(|m| arg_err(0, m))?;
    Ok((re, shape))
}

fn regex_fn(args: &[Value], _: &FunctionContext) -> FnResult {
    let (re, shape) = prepare(args)?;
    match re.captures(arg_str(args, 1)) {
        Some(caps) => Ok(match_value(&re, &shape, &caps)),
        None => Err(call_err(
            "pattern did not match any part of the given string",
        )),
    }
}

fn regexall(args: &[Value], _: &FunctionContext) -> FnResult {
    let (re, shape) = prepare(args)?;
    let matches: Vec<Value> = re
        .captures_iter(arg_str(args, 1))
        .map(|caps| match_value(&re, &shape, &caps))
        .collect();
    // A list needs one element type: tuples of groups are all the same shape already.
    Ok(Value::List(matches))
}

fn replace(args: &[Value], _: &FunctionContext) -> FnResult {
    let s = arg_str(args, 0);
    let substr = arg_str(args, 1);
    let with = arg_str(args, 2);
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let pattern = &substr[1..substr.len() - 1];
        let re = compile(pattern).map_err(|m| call_err(format!("error parsing regexp: {m}")))?;
        return Ok(Value::string(re.replace_all(s, with).into_owned()));
    }
    Ok(Value::string(s.replace(substr, with)))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn regex_shapes() {
        assert_eq!(
            okj("regex", vec![s("(\\d\\d\\d\\d)-(\\d\\d)"), s("2019-02-01")]),
            r#"["2019","02"]"#
        );
        assert_eq!(okj("regex", vec![s("^(a)?b"), s("b")]), "[null]");
        assert_eq!(ok("regex", vec![s("b"), s("abc")]), s("b"));
        // Go's \d, \w, \s are ASCII-only.
        assert_eq!(okj("regexall", vec![s("\\d"), s("1٣2")]), r#"["1","2"]"#);
        assert_eq!(okj("regexall", vec![s("[\\d]"), s("1٣2")]), r#"["1","2"]"#);
        assert_eq!(
            okj("regexall", vec![s("\\w+"), s("héllo")]),
            r#"["h","llo"]"#
        );
        assert_eq!(
            okj("regexall", vec![s("[^\\s]+"), s("a b")]),
            r#"["a","b"]"#
        );
        assert_eq!(okj("regexall", vec![s("[]a]"), s("]a")]), r#"["]","a"]"#);
        assert_eq!(
            okj("regexall", vec![s("[[:alpha:]]+"), s("ab1")]),
            r#"["ab"]"#
        );
        assert_eq!(okj("regexall", vec![s("\\\\d"), s("\\d")]), r#"["\\d"]"#);
        assert_eq!(
            okj("regex", vec![s("(?P<a>b)(?P<c>c)"), s("abc")]),
            r#"{"a":"b","c":"c"}"#
        );
        assert_eq!(
            okj("regexall", vec![s("a(b)?"), s("a ab")]),
            r#"[[null],["b"]]"#
        );
        assert_eq!(
            okj("regexall", vec![s("[a-z]+"), s("ab cd")]),
            r#"["ab","cd"]"#
        );
    }

    #[test]
    fn regex_errors() {
        let (sm, d) = err("regex", vec![s("x"), s("abc")]);
        assert_eq!(sm, "Error in function call");
        assert!(d.ends_with("pattern did not match any part of the given string."));
        let (sm, d) = err("regex", vec![s("(?P<a>b)(c)"), s("abc")]);
        assert_eq!(sm, "Invalid function argument");
        assert!(d.contains("cannot mix both named and unnamed capture groups"));
        let (sm, d) = err("regex", vec![s("("), s("abc")]);
        assert_eq!(sm, "Invalid function argument");
        assert!(d.contains("invalid regexp pattern"), "{d}");
    }

    #[test]
    fn replace_plain_and_regex() {
        assert_eq!(
            ok("replace", vec![s("hello"), s("/(h)(e)/"), s("$2$1")]),
            s("ehllo")
        );
        assert_eq!(ok("replace", vec![s("aaa"), s("a"), s("")]), s(""));
        assert_eq!(ok("replace", vec![s("a.b.c"), s("."), s("-")]), s("a-b-c"));
        assert_eq!(
            ok("replace", vec![s("abc"), s("/(?P<x>b)/"), s("[$x]")]),
            s("a[b]c")
        );
        assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("|")]), s("a|b"));
        let (sm, _) = err("replace", vec![s("abc"), s("/x(/"), s("")]);
        assert_eq!(sm, "Error in function call");
    }
}
