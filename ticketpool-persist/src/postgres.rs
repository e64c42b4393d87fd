//! PostgreSQL storage, for deployments that already run a server.

use std::sync::Arc;

use postgres::error::SqlState;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};
use ticketpool_core::{Event, RecoveredState, Sale, Ticket, TicketId};

use crate::apply::{apply, Tables};
use crate::codec;
use crate::config::Durability;
use crate::error::PersistError;
use crate::rows::{self, Columns, Query, SaleRow, SettingsRow, TicketRow};
use crate::schema;

#[cfg(feature = "catalog")]
mod adopt;
#[cfg(feature = "catalog")]
mod catalog;
#[cfg(feature = "catalog")]
pub(crate) use catalog::customer_tickets;
mod seats;
mod writers;
use crate::settings::EventSettings;
use crate::store::{Outcome, Store};
use crate::store::{SeatWave, SoldSeat};
use writers::Shared;

/// A journal in one PostgreSQL schema (so several journals, or parallel
/// tests, share a database without meeting), or one event's journal in a
/// schema that keeps many ([`for_event`](Self::for_event)).
///
/// `synchronous_commit=on` under [`Durability::Confirmed`], `off` under
/// [`Durability::Batched`] (a setting of the schema's connections, so of
/// every event's journal in it).
///
/// # Examples
///
/// ```no_run
/// use ticketpool_persist::{PgStore, Store};
///
/// let mut store = PgStore::connect("host=127.0.0.1 user=postgres dbname=test", "box_office")?;
/// let state = store.recover()?;
/// # Ok::<(), ticketpool_persist::PersistError>(())
/// ```
pub struct PgStore {
    db: Arc<Shared>,
    /// The journal rows' `event` key: 0 for a lone journal.
    event: i64,
    /// The schema, for the events' locations.
    schema: Arc<str>,
    location: String,
}

/// One connection and its prepared statements, shared by the journals of
/// the events kept on it: their commits take turns.
struct Conn {
    client: Client,
    statements: Statements,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
            .field("event", &self.event)
            .finish_non_exhaustive()
    }
}

struct Statements {
    insert_ticket: Statement,
    insert_sale: Statement,
    sale_holder: Statement,
    insert_event: Statement,
    put_vendor: Statement,
    delete_vendor: Statement,
    delete_ticket_types: Statement,
    insert_ticket_type: Statement,
}

impl PgStore {
    /// Connects with libpq-style `params` (for example
    /// `"host=127.0.0.1 user=postgres dbname=test"`) and opens the journal
    /// in `schema`, creating the schema and its tables if they do not
    /// exist and migrating an older one.
    ///
    /// # Errors
    ///
    /// - [`PersistError::Config`] if `schema` is not a plain lowercase
    ///   identifier;
    /// - [`PersistError::Open`] if no server answers;
    /// - [`PersistError::Foreign`] if the schema holds other tables;
    /// - [`PersistError::SchemaTooNew`] for a journal from a newer build.
    pub fn connect(params: &str, schema: &str) -> Result<Self, PersistError> {
        check_schema(schema)?;
        let config: postgres::Config = params.parse().map_err(|e| PersistError::Open {
            location: format!("PostgreSQL schema {schema}"),
            source: Box::new(e),
        })?;
        Self::connect_with(&config, schema)
    }

    /// [`connect`](Self::connect) with parsed parameters.
    pub(crate) fn connect_with(
        config: &postgres::Config,
        schema: &str,
    ) -> Result<Self, PersistError> {
        check_schema(schema)?;
        let location = format!("PostgreSQL schema {schema}");
        let mut client = config.connect(NoTls).map_err(|e| PersistError::Open {
            location: location.clone(),
            source: Box::new(e),
        })?;
        // The name is checked, so quoting it cannot inject anything.
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))
            .map_err(|e| classify(&location, e.into()))?;
        migrate(&mut client, schema, &location).map_err(|e| classify(&location, e))?;
        let statements = prepare(&mut client).map_err(|e| classify(&location, e.into()))?;
        Ok(Self {
            db: Arc::new(Shared::new(Conn { client, statements }, config.clone())),
            event: schema::LONE_JOURNAL,
            schema: schema.into(),
            location,
        })
    }

    /// The journal of catalog event `event` in this store's schema: its
    /// rows carry the event's id, beside every other event's, on one of
    /// the schema's few writer connections (shared, so a catalog's events
    /// take a few connections, not one each, and commit side by side).
    /// Event 0 is
    /// the schema's own journal, the one [`connect`](Self::connect)
    /// returns.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ticketpool_persist::{PgStore, Store};
    ///
    /// let schema = PgStore::connect("host=127.0.0.1 user=postgres dbname=test", "catalog")?;
    /// let mut first = schema.for_event(1);
    /// let state = first.recover()?;
    /// # Ok::<(), ticketpool_persist::PersistError>(())
    /// ```
    #[must_use]
    pub fn for_event(&self, event: u64) -> Self {
        Self {
            db: Arc::clone(&self.db),
            event: codec::id_to_sql(event),
            schema: Arc::clone(&self.schema),
            location: format!("PostgreSQL schema {} (event {event})", self.schema),
        }
    }
}

/// Refuses a schema name that is not a plain lowercase identifier (it is
/// spliced into SQL).
pub(crate) fn check_schema(schema: &str) -> Result<(), PersistError> {
    let valid = !schema.is_empty()
        && schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(PersistError::Config(format!(
            "PostgreSQL schema name {schema:?} must be 1-63 characters of a-z, 0-9 and _, \
                 not starting with a digit"
        )));
    }
    Ok(())
}

fn migrate(client: &mut Client, schema: &str, location: &str) -> Result<(), PersistError> {
    let mut tx = client.transaction()?;
    // Two processes opening one new schema must not both create it.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&schema])?;
    let tables: Vec<String> = tx
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = $1 ORDER BY table_name",
            &[&schema],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    let version: i64 = if tables.is_empty() {
        0
    } else if tables.iter().any(|t| t == "schema_version") {
        tx.query_opt("SELECT version FROM schema_version", &[])?
            .map(|row| row.try_get(0))
            .transpose()?
            .ok_or_else(|| PersistError::Corrupt {
                location: location.to_owned(),
                detail: "schema_version is empty".into(),
            })?
    } else {
        return Err(PersistError::Foreign {
            location: location.to_owned(),
            detail: format!(
                "it holds tables ({}) and no schema_version",
                tables.join(", ")
            ),
        });
    };
    if version > schema::CURRENT_VERSION {
        return Err(PersistError::SchemaTooNew {
            location: location.to_owned(),
            found: version,
            supported: schema::CURRENT_VERSION,
        });
    }
    for migration in schema::pending(version) {
        tx.batch_execute(migration.postgres)?;
        tx.execute(
            "UPDATE schema_version SET version = $1",
            &[&migration.version],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn prepare(client: &mut Client) -> Result<Statements, postgres::Error> {
    Ok(Statements {
        insert_ticket: client.prepare(schema::INSERT_TICKET)?,
        insert_sale: client.prepare(schema::INSERT_SALE)?,
        sale_holder: client.prepare(schema::SALE_HOLDER)?,
        insert_event: client.prepare(&format!("{} RETURNING seq", schema::INSERT_EVENT))?,
        put_vendor: client.prepare(schema::PUT_VENDOR)?,
        delete_vendor: client.prepare(schema::DELETE_VENDOR)?,
        delete_ticket_types: client.prepare(schema::DELETE_TICKET_TYPES)?,
        insert_ticket_type: client.prepare(schema::INSERT_TICKET_TYPE)?,
    })
}

/// Names damaged data by what it is.
fn classify(location: &str, error: PersistError) -> PersistError {
    let PersistError::Postgres(pg) = &error else {
        return error;
    };
    match pg.code() {
        Some(code) if *code == SqlState::DATA_CORRUPTED || *code == SqlState::INDEX_CORRUPTED => {
            PersistError::Corrupt {
                location: location.to_owned(),
                detail: pg.to_string(),
            }
        }
        _ => error,
    }
}

/// The statements of [`Tables`] on an open PostgreSQL transaction.
struct PgTables<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    statements: &'t Statements,
    event: i64,
}

impl Tables for PgTables<'_, '_> {
    fn insert_ticket(&mut self, ticket: &Ticket) -> Result<bool, PersistError> {
        let t = TicketRow::of(ticket);
        let inserted = self.tx.execute(
            &self.statements.insert_ticket,
            &[
                &t.id,
                &t.ticket_type,
                &t.vendor,
                &t.base_price,
                &t.released_at,
                &self.event,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn insert_sale(&mut self, sale: &Sale) -> Result<bool, PersistError> {
        let s = SaleRow::of(sale);
        let inserted = self.tx.execute(
            &self.statements.insert_sale,
            &[
                &codec::id_to_sql(sale.ticket.id.0),
                &s.customer,
                &s.priority,
                &s.price,
                &s.sold_at,
                &s.waited_ns,
                &s.hold_id,
                &self.event,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn sale_holder(&mut self, ticket: TicketId) -> Result<String, PersistError> {
        let row = self.tx.query_one(
            &self.statements.sale_holder,
            &[&codec::id_to_sql(ticket.0), &self.event],
        )?;
        Ok(row.try_get(0)?)
    }

    fn log(
        &mut self,
        kind: &str,
        ticket: Option<TicketId>,
        body: Option<&str>,
    ) -> Result<i64, PersistError> {
        let row = self.tx.query_one(
            &self.statements.insert_event,
            &[
                &kind,
                &ticket.map(|t| codec::id_to_sql(t.0)),
                &body,
                &self.event,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn put_vendor(
        &mut self,
        vendor: &str,
        seq: i64,
        ticket_types: &[Arc<str>],
    ) -> Result<(), PersistError> {
        self.tx
            .execute(&self.statements.put_vendor, &[&vendor, &seq, &self.event])?;
        self.tx.execute(
            &self.statements.delete_ticket_types,
            &[&vendor, &self.event],
        )?;
        for (position, ticket_type) in (0_i64..).zip(ticket_types) {
            self.tx.execute(
                &self.statements.insert_ticket_type,
                &[&vendor, &&**ticket_type, &position, &self.event],
            )?;
        }
        Ok(())
    }

    fn remove_vendor(&mut self, vendor: &str) -> Result<(), PersistError> {
        self.tx
            .execute(&self.statements.delete_vendor, &[&vendor, &self.event])?;
        self.tx.execute(
            &self.statements.delete_ticket_types,
            &[&vendor, &self.event],
        )?;
        Ok(())
    }
}

impl Store for PgStore {
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError> {
        let setting = match durability {
            Durability::Confirmed => "on",
            Durability::Batched => "off",
        };
        self.db.set_synchronous_commit(setting)?;
        Ok(())
    }

    fn append(
        &mut self,
        events: &[Event],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<(), PersistError> {
        let start = outcomes.len();
        let event = self.event;
        let mut conn = self.journal()?;
        let Conn { client, statements } = &mut *conn;
        let result = (|| {
            let mut tx = client.transaction()?;
            let mut tables = PgTables {
                tx: &mut tx,
                statements,
                event,
            };
            for event in events {
                outcomes.push(apply(&mut tables, event)?);
            }
            tx.commit()?;
            Ok(())
        })();
        if result.is_err() {
            outcomes.truncate(start);
        }
        result.map_err(|e| classify(&self.location, e))
    }

    fn recover(&mut self) -> Result<RecoveredState, PersistError> {
        let location = self.location.clone();
        let event = self.event;
        let mut conn = self.journal()?;
        let result = (|| {
            // One snapshot for all queries.
            let mut tx = conn
                .client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let state = rows::read_state(&mut Pg::new(&mut tx, event), &location)?;
            tx.commit()?;
            Ok(state)
        })();
        result.map_err(|e| classify(&location, e))
    }

    fn events(&mut self) -> Result<Vec<Event>, PersistError> {
        let event = self.event;
        let result = rows::read_events(
            &mut Pg::new(&mut self.journal()?.client, event),
            &self.location,
        );
        result.map_err(|e| classify(&self.location, e))
    }

    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        let event = self.event;
        let result = rows::read_settings(
            &mut Pg::new(&mut self.journal()?.client, event),
            &self.location,
        );
        result.map_err(|e| classify(&self.location, e))
    }

    fn record_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        self.write_settings(settings, reason)
            .map_err(|e| classify(&self.location, e))
    }

    fn record_seats(&mut self, seats: &[SoldSeat]) -> Result<Outcome, PersistError> {
        self.write_seats(seats)
    }

    fn sold_seats(&mut self) -> Result<Vec<SoldSeat>, PersistError> {
        self.read_seats()
    }

    fn record_seat_wave(&mut self, wave: &SeatWave) -> Result<(), PersistError> {
        self.write_seat_wave(wave)
    }

    fn seat_waves(&mut self) -> Result<Vec<SeatWave>, PersistError> {
        self.read_seat_waves()
    }
}

impl PgStore {
    fn write_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        let row = SettingsRow::of(settings, reason)?;
        self.journal()?.client.execute(
            schema::INSERT_SETTINGS,
            &[&row.recorded_at, &row.reason, &row.body, &self.event],
        )?;
        Ok(())
    }
}

/// The postgres side of [`rows`]: statements on a client or an open
/// transaction, scoped to one event's rows (a journal read's one
/// parameter is the event key; the catalog's reads have none).
pub(crate) struct Pg<'a, C> {
    client: &'a mut C,
    event: i64,
}

impl<'a, C: GenericClient> Pg<'a, C> {
    /// Reads of `event`'s rows on `client`.
    pub(crate) fn new(client: &'a mut C, event: i64) -> Self {
        Self { client, event }
    }
}

impl<C: GenericClient> Query for Pg<'_, C> {
    fn each(
        &mut self,
        sql: &str,
        each: &mut dyn FnMut(&dyn Columns) -> Result<(), PersistError>,
    ) -> Result<(), PersistError> {
        let statement = self.client.prepare(sql)?;
        let rows = if statement.params().len() == 1 {
            self.client.query(&statement, &[&self.event])?
        } else {
            self.client.query(&statement, &[])?
        };
        for row in rows {
            each(&row)?;
        }
        Ok(())
    }
}

impl Columns for Row {
    fn int(&self, column: usize) -> Result<i64, PersistError> {
        Ok(self.try_get(column)?)
    }

    fn opt_int(&self, column: usize) -> Result<Option<i64>, PersistError> {
        Ok(self.try_get(column)?)
    }

    fn text(&self, column: usize) -> Result<&str, PersistError> {
        Ok(self.try_get(column)?)
    }

    fn opt_text(&self, column: usize) -> Result<Option<&str>, PersistError> {
        Ok(self.try_get(column)?)
    }
}
