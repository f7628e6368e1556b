//! A court case number in the CNJ unified numbering, `NNNNNNN-DD.AAAA.J.TR.OOOO`
//! (Resolução CNJ 65/2008), which a requester may give so the clerk finds the case at once.

use std::fmt;

/// A case number whose layout, segment of the Judiciary, year and check digits are known good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProcessNumberError {
    #[error("Informe o número do processo.")]
    Empty,
    #[error("Número do processo inválido: use o formato NNNNNNN-DD.AAAA.J.TR.OOOO (20 dígitos).")]
    InvalidFormat,
    #[error("Número do processo inválido: o dígito do ramo da Justiça (J) vai de 1 a 9.")]
    InvalidJustice,
    #[error("Número do processo inválido: confira o ano.")]
    InvalidYear,
    #[error("Número do processo inválido: confira os dígitos.")]
    CheckDigits,
}

/// The segments of the number, each exactly as wide as the resolution says.
struct Segments<'a> {
    sequence: &'a str,
    check: &'a str,
    year: &'a str,
    justice: &'a str,
    court: &'a str,
    origin: &'a str,
}

impl ProcessNumber {
    pub fn parse(input: &str) -> Result<Self, ProcessNumberError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(ProcessNumberError::Empty);
        }
        if !input
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ' '))
        {
            return Err(ProcessNumberError::InvalidFormat);
        }
        let compact: String = input.chars().filter(|&c| c != ' ').collect();
        let padded;
        let segments = if compact.contains(['.', '-']) {
            padded = pad_sequence(&compact)?;
            split_punctuated(&padded)?
        } else {
            split_bare(&compact)?
        };
        segments.check()?;
        Ok(Self(format!(
            "{}-{}.{}.{}.{}.{}",
            segments.sequence,
            segments.check,
            segments.year,
            segments.justice,
            segments.court,
            segments.origin
        )))
    }

    /// The punctuated form, `NNNNNNN-DD.AAAA.J.TR.OOOO`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// People often drop the leading zeros of the sequence (`600123-45.2024.6.14.0001`); the
/// hyphen marks where it ends, so they can be restored safely.
fn pad_sequence(compact: &str) -> Result<String, ProcessNumberError> {
    let (sequence, rest) = compact
        .split_once('-')
        .ok_or(ProcessNumberError::InvalidFormat)?;
    if sequence.is_empty() || sequence.len() > 7 || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProcessNumberError::InvalidFormat);
    }
    Ok(format!("{sequence:0>7}-{rest}"))
}

fn split_punctuated(padded: &str) -> Result<Segments<'_>, ProcessNumberError> {
    let (sequence, rest) = padded
        .split_once('-')
        .ok_or(ProcessNumberError::InvalidFormat)?;
    let mut parts = rest.split('.');
    let mut next = |width: usize| {
        parts
            .next()
            .filter(|p| p.len() == width && p.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(ProcessNumberError::InvalidFormat)
    };
    let segments = Segments {
        sequence,
        check: next(2)?,
        year: next(4)?,
        justice: next(1)?,
        court: next(2)?,
        origin: next(4)?,
    };
    if parts.next().is_some() {
        return Err(ProcessNumberError::InvalidFormat);
    }
    Ok(segments)
}

fn split_bare(digits: &str) -> Result<Segments<'_>, ProcessNumberError> {
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProcessNumberError::InvalidFormat);
    }
    Ok(Segments {
        sequence: &digits[0..7],
        check: &digits[7..9],
        year: &digits[9..13],
        justice: &digits[13..14],
        court: &digits[14..16],
        origin: &digits[16..20],
    })
}

impl Segments<'_> {
    fn check(&self) -> Result<(), ProcessNumberError> {
        if self.justice == "0" {
            return Err(ProcessNumberError::InvalidJustice);
        }
        let year: u16 = self
            .year
            .parse()
            .map_err(|_| ProcessNumberError::InvalidYear)?;
        if !(1900..=2100).contains(&year) {
            return Err(ProcessNumberError::InvalidYear);
        }
        let base = format!(
            "{}{}{}{}{}",
            self.sequence, self.year, self.justice, self.court, self.origin
        );
        if self.check != format!("{:02}", check_digits(&base)?) {
            return Err(ProcessNumberError::CheckDigits);
        }
        Ok(())
    }
}

/// ISO 7064 mod 97-10 over `base` followed by `00`; digit by digit, so the 20-digit value
/// never has to fit in an integer.
fn check_digits(base: &str) -> Result<u32, ProcessNumberError> {
    let mut remainder = 0u32;
    for c in base.chars().chain("00".chars()) {
        let digit = c.to_digit(10).ok_or(ProcessNumberError::InvalidFormat)?;
        remainder = (remainder * 10 + digit) % 97;
    }
    Ok(98 - remainder)
}

impl AsRef<str> for ProcessNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProcessNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Check digits computed outside this code (Python, `98 - int(N+A+J+TR+O+"00") % 97`).
    const CASES: &[(&str, &str, Result<&str, ProcessNumberError>)] = &[
        (
            "electoral, Pará",
            "0600123-10.2024.6.14.0001",
            Ok("0600123-10.2024.6.14.0001"),
        ),
        (
            "bare 20 digits",
            "06001231020246140001",
            Ok("0600123-10.2024.6.14.0001"),
        ),
        (
            "surrounding whitespace",
            "  0600001-39.2026.6.14.0029 \n",
            Ok("0600001-39.2026.6.14.0029"),
        ),
        (
            "spaces around separators",
            "0600001 - 39 . 2026 . 6 . 14 . 0029",
            Ok("0600001-39.2026.6.14.0029"),
        ),
        (
            "leading zeros of the sequence omitted",
            "600123-10.2024.6.14.0001",
            Ok("0600123-10.2024.6.14.0001"),
        ),
        (
            "state court",
            "0000001-78.2020.8.26.0100",
            Ok("0000001-78.2020.8.26.0100"),
        ),
        (
            "federal court",
            "0001234-60.2025.4.01.3400",
            Ok("0001234-60.2025.4.01.3400"),
        ),
        (
            "year 1900, check digits 75",
            "1234567-75.1900.1.00.0000",
            Ok("1234567-75.1900.1.00.0000"),
        ),
        (
            "largest value, remainder 0 gives 98",
            "99999999821009999999",
            Ok("9999999-98.2100.9.99.9999"),
        ),
        ("empty", "", Err(ProcessNumberError::Empty)),
        ("blank", " \t", Err(ProcessNumberError::Empty)),
        (
            "19 digits",
            "0600123102024614000",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "21 digits",
            "060012310202461400011",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "letters",
            "0600123-10.2024.6.TR.0001",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "slash",
            "0600123/10.2024.6.14.0001",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "missing hyphen",
            "0600123.10.2024.6.14.0001",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "sequence of 8 digits",
            "00600123-10.2024.6.14.0001",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "missing origin",
            "0600123-10.2024.6.14",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "extra segment",
            "0600123-10.2024.6.14.0001.1",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "two-digit year",
            "0600123-10.24.6.14.0001",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "two hyphens",
            "0600-123-10.2024.6.14.0001",
            Err(ProcessNumberError::InvalidFormat),
        ),
        (
            "justice 0",
            "0600123-10.2024.0.14.0001",
            Err(ProcessNumberError::InvalidJustice),
        ),
        (
            "year 1899",
            "0600123-10.1899.6.14.0001",
            Err(ProcessNumberError::InvalidYear),
        ),
        (
            "year 2101",
            "0600123-10.2101.6.14.0001",
            Err(ProcessNumberError::InvalidYear),
        ),
        (
            "wrong check digits",
            "0600123-45.2024.6.14.0001",
            Err(ProcessNumberError::CheckDigits),
        ),
        (
            "check digits off by one",
            "0600123-11.2024.6.14.0001",
            Err(ProcessNumberError::CheckDigits),
        ),
        (
            "transposed sequence digits",
            "0601023-10.2024.6.14.0001",
            Err(ProcessNumberError::CheckDigits),
        ),
        (
            "another regional court",
            "0600123-10.2024.6.13.0001",
            Err(ProcessNumberError::CheckDigits),
        ),
    ];

    #[test]
    fn parse_follows_the_table() {
        for (description, input, expected) in CASES {
            let actual = ProcessNumber::parse(input);
            assert_eq!(
                actual.as_ref().map(ProcessNumber::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    /// The resolution's own test: the whole number, check digits moved to the end, leaves
    /// remainder 1 mod 97. Independent of `check_digits`, so it checks that function too.
    fn satisfies_cnj_check(canonical: &str) -> bool {
        let digits: String = canonical.chars().filter(char::is_ascii_digit).collect();
        let reordered = format!("{}{}{}", &digits[0..7], &digits[9..20], &digits[7..9]);
        reordered.parse::<u128>().unwrap() % 97 == 1
    }

    #[test]
    fn computed_check_digits_pass_the_cnj_verification() {
        // Every sequence of a Pará electoral zone's year, so the whole 2..=98 range occurs.
        for sequence in 600_000..600_300u32 {
            let base = format!("{sequence:07}202661400{:02}", sequence % 100);
            let dd = check_digits(&base).unwrap();
            let number = format!(
                "{}-{dd:02}.{}.{}.{}.{}",
                &base[0..7],
                &base[7..11],
                &base[11..12],
                &base[12..14],
                &base[14..18]
            );
            let parsed = ProcessNumber::parse(&number).unwrap();
            assert!(satisfies_cnj_check(parsed.as_str()), "{number}");
            let wrong = format!("{}-{:02}{}", &number[0..7], (dd + 1) % 100, &number[10..]);
            assert_eq!(
                ProcessNumber::parse(&wrong),
                Err(ProcessNumberError::CheckDigits),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_huge_input_is_refused_without_panicking() {
        assert_eq!(
            ProcessNumber::parse(&"1".repeat(1_000_000)),
            Err(ProcessNumberError::InvalidFormat)
        );
        assert_eq!(
            ProcessNumber::parse(&"1-".repeat(100_000)),
            Err(ProcessNumberError::InvalidFormat)
        );
    }
}
