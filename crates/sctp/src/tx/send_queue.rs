//! Outgoing user messages, per stream, until they are cut into fragments
//! (RFC 8831 §6.6 data-channel send semantics, RFC 8260 for I-DATA, RFC 3758
//! lifetimes, RFC 6525 stream reset on the sending side).
//!
//! Each message is whole: [`SendQueue::add`] accepts it entirely or refuses
//! it with an error (never blocks, never takes part of it). The association
//! then pulls fragments with [`SendQueue::produce_next`] as congestion and
//! receiver windows allow; the queue's [scheduler](super::scheduler) picks
//! the stream. Fragments are `Bytes::slice`s of the user's payload: no copy,
//! and no allocation per fragment.
//!
//! # Buffered amount
//!
//! A stream's buffered amount counts the payload bytes not yet handed to the
//! network for the first time: it falls as fragments are produced (and when
//! unsent messages expire or are discarded), not when they are acknowledged.
//! That is what browsers report as `RTCDataChannel.bufferedAmount`; bytes
//! awaiting acknowledgement or retransmission belong to the retransmission
//! queue, whose size the receiver window and cwnd already bound.
//!
//! # Memory bound
//!
//! Every queued message is charged its unsent payload plus
//! [`SendQueue::MESSAGE_OVERHEAD`] bytes of bookkeeping against the total
//! limit, so a flood of one-byte messages cannot use more memory than the
//! limit allows. The buffered amounts report payload only.
//!
//! # Sequence numbers
//!
//! SSNs (DATA) and MIDs (I-DATA) are assigned when a message's first
//! fragment is produced, not when it is queued: a message that expires in the
//! queue then leaves no gap in the sequence, and nothing has to be told to
//! the peer about it.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::block_queue::BlockQueue;
use super::scheduler::{DEFAULT_PRIORITY, Scheduler, SchedulerKind};
use crate::stream_map::StreamMap;
use crate::types::{Data, Fsn, Mid, Ppid, Ssn, StreamId};

/// A user message to send on a stream.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OutgoingMessage {
    /// Payload protocol identifier (data channels: string, binary, DCEP...).
    pub ppid: Ppid,
    /// The message. Must not be empty: SCTP cannot carry zero-length user
    /// data (the data-channel layer maps empty messages to a one-byte
    /// payload with a special PPID, RFC 8831 §6.6).
    pub payload: Bytes,
    /// Deliver without regard to stream order (the U bit).
    pub unordered: bool,
    /// PR-SCTP limit on retransmissions (RFC 3758 / RFC 7496 `maxRetransmits`);
    /// `None` is fully reliable.
    pub max_retransmits: Option<u16>,
    /// PR-SCTP lifetime (`maxPacketLifeTime`): the message expires this long
    /// after it is queued. One that expires before its first fragment is
    /// produced is dropped from the queue; later, the retransmission queue
    /// abandons it.
    pub lifetime: Option<Duration>,
}

impl OutgoingMessage {
    /// A reliable, ordered message.
    pub fn new(ppid: Ppid, payload: Bytes) -> Self {
        Self {
            ppid,
            payload,
            unordered: false,
            max_retransmits: None,
            lifetime: None,
        }
    }

    /// This message, sent unordered (or not).
    #[must_use]
    pub fn with_unordered(mut self, unordered: bool) -> Self {
        self.unordered = unordered;
        self
    }

    /// This message, retransmitted at most `n` times.
    #[must_use]
    pub fn with_max_retransmits(mut self, n: u16) -> Self {
        self.max_retransmits = Some(n);
        self
    }

    /// This message, expiring `lifetime` after it is queued.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }
}

/// Identifies a queued message, unique within its send queue. The
/// retransmission queue uses it to abandon the unsent rest of a message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct MessageId(u64);

impl MessageId {
    /// A message id made up by a test.
    #[cfg(test)]
    pub(crate) fn for_test(n: u64) -> Self {
        Self(n)
    }
}

/// One fragment cut from a queued message, with what the retransmission
/// queue must know about the message.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProducedFragment {
    /// The fragment: stream, SSN (DATA) or MID/FSN (I-DATA), flags, payload.
    pub data: Data,
    /// The message it belongs to.
    pub message_id: MessageId,
    /// The message's retransmission limit, if any.
    pub max_retransmits: Option<u16>,
    /// When the message expires, if it has a lifetime.
    pub expires_at: Option<Instant>,
}

/// Why [`SendQueue::add`] refused a message. Nothing was queued.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SendError {
    /// SCTP cannot carry an empty message.
    #[error("cannot send an empty message")]
    EmptyMessage,
    /// The message is larger than the maximum message size.
    #[error("message of {size} bytes exceeds the maximum message size of {max} bytes")]
    MessageTooLarge {
        /// The message's size.
        size: usize,
        /// The maximum message size.
        max: usize,
    },
    /// The send buffer cannot take the message now; retry once the buffered
    /// amount has fallen.
    #[error("send buffer full")]
    QueueFull,
    /// The stream is being reset; it takes no new messages until the reset
    /// completes or is rolled back.
    #[error("stream {} is being reset", .0.0)]
    StreamResetting(StreamId),
    /// The stream id is beyond the streams the peer accepts.
    #[error("stream {} is not open towards the peer", .0.0)]
    InvalidStream(StreamId),
    /// The association is shutting down or has ended.
    #[error("the association is closing or closed")]
    Closed,
}

/// A stream-management call that does not fit the queue's state. Nothing
/// was changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum StreamStateError {
    /// `prepare_reset` on a stream whose reset is already pending.
    #[error("stream {} is already being reset", .0.0)]
    AlreadyResetting(StreamId),
    /// `commit_reset` or `rollback_reset` on a stream that is not being reset.
    #[error("stream {} is not being reset", .0.0)]
    NotResetting(StreamId),
    /// The operation needs the stream (or every stream) to have no
    /// partially sent message.
    #[error("stream {} has a partially sent message", .0.0)]
    MessageInProgress(StreamId),
    /// Priorities are weights and must be at least 1.
    #[error("stream priority must be at least 1")]
    ZeroPriority,
}

/// Something the association should pass on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SendQueueEvent {
    /// The stream's buffered amount fell from above its low threshold to at
    /// or below it (W3C `bufferedamountlow`). With threshold 0, that is the
    /// stream's queue draining.
    BufferedAmountLow(StreamId),
    /// Messages on the stream expired before any of their fragments was sent
    /// and were dropped (PR-SCTP abandonment, for statistics; the peer needs
    /// no notice since they were never given a TSN or sequence number).
    MessagesExpired {
        /// The stream.
        stream_id: StreamId,
        /// How many messages expired since the last such event.
        count: u32,
    },
}

/// Settings for a [`SendQueue`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SendQueueConfig {
    /// Upper bound on queued bytes (payload plus per-message overhead).
    /// Default 16 MiB, the send buffer browsers give a data channel.
    pub total_limit: usize,
    /// Largest message accepted. Default 256 KiB; the association sets the
    /// peer's `a=max-message-size` (RFC 8841) here.
    pub max_message_size: usize,
    /// Cut messages into I-DATA fragments (RFC 8260): MIDs and FSNs instead
    /// of SSNs, and fragments of different streams may interleave.
    pub interleaving: bool,
    /// The stream scheduler.
    pub scheduler: SchedulerKind,
}

impl Default for SendQueueConfig {
    fn default() -> Self {
        Self {
            total_limit: 16 * 1024 * 1024,
            max_message_size: 256 * 1024,
            interleaving: false,
            scheduler: SchedulerKind::RoundRobin,
        }
    }
}

/// A message waiting in its stream's queue: only what it needs before its
/// first fragment goes out (56 bytes; a full 1 MiB buffer of 100-byte
/// messages is some 10,000 of them). What sending it takes is in the
/// stream's [`Progress`], for the front message alone.
#[derive(Clone, Debug)]
struct QueuedMessage {
    payload: Bytes,
    expires_at: Option<Instant>,
    ppid: Ppid,
    /// The retransmission limit, meaningful when `limited`: an
    /// `Option<u16>` beside the other small fields would pad the entry
    /// to 64 bytes.
    retransmit_limit: u16,
    limited: bool,
    unordered: bool,
}

impl QueuedMessage {
    fn max_retransmits(&self) -> Option<u16> {
        self.limited.then_some(self.retransmit_limit)
    }
}

/// How far the front message of a stream has been sent: made with its
/// first fragment.
#[derive(Clone, Copy, Debug)]
struct Progress {
    id: MessageId,
    /// Bytes already produced (nonzero: payloads are never empty).
    offset: usize,
    ssn: Ssn,
    mid: Mid,
    next_fsn: Fsn,
}

#[derive(Clone, Debug)]
struct OutStream {
    queue: BlockQueue<QueuedMessage>,
    /// The front message's progress once it started.
    head: Option<Progress>,
    buffered: usize,
    low_threshold: usize,
    priority: u16,
    next_ssn: Ssn,
    next_ordered_mid: Mid,
    next_unordered_mid: Mid,
    /// A reset is pending: no new message starts (a started one finishes).
    paused: bool,
    low_event_pending: bool,
    /// Expired messages not yet reported; an event is queued while nonzero.
    expired_unreported: u32,
}

impl OutStream {
    fn new() -> Self {
        Self {
            queue: BlockQueue::default(),
            head: None,
            buffered: 0,
            low_threshold: 0,
            priority: DEFAULT_PRIORITY,
            next_ssn: Ssn(0),
            next_ordered_mid: Mid(0),
            next_unordered_mid: Mid(0),
            paused: false,
            low_event_pending: false,
            expired_unreported: 0,
        }
    }

    fn has_partial(&self) -> bool {
        self.head.is_some()
    }

    /// Has a fragment to produce now. A stream being reset still drains
    /// what was queued before: a data channel's close sends every pending
    /// message first (RFC 8831 §6.7).
    fn is_ready(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Holds nothing a fresh stream would not: the entry can go.
    fn is_default(&self) -> bool {
        self.queue.is_empty()
            && !self.paused
            && self.low_threshold == 0
            && self.priority == DEFAULT_PRIORITY
            && self.next_ssn == Ssn(0)
            && self.next_ordered_mid == Mid(0)
            && self.next_unordered_mid == Mid(0)
            && !self.low_event_pending
            && self.expired_unreported == 0
    }
}

/// Queued event, resolved against the stream's state when polled so that
/// events coalesce: at most one of each kind per stream is pending.
#[derive(Clone, Copy, Debug)]
enum PendingEvent {
    Low(StreamId),
    Expired(StreamId),
}

/// A drained stream queue keeps at most this much capacity; beyond it the
/// memory is returned, so a burst does not pin its peak forever.
const RETAINED_QUEUE_CAPACITY: usize = 16;

/// Per-stream queues of outgoing messages, the stream scheduler, buffered
/// amounts and stream-reset pausing.
#[derive(Debug)]
pub struct SendQueue {
    config: SendQueueConfig,
    streams: StreamMap<OutStream>,
    scheduler: Scheduler,
    /// Without interleaving: the stream whose started message must be
    /// finished before any other fragment goes out.
    pinned: Option<StreamId>,
    /// Streams with a reset pending.
    paused: BTreeSet<StreamId>,
    total_buffered: usize,
    queued_messages: usize,
    next_message_id: u64,
    events: VecDeque<PendingEvent>,
}

impl SendQueue {
    /// Bytes charged against the total limit for each queued message on top
    /// of its payload: roughly what its bookkeeping occupies.
    pub const MESSAGE_OVERHEAD: usize = 96;

    /// A queue holding at most `total_limit` bytes, with default settings
    /// otherwise.
    pub fn new(total_limit: usize) -> Self {
        Self::with_config(SendQueueConfig {
            total_limit,
            ..SendQueueConfig::default()
        })
    }

    /// A queue with the given settings.
    pub fn with_config(config: SendQueueConfig) -> Self {
        Self {
            config,
            streams: StreamMap::default(),
            scheduler: Scheduler::new(config.scheduler),
            pinned: None,
            paused: BTreeSet::new(),
            total_buffered: 0,
            queued_messages: 0,
            next_message_id: 0,
            events: VecDeque::new(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &SendQueueConfig {
        &self.config
    }

    /// Queues `message` on `stream_id` at `now` (the start of its lifetime).
    pub fn add(
        &mut self,
        now: Instant,
        stream_id: StreamId,
        message: OutgoingMessage,
    ) -> Result<(), SendError> {
        let size = message.payload.len();
        if size == 0 {
            return Err(SendError::EmptyMessage);
        }
        if size > self.config.max_message_size {
            return Err(SendError::MessageTooLarge {
                size,
                max: self.config.max_message_size,
            });
        }
        if self.streams.get(&stream_id).is_some_and(|s| s.paused) {
            return Err(SendError::StreamResetting(stream_id));
        }
        let charge = size.saturating_add(Self::MESSAGE_OVERHEAD);
        if self.charged().saturating_add(charge) > self.config.total_limit {
            return Err(SendError::QueueFull);
        }
        let stream = self.streams.entry(stream_id).or_insert_with(OutStream::new);
        stream.queue.push_back(QueuedMessage {
            payload: message.payload,
            // An instant beyond the clock's range never comes.
            expires_at: message.lifetime.and_then(|l| now.checked_add(l)),
            ppid: message.ppid,
            retransmit_limit: message.max_retransmits.unwrap_or(0),
            limited: message.max_retransmits.is_some(),
            unordered: message.unordered,
        });
        stream.buffered += size;
        self.total_buffered += size;
        self.queued_messages += 1;
        self.refresh(stream_id);
        Ok(())
    }

    /// The next fragment to send, at most `max_payload` bytes, from the
    /// stream the scheduler picks; `None` when nothing can be sent (or
    /// `max_payload` is 0). Messages found expired on the way are dropped.
    pub fn produce_next(&mut self, now: Instant, max_payload: usize) -> Option<ProducedFragment> {
        if max_payload == 0 {
            return None;
        }
        loop {
            let stream_id = match self.pinned {
                Some(s) => s,
                None => self.scheduler.next()?,
            };
            if let Some(fragment) = self.produce_from(now, stream_id, max_payload) {
                return Some(fragment);
            }
            // The stream had nothing after all (its messages expired); it is
            // no longer ready, so the loop moves on.
        }
    }

    fn produce_from(
        &mut self,
        now: Instant,
        stream_id: StreamId,
        max_payload: usize,
    ) -> Option<ProducedFragment> {
        let interleaving = self.config.interleaving;
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            self.scheduler.set_ready(stream_id, false, DEFAULT_PRIORITY);
            self.pinned = None;
            return None;
        };
        let before = stream.buffered;

        // Drop messages that expired before they were started.
        let mut expired = 0u32;
        while stream.head.is_none()
            && let Some(front) = stream.queue.front()
            && front.expires_at.is_some_and(|t| now > t)
        {
            let size = front.payload.len();
            stream.queue.pop_front();
            stream.buffered -= size;
            self.total_buffered -= size;
            self.queued_messages -= 1;
            expired = expired.saturating_add(1);
        }
        if expired > 0 {
            if stream.expired_unreported == 0 {
                self.events.push_back(PendingEvent::Expired(stream_id));
            }
            stream.expired_unreported = stream.expired_unreported.saturating_add(expired);
        }

        let fragment = if stream.is_ready() {
            let message = stream.queue.front()?;
            let is_beginning = stream.head.is_none();
            let progress = stream.head.get_or_insert_with(|| {
                // Numbers are taken only now: expired messages leave no gap.
                let mut progress = Progress {
                    id: MessageId(self.next_message_id),
                    offset: 0,
                    ssn: Ssn(0),
                    mid: Mid(0),
                    next_fsn: Fsn(0),
                };
                self.next_message_id += 1;
                if interleaving {
                    let counter = if message.unordered {
                        &mut stream.next_unordered_mid
                    } else {
                        &mut stream.next_ordered_mid
                    };
                    progress.mid = *counter;
                    *counter = counter.next();
                } else if !message.unordered {
                    progress.ssn = stream.next_ssn;
                    stream.next_ssn = stream.next_ssn.next();
                }
                progress
            });
            let len = (message.payload.len() - progress.offset).min(max_payload);
            let payload = message
                .payload
                .slice(progress.offset..progress.offset + len);
            progress.offset += len;
            let is_end = progress.offset == message.payload.len();
            let fsn = progress.next_fsn;
            progress.next_fsn = fsn.next();
            let fragment = ProducedFragment {
                data: Data {
                    stream_id,
                    ssn: progress.ssn,
                    mid: if interleaving { progress.mid } else { Mid(0) },
                    fsn: if interleaving { fsn } else { Fsn(0) },
                    ppid: message.ppid,
                    payload,
                    is_beginning,
                    is_end,
                    is_unordered: message.unordered,
                },
                message_id: progress.id,
                max_retransmits: message.max_retransmits(),
                expires_at: message.expires_at,
            };
            let message_size = message.payload.len();
            stream.buffered -= len;
            self.total_buffered -= len;
            if is_end {
                stream.queue.pop_front();
                stream.head = None;
                self.queued_messages -= 1;
                self.pinned = None;
                if !interleaving {
                    self.scheduler.on_served(stream_id, message_size);
                }
            } else if !interleaving {
                self.pinned = Some(stream_id);
            }
            if interleaving {
                self.scheduler.on_served(stream_id, len);
            }
            Some(fragment)
        } else {
            None
        };
        if fragment.is_none() && self.pinned == Some(stream_id) {
            // Unreachable while the pin invariant holds; never spin on it.
            self.pinned = None;
        }
        self.note_decrease(stream_id, before);
        self.refresh(stream_id);
        fragment
    }

    /// Payload bytes on `stream_id` not yet handed to the network.
    pub fn buffered_amount(&self, stream_id: StreamId) -> usize {
        self.streams.get(&stream_id).map_or(0, |s| s.buffered)
    }

    /// Payload bytes on all streams not yet handed to the network.
    pub fn total_buffered_amount(&self) -> usize {
        self.total_buffered
    }

    /// Messages queued (including partially sent ones).
    pub fn queued_messages(&self) -> usize {
        self.queued_messages
    }

    /// Bytes charged against the total limit: payload plus per-message
    /// overhead. Never above the limit.
    pub fn charged(&self) -> usize {
        self.total_buffered
            .saturating_add(self.queued_messages.saturating_mul(Self::MESSAGE_OVERHEAD))
    }

    /// The stream's `bufferedAmountLowThreshold` (default 0).
    pub fn buffered_amount_low_threshold(&self, stream_id: StreamId) -> usize {
        self.streams.get(&stream_id).map_or(0, |s| s.low_threshold)
    }

    /// Sets the stream's low threshold. Setting it fires nothing; the event
    /// fires on the next fall from above it to at or below it.
    pub fn set_buffered_amount_low_threshold(&mut self, stream_id: StreamId, bytes: usize) {
        if bytes == 0 && !self.streams.contains_key(&stream_id) {
            return;
        }
        self.streams
            .entry(stream_id)
            .or_insert_with(OutStream::new)
            .low_threshold = bytes;
        self.forget_if_default(stream_id);
    }

    /// The stream's priority (default [`DEFAULT_PRIORITY`]).
    pub fn priority(&self, stream_id: StreamId) -> u16 {
        self.streams
            .get(&stream_id)
            .map_or(DEFAULT_PRIORITY, |s| s.priority)
    }

    /// Sets the stream's priority: its weight under
    /// [`SchedulerKind::WeightedFair`] (ignored by round robin).
    pub fn set_priority(
        &mut self,
        stream_id: StreamId,
        priority: u16,
    ) -> Result<(), StreamStateError> {
        if priority == 0 {
            return Err(StreamStateError::ZeroPriority);
        }
        if priority == DEFAULT_PRIORITY && !self.streams.contains_key(&stream_id) {
            return Ok(());
        }
        self.streams
            .entry(stream_id)
            .or_insert_with(OutStream::new)
            .priority = priority;
        self.scheduler.set_weight(stream_id, priority);
        self.forget_if_default(stream_id);
        Ok(())
    }

    /// Whether fragments are cut as I-DATA.
    pub fn interleaving(&self) -> bool {
        self.config.interleaving
    }

    /// Switches between DATA and I-DATA fragments, once the handshake has
    /// negotiated it. Refused while any message is partially sent, since its
    /// remaining fragments must use the form its first one had.
    pub fn set_interleaving(&mut self, enabled: bool) -> Result<(), StreamStateError> {
        if let Some((&id, _)) = self.streams.iter().find(|(_, s)| s.has_partial()) {
            return Err(StreamStateError::MessageInProgress(id));
        }
        self.config.interleaving = enabled;
        Ok(())
    }

    /// Sets the largest message [`add`](Self::add) accepts.
    pub fn set_max_message_size(&mut self, bytes: usize) {
        self.config.max_message_size = bytes;
    }

    /// Whether some stream may have a fragment to produce. (A stream whose
    /// queued messages have all expired counts until it is visited.)
    pub fn has_data(&self) -> bool {
        self.pinned.is_some() || self.scheduler.has_ready()
    }

    /// The next event, if any. Events coalesce per stream until polled.
    pub fn poll_event(&mut self) -> Option<SendQueueEvent> {
        while let Some(pending) = self.events.pop_front() {
            let (stream_id, event) = match pending {
                PendingEvent::Low(id) => {
                    let Some(stream) = self.streams.get_mut(&id) else {
                        continue;
                    };
                    stream.low_event_pending = false;
                    (id, SendQueueEvent::BufferedAmountLow(id))
                }
                PendingEvent::Expired(id) => {
                    let Some(stream) = self.streams.get_mut(&id) else {
                        continue;
                    };
                    let count = std::mem::take(&mut stream.expired_unreported);
                    (
                        id,
                        SendQueueEvent::MessagesExpired {
                            stream_id: id,
                            count,
                        },
                    )
                }
            };
            self.forget_if_default(stream_id);
            return Some(event);
        }
        None
    }

    /// Pauses `streams` ahead of an outgoing stream reset (RFC 6525 §5.1.2):
    /// they take no new messages, and what they hold is still sent (the
    /// reset request goes out once it is). Fails, changing nothing, if one
    /// is already paused.
    pub fn prepare_reset(&mut self, streams: &[StreamId]) -> Result<(), StreamStateError> {
        if let Some(&id) = streams.iter().find(|id| self.paused.contains(id)) {
            return Err(StreamStateError::AlreadyResetting(id));
        }
        for &id in streams {
            self.streams.entry(id).or_insert_with(OutStream::new).paused = true;
            self.paused.insert(id);
            self.refresh(id);
        }
        Ok(())
    }

    /// Whether some paused stream has sent everything it held, so its
    /// reset request can go out.
    pub fn has_streams_ready_to_reset(&self) -> bool {
        self.paused
            .iter()
            .any(|id| self.streams.get(id).is_none_or(|s| s.queue.is_empty()))
    }

    /// The paused streams ready to be reset, in id order.
    pub fn streams_ready_to_reset(&self) -> Vec<StreamId> {
        self.paused
            .iter()
            .copied()
            .filter(|id| self.streams.get(id).is_none_or(|s| s.queue.is_empty()))
            .collect()
    }

    /// The peer performed the reset: sequence numbers restart at 0 and the
    /// streams resume. Every stream must be paused and drained.
    pub fn commit_reset(&mut self, streams: &[StreamId]) -> Result<(), StreamStateError> {
        self.check_resettable(streams, true)?;
        for &id in streams {
            if let Some(stream) = self.streams.get_mut(&id) {
                stream.paused = false;
                stream.next_ssn = Ssn(0);
                stream.next_ordered_mid = Mid(0);
                stream.next_unordered_mid = Mid(0);
            }
            self.paused.remove(&id);
            self.refresh(id);
        }
        Ok(())
    }

    /// The reset was denied or abandoned: the streams resume with their
    /// sequence numbers unchanged. Every stream must be paused.
    pub fn rollback_reset(&mut self, streams: &[StreamId]) -> Result<(), StreamStateError> {
        self.check_resettable(streams, false)?;
        for &id in streams {
            if let Some(stream) = self.streams.get_mut(&id) {
                stream.paused = false;
            }
            self.paused.remove(&id);
            self.refresh(id);
        }
        Ok(())
    }

    fn check_resettable(
        &self,
        streams: &[StreamId],
        need_no_partial: bool,
    ) -> Result<(), StreamStateError> {
        for &id in streams {
            if !self.paused.contains(&id) {
                return Err(StreamStateError::NotResetting(id));
            }
            if need_no_partial && self.streams.get(&id).is_some_and(|s| !s.queue.is_empty()) {
                return Err(StreamStateError::MessageInProgress(id));
            }
        }
        Ok(())
    }

    /// Drops every queued message of `stream_id`, including the unsent rest
    /// of a partially sent one (for a stream being closed). Returns how many
    /// messages were dropped.
    pub fn discard(&mut self, stream_id: StreamId) -> usize {
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            return 0;
        };
        let before = stream.buffered;
        let count = stream.queue.len();
        let partial = stream.head.take().is_some();
        stream.queue = BlockQueue::default();
        stream.buffered = 0;
        self.total_buffered -= before;
        self.queued_messages -= count;
        if partial {
            self.end_partial(stream_id);
        }
        self.note_decrease(stream_id, before);
        self.refresh(stream_id);
        count
    }

    /// Drops the unsent rest of message `message_id` on `stream_id`, which
    /// the retransmission queue abandoned (RFC 3758: all fragments of a
    /// message go together). Returns whether anything was dropped: `false`
    /// when the message is fully sent already (or unknown).
    pub fn abandon_message(&mut self, stream_id: StreamId, message_id: MessageId) -> bool {
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            return false;
        };
        // Only the front message can be partially sent.
        let Some(progress) = stream.head.filter(|p| p.id == message_id) else {
            return false;
        };
        let before = stream.buffered;
        if let Some(message) = stream.queue.pop_front() {
            let rest = message.payload.len() - progress.offset;
            stream.buffered -= rest;
            self.total_buffered -= rest;
            self.queued_messages -= 1;
        }
        stream.head = None;
        self.end_partial(stream_id);
        self.note_decrease(stream_id, before);
        self.refresh(stream_id);
        true
    }

    /// A partially sent message on `stream_id` ended early: release the pin
    /// and count the turn as served.
    fn end_partial(&mut self, stream_id: StreamId) {
        if self.pinned == Some(stream_id) {
            self.pinned = None;
            self.scheduler.on_served(stream_id, 0);
        }
    }

    /// Queues a low event if the stream's buffered amount just fell from
    /// above its threshold (it was `before`) to at or below it.
    fn note_decrease(&mut self, stream_id: StreamId, before: usize) {
        if let Some(stream) = self.streams.get_mut(&stream_id)
            && before > stream.low_threshold
            && stream.buffered <= stream.low_threshold
            && !stream.low_event_pending
        {
            stream.low_event_pending = true;
            self.events.push_back(PendingEvent::Low(stream_id));
        }
    }

    /// Tells the scheduler whether the stream is ready, returns a drained
    /// queue's excess capacity, and forgets a stream left in default state.
    fn refresh(&mut self, stream_id: StreamId) {
        let Some(stream) = self.streams.get_mut(&stream_id) else {
            self.scheduler.set_ready(stream_id, false, DEFAULT_PRIORITY);
            return;
        };
        self.scheduler
            .set_ready(stream_id, stream.is_ready(), stream.priority);
        if stream.queue.is_empty() && stream.queue.capacity() > RETAINED_QUEUE_CAPACITY {
            stream.queue = BlockQueue::default();
        }
        self.forget_if_default(stream_id);
    }

    fn forget_if_default(&mut self, stream_id: StreamId) {
        if self
            .streams
            .get(&stream_id)
            .is_some_and(OutStream::is_default)
        {
            self.streams.remove(&stream_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn bytes(len: usize, seed: u8) -> Bytes {
        (0..len)
            .map(|i| seed.wrapping_add(i as u8))
            .collect::<Vec<u8>>()
            .into()
    }

    fn msg(len: usize) -> OutgoingMessage {
        OutgoingMessage::new(Ppid(51), bytes(len, len as u8))
    }

    fn interleaved() -> SendQueue {
        SendQueue::with_config(SendQueueConfig {
            interleaving: true,
            ..SendQueueConfig::default()
        })
    }

    fn drain(q: &mut SendQueue, now: Instant, max_payload: usize) -> Vec<ProducedFragment> {
        std::iter::from_fn(|| q.produce_next(now, max_payload)).collect()
    }

    fn events(q: &mut SendQueue) -> Vec<SendQueueEvent> {
        std::iter::from_fn(|| q.poll_event()).collect()
    }

    #[test]
    fn fragments_are_zero_copy_slices_with_flags() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let payload = bytes(250, 3);
        q.add(
            now,
            StreamId(1),
            OutgoingMessage::new(Ppid(53), payload.clone()),
        )
        .unwrap();
        let out = drain(&mut q, now, 100);
        assert_eq!(out.len(), 3);
        let sizes: Vec<usize> = out.iter().map(|f| f.data.payload.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(
            out.iter()
                .map(|f| (f.data.is_beginning, f.data.is_end))
                .collect::<Vec<_>>(),
            [(true, false), (false, false), (false, true)]
        );
        let joined: Vec<u8> = out
            .iter()
            .flat_map(|f| f.data.payload.iter().copied())
            .collect();
        assert_eq!(joined, payload);
        // Same allocation as the user's buffer.
        assert_eq!(out[1].data.payload.as_ptr(), payload[100..].as_ptr());
        assert!(
            out.iter()
                .all(|f| f.data.ppid == Ppid(53) && f.message_id == out[0].message_id)
        );
        assert_eq!(q.total_buffered_amount(), 0);
        assert_eq!(q.queued_messages(), 0);
    }

    #[test]
    fn a_message_that_fits_is_one_fragment() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(now, StreamId(0), msg(100)).unwrap();
        let f = q.produce_next(now, 100).unwrap();
        assert!(f.data.is_beginning && f.data.is_end);
        assert_eq!(q.produce_next(now, 100), None);
    }

    #[test]
    fn ordered_data_messages_get_consecutive_ssns_and_unordered_get_zero() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(3);
        q.add(now, s, msg(10)).unwrap();
        q.add(now, s, msg(10).with_unordered(true)).unwrap();
        q.add(now, s, msg(150)).unwrap();
        q.add(now, StreamId(4), msg(10)).unwrap();
        let out: Vec<(u16, u16, bool)> = drain(&mut q, now, 100)
            .iter()
            .map(|f| (f.data.stream_id.0, f.data.ssn.0, f.data.is_unordered))
            .collect();
        assert_eq!(
            out,
            [
                (3, 0, false),
                (4, 0, false),
                (3, 0, true),
                (3, 1, false),
                (3, 1, false)
            ]
        );
    }

    #[test]
    fn idata_uses_separate_mid_sequences_and_counts_fsns() {
        let now = Instant::now();
        let mut q = interleaved();
        let s = StreamId(2);
        q.add(now, s, msg(250)).unwrap();
        q.add(now, s, msg(10).with_unordered(true)).unwrap();
        q.add(now, s, msg(10)).unwrap();
        q.add(now, s, msg(10).with_unordered(true)).unwrap();
        let out: Vec<(u32, u32, bool, u16)> = drain(&mut q, now, 100)
            .iter()
            .map(|f| {
                (
                    f.data.mid.0,
                    f.data.fsn.0,
                    f.data.is_unordered,
                    f.data.ssn.0,
                )
            })
            .collect();
        assert_eq!(
            out,
            [
                (0, 0, false, 0),
                (0, 1, false, 0),
                (0, 2, false, 0),
                (0, 0, true, 0),
                (1, 0, false, 0),
                (1, 0, true, 0)
            ]
        );
    }

    #[test]
    fn ssn_wraps() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 24);
        for _ in 0..65537 {
            q.add(now, StreamId(0), msg(1)).unwrap();
            q.produce_next(now, 10).unwrap();
        }
        q.add(now, StreamId(0), msg(1)).unwrap();
        assert_eq!(q.produce_next(now, 10).unwrap().data.ssn, Ssn(1));
    }

    #[test]
    fn rejects_empty_oversized_and_overflowing_messages_without_change() {
        let now = Instant::now();
        let limit = 1000 + 2 * SendQueue::MESSAGE_OVERHEAD;
        let mut q = SendQueue::with_config(SendQueueConfig {
            total_limit: limit,
            max_message_size: 800,
            ..SendQueueConfig::default()
        });
        assert_eq!(
            q.add(now, StreamId(0), msg(0)),
            Err(SendError::EmptyMessage)
        );
        assert_eq!(
            q.add(now, StreamId(0), msg(801)),
            Err(SendError::MessageTooLarge {
                size: 801,
                max: 800
            })
        );
        q.add(now, StreamId(0), msg(800)).unwrap();
        assert_eq!(q.add(now, StreamId(1), msg(201)), Err(SendError::QueueFull));
        assert_eq!(q.total_buffered_amount(), 800);
        assert_eq!(q.buffered_amount(StreamId(1)), 0);
        q.add(now, StreamId(1), msg(200)).unwrap();
        assert_eq!(q.charged(), limit);
        assert_eq!(q.add(now, StreamId(1), msg(1)), Err(SendError::QueueFull));
        // Producing frees room.
        q.produce_next(now, 100).unwrap();
        q.add(now, StreamId(1), msg(4)).unwrap();
        assert!(q.charged() <= limit);
    }

    #[test]
    fn per_message_overhead_bounds_tiny_messages() {
        let now = Instant::now();
        let mut q = SendQueue::new(100 * (1 + SendQueue::MESSAGE_OVERHEAD));
        let accepted = (0..1000)
            .filter(|_| q.add(now, StreamId(0), msg(1)).is_ok())
            .count();
        assert_eq!(accepted, 100);
    }

    #[test]
    fn message_overhead_covers_the_bookkeeping() {
        assert!(SendQueue::MESSAGE_OVERHEAD >= std::mem::size_of::<QueuedMessage>());
    }

    #[test]
    fn buffered_amount_falls_as_fragments_are_produced() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(now, StreamId(1), msg(300)).unwrap();
        q.add(now, StreamId(2), msg(50)).unwrap();
        assert_eq!(
            (
                q.buffered_amount(StreamId(1)),
                q.buffered_amount(StreamId(2))
            ),
            (300, 50)
        );
        assert_eq!(q.total_buffered_amount(), 350);
        q.produce_next(now, 100).unwrap();
        assert_eq!(q.buffered_amount(StreamId(1)), 200);
        assert_eq!(q.total_buffered_amount(), 250);
    }

    #[test]
    fn low_threshold_event_fires_on_crossing_only() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(1);
        q.set_buffered_amount_low_threshold(s, 150);
        assert_eq!(q.buffered_amount_low_threshold(s), 150);
        q.add(now, s, msg(400)).unwrap();
        q.produce_next(now, 100).unwrap(); // 300
        q.produce_next(now, 100).unwrap(); // 200
        assert_eq!(events(&mut q), []);
        q.produce_next(now, 100).unwrap(); // 100: crossed
        assert_eq!(events(&mut q), [SendQueueEvent::BufferedAmountLow(s)]);
        q.produce_next(now, 100).unwrap(); // 0: already below
        assert_eq!(events(&mut q), []);
        // Rising above and falling again fires again.
        q.add(now, s, msg(200)).unwrap();
        q.produce_next(now, 100).unwrap(); // 100
        assert_eq!(events(&mut q), [SendQueueEvent::BufferedAmountLow(s)]);
        // Landing exactly on the threshold counts.
        q.add(now, s, msg(150)).unwrap(); // 250
        q.produce_next(now, 100).unwrap(); // 150
        assert_eq!(events(&mut q), [SendQueueEvent::BufferedAmountLow(s)]);
    }

    #[test]
    fn default_threshold_fires_when_the_stream_drains() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(now, StreamId(1), msg(150)).unwrap();
        q.add(now, StreamId(2), msg(10)).unwrap();
        q.produce_next(now, 100).unwrap();
        assert_eq!(events(&mut q), []);
        drain(&mut q, now, 100);
        assert_eq!(
            events(&mut q),
            [
                SendQueueEvent::BufferedAmountLow(StreamId(1)),
                SendQueueEvent::BufferedAmountLow(StreamId(2))
            ]
        );
    }

    #[test]
    fn undelivered_events_coalesce() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        for _ in 0..100 {
            q.add(now, StreamId(1), msg(10)).unwrap();
            q.produce_next(now, 100).unwrap();
        }
        assert_eq!(
            events(&mut q),
            [SendQueueEvent::BufferedAmountLow(StreamId(1))]
        );
    }

    #[test]
    fn expired_messages_are_dropped_before_sending_and_leave_no_ssn_gap() {
        let t0 = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(1);
        q.add(t0, s, msg(10)).unwrap();
        q.add(t0, s, msg(20).with_lifetime(ms(100))).unwrap();
        q.add(t0, s, msg(30).with_lifetime(ms(100))).unwrap();
        q.add(
            t0,
            s,
            msg(40).with_lifetime(ms(500)).with_max_retransmits(2),
        )
        .unwrap();
        let first = q.produce_next(t0, 100).unwrap();
        assert_eq!(first.data.ssn, Ssn(0));
        assert_eq!(first.expires_at, None);
        // At exactly the expiry instant a message is still alive...
        let later = t0 + ms(100);
        q.set_buffered_amount_low_threshold(s, 45);
        let f = q.produce_next(later, 100).unwrap();
        assert_eq!(f.data.payload.len(), 20);
        // ...one tick after, it is gone.
        let f = q.produce_next(later + ms(1), 100).unwrap();
        assert_eq!(f.data.payload.len(), 40);
        assert_eq!(f.data.ssn, Ssn(2));
        assert_eq!(f.max_retransmits, Some(2));
        assert_eq!(f.expires_at, Some(t0 + ms(500)));
        assert_eq!(
            events(&mut q),
            [
                SendQueueEvent::MessagesExpired {
                    stream_id: s,
                    count: 1
                },
                SendQueueEvent::BufferedAmountLow(s)
            ]
        );
        assert_eq!(q.total_buffered_amount(), 0);
        assert_eq!(q.queued_messages(), 0);
    }

    #[test]
    fn a_started_message_is_never_expired_by_the_queue() {
        let t0 = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(t0, StreamId(1), msg(300).with_lifetime(ms(10)))
            .unwrap();
        q.produce_next(t0, 100).unwrap();
        let rest = drain(&mut q, t0 + ms(1000), 100);
        assert_eq!(rest.len(), 2);
        assert!(rest[1].data.is_end);
    }

    #[test]
    fn an_expired_only_stream_yields_to_the_next() {
        let t0 = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        for _ in 0..5 {
            q.add(t0, StreamId(1), msg(10).with_lifetime(ms(1)))
                .unwrap();
        }
        q.add(t0, StreamId(2), msg(10)).unwrap();
        let f = q.produce_next(t0 + ms(2), 100).unwrap();
        assert_eq!(f.data.stream_id, StreamId(2));
        assert_eq!(
            events(&mut q),
            [
                SendQueueEvent::MessagesExpired {
                    stream_id: StreamId(1),
                    count: 5
                },
                SendQueueEvent::BufferedAmountLow(StreamId(1)),
                SendQueueEvent::BufferedAmountLow(StreamId(2)),
            ]
        );
        assert!(!q.has_data());
    }

    #[test]
    fn without_interleaving_a_started_message_finishes_first() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(now, StreamId(5), msg(300)).unwrap();
        assert_eq!(
            q.produce_next(now, 100).unwrap().data.stream_id,
            StreamId(5)
        );
        // A lower stream id arrives: round robin would pick it, but stream 5's
        // message is in progress and DATA fragments must be TSN-contiguous.
        q.add(now, StreamId(1), msg(10)).unwrap();
        let streams: Vec<u16> = drain(&mut q, now, 100)
            .iter()
            .map(|f| f.data.stream_id.0)
            .collect();
        assert_eq!(streams, [5, 5, 1]);
    }

    #[test]
    fn zero_max_payload_produces_nothing() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(now, StreamId(1), msg(10)).unwrap();
        assert_eq!(q.produce_next(now, 0), None);
        assert_eq!(q.buffered_amount(StreamId(1)), 10);
    }

    #[test]
    fn reset_drains_what_was_queued_then_restarts_sequences() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(1);
        q.add(now, s, msg(10)).unwrap();
        q.add(now, s, msg(250)).unwrap();
        q.add(now, s, msg(10)).unwrap();
        q.produce_next(now, 100).unwrap(); // SSN 0
        q.produce_next(now, 100).unwrap(); // SSN 1, first fragment
        q.prepare_reset(&[s]).unwrap();
        assert_eq!(q.add(now, s, msg(5)), Err(SendError::StreamResetting(s)));
        assert!(!q.has_streams_ready_to_reset());
        assert_eq!(
            q.commit_reset(&[s]),
            Err(StreamStateError::MessageInProgress(s))
        );
        // Everything queued before the reset still goes out, in order.
        let rest = drain(&mut q, now, 100);
        assert_eq!(rest.len(), 3);
        assert!(rest[1].data.is_end);
        assert_eq!(rest[2].data.ssn, Ssn(2));
        assert_eq!(q.buffered_amount(s), 0);
        assert!(q.has_streams_ready_to_reset());
        assert_eq!(q.streams_ready_to_reset(), [s]);
        q.commit_reset(&[s]).unwrap();
        assert!(!q.has_streams_ready_to_reset());
        q.add(now, s, msg(5)).unwrap();
        assert_eq!(q.produce_next(now, 100).unwrap().data.ssn, Ssn(0));
    }

    #[test]
    fn reset_of_idata_streams_restarts_both_mid_sequences() {
        let now = Instant::now();
        let mut q = interleaved();
        let s = StreamId(9);
        q.add(now, s, msg(10)).unwrap();
        q.add(now, s, msg(10).with_unordered(true)).unwrap();
        drain(&mut q, now, 100);
        q.prepare_reset(&[s]).unwrap();
        q.commit_reset(&[s]).unwrap();
        q.add(now, s, msg(10).with_unordered(true)).unwrap();
        q.add(now, s, msg(10)).unwrap();
        let mids: Vec<u32> = drain(&mut q, now, 100)
            .iter()
            .map(|f| f.data.mid.0)
            .collect();
        assert_eq!(mids, [0, 0]);
    }

    #[test]
    fn rollback_resumes_without_resetting() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(1);
        q.add(now, s, msg(10)).unwrap();
        q.produce_next(now, 100).unwrap();
        q.add(now, s, msg(10)).unwrap();
        q.prepare_reset(&[s, StreamId(2)]).unwrap();
        assert_eq!(q.streams_ready_to_reset(), [StreamId(2)]);
        assert_eq!(q.produce_next(now, 100).unwrap().data.ssn, Ssn(1));
        assert!(!q.has_data());
        assert_eq!(q.streams_ready_to_reset(), [s, StreamId(2)]);
        q.rollback_reset(&[s, StreamId(2)]).unwrap();
        q.add(now, s, msg(10)).unwrap();
        assert_eq!(q.produce_next(now, 100).unwrap().data.ssn, Ssn(2));
        assert_eq!(q.streams_ready_to_reset(), []);
    }

    #[test]
    fn reset_misuse_changes_nothing() {
        let mut q = SendQueue::new(1 << 20);
        q.prepare_reset(&[StreamId(1)]).unwrap();
        assert_eq!(
            q.prepare_reset(&[StreamId(2), StreamId(1)]),
            Err(StreamStateError::AlreadyResetting(StreamId(1)))
        );
        assert_eq!(q.streams_ready_to_reset(), [StreamId(1)]);
        assert_eq!(
            q.commit_reset(&[StreamId(1), StreamId(3)]),
            Err(StreamStateError::NotResetting(StreamId(3)))
        );
        assert_eq!(
            q.rollback_reset(&[StreamId(3)]),
            Err(StreamStateError::NotResetting(StreamId(3)))
        );
        assert_eq!(q.streams_ready_to_reset(), [StreamId(1)]);
        q.commit_reset(&[StreamId(1)]).unwrap();
        assert_eq!(
            q.commit_reset(&[StreamId(1)]),
            Err(StreamStateError::NotResetting(StreamId(1)))
        );
        // A reset stream in default state leaves no entry behind.
        assert!(q.streams.is_empty());
    }

    #[test]
    fn discard_drops_queued_and_partial_messages() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(1);
        q.add(now, s, msg(300)).unwrap();
        q.add(now, s, msg(10)).unwrap();
        q.add(now, StreamId(2), msg(10)).unwrap();
        q.produce_next(now, 100).unwrap();
        assert_eq!(q.discard(s), 2);
        assert_eq!(q.buffered_amount(s), 0);
        assert_eq!(q.total_buffered_amount(), 10);
        assert_eq!(q.queued_messages(), 1);
        assert_eq!(events(&mut q), [SendQueueEvent::BufferedAmountLow(s)]);
        // The pin is released: stream 2 goes next.
        assert_eq!(
            q.produce_next(now, 100).unwrap().data.stream_id,
            StreamId(2)
        );
        assert_eq!(q.discard(StreamId(42)), 0);
    }

    /// A full buffer of small messages is one entry each: they stay small.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_queued_message_takes_56_bytes() {
        assert_eq!(size_of::<QueuedMessage>(), 56);
    }

    #[test]
    fn abandon_drops_the_unsent_rest_of_a_started_message() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        let s = StreamId(1);
        q.add(now, s, msg(300).with_max_retransmits(0)).unwrap();
        q.add(now, s, msg(10)).unwrap();
        let queued = q.produce_next(now, 100).unwrap().message_id;
        assert!(!q.abandon_message(StreamId(2), queued));
        assert!(q.abandon_message(s, queued));
        assert_eq!(q.buffered_amount(s), 10);
        let f = q.produce_next(now, 100).unwrap();
        assert_ne!(f.message_id, queued);
        assert!(f.data.is_beginning);
        assert!(!q.abandon_message(s, queued));
        assert!(
            !q.abandon_message(s, f.message_id),
            "the message was sent whole"
        );
    }

    #[test]
    fn interleaving_switch_waits_for_partial_messages() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 20);
        q.add(now, StreamId(1), msg(200)).unwrap();
        q.produce_next(now, 100).unwrap();
        assert_eq!(
            q.set_interleaving(true),
            Err(StreamStateError::MessageInProgress(StreamId(1)))
        );
        assert!(!q.interleaving());
        q.produce_next(now, 100).unwrap();
        q.set_interleaving(true).unwrap();
        q.add(now, StreamId(1), msg(10)).unwrap();
        let f = q.produce_next(now, 100).unwrap();
        assert_eq!((f.data.ssn, f.data.mid), (Ssn(0), Mid(0)));
    }

    #[test]
    fn priorities_are_validated_and_remembered() {
        let mut q = SendQueue::new(1 << 20);
        assert_eq!(
            q.set_priority(StreamId(1), 0),
            Err(StreamStateError::ZeroPriority)
        );
        assert_eq!(q.priority(StreamId(1)), DEFAULT_PRIORITY);
        q.set_priority(StreamId(1), 7).unwrap();
        assert_eq!(q.priority(StreamId(1)), 7);
        q.set_priority(StreamId(1), DEFAULT_PRIORITY).unwrap();
        assert!(q.streams.is_empty());
    }

    #[test]
    fn stream_entries_do_not_outlive_their_state() {
        let now = Instant::now();
        let mut q = SendQueue::new(1 << 24);
        // Touching streams without leaving state creates nothing.
        for s in 0..1000 {
            q.set_buffered_amount_low_threshold(StreamId(s), 0);
            assert_eq!(q.buffered_amount(StreamId(s)), 0);
        }
        assert!(q.streams.is_empty());
        // Unordered DATA messages leave no sequence state behind.
        for s in 0..1000 {
            q.add(now, StreamId(s), msg(10).with_unordered(true))
                .unwrap();
        }
        drain(&mut q, now, 100);
        events(&mut q);
        assert!(q.streams.is_empty());
        // A burst's queue capacity is returned once it drains.
        for _ in 0..1000 {
            q.add(now, StreamId(1), msg(10)).unwrap();
        }
        drain(&mut q, now, 100);
        assert!(q.streams[&StreamId(1)].queue.capacity() <= RETAINED_QUEUE_CAPACITY);
    }
}
