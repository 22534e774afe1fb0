//! How a simulated NAT behaves, in the terms of RFC 4787.

use std::ops::RangeInclusive;
use std::time::Duration;

/// When a NAT reuses a mapping (RFC 4787 §4.1): which outbound datagrams from
/// one private address:port share one public address:port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MappingBehavior {
    /// One mapping per private address:port, whatever the destination
    /// ("cone" NATs; what RFC 4787 REQ-1 requires).
    EndpointIndependent,
    /// One mapping per private address:port and destination IP address.
    AddressDependent,
    /// One mapping per private address:port and destination address:port
    /// (the "symmetric" NAT).
    AddressAndPortDependent,
}

/// Which inbound datagrams a NAT lets through an existing mapping
/// (RFC 4787 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilteringBehavior {
    /// Any outside host may send to the mapping ("full cone").
    EndpointIndependent,
    /// Only IP addresses the mapping has sent to, from any port
    /// ("restricted cone").
    AddressDependent,
    /// Only the exact address:port pairs the mapping has sent to
    /// ("port restricted cone", and the symmetric NAT).
    AddressAndPortDependent,
}

/// How a NAT picks the public port of a new mapping when port preservation
/// does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortAllocation {
    /// The lowest free port of the range at or after the one handed out last,
    /// wrapping around: the first mapping gets the range's first port, the
    /// next one the port after, and so on.
    Sequential,
    /// A port drawn uniformly from the range by the NAT's own generator
    /// (seeded from the network's seed), or the next free one after it.
    Random,
}

/// The behaviour of one simulated NAT. Start from a preset and change what
/// the test needs:
///
/// ```
/// use std::time::Duration;
/// use sanderling_netsim::NatConfig;
///
/// let short_lived = NatConfig {
///     mapping_timeout: Duration::from_secs(30),
///     hairpinning: false,
///     ..NatConfig::port_restricted_cone()
/// };
/// assert!(short_lived.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatConfig {
    /// When mappings are shared between destinations.
    pub mapping: MappingBehavior,
    /// Which inbound datagrams get through a mapping.
    pub filtering: FilteringBehavior,
    /// Give a new mapping the private port as its public port when that port
    /// is free on the public address (RFC 4787 §4.2.1), even outside
    /// `port_range`; otherwise allocate from the range.
    pub port_preservation: bool,
    /// How public ports are chosen from `port_range`.
    pub port_allocation: PortAllocation,
    /// The public ports new mappings are given.
    pub port_range: RangeInclusive<u16>,
    /// How long a mapping lives after the last datagram sent out through it
    /// (inbound datagrams do not refresh it). A filter entry (a destination
    /// the mapping has sent to) lives as long after the last datagram sent to
    /// that destination. RFC 4787 REQ-5 requires at least two minutes.
    pub mapping_timeout: Duration,
    /// Whether a private host may reach another private host through their
    /// public mappings (RFC 4787 REQ-9). The hairpinned datagram carries the
    /// sender's public mapping as its source.
    pub hairpinning: bool,
    /// The most mappings the NAT holds at once; a datagram that would need
    /// one more is dropped and counted.
    pub max_mappings: usize,
}

impl NatConfig {
    /// The defaults shared by the presets: sequential ports from the dynamic
    /// range 49152..=65535 without preservation, a 120 s mapping timeout,
    /// hairpinning on, at most 16384 mappings.
    fn with(mapping: MappingBehavior, filtering: FilteringBehavior) -> Self {
        Self {
            mapping,
            filtering,
            port_preservation: false,
            port_allocation: PortAllocation::Sequential,
            port_range: 49152..=65535,
            mapping_timeout: Duration::from_secs(120),
            hairpinning: true,
            max_mappings: 16384,
        }
    }

    /// Full cone: endpoint-independent mapping and filtering. Once a private
    /// endpoint has sent anything out, anyone can reach it.
    pub fn full_cone() -> Self {
        Self::with(
            MappingBehavior::EndpointIndependent,
            FilteringBehavior::EndpointIndependent,
        )
    }

    /// Restricted cone: endpoint-independent mapping, address-dependent
    /// filtering.
    pub fn restricted_cone() -> Self {
        Self::with(
            MappingBehavior::EndpointIndependent,
            FilteringBehavior::AddressDependent,
        )
    }

    /// Port restricted cone: endpoint-independent mapping,
    /// address-and-port-dependent filtering. The common home router.
    pub fn port_restricted_cone() -> Self {
        Self::with(
            MappingBehavior::EndpointIndependent,
            FilteringBehavior::AddressAndPortDependent,
        )
    }

    /// Symmetric: address-and-port-dependent mapping and filtering. Every
    /// destination sees another public port, so a server-reflexive address
    /// learnt from one server is useless to any other peer.
    pub fn symmetric() -> Self {
        Self::with(
            MappingBehavior::AddressAndPortDependent,
            FilteringBehavior::AddressAndPortDependent,
        )
    }

    /// Checks the config: a non-empty port range, a non-zero timeout and
    /// room for at least one mapping.
    pub fn validate(&self) -> Result<(), String> {
        if self.port_range.is_empty() {
            return Err(format!("NAT port range {:?} is empty", self.port_range));
        }
        if self.mapping_timeout.is_zero() {
            return Err("NAT mapping timeout must be positive".into());
        }
        if self.max_mappings == 0 {
            return Err("NAT must allow at least one mapping".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_rfc_4787_names() {
        use FilteringBehavior as F;
        use MappingBehavior as M;
        let cases = [
            (
                NatConfig::full_cone(),
                M::EndpointIndependent,
                F::EndpointIndependent,
            ),
            (
                NatConfig::restricted_cone(),
                M::EndpointIndependent,
                F::AddressDependent,
            ),
            (
                NatConfig::port_restricted_cone(),
                M::EndpointIndependent,
                F::AddressAndPortDependent,
            ),
            (
                NatConfig::symmetric(),
                M::AddressAndPortDependent,
                F::AddressAndPortDependent,
            ),
        ];
        for (config, mapping, filtering) in cases {
            assert_eq!((config.mapping, config.filtering), (mapping, filtering));
            assert!(config.mapping_timeout >= Duration::from_secs(120));
            assert!(config.validate().is_ok());
        }
    }

    #[test]
    fn invalid_configs_are_refused() {
        #[allow(clippy::reversed_empty_ranges)]
        let empty = NatConfig {
            port_range: 2000..=1000,
            ..NatConfig::full_cone()
        };
        assert!(empty.validate().is_err());
        let zero = NatConfig {
            mapping_timeout: Duration::ZERO,
            ..NatConfig::full_cone()
        };
        assert!(zero.validate().is_err());
        let none = NatConfig {
            max_mappings: 0,
            ..NatConfig::full_cone()
        };
        assert!(none.validate().is_err());
    }
}
