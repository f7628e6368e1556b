use sea_orm_migration::prelude::*;

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A requester may move their own meeting a limited number of times
/// (`schedule.requester_reschedules_max`), so each request counts the moves its requester
/// made; staff moves are not counted. The rows that exist were moved by nobody but staff,
/// which the default says.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(
                        ColumnDef::new(RequesterReschedules)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .drop_column(RequesterReschedules)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct RequesterReschedules;
