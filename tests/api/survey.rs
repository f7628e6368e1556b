//! The satisfaction survey (Lei 13.460/2017, art. 23): the invitation e-mailed once per request
//! done with its requester attended, through the outbox.

use entities::jobs;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, create_clerk, settings_for, spawn_app_with, submission_json},
    smtp::{Received, SmtpServer},
};

const LINK: &str = "https://meet.google.com/abc-defg-hij";

struct Desk {
    app: TestApp,
    /// The zone 1 clerk's bearer token.
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

/// A request filed through the API: its id, protocol, tracking token and requester's address.
struct Filed {
    id: i64,
    protocol: String,
    tracking: String,
    email: String,
}

impl Desk {
    async fn file(&self, mode: &str) -> Filed {
        let mut body = submission_json(1);
        body["mode"] = json!(mode);
        let response = self.app.post_json("/api/v1/requests", &body).await;
        assert_eq!(response.status(), 201);
        let receipt: Value = response.json().await.unwrap();
        let protocol = receipt["protocol"].as_str().unwrap().to_string();
        let (request, _) = self
            .app
            .store
            .request_by_protocol(&protocol)
            .await
            .unwrap()
            .unwrap();
        Filed {
            id: request.id,
            protocol,
            tracking: receipt["tracking_token"].as_str().unwrap().to_string(),
            email: body["email"].as_str().unwrap().to_string(),
        }
    }

    async fn detail(&self, id: i64) -> Value {
        let response = self
            .app
            .get_as(&self.token, &format!("/api/v1/staff/requests/{id}"))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The clerk's `body` on request `id` at its current version; it must be taken.
    async fn act(&self, id: i64, mut body: Value) {
        body["version"] = self.detail(id).await["version"].clone();
        let (status, answer) = self.app.transition_as(&self.token, id, &body).await;
        assert_eq!(status, 200, "{body}: {answer}");
    }

    /// A video request filed, triaged and scheduled.
    async fn scheduled(&self) -> Filed {
        let request = self.file("video").await;
        self.act(request.id, json!({"action": "triage"})).await;
        let start = self.app.future_slots(1)[0].start.to_rfc3339();
        self.act(
            request.id,
            json!({"action": "schedule", "start": start, "meet_link": LINK}),
        )
        .await;
        request
    }

    /// A request done with `outcome`: by video, or by messages for `attended_by_message`.
    async fn done(&self, outcome: &str) -> Filed {
        let request = if outcome == "attended_by_message" {
            let request = self.file("message").await;
            self.act(request.id, json!({"action": "triage"})).await;
            request
        } else {
            self.scheduled().await
        };
        self.act(
            request.id,
            json!({"action": "complete", "outcome": outcome}),
        )
        .await;
        request
    }

    /// Runs every job that is due, until none is left.
    async fn deliver(&self) {
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

    async fn survey_jobs(&self, id: i64) -> Vec<jobs::Model> {
        jobs::Entity::find()
            .filter(jobs::Column::RequestId.eq(id))
            .filter(jobs::Column::Kind.eq("email.survey"))
            .all(self.app.store.connection())
            .await
            .unwrap()
    }
}

const INVITATION: &str = "Avalie o atendimento";

fn text_of(mail: &Received) -> String {
    mail.parsed()
        .body_text(0)
        .map(|text| text.to_string())
        .unwrap_or_default()
}

/// The survey link of an invitation: `(protocol, token)`.
fn survey_link(mail: &Received) -> (String, String) {
    let text = text_of(mail);
    let start = text.find("/avaliar/").expect("a survey link") + "/avaliar/".len();
    let link = &text[start..];
    let end = link.find(char::is_whitespace).unwrap_or(link.len());
    let (protocol, token) = link[..end].split_once("?token=").expect("a token");
    (protocol.to_string(), token.to_string())
}

#[tokio::test]
async fn the_survey_is_e_mailed_once_per_request_done_with_its_requester_attended() {
    let desk = desk().await;
    let by_video = desk.done("attended").await;
    let by_message = desk.done("attended_by_message").await;
    for request in [&by_video, &by_message] {
        let queued = desk.survey_jobs(request.id).await;
        assert_eq!(queued.len(), 1, "one invitation in the outbox");
        assert_eq!(
            queued[0].dedupe_key,
            format!("request:{}:email.survey", request.id)
        );
    }

    desk.deliver().await;
    // A second pass of the worker finds nothing more to send.
    desk.deliver().await;

    let invitations = desk.mails(INVITATION);
    assert_eq!(invitations.len(), 2, "one each");
    for request in [&by_video, &by_message] {
        let sent: Vec<_> = invitations
            .iter()
            .filter(|mail| mail.to.iter().any(|to| to.contains(&request.email)))
            .collect();
        assert_eq!(sent.len(), 1, "{} gets one", request.email);
        assert_eq!(
            sent[0].parsed().subject().unwrap(),
            format!("Avalie o atendimento da solicitação {}", request.protocol)
        );
        let (protocol, token) = survey_link(sent[0]);
        assert_eq!(protocol, request.protocol);
        assert_ne!(token, request.tracking, "a token minted for the e-mail");
        // The link's token proves the requester, as the tracking links' do.
        let tracked = desk
            .app
            .http
            .get(
                desk.app
                    .url(&format!("/api/v1/requests/{protocol}?token={token}")),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(tracked.status(), 200);
        let job = &desk.survey_jobs(request.id).await[0];
        assert_eq!(job.state, entities::sea_orm_active_enums::JobState::Done);
    }
    let text = text_of(
        invitations
            .iter()
            .find(|mail| mail.to.iter().any(|to| to.contains(&by_message.email)))
            .unwrap(),
    );
    assert!(text.contains("atendimento por mensagens"), "{text}");
    // The completion's own notice still goes, beside the invitation.
    assert_eq!(desk.mails("concluído").len(), 2);
}

#[tokio::test]
async fn no_survey_for_a_no_show_a_cancelled_or_a_rejected_request() {
    let desk = desk().await;
    let no_show = desk.done("no_show").await;
    let cancelled = desk.scheduled().await;
    desk.act(cancelled.id, json!({"action": "cancel"})).await;
    let rejected = desk.file("video").await;
    desk.act(
        rejected.id,
        json!({"action": "reject", "reason": "O assunto não é da competência do cartório."}),
    )
    .await;

    desk.deliver().await;

    for request in [&no_show, &cancelled, &rejected] {
        assert!(
            desk.survey_jobs(request.id).await.is_empty(),
            "{}",
            request.protocol
        );
    }
    assert!(desk.mails(INVITATION).is_empty());
    // Each was told what happened.
    assert_eq!(desk.mails("concluído").len(), 1, "the no-show's notice");
}
