//! Two servers as lease nodes (`--lease-node`) on one PostgreSQL schema
//! sell one event over HTTP: no ticket sold twice, every acknowledged
//! booking in `lease_tickets`, by the node that acknowledged it, under the
//! ticket ids the holds, the confirms and "my tickets" named. Without a
//! server the test says so on stderr and passes, unless
//! `TICKETPOOL_PG_REQUIRED=1` (see `support::pg`).

mod support;

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use support::lease::node;
use support::pg::{schemas, with_client};
use support::{data_dir, TestServer, ADMIN, PATIENCE, POLL};
use ticketpool_server::{Server, ServerConfig, ServerError};

/// The ticket ids an answer lists (`tickets[].ticket`).
fn ticket_ids(body: &serde_json::Value) -> Vec<u64> {
    body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ticket"].as_u64().unwrap())
        .collect()
}

/// Customer `name` books one ticket at a time through `server` until the
/// event is sold out there (told `sold_out`, whichever node sold the last
/// ticket); its token and the tickets its confirms named.
async fn book_until_closed(
    server: &TestServer,
    event: u64,
    name: String,
) -> (String, (String, Vec<u64>)) {
    let token = server.sign_up(&name).await;
    let deadline = Instant::now() + 4 * PATIENCE;
    let mut booked = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "{name}: the sale never ended");
        let hold = server
            .reserve(
                &token,
                event,
                json!({"ticket_type": "general", "quantity": 1}),
                None,
            )
            .await;
        match (hold.status, hold.code()) {
            (StatusCode::CREATED, _) => {}
            // Another node holds the unsold tickets' leases right now.
            (StatusCode::CONFLICT, "none_available") => {
                tokio::time::sleep(POLL).await;
                continue;
            }
            (StatusCode::CONFLICT, "sold_out") => return (name, (token, booked)),
            _ => panic!("{name}: reserve answered {} {}", hold.status, hold.body),
        }
        let id = hold.body["id"].as_str().unwrap();
        let sold = server.confirm(&token, id, None).await;
        assert_eq!(sold.status, StatusCode::OK, "{name}: {}", sold.body);
        let confirmed = ticket_ids(&sold.body);
        assert_eq!(confirmed, ticket_ids(&hold.body), "{name}: held, then sold");
        booked.extend(confirmed);
    }
}

/// Three customers `<tag>-fan<n>` booking through `server` at once.
async fn fans(server: &TestServer, event: u64, tag: &str) -> Vec<(String, (String, Vec<u64>))> {
    join_all((0..3).map(|n| book_until_closed(server, event, format!("{tag}-fan{n}")))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_lease_nodes_sell_one_event_over_http_and_none_twice() {
    let Some(schemas) = schemas("tpl", "cluster") else {
        return;
    };
    let dir = data_dir();
    let prefix = schemas.0.clone();
    let total = 90;
    let a = TestServer::start_with(&dir.path().join("a"), node(&prefix, "node-a")).await;
    let event = a.put_event_on_sale(total, total as u32, 600_000).await;
    // Catalog changes reach another node when it opens its catalog.
    let b = TestServer::start_with(&dir.path().join("b"), node(&prefix, "node-b")).await;

    // One server per node name: a second node-a would take node-a's leases.
    let mut twin = ServerConfig::new(dir.path().join("twin"));
    twin.addr = "127.0.0.1:0".parse().unwrap();
    node(&prefix, "node-a")(&mut twin);
    match Server::bind(twin).await {
        Err(ServerError::InUse { place }) => assert!(place.contains("node-a"), "{place}"),
        Err(other) => panic!("a second node-a: {other}"),
        Ok(_) => panic!("a second node-a started"),
    }
    // The node's feeder is the event's only vendor.
    let vendors = a
        .get(&format!("/api/admin/events/{event}/vendors"), Some(ADMIN))
        .await;
    vendors.assert_error(409, "lease_fed");

    let (on_a, on_b) = tokio::join!(fans(&a, event, "a"), fans(&b, event, "b"));
    let customers: HashMap<String, (String, Vec<u64>)> = on_a.into_iter().chain(on_b).collect();

    let leases = format!("{prefix}_lease");
    let rows: Vec<(i64, String, String)> = with_client(move |client| {
        client
            .query(
                &format!(
                    "SELECT ticket_id, lease_owner, customer FROM {leases}.lease_tickets \
                     WHERE event_id = $1 AND state = 2"
                ),
                &[&(event as i64)],
            )
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect()
    })
    .unwrap();
    let mut ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "a ticket sold twice");
    assert!(rows.len() as u64 <= total);
    // Every acknowledged ticket is there under the id the confirm named,
    // sold to that customer by the node that said so, and nothing else.
    let mut recorded: HashMap<String, Vec<u64>> = HashMap::new();
    for (id, owner, customer) in &rows {
        let server = customer.split('-').next().unwrap();
        assert_eq!(owner, &format!("node-{server}"), "{customer}'s ticket");
        recorded
            .entry(customer.clone())
            .or_default()
            .push(*id as u64);
    }
    for (customer, (_, booked)) in &customers {
        let mut booked = booked.clone();
        booked.sort_unstable();
        let mut table = recorded.get(customer).cloned().unwrap_or_default();
        table.sort_unstable();
        assert_eq!(booked, table, "{customer}: told vs lease_tickets");
    }
    let by_a = rows
        .iter()
        .filter(|(_, owner, _)| owner == "node-a")
        .count();
    let _ = writeln!(
        std::io::stderr().lock(),
        "lease cluster: node-a sold {by_a}, node-b {} of {total}",
        rows.len() - by_a
    );
    // The buyers kept on until the end: everything sold.
    let booked: usize = customers.values().map(|(_, ids)| ids.len()).sum();
    assert_eq!(booked as u64, total);
    // "My tickets" reads the shared table: the node that sold each, and
    // the ids the confirms named.
    for (name, on) in [("a-fan0", &a), ("b-fan0", &b)] {
        let (token, booked) = &customers[name];
        let mut booked = booked.clone();
        booked.sort_unstable();
        let mine = on.my_tickets(token).await;
        let mut listed: Vec<u64> = mine.iter().map(|t| t["ticket"].as_u64().unwrap()).collect();
        listed.sort_unstable();
        assert_eq!(listed, booked, "{name}: {mine:?}");
        let seller = format!("node-{}", &name[..1]);
        assert!(
            mine.iter().all(|t| t["vendor"] == seller.as_str()),
            "{mine:?}"
        );
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_nodes_sell_a_seated_events_standing_tickets_once() {
    let Some(schemas) = schemas("tpl", "seated") else {
        return;
    };
    let dir = data_dir();
    let prefix = schemas.0.clone();
    let a = TestServer::start_with(&dir.path().join("a"), node(&prefix, "node-a")).await;
    let event = a.seated_event(4, 600_000).await;
    let b = TestServer::start_with(&dir.path().join("b"), node(&prefix, "node-b")).await;

    for server in [&a, &b] {
        // The event's live stream opens, and the event is shown, seated
        // (its seats are tested in lease_cluster_seats.rs).
        drop(
            server
                .live(&format!("/api/events/{event}/live"), None)
                .await,
        );
        let shown = server.get(&format!("/api/events/{event}"), None).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert_eq!(shown.body["seated"], true, "{}", shown.body);
    }
    // Its standing tickets sell: node a first, then, once a stopped
    // cleanly and handed its leases back, node b.
    buy_standing(&a, event, "a-standing").await;
    a.stop().await;
    buy_standing(&b, event, "b-standing").await;
    // Both standing sales are in lease_tickets, by the node that sold each.
    let leases = format!("{prefix}_lease");
    let owners: Vec<String> = with_client(move |client| {
        client
            .query(
                &format!(
                    "SELECT lease_owner FROM {leases}.lease_tickets \
                     WHERE event_id = $1 AND state = 2 ORDER BY lease_owner"
                ),
                &[&(event as i64)],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    })
    .unwrap();
    assert_eq!(owners, ["node-a", "node-b"]);
    b.stop().await;
}

/// Customer `name` books one standing ticket through `server`, waiting
/// while another node holds the unsold tickets' leases.
async fn buy_standing(server: &TestServer, event: u64, name: &str) {
    let token = server.sign_up(name).await;
    let deadline = Instant::now() + 4 * PATIENCE;
    loop {
        assert!(Instant::now() < deadline, "{name}: no ticket ever came");
        let body = json!({"ticket_type": "standing", "quantity": 1});
        let hold = server.reserve(&token, event, body, None).await;
        match (hold.status, hold.code()) {
            (StatusCode::CREATED, _) => {
                let id = hold.body["id"].as_str().unwrap();
                let sold = server.confirm(&token, id, None).await;
                assert_eq!(sold.status, StatusCode::OK, "{name}: {}", sold.body);
                return;
            }
            (StatusCode::CONFLICT, "none_available") => tokio::time::sleep(POLL).await,
            _ => panic!("{name}: reserve answered {} {}", hold.status, hold.body),
        }
    }
}
