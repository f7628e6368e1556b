//! The admin API over HTTP: accounts, zones, holidays and jobs, each change audited.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};
use contato::{
    domain::{schedule::SERVICE_TIME_ZONE, staff::Role},
    reference::{SHIPPED_HOLIDAYS, parse_holidays},
    store::StaffRecord,
};
use entities::{audit_log, jobs, sea_orm_active_enums::JobState};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TEST_PASSWORD, TestApp, create_clerk, create_staff, row_counts, spawn_app};

const ADMIN_EMAIL: &str = "ti@tre-pa.jus.br";
const CLERK_EMAIL: &str = "ana@tre-pa.jus.br";

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut request = app.http.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("the request is sent")
}

async fn login(app: &TestApp, email: &str, password: &str) -> Response {
    let body = json!({ "email": email, "password": password });
    call(app, Method::POST, "/api/v1/auth/login", None, Some(&body)).await
}

async fn token_of(app: &TestApp, email: &str) -> String {
    let response = login(app, email, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "{email} signs in");
    let body: Value = response.json().await.expect("a JSON body");
    body["token"].as_str().expect("a token").to_string()
}

/// An admin account, signed in.
async fn admin(app: &TestApp) -> (StaffRecord, String) {
    let account = create_staff(&app.store, ADMIN_EMAIL, Role::Admin, &[]).await;
    (account, token_of(app, ADMIN_EMAIL).await)
}

/// A clerk of zone 1, signed in.
async fn clerk(app: &TestApp) -> (StaffRecord, String) {
    let account = create_clerk(&app.store, CLERK_EMAIL, &[1]).await;
    (account, token_of(app, CLERK_EMAIL).await)
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// The field names of a 422 body, sorted.
fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_object()
        .map(|errors| errors.keys().cloned().collect())
        .unwrap_or_default()
}

async fn audit_rows(app: &TestApp) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(app.store.connection())
        .await
        .unwrap()
}

static JOB_SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// A job row written straight into the outbox, as the worker would leave it.
async fn insert_job(app: &TestApp, state: JobState, created_at: DateTime<Utc>) -> jobs::Model {
    let n = JOB_SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let dead = state == JobState::Dead;
    jobs::ActiveModel {
        kind: Set("email.scheduled".into()),
        payload: Set(json!({ "request_id": 0, "version": 1 })),
        dedupe_key: Set(format!("test:{n}")),
        request_id: Set(None),
        state: Set(state),
        attempts: Set(if dead { 8 } else { 0 }),
        run_at: Set(created_at),
        locked_until: Set(dead.then(|| created_at + Duration::minutes(5))),
        locked_by: Set(dead.then(|| "worker-1".to_string())),
        last_error: Set(dead.then(|| {
            "o servidor de e-mail recusou a mensagem: permanent error (550): mailbox unavailable"
                .to_string()
        })),
        result: Set(None),
        created_at: Set(created_at),
        updated_at: Set(created_at),
        finished_at: Set(dead.then_some(created_at)),
        ..Default::default()
    }
    .insert(app.store.connection())
    .await
    .expect("the job is written")
}

/// The local start times (`HH:MM`) and weekdays of zone `number`'s free slots in the next
/// 31 days.
async fn slot_times(app: &TestApp, token: &str, number: i32) -> Vec<(Weekday, String)> {
    let path = format!("/api/v1/staff/zones/{number}/slots?days=31");
    let response = call(app, Method::GET, &path, Some(token), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    body["slots"]
        .as_array()
        .expect("a list of slots")
        .iter()
        .map(|slot| {
            let start: DateTime<FixedOffset> =
                slot["start"].as_str().unwrap().parse().expect("RFC 3339");
            let local = start.with_timezone(&SERVICE_TIME_ZONE);
            (local.weekday(), local.format("%H:%M").to_string())
        })
        .collect()
}

/// A valid new account, with `changes` merged over it.
fn account_body(changes: Value) -> Value {
    let mut body = json!({
        "name": "Bruno Costa",
        "email": "bruno@tre-pa.jus.br",
        "password": "uma senha bem comprida",
        "role": "clerk",
        "zones": [1, 28],
    });
    merge(&mut body, changes);
    body
}

fn merge(body: &mut Value, changes: Value) {
    if let (Some(body), Value::Object(changes)) = (body.as_object_mut(), changes) {
        for (key, value) in changes {
            if value.is_null() {
                body.remove(&key);
            } else {
                body.insert(key, value);
            }
        }
    }
}

#[tokio::test]
async fn every_admin_endpoint_refuses_clerks_and_anonymous_callers() {
    let app = spawn_app().await;
    let (_, clerk_token) = clerk(&app).await;
    let dead = insert_job(&app, JobState::Dead, app.now()).await;
    let before = row_counts(&app.store).await;
    let zone = json!({ "number": 108, "name": "108ª Zona", "municipalities": ["Belém"] });
    let holiday = json!({ "date": "2026-06-15", "name": "Ponto facultativo", "scope": "forense" });
    let retry = format!("/api/v1/admin/jobs/{}/retry", dead.id);
    let cases: Vec<(&str, Method, &str, Option<Value>)> = vec![
        ("list accounts", Method::GET, "/api/v1/admin/staff", None),
        (
            "create an account",
            Method::POST,
            "/api/v1/admin/staff",
            Some(account_body(json!({}))),
        ),
        (
            "change an account",
            Method::PATCH,
            "/api/v1/admin/staff/1",
            Some(json!({ "active": false })),
        ),
        ("list zones", Method::GET, "/api/v1/admin/zones", None),
        (
            "create a zone",
            Method::POST,
            "/api/v1/admin/zones",
            Some(zone),
        ),
        (
            "change a zone",
            Method::PATCH,
            "/api/v1/admin/zones/1",
            Some(json!({ "name": "Zona 1" })),
        ),
        (
            "list holidays",
            Method::GET,
            "/api/v1/admin/holidays?year=2026",
            None,
        ),
        (
            "add a holiday",
            Method::POST,
            "/api/v1/admin/holidays",
            Some(holiday),
        ),
        (
            "delete a holiday",
            Method::DELETE,
            "/api/v1/admin/holidays/1",
            None,
        ),
        ("list jobs", Method::GET, "/api/v1/admin/jobs", None),
        ("retry a job", Method::POST, &retry, None),
        (
            "look up a data subject",
            Method::GET,
            "/api/v1/admin/data-subject?cpf=123.456.789-09",
            None,
        ),
    ];

    for (description, method, path, body) in &cases {
        let anonymous = call(&app, method.clone(), path, None, body.as_ref()).await;
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{description} without a token"
        );
        let as_clerk = call(
            &app,
            method.clone(),
            path,
            Some(&clerk_token),
            body.as_ref(),
        )
        .await;
        assert_eq!(
            as_clerk.status(),
            StatusCode::FORBIDDEN,
            "{description} as a clerk"
        );
        assert_eq!(
            json_of(as_clerk).await["code"],
            "forbidden",
            "{description}"
        );
    }

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn an_admin_creates_an_account_that_can_sign_in() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let body = account_body(json!({ "email": "Bruno@TRE-PA.jus.br" }));

    let response = call(
        &app,
        Method::POST,
        "/api/v1/admin/staff",
        Some(&token),
        Some(&body),
    )
    .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(created["email"], "bruno@tre-pa.jus.br");
    assert_eq!(created["name"], "Bruno Costa");
    assert_eq!(created["role"], "clerk");
    assert_eq!(created["active"], true);
    assert_eq!(created["zones"], json!([1, 28]));
    let signed_in = login(&app, "bruno@tre-pa.jus.br", "uma senha bem comprida").await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(last.action, "staff.create");
    assert_eq!(last.actor_staff_id, Some(admin.id));
    assert_eq!(last.entity_key, created["id"].to_string());
    assert!(
        !last.details.to_string().contains("senha"),
        "no password in the trail"
    );
}

#[tokio::test]
async fn an_admin_lists_every_account_by_name() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    for (name, email) in [
        ("Zélia Moura", "zelia@tre-pa.jus.br"),
        ("Álvaro Dias", "alvaro@tre-pa.jus.br"),
        ("bruno Lima", "bruno@tre-pa.jus.br"),
    ] {
        let body = account_body(json!({ "name": name, "email": email }));
        let response = call(
            &app,
            Method::POST,
            "/api/v1/admin/staff",
            Some(&token),
            Some(&body),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{name}");
    }

    let response = call(&app, Method::GET, "/api/v1/admin/staff", Some(&token), None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let names: Vec<String> = json_of(response)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Álvaro Dias",
            "bruno Lima",
            "Servidora de Teste",
            "Zélia Moura"
        ]
    );
}

#[tokio::test]
async fn bad_new_accounts_are_refused_per_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    create_clerk(&app.store, "taken@tre-pa.jus.br", &[1]).await;
    let before = row_counts(&app.store).await;
    let cases = [
        (
            "an empty body",
            json!({}),
            vec!["email", "name", "password", "role"],
        ),
        (
            "a bad e-mail and a short password",
            account_body(json!({ "email": "bruno@", "password": "curta" })),
            vec!["email", "password"],
        ),
        (
            "a name with digits",
            account_body(json!({ "name": "R2-D2" })),
            vec!["name"],
        ),
        (
            "a name on two lines",
            account_body(json!({ "name": "Bruno\nCosta" })),
            vec!["name"],
        ),
        (
            "a name with a zero-width space",
            account_body(json!({ "name": "Bru\u{200B}no Costa" })),
            vec!["name"],
        ),
        (
            "an unknown role",
            account_body(json!({ "role": "root" })),
            vec!["role"],
        ),
        (
            "a clerk without zones",
            account_body(json!({ "zones": [] })),
            vec!["zones"],
        ),
        (
            "a zone that does not exist",
            account_body(json!({ "zones": [1, 999] })),
            vec!["zones"],
        ),
        (
            "an e-mail already in use, in other capitals",
            account_body(json!({ "email": "TAKEN@tre-pa.jus.br" })),
            vec!["email"],
        ),
        (
            "fields of the wrong type",
            account_body(json!({ "name": 7, "zones": "1", "role": ["clerk"] })),
            vec!["name", "role", "zones"],
        ),
    ];

    for (description, body, fields) in cases {
        let response = call(
            &app,
            Method::POST,
            "/api/v1/admin/staff",
            Some(&token),
            Some(&body),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{description}"
        );
        assert_eq!(
            error_fields(&json_of(response).await),
            fields,
            "{description}"
        );
    }

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn an_admin_changes_an_account() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let clerk = create_clerk(&app.store, CLERK_EMAIL, &[1]).await;
    let body = json!({ "name": "Ana Paula Reis", "zones": [28, 29], "role": "admin" });

    let path = format!("/api/v1/admin/staff/{}", clerk.id);
    let response = call(&app, Method::PATCH, &path, Some(&token), Some(&body)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let changed = json_of(response).await;
    assert_eq!(changed["name"], "Ana Paula Reis");
    assert_eq!(changed["role"], "admin");
    assert_eq!(changed["zones"], json!([28, 29]));
    assert_eq!(changed["email"], CLERK_EMAIL);
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(last.action, "staff.update");
    assert_eq!(last.actor_staff_id, Some(admin.id));
    assert_eq!(last.entity_key, clerk.id.to_string());
    let unknown = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/staff/9999",
        Some(&token),
        Some(&body),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_account_changes_are_refused_per_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let clerk = create_clerk(&app.store, CLERK_EMAIL, &[1]).await;
    let other_admin = create_staff(&app.store, "sti@tre-pa.jus.br", Role::Admin, &[]).await;
    let before = row_counts(&app.store).await;
    let cases = [
        (
            "disabling oneself",
            admin.id,
            json!({ "active": false }),
            vec!["active"],
        ),
        (
            "demoting oneself",
            admin.id,
            json!({ "role": "clerk", "zones": [1] }),
            vec!["role"],
        ),
        (
            "leaving a clerk without zones",
            clerk.id,
            json!({ "zones": [] }),
            vec!["zones"],
        ),
        (
            "making an admin without zones a clerk",
            other_admin.id,
            json!({ "role": "clerk" }),
            vec!["zones"],
        ),
        (
            "a zone that does not exist",
            clerk.id,
            json!({ "zones": [999] }),
            vec!["zones"],
        ),
        (
            "a short password",
            clerk.id,
            json!({ "password": "curta" }),
            vec!["password"],
        ),
        (
            "an empty name and an unknown role",
            clerk.id,
            json!({ "name": " ", "role": "chefe" }),
            vec!["name", "role"],
        ),
        (
            "active as text",
            clerk.id,
            json!({ "active": "não" }),
            vec!["active"],
        ),
    ];

    for (description, id, body, fields) in cases {
        let path = format!("/api/v1/admin/staff/{id}");
        let response = call(&app, Method::PATCH, &path, Some(&token), Some(&body)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{description}"
        );
        assert_eq!(
            error_fields(&json_of(response).await),
            fields,
            "{description}"
        );
    }

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn disabling_an_account_revokes_its_token_and_it_cannot_sign_in() {
    let app = spawn_app().await;
    let (_, admin_token) = admin(&app).await;
    let (clerk, clerk_token) = clerk(&app).await;
    let inbox = call(
        &app,
        Method::GET,
        "/api/v1/staff/requests",
        Some(&clerk_token),
        None,
    )
    .await;
    assert_eq!(inbox.status(), StatusCode::OK);

    let path = format!("/api/v1/admin/staff/{}", clerk.id);
    let body = json!({ "active": false });
    let response = call(&app, Method::PATCH, &path, Some(&admin_token), Some(&body)).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_of(response).await["active"], false);
    let inbox = call(
        &app,
        Method::GET,
        "/api/v1/staff/requests",
        Some(&clerk_token),
        None,
    )
    .await;
    assert_eq!(inbox.status(), StatusCode::UNAUTHORIZED);
    let again = login(&app, CLERK_EMAIL, TEST_PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_new_password_ends_the_old_sign_ins() {
    let app = spawn_app().await;
    let (_, admin_token) = admin(&app).await;
    let (clerk, clerk_token) = clerk(&app).await;

    let path = format!("/api/v1/admin/staff/{}", clerk.id);
    let body = json!({ "password": "outra senha bem comprida" });
    let response = call(&app, Method::PATCH, &path, Some(&admin_token), Some(&body)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let inbox = call(
        &app,
        Method::GET,
        "/api/v1/staff/requests",
        Some(&clerk_token),
        None,
    )
    .await;
    assert_eq!(inbox.status(), StatusCode::UNAUTHORIZED);
    let old = login(&app, CLERK_EMAIL, TEST_PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = login(&app, CLERK_EMAIL, "outra senha bem comprida").await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_admin_sees_every_zone_with_its_settings() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let closed = json!({ "active": false });
    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/zones/2",
        Some(&token),
        Some(&closed),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    let response = call(&app, Method::GET, "/api/v1/admin/zones", Some(&token), None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let zones = json_of(response).await;
    let zones = zones.as_array().unwrap();
    assert_eq!(zones.len(), 101, "inactive zones too");
    let zone_1 = &zones[0];
    assert_eq!(zone_1["number"], 1);
    assert_eq!(zone_1["seat"], "Belém");
    assert_eq!(zone_1["municipalities"], json!(["Belém"]));
    for key in [
        "notification_email",
        "calendar_id",
        "room_link",
        "opens",
        "closes",
        "slot_minutes",
        "weekdays",
    ] {
        assert!(zone_1.get(key).is_some(), "{key} is listed");
    }
    assert_eq!(zone_1["active"], true);
    assert_eq!(zones[1]["number"], 2);
    assert_eq!(zones[1]["active"], false);
    let public = call(&app, Method::GET, "/api/v1/zones", None, None).await;
    let public = json_of(public).await;
    assert!(
        public.as_array().unwrap().iter().all(|z| z["number"] != 2),
        "a closed zone leaves the public list at once"
    );
}

#[tokio::test]
async fn an_admin_creates_a_zone_whose_number_stays_unique() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let body = json!({
        "number": 108,
        "name": "108ª Zona Eleitoral",
        "seat": "Belém",
        "municipalities": ["Belém", " belem "],
        "room_link": "https://meet.google.com/abc-defg-hij",
        "opens": "13:00",
        "closes": "17:00",
        "slot_minutes": 30,
        "weekdays": [1, 3, 5],
    });

    let response = call(
        &app,
        Method::POST,
        "/api/v1/admin/zones",
        Some(&token),
        Some(&body),
    )
    .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let zone = json_of(response).await;
    assert_eq!(zone["number"], 108);
    assert_eq!(zone["municipalities"], json!(["Belém"]), "one Belém");
    assert_eq!(zone["opens"], "13:00");
    assert_eq!(zone["closes"], "17:00");
    assert_eq!(zone["slot_minutes"], 30);
    assert_eq!(zone["weekdays"], json!([1, 3, 5]));
    assert_eq!(zone["active"], true);
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(
        (last.action.as_str(), last.entity_key.as_str()),
        ("zone.create", "108")
    );
    assert_eq!(last.actor_staff_id, Some(admin.id));
    let public = json_of(call(&app, Method::GET, "/api/v1/zones", None, None).await).await;
    assert!(
        public
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z["number"] == 108),
        "the public sees the new zone at once"
    );
    let before = row_counts(&app.store).await;
    let again = call(
        &app,
        Method::POST,
        "/api/v1/admin/zones",
        Some(&token),
        Some(&body),
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&json_of(again).await), ["number"]);
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_zone_window_change_shows_in_the_free_slots_at_once() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    // The default window: 08:30 to 11:30 in 20-minute slots, Monday to Friday.
    let in_default_window = |times: &[(Weekday, String)]| {
        !times.is_empty()
            && times.iter().all(|(day, time)| {
                !matches!(day, Weekday::Sat | Weekday::Sun)
                    && ("08:30"..="11:10").contains(&time.as_str())
            })
    };
    assert!(in_default_window(&slot_times(&app, &token, 1).await));
    let afternoons = json!({
        "opens": "14:00",
        "closes": "15:00",
        "slot_minutes": 30,
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
    });

    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/zones/1",
        Some(&token),
        Some(&afternoons),
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let times = slot_times(&app, &token, 1).await;
    assert!(!times.is_empty());
    assert!(
        times
            .iter()
            .all(|(_, time)| time == "14:00" || time == "14:30"),
        "{times:?}"
    );
    assert!(
        times
            .iter()
            .any(|(day, _)| matches!(day, Weekday::Sat | Weekday::Sun)),
        "weekends open too"
    );

    let cleared = json!({ "opens": "", "closes": "", "slot_minutes": "", "weekdays": "" });
    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/zones/1",
        Some(&token),
        Some(&cleared),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let zone = json_of(response).await;
    assert_eq!(
        (&zone["opens"], &zone["slot_minutes"], &zone["weekdays"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert!(
        in_default_window(&slot_times(&app, &token, 1).await),
        "back to the default window"
    );
}

#[tokio::test]
async fn bad_zone_changes_are_refused_per_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let before = row_counts(&app.store).await;
    let cases = [
        (
            "only the opening, on a zone without its own window",
            json!({ "opens": "09:00" }),
            vec!["closes", "slot_minutes", "weekdays"],
        ),
        (
            "closing before opening",
            json!({ "opens": "11:00", "closes": "10:00", "slot_minutes": 20, "weekdays": [1] }),
            vec!["closes"],
        ),
        (
            "a slot longer than the window",
            json!({ "opens": "08:00", "closes": "09:00", "slot_minutes": 90, "weekdays": [1] }),
            vec!["slot_minutes"],
        ),
        (
            "an eighth weekday and a time that is not HH:MM",
            json!({ "opens": "1pm", "closes": "17:00", "slot_minutes": 30, "weekdays": [1, 8] }),
            vec!["opens", "weekdays"],
        ),
        (
            "no weekday",
            json!({ "opens": "08:00", "closes": "09:00", "slot_minutes": 30, "weekdays": [] }),
            vec!["weekdays"],
        ),
        (
            "a room on another host",
            json!({ "room_link": "https://zoom.us/j/1" }),
            vec!["room_link"],
        ),
        (
            "a bad notification e-mail",
            json!({ "notification_email": "cartorio" }),
            vec!["notification_email"],
        ),
        (
            "an empty name and no municipality",
            json!({ "name": "  ", "municipalities": ["", " "] }),
            vec!["municipalities", "name"],
        ),
        (
            "fields of the wrong type",
            json!({ "slot_minutes": true, "weekdays": "seg", "active": 1, "seat": 3 }),
            vec!["active", "seat", "slot_minutes", "weekdays"],
        ),
        (
            "a name that would add a line to every e-mail of the zone",
            json!({ "name": "1ª Zona Eleitoral\r\nBcc: todos@example.com" }),
            vec!["name"],
        ),
        (
            "a name with a right-to-left override",
            json!({ "name": "1ª Zona \u{202E}larotielE" }),
            vec!["name"],
        ),
        (
            "a municipality on two lines",
            json!({ "municipalities": ["Belém\u{2028}Ananindeua"] }),
            vec!["municipalities"],
        ),
        (
            "a seat on two lines",
            json!({ "seat": "Belém\nPA" }),
            vec!["seat"],
        ),
        (
            "a calendar id with a line break",
            json!({ "calendar_id": "zona01@group.calendar.google.com\nx" }),
            vec!["calendar_id"],
        ),
        (
            "a room link with a line break",
            json!({ "room_link": "https://meet.google.com/abc-\ndefg-hij" }),
            vec!["room_link"],
        ),
        ("another number", json!({ "number": 2 }), vec!["number"]),
    ];

    for (description, body, fields) in cases {
        let response = call(
            &app,
            Method::PATCH,
            "/api/v1/admin/zones/1",
            Some(&token),
            Some(&body),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{description}"
        );
        assert_eq!(
            error_fields(&json_of(response).await),
            fields,
            "{description}"
        );
    }

    let unknown = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/zones/999",
        Some(&token),
        Some(&json!({ "name": "Zona 999" })),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn an_empty_text_clears_a_zone_setting() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let set = json!({
        "room_link": "https://meet.google.com/abc-defg-hij",
        "notification_email": "zona01@tre-pa.jus.br",
        "calendar_id": "zona01@group.calendar.google.com",
    });
    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/zones/1",
        Some(&token),
        Some(&set),
    )
    .await;
    let zone = json_of(response).await;
    assert_eq!(zone["room_link"], "https://meet.google.com/abc-defg-hij");
    assert_eq!(zone["notification_email"], "zona01@tre-pa.jus.br");

    let clear = json!({ "room_link": "", "notification_email": " " });
    let response = call(
        &app,
        Method::PATCH,
        "/api/v1/admin/zones/1",
        Some(&token),
        Some(&clear),
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let zone = json_of(response).await;
    assert_eq!(zone["room_link"], Value::Null);
    assert_eq!(zone["notification_email"], Value::Null);
    assert_eq!(
        zone["calendar_id"], "zona01@group.calendar.google.com",
        "what the change leaves out stays"
    );
}

#[tokio::test]
async fn an_admin_lists_adds_and_deletes_holidays() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let shipped_2026 = parse_holidays(SHIPPED_HOLIDAYS)
        .unwrap()
        .iter()
        .filter(|h| h.date.year() == 2026)
        .count();

    let response = call(
        &app,
        Method::GET,
        "/api/v1/admin/holidays?year=2026",
        Some(&token),
        None,
    )
    .await;

    assert_eq!(response.status(), StatusCode::OK);
    let listed = json_of(response).await;
    let dates: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), shipped_2026);
    assert!(dates.windows(2).all(|pair| pair[0] <= pair[1]), "by date");
    assert!(dates.iter().all(|date| date.starts_with("2026-")));

    let body = json!({
        "date": "2026-06-15",
        "name": "Ponto facultativo",
        "scope": "municipal-Belém",
        "note": "Portaria 1/2026",
    });
    let response = call(
        &app,
        Method::POST,
        "/api/v1/admin/holidays",
        Some(&token),
        Some(&body),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(created["scope"], "municipal-Belém");
    assert_eq!(created["note"], "Portaria 1/2026");
    let id = created["id"].as_i64().unwrap();
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(
        (last.action.as_str(), last.actor_staff_id),
        ("holiday.create", Some(admin.id))
    );

    let path = format!("/api/v1/admin/holidays/{id}");
    let deleted = call(&app, Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(
        (last.action.as_str(), last.entity_key),
        ("holiday.delete", id.to_string())
    );
    assert_eq!(
        last.details["name"], "Ponto facultativo",
        "what was deleted"
    );
    let again = call(&app, Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_holiday_closes_its_day_at_once() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let path = "/api/v1/staff/zones/1/slots?days=31";
    let before = json_of(call(&app, Method::GET, path, Some(&token), None).await).await;
    let first: DateTime<FixedOffset> = before["slots"][0]["start"]
        .as_str()
        .expect("a free slot in the next month")
        .parse()
        .unwrap();
    let day: NaiveDate = first.with_timezone(&SERVICE_TIME_ZONE).date_naive();

    let body =
        json!({ "date": day.to_string(), "name": "Dia sem expediente", "scope": "nacional" });
    let response = call(
        &app,
        Method::POST,
        "/api/v1/admin/holidays",
        Some(&token),
        Some(&body),
    )
    .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let after = json_of(call(&app, Method::GET, path, Some(&token), None).await).await;
    let days: Vec<NaiveDate> = after["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| {
            let start: DateTime<FixedOffset> = slot["start"].as_str().unwrap().parse().unwrap();
            start.with_timezone(&SERVICE_TIME_ZONE).date_naive()
        })
        .collect();
    assert!(!days.is_empty());
    assert!(!days.contains(&day), "no slot on {day}");
}

#[tokio::test]
async fn bad_holidays_are_refused_per_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let before = row_counts(&app.store).await;
    let holiday = |changes: Value| {
        let mut body =
            json!({ "date": "2026-06-15", "name": "Ponto facultativo", "scope": "forense" });
        merge(&mut body, changes);
        body
    };
    let cases = [
        ("an empty body", json!({}), vec!["date", "name", "scope"]),
        (
            "a date in another format",
            holiday(json!({ "date": "15/06/2026" })),
            vec!["date"],
        ),
        (
            "an unknown scope",
            holiday(json!({ "scope": "mundial" })),
            vec!["scope"],
        ),
        (
            "another state",
            holiday(json!({ "scope": "estadual-SP" })),
            vec!["scope"],
        ),
        (
            "a municipality no zone serves",
            holiday(json!({ "scope": "municipal-Atlântida" })),
            vec!["scope"],
        ),
        (
            "the same date and scope as a listed holiday",
            holiday(json!({ "date": "2026-12-25", "scope": "nacional" })),
            vec!["date"],
        ),
        (
            "a listed municipal holiday, spelt with its accent",
            holiday(json!({ "date": "2026-01-12", "scope": "municipal-Belém" })),
            vec!["date"],
        ),
        (
            "a name on two lines",
            holiday(json!({ "name": "Ponto\nfacultativo" })),
            vec!["name"],
        ),
        (
            "a zero-width space in the note",
            holiday(json!({ "note": "Portaria\u{200B} 1/2026" })),
            vec!["note"],
        ),
        (
            "a bidirectional control after the municipality",
            holiday(json!({ "scope": "municipal-Belém\u{202E}" })),
            vec!["scope"],
        ),
        (
            "the year 9999",
            holiday(json!({ "date": "9999-12-25" })),
            vec!["date"],
        ),
        (
            "before 2000",
            holiday(json!({ "date": "1999-12-31" })),
            vec!["date"],
        ),
        (
            "after 2100",
            holiday(json!({ "date": "2101-01-01" })),
            vec!["date"],
        ),
        (
            "fields of the wrong type",
            holiday(json!({ "date": 20260615, "name": true })),
            vec!["date", "name"],
        ),
    ];

    for (description, body, fields) in cases {
        let response = call(
            &app,
            Method::POST,
            "/api/v1/admin/holidays",
            Some(&token),
            Some(&body),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{description}"
        );
        assert_eq!(
            error_fields(&json_of(response).await),
            fields,
            "{description}"
        );
    }

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_holiday_in_the_year_9999_is_refused_with_the_years_allowed() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let before = row_counts(&app.store).await;
    let post = |date: &str| {
        let body = json!({ "date": date, "name": "Feriado distante", "scope": "nacional" });
        let app = &app;
        let token = token.clone();
        async move {
            call(
                app,
                Method::POST,
                "/api/v1/admin/holidays",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };

    let response = post("9999-12-25").await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json_of(response).await;
    assert_eq!(
        body["errors"]["date"][0],
        "A data do feriado deve estar entre 2000 e 2100."
    );
    assert_eq!(row_counts(&app.store).await, before, "nothing was stored");
    for date in ["2000-01-03", "2100-12-31"] {
        let response = post(date).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{date} is in range");
    }
}

#[tokio::test]
async fn jobs_are_listed_newest_first_and_by_state() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let start = app.now() - Duration::hours(1);
    let mut ids = Vec::new();
    for (minutes, state) in [
        (0, JobState::Done),
        (1, JobState::Dead),
        (2, JobState::Pending),
        (3, JobState::Dead),
    ] {
        ids.push(
            insert_job(&app, state, start + Duration::minutes(minutes))
                .await
                .id,
        );
    }
    let listed_ids = |body: Value| -> Vec<i64> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|job| job["id"].as_i64().unwrap())
            .collect()
    };
    let cases = [
        ("every job", "", vec![ids[3], ids[2], ids[1], ids[0]]),
        ("dead ones", "?state=dead", vec![ids[3], ids[1]]),
        ("the newest two", "?limit=2", vec![ids[3], ids[2]]),
        ("running ones", "?state=running", vec![]),
    ];

    for (description, query, expected) in cases {
        let path = format!("/api/v1/admin/jobs{query}");
        let response = call(&app, Method::GET, &path, Some(&token), None).await;
        assert_eq!(response.status(), StatusCode::OK, "{description}");
        assert_eq!(
            listed_ids(json_of(response).await),
            expected,
            "{description}"
        );
    }

    let response = call(
        &app,
        Method::GET,
        "/api/v1/admin/jobs?state=lost",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&json_of(response).await), ["state"]);
}

#[tokio::test]
async fn a_dead_job_is_retried_and_goes_back_to_the_queue() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let dead = insert_job(&app, JobState::Dead, app.now() - Duration::hours(2)).await;
    let asked_at = app.now() - Duration::seconds(1);

    let path = format!("/api/v1/admin/jobs/{}/retry", dead.id);
    let response = call(&app, Method::POST, &path, Some(&token), None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let job = json_of(response).await;
    assert_eq!(job["state"], "pending");
    assert_eq!(job["attempts"], 8, "attempts are kept");
    assert_eq!(
        job["last_error"],
        "o servidor de e-mail recusou a mensagem: permanent error (550): mailbox unavailable"
    );
    let row = jobs::Entity::find_by_id(dead.id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, JobState::Pending);
    assert!(row.run_at >= asked_at, "due now");
    assert_eq!((row.locked_until, row.locked_by), (None, None));
    assert_eq!(row.last_error, dead.last_error);
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(
        (last.action.as_str(), last.entity_key, last.actor_staff_id),
        ("job.retry", dead.id.to_string(), Some(admin.id))
    );
}

#[tokio::test]
async fn only_a_dead_job_may_be_retried() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let pending = insert_job(&app, JobState::Pending, app.now()).await;
    let stored = || async {
        jobs::Entity::find_by_id(pending.id)
            .one(app.store.connection())
            .await
            .unwrap()
            .unwrap()
    };
    let job_before = stored().await;
    let before = row_counts(&app.store).await;

    let path = format!("/api/v1/admin/jobs/{}/retry", pending.id);
    let response = call(&app, Method::POST, &path, Some(&token), None).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(json_of(response).await["code"], "job_not_dead");
    let unknown = call(
        &app,
        Method::POST,
        "/api/v1/admin/jobs/999999/retry",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(row_counts(&app.store).await, before);
    assert_eq!(stored().await, job_before, "the job is untouched");
}

#[tokio::test]
async fn every_admin_change_leaves_one_audit_row_naming_the_actor() {
    let app = spawn_app().await;
    let (admin, token) = admin(&app).await;
    let clerk = create_clerk(&app.store, CLERK_EMAIL, &[1]).await;
    let dead = insert_job(&app, JobState::Dead, app.now()).await;
    let holiday = json!({ "date": "2026-06-15", "name": "Ponto facultativo", "scope": "forense" });
    let created = call(
        &app,
        Method::POST,
        "/api/v1/admin/holidays",
        Some(&token),
        Some(&holiday),
    )
    .await;
    let holiday_id = json_of(created).await["id"].as_i64().unwrap();
    let staff_path = format!("/api/v1/admin/staff/{}", clerk.id);
    let holiday_path = format!("/api/v1/admin/holidays/{holiday_id}");
    let job_path = format!("/api/v1/admin/jobs/{}/retry", dead.id);
    let cases: Vec<(&str, Method, &str, Option<Value>, &str)> = vec![
        (
            "an account created",
            Method::POST,
            "/api/v1/admin/staff",
            Some(account_body(json!({}))),
            "staff.create",
        ),
        (
            "an account changed",
            Method::PATCH,
            &staff_path,
            Some(json!({ "zones": [1, 28] })),
            "staff.update",
        ),
        (
            "a zone created",
            Method::POST,
            "/api/v1/admin/zones",
            Some(json!({ "number": 108, "name": "108ª Zona", "municipalities": ["Belém"] })),
            "zone.create",
        ),
        (
            "a zone changed",
            Method::PATCH,
            "/api/v1/admin/zones/108",
            Some(json!({ "seat": "Belém" })),
            "zone.update",
        ),
        (
            "a holiday added",
            Method::POST,
            "/api/v1/admin/holidays",
            Some(
                json!({ "date": "2026-06-16", "name": "Outro ponto facultativo", "scope": "forense" }),
            ),
            "holiday.create",
        ),
        (
            "a holiday deleted",
            Method::DELETE,
            &holiday_path,
            None,
            "holiday.delete",
        ),
        ("a job retried", Method::POST, &job_path, None, "job.retry"),
    ];

    for (description, method, path, body, action) in cases {
        let before = audit_rows(&app).await.len();
        let response = call(&app, method, path, Some(&token), body.as_ref()).await;
        assert!(
            response.status().is_success(),
            "{description}: {}",
            response.status()
        );
        let rows = audit_rows(&app).await;
        assert_eq!(rows.len(), before + 1, "{description}");
        let last = rows.last().unwrap();
        assert_eq!(last.action, action, "{description}");
        assert_eq!(last.actor_staff_id, Some(admin.id), "{description}");
    }

    let reads = [
        "/api/v1/admin/staff",
        "/api/v1/admin/zones",
        "/api/v1/admin/jobs",
    ];
    let before = audit_log::Entity::find()
        .count(app.store.connection())
        .await
        .unwrap();
    for path in reads {
        call(&app, Method::GET, path, Some(&token), None).await;
    }
    let after = audit_log::Entity::find()
        .count(app.store.connection())
        .await
        .unwrap();
    assert_eq!(after, before, "reading changes nothing");
}

#[tokio::test]
async fn an_admin_marks_an_account_as_a_libras_interpreter_and_back() {
    let app = spawn_app().await;
    let (_, token) = admin(&app).await;
    let body = account_body(json!({ "email": "interprete@tre-pa.jus.br", "interpreter": true }));
    let response = call(
        &app,
        Method::POST,
        "/api/v1/admin/staff",
        Some(&token),
        Some(&body),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created = json_of(response).await;
    assert_eq!(created["interpreter"], true);
    let last = audit_rows(&app).await.pop().expect("an audit row");
    assert_eq!(last.details["interpreter"], true);

    let path = format!("/api/v1/admin/staff/{}", created["id"]);
    let wrong = call(
        &app,
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({ "interpreter": "sim" })),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let changed = call(
        &app,
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({ "interpreter": false })),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(json_of(changed).await["interpreter"], false);

    let plain = account_body(json!({ "email": "outra@tre-pa.jus.br" }));
    let response = call(
        &app,
        Method::POST,
        "/api/v1/admin/staff",
        Some(&token),
        Some(&plain),
    )
    .await;
    assert_eq!(
        json_of(response).await["interpreter"],
        false,
        "not one unless said"
    );
}
