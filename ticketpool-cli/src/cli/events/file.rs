//! The event file `ticketpool events add` reads: TOML or JSON, read field
//! by field with the office's reader, so that every problem is listed with
//! its field and line, the box office's included.
//!
//! ```toml
//! name = "Last Night of the Proms"
//! description = "Land of Hope and Glory"
//! performers = ["BBC Symphony Orchestra"]   # by name; created if new
//! starts_at = "2030-09-14T19:30:00"         # wall clock in time_zone, or with Z/offset
//! time_zone = "Europe/London"
//! categories = ["classical"]
//!
//! [venue]                                   # found by name; city and
//! name = "Royal Albert Hall"                # capacity create it if new
//! city = "London"
//! capacity = 5000
//!
//! [office]                                  # as `ticketpool config` writes it
//! event_name = "proms"
//! ...
//! ```

use std::path::Path;

use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{DisplayZone, Venue};
use ticketpool_core::config_reader::{self, field, read_office, Entry, Node, Reader};
use ticketpool_core::{BoxOfficeConfig, ConfigError};

use super::dates;

const EVENT_FIELDS: &[&str] = &[
    "name",
    "description",
    "performers",
    "venue",
    "starts_at",
    "time_zone",
    "categories",
    "office",
];

const VENUE_FIELDS: &[&str] = &["name", "city", "capacity"];

/// The venue an event file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueRef {
    /// One the catalog has.
    Existing(ticketpool_catalog::VenueId),
    /// A new one, to create.
    New {
        /// Its name.
        name: String,
        /// Its city.
        city: String,
        /// Its capacity.
        capacity: u64,
    },
}

/// An event file, read and checked; performers still by name.
#[derive(Debug, Clone)]
pub struct EventFile {
    /// The event's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its performers' names, in billing order.
    pub performers: Vec<String>,
    /// Where.
    pub venue: VenueRef,
    /// When, in UTC.
    pub starts_at: Timestamp,
    /// How its time is shown.
    pub time_zone: DisplayZone,
    /// Its categories.
    pub categories: Vec<String>,
    /// Its box office.
    pub office: BoxOfficeConfig,
}

/// Reads `path`, finding its venue among `venues` by name
/// (case-insensitive).
///
/// # Errors
///
/// [`ConfigError::Io`] or [`ConfigError::Parse`] for a file that cannot
/// be read; [`ConfigError::Invalid`] listing every problem.
pub fn read(path: &Path, venues: &[Venue]) -> Result<EventFile, ConfigError> {
    read_entry(&config_reader::read_file(path)?, venues)
}

fn read_entry(entry: &Entry, venues: &[Venue]) -> Result<EventFile, ConfigError> {
    let mut r = Reader::default();
    let fields = r.table(entry, "", EVENT_FIELDS).unwrap_or(&[]);
    let text = |r: &mut Reader, key: &str, what: &str, required: bool| {
        let found = if required {
            r.required(fields, entry.line, "", key, what)
        } else {
            field(fields, key)
        };
        found.and_then(|e| r.text(e, key)).unwrap_or_default()
    };
    let name = text(&mut r, "name", "the event's name", true);
    let description = text(&mut r, "description", "", false);
    let zone_name = text(
        &mut r,
        "time_zone",
        "an IANA zone such as \"Europe/Paris\" or an offset such as \"+02:00\"",
        true,
    );
    let list = |r: &mut Reader, key: &str| {
        field(fields, key)
            .and_then(|e| r.texts(e, key))
            .unwrap_or_default()
    };
    let performers = list(&mut r, "performers");
    let categories = list(&mut r, "categories");
    let time_zone = if zone_name.is_empty() {
        None
    } else {
        match DisplayZone::new(&zone_name) {
            Ok(zone) => Some(zone),
            Err(err) => {
                let line = field(fields, "time_zone").and_then(|e| e.line);
                r.problem("time_zone", line, err.to_string());
                None
            }
        }
    };
    let starts_at = r
        .required(fields, entry.line, "", "starts_at", "when the event starts")
        .and_then(|e| read_start(&mut r, e, time_zone.as_ref()));
    let venue = r
        .required(fields, entry.line, "", "venue", "where the event is")
        .and_then(|e| read_venue(&mut r, e, venues));
    let office = match r.required(
        fields,
        entry.line,
        "",
        "office",
        "the box office, as `ticketpool config` writes it",
    ) {
        Some(e) => {
            let office = read_office(&mut r, e, "office", None);
            r.add_rules("office", office.rule_problems());
            Some(office)
        }
        None => None,
    };
    r.finish()?;
    // Every field read without a problem, so each is there.
    match (starts_at, venue, time_zone, office) {
        (Some(starts_at), Some(venue), Some(time_zone), Some(office)) => Ok(EventFile {
            name,
            description,
            performers,
            venue,
            starts_at,
            time_zone,
            categories,
            office,
        }),
        _ => Err(ConfigError::Invalid(Vec::new())),
    }
}

/// `starts_at`: a text or a TOML date-time; needs a zone when it has no
/// offset of its own.
fn read_start(r: &mut Reader, entry: &Entry, zone: Option<&DisplayZone>) -> Option<Timestamp> {
    let text = match &entry.node {
        Node::Text(text) | Node::Date(text) => text,
        _ => {
            r.problem(
                "starts_at",
                entry.line,
                "expected a date and time such as \"2030-05-01T21:00:00\"",
            );
            return None;
        }
    };
    // Without a valid zone only an explicit offset can be read; the zone's
    // own problem is reported already.
    let zone = zone.map_or("UTC", DisplayZone::name);
    match dates::start_time(text, zone) {
        Ok(instant) => Some(instant),
        Err(message) => {
            r.problem("starts_at", entry.line, message);
            None
        }
    }
}

/// `venue`: a name (of a venue the journal has) or a table with name,
/// city and capacity (the last two needed only for a new venue).
fn read_venue(r: &mut Reader, entry: &Entry, venues: &[Venue]) -> Option<VenueRef> {
    let find = |name: &str| {
        venues
            .iter()
            .find(|v| v.name.trim().eq_ignore_ascii_case(name.trim()))
    };
    if let Node::Text(name) = &entry.node {
        return match find(name) {
            Some(venue) => Some(VenueRef::Existing(venue.id)),
            None => {
                let message = format!("the journal has no venue named {name:?}; give a [venue] table with name, city and capacity to create it");
                r.problem("venue", entry.line, message);
                None
            }
        };
    }
    let fields = r.table(entry, "venue", VENUE_FIELDS)?;
    let name = r
        .required(fields, entry.line, "venue", "name", "the venue's name")
        .and_then(|e| r.text(e, "venue.name"))?;
    let city = field(fields, "city").and_then(|e| r.text(e, "venue.city").map(|c| (c, e.line)));
    if let Some(venue) = find(&name) {
        if let Some((city, line)) = &city {
            if !venue.city.trim().eq_ignore_ascii_case(city.trim()) {
                let message = format!(
                    "{:?} ({}) is in {}, not {city}",
                    venue.name, venue.id, venue.city
                );
                r.problem("venue.city", *line, message);
                return None;
            }
        }
        return Some(VenueRef::Existing(venue.id));
    }
    let new = "needed to create the venue, which the journal does not have";
    let city = match city {
        Some((city, _)) => Some(city),
        None => {
            r.required(fields, entry.line, "venue", "city", new);
            None
        }
    };
    let capacity = r
        .required(fields, entry.line, "venue", "capacity", new)
        .and_then(|e| r.whole(e, "venue.capacity", u64::MAX));
    Some(VenueRef::New {
        name,
        city: city?,
        capacity: capacity?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "Jazz Night"
performers = ["Trio"]
starts_at = 2030-07-14T21:00:00
time_zone = "Europe/Paris"
categories = ["jazz"]
[venue]
name = "Olympia"
city = "Paris"
capacity = 2000
[office]
event_name = "jazz"
total_tickets = 100
max_capacity = 10
[[office.ticket_types]]
name = "general"
price = "30.00"
"#;

    fn parse(text: &str, venues: &[Venue]) -> Result<EventFile, ConfigError> {
        read_entry(&config_reader::parse_toml(text).unwrap(), venues)
    }

    #[test]
    fn a_good_file_reads_with_its_wall_clock_in_its_zone() {
        let event = parse(GOOD, &[]).unwrap();
        assert_eq!(dates::utc(event.starts_at), "2030-07-14T19:00:00Z");
        assert_eq!(
            event.venue,
            VenueRef::New {
                name: "Olympia".into(),
                city: "Paris".into(),
                capacity: 2000
            }
        );
        assert_eq!(event.office.total_tickets, 100);
        let known = Venue {
            id: ticketpool_catalog::VenueId(4),
            name: "olympia".into(),
            city: "PARIS".into(),
            capacity: 9,
        };
        let event = parse(GOOD, &[known]).unwrap();
        assert_eq!(
            event.venue,
            VenueRef::Existing(ticketpool_catalog::VenueId(4))
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_line() {
        let bad = GOOD
            .replace(
                "time_zone = \"Europe/Paris\"",
                "time_zone = \"Mars/Olympus\"",
            )
            .replace("capacity = 2000", "")
            .replace("max_capacity = 10", "max_capacity = 0")
            .replace("name = \"Jazz Night\"", "nmae = \"Jazz Night\"");
        let err = parse(&bad, &[]).unwrap_err();
        let fields: Vec<&str> = err.problems().iter().map(|p| p.field.as_str()).collect();
        for expected in [
            "nmae",
            "name",
            "time_zone",
            "venue.capacity",
            "office.max_capacity",
        ] {
            assert!(
                fields.contains(&expected),
                "{expected} missing from {fields:?}"
            );
        }
        let zone = err
            .problems()
            .iter()
            .find(|p| p.field == "time_zone")
            .unwrap();
        assert_eq!(zone.line, Some(5));
    }
}
