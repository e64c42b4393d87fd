//! A `CatalogDir` keeps every event's sales in its one database: two
//! events' interleaved sales (the same ticket ids in each) come back, each
//! to its own event, after a reopen and after SIGKILL; "my tickets" reads
//! all events at once; and a directory in the earlier layout (one journal
//! file per event, the committed fixture written by that build) is
//! migrated into the database, rerunnably.

mod kill_child;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ticketpool_catalog::{Catalog, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue};
use ticketpool_core::{BoxOfficeConfig, Money, Priority, Sale, TicketId, Want};
use ticketpool_persist::{CatalogDir, Store};

const CHILD_ENV: &str = "TICKETPOOL_ONE_DB_CRASH_DIR";

fn new_event(venue: ticketpool_catalog::VenueId, name: &str) -> NewEvent {
    NewEvent {
        name: name.into(),
        description: String::new(),
        performers: Vec::new(),
        venue,
        starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
        time_zone: DisplayZone::utc(),
        categories: Vec::new(),
        office: BoxOfficeConfig::simple(name, 100_000, 1_000, Money::from_minor(1_000)),
    }
}

/// Two events on sale in a new catalog.
fn two_on_sale(catalog: &Catalog) -> (EventId, EventId) {
    let venue = catalog
        .add_venue(NewVenue {
            name: "Hall".into(),
            city: "Lyon".into(),
            capacity: 200_000,
        })
        .unwrap();
    let a = catalog.create_event(new_event(venue, "first")).unwrap();
    let b = catalog.create_event(new_event(venue, "second")).unwrap();
    catalog.put_on_sale(a).unwrap();
    catalog.put_on_sale(b).unwrap();
    (a, b)
}

/// Releases one ticket in `event` and sells it to `who`.
fn sell(catalog: &Catalog, event: EventId, who: &str) -> Sale {
    let office = catalog.office(event).unwrap();
    let vendor = office
        .vendor("desk")
        .or_else(|_| office.add_vendor("desk", &[]))
        .unwrap();
    vendor.release("general").unwrap();
    office
        .customer(who, Priority::Regular)
        .buy(Want::Any)
        .unwrap()
}

/// The names of the files in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn two_events_sales_in_one_file_come_back_to_their_events_after_a_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CatalogDir::new(tmp.path().join("data"));
    let catalog = dir.open(CatalogOptions::default()).unwrap();
    let (a, b) = two_on_sale(&catalog);
    let mut sold: HashMap<EventId, Vec<Sale>> = HashMap::new();
    for (event, who) in [(a, "ann"), (b, "bob"), (a, "cy"), (b, "ann"), (b, "dee")] {
        sold.entry(event)
            .or_default()
            .push(sell(&catalog, event, who));
    }
    // One more released in a, left unsold.
    let office = catalog.office(a).unwrap();
    office.vendor("desk").unwrap().release("general").unwrap();
    drop(office);
    drop(catalog);

    assert!(
        !files(dir.path()).iter().any(|f| f.starts_with("event-")),
        "no file per event: {:?}",
        files(dir.path())
    );
    let catalog = dir.open(CatalogOptions::default()).unwrap();
    for event in [a, b] {
        assert_eq!(
            catalog.office(event).unwrap().sales(),
            sold[&event],
            "{event}"
        );
        let recovered = dir.event_store(event).unwrap().recover().unwrap();
        assert_eq!(recovered.sales, sold[&event], "{event}");
    }
    assert_eq!(catalog.availability(a).unwrap().totals.sold, 2);
    assert_eq!(catalog.availability(b).unwrap().totals.sold, 3);
    assert_eq!(
        dir.event_store(a).unwrap().recover().unwrap().unsold.len(),
        1
    );
    assert!(dir
        .event_store(b)
        .unwrap()
        .recover()
        .unwrap()
        .unsold
        .is_empty());
    // Selling goes on where each event left off, and is kept.
    let next = sell(&catalog, b, "eve");
    assert!(sold[&b].iter().all(|s| s.ticket.id != next.ticket.id));
    drop(catalog);
    let again = dir.event_store(b).unwrap().recover().unwrap();
    assert_eq!(again.sales.last(), Some(&next));
}

#[test]
fn my_tickets_across_events_come_newest_first_from_the_one_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = CatalogDir::new(tmp.path().join("data"));
    let catalog = dir.open(CatalogOptions::default()).unwrap();
    let (a, b) = two_on_sale(&catalog);
    for (event, who) in [(a, "ann"), (b, "bob"), (b, "ann"), (a, "ann"), (a, "bob")] {
        sell(&catalog, event, who);
    }
    // Read while the catalog is open, and after it closed.
    let mut open = Some(catalog);
    for round in 0..2 {
        let mine = dir.my_tickets(&[a, b], "ann", 10).unwrap();
        let events: Vec<EventId> = mine.iter().map(|t| t.event).collect();
        assert_eq!(events, [a, b, a], "round {round}");
        let names: Vec<&str> = mine.iter().map(|t| t.booked.event.as_str()).collect();
        assert_eq!(names, ["first", "second", "first"], "round {round}");
        assert_eq!(dir.my_tickets(&[a, b], "ann", 2).unwrap().len(), 2);
        // Only the events asked for.
        let only_b = dir.my_tickets(&[b, EventId(99)], "ann", 10).unwrap();
        assert_eq!(only_b.len(), 1);
        assert_eq!(only_b[0].event, b);
        assert!(dir.my_tickets(&[a, b], "zed", 10).unwrap().is_empty());
        drop(open.take());
    }
}

/// The committed fixture, written by the build before one database: events
/// 1 ("first") and 2 ("second") on sale, 3 a draft; sold in the order
/// (1, ann), (2, ann), (1, ann), (2, bob), (1, bob).
fn old_layout(into: &Path) -> CatalogDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalog-dir-v6");
    std::fs::create_dir_all(into).unwrap();
    for name in ["catalog.db", "event-1.db", "event-2.db"] {
        std::fs::copy(fixture.join(name), into.join(name)).unwrap();
    }
    CatalogDir::new(into)
}

/// What a migrated fixture must hold; returns each event's sales.
fn check_migrated(dir: &CatalogDir) -> Vec<Vec<Sale>> {
    let catalog = dir.open(CatalogOptions::default()).unwrap();
    let (a, b) = (EventId(1), EventId(2));
    assert_eq!(catalog.availability(a).unwrap().totals.sold, 3);
    assert_eq!(catalog.availability(b).unwrap().totals.sold, 2);
    let mine = dir.my_tickets(&[a, b, EventId(3)], "ann", 10).unwrap();
    let events: Vec<EventId> = mine.iter().map(|t| t.event).collect();
    assert_eq!(events, [a, b, a]);
    assert_eq!(mine[0].booked.event, "first");
    let sales = vec![
        catalog.office(a).unwrap().sales(),
        catalog.office(b).unwrap().sales(),
    ];
    let customers: Vec<&str> = sales[0].iter().map(|s| &*s.customer).collect();
    assert_eq!(customers, ["ann", "ann", "bob"]);
    drop(catalog);
    let left = files(dir.path());
    for id in [1, 2] {
        assert!(!left.contains(&format!("event-{id}.db")), "{left:?}");
        assert!(
            left.contains(&format!("event-{id}.db.migrated")),
            "{left:?}"
        );
    }
    sales
}

#[test]
fn a_directory_with_a_file_per_event_is_migrated_into_the_one_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = old_layout(&tmp.path().join("data"));
    let sales = check_migrated(&dir);
    // Reopening changes nothing.
    assert_eq!(check_migrated(&dir), sales);
    // The old files are kept, whole: each still holds its event's sales.
    let kept = ticketpool_persist::SqliteStore::open(dir.path().join("event-1.db.migrated"))
        .unwrap()
        .recover()
        .unwrap();
    assert_eq!(kept.sales, sales[0]);
}

#[test]
fn a_migration_interrupted_before_the_rename_gives_the_same_result_when_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = old_layout(&tmp.path().join("data"));
    let sales = check_migrated(&dir);
    // As if the process died after event 2's copy committed but before its
    // file was renamed: the file is back under its name, its rows are in
    // the database already.
    std::fs::rename(
        dir.path().join("event-2.db.migrated"),
        dir.path().join("event-2.db"),
    )
    .unwrap();
    assert_eq!(check_migrated(&dir), sales, "copied again, not twice");
}

#[test]
fn sigkill_loses_no_acknowledged_sale_of_either_event_in_the_one_file() {
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap();
    let data = dir.path().join("data");
    let (a, b) = two_on_sale(
        &CatalogDir::new(&data)
            .open(CatalogOptions::default())
            .unwrap(),
    );
    assert_eq!((a, b), (EventId(1), EventId(2)), "the child sells in these");
    // Every acknowledged sale: event, ticket, customer.
    let mut acked: Vec<(EventId, TicketId, String)> = Vec::new();
    for cycle in 0..5 {
        let delay = Duration::from_millis(fastrand::u64(100..600));
        let lines = kill_child::run_then_kill(
            "one_db_crash_child",
            &[(CHILD_ENV, data.as_os_str())],
            delay,
            cycle,
        );
        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["sold", event, ticket, who] => acked.push((
                    EventId(event.parse().unwrap()),
                    TicketId(ticket.parse().unwrap()),
                    (*who).to_owned(),
                )),
                ["failed", ..] => panic!("cycle {cycle}: the child failed: {line}"),
                _ => {}
            }
        }
        let catalog = CatalogDir::new(&data)
            .open(CatalogOptions::default())
            .unwrap();
        let mut counts: HashMap<EventId, usize> = HashMap::new();
        for (event, ticket, who) in &acked {
            *counts.entry(*event).or_default() += 1;
            let sales = catalog.office(*event).unwrap().sales();
            let found: Vec<&Sale> = sales.iter().filter(|s| s.ticket.id == *ticket).collect();
            assert_eq!(found.len(), 1, "cycle {cycle}: {event} {ticket}");
            assert_eq!(&*found[0].customer, who, "cycle {cycle}: {event} {ticket}");
        }
        for (event, acknowledged) in counts {
            // At most the one sale in flight at each kill so far was
            // recorded but not printed.
            let sold = catalog.office(event).unwrap().sales().len();
            assert!(
                (acknowledged..=acknowledged + cycle + 1).contains(&sold),
                "cycle {cycle}: {event}: {sold} sold, {acknowledged} acknowledged"
            );
        }
    }
    let events: std::collections::HashSet<EventId> = acked.iter().map(|s| s.0).collect();
    assert!(
        events.len() == 2 && acked.len() >= 10,
        "the children sold too little to test anything: {} sales",
        acked.len()
    );
}

/// The child: opens the catalog and sells in its two events by turns until it is killed, printing each sale
/// once it returned (committed).
#[test]
#[ignore = "the one-database crash loop's child process"]
fn one_db_crash_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        eprintln!("only the one-database crash loop runs this ({CHILD_ENV} is not set)");
        return;
    };
    let dir = CatalogDir::new(PathBuf::from(path));
    let catalog = dir.open(CatalogOptions::default()).unwrap();
    let (a, b) = (EventId(1), EventId(2));
    for round in 0_u64.. {
        let event = if round % 2 == 0 { a } else { b };
        let who = format!("fan{round}");
        let sale = sell(&catalog, event, &who);
        println!("sold {} {} {who}", event.0, sale.ticket.id.0);
    }
}
