//! The outbox as the worker and admins see it: claiming due jobs under a lease, recording
//! each outcome, and listing and retrying jobs.

use chrono::{DateTime, Utc};
use entities::{jobs, sea_orm_active_enums as db};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use serde_json::json;

use super::{
    Store, StoreError,
    audit::{self, AdminChange},
    doing,
};

pub use crate::domain::job::JobState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    /// Unique per effect of one change.
    pub key: String,
    /// The key of a job that must be done before this one runs.
    pub waits_for: Option<String>,
    pub state: JobState,
    pub attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub result: Option<String>,
    pub request_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Outbox jobs, newest first.
    pub async fn jobs(
        &self,
        state: Option<JobState>,
        limit: u64,
    ) -> Result<Vec<JobRecord>, StoreError> {
        doing("listing jobs", async {
            let mut query = jobs::Entity::find();
            if let Some(state) = state {
                query = query.filter(jobs::Column::State.eq(db::JobState::from(state)));
            }
            let rows = query
                .order_by_desc(jobs::Column::CreatedAt)
                .order_by_desc(jobs::Column::Id)
                .limit(limit)
                .all(&self.db)
                .await?;
            Ok(rows.into_iter().map(JobRecord::from).collect())
        })
        .await
    }

    /// Puts a dead job back in the queue, due now. Its attempts and last error stay, so the
    /// history of its failures is not lost; any other state is a conflict.
    pub async fn retry_job(
        &self,
        id: i64,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<JobRecord, StoreError> {
        doing("sending a dead job back to the queue", async {
            let txn = self.begin_write().await?;
            // Conditional on the state, so a worker or another admin acting at the same time
            // cannot make one job run twice.
            let updated = jobs::Entity::update_many()
                .col_expr(jobs::Column::State, Expr::value(db::JobState::Pending))
                .col_expr(jobs::Column::RunAt, Expr::value(now))
                .col_expr(
                    jobs::Column::LockedUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(jobs::Column::LockedBy, Expr::value(None::<String>))
                .col_expr(jobs::Column::FinishedAt, Expr::value(None::<DateTime<Utc>>))
                // A fresh start: the admin's retry gets the whole give-up period again.
                .col_expr(
                    jobs::Column::FailingSince,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(jobs::Column::UpdatedAt, Expr::value(now))
                .filter(jobs::Column::Id.eq(id))
                .filter(jobs::Column::State.eq(db::JobState::Dead))
                .exec(&txn)
                .await?;
            let job = jobs::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            if updated.rows_affected != 1 {
                return Err(StoreError::JobNotDead {
                    state: JobState::from(job.state).as_str(),
                });
            }
            audit::record(
                &txn,
                AdminChange {
                    actor_staff_id: Some(actor),
                    action: "job.retry",
                    entity: "job",
                    entity_key: id.to_string(),
                    details: json!({
                        "kind": job.kind,
                        "attempts": job.attempts,
                        "last_error": job.last_error,
                    }),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(JobRecord::from(job))
        })
        .await
    }
}

impl From<JobState> for db::JobState {
    fn from(state: JobState) -> Self {
        match state {
            JobState::Pending => db::JobState::Pending,
            JobState::Running => db::JobState::Running,
            JobState::Done => db::JobState::Done,
            JobState::Dead => db::JobState::Dead,
        }
    }
}

impl From<db::JobState> for JobState {
    fn from(state: db::JobState) -> Self {
        match state {
            db::JobState::Pending => JobState::Pending,
            db::JobState::Running => JobState::Running,
            db::JobState::Done => JobState::Done,
            db::JobState::Dead => JobState::Dead,
        }
    }
}

impl From<jobs::Model> for JobRecord {
    fn from(job: jobs::Model) -> Self {
        JobRecord {
            id: job.id,
            kind: job.kind,
            key: job.dedupe_key,
            waits_for: job.waits_for,
            state: job.state.into(),
            attempts: job.attempts,
            run_at: job.run_at,
            last_error: job.last_error,
            result: job.result,
            request_id: job.request_id,
            created_at: job.created_at,
            updated_at: job.updated_at,
            finished_at: job.finished_at,
        }
    }
}

/// A job taken by a worker: it holds the lease until `locked_until`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub request_id: Option<i64>,
    /// Counting this one.
    pub attempts: i32,
    /// When its current run of failures began, if it has failed.
    pub failing_since: Option<DateTime<Utc>>,
}

/// What became of a job's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Ran: `result` says what happened (the SMTP server's reply, "ignorado: …").
    Done { result: String },
    /// Failed for now: run again at `run_at`.
    RetryAt {
        error: String,
        run_at: DateTime<Utc>,
    },
    /// Failed for good, or for too long: left for an admin to see and retry.
    Dead { error: String },
}

impl Store {
    /// Takes up to `limit` due jobs for `worker`: pending ones whose time has come, and
    /// running ones whose lease expired (their worker died). One statement claims them, so two
    /// workers never take the same job: `FOR UPDATE SKIP LOCKED` on PostgreSQL, and SQLite's
    /// single writer (which ignores the lock clause) elsewhere.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        limit: u64,
        lease: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        doing("claiming due jobs", async {
            use sea_orm::{
                ConnectionTrait,
                sea_query::{Alias, Condition, ExprTrait, LockBehavior, LockType, Query},
            };
            // A job that waits for another (an e-mail for the event that brings its link) is
            // due once no unfinished job holds the key it waits for.
            let prior = Alias::new("prior");
            let unfinished_prior = Query::select()
                .expr(Expr::val(1))
                .from_as(jobs::Entity, prior.clone())
                .and_where(
                    Expr::col((prior.clone(), jobs::Column::DedupeKey))
                        .equals((jobs::Entity, jobs::Column::WaitsFor)),
                )
                .and_where(Expr::col((prior, jobs::Column::State)).ne(db::JobState::Done))
                .to_owned();
            let due = Condition::any()
                .add(
                    Expr::col(jobs::Column::State)
                        .eq(db::JobState::Pending)
                        .and(Expr::col(jobs::Column::RunAt).lte(now))
                        .and(Expr::exists(unfinished_prior).not()),
                )
                .add(
                    Expr::col(jobs::Column::State)
                        .eq(db::JobState::Running)
                        .and(Expr::col(jobs::Column::LockedUntil).lt(now)),
                );
            let mut pick = Query::select();
            pick.column(jobs::Column::Id)
                .from(jobs::Entity)
                .cond_where(due)
                .order_by(jobs::Column::RunAt, sea_orm::Order::Asc)
                .order_by(jobs::Column::Id, sea_orm::Order::Asc)
                .limit(limit)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            let mut claim = Query::update();
            claim
                .table(jobs::Entity)
                .value(jobs::Column::State, db::JobState::Running)
                .value(jobs::Column::LockedBy, worker)
                .value(jobs::Column::LockedUntil, now + lease)
                .value(
                    jobs::Column::Attempts,
                    Expr::col(jobs::Column::Attempts).add(1),
                )
                .value(jobs::Column::UpdatedAt, now)
                .and_where(Expr::col(jobs::Column::Id).in_subquery(pick))
                .returning(Query::returning().columns([
                    jobs::Column::Id,
                    jobs::Column::Kind,
                    jobs::Column::Payload,
                    jobs::Column::RequestId,
                    jobs::Column::Attempts,
                    jobs::Column::FailingSince,
                ]));
            let txn = self.begin_write().await?;
            let rows = txn.query_all(&claim).await?;
            txn.commit().await?;
            let mut claimed = rows
                .into_iter()
                .map(|row| {
                    Ok(ClaimedJob {
                        id: row.try_get("", "id")?,
                        kind: row.try_get("", "kind")?,
                        payload: row.try_get("", "payload")?,
                        request_id: row.try_get("", "request_id")?,
                        attempts: row.try_get("", "attempts")?,
                        failing_since: row.try_get("", "failing_since")?,
                    })
                })
                .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
            claimed.sort_by_key(|job| job.id);
            Ok(claimed)
        })
        .await
    }

    /// Records how a job's run ended, if `worker` still holds the claim of attempt
    /// `attempts`. False means the lease was lost (the job was claimed again, by another
    /// worker or by this one): a late outcome must not overwrite the newer run's.
    pub async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        attempts: i32,
        outcome: &JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        doing("recording a job's outcome", async {
            let mut update = jobs::Entity::update_many()
                .col_expr(jobs::Column::LockedBy, Expr::value(None::<String>))
                .col_expr(
                    jobs::Column::LockedUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(jobs::Column::UpdatedAt, Expr::value(now));
            update = match outcome {
                JobOutcome::Done { result } => update
                    .col_expr(jobs::Column::State, Expr::value(db::JobState::Done))
                    .col_expr(jobs::Column::Result, Expr::value(result.clone()))
                    .col_expr(jobs::Column::FinishedAt, Expr::value(now)),
                JobOutcome::RetryAt { error, run_at } => update
                    .col_expr(jobs::Column::State, Expr::value(db::JobState::Pending))
                    .col_expr(
                        jobs::Column::FailingSince,
                        sea_orm::sea_query::Func::coalesce([
                            Expr::col(jobs::Column::FailingSince),
                            Expr::value(now),
                        ])
                        .into(),
                    )
                    .col_expr(jobs::Column::LastError, Expr::value(error.clone()))
                    .col_expr(jobs::Column::RunAt, Expr::value(*run_at)),
                JobOutcome::Dead { error } => update
                    .col_expr(jobs::Column::State, Expr::value(db::JobState::Dead))
                    .col_expr(jobs::Column::LastError, Expr::value(error.clone()))
                    .col_expr(jobs::Column::FinishedAt, Expr::value(now)),
            };
            let result = update
                .filter(jobs::Column::Id.eq(id))
                .filter(jobs::Column::State.eq(db::JobState::Running))
                .filter(jobs::Column::LockedBy.eq(worker))
                .filter(jobs::Column::Attempts.eq(attempts))
                .exec(&self.db)
                .await?;
            Ok(result.rows_affected == 1)
        })
        .await
    }

    /// The outbox jobs of one request, oldest first: what staff see as its deliveries.
    pub async fn request_jobs(&self, request_id: i64) -> Result<Vec<JobRecord>, StoreError> {
        doing("listing a request's jobs", async {
            let rows = jobs::Entity::find()
                .filter(jobs::Column::RequestId.eq(request_id))
                .order_by_asc(jobs::Column::Id)
                .all(&self.db)
                .await?;
            Ok(rows.into_iter().map(JobRecord::from).collect())
        })
        .await
    }
}
