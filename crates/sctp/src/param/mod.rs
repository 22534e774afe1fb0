//! Chunk parameters (RFC 9260 §3.2.1 and the extensions), one file per type.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Parameter Type       |       Parameter Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                       Parameter Value                         \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Parameter Length counts the header and the value, not the zero padding
//! to a multiple of four. Parameters this crate does not know are kept as
//! [`RawParameter`] so the association can apply the rules of
//! [`unknown_parameter_action`].

use bytes::{BufMut, Bytes, BytesMut};

use crate::chunk::UnknownAction;
use crate::parse_error::ParseError;
use crate::wire::{Tlv, TlvIter, tlv_padded_len, write_tlv};

pub mod add_incoming_streams;
pub mod add_outgoing_streams;
pub mod cookie_preservative;
pub mod forward_tsn_supported;
pub mod heartbeat_info;
pub mod incoming_ssn_reset_request;
pub mod ipv4_address;
pub mod ipv6_address;
pub mod large_packets_acceptable;
pub mod outgoing_ssn_reset_request;
pub mod reconfig_response;
pub mod ssn_tsn_reset_request;
pub mod state_cookie;
pub mod supported_address_types;
pub mod supported_extensions;
pub mod unrecognized_parameter;
pub mod zero_checksum_acceptable;

pub use add_incoming_streams::AddIncomingStreamsParameter;
pub use add_outgoing_streams::AddOutgoingStreamsParameter;
pub use cookie_preservative::CookiePreservativeParameter;
pub use forward_tsn_supported::ForwardTsnSupportedParameter;
pub use heartbeat_info::HeartbeatInfoParameter;
pub use incoming_ssn_reset_request::IncomingSsnResetRequestParameter;
pub use ipv4_address::Ipv4AddressParameter;
pub use ipv6_address::Ipv6AddressParameter;
pub use large_packets_acceptable::LargePacketsAcceptableParameter;
pub use outgoing_ssn_reset_request::OutgoingSsnResetRequestParameter;
pub use reconfig_response::{NextTsns, ReconfigResponseParameter, ReconfigResult};
pub use ssn_tsn_reset_request::SsnTsnResetRequestParameter;
pub use state_cookie::StateCookieParameter;
pub use supported_address_types::SupportedAddressTypesParameter;
pub use supported_extensions::SupportedExtensionsParameter;
pub use unrecognized_parameter::UnrecognizedParameter;
pub use zero_checksum_acceptable::ZeroChecksumAcceptableParameter;

/// What to do with a parameter of unknown type (RFC 9260 §3.2.1), from the
/// two high bits of its type: `00` stop processing this parameter and the
/// rest of the chunk's parameters, `01` the same and report it in an
/// "Unrecognized Parameter", `10` skip it and go on, `11` skip it, go on and
/// report it.
#[inline]
pub fn unknown_parameter_action(typ: u16) -> UnknownAction {
    UnknownAction {
        stop: typ & 0x8000 == 0,
        report: typ & 0x4000 != 0,
    }
}

/// A parameter of a type this crate does not interpret.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RawParameter {
    /// Parameter type.
    pub typ: u16,
    /// Parameter value, without header and padding.
    pub value: Bytes,
}

impl RawParameter {
    /// The parameter as it appeared on the wire (header and value, no
    /// padding): what "Unrecognized Parameter" and the "Unrecognized
    /// Parameters" error cause carry.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(4 + self.value.len());
        out.put_u16(self.typ);
        out.put_u16(crate::wire::len16(4 + self.value.len()));
        out.put_slice(&self.value);
        out.freeze()
    }
}

impl Tlv for RawParameter {
    fn tlv_type(&self) -> u16 {
        self.typ
    }
    fn value_len(&self) -> usize {
        self.value.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.value);
    }
}

/// Iterates over the parameters packed in a chunk value (or any TLV list),
/// without interpreting them. After the first error it yields nothing more.
#[derive(Debug)]
pub struct RawParameters(TlvIter);

impl RawParameters {
    /// Iterates over the parameters in `buf` (no copy: values are slices).
    pub fn new(buf: Bytes) -> Self {
        Self(TlvIter::new(buf, "parameter"))
    }
}

impl Iterator for RawParameters {
    type Item = Result<RawParameter, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|r| {
            r.map(|t| RawParameter {
                typ: t.typ,
                value: t.value,
            })
        })
    }
}

/// Parses every parameter in `buf`. Any malformed parameter (including a
/// known type with a wrong length) fails the whole list; unknown types are
/// kept as [`Parameter::Unknown`]. The vector grows one parameter at a time,
/// so its size is bounded by the bytes present.
pub fn parse_parameters(buf: &Bytes) -> Result<Vec<Parameter>, ParseError> {
    RawParameters::new(buf.clone())
        .map(|raw| Parameter::parse(&raw?))
        .collect()
}

/// A chunk parameter.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Parameter {
    /// Heartbeat Info (1).
    HeartbeatInfo(HeartbeatInfoParameter),
    /// IPv4 Address (5).
    Ipv4Address(Ipv4AddressParameter),
    /// IPv6 Address (6).
    Ipv6Address(Ipv6AddressParameter),
    /// State Cookie (7).
    StateCookie(StateCookieParameter),
    /// Unrecognized Parameter (8).
    UnrecognizedParameter(UnrecognizedParameter),
    /// Cookie Preservative (9).
    CookiePreservative(CookiePreservativeParameter),
    /// Supported Address Types (12).
    SupportedAddressTypes(SupportedAddressTypesParameter),
    /// Outgoing SSN Reset Request (13, RFC 6525).
    OutgoingSsnResetRequest(OutgoingSsnResetRequestParameter),
    /// Incoming SSN Reset Request (14, RFC 6525).
    IncomingSsnResetRequest(IncomingSsnResetRequestParameter),
    /// SSN/TSN Reset Request (15, RFC 6525).
    SsnTsnResetRequest(SsnTsnResetRequestParameter),
    /// Re-configuration Response (16, RFC 6525).
    ReconfigResponse(ReconfigResponseParameter),
    /// Add Outgoing Streams Request (17, RFC 6525).
    AddOutgoingStreams(AddOutgoingStreamsParameter),
    /// Add Incoming Streams Request (18, RFC 6525).
    AddIncomingStreams(AddIncomingStreamsParameter),
    /// Zero Checksum Acceptable (0x8001, RFC 9653).
    ZeroChecksumAcceptable(ZeroChecksumAcceptableParameter),
    /// Supported Extensions (0x8008, RFC 5061).
    SupportedExtensions(SupportedExtensionsParameter),
    /// Forward-TSN-Supported (0xC000, RFC 3758).
    ForwardTsnSupported(ForwardTsnSupportedParameter),
    /// Large Packets Acceptable (0xBF53, sanderling's own).
    LargePacketsAcceptable(LargePacketsAcceptableParameter),
    /// Any other type, kept as received.
    Unknown(RawParameter),
}

/// Runs `$e` with `$p` bound to the inner value of whichever variant.
macro_rules! each_parameter {
    ($self:expr, $p:ident => $e:expr) => {
        match $self {
            Parameter::HeartbeatInfo($p) => $e,
            Parameter::Ipv4Address($p) => $e,
            Parameter::Ipv6Address($p) => $e,
            Parameter::StateCookie($p) => $e,
            Parameter::UnrecognizedParameter($p) => $e,
            Parameter::CookiePreservative($p) => $e,
            Parameter::SupportedAddressTypes($p) => $e,
            Parameter::OutgoingSsnResetRequest($p) => $e,
            Parameter::IncomingSsnResetRequest($p) => $e,
            Parameter::SsnTsnResetRequest($p) => $e,
            Parameter::ReconfigResponse($p) => $e,
            Parameter::AddOutgoingStreams($p) => $e,
            Parameter::AddIncomingStreams($p) => $e,
            Parameter::ZeroChecksumAcceptable($p) => $e,
            Parameter::SupportedExtensions($p) => $e,
            Parameter::ForwardTsnSupported($p) => $e,
            Parameter::LargePacketsAcceptable($p) => $e,
            Parameter::Unknown($p) => $e,
        }
    };
}

impl Parameter {
    /// Interprets a raw parameter; unknown types become
    /// [`Parameter::Unknown`].
    pub fn parse(raw: &RawParameter) -> Result<Self, ParseError> {
        let v = &raw.value;
        Ok(match raw.typ {
            HeartbeatInfoParameter::TYPE => Self::HeartbeatInfo(HeartbeatInfoParameter::parse(v)?),
            Ipv4AddressParameter::TYPE => Self::Ipv4Address(Ipv4AddressParameter::parse(v)?),
            Ipv6AddressParameter::TYPE => Self::Ipv6Address(Ipv6AddressParameter::parse(v)?),
            StateCookieParameter::TYPE => Self::StateCookie(StateCookieParameter::parse(v)?),
            UnrecognizedParameter::TYPE => {
                Self::UnrecognizedParameter(UnrecognizedParameter::parse(v)?)
            }
            CookiePreservativeParameter::TYPE => {
                Self::CookiePreservative(CookiePreservativeParameter::parse(v)?)
            }
            SupportedAddressTypesParameter::TYPE => {
                Self::SupportedAddressTypes(SupportedAddressTypesParameter::parse(v)?)
            }
            OutgoingSsnResetRequestParameter::TYPE => {
                Self::OutgoingSsnResetRequest(OutgoingSsnResetRequestParameter::parse(v)?)
            }
            IncomingSsnResetRequestParameter::TYPE => {
                Self::IncomingSsnResetRequest(IncomingSsnResetRequestParameter::parse(v)?)
            }
            SsnTsnResetRequestParameter::TYPE => {
                Self::SsnTsnResetRequest(SsnTsnResetRequestParameter::parse(v)?)
            }
            ReconfigResponseParameter::TYPE => {
                Self::ReconfigResponse(ReconfigResponseParameter::parse(v)?)
            }
            AddOutgoingStreamsParameter::TYPE => {
                Self::AddOutgoingStreams(AddOutgoingStreamsParameter::parse(v)?)
            }
            AddIncomingStreamsParameter::TYPE => {
                Self::AddIncomingStreams(AddIncomingStreamsParameter::parse(v)?)
            }
            ZeroChecksumAcceptableParameter::TYPE => {
                Self::ZeroChecksumAcceptable(ZeroChecksumAcceptableParameter::parse(v)?)
            }
            SupportedExtensionsParameter::TYPE => {
                Self::SupportedExtensions(SupportedExtensionsParameter::parse(v)?)
            }
            ForwardTsnSupportedParameter::TYPE => {
                Self::ForwardTsnSupported(ForwardTsnSupportedParameter::parse(v)?)
            }
            LargePacketsAcceptableParameter::TYPE => {
                Self::LargePacketsAcceptable(LargePacketsAcceptableParameter::parse(v)?)
            }
            _ => Self::Unknown(raw.clone()),
        })
    }

    /// The parameter type on the wire.
    pub fn parameter_type(&self) -> u16 {
        self.tlv_type()
    }

    /// Bytes the parameter takes on the wire, header and padding included.
    pub fn serialized_len(&self) -> usize {
        tlv_padded_len(self)
    }

    /// Appends the parameter: header, value and padding.
    pub fn serialize(&self, out: &mut BytesMut) {
        write_tlv(self, out);
    }
}

impl Tlv for Parameter {
    fn tlv_type(&self) -> u16 {
        each_parameter!(self, p => p.tlv_type())
    }
    fn value_len(&self) -> usize {
        each_parameter!(self, p => p.value_len())
    }
    fn write_value(&self, out: &mut BytesMut) {
        each_parameter!(self, p => p.write_value(out))
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Serializes `p`, checks the length bookkeeping, parses it back and
    /// compares.
    pub(crate) fn assert_round_trip(p: &Parameter) {
        let mut out = BytesMut::new();
        p.serialize(&mut out);
        assert_eq!(out.len(), p.serialized_len());
        assert_eq!(out.len() % 4, 0);
        let parsed = parse_parameters(&out.freeze()).unwrap();
        assert_eq!(parsed, vec![p.clone()]);
    }

    /// Parses a parameter list from raw bytes.
    pub(crate) fn parse(bytes: &'static [u8]) -> Result<Vec<Parameter>, ParseError> {
        parse_parameters(&Bytes::from_static(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn unknown_parameter_actions() {
        let a = unknown_parameter_action;
        assert_eq!(
            a(0x0123),
            UnknownAction {
                stop: true,
                report: false
            }
        );
        assert_eq!(
            a(0x4123),
            UnknownAction {
                stop: true,
                report: true
            }
        );
        assert_eq!(
            a(0x8123),
            UnknownAction {
                stop: false,
                report: false
            }
        );
        assert_eq!(
            a(0xC123),
            UnknownAction {
                stop: false,
                report: true
            }
        );
    }

    #[test]
    fn unknown_parameter_is_kept() {
        let p = Parameter::Unknown(RawParameter {
            typ: 0x8123,
            value: Bytes::from_static(&[1, 2, 3, 4, 5]),
        });
        assert_round_trip(&p);
        let Parameter::Unknown(raw) = &p else {
            unreachable!()
        };
        assert_eq!(&raw.to_bytes()[..], &[0x81, 0x23, 0, 9, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn list_with_several_parameters() {
        let list = parse(&[
            0xC0, 0, 0, 4, // Forward-TSN-Supported
            0x80, 0x08, 0, 6, 0xC0, 0x82, 0, 0, // Supported Extensions, padded
            0x80, 0x01, 0, 8, 0, 0, 0, 1, // Zero Checksum Acceptable
        ])
        .unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(
            list[2],
            Parameter::ZeroChecksumAcceptable(ZeroChecksumAcceptableParameter { edmid: 1 })
        );
    }

    #[test]
    fn bad_known_parameter_fails_the_list() {
        assert!(parse(&[0xC0, 0, 0, 4, 0, 5, 0, 6, 1, 2, 0, 0]).is_err());
        assert!(parse(&[0, 5, 0, 200, 1, 2, 3, 4]).is_err());
    }
}
