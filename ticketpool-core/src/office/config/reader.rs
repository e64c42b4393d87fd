//! Reading a configuration document field by field, so that every problem
//! (a wrong type, an unknown field, a missing one, a bad value) is collected
//! with its field path and line instead of stopping at serde's first error,
//! which names a Rust type ("expected u64") and, for a nested table, the
//! wrong line.
//!
//! A TOML or JSON text becomes a [`Node`] tree that remembers the line of
//! every value; a [`Reader`] takes typed values out of it and records a
//! problem, in plain words, for each one that does not fit.
//!
//! It is public for configurations layered on the office's (the
//! simulator's, in `ticketpool-sim`), so that an office table reads the
//! same wherever it appears: `read_office` (in `config/read.rs`) reads one
//! inside any document; `ticketpool_core::config_reader` exports both.

use std::collections::HashMap;
use std::path::Path;

use crate::office::config::error::{ConfigError, ConfigProblem};

/// Reads a `.toml` or `.json` file into a document; any other extension, or
/// a file that cannot be read, is a [`ConfigError::Io`] naming the path.
pub fn read_file(path: &Path) -> Result<Entry, ConfigError> {
    let io_error = |message: String| ConfigError::Io {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|err| io_error(err.to_string()))?;
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("toml") => parse_toml(&text),
        Some("json") => parse_json(&text),
        _ => Err(io_error("expected a .toml or .json file".to_owned())),
    }
}

/// A value of the document, TOML or JSON alike.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Node {
    /// A table (TOML) or object (JSON), in document order.
    Table(Vec<(String, Entry)>),
    /// An array.
    List(Vec<Entry>),
    /// A whole number (wide enough for any TOML or JSON integer).
    Int(i128),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A TOML date or time, as written.
    Date(String),
    /// JSON `null`.
    Null,
}

/// A value and the line (from 1) it starts on, when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The value.
    pub node: Node,
    /// The line it starts on, counted from 1; `None` where the format does
    /// not say (a value built in code).
    pub line: Option<usize>,
}

impl Entry {
    fn at(node: Node, line: Option<usize>) -> Self {
        Self { node, line }
    }
}

/// What a value is, in the user's words, for "got ..." in a message.
pub fn describe(node: &Node) -> String {
    match node {
        Node::Table(_) => "a table".to_owned(),
        Node::List(_) => "a list".to_owned(),
        Node::Int(n) => n.to_string(),
        Node::Float(x) => format!("{x:?}"),
        Node::Text(s) => format!("the text {s:?}"),
        Node::Bool(b) => b.to_string(),
        Node::Date(d) => format!("the date {d}"),
        Node::Null => "null".to_owned(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses a TOML document.
pub fn parse_toml(text: &str) -> Result<Entry, ConfigError> {
    use toml::de::{DeTable, DeValue};
    let parsed = DeTable::parse(text).map_err(|err| ConfigError::Parse {
        format: "TOML",
        message: err.to_string().trim_end().to_owned(),
    })?;
    fn convert(text: &str, value: &DeValue<'_>, line: usize) -> Entry {
        let node = match value {
            DeValue::String(s) => Node::Text(s.to_string()),
            DeValue::Integer(n) => i128::from_str_radix(n.as_str(), n.radix())
                .map_or_else(|_| Node::Float(f64::INFINITY), Node::Int),
            DeValue::Float(x) => {
                Node::Float(x.as_str().replace('_', "").parse().unwrap_or(f64::NAN))
            }
            DeValue::Boolean(b) => Node::Bool(*b),
            DeValue::Datetime(d) => Node::Date(d.to_string()),
            DeValue::Array(items) => Node::List(
                items
                    .iter()
                    .map(|item| convert(text, item.get_ref(), line_of(text, item.span().start)))
                    .collect(),
            ),
            DeValue::Table(table) => table_node(text, table),
        };
        Entry::at(node, Some(line))
    }
    fn table_node(text: &str, table: &DeTable<'_>) -> Node {
        Node::Table(
            table
                .iter()
                .map(|(key, value)| {
                    // A key's own line: for `[[a.b]]` tables the value's span
                    // is the header, for `k = v` both are on the key's line.
                    let line = line_of(text, key.span().start);
                    (
                        key.get_ref().to_string(),
                        convert(text, value.get_ref(), line),
                    )
                })
                .collect(),
        )
    }
    Ok(Entry::at(table_node(text, parsed.get_ref()), Some(1)))
}

/// Parses a JSON document.
pub fn parse_json(text: &str) -> Result<Entry, ConfigError> {
    // serde_json finds syntax errors (with their line); the scan below then
    // only ever sees well-formed JSON and adds the lines.
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|err| ConfigError::Parse {
        format: "JSON",
        message: err.to_string(),
    })?;
    // In a one-line document (`json.dumps` of a Python dict) every line
    // would be 1: noise, so none is given.
    let lines = text.trim_end().contains('\n');
    let mut scan = JsonScan { text, at: 0, lines };
    scan.value().ok_or_else(|| ConfigError::Parse {
        format: "JSON",
        message: "the document could not be read".to_owned(),
    })
}

/// A value already parsed by serde (from Python, or another deserializer):
/// the same tree without lines.
pub fn from_json_value(value: &serde_json::Value) -> Entry {
    use serde_json::Value;
    let node = match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Node::Int(i128::from(i)),
            (_, Some(u)) => Node::Int(i128::from(u)),
            _ => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Node::Text(s.clone()),
        Value::Array(items) => Node::List(items.iter().map(from_json_value).collect()),
        Value::Object(map) => Node::Table(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json_value(v)))
                .collect(),
        ),
    };
    Entry::at(node, None)
}

/// A scanner over JSON that serde_json has already accepted.
struct JsonScan<'a> {
    text: &'a str,
    at: usize,
    lines: bool,
}

impl JsonScan<'_> {
    fn skip_space(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn value(&mut self) -> Option<Entry> {
        self.skip_space();
        let line = self.lines.then(|| line_of(self.text, self.at));
        let node = match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut fields = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek()? {
                        b'}' => break,
                        b',' => self.at += 1,
                        _ => {
                            let key = self.string()?;
                            self.skip_space();
                            self.at += 1; // the ':'
                            fields.push((key, self.value()?));
                        }
                    }
                }
                self.at += 1;
                Node::Table(fields)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek()? {
                        b']' => break,
                        b',' => self.at += 1,
                        _ => items.push(self.value()?),
                    }
                }
                self.at += 1;
                Node::List(items)
            }
            b'"' => Node::Text(self.string()?),
            _ => {
                let rest = &self.text[self.at..];
                let len = rest
                    .find(|c: char| matches!(c, ',' | '}' | ']') || c.is_whitespace())
                    .unwrap_or(rest.len());
                let word = &rest[..len];
                self.at += len;
                match word {
                    "true" => Node::Bool(true),
                    "false" => Node::Bool(false),
                    "null" => Node::Null,
                    number => match number.parse::<i128>() {
                        Ok(n) => Node::Int(n),
                        Err(_) => Node::Float(number.parse().ok()?),
                    },
                }
            }
        };
        Some(Entry::at(node, line))
    }

    fn string(&mut self) -> Option<String> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while *bytes.get(i)? != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        self.at = i + 1;
        serde_json::from_str(&self.text[start..self.at]).ok()
    }
}

/// Takes typed values out of a document, collecting a problem for each one
/// that does not fit and remembering where every field is.
#[derive(Debug, Default)]
pub struct Reader {
    problems: Vec<ConfigProblem>,
    lines: HashMap<String, usize>,
}

/// A table's fields.
pub type Fields = [(String, Entry)];

/// The field named `key`, if present. A JSON `null` counts as left out:
/// it is how serde (and `config init c.json`) writes an unset option.
pub fn field<'a>(fields: &'a Fields, key: &str) -> Option<&'a Entry> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, entry)| entry)
        .filter(|entry| !matches!(entry.node, Node::Null))
}

/// `prefix.key`, or `key` at the top.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

impl Reader {
    /// Records a problem at `path`.
    pub fn problem(&mut self, path: &str, line: Option<usize>, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            field: path.to_owned(),
            message: message.into(),
            line,
        });
    }

    fn note(&mut self, path: &str, entry: &Entry) {
        if let Some(line) = entry.line {
            self.lines.entry(path.to_owned()).or_insert(line);
        }
    }

    fn wrong(&mut self, path: &str, entry: &Entry, expected: &str) {
        let got = describe(&entry.node);
        self.problem(path, entry.line, format!("expected {expected}, got {got}"));
    }

    /// A table whose keys must all be in `known`; each other key is a
    /// problem of its own.
    pub fn table<'a>(
        &mut self,
        entry: &'a Entry,
        path: &str,
        known: &[&str],
    ) -> Option<&'a Fields> {
        self.note(path, entry);
        let Node::Table(fields) = &entry.node else {
            self.wrong(path, entry, "a table");
            return None;
        };
        for (i, (key, value)) in fields.iter().enumerate() {
            // TOML refuses a key given twice; JSON lets the last one win
            // silently, which would hide the first.
            if fields[..i].iter().any(|(k, _)| k == key) {
                self.problem(&join(path, key), value.line, "given twice");
            } else if !known.contains(&key.as_str()) {
                let message = format!("unknown field; expected one of: {}", known.join(", "));
                self.problem(&join(path, key), value.line, message);
            }
        }
        Some(fields)
    }

    /// A list.
    pub fn list<'a>(&mut self, entry: &'a Entry, path: &str) -> Option<&'a [Entry]> {
        self.note(path, entry);
        match &entry.node {
            Node::List(items) => Some(items),
            _ => {
                self.wrong(path, entry, "a list");
                None
            }
        }
    }

    /// A whole number from 0 to `max`.
    pub fn whole(&mut self, entry: &Entry, path: &str, max: u64) -> Option<u64> {
        self.note(path, entry);
        match entry.node {
            Node::Int(n) if (0..=i128::from(max)).contains(&n) => u64::try_from(n).ok(),
            Node::Int(n) if n > 0 => {
                self.problem(path, entry.line, format!("must be at most {max}, got {n}"));
                None
            }
            _ => {
                self.wrong(path, entry, "a whole number of 0 or more");
                None
            }
        }
    }

    /// Any number.
    pub fn number(&mut self, entry: &Entry, path: &str) -> Option<f64> {
        self.note(path, entry);
        match entry.node {
            #[allow(clippy::cast_precision_loss)] // a rate or share: close is exact enough
            Node::Int(n) => Some(n as f64),
            Node::Float(x) => Some(x),
            _ => {
                self.wrong(path, entry, "a number");
                None
            }
        }
    }

    /// A string.
    pub fn text(&mut self, entry: &Entry, path: &str) -> Option<String> {
        self.note(path, entry);
        match &entry.node {
            Node::Text(s) => Some(s.clone()),
            _ => {
                self.wrong(path, entry, "a text in quotes");
                None
            }
        }
    }

    /// One of the strings in `choices`.
    pub fn choice(
        &mut self,
        entry: &Entry,
        path: &str,
        choices: &[&'static str],
    ) -> Option<&'static str> {
        let quoted: Vec<String> = choices.iter().map(|c| format!("{c:?}")).collect();
        let expected = format!("one of {}", quoted.join(", "));
        self.note(path, entry);
        match &entry.node {
            Node::Text(s) => {
                let found = choices.iter().find(|c| **c == s.as_str()).copied();
                if found.is_none() {
                    self.problem(path, entry.line, format!("expected {expected}, got {s:?}"));
                }
                found
            }
            _ => {
                self.wrong(path, entry, &expected);
                None
            }
        }
    }

    /// A list of strings.
    pub fn texts(&mut self, entry: &Entry, path: &str) -> Option<Vec<String>> {
        let items = self.list(entry, path)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.text(item, &format!("{path}[{i}]")) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A field that must be present.
    pub fn required<'a>(
        &mut self,
        fields: &'a Fields,
        table_line: Option<usize>,
        path: &str,
        key: &str,
        what: &str,
    ) -> Option<&'a Entry> {
        let found = field(fields, key);
        if found.is_none() {
            self.problem(&join(path, key), table_line, format!("missing: {what}"));
        }
        found
    }

    /// Adds rule problems found after reading: each gets the line of its
    /// field (or of the nearest enclosing one), and a rule about a field
    /// that already has a problem is left out (it judged a stand-in value).
    pub fn add_rules(&mut self, prefix: &str, rules: Vec<ConfigProblem>) {
        for rule in rules {
            let field = join(prefix, &rule.field);
            if self.problems.iter().any(|p| p.field == field) {
                continue;
            }
            let line = rule.line.or_else(|| self.line_of_path(&field));
            self.problems.push(ConfigProblem {
                field,
                message: rule.message,
                line,
            });
        }
    }

    fn line_of_path(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return Some(*line);
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }

    /// The problems, in document order where lines are known.
    pub fn finish(mut self) -> Result<(), ConfigError> {
        if self.problems.is_empty() {
            return Ok(());
        }
        self.problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        Err(ConfigError::Invalid(self.problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_give_the_same_tree_with_lines() {
        let toml = parse_toml("a = 1\n\n[b]\nc = \"x\"\nd = [1.5, true]\n").unwrap();
        let json =
            parse_json("{\"a\": 1,\n\n\"b\":\n {\"c\": \"x\", \"d\": [1.5, true]}}").unwrap();
        let Node::Table(t) = &toml.node else { panic!() };
        let Node::Table(j) = &json.node else { panic!() };
        assert_eq!(t[0].1.node, Node::Int(1));
        assert_eq!(t[1].1.line, Some(3));
        assert_eq!(j[1].1.line, Some(4));
        let Node::Table(from_json) = &j[1].1.node else {
            panic!()
        };
        assert_eq!(
            from_json[1].1.node,
            Node::List(vec![
                Entry::at(Node::Float(1.5), Some(4)),
                Entry::at(Node::Bool(true), Some(4)),
            ])
        );
        let numbers = parse_toml(
            "a = 1_000\nb = 0x10\nc = +5\nd = 1_000.5\ne = -inf\nf = 99999999999999999999\n",
        )
        .unwrap();
        let Node::Table(n) = &numbers.node else {
            panic!()
        };
        let values: Vec<&Node> = n.iter().map(|(_, e)| &e.node).collect();
        assert_eq!(
            values,
            [
                &Node::Int(1_000),
                &Node::Int(16),
                &Node::Int(5),
                &Node::Float(1_000.5),
                &Node::Float(f64::NEG_INFINITY),
                &Node::Int(99_999_999_999_999_999_999),
            ]
        );
        let twice = parse_json("{\"a\": 1, \"a\": 2}").unwrap();
        let mut reader = Reader::default();
        reader.table(&twice, "", &["a"]);
        assert_eq!(reader.problems[0].field, "a");
        assert_eq!(reader.problems[0].message, "given twice");
        let Node::Table(inner) = &t[1].1.node else {
            panic!()
        };
        assert_eq!(inner[1].1.line, Some(5));
    }
}
