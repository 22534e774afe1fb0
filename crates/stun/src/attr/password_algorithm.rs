//! PASSWORD-ALGORITHM (RFC 8489 §14.12). In a request with long-term
//! credentials: the algorithm the client chose from the server's
//! PASSWORD-ALGORITHMS to derive the key (see
//! [`crate::integrity::IntegrityKey::long_term`]).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Algorithm            |  Algorithm Parameters Length  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Algorithm Parameters (variable)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Parameters are padded to four bytes (MD5 and SHA-256 have none). The
//! same entry layout makes up PASSWORD-ALGORITHMS
//! ([`super::password_algorithms`]).

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::{len16, pad_from, padded};

/// A password algorithm number (RFC 8489 §18.5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PasswordAlgorithmId(pub u16);

impl PasswordAlgorithmId {
    /// MD5 (0x0001): the key is MD5(username ":" realm ":" password).
    pub const MD5: Self = Self(0x0001);
    /// SHA-256 (0x0002): the key is SHA-256 of the same.
    pub const SHA256: Self = Self(0x0002);
}

impl fmt::Debug for PasswordAlgorithmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::MD5 => f.write_str("MD5"),
            Self::SHA256 => f.write_str("SHA-256"),
            Self(other) => write!(f, "PasswordAlgorithmId({other:#06x})"),
        }
    }
}

/// PASSWORD-ALGORITHM: one algorithm and its parameters.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PasswordAlgorithm {
    /// The algorithm.
    pub algorithm: PasswordAlgorithmId,
    /// Its parameters (empty for MD5 and SHA-256); at most 65535 bytes.
    pub params: Bytes,
}

impl PasswordAlgorithm {
    /// MD5 without parameters.
    pub const MD5: Self = Self::new(PasswordAlgorithmId::MD5);
    /// SHA-256 without parameters.
    pub const SHA256: Self = Self::new(PasswordAlgorithmId::SHA256);

    /// `algorithm` without parameters.
    pub const fn new(algorithm: PasswordAlgorithmId) -> Self {
        Self {
            algorithm,
            params: Bytes::new(),
        }
    }

    /// Bytes the entry takes, parameters padded.
    pub(crate) fn entry_len(&self) -> usize {
        4 + padded(self.params.len())
    }

    /// Appends the entry, parameters padded.
    pub(crate) fn encode_entry(&self, out: &mut BytesMut) {
        let start = out.len();
        out.put_u16(self.algorithm.0);
        out.put_u16(len16(self.params.len()));
        out.extend_from_slice(&self.params);
        pad_from(out, start);
    }

    /// Reads one entry at the start of `value`; returns it and the bytes it
    /// took. The padding after the parameters may be missing at the end of
    /// `value`.
    pub(crate) fn decode_entry(typ: AttrType, value: &Bytes) -> Result<(Self, usize), AttrError> {
        let Some(head) = value.first_chunk::<4>() else {
            return Err(AttrError::new(typ, "truncated algorithm entry"));
        };
        let algorithm = PasswordAlgorithmId(u16::from_be_bytes([head[0], head[1]]));
        let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
        if 4 + len > value.len() {
            return Err(AttrError::new(typ, "algorithm parameters overrun"));
        }
        let params = value.slice(4..4 + len);
        let used = (4 + padded(len)).min(value.len());
        Ok((Self { algorithm, params }, used))
    }
}

impl StunAttribute for PasswordAlgorithm {
    const TYPE: AttrType = AttrType::PASSWORD_ALGORITHM;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        let (entry, used) = Self::decode_entry(Self::TYPE, value)?;
        if used != value.len() {
            return Err(AttrError::new(Self::TYPE, "trailing bytes"));
        }
        Ok(entry)
    }

    fn value_len(&self) -> usize {
        self.entry_len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        self.encode_entry(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(&round_trip(PasswordAlgorithm::SHA256)[..], &[0, 2, 0, 0]);
        round_trip(PasswordAlgorithm::MD5);
        let with_params = PasswordAlgorithm {
            algorithm: PasswordAlgorithmId(0x7777),
            params: Bytes::from_static(b"abc"),
        };
        assert_eq!(
            &round_trip(with_params.clone())[..],
            b"\x77\x77\x00\x03abc\x00"
        );
        // Padding missing at the end is tolerated.
        assert_eq!(
            decode::<PasswordAlgorithm>(b"\x77\x77\x00\x03abc"),
            Ok(with_params)
        );
        assert_eq!(format!("{:?}", PasswordAlgorithmId::MD5), "MD5");
        assert_eq!(
            format!("{:?}", PasswordAlgorithmId(9)),
            "PasswordAlgorithmId(0x0009)"
        );
    }

    #[test]
    fn malformed() {
        assert!(decode::<PasswordAlgorithm>(&[0, 1, 0]).is_err());
        assert!(decode::<PasswordAlgorithm>(&[0, 1, 0, 1]).is_err());
        assert!(decode::<PasswordAlgorithm>(&[0, 1, 0, 0, 0, 2, 0, 0]).is_err());
    }
}
