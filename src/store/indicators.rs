//! The counts behind the court's indicators. Every write that changes what a request counts
//! for (filing it, a change of state, its first answer, its survey answer) moves its counts
//! in the rollups in the same transaction (`retally`): `indicator_days` (a zone's requests
//! by filing day, one counter per column) and `triage_months` (a zone's triage waits by
//! filing month, in tenths of a service hour). A period's figures then read one row per
//! zone and day, plus the waits of whole months from `triage_months` and of the days at the
//! period's ends from the requests themselves, so their cost grows with the period's days,
//! not with its requests. `rebuild_indicators` recounts the rollups from the requests.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::{
    indicator_days, requests,
    sea_orm_active_enums::{Outcome, PreferentialCategory, RequestMode, RequestStatus},
    survey_answers, triage_months, zones,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    FromQueryResult, Iden, QueryFilter, QueryOrder, QueryResult, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query, SelectStatement, UnionType},
};

use super::{Store, StoreError, ZoneScope, doing, requests::zone_facts};
use crate::domain::{
    dates::{local_date, local_midnight},
    indicators::{ClosedBy, Counter, DayCounts, Tally, ZoneCounts, triage_wait_minutes},
    schedule::ServiceWindow,
    status::Status,
    submission::NewRequest,
};

/// The requests filed from `from` to `to` (Belém dates, both included), in the zones of
/// `scope`, or of one.
#[derive(Debug, Clone)]
pub struct Period<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub scope: &'a ZoneScope,
    pub zone: Option<i32>,
}

/// What a rebuild of the rollups counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recount {
    pub requests: u64,
    /// Rows of `indicator_days` and of `triage_months` written.
    pub days: u64,
    pub months: u64,
}

/// The rollups' contents, keyed as they are stored: what a test compares with a recount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rollups {
    /// (day, zone id) → counts.
    pub days: BTreeMap<(NaiveDate, i32), DayCounts>,
    /// (month, zone id, tenths) → requests.
    pub waits: BTreeMap<(NaiveDate, i32, i64), i64>,
}

impl Rollups {
    fn count(&mut self, tallied: &Tallied, sign: i64) {
        let mut counts = DayCounts::of(&tallied.tally);
        if sign < 0 {
            let mut negative = DayCounts::default();
            negative.subtract(&counts);
            counts = negative;
        }
        self.days
            .entry((tallied.day, tallied.zone_id))
            .or_default()
            .add(&counts);
        if let Some(tenths) = tallied.tally.triage_tenths() {
            *self
                .waits
                .entry((first_of_month(tallied.day), tallied.zone_id, tenths))
                .or_default() += sign;
        }
    }

    /// How many day rows and how many wait rows differ from `other`'s (one missing on a side
    /// counts as differing).
    pub fn differences(&self, other: &Rollups) -> (usize, usize) {
        fn count<K: Ord, V: PartialEq>(mine: &BTreeMap<K, V>, theirs: &BTreeMap<K, V>) -> usize {
            let missing = theirs.keys().filter(|key| !mine.contains_key(key)).count();
            mine.iter()
                .filter(|(key, value)| theirs.get(key) != Some(value))
                .count()
                + missing
        }
        (
            count(&self.days, &other.days),
            count(&self.waits, &other.waits),
        )
    }

    fn without_zeros(mut self) -> Rollups {
        self.days.retain(|_, counts| !counts.is_zero());
        self.waits.retain(|_, n| *n != 0);
        self
    }
}

/// A request as the rollups count it: where (its zone and filing day) and what.
#[derive(Debug, Clone, FromQueryResult)]
pub(super) struct TallyRow {
    id: i64,
    zone_id: i32,
    created_at: DateTime<Utc>,
    status: RequestStatus,
    outcome: Option<Outcome>,
    closed_by: Option<String>,
    preferential: Option<PreferentialCategory>,
    mode: RequestMode,
    triage_minutes: Option<i32>,
}

impl From<&requests::Model> for TallyRow {
    fn from(row: &requests::Model) -> TallyRow {
        TallyRow {
            id: row.id,
            zone_id: row.zone_id,
            created_at: row.created_at,
            status: row.status,
            outcome: row.outcome,
            closed_by: row.closed_by.clone(),
            preferential: row.preferential,
            mode: row.mode,
            triage_minutes: row.triage_minutes,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Tallied {
    zone_id: i32,
    day: NaiveDate,
    tally: Tally,
}

impl TallyRow {
    fn tallied(&self, rating: Option<i16>) -> Tallied {
        Tallied {
            zone_id: self.zone_id,
            day: local_date(self.created_at),
            tally: Tally {
                status: self.status.into(),
                outcome: self.outcome.map(Into::into),
                closed_by: self.closed_by.as_deref().and_then(ClosedBy::parse),
                preferential: self.preferential.is_some(),
                mode: self.mode.into(),
                triage_minutes: self.triage_minutes.map(i64::from),
                rating,
            },
        }
    }
}

/// A request as the rollups count it, with its survey answer's rating when it has one.
pub(super) fn tallied(row: &requests::Model, rating: Option<i16>) -> Tallied {
    TallyRow::from(row).tallied(rating)
}

/// A request just filed from `request` in zone `zone_id`, as the rollups count it.
pub(super) fn filed(zone_id: i32, request: &NewRequest, at: DateTime<Utc>) -> Tallied {
    Tallied {
        zone_id,
        day: local_date(at),
        tally: Tally {
            status: Status::Submitted,
            outcome: None,
            closed_by: None,
            preferential: request.preferential.is_some(),
            mode: request.mode,
            triage_minutes: None,
            rating: None,
        },
    }
}

/// Moves a request's counts in the rollups from what it was (`before`; none when it is
/// new) to what it is (`after`), in the caller's transaction. The rows are touched in key
/// order, so two transactions never wait for each other's rows in a cycle.
pub(super) async fn retally(
    txn: &DatabaseTransaction,
    before: Option<&Tallied>,
    after: Option<&Tallied>,
) -> Result<(), DbErr> {
    let mut change = Rollups::default();
    if let Some(before) = before {
        change.count(before, -1);
    }
    if let Some(after) = after {
        change.count(after, 1);
    }
    let change = change.without_zeros();
    for ((day, zone_id), counts) in &change.days {
        add_to_day(txn, *day, *zone_id, counts).await?;
    }
    for ((month, zone_id, tenths), n) in &change.waits {
        add_to_waits(txn, *month, *zone_id, *tenths, *n).await?;
    }
    Ok(())
}

async fn add_to_day<C: ConnectionTrait>(
    db: &C,
    day: NaiveDate,
    zone_id: i32,
    counts: &DayCounts,
) -> Result<(), DbErr> {
    let changed: Vec<(Counter, i64)> = counts.nonzero().collect();
    let mut columns = vec![
        Alias::new(indicator_days::Column::Day.to_string()),
        Alias::new(indicator_days::Column::ZoneId.to_string()),
    ];
    let mut values: Vec<Expr> = vec![day.into(), zone_id.into()];
    let mut on_conflict =
        OnConflict::columns([indicator_days::Column::Day, indicator_days::Column::ZoneId]);
    for (counter, n) in &changed {
        let column = Alias::new(counter.column());
        columns.push(column.clone());
        values.push(Expr::val(*n));
        on_conflict.value(
            column.clone(),
            Expr::col((indicator_days::Entity, column)).add(*n),
        );
    }
    let mut upsert = Query::insert();
    upsert
        .into_table(indicator_days::Entity)
        .columns(columns)
        .values(values)
        .map_err(|error| DbErr::Custom(error.to_string()))?
        .on_conflict(on_conflict);
    db.execute(&upsert).await?;
    Ok(())
}

async fn add_to_waits<C: ConnectionTrait>(
    db: &C,
    month: NaiveDate,
    zone_id: i32,
    tenths: i64,
    n: i64,
) -> Result<(), DbErr> {
    use triage_months::Column;
    let tenths = i32::try_from(tenths).unwrap_or(i32::MAX);
    let mut upsert = Query::insert();
    upsert
        .into_table(triage_months::Entity)
        .columns([
            Column::Month,
            Column::ZoneId,
            Column::Tenths,
            Column::Requests,
        ])
        .values([month.into(), zone_id.into(), tenths.into(), n.into()])
        .map_err(|error| DbErr::Custom(error.to_string()))?
        .on_conflict(
            OnConflict::columns([Column::Month, Column::ZoneId, Column::Tenths])
                .value(
                    Column::Requests,
                    Expr::col((triage_months::Entity, Column::Requests)).add(n),
                )
                .to_owned(),
        );
    db.execute(&upsert).await?;
    Ok(())
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the month after `day`'s.
fn next_month(day: NaiveDate) -> NaiveDate {
    let first = first_of_month(day);
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

/// How a period splits for the triage waits: the whole months inside it (read from
/// `triage_months`) and the days before and after them (read from the requests).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Split {
    /// `[from, before)` of whole months, when there is one.
    months: Option<(NaiveDate, NaiveDate)>,
    /// `[from, before)` day ranges outside them.
    days: Vec<(NaiveDate, NaiveDate)>,
}

fn split(from: NaiveDate, to: NaiveDate) -> Split {
    let end = to + Duration::days(1);
    let first_whole = if from.day() == 1 {
        from
    } else {
        next_month(from)
    };
    let after_whole = first_of_month(end);
    if first_whole >= after_whole {
        return Split {
            months: None,
            days: vec![(from, end)],
        };
    }
    Split {
        months: Some((first_whole, after_whole)),
        days: [(from, first_whole), (after_whole, end)]
            .into_iter()
            .filter(|(start, before)| start < before)
            .collect(),
    }
}

impl Store {
    /// The counts of each zone (by number) with requests in the period.
    pub async fn indicator_counts(
        &self,
        period: &Period<'_>,
    ) -> Result<BTreeMap<i32, ZoneCounts>, StoreError> {
        doing("counting the indicators", async {
            let Some(zone_ids) = self.period_zones(period).await? else {
                return Ok(BTreeMap::new());
            };
            let numbers = self.zone_numbers().await?;
            let zone_filter = |query: &mut SelectStatement, column: Expr| {
                if let Some(ids) = &zone_ids {
                    query.and_where(column.is_in(ids.iter().copied()));
                }
            };
            let mut days = Query::select();
            days.column(indicator_days::Column::ZoneId)
                .from(indicator_days::Entity)
                .and_where(Expr::col(indicator_days::Column::Day).gte(period.from))
                .and_where(Expr::col(indicator_days::Column::Day).lte(period.to))
                .group_by_col(indicator_days::Column::ZoneId);
            sum_counters(&mut days);
            zone_filter(&mut days, Expr::col(indicator_days::Column::ZoneId));
            let split = split(period.from, period.to);
            let mut months = Query::select();
            months
                .column(triage_months::Column::ZoneId)
                .expr_as(
                    Expr::col(triage_months::Column::Tenths),
                    Alias::new("tenths"),
                )
                .expr_as(
                    Func::sum(Expr::col(triage_months::Column::Requests)),
                    Alias::new("n"),
                )
                .from(triage_months::Entity)
                .group_by_col(triage_months::Column::ZoneId)
                .group_by_col(triage_months::Column::Tenths);
            if let Some((from, before)) = split.months {
                months
                    .and_where(Expr::col(triage_months::Column::Month).gte(from))
                    .and_where(Expr::col(triage_months::Column::Month).lt(before));
            }
            zone_filter(&mut months, Expr::col(triage_months::Column::ZoneId));
            let months = async {
                match split.months {
                    Some(_) => self.db.query_all(&months).await,
                    None => Ok(Vec::new()),
                }
            };
            // The requests of the days outside whole months, banded as
            // `domain::indicators::triage_tenths` bands them (rounded up to 6 minutes); one
            // SELECT per range, so each reads its range of the filing-time index alone.
            let mut edges: Option<SelectStatement> = None;
            for (from, before) in &split.days {
                let mut range = Query::select();
                range
                    .column(requests::Column::ZoneId)
                    .expr_as(
                        Expr::cust("CAST((triage_minutes + 5) / 6 AS INTEGER)"),
                        Alias::new("tenths"),
                    )
                    .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                    .from(requests::Entity)
                    .and_where(Expr::col(requests::Column::CreatedAt).gte(local_midnight(*from)))
                    .and_where(Expr::col(requests::Column::CreatedAt).lt(local_midnight(*before)))
                    .and_where(Expr::col(requests::Column::TriageMinutes).is_not_null())
                    .group_by_col(requests::Column::ZoneId)
                    .add_group_by([Expr::cust("(triage_minutes + 5) / 6")]);
                zone_filter(&mut range, Expr::col(requests::Column::ZoneId));
                match &mut edges {
                    Some(first) => {
                        first.union(UnionType::All, range);
                    }
                    None => edges = Some(range),
                }
            }
            let edges = async {
                match &edges {
                    Some(edges) => self.db.query_all(edges).await,
                    None => Ok(Vec::new()),
                }
            };
            let (days, months, edges) = tokio::try_join!(self.db.query_all(&days), months, edges)?;
            let mut counts: BTreeMap<i32, ZoneCounts> = BTreeMap::new();
            for row in days {
                let zone_id: i32 = row.try_get("", "zone_id")?;
                if let Some(number) = numbers.get(&zone_id) {
                    counts.entry(*number).or_default().days = counters_of(&row)?;
                }
            }
            for row in months.into_iter().chain(edges) {
                let zone_id: i32 = row.try_get("", "zone_id")?;
                let tenths: i32 = row.try_get("", "tenths")?;
                let n: i64 = row.try_get("", "n")?;
                if let Some(number) = numbers.get(&zone_id) {
                    *counts
                        .entry(*number)
                        .or_default()
                        .triage_tenths
                        .entry(i64::from(tenths))
                        .or_default() += u64::try_from(n).unwrap_or(0);
                }
            }
            Ok(counts)
        })
        .await
    }

    /// The period's counts per filing day, every zone of the period summed.
    pub async fn daily_counts(
        &self,
        period: &Period<'_>,
    ) -> Result<Vec<(NaiveDate, DayCounts)>, StoreError> {
        doing("counting requests per day", async {
            let Some(zone_ids) = self.period_zones(period).await? else {
                return Ok(Vec::new());
            };
            let mut query = Query::select();
            query
                .column(indicator_days::Column::Day)
                .from(indicator_days::Entity)
                .and_where(Expr::col(indicator_days::Column::Day).gte(period.from))
                .and_where(Expr::col(indicator_days::Column::Day).lte(period.to))
                .group_by_col(indicator_days::Column::Day)
                .order_by(indicator_days::Column::Day, sea_orm::Order::Asc);
            sum_counters(&mut query);
            if let Some(ids) = zone_ids {
                query.and_where(Expr::col(indicator_days::Column::ZoneId).is_in(ids));
            }
            let mut days = Vec::new();
            for row in self.db.query_all(&query).await? {
                days.push((row.try_get("", "day")?, counters_of(&row)?));
            }
            Ok(days)
        })
        .await
    }

    /// Counts the rollups again from the requests and their survey answers, replacing what
    /// they held: after loading requests by hand, or to check them. Writers wait meanwhile
    /// (on PostgreSQL the rollups are locked first; on SQLite writes take turns anyway).
    pub async fn rebuild_indicators(&self) -> Result<Recount, StoreError> {
        doing("counting the indicators again", async {
            let txn = self.begin_write().await?;
            if self.backend() == DbBackend::Postgres {
                txn.execute_unprepared(
                    "LOCK TABLE indicator_days, triage_months IN EXCLUSIVE MODE",
                )
                .await?;
            }
            let (rollups, requests) = recount(&txn).await?;
            indicator_days::Entity::delete_many().exec(&txn).await?;
            triage_months::Entity::delete_many().exec(&txn).await?;
            let rows: Vec<(NaiveDate, i32, DayCounts)> = rollups
                .days
                .iter()
                .map(|((day, zone), counts)| (*day, *zone, *counts))
                .collect();
            for chunk in rows.chunks(500) {
                insert_days(&txn, chunk).await?;
            }
            let waits: Vec<(NaiveDate, i32, i64, i64)> = rollups
                .waits
                .iter()
                .map(|((month, zone, tenths), n)| (*month, *zone, *tenths, *n))
                .collect();
            for chunk in waits.chunks(2000) {
                insert_waits(&txn, chunk).await?;
            }
            txn.commit().await?;
            if self.backend() == DbBackend::Postgres {
                // Every row is new: the planner learns their number now, not when
                // autovacuum gets to them.
                self.db
                    .execute_unprepared("ANALYZE indicator_days, triage_months")
                    .await?;
            }
            Ok(Recount {
                requests,
                days: rows.len() as u64,
                months: waits.len() as u64,
            })
        })
        .await
    }

    /// Whether the rollups are empty while requests exist: the first start after the
    /// migration that made them.
    pub async fn indicators_need_rebuild(&self) -> Result<bool, StoreError> {
        doing("checking the indicators' rollups", async {
            let counted = indicator_days::Entity::find()
                .limit(1)
                .one(&self.db)
                .await?
                .is_some();
            let filed = requests::Entity::find()
                .select_only()
                .column(requests::Column::Id)
                .limit(1)
                .into_tuple::<i64>()
                .one(&self.db)
                .await?
                .is_some();
            Ok(filed && !counted)
        })
        .await
    }

    /// The rollups as stored, and as a recount from the requests makes them, without zeros.
    pub async fn indicator_rollups(&self) -> Result<(Rollups, Rollups), StoreError> {
        doing("reading the indicators' rollups", async {
            let mut stored = Rollups::default();
            // One row per group: the sums are the stored values, as BIGINT on every database.
            let mut days = Query::select();
            days.columns([indicator_days::Column::Day, indicator_days::Column::ZoneId])
                .from(indicator_days::Entity)
                .group_by_col(indicator_days::Column::Day)
                .group_by_col(indicator_days::Column::ZoneId);
            sum_counters(&mut days);
            for row in self.db.query_all(&days).await? {
                stored.days.insert(
                    (row.try_get("", "day")?, row.try_get("", "zone_id")?),
                    counters_of(&row)?,
                );
            }
            for row in triage_months::Entity::find().all(&self.db).await? {
                stored.waits.insert(
                    (row.month, row.zone_id, i64::from(row.tenths)),
                    i64::from(row.requests),
                );
            }
            let txn = self.begin_write().await?;
            let (recounted, _) = recount(&txn).await?;
            txn.commit().await?;
            Ok((stored.without_zeros(), recounted.without_zeros()))
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
                    .order_by_asc(requests::Column::Id)
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
                    let mut answered_row = row.clone();
                    answered_row.triage_minutes = Some(i32::try_from(minutes).unwrap_or(i32::MAX));
                    requests::Entity::update_many()
                        .col_expr(
                            requests::Column::TriageMinutes,
                            Expr::value(answered_row.triage_minutes),
                        )
                        .filter(requests::Column::Id.eq(row.id))
                        .exec(&txn)
                        .await?;
                    // The rating is the same before and after: it does not move.
                    retally(
                        &txn,
                        Some(&tallied(&row, None)),
                        Some(&tallied(&answered_row, None)),
                    )
                    .await?;
                    filled += 1;
                }
                txn.commit().await?;
            }
        })
        .await
    }

    /// The ids of the zones a period covers: `None` when it covers none (another clerk's
    /// zone), `Some(None)` for every zone, `Some(Some(ids))` for those.
    async fn period_zones(
        &self,
        period: &Period<'_>,
    ) -> Result<Option<Option<Vec<i32>>>, StoreError> {
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
        Ok(match zone_ids {
            Some(ids) if ids.is_empty() => None,
            other => Some(other),
        })
    }

    async fn zone_numbers(&self) -> Result<HashMap<i32, i32>, StoreError> {
        Ok(zones::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|zone| (zone.id, zone.number))
            .collect())
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

/// Adds the sum of every counter to `query`, each as a `BIGINT` named by its column
/// (PostgreSQL's `SUM` of integers is a `BIGINT`; SQLite's is an integer).
fn sum_counters(query: &mut SelectStatement) {
    for counter in Counter::ALL {
        query.expr_as(
            Func::sum(Expr::col(Alias::new(counter.column()))),
            Alias::new(counter.column()),
        );
    }
}

/// The counters of a row that [`sum_counters`] selected.
fn counters_of(row: &QueryResult) -> Result<DayCounts, DbErr> {
    let mut counts = DayCounts::default();
    for counter in Counter::ALL {
        counts.set(counter, row.try_get("", counter.column())?);
    }
    Ok(counts)
}

/// The rollups counted from the requests and their survey answers, and how many requests.
async fn recount(txn: &DatabaseTransaction) -> Result<(Rollups, u64), DbErr> {
    let ratings: HashMap<i64, i16> = survey_answers::Entity::find()
        .select_only()
        .columns([
            survey_answers::Column::RequestId,
            survey_answers::Column::Rating,
        ])
        .into_tuple::<(i64, i16)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut rollups = Rollups::default();
    let mut requests_counted = 0;
    let mut after = 0;
    loop {
        let rows = requests::Entity::find()
            .select_only()
            .columns([
                requests::Column::Id,
                requests::Column::ZoneId,
                requests::Column::CreatedAt,
                requests::Column::Status,
                requests::Column::Outcome,
                requests::Column::ClosedBy,
                requests::Column::Preferential,
                requests::Column::Mode,
                requests::Column::TriageMinutes,
            ])
            .filter(requests::Column::Id.gt(after))
            .order_by_asc(requests::Column::Id)
            .limit(10_000)
            .into_model::<TallyRow>()
            .all(txn)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.id;
        for row in &rows {
            rollups.count(&row.tallied(ratings.get(&row.id).copied()), 1);
        }
        requests_counted += rows.len() as u64;
    }
    Ok((rollups, requests_counted))
}

async fn insert_days(
    txn: &DatabaseTransaction,
    rows: &[(NaiveDate, i32, DayCounts)],
) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    let mut columns = vec![
        Alias::new(indicator_days::Column::Day.to_string()),
        Alias::new(indicator_days::Column::ZoneId.to_string()),
    ];
    columns.extend(Counter::ALL.map(|counter| Alias::new(counter.column())));
    insert.into_table(indicator_days::Entity).columns(columns);
    for (day, zone_id, counts) in rows {
        let mut values: Vec<Expr> = vec![(*day).into(), (*zone_id).into()];
        values.extend(Counter::ALL.map(|counter| Expr::val(counts.get(counter))));
        insert
            .values(values)
            .map_err(|error| DbErr::Custom(error.to_string()))?;
    }
    txn.execute(&insert).await?;
    Ok(())
}

async fn insert_waits(
    txn: &DatabaseTransaction,
    rows: &[(NaiveDate, i32, i64, i64)],
) -> Result<(), DbErr> {
    use triage_months::Column;
    let mut insert = Query::insert();
    insert.into_table(triage_months::Entity).columns([
        Column::Month,
        Column::ZoneId,
        Column::Tenths,
        Column::Requests,
    ]);
    for (month, zone_id, tenths, n) in rows {
        let tenths = i32::try_from(*tenths).unwrap_or(i32::MAX);
        let n = i32::try_from(*n).unwrap_or(i32::MAX);
        insert
            .values([(*month).into(), (*zone_id).into(), tenths.into(), n.into()])
            .map_err(|error| DbErr::Custom(error.to_string()))?;
    }
    txn.execute(&insert).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_period_reads_whole_months_from_the_rollup_and_its_ends_from_the_requests() {
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<(&'a str, &'a str)>,
            Vec<(&'a str, &'a str)>,
        );
        let cases: Vec<Case> = vec![
            (
                "inside one month",
                "2026-11-03",
                "2026-11-20",
                None,
                vec![("2026-11-03", "2026-11-21")],
            ),
            (
                "across two months, neither whole",
                "2026-11-03",
                "2026-12-02",
                None,
                vec![("2026-11-03", "2026-12-03")],
            ),
            (
                "one whole month",
                "2026-11-01",
                "2026-11-30",
                Some(("2026-11-01", "2026-12-01")),
                vec![],
            ),
            (
                "a year ending mid-month",
                "2025-12-03",
                "2026-12-02",
                Some(("2026-01-01", "2026-12-01")),
                vec![("2025-12-03", "2026-01-01"), ("2026-12-01", "2026-12-03")],
            ),
            (
                "from the first, to mid-month",
                "2026-10-01",
                "2026-11-15",
                Some(("2026-10-01", "2026-11-01")),
                vec![("2026-11-01", "2026-11-16")],
            ),
            (
                "ending on the last day of December",
                "2026-12-10",
                "2027-01-31",
                Some(("2027-01-01", "2027-02-01")),
                vec![("2026-12-10", "2027-01-01")],
            ),
            (
                "one day",
                "2026-11-30",
                "2026-11-30",
                None,
                vec![("2026-11-30", "2026-12-01")],
            ),
        ];
        for (name, from, to, months, days) in cases {
            assert_eq!(
                split(date(from), date(to)),
                Split {
                    months: months.map(|(a, b)| (date(a), date(b))),
                    days: days.into_iter().map(|(a, b)| (date(a), date(b))).collect(),
                },
                "{name}"
            );
        }
    }
}
