//! An ordered map that keeps one entry inline before it needs a tree.
//!
//! In-order traffic has at most one message under reassembly at a time. A
//! `BTreeMap` allocates a node when its first entry goes in and frees it when
//! the last one leaves, which would cost an allocation per fragmented
//! message; the inline slot absorbs that case.

use std::collections::BTreeMap;

#[derive(Debug)]
pub(crate) struct SlotMap<K, V> {
    slot: Option<(K, V)>,
    rest: BTreeMap<K, V>,
}

impl<K: Ord, V> SlotMap<K, V> {
    pub(crate) fn new() -> Self {
        Self {
            slot: None,
            rest: BTreeMap::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        usize::from(self.slot.is_some()) + self.rest.len()
    }

    /// Inserts, returning the value that held `key` before, if any.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        if let Some((k, v)) = &mut self.slot
            && *k == key
        {
            return Some(std::mem::replace(v, value));
        }
        if self.slot.is_none() && !self.rest.contains_key(&key) {
            self.slot = Some((key, value));
            return None;
        }
        self.rest.insert(key, value)
    }

    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        if self.slot.as_ref().is_some_and(|(k, _)| k == key) {
            return self.slot.take().map(|(_, v)| v);
        }
        self.rest.remove(key)
    }

    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match &mut self.slot {
            Some((k, v)) if k == key => Some(v),
            _ => self.rest.get_mut(key),
        }
    }

    /// Removes every entry whose key is at most `bound`, handing each to `f`.
    pub(crate) fn remove_up_to(&mut self, bound: &K, mut f: impl FnMut(V)) {
        if self.slot.as_ref().is_some_and(|(k, _)| k <= bound)
            && let Some((_, v)) = self.slot.take()
        {
            f(v);
        }
        while let Some(entry) = self.rest.first_entry() {
            if entry.key() > bound {
                break;
            }
            f(entry.remove());
        }
    }

    /// Removes every entry for which `keep` is false, handing each to `f`.
    pub(crate) fn remove_if(
        &mut self,
        mut doomed: impl FnMut(&K, &V) -> bool,
        mut f: impl FnMut(V),
    ) {
        if self.slot.as_ref().is_some_and(|(k, v)| doomed(k, v))
            && let Some((_, v)) = self.slot.take()
        {
            f(v);
        }
        // Rare (forward TSN, stream reset): a linear pass is fine.
        let all = std::mem::take(&mut self.rest);
        for (k, v) in all {
            if doomed(&k, &v) {
                f(v);
            } else {
                self.rest.insert(k, v);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.slot.iter().map(|(_, v)| v).chain(self.rest.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_entry_lives_in_the_slot_and_keys_stay_unique() {
        let mut m = SlotMap::new();
        assert_eq!(m.insert(5, "a"), None);
        assert!(m.rest.is_empty(), "the first entry must not touch the tree");
        assert_eq!(m.insert(7, "b"), None);
        assert_eq!(m.insert(5, "c"), Some("a"));
        assert_eq!(m.insert(7, "d"), Some("b"));
        assert_eq!(m.len(), 2);
        assert_eq!(m.remove(&5), Some("c"));
        // The slot is free, but key 7 is in the tree: it must be replaced there.
        assert_eq!(m.insert(7, "e"), Some("d"));
        assert_eq!(m.len(), 1);
        assert_eq!(m.get_mut(&7).map(|v| *v), Some("e"));
        assert_eq!(m.remove(&7), Some("e"));
        assert_eq!(m.len(), 0);
    }

    #[test]
    fn range_and_predicate_removal() {
        let mut m = SlotMap::new();
        for k in [4, 1, 9, 6, 2] {
            m.insert(k, k * 10);
        }
        let mut gone = Vec::new();
        m.remove_up_to(&4, |v| gone.push(v));
        gone.sort_unstable();
        assert_eq!(gone, vec![10, 20, 40]);
        assert_eq!(m.len(), 2);
        gone.clear();
        m.remove_if(|k, _| *k == 9, |v| gone.push(v));
        assert_eq!(gone, vec![90]);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), vec![60]);
    }
}
