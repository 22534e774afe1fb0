//! Stream schedulers (RFC 8260 §3): which stream's data is sent next.
//!
//! The [`SendQueue`](super::send_queue::SendQueue) owns the scheduler and
//! tells it which streams are *ready* (have a fragment to produce); the
//! scheduler only ever sees ready streams, so a decision never scans idle
//! ones. Without message interleaving a message, once started, is finished
//! before the scheduler is consulted again (the send queue pins its stream),
//! so scheduling is per message; with I-DATA it is per fragment. The send
//! queue reports the bytes it served so that byte-fair schedulers can
//! account for them.
//!
//! Both schedulers are enum variants rather than trait objects: there are
//! two, and a match is cheaper than a virtual call on the per-fragment path.

mod round_robin;
mod weighted_fair;

use crate::types::StreamId;

use round_robin::RoundRobin;
use weighted_fair::WeightedFair;

/// The default stream priority (weight for [`SchedulerKind::WeightedFair`]).
pub const DEFAULT_PRIORITY: u16 = 256;

/// Which stream scheduler a send queue uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SchedulerKind {
    /// RFC 8260 §3.2: cycle through the streams that have data, one message
    /// each (one fragment each with I-DATA), in stream-id order.
    #[default]
    RoundRobin,
    /// RFC 8260 §3.6: share capacity in proportion to stream priorities,
    /// counted in bytes. A stream with twice the priority of another gets
    /// twice its bytes while both have data.
    WeightedFair,
}

/// The scheduler in use, behind one interface for the send queue.
#[derive(Clone, Debug)]
pub(crate) enum Scheduler {
    RoundRobin(RoundRobin),
    WeightedFair(WeightedFair),
}

impl Scheduler {
    pub(crate) fn new(kind: SchedulerKind) -> Self {
        match kind {
            SchedulerKind::RoundRobin => Self::RoundRobin(RoundRobin::default()),
            SchedulerKind::WeightedFair => Self::WeightedFair(WeightedFair::default()),
        }
    }

    /// Marks `stream` as having (`true`) or not having (`false`) a fragment
    /// to produce. Idempotent. `weight` is its priority, used by WFQ.
    pub(crate) fn set_ready(&mut self, stream: StreamId, ready: bool, weight: u16) {
        match self {
            Self::RoundRobin(s) => s.set_ready(stream, ready),
            Self::WeightedFair(s) => s.set_ready(stream, ready, weight),
        }
    }

    /// The stream to serve next, if any is ready.
    pub(crate) fn next(&mut self) -> Option<StreamId> {
        match self {
            Self::RoundRobin(s) => s.next(),
            Self::WeightedFair(s) => s.next(),
        }
    }

    /// `stream` was served `bytes` (a whole message without interleaving,
    /// one fragment with it).
    pub(crate) fn on_served(&mut self, stream: StreamId, bytes: usize) {
        match self {
            Self::RoundRobin(s) => s.on_served(stream),
            Self::WeightedFair(s) => s.on_served(stream, bytes),
        }
    }

    /// The priority of `stream` changed.
    pub(crate) fn set_weight(&mut self, stream: StreamId, weight: u16) {
        match self {
            Self::RoundRobin(_) => {}
            Self::WeightedFair(s) => s.set_weight(stream, weight),
        }
    }

    /// Whether any stream is ready.
    pub(crate) fn has_ready(&self) -> bool {
        match self {
            Self::RoundRobin(s) => s.has_ready(),
            Self::WeightedFair(s) => s.has_ready(),
        }
    }
}

/// Scheduling as seen through the send queue: which streams' messages and
/// fragments come out in which order.
#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Instant;

    use bytes::Bytes;

    use super::*;
    use crate::tx::send_queue::{OutgoingMessage, SendQueue, SendQueueConfig};
    use crate::types::Ppid;

    fn queue(kind: SchedulerKind, interleaving: bool) -> SendQueue {
        SendQueue::with_config(SendQueueConfig {
            total_limit: 1 << 24,
            scheduler: kind,
            interleaving,
            ..SendQueueConfig::default()
        })
    }

    fn message(len: usize) -> OutgoingMessage {
        OutgoingMessage::new(Ppid(53), Bytes::from(vec![7u8; len]))
    }

    /// (stream, is_beginning, is_end) of every fragment until the queue drains.
    fn drain(q: &mut SendQueue, now: Instant, max_payload: usize) -> Vec<(u16, bool, bool)> {
        let mut out = Vec::new();
        while let Some(f) = q.produce_next(now, max_payload) {
            out.push((f.data.stream_id.0, f.data.is_beginning, f.data.is_end));
        }
        out
    }

    #[test]
    fn round_robin_alternates_whole_messages_without_interleaving() {
        let now = Instant::now();
        let mut q = queue(SchedulerKind::RoundRobin, false);
        for _ in 0..3 {
            for s in [5, 1, 3] {
                q.add(now, StreamId(s), message(250)).unwrap();
            }
        }
        let out = drain(&mut q, now, 100);
        // Three fragments per message, streams in id order, a message at a time.
        let streams: Vec<u16> = out.iter().map(|f| f.0).collect();
        let expected: Vec<u16> = [1, 3, 5, 1, 3, 5, 1, 3, 5]
            .iter()
            .flat_map(|&s| [s; 3])
            .collect();
        assert_eq!(streams, expected);
        for chunk in out.chunks(3) {
            assert_eq!(
                chunk.iter().map(|f| (f.1, f.2)).collect::<Vec<_>>(),
                [(true, false), (false, false), (false, true)]
            );
        }
    }

    #[test]
    fn round_robin_alternates_fragments_with_interleaving() {
        let now = Instant::now();
        let mut q = queue(SchedulerKind::RoundRobin, true);
        q.add(now, StreamId(2), message(300)).unwrap();
        q.add(now, StreamId(9), message(300)).unwrap();
        let out = drain(&mut q, now, 100);
        let streams: Vec<u16> = out.iter().map(|f| f.0).collect();
        assert_eq!(streams, [2, 9, 2, 9, 2, 9]);
    }

    #[test]
    fn round_robin_resumes_after_the_last_served_stream() {
        let now = Instant::now();
        let mut q = queue(SchedulerKind::RoundRobin, false);
        q.add(now, StreamId(1), message(10)).unwrap();
        q.add(now, StreamId(2), message(10)).unwrap();
        assert_eq!(
            q.produce_next(now, 100).unwrap().data.stream_id,
            StreamId(1)
        );
        // Stream 1 gets new data, but stream 2 is owed its turn first.
        q.add(now, StreamId(1), message(10)).unwrap();
        q.add(now, StreamId(0), message(10)).unwrap();
        let streams: Vec<u16> = drain(&mut q, now, 100).iter().map(|f| f.0).collect();
        assert_eq!(streams, [2, 0, 1]);
    }

    #[test]
    fn a_single_active_stream_is_served_continuously() {
        let now = Instant::now();
        for kind in [SchedulerKind::RoundRobin, SchedulerKind::WeightedFair] {
            for interleaving in [false, true] {
                let mut q = queue(kind, interleaving);
                q.set_priority(StreamId(4), 1).unwrap();
                for _ in 0..50 {
                    q.add(now, StreamId(4), message(1000)).unwrap();
                }
                let out = drain(&mut q, now, 1000);
                assert_eq!(out.len(), 50);
                assert!(out.iter().all(|f| f.0 == 4));
            }
        }
    }

    #[test]
    fn streams_without_data_are_not_visited() {
        let now = Instant::now();
        for kind in [SchedulerKind::RoundRobin, SchedulerKind::WeightedFair] {
            let mut q = queue(kind, false);
            // Streams that were touched but hold nothing, or only expired data.
            q.set_priority(StreamId(1), 500).unwrap();
            q.set_buffered_amount_low_threshold(StreamId(2), 100);
            q.add(
                now,
                StreamId(3),
                message(10).with_lifetime(std::time::Duration::ZERO),
            )
            .unwrap();
            q.add(now, StreamId(7), message(10)).unwrap();
            q.add(now, StreamId(7), message(10)).unwrap();
            let later = now + std::time::Duration::from_millis(1);
            let streams: Vec<u16> = drain(&mut q, later, 100).iter().map(|f| f.0).collect();
            assert_eq!(streams, [7, 7]);
            assert!(!q.has_data());
        }
    }

    fn byte_shares(
        kind: SchedulerKind,
        interleaving: bool,
        weights: &[(u16, u16)],
        sizes: &[usize],
    ) -> HashMap<u16, usize> {
        let now = Instant::now();
        let mut q = queue(kind, interleaving);
        for &(s, w) in weights {
            q.set_priority(StreamId(s), w).unwrap();
        }
        // Keep every stream backlogged and count what goes out.
        let mut sent: HashMap<u16, usize> = HashMap::new();
        let mut i = 0;
        for _ in 0..4000 {
            for &(s, _) in weights {
                while q.buffered_amount(StreamId(s)) < 20_000 {
                    q.add(now, StreamId(s), message(sizes[i % sizes.len()]))
                        .unwrap();
                    i += 1;
                }
            }
            let f = q.produce_next(now, 1100).unwrap();
            *sent.entry(f.data.stream_id.0).or_default() += f.data.payload.len();
        }
        sent
    }

    #[test]
    fn weighted_fair_shares_bytes_by_weight() {
        let sizes = [100, 1500, 700, 3000, 40];
        for interleaving in [false, true] {
            let sent = byte_shares(
                SchedulerKind::WeightedFair,
                interleaving,
                &[(1, 1), (2, 3)],
                &sizes,
            );
            let ratio = sent[&2] as f64 / sent[&1] as f64;
            assert!(
                (ratio - 3.0).abs() < 0.15,
                "interleaving {interleaving}: ratio {ratio}, {sent:?}"
            );
        }
        let sent = byte_shares(
            SchedulerKind::WeightedFair,
            true,
            &[(1, 256), (2, 512), (3, 1024)],
            &sizes,
        );
        let total: usize = sent.values().sum();
        for (s, share) in [(1, 1.0 / 7.0), (2, 2.0 / 7.0), (3, 4.0 / 7.0)] {
            let got = sent[&s] as f64 / total as f64;
            assert!((got - share).abs() < 0.02, "stream {s}: {got} vs {share}");
        }
    }

    #[test]
    fn round_robin_ignores_weights() {
        let sent = byte_shares(SchedulerKind::RoundRobin, true, &[(1, 1), (2, 3)], &[1000]);
        let ratio = sent[&2] as f64 / sent[&1] as f64;
        assert!((ratio - 1.0).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn weighted_fair_does_not_starve_a_low_weight_stream() {
        // 4000 fragments of 500 bytes: stream 1's share of 1/1001 is four messages.
        let sent = byte_shares(
            SchedulerKind::WeightedFair,
            false,
            &[(1, 1), (2, 1000)],
            &[500],
        );
        assert!(sent.get(&1).copied().unwrap_or(0) >= 3 * 500, "{sent:?}");
    }
}
