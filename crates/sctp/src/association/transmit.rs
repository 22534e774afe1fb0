//! Filling packets (RFC 9260 §6.10 bundling): control chunks first, then a
//! SACK, FORWARD-TSN, retransmissions and finally new data, as much as
//! the MTU, the congestion window and the peer's window allow.

use std::time::Instant;

use bytes::Bytes;

use super::path_mtu::Probe;
use super::{Association, State};
use crate::chunk::data::{AsData, DataChunk};
use crate::chunk::forward_tsn::ForwardTsnChunk;
use crate::chunk::heartbeat::HeartbeatChunk;
use crate::chunk::idata::AsIData;
use crate::chunk::iforward_tsn::IForwardTsnChunk;
use crate::chunk::pad::PadChunk;
use crate::chunk::{Chunk, WriteChunk};
use crate::packet::{COMMON_HEADER_LEN, PacketWriter};
use crate::tx::outstanding_data::ChunkLimits;

/// Bytes of a DATA chunk before its payload.
const DATA_HEADER: usize = 16;
/// Bytes of an I-DATA chunk before its payload.
const IDATA_HEADER: usize = 20;

impl Association {
    /// The next packet to send to the peer, if any. Call until `None` after
    /// every input, timeout or user call.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Bytes> {
        if let Some(p) = self.pending_packets.pop_front() {
            self.stats.packets_sent += 1;
            return Some(p);
        }
        if self.terminated {
            return None;
        }
        // A due path MTU probe waits for what else there is to send (it
        // would only delay it).
        self.next_packet(now).or_else(|| self.poll_probe(now))
    }

    /// Builds the next packet of chunks, if anything may go.
    fn next_packet(&mut self, now: Instant) -> Option<Bytes> {
        // In COOKIE-ECHOED the one packet that may go is the COOKIE-ECHO,
        // first in it, with DATA after (RFC 9260 §5.1 D: nothing else
        // until the COOKIE-ACK).
        let echo = if self.state == State::CookieEchoed {
            let chunk = self.take_due_cookie_echo()?;
            self.tcb.as_ref()?;
            if self.writer.push(&chunk).is_err() {
                return None;
            }
            true
        } else if matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownSent
                | State::ShutdownReceived
                | State::ShutdownAckSent
        ) {
            self.maybe_send_reset_request(now);
            false
        } else {
            return None;
        };
        let tcb = self.tcb.as_mut()?;
        let w = &mut self.writer;
        let interleaving = tcb.capabilities.message_interleaving;

        while let Some(c) = self.control.front().filter(|_| !echo) {
            if w.fits(c) {
                let _ = w.push(c);
                self.control.pop_front();
            } else if w.is_empty() {
                // Larger than a packet can ever be: drop rather than stall.
                self.control.pop_front();
            } else {
                break;
            }
        }

        let may_send_new = echo
            || matches!(
                self.state,
                State::Established | State::ShutdownPending | State::ShutdownReceived
            );
        let will_send_data = tcb.rtx.can_retransmit(now)
            || (may_send_new && self.send_queue.has_data() && tcb.rtx.new_data_allowance(now) > 0);
        // A SACK that is due goes now; one that is merely delayed rides
        // along with data for free.
        if !echo
            && (tcb.rx.should_send_sack() || (will_send_data && tcb.rx.poll_timeout().is_some()))
        {
            let sack = tcb.rx.create_sack();
            if w.fits(&sack) {
                let _ = w.push(&sack);
            }
        }

        if tcb.forward_tsn_due && !echo {
            tcb.forward_tsn_due = false;
            let outstanding = tcb.rtx.outstanding();
            if outstanding.should_send_forward_tsn() {
                let chunk = if interleaving {
                    let (new_cumulative_tsn, skipped) = outstanding.iforward_tsn();
                    Chunk::IForwardTsn(IForwardTsnChunk {
                        new_cumulative_tsn,
                        skipped,
                    })
                } else {
                    let (new_cumulative_tsn, skipped_streams) = outstanding.forward_tsn();
                    Chunk::ForwardTsn(ForwardTsnChunk {
                        new_cumulative_tsn,
                        skipped_streams,
                    })
                };
                if w.fits(&chunk) {
                    let _ = w.push(&chunk);
                }
                tcb.rtx.ensure_timer(now);
            }
        }

        let mut retransmitted = false;
        while let Some(chunk) = tcb.rtx.pop_retransmission(now, w.remaining()) {
            let _ = push_data(w, &chunk, interleaving);
            retransmitted = true;
            self.stats.data_chunks_retransmitted += 1;
        }
        if retransmitted {
            tcb.rtx.end_of_packet();
        }

        let mut produced = false;
        if may_send_new && self.send_queue.has_data() {
            tcb.rtx.before_new_data(now);
            let header = if interleaving {
                IDATA_HEADER
            } else {
                DATA_HEADER
            };
            // Chunks are cut to fit a packet of the base size even when the
            // path carries larger ones: a chunk keeps its size when it is
            // retransmitted, so this way every chunk can still go if the
            // path shrinks (larger packets bundle several).
            let max_fragment = (self.options.mtu - COMMON_HEADER_LEN - header) & !3;
            loop {
                let room = w.remaining();
                if room < header + 4 {
                    if produced {
                        self.path_mtu.on_full_packet(now);
                    }
                    break;
                }
                let allowance = tcb.rtx.new_data_allowance(now);
                if allowance == 0 {
                    break;
                }
                let by_window = usize::try_from(allowance)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(header);
                // Payloads are cut at multiples of four so padding never
                // pushes a chunk past the room left.
                let max_payload = ((room - header) & !3)
                    .min(by_window.max(1))
                    .min(max_fragment);
                let Some(fragment) = self.send_queue.produce_next(now, max_payload) else {
                    break;
                };
                produced = true;
                let chunk = DataChunk {
                    tsn: tcb.rtx.outstanding().next_tsn(),
                    immediate_ack: false,
                    data: fragment.data,
                };
                let size = push_data(w, &chunk, interleaving);
                let limits = if tcb.capabilities.partial_reliability {
                    ChunkLimits {
                        max_retransmits: fragment.max_retransmits,
                        expires_at: fragment.expires_at,
                    }
                } else {
                    ChunkLimits::default()
                };
                tcb.rtx
                    .send_new(now, chunk.data, size, fragment.message_id, limits);
                self.stats.data_chunks_sent += 1;
            }
        }

        if may_send_new && !self.send_queue.has_data() {
            tcb.rtx.note_app_limited();
        }
        // A COOKIE-ECHO packet keeps its checksum (RFC 9653: the peer may
        // have no association yet that knows zero checksums).
        let zero_checksum = tcb.capabilities.zero_checksum && !echo;
        if retransmitted || produced {
            tcb.rtx.on_data_packet_sent(now, self.writer.len());
        }
        if self.writer.is_empty() {
            // Nothing more goes now: a pacing instant already passed holds
            // nothing back, and must not come back from `poll_timeout`.
            tcb.rtx.forget_passed_pacing(now);
            return None;
        }
        if produced {
            self.collect_events();
        }
        self.stats.packets_sent += 1;
        self.last_packet_at = now;
        Some(self.writer.finish(!zero_checksum))
    }

    /// The path MTU probe due at `now`, if any.
    fn poll_probe(&mut self, now: Instant) -> Option<Bytes> {
        if self.state != State::Established {
            return None;
        }
        let rto = self.tcb.as_ref()?.rtx.rto();
        let probe = self.path_mtu.poll_probe(now, rto)?;
        self.stats.mtu_probes_sent += 1;
        self.stats.packets_sent += 1;
        Some(self.probe_packet(probe))
    }

    /// A path MTU probe: a HEARTBEAT padded to the probed size (RFC 8899
    /// §6.2.1.1). It carries no data, so its loss costs nothing.
    fn probe_packet(&self, probe: Probe) -> Bytes {
        let (tag, zero_checksum) = self
            .tcb
            .as_ref()
            .map_or((0, false), |t| (t.peer_tag, t.capabilities.zero_checksum));
        let mut w = PacketWriter::new(
            self.options.local_port,
            self.options.remote_port,
            tag,
            probe.size,
        );
        let _ = w.push(&HeartbeatChunk {
            info: Bytes::copy_from_slice(&probe.info),
        });
        let _ = w.push(&PadChunk {
            padding_len: w.remaining().saturating_sub(4) & !3,
        });
        w.finish(!zero_checksum)
    }
}

/// Writes a DATA or I-DATA chunk; returns its size on the wire.
fn push_data(w: &mut PacketWriter, chunk: &DataChunk, interleaving: bool) -> u32 {
    let size = if interleaving {
        let c = AsIData(chunk);
        let _ = w.push(&c);
        c.serialized_len()
    } else {
        let c = AsData(chunk);
        let _ = w.push(&c);
        c.serialized_len()
    };
    u32::try_from(size).unwrap_or(u32::MAX)
}
