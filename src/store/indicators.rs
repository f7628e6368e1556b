//! The counts behind the court's indicators, by aggregate queries over the requests filed in
//! a period: one pass for the per-zone counts, one for the histogram of triage waits, one for
//! the satisfaction ratings, one for the weekly chart. Their cost grows with the period's
//! requests, not with what each one holds.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entities::{requests, zones};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Statement,
};

use super::{Store, StoreError, ZoneScope, doing, requests::zone_facts};
use crate::domain::{
    indicators::{ZoneCounts, triage_wait_minutes},
    schedule::ServiceWindow,
    status::Status,
};

/// The requests filed from `from` to `before` (exclusive), in the zones of `scope`, or of one.
#[derive(Debug, Clone)]
pub struct Period<'a> {
    pub from: DateTime<Utc>,
    pub before: DateTime<Utc>,
    pub scope: &'a ZoneScope,
    pub zone: Option<i32>,
}

/// One week's requests by how they ended (or that they are still open).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekCounts {
    /// The Monday the week starts, in Belém.
    pub week: NaiveDate,
    pub attended: u64,
    pub by_message: u64,
    pub no_show: u64,
    pub cancelled: u64,
    pub rejected: u64,
    pub open: u64,
}

#[derive(Debug, FromQueryResult)]
struct ZoneRow {
    zone_id: i32,
    received: i64,
    submitted: i64,
    triaged: i64,
    offered: i64,
    scheduled: i64,
    done: i64,
    rejected: i64,
    cancelled: i64,
    no_show: i64,
    by_requester: i64,
    by_staff: i64,
    preferential: i64,
    by_message: i64,
}

#[derive(Debug, FromQueryResult)]
struct HistogramRow {
    zone_id: i32,
    value: i64,
    n: i64,
}

#[derive(Debug, FromQueryResult)]
struct WeekRow {
    day: String,
    attended: i64,
    by_message: i64,
    no_show: i64,
    cancelled: i64,
    rejected: i64,
    open: i64,
}

impl Store {
    /// The counts of each zone (by number) with requests in the period.
    pub async fn indicator_counts(
        &self,
        period: &Period<'_>,
    ) -> Result<BTreeMap<i32, ZoneCounts>, StoreError> {
        doing("counting the indicators", async {
            let numbers = self.zone_numbers().await?;
            let (filter, values) = self.period_filter(period).await?;
            let backend = self.backend();
            let mut counts: BTreeMap<i32, ZoneCounts> = BTreeMap::new();
            let counts_of = counts_of(&[
                ("status = 'submitted'", "submitted"),
                ("status = 'triaged'", "triaged"),
                ("status = 'offered'", "offered"),
                ("status = 'scheduled'", "scheduled"),
                ("status = 'done'", "done"),
                ("status = 'rejected'", "rejected"),
                ("status = 'cancelled'", "cancelled"),
                ("outcome = 'no_show'", "no_show"),
                ("status = 'cancelled' AND closed_by = 'requester'", "by_requester"),
                ("status = 'cancelled' AND closed_by <> 'requester'", "by_staff"),
                ("preferential IS NOT NULL", "preferential"),
                ("mode = 'message'", "by_message"),
            ]);
            let sql = format!(
                "SELECT zone_id, COUNT(*) AS received, {counts_of} \
                 FROM requests WHERE {filter} GROUP BY zone_id"
            );
            let rows = ZoneRow::find_by_statement(Statement::from_sql_and_values(
                backend,
                sql,
                values.clone(),
            ))
            .all(&self.db)
            .await?;
            for row in rows {
                let Some(number) = numbers.get(&row.zone_id) else {
                    continue;
                };
                let n = |value: i64| u64::try_from(value).unwrap_or(0);
                counts.insert(
                    *number,
                    ZoneCounts {
                        received: n(row.received),
                        by_status: [
                            (Status::Submitted, row.submitted),
                            (Status::Triaged, row.triaged),
                            (Status::Offered, row.offered),
                            (Status::Scheduled, row.scheduled),
                            (Status::Done, row.done),
                            (Status::Rejected, row.rejected),
                            (Status::Cancelled, row.cancelled),
                        ]
                        .into_iter()
                        .map(|(status, count)| (status, n(count)))
                        .collect(),
                        no_show: n(row.no_show),
                        cancelled_by_requester: n(row.by_requester),
                        cancelled_by_staff: n(row.by_staff),
                        preferential: n(row.preferential),
                        by_message: n(row.by_message),
                        ..ZoneCounts::default()
                    },
                );
            }
            let waits = HistogramRow::find_by_statement(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT zone_id, CAST(triage_minutes AS BIGINT) AS value, COUNT(*) AS n \
                     FROM requests WHERE {filter} AND triage_minutes IS NOT NULL \
                     GROUP BY zone_id, triage_minutes"
                ),
                values.clone(),
            ))
            .all(&self.db)
            .await?;
            for row in waits {
                if let Some(zone) = numbers.get(&row.zone_id).and_then(|n| counts.get_mut(n)) {
                    *zone.triage_minutes.entry(row.value).or_default() +=
                        u64::try_from(row.n).unwrap_or(0);
                }
            }
            let ratings = HistogramRow::find_by_statement(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT requests.zone_id AS zone_id, CAST(survey_answers.rating AS BIGINT) AS value, \
                     COUNT(*) AS n FROM survey_answers \
                     JOIN requests ON requests.id = survey_answers.request_id \
                     WHERE {} GROUP BY requests.zone_id, survey_answers.rating",
                    qualified(&filter)
                ),
                values,
            ))
            .all(&self.db)
            .await?;
            for row in ratings {
                if let Some(zone) = numbers.get(&row.zone_id).and_then(|n| counts.get_mut(n))
                {
                    let rating = i16::try_from(row.value).unwrap_or_default();
                    *zone.ratings.entry(rating).or_default() +=
                        u64::try_from(row.n).unwrap_or(0);
                }
            }
            Ok(counts)
        })
        .await
    }

    /// The period's requests per week (from Monday, in Belém) by how they ended.
    pub async fn weekly_outcomes(
        &self,
        period: &Period<'_>,
    ) -> Result<Vec<WeekCounts>, StoreError> {
        doing("counting requests per week", async {
            let (filter, values) = self.period_filter(period).await?;
            let backend = self.backend();
            // Belém keeps UTC−3 all year: the local day is the UTC time three hours back.
            let day = match backend {
                DbBackend::Postgres => {
                    "to_char(created_at AT TIME ZONE 'America/Belem', 'YYYY-MM-DD')"
                }
                _ => "strftime('%Y-%m-%d', created_at, '-3 hours')",
            };
            let counts_of = counts_of(&[
                ("outcome = 'attended'", "attended"),
                ("outcome = 'attended_by_message'", "by_message"),
                ("outcome = 'no_show'", "no_show"),
                ("status = 'cancelled'", "cancelled"),
                ("status = 'rejected'", "rejected"),
                (
                    "status IN ('submitted', 'triaged', 'offered', 'scheduled')",
                    "open",
                ),
            ]);
            let sql = format!(
                "SELECT {day} AS day, {counts_of} \
                 FROM requests WHERE {filter} GROUP BY 1 ORDER BY 1"
            );
            let rows =
                WeekRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
                    .all(&self.db)
                    .await?;
            let mut weeks: BTreeMap<NaiveDate, WeekCounts> = BTreeMap::new();
            for row in rows {
                let Ok(day) = row.day.parse::<NaiveDate>() else {
                    continue;
                };
                let monday = day.week(chrono::Weekday::Mon).first_day();
                let week = weeks.entry(monday).or_insert_with(|| WeekCounts {
                    week: monday,
                    ..WeekCounts::default()
                });
                let n = |value: i64| u64::try_from(value).unwrap_or(0);
                week.attended += n(row.attended);
                week.by_message += n(row.by_message);
                week.no_show += n(row.no_show);
                week.cancelled += n(row.cancelled);
                week.rejected += n(row.rejected);
                week.open += n(row.open);
            }
            Ok(weeks.into_values().collect())
        })
        .await
    }

    /// Fills in the triage wait of requests answered before the service stored it (a new
    /// column has none for the rows that exist), from their zone's calendar; how many.
    pub async fn backfill_triage_minutes(
        &self,
        default_window: &ServiceWindow,
    ) -> Result<u64, StoreError> {
        doing("filling in triage waits", async {
            let mut filled = 0;
            loop {
                let rows = requests::Entity::find()
                    .filter(requests::Column::TriagedAt.is_not_null())
                    .filter(requests::Column::TriageMinutes.is_null())
                    .limit(500)
                    .all(&self.db)
                    .await?;
                if rows.is_empty() {
                    return Ok(filled);
                }
                let txn = self.begin_write().await?;
                let mut calendars = HashMap::new();
                for row in rows {
                    let Some(answered) = row.triaged_at else {
                        continue;
                    };
                    let schedule = match calendars.entry(row.zone_id) {
                        std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                        std::collections::hash_map::Entry::Vacant(new) => new.insert(
                            zone_facts(&txn, row.zone_id, default_window)
                                .await?
                                .schedule,
                        ),
                    };
                    let minutes =
                        triage_wait_minutes(&schedule.calendar(), row.created_at, answered);
                    requests::Entity::update_many()
                        .col_expr(
                            requests::Column::TriageMinutes,
                            sea_orm::sea_query::Expr::value(
                                i32::try_from(minutes).unwrap_or(i32::MAX),
                            ),
                        )
                        .filter(requests::Column::Id.eq(row.id))
                        .exec(&txn)
                        .await?;
                    filled += 1;
                }
                txn.commit().await?;
            }
        })
        .await
    }

    async fn zone_numbers(&self) -> Result<HashMap<i32, i32>, StoreError> {
        Ok(zones::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|zone| (zone.id, zone.number))
            .collect())
    }

    /// The `WHERE` of the period's requests, with its values.
    async fn period_filter(
        &self,
        period: &Period<'_>,
    ) -> Result<(String, Vec<sea_orm::Value>), StoreError> {
        let mut filter = String::from("created_at >= $1 AND created_at < $2");
        let values: Vec<sea_orm::Value> = vec![period.from.into(), period.before.into()];
        let mut zone_ids: Option<Vec<i32>> = match period.scope {
            ZoneScope::All => None,
            ZoneScope::Zones(numbers) => Some(self.zone_ids(numbers).await?),
        };
        if let Some(number) = period.zone {
            let ids = self.zone_ids(&[number]).await?;
            zone_ids = Some(match zone_ids {
                Some(allowed) => ids.into_iter().filter(|id| allowed.contains(id)).collect(),
                None => ids,
            });
        }
        if let Some(ids) = zone_ids {
            if ids.is_empty() {
                filter.push_str(" AND 1 = 0");
            } else {
                let list: Vec<String> = ids.iter().map(i32::to_string).collect();
                filter.push_str(&format!(" AND zone_id IN ({})", list.join(", ")));
            }
        }
        if self.backend() != DbBackend::Postgres {
            filter = filter.replace("$1", "?").replace("$2", "?");
        }
        Ok((filter, values))
    }

    async fn zone_ids(&self, numbers: &[i32]) -> Result<Vec<i32>, StoreError> {
        Ok(zones::Entity::find()
            .filter(zones::Column::Number.is_in(numbers.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|zone| zone.id)
            .collect())
    }
}

/// The select list counting, for each `(condition, alias)`, the rows where it holds, as a
/// `BIGINT` on every database (PostgreSQL's `SUM` of integers is a `numeric`).
fn counts_of(columns: &[(&str, &str)]) -> String {
    columns
        .iter()
        .map(|(condition, alias)| {
            format!("CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT) AS {alias}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The period's filter with the requests' columns named by their table, for a join.
fn qualified(filter: &str) -> String {
    filter
        .replace("created_at", "requests.created_at")
        .replace("zone_id IN", "requests.zone_id IN")
}
