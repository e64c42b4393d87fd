//! A seated event's live stream carries seat changes as deltas (`seats`:
//! version + the seats that changed), never the whole map; versions go up
//! by one, so a client sees a gap and re-reads the map.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, TestServer};

fn states(delta: &Value) -> Vec<(String, String)> {
    delta["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["seat"].as_str().unwrap().to_owned(),
                s["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seat_changes_arrive_as_numbered_deltas() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 600_000).await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    // Where the deltas start: the version now, no seats.
    let start = live.wait_for("seats", |_| true).await;
    assert_eq!(start["seats"], json!([]));
    let version = start["version"].as_u64().unwrap();
    let (map_version, _) = server.seat_states(event).await;
    assert_eq!(map_version, version, "nothing changed in between");

    let ann = server.sign_up("ann").await;
    let held = server
        .reserve_seats(
            &ann,
            event,
            json!({"seats": ["Stalls A-1", "Stalls A-2"]}),
            None,
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let delta = live.wait_for("seats", |d| d["seats"] != json!([])).await;
    assert_eq!(delta["version"].as_u64(), Some(version + 1));
    assert_eq!(delta["event"].as_u64(), Some(event));
    assert_eq!(
        states(&delta),
        [
            ("Stalls A-1".to_owned(), "held".to_owned()),
            ("Stalls A-2".to_owned(), "held".to_owned())
        ]
    );
    assert!(!delta.to_string().contains("ann"), "never who holds it");

    let id = held.body["id"].as_str().unwrap();
    assert_eq!(server.confirm(&ann, id, None).await.status, StatusCode::OK);
    let delta = live.wait_for("seats", |_| true).await;
    assert_eq!(delta["version"].as_u64(), Some(version + 2));
    assert_eq!(
        states(&delta),
        [
            ("Stalls A-1".to_owned(), "sold".to_owned()),
            ("Stalls A-2".to_owned(), "sold".to_owned())
        ]
    );

    let other = server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls C-7"]}), None)
        .await;
    let id = other.body["id"].as_str().unwrap();
    let cancelled = server
        .call(
            Method::DELETE,
            &format!("/api/holds/{id}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let held = live.wait_for("seats", |_| true).await;
    let freed = live.wait_for("seats", |_| true).await;
    assert_eq!(held["version"].as_u64(), Some(version + 3));
    assert_eq!(
        states(&freed),
        [("Stalls C-7".to_owned(), "available".to_owned())]
    );
    assert_eq!(freed["version"].as_u64(), Some(version + 4));
    // The map read now is at the newest version and agrees.
    let (now, seats) = server.seat_states(event).await;
    assert_eq!(now, version + 4);
    assert_eq!(seats["Stalls A-1"], "sold");
    assert_eq!(seats["Stalls C-7"], "available");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lapsed_seat_hold_is_a_delta_too() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 200).await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    live.wait_for("seats", |_| true).await;
    let ann = server.sign_up("ann").await;
    let held = server
        .reserve_seats(&ann, event, json!({"best": {"count": 1}}), None)
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let seat = held.body["seats"][0].as_str().unwrap().to_owned();
    live.wait_for("seats", |d| d["seats"][0]["state"] == "held")
        .await;
    let freed = live
        .wait_for("seats", |d| d["seats"][0]["state"] == "available")
        .await;
    assert_eq!(states(&freed), [(seat, "available".to_owned())]);
    server.stop().await;
}
