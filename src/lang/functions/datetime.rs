//! Date and time functions over RFC 3339 timestamps.

use super::{arg_err, arg_str, call_err, p, spec, t_num, t_str};
use super::{FnErr, FnResult, FunctionContext, Spec, Value, P};
use chrono::{DateTime, Datelike, Duration, FixedOffset, SecondsFormat, Timelike, Utc};

pub(super) const SPECS: &[Spec] = &[
    spec(
        "formatdate",
        &[p("format", P::Str), p("time", P::Str)],
        t_str,
        formatdate,
    ),
    spec(
        "timeadd",
        &[p("timestamp", P::Str), p("duration", P::Str)],
        t_str,
        timeadd,
    ),
    spec(
        "timecmp",
        &[p("timestamp_a", P::Str), p("timestamp_b", P::Str)],
        t_num,
        timecmp,
    ),
    spec("timestamp", &[], t_str, |_, _| {
        Ok(Value::String(rfc3339(&Utc::now().fixed_offset())))
    }),
];

fn parse_time(args: &[Value], i: usize) -> Result<DateTime<FixedOffset>, FnErr> {
    let s = arg_str(args, i);
    if s.len() >= 10 && !matches!(s.as_bytes().get(10), Some(b'T' | b't')) {
        return Err(arg_err(
            i,
            "not a valid RFC3339 timestamp: missing required time introducer 'T'",
        ));
    }
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| arg_err(i, format!("not a valid RFC3339 timestamp: {e}")))
}

/// Go's `time.RFC3339` layout: whole seconds, `Z` for UTC.
fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn timecmp(args: &[Value], _: &FunctionContext) -> FnResult {
    let a = parse_time(args, 0)?;
    let b = parse_time(args, 1)?;
    Ok(Value::number(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn timeadd(args: &[Value], _: &FunctionContext) -> FnResult {
    // timeadd reports a bad timestamp as a call error, unlike formatdate.
    let t = parse_time(args, 0).map_err(|e| match e {
        FnErr::Arg(_, m) => call_err(m),
        other => other,
    })?;
    let d = parse_duration(arg_str(args, 1)).map_err(call_err)?;
    let sum = t
        .checked_add_signed(d)
        .ok_or_else(|| call_err("the resulting time is out of range"))?;
    Ok(Value::String(rfc3339(&sum)))
}

/// Go's `time.ParseDuration`: `1h30m`, `-1.5h`, `300ms`, units ns us µs ms s m h.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(Duration::zero());
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total_nanos: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {s:?}")),
        };
        total_nanos += value * scale;
    }
    if total_nanos > i64::MAX as f64 {
        return Err(bad());
    }
    let nanos = total_nanos.round() as i64;
    Ok(Duration::nanoseconds(if neg { -nanos } else { nanos }))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn formatdate(args: &[Value], _: &FunctionContext) -> FnResult {
    let t = parse_time(args, 1)?;
    let fmt: Vec<char> = arg_str(args, 0).chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        if c == '\'' {
            // A quoted literal; '' inside or outside is a single quote.
            if fmt.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            loop {
                match (fmt.get(i), fmt.get(i + 1)) {
                    (None, _) => return Err(arg_err(0, "unterminated literal '")),
                    (Some('\''), Some('\'')) => {
                        out.push('\'');
                        i += 2;
                    }
                    (Some('\''), _) => {
                        i += 1;
                        break;
                    }
                    (Some(ch), _) => {
                        out.push(*ch);
                        i += 1;
                    }
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < fmt.len() && fmt[j] == c {
            j += 1;
        }
        let verb: String = fmt[i..j].iter().collect();
        out.push_str(&format_verb(&verb, &t).map_err(|m| arg_err(0, m))?);
        i = j;
    }
    Ok(Value::String(out))
}

fn format_verb(verb: &str, t: &DateTime<FixedOffset>) -> Result<String, String> {
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    let offset = t.offset().local_minus_utc();
    let (sign, off_h, off_m) = (
        if offset < 0 { '-' } else { '+' },
        offset.abs() / 3600,
        (offset.abs() % 3600) / 60,
    );
    let month = MONTHS.get(t.month0() as usize).copied().unwrap_or_default();
    let day = DAYS
        .get(t.weekday().num_days_from_monday() as usize)
        .copied()
        .unwrap_or_default();
    let invalid = |what: &str| format!("invalid date format verb {verb:?}: {what}");
    Ok(match verb {
        "YYYY" => format!("{:04}", t.year()),
        "YY" => format!("{:02}", t.year().rem_euclid(100)),
        "MMMM" => month.to_string(),
        "MMM" => month.chars().take(3).collect(),
        "MM" => format!("{:02}", t.month()),
        "M" => t.month().to_string(),
        "DD" => format!("{:02}", t.day()),
        "D" => t.day().to_string(),
        "EEEE" => day.to_string(),
        "EEE" => day.chars().take(3).collect(),
        "hh" => format!("{:02}", t.hour()),
        "h" => t.hour().to_string(),
        "HH" => format!("{hour12:02}"),
        "H" => hour12.to_string(),
        "AA" => if t.hour() < 12 { "AM" } else { "PM" }.to_string(),
        "aa" => if t.hour() < 12 { "am" } else { "pm" }.to_string(),
        "mm" => format!("{:02}", t.minute()),
        "m" => t.minute().to_string(),
        "ss" => format!("{:02}", t.second()),
        "s" => t.second().to_string(),
        "ZZZZZ" => format!("{sign}{off_h:02}:{off_m:02}"),
        "ZZZZ" => format!("{sign}{off_h:02}{off_m:02}"),
        "ZZZ" if offset == 0 => "UTC".to_string(),
        "ZZZ" => format!("{sign}{off_h:02}{off_m:02}"),
        "Z" if offset == 0 => "Z".to_string(),
        "Z" => format!("{sign}{off_h:02}:{off_m:02}"),
        v if v.starts_with('Y') => return Err(invalid("year must either be \"YY\" or \"YYYY\"")),
        v if v.starts_with('D') => {
            return Err(invalid("day of month must either be \"D\" or \"DD\""))
        }
        v if v.starts_with('M') => {
            return Err(invalid("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""))
        }
        v if v.starts_with('E') => {
            return Err(invalid("day of week must either be \"EEE\" or \"EEEE\""))
        }
        v if v.starts_with(['h', 'H']) => {
            return Err(invalid("hour must either be \"h\"/\"H\" or \"hh\"/\"HH\""))
        }
        v if v.starts_with(['A', 'a']) => return Err(invalid("must be \"AA\" or \"aa\"")),
        v if v.starts_with(['m', 's']) => return Err(invalid("must be one or two characters")),
        v if v.starts_with('Z') => return Err(invalid("unsupported timezone format")),
        v => return Err(format!("invalid date format verb {:?}", &v[..1])),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn formatdate_like_terraform() {
        assert_eq!(
            ok(
                "formatdate",
                vec![s("EEEE, DD-MMM-YY h:mm aa"), s("2018-01-02T23:12:01-08:00")]
            ),
            s("Tuesday, 02-Jan-18 23:12 pm")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![
                    s("YYYY-MM-DD hh:mm:ss ZZZZZ ZZZZ ZZZ Z"),
                    s("2018-01-02T03:04:05Z")
                ]
            ),
            s("2018-01-02 03:04:05 +00:00 +0000 UTC Z")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![
                    s("YY M D H HH h AA aa EEE MMM MMMM m s 'lit' ''"),
                    s("2018-01-02T15:04:05+05:30")
                ]
            ),
            s("18 1 2 3 03 15 PM pm Tue Jan January 4 5 lit '")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![s("hh H HH AA"), s("2018-01-02T00:04:05Z")]
            ),
            s("00 12 12 AM")
        );
        assert_eq!(
            ok(
                "formatdate",
                vec![s("ZZZ Z"), s("2018-01-02T03:04:05+01:00")]
            ),
            s("+0100 +01:00")
        );
        let (_, d) = err("formatdate", vec![s("Q"), s("2018-01-02T03:04:05Z")]);
        assert_eq!(
            d,
            "Invalid value for \"format\" parameter: invalid date format verb \"Q\"."
        );
        let (_, d) = err("formatdate", vec![s("YYY"), s("2018-01-02T03:04:05Z")]);
        assert!(d.contains("year must either be \"YY\" or \"YYYY\""));
        let (_, d) = err("formatdate", vec![s("DD"), s("2018-01-02")]);
        assert!(d.starts_with("Invalid value for \"time\" parameter: not a valid RFC3339"));
        // Multi-byte characters where the `T` belongs must not panic.
        assert_eq!(
            err("formatdate", vec![s("YYYY"), s("2020-01-0éT00:00:00Z")]).0,
            "Invalid function argument"
        );
        let (_, d) = err("formatdate", vec![s("'x"), s("2018-01-02T03:04:05Z")]);
        assert!(d.contains("unterminated literal"));
    }

    #[test]
    fn timeadd_and_timecmp() {
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00Z"), s("10m")]),
            s("2017-11-22T00:10:00Z")
        );
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00+01:00"), s("-1.5h")]),
            s("2017-11-21T22:30:00+01:00")
        );
        let (sm, d) = err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("1d")]);
        assert_eq!(sm, "Error in function call");
        assert!(d.ends_with("time: unknown unit \"d\" in duration \"1d\"."));
        assert_eq!(
            ok(
                "timecmp",
                vec![s("2017-11-22T00:00:00Z"), s("2017-11-22T01:00:00+01:00")]
            ),
            n(0)
        );
        assert_eq!(
            ok(
                "timecmp",
                vec![s("2017-11-22T00:00:00Z"), s("2018-01-01T00:00:00Z")]
            ),
            n(-1)
        );
        let now = ok("timestamp", vec![]);
        assert!(now
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 20));
    }
}
