#![no_main]
//! A plain chat log (`.csv`) of arbitrary bytes, times without an offset read in Paris, then
//! the extraction over what it read. Never panics.

use hindsight_fuzz::read_then_propose;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    read_then_propose(|window, progress, on_message| {
        hindsight_import::plain_chat::read(
            data,
            "inc-2041.csv",
            chrono_tz::Europe::Paris,
            window,
            progress,
            on_message,
        )
    });
});
