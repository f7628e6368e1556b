use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::sea_orm_active_enums::{
    Outcome, PreferentialCategory, RequestMode, RequestStatus, RequesterRole,
};

/// The dates a requester suggested, stored as a JSON array of `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct PreferredDates(pub Vec<Date>);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub protocol: String,
    pub zone_id: i32,
    pub status: RequestStatus,
    pub requester_name: String,
    /// The name lower-cased and without accents, for search.
    pub requester_name_key: String,
    pub cpf: String,
    pub email: String,
    /// The e-mail in lower case: the open-requests limit counts by it.
    pub email_key: String,
    pub phone: String,
    pub role: RequesterRole,
    pub oab: Option<String>,
    pub process_number: Option<String>,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub preferred_dates: PreferredDates,
    pub preferential: Option<PreferentialCategory>,
    /// The preferential tier (0: aged 80+, 1: another category, 2: none), so the inbox
    /// sorts by it and an index serves that order.
    pub preference_rank: i16,
    /// Accessibility needs, their codes separated by commas (`libras,legendas`); empty for none.
    pub accessibility: String,
    pub accessibility_note: Option<String>,
    #[sea_orm(unique)]
    pub tracking_token_hash: String,
    pub assignee_id: Option<i32>,
    /// The Libras interpreter who joins the meeting, for a request that needs one.
    pub interpreter_id: Option<i32>,
    pub scheduled_start: Option<DateTimeUtc>,
    pub scheduled_end: Option<DateTimeUtc>,
    /// While `offered`: when the offer runs out (its times are in `offered_slots`).
    pub offer_expires_at: Option<DateTimeUtc>,
    pub meet_link: Option<String>,
    pub calendar_event_id: Option<String>,
    pub schedule_revision: i32,
    /// How many times the requester moved the meeting themselves (staff moves not counted).
    pub requester_reschedules: i32,
    pub outcome: Option<Outcome>,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    pub version: i32,
    pub mode: RequestMode,
    /// The requester wrote since a clerk last opened the thread.
    pub staff_unread: bool,
    /// When the court's reply to the oldest unanswered message of the requester is late.
    pub reply_due_at: Option<DateTimeUtc>,
    /// The first message of the requester's batch whose e-mail to the zone has not gone.
    pub zone_notice_batch: Option<i64>,
    /// The first message of the zone's batch whose e-mail to the requester has not gone.
    pub requester_notice_batch: Option<i64>,
    /// The first answer (triage or refusal) and the minutes of service it took, for the
    /// indicators.
    pub triaged_at: Option<DateTimeUtc>,
    pub triage_minutes: Option<i32>,
    /// Who made the change that closed it: `requester`, `staff` or `system`.
    pub closed_by: Option<String>,
    /// On legal hold: retention leaves its personal data as it is.
    pub legal_hold: bool,
    /// When its personal data was anonymised (by retention or at the person's request).
    pub anonymised_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::zones::Entity",
        from = "Column::ZoneId",
        to = "super::zones::Column::Id"
    )]
    Zones,
    #[sea_orm(
        belongs_to = "super::staff::Entity",
        from = "Column::AssigneeId",
        to = "super::staff::Column::Id",
        on_delete = "SetNull"
    )]
    Assignee,
    #[sea_orm(
        belongs_to = "super::staff::Entity",
        from = "Column::InterpreterId",
        to = "super::staff::Column::Id",
        on_delete = "SetNull"
    )]
    Interpreter,
    #[sea_orm(has_many = "super::request_events::Entity")]
    RequestEvents,
    #[sea_orm(has_many = "super::jobs::Entity")]
    Jobs,
}

impl Related<super::zones::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Zones.def()
    }
}

impl Related<super::request_events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RequestEvents.def()
    }
}

impl Related<super::jobs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Jobs.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
