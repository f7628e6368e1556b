//! The court's indicators of its service, from counts the store aggregates: per zone and for
//! the state, received requests by state, time to triage in service hours (median, 90th
//! percentile, share within the target), no-shows, cancellations by side, preferential and
//! message shares, satisfaction. Pure: the store hands counts and histograms, this turns them
//! into figures, so a history of any size costs the same here.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc, Weekday};

use super::{
    messages::Mode,
    schedule::ZoneCalendar,
    status::{Outcome, Status},
};

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

/// Triage waits are counted in tenths of a service hour, rounded up (a wait of 61 minutes
/// counts as 1.1 h): the resolution the court reads, so the store keeps one counter per
/// tenth instead of one per minute, and the percentiles of the tenths are exactly the
/// percentiles of the minutes rounded up (rounding up keeps the order). The target, a whole
/// number of hours, is a whole number of tenths, so "within the target" is exact too.
pub fn triage_tenths(minutes: i64) -> i64 {
    (minutes.max(0) + 5) / 6
}

/// The counters the store keeps per zone and filing day, one column each: a request counts
/// once in `Received`, once in its state, and in each of the others that holds for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Counter {
    Received,
    Submitted,
    Triaged,
    Offered,
    Scheduled,
    Done,
    Rejected,
    Cancelled,
    Attended,
    AttendedByMessage,
    NoShow,
    CancelledByRequester,
    /// Cancelled by a clerk or by the service itself (an offer that ran out, say).
    CancelledByStaff,
    Preferential,
    /// In message mode (attended by written messages, or to be).
    ByMessage,
    Rating1,
    Rating2,
    Rating3,
    Rating4,
    Rating5,
}

impl Counter {
    pub const ALL: [Counter; 20] = [
        Counter::Received,
        Counter::Submitted,
        Counter::Triaged,
        Counter::Offered,
        Counter::Scheduled,
        Counter::Done,
        Counter::Rejected,
        Counter::Cancelled,
        Counter::Attended,
        Counter::AttendedByMessage,
        Counter::NoShow,
        Counter::CancelledByRequester,
        Counter::CancelledByStaff,
        Counter::Preferential,
        Counter::ByMessage,
        Counter::Rating1,
        Counter::Rating2,
        Counter::Rating3,
        Counter::Rating4,
        Counter::Rating5,
    ];

    /// The column that holds it.
    pub fn column(self) -> &'static str {
        match self {
            Counter::Received => "received",
            Counter::Submitted => "submitted",
            Counter::Triaged => "triaged",
            Counter::Offered => "offered",
            Counter::Scheduled => "scheduled",
            Counter::Done => "done",
            Counter::Rejected => "rejected",
            Counter::Cancelled => "cancelled",
            Counter::Attended => "attended",
            Counter::AttendedByMessage => "attended_by_message",
            Counter::NoShow => "no_show",
            Counter::CancelledByRequester => "cancelled_by_requester",
            Counter::CancelledByStaff => "cancelled_by_staff",
            Counter::Preferential => "preferential",
            Counter::ByMessage => "by_message",
            Counter::Rating1 => "rating_1",
            Counter::Rating2 => "rating_2",
            Counter::Rating3 => "rating_3",
            Counter::Rating4 => "rating_4",
            Counter::Rating5 => "rating_5",
        }
    }

    fn of_status(status: Status) -> Counter {
        match status {
            Status::Submitted => Counter::Submitted,
            Status::Triaged => Counter::Triaged,
            Status::Offered => Counter::Offered,
            Status::Scheduled => Counter::Scheduled,
            Status::Done => Counter::Done,
            Status::Rejected => Counter::Rejected,
            Status::Cancelled => Counter::Cancelled,
        }
    }

    fn of_rating(rating: i16) -> Option<Counter> {
        match rating {
            1 => Some(Counter::Rating1),
            2 => Some(Counter::Rating2),
            3 => Some(Counter::Rating3),
            4 => Some(Counter::Rating4),
            5 => Some(Counter::Rating5),
            _ => None,
        }
    }
}

/// What one request is, as far as the indicators tell requests apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub closed_by: Option<ClosedBy>,
    pub preferential: bool,
    pub mode: Mode,
    /// The service minutes its first answer took, once answered.
    pub triage_minutes: Option<i64>,
    /// Its survey answer's rating, once answered.
    pub rating: Option<i16>,
}

impl Tally {
    /// The counters this request adds one to.
    pub fn counters(&self) -> Vec<Counter> {
        let mut counters = vec![Counter::Received, Counter::of_status(self.status)];
        counters.extend(match self.outcome {
            Some(Outcome::Attended) => Some(Counter::Attended),
            Some(Outcome::AttendedByMessage) => Some(Counter::AttendedByMessage),
            Some(Outcome::NoShow) => Some(Counter::NoShow),
            None => None,
        });
        if self.status == Status::Cancelled {
            counters.push(match self.closed_by {
                Some(ClosedBy::Requester) => Counter::CancelledByRequester,
                _ => Counter::CancelledByStaff,
            });
        }
        if self.preferential {
            counters.push(Counter::Preferential);
        }
        if self.mode == Mode::Message {
            counters.push(Counter::ByMessage);
        }
        counters.extend(self.rating.and_then(Counter::of_rating));
        counters
    }

    /// Its triage wait in tenths of an hour (see [`triage_tenths`]), once answered.
    pub fn triage_tenths(&self) -> Option<i64> {
        self.triage_minutes.map(triage_tenths)
    }
}

/// A value for each [`Counter`]: a day's counts, their sum over a period, or what one change
/// to a request adds and takes away (negative values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts([i64; Counter::ALL.len()]);

impl DayCounts {
    /// One request's counts.
    pub fn of(tally: &Tally) -> DayCounts {
        let mut counts = DayCounts::default();
        for counter in tally.counters() {
            counts.0[counter as usize] += 1;
        }
        counts
    }

    pub fn get(&self, counter: Counter) -> i64 {
        self.0[counter as usize]
    }

    pub fn set(&mut self, counter: Counter, value: i64) {
        self.0[counter as usize] = value;
    }

    pub fn add(&mut self, other: &DayCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }

    pub fn subtract(&mut self, other: &DayCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine -= theirs;
        }
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|value| *value == 0)
    }

    /// The counters that are not zero, with their values.
    pub fn nonzero(&self) -> impl Iterator<Item = (Counter, i64)> + '_ {
        Counter::ALL
            .into_iter()
            .map(|counter| (counter, self.get(counter)))
            .filter(|(_, value)| *value != 0)
    }

    fn count(&self, counter: Counter) -> u64 {
        u64::try_from(self.get(counter)).unwrap_or(0)
    }
}

/// What the store counts for one zone (or the state) over a period: the requests filed in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneCounts {
    pub days: DayCounts,
    /// Tenths of a service hour to triage → how many requests waited that long.
    pub triage_tenths: BTreeMap<i64, u64>,
}

impl ZoneCounts {
    /// Adds `other` into these counts: the state's total is the zones' sum.
    pub fn add(&mut self, other: &ZoneCounts) {
        self.days.add(&other.days);
        for (tenths, n) in &other.triage_tenths {
            *self.triage_tenths.entry(*tenths).or_default() += n;
        }
    }

    /// The figures the court reads, with the triage target in whole service hours.
    pub fn figures(&self, target_hours: u32) -> Figures {
        let days = &self.days;
        let triaged: u64 = self.triage_tenths.values().sum();
        let within: u64 = self
            .triage_tenths
            .range(..=i64::from(target_hours) * 10)
            .map(|(_, n)| n)
            .sum();
        let ratings = [
            (1, Counter::Rating1),
            (2, Counter::Rating2),
            (3, Counter::Rating3),
            (4, Counter::Rating4),
            (5, Counter::Rating5),
        ];
        let answers: u64 = ratings.iter().map(|(_, c)| days.count(*c)).sum();
        let rating_sum: u64 = ratings
            .iter()
            .map(|(rating, c)| rating * days.count(*c))
            .sum();
        Figures {
            received: days.count(Counter::Received),
            by_status: Status::ALL
                .into_iter()
                .map(|status| (status, days.count(Counter::of_status(status))))
                .collect(),
            triaged,
            triage_hours_p50: percentile(&self.triage_tenths, 50).map(hours),
            triage_hours_p90: percentile(&self.triage_tenths, 90).map(hours),
            within_target_pct: share(within, triaged),
            no_show: days.count(Counter::NoShow),
            cancelled_by_requester: days.count(Counter::CancelledByRequester),
            cancelled_by_staff: days.count(Counter::CancelledByStaff),
            preferential: days.count(Counter::Preferential),
            by_message: days.count(Counter::ByMessage),
            satisfaction_avg: (answers > 0).then(|| round2(rating_sum as f64 / answers as f64)),
            satisfaction_count: answers,
        }
    }
}

/// One week's requests by how they ended (or that they are still open).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekCounts {
    /// The Monday the week starts, in Belém.
    pub week: NaiveDate,
    pub attended: u64,
    pub by_message: u64,
    pub no_show: u64,
    pub cancelled: u64,
    pub rejected: u64,
    pub open: u64,
}

/// The weeks (from Monday) of daily counts, in order.
pub fn weeks_of(days: impl IntoIterator<Item = (NaiveDate, DayCounts)>) -> Vec<WeekCounts> {
    let mut weeks: BTreeMap<NaiveDate, WeekCounts> = BTreeMap::new();
    for (day, counts) in days {
        let monday = day.week(Weekday::Mon).first_day();
        let week = weeks.entry(monday).or_insert_with(|| WeekCounts {
            week: monday,
            ..WeekCounts::default()
        });
        week.attended += counts.count(Counter::Attended);
        week.by_message += counts.count(Counter::AttendedByMessage);
        week.no_show += counts.count(Counter::NoShow);
        week.cancelled += counts.count(Counter::Cancelled);
        week.rejected += counts.count(Counter::Rejected);
        week.open += [
            Counter::Submitted,
            Counter::Triaged,
            Counter::Offered,
            Counter::Scheduled,
        ]
        .into_iter()
        .map(|counter| counts.count(counter))
        .sum::<u64>();
    }
    weeks.into_values().collect()
}

/// One zone's (or the state's) figures for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub received: u64,
    /// Every state, in the state machine's order, zero included.
    pub by_status: Vec<(Status, u64)>,
    /// Requests that had their first answer (the base of the triage figures).
    pub triaged: u64,
    /// Service hours to triage, in tenths rounded up: the median and the 90th percentile
    /// (nearest rank); `None` when nothing was triaged.
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

fn hours(tenths: i64) -> f64 {
    tenths as f64 / 10.0
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round2(part as f64 * 100.0 / whole as f64))
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The buckets of the time-to-triage chart, in tenths of a service hour, each up to and
/// including its end (as the target is): what a clerk's day looks like from the
/// requester's side.
pub const TRIAGE_BUCKETS: [(Option<i64>, &str); 6] = [
    (Some(10), "até 1 h"),
    (Some(30), "1 a 3 h"),
    (Some(60), "3 a 6 h"),
    (Some(120), "6 a 12 h"),
    (Some(240), "12 a 24 h"),
    (None, "mais de 24 h"),
];

/// How many triaged requests fall in each of [`TRIAGE_BUCKETS`].
pub fn triage_distribution(histogram: &BTreeMap<i64, u64>) -> Vec<(&'static str, u64)> {
    let mut from = i64::MIN;
    TRIAGE_BUCKETS
        .iter()
        .map(|(to, label)| {
            let n = histogram
                .iter()
                .filter(|(tenths, _)| **tenths > from && to.is_none_or(|to| **tenths <= to))
                .map(|(_, n)| n)
                .sum();
            from = to.unwrap_or(i64::MAX);
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

    fn tally(status: Status) -> Tally {
        Tally {
            status,
            outcome: None,
            closed_by: None,
            preferential: false,
            mode: Mode::Video,
            triage_minutes: None,
            rating: None,
        }
    }

    #[test]
    fn each_request_counts_in_its_counters() {
        use Counter::*;
        type Case<'a> = (&'a str, Tally, Vec<Counter>);
        let cases: Vec<Case> = vec![
            (
                "just filed",
                tally(Status::Submitted),
                vec![Received, Submitted],
            ),
            (
                "attended",
                Tally {
                    outcome: Some(Outcome::Attended),
                    closed_by: Some(ClosedBy::Staff),
                    rating: Some(5),
                    ..tally(Status::Done)
                },
                vec![Received, Done, Attended, Rating5],
            ),
            (
                "attended by message, preferential",
                Tally {
                    outcome: Some(Outcome::AttendedByMessage),
                    mode: Mode::Message,
                    preferential: true,
                    ..tally(Status::Done)
                },
                vec![Received, Done, AttendedByMessage, Preferential, ByMessage],
            ),
            (
                "missed",
                Tally {
                    outcome: Some(Outcome::NoShow),
                    ..tally(Status::Done)
                },
                vec![Received, Done, NoShow],
            ),
            (
                "cancelled by the requester",
                Tally {
                    closed_by: Some(ClosedBy::Requester),
                    ..tally(Status::Cancelled)
                },
                vec![Received, Cancelled, CancelledByRequester],
            ),
            (
                "cancelled by a clerk",
                Tally {
                    closed_by: Some(ClosedBy::Staff),
                    ..tally(Status::Cancelled)
                },
                vec![Received, Cancelled, CancelledByStaff],
            ),
            (
                "cancelled by the service",
                Tally {
                    closed_by: Some(ClosedBy::System),
                    ..tally(Status::Cancelled)
                },
                vec![Received, Cancelled, CancelledByStaff],
            ),
            (
                "rejected: who closed it is not a cancellation",
                Tally {
                    closed_by: Some(ClosedBy::Staff),
                    ..tally(Status::Rejected)
                },
                vec![Received, Rejected],
            ),
            (
                "a rating out of range counts nowhere",
                Tally {
                    rating: Some(9),
                    ..tally(Status::Offered)
                },
                vec![Received, Offered],
            ),
        ];
        for (name, tally, expected) in cases {
            assert_eq!(tally.counters(), expected, "{name}");
            let counts = DayCounts::of(&tally);
            for counter in Counter::ALL {
                assert_eq!(
                    counts.get(counter),
                    i64::from(expected.contains(&counter)),
                    "{name}: {counter:?}"
                );
            }
        }
    }

    #[test]
    fn a_change_is_what_the_new_state_adds_less_what_the_old_one_took() {
        let before = DayCounts::of(&tally(Status::Scheduled));
        let after = DayCounts::of(&Tally {
            outcome: Some(Outcome::Attended),
            ..tally(Status::Done)
        });
        let mut change = after;
        change.subtract(&before);
        assert_eq!(
            change.nonzero().collect::<Vec<_>>(),
            vec![
                (Counter::Scheduled, -1),
                (Counter::Done, 1),
                (Counter::Attended, 1)
            ]
        );
        let mut day = before;
        day.add(&change);
        assert_eq!(day, after);
        let mut nothing = after;
        nothing.subtract(&after);
        assert!(nothing.is_zero());
    }

    #[test]
    fn waits_count_in_tenths_of_an_hour_rounded_up() {
        for (minutes, tenths) in [
            (0, 0),
            (1, 1),
            (6, 1),
            (7, 2),
            (59, 10),
            (60, 10),
            (61, 11),
            (180, 30),
            (181, 31),
            (-5, 0),
        ] {
            assert_eq!(triage_tenths(minutes), tenths, "{minutes} min");
        }
    }

    #[test]
    fn percentiles_of_tenths_are_the_tenths_of_the_percentiles() {
        // Rounding up keeps the order, so the nearest rank falls on the same request.
        let minutes: Vec<i64> = (0..500).map(|i| (i * 7919) % 1013).collect();
        let exact: BTreeMap<i64, u64> = minutes.iter().fold(BTreeMap::new(), |mut h, m| {
            *h.entry(*m).or_default() += 1;
            h
        });
        let banded: BTreeMap<i64, u64> = minutes.iter().fold(BTreeMap::new(), |mut h, m| {
            *h.entry(triage_tenths(*m)).or_default() += 1;
            h
        });
        for pct in [1, 10, 50, 90, 99, 100] {
            assert_eq!(
                percentile(&banded, pct),
                percentile(&exact, pct).map(triage_tenths),
                "p{pct}"
            );
        }
    }

    fn counts(pairs: &[(Counter, i64)], tenths: &[(i64, u64)]) -> ZoneCounts {
        let mut days = DayCounts::default();
        for (counter, value) in pairs {
            days.set(*counter, *value);
        }
        ZoneCounts {
            days,
            triage_tenths: histogram(tenths),
        }
    }

    #[test]
    fn figures_come_from_the_counts() {
        use Counter::*;
        let zone = counts(
            &[
                (Received, 4),
                (Done, 2),
                (Cancelled, 1),
                (Submitted, 1),
                (NoShow, 1),
                (CancelledByRequester, 1),
                (Preferential, 1),
                (ByMessage, 1),
                (Rating5, 1),
                (Rating4, 2),
            ],
            // 20, 90 and 200 minutes.
            &[(4, 1), (15, 1), (34, 1)],
        );
        let figures = zone.figures(3);
        assert_eq!(figures.received, 4);
        assert_eq!(figures.triaged, 3);
        assert_eq!(figures.triage_hours_p50, Some(1.5));
        assert_eq!(figures.triage_hours_p90, Some(3.4));
        assert_eq!(figures.within_target_pct, Some(66.67));
        assert_eq!(figures.no_show, 1);
        assert_eq!(figures.cancelled_by_requester, 1);
        assert_eq!(figures.cancelled_by_staff, 0);
        assert_eq!((figures.preferential, figures.by_message), (1, 1));
        assert_eq!(figures.satisfaction_avg, Some(4.33));
        assert_eq!(figures.satisfaction_count, 3);
        assert_eq!(figures.by_status.len(), Status::ALL.len());
        assert_eq!(figures.in_status(Status::Done), 2);
        assert_eq!(figures.open(), 1);
        // Exactly the target is within it.
        assert_eq!(
            counts(&[], &[(30, 1), (31, 1)])
                .figures(3)
                .within_target_pct,
            Some(50.0)
        );
        let empty = ZoneCounts::default().figures(3);
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
        let one = counts(
            &[(Counter::Received, 2), (Counter::Rating5, 1)],
            &[(2, 1), (5, 1)],
        );
        let other = counts(&[(Counter::Received, 1), (Counter::Rating1, 1)], &[(5, 1)]);
        let mut total = ZoneCounts::default();
        total.add(&one);
        total.add(&other);
        assert_eq!(total.days.get(Counter::Received), 3);
        assert_eq!(total.triage_tenths, histogram(&[(2, 1), (5, 2)]));
        assert_eq!(total.figures(3).satisfaction_avg, Some(3.0));
    }

    #[test]
    fn weeks_start_on_monday_and_sum_their_days() {
        let day = |date: &str, pairs: &[(Counter, i64)]| {
            let mut counts = DayCounts::default();
            for (counter, value) in pairs {
                counts.set(*counter, *value);
            }
            (date.parse::<NaiveDate>().unwrap(), counts)
        };
        let weeks = weeks_of([
            // Sunday, then Monday and Wednesday of the next week.
            day("2026-11-29", &[(Counter::Attended, 1)]),
            day(
                "2026-11-30",
                &[(Counter::Submitted, 1), (Counter::Scheduled, 2)],
            ),
            day(
                "2026-12-02",
                &[
                    (Counter::AttendedByMessage, 1),
                    (Counter::NoShow, 1),
                    (Counter::Cancelled, 1),
                    (Counter::Rejected, 1),
                    (Counter::Offered, 1),
                ],
            ),
        ]);
        let monday = |date: &str| date.parse::<NaiveDate>().unwrap();
        assert_eq!(
            weeks,
            vec![
                WeekCounts {
                    week: monday("2026-11-23"),
                    attended: 1,
                    ..WeekCounts::default()
                },
                WeekCounts {
                    week: monday("2026-11-30"),
                    attended: 0,
                    by_message: 1,
                    no_show: 1,
                    cancelled: 1,
                    rejected: 1,
                    open: 4,
                },
            ]
        );
    }

    #[test]
    fn the_distribution_puts_each_wait_in_one_bucket() {
        // Tenths: 0 and 10 are "up to 1 h", 11 is past it; 240 is "up to 24 h".
        let counts = histogram(&[(0, 2), (10, 1), (11, 1), (240, 1), (241, 3)]);
        let buckets = triage_distribution(&counts);
        let total: u64 = buckets.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 8);
        assert_eq!(buckets[0], ("até 1 h", 3));
        assert_eq!(buckets[1], ("1 a 3 h", 1));
        assert_eq!(buckets[4], ("12 a 24 h", 1));
        assert_eq!(buckets[5], ("mais de 24 h", 3));
    }
}
