//! Chat exports (Slack, Mattermost, a plain CSV or JSON Lines of messages) read into one shape,
//! so the extraction of key events, evidence, participants and to-dos works the same for all.
//!
//! Readers stream: they hand each message to a callback as they read it, holding at most one
//! file (one day of one Slack channel, one line of JSON Lines) in memory, and report progress in
//! bytes so a caller can draw a progress bar.

use chrono::{DateTime, Utc};
use std::fmt;
use url::Url;

/// One message, whatever chat it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatMessage {
    /// Unique within its chat, stable across exports of the same workspace
    /// (`slack:C024BE91L:1458174810.000002`), so importing the same export twice proposes
    /// nothing twice.
    pub id: String,
    /// The channel's name as people know it (`incident-2041`).
    pub channel: String,
    pub at: DateTime<Utc>,
    /// The author's id in the chat, when the message has one (bot messages may not).
    pub author_id: Option<String>,
    /// The author's display name, from the export's user list or the message itself.
    pub author: Option<String>,
    pub bot: bool,
    /// The text as a person reads it: markup for mentions and links resolved to plain words
    /// where the export allows (`<@U123>` → `@ana`, `<https://x|label>` → `label (https://x)`).
    pub text: String,
    /// The chat's own kind of message when it is not a plain message: `channel_join`,
    /// `file_share`, `bot_message`, `tombstone`…
    pub subtype: Option<String>,
    /// The id of the thread's first message, for replies (and for the first message itself
    /// when it has replies).
    pub thread: Option<String>,
    pub pinned: bool,
    /// Emoji names of the reactions (`white_check_mark`), each once.
    pub reactions: Vec<String>,
    pub edited: bool,
    /// Every http(s) link in the message, its attachments and its files, each once, in order.
    pub links: Vec<Url>,
    /// Where it was read, for error messages and for a link back to it.
    pub origin: Origin,
}

/// A person of the chat, from its user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatUser {
    pub id: String,
    /// The name shown in the chat (display name, else real name, else user name).
    pub name: String,
    /// Their job title, when the chat has one.
    pub title: Option<String>,
    pub bot: bool,
}

/// Where something was read: a file (inside an archive, if any) and a line or byte offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: Option<u64>,
    pub offset: Option<u64>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, ", byte {offset}")?;
        }
        Ok(())
    }
}

/// Which messages to read: one channel (by name or id) and a time window, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatWindow {
    pub channel: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl ChatWindow {
    /// Whether a message at `at` in `channel` (known by `name` and `id`) is in the window.
    pub fn contains(&self, name: &str, id: Option<&str>, at: DateTime<Utc>) -> bool {
        let channel_ok = match &self.channel {
            None => true,
            Some(wanted) => {
                let wanted = wanted.trim_start_matches('#');
                wanted.eq_ignore_ascii_case(name) || Some(wanted) == id
            }
        };
        channel_ok && self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at <= to)
    }
}

/// What a reader read, besides the messages it handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatSummary {
    /// Everyone in the export's user list (not only those who wrote in the window).
    pub users: Vec<ChatUser>,
    /// The channels of the export, by name.
    pub channels: Vec<String>,
    /// Messages handed to the callback (those in the window).
    pub messages: u64,
    /// Bytes read, in all files.
    pub bytes: u64,
    /// What was skipped or odd but not fatal, each with where.
    pub warnings: Vec<String>,
}

/// Why an export could not be read: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ChatError {
    pub origin: Origin,
    pub message: String,
}

/// The most warnings one summary lists; past that, a last line says how many more there were, so
/// an export with the same oddity on every message cannot grow the summary without bound.
pub const MAX_WARNINGS: usize = 100;

/// The warnings of one read, capped at [`MAX_WARNINGS`].
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    listed: Vec<String>,
    more: u64,
}

impl Warnings {
    pub(crate) fn push(&mut self, warning: String) {
        if self.listed.len() < MAX_WARNINGS {
            self.listed.push(warning);
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn into_vec(mut self) -> Vec<String> {
        if self.more > 0 {
            self.listed
                .push(format!("… and {} more warnings", self.more));
        }
        self.listed
    }
}

/// Adds `text` to `links` when it is a web link not already there: chats carry `mailto:`,
/// `slack://` and the like, which are never evidence.
pub(crate) fn add_link(links: &mut Vec<Url>, text: &str) {
    let Ok(url) = hindsight_core::text::web_url(text) else {
        return;
    };
    if !links.contains(&url) {
        links.push(url);
    }
}

/// Adds every bare http(s) link of `text` to `links`, in order. A link ends at white space or a
/// character that cannot stand in one unescaped; trailing punctuation and a closing bracket
/// without its opening one are the sentence's, not the link's (`(see https://x/a_(b)).`).
pub(crate) fn add_bare_links(links: &mut Vec<Url>, text: &str) {
    let mut rest = text;
    while let Some(start) = find_link_start(rest) {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | '|'))
            .unwrap_or(candidate.len());
        add_link(links, trim_sentence_end(&candidate[..end]));
        rest = &candidate[end..];
    }
}

fn find_link_start(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn trim_sentence_end(mut link: &str) -> &str {
    loop {
        let Some(last) = link.chars().last() else {
            return link;
        };
        let unbalanced = |open: char| link.matches(open).count() < link.matches(last).count();
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' | '~' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            '}' => unbalanced('{'),
            _ => false,
        };
        if !strip {
            return link;
        }
        link = &link[..link.len() - last.len_utf8()];
    }
}

/// A JSON error as a [`ChatError`] at `file`: the line (serde_json's, or `line` when the JSON
/// was one line of a larger file), the column, and what serde_json expected there.
pub(crate) fn json_error(file: &str, line: Option<u64>, error: &serde_json::Error) -> ChatError {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    // serde_json says the same for bytes that are not UTF-8 and for a bad `\u` escape; a
    // reader of the message needs to know the first is possible.
    let hint = if error.is_eof() {
        " (the JSON is cut short)"
    } else if what.starts_with("invalid unicode code point") {
        " (not UTF-8 text, or a wrong \\u escape)"
    } else {
        ""
    };
    ChatError {
        origin: Origin {
            file: file.to_owned(),
            line: line.or(Some(error.line() as u64)),
            offset: None,
        },
        message: format!("column {}: {what}{hint}", error.column()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare_links(text: &str) -> Vec<String> {
        let mut links = Vec::new();
        add_bare_links(&mut links, text);
        links.into_iter().map(String::from).collect()
    }

    #[test]
    fn bare_links_leave_the_sentence_around_them() {
        assert_eq!(
            bare_links("see https://grafana.example/d/1?x=2, then (http://a.example/b_(c))."),
            ["https://grafana.example/d/1?x=2", "http://a.example/b_(c)"]
        );
        assert_eq!(
            bare_links("[dash](https://x.example/d) and https://x.example/d again"),
            ["https://x.example/d"]
        );
        assert!(bare_links("mailto:a@b.example javascript:alert(1) http:// https://").is_empty());
    }

    #[test]
    fn warnings_past_the_cap_are_counted_not_kept() {
        let mut warnings = Warnings::default();
        for n in 0..MAX_WARNINGS + 3 {
            warnings.push(format!("warning {n}"));
        }
        let listed = warnings.into_vec();
        assert_eq!(listed.len(), MAX_WARNINGS + 1);
        assert_eq!(listed[MAX_WARNINGS], "… and 3 more warnings");
    }
}
