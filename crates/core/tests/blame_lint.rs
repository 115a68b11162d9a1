//! Measures the blame lint on a labelled set of post-mortem sentences.
//!
//! `tests/data/blame-sentences.tsv` holds one sentence a line: `label<TAB>people<TAB>sentence`,
//! where the label (`blame` or `ok`) is what a reviewer of a blameless post-mortem would say,
//! written before the rules were, and people are the sentence's participants, comma-separated.
//! A sentence is predicted blameful when the lint finds anything in it.
//!
//! The rules were written with that set in view, so its figures flatter them. The held-out set,
//! `tests/data/blame-sentences-holdout.tsv` (same format), was written after the rules were
//! finished, labelled before it was run and measured once: it estimates how the rules do on
//! phrasing they were not written against. Its figures are printed, not asserted, and the rules
//! must not be tuned on it; to teach the rules a missed phrasing, add sentences to the main set
//! and write fresh held-out ones. (A first held-out set, precision 0.97 recall 0.69 when
//! measured, was then tuned on and merged into the main set.)
//!
//! The summary line of each set goes to stderr through `std::io::stderr()`, which libtest does
//! not capture, so it shows on every `cargo test`. Every miss is printed with `println!`, which
//! libtest shows for a failing test or when asked (the summary then shows a second time):
//!
//! ```text
//! cargo test -p hindsight-core --test blame_lint -- --nocapture
//! ```

use hindsight_core::lint::blame_findings;
use std::io::Write;

const SET: &str = include_str!("data/blame-sentences.tsv");
const HOLDOUT: &str = include_str!("data/blame-sentences-holdout.tsv");

struct Example<'a> {
    line: usize,
    blameful: bool,
    people: Vec<&'a str>,
    sentence: &'a str,
}

fn examples(set: &'static str) -> Vec<Example<'static>> {
    set.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            let mut fields = line.splitn(3, '\t');
            let (label, people, sentence) = (
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
            );
            let blameful = match label {
                "blame" => true,
                "ok" => false,
                other => panic!("line {}: label `{other}`, expected blame or ok", n + 1),
            };
            assert!(!sentence.is_empty(), "line {}: no sentence", n + 1);
            Example {
                line: n + 1,
                blameful,
                people: people
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect(),
                sentence,
            }
        })
        .collect()
}

/// Prints to stdout (shown with `--nocapture`) and straight to stderr (shown always).
fn say(line: &str) {
    println!("{line}");
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Precision and recall of the lint on a set, printing every miss.
fn measure(name: &str, examples: &[Example<'_>]) -> (f64, f64) {
    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    for ex in examples {
        let findings = blame_findings(ex.sentence, &ex.people);
        match (ex.blameful, !findings.is_empty()) {
            (true, true) => tp += 1,
            (false, false) => tn += 1,
            (false, true) => {
                fp += 1;
                let why: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{} “{}”", f.rule, f.phrase))
                    .collect();
                println!(
                    "{name}: false positive, line {}: {} [{}]",
                    ex.line,
                    ex.sentence,
                    why.join("; ")
                );
            }
            (true, false) => {
                fn_ += 1;
                println!("{name}: false negative, line {}: {}", ex.line, ex.sentence);
            }
        }
    }
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    say(&format!(
        "{name}: precision {precision:.2} recall {recall:.2} on {} sentences ({} blameful; tp {tp} fp {fp} fn {fn_} tn {tn})",
        examples.len(),
        tp + fn_,
    ));
    (precision, recall)
}

#[test]
fn blame_lint_precision_and_recall_on_the_labelled_set() {
    let examples = examples(SET);
    assert!(examples.len() >= 170, "only {} sentences", examples.len());
    let (precision, recall) = measure("blame lint", &examples);
    assert!(precision > 0.9, "precision {precision:.3}");
    assert!(recall > 0.9, "recall {recall:.3}");
}

#[test]
fn blame_lint_on_the_held_out_set_is_reported_not_asserted() {
    let examples = examples(HOLDOUT);
    assert!(!examples.is_empty());
    measure("blame lint, held out", &examples);
}
