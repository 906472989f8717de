//! Tests of the mcloud provider (seed 003).
//!
//! - `parsers`: every endpoint's example answers from the seed, verbatim, through the
//!   client's parser and the typed API structs;
//! - `against_sim`: resources and data sources against the mcloud simulator over loopback.

#[path = "provider_mcloud/seed_examples.rs"]
mod seed_examples;

#[path = "provider_mcloud/parsers.rs"]
mod parsers;

#[path = "provider_mcloud/against_sim.rs"]
mod against_sim;

#[path = "provider_mcloud/resources.rs"]
mod resources;

#[path = "provider_mcloud/data.rs"]
mod data;
