//! When to ask again after HTTP 429 or 503: the server's `Retry-After`, else bounded exponential
//! backoff with jitter, always within a bound on the total wait.

use std::time::{Duration, SystemTime};

/// How long to keep asking a rate-limited or unavailable server.
///
/// A `Retry-After` header is honoured when the total wait stays within [`RetryPolicy::max_wait`];
/// one that would go past it ends the retries at once (so a caller is never kept waiting longer
/// than it allowed). Without the header the n-th wait is a random duration in
/// `[d/2, d]` where `d = min(initial_backoff * 2^n, max_backoff)`.
///
/// ```
/// use std::time::Duration;
/// use sev_kds::RetryPolicy;
/// let p = RetryPolicy { max_wait: Duration::from_secs(5), ..RetryPolicy::default() };
/// let first = p.backoff(0);
/// assert!(first >= p.initial_backoff / 2 && first <= p.initial_backoff);
/// assert!(p.backoff(30) <= p.max_backoff);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most requests per object (the first included).
    pub max_attempts: u32,
    /// The first backoff when the server gives no `Retry-After`.
    pub initial_backoff: Duration,
    /// The longest single backoff.
    pub max_backoff: Duration,
    /// The most time slept in total for one object.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts, backoff from 1 s doubling to at most 16 s, at most 60 s of waiting.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(16),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        initial_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
        max_wait: Duration::ZERO,
    };

    /// The wait before retry number `n` (0-based) when the server gave no `Retry-After`.
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX);
        let d = self.initial_backoff.saturating_mul(factor).min(self.max_backoff);
        let half = d / 2;
        half + jitter(d - half)
    }
}

/// A pseudo-random duration in `[0, max]`, from the standard library's randomly keyed hasher.
fn jitter(max: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    match nanos.checked_add(1) {
        Some(m) => Duration::from_nanos(h.finish() % m),
        None => Duration::from_nanos(h.finish()),
    }
}

/// Parses a `Retry-After` value: delay-seconds, or an HTTP-date (IMF-fixdate, as RFC 9110
/// requires senders to use) relative to `now`. `None` when it is neither.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use sev_kds::parse_retry_after;
/// let now = UNIX_EPOCH + Duration::from_secs(784_111_767); // Sun, 06 Nov 1994 08:49:27 GMT
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(Duration::from_secs(10)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let at = parse_imf_fixdate(v)?;
    let now = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` → seconds since the Unix epoch.
fn parse_imf_fixdate(s: &str) -> Option<u64> {
    let mut parts = s.split_ascii_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: i64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let mut hms = time.split(':').map(|x| x.parse::<u64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day as i64);
    u64::try_from(days).ok().map(|d| d * 86_400 + h * 3600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imf_fixdate_known_values() {
        // RFC 9110 §5.6.7's example date; seconds from `date -u -d '1994-11-06 08:49:37' +%s`.
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        // A leap day; `date -u -d '2024-02-29 00:00:00' +%s`.
        assert_eq!(parse_imf_fixdate("Thu, 29 Feb 2024 00:00:00 GMT"), Some(1_709_164_800));
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_imf_fixdate("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 25:49:37 GMT"), None);
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let p = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(800),
            max_wait: Duration::from_secs(10),
        };
        for n in 0..40 {
            let d = p.backoff(n);
            let cap = (Duration::from_millis(100) * 2u32.saturating_pow(n.min(20))).min(Duration::from_millis(800));
            assert!(
                d >= cap / 2 && d <= cap,
                "n={n}: {d:?} outside [{:?}, {cap:?}]",
                cap / 2
            );
        }
        assert_eq!(RetryPolicy::NONE.backoff(3), Duration::ZERO);
    }

    #[test]
    fn past_dates_mean_now() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
