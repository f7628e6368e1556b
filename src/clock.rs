//! The service's sense of "now". Everything that needs the time asks a `Clock` handed to
//! it at start-up instead of reading the wall clock, so that tests can run the whole service
//! at any moment they choose (a Friday at 11:25 in Belém, the eve of a holiday, New Year's
//! Eve at 23:59) and pass whatever the hour they are run at.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::schedule::SERVICE_TIME_ZONE;

/// Cheap to clone; every clone shows the same time.
#[derive(Clone, Debug)]
pub struct Clock {
    /// How far this clock runs ahead of (or behind) the system's: zero in production.
    offset: Arc<RwLock<Duration>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock {
            offset: Arc::new(RwLock::new(Duration::zero())),
        }
    }

    /// A clock that reads `at` now and runs on at the system's pace from there, so the
    /// service behaves as it would at that moment (sessions expire, leases end, rows keep
    /// their order).
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        let clock = Clock::system();
        clock.set(at);
        clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    /// The date where the court is.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&SERVICE_TIME_ZONE).date_naive()
    }

    /// Moves this clock (and every clone of it) so that it reads `at` now.
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = at - Utc::now();
        // A poisoned lock only means a panic elsewhere while writing a plain value.
        *self.offset.write().unwrap_or_else(|e| e.into_inner()) = offset;
    }

    /// Moves this clock (and every clone of it) `by` forward.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.write().unwrap_or_else(|e| e.into_inner());
        *offset += by;
    }

    fn offset(&self) -> Duration {
        *self.offset.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_started_at_a_moment_reads_that_moment_and_runs_on() {
        let at: DateTime<Utc> = "2026-12-31T23:59:00-03:00".parse().unwrap();
        let clock = Clock::starting_at(at);
        let read = clock.now();
        assert!(read >= at && read - at < Duration::seconds(5), "{read}");
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }

    #[test]
    fn clones_share_the_time_and_advancing_moves_them_all() {
        let clock = Clock::starting_at("2026-12-04T14:25:00Z".parse().unwrap());
        let clone = clock.clone();
        clock.advance(Duration::days(1));
        assert_eq!(clone.today(), NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
    }

    #[test]
    fn the_system_clock_is_the_wall_clock() {
        let difference = Clock::system().now() - Utc::now();
        assert!(difference.num_seconds().abs() < 5);
    }
}
