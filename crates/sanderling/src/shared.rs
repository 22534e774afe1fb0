//! The state the handles and the driver share: one lock around the peer
//! core and the queues the driver fills for the application.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sanderling_datachannel::{Message, ReadyState};
use sanderling_ice::GatheringState;
use sanderling_rtc::{ChannelHandle, Peer, PeerEvent};
use tokio::sync::Notify;

use crate::config::Configuration;
use crate::data_channel::DataChannelEvent;
use crate::description::IceCandidate;
use crate::handle_map::HandleMap;
use crate::peer_connection::{IceCandidateError, PeerConnectionEvent};

/// Channel-level errors kept for the application at most; more are
/// logged and dropped (the peer decides how many happen).
const MAX_QUEUED_ERRORS: usize = 16;

/// Everything behind the handles of one connection.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Wakes the driver: the core has something to do (a user call) or a
    /// full receive queue has room again.
    pub(crate) wake: Notify,
    /// Wakes whoever waits for connection events.
    pub(crate) events: Notify,
    /// Live user handles (`PeerConnection` and `DataChannel` clones hold
    /// one each); the last one dropped closes the connection.
    refs: AtomicUsize,
    /// The configuration as given.
    pub(crate) config: Configuration,
    /// The certificate in use.
    pub(crate) certificate: sanderling_dtls::Certificate,
    /// The addresses of the bound sockets.
    pub(crate) local_addresses: Vec<std::net::SocketAddr>,
    /// What the kernel gave each socket.
    pub(crate) socket_buffers: Vec<crate::socket::SocketBuffers>,
}

impl Shared {
    pub(crate) fn new(
        peer: Peer,
        config: Configuration,
        certificate: sanderling_dtls::Certificate,
        local_addresses: Vec<std::net::SocketAddr>,
        socket_buffers: Vec<crate::socket::SocketBuffers>,
    ) -> Self {
        Self {
            state: Mutex::new(State {
                peer,
                closed: false,
                events: VecDeque::new(),
                channels: HandleMap::default(),
                gathering: GatheringState::New,
                local_mid: None,
                local_candidates: Vec::new(),
                gathering_done: false,
                ortc: OrtcStarted::default(),
                window_update: false,
                dirty: Vec::new(),
                events_pushed: false,
                turn_connects: Vec::new(),
                mdns_lookups: Vec::new(),
                turn_urls: Vec::new(),
            }),
            wake: Notify::new(),
            events: Notify::new(),
            refs: AtomicUsize::new(0),
            config,
            certificate,
            local_addresses,
            socket_buffers,
        }
    }

    /// The lock. Never held across an `.await`; a panic while holding it
    /// (a bug) poisons nothing we cannot go on with.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells the driver to run: output to flush, timers to re-read.
    pub(crate) fn wake_driver(&self) {
        self.wake.notify_one();
    }
}

/// A counted reference: the connection closes when the last one drops.
#[derive(Debug)]
pub(crate) struct ConnRef(pub(crate) Arc<Shared>);

impl ConnRef {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        shared.refs.fetch_add(1, Ordering::Relaxed);
        Self(shared)
    }
}

impl Clone for ConnRef {
    fn clone(&self) -> Self {
        Self::new(self.0.clone())
    }
}

impl Drop for ConnRef {
    fn drop(&mut self) {
        if self.0.refs.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.lock().close();
            self.0.wake_driver();
            self.0.events.notify_waiters();
        }
    }
}

/// What a channel was created with; never changes, read without the lock.
#[derive(Clone, Debug)]
pub(crate) struct ChannelInfo {
    pub(crate) label: String,
    pub(crate) protocol: String,
    pub(crate) ordered: bool,
    pub(crate) max_packet_life_time: Option<Duration>,
    pub(crate) max_retransmits: Option<u16>,
    pub(crate) negotiated: bool,
}

/// The connection's side of one channel.
#[derive(Debug)]
pub(crate) struct ChannelEntry {
    pub(crate) info: Arc<ChannelInfo>,
    /// Wakes everything waiting on the channel: messages, events, state,
    /// buffered amount.
    pub(crate) notify: Arc<Notify>,
    pub(crate) state: ReadyState,
    /// The stream id, kept after the core forgets a closed channel.
    pub(crate) id: Option<u16>,
    /// Events and messages not yet taken, in order.
    pub(crate) queue: VecDeque<DataChannelEvent>,
    /// The most the queue held since it was last empty.
    fill_peak: usize,
    pub(crate) low_queued: bool,
    pub(crate) errors_queued: usize,
    /// Every handle was dropped: messages are discarded.
    pub(crate) detached: bool,
    dirty: bool,
}

impl ChannelEntry {
    pub(crate) fn new(info: ChannelInfo, state: ReadyState) -> Self {
        Self {
            info: Arc::new(info),
            notify: Arc::new(Notify::new()),
            state,
            id: None,
            queue: VecDeque::new(),
            fill_peak: 0,
            low_queued: false,
            errors_queued: 0,
            detached: false,
            dirty: false,
        }
    }

    /// Takes the next message, leaving other events in place.
    fn take_message(&mut self) -> Option<Message> {
        let i = self
            .queue
            .iter()
            .position(|e| matches!(e, DataChannelEvent::Message(_)))?;
        let taken = match self.queue.remove(i) {
            Some(DataChannelEvent::Message(m)) => Some(m),
            _ => None,
        };
        self.trim_drained();
        taken
    }

    /// Takes the next event of any kind.
    fn take_event(&mut self) -> Option<DataChannelEvent> {
        let e = self.queue.pop_front()?;
        match &e {
            DataChannelEvent::BufferedAmountLow => self.low_queued = false,
            DataChannelEvent::Error(_) => self.errors_queued -= 1,
            _ => {}
        }
        self.trim_drained();
        Some(e)
    }

    pub(crate) fn push(&mut self, event: DataChannelEvent) {
        self.queue.push_back(event);
        self.fill_peak = self.fill_peak.max(self.queue.len());
    }

    /// A drained queue gives back what a burst made it grow to, half at
    /// each drain that used less than a quarter of it. A `VecDeque` keeps
    /// its capacity, and a window of small messages read late is tens of
    /// thousands of events (40 bytes each) that a channel would otherwise
    /// hold until it closes; halving only after light use keeps a steady
    /// stream from reallocating at every drain.
    fn trim_drained(&mut self) {
        if !self.queue.is_empty() {
            return;
        }
        let peak = std::mem::take(&mut self.fill_peak);
        let capacity = self.queue.capacity();
        if capacity > RETAINED_EVENT_CAPACITY && peak < capacity / 4 {
            self.queue
                .shrink_to((capacity / 2).max(RETAINED_EVENT_CAPACITY));
        }
    }
}

/// Capacity a drained channel queue shrinks no further than.
const RETAINED_EVENT_CAPACITY: usize = 16;

/// The ORTC layers started on a chain.
#[derive(Debug, Default)]
pub(crate) struct OrtcStarted {
    pub(crate) ice: bool,
    pub(crate) dtls: bool,
    pub(crate) sctp: bool,
}

/// A connection event as queued: a channel is queued by handle and becomes
/// a `DataChannel` when the application takes it.
#[derive(Debug)]
pub(crate) enum QueuedEvent {
    DataChannel(ChannelHandle),
    Other(PeerConnectionEvent),
}

/// Under the lock.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) peer: Peer,
    /// `close()` was called or the last handle dropped.
    pub(crate) closed: bool,
    pub(crate) events: VecDeque<QueuedEvent>,
    pub(crate) channels: HandleMap<ChannelEntry>,
    pub(crate) gathering: GatheringState,
    /// The media section's mid, for trickled candidates.
    pub(crate) local_mid: Option<String>,
    /// Every local candidate signalled, and whether gathering finished:
    /// `localDescription` shows them (W3C).
    pub(crate) local_candidates: Vec<String>,
    pub(crate) gathering_done: bool,
    /// Which ORTC layers have started.
    pub(crate) ortc: OrtcStarted,
    /// The application read enough for an SCTP window update: the driver
    /// should run.
    pub(crate) window_update: bool,
    /// Channels with something new since the last wake-up.
    dirty: Vec<ChannelHandle>,
    /// Connection events were queued since the last wake-up.
    events_pushed: bool,
    /// TURN relays over TCP or TLS whose connection the driver must open.
    pub(crate) turn_connects: Vec<(sanderling_rtc::RelayId, std::net::SocketAddr)>,
    /// mDNS names the driver must look up.
    pub(crate) mdns_lookups: Vec<String>,
    /// Each TURN server's URL as configured, by address and transport (for
    /// icecandidateerror).
    pub(crate) turn_urls: Vec<(std::net::SocketAddr, &'static str, String)>,
}

impl State {
    /// Closes the connection (W3C `close()`); idempotent.
    pub(crate) fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.peer.close();
        self.drain_events();
        for entry in self.channels.values_mut() {
            if entry.state != ReadyState::Closed {
                entry.state = ReadyState::Closed;
                entry.push(DataChannelEvent::Close);
            }
            entry.notify.notify_waiters();
        }
        self.wake_all();
    }

    /// Moves the core's events into the queues, then wakes whoever waits.
    pub(crate) fn drain_events(&mut self) {
        while let Some(e) = self.peer.poll_event() {
            self.dispatch(e);
        }
        self.wake_all();
    }

    /// The application takes channel `h`'s next message (`Some(None)`: the
    /// channel is closed and has none left; `None`: nothing yet). Its bytes
    /// go back to the SCTP receive window.
    pub(crate) fn take_message(&mut self, h: ChannelHandle) -> Option<Option<Message>> {
        let Some(entry) = self.channels.get_mut(&h) else {
            return Some(None);
        };
        match entry.take_message() {
            Some(m) => {
                self.window_update |= self.peer.release_received(&m);
                Some(Some(m))
            }
            None if entry.state == ReadyState::Closed => Some(None),
            None => None,
        }
    }

    /// Like [`take_message`](Self::take_message) for events of any kind.
    pub(crate) fn take_event(&mut self, h: ChannelHandle) -> Option<Option<DataChannelEvent>> {
        let Some(entry) = self.channels.get_mut(&h) else {
            return Some(None);
        };
        match entry.take_event() {
            Some(e) => {
                if let DataChannelEvent::Message(m) = &e {
                    self.window_update |= self.peer.release_received(m);
                }
                Some(Some(e))
            }
            None if entry.state == ReadyState::Closed => Some(None),
            None => None,
        }
    }

    /// Every handle of channel `h` is gone: its messages are discarded (and
    /// their window released), later ones too.
    pub(crate) fn detach(&mut self, h: ChannelHandle) {
        let Some(entry) = self.channels.get_mut(&h) else {
            return;
        };
        entry.detached = true;
        for e in std::mem::take(&mut entry.queue) {
            if let DataChannelEvent::Message(m) = e {
                self.window_update |= self.peer.release_received(&m);
            }
        }
        entry.low_queued = false;
        entry.errors_queued = 0;
    }

    /// Wakes the channels that got something (once per batch, not per
    /// message).
    fn wake_all(&mut self) {
        for h in self.dirty.drain(..) {
            if let Some(entry) = self.channels.get_mut(&h) {
                entry.dirty = false;
                entry.notify.notify_waiters();
            }
        }
    }

    /// Whether connection events were queued since the last call.
    pub(crate) fn take_events_pushed(&mut self) -> bool {
        std::mem::take(&mut self.events_pushed)
    }

    fn mark(&mut self, h: ChannelHandle) -> Option<&mut ChannelEntry> {
        let entry = self.channels.get_mut(&h)?;
        if !entry.dirty {
            entry.dirty = true;
            self.dirty.push(h);
        }
        Some(entry)
    }

    fn push_event(&mut self, e: QueuedEvent) {
        self.events.push_back(e);
        self.events_pushed = true;
    }

    /// One core event into the queues.
    fn dispatch(&mut self, e: PeerEvent) {
        match e {
            PeerEvent::IceCandidate(c) => {
                match &c {
                    Some(text) => self.local_candidates.push(text.clone()),
                    None => self.gathering_done = true,
                }
                let c = c.map(|candidate| IceCandidate {
                    candidate,
                    sdp_mid: self.local_mid.clone(),
                    sdp_m_line_index: Some(0),
                });
                self.push_event(QueuedEvent::Other(PeerConnectionEvent::IceCandidate(c)));
            }
            PeerEvent::IceGatheringState(s) => {
                self.gathering = s;
                self.push_event(QueuedEvent::Other(PeerConnectionEvent::IceGatheringState(
                    s,
                )));
            }
            PeerEvent::IceConnectionState(s) => self.push_event(QueuedEvent::Other(
                PeerConnectionEvent::IceConnectionState(s),
            )),
            PeerEvent::ConnectionState(s) => {
                self.push_event(QueuedEvent::Other(PeerConnectionEvent::ConnectionState(s)))
            }
            PeerEvent::SignalingState(s) => {
                self.push_event(QueuedEvent::Other(PeerConnectionEvent::SignalingState(s)))
            }
            PeerEvent::ResolveMdns(name) => {
                // Bounded by the agent's pending-name bound.
                self.mdns_lookups.push(name);
            }
            PeerEvent::ConnectTurnServer { relay, server } => {
                self.turn_connects.push((relay, server));
            }
            PeerEvent::IceCandidateError {
                server,
                transport,
                code,
                reason,
            } => {
                tracing::warn!(%server, transport, code, %reason, "TURN server gave no candidate");
                let url = self
                    .turn_urls
                    .iter()
                    .find(|(a, t, _)| *a == server && *t == transport)
                    .map_or_else(
                        || format!("turn:{server}?transport={transport}"),
                        |(_, _, u)| u.clone(),
                    );
                self.push_event(QueuedEvent::Other(PeerConnectionEvent::IceCandidateError(
                    IceCandidateError {
                        url,
                        address: server,
                        error_code: code,
                        error_text: reason,
                    },
                )));
            }
            PeerEvent::DataChannel(h) => {
                let Some(config) = self.peer.channel_config(h) else {
                    return;
                };
                let info = ChannelInfo {
                    label: config.label.clone(),
                    protocol: config.protocol.clone(),
                    ordered: config.ordered,
                    max_packet_life_time: config.max_packet_lifetime,
                    max_retransmits: config.max_retransmits,
                    negotiated: config.negotiated.is_some(),
                };
                // W3C: announced open; its open event follows.
                let mut entry = ChannelEntry::new(info, ReadyState::Open);
                entry.id = self.peer.channel_stream_id(h);
                entry.push(DataChannelEvent::Open);
                self.channels.insert(h, entry);
                self.push_event(QueuedEvent::DataChannel(h));
            }
            PeerEvent::ChannelOpen(h) => {
                let id = self.peer.channel_stream_id(h);
                if let Some(entry) = self.mark(h) {
                    entry.id = id.or(entry.id);
                    if entry.state == ReadyState::Connecting {
                        entry.state = ReadyState::Open;
                        entry.push(DataChannelEvent::Open);
                    }
                }
            }
            PeerEvent::ChannelMessage { channel, message } => {
                // No bound here: the SCTP window (released as the
                // application reads) bounds what can be waiting.
                match self.channels.get_mut(&channel) {
                    Some(entry) if !entry.detached => {
                        entry.push(DataChannelEvent::Message(message));
                        self.mark(channel);
                    }
                    _ => self.window_update |= self.peer.release_received(&message),
                }
            }
            PeerEvent::ChannelBufferedAmountLow(h) => {
                if let Some(entry) = self.mark(h)
                    && !entry.low_queued
                    && !entry.detached
                {
                    entry.low_queued = true;
                    entry.push(DataChannelEvent::BufferedAmountLow);
                }
            }
            PeerEvent::ChannelClosing(h) => {
                if let Some(entry) = self.mark(h)
                    && matches!(entry.state, ReadyState::Connecting | ReadyState::Open)
                {
                    entry.state = ReadyState::Closing;
                    entry.push(DataChannelEvent::Closing);
                }
            }
            PeerEvent::ChannelClosed(h) => {
                if let Some(entry) = self.mark(h)
                    && entry.state != ReadyState::Closed
                {
                    entry.state = ReadyState::Closed;
                    entry.push(DataChannelEvent::Close);
                }
                if self.channels.get(&h).is_some_and(|e| e.detached) {
                    self.channels.remove(&h);
                }
            }
            PeerEvent::ChannelError {
                channel: Some(h),
                reason,
            } => {
                if let Some(entry) = self.mark(h)
                    && entry.errors_queued < MAX_QUEUED_ERRORS
                    && !entry.detached
                {
                    entry.errors_queued += 1;
                    entry.push(DataChannelEvent::Error(reason));
                } else {
                    tracing::debug!(%reason, "data channel error dropped");
                }
            }
            PeerEvent::ChannelError {
                channel: None,
                reason,
            } => tracing::warn!(%reason, "transport error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn entry() -> ChannelEntry {
        ChannelEntry::new(
            ChannelInfo {
                label: "t".into(),
                protocol: String::new(),
                ordered: true,
                max_packet_life_time: None,
                max_retransmits: None,
                negotiated: false,
            },
            ReadyState::Open,
        )
    }

    fn fill_and_drain(e: &mut ChannelEntry, count: u32, by_message: bool) {
        for i in 0..count {
            e.push(DataChannelEvent::Message(Message::Binary(
                Bytes::copy_from_slice(&i.to_be_bytes()),
            )));
        }
        for i in 0..count {
            let m = if by_message {
                e.take_message()
            } else {
                match e.take_event() {
                    Some(DataChannelEvent::Message(m)) => Some(m),
                    _ => None,
                }
            };
            assert_eq!(
                m,
                Some(Message::Binary(Bytes::copy_from_slice(&i.to_be_bytes())))
            );
        }
    }

    /// After a burst, light use gives the queue's memory back, halving at
    /// each drain, down to a few events; a steady stream of bursts of one
    /// size keeps its ring.
    #[test]
    fn a_drained_queue_gives_back_its_burst() {
        for by_message in [true, false] {
            let mut e = entry();
            for _ in 0..3 {
                fill_and_drain(&mut e, 10_000, by_message);
            }
            let burst = e.queue.capacity();
            assert!(burst >= 10_000, "steady bursts keep their ring");
            let mut drains = 0;
            while e.queue.capacity() > RETAINED_EVENT_CAPACITY {
                fill_and_drain(&mut e, 1, by_message);
                drains += 1;
                assert!(
                    drains <= 12,
                    "capacity {} after {drains} drains",
                    e.queue.capacity()
                );
            }
            assert_eq!(e.queue.capacity(), RETAINED_EVENT_CAPACITY);
        }
    }
}
