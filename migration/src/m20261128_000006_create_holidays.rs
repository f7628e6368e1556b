use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Holidays::Table)
                    .if_not_exists()
                    .col(pk_auto(Holidays::Id))
                    .col(date(Holidays::Date))
                    .col(string_len(Holidays::Name, 200))
                    // `nacional`, `forense`, `estadual-PA`, `municipal-Belem`, as in the data.
                    .col(string_len(Holidays::Scope, 140))
                    .col(text_null(Holidays::Note))
                    .to_owned(),
            )
            .await?;
        // Importing the same data twice updates instead of duplicating.
        manager
            .create_index(
                Index::create()
                    .name("idx_holidays_date_scope")
                    .table(Holidays::Table)
                    .col(Holidays::Date)
                    .col(Holidays::Scope)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Holidays::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Holidays {
    Table,
    Id,
    Date,
    Name,
    Scope,
    Note,
}
