//! Admins run the service: accounts, zones and their hours, holidays, failed jobs, and the
//! data subjects' requests (LGPD). Every use case here takes an [`Admin`], which a clerk
//! cannot have, then checks its input whole (every field problem in one answer) before one
//! audited change or lookup through the store. One file for each thing administered.

mod data_subject;
mod holidays;
mod jobs;
mod staff;
mod zones;

use super::{AppError, StaffUser};
use crate::{
    domain::{
        field_errors::FieldErrors,
        staff::{NoSuchZone, Role},
        zone::ZoneNumber,
    },
    store::Duplicate,
};

pub use data_subject::SubjectAnonymised;
pub use holidays::HolidayInput;
pub use jobs::{DEFAULT_JOB_LIMIT, MAX_JOB_LIMIT};
pub use staff::{NewStaffInput, StaffPatchInput};
pub use zones::{Change, ZoneInput};

/// Proof that the caller is an admin. Only [`StaffUser::admin`] makes one, so a use case
/// that takes `&Admin` cannot be reached by a clerk, whichever page or endpoint calls it.
#[derive(Debug, Clone)]
pub struct Admin(StaffUser);

impl Admin {
    pub fn id(&self) -> i32 {
        self.0.id
    }
}

impl StaffUser {
    /// This account as an admin; a clerk is `Forbidden`.
    pub fn admin(self) -> Result<Admin, AppError> {
        match self.role {
            Role::Admin => Ok(Admin(self)),
            Role::Clerk => Err(AppError::Forbidden),
        }
    }
}

/// A unique key the database found taken, as a problem of the field that was typed.
pub(super) fn duplicate_errors(duplicate: Duplicate) -> FieldErrors {
    let (field, message) = match duplicate {
        Duplicate::StaffEmail => ("email", "Já existe uma conta com este e-mail."),
        Duplicate::ZoneNumber => ("number", "Já existe uma zona com este número."),
        Duplicate::Holiday => (
            "date",
            "Já existe um feriado nesta data com a mesma abrangência.",
        ),
        Duplicate::DutyDay => ("date", "A zona já tem um plantão nesta data."),
    };
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    errors
}

/// Zones of an account that the database does not have open, in the words used for a
/// number no zone can have.
pub(super) fn unknown_zones(zones: &[ZoneNumber]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for zone in zones {
        errors.add("zones", NoSuchZone(i64::from(zone.get())).to_string());
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role) -> StaffUser {
        StaffUser {
            id: 7,
            email: "ana@tre-pa.jus.br".into(),
            name: "Ana".into(),
            role,
            active: true,
            interpreter: false,
            zones: vec![1],
        }
    }

    #[test]
    fn only_an_admin_account_is_an_admin() {
        let admin = account(Role::Admin).admin().expect("an admin");
        assert_eq!(admin.id(), 7);
        assert!(matches!(
            account(Role::Clerk).admin(),
            Err(AppError::Forbidden)
        ));
    }

    #[test]
    fn store_refusals_name_the_field_typed() {
        let cases = [
            (Duplicate::StaffEmail, "email"),
            (Duplicate::ZoneNumber, "number"),
            (Duplicate::Holiday, "date"),
            (Duplicate::DutyDay, "date"),
        ];
        for (duplicate, field) in cases {
            let errors = duplicate_errors(duplicate);
            assert_eq!(
                errors.fields().collect::<Vec<_>>(),
                [field],
                "{duplicate:?}"
            );
        }
        let zones = [ZoneNumber::parse(998), ZoneNumber::parse(999)].map(Result::unwrap);
        assert_eq!(
            unknown_zones(&zones).get("zones"),
            Some(
                &[
                    "A zona 998 não existe.".to_string(),
                    "A zona 999 não existe.".to_string()
                ][..]
            )
        );
    }
}
