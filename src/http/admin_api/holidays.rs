//! Holidays.

use crate::http::extract::PathParam;
use axum::{Json, extract::State, http::StatusCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AdminUser;
use crate::http::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, QueryParams},
};
use crate::{
    app::{App, HolidayInput},
    domain::field_errors::FieldErrors,
    store::HolidayRecord,
};

pub(super) fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_holidays, create_holiday))
        .routes(routes!(delete_holiday))
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
    AdminUser(admin): AdminUser,
    QueryParams(query): QueryParams<HolidaysQuery>,
) -> Result<Json<Vec<HolidayView>>, ApiError> {
    let holidays = app.admin_holidays(&admin, query.year).await?;
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
    AdminUser(admin): AdminUser,
    JsonBody(body): JsonBody<HolidayBody>,
) -> Result<(StatusCode, Json<HolidayView>), ApiError> {
    let mut errors = FieldErrors::new();
    let input = HolidayInput {
        date: body.date.take("date", "um texto AAAA-MM-DD", &mut errors),
        name: body.name.take("name", "um texto", &mut errors),
        scope: body.scope.take("scope", "um texto", &mut errors),
        note: body.note.take("note", "um texto", &mut errors),
    };
    let created = app.admin_create_holiday(&admin, input, errors).await?;
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
    AdminUser(admin): AdminUser,
    PathParam(id): PathParam<i32>,
) -> Result<StatusCode, ApiError> {
    app.admin_delete_holiday(&admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
