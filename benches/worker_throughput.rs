//! Throughput of the outbox worker to a local SMTP server, against a minimal sender as the
//! ceiling.
//!
//! `cargo bench --bench worker_throughput`. In one run: an SMTP server in this process
//! (mailin-embedded, counting the messages it accepts); the ceiling, a bare lettre sender
//! with the worker's pool size and concurrency sending N messages of the worker's size to it;
//! then, on a fresh database `contato_bench_<random>` with N e-mail jobs queued beforehand,
//! one `contato worker` process (the real release binary), timed from its `worker started`
//! until the server has counted the N messages and every job is `done`; then two workers on
//! another N jobs. A table of messages/s, the ratios to the ceiling, jobs not done and
//! messages beyond the jobs done. The database is dropped at the end, also on failure. The
//! exit status is non-zero only when the harness itself fails.

mod common;

use std::{
    net::TcpListener,
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, Utc};
use contato::{
    config::Settings,
    domain::{
        schedule::SERVICE_TIME_ZONE,
        submission::{NewRequest, SubmissionInput, SubmissionRules},
    },
    reference::parse_zones,
    startup,
    store::Store,
    tokens::Token,
};
use futures::{StreamExt, TryStreamExt, stream};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
    transport::smtp::PoolConfig,
};
use mailin_embedded::{Handler, SslConfig, response};
use sea_orm::{ConnectionTrait, Statement};

use common::{
    BenchDb, DEFAULT_DATABASE_URL, Process, cpf, cpu_seconds, env_or, machine_ticks,
    settings_from_env,
};

const DEFAULT_MESSAGES: u64 = 2000;
/// Sends in flight in the ceiling: the worker's default `worker.batch_size`.
const IN_FLIGHT: usize = 10;
/// Pooled SMTP connections of the ceiling: as `notify::Mailer`, one per job in flight.
const POOL_SIZE: u32 = IN_FLIGHT as u32;
/// Submissions queued at once while the jobs are prepared (not measured).
const QUEUEING_CONCURRENCY: usize = 8;
const ZONE_ADDRESS: &str = "cartorio.zona1@tre-pa.jus.br";

/// The settings every run gives the workers: a short idle poll (the queue is full when they
/// start, so it only matters at the very end), JSON logs at `info` as in production.
/// `CONTATO_BENCH_WORKER_ENV` adds to them (the batch size, the pool, …).
const WORKER_ENV: [(&str, &str); 3] = [
    ("CONTATO_WORKER__POLL_MS", "20"),
    ("CONTATO_LOG__FORMAT", "json"),
    ("CONTATO_LOG__FILTER", "info"),
];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("worker_throughput: harness failure: {error:#}");
            ExitCode::FAILURE
        }
    }
}

struct Config {
    server_url: String,
    /// Messages per measurement (even: two per submission).
    messages: u64,
    /// `KEY=VALUE` pairs from `CONTATO_BENCH_WORKER_ENV`, given to the workers after the
    /// bench's own settings.
    worker_env: Vec<(String, String)>,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let server_url = env_or("CONTATO_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL);
        let messages: u64 = env_or("CONTATO_BENCH_MESSAGES", &DEFAULT_MESSAGES.to_string())
            .parse()
            .context("CONTATO_BENCH_MESSAGES must be a whole number")?;
        if messages < 2 || !messages.is_multiple_of(2) {
            bail!("CONTATO_BENCH_MESSAGES must be even and at least 2 (two per submission)");
        }
        Ok(Config {
            server_url,
            messages,
            worker_env: settings_from_env("CONTATO_BENCH_WORKER_ENV")?,
        })
    }
}

fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("a tokio runtime")?;
    let smtp = SmtpSink::start()?;
    eprintln!(
        "worker_throughput: SMTP server on 127.0.0.1:{}; {} messages per measurement",
        smtp.port, config.messages
    );

    let ceiling = runtime.block_on(ceiling(&smtp, config.messages))?;
    eprintln!(
        "worker_throughput: ceiling {:.1} messages/s",
        ceiling.per_second()
    );

    let db = runtime.block_on(BenchDb::create("worker_throughput", &config.server_url))?;
    eprintln!("worker_throughput: database {}", db.name);
    let store = runtime.block_on(prepare(&db))?;
    let people = People::new();

    let mut runs = Vec::new();
    for workers in [1, 2] {
        let run = measure(&runtime, &store, &db, &smtp, &config, &people, workers)?;
        eprintln!(
            "worker_throughput: {workers} worker(s) {:.1} messages/s",
            run.per_second()
        );
        runs.push(run);
    }
    runtime.block_on(async { store.close().await.ok() });

    report(&config, &ceiling, &runs);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The SMTP server

/// mailin-embedded on a free port of 127.0.0.1, in this process until it ends: it accepts
/// every message and counts it (and its bytes), keeping nothing.
struct SmtpSink {
    port: u16,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    messages: AtomicU64,
    bytes: AtomicU64,
    /// SMTP sessions (EHLO or HELO): connections opened by the senders.
    sessions: AtomicU64,
}

#[derive(Clone)]
struct Session {
    counters: Arc<Counters>,
    bytes: u64,
}

impl Handler for Session {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> mailin_embedded::Response {
        self.counters.sessions.fetch_add(1, Ordering::Relaxed);
        response::OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> mailin_embedded::Response {
        self.bytes = 0;
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.bytes += buf.len() as u64;
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        self.counters.bytes.fetch_add(self.bytes, Ordering::Relaxed);
        self.counters.messages.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}

impl SmtpSink {
    fn start() -> anyhow::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").context("a free port for SMTP")?;
        let port = listener.local_addr()?.port();
        let counters = Arc::new(Counters::default());
        let mut server = mailin_embedded::Server::new(Session {
            counters: counters.clone(),
            bytes: 0,
        });
        server
            .with_name("smtp.bench")
            .with_ssl(SslConfig::None)
            .map_err(|error| anyhow::anyhow!("mailin-embedded without TLS: {error:?}"))?
            // Blocking, one thread per connection: room for the ceiling's and two workers'
            // connections (lettre opens more than its pool keeps when sends pile up).
            .with_num_threads(64)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(error) = server.serve() {
                eprintln!("worker_throughput: the SMTP server stopped: {error:?}");
            }
        });
        Ok(SmtpSink { port, counters })
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Messages and bytes accepted so far.
    fn counted(&self) -> (u64, u64) {
        (
            self.counters.messages.load(Ordering::SeqCst),
            self.counters.bytes.load(Ordering::Relaxed),
        )
    }

    fn sessions(&self) -> u64 {
        self.counters.sessions.load(Ordering::Relaxed)
    }
}

/// What the network saw during a measurement: SMTP sessions opened, and the machine's TCP
/// delayed ACKs (`TcpExt: DelayedACKs`, loopback PostgreSQL traffic included). A sender
/// whose last small write waits for the peer's delayed ACK (Nagle) shows about one per
/// message, and 40 ms lost each time.
#[derive(Debug, Default, Clone, Copy)]
struct Network {
    sessions: u64,
    delayed_acks: u64,
}

impl Network {
    fn now(smtp: &SmtpSink) -> Network {
        Network {
            sessions: smtp.sessions(),
            delayed_acks: delayed_acks().unwrap_or(0),
        }
    }

    fn since(self, before: Network) -> Network {
        Network {
            sessions: self.sessions - before.sessions,
            delayed_acks: self.delayed_acks.saturating_sub(before.delayed_acks),
        }
    }
}

/// `TcpExt: DelayedACKs` of /proc/net/netstat (None where it cannot be read).
fn delayed_acks() -> Option<u64> {
    let netstat = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = netstat.lines().filter(|line| line.starts_with("TcpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let index = names
        .split_whitespace()
        .position(|name| name == "DelayedACKs")?;
    values.split_whitespace().nth(index)?.parse().ok()
}

// ---------------------------------------------------------------------------------------
// The ceiling

struct Ceiling {
    sent: u64,
    failed: u64,
    /// Messages and bytes the server counted.
    counted: u64,
    bytes: u64,
    network: Network,
    elapsed: Duration,
}

impl Ceiling {
    fn per_second(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64()
    }
}

/// N messages through a bare lettre transport, as many in flight as the worker runs at once,
/// over a pool of the worker's size: nothing but building and sending.
async fn ceiling(smtp: &SmtpSink, messages: u64) -> anyhow::Result<Ceiling> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(30)))
        .pool_config(PoolConfig::new().max_size(POOL_SIZE))
        .build();
    let from: Mailbox = "Sistema Contato TRE-PA <nao-responda@tre-pa.jus.br>".parse()?;
    let (counted_before, bytes_before) = smtp.counted();
    let network = Network::now(smtp);
    let start = Instant::now();
    let results: Vec<bool> = stream::iter(0..messages)
        .map(|n| {
            let (transport, from) = (&transport, &from);
            async move {
                match sample_message(from, n) {
                    Ok(message) => transport.send(message).await.is_ok(),
                    Err(_) => false,
                }
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let elapsed = start.elapsed();
    let network = Network::now(smtp).since(network);
    let (counted, bytes) = smtp.counted();
    let sent = results.iter().filter(|ok| **ok).count() as u64;
    if sent == 0 {
        bail!("the ceiling's sender could not send a single message");
    }
    Ok(Ceiling {
        sent,
        failed: messages - sent,
        counted: counted - counted_before,
        bytes: bytes - bytes_before,
        network,
        elapsed,
    })
}

/// A message shaped like the worker's: text and HTML alternatives of the same Portuguese
/// prose (quoted-printable), a Message-ID, one recipient; about 3.5 KB on the wire.
fn sample_message(from: &Mailbox, n: u64) -> anyhow::Result<Message> {
    let protocol = format!("2026-{n:06}");
    let paragraphs = [
        "Recebemos a sua solicitação de atendimento por videoconferência no Balcão Virtual \
         da Justiça Eleitoral do Pará.",
        "O cartório da 1ª Zona Eleitoral vai analisar o pedido e entrará em contato pelo \
         e-mail informado para agendar o atendimento, de segunda a sexta-feira, das 8h30 às \
         11h30.",
        "Assunto informado: Dúvida sobre transferência de título.",
        "Você pode acompanhar a situação do pedido, cancelá-lo ou consultar o horário \
         marcado pelo link abaixo, que é pessoal: não o compartilhe.",
        "Se não foi você quem fez esta solicitação, ignore esta mensagem; nenhum dado seu \
         será usado sem o seu consentimento.",
    ];
    let link = format!(
        "http://localhost:8080/acompanhar/{protocol}?token=bench{n:08}abcdefghijklmnopqrstuvwxyz0123456789"
    );
    let mut text = format!("Olá, Maria José de Souza,\n\nProtocolo: {protocol}\n\n");
    let mut html = String::from(
        "<!doctype html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>Balcão \
         Virtual</title></head><body style=\"font-family: Arial, sans-serif; color: #1a1a1a; \
         max-width: 640px; margin: 0 auto;\"><header style=\"border-bottom: 3px solid \
         #00529b; padding: 12px 0;\"><strong>Justiça Eleitoral do Pará — Balcão \
         Virtual</strong></header><main>",
    );
    html.push_str(&format!(
        "<p>Olá, Maria José de Souza,</p><p>Protocolo: <strong>{protocol}</strong></p>"
    ));
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push_str(&format!("<p style=\"line-height: 1.5;\">{paragraph}</p>"));
    }
    text.push_str(&format!(
        "Acompanhe: {link}\n\nJustiça Eleitoral do Pará — Balcão Virtual\n"
    ));
    html.push_str(&format!(
        "<p><a href=\"{link}\" style=\"color: #00529b;\">Acompanhar a solicitação</a></p>\
         </main><footer style=\"font-size: 12px; color: #555;\"><p>Justiça Eleitoral do Pará \
         — Balcão Virtual</p><p>Esta mensagem foi enviada automaticamente; não \
         responda.</p></footer></body></html>"
    ));
    let to: Mailbox = format!("Maria José de Souza <bench.{n}@example.com>").parse()?;
    Ok(Message::builder()
        .from(from.clone())
        .to(to)
        .subject(format!("Recebemos sua solicitação — protocolo {protocol}"))
        .message_id(Some(format!("<contato.bench{n}@tre-pa.jus.br>")))
        .multipart(MultiPart::alternative_plain_html(text, html))?)
}

// ---------------------------------------------------------------------------------------
// The database and the jobs

/// Migrated, with the shipped zones and holidays, and zone 1 given a notification address:
/// each submission then queues two e-mails that are both sent (to the requester and to the
/// zone).
async fn prepare(db: &BenchDb) -> anyhow::Result<Store> {
    let settings = Settings::from_figment(
        Settings::builtin()
            .merge(("database.url", db.url.as_str()))
            .merge(("database.max_connections", 10)),
    )?;
    let store = startup::open_store(&settings).await?;
    startup::load_reference_data(&store, &settings, Utc::now()).await?;
    let zone = format!(
        "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nseat = \"Belém\"\n\
         municipalities = [\"Belém\"]\nnotification_email = \"{ZONE_ADDRESS}\"\n"
    );
    let zones = parse_zones(&zone, &settings.calendar.allowed_link_hosts)?;
    store.import_zones(&zones, Utc::now()).await?;
    Ok(store)
}

/// New people: a valid CPF and an e-mail of their own each time.
struct People {
    next: AtomicU64,
    run: String,
}

impl People {
    fn new() -> People {
        let random = uuid::Uuid::new_v4().as_u128();
        People {
            next: AtomicU64::new((random % 400_000_000) as u64),
            run: format!("{:08x}", (random >> 64) as u32),
        }
    }

    /// A valid request for zone 1, as the public form would file it.
    fn next_request(&self) -> anyhow::Result<NewRequest> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let input = SubmissionInput {
            zone: Some(1),
            name: Some("Maria José de Souza".into()),
            cpf: Some(cpf(100_000_000 + n % 900_000_000)),
            email: Some(format!("bench.{}.{n}@example.com", self.run)),
            phone: Some("(91) 98765-4321".into()),
            role: Some("parte".into()),
            oab: None,
            process_number: None,
            subject: Some("Dúvida sobre transferência de título".into()),
            description: Some(
                "Gostaria de orientação sobre a transferência do meu título eleitoral.".into(),
            ),
            preferred_dates: vec![],
            preferential: None,
            accessibility: vec![],
            accessibility_note: None,
            mode: None,
            consent: Some(true),
        };
        let rules = SubmissionRules {
            today: Utc::now().with_timezone(&SERVICE_TIME_ZONE).date_naive(),
            max_days_ahead: 60,
            max_preferred_dates: 5,
            is_business_day: &|date: NaiveDate| date.weekday().number_from_monday() <= 5,
        };
        NewRequest::parse(input, &rules)
            .map_err(|error| anyhow::anyhow!("the sample submission is refused: {error:?}"))
    }
}

/// `submissions` requests filed through the store, two e-mail jobs each.
async fn queue(store: &Store, people: &People, submissions: u64) -> anyhow::Result<()> {
    stream::iter(0..submissions)
        .map(|_| async {
            let request = people.next_request()?;
            let token = Token::tracking()?.hash();
            store
                .submit(&request, &token, 0, Utc::now())
                .await
                .context("a submission")?
                .map_err(|refusal| anyhow::anyhow!("a submission refused: {refusal}"))?;
            anyhow::Ok(())
        })
        .buffer_unordered(QUEUEING_CONCURRENCY)
        .try_collect::<()>()
        .await
}

async fn query_i64(store: &Store, sql: &str, column: &str) -> anyhow::Result<i64> {
    let db = store.connection();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await?
        .with_context(|| format!("no row from `{sql}`"))?;
    Ok(row.try_get::<i64>("", column)?)
}

/// The jobs after `after` (by id), by state.
#[derive(Debug, Default, Clone, Copy)]
struct JobCounts {
    total: u64,
    done: u64,
    pending: u64,
    running: u64,
    dead: u64,
}

async fn job_counts(store: &Store, after: i64) -> anyhow::Result<JobCounts> {
    let db = store.connection();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT count(*)::bigint AS total, \
                 count(*) FILTER (WHERE state = 'done')::bigint AS done, \
                 count(*) FILTER (WHERE state = 'pending')::bigint AS pending, \
                 count(*) FILTER (WHERE state = 'running')::bigint AS running, \
                 count(*) FILTER (WHERE state = 'dead')::bigint AS dead \
                 FROM jobs WHERE id > {after}"
            ),
        ))
        .await?
        .context("no job counts")?;
    let get = |column: &str| -> anyhow::Result<u64> { Ok(row.try_get::<i64>("", column)? as u64) };
    Ok(JobCounts {
        total: get("total")?,
        done: get("done")?,
        pending: get("pending")?,
        running: get("running")?,
        dead: get("dead")?,
    })
}

// ---------------------------------------------------------------------------------------
// The workers

/// One measurement: `workers` processes on N freshly queued jobs.
struct WorkerRun {
    workers: usize,
    queued: u64,
    /// From the (last) `worker started` until all N were counted and every job was done.
    elapsed: Duration,
    timed_out: bool,
    /// Messages the server had counted when the clock started (the first of two workers
    /// may already be sending).
    counted_at_start: u64,
    /// Messages and bytes the server counted, half a second after the end.
    counted: u64,
    bytes: u64,
    jobs: JobCounts,
    network: Network,
    /// CPU seconds of the workers and the machine's busy share, over the measured time.
    worker_cpu: f64,
    machine_busy: f64,
}

impl WorkerRun {
    fn per_second(&self) -> f64 {
        self.jobs.done.min(self.counted) as f64 / self.elapsed.as_secs_f64()
    }

    fn not_done(&self) -> u64 {
        self.jobs.total - self.jobs.done
    }

    /// Messages beyond one per job done: a job sent twice.
    fn duplicates(&self) -> u64 {
        self.counted.saturating_sub(self.jobs.done)
    }
}

fn start_worker(
    db: &BenchDb,
    smtp: &SmtpSink,
    extra_env: &[(String, String)],
) -> anyhow::Result<Process> {
    let mut command = common::contato("worker", &db.url);
    command.env("CONTATO_SMTP__URL", smtp.url());
    for (key, value) in WORKER_ENV {
        command.env(key, value);
    }
    for (key, value) in extra_env {
        command.env(key, value);
    }
    Process::spawn("worker", command, None, |entry| {
        (entry["fields"]["message"] == "worker started").then(|| {
            entry["fields"]["worker"]
                .as_str()
                .unwrap_or("?")
                .to_string()
        })
    })
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    db: &BenchDb,
    smtp: &SmtpSink,
    config: &Config,
    people: &People,
    workers: usize,
) -> anyhow::Result<WorkerRun> {
    let n = config.messages;
    let after = runtime.block_on(query_i64(
        store,
        "SELECT coalesce(max(id), 0)::bigint AS id FROM jobs",
        "id",
    ))?;
    runtime.block_on(queue(store, people, n / 2))?;
    let queued = runtime.block_on(job_counts(store, after))?;
    if queued.total != n || queued.pending != n {
        bail!("{n} jobs expected in the queue, found {queued:?}");
    }

    let (counted_before, bytes_before) = smtp.counted();
    let mut processes = (0..workers)
        .map(|_| start_worker(db, smtp, &config.worker_env))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut clock = None::<Instant>;
    for process in &processes {
        let Some(found) = process.wait_found(Duration::from_secs(120)) else {
            bail!(
                "a worker did not log `worker started`; its last log lines:\n{}",
                process.log_tail()
            );
        };
        clock = Some(clock.map_or(found.at, |at| at.max(found.at)));
    }
    let clock = clock.context("no worker")?;
    eprintln!(
        "worker_throughput: {workers} worker(s) started (pid {}) on {n} jobs",
        processes
            .iter()
            .map(|process| process.pid().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let cpu_before = processes
        .iter()
        .map(|process| cpu_seconds(process.pid()))
        .sum::<anyhow::Result<f64>>()?;
    let machine_before = machine_ticks()?;
    let network = Network::now(smtp);
    let counted_at_start = smtp.counted().0 - counted_before;

    // Generous: a worker at a tenth of the ceiling on the slowest machine still finishes.
    let timeout = Duration::from_secs(120) + Duration::from_millis(20 * n);
    let mut timed_out = false;
    let end = loop {
        let counted = smtp.counted().0 - counted_before;
        if counted >= n {
            let jobs = runtime.block_on(job_counts(store, after))?;
            if jobs.done == jobs.total {
                break Instant::now();
            }
        }
        if clock.elapsed() > timeout {
            timed_out = true;
            break Instant::now();
        }
        for process in &mut processes {
            if !process.is_running()? {
                bail!("a worker died; its last log lines:\n{}", process.log_tail());
            }
        }
        std::thread::sleep(Duration::from_millis(if counted >= n { 10 } else { 2 }));
    };
    let elapsed = end.saturating_duration_since(clock);
    let worker_cpu = processes
        .iter()
        .map(|process| cpu_seconds(process.pid()))
        .sum::<anyhow::Result<f64>>()?
        - cpu_before;
    let machine_after = machine_ticks()?;
    let network = Network::now(smtp).since(network);
    let machine_busy = (machine_after.0 - machine_before.0) as f64
        / (machine_after.1 - machine_before.1).max(1) as f64;

    // A late duplicate would arrive now.
    std::thread::sleep(Duration::from_millis(500));
    let (counted, bytes) = smtp.counted();
    let jobs = runtime.block_on(job_counts(store, after))?;
    for process in &mut processes {
        process.stop()?;
    }
    Ok(WorkerRun {
        workers,
        queued: queued.total,
        elapsed,
        timed_out,
        counted_at_start,
        counted: counted - counted_before,
        bytes: bytes - bytes_before,
        jobs,
        network,
        worker_cpu,
        machine_busy,
    })
}

// ---------------------------------------------------------------------------------------
// The report

fn network_line(network: Network, messages: u64) -> String {
    format!(
        "{} SMTP sessions, {} TCP delayed ACKs ({:.2} a message)",
        network.sessions,
        network.delayed_acks,
        network.delayed_acks as f64 / messages.max(1) as f64
    )
}

fn report(config: &Config, ceiling: &Ceiling, runs: &[WorkerRun]) {
    let extra = if config.worker_env.is_empty() {
        "none".to_string()
    } else {
        config
            .worker_env
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ceiling_rate = ceiling.per_second();
    println!();
    println!(
        "worker_throughput: {} messages per measurement to an SMTP server in the bench process",
        config.messages
    );
    println!("worker settings added by CONTATO_BENCH_WORKER_ENV: {extra}");
    println!(
        "ceiling: lettre, pool of {POOL_SIZE}, {IN_FLIGHT} in flight: {} sent, {} failed, {} counted, \
         {:.0} bytes each, {:.2} s; {}",
        ceiling.sent,
        ceiling.failed,
        ceiling.counted,
        ceiling.bytes as f64 / ceiling.counted.max(1) as f64,
        ceiling.elapsed.as_secs_f64(),
        network_line(ceiling.network, ceiling.counted),
    );
    for run in runs {
        println!(
            "{} worker(s): {} jobs queued, {} done, {} pending, {} running, {} dead; {} counted \
             ({} before the clock), {:.0} bytes each, {:.2} s{}; worker CPU {:.1} s ({:.2} ms a \
             message), machine {:.0}% busy; {}",
            run.workers,
            run.queued,
            run.jobs.done,
            run.jobs.pending,
            run.jobs.running,
            run.jobs.dead,
            run.counted,
            run.counted_at_start,
            run.bytes as f64 / run.counted.max(1) as f64,
            run.elapsed.as_secs_f64(),
            if run.timed_out { " (TIMED OUT)" } else { "" },
            run.worker_cpu,
            run.worker_cpu * 1000.0 / run.counted.max(1) as f64,
            run.machine_busy * 100.0,
            network_line(run.network, run.counted),
        );
    }
    println!();
    println!("| figure                  |      value |");
    println!("| ----------------------- | ---------: |");
    println!("| ceiling msgs/s          | {ceiling_rate:>10.1} |");
    for run in runs {
        let label = if run.workers == 1 {
            "1 worker".to_string()
        } else {
            format!("{} workers", run.workers)
        };
        println!(
            "| {:<23} | {:>10.1} |",
            format!("{label} msgs/s"),
            run.per_second()
        );
        println!(
            "| {:<23} | {:>10.3} |",
            format!("{label} ratio"),
            run.per_second() / ceiling_rate
        );
        println!(
            "| {:<23} | {:>10} |",
            format!("{label} jobs not done"),
            run.not_done()
        );
        println!(
            "| {:<23} | {:>10} |",
            format!("{label} sent twice"),
            run.duplicates()
        );
    }
}
