//! Stream reset (RFC 6525): our Outgoing SSN Reset Requests and the
//! peer's, which is how data channels close. Other requests (SSN/TSN
//! reset, adding streams) are answered "Denied": WebRTC announces all
//! 65535 streams up front and never resets TSNs.

use std::time::Instant;

use super::{Association, State};
use crate::chunk::Chunk;
use crate::chunk::reconfig::ReConfigChunk;
use crate::event::Event;
use crate::param::{
    OutgoingSsnResetRequestParameter, Parameter, ReconfigResponseParameter, ReconfigResult,
};
use crate::rx::receiver::ResetProgress;
use crate::timer::{Timer, backed_off};
use crate::types::{StreamId, Tsn};

/// Bound on streams waiting for a reset request (one per stream id at most).
const MAX_PENDING_STREAMS: usize = 65536;

/// One request of ours waiting for its response.
#[derive(Debug)]
struct Request {
    seq: u32,
    streams: Vec<StreamId>,
    sender_last_tsn: Tsn,
}

/// Both directions of stream reset.
#[derive(Debug)]
pub(super) struct Reconfig {
    next_seq: u32,
    pending: Vec<StreamId>,
    in_flight: Option<Request>,
    timer: Timer,
    peer_next_seq: u32,
    last_response: Option<(u32, ReconfigResult)>,
}

impl Reconfig {
    /// Request sequence numbers start at each side's initial TSN (§5.1.1).
    pub(super) fn new(local_initial_tsn: Tsn, peer_initial_tsn: Tsn) -> Self {
        Self {
            next_seq: local_initial_tsn.0,
            pending: Vec::new(),
            in_flight: None,
            timer: Timer::default(),
            peer_next_seq: peer_initial_tsn.0,
            last_response: None,
        }
    }

    pub(super) fn queue(&mut self, streams: &[StreamId]) {
        for s in streams {
            if self.pending.len() < MAX_PENDING_STREAMS && !self.pending.contains(s) {
                self.pending.push(*s);
            }
        }
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        self.timer.deadline()
    }
}

impl Association {
    /// Sends a reset request for pending streams whose queued messages
    /// have all gone out, if no other request is outstanding (§5.1.1:
    /// one at a time).
    pub(super) fn maybe_send_reset_request(&mut self, now: Instant) {
        let Some(tcb) = &mut self.tcb else { return };
        let r = &mut tcb.reconfig;
        if r.in_flight.is_some() || r.pending.is_empty() || self.state != State::Established {
            return;
        }
        let ready = self.send_queue.streams_ready_to_reset();
        let streams: Vec<StreamId> = r
            .pending
            .iter()
            .copied()
            .filter(|s| ready.contains(s))
            .collect();
        if streams.is_empty() {
            return;
        }
        r.pending.retain(|s| !streams.contains(s));
        let request = Request {
            seq: r.next_seq,
            streams,
            sender_last_tsn: Tsn(tcb.rtx.outstanding().next_tsn().0.wrapping_sub(1)),
        };
        r.next_seq = r.next_seq.wrapping_add(1);
        r.in_flight = Some(request);
        let rto = tcb.rtx.rto();
        r.timer.stop();
        r.timer.start(now, rto);
        self.send_reset_request();
    }

    fn send_reset_request(&mut self) {
        let Some(tcb) = &self.tcb else { return };
        let r = &tcb.reconfig;
        let Some(req) = &r.in_flight else { return };
        let param = OutgoingSsnResetRequestParameter {
            request_seq: req.seq,
            response_seq: r.peer_next_seq.wrapping_sub(1),
            sender_last_tsn: req.sender_last_tsn,
            streams: req.streams.clone(),
        };
        self.queue_control(Chunk::ReConfig(ReConfigChunk {
            parameters: vec![Parameter::OutgoingSsnResetRequest(param)],
        }));
    }

    /// The reconfiguration timer: resend the outstanding request.
    pub(super) fn handle_reconfig_timer(&mut self, now: Instant) {
        let Some(tcb) = &mut self.tcb else { return };
        if !tcb.reconfig.timer.expire(now) || tcb.reconfig.in_flight.is_none() {
            return;
        }
        let n = tcb.reconfig.timer.expirations();
        let wait = backed_off(tcb.rtx.rto(), n, self.options.rto_max);
        tcb.reconfig.timer.start(now, wait);
        self.send_reset_request();
        self.count_error();
    }

    /// A RE-CONFIG chunk from the peer.
    pub(super) fn handle_reconfig(&mut self, now: Instant, chunk: ReConfigChunk) {
        if self.tcb.is_none() {
            return;
        }
        let mut responses = Vec::new();
        for param in chunk.parameters {
            match param {
                Parameter::OutgoingSsnResetRequest(req) => {
                    let result = self.handle_incoming_reset(&req);
                    responses.push(response(req.request_seq, result));
                }
                Parameter::ReconfigResponse(resp) => self.handle_reset_response(now, &resp),
                Parameter::IncomingSsnResetRequest(req) => {
                    let result = self.deny(req.request_seq);
                    responses.push(response(req.request_seq, result));
                }
                Parameter::SsnTsnResetRequest(req) => {
                    let result = self.deny(req.request_seq);
                    responses.push(response(req.request_seq, result));
                }
                Parameter::AddOutgoingStreams(req) => {
                    let result = self.deny(req.request_seq);
                    responses.push(response(req.request_seq, result));
                }
                Parameter::AddIncomingStreams(req) => {
                    let result = self.deny(req.request_seq);
                    responses.push(response(req.request_seq, result));
                }
                _ => {}
            }
        }
        if !responses.is_empty() {
            self.queue_control(Chunk::ReConfig(ReConfigChunk {
                parameters: responses,
            }));
        }
    }

    /// Classifies a request sequence number (§5.2.1 and §5.2.2 E1-E3):
    /// `Some(true)` new, `Some(false)` a retransmission of the last one,
    /// `None` out of sequence.
    fn classify_request(&mut self, seq: u32) -> Option<bool> {
        let r = &self.tcb.as_ref()?.reconfig;
        if seq == r.peer_next_seq {
            Some(true)
        } else if seq == r.peer_next_seq.wrapping_sub(1)
            && r.last_response.is_some_and(|(s, _)| s == seq)
        {
            Some(false)
        } else {
            None
        }
    }

    fn record_response(&mut self, seq: u32, result: ReconfigResult) {
        if let Some(tcb) = &mut self.tcb {
            tcb.reconfig.peer_next_seq = seq.wrapping_add(1);
            tcb.reconfig.last_response = Some((seq, result));
        }
    }

    fn deny(&mut self, seq: u32) -> ReconfigResult {
        match self.classify_request(seq) {
            Some(true) => {
                self.record_response(seq, ReconfigResult::Denied);
                ReconfigResult::Denied
            }
            Some(false) => self
                .tcb
                .as_ref()
                .and_then(|t| t.reconfig.last_response)
                .map_or(ReconfigResult::Denied, |r| r.1),
            None => ReconfigResult::ErrorBadSequenceNumber,
        }
    }

    /// The peer resets its outgoing streams: once everything it sent
    /// before the request has arrived, our receive side starts them over.
    fn handle_incoming_reset(&mut self, req: &OutgoingSsnResetRequestParameter) -> ReconfigResult {
        match self.classify_request(req.request_seq) {
            None => ReconfigResult::ErrorBadSequenceNumber,
            Some(false) => {
                let Some(tcb) = &self.tcb else {
                    return ReconfigResult::Denied;
                };
                let last = tcb
                    .reconfig
                    .last_response
                    .map_or(ReconfigResult::Denied, |r| r.1);
                if last == ReconfigResult::InProgress && !tcb.rx.has_deferred_reset() {
                    self.record_response(req.request_seq, ReconfigResult::SuccessPerformed);
                    ReconfigResult::SuccessPerformed
                } else {
                    last
                }
            }
            Some(true) => {
                let Some(tcb) = &mut self.tcb else {
                    return ReconfigResult::Denied;
                };
                let result = match tcb
                    .rx
                    .handle_reset_request(req.sender_last_tsn, &req.streams)
                {
                    Ok(ResetProgress::Performed) => {
                        let _ = tcb.rx.poll_reset_performed();
                        self.events
                            .push_back(Event::IncomingStreamsReset(req.streams.clone()));
                        ReconfigResult::SuccessPerformed
                    }
                    Ok(ResetProgress::Deferred) => ReconfigResult::InProgress,
                    Err(_) => ReconfigResult::ErrorRequestAlreadyInProgress,
                };
                self.record_response(req.request_seq, result);
                result
            }
        }
    }

    /// The peer answered our request.
    fn handle_reset_response(&mut self, now: Instant, resp: &ReconfigResponseParameter) {
        let Some(tcb) = &mut self.tcb else { return };
        let r = &mut tcb.reconfig;
        let Some(req) = &r.in_flight else { return };
        if req.seq != resp.response_seq {
            return;
        }
        match resp.result {
            ReconfigResult::InProgress => {
                // Ask again after a while (§5.2.7); the timer is running.
                let rto = tcb.rtx.rto();
                r.timer.stop();
                r.timer.start(now, rto);
            }
            ReconfigResult::SuccessPerformed | ReconfigResult::SuccessNothingToDo => {
                let streams = r.in_flight.take().map(|q| q.streams).unwrap_or_default();
                r.timer.stop();
                let _ = self.send_queue.commit_reset(&streams);
                self.events.push_back(Event::OutgoingStreamsReset(streams));
            }
            _ => {
                let streams = r.in_flight.take().map(|q| q.streams).unwrap_or_default();
                r.timer.stop();
                let _ = self.send_queue.rollback_reset(&streams);
                self.events
                    .push_back(Event::OutgoingStreamsResetFailed(streams));
            }
        }
        self.error_count = 0;
    }
}

fn response(seq: u32, result: ReconfigResult) -> Parameter {
    Parameter::ReconfigResponse(ReconfigResponseParameter {
        response_seq: seq,
        result,
        next_tsns: None,
    })
}
