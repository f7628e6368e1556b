//! Requests: submitting one, moving it through its life, and reading it back with its history.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    offered_slots, request_events, requests,
    sea_orm_active_enums::{self as db, ActorKind, RequestStatus},
    staff, tracking_tokens, zones,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LockType, Query},
};

use super::{
    Store, StoreError,
    agenda::commitments,
    convert::open_statuses,
    doing,
    indicators::{filed, retally, tallied},
    outbox, protocol,
    reference::{find_active_zone, stored_window, zone_holidays},
    routing,
};
use crate::domain::{
    accessibility::Accessibility,
    change::{
        self, Actor, Agenda, Decision, Event, Facts, Needs, Offer, Policy, Refusal, RequestState,
        Situation, Step, TransferTarget, ZoneFacts,
    },
    command::ParsedCommand,
    indicators::ClosedBy,
    interpreters::Commitments,
    messages::Mode,
    preferential::{PreferenceTier, Preferential},
    schedule::{SERVICE_TIME_ZONE, Slot, ZoneSchedule},
    status::{Outcome, Status},
    submission::{NewRequest, SubmissionRefusal, within_open_limit},
    text::RequesterRole,
};

/// The zones a caller may see. Anything outside is reported as not found, so a clerk cannot
/// even learn that another zone's request exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneScope {
    All,
    /// Zone numbers.
    Zones(Vec<i32>),
}

/// A change asked of a request: by whom, seen at which version, when.
#[derive(Debug, Clone, Copy)]
pub struct Transition<'a> {
    pub id: i64,
    pub expected_version: i32,
    pub command: &'a ParsedCommand,
    pub actor: Actor,
    /// The caller's zones: a request outside them is not found.
    pub scope: &'a ZoneScope,
    pub now: DateTime<Utc>,
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
    /// The zone's number and name (its own, even once the zone is closed).
    pub zone: i32,
    pub zone_name: String,
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
    pub preferential: Option<Preferential>,
    pub accessibility: Accessibility,
    pub assignee_id: Option<i32>,
    /// The Libras interpreter who joins the meeting (kept once it is over or cancelled).
    pub interpreter_id: Option<i32>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub scheduled_end: Option<DateTime<Utc>>,
    pub meet_link: Option<String>,
    pub schedule_revision: i32,
    /// How many times the requester moved the meeting themselves.
    pub requester_reschedules: i32,
    pub outcome: Option<Outcome>,
    pub rejection_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub history: Vec<EventRecord>,
    /// The times offered and held, while the request is offered.
    pub offer: Option<Offer>,
    pub mode: Mode,
    /// The requester wrote since a clerk last opened the thread.
    pub staff_unread: bool,
    /// When the court's reply to the requester's oldest unanswered message is late.
    pub reply_due_at: Option<DateTime<Utc>>,
    /// On legal hold: retention leaves its personal data as it is.
    pub legal_hold: bool,
    /// When its personal data was anonymised.
    pub anonymised_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub at: DateTime<Utc>,
    pub step: Step,
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
        doing("reading protocols", async {
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
        })
        .await
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
    ) -> Result<Result<Submitted, SubmissionRefusal>, StoreError> {
        doing("filing a request", async {
            let year = now.with_timezone(&SERVICE_TIME_ZONE).year();
            self.protocol_sequences.ensure(&self.db, year).await?;
            let txn = self.begin_write().await?;
            let filed = file_request(
                &txn,
                request,
                tracking_token_hash,
                open_requests_limit,
                year,
                now,
            )
            .await?;
            if filed.is_ok() {
                txn.commit().await?;
            }
            Ok(filed)
        })
        .await
    }

    /// Applies a change if the caller saw the request's current version: loads what the
    /// decision needs, lets [`change::decide`] judge, and writes its decision (the new
    /// state, one history row, the jobs) in one transaction. A refusal writes nothing.
    pub async fn transition(
        &self,
        asked: &Transition<'_>,
        policy: &Policy,
    ) -> Result<Result<RequestRecord, Refusal>, StoreError> {
        doing("changing a request", async {
            let txn = self.begin_write().await?;
            let row = requests::Entity::find_by_id(asked.id)
                .filter(in_scope(asked.scope))
                .lock_exclusive()
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            if row.version != asked.expected_version {
                return Err(StoreError::Stale {
                    expected: asked.expected_version,
                    current: row.version,
                });
            }
            let zone = zone_facts(&txn, row.zone_id, &policy.default_window).await?;
            let request = request_state(&row, zone.number, offer_of(&txn, &row).await?);
            let needs = change::needs(&request, &asked.command.command, asked.actor);
            let situation = Situation {
                request: &request,
                zone: &zone,
                facts: load_facts(&txn, needs, row.id).await?,
                actor: asked.actor,
                now: asked.now,
                policy,
            };
            let decision = match change::decide(&situation, asked.command) {
                Ok(decision) => decision,
                Err(refusal) => return Ok(Err(refusal)),
            };
            write_decision(&txn, &row, &decision, asked.now).await?;
            txn.commit().await?;
            let record = self.request(asked.id, &ZoneScope::All).await?;
            Ok(Ok(record.ok_or(StoreError::NotFound)?))
        })
        .await
    }

    /// A request by its protocol, with the hashes of all its tracking tokens (the first one
    /// and those minted for e-mails) for the caller to compare.
    pub async fn request_by_protocol(
        &self,
        protocol: &str,
    ) -> Result<Option<(RequestRecord, Vec<String>)>, StoreError> {
        doing("finding a request by its protocol", async {
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
        })
        .await
    }

    /// Keeps the hash of another tracking token for `request_id` (one per e-mail sent to the
    /// requester, so that no token is ever stored readable).
    pub async fn add_tracking_token(
        &self,
        request_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        doing("keeping a tracking token", async {
            tracking_tokens::ActiveModel {
                request_id: Set(request_id),
                token_hash: Set(token_hash.to_string()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&self.db)
            .await?;
            Ok(())
        })
        .await
    }

    /// A request with its history, if it exists within `scope`.
    pub async fn request(
        &self,
        id: i64,
        scope: &ZoneScope,
    ) -> Result<Option<RequestRecord>, StoreError> {
        doing("reading a request", async {
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
            let offer = offer_of(&self.db, &request).await?;
            Ok(Some(RequestRecord::new(request, zone, events, offer)?))
        })
        .await
    }
}

/// The new request's id, protocol, zone and assignee.
struct Inserted {
    id: i64,
    protocol: String,
    zone_id: i32,
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
        (C::EmailKey, Expr::val(request.email.limit_key())),
        (C::Phone, Expr::val(request.phone.as_str())),
        (C::Role, Expr::val(role.to_value())),
        (
            C::Preferential,
            Expr::val(
                request
                    .preferential
                    .map(|category| db::PreferentialCategory::from(category).to_value()),
            ),
        ),
        (
            C::PreferenceRank,
            Expr::val(PreferenceTier::of(request.preferential).rank()),
        ),
        (
            C::Accessibility,
            Expr::val(request.accessibility.stored_codes()),
        ),
        (
            C::AccessibilityNote,
            Expr::val(request.accessibility.note().map(str::to_string)),
        ),
        (
            C::Mode,
            Expr::val(db::RequestMode::from(request.mode).to_value()),
        ),
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
        .returning(Query::returning().columns([C::Id, C::Protocol, C::ZoneId, C::AssigneeId]));
    match txn.query_one(&insert).await? {
        Some(row) => Ok(Some(Inserted {
            id: row.try_get("", "id")?,
            protocol: row.try_get("", "protocol")?,
            zone_id: row.try_get("", "zone_id")?,
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

/// The zone a request is in, with its calendar, as a decision needs it.
pub(super) async fn zone_facts(
    txn: &DatabaseTransaction,
    zone_id: i32,
    default_window: &crate::domain::schedule::ServiceWindow,
) -> Result<ZoneFacts, StoreError> {
    let zone = zones::Entity::find_by_id(zone_id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let holidays = zone_holidays(txn, &zone).await?;
    Ok(ZoneFacts {
        number: zone.number,
        schedule: ZoneSchedule::new(stored_window(&zone), default_window, holidays),
        room_link: zone.room_link,
    })
}

fn request_state(row: &requests::Model, zone: i32, offer: Option<Offer>) -> RequestState {
    RequestState {
        id: row.id,
        status: row.status.into(),
        zone,
        assignee: row.assignee_id,
        meeting: row
            .scheduled_start
            .zip(row.scheduled_end)
            .map(|(start, end)| Slot { start, end }),
        meet_link: row.meet_link.clone(),
        schedule_revision: row.schedule_revision,
        requester_reschedules: row.requester_reschedules,
        version: row.version,
        offer,
        mode: row.mode.into(),
        filed_at: row.created_at,
        needs_interpreter: Accessibility::from_stored(&row.accessibility, None).needs_libras(),
        interpreter: row.interpreter_id,
        legal_hold: row.legal_hold,
    }
}

/// The times offered to the request and held for it, while it is offered.
pub(super) async fn offer_of<C: ConnectionTrait>(
    db: &C,
    row: &requests::Model,
) -> Result<Option<Offer>, DbErr> {
    let Some(expires_at) = row.offer_expires_at else {
        return Ok(None);
    };
    let held = offered_slots::Entity::find()
        .filter(offered_slots::Column::RequestId.eq(row.id))
        .order_by_asc(offered_slots::Column::StartsAt)
        .all(db)
        .await?;
    let interpreters = held
        .iter()
        .filter_map(|time| Some((time.starts_at, time.interpreter_id?)))
        .collect();
    let slots = held
        .into_iter()
        .map(|time| Slot {
            start: time.starts_at,
            end: time.ends_at,
        })
        .collect();
    Ok(Some(Offer {
        slots,
        expires_at,
        interpreters,
    }))
}

/// What a command refers to besides the request and its zone.
async fn load_facts(
    txn: &DatabaseTransaction,
    needs: Needs,
    request_id: i64,
) -> Result<Facts, DbErr> {
    match needs {
        Needs::Nothing => Ok(Facts::Nothing),
        Needs::Zone(number) => {
            let Some(zone) = find_active_zone(txn, number).await? else {
                return Ok(Facts::Zone(None));
            };
            Ok(Facts::Zone(Some(TransferTarget {
                number: zone.number,
                least_loaded_clerk: routing::least_loaded_clerk(txn, zone.id).await?,
            })))
        }
        Needs::AgendaOf {
            clerk,
            from,
            to,
            interpreters,
        } => {
            // Taking the rows of the clerk and, for a request that needs one, of every
            // interpreter serialises concurrent schedules that could take the same person on
            // PostgreSQL, so two of them cannot both see one slot free (SQLite's write lock
            // already does). One statement in id order: two schedules never wait on each
            // other's rows in opposite orders. `FOR NO KEY UPDATE` excludes another
            // schedule's lock but not the key-share lock a foreign key takes (the history row
            // naming the staff member who acts), which `FOR UPDATE` would: two schedules,
            // each acted on by a clerk whose row the other holds, would deadlock.
            let mut who = Condition::any().add(staff::Column::Id.eq(clerk));
            if interpreters {
                who = who.add(
                    Condition::all()
                        .add(staff::Column::Interpreter.eq(true))
                        .add(staff::Column::Active.eq(true)),
                );
            }
            let locked = staff::Entity::find()
                .filter(who)
                .order_by_asc(staff::Column::Id)
                .lock(LockType::NoKeyUpdate)
                .all(txn)
                .await?;
            if !locked.iter().any(|account| account.id == clerk) {
                return Ok(Facts::Agenda(None));
            }
            let pool: Vec<i32> = locked
                .iter()
                .filter(|account| interpreters && account.interpreter && account.active)
                .map(|account| account.id)
                .collect();
            let mut people = pool.clone();
            people.push(clerk);
            let mut busy = commitments(txn, &people, from, to, Some(request_id)).await?;
            Ok(Facts::Agenda(Some(Agenda {
                busy: busy.get(&clerk).cloned().unwrap_or_default(),
                interpreters: pool
                    .into_iter()
                    .map(|staff| Commitments {
                        staff,
                        busy: busy.remove(&staff).unwrap_or_default(),
                    })
                    .collect(),
            })))
        }
    }
}

/// The decision's new state and fields, its history row and its jobs.
async fn write_decision(
    txn: &DatabaseTransaction,
    row: &requests::Model,
    decision: &Decision,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changes = &decision.changes;
    let mut update = requests::ActiveModel {
        status: Set(decision.to.into()),
        version: Set(row.version + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(assignee) = changes.assignee {
        update.assignee_id = Set(assignee);
    }
    if let Some(number) = changes.zone {
        let zone = find_active_zone(txn, number)
            .await?
            .ok_or(StoreError::NotFound)?;
        update.zone_id = Set(zone.id);
    }
    if let Some(meeting) = &changes.meeting {
        update.scheduled_start = Set(Some(meeting.slot.start));
        update.scheduled_end = Set(Some(meeting.slot.end));
        update.meet_link = Set(meeting.link.clone());
        update.schedule_revision = Set(meeting.revision);
    }
    if let Some(count) = changes.requester_reschedules {
        update.requester_reschedules = Set(count);
    }
    if let Some(interpreter) = changes.interpreter {
        update.interpreter_id = Set(interpreter);
    }
    if let Some(outcome) = changes.outcome {
        update.outcome = Set(Some(outcome.into()));
    }
    if let Some(reason) = &changes.rejection_reason {
        update.rejection_reason = Set(Some(reason.clone()));
    }
    if let Some(minutes) = changes.first_answer {
        update.triaged_at = Set(Some(now));
        update.triage_minutes = Set(Some(i32::try_from(minutes).unwrap_or(i32::MAX)));
    }
    if changes.closes {
        update.closed_by = Set(Some(
            match decision.event.actor {
                Actor::Requester => ClosedBy::Requester,
                Actor::Staff(_) => ClosedBy::Staff,
                Actor::System => ClosedBy::System,
            }
            .as_str()
            .to_string(),
        ));
        update.closed_at = Set(Some(now));
        // A closed thread owes no reply.
        update.reply_due_at = Set(None);
    }
    if let Some(mode) = changes.mode {
        update.mode = Set(mode.into());
    }
    if let Some(hold) = changes.legal_hold {
        update.legal_hold = Set(hold);
    }
    if changes.clear_meeting {
        update.scheduled_start = Set(None);
        update.scheduled_end = Set(None);
        update.meet_link = Set(None);
    }
    if let Some(link) = &changes.offer_link {
        update.meet_link = Set(Some(link.clone()));
    }
    if let Some(offer) = &changes.offer {
        update.offer_expires_at = Set(offer.as_ref().map(|offer| offer.expires_at));
    }
    let updated = requests::Entity::update_many()
        .set(update)
        .filter(requests::Column::Id.eq(row.id))
        .filter(requests::Column::Version.eq(row.version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        // Unreachable while the row lock holds, but the version check is the contract.
        return Err(StoreError::Stale {
            expected: row.version,
            current: row.version + 1,
        });
    }
    let changed = requests::Entity::find_by_id(row.id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    // A change never touches the survey answer, so the rating is left out on both sides.
    retally(
        txn,
        Some(&tallied(row, None)),
        Some(&tallied(&changed, None)),
    )
    .await?;
    if let Some(offer) = &changes.offer {
        hold(
            txn,
            row.id,
            changes.assignee.unwrap_or(row.assignee_id),
            offer.as_ref(),
        )
        .await?;
    }
    record_event(txn, row.id, &decision.event, now).await?;
    outbox::enqueue(txn, &decision.effects, now).await?;
    Ok(())
}

/// Replaces the times held for request `id` with `offer`'s (none: the offer is released),
/// each in the agenda of the clerk and of the interpreter the offer holds there.
async fn hold(
    txn: &DatabaseTransaction,
    id: i64,
    clerk: Option<i32>,
    offer: Option<&Offer>,
) -> Result<(), DbErr> {
    offered_slots::Entity::delete_many()
        .filter(offered_slots::Column::RequestId.eq(id))
        .exec(txn)
        .await?;
    let Some(offer) = offer else {
        return Ok(());
    };
    let rows = offer.slots.iter().map(|slot| offered_slots::ActiveModel {
        request_id: Set(id),
        clerk_id: Set(clerk),
        interpreter_id: Set(offer.interpreters.get(&slot.start).copied()),
        starts_at: Set(slot.start),
        ends_at: Set(slot.end),
        ..Default::default()
    });
    offered_slots::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn record_event<C: ConnectionTrait>(
    db: &C,
    request_id: i64,
    event: &Event,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (actor_kind, actor_staff_id) = match event.actor {
        Actor::Requester => (ActorKind::Requester, None),
        Actor::Staff(id) => (ActorKind::Staff, Some(id)),
        Actor::System => (ActorKind::System, None),
    };
    let row = request_events::ActiveModel {
        request_id: Set(request_id),
        at: Set(at),
        actor_kind: Set(actor_kind),
        actor_staff_id: Set(actor_staff_id),
        action: Set(event.step.as_str().to_string()),
        from_status: Set(event.from.map(Into::into)),
        to_status: Set(event.to.into()),
        from_zone: Set(event.zones.0),
        to_zone: Set(event.zones.1),
        note: Set(event.note.clone()),
        ..Default::default()
    };
    request_events::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl RequestRecord {
    /// The request as the rules of a change see it.
    pub fn state(&self) -> RequestState {
        RequestState {
            id: self.id,
            status: self.status,
            zone: self.zone,
            assignee: self.assignee_id,
            meeting: self
                .scheduled_start
                .zip(self.scheduled_end)
                .map(|(start, end)| Slot { start, end }),
            meet_link: self.meet_link.clone(),
            schedule_revision: self.schedule_revision,
            requester_reschedules: self.requester_reschedules,
            version: self.version,
            offer: self.offer.clone(),
            mode: self.mode,
            filed_at: self.created_at,
            needs_interpreter: self.accessibility.needs_libras(),
            interpreter: self.interpreter_id,
            legal_hold: self.legal_hold,
        }
    }

    pub(super) fn new(
        request: requests::Model,
        zone: zones::Model,
        events: Vec<request_events::Model>,
        offer: Option<Offer>,
    ) -> Result<Self, DbErr> {
        let history = events
            .into_iter()
            .map(EventRecord::try_from)
            .collect::<Result<_, _>>()?;
        Ok(RequestRecord {
            id: request.id,
            protocol: request.protocol,
            zone: zone.number,
            zone_name: zone.name,
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
            preferential: request.preferential.map(Into::into),
            accessibility: Accessibility::from_stored(
                &request.accessibility,
                request.accessibility_note,
            ),
            assignee_id: request.assignee_id,
            interpreter_id: request.interpreter_id,
            scheduled_start: request.scheduled_start,
            scheduled_end: request.scheduled_end,
            meet_link: request.meet_link,
            schedule_revision: request.schedule_revision,
            requester_reschedules: request.requester_reschedules,
            outcome: request.outcome.map(Into::into),
            rejection_reason: request.rejection_reason,
            version: request.version,
            created_at: request.created_at,
            updated_at: request.updated_at,
            history,
            offer,
            mode: request.mode.into(),
            staff_unread: request.staff_unread,
            reply_due_at: request.reply_due_at,
            legal_hold: request.legal_hold,
            anonymised_at: request.anonymised_at,
        })
    }
}

impl TryFrom<request_events::Model> for EventRecord {
    type Error = DbErr;

    fn try_from(event: request_events::Model) -> Result<Self, DbErr> {
        let actor = match (event.actor_kind, event.actor_staff_id) {
            (ActorKind::Requester, _) => Actor::Requester,
            (ActorKind::Staff, Some(id)) => Actor::Staff(id),
            // A deleted account leaves its changes attributed to nobody in particular.
            (ActorKind::Staff | ActorKind::System, _) => Actor::System,
        };
        // Only this module writes steps, always through `Step::as_str`.
        let step = Step::parse(&event.action).ok_or_else(|| {
            DbErr::Custom(format!(
                "event {}: unknown step {:?}",
                event.id, event.action
            ))
        })?;
        Ok(EventRecord {
            at: event.at,
            step,
            from: event.from_status.map(Into::into),
            to: event.to_status.into(),
            actor,
            from_zone: event.from_zone,
            to_zone: event.to_zone,
            note: event.note,
        })
    }
}

/// Files `request` inside `txn` (the open-requests limit, the protocol, routing, the first
/// history row and the jobs of a submission); the caller commits. The protocol counter of
/// `year` must exist.
pub(super) async fn file_request(
    txn: &DatabaseTransaction,
    request: &NewRequest,
    tracking_token_hash: &str,
    open_requests_limit: u32,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Result<Submitted, SubmissionRefusal>, StoreError> {
    if open_requests_limit > 0 {
        let open = requests::Entity::find()
            .filter(requests::Column::EmailKey.eq(request.email.limit_key()))
            .filter(requests::Column::Status.is_in(open_statuses()))
            .count(txn)
            .await?;
        if let Err(refusal) = within_open_limit(open, open_requests_limit) {
            return Ok(Err(refusal));
        }
    }
    let protocol = protocol::next(txn, year).await?;
    let Some(row) = insert_routed(txn, request, protocol, tracking_token_hash, now).await? else {
        return Ok(Err(SubmissionRefusal::UnknownZone));
    };
    retally(txn, None, Some(&filed(row.zone_id, request, now))).await?;
    let (event, effects) = change::on_submit(row.id, request.zone, now);
    record_event(txn, row.id, &event, now).await?;
    outbox::enqueue(txn, &effects, now).await?;
    Ok(Ok(Submitted {
        id: row.id,
        protocol: row.protocol,
        assignee_id: row.assignee_id,
    }))
}
