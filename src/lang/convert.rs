//! Type conversion and unification with Terraform's (cty's) rules.
//!
//! Conversion is what happens when a value meets a type constraint: a function parameter,
//! a variable's `type`, `tolist()`. Unification picks the one type that several values can
//! all be converted to: both branches of a conditional, the elements of `tolist([...])`.

use super::{Number, Type, Value, ValueMap};
use std::collections::BTreeMap;
use std::fmt;

/// Why a conversion failed, with the path to the offending element (`[1].name`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionError {
    /// Where inside the value: `[1]` for a list element, `["k"]` for a map key, `.name`
    /// for an object attribute; empty for the value itself.
    pub path: String,
    pub message: String,
}

impl ConversionError {
    fn new(message: impl Into<String>) -> ConversionError {
        ConversionError {
            path: String::new(),
            message: message.into(),
        }
    }

    /// Prefixes a path step (errors are built from the inside out).
    fn within(mut self, step: &str) -> ConversionError {
        self.path = format!("{step}{}", self.path);
        self
    }

    /// The message as Terraform words it in function-argument and variable errors:
    /// `element 1: attribute "name": string required`. Failures of a value (rather than
    /// of its type), like `a number is required` for `"big"`, are shown without the path,
    /// as Terraform does.
    pub fn cty_message(&self) -> String {
        if self.message.starts_with("a ") {
            return self.message.clone();
        }
        let mut parts = path_words(&self.path);
        parts.push(self.message.clone());
        parts.join(": ")
    }
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cty_message())
    }
}

/// Turns `[1].name["k"]` into `["element 1", "attribute \"name\"", "element \"k\""]`.
fn path_words(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = path.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                i = start;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                out.push(format!("attribute {name:?}"));
            }
            '[' => {
                let start = i + 1;
                let mut in_str = false;
                i = start;
                while i < chars.len() && (in_str || chars[i] != ']') {
                    if chars[i] == '"' {
                        in_str = !in_str;
                    } else if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let inner: String = chars[start..i.min(chars.len())].iter().collect();
                out.push(format!("element {inner}"));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Terraform's "friendly name" of a type, as used in error messages
/// (`list of string`, `map of any single type`, `object`, `tuple`).
pub fn friendly_name(ty: &Type) -> String {
    match ty {
        Type::Dynamic => "any single type".to_string(),
        Type::Bool => "bool".to_string(),
        Type::Number => "number".to_string(),
        Type::String => "string".to_string(),
        Type::List(t) => format!("list of {}", friendly_name(t)),
        Type::Set(t) => format!("set of {}", friendly_name(t)),
        Type::Map(t) => format!("map of {}", friendly_name(t)),
        Type::Tuple(_) => "tuple".to_string(),
        Type::Object(_) => "object".to_string(),
        Type::Optional(t) => friendly_name(t),
    }
}

/// The friendly name of a value's own type (`dynamic` values are named by what they hold).
pub fn value_type_name(v: &Value) -> String {
    match v.unmarked() {
        Value::Null | Value::Unknown(Type::Dynamic) => "dynamic".to_string(),
        other => friendly_name(&other.type_of()),
    }
}

/// Converts `value` to type `ty`, or says why it cannot.
pub fn convert(value: &Value, ty: &Type) -> Result<Value, ConversionError> {
    match (value, ty) {
        (Value::Sensitive(inner), _) => convert(inner, ty).map(Value::sensitive),
        (_, Type::Dynamic) => Ok(value.clone()),
        (_, Type::Optional(t)) => convert(value, t),
        (Value::Null, _) => Ok(Value::Null),
        (Value::Unknown(from), _) => {
            if can_convert(from, ty) {
                Ok(Value::Unknown(concrete(ty)))
            } else {
                Err(ConversionError::new(mismatch(ty)))
            }
        }
        (_, Type::String) => to_string(value).ok_or_else(|| ConversionError::new(mismatch(ty))),
        (_, Type::Number) => to_number(value),
        (_, Type::Bool) => to_bool(value),
        (_, Type::List(et)) => to_sequence(value, et, ty).map(Value::List),
        (_, Type::Set(et)) => to_sequence(value, et, ty).map(Value::set_from),
        (_, Type::Map(et)) => to_map(value, et, ty),
        (_, Type::Tuple(ts)) => to_tuple(value, ts, ty),
        (_, Type::Object(attrs)) => to_object(value, attrs, ty),
    }
}

/// The type without `optional(...)` wrappers, for typing unknown values.
fn concrete(ty: &Type) -> Type {
    match ty {
        Type::Optional(t) => concrete(t),
        Type::List(t) => Type::list(concrete(t)),
        Type::Set(t) => Type::set(concrete(t)),
        Type::Map(t) => Type::map(concrete(t)),
        Type::Tuple(ts) => Type::Tuple(ts.iter().map(concrete).collect()),
        Type::Object(a) => Type::Object(a.iter().map(|(k, t)| (k.clone(), concrete(t))).collect()),
        other => other.clone(),
    }
}

/// cty's message when no conversion exists between the types at all.
fn mismatch(ty: &Type) -> String {
    match ty {
        Type::Tuple(_) => "tuple required".to_string(),
        Type::Object(_) => "object required".to_string(),
        other => format!("{} required", friendly_name(other)),
    }
}

fn to_string(value: &Value) -> Option<Value> {
    match value {
        Value::String(_) => Some(value.clone()),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

fn to_number(value: &Value) -> Result<Value, ConversionError> {
    match value {
        Value::Number(_) => Ok(value.clone()),
        Value::String(s) => parse_number(s)
            .map(Value::Number)
            .ok_or_else(|| ConversionError::new("a number is required")),
        _ => Err(ConversionError::new("number required")),
    }
}

/// Parses a number the way cty does when converting a string: a decimal with optional
/// sign, fraction and exponent, nothing else (no spaces, no hex, no `Inf`).
pub fn parse_number(s: &str) -> Option<Number> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut digits = 0;
    let mut dots = 0;
    for c in mantissa.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => dots += 1,
            _ => return None,
        }
    }
    if digits == 0 || dots > 1 {
        return None;
    }
    if let Some(exp) = exponent {
        let e = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if e.is_empty() || !e.chars().all(|c| c.is_ascii_digit()) || e.len() > 6 {
            return None;
        }
    }
    let mut text = s.strip_prefix('+').unwrap_or(s).to_string();
    if text.ends_with('.') {
        text.pop();
    } else if let Some(i) = text.find(".e").or_else(|| text.find(".E")) {
        text.remove(i);
    }
    if text.starts_with('.') {
        text.insert(0, '0');
    } else if text.starts_with("-.") {
        text.insert(1, '0');
    }
    Number::parse(&text)
}

fn to_bool(value: &Value) -> Result<Value, ConversionError> {
    match value {
        Value::Bool(_) => Ok(value.clone()),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(ConversionError::new("a bool is required")),
        },
        _ => Err(ConversionError::new("bool required")),
    }
}

/// Elements for a list or set of `et`; a dynamic element type means "unify them".
fn to_sequence(value: &Value, et: &Type, ty: &Type) -> Result<Vec<Value>, ConversionError> {
    let xs = match value {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
        _ => return Err(ConversionError::new(mismatch(ty))),
    };
    let target = if matches!(et, Type::Dynamic) {
        let types: Vec<Type> = xs.iter().map(Value::type_of).collect();
        match unify(&types) {
            Some(t) => t,
            None => {
                return Err(ConversionError::new(format!(
                    "{} required",
                    friendly_name(ty)
                )))
            }
        }
    } else {
        et.clone()
    };
    xs.iter()
        .enumerate()
        .map(|(i, x)| convert(x, &target).map_err(|e| e.within(&format!("[{i}]"))))
        .collect()
}

fn to_map(value: &Value, et: &Type, ty: &Type) -> Result<Value, ConversionError> {
    let m = match value {
        Value::Map(m) | Value::Object(m) => m,
        _ => return Err(ConversionError::new(mismatch(ty))),
    };
    let target = if matches!(et, Type::Dynamic) {
        let types: Vec<Type> = m.values().map(Value::type_of).collect();
        unify(&types)
            .ok_or_else(|| ConversionError::new(format!("{} required", friendly_name(ty))))?
    } else {
        et.clone()
    };
    let mut out = ValueMap::with_capacity(m.len());
    for (k, v) in m {
        let c = convert(v, &target).map_err(|e| e.within(&format!("[{k:?}]")))?;
        out.insert(k.clone(), c);
    }
    Ok(Value::Map(out))
}

fn to_tuple(value: &Value, ts: &[Type], ty: &Type) -> Result<Value, ConversionError> {
    let xs = match value {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => xs,
        _ => return Err(ConversionError::new(mismatch(ty))),
    };
    if xs.len() != ts.len() {
        return Err(ConversionError::new(format!(
            "tuple required with exactly {} element{}",
            ts.len(),
            if ts.len() == 1 { "" } else { "s" }
        )));
    }
    xs.iter()
        .zip(ts)
        .enumerate()
        .map(|(i, (x, t))| convert(x, t).map_err(|e| e.within(&format!("[{i}]"))))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Tuple)
}

fn to_object(
    value: &Value,
    attrs: &BTreeMap<String, Type>,
    ty: &Type,
) -> Result<Value, ConversionError> {
    let m = match value {
        Value::Map(m) | Value::Object(m) => m,
        _ => return Err(ConversionError::new(mismatch(ty))),
    };
    let mut out = ValueMap::with_capacity(attrs.len());
    for (name, aty) in attrs {
        let v = match m.get(name) {
            Some(v) => convert(v, aty).map_err(|e| e.within(&format!(".{name}")))?,
            None if matches!(aty, Type::Optional(_)) => Value::Null,
            None => {
                return Err(ConversionError::new(format!(
                    "attribute {name:?} is required"
                )))
            }
        };
        out.insert(name.clone(), v);
    }
    Ok(Value::Object(out))
}

/// True when some value of type `from` may convert to `to` (cty's "unsafe" conversion:
/// string to number is allowed here even though `"x"` will then fail).
pub fn can_convert(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (_, Type::Dynamic) | (Type::Dynamic, _) => true,
        (_, Type::Optional(t)) => can_convert(from, t),
        (Type::Optional(f), _) => can_convert(f, to),
        (a, b) if a == b => true,
        (Type::Number | Type::Bool, Type::String) => true,
        (Type::String, Type::Number | Type::Bool) => true,
        (Type::List(f) | Type::Set(f), Type::List(t) | Type::Set(t)) => can_convert(f, t),
        (Type::Tuple(fs), Type::List(t) | Type::Set(t)) => {
            if matches!(**t, Type::Dynamic) {
                unify(fs).is_some()
            } else {
                fs.iter().all(|f| can_convert(f, t))
            }
        }
        (Type::Map(f), Type::Map(t)) => can_convert(f, t),
        (Type::Object(fs), Type::Map(t)) => {
            if matches!(**t, Type::Dynamic) {
                unify(&fs.values().cloned().collect::<Vec<_>>()).is_some()
            } else {
                fs.values().all(|f| can_convert(f, t))
            }
        }
        (Type::Tuple(fs), Type::Tuple(ts)) => {
            fs.len() == ts.len() && fs.iter().zip(ts).all(|(f, t)| can_convert(f, t))
        }
        (Type::List(f), Type::Tuple(ts)) => ts.iter().all(|t| can_convert(f, t)),
        (Type::Object(fs), Type::Object(ts)) => ts.iter().all(|(k, t)| match fs.get(k) {
            Some(f) => can_convert(f, t),
            None => matches!(t, Type::Optional(_)),
        }),
        (Type::Map(f), Type::Object(ts)) => ts.values().all(|t| can_convert(f, t)),
        _ => false,
    }
}

/// The common type Terraform picks for values of the given types (conditional branches,
/// `tolist` elements, `concat` arguments), or `None` when they have none.
/// Unknown-typed and null values (`Dynamic`) fit any type and do not vote.
pub fn unify(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types
        .iter()
        .filter(|t| !matches!(t, Type::Dynamic))
        .collect();
    let Some(first) = known.first() else {
        return Some(Type::Dynamic);
    };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let count = |f: fn(&Type) -> bool| known.iter().filter(|t| f(t)).count();
    let maps = count(|t| matches!(t, Type::Map(_)));
    let objects = count(|t| matches!(t, Type::Object(_)));
    let lists = count(|t| matches!(t, Type::List(_)));
    let sets = count(|t| matches!(t, Type::Set(_)));
    let tuples = count(|t| matches!(t, Type::Tuple(_)));
    let n = known.len();
    if maps + objects == n {
        if objects == n {
            if let Some(t) = unify_objects(&known) {
                return Some(t);
            }
        }
        return element_types(&known)
            .and_then(|ts| unify(&ts))
            .map(Type::map);
    }
    if lists + tuples == n {
        if tuples == n {
            if let Some(t) = unify_tuples(&known) {
                return Some(t);
            }
        }
        return element_types(&known)
            .and_then(|ts| unify(&ts))
            .map(Type::list);
    }
    if sets + tuples == n || sets + lists == n {
        return element_types(&known)
            .and_then(|ts| unify(&ts))
            .map(Type::set);
    }
    if objects > 0 && tuples > 0 {
        return None;
    }
    // Otherwise pick the first type (by Terraform's preference: string first) that every
    // given type converts to.
    let mut order: Vec<&Type> = known.clone();
    order.sort_by_key(|t| !matches!(t, Type::String));
    order
        .into_iter()
        .find(|want| known.iter().all(|t| can_convert(t, want)))
        .cloned()
}

/// All element (or attribute) types of collection and structural types.
fn element_types(types: &[&Type]) -> Option<Vec<Type>> {
    let mut out = Vec::new();
    for t in types {
        match t {
            Type::List(e) | Type::Set(e) | Type::Map(e) => out.push((**e).clone()),
            Type::Tuple(es) => out.extend(es.iter().cloned()),
            Type::Object(a) => out.extend(a.values().cloned()),
            _ => return None,
        }
    }
    Some(out)
}

/// Objects with the same attribute names unify attribute by attribute.
fn unify_objects(types: &[&Type]) -> Option<Type> {
    let Type::Object(first) = types.first()? else {
        return None;
    };
    let same_names = types.iter().all(|t| match t {
        Type::Object(a) => a.len() == first.len() && a.keys().all(|k| first.contains_key(k)),
        _ => false,
    });
    if !same_names {
        return None;
    }
    let mut out = BTreeMap::new();
    for name in first.keys() {
        let mut ts = Vec::new();
        for t in types {
            match t {
                Type::Object(a) if a.len() == first.len() => ts.push(a.get(name)?.clone()),
                _ => return None,
            }
        }
        out.insert(name.clone(), unify(&ts)?);
    }
    Some(Type::Object(out))
}

/// Tuples of the same length unify position by position.
fn unify_tuples(types: &[&Type]) -> Option<Type> {
    let Type::Tuple(first) = types.first()? else {
        return None;
    };
    if !types
        .iter()
        .all(|t| matches!(t, Type::Tuple(es) if es.len() == first.len()))
    {
        return None;
    }
    let mut out = Vec::new();
    for i in 0..first.len() {
        let mut ts = Vec::new();
        for t in types {
            match t {
                Type::Tuple(es) if es.len() == first.len() => ts.push(es.get(i)?.clone()),
                _ => return None,
            }
        }
        out.push(unify(&ts)?);
    }
    Some(Type::Tuple(out))
}

/// Unifies the values' types and converts every value to that type. `None` when the
/// values have no common type (or one of them fails to convert).
pub fn unify_values(values: &[Value]) -> Option<(Type, Vec<Value>)> {
    let types: Vec<Type> = values.iter().map(Value::type_of).collect();
    let ty = unify(&types)?;
    let converted = values
        .iter()
        .map(|v| convert(v, &ty))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some((ty, converted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: i64) -> Value {
        Value::number(x)
    }
    fn obj_ty(xs: &[(&str, Type)]) -> Type {
        Type::Object(xs.iter().map(|(k, t)| (k.to_string(), t.clone())).collect())
    }

    #[test]
    fn primitives() {
        assert_eq!(convert(&n(1), &Type::String), Ok(s("1")));
        assert_eq!(convert(&Value::Bool(true), &Type::String), Ok(s("true")));
        assert_eq!(convert(&s("1e3"), &Type::Number), Ok(n(1000)));
        assert_eq!(convert(&s("false"), &Type::Bool), Ok(Value::Bool(false)));
        assert_eq!(
            convert(&s("x"), &Type::Number).map_err(|e| e.message),
            Err("a number is required".to_string())
        );
        assert_eq!(
            convert(&s("yes"), &Type::Bool).map_err(|e| e.message),
            Err("a bool is required".to_string())
        );
        assert_eq!(
            convert(&Value::Bool(true), &Type::Number).map_err(|e| e.message),
            Err("number required".to_string())
        );
        assert_eq!(
            convert(&Value::Tuple(vec![]), &Type::String).map_err(|e| e.message),
            Err("string required".to_string())
        );
        assert_eq!(convert(&Value::Null, &Type::String), Ok(Value::Null));
        assert_eq!(
            convert(&Value::unknown(), &Type::String),
            Ok(Value::Unknown(Type::String))
        );
        assert_eq!(
            convert(&Value::sensitive(n(1)), &Type::String),
            Ok(Value::sensitive(s("1")))
        );
    }

    #[test]
    fn collections() {
        let tuple = Value::Tuple(vec![s("b"), n(1), s("b")]);
        assert_eq!(
            convert(&tuple, &Type::list(Type::Dynamic)),
            Ok(Value::List(vec![s("b"), s("1"), s("b")]))
        );
        assert_eq!(
            convert(&tuple, &Type::set(Type::String)),
            Ok(Value::Set(vec![s("1"), s("b")]))
        );
        let nested = Value::Tuple(vec![Value::Tuple(vec![n(1)]), Value::Tuple(vec![s("a")])]);
        assert_eq!(
            convert(&nested, &Type::list(Type::Dynamic)),
            Ok(Value::List(vec![
                Value::Tuple(vec![s("1")]),
                Value::Tuple(vec![s("a")])
            ]))
        );
        let obj = Value::object([("a", n(1)), ("b", s("x"))]);
        assert_eq!(
            convert(&obj, &Type::map(Type::Dynamic)),
            Ok(Value::Map(
                [("a".to_string(), s("1")), ("b".to_string(), s("x"))]
                    .into_iter()
                    .collect()
            ))
        );
        let err = convert(
            &Value::Tuple(vec![n(1), Value::Tuple(vec![])]),
            &Type::list(Type::String),
        )
        .err();
        assert_eq!(
            err.as_ref().map(|e| (e.path.as_str(), e.message.as_str())),
            Some(("[1]", "string required"))
        );
        assert_eq!(
            err.map(|e| e.cty_message()),
            Some("element 1: string required".to_string())
        );
    }

    #[test]
    fn objects() {
        let ty = obj_ty(&[
            ("name", Type::String),
            ("size", Type::Optional(Box::new(Type::Number))),
        ]);
        let given = Value::object([("name", s("a")), ("extra", n(1))]);
        assert_eq!(
            convert(&given, &ty),
            Ok(Value::object([("name", s("a")), ("size", Value::Null)]))
        );
        let missing = convert(&Value::object([("size", n(1))]), &ty).err();
        assert_eq!(
            missing.map(|e| e.message),
            Some("attribute \"name\" is required".to_string())
        );
        let list_ty = Type::list(ty);
        let bad = Value::Tuple(vec![
            Value::object([("name", s("a"))]),
            Value::object([("name", Value::Tuple(vec![]))]),
        ]);
        let e = convert(&bad, &list_ty).err();
        assert_eq!(e.as_ref().map(|e| e.path.as_str()), Some("[1].name"));
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("element 1: attribute \"name\": string required".to_string())
        );
        // Terraform: `element 1: attribute "name" is required.`
        let missing = Value::Tuple(vec![Value::object([("size", n(1))])]);
        let e = convert(&missing, &list_ty).err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("element 0: attribute \"name\" is required".to_string())
        );
        // Value failures keep their path but print without it: `a number is required.`
        let num_ty = Type::list(obj_ty(&[("size", Type::Number)]));
        let bad_num = Value::Tuple(vec![Value::object([("size", s("big"))])]);
        let e = convert(&bad_num, &num_ty).err();
        assert_eq!(e.as_ref().map(|e| e.path.as_str()), Some("[0].size"));
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("a number is required".to_string())
        );
        // Map keys: `element "k": element 0: string required.`
        let nested = Value::object([("k", Value::Tuple(vec![Value::Tuple(vec![n(1)])]))]);
        let e = convert(&nested, &Type::map(Type::list(Type::String))).err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("element \"k\": element 0: string required".to_string())
        );
    }

    #[test]
    fn unification() {
        assert_eq!(unify(&[Type::Number, Type::String]), Some(Type::String));
        assert_eq!(unify(&[Type::Number, Type::Bool]), None);
        assert_eq!(unify(&[Type::Dynamic, Type::Number]), Some(Type::Number));
        assert_eq!(unify(&[]), Some(Type::Dynamic));
        // Objects with different attributes become a map.
        let a = obj_ty(&[("a", Type::Number)]);
        let b = obj_ty(&[("b", Type::String)]);
        assert_eq!(unify(&[a.clone(), b]), Some(Type::map(Type::String)));
        let a2 = obj_ty(&[("a", Type::String)]);
        assert_eq!(unify(&[a, a2.clone()]), Some(a2));
        // Tuples of different lengths become a list.
        let t1 = Type::Tuple(vec![Type::Number]);
        let t2 = Type::Tuple(vec![Type::Number, Type::Number]);
        assert_eq!(unify(&[t1.clone(), t2]), Some(Type::list(Type::Number)));
        let t3 = Type::Tuple(vec![Type::String]);
        assert_eq!(unify(&[t1.clone(), t3.clone()]), Some(t3));
        assert_eq!(
            unify(&[Type::list(Type::Number), Type::Tuple(vec![Type::String])]),
            Some(Type::list(Type::String))
        );
        assert_eq!(unify(&[t1, obj_ty(&[])]), None);
        // An empty object or tuple first does not hide the others' contents.
        assert_eq!(
            unify(&[obj_ty(&[]), obj_ty(&[("a", Type::Number)])]),
            Some(Type::map(Type::Number))
        );
        assert_eq!(
            unify(&[Type::Tuple(vec![]), Type::Tuple(vec![Type::String])]),
            Some(Type::list(Type::String))
        );
        let (ty, vals) = unify_values(&[n(1), s("a")]).unwrap_or((Type::Dynamic, vec![]));
        assert_eq!(ty, Type::String);
        assert_eq!(vals, vec![s("1"), s("a")]);
    }

    #[test]
    fn number_strings() {
        for (text, want) in [
            ("1", "1"),
            ("-0", "0"),
            (".5", "0.5"),
            ("5.", "5"),
            ("+5", "5"),
            ("1e3", "1000"),
            ("1.5E-1", "0.15"),
        ] {
            assert_eq!(
                parse_number(text).map(|n| n.to_string()),
                Some(want.to_string()),
                "{text}"
            );
        }
        for bad in [
            "",
            " 1",
            "0x10",
            "abc",
            "1e",
            ".",
            "--1",
            "1e9999999",
            "inf",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
