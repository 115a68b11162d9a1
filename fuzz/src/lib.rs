//! Helpers shared by the fuzz targets in `fuzz_targets/`.

use hindsight_import::chat::{ChatError, ChatMessage, ChatSummary, ChatWindow};
use hindsight_import::extract::{ExtractionRules, propose};

/// Every message, whatever the time or channel.
pub fn everything() -> ChatWindow {
    ChatWindow::default()
}

/// Runs a chat reader, then hands what it read to the extraction, as `hindsight import` does:
/// the messages a reader accepts must not make the extraction panic either.
pub fn read_then_propose(
    read: impl FnOnce(
        &ChatWindow,
        &mut dyn FnMut(u64),
        &mut dyn FnMut(ChatMessage),
    ) -> Result<ChatSummary, ChatError>,
) {
    let window = everything();
    let mut messages = Vec::new();
    let mut last_progress = 0u64;
    let result = read(
        &window,
        &mut |bytes| {
            // Progress is bytes read so far: it never goes back.
            assert!(
                bytes >= last_progress,
                "progress went back: {bytes} < {last_progress}"
            );
            last_progress = bytes;
        },
        &mut |message| messages.push(message),
    );
    if let Ok(summary) = result {
        assert_eq!(
            summary.messages,
            messages.len() as u64,
            "summary counts what was handed over"
        );
        let _ = propose(&messages, &summary.users, &ExtractionRules::default());
    }
}
