//! One seated event's live seat map: the newest snapshot and its version,
//! the map's body for that version (built once per version, on demand),
//! and the deltas (`seats` SSE messages) from one version to the next.
//!
//! Whoever changes seats through the service calls [`SeatFeed::refresh`]
//! after (a hold, a confirm, a cancel; the ticker for lapsed holds): it
//! takes a snapshot, compares it word by word with the last one and, if
//! seats changed, publishes them as version + 1. Versions go up by one per
//! delta, so a client that sees a version skip knows it missed one and
//! reads the map again.
//!
//! On a lease node (`serve --lease-node`) the map is this node's view of
//! the shared seat leases: the seats it leased are shown as they are here
//! (available, held, sold); every other seat is `not_on_sale`, whether on
//! sale in PostgreSQL, leased by another node or sold there, so the map
//! never shows a seat free that another node sold. Its JSON says so under
//! `lease_node`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use serde_json::{json, Value};
use ticketpool_catalog::{EventId, SeatedEvent};
use ticketpool_seats::SeatSnapshot;
use tokio::sync::broadcast;

use crate::seats::layout::{state_name, Layout};
use crate::views::money;

/// Deltas buffered per stream before it lags (it then skips a version,
/// which the client sees).
const BUFFER: usize = 256;

/// What a lease node's map shows, in its JSON.
const LEASE_NODE_SHOWS: &str = "this node's seats: those it leased are shown as \
    available, held or sold here; every other seat is not_on_sale here, whether on sale, \
    leased or sold on another node (a seat picked by label is held if no one else has it)";

/// The newest picture.
struct Now {
    version: u64,
    snapshot: Arc<SeatSnapshot>,
}

/// One event's live seats.
pub(crate) struct SeatFeed {
    event: EventId,
    seated: Arc<SeatedEvent>,
    layout: Layout,
    now: Mutex<Now>,
    /// The body of the map for one version.
    body: Mutex<Option<(u64, Bytes)>>,
    deltas: broadcast::Sender<Arc<Value>>,
    /// The lease node whose view of the seats this is (see the module
    /// docs); `None`: the only server, the whole event's seats.
    lease_node: Option<Arc<str>>,
    /// Seats bought through this server per customer: the purchase limit
    /// counts them (see `seats::reserve`).
    pub(crate) bought: Mutex<HashMap<Arc<str>, u32>>,
    /// Held while a reserve counts a customer's seats and holds more, so
    /// two of its reserves cannot both slip under the limit. Taken before
    /// the hold table; `bought` is only ever taken on its own.
    pub(crate) reserving: Mutex<()>,
}

pub(crate) fn feed_lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SeatFeed {
    pub(crate) fn new(
        event: EventId,
        seated: Arc<SeatedEvent>,
        lease_node: Option<Arc<str>>,
    ) -> Self {
        let layout = Layout::new(seated.map());
        let snapshot = Arc::new(seated.snapshot());
        Self {
            event,
            seated,
            layout,
            now: Mutex::new(Now {
                version: 1,
                snapshot,
            }),
            body: Mutex::new(None),
            deltas: broadcast::channel(BUFFER).0,
            lease_node,
            bought: Mutex::new(HashMap::new()),
            reserving: Mutex::new(()),
        }
    }

    /// The event's seats.
    pub(crate) fn seated(&self) -> &Arc<SeatedEvent> {
        &self.seated
    }

    /// Publishes the seats changed since the last refresh, if any.
    pub(crate) fn refresh(&self) {
        let mut now = feed_lock(&self.now);
        let snapshot = self.seated.snapshot();
        let changes = snapshot.changes_since(&now.snapshot);
        if changes.is_empty() {
            return;
        }
        now.version += 1;
        now.snapshot = Arc::new(snapshot);
        let map = self.seated.map();
        let seats: Vec<Value> = changes
            .iter()
            .filter_map(|&(id, state)| {
                let seat = map.seat(id)?;
                Some(json!({"seat": seat.to_string(), "state": state_name(state)}))
            })
            .collect();
        // Sent under the lock: deltas go out in version order.
        let _ = self.deltas.send(Arc::new(json!({
            "event": self.event.0,
            "version": now.version,
            "seats": seats,
        })));
    }

    /// The deltas from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Value>> {
        self.deltas.subscribe()
    }

    /// The version now.
    pub(crate) fn version(&self) -> u64 {
        feed_lock(&self.now).version
    }

    /// The map with every seat's state, as JSON text, for the newest
    /// version: rebuilt only when the version moved on since the last read
    /// (a cached body is shared, not copied).
    pub(crate) fn map_body(&self) -> Bytes {
        let (version, snapshot) = {
            let now = feed_lock(&self.now);
            (now.version, Arc::clone(&now.snapshot))
        };
        if let Some((cached, body)) = &*feed_lock(&self.body) {
            if *cached == version {
                return body.clone();
            }
        }
        let seating = self.seated.seating();
        let tiers: Vec<Value> = self
            .seated
            .map()
            .tiers()
            .map(|(name, price)| {
                let price = seating.tier_price(name).unwrap_or(price);
                json!({"name": name, "price": money(price)})
            })
            .collect();
        let counts = snapshot.counts();
        let mut head = json!({
            "event": self.event.0,
            "version": version,
            "tiers": tiers,
            "counts": {
                "available": counts.available,
                "held": counts.held,
                "sold": counts.sold,
                "not_on_sale": counts.not_on_sale,
            },
        });
        if let Some(node) = &self.lease_node {
            head["lease_node"] = json!({"name": &**node, "shows": LEASE_NODE_SHOWS});
        }
        let mut out = String::with_capacity(self.layout.size_hint() + 512);
        out.push_str(&head.to_string());
        // Reopen the object for the layout's fields.
        out.pop();
        out.push(',');
        self.layout.render(&snapshot, &mut out);
        out.push('}');
        let body = Bytes::from(out);
        let mut cache = feed_lock(&self.body);
        if cache.as_ref().is_none_or(|(cached, _)| *cached < version) {
            *cache = Some((version, body.clone()));
        }
        body
    }
}

/// The feeds of the seated events the service has opened, by event.
pub(crate) struct SeatFeeds {
    feeds: Mutex<HashMap<EventId, Arc<SeatFeed>>>,
    /// The lease node this server is, if it is one.
    lease_node: Option<Arc<str>>,
}

impl SeatFeeds {
    /// No feed yet, on lease node `lease_node` if given.
    pub(crate) fn new(lease_node: Option<&str>) -> Self {
        Self {
            feeds: Mutex::new(HashMap::new()),
            lease_node: lease_node.map(Arc::from),
        }
    }

    /// The feed of `event`, opened with `open` the first time.
    pub(crate) fn get_or_open(
        &self,
        event: EventId,
        open: impl FnOnce() -> Result<Arc<SeatedEvent>, ticketpool_catalog::CatalogError>,
    ) -> Result<Arc<SeatFeed>, ticketpool_catalog::CatalogError> {
        let mut feeds = feed_lock(&self.feeds);
        if let Some(feed) = feeds.get(&event) {
            return Ok(Arc::clone(feed));
        }
        let feed = Arc::new(SeatFeed::new(event, open()?, self.lease_node.clone()));
        feeds.insert(event, Arc::clone(&feed));
        Ok(feed)
    }

    /// Every open feed.
    pub(crate) fn all(&self) -> Vec<Arc<SeatFeed>> {
        feed_lock(&self.feeds).values().cloned().collect()
    }
}
