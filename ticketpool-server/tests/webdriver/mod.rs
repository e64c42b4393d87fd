//! Headless Chromium driven by chromedriver over plain WebDriver HTTP
//! calls (moved from the retired dashboard's browser test). Finds the
//! programs, starts chromedriver in a process group of its own (so the
//! browser goes with it however the test ends), opens sessions, and waits
//! by polling the page for a condition, never by sleeping a fixed time.
#![allow(dead_code)] // each test file uses a part

use std::future::Future;
use std::net::TcpListener as StdListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use reqwest::{Client, Method};
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Longest wait for anything the page or chromedriver should do: a guard
/// against a hang, never reached when things work (even with every core
/// busy), not a timing assumption.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// The pause between two looks at the page.
const POLL: Duration = Duration::from_millis(50);

/// `name` from the environment variable `var`, or the first of `names`
/// found on `PATH`.
pub fn locate(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium and chromedriver, or why the test cannot run.
pub fn programs() -> Result<(PathBuf, PathBuf), &'static str> {
    let chromium = locate("CHROMIUM", &["chromium", "chromium-browser"])
        .ok_or("no chromium on PATH (apt-get install chromium chromium-driver, or set CHROMIUM)")?;
    let driver = locate("CHROMEDRIVER", &["chromedriver"])
        .ok_or("no chromedriver on PATH (apt-get install chromium-driver, or set CHROMEDRIVER)")?;
    Ok((chromium, driver))
}

/// Kills chromedriver and the browsers it started however the test ends:
/// the whole process group goes (killing chromedriver alone leaves
/// Chromium running after a failed test).
pub struct Process(Child);

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

/// A browser profile directory, removed however the test ends.
pub struct Scratch(pub PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running chromedriver.
pub struct Chromedriver {
    base: String,
    chromium: PathBuf,
    client: Client,
    // Last: the profiles go after the browsers.
    _process: Process,
}

impl Chromedriver {
    /// Starts chromedriver on a free port and waits until it says it is
    /// ready. A port found free can be taken before chromedriver binds it,
    /// so a chromedriver that exits early is retried on another port.
    pub async fn start(chromium: PathBuf, chromedriver: &Path) -> Self {
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
                        return Self {
                            base,
                            chromium,
                            client,
                            _process: process,
                        };
                    }
                }
                tokio::time::sleep(POLL).await;
            }
        }
        panic!("chromedriver did not become ready");
    }

    /// A new headless browser with its own profile in `profile`.
    pub async fn session(&self, profile: &Path) -> Browser {
        let session: Value = self
            .client
            .post(format!("{}/session", self.base))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": self.chromium,
                    "args": ["--headless", "--no-sandbox", "--disable-gpu",
                             "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                             "--window-size=1300,1100",
                             format!("--user-data-dir={}", profile.display())],
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
        Browser {
            client: self.client.clone(),
            session: format!("{}/session/{id}", self.base),
        }
    }
}

/// A WebDriver session.
pub struct Browser {
    client: Client,
    session: String,
}

impl Browser {
    /// One WebDriver command; its `value`.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        match self.try_call(method, path, body).await {
            Ok(value) => value,
            Err(error) => panic!("{error}"),
        }
    }

    /// One WebDriver command; its `value`, or the error it answered.
    async fn try_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}{path}", self.session);
        let mut request = self.client.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let value: Value = response.json().await.unwrap();
        if status.is_success() {
            Ok(value["value"].clone())
        } else {
            Err(format!(
                "{url}: {status} {}: {}",
                value["value"]["error"],
                value["value"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
            ))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Opens `url`.
    pub async fn open(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub async fn eval(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
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

    /// Clicks the element `css` selects (waiting until it is there and
    /// enabled).
    pub async fn click(&self, css: &str) {
        self.wait_js(
            &format!("{css} to be clickable"),
            "const e = document.querySelector(arguments[0]); return !!e && !e.disabled;",
            json!([css]),
        )
        .await;
        // The page may redraw the element between finding and clicking
        // it (a list reloaded): find it again then.
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let element = self.find(css).await;
            let clicked = self
                .try_call(
                    Method::POST,
                    &format!("/element/{element}/click"),
                    Some(json!({})),
                )
                .await;
            match clicked {
                Ok(_) => return,
                Err(error) if error.contains("stale element") => {
                    assert!(tokio::time::Instant::now() < deadline, "{css}: {error}");
                }
                Err(error) => panic!("clicking {css}: {error}"),
            }
        }
    }

    /// Types `text` into the field `css` selects (once it is there).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait_for_element(css).await;
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/clear"), json!({}))
            .await;
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// The text of the first element `css` selects ("" if none).
    pub async fn text(&self, css: &str) -> String {
        let script =
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';";
        let value = self.eval(script, json!([css])).await;
        value.as_str().unwrap_or_default().trim().to_owned()
    }

    /// Waits until an element matches `css`.
    pub async fn wait_for_element(&self, css: &str) {
        self.wait_js(
            &format!("an element {css}"),
            "return !!document.querySelector(arguments[0]);",
            json!([css]),
        )
        .await;
    }

    /// Waits until the text of `css` passes `check`; the text then.
    pub async fn wait_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let text = self.text(css).await;
            if check(&text) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting on the text of {css}: {text:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until `script` returns true in the page.
    pub async fn wait_js(&self, what: &str, script: &str, args: Value) {
        self.wait_for(what, || async {
            self.eval(script, args.clone()).await == Value::Bool(true)
        })
        .await;
    }

    /// Waits until `check` holds; fails only after [`PATIENCE`].
    pub async fn wait_for<F, Fut>(&self, what: &str, mut check: F)
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
            tokio::time::sleep(POLL).await;
        }
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let shot = self.call(Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        png
    }

    /// Ends the session (its browser exits).
    pub async fn quit(self) {
        self.call(Method::DELETE, "", None).await;
    }
}

/// Where cargo builds: screenshots go there.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}
