//! Running the e-mails to a meeting's Libras interpreter: the invitation to join it (new or
//! at its new time) and the release when they no longer join it, each with its `.ics`, under
//! the same UID as the requester's invitation and a SEQUENCE that only grows. They carry what
//! interpreting needs (who, which zone, when, the link), never the requester's CPF or contact.

use chrono::{DateTime, Utc};

use super::{
    JobError, Worker,
    email::{mailbox, waiting_for_the_link},
};
use crate::{
    domain::{
        dates::{local_date, local_time, long_date},
        job::{InterpreterInvitation, InterpreterRelease, Job},
        status::Status,
    },
    notify::{
        Message, Rendered, context,
        ics::{Invitation, Method},
    },
    store::{RequestRecord, StaffRecord},
};

impl Worker {
    pub(super) async fn send_to_interpreter(
        &self,
        job_id: i64,
        job: &Job,
    ) -> Result<String, JobError> {
        let request = self.request_of(job).await?;
        match job {
            Job::InterpreterInvited(invitation) => {
                if let Some(why) = moot(invitation, &request) {
                    return Ok(format!("ignorado: {why}"));
                }
                let Some(interpreter) = self.interpreter(invitation.interpreter_id).await? else {
                    return Ok(GONE.into());
                };
                let link = invitation
                    .meet_link
                    .as_deref()
                    .or(request.meet_link.as_deref())
                    .ok_or_else(waiting_for_the_link)?;
                let context = self
                    .invited_context(&request, invitation, &interpreter.name, link)
                    .await?;
                let rendered = self.render(Message::InterpreterInvited, &context)?;
                let sent = Sent {
                    method: Method::Request,
                    sequence: invitation.revision,
                    start: invitation.start,
                    end: invitation.end,
                    meet_link: Some(link),
                };
                self.mail_interpreter(job_id, &request, &interpreter, &rendered, sent)
                    .await
            }
            Job::InterpreterReleased(release) => {
                let Some(interpreter) = self.interpreter(release.interpreter_id).await? else {
                    return Ok(GONE.into());
                };
                let context = released_context(&request, release, &interpreter.name, self);
                let rendered = self.render(Message::InterpreterReleased, &context)?;
                let sent = Sent {
                    method: Method::Cancel,
                    sequence: release.sequence,
                    start: release.start,
                    end: release.end,
                    meet_link: None,
                };
                self.mail_interpreter(job_id, &request, &interpreter, &rendered, sent)
                    .await
            }
            other => Err(JobError::Permanent(format!(
                "a tarefa {} não é um e-mail ao(à) intérprete",
                other.kind().as_str()
            ))),
        }
    }

    /// The interpreter's account, while it is active.
    async fn interpreter(&self, id: i32) -> Result<Option<StaffRecord>, JobError> {
        Ok(self
            .store
            .staff_member(id)
            .await
            .map_err(JobError::store)?
            .filter(|account| account.active))
    }

    async fn mail_interpreter(
        &self,
        job_id: i64,
        request: &RequestRecord,
        interpreter: &StaffRecord,
        rendered: &Rendered,
        sent: Sent<'_>,
    ) -> Result<String, JobError> {
        let to = [mailbox(&interpreter.name, &interpreter.email)?];
        // The requester's UID: one meeting is one event in every calendar it reaches.
        let uid = format!("request-{}@{}", request.id, self.mail_domain);
        let summary = format!(
            "Interpretação em Libras — {} ({})",
            request.zone_name, request.protocol
        );
        let invitation = Invitation {
            method: sent.method,
            uid: &uid,
            sequence: sent.sequence,
            start: sent.start,
            end: sent.end,
            summary: &summary,
            description: &rendered.text,
            meet_link: sent.meet_link,
            organizer_email: self.from.email.as_ref(),
            attendee_email: &interpreter.email,
            now: self.clock.now(),
        };
        self.deliver(job_id, &to, rendered, Some(invitation)).await
    }

    async fn invited_context(
        &self,
        request: &RequestRecord,
        invitation: &InterpreterInvitation,
        interpreter_name: &str,
        link: &str,
    ) -> Result<context::InterpreterInvited, JobError> {
        let clerk = match request.assignee_id {
            Some(id) => self.store.staff_member(id).await.map_err(JobError::store)?,
            None => None,
        };
        Ok(context::InterpreterInvited {
            interpreter_name: interpreter_name.to_string(),
            requester_name: request.name.clone(),
            protocol: request.protocol.clone(),
            zone_name: request.zone_name.clone(),
            date: long_date(local_date(invitation.start)),
            time: local_time(invitation.start),
            end_time: local_time(invitation.end),
            meet_link: link.to_string(),
            previous_date: invitation
                .previous_start
                .map(|start| long_date(local_date(start))),
            previous_time: invitation.previous_start.map(local_time),
            clerk: clerk.map(|account| account.name),
            signature: self.settings.email.signature.clone(),
        })
    }
}

const GONE: &str = "ignorado: a conta do(a) intérprete não existe mais ou está desativada";

/// The invitation an interpreter's message carries.
struct Sent<'a> {
    method: Method,
    sequence: i32,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    meet_link: Option<&'a str>,
}

fn released_context(
    request: &RequestRecord,
    release: &InterpreterRelease,
    interpreter_name: &str,
    worker: &Worker,
) -> context::InterpreterReleased {
    context::InterpreterReleased {
        interpreter_name: interpreter_name.to_string(),
        requester_name: request.name.clone(),
        protocol: request.protocol.clone(),
        zone_name: request.zone_name.clone(),
        date: long_date(local_date(release.start)),
        time: local_time(release.start),
        cancelled: release.cancelled,
        signature: worker.settings.email.signature.clone(),
    }
}

/// Why an invitation would say what no longer holds: the meeting moved again, was cancelled,
/// or another interpreter took it before it went out (that change brings its own messages).
/// A release always goes: whatever happened since, the time it names is no longer theirs.
fn moot(invitation: &InterpreterInvitation, request: &RequestRecord) -> Option<&'static str> {
    if request.status != Status::Scheduled || request.schedule_revision != invitation.revision {
        Some("o atendimento foi alterado de novo depois deste convite")
    } else if request.interpreter_id != Some(invitation.interpreter_id) {
        Some("outro(a) intérprete assumiu o atendimento")
    } else {
        None
    }
}
