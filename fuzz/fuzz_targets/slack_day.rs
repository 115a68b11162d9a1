#![no_main]
//! One Slack day file of arbitrary bytes, read through `slack::read` inside a small export
//! folder (users.json with two people, channels.json with one channel, the channel's folder with
//! one day file holding the bytes); what it reads then goes through the extraction. Never
//! panics. slack.rs has no public function over one day file's bytes, hence the folder.

use hindsight_fuzz::read_then_propose;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const USERS: &str = r#"[
 {"id":"U1","name":"alice","real_name":"Alice Martin","profile":{"display_name":"alice","title":"SRE"}},
 {"id":"B1","name":"statuspage","is_bot":true}
]"#;
const CHANNELS: &str = r#"[{"id":"C1","name":"ops","created":1458000000,"members":["U1"]}]"#;

/// The export folder, made once per process; each input overwrites the day file.
fn export() -> &'static (tempfile::TempDir, PathBuf) {
    static EXPORT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    EXPORT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("users.json"), USERS).expect("users.json");
        std::fs::write(dir.path().join("channels.json"), CHANNELS).expect("channels.json");
        std::fs::create_dir(dir.path().join("ops")).expect("the channel folder");
        let day = dir.path().join("ops").join("2016-03-28.json");
        (dir, day)
    })
}

fuzz_target!(|data: &[u8]| {
    let (dir, day) = export();
    std::fs::write(day, data).expect("the day file");
    read_then_propose(|window, progress, on_message| {
        hindsight_import::slack::read(dir.path(), window, progress, on_message)
    });
});
