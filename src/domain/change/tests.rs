//! The decision's rules, one case each: what every allowed change writes and queues, and
//! every refusal, all without a database.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::domain::{
    holidays::{ZoneHolidays, parse_csv},
    job::JobKind,
    schedule::SlotError,
};

const STAFF: i32 = 10;
const OTHER_CLERK: i32 = 11;
const LINK: &str = "https://meet.google.com/abc-defg-hij";
const ROOM: &str = "https://meet.google.com/sala-fixa-zz";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Monday 30 November 2026, 10:00 in Belém: two days before [`slot`].
fn now() -> DateTime<Utc> {
    at("2026-11-30T13:00:00Z")
}

/// Wednesday 2 December 2026, 08:30–08:50 in Belém.
fn slot() -> Slot {
    Slot {
        start: at("2026-12-02T11:30:00Z"),
        end: at("2026-12-02T11:50:00Z"),
    }
}

fn policy(source: MeetingSource) -> Policy {
    Policy {
        source,
        default_window: ServiceWindow::default(),
        reminder_hours: vec![24, 1],
        allowed_link_hosts: vec!["meet.google.com".into()],
        requester_cancel_notice_hours: 2,
        horizon: Horizon::days(365).unwrap(),
        offer_expiry_hours: 48,
        requester_reschedule_notice_hours: 24,
        requester_reschedules_max: 2,
    }
}

/// Thursday 3 December 2026, 09:10–09:30 in Belém: the other offered time.
fn later_slot() -> Slot {
    Slot {
        start: at("2026-12-03T12:10:00Z"),
        end: at("2026-12-03T12:30:00Z"),
    }
}

/// The offer [`request`] holds while offered: two times, 48 hours from [`now`].
fn offer() -> Offer {
    Offer {
        slots: vec![slot(), later_slot()],
        expires_at: now() + Duration::hours(48),
        interpreters: BTreeMap::new(),
    }
}

fn pick(start: DateTime<Utc>) -> ParsedCommand {
    plain(Command::Pick { start })
}

fn belem(room_link: Option<&str>) -> ZoneFacts {
    let all = parse_csv(include_str!("../../../config/holidays.csv")).unwrap();
    ZoneFacts {
        number: 1,
        schedule: ZoneSchedule::new(
            None,
            &ServiceWindow::default(),
            ZoneHolidays::for_zone(&all, &["Belém".to_string()]),
        ),
        room_link: room_link.map(str::to_string),
    }
}

fn request(status: Status) -> RequestState {
    let scheduled = status == Status::Scheduled;
    let offered = status == Status::Offered;
    RequestState {
        id: 7,
        status,
        zone: 1,
        assignee: Some(OTHER_CLERK),
        meeting: scheduled.then(slot),
        // By hand, an offer keeps the clerk's link for the pick.
        meet_link: (scheduled || offered).then(|| LINK.to_string()),
        schedule_revision: i32::from(scheduled),
        requester_reschedules: 0,
        version: 3,
        offer: offered.then(offer),
        mode: Mode::Video,
        filed_at: now() - Duration::days(1),
        needs_interpreter: false,
        interpreter: None,
        legal_hold: false,
    }
}

/// A request attended by written messages.
fn by_message(status: Status) -> RequestState {
    RequestState {
        mode: Mode::Message,
        ..request(status)
    }
}

fn to_message(reason: Option<&str>) -> ParsedCommand {
    plain(Command::ToMessage {
        reason: reason.map(str::to_string),
    })
}

fn complete(outcome: Outcome) -> ParsedCommand {
    plain(Command::Complete { outcome })
}

/// A scheduled request whose requester already moved the meeting `times` times.
fn moved(times: i32) -> RequestState {
    RequestState {
        requester_reschedules: times,
        ..request(Status::Scheduled)
    }
}

/// The same time as [`slot`], a day later (Thursday 3 December 2026).
fn next_day() -> Slot {
    Slot {
        start: slot().start + Duration::days(1),
        end: slot().end + Duration::days(1),
    }
}

fn unassigned(status: Status) -> RequestState {
    RequestState {
        assignee: None,
        ..request(status)
    }
}

fn link() -> Option<MeetLink> {
    Some(MeetLink::parse(LINK, &["meet.google.com".into()]).unwrap())
}

fn plain(command: Command) -> ParsedCommand {
    ParsedCommand {
        command,
        note: None,
    }
}

fn schedule(start: DateTime<Utc>, meet_link: Option<MeetLink>) -> ParsedCommand {
    plain(Command::Schedule { start, meet_link })
}

fn reschedule(start: DateTime<Utc>) -> ParsedCommand {
    plain(Command::Reschedule {
        start,
        meet_link: None,
    })
}

fn reschedule_with_link(start: DateTime<Utc>, meet_link: Option<MeetLink>) -> ParsedCommand {
    plain(Command::Reschedule { start, meet_link })
}

fn cancel(reason: Option<&str>, note: Option<&str>) -> ParsedCommand {
    ParsedCommand {
        command: Command::Cancel {
            reason: reason.map(str::to_string),
        },
        note: note.map(str::to_string),
    }
}

/// One decision to make: who does what to which request, with which facts loaded.
struct Case {
    description: &'static str,
    request: RequestState,
    zone: ZoneFacts,
    facts: Facts,
    actor: Actor,
    now: DateTime<Utc>,
    source: MeetingSource,
    command: ParsedCommand,
}

impl Case {
    fn new(description: &'static str, request: RequestState, command: ParsedCommand) -> Case {
        Case {
            description,
            request,
            zone: belem(None),
            facts: Facts::Nothing,
            actor: Actor::Staff(STAFF),
            now: now(),
            source: MeetingSource::Manual,
            command,
        }
    }

    fn agenda(self, busy: Vec<Slot>) -> Case {
        Case {
            facts: Facts::Agenda(Some(Agenda {
                busy,
                interpreters: vec![],
            })),
            ..self
        }
    }

    fn by(self, actor: Actor) -> Case {
        Case { actor, ..self }
    }

    fn at(self, now: DateTime<Utc>) -> Case {
        Case { now, ..self }
    }

    fn calendar(self) -> Case {
        Case {
            source: MeetingSource::Calendar,
            ..self
        }
    }

    fn decide(&self) -> Result<Decision, Refusal> {
        let policy = policy(self.source);
        let situation = Situation {
            request: &self.request,
            zone: &self.zone,
            facts: self.facts.clone(),
            actor: self.actor,
            now: self.now,
            policy: &policy,
        };
        decide(&situation, &self.command)
    }
}

fn kinds(decision: &Decision) -> Vec<JobKind> {
    decision.effects.iter().map(|e| e.job.kind()).collect()
}

#[test]
fn each_allowed_change_writes_its_fields_and_queues_its_jobs() {
    use JobKind as K;
    let transfer_target = Facts::Zone(Some(TransferTarget {
        number: 43,
        least_loaded_clerk: Some(20),
    }));
    // Description and case; then the state reached, the changes and the jobs, in order.
    let cases: Vec<(Case, Status, Changes, Vec<JobKind>)> = vec![
        (
            Case::new(
                "triage takes an unassigned request for the clerk",
                unassigned(Status::Submitted),
                plain(Command::Triage),
            ),
            Status::Triaged,
            Changes {
                assignee: Some(Some(STAFF)),
                // Filed on Sunday at 10:00: Monday from 08:30 to 10:00 counts.
                first_answer: Some(90),
                ..Changes::default()
            },
            vec![],
        ),
        (
            Case::new(
                "triage leaves the assignee alone",
                request(Status::Submitted),
                plain(Command::Triage),
            ),
            Status::Triaged,
            Changes {
                first_answer: Some(90),
                ..Changes::default()
            },
            vec![],
        ),
        (
            Case::new(
                "reject keeps the reason, closes, tells the requester",
                request(Status::Triaged),
                plain(Command::Reject {
                    reason: "Fora da competência".into(),
                }),
            ),
            Status::Rejected,
            Changes {
                rejection_reason: Some("Fora da competência".into()),
                closes: true,
                ..Changes::default()
            },
            vec![K::Rejected],
        ),
        (
            Case {
                facts: transfer_target,
                ..Case::new(
                    "transfer goes to the other zone's least loaded clerk and tells it",
                    request(Status::Submitted),
                    plain(Command::Transfer { to_zone: 43 }),
                )
            },
            Status::Submitted,
            Changes {
                assignee: Some(Some(20)),
                zone: Some(43),
                ..Changes::default()
            },
            vec![K::NewRequest],
        ),
        (
            Case::new(
                "a schedule by hand takes the slot and the pasted link and reminds twice",
                unassigned(Status::Triaged),
                schedule(slot().start, link()),
            )
            .agenda(vec![]),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(STAFF)),
                meeting: Some(Meeting {
                    slot: slot(),
                    link: Some(LINK.into()),
                    revision: 1,
                }),
                ..Changes::default()
            },
            vec![K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case {
                zone: belem(Some(ROOM)),
                ..Case::new(
                    "without a pasted link, the zone's fixed room is used",
                    request(Status::Triaged),
                    schedule(slot().start, None),
                )
                .agenda(vec![])
            },
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: slot(),
                    link: Some(ROOM.into()),
                    revision: 1,
                }),
                ..Changes::default()
            },
            vec![K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "with the calendar the event comes first",
                request(Status::Triaged),
                schedule(slot().start, None),
            )
            .agenda(vec![])
            .calendar(),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: slot(),
                    link: None,
                    revision: 1,
                }),
                ..Changes::default()
            },
            vec![K::CreateMeeting, K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "a reschedule keeps the link, counts a revision and reminds only ahead",
                request(Status::Scheduled),
                reschedule(slot().start + Duration::minutes(20)),
            )
            .agenda(vec![])
            .at(slot().start - Duration::hours(3)),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: Slot {
                        start: slot().start + Duration::minutes(20),
                        end: slot().end + Duration::minutes(20),
                    },
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                ..Changes::default()
            },
            vec![K::Rescheduled, K::Reminder],
        ),
        (
            Case::new(
                "with the calendar a reschedule moves the event",
                request(Status::Scheduled),
                reschedule(slot().start + Duration::days(1)),
            )
            .agenda(vec![])
            .calendar(),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: Slot {
                        start: slot().start + Duration::days(1),
                        end: slot().end + Duration::days(1),
                    },
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                ..Changes::default()
            },
            vec![K::MoveMeeting, K::Rescheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "a meeting on the horizon's last day, a year from today",
                request(Status::Triaged),
                schedule(at("2027-11-30T11:30:00Z"), link()),
            )
            .agenda(vec![]),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: Slot {
                        start: at("2027-11-30T11:30:00Z"),
                        end: at("2027-11-30T11:50:00Z"),
                    },
                    link: Some(LINK.into()),
                    revision: 1,
                }),
                ..Changes::default()
            },
            vec![K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "the requester moves their meeting: counted, and the zone is told",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: next_day(),
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                requester_reschedules: Some(1),
                ..Changes::default()
            },
            vec![
                K::Rescheduled,
                K::Reminder,
                K::Reminder,
                K::RescheduledByRequester,
            ],
        ),
        (
            Case::new(
                "with the calendar the requester's move patches the same event",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .calendar(),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: next_day(),
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                requester_reschedules: Some(1),
                ..Changes::default()
            },
            vec![
                K::MoveMeeting,
                K::Rescheduled,
                K::Reminder,
                K::Reminder,
                K::RescheduledByRequester,
            ],
        ),
        (
            Case::new(
                "the requester's second move, exactly at the notice",
                moved(1),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .at(slot().start - Duration::hours(24)),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: next_day(),
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                requester_reschedules: Some(2),
                ..Changes::default()
            },
            vec![
                K::Rescheduled,
                K::Reminder,
                K::Reminder,
                K::RescheduledByRequester,
            ],
        ),
        (
            Case::new(
                "a link the requester sends is ignored: the meeting keeps its own",
                request(Status::Scheduled),
                reschedule_with_link(
                    next_day().start,
                    Some(MeetLink::parse(ROOM, &["meet.google.com".into()]).unwrap()),
                ),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: next_day(),
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                requester_reschedules: Some(1),
                ..Changes::default()
            },
            vec![
                K::Rescheduled,
                K::Reminder,
                K::Reminder,
                K::RescheduledByRequester,
            ],
        ),
        (
            Case::new(
                "staff move a meeting whose requester used every move, inside the notice, uncounted",
                moved(2),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .at(slot().start - Duration::hours(1)),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: next_day(),
                    link: Some(LINK.into()),
                    revision: 2,
                }),
                ..Changes::default()
            },
            vec![K::Rescheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "a no-show is recorded and told, with no survey: nothing was attended",
                request(Status::Scheduled),
                plain(Command::Complete {
                    outcome: Outcome::NoShow,
                }),
            ),
            Status::Done,
            Changes {
                outcome: Some(Outcome::NoShow),
                closes: true,
                ..Changes::default()
            },
            vec![K::Done],
        ),
        (
            Case::new(
                "a meeting attended: the thanks, then the satisfaction survey",
                request(Status::Scheduled),
                complete(Outcome::Attended),
            ),
            Status::Done,
            Changes {
                outcome: Some(Outcome::Attended),
                closes: true,
                ..Changes::default()
            },
            vec![K::Done, K::Survey],
        ),
        (
            Case::new(
                "a cancel before any meeting only e-mails",
                request(Status::Triaged),
                cancel(None, None),
            )
            .calendar(),
            Status::Cancelled,
            Changes {
                closes: true,
                ..Changes::default()
            },
            vec![K::Cancelled],
        ),
        (
            Case::new(
                "a cancel of a calendar meeting deletes its event",
                request(Status::Scheduled),
                cancel(None, None),
            )
            .calendar(),
            Status::Cancelled,
            Changes {
                closes: true,
                ..Changes::default()
            },
            vec![K::DeleteMeeting, K::Cancelled],
        ),
        (
            Case::new(
                "the requester may cancel long before the meeting",
                request(Status::Scheduled),
                cancel(None, None),
            )
            .by(Actor::Requester),
            Status::Cancelled,
            Changes {
                closes: true,
                ..Changes::default()
            },
            vec![K::Cancelled],
        ),
        (
            Case::new(
                "staff may cancel even minutes before the meeting",
                request(Status::Scheduled),
                cancel(None, None),
            )
            .at(slot().start - Duration::minutes(5)),
            Status::Cancelled,
            Changes {
                closes: true,
                ..Changes::default()
            },
            vec![K::Cancelled],
        ),
        (
            Case::new(
                "an offer holds its times in order, keeps the link and tells the requester",
                request(Status::Triaged),
                plain(Command::Offer {
                    starts: vec![later_slot().start, slot().start],
                    meet_link: link(),
                }),
            )
            .agenda(vec![]),
            Status::Offered,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                offer: Some(Some(offer())),
                offer_link: Some(LINK.into()),
                ..Changes::default()
            },
            vec![K::Offered, K::ExpireOffer],
        ),
        (
            Case::new(
                "a pick schedules the time as a clerk would and releases the offer",
                request(Status::Offered),
                pick(later_slot().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: later_slot(),
                    link: Some(LINK.into()),
                    revision: 1,
                }),
                offer: Some(None),
                ..Changes::default()
            },
            vec![K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "a pick with the calendar makes the event first",
                request(Status::Offered),
                pick(slot().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .calendar(),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: slot(),
                    link: Some(LINK.into()),
                    revision: 1,
                }),
                offer: Some(None),
                ..Changes::default()
            },
            vec![K::CreateMeeting, K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "staff may still schedule an offered request, which releases the offer",
                request(Status::Offered),
                schedule(later_slot().start, None),
            )
            .agenda(vec![]),
            Status::Scheduled,
            Changes {
                assignee: Some(Some(OTHER_CLERK)),
                meeting: Some(Meeting {
                    slot: later_slot(),
                    link: Some(LINK.into()),
                    revision: 1,
                }),
                offer: Some(None),
                ..Changes::default()
            },
            vec![K::Scheduled, K::Reminder, K::Reminder],
        ),
        (
            Case::new(
                "a withdrawal releases the offer and tells the requester",
                request(Status::Offered),
                plain(Command::Withdraw),
            ),
            Status::Triaged,
            Changes {
                offer: Some(None),
                ..Changes::default()
            },
            vec![K::OfferWithdrawn],
        ),
        (
            Case::new(
                "an offer run out goes back to the clerk and tells the zone",
                request(Status::Offered),
                plain(Command::Expire),
            )
            .by(Actor::System)
            .at(offer().expires_at),
            Status::Triaged,
            Changes {
                offer: Some(None),
                ..Changes::default()
            },
            vec![K::OfferExpired],
        ),
        (
            Case::new(
                "cancelling an offered request releases the offer",
                request(Status::Offered),
                cancel(None, None),
            )
            .by(Actor::Requester),
            Status::Cancelled,
            Changes {
                offer: Some(None),
                closes: true,
                ..Changes::default()
            },
            vec![K::Cancelled],
        ),
        (
            Case::new(
                "an analysed request turns to messages and the requester is told",
                request(Status::Triaged),
                to_message(Some("Conexão instável")),
            ),
            Status::Triaged,
            Changes {
                mode: Some(Mode::Message),
                ..Changes::default()
            },
            vec![K::ToMessage],
        ),
        (
            Case::new(
                "a meeting set by hand is called off when the request turns to messages",
                request(Status::Scheduled),
                to_message(None),
            ),
            Status::Triaged,
            Changes {
                mode: Some(Mode::Message),
                clear_meeting: true,
                ..Changes::default()
            },
            vec![K::ToMessage],
        ),
        (
            Case::new(
                "with the calendar, the meeting's event is deleted too",
                request(Status::Scheduled),
                to_message(Some("A chamada caiu duas vezes")),
            )
            .calendar(),
            Status::Triaged,
            Changes {
                mode: Some(Mode::Message),
                clear_meeting: true,
                ..Changes::default()
            },
            vec![K::DeleteMeeting, K::ToMessage],
        ),
        (
            Case::new(
                "a request attended by messages is done without a meeting",
                by_message(Status::Triaged),
                complete(Outcome::AttendedByMessage),
            ),
            Status::Done,
            Changes {
                outcome: Some(Outcome::AttendedByMessage),
                closes: true,
                ..Changes::default()
            },
            vec![K::Done, K::Survey],
        ),
    ];
    for (case, to, changes, jobs) in cases {
        let decision = case
            .decide()
            .unwrap_or_else(|refusal| panic!("{}: refused: {refusal}", case.description));
        assert_eq!(decision.to, to, "{}", case.description);
        assert_eq!(decision.changes, changes, "{}", case.description);
        assert_eq!(kinds(&decision), jobs, "{}", case.description);
        assert_eq!(decision.event.to, to, "{}", case.description);
        assert_eq!(decision.event.actor, case.actor, "{}", case.description);
        assert_eq!(
            decision.event.step,
            Step::Changed(case.command.command.action()),
            "{}",
            case.description
        );
    }
}

#[test]
fn each_refusal_has_its_reason() {
    let window_note = slot().start + Duration::hours(4);
    let cases: Vec<(Case, Refusal)> = vec![
        (
            Case::new(
                "an action the state does not allow",
                request(Status::Submitted),
                plain(Command::Complete {
                    outcome: Outcome::Attended,
                }),
            ),
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Submitted,
                action: Action::Complete,
            }),
        ),
        (
            Case::new(
                "a requester inside the notice",
                request(Status::Scheduled),
                cancel(None, None),
            )
            .by(Actor::Requester)
            .at(slot().start - Duration::minutes(119)),
            Refusal::TooLateToCancel { hours: 2 },
        ),
        (
            Case::new(
                "a transfer to a zone that does not exist",
                request(Status::Submitted),
                plain(Command::Transfer { to_zone: 999 }),
            ),
            Refusal::UnknownZone,
        ),
        (
            Case {
                facts: Facts::Zone(Some(TransferTarget {
                    number: 1,
                    least_loaded_clerk: None,
                })),
                ..Case::new(
                    "a transfer to the zone it is in",
                    request(Status::Submitted),
                    plain(Command::Transfer { to_zone: 1 }),
                )
            },
            Refusal::SameZone,
        ),
        (
            Case::new(
                "a slot in the past",
                request(Status::Triaged),
                schedule(now() - Duration::hours(1), link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::InPast),
        ),
        (
            Case::new(
                "a Saturday",
                request(Status::Triaged),
                schedule(slot().start + Duration::days(3), link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::ClosedWeekday),
        ),
        (
            Case::new(
                "Dia da Justiça",
                request(Status::Triaged),
                schedule(slot().start + Duration::days(6), link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::Holiday {
                date: "2026-12-08".parse().unwrap(),
                name: "Dia da Justiça".into(),
            }),
        ),
        (
            Case::new(
                "noon, after the window",
                request(Status::Triaged),
                schedule(window_note, link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::OutsideWindow {
                opens: "08:30:00".parse().unwrap(),
                closes: "11:30:00".parse().unwrap(),
                minutes: 20,
            }),
        ),
        (
            Case::new(
                "off the 20-minute grid",
                request(Status::Triaged),
                schedule(slot().start + Duration::minutes(10), link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::OutsideWindow {
                opens: "08:30:00".parse().unwrap(),
                closes: "11:30:00".parse().unwrap(),
                minutes: 20,
            }),
        ),
        (
            Case::new(
                "the clerk's time is taken by another meeting",
                request(Status::Triaged),
                schedule(slot().start, link()),
            )
            .agenda(vec![slot()]),
            Refusal::Slot(SlotError::Overlap),
        ),
        (
            Case::new(
                "the year 9999, on a Wednesday in the window",
                request(Status::Triaged),
                schedule(at("9999-12-01T12:10:00Z"), link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::TooFarAhead {
                last_day: "2027-11-30".parse().unwrap(),
                days: 365,
            }),
        ),
        (
            Case::new(
                "the day after the horizon's last",
                request(Status::Triaged),
                schedule(at("2027-12-01T11:30:00Z"), link()),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::TooFarAhead {
                last_day: "2027-11-30".parse().unwrap(),
                days: 365,
            }),
        ),
        (
            Case::new(
                "a meeting moved past the horizon",
                request(Status::Scheduled),
                reschedule(at("9999-12-01T12:10:00Z")),
            )
            .agenda(vec![]),
            Refusal::Slot(SlotError::TooFarAhead {
                last_day: "2027-11-30".parse().unwrap(),
                days: 365,
            }),
        ),
        (
            Case::new(
                "by hand, no link and no fixed room",
                request(Status::Triaged),
                schedule(slot().start, None),
            )
            .agenda(vec![]),
            Refusal::NoMeetingLink,
        ),
        (
            Case {
                zone: belem(Some("https://zoom.us/j/1")),
                ..Case::new(
                    "by hand, a fixed room on a host not allowed",
                    request(Status::Triaged),
                    schedule(slot().start, None),
                )
                .agenda(vec![])
            },
            Refusal::NoMeetingLink,
        ),
        (
            Case::new(
                "a requester's move inside the notice",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .at(slot().start - Duration::hours(23)),
            Refusal::TooLateToReschedule { hours: 24 },
        ),
        (
            Case::new(
                "a requester's move a minute short of the notice",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .at(slot().start - Duration::hours(24) + Duration::minutes(1)),
            Refusal::TooLateToReschedule { hours: 24 },
        ),
        (
            Case::new(
                "a requester's third move",
                moved(2),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::RescheduleLimitReached { max: 2 },
        ),
        (
            Case::new(
                "a requester's move at the meeting's start",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .at(slot().start),
            Refusal::MeetingStarted,
        ),
        (
            Case::new(
                "a requester's move once the meeting began, even with moves left",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .at(slot().start + Duration::minutes(5)),
            Refusal::MeetingStarted,
        ),
        (
            Case::new(
                "a requester's move before any meeting",
                request(Status::Triaged),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::NotScheduled,
        ),
        (
            Case::new(
                "a requester's move of a closed request",
                request(Status::Done),
                reschedule(next_day().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::NotScheduled,
        ),
        (
            Case::new(
                "a requester's move onto the time it already has",
                request(Status::Scheduled),
                reschedule(slot().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::SameSlot,
        ),
        (
            Case::new(
                "a requester's move onto a time the clerk is busy",
                request(Status::Scheduled),
                reschedule(next_day().start),
            )
            .agenda(vec![next_day()])
            .by(Actor::Requester),
            Refusal::Slot(SlotError::Overlap),
        ),
        (
            Case::new(
                "a requester's move onto a Saturday",
                request(Status::Scheduled),
                reschedule(slot().start + Duration::days(3)),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::Slot(SlotError::ClosedWeekday),
        ),
        (
            Case::new(
                "nobody to hold the meeting",
                unassigned(Status::Triaged),
                schedule(slot().start, link()),
            )
            .by(Actor::System),
            Refusal::NoClerk,
        ),
        (
            Case {
                facts: Facts::Agenda(None),
                ..Case::new(
                    "the assignee's account is gone",
                    request(Status::Triaged),
                    schedule(slot().start, link()),
                )
            },
            Refusal::ClerkGone,
        ),
        (
            Case::new(
                "an offered time taken meanwhile by another meeting or offer",
                request(Status::Triaged),
                plain(Command::Offer {
                    starts: vec![slot().start, later_slot().start],
                    meet_link: link(),
                }),
            )
            .agenda(vec![later_slot()]),
            Refusal::OfferedSlot {
                start: later_slot().start,
                error: SlotError::Overlap,
            },
        ),
        (
            Case::new(
                "an offer of a time outside the window",
                request(Status::Triaged),
                plain(Command::Offer {
                    starts: vec![slot().start, at("2026-12-03T23:00:00Z")],
                    meet_link: link(),
                }),
            )
            .agenda(vec![]),
            Refusal::OfferedSlot {
                start: at("2026-12-03T23:00:00Z"),
                error: SlotError::OutsideWindow {
                    opens: chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
                    closes: chrono::NaiveTime::from_hms_opt(11, 30, 0).unwrap(),
                    minutes: 20,
                },
            },
        ),
        (
            Case::new(
                "an offer before triage",
                request(Status::Submitted),
                plain(Command::Offer {
                    starts: vec![slot().start, later_slot().start],
                    meet_link: link(),
                }),
            )
            .agenda(vec![]),
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Submitted,
                action: Action::Offer,
            }),
        ),
        (
            Case::new(
                "a pick of a time that was not offered",
                request(Status::Offered),
                pick(slot().start + Duration::minutes(20)),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::NotOffered,
        ),
        (
            Case::new(
                "a second pick, once a time was chosen",
                request(Status::Scheduled),
                pick(slot().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::OfferClosed {
                now: Status::Scheduled,
            },
        ),
        (
            Case::new(
                "a pick after the clerk withdrew",
                request(Status::Triaged),
                pick(slot().start),
            )
            .agenda(vec![])
            .by(Actor::Requester),
            Refusal::OfferClosed {
                now: Status::Triaged,
            },
        ),
        (
            Case::new(
                "a pick once the offer ran out, before the worker closed it",
                request(Status::Offered),
                pick(slot().start),
            )
            .agenda(vec![])
            .by(Actor::Requester)
            .at(offer().expires_at),
            Refusal::OfferExpired,
        ),
        (
            Case::new(
                "a withdrawal with no offer",
                request(Status::Triaged),
                plain(Command::Withdraw),
            ),
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Triaged,
                action: Action::Withdraw,
            }),
        ),
        (
            Case::new(
                "an expiry before its time",
                request(Status::Offered),
                plain(Command::Expire),
            )
            .by(Actor::System)
            .at(offer().expires_at - Duration::seconds(1)),
            Refusal::OfferStillOpen,
        ),
        (
            Case::new(
                "a hold twice",
                held(request(Status::Done)),
                hold(Command::Hold {
                    reason: "Ordem judicial".into(),
                }),
            ),
            Refusal::AlreadyOnHold,
        ),
        (
            Case::new(
                "lifting a hold there is not",
                request(Status::Cancelled),
                hold(Command::ReleaseHold {
                    reason: "Processo arquivado".into(),
                }),
            ),
            Refusal::NotOnHold,
        ),
        (
            Case::new(
                "turning to messages twice",
                by_message(Status::Triaged),
                to_message(None),
            ),
            Refusal::AlreadyByMessage,
        ),
        (
            Case::new(
                "turning an offer to messages (the offer is withdrawn first)",
                request(Status::Offered),
                to_message(None),
            ),
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Offered,
                action: Action::ToMessage,
            }),
        ),
        (
            Case::new(
                "a meeting for a request attended by messages",
                by_message(Status::Triaged),
                schedule(slot().start, link()),
            )
            .agenda(vec![]),
            Refusal::ByMessage,
        ),
        (
            Case::new(
                "an offer for a request attended by messages",
                by_message(Status::Triaged),
                plain(Command::Offer {
                    starts: vec![slot().start, later_slot().start],
                    meet_link: link(),
                }),
            )
            .agenda(vec![]),
            Refusal::ByMessage,
        ),
        (
            Case::new(
                "a video request done before its meeting",
                request(Status::Triaged),
                complete(Outcome::Attended),
            ),
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Triaged,
                action: Action::Complete,
            }),
        ),
        (
            Case::new(
                "a request attended by messages, done as if met",
                by_message(Status::Triaged),
                complete(Outcome::Attended),
            ),
            Refusal::OutcomeForMode {
                mode: Mode::Message,
            },
        ),
        (
            Case::new(
                "a video meeting, done as if by messages",
                request(Status::Scheduled),
                complete(Outcome::AttendedByMessage),
            ),
            Refusal::OutcomeForMode { mode: Mode::Video },
        ),
    ];
    for (case, refusal) in cases {
        assert_eq!(case.decide(), Err(refusal), "{}", case.description);
    }
}

#[test]
fn refusals_name_their_field_or_none_for_a_state_conflict() {
    let cases = [
        (
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Done,
                action: Action::Cancel,
            }),
            None,
        ),
        (Refusal::TooLateToCancel { hours: 2 }, None),
        (Refusal::TooLateToReschedule { hours: 24 }, None),
        (Refusal::RescheduleLimitReached { max: 2 }, None),
        (Refusal::MeetingStarted, None),
        (Refusal::NotScheduled, None),
        (Refusal::SameSlot, Some("start")),
        (Refusal::Slot(SlotError::InPast), Some("start")),
        (
            Refusal::Slot(SlotError::TooFarAhead {
                last_day: "2027-11-30".parse().unwrap(),
                days: 365,
            }),
            Some("start"),
        ),
        (Refusal::UnknownZone, Some("zone")),
        (Refusal::SameZone, Some("zone")),
        (Refusal::NoMeetingLink, Some("meet_link")),
        (Refusal::NoClerk, Some("start")),
        (Refusal::ClerkGone, Some("start")),
        (Refusal::NotOffered, Some("start")),
        (
            Refusal::OfferedSlot {
                start: slot().start,
                error: SlotError::Overlap,
            },
            Some("slots"),
        ),
        (
            Refusal::OfferClosed {
                now: Status::Scheduled,
            },
            None,
        ),
        (Refusal::OfferExpired, None),
        (Refusal::OfferStillOpen, None),
        (Refusal::ByMessage, None),
        (Refusal::AlreadyByMessage, None),
        (Refusal::AlreadyOnHold, None),
        (Refusal::NotOnHold, None),
        (
            Refusal::OutcomeForMode { mode: Mode::Video },
            Some("outcome"),
        ),
    ];
    for (refusal, field) in cases {
        assert_eq!(refusal.field(), field, "{refusal:?}");
    }
}

#[test]
fn the_event_keeps_the_note_and_a_cancel_reason_goes_first() {
    let cases = [
        ("a note alone", None, Some("ligou"), Some("ligou")),
        ("a reason alone", Some("duplicado"), None, Some("duplicado")),
        (
            "both",
            Some("duplicado"),
            Some("ligou"),
            Some("duplicado\nligou"),
        ),
        ("neither", None, None, None),
    ];
    for (description, reason, note, expected) in cases {
        let decision = Case::new(description, request(Status::Triaged), cancel(reason, note))
            .decide()
            .unwrap();
        assert_eq!(decision.event.note.as_deref(), expected, "{description}");
    }
}

#[test]
fn a_transfer_records_both_zones() {
    let decision = Case {
        facts: Facts::Zone(Some(TransferTarget {
            number: 43,
            least_loaded_clerk: None,
        })),
        ..Case::new(
            "transfer",
            request(Status::Submitted),
            plain(Command::Transfer { to_zone: 43 }),
        )
    }
    .decide()
    .unwrap();
    assert_eq!(decision.event.zones, (Some(1), Some(43)));
    assert_eq!(
        decision.changes.assignee,
        Some(None),
        "nobody there to take it"
    );
}

#[test]
fn jobs_are_keyed_by_the_change_and_calendar_messages_wait_for_the_event() {
    let decision = Case::new(
        "calendar schedule",
        request(Status::Triaged),
        schedule(slot().start, None),
    )
    .agenda(vec![])
    .calendar()
    .decide()
    .unwrap();
    let keys: Vec<&str> = decision.effects.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "request:7:v4:meeting.create",
            "request:7:v4:email.scheduled",
            "request:7:r1:reminder:24h",
            "request:7:r1:reminder:1h",
        ]
    );
    let waits_for: Vec<Option<&str>> = decision
        .effects
        .iter()
        .map(|e| e.waits_for.as_deref())
        .collect();
    assert_eq!(
        waits_for,
        [
            None,
            Some("request:7:v4:meeting.create"),
            Some("request:7:v4:meeting.create"),
            Some("request:7:v4:meeting.create"),
        ]
    );
    let runs: Vec<DateTime<Utc>> = decision.effects.iter().map(|e| e.run_at).collect();
    assert_eq!(
        runs,
        [
            now(),
            now(),
            slot().start - Duration::hours(24),
            slot().start - Duration::hours(1)
        ]
    );
    let Job::Scheduled(notice) = &decision.effects[1].job else {
        panic!("{:?}", decision.effects[1]);
    };
    assert_eq!(notice.meet_link, None, "the event brings the link");
}

#[test]
fn the_survey_is_keyed_by_the_request_and_due_with_the_completion() {
    let decision = Case::new(
        "attended",
        request(Status::Scheduled),
        complete(Outcome::Attended),
    )
    .decide()
    .unwrap();
    let keys: Vec<(&str, Option<&str>, DateTime<Utc>)> = decision
        .effects
        .iter()
        .map(|e| (e.key.as_str(), e.waits_for.as_deref(), e.run_at))
        .collect();
    assert_eq!(
        keys,
        [
            ("request:7:v4:email.done", None, now()),
            ("request:7:email.survey", None, now()),
        ],
        "one invitation per request, whatever version completed it"
    );
}

#[test]
fn the_facts_a_command_needs() {
    let start = slot().start;
    let cases = [
        (
            "a transfer needs its zone",
            request(Status::Submitted),
            plain(Command::Transfer { to_zone: 43 }).command,
            Actor::Staff(STAFF),
            Needs::Zone(43),
        ),
        (
            "a schedule needs the assignee's agenda",
            request(Status::Triaged),
            schedule(start, None).command,
            Actor::Staff(STAFF),
            Needs::AgendaOf {
                clerk: OTHER_CLERK,
                from: start - Duration::days(1),
                to: start + Duration::days(1),
                interpreters: false,
            },
        ),
        (
            "or the scheduling clerk's, for an unassigned request",
            unassigned(Status::Triaged),
            reschedule(start).command,
            Actor::Staff(STAFF),
            Needs::AgendaOf {
                clerk: STAFF,
                from: start - Duration::days(1),
                to: start + Duration::days(1),
                interpreters: false,
            },
        ),
        (
            "nobody's, when nobody would hold it",
            unassigned(Status::Triaged),
            schedule(start, None).command,
            Actor::System,
            Needs::Nothing,
        ),
        (
            "an offer needs the agenda around all its times",
            request(Status::Triaged),
            Command::Offer {
                starts: vec![later_slot().start, start],
                meet_link: None,
            },
            Actor::Staff(STAFF),
            Needs::AgendaOf {
                clerk: OTHER_CLERK,
                from: start - Duration::days(1),
                to: later_slot().start + Duration::days(1),
                interpreters: false,
            },
        ),
        (
            "a pick needs the agenda of the clerk who offered",
            request(Status::Offered),
            pick(start).command,
            Actor::Requester,
            Needs::AgendaOf {
                clerk: OTHER_CLERK,
                from: start - Duration::days(1),
                to: start + Duration::days(1),
                interpreters: false,
            },
        ),
        (
            "a triage needs nothing more",
            request(Status::Submitted),
            Command::Triage,
            Actor::Staff(STAFF),
            Needs::Nothing,
        ),
    ];
    for (description, request, command, actor, expected) in cases {
        assert_eq!(needs(&request, &command, actor), expected, "{description}");
    }
}

#[test]
fn a_requester_may_cancel_until_the_notice_before_the_meeting() {
    let meeting = slot().start;
    let cases = [
        ("a new request", Status::Submitted, now(), Ok(())),
        ("in analysis", Status::Triaged, now(), Ok(())),
        (
            "a day before",
            Status::Scheduled,
            meeting - Duration::days(1),
            Ok(()),
        ),
        (
            "exactly two hours before",
            Status::Scheduled,
            meeting - Duration::hours(2),
            Ok(()),
        ),
        (
            "a minute less",
            Status::Scheduled,
            meeting - Duration::minutes(119),
            Err(Refusal::TooLateToCancel { hours: 2 }),
        ),
        (
            "after it began",
            Status::Scheduled,
            meeting + Duration::minutes(5),
            Err(Refusal::TooLateToCancel { hours: 2 }),
        ),
        (
            "once done",
            Status::Done,
            now(),
            Err(Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Done,
                action: Action::Cancel,
            })),
        ),
    ];
    for (description, status, now, expected) in cases {
        assert_eq!(
            requester_may_cancel(&request(status), now, 2),
            expected,
            "{description}"
        );
    }
}

#[test]
fn a_requester_may_reschedule_until_the_notice_and_the_limit() {
    let meeting = slot().start;
    let two = policy(MeetingSource::Manual);
    let none = Policy {
        requester_reschedules_max: 0,
        ..policy(MeetingSource::Manual)
    };
    let cases = [
        ("two days before", moved(0), now(), &two, Ok(())),
        (
            "exactly the notice before, one move left",
            moved(1),
            meeting - Duration::hours(24),
            &two,
            Ok(()),
        ),
        (
            "a minute less",
            moved(0),
            meeting - Duration::hours(24) + Duration::minutes(1),
            &two,
            Err(Refusal::TooLateToReschedule { hours: 24 }),
        ),
        (
            "every move used",
            moved(2),
            now(),
            &two,
            Err(Refusal::RescheduleLimitReached { max: 2 }),
        ),
        (
            "a court that lets requesters move none",
            moved(0),
            now(),
            &none,
            Err(Refusal::RescheduleLimitReached { max: 0 }),
        ),
        (
            "after it began",
            moved(0),
            meeting + Duration::minutes(1),
            &two,
            Err(Refusal::MeetingStarted),
        ),
        (
            "in analysis",
            request(Status::Triaged),
            now(),
            &two,
            Err(Refusal::NotScheduled),
        ),
        (
            "cancelled",
            request(Status::Cancelled),
            now(),
            &two,
            Err(Refusal::NotScheduled),
        ),
    ];
    for (description, request, now, policy, expected) in cases {
        assert_eq!(
            requester_may_reschedule(&request, now, policy),
            expected,
            "{description}"
        );
    }
}

#[test]
fn a_requesters_move_tells_the_zone_where_the_meeting_was_and_goes() {
    let decision = Case::new(
        "requester's move",
        request(Status::Scheduled),
        reschedule(next_day().start),
    )
    .agenda(vec![])
    .by(Actor::Requester)
    .calendar()
    .decide()
    .unwrap();
    let told = decision
        .effects
        .iter()
        .find(|effect| effect.job.kind() == JobKind::RescheduledByRequester)
        .expect("the zone is told");
    assert_eq!(told.key, "request:7:v4:email.rescheduled_by_requester");
    assert_eq!(told.run_at, now());
    assert_eq!(told.waits_for, None, "the zone needs no link to be told");
    assert_eq!(
        told.job,
        Job::RescheduledByRequester(MeetingMove {
            request_id: 7,
            revision: 2,
            previous_start: slot().start,
            start: next_day().start,
            end: next_day().end,
        })
    );
    let Job::MoveMeeting(time) = &decision.effects[0].job else {
        panic!("{:?}", decision.effects[0]);
    };
    assert_eq!(
        time.revision, 2,
        "the event is patched under the next revision"
    );
    assert_eq!(decision.event.actor, Actor::Requester);
}

#[test]
fn the_reschedule_limit_is_worded_for_none_one_and_many() {
    let cases = [
        (0, "não está disponível"),
        (1, "uma vez, o máximo permitido"),
        (2, "2 vezes, o máximo permitido"),
    ];
    for (max, words) in cases {
        let message = Refusal::RescheduleLimitReached { max }.to_string();
        assert!(message.contains(words), "{max}: {message}");
        assert!(message.contains("fale com o cartório"), "{max}: {message}");
    }
}

#[test]
fn a_submission_tells_the_requester_and_the_zone() {
    let (event, effects) = on_submit(7, 28, now());
    assert_eq!(event.step, Step::Submitted);
    assert_eq!(event.zones, (None, Some(28)));
    let keys: Vec<&str> = effects.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "request:7:v1:email.request_received",
            "request:7:v1:email.new_request"
        ]
    );
}

#[test]
fn reminders_skip_the_past() {
    let start = at("2026-12-03T12:10:00Z");
    let day_before = at("2026-12-02T12:00:00Z");
    let same_morning = at("2026-12-03T10:00:00Z");
    assert_eq!(
        reminder_times(start, day_before, &[1, 24]),
        [
            (24, at("2026-12-02T12:10:00Z")),
            (1, at("2026-12-03T11:10:00Z"))
        ]
    );
    assert_eq!(
        reminder_times(start, same_morning, &[24, 1]),
        [(1, at("2026-12-03T11:10:00Z"))]
    );
    assert_eq!(reminder_times(start, same_morning, &[0]), []);
}

#[test]
fn the_requester_has_moves_left_until_every_one_is_used() {
    let cases = [
        ("none used of two", 2, 0, 2),
        ("one used of two", 2, 1, 1),
        ("every move used", 2, 2, 0),
        (
            "more used than allowed, after the setting went down",
            1,
            2,
            0,
        ),
        ("moves turned off", 0, 0, 0),
    ];
    for (description, max, used, left) in cases {
        assert_eq!(requester_moves_left(max, used), left, "{description}");
    }
}

const INTERPRETER: i32 = 30;
const OTHER_INTERPRETER: i32 = 31;

/// `request` as one that needs a Libras interpreter; scheduled, it has [`INTERPRETER`].
fn libras(request: RequestState) -> RequestState {
    RequestState {
        needs_interpreter: true,
        interpreter: (request.status == Status::Scheduled).then_some(INTERPRETER),
        ..request
    }
}

fn interpreter(staff: i32, busy: Vec<Slot>) -> Commitments {
    Commitments { staff, busy }
}

/// Both interpreters, free.
fn pool() -> Vec<Commitments> {
    vec![
        interpreter(INTERPRETER, vec![]),
        interpreter(OTHER_INTERPRETER, vec![]),
    ]
}

impl Case {
    /// The clerk free, and the court's interpreters as given.
    fn interpreters(self, interpreters: Vec<Commitments>) -> Case {
        Case {
            facts: Facts::Agenda(Some(Agenda {
                busy: vec![],
                interpreters,
            })),
            ..self
        }
    }
}

fn invitations(decision: &Decision) -> Vec<&InterpreterInvitation> {
    decision
        .effects
        .iter()
        .filter_map(|effect| match &effect.job {
            Job::InterpreterInvited(invitation) => Some(invitation),
            _ => None,
        })
        .collect()
}

fn releases(decision: &Decision) -> Vec<&InterpreterRelease> {
    decision
        .effects
        .iter()
        .filter_map(|effect| match &effect.job {
            Job::InterpreterReleased(release) => Some(release),
            _ => None,
        })
        .collect()
}

#[test]
fn a_libras_meeting_takes_a_free_interpreter_and_tells_whom_it_concerns() {
    use JobKind as K;
    let later = Slot {
        start: slot().start + Duration::days(1),
        end: slot().end + Duration::days(1),
    };
    // The case; then the interpreter written (`None`: left alone) and the jobs, in order.
    let cases: Vec<(Case, Option<Option<i32>>, Vec<JobKind>)> = vec![
        (
            Case::new(
                "a schedule takes the lowest id when both are free",
                libras(request(Status::Triaged)),
                schedule(slot().start, link()),
            )
            .interpreters(pool()),
            Some(Some(INTERPRETER)),
            vec![
                K::Scheduled,
                K::InterpreterInvited,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "a schedule passes over an interpreter busy then",
                libras(request(Status::Triaged)),
                schedule(slot().start, link()),
            )
            .interpreters(vec![
                interpreter(INTERPRETER, vec![slot()]),
                interpreter(OTHER_INTERPRETER, vec![]),
            ]),
            Some(Some(OTHER_INTERPRETER)),
            vec![
                K::Scheduled,
                K::InterpreterInvited,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "with the calendar the invitation follows the event",
                libras(request(Status::Triaged)),
                schedule(slot().start, None),
            )
            .interpreters(pool())
            .calendar(),
            Some(Some(INTERPRETER)),
            vec![
                K::CreateMeeting,
                K::Scheduled,
                K::InterpreterInvited,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "a move keeps the interpreter free at the new time",
                libras(request(Status::Scheduled)),
                reschedule(later.start),
            )
            .interpreters(vec![
                interpreter(INTERPRETER, vec![slot()]),
                interpreter(OTHER_INTERPRETER, vec![]),
            ]),
            Some(Some(INTERPRETER)),
            vec![
                K::Rescheduled,
                K::InterpreterInvited,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "a move to a time the interpreter is taken passes the meeting to another",
                libras(request(Status::Scheduled)),
                reschedule(later.start),
            )
            .interpreters(vec![
                interpreter(INTERPRETER, vec![later]),
                interpreter(OTHER_INTERPRETER, vec![]),
            ]),
            Some(Some(OTHER_INTERPRETER)),
            vec![
                K::Rescheduled,
                K::InterpreterInvited,
                K::InterpreterReleased,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "a meeting scheduled before interpreters were assigned gets one when it moves",
                RequestState {
                    interpreter: None,
                    ..libras(request(Status::Scheduled))
                },
                reschedule(later.start),
            )
            .interpreters(pool()),
            Some(Some(INTERPRETER)),
            vec![
                K::Rescheduled,
                K::InterpreterInvited,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "a pick keeps the interpreter its offer held, whoever is lighter",
                RequestState {
                    offer: Some(Offer {
                        interpreters: BTreeMap::from([(slot().start, OTHER_INTERPRETER)]),
                        ..offer()
                    }),
                    ..libras(request(Status::Offered))
                },
                pick(slot().start),
            )
            .by(Actor::Requester)
            .interpreters(vec![
                interpreter(INTERPRETER, vec![]),
                interpreter(OTHER_INTERPRETER, vec![later_slot()]),
            ]),
            Some(Some(OTHER_INTERPRETER)),
            vec![
                K::Scheduled,
                K::InterpreterInvited,
                K::Reminder,
                K::Reminder,
            ],
        ),
        (
            Case::new(
                "a cancel lets the interpreter go and keeps them on the record",
                libras(request(Status::Scheduled)),
                cancel(None, None),
            ),
            None,
            vec![K::Cancelled, K::InterpreterReleased],
        ),
        (
            Case::new(
                "a cancel before any meeting tells no interpreter",
                libras(request(Status::Triaged)),
                cancel(None, None),
            ),
            None,
            vec![K::Cancelled],
        ),
        (
            Case::new(
                "a request that needs no interpreter takes none",
                request(Status::Triaged),
                schedule(slot().start, link()),
            )
            .interpreters(pool()),
            None,
            vec![K::Scheduled, K::Reminder, K::Reminder],
        ),
    ];
    for (case, interpreter, jobs) in cases {
        let decision = case
            .decide()
            .unwrap_or_else(|refusal| panic!("{}: {refusal:?}", case.description));
        assert_eq!(
            decision.changes.interpreter, interpreter,
            "{}",
            case.description
        );
        assert_eq!(kinds(&decision), jobs, "{}", case.description);
    }
}

#[test]
fn an_interpreters_messages_say_where_the_meeting_was_and_is() {
    let later = next_day();
    let moved = Case::new(
        "kept across a move",
        libras(request(Status::Scheduled)),
        reschedule(later.start),
    )
    .interpreters(pool())
    .decide()
    .unwrap();
    assert_eq!(
        invitations(&moved),
        [&InterpreterInvitation {
            request_id: 7,
            interpreter_id: INTERPRETER,
            revision: 2,
            start: later.start,
            end: later.end,
            meet_link: Some(LINK.into()),
            previous_start: Some(slot().start),
        }]
    );
    assert!(releases(&moved).is_empty());

    let passed_on = Case::new(
        "passed to another",
        libras(request(Status::Scheduled)),
        reschedule(later.start),
    )
    .interpreters(vec![
        interpreter(INTERPRETER, vec![later]),
        interpreter(OTHER_INTERPRETER, vec![]),
    ])
    .decide()
    .unwrap();
    let invited = invitations(&passed_on);
    assert_eq!(invited[0].interpreter_id, OTHER_INTERPRETER);
    assert_eq!(invited[0].previous_start, None, "new to them");
    assert_eq!(
        releases(&passed_on),
        [&InterpreterRelease {
            request_id: 7,
            interpreter_id: INTERPRETER,
            sequence: 2,
            start: slot().start,
            end: slot().end,
            cancelled: false,
        }],
        "the one let go hears of it, above the invitation they had"
    );

    let cancelled = Case::new(
        "cancelled",
        libras(request(Status::Scheduled)),
        cancel(None, None),
    )
    .decide()
    .unwrap();
    assert_eq!(
        releases(&cancelled),
        [&InterpreterRelease {
            request_id: 7,
            interpreter_id: INTERPRETER,
            sequence: 2,
            start: slot().start,
            end: slot().end,
            cancelled: true,
        }]
    );

    let by_calendar = Case::new(
        "by calendar",
        libras(request(Status::Triaged)),
        schedule(slot().start, None),
    )
    .interpreters(pool())
    .calendar()
    .decide()
    .unwrap();
    let effect = by_calendar
        .effects
        .iter()
        .find(|effect| matches!(effect.job, Job::InterpreterInvited(_)))
        .unwrap();
    assert_eq!(effect.key, "request:7:v4:email.interpreter_invited");
    assert_eq!(
        effect.waits_for.as_deref(),
        Some("request:7:v4:meeting.create"),
        "the link comes with the event"
    );
    assert_eq!(invitations(&by_calendar)[0].meet_link, None);
}

#[test]
fn an_offer_holds_a_free_interpreter_at_each_time() {
    let command = plain(Command::Offer {
        starts: vec![later_slot().start, slot().start],
        meet_link: link(),
    });
    let decision = Case::new(
        "each time its own",
        libras(request(Status::Triaged)),
        command.clone(),
    )
    .interpreters(vec![
        interpreter(INTERPRETER, vec![later_slot()]),
        interpreter(OTHER_INTERPRETER, vec![]),
    ])
    .decide()
    .unwrap();
    let Some(Some(offer)) = &decision.changes.offer else {
        panic!("{:?}", decision.changes);
    };
    assert_eq!(
        offer.interpreters,
        BTreeMap::from([
            (slot().start, INTERPRETER),
            (later_slot().start, OTHER_INTERPRETER)
        ])
    );
    assert!(
        invitations(&decision).is_empty(),
        "nobody is invited to times only offered"
    );
    assert_eq!(decision.changes.interpreter, None);

    let plain_offer = Case::new("no need", request(Status::Triaged), command.clone())
        .interpreters(pool())
        .decide()
        .unwrap();
    assert_eq!(
        plain_offer.changes.offer.flatten().unwrap().interpreters,
        BTreeMap::new()
    );
}

#[test]
fn a_libras_meeting_is_refused_where_no_interpreter_is_free() {
    let offer_both = plain(Command::Offer {
        starts: vec![slot().start, later_slot().start],
        meet_link: link(),
    });
    let cases: Vec<(Case, Refusal)> = vec![
        (
            Case::new(
                "the court has no interpreter",
                libras(request(Status::Triaged)),
                schedule(slot().start, link()),
            )
            .interpreters(vec![]),
            Refusal::Slot(SlotError::NoInterpreter),
        ),
        (
            Case::new(
                "every interpreter is taken then",
                libras(request(Status::Triaged)),
                schedule(slot().start, link()),
            )
            .interpreters(vec![
                interpreter(INTERPRETER, vec![slot()]),
                interpreter(OTHER_INTERPRETER, vec![slot()]),
            ]),
            Refusal::Slot(SlotError::InterpreterBusy),
        ),
        (
            Case::new(
                "the only free interpreter is the clerk who holds the meeting",
                libras(request(Status::Triaged)),
                schedule(slot().start, link()),
            )
            .interpreters(vec![
                interpreter(OTHER_CLERK, vec![]),
                interpreter(INTERPRETER, vec![slot()]),
            ]),
            Refusal::Slot(SlotError::InterpreterBusy),
        ),
        (
            Case::new(
                "a move to a time nobody can interpret",
                libras(request(Status::Scheduled)),
                reschedule(next_day().start),
            )
            .interpreters(vec![interpreter(INTERPRETER, vec![next_day()])]),
            Refusal::Slot(SlotError::InterpreterBusy),
        ),
        (
            Case::new(
                "the requester's move, the same",
                libras(request(Status::Scheduled)),
                reschedule(next_day().start),
            )
            .by(Actor::Requester)
            .at(slot().start - Duration::days(2))
            .interpreters(vec![interpreter(INTERPRETER, vec![next_day()])]),
            Refusal::Slot(SlotError::InterpreterBusy),
        ),
        (
            Case::new(
                "an offer with a time nobody can interpret names that time",
                libras(request(Status::Triaged)),
                offer_both,
            )
            .interpreters(vec![interpreter(INTERPRETER, vec![later_slot()])]),
            Refusal::OfferedSlot {
                start: later_slot().start,
                error: SlotError::InterpreterBusy,
            },
        ),
        (
            Case::new(
                "the clerk's own agenda is judged first",
                libras(request(Status::Triaged)),
                schedule(slot().start, link()),
            )
            .agenda(vec![slot()]),
            Refusal::Slot(SlotError::Overlap),
        ),
    ];
    for (case, expected) in cases {
        assert_eq!(case.decide(), Err(expected.clone()), "{}", case.description);
    }
    assert_eq!(
        Refusal::Slot(SlotError::InterpreterBusy).field(),
        Some("start")
    );
    assert_eq!(
        Refusal::OfferedSlot {
            start: slot().start,
            error: SlotError::NoInterpreter
        }
        .field(),
        Some("slots")
    );
}

#[test]
fn a_libras_request_needs_the_interpreters_agendas_too() {
    let start = slot().start;
    assert_eq!(
        needs(
            &libras(request(Status::Triaged)),
            &schedule(start, None).command,
            Actor::Staff(STAFF)
        ),
        Needs::AgendaOf {
            clerk: OTHER_CLERK,
            from: start - Duration::days(1),
            to: start + Duration::days(1),
            interpreters: true,
        }
    );
    assert_eq!(
        needs(
            &libras(request(Status::Scheduled)),
            &cancel(None, None).command,
            Actor::Staff(STAFF)
        ),
        Needs::Nothing,
        "a cancel judges no agenda"
    );
}

#[test]
fn a_libras_meeting_turned_to_messages_lets_its_interpreter_go() {
    let case = Case::new(
        "a libras meeting turned to messages",
        libras(request(Status::Scheduled)),
        to_message(Some("A conexão caiu.")),
    );
    let decision = case.decide().expect("turned to messages");
    assert_eq!(
        decision.changes.interpreter,
        Some(None),
        "the interpreter's time is free"
    );
    assert!(decision.changes.clear_meeting);
    let released: Vec<_> = decision
        .effects
        .iter()
        .filter_map(|effect| match &effect.job {
            Job::InterpreterReleased(release) => Some(release),
            _ => None,
        })
        .collect();
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].interpreter_id, INTERPRETER);
    assert!(released[0].cancelled);
    assert_eq!(released[0].sequence, 2, "above the meeting's invitation");
}

fn held(request: RequestState) -> RequestState {
    RequestState {
        legal_hold: true,
        ..request
    }
}

fn hold(command: Command) -> ParsedCommand {
    plain(command)
}

#[test]
fn a_legal_hold_is_put_and_lifted_in_any_state_with_its_reason_and_nothing_else() {
    for status in Status::ALL {
        for (name, before, command, after) in [
            (
                "hold",
                request(status),
                Command::Hold {
                    reason: "Ordem judicial no processo 0600123".into(),
                },
                true,
            ),
            (
                "release",
                held(request(status)),
                Command::ReleaseHold {
                    reason: "Processo arquivado".into(),
                },
                false,
            ),
        ] {
            let case = Case::new("legal hold", before, plain(command));
            let decision = case
                .decide()
                .unwrap_or_else(|refusal| panic!("{name} from {status}: {refusal}"));
            assert_eq!(decision.to, status, "{name}: the state stays");
            assert_eq!(
                decision.changes,
                Changes {
                    legal_hold: Some(after),
                    ..Changes::default()
                },
                "{name} from {status}"
            );
            assert!(decision.effects.is_empty(), "{name}: nobody is told");
            assert!(
                decision
                    .event
                    .note
                    .as_deref()
                    .is_some_and(|note| note.starts_with(if after {
                        "Ordem judicial"
                    } else {
                        "Processo arquivado"
                    })),
                "{name}: the reason is in the history"
            );
        }
    }
}
