//! Vendors (producers): the [`Vendor`] handle. The registry behind it is
//! `vendors.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::office::error::BoxOfficeError;
use crate::office::state::Inner;
use crate::office::take::Wait;
use crate::office::ticket::{Ticket, TicketId};
use crate::office::trace::{self, Actor};
use crate::office::vendors::VendorEntry;

/// A vendor's handle: it releases tickets of the types it may sell,
/// numbered by the office ([`release`](Self::release) and its forms) or
/// with ids the caller chooses ([`release_as`](Self::release_as) and its
/// forms; one or the other per office).
///
/// Cheap to clone. Releases wait while the office is at `max_capacity` or
/// paused; once the event's `total_tickets` (or the type's quota) have been
/// released they fail with [`SoldOut`](BoxOfficeError::SoldOut) at once.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOffice, BoxOfficeConfig, BoxOfficeError, Money};
///
/// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 2, 1, Money::from_minor(100))).unwrap();
/// let vendor = office.add_vendor("north", &["general"]).unwrap();
/// let ticket = vendor.release("general").unwrap();
/// assert_eq!(ticket.vendor.as_ref(), "north");
/// // One ticket is on sale and max_capacity is 1: no room.
/// assert!(matches!(vendor.try_release("general"), Err(BoxOfficeError::Full)));
/// ```
#[derive(Clone)]
pub struct Vendor {
    office: Arc<Inner>,
    entry: Arc<VendorEntry>,
}

impl Vendor {
    pub(crate) fn new(office: Arc<Inner>, entry: Arc<VendorEntry>) -> Self {
        Self { office, entry }
    }

    /// The vendor's name.
    pub fn name(&self) -> &Arc<str> {
        &self.entry.name
    }

    /// The types this vendor may release.
    pub fn ticket_types(&self) -> Vec<Arc<str>> {
        self.entry.type_names(&self.office.stock)
    }

    /// Releases one ticket of `ticket_type`, waiting while the office is
    /// full or paused.
    ///
    /// # Errors
    ///
    /// [`SoldOut`](BoxOfficeError::SoldOut), [`Closed`](BoxOfficeError::Closed),
    /// [`UnknownTicketType`](BoxOfficeError::UnknownTicketType),
    /// [`VendorNotAllowed`](BoxOfficeError::VendorNotAllowed),
    /// [`UnknownVendor`](BoxOfficeError::UnknownVendor) once removed,
    /// [`Journal`](BoxOfficeError::Journal) (the release is undone).
    pub fn release(&self, ticket_type: &str) -> Result<Ticket, BoxOfficeError> {
        let result = self
            .office
            .release(&self.entry, ticket_type, Wait::Until(None));
        self.traced(ticket_type, result)
    }

    /// Releases one ticket if there is room now and releases are not paused.
    ///
    /// # Errors
    ///
    /// As [`release`](Self::release), plus [`Full`](BoxOfficeError::Full)
    /// and [`Paused`](BoxOfficeError::Paused).
    pub fn try_release(&self, ticket_type: &str) -> Result<Ticket, BoxOfficeError> {
        let result = self.office.release(&self.entry, ticket_type, Wait::No);
        self.traced(ticket_type, result)
    }

    /// Releases one ticket, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// As [`release`](Self::release), plus [`Timeout`](BoxOfficeError::Timeout).
    pub fn release_timeout(
        &self,
        ticket_type: &str,
        timeout: Duration,
    ) -> Result<Ticket, BoxOfficeError> {
        let result = self
            .office
            .release(&self.entry, ticket_type, Wait::timeout(timeout));
        self.traced(ticket_type, result)
    }

    /// Releases one ticket, waiting until `deadline`.
    ///
    /// # Errors
    ///
    /// As [`release_timeout`](Self::release_timeout).
    pub fn release_deadline(
        &self,
        ticket_type: &str,
        deadline: Instant,
    ) -> Result<Ticket, BoxOfficeError> {
        let result = self
            .office
            .release(&self.entry, ticket_type, Wait::Until(Some(deadline)));
        self.traced(ticket_type, result)
    }

    /// Releases one ticket of `ticket_type` as ticket `id`, chosen by the
    /// caller (a ticket leased from a shared inventory keeps that
    /// inventory's id), waiting while the office is full or paused.
    ///
    /// An office numbers its tickets either itself or by its vendors'
    /// choice, never both: a chosen id is refused once the office numbered
    /// a ticket (since it opened or was restored), and a plain
    /// [`release`](Self::release) is refused once an id was chosen, so the
    /// office never hands out an id a caller chose. The caller keeps its
    /// ids unique within the office (and apart from those of tickets a
    /// restore put back on sale): the office does not look for an id it
    /// already holds.
    ///
    /// # Errors
    ///
    /// As [`release`](Self::release), plus
    /// [`Numbering`](BoxOfficeError::Numbering) if the office numbered
    /// tickets itself or `id` is past `2^63 - 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_core::{BoxOffice, BoxOfficeConfig, BoxOfficeError, Money, TicketId};
    ///
    /// let office = BoxOffice::new(BoxOfficeConfig::simple("gig", 10, 10, Money::from_minor(100))).unwrap();
    /// let vendor = office.add_vendor("leases", &["general"]).unwrap();
    /// assert_eq!(vendor.release_as("general", TicketId(501)).unwrap().id, TicketId(501));
    /// // The office takes chosen ids only, from now on.
    /// assert!(matches!(vendor.release("general"), Err(BoxOfficeError::Numbering(_))));
    /// ```
    pub fn release_as(&self, ticket_type: &str, id: TicketId) -> Result<Ticket, BoxOfficeError> {
        let result = self
            .office
            .release_as(&self.entry, ticket_type, id, Wait::Until(None));
        self.traced(ticket_type, result)
    }

    /// [`release_as`](Self::release_as) if there is room now and releases
    /// are not paused.
    ///
    /// # Errors
    ///
    /// As [`release_as`](Self::release_as), plus
    /// [`Full`](BoxOfficeError::Full) and [`Paused`](BoxOfficeError::Paused).
    pub fn try_release_as(
        &self,
        ticket_type: &str,
        id: TicketId,
    ) -> Result<Ticket, BoxOfficeError> {
        let result = self
            .office
            .release_as(&self.entry, ticket_type, id, Wait::No);
        self.traced(ticket_type, result)
    }

    /// [`release_as`](Self::release_as), waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// As [`release_as`](Self::release_as), plus
    /// [`Timeout`](BoxOfficeError::Timeout).
    pub fn release_as_timeout(
        &self,
        ticket_type: &str,
        id: TicketId,
        timeout: Duration,
    ) -> Result<Ticket, BoxOfficeError> {
        let result = self
            .office
            .release_as(&self.entry, ticket_type, id, Wait::timeout(timeout));
        self.traced(ticket_type, result)
    }

    /// [`release_as`](Self::release_as), waiting until `deadline`.
    ///
    /// # Errors
    ///
    /// As [`release_as_timeout`](Self::release_as_timeout).
    pub fn release_as_deadline(
        &self,
        ticket_type: &str,
        id: TicketId,
        deadline: Instant,
    ) -> Result<Ticket, BoxOfficeError> {
        let result =
            self.office
                .release_as(&self.entry, ticket_type, id, Wait::Until(Some(deadline)));
        self.traced(ticket_type, result)
    }

    /// Logs a refused release.
    fn traced(
        &self,
        ticket_type: &str,
        result: Result<Ticket, BoxOfficeError>,
    ) -> Result<Ticket, BoxOfficeError> {
        result.inspect_err(|err| {
            let actor = Actor::Vendor {
                vendor: &self.entry.name,
                ticket_type: Some(ticket_type),
            };
            trace::refused("release", actor, err);
        })
    }
}

impl fmt::Debug for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vendor")
            .field("name", &self.entry.name)
            .finish_non_exhaustive()
    }
}
