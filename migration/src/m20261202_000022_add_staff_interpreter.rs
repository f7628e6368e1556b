use sea_orm_migration::prelude::*;

use super::m20261128_000002_create_staff::Staff;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Staff accounts may be Libras interpreters, who join the meetings of requests that need
/// one. The accounts that exist are not.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Staff::Table)
                    .add_column(
                        ColumnDef::new(Interpreter)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Staff::Table)
                    .drop_column(Interpreter)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
struct Interpreter;
