//! Closing an event's sales (`POST /api/admin/events/{id}/close`): live,
//! the event's watchers are told, buyers waiting in line get their entry
//! ended with the reason, new reserves get 409 `sales_closed`; tickets sold
//! stay sold and a hold placed before closing may still be confirmed.
//! Every refusal is a JSON error with a stable code, and only the admin may
//! close. Every wait is for an event (an SSE message), never a sleep.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN};

async fn close(server: &TestServer, event: u64, token: Option<&str>) -> support::Answer {
    server
        .post(
            &format!("/api/admin/events/{event}/close"),
            token,
            json!({}),
        )
        .await
}

/// A draft event at a new venue; its id.
async fn draft(server: &TestServer) -> u64 {
    let venue = server
        .post(
            "/api/admin/venues",
            Some(ADMIN),
            json!({"name": "Bataclan", "city": "Paris", "capacity": 100}),
        )
        .await;
    let event = server
        .post(
            "/api/admin/events",
            Some(ADMIN),
            json!({
                "name": "Draft night",
                "venue": venue.body["id"],
                "starts_at": "2030-07-14T19:00:00Z",
                "office": {"event_name": "d", "total_tickets": 5, "max_capacity": 5,
                    "ticket_types": [{"name": "general", "price": "10.00"}]},
            }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
    event.body["id"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_sale_tells_watchers_and_waiters_keeps_sales_and_honours_holds() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(2, 5).await;
    // One ticket sold, the other held: nothing is left on sale.
    let ann = server.sign_up("ann").await;
    let sold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    let sold_id = sold.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server.confirm(&ann, &sold_id, None).await.status,
        StatusCode::OK
    );
    let bob = server.sign_up("bob").await;
    let held = server
        .reserve(&bob, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let held_id = held.body["id"].as_str().unwrap().to_owned();
    // Carol waits in line, watching her stream; a fan watches the event.
    let carol = server.sign_up("carol").await;
    let waiting = server
        .reserve(
            &carol,
            event,
            json!({"ticket_type": "general", "wait": true}),
            None,
        )
        .await;
    assert_eq!(waiting.status, StatusCode::ACCEPTED, "{}", waiting.body);
    let entry = waiting.body["waiting"]["id"].as_str().unwrap().to_owned();
    let mut carol_live = server.live("/api/me/live", Some(&carol)).await;
    let mut watcher = server
        .live(&format!("/api/events/{event}/live"), None)
        .await;
    let (first, _) = watcher.next().await.unwrap();
    assert_eq!(first, "availability");

    let closed = close(&server, event, Some(ADMIN)).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["id"], event);
    assert_eq!(closed.body["status"], "closed");

    // The event's watchers are told why it closed.
    let notice = watcher
        .wait_for("closed", |data| data["event"] == event)
        .await;
    assert_eq!(notice["status"], "closed", "{notice}");
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("Sales are closed"),
        "{notice}"
    );
    // Carol's wait ends with the reason, on her stream and when she asks.
    let ended = |data: &Value| {
        data["waiting"]
            .as_array()
            .is_some_and(|w| w.iter().any(|e| e["status"] == "ended"))
    };
    let places = carol_live.wait_for("waiting", ended).await;
    let mine = &places["waiting"][0];
    assert_eq!(
        (&mine["id"], &mine["reason"], &mine["position"]),
        (&json!(entry), &json!("sales_closed"), &Value::Null),
        "{places}"
    );
    assert!(mine["message"].as_str().unwrap().contains("closed"));
    let read = server
        .get(&format!("/api/waiting/{entry}"), Some(&carol))
        .await;
    assert_eq!(read.body["status"], "ended", "{}", read.body);
    // She (and anyone) is refused a new hold, with its own code.
    server
        .reserve(&carol, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "sales_closed");
    server
        .reserve(
            &carol,
            event,
            json!({"ticket_type": "general", "wait": true}),
            None,
        )
        .await
        .assert_error(409, "sales_closed");
    // Bob's hold, placed before, is honoured; Ann's ticket stays sold.
    let confirmed = server.confirm(&bob, &held_id, None).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(server.my_tickets(&ann).await.len(), 1);
    assert_eq!(server.sold(event).await, 2);
    let page = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(page.body["status"], "closed", "{}", page.body);

    // Final: nothing moves it any more.
    close(&server, event, Some(ADMIN))
        .await
        .assert_error(409, "wrong_status");
    for action in ["pause", "resume", "on-sale"] {
        server
            .post(
                &format!("/api/admin/events/{event}/{action}"),
                Some(ADMIN),
                json!({}),
            )
            .await
            .assert_error(409, "wrong_status");
    }
    server
        .call(
            Method::PATCH,
            &format!("/api/admin/events/{event}"),
            Some(ADMIN),
            Some(json!({"name": "too late"})),
        )
        .await
        .assert_error(409, "wrong_status");
    // A show called off after its sales closed may still be cancelled.
    let cancel = format!("/api/admin/events/{event}/cancel");
    let cancelled = server.post(&cancel, Some(ADMIN), json!({})).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let page = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(page.body["status"], "cancelled", "{}", page.body);
    server
        .post(&cancel, Some(ADMIN), json!({}))
        .await
        .assert_error(409, "wrong_status");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_admin_closes_and_only_an_open_sale() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(2, 5).await;
    let buyer = server.sign_up("buyer").await;
    // A customer's token, a wrong one or none cannot close.
    close(&server, event, Some(&buyer))
        .await
        .assert_error(403, "not_admin");
    close(&server, event, Some("not-a-token"))
        .await
        .assert_error(403, "not_admin");
    close(&server, event, None)
        .await
        .assert_error(401, "missing_token");
    let page = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(page.body["status"], "on_sale", "still on sale");

    close(&server, 999, Some(ADMIN))
        .await
        .assert_error(404, "unknown_event");
    close(&server, 0, Some(ADMIN))
        .await
        .assert_error(404, "unknown_event");
    let draft = draft(&server).await;
    close(&server, draft, Some(ADMIN))
        .await
        .assert_error(409, "wrong_status");
    let cancel = format!("/api/admin/events/{draft}/cancel");
    assert_eq!(
        server.post(&cancel, Some(ADMIN), json!({})).await.status,
        StatusCode::OK
    );
    let refused = close(&server, draft, Some(ADMIN)).await;
    refused.assert_error(409, "wrong_status");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{}",
        refused.body
    );
    // A paused sale may close.
    let pause = format!("/api/admin/events/{event}/pause");
    assert_eq!(
        server.post(&pause, Some(ADMIN), json!({})).await.status,
        StatusCode::OK
    );
    let closed = close(&server, event, Some(ADMIN)).await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_sale_is_still_closed_after_a_restart() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(2, 5).await;
    let ann = server.sign_up("ann").await;
    let hold = server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await;
    let hold = hold.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server.confirm(&ann, &hold, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        close(&server, event, Some(ADMIN)).await.status,
        StatusCode::OK
    );
    server.stop().await;

    let server = TestServer::start_in(dir.path()).await;
    let page = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(page.body["status"], "closed", "{}", page.body);
    assert_eq!(page.body["availability"]["sold"], 1, "{}", page.body);
    assert_eq!(server.my_tickets(&ann).await.len(), 1);
    server
        .reserve(&ann, event, json!({"ticket_type": "general"}), None)
        .await
        .assert_error(409, "sales_closed");
    server.stop().await;
}
