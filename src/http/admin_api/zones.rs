//! Zones and their settings.

use crate::http::extract::PathParam;
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AdminUser;
use crate::http::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody},
};
use crate::{
    app::{App, Change, ZoneInput},
    domain::field_errors::FieldErrors,
    store::ZoneRecord,
};

pub(super) fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_zones, create_zone))
        .routes(routes!(update_zone))
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

/// Every zone, active or not, with all of its settings.
#[utoipa::path(get, path = "/api/v1/admin/zones", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<AdminZoneView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
async fn list_zones(
    State(app): State<App>,
    AdminUser(admin): AdminUser,
) -> Result<Json<Vec<AdminZoneView>>, ApiError> {
    let zones = app.admin_zones(&admin).await?;
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
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<ZoneBody>,
) -> Result<(StatusCode, Json<AdminZoneView>), ApiError> {
    let mut errors = FieldErrors::new();
    let (number, input) = zone_input(body, &mut errors);
    let zone = app.admin_create_zone(&admin, number, input, errors).await?;
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
    AdminUser(admin): AdminUser,
    PathParam(number): PathParam<i32>,
    JsonBody(body): JsonBody<ZoneBody>,
) -> Result<Json<AdminZoneView>, ApiError> {
    let mut errors = FieldErrors::new();
    let (new_number, input) = zone_input(body, &mut errors);
    if new_number.is_some_and(|n| n != i64::from(number)) {
        errors.add("number", "O número de uma zona não muda.");
    }
    let zone = app.admin_update_zone(&admin, number, input, errors).await?;
    Ok(Json(zone.into()))
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
