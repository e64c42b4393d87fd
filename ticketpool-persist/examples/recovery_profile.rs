//! Fills a catalog directory once (EVENTS events, SALES sales each) and
//! times reopening it: a harness to run under `perf record` or callgrind,
//! where the criterion bench would profile its fill too.
//!
//! `cargo run --release -p ticketpool-persist --example recovery_profile -- DIR [EVENTS] [SALES] [REOPENS]`

use std::time::Instant;

use ticketpool_catalog::{CatalogOptions, DisplayZone, NewEvent, NewVenue};
use ticketpool_core::{BoxOfficeConfig, Money, Priority, Want};
use ticketpool_persist::{CatalogDir, Durability};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: recovery_profile DIR [EVENTS] [SALES] [REOPENS]");
    let mut number = |default: usize| args.next().map_or(default, |a| a.parse().unwrap());
    let (events, sales, reopens) = (number(1_000), number(1_000), number(3));
    let home = CatalogDir::new(&dir).with_durability(Durability::Batched);
    if !home.catalog_file().exists() {
        let started = Instant::now();
        let catalog = home.open(CatalogOptions::default()).unwrap();
        let venue = catalog
            .add_venue(NewVenue {
                name: "Arena".into(),
                city: "Leeds".into(),
                capacity: 100_000,
            })
            .unwrap();
        for n in 0..events {
            let id = catalog
                .create_event(NewEvent {
                    name: format!("show {n}"),
                    description: "a night out".into(),
                    performers: Vec::new(),
                    venue,
                    starts_at: "2030-01-01T20:00:00Z".parse().unwrap(),
                    time_zone: DisplayZone::utc(),
                    categories: vec!["rock".into()],
                    office: BoxOfficeConfig::simple("show", 1_000, 64, Money::from_minor(2_000)),
                })
                .unwrap();
            catalog.put_on_sale(id).unwrap();
            let office = catalog.office(id).unwrap();
            let vendor = office.add_vendor("desk", &[]).unwrap();
            let fan = office.customer("fan", Priority::Regular);
            for _ in 0..sales {
                vendor.release("general").unwrap();
                fan.buy(Want::Any).unwrap();
            }
        }
        drop(catalog);
        eprintln!("filled {events} x {sales} in {:?}", started.elapsed());
    }
    for _ in 0..reopens {
        let started = Instant::now();
        let catalog = home.open(CatalogOptions::default()).unwrap();
        let opened = started.elapsed();
        let count = catalog.event_count();
        drop(catalog);
        eprintln!(
            "reopened {count} events in {opened:?} (closed after {:?})",
            started.elapsed()
        );
    }
}
