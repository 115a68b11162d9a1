#![no_main]
//! The timeline CSV reader (`hindsight import-csv`) over arbitrary bytes: never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hindsight_import::timeline_csv::parse(data, chrono_tz::Europe::Paris);
});
