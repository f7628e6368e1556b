//! Identifiers derived from the request, so that a retried call finds what an earlier
//! attempt already made instead of making it twice.

/// RFC 4648 "base32hex", lowercase: the only characters Google accepts in event ids.
const BASE32HEX: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// The event of request `request_id` in this deployment (`site` keeps two deployments that
/// share a calendar, say staging and production, from claiming each other's events).
pub fn event_id(site: &str, request_id: i64) -> String {
    base32hex(format!("contato:{site}:{request_id}").as_bytes())
}

/// The event of a call from queue ticket `ticket_id` in this deployment.
pub fn queue_event_id(site: &str, ticket_id: i64) -> String {
    base32hex(format!("contato:{site}:fila:{ticket_id}").as_bytes())
}

/// What an event is for: a request's meeting or a call from a zone's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKey {
    Request(i64),
    QueueCall(i64),
}

impl EventKey {
    pub fn event_id(self, site: &str) -> String {
        match self {
            EventKey::Request(id) => event_id(site, id),
            EventKey::QueueCall(id) => queue_event_id(site, id),
        }
    }

    /// The Meet conference request of one scheduling revision.
    pub fn conference_request_id(self, site: &str, revision: i32) -> String {
        match self {
            EventKey::Request(id) => conference_request_id(site, id, revision),
            EventKey::QueueCall(id) => format!("contato-{site}-fila{id}-r{revision}"),
        }
    }
}

/// The Meet conference request of one scheduling revision.
pub fn conference_request_id(site: &str, request_id: i64, revision: i32) -> String {
    format!("contato-{site}-{request_id}-r{revision}")
}

fn base32hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32HEX[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32HEX[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32hex_follows_rfc_4648() {
        // RFC 4648, section 10 (without padding, in lowercase).
        let cases = [
            ("", ""),
            ("f", "co"),
            ("fo", "cpng"),
            ("foo", "cpnmu"),
            ("foob", "cpnmuog"),
            ("fooba", "cpnmuoj1"),
            ("foobar", "cpnmuoj1e8"),
        ];
        for (input, expected) in cases {
            assert_eq!(base32hex(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn event_ids_are_stable_valid_and_distinct() {
        let id = event_id("contato.tre-pa.jus.br", 42);
        assert_eq!(id, event_id("contato.tre-pa.jus.br", 42));
        assert!((5..=1024).contains(&id.len()));
        assert!(id.bytes().all(|b| BASE32HEX.contains(&b)), "{id}");
        assert_ne!(id, event_id("contato.tre-pa.jus.br", 43));
        assert_ne!(id, event_id("staging.tre-pa.jus.br", 42));
        let call = EventKey::QueueCall(42).event_id("contato.tre-pa.jus.br");
        assert!(call.bytes().all(|b| BASE32HEX.contains(&b)), "{call}");
        assert_ne!(call, id, "a call's event is not request 42's");
        assert_eq!(EventKey::Request(42).event_id("contato.tre-pa.jus.br"), id);
    }
}
