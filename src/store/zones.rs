//! Zones: every zone and its settings, the active ones the public may choose, an admin's
//! changes (each with its `audit_log` row, in one transaction) and the shipped file's import.

use chrono::{DateTime, NaiveTime, Utc};
use entities::zones;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, SqlErr,
};
use serde_json::{Map, Value, json};

use super::{
    Duplicate, Store, StoreError,
    audit::{self, AdminChange},
    doing,
    reference::ImportReport,
};
use crate::{
    domain::{
        schedule::{ServiceWindow, Weekdays},
        zone::{Municipalities, ZoneName, ZoneNumber},
    },
    reference::ZoneSpec,
};

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

/// A zone with every setting, as an admin creates it.
#[derive(Debug, Clone)]
pub struct NewZone {
    pub number: ZoneNumber,
    pub name: ZoneName,
    pub seat: Option<String>,
    pub municipalities: Municipalities,
    pub notification_email: Option<String>,
    pub calendar_id: Option<String>,
    pub room_link: Option<String>,
    pub window: Option<ServiceWindow>,
    pub active: bool,
}

/// Changes to one zone; the outer `None` leaves a setting as it is, `Some(None)` clears it.
/// The window is written whole, so its four columns are always all set or all empty.
#[derive(Debug, Clone, Default)]
pub struct ZoneChanges {
    pub name: Option<ZoneName>,
    pub seat: Option<Option<String>>,
    pub municipalities: Option<Municipalities>,
    pub notification_email: Option<Option<String>>,
    pub calendar_id: Option<Option<String>>,
    pub room_link: Option<Option<String>>,
    pub window: Option<Option<ServiceWindow>>,
    pub active: Option<bool>,
}

impl Store {
    pub async fn import_zones(
        &self,
        specs: &[ZoneSpec],
        now: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        doing("importing zones", async {
            let txn = self.begin_write().await?;
            let mut report = ImportReport::default();
            for spec in specs {
                let existing = zones::Entity::find()
                    .filter(zones::Column::Number.eq(spec.number.get()))
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
                            number: Set(spec.number.get()),
                            active: Set(true),
                            created_at: Set(now),
                            ..Default::default()
                        }
                    }
                };
                zone.name = Set(spec.name.as_str().to_string());
                zone.seat = Set(spec.seat.clone());
                zone.municipalities = Set(zones::Municipalities(
                    spec.municipalities.as_slice().to_vec(),
                ));
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
        })
        .await
    }

    /// Active zones, by number: the ones the public may choose.
    pub async fn active_zones(&self) -> Result<Vec<ZoneRecord>, StoreError> {
        doing("listing the active zones", async {
            self.zones_by_number(true).await
        })
        .await
    }

    /// Every zone, active or not, by number.
    pub async fn zones(&self) -> Result<Vec<ZoneRecord>, StoreError> {
        doing("listing zones", async { self.zones_by_number(false).await }).await
    }

    async fn zones_by_number(&self, active_only: bool) -> Result<Vec<ZoneRecord>, StoreError> {
        let mut query = zones::Entity::find();
        if active_only {
            query = query.filter(zones::Column::Active.eq(true));
        }
        let rows = query
            .order_by_asc(zones::Column::Number)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ZoneRecord::from).collect())
    }

    /// A zone by number, active or not.
    pub async fn zone(&self, number: i32) -> Result<Option<ZoneRecord>, StoreError> {
        doing("reading a zone", async {
            Ok(zones::Entity::find()
                .filter(zones::Column::Number.eq(number))
                .one(&self.db)
                .await?
                .map(ZoneRecord::from))
        })
        .await
    }

    pub async fn create_zone(
        &self,
        new: &NewZone,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<ZoneRecord, StoreError> {
        doing("creating a zone", async {
            let txn = self.begin_write().await?;
            let taken = zones::Entity::find()
                .filter(zones::Column::Number.eq(new.number.get()))
                .one(&txn)
                .await?;
            if taken.is_some() {
                return Err(zone_number_taken());
            }
            let mut row = zones::ActiveModel {
                number: Set(new.number.get()),
                name: Set(new.name.as_str().to_string()),
                seat: Set(new.seat.clone()),
                municipalities: Set(zones::Municipalities(
                    new.municipalities.as_slice().to_vec(),
                )),
                notification_email: Set(new.notification_email.clone()),
                calendar_id: Set(new.calendar_id.clone()),
                room_link: Set(new.room_link.clone()),
                active: Set(new.active),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            set_window(&mut row, new.window.as_ref());
            let zone = row
                .insert(&txn)
                .await
                .map_err(|error| match error.sql_err() {
                    // Another admin created the same number between our check and this insert.
                    Some(SqlErr::UniqueConstraintViolation(_)) => zone_number_taken(),
                    _ => StoreError::from(error),
                })?;
            let record = ZoneRecord::from(zone);
            audit::record(
                &txn,
                AdminChange {
                    actor_staff_id: Some(actor),
                    action: "zone.create",
                    entity: "zone",
                    entity_key: new.number.to_string(),
                    details: zone_details(&record),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(record)
        })
        .await
    }

    pub async fn update_zone(
        &self,
        number: i32,
        changes: &ZoneChanges,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<ZoneRecord, StoreError> {
        doing("changing a zone", async {
            let txn = self.begin_write().await?;
            let zone = zones::Entity::find()
                .filter(zones::Column::Number.eq(number))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut row = zones::ActiveModel::from(zone);
            if let Some(name) = &changes.name {
                row.name = Set(name.as_str().to_string());
            }
            if let Some(seat) = &changes.seat {
                row.seat = Set(seat.clone());
            }
            if let Some(municipalities) = &changes.municipalities {
                row.municipalities = Set(zones::Municipalities(municipalities.as_slice().to_vec()));
            }
            if let Some(email) = &changes.notification_email {
                row.notification_email = Set(email.clone());
            }
            if let Some(calendar_id) = &changes.calendar_id {
                row.calendar_id = Set(calendar_id.clone());
            }
            if let Some(link) = &changes.room_link {
                row.room_link = Set(link.clone());
            }
            if let Some(window) = &changes.window {
                set_window(&mut row, window.as_ref());
            }
            if let Some(active) = changes.active {
                row.active = Set(active);
            }
            row.updated_at = Set(now);
            let record = ZoneRecord::from(row.update(&txn).await?);
            audit::record(
                &txn,
                AdminChange {
                    actor_staff_id: Some(actor),
                    action: "zone.update",
                    entity: "zone",
                    entity_key: number.to_string(),
                    details: zone_changes_details(changes),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(record)
        })
        .await
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

fn zone_number_taken() -> StoreError {
    StoreError::Duplicate(Duplicate::ZoneNumber)
}

fn window_details(window: Option<&ServiceWindow>) -> Value {
    match window {
        Some(window) => json!({
            "opens": window.opens().format("%H:%M").to_string(),
            "closes": window.closes().format("%H:%M").to_string(),
            "slot_minutes": window.slot_minutes(),
            "weekdays": window.weekdays().iso_numbers(),
        }),
        None => Value::Null,
    }
}

fn zone_details(zone: &ZoneRecord) -> Value {
    json!({
        "name": zone.name,
        "seat": zone.seat,
        "municipalities": zone.municipalities,
        "notification_email": zone.notification_email,
        "calendar_id": zone.calendar_id,
        "room_link": zone.room_link,
        "window": window_details(zone.window.as_ref()),
        "active": zone.active,
    })
}

/// Only what the change touched; a cleared setting shows as null.
fn zone_changes_details(changes: &ZoneChanges) -> Value {
    let mut details = Map::new();
    let mut put = |key: &str, value: Value| {
        details.insert(key.to_string(), value);
    };
    if let Some(name) = &changes.name {
        put("name", json!(name.as_str()));
    }
    if let Some(seat) = &changes.seat {
        put("seat", json!(seat));
    }
    if let Some(municipalities) = &changes.municipalities {
        put("municipalities", json!(municipalities.as_slice()));
    }
    if let Some(email) = &changes.notification_email {
        put("notification_email", json!(email));
    }
    if let Some(calendar_id) = &changes.calendar_id {
        put("calendar_id", json!(calendar_id));
    }
    if let Some(link) = &changes.room_link {
        put("room_link", json!(link));
    }
    if let Some(window) = &changes.window {
        put("window", window_details(window.as_ref()));
    }
    if let Some(active) = changes.active {
        put("active", json!(active));
    }
    Value::Object(details)
}
