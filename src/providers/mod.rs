//! The cloud providers, one folder each.

pub mod mcloud;
