//! One request's page: its data, history and deliveries, and the actions as forms.

use std::collections::BTreeMap;

use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::{base, job_label};
use crate::{
    app::{App, AppError, StaffRequest},
    config::CalendarProvider,
    domain::{
        change::{Actor, Step},
        command::CommandInput,
        cpf::Cpf,
        dates::{local_date, local_time, long_date, short_date},
        field_errors::FieldErrors,
        phone::Phone,
        status::{Action, Status, transition},
    },
    store::{JobRecord, JobState, StoreError},
    web::{
        forms::FormFields,
        pages::{pages, ser},
        public::moment,
        query::PageQuery,
        render_error,
        session::{PanelForm, PanelUser},
    },
};

/// Days of free slots offered when scheduling.
const SLOT_DAYS: u32 = 14;

/// Reasons a clerk picks from when refusing a request; the last asks for their own words.
const REJECT_REASONS: [&str; 5] = [
    "Petições e documentos não são recebidos pelo Balcão Virtual: use o PJe ou o protocolo do cartório.",
    "O assunto não é da competência do cartório eleitoral.",
    "O pedido não traz informações suficientes; faça um novo pedido descrevendo o que precisa.",
    "O assunto pode ser resolvido sem atendimento; as orientações seguem abaixo.",
    "Outro motivo",
];

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/solicitacoes/{id}", get(show))
        .route("/painel/solicitacoes/{id}/acao", post(act))
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    feito: Option<String>,
}

async fn show(
    State(app): State<App>,
    panel: PanelUser,
    Path(id): Path<i64>,
    PageQuery(query): PageQuery<ShowQuery>,
) -> Response {
    match app.staff_request(&panel.user, id).await {
        Ok(request) => {
            let done = query
                .feito
                .as_deref()
                .and_then(Action::parse)
                .map(done_message);
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

/// What went wrong with an action, to show beside its form.
#[derive(Default)]
struct Problem {
    action: Option<String>,
    errors: FieldErrors,
    message: Option<String>,
    values: BTreeMap<String, String>,
}

async fn act(
    State(app): State<App>,
    Path(id): Path<i64>,
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

#[derive(Serialize)]
struct HistoryRow {
    at: String,
    what: String,
    who: String,
    note: Option<String>,
}

#[derive(Serialize)]
struct DeliveryRow {
    what: String,
    state: &'static str,
    problem: bool,
    attempts: i32,
    detail: Option<String>,
    when: String,
}

#[derive(Serialize)]
struct SlotChoice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct SlotDay {
    day: String,
    slots: Vec<SlotChoice>,
}

async fn render(
    app: &App,
    panel: &PanelUser,
    request: StaffRequest,
    status: StatusCode,
    problem: Problem,
    done: Option<&str>,
) -> Response {
    let StaffRequest { record, jobs } = request;
    let names = app.staff_names().await.unwrap_or_default();
    let reference = match app.reference.get().await {
        Ok(reference) => reference,
        Err(error) => return render_error(AppError::Store(error)),
    };
    let zone_name = reference.zone(record.zone).map_or_else(
        || format!("{}ª Zona Eleitoral", record.zone),
        |z| z.name.clone(),
    );
    let allowed = |action| transition(record.status, action).is_ok();
    let mut slot_problem = None;
    let slot_days = if allowed(Action::Schedule) || allowed(Action::Reschedule) {
        // From the zone's next day of service: in the recesso, January's slots.
        let first_day = match app.next_service_day(record.zone, app.today()).await {
            Ok(day) => day,
            Err(error) => return render_error(error),
        };
        match app
            .zone_slots(
                &panel.user,
                record.zone,
                first_day,
                SLOT_DAYS,
                record.assignee_id,
            )
            .await
        {
            Ok(slots) => group_slots(slots),
            Err(AppError::Invalid(_)) => group_slots(
                app.zone_slots(&panel.user, record.zone, first_day, SLOT_DAYS, None)
                    .await
                    .unwrap_or_default(),
            ),
            Err(error) => {
                slot_problem = Some(match error {
                    AppError::CalendarUnavailable(_) => {
                        "Não foi possível consultar a agenda do Google agora; tente de novo em instantes."
                    }
                    _ => "Não foi possível listar os horários livres agora.",
                });
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let history: Vec<HistoryRow> = record
        .history
        .iter()
        .map(|event| HistoryRow {
            at: moment(event.at),
            what: match (event.step, event.from_zone, event.to_zone) {
                (Step::Changed(Action::Transfer), Some(from), Some(to)) => {
                    format!("Transferido da {from}ª para a {to}ª zona")
                }
                (step, _, _) => step_label(step).to_string(),
            },
            who: match event.actor {
                Actor::Requester => "Requerente".into(),
                Actor::Staff(id) => names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("Servidor(a) #{id}")),
                Actor::System => "Sistema".into(),
            },
            note: event.note.clone(),
        })
        .collect();
    let deliveries: Vec<DeliveryRow> = jobs
        .iter()
        .map(|job| DeliveryRow {
            what: job_label(&job.kind),
            state: job.state.label(),
            problem: job.state == JobState::Dead
                || (job.state == JobState::Pending && job.last_error.is_some()),
            attempts: job.attempts,
            // The worker writes both in Portuguese: what went wrong, or what was done.
            detail: job
                .last_error
                .clone()
                .filter(|_| job.state != JobState::Done)
                .or_else(|| job.result.clone())
                .or_else(|| waiting_for(job, &jobs)),
            when: moment(job.updated_at),
        })
        .collect();
    let transfer_zones: Vec<Value> = reference
        .zones
        .iter()
        .filter(|zone| zone.number != record.zone)
        .map(|zone| context! { number => zone.number, name => &zone.name })
        .collect();
    let meeting = record.scheduled_start.zip(record.scheduled_end).filter(|_| record.status == Status::Scheduled).map(|(start, end)| {
        context! { date => long_date(local_date(start)), start => local_time(start), end => local_time(end), link => &record.meet_link }
    });
    let manual = app.settings.calendar.provider == CalendarProvider::Manual;
    let room = reference
        .zone(record.zone)
        .and_then(|zone| zone.room_link.clone());
    pages().render(
        status,
        "painel/detalhe.html",
        context! {
            id => record.id,
            protocol => &record.protocol,
            version => record.version,
            status => record.status.as_str(),
            status_label => record.status.label(),
            zone => record.zone,
            zone_name,
            assignee => record.assignee_id.and_then(|id| names.get(&id).cloned()),
            name => &record.name,
            cpf => Cpf::parse(&record.cpf).map_or_else(|_| record.cpf.clone(), |cpf| cpf.formatted()),
            email => &record.email,
            phone => Phone::parse(&record.phone).map_or_else(|_| record.phone.clone(), |phone| phone.formatted()),
            role => record.role.label(),
            oab => &record.oab,
            process_number => &record.process_number,
            subject => &record.subject,
            description => &record.description,
            preferred_dates => record.preferred_dates.iter().map(|d| short_date(*d)).collect::<Vec<_>>().join(", "),
            created_at => moment(record.created_at),
            meeting,
            outcome => record.outcome.map(|o| o.label()),
            rejection_reason => &record.rejection_reason,
            history => ser(history),
            deliveries => ser(deliveries),
            can => context! {
                triage => allowed(Action::Triage),
                reject => allowed(Action::Reject),
                transfer => allowed(Action::Transfer),
                schedule => allowed(Action::Schedule),
                reschedule => allowed(Action::Reschedule),
                complete => allowed(Action::Complete),
                cancel => allowed(Action::Cancel),
            },
            slot_days => ser(slot_days),
            slot_problem,
            reasons => ser(REJECT_REASONS.iter().enumerate().map(|(i, r)| (i, *r)).collect::<Vec<_>>()),
            transfer_zones => ser(transfer_zones),
            manual,
            room,
            open_action => problem.action,
            errors => ser(&problem.errors),
            problem_message => problem.message,
            values => ser(&problem.values),
            done,
            ..base(panel, "inbox")
        },
    )
}

fn group_slots(slots: Vec<crate::domain::schedule::Slot>) -> Vec<SlotDay> {
    let mut days: Vec<SlotDay> = Vec::new();
    for slot in slots {
        let day = long_date(local_date(slot.start));
        let choice = SlotChoice {
            value: slot.start.to_rfc3339(),
            label: format!("{} às {}", local_time(slot.start), local_time(slot.end)),
        };
        match days.last_mut() {
            Some(last) if last.day == day => last.slots.push(choice),
            _ => days.push(SlotDay {
                day,
                slots: vec![choice],
            }),
        }
    }
    days
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
    }
}

/// What a queued job waits for, when another of the request's jobs must be done first.
fn waiting_for(job: &JobRecord, jobs: &[JobRecord]) -> Option<String> {
    let key = job.waits_for.as_ref()?;
    let prior = jobs.iter().find(|other| &other.key == key)?;
    (job.state == JobState::Pending && prior.state != JobState::Done)
        .then(|| format!("aguarda: {}", job_label(&prior.kind)))
}

/// A step of the request's history, as staff read it.
fn step_label(step: Step) -> &'static str {
    match step {
        Step::Submitted => "Pedido recebido",
        Step::Changed(Action::Triage) => "Em análise",
        Step::Changed(Action::Reject) => "Indeferido",
        Step::Changed(Action::Transfer) => "Transferido",
        Step::Changed(Action::Schedule) => "Atendimento marcado",
        Step::Changed(Action::Reschedule) => "Atendimento remarcado",
        Step::Changed(Action::Complete) => "Concluído",
        Step::Changed(Action::Cancel) => "Cancelado",
    }
}
