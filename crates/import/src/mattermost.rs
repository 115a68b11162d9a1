//! Mattermost bulk exports (JSON Lines: one `{"type": …}` object per line) read into
//! [`ChatMessage`]s one line at a time.
//!
//! Lines of type `team`, `channel`, `direct_channel` and `user` describe the workspace; `post`
//! and `direct_post` lines are messages, with their `replies` nested inside them. Other types
//! (`version`, `emoji`, `scheme`…) are skipped.
//!
//! Decisions:
//! - **One pass over a stream**: memory holds one line (at most [`MAX_LINE_BYTES`]), the users
//!   and the channels, never the posts. A stream cannot be read twice, so a post's author is named
//!   from the `user` lines seen before it (nickname, else first and last name, else user name;
//!   `position` as job title), and else by the user name it gives. Mattermost writes users before
//!   posts, so in practice every author is known.
//! - **Posts are handed over in file order**, which is not time order (exports are not sorted,
//!   and a reply may even be older than its root); sorting is the caller's job.
//! - **Replies** become messages of their own whose `thread` is their root's id; the root's
//!   `thread` is its own id when it has replies.
//! - **Ids** are `mattermost:<team>:<channel>:<create_at>:<user>` (epoch milliseconds as written),
//!   stable across exports of the same server. Direct messages have no team: theirs is `direct`,
//!   and their channel is named by its members, sorted (`harry, ron`).
//! - **A post whose team does not hold its channel** (the channel line says another team) is read
//!   all the same with a warning naming the line: the post is more use than the inconsistency.
//! - **Links** are the bare http(s) links of the message (Markdown links included).
//! - A message is a bot's when its `props` say `from_bot` or `from_webhook`; `override_username`
//!   then names its author.
//! - A channel is chosen in the window by its name, or as `team:channel`.
//! - Errors name the line (counted from 1), the column, and what was expected; a malformed line
//!   stops the read.

use crate::chat::{
    ChatError, ChatMessage, ChatSummary, ChatUser, ChatWindow, Origin, Warnings, add_bare_links,
    json_error,
};
use chrono::DateTime;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read};

/// The longest line the reader accepts (64 MiB): a post with its replies is far smaller.
pub const MAX_LINE_BYTES: u64 = 64 * 1024 * 1024;

/// The team of direct messages, which belong to none.
const DIRECT: &str = "direct";

/// Reads a Mattermost bulk export from `reader` (`file_name` names it in messages and errors),
/// handing each message in `window` to `on_message` and the bytes read so far to `progress`
/// after each line.
pub fn read(
    mut reader: impl BufRead,
    file_name: &str,
    window: &ChatWindow,
    progress: &mut dyn FnMut(u64),
    on_message: &mut dyn FnMut(ChatMessage),
) -> Result<ChatSummary, ChatError> {
    let mut state = MattermostReader {
        file_name,
        window,
        users: Vec::new(),
        user_index: HashMap::new(),
        channel_teams: HashMap::new(),
        channels: Vec::new(),
        channels_seen: HashSet::new(),
        messages: 0,
        warnings: Warnings::default(),
        on_message,
    };
    let mut line = Vec::new();
    let mut line_number = 0u64;
    let mut bytes = 0u64;
    loop {
        line.clear();
        line_number += 1;
        let read = (&mut reader)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| state.error(line_number, format!("cannot read: {e}")))?;
        if read == 0 {
            break;
        }
        if read as u64 > MAX_LINE_BYTES {
            return Err(state.error(
                line_number,
                format!(
                    "longer than {} MiB; expected one JSON object per line",
                    MAX_LINE_BYTES / 1024 / 1024
                ),
            ));
        }
        bytes += read as u64;
        let mut json = line.as_slice();
        if line_number == 1 {
            json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
        }
        if !json.iter().all(u8::is_ascii_whitespace) {
            let parsed: RawLine = serde_json::from_slice(json)
                .map_err(|e| json_error(file_name, Some(line_number), &e))?;
            state.line(parsed, line_number)?;
        }
        progress(bytes);
    }
    Ok(ChatSummary {
        users: state.users,
        channels: state.channels,
        messages: state.messages,
        bytes,
        warnings: state.warnings.into_vec(),
    })
}

struct MattermostReader<'a> {
    file_name: &'a str,
    window: &'a ChatWindow,
    users: Vec<ChatUser>,
    user_index: HashMap<String, usize>,
    /// Each channel name → the teams that have a channel of that name (names are unique within
    /// a team only).
    channel_teams: HashMap<String, Vec<String>>,
    channels: Vec<String>,
    channels_seen: HashSet<String>,
    messages: u64,
    warnings: Warnings,
    on_message: &'a mut dyn FnMut(ChatMessage),
}

/// Where a post was written.
struct Place {
    team: String,
    channel: String,
}

impl MattermostReader<'_> {
    fn error(&self, line: u64, message: String) -> ChatError {
        ChatError {
            origin: self.origin(line),
            message,
        }
    }

    fn origin(&self, line: u64) -> Origin {
        Origin {
            file: self.file_name.to_owned(),
            line: Some(line),
            offset: None,
        }
    }

    fn add_channel(&mut self, name: &str) {
        if self.channels_seen.insert(name.to_owned()) {
            self.channels.push(name.to_owned());
        }
    }

    fn line(&mut self, line: RawLine, number: u64) -> Result<(), ChatError> {
        let missing = |this: &Self| {
            this.error(
                number,
                format!("a `{0}` line without its `{0}` object", line.kind),
            )
        };
        match line.kind.as_str() {
            "channel" => {
                let channel = line.channel.ok_or_else(|| missing(self))?;
                self.add_channel(&channel.name);
                self.channel_teams
                    .entry(channel.name)
                    .or_default()
                    .push(channel.team);
            }
            "direct_channel" => {
                let channel = line.direct_channel.ok_or_else(|| missing(self))?;
                self.add_channel(&direct_channel_name(&channel.members));
            }
            "user" => {
                let user = line.user.ok_or_else(|| missing(self))?;
                self.add_user(user);
            }
            "post" => {
                let post = line.post.ok_or_else(|| missing(self))?;
                self.post(post, number)?;
            }
            "direct_post" => {
                let post = line.direct_post.ok_or_else(|| missing(self))?;
                self.direct_post(post, number)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn add_user(&mut self, user: RawUser) {
        let full_name = format!(
            "{} {}",
            user.first_name.as_deref().unwrap_or_default().trim(),
            user.last_name.as_deref().unwrap_or_default().trim()
        );
        let name = [user.nickname.as_deref(), Some(full_name.trim())]
            .into_iter()
            .flatten()
            .find(|name| !name.trim().is_empty())
            .unwrap_or(&user.username)
            .trim()
            .to_owned();
        let user = ChatUser {
            title: user.position.filter(|p| !p.trim().is_empty()),
            id: user.username,
            name,
            bot: false,
        };
        match self.user_index.get(&user.id) {
            Some(&index) => self.users[index] = user,
            None => {
                self.user_index.insert(user.id.clone(), self.users.len());
                self.users.push(user);
            }
        }
    }

    fn post(&mut self, post: RawPost, number: u64) -> Result<(), ChatError> {
        let Some(channel) = post.channel.clone().filter(|c| !c.is_empty()) else {
            return Err(self.error(number, "a post without its `channel`".to_owned()));
        };
        let team = post.team.clone().unwrap_or_default();
        match self.channel_teams.get(&channel) {
            None => self.warnings.push(format!(
                "{}, line {number}: channel `{channel}` has no `channel` line; read as a channel of team `{team}`",
                self.file_name
            )),
            Some(teams) if !teams.contains(&team) => self.warnings.push(format!(
                "{}, line {number}: the post names team `{team}`, but channel `{channel}` belongs to team `{}`; read as written",
                self.file_name,
                teams.join("`, `")
            )),
            Some(_) => {}
        }
        self.add_channel(&channel);
        self.emit_thread(&Place { team, channel }, post, number)
    }

    fn direct_post(&mut self, post: RawPost, number: u64) -> Result<(), ChatError> {
        let Some(members) = post.channel_members.as_deref().filter(|m| !m.is_empty()) else {
            return Err(self.error(
                number,
                "a direct post without its `channel_members`".to_owned(),
            ));
        };
        let place = Place {
            team: DIRECT.to_owned(),
            channel: direct_channel_name(members),
        };
        self.add_channel(&place.channel);
        self.emit_thread(&place, post, number)
    }

    /// Hands over a root post and its replies.
    fn emit_thread(
        &mut self,
        place: &Place,
        mut root: RawPost,
        number: u64,
    ) -> Result<(), ChatError> {
        let replies = root.replies.take().unwrap_or_default();
        let thread = (!replies.is_empty()).then(|| message_id(place, &root));
        self.emit(place, root, thread.clone(), number)?;
        for reply in replies {
            self.emit(place, reply, thread.clone(), number)?;
        }
        Ok(())
    }

    fn emit(
        &mut self,
        place: &Place,
        post: RawPost,
        thread: Option<String>,
        number: u64,
    ) -> Result<(), ChatError> {
        let at = DateTime::from_timestamp_millis(post.create_at)
            .and_then(|at| hindsight_core::timeline::check_instant(at).ok())
            .ok_or_else(|| {
                self.error(
                    number,
                    format!(
                        "`create_at` {} is not a time: expected milliseconds since 1970, between the years 1900 and 9999",
                        post.create_at
                    ),
                )
            })?;
        let qualified = format!("{}:{}", place.team, place.channel);
        if !self.window.contains(&place.channel, Some(&qualified), at) {
            return Ok(());
        }
        let prop_is_true = |key: &str| {
            post.props
                .as_ref()
                .is_some_and(|props| props[key] == Value::Bool(true) || props[key] == "true")
        };
        let bot = prop_is_true("from_bot") || prop_is_true("from_webhook");
        let override_name = post
            .props
            .as_ref()
            .and_then(|props| props["override_username"].as_str())
            .filter(|name| bot && !name.trim().is_empty());
        let author = override_name.map(str::to_owned).or_else(|| {
            let username = post.user.as_deref().filter(|u| !u.is_empty())?;
            let known = self
                .user_index
                .get(username)
                .and_then(|&i| self.users.get(i));
            Some(known.map_or(username, |user| user.name.as_str()).to_owned())
        });
        let mut reactions: Vec<String> = Vec::new();
        for reaction in post.reactions.iter().flatten() {
            if let Some(name) = reaction.emoji_name.as_ref().filter(|n| !n.is_empty())
                && !reactions.contains(name)
            {
                reactions.push(name.clone());
            }
        }
        let id = message_id(place, &post);
        let text = post.message.unwrap_or_default();
        let mut links = Vec::new();
        add_bare_links(&mut links, &text);
        let origin = self.origin(number);
        self.messages += 1;
        (self.on_message)(ChatMessage {
            id,
            channel: place.channel.clone(),
            at,
            author_id: post.user.filter(|user| !user.is_empty()),
            author,
            bot,
            text,
            subtype: post.kind.filter(|kind| !kind.is_empty()),
            thread,
            pinned: post.is_pinned.unwrap_or(false),
            reactions,
            edited: post.edit_at.is_some_and(|edit_at| edit_at > 0),
            links,
            origin,
        });
        Ok(())
    }
}

fn message_id(place: &Place, post: &RawPost) -> String {
    format!(
        "mattermost:{}:{}:{}:{}",
        place.team,
        place.channel,
        post.create_at,
        post.user.as_deref().unwrap_or_default()
    )
}

/// A direct or group message channel, named by its members, sorted.
fn direct_channel_name(members: &[String]) -> String {
    let mut members: Vec<&str> = members.iter().map(String::as_str).collect();
    members.sort_unstable();
    members.dedup();
    members.join(", ")
}

/// One line: its type, and the object of that type. Only the types read are declared; serde
/// skips the others' objects.
#[derive(Debug, Deserialize)]
struct RawLine {
    #[serde(rename = "type")]
    kind: String,
    channel: Option<RawChannel>,
    direct_channel: Option<RawDirectChannel>,
    user: Option<RawUser>,
    post: Option<RawPost>,
    direct_post: Option<RawPost>,
}

#[derive(Debug, Deserialize)]
struct RawChannel {
    team: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct RawDirectChannel {
    members: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawUser {
    username: String,
    nickname: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    position: Option<String>,
}

/// A post, a direct post or a reply: one shape with the fields each may have, so that serde
/// reads them without buffering and its errors keep their column.
#[derive(Debug, Deserialize)]
struct RawPost {
    /// Posts only.
    team: Option<String>,
    /// Posts only.
    channel: Option<String>,
    /// Direct posts only.
    channel_members: Option<Vec<String>>,
    user: Option<String>,
    message: Option<String>,
    create_at: i64,
    edit_at: Option<i64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    props: Option<Value>,
    reactions: Option<Vec<RawReaction>>,
    is_pinned: Option<bool>,
    /// Posts and direct posts only; a reply's own replies are ignored.
    replies: Option<Vec<RawPost>>,
}

#[derive(Debug, Deserialize)]
struct RawReaction {
    emoji_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_direct_channel_is_named_by_its_members_in_order() {
        let members = ["ron", "harry", "ron"].map(str::to_owned);
        assert_eq!(direct_channel_name(&members), "harry, ron");
    }
}
