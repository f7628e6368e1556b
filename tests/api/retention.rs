//! Retention (LGPD) with its periods at 0 days: a run anonymises every final request not on
//! legal hold, leaving no trace of its person in any text column of the database nor in the
//! mail folder, while the indicators answer the same; an open request and a held one are
//! untouched; a second run changes nothing; a run stopped after a batch is finished by the
//! next.

use contato::{app::retention::run_retention, store::Why};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, create_clerk, create_staff, settings_for, spawn_app_with, unique_cpf,
};

/// Someone who files requests: what must be gone, or stay.
struct Person {
    name: String,
    cpf: String,
    email: String,
    phone: String,
}

impl Person {
    fn new(name: &str, tag: &str, phone: &str) -> Person {
        Person {
            name: name.to_string(),
            cpf: unique_cpf(),
            email: format!("{tag}.retencao@example.com"),
            phone: phone.to_string(),
        }
    }

    /// The values searched for: the phone by its digits (stored without punctuation).
    fn traces(&self) -> Vec<String> {
        let digits: String = self.phone.chars().filter(char::is_ascii_digit).collect();
        vec![
            self.name.clone(),
            contato::domain::text::search_key(&self.name),
            self.cpf.clone(),
            self.email.clone(),
            digits,
        ]
    }

    async fn file(&self, app: &TestApp, extra: Value) -> (i64, String, String) {
        let mut body = json!({
            "zone": 1, "name": self.name, "cpf": self.cpf, "email": self.email,
            "phone": self.phone, "role": "parte", "subject": "Transferência de título",
            "description": format!("Sou {} e preciso transferir meu título.", self.name),
            "consent": true,
        });
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = app.post_json("/api/v1/requests", &body).await;
        assert_eq!(response.status(), 201);
        let receipt: Value = response.json().await.unwrap();
        let protocol = receipt["protocol"].as_str().unwrap().to_string();
        let id = app
            .store
            .request_by_protocol(&protocol)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        (
            id,
            protocol,
            receipt["tracking_token"].as_str().unwrap().to_string(),
        )
    }
}

async fn act(app: &TestApp, token: &str, id: i64, mut body: Value) -> Value {
    let detail: Value = app
        .get_as(token, &format!("/api/v1/staff/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    body["version"] = detail["version"].clone();
    let (status, answer) = app.transition_as(token, id, &body).await;
    assert_eq!(status, 200, "{body}: {answer}");
    answer
}

/// Every (table, column) whose text holds `needle`, over every column of every table.
async fn where_found(app: &TestApp, needle: &str) -> Vec<String> {
    let db = app.store.connection();
    let backend = db.get_database_backend();
    let columns_sql = match backend {
        DbBackend::Postgres => {
            "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'seaql_migrations'"
        }
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await
        .unwrap();
    let mut found = Vec::new();
    for column in columns {
        let table: String = column.try_get("", "t").unwrap();
        let name: String = column.try_get("", "c").unwrap();
        let sql = format!(
            "SELECT COUNT(*) AS n FROM \"{table}\" WHERE CAST(\"{name}\" AS TEXT) LIKE {}",
            if backend == DbBackend::Postgres {
                "$1"
            } else {
                "?"
            }
        );
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [format!("%{needle}%").into()],
            ))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get("", "n").unwrap();
        if n > 0 {
            found.push(format!("{table}.{name}"));
        }
    }
    found
}

/// A retention run as of the app's clock, or a dry one.
async fn retain(
    app: &TestApp,
    settings: &contato::config::Settings,
    dry_run: bool,
) -> contato::app::retention::RetentionReport {
    run_retention(
        &app.store,
        settings.retention_policy(),
        &settings.email.outbox_dir,
        app.clock.now(),
        dry_run,
    )
    .await
    .unwrap()
}

/// The indicators of the last 30 days for every zone.
async fn stats(app: &TestApp, admin: &str) -> Value {
    let body: Value = app
        .get_as(admin, "/api/v1/staff/stats")
        .await
        .json()
        .await
        .unwrap();
    json!({"zones": body["zones"], "total": body["total"]})
}

fn mail_holding(folder: &std::path::Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| {
                    std::fs::read_to_string(entry.path()).is_ok_and(|text| text.contains(needle))
                })
                .map(|entry| entry.path().display().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_run_leaves_no_trace_of_closed_requests_and_the_same_figures() {
    let overrides = [
        ("limits.submissions_per_minute", json!(0)),
        ("retention.anonymise_after_days", json!(0)),
        ("retention.mail_files_days", json!(0)),
        ("messages.notice_delay_minutes", json!(0)),
    ];
    let app = spawn_app_with(&overrides).await;
    let settings = settings_for(app.db(), &overrides);
    let mail = settings.email.outbox_dir.clone();
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_staff(
        &app.store,
        "ti@tre-pa.jus.br",
        contato::domain::staff::Role::Admin,
        &[],
    )
    .await;
    let clerk = app.sign_in("ana@tre-pa.jus.br").await;

    // Gone: Joaquina's two requests, one refused, one attended by messages with a thread and
    // a survey comment naming her.
    let gone = Person::new("Joaquina Esquecível Barbosa", "joaquina", "(91) 98111-2233");
    let (refused, _, _) = gone.file(&app, json!({})).await;
    act(&app, &clerk, refused, json!({"action": "triage"})).await;
    act(
        &app,
        &clerk,
        refused,
        json!({"action": "reject", "reason": "Joaquina Esquecível Barbosa já tem outro pedido.",
               "note": "Falei com Joaquina Esquecível Barbosa por telefone."}),
    )
    .await;
    let (by_message, protocol, token) = gone.file(&app, json!({"mode": "message"})).await;
    let posted = app
        .post_json(
            &format!("/api/v1/requests/{protocol}/messages?token={token}"),
            &json!({"text": format!("Aqui é {}; meu e-mail é {}.", gone.name, gone.email)}),
        )
        .await;
    assert_eq!(posted.status(), 201);
    act(&app, &clerk, by_message, json!({"action": "triage"})).await;
    act(
        &app,
        &clerk,
        by_message,
        json!({"action": "complete", "outcome": "attended_by_message"}),
    )
    .await;
    let rated = app
        .post_json(
            &format!("/api/v1/requests/{protocol}/survey?token={token}"),
            &json!({"rating": 5, "comment": format!("Obrigada! {}", gone.name)}),
        )
        .await;
    assert_eq!(rated.status(), 201);
    // Kept: an open request, and a refused one on legal hold.
    let open = Person::new("Oscarina Aberta Pereira", "oscarina", "(91) 98444-5566");
    let (open_id, _, _) = open.file(&app, json!({})).await;
    let held = Person::new("Heitor Guardado Nunes", "heitor", "(91) 98777-8899");
    let (held_id, _, _) = held.file(&app, json!({})).await;
    act(
        &app,
        &clerk,
        held_id,
        json!({"action": "reject", "reason": "Fora da competência."}),
    )
    .await;
    act(
        &app,
        &clerk,
        held_id,
        json!({"action": "hold", "reason": "Ordem judicial."}),
    )
    .await;
    // Every e-mail goes out, into the mail folder.
    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(settings_for(app.db(), &overrides)),
        None,
        app.clock.clone(),
    )
    .unwrap();
    while worker.run_batch().await.unwrap() > 0 {}
    assert!(
        !mail_holding(&mail, &gone.email).is_empty(),
        "the e-mails to Joaquina are in the folder first"
    );
    for trace in gone.traces() {
        assert!(
            !where_found(&app, &trace).await.is_empty(),
            "{trace} is stored first"
        );
    }

    let admin = app.sign_in("ti@tre-pa.jus.br").await;
    let figures = stats(&app, &admin).await;
    let open_before = entities::requests::Entity::find_by_id(open_id)
        .one(app.store.connection())
        .await
        .unwrap();
    let held_before = entities::requests::Entity::find_by_id(held_id)
        .one(app.store.connection())
        .await
        .unwrap();

    // Stopped after one batch: one request done by hand, as a run that died after it.
    let first = app
        .store
        .anonymise_requests(&[refused], Why::Retention, app.clock.now())
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // A dry run says what is left and changes nothing.
    let dry = retain(&app, &settings, true).await;
    assert_eq!((dry.requests, dry.protocols.len()), (1, 1), "{dry:?}");
    assert!(dry.mail_files > 0, "{dry:?}");
    assert!(
        !mail_holding(&mail, &gone.email).is_empty(),
        "the dry run removed nothing"
    );
    let report = retain(&app, &settings, false).await;
    assert_eq!(report.requests, 1, "the rest: {report:?}");
    assert!(report.mail_files > 0, "{report:?}");

    for trace in gone.traces() {
        assert_eq!(
            where_found(&app, &trace).await,
            Vec::<String>::new(),
            "no trace of {trace}"
        );
        assert_eq!(mail_holding(&mail, &trace), Vec::<String>::new(), "{trace}");
    }
    for trace in open.traces().into_iter().chain(held.traces()) {
        assert!(!where_found(&app, &trace).await.is_empty(), "{trace} stays");
    }
    use sea_orm::EntityTrait;
    assert_eq!(
        entities::requests::Entity::find_by_id(open_id)
            .one(app.store.connection())
            .await
            .unwrap(),
        open_before,
        "the open request is untouched"
    );
    assert_eq!(
        entities::requests::Entity::find_by_id(held_id)
            .one(app.store.connection())
            .await
            .unwrap(),
        held_before,
        "the held request is untouched"
    );
    assert_eq!(stats(&app, &admin).await, figures, "the same figures");
    let (stored, recounted) = app.store.indicator_rollups().await.unwrap();
    assert_eq!(stored, recounted);

    // The staff still read the request, without its person; the token opens nothing.
    let detail: Value = app
        .get_as(&admin, &format!("/api/v1/staff/requests/{by_message}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "done");
    assert!(detail["anonymised_at"].is_string(), "{detail}");
    let tracking = app
        .http
        .get(app.url(&format!("/api/v1/requests/{protocol}?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(tracking.status(), 404);

    // A second run finds nothing to do.
    let again = retain(&app, &settings, false).await;
    assert_eq!(
        (again.requests, again.tickets, again.jobs, again.mail_files),
        (0, 0, 0, 0),
        "{again:?}"
    );
}

#[tokio::test]
async fn the_daily_run_is_a_job_that_queues_the_next_day() {
    let app = spawn_app_with(&[]).await;
    let settings = settings_for(app.db(), &[]);
    let now = app.clock.now();
    let first = contato::domain::retention::next_run(now);
    app.store.schedule_retention(&first, now).await.unwrap();
    // Queued twice (a second worker starting): still one.
    app.store.schedule_retention(&first, now).await.unwrap();
    let retention_jobs = |jobs: Vec<contato::store::JobRecord>| -> Vec<contato::store::JobRecord> {
        jobs.into_iter()
            .filter(|job| job.kind == "retention.run")
            .collect()
    };
    assert_eq!(
        retention_jobs(app.store.jobs(None, 100).await.unwrap()).len(),
        1
    );

    app.clock.set(first.run_at + chrono::Duration::minutes(1));
    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(settings),
        None,
        app.clock.clone(),
    )
    .unwrap();
    while worker.run_batch().await.unwrap() > 0 {}
    let jobs = retention_jobs(app.store.jobs(None, 100).await.unwrap());
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    let ran = jobs.iter().find(|job| job.key == first.key).unwrap();
    assert_eq!(ran.state, contato::domain::job::JobState::Done, "{ran:?}");
    assert!(
        ran.result.as_deref().is_some_and(|r| r.contains("pedidos")),
        "{ran:?}"
    );
    let next = jobs.iter().find(|job| job.key != first.key).unwrap();
    assert_eq!(next.state, contato::domain::job::JobState::Pending);
    assert_eq!(next.run_at, first.run_at + chrono::Duration::days(1));
}
