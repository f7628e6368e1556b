//! Protocol numbers: `2026-000123`, a sequence per year, unique under concurrency.

use entities::protocol_counters::{self, Column};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbErr, IdenStatic,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

/// Takes the next number of `year` inside the submitting transaction. The upsert locks the
/// year's row until the transaction ends, so concurrent submissions queue on it and no number
/// is given twice; a rolled-back submission gives its number back.
pub async fn next(txn: &DatabaseTransaction, year: i32) -> Result<String, DbErr> {
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
    let last: i64 = row.try_get("", Column::Last.as_str())?;
    Ok(format(year, last))
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
