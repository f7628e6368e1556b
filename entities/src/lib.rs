//! SeaORM entities of Sistema Contato, in the shape `sea-orm-cli generate entity` writes.
//! Only `contato::store` uses them; the domain has its own types and `store` converts.

pub mod prelude;

pub mod audit_log;
pub mod holidays;
pub mod indicator_days;
pub mod jobs;
pub mod offered_slots;
pub mod protocol_counters;
pub mod queue_tickets;
pub mod request_events;
pub mod request_messages;
pub mod requests;
pub mod sea_orm_active_enums;
pub mod service_secrets;
pub mod sessions;
pub mod staff;
pub mod staff_zones;
pub mod survey_answers;
pub mod tracking_tokens;
pub mod triage_months;
pub mod zone_duty_days;
pub mod zones;
