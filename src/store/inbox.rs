//! What staff look through: a zone's requests by state, searched and paged, in the order they
//! are served: aged 80+ first, then every other preferential category, then the rest, oldest
//! first within each.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{requests, staff, zones};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
    sea_query::{Expr, ExprTrait, LikeExpr},
};

use super::{Store, StoreError, ZoneScope, doing, requests::in_scope};
use crate::domain::{
    accessibility::{Accessibility, Need},
    messages::Mode,
    preferential::Preferential,
    status::Status,
    text::search_key,
};

/// Pages beyond this are clamped to it: no inbox is that long, and the offset stays far from
/// overflow whatever page number a client sends.
const MAX_PAGE: u64 = 100_000;

/// The inbox page a client asked for (1 when it did not say), within 1..=100,000.
pub fn inbox_page(requested: Option<u64>) -> u64 {
    requested.unwrap_or(1).clamp(1, MAX_PAGE)
}

#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Empty: every state.
    pub statuses: Vec<Status>,
    /// A zone number; must be within the caller's scope.
    pub zone: Option<i32>,
    /// Protocol, name, CPF (digits) or process number, in part.
    pub search: Option<String>,
    pub preferential: Option<PreferenceFilter>,
    /// Only requests whose requester waits for the court's reply to a message.
    pub awaiting_reply: bool,
    pub page: u64,
    pub per_page: u64,
}

/// Which requests by their declared category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreferenceFilter {
    /// Any category at all.
    Any,
    Only(Preferential),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub id: i64,
    pub protocol: String,
    pub status: Status,
    pub zone: i32,
    pub name: String,
    pub preferential: Option<Preferential>,
    /// Declared accessibility needs.
    pub accessibility: Vec<Need>,
    pub created_at: DateTime<Utc>,
    pub assignee: Option<(i32, String)>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub version: i32,
    pub mode: Mode,
    /// The requester wrote since a clerk last opened the thread.
    pub unread_messages: bool,
    /// When the court's reply to the requester's oldest unanswered message is late.
    pub reply_due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub total: u64,
}

impl Store {
    pub async fn inbox(
        &self,
        filter: &InboxFilter,
        scope: &ZoneScope,
    ) -> Result<InboxPage, StoreError> {
        doing("reading the inbox", async {
            let mut condition = matching(filter, scope);
            if !filter.statuses.is_empty() {
                let statuses: Vec<entities::sea_orm_active_enums::RequestStatus> =
                    filter.statuses.iter().map(|s| (*s).into()).collect();
                condition = condition.add(requests::Column::Status.is_in(statuses));
            }
            let query = requests::Entity::find()
                .join(JoinType::InnerJoin, requests::Relation::Zones.def())
                .filter(condition);
            let total = query.clone().count(&self.db).await?;
            let rows = query
                .order_by_asc(requests::Column::PreferenceRank)
                .order_by_asc(requests::Column::CreatedAt)
                .order_by_asc(requests::Column::Id)
                .limit(filter.per_page)
                .offset((inbox_page(Some(filter.page)) - 1) * filter.per_page)
                .all(&self.db)
                .await?;
            let (zone_numbers, names) = self.labels(&rows).await?;
            let items = rows
                .into_iter()
                .map(|request| InboxItem {
                    id: request.id,
                    zone: zone_numbers
                        .get(&request.zone_id)
                        .copied()
                        .unwrap_or_default(),
                    assignee: request
                        .assignee_id
                        .and_then(|id| Some((id, names.get(&id)?.clone()))),
                    protocol: request.protocol,
                    status: request.status.into(),
                    name: request.requester_name,
                    preferential: request.preferential.map(Into::into),
                    accessibility: Accessibility::from_stored(&request.accessibility, None)
                        .needs()
                        .to_vec(),
                    created_at: request.created_at,
                    scheduled_start: request.scheduled_start,
                    version: request.version,
                    mode: request.mode.into(),
                    unread_messages: request.staff_unread,
                    reply_due_at: request.reply_due_at,
                })
                .collect();
            Ok(InboxPage { items, total })
        })
        .await
    }
}

/// The requests in `scope` that `filter` picks by zone, search and category, in any state.
fn matching(filter: &InboxFilter, scope: &ZoneScope) -> Condition {
    let mut condition = Condition::all().add(in_scope(scope));
    if let Some(zone) = filter.zone {
        condition = condition.add(zones::Column::Number.eq(zone));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        condition = condition.add(search_condition(search));
    }
    if filter.awaiting_reply {
        condition = condition.add(requests::Column::ReplyDueAt.is_not_null());
    }
    match filter.preferential {
        None => condition,
        Some(PreferenceFilter::Any) => condition.add(requests::Column::Preferential.is_not_null()),
        Some(PreferenceFilter::Only(category)) => condition.add(requests::Column::Preferential.eq(
            entities::sea_orm_active_enums::PreferentialCategory::from(category),
        )),
    }
}

impl Store {
    /// The zone numbers and assignee names that `rows` refer to, in two queries.
    async fn labels(
        &self,
        rows: &[requests::Model],
    ) -> Result<(HashMap<i32, i32>, HashMap<i32, String>), StoreError> {
        let zone_numbers = zones::Entity::find()
            .filter(zones::Column::Id.is_in(rows.iter().map(|r| r.zone_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|zone| (zone.id, zone.number))
            .collect();
        let names = staff::Entity::find()
            .filter(staff::Column::Id.is_in(rows.iter().filter_map(|r| r.assignee_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|account| (account.id, account.name))
            .collect();
        Ok((zone_numbers, names))
    }
}

/// Matches protocols, names and process numbers in part (names in any case and with or
/// without accents), and CPFs by their digits.
fn search_condition(search: &str) -> Condition {
    let pattern = |text: &str| LikeExpr::new(format!("%{}%", escape_like(text))).escape('\\');
    let mut condition = Condition::any()
        .add(Expr::col((requests::Entity, requests::Column::Protocol)).like(pattern(search)))
        .add(
            Expr::col((requests::Entity, requests::Column::RequesterNameKey))
                .like(pattern(&search_key(search))),
        )
        .add(Expr::col((requests::Entity, requests::Column::ProcessNumber)).like(pattern(search)));
    let digits: String = search.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 3 {
        condition = condition
            .add(Expr::col((requests::Entity, requests::Column::Cpf)).like(pattern(&digits)));
    }
    condition
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One meeting of a day's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub id: i64,
    pub protocol: String,
    pub zone: i32,
    pub name: String,
    pub subject: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub meet_link: Option<String>,
    pub assignee: Option<(i32, String)>,
}

impl Store {
    /// How many requests of each state the caller's zones (or `zone`) hold.
    /// How many requests each state holds among those `filter` matches, whatever states and
    /// page it names: the tabs' counts.
    pub async fn inbox_counts(
        &self,
        filter: &InboxFilter,
        scope: &ZoneScope,
    ) -> Result<Vec<(Status, u64)>, StoreError> {
        doing("counting the inbox", async {
            let condition = matching(filter, scope);
            let rows: Vec<(entities::sea_orm_active_enums::RequestStatus, i64)> =
                requests::Entity::find()
                    .join(JoinType::InnerJoin, requests::Relation::Zones.def())
                    .filter(condition)
                    .select_only()
                    .column(requests::Column::Status)
                    .column_as(
                        Expr::col((requests::Entity, requests::Column::Id)).count(),
                        "n",
                    )
                    .group_by(requests::Column::Status)
                    .into_tuple()
                    .all(&self.db)
                    .await?;
            Ok(rows
                .into_iter()
                .map(|(status, count)| (status.into(), u64::try_from(count).unwrap_or_default()))
                .collect())
        })
        .await
    }

    /// The meetings between `from` and `to` in the caller's zones (or `zone`), by time.
    pub async fn agenda(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        zone: Option<i32>,
        scope: &ZoneScope,
    ) -> Result<Vec<AgendaItem>, StoreError> {
        doing("reading the agenda", async {
            let mut condition = Condition::all()
                .add(in_scope(scope))
                .add(
                    requests::Column::Status
                        .eq(entities::sea_orm_active_enums::RequestStatus::Scheduled),
                )
                .add(requests::Column::ScheduledStart.gte(from))
                .add(requests::Column::ScheduledStart.lt(to));
            if let Some(zone) = zone {
                condition = condition.add(zones::Column::Number.eq(zone));
            }
            let rows = requests::Entity::find()
                .join(JoinType::InnerJoin, requests::Relation::Zones.def())
                .filter(condition)
                .order_by_asc(requests::Column::ScheduledStart)
                .all(&self.db)
                .await?;
            let (zone_numbers, names) = self.labels(&rows).await?;
            Ok(rows
                .into_iter()
                .filter_map(|request| {
                    Some(AgendaItem {
                        start: request.scheduled_start?,
                        end: request.scheduled_end?,
                        id: request.id,
                        zone: zone_numbers
                            .get(&request.zone_id)
                            .copied()
                            .unwrap_or_default(),
                        assignee: request
                            .assignee_id
                            .and_then(|id| Some((id, names.get(&id)?.clone()))),
                        protocol: request.protocol,
                        name: request.requester_name,
                        subject: request.subject,
                        meet_link: request.meet_link,
                    })
                })
                .collect())
        })
        .await
    }
}
