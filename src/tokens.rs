//! Secret tokens handed to people (tracking links, staff sessions). Only their SHA-256 is
//! stored, so a copy of the database does not let anyone in.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::domain::cpf::Cpf;

/// A fresh secret, URL-safe; never logged, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(getrandom::Error);

impl Token {
    /// 128 random bits: the requester's tracking token (22 characters).
    pub fn tracking() -> Result<Token, RandomError> {
        Self::random::<16>()
    }

    /// 256 random bits: a staff session or API token (43 characters).
    pub fn session() -> Result<Token, RandomError> {
        Self::random::<32>()
    }

    fn random<const BYTES: usize>() -> Result<Token, RandomError> {
        let mut bytes = [0u8; BYTES];
        getrandom::fill(&mut bytes).map_err(RandomError)?;
        Ok(Token(URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A key the service signs values with (HMAC-SHA256), kept in the database so that every
/// process signs alike; never logged.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl SigningKey {
    /// A fresh key, as stored: 256 random bits, URL-safe base64.
    pub fn fresh() -> Result<String, RandomError> {
        Token::session().map(|token| token.0)
    }

    pub fn from_stored(stored: &str) -> SigningKey {
        SigningKey(stored.as_bytes().to_vec())
    }

    /// The signature of `parts` (joined unambiguously), 128 bits in hex.
    pub fn sign(&self, parts: &[&str]) -> String {
        self.mac(parts)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// A token only this key makes for `parts`, shaped as a tracking token (22 URL-safe
    /// characters): it can be checked later without being stored.
    pub fn token(&self, parts: &[&str]) -> Token {
        Token(URL_SAFE_NO_PAD.encode(self.mac(parts)))
    }

    /// HMAC-SHA256 of `parts`, each preceded by its length, cut to 128 bits.
    fn mac(&self, parts: &[&str]) -> [u8; 16] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        first
    }

    /// Whether `signature` is that of `parts`, compared in constant time.
    pub fn verify(&self, parts: &[&str], signature: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.sign(parts).as_bytes().ct_eq(signature.as_bytes()))
    }
}

impl SigningKey {
    /// The secret of queue ticket `id`, in its page's link: the key remakes it to check it,
    /// so nothing is stored, and the worker can put the link in the ticket's e-mails.
    pub fn queue_ticket_token(&self, id: i64) -> Token {
        self.token(&["contato queue ticket", &id.to_string()])
    }

    /// Whether `token` is the secret of queue ticket `id`, compared in constant time.
    pub fn is_queue_ticket_token(&self, id: i64, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(
            self.queue_ticket_token(id)
                .expose()
                .as_bytes()
                .ct_eq(token.as_bytes()),
        )
    }
}

impl SigningKey {
    /// A CPF's fingerprint for the audit trail: the same for every lookup of one person, so
    /// the trail can tell whose data an admin read, while only the service's key can link it
    /// to a CPF (a plain hash of a number with 10⁹ possible values is undone by trying them
    /// all).
    pub fn cpf_fingerprint(&self, cpf: &Cpf) -> String {
        self.sign(&["contato data subject", cpf.as_str()])
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// The stored form of a token: SHA-256, lowercase hex. A fast hash is right here: the
/// tokens are random and long, so there is nothing to guess slowly.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_parts_and_key_only() {
        let key = SigningKey::from_stored("uma chave");
        let signature = key.sign(&["sign-in", "abc", "127.0.0.1"]);
        assert_eq!(signature.len(), 32);
        assert!(key.verify(&["sign-in", "abc", "127.0.0.1"], &signature));
        assert!(!key.verify(&["sign-in", "abc", "127.0.0.2"], &signature));
        assert!(
            !key.verify(&["sign-in", "ab", "c127.0.0.1"], &signature),
            "parts stay apart"
        );
        assert!(
            !SigningKey::from_stored("outra chave")
                .verify(&["sign-in", "abc", "127.0.0.1"], &signature)
        );
        assert!(!key.verify(&["sign-in", "abc", "127.0.0.1"], ""));
    }

    #[test]
    fn a_cpf_s_fingerprint_is_one_per_person_and_key_and_hides_the_cpf() {
        let key = SigningKey::from_stored("uma chave");
        let bare = Cpf::parse("12345678909").unwrap();
        let punctuated = Cpf::parse("123.456.789-09").unwrap();
        let other = Cpf::parse("529.982.247-25").unwrap();
        let fingerprint = key.cpf_fingerprint(&bare);
        assert_eq!(fingerprint, key.cpf_fingerprint(&punctuated));
        assert_ne!(fingerprint, key.cpf_fingerprint(&other));
        assert_ne!(
            fingerprint,
            SigningKey::from_stored("outra chave").cpf_fingerprint(&bare)
        );
        assert_eq!(fingerprint.len(), 32);
        assert!(!fingerprint.contains("12345678909"));
    }

    #[test]
    fn tokens_have_the_promised_entropy_and_alphabet() {
        let tracking = Token::tracking().unwrap();
        let session = Token::session().unwrap();
        assert_eq!(tracking.expose().len(), 22);
        assert_eq!(session.expose().len(), 43);
        for token in [&tracking, &session] {
            assert!(
                token
                    .expose()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
        }
        assert_ne!(Token::tracking().unwrap(), tracking);
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = Token::tracking().unwrap();
        assert_eq!(token.hash(), hash_token(token.expose()));
    }

    #[test]
    fn debug_output_hides_the_token() {
        let token = Token::session().unwrap();
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
