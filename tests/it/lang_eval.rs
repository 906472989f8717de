//! Evaluator tests from source text: what the conformance TSV cannot express (unknown and
//! sensitive values, variables, spans, console notation, templatefile, type constraints).
//! Expected answers were checked against Terraform 1.0.3 where Terraform can show them.

use skyform::lang::types::{apply_defaults, parse_type_constraint, DefaultsStep};
use skyform::lang::{convert, display, eval, EvalContext, Type, Value};
use std::collections::BTreeMap;

fn parse(src: &str) -> skyform::hcl::ast::Expr {
    skyform::hcl::parse_expr(src, "test.hcl").unwrap_or_else(|d| panic!("parse {src}: {d}"))
}

/// `var.u` is unknown, `var.s` sensitive, `var.n` the number 5, `var.o` an object.
fn ctx() -> EvalContext {
    let var = Value::object([
        ("u", Value::unknown()),
        ("s", Value::sensitive(Value::string("Secret"))),
        ("n", Value::number(5)),
        (
            "o",
            Value::object([
                ("name", Value::string("web")),
                ("tags", Value::Tuple(vec![])),
            ]),
        ),
    ]);
    let mut roots = BTreeMap::new();
    roots.insert("var".to_string(), var);
    roots.insert(
        "count".to_string(),
        Value::object([("index", Value::number(2))]),
    );
    EvalContext::with_variables(roots)
}

fn ok(src: &str) -> Value {
    eval(&parse(src), &ctx()).unwrap_or_else(|d| panic!("{src}: {d}"))
}

fn err(src: &str) -> skyform::diag::Diagnostic {
    match eval(&parse(src), &ctx()) {
        Ok(v) => panic!("{src}: expected an error, got {v:?}"),
        Err(d) => d.0.into_iter().next().expect("at least one diagnostic"),
    }
}

fn console(src: &str) -> String {
    display::console_notation(&ok(src))
}

#[test]
fn variables_and_roots() {
    assert_eq!(ok("var.n * count.index"), Value::number(10));
    assert_eq!(
        ok("\"${var.o.name}-${count.index}\""),
        Value::string("web-2")
    );
    let d = err("nope.x");
    assert_eq!(d.summary, "Unknown variable");
    assert_eq!(d.detail, "There is no variable named \"nope\".");
    let d = err("var.missing");
    assert_eq!(d.summary, "Unsupported attribute");
    assert_eq!(
        d.detail,
        "This object does not have an attribute named \"missing\"."
    );
}

#[test]
fn unknown_values_propagate() {
    for src in [
        "var.u + 1",
        "\"a-${var.u}\"",
        "[for x in var.u : x]",
        "{for k, v in var.u : k => v}",
        "var.u[0]",
        "var.u.a.b",
        "var.u[*].id",
        "var.u ? 1 : 2",
        "upper(var.u)",
        "max(var.u...)",
        "var.u == 1",
        "!var.u",
        "try(var.u, 1)",
        "can(var.u.x)",
        "[1, 2][var.u]",
        "{(var.u) = 1}",
        "\"%{if var.u}a%{endif}\"",
        "\"%{for x in var.u}${x}%{endfor}\"",
        "[for x in [1, 2] : x if var.u]",
    ] {
        assert!(ok(src).is_unknown(), "{src} should be unknown");
    }
    // Known parts of a collection stay known.
    let v = ok("[var.u, 1]");
    assert!(!v.is_wholly_known());
    assert_eq!(v.as_seq().map(|xs| xs[1].clone()), Some(Value::number(1)));
    assert_eq!(
        display::console_notation(&Value::unknown()),
        "(known after apply)"
    );
    assert!(display::json_compact(&v).is_err());
}

#[test]
fn sensitive_values_stay_marked() {
    for src in [
        "var.s",
        "upper(var.s)",
        "\"pw=${var.s}\"",
        "var.s == \"x\"",
        "var.s != \"\" ? \"set\" : \"unset\"",
        "length(var.s) + 1",
        "{a = var.s}.a",
        "[var.s][0]",
        "var.s[*]",
        "lower(join(\",\", [var.s, \"b\"]))",
        "jsonencode({k = var.s})",
    ] {
        let v = ok(src);
        assert!(v.contains_sensitive(), "{src} should be sensitive: {v:?}");
        assert!(
            !display::console_notation(&v).contains("Secret")
                && !display::console_notation(&v).contains("SECRET"),
            "{src} must not print the secret"
        );
    }
    assert_eq!(console("upper(var.s)"), "(sensitive)");
    assert_eq!(ok("nonsensitive(var.s)"), Value::string("Secret"));
    assert_eq!(ok("nonsensitive(upper(var.s))"), Value::string("SECRET"));
    assert!(ok("sensitive(1) + 1").is_sensitive());
    assert_eq!(err("nonsensitive(1)").summary, "Invalid function argument");
    assert_eq!(console("[for x in [var.s] : x]"), "[\n  (sensitive),\n]");
}

#[test]
fn console_notation_of_evaluated_values() {
    // Each expected text is what `terraform console` prints.
    assert_eq!(console("tolist([1])"), "tolist([\n  1,\n])");
    assert_eq!(
        console("toset([\"b\", \"a\"])"),
        "toset([\n  \"a\",\n  \"b\",\n])"
    );
    assert_eq!(console("tomap({a = 1})"), "tomap({\n  \"a\" = 1\n})");
    assert_eq!(
        console("[{a = 1, b = []}, {}]"),
        "[\n  {\n    \"a\" = 1\n    \"b\" = []\n  },\n  {},\n]"
    );
    assert_eq!(console("1 / 3").len(), 157);
    assert_eq!(console("\"a\\nb\""), "<<EOT\na\nb\nEOT");
    assert_eq!(console("null"), "null");
    assert_eq!(
        console("toset([1, 10, 2])"),
        "toset([\n  1,\n  2,\n  10,\n])"
    );
}

#[test]
fn errors_point_at_the_offending_operand() {
    let d = err("1 + \"abc\"");
    assert_eq!(d.summary, "Invalid operand");
    let span = d.span.expect("span");
    assert_eq!((span.start.col, span.end.col), (5, 10));
    let d = err("[1, 2, 3][3]");
    assert_eq!(d.summary, "Invalid index");
    let d = err("uppr(\"a\")");
    assert_eq!(d.summary, "Call to unknown function");
    assert_eq!(
        d.detail,
        "There is no function named \"uppr\". Did you mean \"upper\"?"
    );
}

#[test]
fn templatefile_renders_with_only_its_vars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "greet.tpl",
        "Hello ${name}!\n%{ for x in xs ~}\n- ${x}\n%{ endfor ~}\n",
    );
    write("raw.tpl", "${xs}");
    write("notrail.tpl", "a=${a}");
    write(
        "strip.tpl",
        "%{ for x in [1, 2] ~}\n${x}\n%{~ endfor ~}\n\n",
    );
    write("stripend.tpl", "x%{ if true }y%{ endif ~}");
    write("bad.tpl", "${missing}");
    write("nested.tpl", "${templatefile(\"raw.tpl\", {xs = 1})}");
    let mut c = ctx();
    c.base_dir = dir.path().to_path_buf();
    let run = |src: &str| eval(&parse(src), &c);
    assert_eq!(
        run(r#"templatefile("greet.tpl", {name = "web", xs = [1, 2]})"#).unwrap(),
        Value::string("Hello web!\n- 1\n- 2\n")
    );
    assert_eq!(
        run(r#"templatefile("raw.tpl", {xs = [1]})"#).unwrap(),
        Value::Tuple(vec![Value::number(1)])
    );
    assert_eq!(
        run(r#"templatefile("notrail.tpl", {a = true})"#).unwrap(),
        Value::string("a=true")
    );
    assert_eq!(
        run(r#"templatefile("strip.tpl", {})"#).unwrap(),
        Value::string("12\n")
    );
    assert_eq!(
        run(r#"templatefile("stripend.tpl", {})"#).unwrap(),
        Value::string("xy")
    );
    // Only `vars` is visible: `var` from the caller's context is not.
    let d = run(r#"templatefile("bad.tpl", {var = 1})"#).unwrap_err();
    assert_eq!(d.0[0].summary, "Invalid function argument");
    assert!(d.0[0]
        .detail
        .contains("vars map does not contain key \"missing\""));
    assert!(
        d.0[0].detail.ends_with("referenced at bad.tpl:1,3-10."),
        "{}",
        d.0[0].detail
    );
    write("oops.tpl", "hi ${1 + \"a\"}\n");
    let d = run(r#"templatefile("oops.tpl", {})"#).unwrap_err();
    assert_eq!(d.0[0].summary, "Error in function call");
    assert_eq!(
        d.0[0].detail,
        "Call to function \"templatefile\" failed: oops.tpl:1,10-13: Invalid operand; \
         Unsuitable value for right operand: a number is required.."
    );
    write("unclosed.tpl", "%{ if true }x");
    let d = run(r#"templatefile("unclosed.tpl", {})"#).unwrap_err();
    assert_eq!(d.0[0].summary, "Error in function call");
    let d = run(r#"templatefile("nested.tpl", {})"#).unwrap_err();
    assert_eq!(d.0[0].summary, "Error in function call");
    let d = run(r#"templatefile("nothere.tpl", {})"#).unwrap_err();
    assert_eq!(d.0[0].summary, "Invalid function argument");
    assert!(run(r#"templatefile("greet.tpl", {name = var.s, xs = []})"#)
        .unwrap()
        .contains_sensitive());
    assert!(run(r#"templatefile("raw.tpl", var.u)"#)
        .unwrap()
        .is_unknown());
}

#[test]
fn type_constraints() {
    let (ty, defaults) = parse_type_constraint(&parse(
        "object({name = string, size = optional(number, 2), tags = optional(map(string)), \
         disks = optional(list(object({gb = optional(number, 20)})), [])})",
    ))
    .unwrap();
    let Type::Object(attrs) = &ty else {
        panic!("object expected, got {ty}")
    };
    assert_eq!(attrs["name"], Type::String);
    assert_eq!(attrs["size"], Type::Optional(Box::new(Type::Number)));
    assert_eq!(defaults.attributes["size"], Value::number(2));
    assert!(defaults
        .nested
        .contains_key(&DefaultsStep::Attribute("disks".into())));
    let given = ok("{name = \"web\", disks = [{}, {gb = 5}]}");
    let converted = convert::convert(&given, &ty).expect("converts");
    let filled = apply_defaults(converted, &defaults);
    assert_eq!(filled.get_attr("size"), Some(&Value::number(2)));
    assert_eq!(filled.get_attr("tags"), Some(&Value::Null));
    let disks = filled
        .get_attr("disks")
        .and_then(Value::as_seq)
        .expect("disks");
    assert_eq!(disks[0].get_attr("gb"), Some(&Value::number(20)));
    assert_eq!(disks[1].get_attr("gb"), Some(&Value::number(5)));

    let legacy = |src: &str| parse_type_constraint(&parse(src)).unwrap().0;
    assert_eq!(legacy("list"), Type::list(Type::Dynamic));
    assert_eq!(legacy("map"), Type::map(Type::Dynamic));
    assert_eq!(legacy("any"), Type::Dynamic);
    assert_eq!(
        legacy("tuple([string, number])"),
        Type::Tuple(vec![Type::String, Type::Number])
    );
    assert_eq!(legacy("set(list(bool))"), Type::set(Type::list(Type::Bool)));
    for bad in [
        "strin",
        "list(string, number)",
        "optional(string)",
        "\"string\"",
        "1",
    ] {
        let d = parse_type_constraint(&parse(bad)).unwrap_err();
        assert_eq!(d.summary, "Invalid type specification", "{bad}");
    }
}

mod no_panics {
    //! Random expressions built from HCL fragments: whatever parses must evaluate to a
    //! value or a diagnostic, never a panic or a hang.
    use super::*;
    use proptest::prelude::*;

    fn atom() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "1",
            "0",
            "-1",
            "1.5",
            "1e400",
            "1e-400",
            "\"a\"",
            "\"5\"",
            "\"true\"",
            "true",
            "false",
            "null",
            "[]",
            "{}",
            "[1, \"a\"]",
            "{a = 1}",
            "var.u",
            "var.s",
            "var.n",
            "var.o",
            "tolist([1])",
            "toset([\"b\", \"a\"])",
            "tomap({k = \"v\"})",
            "x",
            "k",
        ])
        .prop_map(String::from)
    }

    fn expr() -> impl Strategy<Value = String> {
        atom().prop_recursive(5, 48, 4, |inner| {
            let op = prop::sample::select(vec![
                "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||",
            ]);
            prop_oneof![
                (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
                inner.clone().prop_map(|a| format!("{a}.a")),
                inner.clone().prop_map(|a| format!("{a}[*].a")),
                inner.clone().prop_map(|a| format!("!{a}")),
                inner.clone().prop_map(|a| format!("-{a}")),
                inner.clone().prop_map(|a| format!("\"x${{{a}}}y\"")),
                (inner.clone(), inner.clone())
                    .prop_map(|(c, b)| format!("[for k, x in {c} : {b}]")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, k, v)| format!("{{for x in {c} : {k} => {v}...}}")),
                (inner.clone(), inner.clone())
                    .prop_map(|(c, b)| format!("[for x in {c} : x if {b}]")),
                (inner.clone(), inner.clone())
                    .prop_map(|(c, b)| format!("\"%{{for x in {c}}}${{{b}}}%{{endfor}}\"")),
                (inner.clone(), inner.clone())
                    .prop_map(|(c, b)| format!("\"%{{if {c}}}a%{{else}}${{{b}}}%{{endif}}\"")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("try({a}, {b})")),
                inner.clone().prop_map(|a| format!("can({a})")),
                inner.clone().prop_map(|a| format!("length({a})")),
                inner.clone().prop_map(|a| format!("max({a}...)")),
                inner.clone().prop_map(|a| format!("jsonencode({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{(\"{a}\") = {b}}}")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("[{a}, {b}]")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn random_expressions_never_panic(src in expr()) {
            let parsed = skyform::hcl::parse_expr(&src, "fuzz.hcl");
            if let Ok(e) = parsed {
                if let Ok(v) = eval(&e, &ctx()) {
                    let _ = display::console_notation(&v);
                    let _ = display::json_compact(&v);
                }
            }
        }
    }
}
