//! The JSON shapes of the API (v1). Field names are a contract with outside clients.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    app::StaffRequest,
    domain::{
        change::{Actor, Offer},
        cpf::Cpf,
        phone::Phone,
        preferential::Preferential,
        schedule::Slot,
        status::Status,
    },
    store::{EventRecord, InboxItem, JobRecord, StaffRecord, SurveyRecord, ZoneRecord},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneView {
    pub number: i32,
    pub name: String,
    pub seat: Option<String>,
    pub municipalities: Vec<String>,
}

impl From<&ZoneRecord> for ZoneView {
    fn from(zone: &ZoneRecord) -> Self {
        ZoneView {
            number: zone.number,
            name: zone.name.clone(),
            seat: zone.seat.clone(),
            municipalities: zone.municipalities.clone(),
        }
    }
}

/// One step of a request's life, as the requester sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeView {
    /// The state reached.
    pub status: &'static str,
    pub at: DateTime<Utc>,
}

/// One step of a request's life, as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryView {
    pub status: &'static str,
    pub at: DateTime<Utc>,
    /// `submit` or the transition's action.
    pub action: String,
    pub from_status: Option<&'static str>,
    /// `requester`, `staff` or `system`.
    pub actor: &'static str,
    pub actor_staff_id: Option<i32>,
    pub from_zone: Option<i32>,
    pub to_zone: Option<i32>,
    pub note: Option<String>,
}

impl From<&EventRecord> for HistoryEntryView {
    fn from(event: &EventRecord) -> Self {
        let (actor, actor_staff_id) = match event.actor {
            Actor::Requester => ("requester", None),
            Actor::Staff(id) => ("staff", Some(id)),
            Actor::System => ("system", None),
        };
        HistoryEntryView {
            status: event.to.as_str(),
            at: event.at,
            action: event.step.as_str().to_string(),
            from_status: event.from.map(Status::as_str),
            actor,
            actor_staff_id,
            from_zone: event.from_zone,
            to_zone: event.to_zone,
            note: event.note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssigneeView {
    pub id: i32,
    pub name: String,
}

/// The Libras interpreter who joins a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterpreterView {
    pub id: i32,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItemView {
    pub id: i64,
    pub protocol: String,
    pub status: &'static str,
    pub zone: i32,
    pub name: String,
    /// The declared category of preferential attendance (e.g. `idoso80`), or `null`.
    pub preferential: Option<&'static str>,
    pub created_at: DateTime<Utc>,
    pub assignee: Option<AssigneeView>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub version: i32,
    /// `video` or `message`.
    pub mode: &'static str,
    /// The requester wrote since a clerk last opened the thread.
    pub unread_messages: bool,
    /// While the requester waits for the court's reply: when the reply is late (counted in
    /// days of service, `messages.reply_business_days`).
    pub reply_due_at: Option<DateTime<Utc>>,
}

impl From<InboxItem> for InboxItemView {
    fn from(item: InboxItem) -> Self {
        InboxItemView {
            id: item.id,
            protocol: item.protocol,
            status: item.status.as_str(),
            zone: item.zone,
            name: item.name,
            preferential: item.preferential.map(Preferential::code),
            created_at: item.created_at,
            assignee: item.assignee.map(|(id, name)| AssigneeView { id, name }),
            scheduled_start: item.scheduled_start,
            version: item.version,
            mode: item.mode.as_str(),
            unread_messages: item.unread_messages,
            reply_due_at: item.reply_due_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxView {
    pub items: Vec<InboxItemView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// A request with everything staff need to act on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDetailView {
    pub id: i64,
    pub protocol: String,
    pub status: &'static str,
    pub zone: i32,
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
    /// While `offered`: the times held for the requester and until when.
    pub offer: Option<OfferView>,
    /// `video` or `message` (attended by written messages: no meeting, complete with
    /// `attended_by_message`).
    pub mode: &'static str,
    /// The requester wrote since a clerk last opened the thread.
    pub unread_messages: bool,
    /// While the requester waits for the court's reply: when the reply is late.
    pub reply_due_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<i32>,
    /// For a request that needs one: the Libras interpreter of its meeting, once scheduled
    /// (kept once the meeting is over or cancelled).
    pub interpreter: Option<InterpreterView>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub scheduled_end: Option<DateTime<Utc>>,
    pub meet_link: Option<String>,
    pub schedule_revision: i32,
    /// `attended`, `no_show` or `attended_by_message`, once done.
    pub outcome: Option<&'static str>,
    pub rejection_reason: Option<String>,
    /// Send it back with the next transition.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub history: Vec<HistoryEntryView>,
    /// The e-mails and calendar changes queued for it, with how each went.
    pub deliveries: Vec<JobView>,
    /// Whether it was filed from a same-day queue ticket the counter's close left waiting.
    pub from_queue: bool,
    /// The requester's answer to the satisfaction survey, or `null` until they give one
    /// (only requests `done` with `attended` or `attended_by_message` take one).
    pub survey: Option<SurveyView>,
    /// On legal hold (actions `hold` / `release_hold`): retention leaves its personal data
    /// as it is.
    pub legal_hold: bool,
    /// When its personal data was anonymised (retention, or at the person's request).
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// A requester's answer to the satisfaction survey.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyView {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[schema(minimum = 1, maximum = 5, example = 5)]
    pub rating: u8,
    /// Plain text, line breaks as `\n`; `null` when they wrote none.
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<SurveyRecord> for SurveyView {
    fn from(answer: SurveyRecord) -> Self {
        SurveyView {
            rating: answer.rating.value(),
            comment: answer.comment,
            at: answer.at,
        }
    }
}

impl From<StaffRequest> for RequestDetailView {
    fn from(
        StaffRequest {
            record: request,
            jobs,
            from_queue,
            interpreter,
            survey,
        }: StaffRequest,
    ) -> Self {
        RequestDetailView {
            from_queue,
            survey: survey.map(SurveyView::from),
            legal_hold: request.legal_hold,
            anonymised_at: request.anonymised_at,
            interpreter: interpreter.map(|(id, name)| InterpreterView { id, name }),
            deliveries: jobs.into_iter().map(JobView::from).collect(),
            cpf: Cpf::parse(&request.cpf).map_or(request.cpf.clone(), |cpf| cpf.formatted()),
            phone: Phone::parse(&request.phone)
                .map_or(request.phone.clone(), |phone| phone.formatted()),
            history: request.history.iter().map(HistoryEntryView::from).collect(),
            id: request.id,
            protocol: request.protocol,
            status: request.status.as_str(),
            zone: request.zone,
            name: request.name,
            email: request.email,
            role: request.role.as_str(),
            oab: request.oab,
            process_number: request.process_number,
            subject: request.subject,
            description: request.description,
            preferred_dates: request.preferred_dates,
            preferential: request.preferential.map(Preferential::code),
            accessibility: request.accessibility.codes().collect(),
            accessibility_note: request.accessibility.note().map(str::to_string),
            offer: request.offer.clone().map(OfferView::from),
            mode: request.mode.as_str(),
            unread_messages: request.staff_unread,
            reply_due_at: request.reply_due_at,
            assignee_id: request.assignee_id,
            scheduled_start: request.scheduled_start,
            scheduled_end: request.scheduled_end,
            meet_link: request.meet_link,
            schedule_revision: request.schedule_revision,
            outcome: request.outcome.map(|o| o.as_str()),
            rejection_reason: request.rejection_reason,
            version: request.version,
            created_at: request.created_at,
            updated_at: request.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Times offered to the requester and until when they are held.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferView {
    pub slots: Vec<SlotView>,
    pub expires_at: DateTime<Utc>,
}

impl From<Offer> for OfferView {
    fn from(offer: Offer) -> Self {
        OfferView {
            slots: offer.slots.into_iter().map(SlotView::from).collect(),
            expires_at: offer.expires_at,
        }
    }
}

impl From<Slot> for SlotView {
    fn from(slot: Slot) -> Self {
        SlotView {
            start: slot.start,
            end: slot.end,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: i32,
    pub name: String,
    pub email: String,
    /// `clerk` or `admin`.
    pub role: &'static str,
    pub active: bool,
    /// A Libras interpreter.
    pub interpreter: bool,
    /// Zone numbers.
    pub zones: Vec<i32>,
}

impl From<StaffRecord> for StaffView {
    fn from(staff: StaffRecord) -> Self {
        StaffView {
            id: staff.id,
            name: staff.name,
            email: staff.email,
            role: staff.role.as_str(),
            active: staff.active,
            interpreter: staff.interpreter,
            zones: staff.zones,
        }
    }
}

/// One outbox job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    /// `pending`, `running`, `done` or `dead`.
    pub state: &'static str,
    pub attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub result: Option<String>,
    pub request_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRecord> for JobView {
    fn from(job: JobRecord) -> Self {
        JobView {
            id: job.id,
            kind: job.kind,
            state: job.state.as_str(),
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
