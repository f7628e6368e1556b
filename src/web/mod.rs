//! Server-rendered pages in Brazilian Portuguese, usable without JavaScript: the public form
//! and tracking page (`public`), the privacy notice (`privacy`), and the staff panel
//! (`panel`). They call the same use cases
//! as the JSON API.

mod charts;
mod forms;
mod pages;
mod panel;
mod privacy;
mod public;
mod query;
mod queue;
mod session;
mod slots;
mod survey;

use axum::{Router, http::StatusCode, response::Response};
use minijinja::context;

use crate::app::{App, AppError};

pub use pages::pages;

pub fn router() -> Router<App> {
    Router::new()
        .merge(public::router())
        .merge(privacy::router())
        .merge(queue::router())
        .merge(survey::router())
        .merge(panel::router())
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

/// The page of an address that names nothing.
pub fn not_found() -> Response {
    pages().render(
        StatusCode::NOT_FOUND,
        "erro.html",
        context! {
            title => "Página não encontrada",
            message => "Confira o endereço. Se você seguiu um link recebido por e-mail, copie-o inteiro.",
        },
    )
}

/// The page of a method an address does not take (a form sent where none is expected).
pub fn method_not_allowed() -> Response {
    pages().render(
        StatusCode::METHOD_NOT_ALLOWED,
        "erro.html",
        context! {
            title => "Ação não disponível",
            message => "Este endereço não recebe formulários. Volte à página anterior e siga os links dela.",
        },
    )
}

/// The page of a form whose content did not arrive whole in time (a connection that stalled).
pub fn request_timeout() -> Response {
    pages().render(
        StatusCode::REQUEST_TIMEOUT,
        "erro.html",
        context! {
            title => "Envio interrompido",
            message => "O formulário não chegou inteiro a tempo. Confira sua conexão e envie de novo.",
        },
    )
}

/// The page for a use case that failed, in words a member of the public understands.
fn render_error(error: AppError) -> Response {
    let wait = match &error {
        AppError::RateLimited(wait) => Some(*wait),
        _ => None,
    };
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
        AppError::Queue(refusal) => (
            StatusCode::CONFLICT,
            "Não foi possível concluir",
            refusal.to_string(),
        ),
        AppError::Thread(refusal) => (
            StatusCode::CONFLICT,
            "Não foi possível enviar a mensagem",
            refusal.to_string(),
        ),
        AppError::Survey(refusal) => (
            StatusCode::CONFLICT,
            "Não foi possível registrar a avaliação",
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
    let page = pages().render(status, "erro.html", context! { title, message });
    match wait {
        Some(wait) => with_retry_after(page, wait),
        None => page,
    }
}

/// A 429 says when to come back, in whole seconds, as the API's does.
pub(crate) fn with_retry_after(mut response: Response, wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, seconds.into());
    response
}
