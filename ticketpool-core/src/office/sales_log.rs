//! Reading the sales log: every sale, in the order it completed.
//!
//! The sales themselves are appended by the [`Ledger`] (each in the shard
//! that counted it, so the log never disagrees with a snapshot's sold
//! count); reading merges them by sequence number. Durable storage is the
//! [`Journal`](crate::Journal)'s job; this log is what the office answers
//! queries from.

use std::collections::HashMap;
use std::sync::Arc;

use crate::office::ledger::Ledger;
use crate::office::ticket::Sale;

impl Ledger {
    pub(crate) fn sales_len(&self) -> usize {
        self.with_log(<[Sale]>::len)
    }

    /// Sales from position `from` on (for readers that poll for new sales).
    pub(crate) fn sales_since(&self, from: usize) -> Vec<Sale> {
        self.with_log(|sales| sales.get(from..).map(<[Sale]>::to_vec).unwrap_or_default())
    }

    pub(crate) fn sales_of_customer(&self, customer: &str) -> Vec<Sale> {
        self.sales_where(|sale| &*sale.customer == customer)
    }

    pub(crate) fn sales_of_vendor(&self, vendor: &str) -> Vec<Sale> {
        self.sales_where(|sale| &*sale.ticket.vendor == vendor)
    }

    fn sales_where(&self, keep: impl Fn(&Sale) -> bool) -> Vec<Sale> {
        self.with_log(|sales| sales.iter().filter(|sale| keep(sale)).cloned().collect())
    }
}

/// Counts of bought tickets per customer, for rebuilding limits on restore.
pub(crate) fn bought_per_customer(sales: &[Sale]) -> HashMap<Arc<str>, u32> {
    let mut counts = HashMap::new();
    for sale in sales {
        *counts.entry(Arc::clone(&sale.customer)).or_insert(0) += 1;
    }
    counts
}
