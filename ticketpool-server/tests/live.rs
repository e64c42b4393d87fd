//! Live updates over SSE: an event's availability and notices, a
//! customer's holds, refusals before the stream starts, and a stop that
//! ends open streams. Every wait has a deadline; none sleeps for timing.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN};

async fn admin(server: &TestServer, event: u64, action: &str) {
    let answer = server
        .post(
            &format!("/api/admin/events/{event}/{action}"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{action}: {}", answer.body);
}

/// Reserves `quantity` general tickets; the hold's id.
async fn hold(server: &TestServer, token: &str, event: u64, quantity: u32) -> String {
    let answer = server
        .reserve(
            token,
            event,
            json!({"ticket_type": "general", "quantity": quantity}),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

fn is_hold(id: &str) -> impl Fn(&Value) -> bool + '_ {
    move |data| data["id"] == id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_message_is_the_event_page_availability() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 4).await;
    let page = server.get(&format!("/api/events/{event}"), None).await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;

    let (name, first) = live.next().await.expect("a first message");
    assert_eq!(name, "availability");
    assert_eq!(first["event"], event);
    assert_eq!(first["ticket_types"], page.body["ticket_types"]);
    for key in [
        "released",
        "available",
        "held",
        "sold",
        "paused",
        "sold_out",
        "closed",
    ] {
        assert_eq!(first[key], page.body["availability"][key], "{key}: {first}");
    }
    assert_eq!(first["sales_rate"], 0.0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_is_reported_with_its_rate() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(20, 10).await;
    let ann = server.sign_up("ann").await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    live.next().await.expect("the first message");

    let id = hold(&server, &ann, event, 3).await;
    let held = live
        .wait_for("availability", |data| data["held"] == 3)
        .await;
    assert_eq!(held["ticket_types"][0]["held"], 3);
    let confirmed = server.confirm(&ann, &id, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let sold = live
        .wait_for("availability", |data| data["sold"] == 3)
        .await;
    assert_eq!(sold["held"], 0);
    assert_eq!(sold["available"], 17);
    assert_eq!(sold["ticket_types"][0]["sold"], 3);
    assert!(sold["sales_rate"].as_f64().unwrap() > 0.0, "{sold}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_sale_is_coalesced_and_ends_on_the_latest_state() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(40, 40).await;
    let ann = server.sign_up("ann").await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    live.next().await.expect("the first message");

    let started = Instant::now();
    for _ in 0..20 {
        let id = hold(&server, &ann, event, 1).await;
        let confirmed = server.confirm(&ann, &id, None).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    }
    live.wait_for("availability", |data| data["sold"] == 20)
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let updates = live
        .seen
        .iter()
        .filter(|(n, _)| n == "availability")
        .count()
        - 1;
    // 40 changes (20 holds, 20 sales); at most ten messages a second, plus
    // the one closing the last gap.
    assert!(
        updates as f64 <= elapsed * 10.0 + 2.0,
        "{updates} updates in {elapsed:.2} s"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_cancel_are_announced() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 4).await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    live.next().await.expect("the first message");

    admin(&server, event, "pause").await;
    live.wait_for("paused", |data| data["event"] == event).await;
    let last = live.seen.iter().rev().find(|(n, _)| n == "availability");
    assert_eq!(
        last.unwrap().1["paused"],
        true,
        "the state before the notice"
    );
    admin(&server, event, "resume").await;
    live.wait_for("resumed", |data| data["event"] == event)
        .await;
    admin(&server, event, "cancel").await;
    live.wait_for("closed", |data| data["event"] == event).await;
    live.wait_end(Instant::now() + Duration::from_secs(30))
        .await;
    // A stream of a closed event says so and ends.
    let mut late = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    let (name, first) = late.next().await.expect("a first message");
    assert_eq!(
        (name.as_str(), &first["closed"]),
        ("availability", &json!(true))
    );
    late.wait_for("closed", |data| data["event"] == event).await;
    late.wait_end(Instant::now() + Duration::from_secs(30))
        .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selling_out_is_announced() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(2, 2).await;
    let ann = server.sign_up("ann").await;
    let mut live = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    live.next().await.expect("the first message");

    let id = hold(&server, &ann, event, 2).await;
    let confirmed = server.confirm(&ann, &id, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    live.wait_for("sold_out", |data| data["event"] == event)
        .await;
    live.wait_for("availability", |data| {
        data["sold_out"] == true && data["sold"] == 2
    })
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_sees_their_own_holds_and_no_one_else_s() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let long = server.event_on_sale(10, 10).await;
    let short = server.event_with_holds_of(10, 10, 2_000).await;
    let (ann, bob) = (server.sign_up("ann").await, server.sign_up("bob").await);
    let mut ann_live = server.live("/api/me/live", Some(&ann)).await;
    let mut bob_live = server.live("/api/me/live", Some(&bob)).await;
    for live in [&mut ann_live, &mut bob_live] {
        let (name, first) = live.next().await.expect("the first message");
        assert_eq!((name.as_str(), &first), ("holds", &json!({"holds": []})));
    }

    let bought = hold(&server, &ann, long, 2).await;
    ann_live.wait_for("hold_created", is_hold(&bought)).await;
    let confirmed = server.confirm(&ann, &bought, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let data = ann_live.wait_for("hold_confirmed", is_hold(&bought)).await;
    assert_eq!(data["status"], "confirmed");

    let dropped = hold(&server, &ann, long, 1).await;
    let cancelled = server
        .call(
            Method::DELETE,
            &format!("/api/holds/{dropped}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    ann_live.wait_for("hold_cancelled", is_hold(&dropped)).await;

    let lapsing = hold(&server, &ann, short, 1).await;
    let warning = ann_live.wait_for("hold_expiring", is_hold(&lapsing)).await;
    assert!(
        warning["seconds_left"].as_f64().unwrap() <= 10.0,
        "{warning}"
    );
    let expired = ann_live.wait_for("hold_expired", is_hold(&lapsing)).await;
    assert_eq!(expired["status"], "expired");

    let bobs = hold(&server, &bob, long, 1).await;
    bob_live.wait_for("hold_created", is_hold(&bobs)).await;
    // Ann's stream is read past Bob's hold: a later hold of hers arrives,
    // and nothing of Bob's came before it.
    let later = hold(&server, &ann, long, 1).await;
    ann_live.wait_for("hold_created", is_hold(&later)).await;
    let text = |seen: &[(String, Value)]| format!("{seen:?}");
    assert!(!text(&ann_live.seen).contains(&bobs), "{:?}", ann_live.seen);
    for id in [&bought, &dropped, &lapsing, &later] {
        assert!(
            !text(&bob_live.seen).contains(id.as_str()),
            "{:?}",
            bob_live.seen
        );
    }
    server.stop().await;
}

/// `ticketpool_live_feeds` in /metrics.
async fn live_feeds(server: &TestServer) -> u64 {
    let response = server
        .client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .expect("metrics");
    let text = response.text().await.expect("metrics text");
    text.lines()
        .find_map(|line| line.strip_prefix("ticketpool_live_feeds "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no ticketpool_live_feeds in {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_feed_per_event_dropped_when_its_last_stream_goes() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 4).await;
    assert_eq!(live_feeds(&server).await, 0);
    let mut first = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    let mut second = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    first.next().await.expect("a first message");
    second.next().await.expect("a first message");
    assert_eq!(live_feeds(&server).await, 1, "two streams, one feed");
    drop(first);
    drop(second);
    let deadline = Instant::now() + Duration::from_secs(30);
    while live_feeds(&server).await > 0 {
        assert!(Instant::now() < deadline, "the feed outlived its streams");
        tokio::time::sleep(support::POLL).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_stops_promptly_with_streams_open() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(10, 4).await;
    let ann = server.sign_up("ann").await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(
            server
                .live(&format!("/api/events/{event}/live"), None)
                .await,
        );
        streams.push(server.live("/api/me/live", Some(&ann)).await);
    }
    for live in &mut streams {
        live.next().await.expect("a first message");
    }
    // Generous for a loaded machine, far below a keep-alive or a hold.
    tokio::time::timeout(Duration::from_secs(20), server.stop())
        .await
        .expect("the server stopped with streams open");
    for live in &mut streams {
        live.wait_end(Instant::now() + Duration::from_secs(20))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_come_as_json_before_the_stream() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    server
        .get("/api/events/999/live", None)
        .await
        .assert_error(404, "unknown_event");
    server
        .get("/api/events/x/live", None)
        .await
        .assert_error(400, server.get("/api/events/x", None).await.code());
    server
        .get("/api/me/live", None)
        .await
        .assert_error(401, "missing_token");

    let venue = server
        .post(
            "/api/admin/venues",
            Some(ADMIN),
            json!({"name": "Cave", "city": "Lyon", "capacity": 50}),
        )
        .await;
    let draft = server
        .post(
            "/api/admin/events",
            Some(ADMIN),
            json!({
                "name": "Draft night",
                "venue": venue.body["id"],
                "starts_at": "2030-07-14T19:00:00Z",
                "time_zone": "Europe/Paris",
                "office": {
                    "event_name": "draft",
                    "total_tickets": 10,
                    "max_capacity": 10,
                    "ticket_types": [{"name": "general", "price": "20.00"}],
                },
            }),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let id = draft.body["id"].as_u64().unwrap();
    server
        .get(&format!("/api/events/{id}/live"), None)
        .await
        .assert_error(409, "not_on_sale");
    server.stop().await;
}
