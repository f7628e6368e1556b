//! The same-day queue: a zone's counter, joining it and following one's place (public, with
//! the ticket's token), and calling and ending calls (staff of the zone).

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth_api::Staff,
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, PathParam, QueryParams},
    public_api::ReceiptView,
};
use crate::{
    app::{App, AppError, CounterView, QueuePlace},
    client_ip::ClientIp,
    domain::{field_errors::FieldErrors, queue::JoinInput},
    store::TicketRecord,
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(zone_counter, join_queue))
        .routes(routes!(queue_ticket))
        .routes(routes!(leave_queue))
        .routes(routes!(ticket_to_request))
        .routes(routes!(staff_zone_queue))
        .routes(routes!(call_next))
        .routes(routes!(finish_call))
}

/// Whether a zone's counter is open now and how many wait. `opens_at` and `closes_at` are
/// today's session while open, the next one while closed (absent when none is set).
#[derive(Debug, Serialize, ToSchema)]
pub struct CounterStateView {
    pub zone: i32,
    pub open: bool,
    pub waiting: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<DateTime<Utc>>,
}

impl From<CounterView> for CounterStateView {
    fn from(counter: CounterView) -> Self {
        CounterStateView {
            zone: counter.zone,
            open: counter.state.open,
            waiting: counter.waiting,
            opens_at: counter.state.session.map(|s| s.opens),
            closes_at: counter.state.session.map(|s| s.closes),
        }
    }
}

/// A zone's counter.
#[utoipa::path(get, path = "/api/v1/zones/{number}/queue", tag = "public",
    params(("number" = i32, Path, example = 1)),
    responses(
        (status = 200, body = CounterStateView),
        (status = 404, body = ErrorBody, description = "no active zone with this number"),
    ))]
async fn zone_counter(
    State(app): State<App>,
    PathParam(number): PathParam<i32>,
) -> Result<Json<CounterStateView>, ApiError> {
    Ok(Json(app.counter(number).await?.into()))
}

/// A person joining a zone's queue. `phone` is optional; it is kept in case the ticket
/// becomes a request.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct JoinBody {
    #[schema(value_type = String, example = "Maria José de Souza")]
    #[serde(default)]
    pub name: Field<String>,
    #[schema(value_type = String, example = "123.456.789-09")]
    #[serde(default)]
    pub cpf: Field<String>,
    #[schema(value_type = String, example = "maria@example.com")]
    #[serde(default)]
    pub email: Field<String>,
    #[schema(value_type = Option<String>, example = "(91) 98765-4321")]
    #[serde(default)]
    pub phone: Field<String>,
    #[schema(value_type = String, example = "Segunda via do título")]
    #[serde(default)]
    pub subject: Field<String>,
    /// A category of preferential attendance (`idoso80`, `idoso`, …) or `null`.
    #[schema(value_type = Option<String>, example = "idoso80")]
    #[serde(default)]
    pub preferential: Field<String>,
    #[schema(value_type = bool)]
    #[serde(default)]
    pub consent: Field<bool>,
}

/// A ticket just taken: its id and the token that follows it (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinedView {
    pub id: i64,
    pub token: String,
    pub position: u32,
    pub status: &'static str,
    /// The person's page, `/fila/{id}?token=…`.
    pub url: String,
}

/// Joins a zone's queue, while its counter is open. The same person (CPF or e-mail) holds
/// one place per zone at most.
#[utoipa::path(post, path = "/api/v1/zones/{number}/queue", tag = "public",
    params(("number" = i32, Path, example = 1)), request_body = JoinBody,
    responses(
        (status = 201, body = JoinedView),
        (status = 404, body = ErrorBody, description = "no active zone with this number"),
        (status = 409, body = ErrorBody, description = "`counter_closed` (the error says when it opens) or `already_in_queue`"),
        (status = 422, body = ValidationBody),
        (status = 429, body = ErrorBody),
    ))]
async fn join_queue(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    PathParam(number): PathParam<i32>,
    JsonBody(body): JsonBody<JoinBody>,
) -> Result<(StatusCode, Json<JoinedView>), ApiError> {
    let mut errors = FieldErrors::new();
    let input = JoinInput {
        name: body.name.take("name", "um texto", &mut errors),
        cpf: body.cpf.take("cpf", "um texto", &mut errors),
        email: body.email.take("email", "um texto", &mut errors),
        phone: body.phone.take("phone", "um texto", &mut errors),
        subject: body.subject.take("subject", "um texto", &mut errors),
        preferential: body
            .preferential
            .take("preferential", "um texto", &mut errors),
        consent: body
            .consent
            .take("consent", "verdadeiro ou falso", &mut errors),
    };
    let joined = app.join_queue(number, input, errors, client).await?;
    Ok((
        StatusCode::CREATED,
        Json(JoinedView {
            id: joined.place.ticket.id,
            token: joined.token.expose().to_string(),
            position: joined.place.position.unwrap_or(1),
            status: joined.place.ticket.status.as_str(),
            url: joined.url,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TicketTokenQuery {
    /// The ticket's token, from joining or the e-mail.
    token: Option<String>,
}

/// A person's place: no CPF, no contact data.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    pub zone: i32,
    /// `waiting`, `called`, `attended`, `missed`, `left` or `closed`.
    pub status: &'static str,
    pub status_label: &'static str,
    /// While waiting: 1 for the next person called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// While waiting: about how many minutes until the call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_wait_minutes: Option<i64>,
    /// Once called: the meeting to join (absent while the calendar still makes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meet_link: Option<String>,
    /// Once called: minutes left to join before the clerk may call the next person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_minutes_left: Option<i64>,
    pub joined_at: DateTime<Utc>,
    /// When the session the ticket joined closes.
    pub closes_at: DateTime<Utc>,
    /// The protocol of the request the ticket became after the close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_protocol: Option<String>,
}

impl From<QueuePlace> for TicketView {
    fn from(place: QueuePlace) -> Self {
        let ticket = place.ticket;
        let called = ticket.status == crate::domain::queue::TicketStatus::Called;
        TicketView {
            id: ticket.id,
            zone: ticket.zone,
            status: ticket.status.as_str(),
            status_label: ticket.status.label(),
            position: place.position,
            estimated_wait_minutes: place.wait_minutes,
            meet_link: ticket.meet_link.filter(|_| called),
            join_minutes_left: place.join_minutes_left,
            joined_at: ticket.joined_at,
            closes_at: ticket.closes_at,
            request_protocol: ticket.request_protocol,
        }
    }
}

/// A person's place in the queue. A wrong or missing token answers as an unknown id does.
#[utoipa::path(get, path = "/api/v1/queue/{id}", tag = "public",
    params(("id" = i64, Path), TicketTokenQuery),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
async fn queue_ticket(
    State(app): State<App>,
    PathParam(id): PathParam<i64>,
    QueryParams(query): QueryParams<TicketTokenQuery>,
) -> Result<Json<TicketView>, ApiError> {
    let token = query.token.unwrap_or_default();
    Ok(Json(app.queue_place(id, &token).await?.into()))
}

/// Leaves the queue (waiting, or called and not coming); leaving twice is no error.
#[utoipa::path(post, path = "/api/v1/queue/{id}/leave", tag = "public",
    params(("id" = i64, Path), TicketTokenQuery),
    responses(
        (status = 200, body = TicketView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`ticket_finished`: attended, missed or closed"),
    ))]
async fn leave_queue(
    State(app): State<App>,
    PathParam(id): PathParam<i64>,
    QueryParams(query): QueryParams<TicketTokenQuery>,
) -> Result<Json<TicketView>, ApiError> {
    let token = query.token.unwrap_or_default();
    Ok(Json(app.leave_queue(id, &token).await?.into()))
}

/// What a closed ticket needs to become a request: a phone, when none was given on joining.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConvertBody {
    #[schema(value_type = Option<String>, example = "(91) 98765-4321")]
    #[serde(default)]
    pub phone: Field<String>,
}

/// Turns a ticket the counter's close left waiting into a regular request, filed with the
/// data given on joining (marked as coming from the queue); the receipt e-mail follows.
#[utoipa::path(post, path = "/api/v1/queue/{id}/request", tag = "public",
    params(("id" = i64, Path), TicketTokenQuery), request_body = ConvertBody,
    responses(
        (status = 201, body = ReceiptView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`not_closed` (the ticket is not one the close left waiting) or `already_converted`"),
        (status = 422, body = ValidationBody, description = "`phone` needed, or the open-requests limit reached"),
    ))]
async fn ticket_to_request(
    State(app): State<App>,
    PathParam(id): PathParam<i64>,
    QueryParams(query): QueryParams<TicketTokenQuery>,
    body: Option<JsonBody<ConvertBody>>,
) -> Result<(StatusCode, Json<ReceiptView>), ApiError> {
    let token = query.token.unwrap_or_default();
    let mut errors = FieldErrors::new();
    let phone = body.and_then(|JsonBody(body)| body.phone.take("phone", "um texto", &mut errors));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let receipt = app.convert_ticket(id, &token, phone).await?;
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

/// A ticket as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTicketView {
    pub id: i64,
    pub name: String,
    pub subject: String,
    /// The declared category, or `null`.
    pub preferential: Option<&'static str>,
    /// 1 for the next person called; `null` for those in a call.
    pub position: Option<u32>,
    /// `waiting` or `called` in the list; any status after a call or its end.
    pub status: &'static str,
    pub joined_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meet_link: Option<String>,
}

impl StaffTicketView {
    fn new(ticket: TicketRecord, position: Option<u32>) -> Self {
        StaffTicketView {
            id: ticket.id,
            name: ticket.name,
            subject: ticket.subject,
            preferential: ticket.preferential.map(|p| p.code()),
            position,
            status: ticket.status.as_str(),
            joined_at: ticket.joined_at,
            called_at: ticket.called_at,
            meet_link: ticket.meet_link,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffQueueView {
    pub items: Vec<StaffTicketView>,
}

/// Today's queue of one of the caller's zones: those in a call, then those waiting in the
/// order they will be called (aged 80+, other categories, everyone else; by arrival).
#[utoipa::path(get, path = "/api/v1/staff/zones/{number}/queue", tag = "staff", security(("bearer" = [])),
    params(("number" = i32, Path, example = 1)),
    responses(
        (status = 200, body = StaffQueueView),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "not one of the caller's zones"),
    ))]
async fn staff_zone_queue(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(number): PathParam<i32>,
) -> Result<Json<StaffQueueView>, ApiError> {
    let items = app
        .staff_queue(&user, number)
        .await?
        .into_iter()
        .map(|entry| StaffTicketView::new(entry.ticket, entry.position))
        .collect();
    Ok(Json(StaffQueueView { items }))
}

/// The room of a call, when neither the zone's fixed room nor the calendar gives one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CallBody {
    #[schema(value_type = Option<String>, example = "https://meet.google.com/abc-defg-hij")]
    #[serde(default)]
    pub meet_link: Field<String>,
}

/// Calls the next person: the room is `meet_link` if given, else the zone's fixed room, or
/// with the google provider a Meet event the worker makes for the call (`meet_link` then
/// appears on the ticket shortly after). Two clerks calling at once call two people.
#[utoipa::path(post, path = "/api/v1/staff/zones/{number}/queue/call", tag = "staff", security(("bearer" = [])),
    params(("number" = i32, Path, example = 1)), request_body(content = Option<CallBody>),
    responses(
        (status = 200, body = StaffTicketView, description = "the person called"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "nobody waits, or not one of the caller's zones"),
        (status = 422, body = ValidationBody, description = "a bad `meet_link`, or none and the zone has no fixed room"),
    ))]
async fn call_next(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(number): PathParam<i32>,
    body: Option<JsonBody<CallBody>>,
) -> Result<Json<StaffTicketView>, ApiError> {
    let mut errors = FieldErrors::new();
    let link =
        body.and_then(|JsonBody(body)| body.meet_link.take("meet_link", "um texto", &mut errors));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let ticket = app.call_next(&user, number, link.as_deref()).await?;
    Ok(Json(StaffTicketView::new(ticket, None)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FinishBody {
    /// `attended`, or `missed` once `queue.grace_minutes` passed since the call.
    #[schema(value_type = String, example = "attended")]
    #[serde(default)]
    pub outcome: Field<String>,
}

/// Ends a call.
#[utoipa::path(post, path = "/api/v1/staff/queue/{id}/finish", tag = "staff", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FinishBody,
    responses(
        (status = 200, body = StaffTicketView),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such ticket in the caller's zones"),
        (status = 409, body = ErrorBody, description = "`not_called`, `ticket_finished`, or `grace_not_over` (missed before the grace time)"),
        (status = 422, body = ValidationBody),
    ))]
async fn finish_call(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(id): PathParam<i64>,
    JsonBody(body): JsonBody<FinishBody>,
) -> Result<Json<StaffTicketView>, ApiError> {
    let mut errors = FieldErrors::new();
    let outcome = body.outcome.take("outcome", "um texto", &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let ticket = app.finish_call(&user, id, outcome.as_deref()).await?;
    Ok(Json(StaffTicketView::new(ticket, None)))
}
