//! Admin control of an event's vendors: list, add, change the rate,
//! remove; the errors; and that the changes last across a restart.

mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN};

/// An event of `total` "general" and `total` "balcony" tickets with room
/// for `room` on sale at once, put on sale; its id.
async fn event_with_room(server: &TestServer, total: u64, room: u64) -> u64 {
    let venue = server
        .post(
            "/api/admin/venues",
            Some(ADMIN),
            json!({"name": "Olympia", "city": "Paris", "capacity": 5000}),
        )
        .await;
    let event = server
        .post(
            "/api/admin/events",
            Some(ADMIN),
            json!({
                "name": "Jazz at the Olympia",
                "venue": venue.body["id"],
                "starts_at": "2030-07-14T19:00:00Z",
                "office": {
                    "event_name": "jazz",
                    "total_tickets": total * 2,
                    "max_capacity": room * 2,
                    "ticket_types": [
                        {"name": "general", "price": "20.00", "quota": total, "capacity": room},
                        {"name": "balcony", "price": "30.00", "quota": total, "capacity": room},
                    ],
                },
            }),
        )
        .await;
    assert_eq!(event.status, 201, "{}", event.body);
    let id = event.body["id"].as_u64().unwrap();
    let on_sale = server
        .post(
            &format!("/api/admin/events/{id}/on-sale"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(on_sale.status, 200, "{}", on_sale.body);
    id
}

async fn vendors(server: &TestServer, id: u64) -> Vec<Value> {
    let answer = server
        .get(&format!("/api/admin/events/{id}/vendors"), Some(ADMIN))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["vendors"].as_array().unwrap().clone()
}

async fn set_rate(server: &TestServer, id: u64, name: &str, rate: Value) -> support::Answer {
    server
        .call(
            Method::PATCH,
            &format!("/api/admin/events/{id}/vendors/{name}"),
            Some(ADMIN),
            Some(json!({"rate_per_second": rate})),
        )
        .await
}

async fn buy(server: &TestServer, token: &str, id: u64) {
    // The office counts a released ticket available (once journaled) and
    // announces it a moment before it reaches its pool, where a reserve
    // can take it: a 409 `none_available` right after `wait_available` is
    // retried.
    let deadline = Instant::now() + Duration::from_secs(30);
    let hold = loop {
        let hold = server
            .reserve(
                token,
                id,
                json!({"ticket_type": "any", "quantity": 1}),
                None,
            )
            .await;
        if hold.code() != "none_available" || Instant::now() > deadline {
            break hold;
        }
        tokio::time::sleep(support::POLL).await;
    };
    assert_eq!(hold.status, 201, "{}", hold.body);
    let sale = server
        .confirm(token, hold.body["id"].as_str().unwrap(), None)
        .await;
    assert_eq!(sale.status, 200, "{}", sale.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_house_vendor_is_listed_and_a_rate_change_applies_at_once() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let id = event_with_room(&server, 50, 1).await;
    server.wait_available(id, 2).await;
    let listed = vendors(&server, id).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["name"], "box-office");
    assert_eq!(listed[0]["ticket_types"], json!(["general", "balcony"]));
    assert_eq!(listed[0]["rate_per_second"], Value::Null);

    // Removing the house vendor joins its threads: from here on only
    // the vendors this test adds release anything.
    let removed = server
        .call(
            Method::DELETE,
            &format!("/api/admin/events/{id}/vendors/box-office"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    let buyer = server.sign_up("ada").await;
    buy(&server, &buyer, id).await;
    buy(&server, &buyer, id).await;

    // One ticket an hour: the first turn is at once, the next an hour on.
    let added = server
        .post(
            &format!("/api/admin/events/{id}/vendors"),
            Some(ADMIN),
            json!({"name": "slow", "ticket_types": ["general"], "rate_per_second": 1.0 / 3600.0}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    server.wait_available(id, 1).await;
    buy(&server, &buyer, id).await;
    server
        .reserve(
            &buyer,
            id,
            json!({"ticket_type": "any", "quantity": 1}),
            None,
        )
        .await
        .assert_error(409, "none_available");
    // Unpaced again: the waiting threads wake at once and release.
    let unpaced = set_rate(&server, id, "slow", Value::Null).await;
    assert_eq!(unpaced.status, 200, "{}", unpaced.body);
    assert_eq!(unpaced.body["rate_per_second"], Value::Null);
    server.wait_available(id, 1).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_vendor_releases_its_types_and_a_removed_one_stops() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let id = event_with_room(&server, 50, 1).await;
    server.wait_available(id, 2).await;
    let removed = server
        .call(
            Method::DELETE,
            &format!("/api/admin/events/{id}/vendors/box-office"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(removed.body["removed"]["name"], "box-office");
    assert!(vendors(&server, id).await.is_empty());

    // The two on sale stay on sale; nobody releases more.
    let buyer = server.sign_up("ada").await;
    buy(&server, &buyer, id).await;
    buy(&server, &buyer, id).await;
    server
        .reserve(
            &buyer,
            id,
            json!({"ticket_type": "any", "quantity": 1}),
            None,
        )
        .await
        .assert_error(409, "none_available");

    // A balcony-only vendor brings back balcony tickets, and only those.
    let added = server
        .post(
            &format!("/api/admin/events/{id}/vendors"),
            Some(ADMIN),
            json!({"name": "north", "ticket_types": ["balcony"], "rate_per_second": 1000}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["ticket_types"], json!(["balcony"]));
    assert_eq!(added.body["rate_per_second"], json!(1000.0));
    server.wait_available(id, 1).await;
    let event = server.get(&format!("/api/events/{id}"), None).await;
    let types = event.body["ticket_types"].as_array().unwrap();
    let on_sale = |name: &str| {
        types.iter().find(|t| t["name"] == name).unwrap()["available"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (on_sale("general"), on_sale("balcony")),
        (0, 1),
        "{}",
        event.body
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_changes_last_across_a_restart() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let id = event_with_room(&server, 50, 1).await;
    let added = server
        .post(
            &format!("/api/admin/events/{id}/vendors"),
            Some(ADMIN),
            json!({"name": "north", "ticket_types": ["general"], "rate_per_second": 5}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let removed = server
        .call(
            Method::DELETE,
            &format!("/api/admin/events/{id}/vendors/box-office"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    server.stop().await;

    let server = TestServer::start_in(dir.path()).await;
    let listed = vendors(&server, id).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["name"], "north");
    assert_eq!(listed[0]["ticket_types"], json!(["general"]));
    assert_eq!(listed[0]["rate_per_second"], json!(5.0));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_requests_that_cannot_be_done_are_named_4xx() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let id = event_with_room(&server, 5, 5).await;
    let path = format!("/api/admin/events/{id}/vendors");
    let add = |body: Value| {
        let path = path.clone();
        let server = &server;
        async move { server.post(&path, Some(ADMIN), body).await }
    };
    add(json!({"name": "box-office"}))
        .await
        .assert_error(409, "vendor_exists");
    add(json!({"name": ""}))
        .await
        .assert_error(422, "invalid_vendor");
    add(json!({"name": "x", "ticket_types": ["stalls"]}))
        .await
        .assert_error(422, "unknown_ticket_type");
    add(json!({"name": "x", "rate_per_second": 0}))
        .await
        .assert_error(422, "invalid_rate");
    add(json!({"name": "x", "rate": 3}))
        .await
        .assert_error(422, "unknown_field");
    set_rate(&server, id, "nobody", json!(3))
        .await
        .assert_error(404, "unknown_vendor");
    set_rate(&server, id, "box-office", json!("fast"))
        .await
        .assert_error(422, "invalid_rate");
    set_rate(&server, id, "box-office", json!(-2))
        .await
        .assert_error(422, "invalid_rate");
    server
        .call(
            Method::PATCH,
            &format!("{path}/box-office"),
            Some(ADMIN),
            Some(json!({})),
        )
        .await
        .assert_error(422, "missing_field");
    server
        .get("/api/admin/events/999/vendors", Some(ADMIN))
        .await
        .assert_error(404, "unknown_event");
    let customer = server.sign_up("ada").await;
    assert_eq!(server.get(&path, Some(&customer)).await.status, 403);
    assert_eq!(server.get(&path, None).await.status, 401);
    // A draft has no office, so no vendors yet.
    let draft = server
        .post(
            "/api/admin/events",
            Some(ADMIN),
            json!({
                "name": "Later", "venue": 1, "starts_at": "2031-01-01T20:00:00Z",
                "office": {"event_name": "later", "total_tickets": 5, "max_capacity": 5,
                           "ticket_types": [{"name": "general", "price": "10.00"}]},
            }),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    server
        .get(
            &format!("/api/admin/events/{}/vendors", draft.body["id"]),
            Some(ADMIN),
        )
        .await
        .assert_error(409, "not_on_sale");
    server.stop().await;
}
