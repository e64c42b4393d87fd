//! The nodes: `ticketpool serve` child processes on one PostgreSQL schema
//! prefix, each on a free loopback port (port 0: the node prints the one
//! it got) and a data directory of its own, killed with SIGKILL and
//! restarted by the nemesis. A node is ready once its /healthz answers 200.
//! The HTTP cluster bench (benches/cluster_http) starts its nodes with it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a node may take to print its URL or become healthy on a
/// loaded machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The pause between two polls of /healthz.
const POLL: Duration = Duration::from_millis(20);

/// What every node of a cluster shares.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// The PostgreSQL URL (`--database`).
    pub database: String,
    /// The catalog's schema; events' sales go there too, keyed by event.
    pub schema: String,
    /// The admin token the nodes accept.
    pub admin_token: String,
    /// The run's directory: each node's data directory and log go there.
    pub dir: PathBuf,
    /// Lease mode: node `i` runs as `--lease-node node-<i>` with leases
    /// of this long; `None`: every node sells from the journals.
    pub lease_ttl: Option<Duration>,
}

/// Why a node did not come up.
#[derive(Debug)]
pub enum NodeError {
    /// The process could not be started.
    Spawn(std::io::Error),
    /// It exited, or printed no URL, before being ready; its stderr is in `log`.
    NotReady {
        /// The node.
        node: usize,
        /// What went wrong.
        why: String,
        /// Its stderr.
        log: PathBuf,
    },
}

/// One node: its process while it runs, and its address.
pub struct Node {
    /// Its place in the cluster.
    pub index: usize,
    config: NodeConfig,
    child: Option<Child>,
    base: Option<String>,
    /// How many times it was started.
    pub starts: u32,
}

impl Node {
    /// Node `index` of a cluster sharing `config`, not started.
    pub fn new(index: usize, config: NodeConfig) -> Self {
        Self {
            index,
            config,
            child: None,
            base: None,
            starts: 0,
        }
    }

    /// Its stderr, appended to across restarts.
    pub fn log(&self) -> PathBuf {
        self.config.dir.join(format!("node-{}.log", self.index))
    }

    /// `http://127.0.0.1:PORT` while it runs.
    pub fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }

    /// Its process id while it runs (the cluster bench reads its CPU time).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref()?.id()
    }

    /// Starts `ticketpool serve` and waits until its /healthz answers 200;
    /// its base URL.
    pub async fn start(&mut self, http: &reqwest::Client) -> Result<String, NodeError> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .map_err(NodeError::Spawn)?;
        let data = self.config.dir.join(format!("node-{}-data", self.index));
        let mut child = Command::new(env!("CARGO_BIN_EXE_ticketpool"))
            .current_dir(&self.config.dir)
            .args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "off"])
            // Journal failures and refusals in its log, for a failed run.
            .args(["--log-level", "warn"])
            .arg("--data")
            .arg(&data)
            .args(["--database", &self.config.database])
            .args(["--database-schema", &self.config.schema])
            .args(self.config.lease_ttl.map_or_else(Vec::new, |ttl| {
                vec![
                    "--lease-node".to_owned(),
                    format!("node-{}", self.index),
                    "--lease-ttl".to_owned(),
                    ttl.as_secs_f64().to_string(),
                ]
            }))
            .env("TICKETPOOL_ADMIN_TOKEN", &self.config.admin_token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            // A failed test leaves no node behind.
            .kill_on_drop(true)
            .spawn()
            .map_err(NodeError::Spawn)?;
        self.starts += 1;
        let stdout = child.stdout.take().expect("piped stdout");
        self.child = Some(child);
        let base = match tokio::time::timeout(PATIENCE, printed_url(stdout)).await {
            Ok(Some(base)) => base,
            Ok(None) => return Err(self.not_ready("exited before printing its URL")),
            Err(_) => return Err(self.not_ready("printed no URL in time")),
        };
        self.wait_healthy(http, &base).await?;
        self.base = Some(base.clone());
        Ok(base)
    }

    /// Polls /healthz until 200; an error if the process exits first or
    /// time runs out.
    async fn wait_healthy(&mut self, http: &reqwest::Client, base: &str) -> Result<(), NodeError> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let answer = http.get(format!("{base}/healthz")).send().await;
            if answer.is_ok_and(|a| a.status().is_success()) {
                return Ok(());
            }
            let exited = self
                .child
                .as_mut()
                .is_none_or(|child| child.try_wait().ok().flatten().is_some());
            if exited {
                return Err(self.not_ready("exited before answering /healthz"));
            }
            if Instant::now() >= deadline {
                return Err(self.not_ready("/healthz never answered 200"));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    fn not_ready(&self, why: &str) -> NodeError {
        NodeError::NotReady {
            node: self.index,
            why: why.to_owned(),
            log: self.log(),
        }
    }

    /// SIGKILL, and waits until the process is gone. Nothing of it runs
    /// after: no clean stop, no hand-back.
    pub async fn kill(&mut self) {
        self.base = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// The URL from the line `serve` prints once it listens; the rest of its
/// output is drained in the background so it never blocks on a full pipe.
async fn printed_url(stdout: tokio::process::ChildStdout) -> Option<String> {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split_whitespace().next()?;
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Some(format!("http://{addr}"));
        }
    }
    None
}

/// Reads the tail of a node's log, for a failure message.
pub fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

impl std::fmt::Display for NodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeError::Spawn(e) => write!(f, "cannot start `ticketpool serve`: {e}"),
            NodeError::NotReady { node, why, log } => write!(
                f,
                "node {node} {why}; its log {}:\n{}",
                log.display(),
                log_tail(log)
            ),
        }
    }
}
