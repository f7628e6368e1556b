//! The admin side of the API: accounts, zones (and their duty days), holidays, the outbox's
//! jobs and data subjects (LGPD), one file each.
//! Admins only: every handler takes an [`AdminUser`], so a clerk gets 403 whatever the
//! endpoint, before its body is read.

mod data_subject;
mod duty_days;
mod holidays;
mod jobs;
mod staff;
mod zones;

use axum::{extract::FromRequestParts, http::request::Parts};
use utoipa_axum::router::OpenApiRouter;

use super::{auth_api::Staff, error::ApiError};
use crate::app::{Admin, App};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(staff::router())
        .merge(zones::router())
        .merge(duty_days::router())
        .merge(holidays::router())
        .merge(jobs::router())
        .merge(data_subject::router())
}

/// The admin behind an API request: 401 without a live token, 403 for a clerk.
struct AdminUser(Admin);

impl FromRequestParts<App> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let Staff(user) = Staff::from_request_parts(parts, app).await?;
        Ok(AdminUser(user.admin()?))
    }
}
