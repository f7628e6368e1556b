//! Writing jobs to the outbox, inside the transaction of the change that needs them.

use chrono::{DateTime, Utc};
use entities::{jobs, sea_orm_active_enums::JobState};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, EntityTrait, sea_query::OnConflict};
use serde_json::json;

use crate::domain::effects::{Effect, Message};

/// A job about to be written.
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    /// Unique per effect of one change: enqueueing it again is a no-op.
    pub dedupe_key: String,
    pub run_at: DateTime<Utc>,
}

/// The jobs for `effects` of the change that brought request `request_id` to `version`.
/// `details` is what the change decided (the new slot, the reason, …): the job carries it,
/// so a message says what happened then, even if the request has moved on by the time it
/// is sent.
pub fn for_effects(
    request_id: i64,
    version: i32,
    effects: &[Effect],
    details: &serde_json::Value,
    now: DateTime<Utc>,
) -> Vec<NewJob> {
    effects
        .iter()
        .map(|effect| NewJob {
            kind: effect.kind(),
            payload: json!({ "request_id": request_id, "version": version, "details": details }),
            dedupe_key: format!("request:{request_id}:v{version}:{}", effect.kind()),
            run_at: now,
        })
        .collect()
}

/// Reminder e-mails for one scheduling revision; the worker skips them if the meeting has
/// moved or been cancelled by the time they are due.
pub fn reminders(request_id: i64, revision: i32, due: &[(u32, DateTime<Utc>)]) -> Vec<NewJob> {
    let kind = Effect::Email(Message::Reminder).kind();
    due.iter()
        .map(|(hours_before, run_at)| NewJob {
            kind,
            payload: json!({
                "request_id": request_id,
                "details": { "revision": revision, "hours_before": hours_before },
            }),
            dedupe_key: format!("request:{request_id}:r{revision}:reminder:{hours_before}h"),
            run_at: *run_at,
        })
        .collect()
}

pub async fn enqueue(
    txn: &DatabaseTransaction,
    request_id: i64,
    jobs: Vec<NewJob>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if jobs.is_empty() {
        return Ok(());
    }
    let rows = jobs.into_iter().map(|job| jobs::ActiveModel {
        kind: Set(job.kind.to_string()),
        payload: Set(job.payload),
        dedupe_key: Set(job.dedupe_key),
        request_id: Set(Some(request_id)),
        state: Set(JobState::Pending),
        attempts: Set(0),
        run_at: Set(job.run_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    jobs::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(jobs::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
