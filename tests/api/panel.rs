//! The staff panel over HTTP: signing in and out, sessions and CSRF, the inbox, a request's
//! page and its actions, and zone scoping.

use chrono::Duration;
use entities::requests;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::helpers::{
    Moment, TEST_PASSWORD, TestApp, create_clerk, row_counts, spawn_app, spawn_app_when,
    spawn_app_with,
};

/// A browser-like client: keeps cookies, does not follow redirects (to see them).
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first hidden `name` input in `html`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in the page"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn text(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Signs `email` in through the form; returns the client holding the session.
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = client();
    let (_, page) = text(client.get(app.url("/painel/entrar")).send().await.unwrap()).await;
    let response = client
        .post(app.url("/painel/entrar"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("email", email),
            ("password", TEST_PASSWORD),
            ("volta", "/painel"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{email} signs in");
    client
}

async fn request_id(app: &TestApp, zone: i64) -> i64 {
    let (protocol, _) = app.submit(zone).await;
    let found = requests::Entity::find()
        .filter(requests::Column::Protocol.eq(protocol))
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    found.id
}

#[tokio::test]
async fn signing_in_sets_a_locked_down_session_cookie() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let client = client();
    let (status, page) = text(client.get(app.url("/painel/entrar")).send().await.unwrap()).await;
    assert_eq!(status, 200);

    let response = client
        .post(app.url("/painel/entrar"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("email", "ana@tre-pa.jus.br"),
            ("password", TEST_PASSWORD),
            ("volta", "/painel?situacao=triaged"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/painel?situacao=triaged");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("contato_sessao="))
        .expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/painel", "Max-Age=43200"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http here; https public URLs get Secure"
    );
    let (status, inbox) = text(client.get(app.url("/painel")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(inbox.contains("<h1>Pedidos"));
}

#[tokio::test]
async fn wrong_credentials_and_forged_sign_ins_are_refused() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let client = client();
    let (_, page) = text(client.get(app.url("/painel/entrar")).send().await.unwrap()).await;
    let csrf = hidden(&page, "csrf");

    let (wrong, wrong_page) = text(
        client
            .post(app.url("/painel/entrar"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "ana@tre-pa.jus.br"),
                ("password", "senha errada demais"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let forged = reqwest::Client::new()
        .post(app.url("/painel/entrar"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ana@tre-pa.jus.br"),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(wrong, 401);
    assert!(wrong_page.contains("E-mail ou senha incorretos."));
    assert_eq!(
        forged.status(),
        403,
        "a sign-in without the form's own cookie is refused"
    );
}

#[tokio::test]
async fn the_panel_sends_signed_out_visitors_to_the_sign_in_page() {
    let app = spawn_app().await;

    let response = client()
        .get(app.url("/painel/solicitacoes/1"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/painel/entrar?volta=%2Fpainel%2Fsolicitacoes%2F1"
    );
}

at_awkward_moments!(a_clerk_works_a_request_through_the_forms);
async fn a_clerk_works_a_request_through_the_forms(moment: Moment) {
    let app = spawn_app_when(moment).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let id = request_id(&app, 1).await;
    let client = signed_in(&app, "ana@tre-pa.jus.br").await;
    let page = format!("/painel/solicitacoes/{id}");
    let (_, detail) = text(client.get(app.url(&page)).send().await.unwrap()).await;
    let csrf = hidden(&detail, "csrf");
    let action = format!("/painel/solicitacoes/{id}/acao");

    let triaged = client
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("action", "triage"),
            ("note", "ok"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(triaged.status(), 303);
    assert_eq!(
        triaged.headers()["location"],
        format!("{page}?feito=triage").as_str()
    );
    let (_, detail) = text(client.get(app.url(&page)).send().await.unwrap()).await;
    let start = hidden(&detail, "start");
    let without_link = client
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "2"),
            ("action", "schedule"),
            ("start", start.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let (status, refused) = text(without_link).await;
    assert_eq!(status, 422, "a manual meeting needs a link");
    assert!(
        refused.contains("schedule-meet_link-error"),
        "the error sits beside the link field"
    );
    let scheduled = client
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "2"),
            ("action", "schedule"),
            ("start", start.as_str()),
            ("meet_link", "https://meet.google.com/abc-defg-hij"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(scheduled.status(), 303);
    let (_, detail) = text(
        client
            .get(app.url(&format!("{page}?feito=schedule")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(detail.contains("Atendimento marcado; o requerente receberá o link por e-mail."));
    assert!(detail.contains("https://meet.google.com/abc-defg-hij"));
    let stale = client
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "2"),
            ("action", "cancel"),
        ])
        .send()
        .await
        .unwrap();
    let (status, stale_page) = text(stale).await;
    assert_eq!(status, 409);
    assert!(stale_page.contains("Outra pessoa alterou este pedido"));
    let day = start[..10].to_string();
    let (_, agenda) = text(
        client
            .get(app.url(&format!("/painel/agenda?dia={day}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(agenda.contains(&page), "the meeting is on the day's agenda");
}

#[tokio::test]
async fn a_form_posted_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let id = request_id(&app, 1).await;
    let client = signed_in(&app, "ana@tre-pa.jus.br").await;
    let before = row_counts(&app.store).await;

    let cases = [
        ("no token", vec![("version", "1"), ("action", "triage")]),
        (
            "a wrong token",
            vec![
                ("csrf", "0123456789abcdef0123456789abcdef"),
                ("version", "1"),
                ("action", "triage"),
            ],
        ),
    ];
    for (description, form) in cases {
        let response = client
            .post(app.url(&format!("/painel/solicitacoes/{id}/acao")))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{description}");
    }
    let logout = client
        .post(app.url("/painel/sair"))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 403, "signing out needs the token too");

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_clerk_cannot_open_or_act_on_another_zones_request() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_clerk(&app.store, "bia@tre-pa.jus.br", &[28]).await;
    let id = request_id(&app, 1).await;
    let bia = signed_in(&app, "bia@tre-pa.jus.br").await;
    let (_, inbox) = text(bia.get(app.url("/painel")).send().await.unwrap()).await;
    let csrf = hidden(&inbox, "csrf");
    let before = row_counts(&app.store).await;

    let detail = bia
        .get(app.url(&format!("/painel/solicitacoes/{id}")))
        .send()
        .await
        .unwrap();
    let act = bia
        .post(app.url(&format!("/painel/solicitacoes/{id}/acao")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("action", "triage"),
        ])
        .send()
        .await
        .unwrap();
    let filtered = bia.get(app.url("/painel?zona=1")).send().await.unwrap();

    assert_eq!(detail.status(), 404);
    assert_eq!(act.status(), 404);
    assert_eq!(filtered.status(), 404);
    assert!(
        !inbox.contains(&format!("/painel/solicitacoes/{id}")),
        "not listed either"
    );
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let client = signed_in(&app, "ana@tre-pa.jus.br").await;
    let (_, inbox) = text(client.get(app.url("/painel")).send().await.unwrap()).await;

    let out = client
        .post(app.url("/painel/sair"))
        .form(&[("csrf", hidden(&inbox, "csrf").as_str())])
        .send()
        .await
        .unwrap();
    let after = client.get(app.url("/painel")).send().await.unwrap();

    assert_eq!(out.status(), 303);
    assert_eq!(after.status(), 303, "back to the sign-in page");
}

at_awkward_moments!(requests_waiting_over_a_business_day_are_marked_in_the_inbox);
async fn requests_waiting_over_a_business_day_are_marked_in_the_inbox(moment: Moment) {
    let app = spawn_app_when(moment).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let old = request_id(&app, 1).await;
    let new = request_id(&app, 1).await;
    // Filed thirty days ago: more than one business day of service hours even across the
    // recesso forense (20 December to 6 January) and the weekends around it.
    requests::Entity::update_many()
        .col_expr(
            requests::Column::CreatedAt,
            Expr::value(app.now() - Duration::days(30)),
        )
        .filter(requests::Column::Id.eq(old))
        .exec(app.store.connection())
        .await
        .unwrap();
    let client = signed_in(&app, "ana@tre-pa.jus.br").await;

    let (_, inbox) = text(client.get(app.url("/painel")).send().await.unwrap()).await;

    let row = |id: i64| {
        let link = format!("/painel/solicitacoes/{id}\"");
        let at = inbox.find(&link).unwrap();
        inbox[inbox[..at].rfind("<tr").unwrap()..at].to_string()
    };
    assert!(row(old).contains("class=\"late\""), "the old one is marked");
    assert!(!row(new).contains("class=\"late\""), "the new one is not");
    assert!(
        inbox.find(&format!("/painel/solicitacoes/{old}\""))
            < inbox.find(&format!("/painel/solicitacoes/{new}\"")),
        "oldest first"
    );
}

#[tokio::test]
async fn a_mangled_page_address_gets_a_page_in_portuguese() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let (protocol, token) = app.submit(1).await;
    let clerk = signed_in(&app, "ana@tre-pa.jus.br").await;

    let inbox = clerk
        .get(app.url("/painel?pagina=dois"))
        .send()
        .await
        .unwrap();
    let tracking = client()
        .get(app.url(&format!(
            "/acompanhar/{protocol}?token={token}&token={token}"
        )))
        .send()
        .await
        .unwrap();

    for response in [inbox, tracking] {
        assert_eq!(response.status(), 400);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let (_, page) = text(response).await;
        assert!(page.contains("Endereço inválido"), "{page}");
    }
}

#[tokio::test]
async fn a_clerk_who_transfers_a_request_away_lands_on_the_inbox() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let id = request_id(&app, 1).await;
    let client = signed_in(&app, "ana@tre-pa.jus.br").await;
    let (_, detail) = text(
        client
            .get(app.url(&format!("/painel/solicitacoes/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let action = format!("/painel/solicitacoes/{id}/acao");

    let transferred = client
        .post(app.url(&action))
        .form(&[
            ("csrf", hidden(&detail, "csrf").as_str()),
            ("version", "1"),
            // Spaces and a line break around the action: accepted, and kept out of headers.
            ("action", " transfer\r\n"),
            ("zone", "28"),
            ("note", "O requerente mora em Marabá."),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(transferred.status(), 303);
    let location = transferred.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(location, "/painel?feito=transferido");
    let (status, inbox) = text(client.get(app.url(&location)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(inbox.contains("Solicitação transferida"), "{inbox}");
}

#[tokio::test]
async fn a_form_posted_after_the_session_ended_returns_to_its_page_after_sign_in() {
    let app = spawn_app().await;
    let id = request_id(&app, 1).await;

    let expired = client()
        .post(app.url(&format!("/painel/solicitacoes/{id}/acao")))
        .form(&[("action", "triage")])
        .send()
        .await
        .unwrap();
    let with_control = client()
        .get(app.url("/painel/entrar?volta=/painel%0Ax"))
        .send()
        .await
        .unwrap();

    assert_eq!(expired.status(), 303);
    assert_eq!(
        expired.headers()["location"],
        format!("/painel/entrar?volta=%2Fpainel%2Fsolicitacoes%2F{id}").as_str()
    );
    let (_, page) = text(with_control).await;
    assert!(
        page.contains("name=\"volta\" value=\"&#x2f;painel\""),
        "a return address with a control character falls back to the inbox"
    );
}

#[tokio::test]
async fn a_search_shows_in_each_tab_how_many_requests_match() {
    let app = spawn_app().await;
    let clerk = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let id = request_id(&app, 1).await;
    request_id(&app, 1).await;
    app.change(
        id,
        1,
        contato::domain::command::Command::Triage,
        contato::domain::change::Actor::Staff(clerk.id),
    )
    .await
    .unwrap()
    .unwrap();
    let protocol = app
        .store
        .request(id, &contato::store::ZoneScope::All)
        .await
        .unwrap()
        .unwrap()
        .protocol;
    let client = signed_in(&app, "ana@tre-pa.jus.br").await;

    let (status, inbox) = text(
        client
            .get(app.url(&format!("/painel?situacao=submitted&q={protocol}")))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(status, 200);
    assert!(inbox.contains("para esta busca"), "nothing new matches");
    let tab = |label: &str| {
        let at = inbox
            .find(&format!(">{label} <span class=\"badge\">"))
            .unwrap();
        inbox[at..at + 60].to_string()
    };
    assert!(tab("Em análise").contains(">1<"), "{}", tab("Em análise"));
    assert!(tab("Novos").contains(">0<"), "{}", tab("Novos"));
    assert!(tab("Todos").contains(">1<"), "{}", tab("Todos"));
}

/// The sign-in form as `address` gets it: `(cookie, token)`.
async fn sign_in_form_for(app: &TestApp, address: &str) -> (String, String) {
    let response = client()
        .get(app.url("/painel/entrar"))
        .header("x-forwarded-for", address)
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("contato_login="))
        .expect("a sign-in cookie");
    let cookie = cookie["contato_login=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, page) = text(response).await;
    (cookie, hidden(&page, "csrf"))
}

/// Posts the sign-in form from `address` with the sign-in cookie set to `cookie`.
async fn sign_in_with(
    app: &TestApp,
    address: &str,
    cookie: &str,
    csrf: &str,
    email: &str,
) -> reqwest::Response {
    client()
        .post(app.url("/painel/entrar"))
        .header("x-forwarded-for", address)
        .header("cookie", format!("contato_login={cookie}"))
        .form(&[
            ("csrf", csrf),
            ("email", email),
            ("password", TEST_PASSWORD),
            ("volta", "/painel"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_planted_sign_in_cookie_does_not_sign_anyone_in() {
    let app = spawn_app_with(&[("server.trust_forwarded_for", serde_json::json!(true))]).await;
    create_clerk(&app.store, "atacante@tre-pa.jus.br", &[1]).await;
    let (cookie, csrf) = sign_in_form_for(&app, "203.0.113.7").await;

    let made_up = sign_in_with(
        &app,
        "198.51.100.20",
        "abc.def",
        "abc.def",
        "atacante@tre-pa.jus.br",
    )
    .await;
    let planted = sign_in_with(
        &app,
        "198.51.100.20",
        &cookie,
        &csrf,
        "atacante@tre-pa.jus.br",
    )
    .await;
    let own = sign_in_with(
        &app,
        "203.0.113.7",
        &cookie,
        &csrf,
        "atacante@tre-pa.jus.br",
    )
    .await;

    assert_eq!(made_up.status(), 403, "a made-up token holds for nobody");
    assert_eq!(
        planted.status(),
        403,
        "a token given to another address does not hold for the victim's"
    );
    assert_eq!(
        own.status(),
        303,
        "the form signs in whoever it was given to"
    );
}

#[tokio::test]
async fn every_instance_on_one_database_checks_the_sign_in_forms_of_the_others() {
    let first = spawn_app().await;
    create_clerk(&first.store, "ana@tre-pa.jus.br", &[1]).await;
    let second = contato::startup::Application::build(
        crate::helpers::settings_for(first.db(), &[]),
        first.clock.clone(),
    )
    .await
    .unwrap();
    let second_url = format!("http://{}", second.local_addr().unwrap());
    tokio::spawn(second.run_until(std::future::pending()));
    let browser = client();
    let (_, page) = text(
        browser
            .get(first.url("/painel/entrar"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let signed_in = browser
        .post(format!("{second_url}/painel/entrar"))
        .form(&[
            ("csrf", hidden(&page, "csrf").as_str()),
            ("email", "ana@tre-pa.jus.br"),
            ("password", TEST_PASSWORD),
            ("volta", "/painel"),
        ])
        .send()
        .await
        .unwrap();

    assert_eq!(
        signed_in.status(),
        303,
        "the form of one instance, posted to another"
    );
}

#[tokio::test]
async fn over_https_browsers_are_told_to_stay_on_https_and_the_sign_in_cookie_is_host_only() {
    let plain = spawn_app().await;
    let tls = spawn_app_with(&[(
        "server.public_url",
        serde_json::json!("https://contato.tre-pa.jus.br"),
    )])
    .await;

    let over_http = client()
        .get(plain.url("/painel/entrar"))
        .send()
        .await
        .unwrap();
    let over_https = client()
        .get(tls.url("/painel/entrar"))
        .send()
        .await
        .unwrap();

    assert!(
        !over_http
            .headers()
            .contains_key("strict-transport-security")
    );
    assert_eq!(
        over_https.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let cookie = over_https
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-contato_login="))
        .expect("a host-only sign-in cookie");
    for part in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}
