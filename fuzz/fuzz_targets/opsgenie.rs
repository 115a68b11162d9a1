#![no_main]
//! The opsgenie webhook body parser over arbitrary bytes: never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hindsight_import::opsgenie::parse(data);
});
