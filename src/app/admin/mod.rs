//! Admins run the service: accounts, zones and their hours, holidays, and failed jobs. Every
//! use case here is refused to clerks first, then checks its input whole (every field
//! problem in one answer) before one audited change through the store. One file for each
//! thing administered.

mod holidays;
mod jobs;
mod staff;
mod zones;

pub use holidays::HolidayInput;
pub use jobs::{DEFAULT_JOB_LIMIT, MAX_JOB_LIMIT};
pub use staff::{NewStaffInput, StaffPatchInput};
pub use zones::{Change, ZoneInput};
