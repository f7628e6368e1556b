//! Duty days ("plantão"): dates a zone's counter opens with its own hours.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{zone_duty_days, zones};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, SqlErr,
};
use serde_json::json;

use super::{
    Duplicate, Store, StoreError,
    audit::{self, AdminChange},
    doing,
};
use crate::domain::queue::DutyDay;

impl Store {
    /// Every zone's duty days from `from` on, by zone number, by date.
    pub async fn duty_days_from(&self, from: NaiveDate) -> Result<Vec<(i32, DutyDay)>, StoreError> {
        doing("reading the duty days", async {
            let rows = zone_duty_days::Entity::find()
                .find_also_related(zones::Entity)
                .filter(zone_duty_days::Column::Date.gte(from))
                .order_by_asc(zone_duty_days::Column::Date)
                .all(&self.db)
                .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(day, zone)| Some((zone?.number, duty_day(day))))
                .collect())
        })
        .await
    }

    /// Adds a duty day to zone `number` (active or not), audited.
    pub async fn add_duty_day(
        &self,
        number: i32,
        day: &DutyDay,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<DutyDay, StoreError> {
        doing("adding a duty day", async {
            let txn = self.begin_write().await?;
            let zone = zones::Entity::find()
                .filter(zones::Column::Number.eq(number))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let row = zone_duty_days::ActiveModel {
                zone_id: Set(zone.id),
                date: Set(day.date),
                opens: Set(day.opens),
                closes: Set(day.closes),
                note: Set(day.note.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|error| match error.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    StoreError::Duplicate(Duplicate::DutyDay)
                }
                _ => StoreError::from(error),
            })?;
            audit::record(
                &txn,
                AdminChange {
                    actor_staff_id: Some(actor),
                    action: "zone.duty_day.add",
                    entity: "zone",
                    entity_key: number.to_string(),
                    details: details(day),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(duty_day(row))
        })
        .await
    }

    /// Removes zone `number`'s duty day on `date`, audited; false when there was none.
    pub async fn remove_duty_day(
        &self,
        number: i32,
        date: NaiveDate,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        doing("removing a duty day", async {
            let txn = self.begin_write().await?;
            let Some((row, Some(_))) = zone_duty_days::Entity::find()
                .find_also_related(zones::Entity)
                .filter(zones::Column::Number.eq(number))
                .filter(zone_duty_days::Column::Date.eq(date))
                .one(&txn)
                .await?
            else {
                return Ok(false);
            };
            let removed = duty_day(row.clone());
            row.delete(&txn).await?;
            audit::record(
                &txn,
                AdminChange {
                    actor_staff_id: Some(actor),
                    action: "zone.duty_day.remove",
                    entity: "zone",
                    entity_key: number.to_string(),
                    details: details(&removed),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            Ok(true)
        })
        .await
    }
}

fn duty_day(row: zone_duty_days::Model) -> DutyDay {
    DutyDay {
        date: row.date,
        opens: row.opens,
        closes: row.closes,
        note: row.note,
    }
}

fn details(day: &DutyDay) -> serde_json::Value {
    json!({
        "date": day.date.to_string(),
        "opens": day.opens.format("%H:%M").to_string(),
        "closes": day.closes.format("%H:%M").to_string(),
        "note": day.note,
    })
}
