//! Accessibility needs a requester declares (CNJ Res. 401/2021): a Libras interpreter,
//! captions, a screen reader, or another need described in a short note. The clerk sees them
//! as badges, and the zone's notice and the meeting's calendar event carry them.

use super::text::{CharacterError, Lines, check_characters};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    /// A sign-language (Libras) interpreter.
    Libras,
    Legendas,
    LeitorTela,
    Outro,
}

impl Need {
    /// In the order the form lists them.
    pub const ALL: [Need; 4] = [Need::Libras, Need::Legendas, Need::LeitorTela, Need::Outro];

    /// The API's and the database's name.
    pub fn code(self) -> &'static str {
        match self {
            Need::Libras => "libras",
            Need::Legendas => "legendas",
            Need::LeitorTela => "leitor_tela",
            Need::Outro => "outro",
        }
    }

    pub fn from_code(code: &str) -> Option<Need> {
        Need::ALL
            .into_iter()
            .find(|need| need.code() == code.trim())
    }

    /// What the requester reads on the form.
    pub fn label(self) -> &'static str {
        match self {
            Need::Libras => "Intérprete de Libras",
            Need::Legendas => "Legendas na reunião",
            Need::LeitorTela => "Uso leitor de tela",
            Need::Outro => "Outra (descreva abaixo)",
        }
    }

    /// The staff's badge.
    pub fn badge(self) -> &'static str {
        match self {
            Need::Libras => "Libras",
            Need::Legendas => "Legendas",
            Need::LeitorTela => "Leitor de tela",
            Need::Outro => "Outra necessidade",
        }
    }
}

/// The needs declared, each once in the form's order, and the note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accessibility {
    needs: Vec<Need>,
    note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessibilityError {
    #[error("Escolha as necessidades de acessibilidade da lista.")]
    UnknownNeed,
    #[error("A descrição da necessidade deve ter no máximo {max} caracteres.", max = Accessibility::MAX_NOTE_CHARS)]
    NoteTooLong,
    #[error("{0}")]
    NoteCharacters(CharacterError),
    #[error("Descreva a outra necessidade de acessibilidade.")]
    OtherWithoutNote,
}

impl AccessibilityError {
    /// The field of the form or the API it is about.
    pub fn field(&self) -> &'static str {
        match self {
            AccessibilityError::UnknownNeed => "accessibility",
            AccessibilityError::NoteTooLong
            | AccessibilityError::NoteCharacters(_)
            | AccessibilityError::OtherWithoutNote => "accessibility_note",
        }
    }
}

impl Accessibility {
    pub const MAX_NOTE_CHARS: usize = 300;

    /// Codes as the API or the form sent them (blank ones ignored, repeats once) and the note.
    /// "outro" needs a note saying what; a note may also explain the listed needs.
    pub fn parse(
        codes: &[String],
        note: Option<&str>,
    ) -> Result<Accessibility, AccessibilityError> {
        let mut needs = Vec::new();
        for code in codes.iter().filter(|code| !code.trim().is_empty()) {
            let need = Need::from_code(code).ok_or(AccessibilityError::UnknownNeed)?;
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        needs.sort();
        let note = note.map(str::trim).filter(|note| !note.is_empty());
        if let Some(note) = note {
            if note.chars().nth(Self::MAX_NOTE_CHARS).is_some() {
                return Err(AccessibilityError::NoteTooLong);
            }
            check_characters(note, Lines::Many).map_err(AccessibilityError::NoteCharacters)?;
        }
        if needs.contains(&Need::Outro) && note.is_none() {
            return Err(AccessibilityError::OtherWithoutNote);
        }
        Ok(Accessibility {
            needs,
            note: note.map(str::to_string),
        })
    }

    /// As stored: codes separated by commas, unknown ones (from a newer version) left out.
    pub fn from_stored(codes: &str, note: Option<String>) -> Accessibility {
        let mut needs: Vec<Need> = codes.split(',').filter_map(Need::from_code).collect();
        needs.sort();
        needs.dedup();
        Accessibility { needs, note }
    }

    /// The codes, comma-separated, for the database.
    pub fn stored_codes(&self) -> String {
        self.codes().collect::<Vec<_>>().join(",")
    }

    pub fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.needs.iter().map(|need| need.code())
    }

    pub fn needs(&self) -> &[Need] {
        &self.needs
    }

    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    pub fn needs_libras(&self) -> bool {
        self.needs.contains(&Need::Libras)
    }

    pub fn is_empty(&self) -> bool {
        self.needs.is_empty() && self.note.is_none()
    }

    /// One line for a notice or a calendar event: "Libras, Legendas — usa aparelho auditivo".
    pub fn summary(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let needs = self
            .needs
            .iter()
            .map(|need| need.badge())
            .collect::<Vec<_>>()
            .join(", ");
        Some(match (&self.note, needs.is_empty()) {
            (Some(note), true) => note.replace('\n', " "),
            (Some(note), false) => format!("{needs} — {}", note.replace('\n', " ")),
            (None, _) => needs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|code| code.to_string()).collect()
    }

    #[test]
    fn needs_are_parsed_once_each_in_the_forms_order() {
        // The codes sent, the note, and the needs kept or the refusal.
        type Case<'a> = (
            &'a [&'a str],
            Option<&'a str>,
            Result<&'a [&'a str], AccessibilityError>,
        );
        let cases: [Case; 9] = [
            (&[], None, Ok(&[])),
            (&["", " "], None, Ok(&[])),
            (
                &["legendas", "libras", "libras"],
                None,
                Ok(&["libras", "legendas"]),
            ),
            (&["leitor_tela"], Some("  "), Ok(&["leitor_tela"])),
            (&["outro"], Some("Cadeira de rodas"), Ok(&["outro"])),
            (&["outro"], None, Err(AccessibilityError::OtherWithoutNote)),
            (&["braille"], None, Err(AccessibilityError::UnknownNeed)),
            (
                &["libras"],
                Some("a\u{200b}b"),
                Err(AccessibilityError::NoteCharacters(
                    CharacterError::Invisible,
                )),
            ),
            (&[], Some("Prefiro falar devagar"), Ok(&[])),
        ];
        for (given, note, expected) in cases {
            let parsed = Accessibility::parse(&codes(given), note);
            match (&parsed, expected) {
                (Ok(accessibility), Ok(expected)) => {
                    assert_eq!(
                        accessibility.codes().collect::<Vec<_>>(),
                        expected,
                        "{given:?}"
                    )
                }
                (Err(error), Err(expected)) => assert_eq!(error, &expected, "{given:?}"),
                _ => panic!("{given:?} {note:?}: {parsed:?}"),
            }
        }
        let long = "a".repeat(Accessibility::MAX_NOTE_CHARS + 1);
        assert_eq!(
            Accessibility::parse(&[], Some(&long)),
            Err(AccessibilityError::NoteTooLong)
        );
        assert_eq!(
            AccessibilityError::NoteTooLong.field(),
            "accessibility_note"
        );
        assert_eq!(AccessibilityError::UnknownNeed.field(), "accessibility");
    }

    #[test]
    fn needs_round_trip_through_the_database_and_read_as_one_line() {
        let needs = Accessibility::parse(
            &codes(&["libras", "legendas"]),
            Some("Usa aparelho\nauditivo"),
        )
        .unwrap();
        assert_eq!(needs.stored_codes(), "libras,legendas");
        assert!(needs.needs_libras());
        assert_eq!(
            Accessibility::from_stored(&needs.stored_codes(), needs.note().map(str::to_string)),
            needs
        );
        assert_eq!(
            needs.summary().as_deref(),
            Some("Libras, Legendas — Usa aparelho auditivo")
        );
        assert_eq!(Accessibility::default().summary(), None);
        assert_eq!(
            Accessibility::from_stored("libras,telepatia,", None)
                .codes()
                .collect::<Vec<_>>(),
            ["libras"],
            "a code this version does not know is left out"
        );
        for need in Need::ALL {
            assert_eq!(Need::from_code(need.code()), Some(need));
        }
    }
}
