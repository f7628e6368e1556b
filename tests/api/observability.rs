//! Metrics, security headers, compression and request ids.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

const METRICS_TOKEN: &str = "um-segredo-do-coletor-de-metricas";

#[tokio::test]
async fn metrics_count_http_traffic_requests_and_outbox_jobs() {
    let app = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(0)),
        ("metrics.token", json!(METRICS_TOKEN)),
    ])
    .await;
    app.submit(1).await;
    let _ = app
        .http
        .get(app.url("/api/v1/requests/2026-000001?token=wrong"))
        .send()
        .await
        .unwrap();

    let response = app.get_as(METRICS_TOKEN, "/metrics").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for expected in [
        r#"http_requests_total{method="POST",route="/api/v1/requests",status="201"} 1"#,
        r#"http_requests_total{method="GET",route="/api/v1/requests/{protocol}",status="404"} 1"#,
        r#"http_request_duration_seconds_bucket{method="POST",route="/api/v1/requests",le="0.5"}"#,
        r#"contato_requests{status="submitted"} 1"#,
        r#"contato_outbox_jobs{state="pending"} 2"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
}

#[tokio::test]
async fn metrics_are_only_for_whoever_holds_the_token() {
    let closed = spawn_app().await;
    let open = spawn_app_with(&[("metrics.token", json!(METRICS_TOKEN))]).await;

    let without_setting = closed
        .http
        .get(closed.url("/metrics"))
        .send()
        .await
        .unwrap();
    let even_with_a_guess = closed.get_as("anything", "/metrics").await;
    let anonymous = open.http.get(open.url("/metrics")).send().await.unwrap();
    let wrong = open.get_as("um-segredo-errado", "/metrics").await;
    let right = open.get_as(METRICS_TOKEN, "/metrics").await;

    assert_eq!(without_setting.status(), 404, "no token set: no /metrics");
    assert_eq!(even_with_a_guess.status(), 404);
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    assert_eq!(wrong.status(), 401);
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/healthz",
        "/api/v1/zones",
        "/api/v1/requests/x?token=y",
        "/no-such-page",
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
    }
}

#[tokio::test]
async fn pages_without_secrets_are_compressed_and_pages_with_a_token_are_not() {
    let app = spawn_app().await;
    let (protocol, token) = app.submit(1).await;
    let encoding_of = |path: String| {
        let request = app
            .http
            .get(app.url(&path))
            .header("accept-encoding", "br, gzip");
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let encoding = response
                .headers()
                .get("content-encoding")
                .map(|value| value.to_str().unwrap().to_string());
            (path, encoding)
        }
    };

    for path in ["/", "/solicitar", "/static/contato.css"] {
        let (path, encoding) = encoding_of(path.to_string()).await;
        assert_eq!(encoding.as_deref(), Some("br"), "{path}");
    }
    let tracking = format!("/acompanhar/{protocol}?token={token}");
    let (path, encoding) = encoding_of(tracking).await;
    assert_eq!(encoding, None, "{path} carries the tracking token");
}

#[tokio::test]
async fn internal_errors_are_generic_to_the_client() {
    let app = spawn_app().await;
    app.store.connection().clone().close().await.unwrap();

    let response = app
        .post_json("/api/v1/requests", &crate::helpers::submission_json(1))
        .await;

    assert_eq!(response.status(), 500);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "internal");
    let text = body.to_string();
    assert!(
        !text.contains("pool") && !text.contains("sqlx") && !text.contains("closed"),
        "{text}"
    );
}
