//! Lease nodes against PostgreSQL (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`): each node sells one event from leased tickets
//! through its own box office, and buyers use the office's customer API.
//! Each test owns a schema, dropped afterwards; without a server the tests
//! say so on stderr and pass, unless `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(feature = "postgres")]

mod lease_support;

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{BoxOfficeError, Event, Money, Notification, Priority, Want};
use ticketpool_persist::{LeaseNode, LeaseNodeConfig, LeaseSizer, PersistError};

use lease_support::{admin, note, office, params, schema, sold_rows, stock, wait_for, Schema};

fn start(schema: &Schema, event: u64, node: &str, config: LeaseNodeConfig) -> LeaseNode {
    LeaseNode::start(&params(), &schema.0, event, node, office(128), config).expect("start")
}

/// `buyers` threads buying from `node`'s office until it closes.
fn buy_until_closed(node: &LeaseNode, buyers: usize, limit: Option<u64>) -> HashMap<String, u64> {
    lease_support::buy_until_closed(&node.office(), node.node(), buyers, limit)
}

/// How many tickets the table says each customer bought.
fn sold_per_customer(schema: &Schema, event: u64) -> HashMap<String, u64> {
    let mut per_customer = HashMap::new();
    for (_, _, customer) in sold_rows(schema, event) {
        *per_customer.entry(customer).or_insert(0) += 1;
    }
    per_customer
}

#[test]
fn three_nodes_sell_an_event_once_and_every_office_closes() {
    let Some(schema) = schema("node_three") else {
        return;
    };
    let event = 1;
    stock(&mut schema.node(), event, 600);
    let nodes: Vec<LeaseNode> = ["n1", "n2", "n3"]
        .into_iter()
        .map(|name| start(&schema, event, name, LeaseNodeConfig::default()))
        .collect();
    let started = Instant::now();
    let acknowledged: Vec<HashMap<String, u64>> = thread::scope(|scope| {
        let runs: Vec<_> = nodes
            .iter()
            .map(|node| scope.spawn(move || buy_until_closed(node, 4, None)))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();

    let table = sold_per_customer(&schema, event);
    let mut total = 0;
    for (node, bought) in nodes.iter().zip(&acknowledged) {
        let sum: u64 = bought.values().sum();
        note(format!(
            "{}: {sum} tickets in {elapsed:?} ({:.0}/s), {} statements",
            node.node(),
            sum as f64 / elapsed.as_secs_f64(),
            node.statements()
        ));
        assert!(node.sold_out(), "{} closed for sell-out", node.node());
        assert_eq!(node.failure().map(|f| f.to_string()), None);
        assert_eq!(
            node.committed(),
            sum,
            "{}: acknowledged == committed",
            node.node()
        );
        for (customer, count) in bought {
            assert_eq!(
                table.get(customer).copied().unwrap_or(0),
                *count,
                "{customer}: the table holds exactly the acknowledged sales"
            );
        }
        total += sum;
    }
    assert_eq!(total, 600, "acknowledged across nodes");
    assert_eq!(sold_rows(&schema, event).len(), 600, "sold in the table");
    assert_eq!(table.values().sum::<u64>(), 600);
    for node in nodes {
        assert_eq!(node.shutdown().unwrap(), 0, "nothing left to hand back");
    }
}

#[test]
fn an_abandoned_nodes_tickets_are_sold_by_the_others_after_expiry() {
    let Some(schema) = schema("node_abandoned") else {
        return;
    };
    let event = 2;
    stock(&mut schema.node(), event, 300);
    // Short, but long enough that a loaded machine does not fence the node
    // before it is abandoned (it renews every third: a renewal up to 2 s
    // late keeps the leases).
    let short = LeaseNodeConfig {
        ttl: Duration::from_secs(3),
        ..LeaseNodeConfig::default()
    };
    let doomed = start(&schema, event, "doomed", short);
    let bought = buy_until_closed(&doomed, 2, Some(5));
    assert_eq!(bought.values().sum::<u64>(), 10);
    doomed.abandon();
    let stranded: i64 = admin()
        .query_one(
            &format!(
                "SELECT count(*) FROM {}.lease_tickets \
                 WHERE event_id = $1 AND state = 1 AND lease_owner = 'doomed'",
                schema.0
            ),
            &[&(event as i64)],
        )
        .unwrap()
        .get(0);
    assert!(stranded > 0, "the abandoned node kept leased tickets");

    let survivors: Vec<LeaseNode> = ["s1", "s2"]
        .into_iter()
        .map(|name| start(&schema, event, name, LeaseNodeConfig::default()))
        .collect();
    let acknowledged: Vec<HashMap<String, u64>> = thread::scope(|scope| {
        let runs: Vec<_> = survivors
            .iter()
            .map(|node| scope.spawn(move || buy_until_closed(node, 3, None)))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let table = sold_per_customer(&schema, event);
    let survivors_sold: u64 = acknowledged.iter().flat_map(|a| a.values()).sum();
    assert_eq!(survivors_sold + 10, 300, "every ticket sold, once");
    assert_eq!(sold_rows(&schema, event).len(), 300);
    for (customer, count) in acknowledged.iter().flatten().chain(&bought) {
        assert_eq!(
            table.get(customer).copied().unwrap_or(0),
            *count,
            "{customer}"
        );
    }
    for node in survivors {
        assert!(node.sold_out());
        node.shutdown().unwrap();
    }
}

#[test]
fn a_clean_shutdown_hands_unsold_tickets_back_at_once() {
    let Some(schema) = schema("node_hand_back") else {
        return;
    };
    let event = 3;
    stock(&mut schema.node(), event, 200);
    let long = LeaseNodeConfig {
        ttl: Duration::from_secs(60),
        ..LeaseNodeConfig::default()
    };
    let node = start(&schema, event, "a", long);
    // One sale: the node has leased a block by then.
    assert_eq!(buy_until_closed(&node, 1, Some(1)).values().sum::<u64>(), 1);
    let handed = node.shutdown().unwrap();
    assert!(handed > 0, "the node held unsold tickets");
    let mut other = schema.node();
    let leased = other
        .lease("b", event, 200, Duration::from_secs(60))
        .unwrap();
    assert_eq!(
        leased.len(),
        199,
        "every unsold ticket leasable without waiting"
    );
}

#[test]
fn group_commits_cost_under_a_tenth_of_a_statement_per_ticket() {
    let Some(schema) = schema("node_statements") else {
        return;
    };
    let event = 4;
    stock(&mut schema.node(), event, 1_280);
    let config = LeaseNodeConfig {
        sizer: LeaseSizer::new(Duration::from_secs(1), 64, 64).unwrap(),
        nodes: 1,
        low_watermark: 32,
        group_size: 32,
        group_wait: Duration::from_millis(20),
        ..LeaseNodeConfig::default()
    };
    let node = start(&schema, event, "steady", config);
    let started = Instant::now();
    let sold: u64 = buy_until_closed(&node, 40, None).values().sum();
    let elapsed = started.elapsed();
    assert_eq!(sold, 1_280);
    assert!(node.sold_out(), "the node sold the whole event itself");
    let per_ticket = node.statements() as f64 / sold as f64;
    note(format!(
        "one node, block 64, groups of 32, 40 buyers: {sold} tickets in {elapsed:?} \
         ({:.0}/s), {} statements, {per_ticket:.3} per ticket",
        sold as f64 / elapsed.as_secs_f64(),
        node.statements()
    ));
    assert!(per_ticket <= 0.1, "{per_ticket} statements per ticket");
    node.shutdown().unwrap();
}

#[test]
fn a_ticket_type_the_office_does_not_sell_is_a_typed_error() {
    let Some(schema) = schema("node_unknown_type") else {
        return;
    };
    let event = 5;
    stock(&mut schema.node(), event, 50);
    let mut only_standard = office(16);
    only_standard.ticket_types.retain(|t| t.name == "standard");
    let node = LeaseNode::start(
        &params(),
        &schema.0,
        event,
        "picky",
        only_standard,
        LeaseNodeConfig::default(),
    )
    .unwrap();
    // The buyer waits until the node gives up and closes its office.
    let bought = buy_until_closed(&node, 1, None);
    assert_eq!(bought.values().sum::<u64>(), 0);
    let failure = node.failure().expect("the node reports why it stopped");
    assert!(
        matches!(
            &*failure,
            PersistError::UnknownLeasedType { ticket_type, .. } if ticket_type == "balcony"
        ),
        "{failure}"
    );
    assert!(failure.to_string().contains("\"balcony\""), "{failure}");
    node.shutdown().unwrap();
    let counts = schema.node().counts(event).unwrap();
    assert_eq!(
        (counts.on_sale, counts.leased),
        (50, 0),
        "the block went back"
    );
}

/// Ends `node`'s live leases in the table, as if it had paused past them,
/// and lets another node lease every unsold ticket.
fn expire_and_steal(schema: &Schema, event: u64, node: &str) -> usize {
    let expired = admin()
        .execute(
            &format!(
                "UPDATE {}.lease_tickets SET lease_expires = now() - interval '1 second' \
                 WHERE event_id = $1 AND lease_owner = $2 AND state = 1",
                schema.0
            ),
            &[&(event as i64), &node],
        )
        .unwrap();
    assert!(expired > 0, "{node} held leases");
    let stolen = schema
        .node()
        .lease("thief", event, 1_000, Duration::from_secs(60))
        .unwrap();
    stolen.len()
}

#[test]
fn a_node_whose_commit_comes_back_lost_acknowledges_nothing_and_stops() {
    let Some(schema) = schema("node_fenced_commit") else {
        return;
    };
    let event = 6;
    stock(&mut schema.node(), event, 100);
    // A long lease: the renewal (every 20 s) does not find the theft first.
    // A low watermark of one: the node leases no second block while the
    // first one's 15 tickets are unsold, so every ticket it has is stolen.
    let long = LeaseNodeConfig {
        ttl: Duration::from_secs(60),
        low_watermark: 1,
        ..LeaseNodeConfig::default()
    };
    let node = start(&schema, event, "paused", long);
    assert_eq!(buy_until_closed(&node, 1, Some(1)).values().sum::<u64>(), 1);
    assert_eq!(expire_and_steal(&schema, event, "paused"), 99);

    let buyer = node.office().customer("late", Priority::Regular);
    let refused = buyer.buy_timeout(Want::Any, Duration::from_secs(60));
    assert!(
        matches!(refused, Err(BoxOfficeError::Journal(_))),
        "the lost sale is refused: {refused:?}"
    );
    assert!(node.fenced());
    assert!(matches!(
        node.failure().as_deref(),
        Some(PersistError::Fenced { lost: 1, .. })
    ));
    assert!(matches!(
        buyer.buy_timeout(Want::Any, Duration::from_secs(60)),
        Err(BoxOfficeError::Closed)
    ));
    assert_eq!(
        sold_rows(&schema, event).len(),
        1,
        "only the committed sale"
    );
    assert_eq!(node.committed(), 1);
    node.shutdown().unwrap();
}

#[test]
fn a_renewal_that_comes_back_short_fences_the_node() {
    let Some(schema) = schema("node_fenced_renew") else {
        return;
    };
    let event = 7;
    stock(&mut schema.node(), event, 100);
    let renewing = LeaseNodeConfig {
        ttl: Duration::from_millis(1_500),
        low_watermark: 1,
        ..LeaseNodeConfig::default()
    };
    let node = start(&schema, event, "renewing", renewing);
    assert_eq!(buy_until_closed(&node, 1, Some(1)).values().sum::<u64>(), 1);
    let events = node.office().subscribe();
    expire_and_steal(&schema, event, "renewing");
    // No buyer: the next renewal (every 500 ms) finds the leases gone.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.next_timeout(left) {
            Some(Notification::Event(Event::Closed)) => break,
            Some(_) => {}
            None => panic!("the office never closed"),
        }
    }
    assert!(node.fenced());
    assert!(matches!(
        node.failure().as_deref(),
        Some(PersistError::Fenced { .. })
    ));
    node.shutdown().unwrap();
}

/// Terminates every connection that last ran one of `schema`'s statements
/// (a node's feeder and committer, when no other connection is open);
/// returns how many.
fn drop_connections(schema: &Schema) -> i64 {
    admin()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE pid <> pg_backend_pid() AND datname = current_database() \
               AND query LIKE '%' || $1 || '.lease_tickets%'",
            &[&schema.0],
        )
        .unwrap()
        .get(0)
}

/// How many tickets `node` holds under a live lease, says the table.
fn live_leases(schema: &Schema, event: u64, node: &str) -> i64 {
    admin()
        .query_one(
            &format!(
                "SELECT count(*) FROM {}.lease_tickets WHERE event_id = $1 AND state = 1 \
                 AND lease_owner = $2 AND lease_expires > now()",
                schema.0
            ),
            &[&(event as i64), &node],
        )
        .unwrap()
        .get(0)
}

#[test]
fn a_node_reconnects_when_the_database_drops_its_connections() {
    let Some(schema) = schema("node_reconnect") else {
        return;
    };
    let event = 8;
    stock(&mut schema.node(), event, 300);
    let node = start(&schema, event, "resilient", LeaseNodeConfig::default());
    let before = buy_until_closed(&node, 3, Some(10));
    assert_eq!(
        drop_connections(&schema),
        2,
        "the feeder's and the committer's connections"
    );
    let after = buy_until_closed(&node, 3, None);
    assert_eq!(node.failure().map(|f| f.to_string()), None);
    assert!(node.sold_out());
    let table = sold_per_customer(&schema, event);
    let mut acknowledged: HashMap<String, u64> = before;
    for (customer, count) in after {
        *acknowledged.entry(customer).or_insert(0) += count;
    }
    assert_eq!(acknowledged.values().sum::<u64>(), 300);
    assert_eq!(
        table, acknowledged,
        "the table holds exactly the acknowledged sales"
    );
    node.shutdown().unwrap();
}

#[test]
fn a_confirmed_hold_is_committed_and_a_cancelled_one_stays_on_sale() {
    let Some(schema) = schema("node_holds") else {
        return;
    };
    let event = 9;
    stock(&mut schema.node(), event, 40);
    let node = start(&schema, event, "holding", LeaseNodeConfig::default());
    let ada = node.office().customer("ada", Priority::Vip);
    let kept = ada
        .reserve_timeout(Want::Any, Duration::from_secs(60))
        .unwrap();
    let dropped = ada
        .reserve_timeout(Want::Any, Duration::from_secs(60))
        .unwrap();
    assert!(sold_rows(&schema, event).is_empty(), "a hold is not a sale");
    let sale = kept.confirm().unwrap();
    assert!(dropped.cancel());
    assert_eq!(
        sold_per_customer(&schema, event),
        HashMap::from([("ada".to_owned(), 1)])
    );
    assert_eq!(node.committed(), 1);
    // The cancelled hold's ticket is still this node's to sell.
    let rest = buy_until_closed(&node, 2, None);
    assert_eq!(rest.values().sum::<u64>(), 39);
    assert_eq!(sold_rows(&schema, event).len(), 40);
    assert_eq!(
        sale.price,
        Money::from_minor(2_000),
        "the office's price is recorded"
    );
    let row = admin()
        .query_one(
            &format!(
                "SELECT price, ticket_id FROM {}.lease_tickets \
                 WHERE event_id = $1 AND customer = 'ada'",
                schema.0
            ),
            &[&(event as i64)],
        )
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 2_000);
    // The hold and the sale name the ticket as the table does.
    let table_id = row.get::<_, i64>(1) as u64;
    assert_eq!((kept.ticket().id.0, sale.ticket.id.0), (table_id, table_id));
    node.shutdown().unwrap();
}

#[test]
fn a_lease_the_node_never_heard_of_runs_out_while_it_renews_and_sells() {
    let Some(schema) = schema("node_unknown_lease") else {
        return;
    };
    let event = 10;
    stock(&mut schema.node(), event, 200);
    let ttl = Duration::from_secs(2);
    // Leased under the node's name on another connection: what a lease
    // whose answer was lost leaves behind. T1, the lowest.
    let unknown = schema.node().lease("forgetful", event, 1, ttl).unwrap();
    // One block of 16 (T2..T17), and no second one while this test sells.
    let config = LeaseNodeConfig {
        ttl,
        low_watermark: 1,
        ..LeaseNodeConfig::default()
    };
    let node = start(&schema, event, "forgetful", config);
    assert_eq!(buy_until_closed(&node, 1, Some(2)).values().sum::<u64>(), 2);
    // Past the unknown lease's expiry and a whole ttl more: the node's own
    // block, leased after it, lives only by the node's renewals.
    let mut clock = admin();
    wait_for("two leases' time on the database clock", || {
        clock
            .query_one(
                "SELECT now() > $1::timestamptz + interval '2 seconds'",
                &[&unknown[0].expires],
            )
            .unwrap()
            .get(0)
    });
    let taken = schema
        .node()
        .lease("other", event, 1, Duration::from_secs(60))
        .unwrap();
    assert_eq!(
        taken.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![unknown[0].id],
        "the unknown lease ran out and went to another node"
    );
    assert_eq!(live_leases(&schema, event, "forgetful"), 14, "its own kept");
    assert_eq!(buy_until_closed(&node, 1, Some(3)).values().sum::<u64>(), 3);
    assert!(!node.fenced(), "the unknown lease does not fence it");
    assert_eq!(node.failure().map(|f| f.to_string()), None);
    assert_eq!(node.committed(), 5);
    assert_eq!(node.shutdown().unwrap(), 11);
}

#[test]
fn after_a_lease_fails_the_node_hands_back_what_it_did_not_know_it_held() {
    let Some(schema) = schema("node_lost_answer") else {
        return;
    };
    let event = 11;
    stock(&mut schema.node(), event, 40);
    // A long unknown lease: only a hand-back frees T1 within the test.
    let unknown = schema
        .node()
        .lease("amnesiac", event, 1, Duration::from_secs(600))
        .unwrap();
    let node = start(&schema, event, "amnesiac", LeaseNodeConfig::default());
    let before = buy_until_closed(&node, 1, Some(1));
    // The feeder's next lease fails (its connection is gone): it reconnects
    // and hands back the leases it does not know, as after a lost answer.
    // (A connection closed just before may still be listed: at least 2.)
    assert!(drop_connections(&schema) >= 2);
    let after = buy_until_closed(&node, 2, None);
    assert_eq!(node.failure().map(|f| f.to_string()), None);
    assert!(node.sold_out());
    let sold = sold_rows(&schema, event);
    assert_eq!(sold.len(), 40);
    assert!(sold
        .iter()
        .any(|(ticket, owner, _)| *ticket == unknown[0].id.0 && owner == "amnesiac"));
    let acknowledged: u64 = before.values().chain(after.values()).sum();
    assert_eq!(acknowledged, 40);
    node.shutdown().unwrap();
}

#[test]
fn a_lease_costs_the_node_one_statement_whatever_the_events_size() {
    let Some(schema) = schema("node_lease_cost") else {
        return;
    };
    let event = 12;
    stock(&mut schema.node(), event, 20_000);
    // No renewal during the test; blocks of the minimum 16.
    let config = LeaseNodeConfig {
        ttl: Duration::from_secs(600),
        ..LeaseNodeConfig::default()
    };
    let node = start(&schema, event, "frugal", config);
    wait_for("the first block", || {
        node.statements() >= 2 && live_leases(&schema, event, "frugal") == 16
    });
    let first = node.statements();
    assert_eq!(
        first, 2,
        "the start's one count of the event, then one lease"
    );
    // One sale takes the office below its low watermark: a second block.
    assert_eq!(buy_until_closed(&node, 1, Some(1)).values().sum::<u64>(), 1);
    wait_for("the second block", || {
        node.statements() >= first + 2 && live_leases(&schema, event, "frugal") == 31
    });
    assert_eq!(
        node.statements() - first,
        2,
        "one commit and one lease, no count of 20,000 rows"
    );
    node.shutdown().unwrap();
}
