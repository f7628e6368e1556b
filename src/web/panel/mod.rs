//! The staff panel: sign-in, the inbox of one's zones, a request's page with its actions,
//! the day's agenda, and the admin pages.

mod admin;
mod agenda;
mod inbox;
mod indicators;
mod login;
mod queue;
mod request;
mod request_page;

use axum::Router;
use minijinja::{Value, context};

use super::session::PanelUser;
use crate::{
    app::App,
    domain::{job::JobKind, staff::Role},
};

pub fn router() -> Router<App> {
    Router::new()
        .merge(login::router())
        .merge(inbox::router())
        .merge(request::router())
        .merge(agenda::router())
        .merge(queue::router())
        .merge(indicators::router())
        .merge(admin::router())
}

/// What every panel page's layout needs: who is signed in, their CSRF token, the section.
fn base(panel: &PanelUser, section: &str) -> Value {
    context! {
        staff => context! { name => &panel.user.name, is_admin => panel.user.role == Role::Admin },
        csrf => &panel.csrf,
        section,
    }
}

/// An outbox job's kind, as staff read it; a kind this version does not know (written by a
/// newer one) is named as it is stored.
pub(super) fn job_label(kind: &str) -> String {
    JobKind::parse(kind).map_or_else(|| format!("Tarefa ({kind})"), |kind| kind.label().into())
}
