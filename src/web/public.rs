//! The public pages: what the service is, the request form, the confirmation, and the
//! tracking page with its cancel step and its reschedule form.

use crate::web::query::PagePath;
use std::collections::BTreeMap;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use chrono::{Duration, NaiveDate};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;

use super::{
    forms::{FormFields, is_form},
    pages::{pages, ser, stylesheet},
    render_error, slots,
};
use crate::{
    app::{App, AppError, Tracked},
    client_ip::ClientIp,
    domain::{
        accessibility::Need,
        change::Step,
        dates::{local_date, local_time, long_date, long_moment, moment},
        field_errors::FieldErrors,
        holidays::fold_name,
        messages::{Author, Mode},
        preferential::Preferential,
        status::{Action, Status},
        submission::SubmissionInput,
        survey,
        text::RequesterRole,
    },
    links::{survey_path, tracking_path},
    web::query::PageQuery,
};

pub fn router() -> Router<App> {
    // The form is the heaviest page and is often opened on slow mobile connections, so it is
    // compressed. Only pages that carry no secret are: compressing a tracking token beside
    // text an attacker can reflect would open the page to BREACH-style guessing.
    let compressed = Router::new()
        .route("/", get(index))
        .route("/solicitar", get(form).post(submit))
        .route("/static/contato.css", get(stylesheet))
        .layer(CompressionLayer::new());
    Router::new()
        .merge(compressed)
        .route("/solicitar/recebida/{protocol}", get(received))
        .route("/acompanhar", get(track_start))
        .route("/acompanhar/{protocol}", get(track))
        .route(
            "/acompanhar/{protocol}/cancelar",
            get(cancel_step).post(cancel),
        )
        .route("/acompanhar/{protocol}/escolher", post(pick))
        .route("/acompanhar/{protocol}/remarcar", post(reschedule))
        .route("/acompanhar/{protocol}/mensagens", post(write))
}

async fn index(State(app): State<App>) -> Response {
    let window = app.default_window();
    let days: Vec<u32> = window.weekdays().iso_numbers();
    let weekdays = if days == [1, 2, 3, 4, 5] {
        "segunda a sexta-feira".to_string()
    } else {
        days.iter()
            .map(|d| {
                crate::domain::dates::weekday_name(
                    chrono::Weekday::try_from((*d - 1) as u8).unwrap_or(chrono::Weekday::Mon),
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    pages().render(
        StatusCode::OK,
        "index.html",
        context! {
            section => "home",
            weekdays,
            opens => window.opens().format("%H:%M").to_string(),
            closes => window.closes().format("%H:%M").to_string(),
            slot_minutes => window.slot_minutes(),
            rooms => ser(&app.settings.web.secretaria_rooms),
        },
    )
}

/// What the person typed, to put back in the form after an error.
#[derive(Debug, Default, Serialize)]
struct FormValues {
    zone: String,
    name: String,
    cpf: String,
    email: String,
    phone: String,
    role: String,
    oab: String,
    process_number: String,
    subject: String,
    description: String,
    preferred_dates: Vec<String>,
    preferential: String,
    accessibility: Vec<String>,
    accessibility_note: String,
    mode: String,
    consent: bool,
}

#[derive(Serialize)]
struct ZoneOption {
    number: i32,
    name: String,
}

#[derive(Serialize)]
struct MunicipalityGroup {
    name: String,
    zones: Vec<ZoneOption>,
}

async fn form(State(app): State<App>) -> Response {
    render_form(
        &app,
        StatusCode::OK,
        &FormValues::default(),
        &FieldErrors::new(),
    )
    .await
}

async fn render_form(
    app: &App,
    status: StatusCode,
    values: &FormValues,
    errors: &FieldErrors,
) -> Response {
    let reference = match app.reference.get().await {
        Ok(reference) => reference,
        Err(error) => return render_error(AppError::Store(error)),
    };
    // Every municipality of Pará, alphabetically, with the zones that serve it.
    let mut groups: BTreeMap<String, MunicipalityGroup> = BTreeMap::new();
    for zone in &reference.zones {
        for municipality in &zone.municipalities {
            groups
                .entry(fold_name(municipality))
                .or_insert_with(|| MunicipalityGroup {
                    name: municipality.clone(),
                    zones: Vec::new(),
                })
                .zones
                .push(ZoneOption {
                    number: zone.number,
                    name: zone.name.clone(),
                });
        }
    }
    let today = app.today();
    let max_days = app.settings.schedule.preferred_dates_max_days;
    let roles: Vec<_> = RequesterRole::ALL
        .iter()
        .map(|role| context! { value => role.as_str(), label => role.label() })
        .collect();
    let preferential_categories: Vec<_> = Preferential::ALL
        .iter()
        .map(|category| context! { value => category.code(), label => category.label() })
        .collect();
    let accessibility_needs: Vec<_> = Need::ALL
        .iter()
        .map(|need| context! { value => need.code(), label => need.label() })
        .collect();
    pages().render(
        status,
        "solicitar.html",
        context! {
            section => "form",
            values => ser(values),
            errors => ser(errors),
            labels => ser(FIELD_LABELS),
            municipalities => ser(groups.into_values().collect::<Vec<_>>()),
            zones_by_number => ser(reference.zones.iter().map(|zone| context! { number => zone.number, name => &zone.name, seat => &zone.seat }).collect::<Vec<_>>()),
            roles => ser(roles),
            preferential_categories => ser(preferential_categories),
            accessibility_needs => ser(accessibility_needs),
            max_days,
            min_date => (today + Duration::days(1)).to_string(),
            max_date => (today + Duration::days(max_days.into())).to_string(),
        },
    )
}

/// How the error summary names each field.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("zone", "Zona eleitoral"),
    ("name", "Nome completo"),
    ("cpf", "CPF"),
    ("email", "E-mail"),
    ("phone", "Telefone"),
    ("role", "Você é"),
    ("oab", "Número da OAB"),
    ("process_number", "Número do processo"),
    ("subject", "Assunto"),
    ("description", "Descrição"),
    ("preferential", "Atendimento preferencial"),
    ("mode", "Como prefere ser atendido(a)"),
    ("accessibility", "Acessibilidade"),
    ("accessibility_note", "Descrição da necessidade"),
    ("preferred_dates", "Datas de preferência"),
    ("consent", "Uso dos dados"),
];

async fn submit(
    State(app): State<App>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return render_error(AppError::Invalid(FieldErrors::new()));
    }
    let fields = FormFields::parse(&body);
    let values = FormValues {
        zone: fields.text("zone"),
        name: fields.text("name"),
        cpf: fields.text("cpf"),
        email: fields.text("email"),
        phone: fields.text("phone"),
        role: fields.text("role"),
        oab: fields.text("oab"),
        process_number: fields.text("process_number"),
        subject: fields.text("subject"),
        description: fields.text("description"),
        preferred_dates: fields.all("preferred_dates"),
        preferential: fields.text("preferential"),
        accessibility: fields.all("accessibility"),
        accessibility_note: fields.text("accessibility_note"),
        mode: fields.text("mode"),
        consent: fields.checked("consent"),
    };
    let mut type_errors = FieldErrors::new();
    let zone = match values.zone.trim() {
        "" => None,
        number => number.parse::<i64>().ok().or_else(|| {
            type_errors.add("zone", "Escolha a zona eleitoral da lista.");
            None
        }),
    };
    let input = SubmissionInput {
        zone,
        name: fields.optional("name"),
        cpf: fields.optional("cpf"),
        email: fields.optional("email"),
        phone: fields.optional("phone"),
        role: fields.optional("role"),
        oab: fields.optional("oab"),
        process_number: fields.optional("process_number"),
        subject: fields.optional("subject"),
        description: fields.optional("description"),
        preferred_dates: values
            .preferred_dates
            .iter()
            .filter(|d| !d.trim().is_empty())
            .cloned()
            .collect(),
        preferential: fields.optional("preferential"),
        accessibility: values.accessibility.clone(),
        accessibility_note: fields.optional("accessibility_note"),
        mode: fields.optional("mode"),
        consent: Some(values.consent),
    };
    let honeypot = !fields.text("website").trim().is_empty();
    match app.submit(input, type_errors, honeypot, client).await {
        Ok(receipt) => Redirect::to(&format!(
            "/solicitar/recebida/{}?token={}",
            receipt.protocol,
            receipt.tracking_token.expose()
        ))
        .into_response(),
        Err(AppError::Invalid(errors)) => {
            render_form(&app, StatusCode::UNPROCESSABLE_ENTITY, &values, &errors).await
        }
        Err(error) => render_error(error),
    }
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
    #[serde(default)]
    cancelado: Option<String>,
    #[serde(default)]
    escolhido: Option<String>,
    remarcado: Option<String>,
    /// A message was sent.
    #[serde(default)]
    enviada: Option<String>,
    /// The first day of free slots the reschedule form lists.
    #[serde(default)]
    de: Option<NaiveDate>,
}

/// The confirmation after the form: only for whoever holds the request's token, as the
/// tracking page; any other protocol or token is not found.
async fn received(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    PageQuery(query): PageQuery<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    if let Err(error) = app.confirm_receipt(&protocol, &token).await {
        return render_error(error);
    }
    pages().render(
        StatusCode::OK,
        "recebida.html",
        context! {
            section => "form",
            tracking_path => tracking_path(&protocol, &token),
            protocol,
        },
    )
}

async fn track_start() -> Response {
    pages().render(
        StatusCode::OK,
        "acompanhar_inicio.html",
        context! { section => "track" },
    )
}

async fn track(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    PageQuery(query): PageQuery<TokenQuery>,
) -> Response {
    let token = query.token.clone().unwrap_or_default();
    match app.track(&protocol, &token).await {
        Ok(tracked) => {
            let message = if query.cancelado.is_some() {
                Some((
                    "ok",
                    "Pedido cancelado. Enviamos uma confirmação por e-mail.".to_string(),
                ))
            } else if query.escolhido.is_some() {
                Some((
                    "ok",
                    "Horário confirmado. Enviamos o link da reunião e o convite por e-mail."
                        .to_string(),
                ))
            } else if query.remarcado.is_some() {
                meeting_moved_message(&tracked.request).map(|text| ("ok", text))
            } else if query.enviada.is_some() {
                Some((
                    "ok",
                    "Mensagem enviada. O cartório recebe um aviso por e-mail; a resposta chega a você por e-mail e aparece aqui.".to_string(),
                ))
            } else {
                None
            };
            let page = TrackingPage {
                message,
                from: query.de,
                ..TrackingPage::default()
            };
            render_tracking(&app, tracked, &token, page).await
        }
        Err(error) => render_error(error),
    }
}

/// The requester's choice among the offered times: a POST with the token in the body, so a
/// mail scanner that follows links never picks a time.
async fn pick(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    body: Bytes,
) -> Response {
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    let start = fields.optional("start");
    let (status, kind, message) = match app
        .pick_by_requester(&protocol, &token, start.as_deref())
        .await
    {
        Ok(_) => {
            return Redirect::to(&format!("{}&escolhido=1", tracking_path(&protocol, &token)))
                .into_response();
        }
        // Not one of the times, or taken meanwhile in the zone's calendar: the choice again.
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "error",
            errors
                .get("start")
                .and_then(|messages| messages.first())
                .cloned()
                .unwrap_or_else(|| "Escolha um dos horários oferecidos.".to_string()),
        ),
        // A time that is not one of the offer's: the choice again, as the API's 422.
        Err(AppError::Refused(refusal)) if refusal.field().is_some() => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "error",
            refusal.to_string(),
        ),
        // The offer is gone (picked, withdrawn, run out): what happened and what to do.
        Err(AppError::Refused(refusal)) => (StatusCode::CONFLICT, "warn", refusal.to_string()),
        Err(error) => return render_error(error),
    };
    match app.track(&protocol, &token).await {
        Ok(tracked) => {
            let page = TrackingPage {
                status: Some(status),
                message: Some((kind, message)),
                ..TrackingPage::default()
            };
            render_tracking(&app, tracked, &token, page).await
        }
        Err(error) => render_error(error),
    }
}

/// What the tracking page shows besides the request: a notice at the top, the first day
/// of the reschedule form's slots, and what was wrong with the slot sent.
#[derive(Default)]
struct TrackingPage {
    status: Option<StatusCode>,
    message: Option<(&'static str, String)>,
    from: Option<NaiveDate>,
    reschedule_error: Option<String>,
    /// A message sent back with what was wrong with it.
    message_text: Option<String>,
    message_error: Option<String>,
}

async fn render_tracking(app: &App, tracked: Tracked, token: &str, page: TrackingPage) -> Response {
    let reschedule = reschedule_step(app, &tracked, token, &page).await;
    let messages = match app.thread_of(&tracked).await {
        Ok(messages) => messages,
        Err(error) => return render_error(error),
    };
    let thread: Vec<_> = messages
        .into_iter()
        .map(|message| {
            context! {
                from_staff => message.author == Author::Staff,
                at => moment(message.at),
                text => message.text,
            }
        })
        .collect();
    // Only a request done with its requester attended takes an answer; the others need no
    // look at the survey's table.
    let survey = match tracked
        .request
        .outcome
        .filter(|outcome| tracked.request.status == Status::Done && survey::invites(*outcome))
    {
        Some(_) => match app.survey_of(&tracked.request).await {
            Ok(survey) => survey
                .open
                .is_ok()
                .then(|| survey_path(&tracked.request.protocol, token)),
            Err(error) => return render_error(error),
        },
        None => None,
    };
    let message = page.message;
    let request = &tracked.request;
    let zone_name = &request.zone_name;
    let history: Vec<_> = request
        .history
        .iter()
        .map(|event| context! { label => step_label(event.step), at => moment(event.at) })
        .collect();
    pages().render(
        page.status.unwrap_or(StatusCode::OK),
        "acompanhar.html",
        context! {
            section => "track",
            protocol => &request.protocol,
            status => request.status.as_str(),
            status_label => capitalized(request.status.label()),
            zone_name,
            subject => &request.subject,
            created_at => moment(request.created_at),
            reason => request.rejection_reason.as_ref().filter(|_| request.status == Status::Rejected),
            meeting => meeting(request),
            offer => offer(app, request).await,
            pick_action => format!("/acompanhar/{}/escolher", request.protocol),
            history => ser(history),
            cancellable => tracked.cancellable,
            cancel_path => format!("/acompanhar/{}/cancelar?token={token}", request.protocol),
            notice_hours => app.settings.schedule.requester_cancel_notice_hours,
            reschedule => reschedule.map(ser),
            by_message => request.mode == Mode::Message,
            thread => ser(thread),
            thread_open => request.status.is_open(),
            survey_path => survey,
            thread_action => format!("/acompanhar/{}/mensagens", request.protocol),
            message_text => page.message_text,
            message_error => page.message_error,
            token,
            message => message.as_ref().map(|(_, text)| text),
            message_kind => message.as_ref().map(|(kind, _)| *kind),
        },
    )
}

/// The offered times to choose from, by day, while the request is offered.
async fn offer(app: &App, request: &crate::store::RequestRecord) -> Option<minijinja::Value> {
    let offer = request
        .offer
        .as_ref()
        .filter(|_| request.status == Status::Offered)?;
    Some(context! {
        days => ser(slots::by_day(app.offered_times(request).await)),
        expires => moment(offer.expires_at),
    })
}

/// How many days of free slots the reschedule form lists at once: a week is a short page
/// on a phone, and "Mais dias" goes on.
const RESCHEDULE_DAYS: u32 = 7;

/// The tracking page's "Remarcar" step, for a scheduled meeting: the free slots grouped by
/// day, or why the requester may not move the meeting.
#[derive(Serialize)]
struct RescheduleStep {
    /// Why the meeting may not be moved from here, when it may not.
    refusal: Option<String>,
    days: Vec<slots::SlotDay>,
    /// Why no slots could be listed, when they could not.
    problem: Option<&'static str>,
    /// What was wrong with the slot sent.
    error: Option<String>,
    /// No time is listed because no Libras interpreter is free in these days.
    interpreter_unavailable: bool,
    notice_hours: u32,
    left: u32,
    action: String,
    earlier: Option<String>,
    later: Option<String>,
}

async fn reschedule_step(
    app: &App,
    tracked: &Tracked,
    token: &str,
    page: &TrackingPage,
) -> Option<RescheduleStep> {
    let request = &tracked.request;
    if request.status != Status::Scheduled {
        return None;
    }
    let mut step = RescheduleStep {
        refusal: None,
        days: Vec::new(),
        problem: None,
        error: page.reschedule_error.clone(),
        interpreter_unavailable: false,
        notice_hours: app.policy.requester_reschedule_notice_hours,
        left: tracked.reschedules_left,
        action: format!("/acompanhar/{}/remarcar", request.protocol),
        earlier: None,
        later: None,
    };
    if let Err(refusal) = &tracked.reschedule {
        step.refusal = Some(refusal.to_string());
        return Some(step);
    }
    let today = app.today();
    let first_service_day = |from: NaiveDate| async move {
        app.next_service_day(request.zone, from)
            .await
            .unwrap_or(from)
    };
    let soonest = first_service_day(today).await;
    let first = first_service_day(page.from.unwrap_or(today).max(today)).await;
    let listed = app.slots_to_move_to(request, first, RESCHEDULE_DAYS).await;
    match listed {
        Ok(listed) => {
            step.interpreter_unavailable = listed.shortage.is_some();
            step.days = slots::by_day(listed.slots);
        }
        Err(AppError::CalendarUnavailable(_)) => {
            step.problem = Some(
                "Não foi possível consultar os horários livres agora. Tente novamente em instantes.",
            );
        }
        Err(AppError::Refused(refusal)) => {
            // The meeting's time came while the page was being made.
            step.refusal = Some(refusal.to_string());
            return Some(step);
        }
        Err(error) => {
            tracing::warn!(%error, "free slots for the requester could not be listed");
            step.problem = Some("Não foi possível listar os horários livres agora.");
        }
    }
    let tracking = tracking_path(&request.protocol, token);
    let days = Duration::days(RESCHEDULE_DAYS.into());
    if first > soonest {
        let earlier = (first - days).max(today);
        step.earlier = Some(format!("{tracking}&de={earlier}#remarcar"));
    }
    let later = first + days;
    if later <= app.policy.horizon.last_day(app.now()) {
        step.later = Some(format!("{tracking}&de={later}#remarcar"));
    }
    Some(step)
}

/// The notice after a move: the new time, said in full.
fn meeting_moved_message(request: &crate::store::RequestRecord) -> Option<String> {
    let start = request
        .scheduled_start
        .filter(|_| request.status == Status::Scheduled)?;
    Some(format!(
        "Atendimento remarcado para {} (horário de Belém). Enviamos a confirmação por e-mail e avisamos o cartório.",
        long_moment(start)
    ))
}

/// The requester picked a new time on the tracking page. As the cancel form, the form
/// carries the tracking token in its body: a page elsewhere cannot post it without knowing
/// the secret, which is what keeps the form from being forged.
async fn reschedule(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    body: Bytes,
) -> Response {
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    let start = fields.optional("start");
    let chose = start.is_some();
    let page = match app
        .reschedule_by_requester(&protocol, &token, start, FieldErrors::new())
        .await
    {
        Ok(_) => {
            return Redirect::to(&format!("{}&remarcado=1", tracking_path(&protocol, &token)))
                .into_response();
        }
        Err(AppError::Refused(refusal)) => match refusal.field() {
            None => TrackingPage {
                status: Some(StatusCode::CONFLICT),
                message: Some(("warn", format!("Não foi possível remarcar. {refusal}"))),
                ..TrackingPage::default()
            },
            Some(_) => slot_refused(&refusal.to_string()),
        },
        Err(AppError::Invalid(errors)) if chose => {
            let said = errors.get("start").map(|messages| messages.join(" "));
            slot_refused(said.as_deref().unwrap_or("Horário inválido."))
        }
        Err(AppError::Invalid(_)) => TrackingPage {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            reschedule_error: Some("Escolha um dos horários livres da lista.".into()),
            ..TrackingPage::default()
        },
        Err(error) => return render_error(error),
    };
    match app.track(&protocol, &token).await {
        Ok(tracked) => render_tracking(&app, tracked, &token, page).await,
        Err(error) => render_error(error),
    }
}

/// The page after a slot that could not be taken: why, and to pick another.
fn slot_refused(why: &str) -> TrackingPage {
    TrackingPage {
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        message: Some((
            "error",
            "Não foi possível remarcar: o horário escolhido não pode ser usado. Veja abaixo."
                .to_string(),
        )),
        reschedule_error: Some(format!("{why} Escolha outro horário da lista.")),
        ..TrackingPage::default()
    }
}

/// The meeting to show, while it is still ahead.
fn meeting(request: &crate::store::RequestRecord) -> Option<minijinja::Value> {
    if request.status != Status::Scheduled {
        return None;
    }
    let (start, end) = request.scheduled_start.zip(request.scheduled_end)?;
    Some(context! {
        date => long_date(local_date(start)),
        start => local_time(start),
        end => local_time(end),
        link => &request.meet_link,
    })
}

async fn cancel_step(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    PageQuery(query): PageQuery<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    match app.track(&protocol, &token).await {
        Ok(tracked) if tracked.cancellable => {
            let protocol = &tracked.request.protocol;
            pages().render(
                StatusCode::OK,
                "cancelar.html",
                context! {
                    section => "track",
                    protocol,
                    meeting => meeting(&tracked.request),
                    action => format!("/acompanhar/{protocol}/cancelar"),
                    token => &token,
                    back => tracking_path(protocol, &token),
                },
            )
        }
        Ok(tracked) => render_tracking(&app, tracked, &token, not_cancellable()).await,
        Err(error) => render_error(error),
    }
}

fn not_cancellable() -> TrackingPage {
    TrackingPage {
        message: Some(("warn", NOT_CANCELLABLE.to_string())),
        ..TrackingPage::default()
    }
}

const NOT_CANCELLABLE: &str =
    "Este pedido não pode mais ser cancelado por aqui. Se precisar, fale com o cartório.";

async fn cancel(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    body: Bytes,
) -> Response {
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    match app.cancel_by_requester(&protocol, &token).await {
        Ok(_) => Redirect::to(&format!("{}&cancelado=1", tracking_path(&protocol, &token)))
            .into_response(),
        Err(AppError::Refused(_)) => match app.track(&protocol, &token).await {
            Ok(tracked) => render_tracking(&app, tracked, &token, not_cancellable()).await,
            Err(error) => render_error(error),
        },
        Err(error) => render_error(error),
    }
}

/// The requester's message: the page again at the conversation, or with what was wrong. The
/// token travels in the body, as the page's other forms.
async fn write(
    State(app): State<App>,
    PagePath(protocol): PagePath<String>,
    body: Bytes,
) -> Response {
    let fields = FormFields::parse(&body);
    let token = fields.text("token");
    let text = fields.text("text");
    let page = match app.post_by_requester(&protocol, &token, Some(&text)).await {
        Ok(_) => {
            return Redirect::to(&format!(
                "{}&enviada=1#conversa",
                tracking_path(&protocol, &token)
            ))
            .into_response();
        }
        Err(AppError::Invalid(errors)) => TrackingPage {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            message_error: errors
                .get("text")
                .and_then(|messages| messages.first())
                .cloned(),
            message_text: Some(text),
            ..TrackingPage::default()
        },
        Err(AppError::Thread(refusal)) => TrackingPage {
            status: Some(StatusCode::CONFLICT),
            message: Some(("warn", refusal.to_string())),
            ..TrackingPage::default()
        },
        Err(error) => return render_error(error),
    };
    match app.track(&protocol, &token).await {
        Ok(tracked) => render_tracking(&app, tracked, &token, page).await,
        Err(error) => render_error(error),
    }
}

/// A step of the request's history, as the requester reads it.
fn step_label(step: Step) -> &'static str {
    match step {
        Step::Submitted => "Pedido recebido",
        Step::Changed(Action::Triage) => "Em análise pelo cartório",
        Step::Changed(Action::Transfer) => "Encaminhado à zona eleitoral correta",
        Step::Changed(Action::Schedule) => "Atendimento marcado",
        Step::Changed(Action::Reschedule) => "Atendimento remarcado",
        Step::Changed(Action::Complete) => "Atendimento concluído",
        Step::Changed(Action::Reject) => "Pedido não atendido",
        Step::Changed(Action::Cancel) => "Pedido cancelado",
        Step::Changed(Action::Offer) => "Horários oferecidos para você escolher",
        Step::Changed(Action::Withdraw) => "Horários oferecidos retirados pelo cartório",
        Step::Changed(Action::Pick) => "Horário escolhido",
        Step::Changed(Action::Expire) => "Prazo para escolher o horário terminou",
        Step::Changed(Action::ToMessage) => "Atendimento passou a ser por mensagens escritas",
        Step::Changed(Action::Hold) => "Registro mantido sob guarda legal",
        Step::Changed(Action::ReleaseHold) => "Guarda legal encerrada",
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
