use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000002_create_staff::Staff;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Administrative changes (accounts, zones, holidays, job retries): who, when, what.
/// Changes to requests have their own trail in `request_events`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(integer_null(AuditLog::ActorStaffId))
                    .col(string_len(AuditLog::Action, 40))
                    .col(string_len(AuditLog::Entity, 20))
                    .col(string_len(AuditLog::EntityKey, 40))
                    .col(json_binary(AuditLog::Details))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditLog::Table, AuditLog::ActorStaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_entity")
                    .table(AuditLog::Table)
                    .col(AuditLog::Entity)
                    .col(AuditLog::EntityKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AuditLog {
    Table,
    Id,
    At,
    ActorStaffId,
    Action,
    Entity,
    EntityKey,
    Details,
}
