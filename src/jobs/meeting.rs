//! Running a `meeting.*` job: the zone's Google Calendar event for a scheduled request.

use super::{JobError, Worker};
use crate::{
    calendar::{CalendarError, EventKey, MeetingSpec},
    domain::{
        job::{CalendarChange, Job},
        status::Status,
    },
    store::{RequestRecord, ZoneScope},
};

impl From<CalendarError> for JobError {
    fn from(error: CalendarError) -> Self {
        match error {
            CalendarError::Transient(message) => {
                JobError::Transient(format!("falha temporária na Google Agenda: {message}"))
            }
            CalendarError::Permanent(message) => JobError::Permanent(format!(
                "falha na Google Agenda, sem nova tentativa: {message}"
            )),
        }
    }
}

impl Worker {
    pub(super) async fn change_meeting(
        &self,
        job: &Job,
        change: CalendarChange<'_>,
    ) -> Result<String, JobError> {
        let calendar = self.calendar.as_ref().ok_or_else(|| {
            JobError::Permanent(
                "a configuração calendar.provider não é \"google\": não há agenda para alterar"
                    .into(),
            )
        })?;
        let request = self.request_of(job).await?;
        let zone = self
            .store
            .zone(request.zone)
            .await
            .map_err(JobError::store)?;
        let calendar_id = zone
            .and_then(|zone| zone.calendar_id)
            .unwrap_or_else(|| self.settings.calendar.calendar_id.clone());
        let (time, first) = match change {
            CalendarChange::Create(time) => (time, true),
            CalendarChange::Move(time) => (time, false),
            CalendarChange::Delete { .. } => {
                calendar.cancel(&calendar_id, request.id).await?;
                return Ok(format!(
                    "evento {} excluído da agenda",
                    calendar.event_id(request.id)
                ));
            }
        };
        let (start, end, revision) = (time.start, time.end, time.revision);
        if request.status != Status::Scheduled || request.schedule_revision != revision {
            return Ok(format!(
                "ignorado: o atendimento foi alterado de novo (agora na marcação nº {})",
                request.schedule_revision
            ));
        }
        let spec = MeetingSpec {
            calendar_id: &calendar_id,
            key: EventKey::Request(request.id),
            revision,
            start,
            end,
            summary: format!(
                "Balcão Virtual {} — {}",
                request.protocol, request.zone_name
            ),
            description: self.event_description(&request),
            attendees: self.attendees(&request).await?,
        };
        let meeting = if first {
            calendar.create(&spec).await?
        } else {
            calendar.reschedule(&spec).await?
        };
        let recorded = self
            .store
            .record_meeting(
                request.id,
                revision,
                &meeting.event_id,
                &meeting.meet_link,
                self.clock.now(),
            )
            .await
            .map_err(JobError::store)?;
        if !recorded {
            // Another job of this request (a reschedule, a cancel) ran while this one was
            // talking to Google and may have been undone by it: put the event where the
            // request stands now.
            let current = self
                .store
                .request(request.id, &ZoneScope::All)
                .await
                .map_err(JobError::store)?
                .filter(|now| now.status == Status::Scheduled)
                .and_then(|now| {
                    Some((
                        now.schedule_revision,
                        now.scheduled_start?,
                        now.scheduled_end?,
                    ))
                });
            return match current {
                Some((revision, start, end)) => {
                    let moved = MeetingSpec {
                        revision,
                        start,
                        end,
                        ..spec
                    };
                    calendar.reschedule(&moved).await?;
                    Ok(format!(
                        "evento {} levado ao horário atual do pedido, que mudou enquanto a agenda era atualizada",
                        meeting.event_id
                    ))
                }
                _ => {
                    calendar.cancel(&calendar_id, request.id).await?;
                    Ok(format!(
                        "evento {} excluído: o pedido foi encerrado enquanto a agenda era atualizada",
                        meeting.event_id
                    ))
                }
            };
        }
        let done = if first {
            "criado na agenda"
        } else {
            "movido para o novo horário"
        };
        Ok(format!(
            "evento {} {done}; reunião: {}",
            meeting.event_id, meeting.meet_link
        ))
    }

    /// The event's guests: the requester when so configured, and the meeting's Libras
    /// interpreter, who joins it.
    async fn attendees(&self, request: &RequestRecord) -> Result<Vec<String>, JobError> {
        let mut guests = Vec::new();
        if self.settings.calendar.add_requester_as_attendee {
            guests.push(request.email.clone());
        }
        if let Some(id) = request.interpreter_id
            && let Some(interpreter) = self.store.staff_member(id).await.map_err(JobError::store)?
            && interpreter.active
        {
            guests.push(interpreter.email);
        }
        Ok(guests)
    }

    /// What the clerk needs in their calendar: who, about what, what support the meeting
    /// needs, and where to act. No CPF, no contact data.
    fn event_description(&self, request: &RequestRecord) -> String {
        let accessibility = request
            .accessibility
            .summary()
            .map(|needs| format!("\nAcessibilidade: {needs}"))
            .unwrap_or_default();
        format!(
            "Solicitação {}\nRequerente: {} ({})\nAssunto: {}{accessibility}\nPainel: {}",
            request.protocol,
            request.name,
            request.role.label(),
            request.subject,
            self.links.panel_request(request.id)
        )
    }
}
