//! Graceful shutdown (RFC 9260 §9.2): SHUTDOWN, SHUTDOWN-ACK and
//! SHUTDOWN-COMPLETE, each side first delivering what it has queued.

use std::time::Instant;

use super::{Association, State};
use crate::chunk::Chunk;
use crate::chunk::sack::SackChunk;
use crate::chunk::shutdown::ShutdownChunk;
use crate::chunk::shutdown_ack::ShutdownAckChunk;
use crate::chunk::shutdown_complete::ShutdownCompleteChunk;
use crate::event::CloseReason;
use crate::timer::backed_off;

impl Association {
    /// Whether everything we were asked to send has been acknowledged.
    fn all_data_acked(&self) -> bool {
        !self.send_queue.has_data()
            && self
                .tcb
                .as_ref()
                .is_none_or(|t| t.rtx.outstanding().is_empty())
    }

    /// Moves a pending shutdown on once our data is delivered.
    pub(super) fn progress_shutdown(&mut self, now: Instant) {
        if !self.all_data_acked() {
            return;
        }
        match self.state {
            State::ShutdownPending => {
                self.state = State::ShutdownSent;
                self.send_shutdown();
                self.start_t2(now);
            }
            State::ShutdownReceived => {
                self.state = State::ShutdownAckSent;
                self.queue_control(Chunk::ShutdownAck(ShutdownAckChunk));
                self.start_t2(now);
            }
            _ => {}
        }
    }

    fn start_t2(&mut self, now: Instant) {
        let rto = self
            .tcb
            .as_ref()
            .map_or(self.options.rto_initial, |t| t.rtx.rto());
        self.t2_shutdown.stop();
        self.t2_shutdown.start(now, rto);
    }

    fn send_shutdown(&mut self) {
        if let Some(tcb) = &self.tcb {
            let cumulative_tsn_ack = tcb.rx.cumulative_tsn_ack();
            self.queue_control(Chunk::Shutdown(ShutdownChunk { cumulative_tsn_ack }));
        }
    }

    /// SHUTDOWN from the peer.
    pub(super) fn handle_shutdown(&mut self, now: Instant, chunk: &ShutdownChunk) {
        // Its cumulative TSN ack acknowledges our data like a SACK would.
        if let Some(tcb) = &mut self.tcb {
            let a_rwnd = tcb.rtx.peer_rwnd() + tcb.rtx.outstanding().outstanding_bytes();
            let sack = SackChunk {
                cumulative_tsn_ack: chunk.cumulative_tsn_ack,
                a_rwnd: u32::try_from(a_rwnd).unwrap_or(u32::MAX),
                gap_ack_blocks: Vec::new(),
                duplicate_tsns: Vec::new(),
            };
            let _ = tcb.rtx.handle_sack(now, &sack);
        }
        match self.state {
            State::Established | State::ShutdownPending => {
                self.state = State::ShutdownReceived;
                self.progress_shutdown(now);
            }
            State::ShutdownSent => {
                // Both sides shut down at once: answer with SHUTDOWN-ACK.
                self.state = State::ShutdownAckSent;
                self.queue_control(Chunk::ShutdownAck(ShutdownAckChunk));
                self.start_t2(now);
            }
            State::ShutdownReceived => self.progress_shutdown(now),
            _ => {}
        }
    }

    /// SHUTDOWN-ACK from the peer: confirm and close.
    pub(super) fn handle_shutdown_ack(&mut self) {
        if matches!(self.state, State::ShutdownSent | State::ShutdownAckSent)
            && let Some(tcb) = &self.tcb
        {
            let tag = tcb.peer_tag;
            let chunk = Chunk::ShutdownComplete(ShutdownCompleteChunk {
                tag_reflected: false,
            });
            self.queue_packet(tag, &chunk, true);
            self.terminate(CloseReason::Graceful);
        }
    }

    /// SHUTDOWN-COMPLETE from the peer.
    pub(super) fn handle_shutdown_complete(&mut self) {
        if self.state == State::ShutdownAckSent {
            self.terminate(CloseReason::Graceful);
        }
    }

    /// T2-shutdown expired: resend, or give up.
    pub(super) fn handle_t2(&mut self, now: Instant) {
        if !self.t2_shutdown.expire(now) {
            return;
        }
        if self.count_error() {
            return;
        }
        match self.state {
            State::ShutdownSent => self.send_shutdown(),
            State::ShutdownAckSent => self.queue_control(Chunk::ShutdownAck(ShutdownAckChunk)),
            _ => return,
        }
        let base = self
            .tcb
            .as_ref()
            .map_or(self.options.rto_initial, |t| t.rtx.rto());
        let wait = backed_off(base, self.t2_shutdown.expirations(), self.options.rto_max);
        self.t2_shutdown.start(now, wait);
    }
}
