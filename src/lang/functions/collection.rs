//! Collection functions: lists, tuples, maps and objects.

use super::{arg_err, arg_int, arg_num, arg_seq, arg_str, call_err, convert, p, spec, type_name};
use super::{t_bool, t_dyn, t_list_str, t_num, FnErr, FnResult, FunctionContext, Number, Spec};
use super::{Type, Value, P};
use crate::lang::ValueMap;
use std::collections::BTreeMap;
use unicode_segmentation::UnicodeSegmentation;

pub(super) const SPECS: &[Spec] = &[
    spec("alltrue", &[p("list", P::ListBool)], t_bool, alltrue),
    spec("anytrue", &[p("list", P::ListBool)], t_bool, anytrue),
    spec(
        "chunklist",
        &[p("list", P::ListAny), p("size", P::Num)],
        t_dyn,
        chunklist,
    ),
    spec("coalesce", &[], t_dyn, coalesce)
        .var(p("vals", P::Any).nullable().unknowns())
        .nested_marks(),
    spec("coalescelist", &[], t_dyn, coalescelist)
        .var(p("vals", P::Any).nullable())
        .nested_marks(),
    spec("compact", &[p("list", P::ListStr)], t_list_str, compact),
    spec("concat", &[], t_dyn, concat)
        .var(p("seqs", P::Any).unknowns())
        .nested_marks(),
    spec(
        "contains",
        &[p("list", P::Any), p("value", P::Any)],
        t_bool,
        contains,
    ),
    spec("distinct", &[p("list", P::ListAny)], t_dyn, distinct),
    spec(
        "element",
        &[p("list", P::Any), p("index", P::Num)],
        t_dyn,
        element,
    )
    .nested_marks(),
    spec("flatten", &[p("list", P::Any)], t_dyn, flatten),
    spec(
        "index",
        &[p("list", P::Any), p("value", P::Any)],
        t_num,
        index,
    ),
    spec("keys", &[p("inputMap", P::Any).unknowns()], t_dyn, keys).nested_marks(),
    spec("length", &[p("value", P::Any).unknowns()], t_num, length).nested_marks(),
    spec(
        "lookup",
        &[p("inputMap", P::Any), p("key", P::Str)],
        t_dyn,
        lookup,
    )
    .var(p("default", P::Any).nullable())
    .nested_marks(),
    spec(
        "matchkeys",
        &[
            p("values", P::ListAny),
            p("keys", P::ListAny),
            p("searchset", P::ListAny),
        ],
        t_dyn,
        matchkeys,
    ),
    spec("merge", &[], t_dyn, merge)
        .var(p("maps", P::Any).nullable())
        .nested_marks(),
    spec("one", &[p("list", P::Any)], t_dyn, one).nested_marks(),
    spec("range", &[], t_list_num, range).var(p("params", P::Num)),
    spec("reverse", &[p("list", P::Any)], t_dyn, reverse).nested_marks(),
    spec(
        "slice",
        &[
            p("list", P::Any),
            p("start_index", P::Num),
            p("end_index", P::Num),
        ],
        t_dyn,
        slice,
    )
    .nested_marks(),
    spec("sort", &[p("list", P::ListStr)], t_list_str, sort),
    spec("sum", &[p("list", P::Any)], t_num, sum),
    spec(
        "transpose",
        &[p("values", P::MapListStr)],
        t_map_list_str,
        transpose,
    ),
    spec("values", &[p("mapping", P::Any)], t_dyn, values).nested_marks(),
    spec(
        "zipmap",
        &[p("keys", P::ListStr), p("values", P::Any)],
        t_dyn,
        zipmap,
    ),
];

fn t_list_num() -> Type {
    Type::list(Type::Number)
}

fn t_map_list_str() -> Type {
    Type::map(Type::list(Type::String))
}

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).map(Value::unmarked).unwrap_or(&Value::Null)
}

fn alltrue(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::Bool(
        arg_seq(args, 0).iter().all(|v| v.as_bool() == Some(true)),
    ))
}

fn anytrue(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::Bool(
        arg_seq(args, 0).iter().any(|v| v.as_bool() == Some(true)),
    ))
}

fn chunklist(args: &[Value], _: &FunctionContext) -> FnResult {
    let size = arg_int(args, 1)?;
    if size < 0 {
        return Err(call_err("the size argument must be positive"));
    }
    let xs = arg_seq(args, 0);
    if xs.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(xs.to_vec())]));
    }
    Ok(Value::List(
        xs.chunks(size as usize)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

fn coalesce(args: &[Value], _: &FunctionContext) -> FnResult {
    let Some((ty, vals)) = convert::unify_values(args).filter(|_| !args.is_empty()) else {
        return Err(call_err("all arguments must have the same type"));
    };
    for v in vals {
        if v.is_unknown() {
            return Ok(Value::Unknown(ty));
        }
        if v.is_null() || v.as_str() == Some("") {
            continue;
        }
        return Ok(v);
    }
    Err(call_err("no non-null, non-empty-string arguments"))
}

fn coalescelist(args: &[Value], _: &FunctionContext) -> FnResult {
    for v in args {
        match v.unmarked() {
            Value::List(xs) | Value::Tuple(xs) if xs.is_empty() => continue,
            Value::List(_) | Value::Tuple(_) => return Ok(v.clone()),
            _ => return Err(call_err("coalescelist arguments must be lists or tuples")),
        }
    }
    Err(call_err("no non-null arguments"))
}

fn compact(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::List(
        arg_seq(args, 0)
            .iter()
            .filter(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

/// `concat`: lists concatenate into a list of their unified element type; if any argument
/// is a tuple, the elements of all arguments form a tuple (`concat([1], ["a"])` is
/// `[1, "a"]`). An unknown argument makes the whole result unknown.
fn concat(args: &[Value], _: &FunctionContext) -> FnResult {
    if args.is_empty() {
        return Err(call_err("at least one argument is required"));
    }
    let mut all_lists = true;
    let mut any_unknown = false;
    for (i, a) in args.iter().enumerate() {
        match a.unmarked() {
            Value::List(_) | Value::Unknown(Type::List(_)) => {}
            Value::Tuple(_) | Value::Unknown(Type::Tuple(_)) => all_lists = false,
            Value::Unknown(_) => any_unknown = true,
            other => {
                return Err(arg_err(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        type_name(other)
                    ),
                ))
            }
        }
        any_unknown |= a.is_unknown();
    }
    if any_unknown {
        return Ok(Value::unknown());
    }
    let items: Vec<Value> = args.iter().flat_map(|a| arg_seq_of(a).to_vec()).collect();
    if all_lists {
        return match convert::unify_values(&items) {
            Some((_, converted)) => Ok(Value::List(converted)),
            None => Err(call_err(
                "all arguments must be lists of the same element type",
            )),
        };
    }
    Ok(Value::Tuple(items))
}

fn arg_seq_of(v: &Value) -> &[Value] {
    v.as_seq().unwrap_or_default()
}

fn contains(args: &[Value], _: &FunctionContext) -> FnResult {
    let xs = arg(args, 0)
        .as_seq()
        .ok_or_else(|| call_err("argument must be list, tuple, or set"))?;
    let needle = arg(args, 1);
    Ok(Value::Bool(xs.iter().any(|x| values_equal(x, needle))))
}

/// Terraform's `==`: same type and same value (numbers compare numerically).
pub(super) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a.unmarked(), b.unmarked()) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && values_equal(va, vb))
        }
        (x, y) => x == y,
    }
}

fn distinct(args: &[Value], _: &FunctionContext) -> FnResult {
    let mut out: Vec<Value> = Vec::new();
    for x in arg_seq(args, 0) {
        if !out.iter().any(|o| values_equal(o, x)) {
            out.push(x.clone());
        }
    }
    Ok(Value::List(out))
}

fn element(args: &[Value], _: &FunctionContext) -> FnResult {
    let list = arg(args, 0);
    let xs = match list {
        Value::List(xs) | Value::Tuple(xs) => xs,
        other => {
            return Err(call_err(format!(
                "cannot read elements from {}",
                type_name(other)
            )))
        }
    };
    if xs.is_empty() {
        return Err(call_err("cannot use element function with an empty list"));
    }
    let i = arg_int(args, 1)?;
    if i < 0 {
        return Err(call_err(
            "cannot use element function with a negative index",
        ));
    }
    let idx = (i as u64 % xs.len() as u64) as usize;
    Ok(xs.get(idx).cloned().unwrap_or(Value::Null))
}

fn flatten(args: &[Value], _: &FunctionContext) -> FnResult {
    let xs = match arg(args, 0) {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
        _ => return Err(call_err("can only flatten lists, sets and tuples")),
    };
    let mut out = Vec::new();
    flatten_into(xs, &mut out, 0)?;
    Ok(Value::Tuple(out))
}

fn flatten_into(xs: &[Value], out: &mut Vec<Value>, depth: usize) -> Result<(), FnErr> {
    if depth > 256 {
        return Err(call_err("lists are nested too deeply to flatten"));
    }
    for x in xs {
        match x.unmarked() {
            Value::List(inner) | Value::Tuple(inner) | Value::Set(inner) => {
                flatten_into(inner, out, depth + 1)?
            }
            _ => out.push(x.clone()),
        }
    }
    Ok(())
}

fn index(args: &[Value], _: &FunctionContext) -> FnResult {
    let xs = match arg(args, 0) {
        Value::List(xs) | Value::Tuple(xs) => xs,
        _ => return Err(call_err("argument must be a list or tuple")),
    };
    let needle = arg(args, 1);
    xs.iter()
        .position(|x| values_equal(x, needle))
        .map(|i| Value::number(i as i64))
        .ok_or_else(|| call_err("item not found"))
}

fn keys(args: &[Value], _: &FunctionContext) -> FnResult {
    match arg(args, 0) {
        Value::Map(m) => Ok(Value::List(m.keys().map(Value::string).collect())),
        Value::Object(m) => Ok(Value::Tuple(m.keys().map(Value::string).collect())),
        Value::Unknown(Type::Object(a)) => Ok(Value::Tuple(a.keys().map(Value::string).collect())),
        Value::Unknown(Type::Map(_)) => Ok(Value::Unknown(Type::list(Type::String))),
        Value::Unknown(_) => Ok(Value::unknown()),
        _ => Err(arg_err(0, "must have map or object type")),
    }
}

fn length(args: &[Value], _: &FunctionContext) -> FnResult {
    match arg(args, 0) {
        Value::String(s) => Ok(Value::number(s.graphemes(true).count() as i64)),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => Ok(Value::number(xs.len() as i64)),
        Value::Map(m) | Value::Object(m) => Ok(Value::number(m.len() as i64)),
        Value::Unknown(Type::Tuple(ts)) => Ok(Value::number(ts.len() as i64)),
        Value::Unknown(Type::Object(a)) => Ok(Value::number(a.len() as i64)),
        Value::Unknown(_) => Ok(Value::Unknown(Type::Number)),
        _ => Err(call_err(
            "argument must be a string, a collection type, or a structural type",
        )),
    }
}

fn lookup(args: &[Value], _: &FunctionContext) -> FnResult {
    if args.len() > 3 {
        return Err(call_err(format!(
            "lookup() takes two or three arguments, got {}",
            args.len()
        )));
    }
    let key = arg_str(args, 1);
    let default = args.get(2);
    match arg(args, 0) {
        Value::Map(m) => match (m.get(key), default) {
            (Some(v), _) => Ok(v.clone()),
            (None, Some(d)) => {
                let elem = m
                    .values()
                    .next()
                    .map(Value::type_of)
                    .unwrap_or(Type::Dynamic);
                let ty = convert::unify(&[elem, d.type_of()]).unwrap_or(Type::Dynamic);
                convert::convert(d, &ty).map_err(|e| arg_err(2, e.cty_message()))
            }
            (None, None) => Err(arg_err(0, format!("the given map has no key {key:?}"))),
        },
        Value::Object(m) => match (m.get(key), default) {
            (Some(v), _) => Ok(v.clone()),
            (None, Some(d)) => Ok(d.clone()),
            (None, None) => Err(arg_err(
                0,
                format!("the given object has no attribute {key:?}"),
            )),
        },
        other => Err(arg_err(
            0,
            format!(
                "lookup() requires a map as the first argument, not {}",
                type_name(other)
            ),
        )),
    }
}

fn matchkeys(args: &[Value], _: &FunctionContext) -> FnResult {
    let values = arg_seq(args, 0);
    let keys = arg_seq(args, 1);
    let search = arg_seq(args, 2);
    if values.len() != keys.len() {
        return Err(call_err("length of keys and values should be equal"));
    }
    let key_ty = keys.first().map(Value::type_of);
    let search_ty = search.first().map(Value::type_of);
    if let (Some(k), Some(s)) = (&key_ty, &search_ty) {
        if convert::unify(&[k.clone(), s.clone()]).is_none() {
            return Err(arg_err(
                2,
                "searchset must be a list of the same type as keys",
            ));
        }
    }
    let mut out = Vec::new();
    for (v, k) in values.iter().zip(keys) {
        let k_str = convert::convert(k, &Type::String).ok();
        let hit = search.iter().any(|s| {
            values_equal(s, k)
                || (k_str.is_some() && convert::convert(s, &Type::String).ok() == k_str)
        });
        if hit {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

/// `merge`: all maps give a map (of the unified element type); any object gives an object.
fn merge(args: &[Value], _: &FunctionContext) -> FnResult {
    let mut all_maps = true;
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (i, a) in args.iter().enumerate() {
        match a.unmarked() {
            Value::Null => {}
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Value::Object(m) => {
                all_maps = false;
                out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            other => {
                let _ = i;
                return Err(call_err(format!(
                    "arguments must be maps or objects, got {:?}",
                    type_name(other)
                )));
            }
        }
    }
    // Maps that share an element type merge into a map; anything else gives an object.
    let mut elem_types = out.values().map(Value::type_of);
    let first = elem_types.next();
    if all_maps && args.iter().any(|a| !a.is_null()) && elem_types.all(|t| Some(t) == first) {
        return Ok(Value::Map(out.into()));
    }
    Ok(Value::Object(out.into()))
}

fn one(args: &[Value], _: &FunctionContext) -> FnResult {
    let xs = match arg(args, 0) {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
        _ => {
            return Err(arg_err(
                0,
                "must be a list, set, or tuple value with either zero or one elements",
            ))
        }
    };
    match xs.as_slice() {
        [] => Ok(Value::Null),
        [x] => Ok(x.clone()),
        _ => Err(arg_err(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )),
    }
}

const RANGE_LIMIT: usize = 1024;

fn range(args: &[Value], _: &FunctionContext) -> FnResult {
    let zero = Number::from_i64(0);
    let one = Number::from_i64(1);
    let (start, end, step) = match args.len() {
        1 => (zero.clone(), arg_num(args, 0), None),
        2 => (arg_num(args, 0), arg_num(args, 1), None),
        3 => (arg_num(args, 0), arg_num(args, 1), Some(arg_num(args, 2))),
        _ => return Err(call_err("must have one, two, or three arguments")),
    };
    let step = step.unwrap_or_else(|| {
        if end < start {
            Number::from(-one.decimal())
        } else {
            one.clone()
        }
    });
    if step.is_zero() && start != end {
        return Err(call_err(too_many_values()));
    }
    let mut out = Vec::new();
    let mut i = start.clone();
    if step.decimal() > zero.decimal() {
        if start > end {
            return Err(arg_err(
                0,
                "end must be greater than start when step is positive",
            ));
        }
        while i < end {
            if out.len() >= RANGE_LIMIT {
                return Err(call_err(too_many_values()));
            }
            out.push(Value::Number(i.clone()));
            i = Number::from(i.decimal() + step.decimal());
        }
    } else if step.decimal() < zero.decimal() {
        if start < end {
            return Err(arg_err(
                0,
                "end must be less than start when step is negative",
            ));
        }
        while i > end {
            if out.len() >= RANGE_LIMIT {
                return Err(call_err(too_many_values()));
            }
            out.push(Value::Number(i.clone()));
            i = Number::from(i.decimal() + step.decimal());
        }
    }
    Ok(Value::List(out))
}

fn too_many_values() -> String {
    format!("more than {RANGE_LIMIT} values were generated; either decrease the difference between start and end or use a smaller step")
}

fn reverse(args: &[Value], _: &FunctionContext) -> FnResult {
    match arg(args, 0) {
        Value::Tuple(xs) => Ok(Value::Tuple(xs.iter().rev().cloned().collect())),
        Value::List(xs) | Value::Set(xs) => Ok(Value::List(xs.iter().rev().cloned().collect())),
        other => Err(arg_err(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                type_name(other)
            ),
        )),
    }
}

fn slice(args: &[Value], _: &FunctionContext) -> FnResult {
    let (xs, is_tuple) = match arg(args, 0) {
        Value::List(xs) => (xs, false),
        Value::Tuple(xs) => (xs, true),
        _ => return Err(arg_err(0, "must be a list or tuple value")),
    };
    let index = |i: usize, what: &str| {
        arg_int(args, i).map_err(|e| match e {
            FnErr::Call(m) | FnErr::Arg(_, m) => arg_err(i, format!("invalid {what} index: {m}")),
        })
    };
    let start = index(1, "start")?;
    let end = index(2, "end")?;
    if start < 0 {
        return Err(arg_err(1, "start index must not be less than zero"));
    }
    if end > xs.len() as i64 {
        return Err(arg_err(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(arg_err(1, "start index must not be greater than end index"));
    }
    let part = xs[start as usize..end as usize].to_vec();
    Ok(if is_tuple {
        Value::Tuple(part)
    } else {
        Value::List(part)
    })
}

fn sort(args: &[Value], _: &FunctionContext) -> FnResult {
    let xs = arg_seq(args, 0);
    let mut strs = Vec::with_capacity(xs.len());
    for (i, x) in xs.iter().enumerate() {
        match x.as_str() {
            Some(s) => strs.push(s.to_string()),
            None => {
                return Err(call_err(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )))
            }
        }
    }
    strs.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(Value::List(strs.into_iter().map(Value::String).collect()))
}

fn sum(args: &[Value], _: &FunctionContext) -> FnResult {
    let xs = match arg(args, 0) {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
        other => {
            return Err(arg_err(
                0,
                format!(
                    "cannot sum {}; must be a list, set, or tuple of numbers",
                    type_name(other)
                ),
            ))
        }
    };
    if xs.is_empty() {
        return Err(arg_err(0, "cannot sum an empty list"));
    }
    // Like Terraform, the first element must be a number; later ones are converted.
    let Some(Value::Number(first)) = xs.first().map(Value::unmarked) else {
        return Err(call_err(
            "argument must be list, set, or tuple of number values",
        ));
    };
    let mut total = first.clone();
    for x in xs.iter().skip(1) {
        if x.is_null() {
            return Err(arg_err(
                0,
                "argument must be list, set, or tuple of number values",
            ));
        }
        let n = convert::convert(x, &Type::Number)
            .map_err(|_| call_err("argument must be list, set, or tuple of number values"))?;
        if let Some(n) = n.as_number() {
            total = Number::from(total.decimal() + n.decimal());
        }
    }
    Ok(Value::Number(total))
}

fn transpose(args: &[Value], _: &FunctionContext) -> FnResult {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let Some(m) = arg(args, 0).as_map() else {
        return Ok(Value::Map(ValueMap::new()));
    };
    for (k, list) in m {
        for v in list.as_seq().unwrap_or_default() {
            match v.as_str() {
                Some(s) => out
                    .entry(s.to_string())
                    .or_default()
                    .push(Value::string(k.clone())),
                None => return Err(call_err("input must not contain null list elements")),
            }
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

fn values(args: &[Value], _: &FunctionContext) -> FnResult {
    match arg(args, 0) {
        Value::Map(m) => Ok(Value::List(m.values().cloned().collect())),
        Value::Object(m) => Ok(Value::Tuple(m.values().cloned().collect())),
        _ => Err(call_err("values() requires a map as the first argument")),
    }
}

fn zipmap(args: &[Value], _: &FunctionContext) -> FnResult {
    let keys = arg_seq(args, 0);
    let (vals, as_object) = match arg(args, 1) {
        Value::List(xs) => (xs, false),
        Value::Tuple(xs) => (xs, true),
        _ => return Err(call_err("values argument must be a list or tuple value")),
    };
    if keys.len() != vals.len() {
        return Err(call_err(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            vals.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in keys.iter().zip(vals).enumerate() {
        let Some(k) = k.as_str() else {
            return Err(call_err(format!("keys list has null value at index {i}")));
        };
        out.insert(k.to_string(), v.clone());
    }
    Ok(if as_object {
        Value::Object(out.into())
    } else {
        Value::Map(out.into())
    })
}

#[cfg(test)]
#[path = "collection_tests.rs"]
mod tests;
