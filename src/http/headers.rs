//! Security headers on every response, and no caching unless a response asks for it.

use axum::{
    extract::State,
    http::{HeaderName, HeaderValue, header},
    response::Response,
};

/// Pages use only their own styles and scripts; nothing may frame them.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // Tracking links carry a secret token: never send it to another site as a referrer.
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// Whether the service is reached over https (its `server.public_url`).
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

/// Over https, browsers are told to use nothing else for a year: a cookie can then be neither
/// read nor planted by whoever sits on a plain-http connection.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

pub async fn secure(State(Https(https)): State<Https>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    for (name, value) in HEADERS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    // Answers carry personal data and tracking tokens: no shared or back-button cache keeps
    // them. The stylesheet sets its own, long-lived policy.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
