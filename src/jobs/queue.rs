//! Running the queue's jobs: the meeting of a call (google provider), the e-mail that calls a
//! person, the close of a ticket still waiting at the session's end, and the e-mail that tells
//! them how to go on.

use chrono::Duration;
use lettre::message::Mailbox;

use super::{JobError, Worker, email::mailbox};
use crate::{
    calendar::{EventKey, MeetingSpec},
    domain::{job::Job, queue::TicketStatus, schedule::ZoneSchedule},
    notify::{Message, context},
    store::TicketRecord,
    tokens::SigningKey,
};

/// The service's signing key, as `serve` stores it (see `startup`).
const SECRET_NAME: &str = "sign-in-form";

impl Worker {
    pub(super) async fn run_queue_job(&self, job_id: i64, job: &Job) -> Result<String, JobError> {
        let ticket_id = job.ticket_id().ok_or_else(|| {
            JobError::Permanent(format!("a tarefa {} não é da fila", job.kind().as_str()))
        })?;
        match job {
            Job::CloseTicket { .. } => {
                let closed = self
                    .store
                    .close_ticket(ticket_id, self.clock.now())
                    .await
                    .map_err(JobError::store)?;
                Ok(if closed {
                    "senha encerrada no fim do expediente; a pessoa será avisada".into()
                } else {
                    "ignorado: a pessoa já foi chamada ou saiu da fila".into()
                })
            }
            Job::QueueMeeting { .. } => self.make_call_meeting(ticket_id).await,
            Job::QueueCalled { .. } | Job::QueueClosed { .. } => {
                self.send_queue_email(job_id, job, ticket_id).await
            }
            other => Err(JobError::Permanent(format!(
                "a tarefa {} não é da fila",
                other.kind().as_str()
            ))),
        }
    }

    async fn ticket_of(&self, id: i64) -> Result<TicketRecord, JobError> {
        self.store
            .ticket(id)
            .await
            .map_err(JobError::store)?
            .ok_or_else(|| JobError::Permanent(format!("a senha nº {id} não foi encontrada")))
    }

    async fn make_call_meeting(&self, ticket_id: i64) -> Result<String, JobError> {
        let calendar = self.calendar.as_ref().ok_or_else(|| {
            JobError::Permanent(
                "a configuração calendar.provider não é \"google\": não há agenda para alterar"
                    .into(),
            )
        })?;
        let ticket = self.ticket_of(ticket_id).await?;
        let Some(called_at) = ticket
            .called_at
            .filter(|_| ticket.status == TicketStatus::Called)
        else {
            return Ok("ignorado: a chamada já terminou".into());
        };
        let zone = self
            .store
            .zone(ticket.zone)
            .await
            .map_err(JobError::store)?;
        let minutes = ZoneSchedule::window_of(
            zone.as_ref().and_then(|zone| zone.window),
            &self.change_policy.default_window,
        )
        .slot_minutes();
        let calendar_id = zone
            .and_then(|zone| zone.calendar_id)
            .unwrap_or_else(|| self.settings.calendar.calendar_id.clone());
        // A call's event lasts the zone's slot: long enough to serve one person.
        let spec = MeetingSpec {
            calendar_id: &calendar_id,
            key: EventKey::QueueCall(ticket.id),
            revision: 1,
            start: called_at,
            end: called_at + Duration::minutes(minutes.into()),
            summary: format!("Atendimento imediato — {}", ticket.zone_name),
            // Who and about what; no CPF, no contact data.
            description: format!(
                "Fila de atendimento imediato\nPessoa: {}\nAssunto: {}",
                ticket.name, ticket.subject
            ),
            attendees: self
                .settings
                .calendar
                .add_requester_as_attendee
                .then(|| ticket.email.clone())
                .into_iter()
                .collect(),
        };
        let meeting = calendar.create(&spec).await?;
        self.store
            .record_queue_meeting(ticket.id, &meeting.event_id, &meeting.meet_link)
            .await
            .map_err(JobError::store)?;
        Ok(format!(
            "evento {} criado na agenda; reunião: {}",
            meeting.event_id, meeting.meet_link
        ))
    }

    async fn send_queue_email(
        &self,
        job_id: i64,
        job: &Job,
        ticket_id: i64,
    ) -> Result<String, JobError> {
        let ticket = self.ticket_of(ticket_id).await?;
        let ticket_url = self.links.queue_ticket(
            ticket.id,
            self.ticket_key()
                .await?
                .queue_ticket_token(ticket.id)
                .expose(),
        );
        let signature = self.settings.email.signature.clone();
        let rendered = match job {
            Job::QueueCalled { .. } => {
                if ticket.status != TicketStatus::Called {
                    return Ok("ignorado: a chamada já terminou".into());
                }
                let meet_link = ticket.meet_link.clone().ok_or_else(|| {
                    JobError::Transient("a chamada ainda não tem o link da reunião".into())
                })?;
                self.render(
                    Message::QueueCalled,
                    &context::QueueCalled {
                        name: ticket.name.clone(),
                        zone_name: ticket.zone_name.clone(),
                        meet_link,
                        grace_minutes: self.settings.queue.grace_minutes,
                        ticket_url,
                        signature,
                    },
                )?
            }
            _ => {
                if ticket.status != TicketStatus::Closed || ticket.request_protocol.is_some() {
                    return Ok("ignorado: a senha já virou uma solicitação".into());
                }
                self.render(
                    Message::QueueClosed,
                    &context::QueueClosed {
                        name: ticket.name.clone(),
                        zone_name: ticket.zone_name.clone(),
                        subject: ticket.subject.clone(),
                        ticket_url,
                        signature,
                    },
                )?
            }
        };
        let to: Vec<Mailbox> = vec![mailbox(&ticket.name, &ticket.email)?];
        self.deliver(job_id, &to, &rendered, None).await
    }

    /// The key the service signs ticket links with, shared by every process.
    async fn ticket_key(&self) -> Result<SigningKey, JobError> {
        let fresh = SigningKey::fresh().map_err(|error| {
            JobError::Transient(format!(
                "não foi possível gerar a chave do serviço: {error}"
            ))
        })?;
        let stored = self
            .store
            .service_secret(SECRET_NAME, fresh, self.clock.now())
            .await
            .map_err(JobError::store)?;
        Ok(SigningKey::from_stored(&stored))
    }
}
