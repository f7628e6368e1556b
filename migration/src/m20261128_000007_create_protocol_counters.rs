use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row per year: the last protocol number given that year, incremented with an upsert
/// inside the submitting transaction. Used on SQLite; PostgreSQL uses one sequence per year,
/// created on first use, so that submissions do not queue on this row's lock.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProtocolCounters::Table)
                    .if_not_exists()
                    .col(integer(ProtocolCounters::Year).primary_key())
                    .col(big_integer(ProtocolCounters::Last))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProtocolCounters::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ProtocolCounters {
    Table,
    Year,
    Last,
}
