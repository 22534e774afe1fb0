//! Lifting a wrapping sequence number onto a 64-bit line next to a reference.
//!
//! Unlike [`crate::types::Unwrapper`], the reference here is owned by the
//! caller and only ever moves forward (a cumulative ack, a next expected
//! SSN), so values a peer sends in any order cannot drag it backwards.

/// Where the lines start. At least `2^32` so that stepping back half a
/// 32-bit space from any reference never underflows, and a multiple of
/// `2^32` so that the low bits of a lifted value are the wire value.
pub(crate) const BASE: u64 = 1 << 33;

/// The point of the line nearest to `reference` whose low `bits` bits are
/// `raw`. `reference` must be at least [`BASE`].
pub(crate) fn unwrap_near(reference: u64, raw: u32, bits: u32) -> u64 {
    let modulus = 1u64 << bits;
    let diff = u64::from(raw).wrapping_sub(reference) & (modulus - 1);
    if diff < modulus / 2 {
        reference + diff
    } else {
        reference - (modulus - diff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifts_forward_and_backward_across_wraps() {
        let r = BASE + u64::from(u32::MAX);
        assert_eq!(unwrap_near(r, 0, 32), r + 1);
        assert_eq!(unwrap_near(r, u32::MAX - 3, 32), r - 3);
        assert_eq!(unwrap_near(r, u32::MAX, 32), r);
        let s = BASE + 65535;
        assert_eq!(unwrap_near(s, 2, 16), s + 3);
        assert_eq!(unwrap_near(s, 65530, 16), s - 5);
    }

    #[test]
    fn low_bits_are_the_wire_value() {
        for raw in [0u32, 1, 77, u32::MAX / 2, u32::MAX] {
            let v = unwrap_near(BASE + 12345, raw, 32);
            assert_eq!(v as u32, raw);
        }
    }

    #[test]
    fn never_underflows_at_the_start() {
        // Half a space behind the very first reference is still positive.
        assert_eq!(unwrap_near(BASE, 1 << 31, 32), BASE - (1 << 31));
    }
}
