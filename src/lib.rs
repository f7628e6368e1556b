//! Sistema Contato: the public asks the electoral court for a videoconference with one
//! zone's *cartório*; the zone's clerks triage and schedule it; the requester gets the
//! Meet link by e-mail.
//!
//! The code map, the invariants and where new work goes are in `ARCHITECTURE.md`; in short,
//! in reading order:
//! - [`domain`]: the rules, as pure code: newtypes that parse input, the state machine, the
//!   decision of every change to a request, scheduling, holidays, the typed jobs.
//! - [`reference`](mod@reference): the shipped zones and holidays files, parsed.
//! - [`store`]: the database. The only user of `entities`; one transaction per change.
//! - [`app`]: the use cases (file, follow, sign in, triage, administer), shared by the JSON
//!   API and the web pages.
//! - [`http`] and [`web`]: axum routers over the shared [`app::App`], merged in [`startup`];
//!   handlers stay thin.
//! - [`jobs`], [`notify`] and [`calendar`]: the outbox worker, the e-mail it sends, the
//!   Google Calendar events it makes.
//! - [`config`], [`clock`], [`links`], [`client_ip`], [`telemetry`], [`metrics`],
//!   [`passwords`], [`tokens`]: settings, time, addresses, logs, argon2id, random secrets
//!   stored as hashes.
//! - [`startup`] and [`cli`]: bringing the service up; the `contato` command. [`serve`]: the
//!   HTTP server under the routers, which closes slow and idle connections and caps them.
//!
//! Invariants:
//! - The domain does no I/O: no database, no network, no clock. "Now" is a parameter.
//! - A request changes state only through `store::Store::transition`, which loads a snapshot,
//!   lets `domain::change::decide` judge, and writes the new state, one history row and the
//!   outbox jobs in one transaction, or nothing at all.
//! - Side effects (e-mail, calendar) never run inside a request handler: they are outbox
//!   jobs, written with the change that needs them.
//! - A clerk never sees another zone's request: out of scope reads as not found.
//! - Secrets (tracking tokens, passwords) are stored only as hashes.

/// The use cases shared by the JSON API and the web pages.
pub mod app;
/// Google Calendar and Meet, for the google provider.
pub mod calendar;
/// The `contato` command line.
pub mod cli;
/// The address a request comes from.
pub mod client_ip;
/// The service's "now", handed to the app and the worker so tests can pick it.
pub mod clock;
/// Settings, layered: defaults, a file, the environment.
pub mod config;
/// The rules of the service, without I/O.
pub mod domain;
/// The web service's routers and shared state.
pub mod http;
/// The outbox worker.
pub mod jobs;
/// The addresses people follow from e-mails and pages.
pub mod links;
/// Prometheus metrics.
pub mod metrics;
/// E-mail: templates, invitations, transport.
pub mod notify;
/// argon2id password hashes.
pub mod passwords;
/// The shipped zones and holidays.
pub mod reference;
/// The HTTP server: connections, their timeouts and limits.
pub mod serve;
/// Bringing the service up and down.
pub mod startup;
/// The database: requests, staff, zones, holidays, outbox.
pub mod store;
/// Logging.
pub mod telemetry;
/// Random secrets for people, stored only as hashes.
pub mod tokens;
/// The web pages: public form and tracking, staff panel.
pub mod web;
