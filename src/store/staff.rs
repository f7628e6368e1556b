//! Staff accounts and the zones they work in.

use chrono::{DateTime, Utc};
use entities::{staff, staff_zones, zones};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};

use serde_json::json;

use super::{
    Store, StoreError,
    audit::{self, AdminChange},
    reference::find_active_zone,
};
use crate::domain::{email::Email, staff::Role, text::PersonName};

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
        let mut zone_ids = Vec::with_capacity(new.zones.len());
        for number in &new.zones {
            let zone = find_active_zone(&txn, *number).await?.ok_or_else(|| {
                StoreError::invalid("zones", format!("A zona {number} não existe."))
            })?;
            if !zone_ids.contains(&zone.id) {
                zone_ids.push(zone.id);
            }
        }
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
