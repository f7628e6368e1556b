//! A link to a videoconference room that a clerk pastes or a zone has as its fixed room.

use std::fmt;

use url::Url;

use super::text::{Lines, check_characters};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetLink(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetLinkError {
    #[error("Informe o link da reunião.")]
    Empty,
    #[error("O link da reunião não é um endereço válido.")]
    Invalid,
    /// A URL parser drops line breaks and tabs silently; the link is refused instead, as
    /// every one-line text is.
    #[error("O link da reunião deve ter uma só linha, sem caracteres invisíveis ou de controle.")]
    Characters,
    #[error("O link da reunião deve começar com https://.")]
    NotHttps,
    #[error("O link da reunião deve ser de um destes endereços: {0}.")]
    HostNotAllowed(String),
}

impl MeetLink {
    /// Accepts only `https` links on one of `allowed_hosts` (e.g. `meet.google.com`), so a
    /// requester is never sent to an arbitrary site from an official e-mail.
    pub fn parse(input: &str, allowed_hosts: &[String]) -> Result<MeetLink, MeetLinkError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(MeetLinkError::Empty);
        }
        check_characters(input, Lines::One).map_err(|_| MeetLinkError::Characters)?;
        let url = Url::parse(input).map_err(|_| MeetLinkError::Invalid)?;
        if url.scheme() != "https" {
            return Err(MeetLinkError::NotHttps);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(MeetLinkError::Invalid);
        }
        let host = url.host_str().unwrap_or_default();
        if !allowed_hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
        {
            return Err(MeetLinkError::HostNotAllowed(allowed_hosts.join(", ")));
        }
        Ok(MeetLink(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MeetLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_table() {
        let allowed = vec!["meet.google.com".to_string()];
        let cases: &[(&str, &str, Result<&str, MeetLinkError>)] = &[
            (
                "a Meet room",
                "https://meet.google.com/abc-defg-hij",
                Ok("https://meet.google.com/abc-defg-hij"),
            ),
            (
                "surrounding spaces",
                "  https://meet.google.com/abc-defg-hij ",
                Ok("https://meet.google.com/abc-defg-hij"),
            ),
            (
                "host in capitals",
                "https://MEET.google.com/abc-defg-hij",
                Ok("https://meet.google.com/abc-defg-hij"),
            ),
            ("empty", " ", Err(MeetLinkError::Empty)),
            (
                "not a URL",
                "meet.google.com/abc",
                Err(MeetLinkError::Invalid),
            ),
            (
                "plain http",
                "http://meet.google.com/abc-defg-hij",
                Err(MeetLinkError::NotHttps),
            ),
            (
                "javascript",
                "javascript:alert(1)",
                Err(MeetLinkError::NotHttps),
            ),
            (
                "another site",
                "https://evil.example/meet.google.com",
                Err(MeetLinkError::HostNotAllowed("meet.google.com".into())),
            ),
            (
                "look-alike host",
                "https://meet.google.com.evil.example/x",
                Err(MeetLinkError::HostNotAllowed("meet.google.com".into())),
            ),
            (
                "a line break the URL parser would drop",
                "https://meet.google.com/abc-\ndefg-hij",
                Err(MeetLinkError::Characters),
            ),
            (
                "a zero-width space",
                "https://meet.google.com/abc-defg-hij\u{200B}",
                Err(MeetLinkError::Characters),
            ),
            (
                "credentials before the host",
                "https://meet.google.com@evil.example/x",
                Err(MeetLinkError::Invalid),
            ),
        ];
        for (description, input, expected) in cases {
            let result = MeetLink::parse(input, &allowed);
            assert_eq!(
                result.as_ref().map(MeetLink::as_str).map_err(Clone::clone),
                expected.clone(),
                "{description}"
            );
        }
    }
}
