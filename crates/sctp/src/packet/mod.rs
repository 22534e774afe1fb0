//! SCTP packets: the common header, checksum, and the framing of chunks
//! (RFC 9260 §3, §6.8 and Appendix A; zero checksum from RFC 9653).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Source Port Number        |     Destination Port Number   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Verification Tag                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Checksum                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Chunk #1 ... Chunk #n                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The checksum is CRC32C over the whole packet with the checksum field set
//! to zero. The CRC is a reflected code, so its value goes on the wire least
//! significant byte first (RFC 9260 Appendix A): for the value `c` the
//! field holds `c.to_le_bytes()`. The tests check this against packets
//! produced by other implementations.
//!
//! ```
//! use sanderling_sctp::chunk::{Chunk, SackChunk};
//! use sanderling_sctp::packet::{ChecksumPolicy, Packet, PacketWriter};
//!
//! let mut writer = PacketWriter::new(5000, 5000, 0x1234_5678, 1200);
//! writer.push(&SackChunk::default()).expect("fits");
//! let datagram = writer.finish(true);
//!
//! let packet = Packet::parse(datagram, ChecksumPolicy::Verify).expect("valid");
//! for raw in packet.chunks() {
//!     match Chunk::parse(&raw) {
//!         Ok(Chunk::Sack(sack)) => assert_eq!(sack, SackChunk::default()),
//!         Ok(other) => panic!("unexpected {other:?}"),
//!         Err(e) => panic!("malformed: {e}"),
//!     }
//! }
//! ```

use bytes::Bytes;

use crate::chunk::RawChunk;
use crate::parse_error::ParseError;
use crate::wire::{Reader, padded};

mod writer;

pub use writer::{DoesNotFit, PacketWriter};

/// Size of the common header.
pub const COMMON_HEADER_LEN: usize = 12;

/// The common header of every packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CommonHeader {
    /// Source port.
    pub source_port: u16,
    /// Destination port.
    pub destination_port: u16,
    /// Verification tag.
    pub verification_tag: u32,
    /// The checksum as carried (the CRC32C value, decoded least significant
    /// byte first; zero when the sender used RFC 9653 zero checksum).
    pub checksum: u32,
}

/// How [`Packet::parse`] treats the checksum.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChecksumPolicy {
    /// Verify the CRC32C of every packet.
    Verify,
    /// Zero checksum is in use (RFC 9653, negotiated or offered): accept a
    /// packet whose checksum field is zero without computing anything, and
    /// verify any other.
    AcceptZero,
    /// Do not look at the checksum (tests, or a lower layer already did).
    Skip,
}

/// The CRC32C of `packet` as SCTP defines it: computed as if the checksum
/// field (bytes 8..12) were zero. `packet` shorter than the common header
/// is checksummed as it is.
pub fn compute_checksum(packet: &[u8]) -> u32 {
    match (packet.get(..8), packet.get(COMMON_HEADER_LEN..)) {
        (Some(head), Some(rest)) => {
            let crc = crc32c::crc32c(head);
            let crc = crc32c::crc32c_append(crc, &[0; 4]);
            crc32c::crc32c_append(crc, rest)
        }
        _ => crc32c::crc32c(packet),
    }
}

/// A received packet: its header, and its chunks framed but not yet
/// interpreted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Packet {
    /// The common header.
    pub header: CommonHeader,
    /// Everything after the common header.
    chunk_bytes: Bytes,
}

impl Packet {
    /// Parses a datagram: checks the header, the checksum as `policy` says,
    /// and the framing of every chunk (each at least 4 bytes and within the
    /// packet; missing padding after the last chunk is tolerated). A packet
    /// with a framing error anywhere is rejected whole, so that
    /// [`Packet::chunks`] cannot fail.
    ///
    /// Nothing is copied: chunks are slices of `datagram`.
    pub fn parse(datagram: Bytes, policy: ChecksumPolicy) -> Result<Self, ParseError> {
        let mut r = Reader::new(&datagram, "common header");
        let source_port = r.u16()?;
        let destination_port = r.u16()?;
        let verification_tag = r.u32()?;
        let checksum = u32::from_le_bytes(r.array::<4>()?);
        let verify = match policy {
            ChecksumPolicy::Verify => true,
            ChecksumPolicy::AcceptZero => checksum != 0,
            ChecksumPolicy::Skip => false,
        };
        if verify {
            let computed = compute_checksum(&datagram);
            if computed != checksum {
                return Err(ParseError::BadChecksum {
                    received: checksum,
                    computed,
                });
            }
        }
        let chunk_bytes = datagram.slice(COMMON_HEADER_LEN..);
        let mut pos = 0;
        while pos < chunk_bytes.len() {
            pos = frame(&chunk_bytes, pos)?.next;
        }
        Ok(Self {
            header: CommonHeader {
                source_port,
                destination_port,
                verification_tag,
                checksum,
            },
            chunk_bytes,
        })
    }

    /// The chunks, in order. Cheap to call again.
    pub fn chunks(&self) -> Chunks {
        Chunks {
            buf: self.chunk_bytes.clone(),
            pos: 0,
        }
    }

    /// Everything after the common header.
    pub fn chunk_bytes(&self) -> &Bytes {
        &self.chunk_bytes
    }
}

/// Where one chunk lies in the chunk area.
pub(crate) struct Frame {
    pub(crate) typ: u8,
    pub(crate) flags: u8,
    pub(crate) value_start: usize,
    pub(crate) value_end: usize,
    /// Where the next chunk starts: after this one's padding, or the end.
    pub(crate) next: usize,
}

/// Frames the chunk at `pos` of `buf`.
pub(crate) fn frame(buf: &[u8], pos: usize) -> Result<Frame, ParseError> {
    const WHAT: &str = "chunk header";
    let rest = buf.get(pos..).unwrap_or_default();
    let mut r = Reader::new(rest, WHAT);
    let typ = r.u8()?;
    let flags = r.u8()?;
    let len = usize::from(r.u16()?);
    if len < 4 {
        return Err(ParseError::InvalidLength {
            what: WHAT,
            length: len,
        });
    }
    if len > rest.len() {
        return Err(ParseError::Truncated { what: "chunk" });
    }
    Ok(Frame {
        typ,
        flags,
        value_start: pos + 4,
        value_end: pos + len,
        next: (pos + padded(len)).min(buf.len()),
    })
}

/// Iterator over the chunks of a [`Packet`].
#[derive(Clone, Debug)]
pub struct Chunks {
    buf: Bytes,
    pos: usize,
}

impl Iterator for Chunks {
    type Item = RawChunk;

    fn next(&mut self) -> Option<RawChunk> {
        if self.pos >= self.buf.len() {
            return None;
        }
        // Packet::parse validated the framing; an error here cannot happen,
        // and would end the iteration rather than panic.
        let Ok(f) = frame(&self.buf, self.pos) else {
            self.pos = self.buf.len();
            return None;
        };
        self.pos = f.next;
        Some(RawChunk {
            typ: f.typ,
            flags: f.flags,
            value: self.buf.slice(f.value_start..f.value_end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{Chunk, InitChunk, WriteChunk};
    use crate::param::{Ipv4AddressParameter, Parameter};
    use std::net::Ipv4Addr;

    /// An INIT built by Scapy (its SCTP regression tests), after the 20-byte
    /// IPv4 header: ports 0, tag 0, checksum bytes 40 2c 0b 5f, an INIT with
    /// zero fields and an IPv4 Address parameter for 127.0.0.1.
    const SCAPY_INIT: [u8; 40] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x2c, 0x0b, 0x5f, //
        0x01, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x08, //
        0x7f, 0x00, 0x00, 0x01,
    ];

    /// A header-only packet from pion/sctp's tests: ports 5000, tag 0,
    /// checksum bytes 06 a9 00 e1.
    const PION_HEADER_ONLY: [u8; 12] = [
        0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x06, 0xa9, 0x00, 0xe1,
    ];

    #[test]
    fn checksum_matches_other_implementations() {
        let p = Packet::parse(Bytes::from_static(&SCAPY_INIT), ChecksumPolicy::Verify).unwrap();
        assert_eq!(p.header.checksum, 0x5f0b_2c40);
        let chunks: Vec<_> = p.chunks().collect();
        assert_eq!(chunks.len(), 1);
        let Chunk::Init(init) = Chunk::parse(&chunks[0]).unwrap() else {
            panic!("not an INIT");
        };
        assert_eq!(
            init.parameters,
            vec![Parameter::Ipv4Address(Ipv4AddressParameter {
                address: Ipv4Addr::LOCALHOST
            })]
        );

        let p = Packet::parse(
            Bytes::from_static(&PION_HEADER_ONLY),
            ChecksumPolicy::Verify,
        )
        .unwrap();
        assert_eq!(p.header.source_port, 5000);
        assert_eq!(p.chunks().count(), 0);
    }

    #[test]
    fn writer_reproduces_the_reference_packet() {
        let mut w = PacketWriter::new(0, 0, 0, 1200);
        let init = InitChunk {
            parameters: vec![Parameter::Ipv4Address(Ipv4AddressParameter {
                address: Ipv4Addr::LOCALHOST,
            })],
            ..InitChunk::default()
        };
        w.push(&init).unwrap();
        assert_eq!(&w.finish(true)[..], &SCAPY_INIT[..]);
    }

    #[test]
    fn corrupted_checksum_is_rejected() {
        let mut bad = SCAPY_INIT;
        bad[20] ^= 1;
        let err = Packet::parse(Bytes::copy_from_slice(&bad), ChecksumPolicy::Verify);
        assert!(matches!(err, Err(ParseError::BadChecksum { .. })));
        assert!(Packet::parse(Bytes::copy_from_slice(&bad), ChecksumPolicy::AcceptZero).is_err());
        assert!(Packet::parse(Bytes::copy_from_slice(&bad), ChecksumPolicy::Skip).is_ok());
    }

    #[test]
    fn zero_checksum_policy() {
        let mut zero = SCAPY_INIT;
        zero[8..12].copy_from_slice(&[0; 4]);
        let zero = Bytes::copy_from_slice(&zero);
        assert!(Packet::parse(zero.clone(), ChecksumPolicy::AcceptZero).is_ok());
        assert!(matches!(
            Packet::parse(zero.clone(), ChecksumPolicy::Verify),
            Err(ParseError::BadChecksum { .. })
        ));
        assert!(Packet::parse(zero, ChecksumPolicy::Skip).is_ok());
    }

    #[test]
    fn framing_errors() {
        let parse = |b: &[u8]| Packet::parse(Bytes::copy_from_slice(b), ChecksumPolicy::Skip);
        let header = [0u8; 12];
        assert!(matches!(
            parse(&header[..11]),
            Err(ParseError::Truncated { .. })
        ));
        // Chunk length below 4.
        let mut p = header.to_vec();
        p.extend_from_slice(&[0xC0, 0, 0, 3]);
        assert!(matches!(parse(&p), Err(ParseError::InvalidLength { .. })));
        // Chunk length beyond the packet.
        let mut p = header.to_vec();
        p.extend_from_slice(&[0xC0, 0, 0, 9, 1, 2, 3, 4]);
        assert!(matches!(parse(&p), Err(ParseError::Truncated { .. })));
        // A stray byte after the last chunk's padding.
        let mut p = header.to_vec();
        p.extend_from_slice(&[0xC0, 0, 0, 5, 1, 0, 0, 0, 9]);
        assert!(matches!(parse(&p), Err(ParseError::Truncated { .. })));
    }

    #[test]
    fn missing_padding_after_last_chunk_is_tolerated() {
        let mut p = vec![0u8; 12];
        p.extend_from_slice(&[0xC0, 0, 0, 4]); // 4-byte chunk
        p.extend_from_slice(&[0xC1, 7, 0, 6, 0xAA, 0xBB]); // unpadded last chunk
        let packet = Packet::parse(Bytes::from(p), ChecksumPolicy::Skip).unwrap();
        let chunks: Vec<_> = packet.chunks().collect();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1].flags, 7);
        assert_eq!(&chunks[1].value[..], &[0xAA, 0xBB]);
    }

    #[test]
    fn chunks_are_slices_of_the_datagram() {
        let datagram = Bytes::from_static(&SCAPY_INIT);
        let p = Packet::parse(datagram.clone(), ChecksumPolicy::Verify).unwrap();
        let c = p.chunks().next().unwrap();
        assert_eq!(c.value.as_ptr(), datagram[16..].as_ptr());
    }

    #[test]
    fn several_chunks_round_trip() {
        let mut w = PacketWriter::new(5000, 5001, 0xAABB_CCDD, 1200);
        let sack = crate::chunk::SackChunk::default();
        let cookie = crate::chunk::CookieEchoChunk {
            cookie: Bytes::from_static(&[1, 2, 3, 4, 5]),
        };
        w.push(&cookie).unwrap();
        w.push(&sack).unwrap();
        let bytes = w.finish(true);
        assert_eq!(bytes.len(), 12 + 12 + 16);
        let p = Packet::parse(bytes, ChecksumPolicy::Verify).unwrap();
        assert_eq!(
            p.header,
            CommonHeader {
                source_port: 5000,
                destination_port: 5001,
                verification_tag: 0xAABB_CCDD,
                checksum: p.header.checksum,
            }
        );
        let parsed: Vec<_> = p.chunks().map(|c| Chunk::parse(&c).unwrap()).collect();
        assert_eq!(parsed, vec![Chunk::CookieEcho(cookie), Chunk::Sack(sack)]);
        assert_eq!(
            Chunk::Sack(crate::chunk::SackChunk::default()).serialized_len(),
            16
        );
    }
}
