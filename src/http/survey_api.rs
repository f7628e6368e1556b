//! The satisfaction survey's answer, from the requester with the tracking token: a rating
//! from 1 to 5 and an optional comment, once, for a request done with them attended.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    error::{ApiError, ErrorBody, ValidationBody},
    extract::{Field, JsonBody, PathParam, QueryParams},
    public_api::TokenQuery,
    views::SurveyView,
};
use crate::{
    app::App,
    domain::{field_errors::FieldErrors, survey::SurveyInput},
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(answer_survey))
}

/// An answer to the satisfaction survey.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SurveyBody {
    /// 1 (muito insatisfeito) to 5 (muito satisfeito), a JSON number.
    #[schema(value_type = i64, minimum = 1, maximum = 5, example = 5)]
    #[serde(default)]
    pub rating: Field<i64>,
    /// Up to 1000 characters, line breaks allowed; optional.
    #[schema(value_type = Option<String>, example = "Fui bem atendida, obrigada.")]
    #[serde(default)]
    pub comment: Field<String>,
}

impl SurveyBody {
    fn into_input(self, errors: &mut FieldErrors) -> SurveyInput {
        SurveyInput {
            rating: self
                .rating
                .take("rating", "um número inteiro de 1 a 5", errors),
            comment: self.comment.take("comment", "um texto", errors),
        }
    }
}

/// The requester rates the attendance they received (Lei 13.460/2017, art. 23), once. The
/// link comes in the e-mail sent when the request is completed; the zone's clerks read the
/// answer.
#[utoipa::path(post, path = "/api/v1/requests/{protocol}/survey", tag = "public",
    params(("protocol" = String, Path), TokenQuery), request_body = SurveyBody,
    responses(
        (status = 201, body = SurveyView),
        (status = 400, body = ErrorBody, description = "the body is not a JSON object"),
        (status = 404, body = ErrorBody, description = "unknown protocol, or a wrong or missing token"),
        (status = 409, body = ErrorBody, description = "`already_answered`: the survey was answered; `not_eligible`: the request is not done with `attended` or `attended_by_message` (still open, a no-show, rejected or cancelled); nothing written"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ValidationBody, description = "`rating` missing, not a whole number or not 1 to 5; `comment` over 1000 characters or with invisible characters; nothing written"),
    ))]
async fn answer_survey(
    State(app): State<App>,
    PathParam(protocol): PathParam<String>,
    QueryParams(query): QueryParams<TokenQuery>,
    JsonBody(body): JsonBody<SurveyBody>,
) -> Result<(StatusCode, Json<SurveyView>), ApiError> {
    let token = query.token.unwrap_or_default();
    let mut type_errors = FieldErrors::new();
    let input = body.into_input(&mut type_errors);
    let answer = app
        .answer_survey(&protocol, &token, &input, type_errors)
        .await?;
    Ok((StatusCode::CREATED, Json(SurveyView::from(answer))))
}
