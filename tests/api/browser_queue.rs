//! Same-day service in a real browser (headless Chromium): a person joins a zone's queue on a
//! phone without JavaScript and their page refreshes itself as the queue moves; a clerk calls
//! them from the panel and their page shows the meeting's link; the counter closes and the
//! ticket becomes a request with one button; an admin opens a duty day. Every page passes
//! axe-core. Screenshots go to `target/screenshots/`.

use chrono::{DateTime, Duration, Utc};
use contato::{clock::Clock, domain::staff::Role};
use serde_json::{Value, json};

use crate::{
    browser::{Browser, DESKTOP},
    browser_panel::sign_in,
    helpers::{TestApp, create_clerk, create_staff, spawn_app_at, unique_cpf},
};

const MEET: &str = "https://meet.google.com/abc-defg-hij";

async fn open_counter_app(moment: &str) -> TestApp {
    let at: DateTime<Utc> = moment.parse().expect("a moment");
    let app = spawn_app_at(
        Clock::starting_at(at),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    app
}

/// Someone joins zone 1's queue through the API: `(id, token)`.
async fn joined(app: &TestApp, name: &str) -> (i64, String) {
    let cpf = unique_cpf();
    let body: Value = app
        .post_json(
            "/api/v1/zones/1/queue",
            &json!({"name": name, "cpf": cpf, "email": format!("{cpf}@example.com"),
                    "subject": "Título eleitoral", "consent": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    (
        body["id"].as_i64().expect("joined"),
        body["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_person_joins_without_javascript_and_their_page_follows_the_queue() {
    let app = open_counter_app("2026-12-03T09:00:00-03:00").await;
    let (first, _) = joined(&app, "Primeira Pessoa").await;
    let browser = Browser::phone_without_javascript().await;

    browser.goto(&app.url("/atendimento-agora")).await;
    assert!(
        browser
            .text("main")
            .await
            .contains("cartórios estão atendendo agora")
    );
    browser.follow("a[href='/atendimento-agora/1']").await;

    // Bad input: every problem at once, the typed values kept.
    browser.fill("#name", "Maria José de Souza").await;
    browser.fill("#cpf", "111.111.111-11").await;
    browser.click_text("Entrar na fila").await;
    assert!(browser.title_starts_with("Erro:").await);
    assert!(browser.has(".error-summary").await);
    assert_eq!(browser.value("#name").await, "Maria José de Souza");

    let cpf = unique_cpf();
    browser.find("#cpf").await.clear().await.unwrap();
    browser.fill("#cpf", &cpf).await;
    browser.fill("#email", &format!("{cpf}@example.com")).await;
    browser.fill("#subject", "Segunda via do título").await;
    browser.click("#consent").await;
    browser.click_text("Entrar na fila").await;
    let ticket_page = browser.path().await;
    assert!(ticket_page.starts_with("/fila/"), "{ticket_page}");
    assert!(
        browser
            .text(".queue-place")
            .await
            .contains("Sua posição: 2º"),
        "{}",
        browser.text("main").await
    );
    let refresh = app
        .http
        .get(app.url(&ticket_page))
        .send()
        .await
        .unwrap()
        .headers()
        .get("refresh")
        .map(|value| value.to_str().unwrap().to_string());
    assert_eq!(
        refresh.as_deref(),
        Some("15"),
        "the page asks to be reloaded"
    );
    assert!(
        browser
            .text("main")
            .await
            .contains("Parar a atualização automática")
    );

    // The clerk calls the first person: the page moves up on its own, no click, no script.
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let called: Value = app
        .post_as(
            &token,
            "/api/v1/staff/zones/1/queue/call",
            &json!({"meet_link": MEET}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(called["id"], first);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(25);
    loop {
        // The page may be reloading just then: an element not found is tried again.
        let place = match browser
            .client()
            .find(fantoccini::Locator::Css(".queue-place"))
            .await
        {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if place.contains("Você é a próxima pessoa") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page refreshed itself within 25 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }

    browser.click_text("Sair da fila").await;
    assert!(browser.text(".notice").await.contains("Você saiu da fila"));
    browser.close().await;
}

/// The same steps with scripts on, for axe-core (which is a script).
#[tokio::test]
async fn the_queue_pages_pass_axe() {
    let app = open_counter_app("2026-12-03T09:00:00-03:00").await;
    joined(&app, "Primeira Pessoa").await;
    let browser = Browser::phone().await;
    browser.goto(&app.url("/atendimento-agora")).await;
    browser.axe("the counters").await;
    browser.screenshot("fila-zonas-phone").await;
    browser.follow("a[href='/atendimento-agora/1']").await;
    browser.axe("the join form").await;
    browser.screenshot("fila-entrar-phone").await;
    browser.click_text("Entrar na fila").await;
    assert!(browser.has(".error-summary").await);
    browser.axe("the join form with errors").await;
    let cpf = unique_cpf();
    browser.fill("#name", "Maria José de Souza").await;
    browser.fill("#cpf", &cpf).await;
    browser.fill("#email", &format!("{cpf}@example.com")).await;
    browser.fill("#subject", "Segunda via do título").await;
    browser.click("#consent").await;
    browser.click_text("Entrar na fila").await;
    assert!(browser.has(".queue-place").await);
    browser.axe("the ticket, waiting").await;
    browser.screenshot("fila-aguardando-phone").await;
    // Joining again while waiting: what happened and what to do.
    browser.goto(&app.url("/atendimento-agora/1")).await;
    browser.fill("#name", "Maria José de Souza").await;
    browser.fill("#cpf", &cpf).await;
    browser.fill("#email", &format!("{cpf}@example.com")).await;
    browser.fill("#subject", "Segunda via do título").await;
    browser.click("#consent").await;
    browser.click_text("Entrar na fila").await;
    assert!(
        browser
            .text(".notice--warn")
            .await
            .contains("Você já está na fila")
    );
    browser.axe("the join form, already in the queue").await;
    browser.close().await;
}

#[tokio::test]
async fn the_panel_calls_a_person_and_their_page_shows_the_link() {
    let app = open_counter_app("2026-12-03T09:00:00-03:00").await;
    let (general, general_token) = joined(&app, "Geraldo Souza").await;
    let cpf = unique_cpf();
    let eldest: Value = app
        .post_json(
            "/api/v1/zones/1/queue",
            &json!({"name": "Benedita Costa", "cpf": cpf, "email": format!("{cpf}@example.com"),
                    "subject": "Título eleitoral", "preferential": "idoso80", "consent": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    let browser = Browser::open(DESKTOP.0, DESKTOP.1).await;
    sign_in(&app, &browser, "ana@tre-pa.jus.br").await;
    browser.click_text("Fila").await;
    let waiting = browser.text("main").await;
    let (eldest_at, general_at) = (
        waiting.find("Benedita Costa").expect("listed"),
        waiting.find("Geraldo Souza").expect("listed"),
    );
    assert!(eldest_at < general_at, "80+ first: {waiting}");
    assert!(waiting.contains("80+"));
    browser.axe("the clerk's queue").await;
    browser.screenshot("painel-fila-desktop").await;

    // The zone has no fixed room: the clerk must give an allowed one.
    browser.fill("#meet_link", "https://zoom.us/j/1").await;
    browser.click_text("Chamar próximo").await;
    assert!(
        browser
            .text(".notice--error")
            .await
            .contains("meet.google.com"),
        "{}",
        browser.text("main").await
    );
    browser.fill("#meet_link", MEET).await;
    browser.click_text("Chamar próximo").await;
    assert!(browser.text(".notice--ok").await.contains("Pessoa chamada"));
    assert!(browser.text("main").await.contains("Em atendimento"));
    browser.axe("the clerk's queue with a call").await;

    // Too early to mark the person missed: the page says why.
    browser.follow("button[value='missed']").await;
    assert!(browser.text(".notice--warn").await.contains("minuto"));

    let person = Browser::phone().await;
    person
        .goto(&app.url(&format!(
            "/fila/{}?token={}",
            eldest["id"],
            eldest["token"].as_str().unwrap()
        )))
        .await;
    assert!(person.text("main").await.contains("Chegou a sua vez"));
    let link = person
        .find(".meet-link a")
        .await
        .attr("href")
        .await
        .unwrap();
    assert_eq!(link.as_deref(), Some(MEET));
    assert!(
        person
            .text("main")
            .await
            .contains("Entre nos próximos 5 minuto(s)")
    );
    assert!(
        !person.text("main").await.contains("atualiza sozinha"),
        "nothing more to wait for once the link is there"
    );
    person.axe("the ticket, called").await;
    person.screenshot("fila-chamado-phone").await;

    browser.goto(&app.url("/painel/fila")).await;
    browser.follow("button[value='attended']").await;
    assert!(
        browser
            .text(".notice--ok")
            .await
            .contains("Atendimento registrado")
    );
    person
        .goto(&app.url(&format!("/fila/{general}?token={general_token}")))
        .await;
    assert!(
        person
            .text(".queue-place")
            .await
            .contains("Você é a próxima pessoa")
    );
    person.close().await;
    browser.close().await;
}

#[tokio::test]
async fn after_the_close_the_ticket_becomes_a_request_with_one_button() {
    let app = open_counter_app("2026-12-03T11:20:00-03:00").await;
    let (id, token) = joined(&app, "Raimunda Nonata").await;
    app.clock.advance(Duration::minutes(15));
    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(crate::helpers::settings_for(app.db(), &[])),
        None,
        app.clock.clone(),
    )
    .unwrap();
    while worker.run_batch().await.unwrap() > 0 {}

    let browser = Browser::phone().await;
    browser
        .goto(&app.url(&format!("/fila/{id}?token={token}")))
        .await;
    assert!(
        browser
            .text("main")
            .await
            .contains("terminou antes da sua vez")
    );
    browser.axe("the ticket, closed").await;
    browser
        .click_text("Transformar em solicitação de agendamento")
        .await;
    assert!(
        browser.has("#phone[aria-invalid='true']").await,
        "a phone is asked"
    );
    browser.axe("the ticket, closed, with an error").await;
    browser.fill("#phone", "(91) 98765-4321").await;
    browser
        .click_text("Transformar em solicitação de agendamento")
        .await;
    assert!(
        browser.path().await.starts_with("/solicitar/recebida/"),
        "{}",
        browser.path().await
    );
    browser
        .goto(&app.url(&format!("/fila/{id}?token={token}")))
        .await;
    assert!(
        browser
            .text(".notice--ok")
            .await
            .contains("virou a solicitação")
    );
    browser.close().await;
}

#[tokio::test]
async fn an_admin_opens_a_duty_day_from_the_panel() {
    let app = open_counter_app("2026-12-04T15:00:00-03:00").await;
    create_staff(&app.store, "chefe@tre-pa.jus.br", Role::Admin, &[]).await;
    let browser = Browser::open(DESKTOP.0, DESKTOP.1).await;
    sign_in(&app, &browser, "chefe@tre-pa.jus.br").await;
    browser.goto(&app.url("/painel/admin/zonas/1")).await;
    browser
        .follow("a[href='/painel/admin/zonas/1/plantoes']")
        .await;
    browser.axe("the duty days").await;
    browser.click_text("Incluir plantão").await;
    assert!(browser.has(".error-summary").await, "every field is asked");
    browser.axe("the duty days with errors").await;
    // Date and time pickers are typed in the browser's locale order: their values are set.
    browser
        .client()
        .execute(
            "document.querySelector('#date').value = '2026-12-05';\
             document.querySelector('#opens').value = '08:00';\
             document.querySelector('#closes').value = '12:00';",
            vec![],
        )
        .await
        .unwrap();
    browser.fill("#note", "Plantão eleitoral").await;
    browser.click_text("Incluir plantão").await;
    assert!(
        browser
            .text(".notice--ok")
            .await
            .contains("Plantão incluído"),
        "{}",
        browser.text("main").await
    );
    assert!(
        browser
            .text("table")
            .await
            .contains("sábado, 5 de dezembro de 2026")
    );

    let state: Value = app
        .http
        .get(app.url("/api/v1/zones/1/queue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        state["opens_at"], "2026-12-05T11:00:00Z",
        "the counter opens on Saturday"
    );
    browser.follow("table button.button--secondary").await;
    assert!(
        browser
            .text(".notice--ok")
            .await
            .contains("Plantão removido")
    );
    browser.close().await;
}
