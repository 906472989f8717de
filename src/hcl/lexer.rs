//! Tokens of HCL native syntax.
