//! `ticketpool sales`: the sales log a journal keeps, filtered, with totals
//! by ticket type and vendor, as a table or JSON. A seated event's journal
//! also holds its sold seats (schema version 5): they are listed with the
//! box office's sales, with a seat column (blank for general admission).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{ErrorKind, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use serde_json::{json, Value};
use ticketpool_core::{Money, Sale, TicketId};
use ticketpool_persist::{SqliteStore, Store};

use super::args::SalesArgs;
use super::journal::is_bad_file;
use super::CliError;

/// Runs the command.
pub fn run(args: &SalesArgs) -> Result<(), CliError> {
    let (sales, seats) = read(&args.journal)?;
    let selected: Vec<&Sale> = sales.iter().filter(|sale| keep(args, sale)).collect();
    // Everything that can be wrong with the data is found before a line is
    // printed: a damaged journal gets an error, not half a table.
    let damaged = |detail: String| {
        CliError::Usage(format!(
            "{}: the journal is damaged: {detail}",
            args.journal.display()
        ))
    };
    let times = selected
        .iter()
        .map(|sale| sold_at(sale))
        .collect::<Result<Vec<_>, _>>()
        .map_err(damaged)?;
    let totals = Totals::of(&selected).map_err(damaged)?;
    let text = if args.json {
        let value = to_json(args, &selected, &times, &totals, &seats);
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    } else {
        table(&selected, &times, &totals, &seats)
    };
    emit(&text)
}

/// Writes `text` to stdout. A reader that stops early (`| head`) closes
/// the pipe: that ends the command quietly, as it does other Unix tools.
pub fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(CliError::Runtime(format!("cannot write to stdout: {err}"))),
        Ok(()) => Ok(()),
    }
}

/// The seat of each seat sale, by its ticket.
type Seats = HashMap<TicketId, Arc<str>>;

/// Every sale in the journal at `path`: the box office's in the order
/// recorded, then the seats sold, by time; and the seat of each seat sale.
/// The file must exist: reading never creates a journal.
fn read(path: &Path) -> Result<(Vec<Sale>, Seats), CliError> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Err(CliError::Usage(format!(
                "{shown}: no such journal (`ticketpool simulate` writes one)"
            )))
        }
        Err(err) => {
            return Err(CliError::Runtime(format!(
                "{shown}: cannot read the journal: {err}"
            )))
        }
        Ok(meta) if meta.is_dir() => {
            return Err(CliError::Usage(format!(
                "{shown}: a directory, not a journal"
            )))
        }
        Ok(meta) if meta.len() == 0 => {
            return Err(CliError::Usage(format!(
                "{shown}: not a ticketpool journal: the file is empty"
            )))
        }
        Ok(_) => {}
    }
    let classify = |err| {
        if is_bad_file(&err) {
            CliError::Usage(err.to_string())
        } else {
            CliError::Runtime(err.to_string())
        }
    };
    let mut store = SqliteStore::open(path).map_err(classify)?;
    let mut sales = store.recover().map_err(classify)?.sales;
    let mut sold_seats = store.sold_seats().map_err(classify)?;
    sold_seats.sort_by_key(|seat| seat.sale.sold_at);
    let mut seats = Seats::new();
    for sold in sold_seats {
        seats.insert(sold.sale.ticket.id, sold.seat);
        sales.push(sold.sale);
    }
    Ok((sales, seats))
}

fn keep(args: &SalesArgs, sale: &Sale) -> bool {
    let matches =
        |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
    matches(&args.customer, &sale.customer)
        && matches(&args.ticket_type, &sale.ticket.ticket_type)
        && matches(&args.vendor, &sale.ticket.vendor)
}

/// A count and the money it brought in.
#[derive(Debug, Default, Clone, Copy)]
struct Sum {
    count: u64,
    revenue: Money,
}

impl Sum {
    /// Counts `sale`; a revenue past what minor units in an `i64` hold is
    /// an error, never a saturated figure.
    fn add(&mut self, sale: &Sale) -> Result<(), String> {
        self.count += 1;
        self.revenue = self.revenue.checked_add(sale.price).ok_or_else(|| {
            format!(
                "revenue passes the largest amount that can be counted ({}) at the sale of ticket {}",
                Money::from_minor(i64::MAX),
                sale.ticket.id
            )
        })?;
        Ok(())
    }

    fn to_json(self) -> Value {
        json!({
            "count": self.count,
            "revenue": self.revenue.to_string(),
            "revenue_minor": self.revenue.minor(),
        })
    }
}

/// The totals over the selected sales.
#[derive(Debug, Default)]
struct Totals {
    all: Sum,
    by_type: BTreeMap<String, Sum>,
    by_vendor: BTreeMap<String, Sum>,
}

impl Totals {
    fn of(sales: &[&Sale]) -> Result<Self, String> {
        let mut totals = Self::default();
        for sale in sales {
            totals.all.add(sale)?;
            totals
                .by_type
                .entry(sale.ticket.ticket_type.to_string())
                .or_default()
                .add(sale)?;
            totals
                .by_vendor
                .entry(sale.ticket.vendor.to_string())
                .or_default()
                .add(sale)?;
        }
        Ok(totals)
    }
}

/// The sale's time in RFC 3339. A journal only ever records times after
/// 1970; an earlier one (which the formatter cannot print) means the row
/// was changed by hand or damaged.
fn sold_at(sale: &Sale) -> Result<String, String> {
    if sale.sold_at < UNIX_EPOCH {
        let before = UNIX_EPOCH.duration_since(sale.sold_at).unwrap_or_default();
        return Err(format!(
            "the sale of ticket {} has a time before 1970 ({} ns before the Unix epoch)",
            sale.ticket.id,
            before.as_nanos()
        ));
    }
    Ok(humantime::format_rfc3339_millis(sale.sold_at).to_string())
}

fn table(sales: &[&Sale], times: &[String], totals: &Totals, seats: &Seats) -> String {
    let width = |header: &str, field: fn(&Sale) -> &str| {
        sales
            .iter()
            .map(|sale| field(sale).len())
            .max()
            .unwrap_or(0)
            .max(header.len())
    };
    let customer = width("customer", |s| &s.customer);
    let ticket_type = width("type", |s| &s.ticket.ticket_type);
    let vendor = width("vendor", |s| &s.ticket.vendor);
    let seat_of = |sale: &Sale| seats.get(&sale.ticket.id).map_or("", |seat| &**seat);
    // The seat column only for a journal with seats: a general-admission
    // journal reads as it always did.
    let seat = (!seats.is_empty()).then(|| {
        sales
            .iter()
            .map(|sale| seat_of(sale).len())
            .max()
            .unwrap_or(0)
            .max("seat".len())
    });
    let seat_cell = |text: &str| seat.map_or(String::new(), |w| format!(" {text:<w$}"));
    let mut out = String::new();
    if !sales.is_empty() {
        let _ = writeln!(
            out,
            "{:<10} {:<24} {:<customer$} {:<8} {:<ticket_type$}{} {:<vendor$} {:>10}",
            "ticket",
            "sold at (UTC)",
            "customer",
            "priority",
            "type",
            seat_cell("seat"),
            "vendor",
            "price"
        );
    }
    for (sale, time) in sales.iter().zip(times) {
        let _ = writeln!(
            out,
            "{:<10} {:<24} {:<customer$} {:<8} {:<ticket_type$}{} {:<vendor$} {:>10}",
            sale.ticket.id.to_string(),
            time,
            sale.customer,
            sale.priority.as_str(),
            sale.ticket.ticket_type,
            seat_cell(seat_of(sale)),
            sale.ticket.vendor,
            sale.price.to_string(),
        );
    }
    let _ = writeln!(
        out,
        "{} sales, revenue {}",
        totals.all.count, totals.all.revenue
    );
    for (title, sums) in [
        ("by type", &totals.by_type),
        ("by vendor", &totals.by_vendor),
    ] {
        if sums.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        let name = sums.keys().map(String::len).max().unwrap_or(0);
        for (key, sum) in sums {
            let _ = writeln!(
                out,
                "  {key:<name$}  {:>8} sales  {:>12}",
                sum.count,
                sum.revenue.to_string()
            );
        }
    }
    out
}

fn to_json(
    args: &SalesArgs,
    sales: &[&Sale],
    times: &[String],
    totals: &Totals,
    seats: &Seats,
) -> Value {
    let sums = |map: &BTreeMap<String, Sum>| -> Value {
        map.iter()
            .map(|(key, sum)| (key.clone(), sum.to_json()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "journal": args.journal.display().to_string(),
        "filters": {
            "customer": args.customer,
            "type": args.ticket_type,
            "vendor": args.vendor,
        },
        "count": totals.all.count,
        "revenue": totals.all.revenue.to_string(),
        "revenue_minor": totals.all.revenue.minor(),
        "by_type": sums(&totals.by_type),
        "by_vendor": sums(&totals.by_vendor),
        "sales": sales.iter().zip(times).map(|(sale, time)| json!({
            "ticket": sale.ticket.id.0,
            "sold_at": time,
            "customer": &*sale.customer,
            "priority": sale.priority.as_str(),
            "type": &*sale.ticket.ticket_type,
            "vendor": &*sale.ticket.vendor,
            "price": sale.price.to_string(),
            "price_minor": sale.price.minor(),
            "waited_us": u64::try_from(sale.waited.as_micros()).unwrap_or(u64::MAX),
            "hold": sale.hold.map(|hold| hold.0),
            "seat": seats.get(&sale.ticket.id).map(|seat| &**seat),
        })).collect::<Vec<_>>(),
    })
}
