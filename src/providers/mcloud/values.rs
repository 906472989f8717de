//! Reading skyform [`Value`]s handed to the provider (config, planned and prior states) and
//! building the ones it returns. Values arrive as objects with every schema attribute,
//! null where unset; single nested blocks are objects or null.

use super::client::PROVIDER;
use crate::lang::{Number, Type, Value};
use crate::provider::ProviderError;
use std::collections::BTreeMap;

/// A read-only view of one object value, with errors that name the attribute.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a> {
    value: &'a Value,
    /// `mcloud_instance` or `mcloud_instance.network`, for messages.
    context: &'a str,
}

impl<'a> Obj<'a> {
    pub fn new(value: &'a Value, context: &'a str) -> Obj<'a> {
        Obj { value, context }
    }

    /// The attribute's value, `None` when absent, null or unknown.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        let v = self.value.get_attr(name)?;
        if v.is_null() || v.is_unknown() {
            None
        } else {
            Some(v)
        }
    }

    pub fn opt_str(&self, name: &str) -> Option<String> {
        self.get(name).and_then(Value::as_str).map(str::to_string)
    }

    /// A string attribute, `""` when unset (the API's "not given").
    pub fn str_or_empty(&self, name: &str) -> String {
        self.opt_str(name).unwrap_or_default()
    }

    pub fn req_str(&self, name: &str) -> Result<String, ProviderError> {
        self.opt_str(name).ok_or_else(|| self.missing(name))
    }

    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, ProviderError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                ProviderError::new(
                    PROVIDER,
                    self.context,
                    format!("attribute {name:?} must be a whole number"),
                )
            }),
        }
    }

    pub fn i64_or_zero(&self, name: &str) -> Result<i64, ProviderError> {
        Ok(self.opt_i64(name)?.unwrap_or(0))
    }

    pub fn req_i64(&self, name: &str) -> Result<i64, ProviderError> {
        self.opt_i64(name)?.ok_or_else(|| self.missing(name))
    }

    pub fn opt_bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    /// A single nested block (an object), or the first element when given as a list.
    pub fn block(&self, name: &str) -> Option<&'a Value> {
        let v = self.get(name)?;
        match v.as_seq() {
            Some(xs) => xs.first(),
            None => Some(v),
        }
    }

    fn missing(&self, name: &str) -> ProviderError {
        ProviderError::new(
            PROVIDER,
            self.context,
            format!("attribute {name:?} is required but has no value"),
        )
    }
}

/// A string value.
pub fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

/// A number value.
pub fn n(v: i64) -> Value {
    Value::number(v)
}

/// A string, or null when empty (the API's "not set").
pub fn s_or_null(v: &str) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        s(v)
    }
}

/// A list of strings.
pub fn str_list<I: IntoIterator<Item = S>, S: Into<String>>(xs: I) -> Value {
    Value::List(xs.into_iter().map(|x| s(x)).collect())
}

/// A number parsed from the API's string counts (`"7"`); errors name the field.
pub fn number_from_text(text: &str, what: &str, operation: &str) -> Result<Value, ProviderError> {
    Number::parse(text.trim())
        .map(Value::Number)
        .ok_or_else(|| {
            ProviderError::new(
                PROVIDER,
                operation,
                format!("{what} {text:?} in the server's answer is not a number"),
            )
        })
}

/// An object type from `(name, type)` pairs, for list-of-object attributes.
pub fn object_type(attrs: &[(&str, Type)]) -> Type {
    Type::Object(
        attrs
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_unknown_read_as_unset() {
        let v = Value::object([("a", Value::Null), ("b", Value::unknown()), ("c", s("x"))]);
        let o = Obj::new(&v, "t");
        assert_eq!(o.opt_str("a"), None);
        assert_eq!(o.opt_str("b"), None);
        assert_eq!(o.opt_str("c").as_deref(), Some("x"));
        assert!(o.req_str("a").unwrap_err().message.contains("\"a\""));
    }

    #[test]
    fn fractional_numbers_are_refused() {
        let v = Value::object([("n", Value::Number(Number::parse("1.5").unwrap()))]);
        assert!(Obj::new(&v, "t").opt_i64("n").is_err());
    }

    #[test]
    fn sensitive_values_are_read_through() {
        let v = Value::object([("p", Value::sensitive(s("pw")))]);
        assert_eq!(Obj::new(&v, "t").opt_str("p").as_deref(), Some("pw"));
    }
}
