//! Attendance by written messages (CNJ Res. 372/2021, art. 2, § 1): for people whose
//! connection cannot hold a video call. A request's mode, the text of one message of its
//! thread, who may write when, and when the court owes a reply.

use chrono::{DateTime, Duration, Utc};

use super::{
    job::Job,
    schedule::ZoneCalendar,
    status::Status,
    text::{Lines, ShortTextError, short_text},
};

/// How a request is attended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// A meeting by videoconference.
    #[default]
    Video,
    /// Written messages on the request's page, answered by the zone in the panel.
    Message,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Video, Mode::Message];

    /// The name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Video => "video",
            Mode::Message => "message",
        }
    }

    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|mode| mode.as_str() == name)
    }

    /// A form's or the API's choice: blank is video, the default.
    pub fn parse_optional(input: &str) -> Result<Mode, ModeError> {
        match input.trim() {
            "" => Ok(Mode::Video),
            name => Mode::parse(name).ok_or(ModeError),
        }
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Video => "por videoconferência",
            Mode::Message => "por mensagens escritas",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Forma de atendimento inválida: use video (videoconferência) ou message (mensagens escritas)."
)]
pub struct ModeError;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Author {
    Requester,
    Staff,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Requester => "requester",
            Author::Staff => "staff",
        }
    }

    pub fn parse(name: &str) -> Option<Author> {
        [Author::Requester, Author::Staff]
            .into_iter()
            .find(|author| author.as_str() == name)
    }
}

/// The longest message: enough for a question and its context, short enough to read.
pub const MESSAGE_MAX_CHARS: usize = 4000;

/// The text of one message: 1 to [`MESSAGE_MAX_CHARS`] characters, line breaks allowed,
/// nothing invisible. Shown as text, never as markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageTextError {
    #[error("Escreva a mensagem.")]
    Empty,
    #[error(transparent)]
    Text(#[from] ShortTextError),
}

impl MessageText {
    pub fn parse(input: &str) -> Result<MessageText, MessageTextError> {
        short_text(input, MESSAGE_MAX_CHARS, Lines::Many)?
            .map(MessageText)
            .ok_or(MessageTextError::Empty)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Why a message was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageRefusal {
    #[error("{}", closed_thread(*status))]
    Closed { status: Status },
}

impl MessageRefusal {
    /// The API's stable code.
    pub fn code(self) -> &'static str {
        match self {
            MessageRefusal::Closed { .. } => "request_closed",
        }
    }
}

fn closed_thread(status: Status) -> &'static str {
    match status {
        Status::Done => {
            "Esta solicitação foi concluída: a conversa está encerrada. Para um novo assunto, faça um novo pedido."
        }
        Status::Rejected => {
            "Esta solicitação foi indeferida: a conversa está encerrada. Para um novo assunto, faça um novo pedido."
        }
        _ => {
            "Esta solicitação foi cancelada: a conversa está encerrada. Para um novo assunto, faça um novo pedido."
        }
    }
}

/// A thread takes messages, from either side, while its request is open: once final, the
/// request's record does not change.
pub fn may_write(status: Status) -> Result<(), MessageRefusal> {
    if status.is_final() {
        Err(MessageRefusal::Closed { status })
    } else {
        Ok(())
    }
}

/// When the court's reply to a message written at `asked_at` is late: once `business_days`
/// full days of service (the zone's window on its business days) have passed, counted as the
/// inbox counts waiting, so a message sent on Friday evening is not late on Monday morning.
pub fn reply_due(
    calendar: &ZoneCalendar<'_>,
    asked_at: DateTime<Utc>,
    business_days: u32,
) -> DateTime<Utc> {
    calendar.after_service_minutes(asked_at, calendar.day_minutes() * i64::from(business_days))
}

/// The settings a thread follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadPolicy {
    /// Days of service the court has to reply before the inbox marks a thread late.
    pub reply_business_days: u32,
    /// How long a message waits for the next ones before its e-mail goes: the batch's
    /// messages share one e-mail.
    pub notice_delay: Duration,
}

/// A request's thread as a new message finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadState {
    pub request_id: i64,
    pub status: Status,
    pub reply_due_at: Option<DateTime<Utc>>,
    /// The open batch of the requester's messages (its first message), whose e-mail to the
    /// zone has not gone yet.
    pub zone_batch: Option<i64>,
    /// The open batch of the zone's messages, whose e-mail to the requester has not gone.
    pub requester_batch: Option<i64>,
}

/// What one new message changes besides being stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadChange {
    /// The requester wrote something no clerk has read; a clerk's message reads the thread.
    pub staff_unread: bool,
    /// When the court's reply is late: kept from the oldest unanswered message, cleared by
    /// a clerk's reply.
    pub reply_due_at: Option<DateTime<Utc>>,
    pub batch: Batch,
}

/// Which e-mail tells the other side of the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// The e-mail of this batch (its first message) has not gone: it will carry this one.
    Join(i64),
    /// The message opens a batch: its e-mail goes at `notice_at`, with whatever the same
    /// side writes until then.
    Open { notice_at: DateTime<Utc> },
}

/// What a message by `author` at `now` changes in `thread`, or why it is not taken.
pub fn on_message(
    thread: &ThreadState,
    author: Author,
    now: DateTime<Utc>,
    calendar: &ZoneCalendar<'_>,
    policy: &ThreadPolicy,
) -> Result<ThreadChange, MessageRefusal> {
    may_write(thread.status)?;
    let open_batch = match author {
        Author::Requester => thread.zone_batch,
        Author::Staff => thread.requester_batch,
    };
    let batch = match open_batch {
        Some(first) => Batch::Join(first),
        None => Batch::Open {
            notice_at: now + policy.notice_delay,
        },
    };
    Ok(match author {
        Author::Requester => ThreadChange {
            staff_unread: true,
            reply_due_at: Some(
                thread
                    .reply_due_at
                    .unwrap_or_else(|| reply_due(calendar, now, policy.reply_business_days)),
            ),
            batch,
        },
        Author::Staff => ThreadChange {
            staff_unread: false,
            reply_due_at: None,
            batch,
        },
    })
}

/// The e-mail that tells the other side of the batch `first_message_id` opened.
pub fn notice_job(request_id: i64, author: Author, first_message_id: i64) -> Job {
    match author {
        Author::Requester => Job::MessagesToZone {
            request_id,
            first_message_id,
        },
        Author::Staff => Job::MessagesToRequester {
            request_id,
            first_message_id,
        },
    }
}

/// The outbox key of a batch's e-mail: one per batch, however often it is written.
pub fn notice_key(request_id: i64, author: Author, first_message_id: i64) -> String {
    format!(
        "request:{request_id}:messages:{first_message_id}:from-{}",
        author.as_str()
    )
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, TimeZone};

    use super::*;
    use crate::domain::{
        holidays::{ZoneHolidays, parse_csv},
        schedule::{SERVICE_TIME_ZONE, ServiceWindow, ZoneSchedule},
    };

    fn belem(datetime: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(datetime, "%Y-%m-%d %H:%M").unwrap();
        SERVICE_TIME_ZONE
            .from_local_datetime(&naive)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn belem_zone() -> ZoneSchedule {
        let all = parse_csv(include_str!("../../config/holidays.csv")).unwrap();
        ZoneSchedule::new(
            None,
            &ServiceWindow::default(),
            ZoneHolidays::for_zone(&all, &["Belém".to_string()]),
        )
    }

    #[test]
    fn modes_and_authors_round_trip() {
        for mode in Mode::ALL {
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
        }
        for author in [Author::Requester, Author::Staff] {
            assert_eq!(Author::parse(author.as_str()), Some(author));
        }
        assert_eq!(Mode::parse("Video"), None);
        assert_eq!(Mode::parse_optional(""), Ok(Mode::Video));
        assert_eq!(Mode::parse_optional(" message "), Ok(Mode::Message));
        assert_eq!(Mode::parse_optional("texto"), Err(ModeError));
        assert_eq!(Mode::default(), Mode::Video);
    }

    #[test]
    fn message_text_is_one_to_four_thousand_characters_of_plain_text() {
        type Case<'a> = (&'a str, String, Result<&'a str, MessageTextError>);
        let cases: Vec<Case> = vec![
            ("one character", "a".into(), Ok("a")),
            ("trimmed", "  Bom dia  ".into(), Ok("Bom dia")),
            (
                "line breaks kept, made LF",
                "Linha 1\r\nLinha 2".into(),
                Ok("Linha 1\nLinha 2"),
            ),
            (
                "markup is text",
                "<script>alert(1)</script>".into(),
                Ok("<script>alert(1)</script>"),
            ),
            ("empty", String::new(), Err(MessageTextError::Empty)),
            ("blank", " \n\t ".into(), Err(MessageTextError::Empty)),
            ("exactly the limit", "é".repeat(4000), Ok("")),
            (
                "over the limit",
                "é".repeat(4001),
                Err(MessageTextError::Text(ShortTextError::TooLong {
                    max: 4000,
                })),
            ),
        ];
        for (name, input, expected) in cases {
            let parsed = MessageText::parse(&input);
            match expected {
                Ok("") => assert!(parsed.is_ok(), "{name}"),
                Ok(text) => assert_eq!(parsed.unwrap().as_str(), text, "{name}"),
                Err(error) => assert_eq!(parsed.unwrap_err(), error, "{name}"),
            }
        }
        assert!(
            MessageText::parse("invisível\u{200B}").is_err(),
            "invisible characters are refused"
        );
    }

    #[test]
    fn only_an_open_request_takes_messages() {
        for status in Status::ALL {
            assert_eq!(may_write(status).is_ok(), status.is_open(), "{status}");
        }
        let refusal = may_write(Status::Done).unwrap_err();
        assert!(refusal.to_string().contains("concluída"));
    }

    #[test]
    fn a_reply_is_due_after_full_days_of_service() {
        // The default window: weekdays 08:30–11:30 (three hours a day); 8 December is a
        // holiday in Belém.
        let zone = belem_zone();
        let calendar = zone.calendar();
        type Case<'a> = (&'a str, &'a str, u32, &'a str);
        let cases: Vec<Case> = vec![
            (
                "inside the window: two days later at the same hour",
                "2026-12-02 10:00",
                2,
                "2026-12-04 10:00",
            ),
            (
                "after closing: the next days count",
                "2026-12-02 15:00",
                1,
                "2026-12-03 11:30",
            ),
            (
                "on Friday evening: the weekend does not count",
                "2026-12-04 18:00",
                2,
                "2026-12-09 11:30",
            ),
            (
                "before opening: that day counts whole",
                "2026-12-02 07:00",
                1,
                "2026-12-02 11:30",
            ),
            (
                "a holiday in between is skipped",
                "2026-12-07 10:00",
                2,
                "2026-12-10 10:00",
            ),
            (
                "on a Saturday: from Monday's opening",
                "2026-12-05 09:00",
                1,
                "2026-12-07 11:30",
            ),
            (
                "no days: due at once",
                "2026-12-02 10:00",
                0,
                "2026-12-02 10:00",
            ),
        ];
        for (name, asked, days, due) in cases {
            assert_eq!(
                reply_due(&calendar, belem(asked), days),
                belem(due),
                "{name}"
            );
        }
    }

    fn thread(status: Status) -> ThreadState {
        ThreadState {
            request_id: 7,
            status,
            reply_due_at: None,
            zone_batch: None,
            requester_batch: None,
        }
    }

    fn policy() -> ThreadPolicy {
        ThreadPolicy {
            reply_business_days: 2,
            notice_delay: Duration::minutes(5),
        }
    }

    #[test]
    fn a_message_marks_the_thread_and_batches_its_e_mail() {
        let zone = belem_zone();
        let calendar = zone.calendar();
        let now = belem("2026-12-02 10:00");
        let due = belem("2026-12-04 10:00");
        let earlier_due = belem("2026-12-03 09:00");
        type Case<'a> = (&'a str, ThreadState, Author, ThreadChange);
        let cases: Vec<Case> = vec![
            (
                "the requester's first message: unread, a reply owed, a batch opens",
                thread(Status::Triaged),
                Author::Requester,
                ThreadChange {
                    staff_unread: true,
                    reply_due_at: Some(due),
                    batch: Batch::Open {
                        notice_at: now + Duration::minutes(5),
                    },
                },
            ),
            (
                "another one soon after: the oldest message's deadline, the same batch",
                ThreadState {
                    reply_due_at: Some(earlier_due),
                    zone_batch: Some(40),
                    ..thread(Status::Triaged)
                },
                Author::Requester,
                ThreadChange {
                    staff_unread: true,
                    reply_due_at: Some(earlier_due),
                    batch: Batch::Join(40),
                },
            ),
            (
                "the clerk replies: read, nothing owed, the requester's batch opens",
                ThreadState {
                    reply_due_at: Some(earlier_due),
                    zone_batch: Some(40),
                    ..thread(Status::Scheduled)
                },
                Author::Staff,
                ThreadChange {
                    staff_unread: false,
                    reply_due_at: None,
                    batch: Batch::Open {
                        notice_at: now + Duration::minutes(5),
                    },
                },
            ),
            (
                "the clerk again before the e-mail went: the same batch",
                ThreadState {
                    requester_batch: Some(41),
                    ..thread(Status::Submitted)
                },
                Author::Staff,
                ThreadChange {
                    staff_unread: false,
                    reply_due_at: None,
                    batch: Batch::Join(41),
                },
            ),
        ];
        for (name, state, author, expected) in cases {
            assert_eq!(
                on_message(&state, author, now, &calendar, &policy()),
                Ok(expected),
                "{name}"
            );
        }
    }

    #[test]
    fn a_final_request_takes_no_message_from_either_side() {
        let zone = belem_zone();
        let now = belem("2026-12-02 10:00");
        for status in [Status::Done, Status::Rejected, Status::Cancelled] {
            for author in [Author::Requester, Author::Staff] {
                assert_eq!(
                    on_message(&thread(status), author, now, &zone.calendar(), &policy()),
                    Err(MessageRefusal::Closed { status }),
                    "{status} by {}",
                    author.as_str()
                );
            }
        }
    }

    #[test]
    fn each_side_has_its_own_e_mail_and_key() {
        assert_eq!(
            notice_job(7, Author::Requester, 40),
            Job::MessagesToZone {
                request_id: 7,
                first_message_id: 40
            }
        );
        assert_eq!(
            notice_job(7, Author::Staff, 41),
            Job::MessagesToRequester {
                request_id: 7,
                first_message_id: 41
            }
        );
        assert_ne!(
            notice_key(7, Author::Requester, 40),
            notice_key(7, Author::Staff, 40)
        );
    }
}
