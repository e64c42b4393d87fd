//! Turning a [`VenueConfig`] into a [`SeatMap`], collecting every problem
//! on the way rather than stopping at the first: a venue config is long,
//! and its author fixes it in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};

use ticketpool_core::Money;

use crate::config::{SectionConfig, VenueConfig};
use crate::error::{problem, ConfigError, ConfigProblem, Problem};
use crate::map::{RowInfo, SeatMap, SectionInfo, Tier, ACCESSIBLE, COMPANION, PRESENT, RESTRICTED};
use crate::ranges::{parse_rows, parse_seat_list, parse_seats, MAX_ROWS};

/// The most seats a row may have: a scan of a row for best-available reads
/// at most this many bits.
pub(crate) const MAX_ROW_SEATS: u32 = 1_024;
/// The most seat places (gaps included) a venue may have.
pub(crate) const MAX_SLOTS: u64 = 4_000_000;

impl VenueConfig {
    /// Reads a venue from TOML and validates it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] when the text is not a venue document (with
    /// toml's message, naming the line), [`ConfigError::Invalid`] listing
    /// every problem the validation found.
    pub fn from_toml_str(text: &str) -> Result<SeatMap, ConfigError> {
        let config: VenueConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            message: e.to_string(),
        })?;
        config.build()
    }

    /// Validates the config and builds the seat map.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] listing every problem found, each with
    /// where it is.
    pub fn build(&self) -> Result<SeatMap, ConfigError> {
        build(self)
    }
}

/// One section's rows as planned: label, first and last number, tier, flags.
struct RowPlan {
    label: String,
    first: u32,
    last: u32,
    tier: u16,
    flags: Vec<u8>,
}

pub(crate) fn build(config: &VenueConfig) -> Result<SeatMap, ConfigError> {
    let mut problems = Vec::new();
    if config.name.trim().is_empty() {
        problems.push(problem("venue name".into(), Problem::EmptyName));
    }
    let tiers: Vec<Tier> = config
        .tiers
        .iter()
        .map(|(name, &price)| {
            if price < 0 {
                problems.push(problem(
                    format!("tiers.{name}"),
                    Problem::NegativePrice { price },
                ));
            }
            Tier {
                name: name.clone(),
                price: Money::from_minor(price),
            }
        })
        .collect();
    if config.sections.is_empty() {
        problems.push(problem("venue".into(), Problem::NoSections));
    }
    let known = config.tiers.keys().cloned().collect::<Vec<_>>().join(", ");
    let tier_of = |name: &str| config.tiers.keys().position(|t| t == name);

    let mut names = HashSet::new();
    let mut planned = Vec::with_capacity(config.sections.len());
    let mut slots: u64 = 0;
    for (i, section) in config.sections.iter().enumerate() {
        let at = if section.name.trim().is_empty() {
            problems.push(problem(format!("sections[{i}] name"), Problem::EmptyName));
            format!("sections[{i}]")
        } else {
            format!("section {:?}", section.name)
        };
        if !names.insert(section.name.as_str()) {
            let name = section.name.clone();
            problems.push(problem(at.clone(), Problem::DuplicateSection { name }));
        }
        let mut ctx = Ctx {
            at,
            problems: &mut problems,
            known: &known,
        };
        let tier = tier_of(&section.tier);
        if tier.is_none() {
            ctx.push("tier", unknown_tier(&section.tier, &known));
        }
        if let Some(rows) = plan_section(section, tier.unwrap_or(0) as u16, &tier_of, &mut ctx) {
            slots += rows
                .iter()
                .map(|r| u64::from(r.last - r.first) + 1)
                .sum::<u64>();
            planned.push(rows);
        }
    }
    if slots > MAX_SLOTS {
        let p = Problem::TooManySeats {
            seats: slots,
            max: MAX_SLOTS,
        };
        problems.push(problem("venue".into(), p));
    }
    if !problems.is_empty() {
        return Err(ConfigError::Invalid { problems });
    }
    Ok(assemble(config, tiers, planned))
}

struct Ctx<'a> {
    at: String,
    problems: &'a mut Vec<ConfigProblem>,
    known: &'a str,
}

impl Ctx<'_> {
    fn push(&mut self, field: &str, p: Problem) {
        self.problems
            .push(problem(format!("{}, {field}", self.at), p));
    }
}

fn unknown_tier(name: &str, known: &str) -> Problem {
    Problem::UnknownTier {
        name: name.to_string(),
        known: known.to_string(),
    }
}

fn bad_range(text: &str, why: &'static str) -> Problem {
    Problem::BadRange {
        text: text.to_string(),
        why,
    }
}

/// The section's rows with their numbers, tiers and flags, or `None` when
/// its rows or seats do not read (the problems are pushed).
fn plan_section(
    section: &SectionConfig,
    tier: u16,
    tier_of: &dyn Fn(&str) -> Option<usize>,
    ctx: &mut Ctx<'_>,
) -> Option<Vec<RowPlan>> {
    let labels = match parse_rows(&section.rows) {
        Ok(labels) => Some(labels),
        Err(why) => {
            ctx.push("rows", bad_range(&section.rows, why));
            None
        }
    };
    let seats = match parse_seats(&section.seats) {
        Ok(seats) => Some(seats),
        Err(why) => {
            ctx.push("seats", bad_range(&section.seats, why));
            None
        }
    };
    let (labels, (first, last)) = (labels?, seats?);
    if labels.len() as u32 > MAX_ROWS {
        let p = Problem::TooManyRows {
            rows: labels.len() as u32,
            max: MAX_ROWS,
        };
        ctx.push("rows", p);
    }
    let index: HashMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut rows: Vec<RowPlan> = labels
        .iter()
        .map(|label| RowPlan {
            label: label.clone(),
            first,
            last,
            tier,
            flags: Vec::new(),
        })
        .collect();

    // Row overrides: seat numbers, then tiers.
    let rows_of = |key: &str, field: &str, ctx: &mut Ctx<'_>| -> Vec<usize> {
        match parse_rows(key) {
            Err(why) => {
                ctx.push(field, bad_range(key, why));
                Vec::new()
            }
            Ok(keys) => keys
                .iter()
                .filter_map(|k| {
                    let found = index.get(k.as_str()).copied();
                    if found.is_none() {
                        let p = Problem::RowNotInSection {
                            row: k.clone(),
                            rows: section.rows.clone(),
                        };
                        ctx.push(field, p);
                    }
                    found
                })
                .collect(),
        }
    };
    let mut seen = HashSet::new();
    for (key, seats) in &section.row_seats {
        let field = format!("row_seats {key:?}");
        let range = parse_seats(seats).map_err(|why| ctx.push(&field, bad_range(seats, why)));
        for r in rows_of(key, &field, ctx) {
            if !seen.insert(r) {
                let row = rows[r].label.clone();
                ctx.push(
                    &field,
                    Problem::RowTwice {
                        row,
                        field: "row_seats",
                    },
                );
            } else if let Ok((a, b)) = range {
                (rows[r].first, rows[r].last) = (a, b);
            }
        }
    }
    let mut seen = HashSet::new();
    for (key, name) in &section.row_tiers {
        let field = format!("row_tiers {key:?}");
        let t = tier_of(name);
        if t.is_none() {
            let known = ctx.known.to_string();
            ctx.push(&field, unknown_tier(name, &known));
        }
        for r in rows_of(key, &field, ctx) {
            if !seen.insert(r) {
                let row = rows[r].label.clone();
                ctx.push(
                    &field,
                    Problem::RowTwice {
                        row,
                        field: "row_tiers",
                    },
                );
            } else if let Some(t) = t {
                rows[r].tier = t as u16;
            }
        }
    }
    for row in &mut rows {
        // In u64: "0-4294967295" is 2^32 seats.
        let seats = u64::from(row.last - row.first) + 1;
        if seats > u64::from(MAX_ROW_SEATS) {
            let p = Problem::RowTooLong {
                row: row.label.clone(),
                seats,
                max: MAX_ROW_SEATS,
            };
            ctx.push("seats", p);
        } else {
            row.flags = vec![PRESENT; seats as usize];
        }
    }

    // Gaps first, so that a flag on a gap can be told apart.
    let lists: [(&str, &Vec<String>, u8); 4] = [
        ("skip", &section.skip, 0),
        ("accessible", &section.accessible, ACCESSIBLE),
        ("companion", &section.companion, COMPANION),
        ("restricted", &section.restricted, RESTRICTED),
    ];
    for (field, list, flag) in lists {
        for text in list {
            let at = format!("{field} {text:?}");
            let (row, a, b) = match parse_seat_list(text) {
                Ok(found) => found,
                Err(why) => {
                    ctx.push(&at, bad_range(text, why));
                    continue;
                }
            };
            let Some(&r) = index.get(row.as_str()) else {
                let p = Problem::RowNotInSection {
                    row,
                    rows: section.rows.clone(),
                };
                ctx.push(&at, p);
                continue;
            };
            let plan = &mut rows[r];
            // One seat ("D-1") is a range of one: name it once.
            let ends = if a == b { &[a][..] } else { &[a, b][..] };
            for &seat in ends {
                if seat < plan.first || seat > plan.last {
                    let p = Problem::SeatOutsideRow {
                        row: plan.label.clone(),
                        seat,
                        first: plan.first,
                        last: plan.last,
                    };
                    ctx.push(&at, p);
                }
            }
            if plan.flags.is_empty() || a < plan.first || b > plan.last {
                continue;
            }
            for seat in a..=b {
                let cell = &mut plan.flags[(seat - plan.first) as usize];
                if flag == 0 {
                    *cell = 0;
                } else if *cell & PRESENT == 0 {
                    let p = Problem::FlagOnGap {
                        row: plan.label.clone(),
                        seat,
                        flag: field_flag(field),
                    };
                    ctx.push(&at, p);
                } else {
                    *cell |= flag;
                }
            }
        }
    }
    Some(rows)
}

fn field_flag(field: &str) -> &'static str {
    match field {
        "accessible" => "accessible",
        "companion" => "companion",
        _ => "restricted",
    }
}

/// Lays the planned rows out in slots and bitmap words.
fn assemble(config: &VenueConfig, tiers: Vec<Tier>, planned: Vec<Vec<RowPlan>>) -> SeatMap {
    let mut map = SeatMap {
        name: config.name.clone(),
        tiers,
        sections: Vec::with_capacity(planned.len()),
        rows: Vec::new(),
        flags: Vec::new(),
        present: Vec::new(),
        accessible: Vec::new(),
        companion: Vec::new(),
        seats: 0,
        by_depth: Vec::new(),
    };
    for (s, (section, rows)) in config.sections.iter().zip(planned).enumerate() {
        let (section_first, _) = parse_seats(&section.seats).unwrap_or((1, 1));
        let start = map.rows.len() as u32;
        let mut row_by_label = BTreeMap::new();
        for (depth, plan) in rows.into_iter().enumerate() {
            row_by_label.insert(plan.label.clone(), map.rows.len() as u32);
            let words = plan.flags.len().div_ceil(64);
            let word_base = map.present.len();
            map.present.resize(word_base + words, 0);
            map.accessible.resize(word_base + words, 0);
            map.companion.resize(word_base + words, 0);
            for (i, &f) in plan.flags.iter().enumerate() {
                let (w, bit) = (word_base + i / 64, 1_u64 << (i % 64));
                if f & PRESENT != 0 {
                    map.present[w] |= bit;
                    map.seats += 1;
                }
                if f & ACCESSIBLE != 0 {
                    map.accessible[w] |= bit;
                }
                if f & COMPANION != 0 {
                    map.companion[w] |= bit;
                }
            }
            map.rows.push(RowInfo {
                section: s as u32,
                label: plan.label,
                first_number: plan.first,
                len: plan.flags.len() as u32,
                slot_base: map.flags.len() as u32,
                word_base: word_base as u32,
                depth: depth as u32,
                tier: plan.tier,
                x: section.x + plan.first as f32 - section_first as f32,
                y: section.y + depth as f32,
            });
            map.flags.extend_from_slice(&plan.flags);
        }
        map.sections.push(SectionInfo {
            name: section.name.clone(),
            rows: start..map.rows.len() as u32,
            row_by_label: row_by_label.into_iter().collect(),
        });
    }
    let mut by_depth: Vec<u32> = (0..map.rows.len() as u32).collect();
    by_depth.sort_by_key(|&r| (map.rows[r as usize].depth, r));
    map.by_depth = by_depth;
    map
}
