//! OAuth tokens for the service account: cached and refreshed before they expire by
//! yup-oauth2; after a 401 the next request forces a fresh one.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use google_calendar3::{common::GetToken, yup_oauth2::authenticator::Authenticator};

use super::Connector;

type TokenResult = Result<Option<String>, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Clone)]
pub struct TokenSource {
    authenticator: Arc<Authenticator<Connector>>,
    force_refresh: Arc<AtomicBool>,
}

impl TokenSource {
    pub fn new(authenticator: Authenticator<Connector>) -> TokenSource {
        TokenSource {
            authenticator: Arc::new(authenticator),
            force_refresh: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The token was refused (revoked, or the clocks disagree): fetch a new one next time.
    pub fn refresh_next(&self) {
        self.force_refresh.store(true, Ordering::SeqCst);
    }
}

impl GetToken for TokenSource {
    fn get_token<'a>(
        &'a self,
        scopes: &'a [&str],
    ) -> Pin<Box<dyn Future<Output = TokenResult> + Send + 'a>> {
        Box::pin(async move {
            let token = if self.force_refresh.swap(false, Ordering::SeqCst) {
                self.authenticator.force_refreshed_token(scopes).await
            } else {
                self.authenticator.token(scopes).await
            };
            match token {
                Ok(token) => Ok(token.token().map(str::to_string)),
                Err(error) => Err(Box::new(error) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}
