use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261128_000001_create_zones::Zones, m20261128_000003_create_requests::Requests};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indicators' rollups, kept in the transaction of every change to a request so the
/// figures of a year are read from a few thousand rows instead of every request of the year:
/// `indicator_days`, a zone's requests by the Belém day they were filed, one counter per
/// column (received, by state, by outcome, cancellations by side, preferential, by message,
/// survey ratings), and `triage_months`, a zone's triage waits by the month they were
/// filed, one row per tenth of a service hour waited. The tables start empty: the service
/// fills them from the requests on its first start after this migration (the counters are
/// the service's rules, which SQL here would have to copy). The index on the filing time
/// takes the triage wait too, so the days at a period's ends, read from the requests, are
/// read from the index alone.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut days = Table::create();
        days.table(IndicatorDays::Table)
            .if_not_exists()
            .col(date(IndicatorDays::Day))
            .col(integer(IndicatorDays::ZoneId));
        for counter in COUNTERS {
            days.col(integer(Alias::new(counter)).default(0));
        }
        days.primary_key(
            Index::create()
                .col(IndicatorDays::Day)
                .col(IndicatorDays::ZoneId),
        )
        .foreign_key(
            ForeignKey::create()
                .from(IndicatorDays::Table, IndicatorDays::ZoneId)
                .to(Zones::Table, Zones::Id),
        );
        manager.create_table(days.to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(TriageMonths::Table)
                    .if_not_exists()
                    .col(date(TriageMonths::Month))
                    .col(integer(TriageMonths::ZoneId))
                    .col(integer(TriageMonths::Tenths))
                    .col(integer(TriageMonths::Requests).default(0))
                    .primary_key(
                        Index::create()
                            .col(TriageMonths::Month)
                            .col(TriageMonths::ZoneId)
                            .col(TriageMonths::Tenths),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TriageMonths::Table, TriageMonths::ZoneId)
                            .to(Zones::Table, Zones::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_created_zone")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_created_zone_wait")
                    .table(Requests::Table)
                    .col(Requests::CreatedAt)
                    .col(Requests::ZoneId)
                    .col(TriageMinutes)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_requests_created_zone_wait")
                    .table(Requests::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_requests_created_zone")
                    .table(Requests::Table)
                    .col(Requests::CreatedAt)
                    .col(Requests::ZoneId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(TriageMonths::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(IndicatorDays::Table).to_owned())
            .await
    }
}

/// The counters' columns, as the service's `domain::indicators::Counter` names them.
const COUNTERS: [&str; 20] = [
    "received",
    "submitted",
    "triaged",
    "offered",
    "scheduled",
    "done",
    "rejected",
    "cancelled",
    "attended",
    "attended_by_message",
    "no_show",
    "cancelled_by_requester",
    "cancelled_by_staff",
    "preferential",
    "by_message",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
];

#[derive(DeriveIden)]
enum IndicatorDays {
    Table,
    Day,
    ZoneId,
}

/// The column of `requests` that migration 000026 added.
#[derive(DeriveIden)]
struct TriageMinutes;

#[derive(DeriveIden)]
enum TriageMonths {
    Table,
    Month,
    ZoneId,
    Tenths,
    Requests,
}
