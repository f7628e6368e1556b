//! Writing jobs to the outbox, inside the transaction of the change that needs them.

use chrono::{DateTime, Utc};
use entities::{jobs, sea_orm_active_enums::JobState};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, EntityTrait, sea_query::OnConflict};

use crate::domain::change::Effect;

/// Writes `effects` as pending jobs; one already written (same key) is left as it is.
pub async fn enqueue(
    txn: &DatabaseTransaction,
    effects: &[Effect],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if effects.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(effects.len());
    for effect in effects {
        let (kind, payload) = effect.job.encode().map_err(|error| {
            DbErr::Custom(format!(
                "cannot encode the {:?} job: {error}",
                effect.job.kind()
            ))
        })?;
        rows.push(jobs::ActiveModel {
            kind: Set(kind.as_str().to_string()),
            payload: Set(payload),
            dedupe_key: Set(effect.key.clone()),
            request_id: Set(effect.job.request_id()),
            state: Set(JobState::Pending),
            attempts: Set(0),
            run_at: Set(effect.run_at),
            waits_for: Set(effect.waits_for.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
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
