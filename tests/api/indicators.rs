//! The court's indicators over a history with known times: filed near the end of the window,
//! over a weekend and over a holiday (8 December is one in Belém), each figure of the API and
//! the CSV checked against values worked out by hand; clerks see only their zones.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use contato::{clock::Clock, domain::schedule::SERVICE_TIME_ZONE, domain::staff::Role};
use serde_json::{Value, json};

use crate::helpers::{TestApp, create_clerk, create_staff, spawn_app_at, submission_json};

fn belem(datetime: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(datetime, "%Y-%m-%d %H:%M").unwrap();
    SERVICE_TIME_ZONE
        .from_local_datetime(&naive)
        .unwrap()
        .with_timezone(&Utc)
}

struct History {
    app: TestApp,
}

impl History {
    /// Moves the clock to `when` (Belém) and signs the clerk in again (a session ends).
    async fn at(&self, when: &str) -> String {
        self.app.clock.set(belem(when));
        self.app.sign_in("ana@tre-pa.jus.br").await
    }

    /// Files a request at `when`: its id, protocol and tracking token.
    async fn file(&self, when: &str, zone: i64, extra: Value) -> (i64, String, String) {
        self.app.clock.set(belem(when));
        let mut body = submission_json(zone);
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = self.app.post_json("/api/v1/requests", &body).await;
        assert_eq!(response.status(), 201, "filed at {when}");
        let receipt: Value = response.json().await.unwrap();
        let protocol = receipt["protocol"].as_str().unwrap().to_string();
        let id = self
            .app
            .store
            .request_by_protocol(&protocol)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let token = receipt["tracking_token"].as_str().unwrap().to_string();
        (id, protocol, token)
    }

    /// A clerk's action at `when`.
    async fn act(&self, when: &str, id: i64, mut body: Value) {
        let token = self.at(when).await;
        let detail: Value = self
            .app
            .get_as(&token, &format!("/api/v1/staff/requests/{id}"))
            .await
            .json()
            .await
            .unwrap();
        body["version"] = detail["version"].clone();
        let (status, answer) = self.app.transition_as(&token, id, &body).await;
        assert_eq!(status, 200, "{body} at {when}: {answer}");
    }
}

#[tokio::test]
async fn every_figure_matches_the_history_worked_out_by_hand() {
    let app = spawn_app_at(
        Clock::starting_at(belem("2026-11-27 09:00")),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_clerk(&app.store, "beto@tre-pa.jus.br", &[2]).await;
    create_staff(&app.store, "ti@tre-pa.jus.br", Role::Admin, &[]).await;
    let history = History { app };

    // Before the period: not counted.
    history.file("2026-11-27 10:00", 1, json!({})).await;
    // R1, Monday 09:00, triaged 10:30 (90 min), met and missed.
    let (r1, _, _) = history.file("2026-11-30 09:00", 1, json!({})).await;
    history
        .act("2026-11-30 10:30", r1, json!({"action": "triage"}))
        .await;
    history
        .act(
            "2026-11-30 10:31",
            r1,
            json!({"action": "schedule", "start": belem("2026-12-02 09:10").to_rfc3339(),
                   "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    history
        .act(
            "2026-12-02 10:00",
            r1,
            json!({"action": "complete", "outcome": "no_show"}),
        )
        .await;
    // R2, Monday 11:20 (ten minutes before closing), triaged Tuesday 08:40 (20 min), then
    // cancelled by its requester.
    let (r2, protocol, token) = history.file("2026-11-30 11:20", 1, json!({})).await;
    history
        .act("2026-12-01 08:40", r2, json!({"action": "triage"}))
        .await;
    history.app.clock.set(belem("2026-12-01 09:00"));
    let cancelled = history
        .app
        .post_json(
            &format!("/api/v1/requests/{protocol}/cancel?token={token}"),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), 200);
    // R3, Friday 18:00, aged 80+ and by message, triaged Monday 09:30 (60 min: the weekend
    // does not count), done by message.
    let (r3, r3_protocol, r3_token) = history
        .file(
            "2026-12-04 18:00",
            1,
            json!({"preferential": "idoso80", "mode": "message"}),
        )
        .await;
    history
        .act("2026-12-07 09:30", r3, json!({"action": "triage"}))
        .await;
    history
        .act(
            "2026-12-07 10:00",
            r3,
            json!({"action": "complete", "outcome": "attended_by_message"}),
        )
        .await;
    // Its requester answers the survey: 4.
    let answered = history
        .app
        .post_json(
            &format!("/api/v1/requests/{r3_protocol}/survey?token={r3_token}"),
            &json!({"rating": 4, "comment": "Resolvido por mensagem."}),
        )
        .await;
    assert_eq!(answered.status(), 201);
    // R4, Monday 11:00, triaged Thursday 09:30 over the holiday: 30 + 180 + 60 = 270 min,
    // over the 3-hour target; then refused.
    let (r4, _, _) = history.file("2026-12-07 11:00", 1, json!({})).await;
    history
        .act("2026-12-10 09:30", r4, json!({"action": "triage"}))
        .await;
    history
        .act(
            "2026-12-10 09:31",
            r4,
            json!({"action": "reject", "reason": "Fora da competência do cartório."}),
        )
        .await;
    // R5, Wednesday 10:00, refused at 11:00 without triage: its first answer (60 min).
    let (r5, _, _) = history.file("2026-12-09 10:00", 1, json!({})).await;
    history
        .act(
            "2026-12-09 11:00",
            r5,
            json!({"action": "reject", "reason": "Pedido repetido."}),
        )
        .await;
    // R6, Wednesday 10:30, cancelled by the clerk before any answer.
    let (r6, _, _) = history.file("2026-12-09 10:30", 1, json!({})).await;
    history
        .act("2026-12-09 10:40", r6, json!({"action": "cancel"}))
        .await;
    // R7, zone 2, waiting.
    history.file("2026-12-09 10:00", 2, json!({})).await;
    // After the period: not counted.
    history.file("2026-12-10 09:00", 1, json!({})).await;

    let clerk = history.at("2026-12-11 09:00").await;
    let path = "/api/v1/staff/stats?from=2026-11-30&to=2026-12-09";
    let stats: Value = history.app.get_as(&clerk, path).await.json().await.unwrap();
    let zones = stats["zones"].as_array().unwrap();
    assert_eq!(zones.len(), 1, "a clerk sees their zone only: {stats}");
    let zone = &zones[0];
    assert_eq!(zone["zone"], 1);
    assert_eq!(zone["received"], 6, "{zone}");
    assert_eq!(
        zone["by_status"],
        json!({"submitted": 0, "triaged": 0, "offered": 0, "scheduled": 0,
               "done": 2, "rejected": 2, "cancelled": 2})
    );
    // Waits 20, 60, 60, 90, 270: the median is the 3rd, the 90th percentile the 5th.
    assert_eq!(zone["triage_hours_p50"], 1.0);
    assert_eq!(zone["triage_hours_p90"], 4.5);
    assert_eq!(zone["within_target_pct"], 80.0);
    assert_eq!(zone["no_show"], 1);
    assert_eq!(zone["cancelled_by_requester"], 1);
    assert_eq!(zone["cancelled_by_staff"], 1);
    assert_eq!(zone["preferential"], 1);
    assert_eq!(zone["by_message"], 1);
    assert_eq!(zone["satisfaction_count"], 1);
    assert_eq!(zone["satisfaction_avg"], 4.0);
    assert_eq!(stats["total"]["received"], 6);

    // November and December whole, from the rollup: the requests filed before and after the
    // period above are still waiting, and the waits are the same.
    let months: Value = history
        .app
        .get_as(&clerk, "/api/v1/staff/stats?from=2026-11-01&to=2026-12-31")
        .await
        .json()
        .await
        .unwrap();
    let months = &months["zones"][0];
    assert_eq!(months["received"], 8, "{months}");
    assert_eq!(months["by_status"]["submitted"], 2);
    assert_eq!(
        (
            months["triage_hours_p50"].clone(),
            months["triage_hours_p90"].clone()
        ),
        (json!(1.0), json!(4.5))
    );
    assert_rollups_match(&history.app, "the whole history").await;

    // Another zone's figures are not found for this clerk.
    let elsewhere = history
        .app
        .get_as(&clerk, "/api/v1/staff/stats?zone=2")
        .await;
    assert_eq!(elsewhere.status(), 404);

    // The admin sees every zone; the total adds zone 2's waiting request.
    history.app.clock.set(belem("2026-12-11 09:00"));
    let admin = history.app.sign_in("ti@tre-pa.jus.br").await;
    let all: Value = history.app.get_as(&admin, path).await.json().await.unwrap();
    assert_eq!(all["total"]["received"], 7);
    assert_eq!(all["total"]["by_status"]["submitted"], 1);
    let zone2 = all["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|zone| zone["zone"] == 2)
        .unwrap();
    assert_eq!(zone2["received"], 1);
    assert!(zone2["triage_hours_p50"].is_null());

    // The CSV says the same.
    let csv = history
        .app
        .get_as(
            &clerk,
            &format!("{path}&zone=1").replace("stats?", "stats.csv?"),
        )
        .await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header, zone 1, total: {text}");
    assert_eq!(
        lines[0],
        "zone,name,received,status_submitted,status_triaged,status_offered,status_scheduled,status_done,status_rejected,status_cancelled,triage_hours_p50,triage_hours_p90,within_target_pct,no_show,cancelled_by_requester,cancelled_by_staff,preferential,by_message,satisfaction_avg,satisfaction_count"
    );
    assert!(
        lines[1].ends_with(",6,0,0,0,0,2,2,2,1,4.5,80,1,1,1,1,1,4,1"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("total,,6,"), "{}", lines[2]);

    // Bad periods are refused precisely.
    for (query, field) in [
        ("from=2026-12-09&to=2026-11-30", "from"),
        ("from=2024-01-01&to=2026-12-09", "from"),
    ] {
        let response = history
            .app
            .get_as(&clerk, &format!("/api/v1/staff/stats?{query}"))
            .await;
        assert_eq!(response.status(), 422, "{query}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][field].is_array(), "{body}");
    }
    let not_a_date = history
        .app
        .get_as(&clerk, "/api/v1/staff/stats?from=ontem")
        .await;
    assert!(not_a_date.status().is_client_error());
}

#[tokio::test]
async fn requests_answered_before_the_indicators_get_their_wait_from_their_calendar() {
    let app = spawn_app_at(
        Clock::starting_at(belem("2026-12-04 18:00")),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let history = History { app };
    let (id, _, _) = history.file("2026-12-04 18:00", 1, json!({})).await;
    history
        .act("2026-12-07 09:30", id, json!({"action": "triage"}))
        .await;
    // As a row stored before the column existed: answered, its wait unknown.
    use sea_orm::ConnectionTrait;
    let store = &history.app.store;
    store
        .connection()
        .execute_unprepared("UPDATE requests SET triage_minutes = NULL")
        .await
        .unwrap();
    let filled = store
        .backfill_triage_minutes(&contato::domain::schedule::ServiceWindow::default())
        .await
        .unwrap();
    assert_eq!(filled, 1);
    let row = entities::requests::Entity::find_by_id(id)
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    use sea_orm::EntityTrait;
    assert_eq!(row.triage_minutes, Some(60), "the weekend does not count");
    assert_eq!(
        store
            .backfill_triage_minutes(&contato::domain::schedule::ServiceWindow::default())
            .await
            .unwrap(),
        0,
        "once"
    );
}

/// The rollups the figures read hold what a recount from the requests gives.
async fn assert_rollups_match(app: &TestApp, step: &str) {
    let (stored, recounted) = app.store.indicator_rollups().await.unwrap();
    assert_eq!(stored, recounted, "after {step}");
}

#[tokio::test]
async fn the_rollups_follow_every_change_and_whole_months_read_as_their_days() {
    let app = spawn_app_at(
        Clock::starting_at(belem("2026-10-30 09:00")),
        &[("limits.submissions_per_minute", json!(0))],
    )
    .await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1, 2]).await;
    create_staff(&app.store, "ti@tre-pa.jus.br", Role::Admin, &[]).await;
    let history = History { app };
    let app = &history.app;

    // A: 30 October, answered a month later.
    let (a, _, _) = history.file("2026-10-30 10:00", 1, json!({})).await;
    assert_rollups_match(app, "filing A").await;
    // B: 3 November, preferential, moved to zone 2 and triaged after 7 minutes (0.2 h).
    let (b, _, _) = history
        .file("2026-11-03 09:00", 1, json!({"preferential": "gestante"}))
        .await;
    history
        .act(
            "2026-11-03 09:05",
            b,
            json!({"action": "transfer", "zone": 2}),
        )
        .await;
    assert_rollups_match(app, "moving B to zone 2").await;
    history
        .act("2026-11-03 09:07", b, json!({"action": "triage"}))
        .await;
    assert_rollups_match(app, "triaging B").await;
    // C: 16 November, triaged after 41 minutes (0.7 h), scheduled, moved to messages, done
    // by message, rated 5.
    let (c, c_protocol, c_token) = history.file("2026-11-16 10:00", 1, json!({})).await;
    history
        .act("2026-11-16 10:41", c, json!({"action": "triage"}))
        .await;
    history
        .act(
            "2026-11-16 10:45",
            c,
            json!({"action": "schedule", "start": belem("2026-11-18 09:10").to_rfc3339(),
                   "meet_link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    assert_rollups_match(app, "scheduling C").await;
    history
        .act(
            "2026-11-17 09:00",
            c,
            json!({"action": "to_message", "reason": "A câmera não funciona."}),
        )
        .await;
    assert_rollups_match(app, "moving C to messages").await;
    history
        .act(
            "2026-11-17 10:00",
            c,
            json!({"action": "complete", "outcome": "attended_by_message"}),
        )
        .await;
    let rated = app
        .post_json(
            &format!("/api/v1/requests/{c_protocol}/survey?token={c_token}"),
            &json!({"rating": 5}),
        )
        .await;
    assert_eq!(rated.status(), 201);
    assert_rollups_match(app, "rating C").await;
    // D: 1 December, zone 2, cancelled by its requester.
    let (_, d_protocol, d_token) = history.file("2026-12-01 09:00", 2, json!({})).await;
    let cancelled = app
        .post_json(
            &format!("/api/v1/requests/{d_protocol}/cancel?token={d_token}"),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), 200);
    assert_rollups_match(app, "cancelling D").await;
    // A is answered on 1 December.
    history
        .act("2026-12-01 09:30", a, json!({"action": "triage"}))
        .await;
    assert_rollups_match(app, "triaging A").await;

    app.clock.set(belem("2026-12-02 09:00"));
    let admin = app.sign_in("ti@tre-pa.jus.br").await;
    let stats = |period: &'static str| {
        let admin = admin.clone();
        async move {
            let mut body: Value = app
                .get_as(&admin, &format!("/api/v1/staff/stats?{period}"))
                .await
                .json()
                .await
                .unwrap();
            // The figures of the zones with requests, for comparing.
            body["zones"]
                .as_array_mut()
                .unwrap()
                .retain(|zone| zone["received"] != 0);
            json!({"zones": body["zones"], "total": body["total"]})
        }
    };
    // October and November whole (from the rollup) against the same days with no whole
    // month (from the requests): A, B and C either way.
    let whole = stats("from=2026-10-01&to=2026-11-30").await;
    let days = stats("from=2026-10-30&to=2026-11-29").await;
    assert_eq!(whole, days);
    let zone1 = &whole["zones"][0];
    assert_eq!(
        (zone1["zone"].clone(), zone1["received"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(
        zone1["triage_hours_p50"], 0.7,
        "C waited 41 minutes: {zone1}"
    );
    assert_eq!(zone1["by_message"], 1);
    assert_eq!(zone1["satisfaction_avg"], 5.0);
    let zone2 = &whole["zones"][1];
    assert_eq!(zone2["zone"], 2, "B was moved: {whole}");
    assert_eq!(zone2["preferential"], 1);
    assert_eq!(zone2["triage_hours_p50"], 0.2);
    // Three whole months against whole November between two ends read from the requests.
    let months = stats("from=2026-10-01&to=2026-12-31").await;
    let mixed = stats("from=2026-10-20&to=2026-12-10").await;
    assert_eq!(months, mixed);
    assert_eq!(months["total"]["received"], 4);
    assert_eq!(months["total"]["cancelled_by_requester"], 1);
    // A waited from 30 October 10:00 to 1 December 09:30: many service hours, counted too.
    assert!(
        months["total"]["triage_hours_p90"].as_f64().unwrap() > 24.0,
        "{months}"
    );
}
