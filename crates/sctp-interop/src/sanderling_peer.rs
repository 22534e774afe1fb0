//! [`SctpPeer`] for our own association, `sanderling-sctp`.
//!
//! A thin mapping: the association already has the sans-IO shape. Seeds
//! come from a process-wide counter, so a test (one process per test under
//! nextest) replays exactly.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use sanderling_sctp::association::{Association, SendOptions};
use sanderling_sctp::event::{CloseReason, Event};
use sanderling_sctp::options::SctpOptions;
use sanderling_sctp::types::{Ppid, StreamId};

use crate::peer::{Capabilities, Negotiated, OutMessage, PeerConfig, PeerEvent, SctpPeer};

static NEXT_SEED: AtomicU64 = AtomicU64::new(1);

/// A `sanderling-sctp` association behind [`SctpPeer`].
#[derive(Debug)]
pub struct SanderlingPeer {
    config: SctpOptions,
    assoc: Option<Association>,
    events: VecDeque<PeerEvent>,
}

impl SanderlingPeer {
    /// An association configured from `config`; created at the first call
    /// that gives it a time.
    pub fn new(config: &PeerConfig) -> Self {
        let n = NEXT_SEED.fetch_add(1, Ordering::Relaxed);
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&n.to_le_bytes());
        seed[8..16].copy_from_slice(&0x5a4d_e41e_u64.to_le_bytes());
        let defaults = SctpOptions::default();
        let options = SctpOptions {
            local_port: config.local_port,
            remote_port: config.remote_port,
            mtu: config.mtu,
            max_message_size: config.max_message_size,
            max_receive_buffer: config.receive_window.unwrap_or(defaults.max_receive_buffer),
            enable_message_interleaving: config.interleaving,
            enable_zero_checksum: config.zero_checksum,
            seed,
            ..defaults
        };
        Self {
            config: options,
            assoc: None,
            events: VecDeque::new(),
        }
    }

    fn assoc(&mut self, now: Instant) -> &mut Association {
        let config = &self.config;
        self.assoc.get_or_insert_with(|| {
            Association::new(now, config.clone()).expect("PeerConfig maps to valid options")
        })
    }

    fn drain(&mut self) {
        let Some(a) = &mut self.assoc else { return };
        while let Some(e) = a.poll_event() {
            match e {
                Event::Connected => self.events.push_back(PeerEvent::Connected),
                Event::Message(m) => self.events.push_back(PeerEvent::Message {
                    stream: m.stream_id.0,
                    ppid: m.ppid.0,
                    // Zero-copy when the message buffer is not shared.
                    payload: Vec::from(m.payload),
                }),
                Event::IncomingStreamsReset(s) => self.events.push_back(PeerEvent::StreamsReset {
                    streams: s.iter().map(|s| s.0).collect(),
                }),
                Event::OutgoingStreamsReset(s) => {
                    self.events.push_back(PeerEvent::StreamsResetPerformed {
                        streams: s.iter().map(|s| s.0).collect(),
                    });
                }
                Event::OutgoingStreamsResetFailed(s) => {
                    self.events
                        .push_back(PeerEvent::Error(format!("stream reset refused: {s:?}")));
                }
                Event::Closed(CloseReason::Graceful | CloseReason::PeerAborted(_)) => {
                    self.events.push_back(PeerEvent::Closed);
                }
                Event::Closed(reason) => {
                    self.events
                        .push_back(PeerEvent::Error(format!("{reason:?}")));
                    self.events.push_back(PeerEvent::Closed);
                }
                Event::Restarted => {
                    self.events
                        .push_back(PeerEvent::Error("peer restarted".into()));
                }
                Event::BufferedAmountLow(_) | Event::MessagesAbandoned { .. } => {}
            }
        }
    }
}

impl SctpPeer for SanderlingPeer {
    fn name(&self) -> &'static str {
        "sanderling"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            simultaneous_open: true,
            send_before_connected: true,
            arbitrary_ppid: true,
            unordered: true,
            partial_reliability: true,
            stream_reset: true,
            // Closing the reverse direction is the data-channel layer's job.
            reciprocal_reset: false,
            interleaving: true,
            zero_checksum: true,
        }
    }

    fn connect(&mut self, now: Instant) {
        self.assoc(now).connect(now);
        self.drain();
    }

    fn handle_packet(&mut self, now: Instant, packet: Bytes) {
        self.assoc(now).handle_input(now, packet);
        self.drain();
    }

    fn poll_packet(&mut self, now: Instant) -> Option<Bytes> {
        let p = self.assoc(now).poll_transmit(now);
        self.drain();
        p
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.assoc.as_ref().and_then(Association::poll_timeout)
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.assoc(now).handle_timeout(now);
        self.drain();
    }

    fn send(&mut self, now: Instant, msg: OutMessage) -> Result<(), String> {
        let options = SendOptions {
            unordered: msg.unordered,
            max_retransmits: msg.max_retransmits,
            lifetime: msg.lifetime,
        };
        let r = self
            .assoc(now)
            .send(
                now,
                StreamId(msg.stream),
                Ppid(msg.ppid),
                Bytes::from(msg.payload),
                options,
            )
            .map_err(|e| e.to_string());
        self.drain();
        r
    }

    fn poll_event(&mut self, _now: Instant) -> Option<PeerEvent> {
        self.drain();
        self.events.pop_front()
    }

    fn reset_streams(&mut self, now: Instant, streams: &[u16]) -> Result<(), String> {
        let ids: Vec<StreamId> = streams.iter().map(|&s| StreamId(s)).collect();
        let r = self
            .assoc(now)
            .reset_streams(now, &ids)
            .map_err(|e| e.to_string());
        self.drain();
        r
    }

    /// Bytes queued and not yet sent once (W3C `bufferedAmount`).
    fn buffered_amount(&mut self, stream: u16) -> usize {
        self.assoc
            .as_ref()
            .map_or(0, |a| a.buffered_amount(StreamId(stream)))
    }

    fn negotiated(&self) -> Negotiated {
        self.assoc
            .as_ref()
            .and_then(Association::capabilities)
            .map(|c| Negotiated {
                interleaving: c.message_interleaving,
                zero_checksum: c.zero_checksum,
            })
            .unwrap_or_default()
    }
}
