//! ICMP (RFC 8656 §18.13). In a Data indication: the ICMP error the
//! server received from the peer, instead of data.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Reserved            |   ICMP Type   |   ICMP Code   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                          Error Data                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The RFC's figure draws the type as 7 bits and the code as 9, but ICMP
//! and ICMPv6 types and codes are one byte each (RFC 792, RFC 4443), so they
//! are read as the third and fourth bytes. Error Data is the next-hop MTU
//! for "fragmentation needed" / "packet too big", zero otherwise. The
//! reserved bytes are ignored.

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// ICMP: an ICMP error relayed by the TURN server.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Icmp {
    /// ICMP (or ICMPv6, per the peer's family) type.
    pub icmp_type: u8,
    /// ICMP code.
    pub code: u8,
    /// Error data (the MTU for "packet too big").
    pub data: u32,
}

impl StunAttribute for Icmp {
    const TYPE: AttrType = AttrType::ICMP;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 8)?;
        let mut r = Reader::new(value);
        let _reserved = r.u16();
        Ok(Self {
            icmp_type: r.u8().unwrap_or_default(),
            code: r.u8().unwrap_or_default(),
            data: r.u32().unwrap_or_default(),
        })
    }

    fn value_len(&self) -> usize {
        8
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u16(0);
        out.put_u8(self.icmp_type);
        out.put_u8(self.code);
        out.put_u32(self.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        let a = Icmp {
            icmp_type: 3,
            code: 4,
            data: 1400,
        };
        assert_eq!(&round_trip(a)[..], &[0, 0, 3, 4, 0, 0, 0x05, 0x78]);
        assert_eq!(decode::<Icmp>(&[0xff, 0xff, 3, 4, 0, 0, 0x05, 0x78]), Ok(a));
    }

    #[test]
    fn malformed() {
        assert!(decode::<Icmp>(&[0; 4]).is_err());
        assert!(decode::<Icmp>(&[0; 12]).is_err());
    }
}
