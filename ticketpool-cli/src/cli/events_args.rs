//! `ticketpool events ...` on the command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `ticketpool events` options, shared by every subcommand.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The catalog's journal (SQLite). Required: there is no default, so
    /// the catalog never lands in a file you did not name. `add`, `venue
    /// add` and `performer add` create it if missing; the others need it.
    /// It holds every event's sales too (journals an earlier version kept
    /// beside it as FILE-event-ID.db are moved in and renamed .migrated).
    #[arg(long, value_name = "FILE", global = true)]
    pub journal: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: EventsCommand,
}

/// The `events` subcommands.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Add an event described in a .toml or .json file (as a draft); print
    /// its id. Its venue and performers are found by name, and created
    /// when the journal has none of that name.
    Add {
        /// The event file: name, description, performers, venue,
        /// starts_at, time_zone, categories and an [office] table as
        /// `ticketpool config` writes it.
        file: PathBuf,
    },
    /// Add a venue; print its id.
    #[command(subcommand)]
    Venue(VenueCommand),
    /// Add a performer; print its id.
    #[command(subcommand)]
    Performer(PerformerCommand),
    /// Put a draft on sale: its box office opens.
    OnSale {
        /// The event's id.
        id: u64,
    },
    /// Pause an event's sale.
    Pause {
        /// The event's id.
        id: u64,
    },
    /// Resume a paused sale.
    Resume {
        /// The event's id.
        id: u64,
    },
    /// Close an event's sales for good: no new holds or sales; tickets
    /// sold stay valid (unlike cancel).
    Close {
        /// The event's id.
        id: u64,
    },
    /// Cancel an event; its box office closes.
    Cancel {
        /// The event's id.
        id: u64,
    },
    /// Upcoming events (on sale, paused or sold out), soonest first.
    List {
        /// Rank by tickets sold, most first.
        #[arg(long, conflicts_with = "all")]
        popular: bool,
        /// Every event, drafts, cancelled and past ones too, by id.
        #[arg(long)]
        all: bool,
        /// Most events to show.
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
    },
    /// Search events by words (within one typo), with filters.
    Search(SearchArgs),
    /// One event: venue, performers, ticket types and prices, and what
    /// its box office has available, held and sold now.
    Show {
        /// The event's id.
        id: u64,
    },
}

/// `ticketpool events venue ...`.
#[derive(Debug, Subcommand)]
pub enum VenueCommand {
    /// Add a venue.
    Add {
        /// Its name.
        name: String,
        /// The city it is in.
        #[arg(long)]
        city: String,
        /// The most tickets an event there may sell.
        #[arg(long, value_name = "N")]
        capacity: u64,
    },
}

/// `ticketpool events performer ...`.
#[derive(Debug, Subcommand)]
pub enum PerformerCommand {
    /// Add a performer.
    Add {
        /// Its name.
        name: String,
        /// A text about it (searched).
        #[arg(long, default_value = "")]
        description: String,
    },
}

/// `ticketpool events search` options.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The words (none: every event the filters let through).
    #[arg(default_value = "")]
    pub query: String,
    /// Only events in this city.
    #[arg(long)]
    pub city: Option<String>,
    /// Only events starting on or after this date (YYYY-MM-DD, UTC) or
    /// time (RFC 3339, such as 2030-05-01T19:00:00Z).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only events starting on or before this date (the whole day, UTC),
    /// or before this RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only events with this category.
    #[arg(long)]
    pub category: Option<String>,
    /// Only events on sale now.
    #[arg(long)]
    pub on_sale: bool,
    /// The page to show, from 1.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub page: usize,
    /// Events per page (at most 1000).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub per_page: usize,
}
