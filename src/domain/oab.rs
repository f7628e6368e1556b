//! A lawyer's registration at the Ordem dos Advogados do Brasil, required when the requester
//! acts as a lawyer.

use std::fmt;

/// The 27 federative units; each has its own OAB section and numbering.
const STATES: [&str; 27] = [
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR",
    "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
];

/// Letters a section appends to a number: supplementary registration (A), transferred (B),
/// intern (E).
const SUFFIXES: [&str; 3] = ["A", "B", "E"];

/// A registration with a known state, a number of 1 to 6 digits and an optional suffix letter.
/// Stored as `PA 12345` or `PA 12345-A`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oab(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OabError {
    #[error("Informe o número da OAB.")]
    Empty,
    #[error("OAB inválida: use o formato PA 12345.")]
    InvalidFormat,
    #[error("Informe a UF da OAB (exemplo: PA 12345).")]
    MissingState,
    #[error("OAB inválida: a UF não existe.")]
    UnknownState,
    #[error("OAB inválida: o número tem de 1 a 6 dígitos.")]
    InvalidNumber,
    #[error("OAB inválida: a letra após o número só pode ser A, B ou E.")]
    InvalidSuffix,
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Letters(String),
    Digits(String),
}

impl Oab {
    pub fn parse(input: &str) -> Result<Self, OabError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(OabError::Empty);
        }
        let upper = input.to_ascii_uppercase();
        let upper = upper.strip_prefix("OAB").unwrap_or(&upper);
        // "OAB/PA nº 12.345" is how registrations are cited in petitions.
        let upper = ["N.º", "N.°", "Nº", "N°"]
            .iter()
            .fold(upper.to_owned(), |text, mark| text.replace(mark, " "));
        let tokens = tokenize(&upper)?;
        let (state, number, suffix) = match tokens.as_slice() {
            [Token::Digits(_)] => return Err(OabError::MissingState),
            [Token::Letters(state), Token::Digits(number)]
            | [Token::Digits(number), Token::Letters(state)] => (state, number, None),
            [
                Token::Letters(state),
                Token::Digits(number),
                Token::Letters(suffix),
            ] => (state, number, Some(suffix)),
            [
                Token::Digits(number),
                Token::Letters(first),
                Token::Letters(second),
            ] => {
                // `12345-A/PA` or `12345/PA-A`: the state is the two-letter one.
                if first.len() == 1 && second.len() != 1 {
                    (second, number, Some(first))
                } else {
                    (first, number, Some(second))
                }
            }
            _ => return Err(OabError::InvalidFormat),
        };
        if !STATES.contains(&state.as_str()) {
            return Err(OabError::UnknownState);
        }
        if number.is_empty() || number.len() > 6 {
            return Err(OabError::InvalidNumber);
        }
        // Some systems pad numbers to six digits; the registration is the same.
        let number = number.trim_start_matches('0');
        if number.is_empty() {
            return Err(OabError::InvalidNumber);
        }
        match suffix {
            None => Ok(Self(format!("{state} {number}"))),
            Some(suffix) if SUFFIXES.contains(&suffix.as_str()) => {
                Ok(Self(format!("{state} {number}-{suffix}")))
            }
            Some(_) => Err(OabError::InvalidSuffix),
        }
    }

    /// `PA 12345` or `PA 12345-A`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Splits into runs of letters and of digits; separators go, and a dot between digits is a
/// thousands separator (`12.345`).
fn tokenize(upper: &str) -> Result<Vec<Token>, OabError> {
    let mut tokens = Vec::new();
    let mut chars = upper.chars().peekable();
    while let Some(c) = chars.next() {
        let token = if c.is_ascii_uppercase() {
            let mut letters = String::from(c);
            while let Some(&next) = chars.peek().filter(|n| n.is_ascii_uppercase()) {
                letters.push(next);
                chars.next();
            }
            Token::Letters(letters)
        } else if c.is_ascii_digit() {
            let mut digits = String::from(c);
            loop {
                match chars.peek() {
                    Some(&next) if next.is_ascii_digit() => digits.push(next),
                    Some('.') => {
                        let mut after_dot = chars.clone();
                        after_dot.next();
                        if !after_dot.peek().is_some_and(char::is_ascii_digit) {
                            break;
                        }
                    }
                    _ => break,
                }
                chars.next();
            }
            Token::Digits(digits)
        } else if matches!(c, ' ' | '/' | '-' | ':' | '.') {
            continue;
        } else {
            return Err(OabError::InvalidFormat);
        };
        tokens.push(token);
        // No accepted form has more than three parts; stop before a huge input costs anything.
        if tokens.len() > 3 {
            return Err(OabError::InvalidFormat);
        }
    }
    Ok(tokens)
}

impl AsRef<str> for Oab {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Oab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str, Result<&str, OabError>)] = &[
        ("state then number", "PA 12345", Ok("PA 12345")),
        ("no space", "PA12345", Ok("PA 12345")),
        ("OAB/ prefix", "OAB/PA 12345", Ok("PA 12345")),
        (
            "OAB prefix and thousands dot",
            "OAB PA 12.345",
            Ok("PA 12345"),
        ),
        ("OAB- prefix", "OAB-PA 12345", Ok("PA 12345")),
        ("OAB glued", "OABPA12345", Ok("PA 12345")),
        ("number then state", "12.345/PA", Ok("PA 12345")),
        ("number slash state", "12345/PA", Ok("PA 12345")),
        ("number hyphen state", "12345-PA", Ok("PA 12345")),
        ("lowercase", "oab/pa 12.345", Ok("PA 12345")),
        ("mixed case", "Pa 12345", Ok("PA 12345")),
        ("trimmed", "  PA 12345 \n", Ok("PA 12345")),
        ("suffix after hyphen", "PA 12345-A", Ok("PA 12345-A")),
        ("suffix glued", "PA 12345B", Ok("PA 12345-B")),
        ("suffix before state", "12.345-E/PA", Ok("PA 12345-E")),
        ("suffix glued before state", "12345A/PA", Ok("PA 12345-A")),
        ("suffix after state", "12345/PA-A", Ok("PA 12345-A")),
        ("lowercase suffix", "pa 12345-e", Ok("PA 12345-E")),
        ("nº", "OAB/PA nº 12.345", Ok("PA 12345")),
        ("n°", "OAB/PA N° 12345", Ok("PA 12345")),
        ("n.º", "OAB/RN n.º 1234", Ok("RN 1234")),
        ("state ending in N", "RN 1234", Ok("RN 1234")),
        (
            "ordinal without N",
            "PA º 12345",
            Err(OabError::InvalidFormat),
        ),
        ("colon", "OAB/PA: 12345", Ok("PA 12345")),
        ("one digit", "PA 7", Ok("PA 7")),
        ("six digits", "SP 123.456", Ok("SP 123456")),
        ("leading zeros dropped", "PA 012345", Ok("PA 12345")),
        ("Distrito Federal", "DF 1234", Ok("DF 1234")),
        ("Tocantins", "1234/TO", Ok("TO 1234")),
        ("empty", "", Err(OabError::Empty)),
        ("blank", " \t", Err(OabError::Empty)),
        ("only the prefix", "OAB", Err(OabError::InvalidFormat)),
        ("number without state", "12345", Err(OabError::MissingState)),
        ("state without number", "PA", Err(OabError::InvalidFormat)),
        ("unknown state", "XX 12345", Err(OabError::UnknownState)),
        (
            "state name spelled out",
            "PARA 12345",
            Err(OabError::UnknownState),
        ),
        (
            "three-letter state",
            "PAR 12345",
            Err(OabError::UnknownState),
        ),
        ("seven digits", "PA 1234567", Err(OabError::InvalidNumber)),
        ("all zeros", "PA 000", Err(OabError::InvalidNumber)),
        ("zero", "0/PA", Err(OabError::InvalidNumber)),
        ("suffix C", "PA 12345-C", Err(OabError::InvalidSuffix)),
        (
            "two-letter suffix",
            "PA 12345-AB",
            Err(OabError::InvalidSuffix),
        ),
        ("two numbers", "PA 123 456", Err(OabError::InvalidFormat)),
        ("state twice", "PA 12345 PA", Err(OabError::InvalidSuffix)),
        (
            "too many parts",
            "PA 12345 A B",
            Err(OabError::InvalidFormat),
        ),
        ("markup", "<b>PA 12345</b>", Err(OabError::InvalidFormat)),
        ("accented letters", "PÁ 12345", Err(OabError::InvalidFormat)),
        ("comma", "PA 12,345", Err(OabError::InvalidFormat)),
        ("trailing dot", "PA 12345.", Ok("PA 12345")),
        ("SQL", "'; DROP TABLE x;--", Err(OabError::InvalidFormat)),
    ];

    #[test]
    fn parse_follows_the_table() {
        for (description, input, expected) in CASES {
            let actual = Oab::parse(input);
            assert_eq!(
                actual.as_ref().map(Oab::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn every_state_is_accepted() {
        for state in STATES {
            let expected = format!("{state} 1234");
            assert_eq!(
                Oab::parse(&format!("{} 1.234", state.to_lowercase())).map(|o| o.to_string()),
                Ok(expected),
                "{state}"
            );
        }
    }

    #[test]
    fn a_huge_input_is_refused_without_panicking() {
        assert_eq!(
            Oab::parse(&format!("PA {}", "1".repeat(1_000_000))),
            Err(OabError::InvalidNumber)
        );
        assert_eq!(
            Oab::parse(&"PA 1 ".repeat(100_000)),
            Err(OabError::InvalidFormat)
        );
    }
}
