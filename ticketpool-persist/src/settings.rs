//! The event's configuration as a journal records it, so that reopening
//! the journal with a configuration that contradicts what was sold is
//! refused rather than silently selling on other terms.

use std::fmt;

use serde::{Deserialize, Serialize};
use ticketpool_core::{BoxOfficeConfig, Money};

/// The part of a [`BoxOfficeConfig`] a journal holds the office to: what
/// its tickets were released and sold under. Recorded on a journal's first
/// open (also one written before journals recorded it), and changed only
/// by [`reconfigure`](crate::reconfigure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSettings {
    /// The event's name.
    pub event_name: String,
    /// Tickets to sell in all.
    pub total_tickets: u64,
    /// The ticket types, in the configuration's order.
    pub ticket_types: Vec<TypeSettings>,
}

/// One ticket type of [`EventSettings`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeSettings {
    /// The type's name.
    pub name: String,
    /// Its base price in minor units (cents).
    pub price_minor: i64,
    /// Its quota, if it has one.
    pub quota: Option<u64>,
}

impl EventSettings {
    /// The settings of `config`.
    pub fn of(config: &BoxOfficeConfig) -> Self {
        Self {
            event_name: config.event_name.clone(),
            total_tickets: config.total_tickets,
            ticket_types: config
                .ticket_types
                .iter()
                .map(|ty| TypeSettings {
                    name: ty.name.clone(),
                    price_minor: ty.price.minor(),
                    quota: ty.quota,
                })
                .collect(),
        }
    }

    /// Every way `proposed` differs from these (recorded) settings; empty
    /// if it agrees. A renamed type shows as one removed and one added.
    pub fn differences(&self, proposed: &Self) -> Vec<SettingDifference> {
        let mut found = Vec::new();
        if self.event_name != proposed.event_name {
            found.push(SettingDifference::EventName {
                journal: self.event_name.clone(),
                config: proposed.event_name.clone(),
            });
        }
        if self.total_tickets != proposed.total_tickets {
            found.push(SettingDifference::TotalTickets {
                journal: self.total_tickets,
                config: proposed.total_tickets,
            });
        }
        for recorded in &self.ticket_types {
            let Some(now) = proposed
                .ticket_types
                .iter()
                .find(|t| t.name == recorded.name)
            else {
                found.push(SettingDifference::TypeRemoved {
                    ticket_type: recorded.name.clone(),
                });
                continue;
            };
            if recorded.price_minor != now.price_minor {
                found.push(SettingDifference::Price {
                    ticket_type: recorded.name.clone(),
                    journal: Money::from_minor(recorded.price_minor),
                    config: Money::from_minor(now.price_minor),
                });
            }
            if recorded.quota != now.quota {
                found.push(SettingDifference::Quota {
                    ticket_type: recorded.name.clone(),
                    journal: recorded.quota,
                    config: now.quota,
                });
            }
        }
        for added in &proposed.ticket_types {
            if !self.ticket_types.iter().any(|t| t.name == added.name) {
                found.push(SettingDifference::TypeAdded {
                    ticket_type: added.name.clone(),
                });
            }
        }
        found
    }
}

/// One way a configuration differs from what the journal recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingDifference {
    /// Another event name.
    EventName {
        /// Recorded.
        journal: String,
        /// Proposed.
        config: String,
    },
    /// Another total.
    TotalTickets {
        /// Recorded.
        journal: u64,
        /// Proposed.
        config: u64,
    },
    /// A recorded type is missing (removed or renamed).
    TypeRemoved {
        /// The recorded type.
        ticket_type: String,
    },
    /// A type the journal does not know.
    TypeAdded {
        /// The new type.
        ticket_type: String,
    },
    /// A type's base price changed.
    Price {
        /// The type.
        ticket_type: String,
        /// Recorded.
        journal: Money,
        /// Proposed.
        config: Money,
    },
    /// A type's quota changed.
    Quota {
        /// The type.
        ticket_type: String,
        /// Recorded.
        journal: Option<u64>,
        /// Proposed.
        config: Option<u64>,
    },
}

impl fmt::Display for SettingDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quota = |q: &Option<u64>| q.map_or_else(|| "none".to_owned(), |q| q.to_string());
        match self {
            Self::EventName { journal, config } => {
                write!(f, "event_name is {config:?}, the journal's is {journal:?}")
            }
            Self::TotalTickets { journal, config } => {
                write!(f, "total_tickets is {config}, the journal's is {journal}")
            }
            Self::TypeRemoved { ticket_type } => write!(
                f,
                "ticket type {ticket_type:?} of the journal is missing (removed or renamed)"
            ),
            Self::TypeAdded { ticket_type } => {
                write!(f, "ticket type {ticket_type:?} is not in the journal")
            }
            Self::Price {
                ticket_type,
                journal,
                config,
            } => write!(
                f,
                "ticket type {ticket_type:?} costs {config}, the journal's price is {journal}"
            ),
            Self::Quota {
                ticket_type,
                journal,
                config,
            } => write!(
                f,
                "ticket type {ticket_type:?} has quota {}, the journal's is {}",
                quota(config),
                quota(journal)
            ),
        }
    }
}

/// The differences as one readable list, for error messages.
pub(crate) fn list(differences: &[SettingDifference]) -> String {
    differences
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
