//! The built-in function library, with Terraform's names and results.

use super::Value;
use std::path::PathBuf;

/// What functions may need beyond their arguments.
#[derive(Debug, Clone, Default)]
pub struct FunctionContext {
    /// `path.module`: where `file()` and `templatefile()` resolve relative paths.
    pub base_dir: PathBuf,
}

/// A function failure. `arg` is the 0-based index of the argument at fault, if any, so the
/// evaluator can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError {
    pub summary: String,
    pub detail: String,
    pub arg: Option<usize>,
}

/// Calls a built-in function. `None` when no function has that name.
pub fn call(
    name: &str,
    args: Vec<Value>,
    ctx: &FunctionContext,
) -> Option<Result<Value, FunctionError>> {
    let _ = (name, args, ctx);
    None
}

/// Every function name, for "did you mean" suggestions.
pub fn names() -> Vec<&'static str> {
    Vec::new()
}
