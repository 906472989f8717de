//! The mcloud simulator (seed 003).
