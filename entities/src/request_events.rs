use sea_orm::entity::prelude::*;

use super::sea_orm_active_enums::{ActorKind, RequestStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub at: DateTimeUtc,
    pub actor_kind: ActorKind,
    pub actor_staff_id: Option<i32>,
    /// `submit`, `assign` or one of the transition actions.
    pub action: String,
    pub from_status: Option<RequestStatus>,
    pub to_status: RequestStatus,
    pub from_zone: Option<i32>,
    pub to_zone: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::requests::Entity",
        from = "Column::RequestId",
        to = "super::requests::Column::Id",
        on_delete = "Cascade"
    )]
    Requests,
    #[sea_orm(
        belongs_to = "super::staff::Entity",
        from = "Column::ActorStaffId",
        to = "super::staff::Column::Id",
        on_delete = "SetNull"
    )]
    Actor,
}

impl Related<super::requests::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Requests.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
