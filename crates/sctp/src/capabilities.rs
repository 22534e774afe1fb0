//! Extensions both ends announced during the handshake.

/// What the association may use, decided from both INIT chunks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// PR-SCTP (RFC 3758): FORWARD-TSN may be sent.
    pub partial_reliability: bool,
    /// I-DATA and I-FORWARD-TSN replace DATA and FORWARD-TSN (RFC 8260).
    pub message_interleaving: bool,
    /// RE-CONFIG stream reset (RFC 6525).
    pub reconfig: bool,
    /// CRC32C may be left zero on sent packets (RFC 9653).
    pub zero_checksum: bool,
    /// The peer reads packets of up to 65535 bytes: path MTU probes may
    /// go above 1500 (Large Packets Acceptable, sanderling's own).
    pub large_packets: bool,
}

impl Capabilities {
    pub(crate) fn to_bits(self) -> u8 {
        u8::from(self.partial_reliability)
            | u8::from(self.message_interleaving) << 1
            | u8::from(self.reconfig) << 2
            | u8::from(self.zero_checksum) << 3
            | u8::from(self.large_packets) << 4
    }

    pub(crate) fn from_bits(bits: u8) -> Self {
        Self {
            partial_reliability: bits & 1 != 0,
            message_interleaving: bits & 2 != 0,
            reconfig: bits & 4 != 0,
            zero_checksum: bits & 8 != 0,
            large_packets: bits & 16 != 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        for bits in 0..32 {
            assert_eq!(Capabilities::from_bits(bits).to_bits(), bits);
        }
        assert!(Capabilities::from_bits(4).reconfig);
    }
}
