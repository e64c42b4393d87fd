//! Reading a [`BoxOfficeConfig`] out of a document, field by field (see
//! [`reader`](crate::office::config::reader)). Type problems are recorded as
//! they are met; the rules are checked afterwards on the result, in which a
//! field that could not be read holds a stand-in.

use std::path::Path;
use std::time::Duration;

use crate::office::config::error::{ConfigError, Problems};
use crate::office::config::reader::{self, field, join, Entry, Fields, Node, Reader};
use crate::office::config::{BoxOfficeConfig, TicketTypeConfig, VendorConfig};
use crate::office::pricing::{DemandPricing, PricingConfig};
use crate::office::ticket::{parse_decimal, price_from_float, price_from_whole, Money};
use crate::Strategy;

/// Loading: every way in reads a document through [`read_office`], then
/// checks the rules on the result.
impl BoxOfficeConfig {
    /// Parses and validates a TOML document.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] for malformed TOML; [`ConfigError::Invalid`]
    /// listing every field of the wrong type, unknown or missing, and every
    /// value that breaks the rules, each with its path and line.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_entry(&reader::parse_toml(text)?)
    }

    /// Parses and validates a JSON document.
    ///
    /// # Errors
    ///
    /// As [`from_toml_str`](Self::from_toml_str).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_entry(&reader::parse_json(text)?)
    }

    /// Reads a whole document: every wrong type and every broken rule.
    fn from_entry(entry: &Entry) -> Result<Self, ConfigError> {
        let mut reader = Reader::default();
        let config = read_office(&mut reader, entry, "", None);
        let mut rules = Problems::default();
        config.check(&mut rules);
        reader.add_rules("", rules.0);
        reader.finish().map(|()| config)
    }

    /// Reads a `.toml` or `.json` file and validates it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Io`] if the file cannot be read or has another
    /// extension, then as [`from_toml_str`](Self::from_toml_str).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::from_entry(&reader::read_file(path.as_ref())?)
    }
}

impl TryFrom<serde_json::Value> for BoxOfficeConfig {
    type Error = ConfigError;
    /// Any serde format reads through the same field-by-field checks.
    fn try_from(value: serde_json::Value) -> Result<Self, ConfigError> {
        Self::from_entry(&reader::from_json_value(&value))
    }
}

const OFFICE_FIELDS: &[&str] = &[
    "event_name",
    "total_tickets",
    "max_capacity",
    "ticket_types",
    "strategy",
    "hold_ttl_ms",
    "pricing",
    "purchase_limit",
    "vendors",
];

/// The hold time when a standalone office config leaves it out.
const DEFAULT_HOLD_TTL_MS: u64 = 30_000;

/// Reads the office table at `path`. With `defaults`, every field may be
/// left out and takes the default's value (leaving out the ticket types
/// keeps the default's, their quotas fitted to `total_tickets`); without,
/// the event's name, size, capacity and ticket types are required.
pub fn read_office(
    r: &mut Reader,
    entry: &Entry,
    path: &str,
    defaults: Option<&BoxOfficeConfig>,
) -> BoxOfficeConfig {
    // Stand-ins for what is missing or unreadable; they pass the rules so
    // that only the real problem is reported.
    let mut config = defaults.cloned().unwrap_or_else(|| BoxOfficeConfig {
        hold_ttl: Duration::from_millis(DEFAULT_HOLD_TTL_MS),
        ..BoxOfficeConfig::simple("event", 1, 1, Money::ZERO)
    });
    let Some(fields) = r.table(entry, path, OFFICE_FIELDS) else {
        return config;
    };
    let at = |key: &str| join(path, key);
    let get = |r: &mut Reader, key: &str, what: &str| -> Option<&Entry> {
        if defaults.is_some() {
            field(fields, key)
        } else {
            r.required(fields, entry.line, path, key, what)
        }
    };
    if let Some(e) = get(r, "event_name", "the event's name, a text in quotes") {
        if let Some(name) = r.text(e, &at("event_name")) {
            config.event_name = name;
        }
    }
    let mut total_read = false;
    if let Some(e) = get(r, "total_tickets", "the event's size, a whole number") {
        match r.whole(e, &at("total_tickets"), u64::MAX) {
            Some(total) => {
                config.total_tickets = total;
                total_read = true;
            }
            None => config.total_tickets = u64::MAX,
        }
    } else if defaults.is_none() {
        config.total_tickets = u64::MAX;
    }
    if let Some(e) = get(r, "max_capacity", "the most tickets in the office at once") {
        if let Some(capacity) = r.whole(e, &at("max_capacity"), u64::MAX) {
            config.max_capacity = usize::try_from(capacity).unwrap_or(usize::MAX);
        }
    }
    match get(
        r,
        "ticket_types",
        "a list of ticket types, each with a name and a price",
    ) {
        Some(e) => config.ticket_types = read_ticket_types(r, e, &at("ticket_types")),
        None if total_read => fit_quotas(&mut config.ticket_types, config.total_tickets),
        None => {}
    }
    if let Some(e) = field(fields, "strategy") {
        let names = Strategy::ALL.map(Strategy::as_str);
        if let Some(strategy) = r
            .choice(e, &at("strategy"), &names)
            .and_then(Strategy::from_name)
        {
            config.strategy = strategy;
        }
    }
    if let Some(e) = field(fields, "hold_ttl_ms") {
        if let Some(ms) = r.whole(e, &at("hold_ttl_ms"), u64::MAX) {
            config.hold_ttl = Duration::from_millis(ms);
        }
    }
    if let Some(e) = field(fields, "pricing") {
        if let Some(pricing) = read_pricing(r, e, &at("pricing")) {
            config.pricing = pricing;
        }
    }
    if let Some(e) = field(fields, "purchase_limit") {
        if let Some(limit) = r.whole(e, &at("purchase_limit"), u32::MAX.into()) {
            config.purchase_limit = u32::try_from(limit).ok();
        }
    }
    if let Some(e) = field(fields, "vendors") {
        config.vendors = read_vendors(r, e, &at("vendors"));
    }
    config
}

fn read_ticket_types(r: &mut Reader, entry: &Entry, path: &str) -> Vec<TicketTypeConfig> {
    let Some(items) = r.list(entry, path) else {
        return Vec::new();
    };
    let mut types = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(fields) = r.table(item, &at, &["name", "price", "quota", "capacity"]) else {
            continue;
        };
        let what = "the type's name, a text in quotes";
        let name = r
            .required(fields, item.line, &at, "name", what)
            .and_then(|e| r.text(e, &format!("{at}.name")))
            // A stand-in no real name can clash with.
            .unwrap_or_else(|| format!("#{i}"));
        let what = "the base price, like 42.50 or \"42.50\"";
        let price = r
            .required(fields, item.line, &at, "price", what)
            .and_then(|e| read_price(r, e, &format!("{at}.price")))
            .unwrap_or(Money::ZERO);
        let quota =
            field(fields, "quota").and_then(|e| r.whole(e, &format!("{at}.quota"), u64::MAX));
        let capacity = field(fields, "capacity")
            .and_then(|e| r.whole(e, &format!("{at}.capacity"), u64::MAX))
            .map(|capacity| usize::try_from(capacity).unwrap_or(usize::MAX));
        types.push(TicketTypeConfig {
            name,
            price,
            quota,
            capacity,
        });
    }
    types
}

fn read_price(r: &mut Reader, entry: &Entry, path: &str) -> Option<Money> {
    let parsed = match &entry.node {
        Node::Int(units) => price_from_whole(*units),
        Node::Float(value) => price_from_float(*value),
        Node::Text(text) => parse_decimal(text.trim()),
        other => Err(format!(
            "expected a price like 42.50 or \"42.50\", got {}",
            crate::office::config::reader::describe(other)
        )),
    };
    parsed
        .map_err(|message| r.problem(path, entry.line, message))
        .ok()
}

fn read_pricing(r: &mut Reader, entry: &Entry, path: &str) -> Option<PricingConfig> {
    const DEMAND: &[&str] = &[
        "kind",
        "scarcity_bps",
        "per_waiting_bps",
        "max_waiting_counted",
        "floor_bps",
        "ceiling_bps",
    ];
    let kind = match &entry.node {
        Node::Table(fields) => match field(fields, "kind") {
            Some(e) => r.choice(e, &join(path, "kind"), &["fixed", "demand"])?,
            None => "fixed",
        },
        _ => "",
    };
    let known = if kind == "demand" {
        DEMAND
    } else {
        &DEMAND[..1]
    };
    let fields = r.table(entry, path, known)?;
    if kind == "fixed" {
        return Some(PricingConfig::Fixed);
    }
    let mut demand = DemandPricing::default();
    let mut bps = |key: &str, slot: &mut u32| {
        if let Some(e) = field(fields, key) {
            if let Some(v) = r.whole(e, &join(path, key), u32::MAX.into()) {
                *slot = u32::try_from(v).unwrap_or(u32::MAX);
            }
        }
    };
    bps("scarcity_bps", &mut demand.scarcity_bps);
    bps("per_waiting_bps", &mut demand.per_waiting_bps);
    bps("max_waiting_counted", &mut demand.max_waiting_counted);
    bps("floor_bps", &mut demand.floor_bps);
    bps("ceiling_bps", &mut demand.ceiling_bps);
    Some(PricingConfig::Demand(demand))
}

fn read_vendors(r: &mut Reader, entry: &Entry, path: &str) -> Vec<VendorConfig> {
    let Some(items) = r.list(entry, path) else {
        return Vec::new();
    };
    let mut vendors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(fields) = r.table(item, &at, &["name", "ticket_types"]) else {
            continue;
        };
        vendors.push(VendorConfig {
            name: read_name(r, fields, item, &at),
            ticket_types: field(fields, "ticket_types")
                .and_then(|e| r.texts(e, &format!("{at}.ticket_types")))
                .unwrap_or_default(),
        });
    }
    vendors
}

/// A vendor's required name; a stand-in no real name can clash with if it
/// is missing or not a text.
pub fn read_name(r: &mut Reader, fields: &Fields, item: &Entry, at: &str) -> String {
    r.required(
        fields,
        item.line,
        at,
        "name",
        "the vendor's name, a text in quotes",
    )
    .and_then(|e| r.text(e, &format!("{at}.name")))
    .unwrap_or_else(|| format!("#{at}"))
}

/// Scales type quotas down in proportion if they add up past `total`, so
/// the types stay valid for a smaller event.
pub fn fit_quotas(types: &mut [TicketTypeConfig], total: u64) {
    let quota_sum: u64 = types
        .iter()
        .filter_map(|ty| ty.quota)
        .fold(0, u64::saturating_add);
    if quota_sum > total {
        for ty in types {
            ty.quota = ty.quota.map(|quota| {
                let scaled = u128::from(quota) * u128::from(total) / u128::from(quota_sum);
                u64::try_from(scaled)
                    .unwrap_or(total)
                    .clamp(1, total.max(1))
            });
        }
    }
}
