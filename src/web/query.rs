//! Query strings of pages: a malformed one (a link cut short, a hand-edited address) gets a
//! page in Portuguese, where the JSON API's extractor would answer with JSON.

use axum::{
    extract::{FromRequestParts, Path},
    http::{StatusCode, request::Parts},
    response::Response,
};
use minijinja::context;
use serde::de::DeserializeOwned;

use super::pages::pages;

pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or_default())
            .map(PageQuery)
            .map_err(|error| {
                tracing::debug!(%error, "malformed page query");
                pages().render(
                    StatusCode::BAD_REQUEST,
                    "erro.html",
                    context! {
                        title => "Endereço inválido",
                        message => "O endereço desta página está incompleto ou foi alterado. Volte à página anterior e siga o link de novo.",
                    },
                )
            })
    }
}

/// A path parameter of a page. One that does not parse (a letter where a number goes, a
/// broken percent-encoding) names no page: the Portuguese "not found" page.
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PagePath(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "page path parameter that does not parse");
                Err(super::not_found())
            }
        }
    }
}
