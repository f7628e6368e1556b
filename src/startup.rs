//! Bringing the service up: database, migrations, reference data, the listener (served by
//! [`crate::serve`]), and a graceful stop on SIGTERM or Ctrl-C.

use std::{net::SocketAddr, path::Path, time::Duration};

use anyhow::Context;
use axum::{
    http::Uri,
    middleware,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use tokio::{net::TcpListener, sync::watch};

use crate::{
    app::App,
    calendar::GoogleCalendar,
    clock::Clock,
    config::{CalendarProvider, Settings},
    http,
    jobs::Worker,
    reference::{self, SHIPPED_HOLIDAYS, SHIPPED_ZONES},
    serve,
    store::Store,
    tokens::SigningKey,
    web,
};

/// Connects and migrates the database, fills in what an upgrade leaves to the service, and
/// counts the indicators' rollups the first time they exist.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = open_migrated(settings).await?;
    // Requests stored before the rollups existed are counted into them once.
    if store
        .indicators_need_rebuild()
        .await
        .context("failed to check the indicators' rollups")?
    {
        let recount = store
            .rebuild_indicators()
            .await
            .context("failed to count the indicators")?;
        tracing::info!(
            requests = recount.requests,
            days = recount.days,
            months = recount.months,
            "indicators counted from the stored requests"
        );
    }
    Ok(store)
}

/// Connects and migrates the database and fills in the triage waits an upgrade left
/// unknown; the indicators' rollups stay as they are (`contato indicators` works on them).
pub async fn open_migrated(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect(&settings.database, settings.database_url())
        .await
        .context("failed to connect to the database")?;
    store
        .migrate()
        .await
        .context("failed to apply the database migrations")?;
    // Requests answered before the service stored their wait get it from their calendar.
    let policy = settings.change_policy()?;
    let filled = store
        .backfill_triage_minutes(&policy.default_window)
        .await
        .context("failed to fill in the triage waits")?;
    if filled > 0 {
        tracing::info!(filled, "triage waits filled in for the indicators");
    }
    Ok(store)
}

/// The Google Calendar client when `calendar.provider` is `google`.
pub async fn connect_calendar(settings: &Settings) -> anyhow::Result<Option<GoogleCalendar>> {
    match settings.calendar.provider {
        CalendarProvider::Manual => Ok(None),
        CalendarProvider::Google => {
            // Event ids carry the site, so two deployments sharing a calendar never collide.
            let site = settings.server.public_url.host_str().unwrap_or("contato");
            Ok(Some(
                GoogleCalendar::connect(&settings.calendar, site).await?,
            ))
        }
    }
}

/// On a database without zones or holidays, loads the configured files, or the shipped data
/// compiled into the binary when those files are not there.
pub async fn load_reference_data(
    store: &Store,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (no_zones, no_holidays) = store.is_reference_empty().await?;
    if no_zones {
        let text = read_or(&settings.reference.zones_file, SHIPPED_ZONES)?;
        let zones = reference::parse_zones(&text, &settings.calendar.allowed_link_hosts)?;
        let report = store.import_zones(&zones, now).await?;
        tracing::info!(inserted = report.inserted, "zones loaded on first start");
    }
    if no_holidays {
        let text = read_or(&settings.reference.holidays_file, SHIPPED_HOLIDAYS)?;
        let holidays = reference::parse_holidays(&text)?;
        let report = store.import_holidays(&holidays).await?;
        tracing::info!(inserted = report.inserted, "holidays loaded on first start");
    }
    Ok(())
}

fn read_or(path: &Path, shipped: &str) -> anyhow::Result<String> {
    if path.is_file() {
        std::fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))
    } else {
        tracing::info!(path = %path.display(), "file not found: using the data shipped in the binary");
        Ok(shipped.to_string())
    }
}

/// The web service, bound and ready to run, with the outbox worker beside it unless
/// `worker.run_in_serve` is off (then `contato worker` processes do that work).
pub struct Application {
    listener: TcpListener,
    app: App,
    worker: Option<std::sync::Arc<Worker>>,
}

impl Application {
    pub async fn build(settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        let store = open_store(&settings).await?;
        load_reference_data(&store, &settings, clock.now()).await?;
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .with_context(|| format!("failed to listen on {}", settings.server.bind))?;
        let calendar = connect_calendar(&settings).await?;
        let stored_key = store
            .service_secret("sign-in-form", SigningKey::fresh()?, clock.now())
            .await
            .context("failed to read the service's signing key")?;
        let signing_key = SigningKey::from_stored(&stored_key);
        let app = App::new(
            store,
            settings,
            calendar.clone(),
            clock.clone(),
            signing_key,
        )?;
        let worker = if app.settings.worker.run_in_serve {
            Some(std::sync::Arc::new(Worker::new(
                app.store.clone(),
                app.settings.clone(),
                calendar,
                clock,
            )?))
        } else {
            None
        };
        Ok(Application {
            listener,
            app,
            worker,
        })
    }

    /// The address actually bound (a port of 0 in the settings picks a free one).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// Serves until `shutdown` completes, then lets requests in flight and the worker's batch
    /// in hand finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let server = &self.app.settings.server;
        let grace = Duration::from_secs(server.shutdown_grace_seconds);
        let limits = serve::ConnectionLimits {
            header_read_timeout: Duration::from_secs(server.header_read_timeout_seconds),
            write_timeout: Duration::from_secs(server.write_timeout_seconds),
            max_header_bytes: server.max_header_bytes,
            max_connections: serve::connection_cap(
                server.max_connections,
                u64::from(self.app.settings.database.max_connections) + serve::RESERVED_FILES,
            ),
        };
        let address = self.local_addr()?;
        let store = self.app.store.clone();
        let (stop_worker, worker_stop) = watch::channel(false);
        let worker = self.worker.map(|worker| {
            tokio::spawn(async move {
                worker.schedule_retention_or_log().await;
                worker.run(worker_stop).await
            })
        });
        let router = router(self.app);
        tracing::info!(%address, max_connections = limits.max_connections, "listening");
        let stopping = async move {
            shutdown.await;
            let _ = stop_worker.send(true);
            tracing::info!("stopping: finishing requests in flight");
        };
        serve::serve(self.listener, router, &limits, stopping, grace).await;
        if let Some(worker) = worker
            && let Err(error) = worker.await
        {
            tracing::error!(%error, "the worker task failed");
        }
        store
            .close()
            .await
            .context("failed to close the database")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Every route of the service: the JSON API and the probes, and the web pages. An address
/// that names nothing, or a method a route does not take, gets the API's JSON error under
/// `/api/` and the pages' Portuguese page elsewhere.
pub fn router(app: App) -> axum::Router {
    let body_deadline = serve::body::BodyDeadline {
        within: Duration::from_secs(app.settings.server.body_read_timeout_seconds),
        answer: request_timeout,
    };
    let routes = axum::Router::new()
        .merge(http::router())
        .merge(web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Inside the shared layers, so that a 408 is traced and counted as any answer is.
        .layer(middleware::from_fn_with_state(
            body_deadline,
            serve::body::enforce,
        ));
    http::with_layers(routes, app)
}

fn is_api(uri: &Uri) -> bool {
    uri.path() == "/api" || uri.path().starts_with("/api/")
}

async fn not_found(uri: Uri) -> Response {
    if is_api(&uri) {
        http::error::ApiError::NotFound.into_response()
    } else {
        web::not_found()
    }
}

fn request_timeout(uri: &Uri) -> Response {
    if is_api(uri) {
        http::error::ApiError::RequestTimeout.into_response()
    } else {
        web::request_timeout()
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    if is_api(&uri) {
        http::error::ApiError::MethodNotAllowed.into_response()
    } else {
        web::method_not_allowed()
    }
}

/// Completes on SIGTERM (how orchestrators stop services) or Ctrl-C. The handlers are
/// installed when this is called, not when the future is first polled: a signal that comes
/// right after the service says it is listening must stop it cleanly, not kill it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        [SignalKind::terminate(), SignalKind::interrupt()].map(|kind| {
            signal(kind)
                .inspect_err(|error| tracing::error!(%error, "cannot listen for a stop signal"))
                .ok()
        })
    };
    async move {
        #[cfg(unix)]
        {
            let [terminate, interrupt] = signals;
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(terminate) => {},
                () = wait(interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}

/// The worker alone (`contato worker`), until SIGTERM or Ctrl-C.
pub async fn run_worker(settings: Settings, clock: Clock) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let calendar = connect_calendar(&settings).await?;
    let worker = std::sync::Arc::new(Worker::new(
        store.clone(),
        std::sync::Arc::new(settings),
        calendar,
        clock,
    )?);
    let (stop, stopped) = watch::channel(false);
    let signal = shutdown_signal();
    tokio::spawn(async move {
        signal.await;
        tracing::info!("stopping: finishing the jobs in hand");
        let _ = stop.send(true);
    });
    worker.schedule_retention_or_log().await;
    worker.run(stopped).await;
    store
        .close()
        .await
        .context("failed to close the database")?;
    Ok(())
}
