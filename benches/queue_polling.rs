//! Load benchmark of the same-day queue: many people following their place in zone 1's queue
//! (`GET /api/v1/queue/{id}?token=…`) while clerks work the staff inbox and call people, on
//! PostgreSQL and on SQLite in one run; does the polling slow the clerks down?
//!
//! `cargo bench --bench queue_polling`. For each database in turn (a fresh database
//! `contato_bench_<random>` on the server of `CONTATO_BENCH_DATABASE_URL`, then a SQLite file
//! in a temporary folder): `contato migrate` and `contato staff add` (an admin, K clerks of
//! zone 1); the real release binary `contato serve` without its worker; through the API a duty
//! day for today from 00:00 to 23:59 (so the counter is open whenever the bench runs), 200
//! requests in zone 1's inbox, people in the queue ahead (called by the clerks during the
//! run) and P people who poll. Then three phases, each a warm-up and the measured seconds:
//! the clerks alone (inbox reads, a call and its end about once a second each); the clerks
//! and the P people polling every `CONTATO_BENCH_POLL_MS`; the P people polling back to back
//! (the ceiling). The server is stopped and the floor runs: the position query a poll makes,
//! bare through sea-orm on the same database with the server's pool size, paced as the
//! people polled and back to back. A table for both databases at the end. The PostgreSQL
//! database is dropped and the SQLite folder removed at the end, also on failure. The exit
//! status is non-zero only when the harness itself fails, never because of a figure.

mod common;

use std::{
    collections::BTreeMap,
    process::ExitCode,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use contato::domain::schedule::SERVICE_TIME_ZONE;
use entities::queue_tickets;
use futures::{StreamExt, TryStreamExt, stream};
use sea_orm::{
    ColumnTrait, Condition, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use serde_json::{Value, json};

use common::{
    BenchDb, DEFAULT_DATABASE_URL, Process, cpf, cpu_seconds, env_or, machine_ticks,
    settings_from_env,
};

const DEFAULT_SECONDS: u64 = 10;
const DEFAULT_PEOPLE: usize = 500;
const DEFAULT_POLL_MS: u64 = 1000;
const DEFAULT_CLERKS: usize = 2;
const WARM_UP: Duration = Duration::from_secs(2);
/// The zone whose queue and inbox the bench uses.
const ZONE: i32 = 1;
/// Requests filed before the load, so the inbox has a full page (50) and a count of 200.
const INBOX_REQUESTS: usize = 200;
/// How often each clerk calls the next person (and ends the call at once).
const CALL_EVERY: Duration = Duration::from_secs(1);
/// A clerk's pause between two reads of the inbox: far more often than a person would, for
/// enough samples.
const CLERK_PAUSE: Duration = Duration::from_millis(20);
/// Pollers per shared HTTP client when the limit on open files is too low for one each.
const POLLERS_PER_CLIENT: usize = 50;
/// Requests filed and people joined at once while preparing (not measured).
const SETUP_CONCURRENCY: usize = 8;
/// The pool of `contato serve` when `CONTATO_BENCH_SERVER_ENV` does not set one (the shipped
/// `database.max_connections`); the floor's pool has the same size.
const DEFAULT_POOL: u32 = 10;
const PASSWORD: &str = "uma senha bem comprida";
const MEET_LINK: &str = "https://meet.google.com/abc-defg-hij";

/// The settings every run gives the server: the per-address limit counts joins too, the
/// open-requests limit would refuse the inbox's filler, and no worker runs in the process (a
/// duty day closing at 23:59 would have it close the tickets then; the e-mails are not what is
/// measured). `CONTATO_BENCH_SERVER_ENV` can override them.
const SERVER_ENV: [(&str, &str); 5] = [
    ("CONTATO_LIMITS__SUBMISSIONS_PER_MINUTE", "0"),
    ("CONTATO_LIMITS__OPEN_REQUESTS_PER_PERSON", "0"),
    ("CONTATO_WORKER__RUN_IN_SERVE", "false"),
    ("CONTATO_LOG__FORMAT", "json"),
    ("CONTATO_LOG__FILTER", "info"),
];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("queue_polling: harness failure: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    fn label(self) -> &'static str {
        match self {
            Backend::Postgres => "PostgreSQL",
            Backend::Sqlite => "SQLite",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

struct Config {
    postgres_url: String,
    backends: Vec<Backend>,
    seconds: u64,
    people: usize,
    poll: Duration,
    clerks: usize,
    /// `KEY=VALUE` pairs from `CONTATO_BENCH_SERVER_ENV`, given to the server after the
    /// bench's own settings.
    server_env: Vec<(String, String)>,
    /// The server's pool, which the floor's pool matches.
    pool: u32,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let number = |name: &str, default: u64| -> anyhow::Result<u64> {
            let value: u64 = env_or(name, &default.to_string())
                .parse()
                .with_context(|| format!("{name} must be a whole number"))?;
            if value == 0 {
                bail!("{name} must be at least 1");
            }
            Ok(value)
        };
        let mut backends = Vec::new();
        for name in env_or("CONTATO_BENCH_QUEUE_DATABASES", "postgres,sqlite").split(',') {
            let backend = match name.trim() {
                "postgres" => Backend::Postgres,
                "sqlite" => Backend::Sqlite,
                other => {
                    bail!("CONTATO_BENCH_QUEUE_DATABASES: `{other}` is neither postgres nor sqlite")
                }
            };
            if !backends.contains(&backend) {
                backends.push(backend);
            }
        }
        let server_env = settings_from_env("CONTATO_BENCH_SERVER_ENV")?;
        let pool = match server_env
            .iter()
            .find(|(key, _)| key == "CONTATO_DATABASE__MAX_CONNECTIONS")
        {
            Some((_, value)) => value
                .parse()
                .context("CONTATO_DATABASE__MAX_CONNECTIONS must be a whole number")?,
            None => DEFAULT_POOL,
        };
        Ok(Config {
            postgres_url: env_or("CONTATO_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
            backends,
            seconds: number("CONTATO_BENCH_SECONDS", DEFAULT_SECONDS)?,
            people: number("CONTATO_BENCH_QUEUE_PEOPLE", DEFAULT_PEOPLE as u64)? as usize,
            poll: Duration::from_millis(number("CONTATO_BENCH_POLL_MS", DEFAULT_POLL_MS)?),
            clerks: number("CONTATO_BENCH_CLERKS", DEFAULT_CLERKS as u64)? as usize,
            server_env,
            pool,
        })
    }

    fn measured(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }

    /// People joined ahead of the pollers, all aged 80+ so they are called first: enough for
    /// every call of the two phases with clerks, so the pollers keep waiting (and their
    /// places move up as the clerks call).
    fn people_ahead(&self) -> usize {
        let per_clerk = 2 * (WARM_UP + self.measured()).as_secs() / CALL_EVERY.as_secs() + 2;
        self.clerks * per_clerk as usize
    }
}

fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("a tokio runtime for the load generator")?;
    let open_files = open_files_limit();
    eprintln!(
        "queue_polling: {} people polling every {} ms, {} ahead of them, {} clerks; {} s warm-up and {} s measured per phase; open files limit {}",
        config.people,
        config.poll.as_millis(),
        config.people_ahead(),
        config.clerks,
        WARM_UP.as_secs(),
        config.seconds,
        open_files.map_or("unknown".to_string(), |n| n.to_string()),
    );
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for &backend in &config.backends {
        match run_backend(&runtime, &config, backend, open_files) {
            Ok(result) => {
                result.print_details(&config);
                results.push(result);
            }
            Err(error) => {
                eprintln!("queue_polling: {} run failed: {error:#}", backend.label());
                failures.push(format!("{}: {error:#}", backend.label()));
            }
        }
    }
    if !results.is_empty() {
        print_table(&config, &results);
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("; "));
    }
    for result in &results {
        if result.load.polls.ok == 0 {
            bail!(
                "{}: no poll was answered 200 (answers: {})",
                result.backend.label(),
                result.load.polls.answers()
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// One database

/// Where a run's data lives, removed when dropped (the PostgreSQL database dropped, the
/// SQLite folder deleted).
enum Storage {
    Postgres(BenchDb),
    Sqlite(tempfile::TempDir),
}

impl Storage {
    fn describe(&self) -> String {
        match self {
            Storage::Postgres(db) => format!("database {}", db.name),
            Storage::Sqlite(dir) => format!("file {}/contato.db", dir.path().display()),
        }
    }
}

fn run_backend(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    backend: Backend,
    open_files: Option<u64>,
) -> anyhow::Result<BackendResult> {
    let (storage, url) = match backend {
        Backend::Postgres => {
            let db = runtime.block_on(BenchDb::create("queue_polling", &config.postgres_url))?;
            let url = db.url.clone();
            (Storage::Postgres(db), url)
        }
        Backend::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("contato_bench_sqlite_")
                .tempdir()
                .context("a temporary folder for the SQLite database")?;
            let url = format!("sqlite://{}/contato.db?mode=rwc", dir.path().display());
            (Storage::Sqlite(dir), url)
        }
    };
    eprintln!("queue_polling: {}: {}", backend.label(), storage.describe());
    // The server is stopped inside (also on failure), before the storage goes.
    let result = run_on(runtime, config, backend, &url, open_files);
    if let Storage::Sqlite(dir) = storage {
        let path = dir.path().display().to_string();
        match dir.close() {
            Ok(()) => eprintln!("queue_polling: {path} removed"),
            Err(error) => eprintln!("queue_polling: could not remove {path}: {error}"),
        }
    }
    result
}

fn run_on(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    backend: Backend,
    url: &str,
    open_files: Option<u64>,
) -> anyhow::Result<BackendResult> {
    let started = Instant::now();
    common::cli(url, &["migrate"], None)?;
    common::cli(
        url,
        &[
            "staff",
            "add",
            "--email",
            "admin.bench@tre-pa.jus.br",
            "--name",
            "Ana Administradora",
            "--role",
            "admin",
        ],
        Some(PASSWORD),
    )?;
    for clerk in 0..config.clerks {
        let email = clerk_email(clerk);
        let name = format!("Servidor {} da Silva", letters(clerk));
        let zone = ZONE.to_string();
        common::cli(
            url,
            &[
                "staff", "add", "--email", &email, "--name", &name, "--role", "clerk", "--zone",
                &zone,
            ],
            Some(PASSWORD),
        )?;
    }

    let mut server = Server::start(url, config, backend)?;
    eprintln!(
        "queue_polling: {}: contato serve (pid {}) listening on {}",
        backend.label(),
        server.process.pid(),
        server.address
    );
    let base = format!("http://{}", server.address);
    let prepared = runtime.block_on(prepare(&base, config))?;
    eprintln!(
        "queue_polling: {}: prepared in {:.1} s (duty day {} 00:00–23:59, {} requests, {} + {} people in the queue)",
        backend.label(),
        started.elapsed().as_secs_f64(),
        prepared.today,
        INBOX_REQUESTS,
        config.people_ahead(),
        prepared.pollers.len(),
    );
    let clients = PollerClients::build(config.people, open_files)?;

    let pid = server.process.pid();
    let baseline = runtime.block_on(phase(
        pid,
        &base,
        &prepared.clerk_tokens,
        None,
        WARM_UP,
        config.measured(),
    ))?;
    eprintln!("queue_polling: {}: clerks alone done", backend.label());
    let load = runtime.block_on(phase(
        pid,
        &base,
        &prepared.clerk_tokens,
        Some((&prepared.pollers, &clients, Pacing::Every(config.poll))),
        WARM_UP,
        config.measured(),
    ))?;
    eprintln!(
        "queue_polling: {}: clerks and polling done",
        backend.label()
    );
    let ceiling = runtime.block_on(phase(
        pid,
        &base,
        &[],
        Some((&prepared.pollers, &clients, Pacing::BackToBack)),
        WARM_UP,
        config.measured(),
    ))?;
    eprintln!(
        "queue_polling: {}: back-to-back polling done",
        backend.label()
    );
    if !server.process.is_running()? {
        bail!(
            "the server died during the load; its last log lines:\n{}",
            server.process.log_tail()
        );
    }
    let log_lines = server.process.log_lines();
    server.process.stop()?;
    drop(clients);

    let ids: Vec<i64> = prepared.pollers.iter().map(|ticket| ticket.id).collect();
    let (floor_paced, floor_ceiling) = runtime.block_on(async {
        let db = floor_connection(url, backend, config.pool).await?;
        let rows = queue_tickets::Entity::find()
            .filter(queue_tickets::Column::Id.is_in(ids.clone()))
            .all(&db)
            .await
            .context("reading the pollers' tickets")?;
        if rows.len() != ids.len() {
            bail!("{} of {} tickets found", rows.len(), ids.len());
        }
        let rows = Arc::new(rows);
        let paced = floor(
            &db,
            rows.clone(),
            Pacing::Every(config.poll),
            WARM_UP,
            config.measured(),
        )
        .await?;
        let ceiling = floor(&db, rows, Pacing::BackToBack, WARM_UP, config.measured()).await?;
        db.close().await.ok();
        anyhow::Ok((paced, ceiling))
    })?;
    eprintln!("queue_polling: {}: bare SQL done", backend.label());
    Ok(BackendResult {
        backend,
        log_lines,
        shared_clients: clients_note(config.people, open_files),
        baseline,
        load,
        ceiling,
        floor_paced,
        floor_ceiling,
    })
}

fn clerk_email(clerk: usize) -> String {
    format!("servidor.{clerk}@tre-pa.jus.br")
}

/// `n` written with letters (a, b, …, z, ba, …): names take no digits.
fn letters(n: usize) -> String {
    let mut n = n;
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    out.iter().rev().collect::<String>().to_uppercase()
}

// ---------------------------------------------------------------------------------------
// The server

/// `contato serve` as a child process, stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    process: Process,
    address: String,
    /// Where e-mails written as files would go, removed when dropped (after the process is
    /// stopped: fields drop in order).
    _mail: tempfile::TempDir,
}

impl Server {
    fn start(database_url: &str, config: &Config, backend: Backend) -> anyhow::Result<Server> {
        let mail = tempfile::Builder::new()
            .prefix("contato_bench_mail_")
            .tempdir()
            .context("a temporary folder for e-mails")?;
        let mut command = common::contato("serve", database_url);
        command
            .env("CONTATO_SERVER__BIND", "127.0.0.1:0")
            .env("CONTATO_EMAIL__OUTBOX_DIR", mail.path());
        for (key, value) in SERVER_ENV {
            command.env(key, value);
        }
        for (key, value) in &config.server_env {
            command.env(key, value);
        }
        // CONTATO_BENCH_SERVER_LOG names a file; each database's server writes its whole log
        // to that name with `.postgres` or `.sqlite` appended.
        let log_copy = match std::env::var_os("CONTATO_BENCH_SERVER_LOG") {
            Some(path) if !path.is_empty() => {
                let mut path = path;
                path.push(format!(".{}", backend.key()));
                Some(
                    std::fs::File::create(&path)
                        .context("cannot create CONTATO_BENCH_SERVER_LOG")?,
                )
            }
            _ => None,
        };
        let process = Process::spawn("server", command, log_copy, |entry| {
            if entry["fields"]["message"] == "listening" {
                entry["fields"]["address"].as_str().map(str::to_string)
            } else {
                None
            }
        })?;
        match process.wait_found(Duration::from_secs(120)) {
            Some(found) => Ok(Server {
                address: found.value,
                process,
                _mail: mail,
            }),
            None => bail!(
                "the server did not log `listening`; its last log lines:\n{}",
                process.log_tail()
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Preparing: accounts signed in, the counter opened, the inbox filled, the queue joined

/// One person's ticket and the token that follows it.
#[derive(Debug, Clone)]
struct Ticket {
    id: i64,
    token: String,
}

struct Prepared {
    today: NaiveDate,
    clerk_tokens: Vec<String>,
    pollers: Vec<Ticket>,
}

/// Sends `request` and answers its JSON body, failing unless the status is `want`.
async fn expect(request: reqwest::RequestBuilder, want: u16, what: &str) -> anyhow::Result<Value> {
    let response = request
        .send()
        .await
        .with_context(|| format!("{what}: no answer"))?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    if status != want {
        bail!("{what}: {status} instead of {want}: {text}");
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn sign_in(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let answer = expect(
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": PASSWORD })),
        200,
        &format!("signing in as {email}"),
    )
    .await?;
    answer["token"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no token in the sign-in answer: {answer}"))
}

async fn prepare(base: &str, config: &Config) -> anyhow::Result<Prepared> {
    let client = common::http_client()?;
    let admin = sign_in(&client, base, "admin.bench@tre-pa.jus.br").await?;
    let mut clerk_tokens = Vec::new();
    for clerk in 0..config.clerks {
        clerk_tokens.push(sign_in(&client, base, &clerk_email(clerk)).await?);
    }

    // Today where the court is, as the server reckons it. A run that crosses local midnight
    // leaves the duty day behind: see README.
    let today = chrono::Utc::now()
        .with_timezone(&SERVICE_TIME_ZONE)
        .date_naive();
    expect(
        client
            .post(format!("{base}/api/v1/admin/zones/{ZONE}/duty-days"))
            .bearer_auth(&admin)
            .json(&json!({
                "date": today.format("%Y-%m-%d").to_string(),
                "opens": "00:00",
                "closes": "23:59",
                "note": "Plantão do benchmark",
            })),
        201,
        "adding today's duty day",
    )
    .await?;
    let counter = expect(
        client.get(format!("{base}/api/v1/zones/{ZONE}/queue")),
        200,
        "reading the counter",
    )
    .await?;
    if counter["open"] != Value::Bool(true) {
        bail!("zone {ZONE}'s counter is not open after the duty day: {counter}");
    }

    let run = uuid::Uuid::new_v4().as_u128();
    // Nine-digit CPF bases from a random point, so repeated runs differ too.
    let first = (run % 400_000_000) as u64;
    let tag = format!("{:08x}", (run >> 64) as u32);

    stream::iter(0..INBOX_REQUESTS as u64)
        .map(|n| {
            let body = json!({
                "zone": ZONE,
                "name": "Maria José de Souza",
                "cpf": cpf(100_000_000 + (first + n) % 900_000_000),
                "email": format!("pedido.{tag}.{n}@example.com"),
                "phone": "(91) 98765-4321",
                "role": "parte",
                "subject": "Dúvida sobre transferência de título",
                "description": "Gostaria de orientação sobre a transferência do meu título eleitoral.",
                "consent": true,
            });
            let request = client.post(format!("{base}/api/v1/requests")).json(&body);
            async move { expect(request, 201, "filing a request").await.map(|_| ()) }
        })
        .buffer_unordered(SETUP_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;

    let join = |n: u64, preferential: Option<&'static str>| {
        let names = [
            "Maria Souza",
            "José Pereira",
            "Ana Lima",
            "Raimundo Nonato",
            "Francisca Silva",
        ];
        let body = json!({
            "name": names[(n % names.len() as u64) as usize],
            "cpf": cpf(100_000_000 + (first + 500_000 + n) % 900_000_000),
            "email": format!("fila.{tag}.{n}@example.com"),
            "subject": "Segunda via do título",
            "preferential": preferential,
            "consent": true,
        });
        let request = client
            .post(format!("{base}/api/v1/zones/{ZONE}/queue"))
            .json(&body);
        async move {
            let answer = expect(request, 201, "joining the queue").await?;
            let id = answer["id"]
                .as_i64()
                .with_context(|| format!("no id in {answer}"))?;
            let token = answer["token"]
                .as_str()
                .with_context(|| format!("no token in {answer}"))?
                .to_string();
            anyhow::Ok(Ticket { id, token })
        }
    };
    // Those the clerks call, first and all aged 80+, so the pollers keep waiting.
    let ahead = config.people_ahead() as u64;
    stream::iter(0..ahead)
        .map(|n| join(n, Some("idoso80")))
        .buffer_unordered(SETUP_CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await?;
    // The pollers: a few preferential, as at a real counter.
    let pollers: Vec<Ticket> = stream::iter(ahead..ahead + config.people as u64)
        .map(|n| {
            let preferential = match n % 20 {
                0 => Some("idoso80"),
                5 => Some("gestante"),
                10 => Some("idoso"),
                _ => None,
            };
            join(n, preferential)
        })
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;

    // One poll before the load, to know the requests are right.
    let last = pollers.last().context("nobody joined")?;
    let place = expect(
        client.get(format!(
            "{base}/api/v1/queue/{}?token={}",
            last.id, last.token
        )),
        200,
        "following a place",
    )
    .await?;
    if place["status"] != "waiting" || place["position"].as_u64().is_none() {
        bail!("the last poller does not wait with a position: {place}");
    }
    Ok(Prepared {
        today,
        clerk_tokens,
        pollers,
    })
}

// ---------------------------------------------------------------------------------------
// The load

/// How a poller (or a floor task) spaces its requests.
#[derive(Debug, Clone, Copy)]
enum Pacing {
    /// One every interval, the tasks spread evenly over the first one; a late request does
    /// not make the next ones come faster.
    Every(Duration),
    /// The next as soon as the previous is answered.
    BackToBack,
}

/// Answers and latencies of one kind of request.
#[derive(Default)]
struct Samples {
    /// Microseconds, of every measured request whatever its answer; sorted by `finish`.
    micros: Vec<u64>,
    /// Answers with the expected status.
    ok: u64,
    /// Other statuses.
    statuses: BTreeMap<u16, u64>,
    /// No answer (connection refused or reset, timeout) or, in the floor, a database error.
    failed: u64,
}

impl Samples {
    fn record(&mut self, took: Duration, status: Option<u16>, want: u16) {
        self.micros.push(took.as_micros() as u64);
        match status {
            Some(status) if status == want => self.ok += 1,
            Some(status) => *self.statuses.entry(status).or_default() += 1,
            None => self.failed += 1,
        }
    }

    fn merge(&mut self, other: Samples) {
        self.micros.extend(other.micros);
        self.ok += other.ok;
        self.failed += other.failed;
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
    }

    fn finish(&mut self) {
        self.micros.sort_unstable();
    }

    fn count(&self) -> u64 {
        self.micros.len() as u64
    }

    fn errors(&self) -> u64 {
        self.statuses.values().sum::<u64>() + self.failed
    }

    /// The `q` quantile in milliseconds (nearest rank).
    fn quantile_ms(&self, q: f64) -> f64 {
        if self.micros.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * self.micros.len() as f64).ceil() as usize).max(1);
        self.micros[rank.min(self.micros.len()) - 1] as f64 / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.micros
            .last()
            .map_or(f64::NAN, |us| *us as f64 / 1000.0)
    }

    fn answers(&self) -> String {
        let mut parts = vec![format!("ok {}", self.ok)];
        parts.extend(
            self.statuses
                .iter()
                .map(|(status, count)| format!("{status}: {count}")),
        );
        if self.failed > 0 {
            parts.push(format!("no answer {}", self.failed));
        }
        parts.join(", ")
    }
}

/// The HTTP clients of the pollers: one each when the limit on open files allows (as many
/// browsers would), else one per `POLLERS_PER_CLIENT`, each keeping that many connections.
struct PollerClients {
    clients: Vec<reqwest::Client>,
    per_client: usize,
}

impl PollerClients {
    fn build(people: usize, open_files: Option<u64>) -> anyhow::Result<PollerClients> {
        let per_client = if one_client_each(people, open_files) {
            1
        } else {
            POLLERS_PER_CLIENT
        };
        let clients = (0..people.div_ceil(per_client))
            .map(|_| {
                reqwest::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(per_client)
                    .tcp_nodelay(true)
                    .timeout(Duration::from_secs(30))
                    .build()
                    .context("an HTTP client")
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(PollerClients {
            clients,
            per_client,
        })
    }

    fn of(&self, poller: usize) -> reqwest::Client {
        self.clients[poller / self.per_client].clone()
    }
}

/// Room for a connection per poller with the floor's pool and the rest to spare.
fn one_client_each(people: usize, open_files: Option<u64>) -> bool {
    open_files.is_some_and(|limit| limit >= people as u64 + 256)
}

fn clients_note(people: usize, open_files: Option<u64>) -> String {
    if one_client_each(people, open_files) {
        format!("{people} HTTP clients, one keep-alive connection per poller")
    } else {
        format!(
            "{} shared HTTP clients, {POLLERS_PER_CLIENT} pollers each (open files limit {})",
            people.div_ceil(POLLERS_PER_CLIENT),
            open_files.map_or("unknown".to_string(), |n| n.to_string())
        )
    }
}

/// The soft limit on open files of this process.
fn open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given and reads nothing else.
    let done = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (done == 0).then_some(limit.rlim_cur)
}

/// What one phase measured.
#[derive(Default)]
struct Phase {
    polls: Samples,
    inbox: Samples,
    calls: Samples,
    finishes: Samples,
    /// Calls answered 404: nobody waited.
    nobody_waiting: u64,
    measured: Duration,
    /// Seconds of the server's CPU within the measured time.
    server_cpu: f64,
    /// The machine's busy share within the measured time (0 to 1).
    machine_busy: f64,
}

impl Phase {
    fn polls_per_second(&self) -> f64 {
        self.polls.ok as f64 / self.measured.as_secs_f64()
    }

    fn inbox_per_second(&self) -> f64 {
        self.inbox.ok as f64 / self.measured.as_secs_f64()
    }
}

/// The clerks (each its own client, signed in) and, if given, the pollers, for `warm_up`
/// and then `measured`; only requests that start after the warm-up count.
async fn phase(
    server_pid: u32,
    base: &str,
    clerk_tokens: &[String],
    pollers: Option<(&[Ticket], &PollerClients, Pacing)>,
    warm_up: Duration,
    measured: Duration,
) -> anyhow::Result<Phase> {
    let start = Instant::now();
    let (measure_from, end) = (start + warm_up, start + warm_up + measured);
    let mut clerk_tasks = Vec::new();
    for token in clerk_tokens {
        let client = common::http_client()?;
        let (base, token) = (base.to_string(), token.clone());
        clerk_tasks.push(tokio::spawn(async move {
            clerk(client, base, token, measure_from, end).await
        }));
    }
    let mut poll_tasks = Vec::new();
    if let Some((tickets, clients, pacing)) = pollers {
        for (index, ticket) in tickets.iter().enumerate() {
            let url = format!("{base}/api/v1/queue/{}?token={}", ticket.id, ticket.token);
            let client = clients.of(index);
            let first = match pacing {
                Pacing::Every(interval) => {
                    start + interval.mul_f64(index as f64 / tickets.len() as f64)
                }
                Pacing::BackToBack => start,
            };
            poll_tasks.push(tokio::spawn(async move {
                poller(client, url, pacing, first, measure_from, end).await
            }));
        }
    }

    tokio::time::sleep_until(measure_from.into()).await;
    let cpu_before = cpu_seconds(server_pid)?;
    let ticks_before = machine_ticks()?;
    tokio::time::sleep_until(end.into()).await;
    let cpu_after = cpu_seconds(server_pid)?;
    let ticks_after = machine_ticks()?;

    let mut result = Phase {
        measured,
        server_cpu: cpu_after - cpu_before,
        machine_busy: (ticks_after.0 - ticks_before.0) as f64
            / (ticks_after.1 - ticks_before.1).max(1) as f64,
        ..Phase::default()
    };
    for task in poll_tasks {
        result
            .polls
            .merge(task.await.context("a poller task panicked")?);
    }
    for task in clerk_tasks {
        let clerk = task.await.context("a clerk task panicked")?;
        result.inbox.merge(clerk.inbox);
        result.calls.merge(clerk.calls);
        result.finishes.merge(clerk.finishes);
        result.nobody_waiting += clerk.nobody_waiting;
    }
    for samples in [
        &mut result.polls,
        &mut result.inbox,
        &mut result.calls,
        &mut result.finishes,
    ] {
        samples.finish();
    }
    Ok(result)
}

#[derive(Default)]
struct Clerk {
    inbox: Samples,
    calls: Samples,
    finishes: Samples,
    nobody_waiting: u64,
}

/// Sends a request, reads the answer to the end (so the connection is reused) and gives its
/// status (`None` without an answer); the body is parsed as JSON only when `parse` is set.
async fn exchange(request: reqwest::RequestBuilder, parse: bool) -> (Option<u16>, Value) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await.unwrap_or_default();
            let value = if parse {
                serde_json::from_slice(&body).unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            (Some(status), value)
        }
        Err(_) => (None, Value::Null),
    }
}

/// A clerk at the panel: reads the inbox's first page of the zone, pausing `CLERK_PAUSE`
/// between reads, and about once every `CALL_EVERY` calls the next person and ends the call.
async fn clerk(
    client: reqwest::Client,
    base: String,
    token: String,
    measure_from: Instant,
    end: Instant,
) -> Clerk {
    let inbox_url = format!("{base}/api/v1/staff/requests?zone={ZONE}");
    let call_url = format!("{base}/api/v1/staff/zones/{ZONE}/queue/call");
    let mut result = Clerk::default();
    let mut next_call = Instant::now() + CALL_EVERY;
    loop {
        let started = Instant::now();
        if started >= end {
            break;
        }
        let (status, _) = exchange(client.get(&inbox_url).bearer_auth(&token), false).await;
        if started >= measure_from {
            result.inbox.record(started.elapsed(), status, 200);
        }
        let now = Instant::now();
        if now >= next_call && now < end {
            next_call = now + CALL_EVERY;
            let (status, body) = exchange(
                client
                    .post(&call_url)
                    .bearer_auth(&token)
                    .json(&json!({ "meet_link": MEET_LINK })),
                true,
            )
            .await;
            let counts = now >= measure_from;
            if status == Some(404) {
                if counts {
                    result.nobody_waiting += 1;
                }
            } else if counts {
                result.calls.record(now.elapsed(), status, 200);
            }
            let called = body["id"].as_i64().filter(|_| status == Some(200));
            if let Some(id) = called {
                let started = Instant::now();
                let (status, _) = exchange(
                    client
                        .post(format!("{base}/api/v1/staff/queue/{id}/finish"))
                        .bearer_auth(&token)
                        .json(&json!({ "outcome": "attended" })),
                    false,
                )
                .await;
                if counts {
                    result.finishes.record(started.elapsed(), status, 200);
                }
            }
        }
        if status.is_none() {
            // A refused connection fails at once: do not spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(CLERK_PAUSE).await;
    }
    result
}

/// One person following their place from `first` on.
async fn poller(
    client: reqwest::Client,
    url: String,
    pacing: Pacing,
    first: Instant,
    measure_from: Instant,
    end: Instant,
) -> Samples {
    let mut samples = Samples::default();
    let mut ticker = match pacing {
        Pacing::Every(interval) => {
            let mut ticker = tokio::time::interval_at(first.into(), interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            Some(ticker)
        }
        Pacing::BackToBack => None,
    };
    loop {
        if let Some(ticker) = ticker.as_mut() {
            ticker.tick().await;
        }
        let started = Instant::now();
        if started >= end {
            break;
        }
        let (status, _) = exchange(client.get(&url), false).await;
        if started >= measure_from {
            samples.record(started.elapsed(), status, 200);
        }
        if status.is_none() && ticker.is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    samples
}

// ---------------------------------------------------------------------------------------
// The floor: the position query, bare

/// A pool like the server's: the same size and, on SQLite, the same connection settings
/// (`Store::connect`).
async fn floor_connection(
    url: &str,
    backend: Backend,
    pool: u32,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(pool)
        .min_connections(pool)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if backend == Backend::Sqlite {
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    Database::connect(options)
        .await
        .context("connecting to the database for the floor")
}

/// What `store::queue::position_of` counts for a waiting ticket, built the same way: those
/// waiting before `row` in its zone's queue of its day.
async fn position_query(db: &DatabaseConnection, row: &queue_tickets::Model) -> Result<u64, DbErr> {
    use queue_tickets::Column as C;
    let before = Condition::any()
        .add(C::PreferenceRank.lt(row.preference_rank))
        .add(
            Condition::all()
                .add(C::PreferenceRank.eq(row.preference_rank))
                .add(C::JoinedAt.lt(row.joined_at)),
        )
        .add(
            Condition::all()
                .add(C::PreferenceRank.eq(row.preference_rank))
                .add(C::JoinedAt.eq(row.joined_at))
                .add(C::Id.lt(row.id)),
        );
    queue_tickets::Entity::find()
        .filter(C::ZoneId.eq(row.zone_id))
        .filter(C::ServiceDate.eq(row.service_date))
        .filter(C::Status.eq("waiting"))
        .filter(before)
        .count(db)
        .await
}

/// One task per ticket running its position query, paced as the pollers were or back to
/// back, for `warm_up` and then `measured`.
async fn floor(
    db: &DatabaseConnection,
    rows: Arc<Vec<queue_tickets::Model>>,
    pacing: Pacing,
    warm_up: Duration,
    measured: Duration,
) -> anyhow::Result<Phase> {
    let start = Instant::now();
    let (measure_from, end) = (start + warm_up, start + warm_up + measured);
    let mut tasks = Vec::with_capacity(rows.len());
    for index in 0..rows.len() {
        let (db, rows) = (db.clone(), rows.clone());
        let first = match pacing {
            Pacing::Every(interval) => start + interval.mul_f64(index as f64 / rows.len() as f64),
            Pacing::BackToBack => start,
        };
        tasks.push(tokio::spawn(async move {
            let row = &rows[index];
            let mut samples = Samples::default();
            let mut ticker = match pacing {
                Pacing::Every(interval) => {
                    let mut ticker = tokio::time::interval_at(first.into(), interval);
                    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    Some(ticker)
                }
                Pacing::BackToBack => None,
            };
            loop {
                if let Some(ticker) = ticker.as_mut() {
                    ticker.tick().await;
                }
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let answer = position_query(&db, row).await;
                if started >= measure_from {
                    samples.record(started.elapsed(), answer.is_ok().then_some(200), 200);
                }
                if answer.is_err() && ticker.is_none() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            samples
        }));
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let ticks_before = machine_ticks()?;
    tokio::time::sleep_until(end.into()).await;
    let ticks_after = machine_ticks()?;
    let mut result = Phase {
        measured,
        machine_busy: (ticks_after.0 - ticks_before.0) as f64
            / (ticks_after.1 - ticks_before.1).max(1) as f64,
        ..Phase::default()
    };
    for task in tasks {
        result
            .polls
            .merge(task.await.context("a floor task panicked")?);
    }
    result.polls.finish();
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// The report

struct BackendResult {
    backend: Backend,
    log_lines: u64,
    shared_clients: String,
    /// The clerks alone.
    baseline: Phase,
    /// The clerks and the pollers at their pace.
    load: Phase,
    /// The pollers back to back, no clerks.
    ceiling: Phase,
    /// The position query, bare, at the pollers' pace.
    floor_paced: Phase,
    /// The position query, bare, back to back.
    floor_ceiling: Phase,
}

impl BackendResult {
    /// Server CPU per poll beyond what the clerks alone used, in milliseconds.
    fn cpu_ms_per_poll(&self) -> f64 {
        let extra = self.load.server_cpu
            - self.baseline.server_cpu
                * (self.load.measured.as_secs_f64() / self.baseline.measured.as_secs_f64());
        extra * 1000.0 / self.load.polls.ok.max(1) as f64
    }

    fn print_details(&self, config: &Config) {
        let label = self.backend.label();
        println!();
        println!(
            "queue_polling on {label}: {} people polling every {} ms ({}), {} ahead of them, {} clerks (inbox every {} ms, a call and its end every {} s each); {} s measured per phase after {} s warm-up",
            config.people,
            config.poll.as_millis(),
            self.shared_clients,
            config.people_ahead(),
            config.clerks,
            CLERK_PAUSE.as_millis(),
            CALL_EVERY.as_secs(),
            config.seconds,
            WARM_UP.as_secs(),
        );
        let phases = [
            ("clerks alone", &self.baseline),
            ("clerks + polling", &self.load),
            ("polling back to back", &self.ceiling),
        ];
        for (name, phase) in phases {
            let mut line = format!("  {name}:");
            if phase.polls.count() > 0 {
                line.push_str(&format!(" polls [{}];", phase.polls.answers()));
            }
            if phase.inbox.count() > 0 {
                line.push_str(&format!(
                    " inbox [{}]; calls [{}], nobody waiting {}; ends [{}] p99 {:.2} ms;",
                    phase.inbox.answers(),
                    phase.calls.answers(),
                    phase.nobody_waiting,
                    phase.finishes.answers(),
                    phase.finishes.quantile_ms(0.99),
                ));
            }
            line.push_str(&format!(
                " server CPU {:.2} s, machine {:.0}% busy",
                phase.server_cpu,
                phase.machine_busy * 100.0
            ));
            println!("{line}");
        }
        for (name, phase) in [
            ("bare SQL paced", &self.floor_paced),
            ("bare SQL back to back", &self.floor_ceiling),
        ] {
            println!(
                "  {name}: [{}], p50 {:.2} ms, p99 {:.2} ms, machine {:.0}% busy",
                phase.polls.answers(),
                phase.polls.quantile_ms(0.50),
                phase.polls.quantile_ms(0.99),
                phase.machine_busy * 100.0
            );
        }
        println!(
            "  server: {} log lines; {:.3} ms of CPU per poll beyond the clerks' own",
            self.log_lines,
            self.cpu_ms_per_poll()
        );
    }
}

fn print_table(config: &Config, results: &[BackendResult]) {
    let ratio = |a: f64, b: f64| a / b;
    type Row = (String, Box<dyn Fn(&BackendResult) -> String>);
    let ms = |value: f64| format!("{value:.2}");
    let rows: Vec<Row> = vec![
        (
            format!(
                "polls/s ({} people, 1 per {} ms)",
                config.people,
                config.poll.as_millis()
            ),
            Box::new(move |r| format!("{:.1}", r.load.polls_per_second())),
        ),
        (
            "poll p50 ms".into(),
            Box::new(move |r| ms(r.load.polls.quantile_ms(0.50))),
        ),
        (
            "poll p99 ms".into(),
            Box::new(move |r| ms(r.load.polls.quantile_ms(0.99))),
        ),
        (
            "poll max ms".into(),
            Box::new(move |r| ms(r.load.polls.max_ms())),
        ),
        (
            "poll errors (non-200)".into(),
            Box::new(move |r| r.load.polls.errors().to_string()),
        ),
        (
            "inbox reads/s, clerks alone".into(),
            Box::new(move |r| format!("{:.1}", r.baseline.inbox_per_second())),
        ),
        (
            "inbox reads/s, under polling".into(),
            Box::new(move |r| format!("{:.1}", r.load.inbox_per_second())),
        ),
        (
            "inbox p50 ms, clerks alone".into(),
            Box::new(move |r| ms(r.baseline.inbox.quantile_ms(0.50))),
        ),
        (
            "inbox p50 ms, under polling".into(),
            Box::new(move |r| ms(r.load.inbox.quantile_ms(0.50))),
        ),
        (
            "inbox p50 ratio".into(),
            Box::new(move |r| {
                format!(
                    "{:.2}",
                    ratio(
                        r.load.inbox.quantile_ms(0.50),
                        r.baseline.inbox.quantile_ms(0.50)
                    )
                )
            }),
        ),
        (
            "inbox p99 ms, clerks alone".into(),
            Box::new(move |r| ms(r.baseline.inbox.quantile_ms(0.99))),
        ),
        (
            "inbox p99 ms, under polling".into(),
            Box::new(move |r| ms(r.load.inbox.quantile_ms(0.99))),
        ),
        (
            "inbox p99 ratio".into(),
            Box::new(move |r| {
                format!(
                    "{:.2}",
                    ratio(
                        r.load.inbox.quantile_ms(0.99),
                        r.baseline.inbox.quantile_ms(0.99)
                    )
                )
            }),
        ),
        (
            "inbox errors, alone / under polling".into(),
            Box::new(move |r| format!("{} / {}", r.baseline.inbox.errors(), r.load.inbox.errors())),
        ),
        (
            "calls, alone / under polling".into(),
            Box::new(move |r| format!("{} / {}", r.baseline.calls.ok, r.load.calls.ok)),
        ),
        (
            "call p99 ms, clerks alone".into(),
            Box::new(move |r| ms(r.baseline.calls.quantile_ms(0.99))),
        ),
        (
            "call p99 ms, under polling".into(),
            Box::new(move |r| ms(r.load.calls.quantile_ms(0.99))),
        ),
        (
            "call+end errors, alone / polling".into(),
            Box::new(move |r| {
                format!(
                    "{} / {}",
                    r.baseline.calls.errors() + r.baseline.finishes.errors(),
                    r.load.calls.errors() + r.load.finishes.errors()
                )
            }),
        ),
        (
            "server CPU ms per poll".into(),
            Box::new(move |r| format!("{:.3}", r.cpu_ms_per_poll())),
        ),
        (
            "machine busy %, alone / polling".into(),
            Box::new(move |r| {
                format!(
                    "{:.0} / {:.0}",
                    r.baseline.machine_busy * 100.0,
                    r.load.machine_busy * 100.0
                )
            }),
        ),
        (
            "bare SQL p50 ms (same pace)".into(),
            Box::new(move |r| ms(r.floor_paced.polls.quantile_ms(0.50))),
        ),
        (
            "bare SQL p99 ms (same pace)".into(),
            Box::new(move |r| ms(r.floor_paced.polls.quantile_ms(0.99))),
        ),
        (
            "poll p50 / bare SQL p50".into(),
            Box::new(move |r| {
                format!(
                    "{:.1}",
                    ratio(
                        r.load.polls.quantile_ms(0.50),
                        r.floor_paced.polls.quantile_ms(0.50)
                    )
                )
            }),
        ),
        (
            "HTTP polls/s, back to back".into(),
            Box::new(move |r| format!("{:.1}", r.ceiling.polls_per_second())),
        ),
        (
            "bare SQL queries/s, back to back".into(),
            Box::new(move |r| format!("{:.1}", r.floor_ceiling.polls_per_second())),
        ),
        (
            "HTTP / bare SQL, back to back".into(),
            Box::new(move |r| {
                format!(
                    "{:.3}",
                    ratio(
                        r.ceiling.polls_per_second(),
                        r.floor_ceiling.polls_per_second()
                    )
                )
            }),
        ),
        (
            "errors back to back, HTTP / SQL".into(),
            Box::new(move |r| {
                format!(
                    "{} / {}",
                    r.ceiling.polls.errors(),
                    r.floor_ceiling.polls.errors()
                )
            }),
        ),
    ];
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(6);
    println!();
    let mut header = format!("| {:<width$} |", "figure");
    let mut rule = format!("| {} |", "-".repeat(width));
    for result in results {
        header.push_str(&format!(" {:>12} |", result.backend.label()));
        rule.push_str(&format!(" {}: |", "-".repeat(11)));
    }
    println!("{header}");
    println!("{rule}");
    for (name, value) in &rows {
        let pad = width - name.chars().count();
        let mut line = format!("| {name}{} |", " ".repeat(pad));
        for result in results {
            line.push_str(&format!(" {:>12} |", value(result)));
        }
        println!("{line}");
    }
}
