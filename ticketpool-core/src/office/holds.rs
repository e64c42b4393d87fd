//! The open holds of one office: the [`HoldTable`] and its entries.
//!
//! Every open hold lives in the office's table. Whoever removes a hold's
//! entry from the table (confirm, cancel, drop or the reaper) owns its
//! ticket and decides where it goes, so a ticket can never be both sold and
//! put back: the lock of the hold's table (one of a few, by hold id) is the
//! one arbiter.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::office::ticket::{HoldId, Money, Ticket};
use crossbeam_utils::CachePadded;

use crate::pool::primitive::{fence, AtomicUsize, Mutex, MutexGuard, Ordering};
use crate::pool::Priority;

/// An open hold's ticket and terms.
pub(crate) struct HoldEntry {
    pub(crate) id: HoldId,
    pub(crate) ticket: Ticket,
    pub(crate) type_index: usize,
    pub(crate) customer: Arc<str>,
    pub(crate) priority: Priority,
    pub(crate) price: Money,
    pub(crate) deadline: Instant,
    pub(crate) waited: Duration,
}

/// What a [`Hold`](crate::Hold) handle keeps of its entry: the terms fixed
/// when the hold was placed.
pub(crate) struct HoldTerms {
    pub(crate) id: HoldId,
    pub(crate) ticket: Ticket,
    pub(crate) price: Money,
    pub(crate) expires_at: SystemTime,
    pub(crate) deadline: Instant,
}

impl HoldEntry {
    /// The terms for the hold's handle; `expires_at` is the wall-clock
    /// twin of `deadline`.
    pub(crate) fn terms(&self, expires_at: SystemTime) -> HoldTerms {
        HoldTerms {
            id: self.id,
            ticket: self.ticket.clone(),
            price: self.price,
            expires_at,
            deadline: self.deadline,
        }
    }
}

#[derive(Default)]
struct Table {
    entries: HashMap<HoldId, HoldEntry>,
    deadlines: BTreeSet<(Instant, HoldId)>,
}

/// How many tables the holds are spread over, by id: consecutive holds
/// land in different tables, so buyers placing and settling holds at once
/// rarely meet on a lock.
const SHARDS: usize = 16;

/// The open holds of one office.
pub(crate) struct HoldTable {
    tables: Box<[CachePadded<Mutex<Table>>]>,
    /// Entries taken out but whose settling (and its events) is not done
    /// yet: until then something can still happen to the office. Raised
    /// under the table lock of the entry taken, so a reader that visits
    /// every table and then reads this never misses a hold in between.
    settling: CachePadded<AtomicUsize>,
}

// Written out rather than derived: the loom shim's `Mutex` has no `Default`.
impl Default for HoldTable {
    fn default() -> Self {
        Self {
            tables: (0..SHARDS)
                .map(|_| CachePadded::new(Mutex::new(Table::default())))
                .collect(),
            settling: CachePadded::new(AtomicUsize::new(0)),
        }
    }
}

impl HoldTable {
    fn table(&self, id: HoldId) -> MutexGuard<'_, Table> {
        self.tables[id.0 as usize % SHARDS].lock()
    }

    pub(crate) fn insert(&self, entry: HoldEntry) {
        let mut table = self.table(entry.id);
        table.deadlines.insert((entry.deadline, entry.id));
        table.entries.insert(entry.id, entry);
    }

    /// Removes the hold, giving its entry to the caller, who now owns the
    /// ticket; `None` if someone else settled it first.
    pub(crate) fn take(&self, id: HoldId) -> Option<HoldEntry> {
        let mut table = self.table(id);
        let entry = table.entries.remove(&id)?;
        table.deadlines.remove(&(entry.deadline, id));
        self.settling.fetch_add(1, Ordering::SeqCst);
        Some(entry)
    }

    /// Marks one taken entry as settled, its events published.
    ///
    /// The caller then loads the office's `closed` gauge, which `close`
    /// stores (`SeqCst`) before it reads [`unsettled`](Self::unsettled):
    /// the fence orders this decrement before that load, so at least one
    /// of the two sees the other and the event streams end.
    pub(crate) fn settled(&self) {
        let _ = self
            .settling
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        fence(Ordering::SeqCst);
    }

    /// Holds open or being settled: `0` means no hold event can follow.
    pub(crate) fn unsettled(&self) -> usize {
        let open: usize = self.tables.iter().map(|t| t.lock().entries.len()).sum();
        open + self.settling.load(Ordering::SeqCst)
    }

    /// Removes every hold whose deadline is at or before `now`.
    pub(crate) fn take_expired(&self, now: Instant) -> Vec<HoldEntry> {
        let mut expired = Vec::new();
        for table in self.tables.iter() {
            let mut table = table.lock();
            let before = expired.len();
            while let Some(&(deadline, id)) = table.deadlines.first() {
                if deadline > now {
                    break;
                }
                table.deadlines.pop_first();
                expired.extend(table.entries.remove(&id));
            }
            self.settling
                .fetch_add(expired.len() - before, Ordering::SeqCst);
        }
        expired
    }

    /// The earliest deadline of any open hold.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.tables
            .iter()
            .filter_map(|table| {
                table
                    .lock()
                    .deadlines
                    .first()
                    .map(|&(deadline, _)| deadline)
            })
            .min()
    }

    pub(crate) fn len(&self) -> usize {
        self.tables.iter().map(|t| t.lock().entries.len()).sum()
    }
}
