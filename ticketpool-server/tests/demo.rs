//! `serve --demo`: an empty catalog gets the demo events on sale, and the
//! simulated fans' sales show through the API while nobody else buys; a
//! restart on the same data seeds nothing twice and the fans go on.

mod support;

use std::time::Instant;

use serde_json::Value;
use support::{data_dir, TestServer, PATIENCE, POLL};

/// The demo events, as the upcoming list shows them.
async fn events(server: &TestServer) -> Vec<Value> {
    let list = server.get("/api/events?view=upcoming", None).await;
    assert!(list.status.is_success(), "{}", list.body);
    list.body["events"].as_array().unwrap().clone()
}

/// Waits (polling the event pages) until the fans have bought more than
/// `floor` tickets of every demo event; the counts then.
async fn wait_sales_above(server: &TestServer, ids: &[u64], floor: u64) -> Vec<u64> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut sold = Vec::new();
        for id in ids {
            sold.push(server.sold(*id).await);
        }
        if sold.iter().all(|n| *n > floor) {
            return sold;
        }
        assert!(Instant::now() < deadline, "the fans sold only {sold:?}");
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_seeds_events_on_sale_and_its_fans_buy() {
    let dir = data_dir();
    let server = TestServer::start_with(dir.path(), |config| config.demo = true).await;
    let listed = events(&server).await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    for event in &listed {
        assert_eq!(event["status"], "on_sale", "{event}");
        // An evening show, in the venue's own time.
        let local = event["local_start"].as_str().unwrap();
        assert!(local.contains("T19:00:00"), "{event}");
        assert!(event["venue"]["city"].is_string(), "{event}");
    }
    let ids: Vec<u64> = listed.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    let first = server.get(&format!("/api/events/{}", ids[0]), None).await;
    assert!(first.body["performers"]
        .as_array()
        .is_some_and(|p| !p.is_empty()));
    assert!(first.body["ticket_types"].as_array().unwrap().len() >= 2);
    // Searchable like any event.
    let found = server.get("/api/search?q=jazz", None).await;
    assert_eq!(found.body["total"], 1, "{}", found.body);

    let sold = wait_sales_above(&server, &ids, 0).await;
    // Still selling: the fans run until the server stops.
    let floor = *sold.iter().max().unwrap();
    wait_sales_above(&server, &ids, floor).await;
    server.stop().await;

    // Restarted on the same data: the same three events, and sales go on.
    let server = TestServer::start_with(dir.path(), |config| config.demo = true).await;
    let again = events(&server).await;
    assert_eq!(again.len(), 3, "seeded twice: {again:?}");
    let before = server.sold(ids[0]).await;
    wait_sales_above(&server, &ids[..1], before).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_demo_the_catalog_stays_empty() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    assert!(events(&server).await.is_empty());
    server.stop().await;
}
