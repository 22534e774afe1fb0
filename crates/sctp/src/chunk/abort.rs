//! ABORT chunk (RFC 9260 §3.3.7): the association is closed at once.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 6    |  Reserved   |T|            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \               Zero or more Error Causes                       \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! T set: the verification tag is the receiver's own (reflected), because
//! the sender had no TCB.

use bytes::BytesMut;

use super::{RawChunk, WriteChunk};
use crate::error_cause::{ErrorCause, parse_error_causes};
use crate::parse_error::ParseError;
use crate::wire::{pad_from, padded, tlv_list_len, write_chunk_header, write_tlv_list};

/// The T flag of ABORT and SHUTDOWN COMPLETE.
pub const FLAG_TAG_REFLECTED: u8 = 0x01;

/// ABORT: close the association now, optionally saying why.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AbortChunk {
    /// The T bit.
    pub tag_reflected: bool,
    /// Why the association was aborted.
    pub causes: Vec<ErrorCause>,
}

impl AbortChunk {
    /// Chunk type.
    pub const TYPE: u8 = 6;

    /// Parses the chunk; a malformed error cause fails it.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self {
            tag_reflected: raw.flags & FLAG_TAG_REFLECTED != 0,
            causes: parse_error_causes(&raw.value)?,
        })
    }

    fn value_len(&self) -> usize {
        tlv_list_len(&self.causes)
    }
}

impl WriteChunk for AbortChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.serialized_len());
        let flags = if self.tag_reflected {
            FLAG_TAG_REFLECTED
        } else {
            0
        };
        write_chunk_header(out, Self::TYPE, flags, self.value_len());
        write_tlv_list(&self.causes, out);
        pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_cause::{NoUserDataCause, UserInitiatedAbortCause};
    use crate::types::Tsn;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = AbortChunk {
            tag_reflected: true,
            causes: vec![
                ErrorCause::UserInitiatedAbort(UserInitiatedAbortCause {
                    reason: Bytes::from_static(b"bye"),
                }),
                ErrorCause::NoUserData(NoUserDataCause { tsn: Tsn(4) }),
            ],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[6, 1, 0, 20]);
        let raw = RawChunk {
            typ: 6,
            flags: 1,
            value: Bytes::copy_from_slice(&out[4..20]),
        };
        assert_eq!(AbortChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn empty_abort() {
        let c = AbortChunk::default();
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(&out[..], &[6, 0, 0, 4]);
    }

    #[test]
    fn malformed_cause() {
        let raw = RawChunk {
            typ: 6,
            flags: 0,
            value: Bytes::from_static(&[0, 12, 0, 99, 1]),
        };
        assert!(AbortChunk::parse(&raw).is_err());
    }
}
