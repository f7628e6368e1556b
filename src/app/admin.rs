//! Admins run the service: accounts, zones and their hours, holidays, and failed jobs. Every
//! use case here is refused to clerks first, then checks its input whole (every field
//! problem in one answer) before one audited change through the store.

use chrono::{NaiveDate, NaiveTime};

use super::{App, AppError, StaffUser};
use crate::{
    domain::{
        email::Email,
        field_errors::FieldErrors,
        holidays::{Holiday, HolidayScope, fold_name},
        meet_link::MeetLink,
        schedule::{ServiceWindow, Weekdays, WindowError},
        staff::{Role, check_password},
        text::PersonName,
    },
    passwords,
    reference::hour_minute,
    store::{
        HolidayRecord, JobRecord, JobState, NewStaff, NewZone, StaffChanges, StaffRecord,
        ZoneChanges, ZoneRecord,
    },
};

/// Jobs listed at once when the caller does not say, and at most.
pub const DEFAULT_JOB_LIMIT: u64 = 100;
pub const MAX_JOB_LIMIT: u64 = 500;

const ZONE_TEXT_MAX_CHARS: usize = 120;
const CALENDAR_ID_MAX_CHARS: usize = 255;
const ROOM_LINK_MAX_CHARS: usize = 500;
const HOLIDAY_NAME_MAX_CHARS: usize = 200;
const HOLIDAY_NOTE_MAX_CHARS: usize = 1000;
/// The court serves one state: a holiday of another state closes nothing here.
const COURT_STATE: &str = "PA";

/// A new account as typed; `None` is a field left out.
#[derive(Debug, Default)]
pub struct NewStaffInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    pub zones: Option<Vec<i64>>,
}

/// Changes to an account as typed; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub struct StaffPatchInput {
    pub name: Option<String>,
    pub role: Option<String>,
    pub zones: Option<Vec<i64>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// One optional setting in a change: left alone, emptied, or given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    fn is_keep(&self) -> bool {
        matches!(self, Change::Keep)
    }
}

/// A zone's settings as typed, to create it (`Keep` and `Clear` both mean "none") or to
/// change it.
#[derive(Debug, Default)]
pub struct ZoneInput {
    pub name: Option<String>,
    pub seat: Change<String>,
    pub municipalities: Option<Vec<String>>,
    pub notification_email: Change<String>,
    pub calendar_id: Change<String>,
    pub room_link: Change<String>,
    /// `HH:MM`.
    pub opens: Change<String>,
    pub closes: Change<String>,
    pub slot_minutes: Change<i64>,
    /// ISO numbers, 1 = Monday … 7 = Sunday.
    pub weekdays: Change<Vec<i64>>,
    pub active: Option<bool>,
}

#[derive(Debug, Default)]
pub struct HolidayInput {
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub name: Option<String>,
    /// `nacional`, `forense`, `estadual-PA` or `municipal-<Município>`.
    pub scope: Option<String>,
    pub note: Option<String>,
}

impl App {
    pub async fn admin_create_staff(
        &self,
        user: &StaffUser,
        input: NewStaffInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let name = PersonName::parse(input.name.as_deref().unwrap_or_default())
            .map_err(|error| found.add("name", error.to_string()))
            .ok();
        let email = Email::parse(input.email.as_deref().unwrap_or_default())
            .map_err(|error| found.add("email", error.to_string()))
            .ok();
        let password = match input.password {
            Some(password) => check_password(&password)
                .map_err(|error| found.add("password", error.to_string()))
                .ok()
                .map(|()| password),
            None => {
                found.add("password", "Informe a senha.");
                None
            }
        };
        let role = parse_role(input.role.as_deref(), &mut found);
        let zones = zone_numbers(input.zones.unwrap_or_default(), &mut found);
        if role == Some(Role::Clerk) && zones.is_empty() && found.get("zones").is_none() {
            found.add("zones", clerk_needs_a_zone());
        }
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        let (Some(name), Some(email), Some(password), Some(role)) = (name, email, password, role)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let new = NewStaff {
            email,
            name,
            role,
            password_hash: hash(password).await?,
            zones,
        };
        let created = self
            .store
            .create_staff_by(&new, Some(user.id), self.now())
            .await?;
        tracing::info!(staff = user.id, account = created.id, "account created");
        Ok(created)
    }

    pub async fn admin_staff(&self, user: &StaffUser) -> Result<Vec<StaffRecord>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.all_staff().await?)
    }

    /// An admin may not disable or demote their own account: the court must never be left
    /// without anyone who can administer it by a slip of one person.
    pub async fn admin_update_staff(
        &self,
        user: &StaffUser,
        id: i32,
        input: StaffPatchInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let name = input.name.and_then(|name| {
            PersonName::parse(&name)
                .map_err(|error| found.add("name", error.to_string()))
                .ok()
        });
        let role = match input.role {
            Some(role) => parse_role(Some(&role), &mut found),
            None => None,
        };
        let zones = input.zones.map(|zones| zone_numbers(zones, &mut found));
        let password = input.password.and_then(|password| {
            check_password(&password)
                .map_err(|error| found.add("password", error.to_string()))
                .ok()
                .map(|()| password)
        });
        if id == user.id {
            if input.active == Some(false) {
                found.add(
                    "active",
                    "Você não pode desativar a própria conta; peça a outra pessoa administradora.",
                );
            }
            if role == Some(Role::Clerk) {
                found.add(
                    "role",
                    "Você não pode deixar de ser administrador(a) por conta própria; peça a outra pessoa administradora.",
                );
            }
        }
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let password_hash = match password {
            Some(password) => Some(hash(password).await?),
            None => None,
        };
        let changes = StaffChanges {
            name,
            role,
            zones,
            active: input.active,
            password_hash,
        };
        let updated = self
            .store
            .update_staff(id, &changes, user.id, self.now())
            .await?;
        tracing::info!(staff = user.id, account = id, "account changed");
        Ok(updated)
    }

    pub async fn admin_zones(&self, user: &StaffUser) -> Result<Vec<ZoneRecord>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.all_zones().await?)
    }

    pub async fn admin_create_zone(
        &self,
        user: &StaffUser,
        number: Option<i64>,
        input: ZoneInput,
        type_errors: FieldErrors,
    ) -> Result<ZoneRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let number = match number {
            Some(number) => i32::try_from(number)
                .ok()
                .filter(|n| (1..=999).contains(n))
                .or_else(|| {
                    found.add("number", "O número da zona deve estar entre 1 e 999.");
                    None
                }),
            None => {
                found.add("number", "Informe o número da zona.");
                None
            }
        };
        if input.name.is_none() {
            found.add("name", "Informe o nome da zona.");
        }
        if input.municipalities.is_none() {
            found.add("municipalities", "Informe pelo menos um município.");
        }
        let changes = self.zone_changes(None, input, &mut found);
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        let (Some(number), Some(name), Some(municipalities)) =
            (number, changes.name, changes.municipalities)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let new = NewZone {
            number,
            name,
            seat: changes.seat.flatten(),
            municipalities,
            notification_email: changes.notification_email.flatten(),
            calendar_id: changes.calendar_id.flatten(),
            room_link: changes.room_link.flatten(),
            window: changes.window.flatten(),
            active: changes.active.unwrap_or(true),
        };
        let zone = self.store.create_zone(&new, user.id, self.now()).await?;
        self.reference.invalidate();
        tracing::info!(staff = user.id, zone = number, "zone created");
        Ok(zone)
    }

    /// Changes some settings of zone `number`. The service window's four settings end up
    /// all set (and valid together) or all empty, whichever of them the change names.
    pub async fn admin_update_zone(
        &self,
        user: &StaffUser,
        number: i32,
        input: ZoneInput,
        type_errors: FieldErrors,
    ) -> Result<ZoneRecord, AppError> {
        App::require_admin(user)?;
        let current = self
            .store
            .any_zone(number)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut found = FieldErrors::new();
        let changes = self.zone_changes(current.window.as_ref(), input, &mut found);
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let zone = self
            .store
            .update_zone(number, &changes, user.id, self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = user.id, zone = number, "zone changed");
        Ok(zone)
    }

    pub async fn admin_holidays(
        &self,
        user: &StaffUser,
        year: Option<i32>,
    ) -> Result<Vec<HolidayRecord>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.holiday_records(year).await?)
    }

    pub async fn admin_create_holiday(
        &self,
        user: &StaffUser,
        input: HolidayInput,
        type_errors: FieldErrors,
    ) -> Result<HolidayRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let date = match input.date.as_deref().map(str::trim) {
            None | Some("") => {
                found.add("date", "Informe a data do feriado (AAAA-MM-DD).");
                None
            }
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| found.add("date", "Data inválida: use o formato AAAA-MM-DD."))
                .ok(),
        };
        let name = required_text(
            input.name,
            HOLIDAY_NAME_MAX_CHARS,
            "name",
            "Informe o nome do feriado.",
            &mut found,
        );
        let scope = self
            .holiday_scope(input.scope.as_deref(), &mut found)
            .await?;
        let note = input
            .note
            .map(|note| note.trim().to_string())
            .filter(|note| !note.is_empty());
        if note
            .as_ref()
            .is_some_and(|note| note.chars().count() > HOLIDAY_NOTE_MAX_CHARS)
        {
            found.add(
                "note",
                format!("A observação deve ter no máximo {HOLIDAY_NOTE_MAX_CHARS} caracteres."),
            );
        }
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        let (Some(date), Some(name), Some(scope)) = (date, name, scope) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let holiday = Holiday {
            date,
            name,
            scope,
            note,
        };
        let created = self
            .store
            .create_holiday(&holiday, user.id, self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = user.id, holiday = created.id, "holiday created");
        Ok(created)
    }

    pub async fn admin_delete_holiday(&self, user: &StaffUser, id: i32) -> Result<(), AppError> {
        App::require_admin(user)?;
        self.store.delete_holiday(id, user.id, self.now()).await?;
        self.reference.invalidate();
        tracing::info!(staff = user.id, holiday = id, "holiday deleted");
        Ok(())
    }

    /// Outbox jobs, newest first; `limit` is kept between 1 and [`MAX_JOB_LIMIT`].
    pub async fn admin_jobs(
        &self,
        user: &StaffUser,
        state: Option<&str>,
        limit: Option<u64>,
    ) -> Result<Vec<JobRecord>, AppError> {
        App::require_admin(user)?;
        let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(JobState::parse(text).ok_or_else(|| {
                let mut errors = FieldErrors::new();
                errors.add(
                    "state",
                    format!("Situação desconhecida: {text}. Use pending, running, done ou dead."),
                );
                AppError::Invalid(errors)
            })?),
        };
        let limit = limit.unwrap_or(DEFAULT_JOB_LIMIT).clamp(1, MAX_JOB_LIMIT);
        Ok(self.store.jobs(state, limit).await?)
    }

    /// The protocols of the requests the listed jobs belong to, so the list can name them.
    pub async fn admin_request_protocols(
        &self,
        user: &StaffUser,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<std::collections::HashMap<i64, String>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.protocols(ids).await?)
    }

    pub async fn admin_retry_job(&self, user: &StaffUser, id: i64) -> Result<JobRecord, AppError> {
        App::require_admin(user)?;
        let job = self.store.retry_job(id, user.id, self.now()).await?;
        tracing::info!(staff = user.id, job = id, "dead job sent back to the queue");
        Ok(job)
    }

    /// The typed settings of `input`, with the window merged into `current` (the zone's own
    /// window, if any). Problems go into `found`.
    fn zone_changes(
        &self,
        current: Option<&ServiceWindow>,
        input: ZoneInput,
        found: &mut FieldErrors,
    ) -> ZoneChanges {
        let window = window_after(current, &input, found);
        let name = input.name.and_then(|name| {
            required_text(
                Some(name),
                ZONE_TEXT_MAX_CHARS,
                "name",
                "Informe o nome da zona.",
                found,
            )
        });
        let municipalities = input
            .municipalities
            .and_then(|list| municipalities(list, found));
        let seat = optional_text(input.seat, ZONE_TEXT_MAX_CHARS, "seat", found);
        let calendar_id = optional_text(
            input.calendar_id,
            CALENDAR_ID_MAX_CHARS,
            "calendar_id",
            found,
        );
        let notification_email = change(input.notification_email, |email| {
            Email::parse(&email)
                .map(|email| email.as_str().to_string())
                .map_err(|error| found.add("notification_email", error.to_string()))
                .ok()
        });
        let hosts = &self.settings.calendar.allowed_link_hosts;
        let room_link = change(input.room_link, |link| {
            if link.chars().count() > ROOM_LINK_MAX_CHARS {
                found.add(
                    "room_link",
                    format!("O link deve ter no máximo {ROOM_LINK_MAX_CHARS} caracteres."),
                );
                return None;
            }
            MeetLink::parse(&link, hosts)
                .map(|link| link.as_str().to_string())
                .map_err(|error| found.add("room_link", error.to_string()))
                .ok()
        });
        ZoneChanges {
            name,
            seat,
            municipalities,
            notification_email,
            calendar_id,
            room_link,
            window,
            active: input.active,
        }
    }

    async fn holiday_scope(
        &self,
        scope: Option<&str>,
        found: &mut FieldErrors,
    ) -> Result<Option<HolidayScope>, AppError> {
        let scope = match scope.map(str::trim) {
            None | Some("") => {
                found.add(
                    "scope",
                    "Informe a abrangência: nacional, forense, estadual-PA ou municipal-<Município>.",
                );
                return Ok(None);
            }
            Some(text) => match HolidayScope::parse(text) {
                Ok(scope) => scope,
                Err(_) => {
                    found.add(
                        "scope",
                        format!("Abrangência desconhecida: {text}. Use nacional, forense, estadual-PA ou municipal-<Município>."),
                    );
                    return Ok(None);
                }
            },
        };
        match &scope {
            HolidayScope::State { uf } if uf != COURT_STATE => {
                found.add("scope", "O tribunal atende apenas o Pará: use estadual-PA.");
                return Ok(None);
            }
            HolidayScope::Municipal { municipality } => {
                // A misspelt municipality would close no zone, silently.
                let wanted = fold_name(municipality);
                let served = self.store.all_zones().await?.iter().any(|zone| {
                    zone.municipalities
                        .iter()
                        .any(|name| fold_name(name) == wanted)
                });
                if !served {
                    found.add(
                        "scope",
                        format!("Nenhuma zona atende o município {municipality}: confira o nome."),
                    );
                    return Ok(None);
                }
            }
            _ => {}
        }
        if scope.code().chars().count() > 140 {
            found.add("scope", "A abrangência é longa demais.");
            return Ok(None);
        }
        Ok(Some(scope))
    }
}

/// Argon2 is slow on purpose: off the async executor.
async fn hash(password: String) -> Result<String, AppError> {
    let hash = tokio::task::spawn_blocking(move || passwords::hash_password(&password))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    Ok(hash)
}

fn clerk_needs_a_zone() -> &'static str {
    "Um(a) servidor(a) do cartório precisa de pelo menos uma zona."
}

fn parse_role(role: Option<&str>, found: &mut FieldErrors) -> Option<Role> {
    match role {
        None => {
            found.add("role", "Informe o papel: clerk ou admin.");
            None
        }
        Some(text) => Role::parse(text).or_else(|| {
            found.add(
                "role",
                format!("Papel desconhecido: {text}. Use clerk ou admin."),
            );
            None
        }),
    }
}

fn zone_numbers(numbers: Vec<i64>, found: &mut FieldErrors) -> Vec<i32> {
    let mut zones = Vec::with_capacity(numbers.len());
    for number in numbers {
        match i32::try_from(number) {
            Ok(number) if number > 0 => zones.push(number),
            _ => found.add("zones", format!("A zona {number} não existe.")),
        }
    }
    zones
}

/// Maps a given value through `parse` (which records its own problems); a value it refuses
/// leaves the setting as it is, and the answer is a 422 anyway.
fn change<T, U>(value: Change<T>, parse: impl FnOnce(T) -> Option<U>) -> Option<Option<U>> {
    match value {
        Change::Keep => None,
        Change::Clear => Some(None),
        Change::Set(value) => parse(value).map(Some),
    }
}

fn required_text(
    text: Option<String>,
    max_chars: usize,
    field: &str,
    missing: &str,
    found: &mut FieldErrors,
) -> Option<String> {
    let text = text.map(|t| t.trim().to_string()).unwrap_or_default();
    if text.is_empty() {
        found.add(field, missing);
        return None;
    }
    if text.chars().count() > max_chars {
        found.add(field, format!("Use no máximo {max_chars} caracteres."));
        return None;
    }
    Some(text)
}

fn optional_text(
    text: Change<String>,
    max_chars: usize,
    field: &str,
    found: &mut FieldErrors,
) -> Option<Option<String>> {
    change(text, |text| {
        let text = text.trim().to_string();
        if text.chars().count() > max_chars {
            found.add(field, format!("Use no máximo {max_chars} caracteres."));
            return None;
        }
        Some(text)
    })
}

fn municipalities(list: Vec<String>, found: &mut FieldErrors) -> Option<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(list.len());
    for name in list {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() > ZONE_TEXT_MAX_CHARS {
            found.add(
                "municipalities",
                format!("Use no máximo {ZONE_TEXT_MAX_CHARS} caracteres por município."),
            );
            return None;
        }
        if !name.is_empty() && !names.iter().any(|n| fold_name(n) == fold_name(&name)) {
            names.push(name);
        }
    }
    if names.is_empty() {
        found.add("municipalities", "Informe pelo menos um município.");
        return None;
    }
    Some(names)
}

/// The window after the change: `None` when the change names none of its settings,
/// `Some(None)` when all of them end up empty. Settings the change leaves out keep their
/// value from `current`; a window left half set is refused on the settings still missing.
fn window_after(
    current: Option<&ServiceWindow>,
    input: &ZoneInput,
    found: &mut FieldErrors,
) -> Option<Option<ServiceWindow>> {
    if input.opens.is_keep()
        && input.closes.is_keep()
        && input.slot_minutes.is_keep()
        && input.weekdays.is_keep()
    {
        return None;
    }
    // The parts' own problems first: only parts that parse can be judged together.
    let mut parts = FieldErrors::new();
    let time = |change: &Change<String>,
                field: &str,
                now: Option<NaiveTime>,
                errors: &mut FieldErrors| match change {
        Change::Keep => now,
        Change::Clear => None,
        Change::Set(text) => hour_minute(text).or_else(|| {
            errors.add(
                field,
                format!("Horário inválido: {text}. Use HH:MM, por exemplo 08:30."),
            );
            None
        }),
    };
    let opens = time(
        &input.opens,
        "opens",
        current.map(ServiceWindow::opens),
        &mut parts,
    );
    let closes = time(
        &input.closes,
        "closes",
        current.map(ServiceWindow::closes),
        &mut parts,
    );
    let slot_minutes = match &input.slot_minutes {
        Change::Keep => current.map(ServiceWindow::slot_minutes),
        Change::Clear => None,
        Change::Set(minutes) => u32::try_from(*minutes).ok().or_else(|| {
            parts.add("slot_minutes", window_message(&WindowError::SlotLength(0)));
            None
        }),
    };
    let weekdays = match &input.weekdays {
        Change::Keep => current.map(ServiceWindow::weekdays),
        Change::Clear => None,
        Change::Set(days) => {
            let days: Result<Vec<u32>, i64> = days
                .iter()
                .map(|day| u32::try_from(*day).map_err(|_| *day))
                .collect();
            match days {
                Ok(days) => Weekdays::from_iso(days)
                    .map_err(|error| parts.add("weekdays", window_message(&error)))
                    .ok(),
                Err(day) => {
                    parts.add("weekdays", weekday_message(day));
                    None
                }
            }
        }
    };
    if !parts.is_empty() {
        found.merge(parts);
        return None;
    }
    match (opens, closes, slot_minutes, weekdays) {
        (None, None, None, None) => Some(None),
        (Some(opens), Some(closes), Some(minutes), Some(weekdays)) => {
            match ServiceWindow::new(opens, closes, minutes, weekdays) {
                Ok(window) => Some(Some(window)),
                Err(error) => {
                    let field = match error {
                        WindowError::OpensAfterCloses => "closes",
                        WindowError::SlotLength(_) | WindowError::SlotDoesNotFit(_) => {
                            "slot_minutes"
                        }
                        WindowError::Weekday(_) | WindowError::NoWeekday => "weekdays",
                    };
                    found.add(field, window_message(&error));
                    None
                }
            }
        }
        (opens, closes, minutes, weekdays) => {
            let missing = [
                ("opens", opens.is_none()),
                ("closes", closes.is_none()),
                ("slot_minutes", minutes.is_none()),
                ("weekdays", weekdays.is_none()),
            ];
            for (field, is_missing) in missing {
                if is_missing {
                    found.add(
                        field,
                        "O horário de atendimento vai junto: informe abertura, encerramento, duração dos atendimentos e dias da semana, ou deixe todos vazios.",
                    );
                }
            }
            None
        }
    }
}

fn weekday_message(day: i64) -> String {
    format!("Dia da semana inválido: {day}. Use 1 (segunda-feira) a 7 (domingo).")
}

fn window_message(error: &WindowError) -> String {
    match error {
        WindowError::OpensAfterCloses => "O encerramento deve ser depois da abertura.".into(),
        WindowError::SlotLength(_) => {
            "A duração de cada atendimento deve ser de 5 a 240 minutos.".into()
        }
        WindowError::SlotDoesNotFit(minutes) => format!(
            "Um atendimento de {minutes} minutos não cabe entre a abertura e o encerramento."
        ),
        WindowError::Weekday(day) => weekday_message(i64::from(*day)),
        WindowError::NoWeekday => "Informe pelo menos um dia da semana com atendimento.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> NaiveTime {
        hour_minute(text).unwrap()
    }

    fn set(text: &str) -> Change<String> {
        Change::Set(text.into())
    }

    #[test]
    fn a_window_ends_up_whole_or_empty() {
        let own = ServiceWindow::new(time("13:00"), time("17:00"), 30, Weekdays::MONDAY_TO_FRIDAY)
            .unwrap();
        // Description, current window, change, fields refused (empty: accepted).
        let cases: Vec<(&str, Option<ServiceWindow>, ZoneInput, Vec<&str>)> = vec![
            (
                "only the opening, on a zone without its own window",
                None,
                ZoneInput {
                    opens: set("09:00"),
                    ..Default::default()
                },
                vec!["closes", "slot_minutes", "weekdays"],
            ),
            (
                "only the opening, on a zone with its own window",
                Some(own),
                ZoneInput {
                    opens: set("09:00"),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "every part cleared",
                Some(own),
                ZoneInput {
                    opens: Change::Clear,
                    closes: Change::Clear,
                    slot_minutes: Change::Clear,
                    weekdays: Change::Clear,
                    ..Default::default()
                },
                vec![],
            ),
            (
                "one part cleared",
                Some(own),
                ZoneInput {
                    slot_minutes: Change::Clear,
                    ..Default::default()
                },
                vec!["slot_minutes"],
            ),
            (
                "closing before opening",
                Some(own),
                ZoneInput {
                    closes: set("12:00"),
                    ..Default::default()
                },
                vec!["closes"],
            ),
            (
                "a slot longer than the window",
                Some(own),
                ZoneInput {
                    closes: set("14:00"),
                    slot_minutes: Change::Set(90),
                    ..Default::default()
                },
                vec!["slot_minutes"],
            ),
            (
                "an eighth weekday and a bad time",
                Some(own),
                ZoneInput {
                    opens: set("1pm"),
                    weekdays: Change::Set(vec![1, 8]),
                    ..Default::default()
                },
                vec!["opens", "weekdays"],
            ),
        ];
        for (description, current, input, refused) in cases {
            let mut found = FieldErrors::new();
            let window = window_after(current.as_ref(), &input, &mut found);
            assert_eq!(found.fields().collect::<Vec<_>>(), refused, "{description}");
            assert_eq!(window.is_some(), refused.is_empty(), "{description}");
        }
    }
}
