//! The privacy notice, `/privacidade` (LGPD, Lei 13.709/2018, art. 9): filled from the
//! settings, and linked where personal data is asked for.

use chrono::{DateTime, Utc};
use contato::clock::Clock;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_app_at, spawn_app_with};

/// The page's status and HTML.
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app
        .http
        .get(app.url(path))
        .send()
        .await
        .expect("the page answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// The text between `<main` and `</main>`: what the page itself says, without its header and
/// footer.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("the main element's end");
    &html[start..end]
}

#[tokio::test]
async fn the_notice_names_the_controller_the_encarregado_and_the_retention_periods() {
    let app = spawn_app().await;
    let (status, html) = page(&app, "/privacidade").await;
    assert_eq!(status, 200);
    let notice = main_of(&html);
    for shipped in [
        "<h1>Privacidade e proteção de dados</h1>",
        "Tribunal Regional Eleitoral do Pará",
        "Ouvidoria Judicial Eleitoral",
        "href=\"mailto:ouvidoria@tre-pa.jus.br\"",
        // retention.anonymise_after_days = 1825, retention.mail_files_days = 30.
        "anonimizados após 5 anos",
        "apagados após <strong>30 dias</strong>",
        "art. 7º, incisos II e III, e art. 23",
        "LGPD (art. 18)",
        // The shipped links are Google Meet's; the shipped provider is manual.
        "Google Meet",
    ] {
        assert!(notice.contains(shipped), "{shipped:?} in {notice}");
    }
    assert!(!notice.contains("Telefone"), "no phone is shipped");
    assert!(!notice.contains("Google Calendar"), "the manual provider");

    let court = spawn_app_with(&[
        ("limits.submissions_per_minute", json!(0)),
        (
            "privacy.controller_name",
            json!("Tribunal Regional Eleitoral do Amapá"),
        ),
        (
            "privacy.controller_address",
            json!("Avenida Mendonça Júnior, 1502, Macapá (AP)"),
        ),
        ("privacy.dpo_name", json!("Maria Encarregada")),
        ("privacy.dpo_email", json!("dados@tre-ap.jus.br")),
        ("privacy.dpo_phone", json!("0800 000 0000")),
        ("privacy.email_provider", json!("Correio Exemplo S.A.")),
        (
            "privacy.policy_url",
            json!("https://www.tre-ap.jus.br/privacidade"),
        ),
        ("retention.anonymise_after_days", json!(730)),
        ("retention.mail_files_days", json!(14)),
        (
            "calendar.allowed_link_hosts",
            json!(["conferencia.tre-ap.jus.br"]),
        ),
    ])
    .await;
    let (status, html) = page(&court, "/privacidade").await;
    assert_eq!(status, 200);
    let notice = main_of(&html);
    for configured in [
        "Tribunal Regional Eleitoral do Amapá",
        "Avenida Mendonça Júnior, 1502, Macapá (AP)",
        "Maria Encarregada",
        "href=\"mailto:dados@tre-ap.jus.br\"",
        "0800 000 0000",
        "Correio Exemplo S.A.",
        "anonimizados após 2 anos",
        "apagados após <strong>14 dias</strong>",
    ] {
        assert!(notice.contains(configured), "{configured:?} in {notice}");
    }
    assert!(
        notice.contains("www.tre-ap.jus.br"),
        "the court's policy is linked: {notice}"
    );
    for shipped in [
        "Pará",
        "ouvidoria@tre-pa.jus.br",
        "5 anos",
        "30 dias",
        "Google",
    ] {
        assert!(!notice.contains(shipped), "{shipped:?} is gone: {notice}");
    }

    // A period that is no whole number of years is given in days.
    let days = spawn_app_with(&[("retention.anonymise_after_days", json!(1000))]).await;
    let (_, html) = page(&days, "/privacidade").await;
    assert!(
        main_of(&html).contains("anonimizados após 1.000 dias"),
        "{html}"
    );
}

#[tokio::test]
async fn with_the_google_provider_the_notice_says_what_goes_to_the_calendar() {
    let court = crate::google::court().await;
    let (status, html) = page(&court.app, "/privacidade").await;
    assert_eq!(status, 200);
    let notice = main_of(&html);
    assert!(notice.contains("Google Calendar"), "{notice}");
    assert!(
        notice.contains(
            "o CPF, o telefone e os demais dados não vão para a agenda, nem o seu e-mail"
        ),
        "calendar.add_requester_as_attendee is off: {notice}"
    );
}

#[tokio::test]
async fn the_notice_is_linked_from_the_form_the_queue_and_every_footer() {
    // A Thursday at 09:00 in Belém: zone 1's counter is open, so its page has the join form.
    let at: DateTime<Utc> = "2026-12-03T09:00:00-03:00".parse().unwrap();
    let app = spawn_app_at(
        Clock::starting_at(at),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    let link = "<a href=\"/privacidade\"";
    for path in ["/solicitar", "/atendimento-agora/1"] {
        let (status, html) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        let form = main_of(&html);
        let consent = form
            .find("id=\"consent-text\"")
            .unwrap_or_else(|| panic!("{path} asks for consent"));
        let checkbox = form.find("id=\"consent\"").expect("the consent box");
        let notice = form
            .find(link)
            .unwrap_or_else(|| panic!("{path} links the notice in its form: {form}"));
        assert!(
            consent < notice && notice < checkbox,
            "{path}: the link sits by the consent box"
        );
    }
    for path in ["/", "/acompanhar", "/atendimento-agora", "/painel/entrar"] {
        let (status, html) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        let footer = &html[html.find("<footer").expect("a footer")..];
        assert!(footer.contains(link), "{path}'s footer links the notice");
    }
}

#[tokio::test]
async fn the_public_pages_set_no_cookie() {
    // The notice says so.
    let app = spawn_app().await;
    for path in [
        "/",
        "/solicitar",
        "/privacidade",
        "/acompanhar",
        "/atendimento-agora",
    ] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers().get("set-cookie").is_none(),
            "{path} sets a cookie"
        );
    }
}
