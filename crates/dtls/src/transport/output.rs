//! The buffer dimpl writes outgoing datagrams into.
//!
//! dimpl copies each datagram into a caller's `&mut [u8]`. Outgoing
//! datagrams live only until the driver has written them to a socket, so
//! they are carved out of one large zeroed `BytesMut` chunk in turn
//! (`split_to` + `freeze`, no copy and no allocation per datagram); a new
//! chunk is allocated when the rest of the current one could not hold the
//! largest output. Received application data is *not* carved from here:
//! the layers above keep slices of it for as long as they like, and one
//! kept slice would pin a whole chunk.

use bytes::{Bytes, BytesMut};

/// Where an output slice lies in the buffer, or a copy of it if it does not
/// lie in the buffer at all (dimpl always writes into the buffer it is
/// given; the copy only keeps us correct if that ever changes).
#[derive(Debug)]
pub(crate) enum Span {
    At { offset: usize, len: usize },
    Copied(Bytes),
}

/// A chunked arena of zeroed bytes for dimpl's output.
#[derive(Debug)]
pub(crate) struct OutputBuffer {
    buf: BytesMut,
    /// Space that must be free before each poll.
    min_free: usize,
}

impl OutputBuffer {
    /// A fresh chunk holds a dozen full datagrams before the next
    /// allocation, and an idle connection keeps at most this much (it adds
    /// up over many connections). Grows to what dimpl asks for if a larger
    /// output (a long record from the peer) needs it.
    const CHUNK: usize = 16 * 1024;

    /// An empty buffer: the first chunk is allocated by the first output.
    pub(crate) fn new(min_free: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            min_free,
        }
    }

    /// Gives the current chunk back (an idle connection need not hold
    /// one); the next output allocates a fresh one.
    pub(crate) fn release(&mut self) {
        self.buf = BytesMut::new();
    }

    /// Grows the space that must be free (dimpl asked for more).
    pub(crate) fn require(&mut self, needed: usize) {
        self.min_free = self.min_free.max(needed);
    }

    /// The free space to hand to dimpl, with its address and length for
    /// [`Self::locate`].
    pub(crate) fn space(&mut self) -> (usize, usize, &mut [u8]) {
        if self.buf.len() < self.min_free {
            // Room for several outputs of the largest size, so that small
            // ones (SACKs, short records) share a chunk instead of each
            // taking, and pinning, one of their own.
            self.buf = BytesMut::zeroed(Self::CHUNK.max(4 * self.min_free));
        }
        let base = self.buf.as_ptr() as usize;
        let len = self.buf.len();
        (base, len, &mut self.buf[..])
    }

    /// Where `out` lies in the space that started at `base` and was `len`
    /// long.
    pub(crate) fn locate(base: usize, len: usize, out: &[u8]) -> Span {
        let start = out.as_ptr() as usize;
        match start.checked_sub(base) {
            Some(offset) if offset + out.len() <= len => Span::At {
                offset,
                len: out.len(),
            },
            _ => Span::Copied(Bytes::copy_from_slice(out)),
        }
    }

    /// Takes the bytes of `span` out of the buffer.
    pub(crate) fn take(&mut self, span: Span) -> Bytes {
        match span {
            Span::At { offset, len } => self.buf.split_to(offset + len).freeze().slice(offset..),
            Span::Copied(b) => b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carves_consecutive_datagrams_and_renews_chunks() {
        let mut out = OutputBuffer::new(2000);
        let mut taken = Vec::new();
        for i in 0..200u8 {
            let (base, len, space) = out.space();
            assert!(len >= 2000);
            space[..1500].fill(i);
            let span = OutputBuffer::locate(base, len, &space[..1500]);
            assert!(matches!(
                span,
                Span::At {
                    offset: 0,
                    len: 1500
                }
            ));
            taken.push(out.take(span));
        }
        for (i, b) in taken.iter().enumerate() {
            assert_eq!(b.len(), 1500);
            assert!(b.iter().all(|&x| usize::from(x) == i));
        }
    }

    #[test]
    fn small_outputs_share_a_chunk_after_a_large_one() {
        let mut out = OutputBuffer::new(2000);
        out.require(17_000);
        let (base, len, space) = out.space();
        assert!(len >= 4 * 17_000);
        space[..50].fill(1);
        let span = OutputBuffer::locate(base, len, &space[..50]);
        let first = out.take(span);
        // The next output is carved from the same chunk, right after.
        let (next_base, _, _) = out.space();
        assert_eq!(next_base, first.as_ptr() as usize + 50);
    }

    #[test]
    fn a_released_buffer_allocates_again_on_use() {
        let mut out = OutputBuffer::new(2000);
        assert_eq!(out.buf.capacity(), 0, "nothing until the first output");
        assert!(out.space().1 >= 2000);
        out.release();
        assert_eq!(out.buf.capacity(), 0);
        let (base, len, space) = out.space();
        assert!(len >= 2000);
        space[..10].fill(3);
        let span = OutputBuffer::locate(base, len, &space[..10]);
        assert_eq!(&out.take(span)[..], &[3; 10]);
    }

    #[test]
    fn foreign_slices_are_copied() {
        let (base, len, _) = OutputBuffer::new(10).space();
        let other = [7u8; 5];
        match OutputBuffer::locate(base, len, &other) {
            Span::Copied(b) => assert_eq!(&b[..], &other),
            Span::At { .. } => panic!("not in the buffer"),
        }
    }
}
