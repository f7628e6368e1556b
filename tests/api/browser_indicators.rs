//! The indicators page in a real browser (headless Chromium): the period's table sorts by a
//! column, a bad period is refused beside its field, the charts carry their titles and their
//! numbers in tables, and the page passes axe-core. Screenshots go to `target/screenshots/`.

use serde_json::json;

use crate::{
    browser::{Browser, DESKTOP, PHONE},
    browser_panel::sign_in,
    helpers::{TestApp, create_clerk, spawn_app_with, submission_json},
};

/// Requests in zones 1 and 2, some triaged, one by message, one preferential.
async fn history(app: &TestApp) {
    let clerk = app.sign_in("ana@tre-pa.jus.br").await;
    for n in 0..6 {
        let mut body = submission_json(if n % 3 == 2 { 2 } else { 1 });
        if n == 1 {
            body["mode"] = json!("message");
        }
        if n == 4 {
            body["preferential"] = json!("idoso80");
        }
        let receipt: serde_json::Value = app
            .post_json("/api/v1/requests", &body)
            .await
            .json()
            .await
            .unwrap();
        let (request, _) = app
            .store
            .request_by_protocol(receipt["protocol"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        if n % 2 == 0 {
            let (status, _) = app
                .transition_as(
                    &clerk,
                    request.id,
                    &json!({"action": "triage", "version": 1}),
                )
                .await;
            assert_eq!(status, 200);
        }
    }
}

#[tokio::test]
async fn the_indicators_page_sorts_refuses_a_bad_period_and_passes_axe() {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1, 2]).await;
    history(&app).await;

    for (size, (width, height)) in [("desktop", DESKTOP), ("phone", PHONE)] {
        let browser = Browser::open(width, height).await;
        sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
        browser.follow("a[href='/painel/indicadores']").await;
        let table = browser.text("table.indicators").await;
        assert!(table.contains("1ª"), "{table}");
        assert!(table.contains("Total"), "{table}");
        assert!(
            browser.has("svg[role='img'] title").await,
            "the charts are labelled"
        );
        browser.axe(&format!("indicadores ({size})")).await;
        browser
            .screenshot(&format!("painel-indicadores-{size}"))
            .await;

        // Sorting by the received count puts zone 1 (four requests) before zone 2.
        browser.click_text("Recebidos").await;
        let first = browser.text("table.indicators tbody tr th").await;
        assert!(first.starts_with("1ª"), "{first}");
        assert!(
            browser
                .find("th[aria-sort='descending']")
                .await
                .text()
                .await
                .unwrap()
                .contains("Recebidos")
        );

        // A period that ends before it starts is refused beside its field.
        browser
            .goto(&app.url("/painel/indicadores?de=2026-12-10&ate=2026-12-01"))
            .await;
        assert!(
            browser
                .text("#de-error")
                .await
                .contains("anterior ou igual")
        );
        browser
            .axe(&format!("indicadores with an error ({size})"))
            .await;
        browser.close().await;
    }
}

#[tokio::test]
async fn another_zone_is_refused_beside_the_zone_field() {
    let app = spawn_app_with(&[]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let browser = Browser::open(PHONE.0, PHONE.1).await;
    sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
    browser.goto(&app.url("/painel/indicadores?zona=5")).await;
    assert!(
        browser
            .text("#zona-error")
            .await
            .contains("não está entre as suas")
    );
    assert!(
        !browser.has("table.indicators").await,
        "no figures of zone 5"
    );
    browser.close().await;
}
