use sea_orm_migration::prelude::*;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Staff search names without minding case or accents ("joao" finds "João"). SQLite's
/// `lower()` only knows ASCII and neither database drops accents by itself, so the folded
/// name is stored beside the name when a request is filed, and filled in here for the rows
/// that exist already.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .add_column(
                        ColumnDef::new(RequesterNameKey)
                            .string()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let rows = db
            .query_all(
                &Query::select()
                    .columns([Requests::Id, Requests::RequesterName])
                    .from(Requests::Table)
                    .to_owned(),
            )
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "requester_name")?;
            db.execute(
                &Query::update()
                    .table(Requests::Table)
                    .value(RequesterNameKey, fold(&name))
                    .and_where(Expr::col(Requests::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Requests::Table)
                    .drop_column(RequesterNameKey)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct RequesterNameKey;

/// The fold of `contato::domain::text::search_key` as it stood when this migration was
/// written: a migration keeps the logic of its day, whatever the application does later.
fn fold(name: &str) -> String {
    name.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}
