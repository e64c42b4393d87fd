//! The load behind the dashboard: vendor threads releasing at rates an admin
//! can change, and simulated customers buying, reserving and letting holds
//! lapse, all through the public box-office API.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ticketpool_core::{BoxOffice, BoxOfficeError, Hold, Priority, Vendor, Want};

/// The fastest rate a vendor or customer may run at, per second.
pub const MAX_RATE: f64 = 10_000.0;

/// How long a waiting release or buy blocks before the thread looks at its
/// rate and the stop flag again.
const POLL: Duration = Duration::from_millis(100);

/// A vendor's rate in thousandths of a ticket per second, so threads read
/// it with one atomic load.
struct Rate(AtomicU64);

impl Rate {
    fn new(per_second: f64) -> Self {
        Self(AtomicU64::new(milli(per_second)))
    }

    fn get(&self) -> f64 {
        self.0.load(Ordering::Relaxed) as f64 / 1_000.0
    }

    fn set(&self, per_second: f64) {
        self.0.store(milli(per_second), Ordering::Relaxed);
    }
}

fn milli(per_second: f64) -> u64 {
    (per_second.clamp(0.0, MAX_RATE) * 1_000.0).round() as u64
}

/// Runs vendors and customers against one office on plain threads.
pub struct Driver {
    office: BoxOffice,
    rates: Mutex<HashMap<Arc<str>, Arc<Rate>>>,
    stop: Arc<AtomicBool>,
}

impl Driver {
    /// A driver with no vendors and no customers yet.
    pub fn new(office: BoxOffice) -> Self {
        Self {
            office,
            rates: Mutex::new(HashMap::new()),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Registers a vendor for `types` (empty: every type) and starts it
    /// releasing `rate` tickets per second (0: idle until the rate changes).
    pub fn add_vendor(&self, name: &str, rate: f64, types: &[&str]) -> Result<(), BoxOfficeError> {
        let vendor = self.office.add_vendor(name, types)?;
        let rate = Arc::new(Rate::new(rate));
        self.rates
            .lock()
            .unwrap()
            .insert(Arc::clone(vendor.name()), Arc::clone(&rate));
        let stop = Arc::clone(&self.stop);
        thread::Builder::new()
            .name(format!("vendor-{name}"))
            .spawn(move || run_vendor(&vendor, &rate, &stop))
            .expect("cannot spawn a vendor thread");
        Ok(())
    }

    /// Removes a vendor: the office stops its releases and its thread ends.
    pub fn remove_vendor(&self, name: &str) -> Result<(), BoxOfficeError> {
        self.office.remove_vendor(name)?;
        self.rates.lock().unwrap().remove(name);
        Ok(())
    }

    /// Changes a running vendor's rate.
    pub fn set_rate(&self, name: &str, rate: f64) -> Result<(), BoxOfficeError> {
        match self.rates.lock().unwrap().get(name) {
            Some(current) => {
                current.set(rate);
                Ok(())
            }
            None => Err(BoxOfficeError::UnknownVendor(Arc::from(name))),
        }
    }

    /// Every running vendor's rate per second.
    pub fn rates(&self) -> BTreeMap<String, f64> {
        let rates = self.rates.lock().unwrap();
        rates
            .iter()
            .map(|(name, rate)| (name.to_string(), rate.get()))
            .collect()
    }

    /// Starts `count` simulated customers, each trying `rate` times a
    /// second; every fourth is a VIP.
    pub fn spawn_customers(&self, count: usize, rate: f64) {
        let interval = Duration::from_secs_f64(1.0 / rate.clamp(0.01, MAX_RATE));
        for index in 0..count {
            let office = self.office.clone();
            let stop = Arc::clone(&self.stop);
            thread::Builder::new()
                .name(format!("customer-{index}"))
                .spawn(move || run_customer(&office, index, interval, &stop))
                .expect("cannot spawn a customer thread");
        }
    }

    /// Asks every thread to end; they do within their poll interval or so.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Releases the vendor's types in turn, one per `1 / rate` seconds, until
/// every type is sold out, the vendor is removed or the office closes.
fn run_vendor(vendor: &Vendor, rate: &Rate, stop: &AtomicBool) {
    let mut types = vendor.ticket_types();
    let mut turn = 0;
    let mut due = Instant::now();
    while !stop.load(Ordering::Relaxed) && !types.is_empty() {
        let per_second = rate.get();
        if per_second <= 0.0 {
            thread::sleep(POLL);
            due = Instant::now();
            continue;
        }
        // Sleep in short steps so a new rate or a stop takes effect soon.
        let now = Instant::now();
        if due > now {
            thread::sleep((due - now).min(POLL));
            continue;
        }
        let ticket_type = Arc::clone(&types[turn % types.len()]);
        match vendor.release_timeout(&ticket_type, POLL) {
            Ok(_) => {
                turn += 1;
                due += Duration::from_secs_f64(1.0 / per_second);
                // After a long wait, do not burst to catch up.
                if due + Duration::from_secs(1) < now {
                    due = now;
                }
            }
            Err(BoxOfficeError::Timeout | BoxOfficeError::Full | BoxOfficeError::Paused) => {
                due = Instant::now();
            }
            // This type's quota (or the event) is fully released.
            Err(BoxOfficeError::SoldOut) => {
                types.retain(|ty| *ty != ticket_type);
            }
            Err(_) => return,
        }
    }
}

/// Buys (and now and then reserves) as `fan<index>-<n>`, moving to a new
/// name when the purchase limit is reached, until the event ends.
fn run_customer(office: &BoxOffice, index: usize, interval: Duration, stop: &AtomicBool) {
    let priority = if index % 4 == 0 {
        Priority::Vip
    } else {
        Priority::Regular
    };
    let mut generation = 0;
    let mut customer = office.customer(&format!("fan{index}-{generation}"), priority);
    // Holds this customer lets lapse, so the feed shows expiries.
    let mut lapsing: Vec<Hold> = Vec::new();
    let mut attempt: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        attempt += 1;
        lapsing.retain(Hold::is_open);
        let outcome = if attempt % 10 == 0 {
            customer.reserve_timeout(Want::Any, POLL).map(|hold| {
                if attempt % 30 == 0 {
                    lapsing.push(hold);
                } else if attempt % 20 == 0 {
                    hold.cancel();
                } else {
                    let _ = hold.confirm();
                }
            })
        } else {
            customer.buy_timeout(Want::Any, POLL).map(drop)
        };
        match outcome {
            Ok(()) | Err(BoxOfficeError::Timeout | BoxOfficeError::Empty) => {}
            Err(BoxOfficeError::LimitReached { .. }) => {
                generation += 1;
                customer = office.customer(&format!("fan{index}-{generation}"), priority);
                // Retry this attempt as the new fan, so every tenth attempt
                // really is a reservation.
                attempt -= 1;
                continue;
            }
            Err(_) => return,
        }
        thread::sleep(interval);
    }
}
