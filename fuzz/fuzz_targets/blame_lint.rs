#![no_main]
//! The blameless-language lint over arbitrary text: never panics, and every finding's
//! `start..end` is a range of the input (on character boundaries) that holds its phrase, inside
//! its sentence.

use hindsight_core::lint::blame_findings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for finding in blame_findings(&text, &["Alice Martin", "Will"]) {
        assert!(finding.start < finding.end, "empty finding {finding:?}");
        assert_eq!(
            text.get(finding.start..finding.end),
            Some(finding.phrase.as_str()),
            "the range of {finding:?} does not hold its phrase"
        );
        assert!(
            finding.sentence.contains(&finding.phrase),
            "the sentence of {finding:?} does not hold its phrase"
        );
    }
});
