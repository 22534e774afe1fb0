//! Invalid Stream Identifier error cause (RFC 9260 §3.3.10.1): DATA was sent
//! to a stream that does not exist.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 1        |        Cause Length = 8       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |       Stream Identifier       |          (Reserved)           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::types::StreamId;
use crate::wire::{Reader, Tlv};

/// The stream a DATA chunk named does not exist.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct InvalidStreamIdentifierCause {
    /// The invalid stream.
    pub stream_id: StreamId,
}

impl InvalidStreamIdentifierCause {
    /// Cause code.
    pub const CODE: u16 = 1;

    /// Parses the cause-specific information (reserved bits ignored).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "Invalid Stream Identifier cause");
        let stream_id = StreamId(r.u16()?);
        let _reserved = r.u16()?;
        Ok(Self { stream_id })
    }
}

impl Tlv for InvalidStreamIdentifierCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u16(self.stream_id.0);
        out.put_u16(0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::InvalidStreamIdentifier(
            InvalidStreamIdentifierCause {
                stream_id: StreamId(9),
            },
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 1, 0, 6, 0, 9, 0, 0]).is_err());
    }
}
