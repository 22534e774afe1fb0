//! STUN attributes, one file per type (RFC 8489 §14, ICE's RFC 8445 §16.1,
//! TURN's RFC 8656 §18).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Type                  |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Value (variable)                ....
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Length counts the value only, not the padding to a multiple of four that
//! follows it. Padding is written as zeros and ignored when read (RFC 8489
//! §14: receivers must not check it; RFC 5769's vectors pad with spaces).
//!
//! Each file documents its value's layout and holds `decode` and `encode`
//! side by side (the [`StunAttribute`] trait) with its tests. [`Attribute`]
//! is any of them, or [`Attribute::Unknown`] for a type this crate does not
//! know. Types 0x0000–0x7FFF are comprehension-required: an agent that does
//! not understand one must reject the message (answering a request with 420,
//! see [`Message::unknown_comprehension_required`](crate::Message::unknown_comprehension_required)).
//!
//! Values that come from the wire are slices of the received message
//! (`Bytes`), never copies.

use std::any::Any;
use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::error::AttrError;
use crate::header::TransactionId;

pub mod additional_address_family;
pub mod address;
pub mod address_error_code;
pub mod alternate_domain;
pub mod alternate_server;
pub mod channel_number;
pub mod data;
pub mod dont_fragment;
pub mod error_code;
pub mod even_port;
pub mod fingerprint;
pub mod ice_controlled;
pub mod ice_controlling;
pub mod icmp;
pub mod lifetime;
pub mod mapped_address;
pub mod message_integrity;
pub mod message_integrity_sha256;
pub mod nonce;
pub mod password_algorithm;
pub mod password_algorithms;
pub mod priority;
pub mod realm;
pub mod requested_address_family;
pub mod requested_transport;
pub mod reservation_token;
pub mod software;
pub mod text;
pub mod unknown_attributes;
pub mod use_candidate;
pub mod userhash;
pub mod username;
pub mod xor_mapped_address;
pub mod xor_peer_address;
pub mod xor_relayed_address;

pub use additional_address_family::AdditionalAddressFamily;
pub use address::AddressFamily;
pub use address_error_code::AddressErrorCode;
pub use alternate_domain::AlternateDomain;
pub use alternate_server::AlternateServer;
pub use channel_number::ChannelNumber;
pub use data::Data;
pub use dont_fragment::DontFragment;
pub use error_code::ErrorCode;
pub use even_port::EvenPort;
pub use fingerprint::Fingerprint;
pub use ice_controlled::IceControlled;
pub use ice_controlling::IceControlling;
pub use icmp::Icmp;
pub use lifetime::Lifetime;
pub use mapped_address::MappedAddress;
pub use message_integrity::MessageIntegrity;
pub use message_integrity_sha256::MessageIntegritySha256;
pub use nonce::Nonce;
pub use password_algorithm::{PasswordAlgorithm, PasswordAlgorithmId};
pub use password_algorithms::PasswordAlgorithms;
pub use priority::Priority;
pub use realm::Realm;
pub use requested_address_family::RequestedAddressFamily;
pub use requested_transport::RequestedTransport;
pub use reservation_token::ReservationToken;
pub use software::Software;
pub use unknown_attributes::UnknownAttributes;
pub use use_candidate::UseCandidate;
pub use userhash::UserHash;
pub use username::Username;
pub use xor_mapped_address::XorMappedAddress;
pub use xor_peer_address::XorPeerAddress;
pub use xor_relayed_address::XorRelayedAddress;

/// An attribute type: 16 bits (RFC 8489 §18.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrType(pub u16);

macro_rules! attr_types {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        impl AttrType {
            $($(#[$doc])* pub const $name: Self = Self($value);)*

            /// The type's name in the RFCs, if this crate knows it.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }
    };
}

attr_types! {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    MAPPED_ADDRESS = 0x0001, "MAPPED-ADDRESS";
    /// USERNAME (RFC 8489 §14.3).
    USERNAME = 0x0006, "USERNAME";
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5).
    MESSAGE_INTEGRITY = 0x0008, "MESSAGE-INTEGRITY";
    /// ERROR-CODE (RFC 8489 §14.8).
    ERROR_CODE = 0x0009, "ERROR-CODE";
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13).
    UNKNOWN_ATTRIBUTES = 0x000A, "UNKNOWN-ATTRIBUTES";
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    CHANNEL_NUMBER = 0x000C, "CHANNEL-NUMBER";
    /// LIFETIME (RFC 8656 §18.2).
    LIFETIME = 0x000D, "LIFETIME";
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    XOR_PEER_ADDRESS = 0x0012, "XOR-PEER-ADDRESS";
    /// DATA (RFC 8656 §18.4).
    DATA = 0x0013, "DATA";
    /// REALM (RFC 8489 §14.9).
    REALM = 0x0014, "REALM";
    /// NONCE (RFC 8489 §14.10).
    NONCE = 0x0015, "NONCE";
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    XOR_RELAYED_ADDRESS = 0x0016, "XOR-RELAYED-ADDRESS";
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    REQUESTED_ADDRESS_FAMILY = 0x0017, "REQUESTED-ADDRESS-FAMILY";
    /// EVEN-PORT (RFC 8656 §18.7).
    EVEN_PORT = 0x0018, "EVEN-PORT";
    /// REQUESTED-TRANSPORT (RFC 8656 §18.8).
    REQUESTED_TRANSPORT = 0x0019, "REQUESTED-TRANSPORT";
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    DONT_FRAGMENT = 0x001A, "DONT-FRAGMENT";
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    MESSAGE_INTEGRITY_SHA256 = 0x001C, "MESSAGE-INTEGRITY-SHA256";
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    PASSWORD_ALGORITHM = 0x001D, "PASSWORD-ALGORITHM";
    /// USERHASH (RFC 8489 §14.4).
    USERHASH = 0x001E, "USERHASH";
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    XOR_MAPPED_ADDRESS = 0x0020, "XOR-MAPPED-ADDRESS";
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    RESERVATION_TOKEN = 0x0022, "RESERVATION-TOKEN";
    /// PRIORITY (RFC 8445 §16.1).
    PRIORITY = 0x0024, "PRIORITY";
    /// USE-CANDIDATE (RFC 8445 §16.1).
    USE_CANDIDATE = 0x0025, "USE-CANDIDATE";
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    ADDITIONAL_ADDRESS_FAMILY = 0x8000, "ADDITIONAL-ADDRESS-FAMILY";
    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    ADDRESS_ERROR_CODE = 0x8001, "ADDRESS-ERROR-CODE";
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    PASSWORD_ALGORITHMS = 0x8002, "PASSWORD-ALGORITHMS";
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    ALTERNATE_DOMAIN = 0x8003, "ALTERNATE-DOMAIN";
    /// ICMP (RFC 8656 §18.13).
    ICMP = 0x8004, "ICMP";
    /// SOFTWARE (RFC 8489 §14.14).
    SOFTWARE = 0x8022, "SOFTWARE";
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    ALTERNATE_SERVER = 0x8023, "ALTERNATE-SERVER";
    /// FINGERPRINT (RFC 8489 §14.7).
    FINGERPRINT = 0x8028, "FINGERPRINT";
    /// ICE-CONTROLLED (RFC 8445 §16.1).
    ICE_CONTROLLED = 0x8029, "ICE-CONTROLLED";
    /// ICE-CONTROLLING (RFC 8445 §16.1).
    ICE_CONTROLLING = 0x802A, "ICE-CONTROLLING";
}

impl AttrType {
    /// Types 0x0000–0x7FFF must be understood by the receiver; 0x8000–0xFFFF
    /// may be ignored (RFC 8489 §14).
    pub const fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }
}

impl fmt::Debug for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "AttrType({:#06x})", self.0),
        }
    }
}

/// One attribute type's value codec.
///
/// `decode` gets the value alone (no header, no padding) as a slice of the
/// message and the message's transaction id (the XOR-address attributes mix
/// it in); `encode` appends the value alone, exactly
/// [`value_len`](Self::value_len) bytes. The message builder writes the
/// header and the padding.
pub trait StunAttribute: Sized + Into<Attribute> + 'static {
    /// The attribute's type.
    const TYPE: AttrType;

    /// Parses the value. Never panics; any length or content the type does
    /// not allow is an error.
    fn decode(value: &Bytes, transaction_id: &TransactionId) -> Result<Self, AttrError>;

    /// Length of the value on the wire, without header or padding.
    fn value_len(&self) -> usize;

    /// Appends the value.
    fn encode(&self, out: &mut BytesMut, transaction_id: &TransactionId);

    /// This attribute, if `attr` is one of this type.
    fn from_attribute(attr: &Attribute) -> Option<&Self> {
        attr.inner_any().downcast_ref()
    }
}

macro_rules! attribute_enum {
    ($($(#[$doc:meta])* $variant:ident($ty:ty),)*) => {
        /// Any attribute: one variant per type this crate knows, and
        /// [`Attribute::Unknown`] for the rest.
        #[derive(Clone, PartialEq, Eq, Debug)]
        pub enum Attribute {
            $($(#[$doc])* $variant($ty),)*
            /// A type this crate does not interpret, kept as received.
            Unknown {
                /// The attribute's type.
                typ: AttrType,
                /// Its value, without header and padding.
                value: Bytes,
            },
        }

        impl Attribute {
            /// The attribute's type.
            pub fn typ(&self) -> AttrType {
                match self {
                    $(Self::$variant(_) => <$ty as StunAttribute>::TYPE,)*
                    Self::Unknown { typ, .. } => *typ,
                }
            }

            /// Interprets a value of type `typ`: a known type is decoded (an
            /// error if its value is malformed), any other becomes
            /// [`Attribute::Unknown`].
            pub fn decode(
                typ: AttrType,
                value: &Bytes,
                transaction_id: &TransactionId,
            ) -> Result<Self, AttrError> {
                $(
                    if typ == <$ty as StunAttribute>::TYPE {
                        return <$ty as StunAttribute>::decode(value, transaction_id).map(Self::$variant);
                    }
                )*
                Ok(Self::Unknown { typ, value: value.clone() })
            }

            /// Length of the value on the wire, without header or padding.
            pub fn value_len(&self) -> usize {
                match self {
                    $(Self::$variant(a) => a.value_len(),)*
                    Self::Unknown { value, .. } => value.len(),
                }
            }

            /// Appends the value alone.
            pub fn encode(&self, out: &mut BytesMut, transaction_id: &TransactionId) {
                match self {
                    $(Self::$variant(a) => a.encode(out, transaction_id),)*
                    Self::Unknown { value, .. } => out.extend_from_slice(value),
                }
            }

            fn inner_any(&self) -> &dyn Any {
                match self {
                    $(Self::$variant(a) => a,)*
                    Self::Unknown { .. } => &(),
                }
            }
        }

        $(
            impl From<$ty> for Attribute {
                fn from(a: $ty) -> Self {
                    Self::$variant(a)
                }
            }
        )*
    };
}

attribute_enum! {
    /// MAPPED-ADDRESS.
    MappedAddress(MappedAddress),
    /// XOR-MAPPED-ADDRESS.
    XorMappedAddress(XorMappedAddress),
    /// USERNAME.
    Username(Username),
    /// USERHASH.
    UserHash(UserHash),
    /// MESSAGE-INTEGRITY.
    MessageIntegrity(MessageIntegrity),
    /// MESSAGE-INTEGRITY-SHA256.
    MessageIntegritySha256(MessageIntegritySha256),
    /// FINGERPRINT.
    Fingerprint(Fingerprint),
    /// ERROR-CODE.
    ErrorCode(ErrorCode),
    /// REALM.
    Realm(Realm),
    /// NONCE.
    Nonce(Nonce),
    /// PASSWORD-ALGORITHMS.
    PasswordAlgorithms(PasswordAlgorithms),
    /// PASSWORD-ALGORITHM.
    PasswordAlgorithm(PasswordAlgorithm),
    /// UNKNOWN-ATTRIBUTES.
    UnknownAttributes(UnknownAttributes),
    /// SOFTWARE.
    Software(Software),
    /// ALTERNATE-SERVER.
    AlternateServer(AlternateServer),
    /// ALTERNATE-DOMAIN.
    AlternateDomain(AlternateDomain),
    /// PRIORITY.
    Priority(Priority),
    /// USE-CANDIDATE.
    UseCandidate(UseCandidate),
    /// ICE-CONTROLLED.
    IceControlled(IceControlled),
    /// ICE-CONTROLLING.
    IceControlling(IceControlling),
    /// CHANNEL-NUMBER.
    ChannelNumber(ChannelNumber),
    /// LIFETIME.
    Lifetime(Lifetime),
    /// XOR-PEER-ADDRESS.
    XorPeerAddress(XorPeerAddress),
    /// DATA.
    Data(Data),
    /// XOR-RELAYED-ADDRESS.
    XorRelayedAddress(XorRelayedAddress),
    /// REQUESTED-ADDRESS-FAMILY.
    RequestedAddressFamily(RequestedAddressFamily),
    /// EVEN-PORT.
    EvenPort(EvenPort),
    /// REQUESTED-TRANSPORT.
    RequestedTransport(RequestedTransport),
    /// DONT-FRAGMENT.
    DontFragment(DontFragment),
    /// RESERVATION-TOKEN.
    ReservationToken(ReservationToken),
    /// ADDITIONAL-ADDRESS-FAMILY.
    AdditionalAddressFamily(AdditionalAddressFamily),
    /// ADDRESS-ERROR-CODE.
    AddressErrorCode(AddressErrorCode),
    /// ICMP.
    Icmp(Icmp),
}

/// Checks that a fixed-size value has exactly `len` bytes.
pub(crate) fn expect_len(typ: AttrType, value: &[u8], len: usize) -> Result<(), AttrError> {
    if value.len() == len {
        Ok(())
    } else {
        Err(AttrError::new(typ, "wrong value length"))
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// The transaction id the attribute tests use.
    pub(crate) const TID: TransactionId = TransactionId([
        0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
    ]);

    /// Encodes `a`, checks the length it announced, decodes it back through
    /// [`Attribute::decode`] and checks that it comes back equal. Returns the
    /// value bytes.
    pub(crate) fn round_trip<A: StunAttribute + Clone + PartialEq + fmt::Debug>(a: A) -> Bytes {
        let mut out = BytesMut::new();
        a.encode(&mut out, &TID);
        assert_eq!(out.len(), a.value_len(), "value_len disagrees with encode");
        let value = out.freeze();
        let back = Attribute::decode(A::TYPE, &value, &TID).expect("decodes");
        assert_eq!(back.typ(), A::TYPE);
        assert_eq!(A::from_attribute(&back), Some(&a));
        let whole: Attribute = a.clone().into();
        assert_eq!(whole, back);
        assert_eq!(whole.value_len(), value.len());
        value
    }

    /// Decodes `value` as an attribute of type `A`.
    pub(crate) fn decode<A: StunAttribute>(value: &[u8]) -> Result<A, AttrError> {
        A::decode(&Bytes::copy_from_slice(value), &TID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comprehension_ranges() {
        assert!(AttrType::USERNAME.is_comprehension_required());
        assert!(AttrType(0x7FFF).is_comprehension_required());
        assert!(!AttrType::SOFTWARE.is_comprehension_required());
        assert!(!AttrType(0x8000).is_comprehension_required());
    }

    #[test]
    fn names() {
        assert_eq!(
            format!("{:?}", AttrType::XOR_MAPPED_ADDRESS),
            "XOR-MAPPED-ADDRESS"
        );
        assert_eq!(format!("{:?}", AttrType(0x7777)), "AttrType(0x7777)");
    }

    #[test]
    fn unknown_types_are_kept() {
        let value = Bytes::from_static(b"xyz");
        let a = Attribute::decode(AttrType(0x7777), &value, &test_support::TID).unwrap();
        assert_eq!(
            a,
            Attribute::Unknown {
                typ: AttrType(0x7777),
                value: value.clone()
            }
        );
        assert_eq!(a.typ(), AttrType(0x7777));
        assert_eq!(a.value_len(), 3);
        assert_eq!(Priority::from_attribute(&a), None);
        let mut out = BytesMut::new();
        a.encode(&mut out, &test_support::TID);
        assert_eq!(&out[..], b"xyz");
    }
}
