//! Terraform's type system: the types of values and of variable declarations.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `any`: not yet known, or accepts anything.
    Dynamic,
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    /// Attribute types by name.
    Object(BTreeMap<String, Type>),
    /// Only as an attribute type inside `Object` in a type constraint: `optional(T)`; the
    /// attribute may be absent (its default is applied by `lang::types` after conversion).
    Optional(Box<Type>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }
}

impl fmt::Display for Type {
    /// Terraform's type-constraint syntax (`list(string)`, `object({a=number})`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Dynamic => f.write_str("dynamic"),
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Optional(t) => write!(f, "optional({t})"),
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                f.write_str("})")
            }
        }
    }
}

/// Defaults declared with `optional(T, default)` in a type constraint, laid out like the
/// type: the defaults of an object's own attributes, and defaults further down (inside an
/// attribute, inside every element of a collection, at a tuple position).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Defaults {
    /// Attribute name → default value (already converted to the attribute's type).
    pub attributes: BTreeMap<String, crate::lang::Value>,
    pub nested: BTreeMap<DefaultsStep, Defaults>,
}

/// Where nested defaults apply.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum DefaultsStep {
    Attribute(String),
    /// Every element of a list, set or map.
    Element,
    /// One position of a tuple.
    Position(usize),
}

impl Defaults {
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.nested.is_empty()
    }
}

fn type_error(detail: impl Into<String>, span: &crate::diag::Span) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::error("Invalid type specification", detail).with_span(span.clone())
}

/// Reads a `variable { type = ... }` expression: `string`, `number`, `bool`, `any`,
/// `list(T)`, `set(T)`, `map(T)`, `tuple([T, ...])`, `object({a = T, b = optional(T,
/// default)})`, and the legacy bare `list`, `set` and `map` (of `any`).
pub fn parse_type_constraint(
    expr: &crate::hcl::ast::Expr,
) -> Result<(Type, Defaults), crate::diag::Diagnostic> {
    parse_type(expr, false)
}

fn parse_type(
    expr: &crate::hcl::ast::Expr,
    in_object: bool,
) -> Result<(Type, Defaults), crate::diag::Diagnostic> {
    use crate::hcl::ast::{ExprKind, TemplatePart};
    let plain = |t: Type| Ok((t, Defaults::default()));
    match &expr.kind {
        ExprKind::Parens(inner) => parse_type(inner, in_object),
        ExprKind::Variable(name) => match name.as_str() {
            "string" => plain(Type::String),
            "number" => plain(Type::Number),
            "bool" => plain(Type::Bool),
            "any" => plain(Type::Dynamic),
            "list" => plain(Type::list(Type::Dynamic)),
            "set" => plain(Type::set(Type::Dynamic)),
            "map" => plain(Type::map(Type::Dynamic)),
            "object" | "tuple" => Err(type_error(
                format!(
                    "The {name} type constructor requires one argument specifying the {}.",
                    if name == "object" {
                        "attribute types as an object"
                    } else {
                        "element types as a list"
                    }
                ),
                &expr.span,
            )),
            other => Err(type_error(
                format!("The keyword \"{other}\" is not a valid type specification."),
                &expr.span,
            )),
        },
        ExprKind::Template(parts) => {
            let text = match parts.as_slice() {
                [TemplatePart::Literal(s)] => s.as_str(),
                _ => "",
            };
            Err(type_error(
                format!(
                    "Type constraints are written without quotes: write {} instead of \"{text}\".",
                    if matches!(text, "list" | "map") {
                        format!("{text}(string)")
                    } else {
                        text.to_string()
                    }
                ),
                &expr.span,
            ))
        }
        ExprKind::FunctionCall { name, args, .. } => parse_type_call(name, args, expr, in_object),
        _ => Err(type_error(
            "A type specification is either a primitive type keyword (bool, number, string) or \
             a complex type constructor call, like list(string).",
            &expr.span,
        )),
    }
}

fn parse_type_call(
    name: &str,
    args: &[crate::hcl::ast::Expr],
    expr: &crate::hcl::ast::Expr,
    in_object: bool,
) -> Result<(Type, Defaults), crate::diag::Diagnostic> {
    use crate::hcl::ast::ExprKind;
    let one_arg = |what: &str| -> Result<&crate::hcl::ast::Expr, crate::diag::Diagnostic> {
        match args {
            [a] => Ok(a),
            _ => Err(type_error(
                format!("The {name} type constructor requires one argument specifying the {what}."),
                &expr.span,
            )),
        }
    };
    let nest = |d: Defaults, step: DefaultsStep| {
        let mut out = Defaults::default();
        if !d.is_empty() {
            out.nested.insert(step, d);
        }
        out
    };
    match name {
        "list" | "set" | "map" => {
            let (t, d) = parse_type(one_arg("element type")?, false)?;
            let ty = match name {
                "list" => Type::list(t),
                "set" => Type::set(t),
                _ => Type::map(t),
            };
            Ok((ty, nest(d, DefaultsStep::Element)))
        }
        "tuple" => {
            let arg = one_arg("element types as a list")?;
            let ExprKind::Tuple(items) = &arg.kind else {
                return Err(type_error(
                    "The tuple type constructor requires a list of element types.",
                    &arg.span,
                ));
            };
            let mut types = Vec::new();
            let mut defaults = Defaults::default();
            for (i, item) in items.iter().enumerate() {
                let (t, d) = parse_type(item, false)?;
                types.push(t);
                if !d.is_empty() {
                    defaults.nested.insert(DefaultsStep::Position(i), d);
                }
            }
            Ok((Type::Tuple(types), defaults))
        }
        "object" => {
            let arg = one_arg("attribute types as an object")?;
            let ExprKind::Object(items) = &arg.kind else {
                return Err(type_error(
                    "The object type constructor requires an object of attribute types.",
                    &arg.span,
                ));
            };
            let mut attrs = BTreeMap::new();
            let mut defaults = Defaults::default();
            for (key, value) in items {
                let attr = object_type_key(key)?;
                let (t, d, default) = parse_attribute(value)?;
                if let Some(dv) = default {
                    defaults.attributes.insert(attr.clone(), dv);
                }
                if !d.is_empty() {
                    defaults
                        .nested
                        .insert(DefaultsStep::Attribute(attr.clone()), d);
                }
                attrs.insert(attr, t);
            }
            Ok((Type::Object(attrs), defaults))
        }
        "optional" => Err(type_error(
            if in_object {
                "Optional attribute modifier expects the attribute type and an optional default."
            } else {
                "Keyword \"optional\" is valid only as a modifier for object type attributes."
            },
            &expr.span,
        )),
        other => Err(type_error(
            format!("Keyword \"{other}\" is not a valid type constructor."),
            &expr.span,
        )),
    }
}

/// An attribute name in `object({...})`: a bare name or a quoted string.
fn object_type_key(key: &crate::hcl::ast::Expr) -> Result<String, crate::diag::Diagnostic> {
    use crate::hcl::ast::{ExprKind, TemplatePart};
    match &key.kind {
        ExprKind::Variable(name) => Ok(name.clone()),
        ExprKind::Template(parts) => match parts.as_slice() {
            [TemplatePart::Literal(s)] => Ok(s.clone()),
            _ => Err(type_error(
                "Object attribute names must be plain strings.",
                &key.span,
            )),
        },
        _ => Err(type_error(
            "Object constructor map keys must be attribute names.",
            &key.span,
        )),
    }
}

type AttributeSpec = (Type, Defaults, Option<crate::lang::Value>);

/// An attribute's type, which may be `optional(T)` or `optional(T, default)`.
fn parse_attribute(expr: &crate::hcl::ast::Expr) -> Result<AttributeSpec, crate::diag::Diagnostic> {
    use crate::hcl::ast::ExprKind;
    let ExprKind::FunctionCall { name, args, .. } = &expr.kind else {
        let (t, d) = parse_type(expr, true)?;
        return Ok((t, d, None));
    };
    if name != "optional" {
        let (t, d) = parse_type(expr, true)?;
        return Ok((t, d, None));
    }
    let (inner, default_expr) =
        match args.as_slice() {
            [t] => (t, None),
            [t, d] => (t, Some(d)),
            _ => return Err(type_error(
                "Optional attribute modifier expects the attribute type and an optional default.",
                &expr.span,
            )),
        };
    let (t, d) = parse_type(inner, false)?;
    let default = match default_expr {
        None => None,
        Some(de) => {
            let raw =
                crate::lang::eval(de, &crate::lang::EvalContext::default()).map_err(|ds| {
                    ds.0.into_iter().next().unwrap_or_else(|| {
                        type_error("The default value could not be evaluated.", &de.span)
                    })
                })?;
            let converted = crate::lang::convert::convert(&raw, &t).map_err(|e| {
                crate::diag::Diagnostic::error(
                    "Invalid default value for optional attribute",
                    format!("This default value is not compatible with the attribute's type constraint: {}.", e.message),
                )
                .with_span(de.span.clone())
            })?;
            Some(apply_defaults(converted, &d))
        }
    };
    Ok((Type::Optional(Box::new(t)), d, default))
}

/// Fills in `optional(T, default)` defaults on a value that was already converted to the
/// constraint's type: a null or absent optional attribute takes its default, at any depth.
pub fn apply_defaults(value: crate::lang::Value, defaults: &Defaults) -> crate::lang::Value {
    use crate::lang::Value;
    if defaults.is_empty() {
        return value;
    }
    match value {
        Value::Sensitive(inner) => Value::sensitive(apply_defaults(*inner, defaults)),
        Value::Object(mut attrs) => {
            for (name, default) in &defaults.attributes {
                let missing = attrs.get(name).is_none_or(|v| v.is_null());
                if missing {
                    attrs.insert(name.clone(), default.clone());
                }
            }
            for (step, nested) in &defaults.nested {
                if let DefaultsStep::Attribute(name) = step {
                    if let Some(v) = attrs.remove(name) {
                        attrs.insert(name.clone(), apply_defaults(v, nested));
                    }
                }
            }
            Value::Object(attrs)
        }
        Value::List(xs) => Value::List(apply_elements(xs, defaults)),
        Value::Set(xs) => Value::set_from(apply_elements(xs, defaults)),
        Value::Map(m) => match defaults.nested.get(&DefaultsStep::Element) {
            Some(d) => Value::Map(
                m.into_iter()
                    .map(|(k, v)| (k, apply_defaults(v, d)))
                    .collect(),
            ),
            None => Value::Map(m),
        },
        Value::Tuple(xs) => Value::Tuple(
            xs.into_iter()
                .enumerate()
                .map(
                    |(i, v)| match defaults.nested.get(&DefaultsStep::Position(i)) {
                        Some(d) => apply_defaults(v, d),
                        None => v,
                    },
                )
                .collect(),
        ),
        other => other,
    }
}

fn apply_elements(xs: Vec<crate::lang::Value>, defaults: &Defaults) -> Vec<crate::lang::Value> {
    match defaults.nested.get(&DefaultsStep::Element) {
        Some(d) => xs.into_iter().map(|v| apply_defaults(v, d)).collect(),
        None => xs,
    }
}
