//! Every knob of an association, with its default and why.

use std::time::Duration;

use crate::tx::scheduler::SchedulerKind;

/// Which congestion controller an association runs (see [`crate::congestion`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CongestionControl {
    /// RFC 9260 §7.2: slow start, congestion avoidance, Fast Recovery.
    #[default]
    NewReno,
    /// A model-based controller in the manner of BBR: paces at the measured
    /// bottleneck bandwidth and does not read random loss as congestion.
    /// Keeps a long, lossy path full where NewReno collapses.
    Bbr,
}

/// Configuration of one SCTP association.
///
/// The defaults suit WebRTC data channels over DTLS: SCTP ports 5000, a
/// path MTU that fits inside DTLS and UDP over any sane network, and a
/// 256 KiB maximum message as announced in SDP by browsers.
///
/// ```
/// use sanderling_sctp::options::SctpOptions;
/// let opts = SctpOptions { max_message_size: 16 << 20, ..SctpOptions::default() };
/// assert_eq!(opts.local_port, 5000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SctpOptions {
    /// Our SCTP port (`a=sctp-port`; 5000 in every browser).
    pub local_port: u16,
    /// The peer's SCTP port.
    pub remote_port: u16,
    /// Largest SCTP packet we send, in bytes. 1200 leaves room for DTLS,
    /// UDP, IPv6 and a TURN channel header inside a 1280-byte IPv6 minimum
    /// MTU, the size browsers use.
    pub mtu: usize,
    /// Larger packet sizes to try once the association is up, smallest
    /// first (Packetization Layer Path MTU Discovery, RFC 8899 §6.2.1):
    /// a HEARTBEAT padded to the size is sent, and when its HEARTBEAT-ACK
    /// comes back packets may be that large. Empty (the default): packets
    /// stay within `mtu`. Each must exceed `mtu` and the one before it,
    /// and be at most 65535.
    pub probe_mtus: Vec<usize>,
    /// Announce that we read packets of any size up to 65535 bytes (Large
    /// Packets Acceptable, sanderling's own INIT parameter; other stacks
    /// skip it). Probe sizes above 1500 are only tried on a peer that
    /// announced it: some stacks cannot take larger packets. Off by
    /// default; set it when the layer below delivers whole datagrams of
    /// that size.
    pub accept_large_packets: bool,
    /// Largest message we send or accept (`a=max-message-size`).
    pub max_message_size: usize,
    /// Receive buffer: bytes held for reassembly and not yet read; also the
    /// initial advertised receiver window.
    pub max_receive_buffer: usize,
    /// Total bytes queued for sending across all streams; `send` fails
    /// beyond it (backpressure instead of unbounded memory).
    pub max_send_buffer: usize,
    /// Application flow control: a delivered message keeps occupying the
    /// receive window (`max_receive_buffer`) until the application calls
    /// [`Association::release_received`](crate::association::Association::release_received)
    /// for its bytes, so the peer can never have more than the window
    /// waiting for a slow reader. Off by default: the window frees on
    /// delivery and the application must keep up.
    pub app_flow_control: bool,
    /// Initial retransmission timeout. RFC 9260 says 1 s.
    pub rto_initial: Duration,
    /// Lower bound of the retransmission timeout. RFC 9260's 1 s makes a
    /// single loss on a LAN stall for a second; WebRTC stacks use a few
    /// hundred milliseconds.
    pub rto_min: Duration,
    /// Upper bound of the retransmission timeout. RFC 9260 says 60 s; a data
    /// channel user wants a dead peer noticed sooner.
    pub rto_max: Duration,
    /// Consecutive retransmission timeouts after which the association
    /// fails (Association.Max.Retrans).
    pub max_retransmissions: u32,
    /// Retransmissions of INIT and COOKIE-ECHO before giving up
    /// (Max.Init.Retransmits).
    pub max_init_retransmissions: u32,
    /// Upper bound of the delayed-SACK timer (RFC 9260 §6.2: at most 500 ms).
    pub delayed_ack_max: Duration,
    /// Idle time after which a HEARTBEAT probes the peer (HB.interval).
    pub heartbeat_interval: Duration,
    /// How long a state cookie stays valid (Valid.Cookie.Life).
    pub cookie_lifetime: Duration,
    /// Initial congestion window, in packets of `mtu` bytes (RFC 6928's 10).
    pub initial_cwnd_packets: usize,
    /// The congestion controller.
    pub congestion: CongestionControl,
    /// Streams we announce in each direction (WebRTC: all 65535).
    pub num_streams: u16,
    /// Announce PR-SCTP (RFC 3758): needed for unreliable data channels.
    pub enable_partial_reliability: bool,
    /// Announce I-DATA and message interleaving (RFC 8260).
    pub enable_message_interleaving: bool,
    /// Offer to skip CRC32C because DTLS protects the packets (RFC 9653).
    /// Only true when the association runs over DTLS.
    pub enable_zero_checksum: bool,
    /// How streams share the link: round robin (RFC 8260 §3.2) or weighted
    /// fair queueing by each stream's priority (§3.6).
    pub scheduler: SchedulerKind,
    /// Seed of every random choice (verification tag, initial TSN, cookie
    /// key). Fill from the operating system's generator in production.
    pub seed: [u8; 32],
}

impl Default for SctpOptions {
    fn default() -> Self {
        Self {
            local_port: 5000,
            remote_port: 5000,
            mtu: 1200,
            probe_mtus: Vec::new(),
            accept_large_packets: false,
            max_message_size: 256 * 1024,
            max_receive_buffer: 4 * 1024 * 1024,
            max_send_buffer: 16 * 1024 * 1024,
            app_flow_control: false,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(10),
            max_retransmissions: 10,
            max_init_retransmissions: 8,
            delayed_ack_max: Duration::from_millis(200),
            heartbeat_interval: Duration::from_secs(30),
            cookie_lifetime: Duration::from_secs(60),
            initial_cwnd_packets: 10,
            congestion: CongestionControl::NewReno,
            num_streams: 65535,
            enable_partial_reliability: true,
            enable_message_interleaving: true,
            enable_zero_checksum: false,
            scheduler: SchedulerKind::RoundRobin,
            seed: [0; 32],
        }
    }
}

/// Why a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// The MTU cannot hold a common header and a useful DATA chunk, or
    /// exceeds what SCTP's 16-bit lengths allow.
    #[error("mtu {0} outside 256..=65535")]
    Mtu(usize),
    /// A probe size is not above `mtu` and the size before it, or is
    /// above 65535.
    #[error("probe mtu {0} not above the mtu and the previous probe size, or above 65535")]
    ProbeMtu(usize),
    /// The RTO bounds must satisfy 0 < min <= initial <= max.
    #[error("RTO bounds must satisfy 0 < min <= initial <= max")]
    RtoBounds,
    /// RFC 9260 §6.2: a SACK may be delayed by at most 500 ms.
    #[error("delayed SACK timeout above 500 ms")]
    DelayedAck,
    /// A size or count that must be positive was zero.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
}

impl SctpOptions {
    /// Checks that the options can work together.
    ///
    /// ```
    /// use sanderling_sctp::options::{OptionsError, SctpOptions};
    /// let bad = SctpOptions { mtu: 100, ..SctpOptions::default() };
    /// assert_eq!(bad.validate(), Err(OptionsError::Mtu(100)));
    /// assert!(SctpOptions::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), OptionsError> {
        if !(256..=65535).contains(&self.mtu) {
            return Err(OptionsError::Mtu(self.mtu));
        }
        let mut below = self.mtu;
        for &size in &self.probe_mtus {
            if size <= below || size > 65535 {
                return Err(OptionsError::ProbeMtu(size));
            }
            below = size;
        }
        if self.rto_min.is_zero()
            || self.rto_min > self.rto_initial
            || self.rto_initial > self.rto_max
        {
            return Err(OptionsError::RtoBounds);
        }
        if self.delayed_ack_max > Duration::from_millis(500) {
            return Err(OptionsError::DelayedAck);
        }
        for (value, name) in [
            (self.max_message_size, "max_message_size"),
            (self.max_receive_buffer, "max_receive_buffer"),
            (self.max_send_buffer, "max_send_buffer"),
            (self.initial_cwnd_packets, "initial_cwnd_packets"),
            (usize::from(self.num_streams), "num_streams"),
        ] {
            if value == 0 {
                return Err(OptionsError::Zero(name));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_sizes_must_climb_above_the_mtu() {
        let with = |probe_mtus: Vec<usize>| SctpOptions {
            probe_mtus,
            ..SctpOptions::default()
        };
        assert_eq!(with(vec![1412, 8912, 16384]).validate(), Ok(()));
        assert_eq!(
            with(vec![1200]).validate(),
            Err(OptionsError::ProbeMtu(1200))
        );
        assert_eq!(
            with(vec![8912, 1412]).validate(),
            Err(OptionsError::ProbeMtu(1412))
        );
        assert_eq!(
            with(vec![70_000]).validate(),
            Err(OptionsError::ProbeMtu(70_000))
        );
    }
}
