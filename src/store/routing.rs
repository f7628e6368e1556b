//! Who gets a new request: the active clerk of the zone with the fewest open requests.

use entities::{requests, sea_orm_active_enums::StaffRole, staff, staff_zones};
use sea_orm::{
    ConnectionTrait, DbErr,
    sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement},
};

use super::convert::open_statuses;

/// Ties go to the clerk with the lower id, so routing is deterministic.
pub async fn least_loaded_clerk<C: ConnectionTrait>(
    db: &C,
    zone_id: i32,
) -> Result<Option<i32>, DbErr> {
    let query = least_loaded_clerk_query(Expr::val(zone_id));
    match db.query_one(&query).await? {
        Some(row) => Ok(Some(row.try_get("", "id")?)),
        None => Ok(None),
    }
}

/// The query behind [`least_loaded_clerk`], for a zone given as an expression: a value, or
/// a column of an enclosing statement (so a new request is routed by its own insert).
pub fn least_loaded_clerk_query(zone_id: Expr) -> SelectStatement {
    let mut query = Query::select();
    // One column only, so that the query also serves as a scalar subquery.
    query
        .column((staff::Entity, staff::Column::Id))
        .from(staff::Entity)
        .inner_join(
            staff_zones::Entity,
            Expr::col((staff_zones::Entity, staff_zones::Column::StaffId))
                .equals((staff::Entity, staff::Column::Id))
                .and(Expr::col((staff_zones::Entity, staff_zones::Column::ZoneId)).eq(zone_id)),
        )
        .left_join(
            requests::Entity,
            Expr::col((requests::Entity, requests::Column::AssigneeId))
                .equals((staff::Entity, staff::Column::Id))
                .and(
                    Expr::col((requests::Entity, requests::Column::Status)).is_in(open_statuses()),
                ),
        )
        .and_where(Expr::col((staff::Entity, staff::Column::Active)).eq(true))
        .and_where(Expr::col((staff::Entity, staff::Column::Role)).eq(StaffRole::Clerk))
        .group_by_col((staff::Entity, staff::Column::Id))
        .order_by_expr(
            Func::count(Expr::col((requests::Entity, requests::Column::Id))).into(),
            Order::Asc,
        )
        .order_by((staff::Entity, staff::Column::Id), Order::Asc)
        .limit(1);
    query
}
