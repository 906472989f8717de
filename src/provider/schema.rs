//! Provider schemas: what attributes a resource or data source has and how they behave in a plan.

use crate::lang::Type;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub ty: Type,
    pub description: &'static str,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (if also optional: the provider fills it when the user did not).
    pub computed: bool,
    /// A change replaces the object (the API cannot change it in place).
    pub force_new: bool,
    /// Never printed; stored in state's `sensitive_attributes`.
    pub sensitive: bool,
    /// For a computed attribute: it is known only after apply whenever one of these
    /// attributes changes (a group's `instances` when its `instance_count` does).
    pub recomputed_when: &'static [&'static str],
}

impl Attribute {
    fn base(ty: Type) -> Attribute {
        Attribute {
            ty,
            description: "",
            required: false,
            optional: false,
            computed: false,
            force_new: false,
            sensitive: false,
            recomputed_when: &[],
        }
    }
    pub fn required(ty: Type) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::base(ty)
        }
    }
    pub fn optional(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::base(ty)
        }
    }
    pub fn computed(ty: Type) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::base(ty)
        }
    }
    /// Optional; the provider supplies a value when the user gives none.
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::base(ty)
        }
    }
    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    pub fn recomputed_when(mut self, attrs: &'static [&'static str]) -> Attribute {
        self.recomputed_when = attrs;
        self
    }
    pub fn describe(mut self, d: &'static str) -> Attribute {
        self.description = d;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; its value is an object (or null when absent).
    Single,
    /// Zero or more blocks; a list of objects.
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub schema: Schema,
    pub min_items: usize,
    pub max_items: usize,
    pub force_new: bool,
}

/// The schema of a resource type, data source or provider configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub description: &'static str,
    /// Bumped when the stored shape changes; state records it, and a state of an older
    /// version goes through the provider's `upgrade_state` hook before use.
    pub version: u64,
    pub attributes: BTreeMap<String, Attribute>,
    pub blocks: BTreeMap<String, NestedBlock>,
}

impl Schema {
    pub fn new(description: &'static str) -> Schema {
        Schema {
            description,
            ..Schema::default()
        }
    }

    pub fn version(mut self, version: u64) -> Schema {
        self.version = version;
        self
    }

    pub fn attr(mut self, name: &str, a: Attribute) -> Schema {
        self.attributes.insert(name.to_string(), a);
        self
    }

    pub fn block(mut self, name: &str, b: NestedBlock) -> Schema {
        self.blocks.insert(name.to_string(), b);
        self
    }

    /// The object type of a value conforming to this schema (as stored in state).
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), a.ty.clone()))
            .collect();
        for (k, b) in &self.blocks {
            let inner = b.schema.value_type();
            let t = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
            };
            attrs.insert(k.clone(), t);
        }
        Type::Object(attrs)
    }

    /// Names of every attribute and block, for "did you mean" suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .keys()
            .chain(self.blocks.keys())
            .map(String::as_str)
    }
}

/// Everything a provider offers.
#[derive(Debug, Clone, Default)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
}
