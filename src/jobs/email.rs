//! Running an `email.*` job: who gets it, what it says, and sending it.

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use serde::Deserialize;

use super::{JobError, Worker};
use crate::{
    domain::{
        dates::{local_date, local_time, long_date, short_date},
        effects::Message,
        status::Status,
    },
    notify::{
        Outgoing, compose,
        context::{self, ToRequester},
        ics::{Invitation, Method},
    },
    store::{ClaimedJob, RequestRecord, ZoneScope},
    tokens::Token,
};

/// What the change that queued the job decided (see `store::outbox`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Details {
    reason: Option<String>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    meet_link: Option<String>,
    revision: Option<i32>,
    by_requester: bool,
    outcome: Option<String>,
    hours_before: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct Payload {
    request_id: i64,
    #[serde(default)]
    details: Details,
}

impl Worker {
    pub(super) async fn send_email(
        &self,
        job: &ClaimedJob,
        message: Message,
    ) -> Result<String, JobError> {
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
        if message == Message::Reminder
            && !reminder_still_due(&request, &payload.details, self.clock.now())
        {
            return Ok("skipped: the meeting was moved, cancelled or has begun".into());
        }
        if matches!(message, Message::Scheduled | Message::Rescheduled)
            && !announcement_current(&request, &payload.details)
        {
            return Ok("skipped: the meeting was changed again since".into());
        }
        let zone_name = self
            .store
            .zone(request.zone)
            .await
            .map_err(JobError::store)?
            .map_or_else(
                || format!("{}ª Zona Eleitoral", request.zone),
                |zone| zone.name,
            );
        let (to, rendered, invitation) = if message == Message::NewRequest {
            let to = self.zone_recipients(&request).await?;
            if to.is_empty() {
                tracing::warn!(
                    zone = request.zone,
                    "new request: the zone has no notification address and no clerk"
                );
                return Ok("skipped: the zone has no notification address and no clerk".into());
            }
            let context = self.new_request_context(&request, &zone_name).await?;
            (to, self.templates.render(message, &context), None)
        } else {
            let to = vec![mailbox(&request.name, &request.email)?];
            let common = self.to_requester(&request, &zone_name).await?;
            let rendered =
                self.render_for_requester(message, common, &payload.details, &request)?;
            (
                to,
                Ok(rendered),
                self.invitation_parts(message, &payload.details, &request),
            )
        };
        let rendered = rendered.map_err(|error| JobError::Permanent(error.to_string()))?;
        let uid = format!("request-{}@{}", request.id, self.mail_domain);
        let summary = format!(
            "Atendimento Balcão Virtual — {zone_name} ({})",
            request.protocol
        );
        let invitation = invitation.map(|(method, start, end, sequence, link)| Invitation {
            method,
            uid: &uid,
            sequence,
            start,
            end,
            summary: &summary,
            description: &rendered.text,
            meet_link: link,
            organizer_email: self.from.email.as_ref(),
            attendee_email: &request.email,
            now: self.clock.now(),
        });
        let email = compose(&Outgoing {
            from: &self.from,
            to: &to,
            rendered: &rendered,
            message_id: format!("<contato.job{}@{}>", job.id, self.mail_domain),
            invitation,
        })
        .map_err(|error| JobError::Permanent(error.to_string()))?;
        let delivery = self.mailer.send(email).await.map_err(JobError::from)?;
        Ok(delivery.reply)
    }

    fn render_for_requester(
        &self,
        message: Message,
        common: ToRequester,
        details: &Details,
        request: &RequestRecord,
    ) -> Result<crate::notify::Rendered, JobError> {
        let rendered = match message {
            Message::RequestReceived => self.templates.render(
                message,
                &context::RequestReceived {
                    common,
                    subject: request.subject.clone(),
                },
            ),
            Message::Rejected => self.templates.render(
                message,
                &context::Rejected {
                    common,
                    reason: details
                        .reason
                        .clone()
                        .or_else(|| request.rejection_reason.clone())
                        .unwrap_or_default(),
                },
            ),
            Message::Scheduled | Message::Rescheduled => {
                let (start, end, link) = meeting(details, request)?;
                self.templates.render(
                    message,
                    &context::Scheduled {
                        common,
                        date: long_date(local_date(start)),
                        time: local_time(start),
                        end_time: local_time(end),
                        meet_link: link,
                        process_number: request.process_number.clone(),
                        cancel_notice_hours: self.settings.schedule.requester_cancel_notice_hours,
                    },
                )
            }
            Message::Cancelled => self.templates.render(
                message,
                &context::Cancelled {
                    common,
                    by_requester: details.by_requester,
                    date: details.start.map(|start| long_date(local_date(start))),
                    time: details.start.map(local_time),
                    reason: details.reason.clone(),
                },
            ),
            Message::Reminder => {
                let (start, _, link) = meeting(details, request)?;
                self.templates.render(
                    message,
                    &context::Reminder {
                        common,
                        when: context::reminder_when(details.hours_before.unwrap_or(24)),
                        date: long_date(local_date(start)),
                        time: local_time(start),
                        meet_link: link,
                    },
                )
            }
            Message::Done => self.templates.render(
                message,
                &context::Done {
                    common,
                    attended: details.outcome.as_deref() != Some("no_show"),
                },
            ),
            Message::NewRequest => {
                return Err(JobError::Permanent(
                    "the new-request message goes to the zone".into(),
                ));
            }
        };
        rendered.map_err(|error| JobError::Permanent(error.to_string()))
    }

    /// The invitation's method, times, sequence and link, for the messages that carry one.
    #[allow(clippy::type_complexity)]
    fn invitation_parts<'a>(
        &self,
        message: Message,
        details: &'a Details,
        request: &RequestRecord,
    ) -> Option<(Method, DateTime<Utc>, DateTime<Utc>, i32, Option<&'a str>)> {
        let revision = details.revision.unwrap_or(request.schedule_revision);
        match message {
            Message::Scheduled | Message::Rescheduled => Some((
                Method::Request,
                details.start?,
                details.end?,
                revision,
                details.meet_link.as_deref(),
            )),
            // One more than the last schedule, so calendars apply the cancel over it.
            Message::Cancelled => Some((
                Method::Cancel,
                details.start?,
                details.end?,
                revision + 1,
                None,
            )),
            Message::RequestReceived
            | Message::NewRequest
            | Message::Rejected
            | Message::Reminder
            | Message::Done => None,
        }
    }

    /// What every message to the requester carries, with a tracking link minted for it.
    async fn to_requester(
        &self,
        request: &RequestRecord,
        zone_name: &str,
    ) -> Result<ToRequester, JobError> {
        let token = Token::tracking().map_err(|error| JobError::Transient(error.to_string()))?;
        self.store
            .add_tracking_token(request.id, &token.hash(), self.clock.now())
            .await
            .map_err(JobError::store)?;
        Ok(ToRequester {
            name: request.name.clone(),
            protocol: request.protocol.clone(),
            zone_name: zone_name.to_string(),
            tracking_url: self.link(&format!(
                "/acompanhar/{}?token={}",
                request.protocol,
                token.expose()
            )),
            public_url: self.link("/"),
            signature: self.settings.email.signature.clone(),
        })
    }

    async fn new_request_context(
        &self,
        request: &RequestRecord,
        zone_name: &str,
    ) -> Result<context::NewRequest, JobError> {
        let assignee = match request.assignee_id {
            Some(id) => self.store.staff_member(id).await.map_err(JobError::store)?,
            None => None,
        };
        let dates: Vec<String> = request
            .preferred_dates
            .iter()
            .map(|d| short_date(*d))
            .collect();
        Ok(context::NewRequest {
            protocol: request.protocol.clone(),
            zone_name: zone_name.to_string(),
            name: request.name.clone(),
            role: request.role.label().to_string(),
            subject: request.subject.clone(),
            description: request.description.clone(),
            process_number: request.process_number.clone(),
            preferred_dates: (!dates.is_empty()).then(|| dates.join(", ")),
            assignee: assignee.map(|staff| staff.name),
            panel_url: self.link(&format!("/painel/solicitacoes/{}", request.id)),
            signature: self.settings.email.signature.clone(),
        })
    }

    /// The zone's notification address and the request's assignee, once each.
    async fn zone_recipients(&self, request: &RequestRecord) -> Result<Vec<Mailbox>, JobError> {
        let mut to = Vec::new();
        let zone = self
            .store
            .zone(request.zone)
            .await
            .map_err(JobError::store)?;
        if let Some(address) = zone.and_then(|zone| zone.notification_email) {
            to.push(mailbox(
                &format!("Cartório da {}ª Zona", request.zone),
                &address,
            )?);
        }
        if let Some(id) = request.assignee_id
            && let Some(staff) = self.store.staff_member(id).await.map_err(JobError::store)?
            && staff.active
            && !to
                .iter()
                .any(|m: &Mailbox| m.email.to_string().eq_ignore_ascii_case(&staff.email))
        {
            to.push(mailbox(&staff.name, &staff.email)?);
        }
        Ok(to)
    }

    fn link(&self, path_and_query: &str) -> String {
        let base = self
            .settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}

/// A reminder belongs to one scheduling revision; after a reschedule or a cancel, or once
/// the meeting has begun (a worker that was down, a retry that took long), it is moot.
fn reminder_still_due(request: &RequestRecord, details: &Details, now: DateTime<Utc>) -> bool {
    request.status == Status::Scheduled
        && details.revision == Some(request.schedule_revision)
        && request.scheduled_start.is_some_and(|start| now < start)
}

/// A "scheduled" or "rescheduled" message still waiting (the SMTP server was down) when the
/// meeting moves again or is cancelled would give the requester a time that no longer holds.
fn announcement_current(request: &RequestRecord, details: &Details) -> bool {
    request.status == Status::Scheduled
        && details
            .revision
            .is_none_or(|revision| revision == request.schedule_revision)
}

/// The meeting a message is about: the change's own times and link, else the request's.
fn meeting(
    details: &Details,
    request: &RequestRecord,
) -> Result<(DateTime<Utc>, DateTime<Utc>, String), JobError> {
    let start = details.start.or(request.scheduled_start);
    let end = details.end.or(request.scheduled_end);
    let link = details
        .meet_link
        .clone()
        .or_else(|| request.meet_link.clone());
    match (start, end, link) {
        (Some(start), Some(end), Some(link)) => Ok((start, end, link)),
        // With the google provider the link comes when the calendar job has made the event,
        // which may still be retrying: wait for it rather than lose the message.
        _ => Err(JobError::Transient(
            "the meeting has no time or no link yet".into(),
        )),
    }
}

fn mailbox(name: &str, address: &str) -> Result<Mailbox, JobError> {
    let email = address
        .parse()
        .map_err(|error| JobError::Permanent(format!("invalid address {address:?}: {error}")))?;
    Ok(Mailbox::new(Some(name.to_string()), email))
}
