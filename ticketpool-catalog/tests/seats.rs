//! Seated events in the catalog, on the memory store and a ledger in
//! memory: the seat map is kept with the venue, a seated event's seats
//! open from its ledger (sold seats sold, held seats free), and the rules
//! around them.

mod common;

use std::sync::Arc;

use parking_lot::Mutex;
use ticketpool_catalog::ticketpool_seats::{BestAvailable, SeatError, SeatState, VenueConfig};
use ticketpool_catalog::*;
use ticketpool_core::{Money, Priority};

use common::*;

const HALL: &str = r#"{
    "name": "Hall",
    "tiers": { "standard": 6000, "premium": 9000 },
    "sections": [{ "name": "Stalls", "tier": "standard", "rows": "A-B", "seats": "1-5",
                   "row_tiers": { "A": "premium" } }]
}"#;

fn hall() -> VenueConfig {
    serde_json::from_str(HALL).unwrap()
}

/// A ledger in memory, shared across reopens like a journal file.
#[derive(Clone, Default)]
struct Ledger(Arc<Mutex<Vec<SeatRecord>>>, Arc<Mutex<Vec<Wave>>>);

impl SeatLedger for Ledger {
    fn record(&self, seats: &[SeatRecord]) -> Result<(), StoreError> {
        self.0.lock().extend_from_slice(seats);
        Ok(())
    }

    fn sold(&self) -> Result<Vec<SeatRecord>, StoreError> {
        Ok(self.0.lock().clone())
    }

    fn record_wave(&self, wave: &Wave) -> Result<(), StoreError> {
        self.1.lock().push(wave.clone());
        Ok(())
    }

    fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        Ok(self.1.lock().clone())
    }
}

fn options(ledger: &Ledger) -> CatalogOptions {
    let ledger = ledger.clone();
    CatalogOptions {
        seat_ledgers: Some(Arc::new(move |_event: &Event| {
            let ledger: Arc<dyn SeatLedger> = Arc::new(ledger.clone());
            Ok(ledger)
        })),
        ..CatalogOptions::default()
    }
}

#[test]
fn a_seated_event_reopens_with_its_seats_sold_and_holds_gone() {
    let (store, ledger) = (MemoryStore::new(), Ledger::default());
    let catalog = Catalog::open_with(store.clone(), options(&ledger)).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog.set_seat_map(venue, hall()).unwrap();
    let id = catalog
        .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    assert!(matches!(catalog.seats(id), Err(CatalogError::NoOffice(_))));
    catalog.put_on_sale(id).unwrap();
    let seats = catalog.seats(id).unwrap();
    let best = seats
        .best_available("ann", Priority::Vip, BestAvailable::in_tier("premium", 3))
        .unwrap();
    let sale = seats.confirm(best.id).unwrap();
    assert_eq!(sale.price, Money::from_minor(27_000));
    let held = seats
        .hold("bob", Priority::Regular, &["Stalls B-1"])
        .unwrap();
    let freed = seats
        .hold("cy", Priority::Regular, &["Stalls B-2"])
        .unwrap();
    seats.cancel(freed.id).unwrap();
    assert_eq!(seats.state("Stalls B-2"), Some(SeatState::Available));
    // One record per seat, each at its price: together the hold's.
    let records = ledger.sold().unwrap();
    assert_eq!(records.len(), 3);
    let total: i64 = records.iter().map(|r| r.price.minor()).sum();
    assert_eq!(total, 27_000);
    assert!(records
        .iter()
        .all(|r| &*r.customer == "ann" && &*r.tier == "premium"));
    assert!(records.iter().all(|r| r.ticket.0 >= SEAT_TICKETS));
    drop((seats, held));
    drop(catalog);

    let catalog = Catalog::open_with(store, options(&ledger)).unwrap();
    assert_eq!(catalog.seat_map(venue).unwrap().seat_count(), 10);
    let seats = catalog.seats(id).unwrap();
    for record in &records {
        assert_eq!(seats.state(&record.seat), Some(SeatState::Sold));
    }
    assert_eq!(seats.state("Stalls B-1"), Some(SeatState::Available));
    let again = seats.hold("dee", Priority::Vip, &[&records[0].seat]);
    assert!(matches!(
        again,
        Err(CatalogError::Seats(SeatError::Unavailable { .. }))
    ));
    assert_eq!(seats.snapshot().counts().sold, 3);
}

#[test]
fn seats_released_in_waves_reopen_as_they_were() {
    let (store, ledger) = (MemoryStore::new(), Ledger::default());
    let catalog = Catalog::open_with(store.clone(), options(&ledger)).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog.set_seat_map(venue, hall()).unwrap();
    let id = catalog
        .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    let seats = catalog.seats_in_waves(id).unwrap();
    assert!(seats.in_waves());
    assert_eq!(seats.snapshot().counts().not_on_sale, 10);
    assert_eq!(ledger.waves().unwrap(), vec![Wave::Nothing]);
    // Unknown names: typed errors, nothing recorded, nothing on sale.
    for wave in [
        Wave::Section("Balcony".into()),
        Wave::Tier("gold".into()),
        Wave::Block {
            section: "Stalls".into(),
            rows: "Z".into(),
        },
    ] {
        let err = seats.release_wave(wave.clone());
        assert!(
            matches!(
                err,
                Err(CatalogError::Seats(
                    SeatError::UnknownSection(_)
                        | SeatError::UnknownTier(_)
                        | SeatError::UnknownRow { .. }
                ))
            ),
            "{wave:?}: {err:?}"
        );
    }
    assert_eq!(ledger.waves().unwrap(), vec![Wave::Nothing]);
    assert_eq!(seats.snapshot().counts().not_on_sale, 10);
    // Row A (premium) in a wave; B stays off sale.
    assert_eq!(seats.release_wave(Wave::Tier("premium".into())).unwrap(), 5);
    assert_eq!(seats.state("Stalls B-1"), Some(SeatState::NotOnSale));
    let off = seats.hold("ann", Priority::Vip, &["Stalls B-1"]);
    assert!(matches!(
        off,
        Err(CatalogError::Seats(SeatError::Unavailable { .. }))
    ));
    let ann = seats
        .hold("ann", Priority::Vip, &["Stalls A-1", "Stalls A-2"])
        .unwrap();
    seats.confirm(ann.id).unwrap();
    let _held = seats
        .hold("bob", Priority::Regular, &["Stalls A-3"])
        .unwrap();
    assert_eq!(
        seats
            .release_wave(Wave::Block {
                section: "Stalls".into(),
                rows: "B".into()
            })
            .unwrap(),
        5
    );
    // Releasing again puts nothing new on sale and leaves sold seats sold.
    assert_eq!(seats.release_wave(Wave::All).unwrap(), 0);
    assert_eq!(seats.state("Stalls A-1"), Some(SeatState::Sold));
    drop(seats);
    // Already in waves: asked again, the same seats.
    assert!(catalog.seats_in_waves(id).unwrap().in_waves());
    drop(catalog);

    // Reopened before the last two waves: B off sale, A's sold seats sold.
    let partial = Ledger(
        Arc::new(Mutex::new(ledger.sold().unwrap())),
        Arc::new(Mutex::new(ledger.waves().unwrap()[..2].to_vec())),
    );
    let catalog = Catalog::open_with(store.clone(), options(&partial)).unwrap();
    let seats = catalog.seats(id).unwrap();
    assert!(seats.in_waves());
    assert_eq!(seats.state("Stalls A-1"), Some(SeatState::Sold));
    assert_eq!(seats.state("Stalls A-3"), Some(SeatState::Available));
    assert_eq!(seats.state("Stalls B-5"), Some(SeatState::NotOnSale));
    let counts = seats.snapshot().counts();
    assert_eq!(
        (counts.sold, counts.available, counts.not_on_sale),
        (2, 3, 5)
    );
    drop((seats, catalog));

    // Reopened after them all: every unsold seat available.
    let catalog = Catalog::open_with(store, options(&ledger)).unwrap();
    let seats = catalog.seats(id).unwrap();
    let counts = seats.snapshot().counts();
    assert_eq!(
        (counts.sold, counts.available, counts.not_on_sale),
        (2, 8, 0)
    );
}

#[test]
fn an_event_already_all_on_sale_cannot_go_in_waves() {
    let (store, ledger) = (MemoryStore::new(), Ledger::default());
    let catalog = Catalog::open_with(store.clone(), options(&ledger)).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog.set_seat_map(venue, hall()).unwrap();
    let id = catalog
        .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    let seats = catalog.seats(id).unwrap();
    assert!(!seats.in_waves());
    let ann = seats.hold("ann", Priority::Vip, &["Stalls A-1"]).unwrap();
    seats.confirm(ann.id).unwrap();
    assert!(matches!(
        catalog.seats_in_waves(id),
        Err(CatalogError::Invalid { .. })
    ));
    drop((seats, catalog));
    // Nor after a restart, with a sale and no wave recorded.
    let catalog = Catalog::open_with(store, options(&ledger)).unwrap();
    assert!(matches!(
        catalog.seats_in_waves(id),
        Err(CatalogError::Invalid { .. })
    ));
    assert_eq!(catalog.seats(id).unwrap().snapshot().counts().available, 9);
    assert!(ledger.waves().unwrap().is_empty());
}

#[test]
fn a_mixed_tier_hold_records_each_seat_at_its_tiers_price() {
    let (store, ledger) = (MemoryStore::new(), Ledger::default());
    let catalog = Catalog::open_with(store, options(&ledger)).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog.set_seat_map(venue, hall()).unwrap();
    let id = catalog
        .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    let seats = catalog.seats(id).unwrap();
    let hold = seats
        .hold("ann", Priority::Regular, &["Stalls A-1", "Stalls B-1"])
        .unwrap();
    assert_eq!(hold.price, Money::from_minor(15_000));
    // A price change after the hold does not reach it.
    seats
        .seating()
        .set_tier_price("premium", Money::from_minor(1))
        .unwrap();
    let sale = seats.confirm(hold.id).unwrap();
    assert_eq!(sale.price, Money::from_minor(15_000));
    let records = ledger.sold().unwrap();
    let sold: Vec<(&str, &str, i64)> = records
        .iter()
        .map(|r| (&*r.seat, &*r.tier, r.price.minor()))
        .collect();
    assert_eq!(
        sold,
        vec![
            ("Stalls A-1", "premium", 9_000),
            ("Stalls B-1", "standard", 6_000)
        ]
    );
    let total: i64 = records.iter().map(|r| r.price.minor()).sum();
    assert_eq!(total, sale.price.minor());
}

#[test]
fn seat_maps_follow_the_rules() {
    let f = fixture();
    // A general-admission venue's events have no seats.
    let plain = f
        .catalog
        .create_event(new_event("plain", f.venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(plain).unwrap();
    assert!(!f.catalog.is_seated(plain));
    assert!(matches!(
        f.catalog.seats(plain),
        Err(CatalogError::NotSeated(_))
    ));
    // Unknown venue, invalid map, too many seats for the venue.
    assert!(matches!(
        f.catalog.set_seat_map(VenueId(99), hall()),
        Err(CatalogError::UnknownVenue(_))
    ));
    let mut bad = hall();
    bad.sections[0].tier = "gold".into();
    assert!(matches!(
        f.catalog.set_seat_map(f.venue, bad),
        Err(CatalogError::SeatMap(_))
    ));
    let small = f.catalog.add_venue(venue("Club", "Leeds", 5)).unwrap();
    assert!(matches!(
        f.catalog.set_seat_map(small, hall()),
        Err(CatalogError::Invalid { .. })
    ));
    // Once an event there sells seats, the map stays as it is.
    f.catalog.set_seat_map(f.venue, hall()).unwrap();
    assert!(f.catalog.is_seated(plain));
    let seats = f.catalog.seats(plain).unwrap();
    assert!(matches!(
        f.catalog.set_seat_map(f.venue, hall()),
        Err(CatalogError::Invalid { .. })
    ));
    // A cancelled event holds no more seats.
    f.catalog.cancel(plain).unwrap();
    assert!(matches!(
        seats.hold("ann", Priority::Vip, &["Stalls A-1"]),
        Err(CatalogError::SeatsClosed(_))
    ));
}

/// Polls a future once with a waker that does nothing.
fn poll_once<F: std::future::Future>(future: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = std::task::Waker::from(Arc::new(Noop));
    future.poll(&mut std::task::Context::from_waker(&waker))
}

/// Buyers waiting for best-available seats of a seated event are served
/// when a hold is cancelled, each with seats of their own, and the hold is
/// theirs to confirm (recorded under their name); a dropped wait holds
/// nothing. (The order rules are tested in `ticketpool-seats`.)
#[test]
fn waiting_for_best_available_seats_through_the_catalog() {
    let (store, ledger) = (MemoryStore::new(), Ledger::default());
    let catalog = Catalog::open_with(store, options(&ledger)).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog.set_seat_map(venue, hall()).unwrap();
    let id = catalog
        .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    let seats = catalog.seats(id).unwrap();
    let row_a = seats
        .best_available(
            "ann",
            Priority::Regular,
            BestAvailable::in_tier("premium", 5),
        )
        .unwrap();
    let want = || BestAvailable::in_tier("premium", 2);
    let mut regular = Box::pin(seats.wait_best_available("reg", Priority::Regular, want()));
    let mut vip = Box::pin(seats.wait_best_available("vip", Priority::Vip, want()));
    assert!(poll_once(regular.as_mut()).is_pending());
    assert!(poll_once(vip.as_mut()).is_pending());
    let mut dropped = Box::pin(seats.wait_best_available("gone", Priority::Vip, want()));
    assert!(poll_once(dropped.as_mut()).is_pending());
    drop(dropped);
    assert_eq!(seats.seating().waiting_for_seats(), 2);
    seats.cancel(row_a.id).unwrap();
    let std::task::Poll::Ready(Ok(vips)) = poll_once(vip.as_mut()) else {
        panic!("the VIP should be served");
    };
    let std::task::Poll::Ready(Ok(regulars)) = poll_once(regular.as_mut()) else {
        panic!("two more premium seats were free");
    };
    assert!(vips.seats.iter().all(|s| !regulars.seats.contains(s)));
    assert_eq!(seats.seating().hold_count(), 2);
    seats.confirm(vips.id).unwrap();
    let records = ledger.sold().unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| &*r.customer == "vip"), "{records:?}");
}

/// A sale that ends leaves nobody waiting for its seats: cancelling the
/// event ends the waits in line with `SeatsClosed`, holding nothing, and
/// so does closing the sales of another; a wait started later is refused.
#[test]
fn ending_a_sale_ends_the_waits_for_its_seats() {
    let (store, ledger) = (MemoryStore::new(), Ledger::default());
    let catalog = Catalog::open_with(store, options(&ledger)).unwrap();
    let venue = catalog.add_venue(venue("Hall", "Leeds", 100)).unwrap();
    catalog.set_seat_map(venue, hall()).unwrap();
    for end in ["cancel", "close sales"] {
        let id = catalog
            .create_event(new_event("gig", venue, "2030-01-01T20:00:00Z"))
            .unwrap();
        catalog.put_on_sale(id).unwrap();
        let seats = catalog.seats(id).unwrap();
        let _all = seats
            .best_available(
                "ann",
                Priority::Regular,
                BestAvailable::in_tier("premium", 5),
            )
            .unwrap();
        let want = || BestAvailable::in_tier("premium", 2);
        let mut waiting = Box::pin(seats.wait_best_available("bob", Priority::Vip, want()));
        assert!(poll_once(waiting.as_mut()).is_pending());
        match end {
            "cancel" => catalog.cancel(id).unwrap(),
            _ => catalog.close_sales(id).unwrap(),
        }
        assert!(
            matches!(
                poll_once(waiting.as_mut()),
                std::task::Poll::Ready(Err(CatalogError::SeatsClosed(e))) if e == id
            ),
            "{end}: the wait ends"
        );
        assert_eq!(seats.seating().waiting_for_seats(), 0, "{end}");
        assert_eq!(seats.seating().hold_count(), 1, "{end}: only ann's hold");
        let mut late = Box::pin(seats.wait_best_available("cat", Priority::Vip, want()));
        assert!(
            matches!(
                poll_once(late.as_mut()),
                std::task::Poll::Ready(Err(CatalogError::SeatsClosed(_)))
            ),
            "{end}: a later wait is refused"
        );
    }
}
