//! Court staff: their roles, where they work, and the password rule.

use std::fmt;

use super::zone::ZoneNumber;

/// What a staff account may do: a clerk works in their own zones, an admin everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Clerk,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("Informe o papel: clerk ou admin.")]
    Empty,
    #[error("Papel desconhecido: {0}. Use clerk ou admin.")]
    Unknown(String),
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Admin => "admin",
        }
    }

    pub fn parse(input: &str) -> Result<Role, RoleError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(RoleError::Empty);
        }
        [Role::Clerk, Role::Admin]
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| RoleError::Unknown(text.to_string()))
    }
}

/// A zone number given for an account that no zone has: out of range, or (said by the
/// store) not an active zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A zona {0} não existe.")]
pub struct NoSuchZone(pub i64);

/// An account's zones as given: every number must be a zone's, each problem reported.
pub fn account_zones(numbers: &[i64]) -> Result<Vec<ZoneNumber>, Vec<NoSuchZone>> {
    let (zones, unknown): (Vec<_>, Vec<_>) = numbers
        .iter()
        .map(|&number| ZoneNumber::parse(number).map_err(|_| NoSuchZone(number)))
        .partition(Result::is_ok);
    if unknown.is_empty() {
        Ok(zones.into_iter().flatten().collect())
    } else {
        Err(unknown.into_iter().filter_map(Result::err).collect())
    }
}

/// What an account does and where. A clerk sees only the requests of their zones, so a
/// clerk without a zone could do nothing at all; an admin sees every zone and may also be
/// listed in some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    role: Role,
    zones: Vec<ZoneNumber>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("Um(a) servidor(a) do cartório precisa de pelo menos uma zona.")]
    ClerkWithoutZone,
}

impl Assignment {
    /// A zone listed twice counts once.
    pub fn new(role: Role, zones: Vec<ZoneNumber>) -> Result<Self, AssignmentError> {
        let mut kept = Vec::with_capacity(zones.len());
        for zone in zones {
            if !kept.contains(&zone) {
                kept.push(zone);
            }
        }
        if role == Role::Clerk && kept.is_empty() {
            return Err(AssignmentError::ClerkWithoutZone);
        }
        Ok(Assignment { role, zones: kept })
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// In the order given.
    pub fn zones(&self) -> &[ZoneNumber] {
        &self.zones
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
const PASSWORD_MAX_CHARS: usize = 256;

/// A password that follows the rule, kept only until it is hashed. Its `Debug` output hides
/// it, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Informe a senha.")]
    Empty,
    #[error("A senha deve ter pelo menos {PASSWORD_MIN_CHARS} caracteres.")]
    TooShort,
    #[error("A senha deve ter no máximo {PASSWORD_MAX_CHARS} caracteres.")]
    TooLong,
}

impl Password {
    /// Length is the rule that matters (NIST SP 800-63B); composition rules only annoy.
    /// Spaces count, as typed: a passphrase may begin or end with one.
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        match input.chars().count() {
            0 => Err(PasswordError::Empty),
            n if n < PASSWORD_MIN_CHARS => Err(PasswordError::TooShort),
            n if n > PASSWORD_MAX_CHARS => Err(PasswordError::TooLong),
            _ => Ok(Password(input)),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(numbers: &[i64]) -> Vec<ZoneNumber> {
        account_zones(numbers).unwrap()
    }

    #[test]
    fn roles_parse() {
        let cases = [
            ("clerk", "clerk", Ok(Role::Clerk)),
            ("admin with spaces", " admin ", Ok(Role::Admin)),
            ("blank", " ", Err(RoleError::Empty)),
            ("unknown", "root", Err(RoleError::Unknown("root".into()))),
            (
                "other capitals",
                "Admin",
                Err(RoleError::Unknown("Admin".into())),
            ),
        ];
        for (description, input, expected) in cases {
            assert_eq!(Role::parse(input), expected, "{description}");
        }
    }

    #[test]
    fn an_accounts_zones_must_exist() {
        type Case<'a> = (&'a str, &'a [i64], Result<Vec<i32>, Vec<NoSuchZone>>);
        let cases: [Case; 4] = [
            ("none", &[], Ok(vec![])),
            ("two zones", &[28, 1], Ok(vec![28, 1])),
            (
                "zero and a thousand",
                &[0, 1, 1000],
                Err(vec![NoSuchZone(0), NoSuchZone(1000)]),
            ),
            ("negative", &[-1], Err(vec![NoSuchZone(-1)])),
        ];
        for (description, numbers, expected) in cases {
            let parsed = account_zones(numbers)
                .map(|zones| zones.into_iter().map(ZoneNumber::get).collect::<Vec<_>>());
            assert_eq!(parsed, expected, "{description}");
        }
        assert_eq!(NoSuchZone(999).to_string(), "A zona 999 não existe.");
    }

    #[test]
    fn a_clerk_needs_a_zone_and_an_admin_does_not() {
        let cases = [
            (
                "a clerk with zones",
                Role::Clerk,
                zones(&[1, 28, 1]),
                Ok(vec![1, 28]),
            ),
            (
                "a clerk without",
                Role::Clerk,
                vec![],
                Err(AssignmentError::ClerkWithoutZone),
            ),
            ("an admin without", Role::Admin, vec![], Ok(vec![])),
            ("an admin with one", Role::Admin, zones(&[5]), Ok(vec![5])),
        ];
        for (description, role, zones, expected) in cases {
            let assignment = Assignment::new(role, zones);
            if let Ok(assignment) = &assignment {
                assert_eq!(assignment.role(), role, "{description}");
            }
            let zones = assignment.map(|a| a.zones().iter().map(|z| z.get()).collect::<Vec<_>>());
            assert_eq!(zones, expected, "{description}");
        }
    }

    #[test]
    fn passwords_need_length_only() {
        let cases = [
            ("empty", String::new(), Err(PasswordError::Empty)),
            (
                "eleven characters",
                "abcdefghijk".into(),
                Err(PasswordError::TooShort),
            ),
            ("twelve characters", "abcdefghijkl".into(), Ok(())),
            (
                "accents count as one character",
                "ação-ação-çã".into(),
                Ok(()),
            ),
            (
                "a passphrase",
                "correct horse battery staple".into(),
                Ok(()),
            ),
            (
                "257 characters",
                "x".repeat(257),
                Err(PasswordError::TooLong),
            ),
        ];
        for (description, password, expected) in cases {
            assert_eq!(
                Password::parse(password).map(|_| ()),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn a_password_stays_out_of_debug_output() {
        let password = Password::parse("uma senha bem comprida".into()).unwrap();
        assert_eq!(password.expose(), "uma senha bem comprida");
        assert!(!format!("{password:?}").contains("senha"));
    }
}
