//! The store is the source of truth: reopening rebuilds the catalog, the
//! offices and the search index from it.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use ticketpool_catalog::*;
use ticketpool_core::BoxOffice;

#[test]
fn reopening_restores_everything_and_makes_it_searchable() {
    let f = fixture();
    let mut new = new_event("Round Midnight", f.venue, "2030-01-01T23:00:00Z");
    new.performers = vec![f.performer];
    new.categories = vec!["jazz".into()];
    let on_sale = f.catalog.create_event(new).unwrap();
    f.catalog.put_on_sale(on_sale).unwrap();
    let paused = f
        .catalog
        .create_event(new_event("Paused Show", f.venue, "2030-02-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(paused).unwrap();
    f.catalog.pause(paused).unwrap();
    let draft = f
        .catalog
        .create_event(new_event("Draft Show", f.venue, "2030-02-01T00:00:00Z"))
        .unwrap();
    let before: Vec<Event> = [on_sale, paused, draft]
        .map(|id| f.catalog.event(id).unwrap())
        .to_vec();
    drop(f.catalog);

    let catalog = Catalog::open(f.store.clone()).unwrap();
    let after: Vec<Event> = [on_sale, paused, draft]
        .map(|id| catalog.event(id).unwrap())
        .to_vec();
    assert_eq!(after, before);
    assert_eq!(catalog.venue(f.venue).unwrap().name, "Olympia");
    assert_eq!(
        catalog.performer(f.performer).unwrap().name,
        "Miles Davis Quintet"
    );
    // Searchable as soon as open returns: no wait needed.
    let found = catalog
        .search(&SearchQuery::text("midnite miles").city("paris"))
        .unwrap();
    assert_eq!(ids(&found), vec![on_sale]);
    // Offices are back, paused ones paused; drafts still have none.
    assert!(!catalog.availability(on_sale).unwrap().paused);
    assert!(catalog.availability(paused).unwrap().paused);
    assert!(matches!(
        catalog.office(draft),
        Err(CatalogError::NoOffice(_))
    ));
    // New ids continue after the stored ones.
    let next = catalog
        .create_event(new_event("next", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    assert!(next > draft);
    let venue = catalog.add_venue(venue("Second", "Rome", 10)).unwrap();
    assert!(venue > f.venue);
}

#[test]
fn the_office_factory_builds_each_office_on_sale_and_on_reopen() {
    let f = fixture();
    let a = f
        .catalog
        .create_event(new_event("a", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    let b = f
        .catalog
        .create_event(new_event("b", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(a).unwrap();
    f.catalog.put_on_sale(b).unwrap();
    f.catalog.cancel(b).unwrap();
    drop(f.catalog);

    let built = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&built);
    let factory: OfficeFactory = Arc::new(move |event: &Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        BoxOffice::new(event.office.clone())
    });
    let options = CatalogOptions {
        offices: Some(factory),
        ..CatalogOptions::default()
    };
    let catalog = Catalog::open_with(f.store.clone(), options).unwrap();
    assert_eq!(
        built.load(Ordering::SeqCst),
        1,
        "only the event still on sale"
    );
    let c = catalog
        .create_event(new_event("c", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    catalog.put_on_sale(c).unwrap();
    assert_eq!(built.load(Ordering::SeqCst), 2);
}

#[test]
fn a_factory_that_fails_fails_the_sale_and_the_open() {
    let f = fixture();
    let id = f
        .catalog
        .create_event(new_event("a", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(id).unwrap();
    drop(f.catalog);
    let factory: OfficeFactory = Arc::new(|event: &Event| {
        let mut config = event.office.clone();
        config.max_capacity = 0; // an invalid office
        BoxOffice::new(config)
    });
    let options = CatalogOptions {
        offices: Some(factory),
        ..CatalogOptions::default()
    };
    let error = Catalog::open_with(f.store.clone(), options).unwrap_err();
    assert!(matches!(error, CatalogError::Office(_)), "{error}");
}

#[test]
fn a_store_that_cannot_be_read_fails_the_open() {
    struct Broken;
    impl CatalogStore for Broken {
        fn save_venue(&mut self, _: &Venue) -> Result<(), StoreError> {
            Ok(())
        }
        fn save_performer(&mut self, _: &Performer) -> Result<(), StoreError> {
            Ok(())
        }
        fn save_event(&mut self, _: &Event) -> Result<(), StoreError> {
            Ok(())
        }
        fn load_venues(&mut self) -> Result<Vec<Venue>, StoreError> {
            Err(StoreError::new("disk on fire"))
        }
        fn load_performers(&mut self) -> Result<Vec<Performer>, StoreError> {
            Ok(Vec::new())
        }
        fn load_events(&mut self) -> Result<Vec<Event>, StoreError> {
            Ok(Vec::new())
        }
    }
    let error = Catalog::open(Broken).unwrap_err();
    assert_eq!(error.to_string(), "the catalog store failed: disk on fire");
}

#[test]
fn the_store_holds_exactly_what_the_catalog_holds() {
    let f = fixture();
    let id = f
        .catalog
        .create_event(new_event("a", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    f.catalog.put_on_sale(id).unwrap();
    let mut store = f.store.clone();
    let events = store.load_events().unwrap();
    assert_eq!(events, vec![f.catalog.event(id).unwrap()]);
    assert_eq!(f.store.event_count(), 1);
    assert_eq!(
        store.load_venues().unwrap(),
        vec![f.catalog.venue(f.venue).unwrap()]
    );
}
