//! From chat messages to proposals, explainably and without a model service: which messages are
//! key events (and of what kind), which links are their evidence, who took part, and which
//! to-dos were said. Every proposal carries the reason it was made, in words the scribe can
//! check against the message.
//!
//! The rules read signals that carry across teams and tools, not one team's phrasing:
//! - **Social signals.** A message pinned in the channel, or marked with one of the key emoji
//!   (📌 `pushpin` by default), is a key event; a finding marked 🎯 `dart` (on target) is a note.
//!   A message the channel laughed at (😂 reactions, "lol") is neither an event nor a to-do.
//! - **Structure.** Labels ("Decision:", "Status: Monitoring", "TODO:", "Proposed action:"),
//!   severity changes ("raising INC-7 to P1", "bumping to sev2", "Severity changed SEV2 → SEV1"),
//!   declarations ("calling it sev3", "INC-731 declared · SEV2"), status-page posts that quote the
//!   status ("status page → monitoring: > …"), commands that change production (`kubectl scale`,
//!   `helm rollback`, an SQL `UPDATE … SET`), and the posts of bots: an alert bot firing or
//!   notifying an on-call group is the detection, a deploy, job or playbook bot's "started" /
//!   "successful" is an action (not on staging), an incident bot's status and severity fields
//!   are the calls. Bots' echoes of acknowledgements and escalations, and alerts clearing, are
//!   not events. A shift handover or a recap restates what was told and is not an event.
//! - **People and time.** A verb of contact before a person's name from the chat's user list is
//!   a page ("called Haruto on Signal"); a responder saying their own name and "here" is their
//!   acknowledgement; the channel's first message, with a time and before any alert, is the
//!   detection a person relayed (alarms pasted from another channel, a provider's e-mail); a
//!   change named with its day and time is when the cause began ("merged 29 Sep 14:02 UTC").
//!   Severities in the short notation of some teams (`S1`) are read only right after "to".
//! - **State changes in words**: past-tense verbs on production ("rolled back", "paused",
//!   "drained"), metrics recovering ("back to baseline", "restored"), messages sent outside
//!   ("email sent to", "posted in #support"), findings ("ruled out", "didn't help"), and
//!   statements of when something started ("lag started climbing at 01:04", "first 502 at
//!   20:34:02", "4.18.0 went out at 20:31").
//! - **Context.** Intentions, requests, questions, hypotheses, option lists, quotes and negations
//!   are not events. Only the first alert and the first relay of customer reports are the
//!   detection; an acknowledgement is in the responder's first messages; a state the incident is
//!   already in (mitigated, resolved, the same severity) is not called again.
//! - Evidence: every http(s) link of a key event's message.
//! - **The team's own words** ([`propose_with`]): a [`TeamModel`] learnt from the team's reviewed
//!   incidents proposes, among the messages the rules passed over, those that read like what the
//!   team kept; the rest can be kept as quiet proposals, for the scribe to add what was missed.
//! - Participants: everyone who wrote a message (not bots, not joins), with the name and job
//!   title of the export's user list.
//! - To-dos: a message that says "TODO", "action item", "we should", "follow up on", "once we're
//!   out of this" and the like; every reply in a thread opened for follow-ups; and, once the
//!   incident is mitigated, obligations ("… should alert", "needs to", "must") and gaps ("there
//!   was no template", "was supposed to"); once it is resolved, requests ("could we have …?").
//!   Not in-incident orders, predictions ("should be fine"), care, jokes, reports of filed or
//!   raised tickets, the post-mortem's own process, a short reply taking a follow-up on
//!   ("yep, mine."), or a key event's words read by the phase ("Mitigated: PRs need approval").

use crate::{
    chat::{ChatMessage, ChatUser},
    learn::TeamModel,
};
use aho_corasick::AhoCorasick;
use chrono::Datelike;
use hindsight_core::{
    EventKind, EventSource, NewActionItem, NewTimelineEvent, Person, Severity,
    proposal::{NewProposal, Suggestion},
    text,
};
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::LazyLock,
};
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
            "restored",
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
            "status page is up",
            "notice is live",
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
            "now severity",
            "lowering severity",
            "raising severity",
            "raised severity",
            "lowered severity",
            "now a sev",
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
            "got the page",
            "have the page",
            "i'm here",
            "i am here",
            "im here",
            "joining now",
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
            "dispatched",
            "phoned",
            "texted",
            "woke up",
            "left a voicemail",
            "left voice msg",
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
            "calls from",
            "calls asking",
            "rise in calls",
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
            "customers say",
            "people say",
            "players say",
            "users say",
            "users report",
            "reports of",
            "emailed us",
            "called us",
            "tickets in the last",
            "new tickets",
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
            "since then every",
            "since then all",
        ],
    ),
    (
        EventKind::Action,
        &[
            "helm rollback",
            "helm upgrade",
            "sync succeeded",
            "synced",
            "deployment succeeded",
            "deploy succeeded",
            "rolled out",
            "restart complete",
            "scaled to",
            "scaled back",
            "scaled down",
            "flipped the flag",
            "flipped the switch",
            "kill switch",
            "toggled",
            "applied the fix",
            "fix applied",
            "mitigation applied",
            "patch applied",
            "applied:",
            "reissued",
            "renewed",
            "deployed",
            "deploy started",
            "deploy finished",
            "rolled back",
            "rollback started",
            "rollback complete",
            "rollback completed",
            "rollback done",
            "rollback finished",
            "failover done",
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
            "paused",
            "resumed",
            "delivered",
            "replay started",
            "reindex started",
            "swapped",
            "cordoned",
            "revoked",
            "rotated",
            "killed",
            "shut down",
            "rebooted",
            "isolated",
            "rerouted",
            "re-routed",
            "switched over",
            "committed",
            "commit complete",
            "re-signed",
            "resigned",
            "uploaded",
            "republished",
            "back in the pool",
            "back in rotation",
            "back in service",
            "nullrouted",
            "quarantined",
        ],
    ),
    (
        EventKind::Communication,
        &[
            "sent to customers",
            "customer email sent",
            "email sent",
            "emails sent",
            "update sent",
            "notification sent",
            "heads-up sent",
            "heads up sent",
            "sent to",
            "sent at",
            "posted in #",
            "posted on",
            "is posted",
            "told #",
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
            "sent a heads-up",
            "spoke to",
            "spoke with",
            "told them",
            "sent the summary",
            "sent a note",
            "wrote to",
            "wrote them",
            "replied to",
            "advisory published",
            "published the advisory",
            "announcement is out",
        ],
    ),
    (
        EventKind::Note,
        &[
            "strong lead",
            "decision:",
            "ruled out",
            "ruling out",
            "not the cause",
            "didn't help",
            "did not help",
            "made it worse",
            "made things worse",
            "rollback stalled",
            "found something",
            "found the",
            "not us",
            "nobody got paged",
            "nobody was paged",
            "nobody saw",
            "nobody noticed",
            "nobody received",
            "i approve",
            "confirmed by",
            "assessment:",
            "bad news",
            "turns out",
            "the culprit",
            "is the cause",
            "was the cause",
            "so it's not",
            "no, not",
            "double-checked",
            "no other",
            "unless someone objects",
            "unless anyone objects",
            "we decided",
            "decided to",
            "decision is",
            "stays up",
            "stays down",
            "no rollback",
        ],
    ),
];

/// What a phrase found in a message tells, besides the kinds of [`KIND_PHRASES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// Says an event of this kind happened.
    Says(EventKind),
    /// Makes its whole clause a request or a hypothesis: "please", "if", "once".
    Unreal,
    /// Makes what follows it in its clause an intention: "I'll update the status page".
    Intends,
    /// Moves the severity when "to" and a severity follow: "raising INC-7 to P1".
    SeverityVerb,
    /// An incident tool's severity field: "Severity changed SEV2 → SEV1".
    SeverityField,
    /// Declares when a severity follows: "calling it sev3", "INC-731 declared · SEV2".
    Declares,
    /// An incident tool's status field: "Status: Monitoring", "Milestone changed to Resolved".
    StatusField,
    /// Names the status page.
    StatusPage,
    /// A draft, not a publication.
    Draft,
    /// A command-line tool that changes production with the right verb: `kubectl scale`.
    Command,
    /// The first word of an SQL write, checked for `SET` and `WHERE` after it.
    SqlUpdate,
    /// A list of options to choose from, not a report.
    Options,
    /// A decision, labelled as one: the intention in it is the point.
    Decision,
    /// A deploy, pipeline, sync or run (in a bot's post, or a person's with a version and time).
    Deploy,
    /// A bot's progress word: "started", "succeeded".
    Progress,
    /// A non-production environment: its deploys are not incident events.
    NonProd,
    /// An alert bot's word for an alert that fires.
    AlertWord,
    /// An on-call group, notified by an alert bot: `@payments-oncall`.
    OnCall,
    /// An incident or channel being opened: bookkeeping, not the detection it points to.
    Opened,
    /// Contacting someone, paging them when a person's name follows: "called Haruto".
    Contact,
    /// A change being made: with the day and the time, when the cause began.
    Changed,
    /// A shift handover or a recap: it restates events told before.
    Restates,
    /// A count of contacts from customers follows a number: "14 tickets", "23 calls".
    Counted,
    /// Starts a statement of when something began: "started at", "first … at 20:34".
    Since,
    /// Marks a message written for the timeline: "for the timeline:".
    Timeline,
    /// Something goes live: with a version, a release went out.
    Live,
    /// Laughter: a joke is neither an event nor a to-do.
    Laughter,
    /// Says a to-do explicitly.
    Todo,
    /// Looks like a to-do but is not one.
    NotTodo,
    /// Defers work to after the incident: a to-do even while it lasts.
    Later,
    /// Asks someone for work: a to-do once the incident is resolved.
    Request,
    /// An obligation: a to-do once the incident is mitigated ("… should alert").
    Obligation,
    /// A gap found: a to-do once the incident is mitigated ("there was no template").
    Gap,
    /// The post-mortem's own process (who writes it, the meeting): not a to-do.
    Process,
    /// A report that a ticket was filed: the to-do is done.
    Filed,
    /// Opens a thread for follow-ups: its replies are to-dos.
    FollowUps,
}

/// The phrases of each cue but [`Cue::Says`].
const CUE_PHRASES: &[(Cue, &[&str])] = &[
    (
        Cue::Unreal,
        &["please", "pls", "if", "once", "remember when", "fun fact"],
    ),
    (
        Cue::Intends,
        &[
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
            "could",
            "would",
            "planning to",
            "want to",
            "need to",
            "need a",
            "need an",
            "needs a",
            "supposed to",
            "has to be",
            "have to be",
            "must be",
            "updating",
        ],
    ),
    (
        Cue::SeverityVerb,
        &[
            "raising",
            "raised",
            "lowering",
            "lowered",
            "bumping",
            "bumped",
            "dropping",
            "dropped",
            "downgrading",
            "downgraded",
            "upgrading",
            "upgraded",
            "escalating",
            "escalated",
            "moving",
            "moved",
        ],
    ),
    (
        Cue::SeverityField,
        &[
            "severity changed",
            "severity updated",
            "severity:",
            "priority changed",
        ],
    ),
    (
        Cue::Declares,
        &[
            "declared",
            "declaring",
            "calling it",
            "this is a",
            "opening a",
        ],
    ),
    (
        Cue::StatusField,
        &[
            "status:",
            "status updated",
            "status changed",
            "status set to",
            "milestone:",
            "milestone changed",
            "milestone updated",
        ],
    ),
    (
        Cue::StatusPage,
        &["status page", "statuspage", "status-page"],
    ),
    (Cue::Draft, &["draft", "drafting", "drafted"]),
    (
        Cue::Command,
        &[
            "kubectl",
            "helm",
            "terraform",
            "nomad",
            "systemctl",
            "gcloud",
            "aws",
            "az",
        ],
    ),
    (Cue::SqlUpdate, &["update"]),
    (
        Cue::Options,
        &[
            "options:",
            "option a",
            "a)",
            "(a)",
            "proposal:",
            "plan:",
            "idea:",
            "proposed fix:",
        ],
    ),
    (Cue::Decision, &["decision:"]),
    (
        Cue::Deploy,
        &[
            "deploy",
            "deployment",
            "pipeline",
            "sync",
            "run",
            "rollout",
            "release",
            "workflow",
            "went out",
            "shipped",
            "went to prod",
            "job",
            "playbook",
            "publish",
        ],
    ),
    (
        Cue::Progress,
        &[
            "ok",
            "started",
            "succeeded",
            "successful",
            "finished",
            "completed",
            "complete",
            "synced",
        ],
    ),
    (
        Cue::NonProd,
        &["staging", "sandbox", "preprod", "pre-prod", "uat"],
    ),
    (
        Cue::AlertWord,
        &["firing", "triggered", "alerting", "critical"],
    ),
    (Cue::OnCall, &["oncall", "on-call"]),
    (Cue::Opened, &["opened", "opening"]),
    (
        Cue::Contact,
        &[
            "called",
            "calling",
            "phoned",
            "rang",
            "texted",
            "messaged",
            "sent",
            "woke",
            "pinged",
            "dispatched",
        ],
    ),
    (
        Cue::Changed,
        &[
            "merged",
            "committed",
            "applied",
            "introduced",
            "changed",
            "deployed",
            "shipped",
            "released",
            "rolled out",
            "pushed",
        ],
    ),
    (Cue::Restates, &["handover", "hand-over", "recap"]),
    (Cue::Counted, &["tickets", "calls", "complaints"]),
    (Cue::Since, &["started", "began", "first"]),
    (Cue::Timeline, &["for the timeline", "timeline note"]),
    (Cue::Live, &["is live", "went live", "now live", "is out"]),
    (
        Cue::Laughter,
        &[
            "lol",
            "lmao",
            "haha",
            "hehe",
            "rofl",
            ":joy:",
            ":rofl:",
            ":laughing:",
            "😂",
            "🤣",
        ],
    ),
    (
        Cue::Todo,
        &[
            "todo",
            "to-do",
            "to do:",
            "action item",
            "action items:",
            "follow-ups:",
            "ai:",
            "we should",
            "follow up on",
            "follow up with",
            "follow-up:",
            "follow-up item",
            "followup:",
            "one follow-up",
            "another follow-up",
            "a follow-up",
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
            "[action]",
            "[ai]",
            "[todo]",
            "[follow-up]",
            "lessons learned:",
            "action -",
            "ai -",
            "proposed action",
            "mine to own",
            "can you own",
            "could you own",
            "for the review:",
            "for the retro:",
            "for the pir",
            "for the pir:",
            "for the postmortem:",
            "for the post-mortem:",
            "for the pm:",
            "for later:",
            "follow-up ticket",
            "needs a ticket",
            "raise a ticket",
            "create a ticket",
            "we must",
            "going forward",
            "next week we",
            "next sprint",
            "next quarter",
            "in future",
            "in the future",
            "add an alert",
            "add a check",
            "add monitoring",
            "make sure we",
            "have to make sure",
        ],
    ),
    (
        Cue::NotTodo,
        &[
            "we should be",
            "we should see",
            "we should get",
            "todo list",
            "to-do list",
            "follow-up list",
            "should i",
            "follow-up tickets",
            "whether we need",
            "make sure everyone",
            "make sure nobody",
            "make sure no one",
            "until the incident",
            "no harm",
            "no impact",
        ],
    ),
    (
        Cue::Later,
        &[
            "once we're out of",
            "once we are out of",
            "after the incident",
            "once this is over",
            "when this is over",
            "after this is over",
        ],
    ),
    (
        Cue::Request,
        &[
            "can someone",
            "could someone",
            "can anyone",
            "could anyone",
            "can we",
            "could we",
            "can you",
            "could you",
            "someone should",
            "someone needs to",
            "could the",
            "can the",
        ],
    ),
    (
        Cue::Obligation,
        &[
            "should", "must", "needs to", "has to", "have to", "ought to",
        ],
    ),
    (
        Cue::Gap,
        &[
            "there was no",
            "there were no",
            "we had no",
            "we had zero",
            "had no",
            "was supposed to",
            "were supposed to",
            "nothing caught",
        ],
    ),
    (
        Cue::Process,
        &[
            "write it up",
            "write up",
            "writes the review",
            "write the review",
            "invitation",
            "invite",
        ],
    ),
    (
        Cue::Filed,
        &[
            "filed",
            "tickets:",
            "raised for",
            "opened #",
            "ticket opened",
            "logged as",
        ],
    ),
    (
        Cue::FollowUps,
        &[
            "follow-ups",
            "follow ups",
            "followups",
            "follow-up actions",
            "follow-up items",
            "action items",
            "to-dos",
            "todos",
            "lessons learned",
            "retro items",
            "post-mortem items",
            "postmortem items",
        ],
    ),
];

/// Words that negate the phrase after them: "nothing paged me", "not resolved yet".
const NEGATIONS: &[&str] = &[
    "not", "no", "nothing", "never", "didn't", "wasn't", "isn't", "hasn't", "haven't", "nobody",
    "no one", "without",
];

/// Verbs of a command-line tool that change what runs: `kubectl get` reads, `kubectl scale` acts.
const CHANGING_VERBS: &[&str] = &[
    "scale",
    "rollout",
    "set",
    "apply",
    "delete",
    "drain",
    "cordon",
    "uncordon",
    "patch",
    "edit",
    "undo",
    "restart",
    "rollback",
    "upgrade",
    "uninstall",
    "destroy",
    "stop",
    "start",
    "replace",
    "taint",
    "import",
    "deploy",
];

/// Words after "should" that make it a prediction, not an obligation: "should see it drop".
const PREDICTIONS: &[&str] = &[
    "see", "get", "drop", "clear", "settle", "take", "recover", "start", "land", "help", "work",
    "hold",
];

/// Reactions that say the channel laughed.
const LAUGHTER: &[&str] = &[
    "joy",
    "rofl",
    "laughing",
    "joy_cat",
    "sweat_smile",
    "clown_face",
];

/// The status a status page shows, quoted or after an arrow.
const PAGE_STATUSES: &[&str] = &[
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "degraded",
    "partial outage",
    "major outage",
    "operational",
];

/// Lower-case words joined by single spaces, without the emphasis of chat markup (`*SEV-1*`),
/// punctuation kept where a phrase needs it (`firing:`), so phrases match on word boundaries.
/// Quoted lines (`> …`) go to `quoted`: they are someone else's words.
fn normalise_into(text: &str, own: &mut String, quoted: &mut String) {
    own.clear();
    quoted.clear();
    for line in text.split('\n') {
        match line.trim_start().strip_prefix('>') {
            Some(rest) => push_words(quoted, rest),
            None => push_words(own, line),
        }
    }
}

fn push_words(out: &mut String, line: &str) {
    for word in line.split_whitespace() {
        let before = out.len();
        if !out.is_empty() {
            out.push(' ');
        }
        let start = out.len();
        for c in word.chars() {
            match c {
                '*' | '_' | '~' => {}
                '’' | '‘' => out.push('\''),
                c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
                c => out.extend(c.to_lowercase()),
            }
        }
        if out.len() == start {
            out.truncate(before);
        }
    }
}

/// One phrase found in a message, and what it tells.
#[derive(Debug, Clone, Copy)]
struct Hit {
    cue: Cue,
    /// For [`Cue::Says`], the phrase's place in [`KIND_PHRASES`]: lower is more specific.
    rank: usize,
    phrase: &'static str,
    start: usize,
    end: usize,
}

/// Every phrase of every cue in one automaton: extraction reads every message of an export, so
/// it makes one pass over each, whatever the number of rules.
struct Cues {
    automaton: Option<AhoCorasick>,
    phrases: Vec<&'static str>,
    /// The cues of each phrase (a phrase may tell several things), with the rank of each.
    cues: Vec<Vec<(Cue, usize)>>,
}

static CUES: LazyLock<Cues> = LazyLock::new(|| {
    let mut phrases: Vec<&'static str> = Vec::new();
    let mut cues: Vec<Vec<(Cue, usize)>> = Vec::new();
    let mut add = |phrase: &'static str, cue: Cue, rank: usize| match phrases
        .iter()
        .position(|p| *p == phrase)
    {
        Some(i) => cues[i].push((cue, rank)),
        None => {
            phrases.push(phrase);
            cues.push(vec![(cue, rank)]);
        }
    };
    let mut rank = 0;
    for (kind, list) in KIND_PHRASES {
        for phrase in *list {
            add(phrase, Cue::Says(*kind), rank);
            rank += 1;
        }
    }
    for (cue, list) in CUE_PHRASES {
        for phrase in *list {
            add(phrase, *cue, 0);
        }
    }
    Cues {
        automaton: AhoCorasick::new(&phrases).ok(),
        phrases,
        cues,
    }
});

/// Every cue of `text`, in the order found, into `hits`.
fn scan(text: &str, hits: &mut Vec<Hit>) {
    hits.clear();
    let cues = &*CUES;
    let Some(automaton) = &cues.automaton else {
        return;
    };
    for m in automaton.find_overlapping_iter(text) {
        if !bounded(text, m.start(), m.end()) {
            continue;
        }
        let i = m.pattern().as_usize();
        for &(cue, rank) in &cues.cues[i] {
            hits.push(Hit {
                cue,
                rank,
                phrase: cues.phrases[i],
                start: m.start(),
                end: m.end(),
            });
        }
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

/// Whether `phrase` occurs in `text` at word boundaries.
fn says(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase)
        .any(|(at, _)| bounded(text, at, at + phrase.len()))
}

/// The hits of one message, with the questions the rules ask of them.
struct Found<'a> {
    text: &'a str,
    hits: &'a [Hit],
}

impl<'a> Found<'a> {
    fn of(&self, cue: Cue) -> impl Iterator<Item = &'a Hit> + 'a {
        self.hits.iter().filter(move |h| h.cue == cue)
    }

    fn has(&self, cue: Cue) -> bool {
        self.of(cue).next().is_some()
    }

    /// Whether the clause of `hit` states something: not a question, not a request or
    /// hypothesis, no intention before the hit.
    fn stated(&self, hit: &Hit) -> bool {
        let (start, stop) = clause_bounds(self.text, hit.start);
        !is_question(&self.text[start..stop])
            && !self.hits.iter().any(|h| {
                h.start >= start
                    && h.end <= stop
                    && (h.cue == Cue::Unreal || (h.cue == Cue::Intends && h.end <= hit.start))
            })
    }

    /// Whether the phrase of `hit` is a report: stated, and not quoted, negated or described.
    fn reported(&self, hit: &Hit) -> bool {
        let (start, _) = clause_bounds(self.text, hit.start);
        self.stated(hit) && reports(&self.text[start..], hit.phrase, hit.start - start)
    }
}

/// Whether `phrase`, found at `at` in its clause `text`, is a report: not inside quotes, not
/// negated just before, not a description ("people who restarted", "with notifications
/// enabled"), and not "resolved to" in the sense of deciding.
fn reports(text: &str, phrase: &str, at: usize) -> bool {
    let before = &text[..at];
    let after = &text[at + phrase.len()..];
    let quoted = matches!(before.chars().next_back(), Some('\'' | '"' | '`' | '“'));
    let mut previous = before
        .split_whitespace()
        .rev()
        .take(2)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''));
    let (last, second) = (previous.next(), previous.next());
    let two = [last, second].into_iter().flatten();
    let negated = two.clone().any(|w| NEGATIONS.contains(&w));
    let described =
        matches!(last, Some("who" | "that" | "which")) || two.into_iter().any(|w| w == "with");
    let decided = phrase == "resolved" && after.starts_with(" to ");
    !quoted && !negated && !described && !decided
}

/// The severity named at the start of `rest`: `sev-1`, `sev 2`, `severity 3`, `p1`,
/// `priority 2`, `priority p2`.
fn severity_at(rest: &str) -> Option<Severity> {
    let rest = rest.trim_start_matches([' ', '(', '`']);
    let level = if let Some(after) = rest.strip_prefix("severity") {
        after.trim_start_matches([' ', '-', ':'])
    } else if let Some(after) = rest.strip_prefix("sev") {
        after.trim_start_matches([' ', '-'])
    } else if let Some(after) = rest.strip_prefix("priority") {
        let after = after.trim_start_matches([' ', ':']);
        after.strip_prefix('p').unwrap_or(after)
    } else {
        rest.strip_prefix('p')?
    };
    let mut chars = level.chars();
    let digit = chars.next()?.to_digit(10)?;
    if chars.next().is_some_and(char::is_alphanumeric) {
        return None; // p99, sev10
    }
    Severity::from_level(digit as u8).ok()
}

/// A severity in the short notation of some teams' incident documents, `s1`, named where a
/// severity is expected ("upgrading to S1"): not read anywhere else, where it is often AWS S3.
fn short_severity(rest: &str) -> Option<Severity> {
    let rest = rest.trim_start_matches([' ', '(', '`']);
    let mut chars = rest.strip_prefix('s')?.chars();
    let digit = chars.next()?.to_digit(10)?;
    // The end of a sentence or a clause must follow: "S3 bucket", "s3 glacier" are storage.
    if !chars
        .next()
        .is_none_or(|c| matches!(c, '.' | ':' | ',' | ';' | '!' | ')'))
    {
        return None;
    }
    Severity::from_level(digit as u8).ok()
}

/// The first name of a person as the chat shows them, lower case, when it looks like one:
/// "Cody L (Field)" → "cody".
fn first_name(name: &str) -> Option<String> {
    let first = name.split_whitespace().next()?.to_lowercase();
    (first.chars().count() >= 3 && first.chars().all(char::is_alphabetic)).then_some(first)
}

/// Whether `name` (lower case) is written with a capital in `original`: a person's name rather
/// than the word it also is.
fn capitalised(original: &str, name: &str) -> bool {
    original
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.chars().next().is_some_and(char::is_uppercase) && w.to_lowercase() == name)
}

/// The day `text` names, as (month, day): `2026-08-06`, `29 sep`, `6 august`, `sep 29`.
fn named_day(text: &str) -> Option<(u32, u32)> {
    const MONTHS: &[(&str, u32)] = &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
        ("january", 1),
        ("february", 2),
        ("march", 3),
        ("april", 4),
        ("june", 6),
        ("july", 7),
        ("august", 8),
        ("september", 9),
        ("october", 10),
        ("november", 11),
        ("december", 12),
    ];
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '`'))
        .filter(|w| !w.is_empty())
        .collect();
    let day = |w: &str| {
        let w = w.trim_end_matches(['.', ':']);
        (!w.is_empty() && w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse::<u32>().ok())
            .flatten()
            .filter(|d| (1..=31).contains(d))
    };
    let iso = |w: &str| {
        let b = w.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            r.clone()
                .all(|i| b[i].is_ascii_digit())
                .then(|| w[r].parse::<u32>().ok())
                .flatten()
        };
        if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4).is_some() {
            Some((digits(5..7)?, digits(8..10)?))
        } else {
            None
        }
    };
    words.iter().enumerate().find_map(|(i, w)| {
        iso(w).or_else(|| {
            let month = MONTHS
                .iter()
                .find(|(name, _)| *name == w.trim_end_matches(['.', ':']))?
                .1;
            let before = i.checked_sub(1).and_then(|j| day(words[j]));
            let after = words.get(i + 1).and_then(|n| day(n));
            Some((month, before.or(after)?))
        })
    })
}

/// Every severity `text` names, in order.
fn severities_in(text: &str) -> Vec<Severity> {
    text.char_indices()
        .filter(|&(i, c)| {
            matches!(c, 's' | 'p')
                && !text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        })
        .filter_map(|(i, _)| severity_at(&text[i..]))
        .collect()
}

/// The severity within the first `words` words of `rest`.
fn severity_within(rest: &str, words: usize) -> Option<Severity> {
    let mut rest = rest;
    for _ in 0..words {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        if let Some(severity) = severity_at(rest) {
            return Some(severity);
        }
        rest = &rest[rest.find(' ').unwrap_or(rest.len())..];
    }
    None
}

/// The severity after a "to" within the first words of `rest`: "INC-7 to *P1*", "to sev2".
fn severity_after_to(rest: &str) -> Option<Severity> {
    let mut rest = rest;
    for word in 0..4 {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("to ") {
            // "upgrading to S1." but not "moved the logs to S3 glacier".
            return severity_at(after).or_else(|| short_severity(after).filter(|_| word < 2));
        }
        rest = &rest[rest.find(' ')?..];
    }
    None
}

/// The severity a field moves to: the last one named ("SEV2 → SEV1", "from Minor to Major"),
/// by number or by the names incident tools give them (critical, major, minor).
fn severity_moved_to(field: &str) -> Option<Severity> {
    severities_in(field).pop().or_else(|| {
        field
            .split(|c: char| !c.is_alphanumeric())
            .filter_map(|word| match word {
                "critical" => Severity::from_level(1).ok(),
                "major" => Severity::from_level(2).ok(),
                "minor" => Severity::from_level(3).ok(),
                _ => None,
            })
            .next_back()
    })
}

/// Whether `text` names a clock time, `20:34` or `9:02:38`.
fn has_clock_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b':'
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
            && !bytes.get(i + 3).is_some_and(u8::is_ascii_digit)
    })
}

/// The first `words` words of `rest`.
fn words(rest: &str, words: usize) -> &str {
    let rest = rest.trim_start();
    let end = rest
        .match_indices(' ')
        .nth(words.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

/// Whether `text` names a version: `4.18.0`, `v2.31.0`.
fn has_version(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '`' | ',' | ':'))
        .any(|word| {
            let word = word.trim_start_matches('v').trim_end_matches('.');
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() >= 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Whether a number comes just before byte `at`: "14 tickets", "140 new tickets".
fn counted(text: &str, at: usize) -> bool {
    let mut previous = text[..at].split_whitespace().rev();
    let number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b',');
    match previous.next() {
        Some("new" | "more") => previous.next().is_some_and(number),
        Some(word) => number(word),
        None => false,
    }
}

/// Whether a "should" at `end` is an obligation ("should alert", "should be rotated") rather
/// than a prediction ("should see it drop", "should be fine").
fn obliges(text: &str, end: usize) -> bool {
    let mut next = text[end..].split_whitespace();
    match next.next() {
        Some("be") => next
            .next()
            .is_some_and(|w| w.ends_with("ed") || w.ends_with("en")),
        Some(word) => !PREDICTIONS.contains(&word.trim_end_matches(|c: char| !c.is_alphanumeric())),
        None => false,
    }
}

/// The clause of `text` around byte `at`: up to the sentence punctuation, semicolon, dash or
/// "but" on either side. A clause keeps its closing `?`, so a question can be told.
fn clause_bounds(text: &str, at: usize) -> (usize, usize) {
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
    (start, stop)
}

/// Whether a message is about the post-mortem itself (its draft, its meeting) rather than the
/// incident: pinned links to the draft are not events of the incident.
fn about_the_postmortem(text: &str) -> bool {
    ["post-mortem", "postmortem", "pm draft", "pm doc"]
        .iter()
        .any(|p| says(text, p))
}

/// Messages people write: not joins, leaves, topic changes or deleted-thread placeholders.
pub fn is_conversation(message: &ChatMessage) -> bool {
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

/// Whether `message` is a reply in a thread (not the thread's first message).
fn reply_in(message: &ChatMessage) -> Option<&str> {
    message
        .thread
        .as_deref()
        .filter(|thread| !message.id.ends_with(thread))
}

/// What a channel has been through so far, as the messages tell it.
#[derive(Debug, Default)]
struct Story<'m> {
    /// An alert (a bot's) was proposed as the detection.
    alerted: bool,
    /// A person relaying customers' reports was proposed as the detection.
    reported: bool,
    declared: bool,
    mitigated: bool,
    resolved: bool,
    severity: Option<Severity>,
    /// Threads opened for follow-ups.
    follow_up_threads: Vec<&'m str>,
    /// How many messages each author wrote so far.
    written: BTreeMap<&'m str, usize>,
}

/// Why a proposal is made, in words the scribe can check against the message.
#[derive(Debug, Clone, Copy)]
enum Why {
    Says(&'static str),
    Because(&'static str),
    SeverityTo(&'static str),
    Command(&'static str),
    Bot(&'static str),
    Counted(&'static str),
    When(&'static str),
    FirstMessage(&'static str),
    Contacts(&'static str),
    Once(&'static str, &'static str),
}

impl Why {
    fn reason(self) -> String {
        match self {
            Why::Says(phrase) => format!("says “{phrase}”"),
            Why::Because(reason) => reason.to_owned(),
            Why::SeverityTo(verb) => format!("changes the severity: “{verb} … to”"),
            Why::Command(tool) => format!("runs a `{tool}` command that changes production"),
            Why::Bot(word) => format!("a bot's post says “{word}”"),
            Why::Counted(what) => format!("counts customers' {what}"),
            Why::When(phrase) => format!("says when it started: “{phrase}” and a time"),
            Why::FirstMessage(phrase) => {
                format!("says “{phrase}” in one of their first messages here")
            }
            Why::Contacts(verb) => format!("says “{verb}” and a person's name: a page"),
            Why::Once(phrase, state) => format!("says “{phrase}” once the incident is {state}"),
        }
    }
}

/// An event kind a message may report, why, and whether a tool's structured format says so
/// (which a bot may, unlike a bot's free words).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    kind: EventKind,
    severity: Option<Severity>,
    why: Why,
    structured: bool,
}

/// Everything `messages` suggest by the rules, in message order; participants last.
pub fn propose(
    messages: &[ChatMessage],
    users: &[ChatUser],
    rules: &ExtractionRules,
) -> Vec<NewProposal> {
    propose_with(messages, users, rules, Learnt::default())
}

/// What an import knows besides the rules: what the team's reviews taught, and whether the
/// messages nothing picked are kept (as quiet proposals) for the scribe to add by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Learnt<'a> {
    pub team: Option<&'a TeamModel>,
    pub keep_the_rest: bool,
}

/// Everything `messages` suggest: by the rules, then by what the team's reviews taught for the
/// messages the rules passed over; the rest kept quiet when asked. Participants last.
pub fn propose_with(
    messages: &[ChatMessage],
    users: &[ChatUser],
    rules: &ExtractionRules,
    learnt: Learnt,
) -> Vec<NewProposal> {
    let people: BTreeSet<String> = users
        .iter()
        .filter(|u| !u.bot)
        .filter_map(|u| first_name(&u.name))
        .collect();
    let users: BTreeMap<&str, &ChatUser> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut proposals = Vec::new();
    let mut participants: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut stories: BTreeMap<&str, Story> = BTreeMap::new();
    let (mut text, mut quoted, mut hits) = (String::new(), String::new(), Vec::new());
    for message in messages.iter().filter(|m| is_conversation(m)) {
        normalise_into(&message.text, &mut text, &mut quoted);
        scan(&text, &mut hits);
        let found = Found {
            text: &text,
            hits: &hits,
        };
        let user = message.author_id.as_deref().and_then(|id| users.get(id));
        let author = user
            .map(|u| u.name.clone())
            .or_else(|| message.author.clone());
        let bot = message.bot || user.is_some_and(|u| u.bot);
        if !bot && let Some(name) = &author {
            participants
                .entry(name.clone())
                .or_insert_with(|| user.and_then(|u| u.title.clone()));
        }
        let story = stories.entry(message.channel.as_str()).or_default();
        let opens = story.written.is_empty() && !story.alerted && !story.reported;
        let written = message
            .author_id
            .as_deref()
            .or(message.author.as_deref())
            .map_or(0, |who| {
                let count = story.written.entry(who).or_default();
                *count += 1;
                *count - 1
            });
        let said = Said {
            message,
            found: &found,
            quoted: &quoted,
            bot,
            author: author.as_deref(),
            written,
            opens,
            people: &people,
        };
        let ruled = key_event(&said, rules, story);
        // Only what the rules read makes a message's words no to-do by the phase.
        let told = ruled.is_some();
        let event = ruled
            .or_else(|| {
                let judgement = learnt.team?.judge(&message.text, bot)?;
                // The story decides as it does for the rules: no second resolution.
                let candidate = Candidate {
                    kind: judgement.kind,
                    severity: None,
                    why: Why::Because(""),
                    structured: false,
                };
                let kind = if fits(&candidate, &said, story) {
                    judgement.kind
                } else {
                    EventKind::Note
                };
                tell(story, &said, kind, None);
                event_proposal(
                    message,
                    said.author,
                    (kind, None),
                    false,
                    rules,
                    judgement.reason(),
                )
            })
            .or_else(|| {
                learnt.keep_the_rest.then_some(())?;
                let kept = event_proposal(
                    message,
                    said.author,
                    (EventKind::Note, None),
                    false,
                    rules,
                    "not proposed; kept so it can still be added".to_owned(),
                )?;
                Some(NewProposal {
                    quiet: true,
                    ..kept
                })
            });
        proposals.extend(event);
        if let Some(proposal) = todo(&said, story, told) {
            proposals.push(proposal);
        }
        if let Some(thread) = message.thread.as_deref()
            && reply_in(message).is_none()
            && !bot
            && found.has(Cue::FollowUps)
        {
            story.follow_up_threads.push(thread);
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
            quiet: false,
        });
    }
    proposals
}

/// One message as the rules read it.
struct Said<'a> {
    message: &'a ChatMessage,
    found: &'a Found<'a>,
    /// The quoted lines, normalised.
    quoted: &'a str,
    bot: bool,
    author: Option<&'a str>,
    /// How many messages the author wrote in the channel before this one.
    written: usize,
    /// The first message of the channel, before any signal was proposed.
    opens: bool,
    /// The first names of the people of the chat, lower case: "called haruto" pages someone.
    people: &'a BTreeSet<String>,
}

impl Said<'_> {
    /// Whether the channel laughed at the message, or its author did.
    fn laughing(&self) -> bool {
        self.found.has(Cue::Laughter)
            || self
                .message
                .reactions
                .iter()
                .any(|r| LAUGHTER.contains(&r.as_str()))
    }

    /// Whether the message is a proposal: options to choose from ("a) roll back b) …"), a
    /// plan or an idea, by the label it starts with.
    fn options(&self) -> bool {
        self.found.of(Cue::Options).any(|h| h.start == 0)
    }

    /// Whether the message is a shift handover or a recap, by its first words: it restates
    /// what was told before.
    fn restates(&self) -> bool {
        let head = words(self.found.text, 3).len();
        self.found.of(Cue::Restates).any(|h| h.end <= head)
    }
}

/// The kinds the message may report, most telling first.
fn candidates(said: &Said) -> Vec<Candidate> {
    let (found, text) = (said.found, said.found.text);
    let mut out = Vec::new();
    let mut push = |kind, severity, why, structured| {
        out.push(Candidate {
            kind,
            severity,
            why,
            structured,
        })
    };
    if said.bot
        && said
            .author
            .is_some_and(|name| name.to_lowercase().contains("status"))
    {
        // A status-page integration posting is the status page being updated.
        push(
            EventKind::StatusPageUpdated,
            None,
            Why::Because("posted by the status page"),
            true,
        );
    }
    // Labels and fields: what they say is meant, intentions included.
    if let Some(hit) = found.of(Cue::Decision).next() {
        push(EventKind::Note, None, Why::Says(hit.phrase), true);
    }
    for hit in found.of(Cue::SeverityVerb) {
        if let Some(severity) = severity_after_to(&text[hit.end..])
            && found.reported(hit)
        {
            push(
                EventKind::SeverityChanged,
                Some(severity),
                Why::SeverityTo(hit.phrase),
                true,
            );
        }
    }
    for hit in found.of(Cue::Declares) {
        // A person names the severity with the call; an incident bot may put it in a field.
        let severity = severity_within(&text[hit.end..], 3).or_else(|| {
            said.bot
                .then(|| {
                    severities_in(&text[hit.end..])
                        .first()
                        .copied()
                        .or_else(|| {
                            found
                                .of(Cue::SeverityField)
                                .find_map(|f| severity_moved_to(words(&text[f.end..], 6)))
                        })
                })
                .flatten()
        });
        // An incident bot's "declared" is the declaration, with or without a severity.
        if (severity.is_some() || (said.bot && hit.phrase == "declared")) && found.reported(hit) {
            push(EventKind::Declared, severity, Why::Says(hit.phrase), true);
        }
    }
    for hit in found.of(Cue::SeverityField) {
        if let Some(severity) = severity_moved_to(words(&text[hit.end..], 6))
            && found.stated(hit)
        {
            push(
                EventKind::SeverityChanged,
                Some(severity),
                Why::Says(hit.phrase),
                true,
            );
        }
    }
    for hit in found.of(Cue::StatusField) {
        // "Status: Monitoring", "Status changed from Investigating to Monitoring", "… → Monitoring".
        let field = words(&text[hit.end..], 6);
        let status = [" to ", "→", "->"]
            .iter()
            .filter_map(|arrow| field.rsplit_once(arrow).map(|(_, to)| to))
            .min_by_key(|to| to.len())
            .unwrap_or(field)
            .trim_start()
            .split(' ')
            .next()
            .unwrap_or_default()
            .trim_matches(|c: char| !c.is_alphanumeric());
        let kind = match status {
            "monitoring" | "mitigated" => EventKind::Mitigated,
            "resolved" | "closed" => EventKind::Resolved,
            _ => continue,
        };
        // An alert's own status is the alert clearing, not the incident's.
        if said.bot && (found.has(Cue::AlertWord) || says(text, "alert")) {
            continue;
        }
        push(kind, None, Why::Because("an incident status field"), true);
    }
    if !found.has(Cue::Draft) {
        for hit in found.of(Cue::StatusPage) {
            let next = words(&text[hit.end..], 3);
            let arrow = next.starts_with('→') || next.starts_with("->") || next.starts_with(':');
            let shows = |t: &str| PAGE_STATUSES.iter().any(|s| says(t, s));
            if ((arrow && shows(next)) || shows(said.quoted)) && found.reported(hit) {
                push(
                    EventKind::StatusPageUpdated,
                    None,
                    Why::Because("a status-page post with its status"),
                    true,
                );
                break;
            }
        }
    }
    // What a bot's structured posts say.
    if said.bot {
        if let Some(progress) = found.of(Cue::Progress).next()
            && found.has(Cue::Deploy)
        {
            push(EventKind::Action, None, Why::Bot(progress.phrase), true);
        }
        if let Some(alert) = found.of(Cue::AlertWord).next() {
            push(EventKind::Detected, None, Why::Bot(alert.phrase), true);
        }
        if found.of(Cue::OnCall).any(|h| {
            text[..h.start]
                .rsplit(' ')
                .next()
                .is_some_and(|w| w.starts_with('@'))
        }) {
            push(
                EventKind::Detected,
                None,
                Why::Because("an alert bot notifies an on-call group"),
                true,
            );
        }
    }
    // A change named with an earlier day and the time it was made: when the cause began. A
    // change dated the day it is reported is a step of the response ("applied the hotfix at
    // 2026-08-06 05:40Z").
    if !said.bot
        && let Some(hit) = found.of(Cue::Changed).find(|h| found.reported(h))
        && named_day(text)
            .is_some_and(|day| day != (said.message.at.month(), said.message.at.day()))
        && has_clock_time(text)
    {
        push(
            EventKind::RootCauseBegan,
            None,
            Why::Says(hit.phrase),
            false,
        );
    }
    // What the words report.
    let mut phrases: Vec<&Hit> = found
        .hits
        .iter()
        .filter(|h| matches!(h.cue, Cue::Says(_)) && found.reported(h))
        .collect();
    phrases.sort_by_key(|h| h.rank);
    for hit in phrases {
        let Cue::Says(kind) = hit.cue else { continue };
        let why = match kind {
            EventKind::Acknowledged => Why::FirstMessage(hit.phrase),
            _ => Why::Says(hit.phrase),
        };
        let severity = if kind.takes_severity() {
            severity_at(&text[hit.end..])
                .or_else(|| severities_in(&text[hit.end..]).pop())
                .or_else(|| severities_in(text).pop())
        } else {
            None
        };
        if kind == EventKind::SeverityChanged && severity.is_none() {
            continue;
        }
        push(kind, severity, why, false);
    }
    // Commands that change production, in code or not.
    for hit in found.of(Cue::Command) {
        let next = words(&text[hit.end..], 6);
        if next
            .split([' ', '`', '/'])
            .any(|w| CHANGING_VERBS.contains(&w))
            && found.stated(hit)
        {
            push(EventKind::Action, None, Why::Command(hit.phrase), false);
            break;
        }
    }
    if text.contains("```")
        && found.of(Cue::SqlUpdate).any(|h| {
            let after = &text[h.end..text.len().min(h.end + 200)];
            after.contains(" set ") && after.contains("where ")
        })
    {
        push(
            EventKind::Action,
            None,
            Why::Because("an SQL `UPDATE … SET` on production"),
            false,
        );
    }
    // Counts of customers' contacts, and statements of when things started.
    if let Some(hit) = found.of(Cue::Counted).find(|h| counted(text, h.start)) {
        push(EventKind::Detected, None, Why::Counted(hit.phrase), false);
    }
    let timeline = found.has(Cue::Timeline) && has_clock_time(text);
    for hit in found.of(Cue::Since).chain(found.of(Cue::Timeline)) {
        // "first 502 at envoy was 20:34:02", "lag started climbing at 01:04".
        let after = if hit.phrase == "first" {
            words(&text[hit.end..], 8)
        } else {
            words(&text[hit.end..], 3)
        };
        if (timeline || has_clock_time(after)) && found.reported(hit) {
            push(EventKind::ImpactStarted, None, Why::When(hit.phrase), false);
            break;
        }
    }
    if !said.bot
        && let Some(hit) = found.of(Cue::Deploy).next()
        && has_version(text)
        && has_clock_time(text)
        && found.reported(hit)
    {
        push(
            EventKind::RootCauseBegan,
            None,
            Why::Because("names a version, its deploy and the time"),
            false,
        );
    }
    if let Some(hit) = found.of(Cue::Live).next()
        && has_version(text)
        && found.reported(hit)
    {
        push(EventKind::Action, None, Why::Says(hit.phrase), false);
    }
    // Paging in words: a person's name after a verb of contact ("called Haruto on Signal").
    if !said.bot
        && let Some(hit) = found.of(Cue::Contact).find(|h| {
            words(&text[h.end..], 2).split(' ').any(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                // A name, as written: "sent Will the config", not "sent will be".
                said.people.contains(w) && capitalised(&said.message.text, w)
            }) && found.reported(h)
        })
    {
        push(EventKind::Paged, None, Why::Contacts(hit.phrase), false);
    }
    // A responder arriving introduces themselves: "Tuan here (RAN)".
    if !said.bot
        && says(text, "here")
        && let Some(first) = said.author.and_then(first_name)
        && text
            .strip_prefix(first.as_str())
            .is_some_and(|rest| rest.starts_with(" here"))
    {
        push(
            EventKind::Acknowledged,
            None,
            Why::Because("introduces themselves: “… here”"),
            false,
        );
    }
    // The channel's first message, with a time and before any alert: someone relays what they
    // saw (alarms pasted from elsewhere, an e-mail), which is how the incident was detected.
    if said.opens
        && !said.bot
        && has_clock_time(text)
        && !is_question(text)
        && ["channel", "war room", "incident"]
            .iter()
            .any(|w| says(text, w))
    {
        push(
            EventKind::Detected,
            None,
            Why::Because("opens the channel with what was seen, and when"),
            false,
        );
    }
    if said.message.reactions.iter().any(|r| r == "dart") {
        push(
            EventKind::Note,
            None,
            Why::Because("marked with :dart: (on target)"),
            false,
        );
    }
    out
}

/// Whether the story so far lets `candidate` be the event of `said`.
fn fits(candidate: &Candidate, said: &Said, story: &Story) -> bool {
    if said.bot
        && !candidate.structured
        && !matches!(
            candidate.kind,
            EventKind::Detected
                | EventKind::Action
                | EventKind::Note
                | EventKind::StatusPageUpdated
        )
    {
        // An alert clearing, a page acknowledged or escalated: the bot echoes what people do.
        return false;
    }
    match candidate.kind {
        EventKind::Detected => {
            !said.found.has(Cue::Opened)
                && if said.bot {
                    !story.alerted
                } else {
                    !story.reported
                }
        }
        EventKind::Acknowledged => said.written < 2,
        EventKind::Mitigated => !story.mitigated && !story.resolved,
        EventKind::Resolved => !story.resolved,
        EventKind::Declared => !story.declared,
        EventKind::SeverityChanged => candidate.severity != story.severity,
        EventKind::Action => !said.found.has(Cue::NonProd),
        _ => true,
    }
}

/// What proposing an event of `kind` tells of the story.
fn tell(story: &mut Story, said: &Said, kind: EventKind, severity: Option<Severity>) {
    match kind {
        EventKind::Detected if said.bot => story.alerted = true,
        EventKind::Detected => story.reported = true,
        EventKind::Mitigated => story.mitigated = true,
        EventKind::Resolved => {
            story.mitigated = true;
            story.resolved = true;
        }
        EventKind::Declared => {
            story.declared = true;
            story.severity = severity.or(story.severity);
        }
        EventKind::SeverityChanged => story.severity = severity.or(story.severity),
        _ => {}
    }
}

fn key_event(said: &Said, rules: &ExtractionRules, story: &mut Story) -> Option<NewProposal> {
    let message = said.message;
    let marked = message
        .reactions
        .iter()
        .find(|r| rules.key_emoji.iter().any(|k| k == *r));
    let chosen = if said.laughing() || said.options() || said.restates() {
        None
    } else {
        candidates(said).into_iter().find(|c| fits(c, said, story))
    };
    if message.pinned && about_the_postmortem(said.found.text) && chosen.is_none() {
        return None;
    }
    let reason = match (message.pinned, marked, chosen) {
        (true, _, _) => "pinned in the channel".to_owned(),
        (_, Some(emoji), _) => format!("marked with :{emoji}:"),
        (_, _, Some(candidate)) => candidate.why.reason(),
        _ => return None,
    };
    let mut kind = chosen.map_or(EventKind::Note, |c| c.kind);
    let mut severity = chosen
        .and_then(|c| c.severity)
        .filter(|_| kind.takes_severity());
    if kind == EventKind::SeverityChanged && severity.is_none() {
        kind = EventKind::Note;
    }
    if !kind.takes_severity() {
        severity = None;
    }
    tell(story, said, kind, severity);
    event_proposal(
        message,
        said.author,
        (kind, severity),
        message.pinned || marked.is_some(),
        rules,
        reason,
    )
}

/// A proposal to put `message` on the timeline as an event of `kind`, the message's links as
/// its evidence (after the link back to the message, when the rules know where the chat lives).
fn event_proposal(
    message: &ChatMessage,
    author: Option<&str>,
    (kind, severity): (EventKind, Option<Severity>),
    key_point: bool,
    rules: &ExtractionRules,
    reason: String,
) -> Option<NewProposal> {
    let body = text::required("text", &message.text, text::LONG).ok()?;
    let mut event =
        NewTimelineEvent::from_parts(message.at, kind, &body, EventSource::Chat, severity)
            .ok()?
            .with_author(author)
            .ok()?
            .key_point(key_point);
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
        quiet: false,
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

/// Why `said` is a to-do, if it is one.
/// `told` is whether the message is itself a key event: the incident's phase then says nothing
/// of it ("Mitigated: fork PRs need approval" reports the fix, it asks for none).
fn todo_why(said: &Said, story: &Story, told: bool) -> Option<Why> {
    let found = said.found;
    let text = found.text;
    if said.bot || said.laughing() || found.has(Cue::NotTodo) || found.has(Cue::Process) {
        return None;
    }
    let question = is_question(text);
    let asks = found.has(Cue::Request);
    // A question is a to-do only when it asks someone to do something.
    if question && !asks {
        return None;
    }
    if let Some(hit) = found
        .of(Cue::Todo)
        .chain(found.of(Cue::Later))
        .min_by_key(|h| h.start)
    {
        return Some(Why::Says(hit.phrase));
    }
    if found.has(Cue::Filed) {
        return None;
    }
    // A reply in the follow-ups thread says work when it has a few words: "yep, mine." takes
    // one on, it is not another.
    if reply_in(said.message).is_some_and(|thread| story.follow_up_threads.contains(&thread))
        && text.split(' ').count() >= 5
    {
        return Some(Why::Because("a reply in the thread opened for follow-ups"));
    }
    // Once resolved, requests and plural obligations ("config pushes need to …") are for later;
    // before, "can we …?" and "they need to update the app" are about the incident.
    if told {
        return None;
    }
    if story.resolved
        && let Some(hit) = found
            .of(Cue::Request)
            .find(|h| !matches!(h.phrase, "can you" | "could you"))
            .or_else(|| found.hits.iter().find(|h| h.phrase == "need to"))
    {
        return Some(Why::Once(hit.phrase, "resolved"));
    }
    if story.mitigated || story.resolved {
        let state = if story.resolved {
            "resolved"
        } else {
            "mitigated"
        };
        if let Some(hit) = found
            .of(Cue::Obligation)
            .find(|h| h.phrase != "should" || obliges(text, h.end))
            .or_else(|| found.of(Cue::Gap).next())
        {
            return Some(Why::Once(hit.phrase, state));
        }
    }
    None
}

fn todo(said: &Said, story: &Story, told: bool) -> Option<NewProposal> {
    let why = todo_why(said, story, told)?;
    let message = said.message;
    let title = todo_title(&message.text);
    let mut item = NewActionItem::new(&title).ok()?;
    let said_by = said.author.map(|a| format!(" by {a}")).unwrap_or_default();
    item.description = format!(
        "Said{said_by} in #{} at {}:\n\n> {}",
        message.channel,
        message.at.format("%Y-%m-%d %H:%M UTC"),
        message.text.trim().replace('\n', "\n> ")
    );
    Some(NewProposal {
        source_id: format!("todo:{}", message.id),
        reason: why.reason(),
        quote: Some(message.text.clone()),
        suggestion: Suggestion::Action { item },
        quiet: false,
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

    /// A message by someone else, or a bot, or in a thread.
    fn by(id: &str, who: &str, text: &str) -> ChatMessage {
        let mut m = message(id, text);
        m.author_id = Some(format!("U-{who}"));
        m.author = Some(who.into());
        m
    }

    fn bot(id: &str, name: &str, text: &str) -> ChatMessage {
        let mut m = by(id, name, text);
        m.bot = true;
        m.subtype = Some("bot_message".into());
        m
    }

    fn reply(id: &str, thread: &str, who: &str, text: &str) -> ChatMessage {
        let mut m = by(id, who, text);
        m.thread = Some(thread.into());
        m
    }

    /// The proposals of a conversation, as `ts: kind reason` lines.
    fn story(messages: Vec<ChatMessage>) -> Vec<String> {
        propose(&messages, &users(), &ExtractionRules::default())
            .into_iter()
            .filter_map(|p| {
                let ts = p
                    .source_id
                    .rsplit(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                match &p.suggestion {
                    Suggestion::Event { event } => {
                        Some(format!("{ts}: {} {}", event.kind(), p.reason))
                    }
                    Suggestion::Action { .. } => Some(format!("{ts}: todo {}", p.reason)),
                    Suggestion::Participant { .. } => None,
                }
            })
            .collect()
    }

    #[test]
    fn an_alert_bot_firing_is_the_detection_and_only_its_first_alert() {
        assert_eq!(
            story(vec![
                bot(
                    "1",
                    "Grafana OnCall",
                    "Alert group #2291 ConsumerLag firing"
                ),
                bot(
                    "2",
                    "Grafana OnCall",
                    "Alert group #2292 ConsumerLag (eu) firing"
                ),
            ]),
            ["1: detected a bot's post says “firing”"]
        );
        assert_eq!(
            story(vec![bot("1", "Grafana", "@liveops-oncall")]),
            ["1: detected an alert bot notifies an on-call group"]
        );
    }

    #[test]
    fn bots_echoing_acknowledgements_escalations_and_recoveries_are_not_events() {
        assert_eq!(
            story(vec![
                bot("1", "Opsgenie", "[Opsgenie] #88124 acknowledged by dominic"),
                bot("2", "PagerDuty", "Escalated to database-primary"),
                bot("3", "Alertmanager", "[RESOLVED] CheckoutHigh5xxRate"),
                bot("4", "Datadog", "Recovered: [Synthetics] login journey"),
            ]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_deploy_bot_starting_and_succeeding_in_production_are_actions_not_on_staging() {
        assert_eq!(
            story(vec![
                bot(
                    "1",
                    "Spinnaker",
                    ":rocket: Pipeline *edge-config · deploy-prod* started"
                ),
                bot("2", "Dagster", "Run succeeded: wardline_catchup_extract"),
                bot(
                    "3",
                    "Argo CD",
                    ":arrows_counterclockwise: *mobile-gw-staging* sync started"
                ),
            ]),
            [
                "1: action a bot's post says “started”",
                "2: action a bot's post says “succeeded”"
            ]
        );
    }

    #[test]
    fn an_incident_bots_declaration_severity_and_status_fields_are_the_calls() {
        assert_eq!(
            story(vec![
                bot(
                    "1",
                    "Firewatch",
                    "INC-731 declared · SEV2 (Major) · Login queue stuck"
                ),
                bot(
                    "2",
                    "Firewatch",
                    "Severity changed SEV2 → SEV1 (Critical) by Jonas"
                ),
                bot(
                    "3",
                    "incident.io",
                    "Status changed from Investigating to Monitoring"
                ),
                bot(
                    "4",
                    "incident.io",
                    "Severity changed from Critical to Minor"
                ),
                bot("5", "Firewatch", "Update from Jonas · Status: Resolved"),
            ]),
            [
                "1: declared says “declared”",
                "2: severity_changed says “severity changed”",
                "3: mitigated an incident status field",
                "4: severity_changed says “severity changed”",
                "5: resolved an incident status field",
            ]
        );
    }

    #[test]
    fn an_incident_bot_may_declare_with_a_named_severity_and_move_status_with_an_arrow() {
        let messages = [
            bot(
                "1",
                "incident.io",
                "INC-88 declared: API 5xx · Severity: Major · Lead: Alice",
            ),
            bot(
                "2",
                "incident.io",
                "Alice updated the status: Investigating → Monitoring",
            ),
        ];
        let proposals = propose(&messages, &users(), &ExtractionRules::default());
        let events: Vec<(EventKind, Option<String>)> = proposals
            .iter()
            .filter_map(|p| match &p.suggestion {
                Suggestion::Event { event } => {
                    Some((event.kind(), event.severity().map(|s| s.to_string())))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            events,
            [
                (EventKind::Declared, Some("SEV-2".to_owned())),
                (EventKind::Mitigated, None)
            ]
        );
    }

    #[test]
    fn severities_are_read_as_sev_p_and_severity_words_after_a_change_verb() {
        let severity = |text: &str| {
            let proposals = propose(&[message("1", text)], &users(), &ExtractionRules::default());
            match proposals.first().map(|p| &p.suggestion) {
                Some(Suggestion::Event { event }) => {
                    (event.kind(), event.severity().map(|s| s.to_string()))
                }
                _ => panic!("no event for {text}"),
            }
        };
        let changed = |s: &str| (EventKind::SeverityChanged, Some(s.to_owned()));
        assert_eq!(
            severity("bumping to sev2. oldest push is 1h late"),
            changed("SEV-2")
        );
        assert_eq!(
            severity("Agreed. Raising HX-0112 to *P1*."),
            changed("SEV-1")
        );
        assert_eq!(
            severity("I am lowering MI-0457 to *Severity 2*."),
            changed("SEV-2")
        );
        assert_eq!(
            severity("calling it sev3. pushes are delayed"),
            (EventKind::Declared, Some("SEV-3".to_owned()))
        );
    }

    #[test]
    fn a_severity_question_or_the_severity_already_called_is_not_a_change() {
        assert_eq!(
            story(vec![
                message("1", "Declaring SEV-2 for checkout 502s"),
                message("2", "is this not SEV1? raising to sev1?"),
                by("3", "jonas", "raising to SEV-2, as said"),
            ]),
            ["1: declared says “declaring”"]
        );
    }

    #[test]
    fn an_acknowledgement_counts_in_the_responders_first_messages_only() {
        assert_eq!(
            story(vec![
                by("1", "teo", "here, got the page, laptop open"),
                by("2", "jonas", "queue 230k → 96k"),
                by("3", "jonas", "p95 wait 21m → 9m"),
                by("4", "jonas", "ack, have it. gn teo"),
            ]),
            ["1: acknowledged says “got the page” in one of their first messages here"]
        );
    }

    #[test]
    fn only_the_first_mitigation_and_resolution_are_calls_and_a_repeat_falls_to_its_other_kind() {
        assert_eq!(
            story(vec![
                message("1", "Calling this mitigated as of 21:06."),
                message("2", "sent a summary to #leadership: mitigated since 21:06"),
                message("3", "update: mitigated since 21:06, voiding in progress"),
                message("4", "Resolving INC-2041. Thank you all"),
                message(
                    "5",
                    "FYI the status page history shows it resolved at 00:39"
                ),
            ]),
            [
                "1: mitigated says “mitigated”",
                "2: communication says “sent a summary”",
                "4: resolved says “resolving”",
            ]
        );
    }

    #[test]
    fn a_command_that_changes_production_is_an_action_even_in_code() {
        check(
            message(
                "1",
                "rolling restart to unstick it: `kubectl -n notifications rollout restart deploy/notif`",
            ),
            &["action runs a `kubectl` command that changes production"],
        );
        check(
            message("1", "`kubectl get pods -n notifications` shows 12/12"),
            &[],
        );
        check(
            message(
                "1",
                "Watermark reset:\n```BEGIN; UPDATE extract_watermark SET mark = '2026-05-11' WHERE name = 'nightly'; COMMIT;```",
            ),
            &["action an SQL `UPDATE … SET` on production"],
        );
    }

    #[test]
    fn an_option_list_a_plan_or_an_idea_is_a_proposal_not_an_event() {
        check(
            message(
                "1",
                "a) roll back to 3.13.2\nb) kill switch `kubectl set env` rolls the pods",
            ),
            &[],
        );
        check(
            message(
                "1",
                "Proposal:\n1. Pause the schedule\n2. Files delivered under a new name",
            ),
            &[],
        );
        check(
            message(
                "1",
                "idea: scale gatekeeper 12 → 36 pods, restarted ones too",
            ),
            &[],
        );
    }

    #[test]
    fn a_status_page_post_by_a_person_shows_its_status_and_a_draft_does_not_count() {
        check(
            message(
                "1",
                "status page → monitoring:\n> *Delayed pushes* · Monitoring. Arriving on time.",
            ),
            &["status_page_updated a status-page post with its status"],
        );
        check(
            message("1", "status page resolved:\n> *Delayed pushes* · Resolved."),
            &["status_page_updated a status-page post with its status"],
        );
        check(
            message(
                "1",
                "status page draft:\n> *Delayed pushes* · Investigating.",
            ),
            &[],
        );
    }

    #[test]
    fn customers_reports_relayed_by_a_person_are_the_detection_once() {
        assert_eq!(
            story(vec![
                bot("1", "Datadog", "Triggered: login journey failing"),
                by(
                    "2",
                    "jen",
                    "Support here. 14 tickets in the last 5 minutes, all Bad Gateway"
                ),
                by("3", "jen", "we've had 40 new tickets since"),
            ]),
            [
                "1: detected a bot's post says “triggered”",
                "2: detected says “tickets in the last”",
            ]
        );
        check(
            message("1", "zendesk got 140 new tickets in 6 min"),
            &["detected says “new tickets”"],
        );
        check(
            message(
                "1",
                "Since about lunchtime we've had 9 tickets: search shows old prices",
            ),
            &["detected counts customers' tickets"],
        );
    }

    #[test]
    fn a_statement_of_when_it_started_with_a_time_is_the_impact_start() {
        check(
            message(
                "1",
                "lines up: lag started climbing at 01:04, right when prefs p99 went up",
            ),
            &["impact_started says when it started: “started” and a time"],
        );
        check(
            message(
                "1",
                "from the logs: first admit timeout 15:58:12, players stuck since",
            ),
            &["impact_started says when it started: “first” and a time"],
        );
        check(message("1", "first thing tomorrow I'll check it"), &[]);
        check(
            message("1", "only deploy today: notif-dispatcher 3.14.0 at 00:38"),
            &["root_cause_began names a version, its deploy and the time"],
        );
    }

    #[test]
    fn a_message_the_channel_laughed_at_is_neither_an_event_nor_a_to_do() {
        let mut joke = message("1", "TODO: buy jonas a chair that doesn't squeak");
        joke.reactions = vec!["joy".into()];
        check(joke, &[]);
        check(
            message("1", "he has declared himself IC of your keyboard :joy:"),
            &[],
        );
        check(
            message(
                "1",
                "lmao. filed as LIVE-2231 … LIVE-2240, rolled back the jokes",
            ),
            &[],
        );
    }

    #[test]
    fn quoted_lines_are_someone_elses_words() {
        check(
            message(
                "1",
                "From the problem record:\n> PRB0001123 root cause: a calendar reminder.\nI'm checking the inventory.",
            ),
            &[],
        );
    }

    #[test]
    fn a_decision_label_keeps_the_intention_it_states() {
        check(
            message(
                "1",
                "Decision: we'll go with Inês's plan, with a catch-up file per trust.",
            ),
            &["note says “decision:”"],
        );
    }

    #[test]
    fn an_intention_after_the_phrase_or_a_negation_before_the_sentence_does_not_veto() {
        check(
            message(
                "1",
                "paging prefs on-call, need to know why they're at 740ms",
            ),
            &["paged says “paging”"],
        );
        check(
            message("1", "not yet. Paging database on-call to rule it out"),
            &["paged says “paging”"],
        );
    }

    #[test]
    fn descriptions_are_not_reports() {
        check(
            message("1", "but people who restarted earlier are at the back"),
            &[],
        );
        check(
            message("1", "37,912 devices with notifications enabled"),
            &[],
        );
    }

    #[test]
    fn a_finding_marked_on_target_is_a_note() {
        let mut m = message(
            "1",
            "shard 2 slowlog is wall-to-wall ZRANK on one sorted set",
        );
        m.reactions = vec!["dart".into()];
        check(m, &["note marked with :dart: (on target)"]);
    }

    #[test]
    fn a_person_relaying_alarms_in_the_channels_first_message_is_the_detection() {
        assert_eq!(
            story(vec![
                message(
                    "1",
                    "hi all, I make this channel. copy from #infra: at 07:31 I got abuse mail from our host"
                ),
                message("2", "at 07:40 I looked at the runner"),
            ]),
            ["1: detected opens the channel with what was seen, and when"]
        );
        // After an alert, the first human message is not the detection again.
        assert_eq!(
            story(vec![
                bot("1", "Zabbix", "Problem: link down [FIRING]"),
                message("2", "MI channel for the ring, alarms from 02:47Z"),
            ]),
            ["1: detected a bot's post says “firing”"]
        );
    }

    #[test]
    fn severities_written_s1_to_s3_are_read_after_to_and_not_as_aws_s3() {
        check(
            message("1", "upgrading to *S1*. the signing key was exposed"),
            &["severity_changed changes the severity: “upgrading … to”"],
        );
        check(message("1", "moving the backups to S3 bucket tonight"), &[]);
        check(message("1", "bumped the retention to S3 glacier"), &[]);
        check(message("1", "moved the logs we keep to s3."), &[]);
    }

    #[test]
    fn a_job_bots_started_and_successful_are_actions() {
        assert_eq!(
            story(vec![
                bot(
                    "1",
                    "AWX",
                    "Job #88412 'congestion-profile' started (launched by marc)"
                ),
                bot(
                    "2",
                    "AWX",
                    "Job #88412 'congestion-profile' successful (changed: 2)"
                ),
            ]),
            [
                "1: action a bot's post says “started”",
                "2: action a bot's post says “successful”",
            ]
        );
    }

    #[test]
    fn calling_a_person_by_name_is_a_page_and_saying_your_name_here_an_acknowledgement() {
        let people = vec![
            ChatUser {
                id: "U1".into(),
                name: "Ana Lima".into(),
                title: None,
                bot: false,
            },
            ChatUser {
                id: "U-tuan".into(),
                name: "Tuan".into(),
                title: None,
                bot: false,
            },
        ];
        let proposals = propose(
            &[
                message("1", "called Tuan on Signal, no answer, left a message"),
                message("2", "it's called the overload bit"),
                by("3", "Tuan", "Tuan here (RAN). pulling up the cluster view"),
            ],
            &people,
            &ExtractionRules::default(),
        );
        let reasons: Vec<String> = proposals
            .iter()
            .filter_map(|p| match &p.suggestion {
                Suggestion::Event { event } => Some(format!("{} {}", event.kind(), p.reason)),
                _ => None,
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "paged says “called” and a person's name: a page",
                "acknowledged introduces themselves: “… here”",
            ]
        );
    }

    #[test]
    fn a_change_named_with_its_day_and_time_is_when_the_cause_began() {
        check(
            message(
                "1",
                "git blame: #1873 \"ci: run tests on forks\", merged 29 Sep 14:02 UTC",
            ),
            &["root_cause_began says “merged”"],
        );
        check(
            message(
                "1",
                "`set overload` was committed on bdn-cr-01 at 2026-08-06 05:10Z by the implementer",
            ),
            &["root_cause_began says “committed”"],
        );
        // A time without a day is not enough: changes are made all through an incident.
        assert_eq!(
            story(vec![
                message("1", "morning all"),
                message("2", "merged the fix at 14:02")
            ]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_fix_dated_the_day_it_is_reported_is_not_when_the_cause_began() {
        // The test messages are written on 2026-11-20.
        for text in [
            "applied the hotfix at 2026-11-20 05:40Z",
            "deployed v2.3.1 to prod 20 nov 05:50 UTC, errors dropping",
        ] {
            let kinds: Vec<String> = story(vec![message("0", "morning"), message("1", text)]);
            assert!(
                kinds.iter().all(|k| !k.contains("root_cause_began")),
                "{text}: {kinds:?}"
            );
        }
    }

    #[test]
    fn a_word_that_is_also_someones_name_is_no_page_unless_written_as_a_name() {
        let people = vec![ChatUser {
            id: "U-will".into(),
            name: "Will Smith".into(),
            title: None,
            bot: false,
        }];
        let kinds = |text: &str| -> Vec<String> {
            propose(
                &[message("0", "morning"), message("1", text)],
                &people,
                &ExtractionRules::default(),
            )
            .iter()
            .filter_map(|p| match &p.suggestion {
                Suggestion::Event { event } => Some(event.kind().to_string()),
                _ => None,
            })
            .collect()
        };
        assert_eq!(kinds("sent will be the new config"), Vec::<String>::new());
        assert_eq!(kinds("called Will on his phone"), ["paged"]);
    }

    #[test]
    fn the_windows_first_message_is_the_detection_only_when_it_opens_the_incident() {
        assert_eq!(
            story(vec![message("1", "lunch at 12:30 today, the usual place")]),
            Vec::<String>::new()
        );
    }

    fn team(kept: &[(&str, EventKind)]) -> crate::learn::TeamModel {
        let chatter: Vec<String> = (0..60)
            .map(|i| format!("chatter about lunch number {i} and coffee"))
            .collect();
        crate::learn::TeamModel::train(
            chatter
                .iter()
                .map(|text| crate::learn::Example {
                    text,
                    bot: false,
                    kept: None,
                })
                .chain(kept.iter().map(|(text, kind)| crate::learn::Example {
                    text,
                    bot: false,
                    kept: Some(*kind),
                })),
        )
        .unwrap()
    }

    fn learnt(messages: Vec<ChatMessage>, team: &crate::learn::TeamModel) -> Vec<String> {
        let learnt = Learnt {
            team: Some(team),
            keep_the_rest: true,
        };
        propose_with(&messages, &users(), &ExtractionRules::default(), learnt)
            .into_iter()
            .filter(|p| !matches!(p.suggestion, Suggestion::Participant { .. }))
            .map(|p| {
                let ts = p
                    .source_id
                    .rsplit(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let quiet = if p.quiet { " (quiet)" } else { "" };
                match &p.suggestion {
                    Suggestion::Event { event } => format!("{ts}: {}{quiet}", event.kind()),
                    _ => format!("{ts}: todo{quiet}"),
                }
            })
            .collect()
    }

    #[test]
    fn a_message_the_team_model_picks_as_a_severity_change_is_a_note_not_lost() {
        let steps: Vec<String> = (1..=6)
            .map(|i| format!("prioridad subida a nivel {i} ahora"))
            .collect();
        let kept: Vec<(&str, EventKind)> = steps
            .iter()
            .map(|t| (t.as_str(), EventKind::SeverityChanged))
            .collect();
        assert_eq!(
            learnt(
                vec![
                    message("0", "morning"),
                    message("1", "prioridad subida a nivel 2 ahora")
                ],
                &team(&kept)
            ),
            ["0: note (quiet)", "1: note"]
        );
    }

    #[test]
    fn a_message_the_team_model_picks_keeps_its_to_do_and_the_story_holds() {
        let steps: Vec<String> = (1..=6)
            .map(|i| format!("servicio restablecido del todo en zona {i}"))
            .collect();
        let kept: Vec<(&str, EventKind)> = steps
            .iter()
            .map(|t| (t.as_str(), EventKind::Resolved))
            .collect();
        assert_eq!(
            learnt(
                vec![
                    message("1", "Calling this resolved."),
                    message(
                        "2",
                        "servicio restablecido del todo, the alert needs to page on-call"
                    ),
                ],
                &team(&kept)
            ),
            ["1: resolved", "2: note", "2: todo",]
        );
    }

    #[test]
    fn a_shift_handover_restates_and_is_not_an_event() {
        check(
            message(
                "1",
                "*SHIFT HANDOVER N→D*\n*State:* all services restored at 03:45Z, severity lowered to P2",
            ),
            &[],
        );
    }

    #[test]
    fn a_short_reply_taking_on_a_follow_up_is_not_another_to_do() {
        assert_eq!(
            story(vec![
                reply("1", "1", "kai", ":thread: follow-ups, dump them here"),
                reply("2", "1", "ngaio", "alert on rebalance rate, not just lag"),
                reply("3", "1", "moana", "yep, mine."),
                reply("4", "1", "kai", "PRB0031878 raised for the alarm gap"),
            ]),
            ["2: todo a reply in the thread opened for follow-ups"]
        );
    }

    #[test]
    fn a_key_event_that_reports_the_fix_is_not_a_to_do_by_the_phase() {
        assert_eq!(
            story(vec![
                message("1", "Calling this mitigated."),
                message(
                    "2",
                    "Restored: the workflow is disabled and fork PRs needs to be approved"
                ),
                message("3", "fork PRs needs to be approved by a maintainer"),
            ]),
            [
                "1: mitigated says “mitigated”",
                "2: action says “disabled”",
                "3: todo says “needs to” once the incident is mitigated",
            ]
        );
    }

    #[test]
    fn replies_in_a_thread_opened_for_follow_ups_are_to_dos_but_not_process_or_filed_tickets() {
        assert_eq!(
            story(vec![
                reply("1", "1", "kai", ":thread: follow-ups, dump them here"),
                reply("2", "1", "ngaio", "alert on rebalance rate, not just lag"),
                reply(
                    "3",
                    "1",
                    "moana",
                    "whoever writes the review pls include the restart timeline"
                ),
                reply("4", "1", "kai", "i'll write it up"),
                reply("5", "1", "kai", "filed as NOTIF-1417 … NOTIF-1425"),
                reply("6", "9", "kai", "max.poll.records is still the default"),
            ]),
            ["2: todo a reply in the thread opened for follow-ups"]
        );
    }

    #[test]
    fn obligations_and_gaps_become_to_dos_once_the_incident_is_mitigated() {
        assert_eq!(
            story(vec![
                message("1", "the dispatcher should refuse to start on unknown vars"),
                message("2", "Calling this mitigated."),
                message("3", "the dispatcher should refuse to start on unknown vars"),
                message("4", "we should be fine for the evening peak"),
                message("5", "every file should be several megabytes tonight"),
                message(
                    "6",
                    "Similarly, there was no status page template for the app"
                ),
                message("7", "I'm satisfied there was no harm"),
                message("8", "the reused key has to be rotated within 30 days"),
            ]),
            [
                "2: mitigated says “mitigated”",
                "3: todo says “should” once the incident is mitigated",
                "6: todo says “there was no” once the incident is mitigated",
                "8: todo says “has to” once the incident is mitigated",
            ]
        );
    }

    #[test]
    fn requests_become_to_dos_once_resolved_and_immediate_ones_never() {
        assert_eq!(
            story(vec![
                message("1", "can we ship a client fix tonight?"),
                message("2", "Resolving INC-1."),
                message("3", "can you restart it now?"),
                message(
                    "4",
                    "could we have pre-approved IVR wording for an app outage?"
                ),
                message(
                    "5",
                    "Can someone check whether other certificates are orphaned?"
                ),
            ]),
            [
                "2: resolved says “resolving”",
                "4: todo says “could we” once the incident is resolved",
                "5: todo says “can someone” once the incident is resolved",
            ]
        );
    }

    #[test]
    fn work_deferred_to_after_the_incident_is_a_to_do_even_while_it_lasts() {
        check(
            message(
                "1",
                "i'll rotate the redis password once we're out of this, not mid-incident",
            ),
            &[
                "todo “i'll rotate the redis password once we're out of this, not mid-incident” says “once we're out of”",
            ],
        );
        check(
            message(
                "1",
                "let's make sure nobody restarts pods without saying so in here first",
            ),
            &[],
        );
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
