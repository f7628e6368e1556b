//! Requests: submitting one, moving it through its life, and reading it back with its history.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::{
    request_events, requests,
    sea_orm_active_enums::{ActorKind, RequestStatus},
    staff, tracking_tokens, zones,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::json;

use super::{
    Store, StoreError,
    convert::open_statuses,
    outbox, protocol,
    reference::{find_active_zone, stored_window, zone_holidays},
    routing,
};
use crate::domain::{
    command::{Command, ParsedCommand},
    effects::{self, MeetingSource},
    meet_link::MeetLink,
    schedule::{SERVICE_TIME_ZONE, ServiceWindow, Slot, ZoneCalendar},
    status::{Outcome, Status, transition},
    submission::NewRequest,
    text::RequesterRole,
};

/// Who acts on a request, as recorded in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The person who filed it, proven by the tracking token.
    Requester,
    Staff(i32),
    System,
}

/// The zones a caller may see. Anything outside is reported as not found, so a clerk cannot
/// even learn that another zone's request exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneScope {
    All,
    /// Zone numbers.
    Zones(Vec<i32>),
}

/// The facts a transition is judged against besides the request itself.
#[derive(Debug, Clone, Copy)]
pub struct TransitionRules<'a> {
    pub now: DateTime<Utc>,
    pub source: MeetingSource,
    /// Used by zones without a window of their own.
    pub default_window: &'a ServiceWindow,
    pub reminder_hours: &'a [u32],
    pub allowed_link_hosts: &'a [String],
    /// A requester may cancel a meeting only up to this many hours before it.
    pub requester_cancel_notice_hours: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub id: i64,
    pub protocol: String,
    pub assignee_id: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub id: i64,
    pub protocol: String,
    pub zone: i32,
    pub status: Status,
    pub name: String,
    pub cpf: String,
    pub email: String,
    pub phone: String,
    pub role: RequesterRole,
    pub oab: Option<String>,
    pub process_number: Option<String>,
    pub subject: String,
    pub description: String,
    pub preferred_dates: Vec<NaiveDate>,
    pub assignee_id: Option<i32>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub scheduled_end: Option<DateTime<Utc>>,
    pub meet_link: Option<String>,
    pub schedule_revision: i32,
    pub outcome: Option<Outcome>,
    pub rejection_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub history: Vec<EventRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub at: DateTime<Utc>,
    pub action: String,
    pub from: Option<Status>,
    pub to: Status,
    pub actor: Actor,
    pub from_zone: Option<i32>,
    pub to_zone: Option<i32>,
    pub note: Option<String>,
}

impl Store {
    /// The protocols of the requests in `ids`, in one query; unknown ids are left out.
    pub async fn protocols(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        Ok(requests::Entity::find()
            .select_only()
            .column(requests::Column::Id)
            .column(requests::Column::Protocol)
            .filter(requests::Column::Id.is_in(ids))
            .into_tuple::<(i64, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect())
    }
}

impl Store {
    /// Files a request: one transaction writes it with a fresh protocol number, routes it to
    /// the least loaded clerk of its zone, and writes its first audit row and its e-mails.
    pub async fn submit(
        &self,
        request: &NewRequest,
        tracking_token_hash: &str,
        open_requests_limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Submitted, StoreError> {
        let year = now.with_timezone(&SERVICE_TIME_ZONE).year();
        self.protocol_sequences.ensure(&self.db, year).await?;
        let txn = self.begin_write().await?;
        if open_requests_limit > 0 {
            let by_person = [
                ("cpf", requests::Column::Cpf.eq(request.cpf.as_str())),
                ("email", requests::Column::Email.eq(request.email.as_str())),
            ];
            for (field, same_person) in by_person {
                let open = requests::Entity::find()
                    .filter(same_person)
                    .filter(requests::Column::Status.is_in(open_statuses()))
                    .count(&txn)
                    .await?;
                if open >= u64::from(open_requests_limit) {
                    return Err(StoreError::TooManyOpenRequests {
                        limit: open_requests_limit,
                        field,
                    });
                }
            }
        }
        let protocol = protocol::next(&txn, year).await?;
        let row = insert_routed(&txn, request, protocol, tracking_token_hash, now)
            .await?
            .ok_or_else(|| StoreError::invalid("zone", "Esta zona eleitoral não existe."))?;
        record_event(
            &txn,
            NewEvent {
                request_id: row.id,
                at: now,
                actor: Actor::Requester,
                action: "submit",
                from: None,
                to: Status::Submitted,
                zones: (None, Some(request.zone)),
                note: None,
            },
        )
        .await?;
        let jobs = outbox::for_effects(row.id, 1, &effects::on_submit(), &json!({}), now);
        outbox::enqueue(&txn, row.id, jobs, now).await?;
        txn.commit().await?;
        Ok(Submitted {
            id: row.id,
            protocol: row.protocol,
            assignee_id: row.assignee_id,
        })
    }

    /// Applies `command` to request `id` if the caller saw its current `expected_version`:
    /// one transaction writes the new state, its audit row and its outbox jobs, or nothing.
    pub async fn transition(
        &self,
        id: i64,
        expected_version: i32,
        command: &ParsedCommand,
        actor: Actor,
        scope: &ZoneScope,
        rules: &TransitionRules<'_>,
    ) -> Result<RequestRecord, StoreError> {
        let txn = self.begin_write().await?;
        let current = requests::Entity::find_by_id(id)
            .filter(in_scope(scope))
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.version != expected_version {
            return Err(StoreError::Stale {
                expected: expected_version,
                current: current.version,
            });
        }
        let from = Status::from(current.status);
        let action = command.command.action();
        let to = transition(from, action)?;
        if actor == Actor::Requester
            && let (Command::Cancel { .. }, Some(start)) =
                (&command.command, current.scheduled_start)
            && from == Status::Scheduled
            && start - rules.now < Duration::hours(rules.requester_cancel_notice_hours.into())
        {
            return Err(StoreError::TooLateToCancel {
                hours: rules.requester_cancel_notice_hours,
            });
        }
        let zone = zones::Entity::find_by_id(current.zone_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;

        let mut change = requests::ActiveModel {
            status: Set(to.into()),
            version: Set(current.version + 1),
            updated_at: Set(rules.now),
            ..Default::default()
        };
        let mut zones_moved = (None, None);
        let mut reminders = Vec::new();
        let mut details = json!({});
        match &command.command {
            Command::Triage => {
                if current.assignee_id.is_none()
                    && let Actor::Staff(staff_id) = actor
                {
                    change.assignee_id = Set(Some(staff_id));
                }
            }
            Command::Reject { reason } => {
                change.rejection_reason = Set(Some(reason.clone()));
                change.closed_at = Set(Some(rules.now));
                details = json!({ "reason": reason });
            }
            Command::Transfer { to_zone } => {
                let target = find_active_zone(&txn, *to_zone).await?.ok_or_else(|| {
                    StoreError::invalid("zone", "Esta zona eleitoral não existe.")
                })?;
                if target.id == zone.id {
                    return Err(StoreError::invalid(
                        "zone",
                        "A solicitação já está nesta zona eleitoral.",
                    ));
                }
                change.zone_id = Set(target.id);
                change.assignee_id = Set(routing::least_loaded_clerk(&txn, target.id).await?);
                zones_moved = (Some(zone.number), Some(target.number));
                details = json!({ "from_zone": zone.number, "to_zone": target.number });
            }
            Command::Schedule { start, meet_link } | Command::Reschedule { start, meet_link } => {
                let clerk = match (current.assignee_id, actor) {
                    (Some(assignee), _) => assignee,
                    (None, Actor::Staff(staff_id)) => staff_id,
                    (None, Actor::Requester | Actor::System) => {
                        return Err(StoreError::invalid(
                            "start",
                            "A solicitação não tem servidor(a) responsável.",
                        ));
                    }
                };
                let slot = checked_slot(&txn, &zone, clerk, current.id, *start, rules).await?;
                let link = meeting_link(&current, &zone, meet_link.as_ref(), rules)?;
                let revision = current.schedule_revision + 1;
                change.assignee_id = Set(Some(clerk));
                change.scheduled_start = Set(Some(slot.start));
                change.scheduled_end = Set(Some(slot.end));
                details = json!({
                    "start": slot.start,
                    "end": slot.end,
                    "meet_link": link,
                    "revision": revision,
                    "previous_start": current.scheduled_start,
                });
                change.meet_link = Set(link);
                change.schedule_revision = Set(revision);
                reminders = outbox::reminders(
                    current.id,
                    revision,
                    &effects::reminders(slot.start, rules.now, rules.reminder_hours),
                );
            }
            Command::Complete { outcome } => {
                change.outcome = Set(Some((*outcome).into()));
                change.closed_at = Set(Some(rules.now));
                details = json!({ "outcome": outcome.as_str() });
            }
            Command::Cancel { reason } => {
                change.closed_at = Set(Some(rules.now));
                // The meeting that will not happen, for the message and the invitation.
                let meeting = (from == Status::Scheduled)
                    .then_some(())
                    .and(current.scheduled_start.zip(current.scheduled_end));
                details = json!({
                    "reason": reason,
                    "by_requester": actor == Actor::Requester,
                    "start": meeting.map(|(start, _)| start),
                    "end": meeting.map(|(_, end)| end),
                    "revision": current.schedule_revision,
                });
            }
        }

        let updated = requests::Entity::update_many()
            .set(change)
            .filter(requests::Column::Id.eq(current.id))
            .filter(requests::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            // Unreachable while the row lock holds, but the version check is the contract.
            return Err(StoreError::Stale {
                expected: expected_version,
                current: expected_version + 1,
            });
        }
        let note = match &command.command {
            Command::Cancel {
                reason: Some(reason),
            } => Some(match &command.note {
                Some(note) => format!("{reason}\n{note}"),
                None => reason.clone(),
            }),
            _ => command.note.clone(),
        };
        record_event(
            &txn,
            NewEvent {
                request_id: current.id,
                at: rules.now,
                actor,
                action: action.as_str(),
                from: Some(from),
                to,
                zones: zones_moved,
                note,
            },
        )
        .await?;
        let version = current.version + 1;
        let mut jobs = outbox::for_effects(
            current.id,
            version,
            &effects::on_transition(from, action, rules.source),
            &details,
            rules.now,
        );
        jobs.extend(reminders);
        outbox::enqueue(&txn, current.id, jobs, rules.now).await?;
        txn.commit().await?;
        self.request(id, &ZoneScope::All)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A request by its protocol, with the hashes of all its tracking tokens (the first one
    /// and those minted for e-mails) for the caller to compare.
    pub async fn request_by_protocol(
        &self,
        protocol: &str,
    ) -> Result<Option<(RequestRecord, Vec<String>)>, StoreError> {
        let found = requests::Entity::find()
            .filter(requests::Column::Protocol.eq(protocol))
            .one(&self.db)
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        let mut hashes = vec![row.tracking_token_hash];
        hashes.extend(
            tracking_tokens::Entity::find()
                .filter(tracking_tokens::Column::RequestId.eq(row.id))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|token| token.token_hash),
        );
        let record = self.request(row.id, &ZoneScope::All).await?;
        Ok(record.map(|record| (record, hashes)))
    }

    /// Keeps the hash of another tracking token for `request_id` (one per e-mail sent to the
    /// requester, so that no token is ever stored readable).
    pub async fn add_tracking_token(
        &self,
        request_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        tracking_tokens::ActiveModel {
            request_id: Set(request_id),
            token_hash: Set(token_hash.to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// A request with its history, if it exists within `scope`.
    pub async fn request(
        &self,
        id: i64,
        scope: &ZoneScope,
    ) -> Result<Option<RequestRecord>, StoreError> {
        let found = requests::Entity::find_by_id(id)
            .filter(in_scope(scope))
            .find_also_related(zones::Entity)
            .one(&self.db)
            .await?;
        let Some((request, Some(zone))) = found else {
            return Ok(None);
        };
        let events = request_events::Entity::find()
            .filter(request_events::Column::RequestId.eq(request.id))
            .order_by_asc(request_events::Column::Id)
            .all(&self.db)
            .await?;
        Ok(Some(RequestRecord::new(request, zone.number, events)))
    }
}

/// The new request's id, protocol and assignee.
struct Inserted {
    id: i64,
    protocol: String,
    assignee_id: Option<i32>,
}

/// Inserts a new request into its zone, routed to the zone's least loaded clerk, in one
/// statement (`INSERT … SELECT … FROM zones`): nothing is inserted, and `None` returned, when
/// the zone does not exist or is closed. One round trip instead of three keeps the
/// submission's transaction, and its locks, short.
async fn insert_routed(
    txn: &DatabaseTransaction,
    request: &NewRequest,
    protocol: Expr,
    tracking_token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Inserted>, sea_orm::DbErr> {
    use requests::Column as C;
    use sea_orm::{ActiveEnum, sea_query::QueryStatementBuilder};
    let preferred_dates = serde_json::to_value(&request.preferred_dates)
        .map_err(|error| sea_orm::DbErr::Custom(error.to_string()))?;
    let role: entities::sea_orm_active_enums::RequesterRole = request.role.into();
    let values: Vec<(C, Expr)> = vec![
        (C::Protocol, protocol),
        (C::ZoneId, Expr::col((zones::Entity, zones::Column::Id))),
        (C::Status, Expr::val(RequestStatus::Submitted.to_value())),
        (C::RequesterName, Expr::val(request.name.as_str())),
        (C::RequesterNameKey, Expr::val(request.name.search_key())),
        (C::Cpf, Expr::val(request.cpf.as_str())),
        (C::Email, Expr::val(request.email.as_str())),
        (C::Phone, Expr::val(request.phone.as_str())),
        (C::Role, Expr::val(role.to_value())),
        (
            C::Oab,
            Expr::val(request.oab.as_ref().map(|oab| oab.as_str().to_string())),
        ),
        (
            C::ProcessNumber,
            Expr::val(
                request
                    .process_number
                    .as_ref()
                    .map(|number| number.as_str().to_string()),
            ),
        ),
        (C::Subject, Expr::val(request.subject.as_str())),
        (C::Description, Expr::val(request.description.as_str())),
        (C::PreferredDates, Expr::val(preferred_dates)),
        (C::TrackingTokenHash, Expr::val(tracking_token_hash)),
        (
            C::AssigneeId,
            Expr::SubQuery(
                None,
                Box::new(
                    routing::least_loaded_clerk_query(Expr::col((
                        zones::Entity,
                        zones::Column::Id,
                    )))
                    .into_sub_query_statement(),
                ),
            ),
        ),
        (C::ScheduleRevision, Expr::val(0)),
        (C::Version, Expr::val(1)),
        (C::CreatedAt, Expr::val(now)),
        (C::UpdatedAt, Expr::val(now)),
    ];
    let (columns, exprs): (Vec<C>, Vec<Expr>) = values.into_iter().unzip();
    let mut select = Query::select();
    select
        .exprs(exprs)
        .from(zones::Entity)
        .and_where(Expr::col((zones::Entity, zones::Column::Number)).eq(request.zone))
        .and_where(Expr::col((zones::Entity, zones::Column::Active)).eq(true));
    let mut insert = Query::insert();
    insert
        .into_table(requests::Entity)
        .columns(columns)
        .select_from(select)
        .map_err(|error| sea_orm::DbErr::Custom(error.to_string()))?
        .returning(Query::returning().columns([C::Id, C::Protocol, C::AssigneeId]));
    match txn.query_one(&insert).await? {
        Some(row) => Ok(Some(Inserted {
            id: row.try_get("", "id")?,
            protocol: row.try_get("", "protocol")?,
            assignee_id: row.try_get("", "assignee_id")?,
        })),
        None => Ok(None),
    }
}

pub(super) fn in_scope(scope: &ZoneScope) -> sea_orm::Condition {
    match scope {
        ZoneScope::All => sea_orm::Condition::all(),
        ZoneScope::Zones(numbers) => sea_orm::Condition::all().add(
            requests::Column::ZoneId.in_subquery(
                Query::select()
                    .column(zones::Column::Id)
                    .from(zones::Entity)
                    .and_where(Expr::col(zones::Column::Number).is_in(numbers.iter().copied()))
                    .to_owned(),
            ),
        ),
    }
}

/// The slot starting at `start`, if the zone serves then and `clerk` is free.
async fn checked_slot(
    txn: &DatabaseTransaction,
    zone: &zones::Model,
    clerk: i32,
    request_id: i64,
    start: DateTime<Utc>,
    rules: &TransitionRules<'_>,
) -> Result<Slot, StoreError> {
    // Taking the clerk's row serialises concurrent schedules of one clerk on PostgreSQL, so
    // two of them cannot both see the same slot free (SQLite's write lock already does).
    staff::Entity::find_by_id(clerk)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::invalid("start", "O(a) servidor(a) responsável não existe."))?;
    let busy: Vec<Slot> = requests::Entity::find()
        .filter(requests::Column::AssigneeId.eq(clerk))
        .filter(requests::Column::Status.eq(RequestStatus::Scheduled))
        .filter(requests::Column::Id.ne(request_id))
        .filter(requests::Column::ScheduledStart.lt(start + Duration::days(1)))
        .filter(requests::Column::ScheduledEnd.gt(start - Duration::days(1)))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|other| {
            Some(Slot {
                start: other.scheduled_start?,
                end: other.scheduled_end?,
            })
        })
        .collect();
    let window = stored_window(zone).unwrap_or(*rules.default_window);
    let holidays = zone_holidays(txn, zone).await?;
    let calendar = ZoneCalendar {
        window: &window,
        holidays: &holidays,
    };
    Ok(calendar.check_slot(start, rules.now, &busy)?)
}

/// The link the requester will get. With the calendar API it is made later by the worker
/// (a reschedule keeps the event and its link); without it, the clerk's link or the zone's
/// fixed room is required now.
fn meeting_link(
    current: &requests::Model,
    zone: &zones::Model,
    pasted: Option<&MeetLink>,
    rules: &TransitionRules<'_>,
) -> Result<Option<String>, StoreError> {
    match rules.source {
        MeetingSource::Calendar => Ok(current.meet_link.clone()),
        MeetingSource::Manual => {
            let link = pasted
                .map(|link| link.as_str().to_string())
                .or_else(|| current.meet_link.clone())
                .or_else(|| {
                    zone.room_link
                        .as_deref()
                        .and_then(|room| MeetLink::parse(room, rules.allowed_link_hosts).ok())
                        .map(|room| room.as_str().to_string())
                });
            match link {
                Some(link) => Ok(Some(link)),
                None => Err(StoreError::invalid(
                    "meet_link",
                    "Informe o link da reunião: esta zona não tem sala fixa configurada.",
                )),
            }
        }
    }
}

struct NewEvent<'a> {
    request_id: i64,
    at: DateTime<Utc>,
    actor: Actor,
    action: &'a str,
    from: Option<Status>,
    to: Status,
    /// Zone numbers before and after, when the change moved or placed the request.
    zones: (Option<i32>, Option<i32>),
    note: Option<String>,
}

async fn record_event<C: ConnectionTrait>(
    db: &C,
    event: NewEvent<'_>,
) -> Result<(), sea_orm::DbErr> {
    let (actor_kind, actor_staff_id) = match event.actor {
        Actor::Requester => (ActorKind::Requester, None),
        Actor::Staff(id) => (ActorKind::Staff, Some(id)),
        Actor::System => (ActorKind::System, None),
    };
    let row = request_events::ActiveModel {
        request_id: Set(event.request_id),
        at: Set(event.at),
        actor_kind: Set(actor_kind),
        actor_staff_id: Set(actor_staff_id),
        action: Set(event.action.to_string()),
        from_status: Set(event.from.map(Into::into)),
        to_status: Set(event.to.into()),
        from_zone: Set(event.zones.0),
        to_zone: Set(event.zones.1),
        note: Set(event.note),
        ..Default::default()
    };
    request_events::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl RequestRecord {
    fn new(request: requests::Model, zone: i32, events: Vec<request_events::Model>) -> Self {
        RequestRecord {
            id: request.id,
            protocol: request.protocol,
            zone,
            status: request.status.into(),
            name: request.requester_name,
            cpf: request.cpf,
            email: request.email,
            phone: request.phone,
            role: request.role.into(),
            oab: request.oab,
            process_number: request.process_number,
            subject: request.subject,
            description: request.description,
            preferred_dates: request.preferred_dates.0,
            assignee_id: request.assignee_id,
            scheduled_start: request.scheduled_start,
            scheduled_end: request.scheduled_end,
            meet_link: request.meet_link,
            schedule_revision: request.schedule_revision,
            outcome: request.outcome.map(Into::into),
            rejection_reason: request.rejection_reason,
            version: request.version,
            created_at: request.created_at,
            updated_at: request.updated_at,
            history: events.into_iter().map(EventRecord::from).collect(),
        }
    }
}

impl From<request_events::Model> for EventRecord {
    fn from(event: request_events::Model) -> Self {
        let actor = match (event.actor_kind, event.actor_staff_id) {
            (ActorKind::Requester, _) => Actor::Requester,
            (ActorKind::Staff, Some(id)) => Actor::Staff(id),
            // A deleted account leaves its changes attributed to nobody in particular.
            (ActorKind::Staff | ActorKind::System, _) => Actor::System,
        };
        EventRecord {
            at: event.at,
            action: event.action,
            from: event.from_status.map(Into::into),
            to: event.to_status.into(),
            actor,
            from_zone: event.from_zone,
            to_zone: event.to_zone,
            note: event.note,
        }
    }
}
