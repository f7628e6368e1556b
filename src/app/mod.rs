//! What each person can do, shared by the JSON API and the web pages: file and follow a
//! request, sign in, work the inbox, administer. Each use case checks the rules (through
//! `domain`), then makes one change through `store`; handlers only translate HTTP.

mod admin;
mod auth;
mod calendar_check;
pub mod limiter;
pub mod reference_cache;
mod staff_work;
mod submissions;
mod tracking;

use std::{net::IpAddr, sync::Arc, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    calendar::GoogleCalendar,
    clock::Clock,
    config::{CalendarProvider, Settings},
    domain::{effects::MeetingSource, field_errors::FieldErrors, schedule::ServiceWindow},
    metrics::Metrics,
    store::{Store, StoreError, TransitionRules},
};

pub use admin::{
    Admin, Change, DEFAULT_JOB_LIMIT, HolidayInput, MAX_JOB_LIMIT, NewStaffInput, StaffPatchInput,
    ZoneInput,
};
pub use auth::{SignIn, StaffUser};
pub use staff_work::StaffRequest;
pub use submissions::Receipt;
pub use tracking::Tracked;

use self::{limiter::SlidingWindow, reference_cache::ReferenceCache};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(StoreError),
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    #[error("rate limited for {0:?}")]
    RateLimited(Duration),
    #[error("not signed in")]
    Unauthorized,
    #[error("admins only")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The zone's calendar could not be read to check a time.
    #[error("calendar unavailable: {0}")]
    CalendarUnavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Input the store judged wrong (a zone that does not exist, a slot that is taken) is the
/// same kind of answer as input the rules judged wrong: field errors.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(errors) => AppError::Invalid(errors),
            StoreError::Duplicate(duplicate) => {
                AppError::Invalid(admin::duplicate_errors(duplicate))
            }
            StoreError::UnknownZones(zones) => AppError::Invalid(admin::unknown_zones(&zones)),
            StoreError::Slot(slot) => {
                let mut errors = FieldErrors::new();
                errors.add("start", slot.to_string());
                AppError::Invalid(errors)
            }
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Store(other),
        }
    }
}

/// The service's shared state: cheap to clone, one per process.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub reference: ReferenceCache,
    pub metrics: Metrics,
    /// With the google provider: free/busy of the zones' calendars.
    pub calendar: Option<GoogleCalendar>,
    pub clock: Clock,
    limits: Arc<Limits>,
    default_window: ServiceWindow,
}

struct Limits {
    submissions: SlidingWindow<IpAddr>,
    failed_logins_by_account: SlidingWindow<String>,
    failed_logins_by_address: SlidingWindow<IpAddr>,
}

impl App {
    pub fn new(
        store: Store,
        settings: Settings,
        calendar: Option<GoogleCalendar>,
        clock: Clock,
    ) -> anyhow::Result<App> {
        let default_window = settings.schedule.service_window()?;
        let login_window =
            Duration::from_secs(u64::from(settings.auth.failed_login_window_minutes) * 60);
        let limits = Limits {
            submissions: SlidingWindow::new(
                settings.limits.submissions_per_minute,
                Duration::from_secs(60),
            ),
            failed_logins_by_account: SlidingWindow::new(
                settings.auth.max_failed_logins_per_account,
                login_window,
            ),
            failed_logins_by_address: SlidingWindow::new(
                settings.auth.max_failed_logins_per_address,
                login_window,
            ),
        };
        Ok(App {
            reference: ReferenceCache::new(store.clone()),
            metrics: Metrics::new()?,
            calendar,
            clock,
            store,
            settings: Arc::new(settings),
            limits: Arc::new(limits),
            default_window,
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today where the court is.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    pub fn default_window(&self) -> &ServiceWindow {
        &self.default_window
    }

    pub fn meeting_source(&self) -> MeetingSource {
        match self.settings.calendar.provider {
            CalendarProvider::Google => MeetingSource::Calendar,
            CalendarProvider::Manual => MeetingSource::Manual,
        }
    }

    fn transition_rules(&self, now: DateTime<Utc>) -> TransitionRules<'_> {
        TransitionRules {
            now,
            source: self.meeting_source(),
            default_window: &self.default_window,
            reminder_hours: &self.settings.email.reminder_hours,
            allowed_link_hosts: &self.settings.calendar.allowed_link_hosts,
            requester_cancel_notice_hours: self.settings.schedule.requester_cancel_notice_hours,
        }
    }

    /// A link for people: the public URL joined with `path_and_query`.
    pub fn public_link(&self, path_and_query: &str) -> String {
        let base = self
            .settings
            .server
            .public_url
            .as_str()
            .trim_end_matches('/');
        format!("{base}{path_and_query}")
    }
}
