//! Data subjects (LGPD, Lei 13.709/2018, art. 18): everything kept about one person, by CPF,
//! for the court's encarregado. Actions on that data (anonymising it) belong beside the
//! lookup, under `/api/v1/admin/data-subject/…`.

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AdminUser;
use crate::app::App;
use crate::domain::{cpf::Cpf, phone::Phone, preferential::Preferential};
use crate::http::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{JsonBody, QueryParams},
    messages_api::MessageView,
    views::{HistoryEntryView, SurveyView},
};
use crate::store::{DataSubject, SubjectJob, SubjectRequest, TicketRecord};

pub(super) fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(data_subject))
        .routes(routes!(anonymise))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DataSubjectQuery {
    /// The person's CPF, with or without punctuation.
    #[param(example = "123.456.789-09")]
    cpf: Option<String>,
}

/// Everything kept about one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataSubjectView {
    /// Formatted, e.g. `123.456.789-09`.
    pub cpf: String,
    pub summary: SummaryView,
    /// Oldest first.
    pub requests: Vec<SubjectRequestView>,
    /// Their same-day queue tickets, matched by CPF, oldest first.
    pub queue_tickets: Vec<SubjectTicketView>,
    /// Every outbox job about their requests and tickets, oldest first: the e-mails to them
    /// and about them (to the zone, to a Libras interpreter) and the calendar's steps; `kind`
    /// says which.
    pub emails: Vec<SubjectJobView>,
}

/// What was found, at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// Each request, oldest first: whether it is still open or final (`done`, `rejected`,
    /// `cancelled`).
    pub requests: Vec<RequestStateView>,
    pub open_requests: usize,
    pub queue_tickets: usize,
    pub emails: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestStateView {
    pub protocol: String,
    pub status: &'static str,
    /// `false` once final.
    pub open: bool,
}

/// One of the person's requests, as stored, with what hangs from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectRequestView {
    pub id: i64,
    pub protocol: String,
    pub zone: i32,
    pub zone_name: String,
    pub status: &'static str,
    pub name: String,
    /// Formatted, e.g. `123.456.789-09`.
    pub cpf: String,
    pub email: String,
    /// Formatted, e.g. `(91) 98765-4321`.
    pub phone: String,
    /// `parte`, `advogado` or `interessado`.
    pub role: &'static str,
    pub oab: Option<String>,
    pub process_number: Option<String>,
    pub subject: String,
    pub description: String,
    pub preferred_dates: Vec<NaiveDate>,
    /// The declared category of preferential attendance (e.g. `idoso80`), or `null`.
    pub preferential: Option<&'static str>,
    /// Declared accessibility needs: `libras`, `legendas`, `leitor_tela`, `outro`.
    pub accessibility: Vec<&'static str>,
    pub accessibility_note: Option<String>,
    /// `video` or `message`.
    pub mode: &'static str,
    pub assignee_id: Option<i32>,
    pub interpreter_id: Option<i32>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub scheduled_end: Option<DateTime<Utc>>,
    pub meet_link: Option<String>,
    /// `attended`, `no_show` or `attended_by_message`, once done.
    pub outcome: Option<&'static str>,
    pub rejection_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every step of its life (`request_events`), oldest first.
    pub history: Vec<HistoryEntryView>,
    /// Its written thread (`request_messages`), oldest first.
    pub messages: Vec<MessageView>,
    /// Their answer to the satisfaction survey (`survey_answers`), or `null`.
    pub survey: Option<SurveyView>,
    /// How many tracking links were made for it (the first and one per e-mail that carried
    /// one); only their hashes are stored, and those are never shown.
    pub tracking_tokens: u64,
}

/// One of the person's same-day queue tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectTicketView {
    pub id: i64,
    pub zone: i32,
    pub service_date: NaiveDate,
    /// `waiting`, `called`, `attended`, `missed`, `left` or `closed`.
    pub status: &'static str,
    pub name: String,
    /// Formatted, e.g. `123.456.789-09`.
    pub cpf: String,
    pub email: String,
    pub phone: Option<String>,
    pub subject: String,
    pub preferential: Option<&'static str>,
    pub joined_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub meet_link: Option<String>,
    /// The protocol of the request the ticket became after the counter closed.
    pub request_protocol: Option<String>,
}

/// An outbox job about the person's requests or tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectJobView {
    pub id: i64,
    /// e.g. `email.request_received`, `email.queue_called`, `meeting.create`.
    pub kind: String,
    /// `pending`, `running`, `done` or `dead`.
    pub state: &'static str,
    /// The request it is about; `null` for a queue ticket's (its id is in `payload`).
    pub request_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub run_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub result: Option<String>,
    /// What the job carries, as stored.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// Everything kept about the person with CPF `cpf`: their requests (with history,
/// messages, survey answer and how many tracking links), same-day queue tickets and the
/// jobs about both. Every lookup is audited with the admin who made it, without the CPF.
#[utoipa::path(get, path = "/api/v1/admin/data-subject", tag = "admin", security(("bearer" = [])),
    params(DataSubjectQuery),
    responses(
        (status = 200, body = DataSubjectView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "`cpf` missing or not a valid CPF; nothing is read or recorded"),
    ))]
async fn data_subject(
    State(app): State<App>,
    AdminUser(admin): AdminUser,
    QueryParams(query): QueryParams<DataSubjectQuery>,
) -> Result<Json<DataSubjectView>, ApiError> {
    let found = app
        .admin_data_subject(&admin, query.cpf.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(found.into()))
}

/// Whose data to anonymise.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnonymiseBody {
    /// The person's CPF, with or without punctuation.
    #[schema(example = "123.456.789-09")]
    cpf: Option<String>,
}

/// What anonymising a person did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnonymisedView {
    /// Their final requests not on legal hold, anonymised now (whatever their age).
    pub anonymised: usize,
    /// Their requests on legal hold, left as they are.
    pub held: usize,
    /// Their requests still being attended, left as they are.
    pub open: usize,
    /// The protocols of each group.
    pub anonymised_protocols: Vec<String>,
    pub held_protocols: Vec<String>,
    pub open_protocols: Vec<String>,
    /// Their same-day tickets that were over, anonymised now.
    pub queue_tickets: u64,
}

/// Anonymise a person at their request: their final requests not on legal hold lose their
/// personal data now (as retention would), with their over tickets; open and held
/// requests are counted and left. Audited with the admin.
#[utoipa::path(
    post,
    path = "/api/v1/admin/data-subject/anonymise",
    tag = "admin",
    request_body = AnonymiseBody,
    responses(
        (status = 200, body = AnonymisedView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ValidationBody),
    ),
    security(("bearer" = []))
)]
async fn anonymise(
    State(app): State<App>,
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<AnonymiseBody>,
) -> Result<Json<AnonymisedView>, ApiError> {
    let done = app
        .admin_anonymise_subject(&admin, body.cpf.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(AnonymisedView {
        anonymised: done.anonymised.len(),
        held: done.held.len(),
        open: done.open.len(),
        anonymised_protocols: done.anonymised,
        held_protocols: done.held,
        open_protocols: done.open,
        queue_tickets: done.tickets,
    }))
}

impl From<DataSubject> for DataSubjectView {
    fn from(found: DataSubject) -> Self {
        let summary = SummaryView {
            requests: found
                .requests
                .iter()
                .map(|request| RequestStateView {
                    protocol: request.record.protocol.clone(),
                    status: request.record.status.as_str(),
                    open: request.record.status.is_open(),
                })
                .collect(),
            open_requests: found
                .requests
                .iter()
                .filter(|request| request.record.status.is_open())
                .count(),
            queue_tickets: found.tickets.len(),
            emails: found.jobs.len(),
        };
        DataSubjectView {
            cpf: found.cpf.formatted(),
            summary,
            requests: found.requests.into_iter().map(Into::into).collect(),
            queue_tickets: found.tickets.into_iter().map(Into::into).collect(),
            emails: found.jobs.into_iter().map(Into::into).collect(),
        }
    }
}

/// As people write it, when it parses (stored values always do).
fn cpf_shown(stored: &str) -> String {
    Cpf::parse(stored).map_or_else(|_| stored.to_string(), |cpf| cpf.formatted())
}

impl From<SubjectRequest> for SubjectRequestView {
    fn from(
        SubjectRequest {
            record: request,
            messages,
            survey,
            tracking_tokens,
        }: SubjectRequest,
    ) -> Self {
        SubjectRequestView {
            history: request.history.iter().map(HistoryEntryView::from).collect(),
            messages: messages.into_iter().map(MessageView::for_staff).collect(),
            survey: survey.map(SurveyView::from),
            tracking_tokens,
            cpf: cpf_shown(&request.cpf),
            phone: Phone::parse(&request.phone)
                .map_or_else(|_| request.phone.clone(), |phone| phone.formatted()),
            accessibility: request.accessibility.codes().collect(),
            accessibility_note: request.accessibility.note().map(str::to_string),
            id: request.id,
            protocol: request.protocol,
            zone: request.zone,
            zone_name: request.zone_name,
            status: request.status.as_str(),
            name: request.name,
            email: request.email,
            role: request.role.as_str(),
            oab: request.oab,
            process_number: request.process_number,
            subject: request.subject,
            description: request.description,
            preferred_dates: request.preferred_dates,
            preferential: request.preferential.map(Preferential::code),
            mode: request.mode.as_str(),
            assignee_id: request.assignee_id,
            interpreter_id: request.interpreter_id,
            scheduled_start: request.scheduled_start,
            scheduled_end: request.scheduled_end,
            meet_link: request.meet_link,
            outcome: request.outcome.map(|outcome| outcome.as_str()),
            rejection_reason: request.rejection_reason,
            created_at: request.created_at,
            updated_at: request.updated_at,
        }
    }
}

impl From<TicketRecord> for SubjectTicketView {
    fn from(ticket: TicketRecord) -> Self {
        SubjectTicketView {
            cpf: cpf_shown(&ticket.cpf),
            status: ticket.status.as_str(),
            preferential: ticket.preferential.map(Preferential::code),
            id: ticket.id,
            zone: ticket.zone,
            service_date: ticket.service_date,
            name: ticket.name,
            email: ticket.email,
            phone: ticket.phone.map(|stored| {
                Phone::parse(&stored).map_or_else(|_| stored.clone(), |phone| phone.formatted())
            }),
            subject: ticket.subject,
            joined_at: ticket.joined_at,
            called_at: ticket.called_at,
            finished_at: ticket.finished_at,
            meet_link: ticket.meet_link,
            request_protocol: ticket.request_protocol,
        }
    }
}

impl From<SubjectJob> for SubjectJobView {
    fn from(SubjectJob { job, payload }: SubjectJob) -> Self {
        SubjectJobView {
            id: job.id,
            kind: job.kind,
            state: job.state.as_str(),
            request_id: job.request_id,
            created_at: job.created_at,
            run_at: job.run_at,
            finished_at: job.finished_at,
            attempts: job.attempts,
            last_error: job.last_error,
            result: job.result,
            payload,
        }
    }
}
