//! The daily retention run (LGPD) as a job: it runs `app::retention::run_retention` and
//! queues the next day's run, so one job a day exists however many workers run.

use super::{JobError, Worker};
use crate::{app::retention::run_retention, domain::retention::next_run};

impl Worker {
    pub(super) async fn run_retention(&self) -> Result<String, JobError> {
        let now = self.clock.now();
        let report = run_retention(
            &self.store,
            self.settings.retention_policy(),
            &self.settings.email.outbox_dir,
            now,
            false,
        )
        .await
        .map_err(JobError::store)?;
        self.schedule_retention().await?;
        Ok(format!(
            "{} pedidos e {} senhas anonimizados, {} tarefas sem textos livres, {} arquivos de e-mail apagados",
            report.requests, report.tickets, report.jobs, report.mail_files
        ))
    }

    /// Queues the next daily run (once per day, whoever queues it): `serve` and `worker`
    /// call it when their worker starts; the job queues the following one when it runs.
    pub async fn schedule_retention(&self) -> Result<(), JobError> {
        let now = self.clock.now();
        self.store
            .schedule_retention(&next_run(now), now)
            .await
            .map_err(JobError::store)
    }

    /// [`Worker::schedule_retention`], a failure logged: the next start tries again, and
    /// nothing else waits on it.
    pub async fn schedule_retention_or_log(&self) {
        if let Err(error) = self.schedule_retention().await {
            tracing::error!(%error, "worker: cannot queue the daily retention run; the next start tries again");
        }
    }
}
