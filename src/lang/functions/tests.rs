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
