#![no_main]
//! A Mattermost bulk export (JSON Lines) of arbitrary bytes, read from a stream, then the
//! extraction over what it read. Never panics.

use hindsight_fuzz::read_then_propose;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    read_then_propose(|window, progress, on_message| {
        hindsight_import::mattermost::read(
            Cursor::new(data),
            "export.jsonl",
            window,
            progress,
            on_message,
        )
    });
});
