//! Type conversion functions (`tostring`, `tolist`, ...) and the sensitivity functions.

use super::convert::{can_convert, convert, friendly_name};
use super::{arg_err, p, spec, t_bool, t_dyn, t_num, t_str};
use super::{FnResult, FunctionContext, Spec, Type, Value, P};

const V: super::Param = p("v", P::Any).nullable().unknowns();

pub(super) const SPECS: &[Spec] = &[
    spec("tobool", &[V], t_bool, |a, _| to(a, Type::Bool)),
    spec("tonumber", &[V], t_num, |a, _| to(a, Type::Number)),
    spec("tostring", &[V], t_str, |a, _| to(a, Type::String)),
    spec("tolist", &[V], t_dyn, |a, _| {
        to(a, Type::list(Type::Dynamic))
    })
    .nested_marks(),
    spec("toset", &[V], t_dyn, |a, _| to(a, Type::set(Type::Dynamic))).nested_marks(),
    spec("tomap", &[V], t_dyn, |a, _| to(a, Type::map(Type::Dynamic))).nested_marks(),
    spec(
        "sensitive",
        &[p("value", P::Any).nullable().unknowns()],
        t_dyn,
        sensitive,
    )
    .marks(),
    spec(
        "nonsensitive",
        &[p("value", P::Any).nullable().unknowns()],
        t_dyn,
        nonsensitive,
    )
    .marks(),
];

/// Converts argument 0 to `ty` with the messages Terraform's `to*` functions give.
fn to(args: &[Value], ty: Type) -> FnResult {
    let v = args.first().cloned().unwrap_or(Value::Null);
    let from = v.unmarked().type_of();
    if !can_convert(&from, &ty) {
        return Err(arg_err(
            0,
            format!(
                "cannot convert {} to {}",
                friendly_name(&from),
                friendly_name(&ty)
            ),
        ));
    }
    convert(&v, &ty).map_err(|e| match (v.as_str(), &ty) {
        (Some(s), Type::Bool) => arg_err(
            0,
            format!("cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"),
        ),
        (Some(s), Type::Number) => arg_err(
            0,
            format!("cannot convert {s:?} to number; given string must be a decimal representation of a number"),
        ),
        _ => arg_err(0, e.cty_message()),
    })
}

fn sensitive(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::sensitive(
        args.first().cloned().unwrap_or(Value::Null),
    ))
}

/// Removes the sensitive mark. Like Terraform 1.0, refuses values that are not marked,
/// because the call would hide nothing and is probably a mistake.
fn nonsensitive(args: &[Value], _: &FunctionContext) -> FnResult {
    let v = args.first().cloned().unwrap_or(Value::Null);
    if !v.is_sensitive() && v.is_wholly_known() {
        return Err(arg_err(
            0,
            "the given value is not sensitive, so this call is redundant",
        ));
    }
    Ok(v.unmarked().clone())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Type, Value};

    #[test]
    fn conversions_like_terraform() {
        assert_eq!(ok("tostring", vec![Value::Bool(true)]), s("true"));
        assert_eq!(ok("tonumber", vec![s("-0")]), num("0"));
        assert_eq!(ok("tonumber", vec![s("1e3")]), n(1000));
        assert_eq!(ok("tonumber", vec![s(".5")]), num("0.5"));
        assert_eq!(ok("tonumber", vec![s("5.")]), n(5));
        assert_eq!(ok("tonumber", vec![s("+5")]), n(5));
        assert_eq!(ok("tonumber", vec![Value::Null]), Value::Null);
        assert_eq!(ok("tobool", vec![s("1")]), Value::Bool(true));
        assert_eq!(
            err("tonumber", vec![Value::Bool(true)]).0,
            "Invalid function argument"
        );
        assert_eq!(err("tobool", vec![n(1)]).0, "Invalid function argument");
        let (_, d) = err("tobool", vec![s("yes")]);
        assert_eq!(d, "Invalid value for \"v\" parameter: cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed.");
        let (_, d) = err("tonumber", vec![s(" 1")]);
        assert_eq!(d, "Invalid value for \"v\" parameter: cannot convert \" 1\" to number; given string must be a decimal representation of a number.");
        let (_, d) = err("tostring", vec![tup(vec![])]);
        assert_eq!(
            d,
            "Invalid value for \"v\" parameter: cannot convert tuple to string."
        );
        let (_, d) = err(
            "tomap",
            vec![obj(vec![("a", n(1)), ("b", tup(vec![n(1)]))])],
        );
        assert_eq!(
            d,
            "Invalid value for \"v\" parameter: cannot convert object to map of any single type."
        );
        let (_, d) = err("tolist", vec![tup(vec![n(1), tup(vec![n(1)])])]);
        assert_eq!(
            d,
            "Invalid value for \"v\" parameter: cannot convert tuple to list of any single type."
        );
    }

    #[test]
    fn collections() {
        let set = ok("toset", vec![strs(&["b", "a"])]);
        assert_eq!(okj("tolist", vec![set]), r#"["a","b"]"#);
        assert_eq!(okj("toset", vec![tup(vec![])]), "[]");
        assert_eq!(okj("toset", vec![tup(vec![n(1), s("a")])]), r#"["1","a"]"#);
        assert_eq!(
            okj("tolist", vec![tup(vec![s("a"), n(1), Value::Bool(true)])]),
            r#"["a","1","true"]"#
        );
        assert_eq!(
            okj(
                "tomap",
                vec![obj(vec![
                    ("a", obj(vec![("x", n(1))])),
                    ("b", obj(vec![("y", n(2))]))
                ])]
            ),
            r#"{"a":{"x":1},"b":{"y":2}}"#
        );
        assert_eq!(
            okj(
                "tolist",
                vec![tup(vec![obj(vec![("a", n(1))]), obj(vec![("b", n(2))])])]
            ),
            r#"[{"a":1},{"b":2}]"#
        );
        assert_eq!(
            ok("tolist", vec![Value::Unknown(Type::Dynamic)]),
            Value::Unknown(Type::list(Type::Dynamic))
        );
    }

    #[test]
    fn sensitivity() {
        let secret = ok("sensitive", vec![s("x")]);
        assert!(secret.is_sensitive());
        assert_eq!(ok("nonsensitive", vec![secret.clone()]), s("x"));
        assert_eq!(
            err("nonsensitive", vec![s("x")]).0,
            "Invalid function argument"
        );
        // Sensitive arguments make results sensitive.
        assert!(ok("length", vec![secret]).is_sensitive());
    }
}
