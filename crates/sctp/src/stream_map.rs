//! Maps keyed by stream id, with a hash that costs a multiplication.
//!
//! The send path looks a stream up several times per message; with the
//! standard SipHash that was about a tenth of the CPU of small messages.
//! SipHash guards against keys chosen to collide, which buys little here:
//! a stream id is 16 bits, so however a peer picks them there are at most
//! 65,536 keys to choose from, about 65,536 / `n` per bucket of a table
//! holding `n`; the worst a chosen set can do is a few hundred probes in
//! a table of a few hundred streams.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::types::StreamId;

/// A `HashMap` from stream id.
pub(crate) type StreamMap<V> = HashMap<StreamId, V, BuildHasherDefault<StreamIdHasher>>;

/// Fibonacci hashing of the key's bits; the high half is folded into the
/// low one, which picks the bucket.
#[derive(Debug, Default)]
pub(crate) struct StreamIdHasher(u64);

/// 2^64 divided by the golden ratio, odd: multiplying by it spreads
/// neighbouring keys over the whole word.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for StreamIdHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.0 = (self.0.rotate_left(16) ^ u64::from(n)).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::*;

    fn hash(id: u16) -> u64 {
        BuildHasherDefault::<StreamIdHasher>::default().hash_one(StreamId(id))
    }

    #[test]
    fn every_stream_id_hashes_differently() {
        let all: HashSet<u64> = (0..=u16::MAX).map(hash).collect();
        assert_eq!(all.len(), 1 << 16);
    }

    #[test]
    fn ids_that_share_low_bits_still_spread_over_buckets() {
        // Ids 1024 apart agree in their low ten bits; their buckets in a
        // 64-bucket table must not.
        let buckets: HashSet<u64> = (0..64u16).map(|i| hash(i * 1024) & 63).collect();
        assert!(buckets.len() > 32, "{} buckets", buckets.len());
    }

    #[test]
    fn a_map_keeps_every_entry() {
        let mut m: StreamMap<u32> = StreamMap::default();
        for i in (0..=u16::MAX).step_by(7) {
            m.insert(StreamId(i), u32::from(i));
        }
        for i in (0..=u16::MAX).step_by(7) {
            assert_eq!(m.get(&StreamId(i)), Some(&u32::from(i)));
        }
        assert_eq!(m.get(&StreamId(1)), None);
    }
}
