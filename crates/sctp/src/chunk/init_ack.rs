//! INIT ACK chunk (RFC 9260 §3.3.3): the answer to INIT, carrying the State
//! Cookie. Same layout as INIT (see `init.rs`), type 2:
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 2    |  Chunk Flags  |         Chunk Length          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Initiate Tag                          |
//! |           Advertised Receiver Window Credit (a_rwnd)          |
//! |  Number of Outbound Streams   |   Number of Inbound Streams   |
//! |                          Initial TSN                          |
//! \    Parameters (State Cookie mandatory, others optional)       \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The State Cookie's presence is the association's to check (it answers
//! with "Missing Mandatory Parameter").

use super::init::init_like_chunk;

init_like_chunk!(
    /// INIT ACK: the answer to INIT.
    InitAckChunk,
    2,
    "INIT ACK chunk"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{RawChunk, WriteChunk};
    use crate::param::{Parameter, StateCookieParameter, UnrecognizedParameter};
    use crate::types::Tsn;
    use bytes::{Bytes, BytesMut};

    #[test]
    fn round_trip_with_cookie() {
        let c = InitAckChunk {
            initiate_tag: 7,
            a_rwnd: 1500,
            outbound_streams: 1,
            inbound_streams: 2,
            initial_tsn: Tsn(3),
            parameters: vec![
                Parameter::StateCookie(StateCookieParameter {
                    cookie: Bytes::from_static(&[0xCC; 21]),
                }),
                Parameter::UnrecognizedParameter(UnrecognizedParameter {
                    parameter: Bytes::from_static(&[0x40, 0, 0, 4]),
                }),
            ],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out[0], 2);
        assert_eq!(out.len(), c.serialized_len());
        let raw = RawChunk {
            typ: out[0],
            flags: out[1],
            value: Bytes::copy_from_slice(
                &out[4..usize::from(u16::from_be_bytes([out[2], out[3]]))],
            ),
        };
        let parsed = InitAckChunk::parse(&raw).unwrap();
        assert_eq!(
            parsed.state_cookie(),
            Some(&Bytes::from_static(&[0xCC; 21]))
        );
        assert_eq!(parsed, c);
    }

    #[test]
    fn truncated_fixed_part() {
        let raw = RawChunk {
            typ: 2,
            flags: 0,
            value: Bytes::from_static(&[0; 8]),
        };
        assert!(InitAckChunk::parse(&raw).is_err());
    }
}
