//! Zones and holidays, read on nearly every request and changed a few times a year: kept in
//! memory for a short while instead of read from the database each time.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use chrono::Days;

use crate::{
    clock::Clock,
    domain::{
        holidays::{Holiday, ZoneHolidays},
        queue::DutyDay,
        schedule::{ServiceWindow, ZoneSchedule},
    },
    store::{Store, StoreError, ZoneRecord},
};

/// Several processes may serve one database: a change made through another one shows here
/// within this time.
const FRESH_FOR: Duration = Duration::from_secs(30);

pub struct Reference {
    pub zones: Vec<ZoneRecord>,
    pub holidays: Vec<Holiday>,
    /// Duty days from yesterday on, by zone number.
    pub duty_days: Vec<(i32, DutyDay)>,
    loaded_at: Instant,
}

impl Reference {
    pub fn zone(&self, number: i32) -> Option<&ZoneRecord> {
        self.zones.iter().find(|zone| zone.number == number)
    }

    /// The zone's calendar: its window (or `default`) and the holidays that close it.
    pub fn zone_schedule(&self, zone: &ZoneRecord, default: &ServiceWindow) -> ZoneSchedule {
        let holidays = ZoneHolidays::for_zone(&self.holidays, &zone.municipalities);
        ZoneSchedule::new(zone.window, default, holidays)
    }

    /// The zone's duty days, by date.
    pub fn duty_days(&self, number: i32) -> Vec<DutyDay> {
        self.duty_days
            .iter()
            .filter(|(zone, _)| *zone == number)
            .map(|(_, day)| day.clone())
            .collect()
    }
}

#[derive(Clone)]
pub struct ReferenceCache {
    store: Store,
    clock: Clock,
    current: Arc<RwLock<Option<Arc<Reference>>>>,
}

impl ReferenceCache {
    pub fn new(store: Store, clock: Clock) -> Self {
        ReferenceCache {
            store,
            clock,
            current: Arc::new(RwLock::new(None)),
        }
    }

    pub async fn get(&self) -> Result<Arc<Reference>, StoreError> {
        if let Some(reference) = self.read().filter(|r| r.loaded_at.elapsed() < FRESH_FOR) {
            return Ok(reference);
        }
        let reference = Arc::new(Reference {
            zones: self.store.active_zones().await?,
            holidays: self.store.holidays().await?,
            duty_days: self
                .store
                .duty_days_from(self.clock.today() - Days::new(1))
                .await?,
            loaded_at: Instant::now(),
        });
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(reference.clone());
        Ok(reference)
    }

    /// After a change made here, so that this process sees it at once.
    pub fn invalidate(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn read(&self) -> Option<Arc<Reference>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
