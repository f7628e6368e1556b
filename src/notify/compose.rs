//! Turning a rendered message into an e-mail: both bodies as alternatives, the calendar
//! invitation as an attachment, and a Message-ID derived from the outbox job.

use lettre::{
    Message,
    message::{Attachment, Mailbox, MultiPart, header::ContentType},
};

use super::{ics::Invitation, templates::Rendered};

pub struct Outgoing<'a> {
    pub from: &'a Mailbox,
    pub to: &'a [Mailbox],
    pub rendered: &'a Rendered,
    /// Stable per job: a retried send carries the same id, so a duplicate is recognisable.
    pub message_id: String,
    pub invitation: Option<Invitation<'a>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("o e-mail não tem destinatário")]
    NoRecipient,
    #[error("não foi possível montar o e-mail: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("tipo de conteúdo inválido: {0}")]
    ContentType(#[from] lettre::message::header::ContentTypeErr),
}

pub fn compose(outgoing: &Outgoing<'_>) -> Result<Message, ComposeError> {
    let mut builder = Message::builder()
        .from(outgoing.from.clone())
        .subject(outgoing.rendered.subject.clone())
        .message_id(Some(outgoing.message_id.clone()));
    if outgoing.to.is_empty() {
        return Err(ComposeError::NoRecipient);
    }
    for mailbox in outgoing.to {
        builder = builder.to(mailbox.clone());
    }
    let bodies = MultiPart::alternative_plain_html(
        outgoing.rendered.text.clone(),
        outgoing.rendered.html.clone(),
    );
    let message =
        match &outgoing.invitation {
            None => builder.multipart(bodies)?,
            Some(invitation) => {
                let content_type = ContentType::parse(&format!(
                    "text/calendar; charset=UTF-8; method={}",
                    invitation.method_name()
                ))?;
                let ics = invitation.to_ics();
                builder.multipart(MultiPart::mixed().multipart(bodies).singlepart(
                    Attachment::new("convite.ics".to_string()).body(ics, content_type),
                ))?
            }
        };
    Ok(message)
}
