//! A data subject (LGPD, Lei 13.709/2018, art. 18): everything the service keeps about one
//! person, found by their CPF, for the court's encarregado to answer their request. The
//! lookup and its audit row are one transaction: nobody reads a person's data unrecorded.
//!
//! The rows are found by the functions at the end (requests and tickets by CPF, jobs by the
//! requests and tickets they are about), which whatever else acts on a person's data (its
//! anonymisation) finds them with too.

use chrono::{DateTime, Utc};
use entities::{
    jobs, queue_tickets, request_events, request_messages, requests, tracking_tokens, zones,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use super::{
    JobRecord, MessageRecord, RequestRecord, Store, StoreError, SurveyRecord, TicketRecord,
    audit::{self, AdminChange},
    doing,
    messages::messages_where,
    queue::record_with_protocol,
    requests::offer_of,
    surveys,
};
use crate::domain::{cpf::Cpf, job::Job};

/// An admin's lookup of one person, as the audit trail keeps it: who and when, and the CPF
/// only as its fingerprint and check digits, so the trail is not another copy of it. (No
/// `Debug`: it would print the CPF into whatever log line it reached.)
#[derive(Clone, Copy)]
pub struct SubjectLookup<'a> {
    pub cpf: &'a Cpf,
    /// The same for every lookup of one CPF, and useless without the service's key
    /// ([`crate::tokens::SigningKey::cpf_fingerprint`]).
    pub fingerprint: &'a str,
    pub admin: i32,
    pub now: DateTime<Utc>,
}

/// What the service keeps about one person.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSubject {
    pub cpf: Cpf,
    /// Their requests, oldest first.
    pub requests: Vec<SubjectRequest>,
    /// Their same-day queue tickets, oldest first.
    pub tickets: Vec<TicketRecord>,
    /// The outbox's jobs about those requests and tickets, oldest first: the e-mails to them
    /// and about them, and the calendar's steps.
    pub jobs: Vec<SubjectJob>,
}

/// One of the person's requests with what hangs from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRequest {
    /// Its fields and history (`request_events`).
    pub record: RequestRecord,
    /// Its thread, oldest first.
    pub messages: Vec<MessageRecord>,
    pub survey: Option<SurveyRecord>,
    /// How many tracking tokens open its page: the first and one per e-mail that carried a
    /// link. Only their hashes are stored, and those are not shown.
    pub tracking_tokens: u64,
}

/// An outbox job with what it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectJob {
    pub job: JobRecord,
    /// As stored: ids of the request or ticket, times, reasons, links.
    pub payload: serde_json::Value,
}

impl Store {
    /// Everything kept about the person with `lookup.cpf`, with the audit row of the lookup
    /// (written even when nothing is found: that is an answer about the person too).
    pub async fn data_subject(
        &self,
        lookup: &SubjectLookup<'_>,
    ) -> Result<DataSubject, StoreError> {
        doing("looking up a data subject", async {
            let txn = self.begin_write().await?;
            let mut requests = Vec::new();
            for (request, zone) in request_rows(&txn, lookup.cpf).await? {
                requests.push(subject_request(&txn, request, zone).await?);
            }
            let mut tickets = Vec::new();
            for (ticket, zone) in ticket_rows(&txn, lookup.cpf).await? {
                tickets.push(record_with_protocol(&txn, ticket, zone).await?);
            }
            let request_ids: Vec<i64> = requests.iter().map(|r| r.record.id).collect();
            let ticket_ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
            let jobs: Vec<SubjectJob> = job_rows(&txn, &request_ids, &ticket_ids)
                .await?
                .into_iter()
                .map(|row| SubjectJob {
                    payload: row.payload.clone(),
                    job: JobRecord::from(row),
                })
                .collect();
            audit::record(
                &txn,
                AdminChange {
                    actor_staff_id: Some(lookup.admin),
                    action: "data_subject.lookup",
                    entity: "data_subject",
                    entity_key: lookup.fingerprint.to_string(),
                    details: json!({
                        "cpf_check_digits": lookup.cpf.check_digits(),
                        "requests": requests.len(),
                        "queue_tickets": tickets.len(),
                        "jobs": jobs.len(),
                    }),
                },
                lookup.now,
            )
            .await?;
            txn.commit().await?;
            Ok(DataSubject {
                cpf: lookup.cpf.clone(),
                requests,
                tickets,
                jobs,
            })
        })
        .await
    }
}

async fn subject_request<C: ConnectionTrait>(
    db: &C,
    request: requests::Model,
    zone: zones::Model,
) -> Result<SubjectRequest, StoreError> {
    let events = request_events::Entity::find()
        .filter(request_events::Column::RequestId.eq(request.id))
        .order_by_asc(request_events::Column::Id)
        .all(db)
        .await?;
    let messages = messages_where(
        db,
        Condition::all().add(request_messages::Column::RequestId.eq(request.id)),
    )
    .await?;
    let survey = surveys::answer_of(db, request.id)
        .await?
        .map(surveys::record)
        .transpose()?;
    // The request's own column holds the first token; the table, one per e-mail since.
    let tracking_tokens = 1 + tracking_tokens::Entity::find()
        .filter(tracking_tokens::Column::RequestId.eq(request.id))
        .count(db)
        .await?;
    let offer = offer_of(db, &request).await?;
    Ok(SubjectRequest {
        record: RequestRecord::new(request, zone, events, offer)?,
        messages,
        survey,
        tracking_tokens,
    })
}

/// The requests filed with `cpf`, oldest first, with their zones.
pub(super) async fn request_rows<C: ConnectionTrait>(
    db: &C,
    cpf: &Cpf,
) -> Result<Vec<(requests::Model, zones::Model)>, DbErr> {
    let rows = requests::Entity::find()
        .filter(requests::Column::Cpf.eq(cpf.as_str()))
        .find_also_related(zones::Entity)
        .order_by_asc(requests::Column::CreatedAt)
        .order_by_asc(requests::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(request, zone)| match zone {
            Some(zone) => Ok((request, zone)),
            None => Err(DbErr::Custom(format!("request {} has no zone", request.id))),
        })
        .collect()
}

/// The queue tickets taken with `cpf`, oldest first, with their zones.
pub(super) async fn ticket_rows<C: ConnectionTrait>(
    db: &C,
    cpf: &Cpf,
) -> Result<Vec<(queue_tickets::Model, Option<zones::Model>)>, DbErr> {
    queue_tickets::Entity::find()
        .filter(queue_tickets::Column::Cpf.eq(cpf.as_str()))
        .find_also_related(zones::Entity)
        .order_by_asc(queue_tickets::Column::JoinedAt)
        .order_by_asc(queue_tickets::Column::Id)
        .all(db)
        .await
}

/// The outbox's jobs about the requests `request_ids` (by their column) and the tickets
/// `ticket_ids` (by their keys, [`Job::ticket_key`]), oldest first. No job carries an e-mail
/// address: the worker reads it from the request or ticket when it sends, so these are also
/// every job addressed to the person.
pub(super) async fn job_rows<C: ConnectionTrait>(
    db: &C,
    request_ids: &[i64],
    ticket_ids: &[i64],
) -> Result<Vec<jobs::Model>, DbErr> {
    let ticket_keys: Vec<String> = ticket_ids
        .iter()
        .flat_map(|&id| Job::of_ticket(id))
        .filter_map(|job| job.ticket_key())
        .collect();
    if request_ids.is_empty() && ticket_keys.is_empty() {
        return Ok(Vec::new());
    }
    jobs::Entity::find()
        .filter(
            Condition::any()
                .add(jobs::Column::RequestId.is_in(request_ids.iter().copied()))
                .add(jobs::Column::DedupeKey.is_in(ticket_keys)),
        )
        .order_by_asc(jobs::Column::Id)
        .all(db)
        .await
}
