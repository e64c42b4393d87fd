//! Structured logs: what the box office emits through `tracing`, captured
//! by a `Layer` that keeps every event's fields.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::Registry;

use ticketpool_core::{
    BoxOffice, BoxOfficeConfig, BoxOfficeError, Event, Journal, JournalError, Money, Priority, Want,
};

/// One captured event: target, level and fields as text.
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    level: Level,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(Captured {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
        });
    }
}

impl Capture {
    /// Runs `f` with this layer as the thread's subscriber.
    fn during(&self, f: impl FnOnce()) {
        let subscriber = Registry::default().with(self.clone());
        tracing::subscriber::with_default(subscriber, f);
    }

    fn of_kind(&self, kind: &str) -> Vec<Captured> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.field("kind") == Some(kind))
            .cloned()
            .collect()
    }
}

fn office(total: u64) -> BoxOffice {
    BoxOffice::new(BoxOfficeConfig::simple(
        "gig",
        total,
        4,
        Money::from_minor(1_250),
    ))
    .unwrap()
}

#[test]
fn a_sale_emits_its_ticket_id_price_customer_and_vendor() {
    let capture = Capture::default();
    let mut sold = None;
    capture.during(|| {
        let office = office(10);
        office
            .add_vendor("north", &[])
            .unwrap()
            .release("general")
            .unwrap();
        sold = Some(
            office
                .customer("ann", Priority::Vip)
                .buy(Want::Any)
                .unwrap(),
        );
    });
    let sale = sold.unwrap();
    let events = capture.of_kind("sold");
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.target, "ticketpool");
    assert_eq!(event.level, Level::INFO);
    assert_eq!(
        event.field("ticket_id"),
        Some(&*sale.ticket.id.0.to_string())
    );
    assert_eq!(event.field("price"), Some("1250"));
    assert_eq!(event.field("customer"), Some("ann"));
    assert_eq!(event.field("vendor"), Some("north"));
    assert_eq!(event.field("ticket_type"), Some("general"));
    assert_eq!(event.field("priority"), Some("vip"));
    assert_eq!(event.field("hold_id"), None, "a direct sale has no hold");
}

#[test]
fn releases_vendor_changes_pause_and_close_are_logged() {
    let capture = Capture::default();
    capture.during(|| {
        let office = office(10);
        let vendor = office.add_vendor("north", &[]).unwrap();
        let ticket = vendor.release("general").unwrap();
        assert_eq!(ticket.id.0, 1);
        office.pause();
        office.resume();
        office.remove_vendor("north").unwrap();
        office.close();
    });
    let released = capture.of_kind("released");
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].field("ticket_id"), Some("1"));
    assert_eq!(released[0].field("vendor"), Some("north"));
    assert_eq!(released[0].field("price"), Some("1250"));
    for kind in [
        "vendor_added",
        "paused",
        "resumed",
        "vendor_removed",
        "closed",
    ] {
        assert_eq!(capture.of_kind(kind).len(), 1, "{kind}");
    }
    assert_eq!(
        capture.of_kind("vendor_removed")[0].field("vendor"),
        Some("north")
    );
}

#[test]
fn holds_log_placed_confirmed_and_cancelled_with_hold_id() {
    let capture = Capture::default();
    capture.during(|| {
        let office = office(10);
        let vendor = office.add_vendor("north", &[]).unwrap();
        vendor.release("general").unwrap();
        vendor.release("general").unwrap();
        let bob = office.customer("bob", Priority::Regular);
        let kept = bob.reserve(Want::Any).unwrap();
        let dropped = bob.reserve(Want::Any).unwrap();
        kept.confirm().unwrap();
        assert!(dropped.cancel());
        // Confirming a cancelled hold is refused, and logged as such.
        assert!(matches!(
            dropped.confirm(),
            Err(BoxOfficeError::HoldCancelled)
        ));
    });
    let placed = capture.of_kind("hold_placed");
    assert_eq!(placed.len(), 2);
    assert_eq!(placed[0].field("customer"), Some("bob"));
    assert_eq!(placed[0].field("priority"), Some("regular"));
    assert_eq!(placed[0].field("price"), Some("1250"));
    let first_hold = placed[0].field("hold_id").unwrap().to_owned();
    let confirmed = capture.of_kind("hold_confirmed");
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].field("hold_id"), Some(&*first_hold));
    let sold = capture.of_kind("sold");
    assert_eq!(sold.len(), 1);
    assert_eq!(sold[0].field("hold_id"), Some(&*first_hold));
    assert_eq!(capture.of_kind("hold_cancelled").len(), 1);
    let errors = capture.of_kind("error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].level, Level::WARN);
    assert_eq!(errors[0].field("op"), Some("confirm"));
    assert_eq!(errors[0].field("error"), Some("hold was cancelled"));
}

#[test]
fn refusals_are_logged_at_a_level_by_how_unusual_they_are() {
    let capture = Capture::default();
    capture.during(|| {
        let office = office(10);
        let carol = office.customer("carol", Priority::Vip);
        assert!(matches!(
            carol.try_buy(Want::Any),
            Err(BoxOfficeError::Empty)
        ));
        assert!(matches!(
            carol.try_buy("balcony"),
            Err(BoxOfficeError::UnknownTicketType(_))
        ));
        let vendor = office.add_vendor("north", &[]).unwrap();
        assert!(office.add_vendor("north", &[]).is_err());
        office.pause();
        assert!(matches!(
            vendor.try_release("general"),
            Err(BoxOfficeError::Paused)
        ));
        assert!(office.remove_vendor("nobody").is_err());
    });
    let errors = capture.of_kind("error");
    let summary: Vec<_> = errors
        .iter()
        .map(|e| (e.level, e.field("op").unwrap(), e.field("error").unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            (Level::DEBUG, "buy", "no ticket available right now"),
            (Level::WARN, "buy", "unknown ticket type \"balcony\""),
            (Level::WARN, "add_vendor", "vendor \"north\" already exists"),
            (Level::DEBUG, "release", "ticket release is paused"),
            (Level::WARN, "remove_vendor", "unknown vendor \"nobody\""),
        ]
    );
    assert_eq!(errors[0].field("customer"), Some("carol"));
    assert_eq!(errors[3].field("vendor"), Some("north"));
    assert_eq!(errors[3].field("ticket_type"), Some("general"));
}

/// A journal whose disk is full.
struct FailingJournal;

impl Journal for FailingJournal {
    fn record(&self, event: &Event) -> Result<(), JournalError> {
        match event {
            Event::Sold { .. } => Err(JournalError::new("disk full")),
            _ => Ok(()),
        }
    }
    fn flush(&self) -> Result<(), JournalError> {
        Ok(())
    }
}

#[test]
fn a_journal_failure_is_logged_as_an_error_and_no_sale_is_logged() {
    let capture = Capture::default();
    capture.during(|| {
        let config = BoxOfficeConfig::simple("gig", 10, 4, Money::from_minor(100));
        let office = BoxOffice::builder(config)
            .journal(Arc::new(FailingJournal))
            .build()
            .unwrap();
        office
            .add_vendor("north", &[])
            .unwrap()
            .release("general")
            .unwrap();
        let dan = office.customer("dan", Priority::Regular);
        assert!(matches!(
            dan.buy(Want::Any),
            Err(BoxOfficeError::Journal(_))
        ));
    });
    assert!(capture.of_kind("sold").is_empty());
    let errors = capture.of_kind("error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].level, Level::ERROR);
    assert_eq!(errors[0].field("customer"), Some("dan"));
    assert!(errors[0].field("error").unwrap().contains("disk full"));
}

#[test]
fn nothing_is_emitted_to_a_subscriber_that_filters_the_target_out() {
    use tracing_subscriber::filter::filter_fn;
    let capture = Capture::default();
    let layer = capture
        .clone()
        .with_filter(filter_fn(|meta| meta.target() != "ticketpool"));
    tracing::subscriber::with_default(Registry::default().with(layer), || {
        let office = office(10);
        office
            .add_vendor("north", &[])
            .unwrap()
            .release("general")
            .unwrap();
        office
            .customer("eve", Priority::Vip)
            .buy(Want::Any)
            .unwrap();
    });
    assert!(capture.0.lock().unwrap().is_empty());
}
