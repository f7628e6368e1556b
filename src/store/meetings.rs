//! What the worker learns from the calendar: the event and its Meet link, recorded on the
//! request with the e-mail that announces it, in one transaction.

use chrono::{DateTime, Utc};
use entities::{requests, sea_orm_active_enums::RequestStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use super::{Store, StoreError, outbox};
use crate::domain::effects::{Effect, Message};

impl Store {
    /// Records the event of scheduling revision `revision` and queues `message` (scheduled
    /// or rescheduled) with its link. False, and nothing written, when the request has moved
    /// on meanwhile (rescheduled again, cancelled): that later change brings its own job.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_meeting(
        &self,
        request_id: i64,
        revision: i32,
        event_id: &str,
        meet_link: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        message: Message,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        let updated = requests::Entity::update_many()
            .col_expr(requests::Column::CalendarEventId, Expr::value(event_id))
            .col_expr(requests::Column::MeetLink, Expr::value(meet_link))
            .col_expr(requests::Column::UpdatedAt, Expr::value(now))
            .filter(requests::Column::Id.eq(request_id))
            .filter(requests::Column::ScheduleRevision.eq(revision))
            .filter(requests::Column::Status.eq(RequestStatus::Scheduled))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(false);
        }
        let kind = Effect::Email(message).kind();
        let job = outbox::NewJob {
            kind,
            payload: json!({
                "request_id": request_id,
                "details": { "start": start, "end": end, "meet_link": meet_link, "revision": revision },
            }),
            // One message per revision, however often the meeting job runs.
            dedupe_key: format!("request:{request_id}:r{revision}:{kind}"),
            run_at: now,
        };
        outbox::enqueue(&txn, request_id, vec![job], now).await?;
        txn.commit().await?;
        Ok(true)
    }
}
