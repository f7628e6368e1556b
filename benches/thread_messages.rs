//! Load benchmark of a request's written thread: requesters posting messages
//! (`POST /api/v1/requests/{protocol}/messages?token=…`) and reading their threads
//! (`GET` on the same path), on PostgreSQL and on SQLite in one run, against the SQL that
//! `Store::post_message` sends run bare and against a bare insert of the message row.
//!
//! `cargo bench --bench thread_messages`. For each database in turn (a fresh database
//! `contato_bench_<random>` on the server of `CONTATO_BENCH_DATABASE_URL`, then a SQLite file
//! in a temporary folder): `contato migrate` and `contato staff add` (a clerk of zone 1, so
//! requests are routed as in production); the real release binary `contato serve` without
//! its worker and without rate limits; N requests filed in zone 1 through the API. Then two
//! phases of C concurrent clients, each a warm-up and the measured seconds: posting messages
//! (about 200 characters) to requests picked at random among the N, and reading whole threads
//! back to back. The server is stopped and the floors run on the same database through a
//! pool of the server's size, with the same concurrency, picking and time: a bare `INSERT`
//! of one message row, then the statements `Store::post_message` sends, in one transaction
//! each. A table per database at the end. The PostgreSQL database is dropped and the SQLite
//! folder removed at the end, also on failure. The exit status is non-zero only when the
//! harness itself fails, never because of a figure.

mod common;

use std::{
    collections::{BTreeMap, HashMap},
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use contato::domain::{
    job::JobKind,
    messages::{Author, notice_job, notice_key},
};
use entities::{
    holidays, jobs, request_messages, requests,
    sea_orm_active_enums::{JobState, MessageAuthor},
    zones,
};
use futures::{StreamExt, TryStreamExt, stream};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
    sea_query::{Expr, OnConflict},
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use serde_json::{Value, json};

use common::{
    BenchDb, DEFAULT_DATABASE_URL, Process, cpf, cpu_seconds, env_or, machine_ticks,
    settings_from_env,
};

const DEFAULT_SECONDS: u64 = 10;
const DEFAULT_CLIENTS: usize = 8;
const DEFAULT_REQUESTS: usize = 200;
const WARM_UP: Duration = Duration::from_secs(2);
/// The zone the requests are filed in.
const ZONE: i32 = 1;
/// Requests filed at once while preparing (not measured).
const SETUP_CONCURRENCY: usize = 8;
/// The pool of `contato serve` when `CONTATO_BENCH_SERVER_ENV` does not set one (the shipped
/// `database.max_connections`); the floors' pool has the same size.
const DEFAULT_POOL: u32 = 10;
/// The shipped `database.sqlite_busy_timeout_ms`, which the floors' SQLite pool uses too.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "uma senha bem comprida";
/// What a requester writes (196 characters; the post's number is appended, so every message
/// differs and is about 200 characters long).
const MESSAGE: &str = "Bom dia. Mudei de endereço no ano passado e pedi a transferência do meu título para Belém, mas o aplicativo ainda mostra a seção antiga. Preciso fazer mais alguma coisa antes da eleição? Obrigada.";
/// The shipped `messages.notice_delay_minutes`: when the e-mail of a batch the bare SQL
/// opens is due.
const NOTICE_DELAY: chrono::Duration = chrono::Duration::minutes(5);
/// When the reply to a thread's first message is due, for the bare SQL. The store computes it
/// from the zone's calendar (Rust, not SQL); after the API's phase every thread already has
/// one, which the bare SQL keeps as the store does.
const REPLY_DUE: chrono::Duration = chrono::Duration::days(2);

/// The settings every run gives the server: no rate limit (the filing of N requests from one
/// address would hit them) and no worker in the process (the batches' e-mails are not what is
/// measured, and taking a batch would change the threads under the load).
/// `CONTATO_BENCH_SERVER_ENV` can override them.
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
            eprintln!("thread_messages: harness failure: {error:#}");
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
    /// C, concurrent clients (and floor tasks).
    clients: usize,
    /// N, requests filed.
    requests: usize,
    /// `KEY=VALUE` pairs from `CONTATO_BENCH_SERVER_ENV`, given to the server after the
    /// bench's own settings.
    server_env: Vec<(String, String)>,
    /// The server's pool, which the floors' pool matches.
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
        for name in env_or("CONTATO_BENCH_THREAD_DATABASES", "postgres,sqlite").split(',') {
            let backend = match name.trim() {
                "postgres" => Backend::Postgres,
                "sqlite" => Backend::Sqlite,
                other => {
                    bail!(
                        "CONTATO_BENCH_THREAD_DATABASES: `{other}` is neither postgres nor sqlite"
                    )
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
            clients: number("CONTATO_BENCH_CLIENTS", DEFAULT_CLIENTS as u64)? as usize,
            requests: number("CONTATO_BENCH_THREAD_REQUESTS", DEFAULT_REQUESTS as u64)? as usize,
            server_env,
            pool,
        })
    }

    fn measured(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }
}

fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("a tokio runtime for the load generator")?;
    eprintln!(
        "thread_messages: {} requests, {} clients, pool {}; {} s warm-up and {} s measured per phase",
        config.requests,
        config.clients,
        config.pool,
        WARM_UP.as_secs(),
        config.seconds,
    );
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for &backend in &config.backends {
        match run_backend(&runtime, &config, backend) {
            Ok(result) => {
                result.print(&config);
                results.push(result);
            }
            Err(error) => {
                eprintln!("thread_messages: {} run failed: {error:#}", backend.label());
                failures.push(format!("{}: {error:#}", backend.label()));
            }
        }
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("; "));
    }
    for result in &results {
        if result.posts.samples.ok == 0 {
            bail!(
                "{}: no post was answered 201 (answers: {})",
                result.backend.label(),
                result.posts.samples.answers()
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
) -> anyhow::Result<BackendResult> {
    let (storage, url) = match backend {
        Backend::Postgres => {
            let db = runtime.block_on(BenchDb::create("thread_messages", &config.postgres_url))?;
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
    eprintln!(
        "thread_messages: {}: {}",
        backend.label(),
        storage.describe()
    );
    // The server is stopped inside (also on failure), before the storage goes.
    let result = run_on(runtime, config, backend, &url);
    if let Storage::Sqlite(dir) = storage {
        let path = dir.path().display().to_string();
        match dir.close() {
            Ok(()) => eprintln!("thread_messages: {path} removed"),
            Err(error) => eprintln!("thread_messages: could not remove {path}: {error}"),
        }
    }
    result
}

fn run_on(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    backend: Backend,
    url: &str,
) -> anyhow::Result<BackendResult> {
    let started = Instant::now();
    let label = backend.label();
    common::cli(url, &["migrate"], None)?;
    let zone = ZONE.to_string();
    common::cli(
        url,
        &[
            "staff",
            "add",
            "--email",
            "servidor.bench@tre-pa.jus.br",
            "--name",
            "Servidor da Silva",
            "--role",
            "clerk",
            "--zone",
            &zone,
        ],
        Some(PASSWORD),
    )?;

    let mut server = Server::start(url, config, backend)?;
    eprintln!(
        "thread_messages: {label}: contato serve (pid {}) listening on {}",
        server.process.pid(),
        server.address
    );
    let base = format!("http://{}", server.address);
    let receipts = runtime.block_on(prepare(&base, config))?;
    eprintln!(
        "thread_messages: {label}: prepared in {:.1} s ({} requests filed, one message posted and read back)",
        started.elapsed().as_secs_f64(),
        receipts.len(),
    );

    let pid = server.process.pid();
    let thread_path = |receipt: &Receipt| {
        format!(
            "{base}/api/v1/requests/{}/messages?token={}",
            receipt.protocol, receipt.token
        )
    };
    let urls: Arc<Vec<String>> = Arc::new(receipts.iter().map(thread_path).collect());
    let clients = (0..config.clients)
        .map(|_| common::http_client())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let posts = runtime.block_on(drive(
        clients
            .iter()
            .map(|client| Work::Post {
                client: client.clone(),
                urls: urls.clone(),
            })
            .collect(),
        config,
        201,
        Some(pid),
    ))?;
    eprintln!(
        "thread_messages: {label}: requester posts done ({})",
        posts.samples.answers()
    );
    let reads = runtime.block_on(drive(
        clients
            .iter()
            .map(|client| Work::Read {
                client: client.clone(),
                urls: urls.clone(),
            })
            .collect(),
        config,
        200,
        Some(pid),
    ))?;
    eprintln!(
        "thread_messages: {label}: thread reads done ({})",
        reads.samples.answers()
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

    let (stored, insert, bare) = runtime.block_on(async {
        let db = floor_connection(url, backend, config.pool).await?;
        let protocols: Vec<String> = receipts.iter().map(|r| r.protocol.clone()).collect();
        let found: HashMap<String, requests::Model> = requests::Entity::find()
            .filter(requests::Column::Protocol.is_in(protocols))
            .all(&db)
            .await
            .context("reading the requests")?
            .into_iter()
            .map(|row| (row.protocol.clone(), row))
            .collect();
        let rows: Vec<Row> = receipts
            .iter()
            .map(|receipt| {
                found
                    .get(&receipt.protocol)
                    .map(|row| Row {
                        id: row.id,
                        batch: row.zone_notice_batch,
                    })
                    .with_context(|| format!("request {} not found", receipt.protocol))
            })
            .collect::<anyhow::Result<_>>()?;
        let stored = stored_counts(&db).await?;
        let rows = Arc::new(rows);
        let tasks = |make: fn(DatabaseConnection, Arc<Vec<Row>>) -> Work| -> Vec<Work> {
            (0..config.clients)
                .map(|_| make(db.clone(), rows.clone()))
                .collect()
        };
        let insert = drive(
            tasks(|db, rows| Work::Insert { db, rows }),
            config,
            201,
            None,
        )
        .await?;
        eprintln!(
            "thread_messages: {label}: bare INSERT done ({})",
            insert.samples.answers()
        );
        let bare = drive(tasks(|db, rows| Work::Bare { db, rows }), config, 201, None).await?;
        eprintln!(
            "thread_messages: {label}: bare post_message SQL done ({})",
            bare.samples.answers()
        );
        db.close().await.ok();
        anyhow::Ok((stored, insert, bare))
    })?;
    Ok(BackendResult {
        backend,
        log_lines,
        posts,
        reads,
        insert,
        bare,
        stored,
    })
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
// Preparing: the requests filed

/// A filed request: its protocol and the token that follows it.
#[derive(Debug, Clone)]
struct Receipt {
    protocol: String,
    token: String,
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

/// The text of the `n`th message.
fn message_text(n: u64) -> String {
    format!("{MESSAGE} ({n})")
}

async fn prepare(base: &str, config: &Config) -> anyhow::Result<Vec<Receipt>> {
    let client = common::http_client()?;
    let run = uuid::Uuid::new_v4().as_u128();
    // Nine-digit CPF bases from a random point, so repeated runs differ too.
    let first = (run % 400_000_000) as u64;
    let tag = format!("{:08x}", (run >> 64) as u32);
    let receipts: Vec<Receipt> = stream::iter(0..config.requests as u64)
        .map(|n| {
            let body = json!({
                "zone": ZONE,
                "name": "Maria José de Souza",
                "cpf": cpf(100_000_000 + (first + n) % 900_000_000),
                "email": format!("conversa.{tag}.{n}@example.com"),
                "phone": "(91) 98765-4321",
                "role": "parte",
                "subject": "Transferência de título",
                "description": "Gostaria de orientação sobre a transferência do meu título eleitoral.",
                "mode": "message",
                "consent": true,
            });
            let request = client.post(format!("{base}/api/v1/requests")).json(&body);
            async move {
                let answer = expect(request, 201, "filing a request").await?;
                let field = |name: &str| {
                    answer[name]
                        .as_str()
                        .map(str::to_string)
                        .with_context(|| format!("no {name} in {answer}"))
                };
                anyhow::Ok(Receipt {
                    protocol: field("protocol")?,
                    token: field("tracking_token")?,
                })
            }
        })
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;

    // One message posted and read back before the load, to know the requests are right.
    let receipt = receipts.first().context("no request filed")?;
    let url = format!(
        "{base}/api/v1/requests/{}/messages?token={}",
        receipt.protocol, receipt.token
    );
    let text = message_text(0);
    expect(
        client.post(&url).json(&json!({ "text": text })),
        201,
        "posting a message",
    )
    .await?;
    let thread = expect(client.get(&url), 200, "reading a thread").await?;
    let messages = thread["messages"].as_array().cloned().unwrap_or_default();
    if messages.len() != 1 || messages[0]["text"] != Value::String(text) {
        bail!("the thread does not hold the one message posted: {thread}");
    }
    Ok(receipts)
}

// ---------------------------------------------------------------------------------------
// The load and the floors

/// A request as the floors write to it: its id and the open batch of its requester's
/// messages.
#[derive(Debug, Clone, Copy)]
struct Row {
    id: i64,
    batch: Option<i64>,
}

/// What one client (or floor task) does, over and over, to a request picked at random.
enum Work {
    /// Posts a message through the API (the URLs of the N threads, tokens included).
    Post {
        client: reqwest::Client,
        urls: Arc<Vec<String>>,
    },
    /// Reads a whole thread through the API.
    Read {
        client: reqwest::Client,
        urls: Arc<Vec<String>>,
    },
    /// The physical floor: one bare `INSERT` of the message row, in autocommit.
    Insert {
        db: DatabaseConnection,
        rows: Arc<Vec<Row>>,
    },
    /// The statements `Store::post_message` sends, in one transaction.
    Bare {
        db: DatabaseConnection,
        rows: Arc<Vec<Row>>,
    },
}

/// One operation's end: its status (the floors answer `want` on success, `None` on a database
/// error), the bytes of the answer, and what went wrong if it did.
struct Outcome {
    status: Option<u16>,
    bytes: u64,
    error: Option<String>,
    /// The bare SQL's time in each of its statements, in microseconds.
    steps: Option<Laps>,
}

/// The statements of the bare SQL, in order, for the time each takes.
const STEPS: [&str; 8] = [
    "BEGIN",
    "request FOR UPDATE",
    "zone",
    "holidays",
    "INSERT message",
    "batch opened",
    "UPDATE request",
    "COMMIT",
];

/// Time spent in each of [`STEPS`].
#[derive(Debug, Clone, Copy)]
struct Laps {
    at: Instant,
    micros: [u64; STEPS.len()],
}

impl Laps {
    fn start() -> Laps {
        Laps {
            at: Instant::now(),
            micros: [0; STEPS.len()],
        }
    }

    /// The time since the last mark goes to `step`.
    fn mark(&mut self, step: usize) {
        let now = Instant::now();
        self.micros[step] += (now - self.at).as_micros() as u64;
        self.at = now;
    }
}

impl Work {
    async fn run(&self, target: usize, n: u64, want: u16) -> Outcome {
        match self {
            Work::Post { client, urls } => {
                let request = client
                    .post(&urls[target])
                    .json(&json!({ "text": message_text(n) }));
                exchange(request, want).await
            }
            Work::Read { client, urls } => exchange(client.get(&urls[target]), want).await,
            Work::Insert { db, rows } => {
                let row = rows[target];
                let done = request_messages::Entity::insert(request_messages::ActiveModel {
                    request_id: Set(row.id),
                    author: Set(MessageAuthor::Requester),
                    staff_id: Set(None),
                    body: Set(message_text(n)),
                    notice_batch: Set(row.batch.unwrap_or(0)),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                })
                .exec_without_returning(db)
                .await;
                floor_outcome(done.map(|_| ()), want, None)
            }
            Work::Bare { db, rows } => {
                let row = rows[target];
                let mut laps = Laps::start();
                let done =
                    post_message_bare(db, row.id, &message_text(n), Utc::now(), &mut laps).await;
                floor_outcome(done, want, Some(laps))
            }
        }
    }
}

/// Sends a request and reads the answer to the end (so the connection is reused).
async fn exchange(request: reqwest::RequestBuilder, want: u16) -> Outcome {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await.unwrap_or_default();
            Outcome {
                status: Some(status),
                bytes: body.len() as u64,
                error: (status != want)
                    .then(|| format!("{status}: {}", String::from_utf8_lossy(&body))),
                steps: None,
            }
        }
        Err(error) => Outcome {
            status: None,
            bytes: 0,
            error: Some(error.to_string()),
            steps: None,
        },
    }
}

fn floor_outcome(done: Result<(), DbErr>, want: u16, steps: Option<Laps>) -> Outcome {
    match done {
        Ok(()) => Outcome {
            status: Some(want),
            bytes: 0,
            error: None,
            steps,
        },
        Err(error) => Outcome {
            status: None,
            bytes: 0,
            error: Some(error.to_string()),
            steps: None,
        },
    }
}

/// What `Store::post_message` sends for a requester's message, statement for statement and
/// built the same way (same entities, same sea-orm calls), without what it does in Rust
/// between them (the decision of `domain::messages::on_message`, the zone's calendar built
/// from the holidays read):
/// - `BEGIN` (`BEGIN IMMEDIATE` on SQLite, as `Store::begin_write`);
/// - the request's row, `FOR UPDATE` on PostgreSQL (`ZoneScope::All`: no zone filter);
/// - `zone_facts`: the zone's row, then every holiday, by date and id (`zone_holidays` keeps
///   the zone's in Rust);
/// - the message, inserted with `ActiveModel::insert` (`RETURNING` on PostgreSQL; on SQLite
///   the insert and a `SELECT` of the new row);
/// - for the first message of a batch, the message's `notice_batch` set to its own id and the
///   batch's e-mail job (`outbox::enqueue`: `ON CONFLICT (dedupe_key) DO NOTHING`);
/// - the request's thread columns (`staff_unread`, `reply_due_at`, `zone_notice_batch`);
/// - `COMMIT`.
///
/// `laps` gets the time of each (see [`STEPS`]).
async fn post_message_bare(
    db: &DatabaseConnection,
    request_id: i64,
    text: &str,
    now: DateTime<Utc>,
    laps: &mut Laps,
) -> Result<(), DbErr> {
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    laps.mark(0);
    let row = requests::Entity::find_by_id(request_id)
        .filter(Condition::all())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("request {request_id}")))?;
    laps.mark(1);
    let zone = zones::Entity::find_by_id(row.zone_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("zone {}", row.zone_id)))?;
    laps.mark(2);
    let all_holidays = holidays::Entity::find()
        .order_by_asc(holidays::Column::Date)
        .order_by_asc(holidays::Column::Id)
        .all(&txn)
        .await?;
    std::hint::black_box((&zone, &all_holidays));
    laps.mark(3);
    let open_batch = row.zone_notice_batch;
    let stored = request_messages::ActiveModel {
        request_id: Set(row.id),
        author: Set(MessageAuthor::Requester),
        staff_id: Set(None),
        body: Set(text.to_string()),
        notice_batch: Set(open_batch.unwrap_or(0)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    laps.mark(4);
    let first = match open_batch {
        Some(first) => first,
        None => {
            request_messages::Entity::update_many()
                .col_expr(
                    request_messages::Column::NoticeBatch,
                    Expr::value(stored.id),
                )
                .filter(request_messages::Column::Id.eq(stored.id))
                .exec(&txn)
                .await?;
            let job = notice_job(row.id, Author::Requester, stored.id);
            let (kind, payload) = job
                .encode()
                .map_err(|error| DbErr::Custom(error.to_string()))?;
            jobs::Entity::insert_many([jobs::ActiveModel {
                kind: Set(kind.as_str().to_string()),
                payload: Set(payload),
                dedupe_key: Set(notice_key(row.id, Author::Requester, stored.id)),
                request_id: Set(job.request_id()),
                state: Set(JobState::Pending),
                attempts: Set(0),
                run_at: Set(now + NOTICE_DELAY),
                waits_for: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }])
            .on_conflict(
                OnConflict::column(jobs::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            laps.mark(5);
            stored.id
        }
    };
    requests::Entity::update_many()
        .set(requests::ActiveModel {
            staff_unread: Set(true),
            reply_due_at: Set(Some(row.reply_due_at.unwrap_or(now + REPLY_DUE))),
            zone_notice_batch: Set(Some(first)),
            ..Default::default()
        })
        .filter(requests::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    laps.mark(6);
    txn.commit().await?;
    laps.mark(7);
    Ok(())
}

/// A small xorshift: each task picks its requests from a sequence of its own.
struct Pick(u64);

impl Pick {
    fn new(seed: u64) -> Pick {
        Pick(seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}

/// Answers and latencies of one kind of operation.
#[derive(Default)]
struct Samples {
    /// Microseconds, of every measured operation whatever its answer; sorted by `finish`.
    micros: Vec<u64>,
    /// Answers with the expected status.
    ok: u64,
    /// Other statuses.
    statuses: BTreeMap<u16, u64>,
    /// No answer (connection refused or reset, timeout) or, in the floors, a database error.
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
            parts.push(format!("no answer or error {}", self.failed));
        }
        parts.join(", ")
    }
}

/// What one phase measured.
#[derive(Default)]
struct Phase {
    samples: Samples,
    measured: Duration,
    /// Operations answered `want`, the warm-up's included (every post of the API's phase
    /// is a message stored).
    ok_all: u64,
    /// Measured operations that found another one on the same request in flight.
    overlapping: u64,
    /// Bytes of the measured answers.
    bytes: u64,
    /// The first thing that went wrong, if anything did.
    first_error: Option<String>,
    /// The bare SQL's measured time in each of [`STEPS`], in microseconds.
    steps: [u64; STEPS.len()],
    /// Seconds of the server's CPU within the measured time (the API's phases).
    server_cpu: Option<f64>,
    /// The machine's busy share within the measured time (0 to 1).
    machine_busy: f64,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.samples.ok as f64 / self.measured.as_secs_f64()
    }

    fn overlapping_share(&self) -> f64 {
        self.overlapping as f64 / self.samples.count().max(1) as f64
    }

    fn server_cpu_ms_per_op(&self) -> Option<f64> {
        self.server_cpu
            .map(|cpu| cpu * 1000.0 / self.samples.ok.max(1) as f64)
    }
}

/// One task per `work`, each picking a request at random among those of the run and doing
/// its work on it back to back, for the warm-up and then the measured seconds; only
/// operations that start after the warm-up count.
async fn drive(
    work: Vec<Work>,
    config: &Config,
    want: u16,
    server_pid: Option<u32>,
) -> anyhow::Result<Phase> {
    let requests = config.requests;
    let measured = config.measured();
    let in_flight: Arc<Vec<AtomicU32>> =
        Arc::new((0..requests).map(|_| AtomicU32::new(0)).collect());
    let start = Instant::now();
    let (measure_from, end) = (start + WARM_UP, start + WARM_UP + measured);
    let mut tasks = Vec::with_capacity(work.len());
    for (index, work) in work.into_iter().enumerate() {
        let in_flight = in_flight.clone();
        tasks.push(tokio::spawn(async move {
            let mut pick = Pick::new(index as u64);
            let mut phase = Phase::default();
            let mut n = 0u64;
            loop {
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let target = pick.below(requests);
                n += 1;
                let overlapped = in_flight[target].fetch_add(1, Ordering::SeqCst) > 0;
                let outcome = work.run(target, index as u64 * 1_000_000 + n, want).await;
                in_flight[target].fetch_sub(1, Ordering::SeqCst);
                if outcome.status == Some(want) {
                    phase.ok_all += 1;
                }
                if started >= measure_from {
                    phase
                        .samples
                        .record(started.elapsed(), outcome.status, want);
                    phase.overlapping += u64::from(overlapped);
                    phase.bytes += outcome.bytes;
                    if let Some(laps) = outcome.steps {
                        for (total, step) in phase.steps.iter_mut().zip(laps.micros) {
                            *total += step;
                        }
                    }
                }
                if let Some(error) = outcome.error {
                    phase.first_error.get_or_insert(error);
                    if outcome.status.is_none() {
                        // A refused connection fails at once: do not spin.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            phase
        }));
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let cpu_before = server_pid.map(cpu_seconds).transpose()?;
    let ticks_before = machine_ticks()?;
    tokio::time::sleep_until(end.into()).await;
    let cpu_after = server_pid.map(cpu_seconds).transpose()?;
    let ticks_after = machine_ticks()?;
    let mut result = Phase {
        measured,
        server_cpu: cpu_before
            .zip(cpu_after)
            .map(|(before, after)| after - before),
        machine_busy: (ticks_after.0 - ticks_before.0) as f64
            / (ticks_after.1 - ticks_before.1).max(1) as f64,
        ..Phase::default()
    };
    for task in tasks {
        let phase = task.await.context("a load task panicked")?;
        result.samples.merge(phase.samples);
        result.ok_all += phase.ok_all;
        result.overlapping += phase.overlapping;
        result.bytes += phase.bytes;
        for (total, step) in result.steps.iter_mut().zip(phase.steps) {
            *total += step;
        }
        if result.first_error.is_none() {
            result.first_error = phase.first_error;
        }
    }
    result.samples.finish();
    Ok(result)
}

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
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    }
    Database::connect(options)
        .await
        .context("connecting to the database for the floors")
}

/// What the API's phases left in the database, before the floors write.
#[derive(Debug, Default, Clone, Copy)]
struct Stored {
    messages: u64,
    threads: u64,
    /// Distinct batches among the messages: one per thread, as no worker took any.
    batches: u64,
    /// The batches' e-mail jobs.
    jobs: u64,
}

async fn stored_counts(db: &DatabaseConnection) -> anyhow::Result<Stored> {
    let query = |sql: String| async move {
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.clone(),
        ))
        .await?
        .with_context(|| format!("no row from `{sql}`"))
    };
    let counts = query(
        "SELECT COUNT(*) AS messages, COUNT(DISTINCT request_id) AS threads, \
         COUNT(DISTINCT notice_batch) AS batches FROM request_messages"
            .to_string(),
    )
    .await?;
    let jobs = query(format!(
        "SELECT COUNT(*) AS jobs FROM jobs WHERE kind = '{}'",
        JobKind::MessagesToZone.as_str()
    ))
    .await?;
    let get = |row: &sea_orm::QueryResult, column: &str| -> anyhow::Result<u64> {
        Ok(row.try_get::<i64>("", column)? as u64)
    };
    Ok(Stored {
        messages: get(&counts, "messages")?,
        threads: get(&counts, "threads")?,
        batches: get(&counts, "batches")?,
        jobs: get(&jobs, "jobs")?,
    })
}

// ---------------------------------------------------------------------------------------
// The report

struct BackendResult {
    backend: Backend,
    log_lines: u64,
    /// The requesters posting through the API.
    posts: Phase,
    /// The threads read through the API.
    reads: Phase,
    /// The physical floor: a bare insert of the message row.
    insert: Phase,
    /// The statements of `Store::post_message`, bare.
    bare: Phase,
    /// What the API's phases stored.
    stored: Stored,
}

impl BackendResult {
    fn print(&self, config: &Config) {
        let label = self.backend.label();
        println!();
        println!(
            "thread_messages on {label}: {} requests in zone {ZONE}, {} clients (and floor tasks) each on a request picked at random, pool {}; {} s measured per phase after {} s warm-up",
            config.requests,
            config.clients,
            config.pool,
            config.seconds,
            WARM_UP.as_secs(),
        );
        let phases = [
            ("requester posts (API)", &self.posts),
            ("thread reads (API)", &self.reads),
            ("bare INSERT", &self.insert),
            ("post_message SQL, bare", &self.bare),
        ];
        for (name, phase) in phases {
            let mut line = format!(
                "  {name}: [{}], machine {:.0}% busy",
                phase.samples.answers(),
                phase.machine_busy * 100.0
            );
            if let Some(cpu) = phase.server_cpu {
                line.push_str(&format!(", server CPU {cpu:.2} s"));
            }
            if let Some(error) = &phase.first_error {
                let short: String = error.chars().take(300).collect();
                line.push_str(&format!("; first error: {short}"));
            }
            println!("{line}");
        }
        let bare_total: u64 = self.bare.steps.iter().sum();
        if bare_total > 0 {
            let per_post = self.bare.samples.ok.max(1) as f64;
            let parts: Vec<String> = STEPS
                .iter()
                .zip(self.bare.steps)
                .map(|(name, micros)| {
                    format!(
                        "{name} {:.3} ms ({:.0}%)",
                        micros as f64 / 1000.0 / per_post,
                        micros as f64 * 100.0 / bare_total as f64
                    )
                })
                .collect();
            println!(
                "  bare SQL, mean time per post in each statement: {}",
                parts.join(", ")
            );
        }
        // The prepare step posted one message before the load.
        let posted = self.posts.ok_all + 1;
        let stored = self.stored;
        println!(
            "  stored by the API: {} messages for {} answers 201 ({}), {} threads, {} batches, {} batch e-mails queued ({}); server log {} lines",
            stored.messages,
            posted,
            if stored.messages == posted {
                "all there"
            } else {
                "MISMATCH"
            },
            stored.threads,
            stored.batches,
            stored.jobs,
            if stored.batches == stored.threads && stored.jobs == stored.threads {
                "one per thread"
            } else {
                "NOT one per thread"
            },
            self.log_lines,
        );

        let ms = |value: f64| format!("{value:.2}");
        let per_s = |phase: &Phase| format!("{:.1}", phase.per_second());
        let percent = |share: f64| format!("{:.1}", share * 100.0);
        let cpu = |phase: &Phase| {
            phase
                .server_cpu_ms_per_op()
                .map_or("—".to_string(), |value| format!("{value:.3}"))
        };
        let (api, bare, insert, reads) = (&self.posts, &self.bare, &self.insert, &self.reads);
        let mean_thread = stored.messages as f64 / stored.threads.max(1) as f64;
        let rows: Vec<(String, String)> = vec![
            ("posts/s, API".into(), per_s(api)),
            ("post p50 ms, API".into(), ms(api.samples.quantile_ms(0.50))),
            ("post p99 ms, API".into(), ms(api.samples.quantile_ms(0.99))),
            ("post max ms, API".into(), ms(api.samples.max_ms())),
            (
                "posts not 201, API".into(),
                api.samples.errors().to_string(),
            ),
            ("server CPU ms per post".into(), cpu(api)),
            (
                "machine busy %, API posts".into(),
                format!("{:.0}", api.machine_busy * 100.0),
            ),
            ("posts/s, bare SQL".into(), per_s(bare)),
            (
                "post p50 ms, bare SQL".into(),
                ms(bare.samples.quantile_ms(0.50)),
            ),
            (
                "post p99 ms, bare SQL".into(),
                ms(bare.samples.quantile_ms(0.99)),
            ),
            ("errors, bare SQL".into(), bare.samples.errors().to_string()),
            ("posts/s, bare INSERT (floor)".into(), per_s(insert)),
            (
                "post p50 ms, bare INSERT".into(),
                ms(insert.samples.quantile_ms(0.50)),
            ),
            (
                "post p99 ms, bare INSERT".into(),
                ms(insert.samples.quantile_ms(0.99)),
            ),
            (
                "errors, bare INSERT".into(),
                insert.samples.errors().to_string(),
            ),
            (
                "API ÷ bare SQL, posts/s".into(),
                format!("{:.2}", api.per_second() / bare.per_second()),
            ),
            (
                "API ÷ bare SQL, p50".into(),
                format!(
                    "{:.2}",
                    api.samples.quantile_ms(0.50) / bare.samples.quantile_ms(0.50)
                ),
            ),
            (
                "bare SQL ÷ floor, posts/s".into(),
                format!("{:.2}", bare.per_second() / insert.per_second()),
            ),
            (
                "bare SQL ÷ floor, p50".into(),
                format!(
                    "{:.2}",
                    bare.samples.quantile_ms(0.50) / insert.samples.quantile_ms(0.50)
                ),
            ),
            (
                "posts overlapping on a request %, API / bare SQL".into(),
                format!(
                    "{} / {}",
                    percent(api.overlapping_share()),
                    percent(bare.overlapping_share())
                ),
            ),
            (
                "machine busy %, bare SQL / INSERT".into(),
                format!(
                    "{:.0} / {:.0}",
                    bare.machine_busy * 100.0,
                    insert.machine_busy * 100.0
                ),
            ),
            ("thread reads/s".into(), per_s(reads)),
            (
                "thread read p50 ms".into(),
                ms(reads.samples.quantile_ms(0.50)),
            ),
            (
                "thread read p99 ms".into(),
                ms(reads.samples.quantile_ms(0.99)),
            ),
            ("thread read max ms".into(), ms(reads.samples.max_ms())),
            (
                "thread reads not 200".into(),
                reads.samples.errors().to_string(),
            ),
            (
                "messages per thread (mean)".into(),
                format!("{mean_thread:.0}"),
            ),
            (
                "KiB per thread read (mean)".into(),
                format!(
                    "{:.1}",
                    reads.bytes as f64 / 1024.0 / reads.samples.count().max(1) as f64
                ),
            ),
            ("server CPU ms per read".into(), cpu(reads)),
        ];
        let width = rows
            .iter()
            .map(|(name, _)| name.chars().count())
            .max()
            .unwrap_or(6);
        let value_width = rows
            .iter()
            .map(|(_, value)| value.chars().count())
            .max()
            .unwrap_or(6)
            .max(label.chars().count());
        println!();
        println!("| {:<width$} | {:>value_width$} |", "figure", label);
        println!(
            "| {} | {}: |",
            "-".repeat(width),
            "-".repeat(value_width - 1)
        );
        for (name, value) in &rows {
            let pad = width - name.chars().count();
            let value_pad = value_width - value.chars().count();
            println!(
                "| {name}{} | {}{value} |",
                " ".repeat(pad),
                " ".repeat(value_pad)
            );
        }
    }
}
