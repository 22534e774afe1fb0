//! All data channels of one peer connection over one SCTP association:
//! DCEP to open them (RFC 8832), PPIDs to frame messages, stream resets to
//! close them (RFC 8831 §6.7).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use sanderling_sctp::association::{Association, SendError, SendOptions, SnapError};
use sanderling_sctp::event::{CloseReason, Event};
use sanderling_sctp::options::{OptionsError, SctpOptions};
use sanderling_sctp::rx::ReceivedMessage;
use sanderling_sctp::types::{Ppid, StreamId};

use crate::channel::{ChannelConfig, ChannelError, ChannelId, ReadyState};
use crate::dcep::{DcepMessage, OpenMessage, Reliability};
use crate::message::Message;
use crate::ppid;

/// Which DTLS role this side has; it decides the parity of the stream ids
/// we pick (RFC 8832 §6: the DTLS client uses even ids, the server odd).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtlsRole {
    /// DTLS client: even stream ids.
    Client,
    /// DTLS server: odd stream ids.
    Server,
}

/// What happened, for the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataChannelEvent {
    /// The SCTP association is up.
    Connected,
    /// A channel we created (or a negotiated one) is open.
    Open(ChannelId),
    /// The peer opened a channel (W3C `datachannel` event); it is open.
    IncomingChannel(ChannelId),
    /// A message arrived.
    Message {
        /// The channel.
        id: ChannelId,
        /// The message.
        message: Message,
    },
    /// The channel's buffered amount fell to its low threshold.
    BufferedAmountLow(ChannelId),
    /// The peer started closing the channel.
    Closing(ChannelId),
    /// The channel is closed; its id may be reused.
    Closed(ChannelId),
    /// A channel-level problem (bad DCEP, invalid UTF-8); the channel
    /// stays as it was.
    Error {
        /// The channel, if known.
        id: Option<ChannelId>,
        /// What happened.
        reason: String,
    },
    /// The association ended; every channel is closed.
    TransportClosed(CloseReason),
}

#[derive(Debug)]
struct Channel {
    config: ChannelConfig,
    state: ReadyState,
    /// The peer acknowledged our OPEN (or there was no DCEP): unordered
    /// delivery may start (RFC 8832 §6).
    acked: bool,
    /// We asked to reset our outgoing stream.
    outgoing_reset: bool,
    /// The peer confirmed our reset.
    outgoing_reset_done: bool,
    /// The peer reset its outgoing stream.
    incoming_reset: bool,
    /// A message arriving in deprecated partial pieces (PPID 52/54).
    partial: Option<(Ppid, BytesMut)>,
    /// The application sent on the channel since the last low event: only
    /// its data drains into a `bufferedamountlow`, never DCEP's OPEN or ACK
    /// (W3C counts application data only).
    sent_since_low: bool,
}

/// The data channels of one peer connection (sans-IO: wraps the
/// association and has the same shape).
#[derive(Debug)]
pub struct DataChannels {
    sctp: Association,
    role: DtlsRole,
    channels: BTreeMap<u16, Channel>,
    events: VecDeque<DataChannelEvent>,
    remote_max_message_size: usize,
    connected: bool,
}

impl DataChannels {
    /// Data channels over a new association with `options`, for the given
    /// DTLS role. `remote_max_message_size` is the peer's
    /// `a=max-message-size`. Fails if the SCTP options are invalid.
    pub fn new(
        now: Instant,
        options: SctpOptions,
        role: DtlsRole,
        remote_max_message_size: usize,
    ) -> Result<Self, OptionsError> {
        Ok(Self {
            sctp: Association::new(now, options)?,
            role,
            channels: BTreeMap::new(),
            events: VecDeque::new(),
            remote_max_message_size,
            connected: false,
        })
    }

    /// The association underneath (statistics, state).
    pub fn association(&self) -> &Association {
        &self.sctp
    }

    /// Opens the association (both WebRTC peers do).
    pub fn connect(&mut self, now: Instant) {
        self.sctp.connect(now);
        self.pump(now);
    }

    /// Opens the association from the peer's INIT as its description
    /// carried it (SNAP, `a=sctp-init`), once DTLS is up: the channels
    /// open at once, with no SCTP handshake. Fails, changing nothing, on
    /// an INIT the association refuses; [`connect`](Self::connect) still
    /// works then.
    pub fn connect_with_peer_init(&mut self, now: Instant, init: &[u8]) -> Result<(), SnapError> {
        self.sctp.connect_with_peer_init(now, init)?;
        self.pump(now);
        Ok(())
    }

    /// An SCTP packet from the peer (the payload of a DTLS record).
    pub fn handle_input(&mut self, now: Instant, packet: Bytes) {
        self.sctp.handle_input(now, packet);
        self.pump(now);
    }

    /// The next SCTP packet to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Bytes> {
        let p = self.sctp.poll_transmit(now);
        self.pump(now);
        p
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sctp.poll_timeout()
    }

    /// Handles expired timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.sctp.handle_timeout(now);
        self.pump(now);
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<DataChannelEvent> {
        self.events.pop_front()
    }

    /// Creates a channel (W3C `createDataChannel`). It opens when the
    /// association is up; an in-band channel sends DATA_CHANNEL_OPEN, a
    /// negotiated one uses the id the application chose on both sides.
    pub fn create_channel(
        &mut self,
        now: Instant,
        config: ChannelConfig,
    ) -> Result<ChannelId, ChannelError> {
        config.validate()?;
        let id = match config.negotiated {
            Some(id) => {
                if self.channels.contains_key(&id) {
                    return Err(ChannelError::IdInUse(id));
                }
                id
            }
            None => self.free_id()?,
        };
        let _ = self
            .sctp
            .set_stream_priority(StreamId(id), config.priority.max(1));
        let negotiated = config.negotiated.is_some();
        if !negotiated {
            let open = DcepMessage::Open(OpenMessage {
                ordered: config.ordered,
                reliability: reliability_of(&config),
                priority: config.priority,
                label: config.label.clone(),
                protocol: config.protocol.clone(),
            });
            let wire = open.to_bytes().map_err(|_| ChannelError::LabelTooLong)?;
            self.sctp
                .send(now, StreamId(id), ppid::DCEP, wire, SendOptions::default())
                .map_err(transport_error)?;
        }
        self.channels.insert(
            id,
            Channel {
                config,
                state: ReadyState::Connecting,
                acked: negotiated,
                outgoing_reset: false,
                outgoing_reset_done: false,
                incoming_reset: false,
                partial: None,
                sent_since_low: false,
            },
        );
        if self.connected {
            self.open(id);
        }
        Ok(ChannelId(id))
    }

    /// The lowest free id of our parity.
    fn free_id(&self) -> Result<u16, ChannelError> {
        let start = match self.role {
            DtlsRole::Client => 0,
            DtlsRole::Server => 1,
        };
        (start..u16::MAX)
            .step_by(2)
            .find(|id| !self.channels.contains_key(id))
            .ok_or(ChannelError::NoFreeId)
    }

    fn open(&mut self, id: u16) {
        if let Some(c) = self.channels.get_mut(&id)
            && c.state == ReadyState::Connecting
        {
            c.state = ReadyState::Open;
            self.events.push_back(DataChannelEvent::Open(ChannelId(id)));
        }
    }

    /// Sends a message on an open channel.
    pub fn send(
        &mut self,
        now: Instant,
        id: ChannelId,
        message: impl Into<Message>,
    ) -> Result<(), ChannelError> {
        let message = message.into();
        let c = self
            .channels
            .get(&id.0)
            .ok_or(ChannelError::UnknownChannel(id.0))?;
        if c.state != ReadyState::Open {
            return Err(ChannelError::NotOpen(id.0));
        }
        if message.len() > self.remote_max_message_size {
            return Err(ChannelError::MessageTooLarge {
                size: message.len(),
                max: self.remote_max_message_size,
            });
        }
        // Until the peer has acknowledged the OPEN, messages go ordered so
        // none can overtake it (RFC 8832 §6).
        let options = SendOptions {
            unordered: !c.config.ordered && c.acked,
            max_retransmits: c.config.max_retransmits,
            lifetime: c.config.max_packet_lifetime,
        };
        let (ppid, payload) = message.into_wire();
        self.sctp
            .send(now, StreamId(id.0), ppid, payload, options)
            .map_err(transport_error)?;
        if let Some(c) = self.channels.get_mut(&id.0) {
            c.sent_since_low = true;
        }
        Ok(())
    }

    /// Closes a channel (W3C `close()`): what was queued is sent first, then
    /// the stream is reset; [`DataChannelEvent::Closed`] follows once the
    /// peer has reset its side too.
    pub fn close(&mut self, now: Instant, id: ChannelId) -> Result<(), ChannelError> {
        let c = self
            .channels
            .get_mut(&id.0)
            .ok_or(ChannelError::UnknownChannel(id.0))?;
        match c.state {
            ReadyState::Closing | ReadyState::Closed => return Ok(()),
            ReadyState::Connecting | ReadyState::Open => c.state = ReadyState::Closing,
        }
        if !self.connected {
            // Nothing reached the peer: the channel just goes away.
            self.channels.remove(&id.0);
            self.events.push_back(DataChannelEvent::Closed(id));
            return Ok(());
        }
        self.reset_outgoing(now, id.0);
        Ok(())
    }

    /// Ends the association at once: an SCTP ABORT (User-Initiated Abort
    /// with `reason`) is queued for the peer and every channel closes
    /// ([`DataChannelEvent::Closed`] for each, then
    /// [`DataChannelEvent::TransportClosed`]). For W3C
    /// `RTCPeerConnection.close()`, and for when the DTLS transport
    /// underneath has closed or failed (the ABORT then has nothing to carry
    /// it and the caller drops it). Nothing happens if the association has
    /// already ended.
    pub fn abort(&mut self, now: Instant, reason: &str) {
        self.sctp.abort(now, reason);
        self.pump(now);
    }

    fn reset_outgoing(&mut self, now: Instant, id: u16) {
        if let Some(c) = self.channels.get_mut(&id)
            && !c.outgoing_reset
        {
            c.outgoing_reset = true;
            if let Err(e) = self.sctp.reset_streams(now, &[StreamId(id)]) {
                self.events.push_back(DataChannelEvent::Error {
                    id: Some(ChannelId(id)),
                    reason: format!("stream reset: {e}"),
                });
            }
        }
    }

    /// With [`SctpOptions::app_flow_control`]: the application has read
    /// `message` (one delivered by [`DataChannelEvent::Message`]), which
    /// frees its bytes of the receive window. Returns whether a window
    /// update is due (send with the next [`poll_transmit`](Self::poll_transmit)).
    /// Messages the application never sees (DCEP, data for unknown
    /// channels, invalid text) are released here by themselves.
    pub fn release(&mut self, message: &Message) -> bool {
        self.sctp.release_received(message.len().max(1), 1)
    }

    /// One SCTP message consumed here: its bytes go back to the window.
    fn consumed(&mut self, bytes: usize) {
        self.sctp.release_received(bytes, 1);
    }

    /// A channel's state, if it exists.
    pub fn ready_state(&self, id: ChannelId) -> Option<ReadyState> {
        self.channels.get(&id.0).map(|c| c.state)
    }

    /// A channel's configuration (label, protocol, reliability), if it exists.
    pub fn config(&self, id: ChannelId) -> Option<&ChannelConfig> {
        self.channels.get(&id.0).map(|c| &c.config)
    }

    /// The ids of all channels, in order.
    pub fn channel_ids(&self) -> impl Iterator<Item = ChannelId> + '_ {
        self.channels.keys().map(|&id| ChannelId(id))
    }

    /// Bytes queued on the channel and not yet sent (W3C `bufferedAmount`).
    pub fn buffered_amount(&self, id: ChannelId) -> usize {
        self.sctp.buffered_amount(StreamId(id.0))
    }

    /// W3C `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, bytes: usize) {
        self.sctp
            .set_buffered_amount_low_threshold(StreamId(id.0), bytes);
    }

    /// Moves association events into channel events.
    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.sctp.poll_event() {
            match e {
                Event::Connected => {
                    self.connected = true;
                    self.events.push_back(DataChannelEvent::Connected);
                    let ids: Vec<u16> = self.channels.keys().copied().collect();
                    for id in ids {
                        self.open(id);
                    }
                }
                Event::Message(m) => self.handle_message(now, m),
                Event::BufferedAmountLow(s) => {
                    if let Some(c) = self.channels.get_mut(&s.0)
                        && std::mem::take(&mut c.sent_since_low)
                    {
                        self.events
                            .push_back(DataChannelEvent::BufferedAmountLow(ChannelId(s.0)));
                    }
                }
                Event::IncomingStreamsReset(streams) => {
                    let ids: Vec<u16> = if streams.is_empty() {
                        self.channels.keys().copied().collect()
                    } else {
                        streams.iter().map(|s| s.0).collect()
                    };
                    for id in ids {
                        self.handle_incoming_reset(now, id);
                    }
                }
                Event::OutgoingStreamsReset(streams) => {
                    for s in streams {
                        if let Some(c) = self.channels.get_mut(&s.0) {
                            c.outgoing_reset_done = true;
                        }
                        self.maybe_closed(s.0);
                    }
                }
                Event::OutgoingStreamsResetFailed(streams) => {
                    for s in streams {
                        if let Some(c) = self.channels.get_mut(&s.0) {
                            // Try again on the next close.
                            c.outgoing_reset = false;
                        }
                        self.events.push_back(DataChannelEvent::Error {
                            id: Some(ChannelId(s.0)),
                            reason: "the peer refused the stream reset".into(),
                        });
                    }
                }
                Event::MessagesAbandoned { .. } => {}
                Event::Restarted => {}
                Event::Closed(reason) => {
                    for (&id, c) in &mut self.channels {
                        if c.state != ReadyState::Closed {
                            c.state = ReadyState::Closed;
                            self.events
                                .push_back(DataChannelEvent::Closed(ChannelId(id)));
                        }
                    }
                    self.channels.clear();
                    self.connected = false;
                    self.events
                        .push_back(DataChannelEvent::TransportClosed(reason));
                }
            }
        }
    }

    fn handle_incoming_reset(&mut self, now: Instant, id: u16) {
        let Some(c) = self.channels.get_mut(&id) else {
            return;
        };
        c.incoming_reset = true;
        if matches!(c.state, ReadyState::Open | ReadyState::Connecting) {
            c.state = ReadyState::Closing;
            self.events
                .push_back(DataChannelEvent::Closing(ChannelId(id)));
        }
        // The peer closed its direction: close ours (RFC 8831 §6.7).
        self.reset_outgoing(now, id);
        self.maybe_closed(id);
    }

    fn maybe_closed(&mut self, id: u16) {
        let Some(c) = self.channels.get(&id) else {
            return;
        };
        if c.incoming_reset && c.outgoing_reset_done {
            self.channels.remove(&id);
            self.events
                .push_back(DataChannelEvent::Closed(ChannelId(id)));
        }
    }

    fn handle_message(&mut self, now: Instant, m: ReceivedMessage) {
        let id = m.stream_id.0;
        let size = m.payload.len();
        if m.ppid == ppid::DCEP {
            self.consumed(size);
            self.handle_dcep(now, id, &m.payload);
            return;
        }
        let Some(c) = self.channels.get_mut(&id) else {
            self.sctp.release_received(size, 1);
            self.events.push_back(DataChannelEvent::Error {
                id: Some(ChannelId(id)),
                reason: "message on a stream without a channel".into(),
            });
            return;
        };
        if c.state == ReadyState::Closed {
            self.sctp.release_received(size, 1);
            return;
        }
        // Data from the peer proves it has the channel (an implicit ACK).
        c.acked = true;
        let max = self.sctp.options().max_message_size;
        let message = match m.ppid {
            ppid::STRING_PARTIAL | ppid::BINARY_PARTIAL => {
                let (_, buf) = c.partial.get_or_insert_with(|| (m.ppid, BytesMut::new()));
                // The pieces stay charged until the whole message is read
                // (its length is theirs summed).
                if buf.len() + m.payload.len() > max {
                    let dropped = buf.len() + size;
                    c.partial = None;
                    self.sctp.release_received(dropped, 1);
                    self.events.push_back(DataChannelEvent::Error {
                        id: Some(ChannelId(id)),
                        reason: "partial message exceeds the maximum message size".into(),
                    });
                } else {
                    buf.extend_from_slice(&m.payload);
                    // The piece is copied into the joined buffer: its
                    // per-message charge goes back now, its bytes when the
                    // whole message is read.
                    self.sctp.release_received(0, 1);
                }
                return;
            }
            ppid::STRING => {
                let bytes = match c.partial.take() {
                    Some((_, mut buf)) => {
                        buf.extend_from_slice(&m.payload);
                        buf.freeze()
                    }
                    None => m.payload,
                };
                let total = bytes.len();
                match String::from_utf8(Vec::from(bytes)) {
                    Ok(s) => Message::Text(s),
                    Err(_) => {
                        self.sctp.release_received(total, 1);
                        self.events.push_back(DataChannelEvent::Error {
                            id: Some(ChannelId(id)),
                            reason: "text message is not valid UTF-8".into(),
                        });
                        return;
                    }
                }
            }
            ppid::BINARY => match c.partial.take() {
                Some((_, mut buf)) => {
                    buf.extend_from_slice(&m.payload);
                    Message::Binary(buf.freeze())
                }
                None => Message::Binary(m.payload),
            },
            ppid::STRING_EMPTY => Message::Text(String::new()),
            ppid::BINARY_EMPTY => Message::Binary(Bytes::new()),
            other => {
                self.sctp.release_received(size, 1);
                self.events.push_back(DataChannelEvent::Error {
                    id: Some(ChannelId(id)),
                    reason: format!("unknown payload protocol identifier {}", other.0),
                });
                return;
            }
        };
        self.events.push_back(DataChannelEvent::Message {
            id: ChannelId(id),
            message,
        });
    }

    fn handle_dcep(&mut self, now: Instant, id: u16, payload: &[u8]) {
        match DcepMessage::parse(payload) {
            Ok(DcepMessage::Ack) => {
                if let Some(c) = self.channels.get_mut(&id) {
                    c.acked = true;
                }
            }
            Ok(DcepMessage::Open(open)) => {
                if self.channels.contains_key(&id) || id == u16::MAX {
                    self.events.push_back(DataChannelEvent::Error {
                        id: Some(ChannelId(id)),
                        reason: "DATA_CHANNEL_OPEN for a stream in use".into(),
                    });
                    return;
                }
                let config = ChannelConfig {
                    label: open.label,
                    protocol: open.protocol,
                    ordered: open.ordered,
                    max_retransmits: match open.reliability {
                        Reliability::MaxRetransmits(n) => {
                            Some(u16::try_from(n).unwrap_or(u16::MAX))
                        }
                        _ => None,
                    },
                    max_packet_lifetime: match open.reliability {
                        Reliability::MaxLifetimeMs(ms) => {
                            Some(Duration::from_millis(u64::from(ms)))
                        }
                        _ => None,
                    },
                    negotiated: None,
                    priority: open.priority,
                };
                let _ = self
                    .sctp
                    .set_stream_priority(StreamId(id), config.priority.max(1));
                let ack = DcepMessage::Ack.to_bytes().unwrap_or_default();
                if let Err(e) =
                    self.sctp
                        .send(now, StreamId(id), ppid::DCEP, ack, SendOptions::default())
                {
                    self.events.push_back(DataChannelEvent::Error {
                        id: Some(ChannelId(id)),
                        reason: format!("cannot acknowledge: {e}"),
                    });
                    return;
                }
                self.channels.insert(
                    id,
                    Channel {
                        config,
                        state: ReadyState::Open,
                        acked: true,
                        outgoing_reset: false,
                        outgoing_reset_done: false,
                        incoming_reset: false,
                        partial: None,
                        sent_since_low: false,
                    },
                );
                self.events
                    .push_back(DataChannelEvent::IncomingChannel(ChannelId(id)));
            }
            Err(e) => self.events.push_back(DataChannelEvent::Error {
                id: Some(ChannelId(id)),
                reason: format!("bad DCEP message: {e}"),
            }),
        }
    }
}

fn reliability_of(config: &ChannelConfig) -> Reliability {
    match (config.max_retransmits, config.max_packet_lifetime) {
        (Some(n), _) => Reliability::MaxRetransmits(u32::from(n)),
        (None, Some(l)) => {
            Reliability::MaxLifetimeMs(u32::try_from(l.as_millis()).unwrap_or(u32::MAX))
        }
        (None, None) => Reliability::Reliable,
    }
}

fn transport_error(e: SendError) -> ChannelError {
    match e {
        SendError::QueueFull => ChannelError::BufferFull,
        other => ChannelError::Transport(other.to_string()),
    }
}
