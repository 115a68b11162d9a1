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
#[derive(Debug, Clone, PartialEq, Eq)]
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
