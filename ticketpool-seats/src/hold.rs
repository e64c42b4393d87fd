//! Holds on seats: who holds which seats, until when, at what price.
//!
//! The seats themselves are claimed in the bitmaps (`row_bits.rs`); this
//! registry only records the holds, in shards under short locks. Taking a
//! hold's record out of its shard is what decides who ends it: release,
//! confirm and reap each remove the record first and only the one that
//! got it touches the seats, so a hold ends exactly once.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Instant;

use ticketpool_core::Money;

use crate::map::SeatId;
use crate::prices::SeatPrices;
use crate::primitive::{AtomicU64, Mutex, Ordering};
use crate::row_bits::Mask;

/// Names one hold of a seating; never reused by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HoldId(pub u64);

/// Seats held for a buyer: theirs until `expires_at`, at `price` (the
/// tiers' prices when the hold was made, whatever they are later).
#[derive(Debug, Clone, PartialEq)]
pub struct SeatHold {
    /// The hold's id, for [`confirm`](crate::Seating::confirm) and
    /// [`release_hold`](crate::Seating::release_hold).
    pub id: HoldId,
    /// The seats, in the order asked (best-available: left to right).
    pub seats: Vec<SeatId>,
    /// The price of all of them, fixed when held: the sum of `prices`.
    pub price: Money,
    /// Each seat's price, in the order of `seats`, fixed when held (its
    /// tier's price then, whatever it is later).
    pub prices: SeatPrices,
    /// When the hold lapses and its seats become available again.
    pub expires_at: Instant,
}

/// A confirmed hold: the seats are sold.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatSale {
    /// The hold it was.
    pub hold: HoldId,
    /// The seats sold.
    pub seats: Vec<SeatId>,
    /// The price paid: the hold's.
    pub price: Money,
    /// Each seat's price, in the order of `seats`: the hold's.
    pub prices: SeatPrices,
}

/// A hold as recorded: its seats as bitmap masks too, to give them back.
pub(crate) struct Record {
    pub(crate) seats: Vec<SeatId>,
    pub(crate) masks: Vec<Mask>,
    pub(crate) price: Money,
    pub(crate) prices: SeatPrices,
    pub(crate) expires_at: Instant,
}

const SHARDS: usize = 16;

/// Hold ids are a counter, not attacker-chosen keys: a multiply spreads
/// them well enough, and costs far less than SipHash on every hold.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, id: u64) {
        // The high bits of the product are the mixed ones; the table
        // indexes by the low ones (and the shard took `id % 16`).
        self.0 = id.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_right(32);
    }
}

type Shard = HashMap<u64, Record, BuildHasherDefault<IdHasher>>;

pub(crate) struct Holds {
    next: AtomicU64,
    shards: Box<[Mutex<Shard>]>,
}

impl Holds {
    pub(crate) fn new() -> Self {
        Self {
            next: AtomicU64::new(1),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    fn shard(&self, id: u64) -> &Mutex<Shard> {
        &self.shards[id as usize % SHARDS]
    }

    /// Records a hold of seats already claimed; returns its id.
    pub(crate) fn insert(&self, record: Record) -> HoldId {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.shard(id).lock().insert(id, record);
        HoldId(id)
    }

    /// Takes the hold's record out: the caller now ends it.
    pub(crate) fn take(&self, id: HoldId) -> Option<Record> {
        self.shard(id.0).lock().remove(&id.0)
    }

    /// Takes out every hold that expired at or before `now`.
    pub(crate) fn take_expired(&self, now: Instant) -> Vec<Record> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let mut shard = shard.lock();
            let expired: Vec<u64> = shard
                .iter()
                .filter(|(_, r)| r.expires_at <= now)
                .map(|(&id, _)| id)
                .collect();
            out.extend(expired.into_iter().filter_map(|id| shard.remove(&id)));
        }
        out
    }

    /// How many holds are current (not yet released, confirmed or reaped).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }
}
