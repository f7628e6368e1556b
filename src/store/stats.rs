//! Counts for monitoring: requests by state, outbox jobs by state.

use entities::{jobs, requests};
use sea_orm::{
    ConnectionTrait, EntityTrait, QuerySelect,
    sea_query::{Expr, Func},
};

use super::{Store, StoreError, doing};

impl Store {
    /// `(state, count)` of requests, then of outbox jobs, for states that have any.
    pub async fn counts(&self) -> Result<(Vec<(String, i64)>, Vec<(String, i64)>), StoreError> {
        doing("counting requests and jobs", async {
            let requests = count_by(&self.db, requests::Entity, requests::Column::Status).await?;
            let jobs = count_by(&self.db, jobs::Entity, jobs::Column::State).await?;
            Ok((requests, jobs))
        })
        .await
    }
}

async fn count_by<C, E>(
    db: &C,
    entity: E,
    column: E::Column,
) -> Result<Vec<(String, i64)>, StoreError>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    let _ = entity;
    let rows: Vec<(String, i64)> = E::find()
        .select_only()
        .column(column)
        .column_as(Expr::expr(Func::count(Expr::col(column))), "n")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows)
}
