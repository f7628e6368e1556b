use sea_orm_migration::prelude::*;

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The open-requests limit counts a person's requests by e-mail address alone, without
/// minding letter case: by CPF too, anyone who knew a CPF could file requests with it from
/// throwaway addresses and so refuse its owner's own. The address in lower case is stored
/// beside it, indexed with the state for the count, and filled in here for the rows that
/// exist. `lower()` is enough for them: a stored address has an ASCII local part and a
/// domain already in lower case, and on ASCII both databases agree with Rust's
/// `to_lowercase`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(ColumnDef::new(EmailKey).string().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE requests SET email_key = lower(email)")
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_email")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_email_key")
                    .table(Requests::Table)
                    .col(EmailKey)
                    .col(Requests::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_email_key")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_email")
                    .table(Requests::Table)
                    .col(Requests::Email)
                    .col(Requests::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .drop_column(EmailKey)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct EmailKey;
