//! HCL native syntax: lexer, parser (with Terraform's diagnostics) and canonical formatter.

pub mod ast;
pub mod fmt;
mod fmt_layout;
pub mod lexer;
pub mod parser;
mod template;

use crate::diag::Diagnostics;

/// Parses a whole configuration file. `file` is the name diagnostics show.
pub fn parse_file(src: &str, file: &str) -> Result<ast::Body, Diagnostics> {
    parser::parse_body(src, file)
}

/// Parses one expression (console input, `-var` values, `moved` addresses).
pub fn parse_expr(src: &str, file: &str) -> Result<ast::Expr, Diagnostics> {
    parser::parse_expression(src, file)
}
