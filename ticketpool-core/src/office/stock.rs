//! Where tickets on sale wait: one pool per ticket type, of the strategy the
//! configuration picks at run time.
//!
//! One pool per type (rather than one shared pool) lets a customer take a
//! given type without passing over the others. In a single-type office
//! blocking customers wait inside the pool, where its VIP rule and
//! wake-ups apply unchanged; with several types they wait in the office's
//! line (`line/`), which applies the rule across types; futures wait in
//! the line in every office. Every pool is sized to its type's share of the office's capacity, and the office admits at
//! most that many tickets of the type (available plus held), so putting a
//! ticket back into its pool never blocks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use crate::office::config::BoxOfficeConfig;
use crate::office::ticket::{Money, Ticket};
use crate::pool::deadline::Interrupt;
use crate::pool::dynamic::DynamicPool;
use crate::pool::error::{CapacityError, ReleaseError, TakeError};
use crate::pool::primitive::AtomicU64;
use crate::pool::Priority;

/// One ticket type and its pool.
pub(crate) struct TypeStock {
    pub(crate) name: Arc<str>,
    pub(crate) base_price: Money,
    pub(crate) quota: Option<u64>,
    /// Sold so far (only counted with a quota, to close the pool at it).
    pub(crate) sold: AtomicU64,
    pool: DynamicPool<Ticket>,
}

impl TypeStock {
    pub(crate) fn try_put(&self, ticket: Ticket) -> Result<(), ReleaseError<Ticket>> {
        self.pool.try_put(ticket)
    }

    pub(crate) fn try_take(&self, priority: Priority) -> Result<Ticket, TakeError> {
        self.pool.try_take(priority)
    }

    pub(crate) fn take_until(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
    ) -> Result<Ticket, TakeError> {
        self.pool.take_until(priority, deadline)
    }

    pub(crate) fn take_interruptible(
        &self,
        priority: Priority,
        deadline: Option<Instant>,
        interrupt: &Interrupt<'_>,
    ) -> Result<Ticket, TakeError> {
        self.pool.take_interruptible(priority, deadline, interrupt)
    }

    /// `true` once the pool is closed and empty: it takes no more tickets
    /// (a closed pool refuses puts), so nothing more of this type comes.
    pub(crate) fn is_drained(&self) -> bool {
        self.pool.is_closed() && self.pool.is_empty()
    }

    pub(crate) fn close(&self) {
        self.pool.close();
    }

    /// Customers registered in this pool's line: what a snapshot counts
    /// as waiting (a buyer on its way into the line is not there yet).
    pub(crate) fn waiting_in_line(&self, priority: Priority) -> u64 {
        self.pool.waiting_consumers(priority) as u64
    }
}

/// Every type's pool, indexed by position in the configuration.
pub(crate) struct Stock {
    types: Vec<TypeStock>,
    by_name: HashMap<Arc<str>, usize>,
}

impl Stock {
    /// One pool per configured type, of the type's share of the capacity;
    /// `extra[i]` tickets of type `i` beyond it must fit (recovered unsold
    /// tickets); `sold[i]` of them are already sold.
    pub(crate) fn new(
        config: &BoxOfficeConfig,
        extra: &[usize],
        sold: &[u64],
    ) -> Result<Self, CapacityError> {
        let mut types = Vec::with_capacity(config.ticket_types.len());
        let mut by_name = HashMap::new();
        let shares = config.type_capacities();
        for (i, ty) in config.ticket_types.iter().enumerate() {
            let capacity = shares[i].max(extra.get(i).copied().unwrap_or(0));
            let name: Arc<str> = Arc::from(ty.name.as_str());
            by_name.insert(Arc::clone(&name), i);
            types.push(TypeStock {
                name,
                base_price: ty.price,
                quota: ty.quota,
                sold: AtomicU64::new(sold.get(i).copied().unwrap_or(0)),
                pool: DynamicPool::with_capacity(config.strategy, capacity)?,
            });
        }
        Ok(Self { types, by_name })
    }

    /// The index of the type named `name`. Called on every release and
    /// buy: a few types are compared directly, which is cheaper than
    /// hashing the name.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        if self.types.len() <= 8 {
            return self.types.iter().position(|ty| *ty.name == *name);
        }
        self.by_name.get(name).copied()
    }

    pub(crate) fn get(&self, index: usize) -> &TypeStock {
        &self.types[index]
    }

    pub(crate) fn len(&self) -> usize {
        self.types.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &TypeStock> {
        self.types.iter()
    }

    pub(crate) fn close_all(&self) {
        for ty in &self.types {
            ty.close();
        }
    }
}
