//! Shared by the PostgreSQL lease tests: a schema per test (dropped
//! afterwards, skipped without a server), stocking, selling, polling.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Once};
use std::thread;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};
use ticketpool_core::{
    BoxOffice, BoxOfficeConfig, BoxOfficeError, Money, Priority, TicketId, TicketTypeConfig, Want,
};
use ticketpool_persist::{LeaseInventory, LeasedTicket, SaleToCommit, StockTicket};

pub mod seats;

/// The server: `TICKETPOOL_PG_URL` or the local test database.
pub fn params() -> String {
    std::env::var("TICKETPOOL_PG_URL")
        .unwrap_or_else(|_| "host=127.0.0.1 user=postgres dbname=test connect_timeout=3".into())
}

/// A plain connection, for checks behind the inventory's back.
pub fn admin() -> Client {
    Client::connect(&params(), NoTls).expect("server went away")
}

/// A schema of its own for one test, dropped afterwards.
pub struct Schema(pub String);

impl Schema {
    /// A node's connection.
    pub fn node(&self) -> LeaseInventory {
        LeaseInventory::connect(&params(), &self.0).expect("connect")
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&params(), NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.0));
        }
    }
}

static SKIP_NOTICE: Once = Once::new();

/// A fresh schema for `test`, or `None` (with a notice) without a server.
pub fn schema(test: &str) -> Option<Schema> {
    if let Err(err) = Client::connect(&params(), NoTls) {
        if std::env::var_os("TICKETPOOL_PG_REQUIRED").is_some_and(|v| v == "1") {
            panic!("TICKETPOOL_PG_REQUIRED=1 but PostgreSQL is unreachable: {err}");
        }
        SKIP_NOTICE.call_once(|| {
            let _ = writeln!(
                std::io::stderr().lock(),
                "SKIPPED: PostgreSQL lease tests: no server at `{}` ({err})",
                params()
            );
        });
        return None;
    }
    let name: String = format!("tl_{}_{test}", std::process::id())
        .chars()
        .take(63)
        .collect();
    admin()
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
        .unwrap();
    Some(Schema(name))
}

/// Tickets T1..=T`tickets` on sale for `event`.
pub fn stock(inventory: &mut LeaseInventory, event: u64, tickets: u64) {
    let stock: Vec<StockTicket> = (1..=tickets)
        .map(|id| StockTicket {
            id: TicketId(id),
            ticket_type: if id % 2 == 0 { "standard" } else { "balcony" }.into(),
            base_price: Money::from_minor(1_000 + id as i64),
        })
        .collect();
    assert_eq!(inventory.stock(event, &stock).unwrap(), tickets);
}

/// Each leased ticket sold to a customer named after the node.
pub fn sales(node: &str, leased: &[LeasedTicket]) -> Vec<SaleToCommit> {
    leased
        .iter()
        .map(|t| SaleToCommit {
            ticket: t.id,
            customer: format!("{node}-buyer-{}", t.id.0),
            price: t.base_price,
        })
        .collect()
}

/// The leased tickets' ids.
pub fn ids(leased: &[LeasedTicket]) -> HashSet<TicketId> {
    leased.iter().map(|t| t.id).collect()
}

/// Polls `done` until it holds; fails after a generous deadline.
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Who the table says sold each ticket of `event`: (ticket, node, customer).
pub fn sold_rows(schema: &Schema, event: u64) -> Vec<(u64, String, String)> {
    admin()
        .query(
            &format!(
                "SELECT ticket_id, lease_owner, customer FROM {}.lease_tickets \
                 WHERE event_id = $1 AND state = 2 ORDER BY ticket_id",
                schema.0
            ),
            &[&(event as i64)],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get::<_, i64>(0) as u64, r.get(1), r.get(2)))
        .collect()
}

/// The leased tickets' ids, lowest first.
pub fn ids_in_order(leased: &[LeasedTicket]) -> Vec<TicketId> {
    leased.iter().map(|t| t.id).collect()
}

/// An office selling the two types [`stock`] puts on sale, `capacity`
/// tickets in it at once.
pub fn office(capacity: usize) -> BoxOfficeConfig {
    let mut config = BoxOfficeConfig::simple("gig", 1, capacity, Money::from_minor(1_000));
    config.ticket_types = ["standard", "balcony"]
        .into_iter()
        .map(|name| TicketTypeConfig {
            name: name.into(),
            price: Money::from_minor(2_000),
            quota: None,
            capacity: None,
        })
        .collect();
    config
}

/// A line on stderr, for figures a test reports (`--nocapture`).
pub fn note(line: String) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// `buyers` threads (customers `<who>-b<n>`) buying from `office` until it
/// closes or each bought `limit`; returns each customer's acknowledged
/// purchases. A buyer that never sees its office close fails the test
/// instead of hanging it.
pub fn buy_until_closed(
    office: &Arc<BoxOffice>,
    who: &str,
    buyers: usize,
    limit: Option<u64>,
) -> HashMap<String, u64> {
    thread::scope(|scope| {
        let handles: Vec<_> = (0..buyers)
            .map(|b| {
                let customer = format!("{who}-b{b}");
                let office = Arc::clone(office);
                scope.spawn(move || {
                    let buyer = office.customer(&customer, Priority::Regular);
                    let deadline = Instant::now() + Duration::from_secs(120);
                    let mut bought = 0_u64;
                    while limit.is_none_or(|limit| bought < limit) {
                        assert!(Instant::now() < deadline, "{customer}: office never closed");
                        match buyer.buy_timeout(Want::Any, Duration::from_millis(100)) {
                            Ok(_) => bought += 1,
                            Err(BoxOfficeError::Timeout) => {}
                            Err(BoxOfficeError::Closed | BoxOfficeError::SoldOut) => break,
                            Err(other) => panic!("{customer}: {other}"),
                        }
                    }
                    (customer, bought)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
