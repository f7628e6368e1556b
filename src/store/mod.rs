//! Storage: the only module that uses `entities` and SQL. Each change to a request is one
//! transaction that writes the new state, an audit row and the outbox jobs it needs.
//!
//! On SQLite every writing transaction starts with `BEGIN IMMEDIATE`: it takes the write lock
//! up front (waiting up to the busy timeout) instead of failing when a read inside it would
//! have to be upgraded to a write while another connection writes.

mod agenda;
mod audit;
mod convert;
mod data_subject;
mod duty_days;
mod holidays;
mod inbox;
mod indicators;
mod jobs;
mod meetings;
mod messages;
mod outbox;
mod protocol;
mod queue;
mod reference;
mod requests;
mod retention;
mod routing;
mod secrets;
mod sessions;
mod staff;
mod stats;
mod surveys;
mod zones;

use std::{path::Path, str::FromStr, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

use crate::{config::DatabaseSettings, domain::zone::ZoneNumber};

pub use agenda::{FreeSlots, Staffing};
pub use data_subject::{DataSubject, SubjectJob, SubjectLookup, SubjectRequest};
pub use holidays::HolidayRecord;
pub use inbox::{AgendaItem, InboxFilter, InboxItem, InboxPage, PreferenceFilter, inbox_page};
pub use indicators::{Period, Recount, Rollups};
pub use jobs::{ClaimedJob, JobOutcome, JobRecord, JobState};
pub use messages::{MessageRecord, NewMessage};
pub use queue::{Call, ConvertRefusal, TicketPlace, TicketRecord};
pub use reference::ImportReport;
pub use requests::{EventRecord, RequestRecord, Submitted, Transition, ZoneScope};
pub use retention::{RequestToAnonymise, Why};
pub use sessions::SessionKind;
pub use staff::{NewStaff, StaffChanges, StaffRecord};
pub use surveys::SurveyRecord;
pub use zones::{NewZone, ZoneChanges, ZoneRecord};

#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    protocol_sequences: protocol::Sequences,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed; `doing` says what the store was doing then, for the log line.
    #[error("{}database: {source}", doing.map(|what| format!("{what}: ")).unwrap_or_default())]
    Database {
        doing: Option<&'static str>,
        #[source]
        source: DbErr,
    },
    #[error("not found")]
    NotFound,
    #[error("the request changed: it is at version {current}, not {expected}")]
    Stale { expected: i32, current: i32 },
    /// A unique key already taken: the caller words it for whoever typed the value.
    #[error("already taken: {0:?}")]
    Duplicate(Duplicate),
    /// Zone numbers given for an account that name no active zone: nobody is put to work in
    /// a zone that is closed or does not exist.
    #[error("no active zone numbered {0:?}")]
    UnknownZones(Vec<ZoneNumber>),
    /// Only a dead job may be sent back to the queue; `state` is the one it is in.
    #[error("job is {state}, not dead")]
    JobNotDead { state: &'static str },
}

impl From<DbErr> for StoreError {
    fn from(source: DbErr) -> Self {
        StoreError::Database {
            doing: None,
            source,
        }
    }
}

/// Runs one store operation, naming what it does in a database failure (the innermost
/// operation's name wins when one calls another).
async fn doing<T>(
    what: &'static str,
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    work.await.map_err(|error| match error {
        StoreError::Database {
            doing: None,
            source,
        } => StoreError::Database {
            doing: Some(what),
            source,
        },
        other => other,
    })
}

/// Which unique key a change ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    /// Another account has this e-mail (in any capitals).
    StaffEmail,
    ZoneNumber,
    /// Another holiday has this date and the same scope.
    Holiday,
    /// The zone already has a duty day on this date.
    DutyDay,
}

impl Store {
    /// Connects to SQLite (creating the file and its folder) or PostgreSQL.
    pub async fn connect(settings: &DatabaseSettings, url: &str) -> Result<Store, StoreError> {
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        if url.starts_with("sqlite:") {
            create_sqlite_folder(url)?;
            let busy_timeout = Duration::from_millis(settings.sqlite_busy_timeout_ms);
            options.map_sqlx_sqlite_opts(move |sqlite| {
                sqlite
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(busy_timeout)
            });
        }
        let db = Database::connect(options).await?;
        Ok(Store {
            db,
            protocol_sequences: protocol::Sequences::default(),
        })
    }

    /// Applies the migrations that have not run yet; safe to run any number of times.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Answers when the database does (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }

    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
    }
}

fn create_sqlite_folder(url: &str) -> Result<(), StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| DbErr::Custom(format!("invalid SQLite URL: {error}")))?;
    let file = options.get_filename();
    if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty())
        && file != Path::new(":memory:")
    {
        std::fs::create_dir_all(folder).map_err(|error| {
            DbErr::Custom(format!(
                "cannot create the folder {}: {error}",
                folder.display()
            ))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_failure_says_what_the_store_was_doing() {
        let failed = doing("claiming due jobs", async {
            Err::<(), _>(StoreError::from(DbErr::Custom("connection reset".into())))
        })
        .await;
        let nested = doing("changing a request", async {
            doing("reading a zone", async {
                Err::<(), _>(StoreError::from(DbErr::Custom("timeout".into())))
            })
            .await
        })
        .await;
        let not_found = doing("reading a request", async {
            Err::<(), _>(StoreError::NotFound)
        })
        .await;

        assert_eq!(
            failed.unwrap_err().to_string(),
            "claiming due jobs: database: Custom Error: connection reset"
        );
        assert_eq!(
            nested.unwrap_err().to_string(),
            "reading a zone: database: Custom Error: timeout",
            "the innermost operation names the failure"
        );
        assert!(matches!(not_found, Err(StoreError::NotFound)));
    }
}
