//! The requester's e-mail address: where the protocol, the tracking link and the meeting go.

use std::fmt;

use validator::ValidateEmail;

use super::text::{Lines, check_characters};

/// The longest address SMTP can carry (RFC 5321's 256-octet path minus the angle brackets).
const MAX_CHARS: usize = 254;

/// An address the HTML5 e-mail rule accepts, with a dotted domain written in lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Informe o e-mail.")]
    Empty,
    #[error("O e-mail deve ter no máximo 254 caracteres.")]
    TooLong,
    #[error("O e-mail não pode ter espaços.")]
    Whitespace,
    #[error("O e-mail contém caracteres invisíveis ou de controle; apague-os e digite de novo.")]
    InvisibleCharacters,
    #[error("E-mail inválido: confira o endereço (exemplo: nome@provedor.com.br).")]
    Invalid,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EmailError::Empty);
        }
        if input.chars().nth(MAX_CHARS).is_some() {
            return Err(EmailError::TooLong);
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Whitespace);
        }
        // A zero-width character or a bidirectional control makes an address that looks
        // like another one.
        if check_characters(input, Lines::One).is_err() {
            return Err(EmailError::InvisibleCharacters);
        }
        if !input.validate_email() {
            return Err(EmailError::Invalid);
        }
        let Some((local, domain)) = input.rsplit_once('@') else {
            return Err(EmailError::Invalid);
        };
        // The validator also takes `user@localhost` and `user@[10.0.0.1]`: never a member of the
        // public's mailbox, and almost always a typo for a real domain.
        if !domain.contains('.') || domain.starts_with('[') {
            return Err(EmailError::Invalid);
        }
        // Only the domain is case-insensitive; the local part belongs to the mail server.
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address as the open-requests limit compares it: wholly in lower case. Mail
    /// servers may treat `Maria@` and `maria@` as two mailboxes, but almost none do, and
    /// counting them apart would let one person hold twice the limit by changing a letter.
    pub fn limit_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str, Result<&str, EmailError>)] = &[
        ("simple", "maria@example.com", Ok("maria@example.com")),
        (
            "Brazilian domain",
            "joao.silva@tre-pa.jus.br",
            Ok("joao.silva@tre-pa.jus.br"),
        ),
        (
            "domain lowercased, local part kept",
            "Maria.Souza@Example.COM.BR",
            Ok("Maria.Souza@example.com.br"),
        ),
        ("trimmed", "  maria@example.com\n", Ok("maria@example.com")),
        (
            "plus tag",
            "maria+tre@example.com",
            Ok("maria+tre@example.com"),
        ),
        (
            "internationalised domain",
            "maria@Exâmple.com.br",
            Ok("maria@exâmple.com.br"),
        ),
        ("empty", "", Err(EmailError::Empty)),
        ("blank", "  \t ", Err(EmailError::Empty)),
        (
            "inner space",
            "maria souza@example.com",
            Err(EmailError::Whitespace),
        ),
        ("tab", "maria@exam\tple.com", Err(EmailError::Whitespace)),
        (
            "no-break space",
            "maria@example\u{a0}.com",
            Err(EmailError::Whitespace),
        ),
        (
            "null byte",
            "maria@example.com\0x",
            Err(EmailError::Whitespace),
        ),
        (
            "zero-width space",
            "maria@exam\u{200B}ple.com",
            Err(EmailError::InvisibleCharacters),
        ),
        (
            "right-to-left override",
            "maria@\u{202E}moc.elpmaxe",
            Err(EmailError::InvisibleCharacters),
        ),
        ("no at sign", "maria.example.com", Err(EmailError::Invalid)),
        (
            "two at signs",
            "maria@@example.com",
            Err(EmailError::Invalid),
        ),
        (
            "nothing before the at sign",
            "@example.com",
            Err(EmailError::Invalid),
        ),
        (
            "nothing after the at sign",
            "maria@",
            Err(EmailError::Invalid),
        ),
        (
            "domain without a dot",
            "maria@localhost",
            Err(EmailError::Invalid),
        ),
        ("IP literal", "maria@[10.0.0.1]", Err(EmailError::Invalid)),
        (
            "trailing dot",
            "maria@example.com.",
            Err(EmailError::Invalid),
        ),
        (
            "double dot in domain",
            "maria@example..com",
            Err(EmailError::Invalid),
        ),
        ("comma typo", "maria@example,com", Err(EmailError::Invalid)),
        (
            "accented local part",
            "joão@example.com",
            Err(EmailError::Invalid),
        ),
        ("markup", "<script>@example.com", Err(EmailError::Invalid)),
        (
            "display name",
            "Maria <maria@example.com>",
            Err(EmailError::Whitespace),
        ),
    ];

    #[test]
    fn parse_follows_the_table() {
        for (description, input, expected) in CASES {
            let actual = Email::parse(input);
            assert_eq!(
                actual.as_ref().map(Email::as_str),
                expected.as_ref().map(|s| *s),
                "{description}: {input:?}"
            );
        }
    }

    #[test]
    fn addresses_differing_only_in_case_share_one_limit_key() {
        let cases = [
            ("Maria.Silva@Example.COM", "maria.silva@example.com"),
            ("maria.silva@example.com", "maria.silva@example.com"),
            (
                "Joao+TRE@Eleitoral.Exemplo.br",
                "joao+tre@eleitoral.exemplo.br",
            ),
        ];
        for (input, key) in cases {
            let email = Email::parse(input).unwrap();
            assert_eq!(email.limit_key(), key, "{input}");
        }
        // The address itself keeps its local part as typed: it is where the mail goes.
        assert_eq!(
            Email::parse("Maria@Example.com").unwrap().as_str(),
            "Maria@example.com"
        );
    }

    #[test]
    fn length_is_limited_to_254_characters() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(60)
        );
        let at_limit = format!("{}@{domain}", "m".repeat(254 - 1 - domain.len()));
        assert_eq!(at_limit.chars().count(), 254);
        assert_eq!(
            Email::parse(&at_limit).map(|e| e.to_string()),
            Ok(at_limit.clone())
        );
        assert_eq!(
            Email::parse(&format!("m{at_limit}")),
            Err(EmailError::TooLong)
        );
        assert_eq!(
            Email::parse(&"a".repeat(1_000_000)),
            Err(EmailError::TooLong)
        );
    }
}
