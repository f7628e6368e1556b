//! Free text a member of the public types: their name, the subject and the description of the
//! request, and the role they act in. Staff read all of it in web pages and e-mails, so markup
//! and invisible characters are refused here rather than trusted to every later escape.
//!
//! Also the one rule of characters that every text a person types follows, whoever types it
//! (the public, clerks, admins, the shipped files): [`check_characters`].

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_properties::{GeneralCategoryGroup, UnicodeEmoji, UnicodeGeneralCategory};

/// Whether a text may span several lines (a description, a note) or is one line (a name,
/// a subject, a link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// A character a typed text may not hold. The messages are generic: each is reported under
/// the field it was found in, and the public's own fields word theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CharacterError {
    /// A line break (LF, CR, VT, FF, NEL, U+2028, U+2029) in a one-line text.
    #[error("O texto deve ter uma só linha.")]
    LineBreak,
    /// A control, format (bidirectional controls, zero-width characters, soft hyphen, …),
    /// private-use or unassigned character, or an invisible filler letter.
    #[error("O texto contém caracteres invisíveis ou de controle; apague-os e digite de novo.")]
    Invisible,
}

/// The rule of characters every text a person types follows; every parser of typed text calls
/// it, after its own trimming. What a reader sees must be what is stored, so it refuses:
///
/// - line breaks in a one-line text (a name, a subject, a link would otherwise add lines to
///   an e-mail or a log);
/// - every character Unicode classes as *Other*: controls (Cc: NUL, ESC, …; a multi-line
///   text keeps LF and tab, and its CR are made LF beforehand by [`unify_line_breaks`]),
///   format characters (Cf: the bidirectional controls U+202A–U+202E and U+2066–U+2069, which
///   make "Certidão \u{202E}gpj.exe" display as "Certidão exe.jpg", the zero-width space
///   U+200B, U+2060–U+2064, the soft hyphen U+00AD, the BOM U+FEFF, tag characters, …),
///   private use (Co: its glyph depends on the reader's font) and unassigned code points
///   (Cn, noncharacters included); U+2028 and U+2029 (Zl, Zp) are refused in a multi-line
///   text too, where LF is the one line break;
/// - the letters that display as nothing: the Hangul fillers (U+115F, U+1160, U+3164,
///   U+FFA0), the combining grapheme joiner U+034F and the Khmer inherent vowels U+17B4–U+17B5
///   (Unicode's Default_Ignorable characters that are not *Other*; variation selectors stay,
///   since emoji and some ideographs need them and they change no text).
///
/// One format character is truly needed: the zero-width joiner U+200D inside an emoji
/// sequence. Phones insert it when someone picks 👩‍💻 or 🏳️‍🌈, and refusing it would tell a
/// person to remove a character they never typed; between two emoji it only joins pictures,
/// it hides, reorders and changes no letter. So it is kept between two emoji (the one before
/// may be a modifier or the emoji variation selector) and refused anywhere else, where it
/// would only make two names that look the same differ. Fields that refuse emoji (a person's
/// name) refuse such a sequence by their own rule.
pub fn check_characters(text: &str, lines: Lines) -> Result<(), CharacterError> {
    if lines == Lines::One && text.chars().any(is_line_break) {
        return Err(CharacterError::LineBreak);
    }
    let mut previous = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => lines == Lines::Many,
            '\u{2028}' | '\u{2029}' => false,
            ZERO_WIDTH_JOINER => joins_emoji(previous, chars.peek().copied()),
            c => !is_invisible(c),
        };
        if !allowed {
            return Err(CharacterError::Invisible);
        }
        previous = Some(c);
    }
    Ok(())
}

/// A multi-line text with the line breaks browsers send (CRLF from a textarea) and lone CRs
/// made LF, the one line break [`check_characters`] keeps.
pub fn unify_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Runs of spaces and tabs made one space, the ends trimmed; line breaks stay, for
/// [`check_characters`] to refuse.
pub fn collapse_spaces(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() && !is_line_break(c))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

const ZERO_WIDTH_JOINER: char = '\u{200D}';

/// Letters and marks that display as nothing, though Unicode does not class them as *Other*.
const INVISIBLE_LETTERS: &[char] = &[
    '\u{034F}', '\u{115F}', '\u{1160}', '\u{17B4}', '\u{17B5}', '\u{3164}', '\u{FFA0}',
];

fn is_invisible(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Other || INVISIBLE_LETTERS.contains(&c)
}

/// A zero-width joiner between two emoji: after an emoji or one of its components (a skin
/// tone, the emoji variation selector), before an emoji. ASCII digits, `#` and `*` are emoji
/// components too (keycaps), but nothing a joiner may follow.
fn joins_emoji(previous: Option<char>, next: Option<char>) -> bool {
    let joinable = |c: char| !c.is_ascii() && c != ZERO_WIDTH_JOINER;
    previous.is_some_and(|c| joinable(c) && c.is_emoji_char_or_emoji_component())
        && next.is_some_and(|c| joinable(c) && c.is_emoji_char())
}

/// A person's name, in any script, with whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("Informe o nome.")]
    Empty,
    #[error("O nome deve ter no máximo 120 caracteres.")]
    TooLong,
    #[error("O nome deve ter uma só linha.")]
    MultipleLines,
    #[error("O nome contém caracteres invisíveis ou de controle; apague-os e digite de novo.")]
    InvisibleCharacters,
    #[error("O nome só pode ter letras, espaços, apóstrofo, hífen e ponto.")]
    InvalidCharacters,
    #[error("Informe o nome com pelo menos 2 letras.")]
    TooFewLetters,
}

impl PersonName {
    const MAX_CHARS: usize = 120;

    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        // Composed form, so "José" typed with a combining accent equals the precomposed one.
        let composed: String = input.nfc().collect();
        let name = collapse_spaces(composed.trim());
        if name.is_empty() {
            return Err(PersonNameError::Empty);
        }
        if name.chars().nth(Self::MAX_CHARS).is_some() {
            return Err(PersonNameError::TooLong);
        }
        check_characters(&name, Lines::One).map_err(|error| match error {
            CharacterError::LineBreak => PersonNameError::MultipleLines,
            CharacterError::Invisible => PersonNameError::InvisibleCharacters,
        })?;
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
    #[error("O assunto contém caracteres invisíveis ou de controle; apague-os e digite de novo.")]
    InvisibleCharacters,
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
        check_characters(subject, Lines::One).map_err(|error| match error {
            CharacterError::LineBreak => SubjectError::MultipleLines,
            CharacterError::Invisible => SubjectError::InvisibleCharacters,
        })?;
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
    #[error("A descrição contém caracteres invisíveis ou de controle; apague-os e digite de novo.")]
    InvisibleCharacters,
    #[error("A descrição não pode conter código HTML (por exemplo, <b>).")]
    Markup,
}

impl Description {
    const MIN_CHARS: usize = 10;
    const MAX_CHARS: usize = 2000;

    pub fn parse(input: &str) -> Result<Self, DescriptionError> {
        // Browsers send CRLF from a textarea; one convention keeps the count honest.
        let composed: String = input.nfc().collect();
        let unified = unify_line_breaks(&composed);
        let description = unified.trim();
        if description.is_empty() {
            return Err(DescriptionError::Empty);
        }
        if description.chars().nth(Self::MAX_CHARS).is_some() {
            return Err(DescriptionError::TooLong);
        }
        check_characters(description, Lines::Many)
            .map_err(|_| DescriptionError::InvisibleCharacters)?;
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

/// Why a short text staff type was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShortTextError {
    #[error("Use no máximo {max} caracteres.")]
    TooLong { max: usize },
    #[error(transparent)]
    Characters(#[from] CharacterError),
}

/// One short text staff type (a zone's name, a holiday's note), trimmed, with the line
/// breaks of a multi-line one unified, and held to [`check_characters`]: `None` when blank.
pub fn short_text(
    input: &str,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, ShortTextError> {
    let unified;
    let text = match lines {
        Lines::One => input.trim(),
        Lines::Many => {
            unified = unify_line_breaks(input);
            unified.trim()
        }
    };
    if text.chars().count() > max_chars {
        return Err(ShortTextError::TooLong { max: max_chars });
    }
    check_characters(text, lines)?;
    Ok(Some(text.to_string()).filter(|text| !text.is_empty()))
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
        use Lines::{Many, One};
        let too_long = Err(ShortTextError::TooLong { max: 4 });
        let line_break = Err(ShortTextError::Characters(CharacterError::LineBreak));
        let invisible = Err(ShortTextError::Characters(CharacterError::Invisible));
        let cases = [
            ("trimmed", " Pará ", One, Ok(Some("Pará"))),
            ("blank", " \t ", One, Ok(None)),
            (
                "at the limit, accents as one",
                "ação",
                One,
                Ok(Some("ação")),
            ),
            ("past the limit", "ações", One, too_long),
            ("a line break inside", "a\nb", One, line_break),
            ("a line break at the end", "ab\r\n", One, Ok(Some("ab"))),
            ("a CR inside", "a\rb", One, line_break),
            ("a line separator", "a\u{2028}b", One, line_break),
            ("a tab inside one line", "a\tb", One, invisible),
            ("a right-to-left override", "a\u{202E}b", One, invisible),
            ("lines kept", "a\nb", Many, Ok(Some("a\nb"))),
            ("CRLF made LF", "a\r\nb", Many, Ok(Some("a\nb"))),
            ("a tab in several lines", "a\tb", Many, Ok(Some("a\tb"))),
            ("a zero-width space", "a\u{200B}b", Many, invisible),
            ("a paragraph separator", "a\u{2029}b", Many, invisible),
        ];
        for (description, input, lines, expected) in cases {
            assert_eq!(
                short_text(input, 4, lines),
                expected.map(|text| text.map(str::to_string)),
                "{description}"
            );
        }
    }

    /// The characters the issue named and their kin, each alone between two letters.
    const REFUSED: &[(&str, char)] = &[
        ("NUL", '\0'),
        ("escape", '\u{1B}'),
        ("delete", '\u{7F}'),
        ("a C1 control", '\u{9B}'),
        ("soft hyphen", '\u{AD}'),
        ("Arabic letter mark", '\u{61C}'),
        ("Mongolian vowel separator", '\u{180E}'),
        ("zero-width space", '\u{200B}'),
        ("zero-width non-joiner", '\u{200C}'),
        ("zero-width joiner between letters", '\u{200D}'),
        ("left-to-right mark", '\u{200E}'),
        ("right-to-left mark", '\u{200F}'),
        ("left-to-right embedding", '\u{202A}'),
        ("right-to-left embedding", '\u{202B}'),
        ("pop directional formatting", '\u{202C}'),
        ("left-to-right override", '\u{202D}'),
        ("right-to-left override", '\u{202E}'),
        ("word joiner", '\u{2060}'),
        ("invisible times", '\u{2062}'),
        ("invisible plus", '\u{2064}'),
        ("left-to-right isolate", '\u{2066}'),
        ("right-to-left isolate", '\u{2067}'),
        ("first-strong isolate", '\u{2068}'),
        ("pop directional isolate", '\u{2069}'),
        ("byte-order mark", '\u{FEFF}'),
        ("interlinear annotation anchor", '\u{FFF9}'),
        ("tag A", '\u{E0041}'),
        ("language tag", '\u{E0001}'),
        ("private use", '\u{E000}'),
        ("a noncharacter", '\u{FFFF}'),
        ("the last noncharacter", '\u{10FFFF}'),
        ("Hangul filler", '\u{3164}'),
        ("Hangul choseong filler", '\u{115F}'),
        ("halfwidth Hangul filler", '\u{FFA0}'),
        ("combining grapheme joiner", '\u{34F}'),
        ("Khmer inherent vowel", '\u{17B4}'),
    ];

    #[test]
    fn invisible_and_control_characters_are_refused_in_any_text() {
        for (description, c) in REFUSED {
            let text = format!("a{c}b");
            for lines in [Lines::One, Lines::Many] {
                assert_eq!(
                    check_characters(&text, lines),
                    Err(CharacterError::Invisible),
                    "{description} (U+{:04X}), {lines:?}",
                    u32::from(*c)
                );
            }
        }
    }

    #[test]
    fn every_format_character_is_refused() {
        use unicode_properties::GeneralCategory;
        let format_characters = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| c.general_category() == GeneralCategory::Format);
        let mut count = 0;
        for c in format_characters {
            count += 1;
            let text = format!("a{c}b");
            assert_eq!(
                check_characters(&text, Lines::Many),
                Err(CharacterError::Invisible),
                "U+{:04X}",
                u32::from(c)
            );
        }
        assert!(
            count > 150,
            "Unicode has some 170 format characters: {count}"
        );
    }

    #[test]
    fn line_breaks_are_refused_in_one_line_and_only_lf_kept_in_several() {
        use CharacterError::{Invisible, LineBreak};
        let cases = [
            ("LF", "a\nb", Err(LineBreak), Ok(())),
            ("CR", "a\rb", Err(LineBreak), Err(Invisible)),
            ("vertical tab", "a\u{B}b", Err(LineBreak), Err(Invisible)),
            ("form feed", "a\u{C}b", Err(LineBreak), Err(Invisible)),
            ("next line", "a\u{85}b", Err(LineBreak), Err(Invisible)),
            (
                "line separator",
                "a\u{2028}b",
                Err(LineBreak),
                Err(Invisible),
            ),
            (
                "paragraph separator",
                "a\u{2029}b",
                Err(LineBreak),
                Err(Invisible),
            ),
            ("tab", "a\tb", Err(Invisible), Ok(())),
            (
                "a line break after an invisible one",
                "\u{200B}\n",
                Err(LineBreak),
                Err(Invisible),
            ),
        ];
        for (description, text, one, many) in cases {
            assert_eq!(
                check_characters(text, Lines::One),
                one,
                "{description}, one line"
            );
            assert_eq!(
                check_characters(text, Lines::Many),
                many,
                "{description}, several"
            );
        }
        assert_eq!(unify_line_breaks("a\r\nb\rc\nd"), "a\nb\nc\nd");
    }

    #[test]
    fn visible_text_in_any_script_and_emoji_sequences_pass() {
        let cases = [
            ("Portuguese", "Certidão de quitação eleitoral"),
            ("a decomposed accent", "Jose\u{301}"),
            ("other scripts", "Алексей 山田太郎 محمد"),
            ("a no-break space", "Maria\u{A0}Souza"),
            ("less-than", "Prazo < 5 dias"),
            ("an emoji", "Obrigada 😀"),
            ("a skin tone", "👍🏽"),
            ("an emoji variation selector", "♥\u{FE0F}"),
            ("a ZWJ sequence", "👩\u{200D}💻"),
            ("a family", "👨\u{200D}👩\u{200D}👧"),
            ("a toned ZWJ sequence", "👩🏽\u{200D}💻"),
            ("the rainbow flag", "🏳\u{FE0F}\u{200D}🌈"),
            ("a national flag", "🇧🇷"),
        ];
        for (description, text) in cases {
            for lines in [Lines::One, Lines::Many] {
                assert_eq!(check_characters(text, lines), Ok(()), "{description}");
            }
        }
    }

    #[test]
    fn a_zero_width_joiner_is_kept_only_between_two_emoji() {
        let cases = [
            ("between letters", "Ma\u{200D}ria"),
            ("at the start", "\u{200D}😀"),
            ("at the end", "😀\u{200D}"),
            ("alone", "\u{200D}"),
            ("twice", "😀\u{200D}\u{200D}😀"),
            ("after a digit, an emoji component", "1\u{200D}😀"),
            ("before a letter", "😀\u{200D}a"),
            ("after a letter", "a\u{200D}😀"),
            ("before a keycap's digit", "😀\u{200D}1"),
        ];
        for (description, text) in cases {
            assert_eq!(
                check_characters(text, Lines::Many),
                Err(CharacterError::Invisible),
                "{description}"
            );
        }
    }

    /// Every parser of text a person types holds it to the one rule: whoever types it (the
    /// public, clerks, admins) and wherever it goes (pages, e-mails, the shipped files).
    #[test]
    fn every_parser_of_typed_text_follows_the_rule() {
        use crate::domain::{
            command::{Command, CommandInput},
            email::Email,
            holidays::{HolidayName, HolidayNote, HolidayScope},
            meet_link::MeetLink,
            zone::{Municipalities, ZoneName, zone_calendar_id, zone_seat},
        };
        let hosts = ["meet.google.com".to_string()];
        let note = |text: &str| {
            let input = CommandInput {
                action: Some("triage".into()),
                note: Some(text.into()),
                ..CommandInput::default()
            };
            Command::parse(&input, &hosts).is_ok()
        };
        let reason = |text: &str| {
            let input = CommandInput {
                action: Some("reject".into()),
                reason: Some(text.into()),
                ..CommandInput::default()
            };
            Command::parse(&input, &hosts).is_ok()
        };
        // Name, a valid text with a `|` where a character goes, whether it is one line,
        // and whether the parser accepts a text.
        type Accepts<'a> = Box<dyn Fn(&str) -> bool + 'a>;
        let parsers: Vec<(&str, &str, bool, Accepts)> = vec![
            (
                "person name",
                "Maria| Souza",
                true,
                Box::new(|t| PersonName::parse(t).is_ok()),
            ),
            (
                "subject",
                "Certidão| de quitação",
                true,
                Box::new(|t| Subject::parse(t).is_ok()),
            ),
            (
                "description",
                "Preciso de uma| certidão.",
                false,
                Box::new(|t| Description::parse(t).is_ok()),
            ),
            (
                "e-mail",
                "maria|@example.com",
                true,
                Box::new(|t| Email::parse(t).is_ok()),
            ),
            (
                "meet link",
                "https://meet.google.com/abc-|defg-hij",
                true,
                Box::new(|t| MeetLink::parse(t, &hosts).is_ok()),
            ),
            (
                "zone name",
                "1ª Zona| Eleitoral",
                true,
                Box::new(|t| ZoneName::parse(t).is_ok()),
            ),
            (
                "municipality",
                "Santa| Izabel do Pará",
                true,
                Box::new(|t| Municipalities::parse(&[t]).is_ok()),
            ),
            ("seat", "Be|lém", true, Box::new(|t| zone_seat(t).is_ok())),
            (
                "calendar id",
                "zona01|@group.calendar.google.com",
                true,
                Box::new(|t| zone_calendar_id(t).is_ok()),
            ),
            (
                "holiday name",
                "Círio| de Nazaré",
                true,
                Box::new(|t| HolidayName::parse(t).is_ok()),
            ),
            (
                "holiday note",
                "Lei| 1/2026",
                false,
                Box::new(|t| HolidayNote::parse(t).is_ok()),
            ),
            (
                "holiday scope",
                "municipal-Be|lém",
                true,
                Box::new(|t| HolidayScope::for_court(t, |_| true).is_ok()),
            ),
            (
                "clerk's note",
                "Liguei| para a parte",
                false,
                Box::new(note),
            ),
            (
                "rejection reason",
                "Não é da| competência",
                false,
                Box::new(reason),
            ),
        ];
        for (name, template, one_line, accepts) in &parsers {
            assert!(
                accepts(&template.replace('|', "")),
                "{name}: the valid text"
            );
            for (description, c) in REFUSED {
                let text = template.replace('|', &c.to_string());
                assert!(!accepts(&text), "{name}: {description} is refused");
            }
            let two_lines = template.replace('|', "\nx");
            assert_eq!(
                accepts(&two_lines),
                !one_line,
                "{name}: a line break is refused only in one-line text"
            );
            let separated = template.replace('|', "\u{2028}");
            assert!(!accepts(&separated), "{name}: a line separator is refused");
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
            Err(PersonNameError::InvisibleCharacters),
        ),
        (
            "null byte",
            "Maria\0",
            Err(PersonNameError::InvisibleCharacters),
        ),
        (
            "right-to-left override",
            "Maria \u{202E}azuoS",
            Err(PersonNameError::InvisibleCharacters),
        ),
        (
            "Hangul filler, a letter that shows nothing",
            "Maria\u{3164}Souza",
            Err(PersonNameError::InvisibleCharacters),
        ),
        (
            "two lines",
            "Maria\nSouza",
            Err(PersonNameError::MultipleLines),
        ),
        (
            "two lines with CRLF",
            "Maria\r\nSouza",
            Err(PersonNameError::MultipleLines),
        ),
        (
            "an emoji sequence",
            "Maria 👩\u{200D}💻",
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
            Err(SubjectError::InvisibleCharacters),
        ),
        (
            "null byte",
            "Título\0",
            Err(SubjectError::InvisibleCharacters),
        ),
        (
            "escape",
            "Título \u{1b}[31m",
            Err(SubjectError::InvisibleCharacters),
        ),
        (
            "right-to-left override: shows as \"Certidão exe.jpg\"",
            "Certidão \u{202E}gpj.exe",
            Err(SubjectError::InvisibleCharacters),
        ),
        (
            "zero-width space",
            "Certi\u{200B}dão",
            Err(SubjectError::InvisibleCharacters),
        ),
        (
            "soft hyphen",
            "Certi\u{AD}dão",
            Err(SubjectError::InvisibleCharacters),
        ),
        (
            "next line",
            "Título\u{85}eleitoral",
            Err(SubjectError::MultipleLines),
        ),
        (
            "an emoji sequence",
            "Dúvida 👩\u{200D}💻",
            Ok("Dúvida 👩\u{200D}💻"),
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
            Err(DescriptionError::InvisibleCharacters),
        ),
        (
            "bell",
            "Preciso de ajuda\u{7}.",
            Err(DescriptionError::InvisibleCharacters),
        ),
        (
            "isolates",
            "Preciso de \u{2067}ajuda\u{2069}.",
            Err(DescriptionError::InvisibleCharacters),
        ),
        (
            "byte-order mark",
            "\u{FEFF}Preciso de ajuda.",
            Err(DescriptionError::InvisibleCharacters),
        ),
        (
            "line separator",
            "Linha um.\u{2028}Linha dois.",
            Err(DescriptionError::InvisibleCharacters),
        ),
        (
            "an emoji sequence on a second line",
            "Preciso de ajuda.\n👨\u{200D}👩\u{200D}👧",
            Ok("Preciso de ajuda.\n👨\u{200D}👩\u{200D}👧"),
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
