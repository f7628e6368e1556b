//! Staff sign-ins, by the hash of their token.

use chrono::{DateTime, Utc};
use entities::{sessions, staff};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};

use super::{Store, StoreError, doing, staff::StaffRecord};

/// Where a sign-in is used: the two never stand in for each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `Authorization: Bearer` on the JSON API.
    Api,
    /// The panel's cookie.
    Web,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Web => "web",
        }
    }
}

impl Store {
    pub async fn create_session(
        &self,
        staff_id: i32,
        kind: SessionKind,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        doing("opening a session", async {
            sessions::ActiveModel {
                token_hash: Set(token_hash.to_string()),
                staff_id: Set(staff_id),
                kind: Set(kind.as_str().to_string()),
                created_at: Set(now),
                expires_at: Set(expires_at),
                revoked_at: Set(None),
                ..Default::default()
            }
            .insert(&self.db)
            .await?;
            Ok(())
        })
        .await
    }

    /// The account behind a live sign-in: not expired, not revoked, and still active.
    pub async fn session_staff(
        &self,
        token_hash: &str,
        kind: SessionKind,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffRecord>, StoreError> {
        doing("checking a session", async {
            let found = sessions::Entity::find()
                .filter(sessions::Column::TokenHash.eq(token_hash))
                .filter(sessions::Column::Kind.eq(kind.as_str()))
                .filter(sessions::Column::RevokedAt.is_null())
                .filter(sessions::Column::ExpiresAt.gt(now))
                .find_also_related(staff::Entity)
                .one(&self.db)
                .await?;
            match found {
                Some((_, Some(account))) if account.active => {
                    Ok(Some(self.staff_record(account).await?))
                }
                _ => Ok(None),
            }
        })
        .await
    }

    /// Ends one sign-in; false when it was not live.
    pub async fn revoke_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        doing("ending a session", async {
            let result = sessions::Entity::update_many()
                .col_expr(sessions::Column::RevokedAt, Expr::value(now))
                .filter(sessions::Column::TokenHash.eq(token_hash))
                .filter(sessions::Column::RevokedAt.is_null())
                .exec(&self.db)
                .await?;
            Ok(result.rows_affected > 0)
        })
        .await
    }
}

/// Ends every sign-in of an account (when it is disabled or its password changes).
pub(super) async fn revoke_all<C: ConnectionTrait>(
    db: &C,
    staff_id: i32,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(sessions::Column::StaffId.eq(staff_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
