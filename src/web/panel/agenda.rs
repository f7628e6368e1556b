//! The day's meetings, per zone and per clerk.

use std::collections::BTreeMap;

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::base;
use crate::{
    app::App,
    domain::dates::{local_time, long_date},
    web::{
        pages::{pages, ser},
        query::PageQuery,
        render_error,
        session::PanelUser,
    },
};

pub fn router() -> Router<App> {
    Router::new().route("/painel/agenda", get(agenda))
}

#[derive(Debug, Deserialize)]
struct AgendaQuery {
    dia: Option<NaiveDate>,
    zona: Option<String>,
}

#[derive(Serialize)]
struct Meeting {
    id: i64,
    protocol: String,
    name: String,
    subject: String,
    start: String,
    end: String,
    link: Option<String>,
}

#[derive(Serialize)]
struct ClerkAgenda {
    clerk: String,
    meetings: Vec<Meeting>,
}

#[derive(Serialize)]
struct ZoneAgenda {
    zone: i32,
    clerks: Vec<ClerkAgenda>,
}

async fn agenda(
    State(app): State<App>,
    panel: PanelUser,
    PageQuery(query): PageQuery<AgendaQuery>,
) -> Response {
    let day = query.dia.unwrap_or_else(|| app.today());
    let zone = query
        .zona
        .as_deref()
        .and_then(|z| z.trim().parse::<i32>().ok());
    let items = match app.agenda(&panel.user, day, zone).await {
        Ok(items) => items,
        Err(error) => return render_error(error),
    };
    let mut zones: BTreeMap<i32, BTreeMap<String, Vec<Meeting>>> = BTreeMap::new();
    for item in items {
        let clerk = item
            .assignee
            .map_or_else(|| "Sem responsável".to_string(), |(_, name)| name);
        zones
            .entry(item.zone)
            .or_default()
            .entry(clerk)
            .or_default()
            .push(Meeting {
                id: item.id,
                protocol: item.protocol,
                name: item.name,
                subject: item.subject,
                start: local_time(item.start),
                end: local_time(item.end),
                link: item.meet_link,
            });
    }
    let zones: Vec<ZoneAgenda> = zones
        .into_iter()
        .map(|(zone, clerks)| ZoneAgenda {
            zone,
            clerks: clerks
                .into_iter()
                .map(|(clerk, meetings)| ClerkAgenda { clerk, meetings })
                .collect(),
        })
        .collect();
    pages().render(
        StatusCode::OK,
        "painel/agenda.html",
        context! {
            day => day.to_string(),
            day_label => long_date(day),
            previous => day.pred_opt().map(|d| d.to_string()),
            next => day.succ_opt().map(|d| d.to_string()),
            zone,
            zones => ser(zones),
            ..base(&panel, "agenda")
        },
    )
}
