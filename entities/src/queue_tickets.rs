use sea_orm::entity::prelude::*;

use super::sea_orm_active_enums::PreferentialCategory;

/// One person's place in one zone's same-day queue.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub zone_id: i32,
    /// The local date of the counter's session the ticket joined.
    pub service_date: Date,
    /// When that session closes: a ticket still waiting then is closed.
    pub closes_at: DateTimeUtc,
    /// `waiting`, `called`, `attended`, `missed`, `left` or `closed`.
    pub status: String,
    pub name: String,
    pub cpf: String,
    pub email: String,
    /// The e-mail in lower case: one active ticket per address and zone.
    pub email_key: String,
    pub phone: Option<String>,
    pub subject: String,
    pub preferential: Option<PreferentialCategory>,
    /// The preferential tier (0: aged 80+, 1: another category, 2: none).
    pub preference_rank: i16,
    pub joined_at: DateTimeUtc,
    pub called_at: Option<DateTimeUtc>,
    pub called_by: Option<i32>,
    pub finished_at: Option<DateTimeUtc>,
    pub meet_link: Option<String>,
    pub calendar_event_id: Option<String>,
    /// The request the ticket became after the counter closed.
    #[sea_orm(unique)]
    pub request_id: Option<i64>,
    /// When its personal data was anonymised.
    pub anonymised_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::zones::Entity",
        from = "Column::ZoneId",
        to = "super::zones::Column::Id"
    )]
    Zones,
}

impl Related<super::zones::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Zones.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
