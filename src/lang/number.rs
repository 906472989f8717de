//! Arbitrary-precision numbers with Terraform's semantics (`0.1 + 0.2 == 0.3`).
//!
//! Terraform uses big floats; we use a big decimal, which gives the same answers for
//! everything written in decimal and prints without exponent.

use bigdecimal::{BigDecimal, ToPrimitive, Zero};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Number(pub BigDecimal);

impl Number {
    pub fn from_i64(n: i64) -> Number {
        Number(BigDecimal::from(n))
    }

    /// `None` for NaN and infinities, which Terraform numbers cannot hold.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        // Shortest round-trip form, so 0.1f64 becomes 0.1 rather than 0.1000000000000000055...
        BigDecimal::from_str(&format!("{f}")).ok().map(Number)
    }

    /// Parses a decimal literal (`1`, `-2.5`, `1e3`).
    pub fn parse(s: &str) -> Option<Number> {
        BigDecimal::from_str(s.trim()).ok().map(Number)
    }

    pub fn to_f64(&self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// The value as an i64 when it is a whole number in range.
    pub fn to_i64(&self) -> Option<i64> {
        if self.is_integer() {
            self.0.to_i64()
        } else {
            None
        }
    }

    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for Number {
    /// Plain decimal notation without exponent and without trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.normalized();
        let (digits, scale) = n.as_bigint_and_exponent();
        if scale <= 0 {
            let mut s = digits.to_string();
            if !digits.is_zero() {
                for _ in 0..(-scale) {
                    s.push('0');
                }
            }
            return f.write_str(&s);
        }
        let neg = digits < num_bigint::BigInt::from(0);
        let mut abs = digits.magnitude().to_string();
        let scale = scale as usize;
        if abs.len() <= scale {
            abs = format!("{}{}", "0".repeat(scale - abs.len() + 1), abs);
        }
        let (int, frac) = abs.split_at(abs.len() - scale);
        write!(f, "{}{}.{}", if neg { "-" } else { "" }, int, frac)
    }
}
