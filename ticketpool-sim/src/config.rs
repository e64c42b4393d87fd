//! The simulation's configuration: the box office settings plus the agents
//! that drive it, loadable from TOML or JSON and validated all at once.
//!
//! The office part is handed to [`BoxOfficeConfig`]'s own loader, so its
//! rules live in one place; its problems come back prefixed with `office.`
//! next to the simulation's own.

use serde::{Deserialize, Serialize};

use ticketpool_core::bounds;
use ticketpool_core::config_reader::fit_quotas;
use ticketpool_core::{
    BoxOfficeConfig, ConfigError, ConfigProblem, Money, PricingConfig, Strategy, TicketTypeConfig,
};

/// How the gaps between one agent's arrivals are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Arrivals {
    /// Exponential gaps with the configured mean: a Poisson process.
    #[default]
    Poisson,
    /// Every gap is exactly `1 / rate`.
    Fixed,
}

/// One simulated vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimVendorConfig {
    /// The vendor's unique name.
    pub name: String,
    /// Tickets released per second; `None` or `0` means as fast as
    /// possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// The ticket types it releases, in turn (a full type is skipped while
    /// another has room); empty means every type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticket_types: Vec<String>,
}

/// The simulated customers, all alike but for their priority and their
/// random draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomersConfig {
    /// How many customer threads.
    pub count: usize,
    /// The share of VIP customers, in `[0, 1]`; the first
    /// `round(count * vip_share)` customers are VIPs.
    pub vip_share: f64,
    /// Requests per second per customer; `None` or `0` means as fast as
    /// possible.
    pub rate: Option<f64>,
    /// How many tickets each customer wants; `0` means as many as it can
    /// get.
    pub tickets_each: u32,
    /// The probability that a request places a hold and confirms it
    /// rather than buying outright, in `[0, 1]`.
    pub hold_share: f64,
    /// The probability that a placed hold is abandoned (left to expire),
    /// in `[0, 1]`.
    pub abandon_share: f64,
    /// The most time a customer thinks before confirming a hold.
    pub confirm_delay_ms: u64,
    /// The ticket type every request asks for; `None` means any type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<String>,
}

impl Default for CustomersConfig {
    fn default() -> Self {
        Self {
            count: 16,
            vip_share: 0.25,
            rate: None,
            tickets_each: 0,
            hold_share: 0.2,
            abandon_share: 0.05,
            confirm_delay_ms: 1,
            ticket_type: None,
        }
    }
}

/// Everything a [`Simulation`](crate::Simulation) needs.
///
/// [`Default`] is the scenario `ticketpool simulate` runs with no
/// arguments: 4 vendors, 16 customers (25% VIP), 10 000 tickets of two
/// types, capacity 64, some holds and abandonment, seed 42.
///
/// # Examples
///
/// ```
/// use ticketpool_sim::SimulationConfig;
///
/// let config = SimulationConfig::from_toml_str(r#"
///     seed = 7
///     duration_ms = 2000
///
///     [office]
///     event_name = "Matinee"
///     total_tickets = 50
///     max_capacity = 8
///
///     [[office.ticket_types]]
///     name = "stalls"
///     price = 30
///
///     [[vendors]]
///     name = "north"
///     rate = 500.0
///
///     [customers]
///     count = 4
///     vip_share = 0.5
/// "#).unwrap();
/// assert_eq!(config.customers.count, 4);
/// assert_eq!(config.vendors[0].rate, Some(500.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationConfig {
    /// Seeds every agent's random draws: same seed, same arrivals.
    pub seed: u64,
    /// The longest the run may last.
    pub duration_ms: u64,
    /// How often the timeline is sampled.
    pub sample_interval_ms: u64,
    /// How arrival gaps are drawn, for vendors and customers.
    pub arrivals: Arrivals,
    /// The box office.
    pub office: BoxOfficeConfig,
    /// The vendors; at least one.
    pub vendors: Vec<SimVendorConfig>,
    /// The customers.
    pub customers: CustomersConfig,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        let ticket_type = |name: &str, price: i64, quota: Option<u64>| TicketTypeConfig {
            name: name.to_owned(),
            price: Money::from_minor(price),
            quota,
            capacity: None,
        };
        let office = BoxOfficeConfig {
            event_name: "Default Concert".to_owned(),
            total_tickets: 10_000,
            max_capacity: 64,
            ticket_types: vec![
                ticket_type("stalls", 4_500, Some(7_000)),
                ticket_type("balcony", 2_500, None),
            ],
            strategy: Strategy::LockFree,
            hold_ttl: std::time::Duration::from_millis(100),
            pricing: PricingConfig::Fixed,
            purchase_limit: None,
            vendors: Vec::new(),
        };
        Self {
            seed: 42,
            duration_ms: 60_000,
            sample_interval_ms: 50,
            arrivals: Arrivals::Poisson,
            office,
            vendors: (1..=4).map(default_vendor).collect(),
            customers: CustomersConfig::default(),
        }
    }
}

/// Tickets per second each default vendor releases. Four of them (20,000/s
/// in all) supply less than 16 customers ask for, so the default run shows
/// scarcity, which is when the VIP rule matters.
const DEFAULT_VENDOR_RATE: f64 = 5_000.0;

fn default_vendor(i: usize) -> SimVendorConfig {
    SimVendorConfig {
        name: format!("vendor-{i}"),
        rate: Some(DEFAULT_VENDOR_RATE),
        ticket_types: Vec::new(),
    }
}

impl SimulationConfig {
    /// Serializes to TOML.
    ///
    /// # Panics
    ///
    /// Only if the TOML serializer rejects the value, which none of its
    /// fields (numbers, strings, lists and tables with string keys) can
    /// make it do: a panic here is a bug.
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).expect("a simulation config always serializes to TOML")
    }

    /// Checks every rule, the office's and the simulation's, and reports
    /// every broken one.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] listing each problem with its field path.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems: Vec<ConfigProblem> = match self.office.validate() {
            Ok(()) => Vec::new(),
            Err(err) => err
                .problems()
                .iter()
                .map(|p| ConfigProblem {
                    field: format!("office.{}", p.field),
                    ..p.clone()
                })
                .collect(),
        };
        self.check_agents(&mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    pub(crate) fn check_agents(&self, problems: &mut Vec<ConfigProblem>) {
        let known_types: Vec<String> = self
            .office
            .ticket_types
            .iter()
            .map(|ty| ty.name.clone())
            .collect();
        let mut push = |field: String, message: String| {
            problems.push(ConfigProblem {
                field,
                message,
                line: None,
            });
        };
        let mut at_most = |field: &str, value: u64, max: u64| {
            if value > max {
                push(field.into(), format!("must be at most {max}, got {value}"));
            }
        };
        let len = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        at_most("seed", self.seed, bounds::MAX_SEED);
        at_most("duration_ms", self.duration_ms, bounds::MAX_MILLIS);
        at_most(
            "sample_interval_ms",
            self.sample_interval_ms,
            bounds::MAX_MILLIS,
        );
        at_most(
            "customers.confirm_delay_ms",
            self.customers.confirm_delay_ms,
            bounds::MAX_MILLIS,
        );
        at_most(
            "customers.count",
            len(self.customers.count),
            len(bounds::MAX_CUSTOMERS),
        );
        at_most("vendors", len(self.vendors.len()), len(bounds::MAX_VENDORS));
        if self.duration_ms == 0 {
            push("duration_ms".into(), "must be at least 1".into());
        }
        if self.sample_interval_ms == 0 {
            push("sample_interval_ms".into(), "must be at least 1".into());
        }
        if !self.office.vendors.is_empty() {
            push(
                "office.vendors".into(),
                "list simulated vendors under [[vendors]] instead".into(),
            );
        }
        if self.vendors.is_empty() {
            push("vendors".into(), "at least one vendor is needed".into());
        }
        let mut names = std::collections::HashSet::new();
        for (i, vendor) in self.vendors.iter().enumerate() {
            if vendor.name.trim().is_empty() {
                push(format!("vendors[{i}].name"), "must not be empty".into());
            } else if !names.insert(vendor.name.as_str()) {
                push(
                    format!("vendors[{i}].name"),
                    format!("duplicate vendor {:?}", vendor.name),
                );
            }
            if let Err(message) = check_rate(vendor.rate) {
                push(format!("vendors[{i}].rate"), message);
            }
            for (j, ty) in vendor.ticket_types.iter().enumerate() {
                if !known_types.contains(ty) {
                    push(
                        format!("vendors[{i}].ticket_types[{j}]"),
                        format!("unknown ticket type {ty:?}"),
                    );
                }
            }
        }
        let customers = &self.customers;
        if customers.count == 0 {
            push("customers.count".into(), "must be at least 1".into());
        }
        for (field, share) in [
            ("vip_share", customers.vip_share),
            ("hold_share", customers.hold_share),
            ("abandon_share", customers.abandon_share),
        ] {
            if !(0.0..=1.0).contains(&share) {
                push(
                    format!("customers.{field}"),
                    format!("must be between 0 and 1, got {share}"),
                );
            }
        }
        if let Err(message) = check_rate(customers.rate) {
            push("customers.rate".into(), message);
        }
        if let Some(ty) = &customers.ticket_type {
            if !known_types.contains(ty) {
                push(
                    "customers.ticket_type".into(),
                    format!("unknown ticket type {ty:?}"),
                );
            }
        }
    }

    /// Renames the vendors to `vendor-1..=count`, keeping the first one's
    /// rate and types for all (the `--vendors` override).
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_sim::SimulationConfig;
    /// let mut config = SimulationConfig::default();
    /// config.set_vendor_count(2);
    /// assert_eq!(config.vendors.len(), 2);
    /// assert_eq!(config.vendors[1].name, "vendor-2");
    /// ```
    pub fn set_vendor_count(&mut self, count: usize) {
        let template = self
            .vendors
            .first()
            .cloned()
            .unwrap_or_else(|| default_vendor(1));
        self.vendors = (1..=count)
            .map(|i| SimVendorConfig {
                name: format!("vendor-{i}"),
                ..template.clone()
            })
            .collect();
    }

    /// Sets the event's size, scaling type quotas down in proportion if
    /// they would add up past it (the `--total` override), so the result
    /// stays valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_sim::SimulationConfig;
    /// let mut config = SimulationConfig::default(); // stalls quota 7000 of 10000
    /// config.set_total_tickets(100);
    /// assert_eq!(config.office.ticket_types[0].quota, Some(100));
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn set_total_tickets(&mut self, total: u64) {
        self.office.total_tickets = total;
        fit_quotas(&mut self.office.ticket_types, total);
    }

    /// What is valid but probably not meant: customers that ask for a type
    /// no vendor releases would get nothing, and the run would sell nothing
    /// to them until `duration_ms` ends.
    pub fn warnings(&self) -> Vec<ConfigProblem> {
        let mut warnings = Vec::new();
        if let Some(wanted) = &self.customers.ticket_type {
            let sold = self
                .vendors
                .iter()
                .any(|v| v.ticket_types.is_empty() || v.ticket_types.contains(wanted));
            if !sold && !self.vendors.is_empty() {
                warnings.push(ConfigProblem {
                    field: "customers.ticket_type".to_owned(),
                    message: format!(
                        "no vendor sells {wanted:?}: the customers buy nothing and the run \
                         lasts until duration_ms ends"
                    ),
                    line: None,
                });
            }
        }
        warnings
    }

    /// How many of the customers are VIPs.
    pub fn vip_count(&self) -> usize {
        let vips = (self.customers.count as f64 * self.customers.vip_share).round();
        (vips as usize).min(self.customers.count)
    }
}

/// A rate must be a finite number, not negative.
pub(crate) fn check_rate(rate: Option<f64>) -> Result<(), String> {
    match rate {
        Some(rate) if !rate.is_finite() => Err(format!("must be a finite number, got {rate}")),
        Some(rate) if rate < 0.0 => Err(format!("must not be negative, got {rate}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_round_trips_through_toml() {
        let config = SimulationConfig::default();
        config.validate().unwrap();
        let text = config.to_toml_string();
        assert_eq!(SimulationConfig::from_toml_str(&text).unwrap(), config);
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let err = SimulationConfig::from_toml_str(
            r#"
            duration_ms = 0
            [office]
            event_name = "x"
            total_tickets = 10
            max_capacity = 0
            [[office.ticket_types]]
            name = "a"
            price = 1
            [[vendors]]
            name = "v"
            rate = -3.0
            [customers]
            vip_share = 1.5
            "#,
        )
        .unwrap_err();
        for field in [
            "office.max_capacity",
            "duration_ms",
            "vendors[0].rate",
            "customers.vip_share",
        ] {
            assert!(err.names_field(field), "{field} missing from {err}");
        }
    }

    #[test]
    fn unknown_types_are_named() {
        let mut config = SimulationConfig::default();
        config.vendors[0].ticket_types = vec!["nope".into()];
        config.customers.ticket_type = Some("gone".into());
        let err = config.validate().unwrap_err();
        assert!(err.names_field("vendors[0].ticket_types[0]"));
        assert!(err.names_field("customers.ticket_type"));
    }
}
