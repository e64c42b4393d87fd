//! The office's ticket counts and sales, sharded so that selling threads do
//! not queue behind one lock.
//!
//! Each thread writes to one of a few [`Shard`]s (threads take shards in
//! turn as they first write, so a thread keeps its shard and its cache
//! lines, and threads that start together do not share one). A
//! ticket movement (released, held, sold, back on sale) updates every set
//! of counts it is in, in its shard, in one short critical section; a sale
//! is appended to the shard's log in that same section, with a sequence
//! number taken there. So each movement is atomic, and a reader that holds
//! every shard lock at once (taken in order) sees a set of whole movements:
//! every snapshot satisfies `released == available + held + sold`, overall,
//! per type and per vendor, and its sold count is the log's length.
//!
//! A shard's counts are deltas: a ticket released in one shard may sell in
//! another, so one shard's `available` can go "below zero". They are kept
//! as wrapping `u64`s, whose sum over every shard is the true count.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossbeam_utils::CachePadded;

use crate::office::name::Name;
use crate::office::snapshot::TicketCounts;
use crate::office::ticket::{HoldId, Money, Sale, Ticket, TicketId};
use crate::pool::primitive::{AtomicU64, Mutex, MutexGuard, Ordering};
use crate::pool::Priority;

/// The movements of one ticket, applied to each set of counts it is in;
/// wrapping, as a shard holds deltas (see the module docs).
impl TicketCounts {
    pub(crate) fn release(&mut self) {
        self.released = self.released.wrapping_add(1);
        self.available = self.available.wrapping_add(1);
    }

    pub(crate) fn hold(&mut self) {
        self.available = self.available.wrapping_sub(1);
        self.held = self.held.wrapping_add(1);
    }

    pub(crate) fn unhold(&mut self) {
        self.held = self.held.wrapping_sub(1);
        self.available = self.available.wrapping_add(1);
    }

    pub(crate) fn sell(&mut self, held: bool) {
        if held {
            self.held = self.held.wrapping_sub(1);
        } else {
            self.available = self.available.wrapping_sub(1);
        }
        self.sold = self.sold.wrapping_add(1);
    }

    fn add(&mut self, other: &TicketCounts) {
        self.released = self.released.wrapping_add(other.released);
        self.available = self.available.wrapping_add(other.available);
        self.held = self.held.wrapping_add(other.held);
        self.sold = self.sold.wrapping_add(other.sold);
    }
}

/// FNV-1a over a vendor name's few bytes: cheaper than the standard
/// library's SipHash for keys this short.
struct NameHasher(u64);

impl Default for NameHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// Per-vendor counts keyed by the vendor's name. A ticket carries its
/// names inline (see [`Name`]), so the key is read from the ticket itself
/// and no refcount is touched. Padded, as `Shard::by_type` is.
type ByVendor = HashMap<Name, CachePadded<TicketCounts>, BuildHasherDefault<NameHasher>>;

/// One shard: counts and the sales logged through it.
struct Shard {
    /// Padded: the shards' small count arrays were allocated side by side,
    /// so threads writing their own shards shared cache lines (false
    /// sharing, a fifth of a sale's time in the 2x2 bench's profile).
    by_type: Box<[CachePadded<TicketCounts>]>,
    by_vendor: ByVendor,
    revenue: Money,
    /// Sales logged through this shard, in increasing sequence order.
    sales: Vec<Logged>,
}

/// A sale as the log keeps it until a reader asks: the ticket's type as an
/// index into the ledger's names.
struct Logged {
    seq: u64,
    ty: u32,
    vendor: Name,
    ticket: TicketId,
    base_price: Money,
    released_at: SystemTime,
    customer: Arc<str>,
    priority: Priority,
    price: Money,
    sold_at: SystemTime,
    waited: Duration,
    hold: Option<HoldId>,
}

impl Shard {
    /// Applies a movement to its type's and its vendor's counts.
    fn apply(&mut self, ty: usize, vendor: &Name, f: impl Fn(&mut TicketCounts)) {
        f(&mut self.by_type[ty]);
        match self.by_vendor.get_mut(vendor.as_str()) {
            Some(counts) => f(counts),
            // Once per shard and vendor.
            None => f(self.by_vendor.entry(vendor.clone()).or_default()),
        }
    }

    /// The logged sale `entry` as a [`Sale`], with `type_names` by index.
    fn resolve(entry: Logged, type_names: &[Name]) -> Sale {
        Sale {
            ticket: Ticket {
                id: entry.ticket,
                ticket_type: type_names[entry.ty as usize].clone(),
                vendor: entry.vendor,
                base_price: entry.base_price,
                released_at: entry.released_at,
            },
            customer: entry.customer,
            priority: entry.priority,
            price: entry.price,
            sold_at: entry.sold_at,
            waited: entry.waited,
            hold: entry.hold,
        }
    }
}

/// Every count a snapshot reports, summed over the shards.
pub(crate) struct Counts {
    pub(crate) total: TicketCounts,
    pub(crate) by_type: Vec<TicketCounts>,
    pub(crate) by_vendor: BTreeMap<String, TicketCounts>,
    pub(crate) revenue: Money,
}

/// The office's counts and sales log.
pub(crate) struct Ledger {
    shards: Box<[CachePadded<Mutex<Shard>>]>,
    types: usize,
    /// Each type's name, by index, for sales read back from the log.
    type_names: Vec<Name>,
    /// The next sale's position in the log: the number of sales so far.
    next_sale: CachePadded<AtomicU64>,
    /// Sales moved out of the shards by readers, in order: positions
    /// `0..archive.len()` of the log.
    archive: Mutex<Vec<Sale>>,
}

/// The next thread's shard number (taken modulo the shard count).
static NEXT_SHARD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

thread_local! {
    /// This thread's shard number, taken from `NEXT_SHARD` on its first
    /// write: threads that start together get different shards (hashing
    /// the thread's address put two of a 2x2 sale's four on one shard as
    /// often as not).
    static SHARD: Cell<Option<usize>> = const { Cell::new(None) };
}

impl Ledger {
    /// A ledger for `types` ticket types, with one shard per two hardware
    /// threads' worth of writers (a power of two, 4 to 64).
    pub(crate) fn new(type_names: Vec<Name>) -> Self {
        let types = type_names.len();
        let parallelism = std::thread::available_parallelism().map_or(4, usize::from);
        let shards = (2 * parallelism).next_power_of_two().clamp(4, 64);
        Self {
            shards: (0..shards)
                .map(|_| {
                    CachePadded::new(Mutex::new(Shard {
                        by_type: (0..types)
                            .map(|_| CachePadded::new(TicketCounts::default()))
                            .collect(),
                        by_vendor: ByVendor::default(),
                        revenue: Money::ZERO,
                        sales: Vec::new(),
                    }))
                })
                .collect(),
            types,
            type_names,
            next_sale: CachePadded::new(AtomicU64::new(0)),
            archive: Mutex::new(Vec::new()),
        }
    }

    /// This thread's shard.
    fn shard(&self) -> MutexGuard<'_, Shard> {
        let number = SHARD.with(|shard| {
            shard.get().unwrap_or_else(|| {
                let number = NEXT_SHARD.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                shard.set(Some(number));
                number
            })
        });
        self.shards[number & (self.shards.len() - 1)].lock()
    }

    /// The number of sales so far (restored ones included).
    pub(crate) fn sold(&self) -> u64 {
        self.next_sale.load(Ordering::Relaxed)
    }

    /// Every shard, locked in order (the one order every reader uses).
    fn all_shards(&self) -> Vec<MutexGuard<'_, Shard>> {
        self.shards.iter().map(|shard| shard.lock()).collect()
    }

    /// Applies one movement to the type's and the vendor's counts.
    pub(crate) fn apply(&self, ty: usize, vendor: &Name, f: impl Fn(&mut TicketCounts)) {
        self.shard().apply(ty, vendor, f);
    }

    /// Counts a sale (from a hold if `held`) and logs it, in one step;
    /// returns the number of sales so far, this one included.
    pub(crate) fn sell(&self, ty: usize, held: bool, sale: &Sale) -> u64 {
        let customer = Arc::clone(&sale.customer);
        let mut shard = self.shard();
        shard.apply(ty, &sale.ticket.vendor, |c| c.sell(held));
        shard.revenue += sale.price;
        // Numbered under the shard lock: a reader holding every shard lock
        // sees every number taken so far, so the log has no gaps.
        let seq = self.next_sale.fetch_add(1, Ordering::Relaxed);
        shard.sales.push(Logged {
            seq,
            ty: ty as u32,
            vendor: sale.ticket.vendor.clone(),
            ticket: sale.ticket.id,
            base_price: sale.ticket.base_price,
            released_at: sale.ticket.released_at,
            customer,
            priority: sale.priority,
            price: sale.price,
            sold_at: sale.sold_at,
            waited: sale.waited,
            hold: sale.hold,
        });
        seq + 1
    }

    /// Restores journaled sales (counted released and sold) at the start
    /// of the log.
    pub(crate) fn restore_sales(&self, sales: Vec<Sale>, type_of: impl Fn(&Sale) -> usize) {
        let mut shard = self.shards[0].lock();
        let mut archive = self.archive.lock();
        for sale in &sales {
            shard.apply(type_of(sale), &sale.ticket.vendor, |c| {
                c.release();
                c.sell(false);
            });
            shard.revenue += sale.price;
        }
        self.next_sale
            .fetch_add(sales.len() as u64, Ordering::Relaxed);
        archive.extend(sales);
    }

    /// Every count, summed over the shards at one instant.
    pub(crate) fn counts(&self) -> Counts {
        let mut by_type = vec![TicketCounts::default(); self.types];
        let mut by_name: Vec<(Name, TicketCounts)> = Vec::new();
        let mut revenue = Money::ZERO;
        {
            let shards = self.all_shards();
            for shard in &shards {
                for (sum, counts) in by_type.iter_mut().zip(shard.by_type.iter()) {
                    sum.add(counts);
                }
                for (name, counts) in &shard.by_vendor {
                    by_name.push((name.clone(), **counts));
                }
                revenue += shard.revenue;
            }
        }
        // Merged after the locks are dropped; each vendor's name is copied
        // into a `String` once, not once per shard it has counts in.
        let mut by_vendor: BTreeMap<String, TicketCounts> = BTreeMap::new();
        for (name, counts) in by_name {
            match by_vendor.get_mut(name.as_str()) {
                Some(sum) => sum.add(&counts),
                None => {
                    by_vendor.insert(name.to_string(), counts);
                }
            }
        }
        let mut total = TicketCounts::default();
        for counts in &by_type {
            total.add(counts);
        }
        Counts {
            total,
            by_type,
            by_vendor,
            revenue,
        }
    }

    /// Calls `f` with the whole sales log, in order: the shards' sales
    /// are moved to the archive first (every shard locked, so none is
    /// missing), then the shards are let go and `f` reads the archive.
    pub(crate) fn with_log<R>(&self, f: impl FnOnce(&[Sale]) -> R) -> R {
        let mut archive = self.archive.lock();
        let mut moved: Vec<(u64, Sale)> = Vec::new();
        for mut shard in self.all_shards() {
            let logged = std::mem::take(&mut shard.sales);
            moved.extend(
                logged
                    .into_iter()
                    .map(|entry| (entry.seq, Shard::resolve(entry, &self.type_names))),
            );
        }
        moved.sort_unstable_by_key(|(seq, _)| *seq);
        debug_assert!(moved
            .first()
            .is_none_or(|(seq, _)| *seq == archive.len() as u64));
        archive.extend(moved.into_iter().map(|(_, sale)| sale));
        f(&archive)
    }
}
