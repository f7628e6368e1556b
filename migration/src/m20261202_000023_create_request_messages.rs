use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use super::{m20261128_000002_create_staff::Staff, m20261128_000003_create_requests::Requests};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Attendance by written messages. A request has a mode (`video`, the rows that exist, or
/// `message`) and a thread of messages from the requester and the zone.
///
/// On the request, for the inbox and the e-mails: `staff_unread` (the requester wrote since a
/// clerk last opened the thread), `reply_due_at` (when the court's reply to the oldest
/// unanswered message is late), and per side the first message of the batch whose e-mail has
/// not gone yet, so that quick messages share one e-mail (`*_notice_batch`, also stored on
/// each message).
///
/// The outcome column grows to hold `attended_by_message`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Mode)
                .string_len(16)
                .not_null()
                .default("video")
                .to_owned(),
            ColumnDef::new(StaffUnread)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            timestamp_with_time_zone_null(ReplyDueAt),
            big_integer_null(ZoneNoticeBatch),
            big_integer_null(RequesterNoticeBatch),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Requests::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // SQLite does not hold a string to its length; PostgreSQL's varchar(16) would refuse
        // the new outcome.
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(Requests::Table)
                        .modify_column(ColumnDef::new(Outcome).string_len(32).null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(RequestMessages::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RequestMessages::Id))
                    .col(big_integer(RequestMessages::RequestId))
                    .col(string_len(RequestMessages::Author, 16))
                    .col(integer_null(RequestMessages::StaffId))
                    .col(text(RequestMessages::Body))
                    .col(big_integer(RequestMessages::NoticeBatch))
                    .col(timestamp_with_time_zone(RequestMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestMessages::Table, RequestMessages::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestMessages::Table, RequestMessages::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // A thread, read in order; a batch's messages, read by its e-mail.
        manager
            .create_index(
                Index::create()
                    .name("idx_request_messages_thread")
                    .table(RequestMessages::Table)
                    .col(RequestMessages::RequestId)
                    .col(RequestMessages::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RequestMessages::Table).to_owned())
            .await?;
        for column in [
            RequesterNoticeBatch.into_iden(),
            ZoneNoticeBatch.into_iden(),
            ReplyDueAt.into_iden(),
            StaffUnread.into_iden(),
            Mode.into_iden(),
        ] {
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
enum RequestMessages {
    Table,
    Id,
    RequestId,
    Author,
    StaffId,
    Body,
    NoticeBatch,
    CreatedAt,
}

#[derive(DeriveIden)]
struct Mode;

#[derive(DeriveIden)]
struct StaffUnread;

#[derive(DeriveIden)]
struct ReplyDueAt;

#[derive(DeriveIden)]
struct ZoneNoticeBatch;

#[derive(DeriveIden)]
struct RequesterNoticeBatch;

#[derive(DeriveIden)]
struct Outcome;
