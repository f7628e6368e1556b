//! E-mail end to end: the worker inside the app sends through a real SMTP server on
//! loopback, and survives the server being down and workers dying.

use std::{
    collections::BTreeSet,
    process::{Child, Command, Stdio},
    time::Duration,
};

use contato::reference::parse_zones;
use entities::{jobs, sea_orm_active_enums::JobState};
use mail_parser::MimeHeaders;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    helpers::{
        Moment, TestApp, TestDb, create_clerk, new_request, spawn_app_at, spawn_app_with,
        token_hash,
    },
    smtp::{Received, SmtpServer},
};

const ZONE_ADDRESS: &str = "zona01@tre-pa.jus.br";
const WAIT: Duration = Duration::from_secs(20);

/// The app with its worker on, sending through `smtp_url`, retrying after about a second.
async fn app_sending_to(smtp_url: &str) -> TestApp {
    let app = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(0)),
        ("smtp.url", json!(smtp_url)),
        ("worker.run_in_serve", json!(true)),
        ("worker.poll_ms", json!(50)),
        ("worker.retry_first_seconds", json!(1)),
        ("worker.retry_max_seconds", json!(2)),
    ])
    .await;
    give_zone_one_an_address(&app).await;
    app
}

async fn give_zone_one_an_address(app: &TestApp) {
    let zone = format!(
        "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nseat = \"Belém\"\nmunicipalities = [\"Belém\"]\nnotification_email = \"{ZONE_ADDRESS}\"\n"
    );
    let zones = parse_zones(&zone, &["meet.google.com".into()]).unwrap();
    app.store.import_zones(&zones, app.now()).await.unwrap();
}

fn text_of(message: &Received) -> String {
    message
        .parsed()
        .body_text(0)
        .unwrap_or_default()
        .into_owned()
}

fn html_of(message: &Received) -> String {
    message
        .parsed()
        .body_html(0)
        .unwrap_or_default()
        .into_owned()
}

fn subject_of(message: &Received) -> String {
    message.parsed().subject().unwrap_or_default().to_string()
}

fn message_id(message: &Received) -> String {
    message
        .parsed()
        .message_id()
        .unwrap_or_default()
        .to_string()
}

/// The tracking link in a message: `(protocol, token)`.
fn tracking_link(text: &str) -> (String, String) {
    let start = text.find("/acompanhar/").expect("a tracking link") + "/acompanhar/".len();
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let (protocol, query) = rest[..end].split_once("?token=").expect("a token");
    (protocol.to_string(), query.to_string())
}

#[tokio::test]
async fn a_submission_mails_the_requester_and_the_zone() {
    let smtp = SmtpServer::start();
    let app = app_sending_to(&smtp.url()).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;

    let (protocol, _) = app.submit(1).await;
    let received = smtp.wait_for(2, WAIT).await;

    let to_requester = received
        .iter()
        .find(|m| m.to.iter().any(|t| t.ends_with("@example.com")))
        .expect("a message to the requester");
    let to_zone = received
        .iter()
        .find(|m| m.to.iter().any(|t| t == ZONE_ADDRESS))
        .expect("a message to the zone");
    assert_eq!(
        subject_of(to_requester),
        format!("Solicitação {protocol} recebida — 1ª Zona Eleitoral")
    );
    let text = text_of(to_requester);
    let html = html_of(to_requester);
    assert!(text.contains(&protocol) && html.contains(&protocol));
    assert!(
        text.contains("Petições e documentos não são recebidos"),
        "{text}"
    );
    let (linked_protocol, token) = tracking_link(&text);
    assert_eq!(linked_protocol, protocol);
    let followed = app
        .http
        .get(app.url(&format!("/api/v1/requests/{protocol}?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        followed.status(),
        200,
        "the e-mailed link opens the request"
    );
    assert_eq!(
        subject_of(to_zone),
        format!("Nova solicitação {protocol} para a 1ª Zona Eleitoral")
    );
    assert!(
        to_zone.to.contains(&"ana@tre-pa.jus.br".to_string()),
        "the assignee too: {:?}",
        to_zone.to
    );
    assert!(
        !text_of(to_zone).contains("token="),
        "the zone never gets the requester's secret"
    );
    assert!(!html_of(to_zone).is_empty());
    // The server has both messages; the worker records each outcome just after the server's
    // answer, which a busy machine can delay past the test's reading.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let deliveries = loop {
        // The e-mails; the daily retention run the worker queued waits for its hour.
        let deliveries = jobs::Entity::find()
            .filter(jobs::Column::Kind.ne("retention.run"))
            .all(app.store.connection())
            .await
            .unwrap();
        if deliveries.iter().all(|job| job.state == JobState::Done)
            || std::time::Instant::now() > deadline
        {
            break deliveries;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        deliveries.iter().all(|job| job.state == JobState::Done
            && job
                .result
                .as_deref()
                .unwrap_or_default()
                .starts_with("entregue ao servidor de e-mail: 250")),
        "{deliveries:?}"
    );
}

#[tokio::test]
async fn scheduling_mails_the_meet_link_and_a_calendar_invitation() {
    let smtp = SmtpServer::start();
    let app = app_sending_to(&smtp.url()).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let (protocol, _) = app.submit(1).await;
    let inbox: Value = app
        .get_as(&token, "/api/v1/staff/requests")
        .await
        .json()
        .await
        .unwrap();
    let id = inbox["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/staff/requests/{id}/transitions");
    let slot = app.future_slots(1)[0];
    app.post_as(&token, &path, &json!({"action": "triage", "version": 1}))
        .await;

    let scheduled = app
        .post_as(&token, &path, &json!({"action": "schedule", "version": 2, "start": slot.start.to_rfc3339(), "meet_link": "https://meet.google.com/abc-defg-hij"}))
        .await;
    assert_eq!(scheduled.status(), 200);
    let received = smtp.wait_for(3, WAIT).await;

    let message = received
        .iter()
        .find(|m| subject_of(m).starts_with("Atendimento marcado"))
        .expect("the scheduled message");
    let text = text_of(message);
    assert!(
        text.contains("https://meet.google.com/abc-defg-hij"),
        "{text}"
    );
    let local = slot.local_start();
    assert!(text.contains(&local.format("%H:%M").to_string()), "{text}");
    assert!(
        text.contains("Pela mesma página você pode remarcar até 24 horas antes."),
        "the requester is told they may move it: {text}"
    );
    let parsed = message.parsed();
    let invitation = parsed
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
        })
        .expect("an .ics attachment");
    let ics = String::from_utf8(invitation.contents().to_vec()).unwrap();
    let calendar: icalendar::Calendar = ics.parse().expect("a parseable invitation");
    let event = calendar
        .components
        .iter()
        .find_map(|c| match c {
            icalendar::CalendarComponent::Event(event) => Some(event),
            _ => None,
        })
        .expect("an event");
    use icalendar::Component;
    let start = match event.get_start() {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(start))) => {
            start
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        start.with_timezone(&contato::domain::schedule::SERVICE_TIME_ZONE),
        local
    );
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:1"),
        "{ics}"
    );
    assert_eq!(
        event.get_uid(),
        Some(format!("request-{id}@tre-pa.jus.br").as_str())
    );
    assert!(subject_of(message).contains(&protocol));
}

#[tokio::test]
async fn mail_waits_for_a_server_that_is_down_and_is_delivered_once_it_is_back() {
    let port = SmtpServer::unused_port();
    let app = app_sending_to(&format!("smtp://127.0.0.1:{port}")).await;
    for _ in 0..3 {
        app.submit(1).await;
    }
    // Let the first attempts fail against the closed port.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let failed = jobs::Entity::find()
            .filter(jobs::Column::LastError.is_not_null())
            .count(app.store.connection())
            .await
            .unwrap();
        if failed >= 6 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sends should have failed by now"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waiting = jobs::Entity::find()
        .filter(jobs::Column::State.eq(JobState::Pending))
        .filter(jobs::Column::Kind.ne("retention.run"))
        .count(app.store.connection())
        .await
        .unwrap();
    assert_eq!(waiting, 6, "failed sends wait for a retry, none is dead");

    let smtp = SmtpServer::start_on(port);
    let received = smtp.wait_for(6, WAIT).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let received_after = smtp.received();
    assert_eq!(received_after.len(), 6, "each message exactly once");
    let ids: BTreeSet<String> = received.iter().map(message_id).collect();
    assert_eq!(ids.len(), 6);
    let done = jobs::Entity::find()
        .filter(jobs::Column::State.eq(JobState::Done))
        .count(app.store.connection())
        .await
        .unwrap();
    assert_eq!(done, 6);
}

#[tokio::test]
async fn an_address_the_server_refuses_goes_dead_at_once() {
    let smtp = SmtpServer::start();
    let app = app_sending_to(&smtp.url()).await;
    let mut body = crate::helpers::submission_json(1);
    body["email"] = json!("nao.existe@example.com");
    smtp.refuse("nao.existe@example.com");

    assert_eq!(app.post_json("/api/v1/requests", &body).await.status(), 201);
    smtp.wait_for(1, WAIT).await;
    let deadline = std::time::Instant::now() + WAIT;
    let dead = loop {
        let dead = jobs::Entity::find()
            .filter(jobs::Column::State.eq(JobState::Dead))
            .all(app.store.connection())
            .await
            .unwrap();
        if !dead.is_empty() {
            break dead;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the refused message should be dead by now"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].kind, "email.request_received");
    assert_eq!(dead[0].attempts, 1, "a permanent refusal is not retried");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550"),
        "{:?}",
        dead[0].last_error
    );
    assert_eq!(smtp.received().len(), 1, "the zone's message went through");
}

#[tokio::test]
async fn the_request_page_tells_staff_in_portuguese_what_became_of_each_email() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(&[]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let mut body = crate::helpers::submission_json(1);
    body["email"] = json!("nao.existe@example.com");
    smtp.refuse("nao.existe@example.com");
    let response = app.post_json("/api/v1/requests", &body).await;
    let receipt: Value = response.json().await.unwrap();
    let protocol = receipt["protocol"].as_str().unwrap();
    let id = entities::requests::Entity::find()
        .filter(entities::requests::Column::Protocol.eq(protocol))
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap()
        .id;

    let worker = worker_sending_to(&app, &smtp.url());
    while worker.run_batch().await.unwrap() > 0 {}
    let clerk = crate::panel::signed_in(&app, "ana@tre-pa.jus.br").await;
    let page = clerk
        .get(app.url(&format!("/painel/solicitacoes/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let deliveries = &page[page.find("<h2>E-mails e agenda</h2>").unwrap()..];
    let row = |what: &str| {
        let at = deliveries.find(what).unwrap_or_else(|| panic!("{what}"));
        deliveries[at..at + deliveries[at..].find("</tr>").unwrap()].to_string()
    };
    let to_zone = row("E-mail: aviso à zona");
    assert!(to_zone.contains("concluída"), "{to_zone}");
    assert!(
        to_zone.contains("entregue ao servidor de e-mail: 250"),
        "{to_zone}"
    );
    let to_requester = row("E-mail: pedido recebido");
    assert!(to_requester.contains("com falha"), "{to_requester}");
    assert!(
        to_requester.contains("o servidor de e-mail recusou a mensagem: ")
            && to_requester.contains("550"),
        "{to_requester}"
    );
}

/// An app whose jobs a `contato worker` process will run. That process reads the wall
/// clock, so the jobs are queued by the wall clock too (not at `CONTATO_TEST_NOW`): nothing
/// these tests check depends on the hour.
async fn app_for_worker_processes() -> TestApp {
    spawn_app_at(contato::clock::Clock::system(), &[]).await
}

/// `contato worker` as a separate process on `db`, sending to `smtp`.
fn worker_process(db: &TestDb, smtp: &SmtpServer, lease_seconds: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_contato"))
        .arg("worker")
        .env_remove("DATABASE_URL")
        .env_remove("CONTATO_CONFIG")
        .env("CONTATO_DATABASE__URL", &db.url)
        .env("CONTATO_SMTP__URL", smtp.url())
        .env("CONTATO_EMAIL__OUTBOX_DIR", db.scratch().join("mail"))
        .env("CONTATO_WORKER__POLL_MS", "50")
        .env("CONTATO_WORKER__LEASE_SECONDS", lease_seconds.to_string())
        .env("CONTATO_LOG__FILTER", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker starts")
}

/// Files `count` requests straight into the store (two e-mails each).
async fn queue_requests(app: &TestApp, count: usize) {
    for _ in 0..count {
        filed(app).await;
    }
}

async fn wait_until_all_jobs_are_done(app: &TestApp, jobs_expected: u64, timeout: Duration) {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let done = jobs::Entity::find()
            .filter(jobs::Column::State.eq(JobState::Done))
            .count(app.store.connection())
            .await
            .unwrap();
        if done == jobs_expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {done} of {jobs_expected} jobs done"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_worker_killed_mid_batch_loses_no_job() {
    let smtp = SmtpServer::start();
    smtp.slow_down(Duration::from_millis(150));
    let app = app_for_worker_processes().await;
    give_zone_one_an_address(&app).await;
    queue_requests(&app, 15).await;

    let mut first = worker_process(app.db(), &smtp, 2);
    smtp.wait_for(3, WAIT).await;
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let before_restart = smtp.received().len();
    assert!(before_restart < 30, "killed mid-way, with work left");
    let mut second = worker_process(app.db(), &smtp, 2);
    wait_until_all_jobs_are_done(&app, 30, Duration::from_secs(60)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    let ids: BTreeSet<String> = smtp.received().iter().map(message_id).collect();
    assert_eq!(
        ids.len(),
        30,
        "every job's message arrived (a job cut off mid-send may arrive twice, under one Message-ID)"
    );
}

#[tokio::test]
async fn two_workers_on_one_database_run_each_of_a_thousand_jobs_once() {
    let smtp = SmtpServer::start();
    let app = app_for_worker_processes().await;
    give_zone_one_an_address(&app).await;
    queue_requests(&app, 500).await;

    let mut workers = [
        worker_process(app.db(), &smtp, 120),
        worker_process(app.db(), &smtp, 120),
    ];
    wait_until_all_jobs_are_done(&app, 1000, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for worker in &mut workers {
        worker.kill().unwrap();
        worker.wait().unwrap();
    }

    let received = smtp.received();
    assert_eq!(received.len(), 1000, "exactly one message per job");
    let ids: BTreeSet<String> = received.iter().map(message_id).collect();
    assert_eq!(ids.len(), 1000);
    let by_worker: BTreeSet<String> = jobs::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|job| job.locked_by)
        .collect();
    assert!(by_worker.is_empty(), "finished jobs keep no lock");
}

#[tokio::test]
async fn staff_see_how_each_message_of_a_request_went() {
    let smtp = SmtpServer::start();
    let app = app_sending_to(&smtp.url()).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    app.submit(1).await;
    smtp.wait_for(2, WAIT).await;
    let inbox: Value = app
        .get_as(&token, "/api/v1/staff/requests")
        .await
        .json()
        .await
        .unwrap();
    let id = inbox["items"][0]["id"].as_i64().unwrap();

    let deadline = std::time::Instant::now() + WAIT;
    let detail = loop {
        let detail: Value = app
            .get_as(&token, &format!("/api/v1/staff/requests/{id}"))
            .await
            .json()
            .await
            .unwrap();
        if detail["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == "done")
        {
            break detail;
        }
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let deliveries = detail["deliveries"].as_array().unwrap();
    let kinds: Vec<&str> = deliveries
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["email.request_received", "email.new_request"]);
    assert!(
        deliveries.iter().all(|d| d["result"]
            .as_str()
            .unwrap()
            .starts_with("entregue ao servidor de e-mail: 250")),
        "{deliveries:?}"
    );
}

at_awkward_moments!(a_reminder_goes_out_for_the_current_meeting_only);
async fn a_reminder_goes_out_for_the_current_meeting_only(moment: Moment) {
    use contato::domain::command::Command;
    let smtp = SmtpServer::start();
    let app = spawn_app_at(
        moment.clock(),
        &[
            ("smtp.url", json!(smtp.url())),
            ("worker.poll_ms", json!(50)),
        ],
    )
    .await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = filed(&app).await;
    // Far enough ahead for both reminders (24 h and 1 h before) to be still to come.
    let slots = app.slots_from(chrono::Duration::hours(25), 2);
    change_as_clerk(&app, request.id, 1, Command::Triage, clerk.id).await;
    let schedule = Command::Schedule {
        start: slots[0].start,
        meet_link: Some(room_link()),
    };
    change_as_clerk(&app, request.id, 2, schedule, clerk.id).await;
    let reschedule = Command::Reschedule {
        start: slots[1].start,
        meet_link: None,
    };
    change_as_clerk(&app, request.id, 3, reschedule, clerk.id).await;
    let reminders = run_reminders_when_due(&app, &smtp).await;
    let sent: Vec<&str> = reminders
        .iter()
        .filter_map(|job| job.result.as_deref())
        .filter(|r| r.starts_with("entregue ao servidor de e-mail: 250"))
        .collect();
    let skipped = reminders
        .iter()
        .filter(|job| {
            job.result
                .as_deref()
                .unwrap_or_default()
                .starts_with("ignorado")
        })
        .count();
    assert_eq!(
        reminders.len(),
        4,
        "24 h and 1 h before, for each of the two slots"
    );
    assert_eq!((sent.len(), skipped), (2, 2), "{reminders:?}");
    let result_of = |kind: &'static str| {
        let db = app.store.connection();
        async move {
            jobs::Entity::find()
                .filter(jobs::Column::Kind.eq(kind))
                .one(db)
                .await
                .unwrap()
                .and_then(|job| job.result)
                .unwrap_or_default()
        }
    };
    assert!(
        result_of("email.scheduled").await.starts_with("ignorado"),
        "the first time was moved before its message went out: not announced"
    );
    assert!(
        result_of("email.rescheduled")
            .await
            .starts_with("entregue ao servidor de e-mail: 250")
    );
    let reminder_messages: Vec<Received> = smtp
        .received()
        .into_iter()
        .filter(|m| subject_of(m).starts_with("Lembrete"))
        .collect();
    let time = slots[1].local_start().format("%H:%M").to_string();
    assert!(
        reminder_messages
            .iter()
            .all(|m| subject_of(m).contains(&time)),
        "reminders name the new time"
    );
}

#[tokio::test]
async fn a_worker_stops_cleanly_on_sigterm() {
    let smtp = SmtpServer::start();
    let app = app_for_worker_processes().await;
    queue_requests(&app, 2).await;
    let mut worker = worker_process(app.db(), &smtp, 120);
    smtp.wait_for(2, WAIT).await;

    let signalled = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    let status = worker.wait().unwrap();

    assert!(signalled.success());
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn an_outcome_that_comes_after_the_job_was_claimed_again_is_not_recorded() {
    use contato::store::JobOutcome;
    let app = spawn_app_with(&[]).await;
    filed(&app).await;
    let start = app.now();
    let lease = chrono::Duration::seconds(10);

    // A slow run outlives its lease and the same worker process claims the job again.
    let first = app.store.claim_jobs("w1", 1, lease, start).await.unwrap();
    let later = start + chrono::Duration::seconds(11);
    let second = app.store.claim_jobs("w1", 1, lease, later).await.unwrap();
    assert_eq!(first[0].id, second[0].id);
    let late = JobOutcome::RetryAt {
        error: "timeout".into(),
        run_at: later,
    };
    let done = JobOutcome::Done {
        result: "250 ok".into(),
    };
    let stale = app
        .store
        .finish_job(first[0].id, "w1", first[0].attempts, &late, later)
        .await
        .unwrap();
    let current = app
        .store
        .finish_job(second[0].id, "w1", second[0].attempts, &done, later)
        .await
        .unwrap();

    assert!(!stale, "the first run's outcome comes too late");
    assert!(current);
    let job = jobs::Entity::find_by_id(first[0].id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.state, JobState::Done);
}

#[tokio::test]
async fn a_job_queued_days_before_it_was_due_survives_its_first_failure() {
    let port = SmtpServer::unused_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("smtp.url", json!(smtp_url))]).await;
    filed(&app).await;
    // As a reminder is: written when the meeting was scheduled, due days later.
    jobs::Entity::update_many()
        .col_expr(
            jobs::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(app.now() - chrono::Duration::days(3)),
        )
        .exec(app.store.connection())
        .await
        .unwrap();
    let worker = worker_sending_to(&app, &smtp_url);

    assert_eq!(worker.run_batch().await.unwrap(), 2);

    let confirmation = jobs::Entity::find()
        .filter(jobs::Column::Kind.eq("email.request_received"))
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (confirmation.state, confirmation.failing_since.is_some()),
        (JobState::Pending, true),
        "retried, counting from the first failure: {confirmation:?}"
    );
}

/// The Meet room a clerk pastes when scheduling by hand.
fn room_link() -> contato::domain::meet_link::MeetLink {
    contato::domain::meet_link::MeetLink::parse(
        "https://meet.google.com/abc-defg-hij",
        &["meet.google.com".into()],
    )
    .unwrap()
}

/// Moves request `id` from `version` by `command`, as clerk `clerk` of zone 1 would.
async fn change_as_clerk(
    app: &TestApp,
    id: i64,
    version: i32,
    command: contato::domain::command::Command,
    clerk: i32,
) {
    app.change(
        id,
        version,
        command,
        contato::domain::change::Actor::Staff(clerk),
    )
    .await
    .expect("the store answers")
    .expect("the change is allowed");
}

at_awkward_moments!(a_reminder_that_comes_after_the_meeting_began_is_not_sent);
async fn a_reminder_that_comes_after_the_meeting_began_is_not_sent(moment: Moment) {
    use contato::domain::command::Command;
    let smtp = SmtpServer::start();
    let app = spawn_app_at(moment.clock(), &[("smtp.url", json!(smtp.url()))]).await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = filed(&app).await;
    change_as_clerk(&app, request.id, 1, Command::Triage, clerk.id).await;
    let start = app.slots_from(chrono::Duration::hours(25), 1)[0].start;
    let schedule = Command::Schedule {
        start,
        meet_link: Some(room_link()),
    };
    change_as_clerk(&app, request.id, 2, schedule, clerk.id).await;

    // The worker was down: by the time it runs the reminders, the meeting has begun.
    app.clock.set(start + chrono::Duration::minutes(5));
    let reminders = run_due_jobs(&app, &smtp, "email.reminder").await;

    assert_eq!(reminders.len(), 2);
    assert!(
        reminders.iter().all(|job| job
            .result
            .as_deref()
            .is_some_and(|result| result.starts_with("ignorado"))),
        "{reminders:?}"
    );
    assert!(
        !smtp
            .received()
            .iter()
            .any(|m| subject_of(m).starts_with("Lembrete"))
    );
}

/// Moves the app's clock to the moment the last reminder is due, as if the days had passed,
/// runs a worker until nothing is due, and returns the reminder jobs as it left them.
async fn run_reminders_when_due(app: &TestApp, smtp: &SmtpServer) -> Vec<jobs::Model> {
    let last_due = jobs::Entity::find()
        .filter(jobs::Column::Kind.eq("email.reminder"))
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|job| job.run_at)
        .max()
        .expect("reminders were queued");
    app.clock.set(last_due + chrono::Duration::seconds(1));
    run_due_jobs(app, smtp, "email.reminder").await
}

/// Runs a worker until no job is due by the app's clock; returns the jobs of `kind`.
async fn run_due_jobs(app: &TestApp, smtp: &SmtpServer, kind: &str) -> Vec<jobs::Model> {
    let worker = worker_sending_to(app, &smtp.url());
    while worker.run_batch().await.unwrap() > 0 {}
    jobs::Entity::find()
        .filter(jobs::Column::Kind.eq(kind))
        .all(app.store.connection())
        .await
        .unwrap()
}

/// A worker of `app`'s settings sending to `smtp_url`, to run batches by hand.
fn worker_sending_to(app: &TestApp, smtp_url: &str) -> contato::jobs::Worker {
    contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(crate::helpers::settings_for(
            app.db(),
            &[("smtp.url", json!(smtp_url))],
        )),
        None,
        app.clock.clone(),
    )
    .unwrap()
}

/// A request of zone 1 filed straight into the store (its two e-mails queued).
async fn filed(app: &TestApp) -> contato::store::Submitted {
    app.store
        .submit(&new_request(1), &token_hash(), 0, app.now())
        .await
        .unwrap()
        .expect("the request is accepted")
}

/// Writes a pending job of `kind` with `payload` as it stands, due now.
async fn queue_by_hand(app: &TestApp, request_id: i64, kind: &str, payload: Value) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    jobs::ActiveModel {
        kind: Set(kind.into()),
        payload: Set(payload),
        dedupe_key: Set(format!("by-hand:{request_id}:{kind}")),
        request_id: Set(Some(request_id)),
        state: Set(JobState::Pending),
        attempts: Set(0),
        run_at: Set(app.now()),
        created_at: Set(app.now()),
        updated_at: Set(app.now()),
        ..Default::default()
    }
    .insert(app.store.connection())
    .await
    .unwrap();
}

/// Jobs written before payloads were typed (their data under "details") still run.
#[tokio::test]
async fn an_email_queued_by_the_first_version_still_goes_out() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(&[("smtp.url", json!(smtp.url()))]).await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let request = filed(&app).await;
    change_as_clerk(
        &app,
        request.id,
        1,
        contato::domain::command::Command::Triage,
        clerk.id,
    )
    .await;
    let slot = app.future_slots(1)[0];
    change_as_clerk(
        &app,
        request.id,
        2,
        contato::domain::command::Command::Schedule {
            start: slot.start,
            meet_link: Some(room_link()),
        },
        clerk.id,
    )
    .await;
    jobs::Entity::delete_many()
        .filter(jobs::Column::RequestId.eq(request.id))
        .exec(app.store.connection())
        .await
        .unwrap();
    let first_version = json!({
        "request_id": request.id,
        "version": 3,
        "details": {
            "start": slot.start, "end": slot.end,
            "meet_link": "https://meet.google.com/abc-defg-hij",
            "revision": 1, "previous_start": null
        }
    });
    queue_by_hand(&app, request.id, "email.scheduled", first_version).await;

    let jobs = run_due_jobs(&app, &smtp, "email.scheduled").await;

    assert_eq!(jobs[0].state, JobState::Done, "{:?}", jobs[0]);
    let sent = smtp.received();
    assert_eq!(sent.len(), 1);
    assert!(subject_of(&sent[0]).starts_with("Atendimento marcado"));
    assert!(text_of(&sent[0]).contains("https://meet.google.com/abc-defg-hij"));
}

/// A payload that does not read as its kind never runs with a field missing: the job is
/// dead at once, with the reason, for an admin to see.
#[tokio::test]
async fn a_job_whose_data_does_not_read_is_dead_with_the_reason() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(&[("smtp.url", json!(smtp.url()))]).await;
    let request = filed(&app).await;
    // No time, no revision: nothing to announce.
    let broken = json!({"request_id": request.id, "details": {"meet_link": null}});
    queue_by_hand(&app, request.id, "email.scheduled", broken).await;

    let jobs = run_due_jobs(&app, &smtp, "email.scheduled").await;

    assert_eq!((jobs[0].state, jobs[0].attempts), (JobState::Dead, 1));
    let error = jobs[0].last_error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with("tarefa ilegível (email.scheduled): missing field"),
        "{error}"
    );
    assert!(
        !smtp
            .received()
            .iter()
            .any(|m| subject_of(m).starts_with("Atendimento marcado"))
    );
}
