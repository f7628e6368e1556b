//! A zone as admins and the shipped zones file describe it: its number, its name, the
//! municipalities it serves and its own service window. One rule for each, whoever gives the
//! value; the errors read in Portuguese, and a caller that speaks to someone else (the zones
//! file's operator) words them from the typed error.

use std::fmt;

use chrono::NaiveTime;

use super::{
    holidays::fold_name,
    schedule::{ServiceWindow, Weekdays, WindowError},
    text::{CharacterError, Lines, ShortTextError, check_characters, collapse_spaces, short_text},
};

/// The longest zone name, municipality name and seat (the database's columns).
pub const ZONE_TEXT_MAX_CHARS: usize = 120;
/// The longest calendar id the database keeps.
pub const CALENDAR_ID_MAX_CHARS: usize = 255;

/// A zone's seat ("Belém"), an optional one-line text: `None` when blank.
pub fn zone_seat(input: &str) -> Result<Option<String>, ShortTextError> {
    short_text(input, ZONE_TEXT_MAX_CHARS, Lines::One)
}

/// The id of a zone's own Google calendar, an optional one-line text: `None` when blank.
pub fn zone_calendar_id(input: &str) -> Result<Option<String>, ShortTextError> {
    short_text(input, CALENDAR_ID_MAX_CHARS, Lines::One)
}

/// A zone's number. Zone 0 of the court's own list is the Secretaria, not a unit of this
/// service, and the court has fewer than a thousand zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ZoneNumber(i32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ZoneNumberError {
    #[error("O número da zona deve estar entre 1 e 999.")]
    OutOfRange,
}

impl ZoneNumber {
    pub fn parse(number: i64) -> Result<Self, ZoneNumberError> {
        i32::try_from(number)
            .ok()
            .filter(|number| (1..=999).contains(number))
            .map(ZoneNumber)
            .ok_or(ZoneNumberError::OutOfRange)
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for ZoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A zone's name, trimmed ("1ª Zona Eleitoral").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ZoneNameError {
    #[error("Informe o nome da zona.")]
    Empty,
    #[error("Use no máximo {ZONE_TEXT_MAX_CHARS} caracteres.")]
    TooLong,
    /// It goes into e-mails' subjects and lines: one line, nothing invisible.
    #[error(transparent)]
    Characters(CharacterError),
}

impl ZoneName {
    pub fn parse(input: &str) -> Result<Self, ZoneNameError> {
        match short_text(input, ZONE_TEXT_MAX_CHARS, Lines::One) {
            Ok(Some(name)) => Ok(ZoneName(name)),
            Ok(None) => Err(ZoneNameError::Empty),
            Err(ShortTextError::TooLong { .. }) => Err(ZoneNameError::TooLong),
            Err(ShortTextError::Characters(error)) => Err(ZoneNameError::Characters(error)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The municipalities a zone serves, at least one. Each name has its whitespace collapsed,
/// and a name already listed (ignoring case and accents: "Belém" and "belem") is dropped,
/// so a municipal holiday finds the zone however either is spelt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipalities(Vec<String>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MunicipalitiesError {
    #[error("Informe pelo menos um município.")]
    Empty,
    #[error("Use no máximo {ZONE_TEXT_MAX_CHARS} caracteres por município.")]
    TooLong,
    #[error("Escreva o nome de cada município em uma só linha.")]
    MultipleLines,
    #[error(
        "O nome de um município contém caracteres invisíveis ou de controle; apague-os e digite de novo."
    )]
    InvisibleCharacters,
}

impl Municipalities {
    /// Blank names are left out; spaces and tabs inside a name are collapsed, a line break
    /// is refused (the panel's form gives one name per line, already split).
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, MunicipalitiesError> {
        let mut kept: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            let name = collapse_spaces(name.as_ref().trim());
            if name.chars().count() > ZONE_TEXT_MAX_CHARS {
                return Err(MunicipalitiesError::TooLong);
            }
            check_characters(&name, Lines::One).map_err(|error| match error {
                CharacterError::LineBreak => MunicipalitiesError::MultipleLines,
                CharacterError::Invisible => MunicipalitiesError::InvisibleCharacters,
            })?;
            let key = fold_name(&name);
            if !name.is_empty() && !kept.iter().any(|listed| fold_name(listed) == key) {
                kept.push(name);
            }
        }
        if kept.is_empty() {
            return Err(MunicipalitiesError::Empty);
        }
        Ok(Municipalities(kept))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// `HH:MM`, the way opening and closing times are written everywhere in the service.
pub fn hour_minute(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

/// The four parts of a zone's own service window as given; `None` is a part left empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowParts {
    /// `HH:MM`.
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub slot_minutes: Option<i64>,
    /// ISO numbers, 1 = Monday … 7 = Sunday.
    pub weekdays: Option<Vec<i64>>,
}

/// A part of the window, named as in the API, the forms and the zones file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowPart {
    Opens,
    Closes,
    SlotMinutes,
    Weekdays,
}

impl WindowPart {
    pub fn name(self) -> &'static str {
        match self {
            WindowPart::Opens => "opens",
            WindowPart::Closes => "closes",
            WindowPart::SlotMinutes => "slot_minutes",
            WindowPart::Weekdays => "weekdays",
        }
    }

    /// The part a rule of the whole window is about.
    fn of(error: &WindowError) -> WindowPart {
        match error {
            WindowError::OpensAfterCloses => WindowPart::Closes,
            WindowError::SlotLength(_) | WindowError::SlotDoesNotFit(_) => WindowPart::SlotMinutes,
            WindowError::Weekday(_) | WindowError::NoWeekday => WindowPart::Weekdays,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowPartError {
    #[error("Horário inválido: {0}. Use HH:MM, por exemplo 08:30.")]
    NotHourMinute(String),
    #[error("Dia da semana inválido: {0}. Use 1 (segunda-feira) a 7 (domingo).")]
    Weekday(i64),
    #[error(
        "O horário de atendimento vai junto: informe abertura, encerramento, duração dos atendimentos e dias da semana, ou deixe todos vazios."
    )]
    Missing,
    /// The parts, each good, do not make a window together (or a part breaks the window's
    /// own bounds).
    #[error("{}", window_message(.0))]
    Window(WindowError),
}

/// Every problem of a window, each with the part it is about; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowErrors(Vec<(WindowPart, WindowPartError)>);

impl WindowErrors {
    pub fn iter(&self) -> impl Iterator<Item = &(WindowPart, WindowPartError)> {
        self.0.iter()
    }
}

impl fmt::Display for WindowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems: Vec<String> = self
            .0
            .iter()
            .map(|(part, error)| format!("{}: {error}", part.name()))
            .collect();
        f.write_str(&problems.join(" "))
    }
}

impl std::error::Error for WindowErrors {}

impl WindowParts {
    /// The parts of a window already set, for a change that gives only some of them.
    pub fn of(window: &ServiceWindow) -> Self {
        WindowParts {
            opens: Some(window.opens().format("%H:%M").to_string()),
            closes: Some(window.closes().format("%H:%M").to_string()),
            slot_minutes: Some(i64::from(window.slot_minutes())),
            weekdays: Some(
                window
                    .weekdays()
                    .iso_numbers()
                    .into_iter()
                    .map(i64::from)
                    .collect(),
            ),
        }
    }

    /// A zone's own window: all four parts, valid together, or none of them (the configured
    /// default applies then). A window is never half set, because a half-set one would
    /// silently fall back to the default. Each part's own problems come first: only parts
    /// that read can be judged together.
    pub fn parse(&self) -> Result<Option<ServiceWindow>, WindowErrors> {
        let mut errors = Vec::new();
        let opens = self.opens.as_deref().map(time).transpose();
        let opens = kept(WindowPart::Opens, opens, &mut errors);
        let closes = self.closes.as_deref().map(time).transpose();
        let closes = kept(WindowPart::Closes, closes, &mut errors);
        let minutes = self.slot_minutes.map(slot_minutes).transpose();
        let minutes = kept(WindowPart::SlotMinutes, minutes, &mut errors);
        let weekdays = self.weekdays.as_deref().map(weekdays).transpose();
        let weekdays = kept(WindowPart::Weekdays, weekdays, &mut errors);
        if !errors.is_empty() {
            return Err(WindowErrors(errors));
        }
        match (opens, closes, minutes, weekdays) {
            (None, None, None, None) => Ok(None),
            (Some(opens), Some(closes), Some(minutes), Some(weekdays)) => {
                ServiceWindow::new(opens, closes, minutes, weekdays)
                    .map(Some)
                    .map_err(|error| {
                        WindowErrors(vec![(
                            WindowPart::of(&error),
                            WindowPartError::Window(error),
                        )])
                    })
            }
            (opens, closes, minutes, weekdays) => Err(WindowErrors(
                [
                    (WindowPart::Opens, opens.is_none()),
                    (WindowPart::Closes, closes.is_none()),
                    (WindowPart::SlotMinutes, minutes.is_none()),
                    (WindowPart::Weekdays, weekdays.is_none()),
                ]
                .into_iter()
                .filter(|(_, missing)| *missing)
                .map(|(part, _)| (part, WindowPartError::Missing))
                .collect(),
            )),
        }
    }
}

/// A part's value, or `None` with its problem recorded.
fn kept<T>(
    part: WindowPart,
    value: Result<Option<T>, WindowPartError>,
    errors: &mut Vec<(WindowPart, WindowPartError)>,
) -> Option<T> {
    value.unwrap_or_else(|error| {
        errors.push((part, error));
        None
    })
}

fn time(text: &str) -> Result<NaiveTime, WindowPartError> {
    hour_minute(text).ok_or_else(|| WindowPartError::NotHourMinute(text.to_string()))
}

/// Its bounds (5 to 240) are the window's to judge; a negative length is already wrong.
fn slot_minutes(minutes: i64) -> Result<u32, WindowPartError> {
    u32::try_from(minutes).map_err(|_| WindowPartError::Window(WindowError::SlotLength(0)))
}

fn weekdays(days: &[i64]) -> Result<Weekdays, WindowPartError> {
    let mut iso = Vec::with_capacity(days.len());
    for &day in days {
        match u32::try_from(day) {
            Ok(day) if (1..=7).contains(&day) => iso.push(day),
            _ => return Err(WindowPartError::Weekday(day)),
        }
    }
    Weekdays::from_iso(iso).map_err(WindowPartError::Window)
}

fn window_message(error: &WindowError) -> String {
    match error {
        WindowError::OpensAfterCloses => "O encerramento deve ser depois da abertura.".into(),
        WindowError::SlotLength(_) => {
            "A duração de cada atendimento deve ser de 5 a 240 minutos.".into()
        }
        WindowError::SlotDoesNotFit(minutes) => format!(
            "Um atendimento de {minutes} minutos não cabe entre a abertura e o encerramento."
        ),
        WindowError::Weekday(day) => WindowPartError::Weekday(i64::from(*day)).to_string(),
        WindowError::NoWeekday => "Informe pelo menos um dia da semana com atendimento.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_numbers_go_from_1_to_999() {
        let cases = [
            ("the first zone", 1, Ok(1)),
            ("the last possible zone", 999, Ok(999)),
            ("the Secretaria's zero", 0, Err(ZoneNumberError::OutOfRange)),
            ("a negative number", -3, Err(ZoneNumberError::OutOfRange)),
            ("a thousand", 1000, Err(ZoneNumberError::OutOfRange)),
            (
                "beyond 32 bits",
                i64::from(i32::MAX) + 2,
                Err(ZoneNumberError::OutOfRange),
            ),
        ];
        for (description, number, expected) in cases {
            assert_eq!(
                ZoneNumber::parse(number).map(ZoneNumber::get),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn zone_names_are_trimmed_and_bounded() {
        let long = "x".repeat(121);
        let cases = [
            ("a name", "1ª Zona Eleitoral", Ok("1ª Zona Eleitoral")),
            ("surrounding spaces", "  Zona 7 ", Ok("Zona 7")),
            ("120 characters", &long[1..], Ok(&long[1..])),
            ("blank", "   ", Err(ZoneNameError::Empty)),
            ("121 characters", &long, Err(ZoneNameError::TooLong)),
            (
                "a line that would go into every e-mail",
                "1ª Zona\r\nBcc: todos@example.com",
                Err(ZoneNameError::Characters(CharacterError::LineBreak)),
            ),
            (
                "a line separator",
                "1ª Zona\u{2028}Eleitoral",
                Err(ZoneNameError::Characters(CharacterError::LineBreak)),
            ),
            (
                "a right-to-left override",
                "1ª Zona \u{202E}larotielE",
                Err(ZoneNameError::Characters(CharacterError::Invisible)),
            ),
        ];
        for (description, input, expected) in cases {
            assert_eq!(
                ZoneName::parse(input).as_ref().map(ZoneName::as_str),
                expected.as_ref().map(|name| *name),
                "{description}"
            );
        }
    }

    #[test]
    fn municipalities_are_tidied_and_listed_once() {
        let long = "x".repeat(121);
        type Case<'a> = (
            &'a str,
            Vec<&'a str>,
            Result<Vec<&'a str>, MunicipalitiesError>,
        );
        let cases: [Case; 10] = [
            ("one", vec!["Belém"], Ok(vec!["Belém"])),
            (
                "spaces collapsed, blanks dropped",
                vec!["  Santa  Izabel do Pará ", "", " "],
                Ok(vec!["Santa Izabel do Pará"]),
            ),
            (
                "the same place in other spellings",
                vec!["Belém", " belem ", "BELÉM", "Ananindeua"],
                Ok(vec!["Belém", "Ananindeua"]),
            ),
            ("none", vec![], Err(MunicipalitiesError::Empty)),
            (
                "only blanks",
                vec!["", "  "],
                Err(MunicipalitiesError::Empty),
            ),
            (
                "a name too long",
                vec!["Belém", &long],
                Err(MunicipalitiesError::TooLong),
            ),
            (
                "a tab collapsed like a space",
                vec!["Santa\tIzabel do Pará"],
                Ok(vec!["Santa Izabel do Pará"]),
            ),
            (
                "two names on one line's place",
                vec!["Belém\nAnanindeua"],
                Err(MunicipalitiesError::MultipleLines),
            ),
            (
                "a next-line character",
                vec!["Belém\u{85}Ananindeua"],
                Err(MunicipalitiesError::MultipleLines),
            ),
            (
                "a zero-width space, which folding would have hidden",
                vec!["Be\u{200B}lém"],
                Err(MunicipalitiesError::InvisibleCharacters),
            ),
        ];
        for (description, names, expected) in cases {
            let parsed = Municipalities::parse(&names).map(|list| list.as_slice().to_vec());
            let expected = expected.map(|list| list.iter().map(|n| n.to_string()).collect());
            assert_eq!(parsed, expected, "{description}");
        }
    }

    fn parts(opens: &str, closes: &str, minutes: i64, days: &[i64]) -> WindowParts {
        WindowParts {
            opens: Some(opens.into()),
            closes: Some(closes.into()),
            slot_minutes: Some(minutes),
            weekdays: Some(days.to_vec()),
        }
    }

    #[test]
    fn a_window_is_whole_or_empty() {
        use WindowPartError::*;
        type Case<'a> = (
            &'a str,
            WindowParts,
            Result<Option<&'a str>, Vec<(&'a str, WindowPartError)>>,
        );
        let cases: Vec<Case> = vec![
            ("no part", WindowParts::default(), Ok(None)),
            (
                "all four",
                parts("13:00", "17:00", 30, &[1, 3, 5]),
                Ok(Some("13:00-17:00/30 [1, 3, 5]")),
            ),
            (
                "times with spaces",
                parts(" 08:00", "09:00 ", 20, &[1]),
                Ok(Some("08:00-09:00/20 [1]")),
            ),
            (
                "only the opening",
                WindowParts {
                    opens: Some("09:00".into()),
                    ..WindowParts::default()
                },
                Err(vec![
                    ("closes", Missing),
                    ("slot_minutes", Missing),
                    ("weekdays", Missing),
                ]),
            ),
            (
                "closing before opening",
                parts("11:00", "10:00", 20, &[1]),
                Err(vec![("closes", Window(WindowError::OpensAfterCloses))]),
            ),
            (
                "a slot longer than the window",
                parts("08:00", "09:00", 90, &[1]),
                Err(vec![(
                    "slot_minutes",
                    Window(WindowError::SlotDoesNotFit(90)),
                )]),
            ),
            (
                "a slot too short",
                parts("08:00", "09:00", 2, &[1]),
                Err(vec![("slot_minutes", Window(WindowError::SlotLength(2)))]),
            ),
            (
                "a bad time and an eighth weekday",
                parts("1pm", "17:00", 30, &[1, 8]),
                Err(vec![
                    ("opens", NotHourMinute("1pm".into())),
                    ("weekdays", Weekday(8)),
                ]),
            ),
            (
                "negative numbers, with a part missing",
                WindowParts {
                    slot_minutes: Some(-5),
                    weekdays: Some(vec![-1]),
                    ..WindowParts::default()
                },
                Err(vec![
                    ("slot_minutes", Window(WindowError::SlotLength(0))),
                    ("weekdays", Weekday(-1)),
                ]),
            ),
            (
                "no weekday",
                parts("08:00", "09:00", 30, &[]),
                Err(vec![("weekdays", Window(WindowError::NoWeekday))]),
            ),
        ];
        for (description, parts, expected) in cases {
            let parsed = parts.parse();
            let shown = parsed.as_ref().map(|window| {
                window.map(|w| {
                    format!(
                        "{}-{}/{} {:?}",
                        w.opens().format("%H:%M"),
                        w.closes().format("%H:%M"),
                        w.slot_minutes(),
                        w.weekdays().iso_numbers()
                    )
                })
            });
            let problems = parsed.as_ref().map_err(|errors| {
                errors
                    .iter()
                    .map(|(part, error)| (part.name(), error.clone()))
                    .collect::<Vec<_>>()
            });
            match (&expected, shown, problems) {
                (Ok(window), Ok(shown), _) => {
                    assert_eq!(shown.as_deref(), *window, "{description}")
                }
                (Err(expected), _, Err(problems)) => {
                    assert_eq!(&problems, expected, "{description}")
                }
                (_, shown, problems) => {
                    panic!("{description}: got {shown:?} / {problems:?}")
                }
            }
        }
    }

    #[test]
    fn a_window_gives_back_its_parts() {
        let window = parts("13:00", "17:00", 30, &[2, 4])
            .parse()
            .unwrap()
            .unwrap();
        assert_eq!(
            WindowParts::of(&window),
            parts("13:00", "17:00", 30, &[2, 4])
        );
    }

    #[test]
    fn window_problems_read_in_portuguese() {
        let cases = [
            (
                WindowPartError::NotHourMinute("1pm".into()),
                "Horário inválido: 1pm. Use HH:MM, por exemplo 08:30.",
            ),
            (
                WindowPartError::Window(WindowError::SlotDoesNotFit(90)),
                "Um atendimento de 90 minutos não cabe entre a abertura e o encerramento.",
            ),
            (
                WindowPartError::Window(WindowError::Weekday(8)),
                "Dia da semana inválido: 8. Use 1 (segunda-feira) a 7 (domingo).",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
