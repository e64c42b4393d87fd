//! Seats released in vendors' waves through the API (issue 17): an event
//! put in waves has no seat on sale, each wave goes on sale (and shows in
//! the live seat deltas), unknown names are JSON 422s, and a restart
//! restores not-on-sale, available and sold.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{data_dir, TestServer, ADMIN};

fn counts(states: &std::collections::HashMap<String, String>, state: &str) -> usize {
    states.values().filter(|s| s.as_str() == state).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waves_go_on_sale_live_and_survive_a_restart() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 60_000).await;
    let in_waves = format!("/api/admin/events/{event}/seats-in-waves");
    let waves = format!("/api/admin/events/{event}/seat-waves");
    let ann = server.sign_up("ann").await;
    server
        .post(&in_waves, Some(&ann), json!({}))
        .await
        .assert_error(403, "not_admin");
    let answer = server.post(&in_waves, Some(ADMIN), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["not_on_sale"], 29, "{}", answer.body);
    let (_, states) = server.seat_states(event).await;
    assert_eq!(counts(&states, "not_on_sale"), 29);
    server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls A-1"]}), None)
        .await
        .assert_error(409, "seats_taken");

    // Bad waves: JSON 422s, nothing on sale.
    for (body, code) in [
        (json!({"section": "Balcony"}), "unknown_section"),
        (json!({"tier": "gold"}), "unknown_tier"),
        (json!({"section": "Stalls", "rows": "Z"}), "unknown_row"),
        (json!({}), "invalid_wave"),
        (
            json!({"tier": "front", "section": "Stalls"}),
            "invalid_wave",
        ),
    ] {
        server
            .post(&waves, Some(ADMIN), body)
            .await
            .assert_error(422, code);
    }
    server
        .post(&waves, Some(&ann), json!({"all": true}))
        .await
        .assert_error(403, "not_admin");

    // The front tier's wave, seen on the live stream.
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    live.wait_for("seats", |_| true).await;
    let answer = server
        .post(&waves, Some(ADMIN), json!({"tier": "front"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["released"], 10, "{}", answer.body);
    let delta = live
        .wait_for("seats", |d| {
            d["seats"].as_array().is_some_and(|s| s.len() == 10)
        })
        .await;
    assert!(
        delta["seats"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "available"),
        "{delta}"
    );
    let hold = server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls A-1"]}), None)
        .await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    let id = hold.body["id"].as_str().unwrap().to_owned();
    let sold = server.confirm(&ann, &id, None).await;
    assert_eq!(sold.status, StatusCode::OK, "{}", sold.body);
    drop(live);
    server.stop().await;

    // Restarted: row A on sale (A-1 sold), rows B and C still off sale.
    let server = TestServer::start_in(dir.path()).await;
    let (_, states) = server.seat_states(event).await;
    assert_eq!(states["Stalls A-1"], "sold");
    assert_eq!(states["Stalls A-2"], "available");
    assert_eq!(states["Stalls B-1"], "not_on_sale");
    assert_eq!(
        (counts(&states, "sold"), counts(&states, "available")),
        (1, 9)
    );
    let answer = server
        .post(
            &waves,
            Some(ADMIN),
            json!({"section": "Stalls", "rows": "B-C"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["released"], 19, "{}", answer.body);
    assert_eq!(answer.body["not_on_sale"], 0, "{}", answer.body);
    // Asking again for waves is fine; the wave of everything adds nothing.
    let again = server.post(&in_waves, Some(ADMIN), json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let all = server.post(&waves, Some(ADMIN), json!({"all": true})).await;
    assert_eq!(all.body["released"], 0, "{}", all.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_with_every_seat_on_sale_cannot_go_in_waves() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 60_000).await;
    let (_, states) = server.seat_states(event).await;
    assert_eq!(counts(&states, "available"), 29, "all on sale by default");
    server
        .post(
            &format!("/api/admin/events/{event}/seats-in-waves"),
            Some(ADMIN),
            json!({}),
        )
        .await
        .assert_error(422, "invalid");
    server.stop().await;
}
