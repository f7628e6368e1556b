//! What the worker learns from the calendar: the event and its Meet link, recorded on the
//! request. The e-mail that carries the link was queued with the change, waiting for the
//! calendar job: it runs once that job is done.

use chrono::{DateTime, Utc};
use entities::{requests, sea_orm_active_enums::RequestStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{Store, StoreError, doing};

impl Store {
    /// Records the event of scheduling revision `revision`. False, and nothing written, when
    /// the request has moved on meanwhile (rescheduled again, cancelled): that later change
    /// brings its own job.
    pub async fn record_meeting(
        &self,
        request_id: i64,
        revision: i32,
        event_id: &str,
        meet_link: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        doing("recording a meeting's event", async {
            let updated = requests::Entity::update_many()
                .col_expr(requests::Column::CalendarEventId, Expr::value(event_id))
                .col_expr(requests::Column::MeetLink, Expr::value(meet_link))
                .col_expr(requests::Column::UpdatedAt, Expr::value(now))
                .filter(requests::Column::Id.eq(request_id))
                .filter(requests::Column::ScheduleRevision.eq(revision))
                .filter(requests::Column::Status.eq(RequestStatus::Scheduled))
                .exec(&self.db)
                .await?;
            Ok(updated.rows_affected == 1)
        })
        .await
    }
}
