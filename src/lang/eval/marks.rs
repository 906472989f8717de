//! Sensitive marks: operators work on unmarked values and put the mark back on results.

use crate::lang::Value;

/// Removes the top-level sensitive mark, reporting whether there was one.
pub(crate) fn unmark(v: Value) -> (Value, bool) {
    match v {
        Value::Sensitive(inner) => (unmark(*inner).0, true),
        other => (other, false),
    }
}

/// Marks `v` sensitive when `sensitive` is true.
pub(crate) fn mark_if(v: Value, sensitive: bool) -> Value {
    if sensitive {
        Value::sensitive(v)
    } else {
        v
    }
}
