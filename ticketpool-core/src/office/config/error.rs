//! What a rejected configuration reports: every [`ConfigProblem`] found, in
//! one [`ConfigError`], and the collector the rules push them into.

use std::fmt;

/// One problem: the field's path, what is wrong with it, and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfigProblem {
    /// The field, as a path (`ticket_types[1].price`).
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// The line (from 1) of the document the field is on, when the
    /// configuration was read from a text.
    pub line: Option<usize>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)?;
        match self.line {
            Some(line) => write!(f, " (line {line})"),
            None => Ok(()),
        }
    }
}

/// Why a configuration was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The document is not well-formed TOML or JSON.
    #[error("invalid {format} config: {message}")]
    Parse {
        /// `"TOML"` or `"JSON"`.
        format: &'static str,
        /// The parser's message, with its location.
        message: String,
    },
    /// Fields of the wrong type, unknown or missing, and values that break
    /// the rules; every one found is listed.
    #[error("invalid config: {}", list(.0))]
    Invalid(Vec<ConfigProblem>),
}

impl ConfigError {
    /// The rule problems (empty for `Io` and `Parse`).
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::Invalid(problems) => problems,
            _ => &[],
        }
    }

    /// `true` if a problem names exactly `field`.
    pub fn names_field(&self, field: &str) -> bool {
        self.problems().iter().any(|p| p.field == field)
    }
}

fn list(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Collects problems during validation.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub(crate) Vec<ConfigProblem>);

impl Problems {
    pub(crate) fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            field: field.into(),
            message: message.into(),
            line: None,
        });
    }

    /// A size past its documented bound (see [`bounds`]).
    pub(crate) fn at_most<T: PartialOrd + fmt::Display>(&mut self, field: &str, value: T, max: T) {
        if value > max {
            self.push(field, format!("must be at most {max}, got {value}"));
        }
    }

    pub(crate) fn into_result(self) -> Result<(), ConfigError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(self.0))
        }
    }
}
