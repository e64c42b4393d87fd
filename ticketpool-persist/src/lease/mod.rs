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

//! # The node: selling from leases through a box office
//!
//! [`LeaseNode`] runs all of the above for one event behind a local
//! [`BoxOffice`](ticketpool_core::BoxOffice), so buyers use the normal
//! customer API at memory speed:
//!
//! - a **feeder** thread, the office's only vendor, leases a block (sized
//!   by [`LeaseSizer`] from the node's [`DemandRate`]) once fewer than a
//!   low watermark of leased tickets are unsold in the office, and releases
//!   them one at a time. The office numbers tickets itself; the node's
//!   journal pairs each office id with the leased ticket being released
//!   when the office records the release, before any buyer can take it;
//! - the office's **journal** sends every sale to a **committer** thread
//!   and waits for its group's outcome (up to `group_size` sales, or
//!   `group_wait`): the office hands a sale over only once it is
//!   committed, and a lost or failed commit comes back to the buyer as an
//!   error. Holds stay in the node's memory: a held ticket is still leased;
//! - the committer also **renews** the node's leases every third of their
//!   time to live, on the same connection, so a renewal never overlaps a
//!   commit and a renewal that finds fewer tickets than the node holds
//!   proves a lease was lost;
//! - a lost sale or a short renewal **fences** the node: it closes its
//!   office (nothing more is sold or acknowledged) and reports it
//!   ([`LeaseNode::fenced`]). No ticket is sold twice either way, because
//!   every commit is fenced in the database;
//! - when nothing is leasable, the feeder closes the office if the event is
//!   **sold out** cluster-wide, and otherwise polls with a bounded back-off,
//!   so a dead node's tickets are picked up once its leases expire;
//! - [`LeaseNode::shutdown`] stops the feeder, closes the office, lets sales
//!   already committing finish and hands back everything unsold at once;
//!   [`LeaseNode::abandon`] stops without handing back, as a killed node.
//!
//! A hold still open at shutdown is handed back with the rest: confirming
//! it afterwards fails, and the buyer is told so.
//!
//! # A catalog selling from leases
//!
//! [`lease_offices`] is the catalog's office factory in lease mode (and
//! `CatalogPg::with_lease_node` opens a PostgreSQL catalog with it): each
//! event it opens is stocked in `lease_tickets` from its configuration
//! ([`lease_type_counts`]) and sold by a [`LeaseNode`], so several
//! catalogs, one per node, sell one event.

mod checks;
mod committer;
#[cfg(feature = "catalog")]
mod customer;
mod feeder;
mod inventory;
mod node;
mod node_config;
mod node_journal;
mod node_state;
#[cfg(feature = "catalog")]
mod offices;
mod sizer;
mod statements;
mod stock_plan;
mod table;
mod types;

pub use self::checks::MAX_LEASE_TTL;
#[cfg(feature = "catalog")]
pub(crate) use self::customer::lease_my_tickets;
pub use self::inventory::LeaseInventory;
pub use self::node::LeaseNode;
pub use self::node_config::LeaseNodeConfig;
pub use self::node_journal::FEEDER_VENDOR;
#[cfg(feature = "catalog")]
pub use self::offices::lease_offices;
#[cfg(feature = "catalog")]
pub(crate) use self::offices::{check_node, lease_offices_with_nodes, LeaseNodes};
pub use self::sizer::{DemandRate, LeaseSizer};
pub use self::stock_plan::lease_type_counts;
pub use self::types::{CommitOutcome, InventoryCounts, LeasedTicket, SaleToCommit, StockTicket};
