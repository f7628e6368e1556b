//! Staff sessions in the panel: a cookie holding a random token (only its hash is stored,
//! in the same table as API tokens), and CSRF tokens derived from it.
//!
//! The cookie is HttpOnly and SameSite=Lax, Secure when the service is public over https,
//! and replaced at every sign-in (no fixation). Every panel form carries a CSRF token that
//! only the holder of the session cookie can know: a hash of the session token.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, OriginalUri, Request},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use std::net::IpAddr;

use super::forms::FormFields;
use crate::{
    app::{App, AppError, StaffUser},
    store::SessionKind,
    tokens::{RandomError, SigningKey, Token},
};

pub const SESSION_COOKIE: &str = "contato_sessao";
/// The sign-in form's cookie. Over https it is a `__Host-` cookie: browsers keep it only as
/// this very host set it (secure, no domain, path `/`), so a sibling subdomain cannot plant one.
const LOGIN_CSRF_COOKIE: &str = "contato_login";
const LOGIN_CSRF_HOST_COOKIE: &str = "__Host-contato_login";
const PANEL_PATH: &str = "/painel";

/// The signed-in staff member of a panel page, with the CSRF token its forms carry.
pub struct PanelUser {
    pub user: StaffUser,
    pub csrf: String,
    pub session_token: String,
}

impl FromRequestParts<App> for PanelUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|cookie| cookie.value().to_string());
        if let Some(token) = token {
            match app.staff_for_token(&token, SessionKind::Web).await {
                Ok(user) => {
                    return Ok(PanelUser {
                        csrf: csrf_for(&token),
                        user,
                        session_token: token,
                    });
                }
                Err(AppError::Unauthorized) => {}
                Err(error) => return Err(super::render_error(error)),
            }
        }
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.to_string(), |uri| uri.0.to_string());
        // A form posted after the session ended cannot be replayed: go back to the page it
        // came from (a request's actions post to its page + "/acao"), or to the inbox.
        let path = if parts.method == axum::http::Method::GET {
            path
        } else {
            path.strip_suffix("/acao")
                .filter(|page| page.starts_with("/painel/solicitacoes/"))
                .map_or_else(|| "/painel".to_string(), str::to_string)
        };
        let back = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
        Err(Redirect::to(&format!("/painel/entrar?volta={back}")).into_response())
    }
}

impl PanelUser {
    /// The fields of a form this staff member posted, if it carries their session's CSRF
    /// token; a forged form, or one from a page open for too long, gets the "form expired"
    /// page. The only place the token of a panel form is checked.
    pub async fn form_fields(&self, request: Request, app: &App) -> Result<FormFields, Response> {
        let body = Bytes::from_request(request, app)
            .await
            .map_err(|_| super::forbidden())?;
        let fields = FormFields::parse(&body);
        if !same(&self.csrf, &fields.text("csrf")) {
            return Err(super::forbidden());
        }
        Ok(fields)
    }
}

/// A form posted from a panel page by its signed-in staff member: the way a panel handler
/// reads a form (admin pages use `AdminForm`, built the same way), so none can forget the
/// CSRF check.
pub struct PanelForm {
    pub panel: PanelUser,
    pub fields: FormFields,
}

impl FromRequest<App> for PanelForm {
    type Rejection = Response;

    async fn from_request(request: Request, app: &App) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let panel = PanelUser::from_request_parts(&mut parts, app).await?;
        let fields = panel
            .form_fields(Request::from_parts(parts, body), app)
            .await?;
        Ok(PanelForm { panel, fields })
    }
}

/// The CSRF token of a session: knowable only with the session cookie.
pub fn csrf_for(session_token: &str) -> String {
    let digest = Sha256::digest(format!("contato-csrf:{session_token}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

pub fn same(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

/// The session cookie, living as long as the session.
pub fn session_cookie(token: String, max_age_hours: u32, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path(PANEL_PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_hours(max_age_hours))
        .build()
}

/// The sign-in form's token: a random value signed with the service's key for the address
/// the form was given to (there is no session yet to derive one from). A token the service
/// gave someone else, planted as a cookie, does not hold for another address; a made-up one
/// holds for none.
pub fn sign_in_token(key: &SigningKey, client: IpAddr) -> Result<String, RandomError> {
    let nonce = Token::tracking()?;
    let signature = key.sign(&[SIGN_IN_PURPOSE, nonce.expose(), &client.to_string()]);
    Ok(format!("{}.{signature}", nonce.expose()))
}

/// Whether the form's token and the cookie's are one and the service signed it for `client`.
pub fn sign_in_token_holds(
    key: &SigningKey,
    client: IpAddr,
    cookie: &str,
    submitted: &str,
) -> bool {
    let Some((nonce, signature)) = cookie.split_once('.') else {
        return false;
    };
    same(cookie, submitted) && key.verify(&[SIGN_IN_PURPOSE, nonce, &client.to_string()], signature)
}

const SIGN_IN_PURPOSE: &str = "contato sign-in form";

/// The sign-in form's cookie as `jar` holds it.
pub fn login_cookie_value(jar: &CookieJar, secure: bool) -> Option<String> {
    jar.get(login_cookie_name(secure))
        .map(|cookie| cookie.value().to_string())
}

/// The sign-in form's cookie, carrying its token.
pub fn login_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((login_cookie_name(secure), token))
        .path(if secure { "/" } else { PANEL_PATH })
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

/// Removes the sign-in form's cookie once its form has served.
pub fn login_cookie_removal(secure: bool) -> Cookie<'static> {
    Cookie::build((login_cookie_name(secure), ""))
        .path(if secure { "/" } else { PANEL_PATH })
        .build()
}

fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        LOGIN_CSRF_HOST_COOKIE
    } else {
        LOGIN_CSRF_COOKIE
    }
}

pub fn removal(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, "")).path(PANEL_PATH).build()
}

fn time_hours(hours: u32) -> cookie::time::Duration {
    cookie::time::Duration::hours(hours.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_are_stable_per_session_and_differ_between_sessions() {
        assert_eq!(csrf_for("a"), csrf_for("a"));
        assert_ne!(csrf_for("a"), csrf_for("b"));
        assert_eq!(csrf_for("a").len(), 32);
        assert!(same(&csrf_for("a"), &csrf_for("a")));
        assert!(!same(&csrf_for("a"), ""));
        assert!(!same("", ""), "an empty token never matches");
    }

    #[test]
    fn the_session_cookie_is_locked_down() {
        let cookie = session_cookie("t".into(), 12, true).to_string();
        for part in [
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/painel",
            "Max-Age=43200",
        ] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(
            !session_cookie("t".into(), 12, false)
                .to_string()
                .contains("Secure")
        );
    }
}
