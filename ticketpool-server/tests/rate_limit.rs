//! Rate limits: each customer has a bucket of their own (shared by their
//! tokens), callers without a known token are counted by address, and a
//! refusal is the API's JSON 429 with `Retry-After`.

mod support;

use std::num::NonZeroU32;

use reqwest::StatusCode;
use serde_json::json;
use support::{data_dir, TestServer, ADMIN};
use ticketpool_server::RateLimit;

/// Three at once, then one a minute: a test's requests never earn one back.
const STRICT: RateLimit = RateLimit {
    per_second: 1.0 / 60.0,
    burst: match NonZeroU32::new(3) {
        Some(burst) => burst,
        None => unreachable!(),
    },
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_customer_has_a_bucket_of_their_own() {
    let dir = data_dir();
    let server = TestServer::start_limited(dir.path(), Some(STRICT)).await;
    // Sign-ups come from one address: two of its three.
    let ann = server.sign_up("ann").await;
    let bob = server.sign_up("bob").await;
    for _ in 0..3 {
        assert_eq!(
            server.get("/api/me", Some(&ann)).await.status,
            StatusCode::OK
        );
    }
    let refused = server.get("/api/me", Some(&ann)).await;
    refused.assert_error(429, "rate_limited");
    let response = server
        .client
        .get(format!("{}/api/me", server.base))
        .bearer_auth(&ann)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "Retry-After: {retry_after}");

    // Bob's bucket is his own, and so is the admin's.
    assert_eq!(
        server.get("/api/me", Some(&bob)).await.status,
        StatusCode::OK
    );
    let second = server
        .post("/api/admin/customers/ann/tokens", Some(ADMIN), json!({}))
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    // A second token of Ann's draws on Ann's bucket.
    let ann_again = second.body["token"].as_str().unwrap();
    server
        .get("/api/me", Some(ann_again))
        .await
        .assert_error(429, "rate_limited");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_without_a_known_token_share_their_address_bucket() {
    let dir = data_dir();
    let server = TestServer::start_limited(dir.path(), Some(STRICT)).await;
    let ann = {
        // Ann signs up before the address's bucket is spent.
        server.sign_up("ann").await
    };
    assert_eq!(server.get("/api/events", None).await.status, StatusCode::OK);
    // Made-up tokens get no fresh bucket: they count against the address.
    assert_eq!(
        server.get("/api/me", Some("made-up-token")).await.status,
        StatusCode::UNAUTHORIZED
    );
    server
        .get("/api/events", None)
        .await
        .assert_error(429, "rate_limited");
    server
        .get("/api/me", Some("another-made-up-token"))
        .await
        .assert_error(429, "rate_limited");
    // A known customer is not held back by the address's bucket.
    assert_eq!(
        server.get("/api/me", Some(&ann)).await.status,
        StatusCode::OK
    );
    server.stop().await;
}
