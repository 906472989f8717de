//! Reading the values skyform hands the provider and building the ones it returns.

use super::client::PROVIDER;
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

/// The attribute's value, `None` when absent, null or unknown.
pub fn get<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    let x = v.get_attr(name)?;
    if x.is_null() || x.is_unknown() {
        None
    } else {
        Some(x)
    }
}

pub fn opt_str(v: &Value, name: &str) -> Option<String> {
    get(v, name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

pub fn str_or_empty(v: &Value, name: &str) -> String {
    opt_str(v, name).unwrap_or_default()
}

pub fn req_str(v: &Value, name: &str, address: &str) -> Result<String, ProviderError> {
    opt_str(v, name).ok_or_else(|| {
        ProviderError::new(
            PROVIDER,
            address,
            format!("{address}: attribute {name:?} is required but has no value"),
        )
        .kind(ErrorKind::Invalid)
    })
}

pub fn opt_i64(v: &Value, name: &str) -> Option<i64> {
    get(v, name).and_then(Value::as_i64)
}

pub fn opt_bool(v: &Value, name: &str) -> Option<bool> {
    get(v, name).and_then(Value::as_bool)
}

/// Strings of a list/set attribute.
pub fn str_list(v: &Value, name: &str) -> Vec<String> {
    get(v, name)
        .and_then(Value::as_seq)
        .map(|xs| {
            xs.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The objects of a list block.
pub fn blocks<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    match get(v, name) {
        Some(x) => match x.as_seq() {
            Some(xs) => xs.iter().collect(),
            None => vec![x],
        },
        None => Vec::new(),
    }
}

pub fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

pub fn s_or_null(v: &str) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        s(v)
    }
}

pub fn n(v: i64) -> Value {
    Value::number(v)
}

pub fn strs<I: IntoIterator<Item = S>, S: Into<String>>(xs: I) -> Value {
    Value::List(xs.into_iter().map(|x| s(x)).collect())
}

/// A copy of `v` with `name` set.
pub fn with(v: &Value, name: &str, x: Value) -> Value {
    let mut m = v.as_map().cloned().unwrap_or_default();
    m.insert(name.to_string(), x);
    Value::Object(m)
}

/// The `id` of a prior state.
pub fn id_of(v: &Value) -> String {
    str_or_empty(v, "id")
}
