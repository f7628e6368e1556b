use sea_orm_migration::prelude::*;

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A requester may declare accessibility needs (a Libras interpreter, captions, a screen
/// reader, another need) and describe them in a short note. The needs are kept as their codes
/// separated by commas; the rows that exist declared none, which the default says.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(
                        ColumnDef::new(Accessibility)
                            .string_len(64)
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(ColumnDef::new(AccessibilityNote).string_len(300).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [AccessibilityNote.into_iden(), Accessibility.into_iden()] {
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
struct Accessibility;

#[derive(DeriveIden)]
struct AccessibilityNote;
