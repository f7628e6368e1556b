//! Changes to a request as the store writes them: the row, its audit entry and its jobs for
//! each transition, races, and refusals that leave no trace. The rules themselves (which
//! change is allowed, which slot, which link, which jobs) are unit tests of
//! `domain::change`, without a database.

use chrono::Duration;
use contato::{
    domain::{
        change::{Actor, Refusal, Step},
        command::Command,
        job::{Job, JobKind},
        meet_link::MeetLink,
        schedule::SlotError,
        status::{Action, Outcome, Status, TransitionNotAllowed},
    },
    store::{StoreError, Submitted, ZoneScope},
};
use entities::{jobs, requests};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{
    Moment, TestApp, create_clerk, manual_policy, new_request, row_counts, spawn_app,
    spawn_app_when, token_hash,
};

fn link() -> Option<MeetLink> {
    Some(
        MeetLink::parse(
            "https://meet.google.com/abc-defg-hij",
            &["meet.google.com".into()],
        )
        .unwrap(),
    )
}

async fn submitted(app: &TestApp, zone: i64) -> Submitted {
    app.store
        .submit(&new_request(zone), &token_hash(), 0, app.now())
        .await
        .unwrap()
        .expect("the request is accepted")
}

async fn jobs_of(app: &TestApp, request_id: i64) -> Vec<jobs::Model> {
    jobs::Entity::find()
        .filter(jobs::Column::RequestId.eq(request_id))
        .order_by_asc(jobs::Column::Id)
        .all(app.store.connection())
        .await
        .unwrap()
}

async fn job_kinds(app: &TestApp, request_id: i64) -> Vec<String> {
    jobs_of(app, request_id)
        .await
        .into_iter()
        .map(|job| job.kind)
        .collect()
}

async fn row(app: &TestApp, id: i64) -> requests::Model {
    requests::Entity::find_by_id(id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap()
}

/// Applies `command` as `actor`, expecting it to go through.
async fn changed(app: &TestApp, id: i64, version: i32, command: Command, actor: Actor) {
    app.change(id, version, command, actor)
        .await
        .expect("the store answers")
        .expect("the change is allowed");
}

at_awkward_moments!(a_request_goes_from_submitted_to_done_with_an_audit_row_per_step);
async fn a_request_goes_from_submitted_to_done_with_an_audit_row_per_step(moment: Moment) {
    let app = spawn_app_when(moment).await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let actor = Actor::Staff(clerk.id);
    let slots = app.future_slots(2);

    let steps = [
        (Command::Triage, Status::Triaged),
        (
            Command::Schedule {
                start: slots[0].start,
                meet_link: link(),
            },
            Status::Scheduled,
        ),
        (
            Command::Reschedule {
                start: slots[1].start,
                meet_link: None,
            },
            Status::Scheduled,
        ),
        (
            Command::Complete {
                outcome: Outcome::Attended,
            },
            Status::Done,
        ),
    ];
    let mut version = 1;
    for (step, expected) in steps {
        let after = app
            .change(request.id, version, step, actor)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.status, expected);
        assert_eq!(after.version, version + 1);
        version = after.version;
    }

    let done = app
        .store
        .request(request.id, &ZoneScope::Zones(vec![1]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.scheduled_start, Some(slots[1].start));
    assert_eq!(done.scheduled_end, Some(slots[1].end));
    assert_eq!(
        done.meet_link.as_deref(),
        Some("https://meet.google.com/abc-defg-hij")
    );
    assert_eq!(done.schedule_revision, 2);
    assert_eq!(done.outcome, Some(Outcome::Attended));
    assert!(row(&app, request.id).await.closed_at.is_some());
    let steps: Vec<Step> = done.history.iter().map(|e| e.step).collect();
    assert_eq!(
        steps,
        [
            Step::Submitted,
            Step::Changed(Action::Triage),
            Step::Changed(Action::Schedule),
            Step::Changed(Action::Reschedule),
            Step::Changed(Action::Complete)
        ]
    );
    assert!(done.history[1..].iter().all(|e| e.actor == actor));
    let kinds = job_kinds(&app, request.id).await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| !k.contains("reminder"))
            .collect::<Vec<_>>(),
        [
            "email.request_received",
            "email.new_request",
            "email.scheduled",
            "email.rescheduled",
            "email.done",
            "email.survey"
        ]
    );
    assert!(
        kinds.iter().any(|k| k == "email.reminder"),
        "reminders are queued: {kinds:?}"
    );
}

#[tokio::test]
async fn a_rejection_keeps_its_reason_and_closes_the_request() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let reason = "Petições não são recebidas pelo Balcão Virtual.";

    changed(
        &app,
        request.id,
        1,
        Command::Reject {
            reason: reason.into(),
        },
        Actor::Staff(clerk.id),
    )
    .await;

    let stored = row(&app, request.id).await;
    assert_eq!(stored.rejection_reason.as_deref(), Some(reason));
    assert!(stored.closed_at.is_some());
    let rejected = jobs_of(&app, request.id).await.pop().unwrap();
    assert_eq!(
        Job::decode(&rejected.kind, &rejected.payload),
        Ok(Job::Rejected {
            request_id: request.id,
            reason: reason.into()
        })
    );
}

#[tokio::test]
async fn a_transfer_moves_a_new_request_to_the_right_zone() {
    let app = spawn_app().await;
    let ana = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let caio = create_clerk(&app.store, "caio@tre-pa.jus.br", &[43]).await;
    let request = submitted(&app, 1).await;
    assert_eq!(request.assignee_id, Some(ana.id));

    let moved = app
        .change_as(
            request.id,
            1,
            Command::Transfer { to_zone: 43 },
            Actor::Staff(ana.id),
            &ZoneScope::Zones(vec![1]),
            app.now(),
        )
        .await
        .unwrap()
        .unwrap();

    assert_eq!(moved.status, Status::Submitted);
    assert_eq!(
        (moved.zone, moved.zone_name.as_str()),
        (43, "43ª Zona Eleitoral")
    );
    assert_eq!(moved.assignee_id, Some(caio.id));
    let event = moved.history.last().unwrap();
    assert_eq!(
        (event.step, event.from_zone, event.to_zone),
        (Step::Changed(Action::Transfer), Some(1), Some(43))
    );
    assert!(
        app.store
            .request(request.id, &ZoneScope::Zones(vec![1]))
            .await
            .unwrap()
            .is_none(),
        "gone from zone 1"
    );
    assert_eq!(
        job_kinds(&app, request.id).await.last().map(String::as_str),
        Some("email.new_request")
    );
}

#[tokio::test]
async fn a_cancel_keeps_the_reason_in_the_history_and_the_meeting_in_its_message() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let staff = Actor::Staff(clerk.id);
    let slot = app.future_slots(1)[0];
    changed(&app, request.id, 1, Command::Triage, staff).await;
    let schedule = Command::Schedule {
        start: slot.start,
        meet_link: link(),
    };
    changed(&app, request.id, 2, schedule, staff).await;

    let cancel = Command::Cancel {
        reason: Some("Pedido em duplicidade".into()),
    };
    let cancelled = app
        .change(request.id, 3, cancel, staff)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(cancelled.status, Status::Cancelled);
    assert_eq!(
        cancelled.history.last().unwrap().note.as_deref(),
        Some("Pedido em duplicidade")
    );
    assert!(row(&app, request.id).await.closed_at.is_some());
    let message = jobs_of(&app, request.id)
        .await
        .into_iter()
        .find(|job| job.kind == "email.cancelled")
        .unwrap();
    let Ok(Job::Cancelled(notice)) = Job::decode(&message.kind, &message.payload) else {
        panic!("{message:?}");
    };
    assert_eq!(
        (notice.start, notice.end),
        (Some(slot.start), Some(slot.end))
    );
    assert!(!notice.by_requester);
}

#[tokio::test]
async fn two_transitions_on_the_same_version_let_exactly_one_through() {
    let app = std::sync::Arc::new(spawn_app().await);
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let before = row_counts(&app.store).await;

    let attempts = [
        Command::Triage,
        Command::Reject {
            reason: "Fora da competência".into(),
        },
    ]
    .map(|command| {
        let app = app.clone();
        tokio::spawn(async move {
            app.change(request.id, 1, command, Actor::Staff(clerk.id))
                .await
        })
    });
    let mut results = Vec::new();
    for attempt in attempts {
        results.push(attempt.await.unwrap());
    }

    let winners = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    assert_eq!(winners, 1, "{results:?}");
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        matches!(
            loser,
            StoreError::Stale {
                expected: 1,
                current: 2
            }
        ),
        "{loser:?}"
    );
    let after = app
        .store
        .request(request.id, &ZoneScope::All)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.history.len(), 2, "one audit row for the winner only");
    let winner_jobs = if after.status == Status::Rejected {
        1
    } else {
        0
    };
    let count =
        |counts: &[(&str, i64)], table: &str| counts.iter().find(|(t, _)| *t == table).unwrap().1;
    let counts = row_counts(&app.store).await;
    assert_eq!(
        count(&counts, "request_events"),
        count(&before, "request_events") + 1
    );
    assert_eq!(count(&counts, "jobs"), count(&before, "jobs") + winner_jobs);
}

// The store hands the decision the facts it needs: the clerk's other meetings, the
// destination of a transfer, the zone's fixed room. Refused, nothing is written.
at_awkward_moments!(refusals_judged_on_what_the_store_loads_leave_no_trace);
async fn refusals_judged_on_what_the_store_loads_leave_no_trace(moment: Moment) {
    let app = spawn_app_when(moment).await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let staff = Actor::Staff(clerk.id);
    let slot = app.future_slots(1)[0];
    let first = submitted(&app, 1).await;
    changed(&app, first.id, 1, Command::Triage, staff).await;
    let take_the_slot = Command::Schedule {
        start: slot.start,
        meet_link: link(),
    };
    changed(&app, first.id, 2, take_the_slot, staff).await;
    let second = submitted(&app, 1).await;
    changed(&app, second.id, 1, Command::Triage, staff).await;
    let before = row_counts(&app.store).await;

    let too_late = app
        .change_as(
            first.id,
            3,
            Command::Cancel { reason: None },
            Actor::Requester,
            &ZoneScope::All,
            slot.start - Duration::minutes(119),
        )
        .await;
    let cases = [
        (
            "an action not allowed from the state",
            Command::Complete {
                outcome: Outcome::NoShow,
            },
            Refusal::NotAllowed(TransitionNotAllowed {
                from: Status::Triaged,
                action: Action::Complete,
            }),
        ),
        (
            "the clerk's time is taken by the first request",
            Command::Schedule {
                start: slot.start,
                meet_link: link(),
            },
            Refusal::Slot(SlotError::Overlap),
        ),
        (
            "no link, and zone 1 has no fixed room",
            Command::Schedule {
                start: slot.start + Duration::minutes(20),
                meet_link: None,
            },
            Refusal::NoMeetingLink,
        ),
    ];
    for (description, command, refusal) in cases {
        let result = app.change(second.id, 2, command, staff).await.unwrap();
        assert_eq!(result.map(|_| ()), Err(refusal), "{description}");
    }
    assert_eq!(
        too_late.unwrap().map(|_| ()),
        Err(Refusal::TooLateToCancel { hours: 2 })
    );
    assert_eq!(row_counts(&app.store).await, before);

    let new = submitted(&app, 1).await;
    let before_transfers = row_counts(&app.store).await;
    for (description, zone, refusal) in [
        ("to the zone it is in", 1, Refusal::SameZone),
        ("to a zone that does not exist", 999, Refusal::UnknownZone),
    ] {
        let result = app
            .change(new.id, 1, Command::Transfer { to_zone: zone }, staff)
            .await
            .unwrap();
        assert_eq!(result.map(|_| ()), Err(refusal), "{description}");
    }
    assert_eq!(row_counts(&app.store).await, before_transfers);
}

#[tokio::test]
async fn a_stale_version_or_another_zone_writes_nothing() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let before = row_counts(&app.store).await;

    let stale = app
        .change(request.id, 7, Command::Triage, Actor::Staff(clerk.id))
        .await;
    let elsewhere = app
        .change_as(
            request.id,
            1,
            Command::Triage,
            Actor::Staff(clerk.id),
            &ZoneScope::Zones(vec![28]),
            app.now(),
        )
        .await;

    assert!(
        matches!(
            stale,
            Err(StoreError::Stale {
                expected: 7,
                current: 1
            })
        ),
        "{stale:?}"
    );
    assert!(
        matches!(elsewhere, Err(StoreError::NotFound)),
        "{elsewhere:?}"
    );
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn the_fixed_room_of_a_zone_is_used_when_no_link_is_given() {
    let app = spawn_app().await;
    let zone = "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nmunicipalities = [\"Belém\"]\n\
        room_link = \"https://meet.google.com/sala-fixa-zz\"\n";
    let zones = contato::reference::parse_zones(zone, &["meet.google.com".into()]).unwrap();
    app.store.import_zones(&zones, app.now()).await.unwrap();
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let actor = Actor::Staff(clerk.id);
    changed(&app, request.id, 1, Command::Triage, actor).await;

    let schedule = Command::Schedule {
        start: app.future_slots(1)[0].start,
        meet_link: None,
    };
    let scheduled = app
        .change(request.id, 2, schedule, actor)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        scheduled.meet_link.as_deref(),
        Some("https://meet.google.com/sala-fixa-zz")
    );
}

/// With the google provider the announcement waits for the job that makes the event: the
/// worker does not take it before that job is done.
#[tokio::test]
async fn a_calendar_schedule_queues_the_event_and_a_message_that_waits_for_it() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let actor = Actor::Staff(clerk.id);
    changed(&app, request.id, 1, Command::Triage, actor).await;
    let policy = contato::domain::change::Policy {
        source: contato::domain::change::MeetingSource::Calendar,
        ..manual_policy()
    };
    let command = contato::domain::command::ParsedCommand {
        command: Command::Schedule {
            start: app.slots_from(Duration::hours(25), 1)[0].start,
            meet_link: None,
        },
        note: None,
    };
    let asked = contato::store::Transition {
        id: request.id,
        expected_version: 2,
        command: &command,
        actor,
        scope: &ZoneScope::All,
        now: app.now(),
    };
    app.store
        .transition(&asked, &policy)
        .await
        .unwrap()
        .unwrap();
    let lease = chrono::Duration::seconds(60);
    let first_claim = app
        .store
        .claim_jobs("w", 10, lease, app.now())
        .await
        .unwrap();

    let kinds = |claimed: &[contato::store::ClaimedJob]| -> Vec<String> {
        claimed.iter().map(|job| job.kind.clone()).collect()
    };
    assert_eq!(
        kinds(&first_claim),
        [
            "email.request_received",
            "email.new_request",
            JobKind::CreateMeeting.as_str()
        ],
        "the announcement is not due while the event is not made"
    );
    let event = &first_claim[2];
    let done = contato::store::JobOutcome::Done {
        result: "evento criado".into(),
    };
    app.store
        .finish_job(event.id, "w", event.attempts, &done, app.now())
        .await
        .unwrap();
    let second_claim = app
        .store
        .claim_jobs("w", 10, lease, app.now())
        .await
        .unwrap();
    assert_eq!(kinds(&second_claim), [JobKind::Scheduled.as_str()]);
    let waiting = jobs_of(&app, request.id)
        .await
        .into_iter()
        .find(|job| job.kind == "email.scheduled")
        .unwrap();
    assert_eq!(
        waiting.waits_for.as_deref(),
        Some(event_key(request.id).as_str())
    );
}

fn event_key(request_id: i64) -> String {
    format!("request:{request_id}:v3:meeting.create")
}
