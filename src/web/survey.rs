//! The satisfaction survey's page, `/avaliar/{protocol}?token=T`: the link of the e-mail sent
//! when a request is done with its requester attended. A 1–5 choice and an optional comment,
//! answered once, without JavaScript; as the tracking page's forms, the form carries the
//! token in its body.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{
    forms::{FormFields, is_form},
    pages::{pages, ser},
    query::{PagePath, PageQuery},
    render_error,
};
use crate::{
    app::{App, AppError, Survey},
    domain::{
        dates::moment,
        field_errors::FieldErrors,
        survey::{COMMENT_MAX_CHARS, Rating, SurveyInput},
    },
    links::{survey_path, tracking_path},
    store::RequestRecord,
};

pub fn router() -> Router<App> {
    Router::new().route("/avaliar/{protocol}", axum::routing::get(show).post(answer))
}

#[derive(Debug, Deserialize)]
struct SurveyQuery {
    token: Option<String>,
    /// Just answered: the thanks.
    #[serde(default)]
    obrigado: Option<String>,
}

/// What the person chose and typed, to put back in the form after an error.
#[derive(Debug, Default, Serialize)]
struct Values {
    rating: String,
    comment: String,
}

/// How the error summary names each field, in the form's order.
const FIELD_LABELS: &[(&str, &str)] = &[("rating", "Nota"), ("comment", "Comentário")];

async fn show(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    PageQuery(query): PageQuery<SurveyQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    match app.survey(&protocol, &token).await {
        Ok((request, survey)) => {
            let thanks = query.obrigado.is_some() && survey.answer.is_some();
            render(
                StatusCode::OK,
                &request,
                &survey,
                &token,
                Form {
                    thanks,
                    ..Form::default()
                },
            )
        }
        Err(error) => render_error(error),
    }
}

/// The answer: the thanks on success (a redirect, so a reload does not send it again), the
/// form again with what was wrong beside each field, or why it is not taken.
async fn answer(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return render_error(AppError::Invalid(FieldErrors::new()));
    }
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    let values = Values {
        rating: fields.text("rating"),
        comment: fields.text("comment"),
    };
    let mut type_errors = FieldErrors::new();
    let rating = match values.rating.trim() {
        "" => None,
        text => text.parse::<i64>().ok().or_else(|| {
            type_errors.add("rating", "Escolha uma das notas de 1 a 5.");
            None
        }),
    };
    let input = SurveyInput {
        rating,
        comment: Some(values.comment.clone()),
    };
    let form = match app
        .answer_survey(&protocol, &token, &input, type_errors)
        .await
    {
        Ok(_) => {
            return Redirect::to(&format!("{}&obrigado=1", survey_path(&protocol, &token)))
                .into_response();
        }
        Err(AppError::Invalid(errors)) => Form {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            values,
            errors,
            ..Form::default()
        },
        Err(AppError::Survey(refusal)) => Form {
            status: StatusCode::CONFLICT,
            refusal: Some(refusal.to_string()),
            ..Form::default()
        },
        Err(error) => return render_error(error),
    };
    match app.survey(&protocol, &token).await {
        Ok((request, survey)) => render(form.status, &request, &survey, &token, form),
        Err(error) => render_error(error),
    }
}

/// The page's state besides the request's: what came back from a sent form.
struct Form {
    status: StatusCode,
    values: Values,
    errors: FieldErrors,
    /// Why the answer sent was not taken.
    refusal: Option<String>,
    thanks: bool,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            status: StatusCode::OK,
            values: Values::default(),
            errors: FieldErrors::new(),
            refusal: None,
            thanks: false,
        }
    }
}

fn render(
    status: StatusCode,
    request: &RequestRecord,
    survey: &Survey,
    token: &str,
    form: Form,
) -> Response {
    let ratings: Vec<_> = Rating::ALL
        .iter()
        .map(|rating| context! { value => rating.value(), label => rating.label() })
        .collect();
    let answer = survey.answer.as_ref().map(|answer| {
        context! {
            rating => answer.rating.value(),
            label => answer.rating.label(),
            comment => &answer.comment,
            at => moment(answer.at),
        }
    });
    // Why there is no form: the refusal of what was sent, or of the request as it is.
    let closed = form
        .refusal
        .or_else(|| survey.open.err().map(|refusal| refusal.to_string()));
    pages().render(
        status,
        "avaliar.html",
        context! {
            section => "track",
            protocol => &request.protocol,
            zone_name => &request.zone_name,
            open => survey.open.is_ok(),
            closed,
            thanks => form.thanks,
            answer,
            ratings => ser(ratings),
            comment_max => COMMENT_MAX_CHARS,
            values => ser(form.values),
            errors => ser(form.errors),
            labels => ser(FIELD_LABELS),
            action => format!("/avaliar/{}", request.protocol),
            tracking_path => tracking_path(&request.protocol, token),
            token,
        },
    )
}
