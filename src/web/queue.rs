//! The public side of same-day service: the zones' counters, the form that joins a zone's
//! queue, and the person's own page, which refreshes itself without JavaScript and shows the
//! meeting's link once they are called.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
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
    app::{App, AppError, CounterView, QueuePlace},
    client_ip::ClientIp,
    domain::{
        dates::{local_date, local_time, long_moment},
        field_errors::FieldErrors,
        preferential::Preferential,
        queue::{JoinInput, TicketStatus},
    },
    links::queue_ticket_path,
};

/// How often the person's page reloads itself while they wait.
const REFRESH_SECONDS: u32 = 15;

pub fn router() -> Router<App> {
    Router::new()
        .route("/atendimento-agora", get(counters))
        .route("/atendimento-agora/{zone}", get(join_form).post(join))
        .route("/fila/{id}", get(ticket))
        .route("/fila/{id}/sair", post(leave))
        .route("/fila/{id}/solicitacao", post(convert))
}

#[derive(Serialize)]
struct CounterRow {
    zone: i32,
    name: String,
    seat: Option<String>,
    open: bool,
    waiting: u64,
    /// "aberto até 11:30", "abre quinta-feira, 3 de dezembro de 2026, às 08:30".
    when: String,
}

fn counter_row(counter: &CounterView, today: chrono::NaiveDate) -> CounterRow {
    let when = match (counter.state.open, counter.state.session) {
        (true, Some(session)) => format!("aberto até {}", local_time(session.closes)),
        (false, Some(session)) if local_date(session.opens) == today => {
            format!("abre hoje às {}", local_time(session.opens))
        }
        (false, Some(session)) => format!("abre {}", long_moment(session.opens)),
        (_, None) => "sem data para abrir".to_string(),
    };
    CounterRow {
        zone: counter.zone,
        name: counter.zone_name.clone(),
        seat: counter.seat.clone(),
        open: counter.state.open,
        waiting: counter.waiting,
        when,
    }
}

async fn counters(State(app): State<App>) -> Response {
    let counters = match app.counters().await {
        Ok(counters) => counters,
        Err(error) => return render_error(error),
    };
    let today = app.today();
    let rows: Vec<CounterRow> = counters.iter().map(|c| counter_row(c, today)).collect();
    let open = rows.iter().filter(|row| row.open).count();
    pages().render(
        StatusCode::OK,
        "atendimento_agora.html",
        context! { section => "now", rows => ser(rows), open },
    )
}

/// What the person typed, to put back in the form after an error.
#[derive(Debug, Default, Serialize)]
struct JoinValues {
    name: String,
    cpf: String,
    email: String,
    phone: String,
    subject: String,
    preferential: String,
    consent: bool,
}

const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "Nome completo"),
    ("cpf", "CPF"),
    ("email", "E-mail"),
    ("phone", "Telefone"),
    ("subject", "Assunto"),
    ("preferential", "Atendimento preferencial"),
    ("consent", "Uso dos dados"),
];

async fn join_form(State(app): State<App>, PagePath(zone): PagePath<i32>) -> Response {
    render_join(
        &app,
        zone,
        StatusCode::OK,
        &JoinValues::default(),
        &FieldErrors::new(),
        None,
    )
    .await
}

async fn render_join(
    app: &App,
    zone: i32,
    status: StatusCode,
    values: &JoinValues,
    errors: &FieldErrors,
    refusal: Option<String>,
) -> Response {
    let counter = match app.counter(zone).await {
        Ok(counter) => counter,
        Err(AppError::NotFound) => return zone_not_found(),
        Err(error) => return render_error(error),
    };
    let categories: Vec<_> = Preferential::ALL
        .iter()
        .map(|category| context! { value => category.code(), label => category.label() })
        .collect();
    pages().render(
        status,
        "atendimento_zona.html",
        context! {
            section => "now",
            counter => ser(counter_row(&counter, app.today())),
            values => ser(values),
            errors => ser(errors),
            labels => ser(FIELD_LABELS),
            preferential_categories => ser(categories),
            refusal,
        },
    )
}

fn zone_not_found() -> Response {
    pages().render(
        StatusCode::NOT_FOUND,
        "erro.html",
        context! {
            title => "Zona não encontrada",
            message => "Escolha a zona na lista do atendimento imediato.",
        },
    )
}

async fn join(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    PagePath(zone): PagePath<i32>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return render_error(AppError::Invalid(FieldErrors::new()));
    }
    let fields = FormFields::parse(&body);
    let values = JoinValues {
        name: fields.text("name"),
        cpf: fields.text("cpf"),
        email: fields.text("email"),
        phone: fields.text("phone"),
        subject: fields.text("subject"),
        preferential: fields.text("preferential"),
        consent: fields.checked("consent"),
    };
    let input = JoinInput {
        name: fields.optional("name"),
        cpf: fields.optional("cpf"),
        email: fields.optional("email"),
        phone: fields.optional("phone"),
        subject: fields.optional("subject"),
        preferential: fields.optional("preferential"),
        consent: Some(values.consent),
    };
    match app
        .join_queue(zone, input, FieldErrors::new(), client)
        .await
    {
        Ok(joined) => Redirect::to(&queue_ticket_path(
            joined.place.ticket.id,
            joined.token.expose(),
        ))
        .into_response(),
        Err(AppError::Invalid(errors)) => {
            render_join(
                &app,
                zone,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &errors,
                None,
            )
            .await
        }
        Err(AppError::Queue(refusal)) => {
            let errors = FieldErrors::new();
            render_join(
                &app,
                zone,
                StatusCode::CONFLICT,
                &values,
                &errors,
                Some(refusal.to_string()),
            )
            .await
        }
        Err(AppError::NotFound) => zone_not_found(),
        Err(error) => render_error(error),
    }
}

#[derive(Debug, Deserialize)]
struct TicketQuery {
    token: Option<String>,
    saiu: Option<String>,
    /// The person turned the page's own refreshing off (WCAG 2.2.1: a timed change the
    /// reader can stop).
    parado: Option<String>,
}

async fn ticket(
    State(app): State<App>,
    PagePath(id): PagePath<i64>,
    PageQuery(query): PageQuery<TicketQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    match app.queue_place(id, &token).await {
        Ok(place) => {
            let message = query
                .saiu
                .is_some()
                .then_some("Você saiu da fila. Se precisar, entre de novo enquanto o atendimento estiver aberto.");
            let view = TicketView {
                status: StatusCode::OK,
                message,
                refreshing: query.parado.is_none(),
            };
            render_ticket(&app, place, &token, view, &FieldErrors::new())
        }
        Err(error) => ticket_error(error),
    }
}

/// A ticket nobody holds the link of reads as one that does not exist.
fn ticket_error(error: AppError) -> Response {
    match error {
        AppError::NotFound => pages().render(
            StatusCode::NOT_FOUND,
            "erro.html",
            context! {
                title => "Senha não encontrada",
                message => "Confira se o endereço é o mesmo do link que você recebeu ao entrar na fila.",
            },
        ),
        other => render_error(other),
    }
}

/// How the person's page is shown besides the ticket.
struct TicketView<'a> {
    status: StatusCode,
    message: Option<&'a str>,
    /// Whether the page reloads itself while something is still to come.
    refreshing: bool,
}

impl TicketView<'_> {
    fn after_form(status: StatusCode, message: Option<&str>) -> TicketView<'_> {
        TicketView {
            status,
            message,
            refreshing: true,
        }
    }
}

fn render_ticket(
    app: &App,
    place: QueuePlace,
    token: &str,
    view: TicketView<'_>,
    errors: &FieldErrors,
) -> Response {
    let ticket = &place.ticket;
    let waiting = ticket.status == TicketStatus::Waiting;
    let called = ticket.status == TicketStatus::Called;
    // Something is still to come: a place that moves, a link being made.
    let pending = waiting || (called && ticket.meet_link.is_none());
    let refresh = (pending && view.refreshing).then_some(REFRESH_SECONDS);
    let page = pages().render(
        view.status,
        "fila.html",
        context! {
            section => "now",
            refresh,
            pending,
            page_path => queue_ticket_path(ticket.id, token),
            id => ticket.id,
            token,
            zone => ticket.zone,
            zone_name => &ticket.zone_name,
            name => &ticket.name,
            status => ticket.status.as_str(),
            status_label => ticket.status.label(),
            position => place.position,
            wait_minutes => place.wait_minutes,
            meet_link => ticket.meet_link.as_ref().filter(|_| called),
            join_minutes_left => place.join_minutes_left,
            grace_minutes => app.settings.queue.grace_minutes,
            closes => local_time(ticket.closes_at),
            needs_phone => ticket.phone.is_none(),
            request_protocol => &ticket.request_protocol,
            updated => local_time(app.now()),
            message => view.message,
            errors => ser(errors),
        },
    );
    match refresh {
        // The `Refresh` header reloads the page without a script, as a meta refresh would,
        // and the page offers to stop it.
        Some(seconds) => {
            ([(axum::http::header::REFRESH, seconds.to_string())], page).into_response()
        }
        None => page,
    }
}

async fn leave(State(app): State<App>, PagePath(id): PagePath<i64>, body: Bytes) -> Response {
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    match app.leave_queue(id, &token).await {
        Ok(_) => Redirect::to(&format!("{}&saiu=1", queue_ticket_path(id, &token))).into_response(),
        Err(AppError::Queue(refusal)) => match app.queue_place(id, &token).await {
            Ok(place) => render_ticket(
                &app,
                place,
                &token,
                TicketView::after_form(StatusCode::CONFLICT, Some(&refusal.to_string())),
                &FieldErrors::new(),
            ),
            Err(error) => ticket_error(error),
        },
        Err(error) => ticket_error(error),
    }
}

/// The one button that files the ticket as a request (a POST with the token in its body, so
/// a mail scanner that follows links files nothing).
async fn convert(State(app): State<App>, PagePath(id): PagePath<i64>, body: Bytes) -> Response {
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    let refused = match app
        .convert_ticket(id, &token, fields.optional("phone"))
        .await
    {
        Ok(receipt) => {
            return Redirect::to(&format!(
                "/solicitar/recebida/{}?token={}",
                receipt.protocol,
                receipt.tracking_token.expose()
            ))
            .into_response();
        }
        Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
        Err(AppError::Queue(refusal)) => (
            StatusCode::CONFLICT,
            Some(refusal.to_string()),
            FieldErrors::new(),
        ),
        Err(error) => return ticket_error(error),
    };
    let (status, message, errors) = refused;
    match app.queue_place(id, &token).await {
        Ok(place) => render_ticket(
            &app,
            place,
            &token,
            TicketView::after_form(status, message.as_deref()),
            &errors,
        ),
        Err(error) => ticket_error(error),
    }
}
