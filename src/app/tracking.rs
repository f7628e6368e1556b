//! A requester follows and cancels their request, proven by the tracking token alone.

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use super::{App, AppError};
use crate::{
    domain::{
        change::{Actor, requester_may_cancel},
        command::{Command, ParsedCommand},
        field_errors::FieldErrors,
        status::Status,
    },
    store::{RequestRecord, StoreError, Transition, ZoneScope},
    tokens::hash_token,
};

/// A request as its requester may see it.
#[derive(Debug)]
pub struct Tracked {
    pub request: RequestRecord,
    /// Whether the requester may still cancel it themselves.
    pub cancellable: bool,
}

/// How many times a requester's change is tried again on a newer version.
const REQUESTER_ATTEMPTS: usize = 3;

impl App {
    /// The request, if `token` is its tracking token. An unknown protocol and a wrong token
    /// are the same answer, reached in the same time.
    pub async fn track(&self, protocol: &str, token: &str) -> Result<Tracked, AppError> {
        let request = self.verified(protocol, token).await?;
        Ok(self.tracked(request, self.now()))
    }

    pub async fn cancel_by_requester(
        &self,
        protocol: &str,
        token: &str,
    ) -> Result<Tracked, AppError> {
        let command = ParsedCommand {
            command: Command::Cancel { reason: None },
            note: Some("Cancelada pelo(a) requerente.".into()),
        };
        self.change_by_requester(protocol, token, &command).await
    }

    /// The requester picks one of the offered times (`start`, RFC 3339). The first pick wins:
    /// a second one finds the request scheduled and is refused with what happened.
    pub async fn pick_by_requester(
        &self,
        protocol: &str,
        token: &str,
        start: Option<&str>,
    ) -> Result<Tracked, AppError> {
        let request = self.verified(protocol, token).await?;
        let start = match start.map(str::trim).filter(|start| !start.is_empty()) {
            None => Err("Escolha um dos horários oferecidos."),
            Some(text) => DateTime::parse_from_rfc3339(text)
                .map(|start| start.with_timezone(&Utc))
                .map_err(|_| {
                    "Horário inválido: use o formato RFC 3339, por exemplo 2026-12-03T09:10:00-03:00."
                }),
        };
        let start = start.map_err(|message| {
            let mut errors = FieldErrors::new();
            errors.add("start", message);
            AppError::Invalid(errors)
        })?;
        let command = ParsedCommand {
            command: Command::Pick { start },
            note: None,
        };
        if request.status == Status::Offered {
            self.check_calendar_free(&request, &command.command).await?;
        }
        self.change_by_requester(protocol, token, &command).await
    }

    /// A change the requester makes with the token alone. A concurrent change by staff (or a
    /// concurrent pick) makes it retry on the new version, where the decision sees what
    /// happened meanwhile.
    async fn change_by_requester(
        &self,
        protocol: &str,
        token: &str,
        command: &ParsedCommand,
    ) -> Result<Tracked, AppError> {
        let mut request = self.verified(protocol, token).await?;
        for _ in 0..REQUESTER_ATTEMPTS {
            let now = self.now();
            let asked = Transition {
                id: request.id,
                expected_version: request.version,
                command,
                actor: Actor::Requester,
                scope: &ZoneScope::All,
                now,
            };
            match self.store.transition(&asked, &self.policy).await {
                Ok(Ok(changed)) => {
                    tracing::info!(
                        protocol = %changed.protocol,
                        action = %command.command.action(),
                        "request changed by its requester"
                    );
                    return Ok(self.tracked(changed, now));
                }
                Ok(Err(refusal)) => return Err(refusal.into()),
                Err(StoreError::Stale { .. }) => {
                    request = self
                        .store
                        .request(request.id, &ZoneScope::All)
                        .await?
                        .ok_or(AppError::NotFound)?;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(StoreError::Stale {
            expected: request.version,
            current: request.version + 1,
        }
        .into())
    }

    async fn verified(&self, protocol: &str, token: &str) -> Result<RequestRecord, AppError> {
        let presented = hash_token(token);
        let found = if protocol.len() <= 20 && !token.is_empty() {
            self.store.request_by_protocol(protocol).await?
        } else {
            None
        };
        let decoy = [DECOY_HASH.to_string()];
        let stored = found.as_ref().map_or(&decoy[..], |(_, hashes)| &hashes[..]);
        // Every stored hash is compared, whichever matches, so timing tells nothing about the
        // token. Whether a protocol exists may show in the timing; protocols are sequential
        // and printed on every message, so that is no secret.
        let matches = stored.iter().fold(subtle::Choice::from(0), |any, hash| {
            any | presented.as_bytes().ct_eq(hash.as_bytes())
        });
        let matches: bool = matches.into();
        match found {
            Some((request, _)) if matches => Ok(request),
            _ => Err(AppError::NotFound),
        }
    }

    fn tracked(&self, request: RequestRecord, now: DateTime<Utc>) -> Tracked {
        let notice = self.policy.requester_cancel_notice_hours;
        let cancellable = requester_may_cancel(&request.state(), now, notice).is_ok();
        Tracked {
            request,
            cancellable,
        }
    }
}

/// Compared against when the protocol does not exist, so that case costs the same.
const DECOY_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
