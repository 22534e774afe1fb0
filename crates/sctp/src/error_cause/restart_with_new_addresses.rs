//! Restart of an Association with New Addresses error cause (RFC 9260
//! §3.3.10.11): an INIT restarting an association added addresses.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Cause Code = 11        |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                        New Address TLVs                       /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Restart of an Association with New Addresses: The new addresses, as address parameters (TLVs).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RestartWithNewAddressesCause {
    /// The new addresses, as address parameters (TLVs).
    pub addresses: Bytes,
}

impl RestartWithNewAddressesCause {
    /// Cause code.
    pub const CODE: u16 = 11;

    /// Parses the cause-specific information (kept opaque; any content is
    /// valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            addresses: value.clone(),
        })
    }
}

impl Tlv for RestartWithNewAddressesCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        self.addresses.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.addresses);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::RestartWithNewAddresses(
            RestartWithNewAddressesCause {
                addresses: Bytes::from_static(b"\x00\x05\x00\x08\x7f\x00\x00\x01 and more"),
            },
        ));
        assert_round_trip(&ErrorCause::RestartWithNewAddresses(
            RestartWithNewAddressesCause::default(),
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 11, 0, 9, 1, 2]).is_err());
    }
}
