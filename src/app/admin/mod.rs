//! Admins run the service: accounts, zones and their hours, holidays, and failed jobs. Every
//! use case here is refused to clerks first, then checks its input whole (every field
//! problem in one answer) before one audited change through the store. One file for each
//! thing administered.

mod holidays;
mod jobs;
mod staff;
mod zones;

use crate::domain::field_errors::FieldErrors;

pub use holidays::HolidayInput;
pub use jobs::{DEFAULT_JOB_LIMIT, MAX_JOB_LIMIT};
pub use staff::{NewStaffInput, StaffPatchInput};
pub use zones::{Change, ZoneInput};

pub(super) fn required_text(
    text: Option<String>,
    max_chars: usize,
    field: &str,
    missing: &str,
    found: &mut FieldErrors,
) -> Option<String> {
    let text = text.map(|t| t.trim().to_string()).unwrap_or_default();
    if text.is_empty() {
        found.add(field, missing);
        return None;
    }
    if text.chars().count() > max_chars {
        found.add(field, format!("Use no máximo {max_chars} caracteres."));
        return None;
    }
    Some(text)
}
