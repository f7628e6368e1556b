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

/// What became of a message that was taken, as staff read it in the panel: the SMTP
/// server's reply, or the file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub summary: String,
}

/// A failed send: worth retrying (server down, busy, 4xx), or never (5xx: the address is
/// refused, the message rejected). The text is for staff, with lettre's own words after it.
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
                    summary: format!(
                        "entregue ao servidor de e-mail: {} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    ),
                }),
                Err(error) if error.is_permanent() => Err(SendError::Permanent(format!(
                    "o servidor de e-mail recusou a mensagem: {error}"
                ))),
                Err(error) => Err(SendError::Transient(format!(
                    "não foi possível entregar ao servidor de e-mail agora: {error}"
                ))),
            },
            Mailer::Folder { transport, folder } => match transport.send(message).await {
                Ok(id) => Ok(Delivery {
                    summary: format!("gravado em {}", folder.join(format!("{id}.eml")).display()),
                }),
                // A full disk or a permission problem may be fixed by an operator: retry.
                Err(error) => Err(SendError::Transient(format!(
                    "não foi possível gravar o e-mail em {}: {error}",
                    folder.display()
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message::builder()
            .from("contato@tre-pa.jus.br".parse().expect("an address"))
            .to("maria@example.com".parse().expect("an address"))
            .subject("Pedido recebido")
            .body("Olá".to_string())
            .expect("a message")
    }

    #[tokio::test]
    async fn a_message_written_to_the_folder_says_where_in_portuguese() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mailer = Mailer::Folder {
            transport: AsyncFileTransport::<Tokio1Executor>::new(folder.path()),
            folder: folder.path().to_path_buf(),
        };

        let delivery = mailer.send(message()).await.expect("written");

        let expected = format!("gravado em {}", folder.path().display());
        assert!(delivery.summary.starts_with(&expected), "{delivery:?}");
        assert!(delivery.summary.ends_with(".eml"), "{delivery:?}");
    }

    #[tokio::test]
    async fn a_folder_that_cannot_be_written_is_worth_another_try() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let missing = folder.path().join("não existe");
        let mailer = Mailer::Folder {
            transport: AsyncFileTransport::<Tokio1Executor>::new(&missing),
            folder: missing.clone(),
        };

        let error = mailer.send(message()).await.expect_err("no folder");

        let expected = format!(
            "não foi possível gravar o e-mail em {}: ",
            missing.display()
        );
        assert!(
            matches!(&error, SendError::Transient(text) if text.starts_with(&expected)),
            "{error:?}"
        );
    }
}
