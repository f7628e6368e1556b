//! The outbox's jobs as admins see them: listing them and sending a dead one back.

use crate::app::{Admin, App, AppError};
use crate::{
    domain::field_errors::FieldErrors,
    store::{JobRecord, JobState},
};

/// Jobs listed at once when the caller does not say, and at most.
pub const DEFAULT_JOB_LIMIT: u64 = 100;
pub const MAX_JOB_LIMIT: u64 = 500;

impl App {
    pub async fn admin_jobs(
        &self,
        _: &Admin,
        state: Option<&str>,
        limit: Option<u64>,
    ) -> Result<Vec<JobRecord>, AppError> {
        let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(JobState::parse(text).ok_or_else(|| {
                let mut errors = FieldErrors::new();
                errors.add(
                    "state",
                    format!("Situação desconhecida: {text}. Use pending, running, done ou dead."),
                );
                AppError::Invalid(errors)
            })?),
        };
        let limit = limit.unwrap_or(DEFAULT_JOB_LIMIT).clamp(1, MAX_JOB_LIMIT);
        Ok(self.store.jobs(state, limit).await?)
    }

    /// The protocols of the requests the listed jobs belong to, so the list can name them.
    pub async fn admin_request_protocols(
        &self,
        _: &Admin,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<std::collections::HashMap<i64, String>, AppError> {
        Ok(self.store.protocols(ids).await?)
    }

    pub async fn admin_retry_job(&self, admin: &Admin, id: i64) -> Result<JobRecord, AppError> {
        let job = self.store.retry_job(id, admin.id(), self.now()).await?;
        tracing::info!(
            staff = admin.id(),
            job = id,
            "dead job sent back to the queue"
        );
        Ok(job)
    }
}
