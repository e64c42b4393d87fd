//! Waiting for best-available seats: `{"best": {...}, "wait": true}` on a
//! seat hold joins the waiting room when no block fits (202, the same
//! entry as a waiting reserve, `position: null`), is served VIPs first
//! when seats free up (`hold_created` on the owner's live stream, an
//! ordinary seat hold), and leaving the line holds nothing. Every wait is
//! for an event (an SSE message, or a state polled under a guard), never
//! a sleep.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN, PATIENCE, POLL};

/// Every seat of the small map but row A's first two.
fn all_but_a1_a2() -> Vec<String> {
    let mut labels: Vec<String> = (3..=10).map(|n| format!("Stalls A-{n}")).collect();
    labels.extend(
        (1..=10)
            .filter(|n| *n != 5)
            .map(|n| format!("Stalls B-{n}")),
    );
    labels.extend((1..=10).map(|n| format!("Stalls C-{n}")));
    labels
}

/// A seated event whose every seat is held by "holder": in
/// one hold (its id returned), the rest in another.
async fn full_house(server: &TestServer) -> (u64, String, String) {
    let event = server.seated_event(50, 600_000).await;
    let holder = server.sign_up("holder").await;
    let pair = server
        .reserve_seats(
            &holder,
            event,
            json!({"seats": ["Stalls A-1", "Stalls A-2"]}),
            None,
        )
        .await;
    assert_eq!(pair.status, StatusCode::CREATED, "{}", pair.body);
    let rest = server
        .reserve_seats(&holder, event, json!({"seats": all_but_a1_a2()}), None)
        .await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.body);
    let pair = pair.body["id"].as_str().unwrap().to_owned();
    (event, holder, pair)
}

/// Waits for 2 adjacent seats in the stalls; the waiting entry.
async fn wait_for_two(server: &TestServer, token: &str, event: u64) -> Value {
    let answer = server
        .reserve_seats(
            token,
            event,
            json!({"best": {"count": 2, "section": "Stalls"}, "wait": true}),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    let entry = answer.body["waiting"].clone();
    assert_eq!(entry["status"], "waiting", "{entry}");
    assert_eq!(entry["ticket_type"], "seats", "{entry}");
    assert_eq!(entry["quantity"], 2, "{entry}");
    assert_eq!(entry["best"]["count"], 2, "{entry}");
    assert_eq!(entry["best"]["section"], "Stalls", "{entry}");
    assert!(entry["position"].is_null(), "{entry}");
    entry
}

fn seat_labels(hold: &Value) -> Vec<&str> {
    hold["seats"]
        .as_array()
        .unwrap_or_else(|| panic!("no seats in {hold}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_is_served_the_seats_another_buyer_gives_back() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, holder, pair) = full_house(&server).await;
    let ann = server.sign_up("ann").await;
    let mut live = server.my_live(&ann).await;
    let entry = wait_for_two(&server, &ann, event).await;
    let mine = server.get("/api/me/waiting", Some(&ann)).await;
    assert_eq!(mine.body["waiting"][0]["id"], entry["id"], "{}", mine.body);

    server.cancel_hold(&holder, &pair).await;
    let hold = live.wait_for("hold_created", |_| true).await;
    assert_eq!(hold["status"], "held", "{hold}");
    let mut labels = seat_labels(&hold);
    labels.sort_unstable();
    assert_eq!(labels, ["Stalls A-1", "Stalls A-2"], "{hold}");

    let holds = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(holds.body["holds"].as_array().unwrap().len(), 1);
    assert_eq!(holds.body["holds"][0]["id"], hold["id"], "{}", holds.body);
    let (_, states) = server.seat_states(event).await;
    assert_eq!(states["Stalls A-1"], "held");
    assert_eq!(states["Stalls A-2"], "held");
    // Served: the entry leaves the room.
    let deadline = Instant::now() + PATIENCE;
    let path = format!("/api/waiting/{}", entry["id"].as_str().unwrap());
    while server.get(&path, Some(&ann)).await.status != StatusCode::NOT_FOUND {
        assert!(Instant::now() < deadline, "the served entry stayed");
        tokio::time::sleep(POLL).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vip_who_joined_later_is_served_before_a_regular() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, holder, pair) = full_house(&server).await;
    let rita = server.sign_up("rita").await;
    let vera = server.sign_up("vera").await;
    let vip = server
        .post("/api/admin/customers/vera/vip", Some(ADMIN), json!({}))
        .await;
    assert_eq!(vip.status, StatusCode::OK, "{}", vip.body);
    let regular = wait_for_two(&server, &rita, event).await;
    assert_eq!(regular["priority"], "regular");
    let mut vera_live = server.my_live(&vera).await;
    let first = wait_for_two(&server, &vera, event).await;
    assert_eq!(first["priority"], "vip");

    server.cancel_hold(&holder, &pair).await;
    vera_live.wait_for("hold_created", |_| true).await;
    let vera_holds = server.get("/api/me/holds", Some(&vera)).await;
    assert_eq!(vera_holds.body["holds"].as_array().unwrap().len(), 1);
    // The Regular still waits, holding nothing.
    let path = format!("/api/waiting/{}", regular["id"].as_str().unwrap());
    let still = server.get(&path, Some(&rita)).await;
    assert_eq!(still.status, StatusCode::OK, "{}", still.body);
    assert_eq!(still.body["status"], "waiting");
    let rita_holds = server.get("/api/me/holds", Some(&rita)).await;
    assert_eq!(rita_holds.body["holds"], json!([]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_line_holds_nothing_and_strangers_cannot_touch_it() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, holder, pair) = full_house(&server).await;
    let ann = server.sign_up("ann").await;
    let eve = server.sign_up("eve").await;
    let entry = wait_for_two(&server, &ann, event).await;
    let path = format!("/api/waiting/{}", entry["id"].as_str().unwrap());

    server
        .get(&path, Some(&eve))
        .await
        .assert_error(404, "unknown_waiting");
    server
        .call(Method::DELETE, &path, Some(&eve), None)
        .await
        .assert_error(404, "unknown_waiting");
    assert_eq!(server.get(&path, Some(&ann)).await.status, StatusCode::OK);

    let left = server.call(Method::DELETE, &path, Some(&ann), None).await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    assert_eq!(left.body["status"], "left");
    server
        .get(&path, Some(&ann))
        .await
        .assert_error(404, "unknown_waiting");
    let mine = server.get("/api/me/waiting", Some(&ann)).await;
    assert_eq!(mine.body["waiting"], json!([]));

    // The seats given back stay free: nobody waits for them now (the
    // left entry's task drops its future; a hold made for it meanwhile
    // would be given back too).
    server.cancel_hold(&holder, &pair).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, states) = server.seat_states(event).await;
        if states["Stalls A-1"] == "available" && states["Stalls A-2"] == "available" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the seats stayed held: {states:?}"
        );
        tokio::time::sleep(POLL).await;
    }
    let holds = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(holds.body["holds"], json!([]));
    // And they can be held at once, without waiting.
    let now = server
        .reserve_seats(
            &eve,
            event,
            json!({"best": {"count": 2}, "wait": true}),
            None,
        )
        .await;
    assert_eq!(now.status, StatusCode::CREATED, "{}", now.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_waiting_seat_bodies_are_json_4xx() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, _, _) = full_house(&server).await;
    let ann = server.sign_up("ann").await;
    let cases = [
        (
            json!({"seats": ["Stalls A-1"], "wait": true}),
            422,
            "invalid_wait",
        ),
        (
            json!({"seats": ["Stalls A-1"], "best": {"count": 1}, "wait": true}),
            422,
            "invalid_wait",
        ),
        (json!({"wait": true}), 422, "invalid_wait"),
        (
            json!({"best": {"count": 0}, "wait": true}),
            422,
            "invalid_seats",
        ),
        (
            json!({"best": {"count": 51}, "wait": true}),
            422,
            "invalid_seats",
        ),
        (
            json!({"best": {"count": 2, "section": "Stalls", "tier": "back"}, "wait": true}),
            422,
            "invalid_seats",
        ),
        (
            json!({"best": {"count": 2, "section": "Roof"}, "wait": true}),
            422,
            "unknown_section",
        ),
        (
            json!({"best": {"count": 2, "tier": "gold"}, "wait": true}),
            422,
            "unknown_tier",
        ),
    ];
    for (body, status, code) in cases {
        let answer = server.reserve_seats(&ann, event, body.clone(), None).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.body);
        assert_eq!(answer.code(), code, "{body}: {}", answer.body);
    }
    let typed = server
        .reserve_seats(
            &ann,
            event,
            json!({"best": {"count": 2}, "wait": "yes"}),
            None,
        )
        .await;
    assert!(typed.status.is_client_error(), "{}", typed.body);
    assert!(!typed.code().is_empty(), "{}", typed.body);
    // Nothing joined the line, nothing was held.
    let mine = server.get("/api/me/waiting", Some(&ann)).await;
    assert_eq!(mine.body["waiting"], json!([]));
    let holds = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(holds.body["holds"], json!([]));
    server.stop().await;
}

/// A waiter with no stream and no reads loses the place after the grace
/// period: out of the engine's line too, so the seats freed later go to
/// the one who joined after but kept coming back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_waiter_who_does_not_come_back_loses_the_place() {
    let dir = data_dir();
    let server = TestServer::start_with_grace(dir.path(), Duration::from_millis(300)).await;
    let (event, holder, pair) = full_house(&server).await;
    let gone = server.sign_up("gone").await;
    let stays = server.sign_up("stays").await;
    // Opened first, so that even a slow join cannot lapse.
    let mut live = server.my_live(&stays).await;
    let lapsing = wait_for_two(&server, &gone, event).await;
    wait_for_two(&server, &stays, event).await;
    let deadline = Instant::now() + PATIENCE;
    while server.waiting_metrics().await != (0, 1) {
        assert!(Instant::now() < deadline, "the lapsed place never left");
        tokio::time::sleep(POLL).await;
    }
    let path = format!("/api/waiting/{}", lapsing["id"].as_str().unwrap());
    server
        .get(&path, Some(&gone))
        .await
        .assert_error(404, "unknown_waiting");

    server.cancel_hold(&holder, &pair).await;
    let hold = live.wait_for("hold_created", |_| true).await;
    assert_eq!(seat_labels(&hold).len(), 2, "{hold}");
    let holds = server.get("/api/me/holds", Some(&gone)).await;
    assert_eq!(holds.body["holds"], json!([]));
    server.stop().await;
}

/// The purchase limit is checked again when the seats come: a waiter who
/// took other tickets meanwhile gets none, the seats go back, and the
/// entry ends with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_over_the_limit_when_served_gets_no_seats_and_is_told_why() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(11, 600_000).await;
    let everything = all_but_a1_a2();
    let mut first = vec!["Stalls A-1".to_owned(), "Stalls A-2".to_owned()];
    first.extend_from_slice(&everything[..9]);
    let parts = [first, everything[9..20].to_vec(), everything[20..].to_vec()];
    let mut first_hold = None;
    for (n, seats) in parts.iter().enumerate() {
        let holder = server.sign_up(&format!("holder{n}")).await;
        let held = server
            .reserve_seats(&holder, event, json!({ "seats": seats }), None)
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        if n == 0 {
            first_hold = Some((holder, held.body["id"].as_str().unwrap().to_owned()));
        }
    }
    let ann = server.sign_up("ann").await;
    let entry = wait_for_two(&server, &ann, event).await;
    let standing = server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "standing", "quantity": 10}),
            None,
        )
        .await;
    assert_eq!(standing.status, StatusCode::CREATED, "{}", standing.body);

    let (holder, hold) = first_hold.unwrap();
    server.cancel_hold(&holder, &hold).await;
    let path = format!("/api/waiting/{}", entry["id"].as_str().unwrap());
    let deadline = Instant::now() + PATIENCE;
    let ended = loop {
        let now = server.get(&path, Some(&ann)).await;
        assert_eq!(now.status, StatusCode::OK, "{}", now.body);
        if now.body["status"] == "ended" {
            break now.body;
        }
        assert!(
            Instant::now() < deadline,
            "the wait never ended: {}",
            now.body
        );
        tokio::time::sleep(POLL).await;
    };
    assert_eq!(ended["reason"], "limit_reached", "{ended}");
    let holds = server.get("/api/me/holds", Some(&ann)).await;
    let holds = holds.body["holds"].as_array().unwrap().clone();
    assert_eq!(holds.len(), 1, "{holds:?}");
    assert_eq!(holds[0]["id"], standing.body["id"]);
    let (_, states) = server.seat_states(event).await;
    assert_eq!(states["Stalls A-1"], "available");
    assert_eq!(states["Stalls A-2"], "available");
    server.stop().await;
}

/// Nobody is left waiting once the sale is over: closing an event's sales
/// ends a seat wait with the reason, as it ends a waiting reserve, and
/// nothing is held for the waiter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_sales_ends_a_seat_wait_with_the_reason() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, _holder, _pair) = full_house(&server).await;
    let ann = server.sign_up("ann").await;
    let mut live = server.my_live(&ann).await;
    let entry = wait_for_two(&server, &ann, event).await;
    let entry = entry["id"].as_str().unwrap().to_owned();
    let closed = server
        .post(
            &format!("/api/admin/events/{event}/close"),
            Some(ADMIN),
            json!({}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let ended = |data: &Value| {
        data["waiting"]
            .as_array()
            .is_some_and(|w| w.iter().any(|e| e["status"] == "ended"))
    };
    let places = live.wait_for("waiting", ended).await;
    let mine = &places["waiting"][0];
    assert_eq!(
        (&mine["id"], &mine["reason"]),
        (&json!(entry), &json!("sales_closed")),
        "{places}"
    );
    let holds = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(holds.body["holds"], json!([]), "{}", holds.body);
    // A new seat wait is refused at once.
    let late = server
        .reserve_seats(
            &ann,
            event,
            json!({"best": {"count": 2, "section": "Stalls"}, "wait": true}),
            None,
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert_eq!(late.body["error"]["code"], "sales_closed", "{}", late.body);
}
