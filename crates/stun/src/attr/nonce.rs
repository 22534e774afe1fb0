//! NONCE (RFC 8489 §14.10). A value the server chooses and the client
//! echoes in its next requests with long-term credentials; when it changes
//! the server answers 438 (Stale Nonce) with the new one.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Nonce (variable, at most 763 bytes)           ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC makes it quoted text, but a client only ever echoes it, so it is
//! kept as opaque bytes: a server with an odd nonce still works. A nonce
//! starting with `obMatJos2` carries the server's security feature bits
//! (RFC 8489 §9.2); [`Nonce::security_features`] reads them.

use bytes::{Bytes, BytesMut};

use super::text::MAX_TEXT_LEN;
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// NONCE: the server's nonce, as opaque bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Nonce(Bytes);

impl Nonce {
    /// The most bytes the value may have.
    pub const MAX_LEN: usize = MAX_TEXT_LEN;

    /// The cookie that starts a nonce carrying security feature bits.
    pub const NONCE_COOKIE: &'static [u8] = b"obMatJos2";

    /// The attribute carrying `nonce`; an error if it is longer than
    /// [`MAX_LEN`](Self::MAX_LEN).
    pub fn new(nonce: impl Into<Bytes>) -> Result<Self, AttrError> {
        let nonce = nonce.into();
        if nonce.len() > Self::MAX_LEN {
            return Err(AttrError::new(Self::TYPE, "nonce too long"));
        }
        Ok(Self(nonce))
    }

    /// The nonce's bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The 24 security feature bits (RFC 8489 §9.2.1: bit 0 "Password
    /// algorithms", bit 1 "Username anonymity"), if the nonce starts with
    /// the nonce cookie followed by four base64 characters.
    pub fn security_features(&self) -> Option<u32> {
        let rest = self.0.strip_prefix(Self::NONCE_COOKIE)?;
        let mut bits = 0u32;
        for &c in rest.get(..4)? {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            };
            bits = bits << 6 | u32::from(v);
        }
        Some(bits)
    }
}

impl StunAttribute for Nonce {
    const TYPE: AttrType = AttrType::NONCE;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        Self::new(value.clone())
    }

    fn value_len(&self) -> usize {
        self.0.len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.extend_from_slice(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        round_trip(Nonce::new(&b"f//499k954d6OL34oL9FSTvy64sA"[..]).unwrap());
        round_trip(Nonce::new(Bytes::new()).unwrap());
        round_trip(Nonce::new(vec![0xff; Nonce::MAX_LEN]).unwrap());
    }

    #[test]
    fn security_features() {
        let n = Nonce::new(&b"obMatJos2AAABrest"[..]).unwrap();
        assert_eq!(n.security_features(), Some(1));
        let n = Nonce::new(&b"obMatJos2/AAA"[..]).unwrap();
        assert_eq!(n.security_features(), Some(63 << 18));
        assert_eq!(
            Nonce::new(&b"obMatJos2AA"[..]).unwrap().security_features(),
            None
        );
        assert_eq!(
            Nonce::new(&b"obMatJos2AA*A"[..])
                .unwrap()
                .security_features(),
            None
        );
        assert_eq!(Nonce::new(&b"plain"[..]).unwrap().security_features(), None);
    }

    #[test]
    fn malformed() {
        assert!(Nonce::new(vec![0; Nonce::MAX_LEN + 1]).is_err());
        assert!(decode::<Nonce>(&vec![0; Nonce::MAX_LEN + 1]).is_err());
    }
}
