//! The shipped reference data (zones and holidays) as the database holds it: whether it is
//! loaded yet, and what an import did. The tables themselves are `zones` and `holidays`.

use entities::{holidays, zones};
use sea_orm::{EntityTrait, PaginatorTrait};

// Where the request and agenda code has always found them.
use super::{Store, StoreError, doing};
pub(super) use super::{
    holidays::zone_holidays,
    zones::{find_active_zone, stored_window},
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
}

impl Store {
    /// On first start the database has no zones and no holidays: load the shipped ones.
    pub async fn is_reference_empty(&self) -> Result<(bool, bool), StoreError> {
        doing("looking for reference data", async {
            let zones = zones::Entity::find().count(&self.db).await?;
            let holidays = holidays::Entity::find().count(&self.db).await?;
            Ok((zones == 0, holidays == 0))
        })
        .await
    }
}
