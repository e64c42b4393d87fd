//! The journal's tables, their versions, and the SQL both databases share.
//!
//! Every schema change is a new [`Migration`] appended to [`MIGRATIONS`],
//! never an edit to an old one: a database records the version it is at in
//! `schema_version`, and opening it runs the migrations after that version
//! in one transaction. A database at a newer version than
//! [`CURRENT_VERSION`] is refused rather than misread.
//!
//! Values are stored so that plain SQL can read them: money in minor units
//! (cents), times as Unix nanoseconds, priorities as `'vip'`/`'regular'`,
//! and each event's full JSON in `events.body`. The `sales_log` view shows
//! the sales log with readable times.

/// One step of the schema, in each database's dialect.
pub(crate) struct Migration {
    /// The version the database is at after this step.
    pub(crate) version: i64,
    /// SQLite statements.
    pub(crate) sqlite: &'static str,
    /// PostgreSQL statements.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) postgres: &'static str,
}

/// `PRAGMA application_id` of a ticketpool SQLite journal ("TPJL"): how a
/// journal tells itself apart from another application's database.
pub(crate) const SQLITE_APPLICATION_ID: i32 = 0x5450_4A4C;

/// The newest schema this build reads and writes.
pub(crate) const CURRENT_VERSION: i64 = 7;

/// Every schema step, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: "
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version (version) VALUES (0);
            CREATE TABLE vendors (
                name TEXT PRIMARY KEY,
                added_seq INTEGER NOT NULL
            );
            CREATE TABLE ticket_types (
                vendor TEXT NOT NULL,
                name TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (vendor, position)
            );
            CREATE TABLE tickets (
                id INTEGER PRIMARY KEY,
                ticket_type TEXT NOT NULL,
                vendor TEXT NOT NULL,
                base_price INTEGER NOT NULL,
                released_at INTEGER NOT NULL
            );
            CREATE TABLE sales (
                seq INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL UNIQUE,
                customer TEXT NOT NULL,
                priority TEXT NOT NULL CHECK (priority IN ('vip', 'regular')),
                price INTEGER NOT NULL,
                sold_at INTEGER NOT NULL,
                waited_ns INTEGER NOT NULL,
                hold_id INTEGER
            );
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                ticket_id INTEGER,
                body TEXT
            );
        ",
        postgres: "
            CREATE TABLE schema_version (version BIGINT NOT NULL);
            INSERT INTO schema_version (version) VALUES (0);
            CREATE TABLE vendors (
                name TEXT PRIMARY KEY,
                added_seq BIGINT NOT NULL
            );
            CREATE TABLE ticket_types (
                vendor TEXT NOT NULL,
                name TEXT NOT NULL,
                position BIGINT NOT NULL,
                PRIMARY KEY (vendor, position)
            );
            CREATE TABLE tickets (
                id BIGINT PRIMARY KEY,
                ticket_type TEXT NOT NULL,
                vendor TEXT NOT NULL,
                base_price BIGINT NOT NULL,
                released_at BIGINT NOT NULL
            );
            CREATE TABLE sales (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                ticket_id BIGINT NOT NULL UNIQUE,
                customer TEXT NOT NULL,
                priority TEXT NOT NULL CHECK (priority IN ('vip', 'regular')),
                price BIGINT NOT NULL,
                sold_at BIGINT NOT NULL,
                waited_ns BIGINT NOT NULL,
                hold_id BIGINT
            );
            CREATE TABLE events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind TEXT NOT NULL,
                ticket_id BIGINT,
                body TEXT
            );
        ",
    },
    // The sales log with readable times, for `ticketpool sales` and for a
    // person at an SQL prompt.
    Migration {
        version: 2,
        sqlite: "
            CREATE VIEW sales_log AS
            SELECT s.seq, s.ticket_id, t.ticket_type, t.vendor, s.customer,
                   s.priority, s.price AS price_minor,
                   strftime('%Y-%m-%d %H:%M:%f', s.sold_at / 1e9, 'unixepoch')
                       AS sold_at_utc,
                   s.hold_id
            FROM sales s JOIN tickets t ON t.id = s.ticket_id;
        ",
        postgres: "
            CREATE VIEW sales_log AS
            SELECT s.seq, s.ticket_id, t.ticket_type, t.vendor, s.customer,
                   s.priority, s.price AS price_minor,
                   to_timestamp(s.sold_at / 1e9) AS sold_at_utc,
                   s.hold_id
            FROM sales s JOIN tickets t ON t.id = s.ticket_id;
        ",
    },
    // The event's configuration (name, total, types with prices and
    // quotas) as JSON, append-only: the last row is in force, earlier ones
    // are the history of deliberate changes. A journal migrated from v2
    // has no row until it is next opened, which records the configuration
    // it is opened with.
    Migration {
        version: 3,
        sqlite: "
            CREATE TABLE event_config (
                seq INTEGER PRIMARY KEY,
                recorded_at INTEGER NOT NULL,
                reason TEXT NOT NULL,
                body TEXT NOT NULL
            );
        ",
        postgres: "
            CREATE TABLE event_config (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                recorded_at BIGINT NOT NULL,
                reason TEXT NOT NULL,
                body TEXT NOT NULL
            );
        ",
    },
    // The catalog (venues, performers, events with their box office's
    // configuration) beside the sales, so one database holds all of it;
    // and "my tickets": a customer's sales, newest first, by index.
    Migration {
        version: 4,
        sqlite: "
            CREATE TABLE venues (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                city TEXT NOT NULL,
                capacity INTEGER NOT NULL
            );
            CREATE TABLE performers (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL
            );
            CREATE TABLE catalog_events (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                venue INTEGER NOT NULL,
                starts_at TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                status TEXT NOT NULL,
                performers TEXT NOT NULL,
                categories TEXT NOT NULL,
                office TEXT NOT NULL
            );
            CREATE INDEX sales_by_customer ON sales (customer, sold_at);
        ",
        postgres: "
            CREATE TABLE venues (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                city TEXT NOT NULL,
                capacity BIGINT NOT NULL
            );
            CREATE TABLE performers (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL
            );
            CREATE TABLE catalog_events (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                venue BIGINT NOT NULL,
                starts_at TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                status TEXT NOT NULL,
                performers TEXT NOT NULL,
                categories TEXT NOT NULL,
                office TEXT NOT NULL
            );
            CREATE INDEX sales_by_customer ON sales (customer, sold_at);
        ",
    },
    // Seats (issue 17): a seated event's sold seats are tickets and sales
    // rows whose `seat` is the seat's label ("Stalls B-12"); general
    // admission rows keep it NULL. A seat's ticket row exists only once it
    // is sold, and the unique index keeps a seat from being sold twice
    // even in the database (NULLs are distinct in both dialects). The
    // sales log shows the seat; a venue's seat map is kept as JSON.
    Migration {
        version: 5,
        sqlite: "
            ALTER TABLE tickets ADD COLUMN seat TEXT;
            ALTER TABLE sales ADD COLUMN seat TEXT;
            CREATE UNIQUE INDEX tickets_by_seat ON tickets (seat);
            CREATE TABLE venue_seat_maps (
                venue INTEGER PRIMARY KEY,
                body TEXT NOT NULL
            );
            DROP VIEW sales_log;
            CREATE VIEW sales_log AS
            SELECT s.seq, s.ticket_id, t.ticket_type, t.vendor, s.customer,
                   s.priority, s.price AS price_minor,
                   strftime('%Y-%m-%d %H:%M:%f', s.sold_at / 1e9, 'unixepoch')
                       AS sold_at_utc,
                   s.hold_id, s.seat
            FROM sales s JOIN tickets t ON t.id = s.ticket_id;
        ",
        postgres: "
            ALTER TABLE tickets ADD COLUMN seat TEXT;
            ALTER TABLE sales ADD COLUMN seat TEXT;
            CREATE UNIQUE INDEX tickets_by_seat ON tickets (seat);
            CREATE TABLE venue_seat_maps (
                venue BIGINT PRIMARY KEY,
                body TEXT NOT NULL
            );
            DROP VIEW sales_log;
            CREATE VIEW sales_log AS
            SELECT s.seq, s.ticket_id, t.ticket_type, t.vendor, s.customer,
                   s.priority, s.price AS price_minor,
                   to_timestamp(s.sold_at / 1e9) AS sold_at_utc,
                   s.hold_id, s.seat
            FROM sales s JOIN tickets t ON t.id = s.ticket_id;
        ",
    },
    // Release waves (issue 17): a seated event's seats go on sale in the
    // waves recorded here, in `seq` order ('none' is the marker of an
    // event released in waves that has released nothing yet). A journal
    // with no row puts every seat on sale, as before this version.
    Migration {
        version: 6,
        sqlite: "
            CREATE TABLE seat_waves (
                seq INTEGER PRIMARY KEY,
                kind TEXT NOT NULL
                    CHECK (kind IN ('none', 'all', 'section', 'tier', 'block')),
                name TEXT,
                block_rows TEXT,
                recorded_at INTEGER NOT NULL
            );
        ",
        postgres: "
            CREATE TABLE seat_waves (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind TEXT NOT NULL
                    CHECK (kind IN ('none', 'all', 'section', 'tier', 'block')),
                name TEXT,
                block_rows TEXT,
                recorded_at BIGINT NOT NULL
            );
        ",
    },
    // One database for a whole catalog (issue 15): every journal row
    // carries the catalog event it belongs to (0 for a lone office's
    // journal, which is what every row migrated from v6 is), so all
    // events' sales share one file (SQLite) or one schema (PostgreSQL).
    // Keys and uniqueness become per event; each event's rows are read by
    // index. SQLite cannot change a primary key in place, so the keyed
    // tables are rebuilt (`tickets` clustered by (event, id), as recovery
    // reads it); the log tables only gain the column.
    Migration {
        version: 7,
        sqlite: "
            DROP VIEW sales_log;
            CREATE TABLE vendors_v7 (
                event INTEGER NOT NULL,
                name TEXT NOT NULL,
                added_seq INTEGER NOT NULL,
                PRIMARY KEY (event, name)
            ) WITHOUT ROWID;
            INSERT INTO vendors_v7 SELECT 0, name, added_seq FROM vendors;
            DROP TABLE vendors;
            ALTER TABLE vendors_v7 RENAME TO vendors;
            CREATE TABLE ticket_types_v7 (
                event INTEGER NOT NULL,
                vendor TEXT NOT NULL,
                name TEXT NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (event, vendor, position)
            ) WITHOUT ROWID;
            INSERT INTO ticket_types_v7 SELECT 0, vendor, name, position FROM ticket_types;
            DROP TABLE ticket_types;
            ALTER TABLE ticket_types_v7 RENAME TO ticket_types;
            CREATE TABLE tickets_v7 (
                event INTEGER NOT NULL,
                id INTEGER NOT NULL,
                ticket_type TEXT NOT NULL,
                vendor TEXT NOT NULL,
                base_price INTEGER NOT NULL,
                released_at INTEGER NOT NULL,
                seat TEXT,
                PRIMARY KEY (event, id)
            ) WITHOUT ROWID;
            INSERT INTO tickets_v7
                SELECT 0, id, ticket_type, vendor, base_price, released_at, seat FROM tickets;
            DROP TABLE tickets;
            ALTER TABLE tickets_v7 RENAME TO tickets;
            CREATE UNIQUE INDEX tickets_by_seat ON tickets (event, seat);
            CREATE TABLE sales_v7 (
                seq INTEGER PRIMARY KEY,
                event INTEGER NOT NULL,
                ticket_id INTEGER NOT NULL,
                customer TEXT NOT NULL,
                priority TEXT NOT NULL CHECK (priority IN ('vip', 'regular')),
                price INTEGER NOT NULL,
                sold_at INTEGER NOT NULL,
                waited_ns INTEGER NOT NULL,
                hold_id INTEGER,
                seat TEXT,
                UNIQUE (event, ticket_id)
            );
            INSERT INTO sales_v7 SELECT seq, 0, ticket_id, customer, priority, price, sold_at,
                waited_ns, hold_id, seat FROM sales;
            DROP TABLE sales;
            ALTER TABLE sales_v7 RENAME TO sales;
            CREATE INDEX sales_by_customer ON sales (customer, sold_at);
            CREATE INDEX sales_by_event ON sales (event);
            ALTER TABLE events ADD COLUMN event INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX events_by_event ON events (event);
            ALTER TABLE event_config ADD COLUMN event INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX event_config_by_event ON event_config (event);
            ALTER TABLE seat_waves ADD COLUMN event INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX seat_waves_by_event ON seat_waves (event);
            CREATE VIEW sales_log AS
            SELECT s.seq, s.event, s.ticket_id, t.ticket_type, t.vendor, s.customer,
                   s.priority, s.price AS price_minor,
                   strftime('%Y-%m-%d %H:%M:%f', s.sold_at / 1e9, 'unixepoch')
                       AS sold_at_utc,
                   s.hold_id, s.seat
            FROM sales s JOIN tickets t ON t.event = s.event AND t.id = s.ticket_id;
        ",
        postgres: "
            DROP VIEW sales_log;
            ALTER TABLE vendors ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE vendors DROP CONSTRAINT vendors_pkey;
            ALTER TABLE vendors ADD PRIMARY KEY (event, name);
            ALTER TABLE ticket_types ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_pkey;
            ALTER TABLE ticket_types ADD PRIMARY KEY (event, vendor, position);
            ALTER TABLE tickets ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE tickets DROP CONSTRAINT tickets_pkey;
            ALTER TABLE tickets ADD PRIMARY KEY (event, id);
            DROP INDEX tickets_by_seat;
            CREATE UNIQUE INDEX tickets_by_seat ON tickets (event, seat);
            ALTER TABLE sales ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE sales DROP CONSTRAINT sales_ticket_id_key;
            ALTER TABLE sales ADD UNIQUE (event, ticket_id);
            CREATE INDEX sales_by_event ON sales (event, seq);
            ALTER TABLE events ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX events_by_event ON events (event, seq);
            ALTER TABLE event_config ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX event_config_by_event ON event_config (event, seq);
            ALTER TABLE seat_waves ADD COLUMN event BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX seat_waves_by_event ON seat_waves (event, seq);
            CREATE VIEW sales_log AS
            SELECT s.seq, s.event, s.ticket_id, t.ticket_type, t.vendor, s.customer,
                   s.priority, s.price AS price_minor,
                   to_timestamp(s.sold_at / 1e9) AS sold_at_utc,
                   s.hold_id, s.seat
            FROM sales s JOIN tickets t ON t.event = s.event AND t.id = s.ticket_id;
        ",
    },
];

/// The `event` key of a lone office's journal (a file or schema of its
/// own); a catalog keeping every event's sales in one database keys them
/// by the catalog event's id instead, and catalog ids start at 1.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) const LONE_JOURNAL: i64 = 0;

/// The migrations a database at `version` still needs.
pub(crate) fn pending(version: i64) -> impl Iterator<Item = &'static Migration> {
    MIGRATIONS.iter().filter(move |m| m.version > version)
}

// The statements below are plain enough SQL to run unchanged on both
// databases (SQLite reads `$1` as a parameter bound in order of appearance,
// so the numbers must appear in order). Every journal statement is scoped
// to one event: its last parameter is the event's key (0 for a lone
// office's journal), and a read's only parameter is that key.

pub(crate) const INSERT_TICKET: &str = "INSERT INTO tickets \
    (id, ticket_type, vendor, base_price, released_at, event) VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (event, id) DO NOTHING";
pub(crate) const INSERT_SALE: &str = "INSERT INTO sales \
    (ticket_id, customer, priority, price, sold_at, waited_ns, hold_id, event) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event, ticket_id) DO NOTHING";
pub(crate) const SALE_HOLDER: &str =
    "SELECT customer FROM sales WHERE ticket_id = $1 AND event = $2";
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events (kind, ticket_id, body, event) VALUES ($1, $2, $3, $4)";
pub(crate) const PUT_VENDOR: &str = "INSERT INTO vendors (name, added_seq, event) \
    VALUES ($1, $2, $3) ON CONFLICT (event, name) DO UPDATE SET added_seq = excluded.added_seq";
pub(crate) const INSERT_SETTINGS: &str =
    "INSERT INTO event_config (recorded_at, reason, body, event) VALUES ($1, $2, $3, $4)";
/// The configuration in force: the last one recorded.
pub(crate) const SELECT_SETTINGS: &str =
    "SELECT body FROM event_config WHERE event = $1 ORDER BY seq DESC LIMIT 1";
pub(crate) const DELETE_VENDOR: &str = "DELETE FROM vendors WHERE name = $1 AND event = $2";
pub(crate) const DELETE_TICKET_TYPES: &str =
    "DELETE FROM ticket_types WHERE vendor = $1 AND event = $2";
pub(crate) const INSERT_TICKET_TYPE: &str =
    "INSERT INTO ticket_types (vendor, name, position, event) VALUES ($1, $2, $3, $4)";

/// Recovery: every ticket, by id, then its seat (NULL for general
/// admission; a seat's ticket belongs to the seated event, see
/// `seat_rows`). Read in one pass with [`SELECT_RECOVERY_SALES`] and
/// joined in memory: two scans in key order instead of a lookup per row.
pub(crate) const SELECT_RECOVERY_TICKETS: &str = "SELECT id, ticket_type, vendor, \
    base_price, released_at, seat FROM tickets WHERE event = $1 ORDER BY id";
/// Recovery: every sale, in the order recorded, by its ticket's id.
pub(crate) const SELECT_RECOVERY_SALES: &str = "SELECT ticket_id, customer, priority, price, \
    sold_at, waited_ns, hold_id FROM sales WHERE event = $1 ORDER BY seq";
/// Recovery: vendors in the order of their latest addition, with types.
pub(crate) const SELECT_VENDORS: &str = "SELECT v.name, tt.name FROM vendors v \
    LEFT JOIN ticket_types tt ON tt.event = v.event AND tt.vendor = v.name \
    WHERE v.event = $1 ORDER BY v.added_seq, tt.position";

/// A sold seat's ticket row; nothing if its id or its seat is taken.
pub(crate) const INSERT_SEAT_TICKET: &str = "INSERT INTO tickets \
    (id, ticket_type, vendor, base_price, released_at, seat, event) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
/// A sold seat's sale row; nothing if its ticket is sold.
pub(crate) const INSERT_SEAT_SALE: &str = "INSERT INTO sales \
    (ticket_id, customer, priority, price, sold_at, waited_ns, hold_id, seat, event) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING";
/// Who a sold seat belongs to (no row: the seat's ticket id is another's).
pub(crate) const SEAT_HOLDER: &str = "SELECT s.customer FROM sales s \
    JOIN tickets t ON t.event = s.event AND t.id = s.ticket_id \
    WHERE (t.seat = $1 OR t.id = $2) AND t.event = $3";
/// Recovery of a seated event: every sold seat, with its ticket and sale
/// columns (the ticket's five, the sale's six) and then the seat, in the
/// order recorded.
pub(crate) const SELECT_SOLD_SEATS: &str = "SELECT t.id, t.ticket_type, t.vendor, \
    t.base_price, t.released_at, s.customer, s.priority, s.price, s.sold_at, s.waited_ns, \
    s.hold_id, t.seat FROM sales s JOIN tickets t ON t.event = s.event AND t.id = s.ticket_id \
    WHERE s.event = $1 AND t.seat IS NOT NULL ORDER BY s.seq";
/// The event log, oldest first.
/// Columns: `seq, kind, body`, then the ticket's five columns, then the
/// sale's six (NULL unless the row is a release or a sale, whose body is
/// NULL because the tickets and sales tables hold it).
pub(crate) const SELECT_EVENTS: &str = "SELECT e.seq, e.kind, e.body, \
    t.id, t.ticket_type, t.vendor, t.base_price, t.released_at, \
    s.customer, s.priority, s.price, s.sold_at, s.waited_ns, s.hold_id \
    FROM events e \
    LEFT JOIN tickets t ON e.body IS NULL AND t.event = e.event AND t.id = e.ticket_id \
    LEFT JOIN sales s ON e.body IS NULL AND e.kind = 'sold' AND s.event = e.event \
        AND s.ticket_id = e.ticket_id \
    WHERE e.event = $1 ORDER BY e.seq";
/// One release wave of a seated event.
pub(crate) const INSERT_SEAT_WAVE: &str = "INSERT INTO seat_waves \
    (kind, name, block_rows, recorded_at, event) VALUES ($1, $2, $3, $4, $5)";
/// Recovery of a seated event: its release waves, in the order recorded.
pub(crate) const SELECT_SEAT_WAVES: &str =
    "SELECT seq, kind, name, block_rows FROM seat_waves WHERE event = $1 ORDER BY seq";
