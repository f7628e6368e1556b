//! What a clerk asks to do to a request, parsed into a typed command with the data each
//! action needs (a reject needs a reason, a schedule a start, …).

use chrono::{DateTime, Utc};

use super::{
    field_errors::FieldErrors,
    meet_link::MeetLink,
    status::{Action, Outcome},
    text::{Lines, short_text},
};

const NOTE_MAX_CHARS: usize = 2000;
const REASON_MAX_CHARS: usize = 500;

/// The fields of a transition as they arrive from the API or a panel form.
#[derive(Debug, Clone, Default)]
pub struct CommandInput {
    pub action: Option<String>,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub zone: Option<i64>,
    pub start: Option<String>,
    /// The starts an offer names, RFC 3339 each.
    pub slots: Vec<String>,
    pub meet_link: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Triage,
    Reject {
        reason: String,
    },
    Transfer {
        to_zone: i32,
    },
    Schedule {
        start: DateTime<Utc>,
        meet_link: Option<MeetLink>,
    },
    Reschedule {
        start: DateTime<Utc>,
        meet_link: Option<MeetLink>,
    },
    Complete {
        outcome: Outcome,
    },
    Cancel {
        reason: Option<String>,
    },
    /// Offers these starts (distinct, in order) for the requester to pick one.
    Offer {
        starts: Vec<DateTime<Utc>>,
        meet_link: Option<MeetLink>,
    },
    Withdraw,
    /// The requester's choice among the offered starts.
    Pick {
        start: DateTime<Utc>,
    },
    /// The worker closes an offer nobody picked in time.
    Expire,
    /// Attendance by written messages from now on; a scheduled meeting is called off.
    ToMessage {
        reason: Option<String>,
    },
    /// Puts the request on legal hold (why: a court order, a dispute), or lifts it.
    Hold {
        reason: String,
    },
    ReleaseHold {
        reason: String,
    },
}

/// How many times an offer names: enough for a choice, few enough to hold.
pub const OFFER_SLOTS: std::ops::RangeInclusive<usize> = 2..=5;

/// A command and the free-text note that goes into the audit trail with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCommand {
    pub command: Command,
    pub note: Option<String>,
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Triage => Action::Triage,
            Command::Reject { .. } => Action::Reject,
            Command::Transfer { .. } => Action::Transfer,
            Command::Schedule { .. } => Action::Schedule,
            Command::Reschedule { .. } => Action::Reschedule,
            Command::Complete { .. } => Action::Complete,
            Command::Cancel { .. } => Action::Cancel,
            Command::Offer { .. } => Action::Offer,
            Command::Withdraw => Action::Withdraw,
            Command::Pick { .. } => Action::Pick,
            Command::Expire => Action::Expire,
            Command::ToMessage { .. } => Action::ToMessage,
            Command::Hold { .. } => Action::Hold,
            Command::ReleaseHold { .. } => Action::ReleaseHold,
        }
    }

    /// A staff member's command, reporting every missing or malformed field at once under
    /// the API's field names. `pick` is the requester's and `expire` the worker's: staff
    /// cannot send them.
    pub fn parse(
        input: &CommandInput,
        allowed_link_hosts: &[String],
    ) -> Result<ParsedCommand, FieldErrors> {
        let mut errors = FieldErrors::new();
        let note = free_text(&input.note, NOTE_MAX_CHARS, "note", &mut errors);
        let action = match input.action.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("action", "Informe a ação.");
                None
            }
            Some(name) => Action::parse(name)
                .filter(|action| !matches!(action, Action::Pick | Action::Expire))
                .or_else(|| {
                    errors.add(
                        "action",
                        "Ação desconhecida: use triage, reject, transfer, offer, withdraw, schedule, reschedule, to_message, complete, cancel, hold ou release_hold.",
                    );
                    None
                }),
        };
        let command = action.and_then(|action| match action {
            Action::Triage => Some(Command::Triage),
            Action::Reject => {
                let reason = free_text(&input.reason, REASON_MAX_CHARS, "reason", &mut errors);
                if reason.is_none() && errors.get("reason").is_none() {
                    errors.add("reason", "Informe o motivo do indeferimento.");
                }
                reason.map(|reason| Command::Reject { reason })
            }
            Action::Transfer => match input.zone {
                Some(zone @ 1..=999) => Some(Command::Transfer {
                    to_zone: zone as i32,
                }),
                Some(_) => {
                    errors.add("zone", "Zona eleitoral inválida.");
                    None
                }
                None => {
                    errors.add("zone", "Informe a zona eleitoral de destino.");
                    None
                }
            },
            Action::Schedule | Action::Reschedule => {
                let start = start_time(&input.start, &mut errors);
                let meet_link = meet_link(&input.meet_link, allowed_link_hosts, &mut errors);
                let (start, meet_link) = (start?, meet_link?);
                Some(if action == Action::Schedule {
                    Command::Schedule { start, meet_link }
                } else {
                    Command::Reschedule { start, meet_link }
                })
            }
            Action::Complete => match input.outcome.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.add("outcome", "Informe o resultado do atendimento.");
                    None
                }
                Some(name) => Outcome::parse(name)
                    .map(|outcome| Command::Complete { outcome })
                    .or_else(|| {
                        errors.add(
                            "outcome",
                            "Resultado inválido: use attended, no_show ou attended_by_message.",
                        );
                        None
                    }),
            },
            Action::Cancel => Some(Command::Cancel {
                reason: free_text(&input.reason, REASON_MAX_CHARS, "reason", &mut errors),
            }),
            Action::Offer => {
                let starts = offered_starts(&input.slots, &mut errors);
                let meet_link = meet_link(&input.meet_link, allowed_link_hosts, &mut errors);
                Some(Command::Offer {
                    starts: starts?,
                    meet_link: meet_link?,
                })
            }
            Action::Withdraw => Some(Command::Withdraw),
            Action::ToMessage => Some(Command::ToMessage {
                reason: free_text(&input.reason, REASON_MAX_CHARS, "reason", &mut errors),
            }),
            Action::Hold | Action::ReleaseHold => {
                let reason = free_text(&input.reason, REASON_MAX_CHARS, "reason", &mut errors);
                if reason.is_none() && errors.get("reason").is_none() {
                    errors.add(
                        "reason",
                        if action == Action::Hold {
                            "Informe o motivo da guarda legal."
                        } else {
                            "Informe o motivo da liberação da guarda legal."
                        },
                    );
                }
                reason.map(|reason| {
                    if action == Action::Hold {
                        Command::Hold { reason }
                    } else {
                        Command::ReleaseHold { reason }
                    }
                })
            }
            Action::Pick | Action::Expire => None,
        });
        match command {
            Some(command) if errors.is_empty() => Ok(ParsedCommand { command, note }),
            _ => Err(errors),
        }
    }
}

/// Trimmed optional text, its line breaks made LF; blank is `None`. Line breaks are allowed,
/// control and invisible characters are not (they garble e-mails and logs, or show the
/// requester something other than what is stored): [`super::text::check_characters`].
fn free_text(
    value: &Option<String>,
    max_chars: usize,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    errors
        .check(
            field,
            short_text(value.as_deref().unwrap_or_default(), max_chars, Lines::Many),
        )
        .flatten()
}

/// `None` (an error recorded) for a link that does not parse; `Some(None)` for no link.
fn meet_link(
    value: &Option<String>,
    allowed_hosts: &[String],
    errors: &mut FieldErrors,
) -> Option<Option<MeetLink>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(link) => match MeetLink::parse(link, allowed_hosts) {
            Ok(link) => Some(Some(link)),
            Err(error) => {
                errors.add("meet_link", error.to_string());
                None
            }
        },
    }
}

/// The starts of an offer: each a time, none twice, and as many as [`OFFER_SLOTS`] allows.
fn offered_starts(values: &[String], errors: &mut FieldErrors) -> Option<Vec<DateTime<Utc>>> {
    let texts: Vec<&str> = values
        .iter()
        .map(|text| text.trim())
        .filter(|text| !text.is_empty())
        .collect();
    if !OFFER_SLOTS.contains(&texts.len()) {
        errors.add(
            "slots",
            format!(
                "Escolha de {} a {} horários para oferecer.",
                OFFER_SLOTS.start(),
                OFFER_SLOTS.end()
            ),
        );
        return None;
    }
    let mut starts = Vec::with_capacity(texts.len());
    for text in texts {
        let Ok(start) = DateTime::parse_from_rfc3339(text) else {
            errors.add(
                "slots",
                format!("Horário inválido: {text}. Use o formato RFC 3339, por exemplo 2026-12-03T09:10:00-03:00."),
            );
            return None;
        };
        let start = start.with_timezone(&Utc);
        if starts.contains(&start) {
            errors.add("slots", "Cada horário só pode ser oferecido uma vez.");
            return None;
        }
        starts.push(start);
    }
    Some(starts)
}

fn start_time(value: &Option<String>, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add("start", "Informe a data e o horário da reunião.");
            None
        }
        Some(text) => match DateTime::parse_from_rfc3339(text) {
            Ok(start) => Some(start.with_timezone(&Utc)),
            Err(_) => {
                errors.add(
                    "start",
                    "Data e horário inválidos: use o formato RFC 3339, por exemplo 2026-12-03T09:10:00-03:00.",
                );
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(action: &str) -> CommandInput {
        CommandInput {
            action: Some(action.to_string()),
            ..CommandInput::default()
        }
    }

    fn hosts() -> Vec<String> {
        vec!["meet.google.com".to_string()]
    }

    #[test]
    fn valid_commands_parse() {
        let start: DateTime<Utc> = "2026-12-03T12:10:00Z".parse().unwrap();
        let cases: Vec<(&str, CommandInput, Command)> = vec![
            ("triage", input("triage"), Command::Triage),
            (
                "reject with a reason",
                CommandInput {
                    reason: Some(" Petições não são recebidas aqui ".into()),
                    ..input("reject")
                },
                Command::Reject {
                    reason: "Petições não são recebidas aqui".into(),
                },
            ),
            (
                "transfer",
                CommandInput {
                    zone: Some(5),
                    ..input("transfer")
                },
                Command::Transfer { to_zone: 5 },
            ),
            (
                "schedule with the local offset",
                CommandInput {
                    start: Some("2026-12-03T09:10:00-03:00".into()),
                    ..input("schedule")
                },
                Command::Schedule {
                    start,
                    meet_link: None,
                },
            ),
            (
                "reschedule with a link",
                CommandInput {
                    start: Some("2026-12-03T12:10:00Z".into()),
                    meet_link: Some("https://meet.google.com/abc-defg-hij".into()),
                    ..input("reschedule")
                },
                Command::Reschedule {
                    start,
                    meet_link: Some(
                        MeetLink::parse("https://meet.google.com/abc-defg-hij", &hosts()).unwrap(),
                    ),
                },
            ),
            (
                "complete, attended",
                CommandInput {
                    outcome: Some("attended".into()),
                    ..input("complete")
                },
                Command::Complete {
                    outcome: Outcome::Attended,
                },
            ),
            (
                "complete, no-show",
                CommandInput {
                    outcome: Some("no_show".into()),
                    ..input("complete")
                },
                Command::Complete {
                    outcome: Outcome::NoShow,
                },
            ),
            (
                "cancel without a reason",
                input("cancel"),
                Command::Cancel { reason: None },
            ),
            (
                "an offer of two times, in the order given",
                CommandInput {
                    slots: vec![
                        "2026-12-04T09:10:00-03:00".into(),
                        " 2026-12-03T12:10:00Z ".into(),
                    ],
                    ..input("offer")
                },
                Command::Offer {
                    starts: vec!["2026-12-04T12:10:00Z".parse().unwrap(), start],
                    meet_link: None,
                },
            ),
            ("withdraw", input("withdraw"), Command::Withdraw),
        ];
        for (description, input, expected) in cases {
            let parsed = Command::parse(&input, &hosts());
            assert_eq!(parsed.map(|p| p.command), Ok(expected), "{description}");
        }
    }

    #[test]
    fn invalid_commands_name_the_field() {
        let cases: Vec<(&str, CommandInput, &[&str])> = vec![
            ("no action", CommandInput::default(), &["action"]),
            ("unknown action", input("approve"), &["action"]),
            ("the requester's pick", input("pick"), &["action"]),
            ("the worker's expiry", input("expire"), &["action"]),
            ("an offer of nothing", input("offer"), &["slots"]),
            (
                "an offer of one time",
                CommandInput {
                    slots: vec!["2026-12-03T12:10:00Z".into()],
                    ..input("offer")
                },
                &["slots"],
            ),
            (
                "an offer of six times",
                CommandInput {
                    slots: (1..=6)
                        .map(|day| format!("2026-12-{day:02}T12:10:00Z"))
                        .collect(),
                    ..input("offer")
                },
                &["slots"],
            ),
            (
                "an offer naming one time twice, in two offsets",
                CommandInput {
                    slots: vec![
                        "2026-12-03T12:10:00Z".into(),
                        "2026-12-03T09:10:00-03:00".into(),
                    ],
                    ..input("offer")
                },
                &["slots"],
            ),
            (
                "an offer with a time that does not parse and a foreign link",
                CommandInput {
                    slots: vec!["2026-12-03T12:10:00Z".into(), "amanhã".into()],
                    meet_link: Some("https://zoom.us/j/1".into()),
                    ..input("offer")
                },
                &["meet_link", "slots"],
            ),
            ("reject without a reason", input("reject"), &["reason"]),
            (
                "reject with a blank reason",
                CommandInput {
                    reason: Some("  ".into()),
                    ..input("reject")
                },
                &["reason"],
            ),
            (
                "reject with a huge reason",
                CommandInput {
                    reason: Some("x".repeat(501)),
                    ..input("reject")
                },
                &["reason"],
            ),
            ("transfer without a zone", input("transfer"), &["zone"]),
            (
                "transfer to zone 0",
                CommandInput {
                    zone: Some(0),
                    ..input("transfer")
                },
                &["zone"],
            ),
            ("schedule without a start", input("schedule"), &["start"]),
            (
                "schedule without an offset",
                CommandInput {
                    start: Some("2026-12-03T09:10:00".into()),
                    ..input("schedule")
                },
                &["start"],
            ),
            (
                "schedule with a foreign link and no start",
                CommandInput {
                    meet_link: Some("https://zoom.us/j/1".into()),
                    ..input("schedule")
                },
                &["meet_link", "start"],
            ),
            (
                "complete without an outcome",
                input("complete"),
                &["outcome"],
            ),
            (
                "complete with an unknown outcome",
                CommandInput {
                    outcome: Some("late".into()),
                    ..input("complete")
                },
                &["outcome"],
            ),
            (
                "a note with a control character",
                CommandInput {
                    note: Some("ok\u{7}".into()),
                    ..input("triage")
                },
                &["note"],
            ),
            (
                "a reason with a right-to-left override",
                CommandInput {
                    reason: Some("Documento \u{202E}fdp.exe inválido".into()),
                    ..input("reject")
                },
                &["reason"],
            ),
            (
                "a note with a zero-width space",
                CommandInput {
                    note: Some("liguei\u{200B}".into()),
                    ..input("triage")
                },
                &["note"],
            ),
            (
                "a cancel reason with a line separator",
                CommandInput {
                    reason: Some("duplicado\u{2028}ver outro".into()),
                    ..input("cancel")
                },
                &["reason"],
            ),
            (
                "a note that is too long",
                CommandInput {
                    note: Some("x".repeat(2001)),
                    ..input("triage")
                },
                &["note"],
            ),
        ];
        for (description, input, fields) in cases {
            let errors = Command::parse(&input, &hosts()).unwrap_err();
            let found: Vec<&str> = errors.fields().collect();
            assert_eq!(found, *fields, "{description}");
        }
    }

    #[test]
    fn notes_keep_line_breaks() {
        let parsed = Command::parse(
            &CommandInput {
                note: Some("linha 1\nlinha 2".into()),
                ..input("triage")
            },
            &hosts(),
        )
        .unwrap();
        assert_eq!(parsed.note.as_deref(), Some("linha 1\nlinha 2"));
        let parsed = Command::parse(
            &CommandInput {
                note: Some("linha 1\r\nlinha 2".into()),
                ..input("triage")
            },
            &hosts(),
        )
        .unwrap();
        assert_eq!(
            parsed.note.as_deref(),
            Some("linha 1\nlinha 2"),
            "a text area's CRLF"
        );
    }
}
