//! Test fixtures: fresh databases, the application on a random port, valid sample data.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use contato::{
    clock::Clock,
    config::Settings,
    domain::{
        change::{Actor, MeetingSource, Policy, Refusal},
        command::{Command, ParsedCommand},
        holidays::ZoneHolidays,
        schedule::{Horizon, SERVICE_TIME_ZONE, ServiceWindow, Slot, ZoneCalendar},
        submission::{NewRequest, SubmissionInput, SubmissionRules},
    },
    reference::{SHIPPED_HOLIDAYS, parse_holidays},
    startup::Application,
    store::{RequestRecord, Store, StoreError, Transition, ZoneScope},
};
use sea_orm::{ConnectionTrait, Database, Statement};
use tokio::sync::oneshot;

/// Names a PostgreSQL server (any database on it): the suite then runs there instead of SQLite.
pub const POSTGRES_VARIABLE: &str = "CONTATO_TEST_DATABASE_URL";

pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
    /// A folder of the test's own for files (e-mails written to disk, …).
    scratch: tempfile::TempDir,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server: String, name: String },
}

impl TestDb {
    pub async fn new() -> TestDb {
        match std::env::var(POSTGRES_VARIABLE) {
            Ok(server) if !server.trim().is_empty() => {
                let name = format!("contato_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(server.as_str())
                    .await
                    .expect("the PostgreSQL server of CONTATO_TEST_DATABASE_URL answers");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("a test database can be created");
                admin.close().await.ok();
                let url = with_database(&server, &name);
                TestDb {
                    url,
                    cleanup: Cleanup::Postgres { server, name },
                    scratch: tempfile::tempdir().expect("a temporary folder"),
                }
            }
            _ => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}/contato.db?mode=rwc", folder.path().display());
                TestDb {
                    url,
                    cleanup: Cleanup::Sqlite(folder),
                    scratch: tempfile::tempdir().expect("a temporary folder"),
                }
            }
        }
    }
}

impl TestDb {
    pub fn scratch(&self) -> &std::path::Path {
        self.scratch.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { server, name } = &self.cleanup {
            let (server, name) = (server.clone(), name.clone());
            // Drop runs outside async: a small runtime on its own thread does the cleanup.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for cleanup");
                runtime.block_on(async {
                    let admin = Database::connect(server.as_str()).await?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await?;
                    admin.close().await
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop the test database {}", self.url);
            }
        }
    }
}

/// The same server URL with another database name in its path.
fn with_database(server: &str, database: &str) -> String {
    let mut url = url::Url::parse(server).expect("CONTATO_TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

/// The shipped defaults (never the developer's environment), on `db` and a random port,
/// with `overrides` as `("section.key", value)`.
pub fn settings_for(db: &TestDb, overrides: &[(&str, serde_json::Value)]) -> Settings {
    let mut figment = Settings::builtin()
        .merge(("database.url", db.url.as_str()))
        .merge(("server.bind", "127.0.0.1:0"))
        .merge(("database.max_connections", 10))
        // Tests look at the outbox as the requests left it; the mail tests run the worker.
        .merge(("worker.run_in_serve", false))
        .merge((
            "email.outbox_dir",
            db.scratch().join("mail").display().to_string(),
        ));
    for (key, value) in overrides {
        figment = figment.merge((*key, value.clone()));
    }
    Settings::from_figment(figment).expect("test settings are valid")
}

pub struct TestApp {
    pub address: String,
    pub store: Store,
    /// The app's and its worker's clock: move it to make time pass.
    pub clock: Clock,
    pub http: reqwest::Client,
    /// Held so that the database lives as long as the app (dropping it drops the database).
    _db: TestDb,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub fn db(&self) -> &TestDb {
        &self._db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in Belém, by the app's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The first `count` free slots of zone 1 (Belém) from tomorrow on, by the app's clock.
    pub fn future_slots(&self, count: usize) -> Vec<Slot> {
        slots_after(self.now(), count)
    }

    /// The first `count` free slots of zone 1 (Belém) starting `ahead` from now or later.
    pub fn slots_from(&self, ahead: chrono::Duration, count: usize) -> Vec<Slot> {
        let earliest = self.now() + ahead;
        slots_after(self.now(), usize::MAX)
            .into_iter()
            .filter(|slot| slot.start >= earliest)
            .take(count)
            .collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The whole application, migrated and loaded with the shipped zones and holidays, serving
/// on a random port until the returned value is dropped. Every test client comes from
/// 127.0.0.1, so the per-address submission limit is off here; its own tests turn it on.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[("limits.submissions_per_minute", serde_json::json!(0))]).await
}

/// As [`spawn_app`], with some settings changed.
pub async fn spawn_app_with(overrides: &[(&str, serde_json::Value)]) -> TestApp {
    spawn_app_at(test_clock(), overrides).await
}

/// As [`spawn_app`], at `moment`.
pub async fn spawn_app_when(moment: Moment) -> TestApp {
    spawn_app_at(
        moment.clock(),
        &[("limits.submissions_per_minute", serde_json::json!(0))],
    )
    .await
}

/// As [`spawn_app_with`], the app and its worker reading time from `clock`.
pub async fn spawn_app_at(clock: Clock, overrides: &[(&str, serde_json::Value)]) -> TestApp {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = TestDb::new().await;
    let application = Application::build(settings_for(&db, overrides), clock.clone())
        .await
        .expect("the application starts");
    let address = format!(
        "http://{}",
        application.local_addr().expect("a bound address")
    );
    let store = application.store().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        store,
        clock,
        http: reqwest::Client::new(),
        _db: db,
        stop: Some(stop),
    }
}

static SEQUENCE: AtomicU64 = AtomicU64::new(1);

/// A CPF with valid check digits, different on every call in this process.
pub fn unique_cpf() -> String {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed) + 100_000_000;
    let mut digits: Vec<u32> = format!("{:09}", n % 1_000_000_000)
        .chars()
        .map(|c| c.to_digit(10).unwrap_or(0))
        .collect();
    for length in [9, 10] {
        let sum: u32 = digits
            .iter()
            .zip((2..=length as u32 + 1).rev())
            .map(|(d, w)| d * w)
            .sum();
        let check = (sum * 10) % 11 % 10;
        digits.push(check);
    }
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect()
}

/// Names a moment (RFC 3339) at which every test's app starts its clock, e.g.
/// `CONTATO_TEST_NOW=2026-12-31T23:59:00-03:00 cargo test`: the suite must pass at any.
pub const NOW_VARIABLE: &str = "CONTATO_TEST_NOW";

/// The clock of a test's app: the wall clock, or one started at `CONTATO_TEST_NOW`.
pub fn test_clock() -> Clock {
    match std::env::var(NOW_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => {
            let at = DateTime::parse_from_rfc3339(text.trim())
                .expect("CONTATO_TEST_NOW is an RFC 3339 moment, e.g. 2026-12-04T11:25:00-03:00");
            Clock::starting_at(at.with_timezone(&Utc))
        }
        _ => Clock::system(),
    }
}

/// Moments at which time-sensitive behaviour tends to break, besides whenever the suite
/// runs: each time-sensitive test runs at all of them (see [`at_awkward_moments`]).
#[derive(Debug, Clone, Copy)]
pub enum Moment {
    /// Whenever the suite runs (the wall clock, or `CONTATO_TEST_NOW`).
    Now,
    /// Five minutes before the window closes, the weekend ahead.
    FridayBeforeClosing,
    /// The working day before a holiday (8 December, Dia da Justiça).
    HolidayEve,
    /// A minute before the year turns in Belém: already the next year in UTC, in the recesso.
    NewYearsEve,
    /// Mid-morning of a weekday inside the recesso forense (20 December to 6 January).
    Recesso,
}

impl Moment {
    pub fn clock(self) -> Clock {
        let at = match self {
            Moment::Now => return test_clock(),
            Moment::FridayBeforeClosing => "2026-12-04T11:25:00-03:00",
            Moment::HolidayEve => "2026-12-07T10:40:00-03:00",
            Moment::NewYearsEve => "2026-12-31T23:59:00-03:00",
            Moment::Recesso => "2026-12-22T10:00:00-03:00",
        };
        let at: DateTime<Utc> = at.parse().expect("a valid moment");
        Clock::starting_at(at)
    }
}

/// Runs the async test case `$case` (taking a [`Moment`]) once at each moment, as tests
/// named `$case::<moment>`.
macro_rules! at_awkward_moments {
    ($case:ident) => {
        mod $case {
            use $crate::helpers::Moment;

            #[tokio::test]
            async fn now() {
                super::$case(Moment::Now).await
            }

            #[tokio::test]
            async fn friday_before_closing() {
                super::$case(Moment::FridayBeforeClosing).await
            }

            #[tokio::test]
            async fn holiday_eve() {
                super::$case(Moment::HolidayEve).await
            }

            #[tokio::test]
            async fn new_years_eve() {
                super::$case(Moment::NewYearsEve).await
            }

            #[tokio::test]
            async fn recesso() {
                super::$case(Moment::Recesso).await
            }
        }
    };
}

pub fn today() -> NaiveDate {
    test_clock().today()
}

pub fn submission_input(zone: i64) -> SubmissionInput {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    SubmissionInput {
        zone: Some(zone),
        name: Some("Maria José de Souza".into()),
        cpf: Some(unique_cpf()),
        email: Some(format!("pessoa{n}@example.com")),
        phone: Some("(91) 98765-4321".into()),
        role: Some("parte".into()),
        oab: None,
        process_number: None,
        subject: Some("Dúvida sobre transferência de título".into()),
        description: Some("Gostaria de orientação sobre a transferência do meu título.".into()),
        preferred_dates: vec![],
        preferential: None,
        accessibility: vec![],
        accessibility_note: None,
        mode: None,
        consent: Some(true),
    }
}

/// A valid request for `zone` from a person not seen before.
pub fn new_request(zone: i64) -> NewRequest {
    new_request_from(submission_input(zone))
}

/// The request `input` describes, which must be valid.
pub fn new_request_from(input: SubmissionInput) -> NewRequest {
    let rules = SubmissionRules {
        today: today(),
        max_days_ahead: 60,
        max_preferred_dates: 5,
        is_business_day: &|date: NaiveDate| date.weekday().number_from_monday() <= 5,
    };
    NewRequest::parse(input, &rules).expect("the sample submission is valid")
}

/// The stored hash of a fresh tracking token.
pub fn token_hash() -> String {
    contato::tokens::Token::tracking()
        .expect("randomness")
        .hash()
}

/// The service's default window and the shipped holidays of Belém.
pub fn belem_calendar() -> (ServiceWindow, ZoneHolidays) {
    let holidays = parse_holidays(SHIPPED_HOLIDAYS).expect("shipped holidays parse");
    (
        ServiceWindow::default(),
        ZoneHolidays::for_zone(&holidays, &["Belém".to_string()]),
    )
}

/// Free slots of zone 1 (Belém) from the day after `now` on, for scheduling in tests.
pub fn slots_after(now: DateTime<Utc>, count: usize) -> Vec<Slot> {
    let (window, holidays) = belem_calendar();
    let calendar = ZoneCalendar {
        window: &window,
        holidays: &holidays,
    };
    let tomorrow = now
        .with_timezone(&SERVICE_TIME_ZONE)
        .date_naive()
        .succ_opt()
        .expect("a tomorrow");
    calendar
        .free_slots(tomorrow, 120, now, default_horizon(), |_| true)
        .into_iter()
        .take(count)
        .collect()
}

/// The shipped settings' scheduling horizon (`schedule.max_days_ahead`).
pub fn default_horizon() -> Horizon {
    Horizon::days(365).expect("a valid horizon")
}

/// The shipped settings' policy, with links made by hand (the manual provider).
pub fn manual_policy() -> Policy {
    Policy {
        source: MeetingSource::Manual,
        default_window: ServiceWindow::default(),
        reminder_hours: vec![24, 1],
        allowed_link_hosts: vec!["meet.google.com".into()],
        requester_cancel_notice_hours: 2,
        horizon: default_horizon(),
        offer_expiry_hours: 48,
        requester_reschedule_notice_hours: 24,
        requester_reschedules_max: 2,
    }
}

/// The store's answer to a change: refused, or the request as it became.
pub type Changed = Result<Result<RequestRecord, Refusal>, StoreError>;

impl TestApp {
    /// Asks the store for `command` on request `id` seen at `version`, as `actor` at the
    /// app's time, with the manual policy: what a use case does.
    pub async fn change(&self, id: i64, version: i32, command: Command, actor: Actor) -> Changed {
        self.change_as(id, version, command, actor, &ZoneScope::All, self.now())
            .await
    }

    /// As [`TestApp::change`], within `scope` and at `now`.
    pub async fn change_as(
        &self,
        id: i64,
        version: i32,
        command: Command,
        actor: Actor,
        scope: &ZoneScope,
        now: DateTime<Utc>,
    ) -> Changed {
        let command = ParsedCommand {
            command,
            note: None,
        };
        let asked = Transition {
            id,
            expected_version: version,
            command: &command,
            actor,
            scope,
            now,
        };
        self.store.transition(&asked, &manual_policy()).await
    }
}

/// Takes the database back to before migration `name` and up again, as an upgrade from that
/// version runs over the rows there. On a connection of its own: SQLite parses DDL against a
/// connection's cached schema, which the app's pooled connections may hold from before.
pub async fn replay_migrations_from(app: &TestApp, name: &str) {
    use migration::{Migrator, MigratorTrait};
    let all = Migrator::migrations();
    let index = all
        .iter()
        .position(|migration| migration.name() == name)
        .unwrap_or_else(|| panic!("a migration named {name}"));
    let steps = u32::try_from(all.len() - index).expect("a few migrations");
    let db = Database::connect(app.db().url.as_str())
        .await
        .expect("a connection of its own");
    Migrator::down(&db, Some(steps))
        .await
        .expect("the migrations go down");
    Migrator::up(&db, None)
        .await
        .expect("the migrations go up again");
    db.close().await.ok();
}

/// Row counts of every table, to prove a refused operation wrote nothing.
pub async fn row_counts(store: &Store) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "zones",
        "staff",
        "staff_zones",
        "requests",
        "request_events",
        "jobs",
        "holidays",
        "protocol_counters",
        "sessions",
        "audit_log",
        "queue_tickets",
        "zone_duty_days",
        "request_messages",
        "survey_answers",
        "indicator_days",
        "triage_months",
    ] {
        let backend = store.backend();
        let row = store
            .connection()
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("a count")
            .expect("a row");
        counts.push((
            table,
            row.try_get::<i64>("", "n").expect("an integer count"),
        ));
    }
    counts
}

/// One argon2id hash shared by the tests' accounts (hashing is slow on purpose).
pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| contato::passwords::hash_password(TEST_PASSWORD).expect("a hash"))
        .clone()
}

pub const TEST_PASSWORD: &str = "senha de teste bem longa";

/// A role and zones the rules accept.
pub fn assignment(
    role: contato::domain::staff::Role,
    zones: &[i32],
) -> contato::domain::staff::Assignment {
    let zones: Vec<i64> = zones.iter().copied().map(i64::from).collect();
    let zones = contato::domain::staff::account_zones(&zones).expect("zone numbers");
    contato::domain::staff::Assignment::new(role, zones).expect("a valid assignment")
}

pub async fn create_staff(
    store: &Store,
    email: &str,
    role: contato::domain::staff::Role,
    zones: &[i32],
) -> contato::store::StaffRecord {
    use contato::domain::{email::Email, text::PersonName};
    let new = contato::store::NewStaff {
        email: Email::parse(email).expect("a valid e-mail"),
        name: PersonName::parse("Servidora de Teste").expect("a valid name"),
        assignment: assignment(role, zones),
        password_hash: password_hash(),
        interpreter: false,
    };
    store
        .create_staff(&new, test_clock().now())
        .await
        .expect("the account is created")
}

pub async fn create_clerk(
    store: &Store,
    email: &str,
    zones: &[i32],
) -> contato::store::StaffRecord {
    create_staff(store, email, contato::domain::staff::Role::Clerk, zones).await
}

/// A valid JSON submission from a person not seen before.
pub fn submission_json(zone: i64) -> serde_json::Value {
    let input = submission_input(zone);
    serde_json::json!({
        "zone": zone,
        "name": input.name,
        "cpf": input.cpf,
        "email": input.email,
        "phone": input.phone,
        "role": "parte",
        "subject": input.subject,
        "description": input.description,
        "consent": true,
    })
}

impl TestApp {
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("the request is sent")
    }

    /// Files a valid request for `zone` through the API: `(protocol, tracking token)`.
    pub async fn submit(&self, zone: i64) -> (String, String) {
        let response = self
            .post_json("/api/v1/requests", &submission_json(zone))
            .await;
        assert_eq!(response.status(), 201, "the sample submission is accepted");
        let body: serde_json::Value = response.json().await.expect("a JSON receipt");
        (
            body["protocol"].as_str().expect("a protocol").to_string(),
            body["tracking_token"]
                .as_str()
                .expect("a token")
                .to_string(),
        )
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn sign_in(&self, email: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({ "email": email, "password": TEST_PASSWORD }),
            )
            .await;
        assert_eq!(response.status(), 200, "{email} signs in");
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        body["token"].as_str().expect("a token").to_string()
    }

    /// Asks for a change of request `id` through the staff API as `token`: the status and
    /// the JSON body (null when there is none).
    pub async fn transition_as(
        &self,
        token: &str,
        id: i64,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .post_as(
                token,
                &format!("/api/v1/staff/requests/{id}/transitions"),
                body,
            )
            .await;
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("the request is sent")
    }

    pub async fn post_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("the request is sent")
    }
}
