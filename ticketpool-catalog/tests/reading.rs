//! Reading the catalog: upcoming events, "popular now", availability.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ticketpool_catalog::*;
use ticketpool_core::{BoxOfficeConfig, Money, Priority};

#[test]
fn upcoming_lists_visible_events_after_now_soonest_first() {
    let f = fixture();
    let make = |name: &str, when: &str, on_sale: bool| {
        let id = f
            .catalog
            .create_event(new_event(name, f.venue, when))
            .unwrap();
        if on_sale {
            f.catalog.put_on_sale(id).unwrap();
        }
        id
    };
    let later = make("later", "2030-03-01T00:00:00Z", true);
    let sooner = make("sooner", "2030-02-01T00:00:00Z", true);
    let _draft = make("draft", "2030-01-15T00:00:00Z", false);
    let _gone = make("gone", "2029-01-01T00:00:00Z", true);
    let cancelled = make("cancelled", "2030-02-15T00:00:00Z", true);
    f.catalog.cancel(cancelled).unwrap();
    let paused = make("paused", "2030-04-01T00:00:00Z", true);
    f.catalog.pause(paused).unwrap();

    let now = at("2030-01-01T00:00:00Z");
    let names = |events: Vec<Event>| events.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(
        names(f.catalog.upcoming(now, 10)),
        vec![sooner, later, paused]
    );
    assert_eq!(names(f.catalog.upcoming(now, 1)), vec![sooner]);
    assert_eq!(
        names(f.catalog.upcoming(at("2030-02-01T00:00:00Z"), 10)),
        vec![later, paused]
    );

    // Rescheduling moves it in the list.
    let update = EventUpdate {
        starts_at: Some(at("2030-05-01T00:00:00Z")),
        ..EventUpdate::default()
    };
    f.catalog.update_event(sooner, update).unwrap();
    assert_eq!(
        names(f.catalog.upcoming(now, 10)),
        vec![later, paused, sooner]
    );
}

/// An event on sale with `tickets` released to a desk.
fn stocked(f: &Fixture, name: &str, tickets: u64) -> EventId {
    let mut new = new_event(name, f.venue, "2030-01-01T00:00:00Z");
    new.office = BoxOfficeConfig::simple("x", tickets, tickets as usize, Money::from_minor(1_000));
    let id = f.catalog.create_event(new).unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let desk = f
        .catalog
        .office(id)
        .unwrap()
        .add_vendor("desk", &[])
        .unwrap();
    for _ in 0..tickets {
        desk.release("general").unwrap();
    }
    id
}

fn sell(f: &Fixture, id: EventId, tickets: usize) {
    let buyer = f
        .catalog
        .office(id)
        .unwrap()
        .customer("fan", Priority::Regular);
    for _ in 0..tickets {
        buyer.buy("general").unwrap();
    }
}

#[test]
fn popular_now_ranks_by_sales_in_the_recent_window() {
    let store = MemoryStore::new();
    let window = PopularityWindow {
        bucket: Duration::from_secs(10),
        buckets: 3,
    };
    let options = CatalogOptions {
        popularity: window,
        ..CatalogOptions::default()
    };
    let catalog = Catalog::open_with(store.clone(), options).unwrap();
    let venue = catalog
        .add_venue(common::venue("Arena", "Oslo", 1_000))
        .unwrap();
    let f = Fixture {
        store,
        catalog,
        venue,
        performer: PerformerId(0),
    };
    let (a, b, quiet) = (
        stocked(&f, "a", 50),
        stocked(&f, "b", 50),
        stocked(&f, "quiet", 5),
    );

    let t0 = Instant::now();
    sell(&f, a, 30); // before the first sample: not "now"
    assert!(f.catalog.popular_at(t0, 10).is_empty());
    sell(&f, a, 2);
    sell(&f, b, 5);
    // Within the bucket the ranking is not recomputed: reads stay cheap.
    assert!(f
        .catalog
        .popular_at(t0 + Duration::from_secs(9), 10)
        .is_empty());
    let ranking = f.catalog.popular_at(t0 + Duration::from_secs(10), 10);
    assert_eq!(
        ranking,
        vec![
            Popular {
                event: b,
                sold_in_window: 5
            },
            Popular {
                event: a,
                sold_in_window: 2
            },
        ]
    );
    assert_eq!(
        f.catalog.popular_at(t0 + Duration::from_secs(11), 1).len(),
        1
    );

    // Three buckets (the window) after the sample at 10 s, b's burst before
    // it has left the window; a's sale after it is still in.
    sell(&f, a, 1);
    for step in 2..=3 {
        f.catalog
            .popular_at(t0 + Duration::from_secs(10 * step), 10);
    }
    let ranking = f.catalog.popular_at(t0 + Duration::from_secs(40), 10);
    assert_eq!(
        ranking,
        vec![Popular {
            event: a,
            sold_in_window: 1
        }]
    );
    let ranking = f.catalog.popular_at(t0 + Duration::from_secs(50), 10);
    assert!(
        ranking.is_empty(),
        "a's sale left the window too: {ranking:?}"
    );

    // A cancelled event leaves the ranking.
    sell(&f, quiet, 1);
    let ranking = f.catalog.popular_at(t0 + Duration::from_secs(60), 10);
    assert_eq!(
        ranking,
        vec![Popular {
            event: quiet,
            sold_in_window: 1
        }]
    );
    f.catalog.cancel(quiet).unwrap();
    let ranking = f.catalog.popular_at(t0 + Duration::from_secs(70), 10);
    assert!(ranking.iter().all(|p| p.event != quiet), "{ranking:?}");
}

#[test]
fn popular_now_with_the_real_clock_is_safe_to_call_on_every_view() {
    let f = fixture();
    let id = stocked(&f, "gig", 3);
    sell(&f, id, 1);
    for _ in 0..1_000 {
        assert!(f.catalog.popular_now(5).len() <= 1);
    }
}

#[test]
fn availability_is_the_office_snapshot_per_type() {
    let f = fixture();
    let id = stocked(&f, "gig", 10);
    sell(&f, id, 4);
    let snapshot = f.catalog.availability(id).unwrap();
    let general = snapshot.by_type["general"];
    assert_eq!(
        (general.available, general.sold, general.released),
        (6, 4, 10)
    );
    assert!(snapshot.is_consistent());
    assert_eq!(snapshot.event_name, "gig");
}
