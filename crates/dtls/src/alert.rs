//! Alerts: the names of the ones a peer may send us, and the one we send
//! ourselves when we reject the peer's certificate.
//!
//! dimpl reports a received fatal alert and sends close_notify, but never
//! sends a fatal alert of its own. When we refuse the peer's certificate
//! (fingerprint mismatch) during the handshake, neither side has switched
//! to encrypted records yet in DTLS 1.2 — we throw away the flight dimpl
//! prepared — so a plaintext alert at epoch 0 is what RFC 6347 expects and
//! lets the peer fail at once instead of after its retransmissions run out:
//!
//! ```text
//!  0      1..2     3..4    5..10            11..12   13     14
//! +------+--------+-------+----------------+--------+------+-------------+
//! | 21   | FE FD  | 0     | sequence (48)  | 2      | 2    | description |
//! +------+--------+-------+----------------+--------+------+-------------+
//!  alert  DTLS1.2  epoch                    length   fatal
//! ```
//!
//! The sequence number must be one the peer has not seen at epoch 0, so
//! [`Epoch0Sequence`] watches the plaintext records we send. In DTLS 1.3 the
//! peer expects encrypted handshake records by then and may ignore it; the
//! peer then fails on its own timeout.

use std::fmt;

use bytes::Bytes;

/// The description byte of a TLS alert (RFC 8446 §6, RFC 5246 §7.2).
///
/// ```
/// use sanderling_dtls::AlertDescription;
/// assert_eq!(AlertDescription(40).name(), Some("handshake_failure"));
/// assert_eq!(AlertDescription(200).to_string(), "unknown alert (200)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AlertDescription(pub u8);

impl AlertDescription {
    /// `close_notify` (0).
    pub const CLOSE_NOTIFY: Self = Self(0);
    /// `bad_certificate` (42): what we send when a fingerprint does not match.
    pub const BAD_CERTIFICATE: Self = Self(42);

    /// The registered name, if the code is registered.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "close_notify",
            10 => "unexpected_message",
            20 => "bad_record_mac",
            22 => "record_overflow",
            40 => "handshake_failure",
            42 => "bad_certificate",
            43 => "unsupported_certificate",
            44 => "certificate_revoked",
            45 => "certificate_expired",
            46 => "certificate_unknown",
            47 => "illegal_parameter",
            48 => "unknown_ca",
            49 => "access_denied",
            50 => "decode_error",
            51 => "decrypt_error",
            70 => "protocol_version",
            71 => "insufficient_security",
            80 => "internal_error",
            86 => "inappropriate_fallback",
            90 => "user_canceled",
            100 => "no_renegotiation",
            109 => "missing_extension",
            110 => "unsupported_extension",
            112 => "unrecognized_name",
            113 => "bad_certificate_status_response",
            115 => "unknown_psk_identity",
            116 => "certificate_required",
            120 => "no_application_protocol",
            _ => return None,
        })
    }
}

impl fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name().unwrap_or("unknown alert"), self.0)
    }
}

/// The next unused sequence number at epoch 0, learnt from the plaintext
/// records we send.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Epoch0Sequence {
    next: u64,
}

impl Epoch0Sequence {
    const HEADER: usize = 13;

    /// Notes the epoch-0 records of one outgoing datagram. Stops at the
    /// first record that is not a plaintext DTLS 1.2-style record.
    pub(crate) fn observe(&mut self, datagram: &[u8]) {
        let mut rest = datagram;
        while rest.len() >= Self::HEADER {
            // DTLS 1.3 ciphertext (unified header 001xxxxx) has no epoch here.
            if rest[0] & 0xe0 == 0x20 {
                return;
            }
            let epoch = u16::from_be_bytes([rest[3], rest[4]]);
            if epoch == 0 {
                let mut seq = [0u8; 8];
                seq[2..].copy_from_slice(&rest[5..11]);
                self.next = self.next.max(u64::from_be_bytes(seq) + 1);
            }
            let len = usize::from(u16::from_be_bytes([rest[11], rest[12]]));
            rest = rest.get(Self::HEADER + len..).unwrap_or_default();
        }
    }

    /// A plaintext fatal alert record with the next unused sequence number.
    pub(crate) fn fatal_alert(&mut self, description: AlertDescription) -> Bytes {
        let seq = self.next.min((1 << 48) - 1);
        self.next = seq + 1;
        let mut record = Vec::with_capacity(Self::HEADER + 2);
        record.push(21); // ContentType alert
        record.extend_from_slice(&[0xfe, 0xfd]); // DTLS 1.2 (also 1.3's legacy version)
        record.extend_from_slice(&0u16.to_be_bytes()); // epoch 0
        record.extend_from_slice(&seq.to_be_bytes()[2..]);
        record.extend_from_slice(&2u16.to_be_bytes());
        record.push(2); // fatal
        record.push(description.0);
        Bytes::from(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(content: u8, epoch: u16, seq: u64, body: &[u8]) -> Vec<u8> {
        let mut r = vec![content, 0xfe, 0xfd];
        r.extend_from_slice(&epoch.to_be_bytes());
        r.extend_from_slice(&seq.to_be_bytes()[2..]);
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn follows_the_highest_epoch0_sequence() {
        let mut s = Epoch0Sequence::default();
        let mut dgram = record(22, 0, 4, &[1; 30]);
        dgram.extend(record(20, 0, 5, &[1]));
        dgram.extend(record(22, 1, 0, &[9; 40])); // epoch 1 does not count
        s.observe(&dgram);
        s.observe(&record(22, 0, 2, &[0; 3])); // a retransmission of older records
        let alert = s.fatal_alert(AlertDescription::BAD_CERTIFICATE);
        assert_eq!(&alert[..], &record(21, 0, 6, &[2, 42])[..]);
        assert_eq!(s.fatal_alert(AlertDescription(10))[10], 7);
    }

    #[test]
    fn tolerates_truncated_and_dtls13_datagrams() {
        let mut s = Epoch0Sequence::default();
        let mut dgram = record(22, 0, 3, &[0; 10]);
        dgram.truncate(20); // length says 10, only 7 present
        s.observe(&dgram);
        s.observe(&[0x2c; 40]); // unified header
        s.observe(&[22, 0xfe]);
        assert_eq!(s.fatal_alert(AlertDescription(42))[10], 4);
    }

    #[test]
    fn names() {
        assert_eq!(
            AlertDescription::BAD_CERTIFICATE.to_string(),
            "bad_certificate (42)"
        );
        assert_eq!(AlertDescription::CLOSE_NOTIFY.name(), Some("close_notify"));
        assert_eq!(AlertDescription(1).name(), None);
    }
}
