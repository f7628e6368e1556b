use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/healthz")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_when_the_database_does() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/readyz")).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readyz_reports_a_closed_database_as_unavailable() {
    let app = spawn_app().await;
    app.store.connection().clone().close().await.unwrap();

    let response = app.http.get(app.url("/readyz")).send().await.unwrap();

    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;

    let response = app.http.get(app.url("/healthz")).send().await.unwrap();
    let given = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();

    assert!(!response.headers()["x-request-id"].is_empty());
    assert_eq!(given.headers()["x-request-id"], "abc-123");
}
