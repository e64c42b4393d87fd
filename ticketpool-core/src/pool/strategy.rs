//! The two pool strategies, by name: what a configuration picks and
//! [`DynamicPool`](crate::DynamicPool) dispatches on.

use serde::{Deserialize, Serialize};

/// Which pool strategy to use: [`DynamicPool`](crate::DynamicPool) picks its pool by it, and a
/// box office configuration names it (`strategy = "condvar"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Strategy {
    /// [`LockFreePool`](crate::LockFreePool).
    #[default]
    LockFree,
    /// [`CondvarPool`](crate::CondvarPool).
    Condvar,
}

impl Strategy {
    /// `"lockfree"` or `"condvar"`: the one spelling configs, reports, the
    /// Python bindings and the CLI use (and the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::LockFree => "lockfree",
            Strategy::Condvar => "condvar",
        }
    }

    /// Every strategy, in the order configs and help texts list them.
    pub const ALL: [Strategy; 2] = [Strategy::LockFree, Strategy::Condvar];

    /// The strategy spelled `name` by [`as_str`](Self::as_str), if any: the
    /// inverse that configs and the Python bindings parse with.
    ///
    /// ```
    /// use ticketpool_core::Strategy;
    /// assert_eq!(Strategy::from_name("condvar"), Some(Strategy::Condvar));
    /// assert_eq!(Strategy::from_name("lock-free"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.as_str() == name)
    }
}
