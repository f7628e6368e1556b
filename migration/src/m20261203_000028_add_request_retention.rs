use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000003_create_requests::Requests;

/// The same-day tickets' table (migration 000020).
#[derive(DeriveIden)]
enum QueueTickets {
    Table,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

/// LGPD retention: a request on legal hold (`legal_hold`, put and lifted by staff with a
/// reason in its history) keeps its personal data; `anonymised_at` says when retention (or
/// a data-subject request) replaced it, so a run never does a request twice; a same-day
/// ticket gets the same mark. The partial
/// index lists what retention still has to look at: final requests not anonymised, by the
/// time they closed.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            boolean(LegalHold).default(false).to_owned(),
            timestamp_with_time_zone_null(AnonymisedAt),
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
        manager
            .alter_table(
                Table::alter()
                    .table(QueueTickets::Table)
                    .add_column(timestamp_with_time_zone_null(AnonymisedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_retention")
                    .table(Requests::Table)
                    .col(Requests::ClosedAt)
                    .and_where(Expr::col(AnonymisedAt).is_null())
                    .and_where(Expr::col(Requests::ClosedAt).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_retention")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(QueueTickets::Table)
                    .drop_column(AnonymisedAt)
                    .to_owned(),
            )
            .await?;
        for column in [AnonymisedAt.into_iden(), LegalHold.into_iden()] {
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
struct LegalHold;

#[derive(DeriveIden)]
struct AnonymisedAt;
