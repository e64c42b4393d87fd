//! `ticketpool config init` and `ticketpool config check`.

use std::io::Write;
use std::path::Path;

use ticketpool_core::ConfigError;
use ticketpool_sim::SimulationConfig;

use super::CliError;

/// The built-in scenario with a comment on every field. A test keeps it
/// equal to `SimulationConfig::default()`.
pub const TEMPLATE: &str = r#"# ticketpool simulation config. Run it with:
#   ticketpool simulate --config THIS_FILE
# Every field may be left out, and every [[list]] too; what is left out takes
# the value shown here (with a smaller total_tickets, the stalls quota shrinks
# to fit). An entry you do write needs its name, and a ticket type its price.

seed = 42                 # seeds every agent's arrivals: same seed, same requests
duration_ms = 60000       # the longest the run may last
sample_interval_ms = 50   # how often the timeline is sampled
arrivals = "poisson"      # "poisson" (exponential gaps) or "fixed" (1/rate)

[office]
event_name = "Default Concert"
total_tickets = 10000     # the event's size (at most 1000000000000)
max_capacity = 64         # most tickets in the office at once (at most 1000000),
                          # shared out among the ticket types (see capacity)
strategy = "lockfree"     # "lockfree" or "condvar"
hold_ttl_ms = 100         # how long a hold lasts before it expires
# purchase_limit = 4      # most tickets per customer, waiting buys included (default: no limit)

[office.pricing]
kind = "fixed"            # or "demand" (see the box office docs)

[[office.ticket_types]]
name = "stalls"
price = "45.00"           # decimal, in major units
quota = 7000              # at most this many of this type (optional)
# capacity = 32           # most of this type on sale or held at once; types
                          # without one split what max_capacity leaves equally

[[office.ticket_types]]
name = "balcony"
price = "25.00"

# Each vendor releases its ticket types in turn. rate: tickets per second;
# leave it out (or 0) for as fast as possible. ticket_types: empty = all.
# Four vendors at 5000/s supply less than the customers ask for: scarcity.
[[vendors]]
name = "vendor-1"
rate = 5000.0

[[vendors]]
name = "vendor-2"
rate = 5000.0

[[vendors]]
name = "vendor-3"
rate = 5000.0

[[vendors]]
name = "vendor-4"
rate = 5000.0

[customers]
count = 16                # customer threads (at most 10000)
vip_share = 0.25          # the first round(count * vip_share) are VIPs
# rate = 100.0            # requests per second each (default: as fast as possible)
tickets_each = 0          # tickets each wants; 0 = as many as it can get
hold_share = 0.2          # share of requests that hold, then confirm
abandon_share = 0.05      # share of holds walked away from (they expire)
confirm_delay_ms = 1      # most think time before confirming a hold
# ticket_type = "stalls"  # ask for one type only (default: any type)
"#;

/// Writes the default scenario to `file` in the format its extension
/// names (the commented template for .toml, JSON for .json), or the
/// template to stdout.
pub fn init(file: Option<&Path>, force: bool) -> Result<(), CliError> {
    let Some(file) = file else {
        return std::io::stdout()
            .write_all(TEMPLATE.as_bytes())
            .map_err(|err| CliError::Runtime(format!("cannot write to stdout: {err}")));
    };
    let text = match file.extension().and_then(|ext| ext.to_str()) {
        // The same extensions, spelled the same, as `SimulationConfig::from_path`.
        Some("toml") => TEMPLATE.to_owned(),
        Some("json") => {
            let mut json = serde_json::to_string_pretty(&SimulationConfig::default())
                .map_err(|err| CliError::Runtime(format!("cannot write JSON: {err}")))?;
            json.push('\n');
            json
        }
        _ => {
            return Err(CliError::Usage(format!(
                "{}: a config file ends in .toml or .json (the format it is written in)",
                file.display()
            )))
        }
    };
    let written = if force {
        match std::fs::metadata(file) {
            Ok(meta) if !meta.is_file() => {
                return Err(CliError::Usage(format!(
                    "{} is not a regular file; not overwriting it",
                    file.display()
                )))
            }
            _ => std::fs::write(file, &text),
        }
    } else {
        // create_new: no window between "does it exist" and the write.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(file)
            .and_then(|mut out| out.write_all(text.as_bytes()))
    };
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(CliError::Usage(format!(
                "{} already exists (use --force to overwrite)",
                file.display()
            )))
        }
        Err(err) => Err(CliError::Runtime(format!(
            "cannot write {}: {err}",
            file.display()
        ))),
        Ok(()) => {
            println!("wrote {}", file.display());
            Ok(())
        }
    }
}

/// Validates `file`; lists every problem, one per line with its line
/// number, on stderr, then any warning (what is valid but would make the
/// run do nothing useful).
pub fn check(file: &Path) -> Result<(), CliError> {
    let shown = file.display();
    match SimulationConfig::from_path(file) {
        Ok(config) => {
            for warning in config.warnings() {
                eprintln!("{shown}: warning: {warning}");
            }
            println!(
                "{}: ok ({} tickets, {} vendors, {} customers, {:?})",
                file.display(),
                config.office.total_tickets,
                config.vendors.len(),
                config.customers.count,
                config.office.strategy
            );
            Ok(())
        }
        Err(err) => Err(report_problems(file, err)),
    }
}

/// A config `file` was refused: every problem goes to stderr, one per
/// line with its line number, and the error says how many there were.
pub fn report_problems(file: &Path, err: ConfigError) -> CliError {
    let shown = file.display();
    if err.problems().is_empty() {
        return err.into();
    }
    for problem in err.problems() {
        match problem.line {
            Some(line) => eprintln!("{shown}:{line}: {}: {}", problem.field, problem.message),
            None => eprintln!("{shown}: {problem}"),
        }
    }
    CliError::Usage(format!("{shown} has {} problem(s)", err.problems().len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_the_default_scenario() {
        let parsed = SimulationConfig::from_toml_str(TEMPLATE).unwrap();
        assert_eq!(parsed, SimulationConfig::default());
    }

    #[test]
    fn init_writes_the_format_the_extension_names_and_refuses_others() {
        let dir = std::env::temp_dir().join(format!(
            "ticketpool-config-init-{}-formats",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("c.json");
        init(Some(&json), false).unwrap();
        assert_eq!(
            SimulationConfig::from_path(&json).unwrap(),
            SimulationConfig::default()
        );
        let toml = dir.join("c.toml");
        init(Some(&toml), false).unwrap();
        assert_eq!(std::fs::read_to_string(&toml).unwrap(), TEMPLATE);
        let yaml = dir.join("c.yaml");
        let err = init(Some(&yaml), false).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("c.yaml"), "{err}");
        assert!(err.to_string().contains(".toml or .json"), "{err}");
        assert!(!yaml.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
