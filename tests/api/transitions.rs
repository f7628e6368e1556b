use chrono::{Duration, Utc};
use contato::{
    domain::{
        command::{Command, ParsedCommand},
        meet_link::MeetLink,
        schedule::SlotError,
        status::{Action, Outcome, Status, TransitionNotAllowed},
    },
    store::{Actor, StoreError, Submitted, ZoneScope},
};
use entities::jobs;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{
    Rules, TestApp, create_clerk, new_request, row_counts, spawn_app, token_hash,
};

/// Description, version seen, command, caller's zones, and the error expected.
type RefusalCase = (
    &'static str,
    i32,
    Command,
    ZoneScope,
    fn(&StoreError) -> bool,
);
/// Description, start asked for, and the slot error expected.
type SlotCase = (&'static str, chrono::DateTime<Utc>, fn(&SlotError) -> bool);

fn command(command: Command) -> ParsedCommand {
    ParsedCommand {
        command,
        note: None,
    }
}

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
}

async fn job_kinds(app: &TestApp, request_id: i64) -> Vec<String> {
    jobs::Entity::find()
        .filter(jobs::Column::RequestId.eq(request_id))
        .order_by_asc(jobs::Column::Id)
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|job| job.kind)
        .collect()
}

#[tokio::test]
async fn a_request_goes_from_submitted_to_done_with_an_audit_row_per_step() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let rules = Rules::manual();
    let actor = Actor::Staff(clerk.id);
    let scope = ZoneScope::Zones(vec![1]);
    let slots = app.future_slots(2);
    let now = app.now();

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
            .store
            .transition(
                request.id,
                version,
                &command(step),
                actor,
                &scope,
                &rules.at(now),
            )
            .await
            .unwrap();
        assert_eq!(after.status, expected);
        assert_eq!(after.version, version + 1);
        version = after.version;
    }

    let done = app
        .store
        .request(request.id, &scope)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.scheduled_start, Some(slots[1].start));
    assert_eq!(
        done.meet_link.as_deref(),
        Some("https://meet.google.com/abc-defg-hij")
    );
    assert_eq!(done.schedule_revision, 2);
    assert_eq!(done.outcome, Some(Outcome::Attended));
    let actions: Vec<&str> = done.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["submit", "triage", "schedule", "reschedule", "complete"]
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
            "email.done"
        ]
    );
    assert!(
        kinds.iter().any(|k| k == "email.reminder"),
        "reminders are queued: {kinds:?}"
    );
}

#[tokio::test]
async fn two_transitions_on_the_same_version_let_exactly_one_through() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let before = row_counts(&app.store).await;

    let attempts = [
        command(Command::Triage),
        command(Command::Reject {
            reason: "Fora da competência".into(),
        }),
    ]
    .map(|cmd| {
        let store = app.store.clone();
        let now = app.now();
        tokio::spawn(async move {
            let rules = Rules::manual();
            store
                .transition(
                    request.id,
                    1,
                    &cmd,
                    Actor::Staff(clerk.id),
                    &ZoneScope::All,
                    &rules.at(now),
                )
                .await
        })
    });
    let mut results = Vec::new();
    for attempt in attempts {
        results.push(attempt.await.unwrap());
    }

    let winners = results.iter().filter(|r| r.is_ok()).count();
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

#[tokio::test]
async fn refused_transitions_leave_no_trace() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let rules = Rules::manual();
    let now = app.now();
    let before = row_counts(&app.store).await;

    let cases: Vec<RefusalCase> = vec![
        ("a stale version", 7, Command::Triage, ZoneScope::All, |e| {
            matches!(
                e,
                StoreError::Stale {
                    expected: 7,
                    current: 1
                }
            )
        }),
        (
            "an action not allowed from submitted",
            1,
            Command::Complete {
                outcome: Outcome::NoShow,
            },
            ZoneScope::All,
            |e| {
                matches!(
                    e,
                    StoreError::NotAllowed(TransitionNotAllowed {
                        from: Status::Submitted,
                        action: Action::Complete
                    })
                )
            },
        ),
        (
            "schedule before triage",
            1,
            Command::Schedule {
                start: app.future_slots(1)[0].start,
                meet_link: link(),
            },
            ZoneScope::All,
            |e| matches!(e, StoreError::NotAllowed(_)),
        ),
        (
            "another zone's clerk",
            1,
            Command::Triage,
            ZoneScope::Zones(vec![28]),
            |e| matches!(e, StoreError::NotFound),
        ),
        (
            "a transfer to the same zone",
            1,
            Command::Transfer { to_zone: 1 },
            ZoneScope::All,
            |e| matches!(e, StoreError::Invalid(_)),
        ),
        (
            "a transfer to a missing zone",
            1,
            Command::Transfer { to_zone: 999 },
            ZoneScope::All,
            |e| matches!(e, StoreError::Invalid(_)),
        ),
    ];
    for (description, version, cmd, scope, expected) in cases {
        let result = app
            .store
            .transition(
                request.id,
                version,
                &command(cmd),
                Actor::Staff(clerk.id),
                &scope,
                &rules.at(now),
            )
            .await;
        match result {
            Err(error) => assert!(expected(&error), "{description}: {error:?}"),
            Ok(record) => panic!("{description}: went through to {:?}", record.status),
        }
    }

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn scheduling_follows_the_zone_calendar_and_the_clerk_agenda() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let rules = Rules::manual();
    let now = app.now();
    let actor = Actor::Staff(clerk.id);
    let slot = app.future_slots(1)[0];
    // A first request takes the slot.
    let first = submitted(&app, 1).await;
    app.store
        .transition(
            first.id,
            1,
            &command(Command::Triage),
            actor,
            &ZoneScope::All,
            &rules.at(now),
        )
        .await
        .unwrap();
    app.store
        .transition(
            first.id,
            2,
            &command(Command::Schedule {
                start: slot.start,
                meet_link: link(),
            }),
            actor,
            &ZoneScope::All,
            &rules.at(now),
        )
        .await
        .unwrap();
    let second = submitted(&app, 1).await;
    app.store
        .transition(
            second.id,
            1,
            &command(Command::Triage),
            actor,
            &ZoneScope::All,
            &rules.at(now),
        )
        .await
        .unwrap();
    let before = row_counts(&app.store).await;
    let christmas = "2026-12-25T12:30:00Z".parse().unwrap();
    let at_noon = slot.start + Duration::hours(4);
    let off_grid = slot.start + Duration::minutes(10);

    let cases: Vec<SlotCase> = vec![
        ("the clerk's slot is taken", slot.start, |e| {
            *e == SlotError::Overlap
        }),
        ("in the past", now - Duration::hours(1), |e| {
            *e == SlotError::InPast
        }),
        ("at noon, after the window", at_noon, |e| {
            matches!(e, SlotError::OutsideWindow { .. })
        }),
        ("off the 20-minute grid", off_grid, |e| {
            matches!(e, SlotError::OutsideWindow { .. })
        }),
    ];
    let christmas_case = now < christmas;
    for (description, start, expected) in cases {
        let cmd = command(Command::Schedule {
            start,
            meet_link: link(),
        });
        let result = app
            .store
            .transition(second.id, 2, &cmd, actor, &ZoneScope::All, &rules.at(now))
            .await;
        match result {
            Err(StoreError::Slot(error)) => assert!(expected(&error), "{description}: {error:?}"),
            other => panic!("{description}: {other:?}"),
        }
    }
    if christmas_case {
        let cmd = command(Command::Schedule {
            start: christmas,
            meet_link: link(),
        });
        let result = app
            .store
            .transition(second.id, 2, &cmd, actor, &ZoneScope::All, &rules.at(now))
            .await;
        assert!(
            matches!(result, Err(StoreError::Slot(SlotError::Holiday { .. }))),
            "{result:?}"
        );
    }
    let no_link = command(Command::Schedule {
        start: app.future_slots(2)[1].start,
        meet_link: None,
    });
    let result = app
        .store
        .transition(
            second.id,
            2,
            &no_link,
            actor,
            &ZoneScope::All,
            &rules.at(now),
        )
        .await;
    match result {
        Err(StoreError::Invalid(errors)) => assert!(errors.get("meet_link").is_some()),
        other => panic!("a manual meeting needs a link: {other:?}"),
    }

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_transfer_moves_a_new_request_to_the_right_zone() {
    let app = spawn_app().await;
    let ana = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let caio = create_clerk(&app.store, "caio@tre-pa.jus.br", &[43]).await;
    let request = submitted(&app, 1).await;
    assert_eq!(request.assignee_id, Some(ana.id));
    let rules = Rules::manual();

    let moved = app
        .store
        .transition(
            request.id,
            1,
            &command(Command::Transfer { to_zone: 43 }),
            Actor::Staff(ana.id),
            &ZoneScope::Zones(vec![1]),
            &rules.at(app.now()),
        )
        .await
        .unwrap();

    assert_eq!(moved.status, Status::Submitted);
    assert_eq!(moved.zone, 43);
    assert_eq!(moved.assignee_id, Some(caio.id));
    let event = moved.history.last().unwrap();
    assert_eq!(
        (event.action.as_str(), event.from_zone, event.to_zone),
        ("transfer", Some(1), Some(43))
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
async fn the_fixed_room_of_a_zone_is_used_when_no_link_is_given() {
    let app = spawn_app().await;
    let zone = "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nmunicipalities = [\"Belém\"]\n\
        room_link = \"https://meet.google.com/sala-fixa-zz\"\n";
    let zones = contato::reference::parse_zones(zone, &["meet.google.com".into()]).unwrap();
    app.store.import_zones(&zones, app.now()).await.unwrap();
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let rules = Rules::manual();
    let actor = Actor::Staff(clerk.id);
    app.store
        .transition(
            request.id,
            1,
            &command(Command::Triage),
            actor,
            &ZoneScope::All,
            &rules.at(app.now()),
        )
        .await
        .unwrap();

    let scheduled = app
        .store
        .transition(
            request.id,
            2,
            &command(Command::Schedule {
                start: app.future_slots(1)[0].start,
                meet_link: None,
            }),
            actor,
            &ZoneScope::All,
            &rules.at(app.now()),
        )
        .await
        .unwrap();

    assert_eq!(
        scheduled.meet_link.as_deref(),
        Some("https://meet.google.com/sala-fixa-zz")
    );
}

#[tokio::test]
async fn a_requester_may_cancel_only_up_to_the_notice_before_the_meeting() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let rules = Rules::manual();
    let staff = Actor::Staff(clerk.id);
    let slot = app.future_slots(1)[0];
    let long_before = slot.start - Duration::days(1);
    app.store
        .transition(
            request.id,
            1,
            &command(Command::Triage),
            staff,
            &ZoneScope::All,
            &rules.at(long_before - Duration::days(1)),
        )
        .await
        .unwrap();
    app.store
        .transition(
            request.id,
            2,
            &command(Command::Schedule {
                start: slot.start,
                meet_link: link(),
            }),
            staff,
            &ZoneScope::All,
            &rules.at(long_before - Duration::days(1)),
        )
        .await
        .unwrap();
    let cancel = command(Command::Cancel { reason: None });
    let before = row_counts(&app.store).await;

    let too_late = app
        .store
        .transition(
            request.id,
            3,
            &cancel,
            Actor::Requester,
            &ZoneScope::All,
            &rules.at(slot.start - Duration::minutes(119)),
        )
        .await;
    let staff_may = app
        .store
        .transition(
            request.id,
            3,
            &cancel,
            staff,
            &ZoneScope::All,
            &rules.at(slot.start - Duration::minutes(119)),
        )
        .await;

    assert!(
        matches!(too_late, Err(StoreError::TooLateToCancel { hours: 2 })),
        "{too_late:?}"
    );
    assert!(
        staff_may.is_ok(),
        "staff may cancel at any time: {staff_may:?}"
    );
    let after = row_counts(&app.store).await;
    let events = |counts: &[(&str, i64)]| {
        counts
            .iter()
            .find(|(t, _)| *t == "request_events")
            .unwrap()
            .1
    };
    assert_eq!(
        events(&after),
        events(&before) + 1,
        "only the staff cancel was recorded"
    );
}

#[tokio::test]
async fn a_requester_may_cancel_two_hours_ahead() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = submitted(&app, 1).await;
    let rules = Rules::manual();
    let staff = Actor::Staff(clerk.id);
    let slot = app.future_slots(1)[0];
    let earlier = slot.start - Duration::days(2);
    app.store
        .transition(
            request.id,
            1,
            &command(Command::Triage),
            staff,
            &ZoneScope::All,
            &rules.at(earlier),
        )
        .await
        .unwrap();
    app.store
        .transition(
            request.id,
            2,
            &command(Command::Schedule {
                start: slot.start,
                meet_link: link(),
            }),
            staff,
            &ZoneScope::All,
            &rules.at(earlier),
        )
        .await
        .unwrap();

    let cancelled = app
        .store
        .transition(
            request.id,
            3,
            &command(Command::Cancel { reason: None }),
            Actor::Requester,
            &ZoneScope::All,
            &rules.at(slot.start - Duration::hours(2)),
        )
        .await
        .unwrap();

    assert_eq!(cancelled.status, Status::Cancelled);
    assert_eq!(cancelled.history.last().unwrap().actor, Actor::Requester);
}
