//! What a request's page shows, as a typed view: the request, its history and deliveries, and
//! what each action form needs (free slots, reasons, zones), built from the use case's answer.

use crate::domain::dates::moment;
use std::collections::BTreeMap;

use axum::{http::StatusCode, response::Response};
use minijinja::context;
use serde::Serialize;

use super::{base, job_label};
use crate::{
    app::{App, AppError, StaffRequest},
    config::CalendarProvider,
    domain::{
        change::{Actor, Step},
        cpf::Cpf,
        dates::{local_date, local_time, long_date, short_date},
        field_errors::FieldErrors,
        messages::{Author, Mode},
        phone::Phone,
        status::{Action, Status, transition},
        survey,
    },
    store::{JobRecord, JobState, RequestRecord},
    web::{
        pages::{pages, ser},
        render_error,
        session::PanelUser,
        slots,
    },
};

/// Days of free slots offered when scheduling.
const SLOT_DAYS: u32 = 14;

/// Reasons a clerk picks from when refusing a request; the last asks for their own words.
pub(super) const REJECT_REASONS: [&str; 5] = [
    "Petições e documentos não são recebidos pelo Balcão Virtual: use o PJe ou o protocolo do cartório.",
    "O assunto não é da competência do cartório eleitoral.",
    "O pedido não traz informações suficientes; faça um novo pedido descrevendo o que precisa.",
    "O assunto pode ser resolvido sem atendimento; as orientações seguem abaixo.",
    "Outro motivo",
];

/// What went wrong with an action, to show beside its form.
#[derive(Default)]
pub(super) struct Problem {
    pub action: Option<String>,
    pub errors: FieldErrors,
    pub message: Option<String>,
    pub values: BTreeMap<String, String>,
}

/// Everything the page shows.
#[derive(Serialize)]
struct RequestPage {
    id: i64,
    protocol: String,
    version: i32,
    status_label: &'static str,
    zone_name: String,
    assignee: Option<String>,
    /// The Libras interpreter of the meeting, for a request that needs one.
    interpreter: Option<InterpreterShown>,
    /// Filed from a same-day queue ticket the counter's close left waiting.
    from_queue: bool,
    requester: Requester,
    subject: String,
    description: String,
    preferred_dates: String,
    created_at: String,
    meeting: Option<MeetingView>,
    outcome: Option<&'static str>,
    rejection_reason: Option<String>,
    history: Vec<HistoryRow>,
    deliveries: Vec<DeliveryRow>,
    can: Allowed,
    slots: SlotPicker,
    /// The times offered and held for the requester, while offered.
    offer: Option<OfferShown>,
    reasons: Vec<(usize, &'static str)>,
    transfer_zones: Vec<ZoneChoice>,
    /// The action whose form came back with a problem, to show it open.
    open_action: Option<String>,
    errors: FieldErrors,
    problem_message: Option<String>,
    values: BTreeMap<String, String>,
    done: Option<&'static str>,
    /// Attended by written messages rather than by video.
    by_message: bool,
    thread: Thread,
    /// For a request done with the requester attended: their survey answer, if given.
    survey: Option<SurveyShown>,
}

/// The requester's evaluation of the attendance, as the clerk reads it.
#[derive(Serialize)]
struct SurveyShown {
    answer: Option<SurveyAnswerShown>,
}

#[derive(Serialize)]
struct SurveyAnswerShown {
    rating: u8,
    label: &'static str,
    comment: Option<String>,
    at: String,
}

/// The request's written conversation with the requester.
#[derive(Serialize)]
struct Thread {
    messages: Vec<ThreadRow>,
    /// The request is open: both sides may still write.
    open: bool,
    /// While the court owes a reply: when it is late, and whether it already is.
    reply_due: Option<String>,
    late: bool,
}

#[derive(Serialize)]
struct ThreadRow {
    from_staff: bool,
    who: String,
    at: String,
    text: String,
}

#[derive(Serialize)]
struct Requester {
    name: String,
    role: &'static str,
    /// The declared category's label: the cartório may ask for proof at the meeting.
    preferential: Option<&'static str>,
    /// Badges of the declared accessibility needs, and the requester's note.
    accessibility: Vec<&'static str>,
    accessibility_note: Option<String>,
    cpf: String,
    email: String,
    phone: String,
    oab: Option<String>,
    process_number: Option<String>,
}

#[derive(Serialize)]
struct InterpreterShown {
    /// `None` while nobody is designated (not yet scheduled, or scheduled before interpreters
    /// were assigned).
    name: Option<String>,
}

#[derive(Serialize)]
struct MeetingView {
    date: String,
    start: String,
    end: String,
    link: Option<String>,
}

/// The actions the request's state allows.
#[derive(Serialize)]
struct Allowed {
    triage: bool,
    reject: bool,
    transfer: bool,
    schedule: bool,
    reschedule: bool,
    complete: bool,
    cancel: bool,
    offer: bool,
    withdraw: bool,
    to_message: bool,
    hold: bool,
    release_hold: bool,
}

#[derive(Serialize)]
struct OfferShown {
    slots: Vec<String>,
    expires: String,
}

#[derive(Serialize)]
struct SlotPicker {
    days: Vec<slots::SlotDay>,
    /// Why no slots could be listed, when they could not.
    problem: Option<&'static str>,
    /// The clerk pastes the link (no calendar makes it).
    manual: bool,
    /// The zone's fixed room, used when no link is pasted.
    room: Option<String>,
    /// The times listed each have a Libras interpreter free.
    interpreter: bool,
    /// Why no time is listed, when it is for want of a Libras interpreter.
    interpreter_shortage: Option<String>,
}

#[derive(Serialize)]
struct ZoneChoice {
    number: i32,
    name: String,
}

/// A step of the request's history, as staff read it (on its page and the data subject's).
#[derive(Serialize)]
pub(super) struct HistoryRow {
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

pub(super) async fn render(
    app: &App,
    panel: &PanelUser,
    request: StaffRequest,
    status: StatusCode,
    problem: Problem,
    done: Option<&'static str>,
) -> Response {
    let StaffRequest {
        record,
        jobs,
        from_queue,
        interpreter,
        survey,
    } = request;
    let names = app.staff_names().await.unwrap_or_default();
    let reference = match app.reference.get().await {
        Ok(reference) => reference,
        Err(error) => return render_error(AppError::Store(error)),
    };
    let by_message = record.mode == Mode::Message;
    // What the state machine allows, less what the mode rules out: no meeting for a request
    // attended by messages, no completion without one for a video request.
    let allowed = |action| {
        transition(record.status, action).is_ok()
            && match action {
                Action::Schedule | Action::Reschedule | Action::Offer => !by_message,
                Action::ToMessage => !by_message,
                Action::Hold => !record.legal_hold,
                Action::ReleaseHold => record.legal_hold,
                Action::Complete => by_message || record.status == Status::Scheduled,
                _ => true,
            }
    };
    let messages = match app.staff_thread(&panel.user, record.id).await {
        Ok(messages) => messages,
        Err(error) => return render_error(error),
    };
    let slots = if allowed(Action::Schedule) || allowed(Action::Reschedule) {
        match slot_picker(app, panel, &record).await {
            Ok(picker) => picker,
            Err(error) => return render_error(error),
        }
    } else {
        SlotPicker {
            days: Vec::new(),
            problem: None,
            manual: false,
            room: None,
            interpreter: false,
            interpreter_shortage: None,
        }
    };
    let page = RequestPage {
        from_queue,
        id: record.id,
        protocol: record.protocol.clone(),
        version: record.version,
        status_label: record.status.label(),
        zone_name: record.zone_name.clone(),
        assignee: record.assignee_id.and_then(|id| names.get(&id).cloned()),
        interpreter: record
            .accessibility
            .needs_libras()
            .then(|| InterpreterShown {
                name: interpreter.map(|(_, name)| name),
            }),
        requester: Requester {
            name: record.name.clone(),
            role: record.role.label(),
            preferential: record.preferential.map(|category| category.label()),
            accessibility: record
                .accessibility
                .needs()
                .iter()
                .map(|need| need.badge())
                .collect(),
            accessibility_note: record.accessibility.note().map(str::to_string),
            cpf: Cpf::parse(&record.cpf).map_or_else(|_| record.cpf.clone(), |cpf| cpf.formatted()),
            email: record.email.clone(),
            phone: Phone::parse(&record.phone)
                .map_or_else(|_| record.phone.clone(), |phone| phone.formatted()),
            oab: record.oab.clone(),
            process_number: record.process_number.clone(),
        },
        subject: record.subject.clone(),
        description: record.description.clone(),
        preferred_dates: record
            .preferred_dates
            .iter()
            .map(|d| short_date(*d))
            .collect::<Vec<_>>()
            .join(", "),
        created_at: moment(record.created_at),
        meeting: meeting(&record),
        outcome: record.outcome.map(|o| o.label()),
        rejection_reason: record.rejection_reason.clone(),
        history: history(&record, &names),
        deliveries: deliveries(&jobs),
        can: Allowed {
            triage: allowed(Action::Triage),
            reject: allowed(Action::Reject),
            transfer: allowed(Action::Transfer),
            schedule: allowed(Action::Schedule),
            reschedule: allowed(Action::Reschedule),
            complete: allowed(Action::Complete),
            cancel: allowed(Action::Cancel),
            offer: allowed(Action::Offer),
            withdraw: allowed(Action::Withdraw),
            to_message: allowed(Action::ToMessage),
            hold: allowed(Action::Hold),
            release_hold: allowed(Action::ReleaseHold),
        },
        offer: record.offer.as_ref().map(|offer| OfferShown {
            slots: offer
                .slots
                .iter()
                .map(|slot| {
                    format!(
                        "{}, das {} às {}",
                        long_date(local_date(slot.start)),
                        local_time(slot.start),
                        local_time(slot.end)
                    )
                })
                .collect(),
            expires: moment(offer.expires_at),
        }),
        slots,
        reasons: REJECT_REASONS.iter().copied().enumerate().collect(),
        transfer_zones: reference
            .zones
            .iter()
            .filter(|zone| zone.number != record.zone)
            .map(|zone| ZoneChoice {
                number: zone.number,
                name: zone.name.clone(),
            })
            .collect(),
        open_action: problem.action,
        errors: problem.errors,
        problem_message: problem.message,
        values: problem.values,
        done,
        by_message,
        thread: Thread {
            messages: messages
                .into_iter()
                .map(|message| ThreadRow {
                    from_staff: message.author == Author::Staff,
                    who: match message.author {
                        Author::Requester => record.name.clone(),
                        Author::Staff => {
                            message.staff_name.unwrap_or_else(|| "Cartório".to_string())
                        }
                    },
                    at: moment(message.at),
                    text: message.text,
                })
                .collect(),
            open: record.status.is_open(),
            reply_due: record.reply_due_at.map(moment),
            late: record.reply_due_at.is_some_and(|due| app.now() >= due),
        },
        survey: record
            .outcome
            .filter(|outcome| record.status == Status::Done && survey::invites(*outcome))
            .map(|_| SurveyShown {
                answer: survey.map(|answer| SurveyAnswerShown {
                    rating: answer.rating.value(),
                    label: answer.rating.label(),
                    comment: answer.comment,
                    at: moment(answer.at),
                }),
            }),
    };
    pages().render(
        status,
        "painel/detalhe.html",
        context! { ..ser(page), ..base(panel, "inbox") },
    )
}

/// The free slots of the zone from its next day of service (in the recesso, January's),
/// the assignee's first; the clerk's link or the zone's room.
async fn slot_picker(
    app: &App,
    panel: &PanelUser,
    record: &RequestRecord,
) -> Result<SlotPicker, AppError> {
    let first_day = app.next_service_day(record.zone, app.today()).await?;
    let interpreter = record.accessibility.needs_libras();
    let listed = match app
        .zone_slots(
            &panel.user,
            record.zone,
            first_day,
            SLOT_DAYS,
            record.assignee_id,
            interpreter,
        )
        .await
    {
        // The assignee no longer serves the zone: any of its clerks may take the meeting.
        Err(AppError::Invalid(_)) => {
            app.zone_slots(
                &panel.user,
                record.zone,
                first_day,
                SLOT_DAYS,
                None,
                interpreter,
            )
            .await
        }
        other => other,
    };
    let shortage = listed
        .as_ref()
        .ok()
        .and_then(|listed| listed.shortage)
        .map(|shortage| shortage.to_string());
    // The times offered to this request are held for it, so the zone's listing leaves them
    // out; staff scheduling it directly may take one of them (the requester phoned).
    let listed = listed.map(|listed| {
        let mut slots = listed.slots;
        let now = app.now();
        let offered = record
            .offer
            .iter()
            .filter(|_| record.status == Status::Offered)
            .flat_map(|offer| offer.slots.iter().copied());
        for slot in offered {
            if slot.start > now && !slots.contains(&slot) {
                slots.push(slot);
            }
        }
        slots.sort_by_key(|slot| slot.start);
        slots
    });
    let (days, problem) = match listed {
        Ok(slots) => (slots::by_day(slots), None),
        Err(AppError::CalendarUnavailable(_)) => (
            Vec::new(),
            Some(
                "Não foi possível consultar a agenda do Google agora; tente de novo em instantes.",
            ),
        ),
        Err(error) => {
            tracing::warn!(%error, "free slots could not be listed");
            (
                Vec::new(),
                Some("Não foi possível listar os horários livres agora."),
            )
        }
    };
    let room = app
        .reference
        .get()
        .await?
        .zone(record.zone)
        .and_then(|zone| zone.room_link.clone());
    Ok(SlotPicker {
        days,
        problem,
        manual: app.settings.calendar.provider == CalendarProvider::Manual,
        room,
        interpreter,
        interpreter_shortage: shortage,
    })
}

fn meeting(record: &RequestRecord) -> Option<MeetingView> {
    let (start, end) = record.scheduled_start.zip(record.scheduled_end)?;
    (record.status == Status::Scheduled).then(|| MeetingView {
        date: long_date(local_date(start)),
        start: local_time(start),
        end: local_time(end),
        link: record.meet_link.clone(),
    })
}

pub(super) fn history(
    record: &RequestRecord,
    names: &std::collections::HashMap<i32, String>,
) -> Vec<HistoryRow> {
    record
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
        .collect()
}

fn deliveries(jobs: &[JobRecord]) -> Vec<DeliveryRow> {
    jobs.iter()
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
                .or_else(|| waiting_for(job, jobs)),
            when: moment(job.updated_at),
        })
        .collect()
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
        Step::Changed(Action::Offer) => "Horários oferecidos",
        Step::Changed(Action::Withdraw) => "Oferta retirada",
        Step::Changed(Action::Pick) => "Horário escolhido pelo(a) requerente",
        Step::Changed(Action::Expire) => "Oferta expirou sem escolha",
        Step::Changed(Action::ToMessage) => "Passou a atendimento por mensagens",
        Step::Changed(Action::Hold) => "Posto sob guarda legal",
        Step::Changed(Action::ReleaseHold) => "Guarda legal encerrada",
    }
}
