//! The OpenAPI document describes every route of the contract, and every route it
//! describes is served.

use serde_json::Value;

use crate::helpers::spawn_app;

/// The contract of docs/api.md plus the endpoints added around it.
const CONTRACT: &[(&str, &str)] = &[
    ("get", "/api/v1/zones"),
    ("post", "/api/v1/requests"),
    ("get", "/api/v1/requests/{protocol}"),
    ("post", "/api/v1/requests/{protocol}/cancel"),
    ("get", "/api/v1/requests/{protocol}/slots"),
    ("post", "/api/v1/requests/{protocol}/reschedule"),
    ("get", "/api/v1/requests/{protocol}/messages"),
    ("post", "/api/v1/requests/{protocol}/messages"),
    ("post", "/api/v1/requests/{protocol}/survey"),
    ("get", "/api/v1/staff/requests/{id}/messages"),
    ("post", "/api/v1/staff/requests/{id}/messages"),
    ("get", "/api/v1/staff/stats"),
    ("get", "/api/v1/staff/stats.csv"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/staff/requests"),
    ("get", "/api/v1/staff/requests/{id}"),
    ("post", "/api/v1/staff/requests/{id}/transitions"),
    ("get", "/api/v1/staff/zones/{number}/slots"),
    ("get", "/api/v1/zones/{number}/queue"),
    ("post", "/api/v1/zones/{number}/queue"),
    ("get", "/api/v1/queue/{id}"),
    ("post", "/api/v1/queue/{id}/leave"),
    ("post", "/api/v1/queue/{id}/request"),
    ("get", "/api/v1/staff/zones/{number}/queue"),
    ("post", "/api/v1/staff/zones/{number}/queue/call"),
    ("post", "/api/v1/staff/queue/{id}/finish"),
    ("get", "/api/v1/admin/zones/{number}/duty-days"),
    ("post", "/api/v1/admin/zones/{number}/duty-days"),
    ("delete", "/api/v1/admin/zones/{number}/duty-days/{date}"),
    ("get", "/api/v1/admin/data-subject"),
    ("post", "/api/v1/admin/data-subject/anonymise"),
];

async fn document() -> (crate::helpers::TestApp, Value) {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    (app, document)
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_contract_route() {
    let (_app, document) = document().await;

    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    for (method, path) in CONTRACT {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} is missing from the document"
        );
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let (app, document) = document().await;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= CONTRACT.len());

    for (path, operations) in paths {
        let concrete = path
            .replace("{protocol}", "2026-000001")
            .replace("{id}", "1")
            .replace("{number}", "1");
        for method in operations.as_object().unwrap().keys() {
            let request = match method.as_str() {
                "get" => app.http.get(app.url(&concrete)),
                "post" => app.http.post(app.url(&concrete)),
                "patch" => app.http.patch(app.url(&concrete)),
                "delete" => app.http.delete(app.url(&concrete)),
                "put" => app.http.put(app.url(&concrete)),
                other => panic!("unexpected method {other} on {path}"),
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            // An unrouted path answers 404 with an empty body or 405; our handlers answer JSON.
            assert_ne!(status, 405, "{method} {path}");
            assert!(
                status != 404 || body.contains("not_found"),
                "{method} {path} is not routed"
            );
        }
    }
}
