//! A seated event whose seats come from a shared supply (a lease node's
//! `SeatSupply`), here a fake in memory: it opens with nothing on sale,
//! best-available leases more like a wave, a hold of seats not on sale
//! here goes to the supply all or nothing, and a cancelled such hold
//! takes its seats off sale here again; seats the supply lost go off
//! sale here.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use parking_lot::Mutex;
use ticketpool_catalog::ticketpool_seats::{
    BestAvailable, SeatError, SeatId, SeatMap, SeatState, VenueConfig,
};
use ticketpool_catalog::*;
use ticketpool_core::Priority;

use common::*;

const HALL: &str = r#"{
    "name": "Hall",
    "tiers": { "standard": 6000 },
    "sections": [{ "name": "Stalls", "tier": "standard", "rows": "A-C", "seats": "1-4" }]
}"#;

/// The shared inventory, faked: rows leased in order, seats held
/// elsewhere by name, seats another node has.
#[derive(Default)]
struct Fake {
    map: Mutex<Option<Arc<SeatMap>>>,
    leased_rows: Mutex<usize>,
    held: Mutex<HashSet<SeatId>>,
    taken: Mutex<HashSet<SeatId>>,
    recorded: Mutex<Vec<SeatRecord>>,
    /// Seats lost and not yet reported.
    lost: Mutex<Vec<SeatId>>,
}

#[derive(Clone)]
struct Ledger(Arc<Fake>);

impl SeatLedger for Ledger {
    fn record(&self, seats: &[SeatRecord]) -> Result<(), StoreError> {
        self.0.recorded.lock().extend_from_slice(seats);
        Ok(())
    }

    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError> {
        Ok(Vec::new())
    }

    fn record_wave(&self, wave: &Wave) -> Result<(), StoreError> {
        panic!("an event with a supply recorded the wave {wave:?}: it refuses waves itself")
    }

    fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        Ok(vec![Wave::Nothing])
    }

    fn supply(&self) -> Option<&dyn SeatSupply> {
        Some(self)
    }
}

impl SeatSupply for Ledger {
    fn open(&self, map: &Arc<SeatMap>) -> Result<(), StoreError> {
        *self.0.map.lock() = Some(Arc::clone(map));
        Ok(())
    }

    /// One row per call, A then B; C is never leased here.
    fn lease_more(&self, _: &BestAvailable<'_>) -> Result<Vec<SeatId>, StoreError> {
        let mut next = self.0.leased_rows.lock();
        let row = match *next {
            0 => "A",
            1 => "B",
            _ => return Ok(Vec::new()),
        };
        *next += 1;
        let map = self.0.map.lock().clone().unwrap();
        Ok(map.seats().filter(|s| s.row == row).map(|s| s.id).collect())
    }

    fn hold_elsewhere(&self, seats: &[SeatId], _: &str) -> Result<Vec<SeatId>, StoreError> {
        let taken = self.0.taken.lock();
        let lost: Vec<SeatId> = seats
            .iter()
            .copied()
            .filter(|s| taken.contains(s))
            .collect();
        if lost.is_empty() {
            self.0.held.lock().extend(seats.iter().copied());
        }
        Ok(lost)
    }

    fn release_elsewhere(&self, seats: &[SeatId]) -> Result<(), StoreError> {
        let mut held = self.0.held.lock();
        for seat in seats {
            held.remove(seat);
        }
        Ok(())
    }

    fn lost(&self) -> Vec<SeatId> {
        std::mem::take(&mut *self.0.lost.lock())
    }
}

/// A catalog whose seated event's seats come from `fake`, on sale, with
/// its seats and map.
fn on_sale_from(fake: &Arc<Fake>) -> (Catalog, Arc<SeatedEvent>, Arc<SeatMap>) {
    let ledger = Ledger(Arc::clone(fake));
    let options = CatalogOptions {
        seat_ledgers: Some(Arc::new(move |_event: &Event| {
            let ledger: Arc<dyn SeatLedger> = Arc::new(ledger.clone());
            Ok(ledger)
        })),
        ..CatalogOptions::default()
    };
    let catalog = Catalog::open_with(MemoryStore::new(), options).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog
        .set_seat_map(venue, serde_json::from_str::<VenueConfig>(HALL).unwrap())
        .unwrap();
    let id = catalog
        .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    let seats = catalog.seats(id).unwrap();
    let map = fake.map.lock().clone().expect("the supply was opened");
    (catalog, seats, map)
}

#[test]
fn seats_from_a_supply_open_off_sale_lease_on_demand_and_hold_elsewhere() {
    let fake = Arc::new(Fake::default());
    let (catalog, seats, map) = on_sale_from(&fake);
    assert_eq!(map.seat_count(), 12);
    assert_eq!(seats.snapshot().counts().not_on_sale, 12);

    // Best-available leases row A, then row B once A is short.
    let first = seats
        .best_available("ann", Priority::Regular, BestAvailable::anywhere(3))
        .unwrap();
    seats.confirm(first.id).unwrap();
    assert_eq!(*fake.leased_rows.lock(), 1);
    let second = seats
        .best_available("bob", Priority::Regular, BestAvailable::anywhere(3))
        .unwrap();
    seats.confirm(second.id).unwrap();
    assert_eq!(*fake.leased_rows.lock(), 2);
    assert_eq!(fake.recorded.lock().len(), 6);

    // Row C is not on sale here: a hold of it goes to the supply, all or
    // nothing, with a seat leased here too.
    fake.taken.lock().insert(map.find("Stalls C-4").unwrap());
    let refused = seats.hold("cy", Priority::Regular, &["Stalls C-3", "Stalls C-4"]);
    assert!(matches!(
        refused,
        Err(CatalogError::Seats(SeatError::Unavailable { .. }))
    ));
    assert_eq!(seats.state("Stalls C-3"), Some(SeatState::NotOnSale));
    assert!(fake.held.lock().is_empty());
    let leased_here = seats
        .snapshot()
        .seats()
        .find(|&(_, s)| s == SeatState::Available)
        .map(|(id, _)| map.seat(id).unwrap().to_string())
        .unwrap();
    let held = seats
        .hold("cy", Priority::Regular, &["Stalls C-1", &leased_here])
        .unwrap();
    assert_eq!(fake.held.lock().len(), 2);
    assert_eq!(seats.state("Stalls C-1"), Some(SeatState::Held));
    // Cancelled: off sale here again (not leased here), given back there.
    seats.cancel(held.id).unwrap();
    assert_eq!(seats.state("Stalls C-1"), Some(SeatState::NotOnSale));
    assert!(fake.held.lock().is_empty());
    // Nothing more to lease: best-available says no block, as without a
    // supply.
    let none = seats.best_available("dee", Priority::Regular, BestAvailable::anywhere(4));
    assert!(matches!(
        none,
        Err(CatalogError::Seats(SeatError::NoBlock { .. }))
    ));
    // The supply puts seats on sale: vendors' waves are refused, typed,
    // before the ledger is asked to record one.
    let event = seats.event();
    let off_sale = seats.snapshot().counts().not_on_sale;
    let refused = seats.release_wave(Wave::Section("Stalls".into()));
    assert!(
        matches!(refused, Err(CatalogError::SeatWavesUnsupported(e)) if e == event),
        "{refused:?}"
    );
    let refused = catalog.seats_in_waves(event).map(|_| ());
    assert!(
        matches!(refused, Err(CatalogError::SeatWavesUnsupported(e)) if e == event),
        "{refused:?}"
    );
    assert_eq!(seats.snapshot().counts().not_on_sale, off_sale);
}

#[test]
fn seats_the_supply_lost_go_off_sale_here_and_are_held_through_it() {
    let fake = Arc::new(Fake::default());
    let (_catalog, seats, map) = on_sale_from(&fake);
    // Row A leased, one seat of it held here, then all of row A lost.
    let ann = seats
        .best_available("ann", Priority::Regular, BestAvailable::anywhere(1))
        .unwrap();
    let held = ann.seats[0];
    let label = |id: SeatId| map.seat(id).unwrap().to_string();
    let row_a: Vec<SeatId> = map.seats().filter(|s| s.row == "A").map(|s| s.id).collect();
    fake.lost.lock().extend(row_a.iter().copied());

    // Off sale on the map, not sold to anyone; the held one stays held.
    let snapshot = seats.snapshot();
    for &id in &row_a {
        let want = if id == held {
            SeatState::Held
        } else {
            SeatState::NotOnSale
        };
        assert_eq!(snapshot.state(id), Some(want), "{}", label(id));
    }
    assert_eq!(snapshot.counts().available, 0);
    assert_eq!(snapshot.counts().sold, 0);

    // Best-available offers none of them: it leases row B.
    let bob = seats
        .best_available("bob", Priority::Regular, BestAvailable::anywhere(3))
        .unwrap();
    assert!(bob.seats.iter().all(|id| !row_a.contains(id)));
    assert_eq!(*fake.leased_rows.lock(), 2);

    // The held one goes off sale once its hold ends, not back on sale.
    seats.cancel(ann.id).unwrap();
    assert_eq!(seats.reap(), 1, "the lost seat went off sale");
    assert_eq!(seats.state(&label(held)), Some(SeatState::NotOnSale));

    // A specific hold of a lost seat goes through the supply.
    let cy = seats
        .hold("cy", Priority::Regular, &["Stalls A-2"])
        .unwrap();
    assert!(fake.held.lock().contains(&map.find("Stalls A-2").unwrap()));
    seats.confirm(cy.id).unwrap();
    assert_eq!(seats.state("Stalls A-2"), Some(SeatState::Sold));
}
