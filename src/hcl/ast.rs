//! The syntax tree of HCL native syntax, with a source span on every node.
//!
//! `config` reads blocks and attributes from it; `lang::eval` evaluates its expressions.
//! Literals stay as written here (the syntax layer knows no values); `lang` converts them.

use crate::diag::Span;

/// A file's or block's body: attributes and blocks in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub items: Vec<BodyItem>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyItem {
    Attribute(Attribute),
    Block(Block),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
    /// The whole `name = expr` range.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub kind_span: Span,
    pub labels: Vec<Label>,
    pub body: Body,
    /// From the block type to the closing brace.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub value: String,
    pub span: Span,
}

impl Body {
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|i| match i {
            BodyItem::Attribute(a) => Some(a),
            BodyItem::Block(_) => None,
        })
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|i| match i {
            BodyItem::Block(b) => Some(b),
            BodyItem::Attribute(_) => None,
        })
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(NumberLit),
    /// A quoted string or heredoc: literal text and interpolations/directives.
    Template(Vec<TemplatePart>),
    /// A bare name at the root of a traversal: `var`, `local`, `mcloud_instance`, `count`.
    Variable(String),
    Tuple(Vec<Expr>),
    /// `{ key = value }`; keys are expressions (a bare identifier key is a `Variable`
    /// expression that the evaluator treats as a literal string, as Terraform does).
    Object(Vec<(Expr, Expr)>),
    FunctionCall {
        name: String,
        args: Vec<Expr>,
        /// `f(xs...)`: the final argument is expanded.
        expand_final: bool,
    },
    /// `expr.name`
    GetAttr(Box<Expr>, String),
    /// `expr[key]` (and legacy `expr.0`)
    Index(Box<Expr>, Box<Expr>),
    /// `expr[*].rest` or legacy `expr.*.rest`. `each` is evaluated against each element,
    /// with `Expr::SplatItem` standing for the element.
    Splat {
        source: Box<Expr>,
        each: Box<Expr>,
        legacy: bool,
    },
    /// The current element inside a splat's `each`.
    SplatItem,
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    For(Box<ForExpr>),
    Parens(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    /// `Some` for `{ for ... : k => v }`.
    pub key: Option<Expr>,
    pub value: Expr,
    pub cond: Option<Expr>,
    /// The `...` grouping marker of object for-expressions.
    pub group: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Expr),
    If {
        cond: Expr,
        then: Vec<TemplatePart>,
        otherwise: Vec<TemplatePart>,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Expr,
        body: Vec<TemplatePart>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Negate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A literal index key of a static reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Number(NumberLit),
    String(String),
}

/// A number literal exactly as written (`1`, `0.50`, `1e3`). Terraform's numbers are
/// arbitrary precision, so the text is kept and `lang` converts it when evaluating;
/// equality is numeric (`1.0 == 1`), like the values it stands for.
#[derive(Debug, Clone)]
pub struct NumberLit {
    text: String,
}

impl NumberLit {
    /// Accepts `digits[.digits][(e|E)[+|-]digits]`, within the range `lang`'s exact
    /// numbers can hold (their scale, fraction digits minus exponent, fits an i64).
    pub fn parse(text: &str) -> Option<NumberLit> {
        decompose(text)?;
        Some(NumberLit {
            text: text.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Significant digits without leading or trailing zeros, and the power of ten of the
    /// last one: `0.250` is `("25", -2)`; zero is `("", 0)`.
    fn normal(&self) -> (String, i128) {
        let Some((int, frac, exp)) = decompose(&self.text) else {
            return (self.text.clone(), 0);
        };
        let all = format!("{int}{frac}");
        let sig = all.trim_start_matches('0');
        let kept = sig.trim_end_matches('0');
        if kept.is_empty() {
            return (String::new(), 0);
        }
        let dropped = (sig.len() - kept.len()) as i128;
        (kept.to_string(), exp - frac.len() as i128 + dropped)
    }
}

impl PartialEq for NumberLit {
    fn eq(&self, other: &NumberLit) -> bool {
        self.text == other.text || self.normal() == other.normal()
    }
}

impl Eq for NumberLit {}

/// `(integer digits, fraction digits, exponent)` of a valid literal.
fn decompose(text: &str) -> Option<(&str, &str, i128)> {
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (mantissa.contains('.') && !digits(frac)) {
        return None;
    }
    let exp: i128 = match exp {
        None => 0,
        Some(e) => {
            if !digits(e.strip_prefix(['+', '-']).unwrap_or(e)) {
                return None;
            }
            e.parse().ok()?
        }
    };
    let scale = (frac.len() as i128).checked_sub(exp)?;
    i64::try_from(scale).ok()?;
    Some((int, frac, exp))
}

/// One step of a static reference such as `mcloud_template.web.id` or `module.x[1].ip`.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Attr(String),
    /// A literal index key (`[0]`, `["a"]`).
    Index(Literal),
    /// An index that is not a literal (`[count.index]`); references stop being static here.
    Dynamic,
}

/// A reference to a named object found in an expression: `var.x`, `mcloud_instance.web[0].id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Traversal {
    pub root: String,
    pub steps: Vec<Step>,
    pub span: Span,
}

impl Expr {
    /// Every reference the expression makes, in source order. Variables bound inside
    /// the expression (for-expression and template-for iterators) are not references.
    pub fn traversals(&self) -> Vec<Traversal> {
        let mut out = Vec::new();
        collect_traversals(self, &mut Vec::new(), &mut out);
        out
    }

    /// The expression as a plain reference with only attribute and literal index steps
    /// (what `depends_on`, `provider =` and `moved` accept); `None` otherwise.
    pub fn as_static_traversal(&self) -> Option<Traversal> {
        traversal_prefix(self).filter(|t| !t.steps.contains(&Step::Dynamic))
    }
}

/// Walks an expression collecting references. `bound` holds iterator names in scope.
fn collect_traversals(expr: &Expr, bound: &mut Vec<String>, out: &mut Vec<Traversal>) {
    // A chain of GetAttr/Index over a Variable is one traversal.
    if let Some(t) = traversal_prefix(expr) {
        if !bound.contains(&t.root) {
            out.push(t);
        }
        // Dynamic index expressions inside the chain still reference things.
        collect_index_keys(expr, bound, out);
        return;
    }
    match &expr.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::SplatItem => {}
        ExprKind::Variable(_) => {}
        ExprKind::Template(parts) => collect_template(parts, bound, out),
        ExprKind::Tuple(xs) => xs.iter().for_each(|x| collect_traversals(x, bound, out)),
        ExprKind::Object(items) => {
            for (k, v) in items {
                // A bare identifier key is a literal, not a reference.
                if !matches!(k.kind, ExprKind::Variable(_)) {
                    collect_traversals(k, bound, out);
                }
                collect_traversals(v, bound, out);
            }
        }
        ExprKind::FunctionCall { args, .. } => {
            args.iter().for_each(|x| collect_traversals(x, bound, out))
        }
        ExprKind::GetAttr(inner, _) => collect_traversals(inner, bound, out),
        ExprKind::Index(inner, key) => {
            collect_traversals(inner, bound, out);
            collect_traversals(key, bound, out);
        }
        ExprKind::Splat { source, each, .. } => {
            collect_traversals(source, bound, out);
            collect_traversals(each, bound, out);
        }
        ExprKind::Unary(_, x) | ExprKind::Parens(x) => collect_traversals(x, bound, out),
        ExprKind::Binary(_, a, b) => {
            collect_traversals(a, bound, out);
            collect_traversals(b, bound, out);
        }
        ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } => {
            collect_traversals(cond, bound, out);
            collect_traversals(then, bound, out);
            collect_traversals(otherwise, bound, out);
        }
        ExprKind::For(f) => {
            collect_traversals(&f.collection, bound, out);
            let n = bound.len();
            bound.extend(f.key_var.iter().cloned());
            bound.push(f.value_var.clone());
            if let Some(k) = &f.key {
                collect_traversals(k, bound, out);
            }
            collect_traversals(&f.value, bound, out);
            if let Some(c) = &f.cond {
                collect_traversals(c, bound, out);
            }
            bound.truncate(n);
        }
    }
}

fn collect_template(parts: &[TemplatePart], bound: &mut Vec<String>, out: &mut Vec<Traversal>) {
    for p in parts {
        match p {
            TemplatePart::Literal(_) => {}
            TemplatePart::Interpolation(e) => collect_traversals(e, bound, out),
            TemplatePart::If {
                cond,
                then,
                otherwise,
            } => {
                collect_traversals(cond, bound, out);
                collect_template(then, bound, out);
                collect_template(otherwise, bound, out);
            }
            TemplatePart::For {
                key_var,
                value_var,
                collection,
                body,
            } => {
                collect_traversals(collection, bound, out);
                let n = bound.len();
                bound.extend(key_var.iter().cloned());
                bound.push(value_var.clone());
                collect_template(body, bound, out);
                bound.truncate(n);
            }
        }
    }
}

/// The traversal at the root of a GetAttr/Index chain, with `Step::Dynamic` for non-literal
/// indexes.
fn traversal_prefix(expr: &Expr) -> Option<Traversal> {
    let mut steps = Vec::new();
    let mut cur = expr;
    loop {
        match &cur.kind {
            ExprKind::Variable(name) => {
                steps.reverse();
                return Some(Traversal {
                    root: name.clone(),
                    steps,
                    span: expr.span.clone(),
                });
            }
            ExprKind::GetAttr(inner, name) => {
                steps.push(Step::Attr(name.clone()));
                cur = inner;
            }
            ExprKind::Index(inner, key) => {
                let step = match &key.kind {
                    ExprKind::Number(n) => Step::Index(Literal::Number(n.clone())),
                    ExprKind::Template(parts) => match parts.as_slice() {
                        [TemplatePart::Literal(s)] => Step::Index(Literal::String(s.clone())),
                        [] => Step::Index(Literal::String(String::new())),
                        _ => Step::Dynamic,
                    },
                    _ => Step::Dynamic,
                };
                steps.push(step);
                cur = inner;
            }
            _ => return None,
        }
    }
}

fn collect_index_keys(expr: &Expr, bound: &mut Vec<String>, out: &mut Vec<Traversal>) {
    let mut cur = expr;
    loop {
        match &cur.kind {
            ExprKind::GetAttr(inner, _) => cur = inner,
            ExprKind::Index(inner, key) => {
                collect_traversals(key, bound, out);
                cur = inner;
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NumberLit;

    #[test]
    fn number_literals_validate_and_compare_numerically() {
        for ok in ["0", "007", "1.50", "1e3", "1E+3", "2e-400"] {
            assert!(NumberLit::parse(ok).is_some(), "{ok}");
        }
        // Two dots, a missing part, a scale beyond what an exact decimal holds.
        for bad in [
            "1.0.1",
            "1.",
            ".5",
            "1e",
            "1e+",
            "-1",
            "1e99999999999999999999",
            "",
        ] {
            assert!(NumberLit::parse(bad).is_none(), "{bad}");
        }
        let n = |s| NumberLit::parse(s).unwrap();
        assert_eq!(n("1.0"), n("1"));
        assert_eq!(n("0.250"), n("25e-2"));
        assert_eq!(n("000"), n("0.0e7"));
        assert_ne!(n("1"), n("10"));
        assert_ne!(n("0.1"), n("0.01"));
        assert_eq!(n("1.50").as_str(), "1.50");
    }
}
