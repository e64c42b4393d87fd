//! Ticket leases: several nodes sell one event's tickets out of one
//! PostgreSQL table (cargo feature `postgres`).
//!
//! PostgreSQL holds each event's inventory in `lease_tickets`, one row per
//! ticket: on sale, leased (an owner node and an expiry) or sold (the
//! customer, the price and the node that sold it). A node
//!
//! 1. **leases** a block of tickets with one statement
//!    ([`LeaseInventory::lease`]), sized from its demand by a
//!    [`LeaseSizer`], and sells them from memory;
//! 2. **commits** its sales in groups, one statement per group
//!    ([`LeaseInventory::commit_sales`]), and acknowledges a sale to the
//!    buyer only once it is committed;
//! 3. **renews** all its leases with one statement while it is alive
//!    ([`LeaseInventory::renew`]), well before they expire;
//! 4. **hands back** what it has not sold on a clean stop
//!    ([`LeaseInventory::hand_back_all`]). A killed node hands nothing
//!    back: its tickets return when its leases expire.
//!
//! At a block of 64 and groups of 32 that is three statements per 64
//! tickets (about 0.05 a ticket), where a row lock per sale would be one
//! or more; [`LeaseInventory::statements`] counts them.
//!
//! # Why `FOR UPDATE SKIP LOCKED`
//!
//! The lease statement picks the lowest unsold tickets that are on sale or
//! whose lease has expired, locks them and marks them leased, in one
//! `UPDATE`. With `SKIP LOCKED`, a row another node is leasing or
//! committing at that moment is passed over instead of waited for: nodes
//! never queue behind each other, and two nodes leasing at once get
//! disjoint blocks. A row picked from an old snapshot is rechecked once
//! locked, so a ticket sold in between is not leased again.
//!
//! # Fencing: owner and expiry on the database's clock
//!
//! Every lease carries its owner and its expiry, computed from the
//! database's `now()`: the one clock all nodes share, so no node's clock
//! drift moves anyone's lease. A group of sales records only the tickets
//! the node holds under a *live* lease (`lease_owner = node`, `state =
//! leased`, `lease_expires > now()`, checked in the same statement that
//! writes the sale, under the row lock). Once a lease expired, another node
//! may lease and sell the ticket; the late node's commit then finds the
//! ticket no longer its own and reports it **lost**.
//!
//! A lost sale was never recorded: the node must not acknowledge it (it
//! tells the buyer the ticket is gone, or sells them another). That is
//! what makes "no ticket sold twice" hold whatever the nodes' timing,
//! pauses or clocks: the database, not the node, decides who owns a ticket
//! at the moment of the sale. The node's own clock only decides when to
//! renew; a late renewal costs sales, never correctness. A renewal extends
//! only live leases, so an expired ticket is never taken back from the
//! node that leased it since.
//!
//! A commit whose answer never arrived (the connection broke) may or may
//! not have been recorded. Sending the same group again, on a new
//! connection, is safe: the sales the first try recorded come back
//! committed, the others commit now or come back lost.
//!
//! # Sizing and "sold out"
//!
//! [`LeaseSizer`] leases one period of the node's demand ([`DemandRate`]),
//! within bounds, and near sell-out never more than half of the node's fair
//! share of what remains, so the last tickets are not stranded on a quiet
//! node. [`LeaseInventory::sold_out`] asks the database, so it is exact
//! across the cluster: tickets leased by a dead node count as unsold until
//! someone sells them.

mod checks;
mod inventory;
mod sizer;
mod statements;
mod table;
mod types;

pub use self::checks::MAX_LEASE_TTL;
pub use self::inventory::LeaseInventory;
pub use self::sizer::{DemandRate, LeaseSizer};
pub use self::types::{CommitOutcome, InventoryCounts, LeasedTicket, SaleToCommit, StockTicket};
