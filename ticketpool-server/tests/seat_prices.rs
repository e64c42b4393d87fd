//! Each seat of a mixed-tier seat hold at its own tier's price, in the hold
//! answer, the hold read again, the confirm and my tickets; and the event's
//! JSON saying whether it is seated.

mod support;

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{data_dir, TestServer};

/// Seat label -> price, from a list of seat tickets.
fn prices(tickets: &Value) -> BTreeMap<String, String> {
    tickets
        .as_array()
        .unwrap_or_else(|| panic!("no tickets in {tickets}"))
        .iter()
        .map(|t| {
            (
                t["seat"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{t}"))
                    .to_owned(),
                t["price"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{t}"))
                    .to_owned(),
            )
        })
        .collect()
}

fn expected() -> BTreeMap<String, String> {
    [
        ("Stalls A-7", "50.00"),
        ("Stalls B-7", "30.00"),
        ("Stalls C-7", "30.00"),
    ]
    .into_iter()
    .map(|(seat, price)| (seat.to_owned(), price.to_owned()))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_tier_hold_shows_each_seat_at_its_tiers_price_through_to_my_tickets() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 600_000).await;
    let ann = server.sign_up("ann").await;
    let held = server
        .reserve_seats(
            &ann,
            event,
            json!({"seats": ["Stalls A-7", "Stalls B-7", "Stalls C-7"]}),
            None,
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    // Front 50 + back 30 + back 30: not 36.66 or 36.67 each.
    assert_eq!(prices(&held.body["tickets"]), expected());
    assert_eq!(held.body["total_price"], "110.00");
    let id = held.body["id"].as_str().unwrap().to_owned();
    let again = server.get(&format!("/api/holds/{id}"), Some(&ann)).await;
    assert_eq!(prices(&again.body["tickets"]), expected());

    let confirmed = server.confirm(&ann, &id, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(prices(&confirmed.body["tickets"]), expected());
    // My tickets read the journal: each seat as recorded at its price.
    let mine = Value::Array(server.my_tickets(&ann).await);
    assert_eq!(prices(&mine), expected());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_says_whether_it_is_seated() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let seated = server.seated_event(10, 600_000).await;
    let plain = server.event_on_sale(10, 10).await;
    let page = server.get(&format!("/api/events/{seated}"), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body["seated"], json!(true));
    let page = server.get(&format!("/api/events/{plain}"), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body["seated"], json!(false));
    server
        .get(&format!("/api/events/{plain}/seats"), None)
        .await
        .assert_error(409, "not_seated");
    server.stop().await;
}
