use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The outbox: side effects written in the same transaction as the change that needs them,
/// run later by a worker. Rows are kept after they run (done or dead), for staff to see.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Jobs::Id))
                    .col(string_len(Jobs::Kind, 64))
                    .col(json_binary(Jobs::Payload))
                    // One effect of one transition: a repeated enqueue is a no-op.
                    .col(string_len_uniq(Jobs::DedupeKey, 200))
                    .col(big_integer_null(Jobs::RequestId))
                    .col(string_len(Jobs::State, 16))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                    .col(string_len_null(Jobs::LockedBy, 100))
                    .col(text_null(Jobs::LastError))
                    .col(text_null(Jobs::Result))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Jobs::Table, Jobs::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker's claim: due jobs by state and time.
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_due")
                    .table(Jobs::Table)
                    .col(Jobs::State)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_request")
                    .table(Jobs::Table)
                    .col(Jobs::RequestId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    DedupeKey,
    RequestId,
    State,
    Attempts,
    RunAt,
    LockedUntil,
    LockedBy,
    LastError,
    Result,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}
