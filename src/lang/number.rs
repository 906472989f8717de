//! Arbitrary-precision numbers with Terraform's semantics (`0.1 + 0.2 == 0.3`).
//!
//! Terraform uses big floats; we use a big decimal, which gives the same answers for
//! everything written in decimal and prints without exponent.

use bigdecimal::{BigDecimal, ToPrimitive, Zero};
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::One;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Boxed so that a `Value` stays small (a `BigDecimal` is 40 bytes, the box 8): most values
/// are strings, objects and lists, and every one of them paid for the widest variant.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Number(Box<BigDecimal>);

impl From<BigDecimal> for Number {
    fn from(d: BigDecimal) -> Number {
        Number(Box::new(d))
    }
}

impl Number {
    /// The exact decimal value.
    pub fn decimal(&self) -> &BigDecimal {
        &self.0
    }

    pub fn from_i64(n: i64) -> Number {
        Number::from(BigDecimal::from(n))
    }

    /// `None` for NaN and infinities, which Terraform numbers cannot hold.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        // Shortest round-trip form, so 0.1f64 becomes 0.1 rather than 0.1000000000000000055...
        BigDecimal::from_str(&format!("{f}")).ok().map(Number::from)
    }

    /// Parses a decimal literal (`1`, `-2.5`, `1e3`).
    pub fn parse(s: &str) -> Option<Number> {
        BigDecimal::from_str(s.trim()).ok().map(Number::from)
    }

    /// The exact value of a number literal (the parser accepts only literals that convert).
    pub fn from_literal(lit: &crate::hcl::ast::NumberLit) -> Option<Number> {
        Number::parse(lit.as_str())
    }

    /// Parses a string the way Terraform converts strings to numbers: an optional sign,
    /// decimal digits with an optional fraction and exponent, nothing else (no spaces,
    /// no `0x`, no `inf`).
    pub fn parse_strict(s: &str) -> Option<Number> {
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
        let exponent_ok = exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.len() < 10 && digits(e)
        });
        if !(mantissa_ok && exponent_ok) {
            return None;
        }
        BigDecimal::from_str(s.strip_prefix('+').unwrap_or(s))
            .ok()
            .map(Number::from)
    }

    pub fn to_f64(&self) -> f64 {
        // Out of f64's range either way; converting would be slow for absurd exponents.
        let m = self.magnitude();
        if m > 400 {
            return if self.0.sign() == Sign::Minus {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        if m < -400 {
            return 0.0;
        }
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// The decimal position just above the leading digit: `123.4` → 3, `0.05` → -1,
    /// 0 for zero. Cheap even for absurd exponents, so it can guard costly operations.
    pub fn magnitude(&self) -> i64 {
        if self.0.is_zero() {
            return 0;
        }
        let (_, scale) = self.0.as_bigint_and_exponent();
        self.0.digits() as i64 - scale
    }

    /// The value as an i64 when it is a whole number in range.
    pub fn to_i64(&self) -> Option<i64> {
        if self.magnitude() > 19 {
            return None;
        }
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

/// Terraform computes with 512-bit binary floats; a decimal with at most this many
/// significant digits always survives the round trip through one unchanged.
const EXACT_DIGITS: u64 = 154;

/// Bits of mantissa in Terraform's number representation.
const MANTISSA_BITS: u64 = 512;

/// Beyond this decimal exponent we keep values exact instead of rounding them, so that
/// absurd literals (`1e100000`) cannot make arithmetic slow.
const MAX_ROUNDING_EXPONENT: i64 = 5000;

/// Operands further apart than this many decimal places cannot affect each other in a
/// 512-bit float (which holds about 155 digits).
const NEGLIGIBLE_GAP: i64 = 170;

/// Beyond this many digits, `Display` switches to exponent notation rather than writing
/// out millions of zeros (Terraform would, but no one can read it and it could exhaust
/// memory).
const MAX_PLAIN_DIGITS: i64 = 100_000;

/// Why an arithmetic operation has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithmeticError {
    DivisionByZero,
}

impl Number {
    pub fn add(&self, other: &Number) -> Number {
        if let Some(n) = self.negligible_sum(other) {
            return n;
        }
        Number::from(self.decimal() + other.decimal()).rounded()
    }

    pub fn sub(&self, other: &Number) -> Number {
        self.add(&other.neg())
    }

    /// When one operand is too small to change the other at 512-bit precision, the sum is
    /// the larger one; answering directly avoids aligning wildly different exponents.
    fn negligible_sum(&self, other: &Number) -> Option<Number> {
        if self.is_zero() || other.is_zero() {
            return None;
        }
        let gap = self.magnitude() - other.magnitude();
        if gap > NEGLIGIBLE_GAP {
            Some(self.clone().rounded())
        } else if gap < -NEGLIGIBLE_GAP {
            Some(other.clone().rounded())
        } else {
            None
        }
    }

    pub fn mul(&self, other: &Number) -> Number {
        Number::from(self.decimal() * other.decimal()).rounded()
    }

    pub fn neg(&self) -> Number {
        Number::from(-self.decimal())
    }

    /// Division rounded the way Terraform's 512-bit floats round it, then written in the
    /// shortest decimal that reads back as the same float (`1/3` gives 155 threes... and a 5).
    pub fn div(&self, other: &Number) -> Result<Number, ArithmeticError> {
        if other.is_zero() {
            return Err(ArithmeticError::DivisionByZero);
        }
        if self.is_zero() {
            return Ok(Number::from_i64(0));
        }
        let (na, sa) = self.0.as_bigint_and_exponent();
        let (nb, sb) = other.0.as_bigint_and_exponent();
        let negative = (na.sign() == Sign::Minus) != (nb.sign() == Sign::Minus);
        let shift = sb - sa;
        if shift.abs() > MAX_ROUNDING_EXPONENT {
            // Divide the digits, then move the decimal point: never builds 10^shift.
            let q = shortest_of_rational(na.magnitude(), nb.magnitude(), negative);
            let (digits, scale) = q.as_bigint_and_exponent();
            return Ok(Number::from(BigDecimal::new(digits, scale - shift)));
        }
        let mut num = na.magnitude().clone();
        let mut den = nb.magnitude().clone();
        if shift >= 0 {
            num *= pow10(shift as u64);
        } else {
            den *= pow10((-shift) as u64);
        }
        Ok(Number::from(shortest_of_rational(&num, &den, negative)))
    }

    /// Terraform's `%`: `a - trunc(a / b) * b`, so the sign follows the dividend; `a % 0`
    /// is `a` (Terraform's float arithmetic gives that too).
    pub fn rem(&self, other: &Number) -> Number {
        if other.is_zero() {
            return self.clone();
        }
        let gap = self.magnitude() - other.magnitude();
        if gap < 0 && self.0.abs() < other.0.abs() {
            return self.clone();
        }
        if gap > NEGLIGIBLE_GAP {
            // Beyond 512-bit precision the dividend is a multiple of the divisor.
            return Number::from_i64(0);
        }
        let (na, sa) = self.0.as_bigint_and_exponent();
        let (nb, sb) = other.0.as_bigint_and_exponent();
        let scale = sa.max(sb);
        if (scale - sa.min(sb)) > MAX_ROUNDING_EXPONENT * 2 {
            return self.clone();
        }
        let a = na * pow10_signed((scale - sa) as u64);
        let b = nb * pow10_signed((scale - sb) as u64);
        // BigInt's `%` truncates toward zero, which is exactly Terraform's rule.
        Number::from(BigDecimal::new(a % b, scale))
    }

    /// Results with more digits than a 512-bit float holds are rounded as Terraform rounds
    /// them; shorter ones are exact already.
    fn rounded(self) -> Number {
        if self.0.digits() <= EXACT_DIGITS {
            return self;
        }
        let (n, scale) = self.0.as_bigint_and_exponent();
        if scale.abs() > MAX_ROUNDING_EXPONENT {
            return self;
        }
        let negative = n.sign() == Sign::Minus;
        let (num, den) = if scale >= 0 {
            (n.magnitude().clone(), pow10(scale as u64))
        } else {
            (n.magnitude() * pow10((-scale) as u64), BigUint::one())
        };
        Number::from(shortest_of_rational(&num, &den, negative))
    }
}

fn pow10(n: u64) -> BigUint {
    num_traits::pow(BigUint::from(10u32), n as usize)
}

fn pow10_signed(n: u64) -> BigInt {
    BigInt::from(pow10(n))
}

/// Rounds `num / den` (both positive) to a float with a 512-bit mantissa (ties to even),
/// then returns the shortest decimal that rounds back to that float, as Go's
/// `big.Float.Text('f', -1)` prints it.
fn shortest_of_rational(num: &BigUint, den: &BigUint, negative: bool) -> BigDecimal {
    if num.is_zero() {
        return BigDecimal::zero();
    }
    // value = m * 2^e with 2^511 <= m < 2^512.
    let mut e = num.bits() as i64 - den.bits() as i64 - MANTISSA_BITS as i64;
    let (m, e) = loop {
        let (scaled_num, scaled_den) = if e >= 0 {
            (num.clone(), den << (e as u64))
        } else {
            (num << ((-e) as u64), den.clone())
        };
        let q = &scaled_num / &scaled_den;
        if q.bits() > MANTISSA_BITS {
            e += 1;
            continue;
        }
        if q.bits() < MANTISSA_BITS {
            e -= 1;
            continue;
        }
        let r = &scaled_num - &q * &scaled_den;
        let twice = &r << 1u32;
        let round_up = match twice.cmp(&scaled_den) {
            Ordering::Greater => true,
            Ordering::Equal => q.bit(0),
            Ordering::Less => false,
        };
        let mut m = if round_up { q + 1u32 } else { q };
        let mut e2 = e;
        if m.bits() > MANTISSA_BITS {
            m >>= 1u32;
            e2 += 1;
        }
        break (m, e2);
    };
    // Exact decimal of m * 2^e: mantissa M with S decimal places.
    let (big_m, s) = if e >= 0 {
        (&m << (e as u64), 0u64)
    } else {
        let k = (-e) as u64;
        (&m * num_traits::pow(BigUint::from(5u32), k as usize), k)
    };
    let digits = big_m.to_string();
    let len = digits.len() as u64;
    let inclusive = !m.bit(0);
    for n in 1..=len {
        let drop = len - n;
        let unit = pow10(drop);
        let (mut c, r) = (&big_m / &unit, &big_m % &unit);
        let twice = &r << 1u32;
        match twice.cmp(&unit) {
            Ordering::Greater => c += 1u32,
            Ordering::Equal if c.bit(0) => c += 1u32,
            _ => {}
        }
        let cand = &c * &unit;
        let diff = if cand >= big_m {
            &cand - &big_m
        } else {
            &big_m - &cand
        };
        // |cand - v| compared with half an ulp, 2^(e-1), everything scaled by 10^s.
        let (lhs, rhs) = if e >= 1 {
            (diff, BigUint::one() << ((e - 1) as u64))
        } else {
            (diff << ((1 - e) as u64), pow10(s))
        };
        let fits = match lhs.cmp(&rhs) {
            Ordering::Less => true,
            Ordering::Equal => inclusive,
            Ordering::Greater => false,
        };
        if fits {
            let sign = if negative { Sign::Minus } else { Sign::Plus };
            let value = BigDecimal::new(BigInt::from_biguint(sign, c), s as i64 - drop as i64);
            return value.normalized();
        }
    }
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    BigDecimal::new(BigInt::from_biguint(sign, big_m), s as i64).normalized()
}

impl fmt::Display for Number {
    /// Plain decimal notation without exponent and without trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.normalized();
        let (digits, scale) = n.as_bigint_and_exponent();
        if scale.abs() > MAX_PLAIN_DIGITS {
            let sign = if digits.sign() == Sign::Minus {
                "-"
            } else {
                ""
            };
            let mantissa = digits.magnitude().to_string();
            let (first, rest) = mantissa.split_at(1);
            let exponent = mantissa.len() as i64 - 1 - scale;
            let dot = if rest.is_empty() { "" } else { "." };
            return write!(f, "{sign}{first}{dot}{rest}e{exponent:+}");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    fn div(a: &str, b: &str) -> String {
        n(a).div(&n(b)).unwrap().to_string()
    }

    #[test]
    fn division_matches_terraform_512_bit_floats() {
        // The expected strings are what `terraform console` prints.
        assert_eq!(div("1", "3"), format!("0.{}5", "3".repeat(154)));
        assert_eq!(div("2", "3"), format!("0.{}7", "6".repeat(153)));
        assert_eq!(div("10", "3"), format!("3.{}2", "3".repeat(153)));
        assert_eq!(div("1", "7"), format!("0.{}14285", "142857".repeat(25)));
        assert_eq!(
            div("100000000000000000000000000000000000000000000000", "3"),
            format!("{}.{}4", "3".repeat(47), "3".repeat(107))
        );
        assert_eq!(div("10", "4"), "2.5");
        assert_eq!(div("10", "0.5"), "20");
        assert_eq!(div("-1", "8"), "-0.125");
    }

    #[test]
    fn division_by_zero_is_an_error() {
        assert_eq!(n("1").div(&n("0")), Err(ArithmeticError::DivisionByZero));
    }

    #[test]
    fn decimal_arithmetic_is_exact() {
        assert_eq!(n("0.1").add(&n("0.2")), n("0.3"));
        assert_eq!(n("0.1").mul(&n("3")).to_string(), "0.3");
        assert_eq!(n("1").div(&n("3")).unwrap().mul(&n("3")).to_string(), "1");
        assert_eq!(n("2").div(&n("3")).unwrap().mul(&n("3")).to_string(), "2");
    }

    #[test]
    fn remainder_follows_the_dividend() {
        assert_eq!(n("-7").rem(&n("3")).to_string(), "-1");
        assert_eq!(n("7").rem(&n("-3")).to_string(), "1");
        assert_eq!(n("5.5").rem(&n("2")).to_string(), "1.5");
        assert_eq!(n("5").rem(&n("0")).to_string(), "5");
    }

    #[test]
    fn strict_parsing_accepts_only_decimal_numbers() {
        for ok in ["5", "-1.5", "+2", ".5", "5.", "1e3", "1E-2"] {
            assert!(Number::parse_strict(ok).is_some(), "{ok}");
        }
        for bad in ["", " 5", "5 ", "0x10", "inf", "1_000", "e5", "1e", "."] {
            assert!(Number::parse_strict(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn display_has_no_exponent() {
        assert_eq!(n("1e21").to_string(), "1000000000000000000000");
        assert_eq!(n("1.50").to_string(), "1.5");
        assert_eq!(n("-0.001").to_string(), "-0.001");
    }
}

#[cfg(test)]
mod huge_exponent_tests {
    use super::*;

    /// Absurd exponents must answer at once instead of building 10^1000000000.
    #[test]
    fn absurd_exponents_stay_cheap() {
        let big = Number::parse("1e1000000000").unwrap();
        let tiny = Number::parse("1e-1000000000").unwrap();
        let one = Number::from_i64(1);
        assert_eq!(big.to_i64(), None);
        assert_eq!(big.to_f64(), f64::INFINITY);
        assert_eq!(tiny.to_f64(), 0.0);
        assert_eq!(big.add(&one), big);
        assert_eq!(one.sub(&tiny), one);
        assert_eq!(big.rem(&Number::parse("1.5").unwrap()), Number::from_i64(0));
        assert_eq!(one.rem(&big), one);
        assert!(big.div(&tiny).is_ok());
        assert_eq!(big.to_string(), "1e+1000000000");
        assert_eq!(tiny.to_string(), "1e-1000000000");
        assert!(big > one);
    }

    #[test]
    fn sums_beyond_512_bits_round_like_terraform() {
        // `1e400 + 1 == 1e400` is true in Terraform.
        let big = Number::parse("1e400").unwrap();
        assert_eq!(big.add(&Number::from_i64(1)), big);
    }
}
