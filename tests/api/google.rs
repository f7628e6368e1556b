//! The google provider end to end: the real google-calendar3 client against a local server
//! that answers as Google does, with the worker running and a real SMTP server.

use std::time::{Duration, Instant};

use chrono::Utc;
use entities::{jobs, sea_orm_active_enums::JobState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    fake_google::{FakeGoogle, Operation},
    helpers::{TestApp, create_clerk},
    smtp::{Received, SmtpServer},
};

const WAIT: Duration = Duration::from_secs(20);

pub(crate) struct Court {
    pub(crate) app: TestApp,
    pub(crate) google: FakeGoogle,
    pub(crate) smtp: SmtpServer,
    pub(crate) token: String,
    settings: Vec<(&'static str, Value)>,
}

/// The app on the google provider, with its worker running.
pub(crate) async fn court() -> Court {
    court_with_worker(true).await
}

async fn court_with_worker(worker_in_serve: bool) -> Court {
    court_at(crate::helpers::test_clock(), worker_in_serve).await
}

/// As [`court`], the app and its worker reading time from `clock`.
pub(crate) async fn court_at(clock: contato::clock::Clock, worker_in_serve: bool) -> Court {
    let google = FakeGoogle::start().await;
    let smtp = SmtpServer::start();
    let key_folder = tempfile::tempdir().unwrap().keep();
    let key = google.write_key(&key_folder);
    let settings = vec![
        ("limits.submissions_per_minute", json!(0)),
        ("calendar.provider", json!("google")),
        (
            "calendar.base_url",
            json!(format!("{}/calendar/v3/", google.base)),
        ),
        ("calendar.credentials", json!(key.display().to_string())),
        ("calendar.conference_check_ms", json!(20)),
        ("smtp.url", json!(smtp.url())),
        ("worker.run_in_serve", json!(worker_in_serve)),
        ("worker.poll_ms", json!(50)),
        ("worker.retry_first_seconds", json!(1)),
        ("worker.retry_max_seconds", json!(1)),
    ];
    let app = crate::helpers::spawn_app_at(clock, &settings).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    Court {
        app,
        google,
        smtp,
        token,
        settings,
    }
}

impl Court {
    /// A worker of this app's settings, outside the app, to run batches by hand.
    async fn worker(&self) -> contato::jobs::Worker {
        let settings =
            std::sync::Arc::new(crate::helpers::settings_for(self.app.db(), &self.settings));
        let calendar = contato::startup::connect_calendar(&settings).await.unwrap();
        contato::jobs::Worker::new(
            self.app.store.clone(),
            settings,
            calendar,
            self.app.clock.clone(),
        )
        .unwrap()
    }

    /// Files a request and triages it: `(id, protocol)`.
    pub(crate) async fn triaged(&self) -> (i64, String) {
        let (protocol, _) = self.app.submit(1).await;
        let inbox: Value = self
            .app
            .get_as(&self.token, &format!("/api/v1/staff/requests?q={protocol}"))
            .await
            .json()
            .await
            .unwrap();
        let id = inbox["items"][0]["id"].as_i64().unwrap();
        let triaged = self
            .transition(id, json!({"action": "triage", "version": 1}))
            .await;
        assert_eq!(triaged.0, 200);
        (id, protocol)
    }

    pub(crate) async fn transition(&self, id: i64, body: Value) -> (u16, Value) {
        self.app.transition_as(&self.token, id, &body).await
    }

    pub(crate) async fn detail(&self, id: i64) -> Value {
        self.app
            .get_as(&self.token, &format!("/api/v1/staff/requests/{id}"))
            .await
            .json()
            .await
            .unwrap()
    }

    /// Waits until the request's `kind` job is in `state`.
    pub(crate) async fn job_in_state(&self, id: i64, kind: &str, state: JobState) -> jobs::Model {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = jobs::Entity::find()
                .filter(jobs::Column::RequestId.eq(id))
                .filter(jobs::Column::Kind.eq(kind))
                .one(self.app.store.connection())
                .await
                .unwrap();
            if let Some(job) = found.filter(|job| job.state == state) {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "{kind} of request {id} never reached {state:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn message_starting(&self, subject: &str) -> Received {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(message) = self
                .smtp
                .received()
                .into_iter()
                .find(|m| subject_of(m).starts_with(subject))
            {
                return message;
            }
            assert!(
                Instant::now() < deadline,
                "no message \"{subject}…\" arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub(crate) fn subject_of(message: &Received) -> String {
    message.parsed().subject().unwrap_or_default().to_string()
}

pub(crate) fn text_of(message: &Received) -> String {
    message
        .parsed()
        .body_text(0)
        .unwrap_or_default()
        .into_owned()
}

pub(crate) fn schedule_at(slot: chrono::DateTime<Utc>, version: i32) -> Value {
    json!({"action": "schedule", "version": version, "start": slot.to_rfc3339()})
}

pub(crate) fn inserts(google: &FakeGoogle) -> Vec<crate::fake_google::Recorded> {
    google
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST" && c.path.ends_with("/events"))
        .collect()
}

#[tokio::test]
async fn scheduling_creates_one_meet_event_and_mails_its_link() {
    let court = court().await;
    let (id, protocol) = court.triaged().await;
    let slot = court.app.future_slots(1)[0];

    let (status, scheduled) = court.transition(id, schedule_at(slot.start, 2)).await;
    assert_eq!(status, 200, "{scheduled}");
    let message = court.message_starting("Atendimento marcado").await;

    let events = court.google.events();
    assert_eq!(events.len(), 1, "exactly one event");
    let ((calendar, event_id), event) = &events[0];
    assert_eq!(calendar, "primary");
    assert_eq!(event_id, &contato::calendar::event_id("localhost", id));
    let link = event["hangoutLink"].as_str().unwrap();
    assert!(
        text_of(&message).contains(link),
        "the e-mail carries the event's link"
    );
    let detail = court.detail(id).await;
    assert_eq!(detail["meet_link"], link, "the request shows the link");
    let insert = &inserts(&court.google)[0];
    assert!(
        insert
            .query
            .split('&')
            .any(|p| p == "conferenceDataVersion=1"),
        "{}",
        insert.query
    );
    assert!(
        insert.query.split('&').any(|p| p == "sendUpdates=none"),
        "{}",
        insert.query
    );
    assert_eq!(
        insert.body["conferenceData"]["createRequest"]["conferenceSolutionKey"]["type"],
        "hangoutsMeet"
    );
    assert_eq!(
        insert.body["conferenceData"]["createRequest"]["requestId"],
        format!("contato-localhost-{id}-r1")
    );
    assert_eq!(insert.body["start"]["timeZone"], "America/Belem");
    assert_eq!(
        insert.body["start"]["dateTime"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<Utc>>().unwrap()),
        Some(slot.start)
    );
    let sent = insert.body.to_string();
    assert!(sent.contains(&protocol));
    assert!(
        !sent.contains(detail["cpf"].as_str().unwrap())
            && !sent.contains(&detail["cpf"].as_str().unwrap().replace(['.', '-'], "")),
        "no CPF in the event"
    );
    assert!(
        insert.body["attendees"].is_null(),
        "the requester is not a guest unless configured"
    );
    let claims = &court.google.assertions()[0];
    assert_eq!(
        claims["iss"],
        "contato@contato-test.iam.gserviceaccount.com"
    );
    assert_eq!(
        claims["aud"],
        format!("{}/token", court.google.base),
        "the key's token_uri is honoured"
    );
    assert!(
        claims["scope"]
            .as_str()
            .unwrap()
            .contains("https://www.googleapis.com/auth/calendar")
    );
}

#[tokio::test]
async fn a_pending_conference_is_read_again_until_it_has_a_link() {
    let court = court().await;
    court.google.conferences_pending_for(3);
    let (id, _) = court.triaged().await;

    court
        .transition(id, schedule_at(court.app.future_slots(1)[0].start, 2))
        .await;
    let message = court.message_starting("Atendimento marcado").await;

    let reads = court
        .google
        .calls()
        .into_iter()
        .filter(|c| c.method == "GET")
        .count();
    assert!(
        reads >= 3,
        "the event was read again while pending ({reads} reads)"
    );
    assert!(text_of(&message).contains("https://meet.google.com/tst-"));
}

#[tokio::test]
async fn a_worker_that_died_after_the_insert_leaves_one_event_with_its_link() {
    let court = court_with_worker(false).await;
    let (id, _) = court.triaged().await;
    let slot = court.app.future_slots(1)[0];
    let (status, _) = court.transition(id, schedule_at(slot.start, 2)).await;
    assert_eq!(status, 200);
    // A worker took the job, inserted the event, and died before recording the link.
    let event_id = contato::calendar::event_id("localhost", id);
    court.google.put_event(
        "primary",
        &event_id,
        json!({
            "id": event_id,
            "start": {"dateTime": slot.start.to_rfc3339(), "timeZone": "America/Belem"},
            "end": {"dateTime": slot.end.to_rfc3339(), "timeZone": "America/Belem"},
            "hangoutLink": "https://meet.google.com/old-mmmm-eet",
            "conferenceData": {"createRequest": {"status": {"statusCode": "success"}}},
        }),
    );

    let worker = court.worker().await;
    while worker.run_batch().await.unwrap() > 0 {}
    let message = court.message_starting("Atendimento marcado").await;

    assert_eq!(court.google.events().len(), 1, "no second event");
    let insert = inserts(&court.google);
    assert_eq!(
        insert.len(),
        1,
        "the retried insert was made, answered 409, and the event adopted"
    );
    assert!(text_of(&message).contains("https://meet.google.com/old-mmmm-eet"));
    assert_eq!(
        court.detail(id).await["meet_link"],
        "https://meet.google.com/old-mmmm-eet"
    );
}

#[tokio::test]
async fn a_refused_token_is_replaced_once() {
    let court = court().await;
    let (id, _) = court.triaged().await;
    let slots = court.app.future_slots(2);
    court.transition(id, schedule_at(slots[0].start, 2)).await;
    court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;
    assert_eq!(
        court.google.tokens_issued(),
        1,
        "one token served the free/busy check and the insert"
    );

    court.google.revoke_tokens();
    let (status, _) = court
        .transition(
            id,
            json!({"action": "reschedule", "version": 3, "start": slots[1].start.to_rfc3339()}),
        )
        .await;

    assert_eq!(
        status, 200,
        "the 401 was answered with a fresh token and the call made again"
    );
    court.message_starting("Atendimento remarcado").await;
    assert_eq!(court.google.tokens_issued(), 2);
    let refused = court
        .google
        .calls()
        .into_iter()
        .filter(|c| c.path.ends_with("freeBusy"))
        .count();
    assert_eq!(
        refused, 3,
        "free/busy: once at scheduling, then refused once and made again"
    );
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_until_google_answers() {
    let court = court().await;
    court
        .google
        .fail(Operation::Insert, 403, "rateLimitExceeded", 1);
    court.google.fail(Operation::Insert, 500, "backendError", 2);
    let (id, _) = court.triaged().await;

    court
        .transition(id, schedule_at(court.app.future_slots(1)[0].start, 2))
        .await;
    let job = court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;

    assert_eq!(job.attempts, 4, "three failures, then the event");
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("500"),
        "{:?}",
        job.last_error
    );
    assert_eq!(inserts(&court.google).len(), 4);
    assert_eq!(court.google.events().len(), 1);
    court.message_starting("Atendimento marcado").await;
}

#[tokio::test]
async fn a_forbidden_calendar_kills_the_job_and_sends_no_broken_link() {
    let court = court().await;
    court.google.fail(Operation::Insert, 403, "forbidden", 1);
    let (id, _) = court.triaged().await;

    court
        .transition(id, schedule_at(court.app.future_slots(1)[0].start, 2))
        .await;
    let job = court
        .job_in_state(id, "meeting.create", JobState::Dead)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(job.attempts, 1, "a refusal is not retried");
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("forbidden")
    );
    let detail = court.detail(id).await;
    assert!(detail["meet_link"].is_null());
    let problem = detail["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "meeting.create")
        .unwrap()
        .clone();
    assert_eq!(
        problem["state"], "dead",
        "the clerk sees the problem on the request"
    );
    assert!(
        !court
            .smtp
            .received()
            .iter()
            .any(|m| subject_of(m).starts_with("Atendimento marcado")),
        "no e-mail without a link"
    );
}

#[tokio::test]
async fn a_reschedule_moves_the_event_and_keeps_its_link() {
    let court = court().await;
    let (id, _) = court.triaged().await;
    let slots = court.app.future_slots(2);
    court.transition(id, schedule_at(slots[0].start, 2)).await;
    let first = court.message_starting("Atendimento marcado").await;
    let link = court.detail(id).await["meet_link"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, _) = court
        .transition(
            id,
            json!({"action": "reschedule", "version": 3, "start": slots[1].start.to_rfc3339()}),
        )
        .await;
    assert_eq!(status, 200);
    let second = court.message_starting("Atendimento remarcado").await;

    let events = court.google.events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].1["start"]["dateTime"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<Utc>>().unwrap()),
        Some(slots[1].start)
    );
    assert!(
        text_of(&first).contains(&link) && text_of(&second).contains(&link),
        "the same link"
    );
    assert!(court.google.calls().iter().any(|c| c.method == "PATCH"));
}

#[tokio::test]
async fn a_cancel_deletes_the_event_even_if_it_is_already_gone() {
    let court = court().await;
    let (id, _) = court.triaged().await;
    let (other, _) = court.triaged().await;
    let slots = court.app.future_slots(2);
    court.transition(id, schedule_at(slots[0].start, 2)).await;
    court
        .transition(other, schedule_at(slots[1].start, 2))
        .await;
    court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;
    court
        .job_in_state(other, "meeting.create", JobState::Done)
        .await;
    // Someone removed the second event by hand in Google Calendar.
    court
        .google
        .remove_event("primary", &contato::calendar::event_id("localhost", other));

    let (first, _) = court
        .transition(id, json!({"action": "cancel", "version": 3}))
        .await;
    let (second, _) = court
        .transition(other, json!({"action": "cancel", "version": 3}))
        .await;
    court
        .job_in_state(id, "meeting.delete", JobState::Done)
        .await;
    let gone = court
        .job_in_state(other, "meeting.delete", JobState::Done)
        .await;

    assert_eq!((first, second), (200, 200));
    assert_eq!(
        court.google.deleted(),
        [(
            "primary".to_string(),
            contato::calendar::event_id("localhost", id)
        )]
    );
    assert!(court.google.events().is_empty());
    assert_eq!(gone.attempts, 1, "a 404 on delete counts as deleted");
    court.message_starting("Solicitação").await;
}

#[tokio::test]
async fn busy_times_in_the_zone_calendar_are_neither_offered_nor_accepted() {
    let court = court().await;
    let (id, _) = court.triaged().await;
    let slots = court.app.future_slots(2);
    court
        .google
        .mark_busy("primary", slots[0].start, slots[0].end);

    let from = slots[0].local_start().date_naive();
    let listed: Value = court
        .app
        .get_as(
            &court.token,
            &format!("/api/v1/staff/zones/1/slots?from={from}&days=14"),
        )
        .await
        .json()
        .await
        .unwrap();
    let (status, refused) = court.transition(id, schedule_at(slots[0].start, 2)).await;

    let starts: Vec<String> = listed["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_string())
        .collect();
    let busy_start = slots[0]
        .start
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(!starts.is_empty(), "the other slots are offered");
    assert!(
        !starts.iter().any(|s| s.starts_with(&busy_start[..16])),
        "the busy slot is not offered"
    );
    assert_eq!(status, 422);
    assert!(
        refused["errors"]["start"][0]
            .as_str()
            .unwrap()
            .contains("Google Agenda"),
        "{refused}"
    );
    let (status, _) = court.transition(id, schedule_at(slots[1].start, 2)).await;
    assert_eq!(status, 200, "the next slot is free");
}

#[tokio::test]
async fn a_zone_with_its_own_calendar_gets_its_events_there() {
    let court = court().await;
    let zone = "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nmunicipalities = [\"Belém\"]\ncalendar_id = \"zona01@group.calendar.google.com\"\n";
    let zones = contato::reference::parse_zones(zone, &["meet.google.com".into()]).unwrap();
    court
        .app
        .store
        .import_zones(&zones, court.app.now())
        .await
        .unwrap();
    let (id, _) = court.triaged().await;

    let (status, _) = court
        .transition(id, schedule_at(court.app.future_slots(1)[0].start, 2))
        .await;
    assert_eq!(status, 200);
    court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;

    assert_eq!(
        court.google.events()[0].0.0,
        "zona01@group.calendar.google.com"
    );
}

#[tokio::test]
async fn a_closed_zone_still_gets_its_meetings_cancelled_in_its_own_calendar() {
    let court = court().await;
    let zone = "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nmunicipalities = [\"Belém\"]\ncalendar_id = \"zona01@group.calendar.google.com\"\n";
    let zones = contato::reference::parse_zones(zone, &["meet.google.com".into()]).unwrap();
    let store = &court.app.store;
    store.import_zones(&zones, court.app.now()).await.unwrap();
    let admin = crate::helpers::create_staff(
        store,
        "ti@tre-pa.jus.br",
        contato::domain::staff::Role::Admin,
        &[],
    )
    .await;
    let (id, _) = court.triaged().await;
    court
        .transition(id, schedule_at(court.app.future_slots(1)[0].start, 2))
        .await;
    court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;

    // The zone closes with a meeting still on its calendar; the meeting is then cancelled.
    let closed = contato::store::ZoneChanges {
        active: Some(false),
        ..Default::default()
    };
    store
        .update_zone(1, &closed, admin.id, court.app.now())
        .await
        .unwrap();
    let (status, _) = court
        .transition(id, json!({"action": "cancel", "version": 3}))
        .await;
    court
        .job_in_state(id, "meeting.delete", JobState::Done)
        .await;

    assert_eq!(status, 200);
    assert_eq!(
        court.google.deleted(),
        [(
            "zona01@group.calendar.google.com".to_string(),
            contato::calendar::event_id("localhost", id)
        )],
        "deleted where it was made, not in the default calendar"
    );
}

#[tokio::test]
async fn a_cancel_that_lands_while_the_event_is_being_made_leaves_no_event() {
    let mut court = court_with_worker(false).await;
    // Google takes its time with the conference: the worker waits between reads.
    court.google.conferences_pending_for(3);
    court
        .settings
        .push(("calendar.conference_check_ms", json!(300)));
    let (id, _) = court.triaged().await;
    court
        .transition(id, schedule_at(court.app.future_slots(1)[0].start, 2))
        .await;
    let worker = court.worker().await;

    let batch = tokio::spawn(async move { worker.run_batch().await.unwrap() });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while inserts(&court.google).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the insert is made");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (cancelled, _) = court
        .transition(id, json!({"action": "cancel", "version": 3}))
        .await;
    batch.await.unwrap();

    assert_eq!(cancelled, 200);
    let create = court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;
    assert!(
        create
            .result
            .as_deref()
            .unwrap_or_default()
            .contains("excluído"),
        "{:?}",
        create.result
    );
    assert!(
        court.google.events().is_empty(),
        "the event made for a cancelled request is gone"
    );
}

/// Before jobs were typed, the calendar job queued the e-mail with the Meet link after it
/// made the event. A calendar job of that version still waiting at the upgrade gets its
/// e-mail from the migration, so the requester still receives the link, once.
#[tokio::test]
async fn a_calendar_job_queued_by_the_first_version_still_brings_its_email() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ModelTrait};
    let court = court_with_worker(false).await;
    let (id, _) = court.triaged().await;
    let slot = court.app.slots_from(chrono::Duration::hours(25), 1)[0];
    let (status, _) = court.transition(id, schedule_at(slot.start, 2)).await;
    assert_eq!(status, 200);
    let db = court.app.store.connection();
    // What the first version wrote for that schedule: the calendar job alone, its data
    // under "details", and no e-mail yet.
    let of_request = jobs::Entity::find().filter(jobs::Column::RequestId.eq(id));
    for job in of_request.clone().all(db).await.unwrap() {
        match job.kind.as_str() {
            "meeting.create" => {
                let mut legacy: jobs::ActiveModel = job.into();
                legacy.payload = Set(json!({
                    "request_id": id,
                    "version": 3,
                    "details": {
                        "start": slot.start, "end": slot.end, "meet_link": null,
                        "revision": 1, "previous_start": null
                    }
                }));
                legacy.waits_for = Set(None);
                legacy.update(db).await.unwrap();
            }
            "email.scheduled" | "email.reminder" => {
                job.delete(db).await.unwrap();
            }
            _ => {}
        }
    }

    crate::helpers::replay_migrations_from(&court.app, "m20261201_000013_add_job_waits_for").await;
    let worker = court.worker().await;
    while worker.run_batch().await.unwrap() > 0 {}

    let message = court.message_starting("Atendimento marcado").await;
    assert!(
        text_of(&message).contains("https://meet.google.com/"),
        "{}",
        text_of(&message)
    );
    let announcements: Vec<jobs::Model> = of_request
        .filter(jobs::Column::Kind.eq("email.scheduled"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        announcements.len(),
        1,
        "one e-mail for the one calendar job"
    );
    assert_eq!(
        announcements[0].dedupe_key,
        format!("request:{id}:r1:email.scheduled")
    );
    assert_eq!(announcements[0].state, JobState::Done);
}

#[tokio::test]
async fn a_meeting_turned_to_messages_has_its_event_deleted_and_the_requester_told() {
    let court = court().await;
    let (id, _) = court.triaged().await;
    let slot = court.app.future_slots(1)[0];
    let (status, _) = court.transition(id, schedule_at(slot.start, 2)).await;
    assert_eq!(status, 200);
    court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;

    let (status, turned) = court
        .transition(
            id,
            json!({"action": "to_message", "version": 3, "reason": "A conexão não aguentou o vídeo."}),
        )
        .await;
    assert_eq!(status, 200, "{turned}");
    assert_eq!(
        (turned["status"].as_str(), turned["mode"].as_str()),
        (Some("triaged"), Some("message"))
    );
    court
        .job_in_state(id, "meeting.delete", JobState::Done)
        .await;
    court
        .job_in_state(id, "email.to_message", JobState::Done)
        .await;
    assert_eq!(
        court.google.deleted(),
        [(
            "primary".to_string(),
            contato::calendar::event_id("localhost", id)
        )]
    );
    let told = court
        .smtp
        .wait_for(3, WAIT)
        .await
        .into_iter()
        .find(|mail| {
            mail.parsed()
                .subject()
                .is_some_and(|subject| subject.contains("atendimento por mensagens escritas"))
        })
        .expect("the requester is told");
    let text = told.parsed().body_text(0).unwrap().to_string();
    assert!(text.contains("A conexão não aguentou o vídeo."), "{text}");
}
