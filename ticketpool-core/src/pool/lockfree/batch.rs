//! Batches on the ring: a put or take of k items claims a run of k slots
//! with one CAS on `tail` or `head` instead of k, then fills or empties
//! them. The claim follows the single push and pop exactly (see `ring`): a
//! run is every slot from the index word whose stamp says "free for this
//! lap" (or "holds this lap's item"), so the one CAS that moves the word past
//! the run claims them all, as the single CAS claims one. A Regular's take
//! CAS still expects zero waiting VIPs in `head`, so the VIP rule holds for
//! batches exactly as for single takes.

use crate::pool::error::ReleaseError;
use crate::pool::lockfree::ring::{Pop, CLOSED, INDEX_BITS, INDEX_MASK};
use crate::pool::lockfree::LockFreePool;
use crate::pool::primitive::{Backoff, Ordering};
use crate::pool::Priority;

impl<T> LockFreePool<T> {
    /// Moves a run of items from the front of `items` (not empty) into the
    /// ring without waiting; returns how many. `Err(Full)` or `Err(Closed)`
    /// when none moved, every item still in `items`.
    pub(super) fn push_run(&self, items: &mut Vec<T>) -> Result<usize, ReleaseError<()>> {
        let want = items.len().min(self.capacity);
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & CLOSED != 0 {
                return Err(ReleaseError::Closed(()));
            }
            let (run, end) = self.run_from(tail, want, 0);
            if run == 0 {
                // Full, or the next slot is being read: the single push
                // tells which (and waits out the read).
                let item = items.remove(0);
                return match self.push(item) {
                    Ok(()) => Ok(1),
                    Err(err) => {
                        let kind = crate::pool::err_kind(&err);
                        items.insert(0, err.into_inner());
                        Err(kind)
                    }
                };
            }
            match self
                .tail
                .compare_exchange(tail, end, Ordering::SeqCst, Ordering::Relaxed)
            {
                Ok(_) => {
                    let mut index = tail;
                    for item in items.drain(..run) {
                        let slot = self.slot(index);
                        // SAFETY: our CAS moved `tail` past `index`, claiming
                        // it, and its stamp (acquired in `run_from`) said the
                        // last reader of this slot is done, so no other
                        // thread touches it until we publish the new stamp.
                        slot.value.with_mut(|value| unsafe { (*value).write(item) });
                        // Release: the consumer that acquires this stamp
                        // sees the written item.
                        slot.stamp.store(index + 1, Ordering::Release);
                        index = self.next_index(index);
                    }
                    return Ok(run);
                }
                Err(current) => {
                    tail = current;
                    backoff.spin();
                }
            }
        }
    }

    /// Takes a run of up to `max` (at least 1) items into `out` without
    /// waiting, as an unregistered consumer of `priority`; `Pop::Item(n)`
    /// with how many.
    pub(super) fn pop_run(&self, priority: Priority, max: usize, out: &mut Vec<T>) -> Pop<usize> {
        let want = max.min(self.capacity);
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if priority == Priority::Regular && head >> INDEX_BITS != 0 {
                return Pop::Gated;
            }
            let index = head & INDEX_MASK;
            let (run, end) = self.run_from(index, want, 1);
            if run == 0 {
                // Empty, or the next slot is being written: the single pop
                // tells which (and waits out the write).
                return match self.pop(priority, false) {
                    Pop::Item(item) => {
                        out.push(item);
                        Pop::Item(1)
                    }
                    Pop::Empty => Pop::Empty,
                    Pop::Closed => Pop::Closed,
                    Pop::Gated => Pop::Gated,
                };
            }
            // Any growing happens before the claim, never between a claim
            // and its stamps; sized to the run, so a caller's reused Vec
            // with room for its batch never allocates.
            out.reserve(run);
            // The VIP count is kept: only a registered VIP's own pop
            // deregisters it, and batches are never registered.
            let next = (head & !INDEX_MASK) | end;
            match self
                .head
                .compare_exchange(head, next, Ordering::SeqCst, Ordering::Relaxed)
            {
                Ok(_) => {
                    let mut index = index;
                    for _ in 0..run {
                        let slot = self.slot(index);
                        // SAFETY: our CAS moved `head` past `index`, claiming
                        // it, and its stamp (acquired in `run_from`) said its
                        // producer finished writing; no other thread reads
                        // this lap's item.
                        let item = slot
                            .value
                            .with_mut(|value| unsafe { (*value).assume_init_read() });
                        out.push(item);
                        // Release: the producer of the next lap acquires
                        // this stamp and may then overwrite the slot.
                        slot.stamp.store(
                            index.wrapping_add(self.one_lap) & INDEX_MASK,
                            Ordering::Release,
                        );
                        index = self.next_index(index);
                    }
                    return Pop::Item(run);
                }
                Err(current) => {
                    head = current;
                    backoff.spin();
                }
            }
        }
    }

    /// How many slots from `index` on (at most `want`) have the stamp
    /// `index + offset` (0: free for this lap's write; 1: holding this lap's
    /// item), and the index after them. Acquire: a slot found ready is ready
    /// for the thread whose CAS then claims it.
    fn run_from(&self, mut index: u64, want: usize, offset: u64) -> (usize, u64) {
        let mut run = 0;
        while run < want && self.slot(index).stamp.load(Ordering::Acquire) == index + offset {
            run += 1;
            index = self.next_index(index);
        }
        (run, index)
    }
}
