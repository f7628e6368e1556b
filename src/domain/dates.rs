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

/// A period given in days, as a person says it: "5 anos" when it is whole years of 365 days
/// (how retention periods are set and read), else "30 dias", "1.000 dias".
pub fn days_in_words(days: u32) -> String {
    let whole_years = days > 0 && days.is_multiple_of(365);
    match (days, whole_years) {
        (365, true) => "1 ano".to_string(),
        (_, true) => format!("{} anos", grouped(days / 365)),
        (1, false) => "1 dia".to_string(),
        _ => format!("{} dias", grouped(days)),
    }
}

/// "1.825": thousands separated by dots, the Brazilian way.
fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_in_years_when_they_divide() {
        for (days, words) in [
            (0, "0 dias"),
            (1, "1 dia"),
            (30, "30 dias"),
            (364, "364 dias"),
            (365, "1 ano"),
            (366, "366 dias"),
            (730, "2 anos"),
            (1000, "1.000 dias"),
            (1825, "5 anos"),
            (1826, "1.826 dias"),
            (3650, "10 anos"),
            (365 * 1000, "1.000 anos"),
            (u32::MAX, "4.294.967.295 dias"),
        ] {
            assert_eq!(days_in_words(days), words, "{days}");
        }
    }

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
