//! The one error type of the HTTP layer and its mapping to status codes and JSON bodies.
//! Internal details go to the log, inside the request's span; clients get a generic 500.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::{change::Refusal, field_errors::FieldErrors},
    store::StoreError,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422: every field problem at once.
    #[error("invalid fields")]
    Validation(FieldErrors),
    /// 400: the body is not JSON, or a parameter is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    /// 408: the body did not arrive whole within `server.body_read_timeout_seconds`.
    #[error("request timeout")]
    RequestTimeout,
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// 404, also for what exists but is outside the caller's reach.
    #[error("not found")]
    NotFound,
    /// 405: the address exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("stale version: expected {expected}, current {current}")]
    StaleVersion { expected: i32, current: i32 },
    /// 409 for other conflicts with the current state (e.g. too late to cancel).
    #[error("conflict: {message}")]
    Conflict { code: &'static str, message: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    /// 503: an outside service needed to answer (the zone's calendar) did not.
    #[error("unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The body of every error but 422.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable, machine-readable code.
    pub code: &'static str,
    /// What happened, in Portuguese.
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
}

/// The body of a 422: messages in Portuguese per field name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationBody {
    #[schema(value_type = std::collections::BTreeMap<String, Vec<String>>)]
    pub errors: FieldErrors,
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        ApiError::Validation(errors)
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> ApiError {
        ApiError::Internal(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, current_version) = match self {
            ApiError::Validation(errors) => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(ValidationBody { errors }),
                )
                    .into_response();
            }
            ApiError::BadRequest(detail) => (StatusCode::BAD_REQUEST, "bad_request", detail, None),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Envie o corpo como application/json.".to_string(),
                None,
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "O corpo da requisição excede 64 KiB.".to_string(),
                None,
            ),
            ApiError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "O corpo da requisição não chegou inteiro a tempo; envie de novo.".to_string(),
                None,
            ),
            ApiError::Unauthorized => {
                let mut response = error_response(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "Autenticação necessária ou inválida.".to_string(),
                    None,
                );
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return response;
            }
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Esta ação é restrita a administradores.".to_string(),
                None,
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Não encontrado.".to_string(),
                None,
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Este endereço não aceita este método HTTP.".to_string(),
                None,
            ),
            ApiError::StaleVersion { current, .. } => (
                StatusCode::CONFLICT,
                "stale_version",
                "A solicitação foi alterada por outra pessoa; recarregue e tente de novo."
                    .to_string(),
                Some(current),
            ),
            ApiError::Conflict { code, message } => (StatusCode::CONFLICT, code, message, None),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "calendar_unavailable",
                "Não foi possível consultar a agenda da zona agora. Tente novamente em instantes."
                    .to_string(),
                None,
            ),
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => {
                let mut response = error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "Muitas tentativas em pouco tempo; aguarde um pouco e tente de novo."
                        .to_string(),
                    None,
                );
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_seconds.max(1)),
                );
                return response;
            }
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Erro interno. Tente novamente em instantes.".to_string(),
                    None,
                )
            }
        };
        error_response(status, code, message, current_version)
    }
}

fn error_response(
    status: StatusCode,
    code: &'static str,
    error: String,
    current_version: Option<i32>,
) -> Response {
    (
        status,
        Json(ErrorBody {
            code,
            error,
            current_version,
        }),
    )
        .into_response()
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A refusal about a field is a 422 under that field; one about the request's state, a 409.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let message = capitalized(&refusal.to_string());
        match refusal.field() {
            Some(field) => ApiError::field(field, message),
            None => ApiError::Conflict {
                code: conflict_code(&refusal),
                message,
            },
        }
    }
}

fn conflict_code(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::NotAllowed(_) => "transition_not_allowed",
        Refusal::TooLateToCancel { .. } => "too_late_to_cancel",
        Refusal::OfferClosed {
            now: crate::domain::status::Status::Scheduled,
        } => "already_scheduled",
        Refusal::OfferClosed { .. } => "not_offered",
        Refusal::OfferExpired => "offer_expired",
        Refusal::OfferStillOpen => "offer_still_open",
        Refusal::TooLateToReschedule { .. } => "too_late_to_reschedule",
        Refusal::RescheduleLimitReached { .. } => "reschedule_limit_reached",
        Refusal::MeetingStarted => "meeting_started",
        Refusal::NotScheduled => "not_scheduled",
        Refusal::ByMessage => "by_message",
        Refusal::AlreadyByMessage => "already_by_message",
        Refusal::AlreadyOnHold => "already_on_hold",
        Refusal::NotOnHold => "not_on_hold",
        Refusal::NotOffered
        | Refusal::OfferedSlot { .. }
        | Refusal::SameSlot
        | Refusal::Slot(_)
        | Refusal::UnknownZone
        | Refusal::SameZone
        | Refusal::NoMeetingLink
        | Refusal::NoClerk
        | Refusal::ClerkGone
        | Refusal::OutcomeForMode { .. } => "refused",
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Stale { expected, current } => ApiError::StaleVersion { expected, current },
            // Worded where the use cases word them.
            error @ (StoreError::Duplicate(_) | StoreError::UnknownZones(_)) => {
                crate::app::AppError::from(error).into()
            }
            StoreError::JobNotDead { state } => ApiError::Conflict {
                code: "job_not_dead",
                message: format!(
                    "Só uma tarefa com falha definitiva (dead) pode ser reenviada; esta está em {state}."
                ),
            },
            error @ StoreError::Database { .. } => ApiError::Internal(error.into()),
        }
    }
}
