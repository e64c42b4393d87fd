//! `ticketpool serve` as a process: it prints the URL it really listens
//! on, answers /healthz, keeps its data directory across a restart, and
//! SIGTERM stops it cleanly with exit 0; `--demo` sells at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

mod cli_support;

use self::cli_support::{run, scratch, text};

/// A `serve` process and its output so far.
struct Serving {
    child: Child,
    stdout: BufReader<ChildStdout>,
    printed: String,
}

/// Starts `ticketpool serve --addr 127.0.0.1:0 --data DATA ARGS...`.
fn serve(dir: &Path, data: &str, args: &[&str], token_env: Option<&str>) -> Serving {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ticketpool"));
    command
        .current_dir(dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--data", data])
        .args(args)
        .env_remove("TICKETPOOL_ADMIN_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(token) = token_env {
        command.env("TICKETPOOL_ADMIN_TOKEN", token);
    }
    let mut child = command.spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    Serving {
        child,
        stdout,
        printed: String::new(),
    }
}

impl Serving {
    /// Reads lines until one holds `needle` (the process prints it once
    /// it listens; a closed stdout means it died). Returns that line.
    fn line_with(&mut self, needle: &str) -> String {
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(
                n > 0,
                "serve exited before printing {needle:?}:\n{}",
                self.printed
            );
            self.printed.push_str(&line);
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// The `host:port` from the printed URL.
    fn addr(&mut self) -> String {
        let line = self.line_with("http://");
        let url = line.split("http://").nth(1).unwrap();
        url.split_whitespace().next().unwrap().to_owned()
    }

    /// SIGTERM, then the exit code and stderr.
    fn terminate(mut self) -> (Option<i32>, String) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own child's pid, with a valid signal.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            err.read_to_string(&mut stderr).unwrap();
        }
        (status.code(), stderr)
    }
}

/// `GET path` over plain HTTP/1.1; the status line and body.
fn get(addr: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or("").to_owned();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn serve_prints_its_url_answers_and_stops_on_sigterm_with_exit_0() {
    let dir = scratch("serve");
    let mut serving = serve(&dir, "data", &[], None);
    let addr = serving.addr();
    assert!(!addr.ends_with(":0"), "the real port: {addr}");
    let token = serving.line_with("admin token");
    assert!(
        token.trim().split(' ').next_back().unwrap().len() >= 32,
        "{token}"
    );
    let (status, body) = get(&addr, "/healthz");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"ok\""), "{body}");
    let (status, body) = get(&addr, "/api/nowhere");
    assert!(status.contains("404"), "{status}");
    assert!(body.contains("unknown_route"), "{body}");
    let (code, stderr) = serving.terminate();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.join("data").join("catalog.db").exists());
    assert!(dir.join("data").join("accounts.db").exists());

    // Again on the same directory, with a token from a file: reused.
    std::fs::write(dir.join("admin.token"), "a-long-enough-admin-token\n").unwrap();
    let mut serving = serve(&dir, "data", &["--admin-token-file", "admin.token"], None);
    let addr = serving.addr();
    assert!(
        !serving.printed.contains("admin token"),
        "{}",
        serving.printed
    );
    assert!(get(&addr, "/healthz").0.contains("200"));
    let (code, stderr) = serving.terminate();
    assert_eq!(code, Some(0), "{stderr}");
}

/// Whoever reads the URL may signal at once: the handlers are in place
/// before it is printed, so even an immediate SIGTERM stops it with exit 0
/// (a CI run once saw it killed instead, when they were registered later).
#[test]
fn sigterm_right_after_the_url_still_stops_it_cleanly() {
    let dir = scratch("serve-early-term");
    for round in 0..5 {
        let mut serving = serve(&dir, &format!("data{round}"), &[], None);
        serving.addr();
        let (code, stderr) = serving.terminate();
        assert_eq!(code, Some(0), "round {round}: {stderr}");
        assert!(stderr.contains("stopped"), "round {round}: {stderr}");
    }
}

#[test]
fn bad_serve_arguments_are_one_line_usage_errors() {
    let dir = scratch("serve-bad");
    let missing = run(
        &dir,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--admin-token-file",
            "nope",
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("--admin-token-file nope"));

    let out = Command::new(env!("CARGO_BIN_EXE_ticketpool"))
        .current_dir(&*dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--data", "d"])
        .env("TICKETPOOL_ADMIN_TOKEN", "short")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("at least 16 characters"));

    std::fs::write(dir.join("file"), "").unwrap();
    let file = run(&dir, &["serve", "--addr", "127.0.0.1:0", "--data", "file"]);
    assert_eq!(file.status.code(), Some(2));
    assert!(text(&file.stderr).contains("is not a directory"));

    let addr = run(&dir, &["serve", "--addr", "localhost"]);
    assert_eq!(addr.status.code(), Some(2));
    assert!(text(&addr.stderr).contains("--addr"));

    for bad in ["fast", "0", "-5", "NaN"] {
        let flag = format!("--rate-limit={bad}");
        let limit = run(&dir, &["serve", "--addr", "127.0.0.1:0", &flag]);
        assert_eq!(limit.status.code(), Some(2), "--rate-limit {bad}");
        let stderr = text(&limit.stderr);
        assert!(stderr.contains("--rate-limit"), "{stderr}");
        assert!(stderr.contains("requests a second"), "{stderr}");
    }
    assert!(!dir.join("ticketpool-data").exists(), "nothing created");
}

#[test]
fn a_bad_database_is_a_usage_error_naming_the_flag() {
    let dir = scratch("serve-bad-database");
    for bad in [
        "ticketpool.db",
        "mysql://root@127.0.0.1/test",
        "host=127.0.0.1",
    ] {
        let out = run(&dir, &["serve", "--addr", "127.0.0.1:0", "--database", bad]);
        assert_eq!(out.status.code(), Some(2), "--database {bad}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("--database"), "{stderr}");
        assert!(stderr.contains("postgres://"), "{stderr}");
    }
    // A URL the driver cannot read, a bad schema: still usage errors.
    let url = run(
        &dir,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            "postgres://u@h:port/db",
        ],
    );
    assert_eq!(url.status.code(), Some(2));
    assert!(
        text(&url.stderr).contains("--database"),
        "{}",
        text(&url.stderr)
    );
    let schema = run(
        &dir,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            "postgres://postgres@127.0.0.1:1/test",
            "--database-schema",
            "Bad Name",
        ],
    );
    assert_eq!(schema.status.code(), Some(2));
    let stderr = text(&schema.stderr);
    assert!(stderr.contains("--database-schema"), "{stderr}");
    // A schema without a database is a mistake, not ignored.
    let alone = run(&dir, &["serve", "--database-schema", "tp"]);
    assert_eq!(alone.status.code(), Some(2));
    // A server that does not answer: a runtime error naming it, no panic.
    let down = run(
        &dir,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            "postgres://postgres:hunter2@127.0.0.1:1/test?connect_timeout=2",
        ],
    );
    assert_eq!(down.status.code(), Some(1));
    let stderr = text(&down.stderr);
    assert!(stderr.contains("postgres@127.0.0.1:1/test"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stderr.contains("panicked"),
        "{stderr}"
    );
    let help = run(&dir, &["serve", "--help"]);
    let help = text(&help.stdout);
    assert!(help.contains("--database <postgres://"), "{help}");
    assert!(help.contains("--database-schema <PREFIX>"), "{help}");
}

/// Tickets sold of event `id`, from its page ("sold" in "availability").
fn sold(addr: &str, id: u64) -> u64 {
    let (status, body) = get(addr, &format!("/api/events/{id}"));
    assert!(status.contains("200"), "{status} {body}");
    let event: serde_json::Value = serde_json::from_str(&body).unwrap();
    event["availability"]["sold"].as_u64().unwrap()
}

#[test]
fn serve_demo_puts_events_on_sale_and_its_fans_buy() {
    let dir = scratch("serve-demo");
    let mut serving = serve(&dir, "data", &["--demo"], Some("a-long-enough-admin-token"));
    let addr = serving.addr();
    serving.line_with("demo:");
    let (_, body) = get(&addr, "/api/events?view=upcoming");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<u64> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{body}");
    // The fans' sales show up: poll the event page, with a generous guard.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while sold(&addr, ids[0]) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no demo sale:\n{}",
            serving.printed
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The frontend is served beside the API.
    let (status, page) = get(&addr, "/");
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("/assets/app.js"), "{page}");
    let (code, stderr) = serving.terminate();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn serve_help_tells_of_the_demo() {
    let dir = scratch("serve-help");
    let help = run(&dir, &["serve", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let help = text(&help.stdout);
    assert!(help.contains("--demo"), "{help}");
    assert!(help.contains("demo-fan"), "{help}");
}
