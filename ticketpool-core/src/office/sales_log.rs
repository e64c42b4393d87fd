//! The in-memory sales log: every sale, in the order it completed.
//!
//! Durable storage is the [`Journal`](crate::Journal)'s job; this log is what
//! the office answers queries from.

use std::sync::Arc;

use crate::office::ticket::Sale;
use crate::pool::primitive::Mutex;

/// Every sale of one office, append-only.
pub(crate) struct SalesLog {
    sales: Mutex<Vec<Sale>>,
}

impl SalesLog {
    pub(crate) fn new() -> Self {
        Self {
            sales: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn push(&self, sale: Sale) {
        self.sales.lock().push(sale);
    }

    pub(crate) fn extend(&self, sales: impl IntoIterator<Item = Sale>) {
        self.sales.lock().extend(sales);
    }

    pub(crate) fn len(&self) -> usize {
        self.sales.lock().len()
    }

    pub(crate) fn with_all<R>(&self, f: impl FnOnce(&[Sale]) -> R) -> R {
        f(&self.sales.lock())
    }

    /// Sales from position `from` on (for readers that poll for new sales).
    pub(crate) fn since(&self, from: usize) -> Vec<Sale> {
        let sales = self.sales.lock();
        sales.get(from..).map(<[Sale]>::to_vec).unwrap_or_default()
    }

    pub(crate) fn of_customer(&self, customer: &str) -> Vec<Sale> {
        self.filter(|sale| &*sale.customer == customer)
    }

    pub(crate) fn of_vendor(&self, vendor: &str) -> Vec<Sale> {
        self.filter(|sale| &*sale.ticket.vendor == vendor)
    }

    fn filter(&self, keep: impl Fn(&Sale) -> bool) -> Vec<Sale> {
        self.sales
            .lock()
            .iter()
            .filter(|sale| keep(sale))
            .cloned()
            .collect()
    }
}

/// Counts of bought tickets per customer, for rebuilding limits on restore.
pub(crate) fn bought_per_customer(sales: &[Sale]) -> std::collections::HashMap<Arc<str>, u32> {
    let mut counts = std::collections::HashMap::new();
    for sale in sales {
        *counts.entry(Arc::clone(&sale.customer)).or_insert(0) += 1;
    }
    counts
}
