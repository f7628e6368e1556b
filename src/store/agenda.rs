//! Staff agendas: what holds each one's time, and which slots of a zone are still free.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entities::{
    offered_slots, requests,
    sea_orm_active_enums::{RequestStatus, StaffRole},
    staff, staff_zones,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::{
    Store, StoreError, doing,
    reference::{find_active_zone, stored_window, zone_holidays},
};
use crate::domain::{
    change::Policy,
    dates::local_midnight,
    interpreters::{Commitments, Shortage, staffed},
    schedule::{Slot, ZoneSchedule},
};

/// Free slots of a zone, and for a request that needs a Libras interpreter, why there are
/// none for want of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlots {
    pub slots: Vec<Slot>,
    /// Set when the listing needs an interpreter and the court has none, or none is free at
    /// any of the times the clerks have free.
    pub shortage: Option<Shortage>,
}

/// Who must be free at a time for a listing to show it.
#[derive(Debug, Clone, Copy)]
pub struct Staffing<'a> {
    /// One of these clerks (any time, for a zone without clerks yet: whoever is added can
    /// take it).
    pub clerks: &'a [i32],
    /// And one of the court's Libras interpreters besides that clerk.
    pub interpreter: bool,
}

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
    /// business days, in the future and within the policy's horizon, and with the `staffing`
    /// free (neither in a meeting they hold or interpret nor holding the time in an offer):
    /// the slots `domain::change::decide` would take under `policy`.
    pub async fn free_slots(
        &self,
        number: i32,
        from: NaiveDate,
        days: u32,
        now: DateTime<Utc>,
        policy: &Policy,
        staffing: Staffing<'_>,
    ) -> Result<FreeSlots, StoreError> {
        let Staffing {
            clerks,
            interpreter,
        } = staffing;
        doing("listing a zone's free slots", async {
            let zone = find_active_zone(&self.db, number)
                .await?
                .ok_or(StoreError::NotFound)?;
            let start = local_midnight(from);
            let end = start + Duration::days(i64::from(days) + 1);
            let pool = if interpreter {
                Some(interpreter_pool(&self.db).await?)
            } else {
                None
            };
            let mut people: Vec<i32> = clerks.to_vec();
            people.extend(pool.iter().flatten().copied());
            let busy = commitments(&self.db, &people, start, end, None).await?;
            // A clerk who is also an interpreter is in both lists, with the same times.
            let agenda_of = |staff: &i32| Commitments {
                staff: *staff,
                busy: busy.get(staff).cloned().unwrap_or_default(),
            };
            let clerks: Vec<Commitments> = clerks.iter().map(agenda_of).collect();
            let interpreters: Option<Vec<Commitments>> = pool
                .as_ref()
                .map(|pool| pool.iter().map(agenda_of).collect());
            let holidays = zone_holidays(&self.db, &zone).await?;
            let schedule =
                ZoneSchedule::new(stored_window(&zone), &policy.default_window, holidays);
            let calendar = schedule.calendar();
            let slots = calendar.free_slots(from, days, now, policy.horizon, |slot| {
                staffed(slot, &clerks, interpreters.as_deref())
            });
            let shortage = interpreters.as_ref().and_then(|pool| {
                // Only an empty listing asks what the clerks alone would have had.
                let clerks_free = if slots.is_empty() {
                    calendar
                        .free_slots(from, days, now, policy.horizon, |slot| {
                            staffed(slot, &clerks, None)
                        })
                        .len()
                } else {
                    slots.len()
                };
                Shortage::of(pool.len(), slots.len(), clerks_free)
            });
            Ok(FreeSlots { slots, shortage })
        })
        .await
    }
}

/// The court's Libras interpreters: active accounts so marked, of any zone, by id.
async fn interpreter_pool<C: ConnectionTrait>(db: &C) -> Result<Vec<i32>, DbErr> {
    Ok(staff::Entity::find()
        .filter(staff::Column::Interpreter.eq(true))
        .filter(staff::Column::Active.eq(true))
        .order_by_asc(staff::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|account| account.id)
        .collect())
}

/// What holds the time of each of `people` between `from` and `to`, but for request
/// `except`'s own: the meetings they hold as clerk or interpret, and the times offered to
/// requesters and held for them as either. Everyone asked for has an entry.
pub(super) async fn commitments<C: ConnectionTrait>(
    db: &C,
    people: &[i32],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<i64>,
) -> Result<HashMap<i32, Vec<Slot>>, DbErr> {
    let mut busy: HashMap<i32, Vec<Slot>> =
        people.iter().map(|staff| (*staff, Vec::new())).collect();
    if people.is_empty() {
        return Ok(busy);
    }
    let mut meetings = requests::Entity::find()
        .filter(
            Condition::any()
                .add(requests::Column::AssigneeId.is_in(people.iter().copied()))
                .add(requests::Column::InterpreterId.is_in(people.iter().copied())),
        )
        .filter(requests::Column::Status.eq(RequestStatus::Scheduled))
        .filter(requests::Column::ScheduledStart.lt(to))
        .filter(requests::Column::ScheduledEnd.gt(from));
    if let Some(request) = except {
        meetings = meetings.filter(requests::Column::Id.ne(request));
    }
    for meeting in meetings.all(db).await? {
        let (Some(start), Some(end)) = (meeting.scheduled_start, meeting.scheduled_end) else {
            continue;
        };
        for staff in [meeting.assignee_id, meeting.interpreter_id]
            .into_iter()
            .flatten()
        {
            if let Some(slots) = busy.get_mut(&staff) {
                slots.push(Slot { start, end });
            }
        }
    }
    let mut held = offered_slots::Entity::find()
        .filter(
            Condition::any()
                .add(offered_slots::Column::ClerkId.is_in(people.iter().copied()))
                .add(offered_slots::Column::InterpreterId.is_in(people.iter().copied())),
        )
        .filter(offered_slots::Column::StartsAt.lt(to))
        .filter(offered_slots::Column::EndsAt.gt(from));
    if let Some(request) = except {
        held = held.filter(offered_slots::Column::RequestId.ne(request));
    }
    for time in held.all(db).await? {
        let slot = Slot {
            start: time.starts_at,
            end: time.ends_at,
        };
        for staff in [time.clerk_id, time.interpreter_id].into_iter().flatten() {
            if let Some(slots) = busy.get_mut(&staff) {
                slots.push(slot);
            }
        }
    }
    Ok(busy)
}
