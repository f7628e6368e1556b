use sea_orm::entity::prelude::*;

/// A zone's requests filed on one Belém day, counted for the indicators; kept by the service
/// in the transaction of every change to them. The counters are `domain::indicators::Counter`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub zone_id: i32,
    pub received: i32,
    pub submitted: i32,
    pub triaged: i32,
    pub offered: i32,
    pub scheduled: i32,
    pub done: i32,
    pub rejected: i32,
    pub cancelled: i32,
    pub attended: i32,
    pub attended_by_message: i32,
    pub no_show: i32,
    pub cancelled_by_requester: i32,
    pub cancelled_by_staff: i32,
    pub preferential: i32,
    pub by_message: i32,
    pub rating_1: i32,
    pub rating_2: i32,
    pub rating_3: i32,
    pub rating_4: i32,
    pub rating_5: i32,
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
