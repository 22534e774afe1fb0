//! Fragment reassembly for I-DATA chunks (RFC 8260 §2.1): a message is
//! named by its stream, its U bit and its MID (ordered and unordered
//! messages count MIDs separately), and its fragments by FSN from 0. TSNs
//! say nothing about which fragments belong together, so fragments of
//! different messages may interleave freely.
//!
//! As for DATA, the first fragment opens a *partial* holding the fragments
//! from FSN 0 up to the first one missing; later fragments that arrive
//! early wait in `loose`, keyed by message and FSN, and are pulled in when
//! their turn comes. Each fragment moves at most once.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use bytes::Bytes;

use super::message::{Assembled, OVERHEAD, PartsPool, concat};
use super::reassembly::ReassemblyError;
use super::slot_map::SlotMap;
use crate::types::{Data, Mid, Ppid, StreamId};

/// A message: (stream, unordered, MID).
type MsgKey = (StreamId, bool, u32);

#[derive(Debug)]
struct Loose {
    payload: Bytes,
    is_end: bool,
}

#[derive(Debug)]
struct Partial {
    ppid: Ppid,
    /// The FSN this message needs next.
    next_fsn: u32,
    parts: Vec<Bytes>,
    bytes: usize,
}

impl Partial {
    fn cost(&self) -> usize {
        self.bytes + self.parts.len() * OVERHEAD
    }
}

fn key_of(d: &Data) -> MsgKey {
    (d.stream_id, d.is_unordered, d.mid.0)
}

/// Every loose key of one message.
fn fragments_of(k: MsgKey) -> RangeInclusive<(MsgKey, u32)> {
    (k, 0)..=(k, u32::MAX)
}

#[derive(Debug)]
pub(crate) struct IDataAssembler {
    /// Fragments that came before their predecessor, by message and FSN.
    loose: BTreeMap<(MsgKey, u32), Loose>,
    /// Messages whose first fragment is here.
    partials: SlotMap<MsgKey, Partial>,
    pool: PartsPool,
    max_message_size: usize,
    /// Charge of everything held here.
    pub(crate) cost: usize,
    /// Fragments thrown away as inconsistent, repeated or unfinishable.
    pub(crate) discarded: u64,
}

impl IDataAssembler {
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

    /// Adds a fragment; returns the message it completes, if any. The
    /// first fragment's FSN is taken as 0 whatever `d.fsn` says (on the
    /// wire that field holds the PPID there).
    pub(crate) fn add(&mut self, d: Data) -> Result<Option<Assembled>, ReassemblyError> {
        let key = key_of(&d);
        let len = d.payload.len();
        if d.is_beginning {
            if let Some(old) = self.partials.remove(&key) {
                // A second start for one message: keep the newer.
                self.discard(old);
            }
            if len > self.max_message_size {
                self.discarded += 1;
                self.forget_loose_of(key);
                return Err(self.too_large_error(key));
            }
            if d.is_end {
                self.forget_loose_of(key);
                return Ok(Some(Assembled {
                    stream_id: d.stream_id,
                    seq: d.mid.0,
                    unordered: d.is_unordered,
                    ppid: d.ppid,
                    payload: d.payload,
                }));
            }
            self.cost += len + OVERHEAD;
            let mut parts = self.pool.take();
            parts.push(d.payload);
            let p = Partial {
                ppid: d.ppid,
                next_fsn: 0,
                parts,
                bytes: len,
            };
            return self.settle(key, p, 0, false);
        }
        let fsn = d.fsn.0;
        if fsn == 0 {
            // FSN 0 is the first fragment, which must carry the B bit.
            self.discarded += 1;
            return Ok(None);
        }
        match self.partials.get_mut(&key).map(|p| p.next_fsn) {
            Some(next) if next == fsn => {
                let Some(mut p) = self.partials.remove(&key) else {
                    return Ok(None);
                };
                self.cost += len + OVERHEAD;
                p.bytes += len;
                p.parts.push(d.payload);
                self.settle(key, p, fsn, d.is_end)
            }
            Some(next) if fsn < next => {
                self.discarded += 1;
                Ok(None)
            }
            _ => {
                let f = Loose {
                    payload: d.payload,
                    is_end: d.is_end,
                };
                self.store_loose(key, fsn, f);
                Ok(None)
            }
        }
    }

    /// `p` just took fragment `fsn` (`ended`: it had the E bit). Checks the
    /// size, then finishes the message or pulls waiting fragments into it
    /// and files it.
    fn settle(
        &mut self,
        key: MsgKey,
        mut p: Partial,
        mut fsn: u32,
        mut ended: bool,
    ) -> Result<Option<Assembled>, ReassemblyError> {
        loop {
            if p.bytes > self.max_message_size {
                self.discard(p);
                self.forget_loose_of(key);
                return Err(self.too_large_error(key));
            }
            if ended {
                return Ok(Some(self.finish(key, p)));
            }
            let Some(next) = fsn.checked_add(1) else {
                // No message has 2^32 fragments; only a hostile peer gets here.
                self.discard(p);
                return Ok(None);
            };
            p.next_fsn = next;
            let Some(f) = self.loose.remove(&(key, next)) else {
                if let Some(old) = self.partials.insert(key, p) {
                    self.discard(old);
                }
                return Ok(None);
            };
            // Its charge moves with it from `loose` to `p`.
            p.bytes += f.payload.len();
            p.parts.push(f.payload);
            fsn = next;
            ended = f.is_end;
        }
    }

    fn finish(&mut self, key: MsgKey, mut p: Partial) -> Assembled {
        self.cost -= p.cost();
        // Fragments claiming to come after the end can never be used.
        self.forget_loose_of(key);
        let payload = concat(&mut p.parts, p.bytes);
        self.pool.give(p.parts);
        Assembled {
            stream_id: key.0,
            seq: key.2,
            unordered: key.1,
            ppid: p.ppid,
            payload,
        }
    }

    fn too_large_error(&self, key: MsgKey) -> ReassemblyError {
        ReassemblyError::MessageTooLarge {
            stream_id: key.0,
            max: self.max_message_size,
        }
    }

    fn discard(&mut self, p: Partial) {
        self.cost -= p.cost();
        self.discarded += p.parts.len() as u64;
        self.pool.give(p.parts);
    }

    fn store_loose(&mut self, key: MsgKey, fsn: u32, f: Loose) {
        if self.loose.contains_key(&(key, fsn)) {
            self.discarded += 1;
            return;
        }
        self.cost += f.payload.len() + OVERHEAD;
        self.loose.insert((key, fsn), f);
    }

    /// Drops the loose fragments of one message.
    fn forget_loose_of(&mut self, key: MsgKey) {
        // The common case, nothing loose for it, costs one lookup.
        while let Some((&k, _)) = self.loose.range(fragments_of(key)).next() {
            if let Some(f) = self.loose.remove(&k) {
                self.cost -= f.payload.len() + OVERHEAD;
                self.discarded += 1;
            }
        }
    }

    /// The peer abandoned every message up to `mid` on this stream in this
    /// MID space (RFC 8260 §2.3.2): what is held of them can never complete.
    pub(crate) fn forget_up_to(&mut self, stream_id: StreamId, unordered: bool, mid: Mid) {
        let doomed =
            |k: &MsgKey| k.0 == stream_id && k.1 == unordered && mid.is_after_or_eq(Mid(k.2));
        self.forget_where(doomed);
    }

    /// Drops everything held for the streams `doomed` selects (stream reset:
    /// both MID spaces start over, so what is incomplete there is stale).
    pub(crate) fn forget_streams(&mut self, doomed: impl Fn(StreamId) -> bool) {
        self.forget_where(|k: &MsgKey| doomed(k.0));
    }

    fn forget_where(&mut self, doomed: impl Fn(&MsgKey) -> bool) {
        let mut released = 0;
        let mut count = 0;
        let pool = &mut self.pool;
        self.partials.remove_if(
            |k, _| doomed(k),
            |p| {
                released += p.cost();
                count += p.parts.len() as u64;
                pool.give(p.parts);
            },
        );
        self.loose.retain(|(k, _), f| {
            let drop = doomed(k);
            if drop {
                released += f.payload.len() + OVERHEAD;
                count += 1;
            }
            !drop
        });
        self.cost -= released;
        self.discarded += count;
    }

    #[cfg(test)]
    pub(crate) fn computed_cost(&self) -> usize {
        self.loose
            .values()
            .map(|f| f.payload.len() + OVERHEAD)
            .sum::<usize>()
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
    use crate::types::Fsn;

    fn frag(
        stream: u16,
        unordered: bool,
        mid: u32,
        fsn: u32,
        e: bool,
        bytes: &'static [u8],
    ) -> Data {
        Data {
            stream_id: StreamId(stream),
            mid: Mid(mid),
            fsn: Fsn(fsn),
            ppid: Ppid(if fsn == 0 { 51 } else { 0 }),
            payload: Bytes::from_static(bytes),
            is_beginning: fsn == 0,
            is_end: e,
            is_unordered: unordered,
            ..Data::default()
        }
    }

    fn add(a: &mut IDataAssembler, d: Data) -> Option<Assembled> {
        let m = a.add(d).expect("within size");
        assert_eq!(a.cost, a.computed_cost());
        m
    }

    #[test]
    fn single_fragment_passes_through_uncopied() {
        let mut a = IDataAssembler::new(100);
        let d = frag(3, false, 9, 0, true, b"hi");
        let ptr = d.payload.as_ptr();
        let m = add(&mut a, d).unwrap();
        assert_eq!((m.payload.as_ptr(), m.seq, m.ppid), (ptr, 9, Ppid(51)));
        assert_eq!(a.cost, 0);
    }

    #[test]
    fn interleaved_messages_assemble_independently() {
        let mut a = IDataAssembler::new(100);
        // Two messages on stream 1 (ordered MID 0, unordered MID 0: different
        // messages) and one on stream 2, fragments interleaved.
        let chunks = [
            frag(1, false, 0, 0, false, b"o0"),
            frag(1, true, 0, 0, false, b"u0"),
            frag(2, false, 0, 0, false, b"s0"),
            frag(1, true, 0, 1, true, b"u1"),
            frag(2, false, 0, 1, false, b"s1"),
            frag(1, false, 0, 1, true, b"o1"),
            frag(2, false, 0, 2, true, b"s2"),
        ];
        let done: Vec<_> = chunks.into_iter().filter_map(|c| add(&mut a, c)).collect();
        let got: Vec<_> = done
            .iter()
            .map(|m| (m.stream_id.0, m.unordered, &m.payload[..]))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, true, &b"u0u1"[..]),
                (1, false, &b"o0o1"[..]),
                (2, false, &b"s0s1s2"[..])
            ]
        );
        assert_eq!(a.cost, 0);
        assert_eq!(a.pool.spare_count(), 3);
    }

    #[test]
    fn any_fsn_order_completes() {
        let pieces: [&'static [u8]; 4] = [b"a", b"b", b"c", b"d"];
        for order in [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
            let mut a = IDataAssembler::new(100);
            let mut done = Vec::new();
            for i in order {
                done.extend(add(
                    &mut a,
                    frag(5, false, 7, i, i == 3, pieces[i as usize]),
                ));
            }
            assert_eq!(done.len(), 1);
            assert_eq!(&done[0].payload[..], b"abcd");
            assert_eq!(a.held(), 0);
        }
    }

    #[test]
    fn hostile_fragments_are_dropped_without_leaking() {
        let mut a = IDataAssembler::new(100);
        // Middle fragment claiming FSN 0 without B.
        let mut d = frag(1, false, 0, 1, false, b"x");
        d.fsn = Fsn(0);
        assert!(add(&mut a, d).is_none());
        // Repeated FSN, and fragments beyond the end.
        add(&mut a, frag(1, false, 1, 2, false, b"x"));
        add(&mut a, frag(1, false, 1, 2, false, b"y"));
        add(&mut a, frag(1, false, 1, 9, true, b"z"));
        add(&mut a, frag(1, false, 1, 0, false, b"a"));
        let m = add(&mut a, frag(1, false, 1, 1, true, b"b")).unwrap();
        assert_eq!(&m.payload[..], b"ab");
        // The leftovers of the finished message were dropped with it.
        assert_eq!(a.held(), 0);
        assert_eq!(a.cost, 0);
        // An FSN at the top of the space cannot overflow the counter.
        add(&mut a, frag(4, false, 0, u32::MAX, false, b"m"));
        add(&mut a, frag(4, false, 0, 0, false, b"a"));
        assert_eq!(a.cost, a.computed_cost());
    }

    #[test]
    fn too_large_message_is_refused_and_released() {
        let mut a = IDataAssembler::new(3);
        add(&mut a, frag(1, false, 0, 2, true, b"cc"));
        a.add(frag(1, false, 0, 0, false, b"a")).unwrap();
        assert!(a.add(frag(1, false, 0, 1, false, b"bb")).is_err());
        assert_eq!(a.cost, 0);
        assert_eq!(a.computed_cost(), 0);
        assert!(a.add(frag(1, false, 1, 0, true, b"abcd")).is_err());
    }

    #[test]
    fn forget_up_to_honours_stream_space_and_serial_order() {
        let mut a = IDataAssembler::new(100);
        add(&mut a, frag(1, false, u32::MAX, 0, false, b"a"));
        add(&mut a, frag(1, false, 0, 1, false, b"b"));
        add(&mut a, frag(1, false, 2, 0, false, b"c"));
        add(&mut a, frag(1, true, 0, 0, false, b"u"));
        add(&mut a, frag(2, false, 0, 0, false, b"s"));
        // Ordered MIDs up to 0 on stream 1, across the wrap.
        a.forget_up_to(StreamId(1), false, Mid(0));
        assert_eq!(a.held(), 3);
        assert_eq!(a.cost, a.computed_cost());
        a.forget_streams(|s| s == StreamId(1));
        assert_eq!(a.held(), 1);
        assert!(add(&mut a, frag(2, false, 0, 1, true, b"t")).is_some());
    }
}
