//! Reproducible arrival plans: every agent draws from its own generator,
//! seeded from the run's seed and the agent's index, so what an agent asks
//! for and when does not depend on how threads are scheduled.

use std::time::Duration;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use crate::config::{Arrivals, CustomersConfig, SimulationConfig};

/// Which family of agent a generator belongs to, so vendor 0 and customer 0
/// draw different streams from the same seed.
#[derive(Clone, Copy)]
pub(crate) enum Role {
    Vendor = 1,
    Customer = 2,
}

/// A generator for one agent. Xoshiro256++ is named explicitly (not
/// `SmallRng`, whose algorithm may change between platforms or versions)
/// so a seed means the same arrivals everywhere.
pub(crate) fn agent_rng(seed: u64, role: Role, index: usize) -> Xoshiro256PlusPlus {
    // SplitMix-style mixing keeps neighbouring agents' seeds far apart.
    let mut z = seed
        ^ (role as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (index as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Xoshiro256PlusPlus::seed_from_u64(z)
}

/// The gap before the next arrival at `rate` per second; zero when the
/// agent goes as fast as possible.
pub(crate) fn gap(rng: &mut Xoshiro256PlusPlus, rate: Option<f64>, arrivals: Arrivals) -> Duration {
    let Some(rate) = rate.filter(|&r| r > 0.0) else {
        return Duration::ZERO;
    };
    let mean = 1.0 / rate;
    let secs = match arrivals {
        Arrivals::Fixed => mean,
        // Inverse transform of the exponential distribution; `1 - u` is in
        // (0, 1], so the logarithm is finite.
        Arrivals::Poisson => -(1.0 - rng.random::<f64>()).ln() * mean,
    };
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// What one customer request will do, drawn before it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlannedRequest {
    /// The pause before the request, in microseconds.
    pub gap_us: u64,
    /// `true`: place a hold, then confirm or abandon it; `false`: buy.
    pub hold: bool,
    /// For a hold: `true` if the customer will walk away from it.
    pub abandon: bool,
    /// For a confirmed hold: how long the customer thinks first, in
    /// microseconds.
    pub think_us: u64,
}

/// The endless sequence of requests one customer makes, a pure function of
/// the seed and the customer's index.
#[derive(Debug, Clone)]
pub(crate) struct CustomerPlan {
    rng: Xoshiro256PlusPlus,
    customers: CustomersConfig,
    arrivals: Arrivals,
}

impl CustomerPlan {
    /// The plan of customer `index` (0-based) under `config`.
    pub(crate) fn new(config: &SimulationConfig, index: usize) -> Self {
        Self {
            rng: agent_rng(config.seed, Role::Customer, index),
            customers: config.customers.clone(),
            arrivals: config.arrivals,
        }
    }
}

impl Iterator for CustomerPlan {
    type Item = PlannedRequest;

    fn next(&mut self) -> Option<PlannedRequest> {
        let c = &self.customers;
        // Every draw happens on every request, whatever the branch, so the
        // stream stays aligned with the request count.
        let gap = gap(&mut self.rng, c.rate, self.arrivals);
        let hold = self.rng.random_bool(c.hold_share.clamp(0.0, 1.0));
        let abandon = self.rng.random_bool(c.abandon_share.clamp(0.0, 1.0));
        let think_us = self
            .rng
            .random_range(0..=c.confirm_delay_ms.saturating_mul(1_000));
        Some(PlannedRequest {
            gap_us: u64::try_from(gap.as_micros()).unwrap_or(u64::MAX),
            hold,
            abandon: hold && abandon,
            think_us: if hold && !abandon { think_us } else { 0 },
        })
    }
}

/// Folds requests into a digest (FNV-1a), so a report can show which
/// sequence a customer followed without listing it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    pub(crate) fn add(&mut self, request: &PlannedRequest) {
        let words = [
            request.gap_us,
            u64::from(request.hold),
            u64::from(request.abandon),
            request.think_us,
        ];
        for word in words {
            for byte in word.to_le_bytes() {
                self.0 ^= u64::from(byte);
                self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }

    pub(crate) fn value(self) -> u64 {
        self.0
    }
}

/// The digest of the first `requests` requests of a plan: what a report's
/// [`CustomerReport::plan_digest`](crate::CustomerReport::plan_digest)
/// holds for a customer that made that many.
#[cfg(test)]
pub(crate) fn plan_digest(plan: CustomerPlan, requests: u64) -> u64 {
    let mut digest = Digest::default();
    for request in plan.take(usize::try_from(requests).unwrap_or(usize::MAX)) {
        digest.add(&request);
    }
    digest.value()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ticketpool_core::Strategy;

    use super::*;
    use crate::test_support::{check_consistent, small};
    use crate::{EndReason, Simulation};

    #[test]
    fn a_plan_is_a_function_of_seed_and_index() {
        let config = SimulationConfig::default();
        let a: Vec<_> = CustomerPlan::new(&config, 3).take(5).collect();
        let b: Vec<_> = CustomerPlan::new(&config, 3).take(5).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn seeds_and_indexes_give_different_plans() {
        let mut config = SimulationConfig::default();
        config.customers.rate = Some(100.0);
        let first: Vec<_> = CustomerPlan::new(&config, 0).take(20).collect();
        let other_index: Vec<_> = CustomerPlan::new(&config, 1).take(20).collect();
        config.seed += 1;
        let other_seed: Vec<_> = CustomerPlan::new(&config, 0).take(20).collect();
        assert_ne!(first, other_index);
        assert_ne!(first, other_seed);
    }

    #[test]
    fn poisson_gaps_average_to_the_rate() {
        let mut rng = agent_rng(1, Role::Vendor, 0);
        let n = 20_000;
        let total: f64 = (0..n)
            .map(|_| gap(&mut rng, Some(1_000.0), Arrivals::Poisson).as_secs_f64())
            .sum();
        let mean = total / f64::from(n);
        assert!((mean - 0.001).abs() < 0.000_05, "mean gap {mean}");
        assert_eq!(
            gap(&mut rng, Some(4.0), Arrivals::Fixed),
            Duration::from_millis(250)
        );
        assert_eq!(gap(&mut rng, None, Arrivals::Poisson), Duration::ZERO);
        assert_eq!(gap(&mut rng, Some(0.0), Arrivals::Fixed), Duration::ZERO);
    }

    /// Every customer makes a fixed number of requests, so the sequence each
    /// one followed can be compared run to run.
    fn bounded_demand(strategy: Strategy, seed: u64) -> SimulationConfig {
        let mut config = small(strategy);
        config.seed = seed;
        config.office.total_tickets = 5_000;
        // Abandoned holds keep their type's share of the office for the
        // whole hold time: room for all of them, so only the plans decide.
        config.office.max_capacity = 64;
        config.office.ticket_types[0].quota = None;
        config.office.hold_ttl = Duration::from_secs(30);
        config.customers.count = 6;
        config.customers.tickets_each = 5;
        config.customers.rate = Some(2_000.0);
        config.customers.hold_share = 0.5;
        config.customers.abandon_share = 0.3;
        config
    }

    /// A real run against `strategy`'s pools follows the seeded plans
    /// exactly, and only they decide what the customers ask for. In the
    /// crate (not the suite) because the plans are not public.
    fn same_seed_same_requests(strategy: Strategy) {
        let run = |seed| {
            let config = bounded_demand(strategy, seed);
            let report = Simulation::new(config.clone()).unwrap().run().unwrap();
            assert_eq!(report.end, EndReason::DemandMet);
            check_consistent(&report, &config);
            for customer in &report.customers {
                assert_eq!(customer.bought, 5);
                // What the thread did is exactly the seeded plan's prefix.
                let plan = CustomerPlan::new(&config, customer.index);
                assert_eq!(
                    customer.plan_digest,
                    plan_digest(plan, customer.requests),
                    "{}",
                    customer.name
                );
            }
            let mut seen: Vec<_> = report
                .customers
                .iter()
                .map(|c| (c.index, c.requests, c.plan_digest))
                .collect();
            seen.sort_unstable();
            seen
        };
        let first = run(11);
        assert_eq!(first, run(11), "same seed, same requests");
        assert_ne!(first, run(12), "another seed, other requests");
    }

    #[test]
    fn same_seed_same_requests_lockfree() {
        same_seed_same_requests(Strategy::LockFree);
    }

    #[test]
    fn same_seed_same_requests_condvar() {
        same_seed_same_requests(Strategy::Condvar);
    }
}
