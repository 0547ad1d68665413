//! Times as people read them: seconds since the Unix epoch as UTC dates.

use core::fmt;

/// Seconds since the Unix epoch, displayed as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian
/// calendar, UTC).
///
/// ```
/// use sev_verify::time::Utc;
/// assert_eq!(Utc(0).to_string(), "1970-01-01T00:00:00Z");
/// assert_eq!(Utc(1_764_547_200).to_string(), "2025-12-01T00:00:00Z");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Utc(pub u64);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0;
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        let rem = secs % 86_400;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )
    }
}

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of each 400-year era.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::Utc;
    use alloc::string::ToString;

    #[test]
    fn known_dates() {
        // ARK-Milan notAfter (shared/spec/kds-and-certs.md §2); seconds from Python's datetime.
        assert_eq!(Utc(2_392_305_785).to_string(), "2045-10-22T17:23:05Z");
        assert_eq!(Utc(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert!(Utc(u64::MAX).to_string().len() > 20);
    }
}
