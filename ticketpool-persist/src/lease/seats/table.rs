//! The `lease_seats` table: one row per seat of a seated event; created if
//! absent, refused if a table of that name has other columns.

use postgres::Client;

use super::super::table::LeaseTable;
use crate::error::PersistError;

/// The seat states, as stored in `lease_seats.state`.
pub(super) const ON_SALE: i16 = 0;
/// Under a node's lease (live or expired), not promised to anyone.
pub(super) const LEASED: i16 = 1;
/// Held for a customer by a node until `lease_expires` (live or expired).
pub(super) const HELD: i16 = 2;
/// Sold; `lease_owner` keeps the node that sold it.
pub(in crate::lease) const SOLD: i16 = 3;

/// The columns and their `information_schema` types, in order.
const COLUMNS: [(&str, &str); 12] = [
    ("event_id", "bigint"),
    ("seat_id", "bigint"),
    ("section", "text"),
    ("row_label", "text"),
    ("number", "bigint"),
    ("base_price", "bigint"),
    ("state", "smallint"),
    ("lease_owner", "text"),
    ("lease_expires", "timestamp with time zone"),
    ("customer", "text"),
    ("price", "bigint"),
    ("sold_at", "timestamp with time zone"),
];

/// The table in `schema` (a checked identifier).
fn table_sql(schema: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.lease_seats (
            event_id BIGINT NOT NULL,
            seat_id BIGINT NOT NULL,
            section TEXT NOT NULL,
            row_label TEXT NOT NULL,
            number BIGINT NOT NULL,
            base_price BIGINT NOT NULL,
            state SMALLINT NOT NULL DEFAULT {ON_SALE},
            lease_owner TEXT,
            lease_expires TIMESTAMPTZ,
            customer TEXT,
            price BIGINT,
            sold_at TIMESTAMPTZ,
            PRIMARY KEY (event_id, seat_id),
            -- Each state's columns, so no statement can leave a half-held
            -- or half-sold row.
            CONSTRAINT lease_seats_state CHECK (
                (state = {ON_SALE} AND lease_owner IS NULL AND lease_expires IS NULL
                    AND customer IS NULL AND price IS NULL AND sold_at IS NULL)
                OR (state = {LEASED} AND lease_owner IS NOT NULL
                    AND lease_expires IS NOT NULL AND customer IS NULL AND price IS NULL
                    AND sold_at IS NULL)
                OR (state = {HELD} AND lease_owner IS NOT NULL AND lease_expires IS NOT NULL
                    AND customer IS NOT NULL AND price IS NULL AND sold_at IS NULL)
                OR (state = {SOLD} AND lease_owner IS NOT NULL AND lease_expires IS NULL
                    AND customer IS NOT NULL AND price IS NOT NULL AND sold_at IS NOT NULL))
        )"
    )
}

/// The indexes, made once the table is known to be ours.
fn index_sql(schema: &str) -> String {
    format!(
        "-- A section lease walks one section's unsold seats in id order;
        -- sold seats leave this index, so it shrinks as the event sells.
        CREATE INDEX IF NOT EXISTS lease_seats_unsold
            ON {schema}.lease_seats (event_id, section, seat_id) WHERE state < {SOLD};
        -- A lease across sections walks the unsold seats in id order; a
        -- sold-out event has no entry, so finding nothing reads nothing.
        CREATE INDEX IF NOT EXISTS lease_seats_unsold_ids
            ON {schema}.lease_seats (event_id, seat_id) WHERE state < {SOLD};
        -- My tickets finds a customer's sold seats, newest first,
        -- without walking events.
        CREATE INDEX IF NOT EXISTS lease_seats_customer
            ON {schema}.lease_seats (customer, sold_at) WHERE state = {SOLD};
        -- Hand-backs find one node's leases.
        CREATE INDEX IF NOT EXISTS lease_seats_owner
            ON {schema}.lease_seats (event_id, lease_owner) WHERE state = {LEASED};"
    )
}

/// Creates `schema` and its `lease_seats` table if absent; refuses one
/// whose columns differ.
pub(super) fn create(
    client: &mut Client,
    schema: &str,
    location: &str,
) -> Result<(), PersistError> {
    LeaseTable {
        name: "lease_seats",
        what: "seat-lease",
        columns: &COLUMNS,
        create: table_sql(schema),
        indexes: index_sql(schema),
    }
    .create(client, schema, location)
}
