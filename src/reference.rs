//! Reference data shipped with the service: the zones (`config/zones.toml`) and the holidays
//! (`config/holidays.csv`). Parsed here without I/O; `store` writes them.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::domain::{
    email::Email,
    holidays::{self, Holiday, character_problem},
    meet_link::MeetLink,
    schedule::{ServiceWindow, Weekdays},
    text::{CharacterError, ShortTextError},
    zone::{
        Municipalities, MunicipalitiesError, WindowErrors, WindowPartError, WindowParts,
        ZONE_TEXT_MAX_CHARS, ZoneName, ZoneNameError, ZoneNumber, zone_calendar_id, zone_seat,
    },
};

/// The shipped files, compiled in so that a binary copied elsewhere still starts with data.
pub const SHIPPED_ZONES: &str = include_str!("../config/zones.toml");
pub const SHIPPED_HOLIDAYS: &str = include_str!("../config/holidays.csv");

/// One zone as the zones file describes it. Optional keys left out of the file keep the
/// value already stored, so a re-import does not undo what an admin changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSpec {
    pub number: ZoneNumber,
    pub name: ZoneName,
    pub seat: Option<String>,
    pub municipalities: Municipalities,
    pub notification_email: Option<Email>,
    pub calendar_id: Option<String>,
    pub room_link: Option<MeetLink>,
    pub window: Option<ServiceWindow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ZoneDataError {
    #[error("zones file: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("zones file, zone {number}: {message}")]
    Invalid { number: i64, message: String },
    #[error("zones file: zone {0} appears twice")]
    Duplicate(ZoneNumber),
    #[error("zones file: no [[zone]] entries")]
    Empty,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZonesFile {
    #[serde(default)]
    zone: Vec<ZoneEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneEntry {
    number: i64,
    name: String,
    seat: Option<String>,
    municipalities: Vec<String>,
    notification_email: Option<String>,
    calendar_id: Option<String>,
    room_link: Option<String>,
    opens: Option<String>,
    closes: Option<String>,
    slot_minutes: Option<i64>,
    weekdays: Option<Vec<i64>>,
}

/// Reads a zones file. `allowed_link_hosts` bounds the fixed room links, as for clerks' links.
pub fn parse_zones(
    text: &str,
    allowed_link_hosts: &[String],
) -> Result<Vec<ZoneSpec>, ZoneDataError> {
    let file: ZonesFile = toml::from_str(text)?;
    if file.zone.is_empty() {
        return Err(ZoneDataError::Empty);
    }
    let mut seen = BTreeSet::new();
    let mut zones = Vec::with_capacity(file.zone.len());
    for entry in file.zone {
        let zone = entry.into_spec(allowed_link_hosts)?;
        if !seen.insert(zone.number) {
            return Err(ZoneDataError::Duplicate(zone.number));
        }
        zones.push(zone);
    }
    Ok(zones)
}

/// The file is read by operators: its problems are told in English, from the same rules
/// the admin pages apply.
impl ZoneEntry {
    fn into_spec(self, allowed_link_hosts: &[String]) -> Result<ZoneSpec, ZoneDataError> {
        let number = self.number;
        let invalid = |message: String| ZoneDataError::Invalid { number, message };
        let window_parts = self.window_parts();
        let number = ZoneNumber::parse(number)
            .map_err(|_| invalid("the number must be between 1 and 999".into()))?;
        let name = ZoneName::parse(&self.name).map_err(|error| match error {
            ZoneNameError::Empty | ZoneNameError::TooLong => invalid(format!(
                "the name must have 1 to {ZONE_TEXT_MAX_CHARS} characters"
            )),
            ZoneNameError::Characters(problem) => {
                invalid(format!("the name {}", character_problem(&problem)))
            }
        })?;
        let municipalities =
            Municipalities::parse(&self.municipalities).map_err(|error| match error {
                MunicipalitiesError::Empty => invalid("at least one municipality is needed".into()),
                MunicipalitiesError::TooLong => invalid(format!(
                    "a municipality's name must have at most {ZONE_TEXT_MAX_CHARS} characters"
                )),
                MunicipalitiesError::MultipleLines => invalid(format!(
                    "a municipality's name {}",
                    character_problem(&CharacterError::LineBreak)
                )),
                MunicipalitiesError::InvisibleCharacters => invalid(format!(
                    "a municipality's name {}",
                    character_problem(&CharacterError::Invisible)
                )),
            })?;
        let seat = one_line_setting("seat", self.seat, zone_seat).map_err(invalid)?;
        let calendar_id =
            one_line_setting("calendar_id", self.calendar_id, zone_calendar_id).map_err(invalid)?;
        let notification_email = blank_to_none(self.notification_email)
            .map(|e| {
                Email::parse(&e).map_err(|error| invalid(format!("notification_email: {error}")))
            })
            .transpose()?;
        let room_link = blank_to_none(self.room_link)
            .map(|link| {
                MeetLink::parse(&link, allowed_link_hosts)
                    .map_err(|error| invalid(format!("room_link: {error}")))
            })
            .transpose()?;
        let window = window_parts
            .parse()
            .map_err(|errors| invalid(window_problems(&errors)))?;
        Ok(ZoneSpec {
            number,
            name,
            seat,
            municipalities,
            notification_email,
            calendar_id,
            room_link,
            window,
        })
    }

    /// The file may leave `weekdays` out of a window: Monday to Friday, then.
    fn window_parts(&self) -> WindowParts {
        let some_part =
            self.opens.is_some() || self.closes.is_some() || self.slot_minutes.is_some();
        let weekdays = self.weekdays.clone().or_else(|| {
            some_part.then(|| {
                Weekdays::MONDAY_TO_FRIDAY
                    .iso_numbers()
                    .into_iter()
                    .map(i64::from)
                    .collect()
            })
        });
        WindowParts {
            opens: self.opens.clone(),
            closes: self.closes.clone(),
            slot_minutes: self.slot_minutes,
            weekdays,
        }
    }
}

fn window_problems(errors: &WindowErrors) -> String {
    let problems: Vec<String> = errors
        .iter()
        .map(|(part, error)| match error {
            WindowPartError::NotHourMinute(text) => {
                format!("{}: {text:?} is not HH:MM", part.name())
            }
            WindowPartError::Weekday(day) => {
                format!("weekdays: {day} is not an ISO weekday (1 = Monday … 7 = Sunday)")
            }
            WindowPartError::Missing => format!(
                "{}: a service window needs opens, closes and slot_minutes together",
                part.name()
            ),
            WindowPartError::Window(error) => error.to_string(),
        })
        .collect();
    problems.join("; ")
}

/// An optional one-line setting of the file through its domain rule, its problem in English.
fn one_line_setting(
    key: &str,
    value: Option<String>,
    parse: fn(&str) -> Result<Option<String>, ShortTextError>,
) -> Result<Option<String>, String> {
    let Some(value) = value else {
        return Ok(None);
    };
    parse(&value).map_err(|error| match error {
        ShortTextError::TooLong { max } => format!("{key} must have at most {max} characters"),
        ShortTextError::Characters(problem) => format!("{key} {}", character_problem(&problem)),
    })
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Reads a holidays file in the shipped CSV format.
pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, holidays::HolidayDataError> {
    holidays::parse_csv(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec!["meet.google.com".into()]
    }

    #[test]
    fn shipped_zones_cover_para_without_the_secretaria() {
        let zones = parse_zones(SHIPPED_ZONES, &hosts()).unwrap();
        assert_eq!(zones.len(), 101);
        assert!(zones.iter().all(|z| z.number.get() >= 1));
        let belem: Vec<i32> = zones
            .iter()
            .filter(|z| z.municipalities.as_slice().iter().any(|m| m == "Belém"))
            .map(|z| z.number.get())
            .collect();
        assert_eq!(belem, [1, 28, 29, 30, 73, 76, 95, 96, 97, 98]);
        let zone_2 = zones.iter().find(|z| z.number.get() == 2).unwrap();
        assert_eq!(zone_2.seat, None, "the source does not know zone 2's seat");
        assert_eq!(
            zone_2.municipalities.as_slice(),
            ["Cachoeira do Arari", "Santa Cruz do Arari"]
        );
    }

    #[test]
    fn every_municipality_leads_to_a_zone() {
        let zones = parse_zones(SHIPPED_ZONES, &hosts()).unwrap();
        let municipalities: BTreeSet<&str> = zones
            .iter()
            .flat_map(|z| z.municipalities.as_slice().iter().map(String::as_str))
            .collect();
        // Pará has 144 municipalities.
        assert_eq!(municipalities.len(), 144);
    }

    #[test]
    fn optional_keys_are_validated() {
        let zone = |extra: &str| {
            format!(
                "[[zone]]\nnumber = 7\nname = \"7ª Zona\"\nmunicipalities = [\"Abaetetuba\"]\n{extra}"
            )
        };
        let cases: &[(&str, String, Option<&str>)] = &[
            ("plain zone", zone(""), None),
            (
                "own window",
                zone("opens = \"13:00\"\ncloses = \"17:00\"\nslot_minutes = 30\n"),
                None,
            ),
            (
                "half a window",
                zone("opens = \"13:00\"\n"),
                Some("together"),
            ),
            (
                "bad time",
                zone("opens = \"1pm\"\ncloses = \"17:00\"\nslot_minutes = 30\n"),
                Some("opens"),
            ),
            (
                "bad e-mail",
                zone("notification_email = \"cartorio\"\n"),
                Some("notification_email"),
            ),
            (
                "room on another host",
                zone("room_link = \"https://zoom.us/j/1\"\n"),
                Some("room_link"),
            ),
            ("unknown key", zone("fax = \"1\"\n"), Some("fax")),
            (
                "a name on two lines",
                zone("").replace("\"7ª Zona\"", "\"7ª Zona\\r\\nBcc: x\""),
                Some("the name must be one line"),
            ),
            (
                "a municipality with a right-to-left override",
                zone("").replace("Abaetetuba", "Abaete\\u202Etuba"),
                Some("a municipality's name has an invisible or control character"),
            ),
            (
                "a seat on two lines",
                zone("seat = \"Abaetetuba\\nPA\"\n"),
                Some("seat must be one line"),
            ),
            (
                "a calendar id with a zero-width space",
                zone("calendar_id = \"zona07\\u200B@group.calendar.google.com\"\n"),
                Some("calendar_id has an invisible or control character"),
            ),
            (
                "zone 0",
                zone("").replace("number = 7", "number = 0"),
                Some("between 1 and 999"),
            ),
            (
                "no municipality",
                zone("").replace("[\"Abaetetuba\"]", "[]"),
                Some("municipality"),
            ),
            (
                "twice",
                format!("{}\n{}", zone(""), zone("")),
                Some("twice"),
            ),
            ("empty file", String::new(), Some("no [[zone]]")),
        ];
        for (description, text, expected_error) in cases {
            let result = parse_zones(text, &hosts());
            match expected_error {
                None => assert!(result.is_ok(), "{description}: {result:?}"),
                Some(part) => {
                    let error = result.unwrap_err().to_string();
                    assert!(error.contains(part), "{description}: {error}");
                }
            }
        }
    }
}
