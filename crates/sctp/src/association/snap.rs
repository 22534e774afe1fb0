//! SNAP (draft-hancke-tsvwg-snap): each side's INIT chunk travels in the
//! signalling (`a=sctp-init`) instead of over the network, and both sides
//! treat the association as established once DTLS is up. DTLS already
//! protects against what the four-way handshake is for (blind and
//! half-open attacks), so the handshake's two round trips go.
//!
//! ```
//! use std::time::Instant;
//! use sanderling_sctp::association::{Association, State};
//! use sanderling_sctp::options::SctpOptions;
//!
//! let now = Instant::now();
//! let (oa, ob) = (
//!     SctpOptions { seed: [1; 32], ..Default::default() },
//!     SctpOptions { seed: [2; 32], ..Default::default() },
//! );
//! // Each INIT goes into the offer or answer...
//! let (init_a, init_b) = (Association::signalled_init(&oa), Association::signalled_init(&ob));
//! // ...and once DTLS is up, each side starts from the other's.
//! let mut a = Association::new(now, oa).unwrap();
//! let mut b = Association::new(now, ob).unwrap();
//! a.connect_with_peer_init(now, &init_b).unwrap();
//! b.connect_with_peer_init(now, &init_a).unwrap();
//! assert_eq!(a.state(), State::Established);
//! assert!(a.poll_transmit(now).is_none(), "no handshake packet");
//! ```

use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::handshake::{PeerParams, local_init};
use super::{Association, State, initial_numbers};
use crate::chunk::{InitChunk, RawChunk, WriteChunk};
use crate::options::SctpOptions;
use crate::packet::frame;
use crate::parse_error::ParseError;

/// Why a signalled INIT cannot start the association.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapError {
    /// The bytes are not one well-formed INIT chunk.
    #[error("not an SCTP INIT chunk: {0}")]
    Malformed(#[from] ParseError),
    /// An INIT RFC 9260 §3.3.2 does not allow: a zero initiate tag or
    /// zero stream counts.
    #[error("the INIT has a zero initiate tag or zero streams")]
    Invalid,
    /// The association is no longer closed: it was connected (either
    /// way) or has ended.
    #[error("the association is not closed")]
    NotClosed,
}

impl Association {
    /// Our INIT chunk as it goes into the signalling (`a=sctp-init`,
    /// base64 of these bytes): the chunk [`Association::new`] with the same
    /// `options` would send, so it can be made before the association is.
    pub fn signalled_init(options: &SctpOptions) -> Bytes {
        let (_, _, tag, tsn) = initial_numbers(options.seed);
        let init = local_init(options, tag, tsn);
        let mut out = BytesMut::with_capacity(init.serialized_len());
        init.serialize(&mut out);
        out.freeze()
    }

    /// Reads a peer's signalled INIT: exactly one INIT chunk (trailing
    /// padding allowed), with a non-zero tag and stream counts. The
    /// signalling is not trusted either: anything else is an error.
    pub fn parse_signalled_init(bytes: &[u8]) -> Result<InitChunk, SnapError> {
        const WHAT: &str = "signalled INIT";
        let f = frame(bytes, 0)?;
        if f.typ != InitChunk::TYPE {
            return Err(ParseError::InvalidValue { what: WHAT }.into());
        }
        // The chunk's own bytes, then nothing but its zero padding.
        if f.next != bytes.len() || bytes[f.value_end..].iter().any(|&b| b != 0) {
            return Err(ParseError::InvalidLength {
                what: WHAT,
                length: bytes.len(),
            }
            .into());
        }
        let raw = RawChunk {
            typ: f.typ,
            flags: f.flags,
            value: Bytes::copy_from_slice(&bytes[f.value_start..f.value_end]),
        };
        let init = InitChunk::parse(&raw)?;
        if !init.is_acceptable() {
            return Err(SnapError::Invalid);
        }
        Ok(init)
    }

    /// Opens the association from the peer's signalled INIT, once DTLS is
    /// up: no INIT, INIT-ACK, COOKIE-ECHO or COOKIE-ACK; it is ESTABLISHED
    /// on return ([`Event::Connected`](crate::event::Event::Connected)
    /// queued) and DATA may go at once. Both sides must do this, each with
    /// the INIT the other signalled; our own must have been
    /// [`signalled_init`](Self::signalled_init) of these options.
    /// Fails, changing nothing, on a bad INIT or when the association is
    /// not closed.
    pub fn connect_with_peer_init(&mut self, now: Instant, init: &[u8]) -> Result<(), SnapError> {
        let init = Self::parse_signalled_init(init)?;
        if self.state != State::Closed || self.terminated || self.tcb.is_some() {
            return Err(SnapError::NotClosed);
        }
        let capabilities = self.negotiate(
            |t| init.supports_chunk(t),
            init.forward_tsn_supported(),
            init.zero_checksum_edmid(),
            init.large_packets_acceptable(),
        );
        let peer = PeerParams {
            tag: init.initiate_tag,
            a_rwnd: init.a_rwnd,
            inbound_streams: init.inbound_streams,
            initial_tsn: init.initial_tsn,
        };
        self.install_tcb(&peer, capabilities);
        self.handshake.snap = true;
        self.enter_established(now);
        Ok(())
    }

    /// Whether the association was opened from signalled INITs (SNAP)
    /// rather than by the handshake.
    pub fn opened_by_snap(&self) -> bool {
        self.handshake.snap
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::types::{Ppid, StreamId};

    fn options(seed: u8) -> SctpOptions {
        SctpOptions {
            seed: [seed; 32],
            enable_zero_checksum: true,
            ..SctpOptions::default()
        }
    }

    fn pair(now: Instant) -> (Association, Association) {
        let (oa, ob) = (options(1), options(2));
        let (ia, ib) = (
            Association::signalled_init(&oa),
            Association::signalled_init(&ob),
        );
        let mut a = Association::new(now, oa).unwrap();
        let mut b = Association::new(now, ob).unwrap();
        a.connect_with_peer_init(now, &ib).unwrap();
        b.connect_with_peer_init(now, &ia).unwrap();
        (a, b)
    }

    #[test]
    fn the_signalled_init_is_the_one_connect_sends() {
        let now = Instant::now();
        let o = options(7);
        let signalled = Association::signalled_init(&o);
        let mut a = Association::new(now, o.clone()).unwrap();
        a.connect(now);
        let packet = a.poll_transmit(now).unwrap();
        // After the 12-byte common header, the INIT chunk itself.
        assert_eq!(&packet[12..], &signalled[..]);
        let init = Association::parse_signalled_init(&signalled).unwrap();
        assert_eq!(init.initiate_tag, a.local_tag);
        assert_eq!(init.initial_tsn, a.local_initial_tsn);
        assert_eq!(signalled, Association::signalled_init(&o), "deterministic");
        assert_ne!(signalled, Association::signalled_init(&options(8)));
    }

    #[test]
    fn both_sides_are_established_without_a_packet_and_data_flows() {
        let now = Instant::now();
        let (mut a, mut b) = pair(now);
        for x in [&mut a, &mut b] {
            assert_eq!(x.state(), State::Established);
            assert!(x.opened_by_snap());
            assert_eq!(x.stats().inits_sent, 0);
            assert!(matches!(x.poll_event(), Some(Event::Connected)));
            assert!(x.poll_transmit(now).is_none(), "no handshake packet");
            let caps = x.capabilities().unwrap();
            assert!(caps.zero_checksum && caps.reconfig && caps.partial_reliability);
        }
        a.send(
            now,
            StreamId(1),
            Ppid(51),
            Bytes::from_static(b"first"),
            Default::default(),
        )
        .unwrap();
        let p = a.poll_transmit(now).unwrap();
        b.handle_input(now, p);
        let got = std::iter::from_fn(|| b.poll_event()).find_map(|e| match e {
            Event::Message(m) => Some(m.payload),
            _ => None,
        });
        assert_eq!(got.as_deref(), Some(&b"first"[..]));
        assert_eq!(b.stats().packets_dropped, 0);
        // The (delayed) SACK goes back under a's tag.
        let at = b.poll_timeout().unwrap();
        b.handle_timeout(at);
        let sack = b.poll_transmit(at).unwrap();
        a.handle_input(at, sack);
        assert_eq!(a.stats().packets_dropped, 0);
        assert_eq!(a.stats().packets_received, 1);
    }

    #[test]
    fn capabilities_follow_what_the_peer_announced() {
        let now = Instant::now();
        let plain = SctpOptions {
            seed: [3; 32],
            enable_partial_reliability: false,
            ..SctpOptions::default()
        };
        let peer_init = Association::signalled_init(&plain);
        let mut a = Association::new(now, options(1)).unwrap();
        a.connect_with_peer_init(now, &peer_init).unwrap();
        let caps = a.capabilities().unwrap();
        assert!(!caps.zero_checksum, "the peer did not offer it");
        assert!(!caps.partial_reliability);
        assert!(caps.reconfig);
    }

    #[test]
    fn reads_the_drafts_example_init() {
        // draft-hancke-tsvwg-snap-00's example: 30 bytes, no padding.
        let b = [
            0x01, 0x00, 0x00, 0x1e, 0x89, 0x6c, 0xdd, 0x1d, 0x00, 0x50, 0x00, 0x00, 0xff, 0xff,
            0xff, 0xff, 0xe0, 0x79, 0x65, 0x1d, 0xc0, 0x00, 0x00, 0x04, 0x80, 0x08, 0x00, 0x06,
            0x82, 0xc0,
        ];
        let init = Association::parse_signalled_init(&b).unwrap();
        assert_eq!(init.initiate_tag, 0x896c_dd1d);
        assert_eq!(init.a_rwnd, 0x0050_0000);
        assert_eq!(
            (init.outbound_streams, init.inbound_streams),
            (65535, 65535)
        );
        assert_eq!(init.initial_tsn.0, 0xe079_651d);
        assert!(init.forward_tsn_supported());
        assert!(init.supports_chunk(0x82) && init.supports_chunk(0xc0));
        // The same with its two bytes of padding.
        let mut padded = b.to_vec();
        padded.extend_from_slice(&[0, 0]);
        assert!(Association::parse_signalled_init(&padded).is_ok());
    }

    #[test]
    fn refuses_what_is_not_one_valid_init() {
        let good = Association::signalled_init(&options(1)).to_vec();
        let bad = |b: &[u8]| Association::parse_signalled_init(b).is_err();
        assert!(bad(&[]));
        assert!(bad(&good[..3]));
        assert!(bad(&good[..good.len() - 1]), "shorter than its length");
        let mut t = good.clone();
        t[0] = 2; // INIT-ACK
        assert!(bad(&t));
        let mut t = good.clone();
        t.extend_from_slice(&[0; 4]);
        assert!(bad(&t), "more than padding after it");
        let mut t = good.clone();
        t[4..8].copy_from_slice(&[0; 4]);
        assert_eq!(
            Association::parse_signalled_init(&t),
            Err(SnapError::Invalid)
        );
        let mut t = good;
        t[12..14].copy_from_slice(&[0; 2]);
        assert_eq!(
            Association::parse_signalled_init(&t),
            Err(SnapError::Invalid)
        );
    }

    #[test]
    fn only_a_closed_association_opens_this_way() {
        let now = Instant::now();
        let peer_init = Association::signalled_init(&options(2));
        let mut a = Association::new(now, options(1)).unwrap();
        a.connect(now);
        assert_eq!(
            a.connect_with_peer_init(now, &peer_init),
            Err(SnapError::NotClosed)
        );
        assert_eq!(a.state(), State::CookieWait);
        let (mut a, _) = pair(now);
        assert_eq!(
            a.connect_with_peer_init(now, &peer_init),
            Err(SnapError::NotClosed)
        );
        let mut c = Association::new(now, options(1)).unwrap();
        assert!(c.connect_with_peer_init(now, b"junk").is_err());
        assert_eq!(c.state(), State::Closed, "a bad INIT changes nothing");
    }
}
