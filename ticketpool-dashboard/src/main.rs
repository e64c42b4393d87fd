//! A live web dashboard for an embedded box office: availability, sales and
//! waiting customers update over Server-Sent Events, an admin panel pauses,
//! resumes, adds and removes vendors, changes their rates and closes the
//! event, and a form buys or reserves tickets as a named customer.
//!
//! ```sh
//! cargo run --release -p ticketpool-dashboard -- --admin-token secret
//! ```
//!
//! Binds 127.0.0.1:8080 by default (`--port 0` picks a free port); the URL
//! is printed on start. Admin endpoints need `Authorization: Bearer
//! <token>`; the page asks for the token in its admin panel.

use ticketpool_dashboard::{api, app, driver};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use ticketpool_core::{BoxOffice, BoxOfficeConfig};

/// The demo event when no `--config` is given: two types, short holds, a
/// purchase limit so the simulated fans rotate names.
const DEMO_CONFIG: &str = r#"
event_name = "Dashboard demo"
total_tickets = 20000
max_capacity = 300
strategy = "lockfree"
hold_ttl_ms = 3000
purchase_limit = 4

[[ticket_types]]
name = "stalls"
price = 45.00
quota = 12000

[[ticket_types]]
name = "balcony"
price = 25.00

[pricing]
kind = "demand"
scarcity_bps = 5000
"#;

/// Live web dashboard for a ticketpool box office.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Token the admin endpoints require (Authorization: Bearer TOKEN).
    #[arg(long, value_name = "TOKEN")]
    admin_token: String,
    /// Address to bind; the default only accepts local connections.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Event configuration (TOML or JSON) instead of the built-in demo.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Vendors started at launch (named vendor-1, vendor-2, ...).
    #[arg(long, default_value_t = 3)]
    vendors: usize,
    /// Tickets per second each vendor releases at launch.
    #[arg(long, default_value_t = 40.0)]
    rate: f64,
    /// Simulated customers.
    #[arg(long, default_value_t = 8)]
    customers: usize,
    /// Attempts per second of each simulated customer.
    #[arg(long, default_value_t = 12.0)]
    buy_rate: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dashboard: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if args.admin_token.trim().is_empty() {
        return Err("--admin-token must not be empty".into());
    }
    if !(args.rate.is_finite() && args.rate >= 0.0 && args.rate <= driver::MAX_RATE) {
        return Err(format!("--rate must be from 0 to {}", driver::MAX_RATE));
    }
    if !(args.buy_rate.is_finite() && args.buy_rate > 0.0 && args.buy_rate <= driver::MAX_RATE) {
        return Err(format!(
            "--buy-rate must be above 0 and at most {}",
            driver::MAX_RATE
        ));
    }
    let config = match &args.config {
        Some(path) => BoxOfficeConfig::from_path(path),
        None => BoxOfficeConfig::from_toml_str(DEMO_CONFIG),
    }
    .map_err(|err| err.to_string())?;
    let office = BoxOffice::new(config).map_err(|err| err.to_string())?;
    let driver = driver::Driver::new(office.clone());
    for index in 1..=args.vendors {
        driver
            .add_vendor(&format!("vendor-{index}"), args.rate, &[])
            .map_err(|err| err.to_string())?;
    }
    driver.spawn_customers(args.customers, args.buy_rate);
    let app = app::App::new(office, driver, args.admin_token.clone());

    let runtime =
        tokio::runtime::Runtime::new().map_err(|err| format!("cannot start tokio: {err}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
            .await
            .map_err(|err| format!("cannot listen on {}:{}: {err}", args.bind, args.port))?;
        let local = listener.local_addr().map_err(|err| err.to_string())?;
        println!("dashboard: http://{local}/  (Ctrl-C to stop)");
        app.start_feed();
        let server = axum::serve(listener, api::router(std::sync::Arc::clone(&app)));
        // Not a graceful shutdown: open event streams never finish by
        // themselves, and nothing is lost by cutting them.
        tokio::select! {
            served = server => served.map_err(|err| format!("server failed: {err}")),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })?;
    app.driver.stop();
    app.office.close();
    Ok(())
}
