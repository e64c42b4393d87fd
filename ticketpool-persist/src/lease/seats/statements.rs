//! The seat-lease statements, prepared once per connection.
//!
//! Parameters common to all: `$1` the event id, `$2` the node. Times to
//! live are microseconds (`bigint`), added to the database's `now()`.
//! Statements that wait for row locks take them in seat id order, so two
//! of them never deadlock; the lease statement waits for none.

use postgres::{Client, Statement};

use super::table::{HELD, LEASED, ON_SALE, SOLD};

/// The columns a lease or a hold answers with.
const SEAT_COLUMNS: &str =
    "t.seat_id, t.section, t.row_label, t.number, t.base_price, t.lease_expires";

/// The prepared statements of one connection.
pub(super) struct SeatPrepared {
    /// `$1` event, `$2..$6` arrays of id, section, row, number, base
    /// price: puts seats on sale, skipping ids already there.
    pub stock: Statement,
    /// `$1` event, `$2` node, `$3` section, `$4` rows (`NULL`: all),
    /// `$5` ttl: leases the section's on-sale seats and those whose lease
    /// or hold expired, skipping rows another transaction has locked.
    pub lease: Statement,
    /// `$1` event, `$2` node, `$3` section (`NULL`: any), `$4` how many
    /// seats, `$5` ttl: leases the whole rows of the first `$4` leasable
    /// seats (lowest ids), across rows and sections, skipping locked rows.
    /// Nothing leasable costs this one statement.
    pub lease_block: Statement,
    /// `$1` event, `$2` node, `$3` ttl, `$4` array of ids: extends the
    /// node's live leases on those seats; returns the ids extended.
    pub renew: Statement,
    /// `$1` event, `$2` node, `$3..$5` arrays of id, customer, price:
    /// returns the ids recorded as sold by this node from its live leases
    /// (or by an earlier try of the same group).
    pub commit: Statement,
    /// `$1` event, `$2` node, `$3` array of ids: leased seats back on sale.
    pub hand_back: Statement,
    /// `$1` event, `$2` node: all the node's leased seats back on sale.
    pub hand_back_all: Statement,
    /// `$1` event, `$2` array of ids: locks those rows in id order (inside
    /// a transaction) and reads id, state, owner, live, customer, price.
    pub lock: Statement,
    /// `$1` event, `$2` node, `$3` customer, `$4` ttl, `$5` array of ids:
    /// marks the (locked, checked) seats held.
    pub hold: Statement,
    /// `$1` event, `$2` node, `$3..$5` arrays of id, customer, price:
    /// sells the (locked, checked) held seats.
    pub confirm: Statement,
    /// `$1` event, `$2` node, `$3` customer, `$4` array of ids: the node's
    /// holds for the customer back on sale.
    pub release: Statement,
    /// `$1` event: total, on sale, live leases, live holds, expired, sold.
    pub counts: Statement,
}

/// `locked AS (...)`: the event's rows matching `filter`, locked in seat id
/// order before the statement changes any of them, so statements that wait
/// for each other's rows always wait in the same order and never deadlock.
fn lock_cte(table: &str, filter: &str) -> String {
    format!(
        "locked AS (
             SELECT seat_id FROM {table}
             WHERE event_id = $1 AND {filter}
             ORDER BY seat_id
             FOR UPDATE)"
    )
}

impl SeatPrepared {
    /// Prepares every statement against `schema`'s table.
    pub(super) fn new(client: &mut Client, schema: &str) -> Result<Self, postgres::Error> {
        let table = format!("{schema}.lease_seats");
        let ttl = "* interval '1 microsecond'";
        // Both lease statements: the `picked` seats leased to `$2` for `$5`.
        let leases = format!(
            "UPDATE {table} t
             SET state = {LEASED}, lease_owner = $2,
                 lease_expires = now() + $5::bigint {ttl}, customer = NULL
             FROM picked
             WHERE t.event_id = $1 AND t.seat_id = picked.seat_id
             RETURNING {SEAT_COLUMNS}"
        );
        Ok(Self {
            stock: client.prepare(&format!(
                "INSERT INTO {table}
                     (event_id, seat_id, section, row_label, number, base_price, state)
                 SELECT $1, s.id, s.section, s.row_label, s.number, s.base_price, {ON_SALE}
                 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
                     AS s(id, section, row_label, number, base_price)
                 ON CONFLICT (event_id, seat_id) DO NOTHING"
            ))?,
            // As the ticket lease: SKIP LOCKED passes over rows being held,
            // committed or leased right now; a row whose state changed
            // after the snapshot is rechecked once locked.
            lease: client.prepare(&format!(
                "WITH picked AS (
                     SELECT seat_id FROM {table}
                     WHERE event_id = $1 AND section = $3 AND state < {SOLD}
                       AND ($4::text[] IS NULL OR row_label = ANY($4::text[]))
                       AND (state = {ON_SALE} OR lease_expires <= now())
                     ORDER BY seat_id
                     FOR UPDATE SKIP LOCKED)
                 {leases}"
            ))?,
            // The first leasable seats pick the rows (on the partial
            // index of unsold seats: a sold-out event has no entry there,
            // so "nothing left" reads nothing); then the rows' other
            // leasable seats join them. Both skip locked rows, so this
            // waits for no lock and a busy row is passed over. `chosen`
            // aggregates, so every row is picked before any is updated: a
            // CTE read lazily would pick on past rows this statement just
            // leased (invisible to it) and lease more rows than asked.
            lease_block: client.prepare(&format!(
                "WITH first AS (
                     SELECT seat_id, section, row_label FROM {table}
                     WHERE event_id = $1 AND state < {SOLD}
                       AND ($3::text IS NULL OR section = $3::text)
                       AND (state = {ON_SALE} OR lease_expires <= now())
                     ORDER BY seat_id
                     LIMIT $4::bigint
                     FOR UPDATE SKIP LOCKED),
                 chosen AS (
                     SELECT array_agg(section) AS sections, array_agg(row_label) AS labels
                     FROM first),
                 picked AS (
                     SELECT s.seat_id FROM {table} s
                     WHERE s.event_id = $1 AND s.state < {SOLD}
                       AND s.section = ANY((SELECT sections FROM chosen)::text[])
                       AND (s.section, s.row_label) IN (
                           SELECT u.section, u.row_label
                           FROM chosen, unnest(chosen.sections, chosen.labels)
                               AS u(section, row_label))
                       AND (s.state = {ON_SALE} OR s.lease_expires <= now())
                     ORDER BY s.seat_id
                     FOR UPDATE SKIP LOCKED)
                 {leases}"
            ))?,
            renew: client.prepare(&format!(
                "WITH {locked}
                 UPDATE {table} t SET lease_expires = now() + $3::bigint {ttl}
                 FROM locked
                 WHERE t.event_id = $1 AND t.seat_id = locked.seat_id AND t.lease_owner = $2
                   AND t.state = {LEASED} AND t.lease_expires > now()
                 RETURNING t.seat_id",
                locked = lock_cte(&table, "seat_id = ANY($4::bigint[])")
            ))?,
            // The fence, as for tickets, with the rows locked in id order
            // first: a hold locking the same seats in the same order
            // cannot deadlock with it.
            commit: client.prepare(&format!(
                "WITH sales AS (
                     SELECT * FROM unnest($3::bigint[], $4::text[], $5::bigint[])
                         AS s(seat_id, customer, price)),
                 {locked},
                 sold AS (
                     UPDATE {table} t
                     SET state = {SOLD}, lease_expires = NULL, customer = sales.customer,
                         price = sales.price, sold_at = now()
                     FROM sales JOIN locked USING (seat_id)
                     WHERE t.event_id = $1 AND t.seat_id = sales.seat_id
                       AND t.lease_owner = $2 AND t.state = {LEASED} AND t.lease_expires > now()
                     RETURNING t.seat_id)
                 SELECT seat_id FROM sold
                 UNION ALL
                 SELECT t.seat_id FROM {table} t JOIN sales USING (seat_id)
                 WHERE t.event_id = $1 AND t.state = {SOLD} AND t.lease_owner = $2
                   AND t.customer = sales.customer AND t.price = sales.price",
                locked = lock_cte(&table, "seat_id = ANY($3::bigint[])")
            ))?,
            hand_back: client.prepare(&format!(
                "WITH {locked}
                 UPDATE {table} t SET state = {ON_SALE}, lease_owner = NULL, lease_expires = NULL
                 FROM locked
                 WHERE t.event_id = $1 AND t.seat_id = locked.seat_id AND t.lease_owner = $2
                   AND t.state = {LEASED}",
                locked = lock_cte(&table, "seat_id = ANY($3::bigint[])")
            ))?,
            hand_back_all: client.prepare(&format!(
                "WITH {locked}
                 UPDATE {table} t SET state = {ON_SALE}, lease_owner = NULL, lease_expires = NULL
                 FROM locked
                 WHERE t.event_id = $1 AND t.seat_id = locked.seat_id AND t.lease_owner = $2
                   AND t.state = {LEASED}",
                locked = lock_cte(&table, &format!("lease_owner = $2 AND state = {LEASED}"))
            ))?,
            // ORDER BY under FOR UPDATE: rows are locked in id order.
            lock: client.prepare(&format!(
                "SELECT seat_id, state, lease_owner, coalesce(lease_expires > now(), false),
                     customer, price
                 FROM {table}
                 WHERE event_id = $1 AND seat_id = ANY($2::bigint[])
                 ORDER BY seat_id
                 FOR UPDATE"
            ))?,
            hold: client.prepare(&format!(
                "UPDATE {table} t
                 SET state = {HELD}, lease_owner = $2, customer = $3,
                     lease_expires = now() + $4::bigint {ttl}
                 WHERE t.event_id = $1 AND t.seat_id = ANY($5::bigint[]) AND t.state < {SOLD}
                 RETURNING {SEAT_COLUMNS}"
            ))?,
            confirm: client.prepare(&format!(
                "UPDATE {table} t
                 SET state = {SOLD}, lease_expires = NULL, price = s.price, sold_at = now()
                 FROM unnest($3::bigint[], $4::text[], $5::bigint[]) AS s(seat_id, customer, price)
                 WHERE t.event_id = $1 AND t.seat_id = s.seat_id AND t.state = {HELD}
                   AND t.lease_owner = $2 AND t.customer = s.customer
                   AND t.lease_expires > now()"
            ))?,
            release: client.prepare(&format!(
                "WITH {locked}
                 UPDATE {table} t
                 SET state = {ON_SALE}, lease_owner = NULL, lease_expires = NULL, customer = NULL
                 FROM locked
                 WHERE t.event_id = $1 AND t.seat_id = locked.seat_id AND t.lease_owner = $2
                   AND t.state = {HELD} AND t.customer = $3",
                locked = lock_cte(&table, "seat_id = ANY($4::bigint[])")
            ))?,
            counts: client.prepare(&format!(
                "SELECT count(*),
                     count(*) FILTER (WHERE state = {ON_SALE}),
                     count(*) FILTER (WHERE state = {LEASED} AND lease_expires > now()),
                     count(*) FILTER (WHERE state = {HELD} AND lease_expires > now()),
                     count(*) FILTER (WHERE state IN ({LEASED}, {HELD})
                                        AND lease_expires <= now()),
                     count(*) FILTER (WHERE state = {SOLD})
                 FROM {table} WHERE event_id = $1"
            ))?,
        })
    }
}
