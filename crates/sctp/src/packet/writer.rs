//! Building outgoing packets into one reused buffer.

use bytes::{BufMut, Bytes, BytesMut};

use super::{COMMON_HEADER_LEN, compute_checksum};
use crate::chunk::WriteChunk;

/// A chunk was not added because it does not fit in what is left of the
/// packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("chunk does not fit in the packet")]
pub struct DoesNotFit;

/// Packs chunks into packets of at most `max_size` bytes.
///
/// One buffer is reused: [`finish`](Self::finish) splits the finished packet
/// off as [`Bytes`] and the writer starts the next packet, with the same
/// header, in the rest of the buffer. When every packet handed out has been
/// dropped, growing the buffer reclaims the old allocation.
#[derive(Debug)]
pub struct PacketWriter {
    buf: BytesMut,
    source_port: u16,
    destination_port: u16,
    verification_tag: u32,
    max_size: usize,
    /// Whether `buf` has had its first allocation since creation or
    /// [`release`](Self::release).
    allocated: bool,
}

impl PacketWriter {
    /// A writer for packets from `source_port` to `destination_port` with
    /// `verification_tag`, each at most `max_size` bytes (capped at 65535,
    /// which also keeps every chunk's 16-bit length field valid).
    pub fn new(
        source_port: u16,
        destination_port: u16,
        verification_tag: u32,
        max_size: usize,
    ) -> Self {
        Self {
            // Allocated with the first packet: an association that never
            // sends holds nothing.
            buf: BytesMut::new(),
            source_port,
            destination_port,
            verification_tag,
            max_size: max_size.min(usize::from(u16::MAX)),
            allocated: false,
        }
    }

    /// Writes the common header of a new packet. Called lazily, when the
    /// first chunk arrives: by then the caller has usually sent and dropped
    /// the previous packets, so `reserve` takes the old buffer back instead
    /// of allocating (no allocation per packet in the steady state). A
    /// fresh buffer has room for four packets.
    fn start_packet(&mut self) {
        let packet = self.max_size.max(COMMON_HEADER_LEN);
        if self.allocated {
            self.buf.reserve(packet);
        } else {
            // `with_capacity`, not `reserve`: the buffer remembers its
            // original capacity and allocates that much whenever it cannot
            // reclaim, so later allocations also hold four packets.
            self.buf = BytesMut::with_capacity(4 * packet);
            self.allocated = true;
        }
        self.buf.put_u16(self.source_port);
        self.buf.put_u16(self.destination_port);
        self.buf.put_u32(self.verification_tag);
        self.buf.put_u32(0);
    }

    /// Changes the verification tag, for the packet being built and the
    /// following ones.
    pub fn set_verification_tag(&mut self, verification_tag: u32) {
        self.verification_tag = verification_tag;
        if let Some(field) = self.buf.get_mut(4..8) {
            field.copy_from_slice(&verification_tag.to_be_bytes());
        }
    }

    /// The verification tag packets get.
    pub fn verification_tag(&self) -> u32 {
        self.verification_tag
    }

    /// Changes the packet size limit (path MTU changes) for the packet being
    /// built and the following ones; chunks already added stay.
    pub fn set_max_size(&mut self, max_size: usize) {
        self.max_size = max_size.min(usize::from(u16::MAX));
    }

    /// The packet size limit.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// Size of the packet so far, common header included.
    pub fn len(&self) -> usize {
        self.buf.len().max(COMMON_HEADER_LEN)
    }

    /// Whether no chunk was added to the current packet.
    pub fn is_empty(&self) -> bool {
        self.buf.len() <= COMMON_HEADER_LEN
    }

    /// Bytes left for chunks (padding included) in the current packet.
    pub fn remaining(&self) -> usize {
        self.max_size.saturating_sub(self.len())
    }

    /// Whether `chunk` fits in the current packet.
    pub fn fits<C: WriteChunk + ?Sized>(&self, chunk: &C) -> bool {
        chunk.serialized_len() <= self.remaining()
    }

    /// Appends `chunk`, or leaves the packet unchanged if it does not fit.
    pub fn push<C: WriteChunk + ?Sized>(&mut self, chunk: &C) -> Result<(), DoesNotFit> {
        let len = chunk.serialized_len();
        if len > self.remaining() {
            return Err(DoesNotFit);
        }
        if self.buf.is_empty() {
            self.start_packet();
        }
        let before = self.buf.len();
        chunk.serialize(&mut self.buf);
        debug_assert_eq!(
            self.buf.len() - before,
            len,
            "serialized_len disagrees with serialize"
        );
        Ok(())
    }

    /// Gives the buffer back when no packet is being built (an idle
    /// association should not hold one); the next packet allocates again.
    pub fn release(&mut self) {
        if self.buf.is_empty() {
            self.buf = BytesMut::new();
            self.allocated = false;
        }
    }

    /// Bytes of buffer held (for tests and memory accounting).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Finishes the current packet and starts the next one. With
    /// `write_checksum` the CRC32C is computed and stored; without it the
    /// checksum stays zero (RFC 9653, when the peer accepts zero checksum;
    /// the caller decides which packets may use it, e.g. never INIT).
    ///
    /// A packet without chunks is just a common header; check
    /// [`is_empty`](Self::is_empty) first to avoid sending one.
    pub fn finish(&mut self, write_checksum: bool) -> Bytes {
        if self.buf.is_empty() {
            self.start_packet();
        }
        if write_checksum {
            let crc = compute_checksum(&self.buf);
            if let Some(field) = self.buf.get_mut(8..12) {
                field.copy_from_slice(&crc.to_le_bytes());
            }
        }
        self.buf.split().freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{AsData, AsIData, DataChunk, ShutdownChunk};
    use crate::packet::{ChecksumPolicy, Packet};
    use crate::types::Data;

    fn data(len: usize) -> DataChunk {
        DataChunk {
            data: Data {
                payload: Bytes::from(vec![7; len]),
                ..Data::default()
            },
            ..DataChunk::default()
        }
    }

    #[test]
    fn fills_up_to_max_size() {
        let mut w = PacketWriter::new(1, 2, 3, 100);
        assert!(w.is_empty());
        assert_eq!(w.remaining(), 88);
        // 16 + 52 = 68 bytes.
        w.push(&AsData(&data(52))).unwrap();
        assert_eq!(w.remaining(), 20);
        // I-DATA with one byte takes 24.
        assert_eq!(w.push(&AsIData(&data(1))), Err(DoesNotFit));
        assert_eq!(w.len(), 80);
        w.push(&AsData(&data(1))).unwrap();
        assert_eq!(w.remaining(), 0);
        assert!(!w.fits(&ShutdownChunk::default()));
        let p = w.finish(false);
        assert_eq!(p.len(), 100);
        assert_eq!(&p[8..12], &[0; 4]);
        let parsed = Packet::parse(p, ChecksumPolicy::AcceptZero).unwrap();
        assert_eq!(parsed.chunks().count(), 2);
        assert!(w.is_empty());
    }

    #[test]
    fn buffer_is_reused_between_packets() {
        let mut w = PacketWriter::new(1, 2, 3, 200);
        let mut addrs = Vec::new();
        for i in 0..3u32 {
            w.set_verification_tag(i);
            w.push(&ShutdownChunk::default()).unwrap();
            let p = w.finish(true);
            assert_eq!(&p[4..8], &i.to_be_bytes());
            let parsed = Packet::parse(p.clone(), ChecksumPolicy::Verify).unwrap();
            assert_eq!(parsed.header.verification_tag, i);
            addrs.push(p.as_ptr() as usize);
        }
        // All three came out of the one initial allocation.
        assert_eq!(addrs[1] - addrs[0], 20);
        assert_eq!(addrs[2] - addrs[1], 20);
    }

    #[test]
    fn buffer_is_allocated_with_the_first_packet_and_released_when_idle() {
        let mut w = PacketWriter::new(1, 2, 3, 200);
        assert_eq!(w.capacity(), 0);
        w.push(&ShutdownChunk::default()).unwrap();
        assert!(w.capacity() >= 4 * 200);
        // Not while a packet is being built.
        w.release();
        assert!(w.capacity() > 0);
        let first = w.finish(true);
        w.release();
        assert_eq!(w.capacity(), 0);
        // The packet handed out is unaffected, and the writer works on.
        assert!(Packet::parse(first, ChecksumPolicy::Verify).is_ok());
        w.push(&ShutdownChunk::default()).unwrap();
        let p = w.finish(true);
        assert_eq!(p.len(), 20);
        assert_eq!(&p[4..8], &3u32.to_be_bytes());
    }
}
