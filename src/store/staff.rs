//! Staff accounts and the zones they work in: created by the CLI or an admin, changed by an
//! admin (each change with its `audit_log` row, in one transaction), read to sign in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{staff, staff_zones, zones};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr,
};
use serde_json::{Map, Value, json};

use super::{
    Store, StoreError,
    audit::{self, AdminChange},
    sessions,
    zones::find_active_zone,
};
use crate::domain::{email::Email, holidays::fold_name, staff::Role, text::PersonName};

pub struct NewStaff {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    /// An argon2id PHC string; the password itself never reaches the store.
    pub password_hash: String,
    /// Zone numbers.
    pub zones: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Zone numbers, ascending.
    pub zones: Vec<i32>,
}

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

impl Store {
    /// An account made outside the API (the CLI): audited with no acting account.
    pub async fn create_staff(
        &self,
        new: &NewStaff,
        now: DateTime<Utc>,
    ) -> Result<StaffRecord, StoreError> {
        self.create_staff_by(new, None, now).await
    }

    /// Creates an account and its `staff.create` audit row, naming `actor`, in one
    /// transaction.
    pub async fn create_staff_by(
        &self,
        new: &NewStaff,
        actor: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<StaffRecord, StoreError> {
        if new.role == Role::Clerk && new.zones.is_empty() {
            return Err(StoreError::invalid(
                "zones",
                "Um(a) servidor(a) do cartório precisa de pelo menos uma zona.",
            ));
        }
        let txn = self.begin_write().await?;
        let email = new.email.as_str().to_lowercase();
        let taken = staff::Entity::find()
            .filter(staff::Column::Email.eq(email.as_str()))
            .one(&txn)
            .await?;
        if taken.is_some() {
            return Err(email_taken());
        }
        let zone_ids = zone_ids(&txn, &new.zones).await?;
        let account = staff::ActiveModel {
            email: Set(email),
            name: Set(new.name.as_str().to_string()),
            role: Set(new.role.into()),
            password_hash: Set(new.password_hash.clone()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|error| match error.sql_err() {
            // Another request created the same e-mail between our check and this insert.
            Some(SqlErr::UniqueConstraintViolation(_)) => email_taken(),
            _ => StoreError::Database(error),
        })?;
        for zone_id in zone_ids {
            staff_zones::ActiveModel {
                staff_id: Set(account.id),
                zone_id: Set(zone_id),
            }
            .insert(&txn)
            .await?;
        }
        audit::record(
            &txn,
            AdminChange {
                actor_staff_id: actor,
                action: "staff.create",
                entity: "staff",
                entity_key: account.id.to_string(),
                details: json!({
                    "email": account.email,
                    "name": account.name,
                    "role": new.role.as_str(),
                    "zones": new.zones,
                }),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        self.staff_record(account).await
    }

    /// Every account, active or not, by name as people sort it (accents and case aside).
    pub async fn staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
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

    pub async fn staff_member(&self, id: i32) -> Result<Option<StaffRecord>, StoreError> {
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

    /// The account and its password hash, for signing in.
    pub async fn staff_credentials(
        &self,
        email: &str,
    ) -> Result<Option<(StaffRecord, String)>, StoreError> {
        let account = staff::Entity::find()
            .filter(staff::Column::Email.eq(email.trim().to_lowercase()))
            .one(&self.db)
            .await?;
        match account {
            Some(account) => {
                let hash = account.password_hash.clone();
                Ok(Some((self.staff_record(account).await?, hash)))
            }
            None => Ok(None),
        }
    }

    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRecord>, StoreError> {
        let account = staff::Entity::find()
            .filter(staff::Column::Email.eq(email.trim().to_lowercase()))
            .one(&self.db)
            .await?;
        match account {
            Some(account) => Ok(Some(self.staff_record(account).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn staff_record(
        &self,
        account: staff::Model,
    ) -> Result<StaffRecord, StoreError> {
        let zones = zones::Entity::find()
            .inner_join(staff_zones::Entity)
            .filter(staff_zones::Column::StaffId.eq(account.id))
            .order_by_asc(zones::Column::Number)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|zone| zone.number)
            .collect();
        Ok(StaffRecord {
            id: account.id,
            email: account.email,
            name: account.name,
            role: account.role.into(),
            active: account.active,
            zones,
        })
    }
}

fn email_taken() -> StoreError {
    StoreError::invalid("email", "Já existe uma conta com este e-mail.")
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
