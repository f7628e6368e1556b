//! Signing in and out of the panel.

use std::net::IpAddr;

use axum::{
    Router,
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use minijinja::context;
use serde::Deserialize;

use crate::{
    app::{App, AppError},
    client_ip::ClientIp,
    store::SessionKind,
    web::{
        forms::FormFields,
        pages::pages,
        query::PageQuery,
        render_error,
        session::{
            PanelForm, SESSION_COOKIE, login_cookie, login_cookie_removal, login_cookie_value,
            removal, session_cookie, sign_in_token, sign_in_token_holds,
        },
        with_retry_after,
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/entrar", get(form).post(sign_in))
        .route("/painel/sair", post(sign_out))
}

#[derive(Debug, Deserialize)]
struct Back {
    volta: Option<String>,
}

/// Only a panel address: never send a person elsewhere after signing in.
fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(path)
            if path.starts_with("/painel")
                && !path.starts_with("/painel/entrar")
                && !path.contains("//")
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/painel".to_string(),
    }
}

fn secure(app: &App) -> bool {
    app.settings.server.public_url.scheme() == "https"
}

async fn form(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    jar: CookieJar,
    PageQuery(back): PageQuery<Back>,
) -> Response {
    render(
        &app,
        jar,
        client,
        StatusCode::OK,
        &safe_back(back.volta.as_deref()),
        "",
        None,
    )
}

fn render(
    app: &App,
    jar: CookieJar,
    client: IpAddr,
    status: StatusCode,
    back: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let csrf = match sign_in_token(&app.signing_key, client) {
        Ok(token) => token,
        Err(error) => return render_error(AppError::Internal(error.into())),
    };
    let jar = jar.add(login_cookie(csrf.clone(), secure(app)));
    let page = pages().render(
        status,
        "painel/entrar.html",
        context! { section => "login", csrf, back, email, error },
    );
    (jar, page).into_response()
}

/// The sign-in form, if it carries the token of its cookie, signed by the service for this
/// address; otherwise the form again, with a fresh token.
struct SignInForm {
    jar: CookieJar,
    client: IpAddr,
    fields: FormFields,
    back: String,
}

impl FromRequest<App> for SignInForm {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let ClientIp(client) = ClientIp::from_request_parts(&mut parts, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let jar = CookieJar::from_headers(&parts.headers);
        let body = Bytes::from_request(Request::from_parts(parts, body), app)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = FormFields::parse(&body);
        let back = safe_back(fields.optional("volta").as_deref());
        let cookie = login_cookie_value(&jar, secure(app)).unwrap_or_default();
        if !sign_in_token_holds(&app.signing_key, client, &cookie, &fields.text("csrf")) {
            let email = fields.text("email");
            let expired = Some("A página expirou. Entre de novo.");
            let page = render(
                app,
                jar,
                client,
                StatusCode::FORBIDDEN,
                &back,
                &email,
                expired,
            );
            return Err(page);
        }
        Ok(SignInForm {
            jar,
            client,
            fields,
            back,
        })
    }
}

async fn sign_in(
    State(app): State<App>,
    SignInForm {
        jar,
        client,
        fields,
        back,
    }: SignInForm,
) -> Response {
    let email = fields.text("email");
    match app
        .sign_in(&email, &fields.text("password"), SessionKind::Web, client)
        .await
    {
        Ok(sign_in) => {
            let hours = app.settings.auth.token_ttl_hours;
            let jar = jar
                .remove(login_cookie_removal(secure(&app)))
                .add(session_cookie(
                    sign_in.token.expose().to_string(),
                    hours,
                    secure(&app),
                ));
            (jar, Redirect::to(&back)).into_response()
        }
        Err(AppError::Unauthorized) => render(
            &app,
            jar,
            client,
            StatusCode::UNAUTHORIZED,
            &back,
            &email,
            Some("E-mail ou senha incorretos."),
        ),
        Err(AppError::RateLimited(wait)) => {
            let message = format!(
                "Muitas tentativas sem sucesso. Aguarde {} minutos e tente de novo.",
                wait.as_secs().div_ceil(60).max(1)
            );
            let page = render(
                &app,
                jar,
                client,
                StatusCode::TOO_MANY_REQUESTS,
                &back,
                &email,
                Some(&message),
            );
            with_retry_after(page, wait)
        }
        Err(error) => render_error(error),
    }
}

async fn sign_out(
    State(app): State<App>,
    jar: CookieJar,
    PanelForm { panel, .. }: PanelForm,
) -> Response {
    if let Err(error) = app.sign_out(&panel.session_token).await {
        return render_error(error);
    }
    let jar = jar.remove(removal(SESSION_COOKIE));
    (jar, Redirect::to("/painel/entrar")).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn only_panel_addresses_are_returned_to() {
        let cases = [
            (Some("/painel/solicitacoes/3"), "/painel/solicitacoes/3"),
            (Some("/painel?situacao=triaged"), "/painel?situacao=triaged"),
            (Some("https://evil.example/painel"), "/painel"),
            (Some("//evil.example/painel"), "/painel"),
            (Some("/painel//evil.example"), "/painel"),
            (Some("/painel/entrar"), "/painel"),
            (Some("/"), "/painel"),
            (None, "/painel"),
        ];
        for (back, expected) in cases {
            assert_eq!(safe_back(back), expected, "{back:?}");
        }
    }
}
