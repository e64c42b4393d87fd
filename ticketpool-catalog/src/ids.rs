//! Typed ids, so an event id is never passed where a venue id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, " #{}"), self.0)
            }
        }
    };
}

id_type!(
    /// An event's id, given by the [`Catalog`](crate::Catalog) on creation.
    ///
    /// ```
    /// use ticketpool_catalog::EventId;
    /// assert_eq!(EventId(7).to_string(), "event #7");
    /// ```
    EventId,
    "event"
);
id_type!(
    /// A venue's id, given by the [`Catalog`](crate::Catalog) on creation.
    ///
    /// ```
    /// use ticketpool_catalog::VenueId;
    /// assert_eq!(VenueId(3).to_string(), "venue #3");
    /// ```
    VenueId,
    "venue"
);
id_type!(
    /// A performer's id, given by the [`Catalog`](crate::Catalog) on creation.
    ///
    /// ```
    /// use ticketpool_catalog::PerformerId;
    /// assert_eq!(PerformerId(1).to_string(), "performer #1");
    /// ```
    PerformerId,
    "performer"
);
