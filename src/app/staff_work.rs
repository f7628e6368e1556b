//! Clerks and admins work requests: the inbox, a request's detail, transitions, free slots.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{App, AppError, StaffUser};
use crate::{
    domain::{
        change::Actor,
        command::{Command, CommandInput},
        field_errors::FieldErrors,
        schedule::{SERVICE_TIME_ZONE, ZoneSchedule},
        staff::Role,
        status::Status,
    },
    store::{
        AgendaItem, FreeSlots, InboxFilter, InboxPage, JobRecord, RequestRecord, Staffing,
        SurveyRecord, Transition, ZoneScope,
    },
};

/// A request as staff see it: its record and its outbox jobs (e-mails, calendar changes).
#[derive(Debug)]
pub struct StaffRequest {
    pub record: RequestRecord,
    pub jobs: Vec<JobRecord>,
    /// Filed from a same-day queue ticket the counter's close left waiting.
    pub from_queue: bool,
    /// The Libras interpreter of its meeting: id and name.
    pub interpreter: Option<(i32, String)>,
    /// The requester's answer to the satisfaction survey, once given.
    pub survey: Option<SurveyRecord>,
}

/// At most this many days of slots in one listing.
pub const MAX_SLOT_DAYS: u32 = 31;

impl App {
    pub async fn inbox(
        &self,
        user: &StaffUser,
        filter: &InboxFilter,
    ) -> Result<InboxPage, AppError> {
        if let Some(zone) = filter.zone
            && !user.may_see_zone(zone)
        {
            return Err(AppError::NotFound);
        }
        Ok(self.store.inbox(filter, &user.scope()).await?)
    }

    pub async fn staff_request(&self, user: &StaffUser, id: i64) -> Result<StaffRequest, AppError> {
        let record = self
            .store
            .request(id, &user.scope())
            .await?
            .ok_or(AppError::NotFound)?;
        self.with_jobs(record).await
    }

    async fn with_jobs(&self, record: RequestRecord) -> Result<StaffRequest, AppError> {
        let jobs = self.store.request_jobs(record.id).await?;
        let from_queue = self.store.ticket_of_request(record.id).await?.is_some();
        let interpreter = match record.interpreter_id {
            Some(id) => self
                .store
                .staff_member(id)
                .await?
                .map(|account| (account.id, account.name)),
            None => None,
        };
        let survey = self.store.survey_answer(record.id).await?;
        Ok(StaffRequest {
            record,
            jobs,
            from_queue,
            interpreter,
            survey,
        })
    }

    /// Applies a clerk's command to request `id`, if they saw its `version`. `type_errors`
    /// carries what the transport found wrong, so every problem comes back in one answer.
    pub async fn staff_transition(
        &self,
        user: &StaffUser,
        id: i64,
        version: Option<i32>,
        input: &CommandInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRequest, AppError> {
        let mut errors = type_errors;
        if version.is_none() && errors.get("version").is_none() {
            errors.add("version", "Informe a versão da solicitação que você leu.");
        }
        let parsed = Command::parse(input, &self.settings.calendar.allowed_link_hosts);
        let (parsed, version) = match (parsed, version) {
            (Ok(parsed), Some(version)) if errors.is_empty() => (parsed, version),
            (parsed, _) => {
                if let Err(command_errors) = parsed {
                    errors.merge_new_fields(command_errors);
                }
                return Err(AppError::Invalid(errors));
            }
        };
        if self.calendar.is_some() {
            let current = self
                .store
                .request(id, &user.scope())
                .await?
                .ok_or(AppError::NotFound)?;
            self.check_calendar_free(&current, &parsed.command).await?;
        }
        let asked = Transition {
            id,
            expected_version: version,
            command: &parsed,
            actor: Actor::Staff(user.id),
            scope: &user.scope(),
            now: self.now(),
        };
        let record = self.store.transition(&asked, &self.policy).await??;
        tracing::info!(request = id, action = %parsed.command.action(), staff = user.id, "request changed");
        self.with_jobs(record).await
    }

    /// The free slots of `zone` over `days` days from `from`: of `only_clerk`, or of any of
    /// its clerks; with `interpreter`, only those when a Libras interpreter is free as well,
    /// saying so when none is.
    pub async fn zone_slots(
        &self,
        user: &StaffUser,
        zone: i32,
        from: NaiveDate,
        days: u32,
        only_clerk: Option<i32>,
        interpreter: bool,
    ) -> Result<FreeSlots, AppError> {
        if !user.may_see_zone(zone) {
            return Err(AppError::NotFound);
        }
        let mut clerks = self
            .store
            .zone_clerks(zone)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(clerk) = only_clerk {
            if !clerks.contains(&clerk) {
                let mut errors = FieldErrors::new();
                errors.add("staff", "Esta pessoa não atende nesta zona.");
                return Err(AppError::Invalid(errors));
            }
            clerks = vec![clerk];
        }
        let listed = self
            .store
            .free_slots(
                zone,
                from,
                days.clamp(1, MAX_SLOT_DAYS),
                self.now(),
                &self.policy,
                Staffing {
                    clerks: &clerks,
                    interpreter,
                },
            )
            .await?;
        Ok(FreeSlots {
            slots: self.without_busy(zone, listed.slots).await?,
            shortage: listed.shortage,
        })
    }

    /// Whether the times listed in `zone` for request `id` must have a Libras interpreter
    /// free: the request's own need. Not found outside the user's zones; refused under
    /// `request` when it is in another zone.
    pub async fn slots_need_interpreter(
        &self,
        user: &StaffUser,
        zone: i32,
        id: i64,
    ) -> Result<bool, AppError> {
        let record = self
            .store
            .request(id, &user.scope())
            .await?
            .ok_or(AppError::NotFound)?;
        if record.zone != zone {
            let mut errors = FieldErrors::new();
            errors.add("request", "Esta solicitação não é desta zona.");
            return Err(AppError::Invalid(errors));
        }
        Ok(record.accessibility.needs_libras())
    }

    /// How many requests of each state the user's zones (or `zone`) hold, of those that
    /// match `search` when there is one: a search made from one tab shows where the rest are.
    pub async fn inbox_counts(
        &self,
        user: &StaffUser,
        filter: &InboxFilter,
    ) -> Result<Vec<(Status, u64)>, AppError> {
        if filter.zone.is_some_and(|zone| !user.may_see_zone(zone)) {
            return Err(AppError::NotFound);
        }
        Ok(self.store.inbox_counts(filter, &user.scope()).await?)
    }

    /// The meetings of `day` (in Belém) in the user's zones, or in `zone`.
    pub async fn agenda(
        &self,
        user: &StaffUser,
        day: NaiveDate,
        zone: Option<i32>,
    ) -> Result<Vec<AgendaItem>, AppError> {
        if zone.is_some_and(|zone| !user.may_see_zone(zone)) {
            return Err(AppError::NotFound);
        }
        let start = |date: NaiveDate| {
            SERVICE_TIME_ZONE
                .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|local| local.with_timezone(&Utc))
        };
        let (Some(from), Some(to)) = (start(day), day.succ_opt().and_then(start)) else {
            return Ok(Vec::new());
        };
        Ok(self.store.agenda(from, to, zone, &user.scope()).await?)
    }

    /// Whether a request filed at `since` has waited for triage longer than one business day
    /// of its zone, counting service hours only.
    pub async fn waiting_too_long(
        &self,
        zone: i32,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let Some(schedule) = self.zone_schedule(zone).await? else {
            return Ok(false);
        };
        let calendar = schedule.calendar();
        Ok(calendar.service_minutes_between(since, now) > calendar.day_minutes())
    }

    /// The first day on or after `from` that zone `zone` serves, so that a slot picker opened
    /// during the recesso or on a holiday eve starts where there are slots; `from` itself
    /// for an unknown zone.
    pub async fn next_service_day(
        &self,
        zone: i32,
        from: NaiveDate,
    ) -> Result<NaiveDate, AppError> {
        let Some(schedule) = self.zone_schedule(zone).await? else {
            return Ok(from);
        };
        Ok(schedule.calendar().next_business_day(from).unwrap_or(from))
    }

    /// The calendar of active zone `zone`, from the cached reference data.
    pub async fn zone_schedule(&self, zone: i32) -> Result<Option<ZoneSchedule>, AppError> {
        let reference = self.reference.get().await?;
        Ok(reference
            .zone(zone)
            .map(|zone| reference.zone_schedule(zone, self.default_window())))
    }

    /// Staff names by id, for histories and agendas.
    pub async fn staff_names(&self) -> Result<std::collections::HashMap<i32, String>, AppError> {
        Ok(self
            .store
            .staff()
            .await?
            .into_iter()
            .map(|staff| (staff.id, staff.name))
            .collect())
    }
}

impl StaffUser {
    /// Admins see every zone; clerks their own.
    pub fn scope(&self) -> ZoneScope {
        match self.role {
            Role::Admin => ZoneScope::All,
            Role::Clerk => ZoneScope::Zones(self.zones.clone()),
        }
    }

    pub fn may_see_zone(&self, zone: i32) -> bool {
        self.role == Role::Admin || self.zones.contains(&zone)
    }
}
