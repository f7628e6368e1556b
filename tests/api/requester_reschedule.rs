//! A requester moves their own meeting through the API and through the tracking page: the
//! notice, the count and the meeting's start bound it, each refusal says why and writes
//! nothing, the same event and link are kept, and the requester and the zone are told. The
//! rules themselves are the table of `domain::change`.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use contato::domain::{
    change::Actor,
    dates::{local_date, local_time, long_date},
    schedule::{SERVICE_TIME_ZONE, Slot},
};
use entities::{jobs, requests};
use mail_parser::MimeHeaders;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    fake_google::Operation,
    google::{Court, court, inserts, subject_of, text_of},
    helpers::{Moment, TestApp, create_clerk, row_counts, spawn_app_at},
};

const LINK: &str = "https://meet.google.com/abc-defg-hij";

/// A request of zone 1 that a clerk scheduled at least three days ahead, as its requester
/// holds it.
struct Scheduled {
    app: TestApp,
    id: i64,
    protocol: String,
    token: String,
    clerk: i32,
    staff_token: String,
    meeting: Slot,
}

async fn scheduled() -> Scheduled {
    scheduled_at(Moment::Now, &[]).await
}

async fn scheduled_at(moment: Moment, settings: &[(&str, Value)]) -> Scheduled {
    let mut overrides = vec![("limits.submissions_per_minute", json!(0))];
    overrides.extend(settings.iter().cloned());
    let app = spawn_app_at(moment.clock(), &overrides).await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let staff_token = app.sign_in("ana@tre-pa.jus.br").await;
    let (protocol, token) = app.submit(1).await;
    let id = request_id(&app, &protocol).await;
    let meeting = app.slots_from(Duration::days(3), 1)[0];
    let path = format!("/api/v1/staff/requests/{id}/transitions");
    let triaged = app
        .post_as(
            &staff_token,
            &path,
            &json!({"action": "triage", "version": 1}),
        )
        .await;
    assert_eq!(triaged.status(), 200);
    let done = app
        .post_as(
            &staff_token,
            &path,
            &json!({"action": "schedule", "version": 2, "start": meeting.start.to_rfc3339(), "meet_link": LINK}),
        )
        .await;
    assert_eq!(done.status(), 200, "{}", done.text().await.unwrap());
    Scheduled {
        app,
        id,
        protocol,
        token,
        clerk: clerk.id,
        staff_token,
        meeting,
    }
}

async fn request_id(app: &TestApp, protocol: &str) -> i64 {
    app.store
        .request_by_protocol(protocol)
        .await
        .unwrap()
        .expect("the request exists")
        .0
        .id
}

impl Scheduled {
    async fn reschedule_body(&self, token: &str, body: &Value) -> (u16, Value) {
        let response = self
            .app
            .post_json(
                &format!(
                    "/api/v1/requests/{}/reschedule?token={token}",
                    self.protocol
                ),
                body,
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn reschedule(&self, start: DateTime<Utc>) -> (u16, Value) {
        self.reschedule_body(&self.token, &json!({"start": start.to_rfc3339()}))
            .await
    }

    async fn slots(&self, query: &str) -> (u16, Value) {
        let response = self
            .app
            .http
            .get(self.app.url(&format!(
                "/api/v1/requests/{}/slots?token={}{query}",
                self.protocol, self.token
            )))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn row(&self) -> requests::Model {
        requests::Entity::find_by_id(self.id)
            .one(self.app.store.connection())
            .await
            .unwrap()
            .unwrap()
    }

    async fn jobs(&self) -> Vec<jobs::Model> {
        jobs::Entity::find()
            .filter(jobs::Column::RequestId.eq(self.id))
            .order_by_asc(jobs::Column::Id)
            .all(self.app.store.connection())
            .await
            .unwrap()
    }

    /// Free slots of the zone's calendar after the meeting, none of them its own.
    fn other_slots(&self, count: usize) -> Vec<Slot> {
        self.app
            .slots_from(Duration::days(3), count + 1)
            .into_iter()
            .filter(|slot| *slot != self.meeting)
            .take(count)
            .collect()
    }

    fn tracking_path(&self) -> String {
        format!("/acompanhar/{}?token={}", self.protocol, self.token)
    }
}

fn starts(slots: &Value) -> Vec<DateTime<Utc>> {
    slots["slots"]
        .as_array()
        .expect("a list of slots")
        .iter()
        .map(|slot| slot["start"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("a time").parse().expect("RFC 3339")
}

at_awkward_moments!(a_move_25_hours_ahead_goes_through_with_the_same_link);
async fn a_move_25_hours_ahead_goes_through_with_the_same_link(moment: Moment) {
    let request = scheduled_at(moment, &[]).await;
    request
        .app
        .clock
        .set(request.meeting.start - Duration::hours(25));
    let before = request.jobs().await.len();

    let (status, listed) = request.slots("").await;
    assert_eq!(status, 200, "{listed}");
    let free = starts(&listed);
    assert!(!free.is_empty(), "the zone has free slots in the week");
    assert!(
        !free.contains(&request.meeting.start),
        "the meeting's own time is not offered"
    );
    let target = free[0];
    let (status, moved) = request.reschedule(target).await;

    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["status"], "scheduled");
    assert_eq!(at(&moved["scheduled_start"]), target);
    assert_eq!(moved["meet_link"], LINK, "the link stays");
    assert_eq!(moved["reschedules_left"], 1);
    let row = request.row().await;
    assert_eq!(row.scheduled_start, Some(target));
    assert_eq!(row.requester_reschedules, 1);
    assert_eq!(
        row.schedule_revision, 2,
        "the invitation's sequence goes up"
    );
    assert_eq!(
        row.assignee_id,
        Some(request.clerk),
        "the same clerk holds it"
    );
    let kinds: Vec<String> = request.jobs().await[before..]
        .iter()
        .map(|job| job.kind.clone())
        .collect();
    assert_eq!(kinds[0], "email.rescheduled", "{kinds:?}");
    assert!(
        kinds.contains(&"email.rescheduled_by_requester".to_string()),
        "the zone is told: {kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .all(|kind| kind.starts_with("email.") && kind != "email.scheduled"),
        "by hand, no calendar job and no first announcement: {kinds:?}"
    );
    let record = request
        .app
        .store
        .request(request.id, &contato::store::ZoneScope::All)
        .await
        .unwrap()
        .unwrap();
    let last = record.history.last().unwrap();
    assert_eq!(last.actor, Actor::Requester);
    assert_eq!(last.note.as_deref(), Some("Remarcada pelo(a) requerente."));
}

at_awkward_moments!(a_move_23_hours_ahead_is_refused_and_writes_nothing);
async fn a_move_23_hours_ahead_is_refused_and_writes_nothing(moment: Moment) {
    let request = scheduled_at(moment, &[]).await;
    let target = request.other_slots(1)[0];
    request
        .app
        .clock
        .set(request.meeting.start - Duration::hours(23));
    let before = row_counts(&request.app.store).await;
    let row = request.row().await;

    let (status, refused) = request.reschedule(target.start).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "too_late_to_reschedule");
    assert_eq!(
        refused["error"],
        "Faltam menos de 24 horas para o atendimento: para remarcar, fale com o cartório."
    );
    let (status, listing) = request.slots("").await;
    assert_eq!(status, 409);
    assert_eq!(listing["code"], "too_late_to_reschedule");

    assert_eq!(row_counts(&request.app.store).await, before);
    assert_eq!(request.row().await, row, "the request is as it was");
    let tracked: Value = request
        .app
        .http
        .get(request.app.url(&format!(
            "/api/v1/requests/{}?token={}",
            request.protocol, request.token
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracked["reschedulable"], false);
    assert_eq!(tracked["reschedules_left"], 2);
}

#[tokio::test]
async fn a_third_move_is_refused_for_the_count_and_staff_moves_are_not_counted() {
    let request = scheduled().await;
    let targets = request.other_slots(4);

    for (n, target) in targets[..2].iter().enumerate() {
        let (status, moved) = request.reschedule(target.start).await;
        assert_eq!(status, 200, "move {}: {moved}", n + 1);
        assert_eq!(moved["reschedules_left"], 1 - n);
    }
    assert_eq!(request.row().await.requester_reschedules, 2);
    let before = row_counts(&request.app.store).await;
    let (status, refused) = request.reschedule(targets[2].start).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "reschedule_limit_reached");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .starts_with("Você já remarcou este atendimento 2 vezes, o máximo permitido"),
        "{refused}"
    );
    assert_eq!(row_counts(&request.app.store).await, before);
    assert_eq!(request.row().await.scheduled_start, Some(targets[1].start));

    // The clerk may still move it, and that move is not the requester's.
    let version = request.row().await.version;
    let staff = request
        .app
        .post_as(
            &request.staff_token,
            &format!("/api/v1/staff/requests/{}/transitions", request.id),
            &json!({"action": "reschedule", "version": version, "start": targets[3].start.to_rfc3339()}),
        )
        .await;
    assert_eq!(staff.status(), 200);
    let row = request.row().await;
    assert_eq!(row.requester_reschedules, 2);
    assert_eq!(row.scheduled_start, Some(targets[3].start));
}

#[tokio::test]
async fn once_the_meeting_began_it_cannot_be_moved() {
    let request = scheduled().await;
    let target = request.other_slots(1)[0];
    request
        .app
        .clock
        .set(request.meeting.start + Duration::minutes(5));
    let before = row_counts(&request.app.store).await;

    let (status, refused) = request.reschedule(target.start).await;
    assert_eq!(status, 409);
    assert_eq!(refused["code"], "meeting_started");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("não é mais possível remarcá-lo")
    );
    let (status, listing) = request.slots("").await;
    assert_eq!((status, &listing["code"]), (409, &json!("meeting_started")));
    assert_eq!(row_counts(&request.app.store).await, before);
}

#[tokio::test]
async fn a_request_without_a_meeting_has_nothing_to_move() {
    let app = spawn_app_at(
        Moment::Now.clock(),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    let (protocol, token) = app.submit(1).await;
    let start = app.future_slots(1)[0].start;
    let before = row_counts(&app.store).await;

    let response = app
        .post_json(
            &format!("/api/v1/requests/{protocol}/reschedule?token={token}"),
            &json!({"start": start.to_rfc3339()}),
        )
        .await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_scheduled");
    assert_eq!(
        body["error"],
        "Esta solicitação não tem atendimento marcado para remarcar."
    );
    let listing = app
        .http
        .get(app.url(&format!("/api/v1/requests/{protocol}/slots?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(listing.status(), 409);
    assert_eq!(row_counts(&app.store).await, before);
}

/// The next Saturday after `after`, at 09:10 in Belém: inside the window's hours, on a day
/// the zone does not serve.
fn saturday_after(after: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = local_date(after).succ_opt().unwrap();
    while day.weekday() != Weekday::Sat {
        day = day.succ_opt().unwrap();
    }
    day.and_hms_opt(9, 10, 0)
        .unwrap()
        .and_local_timezone(SERVICE_TIME_ZONE)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_start_that_is_no_free_slot_is_refused_under_start_and_writes_nothing() {
    let request = scheduled().await;
    // Another meeting of the same clerk takes a slot.
    let taken = request.other_slots(1)[0];
    let (other, _) = request.app.submit(1).await;
    let other = request_id(&request.app, &other).await;
    let path = format!("/api/v1/staff/requests/{other}/transitions");
    for body in [
        json!({"action": "triage", "version": 1}),
        json!({"action": "schedule", "version": 2, "start": taken.start.to_rfc3339(), "meet_link": LINK}),
    ] {
        let response = request
            .app
            .post_as(&request.staff_token, &path, &body)
            .await;
        assert_eq!(response.status(), 200);
    }
    let before = row_counts(&request.app.store).await;
    let row = request.row().await;

    let cases = [
        (
            "the clerk's other meeting",
            json!({"start": taken.start.to_rfc3339()}),
        ),
        (
            "its own time",
            json!({"start": request.meeting.start.to_rfc3339()}),
        ),
        (
            "off the 20-minute grid",
            json!({"start": (request.meeting.start + Duration::minutes(10)).to_rfc3339()}),
        ),
        (
            "a Saturday",
            json!({"start": saturday_after(request.meeting.start).to_rfc3339()}),
        ),
        (
            "the past",
            json!({"start": (request.app.now() - Duration::days(1)).to_rfc3339()}),
        ),
        (
            "past the horizon",
            json!({"start": (request.meeting.start + Duration::days(400)).to_rfc3339()}),
        ),
        ("not a time", json!({"start": "amanhã cedo"})),
        ("no start", json!({})),
        ("a number", json!({"start": 5})),
    ];
    for (description, body) in cases {
        let (status, refused) = request.reschedule_body(&request.token, &body).await;
        assert_eq!(status, 422, "{description}: {refused}");
        assert!(
            refused["errors"]["start"][0]
                .as_str()
                .is_some_and(|message| !message.is_empty()),
            "{description}: {refused}"
        );
    }
    assert_eq!(row_counts(&request.app.store).await, before);
    assert_eq!(request.row().await, row);
    assert_eq!(
        request.slots("").await.1["slots"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|slot| at(&slot["start"]) == taken.start)
            .count(),
        0,
        "the clerk's other meeting is not offered"
    );
}

#[tokio::test]
async fn a_wrong_token_is_not_found() {
    let request = scheduled().await;
    let target = request.other_slots(1)[0];
    let body = json!({"start": target.start.to_rfc3339()});
    for token in ["nope", ""] {
        let (status, answer) = request.reschedule_body(token, &body).await;
        assert_eq!((status, &answer["code"]), (404, &json!("not_found")));
        let (status, answer) = request.reschedule_body(token, &json!({"start": 5})).await;
        assert_eq!(
            (status, &answer["code"]),
            (404, &json!("not_found")),
            "a wrong token is told before the body's problems"
        );
        let listing = request
            .app
            .http
            .get(request.app.url(&format!(
                "/api/v1/requests/{}/slots?token={token}",
                request.protocol
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(listing.status(), 404);
    }
    let unknown = request
        .app
        .post_json(
            &format!(
                "/api/v1/requests/2020-999999/reschedule?token={}",
                request.token
            ),
            &body,
        )
        .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(request.row().await.requester_reschedules, 0);
}

#[tokio::test]
async fn the_requester_is_offered_what_staff_see_free_for_the_clerk_holding_the_meeting() {
    let request = scheduled().await;
    let from = request.app.today();
    let query = format!("&from={from}&days=10");
    let (status, requester) = request.slots(&query).await;
    assert_eq!(status, 200);
    let staff: Value = request
        .app
        .get_as(
            &request.staff_token,
            &format!(
                "/api/v1/staff/zones/1/slots?from={from}&days=10&staff={}",
                request.clerk
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(requester["slots"], staff["slots"]);
    assert!(!starts(&requester).contains(&request.meeting.start));

    // Nothing past schedule.max_days_ahead (365 days).
    let far = from + Duration::days(366);
    let (status, beyond) = request.slots(&format!("&from={far}&days=7")).await;
    assert_eq!(
        (status, beyond),
        (200, json!({"slots": [], "interpreter_unavailable": false}))
    );
    let (status, _) = request.slots("&from=amanhã").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_settings_bound_the_requester() {
    let none = scheduled_at(
        Moment::Now,
        &[("schedule.requester_reschedules_max", json!(0))],
    )
    .await;
    let (status, refused) = none.reschedule(none.other_slots(1)[0].start).await;
    assert_eq!(
        (status, &refused["code"]),
        (409, &json!("reschedule_limit_reached"))
    );
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("não está disponível")
    );

    let week = scheduled_at(
        Moment::Now,
        &[("schedule.requester_reschedule_notice_hours", json!(24 * 30))],
    )
    .await;
    let (status, refused) = week.reschedule(week.other_slots(1)[0].start).await;
    assert_eq!(
        (status, &refused["code"]),
        (409, &json!("too_late_to_reschedule"))
    );
    assert!(refused["error"].as_str().unwrap().contains("720 horas"));
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    no_redirects()
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.http.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The `value` of every radio button named `start`, in page order.
fn radio_values(html: &str) -> Vec<String> {
    html.split("name=\"start\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|value| value.replace("&#x2b;", "+").replace("&#x3a;", ":"))
        .collect()
}

#[tokio::test]
async fn the_tracking_page_lists_free_slots_by_day_and_moves_the_meeting() {
    let request = scheduled().await;
    let (status, html) = page(&request.app, &request.tracking_path()).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<h2 id=\"remarcar-titulo\">Remarcar</h2>"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "action=\"&#x2f;acompanhar&#x2f;{}&#x2f;remarcar\"",
            request.protocol
        )) || html.contains(&format!(
            "action=\"/acompanhar/{}/remarcar\"",
            request.protocol
        ))
    );
    assert!(
        html.contains("name=\"token\""),
        "the token goes in the body"
    );
    // The reschedule form (the page's thread has a form of its own).
    let form = &html[html.find("id=\"remarcar\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert_eq!(
        form.matches("<button type=\"submit\">").count(),
        1,
        "one submit button for the whole list"
    );
    let values = radio_values(&html);
    assert!(!values.is_empty(), "{html}");
    let offered: Vec<DateTime<Utc>> = values
        .iter()
        .map(|value| value.parse().expect("an RFC 3339 value"))
        .collect();
    // Far enough ahead to be moved again afterwards.
    let chosen = offered
        .iter()
        .position(|start| *start - request.app.now() > Duration::hours(48))
        .expect("a slot two days ahead within the week");
    let first = offered[chosen];
    assert!(
        html.contains(&long_date(local_date(first))),
        "grouped under the day's name"
    );
    assert!(html.contains(&format!("{} às", local_time(first))));
    assert!(html.contains("Você pode remarcar até 24 horas antes do atendimento, mais 2 vezes."));

    let response = post_form(
        &request.app,
        &format!("/acompanhar/{}/remarcar", request.protocol),
        &[("token", &request.token), ("start", &values[chosen])],
    )
    .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{}&remarcado=1", request.tracking_path()));
    let (status, html) = page(&request.app, &location).await;
    assert_eq!(status, 200);
    let said = format!(
        "Atendimento remarcado para {}, às {} (horário de Belém).",
        long_date(local_date(first)),
        local_time(first)
    );
    assert!(html.contains(&said), "{html}");
    assert!(html.contains(&format!(
        "<strong>{}, das {} às",
        long_date(local_date(first)),
        local_time(first)
    )));
    assert!(html.contains("mais uma vez"), "one move left");
    assert_eq!(request.row().await.scheduled_start, Some(first));

    // "Mais dias" lists the next week.
    let later = html
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("&amp;de=") || href.contains("&de="))
        .expect("a link to more days")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x3d;", "=");
    let (status, next_week) = page(&request.app, &later).await;
    assert_eq!(status, 200);
    let next: Vec<DateTime<Utc>> = radio_values(&next_week)
        .iter()
        .map(|value| value.parse().unwrap())
        .collect();
    let last_offered = offered.iter().max().unwrap();
    assert!(
        !next.is_empty() && next.iter().all(|start| start > last_offered),
        "{later}"
    );
}

#[tokio::test]
async fn the_tracking_page_says_why_a_meeting_cannot_be_moved() {
    let request = scheduled().await;
    let target = request.other_slots(1)[0];
    request
        .app
        .clock
        .set(request.meeting.start - Duration::hours(23));
    let before = row_counts(&request.app.store).await;

    let (status, html) = page(&request.app, &request.tracking_path()).await;
    assert_eq!(status, 200);
    let why = "Faltam menos de 24 horas para o atendimento: para remarcar, fale com o cartório.";
    assert!(html.contains(why), "{html}");
    assert!(!html.contains("name=\"start\""), "no slots offered");

    let response = post_form(
        &request.app,
        &format!("/acompanhar/{}/remarcar", request.protocol),
        &[
            ("token", &request.token),
            ("start", &target.start.to_rfc3339()),
        ],
    )
    .await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("Não foi possível remarcar. {why}")),
        "{html}"
    );
    assert_eq!(row_counts(&request.app.store).await, before);

    // Once every move is used, the page says so.
    let used = scheduled().await;
    for target in used.other_slots(2) {
        assert_eq!(used.reschedule(target.start).await.0, 200);
    }
    let (_, html) = page(&used.app, &used.tracking_path()).await;
    assert!(
        html.contains("Você já remarcou este atendimento 2 vezes, o máximo permitido: para mudar o horário de novo, fale com o cartório."),
        "{html}"
    );
}

#[tokio::test]
async fn the_tracking_page_sends_back_a_slot_that_cannot_be_taken() {
    let request = scheduled().await;
    let action = format!("/acompanhar/{}/remarcar", request.protocol);
    let before = row_counts(&request.app.store).await;

    let response = post_form(&request.app, &action, &[("token", &request.token)]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Escolha um dos horários livres da lista."),
        "{html}"
    );
    assert!(html.contains("id=\"start-error\""));
    assert!(!radio_values(&html).is_empty(), "the list comes back");

    let own = request.meeting.start.to_rfc3339();
    let response = post_form(
        &request.app,
        &action,
        &[("token", &request.token), ("start", &own)],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Este já é o horário do seu atendimento. Escolha outro horário da lista."),
        "{html}"
    );

    let response = post_form(&request.app, &action, &[("token", "nope"), ("start", &own)]).await;
    assert_eq!(response.status(), 404);
    assert_eq!(row_counts(&request.app.store).await, before);
}

/// Files a request on the google court, triages and schedules it at least three days ahead:
/// `(id, protocol, token, meeting)`.
async fn scheduled_on_google(court: &Court) -> (i64, String, String, Slot) {
    let (protocol, token) = court.app.submit(1).await;
    let id = request_id(&court.app, &protocol).await;
    let meeting = court.app.slots_from(Duration::days(3), 1)[0];
    let path = |body| court.transition(id, body);
    assert_eq!(path(json!({"action": "triage", "version": 1})).await.0, 200);
    let (status, body) =
        path(json!({"action": "schedule", "version": 2, "start": meeting.start.to_rfc3339()}))
            .await;
    assert_eq!(status, 200, "{body}");
    (id, protocol, token, meeting)
}

#[tokio::test]
async fn under_google_a_move_patches_the_same_event_and_keeps_its_link() {
    let court = court().await;
    let (id, protocol, token, meeting) = scheduled_on_google(&court).await;
    let first = court.message_starting("Atendimento marcado").await;
    let link = court.detail(id).await["meet_link"]
        .as_str()
        .unwrap()
        .to_string();
    let event_id = contato::calendar::event_id("localhost", id);
    court.app.clock.set(meeting.start - Duration::hours(25));

    let listing: Value = court
        .app
        .http
        .get(
            court
                .app
                .url(&format!("/api/v1/requests/{protocol}/slots?token={token}")),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let target = *starts(&listing)
        .iter()
        .find(|start| local_date(**start) != local_date(meeting.start))
        .expect("a free slot on another day");
    let moved = court
        .app
        .post_json(
            &format!("/api/v1/requests/{protocol}/reschedule?token={token}"),
            &json!({"start": target.to_rfc3339()}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(at(&moved["scheduled_start"]), target);
    assert_eq!(moved["meet_link"], link.as_str());

    let second = court.message_starting("Atendimento remarcado:").await;
    let events = court.google.events();
    assert_eq!(events.len(), 1, "one event, moved");
    assert_eq!(events[0].0.1, event_id, "the same event");
    assert_eq!(
        at(&events[0].1["start"]["dateTime"]),
        target,
        "at the new time"
    );
    assert_eq!(inserts(&court.google).len(), 1, "no new event");
    let patches: Vec<_> = court
        .google
        .calls()
        .into_iter()
        .filter(|call| call.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert!(patches[0].path.ends_with(&format!("/events/{event_id}")));
    assert!(text_of(&first).contains(&link) && text_of(&second).contains(&link));
    let parsed = second.parsed();
    let invitation = parsed
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
        })
        .expect("an .ics attachment");
    let ics = String::from_utf8(invitation.contents().to_vec()).unwrap();
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:2"),
        "the invitation replaces the first one: {ics}"
    );

    let zone = court
        .message_starting("Atendimento remarcado pelo(a) requerente")
        .await;
    assert_eq!(zone.to, ["ana@tre-pa.jus.br"], "the clerk holding it");
    let told = text_of(&zone);
    assert!(
        told.contains(&format!(
            "{}, às {}",
            long_date(local_date(meeting.start)),
            local_time(meeting.start)
        )) && told.contains(&format!(
            "{}, das {}",
            long_date(local_date(target)),
            local_time(target)
        )),
        "{told}"
    );
    assert!(subject_of(&zone).contains(&protocol));
}

#[tokio::test]
async fn under_google_a_time_busy_in_the_zones_calendar_is_neither_offered_nor_taken() {
    let court = court().await;
    let (id, protocol, token, meeting) = scheduled_on_google(&court).await;
    court
        .job_in_state(
            id,
            "meeting.create",
            entities::sea_orm_active_enums::JobState::Done,
        )
        .await;
    let busy = court.app.slots_from(Duration::days(3), 3)[2];
    assert_ne!(busy, meeting);
    court.google.mark_busy("primary", busy.start, busy.end);
    let before = row_counts(&court.app.store).await;

    let listing: Value = court
        .app
        .http
        .get(court.app.url(&format!(
            "/api/v1/requests/{protocol}/slots?token={token}&from={}&days=7",
            local_date(meeting.start)
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!starts(&listing).contains(&busy.start), "{listing}");
    let refused = court
        .app
        .post_json(
            &format!("/api/v1/requests/{protocol}/reschedule?token={token}"),
            &json!({"start": busy.start.to_rfc3339()}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await.unwrap();
    assert!(
        refused["errors"]["start"][0]
            .as_str()
            .unwrap()
            .contains("Google Agenda")
    );
    assert_eq!(row_counts(&court.app.store).await, before);

    // While Google does not answer, a move that may not happen still says why.
    court.app.clock.set(meeting.start - Duration::hours(2));
    court
        .google
        .fail(Operation::FreeBusy, 500, "backendError", 5);
    let refused = court
        .app
        .post_json(
            &format!("/api/v1/requests/{protocol}/reschedule?token={token}"),
            &json!({"start": busy.start.to_rfc3339()}),
        )
        .await;
    assert_eq!(refused.status(), 409);
}
