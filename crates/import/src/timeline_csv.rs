//! The timeline CSV: a header row, then one event per row.
//!
//! Columns `time`, `kind` and `text` are required; `author`, `severity`, `evidence` and
//! `key_point` are optional, in any order. `time` is RFC 3339 with an offset, or a local date-time
//! read in the incident's timezone. `severity` goes with `severity_changed` (and may say what an
//! incident was `declared` at). `evidence` holds one or more http(s) links separated by spaces.
//!
//! The whole file is checked before anything is returned: a file with a bad row gives no events,
//! and the error lists every bad row (up to [`MAX_REPORTED`]) with its line and column.

use crate::local_time::parse_instant;
use chrono_tz::Tz;
use hindsight_core::{EventKind, EventSource, NewTimelineEvent, Severity};
use std::{fmt, io::Read};
use url::Url;

/// The most row errors one report lists; past that, the count says how many more.
pub const MAX_REPORTED: usize = 20;

const REQUIRED: [&str; 3] = ["time", "kind", "text"];
const OPTIONAL: [&str; 4] = ["author", "severity", "evidence", "key_point"];

/// One bad row: where, which column, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(
                f,
                "line {}, column `{}`: {}",
                self.line, column, self.message
            ),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why a timeline CSV was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("line 1: {0}")]
    Header(String),
    #[error("{}", list_rows(.rows, *.more))]
    Rows { rows: Vec<RowError>, more: usize },
}

fn list_rows(rows: &[RowError], more: usize) -> String {
    let mut text = rows
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if more > 0 {
        text.push_str(&format!("\n… and {more} more bad rows"));
    }
    text
}

impl CsvError {
    /// The first bad row, if the header was fine.
    pub fn first_row(&self) -> Option<&RowError> {
        match self {
            CsvError::Header(_) => None,
            CsvError::Rows { rows, .. } => rows.first(),
        }
    }
}

/// Which column holds what.
struct Columns {
    time: usize,
    kind: usize,
    text: usize,
    author: Option<usize>,
    severity: Option<usize>,
    evidence: Option<usize>,
    key_point: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, CsvError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        for (i, name) in names.iter().enumerate() {
            if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
                return Err(CsvError::Header(format!(
                    "unknown column `{}` (column {}): expected time, kind, text and optionally author, severity, evidence, key_point",
                    header.get(i).unwrap_or_default(),
                    i + 1
                )));
            }
            if names[..i].contains(name) {
                return Err(CsvError::Header(format!("column `{name}` appears twice")));
            }
        }
        let find = |name: &str| names.iter().position(|n| n == name);
        let required = |name: &str| {
            find(name).ok_or_else(|| {
                CsvError::Header(format!(
                    "missing column `{name}`: the header must name time, kind and text (found: {})",
                    if names.is_empty() || names == [""] {
                        "nothing".to_owned()
                    } else {
                        names.join(", ")
                    }
                ))
            })
        };
        Ok(Columns {
            time: required("time")?,
            kind: required("kind")?,
            text: required("text")?,
            author: find("author"),
            severity: find("severity"),
            evidence: find("evidence"),
            key_point: find("key_point"),
        })
    }
}

/// Reads every event of a timeline CSV, local times read in `timezone`.
pub fn parse(input: impl Read, timezone: Tz) -> Result<Vec<NewTimelineEvent>, CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::Fields)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| CsvError::Header(format!("cannot read the header row: {e}")))?
        .clone();
    let columns = Columns::from_header(&header)?;

    let mut events = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                if record.iter().all(|field| field.is_empty()) {
                    continue; // A blank line is not an event.
                }
                match parse_row(&record, &columns, header.len(), timezone) {
                    Ok(event) => events.push(event),
                    Err((column, message)) => errors.push(RowError {
                        line,
                        column,
                        message,
                    }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                errors.push(RowError {
                    line,
                    column: None,
                    message: match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text".to_owned(),
                        _ => e.to_string(),
                    },
                });
                // The reader cannot resynchronise after an IO or encoding error.
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        let more = errors.len().saturating_sub(MAX_REPORTED);
        errors.truncate(MAX_REPORTED);
        Err(CsvError::Rows { rows: errors, more })
    }
}

type FieldError = (Option<&'static str>, String);

fn parse_row(
    record: &csv::StringRecord,
    columns: &Columns,
    width: usize,
    timezone: Tz,
) -> Result<NewTimelineEvent, FieldError> {
    if record.len() != width {
        return Err((
            None,
            format!(
                "expected {width} fields like the header, found {}",
                record.len()
            ),
        ));
    }
    let field = |i: usize| record.get(i).unwrap_or_default();
    let optional = |i: Option<usize>| i.map(field).filter(|v| !v.is_empty());

    let at =
        parse_instant(field(columns.time), timezone).map_err(|e| (Some("time"), e.to_string()))?;
    let kind: EventKind = field(columns.kind)
        .parse()
        .map_err(|e: hindsight_core::action::UnknownName| (Some("kind"), e.to_string()))?;
    let severity = optional(columns.severity)
        .map(|s| s.parse::<Severity>())
        .transpose()
        .map_err(|e| (Some("severity"), e.to_string()))?;
    let text = field(columns.text);
    if text.is_empty() {
        return Err((Some("text"), "the event has no text".to_owned()));
    }
    let mut event = NewTimelineEvent::from_parts(at, kind, text, EventSource::Import, severity)
        .map_err(|e| {
            let column = match e {
                hindsight_core::timeline::EventError::Text(_) => "text",
                _ => "severity",
            };
            (Some(column), e.to_string())
        })?
        .with_author(optional(columns.author))
        .map_err(|e| (Some("author"), e.to_string()))?;
    for link in optional(columns.evidence)
        .unwrap_or_default()
        .split_whitespace()
    {
        let url = Url::parse(link)
            .map_err(|e| (Some("evidence"), format!("`{link}` is not a link: {e}")))?;
        event = event
            .with_evidence(url)
            .map_err(|e| (Some("evidence"), e.to_string()))?;
    }
    if let Some(flag) = optional(columns.key_point) {
        let key_point = match flag.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "x" => true,
            "false" | "no" | "n" | "0" => false,
            _ => {
                return Err((
                    Some("key_point"),
                    format!("`{flag}` is not yes or no: expected true, false, yes, no, 1 or 0"),
                ));
            }
        };
        event = event.key_point(key_point);
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    /// Parses `csv` and returns either the events' one-line summaries or the error text.
    fn check(csv: &str, expected: &str) {
        let actual = match parse(csv.as_bytes(), Paris) {
            Ok(events) => events
                .iter()
                .map(|e| {
                    format!(
                        "{} {} {:?} author={:?} severity={:?} evidence={} key={}",
                        e.at().to_rfc3339(),
                        e.kind(),
                        e.text(),
                        e.author(),
                        e.severity().map(|s| s.to_string()),
                        e.evidence().len(),
                        e.is_key_point()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(actual.trim(), expected.trim(), "\n--- input ---\n{csv}");
    }

    #[test]
    fn a_minimal_file_reads_local_times_in_the_incident_timezone() {
        check(
            "time,kind,text\n2026-11-20 14:03,detected,Alert fired\n",
            r#"2026-11-20T13:03:00+00:00 detected "Alert fired" author=None severity=None evidence=0 key=false"#,
        );
    }

    #[test]
    fn optional_columns_come_in_any_order_and_any_case() {
        check(
            "Evidence,TIME,kind,text,severity,author,key_point\n\
             https://g.example.com/a https://l.example.com/b,2026-11-20T14:03:00Z,severity_changed,\"Raised, to 1\",SEV-1,Ana,yes\n",
            r#"2026-11-20T14:03:00+00:00 severity_changed "Raised, to 1" author=Some("Ana") severity=Some("SEV-1") evidence=2 key=true"#,
        );
    }

    #[test]
    fn a_byte_order_mark_and_blank_lines_are_ignored() {
        check(
            "\u{feff}time,kind,text\n\n2026-11-20T14:03:00Z,note,x\n,,\n",
            r#"2026-11-20T14:03:00+00:00 note "x" author=None severity=None evidence=0 key=false"#,
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        check(
            "time,kind,text,severity,evidence\n\
             2026-11-20T14:03:00Z,rollback,x,,\n\
             yesterday,note,x,,\n\
             2026-11-20T14:05:00Z,severity_changed,x,,\n\
             2026-11-20T14:06:00Z,severity_changed,x,SEV-9,\n\
             2026-11-20T14:07:00Z,note,x,SEV-2,\n\
             2026-11-20T14:08:00Z,note,,,\n\
             2026-11-20T14:09:00Z,note,x,,ftp://files.example.com/a\n\
             2026-11-20T14:10:00Z,note,x,,not a link\n\
             2026-11-20T14:11:00Z,note\n",
            "error: line 2, column `kind`: unknown event kind `rollback`: expected one of root_cause_began, impact_started, detected, paged, acknowledged, declared, severity_changed, status_page_updated, action, communication, mitigated, resolved, note\n\
             line 3, column `time`: `yesterday` is not a time: expected RFC 3339 with an offset (2026-11-20T14:03:00+01:00) or a local date and time (2026-11-20 14:03)\n\
             line 4, column `severity`: a severity_changed event needs a severity (SEV-1 … SEV-5)\n\
             line 5, column `severity`: unknown severity `SEV-9`: expected one of SEV-1, SEV-2, SEV-3, SEV-4, SEV-5\n\
             line 6, column `severity`: a note event cannot carry a severity: only severity_changed and declared events do\n\
             line 7, column `text`: the event has no text\n\
             line 8, column `evidence`: evidence must be an http or https link, not `ftp://files.example.com/a`\n\
             line 9, column `evidence`: `not` is not a link: relative URL without a base\n\
             line 10: expected 5 fields like the header, found 2",
        );
    }

    #[test]
    fn a_quoted_field_over_several_lines_reports_the_line_its_row_starts_on() {
        check(
            "time,kind,text\n2026-11-20T14:03:00Z,note,\"one\ntwo\"\nbad,note,x\n",
            "error: line 4, column `time`: `bad` is not a time: expected RFC 3339 with an offset (2026-11-20T14:03:00+01:00) or a local date and time (2026-11-20 14:03)",
        );
    }

    #[test]
    fn headers_without_the_required_columns_or_with_unknown_ones_are_refused() {
        check(
            "",
            "error: line 1: missing column `time`: the header must name time, kind and text (found: nothing)",
        );
        check(
            "time,kind\n",
            "error: line 1: missing column `text`: the header must name time, kind and text (found: time, kind)",
        );
        check(
            "time,kind,text,evidance\n",
            "error: line 1: unknown column `evidance` (column 4): expected time, kind, text and optionally author, severity, evidence, key_point",
        );
        check(
            "time,kind,text,time\n",
            "error: line 1: column `time` appears twice",
        );
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut bytes = b"time,kind,text\n2026-11-20T14:03:00Z,note,caf".to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(b"\n");
        let err = parse(bytes.as_slice(), Paris).unwrap_err();
        assert_eq!(err.to_string(), "line 2: not valid UTF-8 text");
    }

    #[test]
    fn long_reports_stop_at_twenty_rows_and_count_the_rest() {
        let mut csv = String::from("time,kind,text\n");
        for _ in 0..25 {
            csv.push_str("bad,note,x\n");
        }
        let err = parse(csv.as_bytes(), Paris).unwrap_err();
        assert!(err.to_string().ends_with("… and 5 more bad rows"), "{err}");
        assert_eq!(err.first_row().map(|r| r.line), Some(2));
    }
}
