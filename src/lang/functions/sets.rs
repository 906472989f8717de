//! Set functions: union, intersection, difference and cartesian product.
//!
//! Arguments are converted to sets of one unified element type first (`setunion(["a"],
//! [1])` is `toset(["1", "a"])`), and results are sets in Terraform's order.

use super::collection::values_equal;
use super::{call_err, convert, p, spec, t_dyn, FnResult, FunctionContext, Spec, Type, Value, P};

pub(super) const SPECS: &[Spec] = &[
    spec(
        "setintersection",
        &[p("first_set", P::SetAny)],
        t_dyn,
        setintersection,
    )
    .var(p("other_sets", P::SetAny)),
    spec(
        "setsubtract",
        &[p("a", P::SetAny), p("b", P::SetAny)],
        t_dyn,
        setsubtract,
    ),
    spec("setunion", &[p("first_set", P::SetAny)], t_dyn, setunion).var(p("other_sets", P::SetAny)),
    spec("setproduct", &[], t_dyn, setproduct).var(p("sets", P::Any)),
];

/// Every argument's elements, converted to one common element type.
fn unified_sets(args: &[Value]) -> Result<Vec<Vec<Value>>, super::FnErr> {
    let types: Vec<Type> = args
        .iter()
        .flat_map(|a| a.as_seq().unwrap_or_default().iter().map(Value::type_of))
        .collect();
    let ty = convert::unify(&types)
        .ok_or_else(|| call_err("given sets must all have compatible element types"))?;
    args.iter()
        .map(|a| {
            a.as_seq()
                .unwrap_or_default()
                .iter()
                .map(|x| convert::convert(x, &ty).map_err(|e| call_err(e.cty_message())))
                .collect()
        })
        .collect()
}

fn setunion(args: &[Value], _: &FunctionContext) -> FnResult {
    let sets = unified_sets(args)?;
    Ok(Value::set_from(sets.into_iter().flatten().collect()))
}

fn setintersection(args: &[Value], _: &FunctionContext) -> FnResult {
    let sets = unified_sets(args)?;
    let Some((first, rest)) = sets.split_first() else {
        return Ok(Value::Set(vec![]));
    };
    let kept = first
        .iter()
        .filter(|x| rest.iter().all(|s| s.iter().any(|y| values_equal(x, y))))
        .cloned()
        .collect();
    Ok(Value::set_from(kept))
}

fn setsubtract(args: &[Value], _: &FunctionContext) -> FnResult {
    let sets = unified_sets(args)?;
    let (a, b) = match sets.as_slice() {
        [a, b] => (a, b),
        _ => return Ok(Value::Set(vec![])),
    };
    let kept = a
        .iter()
        .filter(|x| !b.iter().any(|y| values_equal(x, y)))
        .cloned()
        .collect();
    Ok(Value::set_from(kept))
}

/// Products beyond this many elements are refused rather than exhausting memory.
const PRODUCT_LIMIT: usize = 1_000_000;

fn setproduct(args: &[Value], _: &FunctionContext) -> FnResult {
    if args.len() < 2 {
        return Err(call_err("at least two arguments are required"));
    }
    let mut any_set = false;
    let mut seqs: Vec<&[Value]> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        match a.unmarked() {
            Value::Set(xs) => {
                any_set = true;
                seqs.push(xs)
            }
            Value::List(xs) | Value::Tuple(xs) => seqs.push(xs),
            _ => return Err(super::arg_err(i, "a set or a list is required")),
        }
    }
    let total = seqs
        .iter()
        .try_fold(1usize, |acc, s| acc.checked_mul(s.len()))
        .filter(|t| *t <= PRODUCT_LIMIT)
        .ok_or_else(|| call_err("the product has too many elements"))?;
    let mut rows: Vec<Vec<Value>> = Vec::with_capacity(total);
    rows.push(Vec::new());
    for seq in &seqs {
        let mut next = Vec::with_capacity(rows.len() * seq.len());
        for row in &rows {
            for x in seq.iter() {
                let mut r = row.clone();
                r.push(x.clone());
                next.push(r);
            }
        }
        rows = next;
    }
    let tuples: Vec<Value> = rows.into_iter().map(Value::Tuple).collect();
    // Any set among the arguments makes the product a set.
    Ok(if any_set {
        Value::set_from(tuples)
    } else {
        Value::List(tuples)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn set_operations() {
        assert_eq!(
            okj("setunion", vec![strs(&["a"]), tup(vec![n(1)])]),
            r#"["1","a"]"#
        );
        assert_eq!(okj("setunion", vec![strs(&[]), strs(&[])]), "[]");
        assert_eq!(
            okj("setintersection", vec![strs(&["a", "b"]), strs(&["b"])]),
            r#"["b"]"#
        );
        assert_eq!(
            okj("setintersection", vec![tup(vec![n(1)]), tup(vec![n(2)])]),
            "[]"
        );
        assert_eq!(
            okj("setsubtract", vec![tup(vec![n(1), n(2)]), tup(vec![n(2)])]),
            "[1]"
        );
        let (sm, d) = err("setunion", vec![]);
        assert_eq!(sm, "Not enough function arguments");
        assert_eq!(
            d,
            "Function \"setunion\" expects at least 1 argument(s). Missing value for \"first_set\"."
        );
    }

    #[test]
    fn product() {
        assert_eq!(
            okj("setproduct", vec![strs(&["a", "b"]), tup(vec![n(1), n(2)])]),
            r#"[["a",1],["a",2],["b",1],["b",2]]"#
        );
        assert_eq!(okj("setproduct", vec![strs(&["a"]), strs(&[])]), "[]");
        let (sm, _) = err("setproduct", vec![]);
        assert_eq!(sm, "Error in function call");
        let (sm, _) = err("setproduct", vec![strs(&["a"])]);
        assert_eq!(sm, "Error in function call");
    }
}
