//! User-Initiated Abort error cause (RFC 9260 §3.3.10.12): the upper layer
//! aborted the association.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Cause Code = 12        |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                    Upper Layer Abort Reason                   /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// User-Initiated Abort: The upper layer's reason for the abort.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UserInitiatedAbortCause {
    /// The upper layer's reason for the abort.
    pub reason: Bytes,
}

impl UserInitiatedAbortCause {
    /// Cause code.
    pub const CODE: u16 = 12;

    /// Parses the cause-specific information (kept opaque; any content is
    /// valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            reason: value.clone(),
        })
    }
}

impl Tlv for UserInitiatedAbortCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        self.reason.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.reason);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::UserInitiatedAbort(UserInitiatedAbortCause {
            reason: Bytes::from_static(b"\x00\x05\x00\x08\x7f\x00\x00\x01 and more"),
        }));
        assert_round_trip(&ErrorCause::UserInitiatedAbort(
            UserInitiatedAbortCause::default(),
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 12, 0, 9, 1, 2]).is_err());
    }
}
