//! The HTTP server under the routers: an accept loop of our own on hyper's HTTP/1 connection,
//! so that no client, however slow or silent, holds a connection (and its file descriptor)
//! for ever. `axum::serve` gives hyper no timer, so a request head that never ends, or an idle
//! kept-alive connection, stayed open until the client left; and it accepts without bound, so
//! a few hundred such clients exhausted the open-file limit and `/healthz` went unanswered.
//!
//! What bounds each stage of a connection:
//! - its head (request line and headers): hyper's header read timeout, which hyper also
//!   starts while a kept-alive connection waits for its next request, so idle connections
//!   close after the same time; and hyper's header size limit (431);
//! - its body: [`body::BodyDeadline`], a layer of the router (408);
//! - the handler: nothing here; handlers bound their own outside calls;
//! - its answer: [`stalled_writes::StalledWrites`] closes a connection whose client takes no
//!   byte of it for a while (a client that stops reading would hold it for ever);
//! - the number of connections: a semaphore taken before `accept`, so connections beyond the
//!   cap wait in the kernel's queue, costing no descriptor of ours, and are served in order
//!   as slots free up (a slot held by a silent client frees within the header timeout).
//!
//! HTTP/2 is not served: hyper has no idle or head timeout for it, and the service is reached
//! over HTTP/1.1 (directly or from a reverse proxy that terminates TLS).

pub mod body;
mod open_files;
mod stalled_writes;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
    task::JoinSet,
};
use tower::ServiceExt;

use stalled_writes::StalledWrites;

pub use open_files::{RESERVED_FILES, connection_cap, raise_open_file_limit};

/// How long accepting pauses after an error that is not one connection's (out of file
/// descriptors, of memory): long enough not to spin on a full table, short enough that the
/// queue is served again as soon as connections close.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// How often a full connection table is reported while it stays full.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(60);

/// What the server allows a connection.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// From the connection's opening, or from the answer to its previous request, until its
    /// next request's head is read whole.
    pub header_read_timeout: Duration,
    /// How long writing an answer may make no progress before the connection is dropped.
    pub write_timeout: Duration,
    /// The request line and headers, in bytes.
    pub max_header_bytes: usize,
    /// Connections served at once.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting, asks every
/// connection to finish its request in flight and close, and waits up to `grace` for them.
/// Connections still open after that are dropped. Requests see the peer's address as
/// `ConnectInfo<SocketAddr>`, as with `into_make_service_with_connect_info`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut last_full: Option<tokio::time::Instant> = None;
    loop {
        // Otherwise clients would wait with nothing in the log to say why.
        if slots.available_permits() == 0
            && last_full.is_none_or(|at| at.elapsed() >= FULL_WARNING_EVERY)
        {
            tracing::warn!(
                max_connections = limits.max_connections,
                "every connection slot is taken: new connections wait"
            );
            last_full = Some(tokio::time::Instant::now());
        }
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                // The semaphore is never closed.
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                tracing::warn!(%error, "cannot accept connections; pausing");
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => continue,
                }
            }
        };
        // Finished connections' results pile up in the set until collected.
        while connections.try_join_next().is_some() {}
        let stream = StalledWrites::new(stream, limits.write_timeout);
        let connection = drive(http.clone(), stream, peer, router.clone(), stopping.clone());
        connections.spawn(async move {
            connection.await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let finished = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            seconds = grace.as_secs(),
            connections = connections.len(),
            "requests still in flight after the grace period"
        );
        connections.shutdown().await;
    }
}

/// Serves one connection until it closes, or, once `stopping` turns true, until its request in
/// flight is answered.
async fn drive(
    http: http1::Builder,
    stream: StalledWrites<TcpStream>,
    peer: SocketAddr,
    router: Router,
    mut stopping: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let connection = http.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stopped(&mut stopping) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    // A client that goes silent, sends too much or hangs up ends here: routine, not news.
    if let Err(error) = result {
        tracing::debug!(%error, "connection closed on an error");
    }
}

/// Completes once the server stops accepting (or is gone).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // The guard it returns must not live across the connection's last await: it is not Send.
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Errors of one connection that was gone before it was accepted: the next one may be fine.
fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
