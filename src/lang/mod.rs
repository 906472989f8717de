//! Expression evaluation over [`Value`]: unknowns, sensitive marks, conversions, functions.

pub mod convert;
pub mod display;
pub mod eval;
pub mod functions;
pub mod number;
pub mod types;
pub mod value;
pub mod value_from_text;
pub mod value_map;

pub use eval::{eval, EvalContext};
pub use number::Number;
pub use types::Type;
pub use value::Value;
pub use value_map::ValueMap;
