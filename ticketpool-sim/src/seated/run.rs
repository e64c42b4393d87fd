//! Running a seated sale: the groups are drawn from the seed, then for
//! each vendor wave the seats are released and buyer threads serve the
//! waiting groups (VIPs first) with best-available holds, confirming them
//! or letting them lapse; between waves the lapsed holds are reaped, so
//! their seats are offered again. After the last wave one more round
//! serves who is still waiting.
//!
//! Time is a [`ManualClock`] moved past the hold duration between rounds:
//! a lapsed hold expires at a known point without any sleep, while the
//! buying within a round is real threads racing on the seats.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use parking_lot::Mutex;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use ticketpool_seats::{
    Area, BestAvailable, ManualClock, SeatError, SeatId, SeatMap, SeatSale, SeatState, Seating,
};

use crate::error::SimulationError;
use crate::seated::config::{SeatedConfig, Wave};
use crate::seated::report::{GroupOutcomes, SeatedReport};

/// How long a hold lasts on the run's clock.
const HOLD: Duration = Duration::from_secs(600);

/// Where a group wants its seats.
#[derive(Debug, Clone)]
enum Want {
    Section(String),
    Tier(String),
}

#[derive(Debug, Clone)]
struct Group {
    size: usize,
    vip: bool,
    want: Want,
    lapses: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Waiting,
    Seated,
    Lapsed,
}

/// Runs the seated scenario to its end on real threads.
///
/// # Errors
///
/// [`SimulationError::Venue`] or [`SimulationError::Seated`] for a config
/// that breaks a rule; [`SimulationError::Spawn`] or
/// [`SimulationError::Panicked`] for a thread that failed.
///
/// # Examples
///
/// ```
/// use ticketpool_seats::VenueConfig;
/// use ticketpool_sim::{run_seated, SeatedConfig};
///
/// let venue: VenueConfig = toml::from_str(r#"
///     name = "Hall"
///     tiers = { standard = 5000 }
///     [[sections]]
///     name = "Stalls"
///     tier = "standard"
///     rows = "A-E"
///     seats = "1-12"
/// "#).unwrap();
/// let mut config = SeatedConfig::new(venue);
/// config.fans.groups = 40;
/// let report = run_seated(&config).unwrap();
/// assert_eq!(report.groups(), 40);
/// assert!(report.consistent());
/// ```
pub fn run_seated(config: &SeatedConfig) -> Result<SeatedReport, SimulationError> {
    let map = Arc::new(config.validate()?);
    let clock = Arc::new(ManualClock::new());
    let seating = Seating::with_clock(Arc::clone(&map), clock.clone()).with_hold_duration(HOLD);
    let groups = draw_groups(config, &map);
    let mut fates = vec![Fate::Waiting; groups.len()];
    let mut sales: Vec<SeatSale> = Vec::new();
    let mut holds_expired = 0;

    let waves: Vec<Option<&Wave>> = if config.waves.is_empty() {
        vec![None]
    } else {
        config.waves.iter().map(Some).collect()
    };
    // Each wave, then one last round for the seats lapsed holds gave back.
    for wave in waves.iter().copied().map(Some).chain([None]) {
        match wave {
            Some(None) => {
                seating.release_all();
            }
            Some(Some(w)) => release(&seating, w)?,
            None => {}
        }
        let round = serve_round(&seating, &groups, &fates, config.fans.threads)?;
        for (g, fate, sale) in round {
            fates[g] = fate;
            sales.extend(sale);
        }
        clock.advance(HOLD + Duration::from_secs(1));
        holds_expired += seating.reap();
    }

    Ok(report(
        &seating,
        &map,
        &groups,
        &fates,
        &sales,
        holds_expired,
        waves.len(),
    ))
}

fn release(seating: &Seating, wave: &Wave) -> Result<(), SimulationError> {
    match (&wave.section, &wave.tier) {
        (Some(s), _) => seating.release_section(s)?,
        (None, Some(t)) => seating.release_tier(t)?,
        (None, None) => seating.release_all(),
    };
    Ok(())
}

/// The groups, from the seed alone: sizes, VIP, where they want to sit,
/// whether they let their hold lapse.
fn draw_groups(config: &SeatedConfig, map: &SeatMap) -> Vec<Group> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(config.seed ^ 0x5EA7_ED00_5EA7_ED00);
    let sections: Vec<&str> = map.sections().collect();
    let tiers: Vec<&str> = map.tiers().map(|(t, _)| t).collect();
    let f = &config.fans;
    (0..f.groups)
        .map(|_| {
            let size = rng.random_range(1..=f.max_group) as usize;
            let vip = rng.random_bool(f.vip_share);
            let want = if rng.random_bool(f.tier_share) {
                Want::Tier(tiers[rng.random_range(0..tiers.len())].to_string())
            } else {
                Want::Section(sections[rng.random_range(0..sections.len())].to_string())
            };
            let lapses = rng.random_bool(f.lapse_share);
            Group {
                size,
                vip,
                want,
                lapses,
            }
        })
        .collect()
}

type Served = (usize, Fate, Option<SeatSale>);

/// One round: `threads` buyers take the waiting groups off one queue, VIPs
/// first then in arrival order, and each asks for its best block once.
fn serve_round(
    seating: &Seating,
    groups: &[Group],
    fates: &[Fate],
    threads: usize,
) -> Result<Vec<Served>, SimulationError> {
    let waiting = |vip: bool| {
        (0..groups.len()).filter(move |&g| fates[g] == Fate::Waiting && groups[g].vip == vip)
    };
    let queue: Mutex<VecDeque<usize>> = Mutex::new(waiting(true).chain(waiting(false)).collect());
    thread::scope(|scope| {
        let buyers = (0..threads)
            .map(|i| {
                thread::Builder::new()
                    .name(format!("seated-buyer-{i}"))
                    .spawn_scoped(scope, || buyer(seating, groups, &queue))
                    .map_err(|e| SimulationError::Spawn(e.to_string()))
            })
            .collect::<Vec<_>>();
        let mut served = Vec::new();
        let mut first_error = None;
        for (i, buyer) in buyers.into_iter().enumerate() {
            let result = buyer.and_then(|handle| {
                handle
                    .join()
                    .map_err(|_| SimulationError::Panicked(format!("seated buyer {i}")))?
            });
            match result {
                Ok(mut done) => served.append(&mut done),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(served), Err)
    })
}

fn buyer(
    seating: &Seating,
    groups: &[Group],
    queue: &Mutex<VecDeque<usize>>,
) -> Result<Vec<Served>, SimulationError> {
    let mut served = Vec::new();
    loop {
        let Some(g) = queue.lock().pop_front() else {
            return Ok(served);
        };
        let group = &groups[g];
        let area = match &group.want {
            Want::Section(s) => Area::Section(s),
            Want::Tier(t) => Area::Tier(t),
        };
        let want = BestAvailable {
            seats: group.size,
            area,
            accessible: false,
        };
        match seating.best_available(want) {
            Ok(hold) if group.lapses => {
                // Walks away: the hold stays until it expires and is reaped.
                let _ = hold;
                served.push((g, Fate::Lapsed, None));
            }
            Ok(hold) => {
                let sale = seating.confirm(hold.id)?;
                served.push((g, Fate::Seated, Some(sale)));
            }
            // Nothing fits now: wait for the next wave.
            Err(SeatError::NoBlock { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

fn report(
    seating: &Seating,
    map: &SeatMap,
    groups: &[Group],
    fates: &[Fate],
    sales: &[SeatSale],
    holds_expired: usize,
    waves: usize,
) -> SeatedReport {
    let (mut vip, mut regular) = (GroupOutcomes::default(), GroupOutcomes::default());
    for (group, fate) in groups.iter().zip(fates) {
        let o = if group.vip { &mut vip } else { &mut regular };
        o.groups += 1;
        o.fans += group.size;
        match fate {
            Fate::Seated => {
                o.seated_together += 1;
                o.fans_seated += group.size;
            }
            Fate::Lapsed => o.lapsed += 1,
            Fate::Waiting => o.not_seated += 1,
        }
    }
    let mut sold: HashSet<SeatId> = HashSet::new();
    let mut sold_twice = 0;
    for seat in sales.iter().flat_map(|s| &s.seats) {
        if !sold.insert(*seat) {
            sold_twice += 1;
        }
    }
    let snapshot = seating.snapshot();
    let snapshot_sold: HashSet<SeatId> = snapshot
        .seats()
        .filter(|&(_, state)| state == SeatState::Sold)
        .map(|(id, _)| id)
        .collect();
    SeatedReport {
        venue: map.name().to_string(),
        seats: map.seat_count(),
        waves,
        vip,
        regular,
        seats_sold: sales.iter().map(|s| s.seats.len()).sum(),
        revenue_minor: sales.iter().map(|s| s.price.minor()).sum(),
        holds_expired,
        sold_twice,
        snapshot_matches_sales: snapshot_sold == sold,
        counts: snapshot.counts(),
        by_section: snapshot.by_section(),
    }
}
