use sea_orm_migration::prelude::*;

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A requester may declare a category of preferential attendance, and staff lists serve
/// aged 80+ first, then every other category, then the rest, oldest first within each. The
/// tier is stored beside the category so the inbox's index follows that order; the rows
/// that exist declared nothing, which the default says.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(ColumnDef::new(Preferential).string_len(24).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(
                        ColumnDef::new(PreferenceRank)
                            .small_integer()
                            .not_null()
                            .default(2),
                    )
                    .to_owned(),
            )
            .await?;
        // A new name rather than the old one recreated: on SQLite another pooled connection
        // may still see the old index in its cached schema.
        swap_index(manager, "idx_requests_inbox", "idx_requests_served", true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        swap_index(manager, "idx_requests_served", "idx_requests_inbox", false).await?;
        for column in [PreferenceRank.into_iden(), Preferential.into_iden()] {
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

/// Replaces the staff inbox's index, a zone's requests by state then age, with `new`,
/// which puts the preference tier before the age when `by_tier`.
async fn swap_index(
    manager: &SchemaManager<'_>,
    old: &str,
    new: &str,
    by_tier: bool,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(old).table(Requests::Table).to_owned())
        .await?;
    let mut index = Index::create();
    index
        .name(new)
        .table(Requests::Table)
        .col(Requests::ZoneId)
        .col(Requests::Status);
    if by_tier {
        index.col(PreferenceRank);
    }
    manager
        .create_index(index.col(Requests::CreatedAt).to_owned())
        .await
}

#[derive(DeriveIden)]
struct Preferential;

#[derive(DeriveIden)]
struct PreferenceRank;
