//! [`DataChannel`]: W3C `RTCDataChannel` as a cheap cloneable handle.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sanderling_datachannel::{ChannelConfig, Message, ReadyState};
use sanderling_rtc::ChannelHandle;
use tokio::sync::Notify;

use crate::error::Error;
use crate::shared::{ChannelEntry, ChannelInfo, ConnRef, State};

/// W3C `RTCDataChannelInit`: how to create a channel.
///
/// ```
/// use std::time::Duration;
/// use sanderling::DataChannelInit;
/// // Unordered, each message given up after 100 ms.
/// let game = DataChannelInit {
///     ordered: false,
///     max_packet_life_time: Some(Duration::from_millis(100)),
///     protocol: "game-protocol".into(),
///     ..Default::default()
/// };
/// // Agreed out of band: both sides create it with id 7, no DCEP.
/// let control = DataChannelInit { negotiated: true, id: Some(7), ..Default::default() };
/// # let _ = (game, control);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataChannelInit {
    /// Deliver messages in order (default `true`).
    pub ordered: bool,
    /// Give a message up after this long (partial reliability).
    /// Exclusive with `max_retransmits`.
    pub max_packet_life_time: Option<Duration>,
    /// Give a message up after this many retransmissions. Exclusive with
    /// `max_packet_life_time`.
    pub max_retransmits: Option<u16>,
    /// The sub-protocol name.
    pub protocol: String,
    /// The application agreed on the channel with the peer out of band:
    /// both sides create it with the same `id`, nothing is signalled.
    pub negotiated: bool,
    /// The stream id of a negotiated channel (0..=65534). Ignored unless
    /// `negotiated`, as in W3C.
    pub id: Option<u16>,
}

impl Default for DataChannelInit {
    fn default() -> Self {
        Self {
            ordered: true,
            max_packet_life_time: None,
            max_retransmits: None,
            protocol: String::new(),
            negotiated: false,
            id: None,
        }
    }
}

impl DataChannelInit {
    /// The core's configuration, checked as W3C `createDataChannel` checks
    /// (`TypeError` for every rule).
    pub(crate) fn to_config(&self, label: String) -> Result<ChannelConfig, Error> {
        if self.max_packet_life_time.is_some() && self.max_retransmits.is_some() {
            return Err(Error::Type(
                "maxRetransmits and maxPacketLifeTime cannot both be set".into(),
            ));
        }
        if self.negotiated && self.id.is_none() {
            return Err(Error::Type("a negotiated data channel needs an id".into()));
        }
        if self.negotiated && self.id == Some(u16::MAX) {
            return Err(Error::Type("data channel id 65535 is out of range".into()));
        }
        if self
            .max_packet_life_time
            .is_some_and(|d| d.as_millis() > u128::from(u32::MAX))
        {
            return Err(Error::Type("maxPacketLifeTime is too large".into()));
        }
        let config = ChannelConfig {
            protocol: self.protocol.clone(),
            ordered: self.ordered,
            max_retransmits: self.max_retransmits,
            max_packet_lifetime: self.max_packet_life_time,
            negotiated: if self.negotiated { self.id } else { None },
            ..ChannelConfig::new(label)
        };
        config.validate()?;
        Ok(config)
    }
}

/// What happens on a channel (W3C event names in Rust case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataChannelEvent {
    /// `open`: messages can be sent.
    Open,
    /// `message`.
    Message(Message),
    /// `bufferedamountlow`: the buffered amount fell to the threshold.
    BufferedAmountLow,
    /// `error`: something went wrong on the channel (bad data from the
    /// peer, a refused close); the channel carries on.
    Error(String),
    /// `closing`: the peer started closing the channel.
    Closing,
    /// `close`: the channel is closed.
    Close,
}

/// W3C `RTCDataChannel`: a cheap handle (clone it freely). Dropping the
/// last handle closes the channel.
///
/// Receiving: events and messages wait in one queue per channel, in
/// order. [`recv`](Self::recv) takes the next message (leaving other
/// events for [`events`](Self::events)); [`events`](Self::events) takes
/// everything. Flow control is SCTP's: a message keeps occupying the
/// connection's receive window
/// ([`Configuration::receive_buffer_size`](crate::Configuration::receive_buffer_size))
/// until the application takes it, so a reader that falls behind slows
/// the peer's sender instead of growing memory, and the connection stays
/// up however long it pauses. The window is shared by the connection's
/// channels: an unread channel holds back the others once it fills it.
/// Read every channel you accept, or drop it (a dropped channel is closed
/// and its messages are discarded).
#[derive(Clone)]
pub struct DataChannel {
    inner: Arc<Inner>,
}

struct Inner {
    conn: ConnRef,
    handle: ChannelHandle,
    info: Arc<ChannelInfo>,
    notify: Arc<Notify>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let shared = &self.conn.0;
        let mut st = shared.lock();
        st.detach(self.handle);
        let state = st.channels.get(&self.handle).map(|e| e.state);
        let close = matches!(state, Some(ReadyState::Connecting | ReadyState::Open)) && !st.closed;
        if state == Some(ReadyState::Closed) {
            st.channels.remove(&self.handle);
        }
        if close {
            let _ = st.peer.close_channel(Instant::now(), self.handle);
            if let Some(entry) = st.channels.get_mut(&self.handle) {
                entry.state = ReadyState::Closing;
            }
            st.drain_events();
        }
        let wake = std::mem::take(&mut st.window_update) || close;
        drop(st);
        if wake {
            shared.wake_driver();
        }
    }
}

impl fmt::Debug for DataChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataChannel")
            .field("label", &self.inner.info.label)
            .field("id", &self.id())
            .field("ready_state", &self.ready_state())
            .finish()
    }
}

impl DataChannel {
    pub(crate) fn from_entry(conn: ConnRef, handle: ChannelHandle, entry: &ChannelEntry) -> Self {
        Self {
            inner: Arc::new(Inner {
                conn,
                handle,
                info: entry.info.clone(),
                notify: entry.notify.clone(),
            }),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State, ChannelHandle) -> T) -> T {
        let mut st = self.inner.conn.0.lock();
        f(&mut st, self.inner.handle)
    }

    /// W3C `label`.
    pub fn label(&self) -> &str {
        &self.inner.info.label
    }

    /// W3C `protocol`.
    pub fn protocol(&self) -> &str {
        &self.inner.info.protocol
    }

    /// W3C `ordered`.
    pub fn ordered(&self) -> bool {
        self.inner.info.ordered
    }

    /// W3C `maxPacketLifeTime`.
    pub fn max_packet_life_time(&self) -> Option<Duration> {
        self.inner.info.max_packet_life_time
    }

    /// W3C `maxRetransmits`.
    pub fn max_retransmits(&self) -> Option<u16> {
        self.inner.info.max_retransmits
    }

    /// W3C `negotiated`.
    pub fn negotiated(&self) -> bool {
        self.inner.info.negotiated
    }

    /// W3C `id`: the SCTP stream id, `None` until the DTLS role is known
    /// (for channels created before the connection is up).
    pub fn id(&self) -> Option<u16> {
        self.with(|st, h| {
            let id = st.peer.channel_stream_id(h);
            id.or_else(|| st.channels.get(&h).and_then(|e| e.id))
        })
    }

    /// W3C `readyState`.
    pub fn ready_state(&self) -> ReadyState {
        self.with(|st, h| st.channels.get(&h).map_or(ReadyState::Closed, |e| e.state))
    }

    /// W3C `bufferedAmount`: bytes given to [`send`](Self::send) and not
    /// yet sent on the network once.
    pub fn buffered_amount(&self) -> usize {
        self.with(|st, h| st.peer.buffered_amount(h))
    }

    /// W3C `bufferedAmountLowThreshold` (0 by default).
    pub fn buffered_amount_low_threshold(&self) -> usize {
        self.with(|st, h| st.peer.buffered_amount_low_threshold(h))
    }

    /// Sets W3C `bufferedAmountLowThreshold`: a
    /// [`DataChannelEvent::BufferedAmountLow`] fires when the buffered
    /// amount falls from above it to at or below it.
    pub fn set_buffered_amount_low_threshold(&self, bytes: usize) {
        self.with(|st, h| st.peer.set_buffered_amount_low_threshold(h, bytes));
    }

    /// W3C `send`: queues a message (text: `&str`/`String`; binary:
    /// `Bytes`/`Vec<u8>`) and returns at once; the buffered amount grows
    /// until it is on the network.
    ///
    /// Errors, and nothing is sent: `InvalidStateError` when the channel is
    /// not open, `TypeError` when the message is larger than the peer's
    /// maximum message size, `OperationError` when the send buffer is full
    /// (use [`send_wait`](Self::send_wait) to pace).
    pub fn send(&self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        self.with(|st, h| Self::send_locked(st, h, message))?;
        self.inner.conn.0.wake_driver();
        Ok(())
    }

    fn send_locked(st: &mut State, h: ChannelHandle, message: Message) -> Result<(), Error> {
        if st.closed {
            return Err(Error::closed());
        }
        match st.channels.get(&h).map(|e| e.state) {
            Some(ReadyState::Open) => {}
            _ => return Err(Error::InvalidState("the data channel is not open".into())),
        }
        st.peer.send(Instant::now(), h, message)?;
        Ok(())
    }

    /// Sends like [`send`](Self::send), after waiting while the buffered
    /// amount is above the low threshold: a sender that loops over
    /// `send_wait` keeps at most about the threshold plus one message
    /// queued, whatever the link's speed.
    pub async fn send_wait(&self, message: impl Into<Message>) -> Result<(), Error> {
        let mut message = Some(message.into());
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let sent = self.with(|st, h| {
                if st.peer.buffered_amount(h) > st.peer.buffered_amount_low_threshold(h)
                    && st.channels.get(&h).map(|e| e.state) == Some(ReadyState::Open)
                    && !st.closed
                {
                    return None;
                }
                let m = message
                    .take()
                    .unwrap_or_else(|| Message::Binary(Default::default()));
                Some(Self::send_locked(st, h, m))
            });
            match sent {
                Some(result) => {
                    result?;
                    self.inner.conn.0.wake_driver();
                    return Ok(());
                }
                None => notified.await,
            }
        }
    }

    /// W3C `close`: the channel goes to `Closing` at once; what was queued
    /// is still sent, then the stream is reset and
    /// [`DataChannelEvent::Close`] follows on both sides. Idempotent.
    pub fn close(&self) {
        let changed = self.with(|st, h| {
            let Some(entry) = st.channels.get_mut(&h) else {
                return false;
            };
            if !matches!(entry.state, ReadyState::Connecting | ReadyState::Open) || st.closed {
                return false;
            }
            entry.state = ReadyState::Closing;
            let _ = st.peer.close_channel(Instant::now(), h);
            st.drain_events();
            true
        });
        if changed {
            self.inner.notify.notify_waiters();
            self.inner.conn.0.wake_driver();
        }
    }

    /// Waits until `f` (called under the lock) gives a value.
    async fn wait<T>(&self, mut f: impl FnMut(&mut State, ChannelHandle) -> Option<T>) -> T {
        // What is already there is taken without registering as a waiter
        // (the notifier's own lock, once per message otherwise).
        if let Some(v) = self.take_now(&mut f) {
            return v;
        }
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(v) = self.take_now(&mut f) {
                return v;
            }
            notified.await;
        }
    }

    /// Calls `f` under the lock once.
    fn take_now<T>(&self, f: &mut impl FnMut(&mut State, ChannelHandle) -> Option<T>) -> Option<T> {
        let (value, wake) = {
            let mut st = self.inner.conn.0.lock();
            let value = f(&mut st, self.inner.handle);
            (value, std::mem::take(&mut st.window_update))
        };
        if wake {
            // Reading reopened the receive window: tell the peer now.
            self.inner.conn.0.wake_driver();
        }
        value
    }

    /// The next message, in order; `None` once the channel is closed and
    /// every message was taken. Other events stay queued for
    /// [`events`](Self::events).
    pub async fn recv(&self) -> Option<Message> {
        self.wait(|st, h| st.take_message(h)).await
    }

    /// The channel's events and messages, in order.
    pub fn events(&self) -> DataChannelEvents {
        DataChannelEvents {
            channel: self.clone(),
        }
    }

    /// Waits until the channel is open. `InvalidStateError` if it closes
    /// first.
    pub async fn opened(&self) -> Result<(), Error> {
        self.wait(|st, h| match st.channels.get(&h).map(|e| e.state) {
            Some(ReadyState::Open) => Some(Ok(())),
            Some(ReadyState::Connecting) => None,
            _ => Some(Err(Error::InvalidState(
                "the data channel closed before it opened".into(),
            ))),
        })
        .await
    }

    /// Waits until the channel is closed.
    pub async fn closed(&self) {
        self.wait(|st, h| match st.channels.get(&h).map(|e| e.state) {
            Some(ReadyState::Closed) | None => Some(()),
            _ => None,
        })
        .await;
    }
}

/// The events of one channel ([`DataChannel::events`]).
#[derive(Debug)]
pub struct DataChannelEvents {
    channel: DataChannel,
}

impl DataChannelEvents {
    /// The next event; `None` after [`DataChannelEvent::Close`] was taken.
    pub async fn recv(&mut self) -> Option<DataChannelEvent> {
        self.channel.wait(|st, h| st.take_event(h)).await
    }
}
