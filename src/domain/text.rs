//! Free text a member of the public types: their name, the subject and the description of the
//! request, and the role they act in. Staff read all of it in web pages and e-mails, so markup
//! and invisible characters are refused here rather than trusted to every later escape.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A person's name, in any script, with whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("Informe o nome.")]
    Empty,
    #[error("O nome deve ter no máximo 120 caracteres.")]
    TooLong,
    #[error("O nome só pode ter letras, espaços, apóstrofo, hífen e ponto.")]
    InvalidCharacters,
    #[error("Informe o nome com pelo menos 2 letras.")]
    TooFewLetters,
}

impl PersonName {
    const MAX_CHARS: usize = 120;

    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        // Composed form, so "José" typed with a combining accent equals the precomposed one.
        let name = input
            .nfc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return Err(PersonNameError::Empty);
        }
        if name.chars().nth(Self::MAX_CHARS).is_some() {
            return Err(PersonNameError::TooLong);
        }
        let allowed = |c: char| {
            c.is_alphabetic()
                || matches!(c, ' ' | '\'' | '’' | '-' | '.')
                // Some letter-accent pairs have no precomposed form.
                || is_combining_mark(c)
        };
        if !name.chars().all(allowed) {
            return Err(PersonNameError::InvalidCharacters);
        }
        if name.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            return Err(PersonNameError::TooFewLetters);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form staff search by: lower case and without accents, so "joao" and "JOÃO"
    /// both find "João".
    pub fn search_key(&self) -> String {
        search_key(&self.0)
    }
}

/// A one-line subject for the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    #[error("Informe o assunto.")]
    Empty,
    #[error("O assunto deve ter pelo menos 3 caracteres.")]
    TooShort,
    #[error("O assunto deve ter no máximo 150 caracteres.")]
    TooLong,
    #[error("O assunto deve ter uma só linha.")]
    MultipleLines,
    #[error("O assunto contém caracteres não permitidos; apague-os e digite de novo.")]
    ControlCharacters,
    #[error("O assunto não pode conter código HTML (por exemplo, <b>).")]
    Markup,
}

impl Subject {
    const MIN_CHARS: usize = 3;
    const MAX_CHARS: usize = 150;

    pub fn parse(input: &str) -> Result<Self, SubjectError> {
        let composed: String = input.nfc().collect();
        let subject = composed.trim();
        if subject.is_empty() {
            return Err(SubjectError::Empty);
        }
        if subject.chars().nth(Self::MAX_CHARS).is_some() {
            return Err(SubjectError::TooLong);
        }
        if subject.chars().any(is_line_break) {
            return Err(SubjectError::MultipleLines);
        }
        if subject.chars().any(char::is_control) {
            return Err(SubjectError::ControlCharacters);
        }
        if has_markup(subject) {
            return Err(SubjectError::Markup);
        }
        if subject.chars().count() < Self::MIN_CHARS {
            return Err(SubjectError::TooShort);
        }
        Ok(Self(subject.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the requester needs, in their words; may span several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    #[error("Informe a descrição do pedido.")]
    Empty,
    #[error("A descrição deve ter pelo menos 10 caracteres.")]
    TooShort,
    #[error("A descrição deve ter no máximo 2000 caracteres.")]
    TooLong,
    #[error("A descrição contém caracteres não permitidos; apague-os e digite de novo.")]
    ControlCharacters,
    #[error("A descrição não pode conter código HTML (por exemplo, <b>).")]
    Markup,
}

impl Description {
    const MIN_CHARS: usize = 10;
    const MAX_CHARS: usize = 2000;

    pub fn parse(input: &str) -> Result<Self, DescriptionError> {
        // Browsers send CRLF from a textarea; one convention keeps the count honest.
        let composed: String = input.nfc().collect();
        let unified = composed.replace("\r\n", "\n").replace('\r', "\n");
        let description = unified.trim();
        if description.is_empty() {
            return Err(DescriptionError::Empty);
        }
        if description.chars().nth(Self::MAX_CHARS).is_some() {
            return Err(DescriptionError::TooLong);
        }
        if description
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err(DescriptionError::ControlCharacters);
        }
        if has_markup(description) {
            return Err(DescriptionError::Markup);
        }
        if description.chars().count() < Self::MIN_CHARS {
            return Err(DescriptionError::TooShort);
        }
        Ok(Self(description.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A `<` that opens a tag, closing tag, comment or doctype; `a < b` and `<3` stay allowed.
fn has_markup(text: &str) -> bool {
    text.chars()
        .zip(text.chars().skip(1))
        .any(|(c, next)| c == '<' && (next.is_alphabetic() || matches!(next, '/' | '!')))
}

/// In what capacity the requester asks for the meeting; a lawyer must give an OAB number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequesterRole {
    Parte,
    Advogado,
    Interessado,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequesterRoleError {
    #[error("Informe se você é parte, advogado(a) ou interessado(a).")]
    Empty,
    #[error("Escolha entre parte, advogado(a) ou interessado(a).")]
    Unknown,
}

impl RequesterRole {
    /// In the order a form lists them.
    pub const ALL: [RequesterRole; 3] = [Self::Parte, Self::Advogado, Self::Interessado];

    pub fn parse(input: &str) -> Result<Self, RequesterRoleError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(RequesterRoleError::Empty);
        }
        Self::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(input))
            .ok_or(RequesterRoleError::Unknown)
    }

    /// The API's name: `parte`, `advogado` or `interessado`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Parte => "parte",
            Self::Advogado => "advogado",
            Self::Interessado => "interessado",
        }
    }

    /// For people: "Parte", "Advogado(a)", "Interessado(a)".
    pub fn label(&self) -> &'static str {
        match self {
            Self::Parte => "Parte",
            Self::Advogado => "Advogado(a)",
            Self::Interessado => "Interessado(a)",
        }
    }
}

macro_rules! impl_text_traits {
    ($($name:ty),*) => {$(
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

impl_text_traits!(PersonName, Subject, Description, RequesterRole);

/// Past the length a short text may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

/// One short text staff type (a zone's name, a holiday's note), trimmed: `None` when blank.
pub fn trimmed_within(input: &str, max_chars: usize) -> Result<Option<&str>, TooLong> {
    let text = input.trim();
    if text.chars().count() > max_chars {
        return Err(TooLong);
    }
    Ok(Some(text).filter(|text| !text.is_empty()))
}

/// `text` lower-cased with its accents taken off, for searches that ignore both.
pub fn search_key(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_trimmed_and_bounded() {
        let cases = [
            ("trimmed", " Pará ", Ok(Some("Pará"))),
            ("blank", " \t ", Ok(None)),
            ("at the limit, accents as one", "ação", Ok(Some("ação"))),
            ("past the limit", "ações", Err(TooLong)),
        ];
        for (description, input, expected) in cases {
            assert_eq!(trimmed_within(input, 4), expected, "{description}");
        }
    }

    #[test]
    fn search_keys_ignore_case_and_accents() {
        let cases = [
            ("plain", "Maria Souza", "maria souza"),
            ("accents and cedilla", "JOÃO Conceição", "joao conceicao"),
            ("combining accent", "Jose\u{301}", "jose"),
            (
                "other scripts keep their letters",
                "Ørjan Łukasz",
                "ørjan łukasz",
            ),
            ("punctuation stays", "D'Ávila-Sá", "d'avila-sa"),
        ];
        for (description, text, key) in cases {
            assert_eq!(search_key(text), key, "{description}");
        }
    }

    const NAME_CASES: &[(&str, &str, Result<&str, PersonNameError>)] = &[
        ("simple", "Maria Souza", Ok("Maria Souza")),
        ("accents", "João Conceição", Ok("João Conceição")),
        (
            "decomposed accent composed",
            "Jose\u{301} Ara\u{fa}jo",
            Ok("José Araújo"),
        ),
        ("apostrophe", "Joana D'Arc", Ok("Joana D'Arc")),
        ("typographic apostrophe", "Ana D’Ávila", Ok("Ana D’Ávila")),
        ("hyphen", "Ana-Clara Lima", Ok("Ana-Clara Lima")),
        ("period", "J. R. Silva Jr.", Ok("J. R. Silva Jr.")),
        (
            "whitespace collapsed",
            "  Maria \t  Souza\n ",
            Ok("Maria Souza"),
        ),
        (
            "no-break space collapsed",
            "Maria\u{a0}Souza",
            Ok("Maria Souza"),
        ),
        ("other script", "Алексей Иванов", Ok("Алексей Иванов")),
        ("CJK", "山田太郎", Ok("山田太郎")),
        ("indigenous name", "Raoni Metuktire", Ok("Raoni Metuktire")),
        ("two letters", "Li", Ok("Li")),
        ("empty", "", Err(PersonNameError::Empty)),
        ("blank", " \n\t ", Err(PersonNameError::Empty)),
        ("one letter", "A", Err(PersonNameError::TooFewLetters)),
        (
            "punctuation only",
            ".-'",
            Err(PersonNameError::TooFewLetters),
        ),
        (
            "one letter and punctuation",
            "A.",
            Err(PersonNameError::TooFewLetters),
        ),
        ("digits", "Maria 2", Err(PersonNameError::InvalidCharacters)),
        (
            "markup",
            "<script>",
            Err(PersonNameError::InvalidCharacters),
        ),
        (
            "SQL",
            "'; DROP TABLE x;--",
            Err(PersonNameError::InvalidCharacters),
        ),
        (
            "at sign",
            "maria@example.com",
            Err(PersonNameError::InvalidCharacters),
        ),
        ("emoji", "Maria 😀", Err(PersonNameError::InvalidCharacters)),
        (
            "zero-width space",
            "Ma\u{200B}ria",
            Err(PersonNameError::InvalidCharacters),
        ),
        (
            "null byte",
            "Maria\0",
            Err(PersonNameError::InvalidCharacters),
        ),
        (
            "comma",
            "Souza, Maria",
            Err(PersonNameError::InvalidCharacters),
        ),
    ];

    #[test]
    fn person_name_follows_the_table() {
        for (description, input, expected) in NAME_CASES {
            let actual = PersonName::parse(input);
            assert_eq!(
                actual.as_ref().map(PersonName::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn person_name_length_is_counted_in_characters_after_collapsing() {
        let cases = [
            ("120 letters", "á".repeat(120), true),
            ("121 letters", "á".repeat(121), false),
            (
                "long only because of spaces",
                format!("{}   {}", "a".repeat(60), "b".repeat(59)),
                true,
            ),
            ("huge", "a".repeat(1_000_000), false),
        ];
        for (description, input, ok) in cases {
            let actual = PersonName::parse(&input);
            assert_eq!(actual.is_ok(), ok, "{description}");
            if !ok {
                assert_eq!(actual, Err(PersonNameError::TooLong), "{description}");
            }
        }
    }

    const SUBJECT_CASES: &[(&str, &str, Result<&str, SubjectError>)] = &[
        ("simple", "Certidão de quitação", Ok("Certidão de quitação")),
        ("trimmed", "  Título eleitoral \n", Ok("Título eleitoral")),
        ("three characters", "Oi!", Ok("Oi!")),
        ("less-than sign", "Prazo < 5 dias", Ok("Prazo < 5 dias")),
        ("heart", "Obrigada <3", Ok("Obrigada <3")),
        ("greater-than sign", "a > b", Ok("a > b")),
        ("empty", "", Err(SubjectError::Empty)),
        ("blank", "\t \r\n", Err(SubjectError::Empty)),
        ("two characters", "Oi", Err(SubjectError::TooShort)),
        (
            "two lines",
            "Título\neleitoral",
            Err(SubjectError::MultipleLines),
        ),
        (
            "carriage return",
            "Título\releitoral",
            Err(SubjectError::MultipleLines),
        ),
        (
            "line separator",
            "Título\u{2028}eleitoral",
            Err(SubjectError::MultipleLines),
        ),
        (
            "tab",
            "Título\teleitoral",
            Err(SubjectError::ControlCharacters),
        ),
        (
            "null byte",
            "Título\0",
            Err(SubjectError::ControlCharacters),
        ),
        (
            "escape",
            "Título \u{1b}[31m",
            Err(SubjectError::ControlCharacters),
        ),
        ("tag", "<b>Urgente</b>", Err(SubjectError::Markup)),
        (
            "script",
            "Oi <script>alert(1)</script>",
            Err(SubjectError::Markup),
        ),
        ("closing tag only", "Oi </div>", Err(SubjectError::Markup)),
        ("comment", "Oi <!-- x -->", Err(SubjectError::Markup)),
        ("uppercase tag", "<IMG SRC=x>", Err(SubjectError::Markup)),
    ];

    #[test]
    fn subject_follows_the_table() {
        for (description, input, expected) in SUBJECT_CASES {
            let actual = Subject::parse(input);
            assert_eq!(
                actual.as_ref().map(Subject::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn subject_length_is_limited_to_150_characters() {
        assert!(Subject::parse(&"ç".repeat(150)).is_ok());
        assert_eq!(Subject::parse(&"ç".repeat(151)), Err(SubjectError::TooLong));
        assert_eq!(
            Subject::parse(&"<".repeat(1_000_000)),
            Err(SubjectError::TooLong)
        );
    }

    const DESCRIPTION_CASES: &[(&str, &str, Result<&str, DescriptionError>)] = &[
        ("simple", "Preciso de ajuda.", Ok("Preciso de ajuda.")),
        (
            "several lines",
            "Linha um.\nLinha dois.\n\n\tRecuo.",
            Ok("Linha um.\nLinha dois.\n\n\tRecuo."),
        ),
        (
            "CRLF made LF",
            "Linha um.\r\nLinha dois.",
            Ok("Linha um.\nLinha dois."),
        ),
        (
            "lone CR made LF",
            "Linha um.\rDois.",
            Ok("Linha um.\nDois."),
        ),
        (
            "trimmed",
            "\n\n  Preciso de ajuda.  \n",
            Ok("Preciso de ajuda."),
        ),
        ("ten characters", "0123456789", Ok("0123456789")),
        ("less-than sign", "Valor < 10 reais", Ok("Valor < 10 reais")),
        ("empty", "", Err(DescriptionError::Empty)),
        ("blank", "\n\t \r\n", Err(DescriptionError::Empty)),
        (
            "nine characters",
            "012345678",
            Err(DescriptionError::TooShort),
        ),
        (
            "short once CRLF counted as one",
            "Oi\r\n\r\nTudo?",
            Err(DescriptionError::TooShort),
        ),
        (
            "null byte",
            "Preciso de ajuda\0.",
            Err(DescriptionError::ControlCharacters),
        ),
        (
            "bell",
            "Preciso de ajuda\u{7}.",
            Err(DescriptionError::ControlCharacters),
        ),
        (
            "link tag",
            "Veja <a href=x>aqui</a>",
            Err(DescriptionError::Markup),
        ),
        (
            "script on a later line",
            "Olá, tudo bem?\n<script>x</script>",
            Err(DescriptionError::Markup),
        ),
    ];

    #[test]
    fn description_follows_the_table() {
        for (description, input, expected) in DESCRIPTION_CASES {
            let actual = Description::parse(input);
            assert_eq!(
                actual.as_ref().map(Description::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn description_length_is_counted_in_characters() {
        assert!(Description::parse(&"ã".repeat(2000)).is_ok());
        assert!(Description::parse(&"ã\r\n".repeat(1000)).is_ok());
        assert_eq!(
            Description::parse(&"ã".repeat(2001)),
            Err(DescriptionError::TooLong)
        );
        assert_eq!(
            Description::parse(&"a\n".repeat(1_000_000)),
            Err(DescriptionError::TooLong)
        );
    }

    const ROLE_CASES: &[(&str, &str, Result<RequesterRole, RequesterRoleError>)] = &[
        ("parte", "parte", Ok(RequesterRole::Parte)),
        ("advogado", "advogado", Ok(RequesterRole::Advogado)),
        ("interessado", "interessado", Ok(RequesterRole::Interessado)),
        ("uppercase", "ADVOGADO", Ok(RequesterRole::Advogado)),
        (
            "capitalised and padded",
            "  Parte ",
            Ok(RequesterRole::Parte),
        ),
        ("empty", "", Err(RequesterRoleError::Empty)),
        ("blank", "  ", Err(RequesterRoleError::Empty)),
        (
            "label is not the API name",
            "Advogado(a)",
            Err(RequesterRoleError::Unknown),
        ),
        ("unknown", "juiz", Err(RequesterRoleError::Unknown)),
        ("prefix", "adv", Err(RequesterRoleError::Unknown)),
    ];

    #[test]
    fn requester_role_follows_the_table() {
        for (description, input, expected) in ROLE_CASES {
            assert_eq!(RequesterRole::parse(input), *expected, "{description}");
        }
    }

    #[test]
    fn requester_role_names_round_trip() {
        for role in RequesterRole::ALL {
            assert_eq!(RequesterRole::parse(role.as_str()), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        let labels = RequesterRole::ALL.map(|r| r.label());
        assert_eq!(labels, ["Parte", "Advogado(a)", "Interessado(a)"]);
    }
}
