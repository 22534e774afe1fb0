//! What reassembly hands out: whole messages, built without copying a
//! single-fragment message and with one allocation for a fragmented one.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use crate::types::{Ppid, StreamId};

/// The memory a stored fragment or message is charged beyond its payload:
/// its share of map nodes and the `Bytes` handle. Charging it keeps a peer
/// that sends millions of one-byte fragments inside the same budget as one
/// that sends full ones.
pub(crate) const OVERHEAD: usize = 64;

/// A complete user message, ready for the application.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReceivedMessage {
    /// The stream it arrived on.
    pub stream_id: StreamId,
    /// Its payload protocol identifier (from the first fragment).
    pub ppid: Ppid,
    /// The message bytes.
    pub payload: Bytes,
    /// It was sent unordered (delivered as soon as it was complete).
    pub unordered: bool,
}

/// A message the assemblers completed, before stream ordering.
#[derive(Debug)]
pub(crate) struct Assembled {
    pub(crate) stream_id: StreamId,
    /// SSN (DATA) or MID (I-DATA); ignored when `unordered`.
    pub(crate) seq: u32,
    pub(crate) unordered: bool,
    pub(crate) ppid: Ppid,
    pub(crate) payload: Bytes,
}

/// Joins fragments into one buffer of exactly the right size.
pub(crate) fn concat(parts: &mut Vec<Bytes>, total: usize) -> Bytes {
    if parts.len() == 1 {
        return parts.pop().unwrap_or_default();
    }
    let mut buf = BytesMut::with_capacity(total);
    for p in parts.drain(..) {
        buf.extend_from_slice(&p);
    }
    buf.freeze()
}

/// Spare fragment lists, so a fragmented message in the steady state reuses
/// the list of the one before instead of allocating its own.
#[derive(Debug, Default)]
pub(crate) struct PartsPool {
    spare: Vec<Vec<Bytes>>,
}

impl PartsPool {
    /// Lists kept for reuse; beyond that they are freed.
    const KEEP: usize = 8;

    pub(crate) fn take(&mut self) -> Vec<Bytes> {
        self.spare.pop().unwrap_or_else(|| Vec::with_capacity(8))
    }

    #[cfg(test)]
    pub(crate) fn spare_count(&self) -> usize {
        self.spare.len()
    }

    pub(crate) fn give(&mut self, mut parts: Vec<Bytes>) {
        parts.clear();
        // A list a huge message grew is not worth keeping around.
        if self.spare.len() < Self::KEEP && parts.capacity() <= 256 {
            self.spare.push(parts);
        }
    }
}

/// Delivered messages waiting for the application, and their charge.
#[derive(Debug)]
pub(crate) struct Outbox {
    queue: VecDeque<ReceivedMessage>,
    pub(crate) cost: usize,
}

impl Outbox {
    pub(crate) fn new() -> Self {
        Self {
            queue: VecDeque::with_capacity(64),
            cost: 0,
        }
    }

    pub(crate) fn push(&mut self, m: ReceivedMessage) {
        self.cost += m.payload.len() + OVERHEAD;
        self.queue.push_back(m);
    }

    pub(crate) fn pop(&mut self) -> Option<ReceivedMessage> {
        let m = self.queue.pop_front()?;
        self.cost -= m.payload.len() + OVERHEAD;
        Some(m)
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_part_is_not_copied() {
        let b = Bytes::from_static(b"hello");
        let ptr = b.as_ptr();
        let out = concat(&mut vec![b], 5);
        assert_eq!(out.as_ptr(), ptr);
    }

    #[test]
    fn parts_are_joined_in_order_into_an_exact_buffer() {
        let mut parts = vec![
            Bytes::from_static(b"ab"),
            Bytes::from_static(b"c"),
            Bytes::from_static(b"def"),
        ];
        let out = concat(&mut parts, 6);
        assert_eq!(&out[..], b"abcdef");
        assert!(parts.is_empty());
    }

    #[test]
    fn pool_reuses_lists_up_to_a_bound() {
        let mut pool = PartsPool::default();
        let mut v = pool.take();
        v.push(Bytes::from_static(b"x"));
        let cap = v.capacity();
        pool.give(v);
        let v = pool.take();
        assert!(v.is_empty());
        assert_eq!(v.capacity(), cap);
        for _ in 0..20 {
            pool.give(Vec::with_capacity(1));
        }
        assert_eq!(pool.spare.len(), PartsPool::KEEP);
    }

    #[test]
    fn outbox_charges_until_polled() {
        let mut o = Outbox::new();
        o.push(ReceivedMessage {
            stream_id: StreamId(1),
            ppid: Ppid(51),
            payload: Bytes::from_static(b"abc"),
            unordered: false,
        });
        assert_eq!(o.cost, 3 + OVERHEAD);
        assert_eq!(o.len(), 1);
        assert!(o.pop().is_some());
        assert_eq!(o.cost, 0);
        assert!(o.pop().is_none());
    }
}
