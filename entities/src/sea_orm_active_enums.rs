use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RequestStatus {
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "triaged")]
    Triaged,
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RequesterRole {
    #[sea_orm(string_value = "parte")]
    Parte,
    #[sea_orm(string_value = "advogado")]
    Advogado,
    #[sea_orm(string_value = "interessado")]
    Interessado,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Outcome {
    #[sea_orm(string_value = "attended")]
    Attended,
    #[sea_orm(string_value = "no_show")]
    NoShow,
    #[sea_orm(string_value = "attended_by_message")]
    AttendedByMessage,
}

/// How a request is attended: by videoconference or by written messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RequestMode {
    #[sea_orm(string_value = "video")]
    Video,
    #[sea_orm(string_value = "message")]
    Message,
}

/// Who wrote a message of a request's thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MessageAuthor {
    #[sea_orm(string_value = "requester")]
    Requester,
    #[sea_orm(string_value = "staff")]
    Staff,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    #[sea_orm(string_value = "clerk")]
    Clerk,
    #[sea_orm(string_value = "admin")]
    Admin,
}

/// Who made a change recorded in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActorKind {
    #[sea_orm(string_value = "requester")]
    Requester,
    #[sea_orm(string_value = "staff")]
    Staff,
    #[sea_orm(string_value = "system")]
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum JobState {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "dead")]
    Dead,
}

/// A requester's self-declared category of preferential attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum PreferentialCategory {
    #[sea_orm(string_value = "idoso80")]
    Idoso80,
    #[sea_orm(string_value = "idoso")]
    Idoso,
    #[sea_orm(string_value = "deficiencia")]
    Deficiencia,
    #[sea_orm(string_value = "autismo")]
    Autismo,
    #[sea_orm(string_value = "gestante")]
    Gestante,
    #[sea_orm(string_value = "lactante")]
    Lactante,
    #[sea_orm(string_value = "crianca_colo")]
    CriancaColo,
    #[sea_orm(string_value = "mobilidade_reduzida")]
    MobilidadeReduzida,
    #[sea_orm(string_value = "obesidade")]
    Obesidade,
    #[sea_orm(string_value = "doador_sangue")]
    DoadorSangue,
}
