use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Names of the municipalities a zone serves, stored as a JSON array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Municipalities(pub Vec<String>);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "zones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub number: i32,
    pub name: String,
    pub seat: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub municipalities: Municipalities,
    pub notification_email: Option<String>,
    pub calendar_id: Option<String>,
    pub room_link: Option<String>,
    pub opens: Option<Time>,
    pub closes: Option<Time>,
    pub slot_minutes: Option<i32>,
    /// ISO weekday digits, e.g. "12345" for Monday to Friday.
    pub weekdays: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::requests::Entity")]
    Requests,
    #[sea_orm(has_many = "super::staff_zones::Entity")]
    StaffZones,
}

impl Related<super::requests::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Requests.def()
    }
}

impl Related<super::staff_zones::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffZones.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
