//! One event's seats on a seat map: vendors put them on sale in waves,
//! buyers hold specific seats (all or nothing) and confirm or release the
//! holds, and expired holds are reaped. Best-available is in `best.rs`,
//! the snapshot in `snapshot.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ticketpool_core::Money;

use crate::clock::{Clock, SystemClock};
use crate::error::SeatError;
use crate::hold::{HoldId, Holds, Record, SeatHold, SeatSale};
use crate::line::SeatLine;
use crate::map::{SeatId, SeatMap, PRESENT};
use crate::prices::SeatPrices;
use crate::primitive::{AtomicI64, Ordering};
use crate::ranges::parse_rows;
use crate::row_bits::{Bits, Mask};
use crate::state::SeatState;

/// How long a hold lasts unless [`Seating::with_hold_duration`] says.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(10 * 60);

/// The live seats of one event on a [`SeatMap`]: each seat not on sale,
/// available, held or sold. Shared by reference across threads; every
/// operation is lock-free on the seats (holds are recorded in sharded
/// maps under short locks).
pub struct Seating {
    pub(crate) map: Arc<SeatMap>,
    pub(crate) bits: Bits,
    holds: Holds,
    prices: Box<[AtomicI64]>,
    clock: Arc<dyn Clock>,
    hold_for: Duration,
    /// Buyers waiting for best-available seats (`waiting.rs`): offered
    /// seats whenever some become available.
    pub(crate) line: SeatLine,
}

impl std::fmt::Debug for Seating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seating")
            .field("venue", &self.map.name)
            .field("holds", &self.holds.len())
            .finish_non_exhaustive()
    }
}

impl Seating {
    /// Every seat of `map` not on sale yet, on the system clock.
    pub fn new(map: Arc<SeatMap>) -> Self {
        Self::with_clock(map, Arc::new(SystemClock))
    }

    /// As [`new`](Self::new), reading the time from `clock`.
    pub fn with_clock(map: Arc<SeatMap>, clock: Arc<dyn Clock>) -> Self {
        let prices = map
            .tiers
            .iter()
            .map(|t| AtomicI64::new(t.price.minor()))
            .collect();
        Self {
            bits: Bits::new(map.word_count()),
            holds: Holds::new(),
            prices,
            clock,
            hold_for: DEFAULT_HOLD,
            line: SeatLine::default(),
            map,
        }
    }

    /// Holds made from now on last `duration`.
    pub fn with_hold_duration(mut self, duration: Duration) -> Self {
        self.hold_for = duration;
        self
    }

    /// The seat map.
    pub fn map(&self) -> &SeatMap {
        &self.map
    }

    /// Puts every seat on sale; returns how many were not on sale before.
    pub fn release_all(&self) -> usize {
        self.freed(self.release_rows_range(0..self.map.rows.len() as u32, None))
    }

    /// After `n` seats became available: the waiting line gets its pick.
    fn freed(&self, n: usize) -> usize {
        if n > 0 {
            self.line.serve(|w| self.best_available(w.request()));
        }
        n
    }

    /// Puts a section's seats on sale (a vendor's wave); returns how many
    /// were not on sale before.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownSection`].
    pub fn release_section(&self, section: &str) -> Result<usize, SeatError> {
        let s = self
            .map
            .section_index(section)
            .ok_or_else(|| SeatError::UnknownSection(section.to_string()))?;
        Ok(self.freed(self.release_rows_range(self.map.sections[s].rows.clone(), None)))
    }

    /// Puts a price tier's seats on sale, in every section.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownTier`].
    pub fn release_tier(&self, tier: &str) -> Result<usize, SeatError> {
        let t = self
            .map
            .tier_index(tier)
            .ok_or_else(|| SeatError::UnknownTier(tier.to_string()))?;
        let rows = 0..self.map.rows.len() as u32;
        Ok(self.freed(self.release_rows_range(rows, Some(t as u16))))
    }

    /// Puts a block on sale: rows `rows` (`"A-C"`, `"K"`) of a section.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownSection`], or [`SeatError::UnknownRow`] for a
    /// range that does not read or a row the section does not have.
    pub fn release_block(&self, section: &str, rows: &str) -> Result<usize, SeatError> {
        let s = self
            .map
            .section_index(section)
            .ok_or_else(|| SeatError::UnknownSection(section.to_string()))?;
        let unknown = || SeatError::UnknownRow {
            section: section.to_string(),
            row: rows.to_string(),
        };
        let labels = parse_rows(rows).map_err(|_| unknown())?;
        let by_label = &self.map.sections[s].row_by_label;
        let indices = labels
            .iter()
            .map(|l| by_label.get(l).copied().ok_or_else(unknown))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.freed(
            indices
                .into_iter()
                .map(|r| self.release_rows_range(r..r + 1, None))
                .sum(),
        ))
    }

    /// Puts the named seats on sale.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownSeat`] for an id that is no seat, or
    /// [`SeatError::BadRequest`] for a seat named twice (nothing is put on
    /// sale then).
    pub fn release_seats(&self, seats: &[SeatId]) -> Result<usize, SeatError> {
        let masks = self.masks(seats)?;
        Ok(self.freed(
            masks
                .iter()
                .map(|&(w, m)| self.bits.put_on_sale(w, m).count_ones() as usize)
                .sum(),
        ))
    }

    fn release_rows_range(&self, rows: std::ops::Range<u32>, tier: Option<u16>) -> usize {
        let mut new = 0;
        for row in &self.map.rows[rows.start as usize..rows.end as usize] {
            if tier.is_some_and(|t| t != row.tier) {
                continue;
            }
            for w in row.word_base..row.word_base + row.words() {
                let w = w as usize;
                new += self.bits.put_on_sale(w, self.map.present[w]).count_ones() as usize;
            }
        }
        new
    }

    /// Holds exactly these seats, all or nothing: if any is not available
    /// none is held (the ones this call had claimed are given back).
    ///
    /// # Errors
    ///
    /// [`SeatError::BadRequest`] for no seats or a seat named twice,
    /// [`SeatError::UnknownSeat`], or [`SeatError::Unavailable`] naming
    /// the seats that were not available.
    pub fn hold(&self, seats: &[SeatId]) -> Result<SeatHold, SeatError> {
        if seats.is_empty() {
            return Err(SeatError::BadRequest);
        }
        let masks = self.masks(seats)?;
        if let Err(conflict) = self.bits.claim(&masks) {
            let (word, mask) = masks[conflict.at];
            let mut taken: Vec<(SeatId, SeatState)> = seats
                .iter()
                .filter(|&&id| {
                    let (w, bit) = self.map.word_bit(id);
                    w == word && mask & !conflict.seen & (1 << bit) != 0
                })
                .map(|&id| (id, self.state_or_held(id)))
                .collect();
            // Others may be gone too: name every seat not available now.
            for &id in seats {
                let state = self.state_or_held(id);
                if state != SeatState::Available && !taken.iter().any(|&(t, _)| t == id) {
                    taken.push((id, state));
                }
            }
            return Err(SeatError::Unavailable { seats: taken });
        }
        Ok(self.record(seats.to_vec(), masks, None))
    }

    /// [`hold`](Self::hold) by labels (`"Stalls B-12"`).
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownLabel`] for a label that names no seat, else as
    /// [`hold`](Self::hold).
    pub fn hold_labels(&self, labels: &[&str]) -> Result<SeatHold, SeatError> {
        let ids = labels
            .iter()
            .map(|l| {
                self.map
                    .find(l)
                    .ok_or_else(|| SeatError::UnknownLabel(l.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.hold(&ids)
    }

    /// Records a hold of claimed seats at today's prices; `tier` when the
    /// caller knows all the seats are in one (one row).
    pub(crate) fn record(
        &self,
        seats: Vec<SeatId>,
        masks: Vec<Mask>,
        tier: Option<u16>,
    ) -> SeatHold {
        let price_of =
            |tier: u16| Money::from_minor(self.prices[tier as usize].load(Ordering::Relaxed));
        let tier_of = |id: SeatId| self.map.rows[self.map.row_of(id)].tier;
        // One tier (always so for best-available) stores one price; only
        // a mixed-tier hold allocates a price per seat.
        let tier = tier.or_else(|| {
            let first = tier_of(*seats.first()?);
            seats
                .iter()
                .all(|&id| tier_of(id) == first)
                .then_some(first)
        });
        let prices = match tier {
            Some(tier) => SeatPrices::same(price_of(tier), seats.len()),
            None => SeatPrices::each(seats.iter().map(|&id| price_of(tier_of(id)))),
        };
        let price = prices.total();
        let expires_at = self.now() + self.hold_for;
        let id = self.holds.insert(Record {
            seats: seats.clone(),
            masks,
            price,
            prices: prices.clone(),
            expires_at,
        });
        SeatHold {
            id,
            seats,
            price,
            prices,
            expires_at,
        }
    }

    /// Gives a hold's seats back: they are available again. Returns them.
    ///
    /// # Errors
    ///
    /// [`SeatError::NoSuchHold`] if the hold already ended.
    pub fn release_hold(&self, hold: HoldId) -> Result<Vec<SeatId>, SeatError> {
        let record = self.holds.take(hold).ok_or(SeatError::NoSuchHold(hold))?;
        self.bits.unclaim(&record.masks);
        self.freed(record.seats.len());
        Ok(record.seats)
    }

    /// Ends a hold and takes its seats off sale (not available, as before
    /// a vendor released them): for seats put on sale only for that hold,
    /// whose sale belongs elsewhere once it ends. Returns them.
    ///
    /// # Errors
    ///
    /// [`SeatError::NoSuchHold`] if the hold already ended.
    pub fn withdraw_hold(&self, hold: HoldId) -> Result<Vec<SeatId>, SeatError> {
        let record = self.holds.take(hold).ok_or(SeatError::NoSuchHold(hold))?;
        self.bits.withdraw(&record.masks);
        Ok(record.seats)
    }

    /// Sells a hold's seats at the hold's prices.
    ///
    /// # Errors
    ///
    /// [`SeatError::NoSuchHold`] if the hold already ended;
    /// [`SeatError::Expired`] if it lapsed (its seats are available again).
    pub fn confirm(&self, hold: HoldId) -> Result<SeatSale, SeatError> {
        let record = self.holds.take(hold).ok_or(SeatError::NoSuchHold(hold))?;
        if record.expires_at <= self.now() {
            self.bits.unclaim(&record.masks);
            self.freed(record.seats.len());
            return Err(SeatError::Expired(hold));
        }
        self.bits.sell(&record.masks);
        Ok(SeatSale {
            hold,
            seats: record.seats,
            price: record.price,
            prices: record.prices,
        })
    }

    /// Ends every hold that has expired by the clock: their seats are
    /// available again. Returns how many holds ended.
    pub fn reap(&self) -> usize {
        let expired = self.holds.take_expired(self.now());
        for record in &expired {
            self.bits.unclaim(&record.masks);
        }
        self.freed(expired.len());
        expired.len()
    }

    /// How many holds are current.
    pub fn hold_count(&self) -> usize {
        self.holds.len()
    }

    /// The tier's price for holds made from now on.
    ///
    /// # Errors
    ///
    /// [`SeatError::UnknownTier`].
    pub fn set_tier_price(&self, tier: &str, price: Money) -> Result<(), SeatError> {
        let t = self
            .map
            .tier_index(tier)
            .ok_or_else(|| SeatError::UnknownTier(tier.to_string()))?;
        self.prices[t].store(price.minor(), Ordering::Relaxed);
        Ok(())
    }

    /// The tier's current price, or `None` for an unknown tier.
    pub fn tier_price(&self, tier: &str) -> Option<Money> {
        let t = self.map.tier_index(tier)?;
        Some(Money::from_minor(self.prices[t].load(Ordering::Relaxed)))
    }

    /// A seat's state now, or `None` for an id that is no seat.
    pub fn state(&self, seat: SeatId) -> Option<SeatState> {
        self.map.seat(seat)?;
        let (w, bit) = self.map.word_bit(seat);
        let (on_sale, sold, free) = self.bits.read(w);
        Some(SeatState::of(on_sale >> bit, sold >> bit, free >> bit))
    }

    fn state_or_held(&self, seat: SeatId) -> SeatState {
        self.state(seat).unwrap_or(SeatState::Held)
    }

    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The seats as bitmap masks, one per word, in ascending word order.
    /// A seat named twice is a [`SeatError::BadRequest`].
    pub(crate) fn masks(&self, seats: &[SeatId]) -> Result<Vec<Mask>, SeatError> {
        let mut bits = Vec::with_capacity(seats.len());
        for &id in seats {
            match self.map.flags.get(id.index()) {
                Some(f) if f & PRESENT != 0 => bits.push(self.map.word_bit(id)),
                _ => return Err(SeatError::UnknownSeat(id)),
            }
        }
        bits.sort_unstable();
        let mut masks: Vec<Mask> = Vec::with_capacity(bits.len());
        for (w, bit) in bits {
            match masks.last_mut() {
                Some((last, m)) if *last == w => {
                    if *m & 1 << bit != 0 {
                        return Err(SeatError::BadRequest);
                    }
                    *m |= 1 << bit;
                }
                _ => masks.push((w, 1 << bit)),
            }
        }
        Ok(masks)
    }
}
