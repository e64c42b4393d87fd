//! Ticket leases against PostgreSQL (127.0.0.1:5432, or
//! `TICKETPOOL_PG_URL`): several nodes, each on its own connection, selling
//! one event. Each test owns a schema, dropped afterwards. Without a server
//! the tests say so on stderr and pass, unless `TICKETPOOL_PG_REQUIRED=1`.
#![cfg(feature = "postgres")]

mod lease_support;

use std::collections::HashSet;
use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{Money, TicketId};
use ticketpool_persist::{
    DemandRate, LeaseInventory, LeaseSizer, LeasedTicket, PersistError, SaleToCommit, StockTicket,
};

use lease_support::{
    admin, ids, ids_in_order, params, sales, schema, sold_rows, stock, wait_for, Schema,
};
/// One node's selling loop: sized leases, groups of 32, until sold out.
/// Returns the tickets it committed.
fn sell_until_sold_out(schema: &Schema, node: &str, event: u64, nodes: u32) -> Vec<TicketId> {
    let mut inventory = schema.node();
    let sizer = LeaseSizer::new(Duration::from_millis(500), 16, 128).unwrap();
    let mut demand = DemandRate::new(Duration::from_millis(500));
    let mut committed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < deadline,
            "{node}: the event never sold out"
        );
        let counts = inventory.counts(event).unwrap();
        if counts.sold == counts.total {
            return committed;
        }
        let block = sizer.block(demand.per_sec(), counts.unsold(), nodes);
        let started = Instant::now();
        let leased = inventory
            .lease(node, event, block, Duration::from_secs(60))
            .unwrap();
        if leased.is_empty() {
            // Every unsold ticket is leased by another node, which is
            // selling it: poll again.
            thread::sleep(Duration::from_millis(1));
            continue;
        }
        for group in sales(node, &leased).chunks(32) {
            let outcome = inventory.commit_sales(node, event, group).unwrap();
            assert!(outcome.lost.is_empty(), "{node} lost {:?}", outcome.lost);
            committed.extend(outcome.committed);
        }
        demand.record(leased.len() as u64, started.elapsed());
    }
}

#[test]
fn three_nodes_sell_every_ticket_of_an_event_exactly_once() {
    let Some(schema) = schema("three_nodes") else {
        return;
    };
    let event = 1;
    stock(&mut schema.node(), event, 2_000);
    let sold: Vec<(String, Vec<TicketId>)> = thread::scope(|scope| {
        let nodes: Vec<_> = ["n1", "n2", "n3"]
            .into_iter()
            .map(|node| {
                let schema = &schema;
                scope.spawn(move || (node.to_owned(), sell_until_sold_out(schema, node, event, 3)))
            })
            .collect();
        nodes.into_iter().map(|n| n.join().unwrap()).collect()
    });

    let mut all = HashSet::new();
    for (node, tickets) in &sold {
        for ticket in tickets {
            assert!(
                all.insert(*ticket),
                "{ticket} committed twice (again by {node})"
            );
        }
    }
    assert_eq!(all.len(), 2_000, "every ticket committed by some node");
    let rows = sold_rows(&schema, event);
    assert_eq!(rows.len(), 2_000);
    for (ticket, owner, customer) in rows {
        let (node, _) = sold
            .iter()
            .find(|(_, tickets)| tickets.contains(&TicketId(ticket)))
            .unwrap();
        assert_eq!(
            &owner, node,
            "T{ticket}: the table names the node that committed it"
        );
        assert_eq!(customer, format!("{node}-buyer-{ticket}"));
    }
    let mut inventory = schema.node();
    let counts = inventory.counts(event).unwrap();
    assert_eq!((counts.total, counts.sold), (2_000, 2_000), "{counts:?}");
    assert!(inventory.sold_out(event).unwrap());
    assert!(
        !inventory.sold_out(event + 1).unwrap(),
        "an event never stocked"
    );
}

#[test]
fn a_killed_nodes_tickets_come_back_when_its_lease_expires() {
    let Some(schema) = schema("killed_node") else {
        return;
    };
    let mut other = schema.node();
    // The "not before expiry" half needs the second lease to land before
    // the first expires; a stalled machine retries with a longer lease.
    for (attempt, ttl_ms) in [300_u64, 2_000, 8_000].into_iter().enumerate() {
        let event = 10 + attempt as u64;
        stock(&mut other, event, 150);
        let killed = {
            let mut doomed = schema.node();
            let killed = doomed
                .lease("doomed", event, 100, Duration::from_millis(ttl_ms))
                .unwrap();
            drop(doomed); // no hand-back: the connection just goes
            killed
        };
        assert_eq!(killed.len(), 100);
        let ttl = Duration::from_secs(60);
        let first = other.lease("other", event, 150, ttl).unwrap();
        assert!(!first.is_empty(), "50 tickets were on sale");
        let first_at = first[0].expires - ttl; // the database's now()
        if first_at >= killed[0].expires {
            continue;
        }
        assert_eq!(first.len(), 50, "only the tickets nobody held");
        assert!(
            ids(&first).is_disjoint(&ids(&killed)),
            "a live lease was taken"
        );

        wait_for("the killed node's leases to expire", || {
            other.counts(event).unwrap().expired_leases == 100
        });
        let mut third = schema.node();
        let recovered = third.lease("third", event, 150, ttl).unwrap();
        assert_eq!(
            ids(&recovered),
            ids(&killed),
            "exactly the killed node's tickets"
        );
        for (node, inventory, leased) in [
            ("other", &mut other, &first),
            ("third", &mut third, &recovered),
        ] {
            let outcome = inventory
                .commit_sales(node, event, &sales(node, leased))
                .unwrap();
            assert_eq!(outcome.committed.len(), leased.len());
            assert!(outcome.lost.is_empty());
        }
        assert!(other.sold_out(event).unwrap());
        let sold = sold_rows(&schema, event);
        assert_eq!(sold.len(), 150);
        assert!(sold.iter().all(|(_, owner, _)| owner != "doomed"));
        return;
    }
    panic!("the machine stalled past every lease; nothing was checked");
}

#[test]
fn a_late_nodes_commit_is_lost_and_the_new_owners_commits() {
    let Some(schema) = schema("fencing") else {
        return;
    };
    let event = 3;
    let (mut a, mut b) = (schema.node(), schema.node());
    stock(&mut a, event, 10);
    let a_leased = a.lease("a", event, 10, Duration::from_millis(200)).unwrap();
    assert_eq!(a_leased.len(), 10);
    wait_for("a's lease to expire", || {
        a.counts(event).unwrap().expired_leases == 10
    });

    // Expired even though nobody took the tickets yet: no sale.
    let late = a
        .commit_sales("a", event, &sales("a", &a_leased[..4]))
        .unwrap();
    assert!(late.committed.is_empty());
    assert_eq!(late.lost, ids_in_order(&a_leased[..4]));
    assert_eq!(
        a.renew(
            "a",
            event,
            &ids_in_order(&a_leased),
            Duration::from_secs(60)
        )
        .unwrap(),
        0,
        "no renewal after expiry"
    );

    let b_leased = b.lease("b", event, 10, Duration::from_secs(60)).unwrap();
    assert_eq!(ids(&b_leased), ids(&a_leased));
    let stale = a.commit_sales("a", event, &sales("a", &a_leased)).unwrap();
    assert!(stale.committed.is_empty());
    assert_eq!(stale.lost.len(), 10);
    assert_eq!(
        a.hand_back_all("a", event).unwrap(),
        0,
        "a cannot give away b's lease"
    );
    let won = b.commit_sales("b", event, &sales("b", &b_leased)).unwrap();
    assert_eq!(won.committed, ids_in_order(&b_leased));
    assert!(won.lost.is_empty());

    let sold = sold_rows(&schema, event);
    assert_eq!(sold.len(), 10);
    assert!(sold
        .iter()
        .all(|(ticket, owner, customer)| owner == "b" && *customer == format!("b-buyer-{ticket}")));
}

#[test]
fn renewal_keeps_a_lease_and_hand_back_frees_it_at_once() {
    let Some(schema) = schema("renew") else {
        return;
    };
    let event = 4;
    let (mut a, mut b) = (schema.node(), schema.node());
    stock(&mut a, event, 30);
    let held = a.lease("a", event, 20, Duration::from_millis(500)).unwrap();
    assert_eq!(held.len(), 20);
    assert_eq!(
        a.renew("a", event, &ids_in_order(&held), Duration::from_secs(60))
            .unwrap(),
        20
    );
    let first_expiry = held[0].expires;
    let mut clock = admin();
    wait_for("the database clock to pass the first expiry", || {
        clock
            .query_one("SELECT now() > $1", &[&first_expiry])
            .unwrap()
            .get(0)
    });
    let counts = b.counts(event).unwrap();
    assert_eq!(
        (counts.leased, counts.expired_leases, counts.on_sale),
        (20, 0, 10)
    );
    let others = b.lease("b", event, 30, Duration::from_secs(60)).unwrap();
    assert_eq!(others.len(), 10);
    assert!(
        ids(&others).is_disjoint(&ids(&held)),
        "a renewed lease was taken"
    );

    let returned: Vec<TicketId> = held[..5].iter().map(|t| t.id).collect();
    assert_eq!(a.hand_back("a", event, &returned).unwrap(), 5);
    assert_eq!(
        b.counts(event).unwrap().on_sale,
        5,
        "on sale at once, no expiry wait"
    );
    let freed = b.lease("b", event, 30, Duration::from_secs(60)).unwrap();
    assert_eq!(ids_in_order(&freed), returned);
    assert_eq!(
        b.hand_back("b", event, &ids_in_order(&held[5..])).unwrap(),
        0,
        "not b's"
    );
    assert_eq!(a.hand_back_all("a", event).unwrap(), 15, "the clean stop");
    let counts = b.counts(event).unwrap();
    assert_eq!((counts.on_sale, counts.leased, counts.sold), (15, 15, 0));
}

#[test]
fn steady_state_costs_at_most_a_tenth_of_a_statement_per_ticket() {
    let Some(schema) = schema("statements") else {
        return;
    };
    let event = 5;
    let tickets = 3 * 64 * 32;
    stock(&mut schema.node(), event, tickets);
    let per_node: Vec<(u64, u64)> = thread::scope(|scope| {
        let nodes: Vec<_> = ["s1", "s2", "s3"]
            .into_iter()
            .map(|node| {
                let schema = &schema;
                scope.spawn(move || {
                    let mut inventory = schema.node();
                    let mut sold = 0;
                    for round in 1.. {
                        let leased = inventory
                            .lease(node, event, 64, Duration::from_secs(60))
                            .unwrap();
                        if leased.is_empty() {
                            break; // the rest is leased to the others, who sell it
                        }
                        for group in sales(node, &leased).chunks(32) {
                            let outcome = inventory.commit_sales(node, event, group).unwrap();
                            assert!(outcome.lost.is_empty());
                            sold += outcome.committed.len() as u64;
                        }
                        if round % 4 == 0 {
                            inventory
                                .renew(node, event, &ids_in_order(&leased), Duration::from_secs(60))
                                .unwrap();
                        }
                    }
                    (inventory.statements(), sold)
                })
            })
            .collect();
        nodes.into_iter().map(|n| n.join().unwrap()).collect()
    });
    let statements: u64 = per_node.iter().map(|(s, _)| s).sum();
    let sold: u64 = per_node.iter().map(|(_, t)| t).sum();
    assert_eq!(sold, tickets);
    let per_ticket = statements as f64 / sold as f64;
    let _ = writeln!(
        std::io::stderr().lock(),
        "lease statements: {statements} for {sold} tickets = {per_ticket:.4} per ticket \
         (3 nodes, block 64, groups of 32, renew every 4th block)"
    );
    assert!(per_ticket <= 0.1, "{per_ticket} statements per ticket");
    assert!(schema.node().sold_out(event).unwrap());
}

#[test]
fn bad_input_is_a_typed_error_or_a_lost_sale() {
    let err = LeaseInventory::connect(&params(), "Bad Name").unwrap_err();
    assert!(matches!(err, PersistError::Config(_)), "{err:?}");
    let err = LeaseInventory::connect("host=127.0.0.1 port=1 connect_timeout=3", "x").unwrap_err();
    assert!(matches!(err, PersistError::Open { .. }), "{err:?}");
    let Some(schema) = schema("bad_input") else {
        return;
    };
    let event = 6;
    let (mut a, mut b) = (schema.node(), schema.node());
    stock(&mut a, event, 10);
    let ttl = Duration::from_secs(60);
    let before = a.statements();
    for err in [
        a.lease("a", event, 0, ttl).unwrap_err(),
        a.lease("a", event, 5, Duration::ZERO).unwrap_err(),
        a.lease("", event, 5, ttl).unwrap_err(),
        a.renew(
            "a",
            event,
            &[TicketId(1)],
            Duration::from_secs(365 * 24 * 3600),
        )
        .unwrap_err(),
    ] {
        assert!(matches!(err, PersistError::LeaseRequest(_)), "{err:?}");
    }
    assert_eq!(
        a.statements(),
        before,
        "refused before reaching the database"
    );

    let leased = a.lease("a", event, 4, ttl).unwrap(); // T1..T4
    let b_leased = b.lease("b", event, 2, ttl).unwrap(); // T5, T6
    let sale = |id: u64| SaleToCommit {
        ticket: TicketId(id),
        customer: "eve".into(),
        price: Money::from_minor(1),
    };
    // T7 is on sale, T99 does not exist, T5 is b's.
    let outcome = a
        .commit_sales("a", event, &[sale(7), sale(99), sale(5)])
        .unwrap();
    assert!(outcome.committed.is_empty());
    assert_eq!(outcome.lost, vec![TicketId(7), TicketId(99), TicketId(5)]);
    let twice = a
        .commit_sales("a", event, &[sale(1), sale(2), sale(1)])
        .unwrap_err();
    assert!(matches!(twice, PersistError::LeaseRequest(_)), "{twice:?}");
    assert_eq!(a.commit_sales("a", event, &[]).unwrap().committed, vec![]);
    let counts = a.counts(event).unwrap();
    assert_eq!(
        (counts.sold, counts.leased),
        (0, 6),
        "nothing recorded: {counts:?}"
    );
    assert_eq!(leased.len() + b_leased.len(), 6);

    // A table of that name with other columns is not used.
    let foreign = format!("{}_f", schema.0);
    let _drop_foreign = Schema(foreign.clone());
    admin()
        .batch_execute(&format!(
            "CREATE SCHEMA {foreign}; CREATE TABLE {foreign}.lease_tickets (id INT)"
        ))
        .unwrap();
    let err = LeaseInventory::connect(&params(), &foreign).unwrap_err();
    assert!(matches!(err, PersistError::Foreign { .. }), "{err:?}");
    assert!(err.to_string().contains("id integer"), "{err}");
}

#[test]
fn a_retried_commit_and_a_second_stocking_change_nothing() {
    let Some(schema) = schema("retry") else {
        return;
    };
    let event = 7;
    let mut a = schema.node();
    stock(&mut a, event, 8);
    let again: Vec<StockTicket> = (1..=10)
        .map(|id| StockTicket {
            id: TicketId(id),
            ticket_type: "standard".into(),
            base_price: Money::from_minor(1),
        })
        .collect();
    assert_eq!(
        a.stock(event, &again).unwrap(),
        2,
        "only T9 and T10 are new"
    );
    let leased = a.lease("a", event, 10, Duration::from_secs(60)).unwrap();
    let group = sales("a", &leased[..6]);
    let first = a.commit_sales("a", event, &group[..3]).unwrap();
    assert_eq!(first.committed.len(), 3);
    // The answer to the first try was "lost in the network": send it all again.
    let retry = a.commit_sales("a", event, &group).unwrap();
    assert_eq!(
        retry.committed,
        group.iter().map(|s| s.ticket).collect::<Vec<_>>()
    );
    assert!(retry.lost.is_empty());
    // The same ticket to another buyer is not the same sale.
    let mut other_buyer = group[0].clone();
    other_buyer.customer = "mallory".into();
    let outcome = a.commit_sales("a", event, &[other_buyer]).unwrap();
    assert_eq!(outcome.lost, vec![group[0].ticket]);
    let counts = a.counts(event).unwrap();
    assert_eq!((counts.total, counts.sold, counts.leased), (10, 6, 4));
    assert!(!a.sold_out(event).unwrap());
    assert!(sold_rows(&schema, event)
        .iter()
        .all(|(_, _, c)| c.starts_with("a-buyer-")));
}

#[test]
fn a_renewal_extends_only_the_tickets_named_so_an_unknown_lease_runs_out() {
    let Some(schema) = schema("renew_named") else {
        return;
    };
    let event = 8;
    // Two connections under one node name: the second lease stands for one
    // whose answer never reached the node.
    let (mut a, mut ghost, mut b) = (schema.node(), schema.node(), schema.node());
    stock(&mut a, event, 20);
    // The renewal below comes well within the unknown lease's 2 s, even on
    // a loaded machine; the known lease cannot expire during the test.
    let known = a.lease("a", event, 10, Duration::from_secs(60)).unwrap();
    let unknown = ghost.lease("a", event, 5, Duration::from_secs(2)).unwrap();
    assert_eq!(unknown.len(), 5);
    assert_eq!(
        a.renew("a", event, &ids_in_order(&known), Duration::from_secs(60))
            .unwrap(),
        10,
        "every ticket named is renewed"
    );
    assert_eq!(
        a.renew("a", event, &[], Duration::from_secs(60)).unwrap(),
        0,
        "nothing named"
    );
    let mut clock = admin();
    wait_for(
        "the database clock to pass the unknown lease's expiry",
        || {
            clock
                .query_one("SELECT now() > $1", &[&unknown[0].expires])
                .unwrap()
                .get(0)
        },
    );
    let others = b.lease("b", event, 20, Duration::from_secs(60)).unwrap();
    assert_eq!(others.len(), 10, "the 5 unknown and the 5 on sale");
    assert!(ids(&unknown).is_subset(&ids(&others)), "not renewed");
    assert!(ids(&others).is_disjoint(&ids(&known)), "renewed");
    // Named again now that they are b's: not a's to renew.
    let all: Vec<TicketId> = known.iter().chain(&unknown).map(|t| t.id).collect();
    assert_eq!(
        a.renew("a", event, &all, Duration::from_secs(60)).unwrap(),
        10
    );
}

#[test]
fn a_share_lease_caps_its_block_near_sell_out_in_one_statement() {
    let Some(schema) = schema("share") else {
        return;
    };
    let event = 9;
    let (mut a, mut b) = (schema.node(), schema.node());
    stock(&mut a, event, 60);
    let ttl = Duration::from_secs(60);
    let sizer = LeaseSizer::new(Duration::from_secs(1), 1, 100).unwrap();

    let before = a.statements();
    let first = a.lease_share("a", event, 100, 3, ttl).unwrap();
    assert_eq!(a.statements(), before + 1, "one statement, no count first");
    assert_eq!(first.unsold, 60, "counted exactly below 2 x 3 x 100");
    assert_eq!(first.tickets.len(), 10, "half of a third of 60");
    assert_eq!(first.tickets.len() as u32, sizer.block(1e6, 60, 3));
    assert_eq!(first.tickets[0].id, TicketId(1), "lowest first");

    // Counted only as far as the cap needs: 2 x 3 x 4 = 24.
    let second = a.lease_share("a", event, 4, 3, ttl).unwrap();
    assert_eq!((second.unsold, second.tickets.len()), (24, 4));

    // b holds the rest: nothing leasable, but not sold out.
    let rest = b.lease("b", event, 100, ttl).unwrap();
    assert_eq!(rest.len(), 46);
    let none = a.lease_share("a", event, 8, 1, ttl).unwrap();
    assert!(none.tickets.is_empty());
    assert_eq!(none.unsold, 16, "leased tickets are unsold");

    // Everything sold: the lease itself says so.
    let mine: Vec<LeasedTicket> = first.tickets.into_iter().chain(second.tickets).collect();
    assert_eq!(
        a.commit_sales("a", event, &sales("a", &mine))
            .unwrap()
            .committed
            .len(),
        14
    );
    assert_eq!(
        b.commit_sales("b", event, &sales("b", &rest))
            .unwrap()
            .committed
            .len(),
        46
    );
    let done = a.lease_share("a", event, 8, 3, ttl).unwrap();
    assert_eq!((done.unsold, done.tickets.len()), (0, 0));
    assert!(a.sold_out(event).unwrap());
}

#[test]
fn after_a_lost_answer_the_unknown_leases_go_back_at_once() {
    let Some(schema) = schema("unknown_back") else {
        return;
    };
    let event = 10;
    let (mut a, mut ghost) = (schema.node(), schema.node());
    stock(&mut a, event, 10);
    let ttl = Duration::from_secs(60);
    let known = a.lease("a", event, 3, ttl).unwrap();
    let unknown = ghost.lease("a", event, 4, ttl).unwrap();
    assert_eq!(
        a.hand_back_unknown("a", event, &ids_in_order(&known))
            .unwrap(),
        4
    );
    let counts = a.counts(event).unwrap();
    assert_eq!((counts.leased, counts.on_sale), (3, 7));
    let again = a.lease("b", event, 10, ttl).unwrap();
    assert!(ids(&unknown).is_subset(&ids(&again)));
    assert_eq!(
        a.hand_back_unknown("b", event, &[]).unwrap(),
        7,
        "knowing nothing, everything goes back"
    );
}
