//! [`ServerConfig`], [`Server`]: opening the data directory, binding, and
//! serving until told to stop, then stopping cleanly.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{CatalogError, CatalogOptions};
use ticketpool_persist::{
    CatalogDir, CatalogHome, CatalogPg, Durability, LeaseNodeConfig, PersistError,
};
use tokio::net::TcpListener;

use crate::accounts::Accounts;
use crate::demo::Demo;
use crate::event_page::EventPages;
use crate::holds::Holds;
use crate::idempotency::Keys;
use crate::live::Live;
use crate::metrics::Metrics;
use crate::rate_limit::{self, Limits, RateLimit};
use crate::routes;
use crate::secret::new_token;
use crate::state::{every_event, AppState, Owned, Shared};
use crate::stock::{Stock, StockError};
use crate::store::{PgState, SoleServer, SqliteState, StateStore};
use crate::waiting::{WaitingRoom, DEFAULT_GRACE};

/// The shortest admin token accepted from the operator.
pub const MIN_ADMIN_TOKEN: usize = 16;

/// How often lapsed holds and old idempotency keys are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// How long a stop waits for tasks still holding the state (a request
/// being answered as the stop came) before it goes on without them.
const LAST_TASKS: Duration = Duration::from_secs(5);

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen (port 0: any free port; see [`Server::local_addr`]).
    pub addr: SocketAddr,
    /// The data directory: the catalog (as [`CatalogDir`] lays it out)
    /// and the service's own state, `accounts.db` (customers, token
    /// hashes, idempotency keys) and `vendors.db`. Created on first start,
    /// reused after; unused (and not created) when
    /// [`database`](Self::database) is set.
    pub data_dir: PathBuf,
    /// A PostgreSQL server for the catalog and every event's sales
    /// (`postgres://user@host:port/db`, or libpq `key=value` pairs; see
    /// [`CatalogPg`]) and the service's own state (accounts, vendors,
    /// idempotency keys: tables in the catalog's schema, so several
    /// servers can share them); `None` keeps all of it in `data_dir`
    /// (SQLite).
    pub database: Option<String>,
    /// The PostgreSQL schema holding the catalog and the service's state
    /// and every event's sales, keyed by event; `None`:
    /// `ticketpool`.
    pub database_schema: Option<String>,
    /// With [`database`](Self::database): sell as node NAME of a cluster,
    /// from the shared ticket leases (`lease_tickets` in
    /// `<schema>_lease`, see [`CatalogPg::with_lease_node`]) instead of
    /// each event's journal, so several servers with different names sell
    /// the same events. A seated event's seats are sold from the shared
    /// seat leases (`lease_seats`, see [`CatalogPg::with_lease_seats`]):
    /// best available leases rows of seats for this node; seats picked by
    /// label that this node has not leased are held and sold under
    /// PostgreSQL row locks. Vendors' seat waves are refused (409
    /// `seat_waves_unsupported`): seats go on sale by leasing. The seat
    /// map shows this node's view (its JSON says so under `lease_node`):
    /// seats it leased as available, held or sold; every other seat as
    /// `not_on_sale`, whether on sale, leased or sold elsewhere. `None`:
    /// the only server on the schema.
    pub lease_node: Option<String>,
    /// How long a lease node's leases last without a renewal: a killed
    /// node's unsold tickets come back on sale after this long (30 s).
    pub lease_ttl: Duration,
    /// The admin token; `None` generates one (see [`Server::admin_token`]).
    pub admin_token: Option<String>,
    /// Each customer's request rate limit; `None`: no limit.
    pub rate_limit: Option<RateLimit>,
    /// When a sale is on disk: [`Durability::Confirmed`] (the default)
    /// before its confirm is answered; [`Durability::Batched`] within the
    /// journal's group-commit bound after (a crash of the process loses
    /// nothing, a power loss may lose the last moments).
    pub durability: Durability,
    /// How long a waiting reserve keeps its place while its customer has
    /// no live stream open and does not read it ([`DEFAULT_GRACE`]:
    /// 60 s).
    pub waiting_grace: Duration,
    /// The demo: seed an empty catalog with a few events on sale and run
    /// simulated fans buying on every event on sale, until the server stops.
    pub demo: bool,
}

impl ServerConfig {
    /// Listening on 127.0.0.1:8080, data in `data_dir`, a generated admin
    /// token, [`RateLimit::DEFAULT`].
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            data_dir: data_dir.into(),
            database: None,
            database_schema: None,
            lease_node: None,
            lease_ttl: LeaseNodeConfig::default().ttl,
            admin_token: None,
            rate_limit: Some(RateLimit::DEFAULT),
            durability: Durability::Confirmed,
            waiting_grace: DEFAULT_GRACE,
            demo: false,
        }
    }
}

/// Why the service could not start or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The admin token given is unusable.
    #[error("the admin token must be at least {MIN_ADMIN_TOKEN} characters, without spaces")]
    WeakAdminToken,
    /// The data directory is a file, or cannot be created.
    #[error("the data directory {path}: {problem}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The catalog could not be opened.
    #[error("cannot open the catalog in {path}: {source}")]
    Catalog {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: CatalogError,
    },
    /// The database setting is unusable: not a PostgreSQL URL, no user,
    /// a bad schema name.
    #[error("the database setting: {0}")]
    BadDatabase(PersistError),
    /// A lease node was asked for without a PostgreSQL database: the
    /// leases live there.
    #[error(
        "a lease node (--lease-node) sells from ticket leases in PostgreSQL: \
         give the database (--database) too"
    )]
    LeaseWithoutDatabase,
    /// The catalog could not be opened in PostgreSQL (the server does not
    /// answer, refuses the login, ...).
    #[error("cannot open the catalog in {database}: {source}")]
    Database {
        /// The server and schema (never the password).
        database: String,
        /// Why.
        source: CatalogError,
    },
    /// The accounts database could not be opened.
    #[error("cannot open the accounts database {path}: {source}")]
    Accounts {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The vendors database could not be opened or read.
    #[error("cannot open the vendors database {path}: {source}")]
    Vendors {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The service's own state (accounts, vendors, idempotency keys)
    /// could not be opened or read: PostgreSQL under
    /// [`ServerConfig::database`], or the data directory's files once
    /// open.
    #[error("cannot use the service's state in {place}: {source}")]
    State {
        /// The directory, or the server and schema (never the password).
        place: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The address could not be bound, or serving failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A random token could not be drawn.
    #[error("cannot draw a random admin token: {0}")]
    Random(getrandom::Error),
    /// Another `serve` already sells from this data directory or database
    /// schema (or, for a directory, another program has it open, such as
    /// Python's `Catalog.open`): two would each sell the same tickets.
    #[error(
        "{place} is already in use by another ticketpool serve (or, for a data \
         directory, by a program that has the catalog open, such as Python's \
         Catalog.open): two programs on one catalog would sell the same tickets \
         twice; stop it first, or give this one its own --data directory or \
         --database-schema (or, in a cluster, its own --lease-node name)"
    )]
    InUse {
        /// The data directory, or the server and schema (never the
        /// password).
        place: String,
    },
}

/// The booking service, bound and ready to run.
pub struct Server {
    listener: TcpListener,
    state: Owned,
    generated_token: bool,
    rate_limit: Option<RateLimit>,
    demo: Option<Demo>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr())
            .field("catalog", &self.state.get().home.to_string())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens (or creates) the data directory, recovers the catalog and
    /// its sales from it, starts stocking the events on sale and binds
    /// `config.addr`. Nothing is served until [`run_until`](Self::run_until).
    ///
    /// # Errors
    ///
    /// See [`ServerError`].
    pub async fn bind(config: ServerConfig) -> Result<Self, ServerError> {
        let (admin_token, generated_token) = match config.admin_token {
            Some(token) => {
                let token = token.trim().to_owned();
                if token.chars().count() < MIN_ADMIN_TOKEN || token.chars().any(char::is_whitespace)
                {
                    return Err(ServerError::WeakAdminToken);
                }
                (token, false)
            }
            None => (new_token().map_err(ServerError::Random)?, true),
        };
        let path = config.data_dir.clone();
        if path.exists() && !path.is_dir() {
            return Err(ServerError::DataDir {
                path,
                problem: "is not a directory".to_owned(),
            });
        }
        let home: CatalogHome = match &config.database {
            None if config.lease_node.is_some() => return Err(ServerError::LeaseWithoutDatabase),
            None => CatalogDir::new(path.clone())
                .with_durability(config.durability)
                .into(),
            Some(params) => {
                let schema = config.database_schema.as_deref();
                let mut pg = CatalogPg::new(params, schema.unwrap_or(CatalogPg::DEFAULT_SCHEMA))
                    .map_err(ServerError::BadDatabase)?
                    .with_durability(config.durability);
                if let Some(node) = &config.lease_node {
                    let lease = LeaseNodeConfig {
                        ttl: config.lease_ttl,
                        ..LeaseNodeConfig::default()
                    };
                    pg = pg
                        .with_lease_node(node, lease)
                        .map_err(ServerError::BadDatabase)?
                        .with_lease_seats();
                }
                pg.into()
            }
        };
        // Bound first: a state opened on PostgreSQL must not be dropped on
        // an async thread (its blocking client would panic there).
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServerError::Io {
                context: format!("cannot listen on {}", config.addr),
                source,
            })?;
        let grace = config.waiting_grace;
        let demo = config.demo;
        let queues = config.durability == Durability::Batched;
        let (state, demo, sole) = tokio::task::spawn_blocking(move || {
            open_state(home, path, admin_token, grace, demo, queues)
        })
        .await
        .map_err(|e| ServerError::Io {
            context: "opening the data directory".to_owned(),
            source: std::io::Error::other(e.to_string()),
        })??;
        Ok(Self {
            listener,
            state: Owned::new(state, sole),
            generated_token,
            rate_limit: config.rate_limit,
            demo,
        })
    }

    /// The address it listens on (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))
    }

    /// The admin token: the one configured, or the one generated.
    pub fn admin_token(&self) -> &str {
        &self.state.get().admin_token
    }

    /// Where the catalog and its sales are kept: the data directory or a
    /// PostgreSQL server and schema (displayed without a password).
    pub fn catalog_home(&self) -> &CatalogHome {
        &self.state.get().home
    }

    /// `true` if the admin token was generated (print it: it is not stored).
    pub fn admin_token_generated(&self) -> bool {
        self.generated_token
    }

    /// Serves until `shutdown` completes, then stops cleanly: no new
    /// connections, the demo's fans stop, live streams end, requests in flight finish, open holds are cancelled
    /// (their tickets go back on sale; confirmed sales stay sold), the
    /// house vendors stop and the journals close.
    ///
    /// # Errors
    ///
    /// [`ServerError::Io`] if serving fails.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let Self {
            listener,
            state: mut owned,
            rate_limit,
            demo,
            ..
        } = self;
        let state = owned.take();
        let limits = rate_limit.and_then(|limit| rate_limit::limits(limit, Arc::clone(&state)));
        let sweeper = tokio::spawn(sweep(Arc::clone(&state), limits.clone()));
        let reaper = tokio::spawn(crate::seats::reap(Arc::clone(&state)));
        let app = routes::router(Arc::clone(&state), limits.clone());
        // Live streams never end by themselves: the graceful stop would
        // wait for them forever. End them the moment the stop begins.
        let live_state = Arc::clone(&state);
        let shutdown = async move {
            shutdown.await;
            live_state.live.begin_stop();
        };
        // The peer's address keys the rate limit of callers with no token.
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        sweeper.abort();
        let _ = sweeper.await;
        reaper.abort();
        let _ = reaper.await;
        // The limiter's key finder holds the state: let it go first.
        drop(limits);
        // Off the async threads: joining the vendors and closing the
        // journals wait on threads and disk.
        let closed = tokio::task::spawn_blocking(move || {
            // The fans first: they buy until told to stop.
            if let Some(demo) = demo {
                demo.stop();
            }
            state.live.stop();
            state.waiting.stop_all();
            state.holds.cancel_all();
            state.stock.stop_all();
            // A task that was still answering when the stop came may hold
            // the state a moment longer (seen on a loaded machine): wait
            // for it, bounded, so the journals close here and whatever
            // opens them next finds every sale.
            let deadline = Instant::now() + LAST_TASKS;
            while Arc::strong_count(&state) > 1 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            if Arc::strong_count(&state) > 1 {
                tracing::warn!(target: "ticketpool", "stopping: a task still holds the state; its journals close when it ends");
            }
            drop(state);
        })
        .await;
        if let Err(error) = closed {
            tracing::error!(target: "ticketpool", "stopping: {error}");
        }
        // Stopped: the next server may take the data directory or schema,
        // even if a finishing task still holds a clone of the state.
        drop(owned);
        served.map_err(|source| ServerError::Io {
            context: "serving".to_owned(),
            source,
        })
    }
}

fn open_state(
    home: CatalogHome,
    path: PathBuf,
    admin_token: String,
    grace: Duration,
    demo: bool,
    journal_queues: bool,
) -> Result<(AppState, Option<Demo>, SoleServer), ServerError> {
    // The catalog's error names where it lives.
    let catalog_error = |source: CatalogError| match &home {
        CatalogHome::Postgres(_) => ServerError::Database {
            database: home.to_string(),
            source,
        },
        _ => ServerError::Catalog {
            path: path.clone(),
            source,
        },
    };
    // Under PostgreSQL nothing is kept in the data directory.
    if matches!(home, CatalogHome::Dir(_)) {
        std::fs::create_dir_all(&path).map_err(|e| ServerError::DataDir {
            path: path.clone(),
            problem: format!("cannot be created: {e}"),
        })?;
    }
    let home_error = |source: crate::store::StateError| ServerError::State {
        place: home.to_string(),
        source: Box::new(source),
    };
    let claim = || {
        let sole = match &home {
            CatalogHome::Postgres(pg) => SoleServer::claim_schema(pg).map_err(home_error)?,
            _ => SoleServer::claim_dir(&path).map_err(|e| ServerError::DataDir {
                path: path.clone(),
                problem: format!("cannot lock {}: {e}", ticketpool_persist::CLAIM_FILE),
            })?,
        };
        sole.ok_or_else(|| ServerError::InUse {
            place: home.to_string(),
        })
    };
    // A lease node sells as soon as its catalog opens, and a second node
    // of the same name would take (and, refused, hand back) the first
    // one's leases: its lock comes first.
    let lease_node = match &home {
        CatalogHome::Postgres(pg) => pg.lease_node().map(str::to_owned),
        _ => None,
    };
    let early = match lease_node {
        Some(_) => Some(claim()?),
        None => None,
    };
    let catalog = home
        .open(CatalogOptions::default())
        .map_err(catalog_error)?;
    // Otherwise before anything sells (vendors start below): a second
    // server on the schema would sell the same tickets. After the catalog,
    // whose error names an unreachable server best.
    let sole = match early {
        Some(sole) => sole,
        None => claim()?,
    };
    // After the catalog: its schema adopts no schema holding other tables.
    let store: Arc<dyn StateStore> = match &home {
        CatalogHome::Postgres(pg) => Arc::new(PgState::open(pg).map_err(home_error)?),
        _ => Arc::new(SqliteState::open(&path).map_err(|e| {
            if e.vendors {
                ServerError::Vendors {
                    path: e.path,
                    source: e.source,
                }
            } else {
                ServerError::Accounts {
                    path: e.path,
                    source: e.source,
                }
            }
        })?),
    };
    let state_error = |source: crate::store::StateError| ServerError::State {
        place: store.describe(),
        source: Box::new(source),
    };
    let accounts = Accounts::open(Arc::clone(&store)).map_err(state_error)?;
    let state = AppState {
        catalog: Arc::new(catalog),
        home: home.clone(),
        accounts,
        holds: Holds::default(),
        keys: Keys::new(Arc::clone(&store)),
        seat_feeds: crate::seats::SeatFeeds::new(lease_node.as_deref()),
        stock: Stock::new(Arc::clone(&store), lease_node),
        live: Live::default(),
        metrics: Metrics::default(),
        waiting: Arc::new(WaitingRoom::new(grace)),
        admin_token,
        pages: EventPages::default(),
        journal_queues,
    };
    // Seeded before stocking starts, so the demo events get their vendors.
    let demo = if demo {
        let demo = Demo::start(&state.catalog).map_err(catalog_error)?;
        tracing::info!(target: "ticketpool", "demo: {} simulated fans", demo.fans());
        Some(demo)
    } else {
        None
    };
    for event in every_event(&state.catalog) {
        if event.status.has_office() {
            state
                .stock
                .start(&state.catalog, event.id)
                .map_err(|error| match error {
                    StockError::Store(source) => state_error(source),
                    StockError::Catalog(source) => catalog_error(source),
                    StockError::Engine(source) => catalog_error(source.into()),
                    StockError::Api(error) => ServerError::Io {
                        context: "starting the vendors".to_owned(),
                        source: std::io::Error::other(error.to_string()),
                    },
                })?;
        }
    }
    Ok((state, demo, sole))
}

/// Now and then: drops lapsed holds, old keys and quiet callers' buckets, and brings event
/// statuses up to date (sold out, started: the catalog's `refresh`).
async fn sweep(state: Shared, limits: Option<Arc<Limits>>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        let now = Instant::now();
        state.holds.sweep(now);
        state.keys.sweep(now);
        if let Some(limits) = &limits {
            // Buckets of callers gone quiet are full again: forget them.
            limits.limiter().retain_recent();
        }
        let swept = Arc::clone(&state);
        // It writes the catalog's store and the service's: off the async threads.
        let refreshed = tokio::task::spawn_blocking(move || {
            swept.keys.forget_stored();
            swept.catalog.refresh(Timestamp::now())
        })
        .await;
        if let Ok(Err(error)) = refreshed {
            tracing::error!(target: "ticketpool", "refreshing event statuses: {error}");
        }
    }
}
