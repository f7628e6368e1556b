//! A retention run (LGPD): anonymise the requests and same-day tickets past
//! `retention.anonymise_after_days`, remove the free texts of jobs and the `.eml` files past
//! `retention.mail_files_days`. In batches, each its own transaction: a run stopped halfway
//! leaves whole batches done and the next run takes the rest; a second run finds nothing.
//! The worker runs it daily; `contato retention run [--dry-run]` runs it now.

use std::{path::Path, time::SystemTime};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{
    domain::retention::Retention,
    store::{Store, StoreError, Why},
};

/// Requests (or tickets, or jobs) per transaction: short enough not to hold the locks of a
/// busy service for long.
pub const BATCH: u64 = 500;
/// Protocols a report lists; the audit trail keeps all of them.
pub const REPORTED_PROTOCOLS: usize = 1000;

/// What a run changed, or with `dry_run` would change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub dry_run: bool,
    /// Requests anonymised (or due).
    pub requests: u64,
    /// The first of their protocols, in the order they were done (at most
    /// [`REPORTED_PROTOCOLS`]; the audit trail has every one, batch by batch).
    pub protocols: Vec<String>,
    pub tickets: u64,
    /// Finished jobs that lost a free text (a dry run does not count them).
    pub jobs: u64,
    /// `.eml` files removed (or due).
    pub mail_files: u64,
}

/// Runs retention as of `now`, the e-mail files in `outbox_dir`.
pub async fn run_retention(
    store: &Store,
    retention: Retention,
    outbox_dir: &Path,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<RetentionReport, StoreError> {
    let closed_by = retention.requests_closed_by(now);
    let mail_by = retention.mail_older_than(now);
    let mut report = RetentionReport {
        dry_run,
        ..RetentionReport::default()
    };
    if dry_run {
        report.requests = store.count_due_for_anonymisation(closed_by).await?;
        report.protocols = store
            .due_for_anonymisation(closed_by, REPORTED_PROTOCOLS as u64)
            .await?
            .into_iter()
            .map(|(_, protocol)| protocol)
            .collect();
        report.tickets = store.count_due_tickets(closed_by).await?;
        report.mail_files = old_mail_files(outbox_dir, mail_by, false);
        return Ok(report);
    }
    loop {
        let due = store.due_for_anonymisation(closed_by, BATCH).await?;
        if due.is_empty() {
            break;
        }
        let ids: Vec<i64> = due.iter().map(|(id, _)| *id).collect();
        let done = store.anonymise_requests(&ids, Why::Retention, now).await?;
        if done.is_empty() {
            // Every one changed between the two reads (held, say): the next run sees them.
            break;
        }
        report.requests += done.len() as u64;
        let room = REPORTED_PROTOCOLS.saturating_sub(report.protocols.len());
        report.protocols.extend(done.into_iter().take(room));
    }
    loop {
        let due = store.due_tickets(closed_by, BATCH).await?;
        if due.is_empty() {
            break;
        }
        let done = store.anonymise_tickets(&due, closed_by, now).await?;
        report.tickets += done;
        if done == 0 || (due.len() as u64) < BATCH {
            break;
        }
    }
    let mut after = 0;
    loop {
        let (changed, last) = store.redact_finished_jobs(mail_by, after, BATCH).await?;
        report.jobs += changed;
        match last {
            Some(last) => after = last,
            None => break,
        }
    }
    report.mail_files = old_mail_files(outbox_dir, mail_by, true);
    store.audit_retention_run(&report, now).await?;
    Ok(report)
}

/// The `.eml` files of `folder` last written before `before`, removed when `remove`; how
/// many. A file that cannot be read or removed is logged and left for the next run.
fn old_mail_files(folder: &Path, before: DateTime<Utc>, remove: bool) -> u64 {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let before = SystemTime::from(before);
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|extension| extension != "eml") {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .is_ok_and(|modified| modified <= before);
        if !old {
            continue;
        }
        if !remove {
            count += 1;
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => count += 1,
            Err(error) => {
                tracing::warn!(file = %path.display(), %error, "retention could not remove an e-mail file");
            }
        }
    }
    count
}
