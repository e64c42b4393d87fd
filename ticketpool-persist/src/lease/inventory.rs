//! [`LeaseInventory`]: one node's connection to the shared inventory.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use postgres::Client;
use ticketpool_core::{Money, TicketId};

use super::checks;
use super::connect::connect;
use super::statements::Prepared;
use super::table;
use super::types::{
    CommitOutcome, InventoryCounts, LeaseShare, LeasedTicket, SaleToCommit, StockTicket,
};
use crate::codec::{id_from_sql, id_to_sql};
use crate::error::PersistError;

/// One connection to the events' inventory in a PostgreSQL schema; each
/// node (and each thread of a node that talks to the database) opens its
/// own. See the [module docs](crate::lease) for the design.
///
/// Every operation is one statement (one round trip, one transaction);
/// [`statements`](Self::statements) counts them.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use ticketpool_core::{Money, TicketId};
/// use ticketpool_persist::{LeaseInventory, SaleToCommit, StockTicket};
///
/// let params = "host=127.0.0.1 user=postgres dbname=test";
/// let mut inventory = LeaseInventory::connect(params, "tickets")?;
/// let stock: Vec<StockTicket> = (1..=100)
///     .map(|id| StockTicket {
///         id: TicketId(id),
///         ticket_type: "standard".into(),
///         base_price: Money::from_minor(5_000),
///     })
///     .collect();
/// inventory.stock(7, &stock)?;
///
/// let leased = inventory.lease("node-1", 7, 10, Duration::from_secs(30))?;
/// let sales: Vec<SaleToCommit> = leased
///     .iter()
///     .map(|t| SaleToCommit { ticket: t.id, customer: "ada".into(), price: t.base_price })
///     .collect();
/// let outcome = inventory.commit_sales("node-1", 7, &sales)?;
/// assert!(outcome.lost.is_empty()); // acknowledge outcome.committed only
/// # Ok::<(), ticketpool_persist::PersistError>(())
/// ```
pub struct LeaseInventory {
    client: Client,
    prepared: Prepared,
    statements: u64,
    location: String,
}

impl std::fmt::Debug for LeaseInventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseInventory")
            .field("location", &self.location)
            .field("statements", &self.statements)
            .finish_non_exhaustive()
    }
}

impl LeaseInventory {
    /// Connects with libpq-style `params` and opens the inventory in
    /// `schema`, creating the schema and its `lease_tickets` table if they
    /// do not exist.
    ///
    /// # Errors
    ///
    /// - [`PersistError::Config`] if `schema` is not a plain lowercase
    ///   identifier;
    /// - [`PersistError::Open`] if the parameters do not parse or no server
    ///   answers;
    /// - [`PersistError::Foreign`] if `schema` has a `lease_tickets` table
    ///   with other columns.
    pub fn connect(params: &str, schema: &str) -> Result<Self, PersistError> {
        let (mut client, location) = connect(params, schema, table::create)?;
        let prepared = Prepared::new(&mut client, schema)?;
        Ok(Self {
            client,
            prepared,
            statements: 0,
            location,
        })
    }

    /// How many statements the operations below have sent (setup in
    /// [`connect`](Self::connect) not counted), failed ones included.
    pub fn statements(&self) -> u64 {
        self.statements
    }

    /// Puts `tickets` on sale for `event` (admin); tickets already there,
    /// in whatever state, are left alone, so stocking twice is harmless.
    /// Returns how many were added.
    pub fn stock(&mut self, event: u64, tickets: &[StockTicket]) -> Result<u64, PersistError> {
        let ids: Vec<i64> = tickets.iter().map(|t| id_to_sql(t.id.0)).collect();
        let types: Vec<&str> = tickets.iter().map(|t| t.ticket_type.as_str()).collect();
        let prices: Vec<i64> = tickets.iter().map(|t| t.base_price.minor()).collect();
        self.statements += 1;
        Ok(self.client.execute(
            &self.prepared.stock,
            &[&id_to_sql(event), &ids, &types, &prices],
        )?)
    }

    /// Leases up to `n` tickets of `event` to `node` for `ttl` (on the
    /// database's clock): tickets on sale and tickets whose lease expired,
    /// whoever held them, lowest ids first. Rows other nodes are locking
    /// at this moment are skipped, never waited for, so the answer may hold
    /// fewer than `n` tickets, or none when every unsold ticket is leased.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for `n == 0`, a `ttl` outside 1 µs to
    /// [`MAX_LEASE_TTL`](super::MAX_LEASE_TTL) or a bad node name.
    pub fn lease(
        &mut self,
        node: &str,
        event: u64,
        n: u32,
        ttl: Duration,
    ) -> Result<Vec<LeasedTicket>, PersistError> {
        checks::node(node)?;
        let limit = checks::block(n)?;
        let ttl = checks::ttl_micros(ttl)?;
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.lease,
            &[&id_to_sql(event), &node, &limit, &ttl],
        )?;
        let mut leased = rows
            .iter()
            .map(leased_ticket)
            .collect::<Result<Vec<_>, PersistError>>()?;
        leased.sort_by_key(|t| t.id);
        Ok(leased)
    }

    /// Leases like [`lease`](Self::lease), in one statement, but never more
    /// than `max(1, unsold / (2 × nodes))` tickets, the sell-out cap of
    /// [`LeaseSizer::block`](super::LeaseSizer::block) applied to the
    /// unsold count of the same instant, and says how many tickets were
    /// unsold. The count stops at `2 × nodes × n` (where the cap no longer
    /// binds), so a lease costs the same in a small event and a huge one;
    /// no full count of the event is needed to size a block. `nodes == 0`
    /// reads as one.
    ///
    /// # Errors
    ///
    /// As [`lease`](Self::lease).
    pub fn lease_share(
        &mut self,
        node: &str,
        event: u64,
        n: u32,
        nodes: u32,
        ttl: Duration,
    ) -> Result<LeaseShare, PersistError> {
        checks::node(node)?;
        let limit = checks::block(n)?;
        let ttl = checks::ttl_micros(ttl)?;
        let share = 2 * i64::from(nodes.max(1));
        // At most 2^33 x 2^32: fits in an i64.
        let count_to = share * limit;
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.lease_share,
            &[&id_to_sql(event), &node, &limit, &ttl, &count_to, &share],
        )?;
        let mut unsold = 0;
        let mut tickets = Vec::with_capacity(rows.len());
        for row in &rows {
            // count(*) is never negative.
            unsold = u64::try_from(row.try_get::<_, i64>(4)?).unwrap_or(0);
            // The one row of an empty lease has no ticket.
            if row.try_get::<_, Option<i64>>(0)?.is_some() {
                tickets.push(leased_ticket(row)?);
            }
        }
        tickets.sort_by_key(|t| t.id);
        Ok(LeaseShare { tickets, unsold })
    }

    /// Extends `node`'s live leases on `tickets` of `event` to `ttl` from
    /// now (database clock), in one statement. Returns how many of them it
    /// still holds (a ticket named twice counts once); fewer than named
    /// means some expired (and may be another node's now): their sales
    /// will come back lost. Only the tickets named are renewed: a lease
    /// the node does not know of (its answer was lost) runs out. An empty
    /// list sends nothing.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name or `ttl`.
    pub fn renew(
        &mut self,
        node: &str,
        event: u64,
        tickets: &[TicketId],
        ttl: Duration,
    ) -> Result<u64, PersistError> {
        checks::node(node)?;
        let ttl = checks::ttl_micros(ttl)?;
        if tickets.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = tickets.iter().map(|t| id_to_sql(t.0)).collect();
        self.statements += 1;
        Ok(self.client.execute(
            &self.prepared.renew,
            &[&id_to_sql(event), &node, &ttl, &ids],
        )?)
    }

    /// Records a group of sales in one statement. A sale commits only if
    /// `node` holds a live lease on its ticket; the others come back
    /// [`lost`](CommitOutcome::lost) and must not be acknowledged. Sending
    /// the same group again (after an error left the first try's fate
    /// unknown) is safe: what the first try recorded comes back committed.
    /// An empty group sends nothing.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name or a ticket twice
    /// in the group (nothing is recorded).
    pub fn commit_sales(
        &mut self,
        node: &str,
        event: u64,
        sales: &[SaleToCommit],
    ) -> Result<CommitOutcome, PersistError> {
        checks::node(node)?;
        checks::distinct(sales)?;
        if sales.is_empty() {
            return Ok(CommitOutcome::default());
        }
        let ids: Vec<i64> = sales.iter().map(|s| id_to_sql(s.ticket.0)).collect();
        let customers: Vec<&str> = sales.iter().map(|s| s.customer.as_str()).collect();
        let prices: Vec<i64> = sales.iter().map(|s| s.price.minor()).collect();
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.commit,
            &[&id_to_sql(event), &node, &ids, &customers, &prices],
        )?;
        let recorded = rows
            .iter()
            .map(|row| row.try_get::<_, i64>(0).map(id_from_sql))
            .collect::<Result<HashSet<u64>, _>>()?;
        let (committed, lost) = sales
            .iter()
            .map(|s| s.ticket)
            .partition(|ticket| recorded.contains(&ticket.0));
        Ok(CommitOutcome { committed, lost })
    }

    /// Puts `tickets` that `node` leased back on sale at once (a node
    /// leased more than it sells). Tickets it does not hold are skipped.
    /// Returns how many went back.
    pub fn hand_back(
        &mut self,
        node: &str,
        event: u64,
        tickets: &[TicketId],
    ) -> Result<u64, PersistError> {
        checks::node(node)?;
        let ids: Vec<i64> = tickets.iter().map(|t| id_to_sql(t.0)).collect();
        self.statements += 1;
        Ok(self
            .client
            .execute(&self.prepared.hand_back, &[&id_to_sql(event), &node, &ids])?)
    }

    /// Puts every ticket `node` leased on `event` back on sale: the clean
    /// stop. Returns how many went back.
    pub fn hand_back_all(&mut self, node: &str, event: u64) -> Result<u64, PersistError> {
        checks::node(node)?;
        self.statements += 1;
        Ok(self
            .client
            .execute(&self.prepared.hand_back_all, &[&id_to_sql(event), &node])?)
    }

    /// Puts every ticket `node` leased on `event` back on sale except
    /// `known`: after a lease whose answer never arrived, the node hands
    /// back what that lease may have taken instead of leaving it off sale
    /// until it expires. Returns how many went back.
    pub fn hand_back_unknown(
        &mut self,
        node: &str,
        event: u64,
        known: &[TicketId],
    ) -> Result<u64, PersistError> {
        checks::node(node)?;
        let ids: Vec<i64> = known.iter().map(|t| id_to_sql(t.0)).collect();
        self.statements += 1;
        Ok(self.client.execute(
            &self.prepared.hand_back_unknown,
            &[&id_to_sql(event), &node, &ids],
        )?)
    }

    /// Where `event`'s tickets are, at one instant (all zero for an event
    /// never stocked). Reads every row of the event: for reports and
    /// tests, not for every lease (see [`lease_share`](Self::lease_share)).
    pub fn counts(&mut self, event: u64) -> Result<InventoryCounts, PersistError> {
        self.statements += 1;
        let row = self
            .client
            .query_one(&self.prepared.counts, &[&id_to_sql(event)])?;
        let count = |column: usize| -> Result<u64, PersistError> {
            // count(*) is never negative.
            Ok(u64::try_from(row.try_get::<_, i64>(column)?).unwrap_or(0))
        };
        Ok(InventoryCounts {
            total: count(0)?,
            on_sale: count(1)?,
            leased: count(2)?,
            expired_leases: count(3)?,
            sold: count(4)?,
        })
    }

    /// Whether every ticket of `event` is sold, across all nodes: exact,
    /// read from the database. False for an event never stocked.
    pub fn sold_out(&mut self, event: u64) -> Result<bool, PersistError> {
        self.statements += 1;
        let row = self
            .client
            .query_one(&self.prepared.sold_out, &[&id_to_sql(event)])?;
        Ok(row.try_get(0)?)
    }
}

/// A leased ticket from the first four columns of a lease answer.
fn leased_ticket(row: &postgres::Row) -> Result<LeasedTicket, PersistError> {
    Ok(LeasedTicket {
        id: TicketId(id_from_sql(row.try_get(0)?)),
        ticket_type: row.try_get(1)?,
        base_price: Money::from_minor(row.try_get(2)?),
        expires: row.try_get::<_, SystemTime>(3)?,
    })
}
