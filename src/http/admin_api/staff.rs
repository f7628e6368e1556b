//! Staff accounts.

use crate::http::extract::PathParam;
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AdminUser;
use crate::http::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody},
    views::StaffView,
};
use crate::{
    app::{App, NewStaffInput, StaffPatchInput},
    domain::field_errors::FieldErrors,
};

pub(super) fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(update_staff))
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
    /// A Libras interpreter, who joins the meetings that need one; `false` when left out.
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    interpreter: Field<bool>,
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
    /// A Libras interpreter, or no longer one.
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    interpreter: Field<bool>,
    /// A new password (at least 12 characters); ends the account's sign-ins.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    password: Field<String>,
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
    AdminUser(admin): AdminUser,
) -> Result<Json<Vec<StaffView>>, ApiError> {
    let accounts = app.admin_staff(&admin).await?;
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
    AdminUser(admin): AdminUser,
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
        interpreter: body
            .interpreter
            .take("interpreter", "verdadeiro ou falso", &mut errors),
    };
    let created = app.admin_create_staff(&admin, input, errors).await?;
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
    AdminUser(admin): AdminUser,
    PathParam(id): PathParam<i32>,
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
        interpreter: body
            .interpreter
            .take("interpreter", "verdadeiro ou falso", &mut errors),
        password: body.password.take("password", "um texto", &mut errors),
    };
    let updated = app.admin_update_staff(&admin, id, input, errors).await?;
    Ok(Json(updated.into()))
}
