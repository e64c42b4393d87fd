//! The waiting room: a reserve with `"wait": true` waits in the engine's
//! line (VIPs first, then first come first served) as a task, not a
//! thread; its place shows in `/api/me/waiting` and live on
//! `/api/me/live`, the hold comes as `hold_created`, `DELETE` leaves the
//! line, and a customer who does not come back within the grace period
//! loses the place. Every wait is for an event (an SSE message or a
//! metric), never a sleep.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN, PATIENCE, POLL};

/// Joins the line for one "general" ticket; the waiting entry.
async fn wait_in_line(server: &TestServer, token: &str, event: u64) -> Value {
    let answer = server
        .reserve(
            token,
            event,
            json!({"ticket_type": "general", "wait": true}),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    answer.body["waiting"].clone()
}

/// The places in a `waiting` message (or GET answer), as positions.
fn positions(waiting: &Value) -> Vec<u64> {
    waiting["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["position"].as_u64().unwrap())
        .collect()
}

/// An event of one ticket, held by someone else: nothing is on sale.
async fn one_ticket_held(server: &TestServer) -> (u64, String, String) {
    let event = server.event_on_sale(1, 5).await;
    let holder = server.sign_up("holder").await;
    let id = hold_released(server, &holder, event, 1).await;
    (event, holder, id)
}

/// Holds `quantity` "general" tickets just released; the hold's id. A
/// ticket counts as on sale (once journaled) a moment before it reaches
/// its pool, where a reserve can take it: a 409 `none_available` then is
/// retried.
async fn hold_released(server: &TestServer, token: &str, event: u64, quantity: u32) -> String {
    let deadline = Instant::now() + PATIENCE;
    let body = json!({"ticket_type": "general", "quantity": quantity});
    let hold = loop {
        let hold = server.reserve(token, event, body.clone(), None).await;
        if hold.code() != "none_available" || Instant::now() > deadline {
            break hold;
        }
        tokio::time::sleep(POLL).await;
    };
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    hold.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_reserve_gets_the_hold_when_a_ticket_comes_back() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, holder, hold) = one_ticket_held(&server).await;
    let bob = server.sign_up("bob").await;
    // Without "wait", the refusal as before.
    server
        .reserve(&bob, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "none_available");
    let waiting = wait_in_line(&server, &bob, event).await;
    assert_eq!(waiting["position"], 1);
    assert_eq!(waiting["status"], "waiting");
    let mut live = server.my_live(&bob).await;
    let (name, places) = live.next().await.unwrap();
    assert_eq!((name.as_str(), positions(&places)), ("waiting", vec![1]));
    let mine = server.get("/api/me/waiting", Some(&bob)).await;
    assert_eq!(positions(&mine.body), [1]);
    assert_eq!(mine.body["waiting"][0]["id"], waiting["id"]);
    assert_eq!(server.waiting_metrics().await, (0, 1));

    server.cancel_hold(&holder, &hold).await;
    let created = live.wait_for("hold_created", |_| true).await;
    assert_eq!(created["status"], "held");
    live.wait_for("waiting", |w| positions(w).is_empty()).await;
    let holds = server.get("/api/me/holds", Some(&bob)).await;
    assert_eq!(holds.body["holds"][0]["id"], created["id"]);
    let confirmed = server
        .confirm(&bob, created["id"].as_str().unwrap(), None)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(server.waiting_metrics().await, (0, 0));
    // Sold out now: a waiting reserve is refused at once.
    wait_in_line_refused(&server, &bob, event, 409, "sold_out").await;
    server.stop().await;
}

async fn wait_in_line_refused(
    server: &TestServer,
    token: &str,
    event: u64,
    status: u16,
    code: &str,
) {
    server
        .reserve(
            token,
            event,
            json!({"ticket_type": "general", "wait": true}),
            None,
        )
        .await
        .assert_error(status, code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vips_wait_ahead_of_regulars_and_places_move_live() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, holder, hold) = one_ticket_held(&server).await;
    let first = server.sign_up("first").await;
    let second = server.sign_up("second").await;
    let vip = server.sign_up("vera").await;
    let granted = server
        .post("/api/admin/customers/vera/vip", Some(ADMIN), json!({}))
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert_eq!(wait_in_line(&server, &first, event).await["position"], 1);
    let mut first_live = server.my_live(&first).await;
    first_live
        .wait_for("waiting", |w| positions(w) == [1])
        .await;
    assert_eq!(wait_in_line(&server, &second, event).await["position"], 2);
    let joined = wait_in_line(&server, &vip, event).await;
    assert_eq!(
        (joined["position"].as_u64(), joined["priority"].as_str()),
        (Some(1), Some("vip"))
    );
    first_live
        .wait_for("waiting", |w| positions(w) == [2])
        .await;
    let second_place = server.get("/api/me/waiting", Some(&second)).await;
    assert_eq!(positions(&second_place.body), [3]);
    assert_eq!(server.waiting_metrics().await, (1, 2));

    let mut vip_live = server.my_live(&vip).await;
    server.cancel_hold(&holder, &hold).await;
    vip_live.wait_for("hold_created", |_| true).await;
    first_live
        .wait_for("waiting", |w| positions(w) == [1])
        .await;
    assert_eq!(server.waiting_metrics().await, (0, 2));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_line_gives_up_only_that_place() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let (event, holder, hold) = one_ticket_held(&server).await;
    let ann = server.sign_up("ann").await;
    let bob = server.sign_up("bob").await;
    let left = wait_in_line(&server, &ann, event).await;
    wait_in_line(&server, &bob, event).await;
    let mut bob_live = server.my_live(&bob).await;
    bob_live.wait_for("waiting", |w| positions(w) == [2]).await;
    let path = format!("/api/waiting/{}", left["id"].as_str().unwrap());
    // Someone else's place does not exist for bob.
    server
        .call(Method::DELETE, &path, Some(&bob), None)
        .await
        .assert_error(404, "unknown_waiting");
    assert_eq!(server.get(&path, Some(&ann)).await.body["position"], 1);
    let gone = server.call(Method::DELETE, &path, Some(&ann), None).await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    assert_eq!(gone.body["status"], "left");
    server
        .get(&path, Some(&ann))
        .await
        .assert_error(404, "unknown_waiting");
    bob_live.wait_for("waiting", |w| positions(w) == [1]).await;
    assert!(positions(&server.get("/api/me/waiting", Some(&ann)).await.body).is_empty());
    // The ticket goes to bob, the one still in line.
    server.cancel_hold(&holder, &hold).await;
    bob_live.wait_for("hold_created", |_| true).await;
    assert_eq!(
        server.get("/api/me/holds", Some(&ann)).await.body["holds"],
        json!([])
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_does_not_come_back_loses_the_place() {
    let dir = data_dir();
    let server = TestServer::start_with_grace(dir.path(), Duration::from_millis(300)).await;
    let (event, _holder, _hold) = one_ticket_held(&server).await;
    let gone = server.sign_up("gone").await;
    let stays = server.sign_up("stays").await;
    // An open stream keeps a place however long it waits (opened first,
    // so that even a slow join cannot lapse): "stays" moves up to first
    // when "gone" (no stream, no reads) lapses.
    let mut live = server.my_live(&stays).await;
    let lapsing = wait_in_line(&server, &gone, event).await;
    wait_in_line(&server, &stays, event).await;
    live.wait_for("waiting", |w| positions(w) == [1]).await;
    let path = format!("/api/waiting/{}", lapsing["id"].as_str().unwrap());
    server
        .get(&path, Some(&gone))
        .await
        .assert_error(404, "unknown_waiting");
    // "stays" keeps it past several grace periods: wait until the metrics
    // show the lapse done, then see it still there.
    let deadline = Instant::now() + PATIENCE;
    while server.waiting_metrics().await != (0, 1) {
        assert!(Instant::now() < deadline, "the lapsed place never left");
        tokio::time::sleep(POLL).await;
    }
    assert_eq!(
        positions(&server.get("/api/me/waiting", Some(&stays)).await.body),
        [1]
    );
    server.stop().await;
}

/// A waiting reserve of 3 keeps its place (a later reserve of 1 stays
/// behind it) until the 3 come back together, and is held as one hold of
/// 3; the reserve of 1 gets the next ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_reserve_of_three_gets_its_three_together() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(4, 5).await;
    let holder = server.sign_up("holder").await;
    let one = hold_released(&server, &holder, event, 1).await;
    let three = hold_released(&server, &holder, event, 3).await;
    let bob = server.sign_up("bob").await;
    let carol = server.sign_up("carol").await;
    let body = json!({"ticket_type": "general", "quantity": 3, "wait": true});
    let joined = server.reserve(&bob, event, body, None).await;
    assert_eq!(joined.status, StatusCode::ACCEPTED, "{}", joined.body);
    let waiting = &joined.body["waiting"];
    assert_eq!(
        (waiting["position"].as_u64(), waiting["quantity"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(wait_in_line(&server, &carol, event).await["position"], 2);
    let mut bob_live = server.my_live(&bob).await;
    let mut carol_live = server.my_live(&carol).await;
    // One ticket back: kept for bob, first in line; carol stays second.
    server.cancel_hold(&holder, &one).await;
    let places = server.get("/api/me/waiting", Some(&carol)).await;
    assert_eq!(positions(&places.body), [2]);
    assert_eq!(server.waiting_metrics().await, (0, 2));
    // Three more: two complete bob's three, the last goes to carol.
    server.cancel_hold(&holder, &three).await;
    let created = bob_live.wait_for("hold_created", |_| true).await;
    assert_eq!(
        (created["status"].as_str(), created["quantity"].as_u64()),
        (Some("held"), Some(3))
    );
    let carols = carol_live.wait_for("hold_created", |_| true).await;
    assert_eq!(carols["quantity"], 1);
    let mine = server.get("/api/me/holds", Some(&bob)).await;
    assert_eq!(mine.body["holds"][0]["quantity"], 3);
    assert_eq!(server.waiting_metrics().await, (0, 0));
    server.stop().await;
}

/// Leaving a waiting reserve of several frees its place and gives the
/// tickets kept for it to the next in line; nothing is left held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_a_waiting_reserve_of_several_frees_what_it_kept() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(2, 5).await;
    let holder = server.sign_up("holder").await;
    let first = hold_released(&server, &holder, event, 1).await;
    let second = hold_released(&server, &holder, event, 1).await;
    let bob = server.sign_up("bob").await;
    let carol = server.sign_up("carol").await;
    let body = json!({"ticket_type": "general", "quantity": 2, "wait": true});
    let joined = server.reserve(&bob, event, body, None).await;
    assert_eq!(joined.status, StatusCode::ACCEPTED, "{}", joined.body);
    let id = joined.body["waiting"]["id"].as_str().unwrap().to_owned();
    assert_eq!(wait_in_line(&server, &carol, event).await["position"], 2);
    let mut carol_live = server.my_live(&carol).await;
    // One ticket back, kept for bob: carol still waits, second.
    server.cancel_hold(&holder, &first).await;
    let mine = server.get(&format!("/api/waiting/{id}"), Some(&bob)).await;
    assert_eq!(mine.body["position"], 1);
    assert_eq!(server.waiting_metrics().await, (0, 2));
    let left = server
        .call(
            Method::DELETE,
            &format!("/api/waiting/{id}"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    // The kept ticket goes to carol; bob holds nothing.
    let created = carol_live.wait_for("hold_created", |_| true).await;
    assert_eq!(created["quantity"], 1);
    let bobs = server.get("/api/me/holds", Some(&bob)).await;
    assert_eq!(bobs.body["holds"], json!([]));
    assert_eq!(server.waiting_metrics().await, (0, 0));
    // The other ticket, once back, is on sale to anyone.
    server.cancel_hold(&holder, &second).await;
    hold_released(&server, &bob, event, 1).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_reserve_is_of_a_known_type() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(2, 5).await;
    let ann = server.sign_up("ann").await;
    server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "general", "quantity": 51, "wait": true}),
            None,
        )
        .await
        .assert_error(422, "invalid_quantity");
    server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "balcony", "wait": true}),
            None,
        )
        .await
        .assert_error(422, "unknown_ticket_type");
    // A ticket on sale: held at once, as without "wait".
    let held = server
        .reserve(
            &ann,
            event,
            json!({"ticket_type": "any", "wait": true}),
            None,
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(held.body["status"], "held");
    server.stop().await;
}
