//! Supported Extensions parameter (RFC 5061 §4.2.7): the chunk types beyond
//! RFC 9260 that the sender understands (RE-CONFIG, FORWARD-TSN, I-DATA...).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 0x8008   |      Parameter Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | CHUNK TYPE 1  |  CHUNK TYPE 2 |  CHUNK TYPE 3 |  CHUNK TYPE 4 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             ....                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Extension chunk types the sender supports.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SupportedExtensionsParameter {
    /// Chunk types, one byte each.
    pub chunk_types: Vec<u8>,
}

impl SupportedExtensionsParameter {
    /// Parameter type.
    pub const TYPE: u16 = 0x8008;

    /// Whether `chunk_type` is listed.
    pub fn supports(&self, chunk_type: u8) -> bool {
        self.chunk_types.contains(&chunk_type)
    }

    /// Parses the parameter value (any number of bytes).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            chunk_types: value.to_vec(),
        })
    }
}

impl Tlv for SupportedExtensionsParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        self.chunk_types.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.chunk_types);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        let p = SupportedExtensionsParameter {
            chunk_types: vec![130, 192, 64],
        };
        assert!(p.supports(64));
        assert!(!p.supports(0));
        assert_round_trip(&Parameter::SupportedExtensions(p));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0x80, 0x08, 0, 7, 130]).is_err());
    }
}
