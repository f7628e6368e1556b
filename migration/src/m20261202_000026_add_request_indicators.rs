use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What the indicators read without going through the history: when a request had its first
/// answer (triage or refusal) and the minutes of service it waited (`triage_minutes`, which
/// the service fills in for rows that exist, since service minutes need the zone's calendar),
/// and who closed it (`closed_by`: `requester`, `staff` or `system`), taken from the history
/// here. An index on the filing time serves the indicators' period.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null(TriagedAt),
            integer_null(TriageMinutes),
            string_len_null(ClosedBy, 16),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Requests::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE requests SET triaged_at = (SELECT MIN(e.at) FROM request_events e \
             WHERE e.request_id = requests.id AND e.from_status = 'submitted' \
             AND e.action IN ('triage', 'reject'))",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE requests SET closed_by = (SELECT e.actor_kind FROM request_events e \
             WHERE e.request_id = requests.id AND e.to_status IN ('done', 'rejected', 'cancelled') \
             ORDER BY e.at DESC, e.id DESC LIMIT 1) WHERE closed_at IS NOT NULL",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_created_zone")
                    .table(Requests::Table)
                    .col(Requests::CreatedAt)
                    .col(Requests::ZoneId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_created_zone")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            ClosedBy.into_iden(),
            TriageMinutes.into_iden(),
            TriagedAt.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Requests::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
struct TriagedAt;

#[derive(DeriveIden)]
struct TriageMinutes;

#[derive(DeriveIden)]
struct ClosedBy;
