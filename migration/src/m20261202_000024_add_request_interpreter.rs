use sea_orm_migration::prelude::*;

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A request that needs a Libras interpreter gets one when its meeting is scheduled
/// (`requests.interpreter_id`), and an offer of its times holds an interpreter at each of them
/// (`offered_slots.interpreter_id`), so that the time the requester picks still has one. An
/// interpreter's agenda is read by both columns, each with an index that serves "what holds
/// interpreter X between two moments". The rows that exist have none.
///
/// The foreign key is written in the column's definition: SQLite cannot add a constraint to a
/// table that exists, but accepts a column that carries its own `REFERENCES`, and PostgreSQL
/// reads the same text.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(
                        ColumnDef::new(InterpreterId)
                            .integer()
                            .null()
                            .extra("REFERENCES \"staff\" (\"id\") ON DELETE SET NULL"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_interpreter")
                    .table(Requests::Table)
                    .col(InterpreterId)
                    .col(Requests::Status)
                    .col(Requests::ScheduledStart)
                    .to_owned(),
            )
            .await?;
        // Held times go when the offer goes (and with their request): no key to the account.
        manager
            .alter_table(
                Table::alter()
                    .table(OfferedSlots::Table)
                    .add_column(ColumnDef::new(InterpreterId).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_offered_slots_interpreter")
                    .table(OfferedSlots::Table)
                    .col(InterpreterId)
                    .col(OfferedSlots::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_offered_slots_interpreter")
                    .table(OfferedSlots::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OfferedSlots::Table)
                    .drop_column(InterpreterId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_interpreter")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .drop_column(InterpreterId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct InterpreterId;

#[derive(DeriveIden)]
enum OfferedSlots {
    Table,
    StartsAt,
}
