//! The values computed during a walk, per module instance, and the evaluation contexts built
//! from them.

use crate::addr::{InstanceKey, Mode, ModulePath, ResourceAddr};
use crate::config::Config;
use crate::hcl::ast::{Expr, Step};
use crate::lang::{EvalContext, Value, ValueMap};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The `count.index` / `each.key` / `each.value` in force for an expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Binding {
    #[default]
    None,
    Count(i64),
    Each {
        key: String,
        value: Value,
    },
    /// `validate` only: a `count` or `for_each` whose value is not known stands for one
    /// instance whose `count.index` / `each.key` / `each.value` are unknown.
    UnknownCount,
    UnknownEach,
}

impl Binding {
    pub fn key(&self) -> InstanceKey {
        match self {
            Binding::None => InstanceKey::None,
            Binding::Count(i) => InstanceKey::Int(*i),
            Binding::Each { key, .. } => InstanceKey::Str(key.clone()),
            Binding::UnknownCount => InstanceKey::Int(0),
            Binding::UnknownEach => InstanceKey::Str(String::new()),
        }
    }
}

/// What one module instance has computed so far.
#[derive(Debug, Clone, Default)]
pub struct ModuleValues {
    pub vars: BTreeMap<String, Value>,
    pub locals: BTreeMap<String, Value>,
    pub outputs: BTreeMap<String, Value>,
    /// Each resource's value as expressions see it: an object, or a tuple (count) or
    /// object (for_each) of objects.
    pub resources: BTreeMap<ResourceAddr, Value>,
    /// The binding the calling module used for this instance (`count.index` in inputs).
    pub binding: Binding,
}

#[derive(Debug, Default)]
pub struct Values {
    pub modules: BTreeMap<ModulePath, ModuleValues>,
    /// Module instances of each module (by its path of call names), in key order.
    pub instances: BTreeMap<Vec<String>, Vec<ModulePath>>,
    /// How each module call expands: `None` (no count/for_each), count or for_each.
    pub call_kinds: BTreeMap<Vec<String>, CallKind>,
    /// The selected workspace, for `skyform.workspace` / `terraform.workspace`.
    pub workspace: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Single,
    Count,
    ForEach,
}

impl Values {
    pub fn new() -> Values {
        let mut v = Values::default();
        v.modules
            .insert(ModulePath::root(), ModuleValues::default());
        v.instances.insert(Vec::new(), vec![ModulePath::root()]);
        v
    }

    pub fn module_mut(&mut self, m: &ModulePath) -> &mut ModuleValues {
        self.modules.entry(m.clone()).or_default()
    }

    /// Instances of a module, by its path of call names.
    pub fn instances_of(&self, config_path: &[String]) -> Vec<ModulePath> {
        self.instances.get(config_path).cloned().unwrap_or_default()
    }

    /// The value of `module.NAME` as seen from module instance `m`.
    fn module_call_value(&self, m: &ModulePath, call: &str) -> Value {
        let mut config_path: Vec<String> = m.0.iter().map(|(n, _)| n.clone()).collect();
        config_path.push(call.to_string());
        let kind = self
            .call_kinds
            .get(&config_path)
            .copied()
            .unwrap_or(CallKind::Single);
        let instances: Vec<ModulePath> = self
            .instances_of(&config_path)
            .into_iter()
            .filter(|c| c.0.len() == m.0.len() + 1 && c.0.starts_with(&m.0))
            .collect();
        // Instances of an unknown count/for_each (validate): the call's value is unknown.
        let unknown = instances.iter().any(|c| {
            self.modules.get(c).is_some_and(|mv| {
                matches!(mv.binding, Binding::UnknownCount | Binding::UnknownEach)
            })
        });
        if unknown {
            return Value::unknown();
        }
        let children: Vec<(InstanceKey, Value)> = instances
            .into_iter()
            .map(|c| {
                let key =
                    c.0.last()
                        .map(|(_, k)| k.clone())
                        .unwrap_or(InstanceKey::None);
                let outs = self
                    .modules
                    .get(&c)
                    .map(|mv| mv.outputs.clone())
                    .unwrap_or_default();
                (key, Value::Object(outs.into()))
            })
            .collect();
        match kind {
            CallKind::Single => children
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::unknown()),
            CallKind::Count => Value::Tuple(children.into_iter().map(|(_, v)| v).collect()),
            CallKind::ForEach => Value::Object(
                children
                    .into_iter()
                    .map(|(k, v)| match k {
                        InstanceKey::Str(s) => (s, v),
                        other => (other.to_string(), v),
                    })
                    .collect(),
            ),
        }
    }

    /// Builds the context for evaluating `exprs` in module instance `m`: only the roots
    /// (and resource names) they refer to are included, so contexts stay small however many
    /// resources a configuration has.
    pub fn context(
        &self,
        config: &Config,
        m: &ModulePath,
        binding: &Binding,
        exprs: &[&Expr],
    ) -> EvalContext {
        let mv = self.modules.get(m);
        let module_dir = module_dir(config, m);
        let mut wanted_roots: BTreeSet<String> = BTreeSet::new();
        let mut wanted_names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // Roots used without a name after them (`local`, `var[k]`): these need every value.
        let mut whole_roots: BTreeSet<String> = BTreeSet::new();
        for e in exprs {
            for t in e.traversals() {
                if !matches!(t.steps.first(), Some(Step::Attr(_))) {
                    whole_roots.insert(t.root.clone());
                }
                if let Some(Step::Attr(name)) = t.steps.first() {
                    wanted_names
                        .entry(t.root.clone())
                        .or_default()
                        .insert(name.clone());
                    if t.root == "data" {
                        if let Some(Step::Attr(n2)) = t.steps.get(1) {
                            wanted_names
                                .entry(format!("data.{name}"))
                                .or_default()
                                .insert(n2.clone());
                        }
                    }
                }
                wanted_roots.insert(t.root);
            }
        }
        let mut vars = BTreeMap::new();
        for root in wanted_roots {
            let v = match root.as_str() {
                "var" | "local" => {
                    let all = mv.map(|m| if root == "var" { &m.vars } else { &m.locals });
                    Value::Object(named_values(all, &root, &wanted_names, &whole_roots).into())
                }
                "module" => Value::Object(
                    wanted_names
                        .get("module")
                        .into_iter()
                        .flatten()
                        .map(|call| (call.clone(), self.module_call_value(m, call)))
                        .collect(),
                ),
                "count" => match binding {
                    Binding::Count(i) => Value::object([("index", Value::number(*i))]),
                    Binding::UnknownCount => {
                        Value::object([("index", Value::Unknown(crate::lang::Type::Number))])
                    }
                    _ => continue,
                },
                "each" => match binding {
                    Binding::Each { key, value } => Value::object([
                        ("key", Value::string(key.clone())),
                        ("value", value.clone()),
                    ]),
                    Binding::UnknownEach => Value::object([
                        ("key", Value::Unknown(crate::lang::Type::String)),
                        ("value", Value::unknown()),
                    ]),
                    _ => continue,
                },
                "path" => Value::object([
                    ("module", Value::string(rel_path(&config.dir, &module_dir))),
                    ("root", Value::string(".")),
                    (
                        "cwd",
                        Value::string(config.dir.to_string_lossy().to_string()),
                    ),
                ]),
                "terraform" | "skyform" => {
                    Value::object([("workspace", Value::string(self.workspace.clone()))])
                }
                "data" => {
                    let mut types = ValueMap::new();
                    for ty in wanted_names.get("data").into_iter().flatten() {
                        let names = wanted_names
                            .get(&format!("data.{ty}"))
                            .cloned()
                            .unwrap_or_default();
                        let obj: ValueMap = names
                            .into_iter()
                            .filter_map(|n| {
                                let v = mv?.resources.get(&ResourceAddr::data(ty, &n))?;
                                Some((n, v.clone()))
                            })
                            .collect();
                        types.insert(ty.clone(), Value::Object(obj));
                    }
                    Value::Object(types)
                }
                ty => {
                    let names = wanted_names.get(ty).cloned().unwrap_or_default();
                    let obj: ValueMap = names
                        .into_iter()
                        .filter_map(|n| {
                            let addr = ResourceAddr {
                                mode: Mode::Managed,
                                type_name: ty.to_string(),
                                name: n.clone(),
                            };
                            Some((n, mv?.resources.get(&addr)?.clone()))
                        })
                        .collect();
                    Value::Object(obj)
                }
            };
            vars.insert(root, v);
        }
        EvalContext {
            variables: vars,
            base_dir: module_dir,
        }
    }
}

/// The directory of a module instance's configuration.
pub fn module_dir(config: &Config, m: &ModulePath) -> PathBuf {
    let names: Vec<String> = m.0.iter().map(|(n, _)| n.clone()).collect();
    config
        .root
        .descendant(&names)
        .map(|n| n.module.dir.clone())
        .unwrap_or_else(|| config.dir.clone())
}

fn rel_path(base: &Path, p: &Path) -> String {
    match p.strip_prefix(base) {
        Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
        Ok(r) => r.to_string_lossy().to_string(),
        Err(_) => p.to_string_lossy().to_string(),
    }
}

/// The values of `var` or `local` an expression can see: only the names it refers to, so
/// evaluating each of n locals that refer to others costs what they refer to, not a copy
/// of all n (which made a large `locals` block quadratic). A bare `local` or `var[...]`
/// still sees every value.
pub(crate) fn named_values(
    all: Option<&BTreeMap<String, Value>>,
    root: &str,
    wanted_names: &BTreeMap<String, BTreeSet<String>>,
    whole_roots: &BTreeSet<String>,
) -> BTreeMap<String, Value> {
    let Some(all) = all else {
        return BTreeMap::new();
    };
    if whole_roots.contains(root) {
        return all.clone();
    }
    wanted_names
        .get(root)
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n.clone(), all.get(n)?.clone())))
        .collect()
}
