//! Clerks' agendas: which slots of a zone are still free.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use entities::{
    requests,
    sea_orm_active_enums::{RequestStatus, StaffRole},
    staff, staff_zones,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    Store, StoreError, doing,
    reference::{find_active_zone, stored_window, zone_holidays},
    requests::held_by,
};
use crate::domain::{
    change::Policy,
    schedule::{SERVICE_TIME_ZONE, Slot, ZoneSchedule},
};

impl Store {
    /// The active clerks of active zone `number`; `None` when there is no such zone.
    pub async fn zone_clerks(&self, number: i32) -> Result<Option<Vec<i32>>, StoreError> {
        doing("listing the clerks of a zone", async {
            let Some(zone) = find_active_zone(&self.db, number).await? else {
                return Ok(None);
            };
            let clerks = staff::Entity::find()
                .inner_join(staff_zones::Entity)
                .filter(staff_zones::Column::ZoneId.eq(zone.id))
                .filter(staff::Column::Active.eq(true))
                .filter(staff::Column::Role.eq(StaffRole::Clerk))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|account| account.id)
                .collect();
            Ok(Some(clerks))
        })
        .await
    }

    /// Free slots of zone `number` over `days` days from `from`: in the zone's window, on its
    /// business days, in the future and within the policy's horizon, and with at least one of
    /// `clerks` free (neither in a meeting nor holding the time in an offer) (any time, for a zone without clerks yet: whoever is added can take it):
    /// the slots `domain::change::decide` would take under `policy`.
    pub async fn free_slots(
        &self,
        number: i32,
        from: NaiveDate,
        days: u32,
        now: DateTime<Utc>,
        policy: &Policy,
        clerks: &[i32],
    ) -> Result<Vec<Slot>, StoreError> {
        doing("listing a zone's free slots", async {
            let zone = find_active_zone(&self.db, number)
                .await?
                .ok_or(StoreError::NotFound)?;
            let start = local_midnight(from);
            let end = start + Duration::days(i64::from(days) + 1);
            let mut busy: HashMap<i32, Vec<Slot>> = HashMap::new();
            let meetings = requests::Entity::find()
                .filter(requests::Column::AssigneeId.is_in(clerks.iter().copied()))
                .filter(requests::Column::Status.eq(RequestStatus::Scheduled))
                .filter(requests::Column::ScheduledStart.lt(end))
                .filter(requests::Column::ScheduledEnd.gt(start))
                .all(&self.db)
                .await?;
            for meeting in meetings {
                if let (Some(clerk), Some(start), Some(end)) = (
                    meeting.assignee_id,
                    meeting.scheduled_start,
                    meeting.scheduled_end,
                ) {
                    busy.entry(clerk).or_default().push(Slot { start, end });
                }
            }
            // Times offered to requesters are held for them.
            for (clerk, slot) in held_by(&self.db, clerks, start, end, None).await? {
                busy.entry(clerk).or_default().push(slot);
            }
            let holidays = zone_holidays(&self.db, &zone).await?;
            let schedule =
                ZoneSchedule::new(stored_window(&zone), &policy.default_window, holidays);
            let calendar = schedule.calendar();
            let is_free = |slot: &Slot| {
                clerks.is_empty()
                    || clerks.iter().any(|clerk| {
                        busy.get(clerk)
                            .is_none_or(|meetings| !meetings.iter().any(|m| m.overlaps(slot)))
                    })
            };
            Ok(calendar.free_slots(from, days, now, policy.horizon, is_free))
        })
        .await
    }
}

fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    SERVICE_TIME_ZONE
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || date.and_time(NaiveTime::MIN).and_utc(),
            |local| local.with_timezone(&Utc),
        )
}
