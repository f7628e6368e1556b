use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261128_000001_create_zones::Zones, m20261128_000002_create_staff::Staff};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Requests::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Requests::Id))
                    .col(string_len_uniq(Requests::Protocol, 16))
                    .col(integer(Requests::ZoneId))
                    .col(string_len(Requests::Status, 16))
                    .col(string_len(Requests::RequesterName, 120))
                    .col(string_len(Requests::Cpf, 11))
                    .col(string_len(Requests::Email, 254))
                    .col(string_len(Requests::Phone, 20))
                    .col(string_len(Requests::Role, 16))
                    .col(string_len_null(Requests::Oab, 16))
                    .col(string_len_null(Requests::ProcessNumber, 25))
                    .col(string_len(Requests::Subject, 150))
                    .col(text(Requests::Description))
                    .col(json_binary(Requests::PreferredDates))
                    // SHA-256 of the tracking token, hex: the token itself is never stored.
                    .col(string_len_uniq(Requests::TrackingTokenHash, 64))
                    .col(integer_null(Requests::AssigneeId))
                    .col(timestamp_with_time_zone_null(Requests::ScheduledStart))
                    .col(timestamp_with_time_zone_null(Requests::ScheduledEnd))
                    .col(string_len_null(Requests::MeetLink, 500))
                    .col(string_len_null(Requests::CalendarEventId, 1024))
                    // Bumped on each schedule and reschedule: the invitation's SEQUENCE.
                    .col(integer(Requests::ScheduleRevision).default(0))
                    .col(string_len_null(Requests::Outcome, 16))
                    .col(text_null(Requests::RejectionReason))
                    // Optimistic concurrency: every change is `WHERE version = <seen>`.
                    .col(integer(Requests::Version).default(1))
                    .col(timestamp_with_time_zone(Requests::CreatedAt))
                    .col(timestamp_with_time_zone(Requests::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Requests::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Requests::Table, Requests::ZoneId)
                            .to(Zones::Table, Zones::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Requests::Table, Requests::AssigneeId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        let indexes = [
            // The staff inbox: a zone's requests by state, oldest first.
            (
                "idx_requests_inbox",
                vec![Requests::ZoneId, Requests::Status, Requests::CreatedAt],
            ),
            // A clerk's load (routing) and agenda (overlaps).
            (
                "idx_requests_assignee",
                vec![Requests::AssigneeId, Requests::Status],
            ),
            // The limit of open requests per person.
            ("idx_requests_cpf", vec![Requests::Cpf, Requests::Status]),
            (
                "idx_requests_email",
                vec![Requests::Email, Requests::Status],
            ),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create();
            index.name(name).table(Requests::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Requests::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Requests {
    Table,
    Id,
    Protocol,
    ZoneId,
    Status,
    RequesterName,
    Cpf,
    Email,
    Phone,
    Role,
    Oab,
    ProcessNumber,
    Subject,
    Description,
    PreferredDates,
    TrackingTokenHash,
    AssigneeId,
    ScheduledStart,
    ScheduledEnd,
    MeetLink,
    CalendarEventId,
    ScheduleRevision,
    Outcome,
    RejectionReason,
    Version,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
}
