//! Attendance by written messages in a real browser (headless Chromium): the requester and
//! the clerk write to each other on a phone-sized screen without JavaScript, the clerk
//! completes by message, and the pages pass axe-core. Screenshots go to
//! `target/screenshots/`.

use serde_json::{Value, json};

use crate::{
    browser::{Browser, DESKTOP, PHONE},
    browser_panel::sign_in,
    helpers::{TestApp, create_clerk, row_counts, spawn_app_with, submission_json},
};

/// A request filed through the API asking to be attended by messages, triaged by the
/// clerk: `(id, tracking path)`.
async fn triaged_by_message(app: &TestApp) -> (i64, String) {
    let mut body = submission_json(1);
    body["mode"] = json!("message");
    let receipt: Value = app
        .post_json("/api/v1/requests", &body)
        .await
        .json()
        .await
        .unwrap();
    let protocol = receipt["protocol"].as_str().unwrap();
    let token = receipt["tracking_token"].as_str().unwrap();
    let (request, _) = app
        .store
        .request_by_protocol(protocol)
        .await
        .unwrap()
        .unwrap();
    let clerk = app.sign_in("ana@tre-pa.jus.br").await;
    let (status, _) = app
        .transition_as(
            &clerk,
            request.id,
            &json!({"action": "triage", "version": 1}),
        )
        .await;
    assert_eq!(status, 200);
    (request.id, format!("/acompanhar/{protocol}?token={token}"))
}

async fn desk() -> TestApp {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    app
}

fn messages(counts: &[(&'static str, i64)]) -> i64 {
    counts
        .iter()
        .find(|(table, _)| *table == "request_messages")
        .map(|(_, n)| *n)
        .expect("a messages count")
}

#[tokio::test]
async fn requester_and_clerk_write_to_each_other_on_a_phone_without_javascript() {
    let app = desk().await;
    let (id, tracking) = triaged_by_message(&app).await;
    let requester = Browser::phone_without_javascript().await;
    requester.goto(&app.url(&tracking)).await;
    assert!(
        requester
            .text("#conversa")
            .await
            .contains("Petições e documentos não são recebidos aqui")
    );

    // An empty message is refused beside the field, and nothing is stored.
    let before = row_counts(&app.store).await;
    requester.click_text("Enviar mensagem").await;
    assert!(
        requester
            .text("#text-error")
            .await
            .ends_with("Escreva a mensagem.")
    );
    assert_eq!(row_counts(&app.store).await, before);

    requester
        .fill(
            "#text",
            "Bom dia.\nMeu título está <b>cancelado</b>? O que faço?",
        )
        .await;
    requester.click_text("Enviar mensagem").await;
    assert!(
        requester
            .text(".notice--ok")
            .await
            .contains("Mensagem enviada")
    );
    let shown = requester.text("#conversa .thread").await;
    assert!(
        shown.contains("Meu título está <b>cancelado</b>? O que faço?"),
        "a message is text, not markup: {shown}"
    );
    assert_eq!(messages(&row_counts(&app.store).await), 1);

    // The clerk sees the thread unread in the inbox, opens it and answers.
    let clerk = Browser::phone_without_javascript().await;
    sign_in(&app, &clerk, "ana@tre-pa.jus.br").await;
    // Whatever the tab, the inbox says someone waits for a reply, and lists them.
    clerk.follow("a[href*='respostas=pendentes']").await;
    assert!(clerk.text("main table").await.contains("nova mensagem"));
    clerk
        .follow(&format!("a[href='/painel/solicitacoes/{id}']"))
        .await;
    assert!(
        clerk
            .text("#conversa-secao")
            .await
            .contains("Meu título está <b>cancelado</b>?")
    );
    clerk
        .fill(
            "#message-text",
            "Bom dia! Seu título foi cancelado por ausência às urnas. Responda com o seu nome de mãe para regularizarmos.",
        )
        .await;
    clerk.click_text("Enviar mensagem").await;
    assert!(clerk.text(".notice--ok").await.contains("Mensagem enviada"));
    clerk.goto(&app.url("/painel?situacao=todos")).await;
    let inbox = clerk.text("main").await;
    assert!(
        !inbox.contains("nova mensagem"),
        "read once opened: {inbox}"
    );
    assert!(!inbox.contains("sem resposta"), "answered: {inbox}");

    requester.goto(&app.url(&tracking)).await;
    let shown = requester.text("#conversa .thread").await;
    assert!(shown.contains("Cartório"), "{shown}");
    assert!(shown.contains("ausência às urnas"), "{shown}");

    // The clerk completes by message; the conversation closes for both.
    clerk
        .goto(&app.url(&format!("/painel/solicitacoes/{id}")))
        .await;
    clerk
        .client()
        .find(fantoccini::Locator::XPath(
            "//summary[normalize-space(.)='Concluir']",
        ))
        .await
        .expect("the completion's summary")
        .click()
        .await
        .expect("it opens");
    assert!(clerk.is_selected("#outcome-attended_by_message").await);
    clerk.click_text("Concluir").await;
    assert!(
        clerk
            .text(".notice--ok")
            .await
            .contains("Atendimento concluído.")
    );
    requester.goto(&app.url(&tracking)).await;
    assert!(
        requester
            .text("#conversa")
            .await
            .contains("a conversa não recebe novas mensagens")
    );
    assert!(!requester.has("#text").await, "no form once final");
    clerk.close().await;
    requester.close().await;
    let (request, _) = app
        .store
        .request_by_protocol(
            tracking
                .trim_start_matches("/acompanhar/")
                .split('?')
                .next()
                .unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.status, contato::domain::status::Status::Done);
    assert_eq!(
        request.outcome,
        Some(contato::domain::status::Outcome::AttendedByMessage)
    );
}

#[tokio::test]
async fn the_thread_pages_pass_axe_and_are_photographed() {
    let app = desk().await;
    let (id, tracking) = triaged_by_message(&app).await;
    let (protocol, token) = tracking
        .trim_start_matches("/acompanhar/")
        .split_once("?token=")
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .unwrap();
    let clerk = app.sign_in("ana@tre-pa.jus.br").await;
    for (n, text) in [
        "Bom dia. Preciso da certidão de quitação eleitoral, mas o site diz que tenho pendência.",
        "Votei nas duas últimas eleições.",
    ]
    .iter()
    .enumerate()
    {
        let response = app
            .post_json(
                &format!("/api/v1/requests/{protocol}/messages?token={token}"),
                &json!({ "text": text }),
            )
            .await;
        assert_eq!(response.status(), 201, "message {n}");
    }
    let response = app
        .post_as(
            &clerk,
            &format!("/api/v1/staff/requests/{id}/messages"),
            &json!({"text": "Bom dia! A pendência é uma multa de 2022. Pode pagá-la pela guia no site do TRE; depois disso, a certidão sai na hora."}),
        )
        .await;
    assert_eq!(response.status(), 201);

    for (size, (width, height)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        let browser = Browser::open(width, height).await;
        browser.goto(&app.url(&tracking)).await;
        browser
            .axe(&format!("acompanhar with a thread ({size})"))
            .await;
        browser
            .screenshot(&format!("mensagens-acompanhar-{size}"))
            .await;
        browser.click_text("Enviar mensagem").await;
        browser
            .axe(&format!("acompanhar, empty message ({size})"))
            .await;
        browser
            .screenshot(&format!("mensagens-acompanhar-erro-{size}"))
            .await;

        sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
        browser
            .axe(&format!("painel with thread marks ({size})"))
            .await;
        browser
            .goto(&app.url(&format!("/painel/solicitacoes/{id}")))
            .await;
        browser
            .axe(&format!("painel request thread ({size})"))
            .await;
        browser
            .screenshot(&format!("mensagens-painel-{size}"))
            .await;
        browser.close().await;
    }
}
