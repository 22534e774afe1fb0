//! Telling apart the protocols that share one UDP 5-tuple by the first
//! byte of each datagram (RFC 7983 §7, extended by RFC 9443 §3 for QUIC
//! and TURN channels).
//!
//! ```text
//!                  +----------------+
//!                  |        [0..3] -+--> STUN
//!                  |      [16..19] -+--> ZRTP
//!   packet -->     |      [20..63] -+--> DTLS
//!                  |      [64..79] -+--> TURN ChannelData
//!                  |    [128..191] -+--> RTP / RTCP
//!                  |    all others -+--> drop
//!                  +----------------+
//! ```
//!
//! RFC 9443 gives the rest of 64..127 and 192..255 to QUIC; WebRTC does not
//! multiplex QUIC here, so those datagrams are dropped.

/// What a datagram on the shared 5-tuple is, judged by its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// STUN (ICE connectivity checks, TURN control): 0..=3.
    Stun,
    /// ZRTP: 16..=19. Not used by WebRTC; recognised so it is not mistaken
    /// for anything else.
    Zrtp,
    /// DTLS records: 20..=63.
    Dtls,
    /// TURN ChannelData (RFC 8656 §12): 64..=79.
    TurnChannel,
    /// RTP or RTCP (SRTP/SRTCP): 128..=191.
    Rtp,
    /// Anything else, including an empty datagram: drop it.
    Unknown,
}

/// Classifies a datagram by its first byte (RFC 7983 §7, RFC 9443 §3).
///
/// ```
/// use sanderling_dtls::demux::{classify, PacketKind};
/// assert_eq!(classify(&[0x16, 0xfe, 0xfd]), PacketKind::Dtls); // a handshake record
/// assert_eq!(classify(&[0x00, 0x01]), PacketKind::Stun);       // a binding request
/// assert_eq!(classify(&[0x80, 0x60]), PacketKind::Rtp);
/// assert_eq!(classify(&[]), PacketKind::Unknown);
/// ```
pub fn classify(datagram: &[u8]) -> PacketKind {
    match datagram.first() {
        Some(0..=3) => PacketKind::Stun,
        Some(16..=19) => PacketKind::Zrtp,
        Some(20..=63) => PacketKind::Dtls,
        Some(64..=79) => PacketKind::TurnChannel,
        Some(128..=191) => PacketKind::Rtp,
        _ => PacketKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_boundary() {
        let expect = |b: u8| classify(&[b, 0, 0, 0]);
        use PacketKind::*;
        for (range, kind) in [
            (0..=3, Stun),
            (4..=15, Unknown),
            (16..=19, Zrtp),
            (20..=63, Dtls),
            (64..=79, TurnChannel),
            (80..=127, Unknown),
            (128..=191, Rtp),
            (192..=255, Unknown),
        ] {
            for b in range {
                assert_eq!(expect(b), kind, "first byte {b}");
            }
        }
    }

    #[test]
    fn single_byte_and_empty() {
        assert_eq!(classify(&[20]), PacketKind::Dtls);
        assert_eq!(classify(&[]), PacketKind::Unknown);
    }
}
