//! Message integrity (RFC 8489 §9, §14.5, §14.6): keys, and the HMACs the
//! builder appends and [`Message::verify_integrity`] checks.
//!
//! * **Short-term credentials** (ICE, RFC 8445 §7.2.2): the key is the
//!   password. [`IntegrityKey::short_term`] passes it through as UTF-8
//!   bytes: no SASLprep / OpaqueString processing, which ICE passwords
//!   (ASCII `ice-char`s) never need.
//! * **Long-term credentials** (TURN): the key is
//!   `MD5(username ":" realm ":" password)` (16 bytes), or with the SHA-256
//!   password algorithm `SHA-256(...)` of the same string (32 bytes)
//!   (RFC 8489 §9.2.2). The key derivation follows the password algorithm
//!   (PASSWORD-ALGORITHM, MD5 when absent); the HMAC follows the attribute:
//!   MESSAGE-INTEGRITY is HMAC-SHA1, MESSAGE-INTEGRITY-SHA256 is
//!   HMAC-SHA256, whichever key is used. Username, realm and password are
//!   taken as given (no SASLprep).
//!
//! Both HMACs run over the message up to the integrity attribute with the
//! header's length field set to count up to and including that attribute;
//! nothing is copied (the HMAC is fed the pieces). The tag comparison is
//! constant-time (aws-lc-rs `CRYPTO_memcmp`), including for a truncated
//! MESSAGE-INTEGRITY-SHA256, which `hmac::verify` cannot check.

use std::fmt;

use aws_lc_rs::{constant_time, digest, hmac};
use md5::Digest as _;

use crate::attr::{AttrType, MessageIntegritySha256, PasswordAlgorithmId, UserHash};
use crate::builder::MessageBuilder;
use crate::error::{BuildError, IntegrityError};
use crate::header::HEADER_LEN;
use crate::message::Message;
use crate::wire::len16;

/// A key for MESSAGE-INTEGRITY (HMAC-SHA1) and MESSAGE-INTEGRITY-SHA256
/// (HMAC-SHA256), with each HMAC key schedule prepared once: SHA-1's at
/// once, SHA-256's on first use (ICE never uses it, and a prepared schedule
/// is over a kilobyte, kept by every connection). Keep one per credential
/// rather than making one per message. Its `Debug` output does not show
/// the key.
#[derive(Clone)]
pub struct IntegrityKey {
    sha1: hmac::Key,
    key: Box<[u8]>,
    sha256: std::sync::OnceLock<Box<hmac::Key>>,
}

impl fmt::Debug for IntegrityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IntegrityKey(..)")
    }
}

impl IntegrityKey {
    /// A key from its bytes.
    pub fn new(key: &[u8]) -> Self {
        Self {
            sha1: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key),
            key: key.into(),
            sha256: std::sync::OnceLock::new(),
        }
    }

    fn sha256(&self) -> &hmac::Key {
        self.sha256
            .get_or_init(|| Box::new(hmac::Key::new(hmac::HMAC_SHA256, &self.key)))
    }

    /// Short-term credentials: the key is the password's UTF-8 bytes.
    pub fn short_term(password: &str) -> Self {
        Self::new(password.as_bytes())
    }

    /// Long-term credentials with the MD5 password algorithm (the default,
    /// and RFC 5389's only one).
    pub fn long_term_md5(username: &str, realm: &str, password: &str) -> Self {
        let mut h = md5::Md5::new();
        for part in [username, ":", realm, ":", password] {
            h.update(part.as_bytes());
        }
        Self::new(&h.finalize())
    }

    /// Long-term credentials with the SHA-256 password algorithm.
    pub fn long_term_sha256(username: &str, realm: &str, password: &str) -> Self {
        let mut h = digest::Context::new(&digest::SHA256);
        for part in [username, ":", realm, ":", password] {
            h.update(part.as_bytes());
        }
        Self::new(h.finish().as_ref())
    }

    /// Long-term credentials with `algorithm`; `None` for an algorithm this
    /// crate does not know.
    pub fn long_term(
        username: &str,
        realm: &str,
        password: &str,
        algorithm: PasswordAlgorithmId,
    ) -> Option<Self> {
        match algorithm {
            PasswordAlgorithmId::MD5 => Some(Self::long_term_md5(username, realm, password)),
            PasswordAlgorithmId::SHA256 => Some(Self::long_term_sha256(username, realm, password)),
            _ => None,
        }
    }
}

/// USERHASH's value: SHA-256(username ":" realm) (RFC 8489 §14.4).
pub fn userhash(username: &str, realm: &str) -> UserHash {
    let mut h = digest::Context::new(&digest::SHA256);
    for part in [username, ":", realm] {
        h.update(part.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finish().as_ref());
    UserHash(out)
}

/// HMAC of a message whose bytes before the integrity attribute are
/// `before`, with the length field replaced by `length`.
fn hmac_over(key: &hmac::Key, before: &[u8], length: u16) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(before.get(..2).unwrap_or_default());
    ctx.update(&length.to_be_bytes());
    ctx.update(before.get(4..).unwrap_or_default());
    ctx.sign()
}

impl Message {
    /// Whether the message carries MESSAGE-INTEGRITY or
    /// MESSAGE-INTEGRITY-SHA256.
    pub const fn has_integrity(&self) -> bool {
        self.positions().integrity.is_some() || self.positions().integrity_sha256.is_some()
    }

    /// Checks the message's integrity with `key`: MESSAGE-INTEGRITY-SHA256
    /// if present (any allowed truncation), otherwise MESSAGE-INTEGRITY.
    /// The comparison is constant-time.
    pub fn verify_integrity(&self, key: &IntegrityKey) -> Result<(), IntegrityError> {
        let p = self.positions();
        let (pos, hmac_key) = match (p.integrity_sha256, p.integrity) {
            (Some(pos), _) => (pos, key.sha256()),
            (None, Some(pos)) => (pos, &key.sha1),
            (None, None) => return Err(IntegrityError::Missing),
        };
        let raw = self.as_bytes();
        let len = raw
            .get(pos + 2..pos + 4)
            .map_or(0, |l| usize::from(u16::from_be_bytes([l[0], l[1]])));
        let carried = raw.get(pos + 4..pos + 4 + len).unwrap_or_default();
        let before = raw.get(..pos).unwrap_or_default();
        let tag = hmac_over(hmac_key, before, len16(pos + 4 + len - HEADER_LEN));
        let computed = tag.as_ref().get(..len).unwrap_or_default();
        constant_time::verify_slices_are_equal(computed, carried)
            .map_err(|_| IntegrityError::Mismatch)
    }
}

impl MessageBuilder {
    /// Appends MESSAGE-INTEGRITY: HMAC-SHA1 with `key` over the message so
    /// far (RFC 8489 §14.5). Only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
    /// may follow.
    #[must_use]
    pub fn message_integrity(mut self, key: &IntegrityKey) -> Self {
        const LEN: usize = 20;
        if self.admit(AttrType::MESSAGE_INTEGRITY, LEN) {
            let length = len16(self.attributes_len() + 4 + LEN);
            let tag = hmac_over(&key.sha1, self.buffer(), length);
            self.write_header(AttrType::MESSAGE_INTEGRITY, LEN);
            self.put(tag.as_ref());
            debug_assert_eq!(tag.as_ref().len(), LEN);
        }
        self
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 with the full 32-byte tag.
    #[must_use]
    pub fn message_integrity_sha256(self, key: &IntegrityKey) -> Self {
        self.message_integrity_sha256_truncated(key, 32)
    }

    /// Appends MESSAGE-INTEGRITY-SHA256: HMAC-SHA256 with `key` over the
    /// message so far, truncated to `len` bytes (16, 20, 24, 28 or 32; RFC
    /// 8489 §14.6). Only FINGERPRINT may follow.
    #[must_use]
    pub fn message_integrity_sha256_truncated(mut self, key: &IntegrityKey, len: usize) -> Self {
        if !MessageIntegritySha256::is_valid_len(len) {
            self.fail(BuildError::BadTruncation { length: len });
            return self;
        }
        if self.admit(AttrType::MESSAGE_INTEGRITY_SHA256, len) {
            let length = len16(self.attributes_len() + 4 + len);
            let tag = hmac_over(key.sha256(), self.buffer(), length);
            self.write_header(AttrType::MESSAGE_INTEGRITY_SHA256, len);
            self.put(tag.as_ref().get(..len).unwrap_or_default());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{Fingerprint, MessageIntegrity, Priority, Username};
    use crate::header::{Method, TransactionId};

    const TID: TransactionId = TransactionId([3; 12]);

    fn request() -> MessageBuilder {
        MessageBuilder::request(Method::BINDING, TID)
            .attr(Username::new("a:b").unwrap())
            .attr(Priority(1))
    }

    #[test]
    fn message_integrity_round_trip() {
        let key = IntegrityKey::short_term("secret");
        let m = Message::parse(request().message_integrity(&key).build().unwrap()).unwrap();
        assert!(m.has_integrity());
        assert_eq!(m.verify_integrity(&key), Ok(()));
        assert_eq!(
            m.verify_integrity(&IntegrityKey::short_term("Secret")),
            Err(IntegrityError::Mismatch)
        );
        let mi = m.get::<MessageIntegrity>().unwrap();
        assert_eq!(mi.0.len(), 20);
    }

    #[test]
    fn sha256_every_truncation_and_preference() {
        let key = IntegrityKey::short_term("secret");
        let wrong = IntegrityKey::short_term("wrong");
        for len in [16, 20, 24, 28, 32] {
            let m = Message::parse(
                request()
                    .message_integrity_sha256_truncated(&key, len)
                    .fingerprint()
                    .build()
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(m.get::<MessageIntegritySha256>().unwrap().tag().len(), len);
            assert_eq!(m.verify_integrity(&key), Ok(()), "{len}");
            assert_eq!(m.verify_integrity(&wrong), Err(IntegrityError::Mismatch));
            assert_eq!(m.verify_fingerprint(), Ok(()));
        }
        // Both: SHA-256 is the one checked (a broken MI does not matter).
        let both = request()
            .attr(MessageIntegrity([0; 20]))
            .message_integrity_sha256(&key)
            .build()
            .unwrap();
        assert_eq!(Message::parse(both).unwrap().verify_integrity(&key), Ok(()));
        let e = request()
            .message_integrity_sha256_truncated(&key, 12)
            .build();
        assert_eq!(e, Err(BuildError::BadTruncation { length: 12 }));
    }

    #[test]
    fn tampering_is_caught() {
        let key = IntegrityKey::short_term("secret");
        let bytes = request()
            .message_integrity(&key)
            .fingerprint()
            .build()
            .unwrap();
        for i in 0..bytes.len() - 8 {
            let mut bad = bytes.to_vec();
            bad[i] ^= 0x80;
            if let Ok(m) = Message::parse_slice(&bad) {
                assert!(m.verify_integrity(&key).is_err(), "byte {i}");
            }
        }
        // The FINGERPRINT after MESSAGE-INTEGRITY is outside the HMAC.
        let mut fp_changed = bytes.to_vec();
        let n = fp_changed.len();
        fp_changed[n - 1] ^= 1;
        let m = Message::parse_slice(&fp_changed).unwrap();
        assert_eq!(m.verify_integrity(&key), Ok(()));
        assert!(m.verify_fingerprint().is_err());
    }

    #[test]
    fn ignored_attributes_after_integrity_do_not_break_it() {
        let key = IntegrityKey::short_term("secret");
        let signed = request().message_integrity(&key).build().unwrap();
        // Append an attribute by hand after MESSAGE-INTEGRITY: the length
        // field grows, the HMAC still checks out.
        let mut v = signed.to_vec();
        v.extend_from_slice(&[0x80, 0x22, 0x00, 0x04, b'a', b'b', b'c', b'd']);
        let len = u16::from_be_bytes([v[2], v[3]]) + 8;
        v[2..4].copy_from_slice(&len.to_be_bytes());
        let m = Message::parse_slice(&v).unwrap();
        assert_eq!(m.ignored_attributes(), 1);
        assert_eq!(m.verify_integrity(&key), Ok(()));
    }

    #[test]
    fn missing() {
        let m = Message::parse(request().build().unwrap()).unwrap();
        assert!(!m.has_integrity());
        assert_eq!(
            m.verify_integrity(&IntegrityKey::short_term("x")),
            Err(IntegrityError::Missing)
        );
    }

    #[test]
    fn order_after_integrity() {
        let key = IntegrityKey::short_term("k");
        let e = request().message_integrity(&key).attr(Priority(2)).build();
        assert!(matches!(e, Err(BuildError::AfterIntegrity { .. })));
        let e = request()
            .message_integrity_sha256(&key)
            .message_integrity(&key)
            .build();
        assert!(matches!(e, Err(BuildError::AfterIntegrity { .. })));
        let e = request().fingerprint().message_integrity(&key).build();
        assert!(matches!(e, Err(BuildError::AfterFingerprint { .. })));
        // MI then MI-SHA256 then FINGERPRINT: both verify.
        let m = Message::parse(
            request()
                .message_integrity(&key)
                .message_integrity_sha256(&key)
                .fingerprint()
                .build()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(m.verify_integrity(&key), Ok(()));
        assert!(m.get::<Fingerprint>().is_some());
    }

    #[test]
    fn long_term_keys() {
        // RFC 5769 §2.4's credentials; the MD5 key is checked against the
        // vector in tests/rfc5769.rs. Here: the two derivations differ and
        // unknown algorithms are refused.
        let md5 = IntegrityKey::long_term("u", "r", "p", PasswordAlgorithmId::MD5);
        let sha = IntegrityKey::long_term("u", "r", "p", PasswordAlgorithmId::SHA256);
        assert!(md5.is_some() && sha.is_some());
        assert!(IntegrityKey::long_term("u", "r", "p", PasswordAlgorithmId(7)).is_none());
        let m = Message::parse(
            request()
                .message_integrity(&IntegrityKey::long_term_md5("u", "r", "p"))
                .build()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            m.verify_integrity(&IntegrityKey::long_term_md5("u", "r", "p")),
            Ok(())
        );
        assert!(
            m.verify_integrity(&IntegrityKey::long_term_sha256("u", "r", "p"))
                .is_err()
        );
        // MD5("u:r:p") computed independently.
        let mut h = md5::Md5::new();
        h.update(b"u:r:p");
        let direct = IntegrityKey::new(&h.finalize());
        assert_eq!(m.verify_integrity(&direct), Ok(()));
        assert_eq!(format!("{direct:?}"), "IntegrityKey(..)");
    }

    #[test]
    fn userhash_is_sha256_of_username_and_realm() {
        let h = userhash("user", "realm");
        let direct = digest::digest(&digest::SHA256, b"user:realm");
        assert_eq!(&h.0[..], direct.as_ref());
    }
}
