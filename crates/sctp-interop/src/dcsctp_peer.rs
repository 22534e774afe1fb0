//! [`SctpPeer`] for Google's `dcsctp` (the Rust port of WebRTC's dcSCTP).
//!
//! How the mapping works:
//! - dcsctp keeps its own timeline ([`SocketTime`], a duration since the
//!   socket's creation). The adapter takes the first `now` it is given as
//!   the socket's zero and converts both ways; before that first call the
//!   socket has no timers.
//! - Every call first advances the socket's clock to `now`
//!   ([`DcSctpSocket::advance_time`], which also fires due timers).
//! - dcsctp hands outgoing packets out as [`SocketEvent::SendPacket`] and
//!   received messages through a separate queue
//!   ([`DcSctpSocket::get_next_message`]); after every call the adapter
//!   sorts socket events into a packet queue and an event queue and then
//!   appends the ready messages.
//!
//! Supported (verified by the tests): simultaneous open, sending before the
//! association is up, any PPID, unordered, PR-SCTP (both policies), stream
//! reset of outgoing streams (the application reciprocates), I-DATA and zero
//! checksum (each negotiated only when both sides offer it).
//!
//! dcsctp draws verification tags and initial TSNs from `fastrand`'s
//! thread-local generator; [`crate::Pair`] seeds it, so dcsctp runs replay
//! exactly.
//!
//! Quirks of dcsctp 0.1.16 (verified by the tests and the benchmark):
//! - Every packet sent and received is formatted as hex text for its `log`
//!   output, whether or not a logger is installed (even with `log`'s
//!   `max_level_off`). In the benchmark that is most of dcsctp's CPU time.
//! - A message whose first fragment went out and whose remainder then
//!   expires (lifetime) in the send queue is dropped without abandoning the
//!   sent fragment: no FORWARD-TSN, so the receiver keeps the partial
//!   message and that ordered stream delivers nothing more.
//! - An incoming stream reset is only reported; answering it with a reset of
//!   the same outgoing stream (the data-channel close) is the application's
//!   job.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use bytes::Bytes;
use dcsctp::api::{
    DcSctpSocket, Message, Options, PpId, SendOptions, SocketEvent, SocketTime, StreamId,
    ZERO_CHECKSUM_ALTERNATE_ERROR_DETECTION_METHOD_LOWER_LAYER_DTLS,
};

use crate::peer::{Capabilities, Negotiated, OutMessage, PeerConfig, PeerEvent, SctpPeer};

/// A dcsctp socket behind [`SctpPeer`].
pub struct DcsctpPeer {
    socket: Box<dyn DcSctpSocket>,
    /// The instant that is the socket's `SocketTime::zero()`.
    epoch: Option<Instant>,
    packets: VecDeque<Bytes>,
    events: VecDeque<PeerEvent>,
    /// Drop `OnError` events: set while handling a `send` that failed, whose
    /// error dcsctp reports both as the return value and as an event.
    mute_errors: bool,
}

impl fmt::Debug for DcsctpPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DcsctpPeer")
            .field("state", &self.socket.state())
            .field("queued_packets", &self.packets.len())
            .field("queued_events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl DcsctpPeer {
    /// A socket configured from `config` with dcsctp's defaults otherwise.
    pub fn new(config: &PeerConfig) -> Self {
        let mut options = Options {
            local_port: config.local_port,
            remote_port: config.remote_port,
            mtu: config.mtu,
            max_message_size: config.max_message_size,
            enable_message_interleaving: config.interleaving,
            ..Options::default()
        };
        if let Some(window) = config.receive_window {
            options.max_receiver_window_buffer_size = window;
        }
        // The receive buffer must hold a whole message being reassembled.
        options.max_receiver_window_buffer_size = options
            .max_receiver_window_buffer_size
            .max(config.max_message_size + config.mtu * 4);
        if config.zero_checksum {
            options.zero_checksum_alternate_error_detection_method =
                ZERO_CHECKSUM_ALTERNATE_ERROR_DETECTION_METHOD_LOWER_LAYER_DTLS;
        }
        Self::with_options(&options)
    }

    /// A socket with exactly these dcsctp options, for knobs
    /// [`PeerConfig`] does not have.
    pub fn with_options(options: &Options) -> Self {
        Self {
            socket: dcsctp::new_socket("dcsctp", options),
            epoch: None,
            packets: VecDeque::new(),
            events: VecDeque::new(),
            mute_errors: false,
        }
    }

    /// The underlying socket, e.g. for its metrics.
    pub fn socket(&self) -> &dyn DcSctpSocket {
        self.socket.as_ref()
    }

    fn socket_time(&mut self, now: Instant) -> SocketTime {
        let epoch = *self.epoch.get_or_insert(now);
        SocketTime::zero() + now.saturating_duration_since(epoch)
    }

    fn advance(&mut self, now: Instant) {
        let t = self.socket_time(now);
        self.socket.advance_time(t);
    }

    /// Moves everything the socket produced into the adapter's queues.
    fn pump(&mut self) {
        while let Some(event) = self.socket.poll_event() {
            match event {
                SocketEvent::SendPacket(p) => self.packets.push_back(Bytes::from(p)),
                SocketEvent::OnConnected() => self.events.push_back(PeerEvent::Connected),
                SocketEvent::OnClosed() => self.events.push_back(PeerEvent::Closed),
                SocketEvent::OnAborted(kind, reason) => {
                    self.events
                        .push_back(PeerEvent::Error(format!("aborted: {kind:?}: {reason}")));
                    self.events.push_back(PeerEvent::Closed);
                }
                SocketEvent::OnError(..) if self.mute_errors => {}
                SocketEvent::OnError(kind, reason) => {
                    self.events
                        .push_back(PeerEvent::Error(format!("{kind:?}: {reason}")));
                }
                SocketEvent::OnConnectionRestarted() => {
                    self.events
                        .push_back(PeerEvent::Error("connection restarted by peer".into()));
                }
                SocketEvent::OnIncomingStreamReset(streams) => {
                    self.events.push_back(PeerEvent::StreamsReset {
                        streams: streams.iter().map(|s| s.0).collect(),
                    });
                }
                SocketEvent::OnStreamsResetPerformed(streams) => {
                    self.events.push_back(PeerEvent::StreamsResetPerformed {
                        streams: streams.iter().map(|s| s.0).collect(),
                    });
                }
                SocketEvent::OnStreamsResetFailed(streams) => {
                    self.events.push_back(PeerEvent::Error(format!(
                        "stream reset failed: {streams:?}"
                    )));
                }
                SocketEvent::OnBufferedAmountLow(_)
                | SocketEvent::OnTotalBufferedAmountLow()
                | SocketEvent::OnLifecycleMessageFullySent(_)
                | SocketEvent::OnLifecycleMessageMaybeExpired(_)
                | SocketEvent::OnLifecycleMessageExpired(_)
                | SocketEvent::OnLifecycleMessageDelivered(_)
                | SocketEvent::OnLifecycleEnd(_) => {}
            }
        }
        while let Some(m) = self.socket.get_next_message() {
            self.events.push_back(PeerEvent::Message {
                stream: m.stream_id.0,
                ppid: m.ppid.0,
                payload: m.payload,
            });
        }
    }
}

impl SctpPeer for DcsctpPeer {
    fn name(&self) -> &'static str {
        "dcsctp"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            simultaneous_open: true,
            send_before_connected: true,
            arbitrary_ppid: true,
            unordered: true,
            partial_reliability: true,
            stream_reset: true,
            reciprocal_reset: false,
            interleaving: true,
            zero_checksum: true,
        }
    }

    fn connect(&mut self, now: Instant) {
        self.advance(now);
        self.socket.connect();
        self.pump();
    }

    fn handle_packet(&mut self, now: Instant, packet: Bytes) {
        self.advance(now);
        self.socket.handle_input(&packet);
        self.pump();
    }

    fn poll_packet(&mut self, now: Instant) -> Option<Bytes> {
        if self.packets.is_empty() {
            self.advance(now);
            self.pump();
        }
        self.packets.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        let epoch = self.epoch?;
        let t = self.socket.poll_timeout();
        (t != SocketTime::infinite_future()).then(|| epoch + (t - SocketTime::zero()))
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        self.pump();
    }

    fn send(&mut self, now: Instant, msg: OutMessage) -> Result<(), String> {
        self.advance(now);
        let options = SendOptions {
            unordered: msg.unordered,
            lifetime: msg.lifetime,
            max_retransmissions: msg.max_retransmits,
            lifecycle_id: None,
        };
        let message = Message::new(StreamId(msg.stream), PpId(msg.ppid), msg.payload);
        self.pump();
        let result = self
            .socket
            .send(message, &options)
            .map_err(|e| e.to_string());
        self.mute_errors = result.is_err();
        self.pump();
        self.mute_errors = false;
        result
    }

    fn poll_event(&mut self, now: Instant) -> Option<PeerEvent> {
        if self.events.is_empty() && self.epoch.is_some() {
            self.advance(now);
            self.pump();
        }
        self.events.pop_front()
    }

    fn reset_streams(&mut self, now: Instant, streams: &[u16]) -> Result<(), String> {
        self.advance(now);
        let ids: Vec<StreamId> = streams.iter().map(|&s| StreamId(s)).collect();
        let result = self.socket.reset_streams(&ids).map_err(|e| e.to_string());
        self.pump();
        result
    }

    fn buffered_amount(&mut self, stream: u16) -> usize {
        self.socket.buffered_amount(StreamId(stream))
    }

    fn negotiated(&self) -> Negotiated {
        self.socket
            .get_metrics()
            .map(|m| Negotiated {
                interleaving: m.uses_message_interleaving,
                zero_checksum: m.uses_zero_checksum,
            })
            .unwrap_or_default()
    }
}
