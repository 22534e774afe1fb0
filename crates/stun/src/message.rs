//! A parsed STUN message (RFC 8489 §5, §14): header, attributes, and where
//! the integrity and fingerprint attributes sit so they can be verified.
//!
//! ```text
//! +--------------------+------------+------------+-----+---------------+-------------+
//! | header (20 bytes)  | attribute  | attribute  | ... | MESSAGE-      | FINGERPRINT |
//! | type, length,      | TLV + pad  | TLV + pad  |     | INTEGRITY(-   | (last)      |
//! | cookie, tid        |            |            |     | SHA256)       |             |
//! +--------------------+------------+------------+-----+---------------+-------------+
//! ```
//!
//! Parsing checks the header (top two bits zero, magic cookie, length a
//! multiple of four and equal to the bytes after the header), walks the
//! attributes without trusting any length beyond the bytes present, stops
//! at [`MAX_ATTRIBUTES`], and decodes every attribute it keeps. Per RFC 8489
//! §14.5–§14.7, attributes after MESSAGE-INTEGRITY other than
//! MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and after
//! MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are ignored (skipped
//! without being decoded, and counted); anything after FINGERPRINT is an
//! error. Integrity and fingerprint are not checked by `parse`: see
//! [`Message::verify_integrity`] and [`Message::verify_fingerprint`].

use std::net::SocketAddr;

use bytes::Bytes;

use crate::attr::{
    AttrType, Attribute, ErrorCode, Fingerprint, IceControlled, IceControlling, Lifetime,
    MappedAddress, Nonce, Priority, Realm, StunAttribute, UseCandidate, Username, XorMappedAddress,
    XorPeerAddress, XorRelayedAddress,
};
use crate::error::{FingerprintError, StunError};
use crate::header::{Class, HEADER_LEN, MessageHeader, MessageType, Method, TransactionId};
use crate::wire::{len16, padded};

/// The most attributes a message may carry (ignored ones included); more is
/// a parse error. Real messages carry a dozen at most; this bounds the work
/// and memory a hostile 64 KiB message can cost.
pub const MAX_ATTRIBUTES: usize = 128;

/// Where integrity-related attributes sit in the message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Positions {
    /// Offset of MESSAGE-INTEGRITY's attribute header.
    pub(crate) integrity: Option<usize>,
    /// Offset of MESSAGE-INTEGRITY-SHA256's attribute header.
    pub(crate) integrity_sha256: Option<usize>,
    /// Offset of FINGERPRINT's attribute header.
    pub(crate) fingerprint: Option<usize>,
}

/// Where the attribute walk is: which attributes may still count.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Phase {
    /// Before any integrity attribute: everything counts.
    Open,
    /// After MESSAGE-INTEGRITY: only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT.
    AfterIntegrity,
    /// After MESSAGE-INTEGRITY-SHA256: only FINGERPRINT.
    AfterIntegritySha256,
    /// After FINGERPRINT: nothing.
    AfterFingerprint,
}

impl Phase {
    /// The phase after an attribute of type `typ`, or `None` if such an
    /// attribute is ignored (or, after FINGERPRINT, not allowed) here.
    pub(crate) fn next(self, typ: AttrType) -> Option<Self> {
        match (self, typ) {
            (Self::AfterFingerprint, _) => None,
            (_, AttrType::FINGERPRINT) => Some(Self::AfterFingerprint),
            (Self::Open, AttrType::MESSAGE_INTEGRITY) => Some(Self::AfterIntegrity),
            (Self::Open | Self::AfterIntegrity, AttrType::MESSAGE_INTEGRITY_SHA256) => {
                Some(Self::AfterIntegritySha256)
            }
            (Self::Open, _) => Some(Self::Open),
            _ => None,
        }
    }
}

/// A parsed STUN message. Attribute values are slices of the received
/// bytes, which the message keeps for integrity and fingerprint checks.
///
/// Two messages are equal when type, transaction id and (kept) attributes
/// are: padding bytes and ignored attributes do not count.
#[derive(Clone, Debug)]
pub struct Message {
    header: MessageHeader,
    attributes: Vec<Attribute>,
    raw: Bytes,
    positions: Positions,
    ignored: usize,
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.header.typ == other.header.typ
            && self.header.transaction_id == other.header.transaction_id
            && self.attributes == other.attributes
    }
}

impl Eq for Message {}

impl Message {
    /// Parses one whole message: exactly the bytes of `buf` (a datagram, or
    /// a frame from [`Framer`](crate::Framer)). No copy: attribute values
    /// are slices of `buf`.
    pub fn parse(buf: Bytes) -> Result<Self, StunError> {
        let header = MessageHeader::parse(&buf)?;
        let available = buf.len() - HEADER_LEN;
        if usize::from(header.length) != available {
            return Err(StunError::LengthMismatch {
                declared: usize::from(header.length),
                available,
            });
        }
        let tid = header.transaction_id;
        let mut attributes = Vec::new();
        let mut positions = Positions::default();
        let mut ignored = 0;
        let mut phase = Phase::Open;
        let mut count = 0;
        let mut pos = HEADER_LEN;
        while let Some(head) = buf.get(pos..).and_then(<[u8]>::first_chunk::<4>) {
            let typ = AttrType(u16::from_be_bytes([head[0], head[1]]));
            let length = usize::from(u16::from_be_bytes([head[2], head[3]]));
            let next = pos + 4 + padded(length);
            if next > buf.len() {
                return Err(StunError::AttributeOverrun { typ, length });
            }
            count += 1;
            if count > MAX_ATTRIBUTES {
                return Err(StunError::TooManyAttributes);
            }
            if phase == Phase::AfterFingerprint {
                return Err(StunError::FingerprintNotLast);
            }
            match phase.next(typ) {
                Some(next_phase) => {
                    let value = buf.slice(pos + 4..pos + 4 + length);
                    attributes.push(Attribute::decode(typ, &value, &tid)?);
                    match typ {
                        AttrType::MESSAGE_INTEGRITY => positions.integrity = Some(pos),
                        AttrType::MESSAGE_INTEGRITY_SHA256 => {
                            positions.integrity_sha256 = Some(pos);
                        }
                        AttrType::FINGERPRINT => positions.fingerprint = Some(pos),
                        _ => {}
                    }
                    phase = next_phase;
                }
                None => ignored += 1,
            }
            pos = next;
        }
        Ok(Self {
            header,
            attributes,
            raw: buf,
            positions,
            ignored,
        })
    }

    /// Parses a message from a slice, copying it once into a `Bytes`.
    pub fn parse_slice(buf: &[u8]) -> Result<Self, StunError> {
        Self::parse(Bytes::copy_from_slice(buf))
    }

    /// The header.
    pub const fn header(&self) -> &MessageHeader {
        &self.header
    }

    /// Method and class.
    pub const fn typ(&self) -> MessageType {
        self.header.typ
    }

    /// The method.
    pub const fn method(&self) -> Method {
        self.header.typ.method
    }

    /// The class.
    pub const fn class(&self) -> Class {
        self.header.typ.class
    }

    /// The transaction id.
    pub const fn transaction_id(&self) -> TransactionId {
        self.header.transaction_id
    }

    /// The message as received.
    pub const fn as_bytes(&self) -> &Bytes {
        &self.raw
    }

    /// The attributes that count, in order (ignored ones left out).
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// How many attributes were ignored because they followed an integrity
    /// attribute.
    pub const fn ignored_attributes(&self) -> usize {
        self.ignored
    }

    pub(crate) const fn positions(&self) -> &Positions {
        &self.positions
    }

    /// The first attribute of type `T` (RFC 8489 §14: only the first
    /// occurrence of a type needs processing).
    pub fn get<T: StunAttribute>(&self) -> Option<&T> {
        self.attributes.iter().find_map(T::from_attribute)
    }

    /// Every attribute of type `T`, in order (several XOR-PEER-ADDRESS in a
    /// CreatePermission, two XOR-RELAYED-ADDRESS in a dual Allocate
    /// response).
    pub fn get_all<T: StunAttribute>(&self) -> impl Iterator<Item = &T> {
        self.attributes.iter().filter_map(T::from_attribute)
    }

    /// The first attribute of type `typ`, known or not.
    pub fn attribute(&self, typ: AttrType) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.typ() == typ)
    }

    /// Whether an attribute of type `typ` is present (and counts).
    pub fn has(&self, typ: AttrType) -> bool {
        self.attribute(typ).is_some()
    }

    /// The reflexive address: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from a
    /// server that only sends that (RFC 3489).
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        self.get::<XorMappedAddress>()
            .map(|a| a.0)
            .or_else(|| self.get::<MappedAddress>().map(|a| a.0))
    }

    /// XOR-MAPPED-ADDRESS.
    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        self.get::<XorMappedAddress>().map(|a| a.0)
    }

    /// USERNAME.
    pub fn username(&self) -> Option<&str> {
        self.get::<Username>().map(Username::as_str)
    }

    /// ERROR-CODE.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.get::<ErrorCode>()
    }

    /// PRIORITY.
    pub fn priority(&self) -> Option<u32> {
        self.get::<Priority>().map(|p| p.0)
    }

    /// Whether USE-CANDIDATE is present.
    pub fn use_candidate(&self) -> bool {
        self.get::<UseCandidate>().is_some()
    }

    /// ICE-CONTROLLING's tie-breaker.
    pub fn ice_controlling(&self) -> Option<u64> {
        self.get::<IceControlling>().map(|a| a.0)
    }

    /// ICE-CONTROLLED's tie-breaker.
    pub fn ice_controlled(&self) -> Option<u64> {
        self.get::<IceControlled>().map(|a| a.0)
    }

    /// REALM.
    pub fn realm(&self) -> Option<&str> {
        self.get::<Realm>().map(Realm::as_str)
    }

    /// NONCE.
    pub fn nonce(&self) -> Option<&Nonce> {
        self.get::<Nonce>()
    }

    /// LIFETIME.
    pub fn lifetime(&self) -> Option<Lifetime> {
        self.get::<Lifetime>().copied()
    }

    /// DATA's payload (a slice of the message).
    pub fn data(&self) -> Option<&Bytes> {
        self.get::<crate::attr::Data>().map(|d| &d.0)
    }

    /// The first XOR-PEER-ADDRESS.
    pub fn xor_peer_address(&self) -> Option<SocketAddr> {
        self.get::<XorPeerAddress>().map(|a| a.0)
    }

    /// Every XOR-RELAYED-ADDRESS (one per allocated family).
    pub fn xor_relayed_addresses(&self) -> impl Iterator<Item = SocketAddr> {
        self.get_all::<XorRelayedAddress>().map(|a| a.0)
    }

    /// Whether the message carries FINGERPRINT.
    pub const fn has_fingerprint(&self) -> bool {
        self.positions.fingerprint.is_some()
    }

    /// Checks FINGERPRINT (RFC 8489 §14.7): the CRC-32 of the message up to
    /// the attribute, with the length field counting it, XOR 0x5354554e.
    pub fn verify_fingerprint(&self) -> Result<(), FingerprintError> {
        let Some(pos) = self.positions.fingerprint else {
            return Err(FingerprintError::Missing);
        };
        let carried = self.get::<Fingerprint>().map_or(0, |f| f.0);
        let before = self.raw.get(..pos).unwrap_or_default();
        let computed = Fingerprint::compute(before, len16(pos + 8 - HEADER_LEN)).0;
        if carried == computed {
            Ok(())
        } else {
            Err(FingerprintError::Mismatch { carried, computed })
        }
    }

    /// The comprehension-required attribute types (0x0000–0x7FFF) this crate
    /// does not know, each once, in order of appearance. Non-empty means:
    /// answer a request with 420 and UNKNOWN-ATTRIBUTES
    /// ([`MessageBuilder::unknown_attributes_response`](crate::MessageBuilder::unknown_attributes_response)),
    /// drop an indication, and treat a response as a failed transaction
    /// (RFC 8489 §6.3.1, §6.3.2, §6.3.3).
    pub fn unknown_comprehension_required(&self) -> Vec<AttrType> {
        let mut out: Vec<AttrType> = Vec::new();
        for a in &self.attributes {
            if let Attribute::Unknown { typ, .. } = a
                && typ.is_comprehension_required()
                && !out.contains(typ)
            {
                out.push(*typ);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{Software, UnknownAttributes};
    use crate::builder::MessageBuilder;
    use crate::header::MAGIC_COOKIE;

    const TID: TransactionId = TransactionId([1; 12]);

    /// A message with the given attributes, built by hand.
    fn raw(typ: u16, attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (t, v) in attrs {
            body.extend_from_slice(&t.to_be_bytes());
            body.extend_from_slice(&(v.len() as u16).to_be_bytes());
            body.extend_from_slice(v);
            while body.len() % 4 != 0 {
                body.push(0);
            }
        }
        let mut m = Vec::new();
        m.extend_from_slice(&typ.to_be_bytes());
        m.extend_from_slice(&(body.len() as u16).to_be_bytes());
        m.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        m.extend_from_slice(&TID.0);
        m.extend_from_slice(&body);
        m
    }

    #[test]
    fn parses_attributes_in_order() {
        let m = Message::parse_slice(&raw(
            0x0001,
            &[(0x0006, b"user"), (0x0024, &[0, 0, 0, 9]), (0x0025, b"")],
        ))
        .unwrap();
        assert_eq!(m.typ(), MessageType::BINDING_REQUEST);
        assert_eq!(m.transaction_id(), TID);
        assert_eq!(m.attributes().len(), 3);
        assert_eq!(m.username(), Some("user"));
        assert_eq!(m.priority(), Some(9));
        assert!(m.use_candidate());
        assert_eq!(m.ice_controlling(), None);
        assert!(m.has(AttrType::USERNAME));
        assert!(m.unknown_comprehension_required().is_empty());
    }

    #[test]
    fn empty_message() {
        let m = Message::parse_slice(&raw(0x0001, &[])).unwrap();
        assert!(m.attributes().is_empty());
        assert_eq!(m.as_bytes().len(), 20);
    }

    #[test]
    fn values_are_slices_of_the_input() {
        let buf = Bytes::from(raw(0x0017, &[(0x0013, b"payload")]));
        let m = Message::parse(buf.clone()).unwrap();
        let data = m.data().unwrap();
        assert_eq!(&data[..], b"payload");
        assert_eq!(data.as_ptr(), buf[24..].as_ptr());
    }

    #[test]
    fn unknown_comprehension_required_are_listed_once() {
        let m = Message::parse_slice(&raw(
            0x0001,
            &[
                (0x7001, b"a"),
                (0xC001, b"optional"),
                (0x7002, b""),
                (0x7001, b"again"),
            ],
        ))
        .unwrap();
        assert_eq!(
            m.unknown_comprehension_required(),
            vec![AttrType(0x7001), AttrType(0x7002)]
        );
        let resp =
            MessageBuilder::unknown_attributes_response(&m, &m.unknown_comprehension_required())
                .build()
                .unwrap();
        let resp = Message::parse(resp).unwrap();
        assert_eq!(resp.typ(), MessageType::BINDING_ERROR);
        assert_eq!(resp.transaction_id(), TID);
        assert_eq!(resp.error_code().unwrap().code(), 420);
        assert_eq!(
            resp.get::<UnknownAttributes>().unwrap().0,
            vec![AttrType(0x7001), AttrType(0x7002)]
        );
    }

    #[test]
    fn attributes_after_integrity_are_ignored() {
        let mi = [0u8; 20];
        let m = Message::parse_slice(&raw(
            0x0001,
            &[
                (0x0006, b"user"),
                (0x0008, &mi),
                (0x7001, b"unknown but ignored"),
                (0x0024, &[0, 0, 0, 1]),
                (0x001C, &[0; 32]),
                (0x0008, &mi),
                (0x8028, &[0, 0, 0, 0]),
            ],
        ))
        .unwrap();
        let types: Vec<_> = m.attributes().iter().map(Attribute::typ).collect();
        assert_eq!(
            types,
            vec![
                AttrType::USERNAME,
                AttrType::MESSAGE_INTEGRITY,
                AttrType::MESSAGE_INTEGRITY_SHA256,
                AttrType::FINGERPRINT
            ]
        );
        assert_eq!(m.ignored_attributes(), 3);
        assert_eq!(m.priority(), None);
        assert!(m.unknown_comprehension_required().is_empty());
        assert_eq!(m.positions().integrity, Some(28));
        assert_eq!(m.positions().integrity_sha256, Some(28 + 24 + 24 + 8));
    }

    #[test]
    fn ignored_attributes_are_not_decoded() {
        // A malformed PRIORITY after MESSAGE-INTEGRITY does not fail the parse.
        let m = Message::parse_slice(&raw(0x0001, &[(0x0008, &[0; 20]), (0x0024, &[1])]));
        assert_eq!(m.unwrap().ignored_attributes(), 1);
    }

    #[test]
    fn integrity_sha256_first_then_integrity_is_ignored() {
        let m =
            Message::parse_slice(&raw(0x0001, &[(0x001C, &[0; 16]), (0x0008, &[0; 20])])).unwrap();
        assert_eq!(m.attributes().len(), 1);
        assert_eq!(m.positions().integrity, None);
    }

    #[test]
    fn nothing_may_follow_fingerprint() {
        assert_eq!(
            Message::parse_slice(&raw(0x0001, &[(0x8028, &[0; 4]), (0x8022, b"x")])),
            Err(StunError::FingerprintNotLast)
        );
    }

    #[test]
    fn malformed_headers_and_lengths() {
        let good = raw(0x0001, &[(0x8022, b"abcd")]);
        assert!(Message::parse_slice(&good).is_ok());
        // Trailing byte: length mismatch.
        let mut long = good.clone();
        long.extend_from_slice(&[0; 4]);
        assert!(matches!(
            Message::parse_slice(&long),
            Err(StunError::LengthMismatch { .. })
        ));
        // Truncated.
        assert!(matches!(
            Message::parse_slice(&good[..good.len() - 4]),
            Err(StunError::LengthMismatch { .. })
        ));
        assert!(matches!(
            Message::parse_slice(&good[..10]),
            Err(StunError::Truncated { .. })
        ));
        // Attribute length beyond the message.
        let mut overrun = good.clone();
        overrun[23] = 5;
        assert_eq!(
            Message::parse_slice(&overrun),
            Err(StunError::AttributeOverrun {
                typ: AttrType::SOFTWARE,
                length: 5
            })
        );
        let mut overrun = good.clone();
        overrun[22] = 0xff;
        assert!(matches!(
            Message::parse_slice(&overrun),
            Err(StunError::AttributeOverrun { .. })
        ));
        // Malformed known attribute.
        assert!(matches!(
            Message::parse_slice(&raw(0x0001, &[(0x0024, &[1, 2])])),
            Err(StunError::Attribute(_))
        ));
        // Not STUN.
        let mut not_stun = good.clone();
        not_stun[0] = 0x40;
        assert_eq!(Message::parse_slice(&not_stun), Err(StunError::NotStun));
    }

    #[test]
    fn attribute_count_is_bounded() {
        let many: Vec<(u16, &[u8])> = vec![(0x8022, b""); MAX_ATTRIBUTES];
        assert!(Message::parse_slice(&raw(0x0001, &many)).is_ok());
        let too_many: Vec<(u16, &[u8])> = vec![(0x8022, b""); MAX_ATTRIBUTES + 1];
        assert_eq!(
            Message::parse_slice(&raw(0x0001, &too_many)),
            Err(StunError::TooManyAttributes)
        );
    }

    #[test]
    fn padding_is_not_checked() {
        let mut m = raw(0x0001, &[(0x8022, b"ab"), (0x0024, &[0, 0, 0, 1])]);
        m[26] = b' ';
        m[27] = b' ';
        let m = Message::parse_slice(&m).unwrap();
        assert_eq!(m.get::<Software>().unwrap().as_str(), "ab");
        assert_eq!(m.priority(), Some(1));
    }

    #[test]
    fn fingerprint_round_trip_and_tamper() {
        let bytes = MessageBuilder::request(Method::BINDING, TID)
            .attr(Software::new("abc").unwrap())
            .fingerprint()
            .build()
            .unwrap();
        let m = Message::parse(bytes.clone()).unwrap();
        assert!(m.has_fingerprint());
        assert_eq!(m.verify_fingerprint(), Ok(()));
        assert_eq!(m.attributes().last().unwrap().typ(), AttrType::FINGERPRINT);
        // Any changed byte before the fingerprint is caught.
        for i in [0, 3, 8, 19, 24] {
            let mut bad = bytes.to_vec();
            bad[i] ^= 0x01;
            if let Ok(m) = Message::parse_slice(&bad) {
                assert!(
                    matches!(
                        m.verify_fingerprint(),
                        Err(FingerprintError::Mismatch { .. })
                    ),
                    "byte {i}"
                );
            }
        }
        let without = Message::parse_slice(&raw(0x0001, &[])).unwrap();
        assert!(!without.has_fingerprint());
        assert_eq!(without.verify_fingerprint(), Err(FingerprintError::Missing));
    }

    #[test]
    fn fingerprint_is_last_in_the_builder() {
        let e = MessageBuilder::request(Method::BINDING, TID)
            .fingerprint()
            .attr(Software::new("x").unwrap())
            .build();
        assert!(matches!(e, Err(crate::BuildError::AfterFingerprint { .. })));
        let e = MessageBuilder::request(Method::BINDING, TID)
            .fingerprint()
            .fingerprint()
            .build();
        assert!(matches!(e, Err(crate::BuildError::AfterFingerprint { .. })));
    }

    #[test]
    fn equality_ignores_padding() {
        let a = raw(0x0001, &[(0x8022, b"ab")]);
        let mut b = a.clone();
        b[26] = 0xff;
        assert_eq!(Message::parse_slice(&a), Message::parse_slice(&b));
    }
}
