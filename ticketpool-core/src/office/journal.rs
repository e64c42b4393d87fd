//! The journal sink: how a box office hands its events to durable storage
//! (`ticketpool-persist`) without `ticketpool-core` depending on it.

use std::fmt;

use crate::office::event::Event;
use crate::office::ticket::{Sale, Ticket, TicketId};

/// Durable storage for a box office's events.
///
/// The box office calls [`record`](Journal::record) for every durable event
/// ([`Event::is_durable`]) in the order the events happen. For an
/// [`Event::Sold`], the sale is handed to the customer only after `record`
/// returns `Ok`: an implementation that promises durability returns only once
/// the sale is committed; one that batches may return at once. If `record`
/// fails for a sale, the customer gets an error and the ticket goes back on
/// sale: a sale is never handed over unrecorded.
pub trait Journal: Send + Sync {
    /// Records one event.
    ///
    /// # Errors
    ///
    /// [`JournalError`] if the event could not be recorded (disk full,
    /// connection lost, journal shut down).
    fn record(&self, event: &Event) -> Result<(), JournalError>;

    /// Returns once everything recorded so far is durable.
    ///
    /// # Errors
    ///
    /// [`JournalError`] if a pending write failed.
    fn flush(&self) -> Result<(), JournalError>;
}

/// A journal write that failed; sales stop rather than go unrecorded.
#[derive(Debug, thiserror::Error)]
#[error("journal: {message}")]
pub struct JournalError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl JournalError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and the underlying cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message, without the cause.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What a journal knows after a crash: enough to rebuild a box office.
///
/// Sold tickets stay sold; released tickets that were not sold (including
/// those held when the process died) go back on sale; new ticket ids start
/// at `next_ticket_id`, so none is reused.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RecoveredState {
    /// Every sale, in the order recorded.
    pub sales: Vec<Sale>,
    /// Released and not sold: available again.
    pub unsold: Vec<Ticket>,
    /// One past the largest ticket id ever recorded.
    pub next_ticket_id: TicketId,
    /// How many tickets were released in all (sold plus unsold).
    pub released: u64,
    /// Vendors present at the crash, with the types they may release.
    pub vendors: Vec<(std::sync::Arc<str>, Vec<std::sync::Arc<str>>)>,
}

impl fmt::Debug for RecoveredState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveredState")
            .field("sales", &self.sales.len())
            .field("unsold", &self.unsold.len())
            .field("next_ticket_id", &self.next_ticket_id)
            .field("released", &self.released)
            .field("vendors", &self.vendors.len())
            .finish()
    }
}
