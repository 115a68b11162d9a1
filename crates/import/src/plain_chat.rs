//! A chat log kept by hand or written by another tool: a CSV with a header (`time`, `author`,
//! `text`, and optionally `channel`, in any order, any case), or JSON Lines of
//! `{"time": …, "author": …, "text": …, "channel": …}`. The file's extension says which:
//! `.csv`, or `.jsonl` / `.ndjson`.
//!
//! Decisions:
//! - **Times** are RFC 3339 with an offset, a local date-time read in the default timezone
//!   (as the timeline CSV reads them, through [`parse_instant`]), or a number of seconds or
//!   milliseconds since 1970, told apart by size: from 10¹¹ on it is milliseconds (10¹¹ seconds
//!   would be the year 5138). Digits after a dot are read exactly, to the microsecond. In JSON the
//!   time may be a string or a number.
//! - **The channel** is the row's `channel`, else the file's name without its extension.
//! - **Ids** are `plain:<channel>:<microseconds since 1970>:<hash of author and text>`: the file
//!   has no ids of its own, and line numbers change when a line is added, while the same message
//!   at the same instant is the same message. The hash is FNV-1a, fixed by this module, so ids
//!   stay the same from one version of hindsight to the next.
//! - **A row without text** is skipped with a warning; a row without a readable time stops the
//!   read with an error naming its line, since its place in the timeline cannot be guessed.
//! - **Memory** holds one row or line at a time (a JSON line at most [`MAX_LINE_BYTES`]), plus the
//!   channel names met.

use crate::chat::{
    ChatError, ChatMessage, ChatSummary, ChatWindow, Origin, Warnings, add_bare_links, json_error,
};
use crate::local_time::{TimeError, parse_instant};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::Path;

/// The longest JSON line the reader accepts (16 MiB): one message is far smaller.
pub const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

/// The two shapes a plain chat log comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainFormat {
    Csv,
    JsonLines,
}

impl PlainFormat {
    /// The format a file's extension names, if it names one.
    pub fn of_file(file_name: &str) -> Option<PlainFormat> {
        let extension = Path::new(file_name)
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(PlainFormat::Csv),
            "jsonl" | "ndjson" => Some(PlainFormat::JsonLines),
            _ => None,
        }
    }
}

/// Reads a plain chat log from `reader`, its format told by the extension of `file_name`;
/// times without an offset are read in `default_timezone`. Each message in `window` goes to
/// `on_message`, and the bytes read so far to `progress` after each row or line.
pub fn read(
    reader: impl BufRead,
    file_name: &str,
    default_timezone: Tz,
    window: &ChatWindow,
    progress: &mut dyn FnMut(u64),
    on_message: &mut dyn FnMut(ChatMessage),
) -> Result<ChatSummary, ChatError> {
    let default_channel = Path::new(file_name)
        .file_stem()
        .and_then(|stem| stem.to_str())
        .filter(|stem| !stem.is_empty())
        .unwrap_or("chat")
        .to_owned();
    let mut log = PlainReader {
        file_name,
        default_channel,
        timezone: default_timezone,
        window,
        channels: Vec::new(),
        channels_seen: HashSet::new(),
        messages: 0,
        bytes: 0,
        warnings: Warnings::default(),
        on_message,
    };
    match PlainFormat::of_file(file_name) {
        Some(PlainFormat::Csv) => log.read_csv(reader, progress)?,
        Some(PlainFormat::JsonLines) => log.read_json_lines(reader, progress)?,
        None => {
            return Err(ChatError {
                origin: log.origin(None),
                message: "unknown kind of chat log: expected a .csv, .jsonl or .ndjson file"
                    .to_owned(),
            });
        }
    }
    Ok(ChatSummary {
        users: Vec::new(),
        channels: log.channels,
        messages: log.messages,
        bytes: log.bytes,
        warnings: log.warnings.into_vec(),
    })
}

struct PlainReader<'a> {
    file_name: &'a str,
    default_channel: String,
    timezone: Tz,
    window: &'a ChatWindow,
    channels: Vec<String>,
    channels_seen: HashSet<String>,
    messages: u64,
    bytes: u64,
    warnings: Warnings,
    on_message: &'a mut dyn FnMut(ChatMessage),
}

/// Which CSV column holds what.
struct Columns {
    time: usize,
    author: usize,
    text: usize,
    channel: Option<usize>,
}

/// One message as written, before it is checked.
struct Entry<'a> {
    line: u64,
    time: Result<DateTime<Utc>, String>,
    author: Option<&'a str>,
    text: Option<&'a str>,
    channel: Option<&'a str>,
}

impl PlainReader<'_> {
    fn origin(&self, line: Option<u64>) -> Origin {
        Origin {
            file: self.file_name.to_owned(),
            line,
            offset: None,
        }
    }

    fn error(&self, line: u64, message: String) -> ChatError {
        ChatError {
            origin: self.origin(Some(line)),
            message,
        }
    }

    fn read_csv(
        &mut self,
        reader: impl BufRead,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), ChatError> {
        let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header = csv.headers().map_err(|e| self.csv_error(&e))?.clone();
        let names: Vec<String> = header
            .iter()
            .map(|name| {
                name.trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |wanted: &str| names.iter().position(|name| name == wanted);
        let (Some(time), Some(author), Some(text)) = (find("time"), find("author"), find("text"))
        else {
            return Err(self.error(
                1,
                format!(
                    "expected the columns time, author and text (and optionally channel); found {}",
                    names
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        let columns = Columns {
            time,
            author,
            text,
            channel: find("channel"),
        };
        let mut record = csv::StringRecord::new();
        loop {
            match csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(self.csv_error(&e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let cell = |index: usize| record.get(index).map(str::trim).filter(|c| !c.is_empty());
            let time = match cell(columns.time) {
                Some(time) => parse_time(time, self.timezone),
                None => Err("no time: expected RFC 3339, a local date and time, or seconds or milliseconds since 1970".to_owned()),
            };
            let entry = Entry {
                line,
                time: time.map_err(|e| format!("column `time`: {e}")),
                author: cell(columns.author),
                text: record.get(columns.text).filter(|t| !t.trim().is_empty()),
                channel: columns.channel.and_then(cell),
            };
            self.entry(entry)?;
            self.bytes = csv.position().byte();
            progress(self.bytes);
        }
        self.bytes = csv.position().byte();
        Ok(())
    }

    fn csv_error(&self, error: &csv::Error) -> ChatError {
        match error.kind() {
            csv::ErrorKind::Utf8 { pos, err } => self.error(
                pos.as_ref().map_or(0, csv::Position::line),
                format!("field {}: not UTF-8 text", err.field() + 1),
            ),
            _ => ChatError {
                origin: self.origin(error.position().map(csv::Position::line)),
                message: format!("cannot read the CSV: {error}"),
            },
        }
    }

    fn read_json_lines(
        &mut self,
        mut reader: impl BufRead,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), ChatError> {
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            number += 1;
            let read = (&mut reader)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut line)
                .map_err(|e| self.error(number, format!("cannot read: {e}")))?;
            if read == 0 {
                break;
            }
            if read as u64 > MAX_LINE_BYTES {
                return Err(self.error(
                    number,
                    format!(
                        "longer than {} MiB; expected one JSON object per line",
                        MAX_LINE_BYTES / 1024 / 1024
                    ),
                ));
            }
            self.bytes += read as u64;
            let mut json = line.as_slice();
            if number == 1 {
                json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
            }
            if !json.iter().all(u8::is_ascii_whitespace) {
                let raw: RawEntry = serde_json::from_slice(json)
                    .map_err(|e| json_error(self.file_name, Some(number), &e))?;
                let time = match &raw.time {
                    Value::String(text) => parse_time(text, self.timezone),
                    Value::Number(number) => parse_epoch(&number.to_string()).unwrap_or_else(|| {
                        Err(format!("`{number}` is not a time: expected seconds or milliseconds since 1970"))
                    }),
                    Value::Null => Err("no time: expected RFC 3339, a local date and time, or seconds or milliseconds since 1970".to_owned()),
                    other => Err(format!("`{other}` is not a time: expected a string or a number")),
                };
                self.entry(Entry {
                    line: number,
                    time: time.map_err(|e| format!("`time`: {e}")),
                    author: raw
                        .author
                        .as_deref()
                        .map(str::trim)
                        .filter(|a| !a.is_empty()),
                    text: raw.text.as_deref().filter(|t| !t.trim().is_empty()),
                    channel: raw
                        .channel
                        .as_deref()
                        .map(str::trim)
                        .filter(|c| !c.is_empty()),
                })?;
            }
            progress(self.bytes);
        }
        Ok(())
    }

    fn entry(&mut self, entry: Entry<'_>) -> Result<(), ChatError> {
        let at = entry
            .time
            .map_err(|message| self.error(entry.line, message))?;
        let channel = entry.channel.unwrap_or(&self.default_channel).to_owned();
        if self.channels_seen.insert(channel.clone()) {
            self.channels.push(channel.clone());
        }
        let Some(text) = entry.text else {
            self.warnings.push(format!(
                "{}, line {}: skipped: no text",
                self.file_name, entry.line
            ));
            return Ok(());
        };
        if !self.window.contains(&channel, None, at) {
            return Ok(());
        }
        let mut links = Vec::new();
        add_bare_links(&mut links, text);
        let micros = at.timestamp_micros();
        let hash = fnv1a64(&[entry.author.unwrap_or_default(), text]);
        let origin = self.origin(Some(entry.line));
        self.messages += 1;
        (self.on_message)(ChatMessage {
            id: format!("plain:{channel}:{micros}:{hash:016x}"),
            channel,
            at,
            author_id: None,
            author: entry.author.map(str::to_owned),
            bot: false,
            text: text.to_owned(),
            subtype: None,
            thread: None,
            pinned: false,
            reactions: Vec::new(),
            edited: false,
            links,
            origin,
        });
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct RawEntry {
    #[serde(default)]
    time: Value,
    author: Option<String>,
    text: Option<String>,
    channel: Option<String>,
}

/// A time as written in a plain log: a number since 1970, or what [`parse_instant`] reads.
fn parse_time(text: &str, timezone: Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Some(epoch) = parse_epoch(text) {
        return epoch;
    }
    parse_instant(text, timezone).map_err(|error| match error {
        TimeError::Unreadable(_) => format!("{error}, or seconds or milliseconds since 1970"),
        other => other.to_string(),
    })
}

/// Seconds or milliseconds since 1970 (`1458174810`, `1458174810123`, `1458174810.5`), read
/// digit by digit; none when `text` is not a number at all.
fn parse_epoch(text: &str) -> Option<Result<DateTime<Utc>, String>> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let out_of_range = || format!("`{text}` is outside the years 1900 to 9999");
    if whole.len() > 15 {
        return Some(Err(out_of_range()));
    }
    let Ok(whole_value) = whole.parse::<i64>() else {
        return Some(Err(out_of_range()));
    };
    let (unit_micros, fraction_digits) = if whole_value >= 100_000_000_000 {
        (1_000, 3)
    } else {
        (1_000_000, 6)
    };
    let fraction: String = fraction.chars().take(fraction_digits).collect();
    let fraction_micros: i64 = format!("{fraction:0<fraction_digits$}")
        .parse()
        .unwrap_or(0);
    let micros = whole_value
        .checked_mul(unit_micros)
        .and_then(|micros| micros.checked_add(fraction_micros));
    let at = micros
        .and_then(DateTime::from_timestamp_micros)
        .and_then(|at| hindsight_core::timeline::check_instant(at).ok());
    Some(at.ok_or_else(out_of_range))
}

/// FNV-1a over the parts, each followed by a zero byte so that `("ab", "c")` and `("a", "bc")`
/// differ. Written out here rather than taken from `std`, whose hashers may change.
fn fnv1a64(parts: &[&str]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn times_are_read_in_every_accepted_form() {
        for (text, expected) in [
            ("2016-03-28T10:00:00Z", "2016-03-28T10:00:00Z"),
            ("2016-03-28 12:00", "2016-03-28T10:00:00Z"),
            ("1459159200", "2016-03-28T10:00:00Z"),
            ("1459159200.000002", "2016-03-28T10:00:00.000002Z"),
            ("1459159200123", "2016-03-28T10:00:00.123Z"),
            ("1459159200123.5", "2016-03-28T10:00:00.1235Z"),
        ] {
            assert_eq!(parse_time(text, Paris).unwrap(), utc(expected), "{text}");
        }
    }

    #[test]
    fn unreadable_times_say_what_is_accepted() {
        let error = parse_time("yesterday", Paris).unwrap_err();
        assert!(
            error.contains("RFC 3339") && error.contains("milliseconds since 1970"),
            "{error}"
        );
        assert!(
            parse_time("99999999999999999999", Paris)
                .unwrap_err()
                .contains("outside")
        );
        assert_eq!(parse_time("1", Paris).unwrap(), utc("1970-01-01T00:00:01Z"));
    }

    #[test]
    fn the_hash_is_fixed_and_separates_its_parts() {
        assert_eq!(fnv1a64(&[]), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a64(&["ab", "c"]), fnv1a64(&["a", "bc"]));
        assert_eq!(
            fnv1a64(&["ana", "rolled back"]),
            fnv1a64(&["ana", "rolled back"])
        );
    }

    #[test]
    fn the_extension_names_the_format() {
        assert_eq!(PlainFormat::of_file("x/inc.CSV"), Some(PlainFormat::Csv));
        assert_eq!(
            PlainFormat::of_file("inc.ndjson"),
            Some(PlainFormat::JsonLines)
        );
        assert_eq!(
            PlainFormat::of_file("inc.jsonl"),
            Some(PlainFormat::JsonLines)
        );
        assert_eq!(PlainFormat::of_file("inc.json"), None);
        assert_eq!(PlainFormat::of_file("inc"), None);
    }
}
