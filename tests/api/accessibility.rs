//! Accessibility needs: declared on the form or through the API, shown to the clerk as
//! badges, and carried by the zone's notice.

use serde_json::{Value, json};

use crate::{
    helpers::{create_clerk, row_counts, settings_for, spawn_app, submission_json},
    smtp::SmtpServer,
};

#[tokio::test]
async fn declared_needs_reach_the_clerk_and_the_zones_notice() {
    let smtp = SmtpServer::start();
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let mut body = submission_json(1);
    body["accessibility"] = json!(["legendas", "libras"]);
    body["accessibility_note"] = json!("Uso aparelho auditivo");
    let response = app.post_json("/api/v1/requests", &body).await;
    assert_eq!(response.status(), 201);
    let protocol = response.json::<Value>().await.unwrap()["protocol"]
        .as_str()
        .unwrap()
        .to_string();

    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let inbox: Value = app
        .get_as(&token, &format!("/api/v1/staff/requests?q={protocol}"))
        .await
        .json()
        .await
        .unwrap();
    let id = inbox["items"][0]["id"].as_i64().unwrap();
    let detail: Value = app
        .get_as(&token, &format!("/api/v1/staff/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["accessibility"], json!(["libras", "legendas"]));
    assert_eq!(detail["accessibility_note"], "Uso aparelho auditivo");

    let clerk = crate::panel::signed_in(&app, "ana@tre-pa.jus.br").await;
    let page = clerk
        .get(app.url("/painel"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("badge--accessibility"),
        "a badge in the inbox"
    );
    let page = clerk
        .get(app.url(&format!("/painel/solicitacoes/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Libras") && page.contains("Uso aparelho auditivo"));

    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(settings_for(app.db(), &[("smtp.url", json!(smtp.url()))])),
        None,
        app.clock.clone(),
    )
    .unwrap();
    while worker.run_batch().await.unwrap() > 0 {}
    let notice = smtp
        .received()
        .into_iter()
        .find(|mail| mail.to.iter().any(|to| to.contains("ana@tre-pa.jus.br")))
        .expect("the zone is told");
    let text = notice.parsed().body_text(0).unwrap_or_default().to_string();
    assert!(
        text.contains("Acessibilidade: Libras, Legendas — Uso aparelho auditivo"),
        "{text}"
    );
}

#[tokio::test]
async fn unknown_needs_and_an_undescribed_other_are_refused_per_field() {
    let app = spawn_app().await;
    let before = row_counts(&app.store).await;
    let cases = [
        (json!(["braille"]), Value::Null, "accessibility"),
        (json!(["outro"]), Value::Null, "accessibility_note"),
        (json!("libras"), Value::Null, "accessibility"),
        (json!([]), json!("x".repeat(301)), "accessibility_note"),
    ];
    for (needs, note, field) in cases {
        let mut body = submission_json(1);
        body["accessibility"] = needs.clone();
        body["accessibility_note"] = note;
        let response = app.post_json("/api/v1/requests", &body).await;
        assert_eq!(response.status(), 422, "{needs}");
        let errors: Value = response.json().await.unwrap();
        assert!(errors["errors"][field].is_array(), "{needs}: {errors}");
    }
    assert_eq!(row_counts(&app.store).await, before, "nothing stored");
}
