//! Request parameters: the decoded query string (`filters.N.name`,
//! `ids.N`, paging) and the JSON body of POSTs.

use super::errors::ApiError;
use serde_json::{Map, Value};

/// Decoded query pairs, in order.
#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// One filter: `name`, `operator` (default `eq`) and `values`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

/// Default and allowed page sizes (reference 1.4).
pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MIN_PAGE_SIZE: usize = 10;
pub const MAX_PAGE_SIZE: usize = 100;

impl Query {
    pub fn parse(raw: &str) -> Query {
        let pairs = raw
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|item| match item.split_once('=') {
                Some((n, v)) => (decode(n), decode(v)),
                None => (decode(item), String::new()),
            })
            .collect();
        Query { pairs }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name.1`, `name.2`, … in index order (also plain repeated `name`).
    pub fn list(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}.");
        let mut indexed: Vec<(u64, String)> = self
            .pairs
            .iter()
            .filter_map(|(n, v)| {
                let idx = n.strip_prefix(&prefix)?.parse::<u64>().ok()?;
                Some((idx, v.clone()))
            })
            .collect();
        indexed.sort_by_key(|(i, _)| *i);
        let mut out: Vec<String> = indexed.into_iter().map(|(_, v)| v).collect();
        out.extend(
            self.pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone()),
        );
        out
    }

    /// A boolean parameter (`true`/`false`).
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid(format!(
                "invalid {name} {other:?}: must be true or false"
            ))),
        }
    }

    /// `filters.N.name/operator/values.M`, checking names against `allowed`.
    pub fn filters(&self, allowed: &[&str]) -> Result<Vec<Filter>, ApiError> {
        self.indexed_objects("filters", "name", allowed)
    }

    fn indexed_objects(
        &self,
        prefix: &str,
        key_field: &str,
        allowed: &[&str],
    ) -> Result<Vec<Filter>, ApiError> {
        let start = format!("{prefix}.");
        let mut indexes: Vec<u64> = self
            .pairs
            .iter()
            .filter_map(|(n, _)| n.strip_prefix(&start)?.split('.').next()?.parse().ok())
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        let mut out = Vec::new();
        for i in indexes {
            let base = format!("{prefix}.{i}");
            let Some(name) = self.get(&format!("{base}.{key_field}")) else {
                return Err(ApiError::invalid(format!("{base}.{key_field} is required")));
            };
            if !allowed.is_empty() && !allowed.contains(&name) {
                return Err(ApiError::invalid(format!(
                    "invalid filter name {name:?}; supported: {}",
                    allowed.join(", ")
                )));
            }
            if let Some(op) = self.get(&format!("{base}.operator")) {
                if op != "eq" && op != "in" {
                    return Err(ApiError::invalid(format!(
                        "invalid filter operator {op:?} for {name}"
                    )));
                }
            }
            let values = self.list(&format!("{base}.values"));
            if values.is_empty() {
                return Err(ApiError::invalid(format!("{base}.values is required")));
            }
            out.push(Filter {
                name: name.to_string(),
                values,
            });
        }
        Ok(out)
    }

    /// `pageNumber` (default 1, at least 1) and `pageSize` (default 20, 10..=100).
    pub fn paging(&self) -> Result<(usize, usize), ApiError> {
        let number = match self.get("pageNumber") {
            None => 1,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(ApiError::invalid(format!(
                        "invalid pageNumber {v:?}: must be an integer >= 1"
                    )))
                }
            },
        };
        let size = match self.get("pageSize") {
            None => DEFAULT_PAGE_SIZE,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (MIN_PAGE_SIZE..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => {
                    return Err(ApiError::invalid(format!(
                    "invalid pageSize {v:?}: must be between {MIN_PAGE_SIZE} and {MAX_PAGE_SIZE}"
                )))
                }
            },
        };
        Ok((number, size))
    }
}

/// The page `number` of `items` (1-based) and the total count.
pub fn page<T>(items: Vec<T>, (number, size): (usize, usize)) -> (Vec<T>, usize) {
    let total = items.len();
    let start = (number - 1).saturating_mul(size);
    (items.into_iter().skip(start).take(size).collect(), total)
}

/// Whether `value` passes the filter named `name` (exact match on any value).
pub fn matches(filters: &[Filter], name: &str, value: &str) -> bool {
    filters
        .iter()
        .filter(|f| f.name == name)
        .all(|f| f.values.iter().any(|v| v == value))
}

/// A POST body: a JSON object where `null` means absent (the Go SDK sends
/// nulls for unset fields) and unknown keys are ignored.
#[derive(Debug, Default)]
pub struct Body {
    pub map: Map<String, Value>,
}

impl Body {
    pub fn parse(bytes: &[u8]) -> Result<Body, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body { map }),
            Ok(_) => Err(ApiError::invalid("request body must be a JSON object")),
            Err(e) => Err(ApiError::invalid(format!(
                "request body is not valid JSON: {e}"
            ))),
        }
    }

    pub fn from_value(value: &Value) -> Body {
        match value {
            Value::Object(map) => Body { map: map.clone() },
            _ => Body::default(),
        }
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub fn str(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid(format!("{name} must be a string"))),
        }
    }

    pub fn required_str(&self, name: &str) -> Result<String, ApiError> {
        match self.str(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::missing(name)),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(format!("{name} must be a boolean"))),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::invalid(format!("{name} must be an integer"))),
        }
    }

    pub fn strings(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.value(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        ApiError::invalid(format!("{name} must be a list of strings"))
                    })
                })
                .collect(),
            Some(_) => Err(ApiError::invalid(format!(
                "{name} must be a list of strings"
            ))),
        }
    }

    pub fn objects(&self, name: &str) -> Result<Vec<Body>, ApiError> {
        match self.value(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Object(_) => Ok(Body::from_value(v)),
                    _ => Err(ApiError::invalid(format!(
                        "{name} must be a list of objects"
                    ))),
                })
                .collect(),
            Some(_) => Err(ApiError::invalid(format!(
                "{name} must be a list of objects"
            ))),
        }
    }

    pub fn object(&self, name: &str) -> Result<Option<Body>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(Body::from_value(v))),
            Some(_) => Err(ApiError::invalid(format!("{name} must be an object"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_lists_decode() {
        let q = Query::parse(
            "filters.1.name=status&filters.1.values.2=stopped&filters.1.values.1=running&ids.2=b&ids.1=a&name=x%20y",
        );
        assert_eq!(
            q.filters(&["status"]).ok(),
            Some(vec![Filter {
                name: "status".into(),
                values: vec!["running".into(), "stopped".into()]
            }])
        );
        assert_eq!(q.list("ids"), vec!["a", "b"]);
        assert_eq!(q.get("name"), Some("x y"));
        assert!(q.filters(&["az"]).is_err());
    }

    #[test]
    fn paging_ranges() {
        assert_eq!(Query::parse("").paging().ok(), Some((1, 20)));
        assert!(Query::parse("pageSize=5").paging().is_err());
        assert!(Query::parse("pageSize=101").paging().is_err());
        assert!(Query::parse("pageNumber=0").paging().is_err());
        assert_eq!(page(vec![1, 2, 3], (2, 2)), (vec![3], 3));
    }
}
