//! `ticketpool simulate-seats SCENARIO.toml`: the seated scenario (issue
//! 17) from a file, the flags overriding its fans; prints the report (and
//! writes it as JSON with `--json`). A run whose report does not check
//! out (a seat sold twice, a seat left held) fails with exit code 1.

use ticketpool_sim::{run_seated, SeatedConfig, SimulationError};

use super::args::SimulateSeatsArgs;
use super::CliError;

/// Runs the command.
pub fn run(args: &SimulateSeatsArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.scenario).map_err(|err| {
        CliError::Usage(format!("cannot read {}: {err}", args.scenario.display()))
    })?;
    let usage = |err: SimulationError| match err {
        SimulationError::Venue(_) | SimulationError::Seated { .. } => {
            CliError::Usage(format!("{}: {err}", args.scenario.display()))
        }
        other => other.into(),
    };
    let mut config = SeatedConfig::from_toml_str(&text).map_err(usage)?;
    let fans = &mut config.fans;
    if let Some(groups) = args.groups {
        fans.groups = groups;
    }
    if let Some(threads) = args.threads {
        fans.threads = threads;
    }
    if let Some(share) = args.vip_share {
        fans.vip_share = share;
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    let report = run_seated(&config).map_err(usage)?;
    print!("{}", report.to_text());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|err| CliError::Runtime(err.to_string()))?;
        std::fs::write(path, json)
            .map_err(|err| CliError::Runtime(format!("cannot write {}: {err}", path.display())))?;
        eprintln!("wrote {}", path.display());
    }
    if report.consistent() {
        Ok(())
    } else {
        Err(CliError::Runtime(
            "the final seat map does not match the sales".into(),
        ))
    }
}
