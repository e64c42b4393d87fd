//! Booking end to end: sign up, reserve, confirm, my tickets; cancel;
//! idempotent retries; a paused sale.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{data_dir, TestServer, ADMIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_reserve_confirm_and_see_my_tickets() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 4).await;
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
    let id = hold.body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "128 bits in hex");
    assert_eq!(hold.body["status"], "held");
    assert_eq!(hold.body["priority"], "regular");
    assert_eq!(hold.body["total_price"], "40.00");
    assert!(hold.body["expires_at"].as_str().unwrap().ends_with('Z'));
    let mine = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(mine.body["holds"][0]["id"], id.as_str());

    let confirmed = server.confirm(&ann, &id, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.body["tickets"].as_array().unwrap().len(), 2);
    assert_eq!(confirmed.body["tickets"][0]["price"], "20.00");

    let tickets = server.my_tickets(&ann).await;
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0]["event"], event);
    assert_eq!(server.sold(event).await, 2);
    let mine = server.get("/api/me/holds", Some(&ann)).await;
    assert!(mine.body["holds"].as_array().unwrap().is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_hold_puts_its_tickets_back() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(3, 3).await;
    let ann = server.sign_up("ann").await;
    let hold = server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "any", "quantity": 3}),
            None,
        )
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    // Everything is held: another reserve cannot wait in this slice.
    let bob = server.sign_up("bob").await;
    server
        .reserve(&bob, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "none_available");

    let id = hold.body["id"].as_str().unwrap();
    let cancelled = server
        .call(
            Method::DELETE,
            &format!("/api/holds/{id}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    server.wait_available(event, 3).await;
    let again = server
        .reserve(&bob, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    server
        .confirm(&ann, id, None)
        .await
        .assert_error(404, "unknown_hold");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purchase_limit_and_a_sold_out_event_are_conflicts() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 2).await;
    let ann = server.sign_up("ann").await;
    server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "quantity": 3}),
            None,
        )
        .await
        .assert_error(409, "limit_reached");
    // All or none: nothing stays held after the refusal.
    server.wait_available(event, 5).await;
    server
        .reserve(&ann, event, json!({"ticket_type": "vip-lounge"}), None)
        .await
        .assert_error(422, "unknown_ticket_type");
    server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "quantity": 0}),
            None,
        )
        .await
        .assert_error(422, "invalid_quantity");
    server
        .reserve(&ann, 99, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(404, "unknown_event");

    // Sell all five; then nothing is left for anyone.
    for (name, quantity) in [("bob", 2), ("cid", 2), ("dee", 1)] {
        let token = server.sign_up(name).await;
        let body = json!({"ticket_type": "any", "quantity": quantity});
        let hold = server.reserve(&token, event, body, None).await;
        assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
        let sold = server
            .confirm(&token, hold.body["id"].as_str().unwrap(), None)
            .await;
        assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    }
    server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "sold_out");
    assert_eq!(server.sold(event).await, 5);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_reserve_and_confirm_book_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 10).await;
    let ann = server.sign_up("ann").await;
    let body = json!({"ticket_type": "general", "quantity": 2});

    let first = server.reserve(&ann, event, body.clone(), Some("r-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let retry = server.reserve(&ann, event, body.clone(), Some("r-1")).await;
    assert_eq!((retry.status, &retry.body), (first.status, &first.body));
    // Only one hold of two tickets exists.
    let mine = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(mine.body["holds"].as_array().unwrap().len(), 1);
    let snapshot = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(snapshot.body["availability"]["held"], 2);

    // The same key for another request is refused.
    server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "quantity": 1}),
            Some("r-1"),
        )
        .await
        .assert_error(422, "idempotency_key_reused");
    // Another customer's key space is its own.
    let bob = server.sign_up("bob").await;
    let bobs = server.reserve(&bob, event, body.clone(), Some("r-1")).await;
    assert_eq!(bobs.status, StatusCode::CREATED, "{}", bobs.body);

    let id = first.body["id"].as_str().unwrap();
    let confirmed = server.confirm(&ann, id, Some("c-1")).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    // Retried at once, and concurrently.
    let (a, b) = tokio::join!(
        server.confirm(&ann, id, Some("c-1")),
        server.confirm(&ann, id, Some("c-1"))
    );
    for retry in [a, b] {
        assert_eq!(
            (retry.status, &retry.body),
            (confirmed.status, &confirmed.body)
        );
    }
    assert_eq!(server.sold(event).await, 2);
    assert_eq!(server.my_tickets(&ann).await.len(), 2);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_of_one_reserve_hold_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 10).await;
    let ann = server.sign_up("ann").await;
    let body = json!({"ticket_type": "general", "quantity": 3});
    let (a, b, c) = tokio::join!(
        server.reserve(&ann, event, body.clone(), Some("same")),
        server.reserve(&ann, event, body.clone(), Some("same")),
        server.reserve(&ann, event, body.clone(), Some("same")),
    );
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.body, b.body);
    assert_eq!(a.body, c.body);
    let snapshot = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(snapshot.body["availability"]["held"], 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_sale_refuses_reserves_until_resumed() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(5, 5).await;
    let ann = server.sign_up("ann").await;
    let paused = server
        .post(
            &format!("/api/admin/events/{event}/pause"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.body);
    assert_eq!(paused.body["status"], "paused");
    server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "paused");
    // Pausing twice is a state conflict, not a server error.
    server
        .post(
            &format!("/api/admin/events/{event}/pause"),
            Some(ADMIN),
            json!({}),
        )
        .await
        .assert_error(409, "wrong_status");
    let resumed = server
        .post(
            &format!("/api/admin/events/{event}/resume"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.body);
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);

    let cancelled = server
        .post(
            &format!("/api/admin/events/{event}/cancel"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "closed");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_hold_cannot_be_confirmed_and_its_tickets_go_back() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_with_holds_of(2, 2, 50).await;
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
    let id = hold.body["id"].as_str().unwrap();
    // The engine's reaper expires it; watch the hold until it says so.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let seen = server.get(&format!("/api/holds/{id}"), Some(&ann)).await;
        if seen.body["status"] == "expired" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{}", seen.body);
        tokio::time::sleep(support::POLL).await;
    }
    server
        .confirm(&ann, id, None)
        .await
        .assert_error(410, "hold_expired");
    server.wait_available(event, 2).await;
    assert_eq!(server.sold(event).await, 0);
    server.stop().await;
}
