//! The built-in function library, with Terraform's names and results.
//!
//! Every function is described by a [`Spec`]: its parameters (name and type, as Terraform
//! declares them, so argument conversion and error messages match), what type an unknown
//! result has, and the implementation. [`call`] does the common work once — arity, null
//! checks, conversion of arguments to parameter types, unknown propagation, sensitive
//! marks — so each implementation only sees known, unmarked, converted arguments.

mod collection;
mod conversion;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod hash;
mod json;
mod network;
mod numeric;
mod regex_fns;
mod sets;
mod string;
mod yaml;

pub use encoding::json_encode;

use super::convert::{self, friendly_name};
use super::{Number, Type, Value};
use std::path::PathBuf;

/// What functions may need beyond their arguments.
#[derive(Debug, Clone, Default)]
pub struct FunctionContext {
    /// `path.module`: where `file()` and `templatefile()` resolve relative paths.
    pub base_dir: PathBuf,
}

/// A function failure. `arg` is the 0-based index of the argument at fault, if any, so the
/// evaluator can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError {
    pub summary: String,
    pub detail: String,
    pub arg: Option<usize>,
}

/// How an implementation fails; [`call`] turns it into Terraform's wording.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FnErr {
    /// A bad argument (by index): "Invalid function argument".
    Arg(usize, String),
    /// Anything else: "Error in function call".
    Call(String),
}

pub(crate) type FnResult = Result<Value, FnErr>;

/// Parameter types, as the function signatures declare them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum P {
    Str,
    Num,
    /// Anything, unconverted.
    Any,
    ListStr,
    ListBool,
    /// A list of any single type (tuples are unified).
    ListAny,
    SetAny,
    MapListStr,
}

impl P {
    fn ty(self) -> Type {
        match self {
            P::Str => Type::String,
            P::Num => Type::Number,
            P::Any => Type::Dynamic,
            P::ListStr => Type::list(Type::String),
            P::ListBool => Type::list(Type::Bool),
            P::ListAny => Type::list(Type::Dynamic),
            P::SetAny => Type::set(Type::Dynamic),
            P::MapListStr => Type::map(Type::list(Type::String)),
        }
    }
}

/// One declared parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    pub name: &'static str,
    pub ty: P,
    /// Null may be passed (otherwise "argument must not be null").
    pub allow_null: bool,
    /// The implementation handles unknown values itself (otherwise a partly unknown
    /// argument makes the result unknown without calling it).
    pub allow_unknown: bool,
}

pub(crate) const fn p(name: &'static str, ty: P) -> Param {
    Param {
        name,
        ty,
        allow_null: false,
        allow_unknown: false,
    }
}

impl Param {
    pub(crate) const fn nullable(mut self) -> Param {
        self.allow_null = true;
        self
    }
    pub(crate) const fn unknowns(mut self) -> Param {
        self.allow_unknown = true;
        self
    }
}

/// One function.
pub(crate) struct Spec {
    pub name: &'static str,
    pub params: &'static [Param],
    pub var: Option<Param>,
    /// The type of the result when it cannot be computed yet (unknown arguments).
    pub ret: fn() -> Type,
    pub imp: fn(&[Value], &FunctionContext) -> FnResult,
    /// How sensitive marks on arguments reach the result.
    pub marks: Marks,
}

/// How a function treats sensitive marks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Marks {
    /// Any mark anywhere in the arguments makes the whole result sensitive; the
    /// implementation sees unmarked values. Safe for everything that derives new data.
    Whole,
    /// Only top-level marks make the result sensitive; marks inside collections stay on
    /// their elements (`concat([sensitive("a")], ["b"])` keeps `"b"` readable). For
    /// functions that only move elements around, as Terraform does.
    Nested,
    /// The implementation deals with marks itself (`sensitive`, `nonsensitive`).
    Own,
}

pub(crate) const fn spec(
    name: &'static str,
    params: &'static [Param],
    ret: fn() -> Type,
    imp: fn(&[Value], &FunctionContext) -> FnResult,
) -> Spec {
    Spec {
        name,
        params,
        var: None,
        ret,
        imp,
        marks: Marks::Whole,
    }
}

impl Spec {
    pub(crate) const fn var(mut self, param: Param) -> Spec {
        self.var = Some(param);
        self
    }
    pub(crate) const fn marks(mut self) -> Spec {
        self.marks = Marks::Own;
        self
    }
    pub(crate) const fn nested_marks(mut self) -> Spec {
        self.marks = Marks::Nested;
        self
    }
    fn param(&self, i: usize) -> Option<&Param> {
        self.params.get(i).or(self.var.as_ref())
    }
}

/// Return-type helpers for [`Spec::ret`].
pub(crate) fn t_str() -> Type {
    Type::String
}
pub(crate) fn t_num() -> Type {
    Type::Number
}
pub(crate) fn t_bool() -> Type {
    Type::Bool
}
pub(crate) fn t_dyn() -> Type {
    Type::Dynamic
}
pub(crate) fn t_list_str() -> Type {
    Type::list(Type::String)
}

fn families() -> [&'static [Spec]; 12] {
    [
        string::SPECS,
        format::SPECS,
        regex_fns::SPECS,
        collection::SPECS,
        sets::SPECS,
        numeric::SPECS,
        encoding::SPECS,
        hash::SPECS,
        filesystem::SPECS,
        datetime::SPECS,
        network::SPECS,
        conversion::SPECS,
    ]
}

fn find(name: &str) -> Option<&'static Spec> {
    families()
        .into_iter()
        .flat_map(|f| f.iter())
        .find(|s| s.name == name)
}

/// Calls a built-in function. `None` when no function has that name.
pub fn call(
    name: &str,
    args: Vec<Value>,
    ctx: &FunctionContext,
) -> Option<Result<Value, FunctionError>> {
    let spec = find(name)?;
    Some(call_spec(spec, args, ctx))
}

/// Every function name, for "did you mean" suggestions.
pub fn names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = families()
        .into_iter()
        .flat_map(|f| f.iter().map(|s| s.name))
        .collect();
    out.sort_unstable();
    out
}

fn call_spec(spec: &Spec, args: Vec<Value>, ctx: &FunctionContext) -> Result<Value, FunctionError> {
    check_arity(spec, args.len())?;
    let sensitive = match spec.marks {
        Marks::Whole => args.iter().any(Value::contains_sensitive),
        Marks::Nested => args.iter().any(Value::is_sensitive),
        Marks::Own => false,
    };
    let mut converted = Vec::with_capacity(args.len());
    let mut unknown = false;
    for (i, arg) in args.into_iter().enumerate() {
        let Some(param) = spec.param(i) else {
            continue;
        };
        let arg = match spec.marks {
            Marks::Whole => arg.deep_unmarked(),
            Marks::Nested => arg.unmarked().clone(),
            Marks::Own => arg,
        };
        if arg.is_null() && !param.allow_null {
            return Err(arg_error(spec, i, "argument must not be null"));
        }
        let value = convert::convert(&arg, &param.ty.ty())
            .map_err(|e| arg_error(spec, i, &e.cty_message()))?;
        if !param.allow_unknown && !value.is_wholly_known() {
            unknown = true;
        }
        converted.push(normalize_strings(value));
    }
    let result = if unknown {
        Value::Unknown((spec.ret)())
    } else {
        (spec.imp)(&converted, ctx).map_err(|e| match e {
            FnErr::Arg(i, msg) => arg_error(spec, i, &msg),
            FnErr::Call(msg) => FunctionError {
                summary: "Error in function call".to_string(),
                detail: format!("Call to function {:?} failed: {}.", spec.name, msg),
                arg: None,
            },
        })?
    };
    Ok(if sensitive {
        Value::sensitive(result)
    } else {
        result
    })
}

fn check_arity(spec: &Spec, n: usize) -> Result<(), FunctionError> {
    if n < spec.params.len() {
        let missing = spec.params.get(n).map(|p| p.name).unwrap_or_default();
        return Err(FunctionError {
            summary: "Not enough function arguments".to_string(),
            detail: format!(
                "Function {:?} expects {}{} argument(s). Missing value for {:?}.",
                spec.name,
                if spec.var.is_some() { "at least " } else { "" },
                spec.params.len(),
                missing
            ),
            arg: None,
        });
    }
    if spec.var.is_none() && n > spec.params.len() {
        return Err(FunctionError {
            summary: "Too many function arguments".to_string(),
            detail: format!(
                "Function {:?} expects only {} argument(s).",
                spec.name,
                spec.params.len()
            ),
            arg: Some(spec.params.len()),
        });
    }
    Ok(())
}

fn arg_error(spec: &Spec, i: usize, msg: &str) -> FunctionError {
    let name = spec.param(i).map(|p| p.name).unwrap_or("?");
    FunctionError {
        summary: "Invalid function argument".to_string(),
        detail: format!("Invalid value for {name:?} parameter: {msg}."),
        arg: Some(i),
    }
}

/// Terraform keeps every string in Unicode normal form C; do the same for arguments so
/// `"e\u0301"` and `"é"` compare, count and hash alike.
fn normalize_strings(v: Value) -> Value {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match v {
        Value::String(s) => {
            if is_nfc_quick(s.chars()) == IsNormalized::Yes {
                Value::String(s)
            } else {
                Value::String(s.nfc().collect())
            }
        }
        Value::List(xs) => Value::List(xs.into_iter().map(normalize_strings).collect()),
        Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(normalize_strings).collect()),
        Value::Set(xs) => Value::Set(xs.into_iter().map(normalize_strings).collect()),
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, normalize_strings(v)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, normalize_strings(v)))
                .collect(),
        ),
        Value::Sensitive(inner) => Value::Sensitive(Box::new(normalize_strings(*inner))),
        other => other,
    }
}

// ---- small helpers shared by the families ----

/// The string argument at `i` (parameters typed `P::Str` are always strings by now).
pub(crate) fn arg_str(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or_default()
}

pub(crate) fn arg_num(args: &[Value], i: usize) -> Number {
    args.get(i)
        .and_then(Value::as_number)
        .cloned()
        .unwrap_or_else(|| Number::from_i64(0))
}

pub(crate) fn arg_seq(args: &[Value], i: usize) -> &[Value] {
    args.get(i).and_then(Value::as_seq).unwrap_or_default()
}

/// An argument that must be a whole number that fits an i64.
pub(crate) fn arg_int(args: &[Value], i: usize) -> Result<i64, FnErr> {
    let n = arg_num(args, i);
    n.to_i64().ok_or_else(|| {
        FnErr::Call(format!(
            "value must be a whole number, between {} and {}",
            i64::MIN,
            i64::MAX
        ))
    })
}

/// The friendly type name of a value for messages (`tuple`, `list of string`).
pub(crate) fn type_name(v: &Value) -> String {
    match v.unmarked() {
        Value::Null => "null".to_string(),
        other => friendly_name(&other.type_of()),
    }
}

pub(crate) fn call_err(msg: impl Into<String>) -> FnErr {
    FnErr::Call(msg.into())
}

pub(crate) fn arg_err(i: usize, msg: impl Into<String>) -> FnErr {
    FnErr::Arg(i, msg.into())
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    pub fn s(x: &str) -> Value {
        Value::string(x)
    }
    pub fn n(x: i64) -> Value {
        Value::number(x)
    }
    pub fn num(x: &str) -> Value {
        Value::Number(Number::parse(x).unwrap_or_else(|| Number::from_i64(-999_999)))
    }
    pub fn tup(xs: Vec<Value>) -> Value {
        Value::Tuple(xs)
    }
    pub fn strs(xs: &[&str]) -> Value {
        Value::Tuple(xs.iter().map(|x| s(x)).collect())
    }
    pub fn list_strs(xs: &[&str]) -> Value {
        Value::List(xs.iter().map(|x| s(x)).collect())
    }
    pub fn obj(xs: Vec<(&str, Value)>) -> Value {
        Value::object(xs)
    }

    /// Calls a function and returns its value, panicking with the error (tests only).
    pub fn ok(name: &str, args: Vec<Value>) -> Value {
        match call(name, args, &FunctionContext::default()) {
            Some(Ok(v)) => v,
            other => panic!("{name}: {other:?}"),
        }
    }

    /// Calls a function expecting failure; returns (summary, detail).
    pub fn err(name: &str, args: Vec<Value>) -> (String, String) {
        match call(name, args, &FunctionContext::default()) {
            Some(Err(e)) => (e.summary, e.detail),
            other => panic!("{name}: expected an error, got {other:?}"),
        }
    }

    /// The JSON rendering Terraform's conformance cases use.
    pub fn json(v: &Value) -> String {
        match json_encode(v) {
            Ok(s) => s,
            Err(e) => panic!("json: {e:?}"),
        }
    }

    pub fn okj(name: &str, args: Vec<Value>) -> String {
        json(&ok(name, args))
    }
}

#[cfg(test)]
mod tests;
