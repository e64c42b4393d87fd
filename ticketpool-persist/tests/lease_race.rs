//! Leases expiring in the middle of sales: nodes that pause past their
//! lease (a GC pause, a stalled machine) race the nodes that take their
//! tickets over. Whatever the timing, no ticket is recorded twice, the
//! table holds exactly the sales the nodes were told committed, and the
//! event sells out. Seeded: `TICKETPOOL_LEASE_SEED` replays a run.
#![cfg(feature = "postgres")]

mod lease_support;

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::TicketId;

use lease_support::{sales, schema, sold_rows, stock, Schema};

/// What one node was told: committed and lost sales.
struct NodeRun {
    node: String,
    committed: Vec<TicketId>,
    lost: Vec<TicketId>,
}

/// Sells until sold out with short leases, pausing past the lease before
/// some groups (always before the first one).
fn pausing_node(schema: &Schema, node: &str, event: u64, seed: u64, ttl: Duration) -> NodeRun {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut inventory = schema.node();
    let mut run = NodeRun {
        node: node.to_owned(),
        committed: Vec::new(),
        lost: Vec::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while !inventory.sold_out(event).unwrap() {
        assert!(
            Instant::now() < deadline,
            "{node}: never sold out (seed {seed})"
        );
        let leased = inventory.lease(node, event, 16, ttl).unwrap();
        if leased.is_empty() {
            // The rest is leased by others: poll until it sells or expires.
            thread::sleep(Duration::from_millis(2));
            continue;
        }
        for group in sales(node, &leased).chunks(8) {
            // A pause past the lease is a slow node, not synchronisation:
            // its sales must come back lost.
            if (run.committed.is_empty() && run.lost.is_empty()) || rng.u8(..4) == 0 {
                thread::sleep(ttl * 3 / 2);
            }
            let outcome = inventory.commit_sales(node, event, group).unwrap();
            assert_eq!(outcome.committed.len() + outcome.lost.len(), group.len());
            run.committed.extend(outcome.committed);
            run.lost.extend(outcome.lost);
        }
    }
    run
}

#[test]
fn leases_expiring_mid_sale_never_sell_a_ticket_twice() {
    let Some(schema) = schema("race") else { return };
    let seed = std::env::var("TICKETPOOL_LEASE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let (event, tickets) = (8, 600);
    stock(&mut schema.node(), event, tickets);
    let ttl = Duration::from_millis(100);
    let runs: Vec<NodeRun> = thread::scope(|scope| {
        let nodes: Vec<_> = (0..3_u64)
            .map(|i| {
                let schema = &schema;
                let node = format!("r{i}");
                scope.spawn(move || pausing_node(schema, &node, event, seed + i, ttl))
            })
            .collect();
        nodes.into_iter().map(|n| n.join().unwrap()).collect()
    });

    let mut told: HashMap<u64, &str> = HashMap::new();
    for run in &runs {
        assert!(
            !run.lost.is_empty(),
            "{}: its first pause must lose (seed {seed})",
            run.node
        );
        for ticket in &run.committed {
            if let Some(other) = told.insert(ticket.0, &run.node) {
                panic!(
                    "{ticket} acknowledged by {other} and {} (seed {seed})",
                    run.node
                );
            }
        }
    }
    let rows = sold_rows(&schema, event);
    assert_eq!(rows.len() as u64, tickets, "sold out (seed {seed})");
    assert_eq!(
        told.len() as u64,
        tickets,
        "every sale acknowledged once (seed {seed})"
    );
    for (ticket, owner, customer) in rows {
        let node = told[&ticket];
        assert_eq!(
            owner, node,
            "T{ticket}: the table and the acknowledgement agree (seed {seed})"
        );
        assert_eq!(customer, format!("{node}-buyer-{ticket}"));
    }
    let lost: usize = runs.iter().map(|r| r.lost.len()).sum();
    eprintln!("lease race (seed {seed}): {tickets} sold, {lost} sales lost to expiry and resold");
}
