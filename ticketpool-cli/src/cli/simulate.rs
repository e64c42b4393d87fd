//! `ticketpool simulate`: build the config from defaults, file and flags,
//! run it (or each strategy with `--compare`) with the live view and the
//! admin commands, then print and write the results.

use std::path::Path;
use std::sync::Arc;

use ticketpool_core::{Journal, Strategy};
use ticketpool_sim::{Report, Simulation, SimulationConfig};

use super::admin::{self, Runs};
use super::args::SimulateArgs;
use super::live::{self, Console};
use super::{compare, interrupt, journal, plot, summary, CliError};

/// Runs the command.
pub fn run(args: &SimulateArgs) -> Result<(), CliError> {
    let config = build_config(args)?;
    // Valid but probably not meant (`config check` prints the same).
    for warning in config.warnings() {
        eprintln!("warning: {warning}");
    }
    let journal = journal::Choice::from_args(&journal_args(args));
    super::outputs::check(args, &journal)?;
    let runs: Arc<Runs> = Arc::default();
    let console = Console::default();
    admin::listen(Arc::clone(&runs), console.clone());
    interrupt::install(Arc::clone(&runs), console.clone());
    let show = Show {
        runs: &runs,
        console: &console,
        live: live::Mode::detect(args.quiet),
    };
    if args.compare {
        let strategies = Strategy::ALL;
        let mut reports = Vec::new();
        for (index, strategy) in strategies.into_iter().enumerate() {
            let name = strategy.as_str();
            if runs.interrupted() {
                eprintln!("interrupted: not running with {name}");
                break;
            }
            let mut config = config.clone();
            config.office.strategy = strategy;
            eprintln!("running with {name}");
            let last = index + 1 == strategies.len();
            reports.push(run_one(config, &show, &journal, last)?);
        }
        print!("{}", compare::table(&reports));
        if let Some(path) = &args.json {
            write(path, &to_json(&reports))?;
        }
    } else {
        let report = run_one(config, &show, &journal, true)?;
        print!("{}", summary::render(&report));
        if let Some(path) = &args.json {
            write(path, &report.to_json())?;
        }
        if let Some(path) = &args.plot {
            plot::write_svg(&report, path).map_err(|err| {
                CliError::Runtime(format!("cannot write {}: {err}", path.display()))
            })?;
        }
    }
    Ok(())
}

/// `--compare` runs without a journal: two runs cannot share one file, and
/// the command invents no second file name (clap refuses `--compare
/// --journal`).
fn journal_args(args: &SimulateArgs) -> SimulateArgs {
    let mut args = args.clone();
    args.no_journal |= args.compare;
    args
}

/// What every run is shown through.
struct Show<'a> {
    runs: &'a Runs,
    console: &'a Console,
    live: live::Mode,
}

/// Defaults, then the file, then each flag.
pub fn build_config(args: &SimulateArgs) -> Result<SimulationConfig, CliError> {
    let mut config = match &args.config {
        Some(path) => SimulationConfig::from_path(path)?,
        None => SimulationConfig::default(),
    };
    if let Some(strategy) = args.strategy {
        config.office.strategy = strategy.into();
    }
    if let Some(count) = args.vendors {
        config.set_vendor_count(count);
    }
    if let Some(rate) = args.vendor_rate {
        for vendor in &mut config.vendors {
            vendor.rate = Some(rate);
        }
    }
    if let Some(count) = args.customers {
        config.customers.count = count;
    }
    if let Some(rate) = args.customer_rate {
        config.customers.rate = Some(rate);
    }
    if let Some(share) = args.vip_share {
        config.customers.vip_share = share;
    }
    if let Some(total) = args.total {
        config.set_total_tickets(total);
    }
    if let Some(capacity) = args.capacity {
        config.office.max_capacity = capacity;
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(secs) = args.duration {
        if !secs.is_finite() || secs <= 0.0 {
            return Err(CliError::Usage(format!(
                "--duration must be a positive number of seconds, got {secs}"
            )));
        }
        config.duration_ms = (secs * 1_000.0).ceil().min(u64::MAX as f64) as u64;
    }
    config.validate()?;
    Ok(config)
}

/// One run; `last`: no other run follows it.
fn run_one(
    config: SimulationConfig,
    show: &Show<'_>,
    journal: &journal::Choice,
    last: bool,
) -> Result<Report, CliError> {
    let sink = journal.open()?;
    let simulation = match &sink {
        Some(sink) => Simulation::with_journal(config, Arc::clone(sink) as Arc<dyn Journal>)?,
        None => Simulation::new(config)?,
    };
    let running = simulation.spawn()?;
    // After a Ctrl-C this stops the run at once; it still reports.
    show.runs.begin(running.handle());
    let view = live::start(running.handle().clone(), show.live, show.console);
    let result = running.join();
    view.finish();
    // Waits for a reply being printed, so none is lost when we exit.
    show.runs.end_run(last);
    let report = result?;
    if let Some(sink) = sink {
        journal.finish(sink, report.sold)?;
    }
    Ok(report)
}

fn to_json(reports: &[Report]) -> String {
    serde_json::to_string_pretty(reports).unwrap_or_else(|_| "[]".to_owned())
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|err| CliError::Runtime(format!("cannot write {}: {err}", path.display())))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
