//! Satisfaction survey answers: the requester's one answer, written under the request's row
//! lock, and read back for the request's pages and the monitoring counts.

use chrono::{DateTime, Utc};
use entities::{requests, survey_answers};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, SqlErr,
    sea_query::{Expr, Func},
};

use super::{
    Store, StoreError, doing,
    indicators::{retally, tallied},
};
use crate::domain::survey::{Rating, SurveyAnswer, SurveyRefusal, may_answer};

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRecord {
    pub rating: Rating,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Stores the requester's answer for request `request_id` if [`may_answer`] allows it:
    /// the request's row is locked, so its state cannot change meanwhile and two answers
    /// arriving together are judged one after the other; the unique request id refuses a
    /// second answer should anything get past that.
    pub async fn answer_survey(
        &self,
        request_id: i64,
        answer: &SurveyAnswer,
        now: DateTime<Utc>,
    ) -> Result<Result<SurveyRecord, SurveyRefusal>, StoreError> {
        doing("answering the satisfaction survey", async {
            let txn = self.begin_write().await?;
            let row = requests::Entity::find_by_id(request_id)
                .lock_exclusive()
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let answered = answer_of(&txn, request_id).await?.is_some();
            if let Err(refusal) =
                may_answer(row.status.into(), row.outcome.map(Into::into), answered)
            {
                return Ok(Err(refusal));
            }
            let inserted = survey_answers::ActiveModel {
                request_id: Set(request_id),
                rating: Set(i16::from(answer.rating.value())),
                comment: Set(answer.comment.as_ref().map(|c| c.as_str().to_string())),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            let stored = match inserted {
                Ok(stored) => stored,
                // Dropping the transaction rolls it back: nothing is written.
                Err(error)
                    if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
                {
                    return Ok(Err(SurveyRefusal::AlreadyAnswered));
                }
                Err(error) => return Err(error.into()),
            };
            retally(
                &txn,
                Some(&tallied(&row, None)),
                Some(&tallied(&row, Some(stored.rating))),
            )
            .await?;
            txn.commit().await?;
            Ok(Ok(record(stored)?))
        })
        .await
    }

    /// The answer to request `request_id`'s survey, if its requester gave one. The caller has
    /// found the request in its scope.
    pub async fn survey_answer(&self, request_id: i64) -> Result<Option<SurveyRecord>, StoreError> {
        doing("reading a survey answer", async {
            answer_of(&self.db, request_id)
                .await?
                .map(record)
                .transpose()
        })
        .await
    }

    /// `(rating, count)` of every answer given, for the ratings that have any.
    pub async fn survey_counts(&self) -> Result<Vec<(i16, i64)>, StoreError> {
        doing("counting survey answers", async {
            let column = survey_answers::Column::Rating;
            Ok(survey_answers::Entity::find()
                .select_only()
                .column(column)
                .column_as(Expr::expr(Func::count(Expr::col(column))), "n")
                .group_by(column)
                .into_tuple()
                .all(&self.db)
                .await?)
        })
        .await
    }
}

pub(super) async fn answer_of<C: ConnectionTrait>(
    db: &C,
    request_id: i64,
) -> Result<Option<survey_answers::Model>, sea_orm::DbErr> {
    survey_answers::Entity::find()
        .filter(survey_answers::Column::RequestId.eq(request_id))
        .one(db)
        .await
}

/// Only [`Store::answer_survey`] writes answers, with a [`Rating`]; the table's check holds
/// the same 1–5.
pub(super) fn record(stored: survey_answers::Model) -> Result<SurveyRecord, StoreError> {
    let rating = Rating::from_value(i64::from(stored.rating)).map_err(|_| {
        sea_orm::DbErr::Custom(format!(
            "survey answer {}: rating {} is not 1 to 5",
            stored.id, stored.rating
        ))
    })?;
    Ok(SurveyRecord {
        rating,
        comment: stored.comment,
        at: stored.created_at,
    })
}
