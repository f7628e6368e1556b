//! The clerks' side of same-day service: a zone's queue in serving order, "Chamar próximo",
//! and ending each call as attended or missed.

use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::base;
use crate::{
    app::{App, AppError, QueueEntry},
    domain::{
        dates::local_time,
        queue::{TicketStatus, minutes_to_join},
        staff::Role,
    },
    web::{
        pages::{pages, ser},
        query::{PagePath, PageQuery},
        render_error,
        session::{PanelForm, PanelUser},
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/fila", get(show))
        .route("/painel/fila/{zone}/chamar", post(call))
        .route("/painel/fila/chamadas/{id}/encerrar", post(finish))
}

#[derive(Debug, Deserialize)]
struct QueueQuery {
    zona: Option<String>,
    feito: Option<String>,
}

#[derive(Serialize)]
struct TicketRow {
    id: i64,
    name: String,
    subject: String,
    badge: Option<&'static str>,
    category: Option<&'static str>,
    position: Option<u32>,
    joined: String,
    waiting_minutes: i64,
    called: Option<String>,
    meet_link: Option<String>,
    /// Minutes before the person may be marked missed; 0 once they may.
    grace_left: i64,
}

async fn show(
    State(app): State<App>,
    panel: PanelUser,
    PageQuery(query): PageQuery<QueueQuery>,
) -> Response {
    let zone = query
        .zona
        .as_deref()
        .and_then(|z| z.trim().parse::<i32>().ok());
    let done = match query.feito.as_deref() {
        Some("chamado") => Some("Pessoa chamada. O link da reunião foi enviado a ela."),
        Some("atendido") => Some("Atendimento registrado."),
        Some("ausente") => Some("Registrado que a pessoa não compareceu."),
        _ => None,
    };
    render(
        &app,
        &panel,
        zone,
        StatusCode::OK,
        done.map(|m| ("ok", m.to_string())),
    )
    .await
}

async fn render(
    app: &App,
    panel: &PanelUser,
    zone: Option<i32>,
    status: StatusCode,
    message: Option<(&'static str, String)>,
) -> Response {
    let reference = match app.reference.get().await {
        Ok(reference) => reference,
        Err(error) => return render_error(AppError::Store(error)),
    };
    let zones: Vec<(i32, String)> = reference
        .zones
        .iter()
        .filter(|z| panel.user.role == Role::Admin || panel.user.zones.contains(&z.number))
        .map(|z| (z.number, z.name.clone()))
        .collect();
    let Some(zone) = zone
        .filter(|zone| zones.iter().any(|(number, _)| number == zone))
        .or_else(|| zones.first().map(|(number, _)| *number))
    else {
        return pages().render(
            status,
            "painel/fila.html",
            context! { zones => ser(&zones), message => message.map(|m| m.1), ..base(panel, "queue") },
        );
    };
    let counter = match app.counter(zone).await {
        Ok(counter) => counter,
        Err(error) => return render_error(error),
    };
    let tickets = match app.staff_queue(&panel.user, zone).await {
        Ok(tickets) => tickets,
        Err(error) => return render_error(error),
    };
    let now = app.now();
    let grace = app.queue_grace();
    let rows: Vec<TicketRow> = tickets
        .into_iter()
        .map(|QueueEntry { ticket, position }| TicketRow {
            id: ticket.id,
            badge: ticket.preferential.map(|p| p.badge()),
            category: ticket.preferential.map(|p| p.label()),
            position,
            joined: local_time(ticket.joined_at),
            waiting_minutes: (now - ticket.joined_at).num_minutes().max(0),
            called: ticket.called_at.map(local_time),
            grace_left: ticket
                .called_at
                .map_or(0, |called| minutes_to_join(called, now, grace)),
            meet_link: ticket.meet_link,
            name: ticket.name,
            subject: ticket.subject,
        })
        .collect();
    let (called, waiting): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|row| row.called.is_some());
    let zone_name = zones
        .iter()
        .find(|(number, _)| *number == zone)
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    let needs_room = app.policy.source == crate::domain::change::MeetingSource::Manual
        && reference.zone(zone).is_some_and(|z| z.room_link.is_none());
    pages().render(
        status,
        "painel/fila.html",
        context! {
            zones => ser(&zones),
            zone,
            zone_name,
            open => counter.state.open,
            closes => counter.state.session.filter(|_| counter.state.open).map(|s| local_time(s.closes)),
            called => ser(called),
            waiting => ser(waiting),
            grace_minutes => app.settings.queue.grace_minutes,
            needs_room,
            updated => local_time(now),
            message_kind => message.as_ref().map(|m| m.0),
            message => message.map(|m| m.1),
            ..base(panel, "queue")
        },
    )
}

async fn call(
    State(app): State<App>,
    PagePath(zone): PagePath<i32>,
    PanelForm { panel, fields }: PanelForm,
) -> Response {
    let link = fields.optional("meet_link");
    match app.call_next(&panel.user, zone, link.as_deref()).await {
        Ok(_) => Redirect::to(&format!("/painel/fila?zona={zone}&feito=chamado")).into_response(),
        Err(AppError::NotFound) if panel.user.may_see_zone(zone) => {
            let message = "Ninguém está aguardando nesta fila.".to_string();
            render(
                &app,
                &panel,
                Some(zone),
                StatusCode::NOT_FOUND,
                Some(("warn", message)),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors
                .get("meet_link")
                .and_then(|m| m.first())
                .cloned()
                .unwrap_or_else(|| "Confira o link da sala.".to_string());
            render(
                &app,
                &panel,
                Some(zone),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("error", message)),
            )
            .await
        }
        Err(error) => render_error(error),
    }
}

async fn finish(
    State(app): State<App>,
    PagePath(id): PagePath<i64>,
    PanelForm { panel, fields }: PanelForm,
) -> Response {
    let outcome = fields.text("outcome");
    let zone = fields.text("zone").trim().parse::<i32>().ok();
    match app
        .finish_call(&panel.user, id, Some(outcome.as_str()))
        .await
    {
        Ok(ticket) => {
            let done = if ticket.status == TicketStatus::Attended {
                "atendido"
            } else {
                "ausente"
            };
            Redirect::to(&format!("/painel/fila?zona={}&feito={done}", ticket.zone)).into_response()
        }
        Err(AppError::Queue(refusal)) => {
            render(
                &app,
                &panel,
                zone,
                StatusCode::CONFLICT,
                Some(("warn", refusal.to_string())),
            )
            .await
        }
        Err(AppError::Invalid(_)) => {
            let message = "Escolha se a pessoa foi atendida ou não compareceu.".to_string();
            render(
                &app,
                &panel,
                zone,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("error", message)),
            )
            .await
        }
        Err(error) => render_error(error),
    }
}
