//! The satisfaction survey (Lei 13.460/2017, art. 23): the invitation e-mailed once per request
//! done with its requester attended, through the outbox.

use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// Meetings scheduled so far: each takes the clerk's next free slot.
    meetings: AtomicUsize,
}

async fn desk() -> Desk {
    desk_with(&[]).await
}

/// As [`desk`], with some settings changed.
async fn desk_with(overrides: &[(&str, Value)]) -> Desk {
    let smtp = SmtpServer::start();
    let mut settings = vec![("limits.submissions_per_minute", json!(0))];
    settings.extend(overrides.iter().cloned());
    let app = spawn_app_with(&settings).await;
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
        meetings: AtomicUsize::new(0),
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
        let taken = self.meetings.fetch_add(1, Ordering::Relaxed);
        let start = self.app.future_slots(taken + 1)[taken].start.to_rfc3339();
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

impl Desk {
    /// The requester's answer through the API with `token`: the status and the JSON body.
    async fn answer_with(&self, protocol: &str, token: &str, body: &Value) -> (u16, Value) {
        let response = self
            .app
            .post_json(
                &format!("/api/v1/requests/{protocol}/survey?token={token}"),
                body,
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn answer(&self, request: &Filed, body: &Value) -> (u16, Value) {
        self.answer_with(&request.protocol, &request.tracking, body)
            .await
    }
}

/// A 409 names its code and says why in a Portuguese sentence.
fn assert_conflict(status: u16, body: &Value, code: &str) {
    assert_eq!((status, body["code"].as_str()), (409, Some(code)), "{body}");
    let sentence = body["error"].as_str().unwrap();
    assert!(
        sentence.ends_with('.') && sentence.chars().next().unwrap().is_uppercase(),
        "{sentence}"
    );
}

#[tokio::test]
async fn the_requester_answers_once_and_the_zone_reads_it() {
    let desk = desk().await;
    let request = desk.done("attended").await;
    assert_eq!(desk.detail(request.id).await["survey"], Value::Null);

    let (status, answer) = desk
        .answer(
            &request,
            &json!({"rating": 4, "comment": "  Fui bem atendida.\r\nSó demorou a começar. <b>ok</b>  "}),
        )
        .await;

    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["rating"], 4);
    assert_eq!(
        answer["comment"],
        "Fui bem atendida.\nSó demorou a começar. <b>ok</b>"
    );
    let at = answer["at"].as_str().unwrap().to_string();
    let survey = &desk.detail(request.id).await["survey"];
    assert_eq!(
        survey,
        &json!({"rating": 4, "comment": "Fui bem atendida.\nSó demorou a começar. <b>ok</b>", "at": at})
    );

    // A second answer, even a different one, is refused and changes nothing.
    let before = crate::helpers::row_counts(&desk.app.store).await;
    let (status, refused) = desk.answer(&request, &json!({"rating": 1})).await;
    assert_conflict(status, &refused, "already_answered");
    assert_eq!(crate::helpers::row_counts(&desk.app.store).await, before);
    assert_eq!(desk.detail(request.id).await["survey"]["rating"], 4);

    // The panel's request page shows it to the zone's clerk, as text.
    let clerk = crate::panel::signed_in(&desk.app, "ana@tre-pa.jus.br").await;
    let page = clerk
        .get(
            desk.app
                .url(&format!("/painel/solicitacoes/{}", request.id)),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Avaliação do requerente"), "{page}");
    assert!(page.contains("4 de 5"), "{page}");
    assert!(page.contains("Satisfeito(a)"), "{page}");
    assert!(
        page.contains("Só demorou a começar. &lt;b&gt;ok&lt;&#x2f;b&gt;"),
        "{page}"
    );

    // A request answered before its invitation went: the invitation is not sent.
    desk.deliver().await;
    assert!(desk.mails(INVITATION).is_empty());
    let job = &desk.survey_jobs(request.id).await[0];
    assert!(
        job.result.as_deref().unwrap().starts_with("ignorado"),
        "{:?}",
        job.result
    );
}

#[tokio::test]
async fn a_request_attended_by_messages_takes_an_answer_too() {
    let desk = desk().await;
    let request = desk.done("attended_by_message").await;
    let (status, answer) = desk.answer(&request, &json!({"rating": 5})).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["comment"], Value::Null);
}

#[tokio::test]
async fn only_a_request_done_with_its_requester_attended_takes_an_answer() {
    let desk = desk().await;
    let submitted = desk.file("video").await;
    let triaged = desk.file("message").await;
    desk.act(triaged.id, json!({"action": "triage"})).await;
    let scheduled = desk.scheduled().await;
    let no_show = desk.done("no_show").await;
    let cancelled = desk.file("video").await;
    desk.act(cancelled.id, json!({"action": "cancel"})).await;
    let rejected = desk.file("video").await;
    desk.act(
        rejected.id,
        json!({"action": "reject", "reason": "O assunto não é da competência do cartório."}),
    )
    .await;
    let cases = [
        ("submitted", &submitted, "ainda não foi concluído"),
        ("triaged", &triaged, "ainda não foi concluído"),
        ("scheduled", &scheduled, "ainda não foi concluído"),
        ("no show", &no_show, "não houve comparecimento"),
        ("cancelled", &cancelled, "cancelado"),
        ("rejected", &rejected, "indeferido"),
    ];
    let before = crate::helpers::row_counts(&desk.app.store).await;
    for (description, request, words) in cases {
        let (status, refused) = desk
            .answer(request, &json!({"rating": 5, "comment": "Ótimo."}))
            .await;
        assert_conflict(status, &refused, "not_eligible");
        let sentence = refused["error"].as_str().unwrap();
        assert!(sentence.contains(words), "{description}: {sentence}");
    }
    assert_eq!(crate::helpers::row_counts(&desk.app.store).await, before);
}

#[tokio::test]
async fn a_bad_answer_is_422_with_every_field_and_stores_nothing() {
    let desk = desk().await;
    let request = desk.done("attended").await;
    let cases: [(&str, Value, &[&str]); 12] = [
        ("rating 0", json!({"rating": 0}), &["rating"]),
        ("rating 6", json!({"rating": 6}), &["rating"]),
        ("rating -1", json!({"rating": -1}), &["rating"]),
        ("rating as a string", json!({"rating": "5"}), &["rating"]),
        ("rating not whole", json!({"rating": 4.5}), &["rating"]),
        ("no rating", json!({"comment": "Bom."}), &["rating"]),
        ("a null rating", json!({"rating": null}), &["rating"]),
        (
            "a comment of 1001 characters",
            json!({"rating": 3, "comment": "a".repeat(1001)}),
            &["comment"],
        ),
        (
            "a zero-width space",
            json!({"rating": 3, "comment": "Bom\u{200B} atendimento"}),
            &["comment"],
        ),
        (
            "a bidirectional override",
            json!({"rating": 3, "comment": "Bom \u{202E}otnemidneta"}),
            &["comment"],
        ),
        (
            "a comment not text",
            json!({"rating": 3, "comment": 12}),
            &["comment"],
        ),
        (
            "both at once",
            json!({"rating": 0, "comment": "é".repeat(1001)}),
            &["comment", "rating"],
        ),
    ];
    let before = crate::helpers::row_counts(&desk.app.store).await;
    for (description, body, fields) in cases {
        let (status, refused) = desk.answer(&request, &body).await;
        assert_eq!(status, 422, "{description}: {refused}");
        let errors = refused["errors"].as_object().unwrap();
        let named: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(named, fields, "{description}: {refused}");
        for messages in errors.values() {
            assert!(!messages[0].as_str().unwrap().is_empty(), "{description}");
        }
    }
    assert_eq!(crate::helpers::row_counts(&desk.app.store).await, before);

    // Exactly 1000 characters is the limit, and nothing refused used the answer up.
    let (status, answer) = desk
        .answer(&request, &json!({"rating": 3, "comment": "é".repeat(1000)}))
        .await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn a_wrong_token_is_not_found_before_anything_else() {
    let desk = desk().await;
    let request = desk.done("attended").await;
    let other = desk.done("attended").await;
    let cases = [
        ("a wrong token", request.protocol.as_str(), "wrong"),
        ("no token", request.protocol.as_str(), ""),
        (
            "another request's token",
            request.protocol.as_str(),
            other.tracking.as_str(),
        ),
        (
            "an unknown protocol",
            "2026-999999",
            request.tracking.as_str(),
        ),
    ];
    for (description, protocol, token) in cases {
        for body in [json!({"rating": 5}), json!({"rating": 9})] {
            let (status, refused) = desk.answer_with(protocol, token, &body).await;
            assert_eq!(
                (status, refused["code"].as_str()),
                (404, Some("not_found")),
                "{description}: {refused}"
            );
        }
    }
    assert_eq!(desk.detail(request.id).await["survey"], Value::Null);
}

#[tokio::test]
async fn answers_sent_at_once_make_one() {
    let desk = desk().await;
    let request = desk.done("attended").await;
    let path = format!(
        "/api/v1/requests/{}/survey?token={}",
        request.protocol, request.tracking
    );
    let sends = (1..=8).map(|n| {
        let http = desk.app.http.clone();
        let url = desk.app.url(&path);
        async move {
            let response = http
                .post(url)
                .json(&json!({"rating": n % 5 + 1, "comment": format!("Resposta {n}")}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    });
    let answers = futures::future::join_all(sends).await;

    let taken: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .collect();
    assert_eq!(taken.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_conflict(*status, body, "already_answered");
    }
    let stored = crate::helpers::row_counts(&desk.app.store).await;
    assert!(stored.contains(&("survey_answers", 1)), "{stored:?}");
    assert_eq!(
        desk.detail(request.id).await["survey"]["comment"],
        taken[0].1["comment"]
    );
}

#[tokio::test]
async fn a_clerk_of_another_zone_does_not_find_the_request_or_its_answer() {
    let desk = desk().await;
    let request = desk.done("attended").await;
    let (status, _) = desk.answer(&request, &json!({"rating": 2})).await;
    assert_eq!(status, 201);
    create_clerk(&desk.app.store, "bia@tre-pa.jus.br", &[28]).await;
    let other = desk.app.sign_in("bia@tre-pa.jus.br").await;
    let response = desk
        .app
        .get_as(&other, &format!("/api/v1/staff/requests/{}", request.id))
        .await;
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(!body.contains("rating"), "{body}");
}

#[tokio::test]
async fn the_page_s_form_answers_with_the_same_statuses_as_the_api() {
    let desk = desk().await;
    let request = desk.done("attended").await;
    let open = |token: &str| {
        desk.app
            .http
            .get(
                desk.app
                    .url(&format!("/avaliar/{}?token={token}", request.protocol)),
            )
            .send()
    };
    let send = |token: &str, rating: &str| {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        client
            .post(desk.app.url(&format!("/avaliar/{}", request.protocol)))
            .form(&[("token", token), ("rating", rating), ("comment", "")])
            .send()
    };
    assert_eq!(open(&request.tracking).await.unwrap().status(), 200);
    assert_eq!(open("wrong").await.unwrap().status(), 404);
    assert_eq!(send("wrong", "5").await.unwrap().status(), 404);
    for rating in ["", "0", "cinco"] {
        let refused = send(&request.tracking, rating).await.unwrap();
        assert_eq!(refused.status(), 422, "{rating:?}");
        assert!(refused.text().await.unwrap().contains("rating-error"));
    }

    let answered = send(&request.tracking, "5").await.unwrap();
    assert_eq!(answered.status(), 303);
    assert_eq!(
        answered.headers()["location"],
        format!(
            "/avaliar/{}?token={}&obrigado=1",
            request.protocol, request.tracking
        )
        .as_str()
    );
    let again = send(&request.tracking, "1").await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("já foi avaliado"));
    assert_eq!(desk.detail(request.id).await["survey"]["rating"], 5);
}

#[tokio::test]
async fn the_metrics_count_the_answers_by_rating() {
    const METRICS_TOKEN: &str = "um-segredo-do-coletor-de-metricas";
    let desk = desk_with(&[("metrics.token", json!(METRICS_TOKEN))]).await;
    for rating in [4, 4, 2] {
        let request = desk.done("attended").await;
        let (status, _) = desk.answer(&request, &json!({"rating": rating})).await;
        assert_eq!(status, 201);
    }

    let response = desk.app.get_as(METRICS_TOKEN, "/metrics").await;

    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    for expected in [
        r#"contato_survey_answers{rating="1"} 0"#,
        r#"contato_survey_answers{rating="2"} 1"#,
        r#"contato_survey_answers{rating="3"} 0"#,
        r#"contato_survey_answers{rating="4"} 2"#,
        r#"contato_survey_answers{rating="5"} 0"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
}
