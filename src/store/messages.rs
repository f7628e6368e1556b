//! A request's thread of written messages: posting one (with its e-mail batched), reading
//! the thread, a clerk reading it, and the worker taking a batch to e-mail it.

use chrono::{DateTime, Utc};
use entities::{request_messages, requests, sea_orm_active_enums as db, staff};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::{
    Store, StoreError, ZoneScope, doing, outbox,
    requests::{in_scope, zone_facts},
};
use crate::domain::{
    change::Effect,
    messages::{
        Author, Batch, MessageRefusal, MessageText, ThreadPolicy, ThreadState, notice_job,
        notice_key, on_message,
    },
    schedule::ServiceWindow,
};

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: i64,
    pub author: Author,
    /// The clerk's name, for the zone's messages (none once the account is deleted).
    pub staff_name: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A message to post: who writes what, when.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub request_id: i64,
    pub author: Author,
    /// The clerk writing, for the zone's messages.
    pub staff_id: Option<i32>,
    pub text: &'a MessageText,
    pub now: DateTime<Utc>,
}

impl Store {
    /// Adds a message to a request's thread within `scope`: refused once the request is
    /// final; otherwise stored with the thread's marks (unread, the reply owed) and, for the
    /// first message of a batch, the e-mail that tells the other side, due after the
    /// policy's delay. The request's version does not change: a message is not a change of
    /// the request, and a clerk's open form stays valid.
    pub async fn post_message(
        &self,
        message: &NewMessage<'_>,
        scope: &ZoneScope,
        policy: &ThreadPolicy,
        default_window: &ServiceWindow,
    ) -> Result<Result<MessageRecord, MessageRefusal>, StoreError> {
        doing("posting a message", async {
            let txn = self.begin_write().await?;
            // The row lock orders the message against a change that closes the request and
            // against the worker taking the batch.
            let row = requests::Entity::find_by_id(message.request_id)
                .filter(in_scope(scope))
                .lock_exclusive()
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let zone = zone_facts(&txn, row.zone_id, default_window).await?;
            let thread = ThreadState {
                request_id: row.id,
                status: row.status.into(),
                reply_due_at: row.reply_due_at,
                zone_batch: row.zone_notice_batch,
                requester_batch: row.requester_notice_batch,
            };
            let change = match on_message(
                &thread,
                message.author,
                message.now,
                &zone.schedule.calendar(),
                policy,
            ) {
                Ok(change) => change,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let stored = request_messages::ActiveModel {
                request_id: Set(row.id),
                author: Set(message.author.into()),
                staff_id: Set(message.staff_id),
                body: Set(message.text.as_str().to_string()),
                notice_batch: Set(match change.batch {
                    Batch::Join(first) => first,
                    // Its own id, set once it has one.
                    Batch::Open { .. } => 0,
                }),
                created_at: Set(message.now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let first = match change.batch {
                Batch::Join(first) => first,
                Batch::Open { notice_at } => {
                    request_messages::Entity::update_many()
                        .col_expr(
                            request_messages::Column::NoticeBatch,
                            sea_orm::sea_query::Expr::value(stored.id),
                        )
                        .filter(request_messages::Column::Id.eq(stored.id))
                        .exec(&txn)
                        .await?;
                    outbox::enqueue(
                        &txn,
                        &[Effect {
                            job: notice_job(row.id, message.author, stored.id),
                            key: notice_key(row.id, message.author, stored.id),
                            run_at: notice_at,
                            waits_for: None,
                        }],
                        message.now,
                    )
                    .await?;
                    stored.id
                }
            };
            let mut update = requests::ActiveModel {
                staff_unread: Set(change.staff_unread),
                reply_due_at: Set(change.reply_due_at),
                ..Default::default()
            };
            match message.author {
                Author::Requester => update.zone_notice_batch = Set(Some(first)),
                Author::Staff => update.requester_notice_batch = Set(Some(first)),
            }
            requests::Entity::update_many()
                .set(update)
                .filter(requests::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
            let staff_name = match message.staff_id {
                Some(id) => staff::Entity::find_by_id(id)
                    .one(&txn)
                    .await?
                    .map(|account| account.name),
                None => None,
            };
            txn.commit().await?;
            Ok(Ok(MessageRecord {
                id: stored.id,
                author: message.author,
                staff_name,
                text: stored.body,
                at: stored.created_at,
            }))
        })
        .await
    }

    /// A request's thread, oldest first. The caller has found the request in its scope.
    pub async fn thread(&self, request_id: i64) -> Result<Vec<MessageRecord>, StoreError> {
        doing("reading a thread", async {
            Ok(messages_where(
                &self.db,
                Condition::all().add(request_messages::Column::RequestId.eq(request_id)),
            )
            .await?)
        })
        .await
    }

    /// A clerk opened the thread: what the requester wrote is read.
    pub async fn mark_thread_read(&self, request_id: i64) -> Result<(), StoreError> {
        doing("marking a thread read", async {
            requests::Entity::update_many()
                .col_expr(
                    requests::Column::StaffUnread,
                    sea_orm::sea_query::Expr::value(false),
                )
                .filter(requests::Column::Id.eq(request_id))
                .filter(requests::Column::StaffUnread.eq(true))
                .exec(&self.db)
                .await?;
            Ok(())
        })
        .await
    }

    /// The messages of the batch that `first_message_id` opened, for its e-mail. The batch
    /// closes: what the same side writes from now on opens the next one. Taking it again
    /// (a retried e-mail) gives the same messages.
    pub async fn take_message_batch(
        &self,
        request_id: i64,
        author: Author,
        first_message_id: i64,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        doing("taking a batch of messages", async {
            let txn = self.begin_write().await?;
            let column = match author {
                Author::Requester => requests::Column::ZoneNoticeBatch,
                Author::Staff => requests::Column::RequesterNoticeBatch,
            };
            requests::Entity::update_many()
                .col_expr(column, sea_orm::sea_query::Expr::value(None::<i64>))
                .filter(requests::Column::Id.eq(request_id))
                .filter(column.eq(first_message_id))
                .exec(&txn)
                .await?;
            let batch = messages_where(
                &txn,
                Condition::all()
                    .add(request_messages::Column::RequestId.eq(request_id))
                    .add(request_messages::Column::NoticeBatch.eq(first_message_id))
                    .add(request_messages::Column::Author.eq(db::MessageAuthor::from(author))),
            )
            .await?;
            txn.commit().await?;
            Ok(batch)
        })
        .await
    }
}

pub(super) async fn messages_where<C: ConnectionTrait>(
    db: &C,
    condition: Condition,
) -> Result<Vec<MessageRecord>, sea_orm::DbErr> {
    let rows = request_messages::Entity::find()
        .filter(condition)
        .find_also_related(staff::Entity)
        .order_by_asc(request_messages::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(message, author)| MessageRecord {
            id: message.id,
            author: message.author.into(),
            staff_name: author.map(|account| account.name),
            text: message.body,
            at: message.created_at,
        })
        .collect())
}
