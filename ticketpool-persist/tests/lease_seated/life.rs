//! A seat lease's life on a lease node (issue 18): renewed while the node
//! runs, handed back at once on a clean stop, back on sale after its ttl
//! when the node is gone without a stop, and a sale under a lapsed lease
//! or hold answered as an error, never as sold, each seat sold once;
//! seats whose lease the node lost go off sale on its map.

use std::sync::Arc;
use std::time::Duration;

use ticketpool_catalog::ticketpool_seats::{BestAvailable, SeatError, SeatState};
use ticketpool_catalog::{Catalog, CatalogError, CatalogOptions, EventId, SeatedEvent};
use ticketpool_core::Priority;
use ticketpool_persist::{SeatHoldOutcome, SeatSaleToCommit};

use super::lease_support::seats::seat_sales;
use super::lease_support::{admin, schema, wait_for, Schema};
use super::{buy_specific, labels_of, open_node_ttl, seated_on_sale, sold_seats};

/// A short lease, renewed every third of it: for leases meant to lapse.
const SHORT: Duration = Duration::from_secs(1);
/// A lease the tests count on the renewer to keep: renewed every second,
/// so a renewer the machine's load holds up for under 2 s keeps it (with
/// `SHORT`, 0.7 s late lost it on a loaded CI machine).
const RENEWED: Duration = Duration::from_secs(3);
/// A lease no test outlives.
const LONG: Duration = Duration::from_secs(60);

/// Node `node`'s catalog selling seats from leases lasting `ttl`.
fn seats_node(prefix: &Schema, node: &str, ttl: Duration) -> Catalog {
    open_node_ttl(prefix, node, CatalogOptions::default(), true, ttl)
}

/// The seats `node` holds a live lease on, by label, in seat order.
fn live_leases(leases: &Schema, event: EventId, node: &str) -> Vec<String> {
    admin()
        .query(
            &format!(
                "SELECT section || ' ' || row_label || '-' || number FROM {}.lease_seats \
                 WHERE event_id = $1 AND lease_owner = $2 AND state = 1 \
                   AND lease_expires > now() ORDER BY seat_id",
                leases.0
            ),
            &[&i64::try_from(event.0).unwrap(), &node],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// `true` once the database's clock is past every expiry of `node`'s
/// leases and holds on `event`.
fn all_expired(leases: &Schema, event: EventId, node: &str) -> bool {
    admin()
        .query_one(
            &format!(
                "SELECT coalesce(max(lease_expires) < now(), true) \
                 FROM {}.lease_seats WHERE event_id = $1 AND lease_owner = $2 AND state < 3",
                leases.0
            ),
            &[&i64::try_from(event.0).unwrap(), &node],
        )
        .unwrap()
        .get(0)
}

/// Makes `node`'s seat leases on `event` lapse, as under a node paused
/// past its ttl (renewals extend only live leases).
fn lapse_leases(leases: &Schema, event: EventId, node: &str) {
    admin()
        .execute(
            &format!(
                "UPDATE {}.lease_seats SET lease_expires = now() - interval '1 second' \
                 WHERE event_id = $1 AND lease_owner = $2 AND state = 1",
                leases.0
            ),
            &[&i64::try_from(event.0).unwrap(), &node],
        )
        .unwrap();
}

/// The labels of the seats available on `seats`' node now.
fn available_here(seats: &SeatedEvent) -> Vec<String> {
    let ids: Vec<_> = seats
        .snapshot()
        .seats()
        .filter(|&(_, s)| s == SeatState::Available)
        .map(|(id, _)| id)
        .collect();
    labels_of(seats, &ids)
}

/// Node a (leases lasting `ttl`) with a seated event on sale, having
/// sold `want` best-available seats from the row it leased.
fn a_sold_from_a_lease(
    prefix: &Schema,
    want: usize,
    ttl: Duration,
) -> (Catalog, EventId, Arc<SeatedEvent>) {
    let a = seats_node(prefix, "node-a", ttl);
    let id = seated_on_sale(&a);
    let seats = a.seats(id).unwrap();
    let hold = seats
        .best_available("ada", Priority::Regular, BestAvailable::anywhere(want))
        .unwrap();
    seats.confirm(hold.id).unwrap();
    (a, id, seats)
}

/// Fails unless `outcome` is the seats being unavailable.
fn unavailable<T: std::fmt::Debug>(outcome: Result<T, CatalogError>, what: &str) {
    match outcome {
        Err(CatalogError::Seats(SeatError::Unavailable { .. })) => {}
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    }
}

#[test]
fn a_running_nodes_seat_lease_outlives_its_ttl() {
    let Some(prefix) = schema("lslife_renew") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let a = seats_node(&prefix, "node-a", RENEWED);
    let id = seated_on_sale(&a);
    let seats_a = a.seats(id).unwrap();
    let hold = seats_a
        .best_available("ada", Priority::Regular, BestAvailable::anywhere(2))
        .unwrap();
    let row = live_leases(&leases, id, "node-a");
    assert_eq!(row.len(), 6, "a whole row leased: {row:?}");

    // Two ttls past the first lease's expiry, on the database's clock...
    let first = admin()
        .query_one(
            &format!(
                "SELECT max(lease_expires) FROM {}.lease_seats WHERE lease_owner = 'node-a'",
                leases.0
            ),
            &[],
        )
        .unwrap()
        .get::<_, std::time::SystemTime>(0);
    let two_ttls = i64::try_from((2 * RENEWED).as_micros()).unwrap();
    wait_for("two ttls past the first expiry", || {
        admin()
            .query_one(
                "SELECT $1::timestamptz + $2::bigint * interval '1 microsecond' < now()",
                &[&first, &two_ttls],
            )
            .unwrap()
            .get(0)
    });
    // ...the row is still node a's, live, and its hold still sells.
    assert_eq!(live_leases(&leases, id, "node-a"), row);
    let sale = seats_a.confirm(hold.id).unwrap();
    let ada = labels_of(&seats_a, &sale.seats);
    let sold = sold_seats(&leases, id);
    assert!(ada
        .iter()
        .all(|l| sold.get(l).map(String::as_str) == Some("ada")));
}

#[test]
fn a_clean_stop_hands_the_seats_back_at_once_and_a_killed_nodes_return_after_ttl() {
    let Some(prefix) = schema("lslife_stop") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let (a, id, seats_a) = a_sold_from_a_lease(&prefix, 2, LONG);
    let unsold = available_here(&seats_a);
    assert_eq!(unsold.len(), 4);
    assert_eq!(live_leases(&leases, id, "node-a"), unsold);
    let b = seats_node(&prefix, "node-b", LONG);
    let seats_b = b.seats(id).unwrap();
    unavailable(
        buy_specific(&seats_b, "bob", &[&unsold[0]]),
        "a's live lease",
    );

    // A clean stop: a's unsold seats are on sale again long before its
    // 60 s leases would have lapsed, and b sells them.
    drop(seats_a);
    drop(a);
    assert!(live_leases(&leases, id, "node-a").is_empty());
    let labels: Vec<&str> = unsold.iter().map(String::as_str).collect();
    assert_eq!(buy_specific(&seats_b, "bob", &labels).unwrap(), unsold);

    // A node gone without a stop (it leased, then never renewed): its
    // seats stay off sale until its lease lapses, then b sells them.
    let mut killed = leases.seats();
    let row = killed
        .lease_rows("node-k", id.0, "Circle", &["A"], SHORT)
        .unwrap();
    assert_eq!(row.len(), 6);
    let wanted = labels_of(&seats_b, &[row[0].id]);
    unavailable(buy_specific(&seats_b, "cy", &[&wanted[0]]), "a live lease");
    drop(killed);
    wait_for("the killed node's lease to lapse", || {
        buy_specific(&seats_b, "cy", &[&wanted[0]]).is_ok()
    });
    assert_eq!(sold_seats(&leases, id)[&wanted[0]], "cy");
}

#[test]
fn a_sale_under_a_lapsed_lease_or_hold_is_an_error_and_no_seat_sells_twice() {
    let Some(prefix) = schema("lslife_lapse") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let a = seats_node(&prefix, "node-a", SHORT);
    let id = seated_on_sale(&a);
    let seats_a = a.seats(id).unwrap();
    let mut c = leases.seats();

    // A specific hold through PostgreSQL lapses there (1 s) while it is
    // still held here (30 s); node c holds and sells the seats meanwhile.
    let picked = ["Circle B-5", "Circle B-6"];
    let late = seats_a.hold("ada", Priority::Regular, &picked).unwrap();
    wait_for("the hold to lapse in PostgreSQL", || {
        all_expired(&leases, id, "node-a")
    });
    let ids = late.seats.clone();
    let SeatHoldOutcome::Held(held) = c.hold_specific("node-c", id.0, &ids, "cy", LONG).unwrap()
    else {
        panic!("a lapsed hold's seats could not be held");
    };
    assert!(c
        .confirm_hold("node-c", id.0, &seat_sales("cy", &held))
        .unwrap()
        .lost
        .is_empty());
    match seats_a.confirm(late.id) {
        Err(CatalogError::SeatsLost { event, seats: 2 }) if event == id => {}
        other => panic!("a lapsed hold confirmed: {other:?}"),
    }

    // A leased row lapses (as under a node paused past its ttl: made so
    // here, renewals extend only live leases); node c leases and sells it.
    let hold = seats_a
        .best_available("bob", Priority::Regular, BestAvailable::anywhere(1))
        .unwrap();
    lapse_leases(&leases, id, "node-a");
    let row = c.lease_block("node-c", id.0, None, 1, LONG).unwrap();
    assert!(row.iter().any(|s| s.id == hold.seats[0]));
    let sales: Vec<SeatSaleToCommit> = seat_sales("cy", &row);
    assert!(c
        .commit_sales("node-c", id.0, &sales)
        .unwrap()
        .lost
        .is_empty());
    match seats_a.confirm(hold.id) {
        Err(CatalogError::SeatsLost { event, seats: 1 }) if event == id => {}
        other => panic!("a sale under a lapsed lease confirmed: {other:?}"),
    }
    // Every seat c sold is c's buyer's, once.
    let sold = sold_seats(&leases, id);
    assert_eq!(sold.len(), picked.len() + row.len());
    assert!(sold.values().all(|customer| customer == "cy"));
}

#[test]
fn releasing_a_hold_across_leases_puts_its_seats_back_on_sale() {
    let Some(prefix) = schema("lslife_release") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let (_a, id, seats_a) = a_sold_from_a_lease(&prefix, 1, LONG);
    // One seat of a's lease and one leased by nobody: held in PostgreSQL.
    let mine = available_here(&seats_a).remove(0);
    let across = [mine.as_str(), "Circle A-1"];
    let hold = seats_a.hold("dee", Priority::Regular, &across).unwrap();
    let b = seats_node(&prefix, "node-b", LONG);
    let seats_b = b.seats(id).unwrap();
    unavailable(buy_specific(&seats_b, "bob", &across), "a's hold");

    seats_a.cancel(hold.id).unwrap();
    // Both on sale for every node at once, a's former lease seat too.
    assert!(!live_leases(&leases, id, "node-a").contains(&mine));
    assert_eq!(
        buy_specific(&seats_b, "bob", &across).unwrap(),
        vec![mine.clone(), "Circle A-1".to_owned()]
    );
}

#[test]
fn seats_whose_lease_a_node_lost_go_off_sale_on_its_map() {
    let Some(prefix) = schema("lslife_lost") else {
        return;
    };
    let leases = Schema(format!("{}_lease", prefix.0));
    let (_a, id, seats_a) = a_sold_from_a_lease(&prefix, 1, RENEWED);
    let row = available_here(&seats_a);
    assert_eq!(row.len(), 5, "the rest of a's leased row: {row:?}");

    // A's leases lapse; node b holds and sells the seats through
    // PostgreSQL.
    lapse_leases(&leases, id, "node-a");
    let b = seats_node(&prefix, "node-b", LONG);
    let seats_b = b.seats(id).unwrap();
    let labels: Vec<&str> = row.iter().map(String::as_str).collect();
    assert_eq!(buy_specific(&seats_b, "bob", &labels).unwrap(), row);

    // A's renewer finds them lost: off sale on a's map, sold to nobody
    // here, and best-available offers none of them.
    wait_for("a's map to take the lost seats off sale", || {
        available_here(&seats_a).is_empty()
    });
    for label in &labels {
        assert_eq!(seats_a.state(label), Some(SeatState::NotOnSale), "{label}");
    }
    let next = seats_a
        .best_available("cy", Priority::Regular, BestAvailable::anywhere(1))
        .unwrap();
    let offered = labels_of(&seats_a, &next.seats);
    assert!(
        !row.contains(&offered[0]),
        "offered a lost seat: {offered:?}"
    );
    seats_a.confirm(next.id).unwrap();
    // A specific hold of a lost seat goes to PostgreSQL: b sold it.
    unavailable(buy_specific(&seats_a, "dee", &[labels[0]]), "b's sale");
    let sold = sold_seats(&leases, id);
    assert!(row.iter().all(|l| sold[l] == "bob"));
    assert_eq!(sold[&offered[0]], "cy");
}
