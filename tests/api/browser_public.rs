//! The public pages in a real browser (headless Chromium): a person files a request through
//! the form, sees it, follows it and cancels it; the pages pass axe-core, stay small and need
//! no JavaScript. Screenshots go to `target/screenshots/`.

use contato::domain::status::Status;

use crate::{
    browser::{Browser, DESKTOP, PHONE},
    helpers::{TestApp, row_counts, spawn_app},
};

const CPF: &str = "529.982.247-25";
const EMAIL: &str = "maria.souza@example.com";
const PHONE_NUMBER: &str = "(91) 98765-4321";
const SUBJECT: &str = "Transferência de título";
const DESCRIPTION: &str = "Mudei de Belém para Ananindeua e preciso transferir meu título.";

/// Fills every required field of `/solicitar` (already open) with valid values, except the
/// CPF, which is `cpf`.
async fn fill_form(browser: &Browser, cpf: &str) {
    browser.select("#zone", "1").await;
    browser.fill("#name", "Maria José de Souza").await;
    browser.fill("#cpf", cpf).await;
    browser.fill("#email", EMAIL).await;
    browser.fill("#phone", PHONE_NUMBER).await;
    browser.click("#role-parte").await;
    browser.fill("#subject", SUBJECT).await;
    browser.fill("#description", DESCRIPTION).await;
    browser.click("#consent").await;
}

async fn send_form(browser: &Browser) {
    browser.click_text("Enviar pedido").await;
}

/// Files a valid request through the form and returns `(protocol, confirmation path)`.
async fn file_request(app: &TestApp, browser: &Browser) -> (String, String) {
    browser.goto(&app.url("/solicitar")).await;
    fill_form(browser, CPF).await;
    send_form(browser).await;
    let path = browser.path().await;
    let protocol = path
        .strip_prefix("/solicitar/recebida/")
        .and_then(|rest| rest.split_once("?token="))
        .filter(|(_, token)| !token.is_empty())
        .map(|(protocol, _)| protocol.to_string())
        .unwrap_or_else(|| panic!("the form leads to the confirmation, not to {path}"));
    (protocol, path)
}

/// The tracking page's address as the confirmation page links it.
async fn tracking_path(browser: &Browser) -> String {
    browser
        .find("main a[href^='/acompanhar/']")
        .await
        .attr("href")
        .await
        .expect("an href")
        .expect("the confirmation links the tracking page")
}

fn requests(counts: &[(&'static str, i64)]) -> i64 {
    counts
        .iter()
        .find(|(table, _)| *table == "requests")
        .map(|(_, n)| *n)
        .expect("a requests count")
}

#[tokio::test]
async fn a_person_files_a_request_through_the_form() {
    let app = spawn_app().await;
    let before = requests(&row_counts(&app.store).await);
    let browser = Browser::phone().await;

    let (protocol, _) = file_request(&app, &browser).await;
    assert_eq!(browser.text("h1").await, "Pedido recebido");
    assert_eq!(browser.text(".protocol").await, protocol);

    browser
        .follow(&format!("main a[href^='/acompanhar/{protocol}?token=']"))
        .await;
    assert!(
        browser
            .path()
            .await
            .starts_with(&format!("/acompanhar/{protocol}?token=")),
        "the link opens the tracking page"
    );
    assert_eq!(browser.text("h1").await, format!("Pedido {protocol}"));
    assert_eq!(browser.text(".summary dd strong").await, "Recebida");
    let timeline = browser.text("ol.timeline").await;
    assert!(timeline.contains("Pedido recebido"), "{timeline}");
    assert!(browser.has("a[href*='/cancelar?token=']").await);
    browser.close().await;

    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    assert_eq!(request.status, Status::Submitted);
    assert_eq!(request.zone, 1);
    assert_eq!(request.email, EMAIL);
    assert_eq!(request.subject, SUBJECT);
    assert_eq!(request.description, DESCRIPTION);
    assert_eq!(requests(&row_counts(&app.store).await), before + 1);
}

#[tokio::test]
async fn a_bad_cpf_shows_the_error_next_to_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let before = row_counts(&app.store).await;
    let browser = Browser::phone().await;
    browser.goto(&app.url("/solicitar")).await;
    fill_form(&browser, "111.111.111-11").await;
    send_form(&browser).await;

    assert_eq!(browser.path().await, "/solicitar", "the form comes back");
    assert!(browser.title_starts_with("Erro:").await);
    let summary = browser.find(".error-summary").await;
    let links = browser.find_all(".error-summary a").await;
    assert_eq!(
        links.len(),
        1,
        "{}",
        summary.text().await.unwrap_or_default()
    );
    assert_eq!(
        links[0].attr("href").await.expect("an href").as_deref(),
        Some("#cpf")
    );
    assert!(browser.has("p.field-error#cpf-error").await);
    assert_eq!(browser.find_all("p.field-error").await.len(), 1);
    let next_to_the_field = browser
        .client()
        .execute(
            "const error = document.getElementById('cpf-error'), field = document.getElementById('cpf');
             return error.parentElement === field.parentElement
               && field.getAttribute('aria-invalid') === 'true'
               && field.getAttribute('aria-describedby').split(' ').includes('cpf-error');",
            vec![],
        )
        .await
        .expect("the script runs");
    assert_eq!(next_to_the_field, serde_json::json!(true));

    // Following the summary's link lands on the field.
    links[0].click().await.expect("the link is clickable");
    assert_eq!(
        browser
            .client()
            .active_element()
            .await
            .expect("a focused element")
            .attr("id")
            .await
            .expect("an id")
            .as_deref(),
        Some("cpf")
    );

    // Everything typed is still there.
    assert_eq!(browser.value("#zone").await, "1");
    assert_eq!(browser.value("#name").await, "Maria José de Souza");
    assert_eq!(browser.value("#cpf").await, "111.111.111-11");
    assert_eq!(browser.value("#email").await, EMAIL);
    assert_eq!(browser.value("#phone").await, PHONE_NUMBER);
    assert_eq!(browser.value("#subject").await, SUBJECT);
    assert_eq!(browser.value("#description").await, DESCRIPTION);
    assert!(browser.is_selected("#role-parte").await);
    assert!(browser.is_selected("#consent").await);
    browser.close().await;

    assert_eq!(row_counts(&app.store).await, before, "nothing is written");
}

/// The HTML at `path` (GET, or POST of an empty form) and the stylesheet it links, in bytes;
/// the page must not need any script.
async fn page_weight(app: &TestApp, path: &str, post_empty_form: bool) -> (usize, usize) {
    let request = if post_empty_form {
        app.http
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
    } else {
        app.http.get(app.url(path))
    };
    let response = request.send().await.expect("the page answers");
    let html = response.bytes().await.expect("a body");
    let text = String::from_utf8_lossy(&html);
    assert!(
        !text.to_lowercase().contains("<script"),
        "{path} works without JavaScript: it has no script"
    );
    let stylesheet = text
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{path} links a stylesheet"))
        // The template escapes the address (`&#x2f;` for `/`).
        .replace("&#x2f;", "/")
        .replace("&#x3d;", "=")
        .replace("&amp;", "&");
    let css = app
        .http
        .get(app.url(&stylesheet))
        .send()
        .await
        .expect("the stylesheet answers")
        .error_for_status()
        .expect("the stylesheet is served")
        .bytes()
        .await
        .expect("the stylesheet's body");
    (html.len(), css.len())
}

#[tokio::test]
async fn public_pages_pass_axe_and_are_small() {
    let app = spawn_app().await;

    // The pages, reached as a person reaches them, at phone size.
    let browser = Browser::phone().await;
    let mut pages: Vec<(&str, String)> = Vec::new();
    for (name, path) in [
        ("inicio", "/"),
        ("solicitar", "/solicitar"),
        ("acompanhar-inicio", "/acompanhar"),
        ("privacidade", "/privacidade"),
    ] {
        browser.goto(&app.url(path)).await;
        browser.axe(&format!("{name} (phone)")).await;
        pages.push((name, path.to_string()));
    }
    browser.goto(&app.url("/solicitar")).await;
    send_form(&browser).await;
    assert!(
        browser.has(".error-summary").await,
        "the empty form is refused"
    );
    browser.axe("solicitar with errors (phone)").await;

    let (protocol, confirmation) = file_request(&app, &browser).await;
    browser.axe("recebida (phone)").await;
    let tracking = tracking_path(&browser).await;
    browser.goto(&app.url(&tracking)).await;
    browser.axe("acompanhar (phone)").await;
    browser.click_text("Cancelar o pedido").await;
    let cancel = browser.path().await;
    assert!(
        cancel.starts_with(&format!("/acompanhar/{protocol}/cancelar?token=")),
        "{cancel}"
    );
    browser.axe("cancelar (phone)").await;
    browser.close().await;
    pages.extend([
        ("recebida", confirmation),
        ("acompanhar", tracking),
        ("cancelar", cancel),
    ]);

    // The same pages on a desktop screen.
    let browser = Browser::desktop().await;
    for (name, path) in &pages {
        browser.goto(&app.url(path)).await;
        browser.axe(&format!("{name} (desktop)")).await;
    }
    browser.goto(&app.url("/solicitar")).await;
    send_form(&browser).await;
    browser.axe("solicitar with errors (desktop)").await;
    browser.close().await;

    // What each page costs to download: the HTML and its stylesheet, under 50 KB.
    let mut weights = Vec::new();
    for (name, path) in &pages {
        weights.push((*name, page_weight(&app, path, false).await));
    }
    weights.push((
        "solicitar with errors",
        page_weight(&app, "/solicitar", true).await,
    ));
    for (name, (html, css)) in &weights {
        eprintln!(
            "{name}: {html} B of HTML + {css} B of CSS = {} B",
            html + css
        );
        assert!(html + css < 50_000, "{name} weighs {} bytes", html + css);
    }
}

#[tokio::test]
async fn screenshots_of_the_public_pages() {
    let app = spawn_app().await;
    for (size, (width, height)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        let browser = Browser::open(width, height).await;
        browser.goto(&app.url("/")).await;
        browser.screenshot(&format!("public-inicio-{size}")).await;
        browser.goto(&app.url("/solicitar")).await;
        browser
            .screenshot(&format!("public-solicitar-{size}"))
            .await;
        send_form(&browser).await;
        browser
            .screenshot(&format!("public-solicitar-erros-{size}"))
            .await;
        browser.goto(&app.url("/acompanhar")).await;
        browser
            .screenshot(&format!("public-acompanhar-inicio-{size}"))
            .await;
        browser.goto(&app.url("/privacidade")).await;
        browser
            .screenshot(&format!("public-privacidade-{size}"))
            .await;
        file_request(&app, &browser).await;
        browser.screenshot(&format!("public-recebida-{size}")).await;
        let tracking = tracking_path(&browser).await;
        browser.goto(&app.url(&tracking)).await;
        browser
            .screenshot(&format!("public-acompanhar-{size}"))
            .await;
        browser.click_text("Cancelar o pedido").await;
        browser.screenshot(&format!("public-cancelar-{size}")).await;
        browser.close().await;
    }
    for name in ["public-solicitar-phone", "public-acompanhar-desktop"] {
        let path = crate::browser::target_dir().join(format!("screenshots/{name}.png"));
        assert!(
            std::fs::metadata(&path)
                .expect("the screenshot exists")
                .len()
                > 1_000
        );
    }
}

#[tokio::test]
async fn the_requester_cancels_through_the_tracking_page() {
    let app = spawn_app().await;
    let (protocol, token) = app.submit(1).await;
    let browser = Browser::phone().await;
    browser
        .goto(&app.url(&format!("/acompanhar/{protocol}?token={token}")))
        .await;
    assert_eq!(browser.text(".summary dd strong").await, "Recebida");

    browser.click_text("Cancelar o pedido").await;
    assert_eq!(
        browser.path().await,
        format!("/acompanhar/{protocol}/cancelar?token={token}")
    );
    assert_eq!(
        browser.text("h1").await,
        format!("Cancelar o pedido {protocol}?")
    );
    browser.click_text("Sim, cancelar o pedido").await;

    assert!(
        browser
            .path()
            .await
            .starts_with(&format!("/acompanhar/{protocol}?token={token}")),
        "back to the tracking page"
    );
    assert_eq!(browser.text(".summary dd strong").await, "Cancelada");
    assert!(browser.text(".notice").await.contains("Pedido cancelado"));
    let timeline = browser.text("ol.timeline").await;
    assert!(
        timeline.contains("Pedido recebido") && timeline.contains("Pedido cancelado"),
        "{timeline}"
    );
    assert!(
        !browser.has("a[href*='/cancelar?token=']").await,
        "no cancel link on a cancelled request"
    );
    browser.close().await;

    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    assert_eq!(request.status, Status::Cancelled);
}

#[tokio::test]
async fn filing_following_and_cancelling_work_without_javascript() {
    let app = spawn_app().await;
    let browser = Browser::phone_without_javascript().await;
    // JavaScript is really off: a page's script does not run.
    browser
        .goto("data:text/html,<title>sem%20script</title><script>document.title='script'</script>")
        .await;
    assert_eq!(
        browser.client().title().await.expect("a title"),
        "sem script"
    );

    let (protocol, _) = file_request(&app, &browser).await;
    browser
        .follow(&format!("main a[href^='/acompanhar/{protocol}?token=']"))
        .await;
    assert_eq!(browser.text(".summary dd strong").await, "Recebida");
    browser.click_text("Cancelar o pedido").await;
    browser.click_text("Sim, cancelar o pedido").await;
    assert_eq!(browser.text(".summary dd strong").await, "Cancelada");
    browser.close().await;

    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    assert_eq!(request.status, Status::Cancelled);
}

/// A request scheduled by a clerk at least three days ahead: `(tracking path, meeting start)`.
async fn scheduled_request(app: &TestApp) -> (String, String, chrono::DateTime<chrono::Utc>) {
    crate::helpers::create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let staff = app.sign_in("ana@tre-pa.jus.br").await;
    let (protocol, token) = app.submit(1).await;
    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    let path = format!("/api/v1/staff/requests/{}/transitions", request.id);
    let start = app.slots_from(chrono::Duration::days(3), 1)[0].start;
    for body in [
        serde_json::json!({"action": "triage", "version": 1}),
        serde_json::json!({"action": "schedule", "version": 2, "start": start.to_rfc3339(),
            "meet_link": "https://meet.google.com/abc-defg-hij"}),
    ] {
        assert_eq!(app.post_as(&staff, &path, &body).await.status(), 200);
    }
    (
        protocol.clone(),
        format!("/acompanhar/{protocol}?token={token}"),
        start,
    )
}

#[tokio::test]
async fn the_requester_reschedules_through_the_tracking_page_without_javascript() {
    let app = spawn_app().await;
    let (protocol, tracking, first_start) = scheduled_request(&app).await;

    // The step passes axe (a script, so in a browser that runs them): with its free slots,
    // and after a submission without a chosen time.
    let browser = Browser::phone().await;
    browser.goto(&app.url(&tracking)).await;
    assert!(
        browser
            .has("#remarcar input[type='radio'][name='start']")
            .await
    );
    browser.axe("acompanhar com remarcar (phone)").await;
    browser
        .click_text("Remarcar para o horário escolhido")
        .await;
    assert!(
        browser
            .text("#start-error")
            .await
            .contains("Escolha um dos horários livres")
    );
    browser.axe("remarcar sem horário (phone)").await;
    browser.close().await;
    let browser = Browser::desktop().await;
    browser.goto(&app.url(&tracking)).await;
    browser.axe("acompanhar com remarcar (desktop)").await;
    browser
        .screenshot("public-acompanhar-remarcar-desktop")
        .await;
    browser.close().await;
    let (html, css) = page_weight(&app, &tracking, false).await;
    assert!(
        html + css < 50_000,
        "a week of slots weighs {} bytes",
        html + css
    );

    // The move itself, with JavaScript off.
    let browser = Browser::phone_without_javascript().await;
    browser.goto(&app.url(&tracking)).await;
    assert_eq!(browser.text("#remarcar h2").await, "Remarcar");
    let chosen = browser.value("#slot-1-1").await;
    let day = browser.text("#remarcar fieldset.slot-day legend").await;
    browser.click("#slot-1-1").await;
    assert!(browser.is_selected("#slot-1-1").await);
    browser
        .click_text("Remarcar para o horário escolhido")
        .await;

    assert!(
        browser
            .path()
            .await
            .starts_with(&format!("{tracking}&remarcado=1")),
        "back to the tracking page"
    );
    let notice = browser.text(".notice").await;
    assert!(
        notice.starts_with(&format!("Atendimento remarcado para {day}")),
        "{notice}"
    );
    assert!(browser.text(".panel-box strong").await.starts_with(&day));
    let timeline = browser.text("ol.timeline").await;
    assert!(timeline.contains("Atendimento remarcado"), "{timeline}");
    browser.close().await;

    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    let chosen: chrono::DateTime<chrono::Utc> = chosen.parse().expect("an RFC 3339 value");
    assert_eq!(request.scheduled_start, Some(chosen));
    assert_ne!(chosen, first_start);
    assert_eq!(request.requester_reschedules, 1);
}

#[tokio::test]
async fn the_requester_picks_an_offered_time_without_javascript() {
    let app = spawn_app().await;
    crate::helpers::create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let staff = app.sign_in("ana@tre-pa.jus.br").await;
    let (protocol, token) = app.submit(1).await;
    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    let path = format!("/api/v1/staff/requests/{}/transitions", request.id);
    let starts: Vec<String> = app
        .slots_from(chrono::Duration::days(2), 3)
        .iter()
        .map(|slot| slot.start.to_rfc3339())
        .collect();
    for body in [
        serde_json::json!({"action": "triage", "version": 1}),
        serde_json::json!({"action": "offer", "version": 2, "slots": starts,
            "meet_link": "https://meet.google.com/abc-defg-hij"}),
    ] {
        assert_eq!(app.post_as(&staff, &path, &body).await.status(), 200);
    }
    let tracking = format!("/acompanhar/{protocol}?token={token}");

    // The choice passes axe, on a phone and on a desktop.
    for browser in [Browser::phone().await, Browser::desktop().await] {
        browser.goto(&app.url(&tracking)).await;
        assert!(browser.has("#escolha").await);
        browser.axe("acompanhar com horários oferecidos").await;
        browser.close().await;
    }

    // The pick itself, with JavaScript off.
    let browser = Browser::phone_without_javascript().await;
    browser.goto(&app.url(&tracking)).await;
    let radios = "input[type='radio'][name='start']";
    assert!(browser.has(radios).await);
    let chosen = browser.value(radios).await;
    browser.click(radios).await;
    browser.click_text("Confirmar este horário").await;

    assert!(
        browser
            .path()
            .await
            .starts_with(&format!("{tracking}&escolhido=1")),
        "back to the tracking page"
    );
    assert!(
        browser
            .text(".notice")
            .await
            .starts_with("Horário confirmado")
    );
    assert!(browser.text(".panel-box").await.contains("Seu atendimento"));
    browser.close().await;
    let (request, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .expect("the store answers")
        .expect("the request is stored");
    let chosen: chrono::DateTime<chrono::Utc> = chosen.parse().expect("an RFC 3339 value");
    assert_eq!(request.scheduled_start, Some(chosen));
    assert_eq!(request.status, Status::Scheduled);
}

#[tokio::test]
async fn accessibility_needs_are_chosen_on_the_form_and_an_other_need_must_be_described() {
    let app = spawn_app().await;
    let browser = Browser::phone_without_javascript().await;
    browser.goto(&app.url("/solicitar")).await;
    fill_form(&browser, CPF).await;
    browser.click("#accessibility-libras").await;
    browser.click("#accessibility-outro").await;
    send_form(&browser).await;
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("Descreva a outra necessidade"),
        "{}",
        browser.text("main").await
    );
    assert!(browser.is_selected("#accessibility-libras").await, "kept");
    assert!(browser.is_selected("#accessibility-outro").await, "kept");
    browser
        .fill(
            "#accessibility_note",
            "Preciso de mais tempo para responder",
        )
        .await;
    // The CPF and consent survive the round trip; the form is sent again as it is.
    if !browser.is_selected("#consent").await {
        browser.click("#consent").await;
    }
    send_form(&browser).await;
    assert!(
        browser.path().await.starts_with("/solicitar/recebida/"),
        "{}",
        browser.text("main").await
    );
    browser.close().await;
}
