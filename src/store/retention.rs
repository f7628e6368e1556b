//! Retention's writes (LGPD): the requests and same-day tickets whose personal data is due to
//! go, replaced or removed everywhere it lives (the request, its history notes, its
//! messages, its survey comment, its tracking tokens, the reasons in its jobs' payloads, the
//! ticket it came from), in batches of one transaction each; and the free texts of finished
//! jobs past the e-mail retention. What the figures are made of (protocol, zone, states,
//! times, outcome, category, mode, ratings) is never touched, so the indicators' rollups
//! stay as they are. Every batch is audited with the protocols it anonymised.

use chrono::{DateTime, Utc};
use entities::{
    jobs, queue_tickets, request_events, request_messages, requests,
    sea_orm_active_enums::JobState, survey_answers, tracking_tokens,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, Query},
};
use serde_json::json;

use super::{Store, StoreError, audit, convert::final_statuses, doing, outbox};
use crate::domain::{
    change::Effect,
    queue::TicketStatus,
    retention::{
        ANONYMOUS_NAME, ANONYMOUS_NAME_KEY, REMOVED, RETIRED_TOKEN_PREFIX, redacted_payload,
    },
    status::Status,
};

/// A request as a data subject's anonymisation judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestToAnonymise {
    pub id: i64,
    pub protocol: String,
    pub status: Status,
    pub legal_hold: bool,
    pub anonymised: bool,
}

/// Which requests a batch takes: the ones retention found due, or the ones a data subject
/// asked for (any age).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Retention,
    DataSubject { admin: i32 },
}

impl Why {
    fn audit_action(self) -> &'static str {
        match self {
            Why::Retention => "retention.anonymise",
            Why::DataSubject { .. } => "data_subject.anonymise_requests",
        }
    }

    fn actor(self) -> Option<i32> {
        match self {
            Why::Retention => None,
            Why::DataSubject { admin } => Some(admin),
        }
    }
}

/// Final, not held, not anonymised yet, and nothing of it still waiting to be sent (an
/// e-mail queued at its close still needs the address).
fn anonymisable() -> Condition {
    Condition::all()
        .add(requests::Column::Status.is_in(final_statuses()))
        .add(requests::Column::LegalHold.eq(false))
        .add(requests::Column::AnonymisedAt.is_null())
        .add(
            requests::Column::Id.not_in_subquery(
                Query::select()
                    .column(jobs::Column::RequestId)
                    .from(jobs::Entity)
                    .and_where(jobs::Column::RequestId.is_not_null())
                    .and_where(jobs::Column::State.is_in([JobState::Pending, JobState::Running]))
                    .to_owned(),
            ),
        )
}

impl Store {
    /// Up to `limit` requests due for anonymisation: final at or before `closed_by`, the
    /// oldest first, with their protocols.
    pub async fn due_for_anonymisation(
        &self,
        closed_by: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        doing("finding requests due for anonymisation", async {
            Ok(requests::Entity::find()
                .select_only()
                .columns([requests::Column::Id, requests::Column::Protocol])
                .filter(requests::Column::ClosedAt.lte(closed_by))
                .filter(anonymisable())
                .order_by_asc(requests::Column::ClosedAt)
                .order_by_asc(requests::Column::Id)
                .limit(limit)
                .into_tuple::<(i64, String)>()
                .all(&self.db)
                .await?)
        })
        .await
    }

    /// How many requests are due, for a dry run.
    pub async fn count_due_for_anonymisation(
        &self,
        closed_by: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        doing("counting requests due for anonymisation", async {
            Ok(requests::Entity::find()
                .filter(requests::Column::ClosedAt.lte(closed_by))
                .filter(anonymisable())
                .count(&self.db)
                .await?)
        })
        .await
    }

    /// Anonymises the requests of `ids` that are still anonymisable under their row locks,
    /// with everything that copies their personal data, in one transaction, audited; the
    /// protocols it anonymised.
    pub async fn anonymise_requests(
        &self,
        ids: &[i64],
        why: Why,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        doing("anonymising requests", async {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let txn = self.begin_write().await?;
            let rows: Vec<(i64, String)> = requests::Entity::find()
                .select_only()
                .columns([requests::Column::Id, requests::Column::Protocol])
                .filter(requests::Column::Id.is_in(ids.iter().copied()))
                .filter(anonymisable())
                .order_by_asc(requests::Column::Id)
                .lock_exclusive()
                .into_tuple::<(i64, String)>()
                .all(&txn)
                .await?;
            let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            anonymise(&txn, &ids, now).await?;
            let protocols: Vec<String> = rows.into_iter().map(|(_, protocol)| protocol).collect();
            audit::record(
                &txn,
                audit::AdminChange {
                    actor_staff_id: why.actor(),
                    action: why.audit_action(),
                    entity: "requests",
                    entity_key: protocols.len().to_string(),
                    details: json!({ "protocols": protocols }),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(protocols)
        })
        .await
    }

    /// Up to `limit` same-day tickets due: over (attended, missed, left, closed) at or before
    /// `ended_by`, not anonymised, not filed as a request (those go with their request).
    pub async fn due_tickets(
        &self,
        ended_by: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<i64>, StoreError> {
        doing("finding tickets due for anonymisation", async {
            Ok(queue_tickets::Entity::find()
                .select_only()
                .column(queue_tickets::Column::Id)
                .filter(ended_tickets(ended_by))
                .order_by_asc(queue_tickets::Column::Id)
                .limit(limit)
                .into_tuple::<i64>()
                .all(&self.db)
                .await?)
        })
        .await
    }

    /// How many tickets are due, for a dry run.
    pub async fn count_due_tickets(&self, ended_by: DateTime<Utc>) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        doing("counting tickets due for anonymisation", async {
            Ok(queue_tickets::Entity::find()
                .filter(ended_tickets(ended_by))
                .count(&self.db)
                .await?)
        })
        .await
    }

    /// Anonymises the tickets of `ids`; how many.
    pub async fn anonymise_tickets(
        &self,
        ids: &[i64],
        ended_by: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        doing("anonymising same-day tickets", async {
            if ids.is_empty() {
                return Ok(0);
            }
            let txn = self.begin_write().await?;
            let done = queue_tickets::Entity::update_many()
                .set(anonymous_ticket(now))
                .filter(queue_tickets::Column::Id.is_in(ids.iter().copied()))
                .filter(ended_tickets(ended_by))
                .exec(&txn)
                .await?
                .rows_affected;
            audit::record(
                &txn,
                audit::AdminChange {
                    actor_staff_id: None,
                    action: "retention.anonymise_tickets",
                    entity: "queue_tickets",
                    entity_key: done.to_string(),
                    details: json!({ "tickets": ids }),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(done)
        })
        .await
    }

    /// Removes the free texts (reasons) from up to `limit` jobs finished at or before
    /// `finished_by` that still have them; how many changed.
    pub async fn redact_finished_jobs(
        &self,
        finished_by: DateTime<Utc>,
        after_id: i64,
        limit: u64,
    ) -> Result<(u64, Option<i64>), StoreError> {
        doing("removing free texts from finished jobs", async {
            let rows = jobs::Entity::find()
                .select_only()
                .columns([jobs::Column::Id, jobs::Column::Payload])
                .filter(jobs::Column::State.is_in([JobState::Done, JobState::Dead]))
                .filter(jobs::Column::FinishedAt.lte(finished_by))
                .filter(jobs::Column::Id.gt(after_id))
                .order_by_asc(jobs::Column::Id)
                .limit(limit)
                .into_tuple::<(i64, serde_json::Value)>()
                .all(&self.db)
                .await?;
            let last = rows.last().map(|(id, _)| *id);
            let txn = self.begin_write().await?;
            let changed = redact_jobs(&txn, rows).await?;
            txn.commit().await?;
            Ok((changed, last))
        })
        .await
    }

    /// Queues a retention run (its key makes a second one of the same day a no-op).
    pub async fn schedule_retention(
        &self,
        run: &Effect,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        doing("queuing the retention run", async {
            let txn = self.begin_write().await?;
            outbox::enqueue(&txn, std::slice::from_ref(run), now).await?;
            txn.commit().await?;
            Ok(())
        })
        .await
    }

    /// Audits a retention run with what it changed (its batches are audited each with
    /// their protocols).
    pub async fn audit_retention_run(
        &self,
        report: &impl serde::Serialize,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        doing("auditing a retention run", async {
            let mut details =
                serde_json::to_value(report).map_err(|error| DbErr::Custom(error.to_string()))?;
            if let Some(fields) = details.as_object_mut() {
                fields.remove("protocols");
            }
            audit::record(
                &self.db,
                audit::AdminChange {
                    actor_staff_id: None,
                    action: "retention.run",
                    entity: "retention",
                    entity_key: now.to_rfc3339(),
                    details,
                },
                now,
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// Same-day tickets over (not waiting, not in a call) of this CPF, not anonymised yet
    /// and not filed as a request (those go with it).
    pub async fn ended_tickets_of_cpf(&self, cpf: &str) -> Result<Vec<i64>, StoreError> {
        doing("finding a person's tickets", async {
            Ok(queue_tickets::Entity::find()
                .select_only()
                .column(queue_tickets::Column::Id)
                .filter(queue_tickets::Column::Cpf.eq(cpf))
                .filter(ended_tickets(DateTime::<Utc>::MAX_UTC))
                .into_tuple::<i64>()
                .all(&self.db)
                .await?)
        })
        .await
    }

    /// Audits a data subject's anonymisation, keyed by the CPF's fingerprint (never the CPF).
    pub async fn audit_subject_anonymisation(
        &self,
        admin: i32,
        fingerprint: &str,
        details: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        doing("auditing a data subject's anonymisation", async {
            audit::record(
                &self.db,
                audit::AdminChange {
                    actor_staff_id: Some(admin),
                    action: "data_subject.anonymise",
                    entity: "data_subject",
                    entity_key: fingerprint.to_string(),
                    details,
                },
                now,
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// Every request filed with this CPF (as stored, digits only), as its anonymisation
    /// judges it.
    pub async fn requests_to_anonymise(
        &self,
        cpf: &str,
    ) -> Result<Vec<RequestToAnonymise>, StoreError> {
        doing("finding a person's requests", async {
            Ok(requests::Entity::find()
                .filter(requests::Column::Cpf.eq(cpf))
                .order_by_asc(requests::Column::Id)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|row| RequestToAnonymise {
                    id: row.id,
                    protocol: row.protocol,
                    status: row.status.into(),
                    legal_hold: row.legal_hold,
                    anonymised: row.anonymised_at.is_some(),
                })
                .collect())
        })
        .await
    }
}

fn ended_tickets(ended_by: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(
            queue_tickets::Column::Status.is_in(
                [
                    TicketStatus::Attended,
                    TicketStatus::Missed,
                    TicketStatus::Left,
                    TicketStatus::Closed,
                ]
                .map(|status| status.as_str()),
            ),
        )
        .add(queue_tickets::Column::AnonymisedAt.is_null())
        .add(queue_tickets::Column::RequestId.is_null())
        .add(
            Condition::any()
                .add(queue_tickets::Column::FinishedAt.lte(ended_by))
                .add(
                    Condition::all()
                        .add(queue_tickets::Column::FinishedAt.is_null())
                        .add(queue_tickets::Column::ClosesAt.lte(ended_by)),
                ),
        )
}

fn anonymous_ticket(now: DateTime<Utc>) -> queue_tickets::ActiveModel {
    queue_tickets::ActiveModel {
        name: Set(ANONYMOUS_NAME.to_string()),
        cpf: Set(String::new()),
        email: Set(String::new()),
        email_key: Set(String::new()),
        phone: Set(None),
        anonymised_at: Set(Some(now)),
        ..Default::default()
    }
}

/// The writes of anonymising the (locked, anonymisable) requests `ids`.
async fn anonymise(
    txn: &DatabaseTransaction,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let these = || requests::Column::Id.is_in(ids.iter().copied());
    requests::Entity::update_many()
        .set(requests::ActiveModel {
            requester_name: Set(ANONYMOUS_NAME.to_string()),
            requester_name_key: Set(ANONYMOUS_NAME_KEY.to_string()),
            cpf: Set(String::new()),
            email: Set(String::new()),
            email_key: Set(String::new()),
            phone: Set(String::new()),
            oab: Set(None),
            process_number: Set(None),
            description: Set(REMOVED.to_string()),
            accessibility_note: Set(None),
            anonymised_at: Set(Some(now)),
            ..Default::default()
        })
        // The hash stays unique, as the column requires, and matches no token.
        .col_expr(
            requests::Column::TrackingTokenHash,
            Expr::cust(format!("'{RETIRED_TOKEN_PREFIX}' || CAST(id AS TEXT)")),
        )
        .filter(these())
        .exec(txn)
        .await?;
    requests::Entity::update_many()
        .col_expr(requests::Column::RejectionReason, Expr::value(REMOVED))
        .filter(these())
        .filter(requests::Column::RejectionReason.is_not_null())
        .exec(txn)
        .await?;
    request_events::Entity::update_many()
        .col_expr(request_events::Column::Note, Expr::value(REMOVED))
        .filter(request_events::Column::RequestId.is_in(ids.iter().copied()))
        .filter(request_events::Column::Note.is_not_null())
        .exec(txn)
        .await?;
    request_messages::Entity::update_many()
        .col_expr(request_messages::Column::Body, Expr::value(REMOVED))
        .filter(request_messages::Column::RequestId.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    survey_answers::Entity::update_many()
        .col_expr(
            survey_answers::Column::Comment,
            Expr::value(Option::<String>::None),
        )
        .filter(survey_answers::Column::RequestId.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    tracking_tokens::Entity::delete_many()
        .filter(tracking_tokens::Column::RequestId.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    queue_tickets::Entity::update_many()
        .set(anonymous_ticket(now))
        .filter(queue_tickets::Column::RequestId.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    let payloads = jobs::Entity::find()
        .select_only()
        .columns([jobs::Column::Id, jobs::Column::Payload])
        .filter(jobs::Column::RequestId.is_in(ids.iter().copied()))
        .into_tuple::<(i64, serde_json::Value)>()
        .all(txn)
        .await?;
    redact_jobs(txn, payloads).await?;
    Ok(())
}

/// Writes back the payloads that lose a free text; how many.
async fn redact_jobs(
    txn: &DatabaseTransaction,
    payloads: Vec<(i64, serde_json::Value)>,
) -> Result<u64, DbErr> {
    let mut changed = 0;
    for (id, payload) in payloads {
        let redacted = redacted_payload(&payload);
        if redacted != payload {
            jobs::Entity::update_many()
                .col_expr(jobs::Column::Payload, Expr::value(redacted))
                .filter(jobs::Column::Id.eq(id))
                .exec(txn)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}
