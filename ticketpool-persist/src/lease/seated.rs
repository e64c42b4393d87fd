//! Seated events on a lease node: seats sold from `lease_seats` (issue 18).
//!
//! The event opens with no seat on sale here. When best-available finds no
//! block, the node leases whole rows in one statement
//! ([`SeatLeaseInventory::lease_block`], `FOR UPDATE SKIP LOCKED`; sold out
//! costs that one statement) and puts them on sale here, like a wave; their
//! sales commit fenced by the lease ([`SeatLeaseInventory::commit_sales`]).
//! A specific seat hold that names a seat not leased here holds all its
//! seats in PostgreSQL under row locks
//! ([`SeatLeaseInventory::hold_specific`]) and confirms there
//! ([`SeatLeaseInventory::confirm_hold`]). A sale the database did not
//! record (lease or hold expired) is an error, never answered as sold.
//! The leases are renewed on the ticket leases' schedule while the ledger
//! lives (seats a renewal could not extend are no longer sold here, and
//! are reported through [`SeatSupply::lost`] so the event takes them off
//! its seat map) and handed back, one statement, when it is dropped with
//! the catalog.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use ticketpool_catalog::ticketpool_seats::{Area, BestAvailable, SeatId, SeatMap};
use ticketpool_catalog::{
    CatalogError, SeatLedger, SeatLedgerFactory, SeatRecord, SeatSupply, StoreError, Wave,
    SEAT_TICKETS,
};

use super::node_renewal::RenewSchedule;
use super::seats::{SeatHoldOutcome, SeatLeaseInventory, SeatSaleToCommit, StockSeat};
use crate::PersistError;

/// Why a lease node without seat leases sells no seats, as buyers and
/// admins read it.
pub(crate) const LEASE_NODE_SEATS: &str =
    "a lease node (serve --lease-node) does not sell seats yet: seats are not \
     leased from lease_seats, and this node's own copy of the seat map could sell \
     a seat another node sold; the event's general admission tickets are on sale";

/// The seat ledgers of a lease-mode catalog that does not sell seats:
/// every seated event's seats are refused with
/// [`CatalogError::SeatsUnsupported`], so none is sold from a node-local
/// copy (which could hold a seat another node sold).
pub(crate) fn lease_node_refuses_seats() -> SeatLedgerFactory {
    Arc::new(|event| {
        Err(CatalogError::SeatsUnsupported {
            event: event.id,
            reason: LEASE_NODE_SEATS.to_owned(),
        })
    })
}

/// The seat ledgers of a lease-mode catalog that sells seats: each seated event's seats
/// come from `lease_seats` in `schema`, leased as `node` for `ttl`.
pub(crate) fn lease_node_seat_ledgers(
    params: String,
    schema: String,
    node: String,
    ttl: Duration,
) -> SeatLedgerFactory {
    Arc::new(move |event| {
        let inventory = SeatLeaseInventory::connect(&params, &schema).map_err(|e| {
            StoreError::with_source(format!("cannot open the seat leases in {schema}"), e)
        })?;
        let shared = Arc::new(Shared {
            params: params.clone(),
            schema: schema.clone(),
            node: node.clone(),
            event: event.id.0,
            ttl,
            state: Mutex::new(State {
                inventory,
                leased: HashSet::new(),
                lost: HashSet::new(),
                held: HashMap::new(),
            }),
            newly_lost: Mutex::new(Vec::new()),
        });
        let ledger: Arc<dyn SeatLedger> = Arc::new(LeaseSeats::start(shared)?);
        Ok::<_, CatalogError>(ledger)
    })
}

/// One seated event's seats on one lease node. Dropped (with the
/// catalog), it stops renewing and hands back every seat it leased.
struct LeaseSeats {
    shared: Arc<Shared>,
    /// Dropped to stop the renewer.
    stop: Option<Sender<()>>,
    renewer: Option<JoinHandle<()>>,
}

/// What the ledger and its renewer share.
struct Shared {
    /// To reconnect after a failed renewal.
    params: String,
    schema: String,
    node: String,
    event: u64,
    ttl: Duration,
    state: Mutex<State>,
    /// Seats a renewal found lost that the event has not taken off sale
    /// yet ([`SeatSupply::lost`]): apart from `state`, so the event's
    /// frequent polls never wait on a renewal's statement.
    newly_lost: Mutex<Vec<SeatId>>,
}

struct State {
    inventory: SeatLeaseInventory,
    /// Seats leased here and not sold, lost or held since: exactly what a
    /// renewal names, so a short renewal names the seats lost.
    leased: HashSet<SeatId>,
    /// Seats whose lease this node lost (a renewal or a commit found it
    /// gone): not sold here, and left to lapse if leased here again.
    lost: HashSet<SeatId>,
    /// Seats held in PostgreSQL for a customer (not leased): their sale
    /// confirms the hold.
    held: HashMap<SeatId, String>,
}

impl LeaseSeats {
    /// Starts renewing `shared`'s leases on the ticket leases' schedule.
    fn start(shared: Arc<Shared>) -> Result<Self, StoreError> {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let renewing = Arc::clone(&shared);
        let renewer = thread::Builder::new()
            .name(format!("seat-renew-{}", shared.node))
            .spawn(move || renewing.renew_until(&stopped))
            .map_err(|e| StoreError::with_source("cannot start the seat lease renewer", e))?;
        Ok(Self {
            shared,
            stop: Some(stop),
            renewer: Some(renewer),
        })
    }
}

impl Drop for LeaseSeats {
    /// The clean stop: no more renewals, then the unsold leased seats back
    /// on sale in one statement (and the node's open holds released), so
    /// other nodes lease them at once. A killed node does none of this:
    /// its seats return when their leases expire.
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
        let shared = &self.shared;
        let mut state = shared.lock();
        // Errors change nothing a buyer could see: the leases expire.
        let _ = state.inventory.hand_back_all(&shared.node, shared.event);
        let mut by_customer: HashMap<String, Vec<SeatId>> = HashMap::new();
        for (seat, customer) in std::mem::take(&mut state.held) {
            by_customer.entry(customer).or_default().push(seat);
        }
        for (customer, seats) in by_customer {
            let _ = state
                .inventory
                .release_hold(&shared.node, shared.event, &customer, &seats);
        }
        state.leased.clear();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Renews on the ticket leases' schedule until `stop` is dropped.
    fn renew_until(&self, stop: &Receiver<()>) {
        let mut schedule = RenewSchedule::new(self.ttl);
        while let Err(RecvTimeoutError::Timeout) = stop.recv_deadline(schedule.next()) {
            self.renew();
            schedule.renewed();
        }
    }

    /// Extends the leases on the seats this node knows it holds, under the
    /// ledger's lock (so no sale or hold changes them meanwhile); the
    /// seats not extended are lost: no longer sold here.
    fn renew(&self) {
        let mut state = self.lock();
        let known: Vec<SeatId> = state.leased.iter().copied().collect();
        match state
            .inventory
            .renew_or_lost(&self.node, self.event, &known, self.ttl)
        {
            Ok(lost) => {
                for &seat in &lost {
                    state.leased.remove(&seat);
                    state.lost.insert(seat);
                }
                // For the event to take off sale here.
                self.newly_lost
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(lost);
            }
            Err(_) => {
                // Perhaps a broken connection: a fresh one for the next
                // try; a lease outlives two missed renewals.
                if let Ok(fresh) = SeatLeaseInventory::connect(&self.params, &self.schema) {
                    state.inventory = fresh;
                }
            }
        }
    }
}

fn store(what: &str, error: PersistError) -> StoreError {
    StoreError::with_source(format!("seat leases: cannot {what}"), error)
}

impl SeatLedger for LeaseSeats {
    fn record(&self, seats: &[SeatRecord]) -> Result<(), StoreError> {
        let sales: Vec<SeatSaleToCommit> = seats
            .iter()
            .map(|r| SeatSaleToCommit {
                seat: SeatId(u32::try_from(r.ticket.0 - SEAT_TICKETS).unwrap_or(u32::MAX)),
                customer: r.customer.to_string(),
                price: r.price,
            })
            .collect();
        let (node, event) = (&self.shared.node, self.shared.event);
        let mut state = self.shared.lock();
        // A hold is all leased here or all held there (SeatedEvent).
        let on_hold = sales.iter().any(|s| state.held.contains_key(&s.seat));
        let outcome = if on_hold {
            let outcome = state
                .inventory
                .confirm_hold(node, event, &sales)
                .map_err(|e| store("confirm a seat hold", e))?;
            for seat in &outcome.committed {
                state.held.remove(seat);
            }
            outcome
        } else {
            let lost = sales
                .iter()
                .filter(|s| state.lost.contains(&s.seat))
                .count();
            if lost > 0 {
                // A renewal already found these gone: no statement.
                return Err(lease_lost(lost));
            }
            let outcome = state
                .inventory
                .commit_sales(node, event, &sales)
                .map_err(|e| store("commit seat sales", e))?;
            for seat in outcome.committed.iter().chain(&outcome.lost) {
                state.leased.remove(seat);
            }
            state.lost.extend(outcome.lost.iter().copied());
            outcome
        };
        if outcome.lost.is_empty() {
            Ok(())
        } else {
            Err(lease_lost(outcome.lost.len()))
        }
    }

    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError> {
        // Sales live in lease_seats; nothing is on sale here at open.
        Ok(Vec::new())
    }

    fn record_wave(&self, _: &Wave) -> Result<(), StoreError> {
        // Never called: the event refuses waves itself for a ledger with a
        // supply (`CatalogError::SeatWavesUnsupported`).
        Err(StoreError::new(
            "a lease node puts seats on sale by leasing them; vendors' waves are not supported",
        ))
    }

    fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        Ok(vec![Wave::Nothing])
    }

    fn supply(&self) -> Option<&dyn SeatSupply> {
        Some(self)
    }
}

/// A sale the database did not record, as the buyer's error.
fn lease_lost(seats: usize) -> StoreError {
    StoreError::seats_lost(
        seats,
        format!("{seats} seat(s) not sold: this node's lease or hold on them expired"),
    )
}

impl SeatSupply for LeaseSeats {
    fn open(&self, map: &Arc<SeatMap>) -> Result<(), StoreError> {
        let (node, event) = (&self.shared.node, self.shared.event);
        let mut state = self.shared.lock();
        state
            .inventory
            .stock(event, &StockSeat::from_map(map))
            .map_err(|e| store("stock the event's seats", e))?;
        // Leases under this name now are an earlier run's (a killed
        // node's): this run does not know them, so they go back on sale
        // rather than wait for their expiry.
        state
            .inventory
            .hand_back_all(node, event)
            .map_err(|e| store("hand back an earlier run's seat leases", e))?;
        Ok(())
    }

    fn lease_more(&self, want: &BestAvailable<'_>) -> Result<Vec<SeatId>, StoreError> {
        let (node, event) = (&self.shared.node, self.shared.event);
        let section = match want.area {
            Area::Section(section) => Some(section),
            Area::Tier(_) | Area::Anywhere => None,
        };
        let mut state = self.shared.lock();
        loop {
            // One statement, whatever is left: nothing leasable (sold
            // out) costs no more than a lease.
            let got = state
                .inventory
                .lease_block(node, event, section, want.seats.max(1), self.shared.ttl)
                .map_err(|e| store("lease seats", e))?;
            if got.is_empty() {
                return Ok(Vec::new());
            }
            // Seats lost here once may be sold in this node's seating
            // already (a sale that came back lost): never sold here, they
            // stay leased, unrenewed, and lapse back to the other nodes.
            // Each round leases new rows, so this ends.
            let fresh: Vec<SeatId> = got
                .iter()
                .map(|s| s.id)
                .filter(|seat| !state.lost.contains(seat))
                .collect();
            if !fresh.is_empty() {
                state.leased.extend(fresh.iter().copied());
                return Ok(fresh);
            }
        }
    }

    fn hold_elsewhere(&self, seats: &[SeatId], customer: &str) -> Result<Vec<SeatId>, StoreError> {
        let (node, event) = (&self.shared.node, self.shared.event);
        let mut state = self.shared.lock();
        let outcome = state
            .inventory
            .hold_specific(node, event, seats, customer, self.shared.ttl)
            .map_err(|e| store("hold seats", e))?;
        match outcome {
            SeatHoldOutcome::Held(held) => {
                for seat in &held {
                    // The hold's now, not a lease: renewals skip it.
                    state.leased.remove(&seat.id);
                    state.lost.remove(&seat.id);
                    state.held.insert(seat.id, customer.to_owned());
                }
                Ok(Vec::new())
            }
            SeatHoldOutcome::Taken(taken) => Ok(taken),
        }
    }

    fn lost(&self) -> Vec<SeatId> {
        std::mem::take(
            &mut *self
                .shared
                .newly_lost
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn release_elsewhere(&self, seats: &[SeatId]) -> Result<(), StoreError> {
        let (node, event) = (&self.shared.node, self.shared.event);
        let mut state = self.shared.lock();
        // One customer per hold; grouped anyway, as the statement takes one.
        let mut by_customer: HashMap<String, Vec<SeatId>> = HashMap::new();
        for seat in seats {
            if let Some(customer) = state.held.remove(seat) {
                by_customer.entry(customer).or_default().push(*seat);
            }
        }
        for (customer, mine) in by_customer {
            state
                .inventory
                .release_hold(node, event, &customer, &mine)
                .map_err(|e| store("release a seat hold", e))?;
        }
        Ok(())
    }
}
