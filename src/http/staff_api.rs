//! The staff side of the API: the inbox of one's zones, a request's detail, transitions and
//! free slots. Another zone's request is not found, whatever the endpoint.

use crate::http::extract::PathParam;
use axum::{Json, extract::State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth_api::Staff,
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, QueryParams},
    views::{InboxItemView, InboxView, RequestDetailView, SlotView},
};
use crate::{
    app::App,
    domain::{
        command::CommandInput, field_errors::FieldErrors, preferential::Preferential,
        status::Status,
    },
    store::{InboxFilter, PreferenceFilter},
};

const DEFAULT_PER_PAGE: u64 = 50;
const MAX_PER_PAGE: u64 = 200;
const DEFAULT_SLOT_DAYS: u32 = 7;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_requests))
        .routes(routes!(get_request))
        .routes(routes!(transition_request))
        .routes(routes!(zone_slots))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InboxQuery {
    /// One state or several separated by commas, e.g. `submitted,triaged`.
    status: Option<String>,
    /// A zone number among the caller's.
    zone: Option<i32>,
    /// Protocol, name, CPF or process number, in part.
    q: Option<String>,
    /// A category of preferential attendance (e.g. `idoso80`), or `any` for every request
    /// that declared one.
    preferential: Option<String>,
    /// `true`: only requests whose requester waits for the court's reply to a message.
    awaiting_reply: Option<bool>,
    /// From 1.
    page: Option<u64>,
    /// Up to 200; 50 by default.
    per_page: Option<u64>,
}

/// The requests of the caller's zones in the order they are served: aged 80+ first, then
/// every other preferential category, then the rest, oldest first within each.
#[utoipa::path(get, path = "/api/v1/staff/requests", tag = "staff", security(("bearer" = [])),
    params(InboxQuery),
    responses(
        (status = 200, body = InboxView),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "a zone outside the caller's"),
        (status = 422, body = ValidationBody),
    ))]
async fn list_requests(
    State(app): State<App>,
    Staff(user): Staff,
    QueryParams(query): QueryParams<InboxQuery>,
) -> Result<Json<InboxView>, ApiError> {
    let mut statuses = Vec::new();
    for name in query
        .status
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        statuses.push(Status::parse(name).ok_or_else(|| {
            ApiError::field(
                "status",
                format!("Situação desconhecida: {name}. Use submitted, triaged, scheduled, done, rejected ou cancelled."),
            )
        })?);
    }
    let preferential = match query.preferential.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("any") => Some(PreferenceFilter::Any),
        Some(code) => Some(PreferenceFilter::Only(
            Preferential::from_code(code).ok_or_else(|| {
                ApiError::field(
                    "preferential",
                    format!("Categoria desconhecida: {code}. Use any ou um código de atendimento preferencial, como idoso80."),
                )
            })?,
        )),
    };
    let page = crate::store::inbox_page(query.page);
    let per_page = query
        .per_page
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let filter = InboxFilter {
        statuses,
        zone: query.zone,
        search: query.q,
        preferential,
        awaiting_reply: query.awaiting_reply.unwrap_or(false),
        page,
        per_page,
    };
    let inbox = app.inbox(&user, &filter).await?;
    Ok(Json(InboxView {
        items: inbox.items.into_iter().map(InboxItemView::from).collect(),
        total: inbox.total,
        page,
        per_page,
    }))
}

/// One request with its history.
#[utoipa::path(get, path = "/api/v1/staff/requests/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = RequestDetailView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_request(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(id): PathParam<i64>,
) -> Result<Json<RequestDetailView>, ApiError> {
    Ok(Json(app.staff_request(&user, id).await?.into()))
}

/// A transition: the action, the `version` the caller saw, and what the action needs.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// `triage`, `reject`, `transfer`, `schedule`, `reschedule`, `complete` or `cancel`.
    #[schema(value_type = String, example = "triage")]
    #[serde(default)]
    action: Field<String>,
    /// The request's `version` as last read.
    #[schema(value_type = i32, example = 1)]
    #[serde(default)]
    version: Field<i32>,
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    note: Field<String>,
    /// Required to reject; optional to cancel.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    reason: Field<String>,
    /// The zone number to transfer to.
    #[schema(value_type = Option<i64>)]
    #[serde(default)]
    zone: Field<i64>,
    /// RFC 3339, e.g. `2026-12-03T09:10:00-03:00`: required to schedule and reschedule.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    start: Field<String>,
    /// To offer: 2 to 5 free starts (RFC 3339) for the requester to pick one.
    #[schema(value_type = Option<Vec<String>>)]
    #[serde(default)]
    slots: Field<Vec<String>>,
    /// With the manual provider: the Meet link (else the zone's fixed room).
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    meet_link: Field<String>,
    /// `attended` or `no_show`: required to complete.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    outcome: Field<String>,
}

/// Moves a request along its life.
#[utoipa::path(post, path = "/api/v1/staff/requests/{id}/transitions", tag = "staff", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TransitionBody,
    responses(
        (status = 200, body = RequestDetailView),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`transition_not_allowed` from this state, or `stale_version` (with `current_version`)"),
        (status = 422, body = ValidationBody, description = "a missing or bad field, or a slot that is not free"),
    ))]
async fn transition_request(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(id): PathParam<i64>,
    JsonBody(body): JsonBody<TransitionBody>,
) -> Result<Json<RequestDetailView>, ApiError> {
    let mut errors = FieldErrors::new();
    let version = body
        .version
        .take("version", "um número inteiro", &mut errors);
    let input = CommandInput {
        action: body.action.take("action", "um texto", &mut errors),
        note: body.note.take("note", "um texto", &mut errors),
        reason: body.reason.take("reason", "um texto", &mut errors),
        zone: body.zone.take("zone", "um número", &mut errors),
        start: body.start.take("start", "um texto", &mut errors),
        slots: body
            .slots
            .take("slots", "uma lista de horários", &mut errors)
            .unwrap_or_default(),
        meet_link: body.meet_link.take("meet_link", "um texto", &mut errors),
        outcome: body.outcome.take("outcome", "um texto", &mut errors),
    };
    let record = app
        .staff_transition(&user, id, version, &input, errors)
        .await?;
    Ok(Json(record.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SlotsQuery {
    /// First day, `YYYY-MM-DD`; today by default.
    from: Option<NaiveDate>,
    /// How many days, 1–31; 7 by default.
    days: Option<u32>,
    /// Only this clerk's free slots (e.g. the request's assignee).
    staff: Option<i32>,
    /// The request (id) the times are for: when it needs a Libras interpreter, only times
    /// when one is free as well are listed.
    request: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsView {
    pub zone: i32,
    pub slots: Vec<SlotView>,
    /// The times are for a request that needs a Libras interpreter: each has one free.
    pub interpreter_needed: bool,
    /// The listing needs an interpreter and the court has none, or none is free at any time
    /// the clerks have free in the days listed: the list is empty for that reason.
    pub interpreter_unavailable: bool,
    /// Why, in Portuguese, when `interpreter_unavailable`.
    pub interpreter_message: Option<String>,
}

/// Free meeting slots of a zone.
#[utoipa::path(get, path = "/api/v1/staff/zones/{number}/slots", tag = "staff", security(("bearer" = [])),
    params(("number" = i32, Path), SlotsQuery),
    responses((status = 200, body = SlotsView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "an unknown zone, or a `request` outside the caller's zones"),
        (status = 422, body = ErrorBody, description = "`staff` does not serve the zone, or `request` is another zone's")))]
async fn zone_slots(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(number): PathParam<i32>,
    QueryParams(query): QueryParams<SlotsQuery>,
) -> Result<Json<SlotsView>, ApiError> {
    let from = query.from.unwrap_or_else(|| app.today());
    let days = query.days.unwrap_or(DEFAULT_SLOT_DAYS);
    let interpreter_needed = match query.request {
        Some(id) => app.slots_need_interpreter(&user, number, id).await?,
        None => false,
    };
    let listed = app
        .zone_slots(&user, number, from, days, query.staff, interpreter_needed)
        .await?;
    Ok(Json(SlotsView {
        zone: number,
        slots: listed.slots.into_iter().map(SlotView::from).collect(),
        interpreter_needed,
        interpreter_unavailable: listed.shortage.is_some(),
        interpreter_message: listed.shortage.map(|shortage| shortage.to_string()),
    }))
}
