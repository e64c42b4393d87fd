//! How prices are set: the [`PricingPolicy`] trait, fixed prices, and a
//! demand-based policy in exact integer arithmetic.
//!
//! Multipliers are in basis points (1/100 of a percent, 10,000 = 1x), so a
//! price is `base * bps / 10_000`, rounded down to the minor unit: no float
//! ever touches money.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::office::config::error::Problems;
use crate::office::ticket::Money;

/// What a pricing policy may look at when a ticket is taken or held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceContext<'a> {
    /// The ticket's type.
    pub ticket_type: &'a str,
    /// The type's configured base price.
    pub base_price: Money,
    /// The event's size.
    pub total_tickets: u64,
    /// Tickets not yet sold (released or not), this one included.
    pub remaining: u64,
    /// Customers waiting for a ticket right now, of either priority.
    pub waiting: u64,
}

/// Sets the price a customer pays, fixed when the ticket is taken or held.
///
/// Implement it for custom pricing and pass it to
/// [`BoxOfficeBuilder::pricing`](crate::BoxOfficeBuilder::pricing).
///
/// # Examples
///
/// ```
/// use ticketpool_core::{Money, PriceContext, PricingPolicy};
///
/// /// Half price for the last ten tickets.
/// #[derive(Debug)]
/// struct LastCall;
/// impl PricingPolicy for LastCall {
///     fn price(&self, ctx: &PriceContext<'_>) -> Money {
///         if ctx.remaining <= 10 {
///             Money::from_minor(ctx.base_price.minor() / 2)
///         } else {
///             ctx.base_price
///         }
///     }
/// }
/// ```
pub trait PricingPolicy: Send + Sync + fmt::Debug {
    /// The price for one ticket in this situation.
    fn price(&self, ctx: &PriceContext<'_>) -> Money;
}

/// Every ticket at its type's base price.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fixed;

impl PricingPolicy for Fixed {
    fn price(&self, ctx: &PriceContext<'_>) -> Money {
        ctx.base_price
    }
}

/// Demand pricing: the multiplier starts at 1x, rises linearly by
/// `scarcity_bps` as the event goes from none sold to all sold, and by
/// `per_waiting_bps` for each waiting customer (counting at most
/// `max_waiting_counted`), then is clamped to `[floor_bps, ceiling_bps]`.
///
/// The price never falls when fewer tickets remain or more customers wait.
///
/// # Examples
///
/// ```
/// use ticketpool_core::{DemandPricing, Money, PriceContext, PricingPolicy};
///
/// let policy = DemandPricing { scarcity_bps: 10_000, ..DemandPricing::default() };
/// let ctx = |remaining| PriceContext {
///     ticket_type: "general",
///     base_price: Money::from_minor(1_000),
///     total_tickets: 100,
///     remaining,
///     waiting: 0,
/// };
/// assert_eq!(policy.price(&ctx(100)), Money::from_minor(1_000)); // none sold
/// assert_eq!(policy.price(&ctx(51)), Money::from_minor(1_490)); // 49 sold
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandPricing {
    /// Extra basis points of base price once every ticket but this one is
    /// sold (10,000 doubles the price).
    pub scarcity_bps: u32,
    /// Extra basis points per waiting customer.
    pub per_waiting_bps: u32,
    /// Waiting customers beyond this count add nothing more.
    pub max_waiting_counted: u32,
    /// The lowest multiplier (10,000 = base price).
    pub floor_bps: u32,
    /// The highest multiplier (30,000 = three times base).
    pub ceiling_bps: u32,
}

impl Default for DemandPricing {
    fn default() -> Self {
        Self {
            scarcity_bps: 10_000,
            per_waiting_bps: 50,
            max_waiting_counted: 100,
            floor_bps: 10_000,
            ceiling_bps: 30_000,
        }
    }
}

impl DemandPricing {
    /// The multiplier in basis points for this situation, clamped.
    pub fn multiplier_bps(&self, ctx: &PriceContext<'_>) -> u64 {
        let total = ctx.total_tickets.max(1);
        let sold = total.saturating_sub(ctx.remaining.min(total));
        let scarcity = u64::from(self.scarcity_bps) * sold / total;
        let waiting = ctx.waiting.min(u64::from(self.max_waiting_counted));
        let demand = u64::from(self.per_waiting_bps) * waiting;
        let raw = 10_000 + scarcity + demand;
        // `max` then `min` rather than `clamp`, which panics on floor > ceiling
        // (validation rejects that, but a policy built in code may not be).
        raw.max(u64::from(self.floor_bps))
            .min(u64::from(self.ceiling_bps))
    }
}

impl PricingPolicy for DemandPricing {
    fn price(&self, ctx: &PriceContext<'_>) -> Money {
        let bps = i128::from(self.multiplier_bps(ctx));
        let minor = i128::from(ctx.base_price.minor()) * bps / 10_000;
        Money::from_minor(i64::try_from(minor).unwrap_or(i64::MAX))
    }
}

/// The pricing policy a configuration names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[non_exhaustive]
pub enum PricingConfig {
    /// [`Fixed`]: base prices.
    #[default]
    Fixed,
    /// [`DemandPricing`].
    Demand(DemandPricing),
}

impl PricingConfig {
    /// The policy this names.
    pub fn policy(&self) -> std::sync::Arc<dyn PricingPolicy> {
        match *self {
            Self::Fixed => std::sync::Arc::new(Fixed),
            Self::Demand(demand) => std::sync::Arc::new(demand),
        }
    }
}

impl PricingConfig {
    /// The pricing rules a configuration must keep (field paths under
    /// `pricing.`); part of [`BoxOfficeConfig::validate`](crate::BoxOfficeConfig::validate).
    pub(crate) fn check(&self, problems: &mut Problems) {
        if let Self::Demand(demand) = self {
            demand.check(problems);
        }
    }
}

impl DemandPricing {
    fn check(&self, problems: &mut Problems) {
        if self.floor_bps > self.ceiling_bps {
            problems.push(
                "pricing.floor_bps",
                format!(
                    "floor {} is above ceiling {}",
                    self.floor_bps, self.ceiling_bps
                ),
            );
        }
    }
}
