//! `/metrics` in Prometheus text, and the middleware that counts HTTP traffic.

use std::time::Instant;

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};

use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::app::App;

/// Compares in constant time, so timing tells nothing about the token.
fn same_secret(expected: &str, presented: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

pub fn router() -> Router<App> {
    Router::new().route("/metrics", get(render))
}

/// Records every request under its route pattern (`/api/v1/requests/{protocol}`), never
/// under its concrete path, so the number of series stays bounded.
pub async fn track(State(app): State<App>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    app.metrics.observe_http(
        &method,
        &route,
        response.status().as_str(),
        started.elapsed(),
    );
    response
}

/// Only for whoever holds `metrics.token`: the counts tell an outsider too much (failed
/// sign-ins, refusals by route). Without a token set, there is no `/metrics` at all.
async fn render(State(app): State<App>, headers: HeaderMap) -> Response {
    let Some(expected) = &app.settings.metrics.token else {
        return ApiError::NotFound.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(expected.expose_secret(), presented) {
        return ApiError::Unauthorized.into_response();
    }
    match app.store.counts().await {
        Ok((requests, jobs)) => app.metrics.set_counts(&requests, &jobs),
        // The HTTP series are still worth serving when the database is down.
        Err(error) => tracing::warn!(%error, "metrics: cannot count requests and jobs"),
    }
    match app.store.survey_counts().await {
        Ok(ratings) => app.metrics.set_survey_counts(&ratings),
        Err(error) => tracing::warn!(%error, "metrics: cannot count survey answers"),
    }
    match app.metrics.render() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "metrics: encoding failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
