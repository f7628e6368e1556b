//! Protocol numbers: `2026-000123`, a sequence per year, unique under concurrency.
//!
//! PostgreSQL takes numbers from one sequence per year (`protocol_2026`): no row lock is held
//! until commit, so concurrent submissions do not queue on each other (a rolled-back
//! submission leaves a gap, which nobody relies on). SQLite, a single writer anyway, keeps
//! a counter row per year, incremented inside the submitting transaction.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use entities::protocol_counters::{self, Column};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IdenStatic,
    Statement,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

/// The years whose sequence this process knows to exist.
#[derive(Clone, Debug, Default)]
pub struct Sequences {
    ready: Arc<Mutex<HashSet<i32>>>,
}

impl Sequences {
    /// Makes sure `year`'s sequence exists, outside any transaction (a failed statement
    /// would abort the submitting one). Safe with several processes creating it at once.
    pub async fn ensure(&self, db: &DatabaseConnection, year: i32) -> Result<(), DbErr> {
        if db.get_database_backend() != DbBackend::Postgres || self.is_ready(year) {
            return Ok(());
        }
        let create = format!(
            "CREATE SEQUENCE IF NOT EXISTS {} MINVALUE 1",
            sequence(year)
        );
        if let Err(error) = db.execute_unprepared(&create).await {
            // Two processes racing on `IF NOT EXISTS` can both try; the loser fails with a
            // unique violation although the sequence now exists.
            let exists = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!(
                        "SELECT to_regclass('{}') IS NOT NULL AS found",
                        sequence(year)
                    ),
                ))
                .await?
                .map(|row| row.try_get::<bool>("", "found"))
                .transpose()?
                .unwrap_or(false);
            if !exists {
                return Err(error);
            }
        }
        self.ready
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(year);
        Ok(())
    }

    fn is_ready(&self, year: i32) -> bool {
        self.ready
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(&year)
    }
}

/// `year` is a number, so the name is safe to put in SQL as it is.
fn sequence(year: i32) -> String {
    format!("protocol_{year}")
}

/// The next protocol of `year`, as an expression for the submitting `INSERT` (which
/// returns it). On PostgreSQL the number is taken by the insert itself, saving a round trip;
/// its SQL pads as [`format`] does.
pub async fn next(txn: &DatabaseTransaction, year: i32) -> Result<Expr, DbErr> {
    match txn.get_database_backend() {
        DbBackend::Postgres => Ok(Expr::cust(format!(
            "(SELECT '{year}-' || lpad(n, greatest(6, length(n)), '0') \
             FROM (SELECT nextval('{}')::text AS n) AS next_number)",
            sequence(year)
        ))),
        _ => Ok(Expr::val(format(
            year,
            next_from_counter_row(txn, year).await?,
        ))),
    }
}

/// The upsert locks the year's row until the transaction ends, so concurrent submissions
/// queue on it and no number is given twice.
async fn next_from_counter_row(txn: &DatabaseTransaction, year: i32) -> Result<i64, DbErr> {
    let mut upsert = Query::insert();
    upsert
        .into_table(protocol_counters::Entity)
        .columns([Column::Year, Column::Last])
        .values([year.into(), 1i64.into()])
        .map_err(|error| DbErr::Custom(error.to_string()))?
        .on_conflict(
            OnConflict::column(Column::Year)
                .value(
                    Column::Last,
                    Expr::col((protocol_counters::Entity, Column::Last)).add(1),
                )
                .to_owned(),
        )
        .returning_col(Column::Last);
    let row = txn
        .query_one(&upsert)
        .await?
        .ok_or_else(|| DbErr::Custom("the protocol counter returned no row".into()))?;
    row.try_get("", Column::Last.as_str())
}

pub fn format(year: i32, sequence: i64) -> String {
    format!("{year}-{sequence:06}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn protocols_are_year_and_six_digits() {
        assert_eq!(super::format(2026, 123), "2026-000123");
        assert_eq!(super::format(2027, 1_234_567), "2027-1234567");
    }
}
