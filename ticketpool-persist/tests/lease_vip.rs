//! What a VIP gets on lease nodes (PostgreSQL at 127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`; skipped with a notice without a server unless
//! `TICKETPOOL_PG_REQUIRED=1`).
//!
//! Within a node the office's VIP rule holds: tickets that arrive while
//! VIPs wait go to the VIPs. Across nodes there is no shared line: a VIP
//! waiting on one node and a Regular waiting on another each get what
//! their own node leases, so the VIPs' share follows how the leases split.
//! The tests hold every ticket back (leased by a blocker) until all buyers
//! wait, then let them go at once, the flash sale's opening moment.
#![cfg(feature = "postgres")]

mod lease_support;

use std::thread;
use std::time::Duration;

use ticketpool_core::{BoxOfficeError, Priority, Want};
use ticketpool_persist::{LeaseInventory, LeaseNode, LeaseNodeConfig};

use lease_support::{note, office, params, schema, sold_rows, stock, wait_for, Schema};

/// Tickets per round, and buyers of each priority.
const TICKETS: u64 = 20;

fn config(nodes: u32) -> LeaseNodeConfig {
    LeaseNodeConfig {
        nodes,
        // Leases pick the freed tickets up soon after the opening.
        max_backoff: Duration::from_millis(20),
        ..LeaseNodeConfig::default()
    }
}

/// Event `event` stocked with [`TICKETS`], every one leased by a blocker
/// that hands them back when told: no node can sell before then.
fn held_back(schema: &Schema, event: u64) -> LeaseInventory {
    let mut blocker = schema.node();
    stock(&mut blocker, event, TICKETS);
    let leased = blocker
        .lease("blocker", event, TICKETS as u32, Duration::from_secs(120))
        .unwrap();
    assert_eq!(leased.len() as u64, TICKETS);
    blocker
}

fn start(schema: &Schema, event: u64, node: &str, nodes: u32) -> LeaseNode {
    LeaseNode::start(&params(), &schema.0, event, node, office(64), config(nodes)).expect("start")
}

/// One buyer per `(node, priority)` in `buyers`, each waiting for one
/// ticket; once all of them wait, the blocker lets the tickets go. Returns
/// how many VIPs and Regulars bought. Every buyer must get an answer: a
/// ticket, or sold out / closed once the event is (nobody left waiting).
fn opening(
    blocker: &mut LeaseInventory,
    event: u64,
    buyers: &[(&LeaseNode, Priority)],
) -> (u64, u64) {
    thread::scope(|scope| {
        let handles: Vec<_> = buyers
            .iter()
            .enumerate()
            .map(|(i, &(node, priority))| {
                let office = node.office();
                let customer = format!("{}-{priority:?}-{i}", node.node());
                scope.spawn(move || {
                    let buyer = office.customer(&customer, priority);
                    match buyer.buy_timeout(Want::Any, Duration::from_secs(120)) {
                        Ok(_) => Some(priority),
                        Err(BoxOfficeError::SoldOut | BoxOfficeError::Closed) => None,
                        Err(other) => panic!("{customer} was left with {other}"),
                    }
                })
            })
            .collect();
        let mut nodes: Vec<&LeaseNode> = buyers.iter().map(|(node, _)| *node).collect();
        nodes.dedup_by(|a, b| a.node() == b.node());
        wait_for("every buyer in line", || {
            let waiting: u64 = nodes
                .iter()
                .map(|node| {
                    let seen = node.office().snapshot();
                    seen.waiting_vip + seen.waiting_regular
                })
                .sum();
            waiting == buyers.len() as u64
        });
        assert_eq!(blocker.hand_back_all("blocker", event).unwrap(), TICKETS);
        let bought: Vec<Priority> = handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect();
        let vips = bought.iter().filter(|p| **p == Priority::Vip).count() as u64;
        (vips, bought.len() as u64 - vips)
    })
}

#[test]
fn within_a_node_the_vips_waiting_get_every_ticket_that_arrives() {
    let Some(schema) = schema("vip_one_node") else {
        return;
    };
    let event = 1;
    let mut blocker = held_back(&schema, event);
    let node = start(&schema, event, "solo", 1);
    let mut buyers = vec![(&node, Priority::Regular); TICKETS as usize];
    buyers.extend(vec![(&node, Priority::Vip); TICKETS as usize]);

    let (vips, regulars) = opening(&mut blocker, event, &buyers);

    assert_eq!(
        (vips, regulars),
        (TICKETS, 0),
        "the VIPs waiting come first"
    );
    assert_eq!(sold_rows(&schema, event).len() as u64, TICKETS);
    node.shutdown().unwrap();
}

#[test]
fn across_nodes_vips_get_what_their_own_node_leases() {
    let Some(schema) = schema("vip_two_nodes") else {
        return;
    };
    let mut shares = Vec::new();
    for event in 1..=3 {
        let mut blocker = held_back(&schema, event);
        let vip_node = start(&schema, event, &format!("vips{event}"), 2);
        let regular_node = start(&schema, event, &format!("regulars{event}"), 2);
        let mut buyers = vec![(&vip_node, Priority::Vip); TICKETS as usize];
        buyers.extend(vec![(&regular_node, Priority::Regular); TICKETS as usize]);

        let (vips, regulars) = opening(&mut blocker, event, &buyers);

        // Every ticket sold once, and to someone who asked for it; each
        // side got what its node leased, with no cross-node priority.
        let rows = sold_rows(&schema, event);
        assert_eq!(rows.len() as u64, TICKETS);
        assert_eq!(vips + regulars, TICKETS);
        for (_, node, customer) in &rows {
            assert!(
                customer.starts_with(node.as_str()),
                "{customer} sold by {node}"
            );
        }
        shares.push(vips);
        vip_node.shutdown().unwrap();
        regular_node.shutdown().unwrap();
    }
    note(format!(
        "VIPs on one node against Regulars on another: VIPs bought {shares:?} of {TICKETS} per round"
    ));
}
