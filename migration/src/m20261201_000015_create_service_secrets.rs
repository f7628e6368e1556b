use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Secrets the service keeps for itself, made on first use and shared by every process on
/// the database (so several instances sign and check the same way): e.g. the key that signs
/// the sign-in form's token.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ServiceSecrets::Table)
                    .if_not_exists()
                    .col(string_len(ServiceSecrets::Name, 64).primary_key())
                    .col(string_len(ServiceSecrets::Value, 128))
                    .col(timestamp_with_time_zone(ServiceSecrets::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ServiceSecrets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ServiceSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}
