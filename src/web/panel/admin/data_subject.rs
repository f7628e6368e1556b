//! Data subjects (LGPD): a form asking a person's CPF, and everything the service keeps about
//! them as sections to read (their requests with history and messages, queue tickets, survey
//! answers, e-mails). The lookup is a form post with the session's CSRF token, not a link:
//! it writes an audit row in the admin's name, which a forged link must not be able to make,
//! and the CPF stays out of addresses, the browser's history and access logs.

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use minijinja::context;
use serde::Serialize;

use super::{AdminForm, AdminPage};
use crate::{
    app::{App, AppError},
    domain::{
        cpf::Cpf,
        dates::{moment, short_date},
        field_errors::FieldErrors,
        job::Job,
        messages::Author,
        phone::Phone,
    },
    store::{DataSubject, SubjectJob, SubjectRequest, TicketRecord},
    web::{
        pages::{pages, ser},
        panel::{
            base, job_label,
            request_page::{HistoryRow, history},
        },
        render_error,
    },
};

pub fn router() -> Router<App> {
    Router::new().route("/painel/admin/titulares", get(form).post(look_up))
}

const FIELD_LABELS: &[(&str, &str)] = &[("cpf", "CPF")];

/// Everything found, as the page shows it.
#[derive(Serialize)]
struct Found {
    cpf: String,
    requests: Vec<RequestShown>,
    open_requests: usize,
    tickets: Vec<TicketShown>,
    surveys: Vec<SurveyShown>,
    jobs: Vec<JobShown>,
}

#[derive(Serialize)]
struct RequestShown {
    id: i64,
    protocol: String,
    status: &'static str,
    open: bool,
    zone: String,
    /// Label and value of each stored field, in the order of the request's page.
    fields: Vec<(&'static str, String)>,
    history: Vec<HistoryRow>,
    messages: Vec<MessageShown>,
    tracking_tokens: u64,
}

#[derive(Serialize)]
struct MessageShown {
    who: String,
    at: String,
    text: String,
}

#[derive(Serialize)]
struct TicketShown {
    id: i64,
    zone: String,
    date: String,
    status: &'static str,
    fields: Vec<(&'static str, String)>,
}

#[derive(Serialize)]
struct SurveyShown {
    protocol: String,
    rating: u8,
    label: &'static str,
    comment: Option<String>,
    at: String,
}

#[derive(Serialize)]
struct JobShown {
    id: i64,
    what: String,
    /// The request's protocol or the ticket's number.
    about: String,
    state: &'static str,
    created_at: String,
    finished_at: Option<String>,
    /// What the job carries, as stored, indented.
    payload: String,
}

async fn form(page: AdminPage) -> Response {
    render(&page, StatusCode::OK, "", FieldErrors::new(), None)
}

async fn look_up(State(app): State<App>, AdminForm { page, fields }: AdminForm) -> Response {
    let typed = fields.text("cpf");
    match app.admin_data_subject(&page.admin, &typed).await {
        Ok(data) => {
            let names = app.staff_names().await.unwrap_or_default();
            let found = shown(data, &names);
            let cpf = found.cpf.clone();
            render(&page, StatusCode::OK, &cpf, FieldErrors::new(), Some(found))
        }
        Err(AppError::Invalid(errors)) => render(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            &typed,
            errors,
            None,
        ),
        Err(error) => render_error(error),
    }
}

fn render(
    page: &AdminPage,
    status: StatusCode,
    cpf: &str,
    errors: FieldErrors,
    found: Option<Found>,
) -> Response {
    pages().render(
        status,
        "painel/admin/titulares.html",
        context! {
            cpf,
            errors => ser(&errors),
            labels => ser(FIELD_LABELS),
            found => found.map(ser),
            ..base(&page.session, "admin")
        },
    )
}

fn shown(data: DataSubject, names: &std::collections::HashMap<i32, String>) -> Found {
    let protocols: std::collections::HashMap<i64, String> = data
        .requests
        .iter()
        .map(|request| (request.record.id, request.record.protocol.clone()))
        .collect();
    let surveys = data
        .requests
        .iter()
        .filter_map(|request| {
            let answer = request.survey.as_ref()?;
            Some(SurveyShown {
                protocol: request.record.protocol.clone(),
                rating: answer.rating.value(),
                label: answer.rating.label(),
                comment: answer.comment.clone(),
                at: moment(answer.at),
            })
        })
        .collect();
    Found {
        cpf: data.cpf.formatted(),
        open_requests: data
            .requests
            .iter()
            .filter(|request| request.record.status.is_open())
            .count(),
        surveys,
        jobs: data
            .jobs
            .into_iter()
            .map(|job| job_shown(job, &protocols))
            .collect(),
        tickets: data.tickets.into_iter().map(ticket_shown).collect(),
        requests: data
            .requests
            .into_iter()
            .map(|request| request_shown(request, names))
            .collect(),
    }
}

fn request_shown(
    request: SubjectRequest,
    names: &std::collections::HashMap<i32, String>,
) -> RequestShown {
    let record = &request.record;
    let staff = |id: Option<i32>| {
        id.map(|id| {
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("Servidor(a) #{id}"))
        })
    };
    let mut fields = vec![
        ("Nome", record.name.clone()),
        ("CPF", cpf_shown(&record.cpf)),
        ("E-mail", record.email.clone()),
        (
            "Telefone",
            Phone::parse(&record.phone)
                .map_or_else(|_| record.phone.clone(), |phone| phone.formatted()),
        ),
        ("Qualidade", record.role.label().to_string()),
    ];
    let optional = [
        ("OAB", record.oab.clone()),
        ("Processo", record.process_number.clone()),
    ];
    fields.extend(optional.into_iter().filter_map(|(l, v)| Some((l, v?))));
    fields.push(("Assunto", record.subject.clone()));
    fields.push(("Descrição", record.description.clone()));
    if !record.preferred_dates.is_empty() {
        let dates: Vec<String> = record
            .preferred_dates
            .iter()
            .map(|d| short_date(*d))
            .collect();
        fields.push(("Datas preferidas", dates.join(", ")));
    }
    let more = [
        (
            "Atendimento preferencial",
            record.preferential.map(|p| p.label().to_string()),
        ),
        (
            "Acessibilidade",
            (!record.accessibility.needs().is_empty()).then(|| {
                record
                    .accessibility
                    .needs()
                    .iter()
                    .map(|need| need.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        (
            "Observação de acessibilidade",
            record.accessibility.note().map(str::to_string),
        ),
        (
            "Forma de atendimento",
            Some(record.mode.label().to_string()),
        ),
        ("Responsável", staff(record.assignee_id)),
        ("Intérprete de Libras", staff(record.interpreter_id)),
        (
            "Reunião",
            record
                .scheduled_start
                .zip(record.scheduled_end)
                .map(|(start, end)| format!("{} a {}", moment(start), moment(end))),
        ),
        ("Link da reunião", record.meet_link.clone()),
        ("Resultado", record.outcome.map(|o| o.label().to_string())),
        ("Motivo do indeferimento", record.rejection_reason.clone()),
        ("Pedido em", Some(moment(record.created_at))),
        ("Última alteração", Some(moment(record.updated_at))),
    ];
    fields.extend(more.into_iter().filter_map(|(l, v)| Some((l, v?))));
    RequestShown {
        id: record.id,
        protocol: record.protocol.clone(),
        status: record.status.label(),
        open: record.status.is_open(),
        zone: format!("{}ª zona ({})", record.zone, record.zone_name),
        fields,
        history: history(record, names),
        messages: request
            .messages
            .iter()
            .map(|message| MessageShown {
                who: match message.author {
                    Author::Requester => record.name.clone(),
                    Author::Staff => message
                        .staff_name
                        .clone()
                        .unwrap_or_else(|| "Cartório".to_string()),
                },
                at: moment(message.at),
                text: message.text.clone(),
            })
            .collect(),
        tracking_tokens: request.tracking_tokens,
    }
}

fn ticket_shown(ticket: TicketRecord) -> TicketShown {
    let optional = [
        (
            "Telefone",
            ticket.phone.as_deref().map(|stored| {
                Phone::parse(stored).map_or_else(|_| stored.to_string(), |phone| phone.formatted())
            }),
        ),
        (
            "Atendimento preferencial",
            ticket.preferential.map(|p| p.label().to_string()),
        ),
        ("Chamado(a) em", ticket.called_at.map(moment)),
        ("Encerrada em", ticket.finished_at.map(moment)),
        ("Link da reunião", ticket.meet_link.clone()),
        ("Virou o pedido", ticket.request_protocol.clone()),
    ];
    let mut fields = vec![
        ("Nome", ticket.name.clone()),
        ("CPF", cpf_shown(&ticket.cpf)),
        ("E-mail", ticket.email.clone()),
        ("Assunto", ticket.subject.clone()),
        ("Entrou na fila em", moment(ticket.joined_at)),
    ];
    fields.extend(optional.into_iter().filter_map(|(l, v)| Some((l, v?))));
    TicketShown {
        id: ticket.id,
        zone: format!("{}ª zona ({})", ticket.zone, ticket.zone_name),
        date: short_date(ticket.service_date),
        status: ticket.status.label(),
        fields,
    }
}

fn job_shown(job: SubjectJob, protocols: &std::collections::HashMap<i64, String>) -> JobShown {
    let about = match job.job.request_id {
        Some(id) => protocols
            .get(&id)
            .map_or_else(|| format!("Pedido nº {id}"), |p| format!("Pedido {p}")),
        None => Job::decode(&job.job.kind, &job.payload)
            .ok()
            .and_then(|decoded| decoded.ticket_id())
            .map_or_else(|| "—".to_string(), |id| format!("Senha nº {id}")),
    };
    JobShown {
        id: job.job.id,
        what: job_label(&job.job.kind),
        about,
        state: job.job.state.label(),
        created_at: moment(job.job.created_at),
        finished_at: job.job.finished_at.map(moment),
        payload: serde_json::to_string_pretty(&job.payload).unwrap_or_default(),
    }
}

fn cpf_shown(stored: &str) -> String {
    Cpf::parse(stored).map_or_else(|_| stored.to_string(), |cpf| cpf.formatted())
}
