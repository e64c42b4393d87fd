//! The office's gate state: the flags and waiting counts under the state
//! mutex ([`Counters`]), the [`Gauges`] the hot path reads without it, and
//! the capacity [`Room`] vendors reserve with atomics.
//!
//! The ticket counts themselves are in the [`Ledger`](crate::office::ledger::Ledger),
//! sharded; nothing here is taken per ticket except atomics: a release
//! reserves room for its type with a compare-and-swap, a sale gives it back
//! with a subtraction, and the state mutex is only taken to wait.

use crossbeam_utils::CachePadded;

use crate::office::config::BoxOfficeConfig;
use crate::pool::primitive::{AtomicBool, AtomicU64, Ordering};
use crate::pool::Priority;

/// The office's gate state, under the state mutex.
#[derive(Debug)]
pub(crate) struct Counters {
    pub(crate) paused: bool,
    pub(crate) closed: bool,
    pub(crate) sold_out: bool,
}

impl Counters {
    pub(crate) fn new() -> Self {
        Self {
            paused: false,
            closed: false,
            sold_out: false,
        }
    }
}

/// What the hot path reads without the state mutex.
///
/// `closed` and `paused` copy [`Counters`] fields, stored under the mutex
/// after every change ([`Gauges::copy_from`]). A reader may see them a
/// moment late: releases check them as a gate (a release that passed just
/// before a close ends like one made before it). The waiting counts live
/// only here. (Sales are counted by the ledger's log.)
#[derive(Debug)]
pub(crate) struct Gauges {
    pub(crate) closed: AtomicBool,
    pub(crate) paused: AtomicBool,
    /// The event is sold out: set with `Counters::sold_out`, so a release
    /// is refused even when the office did not sell every ticket itself
    /// ([`BoxOffice::sell_out`](crate::BoxOffice::sell_out)).
    pub(crate) sold_out: AtomicBool,
    /// Vendors parked on the office's `room` condvar (see
    /// [`Room::give_back`] for why it is read after freeing room).
    pub(crate) vendors_waiting: AtomicU64,
    waiting_vip: AtomicU64,
    waiting_regular: AtomicU64,
}

impl Gauges {
    pub(crate) fn new() -> Self {
        Self {
            closed: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            sold_out: AtomicBool::new(false),
            vendors_waiting: AtomicU64::new(0),
            waiting_vip: AtomicU64::new(0),
            waiting_regular: AtomicU64::new(0),
        }
    }

    /// Called with the state mutex held, after the flags changed.
    pub(crate) fn copy_from(&self, counters: &Counters) {
        self.paused.store(counters.paused, Ordering::Release);
        // SeqCst: ordered before `close`'s read of the hold table (see
        // `HoldTable::settled`).
        self.closed.store(counters.closed, Ordering::SeqCst);
    }

    /// Customers of `priority` waiting for a ticket.
    pub(crate) fn waiting(&self, priority: Priority) -> &AtomicU64 {
        match priority {
            Priority::Vip => &self.waiting_vip,
            Priority::Regular => &self.waiting_regular,
        }
    }
}

/// One type's share of the office.
#[derive(Debug)]
struct TypeRoom {
    /// Available plus held, of this type.
    in_office: AtomicU64,
    capacity: u64,
    /// Released so far, checked against the quota (only with one).
    released: AtomicU64,
    quota: Option<u64>,
}

/// Why a reservation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoRoom {
    /// The type's share is full: wait for a sale.
    Full,
    /// The event's size or the type's quota is reached.
    SoldOut,
    /// The office's vendors choose the ids (see [`Room::claim_id`]): the
    /// counter numbers nothing more.
    Chosen,
    /// A chosen id refused: the counter numbered tickets already.
    Numbered,
    /// A chosen id past the largest the office takes.
    TooLarge,
}

/// Set in the next-id counter once a vendor chose a ticket's id: the
/// counter path sees it in the id it takes, so refusing costs it no load.
const CHOSEN: u64 = 1 << 63;

/// The largest id a vendor may choose: one more still fits below
/// [`CHOSEN`].
pub(crate) const MAX_CHOSEN_ID: u64 = CHOSEN - 2;

/// The office's capacity and release bounds, as atomics: each type's
/// share of `max_capacity`, the event's size and the types' quotas.
#[derive(Debug)]
pub(crate) struct Room {
    types: Box<[CachePadded<TypeRoom>]>,
    /// Released so far, office-wide (bounded by `total_tickets`), and the
    /// next ticket id (with [`CHOSEN`] once vendors choose ids): both
    /// written by vendors only.
    released: CachePadded<(AtomicU64, AtomicU64)>,
    /// Where the id counter started: still there means it numbered nothing.
    first_id: u64,
    total_tickets: u64,
    /// Available plus held office-wide, and its high-water mark.
    in_office: CachePadded<(AtomicU64, AtomicU64)>,
}

impl Room {
    /// `released[i]` and `in_office[i]` restore type `i`'s counts.
    pub(crate) fn new(
        config: &BoxOfficeConfig,
        released: &[u64],
        in_office: &[u64],
        next_ticket_id: u64,
    ) -> Self {
        let capacities = config.type_capacities();
        let types = config
            .ticket_types
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                CachePadded::new(TypeRoom {
                    in_office: AtomicU64::new(in_office[i]),
                    capacity: capacities[i] as u64,
                    released: AtomicU64::new(released[i]),
                    quota: ty.quota,
                })
            })
            .collect();
        let in_office: u64 = in_office.iter().sum();
        Self {
            types,
            released: CachePadded::new((
                AtomicU64::new(released.iter().sum()),
                AtomicU64::new(next_ticket_id),
            )),
            first_id: next_ticket_id,
            total_tickets: config.total_tickets,
            in_office: CachePadded::new((AtomicU64::new(in_office), AtomicU64::new(in_office))),
        }
    }

    /// `true` once no more tickets of type `ty` may be released.
    pub(crate) fn sold_out(&self, ty: usize) -> bool {
        let room = &self.types[ty];
        self.released.0.load(Ordering::Relaxed) >= self.total_tickets
            || room
                .quota
                .is_some_and(|q| room.released.load(Ordering::Relaxed) >= q)
    }

    /// `true` if type `ty` has room for one more ticket now.
    pub(crate) fn has_room(&self, ty: usize) -> bool {
        let room = &self.types[ty];
        room.in_office.load(Ordering::SeqCst) < room.capacity
    }

    /// Reserves room for one ticket of type `ty` and counts it released;
    /// returns its id, numbered by the office's counter.
    #[inline]
    pub(crate) fn reserve(&self, ty: usize) -> Result<u64, NoRoom> {
        self.reserve_room(ty)?;
        let id = self.released.1.fetch_add(1, Ordering::Relaxed);
        if id & CHOSEN != 0 {
            self.unreserve(ty);
            return Err(NoRoom::Chosen);
        }
        Ok(id)
    }

    /// Makes `id` a vendor-chosen id: refused if the counter numbered any
    /// ticket since the office opened (or was restored); otherwise the
    /// counter is moved past `id` and numbers nothing more. Once per
    /// release, before its wait for room.
    pub(crate) fn claim_id(&self, id: u64) -> Result<(), NoRoom> {
        if id > MAX_CHOSEN_ID {
            return Err(NoRoom::TooLarge);
        }
        let first = self.first_id;
        self.released
            .1
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
                if next & CHOSEN == 0 && next != first {
                    return None;
                }
                Some(((next & !CHOSEN).max(id + 1)) | CHOSEN)
            })
            .map(drop)
            .map_err(|_| NoRoom::Numbered)
    }

    /// Reserves room for one ticket of type `ty` and counts it released.
    ///
    /// Room first: a full type is the common refusal, and undoing a
    /// reservation of room can only make another vendor see `Full` for a
    /// moment (it is woken after the undo), while undoing the event's count
    /// could make one see `SoldOut`, which is final.
    #[inline]
    pub(crate) fn reserve_room(&self, ty: usize) -> Result<(), NoRoom> {
        let room = &self.types[ty];
        room.in_office
            .fetch_update(Ordering::SeqCst, Ordering::Relaxed, |n| {
                (n < room.capacity).then_some(n + 1)
            })
            .map_err(|_| NoRoom::Full)?;
        let total = self.total_tickets;
        if self
            .released
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < total).then_some(n + 1)
            })
            .is_err()
        {
            room.in_office.fetch_sub(1, Ordering::SeqCst);
            return Err(NoRoom::SoldOut);
        }
        if let Some(quota) = room.quota {
            if room
                .released
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    (n < quota).then_some(n + 1)
                })
                .is_err()
            {
                self.released.0.fetch_sub(1, Ordering::Relaxed);
                room.in_office.fetch_sub(1, Ordering::SeqCst);
                return Err(NoRoom::SoldOut);
            }
        }
        let now = self.in_office.0.fetch_add(1, Ordering::Relaxed) + 1;
        // Only a release adds a ticket to the office, so raising the mark
        // here sees every peak; a load first keeps the line shared while
        // the office is below its peak.
        if now > self.in_office.1.load(Ordering::Relaxed) {
            self.in_office.1.fetch_max(now, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Undoes a [`reserve`](Self::reserve) whose ticket never went on
    /// sale (its id stays used). The caller wakes waiting vendors.
    pub(crate) fn unreserve(&self, ty: usize) {
        let room = &self.types[ty];
        if room.quota.is_some() {
            room.released.fetch_sub(1, Ordering::Relaxed);
        }
        self.released.0.fetch_sub(1, Ordering::Relaxed);
        self.give_back(ty);
    }

    /// A ticket of type `ty` left the office (sold, or never on sale).
    ///
    /// `SeqCst`, with the waiting vendor's `SeqCst` increment of
    /// `vendors_waiting` before its own check of [`has_room`](Self::has_room):
    /// either that check sees this room, or the caller's load of
    /// `vendors_waiting` after this sees the vendor, and wakes it.
    ///
    /// The office-wide count goes down first: a vendor that takes the
    /// type's room freed here (synchronising with the `SeqCst` decrement)
    /// counts its ticket in after this, so the office-wide count, and its
    /// peak, never runs ahead of the types' counts (the other order let the
    /// peak read `max_capacity + 1` while a sale and a release crossed).
    pub(crate) fn give_back(&self, ty: usize) {
        self.in_office.0.fetch_sub(1, Ordering::Relaxed);
        self.types[ty].in_office.fetch_sub(1, Ordering::SeqCst);
    }

    /// The most tickets ever in the office at once.
    pub(crate) fn peak(&self) -> u64 {
        self.in_office.1.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use crate::{BoxOffice, BoxOfficeConfig, Money, Priority, Want};

    #[test]
    fn peak_occupancy_is_the_exact_high_water_mark_not_the_current_count() {
        let office = BoxOffice::new(BoxOfficeConfig::simple(
            "peak",
            10,
            8,
            Money::from_minor(100),
        ))
        .unwrap();
        assert_eq!(office.snapshot().peak_occupancy, 0);
        let vendor = office.add_vendor("v", &[]).unwrap();
        let buyer = office.customer("c", Priority::Regular);
        for _ in 0..3 {
            vendor.release("general").unwrap();
        }
        let hold = buyer.reserve(Want::Any).unwrap();
        buyer.buy(Want::Any).unwrap();
        buyer.buy(Want::Any).unwrap();
        // Three came in, two left: the peak stays at three.
        assert_eq!(office.snapshot().totals.available, 0);
        assert_eq!(office.snapshot().peak_occupancy, 3);
        vendor.release("general").unwrap();
        assert_eq!(office.snapshot().peak_occupancy, 3, "1 held + 1 on sale");
        vendor.release("general").unwrap();
        vendor.release("general").unwrap();
        assert_eq!(office.snapshot().peak_occupancy, 4, "1 held + 3 on sale");
        assert!(hold.cancel());
        assert_eq!(office.snapshot().peak_occupancy, 4, "a cancel adds nothing");
    }
}
