//! SCTP chunks, one file per chunk type (RFC 9260 §3.3 and the extensions).
//!
//! Each file documents its wire layout and holds `parse` and `serialize`
//! side by side with its tests. Every chunk struct parses from a
//! [`RawChunk`] (the framing the packet parser found) and writes itself
//! through [`WriteChunk`]: header, value and zero padding to four bytes.
//!
//! Per-type `parse` functions interpret the value and flags they are given
//! and do not check `raw.typ`; [`Chunk::parse`] dispatches on the type.

use bytes::BytesMut;

use crate::parse_error::ParseError;

pub mod abort;
pub mod cookie_ack;
pub mod cookie_echo;
pub mod data;
pub mod error;
pub mod forward_tsn;
pub mod heartbeat;
pub mod heartbeat_ack;
pub mod idata;
pub mod iforward_tsn;
pub mod init;
pub mod init_ack;
pub mod pad;
pub mod raw;
pub mod reconfig;
pub mod sack;
pub mod shutdown;
pub mod shutdown_ack;
pub mod shutdown_complete;

pub use abort::AbortChunk;
pub use cookie_ack::CookieAckChunk;
pub use cookie_echo::CookieEchoChunk;
pub use data::{AsData, DataChunk};
pub use error::ErrorChunk;
pub use forward_tsn::{ForwardTsnChunk, SkippedStream};
pub use heartbeat::HeartbeatChunk;
pub use heartbeat_ack::HeartbeatAckChunk;
pub use idata::AsIData;
pub use iforward_tsn::{IForwardTsnChunk, SkippedMessage};
pub use init::InitChunk;
pub use init_ack::InitAckChunk;
pub use pad::PadChunk;
pub use raw::RawChunk;
pub use reconfig::ReConfigChunk;
pub use sack::{GapAckBlock, SackChunk};
pub use shutdown::ShutdownChunk;
pub use shutdown_ack::ShutdownAckChunk;
pub use shutdown_complete::ShutdownCompleteChunk;

/// Something that can be appended to a packet as one chunk.
pub trait WriteChunk {
    /// Bytes the chunk takes on the wire: header, value and the padding to a
    /// multiple of four (so it is also what a packet writer must reserve).
    fn serialized_len(&self) -> usize;

    /// Appends header, value and padding to `out`; exactly
    /// [`serialized_len`](Self::serialized_len) bytes.
    fn serialize(&self, out: &mut BytesMut);
}

/// What to do with a chunk or parameter of unknown type, as its two high
/// type bits say (RFC 9260 §3.2 and §3.2.1).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnknownAction {
    /// Stop: for a chunk, discard the whole packet and process none of its
    /// chunks; for a parameter, stop processing the chunk's parameters.
    /// Otherwise skip the item and continue.
    pub stop: bool,
    /// Report it: in an ERROR chunk with "Unrecognized Chunk Type" for a
    /// chunk, in an "Unrecognized Parameter" for a parameter.
    pub report: bool,
}

/// What to do with a chunk of unknown type `typ` (RFC 9260 §3.2): `00` stop
/// and discard the packet, `01` the same and report, `10` skip the chunk and
/// continue, `11` skip, continue and report.
#[inline]
pub fn unknown_chunk_action(typ: u8) -> UnknownAction {
    UnknownAction {
        stop: typ & 0x80 == 0,
        report: typ & 0x40 != 0,
    }
}

/// Any chunk.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Chunk {
    /// DATA (0).
    Data(DataChunk),
    /// INIT (1).
    Init(InitChunk),
    /// INIT ACK (2).
    InitAck(InitAckChunk),
    /// SACK (3).
    Sack(SackChunk),
    /// HEARTBEAT (4).
    Heartbeat(HeartbeatChunk),
    /// HEARTBEAT ACK (5).
    HeartbeatAck(HeartbeatAckChunk),
    /// ABORT (6).
    Abort(AbortChunk),
    /// SHUTDOWN (7).
    Shutdown(ShutdownChunk),
    /// SHUTDOWN ACK (8).
    ShutdownAck(ShutdownAckChunk),
    /// ERROR (9).
    Error(ErrorChunk),
    /// COOKIE ECHO (10).
    CookieEcho(CookieEchoChunk),
    /// COOKIE ACK (11).
    CookieAck(CookieAckChunk),
    /// SHUTDOWN COMPLETE (14).
    ShutdownComplete(ShutdownCompleteChunk),
    /// I-DATA (64, RFC 8260).
    IData(DataChunk),
    /// RE-CONFIG (130, RFC 6525).
    ReConfig(ReConfigChunk),
    /// PAD (132, RFC 4820).
    Pad(PadChunk),
    /// FORWARD-TSN (192, RFC 3758).
    ForwardTsn(ForwardTsnChunk),
    /// I-FORWARD-TSN (194, RFC 8260).
    IForwardTsn(IForwardTsnChunk),
    /// Any other type, kept as received; see [`unknown_chunk_action`].
    Unknown(RawChunk),
}

impl Chunk {
    /// Interprets a raw chunk. Unknown types become [`Chunk::Unknown`] (not
    /// an error): the caller applies [`unknown_chunk_action`].
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(match raw.typ {
            data::DATA_TYPE => Self::Data(DataChunk::parse_data(raw)?),
            InitChunk::TYPE => Self::Init(InitChunk::parse(raw)?),
            InitAckChunk::TYPE => Self::InitAck(InitAckChunk::parse(raw)?),
            sack::SACK_TYPE => Self::Sack(SackChunk::parse(raw)?),
            HeartbeatChunk::TYPE => Self::Heartbeat(HeartbeatChunk::parse(raw)?),
            HeartbeatAckChunk::TYPE => Self::HeartbeatAck(HeartbeatAckChunk::parse(raw)?),
            AbortChunk::TYPE => Self::Abort(AbortChunk::parse(raw)?),
            ShutdownChunk::TYPE => Self::Shutdown(ShutdownChunk::parse(raw)?),
            ShutdownAckChunk::TYPE => Self::ShutdownAck(ShutdownAckChunk::parse(raw)?),
            ErrorChunk::TYPE => Self::Error(ErrorChunk::parse(raw)?),
            CookieEchoChunk::TYPE => Self::CookieEcho(CookieEchoChunk::parse(raw)?),
            CookieAckChunk::TYPE => Self::CookieAck(CookieAckChunk::parse(raw)?),
            ShutdownCompleteChunk::TYPE => {
                Self::ShutdownComplete(ShutdownCompleteChunk::parse(raw)?)
            }
            idata::IDATA_TYPE => Self::IData(DataChunk::parse_idata(raw)?),
            ReConfigChunk::TYPE => Self::ReConfig(ReConfigChunk::parse(raw)?),
            PadChunk::TYPE => Self::Pad(PadChunk::parse(raw)?),
            forward_tsn::FORWARD_TSN_TYPE => Self::ForwardTsn(ForwardTsnChunk::parse(raw)?),
            iforward_tsn::IFORWARD_TSN_TYPE => Self::IForwardTsn(IForwardTsnChunk::parse(raw)?),
            _ => Self::Unknown(raw.clone()),
        })
    }

    /// The chunk type on the wire.
    pub fn chunk_type(&self) -> u8 {
        match self {
            Self::Data(_) => data::DATA_TYPE,
            Self::Init(_) => InitChunk::TYPE,
            Self::InitAck(_) => InitAckChunk::TYPE,
            Self::Sack(_) => sack::SACK_TYPE,
            Self::Heartbeat(_) => HeartbeatChunk::TYPE,
            Self::HeartbeatAck(_) => HeartbeatAckChunk::TYPE,
            Self::Abort(_) => AbortChunk::TYPE,
            Self::Shutdown(_) => ShutdownChunk::TYPE,
            Self::ShutdownAck(_) => ShutdownAckChunk::TYPE,
            Self::Error(_) => ErrorChunk::TYPE,
            Self::CookieEcho(_) => CookieEchoChunk::TYPE,
            Self::CookieAck(_) => CookieAckChunk::TYPE,
            Self::ShutdownComplete(_) => ShutdownCompleteChunk::TYPE,
            Self::IData(_) => idata::IDATA_TYPE,
            Self::ReConfig(_) => ReConfigChunk::TYPE,
            Self::Pad(_) => PadChunk::TYPE,
            Self::ForwardTsn(_) => forward_tsn::FORWARD_TSN_TYPE,
            Self::IForwardTsn(_) => iforward_tsn::IFORWARD_TSN_TYPE,
            Self::Unknown(r) => r.typ,
        }
    }
}

impl WriteChunk for Chunk {
    fn serialized_len(&self) -> usize {
        match self {
            Self::Data(c) => c.data_serialized_len(),
            Self::IData(c) => c.idata_serialized_len(),
            Self::Init(c) => c.serialized_len(),
            Self::InitAck(c) => c.serialized_len(),
            Self::Sack(c) => c.serialized_len(),
            Self::Heartbeat(c) => c.serialized_len(),
            Self::HeartbeatAck(c) => c.serialized_len(),
            Self::Abort(c) => c.serialized_len(),
            Self::Shutdown(c) => c.serialized_len(),
            Self::ShutdownAck(c) => c.serialized_len(),
            Self::Error(c) => c.serialized_len(),
            Self::CookieEcho(c) => c.serialized_len(),
            Self::CookieAck(c) => c.serialized_len(),
            Self::ShutdownComplete(c) => c.serialized_len(),
            Self::ReConfig(c) => c.serialized_len(),
            Self::Pad(c) => c.serialized_len(),
            Self::ForwardTsn(c) => c.serialized_len(),
            Self::IForwardTsn(c) => c.serialized_len(),
            Self::Unknown(c) => c.serialized_len(),
        }
    }

    fn serialize(&self, out: &mut BytesMut) {
        match self {
            Self::Data(c) => c.serialize_data(out),
            Self::IData(c) => c.serialize_idata(out),
            Self::Init(c) => c.serialize(out),
            Self::InitAck(c) => c.serialize(out),
            Self::Sack(c) => c.serialize(out),
            Self::Heartbeat(c) => c.serialize(out),
            Self::HeartbeatAck(c) => c.serialize(out),
            Self::Abort(c) => c.serialize(out),
            Self::Shutdown(c) => c.serialize(out),
            Self::ShutdownAck(c) => c.serialize(out),
            Self::Error(c) => c.serialize(out),
            Self::CookieEcho(c) => c.serialize(out),
            Self::CookieAck(c) => c.serialize(out),
            Self::ShutdownComplete(c) => c.serialize(out),
            Self::ReConfig(c) => c.serialize(out),
            Self::Pad(c) => c.serialize(out),
            Self::ForwardTsn(c) => c.serialize(out),
            Self::IForwardTsn(c) => c.serialize(out),
            Self::Unknown(c) => c.serialize(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn unknown_chunk_actions() {
        let a = unknown_chunk_action;
        assert_eq!(
            a(0x3F),
            UnknownAction {
                stop: true,
                report: false
            }
        );
        assert_eq!(
            a(0x7F),
            UnknownAction {
                stop: true,
                report: true
            }
        );
        assert_eq!(
            a(0xBF),
            UnknownAction {
                stop: false,
                report: false
            }
        );
        assert_eq!(
            a(0xFF),
            UnknownAction {
                stop: false,
                report: true
            }
        );
        // 0x80/0xC0 region: e.g. ASCONF-ACK 0x80 is skip, FORWARD-TSN 192 is
        // skip-and-report.
        assert_eq!(
            a(192),
            UnknownAction {
                stop: false,
                report: true
            }
        );
    }

    #[test]
    fn unknown_type_is_kept() {
        let raw = RawChunk {
            typ: 0x99,
            flags: 5,
            value: Bytes::from_static(&[1, 2]),
        };
        let c = Chunk::parse(&raw).unwrap();
        assert_eq!(c, Chunk::Unknown(raw));
        assert_eq!(c.chunk_type(), 0x99);
        assert_eq!(c.serialized_len(), 8);
    }

    #[test]
    fn every_known_chunk_round_trips_through_the_enum() {
        let chunks = vec![
            Chunk::Data(DataChunk {
                data: crate::types::Data {
                    payload: Bytes::from_static(b"x"),
                    ..Default::default()
                },
                ..Default::default()
            }),
            Chunk::IData(DataChunk {
                data: crate::types::Data {
                    payload: Bytes::from_static(b"xy"),
                    is_beginning: true,
                    ..Default::default()
                },
                ..Default::default()
            }),
            Chunk::Init(InitChunk::default()),
            Chunk::InitAck(InitAckChunk::default()),
            Chunk::Sack(SackChunk::default()),
            Chunk::Heartbeat(HeartbeatChunk::default()),
            Chunk::HeartbeatAck(HeartbeatAckChunk::default()),
            Chunk::Abort(AbortChunk::default()),
            Chunk::Shutdown(ShutdownChunk::default()),
            Chunk::ShutdownAck(ShutdownAckChunk),
            Chunk::Error(ErrorChunk::default()),
            Chunk::CookieEcho(CookieEchoChunk::default()),
            Chunk::CookieAck(CookieAckChunk),
            Chunk::ShutdownComplete(ShutdownCompleteChunk::default()),
            Chunk::ReConfig(ReConfigChunk::default()),
            Chunk::Pad(PadChunk { padding_len: 3 }),
            Chunk::ForwardTsn(ForwardTsnChunk::default()),
            Chunk::IForwardTsn(IForwardTsnChunk::default()),
        ];
        for c in chunks {
            let mut out = BytesMut::new();
            c.serialize(&mut out);
            assert_eq!(out.len(), c.serialized_len(), "{c:?}");
            assert_eq!(out[0], c.chunk_type());
            let len = usize::from(u16::from_be_bytes([out[2], out[3]]));
            let raw = RawChunk {
                typ: out[0],
                flags: out[1],
                value: Bytes::copy_from_slice(&out[4..len]),
            };
            assert_eq!(Chunk::parse(&raw), Ok(c));
        }
    }
}
