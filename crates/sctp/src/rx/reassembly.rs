//! The reassembly queue: fragments in, whole messages out, in stream order
//! where the sender asked for it, inside a fixed memory budget.
//!
//! # Contract with the data tracker
//!
//! A TSN the association acknowledges must never be lost, so the order of
//! calls for each DATA/I-DATA chunk is:
//!
//! 1. if the [`DataTracker`](super::DataTracker) classifies the TSN as new,
//!    ask [`ReassemblyQueue::can_accept`]; if it says no, drop the chunk
//!    *without* calling `observe` (the TSN stays unacknowledged and the peer
//!    retransmits it), and tell the tracker with `note_refused`;
//! 2. call `DataTracker::observe`; only if it returns `true` (new TSN) pass
//!    the chunk to [`ReassemblyQueue::add`].
//!
//! [`Receiver`](super::Receiver) does exactly this.
//!
//! # Memory
//!
//! Everything held is charged its payload plus a fixed per-fragment
//! overhead: fragments under reassembly, complete ordered messages waiting
//! for their turn, messages waiting for [`ReassemblyQueue::poll_message`],
//! data held back by a deferred stream reset and, when holding, messages
//! delivered and not yet released (per message).
//! [`ReassemblyQueue::buffered_bytes`] is that charge; the advertised
//! receive window is `max_bytes - buffered_bytes`.
//!
//! Because peers count only payload against the window, the per-fragment
//! charge can fill the budget before the peer thinks it has. A chunk that
//! fills the hole at the cumulative ack is then still taken, up to
//! `max_bytes + max_message_size`: refusing it could leave the receiver
//! stuck with a full buffer waiting for exactly that chunk. Nothing is ever
//! held beyond that hard limit.
//!
//! The buffer must also hold every message the peer has in progress at
//! once: with I-DATA that is one per stream it interleaves. A buffer
//! smaller than that fills with parts of messages none of which can finish.

use crate::chunk::forward_tsn::SkippedStream;
use crate::chunk::iforward_tsn::SkippedMessage;
use crate::types::{Data, StreamId, Tsn};

use super::data_assembler::DataAssembler;
use super::idata_assembler::IDataAssembler;
use super::message::{Assembled, OVERHEAD, Outbox, ReceivedMessage};
use super::ordered_streams::OrderedStreams;
use super::seq::{BASE, unwrap_near};

/// Why a fragment or request was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReassemblyError {
    /// A message grew past the configured maximum message size. What was
    /// held of it is gone; the association should abort (RFC 8831 §6.6: a
    /// receiver cannot deliver it) or at least not expect it.
    #[error("a message on stream {stream_id:?} exceeds the maximum message size of {max} bytes")]
    MessageTooLarge {
        /// The stream the message was on.
        stream_id: StreamId,
        /// The configured maximum.
        max: usize,
    },
    /// The fragment would take the queue past its hard memory limit. Only a
    /// caller that skipped [`ReassemblyQueue::can_accept`] sees this; the
    /// fragment was not stored.
    #[error("reassembly buffer full")]
    BufferFull,
    /// A deferred stream reset is already waiting; RFC 6525 lets a peer
    /// have one reset request in flight, so a second one is a different
    /// request the association must answer itself (e.g. "in progress").
    #[error("a deferred stream reset is already pending")]
    ResetAlreadyDeferred,
}

/// A deferred stream reset that has just been applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedReset {
    /// The streams reset (sorted; empty: all).
    pub streams: Vec<StreamId>,
    /// The first error a replayed held-back fragment caused, if any (the
    /// reset was applied and every fragment replayed regardless).
    pub replay_error: Option<ReassemblyError>,
}

#[derive(Debug)]
enum Assembler {
    Data(DataAssembler),
    IData(IDataAssembler),
}

/// A stream reset waiting for the cumulative ack to reach the peer's last
/// TSN before it (RFC 6525 §5.2.2), and the data that came after it.
#[derive(Debug)]
struct DeferredReset {
    last_tsn: Tsn,
    /// Sorted; empty means every stream.
    streams: Vec<StreamId>,
    held: Vec<(Tsn, Data)>,
    cost: usize,
}

impl DeferredReset {
    fn covers(&self, stream_id: StreamId) -> bool {
        self.streams.is_empty() || self.streams.binary_search(&stream_id).is_ok()
    }
}

/// Turns DATA or I-DATA fragments into messages (RFC 9260 §6.5–6.6, §6.9;
/// RFC 8260 §2.1–2.3; RFC 3758 §3.6; RFC 6525 §5.2.2).
#[derive(Debug)]
pub struct ReassemblyQueue {
    max_bytes: usize,
    hard_limit: usize,
    assembler: Assembler,
    ordered: OrderedStreams,
    out: Outbox,
    /// Highest lifted TSN seen; the reference TSNs are lifted next to.
    tsn_ref: Option<u64>,
    deferred: Option<DeferredReset>,
    /// Charge delivered messages until [`Self::release`] (application flow
    /// control; see [`Self::hold_delivered`]).
    hold_delivered: bool,
    /// Bytes of messages handed out and not yet released.
    unread: usize,
}

impl ReassemblyQueue {
    /// A queue holding at most about `max_bytes` (see the module notes),
    /// refusing messages over `max_message_size`, for I-DATA chunks if
    /// `interleaving` (RFC 8260), DATA chunks otherwise.
    pub fn new(max_bytes: usize, max_message_size: usize, interleaving: bool) -> Self {
        let (assembler, bits) = if interleaving {
            (Assembler::IData(IDataAssembler::new(max_message_size)), 32)
        } else {
            (Assembler::Data(DataAssembler::new(max_message_size)), 16)
        };
        Self {
            max_bytes,
            hard_limit: max_bytes.saturating_add(max_message_size),
            assembler,
            ordered: OrderedStreams::new(bits),
            out: Outbox::new(),
            tsn_ref: None,
            deferred: None,
            hold_delivered: false,
            unread: 0,
        }
    }

    /// Keeps every message handed out by [`Self::poll_message`] charged
    /// (its payload length) until the application gives the bytes back
    /// with [`Self::release`]: the advertised window then follows what the
    /// application has read, so a slow reader slows the peer down instead
    /// of growing memory.
    pub fn hold_delivered(mut self, hold: bool) -> Self {
        self.hold_delivered = hold;
        self
    }

    /// The application has read `messages` delivered messages of `bytes`
    /// payload in all (more than is held is ignored).
    pub fn release(&mut self, bytes: usize, messages: usize) {
        let charge = bytes.saturating_add(messages.saturating_mul(OVERHEAD));
        self.unread = self.unread.saturating_sub(charge);
    }

    /// Bytes delivered and not yet released (0 unless holding).
    pub fn unread_bytes(&self) -> usize {
        self.unread
    }

    /// Whether this queue reassembles I-DATA (true) or DATA (false).
    pub fn is_interleaved(&self) -> bool {
        matches!(self.assembler, Assembler::IData(_))
    }

    /// Whether a fragment with `payload_len` bytes fits. Set
    /// `advances_cum_ack` when its TSN is the cumulative ack + 1
    /// ([`DataTracker::will_advance_cum_ack`](super::DataTracker::will_advance_cum_ack)):
    /// such a chunk may go past `max_bytes`, up to the hard limit.
    pub fn can_accept(&self, payload_len: usize, advances_cum_ack: bool) -> bool {
        let limit = if advances_cum_ack {
            self.hard_limit
        } else {
            self.max_bytes
        };
        self.buffered_bytes()
            .saturating_add(payload_len)
            .saturating_add(OVERHEAD)
            <= limit
    }

    /// The memory charged for everything held (see the module notes).
    pub fn buffered_bytes(&self) -> usize {
        let assembling = match &self.assembler {
            Assembler::Data(a) => a.cost,
            Assembler::IData(a) => a.cost,
        };
        assembling
            + self.ordered.cost
            + self.out.cost
            + self.deferred.as_ref().map_or(0, |d| d.cost)
            + self.unread
    }

    /// The receive window to advertise: what is left of `max_bytes`.
    pub fn a_rwnd(&self) -> u32 {
        u32::try_from(self.max_bytes.saturating_sub(self.buffered_bytes())).unwrap_or(u32::MAX)
    }

    /// Fragments and messages thrown away because the peer sent something
    /// inconsistent, repeated, stale or abandoned. For statistics.
    pub fn discarded(&self) -> u64 {
        let a = match &self.assembler {
            Assembler::Data(a) => a.discarded,
            Assembler::IData(a) => a.discarded,
        };
        a + self.ordered.dropped
    }

    /// Stores a fragment the data tracker reported as new (see the module
    /// notes for the call order). Completed messages become available from
    /// [`Self::poll_message`]: unordered ones at once, ordered ones when
    /// every earlier message of their stream has been delivered or skipped.
    ///
    /// DATA fragments are matched by TSN, stream and SSN; I-DATA fragments
    /// by stream, U bit and MID, in FSN order, the B fragment counting as
    /// FSN 0. Fragments that contradict what is held are discarded (and
    /// counted in [`Self::discarded`]) rather than reported: a broken peer
    /// stalls only its own messages.
    ///
    /// # Errors
    ///
    /// [`ReassemblyError::MessageTooLarge`] when the message this fragment
    /// belongs to exceeds `max_message_size` (what was held of it is
    /// dropped), and [`ReassemblyError::BufferFull`] when storing it would
    /// pass the hard memory limit (nothing is stored).
    pub fn add(&mut self, tsn: Tsn, data: Data) -> Result<(), ReassemblyError> {
        let charge = data.payload.len() + OVERHEAD;
        if self.buffered_bytes().saturating_add(charge) > self.hard_limit {
            return Err(ReassemblyError::BufferFull);
        }
        if let Some(d) = &mut self.deferred
            && tsn.is_after(d.last_tsn)
            && d.covers(data.stream_id)
        {
            // Sent after the reset request: its SSN/MID count from 0 again,
            // so it must wait until the reset is applied.
            d.cost += charge;
            d.held.push((tsn, data));
            return Ok(());
        }
        let t = self.lift(tsn);
        let done = match &mut self.assembler {
            Assembler::Data(a) => a.add(t, data)?,
            Assembler::IData(a) => a.add(data)?,
        };
        if let Some(m) = done {
            self.deliver(m);
        }
        Ok(())
    }

    /// The next complete message, in delivery order.
    pub fn poll_message(&mut self) -> Option<ReceivedMessage> {
        let m = self.out.pop()?;
        if self.hold_delivered {
            // The per-message overhead stays charged too: a flood of small
            // messages the application has not read yet would otherwise
            // cost many times the window in memory.
            self.unread += m.payload.len() + OVERHEAD;
        }
        Some(m)
    }

    /// Messages ready for [`Self::poll_message`].
    pub fn ready_messages(&self) -> usize {
        self.out.len()
    }

    /// FORWARD-TSN (RFC 3758 §3.6), after the data tracker took it: drops
    /// every partially received message that still misses a TSN at or
    /// below `new_cumulative_tsn`, delivers complete ordered messages up to
    /// each skipped SSN, moves those streams past it and delivers what that
    /// unblocks. Ignored by an I-DATA queue (the peer must use I-FORWARD-TSN).
    pub fn handle_forward_tsn(&mut self, new_cumulative_tsn: Tsn, skipped: &[SkippedStream]) {
        let t = self.lift(new_cumulative_tsn);
        let Assembler::Data(a) = &mut self.assembler else {
            return;
        };
        a.forget_up_to(t);
        for s in skipped {
            self.ordered
                .skip(s.stream_id, u32::from(s.ssn.0), &mut self.out);
        }
    }

    /// I-FORWARD-TSN (RFC 8260 §2.3.2): for each skipped (stream, U, MID),
    /// drops what is held of messages up to that MID in that MID space; for
    /// ordered ones also delivers complete messages up to it, moves the
    /// stream past it and delivers what that unblocks. Ignored by a DATA
    /// queue (the peer must use FORWARD-TSN).
    pub fn handle_iforward_tsn(&mut self, new_cumulative_tsn: Tsn, skipped: &[SkippedMessage]) {
        self.lift(new_cumulative_tsn);
        let Assembler::IData(a) = &mut self.assembler else {
            return;
        };
        for s in skipped {
            a.forget_up_to(s.stream_id, s.unordered, s.mid);
            if !s.unordered {
                self.ordered.skip(s.stream_id, s.mid.0, &mut self.out);
            }
        }
    }

    /// Resets the incoming sequence of `streams` (every stream if empty) to
    /// SSN/MID 0 (RFC 6525 §5.2.2). Complete ordered messages still waiting
    /// are delivered first; incomplete ones are dropped.
    ///
    /// Contract: call this only once the cumulative ack has reached the
    /// request's "sender's last assigned TSN", so that everything sent
    /// before the reset has arrived; otherwise use
    /// [`Self::defer_reset_streams`].
    pub fn reset_streams(&mut self, streams: &[StreamId]) {
        if streams.is_empty() {
            self.ordered.reset_all(&mut self.out);
            match &mut self.assembler {
                Assembler::Data(a) => a.forget_streams(|_| true),
                Assembler::IData(a) => a.forget_streams(|_| true),
            }
            return;
        }
        // A peer chooses the list's length: look streams up by bisection.
        let mut sorted = streams.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for &s in &sorted {
            self.ordered.reset(s, &mut self.out);
        }
        let doomed = |s: StreamId| sorted.binary_search(&s).is_ok();
        match &mut self.assembler {
            Assembler::Data(a) => a.forget_streams(doomed),
            Assembler::IData(a) => a.forget_streams(doomed),
        }
    }

    /// Defers a reset of `streams` (every stream if empty) until the
    /// cumulative ack reaches `sender_last_assigned_tsn` (RFC 6525 §5.2.2,
    /// "deferred reset processing"). Until then, data for those streams
    /// with a later TSN is held back, then replayed after the reset, so
    /// that the new SSN/MID 0 is not mistaken for an old one. Call
    /// [`Self::apply_deferred_reset`] whenever the cumulative ack moves.
    ///
    /// A FORWARD-TSN ending at or before the reset's TSN skips SSNs/MIDs of
    /// the old sequence: pass it to [`Self::handle_forward_tsn`] before
    /// applying the reset. One ending after it was built after the reset:
    /// apply the reset first. [`Receiver`](super::Receiver) does this.
    ///
    /// # Errors
    ///
    /// [`ReassemblyError::ResetAlreadyDeferred`] if another deferred reset
    /// is waiting (the same request again is accepted and changes nothing).
    pub fn defer_reset_streams(
        &mut self,
        sender_last_assigned_tsn: Tsn,
        streams: &[StreamId],
    ) -> Result<(), ReassemblyError> {
        let mut sorted = streams.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if let Some(d) = &self.deferred {
            if d.last_tsn == sender_last_assigned_tsn && d.streams == sorted {
                return Ok(());
            }
            return Err(ReassemblyError::ResetAlreadyDeferred);
        }
        self.deferred = Some(DeferredReset {
            last_tsn: sender_last_assigned_tsn,
            streams: sorted,
            held: Vec::new(),
            cost: 0,
        });
        Ok(())
    }

    /// Whether a deferred reset is still waiting.
    pub fn has_deferred_reset(&self) -> bool {
        self.deferred.is_some()
    }

    /// The "sender's last assigned TSN" of the deferred reset, if one waits.
    pub fn deferred_reset_tsn(&self) -> Option<Tsn> {
        self.deferred.as_ref().map(|d| d.last_tsn)
    }

    /// Applies the deferred reset if `cum_ack` has reached its TSN: resets
    /// the streams, then feeds the held-back data through [`Self::add`].
    /// Returns what was applied, or `None` if nothing was due.
    pub fn apply_deferred_reset(&mut self, cum_ack: Tsn) -> Option<AppliedReset> {
        if !self
            .deferred
            .as_ref()
            .is_some_and(|d| cum_ack.is_after_or_eq(d.last_tsn))
        {
            return None;
        }
        let d = self.deferred.take()?;
        self.reset_streams(&d.streams);
        let mut replay_error = None;
        for (tsn, data) in d.held {
            if let Err(e) = self.add(tsn, data) {
                replay_error.get_or_insert(e);
            }
        }
        Some(AppliedReset {
            streams: d.streams,
            replay_error,
        })
    }

    fn deliver(&mut self, m: Assembled) {
        if m.unordered {
            self.out.push(ReceivedMessage {
                stream_id: m.stream_id,
                ppid: m.ppid,
                payload: m.payload,
                unordered: true,
            });
        } else {
            self.ordered
                .insert(m.stream_id, m.seq, m.ppid, m.payload, &mut self.out);
        }
    }

    /// Lifts a TSN next to the highest seen so far, and moves that forward.
    fn lift(&mut self, tsn: Tsn) -> u64 {
        let r = *self.tsn_ref.get_or_insert(BASE + u64::from(tsn.0));
        let t = unwrap_near(r, tsn.0, 32);
        if t > r {
            self.tsn_ref = Some(t);
        }
        t
    }

    /// Recomputes every charge from scratch; must equal `buffered_bytes`.
    #[cfg(test)]
    pub(crate) fn computed_bytes(&self) -> usize {
        let a = match &self.assembler {
            Assembler::Data(a) => a.computed_cost(),
            Assembler::IData(a) => a.computed_cost(),
        };
        let held = self.deferred.as_ref().map_or(0, |d| {
            d.held.iter().map(|(_, x)| x.payload.len() + OVERHEAD).sum()
        });
        a + self.ordered.computed_cost() + self.out.cost + held
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::types::{Fsn, Mid, Ppid, Ssn};

    fn data(stream: u16, ssn: u16, b: bool, e: bool, payload: &[u8]) -> Data {
        Data {
            stream_id: StreamId(stream),
            ssn: Ssn(ssn),
            ppid: Ppid(53),
            payload: Bytes::copy_from_slice(payload),
            is_beginning: b,
            is_end: e,
            ..Data::default()
        }
    }

    fn unordered(mut d: Data) -> Data {
        d.is_unordered = true;
        d
    }

    fn idata(stream: u16, u: bool, mid: u32, fsn: u32, e: bool, payload: &[u8]) -> Data {
        Data {
            stream_id: StreamId(stream),
            mid: Mid(mid),
            fsn: Fsn(fsn),
            ppid: Ppid(51),
            payload: Bytes::copy_from_slice(payload),
            is_beginning: fsn == 0,
            is_end: e,
            is_unordered: u,
            ..Data::default()
        }
    }

    fn add(q: &mut ReassemblyQueue, tsn: u32, d: Data) {
        q.add(Tsn(tsn), d).expect("accepted");
        assert_eq!(q.buffered_bytes(), q.computed_bytes());
    }

    fn drain(q: &mut ReassemblyQueue) -> Vec<(u16, Vec<u8>)> {
        let v = std::iter::from_fn(|| q.poll_message())
            .map(|m| (m.stream_id.0, m.payload.to_vec()))
            .collect();
        assert_eq!(q.buffered_bytes(), q.computed_bytes());
        v
    }

    #[test]
    fn ordered_messages_wait_for_their_turn_unordered_ones_do_not() {
        let mut q = ReassemblyQueue::new(10_000, 1000, false);
        add(&mut q, 3, data(1, 1, true, false, b"b1"));
        add(&mut q, 4, data(1, 1, false, true, b"b2"));
        add(&mut q, 5, unordered(data(1, 0, true, true, b"u")));
        assert_eq!(drain(&mut q), vec![(1, b"u".to_vec())]);
        assert!(q.buffered_bytes() > 0);
        add(&mut q, 1, data(1, 0, true, false, b"a1"));
        add(&mut q, 2, data(1, 0, false, true, b"a2"));
        assert_eq!(
            drain(&mut q),
            vec![(1, b"a1a2".to_vec()), (1, b"b1b2".to_vec())]
        );
        assert_eq!(q.buffered_bytes(), 0);
        assert_eq!(q.a_rwnd(), 10_000);
    }

    #[test]
    fn received_message_carries_stream_ppid_and_order_flag() {
        let mut q = ReassemblyQueue::new(10_000, 1000, false);
        add(&mut q, 1, unordered(data(9, 0, true, true, b"x")));
        let m = q.poll_message().unwrap();
        assert_eq!(
            m,
            ReceivedMessage {
                stream_id: StreamId(9),
                ppid: Ppid(53),
                payload: Bytes::from_static(b"x"),
                unordered: true,
            }
        );
    }

    #[test]
    fn messages_are_charged_until_polled_and_the_window_follows() {
        let mut q = ReassemblyQueue::new(1000, 1000, false);
        add(&mut q, 1, data(1, 0, true, true, &[0; 100]));
        assert_eq!(q.buffered_bytes(), 100 + OVERHEAD);
        assert_eq!(q.a_rwnd(), 1000 - 100 - OVERHEAD as u32);
        assert_eq!(q.ready_messages(), 1);
        q.poll_message();
        assert_eq!(q.a_rwnd(), 1000);
    }

    #[test]
    fn budget_refuses_new_data_but_lets_the_hole_filler_in_up_to_the_hard_limit() {
        let mut q = ReassemblyQueue::new(1000, 1000, false);
        // Out-of-order fragments fill the budget.
        add(&mut q, 2, data(1, 0, false, false, &[0; 400]));
        add(&mut q, 3, data(1, 0, false, true, &[0; 400]));
        assert!(!q.can_accept(200, false));
        assert!(
            q.can_accept(200, true),
            "the chunk at the cum ack may exceed max_bytes"
        );
        assert!(!q.can_accept(1100, true), "but never the hard limit");
        add(&mut q, 1, data(1, 0, true, false, &[0; 200]));
        // Completing it frees everything once polled.
        assert_eq!(drain(&mut q).len(), 1);
        assert_eq!(q.buffered_bytes(), 0);
        // A caller that ignores can_accept still cannot pass the hard limit.
        let mut q = ReassemblyQueue::new(100, 100, false);
        assert_eq!(
            q.add(Tsn(5), data(1, 0, false, false, &[0; 150])),
            Err(ReassemblyError::BufferFull)
        );
        assert_eq!(q.buffered_bytes(), 0);
    }

    #[test]
    fn a_flood_of_tiny_fragments_is_bounded_by_their_overhead() {
        let mut q = ReassemblyQueue::new(64 * 1024, 1 << 20, false);
        let mut stored = 0;
        for tsn in 0..100_000u32 {
            if q.can_accept(1, false) {
                // Middle fragments that never complete.
                add(&mut q, tsn * 2, data(1, 0, false, false, &[1]));
                stored += 1;
            }
        }
        assert!(q.buffered_bytes() <= 64 * 1024);
        assert_eq!(stored, 64 * 1024 / (1 + OVERHEAD));
    }

    #[test]
    fn oversized_message_is_an_error() {
        let mut q = ReassemblyQueue::new(10_000, 10, false);
        let e = q.add(Tsn(1), data(4, 0, true, true, &[0; 11])).unwrap_err();
        assert!(matches!(
            e,
            ReassemblyError::MessageTooLarge {
                stream_id: StreamId(4),
                max: 10
            }
        ));
        q.add(Tsn(2), data(4, 0, true, false, &[0; 6])).unwrap();
        assert!(q.add(Tsn(3), data(4, 0, false, true, &[0; 6])).is_err());
        assert_eq!(q.buffered_bytes(), 0);
        let mut q = ReassemblyQueue::new(10_000, 10, true);
        assert!(
            q.add(Tsn(1), idata(4, false, 0, 0, true, &[0; 11]))
                .is_err()
        );
    }

    #[test]
    fn forward_tsn_drops_dead_fragments_and_unblocks_ordered_streams() {
        let mut q = ReassemblyQueue::new(10_000, 1000, false);
        // Stream 1: SSN 0 at TSN 1-2 (2 lost, abandoned); SSN 1 complete at TSN 3.
        add(&mut q, 1, data(1, 0, true, false, b"lost"));
        add(&mut q, 3, data(1, 1, true, true, b"one"));
        // Unordered message at TSN 4-5, 4 lost and abandoned.
        add(&mut q, 5, unordered(data(2, 0, false, true, b"tail")));
        // A live message at TSN 6-7 whose first half is in.
        add(&mut q, 6, data(3, 0, true, false, b"li"));
        assert!(drain(&mut q).is_empty());
        q.handle_forward_tsn(
            Tsn(5),
            &[SkippedStream {
                stream_id: StreamId(1),
                ssn: Ssn(0),
            }],
        );
        assert_eq!(drain(&mut q), vec![(1, b"one".to_vec())]);
        assert_eq!(
            q.buffered_bytes(),
            2 + OVERHEAD,
            "only the live fragment is left"
        );
        add(&mut q, 7, data(3, 0, false, true, b"ve"));
        assert_eq!(drain(&mut q), vec![(3, b"live".to_vec())]);
        // An I-FORWARD-TSN means nothing to a DATA queue.
        add(&mut q, 9, data(5, 0, true, false, b"x"));
        q.handle_iforward_tsn(Tsn(9), &[]);
        assert_eq!(q.buffered_bytes(), 1 + OVERHEAD);
    }

    #[test]
    fn iforward_tsn_skips_ordered_and_drops_unordered_per_mid_space() {
        let mut q = ReassemblyQueue::new(10_000, 1000, true);
        // Ordered MID 0 partial (abandoned), MID 1 complete and waiting.
        add(&mut q, 1, idata(1, false, 0, 0, false, b"o0"));
        add(&mut q, 2, idata(1, false, 1, 0, true, b"o1"));
        // Unordered MID 0 partial (abandoned) and MID 1 partial (live).
        add(&mut q, 3, idata(1, true, 0, 0, false, b"u0"));
        add(&mut q, 4, idata(1, true, 1, 0, false, b"u1"));
        q.handle_iforward_tsn(
            Tsn(3),
            &[
                SkippedMessage {
                    stream_id: StreamId(1),
                    unordered: false,
                    mid: Mid(0),
                },
                SkippedMessage {
                    stream_id: StreamId(1),
                    unordered: true,
                    mid: Mid(0),
                },
            ],
        );
        assert_eq!(drain(&mut q), vec![(1, b"o1".to_vec())]);
        add(&mut q, 5, idata(1, true, 1, 1, true, b"!"));
        assert_eq!(drain(&mut q), vec![(1, b"u1!".to_vec())]);
        assert_eq!(q.buffered_bytes(), 0);
        // A FORWARD-TSN means nothing to an I-DATA queue.
        add(&mut q, 6, idata(2, false, 0, 0, false, b"x"));
        q.handle_forward_tsn(Tsn(6), &[]);
        assert_eq!(q.buffered_bytes(), 1 + OVERHEAD);
    }

    #[test]
    fn interleaved_ordered_messages_are_delivered_by_mid() {
        let mut q = ReassemblyQueue::new(10_000, 1000, true);
        add(&mut q, 1, idata(1, false, 1, 0, false, b"b"));
        add(&mut q, 2, idata(1, false, 0, 0, false, b"a"));
        add(&mut q, 3, idata(1, false, 1, 1, true, b"B"));
        assert!(drain(&mut q).is_empty());
        add(&mut q, 4, idata(1, false, 0, 1, true, b"A"));
        assert_eq!(
            drain(&mut q),
            vec![(1, b"aA".to_vec()), (1, b"bB".to_vec())]
        );
    }

    #[test]
    fn reset_streams_restarts_sequence_numbers() {
        for interleaving in [false, true] {
            let mut q = ReassemblyQueue::new(10_000, 1000, interleaving);
            let msg = |ssn: u16, p: &[u8]| {
                if interleaving {
                    idata(1, false, u32::from(ssn), 0, true, p)
                } else {
                    data(1, ssn, true, true, p)
                }
            };
            add(&mut q, 1, msg(0, b"a"));
            add(&mut q, 2, msg(1, b"b"));
            // An unfinished old message is dropped by the reset.
            let partial = if interleaving {
                idata(1, false, 2, 0, false, b"c")
            } else {
                data(1, 2, true, false, b"c")
            };
            add(&mut q, 3, partial);
            q.reset_streams(&[StreamId(1)]);
            add(&mut q, 4, msg(0, b"new"));
            assert_eq!(
                drain(&mut q),
                vec![(1, b"a".to_vec()), (1, b"b".to_vec()), (1, b"new".to_vec())]
            );
            assert_eq!(q.buffered_bytes(), 0);
            q.reset_streams(&[]);
            add(&mut q, 5, msg(0, b"again"));
            assert_eq!(drain(&mut q), vec![(1, b"again".to_vec())]);
        }
    }

    #[test]
    fn deferred_reset_holds_new_sequence_data_until_the_old_has_arrived() {
        let mut q = ReassemblyQueue::new(10_000, 1000, false);
        add(&mut q, 1, data(1, 0, true, true, b"old0"));
        // SSN 1 (TSN 2) is late. The peer resets stream 1 after TSN 2 and
        // sends SSN 0 of the new sequence as TSN 3, plus SSN 5 on stream 2.
        q.defer_reset_streams(Tsn(2), &[StreamId(1)]).unwrap();
        assert!(q.has_deferred_reset());
        add(&mut q, 3, data(1, 0, true, true, b"new0"));
        add(&mut q, 4, data(2, 0, true, true, b"other"));
        assert_eq!(
            drain(&mut q),
            vec![(1, b"old0".to_vec()), (2, b"other".to_vec())]
        );
        assert!(q.buffered_bytes() > 0, "held data is charged");
        assert_eq!(q.apply_deferred_reset(Tsn(1)), None, "not yet");
        add(&mut q, 2, data(1, 1, true, true, b"old1"));
        let applied = q.apply_deferred_reset(Tsn(4)).unwrap();
        assert_eq!(applied.streams, vec![StreamId(1)]);
        assert_eq!(applied.replay_error, None);
        assert!(!q.has_deferred_reset());
        assert_eq!(
            drain(&mut q),
            vec![(1, b"old1".to_vec()), (1, b"new0".to_vec())]
        );
        assert_eq!(q.buffered_bytes(), 0);
    }

    #[test]
    fn only_one_deferred_reset_at_a_time() {
        let mut q = ReassemblyQueue::new(10_000, 1000, false);
        q.defer_reset_streams(Tsn(9), &[StreamId(2), StreamId(1)])
            .unwrap();
        q.defer_reset_streams(Tsn(9), &[StreamId(1), StreamId(2), StreamId(1)])
            .unwrap();
        assert_eq!(
            q.defer_reset_streams(Tsn(10), &[StreamId(1)]),
            Err(ReassemblyError::ResetAlreadyDeferred)
        );
        // Data at or before the reset TSN, or on other streams, is not held.
        add(&mut q, 9, data(1, 0, true, true, b"a"));
        add(&mut q, 10, data(3, 0, true, true, b"b"));
        assert_eq!(drain(&mut q).len(), 2);
    }

    #[test]
    fn tsn_lifting_survives_wrap_for_data_fragments() {
        let mut q = ReassemblyQueue::new(10_000, 1000, false);
        add(&mut q, u32::MAX, data(1, 0, false, false, b"b"));
        add(&mut q, 0, data(1, 0, false, true, b"c"));
        add(&mut q, u32::MAX - 1, data(1, 0, true, false, b"a"));
        assert_eq!(drain(&mut q), vec![(1, b"abc".to_vec())]);
    }

    /// One hostile operation on the queue.
    #[derive(Clone, Debug)]
    enum Op {
        Add {
            tsn: u32,
            stream: u16,
            seq: u32,
            fsn: u32,
            len: usize,
            b: bool,
            e: bool,
            u: bool,
        },
        Forward {
            tsn: u32,
            stream: u16,
            seq: u32,
            u: bool,
        },
        Reset(Vec<u16>),
        Defer(u32, Vec<u16>),
        Apply(u32),
        Poll,
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        let small = || prop_oneof![4 => 0u32..6, 1 => any::<u32>()];
        prop_oneof![
            12 => (0u32..40, 0u16..3, small(), small(), 0usize..300, any::<bool>(), any::<bool>(), any::<bool>())
                .prop_map(|(tsn, stream, seq, fsn, len, b, e, u)| Op::Add { tsn, stream, seq, fsn, len, b, e, u }),
            1 => (0u32..40, 0u16..3, small(), any::<bool>()).prop_map(|(tsn, stream, seq, u)| Op::Forward { tsn, stream, seq, u }),
            1 => proptest::collection::vec(0u16..3, 0..3).prop_map(Op::Reset),
            1 => (0u32..40, proptest::collection::vec(0u16..3, 0..3)).prop_map(|(t, s)| Op::Defer(t, s)),
            1 => (0u32..40).prop_map(Op::Apply),
            3 => Just(Op::Poll),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever a peer sends, every byte charged is a byte held, and the
        /// hard limit holds.
        #[test]
        fn charges_match_what_is_held(interleaving: bool, ops in proptest::collection::vec(op(), 0..200)) {
            let mut q = ReassemblyQueue::new(2000, 600, interleaving);
            for op in ops {
                match op {
                    Op::Add { tsn, stream, seq, fsn, len, b, e, u } => {
                        let d = Data {
                            stream_id: StreamId(stream),
                            ssn: Ssn(seq as u16),
                            mid: Mid(seq),
                            fsn: Fsn(fsn),
                            ppid: Ppid(0),
                            payload: Bytes::from(vec![0; len]),
                            is_beginning: b,
                            is_end: e,
                            is_unordered: u,
                        };
                        let _ = q.add(Tsn(tsn), d);
                    }
                    Op::Forward { tsn, stream, seq, u } => {
                        q.handle_forward_tsn(Tsn(tsn), &[SkippedStream { stream_id: StreamId(stream), ssn: Ssn(seq as u16) }]);
                        q.handle_iforward_tsn(Tsn(tsn), &[SkippedMessage { stream_id: StreamId(stream), unordered: u, mid: Mid(seq) }]);
                    }
                    Op::Reset(s) => q.reset_streams(&s.into_iter().map(StreamId).collect::<Vec<_>>()),
                    Op::Defer(t, s) => {
                        let _ = q.defer_reset_streams(Tsn(t), &s.into_iter().map(StreamId).collect::<Vec<_>>());
                    }
                    Op::Apply(t) => {
                        let _ = q.apply_deferred_reset(Tsn(t));
                    }
                    Op::Poll => {
                        q.poll_message();
                    }
                }
                proptest::prop_assert_eq!(q.buffered_bytes(), q.computed_bytes());
                proptest::prop_assert!(q.buffered_bytes() <= 2600);
            }
            // Everything can be let go of.
            let _ = q.apply_deferred_reset(Tsn(1000));
            q.reset_streams(&[]);
            while q.poll_message().is_some() {}
            proptest::prop_assert_eq!(q.buffered_bytes(), 0);
        }
    }
}
