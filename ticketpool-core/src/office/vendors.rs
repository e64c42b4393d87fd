//! The registry of vendors: who may release what.

use std::collections::HashMap;
use std::sync::Arc;

use crate::office::error::BoxOfficeError;
use crate::office::name::Name;
use crate::office::stock::Stock;
use crate::pool::primitive::{AtomicUsize, Mutex, Ordering};

/// One registered vendor.
pub(crate) struct VendorEntry {
    pub(crate) name: Arc<str>,
    /// Type indexes it may release; `None`: every type.
    types: Option<Vec<usize>>,
    /// 1 once removed (no `AtomicBool` in the loom shim).
    removed: AtomicUsize,
    /// The vendor's name and every type's name (by type index) as its
    /// tickets carry them: inline, so a release copies bytes and bumps no
    /// refcount that the buyers' threads also touch.
    pub(crate) ticket_name: Name,
    pub(crate) ticket_type_names: Vec<Name>,
}

impl VendorEntry {
    pub(crate) fn may_release(&self, ty: usize) -> bool {
        self.types.as_ref().is_none_or(|types| types.contains(&ty))
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
            ticket_name: Name::from(name),
            ticket_type_names: stock.iter().map(|ty| Name::from(&*ty.name)).collect(),
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
