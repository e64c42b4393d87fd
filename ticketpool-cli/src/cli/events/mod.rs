//! `ticketpool events`: a catalog of events on a journal, run from the
//! command line: add events (from a file), venues and performers; put
//! events on sale, pause, resume, close sales, cancel; list, search and show them.

mod dates;
mod errors;
mod file;
mod render;
mod store;

use std::path::Path;

use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{
    Catalog, EventId, NewEvent, NewPerformer, NewVenue, SearchQuery, MAX_PAGE,
};

use self::errors::catalog_error;
use self::file::VenueRef;
use self::store::{open_catalog, Access};
use super::config_cmd::report_problems;
use super::events_args::{EventsArgs, EventsCommand, PerformerCommand, SearchArgs, VenueCommand};
use super::sales::emit;
use super::CliError;

/// Runs the command.
pub fn run(args: &EventsArgs) -> Result<(), CliError> {
    let Some(journal) = args.journal.as_deref() else {
        return Err(CliError::Usage(
            "`ticketpool events` needs --journal FILE: the catalog's journal".to_owned(),
        ));
    };
    let json = args.json;
    let fail = |err: ticketpool_catalog::CatalogError| catalog_error(journal, &err);
    match &args.command {
        EventsCommand::Add { file } => add(journal, file, json),
        EventsCommand::Venue(VenueCommand::Add {
            name,
            city,
            capacity,
        }) => {
            let catalog = open_catalog(journal, Access::CreateIfMissing)?;
            let id = catalog
                .add_venue(NewVenue {
                    name: name.clone(),
                    city: city.clone(),
                    capacity: *capacity,
                })
                .map_err(fail)?;
            added(id.0, "venue", json)
        }
        EventsCommand::Performer(PerformerCommand::Add { name, description }) => {
            let catalog = open_catalog(journal, Access::CreateIfMissing)?;
            let id = catalog
                .add_performer(NewPerformer {
                    name: name.clone(),
                    description: description.clone(),
                })
                .map_err(fail)?;
            added(id.0, "performer", json)
        }
        EventsCommand::OnSale { id } => change(journal, *id, "on sale", Catalog::put_on_sale),
        EventsCommand::Pause { id } => change(journal, *id, "paused", Catalog::pause),
        EventsCommand::Resume { id } => change(journal, *id, "on sale again", Catalog::resume),
        EventsCommand::Close { id } => {
            change(journal, *id, "closed for sales", Catalog::close_sales)
        }
        EventsCommand::Cancel { id } => change(journal, *id, "cancelled", Catalog::cancel),
        EventsCommand::List {
            popular,
            all,
            limit,
        } => {
            let catalog = open_catalog(journal, Access::Existing)?;
            let events = if *all {
                catalog.events().into_iter().take(*limit).collect()
            } else {
                catalog.upcoming(Timestamp::now(), if *popular { usize::MAX } else { *limit })
            };
            let mut rows: Vec<render::Row> = events
                .into_iter()
                .map(|event| render::Row::of(&catalog, event))
                .collect();
            if *popular {
                // A one-shot process has no recent window to rank by, so
                // "popular" is all-time sales; ties stay soonest first.
                rows.sort_by_key(|row| std::cmp::Reverse(row.sold()));
                rows.truncate(*limit);
            }
            emit(&render::rows(&rows, json))
        }
        EventsCommand::Search(search) => {
            let query = search_query(search)?;
            let catalog = open_catalog(journal, Access::Existing)?;
            let found = catalog.search(&query).map_err(fail)?;
            emit(&render::search(
                &catalog,
                &found,
                search.page,
                search.per_page,
                json,
            ))
        }
        EventsCommand::Show { id } => {
            let catalog = open_catalog(journal, Access::Existing)?;
            let event = catalog.event(EventId(*id)).map_err(fail)?;
            let snapshot = catalog.availability(event.id).ok();
            emit(&render::show(&catalog, &event, snapshot.as_ref(), json))
        }
    }
}

/// `add FILE`: the file is read and checked in full before anything is
/// written; then its new venue and performers, then the event.
fn add(journal: &Path, file: &Path, json: bool) -> Result<(), CliError> {
    let fail = |err: ticketpool_catalog::CatalogError| catalog_error(journal, &err);
    let problems = |err| report_problems(file, err);
    // A new journal knows no venue: the file is read in full first, so a
    // bad file never creates a journal.
    let (catalog, event) = if journal.symlink_metadata().is_err() {
        let event = file::read(file, &[]).map_err(problems)?;
        (open_catalog(journal, Access::CreateIfMissing)?, event)
    } else {
        let catalog = open_catalog(journal, Access::Existing)?;
        let event = file::read(file, &catalog.venues()).map_err(problems)?;
        (catalog, event)
    };
    let venue = match event.venue {
        VenueRef::Existing(id) => id,
        VenueRef::New {
            name,
            city,
            capacity,
        } => catalog
            .add_venue(NewVenue {
                name,
                city,
                capacity,
            })
            .map_err(fail)?,
    };
    let mut performers = Vec::new();
    for name in &event.performers {
        let found = catalog
            .performers()
            .into_iter()
            .find(|known| known.name.trim().eq_ignore_ascii_case(name.trim()));
        let id = match found {
            Some(known) => known.id,
            None => catalog
                .add_performer(NewPerformer {
                    name: name.clone(),
                    description: String::new(),
                })
                .map_err(fail)?,
        };
        performers.push(id);
    }
    let id = catalog
        .create_event(NewEvent {
            name: event.name,
            description: event.description,
            performers,
            venue,
            starts_at: event.starts_at,
            time_zone: event.time_zone,
            categories: event.categories,
            office: event.office,
        })
        .map_err(fail)?;
    if !json {
        eprintln!(
            "added {} as a draft; put it on sale with `ticketpool events --journal {} on-sale {}`",
            id,
            journal.display(),
            id.0
        );
    }
    added(id.0, "event", json)
}

/// Prints a new id: alone on stdout for scripts, or as JSON.
fn added(id: u64, kind: &str, json: bool) -> Result<(), CliError> {
    if json {
        emit(&render::pretty(
            &serde_json::json!({ "id": id, "kind": kind }),
        ))
    } else {
        emit(&format!("{id}\n"))
    }
}

/// Applies a status change to event `id` and says what it is now.
fn change(
    journal: &Path,
    id: u64,
    now: &str,
    action: fn(&Catalog, EventId) -> Result<(), ticketpool_catalog::CatalogError>,
) -> Result<(), CliError> {
    let catalog = open_catalog(journal, Access::Existing)?;
    let id = EventId(id);
    action(&catalog, id).map_err(|err| catalog_error(journal, &err))?;
    emit(&format!("{id} is {now}\n"))
}

/// The library's query from the flags; bad dates and pages are usage
/// errors naming the flag.
fn search_query(args: &SearchArgs) -> Result<SearchQuery, CliError> {
    let bound = |flag: &str, text: &Option<String>, end| {
        text.as_deref()
            .map(|text| dates::search_bound(text, end))
            .transpose()
            .map_err(|message| CliError::Usage(format!("{flag}: {message}")))
    };
    let from = bound("--from", &args.from, dates::End::From)?;
    let until = bound("--to", &args.to, dates::End::To)?;
    if let (Some(from), Some(until)) = (from, until) {
        if until <= from {
            return Err(CliError::Usage(format!(
                "--to {} is not after --from {}: no event can match",
                args.to.as_deref().unwrap_or_default(),
                args.from.as_deref().unwrap_or_default()
            )));
        }
    }
    if args.page == 0 {
        return Err(CliError::Usage("--page counts from 1".to_owned()));
    }
    if args.per_page == 0 || args.per_page > MAX_PAGE {
        return Err(CliError::Usage(format!(
            "--per-page must be from 1 to {MAX_PAGE}, got {}",
            args.per_page
        )));
    }
    let offset = (args.page - 1)
        .checked_mul(args.per_page)
        .ok_or_else(|| CliError::Usage(format!("--page {} is too far", args.page)))?;
    Ok(SearchQuery {
        text: args.query.clone(),
        city: args.city.clone(),
        from,
        until,
        category: args.category.clone(),
        on_sale_only: args.on_sale,
        offset,
        limit: args.per_page,
    })
}
