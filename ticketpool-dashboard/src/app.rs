//! The dashboard's shared state and its live feed: one thread turns the
//! office's blocking [`Subscription`](ticketpool_core::Subscription) into
//! messages on a tokio broadcast channel, and one task adds a snapshot
//! every [`SNAPSHOT_EVERY`]; every browser's Server-Sent Events stream reads
//! that channel, so the browser never polls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::broadcast;

use ticketpool_core::{BoxOffice, Event, Hold, Notification};

use crate::driver::Driver;

/// How often a snapshot is pushed to every browser.
pub const SNAPSHOT_EVERY: Duration = Duration::from_millis(500);

/// Messages buffered per browser before a slow one skips some.
const FEED_CAPACITY: usize = 1_024;

/// One Server-Sent Event: its `event:` name and JSON `data:`.
#[derive(Debug, Clone)]
pub struct Message {
    /// `snapshot` or `notification`.
    pub kind: &'static str,
    /// The JSON payload.
    pub data: String,
}

/// Sales per second between the last two snapshots.
struct RateMeter {
    sold: u64,
    at: Instant,
    per_second: f64,
}

/// Everything the handlers share.
pub struct App {
    /// The office on show.
    pub office: BoxOffice,
    /// Its vendors and simulated customers.
    pub driver: Driver,
    /// What `Authorization: Bearer` must carry for admin endpoints.
    admin_token: String,
    /// Holds placed through the purchase form, by id, until confirmed or
    /// cancelled (dropping a `Hold` cancels it).
    pub holds: Mutex<HashMap<u64, Hold>>,
    feed: broadcast::Sender<Message>,
    meter: Mutex<RateMeter>,
}

impl App {
    /// Wraps a running office. Call [`start_feed`](Self::start_feed) inside
    /// a tokio runtime to make `/events` live.
    pub fn new(office: BoxOffice, driver: Driver, admin_token: String) -> Arc<Self> {
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        let sold = office.snapshot().totals.sold;
        Arc::new(Self {
            office,
            driver,
            admin_token,
            holds: Mutex::new(HashMap::new()),
            feed,
            meter: Mutex::new(RateMeter {
                sold,
                at: Instant::now(),
                per_second: 0.0,
            }),
        })
    }

    /// `true` if `token` is the admin token.
    pub fn is_admin(&self, token: &str) -> bool {
        !self.admin_token.is_empty() && token == self.admin_token
    }

    /// A new reader of the live feed.
    pub fn listen(&self) -> broadcast::Receiver<Message> {
        self.feed.subscribe()
    }

    /// Starts the subscription bridge thread and the snapshot task.
    pub fn start_feed(self: &Arc<Self>) {
        let subscription = self.office.subscribe_with_capacity(FEED_CAPACITY);
        let feed = self.feed.clone();
        // The subscription blocks, so it gets a thread of its own; it ends
        // when the office closes and the subscription drains.
        thread::Builder::new()
            .name("dashboard-feed".into())
            .spawn(move || {
                for notification in subscription {
                    if let Some(data) = notification_json(&notification) {
                        // No browser connected is not an error.
                        let _ = feed.send(Message {
                            kind: "notification",
                            data: data.to_string(),
                        });
                    }
                }
            })
            .expect("cannot spawn the feed thread");
        let app = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(SNAPSHOT_EVERY);
            loop {
                ticker.tick().await;
                let Some(app) = app.upgrade() else { return };
                app.measure();
                let _ = app.feed.send(Message {
                    kind: "snapshot",
                    data: app.snapshot_json().to_string(),
                });
            }
        });
    }

    /// Updates the sales rate from the sold count now.
    fn measure(&self) {
        let sold = self.office.snapshot().totals.sold;
        let mut meter = self.meter.lock().unwrap();
        let elapsed = meter.at.elapsed().as_secs_f64();
        if elapsed > 0.0 {
            meter.per_second = sold.saturating_sub(meter.sold) as f64 / elapsed;
        }
        meter.sold = sold;
        meter.at = Instant::now();
    }

    /// The office's snapshot as the page shows it: counts, revenue, the
    /// sales rate, open holds and every vendor's rate.
    pub fn snapshot_json(&self) -> Value {
        let snapshot = self.office.snapshot();
        let mut value = serde_json::to_value(&snapshot).unwrap_or(Value::Null);
        let per_second = self.meter.lock().unwrap().per_second;
        if let Value::Object(map) = &mut value {
            map.insert("taken_at_ms".into(), json!(unix_ms(snapshot.taken_at)));
            map.remove("taken_at");
            map.insert(
                "revenue_display".into(),
                json!(snapshot.revenue.to_string()),
            );
            map.insert("sales_per_second".into(), json!(per_second));
            map.insert("open_holds".into(), json!(self.office.open_holds()));
            map.insert("vendor_rates".into(), json!(self.driver.rates()));
            map.insert(
                "ticket_types".into(),
                json!(self
                    .office
                    .config()
                    .ticket_types
                    .iter()
                    .map(|ty| json!({"name": ty.name, "price": ty.price.to_string()}))
                    .collect::<Vec<_>>()),
            );
        }
        value
    }
}

/// A notification as the page's feed shows it; `None` for releases, which
/// are too many to list and show up in the snapshot counts.
pub fn notification_json(notification: &Notification) -> Option<Value> {
    match notification {
        Notification::Lagged(missed) => Some(json!({"kind": "lagged", "missed": missed})),
        Notification::Event(Event::Released { .. }) => None,
        Notification::Event(Event::Sold { sale }) => Some(json!({
            "kind": "sold",
            "ticket_id": sale.ticket.id.0,
            "ticket_type": &*sale.ticket.ticket_type,
            "vendor": &*sale.ticket.vendor,
            "customer": &*sale.customer,
            "priority": sale.priority,
            "price": sale.price.to_string(),
            "hold_id": sale.hold.map(|hold| hold.0),
        })),
        Notification::Event(event) => serde_json::to_value(event).ok(),
        // A notification a newer core adds: nothing the feed knows to show.
        _ => None,
    }
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}
