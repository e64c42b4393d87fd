//! What can go wrong when opening, writing or recovering a journal.

use ticketpool_core::{BoxOfficeError, JournalError, TicketId};

use crate::settings::SettingDifference;

/// A journal storage failure, named so that an operator can act on it.
///
/// Bad files (not a database, another application's database, a damaged
/// one, one written by a newer version) are typed errors, never panics, and
/// the journal never writes to them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersistError {
    /// The database could not be opened or reached (missing directory, no
    /// permission, server down).
    #[error("{location}: cannot open the journal: {source}")]
    Open {
        /// The file, or the PostgreSQL connection.
        location: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The file exists but is not an SQLite database (or is encrypted).
    #[error("{location}: not a ticketpool journal: the file is not an SQLite database")]
    NotADatabase {
        /// The file.
        location: String,
    },
    /// A database that belongs to something else; it is left untouched.
    #[error("{location}: not a ticketpool journal: {detail}; refusing to write to it")]
    Foreign {
        /// The file, or the PostgreSQL schema.
        location: String,
        /// What gave it away.
        detail: String,
    },
    /// The database is damaged (SQLite reported a malformed image).
    #[error("{location}: the journal database is corrupt: {detail}")]
    Corrupt {
        /// The file, or the PostgreSQL schema.
        location: String,
        /// What the database said.
        detail: String,
    },
    /// Written by a newer ticketpool; this build cannot read it safely.
    #[error(
        "{location}: journal schema version {found} is newer than this build supports \
         ({supported}); upgrade ticketpool to read it"
    )]
    SchemaTooNew {
        /// The file, or the PostgreSQL schema.
        location: String,
        /// The version in the database.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A second, different sale of a ticket that is already sold: the
    /// `UNIQUE(ticket_id)` on the sales table refused it.
    #[error("ticket {ticket} is already sold to {holder}; refusing a second sale")]
    DoubleSale {
        /// The ticket.
        ticket: TicketId,
        /// The customer the recorded sale belongs to.
        holder: String,
    },
    /// A stored value this build cannot decode (a damaged row).
    #[error("{location}: unreadable journal row: {detail}")]
    BadRow {
        /// The file, or the PostgreSQL schema.
        location: String,
        /// Which row and why.
        detail: String,
    },
    /// The journal does not fit the box office configuration it was opened
    /// with (a ticket type the configuration lacks, more tickets released
    /// than `total_tickets`); nothing was written.
    #[error("the journal does not fit the box office configuration: {0}")]
    Office(#[source] BoxOfficeError),
    /// The box office configuration contradicts the one the journal
    /// recorded (another event name, a type removed or renamed, a price
    /// changed, ...); nothing was written. Every difference is listed.
    #[error(
        "the configuration contradicts the journal: {}; open it with the journal's \
         configuration, or change it on purpose with ticketpool_persist::reconfigure",
        crate::settings::list(.differences)
    )]
    ConfigMismatch {
        /// Every difference, recorded against proposed.
        differences: Vec<SettingDifference>,
    },
    /// A setting that cannot work (for example a schema name with spaces).
    #[error("invalid journal configuration: {0}")]
    Config(String),
    /// A [`JournalConfig`](crate::JournalConfig) setting out of its range
    /// (a zero batch size, a group delay past its bound).
    #[error("invalid journal configuration: {field} {problem}")]
    Setting {
        /// The setting, as the field is named.
        field: &'static str,
        /// What is wrong with its value.
        problem: String,
    },
    /// A ticket-lease call that cannot work (a zero-size block, a zero or
    /// over-long time to live, an empty node name, one ticket twice in a
    /// commit); nothing was sent to the database.
    #[error("invalid lease request: {0}")]
    LeaseRequest(String),
    /// A lease node leased a ticket whose type its box office does not
    /// sell: the node and the event disagree on the ticket types. The node
    /// handed the block back and stopped selling.
    #[error(
        "ticket {ticket} of event {event} has type {ticket_type:?}, which the node's box \
         office does not sell; the node stopped selling"
    )]
    UnknownLeasedType {
        /// The event.
        event: u64,
        /// The ticket, as PostgreSQL numbers it.
        ticket: TicketId,
        /// Its type in PostgreSQL.
        ticket_type: String,
    },
    /// A lease node found that it no longer held some of its leases (they
    /// expired before a renewal or a commit): another node may sell those
    /// tickets now, so this node stopped selling.
    #[error("node {node} lost its lease on {lost} ticket(s) of event {event}; it stopped selling")]
    Fenced {
        /// The node.
        node: String,
        /// The event.
        event: u64,
        /// How many tickets it found gone.
        lost: u64,
    },
    /// An earlier write failed; every later write fails too until the
    /// journal is reopened, so no sale is handed over unrecorded.
    #[error("the journal stopped after a failed write ({0}); reopen it to continue")]
    Stopped(String),
    /// A file-system error outside the database (for example a backup path).
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// An SQLite error (disk full, I/O error, locked, ...).
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A PostgreSQL error (connection lost, server error, ...).
    #[cfg(feature = "postgres")]
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
}

impl PersistError {
    /// Converts to the error type of the [`Journal`](ticketpool_core::Journal)
    /// trait, keeping `self` as the cause.
    pub fn into_journal_error(self) -> JournalError {
        JournalError::with_source(self.to_string(), self)
    }
}

impl From<PersistError> for JournalError {
    fn from(error: PersistError) -> Self {
        error.into_journal_error()
    }
}
