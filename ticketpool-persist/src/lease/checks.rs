//! Requests refused before they reach the database.

use std::collections::HashSet;
use std::time::Duration;

use super::types::SaleToCommit;
use crate::error::PersistError;

/// The longest lease: a node that vanishes keeps its tickets off sale this
/// long at most.
pub const MAX_LEASE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A node name: any non-empty text up to 200 bytes (the lease owner).
pub(super) fn node(node: &str) -> Result<(), PersistError> {
    if node.is_empty() || node.len() > 200 {
        return Err(PersistError::LeaseRequest(format!(
            "node name {node:?} must be 1-200 bytes"
        )));
    }
    Ok(())
}

/// A time to live in microseconds, between one microsecond and
/// [`MAX_LEASE_TTL`].
pub(super) fn ttl_micros(ttl: Duration) -> Result<i64, PersistError> {
    if ttl < Duration::from_micros(1) || ttl > MAX_LEASE_TTL {
        return Err(PersistError::LeaseRequest(format!(
            "a lease's time to live must be from 1 µs to {} s, not {ttl:?}",
            MAX_LEASE_TTL.as_secs()
        )));
    }
    // At most a day of microseconds: fits easily.
    Ok(i64::try_from(ttl.as_micros()).unwrap_or(i64::MAX))
}

/// A block size of at least one ticket.
pub(super) fn block(n: u32) -> Result<i64, PersistError> {
    if n == 0 {
        return Err(PersistError::LeaseRequest(
            "a lease must ask for at least one ticket".into(),
        ));
    }
    Ok(i64::from(n))
}

/// A group with each ticket once: a ticket sold twice in one group is a
/// bug in the node, and the database would record only one of the two.
pub(super) fn distinct(sales: &[SaleToCommit]) -> Result<(), PersistError> {
    let mut seen = HashSet::with_capacity(sales.len());
    for sale in sales {
        if !seen.insert(sale.ticket) {
            return Err(PersistError::LeaseRequest(format!(
                "ticket {} appears twice in one group of sales",
                sale.ticket
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ticketpool_core::{Money, TicketId};

    use super::*;

    #[test]
    fn bad_requests_are_named() {
        assert!(node("").unwrap_err().to_string().contains("node name"));
        assert!(node(&"n".repeat(201)).is_err());
        assert!(node("node-1").is_ok());
        assert!(ttl_micros(Duration::ZERO).is_err());
        assert!(ttl_micros(MAX_LEASE_TTL + Duration::from_secs(1)).is_err());
        assert_eq!(ttl_micros(Duration::from_millis(300)).unwrap(), 300_000);
        assert!(block(0).unwrap_err().to_string().contains("at least one"));
        assert_eq!(block(64).unwrap(), 64);
    }

    #[test]
    fn a_ticket_twice_in_a_group_is_refused() {
        let sale = |id| SaleToCommit {
            ticket: TicketId(id),
            customer: "ada".into(),
            price: Money::from_minor(100),
        };
        assert!(distinct(&[sale(1), sale(2)]).is_ok());
        let err = distinct(&[sale(1), sale(2), sale(1)]).unwrap_err();
        assert!(err.to_string().contains("T1 appears twice"), "{err}");
    }
}
