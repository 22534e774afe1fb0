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
    /// Delivered messages occupy the window until [`Receiver::release`].
    /// Default: false (freed on delivery).
    pub hold_delivered: bool,
    /// SACK timing and TSN bookkeeping limits.
    pub tracker: DataTrackerConfig,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            max_buffered_bytes: 4 << 20,
            max_message_size: 256 << 10,
            interleaving: false,
            hold_delivered: false,
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
    /// The window in the last SACK.
    last_advertised: u32,
    /// How much the window must have reopened since the last SACK for a
    /// release to send a window update.
    window_update_step: u32,
    hold_delivered: bool,
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
            )
            .hold_delivered(config.hold_delivered),
            performed_reset: None,
            last_advertised: u32::try_from(config.max_buffered_bytes).unwrap_or(u32::MAX),
            window_update_step: u32::try_from((config.max_buffered_bytes / 4).max(1))
                .unwrap_or(u32::MAX),
            hold_delivered: config.hold_delivered,
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
        let new_cum = chunk.new_cumulative_tsn;
        self.forward(new_cum, |q| {
            q.handle_forward_tsn(new_cum, &chunk.skipped_streams)
        })
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
        let new_cum = chunk.new_cumulative_tsn;
        self.forward(new_cum, |q| q.handle_iforward_tsn(new_cum, &chunk.skipped))
    }

    /// Moves the cumulative ack to `new_cum` and lets `skip` update
    /// reassembly, in the right order with respect to a deferred reset:
    /// skipped SSNs/MIDs of a FORWARD-TSN that ends at or before the
    /// reset's TSN belong to the old sequence, so they go in before the
    /// reset; one that ends after it was built after the reset, so its
    /// skips go in after.
    fn forward(
        &mut self,
        new_cum: Tsn,
        skip: impl FnOnce(&mut ReassemblyQueue),
    ) -> Result<(), ReassemblyError> {
        let after_reset = self
            .reassembly
            .deferred_reset_tsn()
            .is_some_and(|last| new_cum.is_after(last));
        self.tracker.handle_forward_tsn(new_cum);
        if after_reset {
            self.apply_deferred_reset()?;
            skip(&mut self.reassembly);
            Ok(())
        } else {
            skip(&mut self.reassembly);
            self.apply_deferred_reset()
        }
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
        self.last_advertised = a_rwnd;
        self.tracker.create_sack(a_rwnd)
    }

    /// The application read `messages` delivered messages of `bytes`
    /// payload in all (with [`ReceiverConfig::hold_delivered`]); each is
    /// charged its payload and a fixed overhead until then. When the window has reopened by
    /// a quarter of the buffer since the last SACK, a SACK (window update,
    /// RFC 9260 §6.2) becomes due so that a peer that stopped on a closed
    /// window resumes without waiting for a probe. Returns whether it did.
    pub fn release(&mut self, bytes: usize, messages: usize) -> bool {
        if !self.hold_delivered {
            return false;
        }
        self.reassembly.release(bytes, messages);
        let reopened = self
            .reassembly
            .a_rwnd()
            .saturating_sub(self.last_advertised);
        if reopened >= self.window_update_step {
            self.tracker.request_sack();
            return true;
        }
        false
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

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::chunk::forward_tsn::SkippedStream;
    use crate::chunk::iforward_tsn::SkippedMessage;
    use crate::types::{Data, Mid, Ppid, Ssn};

    fn chunk(tsn: u32, stream: u16, ssn: u16, b: bool, e: bool, len: usize) -> DataChunk {
        DataChunk {
            tsn: Tsn(tsn),
            immediate_ack: false,
            data: Data {
                stream_id: StreamId(stream),
                ssn: Ssn(ssn),
                mid: Mid(u32::from(ssn)),
                ppid: Ppid(53),
                payload: Bytes::from(vec![tsn as u8; len]),
                is_beginning: b,
                is_end: e,
                ..Data::default()
            },
        }
    }

    fn whole(tsn: u32, stream: u16, ssn: u16) -> DataChunk {
        chunk(tsn, stream, ssn, true, true, 10)
    }

    fn small(max_buffered_bytes: usize) -> ReceiverConfig {
        ReceiverConfig {
            max_buffered_bytes,
            max_message_size: 1000,
            ..ReceiverConfig::default()
        }
    }

    fn drain(r: &mut Receiver) -> Vec<u8> {
        std::iter::from_fn(|| r.poll_message())
            .map(|m| m.payload[0])
            .collect()
    }

    #[test]
    fn held_messages_keep_the_window_closed_until_released() {
        let now = Instant::now();
        let config = ReceiverConfig {
            max_buffered_bytes: 4000,
            max_message_size: 1000,
            hold_delivered: true,
            ..ReceiverConfig::default()
        };
        let mut r = Receiver::new(Tsn(0), config);
        for tsn in 0..3u16 {
            let c = chunk(u32::from(tsn), 0, tsn, true, true, 1000);
            assert_eq!(r.handle_data(now, c), Ok(DataOutcome::Accepted));
        }
        r.handle_packet_end(now);
        assert_eq!(drain(&mut r), vec![0, 1, 2]);
        // Delivered but unread: still charged, with the per-message
        // overhead.
        assert_eq!(r.create_sack().a_rwnd, 1000 - 3 * 64);
        assert!(
            !r.release(500, 0),
            "less than a quarter reopened: no update"
        );
        assert!(!r.should_send_sack());
        assert!(
            r.release(500, 1),
            "a quarter reopened: a window update is due"
        );
        assert!(r.should_send_sack());
        assert_eq!(r.create_sack().a_rwnd, 2000 - 2 * 64);
        r.release(1_000_000, 9);
        assert_eq!(r.a_rwnd(), 4000, "releasing too much is harmless");
    }

    #[test]
    fn in_order_data_is_delivered_and_acked() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(100), ReceiverConfig::default());
        assert_eq!(
            r.handle_data(now, whole(100, 0, 0)),
            Ok(DataOutcome::Accepted)
        );
        r.handle_packet_end(now);
        assert!(!r.should_send_sack());
        assert!(r.poll_timeout().is_some());
        assert_eq!(
            r.handle_data(now, whole(101, 0, 1)),
            Ok(DataOutcome::Accepted)
        );
        r.handle_packet_end(now);
        assert!(r.should_send_sack());
        assert_eq!(drain(&mut r), vec![100, 101]);
        let sack = r.create_sack();
        assert_eq!(sack.cumulative_tsn_ack, Tsn(101));
        assert_eq!(sack.a_rwnd, 4 << 20);
        assert_eq!(r.cumulative_tsn_ack(), Tsn(101));
    }

    #[test]
    fn a_chunk_without_room_is_neither_stored_nor_acked() {
        let now = Instant::now();
        // Room for two 100-byte fragments with their overhead, not three.
        let mut r = Receiver::new(Tsn(1), small(400));
        assert_eq!(
            r.handle_data(now, chunk(2, 0, 0, false, false, 100)),
            Ok(DataOutcome::Accepted)
        );
        assert_eq!(
            r.handle_data(now, chunk(3, 0, 0, false, false, 100)),
            Ok(DataOutcome::Accepted)
        );
        assert_eq!(
            r.handle_data(now, chunk(5, 0, 1, true, true, 100)),
            Ok(DataOutcome::NoBufferSpace)
        );
        let summary = r.handle_packet_end(now);
        assert_eq!((summary.new, summary.refused), (2, 1));
        assert!(r.should_send_sack());
        let sack = r.create_sack();
        assert_eq!(sack.gap_ack_blocks.len(), 1, "TSN 5 must not be acked");
        assert_eq!(sack.gap_ack_blocks[0].end, 3);
        // The chunk at the cum ack still gets in: it completes the message.
        assert_eq!(
            r.handle_data(now, chunk(1, 0, 0, true, false, 100)),
            Ok(DataOutcome::Accepted)
        );
        assert_eq!(
            r.handle_data(now, chunk(4, 0, 0, false, true, 1)),
            Ok(DataOutcome::Accepted)
        );
        assert_eq!(drain(&mut r), vec![1]);
        // The resent chunk is taken now.
        assert_eq!(
            r.handle_data(now, chunk(5, 0, 1, true, true, 100)),
            Ok(DataOutcome::Accepted)
        );
        assert_eq!(r.cumulative_tsn_ack(), Tsn(5));
    }

    #[test]
    fn duplicates_and_far_tsns_are_reported_as_such() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(0), ReceiverConfig::default());
        r.handle_data(now, whole(0, 0, 0)).unwrap();
        assert_eq!(
            r.handle_data(now, whole(0, 0, 0)),
            Ok(DataOutcome::Duplicate)
        );
        assert_eq!(
            r.handle_data(now, whole(1 << 20, 0, 1)),
            Ok(DataOutcome::Refused)
        );
        let s = r.handle_packet_end(now);
        assert!(!s.all_duplicates());
        assert_eq!(r.create_sack().duplicate_tsns, vec![Tsn(0)]);
        assert_eq!(drain(&mut r), vec![0]);
    }

    #[test]
    fn forward_tsn_moves_the_ack_and_unblocks_the_stream() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        // TSN 1 (SSN 0) abandoned; TSN 2 (SSN 1) arrived.
        r.handle_data(now, whole(2, 4, 1)).unwrap();
        r.handle_packet_end(now);
        r.create_sack();
        let fwd = ForwardTsnChunk {
            new_cumulative_tsn: Tsn(1),
            skipped_streams: vec![SkippedStream {
                stream_id: StreamId(4),
                ssn: Ssn(0),
            }],
        };
        r.handle_forward_tsn(&fwd).unwrap();
        assert!(r.should_send_sack());
        assert_eq!(r.cumulative_tsn_ack(), Tsn(2));
        assert_eq!(drain(&mut r), vec![2]);
        // An I-FORWARD-TSN is ignored by a DATA receiver.
        let ifwd = IForwardTsnChunk {
            new_cumulative_tsn: Tsn(50),
            skipped: vec![],
        };
        r.handle_iforward_tsn(&ifwd).unwrap();
        assert_eq!(r.cumulative_tsn_ack(), Tsn(2));
    }

    #[test]
    fn iforward_tsn_drives_an_interleaving_receiver() {
        let now = Instant::now();
        let config = ReceiverConfig {
            interleaving: true,
            ..ReceiverConfig::default()
        };
        let mut r = Receiver::new(Tsn(1), config);
        r.handle_data(now, whole(2, 4, 1)).unwrap();
        let ifwd = IForwardTsnChunk {
            new_cumulative_tsn: Tsn(1),
            skipped: vec![SkippedMessage {
                stream_id: StreamId(4),
                unordered: false,
                mid: Mid(0),
            }],
        };
        r.handle_iforward_tsn(&ifwd).unwrap();
        assert_eq!(r.cumulative_tsn_ack(), Tsn(2));
        assert_eq!(drain(&mut r), vec![2]);
        // A FORWARD-TSN is ignored.
        let fwd = ForwardTsnChunk {
            new_cumulative_tsn: Tsn(40),
            skipped_streams: vec![],
        };
        r.handle_forward_tsn(&fwd).unwrap();
        assert_eq!(r.cumulative_tsn_ack(), Tsn(2));
    }

    #[test]
    fn stream_reset_is_immediate_when_everything_has_arrived() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        r.handle_data(now, whole(1, 3, 0)).unwrap();
        assert_eq!(
            r.handle_reset_request(Tsn(1), &[StreamId(3)]),
            Ok(ResetProgress::Performed)
        );
        assert_eq!(
            r.poll_reset_performed(),
            None,
            "reported by the return value"
        );
        r.handle_data(now, whole(2, 3, 0)).unwrap();
        assert_eq!(drain(&mut r), vec![1, 2]);
    }

    #[test]
    fn stream_reset_waits_for_the_senders_last_tsn() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        r.handle_data(now, whole(1, 3, 0)).unwrap();
        // The peer reset stream 3 after TSN 3; TSN 2 and 3 are in flight.
        assert_eq!(
            r.handle_reset_request(Tsn(3), &[StreamId(3)]),
            Ok(ResetProgress::Deferred)
        );
        assert!(r.has_deferred_reset());
        r.handle_data(now, whole(4, 3, 0)).unwrap(); // new SSN 0
        r.handle_data(now, whole(3, 3, 2)).unwrap();
        assert_eq!(drain(&mut r), vec![1]);
        assert_eq!(r.poll_reset_performed(), None);
        r.handle_data(now, whole(2, 3, 1)).unwrap();
        assert!(!r.has_deferred_reset());
        assert_eq!(r.poll_reset_performed(), Some(vec![StreamId(3)]));
        assert_eq!(drain(&mut r), vec![2, 3, 4]);
        assert_eq!(r.reassembly().buffered_bytes(), 0);
    }

    #[test]
    fn deferred_reset_completes_through_forward_tsn() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        assert_eq!(
            r.handle_reset_request(Tsn(2), &[]),
            Ok(ResetProgress::Deferred)
        );
        r.handle_data(now, whole(3, 8, 0)).unwrap();
        assert_eq!(drain(&mut r), Vec::<u8>::new());
        // TSN 1-2 were abandoned.
        let fwd = ForwardTsnChunk {
            new_cumulative_tsn: Tsn(2),
            skipped_streams: vec![],
        };
        r.handle_forward_tsn(&fwd).unwrap();
        assert_eq!(r.poll_reset_performed(), Some(vec![]));
        assert_eq!(drain(&mut r), vec![3]);
        assert_eq!(r.cumulative_tsn_ack(), Tsn(3));
    }

    #[test]
    fn delayed_ack_timer_round_trip() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        r.handle_data(now, whole(1, 0, 0)).unwrap();
        r.handle_packet_end(now);
        let t = r.poll_timeout().unwrap();
        r.handle_timeout(t);
        assert!(r.should_send_sack());
        assert_eq!(r.poll_timeout(), None);
        assert_eq!(r.a_rwnd(), (4 << 20) - 10 - 64);
        assert_eq!(r.tracker().cumulative_tsn_ack(), Tsn(1));
    }

    #[test]
    fn forward_tsn_up_to_the_reset_skips_in_the_old_sequence() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        // Old sequence: SSN 0 at TSN 1, SSN 1 at TSN 2 (abandoned), SSN 2 at TSN 3.
        r.handle_data(now, whole(1, 1, 0)).unwrap();
        r.handle_data(now, whole(3, 1, 2)).unwrap();
        assert_eq!(
            r.handle_reset_request(Tsn(3), &[StreamId(1)]),
            Ok(ResetProgress::Deferred)
        );
        // New sequence: SSN 0 at TSN 4.
        r.handle_data(now, whole(4, 1, 0)).unwrap();
        let fwd = ForwardTsnChunk {
            new_cumulative_tsn: Tsn(2),
            skipped_streams: vec![SkippedStream {
                stream_id: StreamId(1),
                ssn: Ssn(1),
            }],
        };
        r.handle_forward_tsn(&fwd).unwrap();
        assert_eq!(r.poll_reset_performed(), Some(vec![StreamId(1)]));
        assert_eq!(drain(&mut r), vec![1, 3, 4]);
        // Had the skip landed in the new sequence, SSN 1 would now be "old".
        r.handle_data(now, whole(5, 1, 1)).unwrap();
        assert_eq!(drain(&mut r), vec![5]);
    }

    #[test]
    fn forward_tsn_past_the_reset_skips_in_the_new_sequence() {
        let now = Instant::now();
        let mut r = Receiver::new(Tsn(1), ReceiverConfig::default());
        r.handle_data(now, whole(1, 1, 0)).unwrap();
        // TSN 2 (old SSN 1) in flight when the peer resets after it.
        assert_eq!(
            r.handle_reset_request(Tsn(2), &[StreamId(1)]),
            Ok(ResetProgress::Deferred)
        );
        // New SSN 1 at TSN 4 arrives; TSN 2 and new SSN 0 at TSN 3 are
        // abandoned, and one FORWARD-TSN skips both.
        r.handle_data(now, whole(4, 1, 1)).unwrap();
        assert_eq!(drain(&mut r), vec![1]);
        let fwd = ForwardTsnChunk {
            new_cumulative_tsn: Tsn(3),
            skipped_streams: vec![SkippedStream {
                stream_id: StreamId(1),
                ssn: Ssn(0),
            }],
        };
        r.handle_forward_tsn(&fwd).unwrap();
        assert_eq!(r.poll_reset_performed(), Some(vec![StreamId(1)]));
        assert_eq!(r.cumulative_tsn_ack(), Tsn(4));
        assert_eq!(drain(&mut r), vec![4]);
    }
}
