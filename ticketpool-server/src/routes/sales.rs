//! Admin: an event's sales log, filtered and paged, as JSON or CSV.
//!
//! The log is the office's own, in the order the sales completed: the
//! answer lists them oldest first, and `offset` counts filtered sales, so
//! a reader pages forward with `next_offset` while new sales land after
//! the last page, never inside one already read.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ticketpool_catalog::jiff::Timestamp;
use ticketpool_catalog::{CatalogError, EventId};
use ticketpool_core::Sale;

use crate::auth::AdminAuth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::{blocking, Shared};
use crate::views::{money, priority_name, rfc3339};

/// The most sales one page lists.
const MAX_PAGE: usize = 10_000;

/// The default page size.
const DEFAULT_PAGE: usize = 100;

pub(super) fn routes() -> Router<Shared> {
    Router::new().route("/api/admin/events/{id}/sales", get(sales_log))
}

/// The filters, as text: each is checked here so that a bad one is a 422
/// naming the parameter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SalesQuery {
    customer: Option<String>,
    #[serde(rename = "type")]
    ticket_type: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    format: Option<String>,
}

/// The checked filters.
struct Filter {
    customer: Option<String>,
    ticket_type: Option<String>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
}

impl Filter {
    fn keeps(&self, sale: &Sale) -> bool {
        // `Option::is_none_or` is newer than the workspace's MSRV.
        let at = Timestamp::try_from(sale.sold_at).ok();
        let customer = self
            .customer
            .as_deref()
            .is_none_or(|c| *sale.customer == *c);
        let ticket_type =
            (self.ticket_type.as_deref()).is_none_or(|t| *sale.ticket.ticket_type == *t);
        let since = self
            .since
            .is_none_or(|since| at.is_some_and(|at| at >= since));
        let until = self
            .until
            .is_none_or(|until| at.is_some_and(|at| at < until));
        customer && ticket_type && since && until
    }
}

fn bad_filter(parameter: &str, problem: String) -> ApiError {
    ApiError::invalid("invalid_filter", format!("{parameter}: {problem}"))
}

fn instant(parameter: &str, text: Option<String>) -> ApiResult<Option<Timestamp>> {
    text.map(|text| {
        text.parse().map_err(|_| {
            bad_filter(
                parameter,
                format!("must be an RFC 3339 time with Z or an offset, not {text:?}"),
            )
        })
    })
    .transpose()
}

fn count(parameter: &str, text: Option<String>, default: usize, max: usize) -> ApiResult<usize> {
    let Some(text) = text else {
        return Ok(default);
    };
    match text.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(bad_filter(
            parameter,
            format!("must be a whole number from 0 to {max}, not {text:?}"),
        )),
    }
}

/// `csv` if asked by `format`, or by `Accept: text/csv` without one.
fn wants_csv(format: Option<&str>, headers: &HeaderMap) -> ApiResult<bool> {
    match format {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(other) => Err(bad_filter(
            "format",
            format!("must be \"json\" or \"csv\", not {other:?}"),
        )),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv"))),
    }
}

async fn sales_log(
    _: AdminAuth,
    State(state): State<Shared>,
    ApiPath(id): ApiPath<u64>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<SalesQuery>,
) -> ApiResult<Response> {
    let csv = wants_csv(query.format.as_deref(), &headers)?;
    let limit = count("limit", query.limit, DEFAULT_PAGE, MAX_PAGE)?;
    let offset = count("offset", query.offset, 0, usize::MAX)?;
    let filter = Filter {
        customer: query.customer,
        ticket_type: query.ticket_type,
        since: instant("since", query.since)?,
        until: instant("until", query.until)?,
    };
    let (rows, total) = blocking(move || {
        let id = EventId(id);
        let event = state.catalog.event(id)?;
        if let Some(wanted) = &filter.ticket_type {
            if !event.office.ticket_types.iter().any(|t| &t.name == wanted) {
                return Err(bad_filter(
                    "type",
                    format!("this event has no ticket type {wanted:?}"),
                ));
            }
        }
        let office = match state.catalog.office(id) {
            Ok(office) => office,
            // A draft has sold nothing yet.
            Err(CatalogError::NoOffice(_)) => return Ok((Vec::new(), 0)),
            Err(error) => return Err(error.into()),
        };
        // Filters in place, without copying the whole log.
        Ok(office.with_sales(|sales| {
            let mut kept = sales.iter().filter(|sale| filter.keeps(sale));
            let rows: Vec<Value> = kept
                .by_ref()
                .skip(offset)
                .take(limit)
                .map(row_view)
                .collect();
            let total = offset.saturating_add(rows.len()) + kept.count();
            (rows, total)
        }))
    })
    .await?;
    if csv {
        let mut response = to_csv(&rows).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        let disposition = format!("attachment; filename=\"event-{id}-sales.csv\"");
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
        return Ok(response);
    }
    let next = offset.saturating_add(rows.len());
    Ok(Json(json!({
        "event": id,
        "order": "oldest_first",
        "total": total,
        "offset": offset,
        "next_offset": (next < total).then_some(next),
        "sales": rows,
    }))
    .into_response())
}

/// The columns, in CSV order; each is a field of a JSON row.
const COLUMNS: [&str; 8] = [
    "ticket",
    "ticket_type",
    "vendor",
    "customer",
    "priority",
    "price",
    "sold_at",
    "hold",
];

fn row_view(sale: &Sale) -> Value {
    json!({
        "ticket": sale.ticket.id.0,
        "ticket_type": &*sale.ticket.ticket_type,
        "vendor": &*sale.ticket.vendor,
        "customer": &*sale.customer,
        "priority": priority_name(sale.priority),
        "price": money(sale.price),
        "sold_at": rfc3339(sale.sold_at),
        "hold": sale.hold.map(|h| h.to_string()),
    })
}

/// The rows as CSV (RFC 4180): a header, CRLF line ends, a field quoted
/// when it holds a comma, a quote or a line break, its quotes doubled.
fn to_csv(rows: &[Value]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = COLUMNS
            .iter()
            .map(|column| match &row[*column] {
                Value::Null => String::new(),
                Value::String(text) => csv_field(text),
                other => csv_field(&other.to_string()),
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Smith, Jo"), "\"Smith, Jo\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_row_lists_every_column_in_order() {
        let row = json!({"ticket": 7, "ticket_type": "a,b", "vendor": "house",
            "customer": "O\"Neil, Pat", "priority": "vip", "price": "20.00",
            "sold_at": "2030-01-01T00:00:00Z", "hold": null});
        let csv = to_csv(&[row]);
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "7,\"a,b\",house,\"O\"\"Neil, Pat\",vip,20.00,2030-01-01T00:00:00Z,"
        );
    }
}
