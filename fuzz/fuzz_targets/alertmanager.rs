#![no_main]
//! The alertmanager webhook body parser over arbitrary bytes: never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hindsight_import::alertmanager::parse(data);
});
