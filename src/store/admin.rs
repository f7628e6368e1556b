//! What admins change: accounts, zones and holidays (job retries are in `jobs`).
//! Each change and its `audit_log` row are written in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{holidays, staff, staff_zones, zones};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
};
use serde_json::{Map, Value, json};

use super::{
    Store, StoreError,
    audit::{self, AdminChange},
    reference::{ZoneRecord, find_active_zone, set_window},
    sessions,
    staff::StaffRecord,
};
use crate::domain::{
    holidays::{Holiday, HolidayScope, fold_name},
    schedule::ServiceWindow,
    staff::Role,
    text::PersonName,
};

/// Changes to one account; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub struct StaffChanges {
    pub name: Option<PersonName>,
    pub role: Option<Role>,
    /// Zone numbers: the whole new list.
    pub zones: Option<Vec<i32>>,
    pub active: Option<bool>,
    /// An argon2id PHC string.
    pub password_hash: Option<String>,
}

/// A zone with every setting, as an admin creates it.
#[derive(Debug, Clone)]
pub struct NewZone {
    pub number: i32,
    pub name: String,
    pub seat: Option<String>,
    pub municipalities: Vec<String>,
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
    pub name: Option<String>,
    pub seat: Option<Option<String>>,
    pub municipalities: Option<Vec<String>>,
    pub notification_email: Option<Option<String>>,
    pub calendar_id: Option<Option<String>>,
    pub room_link: Option<Option<String>>,
    pub window: Option<Option<ServiceWindow>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRecord {
    pub id: i32,
    pub holiday: Holiday,
}

impl Store {
    /// Every account, active or not, by name as people sort it (accents and case aside).
    pub async fn all_staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        let accounts = staff::Entity::find()
            .order_by_asc(staff::Column::Name)
            .order_by_asc(staff::Column::Id)
            .all(&self.db)
            .await?;
        let mut zones_of: HashMap<i32, Vec<i32>> = HashMap::new();
        for (link, zone) in staff_zones::Entity::find()
            .find_also_related(zones::Entity)
            .all(&self.db)
            .await?
        {
            if let Some(zone) = zone {
                zones_of.entry(link.staff_id).or_default().push(zone.number);
            }
        }
        let mut records: Vec<StaffRecord> = accounts
            .into_iter()
            .map(|account| {
                let mut zones = zones_of.remove(&account.id).unwrap_or_default();
                zones.sort_unstable();
                StaffRecord {
                    id: account.id,
                    email: account.email,
                    name: account.name,
                    role: account.role.into(),
                    active: account.active,
                    zones,
                }
            })
            .collect();
        records.sort_by_cached_key(|record| fold_name(&record.name));
        Ok(records)
    }

    pub async fn staff_by_id(&self, id: i32) -> Result<Option<StaffRecord>, StoreError> {
        match staff::Entity::find_by_id(id).one(&self.db).await? {
            Some(account) => Ok(Some(self.staff_record(account).await?)),
            None => Ok(None),
        }
    }

    /// Applies `changes` to account `id`. Disabling it or changing its password ends every
    /// sign-in it has, in the same transaction, so an old token cannot outlive the change.
    pub async fn update_staff(
        &self,
        id: i32,
        changes: &StaffChanges,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<StaffRecord, StoreError> {
        let txn = self.begin_write().await?;
        let account = staff::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let role = changes.role.unwrap_or(account.role.into());
        let zone_ids = match &changes.zones {
            Some(numbers) => Some(zone_ids(&txn, numbers).await?),
            None => None,
        };
        let keeps_a_zone = match &zone_ids {
            Some(ids) => !ids.is_empty(),
            None => !account
                .find_related(staff_zones::Entity)
                .all(&txn)
                .await?
                .is_empty(),
        };
        if role == Role::Clerk && !keeps_a_zone {
            return Err(StoreError::invalid(
                "zones",
                "Um(a) servidor(a) do cartório precisa de pelo menos uma zona.",
            ));
        }
        let mut row = staff::ActiveModel::from(account);
        let mut details = Map::new();
        if let Some(name) = &changes.name {
            row.name = Set(name.as_str().to_string());
            details.insert("name".into(), json!(name.as_str()));
        }
        if let Some(role) = changes.role {
            row.role = Set(role.into());
            details.insert("role".into(), json!(role.as_str()));
        }
        if let Some(active) = changes.active {
            row.active = Set(active);
            details.insert("active".into(), json!(active));
        }
        if let Some(hash) = &changes.password_hash {
            row.password_hash = Set(hash.clone());
            // Only that it changed: not even the hash goes into the trail.
            details.insert("password_changed".into(), json!(true));
        }
        row.updated_at = Set(now);
        let account = row.update(&txn).await?;
        if let (Some(ids), Some(numbers)) = (zone_ids, &changes.zones) {
            staff_zones::Entity::delete_many()
                .filter(staff_zones::Column::StaffId.eq(id))
                .exec(&txn)
                .await?;
            for zone_id in ids {
                staff_zones::ActiveModel {
                    staff_id: Set(id),
                    zone_id: Set(zone_id),
                }
                .insert(&txn)
                .await?;
            }
            details.insert("zones".into(), json!(numbers));
        }
        if changes.active == Some(false) || changes.password_hash.is_some() {
            sessions::revoke_all(&txn, id, now).await?;
        }
        audit::record(
            &txn,
            AdminChange {
                actor_staff_id: Some(actor),
                action: "staff.update",
                entity: "staff",
                entity_key: id.to_string(),
                details: Value::Object(details),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        self.staff_record(account).await
    }

    /// Every zone, active or not, by number.
    pub async fn all_zones(&self) -> Result<Vec<ZoneRecord>, StoreError> {
        let rows = zones::Entity::find()
            .order_by_asc(zones::Column::Number)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ZoneRecord::from).collect())
    }

    /// A zone by number, active or not.
    pub async fn any_zone(&self, number: i32) -> Result<Option<ZoneRecord>, StoreError> {
        Ok(zones::Entity::find()
            .filter(zones::Column::Number.eq(number))
            .one(&self.db)
            .await?
            .map(ZoneRecord::from))
    }

    pub async fn create_zone(
        &self,
        new: &NewZone,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<ZoneRecord, StoreError> {
        let txn = self.begin_write().await?;
        let taken = zones::Entity::find()
            .filter(zones::Column::Number.eq(new.number))
            .one(&txn)
            .await?;
        if taken.is_some() {
            return Err(zone_number_taken());
        }
        let mut row = zones::ActiveModel {
            number: Set(new.number),
            name: Set(new.name.clone()),
            seat: Set(new.seat.clone()),
            municipalities: Set(zones::Municipalities(new.municipalities.clone())),
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
                _ => StoreError::Database(error),
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
    }

    pub async fn update_zone(
        &self,
        number: i32,
        changes: &ZoneChanges,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<ZoneRecord, StoreError> {
        let txn = self.begin_write().await?;
        let zone = zones::Entity::find()
            .filter(zones::Column::Number.eq(number))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut row = zones::ActiveModel::from(zone);
        if let Some(name) = &changes.name {
            row.name = Set(name.clone());
        }
        if let Some(seat) = &changes.seat {
            row.seat = Set(seat.clone());
        }
        if let Some(municipalities) = &changes.municipalities {
            row.municipalities = Set(zones::Municipalities(municipalities.clone()));
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
    }

    /// Holidays by date (of one year, when given).
    pub async fn holiday_records(
        &self,
        year: Option<i32>,
    ) -> Result<Vec<HolidayRecord>, StoreError> {
        let mut query = holidays::Entity::find();
        if let Some(year) = year {
            let (first, last) = (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            );
            let (Some(first), Some(last)) = (first, last) else {
                return Ok(Vec::new());
            };
            query = query.filter(holidays::Column::Date.between(first, last));
        }
        let rows = query
            .order_by_asc(holidays::Column::Date)
            .order_by_asc(holidays::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(holiday_record)
            .collect::<Result<_, _>>()?)
    }

    pub async fn create_holiday(
        &self,
        holiday: &Holiday,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<HolidayRecord, StoreError> {
        let txn = self.begin_write().await?;
        let scope = holiday.scope.code();
        let same_day = holidays::Entity::find()
            .filter(holidays::Column::Date.eq(holiday.date))
            .all(&txn)
            .await?;
        for row in same_day {
            if same_scope(&holiday_record(row)?.holiday.scope, &holiday.scope) {
                return Err(holiday_taken());
            }
        }
        let row = holidays::ActiveModel {
            id: NotSet,
            date: Set(holiday.date),
            name: Set(holiday.name.clone()),
            scope: Set(scope),
            note: Set(holiday.note.clone()),
        }
        .insert(&txn)
        .await
        .map_err(|error| match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => holiday_taken(),
            _ => StoreError::Database(error),
        })?;
        audit::record(
            &txn,
            AdminChange {
                actor_staff_id: Some(actor),
                action: "holiday.create",
                entity: "holiday",
                entity_key: row.id.to_string(),
                details: holiday_details(&row),
            },
            now,
        )
        .await?;
        let record = holiday_record(row)?;
        txn.commit().await?;
        Ok(record)
    }

    pub async fn delete_holiday(
        &self,
        id: i32,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let row = holidays::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        // The trail keeps what was deleted, so it can be put back by hand.
        let details = holiday_details(&row);
        row.delete(&txn).await?;
        audit::record(
            &txn,
            AdminChange {
                actor_staff_id: Some(actor),
                action: "holiday.delete",
                entity: "holiday",
                entity_key: id.to_string(),
                details,
            },
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The ids of zones `numbers` (active ones only: nobody is put to work in a closed zone).
async fn zone_ids<C: ConnectionTrait>(db: &C, numbers: &[i32]) -> Result<Vec<i32>, StoreError> {
    let mut ids = Vec::with_capacity(numbers.len());
    for number in numbers {
        let zone = find_active_zone(db, *number)
            .await?
            .ok_or_else(|| StoreError::invalid("zones", format!("A zona {number} não existe.")))?;
        if !ids.contains(&zone.id) {
            ids.push(zone.id);
        }
    }
    Ok(ids)
}

fn zone_number_taken() -> StoreError {
    StoreError::invalid("number", "Já existe uma zona com este número.")
}

fn holiday_taken() -> StoreError {
    StoreError::invalid(
        "date",
        "Já existe um feriado nesta data com a mesma abrangência.",
    )
}

/// Municipal scopes compare as people write names: the shipped `municipal-Belem` and a
/// typed `municipal-Belém` are the same place.
fn same_scope(a: &HolidayScope, b: &HolidayScope) -> bool {
    match (a, b) {
        (
            HolidayScope::Municipal { municipality: a },
            HolidayScope::Municipal { municipality: b },
        ) => fold_name(a) == fold_name(b),
        _ => a == b,
    }
}

fn holiday_record(row: holidays::Model) -> Result<HolidayRecord, DbErr> {
    // Only this store writes scopes, always through `HolidayScope::code`.
    let scope = HolidayScope::parse(&row.scope)
        .map_err(|error| DbErr::Custom(format!("holiday {}: {error}", row.id)))?;
    Ok(HolidayRecord {
        id: row.id,
        holiday: Holiday {
            date: row.date,
            name: row.name,
            scope,
            note: row.note,
        },
    })
}

fn holiday_details(row: &holidays::Model) -> Value {
    json!({
        "date": row.date,
        "name": row.name,
        "scope": row.scope,
        "note": row.note,
    })
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
        put("name", json!(name));
    }
    if let Some(seat) = &changes.seat {
        put("seat", json!(seat));
    }
    if let Some(municipalities) = &changes.municipalities {
        put("municipalities", json!(municipalities));
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
