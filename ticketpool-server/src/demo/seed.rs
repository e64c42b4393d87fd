//! The demo catalog: three events in three cities, each with its venue,
//! performers, two ticket types, demand pricing and named vendors, put on
//! sale. Written only into an empty catalog.

use ticketpool_catalog::jiff::tz::TimeZone;
use ticketpool_catalog::jiff::{Timestamp, ToSpan};
use ticketpool_catalog::{
    Catalog, CatalogError, DisplayZone, NewEvent, NewPerformer, NewVenue, PerformerId,
};
use ticketpool_core::BoxOfficeConfig;

/// One demo event.
struct DemoEvent {
    name: &'static str,
    description: &'static str,
    venue: (&'static str, &'static str, u64),
    performers: &'static [&'static str],
    zone: &'static str,
    categories: &'static [&'static str],
    /// Days from now to its start.
    in_days: i64,
    /// Its office, in TOML as `ticketpool config init` writes it.
    office: &'static str,
}

const EVENTS: &[DemoEvent] = &[
    DemoEvent {
        name: "Midnight Jazz at La Défense",
        description: "A late set of standards and new tunes.",
        venue: ("La Défense Arena", "Paris", 40_000),
        performers: &["The Blue Notes Quartet"],
        zone: "Europe/Paris",
        categories: &["jazz", "music"],
        in_days: 30,
        office: r#"
            event_name = "Midnight Jazz"
            total_tickets = 20000
            max_capacity = 60
            hold_ttl_ms = 20000
            purchase_limit = 4
            [[ticket_types]]
            name = "stalls"
            price = 45.00
            quota = 12000
            [[ticket_types]]
            name = "balcony"
            price = 25.00
            [pricing]
            kind = "demand"
            scarcity_bps = 5000
            [[vendors]]
            name = "north-stand"
            ticket_types = ["stalls"]
            [[vendors]]
            name = "south-stand"
            ticket_types = ["balcony"]
        "#,
    },
    DemoEvent {
        name: "Rock under the Stars",
        description: "Two bands, one open-air night.",
        venue: ("Riverside Stadium", "London", 60_000),
        performers: &["Static Lights", "The Fuzz"],
        zone: "Europe/London",
        categories: &["rock", "music", "open-air"],
        in_days: 45,
        office: r#"
            event_name = "Rock under the Stars"
            total_tickets = 30000
            max_capacity = 80
            hold_ttl_ms = 20000
            purchase_limit = 6
            [[ticket_types]]
            name = "floor"
            price = 65.00
            [[ticket_types]]
            name = "seated"
            price = 40.00
            [pricing]
            kind = "demand"
            scarcity_bps = 3000
        "#,
    },
    DemoEvent {
        name: "Beethoven's Ninth",
        description: "The choral symphony, with full orchestra and choir.",
        venue: ("Waldbühne", "Berlin", 22_000),
        performers: &["Berlin Chamber Orchestra", "Spree Choir"],
        zone: "Europe/Berlin",
        categories: &["classical", "music"],
        in_days: 60,
        office: r#"
            event_name = "Beethoven's Ninth"
            total_tickets = 15000
            max_capacity = 40
            hold_ttl_ms = 20000
            purchase_limit = 4
            [[ticket_types]]
            name = "parterre"
            price = 80.00
            [[ticket_types]]
            name = "gallery"
            price = 35.00
        "#,
    },
];

/// 19:00 in `zone`, `days` after `now`'s date there (or simply `days`
/// later, should the zone be unknown).
fn evening(now: Timestamp, zone: &str, days: i64) -> Timestamp {
    let later = now.checked_add((days * 24).hours()).unwrap_or(now);
    TimeZone::get(zone)
        .ok()
        .and_then(|tz| {
            let date = later.to_zoned(tz.clone()).date();
            date.at(19, 0, 0, 0).to_zoned(tz).ok()
        })
        .map_or(later, |zoned| zoned.timestamp())
}

/// Writes the demo events into `catalog` and puts them on sale; how many.
///
/// # Errors
///
/// The catalog refuses a write (a bad demo configuration is a bug, and
/// reported the same way).
pub(crate) fn seed(catalog: &Catalog, now: Timestamp) -> Result<usize, CatalogError> {
    for demo in EVENTS {
        let (name, city, capacity) = demo.venue;
        let venue = catalog.add_venue(NewVenue {
            name: name.to_owned(),
            city: city.to_owned(),
            capacity,
        })?;
        let performers = demo
            .performers
            .iter()
            .map(|name| {
                catalog.add_performer(NewPerformer {
                    name: (*name).to_owned(),
                    description: String::new(),
                })
            })
            .collect::<Result<Vec<PerformerId>, _>>()?;
        let office = BoxOfficeConfig::from_toml_str(demo.office)?;
        let starts_at = evening(now, demo.zone, demo.in_days);
        let id = catalog.create_event(NewEvent {
            name: demo.name.to_owned(),
            description: demo.description.to_owned(),
            performers,
            venue,
            starts_at,
            time_zone: DisplayZone::new(demo.zone)?,
            categories: demo.categories.iter().map(|c| (*c).to_owned()).collect(),
            office,
        })?;
        catalog.put_on_sale(id)?;
    }
    Ok(EVENTS.len())
}
