//! PASSWORD-ALGORITHMS (RFC 8489 §14.11). In a 401 or 438 response: the
//! algorithms the server supports for deriving the long-term key, in its
//! order of preference. The client picks one and echoes this list in its
//! request (the server checks it was not tampered with).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Algorithm 1           | Algorithm 1 Parameters Length |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Algorithm 1 Parameters (variable)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Algorithm 2           | Algorithm 2 Parameters Length |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Algorithm 2 Parameters (variable)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             ...
//! ```
//!
//! Each entry is laid out as in PASSWORD-ALGORITHM ([`super::password_algorithm`]).

use bytes::{Bytes, BytesMut};

use super::password_algorithm::PasswordAlgorithm;
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// PASSWORD-ALGORITHMS: the server's algorithms, most preferred first.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct PasswordAlgorithms(pub Vec<PasswordAlgorithm>);

impl StunAttribute for PasswordAlgorithms {
    const TYPE: AttrType = AttrType::PASSWORD_ALGORITHMS;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        let mut list = Vec::new();
        let mut rest = value.clone();
        while !rest.is_empty() {
            // Each entry consumes at least 4 bytes that arrived, so the list
            // is bounded by the value's length.
            let (entry, used) = PasswordAlgorithm::decode_entry(Self::TYPE, &rest)?;
            list.push(entry);
            rest = rest.slice(used..);
        }
        Ok(Self(list))
    }

    fn value_len(&self) -> usize {
        self.0.iter().map(PasswordAlgorithm::entry_len).sum()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        for entry in &self.0 {
            entry.encode_entry(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::PasswordAlgorithmId;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        let v = round_trip(PasswordAlgorithms(vec![
            PasswordAlgorithm::SHA256,
            PasswordAlgorithm::MD5,
        ]));
        assert_eq!(&v[..], &[0, 2, 0, 0, 0, 1, 0, 0]);
        round_trip(PasswordAlgorithms(vec![]));
        round_trip(PasswordAlgorithms(vec![
            PasswordAlgorithm {
                algorithm: PasswordAlgorithmId(9),
                params: Bytes::from_static(b"12345"),
            },
            PasswordAlgorithm::MD5,
        ]));
    }

    #[test]
    fn malformed() {
        assert!(decode::<PasswordAlgorithms>(&[0, 1, 0, 0, 0, 2]).is_err());
        assert!(decode::<PasswordAlgorithms>(&[0, 1, 0, 9, 0, 2, 0, 0]).is_err());
    }
}
