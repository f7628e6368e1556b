use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A clerk may offer a requester a few free times to pick from. Offered times are held: they
/// count as taken in the clerk's agenda (no other request is offered or scheduled at them)
/// until the requester picks one, the clerk withdraws, the request is cancelled or the offer
/// runs out at `requests.offer_expires_at`. A request's rows are deleted when that happens.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OfferedSlots::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OfferedSlots::Id))
                    .col(big_integer(OfferedSlots::RequestId))
                    .col(integer_null(OfferedSlots::ClerkId))
                    .col(timestamp_with_time_zone(OfferedSlots::StartsAt))
                    .col(timestamp_with_time_zone(OfferedSlots::EndsAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OfferedSlots::Table, OfferedSlots::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            // A request's offer, read with the request.
            (
                "idx_offered_slots_request",
                vec![OfferedSlots::RequestId, OfferedSlots::StartsAt],
            ),
            // A clerk's agenda: what else holds their time.
            (
                "idx_offered_slots_clerk",
                vec![OfferedSlots::ClerkId, OfferedSlots::StartsAt],
            ),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create();
            index.name(name).table(OfferedSlots::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(timestamp_with_time_zone_null(OfferExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .drop_column(OfferExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OfferedSlots::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OfferedSlots {
    Table,
    Id,
    RequestId,
    ClerkId,
    StartsAt,
    EndsAt,
}

#[derive(DeriveIden)]
struct OfferExpiresAt;
