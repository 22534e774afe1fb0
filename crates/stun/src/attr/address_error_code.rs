//! ADDRESS-ERROR-CODE (RFC 8656 §18.12). In an Allocate success response
//! for two families: why the server could not allocate one of them.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Family       |    Rsvd             |Class|     Number        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Reason Phrase (variable)                                ..
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Class and number as in ERROR-CODE ([`super::error_code`]); any family
//! byte parses.

use bytes::{BufMut, Bytes, BytesMut};

use super::error_code::{check_code, code_bits, decode_code_reason};
use super::text::{MAX_TEXT_LEN, Text};
use super::{AddressFamily, AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// ADDRESS-ERROR-CODE: an address family and the error for it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AddressErrorCode {
    family: AddressFamily,
    code: u16,
    reason: Text,
}

impl AddressErrorCode {
    /// `code` (300 to 699) with `reason` for `family`.
    pub fn new(family: AddressFamily, code: u16, reason: &str) -> Result<Self, AttrError> {
        check_code(Self::TYPE, code)?;
        Ok(Self {
            family,
            code,
            reason: Text::from_str(Self::TYPE, reason, MAX_TEXT_LEN)?,
        })
    }

    /// The family the error is about.
    pub const fn family(&self) -> AddressFamily {
        self.family
    }

    /// The code, 300 to 699.
    pub const fn code(&self) -> u16 {
        self.code
    }

    /// The reason phrase.
    pub fn reason(&self) -> &str {
        self.reason.as_str()
    }
}

impl StunAttribute for AddressErrorCode {
    const TYPE: AttrType = AttrType::ADDRESS_ERROR_CODE;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        let Some(head) = value.first_chunk::<4>() else {
            return Err(AttrError::new(Self::TYPE, "truncated"));
        };
        let (code, reason) =
            decode_code_reason(Self::TYPE, u32::from_be_bytes(*head), value.slice(4..))?;
        Ok(Self {
            family: AddressFamily(head[0]),
            code,
            reason,
        })
    }

    fn value_len(&self) -> usize {
        4 + self.reason.len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u32(u32::from(self.family.0) << 24 | code_bits(self.code));
        out.extend_from_slice(self.reason.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        let a = AddressErrorCode::new(AddressFamily::IPV6, 440, "no IPv6").unwrap();
        let v = round_trip(a.clone());
        assert_eq!(&v[..4], &[2, 0, 4, 40]);
        assert_eq!(
            (a.family(), a.code(), a.reason()),
            (AddressFamily::IPV6, 440, "no IPv6")
        );
        round_trip(AddressErrorCode::new(AddressFamily::IPV4, 508, "").unwrap());
        // Reserved bits are ignored.
        let a = decode::<AddressErrorCode>(&[1, 0xff, 0xfd, 8]).unwrap();
        assert_eq!((a.family(), a.code()), (AddressFamily::IPV4, 508));
    }

    #[test]
    fn malformed() {
        assert!(AddressErrorCode::new(AddressFamily::IPV4, 200, "").is_err());
        assert!(decode::<AddressErrorCode>(&[1, 0, 5]).is_err());
        assert!(decode::<AddressErrorCode>(&[1, 0, 1, 0]).is_err());
        assert!(decode::<AddressErrorCode>(&[1, 0, 5, 0, 0xc3]).is_err());
    }
}
