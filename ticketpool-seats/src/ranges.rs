//! Reading the config's compact ranges: rows (`"A-T"`, `"AA-AF"`, `"1-40"`,
//! `"B"`), seat numbers (`"1-30"`) and seat lists (`"C-5..7"`, `"D-1"`).
//! Errors are short phrases that the validation puts after the text.

/// The most rows a range may give (a stadium section has ~40).
pub(crate) const MAX_ROWS: u32 = 1_000;

/// Rows written as letters count A..Z, AA..AZ, BA.. (spreadsheet columns);
/// as numbers, 1, 2, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Letters,
    Numbers,
}

fn row_number(label: &str) -> Result<(Kind, u32), &'static str> {
    if label.is_empty() {
        return Err("a row is missing");
    }
    if label.bytes().all(|b| b.is_ascii_digit()) {
        return label
            .parse::<u32>()
            .map(|n| (Kind::Numbers, n))
            .map_err(|_| "the row number is too large");
    }
    if label.len() > 3 {
        return Err("a row label is 1 to 3 letters or a number");
    }
    let mut n = 0_u32;
    for b in label.bytes() {
        if !b.is_ascii_uppercase() {
            return Err("a row is capital letters (A, AB) or a number");
        }
        n = n * 26 + u32::from(b - b'A' + 1);
    }
    Ok((Kind::Letters, n))
}

fn row_label(kind: Kind, mut n: u32) -> String {
    match kind {
        Kind::Numbers => n.to_string(),
        Kind::Letters => {
            let mut out = Vec::new();
            while n > 0 {
                n -= 1;
                out.push(b'A' + (n % 26) as u8);
                n /= 26;
            }
            out.reverse();
            String::from_utf8(out).expect("ASCII letters")
        }
    }
}

/// The row labels of a row range, front first.
pub(crate) fn parse_rows(text: &str) -> Result<Vec<String>, &'static str> {
    let text = text.trim();
    let (first, last) = match text.split_once('-') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (text, text),
    };
    let (kind, lo) = row_number(first)?;
    let (kind2, hi) = row_number(last)?;
    if kind != kind2 {
        return Err("both ends must be letters, or both numbers");
    }
    if hi < lo {
        return Err("the range runs backwards");
    }
    if hi - lo >= MAX_ROWS {
        return Err("more than 1,000 rows");
    }
    Ok((lo..=hi).map(|n| row_label(kind, n)).collect())
}

fn seat_number(text: &str) -> Result<u32, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a seat number is missing");
    }
    text.parse::<u32>()
        .map_err(|_| "a seat number is a whole number (1, 30)")
}

/// First and last seat numbers of `"1-30"` (or `"7"`).
pub(crate) fn parse_seats(text: &str) -> Result<(u32, u32), &'static str> {
    let (lo, hi) = match text.split_once('-') {
        Some((a, b)) => (seat_number(a)?, seat_number(b)?),
        None => {
            let n = seat_number(text)?;
            (n, n)
        }
    };
    if hi < lo {
        return Err("the range runs backwards");
    }
    Ok((lo, hi))
}

/// A seat list `"C-5..7"` (or `"C-5"`): the row label and the first and
/// last seat numbers.
pub(crate) fn parse_seat_list(text: &str) -> Result<(String, u32, u32), &'static str> {
    let Some((row, seats)) = text.trim().split_once('-') else {
        return Err("a seat list is ROW-SEAT or ROW-FIRST..LAST, as \"C-5..7\"");
    };
    let row = row.trim();
    row_number(row)?;
    let (lo, hi) = match seats.split_once("..") {
        Some((a, b)) => (seat_number(a)?, seat_number(b)?),
        None => {
            let n = seat_number(seats)?;
            (n, n)
        }
    };
    if hi < lo {
        return Err("the range runs backwards");
    }
    Ok((row.to_string(), lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_count_like_spreadsheet_columns() {
        assert_eq!(parse_rows("A-C").unwrap(), ["A", "B", "C"]);
        assert_eq!(parse_rows("Y-AB").unwrap(), ["Y", "Z", "AA", "AB"]);
        assert_eq!(parse_rows("9-11").unwrap(), ["9", "10", "11"]);
        assert_eq!(parse_rows("K").unwrap(), ["K"]);
        assert!(parse_rows("C-A").is_err());
        assert!(parse_rows("A-3").is_err());
        assert!(parse_rows("a-c").is_err());
    }

    #[test]
    fn seat_lists() {
        assert_eq!(parse_seat_list("C-5..7").unwrap(), ("C".into(), 5, 7));
        assert_eq!(parse_seat_list("12-3").unwrap(), ("12".into(), 3, 3));
        assert!(parse_seat_list("C").is_err());
        assert!(parse_seat_list("C-7..5").is_err());
        assert_eq!(parse_seats("1-30").unwrap(), (1, 30));
        assert!(parse_seats("x-3").is_err());
    }
}
