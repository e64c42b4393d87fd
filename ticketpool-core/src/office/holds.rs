//! The open holds of one office: the [`HoldTable`] and its entries.
//!
//! Every open hold lives in the office's table. Whoever removes a hold's
//! entry from the table (confirm, cancel, drop or the reaper) owns its
//! ticket and decides where it goes, so a ticket can never be both sold and
//! put back: the table's mutex is the one arbiter.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::office::ticket::{HoldId, Money, Ticket};
use crate::pool::primitive::Mutex;
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
    /// Entries taken out but whose settling (and its events) is not done
    /// yet: until then something can still happen to the office.
    settling: usize,
}

/// The open holds of one office.
pub(crate) struct HoldTable {
    table: Mutex<Table>,
}

// Written out rather than derived: the loom shim's `Mutex` has no `Default`.
impl Default for HoldTable {
    fn default() -> Self {
        Self {
            table: Mutex::new(Table::default()),
        }
    }
}

impl HoldTable {
    pub(crate) fn insert(&self, entry: HoldEntry) {
        let mut table = self.table.lock();
        table.deadlines.insert((entry.deadline, entry.id));
        table.entries.insert(entry.id, entry);
    }

    /// Removes the hold, giving its entry to the caller, who now owns the
    /// ticket; `None` if someone else settled it first.
    pub(crate) fn take(&self, id: HoldId) -> Option<HoldEntry> {
        let mut table = self.table.lock();
        let entry = table.entries.remove(&id)?;
        table.deadlines.remove(&(entry.deadline, id));
        table.settling += 1;
        Some(entry)
    }

    /// Marks one taken entry as settled, its events published.
    pub(crate) fn settled(&self) {
        let mut table = self.table.lock();
        table.settling = table.settling.saturating_sub(1);
    }

    /// Holds open or being settled: `0` means no hold event can follow.
    pub(crate) fn unsettled(&self) -> usize {
        let table = self.table.lock();
        table.entries.len() + table.settling
    }

    /// Removes every hold whose deadline is at or before `now`.
    pub(crate) fn take_expired(&self, now: Instant) -> Vec<HoldEntry> {
        let mut table = self.table.lock();
        let mut expired = Vec::new();
        while let Some(&(deadline, id)) = table.deadlines.first() {
            if deadline > now {
                break;
            }
            table.deadlines.pop_first();
            expired.extend(table.entries.remove(&id));
        }
        table.settling += expired.len();
        expired
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.table
            .lock()
            .deadlines
            .first()
            .map(|&(deadline, _)| deadline)
    }

    pub(crate) fn len(&self) -> usize {
        self.table.lock().entries.len()
    }
}
