//! When a meeting may happen: a zone's service window, its holidays, the clock and the clerk's
//! other meetings. Times are kept in UTC and interpreted in the service time zone.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::holidays::ZoneHolidays;

/// The court's clocks: Pará has no daylight saving time (UTC−3 all year).
pub const SERVICE_TIME_ZONE: Tz = chrono_tz::America::Belem;

/// Days of the week with service, as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const MONDAY_TO_FRIDAY: Weekdays = Weekdays(0b0001_1111);

    /// From ISO numbers, 1 = Monday … 7 = Sunday.
    pub fn from_iso(days: impl IntoIterator<Item = u32>) -> Result<Self, WindowError> {
        let mut bits = 0u8;
        for day in days {
            if !(1..=7).contains(&day) {
                return Err(WindowError::Weekday(day));
            }
            bits |= 1 << (day - 1);
        }
        if bits == 0 {
            return Err(WindowError::NoWeekday);
        }
        Ok(Weekdays(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn iso_numbers(self) -> Vec<u32> {
        (1..=7).filter(|d| self.0 & (1 << (d - 1)) != 0).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("the service window must open before it closes")]
    OpensAfterCloses,
    #[error("the slot length must be between 5 and 240 minutes, not {0}")]
    SlotLength(u32),
    #[error("a {0}-minute slot does not fit in the service window")]
    SlotDoesNotFit(u32),
    #[error("weekday {0} is not an ISO weekday (1 = Monday … 7 = Sunday)")]
    Weekday(u32),
    #[error("a zone needs at least one weekday with service")]
    NoWeekday,
}

/// The hours in which a zone holds meetings, cut into slots of equal length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceWindow {
    opens: NaiveTime,
    closes: NaiveTime,
    slot_minutes: u32,
    weekdays: Weekdays,
}

impl Default for ServiceWindow {
    /// 08:30–11:30, Monday to Friday, 20-minute slots: the Balcão Virtual's published hours.
    fn default() -> Self {
        ServiceWindow {
            opens: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(11, 30, 0).unwrap_or_default(),
            slot_minutes: 20,
            weekdays: Weekdays::MONDAY_TO_FRIDAY,
        }
    }
}

impl ServiceWindow {
    pub fn new(
        opens: NaiveTime,
        closes: NaiveTime,
        slot_minutes: u32,
        weekdays: Weekdays,
    ) -> Result<Self, WindowError> {
        if opens >= closes {
            return Err(WindowError::OpensAfterCloses);
        }
        if !(5..=240).contains(&slot_minutes) {
            return Err(WindowError::SlotLength(slot_minutes));
        }
        if opens + Duration::minutes(slot_minutes.into()) > closes {
            return Err(WindowError::SlotDoesNotFit(slot_minutes));
        }
        Ok(ServiceWindow {
            opens,
            closes,
            slot_minutes,
            weekdays,
        })
    }

    pub fn opens(&self) -> NaiveTime {
        self.opens
    }

    pub fn closes(&self) -> NaiveTime {
        self.closes
    }

    pub fn slot_minutes(&self) -> u32 {
        self.slot_minutes
    }

    pub fn weekdays(&self) -> Weekdays {
        self.weekdays
    }

    fn slot_length(&self) -> Duration {
        Duration::minutes(self.slot_minutes.into())
    }

    /// Every slot of the window on `date`, ignoring holidays; none on a day without service.
    pub fn slots_on(&self, date: NaiveDate) -> Vec<Slot> {
        if !self.weekdays.contains(date.weekday()) {
            return Vec::new();
        }
        let mut slots = Vec::new();
        let mut start = self.opens;
        while start + self.slot_length() <= self.closes {
            if let Some(slot) = Slot::local(date, start, self.slot_length()) {
                slots.push(slot);
            }
            start += self.slot_length();
        }
        slots
    }
}

/// One meeting's time: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Slot {
    fn local(date: NaiveDate, time: NaiveTime, length: Duration) -> Option<Slot> {
        let start = SERVICE_TIME_ZONE
            .from_local_datetime(&NaiveDateTime::new(date, time))
            .single()?
            .with_timezone(&Utc);
        Some(Slot {
            start,
            end: start + length,
        })
    }

    pub fn overlaps(&self, other: &Slot) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn local_start(&self) -> DateTime<Tz> {
        self.start.with_timezone(&SERVICE_TIME_ZONE)
    }
}

/// How far ahead meetings may be scheduled: up to `days` days after today in Belém, that day
/// included. A meeting in the year 9999 would otherwise be accepted, and its e-mails and
/// reminders with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the scheduling horizon must be between 1 and {max} days, not {0}", max = Horizon::MAX_DAYS)]
pub struct HorizonError(pub u32);

impl Horizon {
    /// Ten years: beyond that a horizon is no bound at all.
    pub const MAX_DAYS: u32 = 3650;

    pub fn days(days: u32) -> Result<Horizon, HorizonError> {
        if (1..=Self::MAX_DAYS).contains(&days) {
            Ok(Horizon { days })
        } else {
            Err(HorizonError(days))
        }
    }

    pub fn get(self) -> u32 {
        self.days
    }

    /// The last day (in Belém) a meeting may be held on, seen at `now`.
    pub fn last_day(self, now: DateTime<Utc>) -> NaiveDate {
        let today = now.with_timezone(&SERVICE_TIME_ZONE).date_naive();
        today
            .checked_add_days(chrono::Days::new(self.days.into()))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Why a meeting cannot start at the time asked; the text is shown to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("Este horário já passou.")]
    InPast,
    #[error(
        "Data muito distante: os atendimentos podem ser marcados até {last} ({days} dias a partir de hoje).",
        last = .last_day.format("%d/%m/%Y")
    )]
    TooFarAhead { last_day: NaiveDate, days: u32 },
    #[error("Não há atendimento neste dia da semana.")]
    ClosedWeekday,
    #[error("Não há atendimento em {date}: {name}.", date = .date.format("%d/%m/%Y"))]
    Holiday { date: NaiveDate, name: String },
    #[error(
        "O horário deve ser um dos horários de atendimento ({opens} às {closes}, a cada {minutes} minutos).",
        opens = .opens.format("%H:%M"),
        closes = .closes.format("%H:%M")
    )]
    OutsideWindow {
        opens: NaiveTime,
        closes: NaiveTime,
        minutes: u32,
    },
    #[error(
        "Este horário já está ocupado: o servidor responsável tem outra reunião ou o ofereceu a outra pessoa."
    )]
    Overlap,
    /// The request needs a Libras interpreter and the court has none.
    #[error(
        "Não há intérprete de Libras cadastrado(a) para acompanhar o atendimento: peça à administração que indique um(a)."
    )]
    NoInterpreter,
    /// The request needs a Libras interpreter and every one is taken then.
    #[error("Nenhum(a) intérprete de Libras está livre neste horário: escolha outro.")]
    InterpreterBusy,
}

/// A zone's calendar, owned: the window it serves in and the holidays that close it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSchedule {
    window: ServiceWindow,
    holidays: ZoneHolidays,
}

impl ZoneSchedule {
    /// The zone's own window, or the service's default when it has none: the one place
    /// where the two are combined.
    pub fn new(
        own_window: Option<ServiceWindow>,
        default_window: &ServiceWindow,
        holidays: ZoneHolidays,
    ) -> ZoneSchedule {
        ZoneSchedule {
            window: Self::window_of(own_window, default_window),
            holidays,
        }
    }

    /// The window a zone serves in: its own, or the service's default.
    pub fn window_of(
        own_window: Option<ServiceWindow>,
        default_window: &ServiceWindow,
    ) -> ServiceWindow {
        own_window.unwrap_or(*default_window)
    }

    pub fn window(&self) -> &ServiceWindow {
        &self.window
    }

    pub fn calendar(&self) -> ZoneCalendar<'_> {
        ZoneCalendar {
            window: &self.window,
            holidays: &self.holidays,
        }
    }
}

/// The zone's calendar: its window and the holidays that close it.
#[derive(Debug, Clone, Copy)]
pub struct ZoneCalendar<'a> {
    pub window: &'a ServiceWindow,
    pub holidays: &'a ZoneHolidays,
}

impl ZoneCalendar<'_> {
    /// A day with service: one of the window's weekdays and not a holiday of the zone.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        self.window.weekdays.contains(date.weekday()) && self.holidays.on(date).is_none()
    }

    /// The slot that starts at `start`, if a meeting may be held then (after `now`, within
    /// `horizon`), given the clerk's other meetings in `busy`.
    pub fn check_slot(
        &self,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
        horizon: Horizon,
        busy: &[Slot],
    ) -> Result<Slot, SlotError> {
        if start <= now {
            return Err(SlotError::InPast);
        }
        let local = start.with_timezone(&SERVICE_TIME_ZONE);
        let date = local.date_naive();
        let last_day = horizon.last_day(now);
        if date > last_day {
            return Err(SlotError::TooFarAhead {
                last_day,
                days: horizon.get(),
            });
        }
        if !self.window.weekdays.contains(date.weekday()) {
            return Err(SlotError::ClosedWeekday);
        }
        if let Some(name) = self.holidays.on(date) {
            return Err(SlotError::Holiday {
                date,
                name: name.to_string(),
            });
        }
        let slot = self
            .window
            .slots_on(date)
            .into_iter()
            .find(|slot| slot.start == start)
            .ok_or(SlotError::OutsideWindow {
                opens: self.window.opens,
                closes: self.window.closes,
                minutes: self.window.slot_minutes,
            })?;
        if busy.iter().any(|other| other.overlaps(&slot)) {
            return Err(SlotError::Overlap);
        }
        Ok(slot)
    }

    /// Minutes of service between `from` and `to`: only the window's hours on business days
    /// count, so a request filed on Friday evening has not waited over the weekend.
    pub fn service_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let first = from.with_timezone(&SERVICE_TIME_ZONE).date_naive();
        let last = to.with_timezone(&SERVICE_TIME_ZONE).date_naive();
        first
            .iter_days()
            .take_while(|date| *date <= last)
            .filter(|date| self.is_business_day(*date))
            .filter_map(|date| {
                let opens = Slot::local(date, self.window.opens, Duration::zero())?.start;
                let closes = Slot::local(date, self.window.closes, Duration::zero())?.start;
                let start = opens.max(from);
                let end = closes.min(to);
                (start < end).then(|| end - start)
            })
            // Whole minutes of the sum, not a sum of whole minutes: seconds past the minute
            // on both ends would otherwise lose one.
            .fold(Duration::zero(), |total, served| total + served)
            .num_minutes()
    }

    /// The moment `minutes` of service have passed since `from`: the inverse of
    /// [`ZoneCalendar::service_minutes_between`]. Looks at most a year ahead; a zone with no
    /// service in that year gets a moment a year away.
    pub fn after_service_minutes(&self, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut left = minutes;
        let first = from.with_timezone(&SERVICE_TIME_ZONE).date_naive();
        for date in first.iter_days().take(366) {
            if left <= 0 {
                break;
            }
            if !self.is_business_day(date) {
                continue;
            }
            let (Some(opens), Some(closes)) = (
                Slot::local(date, self.window.opens, Duration::zero()),
                Slot::local(date, self.window.closes, Duration::zero()),
            ) else {
                continue;
            };
            let start = opens.start.max(from);
            let served = (closes.start - start).num_minutes().max(0);
            if served >= left {
                return start + Duration::minutes(left);
            }
            left -= served;
        }
        if left <= 0 {
            from
        } else {
            from + Duration::days(366)
        }
    }

    /// The first business day on or after `from`, looking at most a year ahead (a zone whose
    /// every day is a holiday has none).
    pub fn next_business_day(&self, from: NaiveDate) -> Option<NaiveDate> {
        from.iter_days()
            .take(366)
            .find(|date| self.is_business_day(*date))
    }

    /// The service minutes of one full business day.
    pub fn day_minutes(&self) -> i64 {
        (self.window.closes - self.window.opens).num_minutes()
    }

    /// Slots from `from` for `days` calendar days that are in the future, within `horizon`,
    /// on business days, and accepted by `is_free` (which knows the clerks' agendas): the
    /// slots [`ZoneCalendar::check_slot`] would take.
    pub fn free_slots(
        &self,
        from: NaiveDate,
        days: u32,
        now: DateTime<Utc>,
        horizon: Horizon,
        is_free: impl Fn(&Slot) -> bool,
    ) -> Vec<Slot> {
        let last_day = horizon.last_day(now);
        from.iter_days()
            .take(days as usize)
            .take_while(|date| *date <= last_day)
            .filter(|date| self.is_business_day(*date))
            .flat_map(|date| self.window.slots_on(date))
            .filter(|slot| slot.start > now && is_free(slot))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::holidays::{ZoneHolidays, parse_csv};

    fn belem(datetime: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(datetime, "%Y-%m-%d %H:%M").unwrap();
        SERVICE_TIME_ZONE
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn holidays_of(municipalities: &[&str]) -> ZoneHolidays {
        let all = parse_csv(include_str!("../../config/holidays.csv")).unwrap();
        let municipalities: Vec<String> = municipalities.iter().map(|m| m.to_string()).collect();
        ZoneHolidays::for_zone(&all, &municipalities)
    }

    /// A moment well before every date used below.
    fn long_ago() -> DateTime<Utc> {
        belem("2026-01-01 00:00")
    }

    /// The longest horizon, so that only the other rules are at play.
    fn far() -> Horizon {
        Horizon::days(Horizon::MAX_DAYS).unwrap()
    }

    #[test]
    fn horizons_go_from_one_day_to_ten_years() {
        let cases = [
            ("none", 0, Err(HorizonError(0))),
            ("a day", 1, Ok(1)),
            ("a year", 365, Ok(365)),
            ("ten years", 3650, Ok(3650)),
            ("past ten years", 3651, Err(HorizonError(3651))),
            ("no bound at all", u32::MAX, Err(HorizonError(u32::MAX))),
        ];
        for (description, days, expected) in cases {
            assert_eq!(
                Horizon::days(days).map(Horizon::get),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn nothing_is_scheduled_or_offered_past_the_horizon() {
        let window = ServiceWindow::default();
        let holidays = holidays_of(&["Belém"]);
        let zone = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        let ten_days = Horizon::days(10).unwrap();
        // Wednesday 2 December 2026, 23:30 in Belém: already Thursday in UTC. The horizon
        // counts from Belém's day, so Saturday 12 December is its last day.
        let now = belem("2026-12-02 23:30");
        let error = SlotError::TooFarAhead {
            last_day: date("2026-12-12"),
            days: 10,
        };
        let too_far = Err(error.clone());
        let cases = [
            ("the next day", "2026-12-03 08:30", Ok(())),
            ("the last weekday inside", "2026-12-11 11:10", Ok(())),
            (
                "the Monday after the last day",
                "2026-12-14 08:30",
                too_far.clone(),
            ),
            (
                "the year 9999, a Wednesday",
                "9999-12-01 09:10",
                too_far.clone(),
            ),
        ];
        for (description, start, expected) in cases {
            let result = zone
                .check_slot(belem(start), now, ten_days, &[])
                .map(|_| ());
            assert_eq!(result, expected, "{description}");
        }
        assert_eq!(
            error.to_string(),
            "Data muito distante: os atendimentos podem ser marcados até 12/12/2026 (10 dias a partir de hoje)."
        );

        let days_offered = |from: &str, days: u32| {
            let mut days_offered: Vec<NaiveDate> = zone
                .free_slots(date(from), days, now, ten_days, |_| true)
                .iter()
                .map(|slot| slot.local_start().date_naive())
                .collect();
            days_offered.dedup();
            days_offered
        };
        assert_eq!(
            days_offered("2026-12-09", 14),
            [date("2026-12-09"), date("2026-12-10"), date("2026-12-11")],
            "nothing after Saturday 12 December"
        );
        assert_eq!(days_offered("9999-11-29", 14), []);
    }

    #[test]
    fn the_next_business_day_skips_weekends_holidays_and_the_recesso() {
        let window = ServiceWindow::default();
        let holidays = holidays_of(&["Belém"]);
        let calendar = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        let cases = [
            ("a Tuesday serves", "2026-12-01", "2026-12-01"),
            ("a Saturday waits for Monday", "2026-12-05", "2026-12-07"),
            ("Dia da Justiça waits a day", "2026-12-08", "2026-12-09"),
            (
                "the recesso waits for 7 January",
                "2026-12-22",
                "2027-01-07",
            ),
            ("New Year's Eve too", "2026-12-31", "2027-01-07"),
        ];
        for (description, from, expected) in cases {
            assert_eq!(
                calendar.next_business_day(date(from)),
                Some(date(expected)),
                "{description}"
            );
        }
    }

    #[test]
    fn belem_is_three_hours_behind_utc_all_year() {
        for local in ["2026-01-15 08:30", "2026-07-15 08:30", "2027-11-03 08:30"] {
            assert_eq!(belem(local).format("%H:%M").to_string(), "11:30", "{local}");
        }
    }

    #[test]
    fn default_window_has_nine_twenty_minute_slots() {
        let slots = ServiceWindow::default().slots_on(date("2026-12-02"));
        assert_eq!(slots.len(), 9);
        assert_eq!(slots[0].start, belem("2026-12-02 08:30"));
        assert_eq!(slots[8].start, belem("2026-12-02 11:10"));
        assert_eq!(slots[8].end, belem("2026-12-02 11:30"));
    }

    #[test]
    fn slot_checks() {
        let window = ServiceWindow::default();
        let belem_holidays = holidays_of(&["Belém"]);
        let santarem_holidays = holidays_of(&["Santarém", "Mojuí dos Campos"]);
        let belem_zone = ZoneCalendar {
            window: &window,
            holidays: &belem_holidays,
        };
        let santarem_zone = ZoneCalendar {
            window: &window,
            holidays: &santarem_holidays,
        };
        let outside = Err(SlotError::OutsideWindow {
            opens: window.opens(),
            closes: window.closes(),
            minutes: 20,
        });
        let holiday = |d: &str, name: &str| {
            Err(SlotError::Holiday {
                date: date(d),
                name: name.to_string(),
            })
        };
        let ok = |start: &str| {
            Ok(Slot {
                start: belem(start),
                end: belem(start) + Duration::minutes(20),
            })
        };

        let cases: Vec<(&str, &ZoneCalendar, &str, Result<Slot, SlotError>)> = vec![
            (
                "the window opens at 08:30",
                &belem_zone,
                "2026-12-02 08:30",
                ok("2026-12-02 08:30"),
            ),
            (
                "the last slot starts at 11:10",
                &belem_zone,
                "2026-12-02 11:10",
                ok("2026-12-02 11:10"),
            ),
            (
                "11:30 would end after the window",
                &belem_zone,
                "2026-12-02 11:30",
                outside.clone(),
            ),
            (
                "08:10 is before the window",
                &belem_zone,
                "2026-12-02 08:10",
                outside.clone(),
            ),
            (
                "08:40 is off the 20-minute grid",
                &belem_zone,
                "2026-12-02 08:40",
                outside.clone(),
            ),
            (
                "14:00 is in the afternoon",
                &belem_zone,
                "2026-12-02 14:00",
                outside.clone(),
            ),
            (
                "Saturday",
                &belem_zone,
                "2026-12-05 09:10",
                Err(SlotError::ClosedWeekday),
            ),
            (
                "Sunday",
                &belem_zone,
                "2026-12-06 09:10",
                Err(SlotError::ClosedWeekday),
            ),
            (
                "national holiday (Proclamação da República, a Monday)",
                &belem_zone,
                "2027-11-15 09:10",
                holiday("2027-11-15", "Proclamação da República"),
            ),
            (
                "court recess",
                &belem_zone,
                "2026-12-21 09:10",
                holiday("2026-12-21", "Recesso forense"),
            ),
            (
                "the day before a state holiday is open",
                &belem_zone,
                "2026-08-14 09:10",
                ok("2026-08-14 09:10"),
            ),
            (
                "Belém's anniversary closes Belém",
                &belem_zone,
                "2027-01-12 09:10",
                holiday("2027-01-12", "Aniversário de Belém"),
            ),
            (
                "Belém's anniversary does not close Santarém",
                &santarem_zone,
                "2027-01-12 09:10",
                ok("2027-01-12 09:10"),
            ),
        ];
        for (description, zone, start, expected) in cases {
            assert_eq!(
                zone.check_slot(belem(start), long_ago(), far(), &[]),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn state_holiday_closes_every_zone() {
        let window = ServiceWindow::default();
        let holidays = holidays_of(&["Altamira"]);
        let zone = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        // 15 August 2026 is a Saturday; the data also lists the state holiday for 2027
        // (a Sunday), so check the day itself rather than a slot.
        assert!(holidays.on(date("2026-08-15")).is_some());
        assert!(!zone.is_business_day(date("2026-08-15")));
    }

    #[test]
    fn slots_in_the_past_or_now_are_refused() {
        let window = ServiceWindow::default();
        let holidays = ZoneHolidays::default();
        let zone = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        let now = belem("2026-12-02 09:10");
        assert_eq!(
            zone.check_slot(belem("2026-12-02 08:50"), now, far(), &[]),
            Err(SlotError::InPast)
        );
        assert_eq!(
            zone.check_slot(belem("2026-12-02 09:10"), now, far(), &[]),
            Err(SlotError::InPast)
        );
        assert!(
            zone.check_slot(belem("2026-12-02 09:30"), now, far(), &[])
                .is_ok()
        );
    }

    #[test]
    fn a_clerk_cannot_hold_two_meetings_at_once() {
        let window = ServiceWindow::default();
        let holidays = ZoneHolidays::default();
        let zone = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        let other = Slot {
            start: belem("2026-12-02 09:00"),
            end: belem("2026-12-02 09:30"),
        };
        let cases = [
            ("ends before the other starts", "2026-12-02 08:30", Ok(())),
            (
                "ends inside the other meeting",
                "2026-12-02 08:50",
                Err(SlotError::Overlap),
            ),
            (
                "starts inside the other meeting",
                "2026-12-02 09:10",
                Err(SlotError::Overlap),
            ),
            ("starts when the other ends", "2026-12-02 09:30", Ok(())),
        ];
        for (description, start, expected) in cases {
            let result = zone
                .check_slot(belem(start), long_ago(), far(), &[other])
                .map(|_| ());
            assert_eq!(result, expected, "{description}");
        }
    }

    #[test]
    fn free_slots_skip_weekends_holidays_the_past_and_taken_slots() {
        let window = ServiceWindow::default();
        let holidays = holidays_of(&["Belém"]);
        let zone = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        let taken = Slot {
            start: belem("2026-12-18 09:10"),
            end: belem("2026-12-18 09:30"),
        };
        // Thursday 17 Dec 10:00: the rest of Thursday, Friday 18 Dec, then the recess
        // (20 Dec – 6 Jan) and a weekend leave nothing in the next four days.
        let now = belem("2026-12-17 10:00");
        let slots = zone.free_slots(date("2026-12-17"), 5, now, far(), |slot| {
            !slot.overlaps(&taken)
        });
        let starts: Vec<String> = slots
            .iter()
            .map(|s| s.local_start().format("%d %H:%M").to_string())
            .collect();
        assert_eq!(
            starts,
            [
                "17 10:10", "17 10:30", "17 10:50", "17 11:10", "18 08:30", "18 08:50", "18 09:30",
                "18 09:50", "18 10:10", "18 10:30", "18 10:50", "18 11:10",
            ]
        );
    }

    #[test]
    fn waiting_time_counts_service_hours_on_business_days_only() {
        let window = ServiceWindow::default();
        let holidays = holidays_of(&["Belém"]);
        let zone = ZoneCalendar {
            window: &window,
            holidays: &holidays,
        };
        let cases = [
            (
                "inside one morning",
                "2026-12-02 09:00",
                "2026-12-02 10:30",
                90,
            ),
            (
                "filed before opening",
                "2026-12-02 07:00",
                "2026-12-02 09:00",
                30,
            ),
            (
                "afternoon and evening count nothing",
                "2026-12-02 12:00",
                "2026-12-02 23:00",
                0,
            ),
            ("a whole day", "2026-12-02 08:30", "2026-12-03 08:30", 180),
            (
                "Friday evening to Monday 10:00",
                "2026-12-04 18:00",
                "2026-12-07 10:00",
                90,
            ),
            (
                "across the court recess",
                "2026-12-18 11:00",
                "2027-01-07 09:00",
                30 + 30,
            ),
            ("backwards", "2026-12-03 09:00", "2026-12-02 09:00", 0),
        ];
        for (description, from, to, minutes) in cases {
            assert_eq!(
                zone.service_minutes_between(belem(from), belem(to)),
                minutes,
                "{description}"
            );
        }
        assert_eq!(zone.day_minutes(), 180);
    }

    #[test]
    fn custom_windows_are_validated() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let all = Weekdays::MONDAY_TO_FRIDAY;
        let cases = [
            ("afternoon window", t(13, 0), t(17, 0), 30, Ok(())),
            (
                "closes before it opens",
                t(11, 0),
                t(8, 0),
                20,
                Err(WindowError::OpensAfterCloses),
            ),
            (
                "empty window",
                t(9, 0),
                t(9, 0),
                20,
                Err(WindowError::OpensAfterCloses),
            ),
            (
                "slot too short",
                t(8, 0),
                t(12, 0),
                4,
                Err(WindowError::SlotLength(4)),
            ),
            (
                "slot too long",
                t(8, 0),
                t(12, 0),
                241,
                Err(WindowError::SlotLength(241)),
            ),
            (
                "slot longer than the window",
                t(8, 0),
                t(8, 30),
                45,
                Err(WindowError::SlotDoesNotFit(45)),
            ),
        ];
        for (description, opens, closes, minutes, expected) in cases {
            assert_eq!(
                ServiceWindow::new(opens, closes, minutes, all).map(|_| ()),
                expected,
                "{description}"
            );
        }
        assert_eq!(
            Weekdays::from_iso([1, 3, 5]).unwrap().iso_numbers(),
            [1, 3, 5]
        );
        assert_eq!(Weekdays::from_iso([0]), Err(WindowError::Weekday(0)));
        assert_eq!(Weekdays::from_iso([8]), Err(WindowError::Weekday(8)));
        assert_eq!(Weekdays::from_iso([]), Err(WindowError::NoWeekday));
    }

    #[test]
    fn saturday_service_when_configured() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let window =
            ServiceWindow::new(t(9, 0), t(10, 0), 30, Weekdays::from_iso([6]).unwrap()).unwrap();
        assert_eq!(window.slots_on(date("2026-12-05")).len(), 2);
        assert!(window.slots_on(date("2026-12-07")).is_empty());
    }
}
