//! Settings: built-in defaults (`config/default.toml`, compiled in), then a file, then the
//! environment. A bad value stops the start with a message that names its key.

use std::{net::SocketAddr, path::PathBuf};

use chrono::NaiveTime;
use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use url::Url;

use crate::domain::{
    change::{MeetingSource, Policy},
    email::Email,
    messages::ThreadPolicy,
    schedule::{Horizon, HorizonError, ServiceWindow, Weekdays},
    text::{Lines, check_characters},
};

/// The shipped defaults: every key has a value that works on a fresh checkout.
const DEFAULTS: &str = include_str!("../config/default.toml");
const DEFAULT_FILE: &str = "config/default.toml";
/// A handful of moves is a generous policy; more is a typo (the counter is a database int).
const MAX_REQUESTER_RESCHEDULES: u32 = 20;

/// Below this, a browser's ordinary headers and cookies would not fit.
const MIN_HEADER_BYTES: usize = 4096;
/// Well under hyper's own read buffer (about 400 KB), which would cut a head off first.
const MAX_HEADER_BYTES: usize = 262_144;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: CONTATO_CONFIG names {path}, which does not exist")]
    MissingFile { path: PathBuf },
    #[error("configuration key {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub reference: ReferenceSettings,
    pub smtp: SmtpSettings,
    pub email: EmailSettings,
    pub calendar: CalendarSettings,
    pub schedule: ScheduleSettings,
    pub worker: WorkerSettings,
    pub auth: AuthSettings,
    pub limits: LimitSettings,
    pub queue: QueueSettings,
    pub messages: MessageSettings,
    pub indicators: IndicatorSettings,
    pub privacy: PrivacySettings,
    pub retention: RetentionSettings,
    pub web: WebSettings,
    pub metrics: MetricsSettings,
    pub log: LogSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// The bearer token `/metrics` asks for; `None` keeps `/metrics` closed (404).
    #[serde(deserialize_with = "secret_or_none")]
    pub token: Option<SecretString>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    pub secretaria_rooms: Vec<Room>,
}

/// A videoconference room people may enter directly.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Room {
    pub name: String,
    pub link: String,
    #[serde(default)]
    pub hours: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    pub public_url: Url,
    pub shutdown_grace_seconds: u64,
    pub trust_forwarded_for: bool,
    /// Until a request's head is read whole. hyper starts the same clock while a kept-alive
    /// connection waits for its next request: this is also how long one may sit idle.
    pub header_read_timeout_seconds: u64,
    pub body_read_timeout_seconds: u64,
    pub write_timeout_seconds: u64,
    pub max_header_bytes: usize,
    pub max_connections: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May carry a password, hence kept out of `Debug`.
    pub url: SecretString,
    pub max_connections: u32,
    pub sqlite_busy_timeout_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSettings {
    pub zones_file: PathBuf,
    pub holidays_file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// `None` writes e-mails into `email.outbox_dir`.
    #[serde(deserialize_with = "secret_or_none")]
    pub url: Option<SecretString>,
    pub from: String,
    pub timeout_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub outbox_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub signature: String,
    pub reminder_hours: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarProvider {
    Manual,
    Google,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    pub provider: CalendarProvider,
    pub base_url: Url,
    #[serde(deserialize_with = "path_or_none")]
    pub credentials: Option<PathBuf>,
    pub calendar_id: String,
    #[serde(deserialize_with = "string_or_none")]
    pub subject: Option<String>,
    pub allowed_link_hosts: Vec<String>,
    pub add_requester_as_attendee: bool,
    pub conference_checks: u32,
    pub conference_check_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    #[serde(deserialize_with = "hour_minute")]
    pub opens: NaiveTime,
    #[serde(deserialize_with = "hour_minute")]
    pub closes: NaiveTime,
    pub slot_minutes: u32,
    pub weekdays: Vec<u32>,
    pub preferred_dates_max_days: u32,
    pub requester_cancel_notice_hours: u32,
    /// How far ahead staff may schedule a meeting, in days after today.
    pub max_days_ahead: u32,
    /// How long offered times are held for the requester to pick one.
    pub offer_expiry_hours: u32,
    /// A requester may move their meeting only while it starts at least this many hours
    /// from now.
    pub requester_reschedule_notice_hours: u32,
    /// How many times a requester may move their meeting (0: never); staff moves do not
    /// count.
    pub requester_reschedules_max: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSettings {
    pub run_in_serve: bool,
    pub poll_ms: u64,
    pub batch_size: u32,
    pub lease_seconds: u64,
    pub retry_first_seconds: u64,
    pub retry_max_seconds: u64,
    pub give_up_after_hours: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub token_ttl_hours: u32,
    pub max_failed_logins_per_account: u32,
    pub max_failed_logins_per_address: u32,
    pub failed_login_window_minutes: u32,
    pub max_sign_in_delay_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub submissions_per_minute: u32,
    pub open_requests_per_person: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSettings {
    /// Minutes a called person has to join before a clerk may mark them missed.
    pub grace_minutes: u32,
}

/// A clerk may wait a while, but not all morning, before calling the next person.
const MAX_GRACE_MINUTES: u32 = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSettings {
    /// Days of service the court has to answer a requester's message before the inbox marks
    /// the thread late.
    pub reply_business_days: u32,
    /// Minutes a message waits for the next ones before its e-mail goes.
    pub notice_delay_minutes: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSettings {
    /// Service hours within which a request should have its first answer.
    pub triage_target_hours: u32,
}

/// What the public privacy notice (`/privacidade`) says that differs from court to court.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    /// The controller ("controlador", LGPD art. 5 VI): the court, as the notice names it.
    pub controller_name: String,
    pub controller_address: String,
    /// The encarregado (LGPD art. 41): a person, or the unit that acts as one.
    pub dpo_name: String,
    pub dpo_email: String,
    /// Free text: a court may publish a 0800 number, which is no `Phone`.
    #[serde(deserialize_with = "string_or_none")]
    pub dpo_phone: Option<String>,
    /// Who carries the e-mails (a company or the court's own servers); `None`: the notice
    /// says "the court's e-mail service".
    #[serde(deserialize_with = "string_or_none")]
    pub email_provider: Option<String>,
    /// The court's general privacy policy, which the notice links to.
    #[serde(deserialize_with = "url_or_none")]
    pub policy_url: Option<Url>,
}

/// How long personal data is kept.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// After a request is final, its personal data is anonymised after this many days.
    pub anonymise_after_days: u32,
    /// E-mail files (.eml) and job payloads older than this many days are removed.
    pub mail_files_days: u32,
}

/// A day is the least the court can promise; a month of service days is already no promise.
const MAX_REPLY_BUSINESS_DAYS: u32 = 30;
/// Long enough to batch a burst of messages, short enough to still be news.
const MAX_NOTICE_DELAY_MINUTES: u32 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub filter: String,
    pub format: LogFormat,
}

impl Settings {
    /// Reads every layer: defaults, the file (`CONTATO_CONFIG` or `config/default.toml`),
    /// then `DATABASE_URL`, `GOOGLE_APPLICATION_CREDENTIALS` and `CONTATO_<SECTION>__<KEY>`.
    pub fn load() -> Result<Settings, ConfigError> {
        let file = match std::env::var_os("CONTATO_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(ConfigError::MissingFile { path });
                }
                Some(path)
            }
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|path| path.is_file()),
        };
        let mut figment = Self::builtin();
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let figment = figment
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .merge(
                Env::raw()
                    .only(&["GOOGLE_APPLICATION_CREDENTIALS"])
                    .map(|_| "calendar.credentials".into()),
            )
            .merge(
                Env::prefixed("CONTATO_")
                    .filter(|key| key.as_str().contains("__"))
                    .split("__"),
            );
        Self::from_figment(figment)
    }

    /// The compiled-in defaults alone, for tests and tools that must not read the environment.
    pub fn builtin() -> Figment {
        Figment::from(Toml::string(DEFAULTS))
    }

    pub fn from_figment(figment: Figment) -> Result<Settings, ConfigError> {
        let settings: Settings = figment.extract().map_err(Box::new)?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_string(),
            })
        };
        let database = self.database.url.expose_secret();
        if !(database.starts_with("sqlite:")
            || database.starts_with("postgres://")
            || database.starts_with("postgresql://"))
        {
            return invalid("database.url", "must start with sqlite: or postgres://");
        }
        if !(1..=MAX_GRACE_MINUTES).contains(&self.queue.grace_minutes) {
            return invalid(
                "queue.grace_minutes",
                &format!("must be between 1 and {MAX_GRACE_MINUTES}"),
            );
        }
        if !(1..=MAX_REPLY_BUSINESS_DAYS).contains(&self.messages.reply_business_days) {
            return invalid(
                "messages.reply_business_days",
                &format!("must be between 1 and {MAX_REPLY_BUSINESS_DAYS}"),
            );
        }
        if self.messages.notice_delay_minutes > MAX_NOTICE_DELAY_MINUTES {
            return invalid(
                "messages.notice_delay_minutes",
                &format!("must be between 0 and {MAX_NOTICE_DELAY_MINUTES}"),
            );
        }
        if !(1..=240).contains(&self.indicators.triage_target_hours) {
            return invalid(
                "indicators.triage_target_hours",
                "must be between 1 and 240",
            );
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1");
        }
        if self.server.header_read_timeout_seconds == 0 {
            return invalid("server.header_read_timeout_seconds", "must be at least 1");
        }
        if self.server.body_read_timeout_seconds == 0 {
            return invalid("server.body_read_timeout_seconds", "must be at least 1");
        }
        if self.server.write_timeout_seconds == 0 {
            return invalid("server.write_timeout_seconds", "must be at least 1");
        }
        if !(MIN_HEADER_BYTES..=MAX_HEADER_BYTES).contains(&self.server.max_header_bytes) {
            return invalid(
                "server.max_header_bytes",
                &format!("must be between {MIN_HEADER_BYTES} and {MAX_HEADER_BYTES}"),
            );
        }
        if self.server.max_connections == 0 {
            return invalid("server.max_connections", "must be at least 1");
        }
        if !matches!(self.server.public_url.scheme(), "http" | "https") {
            return invalid("server.public_url", "must be an http:// or https:// URL");
        }
        if let Some(smtp) = &self.smtp.url
            && !(smtp.expose_secret().starts_with("smtp://")
                || smtp.expose_secret().starts_with("smtps://"))
        {
            return invalid("smtp.url", "must start with smtp:// or smtps://");
        }
        if self.smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid(
                "smtp.from",
                "must be an address like \"Name <user@example.org>\"",
            );
        }
        if self.calendar.provider == CalendarProvider::Google && self.calendar.credentials.is_none()
        {
            return invalid(
                "calendar.credentials",
                "the google provider needs a service-account key (or GOOGLE_APPLICATION_CREDENTIALS)",
            );
        }
        if !self.calendar.base_url.path().ends_with('/') {
            return invalid("calendar.base_url", "must end with /");
        }
        if self.calendar.calendar_id.trim().is_empty() {
            return invalid("calendar.calendar_id", "must not be empty");
        }
        if let Err(error) = self.schedule.service_window() {
            return invalid("schedule", &error.to_string());
        }
        if let Err(error) = self.schedule.horizon() {
            return invalid("schedule.max_days_ahead", &error.to_string());
        }
        if self.schedule.max_days_ahead < self.schedule.preferred_dates_max_days {
            return invalid(
                "schedule.max_days_ahead",
                "must be at least schedule.preferred_dates_max_days: a date a requester may prefer must be one staff may schedule",
            );
        }
        if !(1..=24 * 30).contains(&self.schedule.offer_expiry_hours) {
            return invalid(
                "schedule.offer_expiry_hours",
                "must be between 1 and 720: offered times are held from everyone else meanwhile",
            );
        }
        // A notice longer than the horizon would let no meeting ever be moved: a setting that
        // says "requesters may reschedule" while forbidding it is a mistake, not a policy.
        if u64::from(self.schedule.requester_reschedule_notice_hours)
            > 24 * u64::from(self.schedule.max_days_ahead)
        {
            return invalid(
                "schedule.requester_reschedule_notice_hours",
                "must be at most 24 × schedule.max_days_ahead hours (set schedule.requester_reschedules_max to 0 to turn rescheduling by requesters off)",
            );
        }
        if self.schedule.requester_reschedules_max > MAX_REQUESTER_RESCHEDULES {
            return invalid(
                "schedule.requester_reschedules_max",
                "must be from 0 (requesters may not reschedule) to 20",
            );
        }
        if self.worker.poll_ms == 0 || self.worker.batch_size == 0 || self.worker.lease_seconds == 0
        {
            return invalid(
                "worker",
                "poll_ms, batch_size and lease_seconds must be above 0",
            );
        }
        for room in &self.web.secretaria_rooms {
            if crate::domain::meet_link::MeetLink::parse(
                &room.link,
                &self.calendar.allowed_link_hosts,
            )
            .is_err()
            {
                return invalid(
                    "web.secretaria_rooms",
                    "each link must be https on one of calendar.allowed_link_hosts",
                );
            }
        }
        if self.auth.token_ttl_hours == 0 {
            return invalid("auth.token_ttl_hours", "must be at least 1");
        }
        self.privacy.validate()?;
        Ok(())
    }

    pub fn database_url(&self) -> &str {
        self.database.url.expose_secret()
    }

    /// The settings that changes to requests are judged against.
    /// The thread's settings as the domain takes them.
    pub fn thread_policy(&self) -> ThreadPolicy {
        ThreadPolicy {
            reply_business_days: self.messages.reply_business_days,
            notice_delay: chrono::Duration::minutes(self.messages.notice_delay_minutes.into()),
        }
    }

    /// The retention periods (LGPD) a run applies.
    pub fn retention_policy(&self) -> crate::domain::retention::Retention {
        crate::domain::retention::Retention {
            anonymise_after_days: self.retention.anonymise_after_days,
            mail_files_days: self.retention.mail_files_days,
        }
    }

    pub fn change_policy(&self) -> Result<Policy, ConfigError> {
        let invalid = |key, error: &dyn std::fmt::Display| ConfigError::Invalid {
            key,
            message: error.to_string(),
        };
        Ok(Policy {
            source: match self.calendar.provider {
                CalendarProvider::Google => MeetingSource::Calendar,
                CalendarProvider::Manual => MeetingSource::Manual,
            },
            default_window: self
                .schedule
                .service_window()
                .map_err(|error| invalid("schedule", &error))?,
            reminder_hours: self.email.reminder_hours.clone(),
            allowed_link_hosts: self.calendar.allowed_link_hosts.clone(),
            requester_cancel_notice_hours: self.schedule.requester_cancel_notice_hours,
            requester_reschedule_notice_hours: self.schedule.requester_reschedule_notice_hours,
            requester_reschedules_max: self.schedule.requester_reschedules_max,
            horizon: self
                .schedule
                .horizon()
                .map_err(|error| invalid("schedule.max_days_ahead", &error))?,
            offer_expiry_hours: self.schedule.offer_expiry_hours,
        })
    }
}

impl PrivacySettings {
    /// The notice is what a court answers for: a blank name, an address that is no address,
    /// or a stray invisible character in it stops the start instead of reaching the public.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_string(),
            })
        };
        let lines = [
            ("privacy.controller_name", Some(&self.controller_name)),
            ("privacy.controller_address", Some(&self.controller_address)),
            ("privacy.dpo_name", Some(&self.dpo_name)),
            ("privacy.dpo_phone", self.dpo_phone.as_ref()),
            ("privacy.email_provider", self.email_provider.as_ref()),
        ];
        for (key, text) in lines {
            let Some(text) = text else { continue };
            if text.trim().is_empty() {
                return invalid(key, "must not be empty");
            }
            if check_characters(text, Lines::One).is_err() {
                return invalid(key, "must be one line without invisible characters");
            }
        }
        if Email::parse(&self.dpo_email).is_err() {
            return invalid(
                "privacy.dpo_email",
                "must be an e-mail address like encarregado@tre-pa.jus.br",
            );
        }
        if let Some(url) = &self.policy_url
            && !matches!(url.scheme(), "http" | "https")
        {
            return invalid("privacy.policy_url", "must be an http:// or https:// URL");
        }
        Ok(())
    }
}

impl ScheduleSettings {
    /// The window every zone uses unless it has its own.
    pub fn service_window(&self) -> Result<ServiceWindow, crate::domain::schedule::WindowError> {
        let weekdays = Weekdays::from_iso(self.weekdays.iter().copied())?;
        ServiceWindow::new(self.opens, self.closes, self.slot_minutes, weekdays)
    }

    /// How far ahead meetings may be scheduled.
    pub fn horizon(&self) -> Result<Horizon, HorizonError> {
        Horizon::days(self.max_days_ahead)
    }
}

fn secret_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let value = String::deserialize(d)?;
    Ok(Some(value)
        .filter(|v| !v.trim().is_empty())
        .map(SecretString::from))
}

fn string_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = String::deserialize(d)?;
    Ok(Some(value).filter(|v| !v.trim().is_empty()))
}

fn path_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    Ok(string_or_none(d)?.map(PathBuf::from))
}

fn url_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    string_or_none(d)?
        .map(|value| {
            Url::parse(value.trim())
                .map_err(|error| serde::de::Error::custom(format!("{value:?}: {error}")))
        })
        .transpose()
}

fn hour_minute<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let value = String::deserialize(d)?;
    crate::domain::zone::hour_minute(&value)
        .ok_or_else(|| serde::de::Error::custom(format!("{value:?} is not a time as HH:MM")))
}

#[cfg(test)]
// figment::Jail closures must return figment's own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn the_shipped_defaults_are_complete_and_valid() {
        let settings = Settings::from_figment(Settings::builtin()).unwrap();
        assert_eq!(settings.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.database_url(), "sqlite://data/contato.db?mode=rwc");
        assert!(settings.smtp.url.is_none());
        assert_eq!(settings.calendar.provider, CalendarProvider::Manual);
        assert_eq!(settings.calendar.credentials, None);
        assert_eq!(
            settings.schedule.service_window().unwrap(),
            ServiceWindow::default()
        );
        assert_eq!(settings.change_policy().unwrap().horizon.get(), 365);
        assert_eq!(settings.retention.anonymise_after_days, 1825);
        assert_eq!(settings.retention.mail_files_days, 30);
        assert_eq!(settings.privacy.dpo_phone, None);
        assert_eq!(settings.privacy.policy_url, None);
    }

    #[test]
    fn environment_overrides_single_keys() {
        Jail::expect_with(|jail| {
            jail.set_env("CONTATO_SERVER__BIND", "127.0.0.1:9000");
            jail.set_env("CONTATO_WORKER__POLL_MS", "250");
            jail.set_env("CONTATO_LIMITS__SUBMISSIONS_PER_MINUTE", "0");
            jail.set_env("DATABASE_URL", "postgres://postgres@127.0.0.1/contato");
            jail.set_env("GOOGLE_APPLICATION_CREDENTIALS", "/etc/contato/key.json");
            let settings = Settings::load().unwrap();
            assert_eq!(settings.server.bind.to_string(), "127.0.0.1:9000");
            assert_eq!(settings.worker.poll_ms, 250);
            assert_eq!(settings.limits.submissions_per_minute, 0);
            assert_eq!(
                settings.database_url(),
                "postgres://postgres@127.0.0.1/contato"
            );
            assert_eq!(
                settings.calendar.credentials,
                Some(PathBuf::from("/etc/contato/key.json"))
            );
            Ok(())
        });
    }

    #[test]
    fn contato_variables_win_over_database_url() {
        Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://a@127.0.0.1/one");
            jail.set_env("CONTATO_DATABASE__URL", "postgres://a@127.0.0.1/two");
            assert_eq!(
                Settings::load().unwrap().database_url(),
                "postgres://a@127.0.0.1/two"
            );
            Ok(())
        });
    }

    #[test]
    fn a_named_file_overrides_the_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "prod.toml",
                "[server]\npublic_url = \"https://contato.tre-pa.jus.br\"\n",
            )?;
            jail.set_env("CONTATO_CONFIG", "prod.toml");
            let settings = Settings::load().unwrap();
            assert_eq!(
                settings.server.public_url.as_str(),
                "https://contato.tre-pa.jus.br/"
            );
            assert_eq!(settings.server.bind.to_string(), "127.0.0.1:8080");
            Ok(())
        });
    }

    #[test]
    fn a_missing_named_file_is_an_error() {
        Jail::expect_with(|jail| {
            jail.set_env("CONTATO_CONFIG", "nowhere.toml");
            let error = Settings::load().unwrap_err().to_string();
            assert!(error.contains("nowhere.toml"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            ("CONTATO_SERVER__BIND", "not-an-address", "bind"),
            ("CONTATO_WORKER__POLL_MS", "soon", "poll_ms"),
            ("CONTATO_WORKER__POLL_MS", "0", "worker"),
            ("CONTATO_DATABASE__URL", "mysql://x", "database.url"),
            ("CONTATO_SMTP__URL", "http://mail", "smtp.url"),
            ("CONTATO_CALENDAR__PROVIDER", "outlook", "provider"),
            (
                "CONTATO_CALENDAR__PROVIDER",
                "google",
                "calendar.credentials",
            ),
            ("CONTATO_SCHEDULE__OPENS", "8h30", "opens"),
            ("CONTATO_SCHEDULE__CLOSES", "08:00", "schedule"),
            (
                "CONTATO_SCHEDULE__MAX_DAYS_AHEAD",
                "0",
                "schedule.max_days_ahead",
            ),
            (
                "CONTATO_SCHEDULE__MAX_DAYS_AHEAD",
                "36500",
                "schedule.max_days_ahead",
            ),
            (
                "CONTATO_SCHEDULE__MAX_DAYS_AHEAD",
                "30",
                "schedule.max_days_ahead",
            ),
            (
                "CONTATO_SCHEDULE__REQUESTER_RESCHEDULE_NOTICE_HOURS",
                "9000",
                "schedule.requester_reschedule_notice_hours",
            ),
            (
                "CONTATO_SCHEDULE__REQUESTER_RESCHEDULES_MAX",
                "21",
                "schedule.requester_reschedules_max",
            ),
            (
                "CONTATO_SCHEDULE__REQUESTER_RESCHEDULES_MAX",
                "-1",
                "requester_reschedules_max",
            ),
            ("CONTATO_SERVER__BINDD", "127.0.0.1:1", "bindd"),
            ("CONTATO_SERVER__PUBLIC_URL", "ftp://x", "server.public_url"),
            (
                "CONTATO_SERVER__HEADER_READ_TIMEOUT_SECONDS",
                "0",
                "server.header_read_timeout_seconds",
            ),
            (
                "CONTATO_SERVER__BODY_READ_TIMEOUT_SECONDS",
                "0",
                "server.body_read_timeout_seconds",
            ),
            (
                "CONTATO_SERVER__MAX_HEADER_BYTES",
                "100",
                "server.max_header_bytes",
            ),
            (
                "CONTATO_SERVER__MAX_HEADER_BYTES",
                "1000000",
                "server.max_header_bytes",
            ),
            (
                "CONTATO_SERVER__MAX_CONNECTIONS",
                "0",
                "server.max_connections",
            ),
            (
                "CONTATO_PRIVACY__DPO_EMAIL",
                "ouvidoria",
                "privacy.dpo_email",
            ),
            (
                "CONTATO_PRIVACY__CONTROLLER_NAME",
                "\"\"",
                "privacy.controller_name",
            ),
            (
                "CONTATO_PRIVACY__DPO_NAME",
                "Ouvidoria\u{200b}",
                "privacy.dpo_name",
            ),
            (
                "CONTATO_PRIVACY__POLICY_URL",
                "ftp://x",
                "privacy.policy_url",
            ),
            ("CONTATO_PRIVACY__POLICY_URL", "privacidade", "policy_url"),
            (
                "CONTATO_RETENTION__MAIL_FILES_DAYS",
                "-1",
                "mail_files_days",
            ),
        ];
        for (variable, value, key) in cases {
            Jail::expect_with(|jail| {
                jail.set_env(variable, value);
                let error = Settings::load().unwrap_err().to_string();
                assert!(
                    error.to_lowercase().contains(key),
                    "{variable}={value}: {error}"
                );
                Ok(())
            });
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        Jail::expect_with(|jail| {
            jail.set_env("CONTATO_DATABASE__URL", "postgres://u:hunter2@db/contato");
            jail.set_env("CONTATO_SMTP__URL", "smtp://u:hunter3@mail:587");
            let debug = format!("{:?}", Settings::load().unwrap());
            assert!(
                !debug.contains("hunter2") && !debug.contains("hunter3"),
                "{debug}"
            );
            Ok(())
        });
    }
}
