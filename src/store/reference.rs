//! Zones and holidays: imported from the shipped files (an upsert, safe to repeat) and read
//! back as the calendar of a zone.

use chrono::{DateTime, NaiveTime, Utc};
use entities::{holidays, zones};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

use super::{Store, StoreError};
use crate::{
    domain::{
        holidays::{Holiday, HolidayScope, ZoneHolidays},
        schedule::{ServiceWindow, Weekdays},
    },
    reference::ZoneSpec,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
}

/// A zone as the rest of the service sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecord {
    pub id: i32,
    pub number: i32,
    pub name: String,
    pub seat: Option<String>,
    pub municipalities: Vec<String>,
    pub notification_email: Option<String>,
    pub calendar_id: Option<String>,
    pub room_link: Option<String>,
    /// The zone's own window; `None` uses the configured default.
    pub window: Option<ServiceWindow>,
    pub active: bool,
}

impl Store {
    pub async fn import_zones(
        &self,
        specs: &[ZoneSpec],
        now: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        let txn = self.begin_write().await?;
        let mut report = ImportReport::default();
        for spec in specs {
            let existing = zones::Entity::find()
                .filter(zones::Column::Number.eq(spec.number))
                .one(&txn)
                .await?;
            let mut zone = match existing {
                Some(zone) => {
                    report.updated += 1;
                    zones::ActiveModel::from(zone)
                }
                None => {
                    report.inserted += 1;
                    zones::ActiveModel {
                        number: Set(spec.number),
                        active: Set(true),
                        created_at: Set(now),
                        ..Default::default()
                    }
                }
            };
            zone.name = Set(spec.name.clone());
            zone.seat = Set(spec.seat.clone());
            zone.municipalities = Set(zones::Municipalities(spec.municipalities.clone()));
            zone.updated_at = Set(now);
            // Keys the file leaves out keep what is stored (an admin may have set them).
            if let Some(email) = &spec.notification_email {
                zone.notification_email = Set(Some(email.as_str().to_string()));
            }
            if let Some(calendar_id) = &spec.calendar_id {
                zone.calendar_id = Set(Some(calendar_id.clone()));
            }
            if let Some(link) = &spec.room_link {
                zone.room_link = Set(Some(link.as_str().to_string()));
            }
            if let Some(window) = &spec.window {
                set_window(&mut zone, Some(window));
            }
            zone.save(&txn).await?;
        }
        txn.commit().await?;
        Ok(report)
    }

    pub async fn import_holidays(&self, list: &[Holiday]) -> Result<ImportReport, StoreError> {
        let txn = self.begin_write().await?;
        let mut report = ImportReport::default();
        for holiday in list {
            let scope = holiday.scope.code();
            let existing = holidays::Entity::find()
                .filter(holidays::Column::Date.eq(holiday.date))
                .filter(holidays::Column::Scope.eq(scope.as_str()))
                .one(&txn)
                .await?;
            let mut row = match existing {
                Some(row) => {
                    report.updated += 1;
                    holidays::ActiveModel::from(row)
                }
                None => {
                    report.inserted += 1;
                    holidays::ActiveModel {
                        date: Set(holiday.date),
                        scope: Set(scope),
                        ..Default::default()
                    }
                }
            };
            row.name = Set(holiday.name.clone());
            row.note = Set(holiday.note.clone());
            row.save(&txn).await?;
        }
        txn.commit().await?;
        Ok(report)
    }

    /// On first start the database has no zones and no holidays: load the shipped ones.
    pub async fn is_reference_empty(&self) -> Result<(bool, bool), StoreError> {
        let zones = zones::Entity::find().count(&self.db).await?;
        let holidays = holidays::Entity::find().count(&self.db).await?;
        Ok((zones == 0, holidays == 0))
    }

    /// Active zones, by number.
    pub async fn zones(&self) -> Result<Vec<ZoneRecord>, StoreError> {
        let rows = zones::Entity::find()
            .filter(zones::Column::Active.eq(true))
            .order_by_asc(zones::Column::Number)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ZoneRecord::from).collect())
    }

    pub async fn holidays(&self) -> Result<Vec<Holiday>, StoreError> {
        Ok(all_holidays(&self.db).await?)
    }
}

pub(super) async fn find_active_zone<C: ConnectionTrait>(
    db: &C,
    number: i32,
) -> Result<Option<zones::Model>, DbErr> {
    zones::Entity::find()
        .filter(zones::Column::Number.eq(number))
        .filter(zones::Column::Active.eq(true))
        .one(db)
        .await
}

pub(super) async fn all_holidays<C: ConnectionTrait>(db: &C) -> Result<Vec<Holiday>, DbErr> {
    let rows = holidays::Entity::find()
        .order_by_asc(holidays::Column::Date)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            // Only this module writes scopes, always through `HolidayScope::code`.
            let scope = HolidayScope::parse(&row.scope)
                .map_err(|error| DbErr::Custom(format!("holiday {}: {error}", row.id)))?;
            Ok(Holiday {
                date: row.date,
                name: row.name,
                scope,
                note: row.note,
            })
        })
        .collect()
}

/// The holidays that close `zone`.
pub(super) async fn zone_holidays<C: ConnectionTrait>(
    db: &C,
    zone: &zones::Model,
) -> Result<ZoneHolidays, DbErr> {
    let all = all_holidays(db).await?;
    Ok(ZoneHolidays::for_zone(&all, &zone.municipalities.0))
}

pub(super) fn set_window(zone: &mut zones::ActiveModel, window: Option<&ServiceWindow>) {
    zone.opens = Set(window.map(ServiceWindow::opens));
    zone.closes = Set(window.map(ServiceWindow::closes));
    zone.slot_minutes = Set(window.map(|w| w.slot_minutes() as i32));
    zone.weekdays = Set(window.map(|w| {
        w.weekdays()
            .iso_numbers()
            .iter()
            .map(u32::to_string)
            .collect()
    }));
}

/// The zone's own window, when all of its parts are stored and valid.
pub(super) fn stored_window(zone: &zones::Model) -> Option<ServiceWindow> {
    let (opens, closes, minutes): (NaiveTime, NaiveTime, i32) =
        (zone.opens?, zone.closes?, zone.slot_minutes?);
    let weekdays = match &zone.weekdays {
        Some(digits) => Weekdays::from_iso(digits.chars().filter_map(|c| c.to_digit(10))).ok()?,
        None => Weekdays::MONDAY_TO_FRIDAY,
    };
    ServiceWindow::new(opens, closes, u32::try_from(minutes).ok()?, weekdays).ok()
}

impl From<zones::Model> for ZoneRecord {
    fn from(zone: zones::Model) -> Self {
        ZoneRecord {
            window: stored_window(&zone),
            id: zone.id,
            number: zone.number,
            name: zone.name,
            seat: zone.seat,
            municipalities: zone.municipalities.0,
            notification_email: zone.notification_email,
            calendar_id: zone.calendar_id,
            room_link: zone.room_link,
            active: zone.active,
        }
    }
}
