//! Holidays: the list admins keep (each change with its `audit_log` row, in one
//! transaction), the shipped file's import, and the holidays that close one zone.

use chrono::{DateTime, NaiveDate, Utc};
use entities::{holidays, zones};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter, QueryOrder, SqlErr,
};
use serde_json::{Value, json};

use super::{
    Duplicate, Store, StoreError,
    audit::{self, AdminChange},
    doing,
    reference::ImportReport,
};
use crate::domain::holidays::{Holiday, HolidayScope, ZoneHolidays, fold_name};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRecord {
    pub id: i32,
    pub holiday: Holiday,
}

impl Store {
    pub async fn import_holidays(&self, list: &[Holiday]) -> Result<ImportReport, StoreError> {
        doing("importing holidays", async {
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
        })
        .await
    }

    /// Every holiday, by date: what the calendars of the zones are made of.
    pub async fn holidays(&self) -> Result<Vec<Holiday>, StoreError> {
        doing("reading the holidays", async {
            Ok(all_holidays(&self.db).await?)
        })
        .await
    }

    /// Holidays by date (of one year, when given).
    pub async fn holiday_records(
        &self,
        year: Option<i32>,
    ) -> Result<Vec<HolidayRecord>, StoreError> {
        doing("listing holidays", async {
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
        })
        .await
    }

    pub async fn create_holiday(
        &self,
        holiday: &Holiday,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<HolidayRecord, StoreError> {
        doing("creating a holiday", async {
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
                _ => StoreError::from(error),
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
        })
        .await
    }

    pub async fn delete_holiday(
        &self,
        id: i32,
        actor: i32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        doing("deleting a holiday", async {
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
        })
        .await
    }
}

/// Every holiday, by date.
pub(super) async fn all_holidays<C: ConnectionTrait>(db: &C) -> Result<Vec<Holiday>, DbErr> {
    let rows = holidays::Entity::find()
        .order_by_asc(holidays::Column::Date)
        .order_by_asc(holidays::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| holiday_record(row).map(|record| record.holiday))
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

fn holiday_taken() -> StoreError {
    StoreError::Duplicate(Duplicate::Holiday)
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
