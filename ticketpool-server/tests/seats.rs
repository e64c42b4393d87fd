//! Seats through the API: the admin's seat map, the map with states, seat
//! holds by name and best available (through the usual hold routes),
//! every seat error as a JSON 4xx, the purchase limit, owners only, and
//! two customers racing for overlapping seats.

mod support;

use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, labels, small_seat_map, TestServer, ADMIN, PATIENCE, POLL};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_sets_a_seat_map_and_every_problem_is_listed() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let venue = server
        .post(
            "/api/admin/venues",
            Some(ADMIN),
            json!({"name": "Hall", "city": "Lyon", "capacity": 20}),
        )
        .await;
    let venue = venue.body["id"].as_u64().unwrap();
    let path = format!("/api/admin/venues/{venue}/seat-map");
    let customer = server.sign_up("ann").await;
    server
        .call(Method::PUT, &path, Some(&customer), Some(small_seat_map()))
        .await
        .assert_error(403, "not_admin");
    server
        .call(Method::PUT, &path, None, Some(small_seat_map()))
        .await
        .assert_error(401, "missing_token");
    // Three mistakes: all three named.
    let bad = json!({
        "name": "Hall",
        "tiers": {"front": -1},
        "sections": [{"name": "Stalls", "tier": "nope", "rows": "A-B", "seats": "1-5",
                      "skip": ["Z-1"]}],
    });
    let refused = server
        .call(Method::PUT, &path, Some(ADMIN), Some(bad))
        .await;
    refused.assert_error(422, "invalid_seat_map");
    let problems = refused.body["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3, "{}", refused.body);
    let unknown_field = json!({"name": "Hall", "sections": [], "colour": "red"});
    let refused = server
        .call(Method::PUT, &path, Some(ADMIN), Some(unknown_field))
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    // 29 seats do not fit a venue of 20.
    server
        .call(Method::PUT, &path, Some(ADMIN), Some(small_seat_map()))
        .await
        .assert_error(422, "invalid");
    server
        .call(
            Method::PUT,
            "/api/admin/venues/99/seat-map",
            Some(ADMIN),
            Some(small_seat_map()),
        )
        .await
        .assert_error(422, "unknown_venue");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_shows_every_seat_with_its_state_and_no_holder() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 600_000).await;
    let map = server
        .get(&format!("/api/events/{event}/seats"), None)
        .await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.body);
    assert_eq!(map.body["counts"]["available"], 29);
    assert_eq!(
        map.body["tiers"][0],
        json!({"name": "back", "price": "30.00"})
    );
    let rows = map.body["sections"][0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1]["seats"].as_array().unwrap().len(),
        9,
        "B-5 is a gap"
    );
    let c1 = &rows[2]["seats"][0];
    assert_eq!(c1["label"], "Stalls C-1");
    assert_eq!(c1["flags"], json!(["accessible"]));
    assert_eq!(c1["tier"], "back");
    assert_eq!(rows[0]["seats"][0]["tier"], "front");
    assert!(c1["x"].is_number() && c1["y"].is_number());
    let (version, _) = server.seat_states(event).await;

    let ann = server.sign_up("ann").await;
    let held = server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls A-1"]}), None)
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let (after, states) = server.seat_states(event).await;
    assert!(after > version, "the version moves with the seats");
    assert_eq!(states["Stalls A-1"], "held");
    assert_eq!(states["Stalls A-2"], "available");
    let text = server
        .get(&format!("/api/events/{event}/seats"), None)
        .await;
    assert!(
        !text.body.to_string().contains("ann"),
        "a holder is never shown"
    );

    // Not seated; not there.
    let plain = server.event_on_sale(5, 5).await;
    server
        .get(&format!("/api/events/{plain}/seats"), None)
        .await
        .assert_error(409, "not_seated");
    server
        .get("/api/events/999/seats", None)
        .await
        .assert_error(404, "unknown_event");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_seats_are_held_confirmed_and_shown_in_my_tickets_by_their_owner_only() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 600_000).await;
    let (ann, bob) = (server.sign_up("ann").await, server.sign_up("bob").await);
    let held = server
        .reserve_seats(
            &ann,
            event,
            json!({"seats": ["Stalls A-3", "Stalls B-3"]}),
            None,
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(labels(&held.body), ["Stalls A-3", "Stalls B-3"]);
    assert_eq!(held.body["total_price"], "80.00", "front 50 + back 30");
    assert_eq!(held.body["status"], "held");
    assert!(held.body["expires_at"].as_str().unwrap().ends_with('Z'));
    let id = held.body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "128 random bits");

    // A stranger finds nothing: not to see, confirm or cancel.
    let path = format!("/api/holds/{id}");
    server
        .get(&path, Some(&bob))
        .await
        .assert_error(404, "unknown_hold");
    server
        .confirm(&bob, &id, None)
        .await
        .assert_error(404, "unknown_hold");
    server
        .call(Method::DELETE, &path, Some(&bob), None)
        .await
        .assert_error(404, "unknown_hold");
    let mine = server.get("/api/me/holds", Some(&ann)).await;
    assert_eq!(mine.body["holds"][0]["id"], id.as_str());
    assert_eq!(
        server.get(&path, Some(&ann)).await.body["seats"],
        held.body["seats"]
    );

    let confirmed = server.confirm(&ann, &id, Some("k1")).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let tickets = confirmed.body["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0]["seat"], "Stalls A-3");
    // Each seat at its own tier's price, as the journal records it.
    assert_eq!(tickets[0]["price"], "50.00");
    assert_eq!(tickets[1]["price"], "30.00");
    // A retried confirm answers the same.
    let again = server.confirm(&ann, &id, Some("k1")).await;
    assert_eq!(again.body, confirmed.body);
    let (_, states) = server.seat_states(event).await;
    assert_eq!(states["Stalls A-3"], "sold");
    assert_eq!(states["Stalls B-3"], "sold");

    let mut seats: Vec<String> = server
        .my_tickets(&ann)
        .await
        .iter()
        .map(|t| t["seat"].as_str().unwrap_or("").to_owned())
        .collect();
    seats.sort();
    assert_eq!(seats, ["Stalls A-3", "Stalls B-3"]);
    assert!(server.my_tickets(&bob).await.is_empty());

    // Sold seats cannot be held again; the 409 names them.
    let taken = server
        .reserve_seats(
            &bob,
            event,
            json!({"seats": ["Stalls A-4", "Stalls A-3"]}),
            None,
        )
        .await;
    taken.assert_error(409, "seats_taken");
    assert_eq!(taken.body["error"]["seats"], json!(["Stalls A-3"]));
    let (_, states) = server.seat_states(event).await;
    assert_eq!(states["Stalls A-4"], "available", "nothing half-held");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn best_available_cancel_and_idempotent_reserve() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 600_000).await;
    let ann = server.sign_up("ann").await;
    let best = json!({"best": {"count": 3, "tier": "back"}});
    let first = server
        .reserve_seats(&ann, event, best.clone(), Some("b1"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let seats = labels(&first.body);
    assert_eq!(seats.len(), 3);
    let rows: Vec<&str> = seats
        .iter()
        .map(|s| s.rsplit_once(' ').unwrap().1.split('-').next().unwrap())
        .collect();
    assert!(rows.iter().all(|r| *r == rows[0]), "one row: {seats:?}");
    assert_ne!(rows[0], "A", "row A is the front tier");
    let numbers: Vec<u32> = seats
        .iter()
        .map(|s| s.rsplit_once('-').unwrap().1.parse().unwrap())
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[1] == w[0] + 1),
        "adjacent: {seats:?}"
    );
    // The same key: the same hold, no second one.
    let retry = server.reserve_seats(&ann, event, best, Some("b1")).await;
    assert_eq!(retry.body["id"], first.body["id"]);
    let (_, states) = server.seat_states(event).await;
    assert_eq!(states.values().filter(|s| *s == "held").count(), 3);

    let accessible = server
        .reserve_seats(
            &ann,
            event,
            json!({"best": {"count": 2, "accessible": true}}),
            None,
        )
        .await;
    assert_eq!(
        accessible.status,
        StatusCode::CREATED,
        "{}",
        accessible.body
    );
    assert_eq!(labels(&accessible.body), ["Stalls C-1", "Stalls C-2"]);

    let id = first.body["id"].as_str().unwrap();
    let cancelled = server
        .call(
            Method::DELETE,
            &format!("/api/holds/{id}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let (_, states) = server.seat_states(event).await;
    for seat in &seats {
        assert_eq!(states[seat], "available", "{seat} back on sale");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seat_error_is_a_json_4xx() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(4, 600_000).await;
    let ann = server.sign_up("ann").await;
    let cases = [
        (json!({"seats": ["Stalls Z-1"]}), 422, "unknown_seat"),
        (json!({"seats": ["Stalls B-5"]}), 422, "unknown_seat"),
        (
            json!({"seats": ["Stalls A-1", "Stalls A-1"]}),
            422,
            "invalid_seats",
        ),
        (json!({"seats": []}), 422, "invalid_seats"),
        (json!({}), 422, "invalid_seats"),
        (
            json!({"seats": ["Stalls A-1"], "best": {"count": 1}}),
            422,
            "invalid_seats",
        ),
        (
            json!({"best": {"count": 1, "section": "Balcony"}}),
            422,
            "unknown_section",
        ),
        (
            json!({"best": {"count": 1, "tier": "gold"}}),
            422,
            "unknown_tier",
        ),
        (json!({"best": {"count": 11}}), 409, "limit_reached"),
        (json!({"best": {"count": 0}}), 422, "invalid_seats"),
        (
            json!({"best": {"count": 2, "tier": "front", "accessible": true}}),
            409,
            "no_adjacent_seats",
        ),
        (
            json!({"seats": ["Stalls A-1"], "colour": "red"}),
            422,
            "unknown_field",
        ),
    ];
    for (body, status, code) in cases {
        let answer = server.reserve_seats(&ann, event, body.clone(), None).await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (status, code),
            "{body} -> {}",
            answer.body
        );
    }
    let path = format!("/api/events/{event}/seat-holds");
    server
        .post(&path, None, json!({"seats": ["Stalls A-1"]}))
        .await
        .assert_error(401, "missing_token");
    // The limit counts seats held and bought: 3 + 1 fits, one more not.
    let three = server
        .reserve_seats(&ann, event, json!({"best": {"count": 3}}), None)
        .await;
    assert_eq!(three.status, StatusCode::CREATED, "{}", three.body);
    let id = three.body["id"].as_str().unwrap();
    assert_eq!(server.confirm(&ann, id, None).await.status, StatusCode::OK);
    let one = server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls C-10"]}), None)
        .await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.body);
    server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls C-9"]}), None)
        .await
        .assert_error(409, "limit_reached");

    let bob = server.sign_up("bob").await;
    let admin = |action: &'static str| format!("/api/admin/events/{event}/{action}");
    assert_eq!(
        server
            .post(&admin("pause"), Some(ADMIN), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    server
        .reserve_seats(&bob, event, json!({"seats": ["Stalls C-9"]}), None)
        .await
        .assert_error(409, "paused");
    assert_eq!(
        server
            .post(&admin("resume"), Some(ADMIN), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        server
            .post(&admin("close"), Some(ADMIN), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    server
        .reserve_seats(&bob, event, json!({"best": {"count": 1}}), None)
        .await
        .assert_error(409, "sales_closed");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_hold_expires_like_a_ticket_hold() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 300).await;
    let ann = server.sign_up("ann").await;
    let held = server
        .reserve_seats(&ann, event, json!({"seats": ["Stalls A-5"]}), None)
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, states) = server.seat_states(event).await;
        if states["Stalls A-5"] == "available" {
            break;
        }
        assert!(Instant::now() < deadline, "the lapsed seat never came back");
        tokio::time::sleep(POLL).await;
    }
    let id = held.body["id"].as_str().unwrap();
    server
        .confirm(&ann, id, None)
        .await
        .assert_error(410, "hold_expired");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_customers_racing_for_overlapping_seats_one_gets_all_the_other_none() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(50, 600_000).await;
    let (ann, bob) = (server.sign_up("ann").await, server.sign_up("bob").await);
    let server = std::sync::Arc::new(server);
    for round in 1..=4u32 {
        // Overlap on one seat of each pair of rows.
        let a = json!({"seats": [format!("Stalls A-{round}"), format!("Stalls B-{round}")]});
        let b = json!({"seats": [format!("Stalls B-{round}"), format!("Stalls C-{round}")]});
        let (first, second) = tokio::join!(
            server.reserve_seats(&ann, event, a, None),
            server.reserve_seats(&bob, event, b, None),
        );
        let statuses = [first.status.as_u16(), second.status.as_u16()];
        assert!(
            statuses == [201, 409] || statuses == [409, 201],
            "round {round}: {statuses:?} {} {}",
            first.body,
            second.body
        );
        let (winner, loser) = if statuses[0] == 201 {
            (&first, &second)
        } else {
            (&second, &first)
        };
        assert_eq!(loser.code(), "seats_taken");
        assert_eq!(
            loser.body["error"]["seats"],
            json!([format!("Stalls B-{round}")])
        );
        let (_, states) = server.seat_states(event).await;
        let held: Vec<&String> = states
            .iter()
            .filter(|(_, s)| *s == "held")
            .map(|(l, _)| l)
            .collect();
        assert_eq!(
            held.len() as u32,
            2 * round,
            "only the winners' seats: {held:?}"
        );
        for seat in labels(&winner.body) {
            assert_eq!(states[&seat], "held");
        }
        let lost_only = if statuses[0] == 201 {
            format!("Stalls C-{round}")
        } else {
            format!("Stalls A-{round}")
        };
        assert_eq!(states[&lost_only], "available", "nothing half-held");
    }
    std::sync::Arc::into_inner(server).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stadium_of_80000_seats_is_drawn_whole_and_read_again_unchanged() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let venue = server
        .post(
            "/api/admin/venues",
            Some(ADMIN),
            json!({"name": "Stadium", "city": "Paris", "capacity": 100_000}),
        )
        .await;
    let venue = venue.body["id"].as_u64().unwrap();
    let sections: Vec<Value> = (0..20)
        .map(|i| {
            json!({"name": format!("S{i}"), "tier": "std", "rows": "1-50", "seats": "1-80",
                   "x": (i % 5) * 90, "y": (i / 5) * 60})
        })
        .collect();
    let map = json!({"name": "Stadium", "tiers": {"std": 4000}, "sections": sections});
    let set = server
        .call(
            Method::PUT,
            &format!("/api/admin/venues/{venue}/seat-map"),
            Some(ADMIN),
            Some(map),
        )
        .await;
    assert_eq!(set.body["seats"], 80_000, "{}", set.body);
    let event = server
        .post(
            "/api/admin/events",
            Some(ADMIN),
            json!({"name": "Final", "venue": venue, "starts_at": "2030-07-14T19:00:00Z",
                   "time_zone": "Europe/Paris", "categories": ["sport"],
                   "office": {"event_name": "final", "total_tickets": 10, "max_capacity": 10,
                              "ticket_types": [{"name": "standing", "price": "10.00"}]}}),
        )
        .await;
    let event = event.body["id"].as_u64().unwrap();
    let path = format!("/api/admin/events/{event}/on-sale");
    assert_eq!(
        server.post(&path, Some(ADMIN), json!({})).await.status,
        StatusCode::OK
    );
    let started = Instant::now();
    let (version, states) = server.seat_states(event).await;
    let first = started.elapsed();
    assert_eq!(states.len(), 80_000);
    assert!(states.values().all(|s| s == "available"));
    let started = Instant::now();
    let raw = server
        .client
        .get(format!("{}/api/events/{event}/seats", server.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    // For the record only (a loaded machine must not fail it).
    println!(
        "80,000 seats: first read and parse {first:?}; cached read {:?}, {} bytes",
        started.elapsed(),
        raw.len()
    );
    let (again, _) = server.seat_states(event).await;
    assert_eq!(again, version, "no change, no new version");
    server.stop().await;
}
