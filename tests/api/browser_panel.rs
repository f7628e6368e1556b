//! The staff panel in a real browser (headless Chromium): a clerk signs in, triages and
//! schedules a request, and the requester's tracking page shows the Meet link; another
//! zone's clerk cannot open it; a form without its CSRF token is refused; the main panel
//! pages pass axe-core. Screenshots go to `target/screenshots/`.

use contato::domain::staff::Role;

use crate::{
    browser::{Browser, DESKTOP, PHONE},
    helpers::{TEST_PASSWORD, TestApp, create_clerk, create_staff, row_counts, spawn_app},
};

const MEET: &str = "https://meet.google.com/abc-defg-hij";

pub(crate) async fn sign_in(app: &TestApp, browser: &Browser, email: &str) {
    browser.goto(&app.url("/painel/entrar")).await;
    browser.fill("#email", email).await;
    browser.fill("#password", TEST_PASSWORD).await;
    browser.click_text("Entrar").await;
    assert_eq!(
        browser.path().await,
        "/painel",
        "{email} signs in and lands on the inbox"
    );
}

/// Files a request for zone 1 through the API: `(protocol, token)`.
async fn filed(app: &TestApp) -> (String, String) {
    app.submit(1).await
}

/// The id of the request `protocol`, from the inbox link.
async fn open_from_inbox(browser: &Browser, protocol: &str) {
    let link = format!("//a[normalize-space(text())='{protocol}']");
    let element = browser
        .client()
        .find(fantoccini::Locator::XPath(&link))
        .await
        .unwrap_or_else(|_| panic!("{protocol} is listed in the inbox"));
    let href = element.attr("href").await.unwrap().unwrap();
    browser.follow(&format!("a[href='{href}']")).await;
}

#[tokio::test]
async fn a_clerk_triages_and_schedules_and_the_requester_sees_the_link() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let (protocol, token) = filed(&app).await;
    let browser = Browser::open(DESKTOP.0, DESKTOP.1).await;

    sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
    open_from_inbox(&browser, &protocol).await;
    browser.click("details.action summary").await;
    browser.click_text("Colocar em análise").await;
    assert!(
        browser
            .text(".notice--ok")
            .await
            .contains("Pedido em análise.")
    );
    browser.click("details.action summary").await;
    browser.click("input[name='start']").await;
    browser.fill("#schedule-meet_link", MEET).await;
    browser.click_text("Marcar").await;
    assert!(
        browser
            .text(".notice--ok")
            .await
            .contains("Atendimento marcado")
    );
    assert!(browser.text(".panel-box").await.contains(MEET));
    browser
        .goto(&app.url(&format!("/acompanhar/{protocol}?token={token}")))
        .await;

    assert!(
        browser.text(".meet-link").await.contains(MEET),
        "the tracking page shows the Meet link"
    );
    assert!(browser.text("dl.summary").await.contains("Agendada"));
    browser.close().await;
}

#[tokio::test]
async fn a_clerk_of_another_zone_cannot_open_the_request() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_clerk(&app.store, "bia@tre-pa.jus.br", &[28]).await;
    let (protocol, _) = filed(&app).await;
    let id = app
        .store
        .request_by_protocol(&protocol)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let browser = Browser::open(DESKTOP.0, DESKTOP.1).await;

    sign_in(&app, &browser, "bia@tre-pa.jus.br").await;
    let listed = browser
        .has(&format!("a[href='/painel/solicitacoes/{id}']"))
        .await;
    browser
        .goto(&app.url(&format!("/painel/solicitacoes/{id}")))
        .await;

    assert!(!listed, "not in Bia's inbox");
    assert!(
        browser.text("h1").await.contains("não encontrad"),
        "{}",
        browser.text("h1").await
    );
    assert!(!browser.has("details.action").await, "no action is offered");
    browser.close().await;
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let (protocol, _) = filed(&app).await;
    let browser = Browser::open(DESKTOP.0, DESKTOP.1).await;
    sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
    open_from_inbox(&browser, &protocol).await;
    let before = row_counts(&app.store).await;

    // A forged page would post the same form without the token it cannot know.
    browser
        .client()
        .execute(
            "document.querySelectorAll(\"input[name='csrf']\").forEach(e => e.remove());",
            vec![],
        )
        .await
        .unwrap();
    browser.click("details.action summary").await;
    browser.click_text("Colocar em análise").await;

    assert_eq!(browser.text("h1").await, "Formulário expirado");
    assert_eq!(row_counts(&app.store).await, before, "nothing changed");
    browser.close().await;
}

#[tokio::test]
async fn panel_pages_pass_axe_and_are_photographed() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_staff(&app.store, "ti@tre-pa.jus.br", Role::Admin, &[]).await;
    let (protocol, _) = filed(&app).await;
    let id = app
        .store
        .request_by_protocol(&protocol)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    // A request in analysis (the offer's slot picker among its actions) and an offered one
    // (the offer shown, and its withdrawal).
    let clerk = app.sign_in("ana@tre-pa.jus.br").await;
    let mut later = Vec::new();
    for offered in [false, true] {
        let (protocol, _) = filed(&app).await;
        let id = app
            .store
            .request_by_protocol(&protocol)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let path = format!("/api/v1/staff/requests/{id}/transitions");
        let starts: Vec<String> = app
            .future_slots(2)
            .iter()
            .map(|slot| slot.start.to_rfc3339())
            .collect();
        let mut steps = vec![serde_json::json!({"action": "triage", "version": 1})];
        if offered {
            steps.push(
                serde_json::json!({"action": "offer", "version": 2, "slots": starts,
                "meet_link": "https://meet.google.com/abc-defg-hij"}),
            );
        }
        for body in steps {
            assert_eq!(app.post_as(&clerk, &path, &body).await.status(), 200);
        }
        later.push((if offered { "oferecido" } else { "em-analise" }, id));
    }

    for (size, (width, height)) in [("desktop", DESKTOP), ("phone", PHONE)] {
        let browser = Browser::open(width, height).await;
        browser.goto(&app.url("/painel/entrar")).await;
        browser.axe("painel/entrar").await;
        browser.screenshot(&format!("painel-entrar-{size}")).await;
        sign_in(&app, &browser, "ti@tre-pa.jus.br").await;
        let pages = [
            ("painel-pedidos", "/painel".to_string()),
            ("painel-pedido", format!("/painel/solicitacoes/{id}")),
            ("painel-agenda", "/painel/agenda".to_string()),
            ("painel-admin", "/painel/admin".to_string()),
            ("painel-admin-zonas", "/painel/admin/zonas".to_string()),
            ("painel-admin-zona", "/painel/admin/zonas/1".to_string()),
            ("painel-admin-equipe", "/painel/admin/equipe".to_string()),
            (
                "painel-admin-feriados",
                "/painel/admin/feriados".to_string(),
            ),
            ("painel-admin-tarefas", "/painel/admin/tarefas".to_string()),
        ];
        for (name, path) in pages {
            browser.goto(&app.url(&path)).await;
            browser.axe(&path).await;
            browser.screenshot(&format!("{name}-{size}")).await;
        }
        // The request's page with every action open, as a clerk sees it while deciding: new,
        // in analysis and offered.
        for (state, id) in [("acoes", id)].iter().chain(&later) {
            browser
                .goto(&app.url(&format!("/painel/solicitacoes/{id}")))
                .await;
            browser
                .client()
                .execute(
                    "document.querySelectorAll('details').forEach(d => d.open = true);",
                    vec![],
                )
                .await
                .unwrap();
            browser
                .axe(&format!("painel/solicitacoes {state} (ações abertas)"))
                .await;
            browser
                .screenshot(&format!("painel-pedido-{state}-{size}"))
                .await;
        }
        browser.close().await;
    }
}
