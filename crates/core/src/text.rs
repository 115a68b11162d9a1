//! Small text rules shared by the domain types: what counts as a non-empty field.

use serde::{Deserialize, Serialize};

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} must be one line, without line breaks or control characters")]
    NotOneLine { field: &'static str },
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

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("`{0}` is not a link: {1}")]
    Unreadable(String, String),
    #[error("`{0}` is not a web link: expected http:// or https://")]
    NotWeb(String),
}

/// Parses a link a reader may follow: http or https only, so no `javascript:` or `file:` link
/// ever reaches a document.
pub fn web_url(text: &str) -> Result<url::Url, LinkError> {
    let url = url::Url::parse(text.trim())
        .map_err(|e| LinkError::Unreadable(text.trim().to_owned(), e.to_string()))?;
    check_web_url(url)
}

/// Refuses a parsed link that is not http or https.
pub fn check_web_url(url: url::Url) -> Result<url::Url, LinkError> {
    if matches!(url.scheme(), "http" | "https") && url.has_host() {
        Ok(url)
    } else {
        Err(LinkError::NotWeb(url.to_string()))
    }
}

/// A non-empty, trimmed line of text (a title, a name), without line breaks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Line(String);

impl Line {
    pub fn parse(field: &'static str, value: &str) -> Result<Self, TextError> {
        let line = required(field, value, SHORT)?;
        if line.chars().any(char::is_control) {
            return Err(TextError::NotOneLine { field });
        }
        Ok(Line(line))
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

impl schemars::JsonSchema for Line {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Line".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": SHORT,
            "pattern": "^[^\\u0000-\\u001f\\u007f]+$",
            "description": "one line of text, without line breaks"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_refuses_line_breaks_and_control_characters() {
        assert!(Line::parse("title", "Checkout down").is_ok());
        for bad in ["a\nb", "a\rb", "a\u{7}b"] {
            assert_eq!(
                Line::parse("title", bad),
                Err(TextError::NotOneLine { field: "title" })
            );
        }
    }

    #[test]
    fn only_web_links_are_links() {
        assert!(web_url("https://grafana.example.com/d/x").is_ok());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "mailto:a@b.c",
            "data:text/html,x",
        ] {
            assert!(matches!(web_url(bad), Err(LinkError::NotWeb(_))), "{bad}");
        }
        assert!(matches!(
            web_url("not a link"),
            Err(LinkError::Unreadable(..))
        ));
    }
}
