//! Days without service: which holidays exist, and which of them close a given zone.

use std::{collections::BTreeMap, ops::RangeInclusive};

use chrono::{Datelike, NaiveDate};

use super::text::{
    CharacterError, Lines, ShortTextError, check_characters, search_key, short_text,
};

/// Who a holiday applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidayScope {
    /// Every zone in the country.
    National,
    /// Every zone of the court's state (the court serves a single state).
    State { uf: String },
    /// The courts' own days off (recesso forense, Holy Week, …): every zone.
    Forense,
    /// Only zones that serve this municipality.
    Municipal { municipality: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown holiday scope {0:?}: expected nacional, forense, estadual-UF or municipal-Município"
)]
pub struct UnknownScope(pub String);

impl HolidayScope {
    /// Reads the `abrangencia` column of the holiday data (`nacional`, `forense`,
    /// `estadual-PA`, `municipal-Belem`).
    pub fn parse(s: &str) -> Result<Self, UnknownScope> {
        let s = s.trim();
        let scope = match s.split_once('-') {
            None if s == "nacional" => HolidayScope::National,
            None if s == "forense" => HolidayScope::Forense,
            Some(("estadual", uf)) if uf.len() == 2 => HolidayScope::State {
                uf: uf.to_ascii_uppercase(),
            },
            Some(("municipal", municipality)) if !municipality.trim().is_empty() => {
                HolidayScope::Municipal {
                    municipality: municipality.trim().to_string(),
                }
            }
            _ => return Err(UnknownScope(s.to_string())),
        };
        Ok(scope)
    }

    /// The inverse of [`HolidayScope::parse`].
    pub fn code(&self) -> String {
        match self {
            HolidayScope::National => "nacional".into(),
            HolidayScope::Forense => "forense".into(),
            HolidayScope::State { uf } => format!("estadual-{uf}"),
            HolidayScope::Municipal { municipality } => format!("municipal-{municipality}"),
        }
    }

    /// Whether a zone serving `municipalities` closes on this holiday.
    pub fn applies_to(&self, municipalities: &[String]) -> bool {
        match self {
            HolidayScope::National | HolidayScope::State { .. } | HolidayScope::Forense => true,
            HolidayScope::Municipal { municipality } => {
                let wanted = fold_name(municipality);
                municipalities.iter().any(|m| fold_name(m) == wanted)
            }
        }
    }
}

/// The court serves one state: a holiday of another state closes nothing here.
pub const COURT_STATE: &str = "PA";
/// The longest scope code the database keeps.
const SCOPE_MAX_CHARS: usize = 140;

/// A scope that is not one of this court's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CourtScopeError {
    #[error("Informe a abrangência: nacional, forense, estadual-PA ou municipal-<Município>.")]
    Empty,
    #[error(
        "Abrangência desconhecida: {0}. Use nacional, forense, estadual-PA ou municipal-<Município>."
    )]
    Unknown(String),
    #[error("O tribunal atende apenas o Pará: use estadual-PA.")]
    OtherState,
    /// A misspelt municipality would close no zone, silently.
    #[error("Nenhuma zona atende o município {0}: confira o nome.")]
    NotServed(String),
    #[error("A abrangência é longa demais.")]
    TooLong,
    /// Folding would match a name with a hidden character to a served municipality, and
    /// the scope would be kept with it.
    #[error(transparent)]
    Characters(CharacterError),
}

impl HolidayScope {
    /// A scope as an admin or the holidays file gives it, for this court: a known one, of
    /// the court's own state, of a municipality `served` by some zone, and short enough to
    /// keep.
    pub fn for_court(text: &str, served: impl Fn(&str) -> bool) -> Result<Self, CourtScopeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CourtScopeError::Empty);
        }
        check_characters(text, Lines::One).map_err(CourtScopeError::Characters)?;
        let scope =
            HolidayScope::parse(text).map_err(|_| CourtScopeError::Unknown(text.to_string()))?;
        match &scope {
            HolidayScope::State { uf } if uf != COURT_STATE => {
                return Err(CourtScopeError::OtherState);
            }
            HolidayScope::Municipal { municipality } if !served(municipality) => {
                return Err(CourtScopeError::NotServed(municipality.clone()));
            }
            _ => {}
        }
        if scope.code().chars().count() > SCOPE_MAX_CHARS {
            return Err(CourtScopeError::TooLong);
        }
        Ok(scope)
    }
}

pub const HOLIDAY_NAME_MAX_CHARS: usize = 200;
pub const HOLIDAY_NOTE_MAX_CHARS: usize = 1000;

/// A holiday's name, trimmed ("Círio de Nazaré").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HolidayNameError {
    #[error("Informe o nome do feriado.")]
    Empty,
    #[error("Use no máximo {HOLIDAY_NAME_MAX_CHARS} caracteres.")]
    TooLong,
    /// It is shown as the reason a day has no service: one line, nothing invisible.
    #[error(transparent)]
    Characters(CharacterError),
}

impl HolidayName {
    pub fn parse(input: &str) -> Result<Self, HolidayNameError> {
        match short_text(input, HOLIDAY_NAME_MAX_CHARS, Lines::One) {
            Ok(Some(name)) => Ok(HolidayName(name)),
            Ok(None) => Err(HolidayNameError::Empty),
            Err(ShortTextError::TooLong { .. }) => Err(HolidayNameError::TooLong),
            Err(ShortTextError::Characters(error)) => Err(HolidayNameError::Characters(error)),
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Where a holiday's date comes from (a law, a portaria), trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayNote(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HolidayNoteError {
    #[error("A observação deve ter no máximo {HOLIDAY_NOTE_MAX_CHARS} caracteres.")]
    TooLong,
    #[error(transparent)]
    Characters(CharacterError),
}

impl HolidayNote {
    /// A blank note is no note. It may have several lines (the admin page's field is a
    /// text area).
    pub fn parse(input: &str) -> Result<Option<Self>, HolidayNoteError> {
        let note =
            short_text(input, HOLIDAY_NOTE_MAX_CHARS, Lines::Many).map_err(
                |error| match error {
                    ShortTextError::TooLong { .. } => HolidayNoteError::TooLong,
                    ShortTextError::Characters(error) => HolidayNoteError::Characters(error),
                },
            )?;
        Ok(note.map(HolidayNote))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The years a holiday may fall in: a holiday list is kept a year or two ahead, and a date
/// outside these is a typo (9999 for 2026) that would otherwise stay listed for ever.
pub const HOLIDAY_YEARS: RangeInclusive<i32> = 2000..=2100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HolidayDateError {
    #[error("Informe a data do feriado (AAAA-MM-DD).")]
    Empty,
    #[error("Data inválida: use o formato AAAA-MM-DD.")]
    NotIso,
    #[error(
        "A data do feriado deve estar entre {} e {}.",
        HOLIDAY_YEARS.start(),
        HOLIDAY_YEARS.end()
    )]
    OutOfRange,
}

/// A holiday's date, as the file and the API write it: `YYYY-MM-DD`, in [`HOLIDAY_YEARS`].
pub fn holiday_date(input: &str) -> Result<NaiveDate, HolidayDateError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(HolidayDateError::Empty);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| HolidayDateError::NotIso)?;
    if !HOLIDAY_YEARS.contains(&date.year()) {
        return Err(HolidayDateError::OutOfRange);
    }
    Ok(date)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    pub scope: HolidayScope,
    /// Where the date comes from (the law, a portaria), for the admin who maintains the list.
    pub note: Option<String>,
}

/// The holidays that close one zone, looked up by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneHolidays {
    by_date: BTreeMap<NaiveDate, String>,
}

impl ZoneHolidays {
    pub fn for_zone<'a>(
        holidays: impl IntoIterator<Item = &'a Holiday>,
        municipalities: &[String],
    ) -> Self {
        let by_date = holidays
            .into_iter()
            .filter(|holiday| holiday.scope.applies_to(municipalities))
            .map(|holiday| (holiday.date, holiday.name.clone()))
            .collect();
        ZoneHolidays { by_date }
    }

    /// The holiday's name when the zone is closed on `date`.
    pub fn on(&self, date: NaiveDate) -> Option<&str> {
        self.by_date.get(&date).map(String::as_str)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HolidayDataError {
    #[error("holiday data, line {line}: {source}")]
    Csv { line: u64, source: csv::Error },
    #[error("holiday data, line {line}: invalid date {value:?} (expected YYYY-MM-DD)")]
    Date { line: u64, value: String },
    #[error(
        "holiday data, line {line}: the date {value} is not in the years {} to {}",
        HOLIDAY_YEARS.start(),
        HOLIDAY_YEARS.end()
    )]
    DateOutOfRange { line: u64, value: String },
    #[error("holiday data, line {line}: {source}")]
    Scope { line: u64, source: UnknownScope },
    #[error("holiday data, line {line}: the court serves {COURT_STATE} alone, not {code}")]
    OtherState { line: u64, code: String },
    #[error("holiday data, line {line}: the scope has more than {SCOPE_MAX_CHARS} characters")]
    LongScope { line: u64 },
    #[error("holiday data, line {line}: the name is empty")]
    EmptyName { line: u64 },
    #[error(
        "holiday data, line {line}: the name has more than {HOLIDAY_NAME_MAX_CHARS} characters"
    )]
    LongName { line: u64 },
    #[error(
        "holiday data, line {line}: the note has more than {HOLIDAY_NOTE_MAX_CHARS} characters"
    )]
    LongNote { line: u64 },
    #[error("holiday data, line {line}: the {field} {}", character_problem(.problem))]
    Characters {
        line: u64,
        /// `name`, `note` or `scope`.
        field: &'static str,
        problem: CharacterError,
    },
}

/// A problem of [`check_characters`] told to whoever maintains a data file, in English.
pub fn character_problem(problem: &CharacterError) -> &'static str {
    match problem {
        CharacterError::LineBreak => "must be one line",
        CharacterError::Invisible => {
            "has an invisible or control character (a bidirectional control, a zero-width \
             space, a soft hyphen, …)"
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct HolidayRow {
    data: String,
    nome: String,
    abrangencia: String,
    #[serde(default)]
    observacao: Option<String>,
}

/// Reads holiday data in the shipped CSV format (`data,nome,abrangencia,observacao`).
pub fn parse_csv(text: &str) -> Result<Vec<Holiday>, HolidayDataError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|source| HolidayDataError::Csv { line: 1, source })?
        .clone();
    let mut holidays = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| HolidayDataError::Csv {
            line: source.position().map_or(0, |p| p.line()),
            source,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let row: HolidayRow = record
            .deserialize(Some(&headers))
            .map_err(|source| HolidayDataError::Csv { line, source })?;
        let date = holiday_date(&row.data).map_err(|error| {
            let value = row.data.clone();
            match error {
                HolidayDateError::OutOfRange => HolidayDataError::DateOutOfRange { line, value },
                HolidayDateError::Empty | HolidayDateError::NotIso => {
                    HolidayDataError::Date { line, value }
                }
            }
        })?;
        // The file is loaded before the zones it could be checked against.
        let scope = HolidayScope::for_court(&row.abrangencia, |_| true).map_err(|error| {
            let code = row.abrangencia.trim().to_string();
            match error {
                CourtScopeError::OtherState => HolidayDataError::OtherState { line, code },
                CourtScopeError::TooLong => HolidayDataError::LongScope { line },
                CourtScopeError::Characters(problem) => HolidayDataError::Characters {
                    line,
                    field: "scope",
                    problem,
                },
                CourtScopeError::Empty
                | CourtScopeError::Unknown(_)
                | CourtScopeError::NotServed(_) => HolidayDataError::Scope {
                    line,
                    source: UnknownScope(code),
                },
            }
        })?;
        let name = HolidayName::parse(&row.nome)
            .map_err(|error| match error {
                HolidayNameError::Empty => HolidayDataError::EmptyName { line },
                HolidayNameError::TooLong => HolidayDataError::LongName { line },
                HolidayNameError::Characters(problem) => HolidayDataError::Characters {
                    line,
                    field: "name",
                    problem,
                },
            })?
            .into_string();
        let note = HolidayNote::parse(row.observacao.as_deref().unwrap_or_default())
            .map_err(|error| match error {
                HolidayNoteError::TooLong => HolidayDataError::LongNote { line },
                HolidayNoteError::Characters(problem) => HolidayDataError::Characters {
                    line,
                    field: "note",
                    problem,
                },
            })?
            .map(HolidayNote::into_string);
        holidays.push(Holiday {
            date,
            name,
            scope,
            note,
        });
    }
    Ok(holidays)
}

/// Compares municipality names the way people write them: "Belem", "Belém" and "BELÉM" are
/// the same place (the holiday data spells names without accents).
pub fn fold_name(name: &str) -> String {
    search_key(name)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn scopes_of_the_data_parse_and_round_trip() {
        let cases = [
            ("nacional", HolidayScope::National),
            ("forense", HolidayScope::Forense),
            ("estadual-PA", HolidayScope::State { uf: "PA".into() }),
            (
                "municipal-Belem",
                HolidayScope::Municipal {
                    municipality: "Belem".into(),
                },
            ),
        ];
        for (code, scope) in cases {
            assert_eq!(HolidayScope::parse(code), Ok(scope.clone()), "{code}");
            assert_eq!(scope.code(), code);
        }
    }

    #[test]
    fn unknown_scopes_are_refused() {
        for code in [
            "",
            "federal",
            "estadual-",
            "estadual-PARA",
            "municipal-",
            "municipal- ",
        ] {
            assert!(HolidayScope::parse(code).is_err(), "{code:?}");
        }
    }

    #[test]
    fn municipal_holiday_closes_only_zones_of_that_municipality() {
        let holidays = [
            Holiday {
                date: date("2027-01-12"),
                name: "Aniversário de Belém".into(),
                scope: HolidayScope::parse("municipal-Belem").unwrap(),
                note: None,
            },
            Holiday {
                date: date("2027-04-21"),
                name: "Tiradentes".into(),
                scope: HolidayScope::National,
                note: None,
            },
        ];
        let belem = ZoneHolidays::for_zone(&holidays, &["Belém".to_string()]);
        let santarem = ZoneHolidays::for_zone(&holidays, &["Santarém".to_string()]);

        assert_eq!(belem.on(date("2027-01-12")), Some("Aniversário de Belém"));
        assert_eq!(santarem.on(date("2027-01-12")), None);
        assert_eq!(santarem.on(date("2027-04-21")), Some("Tiradentes"));
        assert_eq!(belem.on(date("2027-04-22")), None);
    }

    #[test]
    fn shipped_data_parses_completely() {
        let holidays = parse_csv(include_str!("../../config/holidays.csv")).unwrap();
        assert_eq!(holidays.len(), 74);
        let christmas = holidays
            .iter()
            .find(|h| h.date == date("2026-12-25"))
            .unwrap();
        assert_eq!(christmas.scope, HolidayScope::National);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let text = "data,nome,abrangencia,observacao\n2026-01-01,Ano Novo,nacional,\n2026-13-01,X,nacional,\n";
        let error = parse_csv(text).unwrap_err().to_string();
        assert!(
            error.contains("line 3") && error.contains("2026-13-01"),
            "{error}"
        );
        let text = "data,nome,abrangencia,observacao\n2026-01-01,Ano Novo,galactico,\n";
        assert!(
            parse_csv(text)
                .unwrap_err()
                .to_string()
                .contains("galactico")
        );
    }

    #[test]
    fn scopes_are_this_courts() {
        let served = |name: &str| fold_name(name) == "belem";
        let long = format!("municipal-{}", "x".repeat(131));
        let cases = [
            ("national", "nacional", Ok("nacional")),
            ("the court's state", " estadual-PA ", Ok("estadual-PA")),
            (
                "a municipality served",
                "municipal-Belém",
                Ok("municipal-Belém"),
            ),
            ("blank", "  ", Err(CourtScopeError::Empty)),
            (
                "unknown",
                "mundial",
                Err(CourtScopeError::Unknown("mundial".into())),
            ),
            (
                "another state",
                "estadual-SP",
                Err(CourtScopeError::OtherState),
            ),
            (
                "a municipality no zone serves",
                "municipal-Atlântida",
                Err(CourtScopeError::NotServed("Atlântida".into())),
            ),
            (
                "a bidirectional control that folding would hide",
                "municipal-Belém\u{202E}",
                Err(CourtScopeError::Characters(CharacterError::Invisible)),
            ),
            (
                "a line break",
                "municipal-Belém\nX",
                Err(CourtScopeError::Characters(CharacterError::LineBreak)),
            ),
        ];
        for (description, text, expected) in cases {
            assert_eq!(
                HolidayScope::for_court(text, served).map(|scope| scope.code()),
                expected.map(str::to_string),
                "{description}"
            );
        }
        assert_eq!(
            HolidayScope::for_court(&long, |_| true),
            Err(CourtScopeError::TooLong),
            "a scope longer than the database keeps"
        );
    }

    #[test]
    fn holiday_names_notes_and_dates_follow_their_rules() {
        let names = [
            ("a name", " Círio ", Ok("Círio".to_string())),
            ("blank", "  ", Err(HolidayNameError::Empty)),
            (
                "201 characters",
                &"x".repeat(201),
                Err(HolidayNameError::TooLong),
            ),
            (
                "two lines",
                "Círio\nde Nazaré",
                Err(HolidayNameError::Characters(CharacterError::LineBreak)),
            ),
            (
                "a zero-width space",
                "Cí\u{200B}rio",
                Err(HolidayNameError::Characters(CharacterError::Invisible)),
            ),
        ];
        for (description, input, expected) in names {
            let parsed = HolidayName::parse(input).map(HolidayName::into_string);
            assert_eq!(parsed, expected, "name: {description}");
        }
        let notes = [
            ("a note", " Lei 1/2026 ", Ok(Some("Lei 1/2026".to_string()))),
            ("blank is none", "  ", Ok(None)),
            (
                "1001 characters",
                &"x".repeat(1001),
                Err(HolidayNoteError::TooLong),
            ),
            (
                "several lines, as the text area sends them",
                "Lei 1/2026\r\nart. 2",
                Ok(Some("Lei 1/2026\nart. 2".to_string())),
            ),
            (
                "a right-to-left override",
                "Lei \u{202E}6202/1",
                Err(HolidayNoteError::Characters(CharacterError::Invisible)),
            ),
        ];
        for (description, input, expected) in notes {
            let parsed = HolidayNote::parse(input).map(|note| note.map(HolidayNote::into_string));
            assert_eq!(parsed, expected, "note: {description}");
        }
        let dates = [
            ("ISO", " 2026-12-24 ", Ok(date("2026-12-24"))),
            ("blank", "", Err(HolidayDateError::Empty)),
            (
                "as people write it",
                "24/12/2026",
                Err(HolidayDateError::NotIso),
            ),
            ("no such day", "2026-02-30", Err(HolidayDateError::NotIso)),
            (
                "the first day allowed",
                "2000-01-01",
                Ok(date("2000-01-01")),
            ),
            ("the last day allowed", "2100-12-31", Ok(date("2100-12-31"))),
            (
                "the year 9999",
                "9999-12-25",
                Err(HolidayDateError::OutOfRange),
            ),
            (
                "before 2000",
                "1999-12-31",
                Err(HolidayDateError::OutOfRange),
            ),
            (
                "after 2100",
                "2101-01-01",
                Err(HolidayDateError::OutOfRange),
            ),
        ];
        for (description, input, expected) in dates {
            assert_eq!(holiday_date(input), expected, "date: {description}");
        }
    }

    #[test]
    fn the_file_holds_only_this_courts_holidays() {
        let header = "data,nome,abrangencia,observacao\n";
        let cases = [
            (
                "another state",
                "2026-01-01,X,estadual-SP,\n",
                "estadual-SP",
            ),
            ("a blank name", "2026-01-01, ,nacional,\n", "name is empty"),
            (
                "a long note",
                &format!("2026-01-01,X,nacional,{}\n", "x".repeat(1001)),
                "note has more than",
            ),
            (
                "the year 9999",
                "9999-12-25,Natal,nacional,\n",
                "9999-12-25 is not in the years 2000 to 2100",
            ),
            (
                "a name on two quoted lines",
                "2026-01-01,\"Ano\nNovo\",nacional,\n",
                "the name must be one line",
            ),
            (
                "a zero-width space in the note",
                "2026-01-01,Ano Novo,nacional,Lei\u{200B} 1\n",
                "the note has an invisible or control character",
            ),
        ];
        for (description, row, part) in cases {
            let error = parse_csv(&format!("{header}{row}"))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains(part) && error.contains("line 2"),
                "{description}: {error}"
            );
        }
    }

    #[test]
    fn names_fold_accents_case_and_punctuation() {
        assert_eq!(fold_name("Belém"), "belem");
        assert_eq!(fold_name("BELEM"), "belem");
        assert_eq!(fold_name("Pau D'Arco"), "paudarco");
        assert_eq!(fold_name("Santa Bárbara do Pará"), "santabarbaradopara");
    }
}
