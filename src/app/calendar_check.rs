//! With the google provider, a zone's Google calendar may hold meetings this service did not
//! make (a hearing, a training): its busy times hide slots from the listing and refuse a
//! schedule that falls on them.

use chrono::{DateTime, Duration, Utc};

use super::{App, AppError};
use crate::{
    domain::{command::Command, schedule::Slot},
    store::RequestRecord,
};

impl App {
    /// Removes from `slots` those the zone's calendar shows busy.
    pub(super) async fn without_busy(
        &self,
        zone: i32,
        slots: Vec<Slot>,
    ) -> Result<Vec<Slot>, AppError> {
        let (Some(calendar), Some(first), Some(last)) =
            (&self.calendar, slots.first(), slots.last())
        else {
            return Ok(slots);
        };
        let calendar_id = self.zone_calendar_id(zone).await?;
        let busy = calendar
            .busy(&calendar_id, first.start, last.end)
            .await
            .map_err(|error| AppError::CalendarUnavailable(error.to_string()))?;
        Ok(slots
            .into_iter()
            .filter(|slot| !busy.iter().any(|taken| taken.overlaps(slot)))
            .collect())
    }

    /// Refuses a schedule, reschedule, pick or offer onto a time the zone's calendar shows
    /// busy, except for the request's own current meeting (a reschedule may overlap the slot
    /// it leaves).
    pub(super) async fn check_calendar_free(
        &self,
        request: &RequestRecord,
        command: &Command,
    ) -> Result<(), AppError> {
        let (starts, field) = match command {
            Command::Schedule { start, .. }
            | Command::Reschedule { start, .. }
            | Command::Pick { start } => (vec![*start], "start"),
            Command::Offer { starts, .. } => (starts.clone(), "slots"),
            _ => return Ok(()),
        };
        let (Some(calendar), Some(first), Some(last)) =
            (&self.calendar, starts.iter().min(), starts.iter().max())
        else {
            return Ok(());
        };
        let minutes = self
            .zone_schedule(request.zone)
            .await?
            .map_or(*self.default_window(), |schedule| *schedule.window())
            .slot_minutes();
        let length = Duration::minutes(minutes.into());
        let calendar_id = self.zone_calendar_id(request.zone).await?;
        let busy = calendar
            .busy(&calendar_id, *first, *last + length)
            .await
            .map_err(|error| AppError::CalendarUnavailable(error.to_string()))?;
        let own = request.scheduled_start.zip(request.scheduled_end);
        let taken = starts.iter().any(|start| {
            let wanted = Slot {
                start: *start,
                end: *start + length,
            };
            busy.iter().any(|block| match overlap(block, &wanted) {
                None => false,
                Some((from, to)) => !own.is_some_and(|(start, end)| start <= from && to <= end),
            })
        });
        if taken {
            let mut errors = crate::domain::field_errors::FieldErrors::new();
            errors.add(
                field,
                "Este horário já está ocupado na agenda da zona (Google Agenda). Escolha outro horário.",
            );
            return Err(AppError::Invalid(errors));
        }
        Ok(())
    }

    async fn zone_calendar_id(&self, zone: i32) -> Result<String, AppError> {
        let reference = self.reference.get().await?;
        Ok(reference
            .zone(zone)
            .and_then(|zone| zone.calendar_id.clone())
            .unwrap_or_else(|| self.settings.calendar.calendar_id.clone()))
    }
}

fn overlap(a: &Slot, b: &Slot) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let from = a.start.max(b.start);
    let to = a.end.min(b.end);
    (from < to).then_some((from, to))
}
