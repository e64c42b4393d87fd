//! [`SeatLeaseInventory`]: one node's connection to a seated event's
//! shared seat inventory.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use postgres::Client;
use ticketpool_seats::SeatId;

use super::super::checks;
use super::super::connect::connect;
use super::locks::LockedSeat;
use super::rows::{check_customer, distinct, sale_columns, seat_id, seats_of, sql_ids};
use super::statements::SeatPrepared;
use super::table;
use super::types::{
    LeasedSeat, SeatCommitOutcome, SeatCounts, SeatHoldOutcome, SeatSaleToCommit, StockSeat,
};
use crate::codec::id_to_sql;
use crate::error::PersistError;

/// One connection to the seated events' inventory in a PostgreSQL schema
/// (table `lease_seats`); each node, and each thread of a node that talks
/// to the database, opens its own. See the
/// [module docs](crate::lease#seats) for the design.
///
/// A node leases a section (or some of its rows) with one statement and
/// sells from it like a ticket lease; a customer choosing specific seats,
/// wherever they are, goes through [`hold_specific`](Self::hold_specific),
/// which takes PostgreSQL row locks.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use ticketpool_persist::{SeatHoldOutcome, SeatLeaseInventory, SeatSaleToCommit, StockSeat};
/// use ticketpool_seats::VenueConfig;
///
/// let map = VenueConfig::from_toml_str(r#"
///     name = "Hall"
///     tiers = { standard = 6000 }
///     [[sections]]
///     name = "Stalls"
///     tier = "standard"
///     rows = "A-C"
///     seats = "1-10"
/// "#)?;
/// let params = "host=127.0.0.1 user=postgres dbname=test";
/// let mut seats = SeatLeaseInventory::connect(params, "seats")?;
/// seats.stock(7, &StockSeat::from_map(&map))?;
///
/// // Best-available sales from memory, on a lease of row A.
/// let ttl = Duration::from_secs(30);
/// let leased = seats.lease_rows("node-1", 7, "Stalls", &["A"], ttl)?;
/// let sale = SeatSaleToCommit {
///     seat: leased[0].id,
///     customer: "ada".into(),
///     price: leased[0].base_price,
/// };
/// assert!(seats.commit_sales("node-1", 7, &[sale])?.lost.is_empty());
///
/// // A customer picks two seats of row B: held all or nothing, then sold.
/// let picked = [map.find("Stalls B-4").unwrap(), map.find("Stalls B-5").unwrap()];
/// if let SeatHoldOutcome::Held(held) = seats.hold_specific("node-1", 7, &picked, "bob", ttl)? {
///     let sales: Vec<SeatSaleToCommit> = held
///         .iter()
///         .map(|s| SeatSaleToCommit { seat: s.id, customer: "bob".into(), price: s.base_price })
///         .collect();
///     assert!(seats.confirm_hold("node-1", 7, &sales)?.lost.is_empty());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SeatLeaseInventory {
    client: Client,
    prepared: SeatPrepared,
    statements: u64,
    location: String,
}

impl std::fmt::Debug for SeatLeaseInventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeatLeaseInventory")
            .field("location", &self.location)
            .field("statements", &self.statements)
            .finish_non_exhaustive()
    }
}

impl SeatLeaseInventory {
    /// Connects with libpq-style `params` and opens the seat inventory in
    /// `schema`, creating the schema and its `lease_seats` table if they do
    /// not exist.
    ///
    /// # Errors
    ///
    /// - [`PersistError::Config`] if `schema` is not a plain lowercase
    ///   identifier;
    /// - [`PersistError::Open`] if the parameters do not parse or no server
    ///   answers;
    /// - [`PersistError::Foreign`] if `schema` has a `lease_seats` table
    ///   with other columns.
    pub fn connect(params: &str, schema: &str) -> Result<Self, PersistError> {
        let (mut client, location) = connect(params, schema, table::create)?;
        let prepared = SeatPrepared::new(&mut client, schema)?;
        Ok(Self {
            client,
            prepared,
            statements: 0,
            location,
        })
    }

    /// How many statements the operations below have sent (setup in
    /// [`connect`](Self::connect) not counted, a transaction's `BEGIN` and
    /// `COMMIT` not counted), failed ones included.
    pub fn statements(&self) -> u64 {
        self.statements
    }

    /// Puts `seats` on sale for `event` (admin); seats already there, in
    /// whatever state, are left alone, so stocking twice is harmless.
    /// Returns how many were added.
    pub fn stock(&mut self, event: u64, seats: &[StockSeat]) -> Result<u64, PersistError> {
        let ids: Vec<i64> = seats.iter().map(|s| i64::from(s.id.0)).collect();
        let sections: Vec<&str> = seats.iter().map(|s| s.section.as_str()).collect();
        let rows: Vec<&str> = seats.iter().map(|s| s.row.as_str()).collect();
        let numbers: Vec<i64> = seats.iter().map(|s| i64::from(s.number)).collect();
        let prices: Vec<i64> = seats.iter().map(|s| s.base_price.minor()).collect();
        self.statements += 1;
        Ok(self.client.execute(
            &self.prepared.stock,
            &[&id_to_sql(event), &ids, &sections, &rows, &numbers, &prices],
        )?)
    }

    /// Leases every seat of `section` of `event` that is on sale, or whose
    /// lease or hold expired, to `node` for `ttl` (database clock), in one
    /// statement. Seats other transactions lock at this moment are skipped,
    /// never waited for, so two nodes leasing the same section at once get
    /// disjoint seats, and the answer may be empty. Lowest ids first.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name, an empty section
    /// name or a `ttl` outside 1 µs to [`MAX_LEASE_TTL`](super::super::MAX_LEASE_TTL).
    pub fn lease_section(
        &mut self,
        node: &str,
        event: u64,
        section: &str,
        ttl: Duration,
    ) -> Result<Vec<LeasedSeat>, PersistError> {
        self.lease(node, event, section, None, ttl)
    }

    /// Leases like [`lease_section`](Self::lease_section), only the seats of
    /// `rows` (labels) of `section`: a block of a big section.
    ///
    /// # Errors
    ///
    /// As [`lease_section`](Self::lease_section), and
    /// [`PersistError::LeaseRequest`] for no rows.
    pub fn lease_rows(
        &mut self,
        node: &str,
        event: u64,
        section: &str,
        rows: &[&str],
        ttl: Duration,
    ) -> Result<Vec<LeasedSeat>, PersistError> {
        if rows.is_empty() {
            return Err(PersistError::LeaseRequest(format!(
                "a lease of rows of section {section:?} must name at least one row"
            )));
        }
        let rows: Vec<String> = rows.iter().map(|r| (*r).to_owned()).collect();
        self.lease(node, event, section, Some(rows), ttl)
    }

    /// Leases whole rows for `node` for `ttl`, in one statement: the rows
    /// of the first `seats` leasable seats of `event` (on sale, or under an
    /// expired lease or hold; lowest ids first; in `section` only, if
    /// given), with every leasable seat of those rows. Rows other
    /// transactions lock at this moment are skipped, never waited for.
    /// Empty: nothing leasable now. A sold-out event costs this one
    /// statement, read from an index that holds no sold seat, whatever the
    /// event's size.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name, `ttl`, an empty
    /// section name or `seats` of 0.
    pub fn lease_block(
        &mut self,
        node: &str,
        event: u64,
        section: Option<&str>,
        seats: usize,
        ttl: Duration,
    ) -> Result<Vec<LeasedSeat>, PersistError> {
        checks::node(node)?;
        let ttl = checks::ttl_micros(ttl)?;
        if section.is_some_and(str::is_empty) {
            return Err(PersistError::LeaseRequest(
                "a seat lease must name a section, or none".into(),
            ));
        }
        let seats = i64::try_from(seats)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                PersistError::LeaseRequest(format!(
                    "a seat lease must ask for 1 to {} seats",
                    i64::MAX
                ))
            })?;
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.lease_block,
            &[&id_to_sql(event), &node, &section, &seats, &ttl],
        )?;
        seats_of(&rows, &self.location)
    }

    /// The one lease statement, for a section or some of its rows.
    fn lease(
        &mut self,
        node: &str,
        event: u64,
        section: &str,
        rows: Option<Vec<String>>,
        ttl: Duration,
    ) -> Result<Vec<LeasedSeat>, PersistError> {
        checks::node(node)?;
        let ttl = checks::ttl_micros(ttl)?;
        if section.is_empty() {
            return Err(PersistError::LeaseRequest(
                "a seat lease must name a section".into(),
            ));
        }
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.lease,
            &[&id_to_sql(event), &node, &section, &rows, &ttl],
        )?;
        seats_of(&rows, &self.location)
    }

    /// Extends `node`'s live leases on `seats` of `event` to `ttl` from now
    /// (database clock). Returns how many it still holds; fewer than named
    /// means some expired (their sales will come back lost) or were held
    /// since. Held seats are not renewed: a hold ends when it ends. An
    /// empty list sends nothing.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name or `ttl`.
    pub fn renew(
        &mut self,
        node: &str,
        event: u64,
        seats: &[SeatId],
        ttl: Duration,
    ) -> Result<u64, PersistError> {
        let lost = self.renew_or_lost(node, event, seats, ttl)?;
        Ok((seats.len() - lost.len()) as u64)
    }

    /// Renews like [`renew`](Self::renew), in the same one statement, and
    /// answers which of `seats` were NOT renewed: `node` no longer holds a
    /// live lease on them (expired, perhaps leased or sold by another node
    /// since, or held), so it must stop selling them.
    ///
    /// # Errors
    ///
    /// As [`renew`](Self::renew).
    pub fn renew_or_lost(
        &mut self,
        node: &str,
        event: u64,
        seats: &[SeatId],
        ttl: Duration,
    ) -> Result<Vec<SeatId>, PersistError> {
        checks::node(node)?;
        let ttl = checks::ttl_micros(ttl)?;
        if seats.is_empty() {
            return Ok(Vec::new());
        }
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.renew,
            &[&id_to_sql(event), &node, &ttl, &sql_ids(seats)],
        )?;
        let renewed = rows
            .iter()
            .map(|row| row.try_get::<_, i64>(0))
            .collect::<Result<HashSet<i64>, _>>()?;
        Ok(seats
            .iter()
            .copied()
            .filter(|seat| !renewed.contains(&i64::from(seat.0)))
            .collect())
    }

    /// Records a group of sales of leased seats in one statement. A sale
    /// commits only if `node` holds a live lease on its seat; the others
    /// come back [`lost`](SeatCommitOutcome::lost) and must not be
    /// acknowledged. Sending the same group again (after an error left the
    /// first try's fate unknown) is safe: what the first try recorded comes
    /// back committed. An empty group sends nothing.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name or a seat twice
    /// in the group (nothing is recorded).
    pub fn commit_sales(
        &mut self,
        node: &str,
        event: u64,
        sales: &[SeatSaleToCommit],
    ) -> Result<SeatCommitOutcome, PersistError> {
        checks::node(node)?;
        distinct(sales.iter().map(|s| s.seat))?;
        if sales.is_empty() {
            return Ok(SeatCommitOutcome::default());
        }
        let (ids, customers, prices) = sale_columns(sales);
        self.statements += 1;
        let rows = self.client.query(
            &self.prepared.commit,
            &[&id_to_sql(event), &node, &ids, &customers, &prices],
        )?;
        let recorded = rows
            .iter()
            .map(|row| row.try_get::<_, i64>(0))
            .collect::<Result<HashSet<i64>, _>>()?;
        let (committed, lost) = sales
            .iter()
            .map(|s| s.seat)
            .partition(|seat| recorded.contains(&i64::from(seat.0)));
        Ok(SeatCommitOutcome { committed, lost })
    }

    /// Puts `seats` that `node` leased back on sale at once; seats it does
    /// not hold under a lease are skipped. Returns how many went back.
    pub fn hand_back(
        &mut self,
        node: &str,
        event: u64,
        seats: &[SeatId],
    ) -> Result<u64, PersistError> {
        checks::node(node)?;
        self.statements += 1;
        Ok(self.client.execute(
            &self.prepared.hand_back,
            &[&id_to_sql(event), &node, &sql_ids(seats)],
        )?)
    }

    /// Puts every seat `node` leased on `event` back on sale: the clean
    /// stop. Its holds stay until they are confirmed, released or expire.
    /// Returns how many went back.
    pub fn hand_back_all(&mut self, node: &str, event: u64) -> Result<u64, PersistError> {
        checks::node(node)?;
        self.statements += 1;
        Ok(self
            .client
            .execute(&self.prepared.hand_back_all, &[&id_to_sql(event), &node])?)
    }

    /// Holds the specific `seats` of `event` for `customer`, by `node`, for
    /// `ttl`: all of them or none, whoever leased them. In one transaction
    /// it locks the seats' rows in id order (so concurrent holds queue
    /// rather than deadlock), and holds them only if every one is on sale,
    /// leased by this node, under an expired lease or hold, or already held
    /// by this node for this customer (a retry). A seat sold, held for
    /// someone else or under another node's live lease makes the answer
    /// [`Taken`](SeatHoldOutcome::Taken), naming those seats, and nothing
    /// changes. Of two customers racing for overlapping seats, exactly one
    /// gets them.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for no seats, a seat named twice, a
    /// seat not stocked for the event, an empty customer, a bad node name
    /// or `ttl` (nothing is held).
    pub fn hold_specific(
        &mut self,
        node: &str,
        event: u64,
        seats: &[SeatId],
        customer: &str,
        ttl: Duration,
    ) -> Result<SeatHoldOutcome, PersistError> {
        checks::node(node)?;
        let ttl = checks::ttl_micros(ttl)?;
        check_customer(customer)?;
        if seats.is_empty() {
            return Err(PersistError::LeaseRequest(
                "a hold must name at least one seat".into(),
            ));
        }
        distinct(seats.iter().copied())?;
        let ids = sql_ids(seats);
        let event_sql = id_to_sql(event);
        let mut tx = self.client.transaction()?;
        self.statements += 1;
        let locked = tx.query(&self.prepared.lock, &[&event_sql, &ids])?;
        let mut found = HashSet::with_capacity(locked.len());
        let mut taken = Vec::new();
        for row in &locked {
            let seat = LockedSeat::read(row)?;
            found.insert(seat.id);
            if !seat.holdable_by(node, customer) {
                taken.push(seat_id(seat.id, &self.location)?);
            }
        }
        if let Some(missing) = seats.iter().find(|s| !found.contains(&i64::from(s.0))) {
            tx.rollback()?;
            return Err(PersistError::LeaseRequest(format!(
                "seat {} is not stocked for event {event}",
                missing.0
            )));
        }
        if !taken.is_empty() {
            // Nothing was changed; rolling back frees the row locks.
            tx.rollback()?;
            return Ok(SeatHoldOutcome::Taken(taken));
        }
        self.statements += 1;
        let held = tx.query(
            &self.prepared.hold,
            &[&event_sql, &node, &customer, &ttl, &ids],
        )?;
        let held = seats_of(&held, &self.location)?;
        tx.commit()?;
        Ok(SeatHoldOutcome::Held(held))
    }

    /// Sells seats `node` holds, all or nothing, at the prices given: each
    /// seat must still be held by `node` for the sale's customer and its
    /// hold not expired (checked under the rows' locks, taken in id
    /// order). If any is not, nothing is sold and those come back
    /// [`lost`](SeatCommitOutcome::lost); the rest stay held until
    /// released or expired. Retry-safe: seats an earlier try sold to the
    /// same customer at the same price come back committed.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name, no seats or a
    /// seat twice (nothing is sold).
    pub fn confirm_hold(
        &mut self,
        node: &str,
        event: u64,
        sales: &[SeatSaleToCommit],
    ) -> Result<SeatCommitOutcome, PersistError> {
        checks::node(node)?;
        if sales.is_empty() {
            return Err(PersistError::LeaseRequest(
                "a confirmation must name at least one seat".into(),
            ));
        }
        distinct(sales.iter().map(|s| s.seat))?;
        let (ids, customers, prices) = sale_columns(sales);
        let event_sql = id_to_sql(event);
        let mut tx = self.client.transaction()?;
        self.statements += 1;
        let locked = tx
            .query(&self.prepared.lock, &[&event_sql, &ids])?
            .iter()
            .map(|row| LockedSeat::read(row).map(|seat| (seat.id, seat)))
            .collect::<Result<HashMap<i64, LockedSeat>, PersistError>>()?;
        let mut lost = Vec::new();
        for sale in sales {
            let ok = locked.get(&i64::from(sale.seat.0)).is_some_and(|seat| {
                seat.confirmable_by(node, &sale.customer) || seat.sold_as(node, sale)
            });
            if !ok {
                lost.push(sale.seat);
            }
        }
        if !lost.is_empty() {
            tx.rollback()?;
            return Ok(SeatCommitOutcome {
                committed: Vec::new(),
                lost,
            });
        }
        self.statements += 1;
        tx.execute(
            &self.prepared.confirm,
            &[&event_sql, &node, &ids, &customers, &prices],
        )?;
        tx.commit()?;
        Ok(SeatCommitOutcome {
            committed: sales.iter().map(|s| s.seat).collect(),
            lost,
        })
    }

    /// Puts `seats` that `node` holds for `customer` back on sale (the
    /// customer changed their mind). Seats not so held are skipped. Returns
    /// how many went back.
    pub fn release_hold(
        &mut self,
        node: &str,
        event: u64,
        customer: &str,
        seats: &[SeatId],
    ) -> Result<u64, PersistError> {
        checks::node(node)?;
        self.statements += 1;
        Ok(self.client.execute(
            &self.prepared.release,
            &[&id_to_sql(event), &node, &customer, &sql_ids(seats)],
        )?)
    }

    /// Where `event`'s seats are, at one instant (all zero for an event
    /// never stocked). Reads every row of the event: for reports and tests.
    pub fn counts(&mut self, event: u64) -> Result<SeatCounts, PersistError> {
        self.statements += 1;
        let row = self
            .client
            .query_one(&self.prepared.counts, &[&id_to_sql(event)])?;
        let count = |column: usize| -> Result<u64, PersistError> {
            // count(*) is never negative.
            Ok(u64::try_from(row.try_get::<_, i64>(column)?).unwrap_or(0))
        };
        Ok(SeatCounts {
            total: count(0)?,
            on_sale: count(1)?,
            leased: count(2)?,
            held: count(3)?,
            expired: count(4)?,
            sold: count(5)?,
        })
    }
}
