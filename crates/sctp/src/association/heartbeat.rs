//! Heartbeats (RFC 9260 §8.3): probe an idle peer, measure the RTT, and
//! count unanswered probes towards the association's failure. Path MTU
//! probes are heartbeats too; their answers go to `path_mtu`.

use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};

use super::path_mtu::PathMtu;
use super::{Association, State};
use crate::chunk::Chunk;
use crate::chunk::heartbeat::HeartbeatChunk;
use crate::chunk::heartbeat_ack::HeartbeatAckChunk;
use crate::timer::Timer;

/// Heartbeat timers and the probe in flight.
#[derive(Debug, Default)]
pub(super) struct Heartbeat {
    interval: Timer,
    answer: Timer,
    /// Nonce and send time of the probe awaiting its ACK.
    outstanding: Option<(u64, Duration)>,
    next_nonce: u64,
}

impl Heartbeat {
    pub(super) fn restart(&mut self, now: Instant, interval: Duration) {
        self.interval.stop();
        self.interval.start(now, interval);
    }

    pub(super) fn stop(&mut self) {
        self.interval.stop();
        self.answer.stop();
        self.outstanding = None;
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        match (self.interval.deadline(), self.answer.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Association {
    pub(super) fn handle_heartbeat_timer(&mut self, now: Instant) {
        if self.heartbeat.answer.expire(now) {
            self.heartbeat.outstanding = None;
            if self.count_error() {
                return;
            }
        }
        if !self.heartbeat.interval.expire(now) {
            return;
        }
        let Some(tcb) = &self.tcb else { return };
        let rto = tcb.rtx.rto();
        // Data in flight already proves (or disproves) reachability via T3.
        let idle = !tcb.rtx.outstanding().has_in_flight();
        if idle && self.state == State::Established && self.heartbeat.outstanding.is_none() {
            let nonce = self.heartbeat.next_nonce;
            self.heartbeat.next_nonce += 1;
            let sent = self.elapsed(now);
            let mut info = BytesMut::with_capacity(16);
            info.put_u64(nonce);
            info.put_u64(u64::try_from(sent.as_micros()).unwrap_or(u64::MAX));
            self.queue_control(Chunk::Heartbeat(HeartbeatChunk {
                info: info.freeze(),
            }));
            self.heartbeat.outstanding = Some((nonce, sent));
            self.heartbeat.answer.stop();
            self.heartbeat.answer.start(now, rto);
        }
        self.heartbeat
            .interval
            .start(now, self.options.heartbeat_interval + rto);
    }

    /// HEARTBEAT from the peer: echo its information.
    pub(super) fn handle_heartbeat(&mut self, info: Bytes) {
        self.queue_control(Chunk::HeartbeatAck(HeartbeatAckChunk { info }));
    }

    /// HEARTBEAT-ACK: the peer is alive; take an RTT measurement.
    pub(super) fn handle_heartbeat_ack(&mut self, now: Instant, info: &[u8]) {
        if PathMtu::is_probe_info(info) {
            if let Some(size) = self.path_mtu.on_probe_ack(now, info) {
                self.error_count = 0;
                self.apply_path_mtu(size);
            }
            return;
        }
        let Some((nonce, sent)) = self.heartbeat.outstanding else {
            return;
        };
        if info.len() != 16 || info[..8] != nonce.to_be_bytes() {
            return;
        }
        self.heartbeat.outstanding = None;
        self.heartbeat.answer.stop();
        self.error_count = 0;
        let rtt = self.elapsed(now).saturating_sub(sent);
        if let Some(tcb) = &mut self.tcb {
            tcb.rtx.rto_estimator_mut().observe_rtt(rtt);
        }
    }
}
