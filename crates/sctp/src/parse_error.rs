//! The one error type every parser in the codec returns.
//!
//! Network input is hostile, so parsers report what was wrong instead of
//! panicking. The association mostly drops the packet; [`ParseError::NoUserData`]
//! is kept apart because RFC 9260 §6.2 answers it with an ABORT carrying
//! the "No User Data" cause.

use crate::types::Tsn;

/// Why a packet, chunk, parameter or error cause could not be parsed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ParseError {
    /// Fewer bytes than the structure's fixed part or its length field needs.
    #[error("{what}: truncated")]
    Truncated {
        /// The structure being parsed.
        what: &'static str,
    },
    /// A length field that no valid structure of this kind can have (shorter
    /// than its header, not a whole number of entries, ...).
    #[error("{what}: invalid length {length}")]
    InvalidLength {
        /// The structure being parsed.
        what: &'static str,
        /// The offending length (field value, or bytes present).
        length: usize,
    },
    /// The CRC32C in the common header does not match the packet.
    #[error("bad checksum: packet carries {received:#010x}, computed {computed:#010x}")]
    BadChecksum {
        /// The checksum as carried by the packet.
        received: u32,
        /// The checksum computed over the packet.
        computed: u32,
    },
    /// A DATA or I-DATA chunk without payload (RFC 9260 §6.2: the receiver
    /// aborts with error cause 9, "No User Data", naming this TSN).
    #[error("DATA chunk with TSN {} carries no user data", tsn.0)]
    NoUserData {
        /// The TSN of the empty chunk.
        tsn: Tsn,
    },
    /// A field holds a value the structure does not allow.
    #[error("{what}: invalid value")]
    InvalidValue {
        /// The structure or field being parsed.
        what: &'static str,
    },
}
