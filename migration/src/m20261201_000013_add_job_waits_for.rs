use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

use super::m20261128_000005_create_jobs::Jobs;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A job may wait for another: with the google provider the e-mail that carries a Meet link
/// runs once the job that made the event is done. The first version did not queue that
/// e-mail with the change; its calendar job queued it after making the event. Calendar jobs
/// of that version not yet done get their e-mail queued here, waiting for them, under the
/// key that version would have used, so a message is neither lost nor sent twice.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(ColumnDef::new(WaitsFor).string_len(200).null())
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let (revision, has_details) = match backend {
            DbBackend::Postgres => ("payload->'details'->>'revision'", "payload ? 'details'"),
            _ => (
                "json_extract(payload, '$.details.revision')",
                "json_extract(payload, '$.details') IS NOT NULL",
            ),
        };
        let message =
            "CASE kind WHEN 'meeting.create' THEN 'email.scheduled' ELSE 'email.rescheduled' END";
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO jobs (kind, payload, dedupe_key, request_id, state, attempts, run_at, \
                 created_at, updated_at, waits_for) \
                 SELECT {message}, payload, \
                 'request:' || request_id || ':r' || ({revision}) || ':' || {message}, \
                 request_id, 'pending', 0, run_at, created_at, created_at, dedupe_key \
                 FROM jobs \
                 WHERE kind IN ('meeting.create', 'meeting.update') AND state <> 'done' \
                 AND request_id IS NOT NULL AND {has_details} \
                 ON CONFLICT (dedupe_key) DO NOTHING"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .drop_column(WaitsFor)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct WaitsFor;
