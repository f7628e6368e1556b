//! The addresses people follow from e-mails and pages. One place knows their shape and how
//! they join the service's public address.

use url::Url;

/// Absolute links under `server.public_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// The public address without its trailing slash.
    base: String,
}

impl Links {
    pub fn new(public_url: &Url) -> Links {
        Links {
            base: public_url.as_str().trim_end_matches('/').to_string(),
        }
    }

    /// `path_and_query` (which starts with `/`) under the public address.
    pub fn absolute(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }

    /// The landing page.
    pub fn home(&self) -> String {
        self.absolute("/")
    }

    /// A requester's own page for their request; `token` proves who they are.
    pub fn tracking(&self, protocol: &str, token: &str) -> String {
        self.absolute(&tracking_path(protocol, token))
    }

    /// The satisfaction survey of a request; `token` proves who answers.
    pub fn survey(&self, protocol: &str, token: &str) -> String {
        self.absolute(&survey_path(protocol, token))
    }

    /// A person's place in a zone's queue; `token` proves who they are.
    pub fn queue_ticket(&self, id: i64, token: &str) -> String {
        self.absolute(&queue_ticket_path(id, token))
    }

    /// A request's page in the staff panel.
    pub fn panel_request(&self, id: i64) -> String {
        self.absolute(&panel_request_path(id))
    }
}

/// The tracking page of `protocol`, relative to the site. Protocols are digits and a dash
/// and tokens URL-safe base64, so neither needs escaping.
pub fn tracking_path(protocol: &str, token: &str) -> String {
    format!("/acompanhar/{protocol}?token={token}")
}

/// The satisfaction survey of `protocol`, relative to the site; escaping as for
/// [`tracking_path`].
pub fn survey_path(protocol: &str, token: &str) -> String {
    format!("/avaliar/{protocol}?token={token}")
}

/// A person's place in a zone's queue, relative to the site.
pub fn queue_ticket_path(id: i64, token: &str) -> String {
    format!("/fila/{id}?token={token}")
}

pub fn panel_request_path(id: i64) -> String {
    format!("/painel/solicitacoes/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_join_the_public_address_with_or_without_its_slash() {
        for base in [
            "https://contato.tre-pa.jus.br",
            "https://contato.tre-pa.jus.br/",
        ] {
            let links = Links::new(&Url::parse(base).unwrap());
            assert_eq!(links.home(), "https://contato.tre-pa.jus.br/");
            assert_eq!(
                links.tracking("2026-000123", "abc_-9"),
                "https://contato.tre-pa.jus.br/acompanhar/2026-000123?token=abc_-9"
            );
            assert_eq!(
                links.survey("2026-000123", "abc_-9"),
                "https://contato.tre-pa.jus.br/avaliar/2026-000123?token=abc_-9"
            );
            assert_eq!(
                links.panel_request(42),
                "https://contato.tre-pa.jus.br/painel/solicitacoes/42"
            );
        }
    }

    #[test]
    fn a_public_address_under_a_path_keeps_it() {
        let links = Links::new(&Url::parse("https://tre-pa.jus.br/contato/").unwrap());
        assert_eq!(
            links.tracking("2026-000001", "t"),
            "https://tre-pa.jus.br/contato/acompanhar/2026-000001?token=t"
        );
    }
}
