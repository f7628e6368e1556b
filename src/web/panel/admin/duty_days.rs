//! A zone's duty days ("plantão"): the dates its queue opens outside its usual days or hours.

use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminForm, AdminPage, base, failure, flash};
use crate::{
    app::{App, AppError, DutyDayInput},
    domain::{dates::long_date, field_errors::FieldErrors},
    web::{
        pages::{pages, ser},
        query::{PagePath, PageQuery},
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin/zonas/{number}/plantoes", get(list).post(add))
        .route(
            "/painel/admin/zonas/{number}/plantoes/{date}/remover",
            post(remove),
        )
}

const DONE: &[(&str, &str)] = &[
    (
        "incluido",
        "Plantão incluído: a fila da zona abre nessa data, nesse horário.",
    ),
    ("removido", "Plantão removido."),
];

const LABELS: &[(&str, &str)] = &[
    ("date", "Data"),
    ("opens", "Abertura"),
    ("closes", "Encerramento"),
    ("note", "Observação"),
];

#[derive(Debug, Deserialize)]
struct Done {
    feito: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct Values {
    date: String,
    opens: String,
    closes: String,
    note: String,
}

async fn list(
    State(app): State<App>,
    page: AdminPage,
    PagePath(number): PagePath<i32>,
    PageQuery(done): PageQuery<Done>,
) -> Response {
    let done = flash(done.feito.as_deref(), DONE);
    render(
        &app,
        &page,
        number,
        StatusCode::OK,
        Values::default(),
        FieldErrors::new(),
        done,
    )
    .await
}

async fn render(
    app: &App,
    page: &AdminPage,
    number: i32,
    status: StatusCode,
    values: Values,
    errors: FieldErrors,
    done: Option<&str>,
) -> Response {
    let zone = match app.admin_zone(&page.admin, number).await {
        Ok(zone) => zone,
        Err(error) => return failure(page, error, "Zona não encontrada", "/painel/admin/zonas"),
    };
    let days = match app.admin_duty_days(&page.admin, number).await {
        Ok(days) => days,
        Err(error) => return failure(page, error, "Zona não encontrada", "/painel/admin/zonas"),
    };
    let days: Vec<_> = days
        .iter()
        .map(|day| {
            context! {
                date => day.date.to_string(),
                label => long_date(day.date),
                opens => day.opens.format("%H:%M").to_string(),
                closes => day.closes.format("%H:%M").to_string(),
                note => &day.note,
            }
        })
        .collect();
    pages().render(
        status,
        "painel/admin/plantoes.html",
        context! {
            number,
            title => &zone.name,
            days,
            values => ser(values),
            errors => ser(&errors),
            labels => ser(LABELS),
            done,
            min_date => app.today().to_string(),
            ..base(&page.session, "admin")
        },
    )
}

async fn add(
    State(app): State<App>,
    PagePath(number): PagePath<i32>,
    AdminForm { page, fields }: AdminForm,
) -> Response {
    let values = Values {
        date: fields.text("date"),
        opens: fields.text("opens"),
        closes: fields.text("closes"),
        note: fields.text("note"),
    };
    let input = DutyDayInput {
        date: fields.optional("date"),
        opens: fields.optional("opens"),
        closes: fields.optional("closes"),
        note: fields.optional("note"),
    };
    match app
        .admin_add_duty_day(&page.admin, number, input, FieldErrors::new())
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/painel/admin/zonas/{number}/plantoes?feito=incluido"
        ))
        .into_response(),
        Err(AppError::Invalid(errors)) => {
            render(
                &app,
                &page,
                number,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                errors,
                None,
            )
            .await
        }
        Err(error) => failure(&page, error, "Zona não encontrada", "/painel/admin/zonas"),
    }
}

async fn remove(
    State(app): State<App>,
    PagePath((number, date)): PagePath<(i32, NaiveDate)>,
    AdminForm { page, .. }: AdminForm,
) -> Response {
    match app.admin_remove_duty_day(&page.admin, number, date).await {
        Ok(()) => Redirect::to(&format!(
            "/painel/admin/zonas/{number}/plantoes?feito=removido"
        ))
        .into_response(),
        Err(error) => failure(
            &page,
            error,
            "Plantão não encontrado",
            &format!("/painel/admin/zonas/{number}/plantoes"),
        ),
    }
}
