//! The outbox's jobs, typed: one variant per kind of job, holding exactly what its run
//! needs. The same code writes a payload and reads it back ([`Job::encode`] and
//! [`Job::decode`]), so a field cannot be written under one name and read under another, and
//! a payload that does not decode makes its job dead with the reason: it never runs with a
//! field missing.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::status::Outcome;

/// One side effect of a change, carried out later by the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Job {
    /// To the requester: the protocol and a tracking link.
    #[serde(rename = "email.request_received")]
    RequestReceived { request_id: i64 },
    /// To the zone's address and the assignee: a request waits for triage.
    #[serde(rename = "email.new_request")]
    NewRequest { request_id: i64 },
    #[serde(rename = "email.rejected")]
    Rejected { request_id: i64, reason: String },
    #[serde(rename = "email.scheduled")]
    Scheduled(MeetingNotice),
    #[serde(rename = "email.rescheduled")]
    Rescheduled(MeetingNotice),
    #[serde(rename = "email.cancelled")]
    Cancelled(CancelNotice),
    #[serde(rename = "email.reminder")]
    Reminder {
        request_id: i64,
        /// The scheduling it belongs to: moot once the meeting moves.
        revision: i32,
        hours_before: u32,
    },
    #[serde(rename = "email.done")]
    Done { request_id: i64, outcome: Outcome },
    /// With the google provider: the event and its Meet link in the zone's calendar.
    #[serde(rename = "meeting.create")]
    CreateMeeting(MeetingTime),
    #[serde(rename = "meeting.update")]
    MoveMeeting(MeetingTime),
    #[serde(rename = "meeting.delete")]
    DeleteMeeting { request_id: i64 },
    /// To the requester: the times offered, to pick one on the tracking page.
    #[serde(rename = "email.offered")]
    Offered(OfferNotice),
    /// To the requester: the offered times are no longer held.
    #[serde(rename = "email.offer_withdrawn")]
    OfferWithdrawn { request_id: i64 },
    /// The worker closes an offer nobody picked, if the request is as the offer left it
    /// (`version`); otherwise it was picked, withdrawn or cancelled and there is nothing to do.
    #[serde(rename = "offer.expire")]
    ExpireOffer { request_id: i64, version: i32 },
    /// To the zone: an offer ran out unpicked and the request waits for new times.
    #[serde(rename = "email.offer_expired")]
    OfferExpired { request_id: i64 },
    /// To the zone's address and the assignee: the requester moved their meeting.
    #[serde(rename = "email.rescheduled_by_requester")]
    RescheduledByRequester(MeetingMove),
    /// With the google provider: an event with a Meet link for a call from the zone's queue.
    #[serde(rename = "queue.meeting")]
    QueueMeeting { ticket_id: i64 },
    /// To the person called from the queue: the meeting's link and the time to join.
    #[serde(rename = "email.queue_called")]
    QueueCalled { ticket_id: i64 },
    /// At the counter's closing time: a ticket still waiting is closed and its holder told.
    #[serde(rename = "queue.close")]
    CloseTicket { ticket_id: i64 },
    /// To a person the counter's close left waiting: how to file a request instead.
    #[serde(rename = "email.queue_closed")]
    QueueClosed { ticket_id: i64 },
    /// To the requester: the request turned to written messages, the meeting (if any)
    /// called off, and how to go on.
    #[serde(rename = "email.to_message")]
    ToMessage(ModeNotice),
    /// To the zone's address and the assignee: the requester wrote; one e-mail for every
    /// message of the batch that `first_message_id` opened.
    #[serde(rename = "email.messages_to_zone")]
    MessagesToZone {
        request_id: i64,
        first_message_id: i64,
    },
    /// To the requester: the zone wrote, batched likewise.
    #[serde(rename = "email.messages_to_requester")]
    MessagesToRequester {
        request_id: i64,
        first_message_id: i64,
    },
    /// To the Libras interpreter of a meeting: the invitation, new or at its new time.
    #[serde(rename = "email.interpreter_invited")]
    InterpreterInvited(InterpreterInvitation),
    /// To an interpreter who no longer joins a meeting: it was cancelled, or moved to a time
    /// another interpreter takes.
    #[serde(rename = "email.interpreter_released")]
    InterpreterReleased(InterpreterRelease),
    /// To the requester of a request done with them attended: the link to the satisfaction
    /// survey, once.
    #[serde(rename = "email.survey")]
    Survey { request_id: i64 },
    /// The day's retention run (LGPD); it queues the next day's when it is done.
    #[serde(rename = "retention.run")]
    Retention { day: NaiveDate },
}

/// A request turned to written messages, told to the requester with the meeting that will
/// not happen, if there was one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeNotice {
    pub request_id: i64,
    pub reason: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// The last scheduling: the invitation's cancel must come after it.
    pub revision: i32,
}

/// A meeting's invitation to its interpreter, as the change decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterInvitation {
    pub request_id: i64,
    /// The staff account that interprets.
    pub interpreter_id: i32,
    /// The scheduling it belongs to (the invitation's SEQUENCE): moot once the meeting moves
    /// again or another interpreter takes it.
    pub revision: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `None` when the calendar makes the link: the message then runs after the meeting job
    /// and takes the link it recorded.
    pub meet_link: Option<String>,
    /// When the interpreter already had this meeting at another time: that time.
    pub previous_start: Option<DateTime<Utc>>,
}

/// An interpreter let go from a meeting, with the time they no longer hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterRelease {
    pub request_id: i64,
    pub interpreter_id: i32,
    /// The invitation's cancel: above every invitation they had for the meeting.
    pub sequence: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The meeting was cancelled; otherwise it moved to a time another interpreter takes.
    pub cancelled: bool,
}

/// Times offered to the requester, as the change decided them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferNotice {
    pub request_id: i64,
    pub starts: Vec<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A meeting announced to the requester, as the change decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingNotice {
    pub request_id: i64,
    pub revision: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `None` when the calendar makes the link: the message then runs after the meeting
    /// job and takes the link it recorded.
    pub meet_link: Option<String>,
}

/// A cancellation told to the requester, with the meeting that will not happen, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelNotice {
    pub request_id: i64,
    pub reason: Option<String>,
    pub by_requester: bool,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// The last scheduling: the invitation's cancel must come after it.
    pub revision: i32,
}

/// The time of the meeting a calendar job puts in the zone's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingTime {
    pub request_id: i64,
    pub revision: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A meeting the requester moved, told to the zone: the time it left and the time it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingMove {
    pub request_id: i64,
    pub revision: i32,
    pub previous_start: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A job the zone's calendar carries out (the others are e-mails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarChange<'a> {
    Create(&'a MeetingTime),
    Move(&'a MeetingTime),
    Delete { request_id: i64 },
}

/// The kinds of job, as stored in the outbox's `kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    RequestReceived,
    NewRequest,
    Rejected,
    Scheduled,
    Rescheduled,
    Cancelled,
    Reminder,
    Done,
    CreateMeeting,
    MoveMeeting,
    DeleteMeeting,
    Offered,
    OfferWithdrawn,
    ExpireOffer,
    OfferExpired,
    RescheduledByRequester,
    QueueMeeting,
    QueueCalled,
    CloseTicket,
    QueueClosed,
    ToMessage,
    MessagesToZone,
    MessagesToRequester,
    InterpreterInvited,
    InterpreterReleased,
    Survey,
    Retention,
}

/// Where an outbox job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    Pending,
    Running,
    Done,
    Dead,
}

/// A payload the worker cannot read: the job is dead, with this as its reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tarefa ilegível ({kind}): {detail}")]
pub struct UndecodableJob {
    pub kind: String,
    pub detail: String,
}

impl Job {
    pub fn kind(&self) -> JobKind {
        match self {
            Job::RequestReceived { .. } => JobKind::RequestReceived,
            Job::NewRequest { .. } => JobKind::NewRequest,
            Job::Rejected { .. } => JobKind::Rejected,
            Job::Scheduled(_) => JobKind::Scheduled,
            Job::Rescheduled(_) => JobKind::Rescheduled,
            Job::Cancelled(_) => JobKind::Cancelled,
            Job::Reminder { .. } => JobKind::Reminder,
            Job::Done { .. } => JobKind::Done,
            Job::CreateMeeting(_) => JobKind::CreateMeeting,
            Job::MoveMeeting(_) => JobKind::MoveMeeting,
            Job::DeleteMeeting { .. } => JobKind::DeleteMeeting,
            Job::Offered(_) => JobKind::Offered,
            Job::OfferWithdrawn { .. } => JobKind::OfferWithdrawn,
            Job::ExpireOffer { .. } => JobKind::ExpireOffer,
            Job::OfferExpired { .. } => JobKind::OfferExpired,
            Job::RescheduledByRequester(_) => JobKind::RescheduledByRequester,
            Job::QueueMeeting { .. } => JobKind::QueueMeeting,
            Job::QueueCalled { .. } => JobKind::QueueCalled,
            Job::CloseTicket { .. } => JobKind::CloseTicket,
            Job::QueueClosed { .. } => JobKind::QueueClosed,
            Job::ToMessage(_) => JobKind::ToMessage,
            Job::MessagesToZone { .. } => JobKind::MessagesToZone,
            Job::MessagesToRequester { .. } => JobKind::MessagesToRequester,
            Job::InterpreterInvited(_) => JobKind::InterpreterInvited,
            Job::InterpreterReleased(_) => JobKind::InterpreterReleased,
            Job::Survey { .. } => JobKind::Survey,
            Job::Retention { .. } => JobKind::Retention,
        }
    }

    /// The calendar's part, for calendar jobs; `None` for e-mails.
    pub fn calendar_change(&self) -> Option<CalendarChange<'_>> {
        match self {
            Job::CreateMeeting(time) => Some(CalendarChange::Create(time)),
            Job::MoveMeeting(time) => Some(CalendarChange::Move(time)),
            Job::DeleteMeeting { request_id } => Some(CalendarChange::Delete {
                request_id: *request_id,
            }),
            Job::RequestReceived { .. }
            | Job::NewRequest { .. }
            | Job::Rejected { .. }
            | Job::Scheduled(_)
            | Job::Rescheduled(_)
            | Job::Cancelled(_)
            | Job::Reminder { .. }
            | Job::Done { .. }
            | Job::Offered(_)
            | Job::OfferWithdrawn { .. }
            | Job::ExpireOffer { .. }
            | Job::OfferExpired { .. } => None,
            Job::RescheduledByRequester(_)
            | Job::QueueMeeting { .. }
            | Job::QueueCalled { .. }
            | Job::CloseTicket { .. }
            | Job::QueueClosed { .. }
            | Job::InterpreterInvited(_)
            | Job::InterpreterReleased(_) => None,
            Job::ToMessage(_)
            | Job::MessagesToZone { .. }
            | Job::MessagesToRequester { .. }
            | Job::Survey { .. }
            | Job::Retention { .. } => None,
        }
    }

    /// The queue ticket the job is about, for the queue's jobs.
    pub fn ticket_id(&self) -> Option<i64> {
        match self {
            Job::QueueMeeting { ticket_id }
            | Job::QueueCalled { ticket_id }
            | Job::CloseTicket { ticket_id }
            | Job::QueueClosed { ticket_id } => Some(*ticket_id),
            _ => None,
        }
    }

    /// Every job the queue may write about ticket `ticket_id`, one of each kind: what to look
    /// for in the outbox to find all of a ticket's jobs.
    pub fn of_ticket(ticket_id: i64) -> [Job; 4] {
        [
            Job::CloseTicket { ticket_id },
            Job::QueueMeeting { ticket_id },
            Job::QueueCalled { ticket_id },
            Job::QueueClosed { ticket_id },
        ]
    }

    /// The outbox key of a queue job: its kind and its ticket, so a ticket has at most one
    /// job of each kind and its jobs are found by key (`jobs.request_id` names requests
    /// only). `None` for a request's job, whose key the change that queues it names.
    pub fn ticket_key(&self) -> Option<String> {
        self.ticket_id()
            .map(|id| format!("{}:{id}", self.kind().as_str()))
    }

    /// The request the job is about; `None` for the queue's jobs, which are about a ticket.
    pub fn request_id(&self) -> Option<i64> {
        let id = match self {
            Job::QueueMeeting { .. }
            | Job::QueueCalled { .. }
            | Job::CloseTicket { .. }
            | Job::QueueClosed { .. }
            | Job::Retention { .. } => return None,
            Job::RequestReceived { request_id }
            | Job::NewRequest { request_id }
            | Job::Rejected { request_id, .. }
            | Job::Reminder { request_id, .. }
            | Job::Done { request_id, .. }
            | Job::DeleteMeeting { request_id }
            | Job::OfferWithdrawn { request_id }
            | Job::ExpireOffer { request_id, .. }
            | Job::OfferExpired { request_id }
            | Job::MessagesToZone { request_id, .. }
            | Job::MessagesToRequester { request_id, .. }
            | Job::Survey { request_id } => *request_id,
            Job::ToMessage(notice) => notice.request_id,
            Job::Offered(notice) => notice.request_id,
            Job::Scheduled(notice) | Job::Rescheduled(notice) => notice.request_id,
            Job::Cancelled(notice) => notice.request_id,
            Job::CreateMeeting(time) | Job::MoveMeeting(time) => time.request_id,
            Job::RescheduledByRequester(moved) => moved.request_id,
            Job::InterpreterInvited(invitation) => invitation.request_id,
            Job::InterpreterReleased(release) => release.request_id,
        };
        Some(id)
    }

    /// The kind for the `kind` column and the payload for the `payload` column.
    pub fn encode(&self) -> Result<(JobKind, Value), serde_json::Error> {
        let mut fields = match serde_json::to_value(self)? {
            Value::Object(fields) => fields,
            // Every variant is a struct: serde writes an object with the tag inside.
            other => return Ok((self.kind(), other)),
        };
        fields.remove("kind");
        Ok((self.kind(), Value::Object(fields)))
    }

    /// Reads a job back from its columns. Jobs queued before payloads were typed kept the
    /// change's data under `details` (and a `version` nobody reads): that still decodes.
    pub fn decode(kind: &str, payload: &Value) -> Result<Job, UndecodableJob> {
        let undecodable = |detail: String| UndecodableJob {
            kind: kind.to_string(),
            detail,
        };
        let Value::Object(stored) = payload else {
            return Err(undecodable("o conteúdo não é um objeto JSON".into()));
        };
        let mut fields: Map<String, Value> = stored.clone();
        if let Some(Value::Object(details)) = fields.remove("details") {
            for (name, value) in details {
                fields.entry(name).or_insert(value);
            }
        }
        fields.insert("kind".into(), Value::String(kind.to_string()));
        serde_json::from_value(Value::Object(fields))
            .map_err(|error| undecodable(error.to_string()))
    }
}

impl JobKind {
    pub const ALL: [JobKind; 27] = [
        JobKind::RequestReceived,
        JobKind::NewRequest,
        JobKind::Rejected,
        JobKind::Scheduled,
        JobKind::Rescheduled,
        JobKind::Cancelled,
        JobKind::Reminder,
        JobKind::Done,
        JobKind::CreateMeeting,
        JobKind::MoveMeeting,
        JobKind::DeleteMeeting,
        JobKind::Offered,
        JobKind::OfferWithdrawn,
        JobKind::ExpireOffer,
        JobKind::OfferExpired,
        JobKind::RescheduledByRequester,
        JobKind::QueueMeeting,
        JobKind::QueueCalled,
        JobKind::CloseTicket,
        JobKind::QueueClosed,
        JobKind::ToMessage,
        JobKind::MessagesToZone,
        JobKind::MessagesToRequester,
        JobKind::InterpreterInvited,
        JobKind::InterpreterReleased,
        JobKind::Survey,
        JobKind::Retention,
    ];

    /// The name in the `kind` column, the same as the payload's serde tag.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::RequestReceived => "email.request_received",
            JobKind::NewRequest => "email.new_request",
            JobKind::Rejected => "email.rejected",
            JobKind::Scheduled => "email.scheduled",
            JobKind::Rescheduled => "email.rescheduled",
            JobKind::Cancelled => "email.cancelled",
            JobKind::Reminder => "email.reminder",
            JobKind::Done => "email.done",
            JobKind::CreateMeeting => "meeting.create",
            JobKind::MoveMeeting => "meeting.update",
            JobKind::DeleteMeeting => "meeting.delete",
            JobKind::Offered => "email.offered",
            JobKind::OfferWithdrawn => "email.offer_withdrawn",
            JobKind::ExpireOffer => "offer.expire",
            JobKind::OfferExpired => "email.offer_expired",
            JobKind::RescheduledByRequester => "email.rescheduled_by_requester",
            JobKind::QueueMeeting => "queue.meeting",
            JobKind::QueueCalled => "email.queue_called",
            JobKind::CloseTicket => "queue.close",
            JobKind::QueueClosed => "email.queue_closed",
            JobKind::ToMessage => "email.to_message",
            JobKind::MessagesToZone => "email.messages_to_zone",
            JobKind::MessagesToRequester => "email.messages_to_requester",
            JobKind::InterpreterInvited => "email.interpreter_invited",
            JobKind::InterpreterReleased => "email.interpreter_released",
            JobKind::Survey => "email.survey",
            JobKind::Retention => "retention.run",
        }
    }

    pub fn parse(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// What staff read.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::RequestReceived => "E-mail: pedido recebido",
            JobKind::NewRequest => "E-mail: aviso à zona",
            JobKind::Rejected => "E-mail: indeferimento",
            JobKind::Scheduled => "E-mail: atendimento marcado",
            JobKind::Rescheduled => "E-mail: atendimento remarcado",
            JobKind::Cancelled => "E-mail: cancelamento",
            JobKind::Reminder => "E-mail: lembrete",
            JobKind::Done => "E-mail: conclusão",
            JobKind::CreateMeeting => "Google Agenda: criar reunião",
            JobKind::MoveMeeting => "Google Agenda: mover reunião",
            JobKind::DeleteMeeting => "Google Agenda: excluir reunião",
            JobKind::Offered => "E-mail: horários oferecidos",
            JobKind::OfferWithdrawn => "E-mail: oferta retirada",
            JobKind::ExpireOffer => "Prazo da oferta de horários",
            JobKind::OfferExpired => "E-mail: oferta expirada (aviso à zona)",
            JobKind::RescheduledByRequester => {
                "E-mail: remarcação pelo(a) requerente (aviso à zona)"
            }
            JobKind::QueueMeeting => "Google Agenda: reunião de chamada da fila",
            JobKind::QueueCalled => "E-mail: chamada da fila",
            JobKind::CloseTicket => "Fim do expediente da fila",
            JobKind::QueueClosed => "E-mail: fila encerrada",
            JobKind::ToMessage => "E-mail: atendimento por mensagens",
            JobKind::MessagesToZone => "E-mail: mensagens do(a) requerente (aviso à zona)",
            JobKind::MessagesToRequester => "E-mail: mensagens do cartório",
            JobKind::InterpreterInvited => "E-mail: convite ao(à) intérprete de Libras",
            JobKind::InterpreterReleased => "E-mail: dispensa do(a) intérprete de Libras",
            JobKind::Survey => "E-mail: pesquisa de satisfação",
            JobKind::Retention => "Retenção de dados pessoais (LGPD)",
        }
    }
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Pending,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL
            .into_iter()
            .find(|state| state.as_str() == s.trim())
    }

    /// What staff read.
    pub fn label(self) -> &'static str {
        match self {
            JobState::Pending => "na fila",
            JobState::Running => "em andamento",
            JobState::Done => "concluída",
            JobState::Dead => "com falha",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn one_of_each() -> Vec<Job> {
        let notice = MeetingNotice {
            request_id: 7,
            revision: 2,
            start: at("2026-12-03T11:30:00Z"),
            end: at("2026-12-03T11:50:00Z"),
            meet_link: Some("https://meet.google.com/abc-defg-hij".into()),
        };
        let time = MeetingTime {
            request_id: 7,
            revision: 2,
            start: notice.start,
            end: notice.end,
        };
        vec![
            Job::RequestReceived { request_id: 7 },
            Job::NewRequest { request_id: 7 },
            Job::Rejected {
                request_id: 7,
                reason: "Fora da competência".into(),
            },
            Job::Scheduled(notice.clone()),
            Job::Rescheduled(MeetingNotice {
                meet_link: None,
                ..notice.clone()
            }),
            Job::Cancelled(CancelNotice {
                request_id: 7,
                reason: None,
                by_requester: true,
                start: Some(notice.start),
                end: Some(notice.end),
                revision: 2,
            }),
            Job::Reminder {
                request_id: 7,
                revision: 2,
                hours_before: 24,
            },
            Job::Done {
                request_id: 7,
                outcome: Outcome::NoShow,
            },
            Job::CreateMeeting(time.clone()),
            Job::MoveMeeting(time),
            Job::DeleteMeeting { request_id: 7 },
            Job::Offered(OfferNotice {
                request_id: 7,
                starts: vec![notice.start, at("2026-12-04T11:30:00Z")],
                expires_at: at("2026-12-03T10:00:00Z"),
            }),
            Job::OfferWithdrawn { request_id: 7 },
            Job::ExpireOffer {
                request_id: 7,
                version: 3,
            },
            Job::OfferExpired { request_id: 7 },
            Job::RescheduledByRequester(MeetingMove {
                request_id: 7,
                revision: 3,
                previous_start: notice.start,
                start: notice.start + chrono::Duration::days(1),
                end: notice.end + chrono::Duration::days(1),
            }),
            Job::QueueMeeting { ticket_id: 7 },
            Job::QueueCalled { ticket_id: 7 },
            Job::CloseTicket { ticket_id: 7 },
            Job::QueueClosed { ticket_id: 7 },
            Job::ToMessage(ModeNotice {
                request_id: 7,
                reason: Some("A conexão caiu duas vezes".into()),
                start: Some(notice.start),
                end: Some(notice.end),
                revision: 2,
            }),
            Job::MessagesToZone {
                request_id: 7,
                first_message_id: 12,
            },
            Job::MessagesToRequester {
                request_id: 7,
                first_message_id: 13,
            },
            Job::InterpreterInvited(InterpreterInvitation {
                request_id: 7,
                interpreter_id: 30,
                revision: 2,
                start: notice.start,
                end: notice.end,
                meet_link: None,
                previous_start: Some(notice.start - chrono::Duration::days(1)),
            }),
            Job::InterpreterReleased(InterpreterRelease {
                request_id: 7,
                interpreter_id: 31,
                sequence: 3,
                start: notice.start,
                end: notice.end,
                cancelled: true,
            }),
            Job::Survey { request_id: 7 },
            Job::Retention {
                day: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            },
        ]
    }

    #[test]
    fn every_job_reads_back_as_it_was_written() {
        let jobs = one_of_each();
        assert_eq!(jobs.len(), JobKind::ALL.len(), "one of each kind");
        for job in jobs {
            let (kind, payload) = job.encode().unwrap();
            assert_eq!(kind, job.kind());
            assert!(payload.get("kind").is_none(), "the kind has its own column");
            assert_eq!(Job::decode(kind.as_str(), &payload), Ok(job.clone()));
            // Each job is about one request or one queue ticket, never both; the retention
            // run is about the service's whole store.
            match (job.request_id(), job.ticket_id()) {
                (Some(id), None) | (None, Some(id)) => assert_eq!(id, 7, "{job:?}"),
                (None, None) if job.kind() == JobKind::Retention => {}
                other => panic!("{job:?} is about {other:?}"),
            }
        }
    }

    #[test]
    fn a_ticket_s_jobs_are_every_queue_job_and_keep_their_keys() {
        let kind = |job: &Job| job.kind().as_str();
        let mut of_ticket: Vec<&str> = Job::of_ticket(7).iter().map(kind).collect();
        let mut about_tickets: Vec<&str> = one_of_each()
            .iter()
            .filter(|job| job.ticket_id().is_some())
            .map(kind)
            .collect();
        of_ticket.sort_unstable();
        about_tickets.sort_unstable();
        assert_eq!(of_ticket, about_tickets, "every kind of job about a ticket");
        // The keys rows already in the outbox have: a new format would miss them.
        let keys: Vec<Option<String>> = Job::of_ticket(7).iter().map(Job::ticket_key).collect();
        assert_eq!(
            keys,
            [
                "queue.close:7",
                "queue.meeting:7",
                "email.queue_called:7",
                "email.queue_closed:7"
            ]
            .map(|key| Some(key.to_string()))
        );
        assert_eq!(Job::Survey { request_id: 7 }.ticket_key(), None);
    }

    #[test]
    fn kind_names_are_the_serde_tags_and_parse_back() {
        for job in one_of_each() {
            let tagged = serde_json::to_value(&job).unwrap();
            assert_eq!(tagged["kind"], job.kind().as_str());
        }
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
    }

    /// Payloads as the service wrote them before jobs were typed (`details` nested, a
    /// `version`, fields nobody reads): they must still run after the upgrade.
    #[test]
    fn jobs_queued_by_the_first_version_still_decode() {
        let cases: Vec<(&str, &str, Value, Job)> = vec![
            (
                "the receipt",
                "email.request_received",
                json!({"request_id": 3, "version": 1, "details": {}}),
                Job::RequestReceived { request_id: 3 },
            ),
            (
                "a transfer's notice to the zone",
                "email.new_request",
                json!({"request_id": 3, "version": 2, "details": {"from_zone": 1, "to_zone": 43}}),
                Job::NewRequest { request_id: 3 },
            ),
            (
                "a manual schedule",
                "email.scheduled",
                json!({"request_id": 3, "version": 3, "details": {
                    "start": "2026-12-03T11:30:00Z", "end": "2026-12-03T11:50:00Z",
                    "meet_link": "https://meet.google.com/abc-defg-hij", "revision": 1,
                    "previous_start": null}}),
                Job::Scheduled(MeetingNotice {
                    request_id: 3,
                    revision: 1,
                    start: at("2026-12-03T11:30:00Z"),
                    end: at("2026-12-03T11:50:00Z"),
                    meet_link: Some("https://meet.google.com/abc-defg-hij".into()),
                }),
            ),
            (
                "a cancel before any meeting",
                "email.cancelled",
                json!({"request_id": 3, "version": 2, "details": {
                    "reason": null, "by_requester": true, "start": null, "end": null,
                    "revision": 0}}),
                Job::Cancelled(CancelNotice {
                    request_id: 3,
                    reason: None,
                    by_requester: true,
                    start: None,
                    end: None,
                    revision: 0,
                }),
            ),
            (
                "a reminder",
                "email.reminder",
                json!({"request_id": 3, "details": {"revision": 2, "hours_before": 1}}),
                Job::Reminder {
                    request_id: 3,
                    revision: 2,
                    hours_before: 1,
                },
            ),
            (
                "the thanks",
                "email.done",
                json!({"request_id": 3, "version": 5, "details": {"outcome": "attended"}}),
                Job::Done {
                    request_id: 3,
                    outcome: Outcome::Attended,
                },
            ),
            (
                "an event to move",
                "meeting.update",
                json!({"request_id": 3, "version": 4, "details": {
                    "start": "2026-12-03T11:30:00Z", "end": "2026-12-03T11:50:00Z",
                    "meet_link": null, "revision": 2, "previous_start": "2026-12-02T11:30:00Z"}}),
                Job::MoveMeeting(MeetingTime {
                    request_id: 3,
                    revision: 2,
                    start: at("2026-12-03T11:30:00Z"),
                    end: at("2026-12-03T11:50:00Z"),
                }),
            ),
            (
                "an event to delete",
                "meeting.delete",
                json!({"request_id": 3, "version": 4, "details": {
                    "reason": "x", "by_requester": false, "start": null, "end": null,
                    "revision": 1}}),
                Job::DeleteMeeting { request_id: 3 },
            ),
        ];
        for (description, kind, payload, expected) in cases {
            assert_eq!(Job::decode(kind, &payload), Ok(expected), "{description}");
        }
    }

    #[test]
    fn a_payload_that_lacks_a_field_or_a_known_kind_does_not_decode() {
        let cases = [
            ("no request", "email.request_received", json!({})),
            (
                "a schedule without its time",
                "email.scheduled",
                json!({"request_id": 1, "details": {"revision": 1}}),
            ),
            (
                "a rejection without its reason",
                "email.rejected",
                json!({"request_id": 1}),
            ),
            ("an unknown kind", "sms.sent", json!({"request_id": 1})),
            ("not an object", "email.done", json!([1, 2])),
            (
                "an outcome nobody knows",
                "email.done",
                json!({"request_id": 1, "outcome": "late"}),
            ),
        ];
        for (description, kind, payload) in cases {
            let error = Job::decode(kind, &payload).unwrap_err();
            assert_eq!(error.kind, kind, "{description}");
            assert!(
                error.to_string().starts_with("tarefa ilegível"),
                "{description}: {error}"
            );
        }
    }
}
