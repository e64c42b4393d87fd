//! Vendors (producers): the registry of who may release what, and the
//! [`Vendor`] handle.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::office::box_office::{Inner, Wait};
use crate::office::error::BoxOfficeError;
use crate::office::stock::Stock;
use crate::office::ticket::Ticket;
use crate::office::trace::{self, Actor};
use crate::pool::primitive::{AtomicUsize, Mutex, Ordering};

/// One registered vendor.
pub(crate) struct VendorEntry {
    pub(crate) name: Arc<str>,
    /// Type indexes it may release; `None`: every type.
    types: Option<Vec<usize>>,
    /// 1 once removed (no `AtomicBool` in the loom shim).
    removed: AtomicUsize,
    /// This vendor's own copy of every type's name, by type index, for
    /// the tickets it releases: equal to the office's names, but with a
    /// refcount of its own, so vendors releasing at once do not all bump
    /// one shared count.
    pub(crate) ticket_type_names: Vec<Arc<str>>,
}

impl VendorEntry {
    pub(crate) fn may_release(&self, ty: usize) -> bool {
        self.types
            .as_ref()
            .map_or(true, |types| types.contains(&ty))
    }

    pub(crate) fn is_removed(&self) -> bool {
        self.removed.load(Ordering::Acquire) != 0
    }

    pub(crate) fn type_names(&self, stock: &Stock) -> Vec<Arc<str>> {
        match &self.types {
            Some(types) => types
                .iter()
                .map(|&i| Arc::clone(&stock.get(i).name))
                .collect(),
            None => stock.iter().map(|ty| Arc::clone(&ty.name)).collect(),
        }
    }
}

/// The office's vendors by name.
pub(crate) struct Vendors {
    map: Mutex<HashMap<Arc<str>, Arc<VendorEntry>>>,
}

impl Vendors {
    pub(crate) fn new() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn add(
        &self,
        stock: &Stock,
        name: &str,
        ticket_types: &[&str],
    ) -> Result<Arc<VendorEntry>, BoxOfficeError> {
        let types = if ticket_types.is_empty() {
            None
        } else {
            let indexes = ticket_types
                .iter()
                .map(|ty| {
                    stock
                        .index_of(ty)
                        .ok_or_else(|| BoxOfficeError::UnknownTicketType(Arc::from(*ty)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(indexes)
        };
        let mut map = self.map.lock();
        if map.contains_key(name) {
            return Err(BoxOfficeError::DuplicateVendor(Arc::from(name)));
        }
        let entry = Arc::new(VendorEntry {
            name: Arc::from(name),
            types,
            removed: AtomicUsize::new(0),
            ticket_type_names: stock.iter().map(|ty| Arc::from(&*ty.name)).collect(),
        });
        map.insert(Arc::clone(&entry.name), Arc::clone(&entry));
        Ok(entry)
    }

    pub(crate) fn get(&self, name: &str) -> Result<Arc<VendorEntry>, BoxOfficeError> {
        self.map
            .lock()
            .get(name)
            .cloned()
            .ok_or_else(|| BoxOfficeError::UnknownVendor(Arc::from(name)))
    }

    pub(crate) fn remove(&self, name: &str) -> Result<Arc<VendorEntry>, BoxOfficeError> {
        let entry = self
            .map
            .lock()
            .remove(name)
            .ok_or_else(|| BoxOfficeError::UnknownVendor(Arc::from(name)))?;
        entry.removed.store(1, Ordering::Release);
        Ok(entry)
    }

    pub(crate) fn names(&self) -> Vec<Arc<str>> {
        let mut names: Vec<_> = self.map.lock().keys().cloned().collect();
        names.sort();
        names
    }
}

/// A vendor's handle: it releases tickets of the types it may sell.
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
