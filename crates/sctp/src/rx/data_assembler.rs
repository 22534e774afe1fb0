//! Fragment reassembly for DATA chunks (RFC 9260 §6.9): the fragments of a
//! message carry consecutive TSNs, the first with the B bit and the last
//! with the E bit, and never interleave with another message's.
//!
//! A fragment with the B bit opens a *partial*: the run of fragments from
//! its B up to the first TSN not yet here, keyed by that next TSN. A
//! fragment that arrives before its predecessor waits in `loose`, keyed by
//! its TSN, and is pulled into the partial when the hole closes. Every
//! fragment moves at most once, so a message of k fragments costs
//! O(k log n) in any arrival order, and in-order arrival touches only the
//! inline slot of `partials`.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::message::{Assembled, OVERHEAD, PartsPool, concat};
use super::reassembly::ReassemblyError;
use super::slot_map::SlotMap;
use crate::types::{Data, Ppid, Ssn, StreamId};

#[derive(Debug)]
struct Partial {
    stream_id: StreamId,
    ssn: Ssn,
    unordered: bool,
    ppid: Ppid,
    parts: Vec<Bytes>,
    bytes: usize,
}

impl Partial {
    /// Whether `d` can be the next fragment of this message.
    fn continues(&self, d: &Data) -> bool {
        !d.is_beginning
            && d.stream_id == self.stream_id
            && d.is_unordered == self.unordered
            && (self.unordered || d.ssn == self.ssn)
    }

    fn cost(&self) -> usize {
        self.bytes + self.parts.len() * OVERHEAD
    }
}

fn cost_of(d: &Data) -> usize {
    d.payload.len() + OVERHEAD
}

#[derive(Debug)]
pub(crate) struct DataAssembler {
    /// Fragments (never with the B bit) whose predecessor has not arrived,
    /// by lifted TSN.
    loose: BTreeMap<u64, Data>,
    /// Messages with their B fragment, by the lifted TSN they need next.
    partials: SlotMap<u64, Partial>,
    pool: PartsPool,
    max_message_size: usize,
    /// Charge of everything held here.
    pub(crate) cost: usize,
    /// Fragments thrown away as inconsistent, repeated or unfinishable.
    pub(crate) discarded: u64,
}

impl DataAssembler {
    pub(crate) fn new(max_message_size: usize) -> Self {
        Self {
            loose: BTreeMap::new(),
            partials: SlotMap::new(),
            pool: PartsPool::default(),
            max_message_size,
            cost: 0,
            discarded: 0,
        }
    }

    /// Adds the fragment with lifted TSN `tsn`; returns the message it
    /// completes, if any.
    pub(crate) fn add(&mut self, tsn: u64, d: Data) -> Result<Option<Assembled>, ReassemblyError> {
        if d.is_beginning {
            // A partial waiting for this TSN expected a middle or end, not a
            // new start: that message can no longer complete.
            if let Some(p) = self.partials.remove(&tsn) {
                self.discard(p);
            }
            if d.payload.len() > self.max_message_size {
                self.discarded += 1;
                return Err(ReassemblyError::MessageTooLarge {
                    stream_id: d.stream_id,
                    max: self.max_message_size,
                });
            }
            if d.is_end {
                return Ok(Some(Assembled {
                    stream_id: d.stream_id,
                    seq: u32::from(d.ssn.0),
                    unordered: d.is_unordered,
                    ppid: d.ppid,
                    payload: d.payload,
                }));
            }
            let mut parts = self.pool.take();
            self.cost += cost_of(&d);
            let bytes = d.payload.len();
            parts.push(d.payload);
            let p = Partial {
                stream_id: d.stream_id,
                ssn: d.ssn,
                unordered: d.is_unordered,
                ppid: d.ppid,
                parts,
                bytes,
            };
            return self.grow(p, tsn + 1);
        }
        match self.partials.remove(&tsn) {
            Some(p) if p.continues(&d) => self.extend(p, tsn, d),
            Some(p) => {
                self.discard(p);
                self.store_loose(tsn, d);
                Ok(None)
            }
            None => {
                self.store_loose(tsn, d);
                Ok(None)
            }
        }
    }

    /// Appends `d` (TSN `tsn`, already checked to continue `p`).
    fn extend(
        &mut self,
        mut p: Partial,
        tsn: u64,
        d: Data,
    ) -> Result<Option<Assembled>, ReassemblyError> {
        self.cost += cost_of(&d);
        p.bytes += d.payload.len();
        p.parts.push(d.payload);
        if p.bytes > self.max_message_size {
            return Err(self.too_large(p));
        }
        if d.is_end {
            return Ok(Some(self.finish(p)));
        }
        self.grow(p, tsn + 1)
    }

    /// Pulls waiting fragments from `next` on into `p`, then files it.
    fn grow(
        &mut self,
        mut p: Partial,
        mut next: u64,
    ) -> Result<Option<Assembled>, ReassemblyError> {
        loop {
            let Some(d) = self.loose.remove(&next) else {
                if let Some(old) = self.partials.insert(next, p) {
                    // Only a peer that repeats TSNs gets two partials
                    // waiting for the same one.
                    self.discard(old);
                }
                return Ok(None);
            };
            if !p.continues(&d) {
                // The run belongs to some other message: `p` cannot finish.
                self.loose.insert(next, d);
                self.discard(p);
                return Ok(None);
            }
            // Its charge moves with it from `loose` to `p`.
            p.bytes += d.payload.len();
            p.parts.push(d.payload);
            if p.bytes > self.max_message_size {
                return Err(self.too_large(p));
            }
            if d.is_end {
                return Ok(Some(self.finish(p)));
            }
            next += 1;
        }
    }

    fn finish(&mut self, mut p: Partial) -> Assembled {
        self.cost -= p.cost();
        let payload = concat(&mut p.parts, p.bytes);
        self.pool.give(p.parts);
        Assembled {
            stream_id: p.stream_id,
            seq: u32::from(p.ssn.0),
            unordered: p.unordered,
            ppid: p.ppid,
            payload,
        }
    }

    fn too_large(&mut self, p: Partial) -> ReassemblyError {
        let e = ReassemblyError::MessageTooLarge {
            stream_id: p.stream_id,
            max: self.max_message_size,
        };
        self.discard(p);
        e
    }

    fn discard(&mut self, p: Partial) {
        self.cost -= p.cost();
        self.discarded += p.parts.len() as u64;
        self.pool.give(p.parts);
    }

    fn store_loose(&mut self, tsn: u64, d: Data) {
        if self.loose.contains_key(&tsn) {
            self.discarded += 1;
            return;
        }
        self.cost += cost_of(&d);
        self.loose.insert(tsn, d);
    }

    /// The cumulative TSN moved to `cum` over abandoned data (RFC 3758
    /// §3.6): drops every partially received message still missing a TSN at
    /// or below `cum`, since that TSN will never be sent again.
    pub(crate) fn forget_up_to(&mut self, cum: u64) {
        let mut released = 0;
        let mut count = 0;
        // A partial needing a TSN ≤ cum misses it for good.
        let pool = &mut self.pool;
        self.partials.remove_up_to(&cum, |p| {
            released += p.cost();
            count += p.parts.len() as u64;
            pool.give(p.parts);
        });
        // A loose fragment lacks its predecessor, which is ≤ cum for these...
        while let Some(entry) = self.loose.first_entry() {
            if *entry.key() > cum {
                break;
            }
            released += cost_of(&entry.remove());
            count += 1;
        }
        // ...and for the run right above cum, whose first member's
        // predecessor is cum itself (a partial holding cum would have
        // pulled it in).
        let mut t = cum + 1;
        while let Some(d) = self.loose.remove(&t) {
            released += cost_of(&d);
            count += 1;
            t += 1;
        }
        self.cost -= released;
        self.discarded += count;
    }

    /// Drops everything held for the streams `doomed` selects (stream reset:
    /// what is still incomplete there belongs to the old sequence).
    pub(crate) fn forget_streams(&mut self, doomed: impl Fn(StreamId) -> bool) {
        let mut released = 0;
        let mut count = 0;
        let pool = &mut self.pool;
        self.partials.remove_if(
            |_, p| doomed(p.stream_id),
            |p| {
                released += p.cost();
                count += p.parts.len() as u64;
                pool.give(p.parts);
            },
        );
        self.loose.retain(|_, d| {
            let drop = doomed(d.stream_id);
            if drop {
                released += cost_of(d);
                count += 1;
            }
            !drop
        });
        self.cost -= released;
        self.discarded += count;
    }

    #[cfg(test)]
    pub(crate) fn computed_cost(&self) -> usize {
        self.loose.values().map(cost_of).sum::<usize>()
            + self.partials.values().map(Partial::cost).sum::<usize>()
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.loose.len() + self.partials.values().map(|p| p.parts.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = super::super::seq::BASE;

    fn frag(stream: u16, ssn: u16, b: bool, e: bool, bytes: &'static [u8]) -> Data {
        Data {
            stream_id: StreamId(stream),
            ssn: Ssn(ssn),
            ppid: Ppid(53),
            payload: Bytes::from_static(bytes),
            is_beginning: b,
            is_end: e,
            ..Data::default()
        }
    }

    fn add(a: &mut DataAssembler, tsn: u64, d: Data) -> Option<Assembled> {
        let m = a.add(T + tsn, d).expect("within size");
        assert_eq!(a.cost, a.computed_cost());
        m
    }

    #[test]
    fn single_fragment_passes_through_uncopied_and_unstored() {
        let mut a = DataAssembler::new(1000);
        let d = frag(1, 4, true, true, b"whole");
        let ptr = d.payload.as_ptr();
        let m = add(&mut a, 0, d).unwrap();
        assert_eq!(m.payload.as_ptr(), ptr);
        assert_eq!((m.stream_id, m.seq, m.ppid), (StreamId(1), 4, Ppid(53)));
        assert_eq!(a.cost, 0);
    }

    #[test]
    fn in_order_fragments_use_the_slot_and_join_once() {
        let mut a = DataAssembler::new(1000);
        for round in 0..3u64 {
            let t = round * 3;
            assert!(add(&mut a, t, frag(1, round as u16, true, false, b"ab")).is_none());
            assert_eq!(a.partials.len(), 1);
            assert!(add(&mut a, t + 1, frag(1, round as u16, false, false, b"cd")).is_none());
            let m = add(&mut a, t + 2, frag(1, round as u16, false, true, b"e")).unwrap();
            assert_eq!(&m.payload[..], b"abcde");
            assert_eq!(a.cost, 0);
            assert_eq!(a.partials.len(), 0);
        }
        // The fragment list was reused, not reallocated.
        assert_eq!(a.pool.spare_count(), 1);
    }

    #[test]
    fn any_arrival_order_completes_the_message() {
        let pieces: [&'static [u8]; 4] = [b"a", b"b", b"c", b"d"];
        let orders = [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1], [0, 2, 1, 3]];
        for order in orders {
            let mut a = DataAssembler::new(1000);
            let mut done = None;
            for i in order {
                let d = frag(2, 0, i == 0, i == 3, pieces[i]);
                if let Some(m) = add(&mut a, 10 + i as u64, d) {
                    assert!(done.is_none());
                    done = Some(m);
                }
            }
            assert_eq!(
                &done.expect("completes").payload[..],
                b"abcd",
                "order {order:?}"
            );
            assert_eq!(a.cost, 0);
            assert_eq!(a.held(), 0);
        }
    }

    #[test]
    fn back_to_back_messages_do_not_merge() {
        let mut a = DataAssembler::new(1000);
        // Message 1 at TSN 5-6, message 2 at TSN 7-8, arriving backwards.
        assert!(add(&mut a, 8, frag(1, 1, false, true, b"d")).is_none());
        assert!(
            add(&mut a, 7, frag(1, 1, true, false, b"c")).is_some_and(|m| &m.payload[..] == b"cd")
        );
        assert!(add(&mut a, 6, frag(1, 0, false, true, b"b")).is_none());
        let m = add(&mut a, 5, frag(1, 0, true, false, b"a")).unwrap();
        assert_eq!((&m.payload[..], m.seq), (&b"ab"[..], 0));
        assert_eq!(a.held(), 0);
    }

    #[test]
    fn a_run_from_another_stream_breaks_the_partial() {
        let mut a = DataAssembler::new(1000);
        add(&mut a, 1, frag(9, 0, false, true, b"x"));
        assert!(add(&mut a, 0, frag(1, 0, true, false, b"a")).is_none());
        // The partial is gone; the foreign fragment stays where it was.
        assert_eq!(a.partials.len(), 0);
        assert_eq!(a.loose.len(), 1);
        assert_eq!(a.discarded, 1);
    }

    #[test]
    fn a_new_start_where_a_middle_was_expected_discards_the_old_message() {
        let mut a = DataAssembler::new(1000);
        add(&mut a, 0, frag(1, 0, true, false, b"a"));
        let m = add(&mut a, 1, frag(1, 1, true, true, b"b")).unwrap();
        assert_eq!(&m.payload[..], b"b");
        assert_eq!(a.cost, 0);
    }

    #[test]
    fn message_larger_than_the_limit_is_refused_and_released() {
        let mut a = DataAssembler::new(4);
        a.add(T, frag(1, 0, true, false, b"abc")).unwrap();
        let e = a.add(T + 1, frag(1, 0, false, true, b"de")).unwrap_err();
        assert_eq!(
            e,
            ReassemblyError::MessageTooLarge {
                stream_id: StreamId(1),
                max: 4
            }
        );
        assert_eq!(a.cost, 0);
        assert!(a.add(T + 2, frag(1, 1, true, true, b"abcde")).is_err());
        // Also when the excess arrives first and is pulled in.
        a.add(T + 11, frag(1, 2, false, true, b"de")).unwrap();
        assert!(a.add(T + 10, frag(1, 2, true, false, b"abc")).is_err());
        assert_eq!(a.cost, 0);
        assert_eq!(a.computed_cost(), 0);
    }

    #[test]
    fn forward_tsn_drops_messages_missing_a_tsn_below_it_and_keeps_live_ones() {
        let mut a = DataAssembler::new(1000);
        // Message A: B at 1, 2 missing (abandoned), E at 3.
        add(&mut a, 1, frag(1, 0, true, false, b"a"));
        add(&mut a, 3, frag(1, 0, false, false, b"c"));
        add(&mut a, 4, frag(1, 0, false, true, b"d"));
        // Message B: 5..7, 5 and 6 arrived; 7 is still to come.
        add(&mut a, 5, frag(1, 1, true, false, b"x"));
        add(&mut a, 6, frag(1, 1, false, false, b"y"));
        a.forget_up_to(T + 3);
        assert_eq!(a.cost, a.computed_cost());
        assert_eq!(a.held(), 2, "only message B survives");
        let m = add(&mut a, 7, frag(1, 1, false, true, b"z")).unwrap();
        assert_eq!(&m.payload[..], b"xyz");
        assert_eq!(a.cost, 0);
    }

    #[test]
    fn stream_reset_drops_only_that_streams_fragments() {
        let mut a = DataAssembler::new(1000);
        add(&mut a, 1, frag(1, 0, true, false, b"a"));
        add(&mut a, 5, frag(1, 0, false, true, b"z"));
        add(&mut a, 10, frag(2, 0, true, false, b"b"));
        a.forget_streams(|s| s == StreamId(1));
        assert_eq!(a.held(), 1);
        let m = add(&mut a, 11, frag(2, 0, false, true, b"c")).unwrap();
        assert_eq!(&m.payload[..], b"bc");
    }
}
