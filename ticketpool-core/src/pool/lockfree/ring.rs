//! The ring: a bounded array of slots with per-slot stamps (Vyukov's MPMC
//! queue, as in crossbeam's `ArrayQueue`), and the one-CAS push and pop the
//! pool's fast paths are made of. Nothing here waits.
//!
//! # Layout of the two index words
//!
//! * `tail`: bit 63 is the closed mark; bits 0..48 are the next index to
//!   write. Keeping the mark in the word producers CAS means no push can
//!   slip in after `close`, so nothing is stranded in a closed pool.
//! * `head`: bits 48..64 count registered waiting VIPs; bits 0..48 are the
//!   next index to read. A Regular consumer pops only with a CAS that also
//!   sees zero VIPs, so "a Regular never takes an item while a VIP that
//!   started waiting before it was released is still waiting" is atomic, not
//!   a check-then-act race. A waiting VIP pops and deregisters in one CAS.
//!
//! An index is `lap | position`, with `lap` a multiple of `one_lap` (the
//! next power of two above the capacity); all index arithmetic wraps at
//! 2^48. A slot's stamp is the index it expects next: `index` when free for
//! that lap's write, `index + 1` when it holds that lap's item.

use std::mem::MaybeUninit;

use crate::pool::error::{ReleaseError, TakeError};
use crate::pool::lockfree::LockFreePool;
use crate::pool::primitive::{fence, load_latest, AtomicU64, Backoff, Ordering, UnsafeCell};
use crate::pool::Priority;

pub(super) const INDEX_BITS: u32 = 48;
pub(super) const INDEX_MASK: u64 = (1 << INDEX_BITS) - 1;
pub(super) const VIP_ONE: u64 = 1 << INDEX_BITS;
pub(super) const VIP_MAX: u64 = (1 << (64 - INDEX_BITS)) - 1;
pub(super) const CLOSED: u64 = 1 << 63;
/// The largest capacity: `one_lap` must leave room for laps in 48 bits.
pub(super) const MAX_CAPACITY: usize = 1 << 32;

pub(super) struct Slot<T> {
    pub(super) stamp: AtomicU64,
    pub(super) value: UnsafeCell<MaybeUninit<T>>,
}

/// What a single pop attempt found.
pub(super) enum Pop<T> {
    Item(T),
    Empty,
    Closed,
    /// A Regular consumer found VIPs waiting; it must wait too.
    Gated,
}

impl<T> LockFreePool<T> {
    pub(super) fn slot(&self, index: u64) -> &Slot<T> {
        &self.slots[(index & (self.one_lap - 1)) as usize]
    }

    /// The index after `index`, skipping the unused positions of a lap.
    pub(super) fn next_index(&self, index: u64) -> u64 {
        let position = index & (self.one_lap - 1);
        if position + 1 < self.capacity as u64 {
            index + 1
        } else {
            (index & !(self.one_lap - 1)).wrapping_add(self.one_lap) & INDEX_MASK
        }
    }

    /// How many items an index stands for since construction (mod 2^48 laps).
    pub(super) fn count_of(&self, index: u64) -> u64 {
        (index / self.one_lap) * self.capacity as u64 + (index & (self.one_lap - 1))
    }

    pub(super) fn push(&self, item: T) -> Result<(), ReleaseError<T>> {
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & CLOSED != 0 {
                return Err(ReleaseError::Closed(item));
            }
            let slot = self.slot(tail);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == tail {
                let next = self.next_index(tail);
                match self
                    .tail
                    .compare_exchange(tail, next, Ordering::SeqCst, Ordering::Relaxed)
                {
                    Ok(_) => {
                        // SAFETY: our CAS claimed index `tail`, and the stamp
                        // (acquired above) says the last reader of this slot
                        // is done, so no other thread touches it until we
                        // publish the new stamp.
                        slot.value.with_mut(|value| unsafe { (*value).write(item) });
                        // Release: the consumer that acquires this stamp sees
                        // the written item.
                        slot.stamp.store(tail + 1, Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => {
                        tail = current;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) & INDEX_MASK == tail + 1 {
                // The slot still holds the previous lap's item: full, unless
                // a consumer moved head meanwhile.
                fence(Ordering::SeqCst);
                let head = load_latest(&self.head) & INDEX_MASK;
                if head.wrapping_add(self.one_lap) & INDEX_MASK == tail {
                    return Err(ReleaseError::Full(item));
                }
                // A consumer claimed the slot but has not let it go: on an
                // oversubscribed machine it may be preempted, so spin a
                // little, then yield to it rather than burn our time slice.
                backoff.snooze();
                tail = load_latest(&self.tail);
            } else {
                // Another producer claimed the index but has not written yet.
                backoff.snooze();
                tail = load_latest(&self.tail);
            }
        }
    }

    /// A push that hands the item back (`Err`) only when the ring is full:
    /// the one outcome a waiting producer retries. Anything else is final.
    pub(super) fn push_unless_full(&self, item: T) -> Result<Result<(), ReleaseError<T>>, T> {
        match self.push(item) {
            Err(ReleaseError::Full(back)) => Err(back),
            done => Ok(done),
        }
    }

    /// One pop attempt. `registered` means the caller is a VIP counted in
    /// `head`; its pop deregisters it in the same CAS.
    pub(super) fn pop(&self, priority: Priority, registered: bool) -> Pop<T> {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if priority == Priority::Regular && head >> INDEX_BITS != 0 {
                return Pop::Gated;
            }
            let index = head & INDEX_MASK;
            let slot = self.slot(index);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == index + 1 {
                let vips = if registered {
                    (head & !INDEX_MASK) - VIP_ONE
                } else {
                    head & !INDEX_MASK
                };
                let next = vips | self.next_index(index);
                match self
                    .head
                    .compare_exchange(head, next, Ordering::SeqCst, Ordering::Relaxed)
                {
                    Ok(_) => {
                        // SAFETY: our CAS claimed index `index`, and the
                        // stamp (acquired above) says its producer finished
                        // writing; no other thread reads this lap's item.
                        let item = slot
                            .value
                            .with_mut(|value| unsafe { (*value).assume_init_read() });
                        // Release: the producer of the next lap acquires this
                        // stamp and may then overwrite the slot.
                        slot.stamp.store(
                            index.wrapping_add(self.one_lap) & INDEX_MASK,
                            Ordering::Release,
                        );
                        return Pop::Item(item);
                    }
                    Err(current) => {
                        head = current;
                        backoff.spin();
                    }
                }
            } else if stamp == index {
                fence(Ordering::SeqCst);
                let tail = load_latest(&self.tail);
                if tail & INDEX_MASK == index {
                    return if tail & CLOSED != 0 {
                        Pop::Closed
                    } else {
                        Pop::Empty
                    };
                }
                // A producer claimed the slot but has not written it yet
                // (it may be preempted): spin a little, then yield to it.
                backoff.snooze();
                head = load_latest(&self.head);
            } else {
                backoff.snooze();
                head = load_latest(&self.head);
            }
        }
    }

    /// A pop whose only retryable outcome (`Err`) is "nothing for this
    /// consumer yet" (empty, or a Regular gated by waiting VIPs).
    pub(super) fn pop_unless_empty(
        &self,
        priority: Priority,
        registered: bool,
    ) -> Result<Result<T, TakeError>, ()> {
        match self.pop(priority, registered) {
            Pop::Item(item) => Ok(Ok(item)),
            Pop::Closed => Ok(Err(TakeError::Closed)),
            Pop::Empty | Pop::Gated => Err(()),
        }
    }

    /// The number of items, from a consistent (head, tail) pair.
    pub(super) fn len_now(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst) & INDEX_MASK;
            let head = self.head.load(Ordering::SeqCst) & INDEX_MASK;
            // A consistent pair: tail did not move while head was read.
            if self.tail.load(Ordering::SeqCst) & INDEX_MASK == tail {
                let head_pos = (head & (self.one_lap - 1)) as usize;
                let tail_pos = (tail & (self.one_lap - 1)) as usize;
                return if head_pos < tail_pos {
                    tail_pos - head_pos
                } else if head_pos > tail_pos {
                    self.capacity - head_pos + tail_pos
                } else if tail == head {
                    0
                } else {
                    self.capacity
                };
            }
        }
    }

    pub(super) fn ring_is_empty(&self) -> bool {
        self.head.load(Ordering::SeqCst) & INDEX_MASK
            == self.tail.load(Ordering::SeqCst) & INDEX_MASK
    }

    /// Counts this VIP in `head`, so Regulars stop taking; `false` if the
    /// count is at its maximum.
    pub(super) fn register_vip(&self) -> bool {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if head >> INDEX_BITS == VIP_MAX {
                return false;
            }
            match self.head.compare_exchange(
                head,
                head + VIP_ONE,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(current) => head = current,
            }
        }
    }
}
