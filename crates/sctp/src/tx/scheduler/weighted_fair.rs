//! Weighted fair queueing over the ready streams (RFC 8260 §3.6), as
//! start-time fair queueing: each stream carries a virtual time tag; the
//! ready stream with the smallest tag is served, and serving `b` bytes
//! advances its tag by `b / weight`. Streams that stay backlogged therefore
//! receive bytes in proportion to their weights.
//!
//! Tags are charged after the fact, with the bytes actually served, because
//! a fragment's size is only known when the send queue cuts it. A stream
//! that becomes ready starts at `max(its old tag, virtual time)`, virtual
//! time being the tag of the last stream served: idling earns no credit, and
//! a stream that just sent a large message cannot dodge its charge by
//! briefly running dry.
//!
//! The tags live in a binary heap with lazy deletion: a stream whose tag
//! changes gets a fresh entry and the old one is dropped when it surfaces.
//! Pushes and pops on a `Vec` that has reached its working size do not
//! allocate, and the heap is compacted when stale entries outnumber live
//! ones, so it stays O(ready streams). O(log n) per decision.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::stream_map::StreamMap;
use crate::types::StreamId;

/// Virtual time units per byte at weight 1. Tags advance by
/// `bytes · SCALE / weight`, so even the largest weight moves a tag by at
/// least one unit per byte and rounding stays below one part in 2^16.
const SCALE: u128 = 1 << 16;

/// Stale heap entries tolerated before compacting, beyond one per live one.
const SLACK: usize = 32;

#[derive(Clone, Debug)]
struct StreamTag {
    weight: u16,
    /// Virtual time at which the stream's next unit of service starts.
    tag: u128,
    ready: bool,
    /// Identifies the stream's live heap entry; older entries are stale.
    seq: u64,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct WeightedFair {
    streams: StreamMap<StreamTag>,
    heap: BinaryHeap<Reverse<(u128, u64, StreamId)>>,
    vtime: u128,
    next_seq: u64,
    ready_count: usize,
}

impl WeightedFair {
    pub(crate) fn set_ready(&mut self, stream: StreamId, ready: bool, weight: u16) {
        if ready {
            let vtime = self.vtime;
            let entry = self.streams.entry(stream).or_insert(StreamTag {
                weight,
                tag: vtime,
                ready: false,
                seq: 0,
            });
            entry.weight = weight;
            if !entry.ready {
                entry.ready = true;
                entry.tag = entry.tag.max(vtime);
                entry.seq = self.next_seq;
                self.next_seq += 1;
                self.heap.push(Reverse((entry.tag, entry.seq, stream)));
                self.ready_count += 1;
            }
        } else if let Some(entry) = self.streams.get_mut(&stream)
            && entry.ready
        {
            entry.ready = false;
            self.ready_count -= 1;
            if entry.tag <= self.vtime {
                // Would restart at virtual time anyway: nothing to remember.
                self.streams.remove(&stream);
            }
            self.compact_if_stale();
        }
    }

    pub(crate) fn next(&mut self) -> Option<StreamId> {
        while let Some(&Reverse((_, seq, stream))) = self.heap.peek() {
            if self
                .streams
                .get(&stream)
                .is_some_and(|e| e.ready && e.seq == seq)
            {
                return Some(stream);
            }
            self.heap.pop();
        }
        None
    }

    pub(crate) fn on_served(&mut self, stream: StreamId, bytes: usize) {
        let Some(entry) = self.streams.get_mut(&stream) else {
            return;
        };
        self.vtime = self.vtime.max(entry.tag);
        let charge = (bytes as u128).saturating_mul(SCALE) / u128::from(entry.weight.max(1));
        entry.tag = entry.tag.saturating_add(charge.max(1));
        if entry.ready {
            entry.seq = self.next_seq;
            self.next_seq += 1;
            self.heap.push(Reverse((entry.tag, entry.seq, stream)));
        }
        self.compact_if_stale();
    }

    pub(crate) fn set_weight(&mut self, stream: StreamId, weight: u16) {
        // Applies from the next charge; the current tag stays as earned.
        if let Some(entry) = self.streams.get_mut(&stream) {
            entry.weight = weight;
        }
    }

    pub(crate) fn has_ready(&self) -> bool {
        self.ready_count > 0
    }

    fn compact_if_stale(&mut self) {
        if self.heap.len() <= 2 * self.ready_count + SLACK {
            return;
        }
        let streams = &self.streams;
        self.heap.retain(|&Reverse((_, seq, stream))| {
            streams
                .get(&stream)
                .is_some_and(|e| e.ready && e.seq == seq)
        });
        let vtime = self.vtime;
        self.streams.retain(|_, e| e.ready || e.tag > vtime);
    }

    #[cfg(test)]
    fn heap_len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Serves `rounds` units of `size` bytes and returns bytes per stream.
    fn serve(wfq: &mut WeightedFair, rounds: usize, size: usize) -> HashMap<u16, usize> {
        let mut sent = HashMap::new();
        for _ in 0..rounds {
            let s = wfq.next().unwrap();
            wfq.on_served(s, size);
            *sent.entry(s.0).or_default() += size;
        }
        sent
    }

    #[test]
    fn backlogged_streams_share_by_weight() {
        let mut wfq = WeightedFair::default();
        wfq.set_ready(StreamId(1), true, 1);
        wfq.set_ready(StreamId(2), true, 3);
        let sent = serve(&mut wfq, 400, 1000);
        assert_eq!(sent[&1], 100_000);
        assert_eq!(sent[&2], 300_000);
    }

    #[test]
    fn unequal_units_are_charged_by_bytes() {
        let mut wfq = WeightedFair::default();
        wfq.set_ready(StreamId(1), true, 256);
        wfq.set_ready(StreamId(2), true, 256);
        let mut sent = [0usize; 3];
        for _ in 0..1000 {
            let s = wfq.next().unwrap();
            // Stream 1 sends big units, stream 2 small ones.
            let size = if s.0 == 1 { 1000 } else { 100 };
            wfq.on_served(s, size);
            sent[s.0 as usize] += size;
        }
        let ratio = sent[1] as f64 / sent[2] as f64;
        assert!((ratio - 1.0).abs() < 0.02, "{ratio}");
    }

    #[test]
    fn idle_time_earns_no_credit() {
        let mut wfq = WeightedFair::default();
        wfq.set_ready(StreamId(1), true, 1);
        serve(&mut wfq, 100, 1000);
        // Stream 2 arrives late; it must not be served 100 times in a row.
        wfq.set_ready(StreamId(2), true, 1);
        let sent = serve(&mut wfq, 10, 1000);
        assert_eq!(sent[&1], 5000);
        assert_eq!(sent[&2], 5000);
    }

    #[test]
    fn a_stream_cannot_dodge_its_charge_by_running_dry() {
        let mut wfq = WeightedFair::default();
        wfq.set_ready(StreamId(1), true, 1);
        wfq.set_ready(StreamId(2), true, 1);
        // Stream 1 sends one huge message, goes idle and comes straight back.
        assert_eq!(wfq.next(), Some(StreamId(1)));
        wfq.on_served(StreamId(1), 10_000);
        wfq.set_ready(StreamId(1), false, 1);
        wfq.set_ready(StreamId(1), true, 1);
        let sent = serve(&mut wfq, 10, 1000);
        assert_eq!(sent.get(&1), None);
    }

    #[test]
    fn weight_changes_apply_to_later_service() {
        let mut wfq = WeightedFair::default();
        wfq.set_ready(StreamId(1), true, 1);
        wfq.set_ready(StreamId(2), true, 1);
        serve(&mut wfq, 10, 1000);
        wfq.set_weight(StreamId(2), 4);
        let sent = serve(&mut wfq, 500, 1000);
        let ratio = sent[&2] as f64 / sent[&1] as f64;
        assert!((ratio - 4.0).abs() < 0.1, "{ratio}");
    }

    #[test]
    fn stale_entries_do_not_accumulate() {
        let mut wfq = WeightedFair::default();
        wfq.set_ready(StreamId(0), true, 1);
        for i in 0..10_000u32 {
            let s = StreamId((i % 100) as u16 + 1);
            wfq.set_ready(s, true, 256);
            if let Some(next) = wfq.next() {
                wfq.on_served(next, 500);
            }
            wfq.set_ready(s, false, 256);
            assert!(wfq.heap_len() <= 2 * wfq.ready_count + SLACK + 1);
        }
        assert!(wfq.streams.len() <= 101);
        assert!(wfq.has_ready());
        wfq.set_ready(StreamId(0), false, 1);
        assert_eq!(wfq.next(), None);
        assert!(!wfq.has_ready());
    }
}
