//! Meetings in Google Calendar with Google Meet links (google-calendar3), for the `google`
//! provider. With the `manual` provider this module is not used: clerks paste links.
//!
//! Every write is safe to repeat: the event id is derived from the request, so an insert
//! retried after a crash answers 409 and the existing event is adopted; a reschedule patches
//! the same event (the Meet link stays); a cancel of an event already gone is done.

mod ids;
mod token;

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context;
use chrono::{DateTime, Utc};
use google_calendar3::{
    CalendarHub, Error as ApiError,
    api::{
        ConferenceData, ConferenceSolutionKey, CreateConferenceRequest, Event, EventAttendee,
        EventDateTime, FreeBusyRequest, FreeBusyRequestItem, Scope,
    },
    hyper_rustls::{HttpsConnector, HttpsConnectorBuilder},
    hyper_util::{
        client::legacy::{Client, connect::HttpConnector},
        rt::TokioExecutor,
    },
    yup_oauth2::{self, ServiceAccountAuthenticator, client::CustomHyperClientBuilder},
};
pub use ids::{EventKey, conference_request_id, event_id, queue_event_id};

use self::token::TokenSource;
use crate::{config::CalendarSettings, domain::schedule::Slot};

pub type Connector = HttpsConnector<HttpConnector>;

/// How a calendar call failed, as the outbox needs to know it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Rate limits, 429, 5xx, network: try again later.
    #[error("{0}")]
    Transient(String),
    /// 400, 403 `forbidden`, an unknown calendar: the same call will fail again.
    #[error("{0}")]
    Permanent(String),
}

/// The meeting to create or move.
#[derive(Debug, Clone)]
pub struct MeetingSpec<'a> {
    pub calendar_id: &'a str,
    pub key: EventKey,
    pub revision: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    /// The event's guests: the requester, only when configured to be invited by Google as
    /// well, and the meeting's Libras interpreter. Google sends them nothing
    /// (`sendUpdates=none`): the service's own e-mails carry the invitations.
    pub attendees: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub event_id: String,
    pub meet_link: String,
}

/// A failed API call, sorted by what the caller does next.
enum Failure {
    Unauthorized,
    Conflict,
    Gone,
    Other(CalendarError),
}

#[derive(Clone)]
pub struct GoogleCalendar {
    hub: Arc<CalendarHub<Connector>>,
    tokens: TokenSource,
    /// Distinguishes this deployment's event ids from another's in a shared calendar.
    site: String,
    conference_checks: u32,
    conference_wait: Duration,
}

const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const TIME_ZONE: &str = "America/Belem";

impl GoogleCalendar {
    /// Reads the service-account key (its `token_uri` is honoured) and prepares the client
    /// for `calendar.base_url`.
    pub async fn connect(
        settings: &CalendarSettings,
        site: &str,
    ) -> anyhow::Result<GoogleCalendar> {
        let path = settings
            .credentials
            .as_ref()
            .context("configuration key calendar.credentials: the google provider needs a service-account key")?;
        let key = yup_oauth2::read_service_account_key(path)
            .await
            .with_context(|| {
                format!(
                    "configuration key calendar.credentials: cannot read {}",
                    path.display()
                )
            })?;
        let connector = HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .context("cannot load the system's TLS roots")?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let token_client =
            Client::builder(TokioExecutor::new()).build::<_, String>(connector.clone());
        let mut authenticator = ServiceAccountAuthenticator::with_client(
            key,
            CustomHyperClientBuilder::from(token_client),
        );
        if let Some(subject) = &settings.subject {
            authenticator = authenticator.subject(subject.clone());
        }
        let authenticator = authenticator
            .build()
            .await
            .context("cannot prepare the Google service-account sign-in")?;
        let tokens = TokenSource::new(authenticator);
        let mut hub = CalendarHub::new(
            Client::builder(TokioExecutor::new()).build(connector),
            tokens.clone(),
        );
        let base = settings.base_url.as_str().to_string();
        hub.base_url(base.clone());
        hub.root_url(
            settings
                .base_url
                .join("/")
                .map_or(base, |root| root.to_string()),
        );
        Ok(GoogleCalendar {
            hub: Arc::new(hub),
            tokens,
            site: site.to_string(),
            conference_checks: settings.conference_checks,
            conference_wait: Duration::from_millis(settings.conference_check_ms),
        })
    }

    pub fn event_id(&self, request_id: i64) -> String {
        event_id(&self.site, request_id)
    }

    /// Creates the request's event with a Meet conference, or adopts the one an earlier
    /// attempt made, and returns its link once Google has made it.
    pub async fn create(&self, spec: &MeetingSpec<'_>) -> Result<Meeting, CalendarError> {
        let id = spec.key.event_id(&self.site);
        let mut event = self.event(spec);
        event.id = Some(id.clone());
        event.conference_data = Some(ConferenceData {
            create_request: Some(CreateConferenceRequest {
                request_id: Some(spec.key.conference_request_id(&self.site, spec.revision)),
                conference_solution_key: Some(ConferenceSolutionKey {
                    type_: Some("hangoutsMeet".into()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
        let inserted = self
            .call(|| {
                self.hub
                    .events()
                    .insert(event.clone(), spec.calendar_id)
                    // Without it, Google silently ignores the conference request.
                    .conference_data_version(1)
                    .send_updates("none")
                    .add_scope(Scope::Full)
                    .doit()
            })
            .await;
        let event = match inserted {
            Ok((_, event)) => event,
            Err(Failure::Conflict) => self.adopt(spec, &id).await?,
            Err(failure) => return Err(failure.into_error("insert")),
        };
        self.meeting(spec.calendar_id, &id, event).await
    }

    /// Moves the request's event (its Meet link stays); creates it if it is missing.
    pub async fn reschedule(&self, spec: &MeetingSpec<'_>) -> Result<Meeting, CalendarError> {
        let id = spec.key.event_id(&self.site);
        let patch = self.event(spec);
        let patched = self
            .call(|| {
                self.hub
                    .events()
                    .patch(patch.clone(), spec.calendar_id, &id)
                    .conference_data_version(1)
                    .send_updates("none")
                    .add_scope(Scope::Full)
                    .doit()
            })
            .await;
        match patched {
            Ok((_, event)) => self.meeting(spec.calendar_id, &id, event).await,
            Err(Failure::Gone) => self.create(spec).await,
            Err(failure) => Err(failure.into_error("patch")),
        }
    }

    /// Deletes the request's event; one already gone counts as deleted.
    pub async fn cancel(&self, calendar_id: &str, request_id: i64) -> Result<(), CalendarError> {
        let id = self.event_id(request_id);
        let deleted = self
            .call(|| {
                self.hub
                    .events()
                    .delete(calendar_id, &id)
                    .send_updates("none")
                    .add_scope(Scope::Full)
                    .doit()
            })
            .await;
        match deleted {
            Ok(_) | Err(Failure::Gone) => Ok(()),
            Err(failure) => Err(failure.into_error("delete")),
        }
    }

    /// The busy times of a calendar between `from` and `to`.
    pub async fn busy(
        &self,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Slot>, CalendarError> {
        let request = FreeBusyRequest {
            time_min: Some(from),
            time_max: Some(to),
            time_zone: Some(TIME_ZONE.into()),
            items: Some(vec![FreeBusyRequestItem {
                id: Some(calendar_id.to_string()),
            }]),
            ..Default::default()
        };
        let (_, answer) = self
            .call(|| {
                self.hub
                    .freebusy()
                    .query(request.clone())
                    .add_scope(Scope::Full)
                    .doit()
            })
            .await
            .map_err(|failure| failure.into_error("freeBusy"))?;
        let calendar = answer
            .calendars
            .and_then(|mut calendars| calendars.remove(calendar_id))
            .ok_or_else(|| {
                CalendarError::Permanent(format!(
                    "freeBusy: sem resposta para a agenda {calendar_id}"
                ))
            })?;
        if let Some(error) = calendar.errors.as_ref().and_then(|errors| errors.first()) {
            return Err(CalendarError::Permanent(format!(
                "freeBusy: agenda {calendar_id}: {}",
                error.reason.as_deref().unwrap_or("erro")
            )));
        }
        Ok(calendar
            .busy
            .unwrap_or_default()
            .into_iter()
            .filter_map(|period| {
                Some(Slot {
                    start: period.start?,
                    end: period.end?,
                })
            })
            .collect())
    }

    /// The fields of the event that change with the request: times, title, text, guest.
    fn event(&self, spec: &MeetingSpec<'_>) -> Event {
        let at = |time: DateTime<Utc>| EventDateTime {
            date_time: Some(time),
            time_zone: Some(TIME_ZONE.into()),
            ..Default::default()
        };
        Event {
            summary: Some(spec.summary.clone()),
            description: Some(spec.description.clone()),
            start: Some(at(spec.start)),
            end: Some(at(spec.end)),
            // A list replaces the guests of a patched event (an interpreter let go leaves it);
            // with nobody to invite the field is left out, as it always was.
            attendees: (!spec.attendees.is_empty()).then(|| {
                spec.attendees
                    .iter()
                    .map(|email| EventAttendee {
                        email: Some(email.clone()),
                        ..Default::default()
                    })
                    .collect()
            }),
            // Google keeps a deleted event as "cancelled" under its id: an insert retried
            // after a delete, or a patch, brings it back rather than e-mail a dead link.
            status: Some("confirmed".into()),
            ..Default::default()
        }
    }

    /// The event an earlier attempt made, moved to this attempt's times if they differ.
    async fn adopt(&self, spec: &MeetingSpec<'_>, id: &str) -> Result<Event, CalendarError> {
        let existing = self.get(spec.calendar_id, id).await?;
        let same_times = existing.start.as_ref().and_then(|s| s.date_time) == Some(spec.start)
            && existing.end.as_ref().and_then(|e| e.date_time) == Some(spec.end);
        let cancelled = existing.status.as_deref() == Some("cancelled");
        if same_times && !cancelled {
            return Ok(existing);
        }
        let patch = self.event(spec);
        self.call(|| {
            self.hub
                .events()
                .patch(patch.clone(), spec.calendar_id, id)
                .conference_data_version(1)
                .send_updates("none")
                .add_scope(Scope::Full)
                .doit()
        })
        .await
        .map(|(_, event)| event)
        .map_err(|failure| failure.into_error("patch"))
    }

    async fn get(&self, calendar_id: &str, id: &str) -> Result<Event, CalendarError> {
        self.call(|| {
            self.hub
                .events()
                .get(calendar_id, id)
                .add_scope(Scope::Full)
                .doit()
        })
        .await
        .map(|(_, event)| event)
        .map_err(|failure| match failure {
            Failure::Gone => CalendarError::Permanent(format!("o evento {id} não existe mais")),
            failure => failure.into_error("get"),
        })
    }

    /// The event's Meet link, reading the event again while Google is still making the
    /// conference (bounded; a later retry of the job finds it).
    async fn meeting(
        &self,
        calendar_id: &str,
        id: &str,
        mut event: Event,
    ) -> Result<Meeting, CalendarError> {
        for check in 0..=self.conference_checks {
            match conference_state(&event) {
                ConferenceState::Ready(link) => {
                    return Ok(Meeting {
                        event_id: id.to_string(),
                        meet_link: link,
                    });
                }
                ConferenceState::Failed => {
                    return Err(CalendarError::Permanent(
                        "o Google não conseguiu criar a reunião do Meet".into(),
                    ));
                }
                ConferenceState::Pending if check < self.conference_checks => {
                    tokio::time::sleep(self.conference_wait).await;
                    event = self.get(calendar_id, id).await?;
                }
                ConferenceState::Pending => {}
            }
        }
        Err(CalendarError::Transient(
            "a reunião do Meet ainda está sendo criada".into(),
        ))
    }

    /// Runs an API call with a timeout; after a 401 it fetches a new token and tries once more.
    async fn call<T, F, Fut>(&self, call: F) -> Result<T, Failure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = google_calendar3::Result<T>>,
    {
        match attempt(&call).await {
            Err(Failure::Unauthorized) => {
                self.tokens.refresh_next();
                attempt(&call).await
            }
            result => result,
        }
    }
}

async fn attempt<T, F, Fut>(call: &F) -> Result<T, Failure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = google_calendar3::Result<T>>,
{
    match tokio::time::timeout(CALL_TIMEOUT, call()).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(classify(error)),
        Err(_) => Err(Failure::Other(CalendarError::Transient(
            "o Google não respondeu a tempo".into(),
        ))),
    }
}

enum ConferenceState {
    Ready(String),
    Pending,
    Failed,
}

fn conference_state(event: &Event) -> ConferenceState {
    let conference = event.conference_data.as_ref();
    let video = conference
        .and_then(|c| c.entry_points.as_ref())
        .and_then(|points| {
            points
                .iter()
                .find(|point| point.entry_point_type.as_deref() == Some("video"))
        })
        .and_then(|point| point.uri.clone());
    if let Some(link) = event.hangout_link.clone().or(video) {
        return ConferenceState::Ready(link);
    }
    let status = conference
        .and_then(|c| c.create_request.as_ref())
        .and_then(|request| request.status.as_ref())
        .and_then(|status| status.status_code.as_deref());
    match status {
        Some("failure") => ConferenceState::Failed,
        // Without conference data at all, Google ignored the request: nothing will come.
        None if conference.is_none() => ConferenceState::Failed,
        _ => ConferenceState::Pending,
    }
}

/// Sorts Google's answers the way its documentation asks clients to: retry rate limits and
/// server errors with backoff, never retry what is refused.
fn classify(error: ApiError) -> Failure {
    match error {
        ApiError::BadRequest(body) => {
            let code = body["error"]["code"].as_u64().unwrap_or(0) as u16;
            let reason = body["error"]["errors"][0]["reason"]
                .as_str()
                .or_else(|| body["error"]["status"].as_str())
                .unwrap_or_default()
                .to_string();
            let message = body["error"]["message"].as_str().unwrap_or_default();
            by_status(code, &reason, &format!("{code} {reason}: {message}"))
        }
        ApiError::Failure(response) => {
            let code = response.status().as_u16();
            by_status(code, "", &format!("HTTP {code}"))
        }
        ApiError::HttpError(error) => {
            Failure::Other(CalendarError::Transient(format!("falha de rede: {error}")))
        }
        ApiError::MissingToken(error) => Failure::Other(CalendarError::Transient(format!(
            "falha ao obter o acesso da conta de serviço: {error}"
        ))),
        ApiError::Io(error) => {
            Failure::Other(CalendarError::Transient(format!("falha de rede: {error}")))
        }
        ApiError::JsonDecodeError(text, error) => {
            Failure::Other(CalendarError::Transient(format!(
                "resposta inesperada ({error}): {}",
                text.chars().take(200).collect::<String>()
            )))
        }
        other => Failure::Other(CalendarError::Permanent(other.to_string())),
    }
}

fn by_status(code: u16, reason: &str, description: &str) -> Failure {
    match (code, reason) {
        (401, _) => Failure::Unauthorized,
        (409, _) => Failure::Conflict,
        (404 | 410, _) => Failure::Gone,
        (403, "rateLimitExceeded" | "userRateLimitExceeded" | "quotaExceeded") | (429, _) => {
            Failure::Other(CalendarError::Transient(description.to_string()))
        }
        (500..=599, _) => Failure::Other(CalendarError::Transient(description.to_string())),
        _ => Failure::Other(CalendarError::Permanent(description.to_string())),
    }
}

impl Failure {
    fn into_error(self, call: &str) -> CalendarError {
        match self {
            Failure::Other(error) => error,
            Failure::Unauthorized => {
                CalendarError::Transient(format!("{call}: 401 mesmo com um token novo"))
            }
            Failure::Conflict => CalendarError::Permanent(format!("{call}: 409, conflito")),
            Failure::Gone => CalendarError::Permanent(format!(
                "{call}: 404, não encontrado (o id da agenda está certo?)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn google_error(code: u16, reason: &str) -> ApiError {
        ApiError::BadRequest(
            json!({"error": {"code": code, "message": "m", "errors": [{"reason": reason}]}}),
        )
    }

    #[test]
    fn answers_are_sorted_as_google_documents_them() {
        let transient = |f: Failure| matches!(f, Failure::Other(CalendarError::Transient(_)));
        let permanent = |f: Failure| matches!(f, Failure::Other(CalendarError::Permanent(_)));
        type Case = (&'static str, ApiError, fn(Failure) -> bool);
        let cases: Vec<Case> = vec![
            (
                "rate limit",
                google_error(403, "rateLimitExceeded"),
                transient,
            ),
            (
                "user rate limit",
                google_error(403, "userRateLimitExceeded"),
                transient,
            ),
            (
                "too many requests",
                google_error(429, "rateLimitExceeded"),
                transient,
            ),
            ("server error", google_error(500, "backendError"), transient),
            ("unavailable", google_error(503, "backendError"), transient),
            ("forbidden", google_error(403, "forbidden"), permanent),
            ("bad request", google_error(400, "invalid"), permanent),
            ("unauthorized", google_error(401, "authError"), |f| {
                matches!(f, Failure::Unauthorized)
            }),
            ("duplicate", google_error(409, "duplicate"), |f| {
                matches!(f, Failure::Conflict)
            }),
            ("not found", google_error(404, "notFound"), |f| {
                matches!(f, Failure::Gone)
            }),
            ("deleted", google_error(410, "deleted"), |f| {
                matches!(f, Failure::Gone)
            }),
        ];
        for (description, error, expected) in cases {
            assert!(expected(classify(error)), "{description}");
        }
    }

    #[test]
    fn the_link_comes_from_hangout_link_or_the_video_entry_point() {
        let mut event = Event {
            hangout_link: Some("https://meet.google.com/aaa-bbbb-ccc".into()),
            ..Default::default()
        };
        assert!(
            matches!(conference_state(&event), ConferenceState::Ready(link) if link.ends_with("ccc"))
        );
        event.hangout_link = None;
        event.conference_data = Some(serde_json::from_value(json!({
            "entryPoints": [{"entryPointType": "phone", "uri": "tel:+55"}, {"entryPointType": "video", "uri": "https://meet.google.com/ddd-eeee-fff"}]
        })).unwrap());
        assert!(
            matches!(conference_state(&event), ConferenceState::Ready(link) if link.ends_with("fff"))
        );
        event.conference_data = Some(
            serde_json::from_value(json!({"createRequest": {"status": {"statusCode": "pending"}}}))
                .unwrap(),
        );
        assert!(matches!(conference_state(&event), ConferenceState::Pending));
        event.conference_data = Some(
            serde_json::from_value(json!({"createRequest": {"status": {"statusCode": "failure"}}}))
                .unwrap(),
        );
        assert!(matches!(conference_state(&event), ConferenceState::Failed));
        event.conference_data = None;
        assert!(
            matches!(conference_state(&event), ConferenceState::Failed),
            "conference request ignored"
        );
    }
}
