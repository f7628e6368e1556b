//! The court's indicators: a period's figures per zone and for the state, in the caller's
//! zones, with the weekly chart's and the triage distribution's counts.

use chrono::{Duration, NaiveDate};

use super::{App, AppError, StaffUser};
use crate::{
    domain::{
        field_errors::FieldErrors,
        indicators::{Figures, WeekCounts, ZoneCounts, triage_distribution, weeks_of},
        staff::Role,
        status::Status,
    },
    store::Period,
};

/// The default period: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period one answer covers: two years of history.
pub const MAX_DAYS: i64 = 731;

/// A period's indicators.
#[derive(Debug, Clone)]
pub struct Indicators {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub target_hours: u32,
    /// The zones the caller sees (or the one asked for), by number, with their figures.
    pub zones: Vec<ZoneIndicators>,
    pub total: Figures,
    /// Requests per week by how they ended.
    pub weeks: Vec<WeekCounts>,
    /// Triaged requests per band of service hours waited.
    pub triage_distribution: Vec<(&'static str, u64)>,
}

#[derive(Debug, Clone)]
pub struct ZoneIndicators {
    pub number: i32,
    pub name: String,
    pub figures: Figures,
}

impl App {
    /// The indicators from `from` to `to` (Belém dates, both included; the last 30 days by
    /// default), of `zone` or of every zone the caller sees. Another zone is not found.
    pub async fn indicators(
        &self,
        user: &StaffUser,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        zone: Option<i32>,
        mut type_errors: FieldErrors,
    ) -> Result<Indicators, AppError> {
        let to = to.unwrap_or_else(|| self.today());
        let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
        if from > to {
            type_errors.add("from", "A data inicial deve ser anterior ou igual à final.");
        } else if (to - from).num_days() >= MAX_DAYS {
            type_errors.add(
                "from",
                format!("O período pode ter no máximo {MAX_DAYS} dias."),
            );
        }
        if !type_errors.is_empty() {
            return Err(AppError::Invalid(type_errors));
        }
        if zone.is_some_and(|zone| !user.may_see_zone(zone)) {
            return Err(AppError::NotFound);
        }
        let reference = self.reference.get().await?;
        let zones: Vec<(i32, String)> = reference
            .zones
            .iter()
            .filter(|candidate| match zone {
                Some(number) => candidate.number == number,
                None => user.role == Role::Admin || user.zones.contains(&candidate.number),
            })
            .map(|zone| (zone.number, zone.name.clone()))
            .collect();
        if zone.is_some() && zones.is_empty() {
            return Err(AppError::NotFound);
        }
        let scope = user.scope();
        let period = Period {
            from,
            to,
            scope: &scope,
            zone,
        };
        let (counts, days) = tokio::try_join!(
            self.store.indicator_counts(&period),
            self.store.daily_counts(&period),
        )?;
        let target = self.settings.indicators.triage_target_hours;
        let mut total = ZoneCounts::default();
        let zones = zones
            .into_iter()
            .map(|(number, name)| {
                let zone_counts = counts.get(&number).cloned().unwrap_or_default();
                total.add(&zone_counts);
                ZoneIndicators {
                    number,
                    name,
                    figures: zone_counts.figures(target),
                }
            })
            .collect();
        Ok(Indicators {
            from,
            to,
            target_hours: self.settings.indicators.triage_target_hours,
            zones,
            total: total.figures(target),
            weeks: weeks_of(days),
            triage_distribution: triage_distribution(&total.triage_tenths),
        })
    }
}

impl Indicators {
    /// The figures as CSV (RFC 4180): the API's field names as the header, one row per zone,
    /// then the state's total.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "zone".to_string(),
            "name".to_string(),
            "received".to_string(),
        ];
        header.extend(Status::ALL.iter().map(|status| format!("status_{status}")));
        header.extend(
            [
                "triage_hours_p50",
                "triage_hours_p90",
                "within_target_pct",
                "no_show",
                "cancelled_by_requester",
                "cancelled_by_staff",
                "preferential",
                "by_message",
                "satisfaction_avg",
                "satisfaction_count",
            ]
            .map(str::to_string),
        );
        writer.write_record(&header)?;
        for zone in &self.zones {
            writer.write_record(csv_row(
                zone.number.to_string(),
                zone.name.clone(),
                &zone.figures,
            ))?;
        }
        writer.write_record(csv_row("total".into(), String::new(), &self.total))?;
        let bytes = writer.into_inner().map_err(|error| error.into_error())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn csv_row(zone: String, name: String, figures: &Figures) -> Vec<String> {
    let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let mut row = vec![zone, name, figures.received.to_string()];
    row.extend(figures.by_status.iter().map(|(_, n)| n.to_string()));
    row.extend([
        optional(figures.triage_hours_p50),
        optional(figures.triage_hours_p90),
        optional(figures.within_target_pct),
        figures.no_show.to_string(),
        figures.cancelled_by_requester.to_string(),
        figures.cancelled_by_staff.to_string(),
        figures.preferential.to_string(),
        figures.by_message.to_string(),
        optional(figures.satisfaction_avg),
        figures.satisfaction_count.to_string(),
    ]);
    row
}
