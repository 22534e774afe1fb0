//! Congestion control (RFC 9260 §7.2).
//!
//! The association owns one controller for its single path. It asks
//! [`CongestionController::cwnd`] before putting new DATA on the wire (a
//! plain field read behind one virtual call: cheap enough per packet) and
//! reports what happened: SACKs ([`AckEvent`], once per SACK, not per
//! chunk), fast retransmits, T3-rtx expiries and idle periods. A
//! `Box<dyn CongestionController>` keeps the association free of a type
//! parameter; [`NewReno`] is the RFC's algorithm and the default, [`Bbr`]
//! a model-based controller for long, lossy paths that also sets a pacing
//! rate.
//!
//! Fast Recovery (§7.2.4) lives in the controller: the association tells it
//! the highest outstanding TSN when it fast-retransmits, and the controller
//! leaves Fast Recovery once a SACK's cumulative TSN ack reaches that TSN.
//! Keeping it here means every rule that reads "not in Fast Recovery" is
//! applied in one place.

pub mod bbr;
pub mod delivery_rate;
pub mod new_reno;

use std::fmt;
use std::time::{Duration, Instant};

use crate::types::Tsn;

pub use bbr::{Bbr, BbrConfig};
pub use delivery_rate::RateSample;
pub use new_reno::{InvalidNewRenoConfig, NewReno, NewRenoConfig};

/// What one SACK acknowledged, as congestion control needs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct AckEvent {
    /// When the SACK arrived.
    pub now: Instant,
    /// Bytes of DATA chunks newly acknowledged by this SACK, through the
    /// cumulative TSN ack and gap ack blocks alike (chunks acknowledged
    /// before, by an earlier gap block, are not counted again).
    pub bytes_acked: usize,
    /// Bytes outstanding just before the SACK was processed.
    pub flight_size_before: usize,
    /// Bytes still outstanding after it.
    pub flight_size_after: usize,
    /// The SACK's cumulative TSN ack.
    pub cumulative_tsn_ack: Tsn,
    /// How fast the path delivered the data this SACK acknowledged.
    pub rate_sample: Option<RateSample>,
}

/// A congestion control algorithm for one path.
///
/// Byte counts are DATA chunk sizes as RFC 9260 §6.1 counts them for the
/// flight size. Implementations never panic, whatever the inputs.
pub trait CongestionController: fmt::Debug + Send {
    /// The congestion window: the association may start a new transmission
    /// while the flight size is below it (§6.1 rule B).
    fn cwnd(&self) -> usize;

    /// The slow-start threshold.
    fn ssthresh(&self) -> usize;

    /// Whether the sender is in Fast Recovery (§7.2.4).
    fn in_fast_recovery(&self) -> bool;

    /// A SACK arrived. Called once per SACK, before any fast retransmit it
    /// triggers (§7.2.4: "the cwnd adjustment rules defined in Sections
    /// 7.2.1 and 7.2.2 MUST be applied first").
    fn on_ack(&mut self, ack: &AckEvent);

    /// Chunks are being fast-retransmitted (§7.2.4). `highest_outstanding_tsn`
    /// becomes the Fast Recovery exit point. Returns whether the window was
    /// reduced: it is not while already in Fast Recovery.
    fn on_fast_retransmit(&mut self, highest_outstanding_tsn: Tsn) -> bool;

    /// A fast retransmission was lost too and goes again: the congestion
    /// persisted through the episode, so it counts as a new one (RFC 5681
    /// §4.3 and RFC 8985 §9.3: a lost retransmission needs its own window
    /// reduction). `highest_outstanding_tsn` is the new exit point.
    fn on_retransmission_lost(&mut self, highest_outstanding_tsn: Tsn);

    /// T3-rtx expired (§7.2.3).
    fn on_retransmission_timeout(&mut self);

    /// Packets may now be `mtu` bytes (path MTU discovery): the unit of
    /// window growth and of the minimum windows.
    fn set_mtu(&mut self, mtu: usize);

    /// Nothing was sent for `idle_for` while the RTO was `rto`: decay the
    /// window (§7.2.1, §7.2.2: the path's capacity is no longer known).
    /// The association calls this before sending new data after a pause.
    fn on_idle(&mut self, idle_for: Duration, rto: Duration);

    /// Whether [`AckEvent::rate_sample`] is read: measuring delivery rates
    /// costs 32 bytes per chunk in flight, so only a controller that uses
    /// them has them.
    fn uses_rate_samples(&self) -> bool {
        false
    }

    /// The rate, in bytes per second, at which the association should pace
    /// packets carrying DATA; `None` sends as fast as the windows allow.
    fn pacing_rate(&self) -> Option<u64> {
        None
    }
}
