//! Venues and performers: adding, editing, and the rules they keep.

mod common;

use common::*;
use ticketpool_catalog::*;
use ticketpool_core::{BoxOfficeConfig, Money};

#[test]
fn venues_and_performers_are_added_and_edited() {
    let f = fixture();
    let id = f
        .catalog
        .add_venue(venue("  Wembley ", " London ", 90_000))
        .unwrap();
    let stored = f.catalog.venue(id).unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.city.as_str(), stored.capacity),
        ("Wembley", "London", 90_000)
    );
    f.catalog
        .update_venue(id, venue("Wembley Stadium", "London", 85_000))
        .unwrap();
    assert_eq!(f.catalog.venue(id).unwrap().name, "Wembley Stadium");

    let band = NewPerformer {
        name: "Queen".into(),
        description: "Rock".into(),
    };
    let queen = f.catalog.add_performer(band).unwrap();
    let renamed = NewPerformer {
        name: "Queen + Adam Lambert".into(),
        description: String::new(),
    };
    f.catalog.update_performer(queen, renamed).unwrap();
    assert_eq!(
        f.catalog.performer(queen).unwrap().name,
        "Queen + Adam Lambert"
    );
}

#[test]
fn bad_venues_and_performers_are_refused_with_the_reason() {
    let f = fixture();
    let cases = [
        (venue("", "Paris", 1), "the venue's name must not be empty"),
        (venue("Hall", " ", 1), "the venue's city must not be empty"),
        (
            venue("Hall", "Paris", 0),
            "the venue's capacity must be at least 1",
        ),
    ];
    for (bad, message) in cases {
        assert_eq!(
            f.catalog.add_venue(bad.clone()).unwrap_err().to_string(),
            message
        );
        assert_eq!(
            f.catalog
                .update_venue(f.venue, bad)
                .unwrap_err()
                .to_string(),
            message
        );
    }
    let nameless = NewPerformer {
        name: "\t".into(),
        description: String::new(),
    };
    let error = f.catalog.add_performer(nameless).unwrap_err();
    assert_eq!(error.to_string(), "the performer's name must not be empty");
    assert!(matches!(
        f.catalog.update_venue(VenueId(42), venue("a", "b", 1)),
        Err(CatalogError::UnknownVenue(VenueId(42)))
    ));
    let someone = NewPerformer {
        name: "x".into(),
        description: String::new(),
    };
    assert!(matches!(
        f.catalog.update_performer(PerformerId(42), someone),
        Err(CatalogError::UnknownPerformer(PerformerId(42)))
    ));
    assert!(matches!(
        f.catalog.venue(VenueId(42)),
        Err(CatalogError::UnknownVenue(_))
    ));
    assert!(matches!(
        f.catalog.performer(PerformerId(42)),
        Err(CatalogError::UnknownPerformer(_))
    ));
}

#[test]
fn a_venue_cannot_shrink_below_an_event_planned_there() {
    let f = fixture();
    let mut big = new_event("big", f.venue, "2030-01-01T00:00:00Z");
    big.office = BoxOfficeConfig::simple("x", 800, 10, Money::from_minor(1));
    let big = f.catalog.create_event(big).unwrap();
    let error = f
        .catalog
        .update_venue(f.venue, venue("Olympia", "Paris", 500))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "venue #1 cannot shrink to 500: event #1 there has 800 tickets"
    );
    f.catalog
        .update_venue(f.venue, venue("Olympia", "Paris", 800))
        .unwrap();
    // Once the event is over it no longer holds the venue to its size.
    f.catalog.cancel(big).unwrap();
    f.catalog
        .update_venue(f.venue, venue("Olympia", "Paris", 500))
        .unwrap();
}

#[test]
fn every_venue_and_performer_is_listed_by_id_also_after_a_reopen() {
    let f = fixture();
    let wembley = f
        .catalog
        .add_venue(venue("Wembley", "London", 90_000))
        .unwrap();
    let queen = f
        .catalog
        .add_performer(NewPerformer {
            name: "Queen".into(),
            description: String::new(),
        })
        .unwrap();
    let listed = |catalog: &Catalog| {
        let venues: Vec<VenueId> = catalog.venues().iter().map(|v| v.id).collect();
        let performers: Vec<PerformerId> = catalog.performers().iter().map(|p| p.id).collect();
        (venues, performers)
    };
    let expected = (vec![f.venue, wembley], vec![f.performer, queen]);
    assert_eq!(listed(&f.catalog), expected);
    assert_eq!(f.catalog.venues()[1].name, "Wembley");
    drop(f.catalog);
    let reopened = Catalog::open(f.store).unwrap();
    assert_eq!(listed(&reopened), expected);
}
