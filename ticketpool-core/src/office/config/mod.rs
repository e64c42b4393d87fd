//! The box office's configuration: one serde struct, loadable from TOML or
//! JSON, validated all at once so a user sees every problem in one go.
//!
//! Prices in a file are decimal amounts in major units (`42.50`, `"42.50"`,
//! `42`); they become exact [`Money`] (minor units) without passing through
//! a float's rounding: a number is read back through its shortest decimal
//! form, which is what the user wrote.

pub(crate) mod error;
pub(crate) mod read;
pub(crate) mod reader;

use std::collections::HashSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::office::config::error::{ConfigError, ConfigProblem, Problems};
use crate::office::pricing::PricingConfig;
use crate::office::ticket::Money;
use crate::pool::strategy::Strategy;

/// One kind of ticket the event sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTypeConfig {
    /// The type's unique name (`"standard"`, `"balcony"`).
    pub name: String,
    /// The base price, before the pricing policy.
    pub price: Money,
    /// The most tickets of this type that will be released, if limited.
    pub quota: Option<u64>,
    /// This type's share of the office: the most tickets of this type on
    /// sale or held at once. `None`: an equal share of what `max_capacity`
    /// leaves after the types that set one (see
    /// [`BoxOfficeConfig::type_capacities`]). A type's unsold tickets never
    /// take another type's room, so a vendor of one type is not kept waiting
    /// by another type's unsold stock.
    pub capacity: Option<usize>,
}

/// A vendor named in the configuration and the types it may sell (empty:
/// every type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorConfig {
    /// The vendor's unique name.
    pub name: String,
    /// The ticket types it may release; empty means all.
    #[serde(default)]
    pub ticket_types: Vec<String>,
}

/// Everything a [`BoxOffice`](crate::BoxOffice) needs to know about an event.
///
/// Build it in code (then call [`validate`](Self::validate)) or load it with
/// [`from_toml_str`](Self::from_toml_str), [`from_json_str`](Self::from_json_str)
/// or [`from_path`](Self::from_path), which validate for you.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{BoxOfficeConfig, Money, Strategy};
///
/// let config = BoxOfficeConfig::from_toml_str(r#"
///     event_name = "Night at the Opera"
///     total_tickets = 100
///     max_capacity = 10
///     strategy = "condvar"
///     hold_ttl_ms = 5000
///     purchase_limit = 4
///
///     [[ticket_types]]
///     name = "stalls"
///     price = 42.50
///     quota = 60
///
///     [[ticket_types]]
///     name = "balcony"
///     price = "19.99"
///
///     [pricing]
///     kind = "fixed"
/// "#).unwrap();
/// assert_eq!(config.ticket_types[0].price, Money::from_minor(4_250));
/// assert_eq!(config.strategy, Strategy::Condvar);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "RawConfig")]
pub struct BoxOfficeConfig {
    /// The event's name, for reports.
    pub event_name: String,
    /// The most tickets that will ever be released: the event's size.
    pub total_tickets: u64,
    /// The most tickets in the office at once (available plus held). It is
    /// shared out among the ticket types ([`type_capacities`](Self::type_capacities)):
    /// the types that set a `capacity` get it, the others split the rest
    /// equally (the first ones get one more when it does not divide), and
    /// the office never holds more than the sum of the shares.
    pub max_capacity: usize,
    /// The kinds of ticket on sale; at least one.
    pub ticket_types: Vec<TicketTypeConfig>,
    /// The pool strategy.
    pub strategy: Strategy,
    /// How long a hold lasts before its ticket goes back on sale.
    pub hold_ttl: Duration,
    /// How prices move.
    pub pricing: PricingConfig,
    /// The most tickets one customer may hold plus buy, if limited. A buy
    /// or reserve claims its slot when it starts and gives it back if it
    /// ends without a ticket, so buys still waiting count too: with a
    /// limit of 4, four waiting buys make a fifth fail with
    /// [`LimitReached`](crate::BoxOfficeError::LimitReached). That keeps
    /// the limit exact when one customer buys from several threads.
    pub purchase_limit: Option<u32>,
    /// Vendors the configuration names (the office does not start them).
    pub vendors: Vec<VendorConfig>,
}

impl BoxOfficeConfig {
    /// A valid configuration with one ticket type, `"general"` at `price`,
    /// fixed pricing, the lock-free strategy, 30-second holds and no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use ticketpool_core::{BoxOfficeConfig, Money};
    /// let config = BoxOfficeConfig::simple("gig", 100, 10, Money::from_minor(2_000));
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn simple(
        event_name: impl Into<String>,
        total_tickets: u64,
        max_capacity: usize,
        price: Money,
    ) -> Self {
        Self {
            event_name: event_name.into(),
            total_tickets,
            max_capacity,
            ticket_types: vec![TicketTypeConfig {
                name: "general".to_owned(),
                price,
                quota: None,
                capacity: None,
            }],
            strategy: Strategy::LockFree,
            hold_ttl: Duration::from_secs(30),
            pricing: PricingConfig::Fixed,
            purchase_limit: None,
            vendors: Vec::new(),
        }
    }

    /// Checks every rule and reports every broken one.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] listing each problem with its field path.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Problems::default();
        self.check(&mut problems);
        problems.into_result()
    }

    /// Serializes to TOML (prices as decimal strings).
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).expect("a config always serializes to TOML")
    }

    /// The type named `name`, if configured.
    pub fn ticket_type(&self, name: &str) -> Option<&TicketTypeConfig> {
        self.ticket_types.iter().find(|ty| ty.name == name)
    }

    /// Each ticket type's share of the office, in configuration order: its
    /// own `capacity` if set, otherwise an equal share of what
    /// `max_capacity` leaves after the set ones (the first types get one
    /// more while the rest does not divide). The office holds at most their
    /// sum, which is never more than `max_capacity` in a valid config.
    ///
    /// ```
    /// use ticketpool_core::{BoxOfficeConfig, Money, TicketTypeConfig};
    /// let mut config = BoxOfficeConfig::simple("gig", 100, 10, Money::from_minor(100));
    /// config.ticket_types.push(TicketTypeConfig {
    ///     name: "balcony".into(),
    ///     price: Money::from_minor(50),
    ///     quota: None,
    ///     capacity: None,
    /// });
    /// assert_eq!(config.type_capacities(), vec![5, 5]);
    /// config.ticket_types[1].capacity = Some(2);
    /// assert_eq!(config.type_capacities(), vec![8, 2]);
    /// ```
    pub fn type_capacities(&self) -> Vec<usize> {
        let set: usize = self
            .ticket_types
            .iter()
            .filter_map(|ty| ty.capacity)
            .fold(0, usize::saturating_add);
        let unset = self
            .ticket_types
            .iter()
            .filter(|ty| ty.capacity.is_none())
            .count();
        let rest = self.max_capacity.saturating_sub(set);
        let mut extra = rest % unset.max(1);
        self.ticket_types
            .iter()
            .map(|ty| {
                ty.capacity.unwrap_or_else(|| {
                    let bonus = usize::from(extra > 0);
                    extra -= bonus;
                    rest / unset.max(1) + bonus
                })
            })
            .collect()
    }

    /// Every rule this config breaks, without the line numbers a document
    /// would give: what [`validate`](Self::validate) reports, as a list, for
    /// a config that embeds an office (the simulator's) to merge with its own.
    pub fn rule_problems(&self) -> Vec<ConfigProblem> {
        let mut problems = Problems::default();
        self.check(&mut problems);
        problems.0
    }

    pub(crate) fn check(&self, problems: &mut Problems) {
        if self.event_name.trim().is_empty() {
            problems.push("event_name", "must not be empty");
        }
        if self.total_tickets == 0 {
            problems.push("total_tickets", "must be at least 1");
        }
        problems.at_most(
            "total_tickets",
            self.total_tickets,
            bounds::MAX_TOTAL_TICKETS,
        );
        if self.max_capacity == 0 {
            problems.push("max_capacity", "must be at least 1");
        }
        problems.at_most("max_capacity", self.max_capacity, bounds::MAX_CAPACITY);
        if self.hold_ttl.is_zero() {
            problems.push("hold_ttl_ms", "must be at least 1 ms");
        }
        problems.at_most(
            "hold_ttl_ms",
            self.hold_ttl.as_millis(),
            bounds::MAX_MILLIS.into(),
        );
        problems.at_most(
            "ticket_types",
            self.ticket_types.len(),
            bounds::MAX_TICKET_TYPES,
        );
        problems.at_most("vendors", self.vendors.len(), bounds::MAX_VENDORS);
        if self.purchase_limit == Some(0) {
            problems.push(
                "purchase_limit",
                "must be at least 1 (omit it for no limit)",
            );
        }
        if self.ticket_types.is_empty() {
            problems.push("ticket_types", "at least one ticket type is needed");
        }
        let mut names = HashSet::new();
        let mut quota_sum: u64 = 0;
        let mut capacity_sum: usize = 0;
        let mut unset_capacities = 0;
        for (i, ty) in self.ticket_types.iter().enumerate() {
            if ty.name.trim().is_empty() {
                problems.push(format!("ticket_types[{i}].name"), "must not be empty");
            } else if !names.insert(ty.name.as_str()) {
                problems.push(
                    format!("ticket_types[{i}].name"),
                    format!("duplicate ticket type {:?}", ty.name),
                );
            }
            if ty.price < Money::ZERO {
                problems.push(
                    format!("ticket_types[{i}].price"),
                    format!("must not be negative, got {}", ty.price),
                );
            }
            if let Some(quota) = ty.quota {
                if quota == 0 {
                    problems.push(format!("ticket_types[{i}].quota"), "must be at least 1");
                }
                quota_sum = quota_sum.saturating_add(quota);
            }
            match ty.capacity {
                Some(0) => problems.push(
                    format!("ticket_types[{i}].capacity"),
                    "must be at least 1 (omit it for an equal share of max_capacity)",
                ),
                Some(capacity) => capacity_sum = capacity_sum.saturating_add(capacity),
                None => unset_capacities += 1,
            }
        }
        if capacity_sum > self.max_capacity {
            problems.push(
                "ticket_types",
                format!(
                    "capacities add up to {capacity_sum}, past max_capacity {}",
                    self.max_capacity
                ),
            );
        } else if self.max_capacity - capacity_sum < unset_capacities {
            problems.push(
                "max_capacity",
                format!(
                    "{} leaves less than 1 for each of the {unset_capacities} ticket types \
                     without a capacity (raise it, or set each type's capacity)",
                    self.max_capacity
                ),
            );
        }
        if quota_sum > self.total_tickets {
            problems.push(
                "ticket_types",
                format!(
                    "quotas add up to {quota_sum}, past total_tickets {}",
                    self.total_tickets
                ),
            );
        }
        self.pricing.check(problems);
        let mut vendor_names = HashSet::new();
        for (i, vendor) in self.vendors.iter().enumerate() {
            if vendor.name.trim().is_empty() {
                problems.push(format!("vendors[{i}].name"), "must not be empty");
            } else if !vendor_names.insert(vendor.name.as_str()) {
                problems.push(
                    format!("vendors[{i}].name"),
                    format!("duplicate vendor {:?}", vendor.name),
                );
            }
            for (j, ty) in vendor.ticket_types.iter().enumerate() {
                if !names.contains(ty.as_str()) {
                    problems.push(
                        format!("vendors[{i}].ticket_types[{j}]"),
                        format!("unknown ticket type {ty:?}"),
                    );
                }
            }
        }
    }
}

/// The serialized form: prices as decimal strings, durations in ms.
#[derive(Debug, Clone, Serialize)]
struct RawTicketType {
    name: String,
    price: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quota: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capacity: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
struct RawConfig {
    event_name: String,
    total_tickets: u64,
    max_capacity: usize,
    ticket_types: Vec<RawTicketType>,
    strategy: Strategy,
    hold_ttl_ms: u64,
    pricing: PricingConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    purchase_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    vendors: Vec<VendorConfig>,
}

impl From<BoxOfficeConfig> for RawConfig {
    fn from(config: BoxOfficeConfig) -> Self {
        Self {
            event_name: config.event_name,
            total_tickets: config.total_tickets,
            max_capacity: config.max_capacity,
            ticket_types: config
                .ticket_types
                .into_iter()
                .map(|ty| RawTicketType {
                    name: ty.name,
                    price: ty.price.to_string(),
                    quota: ty.quota,
                    capacity: ty.capacity,
                })
                .collect(),
            strategy: config.strategy,
            hold_ttl_ms: u64::try_from(config.hold_ttl.as_millis()).unwrap_or(u64::MAX),
            pricing: config.pricing,
            purchase_limit: config.purchase_limit,
            vendors: config.vendors,
        }
    }
}
