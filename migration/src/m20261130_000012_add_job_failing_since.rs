use sea_orm_migration::prelude::*;

use super::m20261128_000005_create_jobs::Jobs;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When a job's current run of failures began. The worker gives up on a job that has been
/// failing for too long; counted from the job's creation, a reminder queued days before it
/// was due died at its first failure.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(
                        ColumnDef::new(FailingSince)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .drop_column(FailingSince)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct FailingSince;
