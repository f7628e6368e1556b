//! The satisfaction survey in a real browser (headless Chromium): the requester follows the
//! tracking page's link, answers on a phone without JavaScript (an error beside the field,
//! then the thanks, then "already answered"), and the pages, the panel's included, pass
//! axe-core at phone and desktop widths. Screenshots go to `target/screenshots/`.

use serde_json::{Value, json};

use crate::{
    browser::{Browser, DESKTOP, PHONE},
    browser_panel::sign_in,
    helpers::{TestApp, create_clerk, row_counts, spawn_app_with},
};

async fn desk() -> TestApp {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    app
}

/// A request filed through the API: its id, protocol and tracking token.
struct Filed {
    id: i64,
    protocol: String,
    token: String,
}

impl Filed {
    fn survey(&self) -> String {
        format!("/avaliar/{}?token={}", self.protocol, self.token)
    }

    fn tracking(&self) -> String {
        format!("/acompanhar/{}?token={}", self.protocol, self.token)
    }
}

/// A request filed and taken by the zone's clerk through `actions`, in order.
async fn filed(app: &TestApp, actions: &[Value]) -> Filed {
    let (protocol, token) = app.submit(1).await;
    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .unwrap()
        .unwrap();
    let clerk = app.sign_in("ana@tre-pa.jus.br").await;
    for (n, action) in actions.iter().enumerate() {
        let mut body = action.clone();
        body["version"] = json!(n + 1);
        let (status, answer) = app.transition_as(&clerk, request.id, &body).await;
        assert_eq!(status, 200, "{body}: {answer}");
    }
    Filed {
        id: request.id,
        protocol,
        token,
    }
}

/// A video request scheduled at the clerk's `nth` free slot and then done with `outcome`.
async fn done(app: &TestApp, nth: usize, outcome: &str) -> Filed {
    let start = app.future_slots(nth + 1)[nth].start.to_rfc3339();
    filed(
        app,
        &[
            json!({"action": "triage"}),
            json!({"action": "schedule", "start": start, "meet_link": "https://meet.google.com/abc-defg-hij"}),
            json!({"action": "complete", "outcome": outcome}),
        ],
    )
    .await
}

fn answers(counts: &[(&'static str, i64)]) -> i64 {
    counts
        .iter()
        .find(|(table, _)| *table == "survey_answers")
        .map(|(_, n)| *n)
        .expect("a survey answers count")
}

#[tokio::test]
async fn the_requester_answers_on_a_phone_without_javascript() {
    let app = desk().await;
    let request = done(&app, 0, "attended").await;
    let browser = Browser::phone_without_javascript().await;

    // The tracking page of an attended request leads to the survey.
    browser.goto(&app.url(&request.tracking())).await;
    browser.click_text("Avaliar o atendimento").await;
    assert_eq!(browser.path().await, request.survey());
    assert!(browser.title_starts_with("Avaliar o atendimento").await);
    let choices = browser.text("fieldset").await;
    for label in [
        "1 – Muito insatisfeito(a)",
        "3 – Nem satisfeito(a) nem insatisfeito(a)",
        "5 – Muito satisfeito(a)",
    ] {
        assert!(choices.contains(label), "{choices}");
    }

    // Without a rating: the error beside the choice and in the summary, the comment kept,
    // nothing stored.
    let before = row_counts(&app.store).await;
    browser.fill("#comment", "Fui bem atendida.").await;
    browser.click_text("Enviar avaliação").await;
    assert!(browser.title_starts_with("Erro:").await);
    assert!(
        browser
            .text("#rating-error")
            .await
            .ends_with("Escolha uma nota de 1 a 5.")
    );
    assert!(browser.text(".error-summary").await.contains("Nota"));
    assert_eq!(browser.value("#comment").await, "Fui bem atendida.");
    assert_eq!(row_counts(&app.store).await, before);

    // An invisible character in the comment: refused beside it, the rating kept.
    browser.click("#rating-4").await;
    browser.fill("#comment", "Bom\u{200B} atendimento").await;
    browser.click_text("Enviar avaliação").await;
    assert!(
        browser
            .text("#comment-error")
            .await
            .contains("caracteres invisíveis")
    );
    assert!(browser.is_selected("#rating-4").await);
    assert_eq!(row_counts(&app.store).await, before);

    browser
        .fill("#comment", "Fui bem atendida.\nSó demorou um pouco.")
        .await;
    browser.click_text("Enviar avaliação").await;
    assert!(browser.text(".notice--ok").await.contains("Obrigado!"));
    let shown = browser.text("main").await;
    assert!(shown.contains("4 de 5"), "{shown}");
    assert!(
        shown.contains("Fui bem atendida.\nSó demorou um pouco."),
        "the comment's line break is shown: {shown}"
    );
    assert!(!browser.has("#comment").await, "no form once answered");
    assert_eq!(answers(&row_counts(&app.store).await), 1);

    // Coming back: already answered, said plainly; the tracking page no longer asks.
    browser.goto(&app.url(&request.survey())).await;
    assert!(
        browser
            .text(".notice--warn")
            .await
            .contains("já foi avaliado")
    );
    assert!(!browser.has("#comment").await);
    browser.goto(&app.url(&request.tracking())).await;
    assert!(!browser.text("main").await.contains("Avaliar o atendimento"));

    // A request that was not attended has nothing to rate.
    let no_show = done(&app, 1, "no_show").await;
    browser.goto(&app.url(&no_show.survey())).await;
    assert!(
        browser
            .text(".notice--warn")
            .await
            .contains("não houve comparecimento")
    );
    assert!(!browser.has("form[action^='/avaliar']").await);
    browser.goto(&app.url(&no_show.tracking())).await;
    assert!(!browser.text("main").await.contains("Avaliar o atendimento"));
    browser.close().await;
}

#[tokio::test]
async fn the_survey_pages_pass_axe_and_are_photographed() {
    let app = desk().await;
    let scheduled = filed(
        &app,
        &[
            json!({"action": "triage"}),
            json!({"action": "schedule", "start": app.future_slots(1)[0].start.to_rfc3339(), "meet_link": "https://meet.google.com/abc-defg-hij"}),
        ],
    )
    .await;
    for (n, (size, (width, height))) in [("phone", PHONE), ("desktop", DESKTOP)]
        .into_iter()
        .enumerate()
    {
        let request = done(&app, n + 1, "attended").await;
        let browser = Browser::open(width, height).await;
        browser.goto(&app.url(&request.tracking())).await;
        browser
            .axe(&format!("acompanhar with the survey's link ({size})"))
            .await;
        browser.goto(&app.url(&request.survey())).await;
        browser.axe(&format!("avaliar ({size})")).await;
        browser.screenshot(&format!("avaliar-{size}")).await;
        browser.click_text("Enviar avaliação").await;
        browser.axe(&format!("avaliar, no rating ({size})")).await;
        browser.screenshot(&format!("avaliar-erro-{size}")).await;
        browser.click("#rating-5").await;
        browser
            .fill("#comment", "Atendimento rápido e claro. Obrigado!")
            .await;
        browser.click_text("Enviar avaliação").await;
        browser.axe(&format!("avaliar, thanks ({size})")).await;
        browser
            .screenshot(&format!("avaliar-obrigado-{size}"))
            .await;
        browser.goto(&app.url(&scheduled.survey())).await;
        browser
            .axe(&format!("avaliar, not yet done ({size})"))
            .await;

        sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
        browser
            .goto(&app.url(&format!("/painel/solicitacoes/{}", request.id)))
            .await;
        assert!(
            browser
                .text("#avaliacao-secao")
                .await
                .contains("5 de 5 – Muito satisfeito(a)")
        );
        browser
            .axe(&format!("painel request with its survey ({size})"))
            .await;
        browser.screenshot(&format!("avaliar-painel-{size}")).await;
        browser.close().await;
    }
}
