//! What each person can do, shared by the JSON API and the web pages: file and follow a
//! request, sign in, work the inbox, administer. Each use case checks the rules (through
//! `domain`), then makes one change through `store`; handlers only translate HTTP.

mod admin;
mod auth;
mod calendar_check;
mod indicators;
pub mod limiter;
mod messages;
mod queue;
pub mod reference_cache;
pub mod retention;
mod staff_work;
mod submissions;
mod survey;
mod tracking;

use std::{net::IpAddr, sync::Arc, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    calendar::GoogleCalendar,
    clock::Clock,
    config::Settings,
    domain::{
        change::{Policy, Refusal},
        field_errors::FieldErrors,
        messages::MessageRefusal,
        queue::QueueRefusal,
        schedule::ServiceWindow,
        survey::SurveyRefusal,
    },
    links::Links,
    metrics::Metrics,
    store::{Store, StoreError},
    tokens::SigningKey,
};

pub use admin::{
    Admin, Change, DEFAULT_JOB_LIMIT, HolidayInput, MAX_JOB_LIMIT, NewStaffInput, StaffPatchInput,
    SubjectAnonymised, ZoneInput,
};
pub use auth::{SignIn, StaffUser};
pub use indicators::{Indicators, ZoneIndicators};
pub use queue::{Counter as CounterView, DutyDayInput, JoinedQueue, QueueEntry, QueuePlace};
pub use staff_work::StaffRequest;
pub use submissions::Receipt;
pub use survey::Survey;
pub use tracking::Tracked;

use self::{limiter::SlidingWindow, reference_cache::ReferenceCache};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The rules do not allow the change (see [`Refusal::field`] for 409 or 422).
    #[error(transparent)]
    Refused(#[from] Refusal),
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
    /// The queue's rules refuse (409).
    #[error(transparent)]
    Queue(#[from] QueueRefusal),
    /// The thread takes no message now (409).
    #[error(transparent)]
    Thread(#[from] MessageRefusal),
    /// The survey takes no answer: the request is not eligible, or was answered (409).
    #[error(transparent)]
    Survey(#[from] SurveyRefusal),
    /// The zone's calendar could not be read to check a time.
    #[error("calendar unavailable: {0}")]
    CalendarUnavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Input only the database could judge (a zone closed meanwhile) is the same kind of answer
/// as input the rules judged wrong: field errors.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Duplicate(duplicate) => {
                AppError::Invalid(admin::duplicate_errors(duplicate))
            }
            StoreError::UnknownZones(zones) => AppError::Invalid(admin::unknown_zones(&zones)),
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
    /// What changes to requests are judged against, from the settings.
    pub policy: Arc<Policy>,
    /// Signs the sign-in form's token (kept in the database, shared by every process).
    pub signing_key: SigningKey,
    pub links: Links,
    limits: Arc<Limits>,
}

struct Limits {
    submissions: SlidingWindow<IpAddr>,
    /// Failed sign-ins of one account from one address: that address is stopped.
    failed_logins_by_account_and_address: SlidingWindow<(String, IpAddr)>,
    /// Failed sign-ins from one address, whatever the account: that address is stopped.
    failed_logins_by_address: SlidingWindow<IpAddr>,
    /// Failed sign-ins of one account, whatever the address: the account is slowed down.
    failed_logins_by_account: SlidingWindow<String>,
}

impl App {
    pub fn new(
        store: Store,
        settings: Settings,
        calendar: Option<GoogleCalendar>,
        clock: Clock,
        signing_key: SigningKey,
    ) -> anyhow::Result<App> {
        let policy = settings.change_policy()?;
        let login_window =
            Duration::from_secs(u64::from(settings.auth.failed_login_window_minutes) * 60);
        let limits = Limits {
            submissions: SlidingWindow::new(
                settings.limits.submissions_per_minute,
                Duration::from_secs(60),
            ),
            failed_logins_by_account_and_address: SlidingWindow::new(
                settings.auth.max_failed_logins_per_account,
                login_window,
            ),
            failed_logins_by_address: SlidingWindow::new(
                settings.auth.max_failed_logins_per_address,
                login_window,
            ),
            // Counted, never refused: see `App::sign_in_delay`.
            failed_logins_by_account: SlidingWindow::new(0, login_window),
        };
        Ok(App {
            reference: ReferenceCache::new(store.clone(), clock.clone()),
            metrics: Metrics::new()?,
            calendar,
            clock,
            store,
            links: Links::new(&settings.server.public_url),
            settings: Arc::new(settings),
            limits: Arc::new(limits),
            policy: Arc::new(policy),
            signing_key,
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today where the court is.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The window of zones without their own.
    pub fn default_window(&self) -> &ServiceWindow {
        &self.policy.default_window
    }
}
