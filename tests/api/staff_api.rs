//! The staff API: sign-in, the inbox, a request's detail, transitions and free slots, and
//! the rule that a clerk never reaches another zone's request.

use chrono::Utc;
use contato::domain::staff::Role;
use entities::staff;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{
    Moment, TestApp, belem_calendar, create_clerk, create_staff, row_counts, spawn_app,
    spawn_app_when, spawn_app_with,
};

/// An app with a clerk of zone 1 (Ana), a clerk of zone 28 (Bia) and an admin.
struct Court {
    app: TestApp,
    ana: String,
    bia: String,
    admin: String,
}

async fn court() -> Court {
    court_at(Moment::Now).await
}

async fn court_at(moment: Moment) -> Court {
    let app = spawn_app_when(moment).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_clerk(&app.store, "bia@tre-pa.jus.br", &[28]).await;
    create_staff(&app.store, "ti@tre-pa.jus.br", Role::Admin, &[]).await;
    let ana = app.sign_in("ana@tre-pa.jus.br").await;
    let bia = app.sign_in("bia@tre-pa.jus.br").await;
    let admin = app.sign_in("ti@tre-pa.jus.br").await;
    Court {
        app,
        ana,
        bia,
        admin,
    }
}

/// Files a request in `zone` and returns its staff id, as the inbox of an admin shows it.
async fn request_id(court: &Court, zone: i64) -> (i64, String) {
    let (protocol, _) = court.app.submit(zone).await;
    let inbox: Value = court
        .app
        .get_as(
            &court.admin,
            &format!("/api/v1/staff/requests?q={protocol}"),
        )
        .await
        .json()
        .await
        .unwrap();
    (inbox["items"][0]["id"].as_i64().unwrap(), protocol)
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn sign_in_gives_an_expiring_token_and_wrong_credentials_get_401() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1, 28]).await;

    let good = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ANA@tre-pa.jus.br", "password": crate::helpers::TEST_PASSWORD}),
        )
        .await;
    let wrong_password = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ana@tre-pa.jus.br", "password": "não é esta senha"}),
        )
        .await;
    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ninguem@tre-pa.jus.br", "password": "não é esta senha"}),
        )
        .await;
    let empty = app
        .post_json("/api/v1/auth/login", &json!({"email": 3}))
        .await;

    let (status, body) = json_of(good).await;
    assert_eq!(status, 200);
    assert_eq!(body["token"].as_str().unwrap().len(), 43);
    assert_eq!(body["staff"]["zones"], json!([1, 28]));
    let expires: chrono::DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let hours = (expires - app.now()).num_minutes() as f64 / 60.0;
    assert!((11.9..=12.0).contains(&hours), "{hours}");
    assert_eq!(wrong_password.headers()["www-authenticate"], "Bearer");
    let (wrong_status, wrong_body) = json_of(wrong_password).await;
    let (unknown_status, unknown_body) = json_of(unknown).await;
    assert_eq!((wrong_status, unknown_status), (401, 401));
    assert_eq!(
        wrong_body, unknown_body,
        "an unknown e-mail reads like a wrong password"
    );
    let (status, body) = json_of(empty).await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["email"].is_array() && body["errors"]["password"].is_array(),
        "{body}"
    );
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let attempt = |password: &'static str| {
        let body = json!({"email": "ana@tre-pa.jus.br", "password": password});
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", &body).await }
    };

    for _ in 0..5 {
        assert_eq!(attempt("senha errada de novo").await.status(), 401);
    }
    let blocked = attempt(crate::helpers::TEST_PASSWORD).await;

    assert_eq!(blocked.status(), 429, "even the right password waits");
    assert!(blocked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_the_password_is_checked() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let body = json!({"email": "ana@tre-pa.jus.br", "password": "senha errada de novo"});

    let guesses = (0..12).map(|_| app.post_json("/api/v1/auth/login", &body));
    let codes: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|response| response.status().as_u16())
        .collect();

    assert_eq!(
        codes.iter().filter(|&&code| code == 401).count(),
        5,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|&&code| code == 429).count(),
        7,
        "{codes:?}"
    );
}

#[tokio::test]
async fn successful_sign_ins_from_one_office_do_not_use_up_its_limit() {
    let app = spawn_app_with(&[("auth.max_failed_logins_per_address", json!(3))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;

    for _ in 0..5 {
        app.sign_in("ana@tre-pa.jus.br").await;
    }
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_nor_use_its_token() {
    let app = spawn_app().await;
    let ana = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let account = staff::Entity::find_by_id(ana.id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    let mut account: staff::ActiveModel = account.into();
    account.active = Set(false);
    account.update(app.store.connection()).await.unwrap();

    let with_token = app.get_as(&token, "/api/v1/staff/requests").await;
    let sign_in = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "ana@tre-pa.jus.br", "password": crate::helpers::TEST_PASSWORD}),
        )
        .await;

    assert_eq!(with_token.status(), 401);
    assert_eq!(sign_in.status(), 401);
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let court = court().await;

    let before = court.app.get_as(&court.ana, "/api/v1/staff/requests").await;
    let logout = court
        .app
        .post_as(&court.ana, "/api/v1/auth/logout", &json!({}))
        .await;
    let after = court.app.get_as(&court.ana, "/api/v1/staff/requests").await;
    let again = court
        .app
        .post_as(&court.ana, "/api/v1/auth/logout", &json!({}))
        .await;

    assert_eq!(before.status(), 200);
    assert_eq!(logout.status(), 204);
    assert_eq!(after.status(), 401);
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn staff_endpoints_need_a_valid_token() {
    let court = court().await;
    let (id, _) = request_id(&court, 1).await;
    let paths = [
        ("GET", "/api/v1/staff/requests".to_string()),
        ("GET", format!("/api/v1/staff/requests/{id}")),
        ("POST", format!("/api/v1/staff/requests/{id}/transitions")),
        ("GET", "/api/v1/staff/zones/1/slots".to_string()),
        ("POST", "/api/v1/auth/logout".to_string()),
    ];
    for (method, path) in paths {
        for token in [None, Some("not-a-token"), Some("")] {
            let mut request = match method {
                "GET" => court.app.http.get(court.app.url(&path)),
                _ => court
                    .app
                    .http
                    .post(court.app.url(&path))
                    .json(&json!({"action": "triage", "version": 1})),
            };
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{method} {path} with {token:?}");
        }
    }
}

#[tokio::test]
async fn the_inbox_holds_only_the_clerks_zones_oldest_first() {
    let court = court().await;
    let (first, protocol) = request_id(&court, 1).await;
    let (second, _) = request_id(&court, 1).await;
    let (_, _) = request_id(&court, 28).await;

    let (status, ana) = json_of(court.app.get_as(&court.ana, "/api/v1/staff/requests").await).await;
    let (_, admin) = json_of(
        court
            .app
            .get_as(&court.admin, "/api/v1/staff/requests")
            .await,
    )
    .await;
    let (_, found) = json_of(
        court
            .app
            .get_as(&court.ana, &format!("/api/v1/staff/requests?q={protocol}"))
            .await,
    )
    .await;
    let (_, by_name) = json_of(
        court
            .app
            .get_as(&court.ana, "/api/v1/staff/requests?q=maria%20jos%C3%A9")
            .await,
    )
    .await;
    let (_, by_folded_name) = json_of(
        court
            .app
            .get_as(&court.ana, "/api/v1/staff/requests?q=MARIA%20JOSE")
            .await,
    )
    .await;
    let (_, scheduled) = json_of(
        court
            .app
            .get_as(&court.ana, "/api/v1/staff/requests?status=scheduled,done")
            .await,
    )
    .await;
    let (bad_status, bad) = json_of(
        court
            .app
            .get_as(&court.ana, "/api/v1/staff/requests?status=open")
            .await,
    )
    .await;

    assert_eq!(status, 200);
    let ids: Vec<i64> = ana["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [first, second]);
    assert_eq!(ana["total"], 2);
    let item = &ana["items"][0];
    for field in [
        "id",
        "protocol",
        "status",
        "zone",
        "name",
        "created_at",
        "version",
    ] {
        assert!(!item[field].is_null(), "{field} in {item}");
    }
    assert_eq!(item["assignee"]["name"], "Servidora de Teste");
    assert_eq!(admin["total"], 3);
    assert_eq!(found["total"], 1);
    assert_eq!(by_name["total"], 2);
    assert_eq!(by_folded_name["total"], 2, "case and accents do not matter");
    assert_eq!(scheduled["total"], 0);
    assert_eq!(bad_status, 422);
    assert!(bad["errors"]["status"].is_array());
}

#[tokio::test]
async fn another_zones_request_is_not_found_on_every_staff_endpoint() {
    let court = court().await;
    let (id, _) = request_id(&court, 1).await;
    let slot = court.app.future_slots(1)[0].start.to_rfc3339();

    let detail = court
        .app
        .get_as(&court.bia, &format!("/api/v1/staff/requests/{id}"))
        .await;
    let transition = court
        .app
        .post_as(
            &court.bia,
            &format!("/api/v1/staff/requests/{id}/transitions"),
            &json!({"action": "triage", "version": 1}),
        )
        .await;
    let schedule = court
        .app
        .post_as(
            &court.bia,
            &format!("/api/v1/staff/requests/{id}/transitions"),
            &json!({"action": "schedule", "version": 1, "start": slot, "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    let list = court
        .app
        .get_as(&court.bia, "/api/v1/staff/requests?zone=1")
        .await;
    let slots = court
        .app
        .get_as(&court.bia, "/api/v1/staff/zones/1/slots")
        .await;
    let (_, own_list) = json_of(court.app.get_as(&court.bia, "/api/v1/staff/requests").await).await;

    assert_eq!(detail.status(), 404, "detail");
    assert_eq!(transition.status(), 404, "transition");
    assert_eq!(schedule.status(), 404, "schedule");
    assert_eq!(list.status(), 404, "list filtered by the other zone");
    assert_eq!(slots.status(), 404, "slots of the other zone");
    assert_eq!(own_list["total"], 0, "the unfiltered list leaves it out");
    let (status, after) = json_of(
        court
            .app
            .get_as(&court.ana, &format!("/api/v1/staff/requests/{id}"))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(after["status"], "submitted", "nothing happened to it");
    assert_eq!(after["version"], 1);
}

#[tokio::test]
async fn transitions_answer_409_for_stale_and_impossible_changes_and_422_for_bad_fields() {
    let court = court().await;
    let (id, _) = request_id(&court, 1).await;
    let path = format!("/api/v1/staff/requests/{id}/transitions");
    let post = |body: Value| {
        let (court, path) = (&court, &path);
        async move { court.app.post_as(&court.ana, path, &body).await }
    };

    let (status, triaged) =
        json_of(post(json!({"action": "triage", "version": 1, "note": "Documentação ok"})).await)
            .await;
    let (stale_status, stale) =
        json_of(post(json!({"action": "reject", "version": 1, "reason": "x"})).await).await;
    let (impossible_status, impossible) =
        json_of(post(json!({"action": "complete", "version": 2, "outcome": "attended"})).await)
            .await;
    let (bad_status, bad) = json_of(post(json!({"action": "schedule", "version": "2", "start": "amanhã", "meet_link": "https://zoom.us/j/1"})).await).await;
    let (unknown_status, unknown) = json_of(post(json!({"action": "approve"})).await).await;

    assert_eq!(status, 200);
    assert_eq!(triaged["status"], "triaged");
    assert_eq!(triaged["version"], 2);
    assert_eq!(triaged["history"][1]["note"], "Documentação ok");
    assert_eq!(triaged["history"][1]["actor"], "staff");
    assert_eq!(stale_status, 409);
    assert_eq!(stale["code"], "stale_version");
    assert_eq!(stale["current_version"], 2);
    assert_eq!(impossible_status, 409);
    assert_eq!(impossible["code"], "transition_not_allowed");
    assert_eq!(bad_status, 422);
    let mut fields: Vec<&String> = bad["errors"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["meet_link", "start", "version"], "{bad}");
    assert_eq!(unknown_status, 422);
    assert!(
        unknown["errors"]["action"].is_array() && unknown["errors"]["version"].is_array(),
        "{unknown}"
    );
}

at_awkward_moments!(scheduling_takes_a_free_slot_and_refuses_a_bad_one);
async fn scheduling_takes_a_free_slot_and_refuses_a_bad_one(moment: Moment) {
    let court = court_at(moment).await;
    let (id, _) = request_id(&court, 1).await;
    let path = format!("/api/v1/staff/requests/{id}/transitions");
    court
        .app
        .post_as(
            &court.ana,
            &path,
            &json!({"action": "triage", "version": 1}),
        )
        .await;
    // From the first day with service: in the recesso that is weeks away.
    let slots_path = format!(
        "/api/v1/staff/zones/1/slots?from={}&days=14",
        court.app.future_slots(1)[0].local_start().date_naive()
    );
    let (_, before) = json_of(court.app.get_as(&court.ana, &slots_path).await).await;
    let first_free = before["slots"][0]["start"].as_str().unwrap().to_string();
    let saturday_start = {
        let slot = court.app.future_slots(1)[0];
        let mut day = slot.start;
        while day
            .with_timezone(&contato::domain::schedule::SERVICE_TIME_ZONE)
            .format("%u")
            .to_string()
            != "6"
        {
            day += chrono::Duration::days(1);
        }
        day.to_rfc3339()
    };

    let (weekend_status, weekend) = json_of(
        court
            .app
            .post_as(&court.ana, &path, &json!({"action": "schedule", "version": 2, "start": saturday_start, "meet_link": "https://meet.google.com/abc-defg-hij"}))
            .await,
    )
    .await;
    let (status, scheduled) = json_of(
        court
            .app
            .post_as(&court.ana, &path, &json!({"action": "schedule", "version": 2, "start": first_free, "meet_link": "https://meet.google.com/abc-defg-hij"}))
            .await,
    )
    .await;
    let (_, after) = json_of(court.app.get_as(&court.ana, &slots_path).await).await;

    assert_eq!(weekend_status, 422);
    assert!(
        weekend["errors"]["start"][0]
            .as_str()
            .unwrap()
            .contains("dia da semana"),
        "{weekend}"
    );
    assert_eq!(status, 200, "{scheduled}");
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(
        scheduled["meet_link"],
        "https://meet.google.com/abc-defg-hij"
    );
    let starts = |v: &Value| -> Vec<String> {
        v["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["start"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(starts(&before).contains(&first_free));
    assert!(
        !starts(&after).contains(&first_free),
        "Ana, the zone's only clerk, is now busy then"
    );
    assert_eq!(starts(&after).len(), starts(&before).len() - 1);
}

/// The first day Belém's zone serves after `after`, at 08:30 there, as RFC 3339.
fn first_service_start_after(after: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (_, holidays) = belem_calendar();
    let mut day = after.succ_opt().unwrap();
    while day.weekday().number_from_monday() > 5 || holidays.on(day).is_some() {
        day = day.succ_opt().unwrap();
    }
    format!("{day}T08:30:00-03:00")
}

#[tokio::test]
async fn scheduling_beyond_the_horizon_is_refused_and_writes_nothing() {
    let court = court().await;
    let app = &court.app;
    let (id, _) = request_id(&court, 1).await;
    let path = format!("/api/v1/staff/requests/{id}/transitions");
    let detail = format!("/api/v1/staff/requests/{id}");
    app.post_as(
        &court.ana,
        &path,
        &json!({"action": "triage", "version": 1}),
    )
    .await;
    let link = "https://meet.google.com/abc-defg-hij";
    let last_day = app.today() + chrono::Duration::days(365);
    let before = row_counts(&app.store).await;

    // A Wednesday at 09:10: a slot of the zone's window in any year.
    for (description, start) in [
        ("the year 9999", "9999-12-01T09:10:00-03:00".to_string()),
        (
            "the first day of service past 365 days",
            first_service_start_after(last_day),
        ),
    ] {
        let (status, body) = json_of(
            app.post_as(
                &court.ana,
                &path,
                &json!({"action": "schedule", "version": 2, "start": start, "meet_link": link}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{description}: {body}");
        assert_eq!(
            body["errors"]["start"][0],
            format!(
                "Data muito distante: os atendimentos podem ser marcados até {} (365 dias a partir de hoje).",
                last_day.format("%d/%m/%Y")
            ),
            "{description}"
        );
    }
    assert_eq!(
        row_counts(&app.store).await,
        before,
        "no history, no job, no e-mail"
    );
    let (_, request) = json_of(app.get_as(&court.ana, &detail).await).await;
    assert_eq!(
        (&request["status"], &request["version"]),
        (&json!("triaged"), &json!(2))
    );

    // The slot picker's source offers nothing past the horizon, wherever it is asked to start.
    let ana = court.ana.as_str();
    let slots = |from: chrono::NaiveDate| {
        let path = format!("/api/v1/staff/zones/1/slots?from={from}&days=31");
        async move {
            let (status, body) = json_of(app.get_as(ana, &path).await).await;
            assert_eq!(status, 200, "{body}");
            body["slots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|slot| {
                    let start: chrono::DateTime<chrono::FixedOffset> =
                        slot["start"].as_str().unwrap().parse().unwrap();
                    start
                        .with_timezone(&contato::domain::schedule::SERVICE_TIME_ZONE)
                        .date_naive()
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(slots("9999-11-29".parse().unwrap()).await, []);
    let near_the_end = slots(last_day - chrono::Duration::days(20)).await;
    assert!(
        !near_the_end.is_empty(),
        "days before the horizon are offered"
    );
    assert!(
        near_the_end.iter().all(|day| *day <= last_day),
        "nothing after {last_day}: {near_the_end:?}"
    );

    // Moving a meeting there is refused the same way.
    let first_free = app.future_slots(1)[0].start.to_rfc3339();
    let (status, _) = json_of(
        app.post_as(
            &court.ana,
            &path,
            &json!({"action": "schedule", "version": 2, "start": first_free, "meet_link": link}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let scheduled = row_counts(&app.store).await;
    let (status, body) = json_of(
        app.post_as(
            &court.ana,
            &path,
            &json!({"action": "reschedule", "version": 3, "start": "9999-12-01T09:10:00-03:00"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["start"].is_array(), "{body}");
    assert_eq!(row_counts(&app.store).await, scheduled);
}

#[tokio::test]
async fn a_transfer_through_the_api_hands_the_request_to_the_other_zone() {
    let court = court().await;
    let (id, _) = request_id(&court, 1).await;

    let (status, moved) = json_of(
        court
            .app
            .post_as(
                &court.ana,
                &format!("/api/v1/staff/requests/{id}/transitions"),
                &json!({"action": "transfer", "version": 1, "zone": 28}),
            )
            .await,
    )
    .await;
    let ana_sees = court
        .app
        .get_as(&court.ana, &format!("/api/v1/staff/requests/{id}"))
        .await;
    let bia_sees = court
        .app
        .get_as(&court.bia, &format!("/api/v1/staff/requests/{id}"))
        .await;

    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["zone"], 28);
    assert_eq!(moved["status"], "submitted");
    assert_eq!(ana_sees.status(), 404);
    assert_eq!(bia_sees.status(), 200);
}

/// A sign-in attempt for Ana from `address` (the service trusts `X-Forwarded-For` here).
async fn sign_in_from(app: &TestApp, address: &str, password: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": "ana@tre-pa.jus.br", "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_address_that_keeps_failing_cannot_lock_the_owner_out() {
    let app = spawn_app_with(&[("server.trust_forwarded_for", json!(true))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    for _ in 0..5 {
        let guess = sign_in_from(&app, "203.0.113.7", "senha errada de novo").await;
        assert_eq!(guess.status(), 401);
    }

    let attacker = sign_in_from(&app, "203.0.113.7", crate::helpers::TEST_PASSWORD).await;
    let owner = sign_in_from(&app, "198.51.100.20", crate::helpers::TEST_PASSWORD).await;

    assert_eq!(attacker.status(), 429, "the failing address waits");
    assert_eq!(owner.status(), 200, "the owner, from elsewhere, signs in");
}

#[tokio::test]
async fn failures_from_many_addresses_slow_the_account_down_but_never_lock_it() {
    let app = spawn_app_with(&[
        ("server.trust_forwarded_for", json!(true)),
        ("auth.max_failed_logins_per_account", json!(2)),
        ("auth.max_sign_in_delay_seconds", json!(2)),
    ])
    .await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    for n in 1..=6 {
        let guess = sign_in_from(&app, &format!("203.0.113.{n}"), "senha errada").await;
        assert_eq!(
            guess.status(),
            401,
            "one guess from each address is answered"
        );
    }

    let started = std::time::Instant::now();
    let owner = sign_in_from(&app, "198.51.100.20", crate::helpers::TEST_PASSWORD).await;
    let waited = started.elapsed();

    assert_eq!(owner.status(), 200, "slowed down, not locked");
    assert!(
        waited >= std::time::Duration::from_secs(2),
        "four failures beyond two, capped at two seconds: waited {waited:?}"
    );
}
