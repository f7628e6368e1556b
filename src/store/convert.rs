//! Conversions between the domain's types and the entities' active enums: the domain knows
//! nothing of the database, and these are the only places where the two meet.

use entities::sea_orm_active_enums as db;

use crate::domain::{
    messages::{Author, Mode},
    preferential::Preferential,
    staff::Role,
    status::{Outcome, Status},
    text::RequesterRole,
};

impl From<Status> for db::RequestStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Submitted => db::RequestStatus::Submitted,
            Status::Triaged => db::RequestStatus::Triaged,
            Status::Offered => db::RequestStatus::Offered,
            Status::Scheduled => db::RequestStatus::Scheduled,
            Status::Done => db::RequestStatus::Done,
            Status::Rejected => db::RequestStatus::Rejected,
            Status::Cancelled => db::RequestStatus::Cancelled,
        }
    }
}

impl From<db::RequestStatus> for Status {
    fn from(status: db::RequestStatus) -> Self {
        match status {
            db::RequestStatus::Submitted => Status::Submitted,
            db::RequestStatus::Triaged => Status::Triaged,
            db::RequestStatus::Offered => Status::Offered,
            db::RequestStatus::Scheduled => Status::Scheduled,
            db::RequestStatus::Done => Status::Done,
            db::RequestStatus::Rejected => Status::Rejected,
            db::RequestStatus::Cancelled => Status::Cancelled,
        }
    }
}

impl From<Outcome> for db::Outcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Attended => db::Outcome::Attended,
            Outcome::NoShow => db::Outcome::NoShow,
            Outcome::AttendedByMessage => db::Outcome::AttendedByMessage,
        }
    }
}

impl From<db::Outcome> for Outcome {
    fn from(outcome: db::Outcome) -> Self {
        match outcome {
            db::Outcome::Attended => Outcome::Attended,
            db::Outcome::NoShow => Outcome::NoShow,
            db::Outcome::AttendedByMessage => Outcome::AttendedByMessage,
        }
    }
}

impl From<Mode> for db::RequestMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Video => db::RequestMode::Video,
            Mode::Message => db::RequestMode::Message,
        }
    }
}

impl From<db::RequestMode> for Mode {
    fn from(mode: db::RequestMode) -> Self {
        match mode {
            db::RequestMode::Video => Mode::Video,
            db::RequestMode::Message => Mode::Message,
        }
    }
}

impl From<Author> for db::MessageAuthor {
    fn from(author: Author) -> Self {
        match author {
            Author::Requester => db::MessageAuthor::Requester,
            Author::Staff => db::MessageAuthor::Staff,
        }
    }
}

impl From<db::MessageAuthor> for Author {
    fn from(author: db::MessageAuthor) -> Self {
        match author {
            db::MessageAuthor::Requester => Author::Requester,
            db::MessageAuthor::Staff => Author::Staff,
        }
    }
}

impl From<RequesterRole> for db::RequesterRole {
    fn from(role: RequesterRole) -> Self {
        match role {
            RequesterRole::Parte => db::RequesterRole::Parte,
            RequesterRole::Advogado => db::RequesterRole::Advogado,
            RequesterRole::Interessado => db::RequesterRole::Interessado,
        }
    }
}

impl From<db::RequesterRole> for RequesterRole {
    fn from(role: db::RequesterRole) -> Self {
        match role {
            db::RequesterRole::Parte => RequesterRole::Parte,
            db::RequesterRole::Advogado => RequesterRole::Advogado,
            db::RequesterRole::Interessado => RequesterRole::Interessado,
        }
    }
}

impl From<Preferential> for db::PreferentialCategory {
    fn from(category: Preferential) -> Self {
        match category {
            Preferential::Idoso80 => db::PreferentialCategory::Idoso80,
            Preferential::Idoso => db::PreferentialCategory::Idoso,
            Preferential::Deficiencia => db::PreferentialCategory::Deficiencia,
            Preferential::Autismo => db::PreferentialCategory::Autismo,
            Preferential::Gestante => db::PreferentialCategory::Gestante,
            Preferential::Lactante => db::PreferentialCategory::Lactante,
            Preferential::CriancaColo => db::PreferentialCategory::CriancaColo,
            Preferential::MobilidadeReduzida => db::PreferentialCategory::MobilidadeReduzida,
            Preferential::Obesidade => db::PreferentialCategory::Obesidade,
            Preferential::DoadorSangue => db::PreferentialCategory::DoadorSangue,
        }
    }
}

impl From<db::PreferentialCategory> for Preferential {
    fn from(category: db::PreferentialCategory) -> Self {
        match category {
            db::PreferentialCategory::Idoso80 => Preferential::Idoso80,
            db::PreferentialCategory::Idoso => Preferential::Idoso,
            db::PreferentialCategory::Deficiencia => Preferential::Deficiencia,
            db::PreferentialCategory::Autismo => Preferential::Autismo,
            db::PreferentialCategory::Gestante => Preferential::Gestante,
            db::PreferentialCategory::Lactante => Preferential::Lactante,
            db::PreferentialCategory::CriancaColo => Preferential::CriancaColo,
            db::PreferentialCategory::MobilidadeReduzida => Preferential::MobilidadeReduzida,
            db::PreferentialCategory::Obesidade => Preferential::Obesidade,
            db::PreferentialCategory::DoadorSangue => Preferential::DoadorSangue,
        }
    }
}

impl From<Role> for db::StaffRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Clerk => db::StaffRole::Clerk,
            Role::Admin => db::StaffRole::Admin,
        }
    }
}

impl From<db::StaffRole> for Role {
    fn from(role: db::StaffRole) -> Self {
        match role {
            db::StaffRole::Clerk => Role::Clerk,
            db::StaffRole::Admin => Role::Admin,
        }
    }
}

/// The states that still need work, as stored.
pub fn open_statuses() -> Vec<db::RequestStatus> {
    Status::ALL
        .into_iter()
        .filter(|status| status.is_open())
        .map(db::RequestStatus::from)
        .collect()
}

/// The states a request never leaves, as stored.
pub fn final_statuses() -> Vec<db::RequestStatus> {
    Status::ALL
        .into_iter()
        .filter(|status| status.is_final())
        .map(db::RequestStatus::from)
        .collect()
}
