//! Zones: the list with a form for a new one, and each zone's settings.

use crate::web::query::PagePath;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use chrono::Weekday;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminForm, AdminPage, failure, flash};
use crate::{
    app::{App, AppError, Change, ZoneInput},
    domain::{dates::weekday_name, field_errors::FieldErrors, schedule::ServiceWindow},
    store::ZoneRecord,
    web::{
        forms::FormFields,
        pages::{pages, ser},
        panel::base,
        query::PageQuery,
        render_error,
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin/zonas", get(list).post(create))
        .route("/painel/admin/zonas/{number}", get(edit).post(update))
}

#[derive(Debug, Deserialize)]
struct Done {
    feito: Option<String>,
}

/// How the error summary names each field.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("number", "Número"),
    ("name", "Nome"),
    ("seat", "Sede"),
    ("municipalities", "Municípios"),
    ("notification_email", "E-mail de aviso"),
    ("calendar_id", "Agenda do Google"),
    ("room_link", "Sala fixa do Meet"),
    ("opens", "Abertura"),
    ("closes", "Encerramento"),
    ("slot_minutes", "Duração de cada atendimento"),
    ("weekdays", "Dias de atendimento"),
    ("active", "Zona ativa"),
];

const DONE: &[(&str, &str)] = &[
    ("criada", "Zona criada. Confira os demais dados abaixo."),
    (
        "salva",
        "Alterações salvas. Valem para os próximos agendamentos.",
    ),
];

#[derive(Serialize)]
struct ZoneRow {
    number: i32,
    name: String,
    seat: Option<String>,
    municipalities: String,
    notification_email: Option<String>,
    window: Option<String>,
    active: bool,
}

/// The new-zone form as typed.
#[derive(Debug, Default, Serialize)]
struct NewZoneValues {
    number: String,
    name: String,
    municipalities: String,
}

async fn list(
    State(app): State<App>,
    page: AdminPage,
    PageQuery(done): PageQuery<Done>,
) -> Response {
    let done = flash(done.feito.as_deref(), DONE);
    render_list(
        &app,
        &page,
        StatusCode::OK,
        NewZoneValues::default(),
        FieldErrors::new(),
        done,
    )
    .await
}

async fn render_list(
    app: &App,
    page: &AdminPage,
    status: StatusCode,
    values: NewZoneValues,
    errors: FieldErrors,
    done: Option<&str>,
) -> Response {
    let zones = match app.admin_zones(&page.admin).await {
        Ok(zones) => zones,
        Err(error) => return render_error(error),
    };
    let rows: Vec<ZoneRow> = zones
        .into_iter()
        .map(|zone| ZoneRow {
            number: zone.number,
            name: zone.name,
            seat: zone.seat,
            municipalities: zone.municipalities.join(", "),
            notification_email: zone.notification_email,
            window: zone.window.as_ref().map(window_text),
            active: zone.active,
        })
        .collect();
    pages().render(
        status,
        "painel/admin/zonas.html",
        context! {
            rows => ser(rows),
            values => ser(values),
            errors => ser(&errors),
            labels => labels(),
            done,
            ..base(&page.session, "admin")
        },
    )
}

async fn create(State(app): State<App>, AdminForm { page, fields }: AdminForm) -> Response {
    let mut errors = FieldErrors::new();
    let number = fields.optional("number").and_then(|text| {
        text.trim()
            .trim_end_matches(['ª', 'a'])
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| {
                errors.add("number", "Informe o número da zona, de 1 a 999.");
                None
            })
    });
    let input = ZoneInput {
        name: Some(fields.text("name")),
        municipalities: Some(lines(&fields.text("municipalities"))),
        ..ZoneInput::default()
    };
    match app
        .admin_create_zone(&page.admin, number, input, errors)
        .await
    {
        Ok(zone) => Redirect::to(&format!("/painel/admin/zonas/{}?feito=criada", zone.number))
            .into_response(),
        Err(AppError::Invalid(errors)) => {
            let values = NewZoneValues {
                number: fields.text("number"),
                name: fields.text("name"),
                municipalities: fields.text("municipalities"),
            };
            render_list(
                &app,
                &page,
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

/// The zone form as typed (or as stored).
#[derive(Debug, Default, Serialize)]
struct ZoneValues {
    name: String,
    seat: String,
    municipalities: String,
    notification_email: String,
    calendar_id: String,
    room_link: String,
    opens: String,
    closes: String,
    slot_minutes: String,
    weekdays: Vec<u32>,
    active: bool,
}

impl From<&ZoneRecord> for ZoneValues {
    fn from(zone: &ZoneRecord) -> Self {
        let window = zone.window.as_ref();
        ZoneValues {
            name: zone.name.clone(),
            seat: zone.seat.clone().unwrap_or_default(),
            municipalities: zone.municipalities.join("\n"),
            notification_email: zone.notification_email.clone().unwrap_or_default(),
            calendar_id: zone.calendar_id.clone().unwrap_or_default(),
            room_link: zone.room_link.clone().unwrap_or_default(),
            opens: window
                .map(|w| w.opens().format("%H:%M").to_string())
                .unwrap_or_default(),
            closes: window
                .map(|w| w.closes().format("%H:%M").to_string())
                .unwrap_or_default(),
            slot_minutes: window
                .map(|w| w.slot_minutes().to_string())
                .unwrap_or_default(),
            weekdays: window
                .map(|w| w.weekdays().iso_numbers())
                .unwrap_or_default(),
            active: zone.active,
        }
    }
}

impl ZoneValues {
    fn typed(fields: &FormFields) -> Self {
        ZoneValues {
            name: fields.text("name"),
            seat: fields.text("seat"),
            municipalities: fields.text("municipalities"),
            notification_email: fields.text("notification_email"),
            calendar_id: fields.text("calendar_id"),
            room_link: fields.text("room_link"),
            opens: fields.text("opens"),
            closes: fields.text("closes"),
            slot_minutes: fields.text("slot_minutes"),
            weekdays: fields
                .all("weekdays")
                .iter()
                .filter_map(|d| d.trim().parse().ok())
                .collect(),
            active: fields.checked("active"),
        }
    }
}

async fn edit(
    State(app): State<App>,
    page: AdminPage,
    PagePath(number): PagePath<String>,
    PageQuery(done): PageQuery<Done>,
) -> Response {
    let zone = match find_zone(&app, &page, &number).await {
        Ok(zone) => zone,
        Err(error) => return failure(&page, error, "Zona não encontrada", "/painel/admin/zonas"),
    };
    let values = ZoneValues::from(&zone);
    let done = flash(done.feito.as_deref(), DONE);
    render_zone(
        &app,
        &page,
        &zone,
        StatusCode::OK,
        values,
        FieldErrors::new(),
        done,
    )
}

async fn update(
    State(app): State<App>,
    PagePath(number): PagePath<String>,
    AdminForm { page, fields }: AdminForm,
) -> Response {
    let zone = match find_zone(&app, &page, &number).await {
        Ok(zone) => zone,
        Err(error) => return failure(&page, error, "Zona não encontrada", "/painel/admin/zonas"),
    };
    let mut errors = FieldErrors::new();
    let input = zone_input(&fields, &mut errors);
    match app
        .admin_update_zone(&page.admin, zone.number, input, errors)
        .await
    {
        Ok(zone) => Redirect::to(&format!("/painel/admin/zonas/{}?feito=salva", zone.number))
            .into_response(),
        Err(AppError::Invalid(errors)) => render_zone(
            &app,
            &page,
            &zone,
            StatusCode::UNPROCESSABLE_ENTITY,
            ZoneValues::typed(&fields),
            errors,
            None,
        ),
        Err(error) => failure(&page, error, "Zona não encontrada", "/painel/admin/zonas"),
    }
}

async fn find_zone(app: &App, page: &AdminPage, number: &str) -> Result<ZoneRecord, AppError> {
    let number: i32 = number.trim().parse().map_err(|_| AppError::NotFound)?;
    app.admin_zone(&page.admin, number).await
}

fn render_zone(
    app: &App,
    page: &AdminPage,
    zone: &ZoneRecord,
    status: StatusCode,
    values: ZoneValues,
    errors: FieldErrors,
    done: Option<&str>,
) -> Response {
    let weekdays: Vec<_> = (1..=7u32)
        .map(|day| context! { number => day, name => weekday_name(iso_weekday(day)) })
        .collect();
    pages().render(
        status,
        "painel/admin/zona.html",
        context! {
            number => zone.number,
            title => &zone.name,
            values => ser(values),
            weekdays,
            default_window => window_text(app.default_window()),
            errors => ser(&errors),
            labels => labels(),
            done,
            ..base(&page.session, "admin")
        },
    )
}

/// The zone's settings as a change: every field of the form is sent, so a blank one empties
/// its setting (the window's four together bring back the default one).
fn zone_input(fields: &FormFields, errors: &mut FieldErrors) -> ZoneInput {
    let slot_minutes = match fields.optional("slot_minutes") {
        None => Change::Clear,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map(Change::Set)
            .unwrap_or_else(|_| {
                errors.add(
                    "slot_minutes",
                    "Informe a duração em minutos, por exemplo 30.",
                );
                Change::Keep
            }),
    };
    let days = fields.all("weekdays");
    let weekdays = if days.is_empty() {
        Change::Clear
    } else {
        match days
            .iter()
            .map(|day| day.trim().parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(days) => Change::Set(days),
            Err(_) => {
                errors.add("weekdays", "Marque os dias da semana com atendimento.");
                Change::Keep
            }
        }
    };
    ZoneInput {
        name: Some(fields.text("name")),
        seat: text_change(fields, "seat"),
        municipalities: Some(lines(&fields.text("municipalities"))),
        notification_email: text_change(fields, "notification_email"),
        calendar_id: text_change(fields, "calendar_id"),
        room_link: text_change(fields, "room_link"),
        opens: text_change(fields, "opens"),
        closes: text_change(fields, "closes"),
        slot_minutes,
        weekdays,
        active: Some(fields.checked("active")),
    }
}

/// An optional text setting: blank empties it.
fn text_change(fields: &FormFields, name: &str) -> Change<String> {
    match fields.optional(name) {
        None => Change::Clear,
        Some(text) => Change::Set(text.trim().to_string()),
    }
}

/// One municipality per line (blank lines are dropped by the use case).
fn lines(text: &str) -> Vec<String> {
    text.lines().map(|line| line.trim().to_string()).collect()
}

fn labels() -> minijinja::Value {
    ser(FIELD_LABELS)
}

fn iso_weekday(day: u32) -> Weekday {
    u8::try_from(day.saturating_sub(1))
        .ok()
        .and_then(|day| Weekday::try_from(day).ok())
        .unwrap_or(Weekday::Mon)
}

/// "08:00–12:00, 20 min, segunda a sexta-feira".
fn window_text(window: &ServiceWindow) -> String {
    const SHORT: [&str; 7] = ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"];
    let days = window.weekdays().iso_numbers();
    let days = if days == [1, 2, 3, 4, 5] {
        "segunda a sexta-feira".to_string()
    } else {
        days.iter()
            .filter_map(|day| SHORT.get(day.saturating_sub(1) as usize).copied())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{}–{}, {} min, {days}",
        window.opens().format("%H:%M"),
        window.closes().format("%H:%M"),
        window.slot_minutes()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{schedule::Weekdays, zone::hour_minute};

    #[test]
    fn a_blank_field_empties_its_setting() {
        let fields = FormFields::parse(
            b"name=Zona+1&seat=&municipalities=Bel%C3%A9m%0D%0AAnanindeua%0D%0A&opens=08%3A00&closes=&slot_minutes=trinta&weekdays=1&weekdays=3&active=on",
        );
        let mut errors = FieldErrors::new();
        let input = zone_input(&fields, &mut errors);
        assert_eq!(input.seat, Change::Clear);
        assert_eq!(
            input.municipalities,
            Some(vec!["Belém".into(), "Ananindeua".into()])
        );
        assert_eq!(input.opens, Change::Set("08:00".into()));
        assert_eq!(input.closes, Change::Clear);
        assert_eq!(input.slot_minutes, Change::Keep);
        assert_eq!(input.weekdays, Change::Set(vec![1, 3]));
        assert_eq!(input.active, Some(true));
        assert_eq!(errors.fields().collect::<Vec<_>>(), ["slot_minutes"]);

        let none = zone_input(&FormFields::parse(b"name=Zona+1"), &mut FieldErrors::new());
        assert_eq!((none.weekdays, none.active), (Change::Clear, Some(false)));
    }

    #[test]
    fn windows_read_in_portuguese() {
        let time = |t| hour_minute(t).unwrap();
        let weekdays = Weekdays::MONDAY_TO_FRIDAY;
        let window = ServiceWindow::new(time("08:00"), time("12:00"), 20, weekdays).unwrap();
        assert_eq!(
            window_text(&window),
            "08:00–12:00, 20 min, segunda a sexta-feira"
        );
        let some = Weekdays::from_iso([2, 4, 6]).unwrap();
        let window = ServiceWindow::new(time("13:00"), time("17:00"), 30, some).unwrap();
        assert_eq!(window_text(&window), "13:00–17:00, 30 min, ter, qui, sáb");
        assert_eq!(iso_weekday(7), Weekday::Sun);
    }
}
