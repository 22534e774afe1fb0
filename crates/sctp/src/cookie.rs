//! The state cookie (RFC 9260 §5.1.3): everything needed to build the
//! association when COOKIE-ECHO arrives, so the responder keeps no state
//! for an INIT (SYN-flood resistance). Signed with HMAC-SHA256 under a key
//! only this endpoint knows, and stamped with its creation time.
//!
//! Layout (all big-endian), then a 32-byte HMAC over the preceding bytes:
//!
//! ```text
//! version:1 capabilities:1 reserved:2
//! created_at_us:8          (since the association's epoch)
//! local_tag:4 local_initial_tsn:4
//! peer_tag:4 peer_initial_tsn:4 peer_a_rwnd:4
//! peer_outbound_streams:2 peer_inbound_streams:2
//! local_tie_tag:4 peer_tie_tag:4
//! ```

use std::time::Duration;

use aws_lc_rs::hmac;
use bytes::{BufMut, Bytes, BytesMut};

use crate::capabilities::Capabilities;
use crate::types::Tsn;

const VERSION: u8 = 1;
const BODY_LEN: usize = 4 + 8 + 8 + 12 + 4 + 8;
const MAC_LEN: usize = 32;
/// Length of a cookie on the wire.
pub(crate) const COOKIE_LEN: usize = BODY_LEN + MAC_LEN;

/// The contents of our state cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct StateCookie {
    pub(crate) created_at: Duration,
    pub(crate) local_tag: u32,
    pub(crate) local_initial_tsn: Tsn,
    pub(crate) peer_tag: u32,
    pub(crate) peer_initial_tsn: Tsn,
    pub(crate) peer_a_rwnd: u32,
    pub(crate) peer_outbound_streams: u16,
    pub(crate) peer_inbound_streams: u16,
    pub(crate) capabilities: Capabilities,
    /// Tie-tags (RFC 9260 §5.2.2): the tags of an existing association,
    /// so a restart or collision can be told from an attack.
    pub(crate) local_tie_tag: u32,
    pub(crate) peer_tie_tag: u32,
}

/// Why a cookie was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CookieError {
    #[error("state cookie malformed")]
    Malformed,
    #[error("state cookie signature invalid")]
    BadSignature,
    /// Authentic but too old; `peer_tag` addresses the error report.
    #[error("state cookie stale by {staleness:?}")]
    Stale { staleness: Duration, peer_tag: u32 },
}

/// The HMAC key of one endpoint.
pub(crate) struct CookieKey(hmac::Key);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieKey(..)")
    }
}

impl CookieKey {
    pub(crate) fn new(secret: &[u8; 32]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }
}

impl StateCookie {
    /// Serialises and signs the cookie.
    pub(crate) fn sign(&self, key: &CookieKey) -> Bytes {
        let mut buf = BytesMut::with_capacity(COOKIE_LEN);
        buf.put_u8(VERSION);
        buf.put_u8(self.capabilities.to_bits());
        buf.put_u16(0);
        buf.put_u64(u64::try_from(self.created_at.as_micros()).unwrap_or(u64::MAX));
        buf.put_u32(self.local_tag);
        buf.put_u32(self.local_initial_tsn.0);
        buf.put_u32(self.peer_tag);
        buf.put_u32(self.peer_initial_tsn.0);
        buf.put_u32(self.peer_a_rwnd);
        buf.put_u16(self.peer_outbound_streams);
        buf.put_u16(self.peer_inbound_streams);
        buf.put_u32(self.local_tie_tag);
        buf.put_u32(self.peer_tie_tag);
        let tag = hmac::sign(&key.0, &buf);
        buf.put_slice(tag.as_ref());
        buf.freeze()
    }

    /// Checks the signature (in constant time) and the age, then decodes.
    /// `now` is the time since the same epoch `created_at` was taken from.
    pub(crate) fn verify(
        bytes: &[u8],
        key: &CookieKey,
        now: Duration,
        lifetime: Duration,
    ) -> Result<Self, CookieError> {
        if bytes.len() != COOKIE_LEN {
            return Err(CookieError::Malformed);
        }
        let (body, mac) = bytes.split_at(BODY_LEN);
        hmac::verify(&key.0, body, mac).map_err(|_| CookieError::BadSignature)?;
        if body[0] != VERSION {
            return Err(CookieError::Malformed);
        }
        let u16_at = |i: usize| u16::from_be_bytes([body[i], body[i + 1]]);
        let u32_at =
            |i: usize| u32::from_be_bytes([body[i], body[i + 1], body[i + 2], body[i + 3]]);
        let mut created = [0u8; 8];
        created.copy_from_slice(&body[4..12]);
        let created_at = Duration::from_micros(u64::from_be_bytes(created));
        let age = now.saturating_sub(created_at);
        if age > lifetime {
            return Err(CookieError::Stale {
                staleness: age - lifetime,
                peer_tag: u32_at(20),
            });
        }
        Ok(Self {
            created_at,
            capabilities: Capabilities::from_bits(body[1]),
            local_tag: u32_at(12),
            local_initial_tsn: Tsn(u32_at(16)),
            peer_tag: u32_at(20),
            peer_initial_tsn: Tsn(u32_at(24)),
            peer_a_rwnd: u32_at(28),
            peer_outbound_streams: u16_at(32),
            peer_inbound_streams: u16_at(34),
            local_tie_tag: u32_at(36),
            peer_tie_tag: u32_at(40),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StateCookie {
        StateCookie {
            created_at: Duration::from_millis(1500),
            local_tag: 0x1122_3344,
            local_initial_tsn: Tsn(7),
            peer_tag: 0xdead_beef,
            peer_initial_tsn: Tsn(u32::MAX),
            peer_a_rwnd: 131_072,
            peer_outbound_streams: 65535,
            peer_inbound_streams: 1024,
            capabilities: Capabilities {
                partial_reliability: true,
                reconfig: true,
                ..Default::default()
            },
            local_tie_tag: 5,
            peer_tie_tag: 6,
        }
    }

    #[test]
    fn round_trip_within_lifetime() {
        let key = CookieKey::new(&[9; 32]);
        let c = sample();
        let wire = c.sign(&key);
        assert_eq!(wire.len(), COOKIE_LEN);
        let now = Duration::from_secs(61);
        assert_eq!(
            StateCookie::verify(&wire, &key, now, Duration::from_secs(60)),
            Ok(c)
        );
    }

    #[test]
    fn stale_cookie_reports_staleness() {
        let key = CookieKey::new(&[9; 32]);
        let wire = sample().sign(&key);
        let now = Duration::from_millis(1500 + 60_000 + 250);
        assert_eq!(
            StateCookie::verify(&wire, &key, now, Duration::from_secs(60)),
            Err(CookieError::Stale {
                staleness: Duration::from_millis(250),
                peer_tag: 0xdead_beef
            })
        );
    }

    #[test]
    fn any_flipped_bit_or_other_key_is_refused() {
        let key = CookieKey::new(&[9; 32]);
        let wire = sample().sign(&key).to_vec();
        for i in 0..wire.len() {
            let mut bad = wire.clone();
            bad[i] ^= 0x10;
            assert_eq!(
                StateCookie::verify(&bad, &key, Duration::ZERO, Duration::from_secs(60)),
                Err(CookieError::BadSignature),
                "byte {i}"
            );
        }
        let other = CookieKey::new(&[8; 32]);
        assert_eq!(
            StateCookie::verify(&wire, &other, Duration::ZERO, Duration::from_secs(60)),
            Err(CookieError::BadSignature)
        );
        assert_eq!(
            StateCookie::verify(&wire[1..], &key, Duration::ZERO, Duration::from_secs(60)),
            Err(CookieError::Malformed)
        );
    }
}
