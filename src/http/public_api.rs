//! The public side of the API: zones, filing a request, following and cancelling it.

use crate::http::extract::PathParam;
use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, QueryParams},
    views::{OfferView, SlotView, StatusChangeView, ZoneView},
};
use crate::{
    app::{App, Tracked},
    client_ip::ClientIp,
    domain::{field_errors::FieldErrors, submission::SubmissionInput},
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_zones))
        .routes(routes!(submit_request))
        .routes(routes!(track_request))
        .routes(routes!(cancel_request))
        .routes(routes!(pick_slot))
        .routes(routes!(requester_slots))
        .routes(routes!(reschedule_request))
}

/// The zones that take requests.
#[utoipa::path(get, path = "/api/v1/zones", tag = "public",
    responses((status = 200, body = [ZoneView])))]
async fn list_zones(State(app): State<App>) -> Result<Json<Vec<ZoneView>>, ApiError> {
    let reference = app.reference.get().await.map_err(ApiError::from)?;
    Ok(Json(reference.zones.iter().map(ZoneView::from).collect()))
}

/// A request as filed by the public. Every field is checked and every problem reported at
/// once; `website` must stay empty (it is a trap for bots, hidden in the form).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmissionBody {
    #[schema(value_type = i64, example = 1)]
    #[serde(default)]
    pub zone: Field<i64>,
    #[schema(value_type = String, example = "Maria José de Souza")]
    #[serde(default)]
    pub name: Field<String>,
    #[schema(value_type = String, example = "123.456.789-09")]
    #[serde(default)]
    pub cpf: Field<String>,
    #[schema(value_type = String, example = "maria@example.com")]
    #[serde(default)]
    pub email: Field<String>,
    #[schema(value_type = String, example = "(91) 98765-4321")]
    #[serde(default)]
    pub phone: Field<String>,
    /// `parte`, `advogado` or `interessado`.
    #[schema(value_type = String, example = "parte")]
    #[serde(default)]
    pub role: Field<String>,
    /// Required when `role` is `advogado`, e.g. `PA 12345`.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub oab: Field<String>,
    /// CNJ number, e.g. `0600123-10.2024.6.14.0001`.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub process_number: Field<String>,
    #[schema(value_type = String)]
    #[serde(default)]
    pub subject: Field<String>,
    #[schema(value_type = String)]
    #[serde(default)]
    pub description: Field<String>,
    /// Business days within the next 60 days, `YYYY-MM-DD`.
    #[schema(value_type = Option<Vec<String>>)]
    #[serde(default)]
    pub preferred_dates: Field<Vec<String>>,
    /// A self-declared category of preferential attendance, or `null` for none: `idoso80`,
    /// `idoso`, `deficiencia`, `autismo`, `gestante`, `lactante`, `crianca_colo`,
    /// `mobilidade_reduzida`, `obesidade`, `doador_sangue`. No proof is asked online.
    #[schema(value_type = Option<String>, example = "idoso80")]
    #[serde(default)]
    pub preferential: Field<String>,
    /// Accessibility needs: `libras` (a sign-language interpreter), `legendas` (captions),
    /// `leitor_tela` (a screen reader), `outro` (described in `accessibility_note`).
    #[schema(value_type = Option<Vec<String>>, example = json!(["libras"]))]
    #[serde(default)]
    pub accessibility: Field<Vec<String>>,
    /// Up to 300 characters; required with `outro`.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub accessibility_note: Field<String>,
    /// How the requester prefers to be attended: `video` (the default) or `message` (by
    /// written messages on the tracking page, for a connection that cannot hold a call).
    #[schema(value_type = Option<String>, example = "video")]
    #[serde(default)]
    pub mode: Field<String>,
    #[schema(value_type = bool)]
    #[serde(default)]
    pub consent: Field<bool>,
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub website: Field<String>,
}

impl SubmissionBody {
    fn into_input(self, errors: &mut FieldErrors) -> (SubmissionInput, bool) {
        let honeypot = matches!(&self.website, Field::Value(text) if !text.trim().is_empty())
            || matches!(self.website, Field::Invalid);
        let input = SubmissionInput {
            zone: self.zone.take("zone", "um número", errors),
            name: self.name.take("name", "um texto", errors),
            cpf: self.cpf.take("cpf", "um texto", errors),
            email: self.email.take("email", "um texto", errors),
            phone: self.phone.take("phone", "um texto", errors),
            role: self.role.take("role", "um texto", errors),
            oab: self.oab.take("oab", "um texto", errors),
            process_number: self
                .process_number
                .take("process_number", "um texto", errors),
            subject: self.subject.take("subject", "um texto", errors),
            description: self.description.take("description", "um texto", errors),
            preferred_dates: self
                .preferred_dates
                .take("preferred_dates", "uma lista de datas", errors)
                .unwrap_or_default(),
            preferential: self.preferential.take("preferential", "um texto", errors),
            accessibility: self
                .accessibility
                .take("accessibility", "uma lista de textos", errors)
                .unwrap_or_default(),
            accessibility_note: self.accessibility_note.take(
                "accessibility_note",
                "um texto",
                errors,
            ),
            mode: self.mode.take("mode", "um texto", errors),
            consent: self.consent.take("consent", "verdadeiro ou falso", errors),
        };
        (input, honeypot)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    pub protocol: String,
    /// The secret that lets the requester follow the request: shown once, never stored.
    pub tracking_token: String,
    pub status: &'static str,
    pub tracking_url: String,
}

/// Files a request.
#[utoipa::path(post, path = "/api/v1/requests", tag = "public", request_body = SubmissionBody,
    responses(
        (status = 201, body = ReceiptView),
        (status = 400, body = ErrorBody, description = "the body is not a JSON object"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "fields with problems, in Portuguese"),
        (status = 429, body = ErrorBody, description = "too many submissions from this address"),
    ))]
async fn submit_request(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody<SubmissionBody>,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    let mut type_errors = FieldErrors::new();
    let (input, honeypot) = body.into_input(&mut type_errors);
    let receipt = app.submit(input, type_errors, honeypot, client).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptView {
            protocol: receipt.protocol,
            tracking_token: receipt.tracking_token.expose().to_string(),
            status: "submitted",
            tracking_url: receipt.tracking_url,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TokenQuery {
    /// The tracking token from the receipt or the e-mail.
    pub token: Option<String>,
}

/// What a requester sees of their request: no CPF, no contact data.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingView {
    pub protocol: String,
    pub status: &'static str,
    /// The status in Portuguese.
    pub status_label: &'static str,
    pub zone: i32,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    /// `video` or `message` (attended by written messages, `GET|POST …/messages`).
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_start: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_end: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meet_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// Whether the requester may still cancel.
    pub cancellable: bool,
    /// While `offered`: the times to pick one from (`POST …/pick`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<OfferView>,
    /// Whether the requester may move the meeting now (`/slots`, `/reschedule`).
    pub reschedulable: bool,
    /// How many more times the requester may move the meeting.
    pub reschedules_left: u32,
    pub history: Vec<StatusChangeView>,
}

impl From<Tracked> for TrackingView {
    fn from(tracked: Tracked) -> Self {
        let reschedulable = tracked.reschedulable();
        let request = tracked.request;
        let scheduled = request.status == crate::domain::status::Status::Scheduled;
        TrackingView {
            protocol: request.protocol,
            status: request.status.as_str(),
            status_label: request.status.label(),
            zone: request.zone,
            subject: request.subject,
            created_at: request.created_at,
            mode: request.mode.as_str(),
            scheduled_start: request.scheduled_start.filter(|_| scheduled),
            scheduled_end: request.scheduled_end.filter(|_| scheduled),
            meet_link: request.meet_link.filter(|_| scheduled),
            rejection_reason: request.rejection_reason,
            cancellable: tracked.cancellable,
            offer: request
                .offer
                .filter(|_| request.status == crate::domain::status::Status::Offered)
                .map(OfferView::from),
            reschedulable,
            reschedules_left: tracked.reschedules_left,
            history: request
                .history
                .iter()
                .map(|event| StatusChangeView {
                    status: event.to.as_str(),
                    at: event.at,
                })
                .collect(),
        }
    }
}

/// Follows a request. A wrong or missing token answers as an unknown protocol does.
#[utoipa::path(get, path = "/api/v1/requests/{protocol}", tag = "public",
    params(("protocol" = String, Path, example = "2026-000123"), TokenQuery),
    responses((status = 200, body = TrackingView), (status = 404, body = ErrorBody)))]
async fn track_request(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
) -> Result<Json<TrackingView>, ApiError> {
    let token = query.token.unwrap_or_default();
    Ok(Json(app.track(&protocol, &token).await?.into()))
}

/// Cancels a request, up to the configured notice before its meeting.
#[utoipa::path(post, path = "/api/v1/requests/{protocol}/cancel", tag = "public",
    params(("protocol" = String, Path), TokenQuery),
    responses(
        (status = 200, body = TrackingView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already final, or too close to the meeting"),
    ))]
async fn cancel_request(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
) -> Result<Json<TrackingView>, ApiError> {
    let token = query.token.unwrap_or_default();
    Ok(Json(
        app.cancel_by_requester(&protocol, &token).await?.into(),
    ))
}

/// The requester's choice among the offered times.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PickBody {
    /// One of the offer's starts, RFC 3339.
    #[schema(value_type = String, example = "2026-12-03T09:10:00-03:00")]
    #[serde(default)]
    pub start: Field<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RequesterSlotsQuery {
    /// The tracking token from the receipt or the e-mail.
    token: Option<String>,
    /// First day, `YYYY-MM-DD`; today by default.
    from: Option<NaiveDate>,
    /// How many days, 1–31; 7 by default.
    days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterSlotsView {
    pub slots: Vec<SlotView>,
    /// The meeting needs a Libras interpreter and none is free at any time the clerk has free
    /// in the days listed (or the court has none): the list is empty for that reason.
    pub interpreter_unavailable: bool,
}

/// Days listed when the client does not say, as for staff.
const DEFAULT_SLOT_DAYS: u32 = 7;

/// The free slots the requester may move their meeting to: the zone's, as the staff listing
/// shows them for the clerk who holds the meeting, none past `schedule.max_days_ahead`.
#[utoipa::path(get, path = "/api/v1/requests/{protocol}/slots", tag = "public",
    params(("protocol" = String, Path, example = "2026-000123"), RequesterSlotsQuery),
    responses(
        (status = 200, body = RequesterSlotsView),
        (status = 400, body = ErrorBody, description = "a malformed `from` or `days`"),
        (status = 404, body = ErrorBody, description = "unknown protocol, or a wrong or missing token"),
        (status = 409, body = ErrorBody, description = "the requester may not move the meeting now: `not_scheduled`, `meeting_started`, `reschedule_limit_reached` or `too_late_to_reschedule`"),
        (status = 503, body = ErrorBody, description = "the zone's Google calendar could not be read"),
    ))]
async fn requester_slots(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<RequesterSlotsQuery>,
) -> Result<Json<RequesterSlotsView>, ApiError> {
    let token = query.token.unwrap_or_default();
    let from = query.from.unwrap_or_else(|| app.today());
    let days = query.days.unwrap_or(DEFAULT_SLOT_DAYS);
    let listed = app.requester_slots(&protocol, &token, from, days).await?;
    Ok(Json(RequesterSlotsView {
        slots: listed.slots.into_iter().map(SlotView::from).collect(),
        interpreter_unavailable: listed.shortage.is_some(),
    }))
}

/// The new time the requester picked: one of the free slots.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RescheduleBody {
    /// RFC 3339, the `start` of a slot from `/slots`.
    #[schema(value_type = String, example = "2026-12-03T09:10:00-03:00")]
    #[serde(default)]
    pub start: Field<String>,
}

/// Picks one of the offered times: the request is scheduled at it exactly as a clerk's
/// schedule would. The first pick wins; the others are refused.
#[utoipa::path(post, path = "/api/v1/requests/{protocol}/pick", tag = "public",
    params(("protocol" = String, Path), TokenQuery), request_body = PickBody,
    responses(
        (status = 200, body = TrackingView, description = "scheduled at the picked time"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not offered any more: `already_scheduled` (a time was picked), `offer_expired`, or `not_offered`"),
        (status = 422, body = ValidationBody, description = "a start that is not one of the offered times, or one taken meanwhile"),
        (status = 503, body = ErrorBody, description = "the zone's calendar could not be checked"),
    ))]
async fn pick_slot(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
    JsonBody(body): JsonBody<PickBody>,
) -> Result<Json<TrackingView>, ApiError> {
    let token = query.token.unwrap_or_default();
    let mut errors = FieldErrors::new();
    let start = body.start.take("start", "um texto", &mut errors);
    if !errors.is_empty() {
        return Err(crate::app::AppError::Invalid(errors).into());
    }
    Ok(Json(
        app.pick_by_requester(&protocol, &token, start.as_deref())
            .await?
            .into(),
    ))
}

/// Moves the meeting to another free slot, as its requester: at most
/// `schedule.requester_reschedules_max` times, while the meeting starts at least
/// `schedule.requester_reschedule_notice_hours` from now. The same event and link are kept;
/// the requester and the zone are told by e-mail.
#[utoipa::path(post, path = "/api/v1/requests/{protocol}/reschedule", tag = "public",
    params(("protocol" = String, Path), TokenQuery), request_body = RescheduleBody,
    responses(
        (status = 200, body = TrackingView, description = "scheduled at the new start"),
        (status = 400, body = ErrorBody, description = "the body is not a JSON object"),
        (status = 404, body = ErrorBody, description = "unknown protocol, or a wrong or missing token"),
        (status = 409, body = ErrorBody, description = "not moved, nothing written: `not_scheduled`, `meeting_started`, `reschedule_limit_reached` or `too_late_to_reschedule`"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "`start` is missing or no free slot; nothing written"),
        (status = 503, body = ErrorBody, description = "the zone's Google calendar could not be read"),
    ))]
async fn reschedule_request(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
    JsonBody(body): JsonBody<RescheduleBody>,
) -> Result<Json<TrackingView>, ApiError> {
    let token = query.token.unwrap_or_default();
    let mut type_errors = FieldErrors::new();
    let start = body.start.take("start", "um texto", &mut type_errors);
    Ok(Json(
        app.reschedule_by_requester(&protocol, &token, start, type_errors)
            .await?
            .into(),
    ))
}
