//! The staff panel: sign-in, the inbox of one's zones, a request's page with its actions,
//! the day's agenda, and the admin pages.

mod admin;
mod agenda;
mod inbox;
mod login;
mod request;

use axum::Router;
use minijinja::{Value, context};

use super::session::PanelUser;
use crate::{app::App, domain::staff::Role};

pub fn router() -> Router<App> {
    Router::new()
        .merge(login::router())
        .merge(inbox::router())
        .merge(request::router())
        .merge(agenda::router())
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

/// An outbox job's kind, as staff read it.
pub(super) fn job_label(kind: &str) -> &'static str {
    match kind {
        "email.request_received" => "E-mail: pedido recebido",
        "email.new_request" => "E-mail: aviso à zona",
        "email.rejected" => "E-mail: indeferimento",
        "email.scheduled" => "E-mail: atendimento marcado",
        "email.rescheduled" => "E-mail: atendimento remarcado",
        "email.cancelled" => "E-mail: cancelamento",
        "email.reminder" => "E-mail: lembrete",
        "email.done" => "E-mail: conclusão",
        "meeting.create" => "Google Agenda: criar reunião",
        "meeting.update" => "Google Agenda: mover reunião",
        "meeting.delete" => "Google Agenda: excluir reunião",
        _ => "Tarefa",
    }
}
