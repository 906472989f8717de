//! Evaluator tests on hand-built syntax trees (the source-text tests live in
//! `tests/lang_eval.rs` and `tests/lang_conformance.rs`). Expected answers come from
//! Terraform 1.0.3's console.

use super::*;
use crate::hcl::ast::{BinaryOp, ForExpr, NumberLit, TemplatePart, UnaryOp};
use crate::lang::Type;

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}
fn num(s: &str) -> Expr {
    // Literals are unsigned; a negative one is a negation, as the parser builds it.
    match s.strip_prefix('-') {
        Some(abs) => e(ExprKind::Unary(UnaryOp::Negate, Box::new(num(abs)))),
        None => e(ExprKind::Number(NumberLit::parse(s).unwrap())),
    }
}
fn st(s: &str) -> Expr {
    e(ExprKind::Template(vec![TemplatePart::Literal(s.into())]))
}
fn var(name: &str) -> Expr {
    e(ExprKind::Variable(name.into()))
}
fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
    e(ExprKind::Binary(op, Box::new(a), Box::new(b)))
}
fn attr(x: Expr, name: &str) -> Expr {
    e(ExprKind::GetAttr(Box::new(x), name.into()))
}
fn idx(x: Expr, k: Expr) -> Expr {
    e(ExprKind::Index(Box::new(x), Box::new(k)))
}
fn tup(xs: Vec<Expr>) -> Expr {
    e(ExprKind::Tuple(xs))
}
fn obj(xs: Vec<(&str, Expr)>) -> Expr {
    e(ExprKind::Object(
        xs.into_iter().map(|(k, v)| (var(k), v)).collect(),
    ))
}
fn call(name: &str, args: Vec<Expr>) -> Expr {
    e(ExprKind::FunctionCall {
        name: name.into(),
        args,
        expand_final: false,
    })
}
fn cond(c: Expr, a: Expr, b: Expr) -> Expr {
    e(ExprKind::Conditional {
        cond: Box::new(c),
        then: Box::new(a),
        otherwise: Box::new(b),
    })
}
fn interp(parts: Vec<TemplatePart>) -> Expr {
    e(ExprKind::Template(parts))
}
fn lit(s: &str) -> TemplatePart {
    TemplatePart::Literal(s.into())
}
fn part(x: Expr) -> TemplatePart {
    TemplatePart::Interpolation(x)
}
fn splat(source: Expr, each: Expr) -> Expr {
    e(ExprKind::Splat {
        source: Box::new(source),
        each: Box::new(each),
        legacy: false,
    })
}
fn item() -> Expr {
    e(ExprKind::SplatItem)
}
fn for_tuple(k: Option<&str>, v: &str, coll: Expr, value: Expr, c: Option<Expr>) -> Expr {
    e(ExprKind::For(Box::new(ForExpr {
        key_var: k.map(String::from),
        value_var: v.into(),
        collection: coll,
        key: None,
        value,
        cond: c,
        group: false,
    })))
}
fn for_object(v: &str, coll: Expr, key: Expr, value: Expr, group: bool) -> Expr {
    e(ExprKind::For(Box::new(ForExpr {
        key_var: None,
        value_var: v.into(),
        collection: coll,
        key: Some(key),
        value,
        cond: None,
        group,
    })))
}

fn n(i: i64) -> Value {
    Value::number(i)
}
fn s(x: &str) -> Value {
    Value::string(x)
}

/// Root names used by the tests: `u` is unknown, `secret` is sensitive, `obj` an object.
fn ctx() -> EvalContext {
    let mut vars = BTreeMap::new();
    vars.insert("u".to_string(), Value::unknown());
    vars.insert("secret".to_string(), Value::sensitive(s("hunter2")));
    vars.insert("snum".to_string(), Value::sensitive(n(5)));
    vars.insert(
        "obj".to_string(),
        Value::object([("a", n(1)), ("list", Value::List(vec![n(1), n(2)]))]),
    );
    EvalContext::with_variables(vars)
}

fn ok(x: Expr) -> Value {
    match eval(&x, &ctx()) {
        Ok(v) => v,
        Err(d) => panic!("unexpected error: {d}"),
    }
}

fn fails(x: Expr) -> (String, String) {
    match eval(&x, &ctx()) {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(d) => {
            let first = &d.0[0];
            (first.summary.clone(), first.detail.clone())
        }
    }
}

#[test]
fn arithmetic_converts_strings_and_is_exact() {
    assert_eq!(ok(bin(BinaryOp::Add, st("5"), num("1"))), n(6));
    assert_eq!(
        ok(bin(BinaryOp::Add, num("0.1"), num("0.2"))),
        ok(num("0.3"))
    );
    assert_eq!(ok(bin(BinaryOp::Div, num("10"), num("4"))), ok(num("2.5")));
    assert_eq!(ok(bin(BinaryOp::Mod, num("-7"), num("3"))), n(-1));
    assert_eq!(
        ok(bin(
            BinaryOp::Eq,
            bin(BinaryOp::Add, num("0.1"), num("0.2")),
            num("0.3")
        )),
        Value::Bool(true)
    );
}

#[test]
fn arithmetic_errors_name_the_operand() {
    let (sum, detail) = fails(bin(BinaryOp::Add, st("a"), num("1")));
    assert_eq!(sum, "Invalid operand");
    assert_eq!(
        detail,
        "Unsuitable value for left operand: a number is required."
    );
    let (_, detail) = fails(bin(BinaryOp::Add, num("1"), tup(vec![])));
    assert_eq!(
        detail,
        "Unsuitable value for right operand: number required."
    );
    assert_eq!(
        fails(bin(BinaryOp::Lt, st("a"), st("b"))).0,
        "Invalid operand"
    );
    assert_eq!(
        fails(bin(BinaryOp::Add, num("1"), e(ExprKind::Null))).0,
        "Operation failed"
    );
    assert_eq!(
        fails(bin(BinaryOp::Div, num("1"), num("0"))).0,
        "Division by zero"
    );
}

#[test]
fn both_operand_errors_are_reported() {
    let x = bin(BinaryOp::Lt, st("a"), st("b"));
    let d = eval(&x, &ctx()).unwrap_err();
    assert_eq!(d.0.len(), 2);
}

#[test]
fn equality_never_converts() {
    let eq = |a, b| ok(bin(BinaryOp::Eq, a, b));
    assert_eq!(eq(num("1"), st("1")), Value::Bool(false));
    assert_eq!(
        eq(tup(vec![num("1")]), tup(vec![num("1")])),
        Value::Bool(true)
    );
    assert_eq!(eq(e(ExprKind::Null), e(ExprKind::Null)), Value::Bool(true));
    assert_eq!(eq(num("1"), e(ExprKind::Null)), Value::Bool(false));
    assert_eq!(eq(var("u"), num("1")), Value::Unknown(Type::Bool));
    let list = Value::List(vec![n(1)]);
    assert_eq!(values_equal(&list, &Value::Tuple(vec![n(1)])), Some(false));
    let map = Value::Map([("a".to_string(), n(1))].into_iter().collect());
    assert_eq!(
        values_equal(&map, &Value::object([("a", n(1))])),
        Some(false)
    );
}

#[test]
fn logic_converts_strings_and_does_not_short_circuit() {
    let t = e(ExprKind::Bool(true));
    let f = e(ExprKind::Bool(false));
    assert_eq!(
        ok(bin(BinaryOp::And, t.clone(), st("true"))),
        Value::Bool(true)
    );
    let (sum, _) = fails(bin(BinaryOp::And, f, bin(BinaryOp::Add, st("x"), num("1"))));
    assert_eq!(sum, "Invalid operand");
    let (sum, detail) = fails(e(ExprKind::Unary(UnaryOp::Not, Box::new(st("x")))));
    assert_eq!(sum, "Invalid operand");
    assert_eq!(
        detail,
        "Unsuitable value for unary operand: a bool is required."
    );
    assert_eq!(
        ok(e(ExprKind::Unary(UnaryOp::Negate, Box::new(st("5"))))),
        n(-5)
    );
    assert_eq!(
        ok(bin(BinaryOp::Or, t, var("u"))),
        Value::Unknown(Type::Bool)
    );
}

#[test]
fn unknown_values_propagate_everywhere() {
    assert!(ok(bin(BinaryOp::Add, var("u"), num("1"))).is_unknown());
    assert_eq!(
        ok(interp(vec![lit("a"), part(var("u"))])),
        Value::Unknown(Type::String)
    );
    assert!(ok(for_tuple(None, "x", var("u"), var("x"), None)).is_unknown());
    assert!(ok(idx(var("u"), num("0"))).is_unknown());
    assert!(ok(attr(var("u"), "a")).is_unknown());
    assert!(ok(splat(var("u"), attr(item(), "a"))).is_unknown());
    assert!(ok(cond(var("u"), num("1"), num("2"))).is_unknown());
    assert!(ok(idx(tup(vec![num("1")]), var("u"))).is_unknown());
}

#[test]
fn sensitive_marks_propagate() {
    assert!(ok(bin(BinaryOp::Add, var("snum"), num("1"))).is_sensitive());
    assert!(ok(interp(vec![lit("pw="), part(var("secret"))])).is_sensitive());
    assert!(ok(cond(
        bin(BinaryOp::Eq, var("secret"), st("x")),
        num("1"),
        num("2")
    ))
    .is_sensitive());
    let coll = tup(vec![var("secret"), st("b")]);
    let upper = for_tuple(None, "x", coll.clone(), var("x"), None);
    assert!(ok(upper).contains_sensitive());
    assert!(ok(idx(coll, num("0"))).is_sensitive());
    assert!(ok(splat(var("secret"), item())).contains_sensitive());
}

#[test]
fn lone_interpolation_returns_the_value_itself() {
    assert_eq!(
        ok(interp(vec![part(tup(vec![num("1")]))])),
        Value::Tuple(vec![n(1)])
    );
    assert_eq!(
        ok(interp(vec![part(e(ExprKind::Bool(true))), lit("x")])),
        s("truex")
    );
    assert_eq!(
        ok(interp(vec![
            lit("a"),
            part(bin(BinaryOp::Add, num("0.1"), num("0.2")))
        ])),
        s("a0.3")
    );
    let (sum, detail) = fails(interp(vec![lit("a"), part(e(ExprKind::Null))]));
    assert_eq!(sum, "Invalid template interpolation value");
    assert!(detail.contains("null"));
    assert_eq!(
        fails(interp(vec![lit("a"), part(tup(vec![]))])).0,
        "Invalid template interpolation value"
    );
}

#[test]
fn template_directives() {
    let t = interp(vec![TemplatePart::For {
        key_var: None,
        value_var: "x".into(),
        collection: tup(vec![num("1"), num("2"), num("3")]),
        body: vec![
            TemplatePart::If {
                cond: bin(BinaryOp::Eq, var("x"), num("2")),
                then: vec![lit("two")],
                otherwise: vec![part(var("x"))],
            },
            lit(" "),
        ],
    }]);
    assert_eq!(ok(t), s("1 two 3 "));
    let bad = interp(vec![TemplatePart::For {
        key_var: None,
        value_var: "x".into(),
        collection: st("abc"),
        body: vec![part(var("x"))],
    }]);
    assert_eq!(fails(bad).0, "Iteration over non-iterable value");
    let bad_if = interp(vec![TemplatePart::If {
        cond: st("x"),
        then: vec![lit("a")],
        otherwise: vec![],
    }]);
    assert_eq!(fails(bad_if).0, "Incorrect condition type");
}

#[test]
fn for_expressions() {
    let xs = tup(vec![st("a"), st("b"), st("a")]);
    let grouped = ok(for_object("x", xs.clone(), var("x"), var("x"), true));
    assert_eq!(
        grouped,
        Value::object([
            ("a", Value::Tuple(vec![s("a"), s("a")])),
            ("b", Value::Tuple(vec![s("b")]))
        ])
    );
    let (sum, detail) = fails(for_object("x", xs, var("x"), num("1"), false));
    assert_eq!(sum, "Duplicate object key");
    assert!(detail.contains("\"a\""));
    let set = Value::set_from(vec![s("b"), s("a")]);
    let mut c = ctx();
    c.variables.insert("set".into(), set);
    let keys = for_tuple(Some("i"), "x", var("set"), var("i"), None);
    assert_eq!(eval(&keys, &c).unwrap(), Value::Tuple(vec![s("a"), s("b")]));
    let bad_cond = for_tuple(None, "x", tup(vec![num("1")]), var("x"), Some(var("x")));
    assert_eq!(fails(bad_cond).0, "Invalid 'for' condition");
    let by_number = for_object("x", tup(vec![num("1")]), var("x"), var("x"), false);
    assert_eq!(ok(by_number), Value::object([("1", n(1))]));
    assert_eq!(
        fails(for_tuple(None, "x", e(ExprKind::Null), var("x"), None)).0,
        "Iteration over null value"
    );
    let filtered = for_tuple(
        Some("k"),
        "v",
        obj(vec![("a", num("1")), ("b", num("2"))]),
        var("k"),
        Some(bin(BinaryOp::Gt, var("v"), num("1"))),
    );
    assert_eq!(ok(filtered), Value::Tuple(vec![s("b")]));
}

#[test]
fn splats() {
    assert_eq!(ok(splat(st("x"), item())), Value::Tuple(vec![s("x")]));
    assert_eq!(ok(splat(e(ExprKind::Null), item())), Value::Tuple(vec![]));
    let objs = tup(vec![obj(vec![("a", num("1"))]), obj(vec![("a", num("2"))])]);
    assert_eq!(
        ok(splat(objs, attr(item(), "a"))),
        Value::Tuple(vec![n(1), n(2)])
    );
    let missing = tup(vec![obj(vec![("a", num("1"))]), obj(vec![("b", num("2"))])]);
    assert_eq!(
        fails(splat(missing, attr(item(), "a"))).0,
        "Unsupported attribute"
    );
    assert_eq!(
        ok(splat(attr(var("obj"), "list"), item())),
        Value::List(vec![n(1), n(2)])
    );
}

#[test]
fn indexing_and_attributes() {
    let xs = tup(vec![num("1"), num("2"), num("3")]);
    assert_eq!(ok(idx(xs.clone(), st("1"))), n(2));
    let (sum, detail) = fails(idx(xs.clone(), num("3")));
    assert_eq!(sum, "Invalid index");
    assert!(detail.contains("does not identify an element"));
    assert!(fails(idx(xs.clone(), num("1.5"))).1.contains("fractional"));
    assert!(fails(idx(xs.clone(), num("-1"))).1.contains("negative"));
    assert_eq!(fails(idx(xs.clone(), e(ExprKind::Null))).0, "Invalid index");
    assert_eq!(fails(idx(xs, e(ExprKind::Bool(true)))).0, "Invalid index");
    assert_eq!(ok(idx(obj(vec![("a", num("1"))]), st("a"))), n(1));
    assert_eq!(
        fails(idx(obj(vec![("a", num("1"))]), st("b"))).0,
        "Invalid index"
    );
    let (sum, detail) = fails(attr(obj(vec![("a", num("1"))]), "b"));
    assert_eq!(sum, "Unsupported attribute");
    assert_eq!(
        detail,
        "This object does not have an attribute named \"b\"."
    );
    assert_eq!(
        fails(attr(e(ExprKind::Null), "a")).0,
        "Attempt to get attribute from null value"
    );
    assert_eq!(
        fails(idx(e(ExprKind::Null), num("0"))).0,
        "Attempt to index null value"
    );
    assert_eq!(
        fails(attr(st("x"), "a")).1,
        "Can't access attributes on a primitive-typed value (string)."
    );
}

#[test]
fn conditionals() {
    let t = e(ExprKind::Bool(true));
    assert_eq!(ok(cond(t.clone(), num("1"), num("2"))), n(1));
    assert_eq!(
        fails(cond(num("1"), num("1"), num("2"))).0,
        "Incorrect condition type"
    );
    assert_eq!(
        fails(cond(e(ExprKind::Null), num("1"), num("2"))).0,
        "Null condition"
    );
    // The branch not taken may fail.
    let bad = idx(tup(vec![num("1")]), num("5"));
    assert_eq!(ok(cond(t.clone(), num("1"), bad)), n(1));
    assert_eq!(ok(cond(st("true"), num("1"), num("2"))), n(1));
    let (sum, detail) = fails(cond(t, num("1"), e(ExprKind::Bool(true))));
    assert_eq!(sum, "Inconsistent conditional result types");
    assert!(detail.ends_with("The given expressions are number and bool, respectively."));
}

#[test]
fn object_keys() {
    let x = e(ExprKind::Object(vec![
        (var("a"), num("1")),
        (st("a"), num("2")),
        (bin(BinaryOp::Add, num("1"), num("1")), num("3")),
    ]));
    assert_eq!(ok(x), Value::object([("a", n(2)), ("2", n(3))]));
    let null_key = e(ExprKind::Object(vec![(
        e(ExprKind::Parens(Box::new(e(ExprKind::Null)))),
        num("1"),
    )]));
    assert_eq!(fails(null_key).0, "Null value as key");
}

#[test]
fn unknown_names_are_reported_with_their_span() {
    let mut x = var("nope");
    x.span.start.line = 3;
    let d = eval(&x, &ctx()).unwrap_err();
    assert_eq!(d.0[0].summary, "Unknown variable");
    assert_eq!(d.0[0].detail, "There is no variable named \"nope\".");
    assert_eq!(d.0[0].span.as_ref().map(|s| s.start.line), Some(3));
}

#[test]
fn try_and_can() {
    let missing = attr(obj(vec![("a", num("1"))]), "b");
    assert_eq!(ok(call("can", vec![missing.clone()])), Value::Bool(false));
    assert_eq!(ok(call("can", vec![num("1")])), Value::Bool(true));
    assert_eq!(ok(call("try", vec![missing.clone(), num("7")])), n(7));
    assert!(ok(call("try", vec![var("u"), num("7")])).is_unknown());
    assert_eq!(fails(call("try", vec![])).0, "Error in function call");
    assert_eq!(
        fails(call("try", vec![missing])).0,
        "Error in function call"
    );
    assert_eq!(
        fails(call("can", vec![])).0,
        "Not enough function arguments"
    );
}

#[test]
fn unknown_functions_get_a_suggestion() {
    let (sum, detail) = fails(call("tryy", vec![num("1")]));
    assert_eq!(sum, "Call to unknown function");
    assert_eq!(
        detail,
        "There is no function named \"tryy\". Did you mean \"try\"?"
    );
}

#[test]
fn deep_nesting_fits_in_a_small_stack() {
    // The parser caps nesting at 256; evaluation at that depth must fit a 2 MiB stack.
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let mut x = num("1");
            for i in 0..256 {
                x = match i % 4 {
                    0 => tup(vec![x]),
                    1 => e(ExprKind::Parens(Box::new(bin(
                        BinaryOp::Add,
                        num("0"),
                        idx(x, num("0")),
                    )))),
                    2 => interp(vec![part(x)]),
                    _ => idx(obj(vec![("k", x)]), st("k")),
                };
            }
            eval(&x, &ctx()).map(|_| ())
        })
        .unwrap();
    assert!(handle.join().unwrap().is_ok());
}

#[test]
fn deep_nesting_of_every_kind_fits_in_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let mut x = num("1");
            for i in 0..256 {
                x = match i % 6 {
                    0 => for_tuple(
                        Some("k"),
                        "v",
                        tup(vec![num("1")]),
                        x,
                        Some(e(ExprKind::Bool(true))),
                    ),
                    1 => idx(x, num("0")),
                    2 => cond(e(ExprKind::Bool(true)), x, num("2")),
                    3 => splat(tup(vec![x]), item()),
                    4 => idx(x, num("0")),
                    _ => interp(vec![TemplatePart::If {
                        cond: e(ExprKind::Bool(true)),
                        then: vec![part(x)],
                        otherwise: vec![lit("no")],
                    }]),
                };
            }
            eval(&x, &ctx()).map(|_| ())
        })
        .unwrap();
    assert!(handle.join().unwrap().is_ok());
}

#[test]
fn references_resolve_by_path_with_marks_and_errors_intact() {
    let mut c = ctx();
    c.variables.insert(
        "res".into(),
        Value::object([(
            "web",
            Value::Tuple(vec![
                Value::object([("id", s("i-0"))]),
                Value::object([("id", Value::sensitive(s("i-1")))]),
            ]),
        )]),
    );
    c.variables
        .insert("count".into(), Value::object([("index", n(1))]));
    c.variables.insert(
        "hidden".into(),
        Value::sensitive(Value::object([("a", n(1))])),
    );
    let web = |i: Expr| attr(idx(attr(var("res"), "web"), i), "id");
    assert_eq!(eval(&web(num("0")), &c).unwrap(), s("i-0"));
    assert!(eval(&web(attr(var("count"), "index")), &c)
        .unwrap()
        .is_sensitive());
    assert_eq!(eval(&web(st("0")), &c).unwrap(), s("i-0"));
    let d = eval(&web(num("2")), &c).unwrap_err();
    assert_eq!(d.0[0].summary, "Invalid index");
    assert!(eval(&attr(var("hidden"), "a"), &c).unwrap().is_sensitive());
}

#[test]
fn chained_splats_apply_per_element() {
    // `[{b = [{c = 1}]}][*].b[*].c` is [[1]] in Terraform; `[1][*][*]` is [[1]].
    let src = tup(vec![obj(vec![(
        "b",
        tup(vec![obj(vec![("c", num("1"))])]),
    )])]);
    let chained = splat(splat(src.clone(), attr(item(), "b")), attr(item(), "c"));
    assert_eq!(ok(chained), Value::Tuple(vec![Value::Tuple(vec![n(1)])]));
    let twice = splat(splat(tup(vec![num("1")]), item()), item());
    assert_eq!(ok(twice), Value::Tuple(vec![Value::Tuple(vec![n(1)])]));
    // A parenthesised splat is a value of its own: `([1][*])[*]` is [1].
    let grouped = splat(
        e(ExprKind::Parens(Box::new(splat(
            tup(vec![num("1")]),
            item(),
        )))),
        item(),
    );
    assert_eq!(ok(grouped), Value::Tuple(vec![n(1)]));
}
