//! `format` and `formatlist`: Terraform's printf-style formatting.
//!
//! Verbs: `%v` (any value; `%#v` as JSON), `%t` (bool), `%d %b %o %x %X` (integers),
//! `%e %E %f %g %G` (numbers), `%s`, `%q` (strings), `%%`. Flags `+ - # 0 space`, a width,
//! a precision and explicit argument indexes (`%[2]s`) behave as in Go's fmt, which is what
//! Terraform uses underneath.

use super::{arg_err, arg_seq, arg_str, call_err, convert, encoding, p, spec, t_list_str, t_str};
use super::{FnErr, FnResult, FunctionContext, Number, Spec, Type, Value, P};
use bigdecimal::{BigDecimal, RoundingMode};
use num_bigint::BigInt;

pub(super) const SPECS: &[Spec] = &[
    spec("format", &[p("format", P::Str)], t_str, format)
        .var(p("args", P::Any).nullable().unknowns()),
    spec("formatlist", &[p("format", P::Str)], t_list_str, formatlist)
        .var(p("args", P::Any).nullable().unknowns()),
];

fn format(args: &[Value], _: &FunctionContext) -> FnResult {
    let rest = args.get(1..).unwrap_or_default();
    if rest.iter().any(|a| !a.is_wholly_known()) {
        return Ok(Value::Unknown(Type::String));
    }
    format_with(arg_str(args, 0), rest).map(Value::String)
}

/// One directive parsed from the format string.
#[derive(Default)]
struct Directive {
    minus: bool,
    plus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
    verb: char,
    /// Byte offset of the `%` (for error messages).
    at: usize,
    text: String,
}

/// Formats `args` with `fmt`. Errors use Terraform's messages; too many arguments is an
/// argument error on the first unused one.
pub(super) fn format_with(fmt: &str, args: &[Value]) -> Result<String, FnErr> {
    let bytes = fmt.as_bytes();
    let mut out = String::new();
    let mut next_arg = 0usize;
    let mut max_used = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let Some(rel) = fmt[i..].find('%') else {
            out.push_str(&fmt[i..]);
            break;
        };
        out.push_str(&fmt[i..i + rel]);
        let start = i + rel;
        i = start + 1;
        if i >= bytes.len() {
            return Err(call_err(format!(
                "invalid format string starting at offset {}",
                i
            )));
        }
        if bytes[i] == b'%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut d = Directive {
            at: start,
            ..Directive::default()
        };
        while i < bytes.len() {
            match bytes[i] {
                b'-' => d.minus = true,
                b'+' => d.plus = true,
                b'#' => d.sharp = true,
                b'0' => d.zero = true,
                b' ' => d.space = true,
                _ => break,
            }
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'[' {
            let close = fmt[i..].find(']').map(|c| i + c);
            let idx = close.and_then(|c| fmt[i + 1..c].parse::<usize>().ok());
            match (close, idx) {
                (Some(c), Some(n)) if n >= 1 => {
                    next_arg = n - 1;
                    i = c + 1;
                }
                _ => {
                    return Err(call_err(format!(
                        "invalid format string starting at offset {}",
                        i
                    )))
                }
            }
        }
        d.width = read_number(bytes, &mut i);
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            d.precision = Some(read_number(bytes, &mut i).unwrap_or(0));
        }
        let Some(verb) = fmt[i.min(fmt.len())..].chars().next() else {
            return Err(call_err(format!(
                "invalid format string starting at offset {}",
                i
            )));
        };
        d.verb = verb;
        i += verb.len_utf8();
        d.text = fmt[start..i].to_string();
        if !verb.is_alphabetic() {
            return Err(call_err(format!(
                "unrecognized format character {verb:?} at offset {}",
                i - verb.len_utf8()
            )));
        }
        if !"vtbdoxXeEfgGsq".contains(verb) {
            return Err(call_err(format!(
                "unsupported format verb {verb:?} in {:?} at offset {}",
                d.text, d.at
            )));
        }
        let Some(arg) = args.get(next_arg) else {
            return Err(call_err(format!(
                "not enough arguments for {:?} at {}: need index {} but have {} total",
                d.text,
                d.at,
                next_arg + 1,
                args.len()
            )));
        };
        next_arg += 1;
        max_used = max_used.max(next_arg);
        let formatted = format_one(&d, arg.unmarked()).map_err(|m| {
            call_err(format!(
                "unsupported value for {:?} at {}: {m}",
                d.text, d.at
            ))
        })?;
        out.push_str(&formatted);
    }
    if max_used < args.len() {
        return Err(arg_err(
            1 + max_used,
            format!(
                "too many arguments; only {} used by format string",
                max_used
            ),
        ));
    }
    Ok(out)
}

fn read_number(bytes: &[u8], i: &mut usize) -> Option<usize> {
    let start = *i;
    while *i < bytes.len() && bytes[*i].is_ascii_digit() {
        *i += 1;
    }
    std::str::from_utf8(&bytes[start..*i])
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .map(|n| n.min(10_000))
}

fn format_one(d: &Directive, arg: &Value) -> Result<String, String> {
    if arg.is_null() && d.verb != 'v' {
        return Err("null value cannot be formatted".to_string());
    }
    let body = match d.verb {
        'v' => {
            if d.sharp {
                json(arg)?
            } else {
                match arg {
                    Value::Null => "null".to_string(),
                    Value::String(s) => s.clone(),
                    Value::Number(n) => {
                        let body = shortest_g(&Number::from(n.decimal().abs()));
                        let sign = if n.decimal().sign() == num_bigint::Sign::Minus {
                            "-"
                        } else {
                            ""
                        };
                        format!("{sign}{body}")
                    }
                    Value::Bool(b) => b.to_string(),
                    other => json(other)?,
                }
            }
        }
        't' => {
            let b = as_type(arg, &Type::Bool)?;
            return Ok(b.as_bool().unwrap_or_default().to_string());
        }
        's' => {
            let s = string_of(arg)?;
            match d.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            }
        }
        'q' => {
            let s = string_of(arg)?;
            let mut out = String::new();
            super::json::write_string(&s, &mut out);
            out
        }
        'd' | 'b' | 'o' | 'x' | 'X' => {
            let n = number_of(arg)?;
            let int = integer(&n).ok_or("an integer is required")?;
            return Ok(pad_number(d, &radix(d, &int)));
        }
        'f' | 'e' | 'E' | 'g' | 'G' => {
            let n = number_of(arg)?;
            return Ok(pad_number(d, &float_text(d, &n)));
        }
        _ => return Err("unsupported verb".to_string()),
    };
    Ok(pad(d, &body))
}

fn json(v: &Value) -> Result<String, String> {
    encoding::json_encode(v).map_err(|e| e.detail)
}

fn as_type(arg: &Value, ty: &Type) -> Result<Value, String> {
    convert::convert(arg, ty).map_err(|e| e.cty_message())
}

fn string_of(arg: &Value) -> Result<String, String> {
    as_type(arg, &Type::String).map(|v| v.as_str().unwrap_or_default().to_string())
}

fn number_of(arg: &Value) -> Result<Number, String> {
    as_type(arg, &Type::Number).map(|v| {
        v.as_number()
            .cloned()
            .unwrap_or_else(|| Number::from_i64(0))
    })
}

fn integer(n: &Number) -> Option<BigInt> {
    if !n.is_integer() {
        return None;
    }
    let (digits, scale) = n.decimal().with_scale(0).into_bigint_and_exponent();
    (scale == 0).then_some(digits)
}

fn radix(d: &Directive, n: &BigInt) -> String {
    let neg = n.sign() == num_bigint::Sign::Minus;
    let mag = n.magnitude();
    let (digits, prefix) = match d.verb {
        'b' => (mag.to_str_radix(2), "0b"),
        'o' => (mag.to_str_radix(8), "0"),
        'x' => (mag.to_str_radix(16), "0x"),
        'X' => (mag.to_str_radix(16).to_uppercase(), "0X"),
        _ => (mag.to_string(), ""),
    };
    let prefix = if d.sharp { prefix } else { "" };
    format!("{}{prefix}{digits}", sign(d, neg))
}

fn sign(d: &Directive, neg: bool) -> &'static str {
    if neg {
        "-"
    } else if d.plus {
        "+"
    } else if d.space {
        " "
    } else {
        ""
    }
}

fn float_text(d: &Directive, n: &Number) -> String {
    let neg = n.decimal().sign() == num_bigint::Sign::Minus;
    let prec = d.precision;
    let body = match d.verb {
        'f' => fixed_text(
            &round_fixed(&n.decimal().abs(), prec.unwrap_or(6) as i64),
            prec.unwrap_or(6),
        ),
        'e' | 'E' => {
            let s = exp_format(n.to_f64().abs(), prec.unwrap_or(6));
            if d.verb == 'E' {
                s.to_uppercase()
            } else {
                s
            }
        }
        _ => {
            let s = match prec {
                None => shortest_g(&Number::from(n.decimal().abs())),
                Some(_) => general_format(n.to_f64().abs(), prec),
            };
            if d.verb == 'G' {
                s.to_uppercase()
            } else {
                s
            }
        }
    };
    format!("{}{body}", sign(d, neg))
}

/// A rounded decimal with exactly `prec` digits after the point (`0.00`, not `0`).
fn fixed_text(d: &BigDecimal, prec: usize) -> String {
    let (digits, scale) = d.with_scale(prec as i64).into_bigint_and_exponent();
    let _ = scale;
    let mut s = digits.magnitude().to_string();
    if prec == 0 {
        return s;
    }
    if s.len() <= prec {
        s = format!("{}{s}", "0".repeat(prec + 1 - s.len()));
    }
    let (int, frac) = s.split_at(s.len() - prec);
    format!("{int}.{frac}")
}

/// Rounds a non-negative decimal to `prec` places the way Terraform's `%f` does: Terraform
/// holds numbers as 512-bit binary floats, so a decimal tie (`2.0005` to 3 places) is
/// decided by which side of it the binary value falls; exact ties round half-even.
fn round_fixed(x: &BigDecimal, prec: i64) -> BigDecimal {
    let down = x.with_scale_round(prec, RoundingMode::Down);
    let half = BigDecimal::new(BigInt::from(5), prec + 1);
    if (x - &down) != half {
        return x.with_scale_round(prec, RoundingMode::HalfEven);
    }
    match binary512_side(x) {
        std::cmp::Ordering::Greater => x.with_scale_round(prec, RoundingMode::Up),
        std::cmp::Ordering::Less => down,
        std::cmp::Ordering::Equal => x.with_scale_round(prec, RoundingMode::HalfEven),
    }
}

/// Whether the nearest 512-bit binary float to `x` (> 0) lies above, below or on `x`.
fn binary512_side(x: &BigDecimal) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (n, scale) = x.as_bigint_and_exponent();
    if scale <= 0 || n.sign() != num_bigint::Sign::Plus || scale > 10_000 {
        return Ordering::Equal;
    }
    let den = num_traits::pow(BigInt::from(10), scale as usize);
    let mut k: i64 = 512 + (scale * 4) - n.bits() as i64;
    for _ in 0..8 {
        let (num, d) = if k >= 0 {
            (&n << (k as usize), den.clone())
        } else {
            (n.clone(), &den << ((-k) as usize))
        };
        let q = &num / &d;
        let bits = q.bits() as i64;
        if bits != 512 {
            k += 512 - bits;
            continue;
        }
        let r = &num - &q * &d;
        if r.sign() == num_bigint::Sign::NoSign {
            return Ordering::Equal;
        }
        let twice: BigInt = &r * 2;
        return match twice.cmp(&d) {
            Ordering::Greater => Ordering::Greater,
            Ordering::Less => Ordering::Less,
            Ordering::Equal if q.bit(0) => Ordering::Greater,
            Ordering::Equal => Ordering::Less,
        };
    }
    Ordering::Equal
}

/// Go's `%e`: mantissa with `prec` decimals, exponent with sign and at least two digits.
fn exp_format(f: f64, prec: usize) -> String {
    let s = format!("{:.*e}", prec.min(1000), f);
    match s.split_once('e') {
        Some((mant, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mant}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// Go's `%g` (and `%v`) for an exact non-negative number with no precision: all its
/// digits, in exponent form when the exponent is below -4 or at least 6
/// (`1234567` is `1.234567e+06`, `100000` stays `100000`).
fn shortest_g(n: &Number) -> String {
    if n.is_zero() {
        return "0".to_string();
    }
    let (digits, scale) = n.decimal().normalized().as_bigint_and_exponent();
    let digits = digits.magnitude().to_string();
    // value = 0.d1d2... * 10^(len - scale); Go's exponent is one less.
    let exp = digits.len() as i64 - scale - 1;
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    n.to_string()
}

/// Go's `%g` with a precision, through f64, exponent form for large or small exponents.
fn general_format(f: f64, prec: Option<usize>) -> String {
    if f == 0.0 {
        return "0".to_string();
    }
    let shortest = match prec {
        Some(p) => {
            let p = p.max(1);
            let e = exp_format(f, p - 1);
            let (m, x) = e.split_once('e').unwrap_or((&e, "+00"));
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            format!("{m}e{x}")
        }
        None => {
            let e = format!("{f:e}");
            let (m, x) = e.split_once('e').unwrap_or((&e, "0"));
            let (sign, digits) = match x.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', x),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
    };
    let (mant, exp) = shortest.split_once('e').unwrap_or((&shortest, "+00"));
    let exp_val: i32 = exp.parse().unwrap_or(0);
    // Go switches to exponent form at exponent 6 for the shortest form, else at the
    // precision.
    let limit = prec.map(|p| p.max(1) as i32).unwrap_or(6);
    if exp_val < -4 || exp_val >= limit {
        return shortest;
    }
    // Plain form.
    let mant_digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    if exp_val >= 0 {
        let int_len = (exp_val + 1) as usize;
        if mant_digits.len() <= int_len {
            format!("{mant_digits:0<int_len$}")
        } else {
            format!("{}.{}", &mant_digits[..int_len], &mant_digits[int_len..])
        }
    } else {
        format!("0.{}{}", "0".repeat((-exp_val - 1) as usize), mant_digits)
    }
}

/// Pads a number: zero padding goes after the sign.
fn pad_number(d: &Directive, s: &str) -> String {
    let width = d.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        return s.to_string();
    }
    if d.zero && !d.minus {
        let sign_len = s.find(|c: char| c.is_ascii_alphanumeric()).unwrap_or(0);
        let (sign, rest) = s.split_at(sign_len);
        return format!("{sign}{}{rest}", "0".repeat(width - len));
    }
    pad(d, s)
}

fn pad(d: &Directive, s: &str) -> String {
    let width = d.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        return s.to_string();
    }
    let fill = " ".repeat(width - len);
    if d.minus {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

/// `formatlist`: lists are iterated in step (all must have the same length), other
/// arguments repeat on every line.
fn formatlist(args: &[Value], _: &FunctionContext) -> FnResult {
    let fmt = arg_str(args, 0);
    let rest = args.get(1..).unwrap_or_default();
    let mut len: Option<(usize, usize)> = None;
    for (i, a) in rest.iter().enumerate() {
        if a.is_unknown() {
            return Ok(Value::Unknown(Type::list(Type::String)));
        }
        if let Some(xs) = a.as_seq() {
            match len {
                None => len = Some((xs.len(), i)),
                Some((l, first)) if l != xs.len() => {
                    return Err(arg_err(
                        i + 1,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {}",
                            i + 1,
                            xs.len(),
                            first + 1,
                            l
                        ),
                    ))
                }
                _ => {}
            }
        }
    }
    let Some((n, _)) = len else {
        // No lists: a single line.
        return format_with(fmt, rest)
            .map(|s| Value::List(vec![Value::String(s)]))
            .map_err(|e| match e {
                FnErr::Arg(_, m) | FnErr::Call(m) => {
                    FnErr::Call(format!("error on format iteration 0: {m}"))
                }
            });
    };
    let mut lines = Vec::with_capacity(n);
    for row in 0..n {
        let row_args: Vec<Value> = (0..rest.len())
            .map(|i| match rest.get(i).and_then(Value::as_seq) {
                Some(_) => arg_seq(rest, i).get(row).cloned().unwrap_or(Value::Null),
                None => rest.get(i).cloned().unwrap_or(Value::Null),
            })
            .collect();
        if row_args.iter().any(|a| !a.is_wholly_known()) {
            lines.push(Value::Unknown(Type::String));
            continue;
        }
        let line = format_with(fmt, &row_args).map_err(|e| match e {
            FnErr::Arg(_, m) | FnErr::Call(m) => {
                FnErr::Call(format!("error on format iteration {row}: {m}"))
            }
        })?;
        lines.push(Value::String(line));
    }
    Ok(Value::List(lines))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::Value;

    fn f(fmt: &str, args: Vec<Value>) -> Value {
        let mut all = vec![s(fmt)];
        all.extend(args);
        ok("format", all)
    }

    #[test]
    fn verbs_match_terraform() {
        assert_eq!(f("%5d|", vec![n(42)]), s("   42|"));
        assert_eq!(f("%e", vec![num("12345.678")]), s("1.234568e+04"));
        assert_eq!(f("%b", vec![n(5)]), s("101"));
        assert_eq!(f("%#v", vec![s("s")]), s("\"s\""));
        assert_eq!(f("%10s|", vec![s("hi")]), s("        hi|"));
        assert_eq!(
            f(
                "%v|%v|%v|%v",
                vec![num("1.5"), Value::Bool(true), s("s"), Value::Null]
            ),
            s("1.5|true|s|null")
        );
        assert_eq!(f("%v", vec![tup(vec![n(1), s("a")])]), s("[1,\"a\"]"));
        assert_eq!(f("%#v", vec![obj(vec![("a", n(1))])]), s("{\"a\":1}"));
        assert_eq!(f("%q", vec![s("a\"b")]), s("\"a\\\"b\""));
        assert_eq!(f("%t", vec![s("true")]), s("true"));
        assert_eq!(f("%x|%X|%o", vec![n(255), n(255), n(8)]), s("ff|FF|10"));
        assert_eq!(
            f(
                "%.2f|%8.3f|%-8d|%08d|%+d",
                vec![num("3.14159"), num("2.5"), n(42), n(42), n(5)]
            ),
            s("3.14|   2.500|42      |00000042|+5")
        );
        assert_eq!(f("%[2]s %[1]s %s", vec![s("a"), s("b")]), s("b a b"));
        assert_eq!(
            f(
                "%g|%G|%e|%E",
                vec![num("1234567.0"), num("0.000001"), num("1.5"), n(100)]
            ),
            s("1.234567e+06|1E-06|1.500000e+00|1.000000E+02")
        );
        assert_eq!(f("%5.1s|", vec![s("abc")]), s("    a|"));
        assert_eq!(f("%f", vec![n(1)]), s("1.000000"));
        assert_eq!(
            f("%d", vec![num("12345678901234567890")]),
            s("12345678901234567890")
        );
        assert_eq!(f("%x", vec![n(-255)]), s("-ff"));
        assert_eq!(f("%.3s", vec![s("héllo")]), s("hél"));
        assert_eq!(
            f("%-5s|% d|%+.1e", vec![s("a"), n(3), n(12345)]),
            s("a    | 3|+1.2e+04")
        );
        assert_eq!(f("%5t|", vec![Value::Bool(true)]), s("true|"));
        assert_eq!(f("%#x", vec![n(255)]), s("0xff"));
        assert_eq!(f("100%%", vec![]), s("100%"));
        assert_eq!(f("%g", vec![num("0.5")]), s("0.5"));
        assert_eq!(f("%g", vec![n(100)]), s("100"));
        assert_eq!(f("%v", vec![n(1234567)]), s("1.234567e+06"));
        assert_eq!(f("%v", vec![num("0.00001")]), s("1e-05"));
        assert_eq!(f("%v", vec![n(100000)]), s("100000"));
        assert_eq!(f("%v", vec![num("123456.5")]), s("123456.5"));
        assert_eq!(f("%v", vec![num("-1e21")]), s("-1e+21"));
        assert_eq!(
            f("%q", vec![s("<\u{7f}\u{2028}")]),
            s("\"\\u003c\u{7f}\\u2028\"")
        );
        assert_eq!(f("%.2f", vec![num("0.005")]), s("0.00"));
        assert_eq!(f("%.1f", vec![num("2.25")]), s("2.2"));
        assert_eq!(f("%.0f", vec![num("2.5")]), s("2"));
        assert_eq!(f("%.3f", vec![num("2.0005")]), s("2.001"));
        assert_eq!(f("%.2f", vec![num("-1.005")]), s("-1.00"));
        assert_eq!(f("%e", vec![n(0)]), s("0.000000e+00"));
        assert_eq!(f("%g", vec![num("0.000012345")]), s("1.2345e-05"));
        assert_eq!(f("%.2e", vec![n(123456)]), s("1.23e+05"));
        assert_eq!(f("%X", vec![n(3054)]), s("BEE"));
        assert_eq!(f("%q", vec![s("tab\there")]), s("\"tab\\there\""));
    }

    fn fe(fmt: &str, args: Vec<Value>) -> (String, String) {
        let mut all = vec![s(fmt)];
        all.extend(args);
        err("format", all)
    }

    #[test]
    fn errors_match_terraform() {
        let (sm, d) = fe("%s", vec![s("a"), s("b")]);
        assert_eq!(sm, "Invalid function argument");
        assert_eq!(
            d,
            "Invalid value for \"args\" parameter: too many arguments; only 1 used by format string."
        );
        let (sm, d) = fe("%s %s", vec![s("a")]);
        assert_eq!(sm, "Error in function call");
        assert!(d.ends_with("not enough arguments for \"%s\" at 3: need index 2 but have 1 total."));
        let (sm, d) = fe("%d", vec![num("1.5")]);
        assert_eq!(sm, "Error in function call");
        assert!(d.ends_with("unsupported value for \"%d\" at 0: an integer is required."));
        let (_, d) = fe("%d", vec![s("x")]);
        assert!(d.ends_with("unsupported value for \"%d\" at 0: a number is required."));
        let (_, d) = fe("%s", vec![tup(vec![n(1)])]);
        assert!(d.ends_with("unsupported value for \"%s\" at 0: string required."));
        let (_, d) = fe("%z", vec![n(1)]);
        assert!(
            d.ends_with("unsupported format verb 'z' in \"%z\" at offset 0."),
            "{d}"
        );
        let (_, d) = fe("%!", vec![n(1)]);
        assert!(
            d.ends_with("unrecognized format character '!' at offset 1."),
            "{d}"
        );
        let (_, d) = fe("abc%", vec![]);
        assert!(d.ends_with("invalid format string starting at offset 4."));
        let (_, d) = fe("%s", vec![Value::Null]);
        assert!(d.ends_with("null value cannot be formatted."));
    }

    #[test]
    fn formatlist_in_step() {
        assert_eq!(
            okj("formatlist", vec![s("%s-%s"), strs(&["a", "b"]), s("x")]),
            r#"["a-x","b-x"]"#
        );
        let (sm, _) = err(
            "formatlist",
            vec![s("%s %s"), strs(&["a"]), strs(&["b", "c"])],
        );
        assert_eq!(sm, "Invalid function argument");
        assert_eq!(okj("formatlist", vec![s("%s"), strs(&[])]), "[]");
    }
}
