//! Sending policy around the data in flight: congestion window, the peer's
//! receiver window, the retransmission timer (T3-rtx) and RTT measurement.
//!
//! [`OutstandingData`] records chunks; this decides when the association
//! may put a chunk on the wire and reacts to SACKs and timeouts (RFC 9260
//! §6.1–6.3, §7).

use std::time::{Duration, Instant};

use crate::chunk::data::DataChunk;
use crate::chunk::sack::SackChunk;
use crate::congestion::{AckEvent, CongestionController};
use crate::timer::Timer;
use crate::tx::outstanding_data::{AckOutcome, ChunkLimits, OutstandingData, SackError};
use crate::tx::pacer::Pacer;
use crate::tx::rto::RtoEstimator;
use crate::tx::send_queue::MessageId;
use crate::types::{Data, Tsn};

/// What each outstanding chunk is taken to cost the peer beyond its bytes,
/// in our estimate of its window (usrsctp charges the same). It also bounds
/// the chunks we keep in flight, each with its bookkeeping here, to
/// window / (size + 256): without it a 4 MiB window filled with 100-byte
/// messages held ~36,000 of them, ~12 MB on this side.
const PEER_CHUNK_OVERHEAD: u64 = 256;

/// The send-side data path of one association.
#[derive(Debug)]
pub struct RetransmissionQueue {
    outstanding: OutstandingData,
    cc: Box<dyn CongestionController>,
    rto: RtoEstimator,
    t3: Timer,
    /// The peer's window: last advertised a_rwnd minus what was sent since
    /// (RFC 9260 §6.2.1), each chunk with [`PEER_CHUNK_OVERHEAD`].
    peer_rwnd: u64,
    /// Fast retransmit lets the next packet ignore cwnd (§7.2.4 step 3).
    fast_retransmit_pending: bool,
    last_data_sent: Option<Instant>,
    pacer: Pacer,
}

impl RetransmissionQueue {
    /// A queue whose first chunk gets `initial_tsn`, for a peer that
    /// announced `peer_a_rwnd`.
    pub fn new(
        initial_tsn: Tsn,
        peer_a_rwnd: u32,
        cc: Box<dyn CongestionController>,
        rto: RtoEstimator,
        mtu: usize,
    ) -> Self {
        Self {
            outstanding: OutstandingData::new(initial_tsn, cc.uses_rate_samples()),
            cc,
            rto,
            t3: Timer::default(),
            peer_rwnd: u64::from(peer_a_rwnd),
            fast_retransmit_pending: false,
            last_data_sent: None,
            pacer: Pacer::new(mtu),
        }
    }

    /// Packets may now be `mtu` bytes (the path MTU changed).
    pub fn set_mtu(&mut self, mtu: usize) {
        self.pacer.set_mtu(mtu);
        self.cc.set_mtu(mtu);
    }

    /// The chunks in flight.
    pub fn outstanding(&self) -> &OutstandingData {
        &self.outstanding
    }

    /// The chunks in flight, mutably (abandonment, FORWARD-TSN).
    pub fn outstanding_mut(&mut self) -> &mut OutstandingData {
        &mut self.outstanding
    }

    /// The current retransmission timeout.
    pub fn rto(&self) -> Duration {
        self.rto.rto()
    }

    /// The RTO estimator (heartbeats feed it too).
    pub fn rto_estimator_mut(&mut self) -> &mut RtoEstimator {
        &mut self.rto
    }

    /// The smoothed round-trip time, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// The congestion window in bytes.
    pub fn cwnd(&self) -> usize {
        self.cc.cwnd()
    }

    /// The rate the congestion controller paces at, in bytes per second.
    pub fn pacing_rate(&self) -> Option<u64> {
        self.cc.pacing_rate()
    }

    /// The peer's remaining receiver window in bytes.
    pub fn peer_rwnd(&self) -> u64 {
        self.peer_rwnd
    }

    /// The deadline of T3-rtx.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.t3.deadline()
    }

    /// Processes a SACK. Returns what it acknowledged.
    pub fn handle_sack(&mut self, now: Instant, sack: &SackChunk) -> Result<AckOutcome, SackError> {
        let flight_before = self.outstanding.flight_bytes();
        let in_fr = self.cc.in_fast_recovery();
        let out = self.outstanding.handle_sack(
            now,
            sack.cumulative_tsn_ack,
            &sack.gap_ack_blocks,
            in_fr,
        )?;
        if sack.cumulative_tsn_ack != self.outstanding.cumulative_tsn_ack() {
            // Stale SACK: its window is old too (§6.2.1 rule 2 ignores it).
            return Ok(out);
        }
        if let Some(rtt) = out.rtt {
            self.rto.observe_rtt(rtt);
        }
        self.cc.on_ack(&AckEvent {
            now,
            bytes_acked: usize::try_from(out.bytes_acked).unwrap_or(usize::MAX),
            flight_size_before: usize::try_from(flight_before).unwrap_or(usize::MAX),
            flight_size_after: usize::try_from(self.outstanding.flight_bytes())
                .unwrap_or(usize::MAX),
            cumulative_tsn_ack: sack.cumulative_tsn_ack,
            rate_sample: out.rate_sample,
        });
        if out.newly_fast_retransmit > 0 || out.lost_retransmissions > 0 {
            let highest = Tsn(self.outstanding.next_tsn().0.wrapping_sub(1));
            if out.lost_retransmissions > 0 {
                self.cc.on_retransmission_lost(highest);
            } else {
                self.cc.on_fast_retransmit(highest);
            }
            self.fast_retransmit_pending = true;
        }
        let held = self.outstanding.outstanding_bytes()
            + self.outstanding.len() as u64 * PEER_CHUNK_OVERHEAD;
        self.peer_rwnd = u64::from(sack.a_rwnd).saturating_sub(held);
        // §6.3.2 R2/R3: stop when nothing is in flight, restart when the
        // earliest outstanding chunk was acknowledged.
        // Abandoned data that the peer has not skipped yet also needs the
        // timer: a lost FORWARD-TSN is resent when it fires (RFC 3758 §3.5).
        if !self.outstanding.has_in_flight() && !self.outstanding.should_send_forward_tsn() {
            self.t3.stop();
        } else if out.cumulative_advanced {
            self.t3.start(now, self.rto.rto());
        } else {
            self.t3.start_if_stopped(now, self.rto.rto());
        }
        Ok(out)
    }

    /// Handles T3-rtx if it expired by `now`: every chunk in flight is
    /// lost, the RTO backs off and cwnd collapses (§6.3.3). Returns the
    /// number of consecutive expirations, or `None` if it had not expired.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<u32> {
        if !self.t3.expire(now) {
            return None;
        }
        self.rto.backoff();
        self.cc.on_retransmission_timeout();
        self.outstanding.expire_lifetimes(now);
        self.outstanding.expire_all_in_flight();
        self.fast_retransmit_pending = false;
        Some(self.t3.expirations())
    }

    /// Forgets the count of consecutive T3 expirations (the peer is alive).
    pub fn reset_expirations(&mut self) {
        if let Some(deadline) = self.t3.deadline() {
            self.t3.stop();
            self.t3.start(deadline, Duration::ZERO);
        } else {
            self.t3.stop();
        }
    }

    fn cwnd_allows(&self) -> bool {
        self.outstanding.flight_bytes() < self.cc.cwnd() as u64
    }

    /// Whether a retransmission may go into the packet being built at
    /// `now`. A fast retransmission ignores cwnd and pacing (§7.2.4 step 3:
    /// it goes "as soon as possible").
    pub fn can_retransmit(&self, now: Instant) -> bool {
        self.outstanding.has_data_to_retransmit()
            && (self.fast_retransmit_pending || (self.cwnd_allows() && self.pacer.allows(now)))
    }

    /// When the pacer next lets a packet with DATA go, if it is what holds
    /// data back (the windows would allow it); `has_new_data` says whether
    /// new data waits to be sent.
    pub fn pacing_deadline(&self, has_new_data: bool) -> Option<Instant> {
        let deadline = self.pacer.deadline()?;
        let wants = self.outstanding.has_data_to_retransmit()
            || (has_new_data && self.window_allowance() > 0);
        (wants && self.cwnd_allows()).then_some(deadline)
    }

    /// Nothing more is sent at `now`: forget a pacing instant at or before it.
    pub fn forget_passed_pacing(&mut self, now: Instant) {
        self.pacer.forget_passed(now);
    }

    /// A packet of `bytes` carrying DATA was built at `now`.
    pub fn on_data_packet_sent(&mut self, now: Instant, bytes: usize) {
        self.pacer.on_sent(now, bytes, self.cc.pacing_rate());
    }

    /// The sender has no more data to send while the windows would allow
    /// more: delivery-rate samples now measure the application.
    pub fn note_app_limited(&mut self) {
        if self.cwnd_allows() {
            self.outstanding.note_app_limited();
        }
    }

    /// Takes the next chunk to retransmit if it fits in `max_size` bytes.
    pub fn pop_retransmission(&mut self, now: Instant, max_size: usize) -> Option<DataChunk> {
        if !self.can_retransmit(now) {
            return None;
        }
        let max = u32::try_from(max_size).unwrap_or(u32::MAX);
        let size = self.outstanding.peek_retransmission_size()?;
        let chunk = self.outstanding.pop_retransmission(now, max)?;
        self.on_chunk_sent(now, size);
        Some(chunk)
    }

    /// The packet that carried fast retransmissions was built.
    pub fn end_of_packet(&mut self) {
        self.fast_retransmit_pending = false;
    }

    /// How many bytes of new data may be sent now (one chunk may overshoot
    /// cwnd, as §6.1 rule B allows; a zero peer window still admits one
    /// probing chunk when nothing is in flight, rule A).
    pub fn new_data_allowance(&self, now: Instant) -> u64 {
        if !self.pacer.allows(now) {
            return 0;
        }
        self.window_allowance()
    }

    /// [`new_data_allowance`](Self::new_data_allowance) without pacing.
    fn window_allowance(&self) -> u64 {
        if !self.cwnd_allows() {
            return 0;
        }
        if self.peer_rwnd == 0 {
            return if self.outstanding.outstanding_bytes() == 0 {
                u64::MAX
            } else {
                0
            };
        }
        self.peer_rwnd
    }

    /// Calls the congestion controller's idle decay if nothing was sent for
    /// longer than an RTO (§7.2.1).
    pub fn before_new_data(&mut self, now: Instant) {
        if let Some(last) = self.last_data_sent
            && self.outstanding.is_empty()
        {
            let idle = now.saturating_duration_since(last);
            if idle > self.rto.rto() {
                self.cc.on_idle(idle, self.rto.rto());
            }
        }
    }

    /// A chunk of `size` bytes went out (new or retransmitted): it takes
    /// its share of the peer's window, and T3 runs.
    fn on_chunk_sent(&mut self, now: Instant, size: u32) {
        self.peer_rwnd = self
            .peer_rwnd
            .saturating_sub(u64::from(size) + PEER_CHUNK_OVERHEAD);
        self.t3.start_if_stopped(now, self.rto.rto());
        self.last_data_sent = Some(now);
    }

    /// Records a chunk sent for the first time; returns its TSN.
    pub fn send_new(
        &mut self,
        now: Instant,
        data: Data,
        size: u32,
        message_id: MessageId,
        limits: ChunkLimits,
    ) -> Tsn {
        let tsn = self.outstanding.insert(now, data, size, message_id, limits);
        self.on_chunk_sent(now, size);
        tsn
    }

    /// The association came up: T3 runs from now for DATA that went out
    /// with the COOKIE-ECHO (T1-cookie covered it until now).
    pub fn restart_timer(&mut self, now: Instant) {
        if self.outstanding.has_in_flight() {
            self.t3.start(now, self.rto.rto());
        } else {
            self.t3.stop();
        }
    }

    /// The COOKIE-ECHO went unanswered (T1-cookie, or a stale cookie): the
    /// DATA it carried goes again with the next one. No congestion
    /// response: nothing was measured yet; the retransmissions give no
    /// RTT sample (Karn).
    pub fn cookie_echo_lost(&mut self) {
        self.outstanding.expire_all_in_flight();
    }

    /// Something (FORWARD-TSN) must be resent on T3; keep the timer going
    /// while abandoned data waits to be skipped.
    pub fn ensure_timer(&mut self, now: Instant) {
        if self.outstanding.should_send_forward_tsn() || self.outstanding.has_data_to_retransmit() {
            self.t3.start_if_stopped(now, self.rto.rto());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::sack::GapAckBlock;
    use crate::congestion::{NewReno, NewRenoConfig};
    use crate::types::{Ppid, StreamId};
    use bytes::Bytes;

    const MTU: usize = 1200;

    fn queue(rwnd: u32) -> RetransmissionQueue {
        let cc = NewReno::new(NewRenoConfig {
            mtu: MTU,
            ..NewRenoConfig::default()
        })
        .unwrap();
        let rto = RtoEstimator::new(
            Duration::from_secs(1),
            Duration::from_millis(200),
            Duration::from_secs(10),
        )
        .unwrap();
        RetransmissionQueue::new(Tsn(1), rwnd, Box::new(cc), rto, MTU)
    }

    fn chunk() -> Data {
        Data {
            stream_id: StreamId(0),
            ppid: Ppid(53),
            payload: Bytes::from_static(&[7; 1100]),
            is_beginning: true,
            is_end: true,
            ..Data::default()
        }
    }

    fn fill(q: &mut RetransmissionQueue, now: Instant) -> usize {
        fill_with(q, now, chunk, 1116)
    }

    /// Sends chunks of `size` bytes made by `data` while the window allows.
    fn fill_with(
        q: &mut RetransmissionQueue,
        now: Instant,
        data: impl Fn() -> Data,
        size: u32,
    ) -> usize {
        let mut n = 0;
        while q.new_data_allowance(now) >= u64::from(size) {
            q.send_new(
                now,
                data(),
                size,
                MessageId::for_test(n as u64),
                ChunkLimits::default(),
            );
            n += 1;
        }
        n
    }

    fn sack(cum: u32, a_rwnd: u32, gaps: &[(u16, u16)]) -> SackChunk {
        SackChunk {
            cumulative_tsn_ack: Tsn(cum),
            a_rwnd,
            gap_ack_blocks: gaps
                .iter()
                .map(|&(start, end)| GapAckBlock { start, end })
                .collect(),
            duplicate_tsns: vec![],
        }
    }

    #[test]
    fn initial_window_is_ten_packets_and_grows_with_acks() {
        let t0 = Instant::now();
        let mut q = queue(1 << 20);
        assert_eq!(
            fill(&mut q, t0),
            11,
            "sends while flight < cwnd: 10 full packets plus one overshoot"
        );
        assert!(q.poll_timeout().is_some());
        let t1 = t0 + Duration::from_millis(50);
        q.handle_sack(t1, &sack(11, 1 << 20, &[])).unwrap();
        assert!(q.cwnd() > 10 * MTU);
        assert_eq!(q.srtt(), Some(Duration::from_millis(50)));
        assert!(q.poll_timeout().is_none(), "nothing in flight: T3 stopped");
    }

    #[test]
    fn each_chunk_costs_the_peer_window_its_overhead() {
        let t0 = Instant::now();
        let mut q = queue(20_000);
        let small = || Data {
            payload: Bytes::from_static(&[7; 100]),
            ..chunk()
        };
        let n = fill_with(&mut q, t0, small, 116);
        // By bytes alone the window held 172 and cwnd 104; with 256 bytes
        // more per chunk 53 fit, and one more goes while any window is left.
        assert_eq!(n, 54);
        // A SACK recomputes the window from what is still outstanding, the
        // overhead included.
        q.handle_sack(t0, &sack(27, 20_000, &[])).unwrap();
        assert_eq!(q.peer_rwnd(), 20_000 - 27 * (116 + 256));
    }

    #[test]
    fn peer_window_limits_new_data_and_zero_window_probes() {
        let t0 = Instant::now();
        let mut q = queue(3000);
        assert_eq!(fill(&mut q, t0), 2);
        // Peer's buffer is full: window 0 while data is outstanding.
        q.handle_sack(t0, &sack(2, 0, &[])).unwrap();
        assert_eq!(
            q.new_data_allowance(t0),
            u64::MAX,
            "nothing outstanding: one probe allowed"
        );
        q.send_new(
            t0,
            chunk(),
            1116,
            MessageId::for_test(9),
            ChunkLimits::default(),
        );
        assert_eq!(q.new_data_allowance(t0), 0);
    }

    #[test]
    fn t3_expiry_backs_off_and_retransmits_everything() {
        let t0 = Instant::now();
        let mut q = queue(1 << 20);
        let n = fill(&mut q, t0);
        let deadline = q.poll_timeout().unwrap();
        assert_eq!(deadline, t0 + Duration::from_secs(1));
        assert_eq!(q.handle_timeout(deadline - Duration::from_millis(1)), None);
        assert_eq!(q.handle_timeout(deadline), Some(1));
        assert_eq!(q.cwnd(), MTU, "cwnd collapses to one MTU");
        assert_eq!(q.rto(), Duration::from_secs(2));
        let first = q.pop_retransmission(deadline, MTU).unwrap();
        assert_eq!(first.tsn, Tsn(1));
        // Flight (1116) is still below one MTU of cwnd: one more may go.
        assert_eq!(q.pop_retransmission(deadline, MTU).unwrap().tsn, Tsn(2));
        assert!(
            q.pop_retransmission(deadline, MTU).is_none(),
            "cwnd of one MTU is full"
        );
        assert_eq!(q.poll_timeout(), Some(deadline + Duration::from_secs(2)));
        assert!(n > 1);
    }

    #[test]
    fn fast_retransmit_ignores_cwnd_for_one_packet() {
        let t0 = Instant::now();
        let mut q = queue(1 << 20);
        fill(&mut q, t0);
        // TSN 1 lost, 2..=4 acked over three SACKs.
        for end in 1..=2u16 {
            q.handle_sack(t0, &sack(0, 1 << 20, &[(2, end + 1)]))
                .unwrap();
            assert!(!q.can_retransmit(t0));
        }
        let cwnd_before = q.cwnd();
        q.handle_sack(t0, &sack(0, 1 << 20, &[(2, 4)])).unwrap();
        assert_eq!(q.cwnd(), (cwnd_before / 2).max(4 * MTU), "halved");
        assert!(
            q.can_retransmit(t0),
            "allowed although flight exceeds the halved cwnd"
        );
        assert_eq!(q.pop_retransmission(t0, MTU).unwrap().tsn, Tsn(1));
        q.end_of_packet();
        assert!(!q.can_retransmit(t0));
    }
}
