//! Faithful HTTP emulators of the seed APIs.

pub mod mcloud;
