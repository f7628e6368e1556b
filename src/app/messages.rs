//! The written thread of a request: the requester writes with the tracking token, a clerk
//! from the panel within their zones. Each message is stored with its request locked, so none
//! arrives after the request is final.

use super::{App, AppError, StaffUser, Tracked};
use crate::{
    domain::{
        field_errors::FieldErrors,
        messages::{Author, MessageText},
    },
    store::{MessageRecord, NewMessage, ZoneScope},
};

impl App {
    /// The thread of the request `token` proves, oldest first.
    pub async fn requester_thread(
        &self,
        protocol: &str,
        token: &str,
    ) -> Result<Vec<MessageRecord>, AppError> {
        let request = self.verified(protocol, token).await?;
        Ok(self.store.thread(request.id).await?)
    }

    /// The thread of a request its requester has already proven to hold.
    pub async fn thread_of(&self, tracked: &Tracked) -> Result<Vec<MessageRecord>, AppError> {
        Ok(self.store.thread(tracked.request.id).await?)
    }

    /// The requester writes in their request's thread; the zone hears of it by e-mail.
    pub async fn post_by_requester(
        &self,
        protocol: &str,
        token: &str,
        text: Option<&str>,
    ) -> Result<MessageRecord, AppError> {
        let request = self.verified(protocol, token).await?;
        let text = message_text(text)?;
        self.post(request.id, Author::Requester, None, &text, &ZoneScope::All)
            .await
    }

    /// A request's thread as a clerk of its zone (or an admin) reads it; what the requester
    /// wrote counts as read from now on.
    pub async fn staff_thread(
        &self,
        user: &StaffUser,
        id: i64,
    ) -> Result<Vec<MessageRecord>, AppError> {
        let request = self
            .store
            .request(id, &user.scope())
            .await?
            .ok_or(AppError::NotFound)?;
        if request.staff_unread {
            self.store.mark_thread_read(request.id).await?;
        }
        Ok(self.store.thread(request.id).await?)
    }

    /// A clerk writes in the thread of a request of their zones; the requester hears of it
    /// by e-mail, and the reply the court owed is given.
    pub async fn post_by_staff(
        &self,
        user: &StaffUser,
        id: i64,
        text: Option<&str>,
    ) -> Result<MessageRecord, AppError> {
        let text = message_text(text)?;
        self.post(id, Author::Staff, Some(user.id), &text, &user.scope())
            .await
    }

    async fn post(
        &self,
        request_id: i64,
        author: Author,
        staff_id: Option<i32>,
        text: &MessageText,
        scope: &ZoneScope,
    ) -> Result<MessageRecord, AppError> {
        let message = NewMessage {
            request_id,
            author,
            staff_id,
            text,
            now: self.now(),
        };
        let posted = self
            .store
            .post_message(
                &message,
                scope,
                &self.settings.thread_policy(),
                self.default_window(),
            )
            .await??;
        tracing::info!(
            request_id,
            author = author.as_str(),
            message_id = posted.id,
            "message posted"
        );
        Ok(posted)
    }
}

fn message_text(text: Option<&str>) -> Result<MessageText, AppError> {
    MessageText::parse(text.unwrap_or_default()).map_err(|error| {
        let mut errors = FieldErrors::new();
        errors.add("text", error.to_string());
        AppError::Invalid(errors)
    })
}
