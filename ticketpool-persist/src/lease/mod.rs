//! Ticket leases: several nodes sell one event's tickets out of one
//! PostgreSQL table (cargo feature `postgres`).
//!
//! PostgreSQL holds each event's inventory in `lease_tickets`, one row per
//! ticket: on sale, leased (an owner node and an expiry) or sold (the
//! customer, the price and the node that sold it). A node
//!
//! 1. **leases** a block of tickets with one statement
//!    ([`LeaseInventory::lease_share`]), sized from its demand by a
//!    [`LeaseSizer`] and capped near sell-out in the same statement, and
//!    sells them from memory;
//! 2. **commits** its sales in groups, one statement per group
//!    ([`LeaseInventory::commit_sales`]), and acknowledges a sale to the
//!    buyer only once it is committed;
//! 3. **renews** the leases it knows it holds, named by ticket, with one
//!    statement while it is alive ([`LeaseInventory::renew`]), well before
//!    they expire;
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
//! A renewal names the tickets the node knows it holds, never "all of this
//! node's leases". A lease whose answer never arrived (the connection
//! broke after PostgreSQL committed it) leaves rows under the node's name
//! that the node does not know: they are not renewed, so they expire and
//! any node (this one included) may lease them again, instead of staying
//! off sale as long as the node lives. The renewal's count is checked
//! against exactly the tickets it named, so such rows cannot hide a lost
//! lease or fence the node. After a failed lease, a node also hands back
//! at once whatever it holds but does not know
//! ([`LeaseInventory::hand_back_unknown`]) before leasing again.
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
//! node. [`LeaseInventory::lease_share`] applies that cap in the lease
//! statement itself, to the unsold count of the same snapshot, counted on
//! the partial index of unsold tickets only as far as the cap can bind
//! (`2 × nodes × block` rows): a lease costs the same whatever the event's
//! size, and no full count of the event precedes it. Its answer also says
//! when nothing is unsold. [`LeaseInventory::sold_out`] asks the database,
//! so it is exact across the cluster: tickets leased by a dead node count
//! as unsold until someone sells them.

//! # Sharding by event id
//!
//! An event's inventory lives in one database; different events may live
//! in different databases or servers. [`LeaseShards`] maps event `id` to
//! shard `id % n` of a fixed list, and connects inventories and starts
//! nodes on the event's shard, so each event keeps exactly one source of
//! truth and a shard that is down stops only its own events
//! (`tests/lease_shards.rs` sells three events from two databases).

//! # The node: selling from leases through a box office
//!
//! [`LeaseNode`] runs all of the above for one event behind a local
//! [`BoxOffice`](ticketpool_core::BoxOffice), so buyers use the normal
//! customer API at memory speed:
//!
//! - a **feeder** thread, the office's only vendor, leases a block (sized
//!   by [`LeaseSizer`] from the node's [`DemandRate`]) once fewer than a
//!   low watermark of leased tickets are unsold in the office (one
//!   statement per block), and releases them one at a time, each under its
//!   `lease_tickets` id ([`Vendor::release_as`](ticketpool_core::Vendor::release_as)):
//!   the ticket a buyer is told of, in a sale, a hold or a live feed, is
//!   the table's, the one "my tickets" shows whichever node sold it. The
//!   node's journal refuses a release of a ticket the node holds no
//!   lease on;
//! - the office's **journal** sends every sale to a **committer** thread
//!   and waits for its group's outcome (up to `group_size` sales, or
//!   `group_wait`): the office hands a sale over only once it is
//!   committed, and a lost or failed commit comes back to the buyer as an
//!   error. Holds stay in the node's memory: a held ticket is still leased;
//! - the committer also **renews** the node's leases every third of their
//!   time to live, naming the tickets the node holds, on the same
//!   connection, so a renewal never overlaps a commit and a renewal that
//!   extends fewer tickets than it named proves a lease was lost;
//! - a lost sale or a short renewal **fences** the node: it closes its
//!   office (nothing more is sold or acknowledged) and reports it
//!   ([`LeaseNode::fenced`]). No ticket is sold twice either way, because
//!   every commit is fenced in the database;
//! - when nothing is leasable, the feeder ends the office's sale as sold
//!   out (buyers hear `SoldOut`) if the event is **sold out** cluster-wide
//!   (the lease's answer says so), and otherwise
//!   polls with a bounded back-off, so a dead node's tickets, and leases
//!   whose answer this node lost, are picked up once they expire;
//! - [`LeaseNode::shutdown`] stops the feeder, closes the office, lets sales
//!   already committing finish and hands back everything unsold at once;
//!   [`LeaseNode::abandon`] stops without handing back, as a killed node.
//!
//! A hold still open at shutdown is handed back with the rest: confirming
//! it afterwards fails, and the buyer is told so.
//!
//! # VIPs: first within a node, not across nodes
//!
//! Each node's office keeps the VIP rule for the tickets that node leases:
//! a ticket arriving while a VIP waits there goes to a VIP. There is no
//! line shared by the nodes: a VIP waiting on one node and a Regular
//! waiting on another each get what their own node leases, so when
//! tickets are scarce the VIPs' share follows how the leases split, not
//! their priority. Measured by `tests/lease_vip.rs` (20 tickets held back
//! until 20 VIPs and 20 Regulars wait, then released at once; 4 runs of 3
//! openings): VIPs and Regulars on one node, the VIPs got 20 of 20 every
//! time; VIPs on one node and Regulars on another, the VIPs got 5 to 15
//! (44% on average). A deployment that promises VIPs first puts them on
//! the same nodes, or gives them a node of their own with its own event.
//!
//! # A catalog selling from leases
//!
//! [`lease_offices`] is the catalog's office factory in lease mode (and
//! `CatalogPg::with_lease_node` opens a PostgreSQL catalog with it): each
//! event it opens is stocked in `lease_tickets` from its configuration
//! ([`lease_type_counts`]) and sold by a [`LeaseNode`], so several
//! catalogs, one per node, sell one event.
//!
//! # Seats
//!
//! A seated event's seats live in `lease_seats`, one row per seat (its
//! section, row, number and base price), each on sale, leased, **held**
//! (for a customer, by a node, until an expiry) or sold, with a `CHECK`
//! per state. [`SeatLeaseInventory`] works on it; [`StockSeat::from_map`]
//! stocks an event from its [`SeatMap`](ticketpool_seats::SeatMap).
//!
//! - A node **leases a section**, or a block of its rows
//!   ([`SeatLeaseInventory::lease_section`], [`lease_rows`]), in one
//!   statement with `FOR UPDATE SKIP LOCKED`, as for tickets: whole rows,
//!   because best-available seats are adjacent in a row. It sells from
//!   them in memory, commits groups fenced by its live lease (a late
//!   node's sales come back lost; a retry is safe), renews the seats it
//!   knows ([`SeatLeaseInventory::renew_or_lost`] names the ones it
//!   lost) and hands back the rest.
//! - A customer who **picks specific seats** on the map may pick across
//!   leases. [`SeatLeaseInventory::hold_specific`] takes them in one
//!   transaction: `SELECT … FOR UPDATE` on those rows, in seat id order,
//!   then holds them all only if every one is on sale, leased by this
//!   node, or under an expired lease or hold (or already this customer's
//!   hold on this node: a retry). Otherwise nothing changes and the answer
//!   names the seats taken. Of two customers racing for overlapping seats,
//!   on any nodes, exactly one gets them: the second waits for the first's
//!   row locks and then sees the seats held.
//! - [`SeatLeaseInventory::confirm_hold`] sells a hold, all or nothing,
//!   only if every seat is still held by this node for that customer and
//!   the hold has not expired (checked under the row locks); a retry of a
//!   confirmation that went through comes back committed.
//!   [`release_hold`] puts the seats back on sale. An expired hold's seats
//!   can be leased or held by anyone again.
//!
//! A seat under **another node's live lease** cannot be held: that node
//! may be selling it from memory right now, and taking it would turn its
//! sale into a lost one and shorten its renewal (which fences a ticket
//! node). So a seat leased elsewhere reads as taken until it is sold,
//! handed back or its lease expires. A deployment where customers pick
//! seats anywhere leases small blocks of rows, only for best-available
//! demand, and hands them back promptly. A held seat belongs to its hold,
//! not to a lease: renewals and hand-backs skip it.
//!
//! Every statement that waits for row locks (hold, confirmation, commit,
//! renewal, hand-back, release) takes them in seat id order, so two never
//! deadlock; the lease statements wait for none. A lease or a group commit
//! is one statement; a hold or a confirmation is one transaction of two
//! statements per customer, not per seat. Tested in `tests/lease_seats.rs`
//! (disjoint section leases, 60 rounds of two customers on two nodes
//! racing for overlapping seats across leases, all or nothing, expiry and
//! fencing) and `tests/lease_seat_race.rs` (threads of three nodes holding
//! and confirming random overlapping seats while the nodes sell from
//! leases: no seat acknowledged twice, every acknowledged sale in the
//! table).
//!
//! A lease-mode catalog sells seats from these leases only with
//! `CatalogPg::with_lease_seats` (`serve --lease-node` sets it). Then
//! each seated event's seats are stocked here when they open (and leases
//! still under this node's name, an earlier killed run's, are handed back
//! at once), and the event opens with no seat on sale on the node. When
//! best-available finds no block, the node leases whole rows in **one
//! statement** ([`SeatLeaseInventory::lease_block`]: the rows of the first
//! leasable seats, lowest ids first, as many as wanted, `SKIP LOCKED`) and
//! puts them on sale locally, like a vendor's wave (the catalog's
//! `SeatSupply` hook); their sales commit fenced by the lease. When
//! nothing is leasable (sold out) that one statement finds nothing on the
//! partial index of unsold seats, whatever the event's size: "nothing
//! left" costs one statement, not one per row. A specific-seat hold of
//! seats all leased here stays local; one naming any seat not leased here
//! goes to [`SeatLeaseInventory::hold_specific`] for all its seats (the
//! seats leased here become that hold's, under row locks), is held
//! locally while no local hold may start, and confirms through
//! [`SeatLeaseInventory::confirm_hold`]. A cancelled or lapsed such hold
//! puts its seats back on sale in PostgreSQL and takes them off sale
//! locally again. A sale the database did not record (lease or hold
//! expired) is answered as an error, never as sold.
//!
//! While the catalog holds the event's seats, the node **renews** the
//! seat leases it knows it holds (leased here, not sold, not given to a
//! hold), in one statement, every third of the lease `ttl`: the ticket
//! leases' schedule (one `RenewSchedule` for both), on a renewer thread
//! of the event's seats, under the same lock as their sales, so the seats
//! a renewal names are exactly the ones held. A renewal answers which
//! seats it could not extend: those leases were lost (the node paused
//! past its `ttl` and another node may have leased them), so the node
//! stops selling them: a sale of one is refused with an error before any
//! statement, and leased here again later they are left to lapse
//! unrenewed. The renewer also reports them to the catalog
//! (`SeatSupply::lost`), which takes them off sale on the node's seat map
//! when it next reaps holds, draws the map, holds or looks for the best
//! available (one held here then goes off sale once that hold ends
//! unsold): best-available never offers them, the map and its feed show
//! them not on sale here (not sold), and a specific hold of one goes
//! through PostgreSQL like any seat not leased here. On a **clean stop** (the catalog, and
//! with it the event's seats, dropped) the renewer stops and the node
//! hands back every seat it leased in one statement per event, and
//! releases its open holds, so other nodes lease them at once; a killed
//! node's seats return when its leases expire. Without
//! `with_lease_seats`, a lease-mode catalog refuses every seated event's
//! seats with `CatalogError::SeatsUnsupported` (the server's 409
//! `seats_unsupported`) and sells only their general admission tickets:
//! a node-local copy of the seat map, every seat on sale on every node,
//! would let two nodes hold one seat for two customers. Both are tested
//! in `tests/lease_seated.rs` (two nodes selling one seated event,
//! best-available and specific seats, every seat sold once and recorded
//! as sold to its buyer; a lease renewed past its `ttl`, handed back at
//! a clean drop, a killed node's seats back after its `ttl`, a sale under
//! a lapsed lease or hold an error and each seat sold once, a released
//! hold across leases back on sale, seats whose lease was lost off sale on
//! the node's map) and `tests/lease_seats.rs` (block
//! leases disjoint across nodes, sold out one statement).
//!
//! [`lease_rows`]: SeatLeaseInventory::lease_rows
//! [`release_hold`]: SeatLeaseInventory::release_hold

mod checks;
mod committer;
mod connect;
#[cfg(feature = "catalog")]
mod customer;
mod feeder;
mod inventory;
mod node;
mod node_config;
mod node_journal;
mod node_renewal;
mod node_state;
#[cfg(feature = "catalog")]
mod offices;
#[cfg(feature = "catalog")]
mod seated;
mod seats;
mod shards;
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
#[cfg(feature = "catalog")]
pub(crate) use self::seated::{lease_node_refuses_seats, lease_node_seat_ledgers};
pub use self::seats::{
    LeasedSeat, SeatCommitOutcome, SeatCounts, SeatHoldOutcome, SeatLeaseInventory,
    SeatSaleToCommit, StockSeat,
};
pub use self::shards::{LeaseShard, LeaseShards};
pub use self::sizer::{DemandRate, LeaseSizer};
pub use self::stock_plan::lease_type_counts;
pub use self::types::{
    CommitOutcome, InventoryCounts, LeaseShare, LeasedTicket, SaleToCommit, StockTicket,
};
