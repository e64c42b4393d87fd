//! The dashboard in a real browser: headless Chromium driven by
//! chromedriver over plain WebDriver HTTP calls. Opens the page, sees the
//! sold count move while the driver runs, pauses and sees releases stop,
//! buys a ticket through the form and sees it in the feed, and saves a
//! screenshot to `target/dashboard-screenshot.png` (and to
//! `docs/dashboard.png` when `TICKETPOOL_UPDATE_SCREENSHOT=1`).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test-all.sh`
//! installs them); without them the test prints `SKIPPED: ...` and passes.
//! `CHROMIUM` and `CHROMEDRIVER` override where they are looked for.

use std::future::{Future, IntoFuture};
use std::net::TcpListener as StdListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::Client;
use serde_json::{json, Value};

use ticketpool_core::{BoxOffice, BoxOfficeConfig};
use ticketpool_dashboard::{api, app, driver};

const TOKEN: &str = "browser-token";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Longest wait for anything the page or chromedriver should do: a guard
/// against a hang, never reached when things work (even with every core
/// busy), not a timing assumption.
const PATIENCE: Duration = Duration::from_secs(90);

/// Snapshots a "nothing changes" check watches the page take in.
const QUIET_SNAPSHOTS: u64 = 4;

/// `name` from the environment variable `var`, or the first of `names`
/// found on `PATH`.
fn locate(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Kills chromedriver and the browser it started however the test ends:
/// chromedriver runs in a process group of its own, and the whole group
/// goes (killing chromedriver alone leaves Chromium running after a
/// failed test).
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Removes the browser profile however the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A WebDriver session.
struct Browser {
    client: Client,
    session: String,
}

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let mut request = self.client.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let value: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{url}: {status} {value}");
        value["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {found}"))
            .to_owned()
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/click"), json!({}))
            .await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// The text of the element with `id`.
    async fn text(&self, id: &str) -> String {
        let script = "return document.getElementById(arguments[0]).textContent;";
        let value = self
            .post("/execute/sync", json!({"script": script, "args": [id]}))
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    async fn number(&self, id: &str) -> u64 {
        self.text(id).await.trim().parse().unwrap_or(0)
    }

    /// How many snapshots the page has drawn (`snapshotsShown` in app.js).
    async fn snapshots_shown(&self) -> u64 {
        let script = "return snapshotsShown;";
        let value = self
            .post("/execute/sync", json!({"script": script, "args": []}))
            .await;
        value
            .as_u64()
            .unwrap_or_else(|| panic!("snapshotsShown: {value}"))
    }

    /// Waits until the page has drawn `count` more snapshots: a window
    /// measured in what the page saw, not in time.
    async fn wait_for_snapshots(&self, count: u64) {
        let seen = self.snapshots_shown().await;
        self.wait_for("more snapshots on the page", || async {
            self.snapshots_shown().await >= seen + count
        })
        .await;
    }

    /// Waits until `check` holds; fails only after [`PATIENCE`].
    async fn wait_for<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !check().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting: {what}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver on a free port and waits until it says it is ready.
/// A port found free can be taken before chromedriver binds it, so a
/// chromedriver that exits early is retried on another port.
async fn start_chromedriver(chromedriver: &Path) -> (Process, String) {
    let client = Client::new();
    for _ in 0..5 {
        let port = free_port();
        let mut process = Process(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .process_group(0)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("cannot start chromedriver"),
        );
        let base = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while tokio::time::Instant::now() < deadline {
            if process.0.try_wait().unwrap().is_some() {
                break; // exited: most likely the port was taken
            }
            if let Ok(response) = client.get(format!("{base}/status")).send().await {
                let status: Value = response.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    return (process, base);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    panic!("chromedriver did not become ready");
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_in_headless_chromium() {
    let Some(chromium) = locate("CHROMIUM", &["chromium", "chromium-browser"]) else {
        println!("SKIPPED: no chromium on PATH (apt-get install chromium chromium-driver, or set CHROMIUM)");
        return;
    };
    let Some(chromedriver) = locate("CHROMEDRIVER", &["chromedriver"]) else {
        println!("SKIPPED: no chromedriver on PATH (apt-get install chromium-driver, or set CHROMEDRIVER)");
        return;
    };

    // The office and its driver: two vendors, slow simulated fans so the
    // feed keeps a purchase on screen for a while.
    let config = BoxOfficeConfig::from_toml_str(
        r#"
        event_name = "Browser test"
        total_tickets = 100000
        max_capacity = 150
        hold_ttl_ms = 2000
        purchase_limit = 4
        [[ticket_types]]
        name = "stalls"
        price = 45.00
        [[ticket_types]]
        name = "balcony"
        price = 25.00
        "#,
    )
    .unwrap();
    let office = BoxOffice::new(config).unwrap();
    let driver = driver::Driver::new(office.clone());
    driver.add_vendor("north", 40.0, &[]).unwrap();
    driver.add_vendor("south", 25.0, &["balcony"]).unwrap();
    driver.spawn_customers(2, 4.0);
    let app = app::App::new(office, driver, TOKEN.to_owned());
    app.start_feed();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, api::router(Arc::clone(&app))).into_future());

    // Declared before chromedriver, so it is removed after the browser is gone.
    let profile = Scratch(std::env::temp_dir().join(format!(
        "ticketpool-chromium-profile-{}-dashboard_in_headless_chromium",
        std::process::id()
    )));
    let (_chromedriver, base) = start_chromedriver(&chromedriver).await;
    let client = Client::new();
    let session: Value = client
        .post(format!("{base}/session"))
        .json(&json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                         "--window-size=1400,1100",
                         format!("--user-data-dir={}", profile.0.display())],
            }
        }}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"));
    let browser = Browser {
        client: client.clone(),
        session: format!("{base}/session/{id}"),
    };

    browser.post("/url", json!({ "url": page })).await;

    // The numbers move while the driver runs.
    browser
        .wait_for("a first sale on the page", || async {
            browser.number("sold").await > 0
        })
        .await;
    let sold = browser.number("sold").await;
    browser
        .wait_for("the sold count to grow", || async {
            browser.number("sold").await > sold
        })
        .await;
    assert_eq!(browser.text("status").await, "live");

    // Pause from the admin panel: releases stop.
    browser.type_into("#admin-token", TOKEN).await;
    browser.click("#pause").await;
    browser
        .wait_for("the paused badge", || async {
            browser.text("status").await == "paused"
        })
        .await;
    assert!(app.office.snapshot().paused);
    // Once paused the office releases nothing more, so its count is final;
    // the page catches up to it, then must stay there for several snapshots.
    let released = app.office.snapshot().totals.released;
    browser
        .wait_for("the page to show the paused count", || async {
            browser.number("released").await == released
        })
        .await;
    browser.wait_for_snapshots(QUIET_SNAPSHOTS).await;
    assert_eq!(
        browser.number("released").await,
        released,
        "releases went on while paused"
    );
    assert_eq!(app.office.snapshot().totals.released, released);
    browser.click("#resume").await;
    browser
        .wait_for("the live badge again", || async {
            browser.text("status").await == "live"
        })
        .await;
    browser
        .wait_for("releases to go on", || async {
            browser.number("released").await > released
        })
        .await;

    // Buy through the form: the result shows and the sale is in the feed.
    browser.type_into("#customer", "browser-buyer").await;
    browser.click("#vip").await;
    browser.click("#buy-button").await;
    browser
        .wait_for("the purchase result", || async {
            browser.text("buy-result").await.starts_with("bought #")
        })
        .await;
    browser
        .wait_for("the sale in the feed", || async {
            browser
                .text("feed")
                .await
                .contains("to browser-buyer (VIP)")
        })
        .await;
    assert_eq!(app.office.sales_of_customer("browser-buyer").len(), 1);
    // A few more snapshots so the chart has a history, from the top.
    browser
        .post(
            "/execute/sync",
            json!({"script": "window.scrollTo(0, 0);", "args": []}),
        )
        .await;
    browser.wait_for_snapshots(6).await;

    let shot = browser
        .call(reqwest::Method::GET, "/screenshot", None)
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot.as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let path = target_dir().join("dashboard-screenshot.png");
    std::fs::create_dir_all(target_dir()).unwrap();
    std::fs::write(&path, &png).unwrap();
    println!("screenshot: {}", path.display());
    if std::env::var_os("TICKETPOOL_UPDATE_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/dashboard.png");
        std::fs::write(&docs, &png).unwrap();
        println!("screenshot: {}", docs.display());
    }

    browser.call(reqwest::Method::DELETE, "", None).await;
    drop(profile);
    app.driver.stop();
    app.office.close();
}
