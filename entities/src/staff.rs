use sea_orm::entity::prelude::*;

use super::sea_orm_active_enums::StaffRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub password_hash: String,
    pub active: bool,
    /// A Libras (sign-language) interpreter, who joins the meetings that need one.
    pub interpreter: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::staff_zones::Entity")]
    StaffZones,
}

impl Related<super::staff_zones::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffZones.def()
    }
}

impl Related<super::zones::Entity> for Entity {
    fn to() -> RelationDef {
        super::staff_zones::Relation::Zones.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::staff_zones::Relation::Staff.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
