//! Tests of the mcloud provider (seed 003).
//!
//! - `parsers`: every endpoint's example answers from the seed, verbatim, through the
//!   client's parser and the typed API structs;
//! - `against_sim`: resources and data sources against the mcloud simulator over loopback.

mod seed_examples;

mod parsers;

mod against_sim;

mod resources;

mod data;

mod contract;
