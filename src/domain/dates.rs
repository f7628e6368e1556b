//! Dates and times written the Brazilian way, for people to read.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use super::schedule::SERVICE_TIME_ZONE;

const MONTHS: [&str; 12] = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
];

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "segunda-feira",
        Weekday::Tue => "terça-feira",
        Weekday::Wed => "quarta-feira",
        Weekday::Thu => "quinta-feira",
        Weekday::Fri => "sexta-feira",
        Weekday::Sat => "sábado",
        Weekday::Sun => "domingo",
    }
}

/// "quinta-feira, 3 de dezembro de 2026"
pub fn long_date(date: NaiveDate) -> String {
    let month = MONTHS[date.month0() as usize];
    format!(
        "{}, {} de {month} de {}",
        weekday_name(date.weekday()),
        date.day(),
        date.year()
    )
}

/// "03/12/2026"
pub fn short_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The local date of an instant, in the service time zone.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&SERVICE_TIME_ZONE).date_naive()
}

/// The instant a local date begins, in the service time zone: where a day's or a period's
/// records start.
pub fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    SERVICE_TIME_ZONE
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || date.and_time(NaiveTime::MIN).and_utc(),
            |local| local.with_timezone(&Utc),
        )
}

/// "09:10", in the service time zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&SERVICE_TIME_ZONE)
        .format("%H:%M")
        .to_string()
}

/// "03/12/2026 às 09:10", in the service time zone.
pub fn moment(at: DateTime<Utc>) -> String {
    format!("{} às {}", short_date(local_date(at)), local_time(at))
}

/// "quinta-feira, 3 de dezembro de 2026, às 09:10", in the service time zone.
pub fn long_moment(at: DateTime<Utc>) -> String {
    format!("{}, às {}", long_date(local_date(at)), local_time(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_the_brazilian_way_in_belem() {
        // 01:10 UTC on the 4th is still the 3rd in Belém.
        let at: DateTime<Utc> = "2026-12-04T01:10:00Z".parse().unwrap();
        assert_eq!(moment(at), "03/12/2026 às 22:10");
        assert_eq!(
            long_moment(at),
            "quinta-feira, 3 de dezembro de 2026, às 22:10"
        );
    }

    #[test]
    fn dates_read_the_brazilian_way() {
        let cases = [
            (
                "2026-12-03",
                "quinta-feira, 3 de dezembro de 2026",
                "03/12/2026",
            ),
            (
                "2027-03-01",
                "segunda-feira, 1 de março de 2027",
                "01/03/2027",
            ),
            ("2026-08-15", "sábado, 15 de agosto de 2026", "15/08/2026"),
        ];
        for (iso, long, short) in cases {
            let date: NaiveDate = iso.parse().unwrap();
            assert_eq!(long_date(date), long, "{iso}");
            assert_eq!(short_date(date), short, "{iso}");
        }
    }

    #[test]
    fn times_are_shown_in_belem() {
        let at: DateTime<Utc> = "2026-12-04T02:30:00Z".parse().unwrap();
        assert_eq!(local_time(at), "23:30");
        assert_eq!(
            local_date(at).to_string(),
            "2026-12-03",
            "still the 3rd in Belém"
        );
    }
}
