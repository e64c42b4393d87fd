//! `ticketpool simulate`: build the config from defaults, file and flags,
//! run it (or each strategy with `--compare`) with the live view and the
//! admin commands, then print and write the results.

use std::path::Path;
use std::sync::Arc;

use ticketpool::{Journal, Report, Simulation, SimulationConfig, Strategy};

use super::admin::{self, Slot};
use super::args::SimulateArgs;
use super::{compare, journal, live, plot, summary, CliError};

/// Runs the command.
pub fn run(args: &SimulateArgs) -> Result<(), CliError> {
    let config = build_config(args)?;
    super::outputs::check(args)?;
    // With --compare each run gets a fresh journal: the file keeps the last.
    let journal = journal::Choice::from_args(args);
    let slot: Slot = Arc::default();
    admin::listen(Arc::clone(&slot));
    let live = live::Mode::detect(args.quiet);
    if args.compare {
        let mut reports = Vec::new();
        for strategy in [Strategy::LockFree, Strategy::Condvar] {
            let mut config = config.clone();
            config.office.strategy = strategy;
            eprintln!("running with {}", summary::strategy_name(strategy));
            reports.push(run_one(config, &slot, live, &journal)?);
        }
        print!("{}", compare::table(&reports));
        if let Some(path) = &args.json {
            write(path, &to_json(&reports))?;
        }
    } else {
        let report = run_one(config, &slot, live, &journal)?;
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

fn run_one(
    config: SimulationConfig,
    slot: &Slot,
    live: live::Mode,
    journal: &journal::Choice,
) -> Result<Report, CliError> {
    let sink = journal.open()?;
    let simulation = match &sink {
        Some(sink) => Simulation::with_journal(config, Arc::clone(sink) as Arc<dyn Journal>)?,
        None => Simulation::new(config)?,
    };
    let running = simulation.spawn()?;
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(running.handle().clone());
    let view = live::start(running.handle().clone(), live);
    let result = running.join();
    view.finish();
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
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
