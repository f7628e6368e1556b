//! Offered times: a clerk offers a few free times, they are held for the requester, the
//! first pick schedules, and an offer nobody picks runs out back to the clerk.

use chrono::{DateTime, Duration, Utc};
use entities::{jobs, sea_orm_active_enums::JobState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, create_clerk, row_counts, spawn_app_with},
    smtp::SmtpServer,
};

struct Desk {
    app: TestApp,
    /// A staff session: signed in again once time is moved past its life.
    token: String,
}

async fn desk() -> Desk {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    Desk { app, token }
}

/// A request filed and triaged: its id, protocol and tracking token.
struct Filed {
    id: i64,
    protocol: String,
    tracking: String,
}

/// A request filed through the API and triaged by the staff member signed in as `token`.
async fn file_and_triage(app: &TestApp, token: &str) -> Filed {
    let (protocol, tracking) = app.submit(1).await;
    let inbox: Value = app
        .get_as(token, &format!("/api/v1/staff/requests?q={protocol}"))
        .await
        .json()
        .await
        .unwrap();
    let id = inbox["items"][0]["id"].as_i64().unwrap();
    let (status, _) = app
        .transition_as(token, id, &json!({"action": "triage", "version": 1}))
        .await;
    assert_eq!(status, 200);
    Filed {
        id,
        protocol,
        tracking,
    }
}

impl Desk {
    async fn triaged(&self) -> Filed {
        file_and_triage(&self.app, &self.token).await
    }

    async fn transition(&self, id: i64, body: Value) -> (u16, Value) {
        self.app.transition_as(&self.token, id, &body).await
    }

    async fn offer(&self, request: &Filed, starts: &[DateTime<Utc>]) -> (u16, Value) {
        let version = self.detail(request.id).await["version"].clone();
        let slots: Vec<String> = starts.iter().map(|start| start.to_rfc3339()).collect();
        self.transition(
            request.id,
            json!({"action": "offer", "version": version, "slots": slots, "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await
    }

    async fn detail(&self, id: i64) -> Value {
        self.app
            .get_as(&self.token, &format!("/api/v1/staff/requests/{id}"))
            .await
            .json()
            .await
            .unwrap()
    }

    async fn tracked(&self, request: &Filed) -> Value {
        self.app
            .http
            .get(self.app.url(&format!(
                "/api/v1/requests/{}?token={}",
                request.protocol, request.tracking
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn pick(&self, request: &Filed, start: DateTime<Utc>) -> (u16, Value) {
        let response = self
            .app
            .post_json(
                &format!(
                    "/api/v1/requests/{}/pick?token={}",
                    request.protocol, request.tracking
                ),
                &json!({"start": start.to_rfc3339()}),
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The zone's free starts over the days the `starts` fall in.
    async fn free(&self, starts: &[DateTime<Utc>]) -> Vec<DateTime<Utc>> {
        let first = starts.iter().min().unwrap();
        let from = first
            .with_timezone(&contato::domain::schedule::SERVICE_TIME_ZONE)
            .date_naive();
        let body: Value = self
            .app
            .get_as(
                &self.token,
                &format!("/api/v1/staff/zones/1/slots?from={from}&days=14"),
            )
            .await
            .json()
            .await
            .unwrap();
        body["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|slot| slot["start"].as_str().unwrap().parse().unwrap())
            .collect()
    }
}

fn starts(app: &TestApp, count: usize) -> Vec<DateTime<Utc>> {
    app.future_slots(count)
        .iter()
        .map(|slot| slot.start)
        .collect()
}

async fn jobs_of(app: &TestApp, id: i64, kind: &str) -> Vec<jobs::Model> {
    jobs::Entity::find()
        .filter(jobs::Column::RequestId.eq(id))
        .filter(jobs::Column::Kind.eq(kind))
        .all(app.store.connection())
        .await
        .unwrap()
}

#[tokio::test]
async fn offered_times_are_held_from_every_other_request() {
    let desk = desk().await;
    let request = desk.triaged().await;
    let other = desk.triaged().await;
    let offered = starts(&desk.app, 3);
    let asked_at = desk.app.now();

    let (status, detail) = desk.offer(&request, &offered).await;

    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["status"], "offered");
    assert_eq!(detail["offer"]["slots"].as_array().unwrap().len(), 3);
    let tracked = desk.tracked(&request).await;
    assert_eq!(tracked["status"], "offered");
    let shown: Vec<DateTime<Utc>> = tracked["offer"]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| slot["start"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(shown, offered);
    let expires: DateTime<Utc> = tracked["offer"]["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let held = expires - asked_at;
    assert!(
        held >= Duration::hours(48) && held < Duration::hours(48) + Duration::seconds(5),
        "{held}"
    );
    assert_eq!(
        jobs_of(&desk.app, request.id, "email.offered").await.len(),
        1
    );
    let free = desk.free(&offered).await;
    assert!(
        offered.iter().all(|start| !free.contains(start)),
        "held times are not free"
    );

    let before = row_counts(&desk.app.store).await;
    let scheduled = desk
        .transition(
            other.id,
            json!({"action": "schedule", "version": 2, "start": offered[1].to_rfc3339(), "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    let offered_again = desk.offer(&other, &[offered[2], free[0]]).await;

    assert_eq!(scheduled.0, 422, "{}", scheduled.1);
    assert!(
        scheduled.1["errors"]["start"][0]
            .as_str()
            .unwrap()
            .contains("ocupado")
    );
    assert_eq!(offered_again.0, 422, "{}", offered_again.1);
    assert!(
        offered_again.1["errors"]["slots"][0]
            .as_str()
            .unwrap()
            .contains("ocupado"),
        "{}",
        offered_again.1
    );
    assert_eq!(
        row_counts(&desk.app.store).await,
        before,
        "a refusal writes nothing"
    );
}

#[tokio::test]
async fn of_two_picks_at_the_same_moment_exactly_one_schedules() {
    let desk = desk().await;
    let request = desk.triaged().await;
    let offered = starts(&desk.app, 3);
    assert_eq!(desk.offer(&request, &offered).await.0, 200);

    let (first, second) = tokio::join!(
        desk.pick(&request, offered[0]),
        desk.pick(&request, offered[1])
    );

    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");
    let (won, lost) = if first.0 == 200 {
        (first, second)
    } else {
        (second, first)
    };
    assert_eq!(won.1["status"], "scheduled");
    assert_eq!(lost.1["code"], "already_scheduled", "{}", lost.1);
    assert!(
        lost.1["error"]
            .as_str()
            .unwrap()
            .contains("já foi escolhido")
    );
    let picked: DateTime<Utc> = won.1["scheduled_start"].as_str().unwrap().parse().unwrap();
    let detail = desk.detail(request.id).await;
    assert_eq!(detail["status"], "scheduled");
    assert!(detail["offer"].is_null());
    assert_eq!(
        jobs_of(&desk.app, request.id, "email.scheduled")
            .await
            .len(),
        1
    );
    let free = desk.free(&offered).await;
    for start in &offered {
        assert_eq!(
            free.contains(start),
            *start != picked,
            "only the picked time stays taken: {start}"
        );
    }
}

#[tokio::test]
async fn a_pick_must_be_an_offered_time_while_the_offer_stands() {
    let desk = desk().await;
    let request = desk.triaged().await;
    let offered = starts(&desk.app, 3);
    assert_eq!(desk.offer(&request, &offered[..2]).await.0, 200);
    let before = row_counts(&desk.app.store).await;

    let not_offered = desk.pick(&request, offered[2]).await;
    let wrong_token = desk
        .pick(
            &Filed {
                tracking: "not-the-token".into(),
                ..request_clone(&request)
            },
            offered[0],
        )
        .await;

    assert_eq!(not_offered.0, 422);
    assert_eq!(
        not_offered.1["errors"]["start"][0],
        "Escolha um dos horários oferecidos."
    );
    assert_eq!(wrong_token.0, 404);
    assert_eq!(row_counts(&desk.app.store).await, before);

    let version = desk.detail(request.id).await["version"].clone();
    let withdrawn = desk
        .transition(
            request.id,
            json!({"action": "withdraw", "version": version}),
        )
        .await;
    assert_eq!(withdrawn.0, 200);
    assert_eq!(withdrawn.1["status"], "triaged");
    let late = desk.pick(&request, offered[0]).await;
    assert_eq!(late.0, 409);
    assert_eq!(late.1["code"], "not_offered");
    assert_eq!(
        jobs_of(&desk.app, request.id, "email.offer_withdrawn")
            .await
            .len(),
        1
    );
    assert!(desk.free(&offered).await.contains(&offered[0]), "released");
}

fn request_clone(request: &Filed) -> Filed {
    Filed {
        id: request.id,
        protocol: request.protocol.clone(),
        tracking: request.tracking.clone(),
    }
}

#[tokio::test]
async fn an_offer_nobody_picks_runs_out_back_to_the_clerk_and_the_zone_is_told() {
    let smtp = SmtpServer::start();
    let desk = desk().await;
    let request = desk.triaged().await;
    // Far enough ahead to be still to come once the offer has run out.
    let offered: Vec<DateTime<Utc>> = desk
        .app
        .slots_from(Duration::days(4), 2)
        .iter()
        .map(|slot| slot.start)
        .collect();
    assert_eq!(desk.offer(&request, &offered).await.0, 200);
    let worker = contato::jobs::Worker::new(
        desk.app.store.clone(),
        std::sync::Arc::new(crate::helpers::settings_for(
            desk.app.db(),
            &[("smtp.url", json!(smtp.url()))],
        )),
        None,
        desk.app.clock.clone(),
    )
    .unwrap();
    while worker.run_batch().await.unwrap() > 0 {}
    assert_eq!(
        desk.detail(request.id).await["status"],
        "offered",
        "not yet"
    );

    desk.app.clock.advance(Duration::hours(48));
    while worker.run_batch().await.unwrap() > 0 {}
    let desk = Desk {
        token: desk.app.sign_in("ana@tre-pa.jus.br").await,
        ..desk
    };

    let detail = desk.detail(request.id).await;
    assert_eq!(detail["status"], "triaged", "{detail}");
    assert!(detail["offer"].is_null());
    let expired = jobs_of(&desk.app, request.id, "email.offer_expired").await;
    assert_eq!(expired.len(), 1);
    assert_eq!(
        expired[0].state,
        JobState::Done,
        "{:?}",
        expired[0].last_error
    );
    let received: Vec<(Vec<String>, String)> = smtp
        .received()
        .iter()
        .map(|mail| {
            let subject = mail.parsed().subject().unwrap_or_default().to_string();
            (mail.to.clone(), subject)
        })
        .collect();
    assert!(
        received.iter().any(
            |(to, subject)| to.iter().any(|to| to.contains("ana@tre-pa.jus.br"))
                && subject.contains("não foram escolhidos")
        ),
        "the zone is told: {received:?}"
    );
    assert!(
        received
            .iter()
            .any(|(_, subject)| subject.contains("Escolha o horário")),
        "the requester got the times: {received:?}"
    );
    let late = desk.pick(&request, offered[0]).await;
    assert_eq!(late.0, 409);
    let free = desk.free(&offered).await;
    assert!(offered.iter().all(|start| free.contains(start)), "released");
}

/// Every value of the inputs named `name` in `html`, in order.
fn values_of(html: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            html[at + marker.len()..]
                .split('"')
                .next()
                .unwrap_or_default()
                .replace("&#43;", "+")
                .replace("&#x2b;", "+")
        })
        .collect()
}

#[tokio::test]
async fn a_clerk_offers_from_the_panel_and_the_requester_picks_on_the_tracking_page() {
    let desk = desk().await;
    let request = desk.triaged().await;
    let clerk = crate::panel::signed_in(&desk.app, "ana@tre-pa.jus.br").await;
    let page = format!("/painel/solicitacoes/{}", request.id);
    let detail = clerk
        .get(desk.app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = values_of(&detail, "csrf").remove(0);
    let choices = values_of(&detail, "slots");
    assert!(choices.len() >= 3, "a checkbox per free time: {detail}");
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("version", "2"),
        ("action", "offer"),
        ("meet_link", "https://meet.google.com/abc-defg-hij"),
    ];
    form.extend(choices[..3].iter().map(|start| ("slots", start.as_str())));

    let one = clerk
        .post(desk.app.url(&format!("{page}/acao")))
        .form(&form[..5])
        .send()
        .await
        .unwrap();
    let offered = clerk
        .post(desk.app.url(&format!("{page}/acao")))
        .form(&form)
        .send()
        .await
        .unwrap();

    assert_eq!(one.status(), 422, "one time is no choice");
    assert!(
        one.text()
            .await
            .unwrap()
            .contains("Escolha de 2 a 5 horários")
    );
    assert_eq!(offered.status(), 303);
    let detail = clerk
        .get(desk.app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let schedulable = values_of(&detail, "start");
    assert!(
        choices[..3].iter().all(|start| schedulable.contains(start)),
        "staff may still schedule the request at a time held for it"
    );
    let tracking = format!(
        "/acompanhar/{}?token={}",
        request.protocol, request.tracking
    );
    let shown = desk
        .app
        .http
        .get(desk.app.url(&tracking))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("Escolha o horário do atendimento"),
        "{shown}"
    );
    let radios = values_of(&shown, "start");
    assert_eq!(radios.len(), 3, "{shown}");
    // The offer's form (the page's thread has a form of its own).
    let offer_form = &shown[shown.find("Escolha o horário do atendimento").unwrap()..];
    let offer_form = &offer_form[..offer_form.find("</form>").unwrap()];
    assert_eq!(
        offer_form.matches("type=\"submit\"").count(),
        1,
        "one button: {shown}"
    );

    let pick = |start: String| {
        let app = &desk.app;
        let token = request.tracking.clone();
        let action = format!("/acompanhar/{}/escolher", request.protocol);
        async move {
            app.http
                .post(app.url(&action))
                .form(&[("token", token.as_str()), ("start", start.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    let tampered = pick("2030-01-01T12:00:00+00:00".to_string()).await;
    assert_eq!(
        tampered.status(),
        422,
        "a time not offered is the API's 422 too"
    );
    let tampered = tampered.text().await.unwrap();
    assert!(
        tampered.contains("Escolha um dos horários oferecidos."),
        "{tampered}"
    );
    assert_eq!(values_of(&tampered, "start").len(), 3, "the choice again");

    let chosen = pick(radios[1].clone()).await;
    assert_eq!(chosen.status(), 200, "followed to the tracking page");
    let chosen = chosen.text().await.unwrap();
    assert!(chosen.contains("Horário confirmado"), "{chosen}");
    assert!(chosen.contains("Seu atendimento"), "{chosen}");

    let again = pick(radios[0].clone()).await;
    assert_eq!(again.status(), 409);
    let again = again.text().await.unwrap();
    assert!(again.contains("Um horário já foi escolhido"), "{again}");
    assert_eq!(desk.detail(request.id).await["status"], "scheduled");
}

#[tokio::test]
async fn with_the_google_provider_two_picks_at_once_make_one_event() {
    let court = crate::google::court().await;
    let app = &court.app;
    let Filed {
        id,
        protocol,
        tracking,
    } = file_and_triage(app, &court.token).await;
    let offered = starts(app, 3);
    let slots: Vec<String> = offered.iter().map(|start| start.to_rfc3339()).collect();
    let (status, body) = court
        .transition(id, json!({"action": "offer", "version": 2, "slots": slots}))
        .await;
    assert_eq!(status, 200, "{body}");
    let pick = |start: DateTime<Utc>| {
        let path = format!("/api/v1/requests/{protocol}/pick?token={tracking}");
        async move {
            app.post_json(&path, &json!({"start": start.to_rfc3339()}))
                .await
                .status()
                .as_u16()
        }
    };

    let (first, second) = tokio::join!(pick(offered[0]), pick(offered[2]));

    let mut statuses = [first, second];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    court
        .job_in_state(id, "meeting.create", JobState::Done)
        .await;
    assert_eq!(crate::google::inserts(&court.google).len(), 1, "one event");
    assert_eq!(court.google.events().len(), 1);
    let detail = court.detail(id).await;
    assert_eq!(detail["status"], "scheduled");
    court.message_starting("Atendimento marcado").await;
}

#[tokio::test]
async fn an_offered_time_filled_in_the_zones_google_calendar_is_refused_and_no_longer_shown() {
    let court = crate::google::court().await;
    let app = &court.app;
    let Filed {
        id,
        protocol,
        tracking,
    } = file_and_triage(app, &court.token).await;
    let offered = app.future_slots(3);
    let slots: Vec<String> = offered.iter().map(|slot| slot.start.to_rfc3339()).collect();
    let (status, _) = court
        .transition(id, json!({"action": "offer", "version": 2, "slots": slots}))
        .await;
    assert_eq!(status, 200);
    // A hearing lands on the first offered time, in the zone's own calendar.
    court
        .google
        .mark_busy("primary", offered[0].start, offered[0].end);

    let refused = app
        .http
        .post(app.url(&format!("/acompanhar/{protocol}/escolher")))
        .form(&[
            ("token", tracking.as_str()),
            ("start", offered[0].start.to_rfc3339().as_str()),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("já está ocupado"), "{page}");
    let shown = values_of(&page, "start");
    assert_eq!(
        shown,
        [offered[1].start.to_rfc3339(), offered[2].start.to_rfc3339()],
        "the remaining choices"
    );
    assert_eq!(court.detail(id).await["status"], "offered");
}
