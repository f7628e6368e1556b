//! The page templates (`src/web/templates/`), compiled in, and the stylesheet.

use std::sync::{Arc, OnceLock};

use axum::{
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use minijinja::{AutoEscape, Environment, Value};
use sha2::{Digest, Sha256};

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "base.html",
    "macros.html",
    "index.html",
    "solicitar.html",
    "recebida.html",
    "acompanhar.html",
    "acompanhar_inicio.html",
    "cancelar.html",
    "avaliar.html",
    "privacidade.html",
    "erro.html",
    "atendimento_agora.html",
    "atendimento_zona.html",
    "fila.html",
    "painel/fila.html",
    "painel/entrar.html",
    "painel/inbox.html",
    "painel/detalhe.html",
    "painel/agenda.html",
    "painel/indicadores.html",
    "painel/admin/index.html",
    "painel/admin/zonas.html",
    "painel/admin/zona.html",
    "painel/admin/plantoes.html",
    "painel/admin/equipe.html",
    "painel/admin/pessoa.html",
    "painel/admin/feriados.html",
    "painel/admin/tarefas.html",
    "painel/admin/titulares.html",
);

pub const CSS: &str = include_str!("static/contato.css");

/// The stylesheet's address carries a hash of its content, so browsers may keep it for a
/// year and still get a new one with each release.
pub fn css_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let digest = Sha256::digest(CSS.as_bytes());
        let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        format!("/static/contato.css?v={short}")
    })
}

/// The pages of this process (compiled in, so one set serves every request).
pub fn pages() -> &'static Pages {
    static PAGES: OnceLock<Pages> = OnceLock::new();
    PAGES.get_or_init(Pages::new)
}

#[derive(Clone)]
pub struct Pages {
    env: Arc<Environment<'static>>,
}

impl Pages {
    pub fn new() -> Pages {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        for (name, source) in TEMPLATES {
            // The templates are compiled in and rendered by the tests: a syntax error here
            // is caught before any release.
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(template = name, %error, "page template does not compile");
            }
        }
        Pages { env: Arc::new(env) }
    }

    /// Renders `template` with `context` (to which the stylesheet's address is added).
    pub fn render(&self, status: StatusCode, template: &str, context: Value) -> Response {
        let context = minijinja::context! { css_url => css_url(), ..context };
        match self
            .env
            .get_template(template)
            .and_then(|t| t.render(context))
        {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(
                    template,
                    error = format!("{error:#}"),
                    "page rendering failed"
                );
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!DOCTYPE html><html lang=\"pt-BR\"><title>Erro</title><p>Erro interno. Tente novamente em instantes.</p></html>"),
                )
                    .into_response()
            }
        }
    }
}

impl Default for Pages {
    fn default() -> Self {
        Pages::new()
    }
}

/// Any serializable value, for a template's context.
pub fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
        .into_response()
}
