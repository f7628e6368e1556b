//! A legal hold in a real browser (headless Chromium): a clerk puts a closed request on
//! hold from its page, is told the reason is missing first, sees the hold on the page and
//! lifts it; the page passes axe-core with the hold's forms open.

use serde_json::{Value, json};

use crate::{
    browser::Browser,
    browser_panel::sign_in,
    helpers::{create_clerk, spawn_app_with, submission_json},
};

async fn open_summary(browser: &Browser, text: &str) {
    browser
        .client()
        .find(fantoccini::Locator::XPath(&format!(
            "//summary[normalize-space(.)='{text}']"
        )))
        .await
        .unwrap_or_else(|error| panic!("the summary {text:?}: {error}"))
        .click()
        .await
        .expect("it opens");
}

#[tokio::test]
async fn a_clerk_holds_and_releases_a_closed_request_from_its_page() {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let receipt: Value = app
        .post_json("/api/v1/requests", &submission_json(1))
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
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let (status, _) = app
        .transition_as(
            &token,
            request.id,
            &json!({"action": "reject", "version": 1, "reason": "Pedido repetido."}),
        )
        .await;
    assert_eq!(status, 200);

    let clerk = Browser::desktop().await;
    sign_in(&app, &clerk, "ana@tre-pa.jus.br").await;
    clerk
        .goto(&app.url(&format!("/painel/solicitacoes/{}", request.id)))
        .await;
    assert!(
        clerk
            .text("main")
            .await
            .contains("Este pedido está encerrado.")
    );
    open_summary(&clerk, "Pôr sob guarda legal").await;
    clerk.axe("painel, the hold's form open").await;

    // No reason: the form says so and nothing changes.
    clerk.click_text("Pôr sob guarda legal").await;
    assert!(
        clerk
            .text("main")
            .await
            .contains("Informe o motivo da guarda legal."),
        "{}",
        clerk.text("main").await
    );

    clerk
        .fill(
            "#hold-reason",
            "Ordem judicial no processo 0600123-45.2026.6.14.0001.",
        )
        .await;
    clerk.click_text("Pôr sob guarda legal").await;
    assert!(
        clerk
            .text(".notice--ok")
            .await
            .contains("Pedido sob guarda legal")
    );
    let page = clerk.text("main").await;
    assert!(
        page.contains("os dados pessoais não são anonimizados"),
        "{page}"
    );
    assert!(
        page.contains("Posto sob guarda legal"),
        "in the history: {page}"
    );
    assert!(!clerk.has("#hold-reason").await, "no second hold");

    open_summary(&clerk, "Encerrar a guarda legal").await;
    clerk.axe("painel, the release's form open").await;
    clerk
        .fill("#release_hold-reason", "Processo arquivado.")
        .await;
    clerk.click_text("Encerrar a guarda legal").await;
    assert!(
        clerk
            .text(".notice--ok")
            .await
            .contains("Guarda legal encerrada.")
    );
    assert!(clerk.has("#hold-reason").await, "it may be held again");
    clerk.close().await;
}
