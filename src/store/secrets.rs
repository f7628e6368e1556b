//! Secrets the service keeps for itself, one row each, shared by every process.

use chrono::{DateTime, Utc};
use entities::service_secrets;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};

use super::{Store, StoreError, doing};

impl Store {
    /// The secret called `name`: the one stored, or `fresh` stored now when there is none
    /// yet. Two processes starting together agree on whichever was stored first.
    pub async fn service_secret(
        &self,
        name: &str,
        fresh: String,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        doing("reading a service secret", async {
            let row = service_secrets::ActiveModel {
                name: Set(name.to_string()),
                value: Set(fresh),
                created_at: Set(now),
            };
            service_secrets::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(service_secrets::Column::Name)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
            let stored = service_secrets::Entity::find_by_id(name.to_string())
                .one(&self.db)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(stored.value)
        })
        .await
    }
}
