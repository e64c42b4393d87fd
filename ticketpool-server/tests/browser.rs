//! The frontend end to end in headless Chromium (chromedriver over plain
//! WebDriver HTTP calls): a customer signs up, searches, opens the event,
//! reserves, sees the countdown, confirms and finds the ticket in "my
//! tickets"; an admin in a second browser pauses the sale and the
//! customer's event page shows it paused, then resumes it and watches the
//! live charts draw the customer's next purchase, creates an event from
//! the form and grants the customer VIP; the customer cancels a hold from
//! "my holds"; the admin edits the event (a bad time zone refused, a new
//! name saved) and closes its sales after confirming, and the customer's
//! page says the sales are closed. A customer finds none free, waits in line and watches
//! the place, while the admin changes a vendor's rate in the vendors
//! panel; another customer cancels, the waiting one gets the hold, books
//! it, and the admin finds the sale in the sales log. And with `--demo`, a
//! visitor sees the demo events, one of them selling, and the charts
//! filling. Two customers on a seated event: a seat one holds turns
//! unavailable on the other's seat map, live, then sold. Screenshots go to
//! `target/frontend-{event,admin,browse,demo,seats}.png`
//! (and to `docs/` when `TICKETPOOL_UPDATE_SCREENSHOT=1`).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test-all.sh`
//! installs them); without them the test prints `SKIPPED: ...` and passes.
//! `CHROMIUM` and `CHROMEDRIVER` override where they are looked for.

mod support;
mod webdriver;

use std::path::Path;

use serde_json::{json, Value};
use support::{data_dir, TestServer, ADMIN};
use webdriver::{programs, target_dir, Browser, Chromedriver, Scratch};

/// Nothing the page did was blocked by its CSP or threw.
async fn assert_no_page_problems(browser: &Browser, page: &str) {
    let problems = browser.eval("return window.pageProblems;", json!([])).await;
    assert_eq!(problems, json!([]), "on the {page} page");
}

fn save(png: &[u8], name: &str) {
    let path = target_dir().join(name);
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
    if std::env::var_os("TICKETPOOL_UPDATE_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
        std::fs::create_dir_all(&docs).unwrap();
        let docs = docs.join(name);
        std::fs::write(&docs, png).unwrap();
        println!("screenshot: {}", docs.display());
    }
}

/// Reserves the event page's default ("any") type, waits for the hold's
/// countdown, confirms, and waits for the booking.
async fn reserve_and_confirm(customer: &Browser) {
    customer.click("#reserve-button").await;
    customer
        .wait_text("#countdown", |t| {
            t.split_once(':')
                .is_some_and(|(m, s)| m.parse::<u32>().is_ok() && s.len() == 2)
        })
        .await;
    customer.click("#confirm-button").await;
    customer
        .wait_text("#booking-result", |t| t.starts_with("Booked"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_books_and_an_admin_pauses_in_headless_chromium() {
    let (chromium, chromedriver) = match programs() {
        Ok(found) => found,
        Err(reason) => {
            println!("SKIPPED: {reason}");
            return;
        }
    };
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.event_on_sale(40, 4).await;
    let base = server.base.clone();

    // The pages' headers: only this origin, no sniffing.
    let page = server.client.get(format!("{base}/")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    // Declared before chromedriver, so they are removed after the browsers.
    let profiles = Scratch(std::env::temp_dir().join(format!(
        "ticketpool-frontend-profiles-{}",
        std::process::id()
    )));
    let driver = Chromedriver::start(chromium, &chromedriver).await;
    let customer = driver.session(&profiles.0.join("customer")).await;
    let admin = driver.session(&profiles.0.join("admin")).await;

    // Sign up: the token is kept, the header says who.
    customer.open(&format!("{base}/#/account")).await;
    customer.type_into("#signup-name", "browser-ann").await;
    customer.click("#signup-button").await;
    customer
        .wait_text("#who", |t| t == "signed in as browser-ann")
        .await;
    let token = customer
        .eval(
            "return localStorage.getItem('ticketpool.token');",
            json!([]),
        )
        .await;
    assert!(token.as_str().is_some_and(|t| t.len() >= 32), "{token}");

    // Search, and open the event from the hits.
    customer.open(&format!("{base}/#/")).await;
    customer.type_into("#search-q", "jazz").await;
    customer.click("#search-button").await;
    customer
        .wait_for_element("#search-results .event-card a")
        .await;
    assert_eq!(
        customer.text("#search-results .event-card a").await,
        "Jazz at the Olympia"
    );
    customer.click("#search-results .event-card a").await;
    customer
        .wait_text("#event-name", |t| t == "Jazz at the Olympia")
        .await;
    customer.wait_text("#sale-status", |t| t == "on sale").await;

    // Reserve (a countdown runs), confirm: booked.
    reserve_and_confirm(&customer).await;
    assert_no_page_problems(&customer, "event").await;
    save(&customer.screenshot().await, "frontend-event.png");

    // My tickets lists it.
    customer.open(&format!("{base}/#/mine")).await;
    customer.wait_for_element("#tickets tr[data-ticket]").await;
    let row = customer.text("#tickets tr[data-ticket]").await;
    assert!(row.contains("Jazz at the Olympia"), "{row}");
    assert_eq!(server.my_tickets(token.as_str().unwrap()).await.len(), 1);

    // Back on the event page, the customer watches while the admin, in
    // another browser, pauses the sale.
    customer.open(&format!("{base}/#/event/{event}")).await;
    customer.wait_text("#sale-status", |t| t == "on sale").await;
    admin.open(&format!("{base}/#/admin")).await;
    admin.type_into("#admin-token", ADMIN).await;
    admin.click("#admin-save").await;
    let row = format!("tr[data-event-id=\"{event}\"]");
    admin.click(&format!("{row} button.pause")).await;
    admin
        .wait_text(&format!("{row} .status"), |t| t == "paused")
        .await;
    customer.wait_text("#sale-status", |t| t == "paused").await;
    let status = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(status.body["status"], "paused", "{}", status.body);

    // Resumed: the customer sees it on sale again; the admin's charts
    // draw the next purchase.
    admin.click(&format!("{row} button.resume")).await;
    customer.wait_text("#sale-status", |t| t == "on sale").await;
    admin.click(&format!("{row} button.chart")).await;
    admin.wait_for_element("#charts .uplot").await;
    let points = || async {
        let value: Value = admin
            .eval(
                "return Number(document.getElementById('charts').dataset.points || 0);",
                json!([]),
            )
            .await;
        value.as_u64().unwrap_or(0)
    };
    let before = points().await;
    reserve_and_confirm(&customer).await;
    admin
        .wait_for("a new point on the charts", || async {
            points().await > before
        })
        .await;
    // The axes are drawn on canvases; each chart says what they show.
    let axes = admin
        .eval(
            "return [...document.querySelectorAll('#charts .chart')]\
             .map((c) => c.getAttribute('aria-label')).join(' | ');",
            json!([]),
        )
        .await;
    let axes = axes.as_str().unwrap_or_default();
    for label in ["tickets sold", "price", "general", "over time"] {
        assert!(axes.contains(label), "no {label:?} on the charts: {axes}");
    }
    assert_no_page_problems(&admin, "admin").await;
    assert_eq!(server.my_tickets(token.as_str().unwrap()).await.len(), 2);

    // The admin creates an event from the form (on sale at once) and
    // makes the customer a VIP.
    admin.type_into("#new-name", "Browser Festival").await;
    admin.click("#create-button").await;
    let created = admin
        .wait_text("#create-result", |t| t.starts_with("Created event"))
        .await;
    assert!(created.ends_with(", on sale."), "{created}");
    let found = server.get("/api/search?q=festival", None).await;
    assert_eq!(
        found.body["events"][0]["status"], "on_sale",
        "{}",
        found.body
    );
    admin.type_into("#vip-name", "browser-ann").await;
    admin.click("#vip-grant").await;
    admin
        .wait_text("#vip-result", |t| t == "browser-ann is now a VIP.")
        .await;

    // A hold shows under "my holds" with its countdown; cancelling it
    // there empties the list.
    customer.click("#reserve-button").await;
    customer.wait_for_element("#countdown").await;
    customer.open(&format!("{base}/#/mine")).await;
    customer
        .wait_text("#who", |t| t == "signed in as browser-ann (VIP)")
        .await;
    customer.wait_for_element("#holds li[data-hold]").await;
    customer.click("#holds li[data-hold] button.danger").await;
    customer
        .wait_text("#holds", |t| t == "No open holds.")
        .await;
    assert_no_page_problems(&customer, "my tickets").await;
    customer.open(&format!("{base}/#/event/{event}")).await;
    customer.wait_text("#sale-status", |t| t == "on sale").await;

    // The admin edits the event: a bad time zone is refused readably,
    // then the new name is saved.
    admin.click(&format!("{row} button.edit")).await;
    admin.type_into("#edit-zone", "Mars/Olympus").await;
    admin.click("#edit-save").await;
    admin
        .wait_text("#edit-result", |t| t.ends_with("(unknown_time_zone)"))
        .await;
    admin.type_into("#edit-zone", "Europe/Paris").await;
    admin
        .type_into("#edit-name", "Jazz at the Olympia, late")
        .await;
    admin.click("#edit-save").await;
    admin
        .wait_text("#edit-result", |t| t == "Saved Jazz at the Olympia, late.")
        .await;
    // Then closes the sales, confirming first; the customer's page says so.
    admin.click(&format!("{row} button.close-sales")).await;
    admin.click(&format!("{row} .confirm-yes")).await;
    admin
        .wait_text(&format!("{row} .status"), |t| t == "sales closed")
        .await;
    customer
        .wait_text("#sale-status", |t| t == "sales closed")
        .await;
    let note = customer
        .wait_text("#sale-note", |t| t.starts_with("Sales are closed"))
        .await;
    assert!(note.contains("stay valid"), "{note}");
    let closed = server.get(&format!("/api/events/{event}"), None).await;
    assert_eq!(
        (&closed.body["status"], &closed.body["name"]),
        (&json!("closed"), &json!("Jazz at the Olympia, late")),
        "{}",
        closed.body
    );
    assert_eq!(server.my_tickets(token.as_str().unwrap()).await.len(), 2);
    assert_no_page_problems(&customer, "closed event").await;

    admin
        .eval(
            "document.getElementById('charts').scrollIntoView();",
            json!([]),
        )
        .await;
    save(&admin.screenshot().await, "frontend-admin.png");

    customer.quit().await;
    admin.quit().await;
    drop(driver);
    drop(profiles);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_waits_in_line_while_the_admin_runs_vendors_in_headless_chromium() {
    let (chromium, chromedriver) = match programs() {
        Ok(found) => found,
        Err(reason) => {
            println!("SKIPPED: {reason}");
            return;
        }
    };
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let base = server.base.clone();
    // One ticket, held by someone else: none is free.
    let event = server.event_on_sale(1, 4).await;
    let holder = server.sign_up("holder").await;
    let held = server
        .reserve(&holder, event, json!({"ticket_type": "general"}), None)
        .await;
    assert_eq!(held.status.as_u16(), 201, "{}", held.body);
    let hold = held.body["id"].as_str().unwrap().to_owned();
    let vendors = server
        .get(&format!("/api/admin/events/{event}/vendors"), Some(ADMIN))
        .await;
    let vendor = vendors.body["vendors"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();

    let profiles = Scratch(
        std::env::temp_dir().join(format!("ticketpool-line-profiles-{}", std::process::id())),
    );
    let driver = Chromedriver::start(chromium, &chromedriver).await;
    let customer = driver.session(&profiles.0.join("customer")).await;
    let admin = driver.session(&profiles.0.join("admin")).await;

    // Signed up through the API; the page keeps the token as after a sign-up.
    let token = server.sign_up("line-lou").await;
    customer.open(&format!("{base}/#/account")).await;
    customer
        .eval(
            "localStorage.setItem('ticketpool.token', arguments[0]);\
             localStorage.setItem('ticketpool.name', 'line-lou');",
            json!([token]),
        )
        .await;
    customer.open(&format!("{base}/#/event/{event}")).await;
    customer.wait_text("#sale-status", |t| t == "on sale").await;
    customer.click("#reserve-button").await;
    customer
        .wait_text("#booking-result", |t| t.contains("none_available"))
        .await;
    customer.click("#wait-button").await;
    customer.wait_text("#place-in-line", |t| t == "1").await;

    // Meanwhile the admin lists the events (drafts too) and changes the
    // vendor's rate in the vendors panel.
    admin.open(&format!("{base}/#/admin")).await;
    admin.type_into("#admin-token", ADMIN).await;
    admin.click("#admin-save").await;
    let row = format!("tr[data-event-id=\"{event}\"]");
    admin.click(&format!("{row} button.vendors")).await;
    let vendor_row = format!("#admin-vendors tr[data-vendor=\"{vendor}\"]");
    admin
        .type_into(&format!("{vendor_row} .rate-input"), "7.5")
        .await;
    admin.click(&format!("{vendor_row} button.set-rate")).await;
    admin
        .wait_text(&format!("{vendor_row} .rate"), |t| t == "7.5")
        .await;
    let listed = server
        .get(&format!("/api/admin/events/{event}/vendors"), Some(ADMIN))
        .await;
    assert_eq!(listed.body["vendors"][0]["rate_per_second"], 7.5);
    assert_no_page_problems(&admin, "admin").await;

    // The holder cancels: the ticket goes to the line, the waiting
    // customer's page shows the hold and books it.
    let cancelled = server
        .call(
            reqwest::Method::DELETE,
            &format!("/api/holds/{hold}"),
            Some(&holder),
            None,
        )
        .await;
    assert_eq!(cancelled.status.as_u16(), 200, "{}", cancelled.body);
    customer.wait_for_element("#countdown").await;
    customer.click("#confirm-button").await;
    customer
        .wait_text("#booking-result", |t| t.starts_with("Booked"))
        .await;
    assert_no_page_problems(&customer, "event").await;
    assert_eq!(server.my_tickets(&token).await.len(), 1);

    // The sale is in the admin's sales log.
    admin.click(&format!("{row} button.sales")).await;
    admin
        .wait_text("#admin-sales tr[data-ticket] .customer", |t| {
            t == "line-lou"
        })
        .await;
    assert_no_page_problems(&admin, "admin").await;

    customer.quit().await;
    admin.quit().await;
    drop(driver);
    drop(profiles);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_sale_moves_in_headless_chromium() {
    let (chromium, chromedriver) = match programs() {
        Ok(found) => found,
        Err(reason) => {
            println!("SKIPPED: {reason}");
            return;
        }
    };
    let dir = data_dir();
    let server = TestServer::start_with(dir.path(), |config| config.demo = true).await;
    let base = server.base.clone();
    let profiles = Scratch(
        std::env::temp_dir().join(format!("ticketpool-demo-profiles-{}", std::process::id())),
    );
    let driver = Chromedriver::start(chromium, &chromedriver).await;
    let visitor = driver.session(&profiles.0.join("visitor")).await;

    // The front page lists the demo events; the first one's page sells.
    visitor.open(&format!("{base}/")).await;
    visitor.wait_for_element("#upcoming .event-card").await;
    let cards = visitor
        .eval(
            "return document.querySelectorAll('#upcoming .event-card').length;",
            json!([]),
        )
        .await;
    assert_eq!(cards, json!(3));
    save(&visitor.screenshot().await, "frontend-browse.png");
    visitor.click("#upcoming .event-card a").await;
    visitor.wait_text("#sale-status", |t| t == "on sale").await;
    // "N available, N held, N sold of N": the sold count.
    let sold = |text: &str| {
        text.split(", ")
            .find_map(|part| part.split_once(" sold of"))
            .and_then(|(n, _)| n.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let first = sold(&visitor.wait_text("#totals", |t| !t.is_empty()).await);
    visitor.wait_text("#totals", |t| sold(t) > first).await;

    // The admin's charts fill while the fans buy.
    visitor.open(&format!("{base}/#/admin")).await;
    visitor.type_into("#admin-token", ADMIN).await;
    visitor.click("#admin-save").await;
    visitor.click("tr[data-event-id=\"1\"] button.chart").await;
    visitor
        .wait_js(
            "twenty points on the charts",
            "return Number(document.getElementById('charts').dataset.points || 0) >= 20;",
            json!([]),
        )
        .await;
    assert_no_page_problems(&visitor, "admin").await;
    visitor
        .eval(
            "document.getElementById('charts').scrollIntoView();",
            json!([]),
        )
        .await;
    save(&visitor.screenshot().await, "frontend-demo.png");

    visitor.quit().await;
    drop(driver);
    drop(profiles);
    server.stop().await;
}

/// Signs `name` up in `browser` (the account page) and opens `event`.
async fn sign_up_and_open(browser: &Browser, base: &str, name: &str, event: u64) {
    browser.open(&format!("{base}/#/account")).await;
    browser.type_into("#signup-name", name).await;
    browser.click("#signup-button").await;
    browser
        .wait_text("#who", |t| t == format!("signed in as {name}"))
        .await;
    browser.open(&format!("{base}/#/event/{event}")).await;
    browser.wait_for_element("#seat-map circle").await;
}

/// The state the seat map in `browser` shows for `label`.
async fn seat_state(browser: &Browser, label: &str) -> Value {
    browser
        .eval(
            "const e = document.querySelector(`#seat-map [data-seat=\"${arguments[0]}\"]`); \
             return e ? e.getAttribute('data-state') : null;",
            json!([label]),
        )
        .await
}

/// Waits until `browser`'s seat map shows `label` in `state`.
async fn wait_seat(browser: &Browser, label: &str, state: &str) {
    browser
        .wait_js(
            &format!("{label} {state} in the seat map"),
            "const e = document.querySelector(`#seat-map [data-seat=\"${arguments[0]}\"]`); \
             return !!e && e.getAttribute('data-state') === arguments[1];",
            json!([label, state]),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seat_one_browser_holds_turns_unavailable_in_the_other() {
    let (chromium, chromedriver) = match programs() {
        Ok(found) => found,
        Err(reason) => {
            println!("SKIPPED: {reason}");
            return;
        }
    };
    let dir = data_dir();
    let server = TestServer::start_in(dir.path()).await;
    let event = server.seated_event(10, 600_000).await;
    let base = server.base.clone();
    let profiles = Scratch(
        std::env::temp_dir().join(format!("ticketpool-seat-profiles-{}", std::process::id())),
    );
    let driver = Chromedriver::start(chromium, &chromedriver).await;
    let ann = driver.session(&profiles.0.join("ann")).await;
    let bob = driver.session(&profiles.0.join("bob")).await;
    sign_up_and_open(&ann, &base, "seat-ann", event).await;
    sign_up_and_open(&bob, &base, "seat-bob", event).await;
    assert_eq!(seat_state(&bob, "Stalls A-4").await, "available");

    // Ann picks two seats and holds them; Bob's map greys them out live.
    ann.click("#seat-map [data-seat=\"Stalls A-4\"]").await;
    ann.click("#seat-map [data-seat=\"Stalls A-5\"]").await;
    ann.wait_text("#seats-picked", |t| t.contains("Stalls A-5"))
        .await;
    ann.click("#reserve-seats").await;
    ann.wait_text("#countdown", |t| t.contains(':')).await;
    for seat in ["Stalls A-4", "Stalls A-5"] {
        wait_seat(&bob, seat, "held").await;
    }
    // Bob cannot pick it now; he holds another one.
    bob.click("#seat-map [data-seat=\"Stalls A-4\"]").await;
    assert_eq!(bob.text("#seats-picked").await, "No seat picked.");

    // Ann confirms: sold in both, and in her tickets with the seat.
    ann.click("#confirm-button").await;
    ann.wait_text("#booking-result", |t| t.starts_with("Booked"))
        .await;
    wait_seat(&bob, "Stalls A-5", "sold").await;
    assert_no_page_problems(&ann, "seated event").await;
    assert_no_page_problems(&bob, "seated event").await;
    save(&bob.screenshot().await, "frontend-seats.png");
    ann.quit().await;
    bob.quit().await;
    drop(driver);
    server.stop().await;
}
