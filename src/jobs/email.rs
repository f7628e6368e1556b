//! Running an e-mail job: who gets it, what it says, and sending it.

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use super::{JobError, Worker};
use crate::{
    domain::{
        change::requester_moves_left,
        dates::{local_date, local_time, long_date, long_moment, short_date},
        job::{Job, MeetingMove, MeetingNotice},
        messages::{Author, Mode},
        status::{Outcome, Status},
    },
    notify::{
        Message, Outgoing, Rendered, compose,
        context::{self, ToRequester},
        ics::{Invitation, Method},
    },
    store::RequestRecord,
    tokens::Token,
};

/// The calendar invitation a message carries.
struct InvitationParts<'a> {
    method: Method,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    sequence: i32,
    meet_link: Option<&'a str>,
}

impl Worker {
    pub(super) async fn send_email(&self, job_id: i64, job: &Job) -> Result<String, JobError> {
        if let Job::InterpreterInvited(_) | Job::InterpreterReleased(_) = job {
            return self.send_to_interpreter(job_id, job).await;
        }
        let request = self.request_of(job).await?;
        if let Some(why) = moot(job, &request, self.clock.now()) {
            return Ok(format!("ignorado: {why}"));
        }
        match job {
            Job::MessagesToZone {
                first_message_id, ..
            } => {
                return self
                    .send_message_batch(job_id, &request, Author::Requester, *first_message_id)
                    .await;
            }
            Job::MessagesToRequester {
                first_message_id, ..
            } => {
                return self
                    .send_message_batch(job_id, &request, Author::Staff, *first_message_id)
                    .await;
            }
            Job::Survey { .. } => return self.send_survey(job_id, &request).await,
            _ => {}
        }
        let to_zone = matches!(
            job,
            Job::NewRequest { .. } | Job::RescheduledByRequester(_) | Job::OfferExpired { .. }
        );
        let (to, rendered, invitation) = if to_zone {
            let to = self.zone_recipients(&request).await?;
            if to.is_empty() {
                tracing::warn!(
                    zone = request.zone,
                    kind = job.kind().as_str(),
                    "a message to the zone: the zone has no notification address and no clerk"
                );
                return Ok(
                    "ignorado: a zona não tem e-mail de aviso nem servidor responsável".into(),
                );
            }
            let rendered = match job {
                Job::RescheduledByRequester(moved) => {
                    let context = self.moved_by_requester_context(&request, moved).await?;
                    self.render(Message::RescheduledByRequester, &context)?
                }
                Job::OfferExpired { .. } => self.render(
                    Message::OfferExpired,
                    &context::OfferExpired {
                        protocol: request.protocol.clone(),
                        zone_name: request.zone_name.clone(),
                        name: request.name.clone(),
                        panel_url: self.links.panel_request(request.id),
                        signature: self.settings.email.signature.clone(),
                    },
                )?,
                _ => {
                    let context = self.new_request_context(&request).await?;
                    self.render(Message::NewRequest, &context)?
                }
            };
            (to, rendered, None)
        } else {
            let to = vec![mailbox(&request.name, &request.email)?];
            let common = self.to_requester(&request).await?;
            let rendered = self.render_for_requester(job, common, &request)?;
            (to, rendered, invitation_parts(job, &request))
        };
        let uid = format!("request-{}@{}", request.id, self.mail_domain);
        let summary = format!(
            "Atendimento Balcão Virtual — {} ({})",
            request.zone_name, request.protocol
        );
        let invitation = invitation.map(|parts| Invitation {
            method: parts.method,
            uid: &uid,
            sequence: parts.sequence,
            start: parts.start,
            end: parts.end,
            summary: &summary,
            description: &rendered.text,
            meet_link: parts.meet_link,
            organizer_email: self.from.email.as_ref(),
            attendee_email: &request.email,
            now: self.clock.now(),
        });
        self.deliver(job_id, &to, &rendered, invitation).await
    }

    /// Composes job `job_id`'s message and sends it: what the mailer did, for the job's
    /// record.
    pub(super) async fn deliver(
        &self,
        job_id: i64,
        to: &[Mailbox],
        rendered: &Rendered,
        invitation: Option<Invitation<'_>>,
    ) -> Result<String, JobError> {
        let email = compose(&Outgoing {
            from: &self.from,
            to,
            rendered,
            message_id: format!("<contato.job{job_id}@{}>", self.mail_domain),
            invitation,
        })
        .map_err(|error| JobError::Permanent(error.to_string()))?;
        let delivery = self.mailer.send(email).await.map_err(JobError::from)?;
        Ok(delivery.summary)
    }

    fn render_for_requester(
        &self,
        job: &Job,
        common: ToRequester,
        request: &RequestRecord,
    ) -> Result<Rendered, JobError> {
        match job {
            Job::RequestReceived { .. } => self.render(
                Message::RequestReceived,
                &context::RequestReceived {
                    common,
                    subject: request.subject.clone(),
                },
            ),
            Job::Rejected { reason, .. } => self.render(
                Message::Rejected,
                &context::Rejected {
                    common,
                    reason: reason.clone(),
                },
            ),
            Job::Scheduled(notice) => self.announce(Message::Scheduled, notice, common, request),
            Job::Rescheduled(notice) => {
                self.announce(Message::Rescheduled, notice, common, request)
            }
            Job::Cancelled(notice) => self.render(
                Message::Cancelled,
                &context::Cancelled {
                    common,
                    by_requester: notice.by_requester,
                    date: notice.start.map(|start| long_date(local_date(start))),
                    time: notice.start.map(local_time),
                    reason: notice.reason.clone(),
                },
            ),
            Job::Reminder { hours_before, .. } => {
                let (Some(start), Some(link)) = (request.scheduled_start, &request.meet_link)
                else {
                    return Err(waiting_for_the_link());
                };
                self.render(
                    Message::Reminder,
                    &context::Reminder {
                        common,
                        when: context::reminder_when(*hours_before),
                        date: long_date(local_date(start)),
                        time: local_time(start),
                        meet_link: link.clone(),
                    },
                )
            }
            Job::Done { outcome, .. } => self.render(
                Message::Done,
                &context::Done {
                    common,
                    attended: *outcome != Outcome::NoShow,
                    by_message: *outcome == Outcome::AttendedByMessage,
                },
            ),
            Job::ToMessage(notice) => self.render(
                Message::ToMessage,
                &context::ToMessage {
                    common,
                    date: notice.start.map(|start| long_date(local_date(start))),
                    time: notice.start.map(local_time),
                    reason: notice.reason.clone(),
                },
            ),
            Job::Offered(notice) => self.render(
                Message::Offered,
                &context::Offered {
                    common,
                    slots: notice.starts.iter().copied().map(long_moment).collect(),
                    expires: long_moment(notice.expires_at),
                },
            ),
            Job::OfferWithdrawn { .. } => {
                self.render(Message::OfferWithdrawn, &context::OfferWithdrawn { common })
            }
            Job::NewRequest { .. }
            | Job::OfferExpired { .. }
            | Job::ExpireOffer { .. }
            | Job::RescheduledByRequester(_)
            | Job::CreateMeeting(_)
            | Job::MoveMeeting(_)
            | Job::DeleteMeeting { .. }
            | Job::QueueMeeting { .. }
            | Job::QueueCalled { .. }
            | Job::CloseTicket { .. }
            | Job::QueueClosed { .. }
            | Job::MessagesToZone { .. }
            | Job::MessagesToRequester { .. }
            | Job::InterpreterInvited(_)
            | Job::InterpreterReleased(_)
            | Job::Survey { .. }
            | Job::Retention { .. } => Err(JobError::Permanent(format!(
                "a tarefa {} não é um e-mail ao requerente",
                job.kind().as_str()
            ))),
        }
    }

    /// A meeting's time and link, first or new.
    fn announce(
        &self,
        message: Message,
        notice: &MeetingNotice,
        common: ToRequester,
        request: &RequestRecord,
    ) -> Result<Rendered, JobError> {
        let meet_link = announced_link(notice, request)?.to_string();
        self.render(
            message,
            &context::Scheduled {
                common,
                date: long_date(local_date(notice.start)),
                time: local_time(notice.start),
                end_time: local_time(notice.end),
                meet_link,
                process_number: request.process_number.clone(),
                cancel_notice_hours: self.settings.schedule.requester_cancel_notice_hours,
                reschedule_notice_hours: (requester_moves_left(
                    self.change_policy.requester_reschedules_max,
                    request.requester_reschedules,
                ) > 0)
                    .then_some(self.change_policy.requester_reschedule_notice_hours),
            },
        )
    }

    /// A template that does not render fails the same way every time.
    pub(super) fn render(
        &self,
        message: Message,
        context: &impl serde::Serialize,
    ) -> Result<Rendered, JobError> {
        self.templates
            .render(message, context)
            .map_err(|error| JobError::Permanent(error.to_string()))
    }

    /// What every message to the requester carries, with a tracking link minted for it.
    async fn to_requester(&self, request: &RequestRecord) -> Result<ToRequester, JobError> {
        Ok(self.to_requester_with_token(request).await?.0)
    }

    /// As [`Worker::to_requester`], with the minted token, for a message that carries
    /// another of the requester's links.
    async fn to_requester_with_token(
        &self,
        request: &RequestRecord,
    ) -> Result<(ToRequester, Token), JobError> {
        let token = Token::tracking().map_err(|error| {
            JobError::Transient(format!(
                "não foi possível gerar o link de acompanhamento: {error}"
            ))
        })?;
        self.store
            .add_tracking_token(request.id, &token.hash(), self.clock.now())
            .await
            .map_err(JobError::store)?;
        let common = ToRequester {
            name: request.name.clone(),
            protocol: request.protocol.clone(),
            zone_name: request.zone_name.clone(),
            tracking_url: self.links.tracking(&request.protocol, token.expose()),
            public_url: self.links.home(),
            signature: self.settings.email.signature.clone(),
        };
        Ok((common, token))
    }

    /// The invitation to the satisfaction survey, unless the requester has already answered
    /// (from the tracking page's link while this job waited).
    async fn send_survey(&self, job_id: i64, request: &RequestRecord) -> Result<String, JobError> {
        let answered = self
            .store
            .survey_answer(request.id)
            .await
            .map_err(JobError::store)?;
        if answered.is_some() {
            return Ok("ignorado: o(a) requerente já respondeu à pesquisa".into());
        }
        let to = vec![mailbox(&request.name, &request.email)?];
        let (common, token) = self.to_requester_with_token(request).await?;
        let rendered = self.render(
            Message::Survey,
            &context::Survey {
                common,
                survey_url: self.links.survey(&request.protocol, token.expose()),
                by_message: request.outcome == Some(Outcome::AttendedByMessage),
            },
        )?;
        self.deliver(job_id, &to, &rendered, None).await
    }

    async fn new_request_context(
        &self,
        request: &RequestRecord,
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
            zone_name: request.zone_name.clone(),
            name: request.name.clone(),
            role: request.role.label().to_string(),
            subject: request.subject.clone(),
            description: request.description.clone(),
            process_number: request.process_number.clone(),
            preferred_dates: (!dates.is_empty()).then(|| dates.join(", ")),
            accessibility: request.accessibility.summary(),
            by_message: request.mode == Mode::Message,
            assignee: assignee.map(|staff| staff.name),
            panel_url: self.links.panel_request(request.id),
            signature: self.settings.email.signature.clone(),
        })
    }

    async fn moved_by_requester_context(
        &self,
        request: &RequestRecord,
        moved: &MeetingMove,
    ) -> Result<context::RescheduledByRequester, JobError> {
        let assignee = match request.assignee_id {
            Some(id) => self.store.staff_member(id).await.map_err(JobError::store)?,
            None => None,
        };
        Ok(context::RescheduledByRequester {
            protocol: request.protocol.clone(),
            zone_name: request.zone_name.clone(),
            name: request.name.clone(),
            subject: request.subject.clone(),
            assignee: assignee.map(|staff| staff.name),
            previous_date: long_date(local_date(moved.previous_start)),
            previous_time: local_time(moved.previous_start),
            date: long_date(local_date(moved.start)),
            time: local_time(moved.start),
            end_time: local_time(moved.end),
            panel_url: self.links.panel_request(request.id),
            signature: self.settings.email.signature.clone(),
        })
    }

    /// The e-mail of one batch of messages to the other side: the zone's address and the
    /// assignee for the requester's, the requester for the zone's.
    async fn send_message_batch(
        &self,
        job_id: i64,
        request: &RequestRecord,
        author: Author,
        first_message_id: i64,
    ) -> Result<String, JobError> {
        let batch = self
            .store
            .take_message_batch(request.id, author, first_message_id)
            .await
            .map_err(JobError::store)?;
        if batch.is_empty() {
            return Ok("ignorado: o lote de mensagens está vazio".into());
        }
        let lines = batch
            .iter()
            .map(|message| context::MessageLine {
                at: long_moment(message.at),
                author: message.staff_name.clone(),
                text: message.text.clone(),
            })
            .collect();
        let (to, rendered) = match author {
            Author::Requester => {
                let to = self.zone_recipients(request).await?;
                if to.is_empty() {
                    tracing::warn!(
                        zone = request.zone,
                        "messages to the zone: the zone has no notification address and no clerk"
                    );
                    return Ok(
                        "ignorado: a zona não tem e-mail de aviso nem servidor responsável".into(),
                    );
                }
                let rendered = self.render(
                    Message::MessagesToZone,
                    &context::MessagesToZone {
                        protocol: request.protocol.clone(),
                        zone_name: request.zone_name.clone(),
                        name: request.name.clone(),
                        by_message: request.mode == Mode::Message,
                        messages: lines,
                        reply_due: request.reply_due_at.map(long_moment),
                        reply_days: self.settings.messages.reply_business_days,
                        panel_url: self.links.panel_request(request.id),
                        signature: self.settings.email.signature.clone(),
                    },
                )?;
                (to, rendered)
            }
            Author::Staff => {
                let to = vec![mailbox(&request.name, &request.email)?];
                let common = self.to_requester(request).await?;
                let rendered = self.render(
                    Message::MessagesToRequester,
                    &context::MessagesToRequester {
                        common,
                        messages: lines,
                    },
                )?;
                (to, rendered)
            }
        };
        let delivery = self.deliver(job_id, &to, &rendered, None).await?;
        Ok(format!("{} mensagem(ns): {delivery}", batch.len()))
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
}

/// Why a message would say what no longer holds, if it would: a reminder of a meeting that
/// moved, was cancelled or has begun (a worker that was down, a retry that took long); an
/// announcement of a time that changed again before it went out.
fn moot(job: &Job, request: &RequestRecord, now: DateTime<Utc>) -> Option<&'static str> {
    let current = |revision: i32| {
        request.status == Status::Scheduled && request.schedule_revision == revision
    };
    match job {
        Job::Reminder { revision, .. }
            if !current(*revision) || request.scheduled_start.is_none_or(|start| now >= start) =>
        {
            Some("o atendimento foi remarcado, cancelado ou já começou")
        }
        Job::Scheduled(notice) | Job::Rescheduled(notice) if !current(notice.revision) => {
            Some("o atendimento foi alterado de novo depois deste aviso")
        }
        // Compared by the times, which are whole minutes: a database may keep fewer digits
        // of the expiry than the notice carries.
        Job::Offered(notice)
            if request.status != Status::Offered
                || request.offer.as_ref().is_none_or(|offer| {
                    !offer
                        .slots
                        .iter()
                        .map(|slot| slot.start)
                        .eq(notice.starts.iter().copied())
                }) =>
        {
            Some("a oferta de horários já foi respondida, retirada ou substituída")
        }
        _ => None,
    }
}

/// The link an announcement gives: its own (by hand), or the one the calendar job recorded.
fn announced_link<'a>(
    notice: &'a MeetingNotice,
    request: &'a RequestRecord,
) -> Result<&'a str, JobError> {
    notice
        .meet_link
        .as_deref()
        .or(request.meet_link.as_deref())
        .ok_or_else(waiting_for_the_link)
}

/// With the google provider the link comes with the event: a message that runs before it
/// (a calendar job retried by an admin after this one) waits for it rather than is lost.
pub(super) fn waiting_for_the_link() -> JobError {
    JobError::Transient("o atendimento ainda não tem o link da reunião".into())
}

/// The invitation's method, times, sequence and link, for the messages that carry one.
fn invitation_parts<'a>(job: &'a Job, request: &'a RequestRecord) -> Option<InvitationParts<'a>> {
    match job {
        Job::Scheduled(notice) | Job::Rescheduled(notice) => Some(InvitationParts {
            method: Method::Request,
            start: notice.start,
            end: notice.end,
            sequence: notice.revision,
            meet_link: announced_link(notice, request).ok(),
        }),
        // One more than the last schedule, so calendars apply the cancel over it.
        Job::Cancelled(notice) => Some(InvitationParts {
            method: Method::Cancel,
            start: notice.start?,
            end: notice.end?,
            sequence: notice.revision + 1,
            meet_link: None,
        }),
        Job::ToMessage(notice) => Some(InvitationParts {
            method: Method::Cancel,
            start: notice.start?,
            end: notice.end?,
            sequence: notice.revision + 1,
            meet_link: None,
        }),
        Job::RequestReceived { .. }
        | Job::NewRequest { .. }
        | Job::Rejected { .. }
        | Job::Reminder { .. }
        | Job::Done { .. }
        | Job::Offered(_)
        | Job::OfferWithdrawn { .. }
        | Job::ExpireOffer { .. }
        | Job::OfferExpired { .. }
        | Job::RescheduledByRequester(_)
        | Job::CreateMeeting(_)
        | Job::MoveMeeting(_)
        | Job::DeleteMeeting { .. }
        | Job::QueueMeeting { .. }
        | Job::QueueCalled { .. }
        | Job::CloseTicket { .. }
        | Job::QueueClosed { .. }
        | Job::MessagesToZone { .. }
        | Job::MessagesToRequester { .. }
        | Job::InterpreterInvited(_)
        | Job::InterpreterReleased(_)
        | Job::Survey { .. }
        | Job::Retention { .. } => None,
    }
}

pub(super) fn mailbox(name: &str, address: &str) -> Result<Mailbox, JobError> {
    let email = address.parse().map_err(|error| {
        JobError::Permanent(format!("endereço de e-mail inválido ({address}): {error}"))
    })?;
    Ok(Mailbox::new(Some(name.to_string()), email))
}
