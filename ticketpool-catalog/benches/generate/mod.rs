//! A deterministic catalog for the benches: the same venues, performers,
//! events and queries on every run, from a fixed-seed generator.

use std::time::Duration;

use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::*;
use ticketpool_core::{BoxOfficeConfig, Money};

/// A 64-bit LCG (Knuth's MMIX constants): fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ra", "ten", "vo", "su", "bel", "dor", "an", "ri", "mon", "zel", "pa", "qui",
    "ser", "tol", "vin", "ex", "ul", "gar", "ho", "nes", "tri",
];
const CITIES: [&str; 20] = [
    "Paris",
    "London",
    "Berlin",
    "Madrid",
    "Rome",
    "Oslo",
    "Vienna",
    "Prague",
    "Lisbon",
    "Dublin",
    "Warsaw",
    "Athens",
    "Zurich",
    "Brussels",
    "Amsterdam",
    "Helsinki",
    "Lyon",
    "Milan",
    "Munich",
    "Porto",
];
const CATEGORIES: [&str; 10] = [
    "rock",
    "jazz",
    "classical",
    "theatre",
    "comedy",
    "family",
    "sport",
    "opera",
    "dance",
    "folk",
];

/// A vocabulary of `n` made-up words of two or three syllables.
pub fn vocabulary(n: usize) -> Vec<String> {
    let mut rng = Rng::new(7);
    let mut words: Vec<String> = Vec::with_capacity(n);
    while words.len() < n {
        let parts = 2 + rng.below(2);
        let word: String = (0..parts)
            .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
            .collect();
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

fn phrase(rng: &mut Rng, words: &[String], n: usize) -> String {
    let picked: Vec<&str> = (0..n)
        .map(|_| words[rng.below(words.len())].as_str())
        .collect();
    picked.join(" ")
}

/// How big a catalog to build.
#[derive(Clone, Copy)]
pub struct Size {
    pub events: usize,
    /// Events on sale (each gets a box office, which starts a thread in
    /// core today: the rest are past or cancelled, still searchable).
    pub on_sale: usize,
}

/// A catalog of `size`, built the way a restart does: rows written to a
/// store, then `Catalog::open` (which also times the rebuild).
pub fn catalog(size: Size, words: &[String]) -> (Catalog, Duration) {
    let mut rng = Rng::new(42);
    let mut store = MemoryStore::new();
    let venues: Vec<Venue> = (0..500)
        .map(|i| Venue {
            id: VenueId(i + 1),
            name: format!("{} hall", phrase(&mut rng, words, 1)),
            city: CITIES[rng.below(CITIES.len())].to_owned(),
            capacity: 10_000,
        })
        .collect();
    let performers: Vec<Performer> = (0..2_000)
        .map(|i| Performer {
            id: PerformerId(i + 1),
            name: phrase(&mut rng, words, 2),
            description: String::new(),
        })
        .collect();
    for venue in &venues {
        store.save_venue(venue).unwrap();
    }
    for performer in &performers {
        store.save_performer(performer).unwrap();
    }
    let start: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
    for i in 0..size.events {
        let status = if i < size.on_sale {
            EventStatus::OnSale
        } else if i % 2 == 0 {
            EventStatus::Past
        } else {
            EventStatus::Cancelled
        };
        let name = phrase(&mut rng, words, 3);
        let day = rng.below(730) as i64;
        let event = Event {
            id: EventId(i as u64 + 1),
            office: BoxOfficeConfig::simple(name.clone(), 10_000, 64, Money::from_minor(2_500)),
            name,
            description: phrase(&mut rng, words, 8),
            performers: vec![performers[rng.below(performers.len())].id],
            venue: venues[rng.below(venues.len())].id,
            starts_at: start + ticketpool_catalog::jiff::SignedDuration::from_hours(24 * day),
            time_zone: DisplayZone::utc(),
            categories: vec![CATEGORIES[rng.below(CATEGORIES.len())].to_owned()],
            status,
        };
        store.save_event(&event).unwrap();
    }
    let began = std::time::Instant::now();
    let catalog = Catalog::open(store).unwrap();
    (catalog, began.elapsed())
}

/// `n` searches a user might type: one to three words from the catalog's
/// vocabulary, a third of them with a one-letter typo, half filtered by
/// city, category, dates or on-sale status.
pub fn queries(n: usize, words: &[String]) -> Vec<SearchQuery> {
    let mut rng = Rng::new(99);
    let start: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
    (0..n)
        .map(|i| {
            let count = 1 + rng.below(3);
            let mut text = phrase(&mut rng, words, count);
            if i % 3 == 0 {
                // Drop one letter: a one-letter typo.
                let at = 1 + rng.below(text.len() - 1);
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    text.remove(at);
                }
            }
            let query = SearchQuery::text(text);
            match i % 8 {
                0 => query.city(CITIES[rng.below(CITIES.len())]),
                1 => query.category(CATEGORIES[rng.below(CATEGORIES.len())]),
                2 => {
                    let from = start
                        + ticketpool_catalog::jiff::SignedDuration::from_hours(
                            24 * rng.below(600) as i64,
                        );
                    query.between(
                        from,
                        from + ticketpool_catalog::jiff::SignedDuration::from_hours(24 * 60),
                    )
                }
                3 => query.on_sale_only(),
                _ => query,
            }
        })
        .collect()
}
