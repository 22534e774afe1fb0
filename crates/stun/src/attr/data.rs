//! DATA (RFC 8656 §18.4). The application data of a Send or Data
//! indication.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Data (variable)                         ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A received payload is a slice of the message, not a copy.

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// DATA: relayed application data.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Data(pub Bytes);

impl StunAttribute for Data {
    const TYPE: AttrType = AttrType::DATA;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        Ok(Self(value.clone()))
    }

    fn value_len(&self) -> usize {
        self.0.len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.extend_from_slice(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::round_trip;

    #[test]
    fn round_trips() {
        round_trip(Data(Bytes::from_static(b"hello")));
        round_trip(Data(Bytes::new()));
        round_trip(Data(Bytes::from(vec![7; 1500])));
    }

    #[test]
    fn decoding_does_not_copy() {
        let value = Bytes::from(vec![1, 2, 3]);
        let d = Data::decode(&value, &crate::attr::test_support::TID).unwrap();
        assert_eq!(d.0.as_ptr(), value.as_ptr());
    }
}
