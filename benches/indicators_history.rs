//! Benchmark of the court's indicators on a large history (issue 15's requirement: with
//! 1,000,000 requests stored, the page for all zones over a year answers in under 200 ms on
//! PostgreSQL), against the store's own queries run bare, against the aggregates over the
//! requests the indicators ran before they had rollups, and against two floors.
//!
//! `cargo bench --bench indicators_history`. A fresh database `contato_bench_<random>` on the
//! server of `CONTATO_BENCH_DATABASE_URL`; `contato migrate` and `contato staff add` (an admin,
//! and a clerk of zone 1); H requests (1,000,000 by default) loaded by one `INSERT … SELECT`
//! over `generate_series` straight into `requests`, filed in order over the two years ending
//! now and spread over the 101 zones, in a mix of states and outcomes (plus survey answers),
//! then `VACUUM (ANALYZE)`, then `contato indicators recount` (timed), which fills the
//! rollups the service otherwise keeps with each change. The real release binary `contato
//! serve` (no worker, no rate limits) answers, one request at a time after a warm-up, N times
//! each: the stats API and the panel page (signed in through its form) for all zones (admin)
//! and for zone 1 (clerk), over a year and over the default 30 days. The server is stopped;
//! on the same database, through a pool of the server's size:
//! - "store": `Store::indicator_counts` and `Store::daily_counts`, the two calls the page
//!   makes, called directly (the SQL the code runs, without HTTP, the app and the template);
//! - "before": the aggregates over the period's requests that `indicator_counts` and
//!   `weekly_outcomes` ran before the rollups (commit 3cd5b98), what the rollups replace;
//! - "floor, requests": `SELECT COUNT(*)` of the period's requests (what reading each of
//!   them once costs, the least any design without rollups pays);
//! - "floor, rollup": the sum of one counter over the period's rows of `indicator_days` (the
//!   least read of the rollup).
//!
//! The database is dropped at the end, also on failure. The exit status is non-zero only when
//! the harness itself fails, never because of a figure.

mod common;

use std::{
    collections::BTreeMap,
    process::ExitCode,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use contato::{
    config::DatabaseSettings,
    domain::schedule::SERVICE_TIME_ZONE,
    store::{self, Store, ZoneScope},
};
use entities::zones;
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, FromQueryResult, QueryFilter, Statement,
};
use secrecy::SecretString;
use serde_json::{Value, json};

use common::{BenchDb, DEFAULT_DATABASE_URL, Process, cpu_seconds, env_or, settings_from_env};

const DEFAULT_HISTORY: u64 = 1_000_000;
const DEFAULT_ITERATIONS: u64 = 30;
const DEFAULT_WARM_UP: u64 = 3;
/// The history's length, ending now.
const HISTORY_DAYS: u32 = 730;
/// The clerk's zone (Belém, the busiest in the history, as in life).
const CLERK_ZONE: i32 = 1;
/// The pool of `contato serve` when `CONTATO_BENCH_SERVER_ENV` does not set one (the shipped
/// `database.max_connections`); the bare SQL's pool has the same size.
const DEFAULT_POOL: u32 = 10;
/// The requirement: the page for all zones over a year, in milliseconds.
const TARGET_MS: f64 = 200.0;
const PASSWORD: &str = "uma senha bem comprida";
const ADMIN_EMAIL: &str = "admin.bench@tre-pa.jus.br";
const CLERK_EMAIL: &str = "servidor.bench@tre-pa.jus.br";

/// The settings every run gives the server: no rate limit and no worker in the process (no
/// job is queued here). `CONTATO_BENCH_SERVER_ENV` can override them.
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
            eprintln!("indicators_history: harness failure: {error:#}");
            ExitCode::FAILURE
        }
    }
}

struct Config {
    postgres_url: String,
    /// H, requests in the history.
    history: u64,
    /// N, measured answers of each case.
    iterations: usize,
    /// Answers of each case before the measured ones.
    warm_up: usize,
    server_env: Vec<(String, String)>,
    pool: u32,
}

impl Config {
    fn from_env() -> anyhow::Result<Config> {
        let number = |name: &str, default: u64, least: u64| -> anyhow::Result<u64> {
            let value: u64 = env_or(name, &default.to_string())
                .parse()
                .with_context(|| format!("{name} must be a whole number"))?;
            if value < least {
                bail!("{name} must be at least {least}");
            }
            Ok(value)
        };
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
            history: number("CONTATO_BENCH_HISTORY_REQUESTS", DEFAULT_HISTORY, 1000)?,
            iterations: number("CONTATO_BENCH_ITERATIONS", DEFAULT_ITERATIONS, 1)? as usize,
            warm_up: number("CONTATO_BENCH_WARM_UP", DEFAULT_WARM_UP, 0)? as usize,
            server_env,
            pool,
        })
    }
}

// ---------------------------------------------------------------------------------------
// What is measured

/// Whose indicators: an admin's, every zone, or a clerk's, their one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Clerk,
}

/// Over which period: a year ending today, or the default (the last 30 days, no dates given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Year,
    Default30,
}

#[derive(Debug, Clone, Copy)]
struct Case {
    who: Who,
    span: Span,
}

const CASES: [Case; 4] = [
    Case {
        who: Who::Admin,
        span: Span::Year,
    },
    Case {
        who: Who::Clerk,
        span: Span::Year,
    },
    Case {
        who: Who::Admin,
        span: Span::Default30,
    },
    Case {
        who: Who::Clerk,
        span: Span::Default30,
    },
];

impl Case {
    fn label(self) -> String {
        let who = match self.who {
            Who::Admin => "all zones (admin)".to_string(),
            Who::Clerk => format!("zone {CLERK_ZONE} (clerk)"),
        };
        let span = match self.span {
            Span::Year => "1 year",
            Span::Default30 => "30 days",
        };
        format!("{who}, {span}")
    }

    /// The Belém dates asked for (both included), as the app settles them.
    fn dates(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let days = match self.span {
            Span::Year => 365,
            Span::Default30 => 30,
        };
        (today - chrono::Duration::days(days - 1), today)
    }

    fn api_path(self, today: NaiveDate) -> String {
        match self.span {
            Span::Year => {
                let (from, to) = self.dates(today);
                format!("/api/v1/staff/stats?from={from}&to={to}")
            }
            Span::Default30 => "/api/v1/staff/stats".to_string(),
        }
    }

    fn page_path(self, today: NaiveDate) -> String {
        match self.span {
            Span::Year => {
                let (from, to) = self.dates(today);
                format!("/painel/indicadores?de={from}&ate={to}")
            }
            Span::Default30 => "/painel/indicadores".to_string(),
        }
    }
}

/// Latencies of one series, in microseconds.
#[derive(Debug, Default, Clone)]
struct Samples {
    micros: Vec<u64>,
    /// Answers other than the expected one (an HTTP status, or a database error).
    errors: u64,
    first_error: Option<String>,
}

impl Samples {
    fn record(&mut self, took: Duration) {
        self.micros.push(took.as_micros() as u64);
    }

    fn fail(&mut self, error: String) {
        self.errors += 1;
        self.first_error.get_or_insert(error);
    }

    fn finish(&mut self) {
        self.micros.sort_unstable();
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
}

/// One series through HTTP, with the server's CPU and the machine's busy share over it.
#[derive(Debug, Default)]
struct HttpSeries {
    samples: Samples,
    /// Bytes of the last answer.
    bytes: usize,
    server_cpu_seconds: f64,
    machine_busy: f64,
    /// The state's `received` in the API's answer.
    received: Option<u64>,
    /// Warm-up requests that got no answer (the connection failed); not measured.
    warm_up_errors: u64,
}

/// The bare SQL of one case, with the time of each statement.
#[derive(Debug, Default)]
struct BareSeries {
    samples: Samples,
    /// Statement → total measured microseconds.
    steps: BTreeMap<&'static str, u64>,
    /// Rows the per-zone counts, the histogram and the weekly query answered (last run).
    rows: (usize, usize, usize),
}

#[derive(Debug, Default)]
struct CaseResult {
    api: HttpSeries,
    page: HttpSeries,
    /// The store's two calls, directly.
    store: Samples,
    /// The aggregates over the requests that the rollups replaced.
    before: BareSeries,
    floor_requests: Samples,
    floor_rollup: Samples,
    /// The floor's count of the period's requests.
    period_rows: u64,
}

// ---------------------------------------------------------------------------------------
// The run

fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("a tokio runtime for the bench")?;
    eprintln!(
        "indicators_history: {} requests over {HISTORY_DAYS} days; {} warm-up and {} measured answers per case, one at a time; pool {}",
        config.history, config.warm_up, config.iterations, config.pool
    );
    let db = runtime.block_on(BenchDb::create("indicators_history", &config.postgres_url))?;
    eprintln!("indicators_history: database {}", db.name);
    // The server is stopped inside (also on failure), before the database is dropped.
    let outcome = run_on(&runtime, &config, &db.url);
    drop(db);
    outcome
}

fn run_on(runtime: &tokio::runtime::Runtime, config: &Config, url: &str) -> anyhow::Result<()> {
    common::cli(url, &["migrate"], None)?;
    common::cli(
        url,
        &[
            "staff",
            "add",
            "--email",
            ADMIN_EMAIL,
            "--name",
            "Administradora do Bench",
            "--role",
            "admin",
        ],
        Some(PASSWORD),
    )?;
    let zone = CLERK_ZONE.to_string();
    common::cli(
        url,
        &[
            "staff",
            "add",
            "--email",
            CLERK_EMAIL,
            "--name",
            "Servidor da Silva",
            "--role",
            "clerk",
            "--zone",
            &zone,
        ],
        Some(PASSWORD),
    )?;

    let load = runtime.block_on(load_history(url, config.history))?;
    let started = Instant::now();
    common::cli(url, &["indicators", "recount"], None)?;
    let recount = started.elapsed();
    eprintln!(
        "indicators_history: contato indicators recount took {:.1} s",
        recount.as_secs_f64()
    );
    eprintln!(
        "indicators_history: loaded {} requests in {:.1} s (INSERT {:.1} s, VACUUM (ANALYZE) {:.1} s); requests {} MiB with its indexes, {} MiB without; {} survey answers",
        load.requests,
        load.insert.as_secs_f64() + load.vacuum.as_secs_f64(),
        load.insert.as_secs_f64(),
        load.vacuum.as_secs_f64(),
        load.total_bytes / (1 << 20),
        load.heap_bytes / (1 << 20),
        load.survey_answers
            .map_or("no table, so no".to_string(), |n| n.to_string()),
    );

    let today = Utc::now().with_timezone(&SERVICE_TIME_ZONE).date_naive();
    let mut results: Vec<CaseResult> = CASES.iter().map(|_| CaseResult::default()).collect();

    let mut server = Server::start(url, config)?;
    eprintln!(
        "indicators_history: contato serve (pid {}) listening on {}",
        server.process.pid(),
        server.address
    );
    let base = format!("http://{}", server.address);
    let measured = runtime.block_on(async {
        let client = http_client()?;
        let admin_token = api_login(&client, &base, ADMIN_EMAIL).await?;
        let clerk_token = api_login(&client, &base, CLERK_EMAIL).await?;
        let admin_cookie = panel_login(&client, &base, ADMIN_EMAIL).await?;
        let clerk_cookie = panel_login(&client, &base, CLERK_EMAIL).await?;
        for (case, result) in CASES.iter().zip(results.iter_mut()) {
            let (token, cookie) = match case.who {
                Who::Admin => (&admin_token, &admin_cookie),
                Who::Clerk => (&clerk_token, &clerk_cookie),
            };
            let api = client
                .get(format!("{base}{}", case.api_path(today)))
                .bearer_auth(token);
            result.api = measure_http(api, config, &server.process, Answer::Json).await?;
            eprintln!(
                "indicators_history: {}: API p50 {:.1} ms",
                case.label(),
                result.api.samples.quantile_ms(0.5)
            );
            let page = client
                .get(format!("{base}{}", case.page_path(today)))
                .header(reqwest::header::COOKIE, cookie.as_str());
            result.page = measure_http(page, config, &server.process, Answer::Page).await?;
            eprintln!(
                "indicators_history: {}: page p50 {:.1} ms",
                case.label(),
                result.page.samples.quantile_ms(0.5)
            );
        }
        anyhow::Ok(())
    });
    if !server.process.is_running()? {
        bail!(
            "the server died; its last log lines:\n{}",
            server.process.log_tail()
        );
    }
    let log_lines = server.process.log_lines();
    server.process.stop()?;
    measured?;
    // The server settles the default period on its own today, the bare SQL on the bench's.
    let crossed_midnight = Utc::now().with_timezone(&SERVICE_TIME_ZONE).date_naive() != today;

    let store = runtime.block_on(Store::connect(
        &DatabaseSettings {
            url: SecretString::from(url.to_string()),
            max_connections: config.pool,
            sqlite_busy_timeout_ms: 5000,
        },
        url,
    ))?;
    runtime.block_on(async {
        let db = pool(url, config.pool).await?;
        for (case, result) in CASES.iter().zip(results.iter_mut()) {
            let period = Period::of(*case, today);
            result.store = measure_store(&store, *case, today, config).await?;
            result.before = measure_before(&db, &period, config).await?;
            result.floor_requests =
                measure_floor(&db, &period, config, &mut result.period_rows).await?;
            result.floor_rollup = measure_rollup_floor(&db, &period, config).await?;
            eprintln!(
                "indicators_history: {}: store p50 {:.1} ms, before {:.1} ms, floors {:.1} ms (requests) and {:.1} ms (rollup)",
                case.label(),
                result.store.quantile_ms(0.5),
                result.before.samples.quantile_ms(0.5),
                result.floor_requests.quantile_ms(0.5),
                result.floor_rollup.quantile_ms(0.5),
            );
        }
        db.close().await.ok();
        anyhow::Ok(())
    })?;
    runtime.block_on(store.close())?;

    print(config, today, &load, recount, &results, log_lines);
    if crossed_midnight {
        println!();
        println!(
            "The run crossed midnight in Belém: the server's default period (30 days) ended on another day than the store's and the SQL's, so those two columns compare different periods (MISMATCH above); run again."
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The history

/// The requests of the history, in one statement: `$1` of them, filed one after the other
/// at an even pace over the `HISTORY_DAYS` days ending now (each at a random moment of its
/// own slot, so ids grow with the filing time and the table is stored in that order, as a
/// real one is), in zones drawn with more weight on the lower numbers (zone 1 gets about 9
/// times the share of the smallest). Requests of the last
/// week are 60% open, of the last month 25%, older ones 1%; a closed one is done (68%),
/// cancelled (20%: by the requester 60%, the staff 30%, the system 10%) or rejected (12%). A
/// done one was attended, attended by messages (the 12% filed in message mode) or a no-show
/// (13% of the video ones). Every request but the submitted ones and 45% of the cancelled
/// ones had its first answer, after a wait of service minutes drawn from an exponential of
/// mean 150 (the shipped target is 180); 14.5% declared a preferential category. Text
/// columns hold realistic lengths (descriptions of about 220 characters), so the table is as
/// wide as a real one. Protocols (`YYYY-NNNNNNN`, seven digits, which the service never
/// gives) and token hashes are unique by the series' number.
const LOAD_SQL: &str = r#"
WITH zone_ids AS (SELECT array_agg(id ORDER BY number) AS ids, count(*) AS n FROM zones),
draws AS (
  SELECT g,
         now() - interval '{DAYS} days' + (g - 1 + random()) * (interval '{DAYS} days' / {N}) AS created_at,
         random() AS r_zone, random() AS r_open, random() AS r_status, random() AS r_mode,
         random() AS r_outcome, random() AS r_by, random() AS r_triaged, random() AS r_wait,
         random() AS r_pref, random() AS r_role, random() AS r_days
  FROM generate_series(1, $1) AS g
  OFFSET 0
),
fates AS (
  SELECT d.*, z.ids[1 + least(floor(z.n * power(d.r_zone, 1.6))::int, z.n::int - 1)] AS zone_id,
         CASE WHEN d.r_mode < 0.12 THEN 'message' ELSE 'video' END AS mode,
         CASE
           WHEN d.r_open < CASE WHEN d.created_at > now() - interval '7 days' THEN 0.6
                                WHEN d.created_at > now() - interval '30 days' THEN 0.25
                                ELSE 0.01 END
           THEN CASE WHEN d.r_status < 0.3 THEN 'submitted' WHEN d.r_status < 0.5 THEN 'triaged'
                     WHEN d.r_status < 0.6 THEN 'offered' ELSE 'scheduled' END
           ELSE CASE WHEN d.r_status < 0.68 THEN 'done' WHEN d.r_status < 0.88 THEN 'cancelled'
                     ELSE 'rejected' END
         END AS status,
         floor(-ln(1 - d.r_wait) * 150)::int AS wait
  FROM draws d, zone_ids z
  OFFSET 0
),
shaped AS (
  SELECT f.*,
         CASE WHEN f.status = 'done' THEN
              CASE WHEN f.mode = 'message' THEN 'attended_by_message'
                   WHEN f.r_outcome < 0.87 THEN 'attended' ELSE 'no_show' END END AS outcome,
         CASE WHEN f.status = 'submitted' THEN false
              WHEN f.status = 'cancelled' THEN f.r_triaged < 0.55
              ELSE true END AS answered,
         CASE f.status WHEN 'done' THEN 'staff' WHEN 'rejected' THEN 'staff'
              WHEN 'cancelled' THEN CASE WHEN f.r_by < 0.6 THEN 'requester'
                                         WHEN f.r_by < 0.9 THEN 'staff' ELSE 'system' END END AS closed_by,
         CASE WHEN f.r_pref < 0.04 THEN 'idoso80' WHEN f.r_pref < 0.10 THEN 'idoso'
              WHEN f.r_pref < 0.12 THEN 'deficiencia' WHEN f.r_pref < 0.13 THEN 'gestante'
              WHEN f.r_pref < 0.14 THEN 'mobilidade_reduzida' WHEN f.r_pref < 0.145 THEN 'autismo' END AS preferential,
         CASE WHEN f.r_role < 0.85 THEN 'parte' WHEN f.r_role < 0.95 THEN 'advogado' ELSE 'interessado' END AS role
  FROM fates f
)
INSERT INTO requests (protocol, zone_id, status, requester_name, requester_name_key, cpf, email,
  email_key, phone, role, oab, process_number, subject, description, preferred_dates,
  preferential, preference_rank, accessibility, tracking_token_hash, scheduled_start,
  scheduled_end, meet_link, schedule_revision, requester_reschedules, outcome,
  rejection_reason, version, mode, staff_unread, triaged_at, triage_minutes, closed_by,
  created_at, updated_at, closed_at)
SELECT
  to_char(s.created_at AT TIME ZONE 'America/Belem', 'YYYY') || '-' || lpad(s.g::text, 7, '0'),
  s.zone_id, s.status,
  (ARRAY['Maria José de Souza','João Batista Ferreira','Ana Cláudia Monteiro','Raimundo Nonato Silva','Francisca das Chagas Lima','Antônio Carlos Pinheiro','Benedita Araújo Costa','José Ribamar Santos'])[1 + s.g % 8],
  (ARRAY['maria jose de souza','joao batista ferreira','ana claudia monteiro','raimundo nonato silva','francisca das chagas lima','antonio carlos pinheiro','benedita araujo costa','jose ribamar santos'])[1 + s.g % 8],
  lpad((s.g::bigint * 7919 % 99999999999)::text, 11, '0'),
  'pessoa' || s.g || '@example.com', 'pessoa' || s.g || '@example.com',
  '(91) 9' || lpad((s.g % 100000000)::text, 8, '0'),
  s.role,
  CASE WHEN s.role = 'advogado' THEN 'PA' || (10000 + s.g % 90000) END,
  CASE WHEN s.role <> 'parte' THEN '0600' || lpad((s.g % 1000)::text, 3, '0') || '-12.2024.6.14.0001' END,
  (ARRAY['Transferência de título','Segunda via do título','Regularização de situação eleitoral','Justificativa de ausência','Certidão de quitação eleitoral','Atualização de dados cadastrais'])[1 + s.g % 6],
  (ARRAY[
    'Gostaria de orientação sobre a transferência do meu título eleitoral. Mudei de município no ano passado e não sei quais documentos devo apresentar, nem se posso fazer tudo pela internet ou se preciso comparecer ao cartório.',
    'Meu título está cancelado por não ter votado em três eleições seguidas e não ter justificado. Preciso regularizar a situação para tirar o passaporte e tomar posse em concurso público. Quais são os passos e se há multa a pagar?',
    'Perdi meu título e o aplicativo e-Título não reconhece meus dados biométricos. Tentei várias vezes sem sucesso. Gostaria de saber como emitir a segunda via e se preciso agendar a coleta da biometria de novo.',
    'Sou advogado e acompanho um processo de prestação de contas de candidato. Preciso de esclarecimentos sobre o andamento e sobre o prazo para a manifestação do meu cliente após a última intimação publicada.',
    'Estava viajando no dia da eleição e não consegui justificar pelo aplicativo. Quero saber se ainda posso justificar a ausência, qual é o prazo e quais documentos comprovam que eu estava fora do meu domicílio eleitoral.'
  ])[1 + s.g % 5],
  jsonb_build_array(to_char((s.created_at + interval '3 days') AT TIME ZONE 'America/Belem', 'YYYY-MM-DD')),
  s.preferential,
  CASE WHEN s.preferential = 'idoso80' THEN 0 WHEN s.preferential IS NOT NULL THEN 1 ELSE 2 END,
  CASE WHEN s.g % 100 = 0 THEN 'libras' ELSE '' END,
  encode(sha256(('contato-bench-' || s.g)::bytea), 'hex'),
  CASE WHEN s.status = 'scheduled' OR (s.status = 'done' AND s.mode = 'video') THEN s.created_at + interval '5 days' END,
  CASE WHEN s.status = 'scheduled' OR (s.status = 'done' AND s.mode = 'video') THEN s.created_at + interval '5 days 30 minutes' END,
  CASE WHEN s.status = 'scheduled' OR (s.status = 'done' AND s.mode = 'video') THEN 'https://meet.google.com/abc-defg-hij' END,
  CASE WHEN s.status = 'scheduled' OR (s.status = 'done' AND s.mode = 'video') THEN 1 ELSE 0 END,
  0,
  s.outcome,
  CASE WHEN s.status = 'rejected' THEN 'O pedido não é da competência da Justiça Eleitoral; procure o órgão responsável.' END,
  CASE s.status WHEN 'submitted' THEN 1 WHEN 'triaged' THEN 2 WHEN 'offered' THEN 3 WHEN 'scheduled' THEN 3
                WHEN 'rejected' THEN 2 WHEN 'cancelled' THEN 2 ELSE 4 END,
  s.mode, false,
  CASE WHEN s.answered THEN least(now(), s.created_at + make_interval(mins => s.wait * 8)) END,
  CASE WHEN s.answered THEN s.wait END,
  s.closed_by,
  s.created_at,
  CASE WHEN s.closed_by IS NOT NULL THEN least(now(), s.created_at + make_interval(days => 1 + floor(s.r_days * 12)::int))
       WHEN s.answered THEN least(now(), s.created_at + make_interval(mins => s.wait * 8))
       ELSE s.created_at END,
  CASE WHEN s.closed_by IS NOT NULL THEN least(now(), s.created_at + make_interval(days => 1 + floor(s.r_days * 12)::int)) END
FROM shaped s
"#;

/// A third of the attended requests answered the survey, mostly well (the table's columns as
/// the survey's migration makes them; the rating is held to 1–5 there).
const SURVEY_SQL: &str = "INSERT INTO survey_answers (request_id, rating, comment, created_at) \
     SELECT id, CASE WHEN id % 10 < 5 THEN 5 WHEN id % 10 < 8 THEN 4 WHEN id % 10 < 9 THEN 3 \
     ELSE 1 + id % 2 END, NULL, closed_at \
     FROM requests WHERE outcome IN ('attended', 'attended_by_message') AND id % 3 = 0";

struct Load {
    requests: u64,
    insert: Duration,
    vacuum: Duration,
    survey_answers: Option<u64>,
    heap_bytes: u64,
    total_bytes: u64,
}

async fn load_history(url: &str, history: u64) -> anyhow::Result<Load> {
    let db = Database::connect(url)
        .await
        .context("connecting to load the history")?;
    let started = Instant::now();
    let sql = LOAD_SQL
        .replace("{DAYS}", &HISTORY_DAYS.to_string())
        .replace("{N}", &history.to_string());
    let inserted = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [(history as i64).into()],
        ))
        .await
        .context("loading the history")?
        .rows_affected();
    let survey_answers = if has_survey_table(&db).await? {
        Some(
            db.execute_unprepared(SURVEY_SQL)
                .await
                .context(
                    "loading survey answers (is survey_answers shaped as its migration makes it?)",
                )?
                .rows_affected(),
        )
    } else {
        None
    };
    let insert = started.elapsed();
    let started = Instant::now();
    // What autovacuum would have done to a history of two years: statistics, and the
    // visibility map that index-only scans read.
    db.execute_unprepared("VACUUM (ANALYZE) requests")
        .await
        .context("VACUUM (ANALYZE) requests")?;
    if survey_answers.is_some() {
        db.execute_unprepared("VACUUM (ANALYZE) survey_answers")
            .await
            .context("VACUUM (ANALYZE) survey_answers")?;
    }
    let vacuum = started.elapsed();
    let sizes = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_relation_size('requests') AS heap, pg_total_relation_size('requests') AS total",
        ))
        .await?
        .context("no sizes")?;
    let heap_bytes = sizes.try_get::<i64>("", "heap")? as u64;
    let total_bytes = sizes.try_get::<i64>("", "total")? as u64;
    db.close().await.ok();
    Ok(Load {
        requests: inserted,
        insert,
        vacuum,
        survey_answers,
        heap_bytes,
        total_bytes,
    })
}

// ---------------------------------------------------------------------------------------
// The server and its answers

/// `contato serve` as a child process, stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    process: Process,
    address: String,
    _mail: tempfile::TempDir,
}

impl Server {
    fn start(database_url: &str, config: &Config) -> anyhow::Result<Server> {
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
        match process.wait_found(Duration::from_secs(180)) {
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

fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .context("an HTTP client")
}

async fn api_login(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .context("signing in through the API")?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match body["token"].as_str() {
        Some(token) if status == 200 => Ok(token.to_string()),
        _ => bail!("signing in {email} through the API: {status} {body}"),
    }
}

/// The value of the cookie `name` among the answer's `Set-Cookie` headers.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, value)| key.trim() == name && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// Signs in through the panel's form as a browser does: the form (its CSRF token in a hidden
/// field and in a cookie), then the post; answers the `Cookie` header of the session.
async fn panel_login(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<String> {
    let form = client
        .get(format!("{base}/painel/entrar"))
        .send()
        .await
        .context("the sign-in form")?;
    let login_cookie =
        set_cookie(&form, "contato_login").context("the sign-in form set no contato_login")?;
    let html = form.text().await.context("the sign-in form's HTML")?;
    let marker = "name=\"csrf\" value=\"";
    let at = html
        .find(marker)
        .context("no csrf field in the sign-in form")?
        + marker.len();
    let csrf = html[at..]
        .split('"')
        .next()
        .context("the csrf field")?
        .to_string();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", &csrf)
        .append_pair("volta", "/painel")
        .append_pair("email", email)
        .append_pair("password", PASSWORD)
        .finish();
    let answer = client
        .post(format!("{base}/painel/entrar"))
        .header(
            reqwest::header::COOKIE,
            format!("contato_login={login_cookie}"),
        )
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .context("posting the sign-in form")?;
    let status = answer.status().as_u16();
    match set_cookie(&answer, "contato_sessao") {
        Some(session) if answer.status().is_redirection() => {
            Ok(format!("contato_sessao={session}"))
        }
        _ => bail!(
            "signing in {email} through the panel: {status} {}",
            answer.text().await.unwrap_or_default()
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Json,
    Page,
}

/// The warm-up, then N requests one after the other, each timed from its sending to the last
/// byte of its answer.
async fn measure_http(
    request: reqwest::RequestBuilder,
    config: &Config,
    server: &Process,
    answer: Answer,
) -> anyhow::Result<HttpSeries> {
    let server_pid = server.pid();
    let mut series = HttpSeries::default();
    let mut cpu_before = 0.0;
    let mut ticks_before = (0, 0);
    for n in 0..config.warm_up + config.iterations {
        if n == config.warm_up {
            cpu_before = cpu_seconds(server_pid)?;
            ticks_before = common::machine_ticks()?;
        }
        let request = request.try_clone().context("a request to send again")?;
        let started = Instant::now();
        let response = request.send().await;
        let (status, text) = match response {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.text().await.unwrap_or_default())
            }
            // No answer: the error's whole chain, and what the server logged last.
            Err(error) => (
                0,
                format!(
                    "{:#}; the server's last log lines:\n{}",
                    anyhow::Error::from(error),
                    server.log_tail()
                ),
            ),
        };
        let took = started.elapsed();
        let valid = status == 200
            && match answer {
                Answer::Json => serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|body| body["total"]["received"].as_u64())
                    .map(|received| series.received = Some(received))
                    .is_some(),
                Answer::Page => text.contains("grafico-semanas"),
            };
        if n >= config.warm_up {
            if valid {
                series.samples.record(took);
                series.bytes = text.len();
            } else if status == 0 {
                series.samples.fail(text);
            } else {
                let short: String = text.chars().take(300).collect();
                series.samples.fail(format!("{status}: {short}"));
            }
        } else if status == 0 {
            eprintln!("indicators_history: a warm-up request got no answer: {text}");
            series.warm_up_errors += 1;
        } else if !valid {
            let short: String = text.chars().take(300).collect();
            bail!("a warm-up request was answered {status}: {short}");
        }
    }
    series.server_cpu_seconds = cpu_seconds(server_pid)? - cpu_before;
    let ticks_after = common::machine_ticks()?;
    series.machine_busy =
        (ticks_after.0 - ticks_before.0) as f64 / (ticks_after.1 - ticks_before.1).max(1) as f64;
    series.samples.finish();
    Ok(series)
}

// ---------------------------------------------------------------------------------------
// The store, and the SQL it is compared with

/// A pool like the server's (`Store::connect`: the same size, one connection kept, sqlx's
/// cache of prepared statements).
async fn pool(url: &str, size: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .context("connecting to the database for the bare SQL")
}

/// `App::indicators`' two calls to the store, as it makes them (at once), N times.
async fn measure_store(
    store: &Store,
    case: Case,
    today: NaiveDate,
    config: &Config,
) -> anyhow::Result<Samples> {
    let (from, to) = case.dates(today);
    let scope = match case.who {
        Who::Admin => ZoneScope::All,
        Who::Clerk => ZoneScope::Zones(vec![CLERK_ZONE]),
    };
    let period = store::Period {
        from,
        to,
        scope: &scope,
        zone: None,
    };
    let mut samples = Samples::default();
    for n in 0..config.warm_up + config.iterations {
        let started = Instant::now();
        let answer = tokio::try_join!(store.indicator_counts(&period), store.daily_counts(&period));
        let took = started.elapsed();
        match answer {
            Ok(_) if n >= config.warm_up => samples.record(took),
            Ok(_) => {}
            Err(error) if n >= config.warm_up => samples.fail(error.to_string()),
            Err(error) => bail!("the store failed in its warm-up: {error}"),
        }
    }
    samples.finish();
    Ok(samples)
}

/// The least read of the rollup: one counter summed over the period's rows of
/// `indicator_days`, in the case's zones.
async fn measure_rollup_floor(
    db: &DatabaseConnection,
    period: &Period,
    config: &Config,
) -> anyhow::Result<Samples> {
    let (from, to) = period.dates;
    let mut sql = String::from(
        "SELECT CAST(SUM(received) AS BIGINT) AS n FROM indicator_days WHERE day >= $1 AND day <= $2",
    );
    if let Some(ids) = zone_ids(db, period).await? {
        let list: Vec<String> = ids.iter().map(i32::to_string).collect();
        sql.push_str(&format!(" AND zone_id IN ({})", list.join(", ")));
    }
    let mut samples = Samples::default();
    for n in 0..config.warm_up + config.iterations {
        let started = Instant::now();
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql.clone(),
                [from.into(), to.into()],
            ))
            .await;
        let took = started.elapsed();
        match row {
            Ok(Some(_)) if n >= config.warm_up => samples.record(took),
            Ok(Some(_)) => {}
            Ok(None) => bail!("the rollup's sum answered no row"),
            Err(error) if n >= config.warm_up => samples.fail(error.to_string()),
            Err(error) => bail!("the rollup's floor failed in its warm-up: {error}"),
        }
    }
    samples.finish();
    Ok(samples)
}

/// The case's zone ids (`None`: every zone).
async fn zone_ids(
    db: &DatabaseConnection,
    period: &Period,
) -> Result<Option<Vec<i32>>, sea_orm::DbErr> {
    let Some(numbers) = &period.zones else {
        return Ok(None);
    };
    Ok(Some(
        zones::Entity::find()
            .filter(zones::Column::Number.is_in(numbers.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|zone| zone.id)
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------
// Before the rollups: the aggregates over the period's requests that `indicator_counts` and
// `weekly_outcomes` ran at commit 3cd5b98 (PostgreSQL's flavour)

/// The requests filed in a case's period, in its zones, as `App::indicators` asks the store.
struct Period {
    /// The Belém dates, both included.
    dates: (NaiveDate, NaiveDate),
    from: DateTime<Utc>,
    before: DateTime<Utc>,
    /// The clerk's zones by number (`ZoneScope::Zones`); none for an admin (`ZoneScope::All`).
    zones: Option<Vec<i32>>,
}

impl Period {
    fn of(case: Case, today: NaiveDate) -> Period {
        let (from, to) = case.dates(today);
        Period {
            dates: (from, to),
            from: local_midnight(from),
            before: local_midnight(to + chrono::Duration::days(1)),
            zones: match case.who {
                Who::Admin => None,
                Who::Clerk => Some(vec![CLERK_ZONE]),
            },
        }
    }
}

/// As `app::indicators::local_midnight`.
fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    SERVICE_TIME_ZONE
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || date.and_time(NaiveTime::MIN).and_utc(),
            |local| local.with_timezone(&Utc),
        )
}

#[derive(Debug, FromQueryResult)]
#[allow(dead_code)]
struct ZoneRow {
    zone_id: i32,
    received: i64,
    submitted: i64,
    triaged: i64,
    offered: i64,
    scheduled: i64,
    done: i64,
    rejected: i64,
    cancelled: i64,
    no_show: i64,
    by_requester: i64,
    by_staff: i64,
    preferential: i64,
    by_message: i64,
}

#[derive(Debug, FromQueryResult)]
#[allow(dead_code)]
struct HistogramRow {
    zone_id: i32,
    value: i64,
    n: i64,
}

#[derive(Debug, FromQueryResult)]
#[allow(dead_code)]
struct WeekRow {
    day: String,
    attended: i64,
    by_message: i64,
    no_show: i64,
    cancelled: i64,
    rejected: i64,
    open: i64,
}

/// `Store::indicator_counts`' per-zone counts, before `cast_sums`.
fn counts_sql(filter: &str) -> String {
    format!(
        "SELECT zone_id, COUNT(*) AS received, \
         SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END) AS submitted, \
         SUM(CASE WHEN status = 'triaged' THEN 1 ELSE 0 END) AS triaged, \
         SUM(CASE WHEN status = 'offered' THEN 1 ELSE 0 END) AS offered, \
         SUM(CASE WHEN status = 'scheduled' THEN 1 ELSE 0 END) AS scheduled, \
         SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done, \
         SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected, \
         SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled, \
         SUM(CASE WHEN outcome = 'no_show' THEN 1 ELSE 0 END) AS no_show, \
         SUM(CASE WHEN status = 'cancelled' AND closed_by = 'requester' THEN 1 ELSE 0 END) AS by_requester, \
         SUM(CASE WHEN status = 'cancelled' AND closed_by <> 'requester' THEN 1 ELSE 0 END) AS by_staff, \
         SUM(CASE WHEN preferential IS NOT NULL THEN 1 ELSE 0 END) AS preferential, \
         SUM(CASE WHEN mode = 'message' THEN 1 ELSE 0 END) AS by_message \
         FROM requests WHERE {filter} GROUP BY zone_id"
    )
}

/// `Store::indicator_counts`' histogram of triage waits.
fn histogram_sql(filter: &str) -> String {
    format!(
        "SELECT zone_id, CAST(triage_minutes AS BIGINT) AS value, COUNT(*) AS n \
         FROM requests WHERE {filter} AND triage_minutes IS NOT NULL \
         GROUP BY zone_id, triage_minutes"
    )
}

/// `Store::indicator_counts`' satisfaction ratings, when the survey's table exists.
fn ratings_sql(filter: &str) -> String {
    format!(
        "SELECT requests.zone_id AS zone_id, CAST(survey_answers.rating AS BIGINT) AS value, \
         COUNT(*) AS n FROM survey_answers \
         JOIN requests ON requests.id = survey_answers.request_id \
         WHERE {} GROUP BY requests.zone_id, survey_answers.rating",
        qualified(filter)
    )
}

/// `Store::weekly_outcomes`' query, before `cast_sums`.
fn weekly_sql(filter: &str) -> String {
    let day = "to_char(created_at AT TIME ZONE 'America/Belem', 'YYYY-MM-DD')";
    format!(
        "SELECT {day} AS day, \
         SUM(CASE WHEN outcome = 'attended' THEN 1 ELSE 0 END) AS attended, \
         SUM(CASE WHEN outcome = 'attended_by_message' THEN 1 ELSE 0 END) AS by_message, \
         SUM(CASE WHEN outcome = 'no_show' THEN 1 ELSE 0 END) AS no_show, \
         SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled, \
         SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected, \
         SUM(CASE WHEN status IN ('submitted', 'triaged', 'offered', 'scheduled') THEN 1 ELSE 0 END) AS open \
         FROM requests WHERE {filter} GROUP BY 1 ORDER BY 1"
    )
}

const SURVEY_TABLE_SQL: &str =
    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'survey_answers'";

/// As the store's `cast_sums` on PostgreSQL: `SUM` of integers is a `numeric` there.
fn cast_sums(sql: &str) -> String {
    sql.split("SUM(")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                let end = part.find(" END)").map(|at| at + 5).unwrap_or(part.len());
                format!("CAST(SUM({} AS BIGINT){}", &part[..end], &part[end..])
            }
        })
        .collect::<Vec<_>>()
        .join("")
        .replace(
            "COUNT(*) AS received",
            "CAST(COUNT(*) AS BIGINT) AS received",
        )
}

/// As the store's `qualified`.
fn qualified(filter: &str) -> String {
    filter
        .replace("created_at", "requests.created_at")
        .replace("zone_id IN", "requests.zone_id IN")
}

/// As the store's `period_filter` (its zone lookup included, which the clerk's scope makes).
async fn period_filter(
    db: &DatabaseConnection,
    period: &Period,
) -> Result<(String, Vec<sea_orm::Value>), sea_orm::DbErr> {
    let mut filter = String::from("created_at >= $1 AND created_at < $2");
    let values: Vec<sea_orm::Value> = vec![period.from.into(), period.before.into()];
    if let Some(numbers) = &period.zones {
        let ids: Vec<i32> = zones::Entity::find()
            .filter(zones::Column::Number.is_in(numbers.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|zone| zone.id)
            .collect();
        if ids.is_empty() {
            filter.push_str(" AND 1 = 0");
        } else {
            let list: Vec<String> = ids.iter().map(i32::to_string).collect();
            filter.push_str(&format!(" AND zone_id IN ({})", list.join(", ")));
        }
    }
    Ok((filter, values))
}

async fn has_survey_table(db: &DatabaseConnection) -> anyhow::Result<bool> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            SURVEY_TABLE_SQL,
        ))
        .await?;
    Ok(row
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .is_some_and(|n| n > 0))
}

/// The statements of `indicator_counts` then `weekly_outcomes`, in their order, each timed
/// (into `steps`); the rows each aggregate answered.
async fn bare_once(
    db: &DatabaseConnection,
    period: &Period,
    steps: &mut BTreeMap<&'static str, u64>,
) -> Result<(usize, usize, usize), sea_orm::DbErr> {
    let mut at = Instant::now();
    let mut lap = |steps: &mut BTreeMap<&'static str, u64>, name: &'static str| {
        let now = Instant::now();
        *steps.entry(name).or_default() += (now - at).as_micros() as u64;
        at = now;
    };
    let pg = DbBackend::Postgres;
    // indicator_counts
    let _numbers = zones::Entity::find().all(db).await?;
    lap(steps, "1 zones");
    let (filter, values) = period_filter(db, period).await?;
    lap(steps, "2 zone ids (clerk)");
    let counts = ZoneRow::find_by_statement(Statement::from_sql_and_values(
        pg,
        cast_sums(&counts_sql(&filter)),
        values.clone(),
    ))
    .all(db)
    .await?;
    lap(steps, "3 per-zone counts");
    let waits = HistogramRow::find_by_statement(Statement::from_sql_and_values(
        pg,
        histogram_sql(&filter),
        values.clone(),
    ))
    .all(db)
    .await?;
    lap(steps, "4 triage histogram");
    let survey = db
        .query_one_raw(Statement::from_string(pg, SURVEY_TABLE_SQL))
        .await?
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .is_some_and(|n| n > 0);
    lap(steps, "5 survey table?");
    if survey {
        HistogramRow::find_by_statement(Statement::from_sql_and_values(
            pg,
            ratings_sql(&filter),
            values,
        ))
        .all(db)
        .await?;
        lap(steps, "6 ratings");
    }
    // weekly_outcomes
    let (filter, values) = period_filter(db, period).await?;
    lap(steps, "2 zone ids (clerk)");
    let weeks = WeekRow::find_by_statement(Statement::from_sql_and_values(
        pg,
        cast_sums(&weekly_sql(&filter)),
        values,
    ))
    .all(db)
    .await?;
    lap(steps, "7 weekly");
    Ok((counts.len(), waits.len(), weeks.len()))
}

async fn measure_before(
    db: &DatabaseConnection,
    period: &Period,
    config: &Config,
) -> anyhow::Result<BareSeries> {
    let mut series = BareSeries::default();
    for n in 0..config.warm_up + config.iterations {
        let mut steps = BTreeMap::new();
        let started = Instant::now();
        let result = bare_once(db, period, &mut steps).await;
        let took = started.elapsed();
        match result {
            Ok(rows) if n >= config.warm_up => {
                series.samples.record(took);
                series.rows = rows;
                for (name, micros) in steps {
                    *series.steps.entry(name).or_default() += micros;
                }
            }
            Ok(_) => {}
            Err(error) if n >= config.warm_up => series.samples.fail(error.to_string()),
            Err(error) => bail!("the SQL of before failed in its warm-up: {error}"),
        }
    }
    series.samples.finish();
    Ok(series)
}

/// The physical floor: the period's rows counted, with the case's filter.
async fn measure_floor(
    db: &DatabaseConnection,
    period: &Period,
    config: &Config,
    count: &mut u64,
) -> anyhow::Result<Samples> {
    let mut samples = Samples::default();
    let (filter, values) = period_filter(db, period).await?;
    let sql = format!("SELECT COUNT(*) AS n FROM requests WHERE {filter}");
    for n in 0..config.warm_up + config.iterations {
        let started = Instant::now();
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql.clone(),
                values.clone(),
            ))
            .await;
        let took = started.elapsed();
        match row {
            Ok(Some(row)) => {
                *count = row.try_get::<i64>("", "n")? as u64;
                if n >= config.warm_up {
                    samples.record(took);
                }
            }
            Ok(None) => bail!("the count answered no row"),
            Err(error) if n >= config.warm_up => samples.fail(error.to_string()),
            Err(error) => bail!("the floor failed in its warm-up: {error}"),
        }
    }
    samples.finish();
    Ok(samples)
}

// ---------------------------------------------------------------------------------------
// The report

fn print(
    config: &Config,
    today: NaiveDate,
    load: &Load,
    recount: Duration,
    results: &[CaseResult],
    log_lines: u64,
) {
    println!();
    println!(
        "indicators_history: {} requests over {HISTORY_DAYS} days ending {today} (Belém), loaded in {:.1} s (INSERT … SELECT {:.1} s, VACUUM (ANALYZE) {:.1} s); requests {} MiB, {} MiB with its indexes; survey answers: {}; `contato indicators recount` {:.1} s; server log {log_lines} lines",
        load.requests,
        load.insert.as_secs_f64() + load.vacuum.as_secs_f64(),
        load.insert.as_secs_f64(),
        load.vacuum.as_secs_f64(),
        load.heap_bytes / (1 << 20),
        load.total_bytes / (1 << 20),
        load.survey_answers
            .map_or("no table".to_string(), |n| n.to_string()),
        recount.as_secs_f64(),
    );
    println!(
        "{} measured answers per series after {} of warm-up, one at a time; pool {}",
        config.iterations, config.warm_up, config.pool
    );
    for (case, result) in CASES.iter().zip(results) {
        let mut line = format!(
            "  {}: {} requests in the period (floor's count); API total.received {}",
            case.label(),
            result.period_rows,
            result
                .api
                .received
                .map_or("—".to_string(), |n| n.to_string()),
        );
        if result.api.received != Some(result.period_rows) {
            line.push_str(" (MISMATCH)");
        }
        line.push_str(&format!(
            "; answers {:.1} KiB (API), {:.1} KiB (page); rows of before's per-zone/histogram/weekly {}/{}/{}",
            result.api.bytes as f64 / 1024.0,
            result.page.bytes as f64 / 1024.0,
            result.before.rows.0,
            result.before.rows.1,
            result.before.rows.2,
        ));
        println!("{line}");
        for (name, http) in [("API", &result.api), ("page", &result.page)] {
            if http.warm_up_errors > 0 {
                println!(
                    "    {name}: {} warm-up answers failed (not measured)",
                    http.warm_up_errors
                );
            }
        }
        for (name, samples) in [
            ("API", &result.api.samples),
            ("page", &result.page.samples),
            ("store", &result.store),
            ("before", &result.before.samples),
            ("floor, requests", &result.floor_requests),
            ("floor, rollup", &result.floor_rollup),
        ] {
            if let Some(error) = &samples.first_error {
                println!("    {name}: {} errors; first: {error}", samples.errors);
            }
        }
        let before = &result.before;
        let total: u64 = before.steps.values().sum();
        let runs = before.samples.micros.len().max(1) as f64;
        let parts: Vec<String> = before
            .steps
            .iter()
            .filter(|(_, micros)| **micros as f64 / runs >= 50.0)
            .map(|(step, micros)| {
                format!(
                    "{} {:.1} ms ({:.0}%)",
                    &step[2..],
                    *micros as f64 / 1000.0 / runs,
                    *micros as f64 * 100.0 / total.max(1) as f64
                )
            })
            .collect();
        println!("    before, mean per run: {}", parts.join(", "));
    }

    let ms = |value: f64| format!("{value:.1}");
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let column = |f: &dyn Fn(&CaseResult) -> String| results.iter().map(f).collect::<Vec<_>>();
    let http = |name: &str, pick: fn(&CaseResult) -> &HttpSeries| -> Vec<(String, Vec<String>)> {
        vec![
            (
                format!("{name} p50 ms"),
                column(&|r| ms(pick(r).samples.quantile_ms(0.5))),
            ),
            (
                format!("{name} p90 ms"),
                column(&|r| ms(pick(r).samples.quantile_ms(0.9))),
            ),
            (
                format!("{name} max ms"),
                column(&|r| ms(pick(r).samples.max_ms())),
            ),
            (
                format!("{name} errors"),
                column(&|r| pick(r).samples.errors.to_string()),
            ),
            (
                format!("{name}: server CPU ms per answer"),
                column(&|r| {
                    format!(
                        "{:.1}",
                        pick(r).server_cpu_seconds * 1000.0
                            / pick(r).samples.micros.len().max(1) as f64
                    )
                }),
            ),
            (
                format!("{name}: machine busy %"),
                column(&|r| format!("{:.0}", pick(r).machine_busy * 100.0)),
            ),
        ]
    };
    rows.extend(http("API", |r| &r.api));
    rows.extend(http("page", |r| &r.page));
    let sql = |name: &str, pick: fn(&CaseResult) -> &Samples| -> Vec<(String, Vec<String>)> {
        vec![
            (
                format!("{name} p50 ms"),
                column(&|r| ms(pick(r).quantile_ms(0.5))),
            ),
            (
                format!("{name} p90 ms"),
                column(&|r| ms(pick(r).quantile_ms(0.9))),
            ),
            (format!("{name} max ms"), column(&|r| ms(pick(r).max_ms()))),
        ]
    };
    rows.extend(sql("store", |r| &r.store));
    rows.extend(sql("before (over the requests)", |r| &r.before.samples));
    rows.extend(sql("floor, requests (COUNT)", |r| &r.floor_requests));
    rows.extend(sql("floor, rollup (SUM)", |r| &r.floor_rollup));
    let ratio = |a: f64, b: f64| format!("{:.2}", a / b);
    type Pick = fn(&CaseResult) -> f64;
    let ratios: [(&str, Pick, Pick); 6] = [
        (
            "page ÷ store, p50",
            |r| r.page.samples.quantile_ms(0.5),
            |r| r.store.quantile_ms(0.5),
        ),
        (
            "API ÷ store, p50",
            |r| r.api.samples.quantile_ms(0.5),
            |r| r.store.quantile_ms(0.5),
        ),
        (
            "store ÷ floor, rollup, p50",
            |r| r.store.quantile_ms(0.5),
            |r| r.floor_rollup.quantile_ms(0.5),
        ),
        (
            "store ÷ floor, requests, p50",
            |r| r.store.quantile_ms(0.5),
            |r| r.floor_requests.quantile_ms(0.5),
        ),
        (
            "before ÷ store, p50",
            |r| r.before.samples.quantile_ms(0.5),
            |r| r.store.quantile_ms(0.5),
        ),
        (
            "before ÷ page, p50",
            |r| r.before.samples.quantile_ms(0.5),
            |r| r.page.samples.quantile_ms(0.5),
        ),
    ];
    for (name, top, bottom) in ratios {
        rows.push((name.to_string(), column(&|r| ratio(top(r), bottom(r)))));
    }
    let headers: Vec<String> = CASES.iter().map(|case| case.label()).collect();
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(6);
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            rows.iter()
                .map(|(_, values)| values[i].chars().count())
                .max()
                .unwrap_or(1)
                .max(header.chars().count())
        })
        .collect();
    let pad_left =
        |text: &str, width: usize| format!("{}{text}", " ".repeat(width - text.chars().count()));
    let pad_right =
        |text: &str, width: usize| format!("{text}{}", " ".repeat(width - text.chars().count()));
    println!();
    let mut line = format!("| {} |", pad_right("figure", width));
    for (header, w) in headers.iter().zip(&widths) {
        line.push_str(&format!(" {} |", pad_left(header, *w)));
    }
    println!("{line}");
    let mut line = format!("| {} |", "-".repeat(width));
    for w in &widths {
        line.push_str(&format!(" {}: |", "-".repeat(w - 1)));
    }
    println!("{line}");
    for (name, values) in &rows {
        let mut line = format!("| {} |", pad_right(name, width));
        for (value, w) in values.iter().zip(&widths) {
            line.push_str(&format!(" {} |", pad_left(value, *w)));
        }
        println!("{line}");
    }

    let page = &results[0].page.samples;
    let api = &results[0].api.samples;
    println!();
    println!(
        "Requirement (the page for all zones over a year under {TARGET_MS:.0} ms with {} requests): page p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms: {}; the API {:.1} ms at p50.",
        load.requests,
        page.quantile_ms(0.5),
        page.quantile_ms(0.9),
        page.max_ms(),
        if page.max_ms() < TARGET_MS {
            "MET by every answer"
        } else if page.quantile_ms(0.5) < TARGET_MS {
            "met at the median, NOT by every answer"
        } else {
            "NOT MET"
        },
        api.quantile_ms(0.5),
    );
}
