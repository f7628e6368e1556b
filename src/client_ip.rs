//! The address a request comes from, for the abuse limits of the JSON API and the pages
//! alike.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{StatusCode, request::Parts},
};

use crate::app::App;

/// The peer, or, when the service is configured to sit behind a trusted proxy, the last
/// `X-Forwarded-For` entry. That is the one the proxy appended; entries before it come from
/// the client, which could put anything there to escape the limits.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<App> for ClientIp {
    /// Only a server started without peer addresses lacks one: a fault of the service.
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, state: &App) -> Result<Self, StatusCode> {
        if state.settings.server.trust_forwarded_for
            && let Some(ip) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|last| last.trim().parse::<IpAddr>().ok())
        {
            return Ok(ClientIp(ip));
        }
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(address)) => Ok(ClientIp(address.ip())),
            None => {
                tracing::error!("the server runs without peer addresses");
                Err(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}
