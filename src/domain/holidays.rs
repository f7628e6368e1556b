//! Days without service: which holidays exist, and which of them close a given zone.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::text::search_key;

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
    #[error("holiday data, line {line}: {source}")]
    Scope { line: u64, source: UnknownScope },
    #[error("holiday data, line {line}: the name is empty")]
    EmptyName { line: u64 },
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
        let date = NaiveDate::parse_from_str(row.data.trim(), "%Y-%m-%d").map_err(|_| {
            HolidayDataError::Date {
                line,
                value: row.data.clone(),
            }
        })?;
        let scope = HolidayScope::parse(&row.abrangencia)
            .map_err(|source| HolidayDataError::Scope { line, source })?;
        let name = row.nome.trim().to_string();
        if name.is_empty() {
            return Err(HolidayDataError::EmptyName { line });
        }
        let note = row
            .observacao
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
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
    fn names_fold_accents_case_and_punctuation() {
        assert_eq!(fold_name("Belém"), "belem");
        assert_eq!(fold_name("BELEM"), "belem");
        assert_eq!(fold_name("Pau D'Arco"), "paudarco");
        assert_eq!(fold_name("Santa Bárbara do Pará"), "santabarbaradopara");
    }
}
