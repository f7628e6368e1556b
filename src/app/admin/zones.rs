//! Zones: listing, creating and changing them, their own service window included.

use chrono::NaiveTime;

use super::required_text;
use crate::{
    app::{App, AppError, StaffUser},
    domain::{
        email::Email,
        field_errors::FieldErrors,
        holidays::fold_name,
        meet_link::MeetLink,
        schedule::{ServiceWindow, Weekdays, WindowError},
    },
    reference::hour_minute,
    store::{NewZone, ZoneChanges, ZoneRecord},
};

const ZONE_TEXT_MAX_CHARS: usize = 120;
const CALENDAR_ID_MAX_CHARS: usize = 255;
const ROOM_LINK_MAX_CHARS: usize = 500;

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

impl App {
    pub async fn admin_zones(&self, user: &StaffUser) -> Result<Vec<ZoneRecord>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.zones().await?)
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
        let current = self.store.zone(number).await?.ok_or(AppError::NotFound)?;
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
