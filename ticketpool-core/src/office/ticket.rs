//! The box office's values: tickets, money, sales.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::office::name::Name;
use crate::pool::Priority;

/// A ticket's identity: unique for the life of an event, never reused, even
/// across a crash and recovery.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TicketId(pub u64);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}

/// A hold's identity, unique for the life of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HoldId(pub u64);

impl fmt::Display for HoldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "H{}", self.0)
    }
}

/// An exact amount of money in minor units (cents): never a float.
///
/// ```
/// use ticketpool_core::Money;
/// let price = Money::from_minor(4_250);
/// assert_eq!(price.to_string(), "42.50");
/// assert_eq!(price + Money::from_minor(50), Money::from_minor(4_300));
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// An amount of `minor` units (cents).
    pub const fn from_minor(minor: i64) -> Self {
        Self(minor)
    }

    /// The amount in minor units (cents).
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Adds, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

// Reading money that people wrote (configuration files): decimal amounts in
// major units become exact minor units, never through a float's rounding.

/// A price written as a whole number of major units.
pub(crate) fn price_from_whole(units: i128) -> Result<Money, String> {
    i64::try_from(units)
        .ok()
        .and_then(|units| units.checked_mul(100))
        .map(Money::from_minor)
        .ok_or_else(|| format!("{units} is too large"))
}

/// A price written as a number with a fraction.
pub(crate) fn price_from_float(value: f64) -> Result<Money, String> {
    if !value.is_finite() {
        return Err(format!("must be a finite number, got {value}"));
    }
    // `Display` for f64 prints the shortest string that reads back as the
    // same float: the decimal the user wrote.
    parse_decimal(&value.to_string())
}

/// Parses `"-12.34"` into minor units; at most two decimals.
pub(crate) fn parse_decimal(text: &str) -> Result<Money, String> {
    let bad = || format!("{text:?} is not a decimal amount like \"42.50\"");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(format!("{text:?} has more than two decimals"));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("{text:?} is too large"))?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let minor = whole
        .checked_mul(100)
        .and_then(|m| m.checked_add(frac))
        .ok_or_else(|| format!("{text:?} is too large"))?;
    Ok(Money::from_minor(if negative { -minor } else { minor }))
}

/// A ticket released by a vendor. It moves through the pool by value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ticket {
    /// Unique id.
    pub id: TicketId,
    /// The ticket type's name (for example `"standard"`).
    pub ticket_type: Name,
    /// The vendor that released it.
    pub vendor: Name,
    /// The type's base price when released.
    pub base_price: Money,
    /// When it was released.
    pub released_at: SystemTime,
}

/// A completed sale: the sales log's record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sale {
    /// The ticket sold.
    pub ticket: Ticket,
    /// Who bought it.
    pub customer: Arc<str>,
    /// The customer's priority.
    pub priority: Priority,
    /// The price paid (fixed when the ticket was taken or held).
    pub price: Money,
    /// When the sale completed.
    pub sold_at: SystemTime,
    /// How long the customer waited for the ticket: zero if one was on
    /// sale when it asked, otherwise from its first miss to the ticket.
    pub waited: Duration,
    /// The hold it was confirmed from, if any.
    pub hold: Option<HoldId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("42.5"), Ok(Money::from_minor(4_250)));
        assert_eq!(parse_decimal("0.07"), Ok(Money::from_minor(7)));
        assert_eq!(parse_decimal("-1"), Ok(Money::from_minor(-100)));
        assert!(parse_decimal("1.234").is_err());
        assert!(parse_decimal("1e3").is_err());
        assert!(parse_decimal(".5").is_err());
        assert!(parse_decimal("99999999999999999999").is_err());
        assert_eq!(
            price_from_float(0.1 + 0.2),
            Err("\"0.30000000000000004\" has more than two decimals".to_owned())
        );
        assert_eq!(price_from_float(19.99), Ok(Money::from_minor(1_999)));
    }
}
