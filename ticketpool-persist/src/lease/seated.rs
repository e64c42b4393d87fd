//! Seated events on a lease node: refused, until the node sells seats from
//! `lease_seats` (issue 18).
//!
//! Without this, a lease-mode catalog would open each seated event's seats
//! as a node-local copy with every seat on sale, on every node: two nodes
//! would hold the same seat for two customers, and the second
//! confirmation would fail only at the event journal's double-sale guard,
//! after the buyer was told the seat was theirs to confirm.

use std::sync::Arc;

use ticketpool_catalog::{CatalogError, SeatLedgerFactory};

/// Why a lease node sells no seats, as buyers and admins read it.
pub(crate) const LEASE_NODE_SEATS: &str =
    "a lease node (serve --lease-node) does not sell seats yet: seats are not \
     leased from lease_seats, and this node's own copy of the seat map could sell \
     a seat another node sold; the event's general admission tickets are on sale";

/// The seat ledgers of a lease-mode catalog: every seated event's seats
/// are refused with [`CatalogError::SeatsUnsupported`], so none is sold
/// from a node-local copy.
pub(crate) fn lease_node_seat_ledgers() -> SeatLedgerFactory {
    Arc::new(|event| {
        Err(CatalogError::SeatsUnsupported {
            event: event.id,
            reason: LEASE_NODE_SEATS.to_owned(),
        })
    })
}
