#![no_main]
//! A Slack export as a `.zip` of arbitrary bytes: the zip's central directory, its entries (as
//! users.json, channels.json and day files) and what is read from them. Never panics, and never
//! holds more than the reader's cap in memory (libFuzzer's -rss_limit_mb stands guard).

use hindsight_fuzz::read_then_propose;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn zip_path() -> &'static (tempfile::TempDir, PathBuf) {
    static ZIP: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    ZIP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("export.zip");
        (dir, path)
    })
}

fuzz_target!(|data: &[u8]| {
    let (_dir, path) = zip_path();
    std::fs::write(path, data).expect("the zip");
    read_then_propose(|window, progress, on_message| {
        hindsight_import::slack::read(path, window, progress, on_message)
    });
});
