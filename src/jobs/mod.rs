//! The outbox worker: claims due jobs in small batches under a lease, runs their effects
//! (e-mail now, calendar events with the google provider), and records each outcome: done,
//! retried later with backoff, or dead for an admin to see. Nothing is deleted.
//!
//! A worker that dies mid-job loses its lease and another takes the job over; a worker asked
//! to stop finishes the batch it holds and then stops claiming.

mod email;
mod interpreter;
mod meeting;
mod offer;
mod queue;
mod retention;
pub mod retry;

use std::{sync::Arc, time::Duration};

use futures::future::join_all;
use lettre::message::Mailbox;
use rand::Rng;
use tokio::{sync::watch, task::JoinSet};
use tracing::Instrument;

use self::retry::RetryPolicy;
use crate::{
    calendar::GoogleCalendar,
    clock::Clock,
    config::Settings,
    domain::{change::Policy, job::Job},
    links::Links,
    notify::{Mailer, SendError, Templates},
    store::{ClaimedJob, JobOutcome, RequestRecord, Store, StoreError, ZoneScope},
};

/// Why a job's run failed, in a sentence for staff (kept as the job's last error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (a server down or busy, a database hiccup).
    #[error("{0}")]
    Transient(String),
    /// Will fail the same way every time (an address refused, a malformed job).
    #[error("{0}")]
    Permanent(String),
}

impl JobError {
    /// Staff read the job's error in Portuguese with the database's own words; the log
    /// line also says what the store was doing.
    fn store(error: StoreError) -> JobError {
        tracing::warn!(%error, "job: the database failed");
        let detail = match error {
            StoreError::Database { source, .. } => source.to_string(),
            other => other.to_string(),
        };
        JobError::Transient(format!("falha no banco de dados: {detail}"))
    }
}

impl From<SendError> for JobError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Transient(message) => JobError::Transient(message),
            SendError::Permanent(message) => JobError::Permanent(message),
        }
    }
}

pub struct Worker {
    store: Store,
    /// With the google provider: the zones' calendars.
    calendar: Option<GoogleCalendar>,
    settings: Arc<Settings>,
    mailer: Mailer,
    templates: Templates,
    from: Mailbox,
    /// For Message-IDs and invitation UIDs: the domain of `smtp.from`.
    mail_domain: String,
    id: String,
    policy: RetryPolicy,
    /// The rules a change the worker makes itself (an offer's expiry) is judged by.
    change_policy: Policy,
    clock: Clock,
    links: Links,
}

impl Worker {
    pub fn new(
        store: Store,
        settings: Arc<Settings>,
        calendar: Option<GoogleCalendar>,
        clock: Clock,
    ) -> anyhow::Result<Worker> {
        let mailer =
            Mailer::from_settings(&settings.smtp, &settings.email, settings.worker.batch_size)?;
        let from: Mailbox = settings
            .smtp
            .from
            .parse()
            .map_err(|error| anyhow::anyhow!("configuration key smtp.from: {error}"))?;
        let mail_domain = from.email.domain().to_string();
        let id = format!("{}-{:08x}", std::process::id(), rand::rng().random::<u32>());
        Ok(Worker {
            templates: Templates::new(&settings.email.templates_dir),
            policy: RetryPolicy::from_settings(&settings.worker),
            change_policy: settings.change_policy()?,
            calendar,
            clock,
            links: Links::new(&settings.server.public_url),
            store,
            mailer,
            from,
            mail_domain,
            id,
            settings,
        })
    }

    /// Runs batches until `stop` turns true, then returns once the batch in hand is done.
    /// Keeps up to `worker.batch_size` jobs in flight, claiming more as each one finishes,
    /// until `stop` turns true; then lets the jobs in hand finish and returns.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.settings.worker.poll_ms);
        let capacity = self.settings.worker.batch_size as usize;
        let mut running = JoinSet::new();
        tracing::info!(worker = %self.id, "worker started");
        while !*stop.borrow() {
            let free = capacity - running.len();
            if free > 0 {
                match self.claim(free).await {
                    Ok(jobs) => {
                        let full = jobs.len() == free;
                        for job in jobs {
                            let worker = self.clone();
                            running.spawn(async move {
                                let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
                                worker.run_job(&job).instrument(span).await;
                            });
                        }
                        // Every free place was filled: more may be due, so look again at once.
                        if full {
                            continue;
                        }
                    }
                    Err(error) => tracing::error!(%error, "worker: cannot claim jobs"),
                }
            }
            tokio::select! {
                Some(finished) = running.join_next(), if !running.is_empty() => {
                    if let Err(error) = finished {
                        tracing::error!(%error, "worker: a job panicked; its lease will expire and it will run again");
                    }
                }
                () = tokio::time::sleep(poll) => {}
                changed = stop.changed() => {
                    // The sender is gone: nobody can ask for a stop any more, so stop now
                    // rather than spin on a channel that answers at once.
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        while running.join_next().await.is_some() {}
        tracing::info!(worker = %self.id, "worker stopped");
    }

    async fn claim(&self, count: usize) -> Result<Vec<ClaimedJob>, StoreError> {
        let lease = chrono::Duration::seconds(self.settings.worker.lease_seconds as i64);
        self.store
            .claim_jobs(&self.id, count as u64, lease, self.clock.now())
            .await
    }

    /// Claims one batch and runs its jobs concurrently; returns how many it claimed.
    pub async fn run_batch(&self) -> Result<usize, StoreError> {
        let jobs = self.claim(self.settings.worker.batch_size as usize).await?;
        let count = jobs.len();
        join_all(jobs.iter().map(|job| {
            let span =
                tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
            self.run_job(job).instrument(span)
        }))
        .await;
        Ok(count)
    }

    async fn run_job(&self, job: &ClaimedJob) {
        // A run must end while its lease holds: past it, another worker may take the job and
        // do the same e-mail or calendar change a second time.
        let limit = Duration::from_secs(self.settings.worker.lease_seconds).mul_f64(0.8);
        let result = match tokio::time::timeout(limit, self.dispatch(job)).await {
            Ok(result) => result,
            Err(_) => Err(JobError::Transient(format!(
                "demorou mais de {} s e foi interrompida antes que outro processo a assumisse",
                limit.as_secs()
            ))),
        };
        let now = self.clock.now();
        let outcome = match result {
            Ok(result) => {
                tracing::info!(%result, "job done");
                JobOutcome::Done { result }
            }
            Err(JobError::Permanent(error)) => {
                tracing::error!(%error, "job failed for good");
                JobOutcome::Dead { error }
            }
            Err(JobError::Transient(error)) => {
                let jitter = rand::rng().random::<f64>();
                match self.policy.next_run(
                    job.attempts,
                    job.failing_since.unwrap_or(now),
                    now,
                    jitter,
                ) {
                    Some(run_at) => {
                        tracing::warn!(%error, %run_at, "job failed; will retry");
                        JobOutcome::RetryAt { error, run_at }
                    }
                    None => {
                        tracing::error!(%error, "job failed for too long; giving up");
                        JobOutcome::Dead {
                            error: format!(
                                "sem sucesso após {} tentativas; última falha: {error}",
                                job.attempts
                            ),
                        }
                    }
                }
            }
        };
        match self
            .store
            .finish_job(job.id, &self.id, job.attempts, &outcome, now)
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::warn!("job lease lost: another worker took it over"),
            // The lease will expire and the job run again: at least once, never lost.
            Err(error) => tracing::error!(%error, "cannot record the job's outcome"),
        }
    }

    /// The request `job` is about, as it is now.
    async fn request_of(&self, job: &Job) -> Result<RequestRecord, JobError> {
        let id = job.request_id().ok_or_else(|| {
            JobError::Permanent(format!(
                "a tarefa {} não é de um pedido",
                job.kind().as_str()
            ))
        })?;
        self.store
            .request(id, &ZoneScope::All)
            .await
            .map_err(JobError::store)?
            .ok_or_else(|| JobError::Permanent(format!("o pedido nº {id} não foi encontrado")))
    }

    async fn dispatch(&self, claimed: &ClaimedJob) -> Result<String, JobError> {
        // A payload that does not read as its kind never runs with a field missing.
        let job = Job::decode(&claimed.kind, &claimed.payload)
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        if let Job::ExpireOffer { .. } = job {
            return self.expire_offer(&job).await;
        }
        if let Job::Retention { .. } = job {
            return self.run_retention().await;
        }
        if job.ticket_id().is_some() {
            return self.run_queue_job(claimed.id, &job).await;
        }
        match job.calendar_change() {
            Some(change) => self.change_meeting(&job, change).await,
            None => self.send_email(claimed.id, &job).await,
        }
    }
}
