//! Random sends, fragment pulls, expiries, resets, threshold changes and
//! discards against a model of the send queue and its scheduler.
//!
//! The model knows every message and checks each produced fragment against
//! it: payloads reassemble exactly, sequence numbers are consecutive per
//! stream (and restart after a reset), fragments of different messages never
//! interleave without I-DATA, buffered amounts match byte for byte, low
//! threshold events fire exactly at crossings, the limit holds, and at the
//! end everything has drained. Which unsent messages the queue expired is
//! deduced from its buffered amounts: the difference from the model must be
//! exactly a prefix of expired, unstarted messages at the front of a stream.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use sanderling_sctp::tx::scheduler::SchedulerKind;
use sanderling_sctp::tx::send_queue::{
    MessageId, OutgoingMessage, ProducedFragment, SendError, SendQueue, SendQueueConfig,
    SendQueueEvent, StreamStateError,
};
use sanderling_sctp::types::{Ppid, StreamId};

const STREAMS: u16 = 5;
const LIMIT: usize = 24_000;

#[derive(Clone, Debug)]
enum Op {
    Add {
        stream: u16,
        size: usize,
        unordered: bool,
        lifetime_ms: Option<u64>,
    },
    Produce {
        max_payload: usize,
    },
    Advance {
        ms: u64,
    },
    PrepareReset {
        streams: Vec<u16>,
    },
    CommitReady,
    RollbackAll,
    SetThreshold {
        stream: u16,
        bytes: usize,
    },
    Discard {
        stream: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..STREAMS, 1usize..3000, any::<bool>(), proptest::option::weighted(0.3, 0u64..40))
            .prop_map(|(stream, size, unordered, lifetime_ms)| Op::Add { stream, size, unordered, lifetime_ms }),
        8 => (1usize..1500).prop_map(|max_payload| Op::Produce { max_payload }),
        1 => (1u64..25).prop_map(|ms| Op::Advance { ms }),
        1 => proptest::collection::vec(0..STREAMS, 1..3).prop_map(|streams| Op::PrepareReset { streams }),
        1 => Just(Op::CommitReady),
        1 => Just(Op::RollbackAll),
        1 => (0..STREAMS, 0usize..5000).prop_map(|(stream, bytes)| Op::SetThreshold { stream, bytes }),
        1 => (0..STREAMS).prop_map(|stream| Op::Discard { stream }),
    ]
}

#[derive(Debug)]
struct Msg {
    stream: u16,
    payload: Bytes,
    unordered: bool,
    expires_at: Option<Instant>,
    received: Vec<u8>,
    /// SSN or MID given with the first fragment.
    seq: Option<u32>,
    /// The queue's name for it, learnt from its first fragment.
    id: Option<MessageId>,
    next_fsn: u32,
}

#[derive(Debug, Default)]
struct StreamModel {
    /// Messages still (partly) unsent, in queue order (indices into
    /// `Model::messages`).
    queue: VecDeque<usize>,
    next_ssn: u16,
    next_mid: [u32; 2], // [ordered, unordered]
    paused: bool,
    threshold: usize,
}

struct Model {
    q: SendQueue,
    interleaving: bool,
    now: Instant,
    /// Every message added, in order.
    messages: Vec<Msg>,
    /// Ids the queue gave started messages: never one twice.
    ids: HashSet<MessageId>,
    streams: Vec<StreamModel>,
    /// Without interleaving: the message whose fragments are going out.
    current: Option<MessageId>,
    completed: usize,
    expired: usize,
    discarded: usize,
}

impl Model {
    fn new(interleaving: bool, scheduler: SchedulerKind) -> Self {
        let q = SendQueue::with_config(SendQueueConfig {
            total_limit: LIMIT,
            interleaving,
            scheduler,
            ..SendQueueConfig::default()
        });
        Self {
            q,
            interleaving,
            now: Instant::now(),
            messages: Vec::new(),
            ids: HashSet::new(),
            streams: (0..STREAMS).map(|_| StreamModel::default()).collect(),
            current: None,
            completed: 0,
            expired: 0,
            discarded: 0,
        }
    }

    fn remaining(&self, stream: u16) -> usize {
        self.streams[stream as usize]
            .queue
            .iter()
            .map(|id| {
                let m = &self.messages[*id];
                m.payload.len() - m.received.len()
            })
            .sum()
    }

    fn has_partial(&self, stream: u16) -> bool {
        self.streams[stream as usize]
            .queue
            .front()
            .is_some_and(|&id| !self.messages[id].received.is_empty())
    }

    fn buffered(&self) -> Vec<usize> {
        (0..STREAMS)
            .map(|s| self.q.buffered_amount(StreamId(s)))
            .collect()
    }

    fn run(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let before = self.buffered();
        let mut expired_now = vec![0u32; STREAMS as usize];
        match op {
            Op::Add {
                stream,
                size,
                unordered,
                lifetime_ms,
            } => {
                let counter = self.messages.len();
                let payload: Bytes = (0..*size)
                    .map(|i| (counter * 31 + i * 7) as u8)
                    .collect::<Vec<u8>>()
                    .into();
                let mut message =
                    OutgoingMessage::new(Ppid(51), payload.clone()).with_unordered(*unordered);
                if let Some(ms) = lifetime_ms {
                    message = message.with_lifetime(Duration::from_millis(*ms));
                }
                let charged = self.q.charged();
                let result = self.q.add(self.now, StreamId(*stream), message);
                let model = &mut self.streams[*stream as usize];
                if model.paused {
                    prop_assert_eq!(result, Err(SendError::StreamResetting(StreamId(*stream))));
                } else if charged + size + SendQueue::MESSAGE_OVERHEAD > LIMIT {
                    prop_assert_eq!(result, Err(SendError::QueueFull));
                } else {
                    result.map_err(|e| TestCaseError::fail(format!("add failed: {e}")))?;
                    model.queue.push_back(self.messages.len());
                    self.messages.push(Msg {
                        stream: *stream,
                        payload,
                        unordered: *unordered,
                        expires_at: lifetime_ms.map(|ms| self.now + Duration::from_millis(ms)),
                        received: Vec::new(),
                        seq: None,
                        id: None,
                        next_fsn: 0,
                    });
                }
            }
            Op::Produce { max_payload } => {
                if let Some(f) = self.q.produce_next(self.now, *max_payload) {
                    prop_assert!(
                        !f.data.payload.is_empty() && f.data.payload.len() <= *max_payload
                    );
                    self.check_fragment(&f, &mut expired_now)?;
                } else {
                    prop_assert!(self.current.is_none(), "a started message stalled");
                    prop_assert!(!self.q.has_data(), "has_data without anything to produce");
                }
            }
            Op::Advance { ms } => self.now += Duration::from_millis(*ms),
            Op::PrepareReset { streams } => {
                let ids: Vec<StreamId> = streams.iter().map(|&s| StreamId(s)).collect();
                let result = self.q.prepare_reset(&ids);
                if let Some(&s) = streams.iter().find(|&&s| self.streams[s as usize].paused) {
                    prop_assert_eq!(result, Err(StreamStateError::AlreadyResetting(StreamId(s))));
                } else {
                    prop_assert_eq!(result, Ok(()));
                    for &s in streams {
                        self.streams[s as usize].paused = true;
                    }
                }
            }
            Op::CommitReady => {
                let ready = self.q.streams_ready_to_reset();
                let expected: Vec<StreamId> = (0..STREAMS)
                    .filter(|&s| {
                        self.streams[s as usize].paused && self.streams[s as usize].queue.is_empty()
                    })
                    .map(StreamId)
                    .collect();
                prop_assert_eq!(&ready, &expected);
                prop_assert_eq!(self.q.has_streams_ready_to_reset(), !ready.is_empty());
                prop_assert_eq!(self.q.commit_reset(&ready), Ok(()));
                for s in ready {
                    let model = &mut self.streams[s.0 as usize];
                    model.paused = false;
                    model.next_ssn = 0;
                    model.next_mid = [0, 0];
                }
            }
            Op::RollbackAll => {
                let paused: Vec<StreamId> = (0..STREAMS)
                    .filter(|&s| self.streams[s as usize].paused)
                    .map(StreamId)
                    .collect();
                prop_assert_eq!(self.q.rollback_reset(&paused), Ok(()));
                for s in paused {
                    self.streams[s.0 as usize].paused = false;
                }
            }
            Op::SetThreshold { stream, bytes } => {
                self.q
                    .set_buffered_amount_low_threshold(StreamId(*stream), *bytes);
                self.streams[*stream as usize].threshold = *bytes;
            }
            Op::Discard { stream } => {
                // Expiries the queue has not noticed yet count as discarded.
                let queue = std::mem::take(&mut self.streams[*stream as usize].queue);
                prop_assert_eq!(self.q.discard(StreamId(*stream)), queue.len());
                if self
                    .current
                    .is_some_and(|c| queue.iter().any(|&k| self.messages[k].id == Some(c)))
                {
                    self.current = None;
                }
                self.discarded += queue.len();
            }
        }
        self.reconcile(&mut expired_now)?;
        self.check_events(&before, &expired_now)
    }

    fn check_fragment(
        &mut self,
        f: &ProducedFragment,
        expired_now: &mut [u32],
    ) -> Result<(), TestCaseError> {
        let id = f.message_id;
        let s = f.data.stream_id.0;
        if !self.interleaving
            && let Some(current) = self.current
        {
            prop_assert_eq!(id, current, "DATA fragments of two messages interleaved");
        }
        // A started message goes on to its end; before an unstarted one,
        // the queue drops the expired ones ahead of it.
        if !self.has_partial(s) {
            while let Some(&front) = self.streams[s as usize].queue.front()
                && self.messages[front]
                    .expires_at
                    .is_some_and(|t| self.now > t)
            {
                self.expire_front(s, expired_now)?;
            }
        }
        let stream = &mut self.streams[s as usize];
        let Some(&key) = stream.queue.front() else {
            return Err(TestCaseError::fail("fragment of an unknown message"));
        };
        let m = &mut self.messages[key];
        match m.id {
            Some(known) => prop_assert_eq!(id, known, "two messages of one stream interleaved"),
            None => {
                prop_assert!(self.ids.insert(id), "message id {:?} given twice", id);
                m.id = Some(id);
            }
        }
        prop_assert_eq!(m.stream, s);
        prop_assert_eq!(f.data.ppid, Ppid(51));
        prop_assert_eq!(f.data.is_unordered, m.unordered);
        prop_assert_eq!(f.expires_at, m.expires_at);
        let first = m.received.is_empty();
        prop_assert_eq!(f.data.is_beginning, first);
        if first {
            let seq = if self.interleaving {
                let counter = &mut stream.next_mid[usize::from(m.unordered)];
                prop_assert_eq!(f.data.mid.0, *counter);
                *counter = counter.wrapping_add(1);
                f.data.mid.0
            } else if m.unordered {
                prop_assert_eq!(f.data.ssn.0, 0);
                0
            } else {
                prop_assert_eq!(f.data.ssn.0, stream.next_ssn);
                stream.next_ssn = stream.next_ssn.wrapping_add(1);
                u32::from(f.data.ssn.0)
            };
            m.seq = Some(seq);
        } else if self.interleaving {
            prop_assert_eq!(Some(f.data.mid.0), m.seq);
        } else {
            prop_assert_eq!(Some(u32::from(f.data.ssn.0)), m.seq);
        }
        if self.interleaving {
            prop_assert_eq!(f.data.fsn.0, m.next_fsn);
            m.next_fsn += 1;
        }
        m.received.extend_from_slice(&f.data.payload);
        prop_assert!(m.received.len() <= m.payload.len());
        prop_assert_eq!(f.data.is_end, m.received.len() == m.payload.len());
        if f.data.is_end {
            prop_assert_eq!(&m.received[..], &m.payload[..], "reassembly differs");
            stream.queue.pop_front();
            self.current = None;
            self.completed += 1;
        } else if !self.interleaving {
            self.current = Some(id);
        }
        Ok(())
    }

    fn expire_front(&mut self, s: u16, expired_now: &mut [u32]) -> Result<(), TestCaseError> {
        let key = self.streams[s as usize].queue.pop_front().unwrap();
        let m = &self.messages[key];
        prop_assert!(m.received.is_empty(), "a started message vanished");
        prop_assert!(
            m.expires_at.is_some_and(|t| self.now > t),
            "a live message vanished"
        );
        expired_now[s as usize] += 1;
        self.expired += 1;
        Ok(())
    }

    /// Matches buffered amounts against the model, attributing any shortfall
    /// to expired messages at the front of the stream.
    fn reconcile(&mut self, expired_now: &mut [u32]) -> Result<(), TestCaseError> {
        let mut total = 0;
        for s in 0..STREAMS {
            let actual = self.q.buffered_amount(StreamId(s));
            while self.remaining(s) > actual {
                prop_assert!(!self.streams[s as usize].queue.is_empty());
                self.expire_front(s, expired_now)?;
            }
            prop_assert_eq!(self.remaining(s), actual, "stream {} buffered amount", s);
            total += actual;
        }
        prop_assert_eq!(self.q.total_buffered_amount(), total);
        let queued: usize = self.streams.iter().map(|s| s.queue.len()).sum();
        prop_assert_eq!(self.q.queued_messages(), queued);
        prop_assert!(self.q.charged() <= LIMIT);
        Ok(())
    }

    fn check_events(&mut self, before: &[usize], expired_now: &[u32]) -> Result<(), TestCaseError> {
        let after = self.buffered();
        let mut low = BTreeSet::new();
        let mut expired = vec![0u32; STREAMS as usize];
        while let Some(event) = self.q.poll_event() {
            match event {
                SendQueueEvent::BufferedAmountLow(s) => {
                    prop_assert!(low.insert(s.0), "duplicate low event");
                }
                SendQueueEvent::MessagesExpired { stream_id, count } => {
                    prop_assert_eq!(expired[stream_id.0 as usize], 0, "duplicate expiry event");
                    expired[stream_id.0 as usize] = count;
                }
            }
        }
        let crossed: BTreeSet<u16> = (0..STREAMS)
            .filter(|&s| {
                let threshold = self.streams[s as usize].threshold;
                before[s as usize] > threshold && after[s as usize] <= threshold
            })
            .collect();
        prop_assert_eq!(
            low,
            crossed,
            "low events vs crossings ({:?} -> {:?})",
            before,
            after
        );
        prop_assert_eq!(&expired[..], expired_now);
        Ok(())
    }

    /// Lets everything go out and checks that nothing is left behind.
    fn finish(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..3 {
            while self.q.has_data() {
                self.run(&Op::Produce { max_payload: 1200 })?;
            }
            self.run(&Op::CommitReady)?;
        }
        self.run(&Op::Produce { max_payload: 1200 })?;
        prop_assert!(!self.q.has_data());
        prop_assert_eq!(self.q.total_buffered_amount(), 0);
        prop_assert_eq!(self.q.queued_messages(), 0);
        prop_assert!(self.streams.iter().all(|s| s.queue.is_empty() && !s.paused));
        prop_assert_eq!(
            self.completed + self.expired + self.discarded,
            self.messages.len()
        );
        prop_assert_eq!(self.q.poll_event(), None);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn send_queue_matches_model(
        interleaving in any::<bool>(),
        weighted in any::<bool>(),
        priorities in proptest::collection::vec(1u16..1000, STREAMS as usize),
        ops in proptest::collection::vec(op(), 1..250),
    ) {
        let kind = if weighted { SchedulerKind::WeightedFair } else { SchedulerKind::RoundRobin };
        let mut model = Model::new(interleaving, kind);
        for (s, &p) in priorities.iter().enumerate() {
            model.q.set_priority(StreamId(s as u16), p).unwrap();
        }
        for op in &ops {
            model.run(op)?;
        }
        model.finish()?;
    }
}
