//! Typed addresses: `mcloud_instance.web[2]`, `data.mcloud_zones.bj`, `module.net[1].x.y`.
//!
//! Addresses are how users name things (`-target`, `-replace`, `state rm`), how state keys
//! its entries and how plans report actions, so one parser and one printer serve them all.

use std::cmp::Ordering;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Managed,
    Data,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Managed => "managed",
            Mode::Data => "data",
        }
    }
}

/// The key of one instance of a resource or module: none, `[0]` or `["a"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InstanceKey {
    None,
    Int(i64),
    Str(String),
}

impl InstanceKey {
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            InstanceKey::None => None,
            InstanceKey::Int(i) => Some(serde_json::Value::from(*i)),
            InstanceKey::Str(s) => Some(serde_json::Value::String(s.clone())),
        }
    }

    pub fn from_json(v: Option<&serde_json::Value>) -> InstanceKey {
        match v {
            Some(serde_json::Value::Number(n)) => n
                .as_i64()
                .map(InstanceKey::Int)
                .unwrap_or(InstanceKey::None),
            Some(serde_json::Value::String(s)) => InstanceKey::Str(s.clone()),
            _ => InstanceKey::None,
        }
    }
}

impl Ord for InstanceKey {
    fn cmp(&self, other: &Self) -> Ordering {
        use InstanceKey::*;
        match (self, other) {
            (None, None) => Ordering::Equal,
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Int(a), Int(b)) => a.cmp(b),
            (Int(_), Str(_)) => Ordering::Less,
            (Str(_), Int(_)) => Ordering::Greater,
            (Str(a), Str(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for InstanceKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// A path of module calls from the root: empty for the root module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ModulePath(pub Vec<(String, InstanceKey)>);

impl ModulePath {
    pub fn root() -> ModulePath {
        ModulePath(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn child(&self, name: &str, key: InstanceKey) -> ModulePath {
        let mut v = self.0.clone();
        v.push((name.to_string(), key));
        ModulePath(v)
    }

    /// `Some("module.x[1]")`, or `None` for the root (how state stores it).
    pub fn to_state_string(&self) -> Option<String> {
        if self.is_root() {
            None
        } else {
            Some(self.to_string())
        }
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, key)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{name}{key}")?;
        }
        Ok(())
    }
}

/// A resource or data source within a module: `mcloud_instance.web`, `data.mcloud_zones.all`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceAddr {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn managed(type_name: &str, name: &str) -> ResourceAddr {
        ResourceAddr {
            mode: Mode::Managed,
            type_name: type_name.to_string(),
            name: name.to_string(),
        }
    }

    pub fn data(type_name: &str, name: &str) -> ResourceAddr {
        ResourceAddr {
            mode: Mode::Data,
            type_name: type_name.to_string(),
            name: name.to_string(),
        }
    }

    /// The provider name a type belongs to by default: the prefix before the first `_`.
    pub fn implied_provider(&self) -> &str {
        self.type_name.split('_').next().unwrap_or(&self.type_name)
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// A resource in a particular module instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbsResource {
    pub module: ModulePath,
    pub resource: ResourceAddr,
}

impl AbsResource {
    pub fn instance(&self, key: InstanceKey) -> AbsInstance {
        AbsInstance {
            module: self.module.clone(),
            resource: self.resource.clone(),
            key,
        }
    }
}

impl fmt::Display for AbsResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        write!(f, "{}", self.resource)
    }
}

/// One instance of a resource: the unit of planning and applying.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbsInstance {
    pub module: ModulePath,
    pub resource: ResourceAddr,
    pub key: InstanceKey,
}

impl AbsInstance {
    pub fn abs_resource(&self) -> AbsResource {
        AbsResource {
            module: self.module.clone(),
            resource: self.resource.clone(),
        }
    }
}

impl fmt::Display for AbsInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.abs_resource(), self.key)
    }
}

/// What a user may name on the command line: a whole resource or one instance,
/// optionally inside a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Resource(AbsResource),
    Instance(AbsInstance),
    Module(ModulePath),
}

impl Target {
    /// Whether this target selects the given instance.
    pub fn matches(&self, inst: &AbsInstance) -> bool {
        match self {
            Target::Resource(r) => r.module == inst.module && r.resource == inst.resource,
            Target::Instance(i) => i == inst,
            Target::Module(m) => inst.module.0.starts_with(&m.0),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Resource(r) => write!(f, "{r}"),
            Target::Instance(i) => write!(f, "{i}"),
            Target::Module(m) => write!(f, "{m}"),
        }
    }
}

/// Parses `module.a["x"].mcloud_instance.web[2]` and friends.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let mut p = Cursor { s, pos: 0 };
    let mut module = ModulePath::root();
    let bad = |why: &str| format!("invalid address {s:?}: {why}");
    loop {
        let first = p
            .ident()
            .ok_or_else(|| bad("expected a resource type or \"module\""))?;
        if first == "module" {
            p.expect('.')
                .map_err(|_| bad("expected \".\" after \"module\""))?;
            let name = p.ident().ok_or_else(|| bad("expected a module name"))?;
            let key = p.key().map_err(|e| bad(&e))?;
            module = module.child(&name, key);
            if p.done() {
                return Ok(Target::Module(module));
            }
            p.expect('.').map_err(|_| bad("expected \".\""))?;
            continue;
        }
        let (mode, type_name) = if first == "data" {
            p.expect('.')
                .map_err(|_| bad("expected \".\" after \"data\""))?;
            (
                Mode::Data,
                p.ident()
                    .ok_or_else(|| bad("expected a data source type"))?,
            )
        } else {
            (Mode::Managed, first)
        };
        p.expect('.')
            .map_err(|_| bad("expected \".\" and a resource name"))?;
        let name = p.ident().ok_or_else(|| bad("expected a resource name"))?;
        let resource = ResourceAddr {
            mode,
            type_name,
            name,
        };
        if p.done() {
            return Ok(Target::Resource(AbsResource { module, resource }));
        }
        let key = p.key().map_err(|e| bad(&e))?;
        if !p.done() {
            return Err(bad("unexpected text after the instance key"));
        }
        return Ok(Target::Instance(AbsInstance {
            module,
            resource,
            key,
        }));
    }
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn done(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn ident(&mut self) -> Option<String> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|(i, c)| !(c.is_alphanumeric() || *c == '_' || (*c == '-' && *i > 0)))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let first_ok = rest
            .chars()
            .next()
            .map(|c| c.is_alphabetic() || c == '_')
            .unwrap_or(false);
        if len == 0 || !first_ok {
            return None;
        }
        self.pos += len;
        Some(rest[..len].to_string())
    }

    fn expect(&mut self, c: char) -> Result<(), ()> {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(())
        }
    }

    /// An optional `[0]` or `["key"]`.
    fn key(&mut self) -> Result<InstanceKey, String> {
        if !self.rest().starts_with('[') {
            return Ok(InstanceKey::None);
        }
        self.pos += 1;
        let rest = self.rest();
        let end = rest.find(']').ok_or("unclosed \"[\"")?;
        let inner = &rest[..end];
        self.pos += end + 1;
        if inner.starts_with('"') {
            serde_json::from_str::<String>(inner)
                .map(InstanceKey::Str)
                .map_err(|_| format!("invalid string key {inner}"))
        } else {
            inner.parse::<i64>().map(InstanceKey::Int).map_err(|_| {
                format!("invalid index {inner:?}: use a whole number or a quoted string")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_addresses() {
        for s in [
            "mcloud_instance.web",
            "mcloud_instance.web[2]",
            "data.mcloud_zones.all",
            "mcloud_instance.web[\"a b\"]",
            "module.net[1].mcloud_instance.web[0]",
            "module.a.module.b[\"x\"].data.mcloud_zones.z",
            "module.net",
        ] {
            let t = parse_target(s).unwrap();
            assert_eq!(t.to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_addresses() {
        assert_eq!(
            parse_target("mcloud_instance").unwrap_err(),
            "invalid address \"mcloud_instance\": expected \".\" and a resource name"
        );
        assert!(parse_target("mcloud_instance.web[x]").is_err());
        assert!(parse_target("mcloud_instance.web[1").is_err());
        assert!(parse_target("mcloud_instance.web[1]junk").is_err());
        assert!(parse_target("").is_err());
    }

    #[test]
    fn instance_keys_order_ints_numerically() {
        let mut keys = vec![InstanceKey::Int(10), InstanceKey::Int(2), InstanceKey::None];
        keys.sort();
        assert_eq!(
            keys,
            vec![InstanceKey::None, InstanceKey::Int(2), InstanceKey::Int(10)]
        );
    }
}
