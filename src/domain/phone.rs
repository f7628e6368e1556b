//! A Brazilian telephone number, for the clerk to call when the meeting link fails.

use std::fmt;

/// Area codes (DDD) in use, per Anatel's national numbering plan.
const AREA_CODES: &[u8] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43,
    44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77,
    79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
];

/// A number with a valid DDD and a subscriber part that is a landline (8 digits starting
/// 2–5) or a mobile (9 digits starting 9). Stored in E.164, `+5591987654321`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Informe o telefone.")]
    Empty,
    #[error("O telefone deve ter apenas números (espaços, parênteses e hífen são aceitos).")]
    InvalidCharacters,
    #[error("Informe um telefone do Brasil (+55).")]
    ForeignCountry,
    #[error("Informe o telefone com DDD: 10 dígitos para fixo ou 11 para celular.")]
    WrongLength,
    #[error("DDD inválido: confira o código de área.")]
    InvalidAreaCode,
    #[error(
        "Telefone inválido: celular tem 9 dígitos começando por 9; fixo tem 8 dígitos começando por 2 a 5."
    )]
    InvalidSubscriber,
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (international, rest) = match input.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')'))
        {
            return Err(PhoneError::InvalidCharacters);
        }
        // Longer than any accepted form plus one, so a huge input costs nothing to refuse.
        let digits: String = rest.chars().filter(char::is_ascii_digit).take(15).collect();
        let national = national_part(&digits, international)?;
        let area: u8 = national[..2]
            .parse()
            .map_err(|_| PhoneError::InvalidAreaCode)?;
        if !AREA_CODES.contains(&area) {
            return Err(PhoneError::InvalidAreaCode);
        }
        let landline_or_mobile = matches!(
            (national.len(), national.as_bytes()[2]),
            (10, b'2'..=b'5') | (11, b'9')
        );
        if !landline_or_mobile {
            return Err(PhoneError::InvalidSubscriber);
        }
        Ok(Self(format!("+55{national}")))
    }

    /// E.164: `+55`, the DDD and the subscriber number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As people write it: `(91) 98765-4321` or `(91) 3222-1234`.
    pub fn formatted(&self) -> String {
        let national = &self.0[3..];
        let split = national.len() - 4;
        format!(
            "({}) {}-{}",
            &national[..2],
            &national[2..split],
            &national[split..]
        )
    }
}

/// DDD and subscriber digits, with the country code (`+55`, `55`) or the trunk prefix (`0`)
/// removed; stripping only when what is left has the length of a national number means a
/// DDD of 55 (Rio Grande do Sul) is never mistaken for the country code.
fn national_part(digits: &str, international: bool) -> Result<&str, PhoneError> {
    let national = if international {
        digits
            .strip_prefix("55")
            .ok_or(PhoneError::ForeignCountry)?
    } else {
        let without_trunk = digits.strip_prefix('0').unwrap_or(digits);
        match without_trunk.strip_prefix("55") {
            Some(rest) if matches!(rest.len(), 10 | 11) => rest,
            _ => without_trunk,
        }
    };
    if matches!(national.len(), 10 | 11) {
        Ok(national)
    } else {
        Err(PhoneError::WrongLength)
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str, Result<&str, PhoneError>)] = &[
        (
            "international mobile",
            "+55 (91) 98765-4321",
            Ok("+5591987654321"),
        ),
        ("landline", "(91) 3222-1234", Ok("+559132221234")),
        ("bare mobile", "91987654321", Ok("+5591987654321")),
        ("bare landline", "9132221234", Ok("+559132221234")),
        ("trunk prefix", "0 91 98765-4321", Ok("+5591987654321")),
        (
            "trunk prefix, landline",
            "(091) 3222-1234",
            Ok("+559132221234"),
        ),
        (
            "country code without plus",
            "55 91 98765 4321",
            Ok("+5591987654321"),
        ),
        (
            "trunk and country code",
            "055 91 3222-1234",
            Ok("+559132221234"),
        ),
        ("dots", "91.98765.4321", Ok("+5591987654321")),
        ("trimmed", "\t(91) 98765-4321  ", Ok("+5591987654321")),
        (
            "space after plus",
            "+ 55 91 98765 4321",
            Ok("+5591987654321"),
        ),
        (
            "DDD 55 is not the country code",
            "(55) 99123-4567",
            Ok("+5555991234567"),
        ),
        ("DDD 55 landline", "55 3222-1234", Ok("+555532221234")),
        (
            "DDD 55 with country code",
            "+55 55 99123-4567",
            Ok("+5555991234567"),
        ),
        ("São Paulo", "(11) 2345-6789", Ok("+551123456789")),
        ("landline starting 5", "(99) 5123-4567", Ok("+559951234567")),
        ("empty", "", Err(PhoneError::Empty)),
        ("blank", "   ", Err(PhoneError::Empty)),
        (
            "letters",
            "(91) 98765-43ab",
            Err(PhoneError::InvalidCharacters),
        ),
        (
            "plus in the middle",
            "91+987654321",
            Err(PhoneError::InvalidCharacters),
        ),
        (
            "two pluses",
            "++55 91 98765 4321",
            Err(PhoneError::InvalidCharacters),
        ),
        ("slash", "91/98765-4321", Err(PhoneError::InvalidCharacters)),
        (
            "extension",
            "(91) 3222-1234 ramal 5",
            Err(PhoneError::InvalidCharacters),
        ),
        (
            "foreign country",
            "+1 415 555 2671",
            Err(PhoneError::ForeignCountry),
        ),
        (
            "Portugal",
            "+351 912 345 678",
            Err(PhoneError::ForeignCountry),
        ),
        ("no DDD", "98765-4321", Err(PhoneError::WrongLength)),
        ("too long", "91 98765-43210", Err(PhoneError::WrongLength)),
        ("only punctuation", "()--", Err(PhoneError::WrongLength)),
        (
            "+55 with no DDD",
            "+55 98765-4321",
            Err(PhoneError::WrongLength),
        ),
        (
            "DDD 20 does not exist",
            "(20) 98765-4321",
            Err(PhoneError::InvalidAreaCode),
        ),
        (
            "DDD 23 does not exist",
            "(23) 3222-1234",
            Err(PhoneError::InvalidAreaCode),
        ),
        (
            "DDD 10 does not exist",
            "(10) 98765-4321",
            Err(PhoneError::InvalidAreaCode),
        ),
        (
            "DDD 90 does not exist",
            "(90) 98765-4321",
            Err(PhoneError::InvalidAreaCode),
        ),
        (
            "mobile without the 9",
            "(91) 8765-4321",
            Err(PhoneError::InvalidSubscriber),
        ),
        (
            "landline starting 1",
            "(91) 1222-1234",
            Err(PhoneError::InvalidSubscriber),
        ),
        (
            "eleven digits not starting 9",
            "(91) 88765-4321",
            Err(PhoneError::InvalidSubscriber),
        ),
    ];

    #[test]
    fn parse_follows_the_table() {
        for (description, input, expected) in CASES {
            let actual = Phone::parse(input);
            assert_eq!(
                actual.as_ref().map(Phone::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn every_listed_area_code_is_accepted_and_no_other() {
        for area in 0..100u8 {
            let parsed = Phone::parse(&format!("{area:02}987654321"));
            assert_eq!(parsed.is_ok(), AREA_CODES.contains(&area), "DDD {area:02}");
        }
    }

    #[test]
    fn formatted_is_the_way_people_write_it() {
        let cases = [
            ("mobile", "+55 (91) 98765-4321", "(91) 98765-4321"),
            ("landline", "9132221234", "(91) 3222-1234"),
        ];
        for (description, input, formatted) in cases {
            assert_eq!(
                Phone::parse(input).unwrap().formatted(),
                formatted,
                "{description}"
            );
        }
    }

    #[test]
    fn a_huge_input_is_refused_without_panicking() {
        assert_eq!(
            Phone::parse(&"9".repeat(1_000_000)),
            Err(PhoneError::WrongLength)
        );
    }
}
