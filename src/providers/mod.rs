//! The cloud providers, one folder each.

pub mod jdcloud;
pub mod mcloud;
