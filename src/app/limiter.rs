//! Counting events per key in a sliding time window: submissions per client address, failed
//! sign-ins per account and per address. In memory, per process.

use std::{
    collections::{HashMap, VecDeque},
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct SlidingWindow<K> {
    window: Duration,
    max: u32,
    events: Mutex<HashMap<K, VecDeque<Instant>>>,
}

/// How long until the key may act again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

/// Beyond this many keys, a sweep drops those with no recent events.
const SWEEP_ABOVE_KEYS: usize = 10_000;

impl<K: Hash + Eq + Clone> SlidingWindow<K> {
    /// `max` events per `window`; a `max` of 0 turns the limit off.
    pub fn new(max: u32, window: Duration) -> Self {
        SlidingWindow {
            window,
            max,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`, unless it is at its limit.
    pub fn hit(&self, key: &K, now: Instant) -> Result<(), RetryAfter> {
        if self.max == 0 {
            return Ok(());
        }
        let mut events = self.lock();
        self.sweep(&mut events, now);
        let times = events.entry(key.clone()).or_default();
        self.blocked(times, now)?;
        times.push_back(now);
        Ok(())
    }

    /// Counts one event for `key` whatever its count (a limit that slows down, not refuses).
    pub fn record(&self, key: &K, now: Instant) {
        let mut events = self.lock();
        self.sweep(&mut events, now);
        let times = events.entry(key.clone()).or_default();
        self.expire(times, now);
        times.push_back(now);
    }

    /// The events of `key` within the window.
    pub fn count(&self, key: &K, now: Instant) -> usize {
        let mut events = self.lock();
        events.get_mut(key).map_or(0, |times| {
            self.expire(times, now);
            times.len()
        })
    }

    /// Takes back the latest event of `key` (an attempt that turned out to be a success).
    pub fn forget_last(&self, key: &K) {
        let mut events = self.lock();
        if let Some(times) = events.get_mut(key) {
            times.pop_back();
            if times.is_empty() {
                events.remove(key);
            }
        }
    }

    /// Forgets `key` (a successful sign-in clears its failures).
    pub fn clear(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Past many keys, drops those with no recent events, so the map cannot grow without
    /// bound under a flood of addresses or made-up accounts.
    fn sweep(&self, events: &mut HashMap<K, VecDeque<Instant>>, now: Instant) {
        if events.len() > SWEEP_ABOVE_KEYS {
            let window = self.window;
            events.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| now.duration_since(*last) < window)
            });
        }
    }

    fn expire(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times
            .front()
            .is_some_and(|first| now.duration_since(*first) >= self.window)
        {
            times.pop_front();
        }
    }

    fn blocked(&self, times: &mut VecDeque<Instant>, now: Instant) -> Result<(), RetryAfter> {
        self.expire(times, now);
        match times.front() {
            Some(first) if times.len() >= self.max as usize => Err(RetryAfter(
                self.window.saturating_sub(now.duration_since(*first)),
            )),
            _ => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the counts inconsistent enough to matter.
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_opens_again_as_the_window_slides() {
        let limiter = SlidingWindow::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for second in [0, 10, 20] {
            assert!(
                limiter
                    .hit(&"a", start + Duration::from_secs(second))
                    .is_ok()
            );
        }
        assert_eq!(
            limiter.hit(&"a", start + Duration::from_secs(30)),
            Err(RetryAfter(Duration::from_secs(30)))
        );
        assert!(
            limiter.hit(&"b", start + Duration::from_secs(30)).is_ok(),
            "keys are separate"
        );
        assert!(
            limiter.hit(&"a", start + Duration::from_secs(60)).is_ok(),
            "the first hit expired"
        );
    }

    #[test]
    fn forget_last_gives_one_back_and_clear_forgets_all() {
        let limiter = SlidingWindow::new(2, Duration::from_secs(60));
        let now = Instant::now();
        limiter.hit(&1, now).unwrap();
        limiter.hit(&1, now).unwrap();
        assert!(limiter.hit(&1, now).is_err());
        limiter.forget_last(&1);
        assert!(limiter.hit(&1, now).is_ok(), "one event given back");
        limiter.clear(&1);
        limiter.forget_last(&7);
        assert!(limiter.hit(&1, now).is_ok() && limiter.hit(&1, now).is_ok());
    }

    #[test]
    fn recorded_events_count_within_the_window_only() {
        let limiter = SlidingWindow::new(1, Duration::from_secs(60));
        let start = Instant::now();
        for second in [0, 10, 20] {
            limiter.record(&"a", start + Duration::from_secs(second));
        }
        assert_eq!(limiter.count(&"a", start + Duration::from_secs(30)), 3);
        assert_eq!(limiter.count(&"a", start + Duration::from_secs(65)), 2);
        assert_eq!(limiter.count(&"b", start), 0);
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = SlidingWindow::new(0, Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.hit(&"a", now).is_ok());
        }
    }
}
