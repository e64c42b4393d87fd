//! `ticketpool config init` and `ticketpool config check`.

use std::io::Write;
use std::path::Path;

use ticketpool::SimulationConfig;

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
max_capacity = 64         # most tickets in the office at once (at most 1000000)
strategy = "lockfree"     # "lockfree" or "condvar"
hold_ttl_ms = 100         # how long a hold lasts before it expires
# purchase_limit = 4      # most tickets per customer (default: no limit)

[office.pricing]
kind = "fixed"            # or "demand" (see the box office docs)

[[office.ticket_types]]
name = "stalls"
price = "45.00"           # decimal, in major units
quota = 7000              # at most this many of this type (optional)

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

/// Writes the template to `file`, or to stdout.
pub fn init(file: Option<&Path>, force: bool) -> Result<(), CliError> {
    let Some(file) = file else {
        return std::io::stdout()
            .write_all(TEMPLATE.as_bytes())
            .map_err(|err| CliError::Runtime(format!("cannot write to stdout: {err}")));
    };
    if file.exists() && !force {
        return Err(CliError::Usage(format!(
            "{} already exists (use --force to overwrite)",
            file.display()
        )));
    }
    std::fs::write(file, TEMPLATE)
        .map_err(|err| CliError::Runtime(format!("cannot write {}: {err}", file.display())))?;
    println!("wrote {}", file.display());
    Ok(())
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
        Err(err) if !err.problems().is_empty() => {
            for problem in err.problems() {
                match problem.line {
                    Some(line) => {
                        eprintln!("{shown}:{line}: {}: {}", problem.field, problem.message)
                    }
                    None => eprintln!("{shown}: {problem}"),
                }
            }
            Err(CliError::Usage(format!(
                "{} has {} problem(s)",
                file.display(),
                err.problems().len()
            )))
        }
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_the_default_scenario() {
        let parsed = SimulationConfig::from_toml_str(TEMPLATE).unwrap();
        assert_eq!(parsed, SimulationConfig::default());
    }
}
