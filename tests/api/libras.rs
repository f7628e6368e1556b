//! Libras interpreters as a scheduling constraint: a request that needs one is offered and
//! scheduled only when an interpreter is free besides the clerk, that interpreter joins the
//! meeting (the `.ics` by e-mail, and as a guest of the Google event), and no interpreter is
//! ever booked twice at once, however the schedules race.

use chrono::{DateTime, Utc};
use contato::domain::{schedule::SERVICE_TIME_ZONE, staff::Role};
use entities::{offered_slots, requests};
use mail_parser::MimeHeaders;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    google::{court, inserts},
    helpers::{TestApp, assignment, create_clerk, password_hash, spawn_app, spawn_app_with},
    panel::signed_in,
    smtp::{Received, SmtpServer},
};

const LINK: &str = "https://meet.google.com/abc-defg-hij";

/// An interpreter of the court: an account of another zone (43), marked as interpreter.
async fn interpreter(app: &TestApp, email: &str, name: &str) -> i32 {
    use contato::domain::{email::Email, text::PersonName};
    let new = contato::store::NewStaff {
        email: Email::parse(email).unwrap(),
        name: PersonName::parse(name).unwrap(),
        assignment: assignment(Role::Clerk, &[43]),
        password_hash: password_hash(),
        interpreter: true,
    };
    app.store.create_staff(&new, app.now()).await.unwrap().id
}

/// A clerk of zone 1, signed in through the API: `(id, token)`.
async fn clerk(app: &TestApp, email: &str) -> (i32, String) {
    let id = create_clerk(&app.store, email, &[1]).await.id;
    (id, app.sign_in(email).await)
}

/// A request filed through the API.
struct Filed {
    id: i64,
    protocol: String,
    tracking: String,
}

/// Files a request of zone 1 that needs a Libras interpreter (routed to the zone's least
/// loaded clerk) and triages it as `token`.
async fn libras_request(app: &TestApp, token: &str) -> Filed {
    let mut body = crate::helpers::submission_json(1);
    body["accessibility"] = json!(["libras"]);
    let response = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    let protocol = receipt["protocol"].as_str().unwrap().to_string();
    let row = requests::Entity::find()
        .filter(requests::Column::Protocol.eq(&protocol))
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    let (status, _) = app
        .transition_as(token, row.id, &json!({"action": "triage", "version": 1}))
        .await;
    assert_eq!(status, 200);
    Filed {
        id: row.id,
        protocol,
        tracking: receipt["tracking_token"].as_str().unwrap().to_string(),
    }
}

async fn detail(app: &TestApp, token: &str, id: i64) -> Value {
    app.get_as(token, &format!("/api/v1/staff/requests/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// `action` on request `id` at its current version, with the fields of `body`.
async fn act(app: &TestApp, token: &str, id: i64, mut body: Value) -> (u16, Value) {
    body["version"] = detail(app, token, id).await["version"].clone();
    app.transition_as(token, id, &body).await
}

async fn schedule(app: &TestApp, token: &str, id: i64, start: DateTime<Utc>) -> (u16, Value) {
    act(
        app,
        token,
        id,
        json!({"action": "schedule", "start": start.to_rfc3339(), "meet_link": LINK}),
    )
    .await
}

/// The zone's slots listing for `query` (after `?`).
async fn listing(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .get_as(token, &format!("/api/v1/staff/zones/1/slots?{query}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn starts(listing: &Value) -> Vec<DateTime<Utc>> {
    listing["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| slot["start"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn day_of(start: DateTime<Utc>) -> chrono::NaiveDate {
    start.with_timezone(&SERVICE_TIME_ZONE).date_naive()
}

async fn interpreter_of(app: &TestApp, id: i64) -> Option<i32> {
    requests::Entity::find_by_id(id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap()
        .interpreter_id
}

#[tokio::test]
async fn one_interpreter_is_listed_offered_and_scheduled_only_where_free() {
    let app = spawn_app().await;
    let (ana, token) = clerk(&app, "ana@tre-pa.jus.br").await;
    let paula = interpreter(&app, "paula@tre-pa.jus.br", "Paula Intérprete").await;
    let first = libras_request(&app, &token).await;
    let (bia, _) = clerk(&app, "bia@tre-pa.jus.br").await;
    let second = libras_request(&app, &token).await;
    assert_eq!(detail(&app, &token, first.id).await["assignee_id"], ana);
    assert_eq!(detail(&app, &token, second.id).await["assignee_id"], bia);
    let [s1, s2] = app.future_slots(2)[..] else {
        panic!("two slots")
    };

    let (status, body) = schedule(&app, &token, first.id, s1.start).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["interpreter"],
        json!({"id": paula, "name": "Paula Intérprete"})
    );

    // Bia is free at s1; Paula, the only interpreter, is not.
    let day = day_of(s1.start);
    let plain = listing(&app, &token, &format!("from={day}&days=1&staff={bia}")).await;
    assert!(starts(&plain).contains(&s1.start));
    assert_eq!(plain["interpreter_needed"], false);
    let for_second = listing(
        &app,
        &token,
        &format!("from={day}&days=1&staff={bia}&request={}", second.id),
    )
    .await;
    assert_eq!(for_second["interpreter_needed"], true);
    assert_eq!(for_second["interpreter_unavailable"], false);
    assert!(for_second["interpreter_message"].is_null());
    assert!(!starts(&for_second).contains(&s1.start), "{for_second}");
    assert!(starts(&for_second).contains(&s2.start), "{for_second}");

    let (status, body) = schedule(&app, &token, second.id, s1.start).await;
    assert_eq!(status, 422, "{body}");
    let message = body["errors"]["start"][0].as_str().unwrap();
    assert!(message.contains("intérprete de Libras"), "{message}");

    let (status, body) = act(
        &app,
        &token,
        second.id,
        json!({"action": "offer", "slots": [s1.start.to_rfc3339(), s2.start.to_rfc3339()], "meet_link": LINK}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errors"]["slots"][0]
            .as_str()
            .unwrap()
            .contains("intérprete de Libras"),
        "{body}"
    );

    let (status, body) = schedule(&app, &token, second.id, s2.start).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["interpreter"]["id"], paula);
    assert_eq!(interpreter_of(&app, first.id).await, Some(paula));
    assert_eq!(interpreter_of(&app, second.id).await, Some(paula));
}

#[tokio::test]
async fn two_interpreters_take_two_meetings_at_the_same_time() {
    let app = spawn_app().await;
    let (_, token) = clerk(&app, "ana@tre-pa.jus.br").await;
    let paula = interpreter(&app, "paula@tre-pa.jus.br", "Paula Intérprete").await;
    let rui = interpreter(&app, "rui@tre-pa.jus.br", "Rui Intérprete").await;
    let first = libras_request(&app, &token).await;
    clerk(&app, "bia@tre-pa.jus.br").await;
    let second = libras_request(&app, &token).await;
    let slot = app.future_slots(1)[0];

    for request in [&first, &second] {
        let (status, body) = schedule(&app, &token, request.id, slot.start).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(interpreter_of(&app, first.id).await, Some(paula));
    assert_eq!(interpreter_of(&app, second.id).await, Some(rui));

    // A third meeting then has nobody to interpret it.
    clerk(&app, "caio@tre-pa.jus.br").await;
    let third = libras_request(&app, &token).await;
    let (status, body) = schedule(&app, &token, third.id, slot.start).await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn concurrent_schedules_never_book_one_interpreter_twice() {
    let app = spawn_app().await;
    let (_, token) = clerk(&app, "c0@tre-pa.jus.br").await;
    let paula = interpreter(&app, "paula@tre-pa.jus.br", "Paula Intérprete").await;
    // Each request with a clerk of its own, so only the interpreter can be double-booked.
    let mut filed = vec![libras_request(&app, &token).await];
    for n in 1..4 {
        clerk(&app, &format!("c{n}@tre-pa.jus.br")).await;
        filed.push(libras_request(&app, &token).await);
    }
    let slot = app.future_slots(1)[0];
    let body = |id: i64| {
        let app = &app;
        let token = &token;
        async move {
            app.transition_as(
                token,
                id,
                &json!({"action": "schedule", "version": 2, "start": slot.start.to_rfc3339(), "meet_link": LINK}),
            )
            .await
        }
    };
    let answers = futures::future::join_all(filed.iter().map(|request| body(request.id))).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|status| **status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 422).count(),
        3,
        "{statuses:?}"
    );
    let booked = requests::Entity::find()
        .filter(requests::Column::InterpreterId.eq(paula))
        .all(app.store.connection())
        .await
        .unwrap();
    assert_eq!(booked.len(), 1);
}

#[tokio::test]
async fn an_offer_holds_an_interpreter_at_each_time_and_the_pick_keeps_them() {
    let app = spawn_app().await;
    let (_, token) = clerk(&app, "ana@tre-pa.jus.br").await;
    let paula = interpreter(&app, "paula@tre-pa.jus.br", "Paula Intérprete").await;
    let rui = interpreter(&app, "rui@tre-pa.jus.br", "Rui Intérprete").await;
    let busy = libras_request(&app, &token).await;
    clerk(&app, "bia@tre-pa.jus.br").await;
    let offered = libras_request(&app, &token).await;
    clerk(&app, "caio@tre-pa.jus.br").await;
    let third = libras_request(&app, &token).await;
    let [s1, s2] = app.future_slots(2)[..] else {
        panic!("two slots")
    };
    // Paula interprets at s2; both are free at s1, where Rui has the lighter day.
    assert_eq!(schedule(&app, &token, busy.id, s2.start).await.0, 200);
    assert_eq!(interpreter_of(&app, busy.id).await, Some(paula));

    let (status, body) = act(
        &app,
        &token,
        offered.id,
        json!({"action": "offer", "slots": [s1.start.to_rfc3339(), s2.start.to_rfc3339()], "meet_link": LINK}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let held: Vec<(DateTime<Utc>, Option<i32>)> = offered_slots::Entity::find()
        .filter(offered_slots::Column::RequestId.eq(offered.id))
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.starts_at, row.interpreter_id))
        .collect();
    let mut held = held;
    held.sort();
    assert_eq!(held, [(s1.start, Some(rui)), (s2.start, Some(rui))]);
    assert_eq!(
        body["interpreter"],
        Value::Null,
        "nobody joins times only offered"
    );

    // Rui is held at s1 for the offer: another meeting then gets Paula.
    assert_eq!(schedule(&app, &token, third.id, s1.start).await.0, 200);
    assert_eq!(interpreter_of(&app, third.id).await, Some(paula));

    let picked = app
        .post_json(
            &format!(
                "/api/v1/requests/{}/pick?token={}",
                offered.protocol, offered.tracking
            ),
            &json!({"start": s1.start.to_rfc3339()}),
        )
        .await;
    assert_eq!(picked.status(), 200);
    assert_eq!(interpreter_of(&app, offered.id).await, Some(rui));
}

/// The messages `smtp` received for `address`, in order.
fn to(smtp: &SmtpServer, address: &str) -> Vec<Received> {
    smtp.received()
        .into_iter()
        .filter(|message| message.to.iter().any(|to| to.contains(address)))
        .collect()
}

fn subject(message: &Received) -> String {
    message.parsed().subject().unwrap_or_default().to_string()
}

fn ics(message: &Received) -> String {
    let parsed = message.parsed();
    let part = parsed
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
        })
        .unwrap_or_else(|| panic!("an .ics in \"{}\"", subject(message)));
    String::from_utf8(part.contents().to_vec()).unwrap()
}

#[tokio::test]
async fn the_interpreter_is_invited_moved_and_let_go_by_email_with_the_invitation() {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(0)),
        ("smtp.url", json!(smtp.url())),
    ])
    .await;
    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(crate::helpers::settings_for(
            app.db(),
            &[("smtp.url", json!(smtp.url()))],
        )),
        None,
        app.clock.clone(),
    )
    .unwrap();
    let run = || async { while worker.run_batch().await.unwrap() > 0 {} };
    let (_, token) = clerk(&app, "ana@tre-pa.jus.br").await;
    interpreter(&app, "paula@tre-pa.jus.br", "Paula Intérprete").await;
    interpreter(&app, "rui@tre-pa.jus.br", "Rui Intérprete").await;
    let request = libras_request(&app, &token).await;
    clerk(&app, "bia@tre-pa.jus.br").await;
    let other = libras_request(&app, &token).await;
    let slots = app.future_slots(40);
    let day_a = day_of(slots[0].start);
    let (a1, a2) = (slots[0], slots[1]);
    let b = *slots
        .iter()
        .find(|slot| day_of(slot.start) != day_a)
        .expect("a second day");
    // Paula interprets the other meeting on day B, then this one on day A.
    assert_eq!(schedule(&app, &token, other.id, b.start).await.0, 200);
    assert_eq!(schedule(&app, &token, request.id, a1.start).await.0, 200);
    run().await;
    let cpf = detail(&app, &token, request.id).await["cpf"]
        .as_str()
        .unwrap()
        .replace(['.', '-'], "");
    let invited: Vec<Received> = to(&smtp, "paula@tre-pa.jus.br")
        .into_iter()
        .filter(|message| subject(message).contains(&request.protocol))
        .collect();
    assert_eq!(invited.len(), 1);
    let message = &invited[0];
    assert_eq!(message.to.len(), 1, "to the interpreter alone");
    assert!(
        subject(message).starts_with("Convite para interpretação em Libras"),
        "{}",
        subject(message)
    );
    let text = message.parsed().body_text(0).unwrap().into_owned();
    let html = message.parsed().body_html(0).unwrap().into_owned();
    assert!(
        text.contains(LINK) && text.contains("Maria José de Souza"),
        "{text}"
    );
    let invitation = ics(message);
    for part in [&text, &html, &invitation] {
        assert!(
            !part.replace(['.', '-'], "").contains(&cpf),
            "no CPF to the interpreter"
        );
    }
    assert!(
        invitation.contains("METHOD:REQUEST")
            && invitation.contains("SEQUENCE:1")
            && invitation.contains(&format!("UID:request-{}@", request.id))
            && invitation.contains("mailto:paula@tre-pa.jus.br"),
        "{invitation}"
    );

    // A move where Paula is free keeps her: the updated invitation.
    let (status, _) = act(
        &app,
        &token,
        request.id,
        json!({"action": "reschedule", "start": a2.start.to_rfc3339()}),
    )
    .await;
    assert_eq!(status, 200);
    run().await;
    let moved = to(&smtp, "paula@tre-pa.jus.br");
    let moved = moved.last().unwrap();
    assert!(
        subject(moved).starts_with("Interpretação em Libras remarcada"),
        "{}",
        subject(moved)
    );
    assert!(ics(moved).contains("SEQUENCE:2"), "{}", ics(moved));

    // A move to day B, where Paula interprets the other meeting: Rui takes it, Paula is told.
    let (status, body) = act(
        &app,
        &token,
        request.id,
        json!({"action": "reschedule", "start": b.start.to_rfc3339()}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["interpreter"]["name"], "Rui Intérprete");
    run().await;
    let released = to(&smtp, "paula@tre-pa.jus.br");
    let released = released.last().unwrap();
    assert!(
        subject(released).starts_with("Interpretação em Libras dispensada"),
        "{}",
        subject(released)
    );
    let cancel = ics(released);
    assert!(
        cancel.contains("METHOD:CANCEL") && cancel.contains("SEQUENCE:3"),
        "{cancel}"
    );
    let rui = to(&smtp, "rui@tre-pa.jus.br");
    assert_eq!(rui.len(), 1);
    assert!(ics(&rui[0]).contains("SEQUENCE:3"));

    // A cancel tells Rui.
    let (status, _) = act(&app, &token, request.id, json!({"action": "cancel"})).await;
    assert_eq!(status, 200);
    run().await;
    let rui = to(&smtp, "rui@tre-pa.jus.br");
    assert_eq!(rui.len(), 2);
    assert!(subject(&rui[1]).starts_with("Interpretação em Libras cancelada"));
    let cancel = ics(&rui[1]);
    assert!(
        cancel.contains("METHOD:CANCEL") && cancel.contains("SEQUENCE:4"),
        "{cancel}"
    );
}

#[tokio::test]
async fn the_interpreter_is_a_guest_of_the_google_event_as_it_is_made_and_moved() {
    let court = court().await;
    let app = &court.app;
    let rui = interpreter(app, "rui@tre-pa.jus.br", "Rui Intérprete").await;
    let request = libras_request(app, &court.token).await;
    let [s1, s2] = app.future_slots(2)[..] else {
        panic!("two slots")
    };
    let (status, body) = court
        .transition(
            request.id,
            json!({"action": "schedule", "version": 2, "start": s1.start.to_rfc3339()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["interpreter"]["id"], rui);
    let invited = court
        .message_starting("Convite para interpretação em Libras")
        .await;
    let link = court.google.events()[0].1["hangoutLink"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        invited.parsed().body_text(0).unwrap().contains(&link),
        "the interpreter gets the event's link"
    );
    let insert = &inserts(&court.google)[0];
    assert_eq!(
        insert.body["attendees"],
        json!([{"email": "rui@tre-pa.jus.br"}]),
        "{}",
        insert.body
    );

    let (status, _) = court
        .transition(
            request.id,
            json!({"action": "reschedule", "version": 3, "start": s2.start.to_rfc3339()}),
        )
        .await;
    assert_eq!(status, 200);
    court
        .message_starting("Interpretação em Libras remarcada")
        .await;
    let patch = court
        .google
        .calls()
        .into_iter()
        .find(|call| call.method == "PATCH")
        .expect("the event moved");
    assert_eq!(
        patch.body["attendees"],
        json!([{"email": "rui@tre-pa.jus.br"}])
    );
}

#[tokio::test]
async fn the_clerk_is_told_when_no_interpreter_is_free_or_there_is_none() {
    let app = spawn_app().await;
    let (ana, token) = clerk(&app, "ana@tre-pa.jus.br").await;
    let request = libras_request(&app, &token).await;
    let slot = app.future_slots(1)[0];
    let day = day_of(slot.start);
    let query = format!("from={day}&days=1&request={}", request.id);

    // No interpreter in the court: said in the API, on the panel, and by a refusal.
    let none = listing(&app, &token, &query).await;
    assert_eq!(none["slots"], json!([]));
    assert_eq!(none["interpreter_unavailable"], true);
    assert!(
        none["interpreter_message"]
            .as_str()
            .unwrap()
            .starts_with("Não há intérprete de Libras cadastrado(a)"),
        "{none}"
    );
    let panel = signed_in(&app, "ana@tre-pa.jus.br").await;
    let page = panel
        .get(app.url(&format!("/painel/solicitacoes/{}", request.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Não há intérprete de Libras cadastrado(a)"),
        "the panel says why there are no times"
    );
    assert!(!page.contains("Nenhum horário livre nos próximos dias"));
    let (status, body) = schedule(&app, &token, request.id, slot.start).await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["start"][0]
            .as_str()
            .unwrap()
            .starts_with("Não há intérprete de Libras"),
        "{body}"
    );

    // An interpreter whose whole day is held elsewhere (as another offer holds it).
    let paula = interpreter(&app, "paula@tre-pa.jus.br", "Paula Intérprete").await;
    let elsewhere = libras_request(&app, &token).await;
    offered_slots::ActiveModel {
        request_id: Set(elsewhere.id),
        clerk_id: Set(None),
        interpreter_id: Set(Some(paula)),
        starts_at: Set(slot.start - chrono::Duration::hours(12)),
        ends_at: Set(slot.start + chrono::Duration::hours(12)),
        ..Default::default()
    }
    .insert(app.store.connection())
    .await
    .unwrap();
    let busy = listing(&app, &token, &format!("{query}&staff={ana}")).await;
    assert_eq!(busy["slots"], json!([]));
    assert_eq!(busy["interpreter_unavailable"], true);
    assert!(
        busy["interpreter_message"]
            .as_str()
            .unwrap()
            .starts_with("Nenhum(a) intérprete de Libras está livre nos dias listados"),
        "{busy}"
    );
    let without = listing(&app, &token, &format!("from={day}&days=1&staff={ana}")).await;
    assert!(
        !starts(&without).is_empty(),
        "the clerk alone has free times that day"
    );

    // Once scheduled, the page names the interpreter.
    let next_day = app
        .future_slots(40)
        .into_iter()
        .find(|later| day_of(later.start) > day)
        .unwrap();
    assert_eq!(
        schedule(&app, &token, request.id, next_day.start).await.0,
        200
    );
    let page = panel
        .get(app.url(&format!("/painel/solicitacoes/{}", request.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Intérprete de Libras: Paula Intérprete"));
}
