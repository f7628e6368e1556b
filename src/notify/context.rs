//! What each message says, as typed data: one struct per message, serialized into its
//! template. A field missing here is a compile error; a variable missing in a template is a
//! render error (strict mode), caught by the tests that render every template.

use serde::Serialize;

/// What every message to a requester carries.
#[derive(Debug, Clone, Serialize)]
pub struct ToRequester {
    pub name: String,
    pub protocol: String,
    pub zone_name: String,
    /// The requester's own link, with a token minted for this message.
    pub tracking_url: String,
    pub public_url: String,
    pub signature: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestReceived {
    #[serde(flatten)]
    pub common: ToRequester,
    pub subject: String,
}

/// To the zone's address and the assignee: no tracking link (it is the requester's secret).
#[derive(Debug, Clone, Serialize)]
pub struct NewRequest {
    pub protocol: String,
    pub zone_name: String,
    pub name: String,
    pub role: String,
    pub subject: String,
    pub description: String,
    pub process_number: Option<String>,
    /// Already written the Brazilian way, separated by commas.
    pub preferred_dates: Option<String>,
    /// The declared accessibility needs in one line, e.g. "Libras, Legendas — …".
    pub accessibility: Option<String>,
    /// Attended by written messages rather than by video.
    pub by_message: bool,
    pub assignee: Option<String>,
    pub panel_url: String,
    pub signature: String,
}

/// To the zone's address and the assignee, when the requester moved their meeting: no
/// tracking link (it is the requester's secret).
#[derive(Debug, Clone, Serialize)]
pub struct RescheduledByRequester {
    pub protocol: String,
    pub zone_name: String,
    pub name: String,
    pub subject: String,
    pub assignee: Option<String>,
    /// The time it left: "quinta-feira, 3 de dezembro de 2026", "09:10".
    pub previous_date: String,
    pub previous_time: String,
    pub date: String,
    pub time: String,
    pub end_time: String,
    pub panel_url: String,
    pub signature: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    #[serde(flatten)]
    pub common: ToRequester,
    pub reason: String,
}

/// For both the scheduled and the rescheduled message.
#[derive(Debug, Clone, Serialize)]
pub struct Scheduled {
    #[serde(flatten)]
    pub common: ToRequester,
    /// "quinta-feira, 3 de dezembro de 2026"
    pub date: String,
    /// "09:10"
    pub time: String,
    pub end_time: String,
    pub meet_link: String,
    pub process_number: Option<String>,
    pub cancel_notice_hours: u32,
    /// Up to how many hours before the meeting the requester may still move it themselves;
    /// `None` once they may not (turned off, or every move used).
    pub reschedule_notice_hours: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cancelled {
    #[serde(flatten)]
    pub common: ToRequester,
    pub by_requester: bool,
    /// The meeting that will not happen, if there was one.
    pub date: Option<String>,
    pub time: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reminder {
    #[serde(flatten)]
    pub common: ToRequester,
    /// "amanhã", "em 1 hora", …
    pub when: String,
    pub date: String,
    pub time: String,
    pub meet_link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Done {
    #[serde(flatten)]
    pub common: ToRequester,
    pub attended: bool,
    /// Attended through the written messages, without a meeting.
    pub by_message: bool,
}

/// To the requester attended: the satisfaction survey's link, with the tracking link's token.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    #[serde(flatten)]
    pub common: ToRequester,
    pub survey_url: String,
    /// Attended through the written messages, without a meeting.
    pub by_message: bool,
}

/// To the requester: the request is attended by written messages from now on.
#[derive(Debug, Clone, Serialize)]
pub struct ToMessage {
    #[serde(flatten)]
    pub common: ToRequester,
    /// The meeting called off, if there was one.
    pub date: Option<String>,
    pub time: Option<String>,
    pub reason: Option<String>,
}

/// One message of a batch, as an e-mail shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageLine {
    /// "quarta-feira, 2 de dezembro de 2026, às 10:05"
    pub at: String,
    /// The clerk's name, for the zone's messages.
    pub author: Option<String>,
    pub text: String,
}

/// To the requester: what the zone wrote in the thread.
#[derive(Debug, Clone, Serialize)]
pub struct MessagesToRequester {
    #[serde(flatten)]
    pub common: ToRequester,
    pub messages: Vec<MessageLine>,
}

/// To the zone's address and the assignee: what the requester wrote.
#[derive(Debug, Clone, Serialize)]
pub struct MessagesToZone {
    pub protocol: String,
    pub zone_name: String,
    pub name: String,
    pub by_message: bool,
    pub messages: Vec<MessageLine>,
    /// When the reply is late, while one is owed.
    pub reply_due: Option<String>,
    pub reply_days: u32,
    pub panel_url: String,
    pub signature: String,
}

/// "amanhã" for a day ahead, else "em N horas".
pub fn reminder_when(hours_before: u32) -> String {
    match hours_before {
        24 => "amanhã".to_string(),
        1 => "em 1 hora".to_string(),
        hours if hours % 24 == 0 => format!("em {} dias", hours / 24),
        hours => format!("em {hours} horas"),
    }
}

/// Times offered to the requester, each written out ("quinta-feira, 3 de dezembro de 2026,
/// às 09:10"), and until when they are held.
#[derive(Debug, Clone, Serialize)]
pub struct Offered {
    #[serde(flatten)]
    pub common: ToRequester,
    pub slots: Vec<String>,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfferWithdrawn {
    #[serde(flatten)]
    pub common: ToRequester,
}

/// To the zone: no tracking link (it is the requester's secret).
#[derive(Debug, Clone, Serialize)]
pub struct OfferExpired {
    pub protocol: String,
    pub zone_name: String,
    pub name: String,
    pub panel_url: String,
    pub signature: String,
}

/// To a person called from a zone's queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueCalled {
    pub name: String,
    pub zone_name: String,
    pub meet_link: String,
    pub grace_minutes: u32,
    pub ticket_url: String,
    pub signature: String,
}

/// To a person still waiting when the counter closed.
#[derive(Debug, Clone, Serialize)]
pub struct QueueClosed {
    pub name: String,
    pub zone_name: String,
    pub subject: String,
    pub ticket_url: String,
    pub signature: String,
}

/// To the Libras interpreter of a meeting: who, where, when and the link; nothing of the
/// requester beyond their name (no CPF, no contact data, no subject).
#[derive(Debug, Clone, Serialize)]
pub struct InterpreterInvited {
    pub interpreter_name: String,
    pub requester_name: String,
    pub protocol: String,
    pub zone_name: String,
    pub date: String,
    pub time: String,
    pub end_time: String,
    pub meet_link: String,
    /// The time the meeting had before a move, when the interpreter already had it.
    pub previous_date: Option<String>,
    pub previous_time: Option<String>,
    /// The clerk who holds the meeting.
    pub clerk: Option<String>,
    pub signature: String,
}

/// To an interpreter who no longer joins a meeting.
#[derive(Debug, Clone, Serialize)]
pub struct InterpreterReleased {
    pub interpreter_name: String,
    pub requester_name: String,
    pub protocol: String,
    pub zone_name: String,
    /// The time they no longer hold.
    pub date: String,
    pub time: String,
    /// The meeting was cancelled; otherwise it moved and another interpreter takes it.
    pub cancelled: bool,
    pub signature: String,
}
