//! The names a ticket carries: its type's and its vendor's.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// A ticket type's or a vendor's name, as every [`Ticket`](crate::Ticket)
/// carries it.
///
/// Names of up to 23 bytes are stored inside the value itself, so copying a
/// ticket or dropping one touches no counter shared with other threads. Each
/// ticket used to carry `Arc<str>`s: the vendor's thread bumped their
/// reference counts on every release and the buyer's thread dropped them, so
/// the counters' cache lines crossed between the cores twice per ticket.
/// Longer names are shared behind one reference count, as before.
///
/// A `Name` reads as a `&str` (it dereferences to one) and compares equal to
/// the same text in any string type:
///
/// ```
/// use ticketpool_core::Name;
/// let general = Name::from("general");
/// assert_eq!(general, "general");
/// assert_eq!(general.len(), 7);
/// assert_eq!(general.to_string(), "general");
/// assert!(general.starts_with("gen"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Name(SmolStr);

impl Name {
    /// The name's text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

// `Hash` and `Eq` agree with `str`'s, so a `Name` can key a map looked up by `&str`.
impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Self(SmolStr::new(text))
    }
}

impl From<String> for Name {
    fn from(text: String) -> Self {
        Self(SmolStr::from(text))
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Self {
        Self(SmolStr::new(text))
    }
}

impl From<Arc<str>> for Name {
    fn from(text: Arc<str>) -> Self {
        Self(SmolStr::new(&*text))
    }
}

impl From<&Arc<str>> for Name {
    fn from(text: &Arc<str>) -> Self {
        Self(SmolStr::new(&**text))
    }
}

impl From<Name> for Arc<str> {
    fn from(name: Name) -> Self {
        Arc::from(name.as_str())
    }
}

impl From<&Name> for Arc<str> {
    fn from(name: &Name) -> Self {
        Arc::from(name.as_str())
    }
}

impl From<Name> for String {
    fn from(name: Name) -> Self {
        name.0.into()
    }
}

/// Equality with the same text held in another string type, both ways round.
macro_rules! eq_text {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for Name {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<Name> for $other {
            fn eq(&self, other: &Name) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}
eq_text!(str, &str, String, Arc<str>);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn short_names_live_inline_and_long_ones_are_shared() {
        assert!(!Name::from("a ticket type of 23 b").0.is_heap_allocated());
        let long = Name::from("a vendor name that is longer than twenty-three bytes");
        assert!(long.0.is_heap_allocated());
        assert_eq!(long.clone(), long);
    }

    #[test]
    fn the_office_counts_each_vendor_once_whatever_its_names_length() {
        use crate::{BoxOffice, BoxOfficeConfig, Money, Priority, Want};
        let office = BoxOffice::new(BoxOfficeConfig::simple(
            "names",
            10,
            8,
            Money::from_minor(100),
        ))
        .unwrap();
        let long = "a vendor whose name is longer than twenty-three bytes";
        let (far, near) = (
            office.add_vendor(long, &[]).unwrap(),
            office.add_vendor("v", &[]).unwrap(),
        );
        for vendor in [&far, &far, &near] {
            vendor.release("general").unwrap();
        }
        let customer = office.customer("c", Priority::Regular);
        let sold: Vec<_> = (0..3).map(|_| customer.buy(Want::Any).unwrap()).collect();
        assert_eq!(sold.iter().filter(|s| s.ticket.vendor == long).count(), 2);
        let snap = office.snapshot();
        assert_eq!(snap.by_vendor.len(), 2);
        assert_eq!(
            (snap.by_vendor[long].released, snap.by_vendor[long].sold),
            (2, 2)
        );
        assert_eq!(
            (snap.by_vendor["v"].released, snap.by_vendor["v"].sold),
            (1, 1)
        );
        let logged: Vec<_> = office
            .sales()
            .into_iter()
            .map(|s| s.ticket.vendor)
            .collect();
        assert_eq!(logged.iter().filter(|v| **v == long).count(), 2);
    }

    #[test]
    fn a_name_compares_hashes_and_serializes_as_its_text() {
        let name = Name::from("balcony");
        assert_eq!(name, "balcony");
        assert_eq!("balcony", name);
        assert_eq!(name, String::from("balcony"));
        assert_eq!(name, Arc::<str>::from("balcony"));
        assert_ne!(name, "general");
        let mut counts = HashMap::new();
        counts.insert(name.clone(), 3);
        assert_eq!(counts.get("balcony"), Some(&3));
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"balcony\"");
        let read: Name = serde_json::from_str("\"balcony\"").unwrap();
        assert_eq!(read, name);
        assert_eq!(format!("{name} {name:?}"), "balcony \"balcony\"");
    }
}
