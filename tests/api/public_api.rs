//! The public API: zones, filing, following and cancelling a request.

use chrono::{Datelike, Duration, Weekday};
use serde_json::{Value, json};

use crate::helpers::{
    Moment, row_counts, spawn_app, spawn_app_at, spawn_app_with, submission_json,
};

#[tokio::test]
async fn zones_list_every_zone_with_its_municipalities() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/api/v1/zones")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let zones: Vec<Value> = response.json().await.unwrap();
    assert_eq!(zones.len(), 101);
    assert_eq!(zones[0]["number"], 1);
    assert_eq!(zones[0]["seat"], "Belém");
    assert_eq!(zones[0]["municipalities"], json!(["Belém"]));
    assert!(zones[0]["name"].as_str().unwrap().contains("Zona"));
}

#[tokio::test]
async fn a_good_submission_is_created_and_can_be_followed() {
    let app = spawn_app().await;

    let response = app.post_json("/api/v1/requests", &submission_json(1)).await;

    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["status"], "submitted");
    let protocol = receipt["protocol"].as_str().unwrap();
    let token = receipt["tracking_token"].as_str().unwrap();
    assert!(
        receipt["tracking_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/acompanhar/{protocol}?token={token}"))
    );

    let tracked = app
        .http
        .get(app.url(&format!("/api/v1/requests/{protocol}?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(tracked.status(), 200);
    let body: Value = tracked.json().await.unwrap();
    assert_eq!(body["protocol"], protocol);
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["zone"], 1);
    assert_eq!(body["cancellable"], true);
    assert_eq!(body["history"].as_array().unwrap().len(), 1);
    assert_eq!(body["history"][0]["status"], "submitted");
    let text = body.to_string();
    assert!(
        !text.contains("cpf") && !text.contains("@example.com"),
        "no personal data: {text}"
    );
}

#[tokio::test]
async fn a_wrong_or_missing_token_answers_like_an_unknown_protocol() {
    let app = spawn_app().await;
    let (protocol, token) = app.submit(1).await;
    let get = |path: String| {
        let request = app.http.get(app.url(&path)).send();
        async move {
            let response = request.await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };

    let unknown = get("/api/v1/requests/2026-999999?token=abc".into()).await;
    let cases = [
        (
            "a wrong token",
            format!("/api/v1/requests/{protocol}?token=wrong"),
        ),
        ("no token", format!("/api/v1/requests/{protocol}")),
        (
            "an empty token",
            format!("/api/v1/requests/{protocol}?token="),
        ),
        (
            "another request's token",
            format!(
                "/api/v1/requests/{protocol}?token={}",
                app.submit(1).await.1
            ),
        ),
        (
            "the token in other case",
            format!("/api/v1/requests/{protocol}?token={}", token.to_uppercase()),
        ),
    ];
    for (description, path) in cases {
        assert_eq!(get(path).await, unknown, "{description}");
    }
    assert_eq!(unknown.0, 404);
}

#[tokio::test]
async fn the_requester_cancels_once() {
    let app = spawn_app().await;
    let (protocol, token) = app.submit(1).await;
    let cancel = || {
        app.http
            .post(app.url(&format!("/api/v1/requests/{protocol}/cancel?token={token}")))
            .send()
    };

    let first = cancel().await.unwrap();
    let second = cancel().await.unwrap();
    let wrong_token = app
        .http
        .post(app.url(&format!("/api/v1/requests/{protocol}/cancel?token=nope")))
        .send()
        .await
        .unwrap();

    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["cancellable"], false);
    assert_eq!(second.status(), 409);
    let conflict: Value = second.json().await.unwrap();
    assert_eq!(conflict["code"], "transition_not_allowed");
    assert_eq!(wrong_token.status(), 404);
}

#[tokio::test]
async fn a_filled_honeypot_looks_accepted_but_stores_nothing() {
    let app = spawn_app().await;
    let before = row_counts(&app.store).await;
    let mut body = submission_json(1);
    body["website"] = json!("http://spam.example");

    let response = app.post_json("/api/v1/requests", &body).await;

    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["status"], "submitted");
    assert_eq!(row_counts(&app.store).await, before);
    let protocol = receipt["protocol"].as_str().unwrap();
    let token = receipt["tracking_token"].as_str().unwrap();
    let followed = app
        .http
        .get(app.url(&format!("/api/v1/requests/{protocol}?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), 404);
}

#[tokio::test]
async fn submissions_per_address_are_limited() {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(3))]).await;

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.post_json("/api/v1/requests", &submission_json(1)).await);
    }

    let codes: Vec<u16> = statuses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(codes, [201, 201, 201, 429]);
    let retry_after: u64 = statuses[3].headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn behind_a_proxy_the_limit_follows_the_address_the_proxy_saw() {
    let app = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(2)),
        ("server.trust_forwarded_for", json!(true)),
    ])
    .await;
    let post_from = |forwarded: String| {
        app.http
            .post(app.url("/api/v1/requests"))
            .header("x-forwarded-for", forwarded)
            .json(&submission_json(1))
            .send()
    };

    let mut codes = Vec::new();
    // One client inventing a new first entry each time; the proxy appends what it saw.
    for attempt in 0..3 {
        let response = post_from(format!("198.51.100.{attempt}, 203.0.113.7"))
            .await
            .unwrap();
        codes.push(response.status().as_u16());
    }
    let other_client = post_from("203.0.113.8".into()).await.unwrap();

    assert_eq!(codes, [201, 201, 429]);
    assert_eq!(other_client.status(), 201);
}

#[tokio::test]
async fn a_person_with_too_many_open_requests_is_told_the_rule() {
    let app = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(0)),
        ("limits.open_requests_per_person", json!(1)),
    ])
    .await;
    let body = submission_json(1);
    assert_eq!(app.post_json("/api/v1/requests", &body).await.status(), 201);
    let before = row_counts(&app.store).await;
    let mut same_address_in_capitals = submission_json(1);
    same_address_in_capitals["email"] = json!(body["email"].as_str().unwrap().to_uppercase());

    let again = app
        .post_json("/api/v1/requests", &same_address_in_capitals)
        .await;

    assert_eq!(again.status(), 422);
    let errors: Value = again.json().await.unwrap();
    let message = errors["errors"]["email"][0].as_str().unwrap();
    assert!(
        message.starts_with(
            "Cada endereço de e-mail pode ter até 1 pedido em andamento ao mesmo tempo."
        ),
        "{errors}"
    );
    assert!(errors["errors"].get("cpf").is_none(), "{errors}");
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn someone_elses_requests_with_my_cpf_do_not_refuse_mine() {
    let app = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(0)),
        ("limits.open_requests_per_person", json!(1)),
    ])
    .await;
    let mine = submission_json(1);
    for _ in 0..3 {
        let mut impostor = submission_json(1);
        impostor["cpf"] = mine["cpf"].clone();
        let filed = app.post_json("/api/v1/requests", &impostor).await;
        assert_eq!(
            filed.status(),
            201,
            "a throwaway address is under the limit"
        );
    }

    let own = app.post_json("/api/v1/requests", &mine).await;

    assert_eq!(own.status(), 201, "{}", own.text().await.unwrap());
}

#[tokio::test]
async fn invisible_and_bidirectional_characters_are_refused_in_every_typed_field() {
    let app = spawn_app().await;
    let before = row_counts(&app.store).await;
    let cases = [
        (
            "a right-to-left override: displays as \"Certidão exe.jpg\"",
            "subject",
            "Certidão \u{202E}gpj.exe",
        ),
        (
            "a zero-width space",
            "subject",
            "Certi\u{200B}dão de quitação",
        ),
        (
            "a first-strong isolate and its end",
            "description",
            "Preciso de uma certidão \u{2068}urgente\u{2069}, por favor.",
        ),
        (
            "a soft hyphen",
            "description",
            "Preciso de uma cer\u{AD}tidão de quitação eleitoral.",
        ),
        (
            "a left-to-right mark",
            "description",
            "Preciso de uma certidão\u{200E} de quitação.",
        ),
        ("a byte-order mark", "name", "\u{FEFF}Maria Souza"),
        ("a zero-width joiner", "name", "Ma\u{200D}ria Souza"),
        ("a word joiner", "email", "maria\u{2060}@example.com"),
    ];

    for (description, field, value) in cases {
        let mut json = submission_json(1);
        json[field] = json!(value);
        let response = app.post_json("/api/v1/requests", &json).await;
        assert_eq!(response.status(), 422, "{description}");
        let body: Value = response.json().await.unwrap();
        let fields: Vec<&String> = body["errors"].as_object().unwrap().keys().collect();
        assert_eq!(fields, [field], "{description}: {body}");
        let message = body["errors"][field][0].as_str().unwrap();
        assert!(
            message.contains("caracteres invisíveis ou de controle"),
            "{description}: {message}"
        );
    }

    let mut form = submission_json(1);
    form["subject"] = json!("Certidão \u{202E}gpj.exe");
    let fields: Vec<(String, String)> = form
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| match value {
            Value::String(text) => (name.clone(), text.clone()),
            Value::Bool(_) => (name.clone(), "on".to_string()),
            other => (name.clone(), other.to_string()),
        })
        .collect();
    let page = app
        .http
        .post(app.url("/solicitar"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422, "the form answers as the API");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"subject-error\"")
            && html.contains("O assunto contém caracteres invisíveis ou de controle"),
        "the message is beside the subject"
    );
    assert_eq!(row_counts(&app.store).await, before, "nothing was stored");

    // Between two emoji a joiner only joins pictures: a sequence picked from a phone's
    // keyboard is kept as typed.
    let mut json = submission_json(1);
    json["description"] = json!("Sou programadora 👩\u{200D}💻 e preciso de uma certidão.");
    let response = app.post_json("/api/v1/requests", &json).await;
    assert_eq!(response.status(), 201);
}

/// The next Saturday at least two days ahead, and a date well past the 60-day horizon.
fn saturday_and_far_date(today: chrono::NaiveDate) -> (String, String) {
    let mut day = today + Duration::days(2);
    while day.weekday() != Weekday::Sat {
        day += Duration::days(1);
    }
    (day.to_string(), (today + Duration::days(90)).to_string())
}

enum Body {
    /// The valid sample with one change.
    Json(fn(&mut Value)),
    Raw(&'static str, &'static str),
    Huge,
}

at_awkward_moments!(bad_inputs_get_their_documented_status_and_store_nothing);
async fn bad_inputs_get_their_documented_status_and_store_nothing(moment: Moment) {
    let app = spawn_app_at(
        moment.clock(),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    let before = row_counts(&app.store).await;
    let (saturday, far) = saturday_and_far_date(app.today());

    let cases: Vec<(&str, Body, u16, &[&str])> = vec![
        (
            "no zone",
            Body::Json(|b| drop(b.as_object_mut().unwrap().remove("zone"))),
            422,
            &["zone"],
        ),
        (
            "the zone as text",
            Body::Json(|b| b["zone"] = json!("1")),
            422,
            &["zone"],
        ),
        (
            "zone 0",
            Body::Json(|b| b["zone"] = json!(0)),
            422,
            &["zone"],
        ),
        (
            "a zone that does not exist",
            Body::Json(|b| b["zone"] = json!(47)),
            422,
            &["zone"],
        ),
        (
            "a zone beyond range",
            Body::Json(|b| b["zone"] = json!(1_000_000_000_000i64)),
            422,
            &["zone"],
        ),
        (
            "no name",
            Body::Json(|b| drop(b.as_object_mut().unwrap().remove("name"))),
            422,
            &["name"],
        ),
        (
            "a name with digits",
            Body::Json(|b| b["name"] = json!("Maria 123")),
            422,
            &["name"],
        ),
        (
            "HTML in the name",
            Body::Json(|b| b["name"] = json!("<script>alert(1)</script>")),
            422,
            &["name"],
        ),
        (
            "SQL in the name",
            Body::Json(|b| b["name"] = json!("Robert'); DROP TABLE requests;--")),
            422,
            &["name"],
        ),
        (
            "a huge name",
            Body::Json(|b| b["name"] = json!("Maria ".repeat(2000))),
            422,
            &["name"],
        ),
        (
            "a NUL in the name",
            Body::Json(|b| b["name"] = json!("Maria\u{0}Souza")),
            422,
            &["name"],
        ),
        (
            "a CPF with wrong check digits",
            Body::Json(|b| b["cpf"] = json!("123.456.789-00")),
            422,
            &["cpf"],
        ),
        (
            "a CPF of one repeated digit",
            Body::Json(|b| b["cpf"] = json!("111.111.111-11")),
            422,
            &["cpf"],
        ),
        (
            "the CPF as a number",
            Body::Json(|b| b["cpf"] = json!(52998224725u64)),
            422,
            &["cpf"],
        ),
        (
            "letters in the CPF",
            Body::Json(|b| b["cpf"] = json!("529.982.247-2X")),
            422,
            &["cpf"],
        ),
        (
            "an e-mail without domain",
            Body::Json(|b| b["email"] = json!("maria@")),
            422,
            &["email"],
        ),
        (
            "an e-mail with a space",
            Body::Json(|b| b["email"] = json!("ma ria@example.com")),
            422,
            &["email"],
        ),
        (
            "a phone with an unknown area code",
            Body::Json(|b| b["phone"] = json!("(20) 98765-4321")),
            422,
            &["phone"],
        ),
        (
            "a phone too short",
            Body::Json(|b| b["phone"] = json!("9876-543")),
            422,
            &["phone"],
        ),
        (
            "an unknown role",
            Body::Json(|b| b["role"] = json!("juiz")),
            422,
            &["role"],
        ),
        (
            "a lawyer without OAB",
            Body::Json(|b| b["role"] = json!("advogado")),
            422,
            &["oab"],
        ),
        (
            "a malformed OAB",
            Body::Json(|b| {
                b["role"] = json!("advogado");
                b["oab"] = json!("XX 123")
            }),
            422,
            &["oab"],
        ),
        (
            "a process number with a wrong check",
            Body::Json(|b| b["process_number"] = json!("0600123-45.2024.6.14.0001")),
            422,
            &["process_number"],
        ),
        (
            "HTML in the subject",
            Body::Json(|b| b["subject"] = json!("<b>urgente</b>")),
            422,
            &["subject"],
        ),
        (
            "a one-letter subject",
            Body::Json(|b| b["subject"] = json!("a")),
            422,
            &["subject"],
        ),
        (
            "a short description",
            Body::Json(|b| b["description"] = json!("curta")),
            422,
            &["description"],
        ),
        (
            "a description over 2000 characters",
            Body::Json(|b| b["description"] = json!("a".repeat(2001))),
            422,
            &["description"],
        ),
        (
            "an iframe in the description",
            Body::Json(|b| {
                b["description"] = json!("Veja <iframe src=x></iframe> aqui, por favor")
            }),
            422,
            &["description"],
        ),
        (
            "a bell character in the description",
            Body::Json(|b| b["description"] = json!("Texto com sino \u{7} no meio")),
            422,
            &["description"],
        ),
        (
            "no consent",
            Body::Json(|b| b["consent"] = json!(false)),
            422,
            &["consent"],
        ),
        (
            "consent as text",
            Body::Json(|b| b["consent"] = json!("true")),
            422,
            &["consent"],
        ),
        (
            "preferred dates as text",
            Body::Json(|b| b["preferred_dates"] = json!("2026-12-03")),
            422,
            &["preferred_dates"],
        ),
        (
            "a preferred date in another format",
            Body::Json(|b| b["preferred_dates"] = json!(["03/12/2026"])),
            422,
            &["preferred_dates"],
        ),
        (
            "a preferred date in the past",
            Body::Json(|b| b["preferred_dates"] = json!(["2020-01-06"])),
            422,
            &["preferred_dates"],
        ),
        (
            "many fields wrong at once",
            Body::Json(|b| {
                b["cpf"] = json!("1");
                b["email"] = json!("x");
                b["consent"] = json!(false)
            }),
            422,
            &["consent", "cpf", "email"],
        ),
        (
            "an empty object",
            Body::Raw("application/json", "{}"),
            422,
            &[
                "consent",
                "cpf",
                "description",
                "email",
                "name",
                "phone",
                "role",
                "subject",
                "zone",
            ],
        ),
        (
            "malformed JSON",
            Body::Raw("application/json", "{\"zone\": 1,"),
            400,
            &[],
        ),
        (
            "a JSON array",
            Body::Raw("application/json", "[1, 2]"),
            400,
            &[],
        ),
        ("an empty body", Body::Raw("application/json", ""), 400, &[]),
        ("plain text", Body::Raw("text/plain", "zone=1"), 415, &[]),
        (
            "a form post",
            Body::Raw("application/x-www-form-urlencoded", "zone=1&name=Maria"),
            415,
            &[],
        ),
        ("a body over 64 KiB", Body::Huge, 413, &[]),
    ];
    assert!(cases.len() >= 30);

    for (description, body, status, fields) in cases {
        let request = app.http.post(app.url("/api/v1/requests"));
        let request = match body {
            Body::Json(change) => {
                let mut json = submission_json(1);
                change(&mut json);
                request.json(&json)
            }
            Body::Raw(content_type, text) => {
                request.header("content-type", content_type).body(text)
            }
            Body::Huge => {
                let mut json = submission_json(1);
                json["description"] = json!("x".repeat(70 * 1024));
                request.json(&json)
            }
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{description}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|_| panic!("{description}: a JSON body"));
        if status == 422 {
            let mut found: Vec<&str> = body["errors"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            found.sort();
            assert_eq!(found, fields, "{description}: {body}");
            for messages in body["errors"].as_object().unwrap().values() {
                assert!(!messages[0].as_str().unwrap().is_empty(), "{description}");
            }
        } else {
            assert!(
                body["error"].is_string() && body["code"].is_string(),
                "{description}: {body}"
            );
        }
    }

    for (description, date, field) in [
        ("a Saturday", saturday, "preferred_dates"),
        ("beyond 60 days", far, "preferred_dates"),
    ] {
        let mut json = submission_json(1);
        json["preferred_dates"] = json!([date]);
        let response = app.post_json("/api/v1/requests", &json).await;
        assert_eq!(response.status(), 422, "{description}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][field].is_array(), "{description}: {body}");
    }
    assert_eq!(row_counts(&app.store).await, before, "nothing was stored");
}

#[tokio::test]
async fn the_confirmation_page_is_only_for_whoever_holds_the_token() {
    let app = spawn_app().await;
    let (protocol, token) = app.submit(1).await;
    let mut spam = submission_json(1);
    spam["website"] = json!("http://spam.example");
    let decoy: Value = app
        .post_json("/api/v1/requests", &spam)
        .await
        .json()
        .await
        .unwrap();
    let page = |protocol: &str, token: &str| {
        let url = app.url(&format!("/solicitar/recebida/{protocol}?token={token}"));
        let http = app.http.clone();
        async move { http.get(url).send().await.unwrap() }
    };

    let own = page(&protocol, &token).await;
    let wrong_token = page(&protocol, "qualquer-coisa").await;
    let unknown = page("2026-999999", &token).await;
    let bot = page(
        decoy["protocol"].as_str().unwrap(),
        decoy["tracking_token"].as_str().unwrap(),
    )
    .await;

    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains(&protocol));
    assert_eq!(wrong_token.status(), 404);
    assert!(
        wrong_token
            .text()
            .await
            .unwrap()
            .contains("Pedido não encontrado"),
        "the pages' own 404"
    );
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        bot.status(),
        200,
        "a decoy receipt still looks real to the bot"
    );
}
