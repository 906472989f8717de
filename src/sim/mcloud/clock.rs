//! Time as the mcloud API shows it: China Standard Time (+08:00).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

/// The zero time the API prints for "never" (Go's zero `time.Time`).
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

fn china() -> FixedOffset {
    // 8 hours east of UTC is always a valid offset; UTC is the (unused) fallback.
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The simulator's clock: the wall clock plus an offset that tests move forward, so a
/// transition of `transition_ms` can be observed without sleeping through it.
#[derive(Debug, Clone, Default)]
pub struct SimClock {
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl SimClock {
    pub fn now_ms(&self) -> i64 {
        now_ms().saturating_add(self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Moves this clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

fn at(ms: i64) -> DateTime<FixedOffset> {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    utc.with_timezone(&china())
}

/// `2017-07-07T16:10:46+08:00`, the format of `CreateTime`.
pub fn create_time(ms: i64) -> String {
    at(ms).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// `2017-08-02 17:52:29`, the format of machine-count samples.
pub fn sample_time(ms: i64) -> String {
    at(ms).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Parses a point in time given to `GET /v1/cluster/oldnumber/:time`:
/// `2017-08-02 17:52:29` (or with `T`) in +08:00, RFC 3339, or Unix seconds.
pub fn parse_point(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = text.parse().ok()?;
        return secs.checked_mul(1000);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return china()
                .from_local_datetime(&naive)
                .single()
                .map(|t| t.timestamp_millis());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_seed() {
        // 2017-07-07T08:10:46Z
        let ms = 1_499_415_046_000;
        assert_eq!(create_time(ms), "2017-07-07T16:10:46+08:00");
        assert_eq!(sample_time(ms), "2017-07-07 16:10:46");
        assert_eq!(parse_point("2017-07-07 16:10:46"), Some(ms));
        assert_eq!(parse_point("2017-07-07T16:10:46+08:00"), Some(ms));
        assert_eq!(parse_point("1499415046"), Some(ms));
        assert_eq!(parse_point("yesterday"), None);
    }
}
