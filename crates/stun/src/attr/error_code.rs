//! ERROR-CODE (RFC 8489 §14.8). The code and reason of an error response.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Reserved, should be 0         |Class|     Number    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Reason Phrase (variable)                                ..
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The code is `class * 100 + number`: class 3 to 6, number 0 to 99. The
//! reserved bits are ignored; the reason phrase is UTF-8 of at most 763
//! bytes (see [`super::text`]).

use bytes::{BufMut, Bytes, BytesMut};

use super::text::{MAX_TEXT_LEN, Text};
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// ERROR-CODE: a code from 300 to 699 and a reason phrase.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ErrorCode {
    code: u16,
    reason: Text,
}

impl ErrorCode {
    /// 300 Try Alternate: use the ALTERNATE-SERVER.
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request: malformed request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated: wrong or missing credentials.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden (TURN).
    pub const FORBIDDEN: u16 = 403;
    /// 405 Mobility Forbidden (TURN).
    pub const MOBILITY_FORBIDDEN: u16 = 405;
    /// 420 Unknown Attribute: see UNKNOWN-ATTRIBUTES.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch (TURN).
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce: retry with the new NONCE.
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported (TURN).
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials (TURN).
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol (TURN).
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch (TURN).
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached (TURN).
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (ICE, RFC 8445 §7.3.1.1).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error.
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity (TURN).
    pub const INSUFFICIENT_CAPACITY: u16 = 508;

    /// The RFCs' reason phrase for a code, if it is one of the constants.
    pub const fn default_reason(code: u16) -> Option<&'static str> {
        Some(match code {
            300 => "Try Alternate",
            400 => "Bad Request",
            401 => "Unauthenticated",
            403 => "Forbidden",
            405 => "Mobility Forbidden",
            420 => "Unknown Attribute",
            437 => "Allocation Mismatch",
            438 => "Stale Nonce",
            440 => "Address Family not Supported",
            441 => "Wrong Credentials",
            442 => "Unsupported Transport Protocol",
            443 => "Peer Address Family Mismatch",
            486 => "Allocation Quota Reached",
            487 => "Role Conflict",
            500 => "Server Error",
            508 => "Insufficient Capacity",
            _ => return None,
        })
    }

    /// `code` (300 to 699) with `reason`; an error if the code is out of
    /// range or the reason longer than 763 bytes.
    pub fn new(code: u16, reason: &str) -> Result<Self, AttrError> {
        check_code(Self::TYPE, code)?;
        Ok(Self {
            code,
            reason: Text::from_str(Self::TYPE, reason, MAX_TEXT_LEN)?,
        })
    }

    /// `code` with the RFCs' reason phrase (empty for codes without one).
    pub fn with_default_reason(code: u16) -> Result<Self, AttrError> {
        Self::new(code, Self::default_reason(code).unwrap_or(""))
    }

    /// The code, 300 to 699.
    pub const fn code(&self) -> u16 {
        self.code
    }

    /// The reason phrase.
    pub fn reason(&self) -> &str {
        self.reason.as_str()
    }
}

/// Checks that an error code is 300 to 699.
pub(crate) fn check_code(typ: AttrType, code: u16) -> Result<(), AttrError> {
    if (300..700).contains(&code) {
        Ok(())
    } else {
        Err(AttrError::new(typ, "error code out of range 300-699"))
    }
}

/// Decodes class and number (the low 11 bits of `word`) and the reason.
pub(crate) fn decode_code_reason(
    typ: AttrType,
    word: u32,
    reason: Bytes,
) -> Result<(u16, Text), AttrError> {
    let class = (word >> 8) & 0x7;
    let number = word & 0xFF;
    if !(3..=6).contains(&class) || number > 99 {
        return Err(AttrError::new(typ, "error class or number out of range"));
    }
    let code = u16::try_from(class * 100 + number).unwrap_or_default();
    Ok((code, Text::from_bytes(typ, reason, MAX_TEXT_LEN)?))
}

/// The low 11 bits carrying a code: class then number.
pub(crate) const fn code_bits(code: u16) -> u32 {
    ((code as u32 / 100) << 8) | (code as u32 % 100)
}

impl StunAttribute for ErrorCode {
    const TYPE: AttrType = AttrType::ERROR_CODE;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        let Some(head) = value.first_chunk::<4>() else {
            return Err(AttrError::new(Self::TYPE, "truncated"));
        };
        let (code, reason) =
            decode_code_reason(Self::TYPE, u32::from_be_bytes(*head), value.slice(4..))?;
        Ok(Self { code, reason })
    }

    fn value_len(&self) -> usize {
        4 + self.reason.len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u32(code_bits(self.code));
        out.extend_from_slice(self.reason.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        let v = round_trip(ErrorCode::new(420, "Unknown Attribute").unwrap());
        assert_eq!(&v[..4], &[0, 0, 4, 20]);
        assert_eq!(&v[4..], b"Unknown Attribute");
        round_trip(ErrorCode::new(300, "").unwrap());
        round_trip(ErrorCode::new(699, "ünïcödé").unwrap());
        let e = ErrorCode::with_default_reason(ErrorCode::STALE_NONCE).unwrap();
        assert_eq!((e.code(), e.reason()), (438, "Stale Nonce"));
        assert_eq!(ErrorCode::with_default_reason(599).unwrap().reason(), "");
        // Reserved bits are ignored.
        let e = decode::<ErrorCode>(&[0xff, 0xff, 0xfd, 0x01, b'x']).unwrap();
        assert_eq!((e.code(), e.reason()), (501, "x"));
    }

    #[test]
    fn malformed() {
        assert!(ErrorCode::new(299, "").is_err());
        assert!(ErrorCode::new(700, "").is_err());
        assert!(ErrorCode::new(400, &"x".repeat(764)).is_err());
        assert!(decode::<ErrorCode>(&[0, 0, 4]).is_err());
        assert!(decode::<ErrorCode>(&[0, 0, 2, 0]).is_err(), "class 2");
        assert!(decode::<ErrorCode>(&[0, 0, 7, 0]).is_err(), "class 7");
        assert!(decode::<ErrorCode>(&[0, 0, 4, 100]).is_err(), "number 100");
        assert!(
            decode::<ErrorCode>(&[0, 0, 4, 0, 0xff]).is_err(),
            "not UTF-8"
        );
    }
}
