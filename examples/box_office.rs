//! Embedding the box office: a config from TOML, vendors and customers on
//! threads, a hold confirmed, live events and a snapshot printed.
//!
//! Run with `cargo run --example box_office`.

use std::thread;
use std::time::{Duration, Instant};

use ticketpool::{BoxOffice, BoxOfficeConfig, BoxOfficeError, Notification, Priority, Want};

const CONFIG: &str = r#"
event_name = "Night at the Opera"
total_tickets = 200
max_capacity = 16
strategy = "lockfree"
hold_ttl_ms = 2000
purchase_limit = 40

[[ticket_types]]
name = "stalls"
price = 42.50
quota = 120

[[ticket_types]]
name = "balcony"
price = "19.99"

[pricing]
kind = "demand"
scarcity_bps = 5000
ceiling_bps = 15000
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = BoxOfficeConfig::from_toml_str(CONFIG)?;
    let office = BoxOffice::new(config)?;
    let events = office.subscribe_with_capacity(64);

    // Vendors release until the event's tickets are all out.
    let vendors: Vec<_> = [
        ("north", &["stalls"][..]),
        ("south", &["stalls", "balcony"][..]),
    ]
    .into_iter()
    .map(|(name, types)| {
        let vendor = office.add_vendor(name, types)?;
        Ok(thread::spawn(move || {
            let mut types = vendor.ticket_types();
            let mut released = 0;
            let mut i = 0;
            while !types.is_empty() {
                i = (i + 1) % types.len();
                match vendor.release(&types[i]) {
                    Ok(_) => released += 1,
                    // This type's quota (or the event) is used up.
                    Err(BoxOfficeError::SoldOut) => {
                        types.remove(i);
                    }
                    Err(_) => break,
                }
            }
            released
        }))
    })
    .collect::<Result<_, BoxOfficeError>>()?;

    // One customer reserves first, then confirms: the Ticketmaster pattern.
    let alice = office.customer("alice", Priority::Vip);
    let hold = alice.reserve("stalls")?;
    println!(
        "alice holds {} at {} for {:?}",
        hold.ticket().id,
        hold.price(),
        hold.deadline().saturating_duration_since(Instant::now())
    );
    let sale = hold.confirm()?;
    println!("alice bought {} for {}", sale.ticket.id, sale.price);

    // Customers buy until sold out; nobody blocks once it is.
    let customers: Vec<_> = (0..6)
        .map(|i| {
            let priority = if i < 2 {
                Priority::Vip
            } else {
                Priority::Regular
            };
            let customer = office.customer(&format!("customer-{i}"), priority);
            thread::spawn(move || {
                let mut bought = 0;
                while customer.buy(Want::Any).is_ok() {
                    bought += 1;
                }
                bought
            })
        })
        .collect();

    let bought: u32 = customers.into_iter().map(|h| h.join().unwrap()).sum();
    let released: u32 = vendors.into_iter().map(|h| h.join().unwrap()).sum();
    println!("released {released}, bought {} (plus alice's)", bought);

    let snapshot = office.snapshot();
    println!(
        "{}: sold {}/{} for {}, consistent: {}",
        snapshot.event_name,
        snapshot.totals.sold,
        snapshot.total_tickets,
        snapshot.revenue,
        snapshot.is_consistent()
    );
    for (ty, counts) in &snapshot.by_type {
        println!("  {ty}: {counts:?}");
    }

    let mut shown = 0;
    let mut lagged = 0;
    while let Some(item) = events.next_timeout(Duration::from_millis(10)) {
        match item {
            Notification::Event(event) if shown < 3 => {
                println!("event: {event:?}");
                shown += 1;
            }
            Notification::Lagged(n) => lagged += n,
            // Later events, and any kind of notification a newer version adds.
            _ => {}
        }
    }
    println!("the 64-event subscriber missed {lagged} events (sales never waited for it)");
    Ok(())
}
