//! Load benchmark of `POST /api/v1/requests` on PostgreSQL, against pgbench as the ceiling.
//!
//! `cargo bench --bench submit_load`. In one run: a fresh database `contato_bench_<random>`
//! on the server of `CONTATO_BENCH_DATABASE_URL`; the real release binary `contato serve` on
//! it; a warm-up, then N concurrent keep-alive clients posting new submissions for
//! `CONTATO_BENCH_SECONDS`; the server's peak RSS; then pgbench with the same concurrency and
//! duration running the same writes in one transaction; a table of the figures and the
//! targets. The database is dropped at the end, also on failure. The exit status is non-zero
//! only when the harness itself fails, never because a target is missed.

mod common;

use std::{
    collections::BTreeMap,
    path::PathBuf,
    process::{Command, ExitCode},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::Datelike;
use sea_orm::{ConnectionTrait, Database, Statement};

use common::{
    BenchDb, DEFAULT_DATABASE_URL, Process, cpf, cpu_seconds, env_or, peak_rss_kib,
    settings_from_env,
};

const DEFAULT_SECONDS: u64 = 20;
const DEFAULT_CLIENTS: usize = 32;
const WARM_UP: Duration = Duration::from_secs(2);
const ZONES: [i64; 4] = [1, 28, 43, 5];

/// The settings every run gives the server: the rate limits would refuse a load test, and
/// the outbox worker is left to its own process (as a deployment may run it), so that the
/// endpoint's writes are measured against pgbench doing the same writes, not the e-mails
/// (two per submission) on top. `CONTATO_BENCH_SERVER_ENV` can turn it back on.
const SERVER_ENV: [(&str, &str); 5] = [
    ("CONTATO_LIMITS__SUBMISSIONS_PER_MINUTE", "0"),
    ("CONTATO_LIMITS__OPEN_REQUESTS_PER_PERSON", "0"),
    ("CONTATO_WORKER__RUN_IN_SERVE", "false"),
    ("CONTATO_LOG__FORMAT", "json"),
    ("CONTATO_LOG__FILTER", "info"),
];

/// The targets of the issue.
const TARGET_RATIO: f64 = 0.7;
const TARGET_P99_MS: f64 = 50.0;
const TARGET_RSS_MIB: f64 = 64.0;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("submit_load: harness failure: {error:#}");
            ExitCode::FAILURE
        }
    }
}

struct Config {
    server_url: String,
    seconds: u64,
    clients: usize,
    /// `KEY=VALUE` pairs from `CONTATO_BENCH_SERVER_ENV`, given to the server after the
    /// bench's own settings (so they can override the log filter, the pool size, …).
    server_env: Vec<(String, String)>,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let server_url = env_or("CONTATO_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL);
        let seconds: u64 = env_or("CONTATO_BENCH_SECONDS", &DEFAULT_SECONDS.to_string())
            .parse()
            .context("CONTATO_BENCH_SECONDS must be a whole number of seconds")?;
        let clients: usize = env_or("CONTATO_BENCH_CLIENTS", &DEFAULT_CLIENTS.to_string())
            .parse()
            .context("CONTATO_BENCH_CLIENTS must be a whole number")?;
        if seconds == 0 || clients == 0 {
            bail!("CONTATO_BENCH_SECONDS and CONTATO_BENCH_CLIENTS must be at least 1");
        }
        let server_env = settings_from_env("CONTATO_BENCH_SERVER_ENV")?;
        Ok(Config {
            server_url,
            seconds,
            clients,
            server_env,
        })
    }
}

fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("a tokio runtime for the load generator")?;
    let db = runtime.block_on(BenchDb::create("submit_load", &config.server_url))?;
    eprintln!("submit_load: database {}", db.name);

    let mut server = Server::start(&db.url, &config.server_env)?;
    eprintln!(
        "submit_load: contato serve (pid {}) listening on {}; {} clients, {} s warm-up, {} s measured",
        server.process.pid(),
        server.address,
        config.clients,
        WARM_UP.as_secs(),
        config.seconds
    );
    let cpu_before = cpu_seconds(server.process.pid())?;
    let load = runtime.block_on(drive(
        &server.address,
        config.clients,
        WARM_UP,
        Duration::from_secs(config.seconds),
    ))?;
    if !server.process.is_running()? {
        bail!(
            "the server died during the load; its last log lines:\n{}",
            server.process.log_tail()
        );
    }
    let memory = peak_rss_kib(server.process.pid())?;
    let cpu = cpu_seconds(server.process.pid())? - cpu_before;
    let log_lines = server.process.log_lines();
    server.process.stop()?;

    let zone_ids = runtime.block_on(zone_ids(&db))?;
    let pgbench = pgbench(&db.url, config.clients, config.seconds, &zone_ids)?;

    report(&config, &load, memory, cpu, log_lines, &pgbench);
    if load.created == 0 {
        bail!("no submission was accepted (statuses: {:?})", load.statuses);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The database

/// The ids of the zones the load rotates through, in the order of `ZONES`. Also makes sure
/// the year's protocol sequence exists (the service made it on its first submission).
async fn zone_ids(bench_db: &BenchDb) -> anyhow::Result<Vec<i64>> {
    let db = Database::connect(bench_db.url.as_str()).await?;
    db.execute_unprepared(&format!(
        "CREATE SEQUENCE IF NOT EXISTS protocol_{} MINVALUE 1",
        protocol_year()
    ))
    .await?;
    let mut ids = Vec::new();
    for number in ZONES {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT id::bigint AS id FROM zones WHERE number = {number}"),
            ))
            .await?
            .with_context(|| format!("zone {number} is not in the database"))?;
        ids.push(row.try_get::<i64>("", "id")?);
    }
    db.close().await.ok();
    Ok(ids)
}

// ---------------------------------------------------------------------------------------
// The server

/// `contato serve` as a child process, stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    process: Process,
    address: String,
    /// Where e-mails written as files go (if the process sends any), removed when dropped
    /// (after the process is stopped: fields drop in order).
    _mail: tempfile::TempDir,
}

impl Server {
    fn start(database_url: &str, extra_env: &[(String, String)]) -> anyhow::Result<Server> {
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
        for (key, value) in extra_env {
            command.env(key, value);
        }
        // CONTATO_BENCH_SERVER_LOG names a file that gets the whole log, for a closer look.
        // The log is read until `listening`, for the address.
        let log_copy = match std::env::var_os("CONTATO_BENCH_SERVER_LOG") {
            Some(path) if !path.is_empty() => Some(
                std::fs::File::create(&path).context("cannot create CONTATO_BENCH_SERVER_LOG")?,
            ),
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
// The load

#[derive(Default)]
struct Load {
    /// Measured requests: started after the warm-up and before the end.
    created: u64,
    statuses: BTreeMap<u16, u64>,
    transport_errors: u64,
    /// Every request sent, warm-up included.
    sent: u64,
    /// Microseconds, of every measured request whatever its answer.
    latencies: Vec<u64>,
    elapsed: Duration,
}

impl Load {
    fn non_created(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| **status != 201)
            .map(|(_, count)| count)
            .sum::<u64>()
            + self.transport_errors
    }

    fn per_second(&self) -> f64 {
        self.created as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile in milliseconds (nearest rank); `latencies` must be sorted.
    fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * self.latencies.len() as f64).ceil() as usize).max(1);
        self.latencies[rank.min(self.latencies.len()) - 1] as f64 / 1000.0
    }
}

/// Every client its own connection, kept alive, one request at a time, for `warm_up` and
/// then `measured`; only what starts after the warm-up counts.
async fn drive(
    address: &str,
    clients: usize,
    warm_up: Duration,
    measured: Duration,
) -> anyhow::Result<Load> {
    let url = format!("http://{address}/api/v1/requests");
    let people = Arc::new(People::new());
    let start = Instant::now();
    let (measure_from, end) = (start + warm_up, start + warm_up + measured);
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()
            .context("an HTTP client")?;
        let (url, people) = (url.clone(), people.clone());
        tasks.push(tokio::spawn(async move {
            let mut load = Load::default();
            loop {
                let body = people.next_body();
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let answer = client
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await;
                let status = match answer {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        // Read to the end, so the connection is reused.
                        let _ = response.bytes().await;
                        Some(status)
                    }
                    Err(_) => None,
                };
                let took = started.elapsed();
                load.sent += 1;
                if started >= measure_from {
                    load.latencies.push(took.as_micros() as u64);
                    match status {
                        Some(201) => load.created += 1,
                        Some(other) => *load.statuses.entry(other).or_default() += 1,
                        None => load.transport_errors += 1,
                    }
                }
                if status.is_none() {
                    // A refused connection fails at once: do not spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            load
        }));
    }
    let mut total = Load::default();
    for task in tasks {
        let load = task.await.context("a client task panicked")?;
        total.created += load.created;
        total.sent += load.sent;
        total.transport_errors += load.transport_errors;
        for (status, count) in load.statuses {
            *total.statuses.entry(status).or_default() += count;
        }
        total.latencies.extend(load.latencies);
    }
    total.elapsed = measured;
    if total.created > 0 {
        total.statuses.insert(201, total.created);
    }
    total.latencies.sort_unstable();
    Ok(total)
}

/// New people: a valid CPF (both check digits) and an e-mail of their own each time.
struct People {
    next: AtomicU64,
    run: String,
}

impl People {
    fn new() -> People {
        let random = uuid::Uuid::new_v4().as_u128();
        People {
            // Nine-digit bases from a random point, so repeated runs differ too.
            next: AtomicU64::new((random % 400_000_000) as u64),
            run: format!("{:08x}", (random >> 64) as u32),
        }
    }

    fn next_body(&self) -> Vec<u8> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let zone = ZONES[(n % ZONES.len() as u64) as usize];
        let body = serde_json::json!({
            "zone": zone,
            "name": "Maria José de Souza",
            "cpf": cpf(100_000_000 + n % 900_000_000),
            "email": format!("bench.{}.{n}@example.com", self.run),
            "phone": "(91) 98765-4321",
            "role": "parte",
            "subject": "Dúvida sobre transferência de título",
            "description": "Gostaria de orientação sobre a transferência do meu título eleitoral.",
            "consent": true,
        });
        serde_json::to_vec(&body).unwrap_or_default()
    }
}
// ---------------------------------------------------------------------------------------
// pgbench

struct PgBench {
    tps: f64,
    latency_ms: Option<f64>,
    transactions: Option<u64>,
    failed: Option<u64>,
}

/// What one submission writes on PostgreSQL, in one transaction and with the same
/// statements as the service: the request (taking the next number of the year's protocol
/// sequence in the insert itself), its first audit row and its two outbox jobs. Random CPF and
/// e-mail; the sequence number makes the protocol, the token hash and the e-mail unique.
fn pgbench_script(zone_ids: &[i64]) -> String {
    let join = |values: &[i64]| {
        values
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let (ids, numbers) = (join(zone_ids), join(&ZONES));
    format!(
        r#"\set cpf random(10000000000, 99999999999)
\set person random(1, 2000000000)
\set zone random(1, {count})
BEGIN;
INSERT INTO requests (protocol, zone_id, status, requester_name, requester_name_key, cpf, email, phone, role, subject, description, preferred_dates, tracking_token_hash, schedule_revision, version, created_at, updated_at) SELECT '{year}-' || lpad(n, greatest(6, length(n)), '0'), (ARRAY[{ids}])[:zone], 'submitted', 'Maria José de Souza', 'maria jose de souza', :cpf::text, 'pgbench.' || :person || '.' || n || '@example.com', '(91) 98765-4321', 'parte', 'Dúvida sobre transferência de título', 'Gostaria de orientação sobre a transferência do meu título eleitoral.', '[]'::jsonb, md5(n || 'a') || md5(:person::text || 'b'), 0, 1, now(), now() FROM (SELECT nextval('protocol_{year}')::text AS n) AS next_number RETURNING id \gset
INSERT INTO request_events (request_id, at, actor_kind, action, to_status, to_zone) VALUES (:id, now(), 'requester', 'submit', 'submitted', (ARRAY[{numbers}])[:zone]) RETURNING id AS event_id \gset
INSERT INTO jobs (kind, payload, dedupe_key, request_id, state, attempts, run_at, created_at, updated_at) VALUES ('email.request_received', jsonb_build_object('request_id', :id, 'version', 1), 'request:' || :id || ':v1:email.request_received', :id, 'pending', 0, now(), now(), now()), ('email.new_request', jsonb_build_object('request_id', :id, 'version', 1), 'request:' || :id || ':v1:email.new_request', :id, 'pending', 0, now(), now(), now()) ON CONFLICT (dedupe_key) DO NOTHING;
END;
"#,
        count = zone_ids.len(),
        year = protocol_year(),
    )
}

/// The year the service numbers protocols by (America/Belem), so both runs take numbers
/// from the same sequence.
fn protocol_year() -> i32 {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Belem)
        .year()
}

fn pgbench(url: &str, clients: usize, seconds: u64, zone_ids: &[i64]) -> anyhow::Result<PgBench> {
    let script = ScriptFile::write(&pgbench_script(zone_ids))?;
    let threads = clients.min(2);
    let output = Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string(), "-j", &threads.to_string()])
        .args(["-T", &seconds.to_string(), "-f"])
        .arg(&script.0)
        .arg(url)
        .env_remove("PGDATABASE")
        .output()
        .context("cannot run pgbench (is it installed and on PATH?)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("pgbench failed ({}):\n{stdout}\n{stderr}", output.status);
    }
    let value = |prefix: &str| {
        stdout.lines().find_map(|line| {
            line.trim()
                .strip_prefix(prefix)
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|number| number.parse::<f64>().ok())
        })
    };
    // PostgreSQL 14+: one `tps = … (without initial connection time)`; older versions print
    // two lines, `excluding connections establishing` being the comparable one.
    let tps_lines: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("tps = "))
        .collect();
    let tps_line = tps_lines
        .iter()
        .find(|line| line.contains("without") || line.contains("excluding"))
        .or(tps_lines.first())
        .with_context(|| format!("no `tps = ` in pgbench's output:\n{stdout}\n{stderr}"))?;
    let tps = tps_line
        .trim_start_matches("tps = ")
        .split_whitespace()
        .next()
        .and_then(|number| number.parse().ok())
        .with_context(|| format!("cannot read `{tps_line}`"))?;
    Ok(PgBench {
        tps,
        latency_ms: value("latency average = "),
        transactions: value("number of transactions actually processed: ").map(|n| n as u64),
        failed: value("number of failed transactions: ").map(|n| n as u64),
    })
}

/// The pgbench script in the temporary folder, removed when dropped.
struct ScriptFile(PathBuf);

impl ScriptFile {
    fn write(text: &str) -> anyhow::Result<ScriptFile> {
        let path = std::env::temp_dir().join(format!(
            "contato_bench_{}.sql",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(ScriptFile(path))
    }
}

impl Drop for ScriptFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---------------------------------------------------------------------------------------
// The report

fn report(
    config: &Config,
    load: &Load,
    (peak_kib, rss_kib): (u64, u64),
    cpu: f64,
    log_lines: u64,
    pgbench: &PgBench,
) {
    let per_second = load.per_second();
    let (p50, p99) = (load.quantile_ms(0.50), load.quantile_ms(0.99));
    let max = load
        .latencies
        .last()
        .map_or(f64::NAN, |us| *us as f64 / 1000.0);
    let peak_mib = peak_kib as f64 / 1024.0;
    let ratio = per_second / pgbench.tps;
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    let statuses = load
        .statuses
        .iter()
        .map(|(status, count)| format!("{status}: {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    let extra = if config.server_env.is_empty() {
        "none".to_string()
    } else {
        config
            .server_env
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join(" ")
    };

    println!();
    println!(
        "submit_load: POST /api/v1/requests, {} clients, {} s (after {} s warm-up)",
        config.clients,
        config.seconds,
        WARM_UP.as_secs()
    );
    println!("server settings added by CONTATO_BENCH_SERVER_ENV: {extra}");
    println!(
        "answers: {statuses}; transport errors: {}",
        load.transport_errors
    );
    println!(
        "server: {log_lines} log lines; {cpu:.1} s of CPU for {} requests (warm-up included), {:.2} ms each",
        load.sent,
        cpu * 1000.0 / load.sent.max(1) as f64
    );
    println!(
        "pgbench: {} transactions, {} failed, latency average {} ms",
        pgbench
            .transactions
            .map_or("?".to_string(), |n| n.to_string()),
        pgbench.failed.map_or("?".to_string(), |n| n.to_string()),
        pgbench
            .latency_ms
            .map_or("?".to_string(), |ms| format!("{ms:.2}")),
    );
    println!();
    println!("| figure         |      value |");
    println!("| -------------- | ---------: |");
    println!("| requests/s     | {per_second:>10.1} |");
    println!("| p50 ms         | {p50:>10.2} |");
    println!("| p99 ms         | {p99:>10.2} |");
    println!("| max ms         | {max:>10.2} |");
    println!("| non-201        | {:>10} |", load.non_created());
    println!("| peak RSS MiB   | {peak_mib:>10.1} |");
    println!("| (RSS now MiB)  | {:>10.1} |", rss_kib as f64 / 1024.0);
    println!("| pgbench tps    | {:>10.1} |", pgbench.tps);
    println!("| ratio          | {ratio:>10.3} |");
    println!();
    let targets = [
        (
            format!("ratio >= {TARGET_RATIO}"),
            format!("{ratio:.3}"),
            ratio >= TARGET_RATIO,
        ),
        (
            format!("p99 <= {TARGET_P99_MS} ms"),
            format!("{p99:.2} ms"),
            p99 <= TARGET_P99_MS,
        ),
        (
            format!("peak RSS <= {TARGET_RSS_MIB} MiB"),
            format!("{peak_mib:.1} MiB"),
            peak_mib <= TARGET_RSS_MIB,
        ),
    ];
    println!("| target               | measured   | verdict |");
    println!("| -------------------- | ---------- | ------- |");
    for (target, measured, ok) in targets {
        println!("| {target:<20} | {measured:<10} | {:<7} |", verdict(ok));
    }
}
