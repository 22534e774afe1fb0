//! Cookie Preservative parameter (RFC 9260 §3.3.2.1): the sender of an
//! INIT asks for a longer cookie lifetime after a stale cookie.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 9             |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Suggested Cookie Life-Span Increment (msec.)          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// A suggested increase of the cookie's life span.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CookiePreservativeParameter {
    /// Suggested cookie life-span increment, in milliseconds.
    pub life_span_increment_ms: u32,
}

impl CookiePreservativeParameter {
    /// Parameter type.
    pub const TYPE: u16 = 9;

    /// Parses the parameter value: exactly four bytes.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "Cookie Preservative parameter");
        let life_span_increment_ms = r.u32()?;
        r.finish()?;
        Ok(Self {
            life_span_increment_ms,
        })
    }
}

impl Tlv for CookiePreservativeParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.life_span_increment_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::CookiePreservative(
            CookiePreservativeParameter {
                life_span_increment_ms: 1000,
            },
        ));
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0, 9, 0, 6, 0, 1, 0, 0]).is_err());
    }
}
