//! The trail of administrative changes (accounts, zones, holidays, job retries) and of the
//! lookups of a data subject's data.

use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

/// One administrative change, written in the transaction that makes it.
pub struct AdminChange<'a> {
    pub actor_staff_id: Option<i32>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_key: String,
    pub details: serde_json::Value,
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    change: AdminChange<'_>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        at: Set(at),
        actor_staff_id: Set(change.actor_staff_id),
        action: Set(change.action.to_string()),
        entity: Set(change.entity.to_string()),
        entity_key: Set(change.entity_key),
        details: Set(change.details),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
