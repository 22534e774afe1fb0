//! Round-robin over the ready streams (RFC 8260 §3.2), in stream-id order.
//!
//! The ready streams sit in an ordered set and a cursor remembers the last
//! stream served; the next one is the first ready stream after the cursor,
//! wrapping around. O(log n) per decision, and the set changes only when a
//! stream gains or loses data, not per fragment, so the steady path does not
//! allocate.

use std::collections::BTreeSet;
use std::ops::Bound;

use crate::types::StreamId;

#[derive(Clone, Debug, Default)]
pub(crate) struct RoundRobin {
    ready: BTreeSet<StreamId>,
    last_served: Option<StreamId>,
}

impl RoundRobin {
    pub(crate) fn set_ready(&mut self, stream: StreamId, ready: bool) {
        if ready {
            self.ready.insert(stream);
        } else {
            self.ready.remove(&stream);
        }
    }

    pub(crate) fn next(&self) -> Option<StreamId> {
        let after = match self.last_served {
            Some(last) => self
                .ready
                .range((Bound::Excluded(last), Bound::Unbounded))
                .next(),
            None => None,
        };
        after.or_else(|| self.ready.first()).copied()
    }

    pub(crate) fn on_served(&mut self, stream: StreamId) {
        self.last_served = Some(stream);
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_in_stream_order_after_the_last_served() {
        let mut rr = RoundRobin::default();
        assert_eq!(rr.next(), None);
        for s in [4, 1, 9] {
            rr.set_ready(StreamId(s), true);
        }
        let mut order = Vec::new();
        for _ in 0..6 {
            let s = rr.next().unwrap();
            rr.on_served(s);
            order.push(s.0);
        }
        assert_eq!(order, [1, 4, 9, 1, 4, 9]);
    }

    #[test]
    fn skips_streams_that_lost_their_data() {
        let mut rr = RoundRobin::default();
        for s in [1, 2, 3] {
            rr.set_ready(StreamId(s), true);
        }
        rr.on_served(StreamId(1));
        rr.set_ready(StreamId(2), false);
        assert_eq!(rr.next(), Some(StreamId(3)));
        rr.set_ready(StreamId(2), false); // idempotent
        rr.on_served(StreamId(3));
        assert_eq!(rr.next(), Some(StreamId(1)));
        rr.set_ready(StreamId(1), false);
        rr.set_ready(StreamId(3), false);
        assert_eq!(rr.next(), None);
        assert!(!rr.has_ready());
    }

    #[test]
    fn a_lone_stream_is_served_again_and_again() {
        let mut rr = RoundRobin::default();
        rr.set_ready(StreamId(7), true);
        for _ in 0..3 {
            assert_eq!(rr.next(), Some(StreamId(7)));
            rr.on_served(StreamId(7));
        }
    }
}
