//! Events sharded by id over two PostgreSQL databases (the test server's
//! database and one the test creates and drops): each event's tickets
//! live, lease and sell in its own database only, and a node sells events
//! from both. Skipped with a notice without a server unless
//! `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(feature = "postgres")]

mod lease_support;

use std::collections::HashSet;
use std::time::Duration;

use postgres::{Client, NoTls};
use ticketpool_core::{BoxOfficeError, Priority, Want};
use ticketpool_persist::{LeaseNodeConfig, LeaseShard, LeaseShards, PersistError};

use lease_support::{admin, office, params, schema, stock};

/// A database of the test's own on the same server, dropped afterwards.
struct Database {
    name: String,
}

impl Database {
    fn create(test: &str) -> Self {
        let name = format!("tl_{}_{test}", std::process::id());
        let mut client = admin();
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        Self { name }
    }

    /// The test server's parameters, with this database instead (rebuilt
    /// as key=value text, since the server's may be a URL).
    fn params(&self) -> String {
        let base: postgres::Config = params().parse().unwrap();
        let host = match base.get_hosts().first() {
            Some(postgres::config::Host::Tcp(host)) => host.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = base.get_ports().first().copied().unwrap_or(5432);
        let user = base.get_user().unwrap_or("postgres");
        let password = base
            .get_password()
            .map(|p| format!(" password='{}'", String::from_utf8_lossy(p)))
            .unwrap_or_default();
        format!(
            "host={host} port={port} user={user}{password} dbname={} connect_timeout=3",
            self.name
        )
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&params(), NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The events whose rows `client`'s `schema.lease_tickets` holds, and how
/// many of its tickets are sold.
fn events_in(client: &mut Client, schema: &str) -> (HashSet<u64>, i64) {
    let events = client
        .query(
            &format!("SELECT DISTINCT event_id FROM {schema}.lease_tickets"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get::<_, i64>(0) as u64)
        .collect();
    let sold = client
        .query_one(
            &format!("SELECT count(*) FROM {schema}.lease_tickets WHERE state = 2"),
            &[],
        )
        .unwrap()
        .get(0);
    (events, sold)
}

#[test]
fn each_event_sells_from_its_own_database() {
    let Some(schema) = schema("shards") else {
        return;
    };
    let second = Database::create("shards");
    let shards = LeaseShards::new(vec![
        LeaseShard {
            params: params(),
            schema: schema.0.clone(),
        },
        LeaseShard {
            params: second.params(),
            schema: schema.0.clone(),
        },
    ])
    .unwrap();
    // Events 2 and 4 on the first database, 3 on the second.
    for event in [2, 3, 4] {
        stock(&mut shards.inventory(event).unwrap(), event, 30);
    }
    let config = LeaseNodeConfig {
        nodes: 1,
        ..LeaseNodeConfig::default()
    };
    let nodes: Vec<_> = [2, 3, 4]
        .into_iter()
        .map(|event| {
            (
                event,
                shards
                    .start_node(event, "node-a", office(64), config)
                    .unwrap(),
            )
        })
        .collect();
    for (event, node) in &nodes {
        let buyer = node
            .office()
            .customer(&format!("fan-{event}"), Priority::Regular);
        for _ in 0..30 {
            buyer
                .buy_timeout(Want::Any, Duration::from_secs(60))
                .unwrap();
        }
        // Sold out across the cluster, so nobody is left waiting.
        let after = buyer.buy_timeout(Want::Any, Duration::from_secs(60));
        assert!(
            matches!(after, Err(BoxOfficeError::SoldOut | BoxOfficeError::Closed)),
            "event {event}: {after:?}"
        );
    }
    for (_, node) in nodes {
        node.shutdown().unwrap();
    }

    let (first_events, first_sold) = events_in(&mut admin(), &schema.0);
    let mut other = Client::connect(&second.params(), NoTls).unwrap();
    let (second_events, second_sold) = events_in(&mut other, &schema.0);
    assert_eq!(first_events, HashSet::from([2, 4]));
    assert_eq!(first_sold, 60);
    assert_eq!(second_events, HashSet::from([3]));
    assert_eq!(second_sold, 30);
    // The schema lives in the first database (dropped by `schema`); the
    // second database goes whole.
    drop(other);
}

#[test]
fn a_bad_list_of_shards_is_refused_in_words() {
    let shard = LeaseShard {
        params: params(),
        schema: "tickets".into(),
    };
    let empty = LeaseShards::new(vec![]).unwrap_err();
    assert!(matches!(empty, PersistError::LeaseRequest(_)), "{empty}");
    assert!(
        empty.to_string().contains("at least one database"),
        "{empty}"
    );

    let twice = LeaseShards::new(vec![shard.clone(), shard.clone()]).unwrap_err();
    assert!(twice.to_string().contains("repeats"), "{twice}");

    let bad_schema = LeaseShard {
        schema: "Tickets; DROP".into(),
        ..shard
    };
    let bad = LeaseShards::new(vec![bad_schema]).unwrap_err();
    assert!(matches!(bad, PersistError::Config(_)), "{bad}");
}
