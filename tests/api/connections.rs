//! Connections the server must not keep: a head or a body that does not arrive, a kept-alive
//! connection left idle, headers that never end; and more connections than it serves. Each
//! speaks raw HTTP/1.1 over loopback, since an HTTP client would not misbehave on purpose.

use std::time::{Duration, Instant};

use contato::startup::Application;
use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::oneshot,
    task::JoinSet,
};

use crate::helpers::{TestApp, TestDb, settings_for, spawn_app_with, test_clock};

/// How much later than its timeout the server may close a connection: timers and a busy
/// 2-core machine running the rest of the suite.
const MARGIN: Duration = Duration::from_secs(3);

/// A request head cut off before its end, as a slowloris client leaves it.
const HALF_A_HEAD: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: contato.test\r\nX-Slow: ";

/// The shipped settings with `overrides`, the submission limit off as in `spawn_app`.
fn settings<'a>(overrides: &[(&'a str, serde_json::Value)]) -> Vec<(&'a str, serde_json::Value)> {
    let mut all = vec![("limits.submissions_per_minute", json!(0))];
    all.extend_from_slice(overrides);
    all
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("the server accepts connections")
}

/// A client that builds a new connection for every request, so that each one goes through
/// the accept queue as a new visitor's would.
fn fresh_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client")
}

/// Reads until the server closes the connection (end of stream or reset) and returns what
/// it sent; `None` if it is still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let reading = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    };
    tokio::time::timeout(within, reading).await.ok()?;
    Some(received)
}

/// Reads one response whose body has a Content-Length, leaving the connection open.
async fn read_response(stream: &mut TcpStream, within: Duration) -> String {
    let reading = async {
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let read = stream.read(&mut buffer).await.expect("a response");
            assert!(read > 0, "the connection closed before the response ended");
            received.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&received).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    return text;
                }
            }
        }
    };
    tokio::time::timeout(within, reading)
        .await
        .expect("a response in time")
}

fn status_line(response: &[u8]) -> String {
    String::from_utf8_lossy(response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_half_sent_heads_are_closed_while_healthz_keeps_answering() {
    const WANTED: usize = 3000;
    // Each held connection costs two descriptors in this process (client and server side),
    // and the rest of the suite runs beside this test.
    const SPARE_FILES: u64 = 1024;
    let timeout = Duration::from_secs(5);
    let app = spawn_app_with(&settings(&[(
        "server.header_read_timeout_seconds",
        json!(timeout.as_secs()),
    )]))
    .await;
    let limit = contato::serve::raise_open_file_limit(WANTED as u64 * 2 + SPARE_FILES);
    let count = limit.map_or(WANTED, |limit| {
        WANTED.min(usize::try_from(limit.saturating_sub(SPARE_FILES) / 2).unwrap_or(WANTED))
    });
    assert!(
        count >= 100,
        "the open-file limit ({limit:?}) is too low for this test"
    );

    let started = Instant::now();
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = connect(&app).await;
        stream
            .write_all(HALF_A_HEAD)
            .await
            .expect("half a head is sent");
        held.push((stream, Instant::now()));
    }
    let opened_in = started.elapsed();
    let still_open = held
        .iter()
        .filter(|(stream, _)| {
            let mut byte = [0u8; 1];
            matches!(stream.try_read(&mut byte), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
        })
        .count();
    assert_eq!(
        still_open, count,
        "all {count} connections are held at once (opened in {opened_in:?})"
    );
    let all_opened = Instant::now();

    let mut closing = JoinSet::new();
    for (mut stream, opened) in held {
        closing.spawn(async move {
            let closed = read_until_closed(&mut stream, timeout + MARGIN + opened_in).await;
            closed.map(|_| opened.elapsed())
        });
    }
    let probing = tokio::spawn({
        let url = app.url("/healthz");
        async move {
            let client = fresh_client();
            let mut latencies = Vec::new();
            // Until past the moment every held connection should have been closed.
            while all_opened.elapsed() < timeout + MARGIN {
                let asked = Instant::now();
                let response =
                    tokio::time::timeout(Duration::from_secs(5), client.get(&url).send())
                        .await
                        .expect("/healthz answers within 5 s")
                        .expect("/healthz answers");
                assert_eq!(response.status(), 200);
                latencies.push(asked.elapsed());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            latencies
        }
    });

    let mut lifetimes = Vec::with_capacity(count);
    while let Some(closed) = closing.join_next().await {
        lifetimes.push(closed.expect("the reading task ends"));
    }
    let all_closed_after = all_opened.elapsed();
    let mut latencies = probing.await.expect("the probes end");
    latencies.sort();

    let open = lifetimes
        .iter()
        .filter(|lifetime| lifetime.is_none())
        .count();
    let lifetimes: Vec<Duration> = lifetimes.into_iter().flatten().collect();
    let shortest = lifetimes.iter().min().copied().unwrap_or_default();
    let longest = lifetimes.iter().max().copied().unwrap_or_default();
    let slowest = latencies.last().copied().unwrap_or_default();
    let median = latencies
        .get(latencies.len() / 2)
        .copied()
        .unwrap_or_default();
    println!(
        "held {count} half-sent heads at once (opened in {opened_in:.2?}); header timeout {timeout:?}; \
         the server closed each {shortest:.2?} to {longest:.2?} after it was opened, \
         all {:.2?} after the last was opened; {open} still open; \
         /healthz on a new connection {} times meanwhile: median {median:.1?}, max {slowest:.1?}",
        all_closed_after,
        latencies.len(),
    );
    assert_eq!(open, 0, "the server closed every half-sent head");
    assert!(
        longest <= timeout + MARGIN,
        "closed within the header timeout and a margin: {longest:?}"
    );
    assert!(
        shortest >= timeout - Duration::from_secs(1),
        "not before the header timeout: {shortest:?}"
    );
    assert!(
        latencies.len() >= 20,
        "/healthz was asked throughout: {}",
        latencies.len()
    );
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz answers within a second: {slowest:?}"
    );
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_gets_408_in_the_voice_of_its_address() {
    let timeout = Duration::from_secs(2);
    let app = spawn_app_with(&settings(&[(
        "server.body_read_timeout_seconds",
        json!(timeout.as_secs()),
    )]))
    .await;
    let cases = [
        (
            "/api/v1/requests",
            "application/json",
            "{\"name\": ",
            "application/json",
        ),
        (
            "/solicitar",
            "application/x-www-form-urlencoded",
            "name=Maria",
            "text/html",
        ),
    ];
    for (path, content_type, part, answered_as) in cases {
        let mut stream = connect(&app).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: contato.test\r\nContent-Type: {content_type}\r\n\
             Content-Length: 1000\r\n\r\n{part}"
        );
        let sent = Instant::now();
        stream.write_all(head.as_bytes()).await.expect("sent");

        let response = read_until_closed(&mut stream, timeout + MARGIN)
            .await
            .unwrap_or_else(|| panic!("{path}: the server answers and closes in time"));
        let waited = sent.elapsed();

        let text = String::from_utf8_lossy(&response).to_lowercase();
        assert_eq!(
            status_line(&response),
            "HTTP/1.1 408 Request Timeout",
            "{path}"
        );
        assert!(text.contains("connection: close"), "{path}: {text}");
        assert!(
            text.contains(&format!("content-type: {answered_as}")),
            "{path}: {text}"
        );
        assert!(
            waited >= timeout - Duration::from_millis(200),
            "{path}: not before the body timeout ({waited:?})"
        );
        println!("{path}: 408 and closed {waited:.2?} after the cut-off body was sent");
    }
}

#[tokio::test]
async fn a_whole_body_sent_in_time_is_not_cut_off() {
    let app = spawn_app_with(&settings(&[("server.body_read_timeout_seconds", json!(2))])).await;
    let mut stream = connect(&app).await;
    let body = "{\"email\": \"ninguem@example.org\", \"password\": \"errada\"}";
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: contato.test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    // Slow, but whole within the deadline.
    for chunk in body.as_bytes().chunks(20) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stream.write_all(chunk).await.expect("sent");
    }

    let response = read_response(&mut stream, MARGIN).await;

    assert!(
        !response.starts_with("HTTP/1.1 408"),
        "a slow but timely body is read: {response}"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let timeout = Duration::from_secs(2);
    let app = spawn_app_with(&settings(&[(
        "server.header_read_timeout_seconds",
        json!(timeout.as_secs()),
    )]))
    .await;
    let mut stream = connect(&app).await;
    let request = b"GET /healthz HTTP/1.1\r\nHost: contato.test\r\n\r\n";

    stream.write_all(request).await.expect("sent");
    let first = read_response(&mut stream, MARGIN).await;
    // Kept alive: a second request on the same connection, before the timeout, is answered.
    tokio::time::sleep(timeout / 2).await;
    stream.write_all(request).await.expect("sent");
    let second = read_response(&mut stream, MARGIN).await;
    let idle_since = Instant::now();
    let closed = read_until_closed(&mut stream, timeout + MARGIN).await;
    let idle_for = idle_since.elapsed();

    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    assert_eq!(
        closed.as_deref(),
        Some(&b""[..]),
        "the idle connection is closed, without a word"
    );
    assert!(
        idle_for >= timeout - Duration::from_millis(200),
        "not before the timeout: {idle_for:?}"
    );
    println!("an idle kept-alive connection was closed after {idle_for:.2?}");
}

#[tokio::test]
async fn headers_over_the_limit_get_431_and_ordinary_ones_pass() {
    let app = spawn_app_with(&settings(&[])).await;
    let mut stream = connect(&app).await;
    let mut head = b"GET /healthz HTTP/1.1\r\nHost: contato.test\r\nX-Big: ".to_vec();
    head.extend(std::iter::repeat_n(b'a', 200 * 1024));
    head.extend_from_slice(b"\r\n\r\n");
    let (mut reading, mut writing) = stream.split();
    // The server may answer and close before it has read all of it: a failed write is fine.
    let write = async {
        let _ = writing.write_all(&head).await;
    };
    let mut response = Vec::new();
    let read = async {
        let mut buffer = [0u8; 4096];
        loop {
            match reading.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => response.extend_from_slice(&buffer[..read]),
            }
        }
    };
    let closed = tokio::time::timeout(MARGIN, async { tokio::join!(write, read) })
        .await
        .is_ok();

    // The 431 can be lost when the connection is reset with the rest of the head unread;
    // what matters is that the request is never served.
    let status = status_line(&response);
    assert!(
        response.is_empty() || status == "HTTP/1.1 431 Request Header Fields Too Large",
        "{status}"
    );
    assert!(closed, "the connection is closed ({status})");
    let ordinary = app
        .http
        .get(app.url("/healthz"))
        .header("x-ordinary", "a".repeat(8 * 1024))
        .send()
        .await
        .expect("an answer");
    assert_eq!(ordinary.status(), 200);
    println!(
        "a 200 KB header got {:?}; an 8 KB one got {}",
        status,
        ordinary.status()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_their_turn_and_are_served_when_slots_free() {
    const CAP: usize = 20;
    let timeout = Duration::from_secs(2);
    let app = spawn_app_with(&settings(&[
        ("server.max_connections", json!(CAP)),
        (
            "server.header_read_timeout_seconds",
            json!(timeout.as_secs()),
        ),
    ]))
    .await;
    let mut held = Vec::new();
    for _ in 0..CAP {
        let mut stream = connect(&app).await;
        stream.write_all(HALF_A_HEAD).await.expect("sent");
        held.push(stream);
    }
    let asked = Instant::now();
    let mut healthz = tokio::spawn(fresh_client().get(app.url("/healthz")).send());

    let while_full = tokio::time::timeout(Duration::from_secs(1), &mut healthz).await;
    assert!(
        while_full.is_err(),
        "no connection beyond the {CAP} held ones is served ({:.2?})",
        asked.elapsed()
    );
    let answered = tokio::time::timeout(timeout + MARGIN, healthz)
        .await
        .expect("served once the held connections time out")
        .expect("the request task ends")
        .expect("an answer");
    let waited = asked.elapsed();

    assert_eq!(answered.status(), 200);
    println!("with {CAP} of {CAP} slots held, /healthz was answered after {waited:.2?}");
    for mut stream in held {
        assert!(
            read_until_closed(&mut stream, MARGIN).await.is_some(),
            "the held connections were closed"
        );
    }
}

#[tokio::test]
async fn stopping_answers_the_request_in_flight_and_closes_idle_connections_at_once() {
    let db = TestDb::new().await;
    let application = Application::build(
        settings_for(&db, &[("server.shutdown_grace_seconds", json!(10))]),
        test_clock(),
    )
    .await
    .expect("the application starts");
    let address = application.local_addr().expect("a bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    let mut idle = TcpStream::connect(address).await.expect("connected");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: contato.test\r\n\r\n")
        .await
        .expect("sent");
    let answered = read_response(&mut idle, MARGIN).await;
    let mut busy = TcpStream::connect(address).await.expect("connected");
    busy.write_all(
        b"POST /api/v1/requests HTTP/1.1\r\nHost: contato.test\r\nContent-Type: application/json\r\n\
          Content-Length: 2\r\n\r\n{",
    )
    .await
    .expect("sent");
    // The head is read and the handler waits for the rest of the body.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let _ = stop.send(());
    let idle_closed = read_until_closed(&mut idle, Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = TcpStream::connect(address).await.is_err();
    busy.write_all(b"}")
        .await
        .expect("the rest of the body is taken");
    let in_flight = read_until_closed(&mut busy, MARGIN).await;
    let ended = tokio::time::timeout(MARGIN, running).await;

    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert_eq!(
        idle_closed.as_deref(),
        Some(&b""[..]),
        "an idle connection is closed as soon as the service stops"
    );
    assert!(refused, "no new connection is accepted once stopping");
    let in_flight = in_flight.expect("the request in flight is answered, then closed");
    assert_eq!(status_line(&in_flight), "HTTP/1.1 422 Unprocessable Entity");
    assert!(
        matches!(ended, Ok(Ok(Ok(())))),
        "the service stops cleanly: {ended:?}"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_disconnected() {
    const REQUESTS: usize = 300;
    let timeout = Duration::from_secs(2);
    let app = spawn_app_with(&settings(&[(
        "server.write_timeout_seconds",
        json!(timeout.as_secs()),
    )]))
    .await;
    let one = app
        .http
        .get(app.url("/solicitar"))
        .send()
        .await
        .expect("an answer")
        .bytes()
        .await
        .expect("a page")
        .len();
    // A small window, and many answers asked for at once: far more than the kernel's buffers
    // hold, so that the server's writes wait on the client.
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small buffer");
    let mut stream = socket
        .connect(
            app.address
                .trim_start_matches("http://")
                .parse()
                .expect("an address"),
        )
        .await
        .expect("connected");
    let request = "GET /solicitar HTTP/1.1\r\nHost: contato.test\r\n\r\n".repeat(REQUESTS);
    stream.write_all(request.as_bytes()).await.expect("sent");

    tokio::time::sleep(timeout + MARGIN).await;
    let received = read_until_closed(&mut stream, MARGIN)
        .await
        .expect("the server closed the connection");

    assert!(
        received.len() < REQUESTS * one,
        "the answers were cut off: {} bytes of {}",
        received.len(),
        REQUESTS * one
    );
    println!(
        "a client that stopped reading got {} of {} bytes before it was disconnected",
        received.len(),
        REQUESTS * one
    );
}
