//! The data-subject lookup (LGPD, art. 18): everything kept about one person by their CPF,
//! for admins only, every lookup audited without the CPF.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use contato::{clock::Clock, domain::job::Job, domain::staff::Role, store::StaffRecord};
use entities::{audit_log, jobs, requests, tracking_tokens};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, create_clerk, create_staff, row_counts, spawn_app_at, submission_json, unique_cpf,
};

/// A Thursday at 09:00 in Belém: zone 1's counter (08:30–11:30) is open.
const THURSDAY_MORNING: &str = "2026-12-03T09:00:00-03:00";
const ADMIN: &str = "ti@tre-pa.jus.br";
const CLERK: &str = "ana@tre-pa.jus.br";
const ROOM: &str = "https://meet.google.com/abc-defg-hij";
const PATH: &str = "/api/v1/admin/data-subject";

/// A person with requests, a queue ticket and the e-mails of both, and someone else.
pub(crate) struct Seeded {
    pub app: TestApp,
    pub admin: StaffRecord,
    /// The person's CPF, digits only.
    pub cpf: String,
    pub email: String,
    /// Their requests: `(id, protocol, tracking token)`: the one attended by messages and
    /// answered in the survey, the cancelled one, and one still open.
    pub attended: (i64, String, String),
    pub cancelled: (i64, String, String),
    pub open: (i64, String, String),
    pub ticket: i64,
    /// Someone else's request and ticket, which the lookup must not show.
    pub other: Other,
}

pub(crate) struct Other {
    pub cpf: String,
    pub email: String,
    pub name: String,
    pub protocol: String,
    pub request: i64,
    pub ticket: i64,
}

pub(crate) async fn seed() -> Seeded {
    let at: DateTime<Utc> = THURSDAY_MORNING.parse().expect("a moment");
    let app = spawn_app_at(
        Clock::starting_at(at),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    let admin = create_staff(&app.store, ADMIN, Role::Admin, &[]).await;
    create_clerk(&app.store, CLERK, &[1]).await;
    let clerk = app.sign_in(CLERK).await;
    let cpf = unique_cpf();
    let email = format!("titular{cpf}@example.com");
    let person = |mode: &str| {
        let mut body = submission_json(1);
        body["name"] = json!("Raimunda Titular dos Santos");
        body["cpf"] = json!(cpf);
        body["email"] = json!(email);
        body["mode"] = json!(mode);
        body
    };

    let attended = file(&app, &person("message")).await;
    act(&app, &clerk, attended.0, json!({"action": "triage"})).await;
    let written = app
        .post_json(
            &format!(
                "/api/v1/requests/{}/messages?token={}",
                attended.1, attended.2
            ),
            &json!({"text": "Preciso da segunda via do título."}),
        )
        .await;
    assert_eq!(written.status(), 201);
    let answered = app
        .post_as(
            &clerk,
            &format!("/api/v1/staff/requests/{}/messages", attended.0),
            &json!({"text": "A segunda via pode ser emitida no e-Título."}),
        )
        .await;
    assert_eq!(answered.status(), 201);
    act(
        &app,
        &clerk,
        attended.0,
        json!({"action": "complete", "outcome": "attended_by_message"}),
    )
    .await;
    let survey = app
        .post_json(
            &format!(
                "/api/v1/requests/{}/survey?token={}",
                attended.1, attended.2
            ),
            &json!({"rating": 4, "comment": "Resposta rápida."}),
        )
        .await;
    assert_eq!(survey.status(), 201);

    let cancelled = file(&app, &person("video")).await;
    let cancel = app
        .post_json(
            &format!(
                "/api/v1/requests/{}/cancel?token={}",
                cancelled.1, cancelled.2
            ),
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status(), 200);
    let open = file(&app, &person("video")).await;

    let ticket = join(&app, "Raimunda Titular dos Santos", &cpf, &email).await;

    // Someone else, in the same zone and the same queue; both are called, each call with its
    // own e-mail.
    let other_cpf = unique_cpf();
    let other_email = format!("outra{other_cpf}@example.com");
    let other_name = "Benedita Outra Pessoa";
    let mut body = submission_json(1);
    body["name"] = json!(other_name);
    body["cpf"] = json!(other_cpf);
    body["email"] = json!(other_email);
    let other_request = file(&app, &body).await;
    let other_ticket = join(&app, other_name, &other_cpf, &other_email).await;
    for _ in 0..2 {
        let called = app
            .post_as(
                &clerk,
                "/api/v1/staff/zones/1/queue/call",
                &json!({"meet_link": ROOM}),
            )
            .await;
        assert_eq!(called.status(), 200);
    }

    Seeded {
        app,
        admin,
        cpf,
        email,
        attended,
        cancelled,
        open,
        ticket,
        other: Other {
            cpf: other_cpf,
            email: other_email,
            name: other_name.to_string(),
            protocol: other_request.1,
            request: other_request.0,
            ticket: other_ticket,
        },
    }
}

/// Files `body` through the API: `(id, protocol, tracking token)`.
async fn file(app: &TestApp, body: &Value) -> (i64, String, String) {
    let response = app.post_json("/api/v1/requests", body).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    let protocol = receipt["protocol"].as_str().unwrap().to_string();
    let (record, _) = app
        .store
        .request_by_protocol(&protocol)
        .await
        .unwrap()
        .unwrap();
    let token = receipt["tracking_token"].as_str().unwrap().to_string();
    (record.id, protocol, token)
}

/// The clerk's `body` on request `id` at its current version; it must be taken.
async fn act(app: &TestApp, clerk: &str, id: i64, mut body: Value) {
    let detail: Value = app
        .get_as(clerk, &format!("/api/v1/staff/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    body["version"] = detail["version"].clone();
    let (status, answer) = app.transition_as(clerk, id, &body).await;
    assert_eq!(status, 200, "{body}: {answer}");
}

async fn join(app: &TestApp, name: &str, cpf: &str, email: &str) -> i64 {
    let response = app
        .post_json(
            "/api/v1/zones/1/queue",
            &json!({"name": name, "cpf": cpf, "email": email,
                "subject": "Segunda via do título", "consent": true}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let joined: Value = response.json().await.unwrap();
    joined["id"].as_i64().expect("a ticket id")
}

fn punctuated(cpf: &str) -> String {
    format!("{}.{}.{}-{}", &cpf[..3], &cpf[3..6], &cpf[6..9], &cpf[9..])
}

async fn look_up(app: &TestApp, token: &str, cpf: &str) -> (u16, Value) {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("cpf", cpf)
        .finish();
    let response = app.get_as(token, &format!("{PATH}?{query}")).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn audit_rows(app: &TestApp) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(app.store.connection())
        .await
        .unwrap()
}

fn ids(items: &Value, field: &str) -> BTreeSet<i64> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item[field].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn the_lookup_lists_every_table_holding_the_person_and_nothing_of_anyone_else() {
    let seeded = seed().await;
    let app = &seeded.app;
    let token = app.sign_in(ADMIN).await;

    let (status, found) = look_up(app, &token, &punctuated(&seeded.cpf)).await;

    assert_eq!(status, 200, "{found}");
    assert_eq!(found["cpf"], punctuated(&seeded.cpf));
    // Requests, oldest first, with the summary of each.
    let protocols: Vec<&str> = found["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|request| request["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(
        protocols,
        [&seeded.attended.1, &seeded.cancelled.1, &seeded.open.1]
    );
    assert_eq!(
        found["summary"]["requests"],
        json!([
            {"protocol": seeded.attended.1, "status": "done", "open": false},
            {"protocol": seeded.cancelled.1, "status": "cancelled", "open": false},
            {"protocol": seeded.open.1, "status": "submitted", "open": true},
        ])
    );
    assert_eq!(found["summary"]["open_requests"], 1);
    assert_eq!(found["summary"]["queue_tickets"], 1);

    // The attended request: its fields, history, messages, survey answer and tokens.
    let attended = &found["requests"][0];
    assert_eq!(attended["id"], seeded.attended.0);
    assert_eq!(attended["cpf"], punctuated(&seeded.cpf));
    assert_eq!(attended["email"], seeded.email);
    assert_eq!(attended["name"], "Raimunda Titular dos Santos");
    assert_eq!(attended["mode"], "message");
    assert_eq!(attended["outcome"], "attended_by_message");
    let steps: Vec<&str> = attended["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["submit", "triage", "complete"]);
    let messages: Vec<(&str, &str)> = attended["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        messages,
        [
            ("requester", "Preciso da segunda via do título."),
            ("staff", "A segunda via pode ser emitida no e-Título."),
        ]
    );
    assert_eq!(attended["survey"]["rating"], 4);
    assert_eq!(attended["survey"]["comment"], "Resposta rápida.");
    assert!(attended["tracking_tokens"].as_u64().unwrap() >= 1);
    let cancelled = &found["requests"][1];
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["history"][1]["actor"], "requester",
        "cancelled by the person"
    );
    assert_eq!(cancelled["messages"], json!([]));
    assert_eq!(cancelled["survey"], Value::Null);

    // The queue ticket, matched by CPF.
    assert_eq!(
        ids(&found["queue_tickets"], "id"),
        BTreeSet::from([seeded.ticket])
    );
    let ticket = &found["queue_tickets"][0];
    assert_eq!(ticket["status"], "called");
    assert_eq!(ticket["email"], seeded.email);
    assert_eq!(ticket["meet_link"], ROOM);

    // Every job about the person's requests and ticket, and no other.
    let person_requests = [seeded.attended.0, seeded.cancelled.0, seeded.open.0];
    let expected: BTreeSet<i64> = jobs::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .filter(|job| {
            let about = Job::decode(&job.kind, &job.payload).expect("a job that decodes");
            about
                .request_id()
                .is_some_and(|id| person_requests.contains(&id))
                || about.ticket_id() == Some(seeded.ticket)
        })
        .map(|job| job.id)
        .collect();
    assert_eq!(ids(&found["emails"], "id"), expected);
    assert_eq!(found["summary"]["emails"], expected.len());
    let kinds: BTreeSet<&str> = found["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "email.request_received",
        "email.messages_to_requester",
        "email.done",
        "email.survey",
        "email.cancelled",
        "queue.close",
        "email.queue_called",
    ] {
        assert!(kinds.contains(kind), "{kind} is listed: {kinds:?}");
    }
    let called = found["emails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|job| job["kind"] == "email.queue_called")
        .unwrap();
    assert_eq!(called["payload"], json!({"ticket_id": seeded.ticket}));
    assert_eq!(called["request_id"], Value::Null);
    assert_eq!(called["state"], "pending");

    // Nothing of the other person, and no token's hash.
    let text = found.to_string();
    for theirs in [
        &seeded.other.cpf,
        &punctuated(&seeded.other.cpf),
        &seeded.other.email,
        &seeded.other.name,
        &seeded.other.protocol,
    ] {
        assert!(!text.contains(theirs.as_str()), "{theirs} is not shown");
    }
    assert!(!ids(&found["requests"], "id").contains(&seeded.other.request));
    assert!(!ids(&found["queue_tickets"], "id").contains(&seeded.other.ticket));
    let hashes: Vec<String> = requests::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|request| request.tracking_token_hash)
        .chain(
            tracking_tokens::Entity::find()
                .all(app.store.connection())
                .await
                .unwrap()
                .into_iter()
                .map(|token| token.token_hash),
        )
        .collect();
    assert!(!hashes.is_empty());
    for secret in hashes
        .iter()
        .chain([&seeded.attended.2, &seeded.cancelled.2])
    {
        assert!(!text.contains(secret.as_str()), "no tracking token or hash");
    }

    // Bare digits find the same.
    let (status, bare) = look_up(app, &token, &seeded.cpf).await;
    assert_eq!(status, 200);
    assert_eq!(bare, found);
}

#[tokio::test]
async fn every_lookup_is_audited_with_its_admin_and_without_the_cpf() {
    let seeded = seed().await;
    let app = &seeded.app;
    let token = app.sign_in(ADMIN).await;
    let before = audit_rows(app).await.len();
    let started = app.now();

    let (status, _) = look_up(app, &token, &punctuated(&seeded.cpf)).await;
    assert_eq!(status, 200);
    let (status, _) = look_up(app, &token, &seeded.cpf).await;
    assert_eq!(status, 200);
    let nobody = unique_cpf();
    let (status, empty) = look_up(app, &token, &nobody).await;
    assert_eq!(status, 200);
    assert_eq!(empty["requests"], json!([]));
    assert_eq!(empty["queue_tickets"], json!([]));
    assert_eq!(empty["emails"], json!([]));

    let rows = audit_rows(app).await;
    let lookups = &rows[before..];
    assert_eq!(lookups.len(), 3, "one row per lookup, the empty one too");
    for row in lookups {
        assert_eq!(row.action, "data_subject.lookup");
        assert_eq!(row.entity, "data_subject");
        assert_eq!(row.actor_staff_id, Some(seeded.admin.id));
        assert!(
            started <= row.at && row.at <= app.now(),
            "written when asked"
        );
    }
    assert_eq!(
        lookups[0].entity_key, lookups[1].entity_key,
        "one person's lookups share a key, however the CPF was typed"
    );
    assert_ne!(lookups[0].entity_key, lookups[2].entity_key);
    assert_eq!(
        lookups[0].details,
        json!({"cpf_check_digits": &seeded.cpf[9..], "requests": 3,
            "queue_tickets": 1, "jobs": lookups[0].details["jobs"]})
    );
    assert!(lookups[0].details["jobs"].as_u64().unwrap() > 0);
    for row in &rows {
        let written = format!("{} {}", row.entity_key, row.details);
        for cpf in [&seeded.cpf, &nobody] {
            assert!(
                !written.contains(cpf.as_str()) && !written.contains(&punctuated(cpf)),
                "the trail does not keep the CPF: {written}"
            );
            assert!(
                !written.contains(&cpf[..9]),
                "nor its first nine digits: {written}"
            );
        }
    }
}

#[tokio::test]
async fn clerks_and_anonymous_callers_are_refused_and_nothing_is_written() {
    let seeded = seed().await;
    let app = &seeded.app;
    let clerk = app.sign_in(CLERK).await;
    let before = row_counts(&app.store).await;
    let path = format!("{PATH}?cpf={}", seeded.cpf);

    let anonymous = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let as_clerk = app.get_as(&clerk, &path).await;
    assert_eq!(as_clerk.status(), 403);
    let body: Value = as_clerk.json().await.unwrap();
    assert_eq!(body["code"], "forbidden");
    assert!(!body.to_string().contains(&seeded.email));

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_bad_cpf_is_422_under_cpf_and_writes_nothing() {
    let seeded = seed().await;
    let app = &seeded.app;
    let token = app.sign_in(ADMIN).await;
    let before = row_counts(&app.store).await;
    let mut wrong_digit = seeded.cpf.clone();
    let last = wrong_digit.pop().unwrap().to_digit(10).unwrap();
    wrong_digit.push(char::from_digit((last + 1) % 10, 10).unwrap());

    for cpf in [
        "",
        "   ",
        "123",
        "111.111.111-11",
        "123.456.789-0X",
        wrong_digit.as_str(),
    ] {
        let (status, body) = look_up(app, &token, cpf).await;
        assert_eq!(status, 422, "{cpf:?}: {body}");
        let fields: Vec<&String> = body["errors"].as_object().unwrap().keys().collect();
        assert_eq!(fields, ["cpf"], "{cpf:?}");
    }
    let missing = app.get_as(&token, PATH).await;
    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["errors"]["cpf"], json!(["Informe o CPF."]));

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_ticket_s_jobs_are_found_by_their_keys() {
    let seeded = seed().await;
    let app = &seeded.app;
    // The keys the lookup reads are those the queue wrote.
    let keys: BTreeSet<String> = jobs::Entity::find()
        .filter(jobs::Column::RequestId.is_null())
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .filter(|job| {
            Job::decode(&job.kind, &job.payload).unwrap().ticket_id() == Some(seeded.ticket)
        })
        .map(|job| job.dedupe_key)
        .collect();
    let expected: BTreeSet<String> = Job::of_ticket(seeded.ticket)
        .iter()
        .filter_map(Job::ticket_key)
        .filter(|key| keys.contains(key))
        .collect();
    assert_eq!(keys, expected);
    assert_eq!(
        keys,
        BTreeSet::from([
            format!("queue.close:{}", seeded.ticket),
            format!("email.queue_called:{}", seeded.ticket),
        ])
    );
}

#[tokio::test]
async fn anonymising_a_person_leaves_open_and_held_requests_and_says_so() {
    let seeded = seed().await;
    let app = &seeded.app;
    let clerk = app.sign_in(CLERK).await;
    act(
        app,
        &clerk,
        seeded.attended.0,
        json!({"action": "hold", "reason": "Ordem judicial."}),
    )
    .await;
    // The e-mails already queued go out first: a request whose e-mail still waits is not
    // done with.
    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(crate::helpers::settings_for(app.db(), &[])),
        None,
        app.clock.clone(),
    )
    .unwrap();
    while worker.run_batch().await.unwrap() > 0 {}
    let token = app.sign_in(ADMIN).await;

    let refused = app
        .post_as(&token, &format!("{PATH}/anonymise"), &json!({"cpf": "123"}))
        .await;
    assert_eq!(refused.status(), 422);
    let clerk_try = app
        .post_as(
            &clerk,
            &format!("{PATH}/anonymise"),
            &json!({"cpf": seeded.cpf}),
        )
        .await;
    assert_eq!(clerk_try.status(), 403);

    let response = app
        .post_as(
            &token,
            &format!("{PATH}/anonymise"),
            &json!({"cpf": seeded.cpf}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let done: Value = response.json().await.unwrap();
    assert_eq!(
        (
            done["anonymised"].clone(),
            done["held"].clone(),
            done["open"].clone()
        ),
        (json!(1), json!(1), json!(1)),
        "{done}"
    );
    assert_eq!(done["anonymised_protocols"], json!([seeded.cancelled.1]));
    assert_eq!(done["held_protocols"], json!([seeded.attended.1]));
    assert_eq!(done["open_protocols"], json!([seeded.open.1]));

    let stored = |id: i64| async move {
        requests::Entity::find_by_id(id)
            .one(app.store.connection())
            .await
            .unwrap()
            .unwrap()
    };
    let cancelled = stored(seeded.cancelled.0).await;
    assert_eq!(cancelled.requester_name, "Pessoa anonimizada");
    assert_eq!((cancelled.cpf.as_str(), cancelled.email.as_str()), ("", ""));
    assert!(cancelled.anonymised_at.is_some());
    for kept in [seeded.attended.0, seeded.open.0, seeded.other.request] {
        let row = stored(kept).await;
        assert!(row.anonymised_at.is_none(), "{kept}");
        assert_ne!(row.cpf, "");
    }
    let audited = audit_rows(app)
        .await
        .into_iter()
        .find(|row| row.action == "data_subject.anonymise")
        .expect("the action is audited");
    assert_eq!(audited.actor_staff_id, Some(seeded.admin.id));
    assert!(!audited.entity_key.contains(&seeded.cpf));
    assert!(!audited.details.to_string().contains(&seeded.cpf));

    // Again: nothing more to do, the same left.
    let again: Value = app
        .post_as(
            &token,
            &format!("{PATH}/anonymise"),
            &json!({"cpf": seeded.cpf}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            again["anonymised"].clone(),
            again["held"].clone(),
            again["open"].clone()
        ),
        (json!(0), json!(1), json!(1)),
        "{again}"
    );
}
