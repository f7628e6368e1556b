//! Court staff: their roles and the password rule.

/// What a staff account may do: a clerk works in their own zones, an admin everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Clerk,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Clerk, Role::Admin]
            .into_iter()
            .find(|role| role.as_str() == s.trim())
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
const PASSWORD_MAX_CHARS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("A senha deve ter pelo menos {PASSWORD_MIN_CHARS} caracteres.")]
    TooShort,
    #[error("A senha deve ter no máximo {PASSWORD_MAX_CHARS} caracteres.")]
    TooLong,
}

/// Length is the rule that matters (NIST SP 800-63B); composition rules only annoy.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    match password.chars().count() {
        n if n < PASSWORD_MIN_CHARS => Err(PasswordError::TooShort),
        n if n > PASSWORD_MAX_CHARS => Err(PasswordError::TooLong),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse() {
        assert_eq!(Role::parse("clerk"), Some(Role::Clerk));
        assert_eq!(Role::parse(" admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn passwords_need_length_only() {
        let cases = [
            (
                "eleven characters",
                "abcdefghijk",
                Err(PasswordError::TooShort),
            ),
            ("twelve characters", "abcdefghijkl", Ok(())),
            ("accents count as one character", "ação-ação-çã", Ok(())),
            ("a passphrase", "correct horse battery staple", Ok(())),
        ];
        for (description, password, expected) in cases {
            assert_eq!(check_password(password), expected, "{description}");
        }
        assert_eq!(
            check_password(&"x".repeat(257)),
            Err(PasswordError::TooLong)
        );
    }
}
