#![no_main]
//! The JSON document format (`hindsight import-json`) over arbitrary text: never panics, and a
//! document it accepts imports back without loss (`from_json(to_json(d)) == d`).

use hindsight_core::exchange::PostmortemDocument;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(document) = PostmortemDocument::from_json(text) {
        let written = document.to_json();
        let again = PostmortemDocument::from_json(&written).unwrap_or_else(|e| {
            panic!("an accepted document written back is refused: {e}\n{written}")
        });
        assert_eq!(again, document, "the document changed on the way back");
    }
});
