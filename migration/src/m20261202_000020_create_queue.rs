use sea_orm_migration::{prelude::*, schema::*};

use super::{
    m20261128_000001_create_zones::Zones, m20261128_000002_create_staff::Staff,
    m20261128_000003_create_requests::Requests,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The zone's counter: same-day service in a queue. A ticket is one person's place in one
/// zone's queue on one day; the queue lives here so that several `serve` processes call from
/// the same one. A ticket's secret is signed with the service's key, not stored.
/// Duty days ("plantão") open a zone's counter on a date it is normally closed.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QueueTickets::Table)
                    .if_not_exists()
                    .col(big_pk_auto(QueueTickets::Id))
                    .col(integer(QueueTickets::ZoneId))
                    // The local date of the session the ticket joined, and its closing time.
                    .col(date(QueueTickets::ServiceDate))
                    .col(timestamp_with_time_zone(QueueTickets::ClosesAt))
                    .col(string_len(QueueTickets::Status, 16))
                    .col(string_len(QueueTickets::Name, 120))
                    .col(string_len(QueueTickets::Cpf, 11))
                    .col(string_len(QueueTickets::Email, 254))
                    .col(string_len(QueueTickets::EmailKey, 254))
                    .col(string_len_null(QueueTickets::Phone, 20))
                    .col(string_len(QueueTickets::Subject, 150))
                    .col(string_len_null(QueueTickets::Preferential, 24))
                    .col(small_integer(QueueTickets::PreferenceRank))
                    .col(timestamp_with_time_zone(QueueTickets::JoinedAt))
                    .col(timestamp_with_time_zone_null(QueueTickets::CalledAt))
                    .col(integer_null(QueueTickets::CalledBy))
                    .col(timestamp_with_time_zone_null(QueueTickets::FinishedAt))
                    .col(string_len_null(QueueTickets::MeetLink, 500))
                    .col(string_len_null(QueueTickets::CalendarEventId, 255))
                    // The request the ticket became after the counter closed, if it did.
                    .col(big_integer_null(QueueTickets::RequestId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(QueueTickets::Table, QueueTickets::ZoneId)
                            .to(Zones::Table, Zones::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QueueTickets::Table, QueueTickets::CalledBy)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QueueTickets::Table, QueueTickets::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // The serving order of one zone's queue on one day: the call takes the first row,
        // a position counts the rows before it.
        manager
            .create_index(
                Index::create()
                    .name("idx_queue_tickets_serving")
                    .table(QueueTickets::Table)
                    .col(QueueTickets::ZoneId)
                    .col(QueueTickets::ServiceDate)
                    .col(QueueTickets::Status)
                    .col(QueueTickets::PreferenceRank)
                    .col(QueueTickets::JoinedAt)
                    .col(QueueTickets::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_queue_tickets_request")
                    .table(QueueTickets::Table)
                    .col(QueueTickets::RequestId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One person waits at most once in one zone's queue of a day, by CPF and by e-mail:
        // the database says so even when two joins race. By day, so that a call a clerk never
        // ended does not keep its person out of the next day's queue. Partial indexes, the
        // same SQL on SQLite and PostgreSQL.
        let connection = manager.get_connection();
        for (name, column) in [
            ("uq_queue_tickets_active_cpf", "cpf"),
            ("uq_queue_tickets_active_email", "email_key"),
        ] {
            connection
                .execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX {name} ON queue_tickets (zone_id, service_date, {column}) \
                     WHERE status IN ('waiting', 'called')"
                ))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ZoneDutyDays::Table)
                    .if_not_exists()
                    .col(pk_auto(ZoneDutyDays::Id))
                    .col(integer(ZoneDutyDays::ZoneId))
                    .col(date(ZoneDutyDays::Date))
                    .col(time(ZoneDutyDays::Opens))
                    .col(time(ZoneDutyDays::Closes))
                    .col(string_len_null(ZoneDutyDays::Note, 200))
                    .col(timestamp_with_time_zone(ZoneDutyDays::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ZoneDutyDays::Table, ZoneDutyDays::ZoneId)
                            .to(Zones::Table, Zones::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_zone_duty_days_date")
                    .table(ZoneDutyDays::Table)
                    .col(ZoneDutyDays::ZoneId)
                    .col(ZoneDutyDays::Date)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ZoneDutyDays::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(QueueTickets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum QueueTickets {
    Table,
    Id,
    ZoneId,
    ServiceDate,
    ClosesAt,
    Status,
    Name,
    Cpf,
    Email,
    EmailKey,
    Phone,
    Subject,
    Preferential,
    PreferenceRank,
    JoinedAt,
    CalledAt,
    CalledBy,
    FinishedAt,
    MeetLink,
    CalendarEventId,
    RequestId,
}

#[derive(DeriveIden)]
enum ZoneDutyDays {
    Table,
    Id,
    ZoneId,
    Date,
    Opens,
    Closes,
    Note,
    CreatedAt,
}
