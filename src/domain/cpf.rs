//! CPF, the Brazilian individual taxpayer number: the requester's identity in every request.

use std::fmt;

/// A CPF whose length, characters and both check digits are known good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpf(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CpfError {
    #[error("Informe o CPF.")]
    Empty,
    #[error("O CPF deve ter 11 dígitos.")]
    WrongLength,
    #[error("O CPF deve ter apenas números (pontos e hífen são aceitos).")]
    InvalidCharacters,
    #[error("CPF inválido: os dígitos não podem ser todos iguais.")]
    RepeatedDigits,
    #[error("CPF inválido: confira os dígitos.")]
    CheckDigits,
}

impl Cpf {
    pub fn parse(input: &str) -> Result<Self, CpfError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(CpfError::Empty);
        }
        if !input
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ' '))
        {
            return Err(CpfError::InvalidCharacters);
        }
        let digits: Vec<u8> = input
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            // One past the expected length is enough to refuse, whatever the input's size.
            .take(12)
            .collect();
        let Ok(digits) = <[u8; 11]>::try_from(digits) else {
            return Err(CpfError::WrongLength);
        };
        // Such numbers pass the mod-11 check yet are never issued; they are what people type
        // to get past a form.
        if digits.iter().all(|&d| d == digits[0]) {
            return Err(CpfError::RepeatedDigits);
        }
        if check_digit(&digits[..9]) != digits[9] || check_digit(&digits[..10]) != digits[10] {
            return Err(CpfError::CheckDigits);
        }
        Ok(Self(digits.iter().map(|d| char::from(b'0' + d)).collect()))
    }

    /// The 11 digits, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As people write it: `123.456.789-09`.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}.{}.{}-{}", &d[0..3], &d[3..6], &d[6..9], &d[9..11])
    }

    /// Enough to tell two requesters apart in staff lists and logs, without exposing the CPF.
    pub fn masked(&self) -> String {
        let d = &self.0;
        format!("***.{}.{}-**", &d[3..6], &d[6..9])
    }

    /// The two check digits, which the other nine decide: what an audit row may keep of a
    /// CPF, so a person reading the trail can tell lookups apart without learning the CPF.
    pub fn check_digits(&self) -> &str {
        &self.0[9..]
    }
}

/// Receita Federal's mod-11 rule: weights count down to 2 from `len + 1`.
fn check_digit(digits: &[u8]) -> u8 {
    let weighted: u32 = digits
        .iter()
        .rev()
        .zip(2u32..)
        .map(|(&d, weight)| u32::from(d) * weight)
        .sum();
    match (weighted * 10 % 11) as u8 {
        10 => 0,
        digit => digit,
    }
}

impl AsRef<str> for Cpf {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str, Result<&str, CpfError>)] = &[
        ("punctuated", "123.456.789-09", Ok("12345678909")),
        ("bare digits", "12345678909", Ok("12345678909")),
        (
            "surrounding whitespace",
            "  123.456.789-09\t\n",
            Ok("12345678909"),
        ),
        ("inner spaces", "123 456 789 09", Ok("12345678909")),
        ("only the hyphen", "123456789-09", Ok("12345678909")),
        (
            "first check digit from remainder 10",
            "390.533.447-05",
            Ok("39053344705"),
        ),
        (
            "second check digit from remainder 10",
            "987.654.321-00",
            Ok("98765432100"),
        ),
        ("other valid number", "529.982.247-25", Ok("52998224725")),
        ("leading zeros kept", "000.000.001-91", Ok("00000000191")),
        ("empty", "", Err(CpfError::Empty)),
        ("blank", "   \t ", Err(CpfError::Empty)),
        ("ten digits", "123.456.789-0", Err(CpfError::WrongLength)),
        (
            "twelve digits",
            "123.456.789-091",
            Err(CpfError::WrongLength),
        ),
        ("only punctuation", "...-", Err(CpfError::WrongLength)),
        (
            "letters",
            "123.456.789-0X",
            Err(CpfError::InvalidCharacters),
        ),
        ("slash", "123/456/789-09", Err(CpfError::InvalidCharacters)),
        (
            "unicode digits",
            "١٢٣٤٥٦٧٨٩٠٩",
            Err(CpfError::InvalidCharacters),
        ),
        (
            "en dash",
            "123.456.789–09",
            Err(CpfError::InvalidCharacters),
        ),
        (
            "markup",
            "<b>12345678909</b>",
            Err(CpfError::InvalidCharacters),
        ),
        ("all zeros", "000.000.000-00", Err(CpfError::RepeatedDigits)),
        ("all ones", "111.111.111-11", Err(CpfError::RepeatedDigits)),
        ("all nines", "99999999999", Err(CpfError::RepeatedDigits)),
        (
            "wrong first check digit",
            "123.456.789-19",
            Err(CpfError::CheckDigits),
        ),
        (
            "wrong second check digit",
            "123.456.789-08",
            Err(CpfError::CheckDigits),
        ),
        (
            "swapped digits",
            "213.456.789-09",
            Err(CpfError::CheckDigits),
        ),
    ];

    #[test]
    fn parse_follows_the_table() {
        for (description, input, expected) in CASES {
            let actual = Cpf::parse(input);
            assert_eq!(
                actual.as_ref().map(Cpf::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn every_valid_cpf_shows_formatted_and_masked() {
        let cases = [
            ("12345678909", "123.456.789-09", "***.456.789-**"),
            ("52998224725", "529.982.247-25", "***.982.247-**"),
        ];
        for (input, formatted, masked) in cases {
            let cpf = Cpf::parse(input).unwrap();
            assert_eq!(cpf.formatted(), formatted, "{input}");
            assert_eq!(cpf.masked(), masked, "{input}");
            assert_eq!(cpf.check_digits(), &input[9..], "{input}");
            assert_eq!(cpf.to_string(), input, "{input}");
        }
    }

    #[test]
    fn a_huge_input_is_refused_without_panicking() {
        assert_eq!(
            Cpf::parse(&"1".repeat(1_000_000)),
            Err(CpfError::WrongLength)
        );
        assert_eq!(
            Cpf::parse(&"😀".repeat(100_000)),
            Err(CpfError::InvalidCharacters)
        );
    }

    #[test]
    fn messages_are_in_portuguese() {
        assert_eq!(CpfError::Empty.to_string(), "Informe o CPF.");
        assert_eq!(
            CpfError::CheckDigits.to_string(),
            "CPF inválido: confira os dígitos."
        );
    }
}
