//! RE-CONFIG chunk (RFC 6525 §3.1): one or two re-configuration
//! parameters (stream reset requests and responses).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 130    |  Chunk Flags  |      Chunk Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                  Re-configuration Parameter                   \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \             Re-configuration Parameter (optional)             \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Which combinations of parameters are allowed is the association's to
//! check; the codec parses any parameter list.

use bytes::BytesMut;

use super::{RawChunk, WriteChunk};
use crate::param::{Parameter, parse_parameters};
use crate::parse_error::ParseError;
use crate::wire::{pad_from, padded, tlv_list_len, write_chunk_header, write_tlv_list};

/// RE-CONFIG: stream reconfiguration requests and responses.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ReConfigChunk {
    /// The re-configuration parameters, in wire order.
    pub parameters: Vec<Parameter>,
}

impl ReConfigChunk {
    /// Chunk type.
    pub const TYPE: u8 = 130;

    /// Parses the chunk; a malformed parameter fails it.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self {
            parameters: parse_parameters(&raw.value)?,
        })
    }

    fn value_len(&self) -> usize {
        tlv_list_len(&self.parameters)
    }
}

impl WriteChunk for ReConfigChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.serialized_len());
        write_chunk_header(out, Self::TYPE, 0, self.value_len());
        write_tlv_list(&self.parameters, out);
        pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param::{
        OutgoingSsnResetRequestParameter, ReconfigResponseParameter, ReconfigResult,
    };
    use crate::types::{StreamId, Tsn};
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = ReConfigChunk {
            parameters: vec![
                Parameter::OutgoingSsnResetRequest(OutgoingSsnResetRequestParameter {
                    request_seq: 1,
                    response_seq: 0,
                    sender_last_tsn: Tsn(10),
                    streams: vec![StreamId(1)],
                }),
                Parameter::ReconfigResponse(ReconfigResponseParameter {
                    response_seq: 4,
                    result: ReconfigResult::SuccessPerformed,
                    next_tsns: None,
                }),
            ],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        // 18-byte request padded to 20, then the 12-byte response.
        assert_eq!(&out[..4], &[130, 0, 0, 36]);
        let raw = RawChunk {
            typ: 130,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..36]),
        };
        assert_eq!(ReConfigChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn malformed_parameter() {
        let raw = RawChunk {
            typ: 130,
            flags: 0,
            value: Bytes::from_static(&[0, 13, 0, 8, 0, 0, 0, 1]),
        };
        assert!(ReConfigChunk::parse(&raw).is_err());
    }
}
