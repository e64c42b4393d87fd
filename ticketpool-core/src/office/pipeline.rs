//! The one way out for the office's events: the journal, the live
//! subscribers and the `tracing` log, in that order.
//!
//! - [`record`](Pipeline::record): a durable event is journaled first, and
//!   told to subscribers and the log only once the journal has it; a
//!   journal error comes back and nothing is told. A non-durable event is
//!   just announced.
//! - [`announce`](Pipeline::announce): an event nobody journals (or one
//!   already journaled) goes to the log and the subscribers.
//! - [`write`](Pipeline::write): the journal half of `record` alone, for
//!   the two places that must change the office between journaling and
//!   telling (placing a hold, and putting a hold's ticket back); they call
//!   `announce` after.

use std::sync::Arc;

use crate::office::error::BoxOfficeError;
use crate::office::event::Event;
use crate::office::journal::Journal;
use crate::office::subscribe::{Subscribers, Subscription};
use crate::office::trace;

/// The office's journal, subscribers and log.
pub(crate) struct Pipeline {
    journal: Option<Arc<dyn Journal>>,
    subscribers: Subscribers,
}

impl Pipeline {
    pub(crate) fn new(journal: Option<Arc<dyn Journal>>) -> Self {
        Self {
            journal,
            subscribers: Subscribers::new(),
        }
    }

    /// Journals `event` if it is durable, then announces it.
    pub(crate) fn record(&self, event: &Event) -> Result<(), BoxOfficeError> {
        self.write(event)?;
        self.announce(event);
        Ok(())
    }

    /// Journals `event` if it is durable (and there is a journal); tells
    /// nobody. The caller announces it afterwards.
    pub(crate) fn write(&self, event: &Event) -> Result<(), BoxOfficeError> {
        match &self.journal {
            Some(journal) if event.is_durable() => Ok(journal.record(event)?),
            _ => Ok(()),
        }
    }

    /// Logs `event` and hands it to every live subscriber; never fails and
    /// never waits for a reader. Every event the office emits passes here,
    /// whether or not anyone subscribed.
    pub(crate) fn announce(&self, event: &Event) {
        trace::event(event);
        self.subscribers.publish(event);
    }

    /// `true` if an event would reach anyone: a journal, a subscriber or a
    /// `tracing` subscriber that wants ticket movements. Lets the hot path
    /// skip building events nobody would see.
    pub(crate) fn is_observed(&self) -> bool {
        self.journal.is_some() || self.subscribers.listening() || trace::released_enabled()
    }

    /// A new live stream (see [`Subscribers::subscribe`]).
    pub(crate) fn subscribe(&self, capacity: usize) -> Subscription {
        self.subscribers.subscribe(capacity)
    }

    /// Ends every stream, and every later one at once. Idempotent.
    pub(crate) fn end_streams(&self) {
        self.subscribers.close();
    }
}
