//! Meeting times as the pages list them for a choice: grouped by day, in Belém, each with
//! the value a form sends back. The staff's slot picker, the requester's offered times and
//! the requester's reschedule step all show times this way.

use serde::Serialize;

use crate::domain::{
    dates::{local_date, local_time, long_date},
    schedule::Slot,
};

#[derive(Debug, Serialize)]
pub struct SlotDay {
    /// "quinta-feira, 3 de dezembro de 2026"
    pub day: String,
    pub slots: Vec<SlotChoice>,
}

#[derive(Debug, Serialize)]
pub struct SlotChoice {
    /// The start in RFC 3339, as the form sends it back.
    pub value: String,
    /// "09:10 às 09:30"
    pub label: String,
}

/// `slots`, in time order, by day.
pub fn by_day(slots: impl IntoIterator<Item = Slot>) -> Vec<SlotDay> {
    let mut days: Vec<SlotDay> = Vec::new();
    for slot in slots {
        let day = long_date(local_date(slot.start));
        let choice = SlotChoice {
            value: slot.start.to_rfc3339(),
            label: format!("{} às {}", local_time(slot.start), local_time(slot.end)),
        };
        match days.last_mut() {
            Some(last) if last.day == day => last.slots.push(choice),
            _ => days.push(SlotDay {
                day,
                slots: vec![choice],
            }),
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_one_day_share_it_in_belem() {
        let slot = |start: &str, end: &str| Slot {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        };
        let days = by_day([
            slot("2026-12-03T12:10:00Z", "2026-12-03T12:30:00Z"),
            slot("2026-12-03T12:30:00Z", "2026-12-03T12:50:00Z"),
            // 22:10 on the 3rd in Belém, though the 4th in UTC.
            slot("2026-12-04T01:10:00Z", "2026-12-04T01:30:00Z"),
            slot("2026-12-04T12:10:00Z", "2026-12-04T12:30:00Z"),
        ]);
        let shape: Vec<(&str, Vec<&str>)> = days
            .iter()
            .map(|day| {
                (
                    day.day.as_str(),
                    day.slots.iter().map(|s| s.label.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (
                    "quinta-feira, 3 de dezembro de 2026",
                    vec!["09:10 às 09:30", "09:30 às 09:50", "22:10 às 22:30"]
                ),
                ("sexta-feira, 4 de dezembro de 2026", vec!["09:10 às 09:30"]),
            ]
        );
        assert_eq!(days[0].slots[0].value, "2026-12-03T12:10:00+00:00");
    }
}
