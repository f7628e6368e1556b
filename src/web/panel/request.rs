//! One request's page and its actions, posted as forms.

use crate::web::query::PagePath;
use std::collections::BTreeMap;

use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::request_page::{Problem, REJECT_REASONS, render};
use crate::{
    app::{App, AppError},
    domain::{command::CommandInput, field_errors::FieldErrors, status::Action},
    store::StoreError,
    web::{
        forms::FormFields,
        query::PageQuery,
        render_error,
        session::{PanelForm, PanelUser},
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/solicitacoes/{id}", get(show))
        .route("/painel/solicitacoes/{id}/acao", post(act))
        .route("/painel/solicitacoes/{id}/mensagens", post(write))
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    feito: Option<String>,
    /// A message was sent.
    enviada: Option<String>,
}

async fn show(
    State(app): State<App>,
    panel: PanelUser,
    PagePath(id): PagePath<i64>,
    PageQuery(query): PageQuery<ShowQuery>,
) -> Response {
    match app.staff_request(&panel.user, id).await {
        Ok(request) => {
            let done = query
                .feito
                .as_deref()
                .and_then(Action::parse)
                .map(done_message)
                .or_else(|| {
                    query
                        .enviada
                        .as_ref()
                        .map(|_| "Mensagem enviada; o requerente recebe um e-mail com ela.")
                });
            render(
                &app,
                &panel,
                request,
                StatusCode::OK,
                Problem::default(),
                done,
            )
            .await
        }
        Err(error) => render_error(error),
    }
}

async fn act(
    State(app): State<App>,
    PagePath(id): PagePath<i64>,
    PanelForm { panel, fields }: PanelForm,
) -> Response {
    let action = fields.text("action");
    let mut type_errors = FieldErrors::new();
    let version = match fields.text("version").trim().parse::<i32>() {
        Ok(version) => Some(version),
        Err(_) => {
            type_errors.add("version", "A página está desatualizada; recarregue-a.");
            None
        }
    };
    let zone = fields.optional("zone").and_then(|z| {
        z.trim().parse::<i64>().ok().or_else(|| {
            type_errors.add("zone", "Escolha a zona de destino.");
            None
        })
    });
    let input = CommandInput {
        action: Some(action.clone()),
        note: fields.optional("note"),
        reason: reason(&fields, &action, &mut type_errors),
        zone,
        start: fields.optional("start"),
        slots: fields.all("slots"),
        meet_link: fields.optional("meet_link"),
        outcome: fields.optional("outcome"),
    };
    let values: BTreeMap<String, String> = [
        "note",
        "reason_text",
        "reason_choice",
        "zone",
        "start",
        "meet_link",
        "outcome",
    ]
    .iter()
    .map(|name| (name.to_string(), fields.text(name)))
    .chain([("slots".to_string(), fields.all("slots").join(" "))])
    .collect();
    match app
        .staff_transition(&panel.user, id, version, &input, type_errors)
        .await
    {
        Ok(changed) => {
            let done = Action::parse(action.trim()).map_or("", Action::as_str);
            if panel.user.may_see_zone(changed.record.zone) {
                Redirect::to(&format!("/painel/solicitacoes/{id}?feito={done}")).into_response()
            } else {
                // Transferred out of the clerk's zones: the request's page is closed to them now.
                Redirect::to("/painel?feito=transferido").into_response()
            }
        }
        Err(error) => {
            let (status, problem) = match error {
                AppError::Invalid(errors) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Problem { action: Some(action), errors, message: None, values },
                ),
                AppError::Store(StoreError::Stale { .. }) => (
                    StatusCode::CONFLICT,
                    Problem {
                        message: Some("Outra pessoa alterou este pedido antes de você. Confira a situação atual e, se ainda for o caso, repita a ação.".into()),
                        ..Problem::default()
                    },
                ),
                AppError::Refused(refusal) => match refusal.field() {
                    Some(field) => {
                        let mut errors = FieldErrors::new();
                        errors.add(field, refusal.to_string());
                        (
                            StatusCode::UNPROCESSABLE_ENTITY,
                            Problem { action: Some(action), errors, message: None, values },
                        )
                    }
                    None => (
                        StatusCode::CONFLICT,
                        Problem {
                            message: Some(format!("Ação não permitida: {refusal}.")),
                            ..Problem::default()
                        },
                    ),
                },
                other => return render_error(other),
            };
            match app.staff_request(&panel.user, id).await {
                Ok(request) => render(&app, &panel, request, status, problem, None).await,
                Err(error) => render_error(error),
            }
        }
    }
}

/// A clerk's message to the requester: back to the page's conversation, or the form again
/// with what was wrong.
async fn write(
    State(app): State<App>,
    PagePath(id): PagePath<i64>,
    PanelForm { panel, fields }: PanelForm,
) -> Response {
    let text = fields.text("text");
    let problem = match app.post_by_staff(&panel.user, id, Some(&text)).await {
        Ok(_) => {
            return Redirect::to(&format!("/painel/solicitacoes/{id}?enviada=1#conversa"))
                .into_response();
        }
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Problem {
                action: Some("message".into()),
                errors,
                message: None,
                values: [("text".to_string(), text)].into_iter().collect(),
            },
        ),
        Err(AppError::Thread(refusal)) => (
            StatusCode::CONFLICT,
            Problem {
                message: Some(refusal.to_string()),
                ..Problem::default()
            },
        ),
        Err(other) => return render_error(other),
    };
    let (status, problem) = problem;
    match app.staff_request(&panel.user, id).await {
        Ok(request) => render(&app, &panel, request, status, problem, None).await,
        Err(error) => render_error(error),
    }
}

/// The refusal or cancel reason: a chosen one, with the clerk's words added, or their words.
fn reason(fields: &FormFields, action: &str, errors: &mut FieldErrors) -> Option<String> {
    let text = fields.optional("reason_text");
    match fields.optional("reason_choice") {
        Some(choice) if choice == "outro" => {
            if text.is_none() && action == "reject" {
                errors.add("reason", "Descreva o motivo.");
            }
            text
        }
        Some(choice) => {
            let chosen = choice
                .parse::<usize>()
                .ok()
                .and_then(|i| REJECT_REASONS.get(i))
                .map(|r| r.to_string());
            match (chosen, text) {
                (Some(chosen), Some(text)) => Some(format!("{chosen}\n{text}")),
                (Some(chosen), None) => Some(chosen),
                (None, text) => text,
            }
        }
        None => text,
    }
}

fn done_message(action: Action) -> &'static str {
    match action {
        Action::Triage => "Pedido em análise.",
        Action::Reject => "Pedido indeferido; o requerente será avisado por e-mail.",
        Action::Transfer => "Pedido transferido para a outra zona.",
        Action::Schedule => "Atendimento marcado; o requerente receberá o link por e-mail.",
        Action::Reschedule => "Atendimento remarcado; o requerente será avisado por e-mail.",
        Action::Complete => "Atendimento concluído.",
        Action::Cancel => "Pedido cancelado; o requerente será avisado por e-mail.",
        Action::Offer => {
            "Horários oferecidos; o requerente recebe um e-mail para escolher um deles."
        }
        Action::Withdraw => "Oferta retirada; os horários voltaram a ficar livres.",
        // Neither is a staff action: the requester picks, the worker closes an offer.
        Action::Pick => "Horário escolhido.",
        Action::Expire => "Oferta encerrada.",
        Action::ToMessage => {
            "Atendimento passou a ser por mensagens; o requerente será avisado por e-mail."
        }
        Action::Hold => {
            "Pedido sob guarda legal: seus dados pessoais não serão anonimizados até a liberação."
        }
        Action::ReleaseHold => "Guarda legal encerrada.",
    }
}
