//! The seat map as the frontend draws it: sections -> rows -> seats, each
//! seat with its label, position, tier and flags, and its state.
//!
//! The map never changes while an event sells seats, so everything but
//! the states is rendered to JSON text once; a body is then the pieces
//! with each seat's state between them (no per-seat serialisation).

use std::fmt::Write as _;

use serde_json::json;
use ticketpool_seats::{SeatId, SeatMap, SeatSnapshot, SeatState};

/// The map's JSON text, cut where each seat's state goes.
pub(crate) struct Layout {
    /// The text before each seat's state, and the seat.
    pieces: Vec<(String, SeatId)>,
    /// The text after the last state.
    tail: String,
}

/// The API name of a state.
pub(crate) fn state_name(state: SeatState) -> &'static str {
    match state {
        SeatState::NotOnSale => "not_on_sale",
        SeatState::Available => "available",
        SeatState::Held => "held",
        SeatState::Sold => "sold",
    }
}

impl Layout {
    /// The pieces of `map`: `"sections": [...]` without the opening
    /// brace, so a caller puts its own fields first.
    pub(crate) fn new(map: &SeatMap) -> Self {
        let mut pieces = Vec::with_capacity(map.seat_count());
        let mut text = format!("\"venue\":{},\"sections\":[", json!(map.name()));
        let (mut section, mut row): (Option<&str>, Option<(&str, &str)>) = (None, None);
        for seat in map.seats() {
            if section != Some(seat.section) {
                if section.is_some() {
                    text.push_str("]}]},");
                }
                let _ = write!(text, "{{\"name\":{},\"rows\":[", json!(seat.section));
                section = Some(seat.section);
                row = None;
            }
            if row != Some((seat.section, seat.row)) {
                if row.is_some() {
                    text.push_str("]},");
                }
                let _ = write!(text, "{{\"label\":{},\"seats\":[", json!(seat.row));
                row = Some((seat.section, seat.row));
            } else {
                text.push(',');
            }
            let mut flags = Vec::new();
            for (on, name) in [
                (seat.accessible, "accessible"),
                (seat.companion, "companion"),
                (seat.restricted_view, "restricted_view"),
            ] {
                if on {
                    flags.push(name);
                }
            }
            let _ = write!(
                text,
                "{{\"label\":{},\"number\":{},\"x\":{},\"y\":{},\"tier\":{},\"flags\":{},\"state\":\"",
                json!(seat.to_string()),
                seat.number,
                json!(seat.x),
                json!(seat.y),
                json!(seat.tier),
                json!(flags),
            );
            pieces.push((std::mem::take(&mut text), seat.id));
            text.push_str("\"}");
        }
        if section.is_some() {
            text.push_str("]}]}");
        }
        text.push(']');
        Self { pieces, tail: text }
    }

    /// The text with each seat's state from `snapshot`, appended to `out`.
    pub(crate) fn render(&self, snapshot: &SeatSnapshot, out: &mut String) {
        for (before, seat) in &self.pieces {
            out.push_str(before);
            out.push_str(state_name(
                snapshot.state(*seat).unwrap_or(SeatState::NotOnSale),
            ));
        }
        out.push_str(&self.tail);
    }

    /// A guess at the rendered size, to allocate once.
    pub(crate) fn size_hint(&self) -> usize {
        self.pieces
            .iter()
            .map(|(before, _)| before.len() + 12)
            .sum::<usize>()
            + self.tail.len()
    }
}
