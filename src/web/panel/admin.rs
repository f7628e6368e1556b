//! The admin pages: zones, staff, holidays, failed jobs and data subjects (LGPD). Admins only:
//! every handler takes an [`AdminPage`], so a clerk gets the 403 page, and every form carries
//! the session's CSRF token.

mod data_subject;
mod duty_days;
mod holidays;
mod jobs;
mod staff;
mod zones;

use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Request, State},
    http::{StatusCode, request::Parts},
    response::Response,
    routing::get,
};
use chrono::Datelike;
use minijinja::context;

use super::base;
use crate::{
    app::{Admin, App, AppError, MAX_JOB_LIMIT},
    web::{forms::FormFields, pages::pages, render_error, session::PanelUser},
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin", get(index))
        .merge(zones::router())
        .merge(duty_days::router())
        .merge(staff::router())
        .merge(holidays::router())
        .merge(jobs::router())
        .merge(data_subject::router())
}

/// An admin's page: the signed-in admin, with the panel session their forms need. A clerk
/// gets the 403 page; a signed-out visitor is sent to sign in, as on every panel page.
struct AdminPage {
    session: PanelUser,
    admin: Admin,
}

impl FromRequestParts<App> for AdminPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let session = PanelUser::from_request_parts(parts, app).await?;
        let admin = session.user.clone().admin().map_err(render_error)?;
        Ok(AdminPage { session, admin })
    }
}

/// A form posted from an admin page: refused to clerks first, then to a form without the
/// session's CSRF token.
struct AdminForm {
    page: AdminPage,
    fields: FormFields,
}

impl FromRequest<App> for AdminForm {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let page = AdminPage::from_request_parts(&mut parts, app).await?;
        let fields = page
            .session
            .form_fields(Request::from_parts(parts, body), app)
            .await?;
        Ok(AdminForm { page, fields })
    }
}

async fn index(State(app): State<App>, page: AdminPage) -> Response {
    let year = app.today().year();
    let zones = match app.admin_zones(&page.admin).await {
        Ok(zones) => zones,
        Err(error) => return render_error(error),
    };
    let (staff, holidays, dead) = match (
        app.admin_staff(&page.admin).await,
        app.admin_holidays(&page.admin, Some(year)).await,
        app.admin_jobs(&page.admin, Some("dead"), Some(MAX_JOB_LIMIT))
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
            ..base(&page.session, "admin")
        },
    )
}

/// A failed use case as a page, naming what was not found in the admin's words.
fn failure(page: &AdminPage, error: AppError, missing: &str, back: &str) -> Response {
    match error {
        AppError::NotFound => pages().render(
            StatusCode::NOT_FOUND,
            "erro.html",
            context! {
                title => missing,
                message => "Confira o endereço ou volte à lista.",
                back,
                ..base(&page.session, "admin")
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
