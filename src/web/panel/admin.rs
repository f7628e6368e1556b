//! The admin pages: zones, staff, holidays and failed jobs. Admins only: every use case
//! refuses clerks (403 page), and every form carries the session's CSRF token.

mod holidays;
mod jobs;
mod staff;
mod zones;

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use chrono::Datelike;
use minijinja::context;

use super::base;
use crate::{
    app::{App, AppError, MAX_JOB_LIMIT},
    web::{pages::pages, render_error, session::PanelUser},
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin", get(index))
        .merge(zones::router())
        .merge(staff::router())
        .merge(holidays::router())
        .merge(jobs::router())
}

async fn index(State(app): State<App>, panel: PanelUser) -> Response {
    let year = app.today().year();
    let zones = match app.admin_zones(&panel.user).await {
        Ok(zones) => zones,
        Err(error) => return render_error(error),
    };
    let (staff, holidays, dead) = match (
        app.admin_staff(&panel.user).await,
        app.admin_holidays(&panel.user, Some(year)).await,
        app.admin_jobs(&panel.user, Some("dead"), Some(MAX_JOB_LIMIT))
            .await,
    ) {
        (Ok(staff), Ok(holidays), Ok(dead)) => (staff, holidays, dead),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return render_error(error);
        }
    };
    pages().render(
        StatusCode::OK,
        "painel/admin/index.html",
        context! {
            zones => zones.len(),
            active_zones => zones.iter().filter(|zone| zone.active).count(),
            active_staff => staff.iter().filter(|account| account.active).count(),
            year,
            holidays => holidays.len(),
            dead_jobs => dead.len(),
            dead_jobs_capped => dead.len() as u64 >= MAX_JOB_LIMIT,
            ..base(&panel, "admin")
        },
    )
}

/// A failed use case as a page, naming what was not found in the admin's words.
fn failure(panel: &PanelUser, error: AppError, missing: &str, back: &str) -> Response {
    match error {
        AppError::NotFound => pages().render(
            StatusCode::NOT_FOUND,
            "erro.html",
            context! {
                title => missing,
                message => "Confira o endereço ou volte à lista.",
                back,
                ..base(panel, "admin")
            },
        ),
        other => render_error(other),
    }
}

/// The message of a `?feito=` flash, among a page's known ones.
fn flash(done: Option<&str>, known: &[(&str, &'static str)]) -> Option<&'static str> {
    let done = done?;
    known
        .iter()
        .find(|(key, _)| *key == done)
        .map(|(_, message)| *message)
}

/// A query parameter as typed: anything unreadable is ignored rather than refused.
fn number<T: std::str::FromStr>(text: Option<&str>) -> Option<T> {
    text.and_then(|text| text.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_flashes_are_shown() {
        let known = [("salva", "Alterações salvas.")];
        assert_eq!(flash(Some("salva"), &known), Some("Alterações salvas."));
        assert_eq!(flash(Some("<script>"), &known), None);
        assert_eq!(flash(None, &known), None);
        assert_eq!(number::<i32>(Some(" 2026 ")), Some(2026));
        assert_eq!(number::<i32>(Some("dois mil")), None);
    }
}
