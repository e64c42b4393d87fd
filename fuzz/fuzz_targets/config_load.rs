//! Feeds arbitrary bytes to the config loaders, as TOML and as JSON, for
//! both [`BoxOfficeConfig`] and [`SimulationConfig`]: every input must give
//! a value or a typed [`ConfigError`], never a panic.
//!
//! A value the loader accepts must also pass `validate` on its own and
//! survive `to_toml_string` and back unchanged: the loader validates for
//! the caller, and the CLI writes configs with `to_toml_string`, so a value
//! that loads but cannot be written (or reads back different) is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ticketpool_core::{BoxOfficeConfig, ConfigError};
use ticketpool_sim::SimulationConfig;

fuzz_target!(|data: &[u8]| {
    // Lossy: invalid UTF-8 would otherwise stop most mutations at the door.
    let text = String::from_utf8_lossy(data);
    check(
        BoxOfficeConfig::from_toml_str(&text),
        BoxOfficeConfig::validate,
        |c| BoxOfficeConfig::from_toml_str(&c.to_toml_string()),
    );
    check(
        BoxOfficeConfig::from_json_str(&text),
        BoxOfficeConfig::validate,
        |c| BoxOfficeConfig::from_toml_str(&c.to_toml_string()),
    );
    check(
        SimulationConfig::from_toml_str(&text),
        SimulationConfig::validate,
        |c| SimulationConfig::from_toml_str(&c.to_toml_string()),
    );
    check(
        SimulationConfig::from_json_str(&text),
        SimulationConfig::validate,
        |c| SimulationConfig::from_toml_str(&c.to_toml_string()),
    );
});

fn check<C: PartialEq + std::fmt::Debug>(
    loaded: Result<C, ConfigError>,
    validate: fn(&C) -> Result<(), ConfigError>,
    round_trip: fn(&C) -> Result<C, ConfigError>,
) {
    match loaded {
        Ok(config) => {
            if let Err(err) = validate(&config) {
                panic!("the loader accepted a config that validate refuses: {err}\n{config:?}");
            }
            match round_trip(&config) {
                Ok(back) => assert_eq!(back, config, "the TOML round trip changed the config"),
                Err(err) => panic!("a loaded config does not read back from its TOML: {err}"),
            }
        }
        // The message is what a user reads: building it must not panic.
        Err(err) => drop(err.to_string()),
    }
}
