use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000001_create_zones::Zones;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Staff::Table)
                    .if_not_exists()
                    .col(pk_auto(Staff::Id))
                    // Stored lowercased, so uniqueness is case-insensitive on both databases.
                    .col(string_len_uniq(Staff::Email, 254))
                    .col(string_len(Staff::Name, 120))
                    .col(string_len(Staff::Role, 16))
                    .col(string_len(Staff::PasswordHash, 255))
                    .col(boolean(Staff::Active).default(true))
                    .col(timestamp_with_time_zone(Staff::CreatedAt))
                    .col(timestamp_with_time_zone(Staff::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffZones::Table)
                    .if_not_exists()
                    .col(integer(StaffZones::StaffId))
                    .col(integer(StaffZones::ZoneId))
                    .primary_key(
                        Index::create()
                            .col(StaffZones::StaffId)
                            .col(StaffZones::ZoneId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffZones::Table, StaffZones::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffZones::Table, StaffZones::ZoneId)
                            .to(Zones::Table, Zones::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Routing looks up the clerks of a zone.
        manager
            .create_index(
                Index::create()
                    .name("idx_staff_zones_zone")
                    .table(StaffZones::Table)
                    .col(StaffZones::ZoneId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StaffZones::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Staff::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Staff {
    Table,
    Id,
    Email,
    Name,
    Role,
    PasswordHash,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum StaffZones {
    Table,
    StaffId,
    ZoneId,
}
