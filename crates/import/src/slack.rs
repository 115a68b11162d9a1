//! Slack workspace exports, as the folder Slack's export unpacks to or as the `.zip` itself, read
//! into [`ChatMessage`]s one day file at a time.
//!
//! An export holds `users.json`, `channels.json` (and, when the export covers them,
//! `groups.json` for private channels, `mpims.json` for group messages and `dms.json` for direct
//! messages), then one folder per conversation, named after the channel or after its id, with
//! one JSON array of messages per UTC day (`2016-03-28.json`). Other files
//! (`integration_logs.json`, `canvases.json`…) are not messages and are left alone.
//!
//! Decisions:
//! - **Memory is bounded by the largest single file.** The user list and the channel lists are
//!   read whole (a workspace's people and channels), then each day file is read, parsed, handed
//!   over message by message and dropped before the next is opened; a zip is read one entry at a
//!   time through its central directory, never unpacked. A file over [`MAX_FILE_BYTES`] is
//!   refused, so a zip bomb cannot exhaust memory either. Besides that, the reader keeps the
//!   names of the files of the export (the zip's central directory, or one folder's listing at
//!   a time) and the users and channels.
//! - **A day file is parsed whole before any of its messages is handed over**, so a malformed
//!   file stops the read with nothing of it delivered, and the error names the file (for a zip,
//!   the zip's path then the path inside it: `export.zip/ops/2016-03-28.json`), the line and
//!   column, and what serde_json expected there.
//! - **Timestamps are exact**: `ts` (`"1458174810.000002"`) is read digit by digit into seconds
//!   and microseconds, never through a float, and the id keeps the text as written
//!   (`slack:<channel id>:<ts>`), so it matches Slack's own permalinks.
//! - **Days outside the window are skipped by their file name**, with a day of margin on each
//!   side: the names are UTC dates, but a day of slack costs little and protects against an
//!   export cut in another timezone. Messages are then checked against the window one by one.
//! - **Text is what a person reads**: `<@U123>` becomes `@name`, `<#C123|ops>` `#ops`,
//!   `<https://x|label>` `label (https://x)`, and `&amp;`, `&lt;`, `&gt;` are unescaped. When
//!   `text` is empty, the text comes from the `blocks` (rich text), else from the legacy
//!   `attachments` (pretext, title, text), else from the titles of the shared files, so a bot's
//!   or an upload's message is never blank.
//! - **Links** are every http(s) link of the text, then of each attachment (`from_url`,
//!   `original_url`, `title_link` and the links in its text), then of each file: its
//!   `permalink`, else its `url_private` without the `t` query parameter, which in exports holds
//!   an access token that must not end up in a post-mortem.
//! - **Authors** come from `users.json` (display name, else real name, else user name; the
//!   profile's title); a user missing from it is known from the `user_profile` a message embeds,
//!   and is then added to the summary's users. Bot messages without a `user` take the `username`
//!   or `bot_profile` name they carry. A file comment's author is the comment's user.
//! - **A message is a bot's** when its subtype is `bot_message`, its author is a bot in the user
//!   list, or it has a `bot_id` or `bot_profile` without a person as author; the `bot_add` and
//!   `bot_remove` notices are a person's, their `bot_id` names the integration.
//! - **Every message is handed over**, joins, file shares and the `tombstone` left where a thread's
//!   first message was deleted (`hidden: true`) included: the subtype says what it is, and a
//!   thread keeps its head. A message's `thread` is its `thread_ts` (for the first message, its own
//!   id), or its own id when it lists replies without a `thread_ts` (2017-era exports).
//! - **Folders in no channel list are read all the same**, named after the folder, with a
//!   warning, as are a missing user list or channel list: partial results beat none.

use crate::chat::{
    ChatError, ChatMessage, ChatSummary, ChatUser, ChatWindow, Origin, Warnings, add_bare_links,
    add_link, json_error,
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Deserialize;
use serde::de::{self, IgnoredAny};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use url::Url;

/// The largest file the reader accepts (512 MiB). A busy channel's day is a few megabytes; past
/// this, the file is more likely a zip bomb than a day of talk.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

const USER_LIST: &str = "users.json";

/// Slackbot's user id, the same in every workspace. It writes the tombstones of deleted thread
/// heads, and user lists show it as a person (`is_bot: false`) when they list it at all.
const SLACKBOT: &str = "USLACKBOT";

/// The conversation lists, in the order their conversations are read.
const CHANNEL_LISTS: [&str; 4] = ["channels.json", "groups.json", "mpims.json", "dms.json"];

/// Reads the Slack export at `path` (a folder or a `.zip`), handing each message in `window` to
/// `on_message` and the bytes read so far to `progress` after each file.
pub fn read(
    path: &Path,
    window: &ChatWindow,
    progress: &mut dyn FnMut(u64),
    on_message: &mut dyn FnMut(ChatMessage),
) -> Result<ChatSummary, ChatError> {
    let export = Export::open(path)?;
    let mut reader = SlackReader {
        export,
        window,
        directory: Directory::default(),
        channels: Vec::new(),
        messages: 0,
        bytes: 0,
        warnings: Warnings::default(),
        progress,
        on_message,
    };
    reader.read_all()?;
    Ok(ChatSummary {
        users: reader.directory.users,
        channels: reader.channels,
        messages: reader.messages,
        bytes: reader.bytes,
        warnings: reader.warnings.into_vec(),
    })
}

/// A conversation of the export.
#[derive(Debug)]
struct Conversation {
    id: String,
    name: String,
}

struct SlackReader<'a> {
    export: Export,
    window: &'a ChatWindow,
    directory: Directory,
    channels: Vec<String>,
    messages: u64,
    bytes: u64,
    warnings: Warnings,
    progress: &'a mut dyn FnMut(u64),
    on_message: &'a mut dyn FnMut(ChatMessage),
}

impl SlackReader<'_> {
    fn read_all(&mut self) -> Result<(), ChatError> {
        self.read_users()?;
        let conversations = self.read_conversation_lists()?;
        let folders = self.export.folders()?;
        let mut folders_read = HashSet::new();
        for conversation in &conversations {
            self.channels.push(conversation.name.clone());
            // Exports name a folder after the channel, or after its id (direct messages, and
            // some exports of private channels); should both exist, both are read.
            let own_folders: Vec<&String> = folders
                .iter()
                .filter(|folder| **folder == conversation.name || **folder == conversation.id)
                .collect();
            for folder in own_folders {
                folders_read.insert(folder.clone());
                if self.wants_channel(conversation) {
                    self.read_folder(conversation, folder)?;
                }
            }
        }
        for folder in folders.iter().filter(|f| !folders_read.contains(*f)) {
            let days = self.export.files_in(folder)?;
            if !days.iter().any(|name| day_of(name).is_some()) {
                continue;
            }
            self.warnings.push(format!(
                "{}: in no channel list; read as channel `{folder}`",
                self.export.display(Some(folder), "")
            ));
            let conversation = Conversation {
                id: folder.clone(),
                name: folder.clone(),
            };
            self.channels.push(conversation.name.clone());
            if self.wants_channel(&conversation) {
                self.read_folder(&conversation, folder)?;
            }
        }
        Ok(())
    }

    /// Whether the window wants the conversation at all, whatever the time, so that its folder
    /// need not be opened when it does not.
    fn wants_channel(&self, conversation: &Conversation) -> bool {
        let channel_only = ChatWindow {
            channel: self.window.channel.clone(),
            from: None,
            to: None,
        };
        channel_only.contains(
            &conversation.name,
            Some(&conversation.id),
            DateTime::UNIX_EPOCH,
        )
    }

    /// Reads a top-level file and counts its bytes, or says it is missing.
    fn read_top_file(&mut self, name: &str) -> Result<Option<(String, Vec<u8>)>, ChatError> {
        let Some(file) = self.export.read_top(name)? else {
            return Ok(None);
        };
        self.bytes += file.1.len() as u64;
        (self.progress)(self.bytes);
        Ok(Some(file))
    }

    fn read_users(&mut self) -> Result<(), ChatError> {
        let Some((display, bytes)) = self.read_top_file(USER_LIST)? else {
            self.warnings.push(format!(
                "{}: missing; authors are named from their messages",
                self.export.display(None, USER_LIST)
            ));
            return Ok(());
        };
        let users: Vec<RawUser> =
            serde_json::from_slice(&bytes).map_err(|e| json_error(&display, None, &e))?;
        for user in users {
            let name = first_filled([
                user.profile
                    .as_ref()
                    .and_then(|p| p.display_name.as_deref()),
                user.profile.as_ref().and_then(|p| p.real_name.as_deref()),
                user.real_name.as_deref(),
                user.name.as_deref(),
            ])
            .unwrap_or(&user.id)
            .to_owned();
            let title = user
                .profile
                .as_ref()
                .and_then(|p| first_filled([p.title.as_deref()]))
                .map(str::to_owned);
            let bot = user.is_bot.unwrap_or(false) || user.id == SLACKBOT;
            self.directory.add_user(ChatUser {
                id: user.id,
                name,
                title,
                bot,
            });
        }
        Ok(())
    }

    fn read_conversation_lists(&mut self) -> Result<Vec<Conversation>, ChatError> {
        let mut conversations = Vec::new();
        let mut lists_found = 0;
        for list in CHANNEL_LISTS {
            let Some((display, bytes)) = self.read_top_file(list)? else {
                continue;
            };
            lists_found += 1;
            let channels: Vec<RawChannel> =
                serde_json::from_slice(&bytes).map_err(|e| json_error(&display, None, &e))?;
            for channel in channels {
                let name = match channel.name.filter(|n| !n.trim().is_empty()) {
                    Some(name) => name,
                    None => self.direct_message_name(&channel.id, channel.members.as_deref()),
                };
                self.directory
                    .channel_names
                    .insert(channel.id.clone(), name.clone());
                conversations.push(Conversation {
                    id: channel.id,
                    name,
                });
            }
        }
        if lists_found == 0 {
            self.warnings.push(format!(
                "{}: missing; every folder is read as a channel named after it",
                self.export.display(None, CHANNEL_LISTS[0])
            ));
        }
        Ok(conversations)
    }

    /// A direct message has no name: it is known by who is in it (`ana, bob`).
    fn direct_message_name(&self, id: &str, members: Option<&[String]>) -> String {
        let names: Vec<&str> = members
            .unwrap_or_default()
            .iter()
            .map(|member| self.directory.user_name(member).unwrap_or(member))
            .collect();
        if names.is_empty() {
            id.to_owned()
        } else {
            names.join(", ")
        }
    }

    fn read_folder(&mut self, conversation: &Conversation, folder: &str) -> Result<(), ChatError> {
        for file_name in self.export.files_in(folder)? {
            let Some(day) = day_of(&file_name) else {
                if file_name.ends_with(".json") {
                    self.warnings.push(format!(
                        "{}: skipped: not a day file (YYYY-MM-DD.json)",
                        self.export.display(Some(folder), &file_name)
                    ));
                }
                continue;
            };
            if !may_hold_window(self.window, day) {
                continue;
            }
            let (display, bytes) = self.export.read_in(folder, &file_name)?;
            self.bytes += bytes.len() as u64;
            let day_messages: Vec<RawMessage> =
                serde_json::from_slice(&bytes).map_err(|e| json_error(&display, None, &e))?;
            drop(bytes);
            // Profiles first, so that a mention anywhere in the day names a person whose only
            // profile is in a later message.
            for raw in &day_messages {
                let author = author_id_of(raw.user.clone(), None);
                if let (Some(id), Some(profile)) = (author, &raw.user_profile) {
                    self.directory.learn_from_profile(&id, profile);
                }
            }
            for raw in day_messages {
                if self
                    .window
                    .contains(&conversation.name, Some(&conversation.id), raw.ts.at)
                {
                    let message = self.message(conversation, raw, &display);
                    self.messages += 1;
                    (self.on_message)(message);
                }
            }
            (self.progress)(self.bytes);
        }
        Ok(())
    }

    fn message(&self, conversation: &Conversation, raw: RawMessage, file: &str) -> ChatMessage {
        let subtype = raw.subtype.filter(|s| !s.is_empty());
        let author = self.author(
            author_id_of(raw.user, raw.comment),
            raw.username,
            raw.bot_profile.as_ref(),
            raw.bot_id.is_some(),
            subtype.as_deref(),
        );
        let files: Vec<RawFile> = raw
            .files
            .unwrap_or_default()
            .into_iter()
            .chain(raw.file)
            .collect();
        let (text, links) = self.text_and_links(
            raw.text.as_deref().unwrap_or_default(),
            raw.blocks.as_ref(),
            &raw.attachments.unwrap_or_default(),
            &files,
        );
        let mut reactions: Vec<String> = Vec::new();
        for reaction in raw.reactions.unwrap_or_default() {
            if let Some(name) = filled(reaction.name)
                && !reactions.contains(&name)
            {
                reactions.push(name);
            }
        }
        let has_replies = raw.reply_count.unwrap_or(0) > 0
            || raw
                .replies
                .as_ref()
                .is_some_and(|replies| !replies.is_empty());
        let thread_ts = filled(raw.thread_ts).or_else(|| has_replies.then(|| raw.ts.text.clone()));
        let id_of = |ts: &str| format!("slack:{}:{ts}", conversation.id);
        ChatMessage {
            id: id_of(&raw.ts.text),
            channel: conversation.name.clone(),
            at: raw.ts.at,
            author_id: author.id,
            author: author.name,
            bot: author.bot,
            text,
            subtype,
            thread: thread_ts.as_deref().map(id_of),
            pinned: raw.pinned_to.is_some_and(|channels| !channels.is_empty()),
            reactions,
            edited: raw.edited.is_some(),
            links,
            origin: Origin {
                file: file.to_owned(),
                line: None,
                offset: None,
            },
        }
    }

    /// Who wrote a message, by name, and whether it is a bot.
    fn author(
        &self,
        id: Option<String>,
        username: Option<String>,
        bot_profile: Option<&BotProfile>,
        has_bot_id: bool,
        subtype: Option<&str>,
    ) -> Author {
        let known = id.as_deref().and_then(|id| self.directory.user(id));
        let is_slackbot = id.as_deref() == Some(SLACKBOT);
        let name = known
            .map(|user| user.name.clone())
            .or_else(|| filled(username))
            .or_else(|| filled(bot_profile.and_then(|b| b.name.clone())))
            .or_else(|| is_slackbot.then(|| "Slackbot".to_owned()));
        let known_bot = known.is_some_and(|user| user.bot) || is_slackbot;
        let bot = match subtype {
            Some("bot_message") => true,
            // The notice that a person added or removed an integration carries the
            // integration's `bot_id`; it is still the person's message.
            Some("bot_add" | "bot_remove") => known_bot,
            _ => known_bot || ((has_bot_id || bot_profile.is_some()) && known.is_none()),
        };
        Author { id, name, bot }
    }

    /// The text a person reads, from `text`, else the blocks, else the attachments, else the
    /// files' titles; and the links of all of them.
    fn text_and_links(
        &self,
        text: &str,
        blocks: Option<&Value>,
        attachments: &[RawAttachment],
        files: &[RawFile],
    ) -> (String, Vec<Url>) {
        let mut links = Vec::new();
        let mut text = resolve_markup(text, &self.directory, &mut links);
        if text.trim().is_empty()
            && let Some(blocks) = blocks
        {
            text = blocks_text(blocks, &self.directory, &mut links);
        }
        let mut attachment_texts = Vec::new();
        for attachment in attachments {
            for link in [
                &attachment.from_url,
                &attachment.original_url,
                &attachment.title_link,
            ]
            .into_iter()
            .flatten()
            {
                add_link(&mut links, link);
            }
            let parts: Vec<String> = [&attachment.pretext, &attachment.title, &attachment.text]
                .into_iter()
                .flatten()
                .map(|part| resolve_markup(part, &self.directory, &mut links))
                .filter(|part| !part.trim().is_empty())
                .collect();
            if !parts.is_empty() {
                attachment_texts.push(parts.join("\n"));
            } else if let Some(fallback) = &attachment.fallback {
                // The fallback repeats the attachment's links; they are in already or wanted not.
                attachment_texts.push(resolve_markup(fallback, &self.directory, &mut Vec::new()));
            }
        }
        if text.trim().is_empty() {
            text = attachment_texts.join("\n");
        }
        for file in files {
            if let Some(permalink) = &file.permalink {
                add_link(&mut links, permalink);
            } else if let Some(private) = file.url_private.as_deref().and_then(without_token) {
                add_link(&mut links, &private);
            }
        }
        if text.trim().is_empty() {
            let titles: Vec<&str> = files
                .iter()
                .filter_map(|f| first_filled([f.title.as_deref(), f.name.as_deref()]))
                .collect();
            text = titles.join(", ");
        }
        (text, links)
    }
}

/// A message's author: a person's id, else (for a 2016-era file comment) the comment's.
fn author_id_of(user: Option<String>, comment: Option<RawComment>) -> Option<String> {
    filled(user).or_else(|| filled(comment.and_then(|comment| comment.user)))
}

/// Who wrote a message.
#[derive(Debug)]
struct Author {
    id: Option<String>,
    name: Option<String>,
    bot: bool,
}

/// The people and channels mentions are resolved against.
#[derive(Debug, Default)]
struct Directory {
    users: Vec<ChatUser>,
    user_index: HashMap<String, usize>,
    channel_names: HashMap<String, String>,
}

impl Directory {
    fn add_user(&mut self, user: ChatUser) {
        match self.user_index.get(&user.id) {
            Some(&index) => self.users[index] = user,
            None => {
                self.user_index.insert(user.id.clone(), self.users.len());
                self.users.push(user);
            }
        }
    }

    fn user(&self, id: &str) -> Option<&ChatUser> {
        self.user_index
            .get(id)
            .and_then(|&index| self.users.get(index))
    }

    fn user_name(&self, id: &str) -> Option<&str> {
        self.user(id).map(|user| user.name.as_str())
    }

    /// Adds a user that `users.json` lacks from the profile a message embeds; the user list, when
    /// it has the user, is newer than any message and wins.
    fn learn_from_profile(&mut self, id: &str, profile: &EmbeddedProfile) {
        if self.user_index.contains_key(id) {
            return;
        }
        let Some(name) = first_filled([
            profile.display_name.as_deref(),
            profile.real_name.as_deref(),
            profile.name.as_deref(),
        ]) else {
            return;
        };
        self.add_user(ChatUser {
            id: id.to_owned(),
            name: name.to_owned(),
            title: first_filled([profile.title.as_deref()]).map(str::to_owned),
            bot: profile.is_bot.unwrap_or(false),
        });
    }
}

/// Slack's markup as plain words: mentions by name, links as `label (url)`, entities unescaped.
/// Every web link met is added to `links`.
fn resolve_markup(text: &str, directory: &Directory, links: &mut Vec<Url>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let plain = unescape(&rest[..open]);
        add_bare_links(links, &plain);
        out.push_str(&plain);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            // A lone `<` cannot come from Slack (it escapes them); keep it as written.
            let plain = unescape(&rest[open..]);
            add_bare_links(links, &plain);
            out.push_str(&plain);
            return out;
        };
        out.push_str(&resolve_token(&after[..close], directory, links));
        rest = &after[close + 1..];
    }
    let plain = unescape(rest);
    add_bare_links(links, &plain);
    out.push_str(&plain);
    out
}

/// One `<…>` token: `@U123`, `#C123|name`, `!here`, `https://x|label`.
fn resolve_token(token: &str, directory: &Directory, links: &mut Vec<Url>) -> String {
    let (target, label) = match token.split_once('|') {
        Some((target, label)) => (target, Some(unescape(label)).filter(|l| !l.is_empty())),
        None => (token, None),
    };
    if let Some(user) = target.strip_prefix('@') {
        let name = directory.user_name(user).map(str::to_owned).or(label);
        return format!(
            "@{}",
            name.as_deref().unwrap_or(user).trim_start_matches('@')
        );
    }
    if let Some(channel) = target.strip_prefix('#') {
        let name = label.or_else(|| directory.channel_names.get(channel).cloned());
        return format!("#{}", name.as_deref().unwrap_or(channel));
    }
    if let Some(command) = target.strip_prefix('!') {
        return match (command, label) {
            ("here" | "channel" | "everyone", _) => format!("@{command}"),
            (_, Some(label)) => label,
            (command, None) => match command.split_once('^') {
                Some(("subteam", id)) => format!("@{id}"),
                _ => format!("@{command}"),
            },
        };
    }
    let url = unescape(target);
    add_link(links, &url);
    match label {
        Some(label)
            if label != url
                && !url.ends_with(&format!("//{label}"))
                && !url.ends_with(&format!(":{label}")) =>
        {
            format!("{label} ({url})")
        }
        _ => url,
    }
}

/// Slack escapes exactly these three in text.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let (replacement, length) = if tail.starts_with("&amp;") {
            ("&", 5)
        } else if tail.starts_with("&lt;") {
            ("<", 4)
        } else if tail.starts_with("&gt;") {
            (">", 4)
        } else {
            ("&", 1)
        };
        out.push_str(replacement);
        rest = &tail[length..];
    }
    out.push_str(rest);
    out
}

/// The text of Block Kit blocks: rich text, section and header texts, context elements. Any
/// other shape (or none: `blocks` may be `null`) gives nothing rather than an error, since blocks
/// only stand in for an empty `text`.
fn blocks_text(blocks: &Value, directory: &Directory, links: &mut Vec<Url>) -> String {
    let mut paragraphs = Vec::new();
    for block in blocks.as_array().into_iter().flatten() {
        let mut text = String::new();
        match block["type"].as_str() {
            Some("rich_text") => rich_text(&block["elements"], directory, links, &mut text),
            Some("section" | "header") => {
                let texts = std::iter::once(&block["text"])
                    .chain(block["fields"].as_array().into_iter().flatten());
                let parts: Vec<String> = texts
                    .filter_map(|t| t["text"].as_str())
                    .map(|t| resolve_markup(t, directory, links))
                    .collect();
                text = parts.join("\n");
            }
            Some("context") => {
                let parts: Vec<String> = block["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|element| element["text"].as_str())
                    .map(|t| resolve_markup(t, directory, links))
                    .collect();
                text = parts.join(" ");
            }
            _ => {}
        }
        let text = text.trim_end().to_owned();
        if !text.is_empty() {
            paragraphs.push(text);
        }
    }
    paragraphs.join("\n")
}

/// Rich text elements, written out as plain text; nesting is bounded by serde_json's recursion
/// limit, so the recursion is too.
fn rich_text(elements: &Value, directory: &Directory, links: &mut Vec<Url>, out: &mut String) {
    for element in elements.as_array().into_iter().flatten() {
        match element["type"].as_str() {
            Some("rich_text_section") => rich_text(&element["elements"], directory, links, out),
            Some("rich_text_list") => {
                for item in element["elements"].as_array().into_iter().flatten() {
                    start_line(out);
                    out.push_str("- ");
                    rich_text(&item["elements"], directory, links, out);
                }
                start_line(out);
            }
            Some("rich_text_preformatted" | "rich_text_quote") => {
                start_line(out);
                rich_text(&element["elements"], directory, links, out);
                start_line(out);
            }
            Some("text") => out.push_str(element["text"].as_str().unwrap_or_default()),
            Some("link") => {
                let url = element["url"].as_str().unwrap_or_default();
                add_link(links, url);
                match element["text"]
                    .as_str()
                    .filter(|label| !label.is_empty() && *label != url)
                {
                    Some(label) => out.push_str(&format!("{label} ({url})")),
                    None => out.push_str(url),
                }
            }
            Some("user") => {
                let id = element["user_id"].as_str().unwrap_or_default();
                out.push('@');
                out.push_str(directory.user_name(id).unwrap_or(id));
            }
            Some("channel") => {
                let id = element["channel_id"].as_str().unwrap_or_default();
                out.push('#');
                out.push_str(directory.channel_names.get(id).map_or(id, String::as_str));
            }
            Some("usergroup") => {
                out.push('@');
                out.push_str(element["usergroup_id"].as_str().unwrap_or_default());
            }
            Some("broadcast") => {
                out.push('@');
                out.push_str(element["range"].as_str().unwrap_or_default());
            }
            Some("emoji") => {
                out.push(':');
                out.push_str(element["name"].as_str().unwrap_or_default());
                out.push(':');
            }
            Some("date") => out.push_str(element["fallback"].as_str().unwrap_or_default()),
            _ => {}
        }
    }
}

fn start_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// A file's private URL without the `t` parameter, which holds an access token in exports.
fn without_token(url: &str) -> Option<String> {
    let mut url = Url::parse(url).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != "t")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(url.into())
}

/// The date a day file holds (`2016-03-28.json`), or none for any other file.
fn day_of(file_name: &str) -> Option<NaiveDate> {
    let stem = file_name.strip_suffix(".json")?;
    if stem.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(stem, "%Y-%m-%d").ok()
}

/// Whether the day file of `day` (a UTC date) may hold a message of the window, with a day of
/// margin on each side.
fn may_hold_window(window: &ChatWindow, day: NaiveDate) -> bool {
    let one_day = Days::new(1);
    let after_start = window.from.is_none_or(|from| {
        let first = from.date_naive();
        day >= first.checked_sub_days(one_day).unwrap_or(first)
    });
    let before_end = window.to.is_none_or(|to| {
        let last = to.date_naive();
        day <= last.checked_add_days(one_day).unwrap_or(last)
    });
    after_start && before_end
}

fn filled(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

fn first_filled<const N: usize>(candidates: [Option<&str>; N]) -> Option<&str> {
    candidates
        .into_iter()
        .flatten()
        .find(|text| !text.trim().is_empty())
}

/// Slack's `ts`: the text as written, and the instant it names.
#[derive(Debug)]
struct SlackTs {
    text: String,
    at: DateTime<Utc>,
}

/// Reads `1458174810.000002` (seconds, a dot, up to six digits of fraction) exactly.
fn parse_ts(text: &str) -> Option<DateTime<Utc>> {
    let (seconds, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if seconds.is_empty() || seconds.len() > 12 || !digits(seconds) {
        return None;
    }
    if fraction.len() > 6 || !digits(fraction) {
        return None;
    }
    let seconds: i64 = seconds.parse().ok()?;
    let micros: u32 = format!("{fraction:0<6}").parse().ok()?;
    let at = DateTime::from_timestamp(seconds, micros * 1000)?;
    hindsight_core::timeline::check_instant(at).ok()
}

impl<'de> Deserialize<'de> for SlackTs {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TsVisitor;
        impl de::Visitor<'_> for TsVisitor {
            type Value = SlackTs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Slack timestamp such as \"1458174810.000002\"")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<SlackTs, E> {
                match parse_ts(text) {
                    Some(at) => Ok(SlackTs {
                        text: text.to_owned(),
                        at,
                    }),
                    None => Err(E::custom(format!(
                        "`{text}` is not a Slack timestamp: expected seconds since 1970, a dot and microseconds (\"1458174810.000002\"), between the years 1900 and 9999"
                    ))),
                }
            }

            fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<SlackTs, E> {
                self.visit_str(&seconds.to_string())
            }
        }
        deserializer.deserialize_any(TsVisitor)
    }
}

#[derive(Debug, Deserialize)]
struct RawUser {
    id: String,
    name: Option<String>,
    real_name: Option<String>,
    is_bot: Option<bool>,
    profile: Option<RawProfile>,
}

#[derive(Debug, Deserialize)]
struct RawProfile {
    display_name: Option<String>,
    real_name: Option<String>,
    title: Option<String>,
}

/// The `user_profile` a message carries (modern exports); `title` and `is_bot` are read when
/// present, though Slack seldom writes them there.
#[derive(Debug, Deserialize)]
struct EmbeddedProfile {
    display_name: Option<String>,
    real_name: Option<String>,
    name: Option<String>,
    title: Option<String>,
    is_bot: Option<bool>,
}

/// An entry of a channel list. `created` (a string in old exports, an integer in new ones) and
/// the rest are not needed, so are never read.
#[derive(Debug, Deserialize)]
struct RawChannel {
    id: String,
    name: Option<String>,
    members: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct RawMessage {
    ts: SlackTs,
    text: Option<String>,
    user: Option<String>,
    username: Option<String>,
    bot_id: Option<String>,
    bot_profile: Option<BotProfile>,
    user_profile: Option<EmbeddedProfile>,
    subtype: Option<String>,
    thread_ts: Option<String>,
    reply_count: Option<u64>,
    replies: Option<Vec<IgnoredAny>>,
    edited: Option<IgnoredAny>,
    reactions: Option<Vec<RawReaction>>,
    pinned_to: Option<Vec<String>>,
    blocks: Option<Value>,
    files: Option<Vec<RawFile>>,
    /// The single file of 2016-era `file_share` and `file_comment` messages.
    file: Option<RawFile>,
    /// The comment of a 2016-era `file_comment` message, whose author it names.
    comment: Option<RawComment>,
    attachments: Option<Vec<RawAttachment>>,
}

#[derive(Debug, Deserialize)]
struct BotProfile {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawComment {
    user: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawReaction {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawFile {
    title: Option<String>,
    name: Option<String>,
    permalink: Option<String>,
    url_private: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawAttachment {
    fallback: Option<String>,
    pretext: Option<String>,
    title: Option<String>,
    title_link: Option<String>,
    text: Option<String>,
    from_url: Option<String>,
    original_url: Option<String>,
}

/// Where the export's files are: a folder, or a zip read entry by entry.
enum Export {
    Folder {
        root: PathBuf,
    },
    Zip {
        path: PathBuf,
        archive: Box<zip::ZipArchive<File>>,
        /// The folder inside the zip that holds the export (`""`, or `export/` when a folder
        /// was zipped rather than its contents).
        prefix: String,
        /// Each file's path below `prefix` → its index in the archive.
        entries: HashMap<String, usize>,
        /// Each folder below `prefix` → the names of its files, sorted.
        folders: BTreeMap<String, Vec<String>>,
    },
}

impl fmt::Debug for Export {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Export::Folder { root } => write!(f, "Export::Folder({})", root.display()),
            Export::Zip { path, prefix, .. } => {
                write!(f, "Export::Zip({}, {prefix:?})", path.display())
            }
        }
    }
}

/// The names that mark the top of an export.
fn marks_top(name: &str) -> bool {
    name == USER_LIST || CHANNEL_LISTS.contains(&name)
}

/// Folders that archivers add and that are never channels.
fn is_archiver_folder(name: &str) -> bool {
    name == "__MACOSX" || name.starts_with('.')
}

fn io_error(file: String, what: &str, error: &dyn fmt::Display) -> ChatError {
    ChatError {
        origin: Origin {
            file,
            line: None,
            offset: None,
        },
        message: format!("{what}: {error}"),
    }
}

fn not_an_export(path: &Path) -> ChatError {
    ChatError {
        origin: Origin {
            file: path.display().to_string(),
            line: None,
            offset: None,
        },
        message: "not a Slack export: expected a folder or .zip with users.json and channels.json at its top, and one folder per channel".to_owned(),
    }
}

impl Export {
    fn open(path: &Path) -> Result<Export, ChatError> {
        let shown = path.display().to_string();
        let metadata =
            std::fs::metadata(path).map_err(|e| io_error(shown.clone(), "cannot open", &e))?;
        if metadata.is_dir() {
            return Self::open_folder(path);
        }
        let file = File::open(path).map_err(|e| io_error(shown.clone(), "cannot open", &e))?;
        let archive = zip::ZipArchive::new(file)
            .map_err(|e| io_error(shown.clone(), "not a folder nor a readable zip", &e))?;
        let names: Vec<(usize, String)> = (0..archive.len())
            .filter_map(|index| Some((index, archive.name_for_index(index)?.replace('\\', "/"))))
            .filter(|(_, name)| !name.ends_with('/'))
            .collect();
        let prefix = names
            .iter()
            .filter_map(|(_, name)| {
                let (prefix, file) = name.rsplit_once('/').unwrap_or(("", name));
                marks_top(file).then_some(prefix)
            })
            .min_by_key(|prefix| (prefix.matches('/').count(), prefix.len()))
            .map(|prefix| {
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{prefix}/")
                }
            })
            .ok_or_else(|| not_an_export(path))?;
        let mut entries = HashMap::new();
        let mut folders: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (index, name) in names {
            let Some(relative) = name.strip_prefix(&prefix) else {
                continue;
            };
            match relative.split('/').collect::<Vec<_>>().as_slice() {
                [_file] => {}
                [folder, file] if !is_archiver_folder(folder) && !file.is_empty() => {
                    folders
                        .entry((*folder).to_owned())
                        .or_default()
                        .push((*file).to_owned());
                }
                _ => continue,
            }
            entries.insert(relative.to_owned(), index);
        }
        for files in folders.values_mut() {
            files.sort();
        }
        Ok(Export::Zip {
            path: path.to_owned(),
            archive: Box::new(archive),
            prefix,
            entries,
            folders,
        })
    }

    /// A folder export; when the folder holds the export one level down (an unpacked zip of the
    /// export's folder), that is its top.
    fn open_folder(path: &Path) -> Result<Export, ChatError> {
        let has_top_mark = |folder: &Path| {
            std::iter::once(USER_LIST)
                .chain(CHANNEL_LISTS)
                .any(|name| folder.join(name).is_file())
        };
        if has_top_mark(path) {
            return Ok(Export::Folder {
                root: path.to_owned(),
            });
        }
        let subfolders = list_dir(path, true)?;
        match subfolders.as_slice() {
            [only] if has_top_mark(&path.join(only)) => Ok(Export::Folder {
                root: path.join(only),
            }),
            _ => Err(not_an_export(path)),
        }
    }

    /// How a file of the export is named in messages and errors.
    fn display(&self, folder: Option<&str>, file: &str) -> String {
        let relative = match folder {
            Some(folder) if file.is_empty() => folder.to_owned(),
            Some(folder) => format!("{folder}/{file}"),
            None => file.to_owned(),
        };
        match self {
            Export::Folder { root } => root.join(relative).display().to_string(),
            Export::Zip { path, prefix, .. } => format!("{}/{prefix}{relative}", path.display()),
        }
    }

    /// The conversation folders, sorted.
    fn folders(&self) -> Result<Vec<String>, ChatError> {
        match self {
            Export::Folder { root } => Ok(list_dir(root, true)?
                .into_iter()
                .filter(|name| !is_archiver_folder(name))
                .collect()),
            Export::Zip { folders, .. } => Ok(folders.keys().cloned().collect()),
        }
    }

    /// The names of the files in `folder`, sorted (so days come in order).
    fn files_in(&self, folder: &str) -> Result<Vec<String>, ChatError> {
        match self {
            Export::Folder { root } => list_dir(&root.join(folder), false),
            Export::Zip { folders, .. } => Ok(folders.get(folder).cloned().unwrap_or_default()),
        }
    }

    fn read_top(&mut self, name: &str) -> Result<Option<(String, Vec<u8>)>, ChatError> {
        let display = self.display(None, name);
        match self {
            Export::Folder { root } => {
                let path = root.join(name);
                if !path.is_file() {
                    return Ok(None);
                }
                read_path(&path, display).map(Some)
            }
            Export::Zip {
                archive, entries, ..
            } => match entries.get(name) {
                None => Ok(None),
                Some(&index) => read_entry(archive, index, display).map(Some),
            },
        }
    }

    fn read_in(&mut self, folder: &str, file: &str) -> Result<(String, Vec<u8>), ChatError> {
        let display = self.display(Some(folder), file);
        match self {
            Export::Folder { root } => read_path(&root.join(folder).join(file), display),
            Export::Zip {
                archive, entries, ..
            } => match entries.get(&format!("{folder}/{file}")) {
                Some(&index) => read_entry(archive, index, display),
                None => Err(io_error(display, "cannot read", &"not in the zip")),
            },
        }
    }
}

/// The names in `folder`: its subfolders (`folders`) or its files, sorted. Names that are not
/// UTF-8 cannot be a channel or a day, and are left out.
fn list_dir(folder: &Path, folders: bool) -> Result<Vec<String>, ChatError> {
    let shown = || folder.display().to_string();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|e| io_error(shown(), "cannot list", &e))? {
        let entry = entry.map_err(|e| io_error(shown(), "cannot list", &e))?;
        let is_folder = entry.path().is_dir();
        if is_folder != folders {
            continue;
        }
        if let Ok(name) = entry.file_name().into_string() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

fn read_path(path: &Path, display: String) -> Result<(String, Vec<u8>), ChatError> {
    let file = File::open(path).map_err(|e| io_error(display.clone(), "cannot open", &e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bytes = read_capped(file, size, &display)?;
    Ok((display, bytes))
}

fn read_entry(
    archive: &mut zip::ZipArchive<File>,
    index: usize,
    display: String,
) -> Result<(String, Vec<u8>), ChatError> {
    let entry = archive
        .by_index(index)
        .map_err(|e| io_error(display.clone(), "cannot read from the zip", &e))?;
    let size = entry.size();
    let bytes = read_capped(entry, size, &display)?;
    Ok((display, bytes))
}

/// Reads at most [`MAX_FILE_BYTES`]; the declared size only sizes the buffer, and only up to a
/// point, since a zip may lie about it.
fn read_capped(reader: impl Read, declared_size: u64, display: &str) -> Result<Vec<u8>, ChatError> {
    const MAX_PREALLOCATION: u64 = 64 * 1024 * 1024;
    let capacity = usize::try_from(declared_size.min(MAX_PREALLOCATION)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(display.to_owned(), "cannot read", &e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io_error(
            display.to_owned(),
            "too large",
            &format!(
                "over {} MiB, far more than a day of one channel",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        let mut directory = Directory::default();
        directory.add_user(ChatUser {
            id: "U1".into(),
            name: "ana".into(),
            title: None,
            bot: false,
        });
        directory.channel_names.insert("C1".into(), "ops".into());
        directory
    }

    /// `input` resolved, and its links.
    fn check(input: &str, expected_text: &str, expected_links: &[&str]) {
        let mut links = Vec::new();
        let text = resolve_markup(input, &directory(), &mut links);
        assert_eq!(text, expected_text, "{input}");
        let links: Vec<String> = links.into_iter().map(String::from).collect();
        assert_eq!(links, expected_links, "{input}");
    }

    #[test]
    fn mentions_become_names() {
        check(
            "<@U1> has joined the channel",
            "@ana has joined the channel",
            &[],
        );
        check("<@U9|bob> and <@U9>", "@bob and @U9", &[]);
        check("see <#C1> and <#C2|general>", "see #ops and #general", &[]);
        check(
            "<!here> <!channel> <!subteam^S1|@sre>",
            "@here @channel @sre",
            &[],
        );
        check(
            "<!date^1392734382^{date}|Feb 18, 2014>",
            "Feb 18, 2014",
            &[],
        );
    }

    #[test]
    fn links_keep_their_label_and_url() {
        check(
            "<https://x.example/a?b=1&amp;c=2|the graph> and <https://y.example>",
            "the graph (https://x.example/a?b=1&c=2) and https://y.example",
            &["https://x.example/a?b=1&c=2", "https://y.example/"],
        );
        check(
            "<http://example.com|example.com>",
            "http://example.com",
            &["http://example.com/"],
        );
        check(
            "<mailto:a@b.example|a@b.example>",
            "mailto:a@b.example",
            &[],
        );
    }

    #[test]
    fn entities_are_unescaped_once() {
        check("a &lt;b&gt; &amp;amp; &amp c", "a <b> &amp; &amp c", &[]);
        check("lone < here", "lone < here", &[]);
    }

    #[test]
    fn timestamps_are_exact_to_the_microsecond() {
        let at = parse_ts("1458174810.000002").unwrap();
        assert_eq!(at.timestamp(), 1_458_174_810);
        assert_eq!(at.timestamp_subsec_micros(), 2);
        assert_eq!(
            parse_ts("1458174810.5").unwrap().timestamp_subsec_micros(),
            500_000
        );
        assert_eq!(parse_ts("1458174810").unwrap().timestamp(), 1_458_174_810);
        for bad in [
            "abc",
            "",
            ".5",
            "1.2.3",
            "-1.000000",
            "1458174810.0000001",
            "1e9",
            "99999999999999.1",
        ] {
            assert!(parse_ts(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn day_files_near_the_window_are_read() {
        let window = ChatWindow {
            channel: None,
            from: Some("2016-03-26T23:30:00-08:00".parse().unwrap()),
            to: Some("2016-03-27T01:00:00Z".parse().unwrap()),
        };
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert!(!may_hold_window(&window, day("2016-03-25")));
        assert!(may_hold_window(&window, day("2016-03-26")));
        assert!(may_hold_window(&window, day("2016-03-28")));
        assert!(!may_hold_window(&window, day("2016-03-29")));
        assert!(day_of("2016-03-28.json").is_some());
        assert!(day_of("canvas.json").is_none() && day_of("2016-3-28.json").is_none());
    }

    #[test]
    fn private_file_links_lose_their_token() {
        assert_eq!(
            without_token("https://files.slack.com/files-pri/T1-F1/a.js?t=xoxe-1").as_deref(),
            Some("https://files.slack.com/files-pri/T1-F1/a.js")
        );
        assert_eq!(
            without_token("https://files.slack.com/a.js?t=xoxe-1&v=2").as_deref(),
            Some("https://files.slack.com/a.js?v=2")
        );
    }

    #[test]
    fn rich_text_blocks_read_as_text() {
        let blocks: Value = serde_json::from_str(
            r#"[{"type":"rich_text","elements":[
                {"type":"rich_text_section","elements":[
                    {"type":"text","text":"rolled back "},
                    {"type":"user","user_id":"U1"},
                    {"type":"text","text":" see "},
                    {"type":"link","url":"https://g.example/d","text":"dash"},
                    {"type":"emoji","name":"fire"}]},
                {"type":"rich_text_list","elements":[
                    {"type":"rich_text_section","elements":[{"type":"text","text":"one"}]},
                    {"type":"rich_text_section","elements":[{"type":"channel","channel_id":"C1"}]}]}]},
              {"type":"divider"}, 7, {"type":"section","text":{"type":"mrkdwn","text":"<https://s.example|status>"}}]"#,
        )
        .unwrap();
        let mut links = Vec::new();
        let text = blocks_text(&blocks, &directory(), &mut links);
        assert_eq!(
            text,
            "rolled back @ana see dash (https://g.example/d):fire:\n- one\n- #ops\nstatus (https://s.example)"
        );
        assert_eq!(links.len(), 2);
        assert_eq!(blocks_text(&Value::Null, &directory(), &mut links), "");
    }
}
