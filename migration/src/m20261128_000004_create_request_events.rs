use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261128_000002_create_staff::Staff, m20261128_000003_create_requests::Requests};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The audit trail of a request: one row per change, never updated or deleted.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RequestEvents::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RequestEvents::Id))
                    .col(big_integer(RequestEvents::RequestId))
                    .col(timestamp_with_time_zone(RequestEvents::At))
                    .col(string_len(RequestEvents::ActorKind, 16))
                    .col(integer_null(RequestEvents::ActorStaffId))
                    .col(string_len(RequestEvents::Action, 16))
                    .col(string_len_null(RequestEvents::FromStatus, 16))
                    .col(string_len(RequestEvents::ToStatus, 16))
                    .col(integer_null(RequestEvents::FromZone))
                    .col(integer_null(RequestEvents::ToZone))
                    .col(text_null(RequestEvents::Note))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestEvents::Table, RequestEvents::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestEvents::Table, RequestEvents::ActorStaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_request_events_request")
                    .table(RequestEvents::Table)
                    .col(RequestEvents::RequestId)
                    .col(RequestEvents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RequestEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum RequestEvents {
    Table,
    Id,
    RequestId,
    At,
    ActorKind,
    ActorStaffId,
    Action,
    FromStatus,
    ToStatus,
    FromZone,
    ToZone,
    Note,
}
