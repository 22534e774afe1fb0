//! The 20-byte STUN header (RFC 8489 §5): message type (method and class),
//! length, magic cookie and transaction id.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |0 0|     STUN Message Type     |         Message Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Magic Cookie                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                     Transaction ID (96 bits)                  |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The 14-bit message type interleaves a 12-bit method (M) and a 2-bit
//! class (C):
//!
//! ```text
//!  0                 1
//!  2  3  4 5 6 7 8 9 0 1 2 3 4 5
//! +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//! |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//! |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//! +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The length counts the attributes (their padding included), not the header.

use std::fmt;

use crate::error::StunError;
use crate::wire::Reader;

/// The magic cookie every RFC 5389/8489 message carries.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;

/// Size of the STUN header.
pub const HEADER_LEN: usize = 20;

/// A STUN method: 12 bits (RFC 8489 §18.2; TURN's in RFC 8656 §17).
///
/// Any 12-bit value parses; the constants are the methods this stack uses.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method(u16);

impl Method {
    /// Binding (0x001): ICE connectivity checks, server reflexive addresses.
    pub const BINDING: Self = Self(0x001);
    /// Allocate (0x003, TURN): request a relayed address.
    pub const ALLOCATE: Self = Self(0x003);
    /// Refresh (0x004, TURN): extend or delete an allocation.
    pub const REFRESH: Self = Self(0x004);
    /// Send (0x006, TURN, indication only): data from client to peer.
    pub const SEND: Self = Self(0x006);
    /// Data (0x007, TURN, indication only): data from peer to client.
    pub const DATA: Self = Self(0x007);
    /// CreatePermission (0x008, TURN): install permissions for peers.
    pub const CREATE_PERMISSION: Self = Self(0x008);
    /// ChannelBind (0x009, TURN): bind a channel number to a peer.
    pub const CHANNEL_BIND: Self = Self(0x009);

    /// The method with this 12-bit number, or `None` if it needs more bits.
    pub const fn new(value: u16) -> Option<Self> {
        if value <= 0x0FFF {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The method's number.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The method's name in the RFCs, if it is one of the constants.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x001 => "Binding",
            0x003 => "Allocate",
            0x004 => "Refresh",
            0x006 => "Send",
            0x007 => "Data",
            0x008 => "CreatePermission",
            0x009 => "ChannelBind",
            _ => return None,
        })
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Method({:#05x})", self.0),
        }
    }
}

/// The class of a message (RFC 8489 §3, §5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Class {
    /// A request: answered by a success or error response.
    Request,
    /// An indication: never answered.
    Indication,
    /// A success response.
    Success,
    /// An error response (carries ERROR-CODE).
    Error,
}

impl Class {
    const fn bits(self) -> u16 {
        match self {
            Self::Request => 0b00,
            Self::Indication => 0b01,
            Self::Success => 0b10,
            Self::Error => 0b11,
        }
    }

    const fn from_bits(bits: u16) -> Self {
        match bits & 0b11 {
            0b00 => Self::Request,
            0b01 => Self::Indication,
            0b10 => Self::Success,
            _ => Self::Error,
        }
    }

    /// Whether this is a success or error response.
    pub const fn is_response(self) -> bool {
        matches!(self, Self::Success | Self::Error)
    }
}

/// Method and class together: the 14-bit message type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MessageType {
    /// The method.
    pub method: Method,
    /// The class.
    pub class: Class,
}

impl MessageType {
    /// Binding request (0x0001).
    pub const BINDING_REQUEST: Self = Self::new(Method::BINDING, Class::Request);
    /// Binding success response (0x0101).
    pub const BINDING_SUCCESS: Self = Self::new(Method::BINDING, Class::Success);
    /// Binding error response (0x0111).
    pub const BINDING_ERROR: Self = Self::new(Method::BINDING, Class::Error);
    /// Binding indication (0x0011): ICE keepalives.
    pub const BINDING_INDICATION: Self = Self::new(Method::BINDING, Class::Indication);

    /// Method and class.
    pub const fn new(method: Method, class: Class) -> Self {
        Self { method, class }
    }

    /// The 16-bit wire value (its top two bits are zero).
    pub const fn to_u16(self) -> u16 {
        let m = self.method.0;
        let c = self.class.bits();
        (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7)
    }

    /// Splits a wire value into method and class; the top two bits are
    /// ignored (the header parser checks them).
    pub const fn from_u16(value: u16) -> Self {
        let method = (value & 0x000F) | ((value >> 1) & 0x0070) | ((value >> 2) & 0x0F80);
        let class = ((value >> 4) & 1) | ((value >> 7) & 2);
        Self {
            method: Method(method),
            class: Class::from_bits(class),
        }
    }
}

/// The 96-bit transaction id: chosen at random by a request's sender and
/// echoed by the response (RFC 8489 §5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TransactionId(pub [u8; 12]);

impl TransactionId {
    /// The id's bytes.
    pub const fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl From<[u8; 12]> for TransactionId {
    fn from(bytes: [u8; 12]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransactionId(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// A parsed header, on its own: enough to answer a request whose body is
/// malformed (400 Bad Request needs the transaction id) and to frame STUN
/// over a stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MessageHeader {
    /// Method and class.
    pub typ: MessageType,
    /// The length field: bytes of attributes after the header.
    pub length: u16,
    /// The transaction id.
    pub transaction_id: TransactionId,
}

impl MessageHeader {
    /// Parses and checks the first 20 bytes of `buf`: top two bits zero,
    /// magic cookie, length a multiple of four. Does not look at what
    /// follows (compare [`length`](Self::length) with the bytes present).
    pub fn parse(buf: &[u8]) -> Result<Self, StunError> {
        let mut r = Reader::new(buf);
        let (Some(typ), Some(length), Some(cookie), Some(tid)) =
            (r.u16(), r.u16(), r.u32(), r.array::<12>())
        else {
            return Err(StunError::Truncated { length: buf.len() });
        };
        if typ & 0xC000 != 0 {
            return Err(StunError::NotStun);
        }
        if cookie != MAGIC_COOKIE {
            return Err(StunError::BadMagicCookie { cookie });
        }
        if length % 4 != 0 {
            return Err(StunError::UnalignedLength {
                length: usize::from(length),
            });
        }
        Ok(Self {
            typ: MessageType::from_u16(typ),
            length,
            transaction_id: TransactionId(tid),
        })
    }

    /// Header plus attributes: the whole message's size on the wire.
    pub const fn message_len(&self) -> usize {
        HEADER_LEN + self.length as usize
    }
}

/// Quick check that a datagram is a STUN message (RFC 8489 §5, RFC 7983):
/// at least a header, top two bits zero, the magic cookie, a length that is
/// a multiple of four and matches the datagram. Attributes are not looked at.
pub fn is_stun(buf: &[u8]) -> bool {
    MessageHeader::parse(buf).is_ok_and(|h| h.message_len() == buf.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_encoding() {
        assert_eq!(MessageType::BINDING_REQUEST.to_u16(), 0x0001);
        assert_eq!(MessageType::BINDING_SUCCESS.to_u16(), 0x0101);
        assert_eq!(MessageType::BINDING_ERROR.to_u16(), 0x0111);
        assert_eq!(MessageType::BINDING_INDICATION.to_u16(), 0x0011);
        let allocate = Method::ALLOCATE;
        assert_eq!(MessageType::new(allocate, Class::Request).to_u16(), 0x0003);
        assert_eq!(MessageType::new(allocate, Class::Success).to_u16(), 0x0103);
        assert_eq!(MessageType::new(allocate, Class::Error).to_u16(), 0x0113);
        assert_eq!(
            MessageType::new(Method::SEND, Class::Indication).to_u16(),
            0x0016
        );
        assert_eq!(
            MessageType::new(Method::DATA, Class::Indication).to_u16(),
            0x0017
        );
        assert_eq!(
            MessageType::new(Method::CHANNEL_BIND, Class::Success).to_u16(),
            0x0109
        );
    }

    #[test]
    fn message_type_round_trips_every_method_and_class() {
        for m in 0..=0x0FFF {
            for class in [
                Class::Request,
                Class::Indication,
                Class::Success,
                Class::Error,
            ] {
                let t = MessageType::new(Method::new(m).unwrap(), class);
                let v = t.to_u16();
                assert_eq!(v & 0xC000, 0);
                assert_eq!(MessageType::from_u16(v), t);
            }
        }
        assert_eq!(Method::new(0x1000), None);
    }

    fn header(typ: u16, len: u16) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&typ.to_be_bytes());
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        v.extend_from_slice(&[7; 12]);
        v
    }

    #[test]
    fn header_parse() {
        let h = MessageHeader::parse(&header(0x0101, 8)).unwrap();
        assert_eq!(h.typ, MessageType::BINDING_SUCCESS);
        assert_eq!(h.length, 8);
        assert_eq!(h.transaction_id, TransactionId([7; 12]));
        assert_eq!(h.message_len(), 28);
        assert_eq!(
            format!("{:?}", h.transaction_id),
            "TransactionId(070707070707070707070707)"
        );
    }

    #[test]
    fn header_malformed() {
        assert_eq!(
            MessageHeader::parse(&header(0x0001, 0)[..19]),
            Err(StunError::Truncated { length: 19 })
        );
        assert_eq!(
            MessageHeader::parse(&header(0x4001, 0)),
            Err(StunError::NotStun)
        );
        assert_eq!(
            MessageHeader::parse(&header(0x8001, 0)),
            Err(StunError::NotStun)
        );
        assert_eq!(
            MessageHeader::parse(&header(0x0001, 6)),
            Err(StunError::UnalignedLength { length: 6 })
        );
        let mut bad_cookie = header(0x0001, 0);
        bad_cookie[4] = 0;
        assert!(matches!(
            MessageHeader::parse(&bad_cookie),
            Err(StunError::BadMagicCookie { .. })
        ));
    }

    #[test]
    fn is_stun_checks_the_length() {
        assert!(is_stun(&header(0x0001, 0)));
        let mut with_body = header(0x0001, 4);
        assert!(!is_stun(&with_body));
        with_body.extend_from_slice(&[0; 4]);
        assert!(is_stun(&with_body));
        with_body.push(0);
        assert!(!is_stun(&with_body));
        assert!(!is_stun(&[0; 4]));
        assert!(!is_stun(&[0x40, 0x00, 0x00, 0x00]));
    }

    #[test]
    fn method_debug() {
        assert_eq!(
            format!("{:?}", Method::CREATE_PERMISSION),
            "CreatePermission"
        );
        assert_eq!(
            format!("{:?}", Method::new(0x0ABC).unwrap()),
            "Method(0xabc)"
        );
    }
}
