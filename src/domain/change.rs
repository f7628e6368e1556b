//! The whole decision of a change to a request, as one pure function. The store loads a
//! snapshot (the request, its zone's calendar, what the command refers to, the settings that
//! matter), [`decide`] returns either a typed [`Refusal`] or a [`Decision`] (the new fields,
//! the history entry, the jobs to queue), and the store writes that in one transaction.
//!
//! A new rule about how a request changes goes here, with a case in the tables below.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::{
    command::{Command, ParsedCommand},
    indicators,
    interpreters::{self, Commitments},
    job::{
        CancelNotice, InterpreterInvitation, InterpreterRelease, Job, MeetingMove, MeetingNotice,
        MeetingTime, ModeNotice, OfferNotice,
    },
    meet_link::MeetLink,
    messages::Mode,
    schedule::{Horizon, ServiceWindow, Slot, SlotError, ZoneSchedule},
    status::{Action, Outcome, Status, TransitionNotAllowed, transition},
    survey,
};

/// Who acts on a request, as recorded in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The person who filed it, proven by the tracking token.
    Requester,
    Staff(i32),
    System,
}

/// Where Meet links come from, which decides who makes the event and when the e-mail
/// that carries the link can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingSource {
    /// The calendar API makes the event and its link; the e-mail follows that job.
    Calendar,
    /// The clerk (or the zone's fixed room) supplies the link with the schedule itself.
    Manual,
}

/// The settings a decision depends on.
#[derive(Debug, Clone)]
pub struct Policy {
    pub source: MeetingSource,
    /// Used by zones without a window of their own.
    pub default_window: ServiceWindow,
    /// Reminders go this many hours before a meeting.
    pub reminder_hours: Vec<u32>,
    /// A zone's fixed room is used only on these hosts.
    pub allowed_link_hosts: Vec<String>,
    /// A requester may cancel a meeting only up to this many hours before it.
    pub requester_cancel_notice_hours: u32,
    /// How far ahead a meeting may be scheduled or moved.
    pub horizon: Horizon,
    /// An offer nobody picked goes back to the clerk after this many hours.
    pub offer_expiry_hours: u32,
    /// A requester may move their meeting only while it starts at least this many hours
    /// from now.
    pub requester_reschedule_notice_hours: u32,
    /// How many times a requester may move their meeting; staff moves do not count.
    pub requester_reschedules_max: u32,
}

/// The request as a change finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestState {
    pub id: i64,
    pub status: Status,
    pub zone: i32,
    pub assignee: Option<i32>,
    pub meeting: Option<Slot>,
    pub meet_link: Option<String>,
    pub schedule_revision: i32,
    /// How many times the requester moved the meeting themselves.
    pub requester_reschedules: i32,
    pub version: i32,
    /// The times offered to the requester, while the request is `offered`.
    pub offer: Option<Offer>,
    pub mode: Mode,
    /// When the request was filed: its first answer's wait counts from then.
    pub filed_at: DateTime<Utc>,
    /// The requester declared they need a Libras interpreter.
    pub needs_interpreter: bool,
    /// The interpreter who joins the meeting, once there is one.
    pub interpreter: Option<i32>,
    /// On legal hold: retention leaves its personal data as it is.
    pub legal_hold: bool,
}

/// Times offered to the requester, held for them until they pick one or the offer ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// In time order.
    pub slots: Vec<Slot>,
    pub expires_at: DateTime<Utc>,
    /// For a request that needs a Libras interpreter: the one held at each offered start, so
    /// the time the requester picks still has them.
    pub interpreters: BTreeMap<DateTime<Utc>, i32>,
}

/// The zone the request is in, as a change needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneFacts {
    pub number: i32,
    pub schedule: ZoneSchedule,
    /// The zone's fixed room, as stored.
    pub room_link: Option<String>,
}

/// What the store must load for a command, besides the request and its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// A transfer: the destination zone (active ones only) and its least loaded clerk.
    Zone(i32),
    /// A schedule or an offer: what else holds the time of the clerk who would hold it
    /// (meetings and other requests' offers) between `from` and `to`, and with
    /// `interpreters`, the time of every interpreter of the court.
    AgendaOf {
        clerk: i32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        interpreters: bool,
    },
}

/// What the store loaded for [`Needs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    Nothing,
    /// `None`: no active zone has that number.
    Zone(Option<TransferTarget>),
    /// `None`: the clerk's account does not exist.
    Agenda(Option<Agenda>),
}

/// The times already taken around a schedule or an offer: by other requests' meetings (held
/// or interpreted) and by the times offered to other requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agenda {
    /// The clerk's.
    pub busy: Vec<Slot>,
    /// Each interpreter's (active, of any zone), when the request needs one; empty when the
    /// court has none.
    pub interpreters: Vec<Commitments>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferTarget {
    pub number: i32,
    /// Its active clerk with the fewest open requests, if it has any.
    pub least_loaded_clerk: Option<i32>,
}

/// Everything a decision is judged against.
#[derive(Debug, Clone)]
pub struct Situation<'a> {
    pub request: &'a RequestState,
    pub zone: &'a ZoneFacts,
    pub facts: Facts,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub policy: &'a Policy,
}

/// Why a change was refused. The API answers 409 for those without a field (the request's
/// state forbids it) and 422 under [`Refusal::field`] for the others.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    NotAllowed(#[from] TransitionNotAllowed),
    #[error(
        "Não é possível cancelar com menos de {hours} horas de antecedência; entre em contato com o cartório."
    )]
    TooLateToCancel { hours: u32 },
    #[error(transparent)]
    Slot(#[from] SlotError),
    #[error("Esta zona eleitoral não existe.")]
    UnknownZone,
    #[error("A solicitação já está nesta zona eleitoral.")]
    SameZone,
    #[error("Informe o link da reunião: esta zona não tem sala fixa configurada.")]
    NoMeetingLink,
    #[error("A solicitação não tem servidor(a) responsável.")]
    NoClerk,
    #[error("O(a) servidor(a) responsável não existe.")]
    ClerkGone,
    #[error("Escolha um dos horários oferecidos.")]
    NotOffered,
    /// One of the times a clerk would offer cannot be held.
    #[error("{}: {error}", super::dates::moment(*start))]
    OfferedSlot {
        start: DateTime<Utc>,
        error: SlotError,
    },
    #[error("{}", offer_closed(*now))]
    OfferClosed { now: Status },
    #[error(
        "O prazo para escolher um dos horários oferecidos terminou. O cartório vai entrar em contato com novos horários."
    )]
    OfferExpired,
    #[error("A oferta de horários ainda está no prazo.")]
    OfferStillOpen,
    #[error(
        "Faltam menos de {hours} horas para o atendimento: para remarcar, fale com o cartório."
    )]
    TooLateToReschedule { hours: u32 },
    #[error("{}", reschedule_limit_message(.max))]
    RescheduleLimitReached { max: u32 },
    #[error(
        "O horário do atendimento já chegou: não é mais possível remarcá-lo. Se precisar, fale com o cartório."
    )]
    MeetingStarted,
    #[error("Esta solicitação não tem atendimento marcado para remarcar.")]
    NotScheduled,
    #[error("Este já é o horário do seu atendimento.")]
    SameSlot,
    /// Meetings are not held for a request attended by written messages.
    #[error(
        "Esta solicitação é atendida por mensagens escritas: responda pela conversa e conclua com o resultado attended_by_message."
    )]
    ByMessage,
    #[error("A solicitação já é atendida por mensagens escritas.")]
    AlreadyByMessage,
    #[error("A solicitação já está sob guarda legal.")]
    AlreadyOnHold,
    #[error("A solicitação não está sob guarda legal.")]
    NotOnHold,
    /// The outcome does not fit how the request is attended.
    #[error("{}", outcome_for_mode(*mode))]
    OutcomeForMode { mode: Mode },
}

fn outcome_for_mode(mode: Mode) -> &'static str {
    match mode {
        Mode::Message => {
            "Esta solicitação é atendida por mensagens escritas: conclua com o resultado attended_by_message."
        }
        Mode::Video => {
            "O resultado attended_by_message é só para solicitações atendidas por mensagens escritas."
        }
    }
}

/// Why a pick found no offer: what became of the request, in the requester's words.
fn offer_closed(now: Status) -> &'static str {
    match now {
        Status::Scheduled => {
            "Um horário já foi escolhido para esta solicitação: confira o horário marcado na página de acompanhamento."
        }
        Status::Triaged => {
            "Os horários oferecidos não estão mais disponíveis (a oferta terminou ou foi retirada). O cartório vai oferecer novos horários."
        }
        Status::Submitted | Status::Offered => {
            "Esta solicitação não tem horários oferecidos para escolher."
        }
        Status::Done | Status::Rejected | Status::Cancelled => {
            "Esta solicitação foi encerrada e não aceita mais a escolha de horário."
        }
    }
}

/// Said when the requester may move the meeting no more: once they used every move, or
/// when the court lets requesters move none.
fn reschedule_limit_message(max: &u32) -> String {
    match *max {
        0 => "A remarcação pelo(a) requerente não está disponível: para mudar o horário, fale com o cartório.".into(),
        1 => "Você já remarcou este atendimento uma vez, o máximo permitido: para mudar o horário de novo, fale com o cartório.".into(),
        max => format!("Você já remarcou este atendimento {max} vezes, o máximo permitido: para mudar o horário de novo, fale com o cartório."),
    }
}

impl Refusal {
    /// The input field the refusal is about; `None` when the request's state is the reason.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::NotAllowed(_)
            | Refusal::TooLateToCancel { .. }
            | Refusal::OfferClosed { .. }
            | Refusal::OfferExpired
            | Refusal::OfferStillOpen
            | Refusal::TooLateToReschedule { .. }
            | Refusal::RescheduleLimitReached { .. }
            | Refusal::MeetingStarted
            | Refusal::NotScheduled
            | Refusal::ByMessage
            | Refusal::AlreadyByMessage
            | Refusal::AlreadyOnHold
            | Refusal::NotOnHold => None,
            Refusal::Slot(_)
            | Refusal::NoClerk
            | Refusal::ClerkGone
            | Refusal::NotOffered
            | Refusal::SameSlot => Some("start"),
            Refusal::OfferedSlot { .. } => Some("slots"),
            Refusal::UnknownZone | Refusal::SameZone => Some("zone"),
            Refusal::NoMeetingLink => Some("meet_link"),
            Refusal::OutcomeForMode { .. } => Some("outcome"),
        }
    }
}

/// What a change writes: the new state and fields, one history entry, and its jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub to: Status,
    pub changes: Changes,
    pub event: Event,
    pub effects: Vec<Effect>,
}

/// The fields a change sets; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub assignee: Option<Option<i32>>,
    /// The zone number it moves to.
    pub zone: Option<i32>,
    pub meeting: Option<Meeting>,
    pub outcome: Option<Outcome>,
    pub rejection_reason: Option<String>,
    /// `Some(Some(_))` holds these times for the requester; `Some(None)` releases an offer.
    pub offer: Option<Option<Offer>>,
    /// The link an offer will be scheduled with, kept until the pick (by hand only).
    pub offer_link: Option<String>,
    /// The requester's moves of the meeting, counted anew.
    pub requester_reschedules: Option<i32>,
    pub mode: Option<Mode>,
    /// The meeting is called off: its time and link are no longer the request's.
    pub clear_meeting: bool,
    /// The request's first answer (triage or refusal): the minutes of service it waited.
    pub first_answer: Option<i64>,
    /// The Libras interpreter who joins the meeting.
    pub interpreter: Option<Option<i32>>,
    /// The request reaches a final state now.
    pub closes: bool,
    /// The legal hold is put (`true`) or lifted (`false`).
    pub legal_hold: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub slot: Slot,
    pub link: Option<String>,
    pub revision: i32,
}

/// The history entry of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub step: Step,
    pub from: Option<Status>,
    pub to: Status,
    pub actor: Actor,
    /// Zone numbers before and after, when the change placed or moved the request.
    pub zones: (Option<i32>, Option<i32>),
    pub note: Option<String>,
}

/// What happened in one entry of a request's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Submitted,
    Changed(Action),
}

impl Step {
    /// The name stored in the history.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submitted => "submit",
            Step::Changed(action) => action.as_str(),
        }
    }

    pub fn parse(name: &str) -> Option<Step> {
        match name {
            "submit" => Some(Step::Submitted),
            other => Action::parse(other).map(Step::Changed),
        }
    }
}

/// A job to write with the change that needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub job: Job,
    /// Unique per effect of one change: writing it again is a no-op.
    pub key: String,
    pub run_at: DateTime<Utc>,
    /// The key of a job that must be done before this one runs.
    pub waits_for: Option<String>,
}

/// Which data the store must load before [`decide`] can judge `command`.
pub fn needs(request: &RequestState, command: &Command, actor: Actor) -> Needs {
    match command {
        Command::Transfer { to_zone } => Needs::Zone(*to_zone),
        Command::Schedule { start, .. }
        | Command::Reschedule { start, .. }
        | Command::Pick { start } => agenda_around(request, actor, [*start]),
        Command::Offer { starts, .. } => agenda_around(request, actor, starts.iter().copied()),
        Command::Triage
        | Command::Reject { .. }
        | Command::Complete { .. }
        | Command::Cancel { .. }
        | Command::Withdraw
        | Command::Expire
        | Command::ToMessage { .. }
        | Command::Hold { .. }
        | Command::ReleaseHold { .. } => Needs::Nothing,
    }
}

/// The agenda of the clerk who would hold meetings at `starts`, a day either side of them
/// (no meeting is that long).
fn agenda_around(
    request: &RequestState,
    actor: Actor,
    starts: impl IntoIterator<Item = DateTime<Utc>>,
) -> Needs {
    let starts: Vec<_> = starts.into_iter().collect();
    match (
        meeting_holder(request, actor),
        starts.iter().min(),
        starts.iter().max(),
    ) {
        (Some(clerk), Some(first), Some(last)) => Needs::AgendaOf {
            clerk,
            from: *first - Duration::days(1),
            to: *last + Duration::days(1),
            interpreters: request.needs_interpreter,
        },
        _ => Needs::Nothing,
    }
}

/// The change `command` makes in `situation`, or why it may not.
pub fn decide(situation: &Situation<'_>, command: &ParsedCommand) -> Result<Decision, Refusal> {
    let Situation {
        request,
        zone,
        actor,
        now,
        policy,
        ..
    } = situation;
    let from = request.status;
    if let Command::Pick { .. } = command.command {
        if from != Status::Offered {
            return Err(Refusal::OfferClosed { now: from });
        }
        if request
            .offer
            .as_ref()
            .is_some_and(|offer| *now >= offer.expires_at)
        {
            return Err(Refusal::OfferExpired);
        }
    }
    let by_requester = *actor == Actor::Requester;
    // Before the state machine: a requester is told their meeting cannot move and why,
    // not that an action is not allowed.
    if by_requester && let Command::Reschedule { .. } = command.command {
        requester_may_reschedule(request, *now, policy)?;
    }
    let to = transition(from, command.command.action())?;
    let version = request.version + 1;
    let mut changes = Changes::default();
    let mut effects = Effects::of_change(request.id, version, *now);
    let mut zones = (None, None);
    let mut note = command.note.clone();
    if from == Status::Submitted
        && let Command::Triage | Command::Reject { .. } = command.command
    {
        changes.first_answer = Some(indicators::triage_wait_minutes(
            &zone.schedule.calendar(),
            request.filed_at,
            *now,
        ));
    }
    match &command.command {
        Command::Triage => {
            if request.assignee.is_none()
                && let Actor::Staff(staff) = actor
            {
                changes.assignee = Some(Some(*staff));
            }
        }
        Command::Reject { reason } => {
            changes.rejection_reason = Some(reason.clone());
            changes.closes = true;
            effects.push(Job::Rejected {
                request_id: request.id,
                reason: reason.clone(),
            });
        }
        Command::Transfer { .. } => {
            let Facts::Zone(Some(target)) = &situation.facts else {
                return Err(Refusal::UnknownZone);
            };
            if target.number == zone.number {
                return Err(Refusal::SameZone);
            }
            changes.zone = Some(target.number);
            changes.assignee = Some(target.least_loaded_clerk);
            zones = (Some(zone.number), Some(target.number));
            effects.push(Job::NewRequest {
                request_id: request.id,
            });
        }
        Command::Schedule { start, meet_link } | Command::Reschedule { start, meet_link } => {
            let first = matches!(command.command, Command::Schedule { .. });
            schedule(
                situation,
                *start,
                meet_link.as_ref(),
                first,
                &mut changes,
                &mut effects,
            )?;
            if from == Status::Offered {
                changes.offer = Some(None);
            }
        }
        Command::Pick { start } => {
            let offer = request.offer.as_ref().ok_or(Refusal::NotOffered)?;
            if !offer.slots.iter().any(|slot| slot.start == *start) {
                return Err(Refusal::NotOffered);
            }
            schedule(situation, *start, None, true, &mut changes, &mut effects)?;
            changes.offer = Some(None);
        }
        Command::Offer { starts, meet_link } => {
            if request.mode == Mode::Message {
                return Err(Refusal::ByMessage);
            }
            let clerk = meeting_holder(request, *actor).ok_or(Refusal::NoClerk)?;
            let Facts::Agenda(Some(agenda)) = &situation.facts else {
                return Err(Refusal::ClerkGone);
            };
            let calendar = zone.schedule.calendar();
            let mut slots = Vec::with_capacity(starts.len());
            let mut held = BTreeMap::new();
            for start in starts {
                let refused = |error| Refusal::OfferedSlot {
                    start: *start,
                    error,
                };
                let slot = calendar
                    .check_slot(*start, *now, policy.horizon, &agenda.busy)
                    .map_err(refused)?;
                // Each time holds an interpreter of its own: the offer's times need not share one.
                if request.needs_interpreter {
                    let interpreter =
                        interpreters::choose(&agenda.interpreters, &slot, clerk, None)
                            .map_err(refused)?;
                    held.insert(slot.start, interpreter);
                }
                slots.push(slot);
            }
            slots.sort_by_key(|slot| slot.start);
            let link = meeting_link(request, zone, meet_link.as_ref(), policy)?;
            let offer = Offer {
                slots,
                expires_at: *now + Duration::hours(policy.offer_expiry_hours.into()),
                interpreters: held,
            };
            changes.assignee = Some(Some(clerk));
            changes.offer_link = link;
            effects.push(Job::Offered(OfferNotice {
                request_id: request.id,
                starts: offer.slots.iter().map(|slot| slot.start).collect(),
                expires_at: offer.expires_at,
            }));
            effects.expiry(offer.expires_at);
            changes.offer = Some(Some(offer));
        }
        Command::Withdraw => {
            changes.offer = Some(None);
            effects.push(Job::OfferWithdrawn {
                request_id: request.id,
            });
        }
        Command::Expire => {
            if request
                .offer
                .as_ref()
                .is_some_and(|offer| *now < offer.expires_at)
            {
                return Err(Refusal::OfferStillOpen);
            }
            changes.offer = Some(None);
            effects.push(Job::OfferExpired {
                request_id: request.id,
            });
        }
        Command::Complete { outcome } => {
            // Without a meeting, only a request attended by messages can be done.
            if from == Status::Triaged && request.mode == Mode::Video {
                return Err(TransitionNotAllowed {
                    from,
                    action: Action::Complete,
                }
                .into());
            }
            let by_message = *outcome == Outcome::AttendedByMessage;
            if by_message != (request.mode == Mode::Message) {
                return Err(Refusal::OutcomeForMode { mode: request.mode });
            }
            changes.outcome = Some(*outcome);
            changes.closes = true;
            effects.push(Job::Done {
                request_id: request.id,
                outcome: *outcome,
            });
            // Its own message after the completion notice, not a line inside it: the notice
            // stays the same for every outcome, and the invitation is one job of its own in
            // the outbox that staff see sent (or failed) and the worker never sends twice.
            if let Some((job, key)) = survey::invitation(request.id, *outcome) {
                effects.push_keyed(job, key);
            }
        }
        Command::ToMessage { reason } => {
            if request.mode == Mode::Message {
                return Err(Refusal::AlreadyByMessage);
            }
            changes.mode = Some(Mode::Message);
            let meeting = request.meeting.filter(|_| from == Status::Scheduled);
            if let Some(slot) = meeting {
                changes.clear_meeting = true;
                if policy.source == MeetingSource::Calendar {
                    effects.push(Job::DeleteMeeting {
                        request_id: request.id,
                    });
                }
                // No meeting, nothing to interpret: the interpreter's time is free again.
                if release_interpreter(request, slot, &mut effects) {
                    changes.interpreter = Some(None);
                }
            }
            effects.push(Job::ToMessage(ModeNotice {
                request_id: request.id,
                reason: reason.clone(),
                start: meeting.map(|slot| slot.start),
                end: meeting.map(|slot| slot.end),
                revision: request.schedule_revision,
            }));
            note = with_reason(reason.as_deref(), note);
        }
        Command::Hold { reason } => {
            if request.legal_hold {
                return Err(Refusal::AlreadyOnHold);
            }
            changes.legal_hold = Some(true);
            note = with_reason(Some(reason), note);
        }
        Command::ReleaseHold { reason } => {
            if !request.legal_hold {
                return Err(Refusal::NotOnHold);
            }
            changes.legal_hold = Some(false);
            note = with_reason(Some(reason), note);
        }
        Command::Cancel { reason } => {
            if *actor == Actor::Requester {
                requester_may_cancel(request, *now, policy.requester_cancel_notice_hours)?;
            }
            changes.closes = true;
            if from == Status::Offered {
                changes.offer = Some(None);
            }
            // The meeting that will not happen, for the message and its invitation.
            let meeting = request.meeting.filter(|_| from == Status::Scheduled);
            if meeting.is_some() && policy.source == MeetingSource::Calendar {
                effects.push(Job::DeleteMeeting {
                    request_id: request.id,
                });
            }
            effects.push(Job::Cancelled(CancelNotice {
                request_id: request.id,
                reason: reason.clone(),
                by_requester: *actor == Actor::Requester,
                start: meeting.map(|slot| slot.start),
                end: meeting.map(|slot| slot.end),
                revision: request.schedule_revision,
            }));
            // The interpreter stays on the record (who would have interpreted) and is told.
            if let Some(slot) = meeting {
                release_interpreter(request, slot, &mut effects);
            }
            note = with_reason(reason.as_deref(), note);
        }
    }
    Ok(Decision {
        to,
        changes,
        event: Event {
            step: Step::Changed(command.command.action()),
            from: Some(from),
            to,
            actor: *actor,
            zones,
            note,
        },
        effects: effects.into_vec(),
    })
}

/// Tells the meeting's interpreter, if it has one, that the meeting at `slot` will not
/// happen; whether there was one.
fn release_interpreter(request: &RequestState, slot: Slot, effects: &mut Effects) -> bool {
    let Some(interpreter) = request.interpreter else {
        return false;
    };
    effects.push(Job::InterpreterReleased(InterpreterRelease {
        request_id: request.id,
        interpreter_id: interpreter,
        sequence: request.schedule_revision + 1,
        start: slot.start,
        end: slot.end,
        cancelled: true,
    }));
    true
}

/// The history's note of a change with a reason: the reason first, then the clerk's note.
fn with_reason(reason: Option<&str>, note: Option<String>) -> Option<String> {
    match (reason, note) {
        (Some(reason), Some(note)) => Some(format!("{reason}\n{note}")),
        (Some(reason), None) => Some(reason.to_string()),
        (None, note) => note,
    }
}

/// A meeting at `start` held by the request's clerk: the slot checked against the clerk's
/// agenda, the link, the announcement and the reminders. A pick schedules as a clerk would.
fn schedule(
    situation: &Situation<'_>,
    start: DateTime<Utc>,
    pasted_link: Option<&MeetLink>,
    first: bool,
    changes: &mut Changes,
    effects: &mut Effects,
) -> Result<(), Refusal> {
    let Situation {
        request,
        zone,
        actor,
        now,
        policy,
        ..
    } = situation;
    if request.mode == Mode::Message {
        return Err(Refusal::ByMessage);
    }
    let by_requester = *actor == Actor::Requester;
    let clerk = meeting_holder(request, *actor).ok_or(Refusal::NoClerk)?;
    let Facts::Agenda(Some(agenda)) = &situation.facts else {
        return Err(Refusal::ClerkGone);
    };
    let slot = zone
        .schedule
        .calendar()
        .check_slot(start, *now, policy.horizon, &agenda.busy)?;
    // A move the zone did not make: it must hear of it, and it counts.
    let moved_by_requester = request.meeting.filter(|_| by_requester && !first);
    if moved_by_requester.is_some_and(|previous| previous.start == slot.start) {
        return Err(Refusal::SameSlot);
    }
    let interpreter = if request.needs_interpreter {
        // A pick (or a clerk taking an offered time) keeps the interpreter the offer held
        // there; a move keeps the meeting's own.
        let held = request
            .offer
            .as_ref()
            .and_then(|offer| offer.interpreters.get(&slot.start).copied());
        let keep = held.or(request.interpreter);
        Some(interpreters::choose(
            &agenda.interpreters,
            &slot,
            clerk,
            keep,
        )?)
    } else {
        None
    };
    // The requester keeps the meeting's link: only staff paste one.
    let link = meeting_link(request, zone, pasted_link.filter(|_| !by_requester), policy)?;
    let revision = request.schedule_revision + 1;
    changes.assignee = Some(Some(clerk));
    changes.meeting = Some(Meeting {
        slot,
        link: link.clone(),
        revision,
    });
    effects.announce_meeting(slot, link.clone(), revision, first, policy.source);
    if let Some(interpreter) = interpreter {
        changes.interpreter = Some(Some(interpreter));
        // The meeting they had, if it is theirs: a move, not a new meeting, to them.
        let previous = request
            .meeting
            .filter(|_| !first && request.interpreter == Some(interpreter));
        effects.invite_interpreter(InterpreterInvitation {
            request_id: request.id,
            interpreter_id: interpreter,
            revision,
            start: slot.start,
            end: slot.end,
            meet_link: link.filter(|_| policy.source == MeetingSource::Manual),
            previous_start: previous.map(|previous| previous.start),
        });
    }
    // The interpreter the meeting had, when another takes it: told they are free again.
    if let (Some(before), Some(meeting)) = (request.interpreter, request.meeting)
        && !first
        && interpreter != Some(before)
    {
        effects.push(Job::InterpreterReleased(InterpreterRelease {
            request_id: request.id,
            interpreter_id: before,
            sequence: revision,
            start: meeting.start,
            end: meeting.end,
            cancelled: false,
        }));
    }
    effects.reminders(slot, revision, &policy.reminder_hours);
    if let Some(previous) = moved_by_requester {
        changes.requester_reschedules = Some(request.requester_reschedules + 1);
        effects.push(Job::RescheduledByRequester(MeetingMove {
            request_id: request.id,
            revision,
            previous_start: previous.start,
            start: slot.start,
            end: slot.end,
        }));
    }
    Ok(())
}

/// A new request tells the requester it arrived and the zone that it waits.
pub fn on_submit(request_id: i64, zone: i32, now: DateTime<Utc>) -> (Event, Vec<Effect>) {
    let mut effects = Effects::of_change(request_id, 1, now);
    effects.push(Job::RequestReceived { request_id });
    effects.push(Job::NewRequest { request_id });
    let event = Event {
        step: Step::Submitted,
        from: None,
        to: Status::Submitted,
        actor: Actor::Requester,
        zones: (None, Some(zone)),
        note: None,
    };
    (event, effects.into_vec())
}

/// Whether the requester may still cancel themselves: before the meeting's notice period,
/// or any time before there is a meeting. Staff may cancel at any time.
pub fn requester_may_cancel(
    request: &RequestState,
    now: DateTime<Utc>,
    notice_hours: u32,
) -> Result<(), Refusal> {
    transition(request.status, Action::Cancel)?;
    match request.meeting {
        Some(meeting)
            if request.status == Status::Scheduled
                && meeting.start - now < Duration::hours(notice_hours.into()) =>
        {
            Err(Refusal::TooLateToCancel {
                hours: notice_hours,
            })
        }
        _ => Ok(()),
    }
}

/// How many more times the requester may move their meeting themselves, of `max`, after
/// `used` moves.
pub fn requester_moves_left(max: u32, used: i32) -> u32 {
    max.saturating_sub(u32::try_from(used).unwrap_or(0))
}

/// Whether the requester may still move their meeting themselves: a scheduled meeting that
/// has not begun, starts at least the notice from `now`, and that they have moved fewer
/// times than the policy allows. Staff may move a meeting at any time.
pub fn requester_may_reschedule(
    request: &RequestState,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), Refusal> {
    let meeting = match (request.status, request.meeting) {
        (Status::Scheduled, Some(meeting)) => meeting,
        _ => return Err(Refusal::NotScheduled),
    };
    if now >= meeting.start {
        return Err(Refusal::MeetingStarted);
    }
    let max = policy.requester_reschedules_max;
    if requester_moves_left(max, request.requester_reschedules) == 0 {
        return Err(Refusal::RescheduleLimitReached { max });
    }
    let hours = policy.requester_reschedule_notice_hours;
    if meeting.start - now < Duration::hours(hours.into()) {
        return Err(Refusal::TooLateToReschedule { hours });
    }
    Ok(())
}

/// The clerk who holds a meeting: the assignee, or the staff member scheduling it.
fn meeting_holder(request: &RequestState, actor: Actor) -> Option<i32> {
    match (request.assignee, actor) {
        (Some(assignee), _) => Some(assignee),
        (None, Actor::Staff(staff)) => Some(staff),
        (None, Actor::Requester | Actor::System) => None,
    }
}

/// The link the requester will get. With the calendar API the worker makes it later (a
/// reschedule keeps the event and its link); by hand, the clerk's link or the zone's fixed
/// room is needed now.
fn meeting_link(
    request: &RequestState,
    zone: &ZoneFacts,
    pasted: Option<&MeetLink>,
    policy: &Policy,
) -> Result<Option<String>, Refusal> {
    match policy.source {
        MeetingSource::Calendar => Ok(request.meet_link.clone()),
        MeetingSource::Manual => pasted
            .map(|link| link.as_str().to_string())
            .or_else(|| request.meet_link.clone())
            .or_else(|| {
                zone.room_link
                    .as_deref()
                    .and_then(|room| MeetLink::parse(room, &policy.allowed_link_hosts).ok())
                    .map(|room| room.as_str().to_string())
            })
            .map(Some)
            .ok_or(Refusal::NoMeetingLink),
    }
}

/// The jobs of one change, keyed so that writing them twice writes them once.
struct Effects {
    request_id: i64,
    version: i32,
    now: DateTime<Utc>,
    list: Vec<Effect>,
}

impl Effects {
    fn of_change(request_id: i64, version: i32, now: DateTime<Utc>) -> Effects {
        Effects {
            request_id,
            version,
            now,
            list: Vec::new(),
        }
    }

    fn key(&self, job: &Job) -> String {
        format!(
            "request:{}:v{}:{}",
            self.request_id,
            self.version,
            job.kind().as_str()
        )
    }

    fn push(&mut self, job: Job) {
        self.push_waiting(job, None);
    }

    /// A job with a key of its own, for one written once per request rather than once per
    /// change.
    fn push_keyed(&mut self, job: Job, key: String) {
        self.list.push(Effect {
            key,
            run_at: self.now,
            waits_for: None,
            job,
        });
    }

    fn push_waiting(&mut self, job: Job, waits_for: Option<String>) {
        self.list.push(Effect {
            key: self.key(&job),
            run_at: self.now,
            waits_for,
            job,
        });
    }

    /// The meeting's announcement: by hand it carries the link; with the calendar, the
    /// event is made (or moved) first and the message follows that job.
    fn announce_meeting(
        &mut self,
        slot: Slot,
        link: Option<String>,
        revision: i32,
        first: bool,
        source: MeetingSource,
    ) {
        let request_id = self.request_id;
        let notice = |meet_link| MeetingNotice {
            request_id,
            revision,
            start: slot.start,
            end: slot.end,
            meet_link,
        };
        let announce = |notice| {
            if first {
                Job::Scheduled(notice)
            } else {
                Job::Rescheduled(notice)
            }
        };
        match source {
            MeetingSource::Manual => self.push(announce(notice(link))),
            MeetingSource::Calendar => {
                let time = MeetingTime {
                    request_id,
                    revision,
                    start: slot.start,
                    end: slot.end,
                };
                let event = if first {
                    Job::CreateMeeting(time)
                } else {
                    Job::MoveMeeting(time)
                };
                let event_key = self.key(&event);
                self.push(event);
                self.push_waiting(announce(notice(None)), Some(event_key));
            }
        }
    }

    /// The interpreter's invitation: with the calendar it waits for the event, whose link it
    /// carries, as the requester's announcement does.
    fn invite_interpreter(&mut self, invitation: InterpreterInvitation) {
        let waits_for = self.calendar_job_key();
        self.push_waiting(Job::InterpreterInvited(invitation), waits_for);
    }

    /// The key of this change's calendar job (the event made or moved), if it has one.
    fn calendar_job_key(&self) -> Option<String> {
        self.list
            .iter()
            .find(|effect| matches!(effect.job, Job::CreateMeeting(_) | Job::MoveMeeting(_)))
            .map(|effect| effect.key.clone())
    }

    /// The worker's closing of this offer when its time runs out; moot once the request
    /// changes again (picked, withdrawn, cancelled), which its version tells.
    fn expiry(&mut self, at: DateTime<Utc>) {
        let job = Job::ExpireOffer {
            request_id: self.request_id,
            version: self.version,
        };
        self.list.push(Effect {
            key: self.key(&job),
            run_at: at,
            waits_for: None,
            job,
        });
    }

    /// Reminders of one scheduling revision, those still to come; the worker skips them if
    /// the meeting has moved, been cancelled or begun by the time they are due.
    fn reminders(&mut self, slot: Slot, revision: i32, hours_before: &[u32]) {
        let request_id = self.request_id;
        // With the calendar the reminder needs the event's link: it waits for that job.
        let waits_for = self.calendar_job_key();
        for (hours_before, run_at) in reminder_times(slot.start, self.now, hours_before) {
            self.list.push(Effect {
                job: Job::Reminder {
                    request_id,
                    revision,
                    hours_before,
                },
                key: format!("request:{request_id}:r{revision}:reminder:{hours_before}h"),
                run_at,
                waits_for: waits_for.clone(),
            });
        }
    }

    fn into_vec(self) -> Vec<Effect> {
        self.list
    }
}

/// When to remind the requester of a meeting at `start`: `hours_before` each, skipping
/// reminders whose time has already passed.
pub fn reminder_times(
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    hours_before: &[u32],
) -> Vec<(u32, DateTime<Utc>)> {
    let mut due: Vec<(u32, DateTime<Utc>)> = hours_before
        .iter()
        .filter(|hours| **hours > 0)
        .map(|hours| (*hours, start - Duration::hours((*hours).into())))
        .filter(|(_, at)| *at > now)
        .collect();
    due.sort_by_key(|(hours, _)| std::cmp::Reverse(*hours));
    due.dedup();
    due
}

#[cfg(test)]
mod tests;
