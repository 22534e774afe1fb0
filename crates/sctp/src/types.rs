//! Sequence numbers and the user-data record shared by the codec, the
//! receive side and the send side.
//!
//! SCTP's sequence numbers wrap (serial number arithmetic, RFC 1982). Code
//! that compares them across a long association "unwraps" them into a
//! monotonically growing `u64` with an [`Unwrapper`], so that ordered maps
//! and subtraction work without special cases.

use bytes::Bytes;

macro_rules! serial {
    ($(#[$doc:meta])* $name:ident, $int:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
        pub struct $name(pub $int);

        impl $name {
            /// The following number (wrapping).
            #[must_use]
            pub fn next(self) -> Self {
                Self(self.0.wrapping_add(1))
            }

            /// This number advanced by `n` (wrapping).
            #[must_use]
            pub fn plus(self, n: $int) -> Self {
                Self(self.0.wrapping_add(n))
            }

            /// Serial-number "greater than" (RFC 1982): `self` comes after `other`.
            pub fn is_after(self, other: Self) -> bool {
                const HALF: $int = 1 << (<$int>::BITS - 1);
                self.0 != other.0 && self.0.wrapping_sub(other.0) < HALF
            }

            /// `self` comes after `other` or is equal to it.
            pub fn is_after_or_eq(self, other: Self) -> bool {
                self == other || self.is_after(other)
            }

            /// How far `self` is ahead of `other`, wrapping.
            pub fn distance_from(self, other: Self) -> $int {
                self.0.wrapping_sub(other.0)
            }
        }

        impl Serial for $name {
            const BITS: u32 = <$int>::BITS;
            fn to_u64(self) -> u64 {
                u64::from(self.0)
            }
        }
    };
}

serial!(
    /// Transmission Sequence Number: one per DATA or I-DATA chunk.
    Tsn, u32
);
serial!(
    /// Stream Sequence Number of an ordered message (DATA chunks).
    Ssn, u16
);
serial!(
    /// Message Identifier (I-DATA chunks, RFC 8260).
    Mid, u32
);
serial!(
    /// Fragment Sequence Number within a message (I-DATA chunks, RFC 8260).
    Fsn, u32
);

/// A stream identifier (0..=65535; data channels use 0..=65534).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, PartialOrd, Ord)]
pub struct StreamId(pub u16);

/// Payload Protocol Identifier: tells data channels text from binary.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Ppid(pub u32);

/// A wrapping sequence number type that [`Unwrapper`] can extend to 64 bits.
pub trait Serial: Copy {
    /// Width of the wire value.
    const BITS: u32;
    /// The wire value, zero-extended.
    fn to_u64(self) -> u64;
}

/// Turns wrapping sequence numbers into a monotonic `u64` line.
///
/// Each value is placed at the point of the line nearest to the last value
/// seen, so values up to half the number space before or after it unwrap
/// correctly. Values before the start unwrap to numbers below the first one
/// (the line starts at `2^BITS`, so that never underflows).
///
/// ```
/// use sanderling_sctp::types::{Tsn, Unwrapper};
/// let mut u = Unwrapper::new();
/// let a = u.unwrap(Tsn(u32::MAX));
/// let b = u.unwrap(Tsn(0));
/// assert_eq!(b, a + 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Unwrapper {
    last: Option<u64>,
}

impl Unwrapper {
    /// An unwrapper that has seen nothing yet.
    pub fn new() -> Self {
        Self { last: None }
    }

    /// Unwraps `value` relative to the last value seen, and remembers it.
    pub fn unwrap<S: Serial>(&mut self, value: S) -> u64 {
        let v = self.peek(value);
        self.last = Some(v);
        v
    }

    /// Unwraps `value` without remembering it.
    pub fn peek<S: Serial>(&self, value: S) -> u64 {
        let modulus = 1u64 << S::BITS;
        let raw = value.to_u64();
        match self.last {
            None => modulus + raw,
            Some(last) => {
                let half = modulus / 2;
                let last_raw = last % modulus;
                let forward = raw.wrapping_sub(last_raw) & (modulus - 1);
                if forward < half {
                    last + forward
                } else {
                    last - (modulus - forward)
                }
            }
        }
    }
}

/// One message fragment: what DATA and I-DATA chunks carry, minus the TSN.
///
/// DATA uses `ssn`; I-DATA uses `mid` and `fsn` instead (the unused ones are
/// zero). `payload` is a slice of the received datagram or of the user's
/// message: no copy between socket and application.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Data {
    /// The stream this fragment belongs to.
    pub stream_id: StreamId,
    /// Stream sequence number (DATA only; ignored for unordered messages).
    pub ssn: Ssn,
    /// Message identifier (I-DATA only).
    pub mid: Mid,
    /// Fragment sequence number (I-DATA only; the first fragment has 0).
    pub fsn: Fsn,
    /// Payload protocol identifier of the message.
    pub ppid: Ppid,
    /// The fragment's bytes.
    pub payload: Bytes,
    /// First fragment of its message (the B bit).
    pub is_beginning: bool,
    /// Last fragment of its message (the E bit).
    pub is_end: bool,
    /// Delivered without regard to stream order (the U bit).
    pub is_unordered: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_comparison_wraps() {
        assert!(Tsn(1).is_after(Tsn(0)));
        assert!(Tsn(0).is_after(Tsn(u32::MAX)));
        assert!(!Tsn(u32::MAX).is_after(Tsn(0)));
        assert!(!Tsn(5).is_after(Tsn(5)));
        assert!(Tsn(5).is_after_or_eq(Tsn(5)));
        assert!(Ssn(0).is_after(Ssn(65535)));
        assert!(Ssn(100).is_after(Ssn(65000)));
        assert_eq!(Tsn(2).distance_from(Tsn(u32::MAX)), 3);
        assert_eq!(Ssn(65535).next(), Ssn(0));
    }

    #[test]
    fn unwrapper_is_monotonic_across_wraps() {
        let mut u = Unwrapper::new();
        let mut expected = u.unwrap(Ssn(65000));
        let mut s = Ssn(65000);
        for _ in 0..200_000 {
            s = s.next();
            expected += 1;
            assert_eq!(u.unwrap(s), expected);
        }
    }

    #[test]
    fn unwrapper_handles_values_behind() {
        let mut u = Unwrapper::new();
        let a = u.unwrap(Tsn(3));
        assert_eq!(u.peek(Tsn(u32::MAX)), a - 4);
        assert_eq!(u.unwrap(Tsn(10)), a + 7);
        assert_eq!(u.peek(Tsn(3)), a);
    }
}
