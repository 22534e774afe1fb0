//! The SCTP packet sizes a peer connection probes for once its association
//! is up (RFC 8899, as RFC 8261 asks of SCTP over DTLS): what fits the
//! common link MTUs after IPv6, UDP and the DTLS record, and at most what
//! one record may carry. Every path carries the base size (`mtu`, 1200);
//! a LAN carries the first, jumbo frames the second, loopback the third.

use sanderling_dtls::{MAX_RECORD_OVERHEAD, MAX_RECORD_PLAINTEXT};

/// IPv6 and UDP headers.
const IP_UDP_HEADERS: usize = 40 + 8;

/// Link MTUs worth a probe: Ethernet, jumbo frames, and loopback's 64 KiB.
const LINK_MTUS: [usize; 3] = [1500, 9000, 65_535];

/// The SCTP packet sizes to probe, ascending.
///
/// ```
/// assert_eq!(sanderling_rtc::sctp_probe_sizes(), vec![1415, 8915, 16384]);
/// ```
pub fn sctp_probe_sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = LINK_MTUS
        .iter()
        .map(|mtu| (mtu - IP_UDP_HEADERS - MAX_RECORD_OVERHEAD).min(MAX_RECORD_PLAINTEXT))
        .collect();
    sizes.dedup();
    sizes
}
