//! Loading a [`SimulationConfig`] from TOML, JSON or a file: the document
//! is read field by field with the office's reader from
//! [`ticketpool_core::config_reader`], type problems recorded as they are
//! met, the rules checked afterwards.
//!
//! Only this module knows about documents; `config` knows the values and
//! their rules and imports nothing from here.

use std::path::Path;

use ticketpool_core::config_reader::{self, field, join, read_name, read_office, Entry, Reader};
use ticketpool_core::ConfigError;

use crate::config::{Arrivals, CustomersConfig, SimVendorConfig, SimulationConfig};

const SIMULATION_FIELDS: &[&str] = &[
    "seed",
    "duration_ms",
    "sample_interval_ms",
    "arrivals",
    "office",
    "vendors",
    "customers",
];

const CUSTOMER_FIELDS: &[&str] = &[
    "count",
    "vip_share",
    "rate",
    "tickets_each",
    "hold_share",
    "abandon_share",
    "confirm_delay_ms",
    "ticket_type",
];

impl SimulationConfig {
    /// Parses and validates a TOML document.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] for malformed TOML; [`ConfigError::Invalid`]
    /// listing every problem, each with its field path (`office.<field>`
    /// for the office's) and line: fields of the wrong type, unknown or
    /// missing, and values that break the rules.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_entry(&config_reader::parse_toml(text)?)
    }

    /// Parses and validates a JSON document.
    ///
    /// # Errors
    ///
    /// As [`from_toml_str`](Self::from_toml_str).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_entry(&config_reader::parse_json(text)?)
    }

    /// Reads a `.toml` or `.json` file and validates it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Io`] if the file cannot be read or has another
    /// extension, then as [`from_toml_str`](Self::from_toml_str).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::from_entry(&config_reader::read_file(path.as_ref())?)
    }

    /// Reads a whole document; every field may be left out and takes the
    /// default scenario's value.
    fn from_entry(entry: &Entry) -> Result<Self, ConfigError> {
        let mut r = Reader::default();
        let config = read_simulation(&mut r, entry);
        // Rules only where reading went well enough to judge them: the
        // reader drops a rule about a field that already has a problem.
        r.add_rules("office", config.office.rule_problems());
        let mut agents = Vec::new();
        config.check_agents(&mut agents);
        r.add_rules("", agents);
        r.finish().map(|()| config)
    }
}

/// Reads a simulation document; every field may be left out and takes the
/// default scenario's value.
fn read_simulation(r: &mut Reader, entry: &Entry) -> SimulationConfig {
    let mut config = SimulationConfig::default();
    let Some(fields) = r.table(entry, "", SIMULATION_FIELDS) else {
        return config;
    };
    let whole = |r: &mut Reader, key: &str, slot: &mut u64| {
        if let Some(v) = field(fields, key).and_then(|e| r.whole(e, key, u64::MAX)) {
            *slot = v;
        }
    };
    whole(r, "seed", &mut config.seed);
    whole(r, "duration_ms", &mut config.duration_ms);
    whole(r, "sample_interval_ms", &mut config.sample_interval_ms);
    if let Some(e) = field(fields, "arrivals") {
        match r.choice(e, "arrivals", &["poisson", "fixed"]) {
            Some("fixed") => config.arrivals = Arrivals::Fixed,
            Some(_) => config.arrivals = Arrivals::Poisson,
            None => {}
        }
    }
    if let Some(e) = field(fields, "office") {
        config.office = read_office(r, e, "office", Some(&config.office));
    }
    if let Some(e) = field(fields, "vendors") {
        config.vendors = read_sim_vendors(r, e);
    }
    if let Some(e) = field(fields, "customers") {
        read_customers(r, e, &mut config.customers);
    }
    config
}

fn read_sim_vendors(r: &mut Reader, entry: &Entry) -> Vec<SimVendorConfig> {
    let Some(items) = r.list(entry, "vendors") else {
        return Vec::new();
    };
    let mut vendors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("vendors[{i}]");
        let Some(fields) = r.table(item, &at, &["name", "rate", "ticket_types"]) else {
            continue;
        };
        vendors.push(SimVendorConfig {
            name: read_name(r, fields, item, &at),
            rate: field(fields, "rate").and_then(|e| r.number(e, &format!("{at}.rate"))),
            ticket_types: field(fields, "ticket_types")
                .and_then(|e| r.texts(e, &format!("{at}.ticket_types")))
                .unwrap_or_default(),
        });
    }
    vendors
}

fn read_customers(r: &mut Reader, entry: &Entry, customers: &mut CustomersConfig) {
    let Some(fields) = r.table(entry, "customers", CUSTOMER_FIELDS) else {
        return;
    };
    let at = |key: &str| join("customers", key);
    let get = |key: &str| field(fields, key);
    if let Some(count) = get("count").and_then(|e| r.whole(e, &at("count"), u64::MAX)) {
        customers.count = usize::try_from(count).unwrap_or(usize::MAX);
    }
    for (key, slot) in [
        ("vip_share", &mut customers.vip_share),
        ("hold_share", &mut customers.hold_share),
        ("abandon_share", &mut customers.abandon_share),
    ] {
        if let Some(share) = get(key).and_then(|e| r.number(e, &at(key))) {
            *slot = share;
        }
    }
    if let Some(e) = get("rate") {
        customers.rate = r.number(e, &at("rate"));
    }
    if let Some(n) =
        get("tickets_each").and_then(|e| r.whole(e, &at("tickets_each"), u32::MAX.into()))
    {
        customers.tickets_each = u32::try_from(n).unwrap_or(u32::MAX);
    }
    if let Some(ms) =
        get("confirm_delay_ms").and_then(|e| r.whole(e, &at("confirm_delay_ms"), u64::MAX))
    {
        customers.confirm_delay_ms = ms;
    }
    if let Some(e) = get("ticket_type") {
        customers.ticket_type = r.text(e, &at("ticket_type"));
    }
}
