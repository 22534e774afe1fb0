//! One simulated NAT: its mapping table, filters, port allocator and counters.
//!
//! The NAT is driven by the network (`network.rs`), which decides when a
//! datagram crosses it; this file only knows how to translate one. It never
//! sleeps: every call takes the current instant and first forgets the
//! mappings that have expired by then.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::nat_config::{FilteringBehavior, MappingBehavior, NatConfig, PortAllocation};
use crate::network::Realm;

/// Identifies a NAT of a [`crate::Network`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NatId(pub usize);

/// The most filter entries one mapping keeps. When a mapping has sent to
/// more destinations than this, the entry that would expire first is
/// forgotten.
const MAX_FILTER_ENTRIES_PER_MAPPING: usize = 256;

/// Counters of one NAT.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NatStats {
    /// Mappings created.
    pub mappings_created: u64,
    /// Mappings forgotten because no datagram went out through them for the
    /// mapping timeout.
    pub mappings_expired: u64,
    /// Mappings alive at the instant the counters were read.
    pub active_mappings: u64,
    /// Datagrams sent out with their source rewritten to a mapping
    /// (hairpinned ones included).
    pub translated_out: u64,
    /// Datagrams let in with their destination rewritten to the private
    /// address (hairpinned ones included).
    pub translated_in: u64,
    /// Datagrams from one private host to another's public mapping that
    /// were turned around inside the NAT.
    pub hairpinned: u64,
    /// Inbound datagrams refused by the filter: the mapping has not sent to
    /// their source (or not recently enough).
    pub dropped_filtered: u64,
    /// Inbound datagrams to a public port with no live mapping, including a
    /// mapping that expired (or was replaced) while the datagram was on its
    /// way.
    pub dropped_no_mapping: u64,
    /// Outbound datagrams that needed a new mapping when the table was full
    /// or no public port was free.
    pub dropped_table_full: u64,
    /// Outbound datagrams to the NAT's own public address while hairpinning
    /// is off.
    pub dropped_hairpin: u64,
}

impl NatStats {
    /// All datagrams dropped, whatever the cause.
    pub fn dropped(&self) -> u64 {
        self.dropped_filtered
            + self.dropped_no_mapping
            + self.dropped_table_full
            + self.dropped_hairpin
    }
}

/// How much of a remote endpoint a mapping key or a filter entry looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Remote {
    Any,
    Address(IpAddr),
    AddressAndPort(SocketAddr),
}

impl Remote {
    fn for_mapping(behavior: MappingBehavior, remote: SocketAddr) -> Self {
        match behavior {
            MappingBehavior::EndpointIndependent => Self::Any,
            MappingBehavior::AddressDependent => Self::Address(remote.ip()),
            MappingBehavior::AddressAndPortDependent => Self::AddressAndPort(remote),
        }
    }

    fn for_filter(behavior: FilteringBehavior, remote: SocketAddr) -> Self {
        match behavior {
            FilteringBehavior::EndpointIndependent => Self::Any,
            FilteringBehavior::AddressDependent => Self::Address(remote.ip()),
            FilteringBehavior::AddressAndPortDependent => Self::AddressAndPort(remote),
        }
    }
}

/// What identifies a mapping: the private endpoint and as much of the
/// destination as the mapping behaviour looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct MappingKey {
    private: SocketAddr,
    remote: Remote,
}

#[derive(Debug)]
struct Mapping {
    key: MappingKey,
    public: SocketAddr,
    expires_at: Instant,
    /// Who may send in, and until when. Empty under endpoint-independent
    /// filtering, which needs no entries.
    filter: HashMap<Remote, Instant>,
}

/// Why an outbound datagram did not get through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutboundDrop {
    /// Counted by the NAT (table full, hairpinning refused).
    Counted,
    /// The NAT has no public address of the private source's family; the
    /// network counts it as unroutable.
    NoAddressFamily,
}

/// One NAT and its state.
#[derive(Debug)]
pub(crate) struct Nat {
    config: NatConfig,
    /// The realm its public addresses live in.
    pub(crate) outside: Realm,
    pub(crate) public_ips: Vec<IpAddr>,
    rng: ChaCha8Rng,
    /// Where sequential allocation looks next.
    next_port: u16,
    mappings: HashMap<u64, Mapping>,
    by_key: HashMap<MappingKey, u64>,
    by_public: HashMap<SocketAddr, u64>,
    expiry: BTreeSet<(Instant, u64)>,
    /// Paired address pooling (RFC 4787 REQ-2): the public address every
    /// mapping of a private IP uses, and how many mappings it has.
    pairing: HashMap<IpAddr, (IpAddr, usize)>,
    /// Round-robin position for pairing a new private IP.
    next_pool_index: usize,
    next_id: u64,
    stats: NatStats,
}

impl Nat {
    pub(crate) fn new(
        config: NatConfig,
        outside: Realm,
        public_ip: IpAddr,
        rng: ChaCha8Rng,
    ) -> Self {
        let next_port = *config.port_range.start();
        Self {
            config,
            outside,
            public_ips: vec![public_ip],
            rng,
            next_port,
            mappings: HashMap::new(),
            by_key: HashMap::new(),
            by_public: HashMap::new(),
            expiry: BTreeSet::new(),
            pairing: HashMap::new(),
            next_pool_index: 0,
            next_id: 0,
            stats: NatStats::default(),
        }
    }

    pub(crate) fn config(&self) -> &NatConfig {
        &self.config
    }

    /// The counters as of `now`: mappings that have expired by then count as
    /// expired even if no datagram has made the NAT forget them yet.
    pub(crate) fn stats(&self, now: Instant) -> NatStats {
        let unswept = self.expiry.iter().take_while(|(t, _)| *t <= now).count() as u64;
        NatStats {
            mappings_expired: self.stats.mappings_expired + unswept,
            active_mappings: self.mappings.len() as u64 - unswept,
            ..self.stats
        }
    }

    /// Rewrites the source of a datagram from `private` to `destination`,
    /// creating or refreshing the mapping and the filter entry for
    /// `destination`. Returns the public source.
    pub(crate) fn translate_out(
        &mut self,
        now: Instant,
        private: SocketAddr,
        destination: SocketAddr,
    ) -> Result<SocketAddr, OutboundDrop> {
        self.expire(now);
        if !self.config.hairpinning && self.public_ips.contains(&destination.ip()) {
            self.stats.dropped_hairpin += 1;
            return Err(OutboundDrop::Counted);
        }
        let key = MappingKey {
            private,
            remote: Remote::for_mapping(self.config.mapping, destination),
        };
        let expires_at = now + self.config.mapping_timeout;
        let id = match self.by_key.get(&key) {
            Some(&id) => {
                let mapping = self.mappings.get_mut(&id).expect("indexed mapping exists");
                self.expiry.remove(&(mapping.expires_at, id));
                mapping.expires_at = expires_at;
                self.expiry.insert((expires_at, id));
                id
            }
            None => self.create(key, expires_at)?,
        };
        let mapping = self.mappings.get_mut(&id).expect("indexed mapping exists");
        let entry = Remote::for_filter(self.config.filtering, destination);
        if entry != Remote::Any {
            if !mapping.filter.contains_key(&entry)
                && mapping.filter.len() >= MAX_FILTER_ENTRIES_PER_MAPPING
            {
                mapping.filter.retain(|_, until| *until > now);
                if mapping.filter.len() >= MAX_FILTER_ENTRIES_PER_MAPPING {
                    let oldest = mapping
                        .filter
                        .iter()
                        .min_by_key(|(_, until)| **until)
                        .map(|(remote, _)| *remote)
                        .expect("a full filter has entries");
                    mapping.filter.remove(&oldest);
                }
            }
            mapping.filter.insert(entry, expires_at);
        }
        self.stats.translated_out += 1;
        Ok(mapping.public)
    }

    /// The private endpoint a datagram to `public` would go to now, if a
    /// mapping for it is alive; counts a drop when none is.
    pub(crate) fn lookup_in(&mut self, now: Instant, public: SocketAddr) -> Option<SocketAddr> {
        self.expire(now);
        match self.by_public.get(&public) {
            Some(id) => Some(self.mappings[id].key.private),
            None => {
                self.stats.dropped_no_mapping += 1;
                None
            }
        }
    }

    /// Lets a datagram from `source` to `public` in, if the mapping still
    /// leads to `private` and its filter admits `source`. Counts the outcome.
    pub(crate) fn translate_in(
        &mut self,
        now: Instant,
        public: SocketAddr,
        private: SocketAddr,
        source: SocketAddr,
        hairpin: bool,
    ) -> bool {
        self.expire(now);
        let mapping = match self.by_public.get(&public) {
            Some(id) if self.mappings[id].key.private == private => &self.mappings[id],
            _ => {
                self.stats.dropped_no_mapping += 1;
                return false;
            }
        };
        let entry = Remote::for_filter(self.config.filtering, source);
        let admitted =
            entry == Remote::Any || mapping.filter.get(&entry).is_some_and(|until| *until > now);
        if !admitted {
            self.stats.dropped_filtered += 1;
            return false;
        }
        self.stats.translated_in += 1;
        if hairpin {
            self.stats.hairpinned += 1;
        }
        true
    }

    fn create(&mut self, key: MappingKey, expires_at: Instant) -> Result<u64, OutboundDrop> {
        if self.mappings.len() >= self.config.max_mappings {
            self.stats.dropped_table_full += 1;
            return Err(OutboundDrop::Counted);
        }
        let ip = self.public_ip_for(key.private.ip())?;
        let Some(port) = self.allocate_port(ip, key.private.port()) else {
            self.stats.dropped_table_full += 1;
            return Err(OutboundDrop::Counted);
        };
        let public = SocketAddr::new(ip, port);
        let id = self.next_id;
        self.next_id += 1;
        self.mappings.insert(
            id,
            Mapping {
                key,
                public,
                expires_at,
                filter: HashMap::new(),
            },
        );
        self.expiry.insert((expires_at, id));
        self.by_key.insert(key, id);
        self.by_public.insert(public, id);
        self.pairing.entry(key.private.ip()).or_insert((ip, 0)).1 += 1;
        self.stats.mappings_created += 1;
        Ok(id)
    }

    /// Paired pooling: a private IP keeps the public IP its first live
    /// mapping got; a new one takes the next public IP of its family in turn.
    fn public_ip_for(&mut self, private: IpAddr) -> Result<IpAddr, OutboundDrop> {
        if let Some(&(ip, _)) = self.pairing.get(&private) {
            return Ok(ip);
        }
        let family: Vec<IpAddr> = self
            .public_ips
            .iter()
            .copied()
            .filter(|ip| ip.is_ipv4() == private.is_ipv4())
            .collect();
        if family.is_empty() {
            return Err(OutboundDrop::NoAddressFamily);
        }
        let ip = family[self.next_pool_index % family.len()];
        self.next_pool_index += 1;
        Ok(ip)
    }

    fn allocate_port(&mut self, ip: IpAddr, private_port: u16) -> Option<u16> {
        let free = |port: u16| !self.by_public.contains_key(&SocketAddr::new(ip, port));
        if self.config.port_preservation && private_port != 0 && free(private_port) {
            return Some(private_port);
        }
        let (low, high) = (
            *self.config.port_range.start(),
            *self.config.port_range.end(),
        );
        let start = match self.config.port_allocation {
            PortAllocation::Sequential => self.next_port.clamp(low, high),
            PortAllocation::Random => self.rng.random_range(low..=high),
        };
        let span = u32::from(high - low) + 1;
        let port = (0..span)
            .map(|i| low + ((u32::from(start - low) + i) % span) as u16)
            .find(|&p| free(p))?;
        self.next_port = if port == high { low } else { port + 1 };
        Some(port)
    }

    /// Forgets every mapping that has expired by `now`.
    fn expire(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            let mapping = self.mappings.remove(&id).expect("indexed mapping exists");
            self.by_key.remove(&mapping.key);
            self.by_public.remove(&mapping.public);
            let ip = mapping.key.private.ip();
            if let Some(pair) = self.pairing.get_mut(&ip) {
                pair.1 -= 1;
                if pair.1 == 0 {
                    self.pairing.remove(&ip);
                }
            }
            self.stats.mappings_expired += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rand::SeedableRng;

    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn nat(config: NatConfig) -> Nat {
        Nat::new(
            config,
            Realm::Public,
            "198.51.100.1".parse().unwrap(),
            ChaCha8Rng::seed_from_u64(1),
        )
    }

    #[test]
    fn sequential_ports_wrap_and_skip_ports_in_use() {
        let mut n = nat(NatConfig {
            port_range: 5000..=5002,
            ..NatConfig::symmetric()
        });
        let t0 = Instant::now();
        let private = addr("10.0.0.2:7000");
        let ports: Vec<u16> = (0..3)
            .map(|i| {
                let to = SocketAddr::new("203.0.113.1".parse().unwrap(), 1000 + i);
                n.translate_out(t0, private, to).unwrap().port()
            })
            .collect();
        assert_eq!(ports, [5000, 5001, 5002]);
        // The range is used up: a fourth destination gets nothing.
        assert!(
            n.translate_out(t0, private, addr("203.0.113.1:2000"))
                .is_err()
        );
        assert_eq!(n.stats(t0).dropped_table_full, 1);
        // Once they expire, allocation wraps around to the start.
        let later = t0 + Duration::from_secs(121);
        let port = n.translate_out(later, private, addr("203.0.113.1:2000"));
        assert_eq!(port.unwrap().port(), 5000);
        assert_eq!(n.stats(later).mappings_expired, 3);
        assert_eq!(n.stats(later).active_mappings, 1);
    }

    #[test]
    fn port_preservation_uses_the_private_port_once() {
        let mut n = nat(NatConfig {
            port_preservation: true,
            ..NatConfig::symmetric()
        });
        let t0 = Instant::now();
        let private = addr("10.0.0.2:7000");
        let first = n.translate_out(t0, private, addr("203.0.113.1:1"));
        let second = n.translate_out(t0, private, addr("203.0.113.1:2"));
        assert_eq!(first.unwrap().port(), 7000);
        assert_eq!(second.unwrap().port(), 49152);
    }

    #[test]
    fn stats_count_expiry_before_any_datagram_sweeps_it() {
        let mut n = nat(NatConfig::full_cone());
        let t0 = Instant::now();
        n.translate_out(t0, addr("10.0.0.2:7000"), addr("203.0.113.1:1"))
            .unwrap();
        let timeout = Duration::from_secs(120);
        let just_before = n.stats(t0 + timeout - Duration::from_nanos(1));
        assert_eq!(
            (just_before.active_mappings, just_before.mappings_expired),
            (1, 0)
        );
        let at = n.stats(t0 + timeout);
        assert_eq!((at.active_mappings, at.mappings_expired), (0, 1));
    }

    #[test]
    fn filter_entries_are_bounded() {
        let mut n = nat(NatConfig::port_restricted_cone());
        let t0 = Instant::now();
        let private = addr("10.0.0.2:7000");
        for i in 0..(MAX_FILTER_ENTRIES_PER_MAPPING as u16 + 10) {
            let to = SocketAddr::new("203.0.113.1".parse().unwrap(), 1000 + i);
            n.translate_out(t0 + Duration::from_millis(u64::from(i)), private, to)
                .unwrap();
        }
        let mapping = n.mappings.values().next().unwrap();
        assert_eq!(mapping.filter.len(), MAX_FILTER_ENTRIES_PER_MAPPING);
        // The ten oldest destinations were forgotten, the newest kept.
        assert!(
            !mapping
                .filter
                .contains_key(&Remote::AddressAndPort(addr("203.0.113.1:1009")))
        );
        assert!(
            mapping
                .filter
                .contains_key(&Remote::AddressAndPort(addr("203.0.113.1:1010")))
        );
    }
}
