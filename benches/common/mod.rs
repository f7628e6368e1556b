//! What the benchmarks share: a database of their own on the PostgreSQL server, the release
//! binary as a child process whose JSON log is read as it runs, valid CPFs, and a few
//! readings of `/proc`.

// Each bench is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::{
    collections::VecDeque,
    io::{BufRead, BufReader, Write},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, Database};

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The variable, or `default` when it is unset or blank.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// `KEY=VALUE` pairs from the variable `name`, separated by spaces: extra settings for the
/// processes a bench starts. Only `CONTATO_*` settings, and never the database.
pub fn settings_from_env(name: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for pair in env_or(name, "").split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("{name}: `{pair}` is not KEY=VALUE");
        };
        if !key.starts_with("CONTATO_") || key == "CONTATO_DATABASE__URL" {
            bail!("{name}: `{key}` is not a setting the bench passes on");
        }
        pairs.push((key.to_string(), value.to_string()));
    }
    Ok(pairs)
}

// ---------------------------------------------------------------------------------------
// The database

/// A database of its own on the server, dropped when this value is (also on a panic).
pub struct BenchDb {
    /// The bench's name, for its messages.
    bench: &'static str,
    server_url: String,
    pub name: String,
    pub url: String,
}

impl BenchDb {
    pub async fn create(bench: &'static str, server_url: &str) -> anyhow::Result<BenchDb> {
        let name = format!("contato_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(server_url)
            .await
            .with_context(|| format!("cannot connect to {}", redact(server_url)))?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .context("cannot create the bench database")?;
        admin.close().await.ok();
        let mut url = url::Url::parse(server_url).context("CONTATO_BENCH_DATABASE_URL")?;
        url.set_path(&format!("/{name}"));
        Ok(BenchDb {
            bench,
            server_url: server_url.to_string(),
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        // For looking into a run afterwards (EXPLAIN by hand): the database is left.
        if std::env::var_os("CONTATO_BENCH_KEEP_DATABASE").is_some_and(|v| v == "1") {
            eprintln!(
                "{}: database {} kept (CONTATO_BENCH_KEEP_DATABASE=1); drop it when done",
                self.bench, self.name
            );
            return;
        }
        let (server, name) = (self.server_url.clone(), self.name.clone());
        // Drop may run inside the runtime or while unwinding: a runtime of its own, on a
        // thread of its own, does the cleanup.
        let dropped = std::thread::spawn(move || -> anyhow::Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let admin = Database::connect(server.as_str()).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await?;
                admin.close().await.ok();
                Ok(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => eprintln!("{}: database {} dropped", self.bench, self.name),
            _ => eprintln!("{}: could not drop the database {}", self.bench, self.name),
        }
    }
}

/// A URL fit for printing: without its password.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// The CPF whose first nine digits are `base` (100000000..=999999999), with its two check
/// digits. A base of one repeated digit is moved on by one (such CPFs are refused).
pub fn cpf(base: u64) -> String {
    let mut base = base;
    let mut digits: Vec<u32> = loop {
        let digits: Vec<u32> = format!("{base:09}")
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        if digits.iter().all(|d| *d == digits[0]) {
            base += 1;
            continue;
        }
        break digits;
    };
    for length in [9u32, 10] {
        let sum: u32 = digits
            .iter()
            .zip((2..=length + 1).rev())
            .map(|(d, w)| d * w)
            .sum();
        digits.push(sum * 10 % 11 % 10);
    }
    digits
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The release binary as a child process

/// The `contato` binary: `serve`, `worker`, … as the bench starts it.
pub fn contato(subcommand: &str, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_contato"));
    command
        .arg(subcommand)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("CONTATO_CONFIG")
        .env_remove("RUST_LOG")
        .env("CONTATO_DATABASE__URL", database_url);
    command
}

/// A child process (stopped with SIGTERM, then SIGKILL, when dropped) whose JSON log on
/// standard error is read for as long as it runs.
pub struct Process {
    /// What the messages call it: "server", "worker".
    name: &'static str,
    child: Option<Child>,
    log: Arc<LogSink>,
    found: mpsc::Receiver<Found>,
}

/// The answer of the `watch` given to [`Process::spawn`], and when its line was read.
pub struct Found {
    pub at: Instant,
    pub value: String,
}

#[derive(Default)]
struct LogSink {
    lines: AtomicU64,
    tail: Mutex<VecDeque<String>>,
}

const LOG_TAIL: usize = 20;

impl Process {
    /// Starts `command`. Each line of its log is parsed and offered to `watch` until `watch`
    /// answers once (see [`Process::wait_found`]); after that the log is only read to keep
    /// the pipe from filling, and for a tail for error messages. `log_copy` gets the whole
    /// log.
    pub fn spawn(
        name: &'static str,
        mut command: Command,
        log_copy: Option<std::fs::File>,
        mut watch: impl FnMut(&serde_json::Value) -> Option<String> + Send + 'static,
    ) -> anyhow::Result<Process> {
        let mut copy = log_copy.map(std::io::BufWriter::new);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start the contato binary")?;
        let stderr = child.stderr.take().context("the child's standard error")?;
        let log = Arc::new(LogSink::default());
        let (sender, found) = mpsc::channel::<Found>();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut sender = Some(sender);
            for line in BufReader::with_capacity(1 << 16, stderr).lines() {
                let Ok(line) = line else { break };
                let at = Instant::now();
                sink.lines.fetch_add(1, Ordering::Relaxed);
                if let Some(file) = copy.as_mut() {
                    let _ = writeln!(file, "{line}");
                }
                if let Some(channel) = &sender {
                    let entry: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                    if let Some(value) = watch(&entry) {
                        let _ = channel.send(Found { at, value });
                        sender = None;
                    }
                }
                let mut tail = sink.tail.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == LOG_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        Ok(Process {
            name,
            child: Some(child),
            log,
            found,
        })
    }

    /// What `watch` found, once it has (None after `timeout`, or when the log ended first).
    pub fn wait_found(&self, timeout: Duration) -> Option<Found> {
        self.found.recv_timeout(timeout).ok()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    pub fn is_running(&mut self) -> anyhow::Result<bool> {
        match self.child.as_mut() {
            Some(child) => Ok(child.try_wait()?.is_none()),
            None => Ok(false),
        }
    }

    pub fn log_lines(&self) -> u64 {
        self.log.lines.load(Ordering::Relaxed)
    }

    pub fn log_tail(&self) -> String {
        let tail = self.log.tail.lock().unwrap_or_else(|p| p.into_inner());
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// SIGTERM, and a clean exit within the grace period.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .context("cannot run kill")?;
        if !signalled.success() {
            let _ = child.kill();
            bail!("kill -TERM {} failed", child.id());
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    bail!(
                        "the {} exited with {status} after SIGTERM; its last log lines:\n{}",
                        self.name,
                        self.log_tail()
                    );
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the {} did not stop within 30 s of SIGTERM", self.name);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------
// /proc

/// CPU time (user and system) used by `pid` so far, in seconds.
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("cannot read /proc/{pid}/stat"))?;
    // The fields after the command name, which is in parentheses and may hold spaces:
    // utime and stime are the 14th and 15th of the whole line.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| -> anyhow::Result<f64> {
        fields
            .get(index)
            .and_then(|value| value.parse::<f64>().ok())
            .with_context(|| format!("cannot read /proc/{pid}/stat"))
    };
    // USER_HZ, 100 on Linux.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// `VmHWM` (peak resident set) and `VmRSS` of `pid`, in KiB.
pub fn peak_rss_kib(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}

/// The machine's CPU time so far, busy and in all, in ticks (the first line of /proc/stat).
pub fn machine_ticks() -> anyhow::Result<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").context("cannot read /proc/stat")?;
    let values: Vec<u64> = stat
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("cpu "))
        .context("no `cpu` line in /proc/stat")?
        .split_whitespace()
        .filter_map(|value| value.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is within user).
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    Ok((total - idle, total))
}

/// Runs `contato <args>` on the database (the password, if any, on standard input) and
/// fails with its output when it fails.
pub fn cli(url: &str, args: &[&str], password: Option<&str>) -> anyhow::Result<()> {
    let mut command = contato(args[0], url);
    command
        .args(&args[1..])
        .env("CONTATO_LOG__FORMAT", "text")
        .env("CONTATO_LOG__FILTER", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().context("cannot start the contato binary")?;
    if let Some(mut stdin) = child.stdin.take()
        && let Some(password) = password
    {
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .context("writing the password")?;
    }
    let output = child
        .wait_with_output()
        .with_context(|| format!("contato {}", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "contato {} failed ({}):\n{}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

pub fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .context("an HTTP client")
}
