//! Sending: lettre over SMTP (`smtp://`, `smtps://`, STARTTLS with `?tls=required`, optional
//! credentials in the URL), pooled and with timeouts; or, with no SMTP configured, `.eml`
//! files in a folder, so a fresh checkout shows real messages without a mail server.

use std::{path::PathBuf, time::Duration};

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp::PoolConfig,
};
use secrecy::ExposeSecret;

use crate::config::{EmailSettings, SmtpSettings};

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder {
        transport: AsyncFileTransport<Tokio1Executor>,
        folder: PathBuf,
    },
}

/// What the other side said when it took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub reply: String,
}

/// A failed send: worth retrying (server down, busy, 4xx), or never (5xx: the address is
/// refused, the message rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

impl Mailer {
    /// `connections` bounds the SMTP pool: as many as the worker sends at once, so that a
    /// batch never opens and closes connections beyond the pool.
    pub fn from_settings(
        smtp: &SmtpSettings,
        email: &EmailSettings,
        connections: u32,
    ) -> anyhow::Result<Mailer> {
        match &smtp.url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|error| anyhow::anyhow!("configuration key smtp.url: {error}"))?
                    .timeout(Some(Duration::from_secs(smtp.timeout_seconds)))
                    .pool_config(PoolConfig::new().max_size(connections.max(1)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&email.outbox_dir).map_err(|error| {
                    anyhow::anyhow!(
                        "cannot create email.outbox_dir {}: {error}",
                        email.outbox_dir.display()
                    )
                })?;
                Ok(Mailer::Folder {
                    transport: AsyncFileTransport::<Tokio1Executor>::new(&email.outbox_dir),
                    folder: email.outbox_dir.clone(),
                })
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<Delivery, SendError> {
        match self {
            Mailer::Smtp(transport) => match transport.send(message).await {
                Ok(response) => Ok(Delivery {
                    reply: format!(
                        "{} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    ),
                }),
                Err(error) if error.is_permanent() => Err(SendError::Permanent(error.to_string())),
                Err(error) => Err(SendError::Transient(error.to_string())),
            },
            Mailer::Folder { transport, folder } => match transport.send(message).await {
                Ok(id) => Ok(Delivery {
                    reply: format!("written to {}", folder.join(format!("{id}.eml")).display()),
                }),
                // A full disk or a permission problem may be fixed by an operator: retry.
                Err(error) => Err(SendError::Transient(error.to_string())),
            },
        }
    }
}
