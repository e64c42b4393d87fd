//! The time zone an event is shown in: an IANA name (`Europe/Paris`) or a
//! fixed UTC offset (`+02:00`). The start time itself is always UTC; the
//! zone only changes how it is displayed.

use std::fmt;

use jiff::tz::{self, TimeZone};
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};

use crate::error::CatalogError;

/// A valid display time zone: checked on construction (and when read back
/// by serde), so an [`Event`](crate::Event) always has one that converts.
///
/// # Examples
///
/// ```
/// use ticketpool_catalog::DisplayZone;
///
/// let paris = DisplayZone::new("Europe/Paris").unwrap();
/// let start: jiff::Timestamp = "2026-07-14T19:00:00Z".parse().unwrap();
/// assert_eq!(paris.local(start).hour(), 21); // CEST, UTC+2
/// assert_eq!(DisplayZone::new("+05:30").unwrap().local(start).minute(), 30);
/// assert!(DisplayZone::new("Mars/Olympus").is_err());
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayZone {
    name: String,
    zone: TimeZone,
}

impl DisplayZone {
    /// The zone named `name`: an IANA name from the bundled database, `UTC`,
    /// or an offset `+HH:MM` / `-HH:MM`.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownTimeZone`] for anything else.
    pub fn new(name: &str) -> Result<Self, CatalogError> {
        let name = name.trim();
        let zone = parse_offset(name)
            .or_else(|| tz::db().get(name).ok())
            .ok_or_else(|| CatalogError::UnknownTimeZone(name.to_owned()))?;
        Ok(Self {
            name: name.to_owned(),
            zone,
        })
    }

    /// UTC.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            zone: TimeZone::UTC,
        }
    }

    /// The name as given (`Europe/Paris`, `+02:00`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `instant` on the wall clock of this zone.
    pub fn local(&self, instant: Timestamp) -> Zoned {
        instant.to_zoned(self.zone.clone())
    }
}

/// `+HH:MM` or `-HH:MM` (at most 18 hours either way), as a fixed zone.
fn parse_offset(text: &str) -> Option<TimeZone> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 18 || minutes > 59 {
        return None;
    }
    let offset = tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?;
    Some(TimeZone::fixed(offset))
}

impl TryFrom<String> for DisplayZone {
    type Error = CatalogError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::new(&name)
    }
}

impl From<DisplayZone> for String {
    fn from(zone: DisplayZone) -> String {
        zone.name
    }
}

// Two zones are the same if they were named the same: what the user sees.
impl PartialEq for DisplayZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for DisplayZone {}

impl fmt::Debug for DisplayZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DisplayZone({})", self.name)
    }
}

impl fmt::Display for DisplayZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_names_parse_and_garbage_does_not() {
        assert!(DisplayZone::new("UTC").is_ok());
        assert!(DisplayZone::new("America/New_York").is_ok());
        assert!(DisplayZone::new("-03:30").is_ok());
        for bad in ["", "+3", "+19:00", "+02:60", "Nowhere/Town", "02:00"] {
            assert!(
                matches!(DisplayZone::new(bad), Err(CatalogError::UnknownTimeZone(_))),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn serde_round_trips_and_rejects_unknown_names() {
        let zone = DisplayZone::new("Asia/Tokyo").unwrap();
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(json, "\"Asia/Tokyo\"");
        assert_eq!(serde_json::from_str::<DisplayZone>(&json).unwrap(), zone);
        assert!(serde_json::from_str::<DisplayZone>("\"Atlantis\"").is_err());
    }
}
