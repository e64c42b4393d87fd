//! Before the run: an event on sale through the admin API, its tickets
//! all released, and the customers signed up; and after it, a node's view
//! of the event once every hold has expired. It needs only [`nodes`]
//! beside it, so the HTTP cluster bench (benches/cluster_http) sets up
//! its runs with it too.
//!
//! [`nodes`]: super::nodes

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::nodes::PATIENCE;

/// The pause between two polls of an event page.
const POLL: Duration = Duration::from_millis(20);

/// A signed-up customer.
#[derive(Clone, Debug)]
pub struct Customer {
    /// Its account name (the sales table's `customer`).
    pub name: String,
    /// Its bearer token.
    pub token: String,
}

/// A POST with `token`; the status and JSON body.
async fn post(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Result<(StatusCode, Value), String> {
    let mut request = http.post(&url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let body = response.json().await.unwrap_or_default();
    Ok((status, body))
}

/// `POST url` that must answer `want`; its body.
async fn must(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
    want: StatusCode,
) -> Result<Value, String> {
    let (status, answer) = post(http, url.clone(), token, body).await?;
    if status == want {
        Ok(answer)
    } else {
        Err(format!("{url}: {status} {answer}"))
    }
}

/// A venue and an event of `tickets` "general" tickets (holds lasting
/// `hold_ms`, no purchase limit) put on sale at `base`, and `released` of
/// them released (all, unless the node sells from leases: then only what
/// it leased is in its office); its id.
pub async fn event_on_sale(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    tickets: u64,
    hold_ms: u64,
    released: u64,
) -> Result<u64, String> {
    let venue = must(
        http,
        format!("{base}/api/admin/venues"),
        Some(admin),
        json!({"name": "Olympia", "city": "Paris", "capacity": tickets}),
        StatusCode::CREATED,
    )
    .await?;
    let event = must(
        http,
        format!("{base}/api/admin/events"),
        Some(admin),
        json!({
            "name": "Jepsen at the Olympia",
            "venue": venue["id"],
            "starts_at": "2030-07-14T19:00:00Z",
            "time_zone": "Europe/Paris",
            "categories": ["jazz"],
            "office": {
                "event_name": "jepsen",
                "total_tickets": tickets,
                "max_capacity": tickets,
                "hold_ttl_ms": hold_ms,
                "ticket_types": [{"name": "general", "price": "20.00"}],
            },
        }),
        StatusCode::CREATED,
    )
    .await?;
    let id = event["id"].as_u64().ok_or("no event id")?;
    must(
        http,
        format!("{base}/api/admin/events/{id}/on-sale"),
        Some(admin),
        json!({}),
        StatusCode::OK,
    )
    .await?;
    // The house vendor releases the tickets in the background, one
    // journal commit each: on a machine whose disk is busy that can take
    // longer than PATIENCE for thousands, so only a stall of PATIENCE
    // (no ticket released) is a failure.
    let mut deadline = Instant::now() + PATIENCE;
    let mut seen = 0;
    loop {
        let page = event_page(http, base, id).await?;
        let now_released = page["availability"]["released"].as_u64().unwrap_or(0);
        if now_released >= released {
            return Ok(id);
        }
        if now_released > seen {
            seen = now_released;
            deadline = Instant::now() + PATIENCE;
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "no ticket released for {PATIENCE:?}, {now_released} of {released} \
                 (of {tickets}) released: {page}"
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Signs up `count` customers `<prefix>0`, `<prefix>1`, ... at `base`.
pub async fn sign_up(
    http: &reqwest::Client,
    base: &str,
    prefix: &str,
    count: usize,
) -> Result<Vec<Customer>, String> {
    let mut customers = Vec::with_capacity(count);
    for i in 0..count {
        let name = format!("{prefix}{i}");
        let answer = must(
            http,
            format!("{base}/api/signup"),
            None,
            json!({"name": name}),
            StatusCode::CREATED,
        )
        .await?;
        let token = answer["token"].as_str().ok_or("no token")?.to_owned();
        customers.push(Customer { name, token });
    }
    Ok(customers)
}

async fn event_page(http: &reqwest::Client, base: &str, event: u64) -> Result<Value, String> {
    let url = format!("{base}/api/events/{event}");
    let response = http
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    response.json().await.map_err(|e| format!("{url}: {e}"))
}

/// Node `node`'s view of `event`, (available, held), once it holds
/// nothing (every hold expired), or as it is after `hold_ms` and
/// [`PATIENCE`] (the checker then reports what is still held).
pub async fn settled_view(
    http: &reqwest::Client,
    node: usize,
    base: &str,
    event: u64,
    hold_ms: u64,
) -> Result<(u64, u64), String> {
    let deadline = Instant::now() + Duration::from_millis(hold_ms) + PATIENCE;
    loop {
        let page = event_page(http, base, event).await?;
        let count = |name: &str| page["availability"][name].as_u64();
        let (Some(available), Some(held)) = (count("available"), count("held")) else {
            return Err(format!("no availability at node {node}: {page}"));
        };
        if held == 0 || Instant::now() >= deadline {
            return Ok((available, held));
        }
        tokio::time::sleep(POLL).await;
    }
}
