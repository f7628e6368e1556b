//! `/painel/indicadores`: a period's indicators per zone and for the state, a table sortable
//! by any column, two charts drawn on the server, and the CSV of the same figures.

use axum::{
    Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::base;
use crate::{
    app::{App, AppError, Indicators},
    domain::{
        dates::short_date,
        field_errors::FieldErrors,
        indicators::{Figures, WeekCounts},
        status::Status,
    },
    web::{
        charts::{self, Series},
        pages::{pages, ser},
        query::PageQuery,
        render_error,
        session::PanelUser,
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/indicadores", get(page))
        .route("/painel/indicadores.csv", get(csv))
}

#[derive(Debug, Default, Deserialize)]
struct IndicatorsQuery {
    de: Option<String>,
    ate: Option<String>,
    zona: Option<String>,
    ordenar: Option<String>,
}

/// The columns the table sorts by, with their headers.
const COLUMNS: [(&str, &str); 12] = [
    ("zona", "Zona"),
    ("recebidos", "Recebidos"),
    ("concluidos", "Concluídos"),
    ("em_aberto", "Em aberto"),
    ("triagem_mediana", "Triagem: mediana (h)"),
    ("triagem_p90", "Triagem: 90% (h)"),
    ("na_meta", "Na meta (%)"),
    ("nao_compareceu", "Não compareceu"),
    ("cancelados", "Cancelados (requerente / cartório)"),
    ("preferenciais", "Preferenciais"),
    ("mensagens", "Por mensagens"),
    ("satisfacao", "Satisfação (média, respostas)"),
];

#[derive(Serialize)]
struct Row {
    zone: String,
    received: u64,
    done: u64,
    open: u64,
    p50: String,
    p90: String,
    within: String,
    no_show: u64,
    cancelled: String,
    preferential: u64,
    by_message: u64,
    satisfaction: String,
}

impl Row {
    fn new(zone: String, figures: &Figures) -> Row {
        Row {
            zone,
            received: figures.received,
            done: figures.in_status(Status::Done),
            open: figures.open(),
            p50: decimal(figures.triage_hours_p50),
            p90: decimal(figures.triage_hours_p90),
            within: decimal(figures.within_target_pct),
            no_show: figures.no_show,
            cancelled: format!(
                "{} / {}",
                figures.cancelled_by_requester, figures.cancelled_by_staff
            ),
            preferential: figures.preferential,
            by_message: figures.by_message,
            satisfaction: match figures.satisfaction_avg {
                Some(avg) => format!("{} ({})", decimal(Some(avg)), figures.satisfaction_count),
                None => "—".into(),
            },
        }
    }
}

/// A number the Brazilian way (comma decimals); a dash for none.
fn decimal(value: Option<f64>) -> String {
    value.map_or_else(
        || "—".to_string(),
        |value| format!("{value:.1}").replace('.', ","),
    )
}

/// The figure a column sorts by.
fn sort_key(column: &str, number: i32, figures: &Figures) -> f64 {
    let missing = -1.0;
    match column {
        "recebidos" => figures.received as f64,
        "concluidos" => figures.in_status(Status::Done) as f64,
        "em_aberto" => figures.open() as f64,
        "triagem_mediana" => figures.triage_hours_p50.unwrap_or(missing),
        "triagem_p90" => figures.triage_hours_p90.unwrap_or(missing),
        "na_meta" => figures.within_target_pct.unwrap_or(missing),
        "nao_compareceu" => figures.no_show as f64,
        "cancelados" => (figures.cancelled_by_requester + figures.cancelled_by_staff) as f64,
        "preferenciais" => figures.preferential as f64,
        "mensagens" => figures.by_message as f64,
        "satisfacao" => figures.satisfaction_avg.unwrap_or(missing),
        _ => f64::from(number),
    }
}

/// The period and zone asked for, with what was wrong with them.
struct Asked {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    zone: Option<i32>,
    errors: FieldErrors,
}

fn asked(query: &IndicatorsQuery) -> Asked {
    let mut errors = FieldErrors::new();
    let mut date = |value: &Option<String>, field: &str| match value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(text) => text.parse::<NaiveDate>().ok().or_else(|| {
            errors.add(field, "Data inválida: escolha o dia no calendário.");
            None
        }),
    };
    let from = date(&query.de, "from");
    let to = date(&query.ate, "to");
    let zone = query
        .zona
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .and_then(|z| {
            z.parse::<i32>().ok().or_else(|| {
                errors.add("zone", "Escolha uma zona da lista.");
                None
            })
        });
    Asked {
        from,
        to,
        zone,
        errors,
    }
}

async fn page(
    State(app): State<App>,
    panel: PanelUser,
    PageQuery(query): PageQuery<IndicatorsQuery>,
) -> Response {
    let Asked {
        from,
        to,
        zone,
        errors,
    } = asked(&query);
    let (status, indicators, errors) =
        match app.indicators(&panel.user, from, to, zone, errors).await {
            Ok(indicators) => (StatusCode::OK, Some(indicators), FieldErrors::new()),
            Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
            // A zone outside the clerk's: said beside the field, not as a missing page.
            Err(AppError::NotFound) => {
                let mut errors = FieldErrors::new();
                errors.add("zone", "Esta zona não está entre as suas.");
                (StatusCode::NOT_FOUND, None, errors)
            }
            Err(error) => return render_error(error),
        };
    let reference = match app.reference.get().await {
        Ok(reference) => reference,
        Err(error) => return render_error(AppError::Store(error)),
    };
    let choices: Vec<_> = reference
        .zones
        .iter()
        .filter(|candidate| panel.user.may_see_zone(candidate.number))
        .map(|zone| context! { number => zone.number, name => &zone.name })
        .collect();
    let sort = query
        .ordenar
        .as_deref()
        .filter(|column| COLUMNS.iter().any(|(key, _)| key == column))
        .unwrap_or("zona");
    let link = |extra: &str| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(indicators) = &indicators {
            query.append_pair("de", &indicators.from.to_string());
            query.append_pair("ate", &indicators.to.to_string());
        }
        if let Some(zone) = zone {
            query.append_pair("zona", &zone.to_string());
        }
        if !extra.is_empty() {
            query.append_pair("ordenar", extra);
        }
        query.finish()
    };
    let headers: Vec<_> = COLUMNS
        .iter()
        .map(|(key, label)| {
            context! {
                label => *label,
                href => format!("/painel/indicadores?{}", link(key)),
                sorted => *key == sort,
            }
        })
        .collect();
    let view = indicators.as_ref().map(|indicators| view(indicators, sort));
    pages().render(
        status,
        "painel/indicadores.html",
        context! {
            from => query.de.clone().or_else(|| indicators.as_ref().map(|i| i.from.to_string())),
            to => query.ate.clone().or_else(|| indicators.as_ref().map(|i| i.to.to_string())),
            zone,
            zones => choices,
            errors => ser(errors),
            headers,
            csv_href => format!("/painel/indicadores.csv?{}", link("")),
            view,
            ..base(&panel, "indicators")
        },
    )
}

/// The page's figures: the sorted rows, the total, both charts and their tables.
fn view(indicators: &Indicators, sort: &str) -> minijinja::Value {
    let mut zones: Vec<_> = indicators.zones.iter().collect();
    zones.sort_by(|a, b| {
        let (ka, kb) = (
            sort_key(sort, a.number, &a.figures),
            sort_key(sort, b.number, &b.figures),
        );
        // Zones ascend by number; every figure sorts from the highest.
        let order = if sort == "zona" {
            ka.total_cmp(&kb)
        } else {
            kb.total_cmp(&ka)
        };
        order.then(a.number.cmp(&b.number))
    });
    let rows: Vec<Row> = zones
        .iter()
        .map(|zone| Row::new(zone.name.clone(), &zone.figures))
        .collect();
    let weeks: Vec<String> = indicators
        .weeks
        .iter()
        .map(|week| short_date(week.week)[..5].to_string())
        .collect();
    type Pick = fn(&WeekCounts) -> u64;
    let series: [(&str, &str, Pick); 6] = [
        ("Atendidos", "#1b6e3a", |w| w.attended),
        ("Por mensagens", "#2f8f83", |w| w.by_message),
        ("Não compareceu", "#b35c00", |w| w.no_show),
        ("Cancelados", "#7a4fa3", |w| w.cancelled),
        ("Indeferidos", "#a3333d", |w| w.rejected),
        ("Em aberto", "#5b6b7a", |w| w.open),
    ];
    let series: Vec<Series> = series
        .iter()
        .map(|(label, colour, pick)| Series {
            label,
            colour,
            values: indicators.weeks.iter().map(pick).collect(),
        })
        .collect();
    let weekly_chart = charts::stacked_bars(
        "grafico-semanas",
        "Pedidos por semana, pelo resultado",
        &format!(
            "Barras empilhadas: para cada semana (a partir da segunda-feira) de {} a {}, os pedidos recebidos divididos entre atendidos, atendidos por mensagens, não comparecimentos, cancelados, indeferidos e em aberto. Os mesmos números estão na tabela a seguir.",
            short_date(indicators.from),
            short_date(indicators.to)
        ),
        &weeks,
        &series,
    );
    let weekly_table: Vec<_> = indicators
        .weeks
        .iter()
        .zip(&weeks)
        .map(|(week, label)| {
            context! {
                week => label,
                attended => week.attended,
                by_message => week.by_message,
                no_show => week.no_show,
                cancelled => week.cancelled,
                rejected => week.rejected,
                open => week.open,
            }
        })
        .collect();
    let triage_chart = charts::bars(
        "grafico-triagem",
        "Tempo até a primeira resposta, em horas de expediente",
        "Barras horizontais: quantos pedidos tiveram a primeira resposta (análise ou indeferimento) em cada faixa de horas de expediente. Os mesmos números estão na tabela a seguir.",
        &indicators.triage_distribution,
        "#0b4f8a",
    );
    context! {
        rows => ser(rows),
        total => ser(Row::new("Total".into(), &indicators.total)),
        period => format!("{} a {}", short_date(indicators.from), short_date(indicators.to)),
        target_hours => indicators.target_hours,
        weekly_chart,
        weekly_table,
        triage_chart,
        triage_table => indicators
            .triage_distribution
            .iter()
            .map(|(label, n)| context! { label => *label, n => *n })
            .collect::<Vec<_>>(),
    }
}

/// The same figures as the page, as CSV, for spreadsheets.
async fn csv(
    State(app): State<App>,
    panel: PanelUser,
    PageQuery(query): PageQuery<IndicatorsQuery>,
) -> Response {
    let Asked {
        from,
        to,
        zone,
        errors,
    } = asked(&query);
    let indicators = match app.indicators(&panel.user, from, to, zone, errors).await {
        Ok(indicators) => indicators,
        Err(error) => return render_error(error),
    };
    match indicators.to_csv() {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"indicadores-{}-{}.csv\"",
                        indicators.from, indicators.to
                    ),
                ),
            ],
            body,
        )
            .into_response(),
        Err(error) => render_error(AppError::Internal(error.into())),
    }
}
