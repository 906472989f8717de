//! Tests of the common call machinery (arity, nulls, unknowns, marks, registry).

use super::testutil::*;
use super::*;

#[test]
fn unknown_function_is_none() {
    assert!(call("nope", vec![], &FunctionContext::default()).is_none());
    assert!(call("list", vec![n(1)], &FunctionContext::default()).is_none());
}

#[test]
fn names_are_sorted_and_unique() {
    let names = names();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted);
    for expected in [
        "abs",
        "format",
        "jsonencode",
        "cidrsubnets",
        "tolist",
        "timecmp",
    ] {
        assert!(names.contains(&expected), "{expected}");
    }
}

#[test]
fn unknown_arguments_give_typed_unknowns() {
    assert_eq!(
        ok("lower", vec![Value::unknown()]),
        Value::Unknown(Type::String)
    );
    assert_eq!(
        ok("split", vec![s(","), Value::unknown()]),
        Value::Unknown(Type::list(Type::String))
    );
    assert_eq!(ok("length", vec![tup(vec![Value::unknown(), n(1)])]), n(2));
    assert_eq!(
        ok("length", vec![Value::unknown()]),
        Value::Unknown(Type::Number)
    );
    assert_eq!(
        ok("jsonencode", vec![tup(vec![Value::unknown()])]),
        Value::Unknown(Type::String)
    );
}

#[test]
fn sensitive_arguments_mark_results() {
    let secret = Value::sensitive(s("abc"));
    assert_eq!(
        ok("upper", vec![secret.clone()]),
        Value::sensitive(s("ABC"))
    );
    let nested = tup(vec![s("a"), secret]);
    assert!(ok("join", vec![s(","), nested]).is_sensitive());
    assert!(!ok("upper", vec![s("a")]).is_sensitive());
}

#[test]
fn strings_are_nfc_normalised() {
    assert_eq!(ok("length", vec![s("e\u{301}")]), n(1));
    assert_eq!(ok("upper", vec![s("e\u{301}")]), s("É"));
}

#[test]
fn nested_marks_stay_on_elements_for_structural_functions() {
    let secret = Value::sensitive(s("a"));
    // Terraform: concat([sensitive("a")], ["b"]) is [(sensitive), "b"].
    let joined = ok("concat", vec![tup(vec![secret.clone()]), strs(&["b"])]);
    assert!(!joined.is_sensitive());
    assert_eq!(joined, tup(vec![secret.clone(), s("b")]));
    assert_eq!(ok("length", vec![tup(vec![secret.clone()])]), n(1));
    assert_eq!(
        ok("keys", vec![obj(vec![("a", Value::sensitive(n(1)))])]),
        strs(&["a"])
    );
    let list = ok("tolist", vec![tup(vec![secret.clone()])]);
    assert_eq!(list, Value::List(vec![secret.clone()]));
    assert_eq!(
        ok("element", vec![tup(vec![secret.clone(), s("b")]), n(1)]),
        s("b")
    );
    assert!(ok("element", vec![tup(vec![secret.clone()]), n(0)]).is_sensitive());
    // Functions that derive new data mark the whole result.
    assert!(ok("jsonencode", vec![obj(vec![("a", secret.clone())])]).is_sensitive());
    assert!(ok("join", vec![s(","), tup(vec![secret.clone()])]).is_sensitive());
    // A sensitive collection marks the result of any function.
    assert!(ok("length", vec![Value::sensitive(tup(vec![n(1)]))]).is_sensitive());
}

/// Every function, called with awkward arguments, returns a value or an error and never
/// panics (the calls are deterministic; `bcrypt` is left out because it is slow by design).
#[test]
fn no_function_panics_on_odd_arguments() {
    let pool = vec![
        Value::Null,
        Value::unknown(),
        Value::Unknown(Type::list(Type::String)),
        Value::Bool(true),
        n(0),
        n(-1),
        num("1.5"),
        num("1e30"),
        num("-9223372036854775809"),
        s(""),
        s("a"),
        s("é👍🏽"),
        s("%[2]*d%"),
        s("/(/"),
        s("2020-01-01T00:00:00Z"),
        s("10.0.0.0/8"),
        s("fd00::/120"),
        tup(vec![]),
        tup(vec![n(1), s("a")]),
        tup(vec![tup(vec![Value::Null])]),
        obj(vec![("a", n(1)), ("b", tup(vec![]))]),
        Value::Map([("k".to_string(), s("v"))].into_iter().collect()),
        Value::set_from(vec![n(2), n(1)]),
        Value::sensitive(s("secret")),
    ];
    let ctx = FunctionContext::default();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    for name in names() {
        if name == "bcrypt" {
            continue;
        }
        let _ = call(name, vec![], &ctx);
        for a in &pool {
            let _ = call(name, vec![a.clone()], &ctx);
            for b in &pool {
                let _ = call(name, vec![a.clone(), b.clone()], &ctx);
            }
        }
        for _ in 0..300 {
            let k = 3 + next(3);
            let args: Vec<Value> = (0..k).map(|_| pool[next(pool.len())].clone()).collect();
            let _ = call(name, args, &ctx);
        }
    }
}
