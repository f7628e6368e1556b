//! Same-day service: the zones' counters, joining and following a place in a queue, leaving
//! it, turning a ticket the close left waiting into a request; clerks calling and ending
//! calls; admins opening duty days.

use std::{net::IpAddr, time::Instant};

use chrono::{Duration, NaiveDate};

use super::{Admin, App, AppError, Receipt, StaffUser, reference_cache::Reference};
use crate::{
    domain::{
        field_errors::FieldErrors,
        meet_link::MeetLink,
        queue::{
            CallOutcome, Counter as ZoneCounter, CounterState, DutyDay, JoinInput, NewTicket,
            TicketStatus, call_room, estimated_wait_minutes, may_convert, minutes_to_join,
        },
        schedule::ZoneSchedule,
        submission::{NewRequest, SubmissionInput, SubmissionRules},
        text::RequesterRole,
        zone::hour_minute,
    },
    store::{Call, ConvertRefusal, TicketPlace, TicketRecord, ZoneRecord},
    tokens::Token,
};

/// A zone's counter as the public sees it.
#[derive(Debug, Clone)]
pub struct Counter {
    pub zone: i32,
    pub zone_name: String,
    pub seat: Option<String>,
    pub state: CounterState,
    pub waiting: u64,
}

/// A person's place, as their page and the API show it.
#[derive(Debug, Clone)]
pub struct QueuePlace {
    pub ticket: TicketRecord,
    /// 1 for the next person called; only while waiting.
    pub position: Option<u32>,
    /// About how many minutes until the call; only while waiting.
    pub wait_minutes: Option<i64>,
    /// Minutes left to join the meeting; only once called.
    pub join_minutes_left: Option<i64>,
}

/// A ticket in a zone's queue as staff see it.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub ticket: TicketRecord,
    /// 1 for the next person called; `None` for those in a call.
    pub position: Option<u32>,
}

/// A ticket just taken, with the secret that follows it (shown once).
#[derive(Debug)]
pub struct JoinedQueue {
    pub place: QueuePlace,
    pub token: Token,
    pub url: String,
}

/// A duty day as typed: `YYYY-MM-DD`, `HH:MM`, `HH:MM`, a note.
#[derive(Debug, Clone, Default)]
pub struct DutyDayInput {
    pub date: Option<String>,
    pub opens: Option<String>,
    pub closes: Option<String>,
    pub note: Option<String>,
}

impl App {
    /// Every active zone's counter: open or not, how many wait, the session.
    pub async fn counters(&self) -> Result<Vec<Counter>, AppError> {
        let reference = self.reference.get().await?;
        let zones: Vec<&ZoneRecord> = reference.zones.iter().collect();
        self.counters_of(&reference, &zones).await
    }

    /// One active zone's counter.
    pub async fn counter(&self, number: i32) -> Result<Counter, AppError> {
        let reference = self.reference.get().await?;
        let zone = reference.zone(number).ok_or(AppError::NotFound)?;
        let mut counters = self.counters_of(&reference, &[zone]).await?;
        counters.pop().ok_or(AppError::NotFound)
    }

    async fn counters_of(
        &self,
        reference: &Reference,
        zones: &[&ZoneRecord],
    ) -> Result<Vec<Counter>, AppError> {
        let ids: Vec<i32> = zones.iter().map(|zone| zone.id).collect();
        let waiting = self.store.waiting_by_zone(&ids, self.today()).await?;
        Ok(zones
            .iter()
            .map(|zone| {
                let count = waiting
                    .iter()
                    .find(|(id, _)| *id == zone.id)
                    .map_or(0, |(_, count)| *count);
                self.counter_of(reference, zone, count)
            })
            .collect())
    }

    fn counter_of(&self, reference: &Reference, zone: &ZoneRecord, waiting: u64) -> Counter {
        let schedule = reference.zone_schedule(zone, self.default_window());
        let duty_days = reference.duty_days(zone.number);
        let counter = ZoneCounter {
            calendar: schedule.calendar(),
            duty_days: &duty_days,
        };
        Counter {
            zone: zone.number,
            zone_name: zone.name.clone(),
            seat: zone.seat.clone(),
            state: counter.state(self.now()),
            waiting,
        }
    }

    /// Puts `input`'s person in zone `number`'s queue, if its counter is open now and they
    /// do not already wait there. Counted in the public form's rate limit.
    pub async fn join_queue(
        &self,
        number: i32,
        input: JoinInput,
        type_errors: FieldErrors,
        client: IpAddr,
    ) -> Result<JoinedQueue, AppError> {
        self.limits
            .submissions
            .hit(&client, Instant::now())
            .map_err(|retry| AppError::RateLimited(retry.0))?;
        let now = self.now();
        let reference = self.reference.get().await?;
        let zone = reference.zone(number).ok_or(AppError::NotFound)?;
        let ticket = NewTicket::parse(&input);
        let ticket = match ticket {
            Ok(ticket) if type_errors.is_empty() => ticket,
            Ok(_) => return Err(AppError::Invalid(type_errors)),
            Err(errors) => {
                let mut all = type_errors;
                all.merge_new_fields(errors);
                return Err(AppError::Invalid(all));
            }
        };
        let schedule = reference.zone_schedule(zone, self.default_window());
        let session = ZoneCounter {
            calendar: schedule.calendar(),
            duty_days: &reference.duty_days(number),
        }
        .session_to_join(now)?;
        let place = self
            .store
            .join_queue(number, &ticket, &session, now)
            .await??;
        tracing::info!(ticket = place.ticket.id, zone = number, "joined a queue");
        let token = self.signing_key.queue_ticket_token(place.ticket.id);
        let slot = schedule.window().slot_minutes();
        Ok(JoinedQueue {
            url: self.links.queue_ticket(place.ticket.id, token.expose()),
            place: self.place_of(place, slot),
            token,
        })
    }

    /// The holder's view of ticket `id`; a wrong token is not found.
    pub async fn queue_place(&self, id: i64, token: &str) -> Result<QueuePlace, AppError> {
        self.check_ticket_token(id, token)?;
        let place = self
            .store
            .ticket_place(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reference = self.reference.get().await?;
        let slot = ZoneSchedule::window_of(
            reference
                .zone(place.ticket.zone)
                .and_then(|zone| zone.window),
            self.default_window(),
        )
        .slot_minutes();
        Ok(self.place_of(place, slot))
    }

    /// The holder leaves the queue (leaving twice is no error).
    pub async fn leave_queue(&self, id: i64, token: &str) -> Result<QueuePlace, AppError> {
        self.check_ticket_token(id, token)?;
        self.store.leave_queue(id, self.now()).await??;
        self.queue_place(id, token).await
    }

    /// Files a ticket the counter's close left waiting as a regular request, with the data
    /// its holder gave (and `phone`, when they gave none then). The receipt goes by e-mail
    /// as for any request.
    pub async fn convert_ticket(
        &self,
        id: i64,
        token: &str,
        phone: Option<String>,
    ) -> Result<Receipt, AppError> {
        self.check_ticket_token(id, token)?;
        let ticket = self.store.ticket(id).await?.ok_or(AppError::NotFound)?;
        // Judged again under the row lock; first here, so a ticket that cannot become a
        // request is not asked for a phone.
        may_convert(ticket.status, ticket.request_protocol.as_deref())?;
        let request = self.request_from_ticket(&ticket, phone)?;
        let tracking = Token::tracking().map_err(anyhow::Error::from)?;
        let converted = self
            .store
            .convert_ticket(
                id,
                &request,
                &tracking.hash(),
                self.settings.limits.open_requests_per_person,
                self.now(),
            )
            .await?;
        let protocol = match converted {
            Ok(protocol) => protocol,
            Err(ConvertRefusal::Queue(refusal)) => return Err(refusal.into()),
            Err(ConvertRefusal::Submission(refusal)) => {
                return Err(AppError::Invalid(refusal.field_errors()));
            }
        };
        tracing::info!(ticket = id, %protocol, "queue ticket filed as a request");
        Ok(Receipt {
            tracking_url: self.tracking_url(&protocol, &tracking),
            protocol,
            tracking_token: tracking,
        })
    }

    /// The request a closed ticket becomes, judged by the form's rules.
    fn request_from_ticket(
        &self,
        ticket: &TicketRecord,
        phone: Option<String>,
    ) -> Result<NewRequest, AppError> {
        let phone = ticket
            .phone
            .clone()
            .or(phone.filter(|phone| !phone.trim().is_empty()));
        let input = SubmissionInput {
            zone: Some(i64::from(ticket.zone)),
            name: Some(ticket.name.clone()),
            cpf: Some(ticket.cpf.clone()),
            email: Some(ticket.email.clone()),
            phone,
            role: Some(RequesterRole::Interessado.as_str().to_string()),
            oab: None,
            process_number: None,
            subject: Some(ticket.subject.clone()),
            description: Some(format!(
                "Pedido feito na fila de atendimento imediato de {}, que fechou antes da vez \
                 desta pessoa. Assunto informado: {}",
                crate::domain::dates::short_date(ticket.service_date),
                ticket.subject
            )),
            preferred_dates: Vec::new(),
            preferential: ticket.preferential.map(|p| p.code().to_string()),
            accessibility: Vec::new(),
            accessibility_note: None,
            mode: None,
            consent: Some(true),
        };
        let never = |_: NaiveDate| false;
        let rules = SubmissionRules {
            today: self.today(),
            max_days_ahead: 0,
            max_preferred_dates: 0,
            is_business_day: &never,
        };
        NewRequest::parse(input, &rules).map_err(AppError::Invalid)
    }

    fn check_ticket_token(&self, id: i64, token: &str) -> Result<(), AppError> {
        if self.signing_key.is_queue_ticket_token(id, token) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The place as the person reads it; before anyone was served today, each person ahead
    /// counts as one of the zone's `slot` minutes.
    fn place_of(&self, place: TicketPlace, slot: u32) -> QueuePlace {
        let grace = self.queue_grace();
        let wait_minutes = place.position.map(|position| {
            estimated_wait_minutes(
                position - 1,
                &place.served_minutes,
                i64::from(slot),
                place.clerks,
            )
        });
        let join_minutes_left = place
            .ticket
            .called_at
            .filter(|_| place.ticket.status == TicketStatus::Called)
            .map(|called| minutes_to_join(called, self.now(), grace));
        QueuePlace {
            ticket: place.ticket,
            position: place.position,
            wait_minutes,
            join_minutes_left,
        }
    }

    /// The time a called person has to join before they may be marked missed.
    pub fn queue_grace(&self) -> Duration {
        Duration::minutes(self.settings.queue.grace_minutes.into())
    }

    /// Zone `number`'s queue today, for one of its clerks (or an admin).
    pub async fn staff_queue(
        &self,
        user: &StaffUser,
        number: i32,
    ) -> Result<Vec<QueueEntry>, AppError> {
        if !user.may_see_zone(number) {
            return Err(AppError::NotFound);
        }
        let tickets = self
            .store
            .zone_queue(number, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        let mut waiting = 0;
        Ok(tickets
            .into_iter()
            .map(|ticket| {
                let position = (ticket.status == TicketStatus::Waiting).then(|| {
                    waiting += 1;
                    waiting
                });
                QueueEntry { ticket, position }
            })
            .collect())
    }

    /// Calls the next person of zone `number`'s queue into the room `meet_link` (else the
    /// zone's fixed room, or an event the worker makes with the google provider). Nobody
    /// waiting is not found.
    pub async fn call_next(
        &self,
        user: &StaffUser,
        number: i32,
        meet_link: Option<&str>,
    ) -> Result<TicketRecord, AppError> {
        if !user.may_see_zone(number) {
            return Err(AppError::NotFound);
        }
        let reference = self.reference.get().await?;
        let zone = reference.zone(number).ok_or(AppError::NotFound)?;
        let hosts = &self.policy.allowed_link_hosts;
        let mut errors = FieldErrors::new();
        let given = match meet_link.map(str::trim).filter(|link| !link.is_empty()) {
            Some(link) => errors.check("meet_link", MeetLink::parse(link, hosts)),
            None => None,
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let room = call_room(given, zone.room_link.as_deref(), self.policy.source, hosts).map_err(
            |missing| {
                let mut errors = FieldErrors::new();
                errors.add("meet_link", missing.to_string());
                AppError::Invalid(errors)
            },
        )?;
        let call = Call {
            zone: number,
            clerk: user.id,
            date: self.today(),
            meet_link: room.as_deref(),
            now: self.now(),
        };
        let ticket = self
            .store
            .call_next(&call)
            .await?
            .ok_or(AppError::NotFound)?;
        tracing::info!(
            ticket = ticket.id,
            zone = number,
            staff = user.id,
            "called from a queue"
        );
        Ok(ticket)
    }

    /// Ends a call: `attended`, or `missed` once the person had the grace time to join.
    pub async fn finish_call(
        &self,
        user: &StaffUser,
        id: i64,
        outcome: Option<&str>,
    ) -> Result<TicketRecord, AppError> {
        let Some(outcome) = outcome.and_then(CallOutcome::parse) else {
            let mut errors = FieldErrors::new();
            errors.add("outcome", "Informe o resultado: attended ou missed.");
            return Err(AppError::Invalid(errors));
        };
        let ticket = self
            .store
            .finish_ticket(id, &user.scope(), outcome, self.queue_grace(), self.now())
            .await??;
        Ok(ticket)
    }

    /// Zone `number`'s duty days from today on.
    pub async fn admin_duty_days(&self, _: &Admin, number: i32) -> Result<Vec<DutyDay>, AppError> {
        self.store.zone(number).await?.ok_or(AppError::NotFound)?;
        let today = self.today();
        Ok(self
            .store
            .duty_days_from(today)
            .await?
            .into_iter()
            .filter(|(zone, _)| *zone == number)
            .map(|(_, day)| day)
            .collect())
    }

    /// Opens zone `number`'s counter on a date with its own hours.
    pub async fn admin_add_duty_day(
        &self,
        admin: &Admin,
        number: i32,
        input: DutyDayInput,
        type_errors: FieldErrors,
    ) -> Result<DutyDay, AppError> {
        self.store.zone(number).await?.ok_or(AppError::NotFound)?;
        let mut errors = type_errors;
        let date = required(
            &mut errors,
            "date",
            &input.date,
            "Informe a data do plantão.",
        )
        .and_then(|text| match text.trim().parse::<NaiveDate>() {
            Ok(date) => Some(date),
            Err(_) => {
                errors.add("date", "Informe a data como AAAA-MM-DD.");
                None
            }
        });
        let mut time = |field: &str, value: &Option<String>, missing: &str| {
            required(&mut errors, field, value, missing).and_then(|text| {
                hour_minute(&text).or_else(|| {
                    errors.add(field, "Informe a hora como HH:MM.");
                    None
                })
            })
        };
        let opens = time("opens", &input.opens, "Informe a hora de abertura.");
        let closes = time("closes", &input.closes, "Informe a hora de encerramento.");
        let (Some(date), Some(opens), Some(closes)) = (date, opens, closes) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let day = DutyDay::new(date, opens, closes, input.note.as_deref(), self.today()).map_err(
            |error| {
                use crate::domain::queue::DutyDayError;
                let field = match error {
                    DutyDayError::OpensAfterCloses => "closes",
                    DutyDayError::InPast => "date",
                    DutyDayError::NoteTooLong | DutyDayError::NoteCharacters(_) => "note",
                };
                let mut errors = FieldErrors::new();
                errors.add(field, error.to_string());
                AppError::Invalid(errors)
            },
        )?;
        let day = self
            .store
            .add_duty_day(number, &day, admin.id(), self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = admin.id(), zone = number, date = %day.date, "duty day added");
        Ok(day)
    }

    /// Removes zone `number`'s duty day on `date`; none there is not found.
    pub async fn admin_remove_duty_day(
        &self,
        admin: &Admin,
        number: i32,
        date: NaiveDate,
    ) -> Result<(), AppError> {
        if !self
            .store
            .remove_duty_day(number, date, admin.id(), self.now())
            .await?
        {
            return Err(AppError::NotFound);
        }
        self.reference.invalidate();
        tracing::info!(staff = admin.id(), zone = number, %date, "duty day removed");
        Ok(())
    }
}

fn required(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    missing: &str,
) -> Option<String> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(value) => Some(value.to_string()),
        None => {
            errors.add(field, missing);
            None
        }
    }
}
