//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ticketpool_core::Strategy;

/// An embeddable real-time ticketing engine: simulate a sale, watch it,
/// compare the lock-free and condvar strategies.
#[derive(Debug, Parser)]
#[command(name = "ticketpool", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Structured logs.
    #[command(flatten)]
    pub logging: super::logging::LoggingArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a simulated sale (a sensible default scenario with no options).
    ///
    /// While it runs, type commands on standard input: status, pause,
    /// resume, add-vendor NAME RATE [TYPES], remove-vendor NAME,
    /// set-rate NAME RATE, stop, help. Ctrl-C stops the run like `stop`
    /// (summary printed, journal complete, exit 0); a second Ctrl-C quits
    /// at once (exit 130).
    Simulate(SimulateArgs),
    /// Run a seated sale: a venue's seat map, vendors releasing seats in
    /// waves, groups of 1-6 fans taking best-available adjacent seats on
    /// real threads; reports groups seated together, VIP and Regular.
    ///
    /// SCENARIO is TOML: `seed`, `waves = [{ section = ".." }, { tier =
    /// ".." }]`, `[fans]` (groups, threads, vip_share, max_group,
    /// tier_share, lapse_share) and the seat map under `[venue]`.
    SimulateSeats(SimulateSeatsArgs),
    /// Write or check a simulation config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the sales in a journal, with totals by type and vendor.
    Sales(SalesArgs),
    /// Run a catalog of events on a journal: add events, venues and
    /// performers; put events on sale, pause, cancel; list, search, show.
    Events(super::events_args::EventsArgs),
    /// Run the booking service: a JSON API over HTTP on a durable catalog
    /// (customers sign up, reserve, confirm; admins run events).
    ///
    /// Prints its URL and, if none was given, the admin token it
    /// generated. SIGTERM or Ctrl-C stop it cleanly (exit 0).
    Serve(ServeArgs),
}

/// `ticketpool simulate-seats` options; each overrides the scenario.
#[derive(Debug, Clone, Args)]
pub struct SimulateSeatsArgs {
    /// The scenario file (TOML, the seat map under `[venue]`).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Number of fan groups.
    #[arg(long, value_name = "N")]
    pub groups: Option<usize>,
    /// Buyer threads.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Share of VIP groups, 0 to 1.
    #[arg(long, value_name = "SHARE", allow_negative_numbers = true)]
    pub vip_share: Option<f64>,
    /// Seed of the groups' draws.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// `ticketpool serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the URL printed
    /// names the real one).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// The data directory: the catalog, each event's sales, the accounts,
    /// vendors and idempotency keys (created on first start, reused and
    /// recovered after; unused with --database).
    #[arg(long, value_name = "DIR", default_value = "ticketpool-data")]
    pub data: PathBuf,
    /// Keep the catalog, every event's sales, the accounts, vendors and
    /// idempotency keys in PostgreSQL instead of the data directory, e.g.
    /// postgres://postgres@127.0.0.1:5432/test.
    #[arg(long, value_name = "postgres://USER@HOST:PORT/DB", value_parser = parse_database)]
    pub database: Option<String>,
    /// With --database: the schema holding the catalog and every event's
    /// sales (an earlier PREFIX_event_ID schema per event is moved into it).
    #[arg(
        long,
        value_name = "PREFIX",
        default_value = "ticketpool",
        requires = "database"
    )]
    pub database_schema: String,
    /// With --database: run as node NAME of a cluster. Every event is sold
    /// from ticket leases shared in PostgreSQL (PREFIX_lease), so several
    /// servers with different names sell the same events, none twice.
    /// One server per name; never beside a server without --lease-node.
    /// Seats too, from seat leases shared in PostgreSQL: best available
    /// leases rows for this node; seats picked by label that it has not
    /// leased are held under row locks. Vendors' seat waves answer 409
    /// seat_waves_unsupported; the seat map shows this node's view (seats
    /// leased elsewhere or sold there are not_on_sale).
    #[arg(long, value_name = "NAME", requires = "database")]
    pub lease_node: Option<String>,
    /// With --lease-node: how long this node's leases last unrenewed; a
    /// killed node's unsold tickets go back on sale after this long.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = "30",
        requires = "lease_node",
        value_parser = parse_lease_ttl
    )]
    pub lease_ttl: std::time::Duration,
    /// A file holding the admin token (else the TICKETPOOL_ADMIN_TOKEN
    /// environment variable; else one is generated and printed).
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Requests a second each customer may make (bursts of twice as
    /// many); callers without a token are counted by address. `off` for
    /// none (a load test).
    #[arg(long, value_name = "PER_SECOND|off", default_value = "50", value_parser = parse_rate_limit)]
    pub rate_limit: RateLimitArg,
    /// When a sale is on disk: `confirmed` before its confirm is answered;
    /// `batched` just after, in group commits (a crash of the process
    /// loses nothing; a power loss may lose the last moments).
    #[arg(long, value_enum, default_value_t = DurabilityArg::Confirmed)]
    pub durability: DurabilityArg,
    /// A live sale at once: an empty catalog gets three events (venues,
    /// performers, two ticket types each) put on sale, and simulated fans
    /// buy on every event on sale, through the engine, as demo customers
    /// named demo-fan-EVENT-N-K (their sales are journaled like any
    /// other). Open the printed URL to watch; the admin page takes the
    /// admin token.
    #[arg(long)]
    pub demo: bool,
}

/// A `postgres://` (or `postgresql://`) URL; the rest is checked when
/// the server connects.
fn parse_database(text: &str) -> Result<String, String> {
    let url = text.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url.to_owned())
    } else {
        Err("expected a PostgreSQL URL, postgres://USER@HOST:PORT/DB".to_owned())
    }
}

/// Whole or fractional seconds, from 0.01 to a day.
fn parse_lease_ttl(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, not {text:?}"))?;
    if !(0.01..=86_400.0).contains(&seconds) {
        return Err(format!(
            "a lease lasts from 0.01 to 86400 seconds, not {seconds}"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// `--rate-limit` as given: a limit, or none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitArg(pub Option<ticketpool_server::RateLimit>);

/// `off`, or a positive number of requests a second.
fn parse_rate_limit(text: &str) -> Result<RateLimitArg, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(RateLimitArg(None));
    }
    let per_second: f64 = text
        .parse()
        .ok()
        .filter(|rate: &f64| rate.is_finite() && *rate > 0.0 && *rate <= 1e6)
        .ok_or_else(|| {
            format!("expected `off` or a number of requests a second above 0 and at most 1000000, not {text:?}")
        })?;
    // Twice the rate, at least one: a page that loads a few resources at
    // once is not refused.
    let burst = (per_second * 2.0).ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
    let burst = std::num::NonZeroU32::new(burst).unwrap_or(std::num::NonZeroU32::MIN);
    Ok(RateLimitArg(Some(ticketpool_server::RateLimit {
        per_second,
        burst,
    })))
}

/// `ticketpool config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write the default config, with comments, to FILE (or stdout).
    Init {
        /// Where to write it (.toml); stdout if omitted.
        file: Option<PathBuf>,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Validate a config file and list every problem.
    Check {
        /// The .toml or .json file.
        file: PathBuf,
    },
}

/// The pool strategy, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// The lock-free ring.
    Lockfree,
    /// The mutex and condvars.
    Condvar,
}

impl From<StrategyArg> for Strategy {
    fn from(arg: StrategyArg) -> Self {
        match arg {
            StrategyArg::Lockfree => Strategy::LockFree,
            StrategyArg::Condvar => Strategy::Condvar,
        }
    }
}

/// `ticketpool simulate` options; each overrides the config.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// A .toml or .json config (default: the built-in scenario).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The pool strategy (not with --compare, which runs both).
    #[arg(long, value_enum, conflicts_with = "compare")]
    pub strategy: Option<StrategyArg>,
    /// Number of vendors (named vendor-1..N, like the first one).
    #[arg(long, value_name = "N")]
    pub vendors: Option<usize>,
    /// Tickets per second per vendor (0: as fast as possible).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub vendor_rate: Option<f64>,
    /// Number of customers.
    #[arg(long, value_name = "N")]
    pub customers: Option<usize>,
    /// Requests per second per customer (0: as fast as possible).
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub customer_rate: Option<f64>,
    /// Share of VIP customers, 0 to 1.
    #[arg(long, value_name = "SHARE", allow_negative_numbers = true)]
    pub vip_share: Option<f64>,
    /// Tickets in the event.
    #[arg(long, value_name = "N")]
    pub total: Option<u64>,
    /// Most tickets in the office at once.
    #[arg(long, value_name = "N")]
    pub capacity: Option<usize>,
    /// Seed of the arrivals.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Longest run, in seconds (fractions allowed).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write an SVG chart of the timeline and wait times to FILE.
    #[arg(long, value_name = "FILE.svg", conflicts_with = "compare")]
    pub plot: Option<PathBuf>,
    /// Run the scenario with each strategy and print them side by side.
    /// The runs are not journaled (two runs cannot share one journal).
    #[arg(long)]
    pub compare: bool,
    /// No live view; just the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Record every event of the run to this SQLite journal, replacing a
    /// journal already there (never another kind of file); review it with
    /// `ticketpool sales`. Default: ticketpool.db in the current directory.
    /// Not with --compare, which journals neither run.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["no_journal", "compare"])]
    pub journal: Option<PathBuf>,
    /// Run without a journal.
    #[arg(long)]
    pub no_journal: bool,
    /// When a sale counts as made: after its journal commit (confirmed), or
    /// at once with commits in groups (batched).
    #[arg(long, value_enum, default_value_t = DurabilityArg::Batched)]
    pub durability: DurabilityArg,
}

/// `--durability`, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DurabilityArg {
    /// Acknowledged at once, committed within milliseconds in groups.
    Batched,
    /// Acknowledged only after the commit (synchronous=FULL).
    Confirmed,
}

/// `ticketpool sales` options.
#[derive(Debug, Args)]
pub struct SalesArgs {
    /// The journal `simulate` wrote.
    #[arg(long, value_name = "FILE", default_value = "ticketpool.db")]
    pub journal: PathBuf,
    /// Only sales to this customer.
    #[arg(long, value_name = "NAME")]
    pub customer: Option<String>,
    /// Only tickets of this type.
    #[arg(long = "type", value_name = "NAME")]
    pub ticket_type: Option<String>,
    /// Only tickets this vendor released.
    #[arg(long, value_name = "NAME")]
    pub vendor: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}
