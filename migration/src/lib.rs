//! Schema migrations, one change per file, written with sea-query so that the same
//! definitions create the same schema on SQLite and on PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_zones;
mod m20261128_000002_create_staff;
mod m20261128_000003_create_requests;
mod m20261128_000004_create_request_events;
mod m20261128_000005_create_jobs;
mod m20261128_000006_create_holidays;
mod m20261128_000007_create_protocol_counters;
mod m20261128_000008_create_sessions;
mod m20261128_000009_create_audit_log;
mod m20261128_000010_create_tracking_tokens;
mod m20261130_000011_add_requester_name_key;
mod m20261130_000012_add_job_failing_since;
mod m20261201_000013_add_job_waits_for;
mod m20261201_000015_create_service_secrets;
mod m20261201_000016_add_requester_email_key;
mod m20261201_000017_add_requester_preference;
mod m20261201_000018_add_requester_reschedules;
mod m20261201_000019_create_offered_slots;
mod m20261202_000020_create_queue;
mod m20261202_000021_add_accessibility;
mod m20261202_000022_add_staff_interpreter;
mod m20261202_000023_create_request_messages;
mod m20261202_000024_add_request_interpreter;
mod m20261202_000025_create_survey_answers;
mod m20261202_000026_add_request_indicators;
mod m20261203_000027_create_indicator_rollups;
mod m20261203_000028_add_request_retention;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_zones::Migration),
            Box::new(m20261128_000002_create_staff::Migration),
            Box::new(m20261128_000003_create_requests::Migration),
            Box::new(m20261128_000004_create_request_events::Migration),
            Box::new(m20261128_000005_create_jobs::Migration),
            Box::new(m20261128_000006_create_holidays::Migration),
            Box::new(m20261128_000007_create_protocol_counters::Migration),
            Box::new(m20261128_000008_create_sessions::Migration),
            Box::new(m20261128_000009_create_audit_log::Migration),
            Box::new(m20261128_000010_create_tracking_tokens::Migration),
            Box::new(m20261130_000011_add_requester_name_key::Migration),
            Box::new(m20261130_000012_add_job_failing_since::Migration),
            Box::new(m20261201_000013_add_job_waits_for::Migration),
            Box::new(m20261201_000015_create_service_secrets::Migration),
            Box::new(m20261201_000016_add_requester_email_key::Migration),
            Box::new(m20261201_000017_add_requester_preference::Migration),
            Box::new(m20261201_000018_add_requester_reschedules::Migration),
            Box::new(m20261201_000019_create_offered_slots::Migration),
            Box::new(m20261202_000020_create_queue::Migration),
            Box::new(m20261202_000021_add_accessibility::Migration),
            Box::new(m20261202_000022_add_staff_interpreter::Migration),
            Box::new(m20261202_000023_create_request_messages::Migration),
            Box::new(m20261202_000024_add_request_interpreter::Migration),
            Box::new(m20261202_000025_create_survey_answers::Migration),
            Box::new(m20261202_000026_add_request_indicators::Migration),
            Box::new(m20261203_000027_create_indicator_rollups::Migration),
            Box::new(m20261203_000028_add_request_retention::Migration),
        ]
    }
}
