use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tracking tokens minted after the first: each e-mail to a requester carries a fresh link,
/// so no token ever has to be stored in a readable form (only hashes, as for the first).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrackingTokens::Table)
                    .if_not_exists()
                    .col(big_pk_auto(TrackingTokens::Id))
                    .col(big_integer(TrackingTokens::RequestId))
                    .col(string_len_uniq(TrackingTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(TrackingTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TrackingTokens::Table, TrackingTokens::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tracking_tokens_request")
                    .table(TrackingTokens::Table)
                    .col(TrackingTokens::RequestId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrackingTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum TrackingTokens {
    Table,
    Id,
    RequestId,
    TokenHash,
    CreatedAt,
}
