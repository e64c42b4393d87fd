//! Seated events on a lease node: seats sold from `lease_seats` (issue 18).
//!
//! The event opens with no seat on sale here. When best-available finds no
//! block, the node leases rows (one statement each, `FOR UPDATE SKIP
//! LOCKED`) and puts them on sale here, like a wave; their sales commit
//! fenced by the lease ([`SeatLeaseInventory::commit_sales`]). A specific
//! seat hold that names a seat not leased here holds all its seats in
//! PostgreSQL under row locks ([`SeatLeaseInventory::hold_specific`]) and
//! confirms there ([`SeatLeaseInventory::confirm_hold`]). A sale the
//! database did not record (lease or hold expired) is an error, never
//! answered as sold. Leases are not renewed yet: they last the node's
//! lease `ttl`, then other nodes may lease their unsold seats.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use ticketpool_catalog::ticketpool_seats::{Area, BestAvailable, SeatId, SeatMap};
use ticketpool_catalog::{
    CatalogError, SeatLedger, SeatLedgerFactory, SeatRecord, SeatSupply, StoreError, Wave,
    SEAT_TICKETS,
};

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
        let ledger: Arc<dyn SeatLedger> = Arc::new(LeaseSeats {
            node: node.clone(),
            event: event.id.0,
            ttl,
            state: Mutex::new(State {
                inventory,
                rows: Vec::new(),
                next: 0,
                held: HashMap::new(),
            }),
        });
        Ok::<_, CatalogError>(ledger)
    })
}

/// One seated event's seats on one lease node.
struct LeaseSeats {
    node: String,
    event: u64,
    ttl: Duration,
    state: Mutex<State>,
}

struct State {
    inventory: SeatLeaseInventory,
    /// Every (section, row) of the map, in map order: what to lease next.
    rows: Vec<(String, String)>,
    /// The row to try leasing first next time.
    next: usize,
    /// Seats held in PostgreSQL for a customer (not leased): their sale
    /// confirms the hold.
    held: HashMap<SeatId, String>,
}

impl LeaseSeats {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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
        let mut state = self.lock();
        // A hold is all leased here or all held there (SeatedEvent).
        let on_hold = sales.iter().any(|s| state.held.contains_key(&s.seat));
        let outcome = if on_hold {
            let outcome = state
                .inventory
                .confirm_hold(&self.node, self.event, &sales)
                .map_err(|e| store("confirm a seat hold", e))?;
            for seat in &outcome.committed {
                state.held.remove(seat);
            }
            outcome
        } else {
            state
                .inventory
                .commit_sales(&self.node, self.event, &sales)
                .map_err(|e| store("commit seat sales", e))?
        };
        if outcome.lost.is_empty() {
            Ok(())
        } else {
            Err(StoreError::new(format!(
                "{} seat(s) not sold: this node's lease or hold on them expired",
                outcome.lost.len()
            )))
        }
    }

    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError> {
        // Sales live in lease_seats; nothing is on sale here at open.
        Ok(Vec::new())
    }

    fn record_wave(&self, _: &Wave) -> Result<(), StoreError> {
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

impl SeatSupply for LeaseSeats {
    fn open(&self, map: &Arc<SeatMap>) -> Result<(), StoreError> {
        let mut state = self.lock();
        state
            .inventory
            .stock(self.event, &StockSeat::from_map(map))
            .map_err(|e| store("stock the event's seats", e))?;
        let mut rows: Vec<(String, String)> = Vec::new();
        for seat in map.seats() {
            if rows
                .last()
                .is_none_or(|(s, r)| s != seat.section || r != seat.row)
            {
                rows.push((seat.section.to_owned(), seat.row.to_owned()));
            }
        }
        state.rows = rows;
        Ok(())
    }

    fn lease_more(&self, want: &BestAvailable<'_>) -> Result<Vec<SeatId>, StoreError> {
        let mut state = self.lock();
        let count = state.rows.len();
        let mut leased = Vec::new();
        // One row per statement, from where the last lease stopped, until
        // the demand is met or every row was tried once.
        for step in 0..count {
            let at = (state.next + step) % count;
            let (section, row) = state.rows[at].clone();
            if matches!(want.area, Area::Section(s) if s != section) {
                continue;
            }
            let got = state
                .inventory
                .lease_rows(&self.node, self.event, &section, &[&row], self.ttl)
                .map_err(|e| store("lease seats", e))?;
            leased.extend(got.iter().map(|s| s.id));
            if leased.len() >= want.seats {
                state.next = (at + 1) % count;
                break;
            }
        }
        Ok(leased)
    }

    fn hold_elsewhere(&self, seats: &[SeatId], customer: &str) -> Result<Vec<SeatId>, StoreError> {
        let mut state = self.lock();
        let outcome = state
            .inventory
            .hold_specific(&self.node, self.event, seats, customer, self.ttl)
            .map_err(|e| store("hold seats", e))?;
        match outcome {
            SeatHoldOutcome::Held(held) => {
                state
                    .held
                    .extend(held.iter().map(|s| (s.id, customer.to_owned())));
                Ok(Vec::new())
            }
            SeatHoldOutcome::Taken(taken) => Ok(taken),
        }
    }

    fn release_elsewhere(&self, seats: &[SeatId]) -> Result<(), StoreError> {
        let mut state = self.lock();
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
                .release_hold(&self.node, self.event, &customer, &mine)
                .map_err(|e| store("release a seat hold", e))?;
        }
        Ok(())
    }
}
