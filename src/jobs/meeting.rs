//! Running a `meeting.*` job: the zone's Google Calendar event for a scheduled request.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{JobError, Worker};
use crate::{
    calendar::{CalendarError, MeetingSpec},
    domain::{
        effects::{MeetingChange, Message},
        status::Status,
    },
    store::{ClaimedJob, RequestRecord, ZoneScope},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Details {
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    revision: Option<i32>,
}

#[derive(Debug, Deserialize)]
struct Payload {
    request_id: i64,
    #[serde(default)]
    details: Details,
}

impl From<CalendarError> for JobError {
    fn from(error: CalendarError) -> Self {
        match error {
            CalendarError::Transient(message) => {
                JobError::Transient(format!("google calendar: {message}"))
            }
            CalendarError::Permanent(message) => {
                JobError::Permanent(format!("google calendar: {message}"))
            }
        }
    }
}

impl Worker {
    pub(super) async fn change_meeting(
        &self,
        job: &ClaimedJob,
        change: MeetingChange,
    ) -> Result<String, JobError> {
        let calendar = self.calendar.as_ref().ok_or_else(|| {
            JobError::Permanent("calendar.provider is not google: no calendar to change".into())
        })?;
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|error| JobError::Permanent(format!("malformed payload: {error}")))?;
        let request = self
            .store
            .request(payload.request_id, &ZoneScope::All)
            .await
            .map_err(JobError::store)?
            .ok_or_else(|| {
                JobError::Permanent(format!("request {} not found", payload.request_id))
            })?;
        let zone = self
            .store
            .zone(request.zone)
            .await
            .map_err(JobError::store)?;
        let zone_name = zone.as_ref().map_or_else(
            || format!("{}ª Zona Eleitoral", request.zone),
            |z| z.name.clone(),
        );
        let calendar_id = zone
            .and_then(|zone| zone.calendar_id)
            .unwrap_or_else(|| self.settings.calendar.calendar_id.clone());
        if change == MeetingChange::Delete {
            calendar.cancel(&calendar_id, request.id).await?;
            return Ok(format!("event {} deleted", calendar.event_id(request.id)));
        }
        let (Some(start), Some(end), Some(revision)) = (
            payload.details.start,
            payload.details.end,
            payload.details.revision,
        ) else {
            return Err(JobError::Permanent("the job has no meeting time".into()));
        };
        if request.status != Status::Scheduled || request.schedule_revision != revision {
            return Ok(format!(
                "skipped: the meeting changed again (now revision {})",
                request.schedule_revision
            ));
        }
        let spec = MeetingSpec {
            calendar_id: &calendar_id,
            request_id: request.id,
            revision,
            start,
            end,
            summary: format!("Balcão Virtual {} — {zone_name}", request.protocol),
            description: self.event_description(&request),
            attendee: self
                .settings
                .calendar
                .add_requester_as_attendee
                .then(|| request.email.clone()),
        };
        let (meeting, message) = match change {
            MeetingChange::Create => (calendar.create(&spec).await?, Message::Scheduled),
            MeetingChange::Update | MeetingChange::Delete => {
                (calendar.reschedule(&spec).await?, Message::Rescheduled)
            }
        };
        let recorded = self
            .store
            .record_meeting(
                request.id,
                revision,
                &meeting.event_id,
                &meeting.meet_link,
                start,
                end,
                message,
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
                        "event {} moved to the request's current time after a change meanwhile",
                        meeting.event_id
                    ))
                }
                _ => {
                    calendar.cancel(&calendar_id, request.id).await?;
                    Ok(format!(
                        "event {} deleted: the request was closed meanwhile",
                        meeting.event_id
                    ))
                }
            };
        }
        Ok(format!("event {}; {}", meeting.event_id, meeting.meet_link))
    }

    /// What the clerk needs in their calendar: who, about what, and where to act. No CPF,
    /// no contact data.
    fn event_description(&self, request: &RequestRecord) -> String {
        let base = self
            .settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/');
        format!(
            "Solicitação {}\nRequerente: {} ({})\nAssunto: {}\nPainel: {base}/painel/solicitacoes/{}",
            request.protocol,
            request.name,
            request.role.label(),
            request.subject,
            request.id
        )
    }
}
