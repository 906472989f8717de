//! Collection function tests; expected values come from Terraform 1.0.3.

use super::super::testutil::*;
use super::super::{Type, Value};

fn l(xs: Vec<Value>) -> Value {
    Value::List(xs)
}

fn m(xs: Vec<(&str, Value)>) -> Value {
    Value::Map(xs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

#[test]
fn length_counts_graphemes_and_elements() {
    assert_eq!(ok("length", vec![s("abc")]), n(3));
    assert_eq!(ok("length", vec![s("👍🏽x")]), n(2));
    assert_eq!(ok("length", vec![obj(vec![("a", n(1))])]), n(1));
    assert_eq!(err("length", vec![n(1)]).0, "Error in function call");
    assert_eq!(
        err("length", vec![Value::Null]).0,
        "Invalid function argument"
    );
}

#[test]
fn concat_lists_and_tuples() {
    assert_eq!(okj("concat", vec![tup(vec![]), tup(vec![])]), "[]");
    let mixed = ok("concat", vec![tup(vec![n(1)]), strs(&["a"])]);
    assert_eq!(mixed, tup(vec![n(1), s("a")]));
    assert_eq!(
        ok("concat", vec![list_strs(&["a"]), list_strs(&["b"])]),
        list_strs(&["a", "b"])
    );
    assert_eq!(
        ok("concat", vec![list_strs(&["a"]), strs(&["b"])]),
        strs(&["a", "b"])
    );
    let (sm, d) = err("concat", vec![s("a")]);
    assert_eq!(sm, "Invalid function argument");
    assert_eq!(
        d,
        "Invalid value for \"seqs\" parameter: all arguments must be lists or tuples; got string."
    );
    assert_eq!(
        err("concat", vec![tup(vec![n(1)]), Value::Null]).0,
        "Invalid function argument"
    );
}

#[test]
fn merge_maps_and_objects() {
    assert_eq!(
        okj(
            "merge",
            vec![obj(vec![("a", n(1))]), obj(vec![("b", n(2))])]
        ),
        r#"{"a":1,"b":2}"#
    );
    assert_eq!(
        okj(
            "merge",
            vec![obj(vec![("a", n(1))]), obj(vec![("a", s("x"))])]
        ),
        r#"{"a":"x"}"#
    );
    let maps = ok("merge", vec![m(vec![("a", n(1))]), m(vec![("b", n(2))])]);
    assert!(matches!(maps, Value::Map(_)));
    let mixed = ok(
        "merge",
        vec![m(vec![("a", n(1))]), obj(vec![("b", s("x"))])],
    );
    assert!(matches!(mixed, Value::Object(_)));
    assert_eq!(okj("merge", vec![]), "{}");
    let (sm, d) = err("merge", vec![tup(vec![n(1)])]);
    assert_eq!(sm, "Error in function call");
    assert_eq!(
        d,
        "Call to function \"merge\" failed: arguments must be maps or objects, got \"tuple\"."
    );
}

#[test]
fn lookup_element_index_contains() {
    assert_eq!(
        okj(
            "lookup",
            vec![
                obj(vec![("a", obj(vec![("n", n(1))]))]),
                s("b"),
                obj(vec![("n", n(0))])
            ]
        ),
        r#"{"n":0}"#
    );
    assert_eq!(
        ok("lookup", vec![m(vec![("a", s("x"))]), s("b"), n(1)]),
        s("1")
    );
    assert_eq!(
        ok("lookup", vec![obj(vec![("a", s("x"))]), s("b"), n(1)]),
        n(1)
    );
    let (_, d) = err("lookup", vec![obj(vec![("a", n(1))]), s("b")]);
    assert_eq!(
        d,
        "Invalid value for \"inputMap\" parameter: the given object has no attribute \"b\"."
    );
    assert_eq!(ok("element", vec![strs(&["a", "b"]), s("1")]), s("b"));
    assert_eq!(ok("element", vec![strs(&["a", "b"]), n(5)]), s("b"));
    assert!(err("element", vec![tup(vec![]), n(0)])
        .1
        .contains("empty list"));
    assert!(err("element", vec![strs(&["a"]), n(-1)])
        .1
        .contains("negative index"));
    assert_eq!(ok("index", vec![strs(&["a", "b"]), s("b")]), n(1));
    assert!(err("index", vec![strs(&["a"]), s("b")])
        .1
        .ends_with("item not found."));
    assert_eq!(
        ok("contains", vec![strs(&["a", "b"]), s("z")]),
        Value::Bool(false)
    );
    assert_eq!(
        ok("contains", vec![tup(vec![n(1), n(2)]), s("1")]),
        Value::Bool(false)
    );
    assert_eq!(
        ok("contains", vec![tup(vec![n(1), n(2)]), n(2)]),
        Value::Bool(true)
    );
}

#[test]
fn ordering_functions() {
    assert_eq!(okj("sort", vec![tup(vec![n(10), n(9)])]), r#"["10","9"]"#);
    assert_eq!(
        okj("sort", vec![strs(&["b", "a", "B"])]),
        r#"["B","a","b"]"#
    );
    assert!(err("sort", vec![tup(vec![s("a"), Value::Null])])
        .1
        .contains("given list element 1 is null"));
    assert_eq!(okj("distinct", vec![tup(vec![])]), "[]");
    assert_eq!(
        okj("distinct", vec![strs(&["b", "a", "b"])]),
        r#"["b","a"]"#
    );
    assert_eq!(
        okj("distinct", vec![tup(vec![n(1), s("1"), n(2)])]),
        r#"["1","2"]"#
    );
    assert_eq!(
        ok("reverse", vec![tup(vec![n(1), s("a")])]),
        tup(vec![s("a"), n(1)])
    );
    assert_eq!(
        err("reverse", vec![s("abc")]).0,
        "Invalid function argument"
    );
    assert_eq!(
        okj("values", vec![m(vec![("b", s("x")), ("a", s("y"))])]),
        r#"["y","x"]"#
    );
    assert_eq!(
        ok("keys", vec![obj(vec![("b", n(1)), ("a", n(2))])]),
        strs(&["a", "b"])
    );
    assert_eq!(ok("keys", vec![m(vec![])]), l(vec![]));
    assert!(err("keys", vec![n(1)])
        .1
        .contains("must have map or object type"));
}

#[test]
fn flatten_slice_chunk() {
    assert_eq!(
        okj("flatten", vec![tup(vec![tup(vec![]), tup(vec![n(1)])])]),
        "[1]"
    );
    assert_eq!(
        okj(
            "flatten",
            vec![tup(vec![
                n(1),
                tup(vec![n(2), tup(vec![n(3)])]),
                Value::set_from(vec![s("x")])
            ])]
        ),
        r#"[1,2,3,"x"]"#
    );
    assert_eq!(err("flatten", vec![s("a")]).0, "Error in function call");
    assert_eq!(
        okj("slice", vec![strs(&["a", "b", "c"]), n(1), n(2)]),
        r#"["b"]"#
    );
    let (sm, d) = err("slice", vec![tup(vec![n(1), n(2)]), n(1), n(5)]);
    assert_eq!(sm, "Invalid function argument");
    assert!(d.starts_with("Invalid value for \"end_index\" parameter"));
    assert!(err("slice", vec![strs(&["a"]), n(1), n(0)])
        .1
        .starts_with("Invalid value for \"start_index\" parameter"));
    assert_eq!(
        okj("chunklist", vec![tup(vec![n(1), n(2), n(3)]), n(2)]),
        "[[1,2],[3]]"
    );
    assert_eq!(
        okj("chunklist", vec![tup(vec![n(1), n(2), n(3)]), n(0)]),
        "[[1,2,3]]"
    );
    assert_eq!(
        err("chunklist", vec![tup(vec![n(1)]), n(-1)]).0,
        "Error in function call"
    );
    assert!(err("chunklist", vec![s("a"), n(1)])
        .1
        .ends_with("list of any single type required."));
}

#[test]
fn range_like_terraform() {
    assert_eq!(okj("range", vec![n(0)]), "[]");
    assert_eq!(okj("range", vec![n(1), n(4)]), "[1,2,3]");
    assert_eq!(okj("range", vec![n(5), n(1), n(-2)]), "[5,3]");
    assert_eq!(okj("range", vec![num("0.5"), n(2)]), "[0.5,1.5]");
    assert_eq!(okj("range", vec![num("3.5")]), "[0,1,2,3]");
    assert_eq!(okj("range", vec![n(-2)]), "[0,-1]");
    assert_eq!(ok("length", vec![ok("range", vec![n(1024)])]), n(1024));
    assert!(err("range", vec![n(1025)])
        .1
        .contains("more than 1024 values"));
    assert!(err("range", vec![n(1), n(2), n(0)])
        .1
        .contains("more than 1024 values"));
    assert!(err("range", vec![n(1), n(2), n(3), n(4)])
        .1
        .contains("must have one, two, or three arguments"));
}

#[test]
fn coalesce_compact_one_sum() {
    assert_eq!(ok("coalesce", vec![n(1), s("a")]), s("1"));
    assert_eq!(ok("coalesce", vec![s(""), s("b")]), s("b"));
    assert_eq!(ok("coalesce", vec![Value::Null, s("x")]), s("x"));
    assert!(err("coalesce", vec![Value::Null, s("")])
        .1
        .contains("no non-null, non-empty-string arguments"));
    assert_eq!(
        ok("coalesce", vec![Value::unknown(), s("x")]),
        Value::Unknown(Type::String)
    );
    assert_eq!(
        okj("coalescelist", vec![tup(vec![]), tup(vec![n(1)])]),
        "[1]"
    );
    assert!(err("coalescelist", vec![tup(vec![]), tup(vec![])])
        .1
        .contains("no non-null arguments"));
    assert_eq!(
        okj("compact", vec![tup(vec![s("a"), Value::Null, s("")])]),
        r#"["a"]"#
    );
    assert_eq!(ok("one", vec![Value::set_from(vec![s("a")])]), s("a"));
    assert_eq!(ok("one", vec![tup(vec![])]), Value::Null);
    assert_eq!(
        err("one", vec![tup(vec![n(1), n(2)])]).0,
        "Invalid function argument"
    );
    assert_eq!(ok("sum", vec![tup(vec![n(1), num("2.5")])]), num("3.5"));
    assert_eq!(
        err("sum", vec![tup(vec![s("1"), n(2)])]).0,
        "Error in function call"
    );
    assert_eq!(err("sum", vec![tup(vec![])]).0, "Invalid function argument");
    assert_eq!(
        ok(
            "alltrue",
            vec![tup(vec![Value::Bool(true), Value::Bool(false)])]
        ),
        Value::Bool(false)
    );
    assert_eq!(ok("alltrue", vec![tup(vec![])]), Value::Bool(true));
    assert_eq!(ok("anytrue", vec![tup(vec![])]), Value::Bool(false));
    assert_eq!(ok("anytrue", vec![tup(vec![s("true")])]), Value::Bool(true));
    assert_eq!(
        err("alltrue", vec![tup(vec![n(1)])]).1,
        "Invalid value for \"list\" parameter: element 0: bool required."
    );
}

#[test]
fn maps_from_lists() {
    assert_eq!(
        okj("zipmap", vec![strs(&["a", "a"]), tup(vec![n(1), n(2)])]),
        r#"{"a":2}"#
    );
    assert!(matches!(
        ok("zipmap", vec![list_strs(&["a"]), l(vec![n(1)])]),
        Value::Map(_)
    ));
    assert!(err("zipmap", vec![strs(&["a"]), tup(vec![n(1), n(2)])])
        .1
        .contains("number of keys (1) does not match number of values (2)"));
    assert_eq!(
        okj("transpose", vec![obj(vec![("a", tup(vec![n(1)]))])]),
        r#"{"1":["a"]}"#
    );
    assert_eq!(
        okj(
            "transpose",
            vec![obj(vec![("a", strs(&["1", "2"])), ("b", strs(&["2"]))])]
        ),
        r#"{"1":["a"],"2":["a","b"]}"#
    );
    assert_eq!(
        okj(
            "matchkeys",
            vec![strs(&["a", "b"]), tup(vec![n(1), n(2)]), tup(vec![n(2)])]
        ),
        r#"["b"]"#
    );
    assert!(err(
        "matchkeys",
        vec![tup(vec![n(1)]), tup(vec![n(1), n(2)]), tup(vec![n(1)])]
    )
    .1
    .contains("length of keys and values should be equal"));
}
