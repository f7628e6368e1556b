//! The panel's admin pages over HTTP, as a browser without JavaScript uses them: signed in
//! through the sign-in form, every change a form post with the session's CSRF token,
//! answered with a redirect (303) and a flash, or the page again with its errors (422).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Duration, NaiveTime};
use contato::{domain::staff::Role, store::StaffRecord};
use entities::{jobs, sea_orm_active_enums::JobState};
use reqwest::{Client, StatusCode, redirect::Policy};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::json;

use crate::helpers::{TEST_PASSWORD, TestApp, create_clerk, create_staff, row_counts, spawn_app};

const ADMIN_EMAIL: &str = "ti@tre-pa.jus.br";
const CLERK_EMAIL: &str = "ana@tre-pa.jus.br";

/// A browser signed in to the panel: it keeps the session cookie and follows no redirect,
/// so that each answer can be checked.
struct Browser<'a> {
    app: &'a TestApp,
    client: Client,
    csrf: String,
}

impl<'a> Browser<'a> {
    async fn sign_in(app: &'a TestApp, email: &str) -> Browser<'a> {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("a client");
        let form = client
            .get(app.url("/painel/entrar"))
            .send()
            .await
            .expect("the sign-in page");
        assert_eq!(form.status(), StatusCode::OK);
        let login_csrf = csrf_of(&form.text().await.unwrap());
        let response = client
            .post(app.url("/painel/entrar"))
            .form(&[
                ("csrf", login_csrf.as_str()),
                ("volta", "/painel"),
                ("email", email),
                ("password", TEST_PASSWORD),
            ])
            .send()
            .await
            .expect("the sign-in is sent");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
        // The inbox shows every staff member, and carries the session's token in its forms.
        let inbox = client.get(app.url("/painel")).send().await.unwrap();
        assert_eq!(inbox.status(), StatusCode::OK);
        let csrf = csrf_of(&inbox.text().await.unwrap());
        Browser { app, client, csrf }
    }

    /// A page, with the text as a reader sees it (minijinja escapes `/` too).
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(self.app.url(path))
            .send()
            .await
            .expect("the page");
        (response.status(), unescape(&response.text().await.unwrap()))
    }

    /// Posts `fields` with the session's CSRF token.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.app.url(path))
            .form(fields)
            .send()
            .await
            .expect("the form is sent")
    }
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let end = start + html[start..].find('"').expect("the end of the value");
    html[start..end].to_string()
}

fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .expect("a redirect")
}

/// Posts `fields` and expects a 303 to `to`, then follows it: the page shows `flash`.
async fn post_and_follow(
    browser: &Browser<'_>,
    path: &str,
    fields: &[(&str, &str)],
    to: &str,
    flash: &str,
) {
    let response = browser.post(path, fields).await;
    let status = response.status();
    let body_or_location = if status == StatusCode::SEE_OTHER {
        location(&response).to_string()
    } else {
        response.text().await.unwrap()
    };
    assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body_or_location}");
    assert_eq!(body_or_location, to, "{path}");
    let (status, page) = browser.get(to).await;
    assert_eq!(status, StatusCode::OK, "{to}");
    assert!(
        page.contains("notice--ok") && page.contains(flash),
        "{to} shows {flash:?}"
    );
}

async fn admin(app: &TestApp) -> (StaffRecord, Browser<'_>) {
    let account = create_staff(&app.store, ADMIN_EMAIL, Role::Admin, &[]).await;
    (account, Browser::sign_in(app, ADMIN_EMAIL).await)
}

static JOB_SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// A job that used up its attempts, as the worker leaves it.
pub(crate) async fn dead_job(app: &TestApp, request_id: Option<i64>) -> jobs::Model {
    let n = JOB_SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let at = app.now() - Duration::hours(2);
    jobs::ActiveModel {
        kind: Set("email.scheduled".into()),
        payload: Set(json!({ "request_id": request_id.unwrap_or(0), "version": 1 })),
        dedupe_key: Set(format!("panel-test:{n}")),
        request_id: Set(request_id),
        state: Set(JobState::Dead),
        attempts: Set(8),
        run_at: Set(at),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(Some(
            "o servidor de e-mail recusou a mensagem: permanent error (550): mailbox unavailable"
                .into(),
        )),
        result: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        finished_at: Set(Some(at)),
        ..Default::default()
    }
    .insert(app.store.connection())
    .await
    .expect("the job is written")
}

/// The zone form as the edit page sends it, with `changes` over zone 1's shipped settings.
fn zone_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form: Vec<(&str, &str)> = vec![
        ("name", "1ª Zona Eleitoral"),
        ("seat", "Belém"),
        ("municipalities", "Belém"),
        ("notification_email", ""),
        ("calendar_id", ""),
        ("room_link", ""),
        ("opens", ""),
        ("closes", ""),
        ("slot_minutes", ""),
        ("active", "sim"),
    ];
    for (name, value) in changes {
        form.retain(|(field, _)| field != name || *name == "weekdays");
        form.push((name, value));
    }
    form
}

#[tokio::test]
async fn every_admin_page_is_for_admins_only() {
    let app = spawn_app().await;
    let (_, admin) = admin(&app).await;
    let clerk_account = create_clerk(&app.store, CLERK_EMAIL, &[1]).await;
    let clerk = Browser::sign_in(&app, CLERK_EMAIL).await;
    let job = dead_job(&app, None).await;
    let account_page = format!("/painel/admin/equipe/{}", clerk_account.id);
    let pages = [
        ("/painel/admin", "Administração"),
        ("/painel/admin/zonas", "Zonas eleitorais"),
        ("/painel/admin/zonas/1", "1ª Zona Eleitoral"),
        ("/painel/admin/equipe", "Equipe"),
        (account_page.as_str(), "Servidora de Teste"),
        ("/painel/admin/feriados?ano=2026", "Feriados de 2026"),
        ("/painel/admin/tarefas", "Tarefas"),
        ("/painel/admin/tarefas?estado=todas", "Tarefas"),
        ("/painel/admin/titulares", "Titulares de dados"),
    ];
    for (path, heading) in pages {
        let (status, html) = admin.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path} as an admin");
        assert_eq!(html.matches("<h1").count(), 1, "{path} has one h1");
        assert!(html.contains(heading), "{path} shows {heading:?}");
        assert!(
            html.contains("aria-current=\"page\">Administração"),
            "{path} is in the admin section"
        );

        let (status, html) = clerk.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} as a clerk");
        assert!(html.contains("Acesso não permitido"), "{path}");

        let anonymous = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            anonymous.url().path(),
            "/painel/entrar",
            "{path} signed out"
        );
    }
    let (_, index) = admin.get("/painel/admin").await;
    assert!(
        index.contains("1 tarefa com falha"),
        "the index counts dead jobs"
    );
    let (_, zones) = admin.get("/painel/admin/zonas").await;
    assert!(zones.contains("<th scope=\"col\">Municípios</th>") && zones.contains("padrão"));
    let (_, jobs) = admin.get("/painel/admin/tarefas").await;
    assert!(
        jobs.contains("E-mail: atendimento marcado")
            && jobs.contains(&format!("/painel/admin/tarefas/{}/repetir", job.id))
    );

    // A clerk's forms, with a valid token, are refused too and change nothing.
    let before = row_counts(&app.store).await;
    let retry = format!("/painel/admin/tarefas/{}/repetir", job.id);
    let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/painel/admin/zonas",
            vec![
                ("number", "108"),
                ("name", "108ª Zona"),
                ("municipalities", "Belém"),
            ],
        ),
        (
            "/painel/admin/zonas/1",
            zone_form(&[("name", "Zona da escrivã")]),
        ),
        (
            "/painel/admin/equipe",
            vec![
                ("name", "Bruno Costa"),
                ("email", "bruno@tre-pa.jus.br"),
                ("password", "uma senha bem comprida"),
                ("role", "admin"),
            ],
        ),
        (
            account_page.as_str(),
            vec![
                ("name", "Ana"),
                ("role", "admin"),
                ("zones", "1"),
                ("active", "sim"),
            ],
        ),
        (
            "/painel/admin/feriados",
            vec![
                ("date", "2026-06-15"),
                ("name", "Ponto facultativo"),
                ("scope", "forense"),
            ],
        ),
        ("/painel/admin/feriados/1/remover", vec![("ano", "2026")]),
        (retry.as_str(), vec![("estado", "dead")]),
        ("/painel/admin/titulares", vec![("cpf", "123.456.789-09")]),
    ];
    for (path, fields) in &posts {
        let response = clerk.post(path, fields).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "POST {path} as a clerk"
        );
    }
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_zone_is_created_and_changed_through_its_forms() {
    let app = spawn_app().await;
    let (_, admin) = admin(&app).await;

    post_and_follow(
        &admin,
        "/painel/admin/zonas",
        &[
            ("number", "108"),
            ("name", "108ª Zona Eleitoral"),
            ("municipalities", "Belém\r\nMarituba\r\n"),
        ],
        "/painel/admin/zonas/108?feito=criada",
        "Zona criada",
    )
    .await;
    let created = app.store.zone(108).await.unwrap().expect("zone 108");
    assert_eq!(created.municipalities, ["Belém", "Marituba"]);
    assert!(created.active && created.window.is_none());

    let form = zone_form(&[
        ("name", "1ª Zona Eleitoral de Belém"),
        ("municipalities", "Belém\r\nMosqueiro"),
        ("notification_email", "zona1@tre-pa.jus.br"),
        ("opens", "08:00"),
        ("closes", "12:00"),
        ("slot_minutes", "20"),
        ("weekdays", "1"),
        ("weekdays", "3"),
        ("weekdays", "5"),
    ]);
    post_and_follow(
        &admin,
        "/painel/admin/zonas/1",
        &form,
        "/painel/admin/zonas/1?feito=salva",
        "Alterações salvas",
    )
    .await;
    let zone = app.store.zone(1).await.unwrap().expect("zone 1");
    assert_eq!(zone.name, "1ª Zona Eleitoral de Belém");
    assert_eq!(zone.municipalities, ["Belém", "Mosqueiro"]);
    assert_eq!(
        zone.notification_email.as_deref(),
        Some("zona1@tre-pa.jus.br")
    );
    let window = zone.window.expect("its own window");
    assert_eq!(window.opens(), NaiveTime::from_hms_opt(8, 0, 0).unwrap());
    assert_eq!(window.closes(), NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    assert_eq!(
        (window.slot_minutes(), window.weekdays().iso_numbers()),
        (20, vec![1, 3, 5])
    );
    let (_, page) = admin.get("/painel/admin/zonas/1").await;
    assert!(
        page.contains("value=\"08:00\"")
            && page.contains("id=\"weekday-3\" name=\"weekdays\" value=\"3\" checked")
    );
    let (_, list) = admin.get("/painel/admin/zonas").await;
    assert!(list.contains("08:00–12:00, 20 min, seg, qua, sex"));

    // Blank settings empty them: the default window and no e-mail; unticked: disabled.
    let mut form = zone_form(&[("name", "1ª Zona Eleitoral de Belém")]);
    form.retain(|(field, _)| *field != "active");
    post_and_follow(
        &admin,
        "/painel/admin/zonas/1",
        &form,
        "/painel/admin/zonas/1?feito=salva",
        "Alterações salvas",
    )
    .await;
    let offered: serde_json::Value = app
        .http
        .get(app.url("/api/v1/zones"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !offered.as_array().unwrap().iter().any(|z| z["number"] == 1),
        "a disabled zone is not offered"
    );
    let zone = app.store.zone(1).await.unwrap().expect("zone 1");
    assert_eq!(
        (zone.window, zone.notification_email, zone.active),
        (None, None, false)
    );
}

#[tokio::test]
async fn bad_input_is_shown_beside_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    let (_, admin) = admin(&app).await;
    let before_zone = app.store.zone(1).await.unwrap();
    let before = row_counts(&app.store).await;

    let form = zone_form(&[
        ("opens", "14:00"),
        ("closes", "08:00"),
        ("slot_minutes", "30"),
        ("weekdays", "1"),
        ("notification_email", "não é e-mail"),
        // The admin API's rules, word for word: one line, nothing invisible.
        ("name", "1ª Zona Eleitoral\r\nBcc: todos@example.com"),
        ("seat", "Belém \u{202E}AP"),
    ]);
    let response = admin.post("/painel/admin/zonas/1", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    for field in ["closes", "notification_email", "name", "seat"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "the error beside {field}"
        );
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field} in the summary"
        );
    }
    assert!(page.contains("class=\"error-summary\"") && page.contains("<title>Erro: "));
    assert!(page.contains("value=\"14:00\""), "what was typed is kept");

    let response = admin
        .post(
            "/painel/admin/zonas",
            &[("number", "mil"), ("name", ""), ("municipalities", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    for field in ["number", "name", "municipalities"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "the error beside {field}"
        );
    }

    let response = admin
        .post(
            "/painel/admin/equipe",
            &[
                ("name", "Bruno"),
                ("email", "bruno"),
                ("password", "xyzzy42"),
                ("role", "clerk"),
                ("zones", "1, Belém"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    for field in ["email", "password", "zones"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "the error beside {field}"
        );
    }
    assert!(!page.contains("xyzzy42"), "a password is never shown back");

    let response = admin
        .post(
            "/painel/admin/feriados",
            &[
                ("ano", "2026"),
                ("date", "31/02/2026"),
                ("name", "Feriado"),
                ("scope", "municipal"),
                ("municipality", "Atlântida"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"date-error\"") && page.contains("id=\"scope-error\""));
    assert!(page.contains("Atlântida") && page.contains("Feriados de 2026"));

    assert_eq!(app.store.zone(1).await.unwrap(), before_zone);
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn an_account_is_created_and_then_disabled() {
    let app = spawn_app().await;
    let (me, admin) = admin(&app).await;

    post_and_follow(
        &admin,
        "/painel/admin/equipe",
        &[
            ("name", "Bruno Costa"),
            ("email", "bruno@tre-pa.jus.br"),
            ("password", TEST_PASSWORD),
            ("role", "clerk"),
            ("zones", "1, 28ª"),
        ],
        "/painel/admin/equipe?feito=criada",
        "Conta criada",
    )
    .await;
    let account = app
        .store
        .staff_by_email("bruno@tre-pa.jus.br")
        .await
        .unwrap()
        .expect("the account");
    assert_eq!(
        (account.role, account.zones.clone(), account.active),
        (Role::Clerk, vec![1, 28], true)
    );
    let bruno = Browser::sign_in(&app, "bruno@tre-pa.jus.br").await;

    let path = format!("/painel/admin/equipe/{}", account.id);
    let (status, page) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("value=\"1, 28\"")
            && page.contains("id=\"active\" name=\"active\" value=\"sim\" checked")
    );
    post_and_follow(
        &admin,
        &path,
        &[
            ("name", "Bruno Costa"),
            ("role", "clerk"),
            ("zones", "28"),
            ("password", ""),
        ],
        &format!("{path}?feito=salva"),
        "Alterações salvas",
    )
    .await;
    let account = app
        .store
        .staff_by_email("bruno@tre-pa.jus.br")
        .await
        .unwrap()
        .expect("the account");
    assert_eq!((account.zones, account.active), (vec![28], false));
    let (status, _) = bruno.get("/painel").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a disabled account is signed out"
    );

    // Nobody disables themselves.
    let response = admin
        .post(
            &format!("/painel/admin/equipe/{}", me.id),
            &[
                ("name", "Servidora de Teste"),
                ("role", "admin"),
                ("zones", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"active-error\"")
    );
    assert!(
        app.store
            .staff_by_email(ADMIN_EMAIL)
            .await
            .unwrap()
            .expect("me")
            .active
    );
}

#[tokio::test]
async fn a_holiday_is_added_and_removed() {
    let app = spawn_app().await;
    let (_, admin) = admin(&app).await;

    post_and_follow(
        &admin,
        "/painel/admin/feriados",
        &[
            ("ano", "2026"),
            ("date", "15/06/2026"),
            ("name", "Ponto facultativo"),
            ("scope", "municipal"),
            ("municipality", "Belém"),
            ("note", "Portaria 1/2026"),
        ],
        "/painel/admin/feriados?ano=2026&feito=adicionado",
        "Feriado adicionado",
    )
    .await;
    let records = app.store.holiday_records(Some(2026)).await.unwrap();
    let added = records
        .iter()
        .find(|r| r.holiday.name == "Ponto facultativo")
        .expect("the holiday");
    assert_eq!(added.holiday.date.to_string(), "2026-06-15");
    assert_eq!(added.holiday.scope.code(), "municipal-Belém");
    let (_, page) = admin.get("/painel/admin/feriados?ano=2026").await;
    for text in [
        "15/06/2026",
        "segunda-feira",
        "municipal (Belém)",
        "Portaria 1/2026",
    ] {
        assert!(page.contains(text), "the list shows {text:?}");
    }
    let remove = format!("/painel/admin/feriados/{}/remover", added.id);
    assert!(page.contains(&remove), "a remove button per row");

    post_and_follow(
        &admin,
        &remove,
        &[("ano", "2026")],
        "/painel/admin/feriados?ano=2026&feito=removido",
        "Feriado removido",
    )
    .await;
    let records = app.store.holiday_records(Some(2026)).await.unwrap();
    assert!(records.iter().all(|r| r.id != added.id));

    let response = admin.post(&remove, &[("ano", "2026")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "already removed");
}

#[tokio::test]
async fn a_dead_job_is_retried() {
    let app = spawn_app().await;
    let (_, admin) = admin(&app).await;
    let (protocol, _) = app.submit(1).await;
    let (_, inbox) = admin.get("/painel?situacao=todas").await;
    let marker = "/painel/solicitacoes/";
    let start = inbox.find(marker).expect("the request in the inbox") + marker.len();
    let end = start + inbox[start..].find('"').expect("the end of the link");
    let request_id: i64 = inbox[start..end].parse().expect("the request's id");
    let job = dead_job(&app, Some(request_id)).await;

    let (_, page) = admin.get("/painel/admin/tarefas").await;
    assert!(
        page.contains(&format!(
            "href=\"/painel/solicitacoes/{request_id}\">{protocol}</a>"
        )),
        "the request's protocol"
    );
    assert!(
        page.contains(
            "o servidor de e-mail recusou a mensagem: permanent error (550): mailbox unavailable"
        ) && page.contains("Tentar de novo")
    );

    let retry = format!("/painel/admin/tarefas/{}/repetir", job.id);
    post_and_follow(
        &admin,
        &retry,
        &[("estado", "dead")],
        "/painel/admin/tarefas?estado=dead&feito=repetida",
        "Tarefa devolvida à fila",
    )
    .await;
    let row = jobs::Entity::find_by_id(job.id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.state, JobState::Dead);

    let again = admin.post(&retry, &[("estado", "dead")]).await;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "only a dead job is retried"
    );
    assert!(again.text().await.unwrap().contains("não está com falha"));
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let (me, admin) = admin(&app).await;
    let job = dead_job(&app, None).await;
    let holiday = app.store.holiday_records(Some(2026)).await.unwrap()[0].id;
    let before = row_counts(&app.store).await;
    let before_zone = app.store.zone(1).await.unwrap();

    let account = format!("/painel/admin/equipe/{}", me.id);
    let remove = format!("/painel/admin/feriados/{holiday}/remover");
    let retry = format!("/painel/admin/tarefas/{}/repetir", job.id);
    let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/painel/admin/zonas",
            vec![
                ("number", "108"),
                ("name", "108ª Zona"),
                ("municipalities", "Belém"),
            ],
        ),
        (
            "/painel/admin/zonas/1",
            zone_form(&[("name", "Zona forjada")]),
        ),
        (
            "/painel/admin/equipe",
            vec![
                ("name", "Intrusa"),
                ("email", "x@tre-pa.jus.br"),
                ("password", "uma senha bem comprida"),
                ("role", "admin"),
            ],
        ),
        (
            account.as_str(),
            vec![
                ("name", "Outro Nome"),
                ("role", "admin"),
                ("active", "sim"),
                ("password", "uma senha bem comprida"),
            ],
        ),
        (
            "/painel/admin/feriados",
            vec![
                ("date", "2026-06-15"),
                ("name", "Forjado"),
                ("scope", "forense"),
            ],
        ),
        (remove.as_str(), vec![("ano", "2026")]),
        (retry.as_str(), vec![("estado", "dead")]),
        // A lookup writes an audit row in the admin's name: no forged form may make one.
        ("/painel/admin/titulares", vec![("cpf", "123.456.789-09")]),
    ];
    for (path, fields) in &posts {
        let response = admin.post_raw(path, fields).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "POST {path} without a token"
        );
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Formulário expirado")
        );
        let mut forged = vec![("csrf", "0123456789abcdef0123456789abcdef")];
        forged.extend_from_slice(fields);
        let response = admin.post_raw(path, &forged).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "POST {path} with a forged token"
        );
    }
    assert_eq!(row_counts(&app.store).await, before);
    assert_eq!(app.store.zone(1).await.unwrap(), before_zone);
    let row = jobs::Entity::find_by_id(job.id)
        .one(app.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, JobState::Dead);
}
