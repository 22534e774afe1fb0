//! State Cookie parameter (RFC 9260 §3.3.3.1), carried in INIT ACK and
//! echoed back in COOKIE ECHO. Its content is the creator's business.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 7             |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                            Cookie                             /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// The state cookie, as opaque bytes.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct StateCookieParameter {
    /// The cookie.
    pub cookie: Bytes,
}

impl StateCookieParameter {
    /// Parameter type.
    pub const TYPE: u16 = 7;

    /// Parses the parameter value (any content is valid here; the cookie's
    /// creator authenticates it).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            cookie: value.clone(),
        })
    }
}

impl Tlv for StateCookieParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        self.cookie.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::StateCookie(StateCookieParameter {
            cookie: Bytes::from_static(&[9; 37]),
        }));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 7, 0, 40, 1, 2]).is_err());
        assert!(parse(&[0, 7, 0]).is_err());
    }
}
