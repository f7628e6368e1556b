//! The HTTP side: one router per module, merged here over the shared `App`. Handlers only
//! translate HTTP to use cases and back; errors become responses in `error`.

mod admin_api;
mod auth_api;
pub mod error;
pub(crate) mod extract;
mod headers;
mod health;
mod messages_api;
mod metrics;
mod openapi;
mod public_api;
mod queue_api;
mod staff_api;
mod stats_api;
mod survey_api;
mod views;

use std::sync::Arc;

use axum::{Json, Router, extract::DefaultBodyLimit, http::HeaderName, middleware, routing::get};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use self::error::ApiError;
use crate::app::{App, AppError};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of `/api/v1`, with the OpenAPI document that describes them.
pub fn api() -> (Router<App>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(public_api::router())
        .merge(queue_api::router())
        .merge(messages_api::router())
        .merge(stats_api::router())
        .merge(survey_api::router())
        .merge(auth_api::router())
        .merge(staff_api::router())
        .merge(admin_api::router())
        .split_for_parts()
}

/// The JSON API with its OpenAPI document, and the probes: health, readiness, metrics.
pub fn router() -> Router<App> {
    let (api, document) = api();
    let document = Arc::new(document);
    Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .merge(health::router())
        .merge(metrics::router())
}

/// What every route of the service shares, the pages' included: a body limit, metrics,
/// security headers, a request id and a trace span.
pub fn with_layers(routes: Router<App>, app: App) -> Router {
    let https = headers::Https(app.settings.server.public_url.scheme() == "https");
    routes
        .layer(DefaultBodyLimit::max(extract::BODY_LIMIT_BYTES))
        .route_layer(middleware::from_fn_with_state(app.clone(), metrics::track))
        .with_state(app)
        .layer(middleware::map_response_with_state(https, headers::secure))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let request_id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!(
                        "http",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Refused(refusal) => refusal.into(),
            AppError::Queue(refusal) => ApiError::Conflict {
                code: refusal.code(),
                message: refusal.to_string(),
            },
            AppError::Thread(refusal) => ApiError::Conflict {
                code: refusal.code(),
                message: refusal.to_string(),
            },
            AppError::Survey(refusal) => ApiError::Conflict {
                code: refusal.code(),
                message: refusal.to_string(),
            },
            AppError::Store(error) => error.into(),
            AppError::Invalid(errors) => ApiError::Validation(errors),
            AppError::RateLimited(wait) => ApiError::TooManyRequests {
                retry_after_seconds: wait.as_secs_f64().ceil() as u64,
            },
            AppError::Unauthorized => ApiError::Unauthorized,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound => ApiError::NotFound,
            AppError::CalendarUnavailable(detail) => {
                tracing::warn!(%detail, "the zone's calendar could not be read");
                ApiError::Unavailable
            }
            AppError::Internal(error) => ApiError::Internal(error),
        }
    }
}
