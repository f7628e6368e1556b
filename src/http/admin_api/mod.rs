//! The admin side of the API: accounts, zones, holidays and the outbox's jobs, one file each.
//! Admins only: a clerk gets 403 from the use case, whatever the endpoint.

mod holidays;
mod jobs;
mod staff;
mod zones;

use utoipa_axum::router::OpenApiRouter;

use crate::app::App;

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .merge(staff::router())
        .merge(zones::router())
        .merge(holidays::router())
        .merge(jobs::router())
}
