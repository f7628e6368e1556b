//! The court's indicators for dashboards and spreadsheets: a period's figures per zone and for
//! the state, as JSON and as CSV. Clerks get their zones; admins every zone.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth_api::Staff,
    error::{ApiError, ErrorBody, ValidationBody},
    extract::QueryParams,
};
use crate::{
    app::{App, Indicators},
    domain::{field_errors::FieldErrors, indicators::Figures},
};

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(stats_csv))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// First day of the period (requests filed from then), `YYYY-MM-DD` in Belém; 29 days
    /// before `to` by default.
    from: Option<NaiveDate>,
    /// Last day, included; today by default. At most 731 days after `from`.
    to: Option<NaiveDate>,
    /// One zone among the caller's; all of them by default.
    zone: Option<i32>,
}

/// One zone's figures (or the state's, without `zone` and `name`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Requests filed in the period.
    pub received: u64,
    /// Their states now, every state present.
    pub by_status: BTreeMap<&'static str, u64>,
    /// Service hours to the first answer (triage or refusal): median and 90th percentile
    /// (nearest rank); `null` when none was answered.
    pub triage_hours_p50: Option<f64>,
    pub triage_hours_p90: Option<f64>,
    /// Percent of the answered ones answered within `indicators.triage_target_hours`.
    pub within_target_pct: Option<f64>,
    pub no_show: u64,
    pub cancelled_by_requester: u64,
    pub cancelled_by_staff: u64,
    /// Requests that declared a preferential category.
    pub preferential: u64,
    /// Requests attended by written messages.
    pub by_message: u64,
    /// Average satisfaction rating (1–5) of the survey's answers; `null` without any.
    pub satisfaction_avg: Option<f64>,
    pub satisfaction_count: u64,
}

impl FiguresView {
    fn new(zone: Option<(i32, String)>, figures: &Figures) -> FiguresView {
        let (zone, name) = zone.unzip();
        FiguresView {
            zone,
            name,
            received: figures.received,
            by_status: figures
                .by_status
                .iter()
                .map(|(status, n)| (status.as_str(), *n))
                .collect(),
            triage_hours_p50: figures.triage_hours_p50,
            triage_hours_p90: figures.triage_hours_p90,
            within_target_pct: figures.within_target_pct,
            no_show: figures.no_show,
            cancelled_by_requester: figures.cancelled_by_requester,
            cancelled_by_staff: figures.cancelled_by_staff,
            preferential: figures.preferential,
            by_message: figures.by_message,
            satisfaction_avg: figures.satisfaction_avg,
            satisfaction_count: figures.satisfaction_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub triage_target_hours: u32,
    pub zones: Vec<FiguresView>,
    pub total: FiguresView,
}

impl From<&Indicators> for StatsView {
    fn from(indicators: &Indicators) -> Self {
        StatsView {
            from: indicators.from,
            to: indicators.to,
            triage_target_hours: indicators.target_hours,
            zones: indicators
                .zones
                .iter()
                .map(|zone| FiguresView::new(Some((zone.number, zone.name.clone())), &zone.figures))
                .collect(),
            total: FiguresView::new(None, &indicators.total),
        }
    }
}

async fn indicators(
    app: &App,
    user: &crate::app::StaffUser,
    query: StatsQuery,
) -> Result<Indicators, ApiError> {
    Ok(app
        .indicators(user, query.from, query.to, query.zone, FieldErrors::new())
        .await?)
}

/// A period's indicators per zone and for the state (the zones listed), counted over the
/// requests filed in it; hours are service hours (the zone's window on its business days).
#[utoipa::path(get, path = "/api/v1/staff/stats", tag = "staff", security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, body = StatsView),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "a zone outside the caller's"),
        (status = 422, body = ValidationBody, description = "`from` after `to`, or a period over 731 days"),
    ))]
async fn stats(
    State(app): State<App>,
    Staff(user): Staff,
    QueryParams(query): QueryParams<StatsQuery>,
) -> Result<Json<StatsView>, ApiError> {
    let indicators = indicators(&app, &user, query).await?;
    Ok(Json(StatsView::from(&indicators)))
}

/// The same figures as CSV (RFC 4180, UTF-8, a header row, one row per zone and a last row
/// `total`), for spreadsheets.
#[utoipa::path(get, path = "/api/v1/staff/stats.csv", tag = "staff", security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ValidationBody),
    ))]
async fn stats_csv(
    State(app): State<App>,
    Staff(user): Staff,
    QueryParams(query): QueryParams<StatsQuery>,
) -> Result<Response, ApiError> {
    let indicators = indicators(&app, &user, query).await?;
    let body = indicators
        .to_csv()
        .map_err(|error| ApiError::Internal(error.into()))?;
    let filename = format!(
        "attachment; filename=\"indicadores-{}-{}.csv\"",
        indicators.from, indicators.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        body,
    )
        .into_response())
}
