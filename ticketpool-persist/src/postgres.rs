//! PostgreSQL storage, for deployments that already run a server.

use std::sync::Arc;

use postgres::error::SqlState;
use postgres::{Client, IsolationLevel, NoTls, Row, Statement, Transaction};
use ticketpool_core::{Event, RecoveredState, Sale, Ticket, TicketId};

use crate::apply::{apply, Tables};
use crate::codec::{self, Interner, SaleRow, TicketRow};
use crate::config::Durability;
use crate::error::PersistError;
use crate::recover::group_vendors;
use crate::schema;
use crate::settings::EventSettings;
use crate::store::{Outcome, Store};

/// A journal in one PostgreSQL schema (so several journals, or parallel
/// tests, share a database without meeting).
///
/// `synchronous_commit=on` under [`Durability::Confirmed`], `off` under
/// [`Durability::Batched`].
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
    client: Client,
    statements: Statements,
    location: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.location)
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
        let location = format!("PostgreSQL schema {schema}");
        let mut client = Client::connect(params, NoTls).map_err(|e| PersistError::Open {
            location: location.clone(),
            source: Box::new(e),
        })?;
        // The name is checked above, so quoting it cannot inject anything.
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))
            .map_err(|e| classify(&location, e.into()))?;
        migrate(&mut client, schema, &location).map_err(|e| classify(&location, e))?;
        let statements = prepare(&mut client).map_err(|e| classify(&location, e.into()))?;
        Ok(Self {
            client,
            statements,
            location,
        })
    }
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
}

impl Tables for PgTables<'_, '_> {
    fn insert_ticket(&mut self, ticket: &Ticket) -> Result<bool, PersistError> {
        let inserted = self.tx.execute(
            &self.statements.insert_ticket,
            &[
                &codec::id_to_sql(ticket.id.0),
                &&*ticket.ticket_type,
                &&*ticket.vendor,
                &ticket.base_price.minor(),
                &codec::time_to_nanos(ticket.released_at),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn insert_sale(&mut self, sale: &Sale) -> Result<bool, PersistError> {
        let inserted = self.tx.execute(
            &self.statements.insert_sale,
            &[
                &codec::id_to_sql(sale.ticket.id.0),
                &&*sale.customer,
                &codec::priority_to_sql(sale.priority),
                &sale.price.minor(),
                &codec::time_to_nanos(sale.sold_at),
                &codec::duration_to_nanos(sale.waited),
                &sale.hold.map(|h| codec::id_to_sql(h.0)),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn sale_holder(&mut self, ticket: TicketId) -> Result<String, PersistError> {
        let row = self
            .tx
            .query_one(&self.statements.sale_holder, &[&codec::id_to_sql(ticket.0)])?;
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
            &[&kind, &ticket.map(|t| codec::id_to_sql(t.0)), &body],
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
            .execute(&self.statements.put_vendor, &[&vendor, &seq])?;
        self.tx
            .execute(&self.statements.delete_ticket_types, &[&vendor])?;
        for (position, ticket_type) in (0_i64..).zip(ticket_types) {
            self.tx.execute(
                &self.statements.insert_ticket_type,
                &[&vendor, &&**ticket_type, &position],
            )?;
        }
        Ok(())
    }

    fn remove_vendor(&mut self, vendor: &str) -> Result<(), PersistError> {
        self.tx
            .execute(&self.statements.delete_vendor, &[&vendor])?;
        self.tx
            .execute(&self.statements.delete_ticket_types, &[&vendor])?;
        Ok(())
    }
}

impl Store for PgStore {
    fn set_durability(&mut self, durability: Durability) -> Result<(), PersistError> {
        let setting = match durability {
            Durability::Confirmed => "on",
            Durability::Batched => "off",
        };
        self.client
            .batch_execute(&format!("SET synchronous_commit TO {setting}"))?;
        Ok(())
    }

    fn append(
        &mut self,
        events: &[Event],
        outcomes: &mut Vec<Outcome>,
    ) -> Result<(), PersistError> {
        let start = outcomes.len();
        let statements = &self.statements;
        let result = (|| {
            let mut tx = self.client.transaction()?;
            let mut tables = PgTables {
                tx: &mut tx,
                statements,
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
        let result = (|| {
            // One snapshot for all queries.
            let mut tx = self
                .client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let state = read_state(&mut tx, &location)?;
            tx.commit()?;
            Ok(state)
        })();
        result.map_err(|e| classify(&location, e))
    }

    fn events(&mut self) -> Result<Vec<Event>, PersistError> {
        let location = self.location.clone();
        let result = (|| {
            let mut names = Interner::default();
            let rows = self.client.query(schema::SELECT_EVENTS, &[])?;
            let mut events = Vec::with_capacity(rows.len());
            for row in &rows {
                let ticket = match row.try_get::<_, Option<i64>>(3)? {
                    None => None,
                    Some(id) => Some(TicketRow {
                        id,
                        ticket_type: row.try_get(4)?,
                        vendor: row.try_get(5)?,
                        base_price: row.try_get(6)?,
                        released_at: row.try_get(7)?,
                    }),
                };
                let sale = match row.try_get::<_, Option<&str>>(8)? {
                    None => None,
                    Some(customer) => Some(SaleRow {
                        customer,
                        priority: row.try_get(9)?,
                        price: row.try_get(10)?,
                        sold_at: row.try_get(11)?,
                        waited_ns: row.try_get(12)?,
                        hold_id: row.try_get(13)?,
                    }),
                };
                events.push(codec::decode_log_row(
                    &location,
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    ticket,
                    sale,
                    &mut names,
                )?);
            }
            Ok(events)
        })();
        result.map_err(|e| classify(&location, e))
    }

    fn settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        self.read_settings()
            .map_err(|e| classify(&self.location, e))
    }

    fn record_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        self.write_settings(settings, reason)
            .map_err(|e| classify(&self.location, e))
    }
}

impl PgStore {
    fn read_settings(&mut self) -> Result<Option<EventSettings>, PersistError> {
        let row = self.client.query_opt(schema::SELECT_SETTINGS, &[])?;
        row.map(|row| {
            let body: &str = row.try_get(0)?;
            codec::decode_settings(&self.location, body)
        })
        .transpose()
    }

    fn write_settings(
        &mut self,
        settings: &EventSettings,
        reason: &str,
    ) -> Result<(), PersistError> {
        let body = codec::encode_settings(settings)?;
        let now = codec::time_to_nanos(std::time::SystemTime::now());
        self.client
            .execute(schema::INSERT_SETTINGS, &[&now, &reason, &body])?;
        Ok(())
    }
}

fn ticket_row(row: &Row) -> Result<TicketRow<'_>, postgres::Error> {
    Ok(TicketRow {
        id: row.try_get(0)?,
        ticket_type: row.try_get(1)?,
        vendor: row.try_get(2)?,
        base_price: row.try_get(3)?,
        released_at: row.try_get(4)?,
    })
}

fn read_state(tx: &mut Transaction<'_>, location: &str) -> Result<RecoveredState, PersistError> {
    let mut names = Interner::default();
    let counts = tx.query_one(schema::SELECT_TICKET_COUNTS, &[])?;
    let released: i64 = counts.try_get(0)?;
    let max_id: Option<i64> = counts.try_get(1)?;

    let mut sales = Vec::new();
    for row in tx.query(schema::SELECT_SALES, &[])? {
        let ticket = ticket_row(&row)?.decode(&mut names);
        let sale = SaleRow {
            customer: row.try_get(5)?,
            priority: row.try_get(6)?,
            price: row.try_get(7)?,
            sold_at: row.try_get(8)?,
            waited_ns: row.try_get(9)?,
            hold_id: row.try_get(10)?,
        };
        sales.push(sale.decode(location, ticket, &mut names)?);
    }

    let mut unsold = Vec::new();
    for row in tx.query(schema::SELECT_UNSOLD, &[])? {
        unsold.push(ticket_row(&row)?.decode(&mut names));
    }

    let mut vendor_rows = Vec::new();
    for row in tx.query(schema::SELECT_VENDORS, &[])? {
        let vendor = names.get(row.try_get(0)?);
        let ticket_type: Option<&str> = row.try_get(1)?;
        vendor_rows.push((vendor, ticket_type.map(|t| names.get(t))));
    }

    Ok(RecoveredState {
        sales,
        unsold,
        next_ticket_id: TicketId(max_id.map_or(0, |id| codec::id_from_sql(id).saturating_add(1))),
        released: u64::try_from(released).unwrap_or(0),
        vendors: group_vendors(vendor_rows),
    })
}
