//! Zones: listing, creating and changing them, their own service window included.

use crate::{
    app::{Admin, App, AppError},
    domain::{
        email::Email,
        field_errors::FieldErrors,
        meet_link::MeetLink,
        schedule::ServiceWindow,
        text::ShortTextError,
        zone::{Municipalities, WindowParts, ZoneName, ZoneNumber, zone_calendar_id, zone_seat},
    },
    store::{NewZone, ZoneChanges, ZoneRecord},
};

const ROOM_LINK_MAX_CHARS: usize = 500;

/// One optional setting in a change: left alone, emptied, or given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T: Clone> Change<T> {
    fn is_keep(&self) -> bool {
        matches!(self, Change::Keep)
    }

    /// The setting after the change, given the one before.
    fn applied_to(&self, before: Option<T>) -> Option<T> {
        match self {
            Change::Keep => before,
            Change::Clear => None,
            Change::Set(value) => Some(value.clone()),
        }
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
    pub async fn admin_zones(&self, _: &Admin) -> Result<Vec<ZoneRecord>, AppError> {
        Ok(self.store.zones().await?)
    }

    /// A zone by number, active or not.
    pub async fn admin_zone(&self, _: &Admin, number: i32) -> Result<ZoneRecord, AppError> {
        self.store.zone(number).await?.ok_or(AppError::NotFound)
    }

    /// A new zone needs a number, a name and its municipalities; the rest may come later.
    pub async fn admin_create_zone(
        &self,
        admin: &Admin,
        number: Option<i64>,
        input: ZoneInput,
        type_errors: FieldErrors,
    ) -> Result<ZoneRecord, AppError> {
        let mut found = FieldErrors::new();
        let number = match number {
            Some(number) => found.check("number", ZoneNumber::parse(number)),
            None => {
                found.add("number", "Informe o número da zona.");
                None
            }
        };
        // Left out, they are refused as empty.
        let input = ZoneInput {
            name: Some(input.name.unwrap_or_default()),
            municipalities: Some(input.municipalities.unwrap_or_default()),
            ..input
        };
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
        let zone = self.store.create_zone(&new, admin.id(), self.now()).await?;
        self.reference.invalidate();
        tracing::info!(staff = admin.id(), zone = number.get(), "zone created");
        Ok(zone)
    }

    /// Changes some settings of zone `number`. The service window's four settings end up
    /// all set (and valid together) or all empty, whichever of them the change names.
    pub async fn admin_update_zone(
        &self,
        admin: &Admin,
        number: i32,
        input: ZoneInput,
        type_errors: FieldErrors,
    ) -> Result<ZoneRecord, AppError> {
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
            .update_zone(number, &changes, admin.id(), self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = admin.id(), zone = number, "zone changed");
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
        let name = input
            .name
            .and_then(|name| found.check("name", ZoneName::parse(&name)));
        let municipalities = input
            .municipalities
            .and_then(|names| found.check("municipalities", Municipalities::parse(&names)));
        let seat = optional_text(input.seat, zone_seat, "seat", found);
        let calendar_id = optional_text(input.calendar_id, zone_calendar_id, "calendar_id", found);
        let notification_email = change(input.notification_email, |email| {
            found
                .check("notification_email", Email::parse(&email))
                .map(|email| email.as_str().to_string())
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
            found
                .check("room_link", MeetLink::parse(&link, hosts))
                .map(|link| link.as_str().to_string())
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

/// A one-line setting through its domain rule; a blank one (the HTTP layers make it a
/// `Clear` first) stays empty.
fn optional_text(
    text: Change<String>,
    parse: fn(&str) -> Result<Option<String>, ShortTextError>,
    field: &str,
    found: &mut FieldErrors,
) -> Option<Option<String>> {
    change(text, |text| {
        found
            .check(field, parse(&text))
            .map(Option::unwrap_or_default)
    })
}

/// The window after the change: `None` when the change names none of its settings,
/// `Some(None)` when all of them end up empty. Settings the change leaves out keep their
/// value from `current`; the window they make is judged whole.
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
    let before = current.map(WindowParts::of).unwrap_or_default();
    let after = WindowParts {
        opens: input.opens.applied_to(before.opens),
        closes: input.closes.applied_to(before.closes),
        slot_minutes: input.slot_minutes.applied_to(before.slot_minutes),
        weekdays: input.weekdays.applied_to(before.weekdays),
    };
    match after.parse() {
        Ok(window) => Some(window),
        Err(errors) => {
            for (part, error) in errors.iter() {
                found.add(part.name(), error.to_string());
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{schedule::Weekdays, zone::hour_minute};

    fn time(text: &str) -> chrono::NaiveTime {
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
