//! The connection's channels by handle, hashed with a multiplication.
//!
//! The send and receive paths look a channel up once or more per message;
//! with the standard SipHash that was about 4 % of the CPU of small
//! messages. SipHash protects against keys chosen to collide; a handle is
//! a counter the core assigns in order (`ChannelHandle`), never a number
//! the peer picks, so there is nothing to protect against.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use sanderling_rtc::ChannelHandle;

/// A `HashMap` from channel handle.
pub(crate) type HandleMap<V> = HashMap<ChannelHandle, V, BuildHasherDefault<HandleHasher>>;

/// Fibonacci hashing: consecutive handles land far apart, and the high
/// bits (hashbrown's per-slot tag) differ as well as the low ones.
#[derive(Debug, Default)]
pub(crate) struct HandleHasher(u64);

/// 2^64 divided by the golden ratio, odd.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for HandleHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::*;

    fn hash(h: u64) -> u64 {
        BuildHasherDefault::<HandleHasher>::default().hash_one(ChannelHandle(h))
    }

    #[test]
    fn consecutive_handles_differ_in_low_and_high_bits() {
        let n = 1u64 << 16;
        let low: HashSet<u64> = (0..n).map(|h| hash(h) & 0xffff).collect();
        let high: HashSet<u64> = (0..n).map(|h| hash(h) >> 57).collect();
        // A table of 65,536 buckets gets most of them used, and the 7-bit
        // tags are all used.
        assert!(low.len() > (n as usize) / 2, "{}", low.len());
        assert_eq!(high.len(), 128);
    }

    #[test]
    fn a_map_keeps_every_entry() {
        let mut m: HandleMap<u64> = HandleMap::default();
        for h in 0..10_000 {
            m.insert(ChannelHandle(h), h * 3);
        }
        assert_eq!(m.len(), 10_000);
        assert!((0..10_000).all(|h| m.get(&ChannelHandle(h)) == Some(&(h * 3))));
        assert!(!m.contains_key(&ChannelHandle(10_000)));
    }
}
