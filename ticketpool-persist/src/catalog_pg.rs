//! A durable catalog in a PostgreSQL database: [`CatalogDir`]'s
//! counterpart for a deployment that runs a server.
//!
//! Layout: schema `<prefix>` (default `ticketpool`) holds venues,
//! performers and events and every event's sales journal, its rows keyed
//! by the event's id (see [`PgStore::for_event`]), as
//! [`CatalogDir`]'s one SQLite database does.
//!
//! Connections: one, shared by the catalog and every event's journal
//! (their commits take turns on it), plus up to four idle ones for "my
//! tickets", however many events are on sale.
//!
//! A catalog in the earlier layout, each event's journal in a schema
//! `<prefix>_event_<id>` of its own, is migrated when it is opened: each
//! such schema is brought to the current version, its rows copied into
//! `<prefix>` as the event's and the schema renamed
//! `<prefix>_event_<id>_migrated` (kept, never dropped), all in one
//! transaction per event, so an interrupted migration is simply run
//! again by the next open.
//!
//! In lease mode ([`CatalogPg::with_lease_node`]) the events' tickets are
//! in `<prefix>_lease.lease_tickets` instead, shared by every node; each
//! event with an office takes two connections per node (its lease node's
//! feeder and committer) instead of its journal's one.
//!
//! [`CatalogDir`]: crate::CatalogDir

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use postgres::config::Host;
use postgres::{Client, NoTls};
use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId, StoreError};

use crate::catalog_offices::catalog_offices;
use crate::config::{Durability, JournalConfig};
use crate::error::PersistError;
use crate::lease::{
    lease_my_tickets, lease_node_refuses_seats, lease_node_seat_ledgers, lease_offices_with_nodes,
    LeaseNodeConfig, LeaseNodes,
};
use crate::my_tickets::{newest_first, CustomerTicket};
use crate::postgres::{check_schema, customer_tickets, PgStore};
use crate::seat_ledger::catalog_seat_ledgers;

/// How long a connection attempt may take when the parameters do not say:
/// a server that does not answer is an error at start, not a hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle connections kept for "my tickets" reads.
const IDLE_READERS: usize = 4;

/// The longest prefix: the earlier layout's `<prefix>_event_<u64>` must
/// fit PostgreSQL's 63 characters.
const MAX_PREFIX: usize = 63 - "_event_".len() - 20;

/// A durable catalog and its events' sales journals in one PostgreSQL
/// database.
///
/// # Examples
///
/// ```no_run
/// use ticketpool_catalog::CatalogOptions;
/// use ticketpool_persist::CatalogPg;
///
/// let home = CatalogPg::new("postgres://postgres@127.0.0.1:5432/test", CatalogPg::DEFAULT_SCHEMA)?;
/// let catalog = home.open(CatalogOptions::default())?; // creates the schema
/// assert!(home.my_tickets(&[], "ann", 10)?.is_empty());
/// # drop(catalog);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CatalogPg {
    /// Shared: it is large, and each event's journal connects with it.
    config: Arc<postgres::Config>,
    schema: String,
    server: String,
    durability: Durability,
    /// Connections for reads outside the catalog (a customer's tickets),
    /// reused rather than opened per request.
    readers: Arc<Mutex<Vec<Client>>>,
    /// As given: a lease node connects with them (never shown).
    params: Arc<str>,
    /// Lease mode: this node's name and settings.
    lease: Option<(String, LeaseNodeConfig)>,
    /// Lease mode: whether seated events' seats are sold from
    /// `lease_seats` (else refused).
    lease_seats: bool,
    /// The lease nodes of the catalog opened last (for event names).
    lease_nodes: Arc<Mutex<Weak<LeaseNodes>>>,
}

impl fmt::Debug for CatalogPg {
    // Not the parameters: they may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CatalogPg")
            .field("server", &self.server)
            .field("schema", &self.schema)
            .field("durability", &self.durability)
            .field("lease_node", &self.lease_node())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CatalogPg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgreSQL {}, schema {}", self.server, self.schema)?;
        match self.lease_node() {
            Some(node) => write!(f, ", lease node {node}"),
            None => Ok(()),
        }
    }
}

impl CatalogPg {
    /// The schema prefix when none is given.
    pub const DEFAULT_SCHEMA: &'static str = "ticketpool";

    /// The catalog on the server `params` names (a
    /// `postgres://user@host:port/db` URL or libpq `key=value` pairs) in
    /// schema `prefix`, its events' sales in the same schema; nothing is
    /// connected yet. Sales are journaled with [`Durability::Confirmed`].
    ///
    /// # Errors
    ///
    /// [`PersistError::Config`] if `params` cannot be parsed or name no
    /// user, or `prefix` is not 1-36 characters of a-z, 0-9 and `_`.
    pub fn new(params: &str, prefix: &str) -> Result<Self, PersistError> {
        check_schema(prefix)?;
        if prefix.len() > MAX_PREFIX {
            return Err(PersistError::Config(format!(
                "PostgreSQL schema prefix {prefix:?} is longer than {MAX_PREFIX} characters \
                 (the earlier layout's event schemas add _event_<id>)"
            )));
        }
        // The parser's message, never the parameters: they may hold a password.
        let mut config: postgres::Config = params.parse().map_err(|e| {
            PersistError::Config(format!(
                "not a PostgreSQL URL (postgres://user@host:port/db) or key=value \
                 parameters: {e}"
            ))
        })?;
        if config.get_user().is_none_or(str::is_empty) {
            return Err(PersistError::Config(
                "the PostgreSQL connection names no user (postgres://USER@host:port/db)".into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        Ok(Self {
            server: describe(&config),
            config: Arc::new(config),
            schema: prefix.to_owned(),
            durability: Durability::Confirmed,
            readers: Arc::default(),
            params: params.into(),
            lease: None,
            lease_seats: false,
            lease_nodes: Arc::new(Mutex::new(Weak::new())),
        })
    }

    /// The same catalog in lease mode: its events are sold as node `node`
    /// from the shared `lease_tickets` table in
    /// [`lease_schema`](Self::lease_schema) (see
    /// [`lease_offices`](crate::lease::lease_offices)), so several
    /// catalogs on one schema, each with its own node name, sell the same
    /// events. "My tickets" then reads that table too.
    ///
    /// Seated events sell their general admission tickets only, unless
    /// [`with_lease_seats`](Self::with_lease_seats) is set:
    /// [`Catalog::seats`] and [`Catalog::seats_in_waves`] answer
    /// [`CatalogError::SeatsUnsupported`] for every seated event, whatever
    /// `options.seat_ledgers` says, rather than open a node-local copy of
    /// the seat map that could hold a seat another node sold.
    ///
    /// # Errors
    ///
    /// [`PersistError::LeaseRequest`] for a bad node name (it must be
    /// 1-200 bytes).
    pub fn with_lease_node(
        mut self,
        node: &str,
        config: LeaseNodeConfig,
    ) -> Result<Self, PersistError> {
        crate::lease::check_node(node)?;
        self.lease = Some((node.to_owned(), config));
        Ok(self)
    }

    /// The same lease-mode catalog, also selling seated events' seats
    /// from the shared `lease_seats` table in
    /// [`lease_schema`](Self::lease_schema) (see the
    /// [lease module's docs](crate::lease#seats)): each event's seats are
    /// stocked there when they open; none is on sale on this node until
    /// best-available leases whole rows of them (one statement, which is
    /// also all a sold-out event costs), for the node's lease `ttl`,
    /// renewed on the ticket leases' schedule while the catalog lives;
    /// specific seats not leased here are held and sold under PostgreSQL
    /// row locks. A sale the database did not record (lease or hold
    /// lapsed) is an error, never a sale. When the catalog is dropped the
    /// node hands back its unsold leased seats in one statement per event
    /// (a killed node's return when their leases expire). Vendors' waves
    /// are refused (seats go on sale by leasing). Off by default;
    /// `ticketpool serve --lease-node` sets it. "My tickets" then lists
    /// the customer's seats too, from `lease_seats`.
    #[must_use]
    pub fn with_lease_seats(mut self) -> Self {
        self.lease_seats = true;
        self
    }

    /// The lease node's name, in lease mode.
    pub fn lease_node(&self) -> Option<&str> {
        self.lease.as_ref().map(|(node, _)| node.as_str())
    }

    /// The schema of the shared `lease_tickets` table, `<prefix>_lease`.
    pub fn lease_schema(&self) -> String {
        format!("{}_lease", self.schema)
    }

    /// The same catalog, its sales journaled with `durability`
    /// (`synchronous_commit` off under [`Durability::Batched`]).
    #[must_use]
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }

    /// How its sales are journaled.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// The catalog's schema, which holds its events' sales too.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The server, as `user@host:port/database` (no password).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Where the earlier layout kept event `id`'s sales journal, a schema
    /// of its own: [`open`](Self::open) migrates such a schema into the
    /// catalog's and renames it (`_migrated` appended).
    pub fn event_schema(&self, id: EventId) -> String {
        event_schema(&self.schema, id)
    }

    /// Event `id`'s sales journal, in the catalog's schema (created if
    /// missing, the earlier layout's event schemas migrated), on a
    /// connection of its own: for reading it (`Store::recover`,
    /// `Store::events`) while the catalog is closed.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] naming the server.
    pub fn event_store(&self, id: EventId) -> Result<PgStore, CatalogError> {
        Ok(self.database()?.for_event(id.0))
    }

    /// The catalog's schema on a new connection, the earlier layout's
    /// event schemas migrated into it.
    fn database(&self) -> Result<PgStore, CatalogError> {
        let store = PgStore::connect_with(&self.config, &self.schema).map_err(|e| {
            StoreError::with_source(format!("cannot open the catalog in {self}"), e)
        })?;
        self.migrate_event_schemas(&store).map_err(|e| {
            StoreError::with_source(format!("cannot move the events' journals into {self}"), e)
        })?;
        Ok(store)
    }

    /// Copies each `<prefix>_event_<id>` journal into the catalog's schema
    /// as event `id`'s and renames it; see the module docs.
    fn migrate_event_schemas(&self, store: &PgStore) -> Result<(), PersistError> {
        for (id, old) in store.event_schemas(&self.schema)? {
            // Brings the old journal to the current version (the columns
            // the copy names), on a connection that goes at once.
            drop(PgStore::connect_with(&self.config, &old)?);
            let mut renamed = format!("{old}_migrated");
            if renamed.len() > 63 {
                renamed = format!("{}_m_{id}", self.schema);
            }
            store.adopt_schema(id, &old, &renamed)?;
        }
        Ok(())
    }

    /// Connects and opens (creating the schemas if needed) the catalog:
    /// the catalog from its schema, each event's office from its journal
    /// with [`durability`](Self::durability). `options.offices` is
    /// replaced.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] naming the server if it cannot be reached
    /// or the catalog's schema cannot be opened; as [`Catalog::open_with`]
    /// otherwise.
    pub fn open(&self, options: CatalogOptions) -> Result<Catalog, CatalogError> {
        let store = match &self.lease {
            // Lease mode keeps no journal in the catalog's schema.
            Some(_) => PgStore::connect_with(&self.config, &self.schema).map_err(|e| {
                StoreError::with_source(format!("cannot open the catalog in {self}"), e)
            })?,
            None => self.database()?,
        };
        let offices = match &self.lease {
            Some((node, lease)) => {
                let (offices, nodes) =
                    lease_offices_with_nodes(&self.params, &self.lease_schema(), node, *lease)
                        .map_err(|e| {
                            StoreError::with_source(
                                format!("cannot open the ticket leases in {self}"),
                                e,
                            )
                        })?;
                *self
                    .lease_nodes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = nodes;
                offices
            }
            None => {
                // Every event's journal is a handle on the catalog's one
                // connection.
                let journals = store.for_event(0);
                catalog_offices(
                    move |id| Ok(journals.for_event(id.0)),
                    JournalConfig::per_event(self.durability),
                )
            }
        };
        let seat_ledgers = match &self.lease {
            // Whatever the options say: any other ledger would sell seats
            // from this node's own copy of the map.
            Some((node, lease)) if self.lease_seats => lease_node_seat_ledgers(
                self.params.to_string(),
                self.lease_schema(),
                node.clone(),
                lease.ttl,
            ),
            Some(_) => lease_node_refuses_seats(),
            None => {
                let journals = store.for_event(0);
                options
                    .seat_ledgers
                    .clone()
                    .unwrap_or_else(|| catalog_seat_ledgers(move |id| Ok(journals.for_event(id.0))))
            }
        };
        Catalog::open_with(
            store,
            CatalogOptions {
                offices: Some(offices),
                seat_ledgers: Some(seat_ledgers),
                ..options
            },
        )
    }

    /// A new connection to its server, for a service's own tables beside
    /// the catalog's in [`schema`](Self::schema) (the caller names the
    /// schema in its SQL; the connection's search path is left as is).
    ///
    /// # Errors
    ///
    /// [`PersistError::Open`] naming the server (never the password).
    pub fn connect(&self) -> Result<Client, PersistError> {
        self.config.connect(NoTls).map_err(|e| PersistError::Open {
            location: format!("PostgreSQL {}", self.server),
            source: Box::new(e),
        })
    }

    /// Up to `limit` of `customer`'s tickets for `events`, newest first:
    /// one read of the catalog schema's customer index across every
    /// event's sales (plus, in lease mode, the shared table's). Nothing is
    /// created for a new catalog (no tickets yet); events still in the
    /// earlier layout's schemas are migrated first, as opening would.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Store`] naming the server or the event's schema.
    pub fn my_tickets(
        &self,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, CatalogError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut client = self.reader()?;
        if self.unmigrated(&mut client, events)? {
            // Their sales are still in the earlier layout's schemas: move
            // them in first, as opening would, or the read finds nothing.
            drop(self.database()?);
        }
        let mut tickets = self.read_tickets(&mut client, events, customer, limit)?;
        if self.lease.is_some() {
            tickets.extend(self.read_leased(&mut client, events, customer, limit)?);
        }
        // Only a connection that just worked goes back.
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(client);
        }
        Ok(newest_first(tickets, limit))
    }

    /// Whether any of `events` still has the earlier layout's schema.
    fn unmigrated(&self, client: &mut Client, events: &[EventId]) -> Result<bool, CatalogError> {
        let names: Vec<String> = events.iter().map(|&id| self.event_schema(id)).collect();
        let found = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ANY($1))",
                &[&names],
            )
            .and_then(|row| row.try_get(0))
            .map_err(|e| StoreError::with_source(format!("cannot read {self}"), e))?;
        Ok(found)
    }

    /// An idle connection, or a new one.
    fn reader(&self) -> Result<Client, CatalogError> {
        let idle = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(client) if !client.is_closed() => Ok(client),
            _ => self
                .config
                .connect(NoTls)
                .map_err(|e| StoreError::with_source(format!("cannot reach {self}"), e).into()),
        }
    }

    /// The customer's tickets sold from leases (lease mode).
    fn read_leased(
        &self,
        client: &mut Client,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, CatalogError> {
        let nodes = self
            .lease_nodes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .upgrade();
        let name = |id| {
            nodes
                .as_ref()
                .and_then(|nodes| nodes.event_name(id))
                .unwrap_or_default()
        };
        let schema = self.lease_schema();
        let seats = self.lease_seats;
        lease_my_tickets(client, &schema, events, customer, limit, seats, name).map_err(|e| {
            StoreError::with_source(format!("cannot read PostgreSQL schema {schema}"), e).into()
        })
    }

    fn read_tickets(
        &self,
        client: &mut Client,
        events: &[EventId],
        customer: &str,
        limit: usize,
    ) -> Result<Vec<CustomerTicket>, CatalogError> {
        customer_tickets(client, &self.schema, events, customer, limit)
            .map_err(|e| StoreError::with_source(format!("cannot read {self}"), e).into())
    }
}

fn event_schema(prefix: &str, id: EventId) -> String {
    format!("{prefix}_event_{}", id.0)
}

/// `user@host:port/database`, as the connection will use them.
fn describe(config: &postgres::Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                #[cfg(unix)]
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost".to_owned()
    } else {
        hosts.join(",")
    };
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    format!("{user}@{hosts}/{database}")
}
