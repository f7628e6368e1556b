//! Admins run the service: accounts, zones and their hours, holidays, and failed jobs. Every
//! use case here is refused to clerks first, then checks its input whole (every field
//! problem in one answer) before one audited change through the store. One file for each
//! thing administered.

mod holidays;
mod jobs;
mod staff;
mod zones;

use crate::{
    domain::{field_errors::FieldErrors, staff::NoSuchZone, zone::ZoneNumber},
    store::Duplicate,
};

pub use holidays::HolidayInput;
pub use jobs::{DEFAULT_JOB_LIMIT, MAX_JOB_LIMIT};
pub use staff::{NewStaffInput, StaffPatchInput};
pub use zones::{Change, ZoneInput};

/// A unique key the database found taken, as a problem of the field that was typed.
pub(super) fn duplicate(duplicate: Duplicate) -> FieldErrors {
    let (field, message) = match duplicate {
        Duplicate::StaffEmail => ("email", "Já existe uma conta com este e-mail."),
        Duplicate::ZoneNumber => ("number", "Já existe uma zona com este número."),
        Duplicate::Holiday => (
            "date",
            "Já existe um feriado nesta data com a mesma abrangência.",
        ),
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
