//! In-order delivery per stream: complete ordered messages wait here until
//! every message before them on their stream has been delivered or skipped.
//!
//! The sequence space is the SSN (16 bits, DATA) or the ordered MID
//! (32 bits, I-DATA). Each stream lifts sequence numbers next to its own
//! "next expected" value, which only moves forward (until a stream reset).

use std::collections::BTreeMap;

use bytes::Bytes;

use super::message::{OVERHEAD, Outbox, ReceivedMessage};
use super::seq::{BASE, unwrap_near};
use crate::types::{Ppid, StreamId};

#[derive(Debug)]
struct StreamOrder {
    /// The lifted sequence number delivered next.
    next: u64,
    /// Complete messages that arrived early, by lifted sequence number.
    waiting: BTreeMap<u64, (Ppid, Bytes)>,
}

impl StreamOrder {
    fn new() -> Self {
        Self {
            next: BASE,
            waiting: BTreeMap::new(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct OrderedStreams {
    streams: BTreeMap<StreamId, StreamOrder>,
    /// Width of the sequence space: 16 (SSN) or 32 (MID).
    bits: u32,
    /// Charge of the waiting messages.
    pub(crate) cost: usize,
    /// Messages dropped because their sequence number was already passed
    /// or already taken (only a misbehaving peer causes these).
    pub(crate) dropped: u64,
}

impl OrderedStreams {
    pub(crate) fn new(bits: u32) -> Self {
        Self {
            streams: BTreeMap::new(),
            bits,
            cost: 0,
            dropped: 0,
        }
    }

    /// Takes a complete ordered message; delivers it and whatever it
    /// unblocks, or keeps it until its turn.
    pub(crate) fn insert(
        &mut self,
        stream_id: StreamId,
        seq: u32,
        ppid: Ppid,
        payload: Bytes,
        out: &mut Outbox,
    ) {
        let bits = self.bits;
        let s = self
            .streams
            .entry(stream_id)
            .or_insert_with(StreamOrder::new);
        let seq = unwrap_near(s.next, seq, bits);
        if seq < s.next {
            self.dropped += 1;
            return;
        }
        if seq == s.next {
            // The steady path: no map touched.
            out.push(ReceivedMessage {
                stream_id,
                ppid,
                payload,
                unordered: false,
            });
            s.next += 1;
            self.cost -= Self::release_ready(s, stream_id, out);
            return;
        }
        if s.waiting.contains_key(&seq) {
            self.dropped += 1;
            return;
        }
        self.cost += payload.len() + OVERHEAD;
        s.waiting.insert(seq, (ppid, payload));
    }

    /// The peer abandoned every message up to `seq` on this stream (FORWARD-TSN,
    /// RFC 3758 §3.6; I-FORWARD-TSN, RFC 8260 §2.3.2). Messages up to it that
    /// did arrive complete are delivered, in order; then the stream moves on.
    pub(crate) fn skip(&mut self, stream_id: StreamId, seq: u32, out: &mut Outbox) {
        let bits = self.bits;
        let s = self
            .streams
            .entry(stream_id)
            .or_insert_with(StreamOrder::new);
        let seq = unwrap_near(s.next, seq, bits);
        if seq < s.next {
            // Already past it: an old or repeated FORWARD-TSN.
            return;
        }
        while let Some(entry) = s.waiting.first_entry() {
            if *entry.key() > seq {
                break;
            }
            let (ppid, payload) = entry.remove();
            self.cost -= payload.len() + OVERHEAD;
            out.push(ReceivedMessage {
                stream_id,
                ppid,
                payload,
                unordered: false,
            });
        }
        s.next = seq + 1;
        self.cost -= Self::release_ready(s, stream_id, out);
    }

    /// Starts the stream's sequence over at 0 (RFC 6525 §5.2.2). Complete
    /// messages still waiting were received and acknowledged, so they are
    /// delivered first, in order, rather than lost.
    pub(crate) fn reset(&mut self, stream_id: StreamId, out: &mut Outbox) {
        if let Some(s) = self.streams.remove(&stream_id) {
            for (_, (ppid, payload)) in s.waiting {
                self.cost -= payload.len() + OVERHEAD;
                out.push(ReceivedMessage {
                    stream_id,
                    ppid,
                    payload,
                    unordered: false,
                });
            }
        }
    }

    /// [`Self::reset`] for every stream.
    pub(crate) fn reset_all(&mut self, out: &mut Outbox) {
        let ids: Vec<StreamId> = self.streams.keys().copied().collect();
        for id in ids {
            self.reset(id, out);
        }
    }

    /// Delivers the run of waiting messages that starts at `next`; returns
    /// the charge released.
    fn release_ready(s: &mut StreamOrder, stream_id: StreamId, out: &mut Outbox) -> usize {
        let mut released = 0;
        while let Some(entry) = s.waiting.first_entry() {
            if *entry.key() != s.next {
                break;
            }
            let (ppid, payload) = entry.remove();
            released += payload.len() + OVERHEAD;
            out.push(ReceivedMessage {
                stream_id,
                ppid,
                payload,
                unordered: false,
            });
            s.next += 1;
        }
        released
    }

    #[cfg(test)]
    pub(crate) fn computed_cost(&self) -> usize {
        self.streams
            .values()
            .flat_map(|s| s.waiting.values())
            .map(|(_, p)| p.len() + OVERHEAD)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(n: u8) -> Bytes {
        Bytes::from(vec![n])
    }

    fn drain(out: &mut Outbox) -> Vec<(u16, u8)> {
        std::iter::from_fn(|| out.pop())
            .map(|m| (m.stream_id.0, m.payload[0]))
            .collect()
    }

    #[test]
    fn delivers_in_sequence_order_per_stream() {
        let mut o = OrderedStreams::new(16);
        let mut out = Outbox::new();
        o.insert(StreamId(1), 2, Ppid(0), msg(2), &mut out);
        o.insert(StreamId(2), 0, Ppid(0), msg(20), &mut out);
        o.insert(StreamId(1), 1, Ppid(0), msg(1), &mut out);
        assert_eq!(drain(&mut out), vec![(2, 20)]);
        assert!(o.cost > 0);
        o.insert(StreamId(1), 0, Ppid(0), msg(0), &mut out);
        assert_eq!(drain(&mut out), vec![(1, 0), (1, 1), (1, 2)]);
        assert_eq!(o.cost, 0);
    }

    #[test]
    fn old_and_repeated_sequence_numbers_are_dropped() {
        let mut o = OrderedStreams::new(16);
        let mut out = Outbox::new();
        o.insert(StreamId(1), 0, Ppid(0), msg(0), &mut out);
        o.insert(StreamId(1), 0, Ppid(0), msg(9), &mut out);
        o.insert(StreamId(1), 5, Ppid(0), msg(5), &mut out);
        o.insert(StreamId(1), 5, Ppid(0), msg(6), &mut out);
        assert_eq!(o.dropped, 2);
        assert_eq!(o.cost, 1 + OVERHEAD);
        assert_eq!(drain(&mut out), vec![(1, 0)]);
    }

    #[test]
    fn ssn_wraps_without_reordering() {
        let mut o = OrderedStreams::new(16);
        let mut out = Outbox::new();
        // From SSN 0, 65533 is behind: walk there in steps under half the space.
        o.skip(StreamId(3), 65533, &mut out);
        o.insert(StreamId(3), 0, Ppid(0), msg(7), &mut out);
        assert_eq!(drain(&mut out), vec![(3, 7)]);
        o.skip(StreamId(3), 30000, &mut out);
        o.skip(StreamId(3), 60000, &mut out);
        o.skip(StreamId(3), 65533, &mut out);
        o.insert(StreamId(3), 1, Ppid(0), msg(1), &mut out);
        o.insert(StreamId(3), 65535, Ppid(0), msg(0xff), &mut out);
        o.insert(StreamId(3), 0, Ppid(0), msg(0), &mut out);
        assert!(drain(&mut out).is_empty());
        o.insert(StreamId(3), 65534, Ppid(0), msg(0xfe), &mut out);
        assert_eq!(drain(&mut out), vec![(3, 0xfe), (3, 0xff), (3, 0), (3, 1)]);
    }

    #[test]
    fn skip_delivers_complete_messages_up_to_it_then_the_run_after() {
        let mut o = OrderedStreams::new(32);
        let mut out = Outbox::new();
        // 0 and 3 were abandoned; 1, 2 and 4 arrived.
        for s in [1u8, 2, 4] {
            o.insert(StreamId(7), u32::from(s), Ppid(0), msg(s), &mut out);
        }
        assert!(drain(&mut out).is_empty());
        o.skip(StreamId(7), 3, &mut out);
        assert_eq!(drain(&mut out), vec![(7, 1), (7, 2), (7, 4)]);
        assert_eq!(o.cost, 0);
        // A stale skip changes nothing.
        o.skip(StreamId(7), 1, &mut out);
        o.insert(StreamId(7), 5, Ppid(0), msg(5), &mut out);
        assert_eq!(drain(&mut out), vec![(7, 5)]);
    }

    #[test]
    fn reset_starts_over_at_zero_and_keeps_what_arrived() {
        let mut o = OrderedStreams::new(16);
        let mut out = Outbox::new();
        o.insert(StreamId(1), 0, Ppid(0), msg(0), &mut out);
        o.insert(StreamId(1), 2, Ppid(0), msg(2), &mut out);
        o.insert(StreamId(4), 0, Ppid(0), msg(40), &mut out);
        drain(&mut out);
        o.reset(StreamId(1), &mut out);
        assert_eq!(drain(&mut out), vec![(1, 2)]);
        assert_eq!(o.cost, 0);
        o.insert(StreamId(1), 0, Ppid(0), msg(100), &mut out);
        // Stream 4 was not reset: SSN 0 there is old.
        o.insert(StreamId(4), 0, Ppid(0), msg(41), &mut out);
        assert_eq!(drain(&mut out), vec![(1, 100)]);
        o.reset_all(&mut out);
        o.insert(StreamId(4), 0, Ppid(0), msg(42), &mut out);
        assert_eq!(drain(&mut out), vec![(4, 42)]);
    }
}
