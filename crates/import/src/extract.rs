//! From chat messages to proposals, explainably and without a model service: which messages are
//! key events (and of what kind), which links are their evidence, who took part, and which
//! to-dos were said. Every proposal carries the reason it was made, in words the scribe can
//! check against the message.
//!
//! The rules, in order:
//! - A message pinned in the channel, or marked with one of the key emoji (📌 `pushpin` by
//!   default), is a key event.
//! - A message that says what happened (a phrase such as "rolled back", "paging", "status
//!   page", "all clear") is a key event of that kind. Questions ("did anyone page db?") and
//!   channel joins are not, unless pinned or marked.
//! - Evidence: every http(s) link of a key event's message.
//! - Participants: everyone who wrote a message (not bots, not joins), with the name and job
//!   title of the export's user list.
//! - To-dos: a message that says "TODO", "action item", "we should", "follow up", "let's make
//!   sure" and the like becomes a draft action item, the message as its source.

use crate::chat::{ChatMessage, ChatUser};
use aho_corasick::AhoCorasick;
use hindsight_core::{
    EventKind, EventSource, NewActionItem, NewTimelineEvent, Person, Severity,
    proposal::{NewProposal, Suggestion},
    text,
};
use std::{collections::BTreeMap, sync::LazyLock};
use url::Url;

/// What the scribe's team configured for extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionRules {
    /// Reactions that mark a key event.
    pub key_emoji: Vec<String>,
    /// Where a message can be opened, e.g. `https://acme.slack.com/archives/`: the channel id
    /// and `p` + the timestamp are appended, and the link becomes the first evidence.
    pub permalink_base: Option<Url>,
}

impl Default for ExtractionRules {
    fn default() -> Self {
        ExtractionRules {
            key_emoji: ["pushpin", "round_pushpin", "star", "bookmark", "key"]
                .map(str::to_owned)
                .to_vec(),
            permalink_base: None,
        }
    }
}

/// Phrases that say what kind of event a message reports, most specific kinds first. They are
/// reports of what happened: intentions, requests and hypotheses are filtered out before.
const KIND_PHRASES: &[(EventKind, &[&str])] = &[
    (
        EventKind::Resolved,
        &[
            "incident closed",
            "closing out",
            "we're resolved",
            "declaring resolved",
            "all green",
            "resolved",
            "resolving",
            "all clear",
            "closing the incident",
            "closing this incident",
            "incident is over",
            "fully recovered",
            "marking as resolved",
        ],
    ),
    (
        EventKind::Mitigated,
        &[
            "caught up",
            "backlog cleared",
            "backlog is cleared",
            "lag is back",
            "under control",
            "working again",
            "fix is working",
            "is back up",
            "are back up",
            "mitigated",
            "back to normal",
            "back to baseline",
            "error rate is back",
            "errors have stopped",
            "impact has stopped",
            "recovered",
            "stabilized",
            "stabilised",
            "is healthy again",
            "are healthy again",
            "serving correct",
        ],
    ),
    (
        EventKind::StatusPageUpdated,
        &[
            "status page:",
            "statuspage:",
            "published to the status page",
            "published on the status page",
            "status page is live",
            "updated the status page",
            "status page updated",
            "status page is updated",
            "posted an update",
            "posted the update",
            "posted to the status page",
            "posted on the status page",
            "status page post is up",
        ],
    ),
    (
        EventKind::SeverityChanged,
        &[
            "raising to severity",
            "upgrading to severity",
            "downgrading to severity",
            "now severity",
            "moving to sev",
            "moving to severity",
            "lowering severity",
            "raising severity",
            "raised severity",
            "lowered severity",
            "raising to sev",
            "raised to sev",
            "upgrading to sev",
            "upgraded to sev",
            "downgrading to sev",
            "downgraded to sev",
            "bumping to sev",
            "bumped to sev",
            "now a sev",
            "escalating to sev",
            "lowering to sev",
            "lowered to sev",
        ],
    ),
    (
        EventKind::Declared,
        &[
            "major incident declared",
            "declaring a major incident",
            "incident declared",
            "raising an incident",
            "opening a sev",
            "declaring",
            "declared an incident",
            "declaring an incident",
            "opening an incident",
            "i am incident commander",
            "i'm incident commander",
            "i'm ic",
            "i am ic",
            "taking ic",
        ],
    ),
    (
        EventKind::Acknowledged,
        &[
            "acking",
            "ack'ing",
            "acknowledging",
            "i have it",
            "i've got it",
            "taking this one",
            "acked",
            "acknowledged",
            "ack'd",
            "ack",
            "i'm on it",
            "on it now",
            "looking into it",
            "i'm looking",
        ],
    ),
    (
        EventKind::Paged,
        &[
            "paged out",
            "page out",
            "paging in",
            "paged",
            "paging",
            "escalated to",
            "escalating to",
            "pulled in",
            "calling in",
        ],
    ),
    (
        EventKind::Detected,
        &[
            "triggered:",
            "[triggered]",
            "[alerting]",
            "alert:",
            "monitor triggered",
            "alert created",
            "[critical]",
            "went down",
            "cannot log in",
            "can't log in",
            "customers calling",
            "calls from customers",
            "users can't",
            "users cannot",
            "customers can't",
            "customers cannot",
            "alert fired",
            "alerts fired",
            "alert firing",
            "alerts firing",
            "is firing",
            "are firing",
            "[firing",
            "firing:",
            "we're seeing",
            "we are seeing",
            "seeing errors",
            "seeing a spike",
            "spike in",
            "customers report",
            "customers are reporting",
            "reports of",
            "tickets in the last",
            "error rate is up",
            "latency is up",
        ],
    ),
    (
        EventKind::RootCauseBegan,
        &[
            "root cause",
            "found it",
            "went to prod",
            "went out at",
            "was introduced",
        ],
    ),
    (
        EventKind::Action,
        &[
            "kubectl",
            "helm rollback",
            "helm upgrade",
            "sync succeeded",
            "synced",
            "deployment succeeded",
            "deploy succeeded",
            "rolled out",
            "restart complete",
            "scaled to",
            "flipped the flag",
            "flipped the switch",
            "kill switch",
            "toggled",
            "applied the fix",
            "reissued",
            "renewed",
            "deployed",
            "deploy started",
            "deploy finished",
            "rolled back",
            "rollback started",
            "rollback complete",
            "rollback completed",
            "reverted",
            "restarted",
            "failed over",
            "failover complete",
            "scaled up",
            "scaled out",
            "flushed",
            "disabled",
            "enabled",
            "hotfix",
            "drained",
            "voided",
            "purged",
            "blocked",
            "replay started",
            "reindex started",
            "swapped",
            "cordoned",
        ],
    ),
    (
        EventKind::Communication,
        &[
            "sent to customers",
            "customer email sent",
            "informed",
            "briefed",
            "emailed",
            "sent the email",
            "sent a summary",
            "sent an update",
            "told customers",
            "notified",
            "macro sent",
            "macro updated",
            "support macro",
        ],
    ),
    (
        EventKind::Note,
        &[
            "strong lead",
            "decision:",
            "ruled out",
            "rollback stalled",
            "found something",
        ],
    ),
];

/// Words that make a message an intention, a request or a hypothesis rather than a report of
/// something that happened: "I'll update the status page", "roll back now please", "next time we
/// page earlier", "if it recovers".
const NOT_A_REPORT: &[&str] = &[
    "i'll",
    "i will",
    "we'll",
    "we will",
    "will",
    "going to",
    "gonna",
    "about to",
    "next time",
    "we should",
    "should",
    "let's",
    "lets",
    "please",
    "pls",
    "if",
    "once",
    "could",
    "would",
    "remember when",
    "fun fact",
    "planning to",
    "want to",
    "need to",
    "supposed to",
];

/// Words that negate the phrase after them: "nothing paged me", "not resolved yet".
const NEGATIONS: &[&str] = &[
    "not", "no", "nothing", "never", "didn't", "wasn't", "isn't", "hasn't", "haven't", "nobody",
    "no one", "without",
];

const TODO_PHRASES: &[&str] = &[
    "todo",
    "to-do",
    "to do:",
    "action item",
    "ai:",
    "we should",
    "follow up on",
    "follow up with",
    "follow-up:",
    "follow-up item",
    "followup:",
    "let's make sure",
    "lets make sure",
    "let us make sure",
    "we need to",
    "we need a",
    "we need an",
    "need a ticket",
    "file a ticket",
    "open a ticket",
    "next time we",
    "post-mortem item",
    "postmortem item",
    "action:",
    "action -",
    "ai -",
    "follow-up ticket",
    "needs a ticket",
    "raise a ticket",
    "create a ticket",
    "we must",
    "going forward",
    "in future",
    "in the future",
    "add an alert",
    "add a check",
    "add monitoring",
    "make sure we",
    "have to make sure",
];

/// Phrases that look like a to-do but are not one: an expectation ("we should be good now"),
/// a list ("the todo list"), a question about the present ("should I restart it?").
const NOT_A_TODO: &[&str] = &[
    "we should be",
    "we should see",
    "we should get",
    "todo list",
    "to-do list",
    "should i",
    "follow-up tickets",
];

/// Lower-case words joined by single spaces, without the emphasis of chat markup (`*SEV-1*`),
/// punctuation kept where a phrase needs it (`firing:`), so phrases match on word boundaries.
fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['’', '‘'], "'")
        .replace(['*', '_', '~'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `phrase`, found at `at` in `text`, is a report: not inside quotes, not negated just
/// before, and not "resolved to" in the sense of deciding.
fn reports(text: &str, phrase: &str, at: usize) -> bool {
    let before = &text[..at];
    let after = &text[at + phrase.len()..];
    let quoted = matches!(before.chars().next_back(), Some('\'' | '"' | '`' | '“'));
    let negated = before.split_whitespace().rev().take(2).any(|word| {
        NEGATIONS.contains(&word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
    });
    let decided = phrase == "resolved" && after.starts_with(" to ");
    !quoted && !negated && !decided
}

/// A list of phrases found in one pass over a text: extraction reads every message of an
/// export, so it cannot afford a scan per phrase.
struct PhraseSet {
    phrases: Vec<&'static str>,
    automaton: Option<AhoCorasick>,
}

impl PhraseSet {
    fn new(phrases: Vec<&'static str>) -> Self {
        PhraseSet {
            automaton: AhoCorasick::new(&phrases).ok(),
            phrases,
        }
    }

    /// Every (phrase index, byte offset) where a phrase occurs at word boundaries.
    fn matches<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, usize)> + 't {
        self.automaton
            .iter()
            .flat_map(move |automaton| automaton.find_overlapping_iter(text))
            .filter(move |m| bounded(text, m.start(), m.end()))
            .map(|m| (m.pattern().as_usize(), m.start()))
    }

    /// Whether any phrase occurs in `text` at word boundaries.
    fn any(&self, text: &str) -> bool {
        self.matches(text).next().is_some()
    }

    /// The phrase with the smallest index found in `text`, if any.
    fn first(&self, text: &str) -> Option<&'static str> {
        self.matches(text)
            .map(|(i, _)| i)
            .min()
            .map(|i| self.phrases[i])
    }
}

/// Whether `text[start..end]` stands on word boundaries: a phrase that begins (or ends) with a
/// letter or digit must not be glued to another one.
fn bounded(text: &str, start: usize, end: usize) -> bool {
    let is_word = |c: char| c.is_alphanumeric();
    let phrase = &text[start..end];
    let starts_word = phrase.chars().next().is_some_and(is_word);
    let ends_word = phrase.chars().next_back().is_some_and(is_word);
    (!starts_word || !text[..start].chars().next_back().is_some_and(is_word))
        && (!ends_word || !text[end..].chars().next().is_some_and(is_word))
}

/// The phrases of [`KIND_PHRASES`] in one set, with the kind of each, most specific first.
static KINDS: LazyLock<(PhraseSet, Vec<EventKind>)> = LazyLock::new(|| {
    let (kinds, phrases): (Vec<EventKind>, Vec<&'static str>) = KIND_PHRASES
        .iter()
        .flat_map(|(kind, phrases)| phrases.iter().map(move |p| (*kind, *p)))
        .unzip();
    (PhraseSet::new(phrases), kinds)
});
static NOT_REPORTS: LazyLock<PhraseSet> = LazyLock::new(|| PhraseSet::new(NOT_A_REPORT.to_vec()));
static TODOS: LazyLock<PhraseSet> = LazyLock::new(|| PhraseSet::new(TODO_PHRASES.to_vec()));
static NOT_TODOS: LazyLock<PhraseSet> = LazyLock::new(|| PhraseSet::new(NOT_A_TODO.to_vec()));

/// Whether `phrase` occurs in `text` at word boundaries.
fn says(text: &str, phrase: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric();
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        let starts_word = phrase.chars().next().is_some_and(is_word);
        let ends_word = phrase.chars().next_back().is_some_and(is_word);
        (!starts_word || !before.is_some_and(is_word))
            && (!ends_word || !after.is_some_and(is_word))
    })
}

/// Every `SEV-n` (or `severity n`) a text names, in order.
fn severities_in(text: &str) -> Vec<Severity> {
    let lower = text.to_lowercase();
    lower
        .match_indices("sev")
        .filter_map(|(at, _)| level_at(&lower[at + 3..]))
        .collect()
}

/// The level at the start of what follows "sev": `-1`, ` 2`, `erity 3`.
fn level_at(rest: &str) -> Option<Severity> {
    rest.trim_start_matches("erity")
        .trim_start_matches(['-', ' ', '_', '*'])
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .and_then(|d| Severity::from_level(d as u8).ok())
}

/// The severity a message moves to or declares, given the phrase that said so: "raising to
/// SEV-1" names it right after the phrase; otherwise the last level named after the phrase
/// ("downgraded SEV-1 → SEV-3", "declaring, it was sev 4 … this is SEV-2"), else the last one.
fn severity_for(text: &str, phrase: &str) -> Option<Severity> {
    let lower = text.to_lowercase();
    let after = lower.find(phrase).map(|at| &lower[at + phrase.len()..]);
    if let Some(after) = after
        && (phrase.ends_with("sev") || phrase.ends_with("severity"))
        && let Some(level) = level_at(after.trim_start_matches("erity"))
    {
        return Some(level);
    }
    after
        .and_then(|after| severities_in(after).pop())
        .or_else(|| severities_in(&lower).pop())
}

/// The kind of event a message reports, and the phrase that says so; none for an intention, a
/// request or a hypothesis.
fn kind_of(text: &str) -> Option<(EventKind, &'static str)> {
    let (phrases, kinds) = &*KINDS;
    phrases
        .matches(text)
        .filter(|(i, at)| {
            // An intention, a request or a question vetoes the phrase in its own clause only:
            // "rolled back; errors should drop" still reports a rollback.
            let clause = clause_at(text, *at);
            !is_question(clause)
                && !NOT_REPORTS.any(clause)
                && reports(text, phrases.phrases[*i], *at)
        })
        .map(|(i, _)| i)
        .min()
        .map(|i| (kinds[i], phrases.phrases[i]))
}

/// The clause of `text` around byte `at`: up to the sentence punctuation, semicolon, dash or
/// "but" on either side. A clause keeps its closing `?`, so a question can be told.
fn clause_at(text: &str, at: usize) -> &str {
    const ENDS: &[&str] = &[". ", "; ", "! ", "? ", "\n", " — ", " - ", " but "];
    let start = ENDS
        .iter()
        .filter_map(|end| text[..at].rfind(end).map(|i| i + end.len()))
        .max()
        .unwrap_or(0);
    let stop = ENDS
        .iter()
        .filter_map(|end| {
            text[at..]
                .find(end)
                .map(|i| at + i + if end.starts_with('?') { 1 } else { 0 })
        })
        .min()
        .unwrap_or(text.len());
    &text[start..stop]
}

/// Whether a message is about the post-mortem itself (its draft, its meeting) rather than the
/// incident: pinned links to the draft are not events of the incident.
fn about_the_postmortem(text: &str) -> bool {
    ["post-mortem", "postmortem", "pm draft", "pm doc"]
        .iter()
        .any(|p| says(text, p))
}

/// Messages people write: not joins, leaves, topic changes or deleted-thread placeholders.
fn is_conversation(message: &ChatMessage) -> bool {
    match message.subtype.as_deref() {
        None => true,
        Some(subtype) => matches!(
            subtype,
            "file_share"
                | "thread_broadcast"
                | "me_message"
                | "bot_message"
                | "file_comment"
                | "reply_broadcast"
        ),
    }
}

fn is_question(text: &str) -> bool {
    text.trim_end().ends_with('?')
}

/// Everything `messages` suggest, in message order; participants last.
pub fn propose(
    messages: &[ChatMessage],
    users: &[ChatUser],
    rules: &ExtractionRules,
) -> Vec<NewProposal> {
    let users: BTreeMap<&str, &ChatUser> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut proposals = Vec::new();
    let mut participants: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut detected = false;
    for message in messages.iter().filter(|m| is_conversation(m)) {
        let text = normalise(&message.text);
        let user = message.author_id.as_deref().and_then(|id| users.get(id));
        let author = user
            .map(|u| u.name.clone())
            .or_else(|| message.author.clone());
        if !message.bot
            && !user.is_some_and(|u| u.bot)
            && let Some(name) = &author
        {
            participants
                .entry(name.clone())
                .or_insert_with(|| user.and_then(|u| u.title.clone()));
        }
        if let Some(proposal) = key_event(message, &text, author.as_deref(), rules, &mut detected) {
            proposals.push(proposal);
        }
        if let Some(proposal) = todo(message, &text, author.as_deref()) {
            proposals.push(proposal);
        }
    }
    for (name, title) in participants {
        let Ok(person) = Person::new(&name, title.as_deref()) else {
            continue;
        };
        proposals.push(NewProposal {
            source_id: format!("participant:{}", name.to_lowercase()),
            reason: "wrote in the channel".to_owned(),
            quote: None,
            suggestion: Suggestion::Participant { person },
        });
    }
    proposals
}

fn key_event(
    message: &ChatMessage,
    text: &str,
    author: Option<&str>,
    rules: &ExtractionRules,
    detected: &mut bool,
) -> Option<NewProposal> {
    let marked = message
        .reactions
        .iter()
        .find(|r| rules.key_emoji.iter().any(|k| k == *r));
    let bot_name = author.unwrap_or_default().to_lowercase();
    let said = if message.bot && bot_name.contains("status") {
        // A status-page integration posting is the status page being updated.
        Some((EventKind::StatusPageUpdated, "posted by the status page"))
    } else {
        match kind_of(text) {
            // An alert clearing is not the incident's mitigation or resolution: people call
            // those. Only the first alert is the detection; later ones are the same incident.
            Some((EventKind::Resolved | EventKind::Mitigated, _)) if message.bot => None,
            Some((EventKind::Detected, _)) if *detected => None,
            other => other,
        }
    };
    if message.pinned && about_the_postmortem(text) && said.is_none() {
        return None;
    }
    let reason = match (message.pinned, marked, said) {
        (true, _, _) => "pinned in the channel".to_owned(),
        (_, Some(emoji), _) => format!("marked with :{emoji}:"),
        (_, _, Some((_, phrase))) => format!("says “{phrase}”"),
        _ => return None,
    };
    let mut kind = said.map_or(EventKind::Note, |(kind, _)| kind);
    if kind == EventKind::Detected {
        *detected = true;
    }
    let mut severity = None;
    if kind.takes_severity() {
        severity = said.and_then(|(_, phrase)| severity_for(text, phrase));
        if kind == EventKind::SeverityChanged && severity.is_none() {
            kind = EventKind::Note;
        }
    }
    let body = text::required("text", &message.text, text::LONG).ok()?;
    let mut event =
        NewTimelineEvent::from_parts(message.at, kind, &body, EventSource::Chat, severity)
            .ok()?
            .with_author(author)
            .ok()?
            .key_point(message.pinned || marked.is_some());
    for url in permalink(message, rules)
        .into_iter()
        .chain(message.links.iter().cloned())
    {
        if let Ok(with) = event.clone().with_evidence(url) {
            event = with;
        }
    }
    Some(NewProposal {
        source_id: message.id.clone(),
        reason,
        quote: Some(message.text.clone()),
        suggestion: Suggestion::Event { event },
    })
}

/// The link that opens `message` in the chat, when the rules know where the chat lives and the
/// id has the Slack shape `slack:<channel id>:<ts>`.
fn permalink(message: &ChatMessage, rules: &ExtractionRules) -> Option<Url> {
    let base = rules.permalink_base.as_ref()?;
    let mut parts = message.id.splitn(3, ':');
    let (Some("slack"), Some(channel), Some(ts)) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    // `join` replaces the last segment of a base without a trailing slash: keep it.
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    base.join(&format!("{channel}/p{}", ts.replace('.', "")))
        .ok()
}

fn todo(message: &ChatMessage, text: &str, author: Option<&str>) -> Option<NewProposal> {
    if NOT_TODOS.any(text) {
        return None;
    }
    // A question is a to-do only when it asks someone to do something.
    if is_question(text)
        && ![
            "can someone",
            "could someone",
            "can we",
            "could we",
            "can you",
            "could you",
        ]
        .iter()
        .any(|p| says(text, p))
    {
        return None;
    }
    let phrase = TODOS.first(text)?;
    let title = todo_title(&message.text);
    let mut item = NewActionItem::new(&title).ok()?;
    let said_by = author.map(|a| format!(" by {a}")).unwrap_or_default();
    item.description = format!(
        "Said{said_by} in #{} at {}:\n\n> {}",
        message.channel,
        message.at.format("%Y-%m-%d %H:%M UTC"),
        message.text.trim().replace('\n', "\n> ")
    );
    Some(NewProposal {
        source_id: format!("todo:{}", message.id),
        reason: format!("says “{phrase}”"),
        quote: Some(message.text.clone()),
        suggestion: Suggestion::Action { item },
    })
}

/// A one-line title for a to-do: the message without its "TODO:" marker, cut at a word within
/// the length a title may have.
fn todo_title(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = [
        "TODO:",
        "TODO",
        "todo:",
        "Todo:",
        "AI:",
        "Action item:",
        "action item:",
    ]
    .iter()
    .find_map(|marker| line.strip_prefix(marker))
    .unwrap_or(&line)
    .trim();
    let max = 120;
    if trimmed.chars().count() <= max {
        return trimmed.to_owned();
    }
    let cut: String = trimmed.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(space) => format!("{}…", &cut[..space]),
        None => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Origin;
    use chrono::{TimeZone, Utc};

    fn message(id: &str, text: &str) -> ChatMessage {
        ChatMessage {
            id: format!("slack:C1:{id}"),
            channel: "inc-42".into(),
            at: Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
            author_id: Some("U1".into()),
            author: Some("ana".into()),
            bot: false,
            text: text.into(),
            subtype: None,
            thread: None,
            pinned: false,
            reactions: vec![],
            edited: false,
            links: vec![],
            origin: Origin::default(),
        }
    }

    fn users() -> Vec<ChatUser> {
        vec![ChatUser {
            id: "U1".into(),
            name: "Ana Lima".into(),
            title: Some("SRE".into()),
            bot: false,
        }]
    }

    /// The proposals of one message, as `kind reason` lines.
    fn check(message: ChatMessage, expected: &[&str]) {
        let actual: Vec<String> = propose(&[message], &users(), &ExtractionRules::default())
            .into_iter()
            .filter(|p| !matches!(p.suggestion, Suggestion::Participant { .. }))
            .map(|p| match &p.suggestion {
                Suggestion::Event { event } => format!("{} {}", event.kind(), p.reason),
                Suggestion::Action { item } => format!("todo “{}” {}", item.title, p.reason),
                Suggestion::Participant { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn a_rollback_is_an_action_with_the_phrase_as_reason() {
        check(
            message("1", "Rolled back the deploy to v41, watching graphs"),
            &["action says “rolled back”"],
        );
    }

    #[test]
    fn words_match_whole_not_inside_other_words() {
        check(message("1", "the unresolved tickets queue"), &[]);
        check(
            message("1", "Everything is resolved now."),
            &["resolved says “resolved”"],
        );
    }

    #[test]
    fn questions_are_not_events_unless_pinned() {
        check(message("1", "did anyone page the db team?"), &[]);
        let mut pinned = message("1", "did anyone page the db team?");
        pinned.pinned = true;
        check(pinned, &["note pinned in the channel"]);
    }

    #[test]
    fn a_key_emoji_marks_a_key_event() {
        let mut marked = message("1", "customers can check out again");
        marked.reactions = vec!["pushpin".into()];
        check(marked, &["note marked with :pushpin:"]);
    }

    #[test]
    fn a_severity_change_carries_the_severity_it_names() {
        let proposals = propose(
            &[message("1", "Raising to SEV-1, payments are failing too")],
            &users(),
            &ExtractionRules::default(),
        );
        let Suggestion::Event { event } = &proposals[0].suggestion else {
            panic!()
        };
        assert_eq!(event.kind(), EventKind::SeverityChanged);
        assert_eq!(event.severity(), Severity::from_level(1).ok());
    }

    #[test]
    fn an_intention_only_vetoes_its_own_clause() {
        check(
            message("1", "Rolled back to v41; errors should drop in a minute"),
            &["action says “rolled back”"],
        );
        check(
            message("1", "I'll update the status page once the PSP confirms"),
            &[],
        );
        check(message("1", "all green now? looks like it"), &[]);
    }

    #[test]
    fn the_severity_is_the_one_moved_to_not_the_first_named() {
        let severity = |text: &str| {
            let proposals = propose(&[message("1", text)], &users(), &ExtractionRules::default());
            match &proposals.first().map(|p| &p.suggestion) {
                Some(Suggestion::Event { event }) => event.severity().map(|s| s.to_string()),
                _ => None,
            }
        };
        assert_eq!(
            severity("this was a SEV-3, raising to SEV-1 now").as_deref(),
            Some("SEV-1")
        );
        assert_eq!(
            severity("declaring an incident, it was sev 4 at first, this is SEV-2").as_deref(),
            Some("SEV-2")
        );
        assert_eq!(
            severity("Downgrading to severity 3 after the fix").as_deref(),
            Some("SEV-3")
        );
    }

    #[test]
    fn todos_become_draft_actions_with_the_message_as_source() {
        check(
            message("1", "TODO: add an alert on pool saturation"),
            &["todo “add an alert on pool saturation” says “todo”"],
        );
        check(
            message("1", "we should make the config linter check ranges"),
            &["todo “we should make the config linter check ranges” says “we should”"],
        );
    }

    #[test]
    fn participants_are_the_people_who_wrote_with_their_titles() {
        let mut bot = message("2", "[FIRING:1] HighErrorRate");
        bot.bot = true;
        bot.author_id = None;
        bot.author = Some("alertmanager".into());
        let mut join = message("3", "joined");
        join.subtype = Some("channel_join".into());
        join.author_id = Some("U9".into());
        join.author = Some("lurker".into());
        let proposals = propose(
            &[message("1", "hello"), bot, join],
            &users(),
            &ExtractionRules::default(),
        );
        let people: Vec<String> = proposals
            .iter()
            .filter_map(|p| match &p.suggestion {
                Suggestion::Participant { person } => Some(person.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(people, ["Ana Lima, SRE"]);
    }

    #[test]
    fn a_permalink_becomes_the_first_evidence() {
        let rules = ExtractionRules {
            permalink_base: Url::parse("https://acme.slack.com/archives/").ok(),
            ..ExtractionRules::default()
        };
        let mut m = message("1458174810.000002", "rolled back");
        m.links = vec![Url::parse("https://grafana.example.com/d/x").unwrap()];
        let proposals = propose(&[m], &users(), &rules);
        let Suggestion::Event { event } = &proposals[0].suggestion else {
            panic!()
        };
        let links: Vec<&str> = event.evidence().iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "https://acme.slack.com/archives/C1/p1458174810000002",
                "https://grafana.example.com/d/x"
            ]
        );
    }
}
