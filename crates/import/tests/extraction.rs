//! Measures the extraction of key events, participants and to-dos on incident channels labelled
//! by hand (`tests/data/extraction-*export/` and their `extraction-*labels.json`; see each
//! export's README for how they were labelled). Prints precision and recall per category and
//! holds the development sets to the figures of BENCHMARKS.md.
//!
//! Four sets are development data: the first was written with the rules, the first two held-out
//! sets were studied message by message on 2026-12-02 to make the rules generalise, and the third
//! on 2026-12-02 after it had been scored once blind; their figures are ceilings. The fourth was
//! written blind, but the team-learning study on it shaped what was built after. Only a set
//! nobody has tuned on gives honest figures: the fifth, written blind to the code.
//!
//! `cargo test -p hindsight-import --test extraction -- --nocapture`

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hindsight_core::EventKind;
use hindsight_core::proposal::Suggestion;
use hindsight_import::{
    chat::{ChatMessage, ChatUser, ChatWindow},
    extract::{ExtractionRules, Learnt, is_conversation, propose_with},
    learn::{Example, TeamModel},
    slack,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

#[derive(Default)]
struct Score {
    true_positives: usize,
    predicted: usize,
    labelled: usize,
}

impl Score {
    fn add(&mut self, predicted: &BTreeSet<String>, labelled: &BTreeSet<String>) {
        self.true_positives += predicted.intersection(labelled).count();
        self.predicted += predicted.len();
        self.labelled += labelled.len();
    }
    fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.true_positives as f64 / self.predicted as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.true_positives as f64 / self.labelled as f64
        }
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<12} precision {:.2} recall {:.2} ({} found of {} labelled, {} proposed)",
            self.precision(),
            self.recall(),
            self.true_positives,
            self.labelled,
            self.predicted
        )
    }
}

fn set(values: &Value) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.get("ts").unwrap_or(v).as_str().unwrap().to_owned())
        .collect()
}

/// Precision and recall of the three categories on one labelled export, and the report. The
/// misses are printed too, unless the set is `blind`: a held-out set's messages stay unread.
fn measure(export: &str, labels: &str, blind: bool) -> (Score, Score, Score, String) {
    measure_with(export, labels, blind, None)
}

/// The messages of one channel of an export, and its users.
fn read_channel(export: &std::path::Path, channel: &str) -> (Vec<ChatMessage>, Vec<ChatUser>) {
    let window = ChatWindow {
        channel: Some(channel.to_owned()),
        ..ChatWindow::default()
    };
    let mut messages: Vec<ChatMessage> = Vec::new();
    let summary = slack::read(export, &window, &mut |_| {}, &mut |m| messages.push(m)).unwrap();
    (messages, summary.users)
}

/// What a team's review of `channel` would teach: its labelled key events kept, with their
/// kinds, every other message passed over, as a scribe's decisions record them.
fn team_reviewed(export: &std::path::Path, labels: &Value, channel: &str) -> TeamModel {
    let (messages, _) = read_channel(export, channel);
    let kept: BTreeMap<&str, EventKind> = labels["channels"][channel]["key_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ts"].as_str().unwrap(),
                e["kind"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    TeamModel::train(
        messages
            .iter()
            .filter(|m| is_conversation(m) && !m.text.trim().is_empty())
            .map(|m| Example {
                text: &m.text,
                // The store keeps no mark of a bot on a proposal: learn as the product does.
                bot: false,
                kept: kept
                    .get(m.id.rsplit(':').next().unwrap_or_default())
                    .copied(),
            }),
    )
    .unwrap()
}

/// As [`measure`], or, with `team` = (first, second), only the second channel, proposed with
/// what the team's review of the first taught.
fn measure_with(
    export: &str,
    labels: &str,
    blind: bool,
    team: Option<(&str, &str)>,
) -> (Score, Score, Score, String) {
    let labels: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/{labels}")).unwrap())
            .unwrap();
    let export = std::path::PathBuf::from(format!("{DATA}/{export}"));
    let users: Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("users.json")).unwrap()).unwrap();
    // Labels name people by real name; proposals by the name the chat shows. Both go to ids.
    let id_of_real_name: BTreeMap<String, String> = users
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| {
            Some((
                u["real_name"].as_str()?.to_owned(),
                u["id"].as_str()?.to_owned(),
            ))
        })
        .collect();

    let (mut events, mut people, mut todos) =
        (Score::default(), Score::default(), Score::default());
    let (mut kinds_right, mut kinds_checked) = (0, 0);
    let mut misses = Vec::new();
    let model = team.map(|(first, _)| team_reviewed(&export, &labels, first));
    for (channel, label) in labels["channels"].as_object().unwrap() {
        if team.is_some_and(|(_, second)| second != channel) {
            continue;
        }
        let (messages, users) = read_channel(&export, channel);
        let learnt = Learnt {
            team: model.as_ref(),
            keep_the_rest: false,
        };
        let proposals = propose_with(&messages, &users, &ExtractionRules::default(), learnt);
        let ts_of = |source: &str| source.rsplit(':').next().unwrap_or_default().to_owned();
        let id_of_name: BTreeMap<&str, &str> = users
            .iter()
            .map(|u| (u.name.as_str(), u.id.as_str()))
            .collect();

        let mut predicted_events = BTreeMap::new();
        let (mut predicted_todos, mut predicted_people) = (BTreeSet::new(), BTreeSet::new());
        for p in &proposals {
            match &p.suggestion {
                Suggestion::Event { event } => {
                    predicted_events.insert(
                        ts_of(&p.source_id),
                        (event.kind().as_str(), p.quote.clone().unwrap_or_default()),
                    );
                }
                Suggestion::Action { .. } => {
                    predicted_todos.insert(ts_of(&p.source_id));
                }
                Suggestion::Participant { person } => {
                    predicted_people.insert(
                        id_of_name
                            .get(person.name.as_str())
                            .map_or(person.name.to_string(), |id| id.to_string()),
                    );
                }
            }
        }
        // `EXTRACTION_DUMP=FILE` appends what was proposed (export, channel, ts, event or todo,
        // kind) for studies beside the test: `crates/bench/extraction-team-learning.py`.
        if let Ok(path) = std::env::var("EXTRACTION_DUMP") {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap();
            for (ts, (kind, _)) in &predicted_events {
                writeln!(f, "{}\t{channel}\t{ts}\tevent\t{kind}", export.display()).unwrap();
            }
            for ts in &predicted_todos {
                writeln!(f, "{}\t{channel}\t{ts}\ttodo\t", export.display()).unwrap();
            }
        }
        let labelled_events = set(&label["key_events"]);
        let predicted: BTreeSet<String> = predicted_events.keys().cloned().collect();
        events.add(&predicted, &labelled_events);
        for labelled in label["key_events"].as_array().unwrap() {
            let ts = labelled["ts"].as_str().unwrap();
            match predicted_events.get(ts) {
                Some((kind, _)) => {
                    kinds_checked += 1;
                    if *kind == labelled["kind"].as_str().unwrap() {
                        kinds_right += 1;
                    }
                }
                None => misses.push(format!(
                    "{channel}: missed key event {ts} ({})",
                    labelled["kind"]
                )),
            }
        }
        for (ts, (kind, quote)) in &predicted_events {
            if !labelled_events.contains(ts) {
                misses.push(format!(
                    "{channel}: extra {kind} {ts}: {}",
                    quote.chars().take(90).collect::<String>()
                ));
            }
        }
        let labelled_todos = set(&label["todos"]);
        todos.add(&predicted_todos, &labelled_todos);
        for ts in labelled_todos.difference(&predicted_todos) {
            let text = messages
                .iter()
                .find(|m| m.id.ends_with(ts.as_str()))
                .map(|m| m.text.chars().take(90).collect::<String>())
                .unwrap_or_default();
            misses.push(format!("{channel}: missed to-do {ts}: {text}"));
        }
        for ts in predicted_todos.difference(&labelled_todos) {
            let text = messages
                .iter()
                .find(|m| m.id.ends_with(ts.as_str()))
                .map(|m| m.text.chars().take(90).collect::<String>())
                .unwrap_or_default();
            misses.push(format!("{channel}: extra to-do {ts}: {text}"));
        }
        let labelled_people: BTreeSet<String> = label["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                id_of_real_name
                    .get(n.as_str().unwrap())
                    .cloned()
                    .unwrap_or_else(|| n.as_str().unwrap().to_owned())
            })
            .collect();
        people.add(&predicted_people, &labelled_people);
        for who in predicted_people.symmetric_difference(&labelled_people) {
            misses.push(format!("{channel}: participant differs: {who}"));
        }
    }
    let learnt = match team {
        Some((first, second)) => format!(" (learnt from {first}, measured on {second})"),
        None => String::new(),
    };
    let report = format!(
        "extraction on {}{learnt} ({} labelled channels):\n  {}\n  {}\n  {}\n  kind right for {kinds_right} of {kinds_checked} key events found",
        export.file_name().unwrap().to_string_lossy(),
        if team.is_some() {
            1
        } else {
            labels["channels"].as_object().unwrap().len()
        },
        events.line("key events"),
        people.line("participants"),
        todos.line("to-dos"),
    );
    println!("{report}");
    for miss in misses.iter().filter(|_| !blind) {
        println!("  {miss}");
    }
    let _ = writeln!(std::io::stderr(), "{report}");
    (events, people, todos, report)
}

/// Holds a development set to floors just under the figures BENCHMARKS.md records, so a change
/// that makes extraction worse fails here: (precision, recall) of key events and of to-dos.
/// Participants are a matter of reading the export right, not of judgement: all of them.
fn holds(export: &str, labels: &str, events_floor: (f64, f64), todos_floor: (f64, f64)) {
    let (events, people, todos, report) = measure(export, labels, false);
    assert!(
        events.precision() >= events_floor.0 && events.recall() >= events_floor.1,
        "{report}"
    );
    assert!(
        people.recall() == 1.0 && people.precision() == 1.0,
        "{report}"
    );
    assert!(
        todos.precision() >= todos_floor.0 && todos.recall() >= todos_floor.1,
        "{report}"
    );
}

/// The first development set: the rules were written while reading it.
#[test]
fn extraction_finds_the_labelled_key_events_participants_and_todos() {
    holds(
        "extraction-export",
        "extraction-labels.json",
        (0.85, 0.9),
        (0.9, 0.9),
    );
}

/// The first held-out set (a formal bank and a terse squad working in threads), development data
/// since its misses were studied to generalise the rules.
#[test]
fn extraction_on_the_first_held_out_channels_now_development_data() {
    holds(
        "extraction-holdout-export",
        "extraction-holdout-labels.json",
        (0.9, 0.85),
        (0.9, 0.8),
    );
}

/// The second held-out set (a games studio with an incident bot, a healthcare team mailing
/// hospitals), development data since its misses were studied to generalise the rules.
#[test]
fn extraction_on_the_second_held_out_channels_now_development_data() {
    holds(
        "extraction-holdout2-export",
        "extraction-holdout2-labels.json",
        (0.85, 0.85),
        (0.9, 0.85),
    );
}

/// The third held-out set (a telecom NOC with shift handovers, open-source volunteers writing
/// non-native English), scored once blind (key events 0.81 / 0.48), then development data.
#[test]
fn extraction_on_the_third_held_out_channels_now_development_data() {
    holds(
        "extraction-holdout3-export",
        "extraction-holdout3-labels.json",
        (0.85, 0.85),
        (0.65, 0.9),
    );
}

/// The fourth held-out set, written on 2026-12-02 blind to the rules (two incidents of one team,
/// one of another): the honest figures. Printed, misses unread, not held to a goal, so that
/// nobody tunes the rules to it.
#[test]
fn extraction_on_the_fourth_held_out_channels_is_measured() {
    let (_, people, _, report) = measure(
        "extraction-holdout4-export",
        "extraction-holdout4-labels.json",
        true,
    );
    assert!(
        people.recall() == 1.0 && people.precision() == 1.0,
        "{report}"
    );
}

/// Learning from a team's review, on the development data: the first set's two incidents are
/// one team's. The model learns from the review of the first and proposes on the second, beside
/// the rules; its threshold (`learn::THRESHOLD`) was chosen here.
#[test]
fn extraction_learnt_from_a_teams_first_review_on_its_second_incident() {
    let (events, _, _, report) = measure_with(
        "extraction-export",
        "extraction-labels.json",
        false,
        Some(("inc-2041-checkout-502s", "inc-2077-search-stale")),
    );
    assert!(
        events.precision() >= 0.7 && events.recall() >= 0.9,
        "{report}"
    );
}

/// The same on the fourth held-out set's two incidents of one team: blind, printed, no goal.
#[test]
fn extraction_learnt_from_a_teams_first_review_on_the_fourth_held_out_set_is_measured() {
    measure_with(
        "extraction-holdout4-export",
        "extraction-holdout4-labels.json",
        true,
        Some(("inc-2026-09-15-hormigas-qro", "inc-2026-10-27-guias-veloz")),
    );
}

/// The fifth held-out set, written on 2026-12-02 blind to the code (two incidents of one team,
/// one of another department): the honest figures of the rules. Printed, misses unread.
#[test]
fn extraction_on_the_fifth_held_out_channels_is_measured() {
    let (_, people, _, report) = measure(
        "extraction-holdout5-export",
        "extraction-holdout5-labels.json",
        true,
    );
    assert!(
        people.recall() == 1.0 && people.precision() == 1.0,
        "{report}"
    );
}

/// Learning from the team's first review, on the fifth set's two incidents of one team: the
/// honest figure of the rules and the team model together. Printed, misses unread.
#[test]
fn extraction_learnt_from_a_teams_first_review_on_the_fifth_held_out_set_is_measured() {
    measure_with(
        "extraction-holdout5-export",
        "extraction-holdout5-labels.json",
        true,
        Some((
            "inc-0706-upi-pending-spike",
            "inc-0818-autopay-double-debit",
        )),
    );
}
