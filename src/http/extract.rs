//! Extractors whose failures become `ApiError`s: a JSON body that reports wrong types per
//! field (422) instead of failing whole, and query strings.

use axum::{
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, OptionalFromRequest, Path, Request,
        rejection::BytesRejection,
    },
    http::{header, request::Parts},
};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};

use super::error::ApiError;
use crate::app::App;
use crate::domain::field_errors::FieldErrors;

/// Bodies above this are refused with 413 before they are read.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON object body. Syntax errors are 400, another content type 415, a body over 64 KiB
/// 413; fields of the wrong type are kept as [`Field::Invalid`] and reported per field.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &App) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(_) => ApiError::PayloadTooLarge,
                    other => ApiError::BadRequest(other.body_text()),
                })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|error| ApiError::BadRequest(format!("JSON inválido: {error}")))?;
        if !value.is_object() {
            return Err(ApiError::BadRequest(
                "O corpo deve ser um objeto JSON.".into(),
            ));
        }
        // Every field of the target types is a `Field`, so this cannot fail on types.
        let parsed = T::deserialize(value)
            .map_err(|error| ApiError::BadRequest(format!("JSON inválido: {error}")))?;
        Ok(JsonBody(parsed))
    }
}

/// A body that may be left out: a request with no body and no content type is `None`; any
/// other is read as [`JsonBody`] is.
impl<T: DeserializeOwned> OptionalFromRequest<App> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &App) -> Result<Option<Self>, ApiError> {
        let headers = request.headers();
        let declared_empty = match headers.get(header::CONTENT_LENGTH) {
            Some(length) => length.as_bytes() == b"0",
            None => !headers.contains_key(header::TRANSFER_ENCODING),
        };
        if declared_empty && !headers.contains_key(header::CONTENT_TYPE) {
            return Ok(None);
        }
        <JsonBody<T> as FromRequest<App>>::from_request(request, state)
            .await
            .map(Some)
    }
}

/// One field of a JSON body: absent (or null), present with the expected type, or present
/// with another type (kept to report it under the field's name).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Missing,
    Invalid,
    Value(T),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Missing);
        }
        Ok(T::deserialize(value).map_or(Field::Invalid, Field::Value))
    }
}

impl<T> Field<T> {
    /// The value, recording "wrong type" under `name` when it had one.
    pub fn take(self, name: &str, expected: &str, errors: &mut FieldErrors) -> Option<T> {
        match self {
            Field::Missing => None,
            Field::Invalid => {
                errors.add(name, format!("Tipo inválido: esperado {expected}."));
                None
            }
            Field::Value(value) => Some(value),
        }
    }
}

/// A query string; a malformed one is a 400 that names the problem.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|error| ApiError::BadRequest(format!("Parâmetros inválidos: {error}")))
    }
}

/// A path parameter. One that does not parse (`/api/v1/staff/requests/abc`, a broken
/// percent-encoding) names nothing: the API's JSON 404, like any unknown address.
pub struct PathParam<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParam(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "path parameter that does not parse");
                Err(ApiError::NotFound)
            }
        }
    }
}
