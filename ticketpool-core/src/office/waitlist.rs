//! The async part of the office's line: buyers that wait as futures.
//!
//! # Design
//!
//! A future cannot park a thread, so it waits here, in the office's one
//! [`Line`](crate::office::line::Line), whatever the number of ticket
//! types: in a single-type office too (whose blocking buyers wait inside
//! the pool). The entries are kept in two queues, VIPs then Regulars, each
//! in arrival order; an entry's place in line is its index (VIPs first),
//! found by binary search on its arrival number.
//!
//! Tickets reach async waiters by hand-off: a restock first looks here (one
//! atomic load when nobody waits) and gives the ticket to the first entry
//! whose want covers its type, VIPs first, and to a Regular only when no
//! blocking VIP is owed that type. The ticket goes into the entry's slot,
//! and its waker is woken; it never reaches the pool, so neither a blocking
//! Regular (in the line or in a pool) nor a later buyer can take it. Only
//! when no entry can have it does it go into the pool.
//!
//! Async waiters are also counted in the line's VIP/Regular/waiter counts,
//! so blocking Regulars of several-type offices defer to async VIPs, and a
//! put that raced a registration (the ticket went into the pool while the
//! entry was being added) still wakes it: the entry registers, fences and
//! tries the pools, the put fences and reads the waiter count, as for
//! blocking waiters. Such a wake reaches only the *front* of the queue: the
//! entries no earlier entry with an overlapping want stands before. An
//! entry only tries the pools itself while it is in front, so within a
//! priority it is first come first served.
//!
//! Several tickets (a waiting reserve of N): an entry keeps its place
//! until it holds all N. Tickets handed to it, or taken by it while in
//! front, are kept in its slot, off sale, and it stays first in line for
//! the rest (so a later, smaller want never jumps it); it is served, and
//! leaves the queue, when its N-th ticket comes. A VIP arriving meanwhile
//! goes before it for the tickets still to come, not for those it keeps.
//!
//! Cancel safety: dropping an entry removes it (and its counts) under the
//! queue's lock; the tickets already handed to it are returned to the
//! caller, who restocks them (so they go to the next waiters). Leaving
//! wakes the new front.

use std::collections::{HashMap, VecDeque};
use std::task::Waker;

use crate::pool::primitive::{AtomicU64, Mutex, MutexGuard, Ordering};
use crate::pool::Priority;

/// One async waiter.
struct Entry {
    seq: u64,
    target: Option<usize>,
    waker: Waker,
    /// Tickets it still needs (at least 1 while queued).
    need: usize,
}

impl Entry {
    fn wants(&self, ty: usize) -> bool {
        match self.target {
            None => true,
            Some(t) => t == ty,
        }
    }
}

/// The queues under the waitlist's lock.
pub(crate) struct Queue<T> {
    next_seq: u64,
    vips: VecDeque<Entry>,
    regulars: VecDeque<Entry>,
    /// Tickets handed to (or kept by) entries that have not picked them
    /// up yet, by arrival number, each with its type.
    handed: HashMap<u64, Vec<(T, usize)>>,
}

impl<T> Queue<T> {
    fn of(&mut self, priority: Priority) -> &mut VecDeque<Entry> {
        match priority {
            Priority::Vip => &mut self.vips,
            Priority::Regular => &mut self.regulars,
        }
    }

    fn index_of(queue: &VecDeque<Entry>, seq: u64) -> Option<usize> {
        queue.binary_search_by_key(&seq, |e| e.seq).ok()
    }

    /// Entries in line order, VIPs first.
    fn in_order(&self) -> impl Iterator<Item = &Entry> {
        self.vips.iter().chain(self.regulars.iter())
    }
}

/// Which types the entries seen so far stand before, while walking the
/// queue from its front.
struct Blocked {
    any: bool,
    types: Vec<bool>,
}

impl Blocked {
    fn new(types: usize) -> Self {
        Self {
            any: false,
            types: vec![false; types],
        }
    }

    /// `true` if `entry` could take a ticket no entry before it wants.
    fn lets_through(&self, entry: &Entry) -> bool {
        !self.any
            && match entry.target {
                None => self.types.iter().any(|b| !b),
                Some(ty) => !self.types[ty],
            }
    }

    fn add(&mut self, entry: &Entry) {
        match entry.target {
            None => self.any = true,
            Some(ty) => self.types[ty] = true,
        }
    }
}

/// What became of a ticket an entry took from the pools itself.
pub(crate) enum Kept<T> {
    /// Kept in its slot; it needs more.
    More,
    /// Its last one: the entry left the queue with all its tickets (its
    /// counts are the caller's to drop).
    Complete(Vec<(T, usize)>),
    /// Not needed (the entry was completed, or left, meanwhile): the
    /// ticket back, for the caller to restock.
    Extra(T, usize),
}

/// Async waiters of one office, in line order.
pub(crate) struct Waitlist<T> {
    types: usize,
    /// Entries registered: what a restock reads before taking the lock.
    len: AtomicU64,
    queue: Mutex<Queue<T>>,
}

impl<T> Waitlist<T> {
    pub(crate) fn new(types: usize) -> Self {
        Self {
            types,
            len: AtomicU64::new(0),
            queue: Mutex::new(Queue {
                next_seq: 0,
                vips: VecDeque::new(),
                regulars: VecDeque::new(),
                handed: HashMap::new(),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        self.queue.lock()
    }

    /// `true` if an async waiter may be registered (a hint: exact under
    /// the lock).
    pub(crate) fn is_empty(&self) -> bool {
        self.len.load(Ordering::SeqCst) == 0
    }

    /// Entries registered now.
    pub(crate) fn len(&self) -> u64 {
        self.len.load(Ordering::SeqCst)
    }

    /// Adds a waiter at the back of its priority's queue, needing `need`
    /// tickets more than the `kept` ones it already took; returns its
    /// arrival number.
    pub(crate) fn push(
        &self,
        queue: &mut Queue<T>,
        priority: Priority,
        target: Option<usize>,
        waker: Waker,
        (need, kept): (usize, Vec<(T, usize)>),
    ) -> u64 {
        debug_assert!(need > 0, "a waiter in line needs a ticket");
        let seq = queue.next_seq;
        queue.next_seq += 1;
        queue.of(priority).push_back(Entry {
            seq,
            target,
            waker,
            need,
        });
        if !kept.is_empty() {
            queue.handed.insert(seq, kept);
        }
        self.len.fetch_add(1, Ordering::SeqCst);
        seq
    }

    /// Removes a waiter still in the queue; `true` if it was there.
    pub(crate) fn remove(&self, queue: &mut Queue<T>, priority: Priority, seq: u64) -> bool {
        let entries = queue.of(priority);
        match Queue::<T>::index_of(entries, seq) {
            Some(i) => {
                entries.remove(i);
                self.len.fetch_sub(1, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// Every ticket handed to (or kept by) waiter `seq`, served or not.
    pub(crate) fn take_handed(&self, queue: &mut Queue<T>, seq: u64) -> Vec<(T, usize)> {
        queue.handed.remove(&seq).unwrap_or_default()
    }

    /// Waiter `seq`'s tickets once it is served (out of the queue with
    /// all it needs); `None` while it waits for more.
    pub(crate) fn served(
        &self,
        queue: &mut Queue<T>,
        priority: Priority,
        seq: u64,
    ) -> Option<Vec<(T, usize)>> {
        if Queue::<T>::index_of(queue.of(priority), seq).is_some() {
            return None;
        }
        queue.handed.remove(&seq)
    }

    /// Keeps a ticket waiter `seq` took from the pools itself (see
    /// [`Kept`]).
    pub(crate) fn keep(
        &self,
        queue: &mut Queue<T>,
        priority: Priority,
        seq: u64,
        (ticket, ty): (T, usize),
    ) -> Kept<T> {
        let entries = queue.of(priority);
        let Some(i) = Queue::<T>::index_of(entries, seq) else {
            return Kept::Extra(ticket, ty);
        };
        entries[i].need -= 1;
        let complete = entries[i].need == 0;
        if complete {
            entries.remove(i);
            self.len.fetch_sub(1, Ordering::SeqCst);
        }
        let mut kept = self.take_handed(queue, seq);
        kept.push((ticket, ty));
        if complete {
            Kept::Complete(kept)
        } else {
            queue.handed.insert(seq, kept);
            Kept::More
        }
    }

    /// Replaces the waker of waiter `seq` (if still queued).
    pub(crate) fn set_waker(&self, queue: &mut Queue<T>, priority: Priority, seq: u64, w: &Waker) {
        let entries = queue.of(priority);
        if let Some(i) = Queue::<T>::index_of(entries, seq) {
            if !entries[i].waker.will_wake(w) {
                entries[i].waker = w.clone();
            }
        }
    }

    /// 1-based place of waiter `seq` in line (VIPs first, then arrival),
    /// or `None` if it is not waiting.
    pub(crate) fn position(&self, priority: Priority, seq: u64) -> Option<usize> {
        let queue = self.lock();
        match priority {
            Priority::Vip => Queue::<T>::index_of(&queue.vips, seq).map(|i| i + 1),
            Priority::Regular => {
                Queue::<T>::index_of(&queue.regulars, seq).map(|i| queue.vips.len() + i + 1)
            }
        }
    }

    /// `true` if no earlier waiter stands before waiter `seq` for every
    /// type it wants: it may try the pools itself.
    pub(crate) fn in_front(&self, queue: &Queue<T>, seq: u64) -> bool {
        let mut blocked = Blocked::new(self.types);
        for entry in queue.in_order() {
            if entry.seq == seq {
                return blocked.lets_through(entry);
            }
            blocked.add(entry);
            if blocked.any {
                return false;
            }
        }
        false
    }

    /// Gives `ticket` of type `ty` to the first waiter that wants it, VIPs
    /// first; a Regular only when `vip_owed(ty)` (a blocking VIP waits for
    /// it) is false. When that was the last ticket the waiter needed,
    /// returns its priority and want (its counts are the caller's to drop)
    /// and its waker to wake once the lock is let go; `None` when it waits
    /// on for more (it keeps the ticket and its place). Returns the ticket
    /// back when nobody may have it.
    #[allow(clippy::type_complexity)]
    pub(crate) fn hand_off(
        &self,
        queue: &mut Queue<T>,
        ticket: T,
        ty: usize,
        vip_owed: impl FnOnce(usize) -> bool,
    ) -> Result<Option<(Priority, Option<usize>, Waker)>, T> {
        let mut found = queue
            .vips
            .iter()
            .position(|e| e.wants(ty))
            .map(|i| (Priority::Vip, i));
        if found.is_none() && !vip_owed(ty) {
            found = queue
                .regulars
                .iter()
                .position(|e| e.wants(ty))
                .map(|i| (Priority::Regular, i));
        }
        let Some((priority, i)) = found else {
            return Err(ticket);
        };
        let entries = queue.of(priority);
        entries[i].need -= 1;
        let seq = entries[i].seq;
        let served = (entries[i].need == 0).then(|| entries.remove(i).expect("index just found"));
        queue.handed.entry(seq).or_default().push((ticket, ty));
        let Some(entry) = served else {
            return Ok(None);
        };
        self.len.fetch_sub(1, Ordering::SeqCst);
        Ok(Some((priority, entry.target, entry.waker)))
    }

    /// The wakers of the entries in front (see [`in_front`](Self::in_front)).
    pub(crate) fn front(&self) -> Vec<Waker> {
        if self.is_empty() {
            return Vec::new();
        }
        let queue = self.lock();
        let mut blocked = Blocked::new(self.types);
        let mut wakers = Vec::new();
        for entry in queue.in_order() {
            if blocked.lets_through(entry) {
                wakers.push(entry.waker.clone());
            }
            blocked.add(entry);
            if blocked.any {
                break;
            }
        }
        wakers
    }

    /// The wakers of every entry (close, sold out).
    pub(crate) fn everyone(&self) -> Vec<Waker> {
        if self.is_empty() {
            return Vec::new();
        }
        let queue = self.lock();
        queue.in_order().map(|e| e.waker.clone()).collect()
    }
}
