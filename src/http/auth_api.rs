//! Staff sign-in for the API: a bearer token with an expiry, revocable.

use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody},
    views::StaffView,
};
use crate::{
    app::{App, StaffUser},
    client_ip::ClientIp,
    domain::field_errors::FieldErrors,
    store::SessionKind,
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
}

/// The signed-in staff member of an API request (`Authorization: Bearer <token>`).
pub struct Staff(pub StaffUser);

impl FromRequestParts<App> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        Ok(Staff(app.staff_for_token(token, SessionKind::Api).await?))
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginBody {
    #[schema(value_type = String, example = "ana@tre-pa.jus.br")]
    #[serde(default)]
    email: Field<String>,
    #[schema(value_type = String)]
    #[serde(default)]
    password: Field<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginView {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffView,
}

/// Signs in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff", request_body = LoginBody,
    responses(
        (status = 200, body = LoginView),
        (status = 401, body = ErrorBody, description = "wrong e-mail or password, or a disabled account"),
        (status = 422, body = ValidationBody),
        (status = 429, body = ErrorBody, description = "too many failed attempts"),
    ))]
async fn login(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Json<LoginView>, ApiError> {
    let mut errors = FieldErrors::new();
    let email = body
        .email
        .take("email", "um texto", &mut errors)
        .unwrap_or_default();
    let password = body
        .password
        .take("password", "um texto", &mut errors)
        .unwrap_or_default();
    if email.trim().is_empty() && errors.get("email").is_none() {
        errors.add("email", "Informe o e-mail.");
    }
    if password.is_empty() && errors.get("password").is_none() {
        errors.add("password", "Informe a senha.");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let sign_in = app
        .sign_in(&email, &password, SessionKind::Api, client)
        .await?;
    Ok(Json(LoginView {
        token: sign_in.token.expose().to_string(),
        expires_at: sign_in.expires_at,
        staff: sign_in.staff.into(),
    }))
}

/// Revokes the token used to call it.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "staff", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(State(app): State<App>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let token = bearer_token(&headers).ok_or(ApiError::Unauthorized)?;
    app.staff_for_token(token, SessionKind::Api).await?;
    app.sign_out(token).await?;
    Ok(StatusCode::NO_CONTENT)
}
