//! Numeric functions. Most work on exact decimals; `log` and `pow` go through f64 like
//! Terraform and print the f64's shortest form (`pow(2, 64)` is `18446744073709550000`).

use super::{arg_err, arg_int, arg_num, arg_str, call_err, p, spec, t_num, type_name};
use super::{FnResult, FunctionContext, Number, Spec, Value, P};
use bigdecimal::{BigDecimal, RoundingMode};
use num_bigint::BigInt;

pub(super) const SPECS: &[Spec] = &[
    spec("abs", &[p("num", P::Num)], t_num, abs),
    spec("ceil", &[p("num", P::Num)], t_num, ceil),
    spec("floor", &[p("num", P::Num)], t_num, floor),
    spec("log", &[p("num", P::Num), p("base", P::Num)], t_num, log),
    spec("max", &[], t_num, max).var(p("numbers", P::Num)),
    spec("min", &[], t_num, min).var(p("numbers", P::Num)),
    spec(
        "parseint",
        &[p("number", P::Any), p("base", P::Num)],
        t_num,
        parseint,
    ),
    spec("pow", &[p("num", P::Num), p("power", P::Num)], t_num, pow),
    spec("signum", &[p("num", P::Num)], t_num, signum),
];

/// A float result as a Terraform number, printed the way Terraform prints it, or an error
/// for infinities and NaN, which numbers cannot hold.
pub(super) fn float_result(f: f64) -> FnResult {
    if f.is_nan() {
        return Err(call_err("the result is not a number"));
    }
    if f.is_infinite() {
        return Err(call_err("the result is infinite"));
    }
    Ok(Value::Number(Number::from(shortest_decimal(f))))
}

/// The shortest decimal within half a unit in the last place of `f`, as Go's
/// `big.Float.Text('f', -1)` computes it for a 53-bit value. Unlike the usual shortest
/// round-trip form, the interval is symmetric even at powers of two, so `pow(2, 64)` is
/// `18446744073709550000` rather than `18446744073709552000`.
fn shortest_decimal(f: f64) -> BigDecimal {
    if f == 0.0 {
        return BigDecimal::from(0);
    }
    let bits = f.to_bits();
    let negative = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    let exact = scaled(BigInt::from(mant), exp);
    let half_ulp = scaled(BigInt::from(1), exp - 1);
    let inclusive = mant % 2 == 0;
    let digits = exact.digits() as i64;
    let (_, scale) = exact.as_bigint_and_exponent();
    for sig in 1..=17i64 {
        // Keep `sig` significant digits: scale = sig - (number of integer digits).
        let int_digits = digits - scale;
        let candidate = exact.with_scale_round(sig - int_digits, RoundingMode::HalfUp);
        let diff = (&candidate - &exact).abs();
        if diff < half_ulp || (inclusive && diff == half_ulp) {
            return signed(candidate.normalized(), negative);
        }
    }
    signed(exact, negative)
}

/// `m * 2^e` exactly.
fn scaled(m: BigInt, e: i64) -> BigDecimal {
    if e >= 0 {
        BigDecimal::from(m << (e as usize))
    } else {
        // m / 2^k = m * 5^k / 10^k
        let k = (-e) as u32;
        BigDecimal::new(m * num_traits::pow(BigInt::from(5), k as usize), k as i64)
    }
}

fn signed(d: BigDecimal, negative: bool) -> BigDecimal {
    if negative {
        -d
    } else {
        d
    }
}

fn abs(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::Number(Number::from(
        arg_num(args, 0).decimal().abs(),
    )))
}

fn round(args: &[Value], mode: RoundingMode) -> FnResult {
    let n = arg_num(args, 0);
    Ok(Value::Number(Number::from(
        n.decimal().with_scale_round(0, mode),
    )))
}

fn ceil(args: &[Value], _: &FunctionContext) -> FnResult {
    round(args, RoundingMode::Ceiling)
}

fn floor(args: &[Value], _: &FunctionContext) -> FnResult {
    round(args, RoundingMode::Floor)
}

fn log(args: &[Value], _: &FunctionContext) -> FnResult {
    let num = arg_num(args, 0).to_f64();
    let base = arg_num(args, 1).to_f64();
    float_result(go_log(num) / go_log(base))
}

/// Go's `math.Log` (the FreeBSD algorithm), so `log(27, 3)` is `3.0000000000000004` as in
/// Terraform rather than the platform's `3`.
fn go_log(x: f64) -> f64 {
    // Go's constants, bit for bit.
    let ln2_hi: f64 = f64::from_bits(0x3fe62e42fee00000);
    let ln2_lo: f64 = f64::from_bits(0x3dea39ef35793c76);
    let l1: f64 = f64::from_bits(0x3fe5555555555593);
    let l2: f64 = f64::from_bits(0x3fd999999997fa04);
    let l3: f64 = f64::from_bits(0x3fd2492494229359);
    let l4: f64 = f64::from_bits(0x3fcc71c51d8e78af);
    let l5: f64 = f64::from_bits(0x3fc7466496cb03de);
    let l6: f64 = f64::from_bits(0x3fc39a09d078c69f);
    let l7: f64 = f64::from_bits(0x3fc2f112df3e5244);
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    let (mut f1, mut ki) = frexp(x);
    if f1 < std::f64::consts::SQRT_2 / 2.0 {
        f1 *= 2.0;
        ki -= 1;
    }
    let f = f1 - 1.0;
    let k = ki as f64;
    let s = f / (2.0 + f);
    let s2 = s * s;
    let s4 = s2 * s2;
    let t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)));
    let t2 = s4 * (l2 + s4 * (l4 + s4 * l6));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f)
}

fn pow(args: &[Value], _: &FunctionContext) -> FnResult {
    let num = arg_num(args, 0).to_f64();
    let power = arg_num(args, 1).to_f64();
    float_result(go_pow(num, power))
}

/// Go's `math.Pow` algorithm (repeated squaring for the integer part of the exponent),
/// so results agree with Terraform to the last bit; the platform `powf` rounds
/// differently (`pow(1.1, 10)` would print `2.5937424601000023`, not `2.593742460100002`).
fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() || x == 0.0 || x.is_infinite() || y.is_infinite() {
        return x.powf(y);
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let abs_y = y.abs();
    let (mut yi, mut yf) = (abs_y.trunc(), abs_y.fract());
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= 9.223_372_036_854_776e18 {
        return x.powf(y);
    }
    let mut a1 = 1.0f64;
    let mut ae: i64 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = (yf * go_log(x)).exp();
    }
    let (mut x1, mut xe) = frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

/// Splits `x` into a fraction in [0.5, 1) and a power of two.
fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE {
        (x * (1u64 << 52) as f64, -52)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1022 + bias;
    let frac = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (frac, exp)
}

/// `frac * 2^exp`, in steps so intermediate powers of two stay representable.
fn ldexp(frac: f64, exp: i64) -> f64 {
    let mut result = frac;
    let mut e = exp.clamp(-3000, 3000);
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        result *= 2f64.powi(step as i32);
        e -= step;
    }
    result
}

fn extreme(args: &[Value], want_max: bool) -> FnResult {
    let mut best: Option<Number> = None;
    for i in 0..args.len() {
        let n = arg_num(args, i);
        best = match best {
            Some(b) if (want_max && b >= n) || (!want_max && b <= n) => Some(b),
            _ => Some(n),
        };
    }
    best.map(Value::Number)
        .ok_or_else(|| call_err("must pass at least one number"))
}

fn max(args: &[Value], _: &FunctionContext) -> FnResult {
    extreme(args, true)
}

fn min(args: &[Value], _: &FunctionContext) -> FnResult {
    extreme(args, false)
}

fn signum(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::number(arg_int(args, 0)?.signum()))
}

/// `parseint(string, base)`: bases 2 to 62 like Go's `big.Int.SetString` (for bases above
/// 36, upper-case letters are the digits 36 to 61).
fn parseint(args: &[Value], _: &FunctionContext) -> FnResult {
    let Some(text) = args.first().and_then(Value::as_str) else {
        let got = args.first().map(type_name).unwrap_or_default();
        return Err(arg_err(
            0,
            format!("first argument must be a string, not {got}"),
        ));
    };
    let base = arg_int(args, 1).ok().filter(|b| (2..=62).contains(b));
    let Some(base) = base else {
        return Err(arg_err(
            1,
            "base must be a whole number between 2 and 62 inclusive",
        ));
    };
    let _ = arg_str;
    parse_in_base(text, base as u32)
        .map(|n| Value::Number(Number::from(BigDecimal::from(n))))
        .ok_or_else(|| arg_err(0, format!("cannot parse {text:?} as a base {base} integer")))
}

fn parse_in_base(text: &str, base: u32) -> Option<BigInt> {
    // Digit-by-digit parsing is quadratic; no real integer is this long.
    if text.len() > 10_000 {
        return None;
    }
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n = BigInt::from(0);
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n * base + d;
    }
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn exact_functions() {
        assert_eq!(ok("ceil", vec![num("1.2")]), n(2));
        assert_eq!(ok("floor", vec![num("-1.5")]), n(-2));
        assert_eq!(ok("abs", vec![num("-1.5")]), num("1.5"));
        assert_eq!(ok("max", vec![n(12), n(54), n(3)]), n(54));
        assert_eq!(ok("max", vec![n(1), s("2")]), n(2));
        assert_eq!(ok("min", vec![n(12), n(54), n(3)]), n(3));
        assert_eq!(ok("signum", vec![n(-3)]), n(-1));
        assert_eq!(ok("signum", vec![n(0)]), n(0));
        assert_eq!(
            json(&ok("ceil", vec![num("1e30")])),
            "1000000000000000000000000000000"
        );
        let (sm, d) = err("min", vec![]);
        assert_eq!(sm, "Error in function call");
        assert!(d.ends_with("must pass at least one number."));
        let (sm, d) = err("abs", vec![s("x")]);
        assert_eq!(sm, "Invalid function argument");
        assert_eq!(
            d,
            "Invalid value for \"num\" parameter: a number is required."
        );
        let (_, d) = err("abs", vec![tup(vec![])]);
        assert_eq!(d, "Invalid value for \"num\" parameter: number required.");
    }

    #[test]
    fn float_functions_print_like_terraform() {
        assert_eq!(json(&ok("pow", vec![n(0), n(0)])), "1");
        assert_eq!(json(&ok("pow", vec![n(2), n(64)])), "18446744073709550000");
        assert_eq!(
            json(&ok("pow", vec![n(2), num("0.5")])),
            "1.4142135623730951"
        );
        assert_eq!(
            json(&ok("pow", vec![num("0.1"), n(2)])),
            "0.010000000000000002"
        );
        assert_eq!(json(&ok("pow", vec![n(2), n(-1)])), "0.5");
        assert_eq!(json(&ok("log", vec![n(16), n(2)])), "4");
        assert_eq!(
            json(&ok("pow", vec![n(10), n(25)])),
            "10000000000000000000000000"
        );
        assert_eq!(json(&ok("log", vec![n(100), n(10)])), "2");
        assert_eq!(json(&ok("pow", vec![n(-2), n(3)])), "-8");
        assert_eq!(
            json(&ok("pow", vec![n(3), num("0.5")])),
            "1.7320508075688772"
        );
        assert_eq!(
            json(&ok("pow", vec![n(2), n(100)])),
            "1267650600228229400000000000000"
        );
        assert_eq!(
            json(&ok("pow", vec![n(2), n(-20)])),
            "0.00000095367431640625"
        );
        assert_eq!(
            json(&ok("pow", vec![num("1.1"), n(10)])),
            "2.593742460100002"
        );
        assert_eq!(json(&ok("log", vec![n(1000), n(10)])), "2.9999999999999996");
        assert_eq!(json(&ok("log", vec![n(10), n(3)])), "2.095903274289385");
        assert_eq!(err("log", vec![n(0), n(10)]).0, "Error in function call");
        assert_eq!(err("pow", vec![n(10), n(400)]).0, "Error in function call");
    }

    #[test]
    fn parseint_bases() {
        assert_eq!(ok("parseint", vec![s("FF"), n(16)]), n(255));
        assert_eq!(ok("parseint", vec![s("-FF"), n(16)]), n(-255));
        assert_eq!(ok("parseint", vec![s("z"), n(36)]), n(35));
        assert_eq!(ok("parseint", vec![s("12"), n(37)]), n(39));
        assert_eq!(
            json(&ok("parseint", vec![s("99999999999999999999999"), n(10)])),
            "99999999999999999999999"
        );
        let (sm, d) = err("parseint", vec![s("12"), n(2)]);
        assert_eq!(sm, "Invalid function argument");
        assert_eq!(
            d,
            "Invalid value for \"number\" parameter: cannot parse \"12\" as a base 2 integer."
        );
        assert_eq!(
            err("parseint", vec![s("0x10"), n(16)]).0,
            "Invalid function argument"
        );
        let (_, d) = err("parseint", vec![s("1"), n(1)]);
        assert!(d.starts_with("Invalid value for \"base\" parameter"));
    }
}
