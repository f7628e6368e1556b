use sea_orm::entity::prelude::*;

use super::sea_orm_active_enums::MessageAuthor;

/// One message of a request's thread, from the requester or a clerk. Never edited.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub author: MessageAuthor,
    /// The clerk who wrote it; `None` for the requester's (or an account since deleted).
    pub staff_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The first message of the batch whose one e-mail tells the other side of this one.
    pub notice_batch: i64,
    pub created_at: DateTimeUtc,
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
        from = "Column::StaffId",
        to = "super::staff::Column::Id",
        on_delete = "SetNull"
    )]
    Staff,
}

impl Related<super::requests::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Requests.def()
    }
}

impl Related<super::staff::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Staff.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
