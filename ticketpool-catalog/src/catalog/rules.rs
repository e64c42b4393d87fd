//! The rules an event, a venue and a performer must keep, checked before
//! anything is stored.

use crate::error::CatalogError;
use crate::ids::EventId;
use crate::model::{Event, EventUpdate, NewPerformer, NewVenue};
use crate::status::EventStatus;

use super::state::State;

fn not_empty(text: &str, what: &'static str) -> Result<(), CatalogError> {
    if text.trim().is_empty() {
        return Err(CatalogError::Invalid {
            what,
            problem: "must not be empty",
        });
    }
    Ok(())
}

pub(crate) fn check_venue(venue: &NewVenue) -> Result<(), CatalogError> {
    not_empty(&venue.name, "the venue's name")?;
    not_empty(&venue.city, "the venue's city")?;
    if venue.capacity == 0 {
        return Err(CatalogError::Invalid {
            what: "the venue's capacity",
            problem: "must be at least 1",
        });
    }
    Ok(())
}

pub(crate) fn check_performer(performer: &NewPerformer) -> Result<(), CatalogError> {
    not_empty(&performer.name, "the performer's name")
}

/// Lowercased, trimmed, without empties or repeats, in the given order.
pub(crate) fn normalize_categories(categories: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(categories.len());
    for category in categories {
        let category = category.trim().to_lowercase();
        if !category.is_empty() && !out.contains(&category) {
            out.push(category);
        }
    }
    out
}

/// Every rule of a whole event: its text, its references, its office and
/// the fit of that office in the venue.
pub(crate) fn check_event(state: &State, event: &Event) -> Result<(), CatalogError> {
    not_empty(&event.name, "the event's name")?;
    let venue = state
        .venues
        .get(&event.venue)
        .ok_or(CatalogError::UnknownVenue(event.venue))?;
    for performer in &event.performers {
        if !state.performers.contains_key(performer) {
            return Err(CatalogError::UnknownPerformer(*performer));
        }
    }
    event.office.validate()?;
    if event.office.total_tickets > venue.capacity {
        return Err(CatalogError::OverCapacity {
            tickets: event.office.total_tickets,
            venue: venue.id,
            capacity: venue.capacity,
        });
    }
    Ok(())
}

/// What may change given the status: nothing once final (cancelled, sales
/// closed, past); the
/// venue and the box office only in a draft (tickets exist after that).
pub(crate) fn check_update(event: &Event, update: &EventUpdate) -> Result<(), CatalogError> {
    if event.status.is_final() {
        return Err(CatalogError::Transition {
            event: event.id,
            action: "change",
            status: event.status,
        });
    }
    if event.status == EventStatus::Draft {
        return Ok(());
    }
    let frozen = |field| CatalogError::Frozen {
        event: event.id,
        field,
        status: event.status,
    };
    if update.venue.is_some_and(|venue| venue != event.venue) {
        return Err(frozen("venue"));
    }
    if let Some(office) = &update.office {
        // The office keeps the name it opened with; compare the rest.
        let mut office = office.clone();
        office.event_name.clone_from(&event.office.event_name);
        if office != event.office {
            return Err(frozen("ticket types, prices and capacity"));
        }
    }
    Ok(())
}

/// The event with `update` applied (not yet checked).
pub(crate) fn apply_update(event: &Event, update: EventUpdate) -> Event {
    let mut next = event.clone();
    let EventUpdate {
        name,
        description,
        performers,
        venue,
        starts_at,
        time_zone,
        categories,
        office,
    } = update;
    let draft = event.status == EventStatus::Draft;
    if let Some(name) = name {
        next.name = name.trim().to_owned();
    }
    if let Some(description) = description {
        next.description = description;
    }
    if let Some(performers) = performers {
        next.performers = performers;
    }
    if let Some(starts_at) = starts_at {
        next.starts_at = starts_at;
    }
    if let Some(time_zone) = time_zone {
        next.time_zone = time_zone;
    }
    if let Some(categories) = categories {
        next.categories = normalize_categories(&categories);
    }
    if draft {
        if let Some(venue) = venue {
            next.venue = venue;
        }
        if let Some(office) = office {
            next.office = office;
        }
        // A draft's office is named after the event; once on sale it keeps
        // the name its reports and journal started with.
        next.office.event_name.clone_from(&next.name);
    }
    next
}

/// The event at `venue` (not cancelled nor past) with the most tickets
/// above `capacity`, if any: what a shrinking venue would no longer hold.
pub(crate) fn too_big_for(
    state: &State,
    venue: crate::ids::VenueId,
    capacity: u64,
) -> Option<(EventId, u64)> {
    state
        .events
        .values()
        .filter(|e| e.venue == venue && !e.status.is_final())
        .filter(|e| e.office.total_tickets > capacity)
        .map(|e| (e.id, e.office.total_tickets))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::VenueId;
    use crate::zone::DisplayZone;
    use ticketpool_core::{BoxOfficeConfig, Money};

    fn event(status: EventStatus) -> Event {
        Event {
            id: EventId(1),
            name: "gig".into(),
            description: String::new(),
            performers: Vec::new(),
            venue: VenueId(1),
            starts_at: "2030-01-01T00:00:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            status,
            office: BoxOfficeConfig::simple("gig", 10, 2, Money::from_minor(1)),
        }
    }

    #[test]
    fn categories_are_lowercased_trimmed_and_deduplicated_in_order() {
        let given = ["Rock", " pop", "ROCK", "", "  ", "Pop "].map(String::from);
        assert_eq!(normalize_categories(&given), vec!["rock", "pop"]);
    }

    #[test]
    fn what_may_change_depends_on_the_status() {
        let venue = EventUpdate {
            venue: Some(VenueId(2)),
            ..EventUpdate::default()
        };
        let name = EventUpdate {
            name: Some("new".into()),
            ..EventUpdate::default()
        };
        assert!(check_update(&event(EventStatus::Draft), &venue).is_ok());
        for status in [
            EventStatus::OnSale,
            EventStatus::Paused,
            EventStatus::SoldOut,
        ] {
            assert!(check_update(&event(status), &name).is_ok());
            assert!(matches!(
                check_update(&event(status), &venue),
                Err(CatalogError::Frozen { field: "venue", .. })
            ));
        }
        for status in [
            EventStatus::Cancelled,
            EventStatus::Closed,
            EventStatus::Past,
        ] {
            assert!(matches!(
                check_update(&event(status), &name),
                Err(CatalogError::Transition { .. })
            ));
        }
    }

    #[test]
    fn an_update_renames_a_drafts_office_but_not_an_open_one() {
        let name = EventUpdate {
            name: Some("  Encore ".into()),
            ..EventUpdate::default()
        };
        let draft = apply_update(&event(EventStatus::Draft), name.clone());
        assert_eq!(
            (draft.name.as_str(), draft.office.event_name.as_str()),
            ("Encore", "Encore")
        );
        let open = apply_update(&event(EventStatus::OnSale), name);
        assert_eq!(
            (open.name.as_str(), open.office.event_name.as_str()),
            ("Encore", "gig")
        );
    }
}
