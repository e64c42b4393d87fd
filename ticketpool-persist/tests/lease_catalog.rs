//! Catalogs in lease mode against PostgreSQL (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`): two catalogs on one schema, each a node with its
//! own name, sell the same event out of `lease_tickets`. Each test owns its
//! schemas, dropped afterwards; without a server the tests say so on
//! stderr and pass, unless `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(all(feature = "postgres", feature = "catalog"))]

mod lease_support;

use std::collections::{HashMap, HashSet};

use ticketpool_catalog::{
    Catalog, CatalogOptions, DisplayZone, EventId, NewEvent, NewVenue, VenueId,
};
use ticketpool_core::{BoxOfficeConfig, Money, TicketTypeConfig};
use ticketpool_persist::lease::lease_type_counts;
use ticketpool_persist::{CatalogPg, LeaseNode, LeaseNodeConfig};

use lease_support::{admin, buy_until_closed, params, schema, sold_rows, wait_for, Schema};

/// The catalog's schema and the lease schema beside it, both dropped.
struct Home {
    prefix: Schema,
    leases: Schema,
}

impl Home {
    fn new(test: &str) -> Option<Self> {
        let prefix = schema(test)?;
        let leases = Schema(format!("{}_lease", prefix.0));
        Some(Self { prefix, leases })
    }

    /// Node `node`'s catalog.
    fn open(&self, node: &str) -> (CatalogPg, Catalog) {
        let config = LeaseNodeConfig {
            nodes: 2,
            ..LeaseNodeConfig::default()
        };
        let home = CatalogPg::new(&params(), &self.prefix.0)
            .unwrap()
            .with_lease_node(node, config)
            .unwrap();
        let catalog = home.open(CatalogOptions::default()).unwrap();
        (home, catalog)
    }
}

/// An event of `total` tickets: `vip` (a quota of 40) and `general`.
fn office(total: u64) -> BoxOfficeConfig {
    let mut config = BoxOfficeConfig::simple("gig", total, 64, Money::from_minor(2_000));
    config.ticket_types.push(TicketTypeConfig {
        name: "vip".into(),
        price: Money::from_minor(9_000),
        quota: Some(40),
        capacity: None,
    });
    config
}

/// A new event of `total` tickets, on sale.
fn on_sale(catalog: &Catalog, total: u64) -> EventId {
    let venue: VenueId = catalog
        .add_venue(NewVenue {
            name: "Hall".into(),
            city: "Lyon".into(),
            capacity: 1_000,
        })
        .unwrap();
    let id = catalog
        .create_event(NewEvent {
            name: "gig".into(),
            description: String::new(),
            performers: Vec::new(),
            venue,
            starts_at: "2030-09-14T18:30:00Z".parse().unwrap(),
            time_zone: DisplayZone::utc(),
            categories: Vec::new(),
            office: office(total),
        })
        .unwrap();
    catalog.put_on_sale(id).unwrap();
    id
}

/// Tickets each node sold, as the table says.
fn sold_per_node(rows: &[(u64, String, String)]) -> HashMap<String, u64> {
    let mut per_node = HashMap::new();
    for (_, node, _) in rows {
        *per_node.entry(node.clone()).or_insert(0) += 1;
    }
    per_node
}

/// Both catalogs' buyers, at once, until both offices end their sale as
/// sold out (buyers hear `SoldOut`, not `Closed`).
fn buy_on_both(a: &Catalog, b: &Catalog, id: EventId) -> (u64, u64) {
    let (office_a, office_b) = (a.office(id).unwrap(), b.office(id).unwrap());
    let (bought_a, bought_b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| buy_until_closed(&office_a, "a", 3, None));
        let b = scope.spawn(|| buy_until_closed(&office_b, "b", 3, None));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(office_a.is_sold_out() && office_b.is_sold_out());
    assert!(!office_a.is_closed() && !office_b.is_closed());
    (bought_a.values().sum(), bought_b.values().sum())
}

#[test]
fn two_catalogs_sell_one_event_once_and_both_end_sold_out() {
    let Some(home) = Home::new("lc_two") else {
        return;
    };
    let total = 300;
    let (_, a) = home.open("node-a");
    let id = on_sale(&a, total);
    // The second node finds the event on sale and stocks nothing more.
    let (_, b) = home.open("node-b");
    let (bought_a, bought_b) = buy_on_both(&a, &b, id);

    let rows = sold_rows(&home.leases, id.0);
    let ids: HashSet<u64> = rows.iter().map(|(ticket, _, _)| *ticket).collect();
    assert_eq!((rows.len() as u64, ids.len() as u64), (total, total));
    let per_node = sold_per_node(&rows);
    assert_eq!(per_node.get("node-a").copied().unwrap_or(0), bought_a);
    assert_eq!(per_node.get("node-b").copied().unwrap_or(0), bought_b);
    assert_eq!(bought_a + bought_b, total);

    // The split the docs promise: the quota, then the rest.
    let per_type: Vec<i64> = ["general", "vip"]
        .iter()
        .map(|kind| {
            admin()
                .query_one(
                    &format!(
                        "SELECT count(*) FROM {}.lease_tickets WHERE event_id = $1 \
                         AND ticket_type = $2",
                        home.leases.0
                    ),
                    &[&(id.0 as i64), kind],
                )
                .unwrap()
                .get(0)
        })
        .collect();
    assert_eq!(lease_type_counts(&office(total)), vec![260, 40]);
    assert_eq!(per_type, vec![260, 40]);
}

#[test]
fn a_restarted_node_keeps_its_sales_and_shows_them_as_my_tickets() {
    let Some(home) = Home::new("lc_restart") else {
        return;
    };
    let total = 200;
    let (_, a) = home.open("node-a");
    let id = on_sale(&a, total);
    let early = buy_until_closed(&a.office(id).unwrap(), "early", 2, Some(10));
    assert_eq!(early.values().sum::<u64>(), 20);
    // A clean stop hands the unsold leases back; the sales stay.
    drop(a);
    let leases = &home.leases;
    assert_eq!(sold_rows(leases, id.0).len(), 20);

    let (home_a, a) = home.open("node-a");
    let (_, b) = home.open("node-b");
    let (bought_a, bought_b) = buy_on_both(&a, &b, id);
    assert_eq!(20 + bought_a + bought_b, total);
    let rows = sold_rows(leases, id.0);
    let ids: HashSet<u64> = rows.iter().map(|(ticket, _, _)| *ticket).collect();
    assert_eq!((rows.len() as u64, ids.len() as u64), (total, total));
    assert_eq!(sold_per_node(&rows)["node-a"], 20 + bought_a);

    // "My tickets" reads them from the lease table, newest first.
    let mine = home_a.my_tickets(&[id], "early-b0", 100).unwrap();
    assert_eq!(mine.len(), 10);
    assert!(mine
        .iter()
        .all(|t| t.event == id && t.booked.vendor == "node-a"));
    assert!(mine.iter().all(|t| t.booked.event == "gig"));
    assert!(mine
        .windows(2)
        .all(|w| w[0].booked.sold_at >= w[1].booked.sold_at));
    drop((a, b));
    // Both nodes stopped; nothing is left leased.
    wait_for("no leases left", || {
        admin()
            .query_one(
                &format!(
                    "SELECT count(*) FROM {}.lease_tickets WHERE state = 1",
                    leases.0
                ),
                &[],
            )
            .unwrap()
            .get::<_, i64>(0)
            == 0
    });
}

#[test]
fn a_node_restarted_after_a_kill_sells_what_its_predecessor_leased() {
    let Some(home) = Home::new("lc_kill") else {
        return;
    };
    let total = 100;
    let (_, a) = home.open("node-a");
    let id = on_sale(&a, total);
    drop(a);
    // A node-a that dies holding long leases (no hand-back).
    let long = LeaseNodeConfig {
        ttl: std::time::Duration::from_secs(600),
        ..LeaseNodeConfig::default()
    };
    let killed = LeaseNode::start(
        &params(),
        &home.leases.0,
        id.0,
        "node-a",
        office(total),
        long,
    )
    .unwrap();
    let leased = || {
        admin()
            .query_one(
                &format!(
                    "SELECT count(*) FROM {}.lease_tickets WHERE state = 1",
                    home.leases.0
                ),
                &[],
            )
            .unwrap()
            .get::<_, i64>(0)
    };
    wait_for("the doomed node's lease", || leased() > 0);
    killed.abandon();
    // Its successor takes those tickets back at start and sells them all,
    // long before the leases would expire.
    let (_, a) = home.open("node-a");
    let bought = buy_until_closed(&a.office(id).unwrap(), "a", 2, None);
    assert_eq!(bought.values().sum::<u64>(), total);
    assert_eq!(sold_rows(&home.leases, id.0).len() as u64, total);
}
