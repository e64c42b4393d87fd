//! Two servers as lease nodes (`--lease-node a`, `b`) on one PostgreSQL
//! schema sell one seated event's seats over HTTP from `lease_seats`:
//! customers on both nodes at once, best available and seats picked by
//! label (one under the other node's lease, one raced for from both
//! nodes); no seat sold twice, every confirmed seat recorded as sold to
//! its buyer by the node that confirmed it, "my tickets" listing them on
//! each node, both nodes sold out at the end, no seat map showing a seat
//! free that is sold, and the seat waves refused by name. Without a
//! server the test says so on stderr and passes, unless
//! `TICKETPOOL_PG_REQUIRED=1` (see `support::pg`).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::lease::node;
use support::pg::{schemas, with_client};
use support::{data_dir, labels, TestServer, ADMIN, PATIENCE};

/// Seats in `support::small_seat_map`.
const SEATS: usize = 29;

/// Seat label -> (customer, node) for every seat confirmed.
type Sold = BTreeMap<String, (String, String)>;

/// Holds `wanted` for `token` on `server` and confirms it: the labels sold,
/// or the refusal of the hold.
async fn buy(
    server: &TestServer,
    token: &str,
    event: u64,
    wanted: Value,
) -> Result<Vec<String>, (StatusCode, Value)> {
    let held = server.reserve_seats(token, event, wanted, None).await;
    if held.status != StatusCode::CREATED {
        return Err((held.status, held.body));
    }
    let id = held.body["id"].as_str().unwrap();
    let sold = server.confirm(token, id, None).await;
    assert_eq!(sold.status, StatusCode::OK, "confirm: {}", sold.body);
    let seats: Vec<String> = sold.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["seat"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seats, labels(&held.body), "held, then sold");
    Ok(seats)
}

/// Customer `name` buys best-available pairs through `server` (single
/// seats once no pair fits there) until that node has none left; its
/// name, token and the seats it bought.
async fn best_until_none(
    server: &TestServer,
    event: u64,
    name: String,
) -> (String, String, Vec<String>) {
    let token = server.sign_up(&name).await;
    let deadline = Instant::now() + 4 * PATIENCE;
    let (mut bought, mut want) = (Vec::new(), 2);
    loop {
        assert!(Instant::now() < deadline, "{name}: the sale never ended");
        match buy(server, &token, event, json!({"best": {"count": want}})).await {
            Ok(seats) => bought.extend(seats),
            Err((StatusCode::CONFLICT, body)) if body["error"]["code"] == "no_adjacent_seats" => {
                if want == 1 {
                    return (name, token, bought);
                }
                want = 1;
            }
            Err((status, body)) => panic!("{name}: best available answered {status} {body}"),
        }
    }
}

/// Each seat's state on `server`'s map, by label, and the map's JSON.
async fn map_of(server: &TestServer, event: u64) -> (HashMap<String, String>, Value) {
    let map = server
        .get(&format!("/api/events/{event}/seats"), None)
        .await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.body);
    let (_, states) = server.seat_states(event).await;
    (states, map.body)
}

/// Seats sold in `lease_seats`: label -> (customer, node that sold it).
fn sold_in_table(prefix: &str, event: u64) -> Vec<(String, (String, String))> {
    let leases = format!("{prefix}_lease");
    with_client(move |client| {
        client
            .query(
                &format!(
                    "SELECT section || ' ' || row_label || '-' || number, customer, lease_owner \
                     FROM {leases}.lease_seats WHERE event_id = $1 AND sold_at IS NOT NULL"
                ),
                &[&(event as i64)],
            )
            .unwrap()
            .iter()
            .map(|row| (row.get(0), (row.get(1), row.get(2))))
            .collect()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_lease_nodes_sell_every_seat_once_over_http() {
    let Some(schemas) = schemas("tpl", "cseats") else {
        return;
    };
    let dir = data_dir();
    let prefix = schemas.0.clone();
    let a = TestServer::start_with(&dir.path().join("a"), node(&prefix, "a")).await;
    let event = a.seated_event(SEATS as u32, 600_000).await;
    // Catalog changes reach another node when it opens its catalog.
    let b = TestServer::start_with(&dir.path().join("b"), node(&prefix, "b")).await;
    let nodes = [("a", &a), ("b", &b)];
    let mut sold = Sold::new();
    // Every buyer's token, by name.
    let mut tokens: HashMap<String, String> = HashMap::new();

    for (name, server) in nodes {
        let shown = server.get(&format!("/api/events/{event}"), None).await;
        assert_eq!(shown.body["seated"], true, "{}", shown.body);
        // Seats go on sale by leasing: vendors' waves are refused by name.
        for (path, body) in [
            ("seat-waves", json!({"section": "Stalls"})),
            ("seats-in-waves", json!({})),
        ] {
            let path = format!("/api/admin/events/{event}/{path}");
            server
                .post(&path, Some(ADMIN), body)
                .await
                .assert_error(409, "seat_waves_unsupported");
        }
        // The map says whose view it is; nothing is leased yet.
        let (states, map) = map_of(server, event).await;
        assert_eq!(map["lease_node"]["name"], name, "{map}");
        assert!(map["lease_node"]["shows"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        assert_eq!(states.len(), SEATS);
        assert!(states.values().all(|s| s == "not_on_sale"), "{states:?}");
    }

    // Best available on a leases a row and sells a pair from it.
    let ada = a.sign_up("a-ada").await;
    tokens.insert("a-ada".into(), ada.clone());
    for seat in buy(&a, &ada, event, json!({"best": {"count": 2}}))
        .await
        .unwrap()
    {
        sold.insert(seat, ("a-ada".into(), "a".into()));
    }
    let (states_a, _) = map_of(&a, event).await;
    let leased_to_a = states_a
        .iter()
        .find(|(_, s)| *s == "available")
        .map(|(label, _)| label.clone())
        .expect("a leased a whole row");
    // b's map does not show it free; picked on b it is taken, and nothing
    // of the pick is held.
    let (states_b, _) = map_of(&b, event).await;
    assert_eq!(states_b[&leased_to_a], "not_on_sale");
    let bob = b.sign_up("b-bob").await;
    tokens.insert("b-bob".into(), bob.clone());
    match buy(
        &b,
        &bob,
        event,
        json!({"seats": [&leased_to_a, "Stalls C-10"]}),
    )
    .await
    {
        Err((StatusCode::CONFLICT, body)) => {
            assert_eq!(body["error"]["code"], "seats_taken", "{body}");
            assert_eq!(body["error"]["seats"], json!([leased_to_a]), "{body}");
        }
        other => panic!("a seat leased to a held on b: {other:?}"),
    }
    // Seats leased by nobody are held and sold through PostgreSQL.
    for seat in buy(
        &b,
        &bob,
        event,
        json!({"seats": ["Stalls C-9", "Stalls C-10"]}),
    )
    .await
    .unwrap()
    {
        sold.insert(seat, ("b-bob".into(), "b".into()));
    }
    // Two customers race for one unleased seat from both nodes: one gets it.
    let (cy, dee) = (a.sign_up("a-cy").await, b.sign_up("b-dee").await);
    tokens.insert("a-cy".into(), cy.clone());
    tokens.insert("b-dee".into(), dee.clone());
    let pick = json!({"seats": ["Stalls C-8"]});
    let (on_a, on_b) = tokio::join!(
        buy(&a, &cy, event, pick.clone()),
        buy(&b, &dee, event, pick)
    );
    match (on_a, on_b) {
        (Ok(seats), Err((StatusCode::CONFLICT, _))) => {
            sold.insert(seats[0].clone(), ("a-cy".into(), "a".into()));
        }
        (Err((StatusCode::CONFLICT, _)), Ok(seats)) => {
            sold.insert(seats[0].clone(), ("b-dee".into(), "b".into()));
        }
        other => panic!("Stalls C-8 raced for: {other:?}"),
    }

    // Three customers per node buy best available at once until none is left.
    let fans = |server, tag: &'static str| {
        join_all((0..3).map(move |n| best_until_none(server, event, format!("{tag}-fan{n}"))))
    };
    let (fans_a, fans_b) = tokio::join!(fans(&a, "a"), fans(&b, "b"));
    let mut by_node = [0, 0];
    for (n, (tag, fans)) in [("a", fans_a), ("b", fans_b)].into_iter().enumerate() {
        for (name, token, seats) in fans {
            by_node[n] += seats.len();
            for seat in seats {
                let before = sold.insert(seat.clone(), (name.clone(), tag.to_owned()));
                assert!(
                    before.is_none(),
                    "{seat} confirmed twice: {before:?}, {name}"
                );
            }
            tokens.insert(name, token);
        }
    }
    // Both nodes sold from their leases.
    assert!(by_node.iter().all(|&n| n > 0), "{by_node:?}");

    // Every seat sold once, recorded as sold to its buyer by the node that
    // confirmed it, and nothing else.
    assert_eq!(sold.len(), SEATS, "{sold:?}");
    let table = sold_in_table(&prefix, event);
    assert_eq!(
        table.len(),
        SEATS,
        "a seat recorded twice, or not at all: {table:?}"
    );
    assert_eq!(table.into_iter().collect::<Sold>(), sold);

    // Sold out on both nodes; no map shows a seat free.
    let eve = [a.sign_up("a-eve").await, b.sign_up("b-eve").await];
    for ((_, server), token) in nodes.into_iter().zip(&eve) {
        let best = server
            .reserve_seats(token, event, json!({"best": {"count": 1}}), None)
            .await;
        best.assert_error(409, "no_adjacent_seats");
        let pick = server
            .reserve_seats(token, event, json!({"seats": ["Stalls A-1"]}), None)
            .await;
        pick.assert_error(409, "seats_taken");
        let (states, map) = map_of(server, event).await;
        assert_eq!(map["counts"]["available"], 0, "{map}");
        assert!(
            states.values().all(|s| s == "sold" || s == "not_on_sale"),
            "{states:?}"
        );
    }

    // "My tickets" lists each customer's seats, with the node that sold
    // them and their tier, on the node they signed up on (accounts reach
    // the other nodes only when they restart).
    for (name, token) in &tokens {
        let mine: Vec<&String> = sold
            .iter()
            .filter(|(_, (customer, _))| customer == name)
            .map(|(seat, _)| seat)
            .collect();
        let home = if name.starts_with("a-") { &a } else { &b };
        let tickets = home.my_tickets(token).await;
        let mut listed: Vec<&str> = tickets
            .iter()
            .map(|t| t["seat"].as_str().unwrap())
            .collect();
        listed.sort_unstable();
        assert_eq!(listed, mine, "{name}: {tickets:?}");
        for ticket in &tickets {
            let seat = ticket["seat"].as_str().unwrap();
            assert_eq!(ticket["vendor"], sold[seat].1.as_str(), "{ticket}");
            let tier = if seat.starts_with("Stalls A-") {
                "front"
            } else {
                "back"
            };
            assert_eq!(ticket["ticket_type"], tier, "{ticket}");
        }
    }
    a.stop().await;
    b.stop().await;
}
