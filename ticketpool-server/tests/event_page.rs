//! The event page is built once per change and kept (`event_page`): it
//! must never be stale. And under `Batched` durability reserve and
//! confirm run on the async threads: they must book exactly as before.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{data_dir, TestServer, ADMIN};
use ticketpool_server::Durability;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kept_event_page_follows_every_hold_sale_and_edit_at_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 4).await;
    server.wait_available(event, 10).await;
    let path = format!("/api/events/{event}");
    let first = server.get(&path, None).await;
    // Read again with nothing changed: the same page, as JSON.
    let again = server
        .client
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.headers()["content-type"],
        "application/json",
        "the kept page is answered as JSON"
    );
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first.body);
    assert_eq!(first.body["availability"]["held"], 0);

    let ann = server.sign_up("ann").await;
    let hold = server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "quantity": 2}),
            None,
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    let held = server.get(&path, None).await;
    assert_eq!(held.body["availability"]["held"], 2, "{}", held.body);
    assert_eq!(held.body["availability"]["available"], 8);

    let id = hold.body["id"].as_str().unwrap();
    assert_eq!(server.confirm(&ann, id, None).await.status, StatusCode::OK);
    let sold = server.get(&path, None).await;
    assert_eq!(sold.body["availability"]["sold"], 2, "{}", sold.body);
    assert_eq!(sold.body["availability"]["held"], 0);

    let edited = server
        .call(
            Method::PATCH,
            &format!("/api/admin/events/{event}"),
            Some(ADMIN),
            Some(json!({"description": "now with strings"})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let page = server.get(&path, None).await;
    assert_eq!(page.body["description"], "now with strings");

    let paused = server
        .post(
            &format!("/api/admin/events/{event}/pause"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.body);
    let page = server.get(&path, None).await;
    assert_eq!(page.body["status"], "paused", "{}", page.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_durability_books_once_per_key_and_keeps_every_sale() {
    let dir = data_dir();
    let server = TestServer::start_with(dir.path(), |config| {
        config.durability = Durability::Batched;
    })
    .await;
    let event = server.event_on_sale(10, 4).await;
    server.wait_available(event, 10).await;
    let ann = server.sign_up("ann").await;
    let body = json!({"ticket_type": "general", "quantity": 2});
    let first = server.reserve(&ann, event, body.clone(), Some("k1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let retried = server.reserve(&ann, event, body, Some("k1")).await;
    assert_eq!(retried.body, first.body, "a retry gets the first answer");
    let id = first.body["id"].as_str().unwrap();
    let sold = server.confirm(&ann, id, Some("c1")).await;
    assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    assert_eq!(server.confirm(&ann, id, Some("c1")).await.body, sold.body);
    // A stranger still cannot confirm it.
    let eve = server.sign_up("eve").await;
    server
        .confirm(&eve, id, None)
        .await
        .assert_error(404, "unknown_hold");
    assert_eq!(server.sold(event).await, 2);
    server.stop().await;

    // Stopped cleanly: the journal has both sales after a restart.
    let server = TestServer::start_in(dir.path()).await;
    assert_eq!(server.sold(event).await, 2);
    assert_eq!(server.my_tickets(&ann).await.len(), 2);
    server.stop().await;
}
