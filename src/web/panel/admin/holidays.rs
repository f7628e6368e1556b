//! Holidays of one year: the list, a form to add one, and a button to remove each.

use crate::web::query::PagePath;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminForm, AdminPage, failure, flash, number};
use crate::{
    app::{App, AppError, HolidayInput},
    domain::{
        dates::{short_date, weekday_name},
        field_errors::FieldErrors,
        holidays::HolidayScope,
    },
    web::{
        pages::{pages, ser},
        panel::base,
        query::PageQuery,
        render_error,
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin/feriados", get(list).post(create))
        .route("/painel/admin/feriados/{id}/remover", post(remove))
}

#[derive(Debug, Deserialize)]
struct HolidaysQuery {
    ano: Option<String>,
    feito: Option<String>,
}

const FIELD_LABELS: &[(&str, &str)] = &[
    ("date", "Data"),
    ("name", "Nome"),
    ("scope", "Abrangência"),
    ("note", "Observação"),
];

const DONE: &[(&str, &str)] = &[
    (
        "adicionado",
        "Feriado adicionado: não há horários nesse dia nas zonas que ele fecha.",
    ),
    ("removido", "Feriado removido: o dia volta a ter horários."),
];

/// The scopes offered; "municipal" asks for the municipality.
const SCOPES: [(&str, &str); 4] = [
    ("nacional", "Nacional"),
    ("forense", "Forense (recesso, dias da Justiça)"),
    ("estadual-PA", "Estadual (Pará)"),
    ("municipal", "Municipal (informe o município)"),
];

/// Years offered, around which the service may plan.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

#[derive(Serialize)]
struct HolidayRow {
    id: i32,
    date: String,
    weekday: &'static str,
    name: String,
    scope: String,
    note: Option<String>,
}

/// The new-holiday form as typed.
#[derive(Debug, Default, Serialize)]
struct HolidayValues {
    date: String,
    name: String,
    scope: String,
    municipality: String,
    note: String,
}

async fn list(
    State(app): State<App>,
    page: AdminPage,
    PageQuery(query): PageQuery<HolidaysQuery>,
) -> Response {
    let year = year_or_current(query.ano.as_deref(), app.today().year());
    let done = flash(query.feito.as_deref(), DONE);
    render_list(
        &app,
        &page,
        year,
        StatusCode::OK,
        HolidayValues::default(),
        FieldErrors::new(),
        done,
    )
    .await
}

async fn render_list(
    app: &App,
    page: &AdminPage,
    year: i32,
    status: StatusCode,
    values: HolidayValues,
    errors: FieldErrors,
    done: Option<&str>,
) -> Response {
    let holidays = match app.admin_holidays(&page.admin, Some(year)).await {
        Ok(holidays) => holidays,
        Err(error) => return render_error(error),
    };
    let rows: Vec<HolidayRow> = holidays
        .into_iter()
        .map(|record| HolidayRow {
            id: record.id,
            date: short_date(record.holiday.date),
            weekday: weekday_name(record.holiday.date.weekday()),
            name: record.holiday.name,
            scope: scope_label(&record.holiday.scope),
            note: record.holiday.note,
        })
        .collect();
    pages().render(
        status,
        "painel/admin/feriados.html",
        context! {
            year,
            previous => (year > *YEARS.start()).then_some(year - 1),
            next => (year < *YEARS.end()).then_some(year + 1),
            rows => ser(rows),
            scopes => ser(SCOPES),
            values => ser(values),
            errors => ser(&errors),
            labels => ser(FIELD_LABELS),
            done,
            ..base(&page.session, "admin")
        },
    )
}

async fn create(State(app): State<App>, AdminForm { page, fields }: AdminForm) -> Response {
    let mut errors = FieldErrors::new();
    let scope = match fields.text("scope").trim() {
        "" => None,
        "municipal" => match fields.optional("municipality") {
            Some(municipality) => Some(format!("municipal-{}", municipality.trim())),
            None => {
                errors.add("scope", "Informe o município do feriado municipal.");
                None
            }
        },
        other => Some(other.to_string()),
    };
    let input = HolidayInput {
        date: fields.optional("date").map(|date| iso_date(&date)),
        name: Some(fields.text("name")),
        scope,
        note: fields.optional("note"),
    };
    match app.admin_create_holiday(&page.admin, input, errors).await {
        Ok(created) => {
            let year = created.holiday.date.year();
            Redirect::to(&format!(
                "/painel/admin/feriados?ano={year}&feito=adicionado"
            ))
            .into_response()
        }
        Err(AppError::Invalid(errors)) => {
            let values = HolidayValues {
                date: iso_date(&fields.text("date")),
                name: fields.text("name"),
                scope: fields.text("scope"),
                municipality: fields.text("municipality"),
                note: fields.text("note"),
            };
            let year = year_or_current(fields.optional("ano").as_deref(), app.today().year());
            render_list(
                &app,
                &page,
                year,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                errors,
                None,
            )
            .await
        }
        Err(error) => render_error(error),
    }
}

async fn remove(
    State(app): State<App>,
    PagePath(id): PagePath<String>,
    AdminForm { page, fields }: AdminForm,
) -> Response {
    let year = year_or_current(fields.optional("ano").as_deref(), app.today().year());
    let back = format!("/painel/admin/feriados?ano={year}");
    let Some(id) = number::<i32>(Some(&id)) else {
        return failure(&page, AppError::NotFound, "Feriado não encontrado", &back);
    };
    match app.admin_delete_holiday(&page.admin, id).await {
        Ok(()) => Redirect::to(&format!("{back}&feito=removido")).into_response(),
        Err(error) => failure(&page, error, "Feriado não encontrado", &back),
    }
}

fn year_or_current(text: Option<&str>, current: i32) -> i32 {
    number::<i32>(text)
        .filter(|year| YEARS.contains(year))
        .unwrap_or(current)
}

/// A date typed as dd/mm/aaaa (where a browser shows no date picker) becomes the ISO date
/// the use case reads; anything else goes as typed, for it to judge.
fn iso_date(text: &str) -> String {
    NaiveDate::parse_from_str(text.trim(), "%d/%m/%Y")
        .map_or_else(|_| text.trim().to_string(), |date| date.to_string())
}

fn scope_label(scope: &HolidayScope) -> String {
    match scope {
        HolidayScope::National => "nacional".into(),
        HolidayScope::Forense => "forense".into(),
        HolidayScope::State { uf } => format!("estadual ({uf})"),
        HolidayScope::Municipal { municipality } => format!("municipal ({municipality})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_scopes_read_in_portuguese() {
        assert_eq!(iso_date("24/12/2026"), "2026-12-24");
        assert_eq!(iso_date(" 2026-12-24 "), "2026-12-24");
        assert_eq!(iso_date("amanhã"), "amanhã");
        let belem = HolidayScope::parse("municipal-Belém").unwrap();
        assert_eq!(scope_label(&belem), "municipal (Belém)");
        assert_eq!(
            scope_label(&HolidayScope::parse("estadual-PA").unwrap()),
            "estadual (PA)"
        );
        assert_eq!(year_or_current(Some("2027"), 2026), 2027);
        assert_eq!(year_or_current(Some("1492"), 2026), 2026);
    }
}
