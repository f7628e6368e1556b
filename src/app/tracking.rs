//! A requester follows, cancels and reschedules their request, proven by the tracking token
//! alone.

use chrono::{DateTime, NaiveDate, Utc};
use subtle::ConstantTimeEq;

use super::{App, AppError, staff_work::MAX_SLOT_DAYS};
use crate::{
    domain::{
        change::{
            Actor, Refusal, requester_may_cancel, requester_may_reschedule, requester_moves_left,
        },
        command::{Command, CommandInput, ParsedCommand},
        field_errors::FieldErrors,
        schedule::Slot,
        status::Status,
    },
    store::{FreeSlots, RequestRecord, Staffing, StoreError, Transition, ZoneScope},
    tokens::hash_token,
};

/// A request as its requester may see it.
#[derive(Debug)]
pub struct Tracked {
    pub request: RequestRecord,
    /// Whether the requester may still cancel it themselves.
    pub cancellable: bool,
    /// Whether the requester may move the meeting themselves now, or why not.
    pub reschedule: Result<(), Refusal>,
    /// How many more times the requester may move the meeting.
    pub reschedules_left: u32,
}

impl Tracked {
    pub fn reschedulable(&self) -> bool {
        self.reschedule.is_ok()
    }
}

/// A concurrent change by staff makes the requester's change retry on the new version.
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
        let request = self.verified(protocol, token).await?;
        let command = ParsedCommand {
            command: Command::Cancel { reason: None },
            note: Some("Cancelada pelo(a) requerente.".into()),
        };
        let cancelled = self.change_by_requester(request, &command).await?;
        tracing::info!(protocol = %cancelled.request.protocol, "request cancelled by its requester");
        Ok(cancelled)
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
        let picked = self.change_by_requester(request, &command).await?;
        tracing::info!(protocol = %picked.request.protocol, "offered time picked by its requester");
        Ok(picked)
    }

    /// The offered times the requester may still pick: with the google provider, those the
    /// zone's calendar has not filled meanwhile. When the calendar cannot be read, all of
    /// them (the pick checks again and says so).
    pub async fn offered_times(&self, request: &RequestRecord) -> Vec<Slot> {
        let Some(offer) = request
            .offer
            .as_ref()
            .filter(|_| request.status == Status::Offered)
        else {
            return Vec::new();
        };
        match self.without_busy(request.zone, offer.slots.clone()).await {
            Ok(free) => free,
            Err(error) => {
                tracing::warn!(%error, protocol = %request.protocol, "offered times: the zone's calendar could not be read");
                offer.slots.clone()
            }
        }
    }

    /// The free slots the requester may move their meeting to, over `days` days from `from`:
    /// those the staff listing shows for the clerk who holds the meeting (the zone's window,
    /// business days, the horizon, the clerk's other meetings, and the zone's Google
    /// calendar with the google provider). Refused, with the reason, when the requester may
    /// not move the meeting now.
    pub async fn requester_slots(
        &self,
        protocol: &str,
        token: &str,
        from: NaiveDate,
        days: u32,
    ) -> Result<FreeSlots, AppError> {
        let request = self.verified(protocol, token).await?;
        self.slots_to_move_to(&request, from, days).await
    }

    /// As [`App::requester_slots`], for a request already verified. For a request that needs
    /// a Libras interpreter, only times when one is free as well, saying so when none is.
    pub async fn slots_to_move_to(
        &self,
        request: &RequestRecord,
        from: NaiveDate,
        days: u32,
    ) -> Result<FreeSlots, AppError> {
        let now = self.now();
        requester_may_reschedule(&request.state(), now, &self.policy)?;
        let clerks = match request.assignee_id {
            Some(clerk) => vec![clerk],
            None => self
                .store
                .zone_clerks(request.zone)
                .await?
                .unwrap_or_default(),
        };
        let listed = match self
            .store
            .free_slots(
                request.zone,
                from,
                days.clamp(1, MAX_SLOT_DAYS),
                now,
                &self.policy,
                Staffing {
                    clerks: &clerks,
                    interpreter: request.accessibility.needs_libras(),
                },
            )
            .await
        {
            Ok(listed) => listed,
            // A zone closed since the meeting was made offers no new time.
            Err(StoreError::NotFound) => FreeSlots {
                slots: Vec::new(),
                shortage: None,
            },
            Err(error) => return Err(error.into()),
        };
        Ok(FreeSlots {
            slots: self.without_busy(request.zone, listed.slots).await?,
            shortage: listed.shortage,
        })
    }

    /// Moves the requester's meeting to `start` (RFC 3339), if they may move it now and it is
    /// a free slot: the same change a clerk's reschedule makes (the same event, the same
    /// link, the next `.ics` sequence), counted, and told to the zone. `type_errors` carries
    /// what the transport found wrong; a wrong token is not found before any of it is told.
    pub async fn reschedule_by_requester(
        &self,
        protocol: &str,
        token: &str,
        start: Option<String>,
        type_errors: FieldErrors,
    ) -> Result<Tracked, AppError> {
        let request = self.verified(protocol, token).await?;
        if !type_errors.is_empty() {
            return Err(AppError::Invalid(type_errors));
        }
        let input = CommandInput {
            action: Some("reschedule".into()),
            start,
            ..CommandInput::default()
        };
        let parsed = Command::parse(&input, &[]).map_err(AppError::Invalid)?;
        let command = ParsedCommand {
            command: parsed.command,
            note: Some("Remarcada pelo(a) requerente.".into()),
        };
        // Judged before the calendar is asked: a move that may not happen is refused for its
        // reason, even while Google does not answer. The store judges it again.
        requester_may_reschedule(&request.state(), self.now(), &self.policy)?;
        if self.calendar.is_some() {
            self.check_calendar_free(&request, &command.command).await?;
        }
        let moved = self.change_by_requester(request, &command).await?;
        tracing::info!(protocol = %moved.request.protocol, "meeting moved by its requester");
        Ok(moved)
    }

    /// Applies the requester's `command`, retrying on the new version when staff changed the
    /// request meanwhile (the rules are judged again on it).
    async fn change_by_requester(
        &self,
        mut request: RequestRecord,
        command: &ParsedCommand,
    ) -> Result<Tracked, AppError> {
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
                Ok(Ok(changed)) => return Ok(self.tracked(changed, now)),
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

    pub(super) async fn verified(
        &self,
        protocol: &str,
        token: &str,
    ) -> Result<RequestRecord, AppError> {
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
        let state = request.state();
        let cancellable = requester_may_cancel(&state, now, notice).is_ok();
        let reschedule = requester_may_reschedule(&state, now, &self.policy);
        let reschedules_left = requester_moves_left(
            self.policy.requester_reschedules_max,
            state.requester_reschedules,
        );
        Tracked {
            request,
            cancellable,
            reschedule,
            reschedules_left,
        }
    }
}

/// Compared against when the protocol does not exist, so that case costs the same.
const DECOY_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
