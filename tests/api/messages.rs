//! Attendance by written messages: a request in message mode, its thread from both sides,
//! the e-mails each side gets (batched), the inbox's marks, and turning a scheduled request
//! to messages.

use chrono::Duration;
use mail_parser::MimeHeaders;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, create_clerk, row_counts, settings_for, spawn_app_with, submission_json},
    smtp::{Received, SmtpServer},
};

struct Desk {
    app: TestApp,
    token: String,
    smtp: SmtpServer,
    worker: contato::jobs::Worker,
}

async fn desk() -> Desk {
    let smtp = SmtpServer::start();
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let worker = contato::jobs::Worker::new(
        app.store.clone(),
        std::sync::Arc::new(settings_for(app.db(), &[("smtp.url", json!(smtp.url()))])),
        None,
        app.clock.clone(),
    )
    .unwrap();
    Desk {
        app,
        token,
        smtp,
        worker,
    }
}

/// A request filed through the API: its id, protocol and tracking token.
struct Filed {
    id: i64,
    protocol: String,
    tracking: String,
}

impl Desk {
    async fn file(&self, body: Value) -> Filed {
        let response = self.app.post_json("/api/v1/requests", &body).await;
        assert_eq!(response.status(), 201);
        let receipt: Value = response.json().await.unwrap();
        let protocol = receipt["protocol"].as_str().unwrap().to_string();
        let inbox = self
            .get(&format!("/api/v1/staff/requests?q={protocol}"))
            .await;
        Filed {
            id: inbox["items"][0]["id"].as_i64().unwrap(),
            protocol,
            tracking: receipt["tracking_token"].as_str().unwrap().to_string(),
        }
    }

    async fn by_message(&self) -> Filed {
        let mut body = submission_json(1);
        body["mode"] = json!("message");
        self.file(body).await
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.app.get_as(&self.token, path).await;
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }

    async fn detail(&self, id: i64) -> Value {
        self.get(&format!("/api/v1/staff/requests/{id}")).await
    }

    async fn act(&self, id: i64, mut body: Value) -> (u16, Value) {
        body["version"] = self.detail(id).await["version"].clone();
        self.app.transition_as(&self.token, id, &body).await
    }

    async fn requester_writes(&self, request: &Filed, text: &str) -> (u16, Value) {
        let response = self
            .app
            .post_json(
                &format!(
                    "/api/v1/requests/{}/messages?token={}",
                    request.protocol, request.tracking
                ),
                &json!({ "text": text }),
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn clerk_writes(&self, request: &Filed, text: &str) -> (u16, Value) {
        let response = self
            .app
            .post_as(
                &self.token,
                &format!("/api/v1/staff/requests/{}/messages", request.id),
                &json!({ "text": text }),
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn requester_thread(&self, request: &Filed) -> Value {
        self.app
            .http
            .get(self.app.url(&format!(
                "/api/v1/requests/{}/messages?token={}",
                request.protocol, request.tracking
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Runs every job due once the batching delay has passed.
    async fn deliver(&self) {
        self.app.clock.advance(Duration::minutes(6));
        while self.worker.run_batch().await.unwrap() > 0 {}
    }

    /// The e-mails whose subject contains `part`.
    fn mails(&self, part: &str) -> Vec<Received> {
        self.smtp
            .received()
            .into_iter()
            .filter(|mail| {
                mail.parsed()
                    .subject()
                    .is_some_and(|subject| subject.contains(part))
            })
            .collect()
    }
}

fn text_of(mail: &Received) -> String {
    mail.parsed()
        .body_text(0)
        .map(|text| text.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_request_by_message_goes_from_submitted_to_done_and_each_message_reaches_the_other_side_once()
 {
    let desk = desk().await;
    let request = desk.by_message().await;
    assert_eq!(desk.detail(request.id).await["mode"], "message");
    let tracked: Value = desk
        .app
        .http
        .get(desk.app.url(&format!(
            "/api/v1/requests/{}?token={}",
            request.protocol, request.tracking
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tracked["mode"], "message");

    assert_eq!(
        desk.act(request.id, json!({"action": "triage"})).await.0,
        200
    );
    let (status, posted) = desk
        .requester_writes(&request, "Bom dia.\nMeu título aparece como cancelado.")
        .await;
    assert_eq!(status, 201, "{posted}");
    assert_eq!(posted["from"], "requester");
    assert_eq!(
        posted["text"],
        "Bom dia.\nMeu título aparece como cancelado."
    );

    // The inbox shows the thread unread, with the reply owed.
    let inbox = desk
        .get(&format!("/api/v1/staff/requests?q={}", request.protocol))
        .await;
    assert_eq!(inbox["items"][0]["unread_messages"], true, "{inbox}");
    assert_eq!(inbox["items"][0]["mode"], "message");
    assert!(inbox["items"][0]["reply_due_at"].is_string(), "{inbox}");
    // Reading the thread reads it.
    let thread = desk
        .get(&format!("/api/v1/staff/requests/{}/messages", request.id))
        .await;
    assert_eq!(thread["messages"].as_array().unwrap().len(), 1);
    assert_eq!(desk.detail(request.id).await["unread_messages"], false);

    let (status, reply) = desk
        .clerk_writes(
            &request,
            "Bom dia! Seu título foi cancelado por falta de votação. Vamos regularizar.",
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["from"], "staff");
    let detail = desk.detail(request.id).await;
    assert!(detail["reply_due_at"].is_null(), "the reply was given");

    // No meeting for a request attended by messages; it is done by message.
    let slot = desk.app.future_slots(1)[0].start.to_rfc3339();
    let (status, refused) = desk
        .act(
            request.id,
            json!({"action": "schedule", "start": slot, "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("by_message"))
    );
    let (status, refused) = desk
        .act(
            request.id,
            json!({"action": "complete", "outcome": "attended"}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"]["outcome"].is_array(), "{refused}");
    let (status, done) = desk
        .act(
            request.id,
            json!({"action": "complete", "outcome": "attended_by_message"}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "done");
    assert_eq!(done["outcome"], "attended_by_message");

    desk.deliver().await;
    let to_zone = desk.mails("Nova mensagem de");
    assert_eq!(to_zone.len(), 1, "one e-mail to the zone");
    assert!(to_zone[0].to.iter().any(|to| to == "ana@tre-pa.jus.br"));
    assert!(text_of(&to_zone[0]).contains("Meu título aparece como cancelado."));
    let to_requester = desk.mails("Nova mensagem do cartório");
    assert_eq!(to_requester.len(), 1, "one e-mail to the requester");
    assert!(text_of(&to_requester[0]).contains("Vamos regularizar."));
    assert!(
        !to_requester[0]
            .to
            .iter()
            .any(|to| to == "ana@tre-pa.jus.br"),
        "the requester's e-mail goes to the requester"
    );
    let done_mail = desk.mails("concluído");
    assert_eq!(done_mail.len(), 1);
    assert!(text_of(&done_mail[0]).contains("atendimento por mensagens terminou"));

    // Once final, neither side writes, and nothing is stored.
    let before = row_counts(&desk.app.store).await;
    let (status, refused) = desk.requester_writes(&request, "Mais uma coisa").await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("request_closed"))
    );
    assert!(refused["error"].as_str().unwrap().contains("concluída"));
    let (status, _) = desk.clerk_writes(&request, "Mais uma coisa").await;
    assert_eq!(status, 409);
    assert_eq!(row_counts(&desk.app.store).await, before);
    assert_eq!(
        desk.requester_thread(&request).await["messages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn ten_quick_messages_make_one_e_mail() {
    let desk = desk().await;
    let request = desk.by_message().await;
    for n in 1..=10 {
        let (status, _) = desk
            .requester_writes(&request, &format!("Mensagem número {n}."))
            .await;
        assert_eq!(status, 201);
    }
    desk.deliver().await;
    let to_zone = desk.mails("novas mensagens de");
    assert_eq!(to_zone.len(), 1, "one e-mail for the ten");
    let text = text_of(&to_zone[0]);
    for n in 1..=10 {
        assert!(text.contains(&format!("Mensagem número {n}.")), "{text}");
    }
    assert!(
        to_zone[0]
            .parsed()
            .subject()
            .unwrap()
            .starts_with("10 novas mensagens"),
    );

    // A message after that e-mail went gets an e-mail of its own.
    desk.requester_writes(&request, "Esqueci de dizer uma coisa.")
        .await;
    desk.deliver().await;
    let single = desk.mails("Nova mensagem de");
    assert_eq!(single.len(), 1);
    assert!(text_of(&single[0]).contains("Esqueci de dizer uma coisa."));
    assert!(!text_of(&single[0]).contains("Mensagem número 1."));
}

#[tokio::test]
async fn bad_messages_are_refused_precisely_and_nothing_is_stored() {
    let desk = desk().await;
    let request = desk.by_message().await;
    create_clerk(&desk.app.store, "beto@tre-pa.jus.br", &[2]).await;
    let other = desk.app.sign_in("beto@tre-pa.jus.br").await;
    let before = row_counts(&desk.app.store).await;
    type Case<'a> = (&'a str, Value, u16, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("empty", json!({"text": ""}), 422, Some("text")),
        ("blank", json!({"text": "  \n "}), 422, Some("text")),
        ("missing", json!({}), 422, Some("text")),
        ("not text", json!({"text": 42}), 422, Some("text")),
        (
            "over 4000 characters",
            json!({"text": "a".repeat(4001)}),
            422,
            Some("text"),
        ),
        (
            "an invisible character",
            json!({"text": "olá\u{200B}"}),
            422,
            Some("text"),
        ),
        ("not an object", json!(["texto"]), 400, None),
    ];
    let path = format!(
        "/api/v1/requests/{}/messages?token={}",
        request.protocol, request.tracking
    );
    for (name, body, status, field) in cases {
        let response = desk.app.post_json(&path, &body).await;
        assert_eq!(response.status().as_u16(), status, "{name}");
        let answer: Value = response.json().await.unwrap();
        if let Some(field) = field {
            assert!(answer["errors"][field].is_array(), "{name}: {answer}");
        }
    }
    let wrong_token = desk
        .app
        .post_json(
            &format!(
                "/api/v1/requests/{}/messages?token=errado",
                request.protocol
            ),
            &json!({"text": "Olá"}),
        )
        .await;
    assert_eq!(wrong_token.status(), 404);
    let reading_with_a_wrong_token = desk
        .app
        .http
        .get(desk.app.url(&format!(
            "/api/v1/requests/{}/messages?token=errado",
            request.protocol
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(reading_with_a_wrong_token.status(), 404);

    // A clerk of another zone does not find the request.
    let elsewhere = desk
        .app
        .post_as(
            &other,
            &format!("/api/v1/staff/requests/{}/messages", request.id),
            &json!({"text": "Olá"}),
        )
        .await;
    assert_eq!(elsewhere.status(), 404);
    let reading_elsewhere = desk
        .app
        .get_as(
            &other,
            &format!("/api/v1/staff/requests/{}/messages", request.id),
        )
        .await;
    assert_eq!(reading_elsewhere.status(), 404);
    assert_eq!(row_counts(&desk.app.store).await, before);

    // Markup is text: stored and answered as written.
    let (status, posted) = desk
        .requester_writes(&request, "<script>alert('x')</script>")
        .await;
    assert_eq!(status, 201);
    assert_eq!(posted["text"], "<script>alert('x')</script>");
}

#[tokio::test]
async fn a_scheduled_meeting_turned_to_messages_is_called_off_and_the_requester_told_how_to_go_on()
{
    let desk = desk().await;
    let request = desk.file(submission_json(1)).await;
    desk.act(request.id, json!({"action": "triage"})).await;
    let slot = desk.app.future_slots(1)[0];
    let (status, scheduled) = desk
        .act(
            request.id,
            json!({"action": "schedule", "start": slot.start.to_rfc3339(), "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    assert_eq!(status, 200, "{scheduled}");

    let (status, turned) = desk
        .act(
            request.id,
            json!({"action": "to_message", "reason": "A chamada caiu duas vezes."}),
        )
        .await;
    assert_eq!(status, 200, "{turned}");
    assert_eq!(turned["status"], "triaged");
    assert_eq!(turned["mode"], "message");
    assert!(turned["scheduled_start"].is_null() && turned["meet_link"].is_null());
    // The slot is free again.
    let free = desk
        .get(&format!(
            "/api/v1/staff/zones/1/slots?from={}&days=1",
            slot.start
                .with_timezone(&contato::domain::schedule::SERVICE_TIME_ZONE)
                .date_naive()
        ))
        .await;
    assert!(
        free["slots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|free| free["start"]
                .as_str()
                .map(|s| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap())
                == Some(slot.start)),
        "{free}"
    );
    // Twice is refused.
    let (status, again) = desk.act(request.id, json!({"action": "to_message"})).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("already_by_message"))
    );

    desk.deliver().await;
    let told = desk.mails("atendimento por mensagens escritas");
    assert_eq!(told.len(), 1);
    let text = text_of(&told[0]);
    assert!(text.contains("A chamada caiu duas vezes."), "{text}");
    assert!(text.contains("/acompanhar/"), "how to go on: {text}");
    let parsed = told[0].parsed();
    let invitation = parsed
        .attachments()
        .find(|part| {
            part.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
        })
        .expect("an .ics attachment");
    let ics = String::from_utf8_lossy(invitation.contents());
    assert!(ics.contains("METHOD:CANCEL"), "{ics}");
    // Reminders of the meeting that will not happen do not go.
    desk.app.clock.advance(Duration::days(30));
    while desk.worker.run_batch().await.unwrap() > 0 {}
    assert!(desk.mails("Lembrete").is_empty());
}
