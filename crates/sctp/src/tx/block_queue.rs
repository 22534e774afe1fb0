//! A first-in first-out queue kept in blocks of at most [`BLOCK`] entries.
//!
//! A stream's queue of small messages can hold some 10,000 of them (1 MiB
//! buffered in 100-byte messages). In one `VecDeque` that is a ring of
//! 16,384 slots after its last doubling, over a third of it unused, and all
//! of it held until the queue drains. In blocks, the memory follows what is
//! queued to within one block, and a block is returned as soon as its last
//! entry leaves.

use std::collections::VecDeque;

/// Entries per block: with 56-byte messages a block is 3.5 KiB, small
/// beside a burst and one allocation per 64 messages queued.
const BLOCK: usize = 64;

/// A FIFO queue stored in blocks of at most [`BLOCK`] entries.
#[derive(Clone, Debug)]
pub(crate) struct BlockQueue<T> {
    /// Only the last block is not full, and only a sole block is empty
    /// (kept, so a queue that empties and refills does not allocate).
    blocks: VecDeque<VecDeque<T>>,
    len: usize,
}

impl<T> Default for BlockQueue<T> {
    fn default() -> Self {
        Self {
            blocks: VecDeque::new(),
            len: 0,
        }
    }
}

impl<T> BlockQueue<T> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries the blocks have room for without allocating.
    pub(crate) fn capacity(&self) -> usize {
        self.blocks.iter().map(VecDeque::capacity).sum()
    }

    pub(crate) fn push_back(&mut self, value: T) {
        match self.blocks.back_mut() {
            Some(block) if block.len() < BLOCK => block.push_back(value),
            last => {
                // The first block grows as a `VecDeque` does, so a queue
                // of one or two messages stays small; a second block means
                // a burst, and is made whole.
                let mut block = if last.is_none() {
                    VecDeque::new()
                } else {
                    VecDeque::with_capacity(BLOCK)
                };
                block.push_back(value);
                self.blocks.push_back(block);
            }
        }
        self.len += 1;
    }

    pub(crate) fn front(&self) -> Option<&T> {
        self.blocks.front()?.front()
    }

    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let block = self.blocks.front_mut()?;
        let value = block.pop_front()?;
        if block.is_empty() && self.blocks.len() > 1 {
            self.blocks.pop_front();
        }
        self.len -= 1;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queue of a few entries holds one small block, not a whole one.
    #[test]
    fn a_short_queue_stays_small() {
        let mut q = BlockQueue::default();
        q.push_back(1u64);
        q.push_back(2);
        assert!(q.capacity() < BLOCK);
        assert_eq!(q.pop_front(), Some(1));
        assert_eq!(q.front(), Some(&2));
    }

    /// A burst's memory is returned block by block as it drains.
    #[test]
    fn draining_returns_blocks() {
        let mut q = BlockQueue::default();
        for i in 0..10 * BLOCK {
            q.push_back(i);
        }
        assert!(q.capacity() <= 10 * BLOCK);
        for i in 0..5 * BLOCK {
            assert_eq!(q.pop_front(), Some(i));
        }
        assert!(q.capacity() <= 5 * BLOCK);
        while q.pop_front().is_some() {}
        assert_eq!(q.len(), 0);
        assert!(q.capacity() <= BLOCK, "only the last block is kept");
    }

    /// A queue that empties and refills keeps its block.
    #[test]
    fn an_emptied_queue_keeps_its_last_block() {
        let mut q = BlockQueue::default();
        q.push_back(1u8);
        q.pop_front();
        let capacity = q.capacity();
        assert!(capacity > 0);
        q.push_back(2);
        assert_eq!((q.capacity(), q.front()), (capacity, Some(&2)));
    }

    proptest::proptest! {
        /// Any sequence of pushes and pops gives what a `VecDeque` gives,
        /// and the memory held stays within one block of what is queued.
        #[test]
        fn behaves_as_a_vecdeque(ops in proptest::collection::vec(0u8..3, 0..2000)) {
            let mut q = BlockQueue::default();
            let mut model = VecDeque::new();
            for (i, op) in ops.into_iter().enumerate() {
                if op < 2 {
                    q.push_back(i);
                    model.push_back(i);
                } else {
                    proptest::prop_assert_eq!(q.pop_front(), model.pop_front());
                }
                proptest::prop_assert_eq!(q.len(), model.len());
                proptest::prop_assert_eq!(q.is_empty(), model.is_empty());
                proptest::prop_assert_eq!(q.front(), model.front());
                proptest::prop_assert!(q.capacity() < q.len() + 2 * BLOCK);
            }
        }
    }
}
