//! Same-day service: a zone's counter, its queue served in preferential order, calls that
//! never take one person twice, the close that turns a waiting ticket into a request, and
//! duty days that open a weekend.

use chrono::{DateTime, Duration, Utc};
use contato::clock::Clock;
use serde_json::{Value, json};

use crate::{
    helpers::{
        TestApp, create_clerk, create_staff, row_counts, settings_for, spawn_app_at, unique_cpf,
    },
    smtp::SmtpServer,
};

/// A Thursday at 09:00 in Belém: zone 1's counter (08:30–11:30) is open.
const THURSDAY_MORNING: &str = "2026-12-03T09:00:00-03:00";

fn at(moment: &str) -> Clock {
    let at: DateTime<Utc> = moment.parse().expect("a moment");
    Clock::starting_at(at)
}

struct Counter {
    app: TestApp,
    /// A clerk of zone 1.
    token: String,
}

async fn counter_at(moment: &str, overrides: &[(&str, Value)]) -> Counter {
    let mut settings = vec![("limits.submissions_per_minute", json!(0))];
    settings.extend(overrides.iter().cloned());
    let app = spawn_app_at(at(moment), &settings).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    Counter { app, token }
}

/// Someone not seen before.
fn person(name: &str, preferential: Option<&str>) -> Value {
    let cpf = unique_cpf();
    json!({
        "name": name,
        "cpf": cpf,
        "email": format!("{cpf}@example.com"),
        "subject": "Segunda via do título",
        "preferential": preferential,
        "consent": true,
    })
}

struct Ticket {
    id: i64,
    token: String,
}

const ROOM: &str = "https://meet.google.com/abc-defg-hij";

impl Counter {
    async fn join(&self, zone: i32, body: &Value) -> (u16, Value) {
        let response = self
            .app
            .post_json(&format!("/api/v1/zones/{zone}/queue"), body)
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn joined(&self, name: &str, preferential: Option<&str>) -> Ticket {
        let (status, body) = self.join(1, &person(name, preferential)).await;
        assert_eq!(status, 201, "{body}");
        Ticket {
            id: body["id"].as_i64().expect("an id"),
            token: body["token"].as_str().expect("a token").to_string(),
        }
    }

    async fn place(&self, ticket: &Ticket) -> Value {
        let response = self
            .app
            .http
            .get(self.app.url(&format!(
                "/api/v1/queue/{}?token={}",
                ticket.id, ticket.token
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn leave(&self, ticket: &Ticket) -> u16 {
        self.app
            .http
            .post(self.app.url(&format!(
                "/api/v1/queue/{}/leave?token={}",
                ticket.id, ticket.token
            )))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// The zone's counter, as the public API answers it.
    async fn counter_state(&self, zone: i32) -> Value {
        self.app
            .http
            .get(self.app.url(&format!("/api/v1/zones/{zone}/queue")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn call(&self, token: &str) -> (u16, Value) {
        let response = self
            .app
            .post_as(
                token,
                "/api/v1/staff/zones/1/queue/call",
                &json!({"meet_link": ROOM}),
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn finish(&self, id: i64, outcome: &str) -> (u16, Value) {
        let response = self
            .app
            .post_as(
                &self.token,
                &format!("/api/v1/staff/queue/{id}/finish"),
                &json!({ "outcome": outcome }),
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn worker(&self, overrides: &[(&str, Value)]) -> contato::jobs::Worker {
        contato::jobs::Worker::new(
            self.app.store.clone(),
            std::sync::Arc::new(settings_for(self.app.db(), overrides)),
            None,
            self.app.clock.clone(),
        )
        .unwrap()
    }
}

#[tokio::test]
async fn three_people_are_served_85_plus_then_65_plus_then_everyone_else() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    let general = counter.joined("Geraldo Souza", None).await;
    counter.app.clock.advance(Duration::minutes(1));
    let sixty_five = counter.joined("Iracema Lima", Some("idoso")).await;
    counter.app.clock.advance(Duration::minutes(1));
    let eighty_five = counter.joined("Benedita Costa", Some("idoso80")).await;

    let positions = [
        counter.place(&eighty_five).await["position"].clone(),
        counter.place(&sixty_five).await["position"].clone(),
        counter.place(&general).await["position"].clone(),
    ];
    assert_eq!(positions, [json!(1), json!(2), json!(3)]);
    let listed = counter
        .app
        .get_as(&counter.token, "/api/v1/staff/zones/1/queue")
        .await
        .json::<Value>()
        .await
        .unwrap();
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Benedita Costa", "Iracema Lima", "Geraldo Souza"]);
    assert_eq!(listed["items"][0]["preferential"], "idoso80");

    let mut called = Vec::new();
    for _ in 0..3 {
        let (status, ticket) = counter.call(&counter.token).await;
        assert_eq!(status, 200, "{ticket}");
        assert_eq!(ticket["status"], "called");
        assert_eq!(ticket["meet_link"], ROOM);
        called.push(ticket["id"].as_i64().unwrap());
    }
    assert_eq!(called, [eighty_five.id, sixty_five.id, general.id]);
    let (status, body) = counter.call(&counter.token).await;
    assert_eq!(status, 404, "nobody waits: {body}");

    let seen = counter.place(&eighty_five).await;
    assert_eq!(seen["status"], "called");
    assert_eq!(seen["meet_link"], ROOM);
    assert_eq!(seen["join_minutes_left"], 5);
    assert!(seen.get("position").is_none());
}

#[tokio::test]
async fn two_clerks_calling_at_once_call_two_different_people() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    create_clerk(&counter.app.store, "bia@tre-pa.jus.br", &[1]).await;
    let other = counter.app.sign_in("bia@tre-pa.jus.br").await;
    let mut waiting = Vec::new();
    for name in ["Ana", "Bia", "Caio", "Davi", "Eva", "Fábio"] {
        waiting.push(counter.joined(&format!("{name} Souza"), None).await.id);
    }
    // Eight calls at once, four from each clerk, for six people.
    let calls = (0..8).map(|n| {
        let token = if n % 2 == 0 { &counter.token } else { &other };
        counter.call(token)
    });
    let answers = futures::future::join_all(calls).await;
    let mut called: Vec<i64> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, ticket)| ticket["id"].as_i64().unwrap())
        .collect();
    let nobody = answers.iter().filter(|(status, _)| *status == 404).count();
    assert_eq!(
        answers.len(),
        called.len() + nobody,
        "only 200 or 404: {answers:?}"
    );
    called.sort_unstable();
    let before = called.len();
    called.dedup();
    assert_eq!(called.len(), before, "nobody is called twice");
    assert_eq!(called, waiting, "everyone is called once");
    assert_eq!(nobody, 2);
}

#[tokio::test]
async fn a_person_who_left_is_never_called() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    let first = counter.joined("Primeira Pessoa", Some("idoso80")).await;
    let second = counter.joined("Segunda Pessoa", None).await;
    for _ in 0..2 {
        assert_eq!(
            counter.leave(&first).await,
            200,
            "leaving twice is no error"
        );
    }
    assert_eq!(counter.place(&first).await["status"], "left");
    assert_eq!(counter.place(&second).await["position"], 1);
    let (status, ticket) = counter.call(&counter.token).await;
    assert_eq!(status, 200);
    assert_eq!(ticket["id"], second.id);
    // The second leaves too, once called: nobody is left to call.
    assert_eq!(counter.leave(&second).await, 200);
    assert_eq!(counter.call(&counter.token).await.0, 404);

    // A wrong token is not found, and changes nothing.
    let wrong = counter
        .app
        .http
        .get(counter.app.url(&format!(
            "/api/v1/queue/{}?token={}",
            second.id, first.token
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
}

#[tokio::test]
async fn joining_on_a_holiday_or_outside_hours_is_refused_with_the_next_opening() {
    let cases = [
        // Dia da Justiça (a Tuesday): next opening Wednesday.
        (
            "2026-12-08T09:00:00-03:00",
            "quarta-feira, 9 de dezembro de 2026, às 08:30",
            "2026-12-09T11:30:00Z",
        ),
        // Thursday after closing: Friday.
        (
            "2026-12-03T11:30:00-03:00",
            "sexta-feira, 4 de dezembro de 2026, às 08:30",
            "2026-12-04T11:30:00Z",
        ),
        // Saturday: Monday.
        (
            "2026-12-05T09:00:00-03:00",
            "segunda-feira, 7 de dezembro de 2026, às 08:30",
            "2026-12-07T11:30:00Z",
        ),
    ];
    for (now, next, opens_utc) in cases {
        let counter = counter_at(now, &[]).await;
        let before = row_counts(&counter.app.store).await;
        let (status, body) = counter.join(1, &person("Maria José", None)).await;
        assert_eq!(status, 409, "{now}: {body}");
        assert_eq!(body["code"], "counter_closed");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(next), "{now}: {error}");
        assert_eq!(
            row_counts(&counter.app.store).await,
            before,
            "nothing stored"
        );
        let state = counter.counter_state(1).await;
        assert_eq!(state["open"], false);
        assert_eq!(state["waiting"], 0);
        let opens: DateTime<Utc> = state["opens_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(opens, opens_utc.parse::<DateTime<Utc>>().unwrap(), "{now}");
    }
}

#[tokio::test]
async fn the_same_person_waits_once_per_zone_and_bad_input_is_refused_per_field() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    let maria = person("Maria José", None);
    assert_eq!(counter.join(1, &maria).await.0, 201);
    let before = row_counts(&counter.app.store).await;

    let mut same_cpf = person("Maria José", None);
    same_cpf["cpf"] = maria["cpf"].clone();
    let mut same_email = person("Maria José", None);
    same_email["email"] = json!(maria["email"].as_str().unwrap().to_uppercase());
    for again in [&maria, &same_cpf, &same_email] {
        let (status, body) = counter.join(1, again).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["code"], "already_in_queue");
    }
    let (status, body) = counter
        .join(
            1,
            &json!({"name": "", "cpf": "123", "email": "x", "subject": 5, "consent": false}),
        )
        .await;
    assert_eq!(status, 422);
    for field in ["name", "cpf", "email", "subject", "consent"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert_eq!(counter.join(999, &person("Maria José", None)).await.0, 404);
    assert_eq!(
        row_counts(&counter.app.store).await,
        before,
        "nothing stored"
    );

    // Another zone's queue is another queue.
    let (status, body) = counter.join(2, &maria).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_missed_call_waits_for_the_grace_time_and_the_called_person_gets_the_link() {
    let smtp = SmtpServer::start();
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    let ticket = counter.joined("Maria José", None).await;
    let (status, _) = counter.finish(ticket.id, "attended").await;
    assert_eq!(status, 409, "not called yet");
    assert_eq!(counter.call(&counter.token).await.0, 200);
    let worker = counter.worker(&[("smtp.url", json!(smtp.url()))]);
    while worker.run_batch().await.unwrap() > 0 {}

    let (status, body) = counter.finish(ticket.id, "missed").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "grace_not_over");
    let (status, body) = counter.finish(ticket.id, "gone").await;
    assert_eq!(status, 422, "{body}");
    counter.app.clock.advance(Duration::minutes(5));
    assert_eq!(counter.place(&ticket).await["join_minutes_left"], 0);
    let (status, body) = counter.finish(ticket.id, "missed").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "missed");
    assert_eq!(counter.finish(ticket.id, "attended").await.0, 409);

    // Another zone's clerk does not see it.
    create_clerk(&counter.app.store, "caio@tre-pa.jus.br", &[2]).await;
    let other = counter.app.sign_in("caio@tre-pa.jus.br").await;
    let response = counter
        .app
        .post_as(
            &other,
            &format!("/api/v1/staff/queue/{}/finish", ticket.id),
            &json!({"outcome": "attended"}),
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        counter
            .app
            .get_as(&other, "/api/v1/staff/zones/1/queue")
            .await
            .status(),
        404
    );

    let mails = smtp.received();
    let called = mails
        .iter()
        .find(|mail| {
            mail.parsed()
                .subject()
                .unwrap_or_default()
                .contains("Chegou a sua vez")
        })
        .expect("the call is e-mailed");
    let text = called.parsed().body_text(0).unwrap_or_default().to_string();
    assert!(text.contains(ROOM), "{text}");
    assert!(
        text.contains(&format!("/fila/{}?token={}", ticket.id, ticket.token)),
        "the ticket's own link: {text}"
    );
}

#[tokio::test]
async fn by_hand_a_call_needs_a_room_when_the_zone_has_none() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    counter.joined("Maria José", None).await;
    let before = row_counts(&counter.app.store).await;
    let response = counter
        .app
        .http
        .post(counter.app.url("/api/v1/staff/zones/1/queue/call"))
        .bearer_auth(&counter.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"]["meet_link"].is_array(), "{body}");
    let response = counter
        .app
        .post_as(
            &counter.token,
            "/api/v1/staff/zones/1/queue/call",
            &json!({"meet_link": "https://zoom.us/j/1"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(row_counts(&counter.app.store).await, before);
}

#[tokio::test]
async fn the_close_turns_a_waiting_ticket_into_a_request_when_the_person_asks() {
    let smtp = SmtpServer::start();
    let counter = counter_at("2026-12-03T11:20:00-03:00", &[]).await;
    let ticket = counter.joined("Maria José", Some("gestante")).await;
    let called = counter.joined("João Batista", None).await;
    let worker = counter.worker(&[("smtp.url", json!(smtp.url()))]);
    // João is called before the close; Maria still waits at 11:30.
    let (_, first) = counter.call(&counter.token).await;
    assert_eq!(first["id"], ticket.id, "the pregnant woman first");
    assert_eq!(counter.finish(ticket.id, "attended").await.0, 200);
    let other = counter.joined("Raimunda Nonata", None).await;
    assert_eq!(counter.call(&counter.token).await.1["id"], called.id);
    let convert = |ticket: &Ticket, body: Value| {
        let url = counter.app.url(&format!(
            "/api/v1/queue/{}/request?token={}",
            ticket.id, ticket.token
        ));
        let http = counter.app.http.clone();
        async move {
            let response = http.post(url).json(&body).send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, body) = convert(&other, json!({})).await;
    assert_eq!(status, 409, "still waiting: {body}");
    assert_eq!(body["code"], "not_closed");

    counter.app.clock.advance(Duration::minutes(11));
    while worker.run_batch().await.unwrap() > 0 {}
    assert_eq!(counter.place(&other).await["status"], "closed");
    assert_eq!(
        counter.place(&called).await["status"],
        "called",
        "a call goes on"
    );
    let told = smtp.received().into_iter().any(|mail| {
        mail.parsed()
            .subject()
            .unwrap_or_default()
            .contains("terminou antes da sua vez")
            && mail.parsed().body_text(0).is_some_and(|text| {
                text.contains(&format!("/fila/{}?token={}", other.id, other.token))
            })
    });
    assert!(told, "the person still waiting is told");

    let before = row_counts(&counter.app.store).await;
    let (status, body) = convert(&other, json!({})).await;
    assert_eq!(status, 422, "a phone is needed: {body}");
    assert!(body["errors"]["phone"].is_array(), "{body}");
    assert_eq!(row_counts(&counter.app.store).await, before);
    let (status, receipt) = convert(&other, json!({"phone": "(91) 98765-4321"})).await;
    assert_eq!(status, 201, "{receipt}");
    let protocol = receipt["protocol"].as_str().unwrap().to_string();
    let (status, body) = convert(&other, json!({"phone": "(91) 98765-4321"})).await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "already_converted");
    assert_eq!(
        counter.place(&other).await["request_protocol"],
        protocol.as_str()
    );

    // The request is the zone's like any other, with the data given in the queue.
    let tracked: Value = counter
        .app
        .http
        .get(counter.app.url(&format!(
            "/api/v1/requests/{protocol}?token={}",
            receipt["tracking_token"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracked["status"], "submitted");
    assert_eq!(tracked["subject"], "Segunda via do título");
    let inbox: Value = counter
        .app
        .get_as(
            &counter.token,
            &format!("/api/v1/staff/requests?q={protocol}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"][0]["protocol"], protocol.as_str(), "{inbox}");
    let id = inbox["items"][0]["id"].as_i64().unwrap();
    let detail: Value = counter
        .app
        .get_as(&counter.token, &format!("/api/v1/staff/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["from_queue"], true,
        "marked as coming from the queue"
    );
    assert_eq!(detail["role"], "interessado");
    assert_eq!(detail["phone"], "(91) 98765-4321");
    let clerk = crate::panel::signed_in(&counter.app, "ana@tre-pa.jus.br").await;
    let page = clerk
        .get(counter.app.url(&format!("/painel/solicitacoes/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Fila do atendimento imediato"),
        "the clerk's page says where it came from"
    );
}

#[tokio::test]
async fn a_duty_day_opens_a_weekend_day_with_its_own_hours() {
    let counter = counter_at("2026-12-04T15:00:00-03:00", &[]).await;
    create_staff(
        &counter.app.store,
        "chefe@tre-pa.jus.br",
        contato::domain::staff::Role::Admin,
        &[],
    )
    .await;
    let admin = counter.app.sign_in("chefe@tre-pa.jus.br").await;
    let path = "/api/v1/admin/zones/1/duty-days";
    let bad = counter
        .app
        .post_as(
            &admin,
            path,
            &json!({"date": "2026-12-05", "opens": "17:00", "closes": "08:00"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let past = counter
        .app
        .post_as(
            &admin,
            path,
            &json!({"date": "2026-12-01", "opens": "08:00", "closes": "12:00"}),
        )
        .await;
    assert_eq!(past.status(), 422);
    assert_eq!(
        counter
            .app
            .post_as(
                &counter.token,
                path,
                &json!({"date": "2026-12-05", "opens": "08:00", "closes": "12:00"})
            )
            .await
            .status(),
        403,
        "clerks do not open zones"
    );
    let added = counter
        .app
        .post_as(
            &admin,
            path,
            &json!({"date": "2026-12-05", "opens": "08:00", "closes": "12:00", "note": "Plantão eleitoral"}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let again = counter
        .app
        .post_as(
            &admin,
            path,
            &json!({"date": "2026-12-05", "opens": "09:00", "closes": "10:00"}),
        )
        .await;
    assert_eq!(again.status(), 422, "one per date");
    let listed: Value = counter.app.get_as(&admin, path).await.json().await.unwrap();
    assert_eq!(
        listed,
        json!([{"date": "2026-12-05", "opens": "08:00", "closes": "12:00", "note": "Plantão eleitoral"}])
    );

    let state = counter.counter_state(1).await;
    assert_eq!(state["open"], false);
    assert_eq!(state["opens_at"], "2026-12-05T11:00:00Z", "Saturday 08:00");

    counter
        .app
        .clock
        .set("2026-12-05T11:30:00-03:00".parse().unwrap());
    let (status, body) = counter.join(1, &person("Maria José", None)).await;
    assert_eq!(status, 201, "open on the duty day until 12:00: {body}");
    counter
        .app
        .clock
        .set("2026-12-05T12:00:00-03:00".parse().unwrap());
    let (status, body) = counter.join(1, &person("João Batista", None)).await;
    assert_eq!(status, 409, "{body}");

    let admin = counter.app.sign_in("chefe@tre-pa.jus.br").await;
    let removed = counter
        .app
        .http
        .delete(counter.app.url(&format!("{path}/2026-12-05")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    let listed: Value = counter.app.get_as(&admin, path).await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn with_the_google_provider_a_call_gets_a_meet_event_through_the_outbox() {
    let court = crate::google::court_at(at(THURSDAY_MORNING), true).await;
    let app = &court.app;
    let joined: Value = app
        .post_json("/api/v1/zones/1/queue", &person("Maria José", None))
        .await
        .json()
        .await
        .unwrap();
    let (id, token) = (
        joined["id"].as_i64().unwrap(),
        joined["token"].as_str().unwrap(),
    );
    let called: Value = app
        .http
        .post(app.url("/api/v1/staff/zones/1/queue/call"))
        .bearer_auth(&court.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(called["id"], id);
    let mut link = Value::Null;
    for _ in 0..100 {
        let place: Value = app
            .http
            .get(app.url(&format!("/api/v1/queue/{id}?token={token}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if place["meet_link"].is_string() {
            link = place["meet_link"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let link = link
        .as_str()
        .expect("the worker made the meeting")
        .to_string();
    assert!(link.starts_with("https://meet.google.com/"), "{link}");
    let event = contato::calendar::queue_event_id("localhost", id);
    assert!(
        court
            .google
            .events()
            .iter()
            .any(|((calendar, id), _)| calendar == "primary" && *id == event),
        "the event is in the zone's calendar"
    );
    for _ in 0..100 {
        if court.smtp.received().iter().any(|mail| {
            mail.parsed()
                .body_text(0)
                .is_some_and(|text| text.contains(&link))
        }) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the e-mail with the link was not sent");
}

/// A second `serve` on the app's database, as another process of the same service would be:
/// its address, and the sender that stops it.
async fn second_server(app: &TestApp) -> (String, tokio::sync::oneshot::Sender<()>) {
    let application = contato::startup::Application::build(
        settings_for(app.db(), &[("limits.submissions_per_minute", json!(0))]),
        app.clock.clone(),
    )
    .await
    .expect("a second server starts on the same database");
    let address = format!("http://{}", application.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    (address, stop)
}

#[tokio::test]
async fn two_servers_on_one_database_never_call_one_person_twice() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    let (other_server, _stop) = second_server(&counter.app).await;
    let mut waiting = Vec::new();
    for name in ["Ana", "Bia", "Caio", "Davi", "Eva", "Fábio"] {
        waiting.push(counter.joined(&format!("{name} Lima"), None).await.id);
    }
    let calls = (0..10).map(|n| {
        let base = if n % 2 == 0 {
            counter.app.address.clone()
        } else {
            other_server.clone()
        };
        let http = counter.app.http.clone();
        let token = counter.token.clone();
        async move {
            let response = http
                .post(format!("{base}/api/v1/staff/zones/1/queue/call"))
                .bearer_auth(token)
                .json(&json!({"meet_link": ROOM}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    });
    let answers = futures::future::join_all(calls).await;
    let mut called: Vec<i64> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, ticket)| ticket["id"].as_i64().unwrap())
        .collect();
    called.sort_unstable();
    assert_eq!(called, waiting, "each person called once: {answers:?}");
    assert_eq!(
        answers.iter().filter(|(status, _)| *status == 404).count(),
        4,
        "{answers:?}"
    );
}

#[tokio::test]
async fn a_call_nobody_ended_does_not_keep_its_person_out_of_the_next_days_queue() {
    let counter = counter_at(THURSDAY_MORNING, &[]).await;
    let maria = person("Maria José", None);
    assert_eq!(counter.join(1, &maria).await.0, 201);
    assert_eq!(counter.call(&counter.token).await.0, 200);
    assert_eq!(counter.join(1, &maria).await.1["code"], "already_in_queue");

    counter
        .app
        .clock
        .set("2026-12-04T09:00:00-03:00".parse().unwrap());
    let (status, body) = counter.join(1, &maria).await;
    assert_eq!(status, 201, "a new day, a new queue: {body}");
    let token = counter.app.sign_in("ana@tre-pa.jus.br").await;
    let listed: Value = counter
        .app
        .get_as(&token, "/api/v1/staff/zones/1/queue")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "yesterday's call is not today's queue: {listed}"
    );
}
