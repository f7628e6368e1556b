//! When to try a failed job again: exponential backoff with jitter, and when to give up.

use chrono::{DateTime, Duration, Utc};

use crate::config::WorkerSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: Duration,
    pub max: Duration,
    pub give_up_after: Duration,
}

impl RetryPolicy {
    pub fn from_settings(settings: &WorkerSettings) -> RetryPolicy {
        RetryPolicy {
            first: Duration::seconds(settings.retry_first_seconds as i64),
            max: Duration::seconds(settings.retry_max_seconds as i64),
            give_up_after: Duration::hours(settings.give_up_after_hours as i64),
        }
    }

    /// The next run after the `attempts`-th failure (1 for the first), or `None` once the
    /// job has been failing (since `failing_since`) for longer than `give_up_after`.
    /// `jitter` in `[0, 1)` spreads the retries of many jobs that failed together (±20%), so
    /// they do not return at once.
    pub fn next_run(
        &self,
        attempts: i32,
        failing_since: DateTime<Utc>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> Option<DateTime<Utc>> {
        let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
        let base = self
            .first
            .checked_mul(1 << doublings.min(20))
            .map_or(self.max, |delay| delay.min(self.max));
        let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
        let delay = Duration::milliseconds((base.num_milliseconds() as f64 * factor) as i64);
        let run_at = now + delay;
        (run_at - failing_since <= self.give_up_after).then_some(run_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            first: Duration::seconds(10),
            max: Duration::hours(1),
            give_up_after: Duration::hours(24),
        }
    }

    #[test]
    fn delays_double_from_ten_seconds_up_to_an_hour() {
        let created: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let cases = [
            (1, 10),
            (2, 20),
            (3, 40),
            (4, 80),
            (9, 2560),
            (10, 3600),
            (11, 3600),
            (40, 3600),
        ];
        for (attempts, seconds) in cases {
            let run_at = policy().next_run(attempts, created, created, 0.5).unwrap();
            assert_eq!(
                (run_at - created).num_seconds(),
                seconds,
                "attempt {attempts}"
            );
        }
    }

    #[test]
    fn jitter_spreads_by_twenty_percent() {
        let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let low = policy().next_run(1, now, now, 0.0).unwrap();
        let high = policy().next_run(1, now, now, 0.999).unwrap();
        assert_eq!((low - now).num_milliseconds(), 8_000);
        assert!(
            (high - now).num_milliseconds() > 11_990 && (high - now).num_milliseconds() < 12_000
        );
    }

    #[test]
    fn a_job_failing_for_a_day_is_given_up() {
        let created: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let late = created + Duration::hours(23) + Duration::minutes(30);
        assert!(
            policy().next_run(30, created, late, 0.5).is_none(),
            "the next hour would pass the day"
        );
        assert!(
            policy()
                .next_run(30, created, created + Duration::hours(22), 0.5)
                .is_some()
        );
    }
}
