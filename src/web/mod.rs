//! Server-rendered pages in Brazilian Portuguese, usable without JavaScript: the public form
//! and tracking page (`public`), and the staff panel (`panel`). They call the same use cases
//! as the JSON API.

mod forms;
mod pages;
mod panel;
mod public;
mod query;
mod session;

use axum::{Router, http::StatusCode, response::Response};
use minijinja::context;

use crate::app::{App, AppError};

pub use pages::pages;

pub fn router() -> Router<App> {
    Router::new().merge(public::router()).merge(panel::router())
}

/// A form without a valid CSRF token (forged, or from a page open for too long).
fn forbidden() -> Response {
    pages().render(
        StatusCode::FORBIDDEN,
        "erro.html",
        context! {
            title => "Formulário expirado",
            message => "Este formulário não é mais válido. Recarregue a página e tente de novo.",
        },
    )
}

/// The page for a use case that failed, in words a member of the public understands.
fn render_error(error: AppError) -> Response {
    let (status, title, message) = match error {
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "Pedido não encontrado",
            "Confira se o endereço é o mesmo do link recebido por e-mail.".to_string(),
        ),
        AppError::RateLimited(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Muitos envios em pouco tempo",
            format!(
                "Aguarde {} segundos e tente de novo.",
                wait.as_secs().max(1)
            ),
        ),
        AppError::Invalid(_) => (
            StatusCode::BAD_REQUEST,
            "Não foi possível ler o formulário",
            "Volte à página anterior e envie o formulário de novo.".to_string(),
        ),
        AppError::Refused(refusal) => (
            match refusal.field() {
                Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
                None => StatusCode::CONFLICT,
            },
            "Não foi possível concluir",
            refusal.to_string(),
        ),
        AppError::Unauthorized | AppError::Forbidden => (
            StatusCode::FORBIDDEN,
            "Acesso não permitido",
            "Esta página é restrita.".to_string(),
        ),
        AppError::CalendarUnavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Agenda indisponível",
            "Não foi possível consultar a agenda agora. Tente novamente em instantes.".to_string(),
        ),
        error @ (AppError::Store(_) | AppError::Internal(_)) => {
            tracing::error!(error = format!("{error:#}"), "page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erro interno",
                "Não foi possível concluir agora. Tente novamente em instantes.".to_string(),
            )
        }
    };
    pages().render(status, "erro.html", context! { title, message })
}
