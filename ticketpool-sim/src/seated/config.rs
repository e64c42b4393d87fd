//! The seated scenario's configuration: a venue seat map, the vendors'
//! release waves and the fans, from TOML, validated all at once.

use serde::{Deserialize, Serialize};
use ticketpool_seats::{SeatMap, VenueConfig};

use crate::error::SimulationError;

/// One vendor release: a section's seats or a price tier's (exactly one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    /// Release this section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Release this price tier, in every section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl Wave {
    /// A wave releasing one section.
    pub fn section(name: &str) -> Self {
        Self {
            section: Some(name.to_string()),
            tier: None,
        }
    }

    /// A wave releasing one price tier.
    pub fn tier(name: &str) -> Self {
        Self {
            section: None,
            tier: Some(name.to_string()),
        }
    }
}

/// The fans: groups of 1 to `max_group` wanting adjacent seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FansConfig {
    /// How many groups.
    pub groups: usize,
    /// How many buyer threads serve them.
    pub threads: usize,
    /// The share of VIP groups, in `[0, 1]`: VIPs pick first in each wave.
    pub vip_share: f64,
    /// The largest group, 1 to 6; sizes are drawn uniformly from 1.
    pub max_group: u32,
    /// The share of groups asking by price tier rather than by section,
    /// in `[0, 1]`.
    pub tier_share: f64,
    /// The share of groups that hold seats and let the hold lapse, in
    /// `[0, 1]`.
    pub lapse_share: f64,
}

impl Default for FansConfig {
    fn default() -> Self {
        Self {
            groups: 200,
            threads: 4,
            vip_share: 0.2,
            max_group: 6,
            tier_share: 0.3,
            lapse_share: 0.1,
        }
    }
}

/// A seated sale to simulate: run it with [`run_seated`](crate::run_seated).
///
/// # Examples
///
/// ```
/// use ticketpool_sim::SeatedConfig;
///
/// let config = SeatedConfig::from_toml_str(r#"
///     seed = 7
///     waves = [{ tier = "premium" }, { section = "Stalls" }]
///     [fans]
///     groups = 50
///     vip_share = 0.5
///     [venue]
///     name = "Hall"
///     tiers = { premium = 9000, standard = 5000 }
///     [[venue.sections]]
///     name = "Stalls"
///     tier = "standard"
///     rows = "A-J"
///     seats = "1-20"
///     row_tiers = { "A-B" = "premium" }
/// "#).unwrap();
/// assert_eq!(config.fans.groups, 50);
/// assert_eq!(config.validate().unwrap().seat_count(), 200);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatedConfig {
    /// Seeds the groups' draws: same seed, same groups.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The venue's seat map.
    pub venue: VenueConfig,
    /// The vendors' waves, in order; none means the whole venue at once.
    #[serde(default)]
    pub waves: Vec<Wave>,
    /// The fans.
    #[serde(default)]
    pub fans: FansConfig,
}

fn default_seed() -> u64 {
    42
}

/// The most groups a run may have.
pub const MAX_GROUPS: usize = 1_000_000;
/// The most buyer threads a run may start.
pub const MAX_THREADS: usize = 256;

impl SeatedConfig {
    /// The default fans and one wave of every seat, on `venue`.
    pub fn new(venue: VenueConfig) -> Self {
        Self {
            seed: default_seed(),
            venue,
            waves: Vec::new(),
            fans: FansConfig::default(),
        }
    }

    /// Reads a scenario from TOML (the venue under `[venue]`).
    ///
    /// # Errors
    ///
    /// [`SimulationError::Seated`] when the text does not read (validation
    /// comes later, in [`validate`](Self::validate)).
    pub fn from_toml_str(text: &str) -> Result<Self, SimulationError> {
        toml::from_str(text).map_err(|e| SimulationError::Seated {
            problems: vec![e.message().to_string()],
        })
    }

    /// Builds the seat map and checks the waves and fans against it.
    ///
    /// # Errors
    ///
    /// [`SimulationError::Venue`] listing every problem of the venue, else
    /// [`SimulationError::Seated`] listing every problem of the rest.
    pub fn validate(&self) -> Result<SeatMap, SimulationError> {
        let map = self.venue.build()?;
        let mut problems = Vec::new();
        for (i, wave) in self.waves.iter().enumerate() {
            match (&wave.section, &wave.tier) {
                (Some(s), None) if !map.sections().any(|n| n == s) => {
                    problems.push(format!("waves[{i}]: no section {s:?} in the venue"))
                }
                (None, Some(t)) if !map.tiers().any(|(n, _)| n == t) => {
                    problems.push(format!("waves[{i}]: no price tier {t:?} in the venue"))
                }
                (Some(_), None) | (None, Some(_)) => {}
                _ => problems.push(format!("waves[{i}]: give exactly one of section or tier")),
            }
        }
        let f = &self.fans;
        if f.groups > MAX_GROUPS {
            problems.push(format!(
                "fans.groups: {} is more than {MAX_GROUPS}",
                f.groups
            ));
        }
        if f.threads == 0 || f.threads > MAX_THREADS {
            problems.push(format!(
                "fans.threads: {} is not between 1 and {MAX_THREADS}",
                f.threads
            ));
        }
        if !(1..=6).contains(&f.max_group) {
            problems.push(format!(
                "fans.max_group: {} is not between 1 and 6",
                f.max_group
            ));
        }
        for (name, share) in [
            ("vip_share", f.vip_share),
            ("tier_share", f.tier_share),
            ("lapse_share", f.lapse_share),
        ] {
            if !(0.0..=1.0).contains(&share) {
                problems.push(format!("fans.{name}: {share} is not between 0 and 1"));
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(SimulationError::Seated { problems })
        }
    }
}
