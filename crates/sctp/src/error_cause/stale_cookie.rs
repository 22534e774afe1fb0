//! Stale Cookie error cause (RFC 9260 §3.3.10.3): a COOKIE ECHO arrived
//! after the cookie expired.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 3        |        Cause Length = 8       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Measure of Staleness (usec.)                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// The cookie was this much too old.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StaleCookieCause {
    /// How long ago the cookie expired, in microseconds.
    pub staleness_us: u32,
}

impl StaleCookieCause {
    /// Cause code.
    pub const CODE: u16 = 3;

    /// Parses the cause-specific information.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "Stale Cookie cause");
        Ok(Self {
            staleness_us: r.u32()?,
        })
    }
}

impl Tlv for StaleCookieCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.staleness_us);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::StaleCookie(StaleCookieCause {
            staleness_us: 1_500_000,
        }));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 3, 0, 6, 0, 1, 0, 0]).is_err());
    }
}
