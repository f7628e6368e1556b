//! The court's indicators of its service, from counts the store aggregates: per zone and for
//! the state, received requests by state, time to triage in service hours (median, 90th
//! percentile, share within the target), no-shows, cancellations by side, preferential and
//! message shares, satisfaction. Pure: the store hands counts and histograms, this turns them
//! into figures, so a history of any size costs the same here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{schedule::ZoneCalendar, status::Status};

/// Who made the change that closed a request, as the indicators tell cancellations apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosedBy {
    Requester,
    Staff,
    System,
}

impl ClosedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedBy::Requester => "requester",
            ClosedBy::Staff => "staff",
            ClosedBy::System => "system",
        }
    }

    pub fn parse(name: &str) -> Option<ClosedBy> {
        [ClosedBy::Requester, ClosedBy::Staff, ClosedBy::System]
            .into_iter()
            .find(|by| by.as_str() == name)
    }
}

/// Minutes of service a request waited for its first answer (triage or refusal): counted on
/// the zone's window and business days, so a request filed at 11:20 and triaged at 08:40 the
/// next business day waited the window's last 10 minutes and the next morning's first 10.
pub fn triage_wait_minutes(
    calendar: &ZoneCalendar<'_>,
    filed_at: DateTime<Utc>,
    answered_at: DateTime<Utc>,
) -> i64 {
    calendar.service_minutes_between(filed_at, answered_at)
}

/// What the store counts for one zone over a period: the requests received in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneCounts {
    pub received: u64,
    pub by_status: BTreeMap<Status, u64>,
    pub no_show: u64,
    pub cancelled_by_requester: u64,
    pub cancelled_by_staff: u64,
    pub preferential: u64,
    pub by_message: u64,
    /// Minutes of service to triage → how many requests waited that long.
    pub triage_minutes: BTreeMap<i64, u64>,
    /// Rating (1–5) → how many answers gave it.
    pub ratings: BTreeMap<i16, u64>,
}

impl ZoneCounts {
    /// Adds `other` into these counts: the state's total is the zones' sum.
    pub fn add(&mut self, other: &ZoneCounts) {
        self.received += other.received;
        for (status, n) in &other.by_status {
            *self.by_status.entry(*status).or_default() += n;
        }
        self.no_show += other.no_show;
        self.cancelled_by_requester += other.cancelled_by_requester;
        self.cancelled_by_staff += other.cancelled_by_staff;
        self.preferential += other.preferential;
        self.by_message += other.by_message;
        for (minutes, n) in &other.triage_minutes {
            *self.triage_minutes.entry(*minutes).or_default() += n;
        }
        for (rating, n) in &other.ratings {
            *self.ratings.entry(*rating).or_default() += n;
        }
    }

    /// The figures the court reads, with `target_minutes` the triage target.
    pub fn figures(&self, target_minutes: i64) -> Figures {
        let triaged: u64 = self.triage_minutes.values().sum();
        let within: u64 = self
            .triage_minutes
            .range(..=target_minutes)
            .map(|(_, n)| n)
            .sum();
        let answers: u64 = self.ratings.values().sum();
        let rating_sum: u64 = self
            .ratings
            .iter()
            .map(|(rating, n)| u64::try_from(*rating).unwrap_or(0) * n)
            .sum();
        Figures {
            received: self.received,
            by_status: Status::ALL
                .into_iter()
                .map(|status| {
                    (
                        status,
                        self.by_status.get(&status).copied().unwrap_or_default(),
                    )
                })
                .collect(),
            triaged,
            triage_hours_p50: percentile(&self.triage_minutes, 50).map(hours),
            triage_hours_p90: percentile(&self.triage_minutes, 90).map(hours),
            within_target_pct: share(within, triaged),
            no_show: self.no_show,
            cancelled_by_requester: self.cancelled_by_requester,
            cancelled_by_staff: self.cancelled_by_staff,
            preferential: self.preferential,
            by_message: self.by_message,
            satisfaction_avg: (answers > 0).then(|| round2(rating_sum as f64 / answers as f64)),
            satisfaction_count: answers,
        }
    }
}

/// One zone's (or the state's) figures for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub received: u64,
    /// Every state, in the state machine's order, zero included.
    pub by_status: Vec<(Status, u64)>,
    /// Requests that had their first answer (the base of the triage figures).
    pub triaged: u64,
    /// Service hours to triage: the median and the 90th percentile (nearest rank); `None`
    /// when nothing was triaged.
    pub triage_hours_p50: Option<f64>,
    pub triage_hours_p90: Option<f64>,
    /// Share of the triaged answered within the target, in percent; `None` without any.
    pub within_target_pct: Option<f64>,
    pub no_show: u64,
    pub cancelled_by_requester: u64,
    pub cancelled_by_staff: u64,
    pub preferential: u64,
    pub by_message: u64,
    pub satisfaction_avg: Option<f64>,
    pub satisfaction_count: u64,
}

impl Figures {
    /// How many of the period's requests are in `status` now.
    pub fn in_status(&self, status: Status) -> u64 {
        self.by_status
            .iter()
            .find(|(each, _)| *each == status)
            .map_or(0, |(_, n)| *n)
    }

    /// How many are still open.
    pub fn open(&self) -> u64 {
        Status::ALL
            .into_iter()
            .filter(|status| status.is_open())
            .map(|status| self.in_status(status))
            .sum()
    }
}

/// The nearest-rank percentile of a histogram (value → count): the least value with at
/// least `pct` percent of the counts at or below it.
pub fn percentile(histogram: &BTreeMap<i64, u64>, pct: u64) -> Option<i64> {
    let total: u64 = histogram.values().sum();
    if total == 0 {
        return None;
    }
    // ceil(pct × total / 100), at least 1.
    let rank = (pct * total).div_ceil(100).max(1);
    let mut seen = 0;
    for (value, n) in histogram {
        seen += n;
        if seen >= rank {
            return Some(*value);
        }
    }
    histogram.keys().next_back().copied()
}

fn hours(minutes: i64) -> f64 {
    round2(minutes as f64 / 60.0)
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round2(part as f64 * 100.0 / whole as f64))
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The buckets of the time-to-triage chart, in service hours: what a clerk's day looks like
/// from the requester's side.
pub const TRIAGE_BUCKETS: [(i64, Option<i64>, &str); 6] = [
    (0, Some(60), "até 1 h"),
    (60, Some(180), "1 a 3 h"),
    (180, Some(360), "3 a 6 h"),
    (360, Some(720), "6 a 12 h"),
    (720, Some(1440), "12 a 24 h"),
    (1440, None, "mais de 24 h"),
];

/// How many triaged requests fall in each of [`TRIAGE_BUCKETS`] (`[from, to)` minutes).
pub fn triage_distribution(histogram: &BTreeMap<i64, u64>) -> Vec<(&'static str, u64)> {
    TRIAGE_BUCKETS
        .iter()
        .map(|(from, to, label)| {
            let n = histogram
                .iter()
                .filter(|(minutes, _)| **minutes >= *from && to.is_none_or(|to| **minutes < to))
                .map(|(_, n)| n)
                .sum();
            (*label, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, TimeZone};

    use super::*;
    use crate::domain::{
        holidays::{ZoneHolidays, parse_csv},
        schedule::{SERVICE_TIME_ZONE, ServiceWindow, ZoneSchedule},
    };

    fn belem(datetime: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(datetime, "%Y-%m-%d %H:%M").unwrap();
        SERVICE_TIME_ZONE
            .from_local_datetime(&naive)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn histogram(pairs: &[(i64, u64)]) -> BTreeMap<i64, u64> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn triage_waits_count_service_time_only() {
        let all = parse_csv(include_str!("../../config/holidays.csv")).unwrap();
        let zone = ZoneSchedule::new(
            None,
            &ServiceWindow::default(),
            ZoneHolidays::for_zone(&all, &["Belém".to_string()]),
        );
        let calendar = zone.calendar();
        // The default window is 08:30–11:30 on weekdays; 8 December is a holiday in Belém.
        type Case<'a> = (&'a str, &'a str, &'a str, i64);
        let cases: Vec<Case> = vec![
            (
                "the same morning",
                "2026-12-02 09:00",
                "2026-12-02 10:30",
                90,
            ),
            (
                "filed near closing, triaged the next morning",
                "2026-12-02 11:20",
                "2026-12-03 08:40",
                20,
            ),
            (
                "filed on Friday evening, triaged on Monday at 09:30",
                "2026-12-04 18:00",
                "2026-12-07 09:30",
                60,
            ),
            ("over a holiday", "2026-12-07 11:00", "2026-12-09 09:00", 60),
            (
                "filed and triaged on a Saturday",
                "2026-12-05 09:00",
                "2026-12-05 10:00",
                0,
            ),
        ];
        for (name, filed, answered, minutes) in cases {
            assert_eq!(
                triage_wait_minutes(&calendar, belem(filed), belem(answered)),
                minutes,
                "{name}"
            );
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        type Case<'a> = (&'a str, Vec<(i64, u64)>, u64, Option<i64>);
        let cases: Vec<Case> = vec![
            ("nothing", vec![], 50, None),
            ("one value", vec![(30, 1)], 50, Some(30)),
            ("one value, p90", vec![(30, 1)], 90, Some(30)),
            (
                "1..10, median",
                (1..=10).map(|v| (v, 1)).collect(),
                50,
                Some(5),
            ),
            (
                "1..10, p90",
                (1..=10).map(|v| (v, 1)).collect(),
                90,
                Some(9),
            ),
            ("repeated values", vec![(10, 3), (20, 1)], 50, Some(10)),
            ("repeated values, p90", vec![(10, 3), (20, 1)], 90, Some(20)),
        ];
        for (name, pairs, pct, expected) in cases {
            assert_eq!(percentile(&histogram(&pairs), pct), expected, "{name}");
        }
    }

    #[test]
    fn figures_come_from_the_counts() {
        let counts = ZoneCounts {
            received: 4,
            by_status: [
                (Status::Done, 2),
                (Status::Cancelled, 1),
                (Status::Submitted, 1),
            ]
            .into_iter()
            .collect(),
            no_show: 1,
            cancelled_by_requester: 1,
            cancelled_by_staff: 0,
            preferential: 1,
            by_message: 1,
            triage_minutes: histogram(&[(20, 1), (90, 1), (200, 1)]),
            ratings: [(5, 1), (4, 2)].into_iter().collect(),
        };
        let figures = counts.figures(180);
        assert_eq!(figures.received, 4);
        assert_eq!(figures.triaged, 3);
        assert_eq!(figures.triage_hours_p50, Some(1.5));
        assert_eq!(figures.triage_hours_p90, Some(3.33));
        assert_eq!(figures.within_target_pct, Some(66.67));
        assert_eq!(figures.satisfaction_avg, Some(4.33));
        assert_eq!(figures.satisfaction_count, 3);
        assert_eq!(figures.by_status.len(), Status::ALL.len());
        assert_eq!(
            figures.by_status.iter().find(|(s, _)| *s == Status::Done),
            Some(&(Status::Done, 2))
        );
        let empty = ZoneCounts::default().figures(180);
        assert_eq!(
            (
                empty.triage_hours_p50,
                empty.within_target_pct,
                empty.satisfaction_avg
            ),
            (None, None, None)
        );
    }

    #[test]
    fn the_total_adds_the_zones_and_their_histograms() {
        let one = ZoneCounts {
            received: 2,
            triage_minutes: histogram(&[(10, 1), (30, 1)]),
            ratings: [(5, 1)].into_iter().collect(),
            ..ZoneCounts::default()
        };
        let other = ZoneCounts {
            received: 1,
            triage_minutes: histogram(&[(30, 1)]),
            ratings: [(1, 1)].into_iter().collect(),
            ..ZoneCounts::default()
        };
        let mut total = ZoneCounts::default();
        total.add(&one);
        total.add(&other);
        assert_eq!(total.received, 3);
        assert_eq!(total.triage_minutes, histogram(&[(10, 1), (30, 2)]));
        assert_eq!(total.figures(180).satisfaction_avg, Some(3.0));
    }

    #[test]
    fn the_distribution_puts_each_wait_in_one_bucket() {
        let counts = histogram(&[(0, 2), (59, 1), (60, 1), (1439, 1), (1440, 3)]);
        let buckets = triage_distribution(&counts);
        let total: u64 = buckets.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 8);
        assert_eq!(buckets[0], ("até 1 h", 3));
        assert_eq!(buckets[1], ("1 a 3 h", 1));
        assert_eq!(buckets[4], ("12 a 24 h", 1));
        assert_eq!(buckets[5], ("mais de 24 h", 3));
    }
}
