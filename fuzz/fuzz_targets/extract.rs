#![no_main]
//! The extraction (`extract::propose`) over messages built from arbitrary bytes. Never panics.
//!
//! Input: one byte of rules, then one message per line. A line is a byte of flags then the text
//! (lossy UTF-8); text before a tab is the author's name as the message gives it.
//! - rules byte: bit 0 sets a permalink base (`https://acme.slack.com/archives/`), bit 1 makes
//!   `eyes` a key emoji too.
//! - flags byte: bit 0 bot, bit 1 pinned, bit 2 reacted with `pushpin` (else `eyes`), bits 3–4
//!   subtype (none, `channel_join`, `bot_message`, `file_share`), bits 5–6 author id (none, `U1`
//!   Alice Martin the SRE, `B1` the statuspage bot, `U9` unknown), bit 7 edited and in a thread.
//! Instants are fixed: 2025-11-03 09:00 UTC plus one minute per line. Links are the words of the
//! text that parse as http(s) URLs, as readers give them.

use chrono::{Duration, TimeZone, Utc};
use hindsight_import::chat::{ChatMessage, ChatUser, Origin};
use hindsight_import::extract::{ExtractionRules, propose};
use libfuzzer_sys::fuzz_target;
use url::Url;

fn users() -> Vec<ChatUser> {
    vec![
        ChatUser {
            id: "U1".to_owned(),
            name: "Alice Martin".to_owned(),
            title: Some("SRE".to_owned()),
            bot: false,
        },
        ChatUser {
            id: "B1".to_owned(),
            name: "statuspage".to_owned(),
            title: None,
            bot: true,
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let Some((&rules_byte, lines)) = data.split_first() else {
        return;
    };
    let mut rules = ExtractionRules::default();
    if rules_byte & 1 != 0 {
        rules.permalink_base = Url::parse("https://acme.slack.com/archives/").ok();
    }
    if rules_byte & 2 != 0 {
        rules.key_emoji.push("eyes".to_owned());
    }
    let start = Utc
        .with_ymd_and_hms(2025, 11, 3, 9, 0, 0)
        .single()
        .expect("a fixed instant");
    let mut messages = Vec::new();
    for (i, line) in lines.split(|&b| b == b'\n').enumerate() {
        let Some((&flags, text)) = line.split_first() else {
            continue;
        };
        let text = String::from_utf8_lossy(text);
        let (author, text) = match text.split_once('\t') {
            Some((author, text)) => (Some(author.to_owned()), text.to_owned()),
            None => (None, text.into_owned()),
        };
        let links = text
            .split_whitespace()
            .filter_map(|word| Url::parse(word).ok())
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .take(20)
            .collect();
        let seconds = 1_762_160_400 + 60 * i as u64;
        let ts = format!("{seconds}.{:06}", i % 1_000_000);
        let id = format!("slack:C{}:{ts}", flags % 4);
        messages.push(ChatMessage {
            thread: (flags & 0x80 != 0).then(|| format!("slack:C1:{}.000000", 1_762_160_400)),
            id,
            channel: "inc-2041".to_owned(),
            at: start + Duration::minutes(i as i64),
            author_id: match (flags >> 5) & 3 {
                0 => None,
                1 => Some("U1".to_owned()),
                2 => Some("B1".to_owned()),
                _ => Some("U9".to_owned()),
            },
            author,
            bot: flags & 1 != 0,
            text,
            subtype: match (flags >> 3) & 3 {
                0 => None,
                1 => Some("channel_join".to_owned()),
                2 => Some("bot_message".to_owned()),
                _ => Some("file_share".to_owned()),
            },
            pinned: flags & 2 != 0,
            reactions: vec![if flags & 4 != 0 { "pushpin" } else { "eyes" }.to_owned()],
            edited: flags & 0x80 != 0,
            links,
            origin: Origin {
                file: "inc-2041/2025-11-03.json".to_owned(),
                line: None,
                offset: None,
            },
        });
    }
    let _ = propose(&messages, &users(), &rules);
});
