//! The zones' same-day queues: tickets joined, called, finished, left, closed and turned into
//! requests. Every change is one transaction with the jobs it needs. Calls are atomic across
//! processes: on PostgreSQL the next ticket is taken with `FOR UPDATE SKIP LOCKED`, so two
//! clerks calling at once take two different people; on SQLite writers are serialised by
//! `BEGIN IMMEDIATE`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::{queue_tickets, requests, sea_orm_active_enums as db, zones};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr,
    sea_query::{Expr, LockBehavior, LockType},
};

use super::{Store, StoreError, ZoneScope, doing, outbox, requests::file_request};
use crate::domain::{
    change::Effect,
    job::Job,
    preferential::{PreferenceTier, Preferential},
    queue::{
        CallOutcome, NewTicket, QueueRefusal, Session, TicketStatus, may_convert, may_finish,
        may_leave,
    },
    schedule::SERVICE_TIME_ZONE,
    submission::{NewRequest, SubmissionRefusal},
};

/// A ticket as stored, with its zone's number and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    pub id: i64,
    pub zone: i32,
    pub zone_name: String,
    pub service_date: NaiveDate,
    pub closes_at: DateTime<Utc>,
    pub status: TicketStatus,
    pub name: String,
    pub cpf: String,
    pub email: String,
    pub phone: Option<String>,
    pub subject: String,
    pub preferential: Option<Preferential>,
    pub joined_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub called_by: Option<i32>,
    pub finished_at: Option<DateTime<Utc>>,
    pub meet_link: Option<String>,
    /// The protocol of the request the ticket became.
    pub request_protocol: Option<String>,
}

/// How a person's ticket stands in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPlace {
    pub ticket: TicketRecord,
    /// 1 for the next person called; only while waiting.
    pub position: Option<u32>,
    /// Minutes of today's calls in the zone, for the estimate of the wait.
    pub served_minutes: Vec<i64>,
    /// Clerks who called someone from this zone's queue today.
    pub clerks: u32,
}

/// Who calls, from where, with which room.
pub struct Call<'a> {
    pub zone: i32,
    pub clerk: i32,
    pub date: NaiveDate,
    /// The room given (the clerk's or the zone's fixed one); `None` with the google
    /// provider, whose job makes one.
    pub meet_link: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Statuses a ticket may be in while it holds a place.
fn active() -> [&'static str; 2] {
    [
        TicketStatus::Waiting.as_str(),
        TicketStatus::Called.as_str(),
    ]
}

impl Store {
    /// Puts a person in `zone`'s queue for `session`, unless they already hold a place there
    /// that day (by CPF or e-mail). The ticket closes by itself at the session's end (a job).
    pub async fn join_queue(
        &self,
        zone: i32,
        ticket: &NewTicket,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<Result<TicketPlace, QueueRefusal>, StoreError> {
        doing("joining a queue", async {
            let txn = self.begin_write().await?;
            let zone_id = active_zone_id(&txn, zone)
                .await?
                .ok_or(StoreError::NotFound)?;
            let email_key = ticket.email.limit_key();
            let holding = queue_tickets::Entity::find()
                .filter(queue_tickets::Column::ZoneId.eq(zone_id))
                .filter(queue_tickets::Column::ServiceDate.eq(session.date))
                .filter(queue_tickets::Column::Status.is_in(active()))
                .filter(
                    Condition::any()
                        .add(queue_tickets::Column::Cpf.eq(ticket.cpf.as_str()))
                        .add(queue_tickets::Column::EmailKey.eq(email_key.as_str())),
                )
                .count(&txn)
                .await?;
            if holding > 0 {
                return Ok(Err(QueueRefusal::AlreadyInQueue));
            }
            let row = queue_tickets::ActiveModel {
                zone_id: Set(zone_id),
                service_date: Set(session.date),
                closes_at: Set(session.closes),
                status: Set(TicketStatus::Waiting.as_str().to_string()),
                name: Set(ticket.name.as_str().to_string()),
                cpf: Set(ticket.cpf.as_str().to_string()),
                email: Set(ticket.email.as_str().to_string()),
                email_key: Set(email_key),
                phone: Set(ticket.phone.as_ref().map(|p| p.as_str().to_string())),
                subject: Set(ticket.subject.as_str().to_string()),
                preferential: Set(ticket.preferential.map(db::PreferentialCategory::from)),
                preference_rank: Set(PreferenceTier::of(ticket.preferential).rank()),
                joined_at: Set(now),
                ..Default::default()
            };
            let row = match row.insert(&txn).await {
                Ok(row) => row,
                // Another join of the same person won the race.
                Err(error)
                    if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
                {
                    return Ok(Err(QueueRefusal::AlreadyInQueue));
                }
                Err(error) => return Err(error.into()),
            };
            let close = ticket_effect(Job::CloseTicket { ticket_id: row.id }, session.closes);
            outbox::enqueue(&txn, &[close], now).await?;
            txn.commit().await?;
            let place = self
                .ticket_place(row.id)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(Ok(place))
        })
        .await
    }

    /// A ticket with its zone and, once converted, its request's protocol.
    pub async fn ticket(&self, id: i64) -> Result<Option<TicketRecord>, StoreError> {
        doing("reading a queue ticket", async {
            Ok(match load_ticket(&self.db, id).await? {
                Some((row, zone)) => Some(record_with_protocol(&self.db, row, zone).await?),
                None => None,
            })
        })
        .await
    }

    /// A ticket and where it stands (its position while waiting, and what the estimate of
    /// the wait needs).
    pub async fn ticket_place(&self, id: i64) -> Result<Option<TicketPlace>, StoreError> {
        doing("reading a queue ticket's place", async {
            let Some((row, zone)) = load_ticket(&self.db, id).await? else {
                return Ok(None);
            };
            let (position, (served_minutes, clerks)) =
                if row.status == TicketStatus::Waiting.as_str() {
                    (
                        Some(position_of(&self.db, &row).await?),
                        todays_calls(&self.db, row.zone_id, row.service_date).await?,
                    )
                } else {
                    (None, (Vec::new(), 0))
                };
            let ticket = record_with_protocol(&self.db, row, zone).await?;
            Ok(Some(TicketPlace {
                ticket,
                position,
                served_minutes,
                clerks,
            }))
        })
        .await
    }

    /// How many people wait in the queues of the zones `zone_ids` (their ids, not numbers)
    /// for `date`, by zone id. Asked by zone, so the serving index answers it whatever the
    /// years of tickets behind.
    pub async fn waiting_by_zone(
        &self,
        zone_ids: &[i32],
        date: NaiveDate,
    ) -> Result<Vec<(i32, u64)>, StoreError> {
        doing("counting the queues", async {
            let rows: Vec<(i32, i64)> = queue_tickets::Entity::find()
                .select_only()
                .column(queue_tickets::Column::ZoneId)
                .column_as(queue_tickets::Column::Id.count(), "waiting")
                .filter(queue_tickets::Column::ZoneId.is_in(zone_ids.iter().copied()))
                .filter(queue_tickets::Column::ServiceDate.eq(date))
                .filter(queue_tickets::Column::Status.eq(TicketStatus::Waiting.as_str()))
                .group_by(queue_tickets::Column::ZoneId)
                .into_tuple()
                .all(&self.db)
                .await?;
            Ok(rows
                .into_iter()
                .map(|(zone, waiting)| (zone, u64::try_from(waiting).unwrap_or_default()))
                .collect())
        })
        .await
    }

    /// A zone's queue for `date` as staff see it: those called (first) and those waiting,
    /// in serving order. `None` when the zone is not active.
    pub async fn zone_queue(
        &self,
        zone: i32,
        date: NaiveDate,
    ) -> Result<Option<Vec<TicketRecord>>, StoreError> {
        doing("reading a zone's queue", async {
            let Some(zone_row) = zones::Entity::find()
                .filter(zones::Column::Number.eq(zone))
                .filter(zones::Column::Active.eq(true))
                .one(&self.db)
                .await?
            else {
                return Ok(None);
            };
            let rows = queue_tickets::Entity::find()
                .filter(queue_tickets::Column::ZoneId.eq(zone_row.id))
                .filter(queue_tickets::Column::ServiceDate.eq(date))
                .filter(queue_tickets::Column::Status.is_in(active()))
                .order_by_asc(queue_tickets::Column::PreferenceRank)
                .order_by_asc(queue_tickets::Column::JoinedAt)
                .order_by_asc(queue_tickets::Column::Id)
                .all(&self.db)
                .await?;
            let mut tickets = rows
                .into_iter()
                .map(|row| record(row, Some(zone_row.clone()), None))
                .collect::<Result<Vec<_>, _>>()?;
            // Those in a call first (the earliest call first); the waiting keep their order.
            tickets.sort_by_key(|ticket| match ticket.status {
                TicketStatus::Called => (0, ticket.called_at),
                _ => (1, None),
            });
            Ok(Some(tickets))
        })
        .await
    }

    /// Calls the next person of the zone's queue for `call.date`: aged 80+ first, then the
    /// other preferential categories, then everyone else, by arrival. `None` when nobody
    /// waits. The e-mail with the link (after the event, with the google provider) is a job
    /// of the same transaction.
    pub async fn call_next(&self, call: &Call<'_>) -> Result<Option<TicketRecord>, StoreError> {
        doing("calling from a queue", async {
            let txn = self.begin_write().await?;
            let Some(zone_id) = active_zone_id(&txn, call.zone).await? else {
                return Err(StoreError::NotFound);
            };
            let next = queue_tickets::Entity::find()
                .filter(queue_tickets::Column::ZoneId.eq(zone_id))
                .filter(queue_tickets::Column::ServiceDate.eq(call.date))
                .filter(queue_tickets::Column::Status.eq(TicketStatus::Waiting.as_str()))
                .order_by_asc(queue_tickets::Column::PreferenceRank)
                .order_by_asc(queue_tickets::Column::JoinedAt)
                .order_by_asc(queue_tickets::Column::Id)
                .limit(1)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .one(&txn)
                .await?;
            let Some(next) = next else {
                return Ok(None);
            };
            let called = queue_tickets::Entity::update_many()
                .col_expr(
                    queue_tickets::Column::Status,
                    Expr::value(TicketStatus::Called.as_str()),
                )
                .col_expr(queue_tickets::Column::CalledAt, Expr::value(call.now))
                .col_expr(queue_tickets::Column::CalledBy, Expr::value(call.clerk))
                .col_expr(
                    queue_tickets::Column::MeetLink,
                    Expr::value(call.meet_link.map(str::to_string)),
                )
                .filter(queue_tickets::Column::Id.eq(next.id))
                .filter(queue_tickets::Column::Status.eq(TicketStatus::Waiting.as_str()))
                .exec(&txn)
                .await?;
            if called.rows_affected != 1 {
                // Left between the pick and the update (only where rows are not locked).
                return Ok(None);
            }
            outbox::enqueue(&txn, &call_jobs(next.id, call), call.now).await?;
            txn.commit().await?;
            self.ticket(next.id).await
        })
        .await
    }

    /// Ends a call as attended or missed (after the grace time), in `zones` only.
    pub async fn finish_ticket(
        &self,
        id: i64,
        scope: &ZoneScope,
        outcome: CallOutcome,
        grace: Duration,
        now: DateTime<Utc>,
    ) -> Result<Result<TicketRecord, QueueRefusal>, StoreError> {
        doing("ending a call", async {
            let txn = self.begin_write().await?;
            let row = locked_ticket(&txn, id, scope).await?;
            let status = status_of(&row)?;
            if let Err(refusal) = may_finish(status, outcome, row.called_at, now, grace) {
                return Ok(Err(refusal));
            }
            set_status(&txn, id, outcome.status(), now).await?;
            txn.commit().await?;
            let ticket = self.ticket(id).await?.ok_or(StoreError::NotFound)?;
            Ok(Ok(ticket))
        })
        .await
    }

    /// The person leaves the queue (waiting, or called and not coming).
    pub async fn leave_queue(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Result<(), QueueRefusal>, StoreError> {
        doing("leaving a queue", async {
            let txn = self.begin_write().await?;
            let row = locked_ticket(&txn, id, &ZoneScope::All).await?;
            let status = status_of(&row)?;
            if let Err(refusal) = may_leave(status) {
                return Ok(Err(refusal));
            }
            if status != TicketStatus::Left {
                set_status(&txn, id, TicketStatus::Left, now).await?;
                txn.commit().await?;
            }
            Ok(Ok(()))
        })
        .await
    }

    /// At the session's end: a ticket still waiting is closed and its holder told how to
    /// file a request instead. False when there was nothing to close.
    pub async fn close_ticket(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        doing("closing a queue ticket", async {
            let txn = self.begin_write().await?;
            let closed = queue_tickets::Entity::update_many()
                .col_expr(
                    queue_tickets::Column::Status,
                    Expr::value(TicketStatus::Closed.as_str()),
                )
                .col_expr(queue_tickets::Column::FinishedAt, Expr::value(now))
                .filter(queue_tickets::Column::Id.eq(id))
                .filter(queue_tickets::Column::Status.eq(TicketStatus::Waiting.as_str()))
                .exec(&txn)
                .await?;
            if closed.rows_affected == 0 {
                return Ok(false);
            }
            let notice = ticket_effect(Job::QueueClosed { ticket_id: id }, now);
            outbox::enqueue(&txn, &[notice], now).await?;
            txn.commit().await?;
            Ok(true)
        })
        .await
    }

    /// What the calendar job made for a call: the event and its Meet link.
    pub async fn record_queue_meeting(
        &self,
        id: i64,
        event_id: &str,
        meet_link: &str,
    ) -> Result<(), StoreError> {
        doing("recording a call's meeting", async {
            queue_tickets::Entity::update_many()
                .col_expr(
                    queue_tickets::Column::CalendarEventId,
                    Expr::value(event_id),
                )
                .col_expr(queue_tickets::Column::MeetLink, Expr::value(meet_link))
                .filter(queue_tickets::Column::Id.eq(id))
                .exec(&self.db)
                .await?;
            Ok(())
        })
        .await
    }

    /// Files a closed ticket as a regular request, with the data its holder gave, once.
    pub async fn convert_ticket(
        &self,
        id: i64,
        request: &NewRequest,
        tracking_token_hash: &str,
        open_requests_limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Result<String, ConvertRefusal>, StoreError> {
        doing("turning a queue ticket into a request", async {
            let year = now.with_timezone(&SERVICE_TIME_ZONE).year();
            self.protocol_sequences.ensure(&self.db, year).await?;
            let txn = self.begin_write().await?;
            let row = locked_ticket(&txn, id, &ZoneScope::All).await?;
            let converted = match row.request_id {
                Some(request) => requests::Entity::find_by_id(request)
                    .one(&txn)
                    .await?
                    .map(|request| request.protocol),
                None => None,
            };
            if let Err(refusal) = may_convert(status_of(&row)?, converted.as_deref()) {
                return Ok(Err(ConvertRefusal::Queue(refusal)));
            }
            let submitted = match file_request(
                &txn,
                request,
                tracking_token_hash,
                open_requests_limit,
                year,
                now,
            )
            .await?
            {
                Ok(submitted) => submitted,
                Err(refusal) => return Ok(Err(ConvertRefusal::Submission(refusal))),
            };
            queue_tickets::Entity::update_many()
                .col_expr(queue_tickets::Column::RequestId, Expr::value(submitted.id))
                .filter(queue_tickets::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            Ok(Ok(submitted.protocol))
        })
        .await
    }

    /// The queue ticket a request came from, if it came from one.
    pub async fn ticket_of_request(&self, request_id: i64) -> Result<Option<i64>, StoreError> {
        doing("finding the ticket of a request", async {
            Ok(queue_tickets::Entity::find()
                .filter(queue_tickets::Column::RequestId.eq(request_id))
                .one(&self.db)
                .await?
                .map(|ticket| ticket.id))
        })
        .await
    }
}

/// Why a closed ticket did not become a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertRefusal {
    Queue(QueueRefusal),
    Submission(SubmissionRefusal),
}

/// The e-mail with the link; with the google provider, after the event that makes the link.
fn call_jobs(ticket_id: i64, call: &Call<'_>) -> Vec<Effect> {
    let email = ticket_effect(Job::QueueCalled { ticket_id }, call.now);
    match call.meet_link {
        Some(_) => vec![email],
        None => {
            let meeting = ticket_effect(Job::QueueMeeting { ticket_id }, call.now);
            let email = Effect {
                waits_for: Some(meeting.key.clone()),
                ..email
            };
            vec![meeting, email]
        }
    }
}

/// A queue job under its ticket's key ([`Job::ticket_key`]), by which the data-subject
/// lookup finds it.
fn ticket_effect(job: Job, run_at: DateTime<Utc>) -> Effect {
    let key = job
        .ticket_key()
        .unwrap_or_else(|| unreachable!("only queue jobs are written here: {job:?}"));
    Effect {
        job,
        key,
        run_at,
        waits_for: None,
    }
}

async fn load_ticket<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<(queue_tickets::Model, Option<zones::Model>)>, StoreError> {
    Ok(queue_tickets::Entity::find_by_id(id)
        .find_also_related(zones::Entity)
        .one(db)
        .await?)
}

/// The record, with the protocol of the request the ticket became, if it did.
pub(super) async fn record_with_protocol<C: ConnectionTrait>(
    db: &C,
    row: queue_tickets::Model,
    zone: Option<zones::Model>,
) -> Result<TicketRecord, StoreError> {
    let protocol = match row.request_id {
        Some(request) => requests::Entity::find_by_id(request)
            .one(db)
            .await?
            .map(|request| request.protocol),
        None => None,
    };
    record(row, zone, protocol)
}

async fn active_zone_id<C: ConnectionTrait>(
    db: &C,
    number: i32,
) -> Result<Option<i32>, StoreError> {
    Ok(zones::Entity::find()
        .filter(zones::Column::Number.eq(number))
        .filter(zones::Column::Active.eq(true))
        .one(db)
        .await?
        .map(|zone| zone.id))
}

/// The ticket, locked for the change; one outside `scope` is not found.
async fn locked_ticket(
    txn: &DatabaseTransaction,
    id: i64,
    scope: &ZoneScope,
) -> Result<queue_tickets::Model, StoreError> {
    // Locked alone: PostgreSQL locks no row of the nullable side of an outer join.
    let row = queue_tickets::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if let ZoneScope::Zones(numbers) = scope {
        let zone = zones::Entity::find_by_id(row.zone_id).one(txn).await?;
        if !zone.is_some_and(|zone| numbers.contains(&zone.number)) {
            return Err(StoreError::NotFound);
        }
    }
    Ok(row)
}

async fn set_status(
    txn: &DatabaseTransaction,
    id: i64,
    status: TicketStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    queue_tickets::Entity::update_many()
        .col_expr(queue_tickets::Column::Status, Expr::value(status.as_str()))
        .col_expr(queue_tickets::Column::FinishedAt, Expr::value(now))
        .filter(queue_tickets::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// 1 + the people waiting before `row` in its zone's queue of its day.
async fn position_of<C: ConnectionTrait>(
    db: &C,
    row: &queue_tickets::Model,
) -> Result<u32, StoreError> {
    use queue_tickets::Column as C;
    let before = Condition::any()
        .add(C::PreferenceRank.lt(row.preference_rank))
        .add(
            Condition::all()
                .add(C::PreferenceRank.eq(row.preference_rank))
                .add(C::JoinedAt.lt(row.joined_at)),
        )
        .add(
            Condition::all()
                .add(C::PreferenceRank.eq(row.preference_rank))
                .add(C::JoinedAt.eq(row.joined_at))
                .add(C::Id.lt(row.id)),
        );
    let ahead = queue_tickets::Entity::find()
        .filter(C::ZoneId.eq(row.zone_id))
        .filter(C::ServiceDate.eq(row.service_date))
        .filter(C::Status.eq(TicketStatus::Waiting.as_str()))
        .filter(before)
        .count(db)
        .await?;
    Ok(u32::try_from(ahead).unwrap_or(u32::MAX).saturating_add(1))
}

/// A call of the day: when, when it ended, by whom, and the ticket's status.
type CallRow = (
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i32>,
    String,
);

/// Minutes of each call attended today in the zone, and how many clerks called.
async fn todays_calls<C: ConnectionTrait>(
    db: &C,
    zone_id: i32,
    date: NaiveDate,
) -> Result<(Vec<i64>, u32), StoreError> {
    let calls: Vec<CallRow> = queue_tickets::Entity::find()
        .select_only()
        .column(queue_tickets::Column::CalledAt)
        .column(queue_tickets::Column::FinishedAt)
        .column(queue_tickets::Column::CalledBy)
        .column(queue_tickets::Column::Status)
        .filter(queue_tickets::Column::ZoneId.eq(zone_id))
        .filter(queue_tickets::Column::ServiceDate.eq(date))
        .filter(queue_tickets::Column::CalledAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let served = calls
        .iter()
        .filter(|(.., status)| status == TicketStatus::Attended.as_str())
        .filter_map(|(called, finished, ..)| {
            Some((*finished.as_ref()? - *called.as_ref()?).num_minutes())
        })
        .collect();
    let mut clerks: Vec<i32> = calls.iter().filter_map(|(_, _, clerk, _)| *clerk).collect();
    clerks.sort_unstable();
    clerks.dedup();
    Ok((served, u32::try_from(clerks.len()).unwrap_or(u32::MAX)))
}

fn status_of(row: &queue_tickets::Model) -> Result<TicketStatus, StoreError> {
    TicketStatus::parse(&row.status).ok_or_else(|| {
        StoreError::from(sea_orm::DbErr::Custom(format!(
            "queue ticket {} has an unknown status {:?}",
            row.id, row.status
        )))
    })
}

fn record(
    row: queue_tickets::Model,
    zone: Option<zones::Model>,
    request_protocol: Option<String>,
) -> Result<TicketRecord, StoreError> {
    let status = status_of(&row)?;
    let (zone, zone_name) = zone
        .map(|zone| (zone.number, zone.name))
        .unwrap_or_default();
    Ok(TicketRecord {
        id: row.id,
        zone,
        zone_name,
        service_date: row.service_date,
        closes_at: row.closes_at,
        status,
        name: row.name,
        cpf: row.cpf,
        email: row.email,
        phone: row.phone,
        subject: row.subject,
        preferential: row.preferential.map(Preferential::from),
        joined_at: row.joined_at,
        called_at: row.called_at,
        called_by: row.called_by,
        finished_at: row.finished_at,
        meet_link: row.meet_link,
        request_protocol,
    })
}
