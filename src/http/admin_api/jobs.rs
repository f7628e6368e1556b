//! The outbox's jobs.

use crate::http::extract::PathParam;
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AdminUser;
use crate::app::App;
use crate::http::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::QueryParams,
    views::JobView,
};

pub(super) fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(retry_job))
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
    AdminUser(admin): AdminUser,
    QueryParams(query): QueryParams<JobsQuery>,
) -> Result<Json<Vec<JobView>>, ApiError> {
    let jobs = app
        .admin_jobs(&admin, query.state.as_deref(), query.limit)
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
    AdminUser(admin): AdminUser,
    PathParam(id): PathParam<i64>,
) -> Result<Json<JobView>, ApiError> {
    Ok(Json(app.admin_retry_job(&admin, id).await?.into()))
}
