use sea_orm_migration::{prelude::*, schema::*};

use super::m20261128_000003_create_requests::Requests;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The satisfaction survey (Lei 13.460/2017, art. 23): one answer per request, from its
/// requester, once the request is done with them attended. The request is unique, so a second
/// answer is refused by the database too, even when two arrive at once; the rating is held to
/// 1–5 here as well as by the rules.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SurveyAnswers::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SurveyAnswers::Id))
                    .col(big_integer_uniq(SurveyAnswers::RequestId))
                    .col(
                        small_integer(SurveyAnswers::Rating).check(
                            Expr::col(SurveyAnswers::Rating)
                                .gte(1)
                                .and(Expr::col(SurveyAnswers::Rating).lte(5)),
                        ),
                    )
                    .col(text_null(SurveyAnswers::Comment))
                    .col(timestamp_with_time_zone(SurveyAnswers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SurveyAnswers::Table, SurveyAnswers::RequestId)
                            .to(Requests::Table, Requests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SurveyAnswers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    Id,
    RequestId,
    Rating,
    Comment,
    CreatedAt,
}
