use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Zones::Table)
                    .if_not_exists()
                    .col(pk_auto(Zones::Id))
                    .col(integer_uniq(Zones::Number))
                    .col(string_len(Zones::Name, 120))
                    .col(string_len_null(Zones::Seat, 120))
                    // A JSON array of names: read whole with the zone, never queried inside.
                    .col(json_binary(Zones::Municipalities))
                    .col(string_len_null(Zones::NotificationEmail, 254))
                    .col(string_len_null(Zones::CalendarId, 255))
                    .col(string_len_null(Zones::RoomLink, 500))
                    // The zone's own service window; NULL falls back to the configured one.
                    .col(time_null(Zones::Opens))
                    .col(time_null(Zones::Closes))
                    .col(integer_null(Zones::SlotMinutes))
                    .col(string_len_null(Zones::Weekdays, 7))
                    .col(boolean(Zones::Active).default(true))
                    .col(timestamp_with_time_zone(Zones::CreatedAt))
                    .col(timestamp_with_time_zone(Zones::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Zones::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Zones {
    Table,
    Id,
    Number,
    Name,
    Seat,
    Municipalities,
    NotificationEmail,
    CalendarId,
    RoomLink,
    Opens,
    Closes,
    SlotMinutes,
    Weekdays,
    Active,
    CreatedAt,
    UpdatedAt,
}
