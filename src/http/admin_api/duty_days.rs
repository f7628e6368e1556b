//! A zone's duty days ("plantão"): dates its counter opens with its own hours.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AdminUser;
use crate::http::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, PathParam},
};
use crate::{
    app::{App, DutyDayInput},
    domain::{field_errors::FieldErrors, queue::DutyDay},
};

pub(super) fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_duty_days, add_duty_day))
        .routes(routes!(remove_duty_day))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DutyDayBody {
    #[schema(value_type = String, example = "2026-12-05")]
    #[serde(default)]
    date: Field<String>,
    /// `HH:MM`, local time.
    #[schema(value_type = String, example = "08:00")]
    #[serde(default)]
    opens: Field<String>,
    #[schema(value_type = String, example = "17:00")]
    #[serde(default)]
    closes: Field<String>,
    #[schema(value_type = Option<String>, example = "Plantão das eleições")]
    #[serde(default)]
    note: Field<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DutyDayView {
    pub date: NaiveDate,
    #[schema(value_type = String, example = "08:00")]
    pub opens: String,
    #[schema(value_type = String, example = "17:00")]
    pub closes: String,
    pub note: Option<String>,
}

fn hour(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

impl From<DutyDay> for DutyDayView {
    fn from(day: DutyDay) -> Self {
        DutyDayView {
            date: day.date,
            opens: hour(day.opens),
            closes: hour(day.closes),
            note: day.note,
        }
    }
}

/// The zone's duty days from today on.
#[utoipa::path(get, path = "/api/v1/admin/zones/{number}/duty-days", tag = "admin", security(("bearer" = [])),
    params(("number" = i32, Path)),
    responses(
        (status = 200, body = Vec<DutyDayView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
async fn list_duty_days(
    State(app): State<App>,
    AdminUser(admin): AdminUser,
    PathParam(number): PathParam<i32>,
) -> Result<Json<Vec<DutyDayView>>, ApiError> {
    let days = app.admin_duty_days(&admin, number).await?;
    Ok(Json(days.into_iter().map(DutyDayView::from).collect()))
}

/// Opens the zone's counter on a date (a weekend, a holiday, or other hours on a working
/// day), from `opens` to `closes`.
#[utoipa::path(post, path = "/api/v1/admin/zones/{number}/duty-days", tag = "admin", security(("bearer" = [])),
    params(("number" = i32, Path)), request_body = DutyDayBody,
    responses(
        (status = 201, body = DutyDayView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "a bad field, a past date, or a date that already has one"),
    ))]
async fn add_duty_day(
    State(app): State<App>,
    AdminUser(admin): AdminUser,
    PathParam(number): PathParam<i32>,
    JsonBody(body): JsonBody<DutyDayBody>,
) -> Result<(StatusCode, Json<DutyDayView>), ApiError> {
    let mut errors = FieldErrors::new();
    let input = DutyDayInput {
        date: body.date.take("date", "um texto AAAA-MM-DD", &mut errors),
        opens: body.opens.take("opens", "um texto HH:MM", &mut errors),
        closes: body.closes.take("closes", "um texto HH:MM", &mut errors),
        note: body.note.take("note", "um texto", &mut errors),
    };
    let day = app
        .admin_add_duty_day(&admin, number, input, errors)
        .await?;
    Ok((StatusCode::CREATED, Json(day.into())))
}

/// Removes the zone's duty day on a date.
#[utoipa::path(delete, path = "/api/v1/admin/zones/{number}/duty-days/{date}", tag = "admin", security(("bearer" = [])),
    params(("number" = i32, Path), ("date" = String, Path, example = "2026-12-05")),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
async fn remove_duty_day(
    State(app): State<App>,
    AdminUser(admin): AdminUser,
    PathParam((number, date)): PathParam<(i32, NaiveDate)>,
) -> Result<StatusCode, ApiError> {
    app.admin_remove_duty_day(&admin, number, date).await?;
    Ok(StatusCode::NO_CONTENT)
}
