//! Loading configuration.
