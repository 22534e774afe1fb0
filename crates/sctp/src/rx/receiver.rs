//! The receive half in one piece: a [`DataTracker`] and a
//! [`ReassemblyQueue`] driven in the order their contract needs (see
//! [`super::reassembly`]), plus deferred stream resets (RFC 6525 §5.2.2).

use std::time::Instant;

use super::data_tracker::{DataTracker, DataTrackerConfig, PacketSummary, TsnClass};
use super::message::ReceivedMessage;
use super::reassembly::{ReassemblyError, ReassemblyQueue};
use crate::chunk::data::DataChunk;
use crate::chunk::forward_tsn::ForwardTsnChunk;
use crate::chunk::iforward_tsn::IForwardTsnChunk;
use crate::chunk::sack::SackChunk;
use crate::types::{StreamId, Tsn};

/// Tuning of a [`Receiver`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// Memory budget of reassembly, and the largest window advertised.
    /// Default: 4 MiB (enough for ~300 Mbit/s at 100 ms round trip).
    pub max_buffered_bytes: usize,
    /// Largest message accepted. Default: 256 KiB (the SDP
    /// `a=max-message-size` we announce).
    pub max_message_size: usize,
    /// I-DATA was negotiated (RFC 8260). Default: false.
    pub interleaving: bool,
    /// SACK timing and TSN bookkeeping limits.
    pub tracker: DataTrackerConfig,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            max_buffered_bytes: 4 << 20,
            max_message_size: 256 << 10,
            interleaving: false,
            tracker: DataTrackerConfig::default(),
        }
    }
}

/// What became of one DATA/I-DATA chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataOutcome {
    /// New; stored or delivered.
    Accepted,
    /// Received before; reported in the next SACK.
    Duplicate,
    /// Too far ahead or too scattered; not acknowledged.
    Refused,
    /// No buffer space; not acknowledged.
    NoBufferSpace,
}

/// Whether an incoming stream reset (Outgoing SSN Reset Request) happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetProgress {
    /// Applied now: answer "Successful - Performed".
    Performed,
    /// Waiting for earlier data: answer "In progress". When the peer
    /// repeats the request, [`Receiver::has_deferred_reset`] tells whether
    /// it has been performed since.
    Deferred,
}

/// The receive half of an association.
#[derive(Debug)]
pub struct Receiver {
    tracker: DataTracker,
    reassembly: ReassemblyQueue,
    performed_reset: Option<Vec<StreamId>>,
}

impl Receiver {
    /// A receiver for a peer whose first TSN is `peer_initial_tsn`.
    pub fn new(peer_initial_tsn: Tsn, config: ReceiverConfig) -> Self {
        Self {
            tracker: DataTracker::with_config(peer_initial_tsn, config.tracker),
            reassembly: ReassemblyQueue::new(
                config.max_buffered_bytes,
                config.max_message_size,
                config.interleaving,
            ),
            performed_reset: None,
        }
    }

    /// Takes one DATA or I-DATA chunk (whichever was negotiated; the
    /// association checks the chunk type). Call [`Self::handle_packet_end`]
    /// after the packet's last chunk.
    ///
    /// # Errors
    ///
    /// [`ReassemblyError::MessageTooLarge`]: the association should abort.
    /// The chunk's TSN has been acknowledged.
    pub fn handle_data(
        &mut self,
        now: Instant,
        chunk: DataChunk,
    ) -> Result<DataOutcome, ReassemblyError> {
        let tsn = chunk.tsn;
        if self.tracker.classify(tsn) == TsnClass::New
            && !self.reassembly.can_accept(
                chunk.data.payload.len(),
                self.tracker.will_advance_cum_ack(tsn),
            )
        {
            // Not observed, so not acknowledged: the peer will resend it.
            self.tracker.note_refused();
            return Ok(DataOutcome::NoBufferSpace);
        }
        if !self.tracker.observe(now, tsn, chunk.immediate_ack) {
            return Ok(match self.tracker.classify(tsn) {
                TsnClass::Duplicate => DataOutcome::Duplicate,
                _ => DataOutcome::Refused,
            });
        }
        self.reassembly.add(tsn, chunk.data)?;
        self.apply_deferred_reset()?;
        Ok(DataOutcome::Accepted)
    }

    /// Ends a packet that carried DATA/I-DATA chunks (see
    /// [`DataTracker::observe_packet_end`]).
    pub fn handle_packet_end(&mut self, now: Instant) -> PacketSummary {
        self.tracker.observe_packet_end(now)
    }

    /// FORWARD-TSN (RFC 3758 §3.6). A receiver that negotiated I-DATA
    /// ignores it; the association decides whether that is worth an abort.
    ///
    /// # Errors
    ///
    /// As [`ReassemblyQueue::apply_deferred_reset`].
    pub fn handle_forward_tsn(&mut self, chunk: &ForwardTsnChunk) -> Result<(), ReassemblyError> {
        if self.reassembly.is_interleaved() {
            return Ok(());
        }
        self.tracker.handle_forward_tsn(chunk.new_cumulative_tsn);
        // Data held for a deferred reset goes in before anything is dropped.
        self.apply_deferred_reset()?;
        self.reassembly
            .handle_forward_tsn(chunk.new_cumulative_tsn, &chunk.skipped_streams);
        Ok(())
    }

    /// I-FORWARD-TSN (RFC 8260 §2.3.2). A receiver that negotiated DATA
    /// ignores it.
    ///
    /// # Errors
    ///
    /// As [`ReassemblyQueue::apply_deferred_reset`].
    pub fn handle_iforward_tsn(&mut self, chunk: &IForwardTsnChunk) -> Result<(), ReassemblyError> {
        if !self.reassembly.is_interleaved() {
            return Ok(());
        }
        self.tracker.handle_forward_tsn(chunk.new_cumulative_tsn);
        self.apply_deferred_reset()?;
        self.reassembly
            .handle_iforward_tsn(chunk.new_cumulative_tsn, &chunk.skipped);
        Ok(())
    }

    /// An Outgoing SSN Reset Request from the peer (RFC 6525 §5.2.2): reset
    /// `streams` (all if empty) now if everything up to
    /// `sender_last_assigned_tsn` has arrived, otherwise once it has.
    ///
    /// Call once per new request: the association recognises a repeated
    /// request by its request sequence number and answers it from
    /// [`Self::has_deferred_reset`] instead.
    ///
    /// # Errors
    ///
    /// [`ReassemblyError::ResetAlreadyDeferred`] if a different reset is
    /// still deferred.
    pub fn handle_reset_request(
        &mut self,
        sender_last_assigned_tsn: Tsn,
        streams: &[StreamId],
    ) -> Result<ResetProgress, ReassemblyError> {
        if self
            .tracker
            .cumulative_tsn_ack()
            .is_after_or_eq(sender_last_assigned_tsn)
            && !self.reassembly.has_deferred_reset()
        {
            self.reassembly.reset_streams(streams);
            return Ok(ResetProgress::Performed);
        }
        self.reassembly
            .defer_reset_streams(sender_last_assigned_tsn, streams)?;
        self.apply_deferred_reset()?;
        Ok(if self.reassembly.has_deferred_reset() {
            ResetProgress::Deferred
        } else {
            ResetProgress::Performed
        })
    }

    /// Whether a deferred stream reset is still waiting for data.
    pub fn has_deferred_reset(&self) -> bool {
        self.reassembly.has_deferred_reset()
    }

    /// The streams (empty: all) of the deferred reset applied since the
    /// last call, if one was, for the "streams reset" notification.
    pub fn poll_reset_performed(&mut self) -> Option<Vec<StreamId>> {
        self.performed_reset.take()
    }

    /// The next complete message.
    pub fn poll_message(&mut self) -> Option<ReceivedMessage> {
        self.reassembly.poll_message()
    }

    /// Whether a SACK should be sent now.
    pub fn should_send_sack(&self) -> bool {
        self.tracker.should_send_sack()
    }

    /// The SACK to send, with the current window.
    pub fn create_sack(&mut self) -> SackChunk {
        let a_rwnd = self.reassembly.a_rwnd();
        self.tracker.create_sack(a_rwnd)
    }

    /// The delayed-ack timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.tracker.poll_timeout()
    }

    /// Fires the delayed-ack timer if due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tracker.handle_timeout(now);
    }

    /// The cumulative TSN ack (for SACK and SHUTDOWN).
    pub fn cumulative_tsn_ack(&self) -> Tsn {
        self.tracker.cumulative_tsn_ack()
    }

    /// The receive window to advertise.
    pub fn a_rwnd(&self) -> u32 {
        self.reassembly.a_rwnd()
    }

    /// The data tracker, for inspection.
    pub fn tracker(&self) -> &DataTracker {
        &self.tracker
    }

    /// The reassembly queue, for inspection.
    pub fn reassembly(&self) -> &ReassemblyQueue {
        &self.reassembly
    }

    fn apply_deferred_reset(&mut self) -> Result<(), ReassemblyError> {
        if !self.reassembly.has_deferred_reset() {
            return Ok(());
        }
        let cum = self.tracker.cumulative_tsn_ack();
        let Some(applied) = self.reassembly.apply_deferred_reset(cum) else {
            return Ok(());
        };
        self.performed_reset = Some(applied.streams);
        applied.replay_error.map_or(Ok(()), Err)
    }
}
