//! The life of a request: its states, the actions on it, and the one function that decides
//! which action is allowed from which state.

use std::fmt;

/// Where a request is in its life. `Done`, `Rejected` and `Cancelled` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Submitted,
    Triaged,
    /// Times were offered; the requester picks one of them.
    Offered,
    Scheduled,
    Done,
    Rejected,
    Cancelled,
}

/// Something done to a request: by a clerk, by the requester (`Cancel`, `Pick`) or by the
/// worker (`Expire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Triage,
    Reject,
    Transfer,
    Schedule,
    Reschedule,
    Complete,
    Cancel,
    /// A clerk offers free slots for the requester to pick from.
    Offer,
    /// A clerk takes the offer back.
    Withdraw,
    /// The requester picks one of the offered slots.
    Pick,
    /// The offer ran out of time unpicked.
    Expire,
    /// A clerk turns the request to attendance by written messages.
    ToMessage,
    /// Staff put the request on legal hold: retention leaves its personal data as it is.
    Hold,
    /// Staff lift the legal hold.
    ReleaseHold,
}

/// How a meeting ended, recorded when a request is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Attended,
    NoShow,
    /// Served through the request's written messages, without a meeting.
    AttendedByMessage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a ação \"{action}\" não é permitida para uma solicitação {}", from.label())]
pub struct TransitionNotAllowed {
    pub from: Status,
    pub action: Action,
}

/// The state a request moves to when `action` is taken in state `from`.
///
/// Every pair is spelled out (no catch-all arm), so adding a state or an action does not
/// compile until each new pair has been decided.
pub fn transition(from: Status, action: Action) -> Result<Status, TransitionNotAllowed> {
    use Action as A;
    use Status as S;
    let to = match (from, action) {
        // A legal hold concerns the record, not the attendance: any state keeps it as it is,
        // a final one above all (retention only touches final requests).
        (state, A::Hold | A::ReleaseHold) => Some(state),
        (S::Submitted, A::Triage) => Some(S::Triaged),
        (S::Submitted, A::Reject) => Some(S::Rejected),
        (S::Submitted, A::Transfer) => Some(S::Submitted),
        (S::Submitted, A::Cancel) => Some(S::Cancelled),
        (
            S::Submitted,
            A::Schedule
            | A::Reschedule
            | A::Complete
            | A::Offer
            | A::Withdraw
            | A::Pick
            | A::Expire
            | A::ToMessage,
        ) => None,

        (S::Triaged, A::Reject) => Some(S::Rejected),
        (S::Triaged, A::Schedule) => Some(S::Scheduled),
        (S::Triaged, A::Offer) => Some(S::Offered),
        (S::Triaged, A::Cancel) => Some(S::Cancelled),
        // Only in message mode, which `domain::change` checks: there is no meeting to hold.
        (S::Triaged, A::Complete) => Some(S::Done),
        (S::Triaged, A::ToMessage) => Some(S::Triaged),
        (
            S::Triaged,
            A::Triage | A::Transfer | A::Reschedule | A::Withdraw | A::Pick | A::Expire,
        ) => None,

        (S::Offered, A::Pick | A::Schedule) => Some(S::Scheduled),
        (S::Offered, A::Withdraw | A::Expire) => Some(S::Triaged),
        (S::Offered, A::Cancel) => Some(S::Cancelled),
        (
            S::Offered,
            A::Triage
            | A::Reject
            | A::Transfer
            | A::Reschedule
            | A::Complete
            | A::Offer
            | A::ToMessage,
        ) => None,

        (S::Scheduled, A::Reschedule) => Some(S::Scheduled),
        (S::Scheduled, A::Complete) => Some(S::Done),
        (S::Scheduled, A::Cancel) => Some(S::Cancelled),
        // The meeting is called off and the request waits for the written exchange.
        (S::Scheduled, A::ToMessage) => Some(S::Triaged),
        (
            S::Scheduled,
            A::Triage
            | A::Reject
            | A::Transfer
            | A::Schedule
            | A::Offer
            | A::Withdraw
            | A::Pick
            | A::Expire,
        ) => None,

        (
            S::Done | S::Rejected | S::Cancelled,
            A::Triage
            | A::Reject
            | A::Transfer
            | A::Schedule
            | A::Reschedule
            | A::Complete
            | A::Cancel
            | A::Offer
            | A::Withdraw
            | A::Pick
            | A::Expire
            | A::ToMessage,
        ) => None,
    };
    to.ok_or(TransitionNotAllowed { from, action })
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Submitted,
        Status::Triaged,
        Status::Offered,
        Status::Scheduled,
        Status::Done,
        Status::Rejected,
        Status::Cancelled,
    ];

    /// A request in a final state never changes again.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Done | Status::Rejected | Status::Cancelled)
    }

    /// Open requests count towards a clerk's load and a person's limit of open requests.
    pub fn is_open(self) -> bool {
        !self.is_final()
    }

    /// The name used in the API, the database and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Triaged => "triaged",
            Status::Offered => "offered",
            Status::Scheduled => "scheduled",
            Status::Done => "done",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// What a person reads, in Portuguese.
    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "recebida",
            Status::Triaged => "em análise",
            Status::Offered => "aguardando escolha de horário",
            Status::Scheduled => "agendada",
            Status::Done => "concluída",
            Status::Rejected => "indeferida",
            Status::Cancelled => "cancelada",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::Triage,
        Action::Reject,
        Action::Transfer,
        Action::Schedule,
        Action::Reschedule,
        Action::Complete,
        Action::Cancel,
        Action::Offer,
        Action::Withdraw,
        Action::Pick,
        Action::Expire,
        Action::ToMessage,
        Action::Hold,
        Action::ReleaseHold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Triage => "triage",
            Action::Reject => "reject",
            Action::Transfer => "transfer",
            Action::Schedule => "schedule",
            Action::Reschedule => "reschedule",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::Offer => "offer",
            Action::Withdraw => "withdraw",
            Action::Pick => "pick",
            Action::Expire => "expire",
            Action::ToMessage => "to_message",
            Action::Hold => "hold",
            Action::ReleaseHold => "release_hold",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.as_str() == s)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [
        Outcome::Attended,
        Outcome::NoShow,
        Outcome::AttendedByMessage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Attended => "attended",
            Outcome::NoShow => "no_show",
            Outcome::AttendedByMessage => "attended_by_message",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Attended => "atendimento realizado",
            Outcome::NoShow => "requerente não compareceu",
            Outcome::AttendedByMessage => "atendimento realizado por mensagens",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Action as A, Status as S, *};

    /// The whole table of docs/api.md: every allowed (state, action) pair and where it leads.
    const ALLOWED: &[(&str, S, A, S)] = &[
        (
            "a clerk takes a new request into analysis",
            S::Submitted,
            A::Triage,
            S::Triaged,
        ),
        (
            "a new request can be refused",
            S::Submitted,
            A::Reject,
            S::Rejected,
        ),
        (
            "a misrouted request moves zone and stays new",
            S::Submitted,
            A::Transfer,
            S::Submitted,
        ),
        (
            "the requester may give up before triage",
            S::Submitted,
            A::Cancel,
            S::Cancelled,
        ),
        (
            "an analysed request can still be refused",
            S::Triaged,
            A::Reject,
            S::Rejected,
        ),
        (
            "an analysed request gets a meeting",
            S::Triaged,
            A::Schedule,
            S::Scheduled,
        ),
        (
            "an analysed request can be cancelled",
            S::Triaged,
            A::Cancel,
            S::Cancelled,
        ),
        (
            "a meeting can move to another slot",
            S::Scheduled,
            A::Reschedule,
            S::Scheduled,
        ),
        (
            "after the meeting the clerk closes it",
            S::Scheduled,
            A::Complete,
            S::Done,
        ),
        (
            "a scheduled meeting can be cancelled",
            S::Scheduled,
            A::Cancel,
            S::Cancelled,
        ),
        (
            "an analysed request gets times to choose from",
            S::Triaged,
            A::Offer,
            S::Offered,
        ),
        (
            "the requester picks one of the offered times",
            S::Offered,
            A::Pick,
            S::Scheduled,
        ),
        (
            "staff may still schedule directly",
            S::Offered,
            A::Schedule,
            S::Scheduled,
        ),
        (
            "the clerk takes the offer back",
            S::Offered,
            A::Withdraw,
            S::Triaged,
        ),
        (
            "an offer nobody picked runs out",
            S::Offered,
            A::Expire,
            S::Triaged,
        ),
        (
            "an offered request can be cancelled",
            S::Offered,
            A::Cancel,
            S::Cancelled,
        ),
        (
            "an analysed request turns to written messages",
            S::Triaged,
            A::ToMessage,
            S::Triaged,
        ),
        (
            "a meeting that cannot happen by video turns to written messages",
            S::Scheduled,
            A::ToMessage,
            S::Triaged,
        ),
        (
            "a request attended by messages is closed without a meeting",
            S::Triaged,
            A::Complete,
            S::Done,
        ),
        (
            "a legal hold keeps the state",
            S::Submitted,
            A::Hold,
            S::Submitted,
        ),
        (
            "lifting a legal hold keeps the state",
            S::Submitted,
            A::ReleaseHold,
            S::Submitted,
        ),
        (
            "a legal hold keeps the state",
            S::Triaged,
            A::Hold,
            S::Triaged,
        ),
        (
            "lifting a legal hold keeps the state",
            S::Triaged,
            A::ReleaseHold,
            S::Triaged,
        ),
        (
            "a legal hold keeps the state",
            S::Offered,
            A::Hold,
            S::Offered,
        ),
        (
            "lifting a legal hold keeps the state",
            S::Offered,
            A::ReleaseHold,
            S::Offered,
        ),
        (
            "a legal hold keeps the state",
            S::Scheduled,
            A::Hold,
            S::Scheduled,
        ),
        (
            "lifting a legal hold keeps the state",
            S::Scheduled,
            A::ReleaseHold,
            S::Scheduled,
        ),
        ("a legal hold keeps the state", S::Done, A::Hold, S::Done),
        (
            "lifting a legal hold keeps the state",
            S::Done,
            A::ReleaseHold,
            S::Done,
        ),
        (
            "a legal hold keeps the state",
            S::Rejected,
            A::Hold,
            S::Rejected,
        ),
        (
            "lifting a legal hold keeps the state",
            S::Rejected,
            A::ReleaseHold,
            S::Rejected,
        ),
        (
            "a legal hold keeps the state",
            S::Cancelled,
            A::Hold,
            S::Cancelled,
        ),
        (
            "lifting a legal hold keeps the state",
            S::Cancelled,
            A::ReleaseHold,
            S::Cancelled,
        ),
    ];

    #[test]
    fn every_allowed_pair_leads_to_its_state() {
        for (description, from, action, to) in ALLOWED {
            assert_eq!(transition(*from, *action), Ok(*to), "{description}");
        }
    }

    #[test]
    fn every_other_pair_is_refused_with_a_typed_error() {
        let mut refused = 0;
        for from in S::ALL {
            for action in A::ALL {
                if ALLOWED
                    .iter()
                    .any(|(_, f, a, _)| *f == from && *a == action)
                {
                    continue;
                }
                assert_eq!(
                    transition(from, action),
                    Err(TransitionNotAllowed { from, action }),
                    "{from} + {action} must be refused"
                );
                refused += 1;
            }
        }
        assert_eq!(refused, S::ALL.len() * A::ALL.len() - ALLOWED.len());
    }

    #[test]
    fn final_states_accept_only_the_legal_hold_and_never_change() {
        for from in S::ALL.into_iter().filter(|s| s.is_final()) {
            for action in A::ALL {
                match action {
                    A::Hold | A::ReleaseHold => {
                        assert_eq!(transition(from, action), Ok(from), "{from} + {action}")
                    }
                    _ => assert!(transition(from, action).is_err(), "{from} + {action}"),
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for status in S::ALL {
            assert_eq!(S::parse(status.as_str()), Some(status));
        }
        for action in A::ALL {
            assert_eq!(A::parse(action.as_str()), Some(action));
        }
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(S::parse("SUBMITTED"), None);
        assert_eq!(A::parse(""), None);
    }

    #[test]
    fn refusal_message_is_portuguese_and_names_the_state() {
        let error = transition(S::Done, A::Cancel).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a ação \"cancel\" não é permitida para uma solicitação concluída"
        );
    }
}
