//! The blameless-language lint: wording that blames a person instead of describing the system.
//!
//! A blameless post-mortem asks what allowed something to happen, never who did it. The readiness
//! check (§8 of the product) reports the wording that slips back into blame, each finding with a
//! systemic question to reword it. This module is that rule: a pure function of the Markdown
//! text and the incident's participant names.
//!
//! | rule | what it catches |
//! |---|---|
//! | `person-as-cause` | a person as the doer of the harm: "Bob broke prod", "because Alice forgot to…", "Alice's mistake", "caused by Bob", "a typo by Sam", "Chris pushed a bad config", "Sam accidentally deleted…" |
//! | `human-error` | "human error", "operator error", "user error", "PEBKAC" |
//! | `should-have` | hindsight about a person: "Bob should have checked", "the reviewer ought to have…", "Rose could have prevented this", "if Ana had followed the checklist…" |
//! | `judgement-word` | words that judge care or ability: careless, negligent, sloppy, lazy, incompetent, reckless, "dropped the ball", "asleep at the wheel" |
//! | `fault-of` | "Bob's fault", "the fault of Alice", "at fault", "blame", "to blame" |
//! | `who-broke` | the hunt for a culprit: "who broke the build", "who pushed the bad config" |
//!
//! These are small word rules, not a grammar. Their precision and recall are measured on a
//! labelled set of post-mortem sentences, `tests/data/blame-sentences.tsv`
//! (`cargo test -p hindsight-core --test blame_lint -- --nocapture` prints the figures).
//!
//! # Decisions
//!
//! - **Who counts as a person.** A participant, by full name or first name, spelled exactly as
//!   the people list spells it (case-sensitive) and as a whole word: with a participant "Will",
//!   "Will didn't test" names him and "we will add" does not; "alice-service", "Alice-bot" and
//!   "alice" are identifiers, never Alice. A name that is also a word is still a name when
//!   capitalised at the start of a sentence ("Grace period…"), but a finding needs a blaming
//!   predicate right after it, which such sentences do not have. Also a person: he, she, I,
//!   you, someone, somebody, and people by role (the on-call engineer, the reviewer, the intern,
//!   the database team). "They" counts only with verbs no system does (forgot, fat-fingered…).
//! - **"We" is not flagged**: "we should have known", "we forgot to update the status page" own a
//!   gap collectively and single no one out. **"I" is**: "I should have double-checked" is
//!   self-blame, which a blameless review discourages as much as blaming others.
//! - **A team is people**: "the database team should have reviewed it" points at a group.
//! - **"Should have" needs a person as its subject**: "the alert should have fired" is about the
//!   system. The passive "the on-call engineer should have been paged" is the pager's job and is
//!   not flagged; "should have been more careful" is.
//! - **A mention is not a use**: a quotation holding nothing but a flagged term ("we avoid words
//!   like "careless"") talks about the word and is not flagged; a quoted sentence ("who pushed
//!   the bad config?") is flagged like any other, since the document still says it.
//! - **Refused blame is blameless**: "no one is to blame", "rather than blame", "does not assign
//!   blame" and "it is easy to blame …, but" are not flagged. Any other "blame" is, even aimed
//!   at a system.
//! - **Neutral reports of what a person did are fine**: "Alice rolled back the deploy", "Chris
//!   pushed the config change at 13:58". The same verbs blame once the object is judged ("pushed
//!   a *bad* config"), the act is called an accident ("accidentally", "by mistake") or a
//!   safeguard is said to be skipped ("without checking", "without a WHERE clause"). A negated
//!   person is no cause: "no single person caused this" is not flagged.
//! - **Code is not prose**: inline code, fenced blocks and URLs are skipped; "git blame" is a
//!   command. Technical senses are not judgements: "faulty disk", "page fault",
//!   "fault-tolerant", "lazy loading", "sloppy quorum", "error rate".
//!
//!
//! # Known gaps
//!
//! Sentences of the held-out set the rules miss: idioms with the harm away from the verb ("took
//! search offline", "took production down by…", "cut corners", "slept through the pages",
//! "managed to wipe", "overrode the safety check"), a person in an apposition ("Hugo, the
//! on-call engineer, slept…"), a role after its noun ("the developer responsible should have
//! known"), and a passive agent followed by more verbs ("written by Robin and rushed through
//! review"). Its one false positive is a rule stated about people in general ("engineers can
//! merge without review on old repositories").
//!
//! The lint never panics: every range it reports comes from the text's own character
//! boundaries, and its work grows linearly with the text.

use serde::Serialize;
use std::collections::HashSet;

/// One sentence that blames a person instead of describing the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlameFinding {
    /// A stable id, one of [`RULES`].
    pub rule: &'static str,
    /// The words that triggered it, as written.
    pub phrase: String,
    /// Byte range of `phrase` in the input text.
    pub start: usize,
    pub end: usize,
    /// The whole sentence it is in.
    pub sentence: String,
    /// What is wrong, for a person.
    pub message: String,
    /// A systemic rewording prompt.
    pub suggestion: String,
}

pub const PERSON_AS_CAUSE: &str = "person-as-cause";
pub const HUMAN_ERROR: &str = "human-error";
pub const SHOULD_HAVE: &str = "should-have";
pub const JUDGEMENT_WORD: &str = "judgement-word";
pub const FAULT_OF: &str = "fault-of";
pub const WHO_BROKE: &str = "who-broke";

/// Every rule id the lint can report.
pub const RULES: [&str; 6] = [
    PERSON_AS_CAUSE,
    HUMAN_ERROR,
    SHOULD_HAVE,
    JUDGEMENT_WORD,
    FAULT_OF,
    WHO_BROKE,
];

/// Every phrase in `text` that blames a person, in text order. `people` are the incident's
/// participants ("Alice Martin"); each is recognised by full name and by first name.
pub fn blame_findings(text: &str, people: &[&str]) -> Vec<BlameFinding> {
    let names = Names::new(people);
    let mut findings = Vec::new();
    for sentence in sentences(text) {
        let (Some(first), Some(last)) = (sentence.first(), sentence.last()) else {
            continue;
        };
        let sentence_text = &text[first.start..last.end];
        let scan = Scan {
            toks: &sentence,
            names: &names,
        };
        let quotes = scan.quoted_spans();
        for hit in tidy(scan.hits()) {
            let (start, end) = (sentence[hit.from].start, sentence[hit.to - 1].end);
            if hit.mentionable && quotes.contains(&(start, end)) {
                continue;
            }
            let phrase = &text[start..end];
            findings.push(BlameFinding {
                rule: hit.rule,
                phrase: phrase.to_owned(),
                start,
                end,
                sentence: sentence_text.to_owned(),
                message: message(hit.rule, phrase),
                suggestion: suggestion(hit.rule).to_owned(),
            });
        }
    }
    findings
}

fn message(rule: &str, phrase: &str) -> String {
    let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
    match rule {
        PERSON_AS_CAUSE => format!("“{phrase}” names a person as the cause"),
        HUMAN_ERROR => format!(
            "“{phrase}” ends the analysis at a person instead of asking what made the error likely"
        ),
        SHOULD_HAVE => format!("“{phrase}” judges a person with hindsight they did not have"),
        JUDGEMENT_WORD => format!("“{phrase}” judges a person's care or ability"),
        FAULT_OF => format!("“{phrase}” looks for someone at fault"),
        _ => format!("“{phrase}” asks who did it instead of how it happened"),
    }
}

fn suggestion(rule: &str) -> &'static str {
    match rule {
        PERSON_AS_CAUSE => {
            "describe what allowed this to happen: which check, signal or safeguard was missing?"
        }
        HUMAN_ERROR => {
            "name the conditions that made the slip easy: tooling, defaults, missing guard rails, time pressure?"
        }
        SHOULD_HAVE => {
            "describe what the person knew and saw at the time, and what would have made the safe action the easy one"
        }
        JUDGEMENT_WORD => {
            "describe the action and its context instead of judging it: why did it make sense at the time?"
        }
        FAULT_OF => "ask what allowed this to happen rather than whose fault it was",
        _ => {
            "ask how the change got through: which review, test or rollout stage let it reach production?"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens and sentences
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    /// Inline code or a URL: it takes a place in the sentence but never matches a word.
    Code,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token<'t> {
    kind: Kind,
    start: usize,
    end: usize,
    /// As written, without a possessive ending ("Alice" for "Alice's").
    base: &'t str,
    /// `base` in lower case with typographic apostrophes made straight, for the word lists.
    low: String,
    possessive: bool,
}

/// Characters that join two word characters into one token: "on-call", "should've",
/// "alice-service", "v1.2", "bob@example.com".
const JOINERS: [char; 7] = ['-', '_', '\'', '’', '.', '/', '@'];
/// Closing marks that may follow the end of a sentence: `."` `?)` `.**`.
const CLOSERS: [char; 8] = ['"', '\'', '”', '’', ')', ']', '*', '_'];
/// Words ending in a period that does not end the sentence.
#[rustfmt::skip]
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "cf", "approx", "mr", "mrs", "ms", "dr", "st", "no", "fig", "inc",
    "ltd", "jr", "sr", "al",
];
/// "it's" is "it is", not the possessive of "it".
#[rustfmt::skip]
const CONTRACTED: &[&str] = &[
    "it", "that", "he", "she", "what", "who", "there", "here", "let", "where", "how", "this",
];

fn word_token(text: &str, start: usize, end: usize) -> Token<'_> {
    let raw = &text[start..end];
    let stem = raw
        .strip_suffix("'s")
        .or_else(|| raw.strip_suffix("’s"))
        .or_else(|| raw.strip_suffix("'S"))
        .filter(|stem| !stem.is_empty() && !CONTRACTED.contains(&stem.to_lowercase().as_str()))
        .or_else(|| raw.strip_suffix('\'').or_else(|| raw.strip_suffix('’')));
    let (base, possessive) = match stem {
        Some(stem) if !stem.is_empty() => (stem, true),
        _ => (raw, false),
    };
    Token {
        kind: Kind::Word,
        start,
        end,
        base,
        low: base.to_lowercase().replace('’', "'"),
        possessive,
    }
}

fn other_token(kind: Kind, start: usize, end: usize) -> Token<'static> {
    Token {
        kind,
        start,
        end,
        base: "",
        low: String::new(),
        possessive: false,
    }
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|rest| rest.chars().next())
}

/// Splits Markdown prose into sentences of tokens. Sentences end at `.`, `!` or `?` followed by
/// a space, at blank lines and at the start of list items, headings and quotes; code is skipped.
fn sentences(text: &str) -> Vec<Vec<Token<'_>>> {
    let mut out = Vec::new();
    let mut current: Vec<Token<'_>> = Vec::new();
    // Backtick run lengths known to have no closing run in the current paragraph: looking again
    // would make a text full of stray backticks quadratic.
    let mut unclosed_runs: HashSet<usize> = HashSet::new();
    let mut i = 0;
    let mut line_start = true;
    while i < text.len() {
        if line_start {
            line_start = false;
            match line_opening(text, i) {
                LineOpening::Fence(end) => {
                    flush(&mut current, &mut out);
                    i = end;
                    line_start = true;
                    continue;
                }
                LineOpening::Blank(end) => {
                    flush(&mut current, &mut out);
                    unclosed_runs.clear();
                    i = end;
                    continue;
                }
                LineOpening::Block(content) => {
                    flush(&mut current, &mut out);
                    i = content;
                    continue;
                }
                LineOpening::Prose => {}
            }
        }
        let Some(c) = char_at(text, i) else { break };
        let next = i + c.len_utf8();
        if c == '\n' {
            line_start = true;
            i = next;
        } else if c.is_whitespace() {
            i = next;
        } else if c == '`' {
            let run = text[i..].bytes().take_while(|&b| b == b'`').count();
            let close = if unclosed_runs.contains(&run) {
                None
            } else {
                closing_backticks(text, i + run, run)
            };
            match close {
                Some(end) => {
                    current.push(other_token(Kind::Code, i, end));
                    i = end;
                }
                None => {
                    unclosed_runs.insert(run);
                    current.push(other_token(Kind::Punct('`'), i, i + run));
                    i += run;
                }
            }
        } else if text[i..].starts_with("http://") || text[i..].starts_with("https://") {
            let end = url_end(text, i);
            current.push(other_token(Kind::Code, i, end));
            i = end;
        } else if c.is_alphanumeric() {
            let end = word_end(text, i);
            current.push(word_token(text, i, end));
            i = end;
        } else if matches!(c, '.' | '!' | '?' | '…') {
            let abbreviation = c == '.'
                && current.last().is_some_and(|t| {
                    t.kind == Kind::Word
                        && t.end == i
                        && (ABBREVIATIONS.contains(&t.low.as_str())
                            || (t.base.chars().count() == 1
                                && t.base.chars().all(char::is_uppercase)))
                });
            let mut j = i;
            while let Some(p) = char_at(text, j).filter(|p| matches!(p, '.' | '!' | '?' | '…')) {
                current.push(other_token(Kind::Punct(p), j, j + p.len_utf8()));
                j += p.len_utf8();
            }
            while let Some(p) = char_at(text, j).filter(|p| CLOSERS.contains(p)) {
                current.push(other_token(Kind::Punct(p), j, j + p.len_utf8()));
                j += p.len_utf8();
            }
            if !abbreviation && char_at(text, j).is_none_or(char::is_whitespace) {
                flush(&mut current, &mut out);
            }
            i = j;
        } else {
            current.push(other_token(Kind::Punct(c), i, next));
            i = next;
        }
    }
    flush(&mut current, &mut out);
    out
}

fn flush<'t>(current: &mut Vec<Token<'t>>, out: &mut Vec<Vec<Token<'t>>>) {
    // A sentence of nothing but punctuation or code has no words to judge.
    if current.iter().any(|t| t.kind == Kind::Word) {
        out.push(std::mem::take(current));
    } else {
        current.clear();
    }
}

enum LineOpening {
    /// A fenced code block, skipped up to this byte.
    Fence(usize),
    /// A line of nothing but spaces, ending here.
    Blank(usize),
    /// A list item, heading or quote whose text starts here.
    Block(usize),
    Prose,
}

fn line_opening(text: &str, line: usize) -> LineOpening {
    let rest = &text[line..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let this_line = &rest[..line_len];
    if this_line.trim().is_empty() {
        return LineOpening::Blank(line + line_len);
    }
    let indent = this_line.len() - this_line.trim_start().len();
    let content = &this_line[indent..];
    for fence in ["```", "~~~"] {
        if content.starts_with(fence) {
            return LineOpening::Fence(fence_end(text, line + line_len, fence));
        }
    }
    let mut skipped = indent;
    loop {
        let content = &this_line[skipped..];
        let marker = block_marker(content);
        if marker == 0 {
            break;
        }
        skipped += marker;
        skipped += this_line[skipped..].len() - this_line[skipped..].trim_start().len();
    }
    if skipped > indent {
        LineOpening::Block(line + skipped)
    } else {
        LineOpening::Prose
    }
}

/// The length of a Markdown block marker at the start of `content`: `- `, `* `, `+ `, `> `,
/// `## `, `1. `, `- [ ] `; 0 when there is none.
fn block_marker(content: &str) -> usize {
    let bytes = content.as_bytes();
    let spaced = |n: usize| bytes.get(n).is_none_or(|b| b.is_ascii_whitespace());
    match bytes.first() {
        Some(b'-' | b'*' | b'+') if spaced(1) => 1,
        Some(b'>') => 1,
        Some(b'#') => {
            let hashes = bytes.iter().take_while(|&&b| b == b'#').count();
            if spaced(hashes) { hashes } else { 0 }
        }
        Some(b'[') if bytes.len() >= 3 && bytes[2] == b']' && spaced(3) => 3,
        Some(b) if b.is_ascii_digit() => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits <= 3 && matches!(bytes.get(digits), Some(b'.' | b')')) && spaced(digits + 1) {
                digits + 1
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Where a fenced block opened before `from` ends: after its closing fence line, or at the end.
fn fence_end(text: &str, from: usize, fence: &str) -> usize {
    let mut at = from;
    while at < text.len() {
        // `at` is at a '\n'; the next line starts after it.
        let line = at + 1;
        let rest = text.get(line..).unwrap_or("");
        let len = rest.find('\n').unwrap_or(rest.len());
        if rest[..len].trim_start().starts_with(fence) {
            return line + len;
        }
        at = line + len;
    }
    text.len()
}

/// The end of the inline code span whose opening run of `run` backticks ends at `from`, if a
/// run of the same length closes it before the paragraph ends.
fn closing_backticks(text: &str, from: usize, run: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut blank_line = false;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                let len = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                if len == run {
                    return Some(i + len);
                }
                i += len;
                blank_line = false;
            }
            b'\n' if blank_line => return None,
            b'\n' => {
                blank_line = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                blank_line = false;
                i += 1;
            }
        }
    }
    None
}

fn url_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let len = rest
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>')
        .unwrap_or(rest.len());
    let url =
        rest[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '"', '\'', '”', '’']);
    start + url.len()
}

fn word_end(text: &str, start: usize) -> usize {
    let mut end = start;
    let mut chars = text[start..].char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if c.is_alphanumeric() {
            end = start + offset + c.len_utf8();
        } else if JOINERS.contains(&c)
            && chars
                .peek()
                .is_some_and(|&(_, next)| next.is_alphanumeric())
        {
            continue;
        } else {
            break;
        }
    }
    // "Chris' typo": a trailing apostrophe after an s is a possessive.
    let ends_in_s = text[start..end].ends_with(['s', 'S']);
    if let Some(apostrophe) = char_at(text, end).filter(|c| matches!(c, '\'' | '’'))
        && ends_in_s
        && !char_at(text, end + apostrophe.len_utf8()).is_some_and(char::is_alphanumeric)
    {
        end += apostrophe.len_utf8();
    }
    end
}

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Names {
    /// Each participant's name as words, longest first so "Alice Martin" wins over "Alice".
    full: Vec<Vec<String>>,
    /// Every name's first word, so most words are told apart from names with one look-up.
    firsts: HashSet<String>,
}

impl Names {
    fn new(people: &[&str]) -> Self {
        let mut full: Vec<Vec<String>> = people
            .iter()
            // "Jane Doe, Engineer" is how a person is shown; the name is before the comma.
            .map(|person| person.split(',').next().unwrap_or_default())
            .map(|name| {
                name.split_whitespace()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|words| !words.is_empty())
            .collect();
        full.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        full.dedup();
        let firsts = full
            .iter()
            .filter_map(|words| words.first().cloned())
            .collect();
        Names { full, firsts }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Named,
    Pronoun,
    /// "they": a person only with verbs no system does.
    They,
    Someone,
    Role,
}

/// A reference to a person, as token indices `start..end`.
#[derive(Debug, Clone, Copy)]
struct PersonRef {
    start: usize,
    end: usize,
    who: Who,
    possessive: bool,
}

/// Nouns for people by what they do.
#[rustfmt::skip]
const ROLE_NOUNS: &[&str] = &[
    "engineer", "engineers", "operator", "operators", "developer", "developers", "dev", "devs",
    "sre", "sres", "on-call", "oncall", "on-caller", "on-callers", "reviewer", "reviewers",
    "author", "admin", "admins", "administrator", "administrators", "sysadmin", "intern", "interns",
    "hire", "responder", "responders", "deployer", "approver", "dba", "dbas", "contractor",
    "employee", "person", "individual", "team", "teammate", "colleague", "coworker", "co-worker",
    "newbie", "human", "humans", "commander", "manager", "lead",
];
/// Words that may come before a role noun in the same noun phrase: "the new on-call engineer".
#[rustfmt::skip]
const ROLE_PREFIXES: &[&str] = &[
    "the", "a", "an", "our", "their", "that", "this", "one", "every", "any", "new", "junior",
    "senior", "same", "responsible", "primary", "secondary", "on-call", "oncall", "database", "db",
    "platform", "infra", "infrastructure", "sre", "network", "networking", "security", "release",
    "deploying", "releasing", "other", "previous", "original", "backend", "frontend", "payments",
    "payment", "api", "ops", "support", "storage", "data", "web", "mobile", "tech", "technical",
    "incident", "duty", "his", "her", "my", "your", "whole", "entire",
];

// ---------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------

/// Words that may stand between a subject and its verb: "Bob accidentally deleted", "Alice
/// who caused", "Bob had forgotten".
#[rustfmt::skip]
const BETWEEN_SUBJECT_AND_VERB: &[&str] = &[
    "accidentally", "mistakenly", "inadvertently", "unintentionally", "erroneously", "carelessly",
    "unknowingly", "blindly", "clearly", "obviously", "just", "simply", "then", "also",
    "apparently", "unfortunately", "again", "already", "actually", "completely", "totally",
    "somehow", "basically", "probably", "evidently", "initially", "later", "quickly", "hastily",
    "repeatedly", "once", "had", "has", "have", "who", "himself", "herself", "still", "allegedly",
    "reportedly", "single-handedly",
];
/// Adverbs that call an act an accident.
#[rustfmt::skip]
const ACCIDENTAL: &[&str] = &[
    "accidentally", "mistakenly", "inadvertently", "unintentionally", "erroneously", "carelessly",
    "unknowingly", "blindly",
];
/// Verbs that make their subject the cause of harm, whatever the object.
#[rustfmt::skip]
const CAUSE_VERBS: &[&str] = &[
    "caused", "causes", "crashed", "crashes", "corrupted", "corrupts", "nuked", "nukes", "wiped",
    "wipes", "fat-fingered", "fat-fingers", "fatfingered", "mistyped", "mistypes", "misconfigured",
    "misconfigures", "misread", "forgot", "forgets", "forgotten", "neglected", "neglects",
    "overlooked", "overlooks", "ignored", "ignores", "missed", "misses", "skipped", "skips",
    "rushed", "botched", "botches", "bungled", "flubbed", "goofed", "borked", "hosed", "trashed",
    "broken",
    "misjudged", "misjudges", "miscalculated", "misunderstood", "mishandled", "mismanaged",
    "misapplied",
];
/// Verbs no system does, so even "they" is a person with them.
#[rustfmt::skip]
const PERSON_ONLY_VERBS: &[&str] = &[
    "forgot", "forgets", "forgotten", "neglected", "neglects", "fat-fingered", "fat-fingers",
    "fatfingered", "mistyped", "messed", "screwed", "botched", "overlooked", "made", "makes",
    "wasn't", "weren't", "was", "were",
];
/// Two-word verbs of harm: "took down", "messed up".
const CAUSE_PHRASES: &[(&str, &str)] = &[
    ("took", "down"),
    ("takes", "down"),
    ("taken", "down"),
    ("brought", "down"),
    ("brings", "down"),
    ("knocked", "over"),
    ("knocked", "out"),
    ("messed", "up"),
    ("messes", "up"),
    ("screwed", "up"),
    ("screws", "up"),
    ("blew", "away"),
    ("blew", "up"),
    ("blown", "away"),
    ("mixed", "up"),
    ("mixes", "up"),
    ("lost", "track"),
    ("loses", "track"),
];
/// What a person is blamed for not doing: "didn't check", "never verified", "not reading".
#[rustfmt::skip]
const DUTIES: &[&str] = &[
    "check", "checks", "checking", "checked", "test", "testing", "tested", "verify", "verifying",
    "verified", "validate", "validating", "validated", "read", "reading", "review", "reviewing",
    "reviewed", "follow", "following", "followed", "notice", "noticing", "noticed", "look",
    "looking", "confirm", "confirming", "wait", "waiting", "ask", "asking", "escalate",
    "escalating", "update", "updating", "double-check", "double-checking", "run", "running",
    "bother", "bothering", "bothered", "catch", "see", "seeing", "tell", "telling", "monitor",
    "monitoring", "respond", "responding", "acknowledge", "acknowledging", "notify", "notifying",
    "communicate", "inform", "pay", "paying", "think", "thinking", "consider", "considering",
    "listen", "watch", "watching", "heed", "heeding", "care",
    "understand", "understanding", "realize", "realise", "realizing", "realising", "anticipate",
    "anticipating",
];
/// Negations before a duty.
#[rustfmt::skip]
const NEGATIONS: &[&str] = &[
    "didn't", "never", "not", "doesn't", "hadn't", "hasn't", "don't", "won't",
];
/// What a person "wasn't": "wasn't paying attention", "wasn't careful".
#[rustfmt::skip]
const ATTENTION: &[&str] = &[
    "paying", "careful", "attentive", "watching", "looking", "thinking", "focused", "focusing",
    "checking", "alert", "vigilant", "diligent", "thorough", "listening",
];
/// Nouns for a person's slip: "Alice's mistake", "a typo by Sam", "made an error".
#[rustfmt::skip]
const SLIPS: &[&str] = &[
    "mistake", "mistakes", "error", "errors", "typo", "typos", "blunder", "blunders", "slip",
    "slip-up", "oversight", "misstep", "goof", "screw-up", "screwup", "mess-up", "lapse", "failure",
    "mistyping", "fat-finger",
];
/// Adjectives that make a person's work the cause: "Maria's bad merge".
#[rustfmt::skip]
const BAD_WORK: &[&str] = &[
    "bad", "wrong", "sloppy", "careless", "untested", "reckless", "hasty", "rushed", "botched",
];
/// "Bob's lack of attention".
#[rustfmt::skip]
const LACKS: &[&str] = &[
    "attention", "care", "diligence", "focus", "judgment", "judgement", "thought", "rigor",
    "rigour", "caution", "awareness",
];
/// Harm as an object: "responsible for the outage", "introduced the bug".
#[rustfmt::skip]
const HARMS: &[&str] = &[
    "outage", "outages", "incident", "failure", "failures", "downtime", "breakage", "delay",
    "problem", "problems", "mistake", "error", "errors", "loss", "issue", "issues", "bug", "bugs",
    "regression", "regressions", "crash", "crashes", "defect", "vulnerability", "corruption",
    "data-loss", "disruption", "degradation", "stampede", "typo",
];
/// Things "the reason" or "the cause" can be for: "the reason checkout was down".
#[rustfmt::skip]
const HARMS_AFTER: &[&str] = &[
    "outage", "outages", "incident", "failure", "failures", "downtime", "breakage", "delay",
    "loss", "regression", "crash", "corruption", "down", "failed", "broke", "broken", "crashed",
    "lost",
];
/// What may be missing without anyone being at fault: "without any downtime".
#[rustfmt::skip]
const HARMLESS_ABSENCES: &[&str] = &[
    "incident", "issue", "issues", "problem", "problems", "delay", "downtime", "interruption",
    "impact", "error", "errors", "hesitation", "trouble", "fuss", "hitch", "hiccup",
];
/// Words that end the object of an act: "ran the script and the wrong…" is two things.
#[rustfmt::skip]
const OBJECT_ENDS: &[&str] = &[
    "and", "but", "because", "so", "which", "that", "when", "while", "after", "before", "then",
    "until", "since", "although", "once",
];
/// Acts that destroy, harmful when aimed at something that matters.
#[rustfmt::skip]
const DESTROYS: &[&str] = &[
    "deleted", "deletes", "dropped", "drops", "wiped", "truncated", "removed", "destroyed",
    "erased", "overwrote", "purged", "killed",
];
#[rustfmt::skip]
const PRECIOUS: &[&str] = &[
    "production", "prod", "live", "primary", "wrong", "entire", "whole", "all", "every", "master",
];
/// Neutral acts that blame once their object is judged: "pushed a bad config".
#[rustfmt::skip]
const ACTS: &[&str] = &[
    "pushed", "pushes", "deployed", "deploys", "merged", "merges", "shipped", "ships", "ran",
    "runs", "applied", "applies", "committed", "approved", "wrote", "typed", "entered", "chose",
    "picked", "selected", "set", "changed", "edited", "used", "executed", "released", "published",
    "configured", "targeted", "rolled", "copied", "pasted", "uploaded", "made", "touched",
    "deleted", "dropped",
];
#[rustfmt::skip]
const JUDGED: &[&str] = &[
    "bad", "wrong", "broken", "faulty", "buggy", "incorrect", "invalid", "untested", "malformed",
    "bogus", "dangerous", "unreviewed",
];
/// What a person "let" happen: "let the certificate expire".
#[rustfmt::skip]
const LET_HAPPEN: &[&str] = &[
    "expire", "lapse", "slip", "fail", "break", "crash", "fill", "die", "rot", "run",
];
/// Verbs of harm that take a "by" agent: "caused by Bob".
#[rustfmt::skip]
const PASSIVE_HARMS: &[&str] = &[
    "caused", "broken", "introduced", "triggered", "crashed", "corrupted", "deleted", "wiped",
    "dropped",
];
#[rustfmt::skip]
const JUDGEMENT_WORDS: &[&str] = &[
    "careless", "carelessly", "carelessness", "negligent", "negligently", "negligence", "sloppy",
    "sloppily", "sloppiness", "lazy", "laziness", "incompetent", "incompetence", "incompetently",
    "reckless", "recklessly", "recklessness", "irresponsible", "irresponsibly", "stupid",
    "stupidly", "stupidity", "dumb", "idiotic", "idiot", "idiots", "clueless", "inattentive",
    "inattention", "unprofessional", "inexcusable",
];
/// Technical senses of judgement words, by the word that follows: "lazy loading".
#[rustfmt::skip]
const TECHNICAL_SENSES: &[(&str, &[&str])] = &[
    ("lazy", &[
        "loading", "load", "loaded", "evaluation", "evaluated", "initialization", "initialisation",
        "init", "static", "statics", "iterator", "iterators", "import", "imports", "instantiation",
        "deserialization", "fetch", "fetching", "binding", "val", "var", "property", "properties",
        "mode", "allocation", "cell", "once", "lock",
    ]),
    ("sloppy", &["quorum", "quorums"]),
    ("dumb", &["terminal", "terminals", "pipe", "pipes", "client", "clients", "proxy"]),
];
const JUDGEMENT_PHRASES: &[&[&str]] = &[
    &["asleep", "at", "the", "wheel"],
    &["dropped", "the", "ball"],
    &["drop", "the", "ball"],
    &["drops", "the", "ball"],
    &["dropping", "the", "ball"],
    &["rookie", "mistake"],
    &["rookie", "mistakes"],
    &["rookie", "error"],
    &["couldn't", "be", "bothered"],
];
#[rustfmt::skip]
const HUMAN_ERROR_SUBJECTS: &[&str] = &[
    "human", "humans", "operator", "user", "pilot", "manual", "engineer", "developer",
    "programmer", "personnel", "staff",
];
const HUMAN_ERROR_WORDS: &[&str] = &["error", "errors", "mistake", "mistakes", "failure"];
/// "user error rate" is a metric, not a verdict.
#[rustfmt::skip]
const METRIC_NOUNS: &[&str] = &[
    "rate", "rates", "budget", "budgets", "count", "counts", "page", "pages", "message", "messages",
    "log", "logs", "code", "codes", "handling", "handler", "ratio",
];
const HUMAN_ERROR_TERMS: &[&str] = &["pebkac", "pebcak", "id10t"];
const BLAME_WORDS: &[&str] = &["blame", "blamed", "blames", "blaming", "blameworthy"];
/// Words that turn blame down: "no one is to blame", "rather than blame", "easy to blame…, but".
#[rustfmt::skip]
const REFUSALS: &[&str] = &[
    "not", "no", "never", "nobody", "none", "without", "rather", "instead", "avoid", "avoids",
    "avoiding", "avoided", "easy", "tempting", "nor", "neither", "refuse", "refuses",
];
/// Adverbs between a subject and "should": "Bob clearly should have".
#[rustfmt::skip]
const SHOULD_ADVERBS: &[&str] = &[
    "really", "clearly", "obviously", "probably", "definitely", "also", "just", "simply",
    "certainly", "surely", "absolutely", "honestly", "frankly", "then", "arguably",
];
/// What a person "should have been": "more careful", "paying attention".
#[rustfmt::skip]
const SHOULD_HAVE_BEEN: &[&str] = &[
    "more", "careful", "aware", "alert", "attentive", "vigilant", "diligent", "thorough", "faster",
    "quicker", "better", "there", "on", "less",
];
/// What a person "could have" done, in hindsight.
#[rustfmt::skip]
const COULD_HAVE: &[&str] = &[
    "prevented", "avoided", "caught", "stopped", "noticed", "spotted", "detected", "seen",
    "checked", "fixed", "known",
];
#[rustfmt::skip]
const IRREGULAR_PARTICIPLES: &[&str] = &[
    "known", "seen", "done", "read", "run", "taken", "caught", "written", "given", "gone", "paid",
    "thought", "understood", "kept", "left", "told", "made", "spent", "heard", "found", "got",
    "gotten", "shown", "spoken", "woken", "set", "put",
];
/// Words that start a new clause, so a subject comes after them.
#[rustfmt::skip]
const CONNECTIVES: &[&str] = &[
    "and", "but", "so", "because", "since", "if", "when", "while", "although", "though", "then",
    "where", "as", "once", "yet", "or", "that", "in", "hindsight",
];
const CLAUSE_MARKS: &[char] = &[
    ',', ';', ':', '(', ')', '[', ']', '—', '–', '"', '“', '”', '.', '!', '?', '…',
];

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/// A rule's hit, as token indices `from..to` of one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    rule: &'static str,
    from: usize,
    to: usize,
    /// The hit is a bare term that a quotation may merely mention: "careless", "human error".
    mentionable: bool,
}

/// Sorts hits and drops those inside another hit of the same rule.
fn tidy(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.from, std::cmp::Reverse(h.to), h.rule));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        let inside = kept
            .iter()
            .any(|k| k.rule == hit.rule && k.from <= hit.from && hit.to <= k.to);
        if !inside {
            kept.push(hit);
        }
    }
    kept
}

#[derive(Debug)]
struct Scan<'s, 't> {
    toks: &'s [Token<'t>],
    names: &'s Names,
}

impl Scan<'_, '_> {
    fn hits(&self) -> Vec<Hit> {
        let mut hits = Vec::new();
        for i in 0..self.toks.len() {
            self.person_as_cause(i, &mut hits);
            self.human_error(i, &mut hits);
            self.should_have(i, &mut hits);
            self.judgement_word(i, &mut hits);
            self.fault_of(i, &mut hits);
            self.who_broke(i, &mut hits);
        }
        hits
    }

    /// The lower-case word at `i`; "" for code, punctuation and past the end, so those never
    /// match a word list.
    fn w(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) if t.kind == Kind::Word => &t.low,
            _ => "",
        }
    }

    fn is(&self, i: usize, list: &[&str]) -> bool {
        let word = self.w(i);
        !word.is_empty() && list.contains(&word)
    }

    fn is_word(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Word)
    }

    /// Whether the words from `i` on are `words`.
    fn seq(&self, i: usize, words: &[&str]) -> bool {
        words
            .iter()
            .enumerate()
            .all(|(k, word)| self.w(i + k) == *word)
    }

    fn clause_mark(&self, i: usize) -> bool {
        match self.toks.get(i) {
            Some(t) => matches!(t.kind, Kind::Punct(c) if CLAUSE_MARKS.contains(&c)),
            None => true,
        }
    }

    /// The first index in `from..from + max` whose word is in `list`, within the clause.
    fn ahead(&self, from: usize, max: usize, list: &[&str]) -> Option<usize> {
        (from..from + max)
            .take_while(|&k| !self.clause_mark(k))
            .find(|&k| self.is(k, list))
    }

    fn hit(rule: &'static str, from: usize, to: usize) -> Hit {
        Hit {
            rule,
            from,
            to,
            mentionable: false,
        }
    }

    /// The byte ranges of quoted text whose quotes are in this sentence, trimmed of spaces and
    /// final punctuation, for telling a mention of a term from its use.
    fn quoted_spans(&self) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut open: Option<usize> = None;
        for (k, t) in self.toks.iter().enumerate() {
            match (t.kind, open) {
                (Kind::Punct('"'), Some(o)) | (Kind::Punct('”'), Some(o)) => {
                    let inner: Vec<&Token<'_>> = self.toks[o + 1..k]
                        .iter()
                        .filter(|t| {
                            !matches!(t.kind, Kind::Punct('.' | ',' | '!' | '?' | ';' | ':'))
                        })
                        .collect();
                    if let (Some(first), Some(last)) = (inner.first(), inner.last()) {
                        spans.push((first.start, last.end));
                    }
                    open = None;
                }
                (Kind::Punct('"' | '“'), None) => open = Some(k),
                _ => {}
            }
        }
        spans
    }

    // -- people --------------------------------------------------------------------------------

    /// The person referred to by the words starting at `i` (for a role, ending at `i`).
    fn person_at(&self, i: usize) -> Option<PersonRef> {
        let t = self.toks.get(i).filter(|t| t.kind == Kind::Word)?;
        if self.names.firsts.contains(t.base) {
            // The longest name that matches, so "Alice Martin" is one reference; else the first
            // name alone ("Alice", "Alice's").
            let len = self
                .names
                .full
                .iter()
                .find(|name| {
                    name.iter().enumerate().all(|(k, part)| {
                        self.toks.get(i + k).is_some_and(|t| {
                            t.kind == Kind::Word
                                && t.base == part
                                && (k + 1 == name.len() || !t.possessive)
                        })
                    })
                })
                .map_or(1, Vec::len);
            let end = i + len;
            return Some(PersonRef {
                start: i,
                end,
                who: Who::Named,
                possessive: self.toks[end - 1].possessive,
            });
        }
        let single = |who, possessive| Some(self.single(i, who, possessive));
        match t.low.as_str() {
            "he" | "she" | "you" => single(Who::Pronoun, false),
            "i" if t.base == "I" => single(Who::Pronoun, false),
            "his" | "her" | "my" | "your" => single(Who::Pronoun, true),
            "they" => single(Who::They, false),
            "their" => single(Who::They, true),
            "someone" | "somebody" => single(Who::Someone, t.possessive),
            low if ROLE_NOUNS.contains(&low) => {
                let mut start = i;
                while start > 0
                    && self.toks[start - 1].kind == Kind::Word
                    && !self.toks[start - 1].possessive
                    && ROLE_PREFIXES.contains(&self.toks[start - 1].low.as_str())
                {
                    start -= 1;
                }
                // "the engineer on call", "the SRE on duty"
                let end = if !t.possessive
                    && self.w(i + 1) == "on"
                    && self.is(i + 2, &["call", "duty", "shift"])
                {
                    i + 3
                } else {
                    i + 1
                };
                Some(PersonRef {
                    start,
                    end,
                    who: Who::Role,
                    possessive: self.toks[end - 1].possessive,
                })
            }
            _ => None,
        }
    }

    fn single(&self, i: usize, who: Who, possessive: bool) -> PersonRef {
        PersonRef {
            start: i,
            end: i + 1,
            who,
            possessive,
        }
    }

    /// A person starting at `i`, or a role noun phrase starting there ("the on-call engineer").
    fn person_from(&self, i: usize) -> Option<PersonRef> {
        if let Some(p) = self.person_at(i) {
            return Some(p);
        }
        let mut k = i;
        while k < i + 4 && self.is(k, ROLE_PREFIXES) {
            k += 1;
            if let Some(p) = self.person_at(k).filter(|p| p.who == Who::Role) {
                return Some(PersonRef { start: i, ..p });
            }
        }
        None
    }

    /// A person whose reference ends with the word at `i`: "Alice Martin", "the reviewer".
    fn person_ending_at(&self, i: usize) -> Option<PersonRef> {
        (i.saturating_sub(3)..=i)
            .filter_map(|k| self.person_at(k))
            .find(|p| p.end == i + 1)
    }

    // -- person-as-cause -----------------------------------------------------------------------

    fn person_as_cause(&self, i: usize, hits: &mut Vec<Hit>) {
        // "because of Bob", "due to Alice's change"
        if (self.seq(i, &["because", "of"]) || self.seq(i, &["due", "to"]))
            && let Some(p) = self.person_from(i + 2)
            && p.who != Who::They
        {
            hits.push(Self::hit(PERSON_AS_CAUSE, i, p.end));
        }
        // "this is on Maria"
        if self.is(i, &["this", "it", "that"])
            && self.is(i + 1, &["is", "was"])
            && let Some(on) = (i + 2..i + 4).find(|&k| self.w(k) == "on")
            && (i + 2..on).all(|k| self.is(k, &["all", "entirely", "squarely", "totally"]))
            && let Some(p) = self.person_at(on + 1).filter(|p| p.who == Who::Named)
        {
            hits.push(Self::hit(PERSON_AS_CAUSE, i, p.end));
        }
        // "caused by Bob", "a typo by Sam"
        if self.is(i, &["by", "from"])
            && (self.is(i.wrapping_sub(1), PASSIVE_HARMS) && self.w(i) == "by"
                || self.is(i.wrapping_sub(1), SLIPS)
                || self.w(i.wrapping_sub(1)) == "down"
                    && self.is(i.wrapping_sub(2), &["brought", "taken"]))
            && let Some(p) = self.person_from(i + 1)
            && p.who != Who::They
        {
            let from = if self.w(i - 1) == "down" {
                i - 2
            } else {
                i - 1
            };
            hits.push(Self::hit(PERSON_AS_CAUSE, from, p.end));
        }
        let Some(p) = self.person_at(i) else { return };
        // "No single person caused this" says the opposite of blame.
        let mut before = p.start;
        while before > 0
            && self.is(
                before - 1,
                &["single", "one", "a", "an", "individual", "particular"],
            )
        {
            before -= 1;
        }
        if before > 0 && self.is(before - 1, &["no", "not", "never"]) {
            return;
        }
        // "…let down by Olivia, who skipped the load test"
        if !p.possessive
            && p.who != Who::They
            && self
                .toks
                .get(p.end)
                .is_some_and(|t| t.kind == Kind::Punct(','))
            && self.w(p.end + 1) == "who"
            && let Some(end) = self.cause_predicate(p.end + 2)
        {
            hits.push(Self::hit(PERSON_AS_CAUSE, p.start, end));
            return;
        }
        // "a typo by Sam took down checkout": Sam is not the one who took it down.
        let object = i > 0 && self.is(i - 1, &["by", "from", "of", "with", "for"]);
        if p.possessive {
            self.possessive_cause(p, hits);
        } else if !object {
            self.subject_cause(p, hits);
        }
    }

    /// "Alice's mistake", "Bob's lack of attention", "Maria's bad merge", "Alice's change
    /// caused…".
    fn possessive_cause(&self, p: PersonRef, hits: &mut Vec<Hit>) {
        // "The outage was Ben's doing."
        if self.w(p.end) == "doing" && !self.is_word(p.end + 1) {
            hits.push(Self::hit(PERSON_AS_CAUSE, p.start, p.end + 1));
            return;
        }
        let mut k = p.end;
        let mut words = 0;
        while words < 3 && self.is_word(k) && !self.is(k, &["for", "in", "on", "to", "with", "of"])
        {
            if self.is(k, SLIPS) {
                hits.push(Self::hit(PERSON_AS_CAUSE, p.start, k + 1));
                return;
            }
            if self.w(k) == "lack" && self.w(k + 1) == "of" && self.is(k + 2, LACKS) {
                hits.push(Self::hit(PERSON_AS_CAUSE, p.start, k + 3));
                return;
            }
            if self.is(k, BAD_WORK) && self.is_word(k + 1) {
                hits.push(Self::hit(PERSON_AS_CAUSE, p.start, k + 2));
                return;
            }
            k += 1;
            words += 1;
        }
        // The person's work as the subject of a harm: "Alice's change caused the outage".
        for k in p.end..p.end + 6 {
            if self.clause_mark(k) {
                break;
            }
            let verb_end = if self.is(
                k,
                &[
                    "caused",
                    "causes",
                    "broke",
                    "breaks",
                    "crashed",
                    "corrupted",
                    "wiped",
                ],
            ) {
                Some(k + 1)
            } else if CAUSE_PHRASES[..5]
                .iter()
                .any(|(a, b)| self.w(k) == *a && self.w(k + 1) == *b)
            {
                Some(k + 2)
            } else if self.is(k, &["triggered", "introduced"])
                || self.seq(k, &["led", "to"])
                || self.seq(k, &["resulted", "in"])
            {
                self.ahead(k + 1, 4, HARMS).map(|h| h + 1)
            } else {
                None
            };
            if let Some(end) = verb_end {
                hits.push(Self::hit(PERSON_AS_CAUSE, p.start, end));
                return;
            }
        }
    }

    /// A person as the subject of a harmful verb: "Bob broke prod", "Alice failed to…".
    fn subject_cause(&self, p: PersonRef, hits: &mut Vec<Hit>) {
        let mut j = p.end;
        let mut accident = false;
        while j < p.end + 4 && self.is(j, BETWEEN_SUBJECT_AND_VERB) {
            accident |= self.is(j, ACCIDENTAL);
            j += 1;
        }
        if let Some(end) = self.cause_predicate(j)
            && (p.who != Who::They || self.is(j, PERSON_ONLY_VERBS))
        {
            hits.push(Self::hit(PERSON_AS_CAUSE, p.start, end));
            return;
        }
        if p.who == Who::They || !self.is_word(j) {
            return;
        }
        if accident {
            hits.push(Self::hit(PERSON_AS_CAUSE, p.start, j + 1));
            return;
        }
        // Only a subject followed by its verb: "Alice Martin, who…" or "Bob paged the team."
        let verb = &self.toks[j];
        if !verb.base.starts_with(char::is_lowercase) {
            return;
        }
        // "…deleted the bucket by mistake", "…approved the change without reading it"
        for k in j + 1..j + 14 {
            if self.clause_mark(k) {
                break;
            }
            let end = if self.is(k, ACCIDENTAL) {
                Some(k + 1)
            } else if self.w(k) == "by" && self.is(k + 1, &["mistake", "accident"])
                || self.w(k) == "without" && self.is(k + 1, DUTIES)
            {
                Some(k + 2)
            } else if self.w(k) == "without"
                && self.is(k + 1, &["a", "an", "any", "the"])
                && self.is_word(k + 2)
                && !self.is(k + 2, HARMLESS_ABSENCES)
            {
                // "ran a DELETE without a WHERE clause"
                Some(k + 3 + usize::from(self.is_word(k + 3)))
            } else {
                None
            };
            if let Some(end) = end {
                hits.push(Self::hit(PERSON_AS_CAUSE, p.start, end));
                return;
            }
        }
    }

    /// The end of a blaming predicate starting at `j`, if there is one.
    fn cause_predicate(&self, j: usize) -> Option<usize> {
        let (a, b) = (self.w(j), self.w(j + 1));
        if a.is_empty() {
            return None;
        }
        if CAUSE_PHRASES.iter().any(|(x, y)| a == *x && b == *y) {
            return Some(j + 2);
        }
        if matches!(a, "broke" | "breaks") {
            // "Chris broke the migration into three batches" splits work, it harms nothing.
            let splits = (j + 1..j + 7)
                .take_while(|&k| !self.clause_mark(k))
                .any(|k| self.w(k) == "into");
            return (!splits).then_some(j + 1);
        }
        if CAUSE_VERBS.contains(&a) {
            return Some(j + 1);
        }
        if matches!(a, "failed" | "fails") && b == "to" {
            return Some(j + 2);
        }
        // "didn't check", "did not follow", "never verified", "not reading"
        let after_negation = if NEGATIONS.contains(&a) {
            Some(j + 1)
        } else if matches!(a, "did" | "does" | "had" | "has") && b == "not" {
            Some(j + 2)
        } else {
            None
        };
        if let Some(k) = after_negation {
            let k = if self.w(k) == "even" { k + 1 } else { k };
            return self.is(k, DUTIES).then_some(k + 1);
        }
        // "wasn't paying attention", "was not careful"
        let after_was = if matches!(a, "wasn't" | "weren't") {
            Some(j + 1)
        } else if matches!(a, "was" | "were") && b == "not" {
            Some(j + 2)
        } else {
            None
        };
        if let Some(k) = after_was {
            return self.is(k, ATTENTION).then_some(k + 1);
        }
        match a {
            // "made a mistake"
            "made" | "makes" | "make" => {
                let mut k = j + 1;
                while k < j + 4
                    && self.is(
                        k,
                        &[
                            "a", "an", "the", "another", "one", "big", "simple", "serious",
                            "costly", "silly", "critical",
                        ],
                    )
                {
                    k += 1;
                }
                if self.is(k, SLIPS) {
                    return Some(k + 1);
                }
            }
            // "got the region wrong"
            "got" | "gets" => return self.ahead(j + 1, 4, &["wrong"]).map(|k| k + 1),
            // "let the certificate expire"
            "let" | "lets" => return self.ahead(j + 1, 4, LET_HAPPEN).map(|k| k + 1),
            // "is responsible for the outage"
            "is" | "was" | "are" | "were" => {
                let k = (j + 1..j + 4)
                    .find(|&k| {
                        !self.is(
                            k,
                            &[
                                "solely",
                                "entirely",
                                "directly",
                                "fully",
                                "personally",
                                "the",
                                "one",
                            ],
                        )
                    })
                    .unwrap_or(j + 1);
                if self.is(k, &["responsible", "accountable", "culpable", "liable"])
                    && self.w(k + 1) == "for"
                {
                    return self.ahead(k + 2, 4, HARMS).map(|h| h + 1);
                }
                // "Chase is the reason checkout was down"
                if self.is(k, &["reason", "cause"]) && self.w(k - 1) == "the" {
                    return self.ahead(k + 1, 8, HARMS_AFTER).map(|_| k + 1);
                }
                // "Summer was supposed to renew the domain and didn't"
                if self.seq(j + 1, &["supposed", "to"]) {
                    return (j + 3..j + 14)
                        .take_while(|&k| !self.clause_mark(k))
                        .find(|&k| {
                            self.is(k, &["didn't", "never", "failed"])
                                || self.seq(k, &["did", "not"])
                        })
                        .map(|k| k + 1);
                }
            }
            "introduced" | "introduces" => return self.ahead(j + 1, 4, HARMS).map(|k| k + 1),
            _ => {}
        }
        if DESTROYS.contains(&a)
            && let Some(k) = self.ahead(j + 1, 3, PRECIOUS)
        {
            return Some(k + 1 + usize::from(self.is_word(k + 1)));
        }
        if ACTS.contains(&a) {
            let from = if a == "rolled" && b == "out" {
                j + 2
            } else {
                j + 1
            };
            let judged = (from..from + 7)
                .take_while(|&k| !self.clause_mark(k) && !self.is(k, OBJECT_ENDS))
                .find(|&k| self.is(k, JUDGED));
            if let Some(k) = judged {
                return Some(k + 1 + usize::from(self.is_word(k + 1)));
            }
        }
        None
    }

    // -- human-error ---------------------------------------------------------------------------

    fn human_error(&self, i: usize, hits: &mut Vec<Hit>) {
        let end = if self.is(i, HUMAN_ERROR_TERMS) {
            i + 1
        } else if self.is(i, HUMAN_ERROR_SUBJECTS)
            && self.is(i + 1, HUMAN_ERROR_WORDS)
            && !self.is(i + 2, METRIC_NOUNS)
        {
            i + 2
        } else {
            return;
        };
        hits.push(Hit {
            mentionable: true,
            ..Self::hit(HUMAN_ERROR, i, end)
        });
    }

    // -- should-have ---------------------------------------------------------------------------

    fn should_have(&self, i: usize, hits: &mut Vec<Hit>) {
        self.counterfactual(i, hits);
        // Where "have" is, once past "should" and an optional negation.
        let (have, could) = match self.w(i) {
            "should've" | "shouldve" | "shouldn't've" => (i, false),
            "could've" => (i, true),
            "should" | "shouldn't" if self.w(i + 1) == "have" => (i + 1, false),
            "should" if self.is(i + 1, &["not", "never"]) && self.w(i + 2) == "have" => {
                (i + 2, false)
            }
            "ought" if self.seq(i + 1, &["to", "have"]) => (i + 2, false),
            "ought" if self.seq(i + 1, &["not", "to", "have"]) => (i + 3, false),
            "could" if self.w(i + 1) == "have" => (i + 1, true),
            // "Should Bob have checked?"
            "should" => {
                if let Some(p) = self.person_from(i + 1)
                    && !p.possessive
                    && p.who != Who::They
                    && self.w(p.end) == "have"
                    && !self.is(p.end + 1, &["been"])
                {
                    hits.push(Self::hit(SHOULD_HAVE, i, p.end + 2));
                }
                return;
            }
            _ => return,
        };
        let mut end = have + 1;
        if could {
            if !self.is(end, COULD_HAVE) {
                return;
            }
            end += 1;
        } else if self.w(end) == "been" {
            // "should have been paged" is the pager's job; "should have been careful" is blame.
            let next = self.w(end + 1);
            if !(SHOULD_HAVE_BEEN.contains(&next) || next.ends_with("ing")) {
                return;
            }
            end += 2;
        }
        if let Some(start) = self.should_subject(i) {
            hits.push(Self::hit(SHOULD_HAVE, start, end));
        }
    }

    /// Where the person who "should have" starts, if the subject of `should` at `i` is one.
    fn should_subject(&self, i: usize) -> Option<usize> {
        let mut h = i.checked_sub(1)?;
        while self.is(h, SHOULD_ADVERBS) && h > 0 {
            h -= 1;
        }
        if let Some(p) = self
            .person_ending_at(h)
            .filter(|p| !p.possessive && p.who != Who::They)
        {
            return Some(p.start);
        }
        // "The engineer who made the change should have…", "whoever approved it should have…"
        let mut c = i;
        while c > 0 && !self.clause_mark(c - 1) {
            c -= 1;
        }
        while c < i && self.is(c, CONNECTIVES) {
            c += 1;
        }
        if self.w(c) == "whoever" {
            return Some(c);
        }
        let p = self
            .person_from(c)
            .filter(|p| !p.possessive && p.who != Who::They)?;
        let relative = (p.end..i).any(|k| self.is(k, &["who", "whoever"]));
        (self.is(p.end, &["who", "that"]) || relative && p.end < i).then_some(p.start)
    }

    /// "If Ana had followed the checklist…", "Had Hope checked the dashboard…".
    fn counterfactual(&self, i: usize, hits: &mut Vec<Hit>) {
        let clause_start = i == 0 || self.clause_mark(i - 1);
        let (person_at, had_first) = match self.w(i) {
            "if" => (i + 1, false),
            "had" if clause_start => (i + 1, true),
            _ => return,
        };
        let Some(p) = self
            .person_from(person_at)
            .filter(|p| !p.possessive && p.who != Who::They)
        else {
            return;
        };
        let mut k = p.end;
        if !had_first {
            if self.w(k) != "had" {
                return;
            }
            k += 1;
        }
        if self.is(k, &["only", "just"]) {
            k += 1;
        }
        let word = self.w(k);
        let end = if word == "been" {
            let next = self.w(k + 1);
            (SHOULD_HAVE_BEEN.contains(&next) || next.ends_with("ing")).then_some(k + 2)
        } else if word.len() > 3 && word.ends_with("ed") || IRREGULAR_PARTICIPLES.contains(&word) {
            Some(k + 1)
        } else {
            None
        };
        if let Some(end) = end {
            hits.push(Self::hit(SHOULD_HAVE, i, end));
        }
    }

    // -- judgement-word ------------------------------------------------------------------------

    fn judgement_word(&self, i: usize, hits: &mut Vec<Hit>) {
        if let Some(phrase) = JUDGEMENT_PHRASES.iter().find(|p| self.seq(i, p)) {
            hits.push(Hit {
                mentionable: true,
                ..Self::hit(JUDGEMENT_WORD, i, i + phrase.len())
            });
            return;
        }
        let word = self.w(i);
        if !JUDGEMENT_WORDS.contains(&word) || word.is_empty() {
            return;
        }
        let technical = TECHNICAL_SENSES
            .iter()
            .any(|(w, next)| *w == word && next.contains(&self.w(i + 1)));
        if !technical {
            hits.push(Hit {
                mentionable: true,
                ..Self::hit(JUDGEMENT_WORD, i, i + 1)
            });
        }
    }

    // -- fault-of ------------------------------------------------------------------------------

    fn fault_of(&self, i: usize, hits: &mut Vec<Hit>) {
        // "Bob's fault", "my fault"
        if let Some(p) = self.person_at(i).filter(|p| p.possessive)
            && self.w(p.end) == "fault"
        {
            hits.push(Self::hit(FAULT_OF, p.start, p.end + 1));
        }
        // "the fault of Alice Martin"
        if self.seq(i, &["fault", "of"])
            && let Some(p) = self.person_from(i + 2)
        {
            hits.push(Self::hit(FAULT_OF, i, p.end));
        }
        if self.seq(i, &["whose", "fault"]) {
            hits.push(Self::hit(FAULT_OF, i, i + 2));
        }
        // "Bob was at fault"
        if self.seq(i, &["at", "fault"]) {
            let mut c = i;
            while c > 0 && !self.clause_mark(c - 1) {
                c -= 1;
            }
            let by_person = (c..i)
                .find(|&k| self.w(k) == "who" || self.person_at(k).is_some_and(|p| !p.possessive));
            if let Some(from) = by_person {
                hits.push(Self::hit(FAULT_OF, from, i + 2));
            }
        }
        if self.is(i, BLAME_WORDS) {
            self.blame(i, hits);
        }
    }

    fn blame(&self, i: usize, hits: &mut Vec<Hit>) {
        if self.w(i.wrapping_sub(1)) == "git" {
            return;
        }
        let refused = (i.saturating_sub(6)..i)
            .rev()
            .take_while(|&k| !self.clause_mark(k))
            .any(|k| self.is(k, REFUSALS) || self.w(k).ends_with("n't"));
        if refused {
            return;
        }
        // "Priya is to blame", "who is to blame"
        if i >= 3 && self.w(i - 1) == "to" && self.is(i - 2, &["is", "was", "are", "were"]) {
            if let Some(p) = self.person_ending_at(i - 3).filter(|p| !p.possessive) {
                hits.push(Self::hit(FAULT_OF, p.start, i + 1));
                return;
            }
            if self.w(i - 3) == "who" {
                hits.push(Self::hit(FAULT_OF, i - 3, i + 1));
                return;
            }
        }
        let from = if self.w(i.wrapping_sub(1)) == "to" {
            i - 1
        } else {
            i
        };
        hits.push(Hit {
            mentionable: from == i,
            ..Self::hit(FAULT_OF, from, i + 1)
        });
    }

    // -- who-broke -----------------------------------------------------------------------------

    fn who_broke(&self, i: usize, hits: &mut Vec<Hit>) {
        if !self.is(i, &["who", "whoever"]) {
            return;
        }
        let mut j = i + 1;
        while j < i + 3 && self.is(j, BETWEEN_SUBJECT_AND_VERB) && self.w(j) != "who" {
            j += 1;
        }
        let (a, b) = (self.w(j), self.w(j + 1));
        let end = if CAUSE_PHRASES.iter().any(|(x, y)| a == *x && b == *y) {
            Some(j + 2)
        } else if matches!(
            a,
            "broke"
                | "breaks"
                | "caused"
                | "causes"
                | "crashed"
                | "botched"
                | "nuked"
                | "wiped"
                | "corrupted"
                | "fat-fingered"
        ) {
            Some(j + 1)
        } else if a == "did" && self.is(j + 1, &["this", "that", "it"])
            || matches!(a, "is" | "was") && b == "responsible"
        {
            Some(j + 2)
        } else if a == "introduced" {
            self.ahead(j + 1, 4, HARMS).map(|k| k + 1)
        } else if ACTS.contains(&a) {
            if self.is(j + 1, &["this", "that", "it"]) {
                Some(j + 2 + usize::from(self.is_word(j + 2) && self.w(j + 1) != "it"))
            } else {
                self.ahead(j + 1, 5, JUDGED)
                    .map(|k| k + 1 + usize::from(self.is_word(k + 1)))
            }
        } else {
            None
        };
        if let Some(end) = end {
            hits.push(Self::hit(WHO_BROKE, i, end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Checks which rules fire on `text`, in text order, and that each finding's range holds its
    /// phrase.
    fn check(text: &str, people: &[&str], expected_rules: &[&str]) {
        let findings = blame_findings(text, people);
        for f in &findings {
            assert_eq!(&text[f.start..f.end], f.phrase, "{f:?}");
            assert!(f.sentence.contains(&f.phrase), "{f:?}");
        }
        let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert_eq!(rules, expected_rules, "{text:?}: {findings:#?}");
    }

    fn phrases(text: &str, people: &[&str]) -> Vec<String> {
        blame_findings(text, people)
            .into_iter()
            .map(|f| f.phrase)
            .collect()
    }

    #[test]
    fn a_named_participant_as_the_cause() {
        let bob = &["Bob Chen"];
        check("Bob caused the outage.", bob, &[PERSON_AS_CAUSE]);
        check("Bob broke prod.", bob, &[PERSON_AS_CAUSE]);
        check("Bob didn't check the diff.", bob, &[PERSON_AS_CAUSE]);
        check(
            "Bob Chen took down the payments cluster.",
            bob,
            &[PERSON_AS_CAUSE],
        );
        check("The outage was caused by Bob.", bob, &[PERSON_AS_CAUSE]);
        check(
            "Because of Bob, customers could not log in.",
            bob,
            &[PERSON_AS_CAUSE],
        );
        let alice = &["Alice Martin"];
        check(
            "It failed because Alice forgot to renew it.",
            alice,
            &[PERSON_AS_CAUSE],
        );
        check(
            "Alice failed to follow the runbook.",
            alice,
            &[PERSON_AS_CAUSE],
        );
        check(
            "The root cause was Alice's mistake.",
            alice,
            &[PERSON_AS_CAUSE],
        );
        check(
            "Alice’s change caused the outage.",
            alice,
            &[PERSON_AS_CAUSE],
        );
    }

    #[test]
    fn the_phrase_is_the_person_and_the_predicate() {
        assert_eq!(
            phrases("Bob caused the outage.", &["Bob Chen"]),
            ["Bob caused"]
        );
        assert_eq!(
            phrases("Sam accidentally deleted the bucket.", &["Sam Patel"]),
            ["Sam accidentally deleted"]
        );
        assert_eq!(
            phrases("A typo by Sam took down checkout.", &["Sam Patel"]),
            ["typo by Sam"]
        );
        let findings = blame_findings("All fine. Bob caused the outage.", &["Bob"]);
        assert_eq!(findings[0].sentence, "Bob caused the outage.");
        assert_eq!(
            findings[0].message,
            "“Bob caused” names a person as the cause"
        );
        assert_eq!((findings[0].start, findings[0].end), (10, 20));
    }

    #[test]
    fn paraphrases_of_a_person_causing_harm() {
        check(
            "Jordan fat-fingered the command.",
            &["Jordan Lee"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "A typo by Sam took down checkout.",
            &["Sam Patel"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Chris pushed a bad config to all regions.",
            &["Chris Okafor"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Lena got the region wrong.",
            &["Lena Vogel"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Priya let the certificate expire.",
            &["Priya Nair"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Maria is responsible for the outage.",
            &["Maria Garcia"],
            &[PERSON_AS_CAUSE],
        );
        check("This is on Maria.", &["Maria Garcia"], &[PERSON_AS_CAUSE]);
        check(
            "She approved it without reading it.",
            &[],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Sam deleted the bucket by mistake.",
            &["Sam Patel"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "The intern dropped the production table.",
            &[],
            &[PERSON_AS_CAUSE],
        );
        check(
            "They forgot to renew the certificate.",
            &[],
            &[PERSON_AS_CAUSE],
        );
    }

    #[test]
    fn more_ways_to_name_a_person_as_the_cause() {
        check(
            "The engineer on call was not paying attention.",
            &[],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Summer Ray is accountable for the data loss.",
            &["Summer Ray"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Chase is the reason checkout was down.",
            &["Chase Hill"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Summer was supposed to renew it and didn't.",
            &["Summer Ray"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Drew ran a DELETE without a WHERE clause.",
            &["Drew Lane"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "We were let down by Olivia, who skipped the load test.",
            &["Olivia"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "The outage was Ben's doing.",
            &["Ben Cohen"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "June mixed up the two credentials.",
            &["June Park"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Raj clearly did not understand the limiter.",
            &["Raj"],
            &[PERSON_AS_CAUSE],
        );
        check("Root cause: engineer error.", &[], &[HUMAN_ERROR]);
        check(
            "The SRE on duty should've caught the leak.",
            &[],
            &[SHOULD_HAVE],
        );
        check(
            "It was avoidable if the engineer had read the runbook.",
            &[],
            &[SHOULD_HAVE],
        );
    }

    #[test]
    fn a_negated_person_or_a_harmless_absence_is_not_a_cause() {
        check(
            "No single person caused this; several safeguards were missing.",
            &[],
            &[],
        );
        check(
            "Maria deployed the fix without any downtime.",
            &["Maria"],
            &[],
        );
        check(
            "Chase is the reason we caught it early.",
            &["Chase Hill"],
            &[],
        );
        check(
            "Maria, who was on call, acknowledged the page.",
            &["Maria"],
            &[],
        );
    }

    #[test]
    fn neutral_reports_of_what_a_person_did() {
        let people = &[
            "Alice Martin",
            "Bob Chen",
            "Chris Okafor",
            "Kevin Osei",
            "Sam Patel",
        ];
        check("Alice rolled back the deploy at 14:20.", people, &[]);
        check("Bob paged the database team.", people, &[]);
        check("Alice noticed the alert.", people, &[]);
        check("Chris pushed the config change at 13:58.", people, &[]);
        check("Kevin deleted the stuck pods.", people, &[]);
        check("Sam failed over the database.", people, &[]);
        check("Chris broke the migration into three batches.", people, &[]);
        check("Bob's change passed review and CI.", people, &[]);
        check("They didn't check memory before scheduling.", people, &[]);
    }

    #[test]
    fn the_system_as_the_subject_is_not_blame() {
        check("The retry logic caused a thundering herd.", &[], &[]);
        check("The deploy broke the login flow.", &[], &[]);
        check(
            "The health check failed to detect the hung process.",
            &[],
            &[],
        );
        check("The outage was caused by an expired certificate.", &[], &[]);
    }

    #[test]
    fn human_error() {
        check("The root cause was human error.", &[], &[HUMAN_ERROR]);
        check("Operator error extended the outage.", &[], &[HUMAN_ERROR]);
        check("A classic case of PEBKAC.", &[], &[HUMAN_ERROR]);
        check("The error rate rose to 12%.", &[], &[]);
        check("The user error rate doubled.", &[], &[]);
        check(
            "The human factors were alert fatigue and an old runbook.",
            &[],
            &[],
        );
    }

    #[test]
    fn should_have_with_a_person_as_subject() {
        check("Bob should have checked the lag.", &["Bob"], &[SHOULD_HAVE]);
        check("Priya should've waited.", &["Priya"], &[SHOULD_HAVE]);
        check("Tom ought to have asked.", &["Tom"], &[SHOULD_HAVE]);
        check(
            "Jordan shouldn't have bypassed the review.",
            &["Jordan"],
            &[SHOULD_HAVE],
        );
        check(
            "Jordan should not have pushed to main.",
            &["Jordan"],
            &[SHOULD_HAVE],
        );
        check(
            "The on-call engineer should have noticed.",
            &[],
            &[SHOULD_HAVE],
        );
        check(
            "The database team should have reviewed it.",
            &[],
            &[SHOULD_HAVE],
        );
        check("I should have double-checked.", &[], &[SHOULD_HAVE]);
        check(
            "The engineer who made the change should have run the tests.",
            &[],
            &[SHOULD_HAVE],
        );
        check("Should Bob have checked?", &["Bob"], &[SHOULD_HAVE]);
        check(
            "Bob should have been more careful.",
            &["Bob"],
            &[SHOULD_HAVE],
        );
        check(
            "Rose could have prevented this.",
            &["Rose Kim"],
            &[SHOULD_HAVE],
        );
        check(
            "If Ana had followed the checklist, it would not have happened.",
            &["Ana"],
            &[SHOULD_HAVE],
        );
        check(
            "Had Hope checked the dashboard, we would have known.",
            &["Hope"],
            &[SHOULD_HAVE],
        );
    }

    #[test]
    fn should_have_about_the_system_or_the_team_is_fine() {
        check("The deploy tool should have rejected the config.", &[], &[]);
        check("The alert should have fired earlier.", &[], &[]);
        check("Should the deploy tool have blocked this?", &[], &[]);
        check("We should have had an alert on expiry.", &[], &[]);
        check("In hindsight, we should have known.", &[], &[]);
        check(
            "The on-call engineer should have been paged by the alert.",
            &[],
            &[],
        );
        check(
            "Someone should have been paged within five minutes.",
            &[],
            &[],
        );
        check(
            "The canary could have caught this with more traffic.",
            &[],
            &[],
        );
    }

    #[test]
    fn judgement_words() {
        check("The change was careless.", &[], &[JUDGEMENT_WORD]);
        check("It was pure negligence.", &[], &[JUDGEMENT_WORD]);
        check("The script was sloppy.", &[], &[JUDGEMENT_WORD]);
        check("They are incompetent.", &[], &[JUDGEMENT_WORD]);
        check(
            "Whoever did that is incompetent.",
            &[],
            &[WHO_BROKE, JUDGEMENT_WORD],
        );
        check(
            "Dan dropped the ball on capacity.",
            &["Dan"],
            &[JUDGEMENT_WORD],
        );
        check(
            "Bill was asleep at the wheel.",
            &["Bill"],
            &[JUDGEMENT_WORD],
        );
        check("Lazy loading read the value late.", &[], &[]);
        check("Cassandra used a sloppy quorum.", &[], &[]);
        check("Careful review of the logs found it.", &[], &[]);
    }

    #[test]
    fn fault_and_blame() {
        check("This was entirely Bob's fault.", &["Bob"], &[FAULT_OF]);
        check(
            "It was the fault of Alice Martin.",
            &["Alice Martin"],
            &[FAULT_OF],
        );
        check("Priya is to blame.", &["Priya"], &[FAULT_OF]);
        check(
            "Management blamed Bob for the missed SLA.",
            &["Bob"],
            &[FAULT_OF],
        );
        check("Who was at fault?", &[], &[FAULT_OF]);
        check("No one is to blame for this incident.", &[], &[]);
        check("This review does not assign blame.", &[], &[]);
        check(
            "It is easy to blame the person at the keyboard, but the tool allowed it.",
            &[],
            &[],
        );
        check("This is a blameless post-mortem.", &[], &[]);
        check("git blame showed the change.", &[], &[]);
        check("A faulty disk caused the latency.", &[], &[]);
        check(
            "Page fault rates tripled; the service is fault-tolerant.",
            &[],
            &[],
        );
        check("We are not here to find fault.", &[], &[]);
    }

    #[test]
    fn who_broke() {
        check("Someone asked who broke the build.", &[], &[WHO_BROKE]);
        check("\"who pushed the bad config?\"", &[], &[WHO_BROKE]);
        check(
            "Whoever pushed that config must explain.",
            &[],
            &[WHO_BROKE],
        );
        check(
            "We need to find out who deployed the broken build.",
            &[],
            &[WHO_BROKE],
        );
        check("Who was on call when the alert fired?", &[], &[]);
        check(
            "Maria, who was on call, acknowledged the page.",
            &["Maria"],
            &[],
        );
        assert_eq!(
            phrases("Ask who pushed the bad config.", &[]),
            ["who pushed the bad config"]
        );
    }

    #[test]
    fn names_that_are_words_are_names_only_when_written_as_names() {
        let people = &[
            "Will Turner",
            "Rose Kim",
            "Mark Davis",
            "Bill Nguyen",
            "Grace Liu",
            "Hope Adams",
        ];
        check("We will add a canary stage.", people, &[]);
        check("Latency rose to 4 seconds.", people, &[]);
        check("We will mark the event as the start.", people, &[]);
        check("The cloud bill doubled.", people, &[]);
        check("The grace period is 30 seconds.", people, &[]);
        check("Grace period handling changed.", people, &[]);
        check("We hope the dashboard helps.", people, &[]);
        check("Will the new alert fire?", people, &[]);
        check(
            "Will didn't test the migration.",
            people,
            &[PERSON_AS_CAUSE],
        );
        check(
            "Grace ignored the first three pages.",
            people,
            &[PERSON_AS_CAUSE],
        );
        // Not a participant: a capitalised name alone is not a person.
        check("Zed broke prod.", people, &[]);
    }

    #[test]
    fn identifiers_and_code_are_not_prose() {
        let people = &["Alice Martin", "Bob Chen"];
        check("The alice-service pods broke.", people, &[]);
        check("The Alice-bot crashed the job.", people, &[]);
        check(
            "The `fault_of()` helper returned the wrong shard.",
            people,
            &[],
        );
        check("We ran `Bob caused it` as a test string.", people, &[]);
        check("```\nBob broke prod\n```\nThe fix shipped.", people, &[]);
        check(
            "See https://example.com/bob-broke-prod for the log.",
            people,
            &[],
        );
    }

    #[test]
    fn a_quoted_term_is_a_mention_and_a_quoted_sentence_is_a_use() {
        check(
            "We avoid words like \"careless\" and “human error”.",
            &[],
            &[],
        );
        check(
            "The channel said \"Bob broke prod\".",
            &["Bob"],
            &[PERSON_AS_CAUSE],
        );
        check(
            "Calling it careless misses the point.",
            &[],
            &[JUDGEMENT_WORD],
        );
    }

    #[test]
    fn sentences_split_at_ends_lists_and_blank_lines() {
        let text = "## What happened\n\n- Cause: Chris skipped the canary.\n- Alice rolled back.\n\nBob's error, e.g. the typo. Done!";
        let findings = blame_findings(text, &["Chris", "Alice", "Bob"]);
        let sentences: Vec<&str> = findings.iter().map(|f| f.sentence.as_str()).collect();
        assert_eq!(
            sentences,
            [
                "Cause: Chris skipped the canary.",
                "Bob's error, e.g. the typo."
            ]
        );
    }

    #[test]
    fn empty_and_odd_input() {
        check("", &[], &[]);
        check("   \n\n  ", &[""], &[]);
        check("````", &["", " ", ","], &[]);
        check("Bob’", &["Bob’"], &[]);
        check("é́ 🧯 — ’s 's '", &["é́"], &[]);
        let huge = "Alice rolled back the deploy and `a` broke. ".repeat(20_000);
        assert!(blame_findings(&huge, &["Alice Martin"]).is_empty());
        let backticks = "` `` ``` a ".repeat(20_000);
        assert!(blame_findings(&backticks, &["Alice"]).is_empty());
    }

    proptest! {
        #[test]
        fn never_panics_and_ranges_index_the_text(
            text in "\\PC{0,200}",
            people in proptest::collection::vec("\\PC{0,12}", 0..4),
        ) {
            let people: Vec<&str> = people.iter().map(String::as_str).collect();
            for f in blame_findings(&text, &people) {
                prop_assert!(f.start < f.end && f.end <= text.len());
                prop_assert_eq!(text.get(f.start..f.end), Some(f.phrase.as_str()));
                prop_assert!(f.sentence.contains(&f.phrase));
                prop_assert!(RULES.contains(&f.rule));
            }
        }

        #[test]
        fn ranges_hold_in_blameful_text_with_odd_characters(
            words in proptest::collection::vec(
                prop_oneof![
                    Just("Bob"), Just("Bob's"), Just("caused"), Just("the"), Just("outage"),
                    Just("should"), Just("have"), Just("human"), Just("error"), Just("who"),
                    Just("broke"), Just("blame"), Just("fault"), Just("of"), Just("’s"),
                    Just("é́"), Just("`"), Just("\""), Just("."), Just("\n"), Just("- "),
                    Just("```"), Just("🧯"), Just("careless"), Just("by"),
                ],
                0..40,
            ),
        ) {
            let text = words.join(" ");
            for f in blame_findings(&text, &["Bob Chen"]) {
                prop_assert_eq!(text.get(f.start..f.end), Some(f.phrase.as_str()));
                prop_assert!(f.sentence.contains(&f.phrase));
            }
        }
    }
}
