//! Small text rules shared by the domain types: what counts as a non-empty field.

use serde::{Deserialize, Serialize};

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
}

/// Trims `value` and refuses it when nothing is left or it is longer than `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, TextError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty { field });
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { field, max });
    }
    Ok(trimmed.to_owned())
}

/// Like [`required`], but an empty value means "none".
pub fn optional(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, TextError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required(field, v, max).map(Some),
    }
}

/// A short one-line name: a title, a person, a service.
pub const SHORT: usize = 200;
/// A long free text: an event's text, a section's Markdown.
pub const LONG: usize = 100_000;

/// A non-empty, trimmed line of text (a title, a name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Line(String);

impl Line {
    pub fn parse(field: &'static str, value: &str) -> Result<Self, TextError> {
        required(field, value, SHORT).map(Line)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Line {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Line::parse("text", &value)
    }
}

impl From<Line> for String {
    fn from(value: Line) -> Self {
        value.0
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
