//! Admin: every event with its status (drafts too), editing an event, and
//! an event's sales log as JSON and CSV.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN};

/// A ticket type whose name needs CSV quoting.
const BALCONY: &str = "Balcony, \"front\"";

/// A draft with a "general" and a [`BALCONY`] type; its id.
async fn draft(server: &TestServer, name: &str) -> u64 {
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
                "name": name,
                "venue": venue.body["id"],
                "starts_at": "2030-07-14T19:00:00Z",
                "office": {
                    "event_name": name,
                    "total_tickets": 20,
                    "max_capacity": 20,
                    "purchase_limit": 10,
                    "ticket_types": [
                        {"name": "general", "price": "20.00", "quota": 10},
                        {"name": BALCONY, "price": "35.00", "quota": 10},
                    ],
                },
            }),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
    event.body["id"].as_u64().unwrap()
}

async fn patch(server: &TestServer, id: u64, body: Value) -> support::Answer {
    server
        .call(
            Method::PATCH,
            &format!("/api/admin/events/{id}"),
            Some(ADMIN),
            Some(body),
        )
        .await
}

/// Buys `quantity` of `ticket_type` for `token`: reserve, then confirm.
async fn buy(server: &TestServer, token: &str, event: u64, ticket_type: &str, quantity: u32) {
    let body = json!({"ticket_type": ticket_type, "quantity": quantity});
    let hold = server.reserve(token, event, body, None).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
    let confirmed = server
        .confirm(token, hold.body["id"].as_str().unwrap(), None)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_list_shows_drafts_and_an_event_can_be_edited_while_allowed() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let first = draft(&server, "First").await;
    let second = draft(&server, "Second").await;
    let put = format!("/api/admin/events/{second}/on-sale");
    assert_eq!(
        server.post(&put, Some(ADMIN), json!({})).await.status,
        StatusCode::OK
    );

    let list = server.get("/api/admin/events", Some(ADMIN)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let events = list.body["events"].as_array().unwrap();
    let statuses: Vec<(u64, &str)> = events
        .iter()
        .map(|e| (e["id"].as_u64().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, vec![(first, "draft"), (second, "on_sale")]);
    assert!(events[0]["availability"].is_null(), "a draft has no counts");
    assert_eq!(events[1]["availability"]["sold"], 0);
    // Buyers do not see the draft; customers cannot read the admin list.
    let buyer = server.sign_up("buyer").await;
    server
        .get("/api/admin/events", Some(&buyer))
        .await
        .assert_error(403, "not_admin");

    // A draft may change anything, the office included.
    let office = json!({"event_name": "x", "total_tickets": 30, "max_capacity": 30,
        "ticket_types": [{"name": "general", "price": "25.00"}]});
    let edited = patch(
        &server,
        first,
        json!({"name": "First, renamed", "office": office}),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["name"], "First, renamed");
    // On sale: the text may change, the office may not (409), and bad
    // values are 422 naming the problem.
    let renamed = patch(&server, second, json!({"description": "now with strings"})).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.body["description"], "now with strings");
    patch(&server, second, json!({"office": office}))
        .await
        .assert_error(409, "frozen");
    patch(&server, second, json!({"starts_at": "tomorrow"}))
        .await
        .assert_error(422, "invalid_start");
    patch(&server, second, json!({"time_zone": "Mars/Olympus"}))
        .await
        .assert_error(422, "unknown_time_zone");
    patch(&server, second, json!({"name": ""}))
        .await
        .assert_error(422, "invalid");
    patch(&server, second, json!({"colour": "red"}))
        .await
        .assert_error(422, "unknown_field");
    patch(&server, 999, json!({"name": "ghost"}))
        .await
        .assert_error(404, "unknown_event");
    // Cancelled: nothing changes any more.
    let cancel = format!("/api/admin/events/{second}/cancel");
    assert_eq!(
        server.post(&cancel, Some(ADMIN), json!({})).await.status,
        StatusCode::OK
    );
    patch(&server, second, json!({"name": "too late"}))
        .await
        .assert_error(409, "wrong_status");
    server.stop().await;
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sales_log_filters_pages_and_exports_csv() {
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = draft(&server, "Sales").await;
    let sales = format!("/api/admin/events/{event}/sales");
    // A draft has sold nothing.
    let empty = server.get(&sales, Some(ADMIN)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.body["total"], 0);
    let put = format!("/api/admin/events/{event}/on-sale");
    server.post(&put, Some(ADMIN), json!({})).await;
    server.wait_available(event, 20).await;
    let alice = server.sign_up("alice").await;
    let bob = server.sign_up("bob").await;
    buy(&server, &alice, event, "general", 2).await;
    buy(&server, &bob, event, BALCONY, 1).await;

    let all = server.get(&sales, Some(ADMIN)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body["order"], "oldest_first");
    assert_eq!(all.body["total"], 3);
    assert!(all.body["next_offset"].is_null());
    let rows = all.body["sales"].as_array().unwrap();
    let who: Vec<&str> = rows
        .iter()
        .map(|r| r["customer"].as_str().unwrap())
        .collect();
    assert_eq!(who, ["alice", "alice", "bob"], "oldest first");
    assert_eq!(rows[2]["ticket_type"], BALCONY);
    assert_eq!(rows[2]["price"], "35.00");

    let count = |answer: &support::Answer| answer.body["sales"].as_array().unwrap().len();
    let bobs = server
        .get(&format!("{sales}?customer=bob"), Some(ADMIN))
        .await;
    assert_eq!((count(&bobs), &bobs.body["total"]), (1, &json!(1)));
    let general = server
        .get(&format!("{sales}?type=general"), Some(ADMIN))
        .await;
    assert_eq!(count(&general), 2);
    let future = server
        .get(&format!("{sales}?since=2100-01-01T00:00:00Z"), Some(ADMIN))
        .await;
    assert_eq!(count(&future), 0);
    let past = server
        .get(&format!("{sales}?until=2100-01-01T00:00:00Z"), Some(ADMIN))
        .await;
    assert_eq!(count(&past), 3);
    // Paging: two pages of two, in the same order as the whole.
    let page1 = server.get(&format!("{sales}?limit=2"), Some(ADMIN)).await;
    assert_eq!((count(&page1), &page1.body["next_offset"]), (2, &json!(2)));
    let page2 = server
        .get(&format!("{sales}?limit=2&offset=2"), Some(ADMIN))
        .await;
    assert_eq!(page2.body["sales"][0], rows[2]);
    assert!(page2.body["next_offset"].is_null());

    // CSV, by format or by Accept: the header, then each row, the quoted
    // type name coming back intact.
    let by_format = server
        .client
        .get(format!("{}{sales}?format=csv", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(by_format.status(), StatusCode::OK);
    assert!(by_format.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = by_format.text().await.unwrap();
    let table = parse_csv(&text);
    assert_eq!(
        table[0][..4],
        ["ticket", "ticket_type", "vendor", "customer"]
    );
    assert_eq!(table.len(), 4, "{text}");
    assert_eq!((&*table[3][1], &*table[3][3]), (BALCONY, "bob"));
    let by_accept = server
        .client
        .get(format!("{}{sales}?customer=alice", server.base))
        .bearer_auth(ADMIN)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(parse_csv(&by_accept).len(), 3, "{by_accept}");

    // Bad filters are 422 naming the parameter.
    for (query, parameter) in [
        ("since=yesterday", "since"),
        ("until=2030-13-01", "until"),
        ("limit=lots", "limit"),
        ("limit=100000", "limit"),
        ("offset=-1", "offset"),
        ("format=xml", "format"),
        ("type=standing", "type"),
    ] {
        let bad = server.get(&format!("{sales}?{query}"), Some(ADMIN)).await;
        bad.assert_error(422, "invalid_filter");
        let message = bad.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(parameter), "{query}: {message}");
    }
    server
        .get(&format!("{sales}?colour=red"), Some(ADMIN))
        .await
        .assert_error(400, "bad_query");
    server
        .get(&sales, Some(&alice))
        .await
        .assert_error(403, "not_admin");
    server
        .get("/api/admin/events/999/sales", Some(ADMIN))
        .await
        .assert_error(404, "unknown_event");
    server.stop().await;
}
