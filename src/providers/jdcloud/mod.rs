//! The JD Cloud provider (seed 004). For now only the request signer.

pub mod sign;
