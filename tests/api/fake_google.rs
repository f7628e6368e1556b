//! A local HTTP server that answers as Google's OAuth token endpoint and Calendar API v3 do
//! (same paths, JSON shapes and error bodies) for the calls the service makes: token,
//! events insert/get/patch/delete and freeBusy. It records what it receives and can be told
//! to fail the next calls, as Google sometimes does.

use std::{
    collections::{BTreeMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// One call as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Value,
}

/// The operations failures can be injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Insert,
    Get,
    Patch,
    Delete,
    FreeBusy,
}

/// A busy time: start and end.
type Period = (DateTime<Utc>, DateTime<Utc>);

#[derive(Default)]
struct Inner {
    /// (calendar, event id) → the event as Google would return it.
    events: BTreeMap<(String, String), Value>,
    deleted: Vec<(String, String)>,
    /// Reads left before a pending conference gets its link, per event.
    pending: BTreeMap<(String, String), u32>,
    pending_reads: u32,
    failures: VecDeque<(Operation, u16, String)>,
    calls: Vec<Recorded>,
    tokens: Vec<String>,
    tokens_issued: u32,
    /// JWT claims of each token request.
    assertions: Vec<Value>,
    busy: BTreeMap<String, Vec<Period>>,
}

#[derive(Clone)]
pub struct FakeGoogle {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

type Shared = Arc<Mutex<Inner>>;

impl FakeGoogle {
    pub async fn start() -> FakeGoogle {
        let inner: Shared = Arc::default();
        let app = Router::new()
            .route("/token", post(token))
            .route("/calendar/v3/calendars/{calendar}/events", post(insert))
            .route(
                "/calendar/v3/calendars/{calendar}/events/{id}",
                get(read).patch(patch).delete(delete),
            )
            .route("/calendar/v3/freeBusy", post(free_busy))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let address: SocketAddr = listener.local_addr().expect("an address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGoogle {
            base: format!("http://{address}"),
            inner,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    /// A service-account key file (the throwaway test key) whose `token_uri` is this server.
    pub fn write_key(&self, folder: &std::path::Path) -> std::path::PathBuf {
        let key = json!({
            "type": "service_account",
            "project_id": "contato-test",
            "private_key_id": "test-key",
            "private_key": include_str!("../fixtures/google-test-key.pem"),
            "client_email": "contato@contato-test.iam.gserviceaccount.com",
            "client_id": "1",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": format!("{}/token", self.base),
        });
        let path = folder.join("service-account.json");
        std::fs::write(&path, key.to_string()).expect("the key is written");
        path
    }

    /// The next `times` calls of `operation` answer `status` with Google's error body.
    pub fn fail(&self, operation: Operation, status: u16, reason: &str, times: usize) {
        let mut inner = self.lock();
        for _ in 0..times {
            inner
                .failures
                .push_back((operation, status, reason.to_string()));
        }
    }

    /// New conferences stay `pending` for this many reads of their event.
    pub fn conferences_pending_for(&self, reads: u32) {
        self.lock().pending_reads = reads;
    }

    /// Invalidates every token given so far (as an expiry or a revocation would).
    pub fn revoke_tokens(&self) {
        self.lock().tokens.clear();
    }

    pub fn mark_busy(&self, calendar: &str, start: DateTime<Utc>, end: DateTime<Utc>) {
        self.lock()
            .busy
            .entry(calendar.to_string())
            .or_default()
            .push((start, end));
    }

    /// Puts an event in place as if an earlier attempt had made it.
    pub fn put_event(&self, calendar: &str, id: &str, event: Value) {
        self.lock()
            .events
            .insert((calendar.to_string(), id.to_string()), event);
    }

    /// Removes an event without a trace, as a person deleting it by hand and emptying the
    /// bin would: reads and deletes of it then answer 404.
    pub fn remove_event(&self, calendar: &str, id: &str) {
        self.lock()
            .events
            .remove(&(calendar.to_string(), id.to_string()));
    }

    pub fn events(&self) -> Vec<((String, String), Value)> {
        self.lock().events.clone().into_iter().collect()
    }

    pub fn deleted(&self) -> Vec<(String, String)> {
        self.lock().deleted.clone()
    }

    pub fn calls(&self) -> Vec<Recorded> {
        self.lock().calls.clone()
    }

    pub fn tokens_issued(&self) -> u32 {
        self.lock().tokens_issued
    }

    pub fn assertions(&self) -> Vec<Value> {
        self.lock().assertions.clone()
    }
}

/// Google's error body for `status` and `reason`.
fn google_error(status: u16, reason: &str, message: &str) -> Response {
    let body = json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{ "domain": "global", "reason": reason, "message": message }],
            "status": match status {
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                404 => "NOT_FOUND",
                409 => "ALREADY_EXISTS",
                429 => "RESOURCE_EXHAUSTED",
                _ => "INTERNAL",
            },
        }
    });
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(body),
    )
        .into_response()
}

/// Records the call, checks the bearer token and applies an injected failure.
fn admit(
    inner: &mut Inner,
    operation: Operation,
    method: Method,
    path: String,
    query: Option<String>,
    headers: &HeaderMap,
    body: Value,
) -> Option<Response> {
    inner.calls.push(Recorded {
        method: method.to_string(),
        path,
        query: query.unwrap_or_default(),
        body,
    });
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !inner.tokens.iter().any(|t| t == token) {
        return Some(google_error(
            401,
            "authError",
            "Request had invalid authentication credentials.",
        ));
    }
    if inner
        .failures
        .front()
        .is_some_and(|(op, _, _)| *op == operation)
    {
        let (_, status, reason) = inner.failures.pop_front()?;
        let message = match reason.as_str() {
            "rateLimitExceeded" => "Rate Limit Exceeded",
            "forbidden" => "Forbidden",
            _ => "Backend Error",
        };
        return Some(google_error(status, &reason, message));
    }
    None
}

async fn token(State(inner): State<Shared>, body: String) -> Response {
    let form: BTreeMap<String, String> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let claims = form
        .get("assertion")
        .and_then(|jwt| jwt.split('.').nth(1))
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let (Some(claims), Some("urn:ietf:params:oauth:grant-type:jwt-bearer")) =
        (claims, form.get("grant_type").map(String::as_str))
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "Invalid JWT"})),
        )
            .into_response();
    };
    let mut inner = inner.lock().unwrap();
    inner.tokens_issued += 1;
    let access = format!("ya29.test-{}", inner.tokens_issued);
    inner.tokens.push(access.clone());
    inner.assertions.push(claims);
    Json(json!({ "access_token": access, "expires_in": 3599, "token_type": "Bearer" }))
        .into_response()
}

/// The conference part of an event, pending or with its Meet link.
fn conference(request: &Value, ready: bool, number: usize) -> (Value, Option<String>) {
    let link = format!("https://meet.google.com/tst-{number:04}-abc");
    let mut data = json!({
        "createRequest": {
            "requestId": request["requestId"],
            "conferenceSolutionKey": request["conferenceSolutionKey"],
            "status": { "statusCode": if ready { "success" } else { "pending" } },
        },
    });
    if ready {
        data["conferenceId"] = json!(format!("tst-{number:04}-abc"));
        data["entryPoints"] = json!([{ "entryPointType": "video", "uri": link, "label": link }]);
        data["conferenceSolution"] =
            json!({ "key": { "type": "hangoutsMeet" }, "name": "Google Meet" });
    }
    (data, ready.then_some(link))
}

async fn insert(
    State(inner): State<Shared>,
    Path(calendar): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut inner = inner.lock().unwrap();
    let path = format!("/calendar/v3/calendars/{calendar}/events");
    if let Some(refusal) = admit(
        &mut inner,
        Operation::Insert,
        Method::POST,
        path,
        query.clone(),
        &headers,
        body.clone(),
    ) {
        return refusal;
    }
    let id = body["id"].as_str().unwrap_or("generated0001").to_string();
    let key = (calendar.clone(), id.clone());
    if inner.events.contains_key(&key) || inner.deleted.contains(&key) {
        return google_error(409, "duplicate", "The requested identifier already exists.");
    }
    let mut event = body.clone();
    event["id"] = json!(id);
    event["status"] = json!("confirmed");
    event["htmlLink"] = json!(format!("https://www.google.com/calendar/event?eid={id}"));
    // Google honours a conference request only with conferenceDataVersion=1.
    let honours_conference = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair == "conferenceDataVersion=1");
    match body["conferenceData"]["createRequest"].clone() {
        request if request.is_object() && honours_conference => {
            let number = inner.events.len() + inner.deleted.len() + 1;
            let ready = inner.pending_reads == 0;
            let (data, link) = conference(&request, ready, number);
            event["conferenceData"] = data;
            if let Some(link) = link {
                event["hangoutLink"] = json!(link);
            } else {
                let reads = inner.pending_reads;
                inner.pending.insert(key.clone(), reads);
            }
        }
        _ => {
            event.as_object_mut().map(|e| e.remove("conferenceData"));
        }
    }
    inner.events.insert(key, event.clone());
    Json(event).into_response()
}

async fn read(
    State(inner): State<Shared>,
    Path((calendar, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let path = format!("/calendar/v3/calendars/{calendar}/events/{id}");
    if let Some(refusal) = admit(
        &mut inner,
        Operation::Get,
        Method::GET,
        path,
        query,
        &headers,
        Value::Null,
    ) {
        return refusal;
    }
    let key = (calendar, id);
    if inner.deleted.contains(&key) {
        return google_error(410, "deleted", "Resource has been deleted");
    }
    let Some(mut event) = inner.events.get(&key).cloned() else {
        return google_error(404, "notFound", "Not Found");
    };
    if let Some(left) = inner.pending.get(&key).copied() {
        if left <= 1 {
            inner.pending.remove(&key);
            let number = inner.events.len() + inner.deleted.len();
            let (data, link) = conference(&event["conferenceData"]["createRequest"], true, number);
            event["conferenceData"] = data;
            event["hangoutLink"] = json!(link);
            inner.events.insert(key, event.clone());
        } else {
            inner.pending.insert(key, left - 1);
        }
    }
    Json(event).into_response()
}

async fn patch(
    State(inner): State<Shared>,
    Path((calendar, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut inner = inner.lock().unwrap();
    let path = format!("/calendar/v3/calendars/{calendar}/events/{id}");
    if let Some(refusal) = admit(
        &mut inner,
        Operation::Patch,
        Method::PATCH,
        path,
        query,
        &headers,
        body.clone(),
    ) {
        return refusal;
    }
    let key = (calendar, id);
    if inner.deleted.contains(&key) {
        return google_error(410, "deleted", "Resource has been deleted");
    }
    let Some(event) = inner.events.get_mut(&key) else {
        return google_error(404, "notFound", "Not Found");
    };
    for (field, value) in body.as_object().into_iter().flatten() {
        if field != "id" && field != "conferenceData" {
            event[field] = value.clone();
        }
    }
    Json(event.clone()).into_response()
}

async fn delete(
    State(inner): State<Shared>,
    Path((calendar, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let path = format!("/calendar/v3/calendars/{calendar}/events/{id}");
    if let Some(refusal) = admit(
        &mut inner,
        Operation::Delete,
        Method::DELETE,
        path,
        query,
        &headers,
        Value::Null,
    ) {
        return refusal;
    }
    let key = (calendar, id);
    if inner.deleted.contains(&key) {
        return google_error(410, "deleted", "Resource has been deleted");
    }
    if inner.events.remove(&key).is_none() {
        return google_error(404, "notFound", "Not Found");
    }
    inner.deleted.push(key);
    StatusCode::NO_CONTENT.into_response()
}

async fn free_busy(
    State(inner): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut inner = inner.lock().unwrap();
    if let Some(refusal) = admit(
        &mut inner,
        Operation::FreeBusy,
        Method::POST,
        "/calendar/v3/freeBusy".into(),
        query,
        &headers,
        body.clone(),
    ) {
        return refusal;
    }
    let time = |field: &str| {
        body[field]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (time("timeMin"), time("timeMax")) else {
        return google_error(400, "badRequest", "Bad Request");
    };
    let mut calendars = serde_json::Map::new();
    for item in body["items"].as_array().into_iter().flatten() {
        let id = item["id"].as_str().unwrap_or_default().to_string();
        // Busy times: those set by the test, and the calendar's own events.
        let mut busy: Vec<Period> = inner.busy.get(&id).cloned().unwrap_or_default();
        for ((calendar, _), event) in &inner.events {
            let at = |part: &str| {
                event[part]["dateTime"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
            };
            if *calendar == id
                && let (Some(start), Some(end)) = (at("start"), at("end"))
            {
                busy.push((start, end));
            }
        }
        let periods: Vec<Value> = busy
            .into_iter()
            .filter(|(start, end)| *start < to && from < *end)
            .map(|(start, end)| json!({ "start": start.to_rfc3339(), "end": end.to_rfc3339() }))
            .collect();
        calendars.insert(id, json!({ "busy": periods }));
    }
    Json(json!({ "kind": "calendar#freeBusy", "timeMin": body["timeMin"], "timeMax": body["timeMax"], "calendars": calendars })).into_response()
}
