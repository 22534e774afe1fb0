//! The check list (RFC 8445 §6.1.2): pairs ordered by priority, their
//! states, foundations unfrozen as checks succeed, and the triggered-check
//! queue (§6.1.4.1).

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::pair::{Pair, PairState};

/// The next check the pacer should send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NextCheck {
    /// The head of the triggered-check queue.
    Triggered(u64),
    /// The highest-priority Waiting pair.
    Ordinary(u64),
    /// The highest-priority Frozen pair whose foundation has nothing Waiting
    /// or In-Progress: unfreeze it and check it (§6.1.4.2).
    Unfreeze(u64),
}

impl NextCheck {
    pub(crate) fn pair(self) -> u64 {
        match self {
            Self::Triggered(p) | Self::Ordinary(p) | Self::Unfreeze(p) => p,
        }
    }
}

/// All pairs of the (single) data stream.
#[derive(Debug, Default)]
pub(crate) struct CheckList {
    pub(crate) pairs: Vec<Pair>,
    pub(crate) triggered: VecDeque<u64>,
    next_id: u64,
}

impl CheckList {
    pub(crate) fn clear(&mut self) {
        self.pairs.clear();
        self.triggered.clear();
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn index(&self, id: u64) -> Option<usize> {
        self.pairs.iter().position(|p| p.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut Pair> {
        self.pairs.iter_mut().find(|p| p.id == id)
    }

    pub(crate) fn get(&self, id: u64) -> Option<&Pair> {
        self.pairs.iter().find(|p| p.id == id)
    }

    pub(crate) fn find(&self, local: SocketAddr, remote: SocketAddr) -> Option<usize> {
        self.pairs
            .iter()
            .position(|p| p.local_addr == local && p.remote_addr == remote)
    }

    fn foundation_busy(&self, foundation: &(String, String)) -> bool {
        self.pairs.iter().any(|p| {
            &p.foundation == foundation
                && matches!(p.state, PairState::Waiting | PairState::InProgress)
        })
    }

    /// Adds a pair, Waiting unless a pair of its foundation is already
    /// Waiting or In-Progress (then Frozen: RFC 8445 §6.1.2.6, applied as
    /// pairs trickle in, RFC 8838 §10). At `max` pairs the lowest-priority
    /// unchecked pair makes way, or the new pair is dropped if it is the
    /// lowest. Returns the pair's id.
    pub(crate) fn insert(&mut self, mut pair: Pair, max: usize) -> Option<u64> {
        if let Some(i) = self.find(pair.local_addr, pair.remote_addr) {
            // Redundant (RFC 8445 §6.1.2.4): keep the higher priority.
            let existing = &mut self.pairs[i];
            if pair.priority > existing.priority {
                existing.priority = pair.priority;
                existing.local_priority = pair.local_priority;
                existing.remote_priority = pair.remote_priority;
                existing.remote = pair.remote;
                existing.local = pair.local;
            }
            return Some(existing.id);
        }
        if self.pairs.len() >= max.max(1) {
            let victim = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| matches!(p.state, PairState::Frozen | PairState::Waiting))
                .min_by_key(|(_, p)| p.priority)
                .map(|(i, p)| (i, p.priority));
            match victim {
                Some((i, prio)) if prio < pair.priority => {
                    let id = self.pairs[i].id;
                    self.remove(id);
                }
                _ => return None,
            }
        }
        pair.state = if self.foundation_busy(&pair.foundation) {
            PairState::Frozen
        } else {
            PairState::Waiting
        };
        let id = pair.id;
        self.pairs.push(pair);
        Some(id)
    }

    pub(crate) fn remove(&mut self, id: u64) {
        self.pairs.retain(|p| p.id != id);
        self.triggered.retain(|&t| t != id);
    }

    /// Queues a triggered check (no duplicates).
    pub(crate) fn trigger(&mut self, id: u64) {
        if !self.triggered.contains(&id) {
            self.triggered.push_back(id);
        }
    }

    /// Queues a triggered check ahead of the others (the nomination).
    pub(crate) fn trigger_first(&mut self, id: u64) {
        self.triggered.retain(|&t| t != id);
        self.triggered.push_front(id);
    }

    /// What the pacer would check next, without changing anything.
    pub(crate) fn peek(&self) -> Option<NextCheck> {
        if let Some(&id) = self.triggered.front() {
            return Some(NextCheck::Triggered(id));
        }
        let best = |state: PairState| {
            self.pairs
                .iter()
                .filter(move |p| p.state == state)
                .max_by_key(|p| p.priority)
        };
        if let Some(p) = best(PairState::Waiting) {
            return Some(NextCheck::Ordinary(p.id));
        }
        self.pairs
            .iter()
            .filter(|p| p.state == PairState::Frozen && !self.foundation_busy(&p.foundation))
            .max_by_key(|p| p.priority)
            .map(|p| NextCheck::Unfreeze(p.id))
    }

    /// Takes the next check off the queue (the pair is then the caller's to
    /// send).
    pub(crate) fn pop(&mut self) -> Option<NextCheck> {
        let next = self.peek()?;
        if let NextCheck::Triggered(_) = next {
            self.triggered.pop_front();
        }
        Some(next)
    }

    /// A check on a pair of `foundation` succeeded: its Frozen pairs become
    /// Waiting (RFC 8445 §7.2.5.3.3).
    pub(crate) fn unfreeze_foundation(&mut self, foundation: &(String, String)) {
        for p in &mut self.pairs {
            if p.state == PairState::Frozen && &p.foundation == foundation {
                p.state = PairState::Waiting;
            }
        }
    }

    /// The role changed: every pair priority is recomputed (§7.3.1.1).
    pub(crate) fn set_role(&mut self, controlling: bool) {
        for p in &mut self.pairs {
            p.recompute_priority(controlling);
        }
    }

    /// Whether checks are still to be run (or are running).
    pub(crate) fn is_running(&self) -> bool {
        !self.triggered.is_empty()
            || self.pairs.iter().any(|p| {
                matches!(
                    p.state,
                    PairState::Frozen | PairState::Waiting | PairState::InProgress
                )
            })
    }

    /// The highest-priority succeeded pair.
    pub(crate) fn best_valid(&self) -> Option<&Pair> {
        self.pairs
            .iter()
            .filter(|p| p.state == PairState::Succeeded)
            .max_by_key(|p| p.priority)
    }

    /// The highest-priority nominated pair.
    pub(crate) fn best_nominated(&self) -> Option<&Pair> {
        self.pairs
            .iter()
            .filter(|p| p.nominated)
            .max_by_key(|p| p.priority)
    }

    /// Whether a pair of higher priority than `priority` may still succeed.
    pub(crate) fn better_pending(&self, priority: u64) -> bool {
        self.pairs.iter().any(|p| {
            p.priority > priority
                && matches!(
                    p.state,
                    PairState::Frozen | PairState::Waiting | PairState::InProgress
                )
        })
    }

    /// A pair is nominated (RFC 8445 §8.1.2): Waiting and Frozen pairs go,
    /// and so do their triggered checks; In-Progress pairs of lower
    /// priority stop retransmitting (their ids are returned so the caller
    /// cancels the transactions).
    pub(crate) fn prune_after_nomination(&mut self, nominated_priority: u64) -> Vec<u64> {
        self.pairs
            .retain(|p| !matches!(p.state, PairState::Frozen | PairState::Waiting));
        let ids: Vec<u64> = self.pairs.iter().map(|p| p.id).collect();
        self.triggered.retain(|t| ids.contains(t));
        self.pairs
            .iter_mut()
            .filter(|p| p.state == PairState::InProgress && p.priority < nominated_priority)
            .map(|p| {
                p.state = PairState::Failed;
                p.id
            })
            .collect()
    }

    /// Whether every pair failed (and there is at least nothing left to do).
    pub(crate) fn all_failed(&self) -> bool {
        self.triggered.is_empty() && self.pairs.iter().all(|p| p.state == PairState::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::PairStats;

    fn pair(list: &mut CheckList, local: u16, remote: u16, prio: u64, f: &str) -> Pair {
        let id = list.next_id();
        Pair {
            id,
            local: 0,
            remote: 0,
            local_addr: SocketAddr::from(([10, 0, 0, 1], local)),
            remote_addr: SocketAddr::from(([10, 0, 0, 2], remote)),
            local_priority: 0,
            remote_priority: 0,
            priority: prio,
            foundation: (f.into(), "r".into()),
            state: PairState::Frozen,
            nominated: false,
            nominate_on_success: false,
            nominating: false,
            transaction: None,
            stats: PairStats::default(),
        }
    }

    #[test]
    fn foundations_freeze_and_unfreeze() {
        let mut l = CheckList::default();
        let p = pair(&mut l, 1, 1, 100, "a");
        let a1 = l.insert(p, 100).unwrap();
        let p = pair(&mut l, 1, 2, 90, "a");
        let a2 = l.insert(p, 100).unwrap();
        let p = pair(&mut l, 2, 1, 80, "b");
        let b1 = l.insert(p, 100).unwrap();
        assert_eq!(l.get(a1).unwrap().state, PairState::Waiting);
        assert_eq!(l.get(a2).unwrap().state, PairState::Frozen);
        assert_eq!(l.get(b1).unwrap().state, PairState::Waiting);
        assert_eq!(l.pop(), Some(NextCheck::Ordinary(a1)));
        l.get_mut(a1).unwrap().state = PairState::InProgress;
        assert_eq!(l.pop(), Some(NextCheck::Ordinary(b1)));
        l.get_mut(b1).unwrap().state = PairState::InProgress;
        // a2's foundation is busy: nothing to do until a1 resolves.
        assert_eq!(l.peek(), None);
        l.get_mut(a1).unwrap().state = PairState::Succeeded;
        l.unfreeze_foundation(&("a".into(), "r".into()));
        assert_eq!(l.peek(), Some(NextCheck::Ordinary(a2)));
        l.trigger(b1);
        l.trigger(b1);
        assert_eq!(l.pop(), Some(NextCheck::Triggered(b1)));
        assert_eq!(l.pop(), Some(NextCheck::Ordinary(a2)));
    }

    #[test]
    fn frozen_pairs_are_unfrozen_when_nothing_waits() {
        let mut l = CheckList::default();
        let p = pair(&mut l, 1, 1, 100, "a");
        let a1 = l.insert(p, 100).unwrap();
        let p = pair(&mut l, 1, 2, 90, "a");
        let a2 = l.insert(p, 100).unwrap();
        l.get_mut(a1).unwrap().state = PairState::Failed;
        assert_eq!(l.pop(), Some(NextCheck::Unfreeze(a2)));
    }

    #[test]
    fn bounded_and_deduplicated() {
        let mut l = CheckList::default();
        for i in 0..3 {
            let p = pair(&mut l, 1, i, u64::from(i) + 10, "a");
            l.insert(p, 3).unwrap();
        }
        let low = pair(&mut l, 9, 9, 1, "x");
        assert_eq!(l.insert(low, 3), None);
        let high = pair(&mut l, 9, 9, 100, "x");
        let h = l.insert(high, 3).unwrap();
        assert_eq!(l.pairs.len(), 3);
        assert!(l.pairs.iter().all(|p| p.priority != 10));
        let dup = pair(&mut l, 9, 9, 200, "x");
        assert_eq!(l.insert(dup, 3), Some(h));
        assert_eq!(l.get(h).unwrap().priority, 200);
    }

    #[test]
    fn nomination_prunes() {
        let mut l = CheckList::default();
        let ids: Vec<u64> = (0..4)
            .map(|i| {
                let p = pair(&mut l, 1, i, 100 - u64::from(i), &format!("f{i}"));
                l.insert(p, 10).unwrap()
            })
            .collect();
        l.get_mut(ids[0]).unwrap().state = PairState::Succeeded;
        l.get_mut(ids[1]).unwrap().state = PairState::InProgress;
        l.get_mut(ids[2]).unwrap().state = PairState::InProgress;
        l.trigger(ids[3]);
        let cancelled = l.prune_after_nomination(99);
        assert_eq!(cancelled, vec![ids[2]]);
        assert_eq!(l.pairs.len(), 3);
        assert!(l.triggered.is_empty());
        assert!(l.is_running(), "ids[1] still in progress");
    }
}
