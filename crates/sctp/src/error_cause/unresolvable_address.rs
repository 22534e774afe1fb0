//! Unresolvable Address error cause (RFC 9260 §3.3.10.5): the sender cannot
//! reach an address the peer listed.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 5        |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /          Unresolvable Address (address parameter TLV)         /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Unresolvable Address: The unresolvable address, as a complete address parameter (TLV).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UnresolvableAddressCause {
    /// The unresolvable address, as a complete address parameter (TLV).
    pub address: Bytes,
}

impl UnresolvableAddressCause {
    /// Cause code.
    pub const CODE: u16 = 5;

    /// Parses the cause-specific information (kept opaque; any content is
    /// valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            address: value.clone(),
        })
    }
}

impl Tlv for UnresolvableAddressCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        self.address.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.address);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::UnresolvableAddress(UnresolvableAddressCause {
            address: Bytes::from_static(b"\x00\x05\x00\x08\x7f\x00\x00\x01 and more"),
        }));
        assert_round_trip(&ErrorCause::UnresolvableAddress(
            UnresolvableAddressCause::default(),
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 5, 0, 9, 1, 2]).is_err());
    }
}
