//! A request's thread of written messages: the requester's side with the tracking token, the
//! staff's within their zones. Text only, 1 to 4000 characters; none once the request is final.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth_api::Staff,
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, PathParam, QueryParams},
    public_api::TokenQuery,
};
use crate::{
    app::{App, AppError},
    domain::field_errors::FieldErrors,
    store::MessageRecord,
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(requester_thread, requester_post))
        .routes(routes!(staff_thread, staff_post))
}

/// One message of a thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    /// `requester` or `staff`.
    #[schema(example = "requester")]
    pub from: &'static str,
    /// Plain text, never markup; line breaks are `\n`.
    pub text: String,
    pub at: DateTime<Utc>,
    /// For staff: the clerk who wrote a `staff` message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_name: Option<String>,
}

impl MessageView {
    fn for_requester(message: MessageRecord) -> MessageView {
        MessageView {
            staff_name: None,
            ..MessageView::for_staff(message)
        }
    }

    pub(in crate::http) fn for_staff(message: MessageRecord) -> MessageView {
        MessageView {
            id: message.id,
            from: message.author.as_str(),
            text: message.text,
            at: message.at,
            staff_name: message.staff_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadView {
    /// Oldest first.
    pub messages: Vec<MessageView>,
}

/// A new message.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MessageBody {
    /// 1 to 4000 characters of text; no attachments.
    #[schema(value_type = String, example = "Bom dia. Meu título está cancelado?")]
    #[serde(default)]
    pub text: Field<String>,
}

impl MessageBody {
    fn text(self) -> Result<Option<String>, ApiError> {
        let mut errors = FieldErrors::new();
        let text = self.text.take("text", "um texto", &mut errors);
        if errors.is_empty() {
            Ok(text)
        } else {
            Err(AppError::Invalid(errors).into())
        }
    }
}

/// The request's thread with the court, for its requester.
#[utoipa::path(get, path = "/api/v1/requests/{protocol}/messages", tag = "public",
    params(("protocol" = String, Path), TokenQuery),
    responses(
        (status = 200, body = ThreadView),
        (status = 404, body = ErrorBody, description = "unknown protocol, or a wrong or missing token"),
    ))]
async fn requester_thread(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
) -> Result<Json<ThreadView>, ApiError> {
    let token = query.token.unwrap_or_default();
    let messages = app.requester_thread(&protocol, &token).await?;
    Ok(Json(ThreadView {
        messages: messages
            .into_iter()
            .map(MessageView::for_requester)
            .collect(),
    }))
}

/// The requester writes to the court. The zone is e-mailed (messages written within
/// `messages.notice_delay_minutes` of each other share one e-mail).
#[utoipa::path(post, path = "/api/v1/requests/{protocol}/messages", tag = "public",
    params(("protocol" = String, Path), TokenQuery), request_body = MessageBody,
    responses(
        (status = 201, body = MessageView),
        (status = 400, body = ErrorBody, description = "the body is not a JSON object"),
        (status = 404, body = ErrorBody, description = "unknown protocol, or a wrong or missing token"),
        (status = 409, body = ErrorBody, description = "`request_closed`: the request is final; nothing written"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "`text` empty, over 4000 characters or with invisible characters; nothing written"),
    ))]
async fn requester_post(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let token = query.token.unwrap_or_default();
    let text = body.text()?;
    let posted = app
        .post_by_requester(&protocol, &token, text.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MessageView::for_requester(posted)),
    ))
}

/// A request's thread. Reading it marks the requester's messages read.
#[utoipa::path(get, path = "/api/v1/staff/requests/{id}/messages", tag = "staff",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = ThreadView),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such request in the caller's zones"),
    ))]
async fn staff_thread(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(id): PathParam<i64>,
) -> Result<Json<ThreadView>, ApiError> {
    let messages = app.staff_thread(&user, id).await?;
    Ok(Json(ThreadView {
        messages: messages.into_iter().map(MessageView::for_staff).collect(),
    }))
}

/// A clerk writes to the requester, who is e-mailed (batched like the requester's).
#[utoipa::path(post, path = "/api/v1/staff/requests/{id}/messages", tag = "staff",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = MessageBody,
    responses(
        (status = 201, body = MessageView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such request in the caller's zones"),
        (status = 409, body = ErrorBody, description = "`request_closed`: the request is final; nothing written"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "`text` empty, over 4000 characters or with invisible characters; nothing written"),
    ))]
async fn staff_post(
    State(app): State<App>,
    Staff(user): Staff,
    PathParam(id): PathParam<i64>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let text = body.text()?;
    let posted = app.post_by_staff(&user, id, text.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(MessageView::for_staff(posted))))
}
