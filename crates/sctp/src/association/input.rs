//! Received packets: checks that apply to the whole packet (checksum,
//! ports, verification tag; RFC 9260 §8.5), then what each chunk does.

use std::time::Instant;

use bytes::Bytes;

use super::{Association, State};
use crate::chunk::error::ErrorChunk;
use crate::chunk::{Chunk, unknown_chunk_action};
use crate::error_cause::ErrorCause;
use crate::error_cause::no_user_data::NoUserDataCause;
use crate::error_cause::protocol_violation::ProtocolViolationCause;
use crate::error_cause::unrecognized_chunk_type::UnrecognizedChunkTypeCause;
use crate::event::CloseReason;
use crate::packet::{ChecksumPolicy, Packet};
use crate::parse_error::ParseError;
use crate::rx::receiver::DataOutcome;

const INIT: u8 = 1;
const ABORT: u8 = 6;
const SHUTDOWN_ACK: u8 = 8;
const COOKIE_ECHO: u8 = 10;
const SHUTDOWN_COMPLETE: u8 = 14;
/// The T bit of ABORT and SHUTDOWN-COMPLETE: the tag is the sender's own.
const T_BIT: u8 = 1;

impl Association {
    /// Takes one datagram from the peer (the payload of a DTLS record in
    /// WebRTC). Malformed or unexpected packets are dropped and counted.
    pub fn handle_input(&mut self, now: Instant, datagram: Bytes) {
        if self.terminated {
            return;
        }
        let policy = if self.options.enable_zero_checksum {
            ChecksumPolicy::AcceptZero
        } else {
            ChecksumPolicy::Verify
        };
        let Ok(packet) = Packet::parse(datagram, policy) else {
            self.stats.packets_dropped += 1;
            return;
        };
        let header = packet.header;
        if header.destination_port != self.options.local_port
            || header.source_port != self.options.remote_port
        {
            self.stats.packets_dropped += 1;
            return;
        }
        let mut chunks = packet.chunks();
        let Some(first) = chunks.next() else {
            self.stats.packets_dropped += 1;
            return;
        };
        let tag_ok = match first.typ {
            // INIT travels alone with a zero tag (§8.5.1 A).
            INIT => header.verification_tag == 0 && chunks.next().is_none(),
            // Checked against the tag inside the cookie.
            COOKIE_ECHO => true,
            ABORT | SHUTDOWN_COMPLETE if first.flags & T_BIT != 0 => self
                .tcb
                .as_ref()
                .is_some_and(|t| t.peer_tag == header.verification_tag),
            ABORT | SHUTDOWN_COMPLETE => header.verification_tag == self.local_tag,
            SHUTDOWN_ACK if self.tcb.is_none() => false,
            _ => header.verification_tag == self.local_tag && self.state != State::Closed,
        };
        if !tag_ok {
            self.stats.packets_dropped += 1;
            return;
        }
        self.stats.packets_received += 1;
        let mut had_data = false;
        for raw in packet.chunks() {
            match Chunk::parse(&raw) {
                Ok(Chunk::Unknown(raw)) => {
                    self.stats.unknown_chunks += 1;
                    let action = unknown_chunk_action(raw.typ);
                    if action.report && self.tcb.is_some() {
                        let cause = ErrorCause::UnrecognizedChunkType(
                            UnrecognizedChunkTypeCause::new(&raw),
                        );
                        self.queue_control(Chunk::Error(ErrorChunk {
                            causes: vec![cause],
                        }));
                    }
                    if action.stop {
                        break;
                    }
                }
                Ok(chunk) => {
                    if !self.handle_chunk(now, header.verification_tag, chunk, &mut had_data) {
                        break;
                    }
                }
                Err(ParseError::NoUserData { tsn }) => {
                    // §6.2: a DATA chunk without data is answered with ABORT.
                    self.send_abort(vec![ErrorCause::NoUserData(NoUserDataCause { tsn })]);
                    self.terminate(CloseReason::LocalAbort(
                        "peer sent DATA without user data".into(),
                    ));
                    return;
                }
                Err(_) => {
                    self.stats.packets_dropped += 1;
                    break;
                }
            }
            if self.terminated {
                return;
            }
        }
        if had_data && let Some(tcb) = &mut self.tcb {
            tcb.rx.handle_packet_end(now);
        }
        self.after_activity(now);
    }

    /// Follow-up work after any input or user call: events, shutdown
    /// progress, reset requests.
    pub(super) fn after_activity(&mut self, now: Instant) {
        self.collect_events();
        if matches!(self.state, State::ShutdownPending | State::ShutdownReceived) {
            self.progress_shutdown(now);
        }
        self.maybe_send_reset_request(now);
    }

    /// Handles one chunk; returns false if the rest of the packet must be
    /// ignored.
    fn handle_chunk(&mut self, now: Instant, tag: u32, chunk: Chunk, had_data: &mut bool) -> bool {
        match chunk {
            Chunk::Data(c) => return self.handle_data(now, c, false, had_data),
            Chunk::IData(c) => return self.handle_data(now, c, true, had_data),
            Chunk::Sack(sack) => self.handle_sack(now, &sack),
            Chunk::Init(init) => self.handle_init(now, init),
            Chunk::InitAck(ack) => self.handle_init_ack(now, ack),
            Chunk::CookieEcho(echo) => {
                if !self.handle_cookie_echo(now, tag, &echo) {
                    return false;
                }
            }
            Chunk::CookieAck(_) => self.handle_cookie_ack(now),
            Chunk::Heartbeat(hb) => {
                if self.tcb.is_some() {
                    self.handle_heartbeat(hb.info);
                }
            }
            Chunk::HeartbeatAck(ack) => self.handle_heartbeat_ack(now, &ack.info),
            Chunk::Abort(abort) => {
                let reason = abort_reason(&abort.causes);
                self.terminate(CloseReason::PeerAborted(reason));
                return false;
            }
            Chunk::Shutdown(s) => self.handle_shutdown(now, &s),
            Chunk::ShutdownAck(_) => self.handle_shutdown_ack(),
            Chunk::ShutdownComplete(_) => self.handle_shutdown_complete(),
            Chunk::Error(e) => self.handle_error(now, &e),
            Chunk::ForwardTsn(f) => {
                let Some(tcb) = &mut self.tcb else {
                    return false;
                };
                if tcb.capabilities.message_interleaving || !tcb.capabilities.partial_reliability {
                    return self.protocol_violation("FORWARD-TSN not negotiated");
                }
                if tcb.rx.handle_forward_tsn(&f).is_err() {
                    return self.protocol_violation("FORWARD-TSN broke reassembly");
                }
                *had_data = true;
            }
            Chunk::IForwardTsn(f) => {
                let Some(tcb) = &mut self.tcb else {
                    return false;
                };
                if !tcb.capabilities.message_interleaving || !tcb.capabilities.partial_reliability {
                    return self.protocol_violation("I-FORWARD-TSN not negotiated");
                }
                if tcb.rx.handle_iforward_tsn(&f).is_err() {
                    return self.protocol_violation("I-FORWARD-TSN broke reassembly");
                }
                *had_data = true;
            }
            Chunk::ReConfig(r) => self.handle_reconfig(now, r),
            Chunk::Pad(_) | Chunk::Unknown(_) => {}
        }
        true
    }

    fn handle_data(
        &mut self,
        now: Instant,
        chunk: crate::chunk::data::DataChunk,
        idata: bool,
        had_data: &mut bool,
    ) -> bool {
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownSent
                | State::ShutdownReceived
        ) {
            return true;
        }
        let Some(tcb) = &mut self.tcb else {
            return false;
        };
        if idata != tcb.capabilities.message_interleaving {
            return self.protocol_violation("DATA/I-DATA does not match what was negotiated");
        }
        *had_data = true;
        self.stats.data_chunks_received += 1;
        match tcb.rx.handle_data(now, chunk) {
            Ok(DataOutcome::Accepted) => {}
            Ok(DataOutcome::Duplicate) => self.stats.duplicate_chunks_received += 1,
            Ok(DataOutcome::Refused | DataOutcome::NoBufferSpace) => {
                self.stats.data_chunks_refused += 1
            }
            Err(_) => return self.protocol_violation("message exceeds the maximum message size"),
        }
        true
    }

    fn handle_sack(&mut self, now: Instant, sack: &crate::chunk::sack::SackChunk) {
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownSent
                | State::ShutdownReceived
        ) {
            return;
        }
        let Some(tcb) = &mut self.tcb else { return };
        match tcb.rtx.handle_sack(now, sack) {
            Ok(outcome) => {
                if outcome.bytes_acked > 0 {
                    self.error_count = 0;
                }
                // The peer answers while its window is closed: our probes
                // are heard, not lost (RFC 9260 §6.1 rule A).
                if tcb.rtx.peer_rwnd() == 0 {
                    self.zero_window_answered = true;
                }
                if outcome.newly_fast_retransmit > 0 {
                    self.stats.fast_retransmits += 1;
                }
                self.stats.lost_retransmissions += outcome.lost_retransmissions as u64;
                if tcb.capabilities.partial_reliability
                    && tcb.rtx.outstanding().should_send_forward_tsn()
                {
                    tcb.forward_tsn_due = true;
                }
                if tcb.rtx.outstanding().has_data_to_retransmit() || tcb.forward_tsn_due {
                    tcb.rtx.ensure_timer(now);
                }
            }
            Err(_) => {
                self.protocol_violation("SACK acknowledges data never sent");
            }
        }
    }

    fn handle_error(&mut self, now: Instant, e: &ErrorChunk) {
        for cause in &e.causes {
            if let ErrorCause::StaleCookie(_) = cause
                && self.state == State::CookieEchoed
            {
                self.restart_after_stale_cookie(now);
            }
        }
    }

    /// Aborts for a protocol violation; returns false to stop the packet.
    fn protocol_violation(&mut self, what: &str) -> bool {
        let cause = ErrorCause::ProtocolViolation(ProtocolViolationCause {
            info: Bytes::copy_from_slice(what.as_bytes()),
        });
        self.send_abort(vec![cause]);
        self.terminate(CloseReason::LocalAbort(format!(
            "protocol violation: {what}"
        )));
        false
    }
}

/// A readable reason from an ABORT's causes.
fn abort_reason(causes: &[ErrorCause]) -> String {
    causes
        .iter()
        .map(|c| match c {
            ErrorCause::UserInitiatedAbort(u) => String::from_utf8_lossy(&u.reason).into_owned(),
            ErrorCause::ProtocolViolation(p) => {
                format!("protocol violation: {}", String::from_utf8_lossy(&p.info))
            }
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
