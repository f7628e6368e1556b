//! Staff sign in with e-mail and password and get a token (API) or a session (panel).

use std::{net::IpAddr, sync::OnceLock, time::Instant};

use chrono::{DateTime, Duration, Utc};

use super::{App, AppError};
use crate::{
    passwords,
    store::{SessionKind, StaffRecord},
    tokens::{Token, hash_token},
};

/// The signed-in account behind a request.
pub type StaffUser = StaffRecord;

#[derive(Debug)]
pub struct SignIn {
    pub token: Token,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffRecord,
}

impl App {
    /// Wrong e-mail, wrong password and disabled account are one answer, taking one time.
    ///
    /// Guessing is throttled without handing anyone a lockout: an address that keeps failing
    /// for one account, or for many, must wait (429); an account failing from many addresses
    /// is slowed down, never refused, so its owner's right password still signs in from an
    /// address that has not been failing.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        kind: SessionKind,
        client: IpAddr,
    ) -> Result<SignIn, AppError> {
        let account_key = email.trim().to_lowercase();
        let pair = (account_key.clone(), client);
        let now_instant = Instant::now();
        // Every attempt counts before the password is checked, so parallel guesses cannot all
        // pass while argon2 runs; a success gives its count back below.
        self.limits
            .failed_logins_by_account_and_address
            .hit(&pair, now_instant)
            .map_err(|retry| AppError::RateLimited(retry.0))?;
        if let Err(retry) = self
            .limits
            .failed_logins_by_address
            .hit(&client, now_instant)
        {
            self.limits
                .failed_logins_by_account_and_address
                .forget_last(&pair);
            return Err(AppError::RateLimited(retry.0));
        }
        let delay = self.sign_in_delay(&account_key, now_instant);
        if !delay.is_zero() {
            tracing::info!(?delay, "sign-in slowed down: the account has been failing");
            tokio::time::sleep(delay).await;
        }
        let credentials = self.store.staff_credentials(&account_key).await?;
        let hash = credentials
            .as_ref()
            .map_or_else(|| decoy_hash().to_string(), |(_, hash)| hash.clone());
        let password = password.to_string();
        let verified =
            tokio::task::spawn_blocking(move || passwords::verify_password(&password, &hash))
                .await
                .map_err(anyhow::Error::from)?;
        let staff = match credentials {
            Some((staff, _)) if verified && staff.active => staff,
            _ => {
                tracing::warn!(%client, "failed sign-in");
                self.limits
                    .failed_logins_by_account
                    .record(&account_key, Instant::now());
                return Err(AppError::Unauthorized);
            }
        };
        self.limits
            .failed_logins_by_account_and_address
            .clear(&pair);
        self.limits.failed_logins_by_address.forget_last(&client);
        let token = Token::session().map_err(anyhow::Error::from)?;
        let now = self.now();
        let expires_at = now + Duration::hours(self.settings.auth.token_ttl_hours.into());
        self.store
            .create_session(staff.id, kind, &token.hash(), now, expires_at)
            .await?;
        tracing::info!(staff = staff.id, "signed in");
        Ok(SignIn {
            token,
            expires_at,
            staff,
        })
    }

    /// How long an attempt on `account` waits: a second per failure beyond
    /// `auth.max_failed_logins_per_account` within the window, from whatever addresses, up to
    /// `auth.max_sign_in_delay_seconds`.
    fn sign_in_delay(&self, account: &String, now: Instant) -> std::time::Duration {
        let failures = self.limits.failed_logins_by_account.count(account, now);
        let allowed = self.settings.auth.max_failed_logins_per_account as usize;
        let beyond = u64::try_from(failures.saturating_sub(allowed)).unwrap_or(u64::MAX);
        std::time::Duration::from_secs(beyond.min(self.settings.auth.max_sign_in_delay_seconds))
    }

    /// The account of a live token, or `Unauthorized`.
    pub async fn staff_for_token(
        &self,
        token: &str,
        kind: SessionKind,
    ) -> Result<StaffUser, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::Unauthorized);
        }
        self.store
            .session_staff(&hash_token(token), kind, self.now())
            .await?
            .ok_or(AppError::Unauthorized)
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        self.store
            .revoke_session(&hash_token(token), self.now())
            .await?;
        Ok(())
    }
}

/// A real argon2id hash of a random password: checking against it costs what a real check
/// costs, so response time does not tell whether an e-mail has an account.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let random = Token::session()
            .map(|t| t.expose().to_string())
            .unwrap_or_default();
        passwords::hash_password(&random).unwrap_or_default()
    })
}
