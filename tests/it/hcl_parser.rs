//! Parser tests: the AST shapes of HCL native syntax and Terraform's diagnostics.

use skyform::hcl::ast::{BinaryOp, BodyItem, Expr, ExprKind, TemplatePart, UnaryOp};
use skyform::hcl::{parse_expr, parse_file};

fn expr(src: &str) -> Expr {
    match parse_expr(src, "t.hcl") {
        Ok(e) => e,
        Err(d) => panic!("parse of {src:?} failed: {d}"),
    }
}

fn kind(src: &str) -> ExprKind {
    expr(src).kind
}

/// The first diagnostic's summary for a file that must not parse.
fn file_err(src: &str) -> (String, String, usize, usize) {
    match parse_file(src, "t.hcl") {
        Ok(b) => panic!("{src:?} parsed unexpectedly: {b:?}"),
        Err(d) => {
            let first = &d.0[0];
            let span = first.span.clone().unwrap_or_default();
            (
                first.summary.clone(),
                first.detail.clone(),
                span.start.line,
                span.start.col,
            )
        }
    }
}

fn lit(parts: &[TemplatePart]) -> String {
    match parts {
        [TemplatePart::Literal(s)] => s.clone(),
        [] => String::new(),
        other => panic!("not a literal: {other:?}"),
    }
}

fn template(src: &str) -> Vec<TemplatePart> {
    match kind(src) {
        ExprKind::Template(p) => p,
        other => panic!("not a template: {other:?}"),
    }
}

#[test]
fn body_with_blocks_attributes_and_comments() {
    let src = "# lead\nresource \"a_b\" c {\n  x = 1 // trailing\n  /* block */ y-z = \"s\"\n  inner {}\n}\none { a = 1 }\n";
    let body = parse_file(src, "t.hcl").unwrap();
    assert_eq!(body.items.len(), 2);
    let BodyItem::Block(b) = &body.items[0] else {
        panic!()
    };
    assert_eq!(b.kind, "resource");
    let labels: Vec<_> = b.labels.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(labels, ["a_b", "c"]);
    assert_eq!(b.body.items.len(), 3);
    assert!(b.body.attribute("y-z").is_some());
    let x = b.body.attribute("x").unwrap();
    assert_eq!((x.span.start.line, x.span.start.col), (3, 3));
    assert_eq!((x.expr.span.start.line, x.expr.span.start.col), (3, 7));
    let BodyItem::Block(one) = &body.items[1] else {
        panic!()
    };
    assert!(one.body.attribute("a").is_some());
}

#[test]
fn numbers_keep_their_text() {
    for (src, want) in [("1", "1"), ("1.5", "1.5"), ("1e3", "1000"), ("007", "7")] {
        match kind(src) {
            ExprKind::Number(n) => {
                // The syntax tree keeps the text; equality (and lang's value) is numeric.
                assert_eq!(n.as_str(), src);
                assert_eq!(n, skyform::hcl::ast::NumberLit::parse(want).unwrap());
                let exact = skyform::lang::Number::from_literal(&n).unwrap();
                assert_eq!(exact, skyform::lang::Number::parse(want).unwrap());
            }
            other => panic!("{src}: {other:?}"),
        }
    }
    // Digits beyond f64 survive to the value.
    let ExprKind::Number(n) = kind("0.1000000000000000000000000000001") else {
        panic!()
    };
    let exact = skyform::lang::Number::from_literal(&n).unwrap();
    assert_eq!(exact.to_string(), "0.1000000000000000000000000000001");
}

#[test]
fn keywords_only_as_bare_names() {
    assert_eq!(kind("true"), ExprKind::Bool(true));
    assert_eq!(kind("null"), ExprKind::Null);
    assert!(matches!(kind("true_thing"), ExprKind::Variable(n) if n == "true_thing"));
}

#[test]
fn quoted_escapes() {
    assert_eq!(
        lit(&template(r#""a\nb\t\"\\\u00e9\U0001F600 $${x} %%{y}""#)),
        "a\nb\t\"\\é😀 ${x} %{y}"
    );
}

#[test]
fn interpolation_and_strip_markers() {
    let parts = template(r#""a ${x} b""#);
    assert_eq!(parts.len(), 3);
    let parts = template(r#""a   ${~ x ~}   b""#);
    assert_eq!(lit(&parts[0..1]), "a");
    assert_eq!(lit(&parts[2..3]), "b");
}

#[test]
fn directives_nest() {
    let parts = template(r#""%{if a}x%{else}y%{endif}%{for k, v in m}${k}%{endfor}""#);
    assert!(matches!(&parts[0], TemplatePart::If { then, otherwise, .. }
        if lit(then) == "x" && lit(otherwise) == "y"));
    assert!(
        matches!(&parts[1], TemplatePart::For { key_var: Some(k), value_var, .. }
        if k == "k" && value_var == "v")
    );
}

#[test]
fn heredocs_plain_and_flush() {
    assert_eq!(lit(&template("<<EOT\n  a\n b\nEOT\n")), "  a\n b\n");
    assert_eq!(
        lit(&template("<<-EOT\n    a\n  \n     b\n  EOT\n")),
        "a\n  \n b\n"
    );
    let parts = template("<<EOT\nhi ${name}!\nEOT");
    assert_eq!(parts.len(), 3);
}

#[test]
fn collections_and_for_expressions() {
    assert!(matches!(kind("[1, 2,]"), ExprKind::Tuple(x) if x.len() == 2));
    assert!(matches!(kind("[\n1\n,\n2\n]"), ExprKind::Tuple(x) if x.len() == 2));
    match kind("{ a = 1, \"b c\" = 2, (k) = v, d: 1\n e = 2 }") {
        ExprKind::Object(items) => {
            assert_eq!(items.len(), 5);
            assert!(matches!(&items[0].0.kind, ExprKind::Variable(n) if n == "a"));
            assert!(matches!(&items[2].0.kind, ExprKind::Parens(_)));
        }
        other => panic!("{other:?}"),
    }
    match kind("{for k, v in m : k => v... if v}") {
        ExprKind::For(f) => {
            assert!(f.group && f.key.is_some() && f.cond.is_some());
            assert_eq!(f.key_var.as_deref(), Some("k"));
        }
        other => panic!("{other:?}"),
    }
    match kind("[for x in xs : f(x)]") {
        ExprKind::For(f) => assert!(f.key.is_none() && f.key_var.is_none()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn calls_traversals_and_splats() {
    assert!(matches!(kind("f(a, b...)"),
        ExprKind::FunctionCall { name, args, expand_final: true } if name == "f" && args.len() == 2));
    let e = expr("a.b[0].c");
    assert_eq!(e.traversals()[0].steps.len(), 3);
    assert!(matches!(kind("a.0"), ExprKind::Index(_, _)));
    match kind("a[*].b[0]") {
        ExprKind::Splat {
            each,
            legacy: false,
            ..
        } => assert!(matches!(each.kind, ExprKind::Index(_, _))),
        other => panic!("{other:?}"),
    }
    match kind("a.*.b[0]") {
        ExprKind::Index(inner, _) => {
            assert!(matches!(inner.kind, ExprKind::Splat { legacy: true, .. }))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn operator_precedence() {
    // a || b && c == d < e + f * g
    match kind("a || b && c == d < e + f * g") {
        ExprKind::Binary(BinaryOp::Or, _, r) => match r.kind {
            ExprKind::Binary(BinaryOp::And, _, r) => match r.kind {
                ExprKind::Binary(BinaryOp::Eq, _, r) => match r.kind {
                    ExprKind::Binary(BinaryOp::Lt, _, r) => match r.kind {
                        ExprKind::Binary(BinaryOp::Add, _, r) => {
                            assert!(matches!(r.kind, ExprKind::Binary(BinaryOp::Mul, _, _)))
                        }
                        other => panic!("{other:?}"),
                    },
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(kind("1 - 2 - 3"), ExprKind::Binary(BinaryOp::Sub, l, _)
        if matches!(l.kind, ExprKind::Binary(BinaryOp::Sub, _, _)))
    );
    assert!(matches!(kind("-a.b"), ExprKind::Unary(UnaryOp::Negate, x)
        if matches!(x.kind, ExprKind::GetAttr(_, _))));
    assert!(
        matches!(kind("a ? b : c ? d : e"), ExprKind::Conditional { otherwise, .. }
        if matches!(otherwise.kind, ExprKind::Conditional { .. }))
    );
    assert!(
        matches!(kind("(1 + 2) * 3"), ExprKind::Binary(BinaryOp::Mul, l, _)
        if matches!(l.kind, ExprKind::Parens(_)))
    );
}

#[test]
fn multibyte_columns() {
    let body = parse_file("é = \"ü\"\nb = ü\n", "t.hcl").unwrap();
    let b = body.attribute("b").unwrap();
    assert_eq!(b.expr.span.start.col, 5);
    let (_, _, line, col) = file_err("a = \"é\" é\n");
    assert_eq!((line, col), (1, 9));
}

#[test]
fn diagnostics_match_terraform() {
    let cases: &[(&str, &str)] = &[
        ("x = [1 2]\n", "Missing item separator"),
        ("x = ]\n", "Invalid expression"),
        ("= 1\n", "Argument or block definition required"),
        ("a\n", "Argument or block definition required"),
        ("a = \"abc", "Unterminated template string"),
        ("a = <<EOT\nhello\n", "Unterminated template string"),
        ("a {\n", "Argument or block definition required"),
        ("a = $\n", "Invalid character"),
        ("a = 1;\n", "Invalid character"),
        ("a = 'x'\n", "Invalid character"),
        ("a = 1 b = 2\n", "Missing newline after argument"),
        ("a = 1, b = 2\n", "Unexpected comma after argument"),
        ("a = 1\na = 2\n", "Attribute redefined"),
        ("a b c\n", "Invalid block definition"),
        ("a \"b\" = 1\n", "Invalid block definition"),
        ("a = {b 1}\n", "Missing key/value separator"),
        ("a = {b = 1 c = 2}\n", "Missing attribute separator"),
        (
            "a = \"${x y}\"\n",
            "Extra characters after interpolation expression",
        ),
        (
            "a = \"${x\n",
            "Extra characters after interpolation expression",
        ),
        ("a = \"abc\nb = 1\n", "Invalid multi-line string"),
        ("a = \"\\q\"\n", "Invalid escape sequence"),
        ("a = (1\n", "Unbalanced parentheses"),
        ("a = f(1 2)\n", "Missing argument separator"),
        ("a = f(x...,y)\n", "Missing closing parenthesis"),
        ("a = x[1\n", "Missing close bracket on index"),
        ("a = x[*\n", "Missing close bracket on splat index"),
        ("a = x.\n", "Invalid attribute name"),
        ("a = x ? 1\n", "Missing false expression in conditional"),
        ("a {} b = 1\n", "Missing newline after block definition"),
        (
            "a { b = 1\n c = 2 }\n",
            "Invalid single-argument block definition",
        ),
        (
            "a { b = 1 c = 2 }\n",
            "Invalid single-argument block definition",
        ),
        ("a { b {} }\n", "Argument definition required"),
        ("a = [for x in y : x x]\n", "Invalid 'for' expression"),
        ("a = [for x y : x]\n", "Invalid 'for' expression"),
        ("a = {for x in y : x}\n", "Invalid 'for' expression"),
        ("a = [for x in y : x => 1]\n", "Invalid 'for' expression"),
        ("a = \"%{ endif }\"\n", "Unexpected endif directive"),
        ("a = \"%{ if x }\"\n", "Unexpected end of template"),
        ("a = \"%{ for x in y }\"\n", "Unexpected end of template"),
        ("a = \"%{ bogus }\"\n", "Invalid template control keyword"),
        ("a = 1.0.1\n", "Invalid number literal"),
    ];
    for (src, want) in cases {
        let (got, detail, line, col) = file_err(src);
        assert_eq!(&got, want, "for {src:?}");
        assert!(!detail.is_empty(), "no detail for {src:?}");
        assert!(line >= 1 && col >= 1, "no position for {src:?}");
    }
}

#[test]
fn diagnostic_positions() {
    let (_, _, line, col) = file_err("x = [1 2]\n");
    assert_eq!((line, col), (1, 8));
    let (_, detail, line, col) = file_err("a = 1\na = 2\n");
    assert_eq!((line, col), (2, 1));
    assert_eq!(
        detail,
        "The argument \"a\" was already set at t.hcl:1,1-2. Each argument may be set only once."
    );
    let (_, detail, ..) = file_err("a = \"%{if x}a\"\n");
    assert_eq!(
        detail,
        "The if directive at t.hcl:1,6-13 is missing its corresponding endif directive."
    );
    let (_, _, line, _) = file_err("resource \"x\" \"y\" {\n  a = 1\n");
    assert_eq!(line, 3);
}

#[test]
fn parse_expr_rejects_trailing_tokens() {
    let err = parse_expr("1 2", "t").unwrap_err();
    assert_eq!(err.0[0].summary, "Extra characters after expression");
    assert!(parse_expr("\n  1 +\n 2\n", "t").is_ok());
}

fn nesting_error(src: String) {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let e = parse_file(&format!("a = {src}\n"), "t").unwrap_err();
            let e2 = parse_expr(&src, "t").unwrap_err();
            (e.0[0].summary.clone(), e2.0[0].summary.clone())
        })
        .unwrap();
    let (a, b) = handle.join().expect("parser thread overflowed its stack");
    assert_eq!(a, "Nesting too deep");
    assert_eq!(b, "Nesting too deep");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    nesting_error("[".repeat(100_000));
    nesting_error("(".repeat(100_000));
    nesting_error("{a=".repeat(100_000));
    nesting_error("\"${".repeat(100_000));
    nesting_error("-".repeat(100_000) + "1");
    nesting_error("!".repeat(100_000) + "true");
    nesting_error("f(".repeat(100_000));
    nesting_error("a[".repeat(100_000));
    nesting_error(format!("\"{}\"", "%{if a}".repeat(100_000)));
    let blocks = "a {\n".repeat(100_000);
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse_file(&blocks, "t").unwrap_err().0[0].summary.clone())
        .unwrap();
    assert_eq!(handle.join().unwrap(), "Nesting too deep");
}

#[test]
fn nesting_within_the_limit_parses() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let src = format!("{}1{}", "[".repeat(200), "]".repeat(200));
            parse_expr(&src, "t").is_ok()
        })
        .unwrap();
    assert!(handle.join().unwrap());
}

#[test]
fn huge_inputs_parse_quickly() {
    let start = std::time::Instant::now();
    let big = format!("a = \"{}\"\n", "x".repeat(10_000_000));
    let body = parse_file(&big, "t").unwrap();
    assert!(body.attribute("a").is_some());
    let tuple = format!("a = [{}]\n", "1,\n".repeat(1_000_000));
    let body = parse_file(&tuple, "t").unwrap();
    match &body.attribute("a").unwrap().expr.kind {
        ExprKind::Tuple(xs) => assert_eq!(xs.len(), 1_000_000),
        other => panic!("{other:?}"),
    }
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn no_panics_on_odd_input() {
    for src in [
        "\u{feff}a = 1",
        "a = \"\\",
        "a = \"\\u12\"",
        "a = <<EOT",
        "a = <<-EOT\n\u{e9}\u{e9}x\n EOT",
        "é",
        "a = \"é${",
        "/* unterminated",
        "a = 1 # no newline",
        "a = \"${a}",
        "a = \"%{",
        "a = x.*.",
        "a = {for",
        "}",
        "a = 1.",
        "\r",
        "a = \"\r\"",
    ] {
        let _ = parse_file(src, "t");
        let _ = parse_expr(src, "t");
    }
}

/// Every expression of the Terraform conformance sample parses, except those whose
/// expected answer is a syntax error (which must fail with that summary).
#[test]
fn conformance_expressions_parse() {
    let cases = include_str!("../fixtures/hcl/expr_cases.tsv");
    let syntax_errors = [
        "Missing item separator",
        "Invalid expression",
        "Unterminated template string",
        "Invalid 'for' expression",
        "Missing argument separator",
    ];
    let mut failures = Vec::new();
    for line in cases.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let [id, src, want] = cols[..] else { continue };
        let src = src.replace('\u{2424}', "\n");
        let result = if src.contains('\n') {
            parse_file(&format!("r = {src}\n"), "t").map(|_| ())
        } else {
            parse_expr(&src, "t").map(|_| ())
        };
        let want_err = want
            .strip_prefix("ERROR ")
            .filter(|s| syntax_errors.contains(s));
        match (result, want_err) {
            (Ok(()), None) => {}
            (Err(d), Some(s)) if d.0[0].summary == s => {}
            (r, _) => failures.push(format!("{id} {src:?}: {r:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Strip markers act before a `<<-` heredoc is flushed (Terraform 1.0.3: the emptied
/// literal before `%{~` counts as a line with no indentation, so nothing is removed).
#[test]
fn strip_markers_apply_before_flush() {
    let parts =
        template("<<-EOT\n    a\n    %{~ if true ~}\n      b\n    %{~ endif ~}\n    c\n  EOT\n");
    match parts.as_slice() {
        [TemplatePart::Literal(a), TemplatePart::If { then, .. }, TemplatePart::Literal(c)] => {
            assert_eq!(a, "    a\n");
            assert_eq!(lit(then), "      b\n");
            assert_eq!(c, "    c\n");
        }
        other => panic!("{other:?}"),
    }
    let parts = template("<<-EOT\n\t  x\n\t y\n  EOT\n");
    assert_eq!(lit(&parts), " x\ny\n");
}

/// The syntax layer stands alone: below it there is only `diag` (spans, diagnostics).
#[test]
fn hcl_imports_nothing_above_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/hcl");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        for (i, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + "crate::".len()..];
                assert!(
                    rest.starts_with("diag"),
                    "{}:{}: {line}",
                    path.display(),
                    i + 1
                );
            }
        }
    }
    assert!(files >= 5);
    let diag =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/diag.rs")).unwrap();
    assert!(
        !diag.contains("crate::"),
        "diag.rs must not depend on other modules"
    );
}
