//! [`IceConfig`]: every knob of the agent, its default and why.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::Duration;

use crate::transaction::RetransmitSchedule;

/// Which local interfaces an include or exclude rule names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterfaceMatch {
    /// The interface's name as the operating system spells it (`eth0`).
    Name(String),
    /// One of the interface's addresses.
    Ip(IpAddr),
}

impl InterfaceMatch {
    fn matches(&self, interface: &str, ip: IpAddr) -> bool {
        match self {
            Self::Name(n) => n == interface,
            Self::Ip(a) => *a == ip,
        }
    }
}

/// The agent's configuration. `IceConfig::default()` is what a browser
/// does, with a zero seed: fill [`seed`](Self::seed) from the operating
/// system's generator outside tests.
#[derive(Clone, Debug)]
pub struct IceConfig {
    /// Seed of the ChaCha20 generator behind credentials, the tie-breaker,
    /// transaction ids and consent jitter. Same seed, same run.
    pub seed: [u8; 32],
    /// Start as the controlling agent (JSEP: the offerer). Role conflicts
    /// (RFC 8445 §7.3.1.1) may switch it later.
    pub controlling: bool,
    /// ICE-lite (RFC 8445 §2.5): host candidates only, never sends checks,
    /// answers them and takes the pair the full peer nominates. A lite agent
    /// is always controlled.
    pub lite: bool,
    /// STUN servers asked for server-reflexive candidates, from every host
    /// base of the same address family. Empty by default, like the browser.
    pub stun_servers: Vec<SocketAddr>,
    /// Offer loopback addresses as host candidates. Off by default
    /// (browsers never do; tests and same-host peers want it).
    pub include_loopback: bool,
    /// Offer IPv4 host candidates.
    pub ipv4: bool,
    /// Offer IPv6 host candidates.
    pub ipv6: bool,
    /// When not empty, only interfaces matching one of these are used.
    pub interface_include: Vec<InterfaceMatch>,
    /// Interfaces matching one of these are never used (checked after
    /// `interface_include`).
    pub interface_exclude: Vec<InterfaceMatch>,
    /// Local ports the async layer binds sockets in (`None`: any). The agent
    /// refuses a host address outside it; binding is the layer's job, the
    /// range lives here so that it is configured in one place.
    pub port_range: Option<RangeInclusive<u16>>,
    /// Ta (RFC 8445 §14.2): the pace of new check and STUN-server
    /// transactions. The first goes out at once. 50 ms as in the RFC.
    pub check_interval: Duration,
    /// Retransmissions of connectivity checks and consent checks. RFC 8445
    /// §14.3 derives RTO from Ta and the number of pairs; we use a simpler
    /// bounded schedule: 500 ms doubling up to 3 s, 7 transmissions, so a
    /// dead pair fails after 0.5+1+2+3+3+3+3 = 15.5 s.
    pub check_retransmit: RetransmitSchedule,
    /// Retransmissions of Binding requests to STUN servers (RFC 8489
    /// §6.2.1, shortened): 500 ms doubling up to 1.6 s, 5 transmissions;
    /// an unanswered server is given up after 6.3 s.
    pub stun_retransmit: RetransmitSchedule,
    /// Regular nomination (controlling agent): once a pair has succeeded,
    /// nominate the best valid pair when no pair of higher priority is
    /// still to be checked, or at the latest this long after the first
    /// success. 200 ms by default: enough for a better pair whose check is
    /// already in flight on a LAN, short enough not to delay the connection.
    pub nomination_delay: Duration,
    /// Most remote candidates kept (per generation); more are dropped.
    pub max_remote_candidates: usize,
    /// Most candidate pairs (RFC 8445 §6.1.2.5 recommends 100); the lowest
    /// priority pairs not yet checked make way for better ones.
    pub max_pairs: usize,
    /// Most client transactions in flight; the pacer waits beyond it.
    pub max_transactions: usize,
    /// Most datagrams queued for `poll_transmit`; beyond it responses are
    /// dropped (and counted), requests wait for the pacer.
    pub max_queued_transmits: usize,
    /// Consent freshness (RFC 7675 §5.1): a check on the selected pair every
    /// interval, randomised to 0.8..1.2 of it. 5 s.
    pub consent_interval: Duration,
    /// The connection is `disconnected` when a consent check has had no
    /// answer for this long: 5 s, most of the check's retransmission
    /// schedule (sends at 0, 0.5, 1.5 and 3.5 s) without a response. The
    /// next answer makes it connected again.
    pub disconnected_timeout: Duration,
    /// Consent is lost (state `failed`) after this long without any
    /// authenticated response on the selected pair: 30 s (RFC 7675 §5.1).
    pub consent_timeout: Duration,
    /// A Binding indication is sent on the selected pair when no data was
    /// sent on it (see [`IceAgent::record_data_sent`](crate::IceAgent::record_data_sent))
    /// for this long: 15 s (RFC 8445 §11, Tr).
    pub keepalive_interval: Duration,
    /// An mDNS candidate the layer could not resolve in this time is
    /// dropped. 10 s.
    pub mdns_timeout: Duration,
    /// Most mDNS candidates waiting to be resolved.
    pub max_pending_mdns: usize,
    /// RFC 8863's PAC timer: however hopeless the check list looks (empty,
    /// or every pair failed, and both sides' candidates complete), the agent
    /// waits this long after the checks could start before it fails,
    /// because the peer's checks may yet reveal a peer-reflexive candidate.
    /// 39.5 s as the RFC says; tests that want failure sooner shorten it.
    pub pac_timeout: Duration,
}

impl Default for IceConfig {
    fn default() -> Self {
        Self {
            seed: [0; 32],
            controlling: false,
            lite: false,
            stun_servers: Vec::new(),
            include_loopback: false,
            ipv4: true,
            ipv6: true,
            interface_include: Vec::new(),
            interface_exclude: Vec::new(),
            port_range: None,
            check_interval: Duration::from_millis(50),
            check_retransmit: RetransmitSchedule {
                initial_rto: Duration::from_millis(500),
                max_rto: Duration::from_secs(3),
                max_transmissions: 7,
            },
            stun_retransmit: RetransmitSchedule {
                initial_rto: Duration::from_millis(500),
                max_rto: Duration::from_millis(1600),
                max_transmissions: 5,
            },
            nomination_delay: Duration::from_millis(200),
            max_remote_candidates: 100,
            max_pairs: 100,
            max_transactions: 256,
            max_queued_transmits: 256,
            consent_interval: Duration::from_secs(5),
            disconnected_timeout: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            keepalive_interval: Duration::from_secs(15),
            mdns_timeout: Duration::from_secs(10),
            max_pending_mdns: 32,
            pac_timeout: Duration::from_millis(39_500),
        }
    }
}

/// Why a local address is not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressFilter {
    /// Used.
    Accepted,
    /// A loopback address and `include_loopback` is off.
    Loopback,
    /// Its address family is switched off.
    Family,
    /// The interface is not included, or is excluded.
    Interface,
    /// The port is outside `port_range`.
    Port,
    /// Unspecified or multicast: never a candidate.
    Unusable,
}

impl IceConfig {
    /// Whether the address `addr` of interface `interface` may be a host
    /// candidate.
    pub fn filter_address(&self, interface: &str, addr: SocketAddr) -> AddressFilter {
        let ip = addr.ip();
        if ip.is_unspecified() || ip.is_multicast() || addr.port() == 0 {
            return AddressFilter::Unusable;
        }
        if ip.is_loopback() && !self.include_loopback {
            return AddressFilter::Loopback;
        }
        if (ip.is_ipv4() && !self.ipv4) || (ip.is_ipv6() && !self.ipv6) {
            return AddressFilter::Family;
        }
        if !self.interface_include.is_empty()
            && !self
                .interface_include
                .iter()
                .any(|m| m.matches(interface, ip))
        {
            return AddressFilter::Interface;
        }
        if self
            .interface_exclude
            .iter()
            .any(|m| m.matches(interface, ip))
        {
            return AddressFilter::Interface;
        }
        if let Some(range) = &self.port_range
            && !range.contains(&addr.port())
        {
            return AddressFilter::Port;
        }
        AddressFilter::Accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn filters_addresses() {
        let mut c = IceConfig::default();
        assert_eq!(
            c.filter_address("eth0", a("10.0.0.1:5000")),
            AddressFilter::Accepted
        );
        assert_eq!(
            c.filter_address("lo", a("127.0.0.1:5000")),
            AddressFilter::Loopback
        );
        assert_eq!(
            c.filter_address("eth0", a("0.0.0.0:5000")),
            AddressFilter::Unusable
        );
        c.include_loopback = true;
        assert_eq!(
            c.filter_address("lo", a("[::1]:5000")),
            AddressFilter::Accepted
        );
        c.ipv6 = false;
        assert_eq!(
            c.filter_address("lo", a("[::1]:5000")),
            AddressFilter::Family
        );
        c.interface_include = vec![InterfaceMatch::Name("eth0".into())];
        assert_eq!(
            c.filter_address("wlan0", a("10.0.0.2:5000")),
            AddressFilter::Interface
        );
        c.interface_include.clear();
        c.interface_exclude = vec![InterfaceMatch::Ip("10.0.0.2".parse().unwrap())];
        assert_eq!(
            c.filter_address("wlan0", a("10.0.0.2:5000")),
            AddressFilter::Interface
        );
        c.port_range = Some(6000..=6010);
        assert_eq!(
            c.filter_address("eth0", a("10.0.0.1:5000")),
            AddressFilter::Port
        );
        assert_eq!(
            c.filter_address("eth0", a("10.0.0.1:6005")),
            AddressFilter::Accepted
        );
    }
}
