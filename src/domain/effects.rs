//! The side effects each change needs. They are written to the outbox in the same
//! transaction as the change and carried out later by the worker.

use chrono::{DateTime, Duration, Utc};

use super::status::{Action, Status};

/// A message to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    /// To the requester: protocol and tracking link.
    RequestReceived,
    /// To the zone's clerks: a request waits for triage.
    NewRequest,
    Rejected,
    Scheduled,
    Rescheduled,
    Cancelled,
    Reminder,
    Done,
}

/// A change to the meeting in the zone's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingChange {
    Create,
    Update,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Email(Message),
    Meeting(MeetingChange),
}

/// Where Meet links come from, which decides who sends the scheduling e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingSource {
    /// The calendar API creates the event and its link; the e-mail follows once it exists.
    Calendar,
    /// The clerk (or the zone's fixed room) supplies the link with the schedule itself.
    Manual,
}

impl Effect {
    /// The job kind stored in the outbox.
    pub fn kind(self) -> &'static str {
        match self {
            Effect::Email(Message::RequestReceived) => "email.request_received",
            Effect::Email(Message::NewRequest) => "email.new_request",
            Effect::Email(Message::Rejected) => "email.rejected",
            Effect::Email(Message::Scheduled) => "email.scheduled",
            Effect::Email(Message::Rescheduled) => "email.rescheduled",
            Effect::Email(Message::Cancelled) => "email.cancelled",
            Effect::Email(Message::Reminder) => "email.reminder",
            Effect::Email(Message::Done) => "email.done",
            Effect::Meeting(MeetingChange::Create) => "meeting.create",
            Effect::Meeting(MeetingChange::Update) => "meeting.update",
            Effect::Meeting(MeetingChange::Delete) => "meeting.delete",
        }
    }
}

/// A new request tells the requester it arrived and the zone that it waits.
pub fn on_submit() -> Vec<Effect> {
    vec![
        Effect::Email(Message::RequestReceived),
        Effect::Email(Message::NewRequest),
    ]
}

/// The effects of `action` taken from `from` (already known to be allowed).
pub fn on_transition(from: Status, action: Action, source: MeetingSource) -> Vec<Effect> {
    use Effect::{Email, Meeting};
    let calendar = source == MeetingSource::Calendar;
    match action {
        Action::Triage => vec![],
        Action::Reject => vec![Email(Message::Rejected)],
        Action::Transfer => vec![Email(Message::NewRequest)],
        Action::Schedule if calendar => vec![Meeting(MeetingChange::Create)],
        Action::Schedule => vec![Email(Message::Scheduled)],
        Action::Reschedule if calendar => vec![Meeting(MeetingChange::Update)],
        Action::Reschedule => vec![Email(Message::Rescheduled)],
        Action::Complete => vec![Email(Message::Done)],
        Action::Cancel if calendar && from == Status::Scheduled => {
            vec![Meeting(MeetingChange::Delete), Email(Message::Cancelled)]
        }
        Action::Cancel => vec![Email(Message::Cancelled)],
    }
}

/// When to remind the requester of a meeting at `start`: `hours_before` each, skipping
/// reminders whose time has already passed.
pub fn reminders(
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
mod tests {
    use super::*;
    use Effect::{Email, Meeting};
    use MeetingSource::{Calendar, Manual};

    #[test]
    fn transitions_need_these_effects() {
        let cases: &[(&str, Status, Action, MeetingSource, &[Effect])] = &[
            (
                "triage sends nothing",
                Status::Submitted,
                Action::Triage,
                Manual,
                &[],
            ),
            (
                "reject tells the requester",
                Status::Triaged,
                Action::Reject,
                Manual,
                &[Email(Message::Rejected)],
            ),
            (
                "transfer tells the new zone",
                Status::Submitted,
                Action::Transfer,
                Calendar,
                &[Email(Message::NewRequest)],
            ),
            (
                "manual schedule e-mails the pasted link",
                Status::Triaged,
                Action::Schedule,
                Manual,
                &[Email(Message::Scheduled)],
            ),
            (
                "calendar schedule creates the event first",
                Status::Triaged,
                Action::Schedule,
                Calendar,
                &[Meeting(MeetingChange::Create)],
            ),
            (
                "manual reschedule e-mails",
                Status::Scheduled,
                Action::Reschedule,
                Manual,
                &[Email(Message::Rescheduled)],
            ),
            (
                "calendar reschedule patches the event",
                Status::Scheduled,
                Action::Reschedule,
                Calendar,
                &[Meeting(MeetingChange::Update)],
            ),
            (
                "complete thanks the requester",
                Status::Scheduled,
                Action::Complete,
                Manual,
                &[Email(Message::Done)],
            ),
            (
                "cancel before a meeting only e-mails",
                Status::Triaged,
                Action::Cancel,
                Calendar,
                &[Email(Message::Cancelled)],
            ),
            (
                "cancel of a calendar meeting deletes it",
                Status::Scheduled,
                Action::Cancel,
                Calendar,
                &[Meeting(MeetingChange::Delete), Email(Message::Cancelled)],
            ),
            (
                "cancel of a manual meeting only e-mails",
                Status::Scheduled,
                Action::Cancel,
                Manual,
                &[Email(Message::Cancelled)],
            ),
        ];
        for (description, from, action, source, expected) in cases {
            assert_eq!(
                on_transition(*from, *action, *source),
                *expected,
                "{description}"
            );
        }
    }

    #[test]
    fn job_kinds_are_distinct() {
        let all = [
            Email(Message::RequestReceived),
            Email(Message::NewRequest),
            Email(Message::Rejected),
            Email(Message::Scheduled),
            Email(Message::Rescheduled),
            Email(Message::Cancelled),
            Email(Message::Reminder),
            Email(Message::Done),
            Meeting(MeetingChange::Create),
            Meeting(MeetingChange::Update),
            Meeting(MeetingChange::Delete),
        ];
        let kinds: std::collections::HashSet<_> = all.iter().map(|e| e.kind()).collect();
        assert_eq!(kinds.len(), all.len());
    }

    #[test]
    fn reminders_skip_the_past() {
        let start: DateTime<Utc> = "2026-12-03T12:10:00Z".parse().unwrap();
        let day_before: DateTime<Utc> = "2026-12-02T12:00:00Z".parse().unwrap();
        let same_morning: DateTime<Utc> = "2026-12-03T10:00:00Z".parse().unwrap();
        assert_eq!(
            reminders(start, day_before, &[1, 24]),
            [
                (24, "2026-12-02T12:10:00Z".parse().unwrap()),
                (1, "2026-12-03T11:10:00Z".parse().unwrap())
            ]
        );
        assert_eq!(
            reminders(start, same_morning, &[24, 1]),
            [(1, "2026-12-03T11:10:00Z".parse().unwrap())]
        );
        assert_eq!(reminders(start, same_morning, &[0]), []);
    }
}
