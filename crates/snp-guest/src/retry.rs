//! Bounded exponential back-off for busy guest requests.

use std::time::Duration;

/// How often, and how long, a request answered with `EAGAIN` or VMM `BUSY` is retried.
///
/// The `n`-th retry (from 0) waits `initial_delay * 2^n`, capped at `max_delay`; retrying stops
/// after `max_attempts` attempts in all, or when the next wait would take the total past
/// `max_total`. Only the same request is retried, never a modified one.
///
/// The Linux driver already retries a host-BUSY answer by itself, every 2 s for up to 60 s
/// (`SNP_REQ_MAX_RETRY_DURATION_S` in `sev_sys::uapi::tsm`), and then fails with `ETIMEDOUT`
/// after wiping the VMPCK — which is never retried here. A BUSY seen above the transport
/// therefore comes from an older driver or a simulator; this policy bounds the extra wait.
///
/// ```
/// use std::time::Duration;
/// use snp_guest::RetryPolicy;
/// let p = RetryPolicy::default();
/// assert_eq!(p.delay(0), Duration::from_millis(100));
/// assert_eq!(p.delay(10), Duration::from_secs(2));
/// assert_eq!(RetryPolicy::no_delay(3).delay(5), Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (at least 1 is always made).
    pub max_attempts: u32,
    /// Wait before the first retry.
    pub initial_delay: Duration,
    /// Longest single wait.
    pub max_delay: Duration,
    /// Longest total time spent on one request, waits included.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts, 100 ms doubling to at most 2 s, 10 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_total: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries: busy answers fail at once.
    pub const fn never() -> Self {
        Self {
            max_attempts: 1,
            initial_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_total: Duration::ZERO,
        }
    }

    /// Up to `max_attempts` attempts with no waiting (for tests and simulators).
    pub const fn no_delay(max_attempts: u32) -> Self {
        Self {
            max_attempts,
            initial_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_total: Duration::MAX,
        }
    }

    /// The wait before retry number `retry` (0 = the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.initial_delay.saturating_mul(factor).min(self.max_delay)
    }
}
