//! The admin side of the API: accounts, zones, holidays and the outbox's jobs. Admins only:
//! a clerk gets 403 from the use case, whatever the endpoint.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth_api::Staff,
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, QueryParams},
    views::{JobView, StaffView},
};
use crate::{
    app::{App, Change, HolidayInput, NewStaffInput, StaffPatchInput, ZoneInput},
    domain::field_errors::FieldErrors,
    store::{HolidayRecord, ZoneRecord},
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(update_staff))
        .routes(routes!(list_zones, create_zone))
        .routes(routes!(update_zone))
        .routes(routes!(list_holidays, create_holiday))
        .routes(routes!(delete_holiday))
        .routes(routes!(list_jobs))
        .routes(routes!(retry_job))
}

/// A new account.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewStaffBody {
    #[schema(value_type = String, example = "Ana Maria Souza")]
    #[serde(default)]
    name: Field<String>,
    #[schema(value_type = String, example = "ana@tre-pa.jus.br")]
    #[serde(default)]
    email: Field<String>,
    /// At least 12 characters.
    #[schema(value_type = String)]
    #[serde(default)]
    password: Field<String>,
    /// `clerk` or `admin`.
    #[schema(value_type = String, example = "clerk")]
    #[serde(default)]
    role: Field<String>,
    /// Zone numbers; a clerk needs at least one.
    #[schema(value_type = Vec<i32>, example = json!([1, 2]))]
    #[serde(default)]
    zones: Field<Vec<i64>>,
}

/// Changes to an account; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StaffPatchBody {
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    name: Field<String>,
    /// `clerk` or `admin`; nobody demotes themselves.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    role: Field<String>,
    /// The whole new list of zone numbers.
    #[schema(value_type = Option<Vec<i32>>)]
    #[serde(default)]
    zones: Field<Vec<i64>>,
    /// `false` disables the account and ends its sign-ins; nobody disables themselves.
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    active: Field<bool>,
    /// A new password (at least 12 characters); ends the account's sign-ins.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    password: Field<String>,
}

/// A zone's settings. To create one, `number`, `name` and `municipalities` are required.
/// To change one, fields left out stay as they are and `""` empties an optional setting.
/// `opens`, `closes`, `slot_minutes` and `weekdays` go together: all set or all empty
/// (empty: the configured default window).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ZoneBody {
    /// 1–999; only to create (it names the zone in the path afterwards).
    #[schema(value_type = Option<i32>, example = 1)]
    #[serde(default)]
    number: Field<i64>,
    #[schema(value_type = Option<String>, example = "1ª Zona Eleitoral")]
    #[serde(default)]
    name: Field<String>,
    #[schema(value_type = Option<String>, example = "Belém")]
    #[serde(default)]
    seat: Field<String>,
    #[schema(value_type = Option<Vec<String>>, example = json!(["Belém"]))]
    #[serde(default)]
    municipalities: Field<Vec<String>>,
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    notification_email: Field<String>,
    /// The Google calendar of the zone's meetings.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    calendar_id: Field<String>,
    /// The zone's fixed Meet room, on an allowed host.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    room_link: Field<String>,
    /// `HH:MM`, in America/Belem.
    #[schema(value_type = Option<String>, example = "08:30")]
    #[serde(default)]
    opens: Field<String>,
    #[schema(value_type = Option<String>, example = "11:30")]
    #[serde(default)]
    closes: Field<String>,
    /// 5–240; `""` empties it.
    #[schema(value_type = Option<i32>, example = 20)]
    #[serde(default)]
    slot_minutes: Field<OrBlank<i64>>,
    /// ISO numbers, 1 = Monday … 7 = Sunday; `""` empties it.
    #[schema(value_type = Option<Vec<i32>>, example = json!([1, 2, 3, 4, 5]))]
    #[serde(default)]
    weekdays: Field<OrBlank<Vec<i64>>>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    active: Field<bool>,
}

/// A value of its own type, or a string (only `""` is accepted: it empties the setting).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OrBlank<T> {
    Value(T),
    Text(String),
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HolidayBody {
    #[schema(value_type = String, example = "2026-12-24")]
    #[serde(default)]
    date: Field<String>,
    #[schema(value_type = String, example = "Véspera de Natal")]
    #[serde(default)]
    name: Field<String>,
    /// `nacional`, `forense`, `estadual-PA` or `municipal-<Município>`.
    #[schema(value_type = String, example = "forense")]
    #[serde(default)]
    scope: Field<String>,
    /// Where the date comes from (a law, a portaria).
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    note: Field<String>,
}

/// A zone with every setting, as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminZoneView {
    pub number: i32,
    pub name: String,
    pub seat: Option<String>,
    pub municipalities: Vec<String>,
    pub notification_email: Option<String>,
    pub calendar_id: Option<String>,
    pub room_link: Option<String>,
    /// `HH:MM`; the four window settings are null together (the default window applies).
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub slot_minutes: Option<u32>,
    /// ISO numbers, 1 = Monday … 7 = Sunday.
    pub weekdays: Option<Vec<u32>>,
    pub active: bool,
}

impl From<ZoneRecord> for AdminZoneView {
    fn from(zone: ZoneRecord) -> Self {
        let window = zone.window;
        AdminZoneView {
            number: zone.number,
            name: zone.name,
            seat: zone.seat,
            municipalities: zone.municipalities,
            notification_email: zone.notification_email,
            calendar_id: zone.calendar_id,
            room_link: zone.room_link,
            opens: window.map(|w| w.opens().format("%H:%M").to_string()),
            closes: window.map(|w| w.closes().format("%H:%M").to_string()),
            slot_minutes: window.map(|w| w.slot_minutes()),
            weekdays: window.map(|w| w.weekdays().iso_numbers()),
            active: zone.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayView {
    pub id: i32,
    pub date: NaiveDate,
    pub name: String,
    /// `nacional`, `forense`, `estadual-PA` or `municipal-<Município>`.
    pub scope: String,
    pub note: Option<String>,
}

impl From<HolidayRecord> for HolidayView {
    fn from(record: HolidayRecord) -> Self {
        HolidayView {
            id: record.id,
            date: record.holiday.date,
            name: record.holiday.name,
            scope: record.holiday.scope.code(),
            note: record.holiday.note,
        }
    }
}

/// Every account, active or not, by name.
#[utoipa::path(get, path = "/api/v1/admin/staff", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<StaffView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
async fn list_staff(
    State(app): State<App>,
    Staff(user): Staff,
) -> Result<Json<Vec<StaffView>>, ApiError> {
    let accounts = app.admin_staff(&user).await?;
    Ok(Json(accounts.into_iter().map(StaffView::from).collect()))
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/admin/staff", tag = "admin", security(("bearer" = [])),
    request_body = NewStaffBody,
    responses(
        (status = 201, body = StaffView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "a bad field, an e-mail in use, an unknown zone"),
    ))]
async fn create_staff(
    State(app): State<App>,
    Staff(user): Staff,
    JsonBody(body): JsonBody<NewStaffBody>,
) -> Result<(StatusCode, Json<StaffView>), ApiError> {
    let mut errors = FieldErrors::new();
    let input = NewStaffInput {
        name: body.name.take("name", "um texto", &mut errors),
        email: body.email.take("email", "um texto", &mut errors),
        password: body.password.take("password", "um texto", &mut errors),
        role: body.role.take("role", "um texto", &mut errors),
        zones: body
            .zones
            .take("zones", "uma lista de números", &mut errors),
    };
    let created = app.admin_create_staff(&user, input, errors).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Changes an account. Disabling it or changing its password ends its sign-ins.
#[utoipa::path(patch, path = "/api/v1/admin/staff/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i32, Path)), request_body = StaffPatchBody,
    responses(
        (status = 200, body = StaffView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "a bad field, a clerk without zones, or disabling or demoting oneself"),
    ))]
async fn update_staff(
    State(app): State<App>,
    Staff(user): Staff,
    Path(id): Path<i32>,
    JsonBody(body): JsonBody<StaffPatchBody>,
) -> Result<Json<StaffView>, ApiError> {
    let mut errors = FieldErrors::new();
    let input = StaffPatchInput {
        name: body.name.take("name", "um texto", &mut errors),
        role: body.role.take("role", "um texto", &mut errors),
        zones: body
            .zones
            .take("zones", "uma lista de números", &mut errors),
        active: body
            .active
            .take("active", "verdadeiro ou falso", &mut errors),
        password: body.password.take("password", "um texto", &mut errors),
    };
    let updated = app.admin_update_staff(&user, id, input, errors).await?;
    Ok(Json(updated.into()))
}

/// Every zone, active or not, with all of its settings.
#[utoipa::path(get, path = "/api/v1/admin/zones", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<AdminZoneView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
async fn list_zones(
    State(app): State<App>,
    Staff(user): Staff,
) -> Result<Json<Vec<AdminZoneView>>, ApiError> {
    let zones = app.admin_zones(&user).await?;
    Ok(Json(zones.into_iter().map(AdminZoneView::from).collect()))
}

/// Creates a zone.
#[utoipa::path(post, path = "/api/v1/admin/zones", tag = "admin", security(("bearer" = [])),
    request_body = ZoneBody,
    responses(
        (status = 201, body = AdminZoneView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "a bad field or a number in use"),
    ))]
async fn create_zone(
    State(app): State<App>,
    Staff(user): Staff,
    JsonBody(body): JsonBody<ZoneBody>,
) -> Result<(StatusCode, Json<AdminZoneView>), ApiError> {
    let mut errors = FieldErrors::new();
    let (number, input) = zone_input(body, &mut errors);
    let zone = app.admin_create_zone(&user, number, input, errors).await?;
    Ok((StatusCode::CREATED, Json(zone.into())))
}

/// Changes some settings of a zone; they apply to new bookings at once.
#[utoipa::path(patch, path = "/api/v1/admin/zones/{number}", tag = "admin", security(("bearer" = [])),
    params(("number" = i32, Path)), request_body = ZoneBody,
    responses(
        (status = 200, body = AdminZoneView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "a bad field, or a service window left half set"),
    ))]
async fn update_zone(
    State(app): State<App>,
    Staff(user): Staff,
    Path(number): Path<i32>,
    JsonBody(body): JsonBody<ZoneBody>,
) -> Result<Json<AdminZoneView>, ApiError> {
    let mut errors = FieldErrors::new();
    let (new_number, input) = zone_input(body, &mut errors);
    if new_number.is_some_and(|n| n != i64::from(number)) {
        errors.add("number", "O número de uma zona não muda.");
    }
    let zone = app.admin_update_zone(&user, number, input, errors).await?;
    Ok(Json(zone.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HolidaysQuery {
    /// Only this year's; every holiday by default.
    year: Option<i32>,
}

/// Holidays by date.
#[utoipa::path(get, path = "/api/v1/admin/holidays", tag = "admin", security(("bearer" = [])),
    params(HolidaysQuery),
    responses(
        (status = 200, body = Vec<HolidayView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
async fn list_holidays(
    State(app): State<App>,
    Staff(user): Staff,
    QueryParams(query): QueryParams<HolidaysQuery>,
) -> Result<Json<Vec<HolidayView>>, ApiError> {
    let holidays = app.admin_holidays(&user, query.year).await?;
    Ok(Json(holidays.into_iter().map(HolidayView::from).collect()))
}

/// Adds a holiday: no slots on that day in the zones it closes.
#[utoipa::path(post, path = "/api/v1/admin/holidays", tag = "admin", security(("bearer" = [])),
    request_body = HolidayBody,
    responses(
        (status = 201, body = HolidayView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "a bad field, or the same date and scope already listed"),
    ))]
async fn create_holiday(
    State(app): State<App>,
    Staff(user): Staff,
    JsonBody(body): JsonBody<HolidayBody>,
) -> Result<(StatusCode, Json<HolidayView>), ApiError> {
    let mut errors = FieldErrors::new();
    let input = HolidayInput {
        date: body.date.take("date", "um texto AAAA-MM-DD", &mut errors),
        name: body.name.take("name", "um texto", &mut errors),
        scope: body.scope.take("scope", "um texto", &mut errors),
        note: body.note.take("note", "um texto", &mut errors),
    };
    let created = app.admin_create_holiday(&user, input, errors).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Removes a holiday.
#[utoipa::path(delete, path = "/api/v1/admin/holidays/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
async fn delete_holiday(
    State(app): State<App>,
    Staff(user): Staff,
    Path(id): Path<i32>,
) -> Result<StatusCode, ApiError> {
    app.admin_delete_holiday(&user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct JobsQuery {
    /// `pending`, `running`, `done` or `dead`; every state by default.
    state: Option<String>,
    /// 1–500; 100 by default.
    limit: Option<u64>,
}

/// The outbox's jobs, newest first.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", security(("bearer" = [])),
    params(JobsQuery),
    responses(
        (status = 200, body = Vec<JobView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "an unknown state"),
    ))]
async fn list_jobs(
    State(app): State<App>,
    Staff(user): Staff,
    QueryParams(query): QueryParams<JobsQuery>,
) -> Result<Json<Vec<JobView>>, ApiError> {
    let jobs = app
        .admin_jobs(&user, query.state.as_deref(), query.limit)
        .await?;
    Ok(Json(jobs.into_iter().map(JobView::from).collect()))
}

/// Sends a dead job back to the queue, due now; its attempts and last error are kept.
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = JobView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`job_not_dead`: only a dead job may be retried"),
    ))]
async fn retry_job(
    State(app): State<App>,
    Staff(user): Staff,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(app.admin_retry_job(&user, id).await?.into()))
}

/// The zone's number (to create it) and its settings.
fn zone_input(body: ZoneBody, errors: &mut FieldErrors) -> (Option<i64>, ZoneInput) {
    let number = body.number.take("number", "um número", errors);
    let input = ZoneInput {
        name: body.name.take("name", "um texto", errors),
        seat: text_change(body.seat, "seat", errors),
        municipalities: body
            .municipalities
            .take("municipalities", "uma lista de textos", errors),
        notification_email: text_change(body.notification_email, "notification_email", errors),
        calendar_id: text_change(body.calendar_id, "calendar_id", errors),
        room_link: text_change(body.room_link, "room_link", errors),
        opens: text_change(body.opens, "opens", errors),
        closes: text_change(body.closes, "closes", errors),
        slot_minutes: blank_clears(body.slot_minutes, "slot_minutes", "um número", errors),
        weekdays: blank_clears(body.weekdays, "weekdays", "uma lista de números", errors),
        active: body.active.take("active", "verdadeiro ou falso", errors),
    };
    (number, input)
}

/// An optional text setting: left out keeps it, blank empties it.
fn text_change(field: Field<String>, name: &str, errors: &mut FieldErrors) -> Change<String> {
    match field.take(name, "um texto", errors) {
        None => Change::Keep,
        Some(text) if text.trim().is_empty() => Change::Clear,
        Some(text) => Change::Set(text),
    }
}

/// An optional setting of another type: its own type sets it, `""` empties it, and any
/// other text is the wrong type.
fn blank_clears<T: DeserializeOwned>(
    field: Field<OrBlank<T>>,
    name: &str,
    expected: &str,
    errors: &mut FieldErrors,
) -> Change<T> {
    match field.take(name, expected, errors) {
        None => Change::Keep,
        Some(OrBlank::Value(value)) => Change::Set(value),
        Some(OrBlank::Text(text)) if text.trim().is_empty() => Change::Clear,
        Some(OrBlank::Text(_)) => {
            Field::<T>::Invalid.take(name, expected, errors);
            Change::Keep
        }
    }
}
