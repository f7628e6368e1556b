//! Staff accounts and the zones they work in: created by the CLI or an admin, changed by an
//! admin (each change with its `audit_log` row, in one transaction), read to sign in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{staff, staff_zones, zones};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr,
};
use serde_json::{Map, Value, json};

use super::{
    Duplicate, Store, StoreError,
    audit::{self, AdminChange},
    doing, sessions,
    zones::find_active_zone,
};
use crate::domain::{
    email::Email,
    holidays::fold_name,
    staff::{Assignment, Role},
    text::PersonName,
    zone::ZoneNumber,
};

pub struct NewStaff {
    pub email: Email,
    pub name: PersonName,
    pub assignment: Assignment,
    /// An argon2id PHC string; the password itself never reaches the store.
    pub password_hash: String,
    /// A Libras interpreter.
    pub interpreter: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// A Libras interpreter.
    pub interpreter: bool,
    /// Zone numbers, ascending.
    pub zones: Vec<i32>,
}

/// Changes to one account; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub struct StaffChanges {
    pub name: Option<PersonName>,
    /// The role and the whole list of zones after the change. They are written together, so
    /// the pair stays one the rules accept even when two admins change the account at once.
    pub assignment: Option<Assignment>,
    pub active: Option<bool>,
    pub interpreter: Option<bool>,
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
        doing("creating an account", async {
            self.create_staff_by(new, None, now).await
        })
        .await
    }

    /// Creates an account and its `staff.create` audit row, naming `actor`, in one
    /// transaction.
    pub async fn create_staff_by(
        &self,
        new: &NewStaff,
        actor: Option<i32>,
        now: DateTime<Utc>,
    ) -> Result<StaffRecord, StoreError> {
        doing("creating an account", async {
            let txn = self.begin_write().await?;
            let email = new.email.as_str().to_lowercase();
            let taken = staff::Entity::find()
                .filter(staff::Column::Email.eq(email.as_str()))
                .one(&txn)
                .await?;
            if taken.is_some() {
                return Err(email_taken());
            }
            let zone_ids = zone_ids(&txn, new.assignment.zones()).await?;
            let account = staff::ActiveModel {
                email: Set(email),
                name: Set(new.name.as_str().to_string()),
                role: Set(new.assignment.role().into()),
                password_hash: Set(new.password_hash.clone()),
                active: Set(true),
                interpreter: Set(new.interpreter),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|error| match error.sql_err() {
                // Another request created the same e-mail between our check and this insert.
                Some(SqlErr::UniqueConstraintViolation(_)) => email_taken(),
                _ => StoreError::from(error),
            })?;
            replace_zones(&txn, account.id, zone_ids).await?;
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
                        "role": new.assignment.role().as_str(),
                        "zones": zone_numbers(&new.assignment),
                        "interpreter": new.interpreter,
                    }),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            self.staff_record(account).await
        })
        .await
    }

    /// Every account, active or not, by name as people sort it (accents and case aside).
    pub async fn staff(&self) -> Result<Vec<StaffRecord>, StoreError> {
        doing("listing accounts", async {
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
                    record(account, zones)
                })
                .collect();
            records.sort_by_cached_key(|record| fold_name(&record.name));
            Ok(records)
        })
        .await
    }

    pub async fn staff_member(&self, id: i32) -> Result<Option<StaffRecord>, StoreError> {
        doing("reading an account", async {
            match staff::Entity::find_by_id(id).one(&self.db).await? {
                Some(account) => Ok(Some(self.staff_record(account).await?)),
                None => Ok(None),
            }
        })
        .await
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
        doing("changing an account", async {
            let txn = self.begin_write().await?;
            let account = staff::Entity::find_by_id(id)
                .lock_exclusive()
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let zone_ids = match &changes.assignment {
                Some(assignment) => Some(zone_ids(&txn, assignment.zones()).await?),
                None => None,
            };
            let mut row = staff::ActiveModel::from(account);
            let mut details = Map::new();
            if let Some(name) = &changes.name {
                row.name = Set(name.as_str().to_string());
                details.insert("name".into(), json!(name.as_str()));
            }
            if let Some(assignment) = &changes.assignment {
                row.role = Set(assignment.role().into());
                details.insert("role".into(), json!(assignment.role().as_str()));
                details.insert("zones".into(), json!(zone_numbers(assignment)));
            }
            if let Some(active) = changes.active {
                row.active = Set(active);
                details.insert("active".into(), json!(active));
            }
            if let Some(interpreter) = changes.interpreter {
                row.interpreter = Set(interpreter);
                details.insert("interpreter".into(), json!(interpreter));
            }
            if let Some(hash) = &changes.password_hash {
                row.password_hash = Set(hash.clone());
                // Only that it changed: not even the hash goes into the trail.
                details.insert("password_changed".into(), json!(true));
            }
            row.updated_at = Set(now);
            let account = row.update(&txn).await?;
            if let Some(ids) = zone_ids {
                replace_zones(&txn, id, ids).await?;
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
        })
        .await
    }

    /// The account and its password hash, for signing in.
    pub async fn staff_credentials(
        &self,
        email: &str,
    ) -> Result<Option<(StaffRecord, String)>, StoreError> {
        doing("reading an account's credentials", async {
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
        })
        .await
    }

    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRecord>, StoreError> {
        doing("finding an account by e-mail", async {
            let account = staff::Entity::find()
                .filter(staff::Column::Email.eq(email.trim().to_lowercase()))
                .one(&self.db)
                .await?;
            match account {
                Some(account) => Ok(Some(self.staff_record(account).await?)),
                None => Ok(None),
            }
        })
        .await
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
        Ok(record(account, zones))
    }
}

/// `zones`: the account's zone numbers, ascending.
fn record(account: staff::Model, zones: Vec<i32>) -> StaffRecord {
    StaffRecord {
        id: account.id,
        email: account.email,
        name: account.name,
        role: account.role.into(),
        active: account.active,
        interpreter: account.interpreter,
        zones,
    }
}

fn email_taken() -> StoreError {
    StoreError::Duplicate(Duplicate::StaffEmail)
}

/// The ids of the zones `numbers`, active ones only; the numbers of any other are the
/// answer.
async fn zone_ids<C: ConnectionTrait>(
    db: &C,
    numbers: &[ZoneNumber],
) -> Result<Vec<i32>, StoreError> {
    let mut ids = Vec::with_capacity(numbers.len());
    let mut unknown = Vec::new();
    for &number in numbers {
        match find_active_zone(db, number.get()).await? {
            Some(zone) => ids.push(zone.id),
            None => unknown.push(number),
        }
    }
    if !unknown.is_empty() {
        return Err(StoreError::UnknownZones(unknown));
    }
    Ok(ids)
}

async fn replace_zones<C: ConnectionTrait>(
    db: &C,
    staff_id: i32,
    zone_ids: Vec<i32>,
) -> Result<(), DbErr> {
    staff_zones::Entity::delete_many()
        .filter(staff_zones::Column::StaffId.eq(staff_id))
        .exec(db)
        .await?;
    for zone_id in zone_ids {
        staff_zones::ActiveModel {
            staff_id: Set(staff_id),
            zone_id: Set(zone_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn zone_numbers(assignment: &Assignment) -> Vec<i32> {
    assignment.zones().iter().map(|zone| zone.get()).collect()
}
