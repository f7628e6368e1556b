//! Every error answers in its own voice: the API its JSON body, the pages their Portuguese
//! page, whatever went wrong (an address that names nothing, a path parameter that does not
//! parse, a method a route does not take, too many attempts).

use serde_json::{Value, json};

use crate::helpers::{TestApp, create_clerk, spawn_app, spawn_app_with};

async fn answer(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String, String) {
    let request = app.http.get(app.url(path));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    answer(request.send().await.unwrap()).await
}

#[tokio::test]
async fn the_api_answers_its_json_error_whatever_went_wrong() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let deleted = app
        .http
        .delete(app.url("/api/v1/requests"))
        .send()
        .await
        .unwrap();

    let cases = [
        (
            "a request id that is not a number",
            "/api/v1/staff/requests/abc",
            404,
            "not_found",
        ),
        (
            "a zone number out of range",
            "/api/v1/staff/zones/99999999999/slots",
            404,
            "not_found",
        ),
        (
            "a protocol that is not UTF-8",
            "/api/v1/requests/%FF?token=x",
            404,
            "not_found",
        ),
        (
            "an address that names nothing",
            "/api/v1/nada-aqui",
            404,
            "not_found",
        ),
        ("the API's root", "/api", 404, "not_found"),
    ];
    for (description, path, status, code) in cases {
        let (got, content_type, body) = get(&app, path, Some(&token)).await;
        assert_eq!(got, status, "{description}: {body}");
        assert!(
            content_type.starts_with("application/json"),
            "{description}: {content_type}"
        );
        let body: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{description}: {body}"));
        assert_eq!(body["code"], code, "{description}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{description}"
        );
    }
    let (status, content_type, body) = answer(deleted).await;
    assert_eq!(status, 405);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "method_not_allowed"
    );
}

#[tokio::test]
async fn a_json_body_is_read_only_as_application_json() {
    let app = spawn_app().await;
    let mut accepted = Vec::new();
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
    ] {
        let response = app
            .http
            .post(app.url("/api/v1/requests"))
            .header("content-type", content_type)
            .body(crate::helpers::submission_json(1).to_string())
            .send()
            .await
            .unwrap();
        accepted.push(response.status().as_u16());
    }
    let refused = app
        .http
        .post(app.url("/api/v1/requests"))
        .header("content-type", "application/vnd.api+json")
        .body(crate::helpers::submission_json(1).to_string())
        .send()
        .await
        .unwrap();

    assert_eq!(accepted, [201, 201, 201]);
    assert_eq!(refused.status(), 415);
}

#[tokio::test]
async fn the_pages_answer_their_portuguese_page_whatever_went_wrong() {
    let app = spawn_app().await;
    let posted = app.http.post(app.url("/")).send().await.unwrap();

    for (description, path) in [
        ("an address that names nothing", "/nada-aqui"),
        ("a protocol that is not UTF-8", "/acompanhar/%FF?token=x"),
        ("a panel address that names nothing", "/painel/nada"),
    ] {
        let (status, content_type, body) = get(&app, path, None).await;
        assert_eq!(status, 404, "{description}");
        assert!(
            content_type.starts_with("text/html"),
            "{description}: {content_type}"
        );
        assert!(body.contains("lang=\"pt-BR\""), "{description}");
    }
    let (status, content_type, body) = answer(posted).await;
    assert_eq!(status, 405);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        body.contains("Este endereço não recebe formulários"),
        "{body}"
    );
}

#[tokio::test]
async fn a_request_page_whose_id_is_not_a_number_is_not_found() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let clerk = crate::panel::signed_in(&app, "ana@tre-pa.jus.br").await;

    let response = clerk
        .get(app.url("/painel/solicitacoes/abc"))
        .send()
        .await
        .unwrap();

    let (status, content_type, body) = answer(response).await;
    assert_eq!(status, 404);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains("Página não encontrada"), "{body}");
}

#[tokio::test]
async fn the_forms_429_says_when_to_come_back_as_the_apis_does() {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(1))]).await;
    let form = [("zone", "1"), ("name", "Maria")];
    let first = app
        .http
        .post(app.url("/solicitar"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.status(),
        422,
        "counted, though refused for its fields"
    );

    let second = app
        .http
        .post(app.url("/solicitar"))
        .form(&form)
        .send()
        .await
        .unwrap();

    assert_eq!(second.status(), 429);
    let wait: u64 = second.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}
