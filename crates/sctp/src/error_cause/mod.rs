//! Error causes carried by ABORT and ERROR chunks (RFC 9260 §3.3.10), one
//! file per cause that has content.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Cause Code          |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                    Cause-Specific Information                 /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Same framing as parameters: the length counts header and information,
//! not the padding to four bytes. Causes are informative, so the content of
//! the causes that have none is ignored rather than rejected.

use bytes::{Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Tlv, TlvIter, tlv_padded_len, write_tlv};

pub mod invalid_stream_identifier;
pub mod missing_mandatory_parameter;
pub mod no_user_data;
pub mod protocol_violation;
pub mod restart_with_new_addresses;
pub mod stale_cookie;
pub mod unrecognized_chunk_type;
pub mod unrecognized_parameters;
pub mod unresolvable_address;
pub mod user_initiated_abort;

pub use invalid_stream_identifier::InvalidStreamIdentifierCause;
pub use missing_mandatory_parameter::MissingMandatoryParameterCause;
pub use no_user_data::NoUserDataCause;
pub use protocol_violation::ProtocolViolationCause;
pub use restart_with_new_addresses::RestartWithNewAddressesCause;
pub use stale_cookie::StaleCookieCause;
pub use unrecognized_chunk_type::UnrecognizedChunkTypeCause;
pub use unrecognized_parameters::UnrecognizedParametersCause;
pub use unresolvable_address::UnresolvableAddressCause;
pub use user_initiated_abort::UserInitiatedAbortCause;

/// Cause code of "Out of Resource" (no content).
pub const OUT_OF_RESOURCE: u16 = 4;
/// Cause code of "Invalid Mandatory Parameter" (no content).
pub const INVALID_MANDATORY_PARAMETER: u16 = 7;
/// Cause code of "Cookie Received While Shutting Down" (no content).
pub const COOKIE_RECEIVED_WHILE_SHUTTING_DOWN: u16 = 10;

/// An error cause.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ErrorCause {
    /// 1: Invalid Stream Identifier.
    InvalidStreamIdentifier(InvalidStreamIdentifierCause),
    /// 2: Missing Mandatory Parameter.
    MissingMandatoryParameter(MissingMandatoryParameterCause),
    /// 3: Stale Cookie Error.
    StaleCookie(StaleCookieCause),
    /// 4: Out of Resource.
    OutOfResource,
    /// 5: Unresolvable Address.
    UnresolvableAddress(UnresolvableAddressCause),
    /// 6: Unrecognized Chunk Type.
    UnrecognizedChunkType(UnrecognizedChunkTypeCause),
    /// 7: Invalid Mandatory Parameter.
    InvalidMandatoryParameter,
    /// 8: Unrecognized Parameters.
    UnrecognizedParameters(UnrecognizedParametersCause),
    /// 9: No User Data.
    NoUserData(NoUserDataCause),
    /// 10: Cookie Received While Shutting Down.
    CookieReceivedWhileShuttingDown,
    /// 11: Restart of an Association with New Addresses.
    RestartWithNewAddresses(RestartWithNewAddressesCause),
    /// 12: User-Initiated Abort.
    UserInitiatedAbort(UserInitiatedAbortCause),
    /// 13: Protocol Violation.
    ProtocolViolation(ProtocolViolationCause),
    /// Any other cause code, kept as received.
    Unknown {
        /// Cause code.
        code: u16,
        /// Cause-specific information.
        value: Bytes,
    },
}

impl ErrorCause {
    /// Interprets a cause from its code and cause-specific information.
    pub fn parse(code: u16, value: &Bytes) -> Result<Self, ParseError> {
        Ok(match code {
            InvalidStreamIdentifierCause::CODE => {
                Self::InvalidStreamIdentifier(InvalidStreamIdentifierCause::parse(value)?)
            }
            MissingMandatoryParameterCause::CODE => {
                Self::MissingMandatoryParameter(MissingMandatoryParameterCause::parse(value)?)
            }
            StaleCookieCause::CODE => Self::StaleCookie(StaleCookieCause::parse(value)?),
            OUT_OF_RESOURCE => Self::OutOfResource,
            UnresolvableAddressCause::CODE => {
                Self::UnresolvableAddress(UnresolvableAddressCause::parse(value)?)
            }
            UnrecognizedChunkTypeCause::CODE => {
                Self::UnrecognizedChunkType(UnrecognizedChunkTypeCause::parse(value)?)
            }
            INVALID_MANDATORY_PARAMETER => Self::InvalidMandatoryParameter,
            UnrecognizedParametersCause::CODE => {
                Self::UnrecognizedParameters(UnrecognizedParametersCause::parse(value)?)
            }
            NoUserDataCause::CODE => Self::NoUserData(NoUserDataCause::parse(value)?),
            COOKIE_RECEIVED_WHILE_SHUTTING_DOWN => Self::CookieReceivedWhileShuttingDown,
            RestartWithNewAddressesCause::CODE => {
                Self::RestartWithNewAddresses(RestartWithNewAddressesCause::parse(value)?)
            }
            UserInitiatedAbortCause::CODE => {
                Self::UserInitiatedAbort(UserInitiatedAbortCause::parse(value)?)
            }
            ProtocolViolationCause::CODE => {
                Self::ProtocolViolation(ProtocolViolationCause::parse(value)?)
            }
            _ => Self::Unknown {
                code,
                value: value.clone(),
            },
        })
    }

    /// The cause code.
    pub fn code(&self) -> u16 {
        self.tlv_type()
    }

    /// Bytes the cause takes on the wire, header and padding included.
    pub fn serialized_len(&self) -> usize {
        tlv_padded_len(self)
    }

    /// Appends the cause: header, information and padding.
    pub fn serialize(&self, out: &mut BytesMut) {
        write_tlv(self, out);
    }
}

/// Parses every error cause in `buf` (an ABORT or ERROR chunk's value). Any
/// malformed cause fails the list. The vector grows one cause at a time, so
/// its size is bounded by the bytes present.
pub fn parse_error_causes(buf: &Bytes) -> Result<Vec<ErrorCause>, ParseError> {
    TlvIter::new(buf.clone(), "error cause")
        .map(|t| {
            let t = t?;
            ErrorCause::parse(t.typ, &t.value)
        })
        .collect()
}

impl Tlv for ErrorCause {
    fn tlv_type(&self) -> u16 {
        match self {
            Self::InvalidStreamIdentifier(c) => c.tlv_type(),
            Self::MissingMandatoryParameter(c) => c.tlv_type(),
            Self::StaleCookie(c) => c.tlv_type(),
            Self::OutOfResource => OUT_OF_RESOURCE,
            Self::UnresolvableAddress(c) => c.tlv_type(),
            Self::UnrecognizedChunkType(c) => c.tlv_type(),
            Self::InvalidMandatoryParameter => INVALID_MANDATORY_PARAMETER,
            Self::UnrecognizedParameters(c) => c.tlv_type(),
            Self::NoUserData(c) => c.tlv_type(),
            Self::CookieReceivedWhileShuttingDown => COOKIE_RECEIVED_WHILE_SHUTTING_DOWN,
            Self::RestartWithNewAddresses(c) => c.tlv_type(),
            Self::UserInitiatedAbort(c) => c.tlv_type(),
            Self::ProtocolViolation(c) => c.tlv_type(),
            Self::Unknown { code, .. } => *code,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            Self::InvalidStreamIdentifier(c) => c.value_len(),
            Self::MissingMandatoryParameter(c) => c.value_len(),
            Self::StaleCookie(c) => c.value_len(),
            Self::UnresolvableAddress(c) => c.value_len(),
            Self::UnrecognizedChunkType(c) => c.value_len(),
            Self::UnrecognizedParameters(c) => c.value_len(),
            Self::NoUserData(c) => c.value_len(),
            Self::RestartWithNewAddresses(c) => c.value_len(),
            Self::UserInitiatedAbort(c) => c.value_len(),
            Self::ProtocolViolation(c) => c.value_len(),
            Self::Unknown { value, .. } => value.len(),
            Self::OutOfResource
            | Self::InvalidMandatoryParameter
            | Self::CookieReceivedWhileShuttingDown => 0,
        }
    }

    fn write_value(&self, out: &mut BytesMut) {
        match self {
            Self::InvalidStreamIdentifier(c) => c.write_value(out),
            Self::MissingMandatoryParameter(c) => c.write_value(out),
            Self::StaleCookie(c) => c.write_value(out),
            Self::UnresolvableAddress(c) => c.write_value(out),
            Self::UnrecognizedChunkType(c) => c.write_value(out),
            Self::UnrecognizedParameters(c) => c.write_value(out),
            Self::NoUserData(c) => c.write_value(out),
            Self::RestartWithNewAddresses(c) => c.write_value(out),
            Self::UserInitiatedAbort(c) => c.write_value(out),
            Self::ProtocolViolation(c) => c.write_value(out),
            Self::Unknown { value, .. } => bytes::BufMut::put_slice(out, value),
            Self::OutOfResource
            | Self::InvalidMandatoryParameter
            | Self::CookieReceivedWhileShuttingDown => {}
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Serializes `c`, checks the length bookkeeping, parses it back and
    /// compares.
    pub(crate) fn assert_round_trip(c: &ErrorCause) {
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(out.len() % 4, 0);
        assert_eq!(parse_error_causes(&out.freeze()).unwrap(), vec![c.clone()]);
    }

    /// Parses a cause list from raw bytes.
    pub(crate) fn parse(bytes: &'static [u8]) -> Result<Vec<ErrorCause>, ParseError> {
        parse_error_causes(&Bytes::from_static(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn contentless_causes_round_trip() {
        for c in [
            ErrorCause::OutOfResource,
            ErrorCause::InvalidMandatoryParameter,
            ErrorCause::CookieReceivedWhileShuttingDown,
        ] {
            assert_round_trip(&c);
        }
        // Content where none is defined is ignored.
        assert_eq!(
            parse(&[0, 4, 0, 6, 1, 2, 0, 0]).unwrap(),
            vec![ErrorCause::OutOfResource]
        );
    }

    #[test]
    fn unknown_cause_is_kept() {
        assert_round_trip(&ErrorCause::Unknown {
            code: 0x0105,
            value: Bytes::from_static(&[1, 2, 3]),
        });
    }

    #[test]
    fn several_causes() {
        let list = parse(&[
            0, 9, 0, 8, 0, 0, 0, 5, 0, 12, 0, 5, b'x', 0, 0, 0, 0, 10, 0, 4,
        ])
        .unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[2], ErrorCause::CookieReceivedWhileShuttingDown);
    }

    #[test]
    fn malformed() {
        assert!(parse(&[0, 9, 0, 2]).is_err());
        assert!(parse(&[0, 9, 0]).is_err());
    }

    #[test]
    fn unrecognized_chunk_report_copies_the_chunk() {
        let raw = crate::chunk::RawChunk {
            typ: 0x47,
            flags: 1,
            value: Bytes::from_static(&[9, 9]),
        };
        let c = UnrecognizedChunkTypeCause::new(&raw);
        assert_eq!(&c.chunk[..], &[0x47, 1, 0, 6, 9, 9]);
    }
}
