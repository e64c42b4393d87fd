//! One seated event's seats: holds, confirms recorded in its ledger, and
//! recovery from the ledger.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use parking_lot::{Mutex, RwLock};
use ticketpool_core::{BoxOffice, Priority};
use ticketpool_seats::{
    BestAvailable, HoldId, SeatError, SeatHold, SeatId, SeatMap, SeatSale, SeatSnapshot, SeatState,
    Seating,
};

use super::lost::LostSeats;
use super::{SeatLedger, SeatRecord, SeatSupply, Wave};
use crate::error::{CatalogError, StoreError};
use crate::ids::EventId;

/// The seats of one seated event (the design is in the crate docs,
/// "Seated events"): hold, best-available, confirm, cancel, snapshot.
///
/// Shared in an `Arc`; every call is safe from many threads (the seats are
/// claimed lock-free, see [`Seating`]).
pub struct SeatedEvent {
    event: EventId,
    /// Shared with the futures of buyers waiting for seats.
    seating: Arc<Seating>,
    office: Arc<BoxOffice>,
    ledger: Arc<dyn SeatLedger>,
    /// The venue's map, for checking a wave on a scratch seating.
    map: Arc<SeatMap>,
    /// Whether the seats go on sale in waves (else all at open).
    in_waves: bool,
    /// Taken while a wave is recorded and applied, so the journal's order
    /// is the order the waves went on sale.
    wave_lock: Mutex<()>,
    /// Who holds each current hold, for the sale records, and until when
    /// (so [`reap`](Self::reap) forgets the lapsed ones).
    holders: Mutex<HashMap<HoldId, Holder>>,
    /// With a shared supply: taken to write while seats held elsewhere are
    /// put on sale here and held, so no local hold takes one in between;
    /// every local hold takes it to read.
    elsewhere: RwLock<()>,
    /// With a shared supply: the seats it lost, until they are off sale
    /// here.
    lost: LostSeats,
}

struct Holder {
    customer: Arc<str>,
    priority: Priority,
    expires_at: Instant,
    /// Held through the shared supply: its seats were on sale here only
    /// for this hold.
    elsewhere: bool,
}

impl std::fmt::Debug for SeatedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeatedEvent")
            .field("event", &self.event)
            .field("seating", &self.seating)
            .finish_non_exhaustive()
    }
}

impl SeatedEvent {
    /// Opens the seats of `event` on `map` from `ledger`: the waves it
    /// recorded put on sale again in order (no wave recorded: every seat on
    /// sale), then the seats it recorded as sold sold again (held ones stay
    /// free). With `in_waves` and a ledger that has recorded neither a
    /// wave nor a sale, [`Wave::Nothing`] is recorded first, so the seats
    /// stay off sale until a vendor's wave, across restarts too.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Invalid`] for `in_waves` on an event whose seats are
    /// already all on sale (sold with no wave recorded);
    /// [`CatalogError::SeatWavesUnsupported`] for `in_waves` with a shared
    /// supply;
    /// [`CatalogError::Store`] if the ledger fails or names a seat, section,
    /// tier or row the map does not have.
    pub(crate) fn open(
        event: EventId,
        map: Arc<SeatMap>,
        office: Arc<BoxOffice>,
        ledger: Arc<dyn SeatLedger>,
        in_waves: bool,
    ) -> Result<Self, CatalogError> {
        // Seat holds last as long as the event's ticket holds: one rule
        // for a buyer, whatever they hold.
        let seating = Seating::new(Arc::clone(&map)).with_hold_duration(office.config().hold_ttl);
        if let Some(supply) = ledger.supply() {
            if in_waves {
                return Err(CatalogError::SeatWavesUnsupported(event));
            }
            supply.open(&map)?;
        }
        let mut waves = ledger.waves()?;
        let sold = ledger.sold()?;
        if in_waves && waves.is_empty() {
            if !sold.is_empty() {
                return Err(CatalogError::Invalid {
                    what: "the event's seats",
                    problem: "are already all on sale, not in waves",
                });
            }
            ledger.record_wave(&Wave::Nothing)?;
            waves.push(Wave::Nothing);
        }
        if waves.is_empty() {
            seating.release_all();
        }
        for wave in &waves {
            wave.apply(&seating).map_err(|e| {
                StoreError::new(format!(
                    "the journal of {event} released the wave {wave:?}, which the venue's \
                     seat map does not have: {e}"
                ))
            })?;
        }
        let mut seats: Vec<SeatId> = Vec::with_capacity(sold.len());
        for record in &sold {
            let id = seating.map().find(&record.seat).ok_or_else(|| {
                StoreError::new(format!(
                    "the journal of {event} sold seat {:?}, which the venue's seat map \
                     does not have",
                    record.seat
                ))
            })?;
            seats.push(id);
        }
        seats.sort_unstable();
        seats.dedup();
        if !seats.is_empty() {
            // A seat recorded as sold is sold whatever the waves say (a
            // wave is recorded before its seats go on sale, so this only
            // matters for a journal edited by hand).
            seating.release_seats(&seats)?;
            let hold = seating.hold(&seats)?;
            seating.confirm(hold.id)?;
        }
        if office.is_closed() {
            // Opened after its sale closed (a restart, or the first look
            // at the seats): nobody may start waiting for them.
            seating.end_waits();
        }
        Ok(Self {
            event,
            seating: Arc::new(seating),
            office,
            ledger,
            in_waves: in_waves || !waves.is_empty(),
            map,
            wave_lock: Mutex::new(()),
            holders: Mutex::new(HashMap::new()),
            elsewhere: RwLock::new(()),
            lost: LostSeats::default(),
        })
    }

    /// Whether the seats go on sale in vendors' waves (else every seat
    /// went on sale at open).
    pub fn in_waves(&self) -> bool {
        self.in_waves
    }

    /// Whether the seats come from a shared supply (a lease node's).
    pub(crate) fn ledger_supplies(&self) -> bool {
        self.ledger.supply().is_some()
    }

    /// Puts a vendor's wave of seats on sale: recorded in the ledger
    /// first, durably, then put on sale (a crash between the two leaves
    /// the seats off sale now and on sale after the restart, never on sale
    /// unrecorded). Returns how many seats went on sale (seats already on
    /// sale, held or sold are left as they are). Buyers waiting for seats
    /// are served from the wave.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Seats`] for a section, tier or row the map does not
    /// have ([`SeatError`](ticketpool_seats::SeatError)`::UnknownSection`,
    /// `UnknownTier`, `UnknownRow`): nothing is recorded or put on sale;
    /// [`CatalogError::SeatWavesUnsupported`] if the seats come from a
    /// shared supply (a lease node's), which puts them on sale as it
    /// leases them;
    /// [`CatalogError::Store`] if the ledger failed (nothing on sale).
    pub fn release_wave(&self, wave: Wave) -> Result<usize, CatalogError> {
        if self.ledger.supply().is_some() {
            return Err(CatalogError::SeatWavesUnsupported(self.event));
        }
        if wave == Wave::Nothing {
            return Ok(0);
        }
        let _order = self.wave_lock.lock();
        // Checked on a scratch seating first: the engine's own checks, and
        // an unknown name is never recorded.
        wave.apply(&Seating::new(Arc::clone(&self.map)))?;
        self.ledger.record_wave(&wave)?;
        Ok(wave.apply(&self.seating)?)
    }

    /// The waves recorded in the ledger, in order.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] if the ledger could not be read.
    pub fn waves(&self) -> Result<Vec<Wave>, CatalogError> {
        Ok(self.ledger.waves()?)
    }

    /// The event.
    pub fn event(&self) -> EventId {
        self.event
    }

    /// The venue's seat map.
    pub fn map(&self) -> &SeatMap {
        self.seating.map()
    }

    /// The live seats, for what this type does not wrap (tier prices,
    /// release waves).
    pub fn seating(&self) -> &Seating {
        &self.seating
    }

    /// The seat labelled `label`'s state now, or `None` for no such seat.
    pub fn state(&self, label: &str) -> Option<SeatState> {
        self.withdraw_lost();
        self.seating.state(self.map().find(label)?)
    }

    /// Every seat's state, for drawing the map.
    pub fn snapshot(&self) -> SeatSnapshot {
        self.withdraw_lost();
        self.seating.snapshot()
    }

    /// Takes the seats the shared supply lost off sale here (see
    /// [`SeatSupply::lost`]); returns how many went off sale.
    fn withdraw_lost(&self) -> usize {
        let Some(supply) = self.ledger.supply() else {
            return 0;
        };
        let _local = self.elsewhere.read();
        self.lost.withdraw(supply, &self.seating)
    }

    /// Ends every wait for best-available seats, and every later one, with
    /// [`CatalogError::SeatsClosed`]: called when the event's sale closes
    /// (cancelled, sales closed, past), so nobody waits for seats that
    /// will never be sold.
    pub(crate) fn end_waits(&self) {
        self.seating.end_waits();
    }

    fn open_for_sales(&self) -> Result<(), CatalogError> {
        if self.office.is_closed() {
            return Err(CatalogError::SeatsClosed(self.event));
        }
        Ok(())
    }

    fn held(&self, hold: SeatHold, customer: &str, priority: Priority) -> SeatHold {
        self.held_as(hold, customer, priority, false)
    }

    fn held_as(
        &self,
        hold: SeatHold,
        customer: &str,
        priority: Priority,
        elsewhere: bool,
    ) -> SeatHold {
        let holder = Holder {
            customer: Arc::from(customer),
            priority,
            expires_at: hold.expires_at,
            elsewhere,
        };
        self.holders.lock().insert(hold.id, holder);
        hold
    }

    /// Holds the seats labelled `labels` (`"Stalls B-12"`) for `customer`,
    /// all or nothing, at today's tier prices.
    ///
    /// # Errors
    ///
    /// [`CatalogError::SeatsClosed`] once the event's office is closed;
    /// [`CatalogError::Seats`] for an unknown label or seats not available
    /// (none is held then).
    pub fn hold(
        &self,
        customer: &str,
        priority: Priority,
        labels: &[&str],
    ) -> Result<SeatHold, CatalogError> {
        self.open_for_sales()?;
        let Some(supply) = self.ledger.supply() else {
            let hold = self.seating.hold_labels(labels)?;
            return Ok(self.held(hold, customer, priority));
        };
        let ids = labels
            .iter()
            .map(|l| {
                self.map()
                    .find(l)
                    .ok_or_else(|| SeatError::UnknownLabel((*l).to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // A lost seat must go through the supply, not be held here.
        self.withdraw_lost();
        {
            let _local = self.elsewhere.read();
            match self.seating.hold(&ids) {
                Ok(hold) => return Ok(self.held(hold, customer, priority)),
                // Seats not on sale here may be leased nowhere: try there.
                Err(SeatError::Unavailable { seats })
                    if seats.iter().all(|&(_, s)| s == SeatState::NotOnSale) => {}
                Err(other) => return Err(other.into()),
            }
        }
        let hold = self.hold_elsewhere(supply, &ids, customer)?;
        Ok(self.held_as(hold, customer, priority, true))
    }

    /// Holds `ids`, some not on sale here, through the shared supply (all
    /// or nothing), then here. Seats on sale here are held there too, so
    /// the whole hold confirms in one step there.
    fn hold_elsewhere(
        &self,
        supply: &dyn SeatSupply,
        ids: &[SeatId],
        customer: &str,
    ) -> Result<SeatHold, CatalogError> {
        let _shared = self.elsewhere.write();
        let mut off = Vec::new();
        let mut busy = Vec::new();
        for &id in ids {
            match self.seating.state(id) {
                Some(SeatState::NotOnSale) => off.push(id),
                Some(SeatState::Available) => {}
                Some(state) => busy.push((id, state)),
                None => return Err(SeatError::UnknownSeat(id).into()),
            }
        }
        if !busy.is_empty() {
            return Err(SeatError::Unavailable { seats: busy }.into());
        }
        let taken = supply.hold_elsewhere(ids, customer)?;
        if !taken.is_empty() {
            let seats = taken.into_iter().map(|id| (id, SeatState::Held)).collect();
            return Err(SeatError::Unavailable { seats }.into());
        }
        self.seating.release_seats(&off)?;
        match self.seating.hold(ids) {
            Ok(hold) => Ok(hold),
            Err(error) => {
                // A waiting buyer was served from them first: give the
                // shared hold back (those seats' sale here will be lost,
                // never sold twice).
                supply.release_elsewhere(ids)?;
                Err(error.into())
            }
        }
    }

    /// Holds the best block of adjacent seats `want` describes (see the
    /// best-available rule in `ticketpool-seats`) for `customer`.
    ///
    /// # Errors
    ///
    /// As [`hold`](Self::hold); [`CatalogError::Seats`] when no block fits.
    pub fn best_available(
        &self,
        customer: &str,
        priority: Priority,
        want: BestAvailable<'_>,
    ) -> Result<SeatHold, CatalogError> {
        self.open_for_sales()?;
        let Some(supply) = self.ledger.supply() else {
            let hold = self.seating.best_available(want)?;
            return Ok(self.held(hold, customer, priority));
        };
        // Never offer a seat the supply lost.
        self.withdraw_lost();
        loop {
            let tried = {
                let _local = self.elsewhere.read();
                self.seating.best_available(want)
            };
            match tried {
                Ok(hold) => return Ok(self.held(hold, customer, priority)),
                Err(short @ (SeatError::NoBlock { .. } | SeatError::Unavailable { .. })) => {
                    // Like a wave: lease more and put them on sale here.
                    let more = supply.lease_more(&want)?;
                    if more.is_empty() {
                        return Err(short.into());
                    }
                    self.seating.release_seats(&more)?;
                }
                Err(other) => return Err(other.into()),
            }
        }
    }

    /// As [`best_available`](Self::best_available), but waits while no
    /// block fits: the buyer is served when seats free up (a hold released
    /// or lapsed, a vendor's wave), VIPs first, then first come first
    /// served (the rule is in `ticketpool-seats`'s `waiting.rs`). Dropping
    /// the future leaves the line and holds nothing.
    ///
    /// # Errors
    ///
    /// As [`best_available`](Self::best_available), except that it waits
    /// instead of failing when no block fits now;
    /// [`CatalogError::SeatsClosed`] if the office closed while it waited
    /// (the seats it was served are given back).
    pub async fn wait_best_available(
        &self,
        customer: &str,
        priority: Priority,
        want: BestAvailable<'_>,
    ) -> Result<SeatHold, CatalogError> {
        self.open_for_sales()?;
        if self.ledger.supply().is_some() {
            // Lease before waiting: the wait is for seats nobody can lease.
            match self.best_available(customer, priority, want) {
                Err(CatalogError::Seats(
                    SeatError::NoBlock { .. } | SeatError::Unavailable { .. },
                )) => {}
                done => return done,
            }
        }
        let hold = self
            .seating
            .wait_best_available(want, priority)
            .await
            .map_err(|error| match error {
                SeatError::WaitsEnded => CatalogError::SeatsClosed(self.event),
                other => other.into(),
            })?;
        if let Err(closed) = self.open_for_sales() {
            let _ = self.seating.release_hold(hold.id);
            return Err(closed);
        }
        Ok(self.held(hold, customer, priority))
    }

    /// Sells a hold's seats and records them in the ledger, one record per
    /// seat, before answering.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Seats`] if the hold ended or lapsed (its seats are
    /// free again); [`CatalogError::SeatsLost`] if a shared supply's lease
    /// or hold on some of its seats lapsed (not sold; never sold here);
    /// [`CatalogError::Store`] if the ledger failed: the seats
    /// stay sold here (never sold twice) but were not recorded, so the
    /// buyer must not be told they have them.
    pub fn confirm(&self, hold: HoldId) -> Result<SeatSale, CatalogError> {
        let holder = self.holders.lock().remove(&hold);
        if let (Some(h), Some(supply)) = (&holder, self.ledger.supply()) {
            if h.elsewhere && h.expires_at <= Instant::now() {
                // Confirmed late, its seats would be available here.
                if let Ok(seats) = self.seating.withdraw_hold(hold) {
                    let _ = supply.release_elsewhere(&seats);
                }
                return Err(SeatError::Expired(hold).into());
            }
        }
        let sale = self.seating.confirm(hold)?;
        let (customer, priority) = holder.map_or((Arc::from(""), Priority::Regular), |h| {
            (h.customer, h.priority)
        });
        let records = self.records(&sale, &customer, priority);
        self.ledger
            .record(&records)
            .map_err(|e| match e.lost_seats() {
                Some(seats) => CatalogError::SeatsLost {
                    event: self.event,
                    seats,
                },
                None => e.into(),
            })?;
        Ok(sale)
    }

    /// Gives a hold's seats back: they are available again.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Seats`] if the hold already ended.
    pub fn cancel(&self, hold: HoldId) -> Result<Vec<SeatId>, CatalogError> {
        let holder = self.holders.lock().remove(&hold);
        match self.ledger.supply() {
            Some(supply) if holder.is_some_and(|h| h.elsewhere) => {
                // Not leased here: off sale here again, back on sale there.
                let seats = self.seating.withdraw_hold(hold)?;
                supply.release_elsewhere(&seats)?;
                Ok(seats)
            }
            _ => Ok(self.seating.release_hold(hold)?),
        }
    }

    /// Ends the holds that lapsed and takes the seats a shared supply
    /// lost off sale here; returns how many holds and seats (more than
    /// 0: the map changed).
    pub fn reap(&self) -> usize {
        // The seating runs on the system clock (`Seating::new`).
        let now = Instant::now();
        let withdrawn = self.withdraw_lapsed(now);
        let reaped = withdrawn + self.seating.reap();
        self.holders.lock().retain(|_, h| h.expires_at > now);
        // After the reap: a lost seat whose hold lapsed goes off sale now.
        reaped + self.withdraw_lost()
    }

    /// Ends the lapsed holds taken through the shared supply before the
    /// seating reaps them: their seats go off sale here (reaped, they
    /// would be available here though not leased here). Returns how many.
    fn withdraw_lapsed(&self, now: Instant) -> usize {
        let Some(supply) = self.ledger.supply() else {
            return 0;
        };
        let mut lapsed: Vec<HoldId> = Vec::new();
        self.holders.lock().retain(|&id, h| {
            let gone = h.elsewhere && h.expires_at <= now;
            if gone {
                lapsed.push(id);
            }
            !gone
        });
        let mut withdrawn = 0;
        for id in lapsed {
            if let Ok(seats) = self.seating.withdraw_hold(id) {
                withdrawn += 1;
                // Lapsed there too; this only forgets it (an error
                // changes nothing a buyer could see).
                let _ = supply.release_elsewhere(&seats);
            }
        }
        withdrawn
    }

    /// One record per seat of `sale`, each at its own price as fixed when
    /// held (its tier's then): together they are the hold's price.
    fn records(&self, sale: &SeatSale, customer: &Arc<str>, priority: Priority) -> Vec<SeatRecord> {
        let sold_at = SystemTime::now();
        sale.seats
            .iter()
            .zip(sale.prices.iter())
            .filter_map(|(&id, price)| {
                let seat = self.map().seat(id)?;
                Some(SeatRecord {
                    seat: Arc::from(seat.to_string()),
                    ticket: SeatRecord::ticket_of(id),
                    tier: Arc::from(seat.tier),
                    price,
                    customer: Arc::clone(customer),
                    priority,
                    sold_at,
                    hold: sale.hold.0,
                })
            })
            .collect()
    }
}
