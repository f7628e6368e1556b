//! The rules of Sistema Contato, as pure code: no database, no HTTP, no network, no clock.
//! Everything here is deterministic given its inputs ("now" and "today" are parameters), so it
//! is tested exhaustively beside the code.

pub mod accessibility;
pub mod cpf;
pub mod dates;
pub mod email;
pub mod field_errors;
pub mod meet_link;
pub mod oab;
pub mod phone;
pub mod preferential;
pub mod process_number;
pub mod text;

pub mod submission;

pub mod change;
pub mod command;
pub mod holidays;
pub mod indicators;
pub mod interpreters;
pub mod job;
pub mod messages;
pub mod queue;
pub mod retention;
pub mod schedule;
pub mod staff;
pub mod status;
pub mod survey;
pub mod zone;
