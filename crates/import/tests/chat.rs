//! The chat readers on real exports (the 2016 Slack export and the Mattermost bulk export of
//! `shared/fixtures/`), on a modern Slack export written here, on plain logs, on broken files,
//! and on arbitrary bytes.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{DateTime, Utc};
use hindsight_import::chat::{ChatError, ChatMessage, ChatSummary, ChatWindow, Origin};
use hindsight_import::{mattermost, plain_chat, slack};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const SLACK_2016: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/slack-export-2016"
);
const MATTERMOST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/mattermost-bulk/export.jsonl"
);

fn fixture(path: &str) -> PathBuf {
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "{} is missing: the fixtures live in shared/ beside the work tree",
        path.display()
    );
    path
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// What one read handed over, with the progress it reported.
struct Read {
    messages: Vec<ChatMessage>,
    summary: ChatSummary,
    progress: Vec<u64>,
}

impl Read {
    fn by_id(&self, id: &str) -> &ChatMessage {
        self.messages
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("no message {id}"))
    }

    fn count(&self, predicate: impl Fn(&ChatMessage) -> bool) -> usize {
        self.messages.iter().filter(|m| predicate(m)).count()
    }
}

fn read_slack(path: &Path, window: &ChatWindow) -> Result<Read, ChatError> {
    let mut messages = Vec::new();
    let mut progress = Vec::new();
    let summary = slack::read(path, window, &mut |bytes| progress.push(bytes), &mut |m| {
        messages.push(m)
    })?;
    Ok(Read {
        messages,
        summary,
        progress,
    })
}

fn read_mattermost(bytes: &[u8], window: &ChatWindow) -> Result<Read, ChatError> {
    let mut messages = Vec::new();
    let mut progress = Vec::new();
    let summary = mattermost::read(
        bytes,
        "export.jsonl",
        window,
        &mut |bytes| progress.push(bytes),
        &mut |m| messages.push(m),
    )?;
    Ok(Read {
        messages,
        summary,
        progress,
    })
}

fn read_plain(bytes: &[u8], file_name: &str, window: &ChatWindow) -> Result<Read, ChatError> {
    let mut messages = Vec::new();
    let mut progress = Vec::new();
    let summary = plain_chat::read(
        bytes,
        file_name,
        chrono_tz::Europe::Paris,
        window,
        &mut |bytes| progress.push(bytes),
        &mut |m| messages.push(m),
    )?;
    Ok(Read {
        messages,
        summary,
        progress,
    })
}

fn everything() -> ChatWindow {
    ChatWindow::default()
}

/// The messages without where they were read, to compare a folder with its zip.
fn without_origin(messages: &[ChatMessage]) -> Vec<ChatMessage> {
    messages
        .iter()
        .cloned()
        .map(|m| ChatMessage {
            origin: Origin::default(),
            ..m
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Zips the folder `from` into `zip`, each entry under `prefix` (`""` or `export/`), replacing
/// the entries named in `replace` with the bytes given.
fn zip_tree(from: &Path, zip: &Path, prefix: &str, replace: &BTreeMap<&str, Vec<u8>>) {
    fn add(
        writer: &mut zip::ZipWriter<std::fs::File>,
        root: &Path,
        folder: &Path,
        prefix: &str,
        replace: &BTreeMap<&str, Vec<u8>>,
    ) {
        let mut entries: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                add(writer, root, &path, prefix, replace);
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            writer
                .start_file(format!("{prefix}{relative}"), options)
                .unwrap();
            let bytes = match replace.get(relative.as_str()) {
                Some(bytes) => bytes.clone(),
                None => std::fs::read(&path).unwrap(),
            };
            writer.write_all(&bytes).unwrap();
        }
    }
    let mut writer = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    add(&mut writer, from, from, prefix, replace);
    writer.finish().unwrap();
}

// ---------------------------------------------------------------------------------------------
// The 2016 Slack export

#[test]
fn the_2016_slack_export_gives_158_messages_in_two_channels() {
    let read = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    assert_eq!(read.messages.len(), 158);
    assert_eq!(read.summary.messages, 158);
    assert_eq!(read.summary.channels, ["enrique", "traveling-sailor"]);
    assert_eq!(read.count(|m| m.channel == "enrique"), 102);
    assert_eq!(read.count(|m| m.channel == "traveling-sailor"), 56);
    assert!(
        read.summary.warnings.is_empty(),
        "{:?}",
        read.summary.warnings
    );
    let mut ids: Vec<&str> = read.messages.iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 158, "ids are unique");
    assert!(
        read.messages.iter().all(|m| !m.text.trim().is_empty()),
        "no blank message"
    );

    let users: Vec<(&str, &str, Option<&str>)> = read
        .summary
        .users
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str(), u.title.as_deref()))
        .collect();
    assert_eq!(
        users,
        [
            ("U0BMYT2FL", "abilinski", None),
            ("U0BMS113R", "doubledeez", Some("Eat Monkeys")),
            ("U0BMQB6JE", "hamza", None),
            ("U0BMM2FEH", "heroeshannibal", None),
        ]
    );
}

#[test]
fn the_2016_slack_export_reports_progress_after_each_file() {
    let read = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    // users.json, channels.json, then 17 day files.
    assert_eq!(read.progress.len(), 19);
    assert!(read.progress.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(read.progress.last(), Some(&read.summary.bytes));
    let on_disk: u64 = ["users.json", "channels.json"]
        .iter()
        .map(|f| {
            std::fs::metadata(fixture(SLACK_2016).join(f))
                .unwrap()
                .len()
        })
        .sum::<u64>()
        + ["enrique", "traveling-sailor"]
            .iter()
            .flat_map(|c| std::fs::read_dir(fixture(SLACK_2016).join(c)).unwrap())
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum::<u64>();
    assert_eq!(read.summary.bytes, on_disk);
}

#[test]
fn slack_bot_messages_have_no_user_and_read_their_attachments() {
    let read = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    let bots: Vec<&ChatMessage> = read
        .messages
        .iter()
        .filter(|m| m.subtype.as_deref() == Some("bot_message"))
        .collect();
    assert_eq!(bots.len(), 94);
    assert!(bots.iter().all(|m| m.bot && m.author_id.is_none()));
    assert_eq!(read.count(|m| m.bot), 94, "bot_add notices are a person's");

    // Its text is empty: the attachment's pretext and text stand in, links resolved.
    let commit = read.by_id("slack:C0JGLMMNX:1459154014.000018");
    assert_eq!(
        commit.text,
        "[enrique:master] 1 new commit by hfaran:\nb698a38 (https://github.com/mesos-magellan/enrique/commit/b698a38dabbd81c51029f163e74bcd76115e9c2f): Implement killTask; resolves #20 - hfaran"
    );
    assert_eq!(
        commit.links.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        [
            "https://github.com/mesos-magellan/enrique/commit/b698a38dabbd81c51029f163e74bcd76115e9c2f"
        ]
    );
}

#[test]
fn slack_joins_name_who_joined() {
    let read = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    let joins: Vec<&ChatMessage> = read
        .messages
        .iter()
        .filter(|m| m.subtype.as_deref() == Some("channel_join"))
        .collect();
    assert_eq!(joins.len(), 8);
    let first = read.by_id("slack:C0JGLMMNX:1452837318.000002");
    assert_eq!(first.text, "@hamza has joined the channel");
    assert_eq!(first.author.as_deref(), Some("hamza"));
    assert_eq!(first.author_id.as_deref(), Some("U0BMQB6JE"));
    assert!(!first.bot);
    assert_eq!(first.at, utc("2016-01-15T05:55:18.000002Z"));
    assert_eq!(first.channel, "enrique");
    assert!(
        first.origin.file.ends_with("enrique/2016-01-14.json"),
        "{}",
        first.origin
    );
}

#[test]
fn slack_file_shares_link_to_the_file_without_its_token() {
    let read = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    let shares: Vec<&ChatMessage> = read
        .messages
        .iter()
        .filter(|m| m.subtype.as_deref() == Some("file_share"))
        .collect();
    assert_eq!(shares.len(), 3);
    let share = read.by_id("slack:C0JL6CGQ2:1459052866.000012");
    assert_eq!(
        share.text,
        "@doubledeez uploaded a file: 100 cities (https://mesos-magellan.slack.com/files/U0BMS113R/F0VNAKDE2/100_cities.js)"
    );
    assert_eq!(
        share.links.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        ["https://mesos-magellan.slack.com/files/U0BMS113R/F0VNAKDE2/100_cities.js"],
        "the permalink in the text and the file's are one link"
    );
    assert_eq!(share.author.as_deref(), Some("doubledeez"));
    assert!(!share.bot, "`bot_id: null` is no bot");
    assert!(
        read.messages
            .iter()
            .flat_map(|m| &m.links)
            .all(|l| !l.as_str().contains("xoxe"))
    );

    let comments: Vec<&ChatMessage> = read
        .messages
        .iter()
        .filter(|m| m.subtype.as_deref() == Some("file_comment"))
        .collect();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].author_id.as_deref(),
        Some("U0BMS113R"),
        "the comment's author"
    );
    assert!(
        comments[0]
            .text
            .starts_with("@doubledeez commented on @doubledeez’s file 10 cities (")
    );
}

#[test]
fn slack_marks_the_one_edit_and_the_one_reaction() {
    let read = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    let edited: Vec<&str> = read
        .messages
        .iter()
        .filter(|m| m.edited)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(edited, ["slack:C0JL6CGQ2:1458972985.000010"]);
    let reacted: Vec<(&str, &[String])> = read
        .messages
        .iter()
        .filter(|m| !m.reactions.is_empty())
        .map(|m| (m.id.as_str(), m.reactions.as_slice()))
        .collect();
    assert_eq!(
        reacted,
        [(
            "slack:C0JGLMMNX:1459154014.000018",
            &["botman".to_owned()][..]
        )]
    );
    assert_eq!(read.count(|m| m.pinned || m.thread.is_some()), 0);
}

#[test]
fn slack_windows_give_the_messages_they_contain_and_skip_far_days() {
    let all = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    let windows = [
        ChatWindow {
            channel: Some("#traveling-sailor".into()),
            from: None,
            to: None,
        },
        ChatWindow {
            channel: Some("C0JGLMMNX".into()),
            from: Some(utc("2016-03-25T00:00:00Z")),
            to: None,
        },
        // The evening of 27 March in Vancouver is the 28th in UTC.
        ChatWindow {
            channel: None,
            from: Some(utc("2016-03-27T17:00:00-07:00")),
            to: Some(utc("2016-03-27T23:59:59-07:00")),
        },
        ChatWindow {
            channel: None,
            from: Some(utc("2016-02-07T00:00:00Z")),
            to: Some(utc("2016-02-08T12:00:00Z")),
        },
    ];
    for window in windows {
        let read = read_slack(&fixture(SLACK_2016), &window).unwrap();
        let expected: Vec<&ChatMessage> = all
            .messages
            .iter()
            .filter(|m| {
                let id = m.id.split(':').nth(1).unwrap();
                window.contains(&m.channel, Some(id), m.at)
            })
            .collect();
        assert!(!expected.is_empty(), "{window:?}");
        assert_eq!(
            read.messages.iter().collect::<Vec<_>>(),
            expected,
            "{window:?}"
        );
        assert!(
            read.summary.bytes < all.summary.bytes,
            "far days are not read: {window:?}"
        );
        assert_eq!(read.summary.channels, all.summary.channels);
    }
}

#[test]
fn a_zipped_slack_export_reads_as_its_folder() {
    let folder = read_slack(&fixture(SLACK_2016), &everything()).unwrap();
    let temp = tempfile::tempdir().unwrap();
    for prefix in ["", "slack-export-2016/"] {
        let zip = temp.path().join(format!("export{}.zip", prefix.len()));
        zip_tree(&fixture(SLACK_2016), &zip, prefix, &BTreeMap::new());
        let zipped = read_slack(&zip, &everything()).unwrap();
        assert_eq!(
            without_origin(&zipped.messages),
            without_origin(&folder.messages)
        );
        assert_eq!(zipped.summary, folder.summary);
        assert_eq!(zipped.progress, folder.progress);
        let first = &zipped.messages[0].origin.file;
        assert_eq!(
            first,
            &format!("{}/{prefix}enrique/2016-01-14.json", zip.display())
        );
    }
}

#[test]
fn a_folder_holding_the_export_one_level_down_is_read() {
    let temp = tempfile::tempdir().unwrap();
    copy_tree(&fixture(SLACK_2016), &temp.path().join("unpacked"));
    let read = read_slack(temp.path(), &everything()).unwrap();
    assert_eq!(read.messages.len(), 158);
}

// ---------------------------------------------------------------------------------------------
// A modern Slack export, written here

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A 2024-style export: threads, a deleted thread head, blocks, embedded profiles, files, pins,
/// integer `created`, private channels and direct messages in folders named by id.
fn modern_export(root: &Path) {
    write(
        root,
        "users.json",
        r#"[
  {"id":"U1","name":"ana.lima","real_name":"Ana Lima","is_bot":false,
   "profile":{"display_name":"ana","real_name":"Ana Lima","title":"SRE"}},
  {"id":"U2","name":"bob","real_name":"Bob Ray","profile":{"display_name":"","real_name":"Bob Ray","title":""}},
  {"id":"UB1","name":"pagerduty","is_bot":true,"profile":{"real_name":"PagerDuty","display_name":""}}
]"#,
    );
    write(
        root,
        "channels.json",
        r#"[{"id":"C1","name":"incident-2041","created":1795168000,"members":["U1","U2"],
            "topic":{"value":"","creator":"","last_set":0}},
           {"id":"C2","name":"general","created":"1795168000"}]"#,
    );
    write(
        root,
        "groups.json",
        r#"[{"id":"G1","name":"sec-private","created":1795168000}]"#,
    );
    write(
        root,
        "dms.json",
        r#"[{"id":"D1","created":1795168000,"members":["U1","U2"]}]"#,
    );
    write(
        root,
        "mpims.json",
        r#"[{"id":"G2","name":"mpdm-ana--bob--carl-1","created":1795168000,"members":["U1","U2","U3"]}]"#,
    );
    write(
        root,
        "integration_logs.json",
        r#"{"not": "a list of messages"}"#,
    );
    write(root, "canvases.json", "not even JSON");
    write(
        root,
        "incident-2041/2026-11-20.json",
        r#"[
  {"type":"message","subtype":"channel_join","user":"U2","text":"<@U2> has joined the channel","ts":"1795168800.000050"},
  {"type":"message","subtype":"tombstone","hidden":true,"user":"USLACKBOT","text":"This message was deleted.",
   "ts":"1795168800.000100","thread_ts":"1795168800.000100","reply_count":2,"reply_users_count":2,
   "latest_reply":"1795168900.000300","replies":[{"user":"U1","ts":"1795168860.000200"},{"user":"U3","ts":"1795168900.000300"}],
   "blocks":null},
  {"type":"message","user":"U1","text":"","ts":"1795168860.000200","thread_ts":"1795168800.000100",
   "parent_user_id":"USLACKBOT","client_msg_id":"6a0c",
   "user_profile":{"avatar_hash":"g1","real_name":"Someone Else","display_name":"not-ana","name":"ana.lima"},
   "blocks":[{"type":"rich_text","block_id":"x","elements":[{"type":"rich_text_section","elements":[
     {"type":"text","text":"rolling back, "},{"type":"user","user_id":"U2"},
     {"type":"text","text":" see "},{"type":"link","url":"https://grafana.example/d/42","text":"the dashboard"}]}]}]},
  {"type":"message","user":"U3","text":"<@U1> rollback done &amp; <https://deploy.example/123|deploy 123> is live, paging <!subteam^S1|@db-oncall>",
   "ts":"1795168900.000300","thread_ts":"1795168800.000100","parent_user_id":"USLACKBOT",
   "user_profile":{"real_name":"Carl Jones","display_name":"carl","name":"carl.j","title":"DBA","is_restricted":false},
   "edited":{"user":"U3","ts":"1795168950.000000"},
   "reactions":[{"name":"white_check_mark","users":["U1","U2"],"count":2},{"name":"pushpin","users":["U1"],"count":1}],
   "blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"ignored, text wins"}]}]}]},
  {"type":"message","user":"U2","text":"graph of the error rate","ts":"1795169000.000400","blocks":null,
   "pinned_to":["C1"],"pinned_info":{"C1":{"pinned_by":"U1","pinned_ts":1795169100}},
   "files":[{"id":"F1","name":"errors.png","title":"Error rate","mode":"hosted",
             "url_private":"https://files.slack.com/files-pri/T1-F1/errors.png?t=xoxe-secret",
             "permalink":"https://acme.slack.com/files/U2/F1/errors.png"},
            {"id":"F2","mode":"hidden_by_limit"},
            {"id":"F3","title":"log.txt","url_private":"https://files.slack.com/files-pri/T1-F3/log.txt?t=xoxe-secret&v=2"}],
   "attachments":[{"fallback":"PR #7","from_url":"https://github.com/acme/api/pull/7","title":"Fix pool size",
                   "title_link":"https://github.com/acme/api/pull/7","original_url":"https://github.com/acme/api/pull/7#top",
                   "text":"see <https://ci.example/run/9|run 9>"}]},
  {"type":"message","subtype":"bot_message","bot_id":"B1","username":"alertmanager","text":"",
   "ts":"1795169100.000500","attachments":[{"title":"[FIRING:1] HighErrorRate","title_link":"https://am.example/#/alerts",
   "text":"error rate &gt; 5%"}]},
  {"type":"message","user":"UB1","bot_id":"B2","bot_profile":{"id":"B2","name":"PagerDuty App"},
   "text":"Incident #2041 acknowledged by <@U1>","ts":"1795169200.000600","reactions":null},
  {"type":"message","subtype":"thread_broadcast","user":"U1","text":"also sent to the channel","ts":"1795169300.000700",
   "thread_ts":"1795168800.000100","root":{"text":"This message was deleted."}},
  {"type":"message","user":"U1","text":"","ts":"1795169400.000800","files":[{"id":"F4","title":"heap.hprof"}]}
]"#,
    );
    write(root, "incident-2041/canvas.json", "[]");
    write(
        root,
        "G1/2026-11-20.json",
        r#"[{"type":"message","user":"U1","text":"keys rotated, see <#C1>","ts":"1795170000.000001"}]"#,
    );
    write(
        root,
        "D1/2026-11-21.json",
        r#"[{"type":"message","user":"U2","text":"are you ok?","ts":"1795236000.000001"}]"#,
    );
    write(
        root,
        "mpdm-ana--bob--carl-1/2026-11-21.json",
        r#"[{"type":"message","user":"U1","text":"retro friday","ts":"1795236100.000001"}]"#,
    );
    write(
        root,
        "old-stuff/2026-11-19.json",
        r#"[{"type":"message","user":"U1","text":"before the export knew me","ts":"1795086000.000001"}]"#,
    );
    write(root, "__MACOSX/incident-2041/._2026-11-20.json", "junk");
}

fn modern() -> (tempfile::TempDir, Read) {
    let temp = tempfile::tempdir().unwrap();
    modern_export(temp.path());
    let read = read_slack(temp.path(), &everything()).unwrap();
    (temp, read)
}

fn links(message: &ChatMessage) -> Vec<&str> {
    message.links.iter().map(|l| l.as_str()).collect()
}

#[test]
fn a_modern_slack_export_lists_every_conversation() {
    let (_temp, read) = modern();
    assert_eq!(
        read.summary.channels,
        [
            "incident-2041",
            "general",
            "sec-private",
            "mpdm-ana--bob--carl-1",
            "ana, Bob Ray",
            "old-stuff"
        ]
    );
    assert_eq!(read.messages.len(), 13);
    assert_eq!(read.count(|m| m.channel == "incident-2041"), 9);
    let private = &read.messages[9];
    assert_eq!(
        (
            private.id.as_str(),
            private.channel.as_str(),
            private.text.as_str()
        ),
        (
            "slack:G1:1795170000.000001",
            "sec-private",
            "keys rotated, see #incident-2041"
        )
    );
    let dm = read.by_id("slack:D1:1795236000.000001");
    assert_eq!(dm.channel, "ana, Bob Ray");
    assert_eq!(
        read.by_id("slack:G2:1795236100.000001").channel,
        "mpdm-ana--bob--carl-1"
    );
    let unlisted = read.by_id("slack:old-stuff:1795086000.000001");
    assert_eq!(unlisted.channel, "old-stuff");
    let warnings = read.summary.warnings.join("\n");
    assert!(
        warnings.contains("old-stuff: in no channel list"),
        "{warnings}"
    );
    assert!(
        warnings.contains("canvas.json: skipped: not a day file"),
        "{warnings}"
    );
    assert_eq!(read.summary.warnings.len(), 2, "{warnings}");
}

#[test]
fn a_modern_slack_thread_keeps_its_deleted_head() {
    let (_temp, read) = modern();
    let head_id = "slack:C1:1795168800.000100";
    let head = read.by_id(head_id);
    assert_eq!(head.subtype.as_deref(), Some("tombstone"));
    assert_eq!(head.text, "This message was deleted.");
    assert_eq!(head.thread.as_deref(), Some(head_id));
    assert!(head.bot, "Slackbot writes tombstones");
    let in_thread: Vec<&str> = read
        .messages
        .iter()
        .filter(|m| m.thread.as_deref() == Some(head_id))
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(
        in_thread,
        [
            head_id,
            "slack:C1:1795168860.000200",
            "slack:C1:1795168900.000300",
            "slack:C1:1795169300.000700"
        ]
    );
}

#[test]
fn a_modern_slack_reply_with_empty_text_reads_its_rich_text_blocks() {
    let (_temp, read) = modern();
    let reply = read.by_id("slack:C1:1795168860.000200");
    assert_eq!(
        reply.text,
        "rolling back, @Bob Ray see the dashboard (https://grafana.example/d/42)"
    );
    assert_eq!(links(reply), ["https://grafana.example/d/42"]);
    assert_eq!(
        reply.author.as_deref(),
        Some("ana"),
        "users.json wins over the embedded profile"
    );
    assert_eq!(reply.at, utc("2026-11-20T10:01:00.0002Z"));
}

#[test]
fn a_modern_slack_author_missing_from_users_json_comes_from_the_embedded_profile() {
    let (_temp, read) = modern();
    let reply = read.by_id("slack:C1:1795168900.000300");
    assert_eq!(reply.author_id.as_deref(), Some("U3"));
    assert_eq!(reply.author.as_deref(), Some("carl"));
    assert_eq!(
        reply.text,
        "@ana rollback done & deploy 123 (https://deploy.example/123) is live, paging @db-oncall"
    );
    assert!(reply.edited);
    assert_eq!(reply.reactions, ["white_check_mark", "pushpin"]);
    let carl = read.summary.users.iter().find(|u| u.id == "U3").unwrap();
    assert_eq!(
        (carl.name.as_str(), carl.title.as_deref()),
        ("carl", Some("DBA"))
    );
    assert_eq!(read.summary.users.len(), 4);
    let ana = &read.summary.users[0];
    assert_eq!(
        (ana.name.as_str(), ana.title.as_deref()),
        ("ana", Some("SRE"))
    );
    assert_eq!(read.summary.users[1].name, "Bob Ray");
}

#[test]
fn a_modern_slack_message_gathers_links_from_text_attachments_and_files() {
    let (_temp, read) = modern();
    let pinned = read.by_id("slack:C1:1795169000.000400");
    assert!(pinned.pinned);
    assert!(!pinned.edited && pinned.reactions.is_empty() && pinned.thread.is_none());
    assert_eq!(
        pinned.text, "graph of the error rate",
        "text wins when there is one"
    );
    assert_eq!(
        links(pinned),
        [
            "https://github.com/acme/api/pull/7",
            "https://github.com/acme/api/pull/7#top",
            "https://ci.example/run/9",
            "https://acme.slack.com/files/U2/F1/errors.png",
            "https://files.slack.com/files-pri/T1-F3/log.txt?v=2",
        ]
    );
    let files_only = read.by_id("slack:C1:1795169400.000800");
    assert_eq!(files_only.text, "heap.hprof");
    assert!(files_only.links.is_empty());
}

#[test]
fn modern_slack_bots_are_told_apart_from_people() {
    let (_temp, read) = modern();
    let alert = read.by_id("slack:C1:1795169100.000500");
    assert!(alert.bot);
    assert_eq!(alert.author.as_deref(), Some("alertmanager"));
    assert_eq!(alert.author_id, None);
    assert_eq!(alert.text, "[FIRING:1] HighErrorRate\nerror rate > 5%");
    assert_eq!(links(alert), ["https://am.example/#/alerts"]);
    let app = read.by_id("slack:C1:1795169200.000600");
    assert!(app.bot);
    assert_eq!(
        app.author.as_deref(),
        Some("PagerDuty"),
        "the user list names the app's user"
    );
    assert_eq!(app.text, "Incident #2041 acknowledged by @ana");
    assert!(app.reactions.is_empty(), "`reactions: null`");
    let join = read.by_id("slack:C1:1795168800.000050");
    assert!(!join.bot);
    assert_eq!(join.text, "@Bob Ray has joined the channel");
}

#[test]
fn a_modern_slack_export_zips_and_filters_like_its_folder() {
    let (temp, folder) = modern();
    let zip = temp.path().join("modern.zip");
    let export = temp.path().join("export");
    modern_export(&export);
    zip_tree(&export, &zip, "", &BTreeMap::new());
    let zipped = read_slack(&zip, &everything()).unwrap();
    assert_eq!(
        without_origin(&zipped.messages),
        without_origin(&folder.messages)
    );
    assert_eq!(zipped.summary.warnings.len(), 2);

    let one_channel = ChatWindow {
        channel: Some("G1".into()),
        from: None,
        to: None,
    };
    let private = read_slack(&zip, &one_channel).unwrap();
    assert_eq!(private.messages.len(), 1);
    assert_eq!(private.messages[0].channel, "sec-private");
}

// ---------------------------------------------------------------------------------------------
// Broken Slack exports

/// The error reading the 2016 export with `file` (relative) replaced by `bytes`, from a folder
/// and from a zip.
fn broken_2016(file: &str, bytes: Vec<u8>) -> [ChatError; 2] {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("export");
    copy_tree(&fixture(SLACK_2016), &folder);
    std::fs::write(folder.join(file), &bytes).unwrap();
    let zip = temp.path().join("export.zip");
    zip_tree(&folder, &zip, "", &BTreeMap::new());
    let from_folder = read_slack(&folder, &everything()).err().expect("an error");
    let from_zip = read_slack(&zip, &everything()).err().expect("an error");
    assert!(
        from_folder.origin.file.ends_with(&format!("export/{file}")),
        "{from_folder}"
    );
    assert_eq!(
        from_zip.origin.file,
        format!("{}/{file}", zip.display()),
        "the zip, then the path inside it"
    );
    assert_eq!(from_folder.message, from_zip.message);
    assert_eq!(from_folder.origin.line, from_zip.origin.line);
    [from_folder, from_zip]
}

#[test]
fn a_truncated_slack_day_file_is_named_with_its_line_and_column() {
    let day = "enrique/2016-03-28.json";
    let whole = std::fs::read(fixture(SLACK_2016).join(day)).unwrap();
    let lines_kept = 40;
    let cut: Vec<u8> = whole
        .split_inclusive(|b| *b == b'\n')
        .take(lines_kept)
        .flatten()
        .copied()
        .collect();
    let [error, _] = broken_2016(day, cut);
    // The file ends just after the line break of the last line kept.
    assert_eq!(error.origin.line, Some(lines_kept as u64 + 1));
    assert!(error.message.starts_with("column "), "{error}");
    assert!(error.message.contains("EOF while parsing"), "{error}");
    assert!(error.message.contains("cut short"), "{error}");
}

#[test]
fn invalid_utf8_in_a_slack_day_file_is_named_with_its_line() {
    let day = "traveling-sailor/2016-03-29.json";
    let mut bytes =
        b"[\n  {\"type\": \"message\", \"user\": \"U0BMQB6JE\",\n   \"text\": \"caf".to_vec();
    bytes.extend([0xC3, 0x28]);
    bytes.extend(b"\", \"ts\": \"1459200000.000001\"}\n]\n");
    let [error, _] = broken_2016(day, bytes);
    assert_eq!(error.origin.line, Some(3), "{error}");
    assert!(
        error
            .to_string()
            .contains("2016-03-29.json, line 3: column"),
        "{error}"
    );
    assert!(
        error.message.to_lowercase().contains("utf-8") || error.message.contains("unicode"),
        "{error}"
    );
}

#[test]
fn a_slack_timestamp_that_is_not_one_is_named_with_its_line() {
    let day = "enrique/2016-01-14.json";
    let bytes =
        b"[\n  {\"type\": \"message\", \"text\": \"hi\",\n   \"ts\": \"abc\"}\n]\n".to_vec();
    let [error, _] = broken_2016(day, bytes);
    assert_eq!(error.origin.line, Some(3), "{error}");
    assert!(
        error
            .message
            .contains("`abc` is not a Slack timestamp: expected seconds since 1970"),
        "{error}"
    );
    let float = b"[{\"ts\": 1459200000.5, \"text\": \"x\"}]".to_vec();
    let [error, _] = broken_2016(day, float);
    assert!(
        error.message.contains("expected a Slack timestamp such as"),
        "{error}"
    );
}

#[test]
fn a_broken_slack_user_list_is_named() {
    let [error, _] = broken_2016("users.json", b"{\"id\": 1}".to_vec());
    assert_eq!(error.origin.line, Some(1));
    assert!(error.message.contains("expected a sequence"), "{error}");
}

#[test]
fn a_slack_export_that_is_not_one_says_what_was_expected() {
    let temp = tempfile::tempdir().unwrap();
    write(temp.path(), "notes/2026-11-20.json", "[]");
    let error = read_slack(temp.path(), &everything()).err().unwrap();
    assert!(error.message.contains("not a Slack export"), "{error}");
    let not_zip = temp.path().join("export.zip");
    std::fs::write(&not_zip, "PK not really").unwrap();
    let error = read_slack(&not_zip, &everything()).err().unwrap();
    assert!(
        error.message.contains("not a folder nor a readable zip"),
        "{error}"
    );
    let error = read_slack(&temp.path().join("missing"), &everything())
        .err()
        .unwrap();
    assert!(error.message.starts_with("cannot open"), "{error}");
}

#[test]
fn a_slack_export_without_lists_is_read_with_warnings() {
    let temp = tempfile::tempdir().unwrap();
    write(temp.path(), "users.json", "[]");
    write(
        temp.path(),
        "ops/2026-11-20.json",
        r#"[{"user":"U1","text":"hello","ts":"1795168800.000001"}]"#,
    );
    let read = read_slack(temp.path(), &everything()).unwrap();
    assert_eq!(read.messages.len(), 1);
    assert_eq!(read.messages[0].author, None);
    assert_eq!(read.messages[0].id, "slack:ops:1795168800.000001");
    assert_eq!(
        read.summary.warnings.len(),
        2,
        "{:?}",
        read.summary.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// Mattermost

fn mattermost_fixture() -> Vec<u8> {
    std::fs::read(fixture(MATTERMOST)).unwrap()
}

#[test]
fn the_mattermost_export_gives_every_post_and_reply() {
    let read = read_mattermost(&mattermost_fixture(), &everything()).unwrap();
    assert_eq!(read.messages.len(), 21, "20 posts and 1 reply");
    assert_eq!(read.summary.messages, 21);
    assert_eq!(
        read.summary.channels,
        [
            "gryffindor-common-room",
            "gryffindor-quidditch-team",
            "slytherin-common-room",
            "dumbledores-army",
            "slytherin-quidditch-team"
        ]
    );
    let per_channel = |name: &str| read.count(|m| m.channel == name);
    assert_eq!(per_channel("gryffindor-quidditch-team"), 7);
    assert_eq!(per_channel("dumbledores-army"), 5);
    assert_eq!(per_channel("gryffindor-common-room"), 4);
    assert_eq!(per_channel("slytherin-quidditch-team"), 4);
    assert_eq!(per_channel("slytherin-common-room"), 1);

    let users: Vec<(&str, &str)> = read
        .summary
        .users
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    assert_eq!(
        users,
        [
            ("ron", "Ron Weasley"),
            ("harry", "Harry Potter"),
            ("malfoy", "malfoy"),
            ("pansy", "pansy"),
            ("snape", "Severus Snape")
        ]
    );
    assert_eq!(read.progress.len(), 35);
    assert_eq!(read.progress.last(), Some(&read.summary.bytes));
    assert_eq!(read.summary.bytes, mattermost_fixture().len() as u64);
}

#[test]
fn mattermost_posts_stream_out_of_order_with_a_reply_older_than_its_root() {
    let read = read_mattermost(&mattermost_fixture(), &everything()).unwrap();
    assert!(
        read.messages.windows(2).any(|w| w[0].at > w[1].at),
        "the file is not in time order, and neither is what is handed over"
    );
    let root = &read.messages[0];
    let reply = &read.messages[1];
    assert_eq!(
        root.id,
        "mattermost:gryffindor:dumbledores-army:1553166657086:harry"
    );
    assert_eq!(
        reply.id,
        "mattermost:gryffindor:dumbledores-army:1553166584976:ron"
    );
    assert_eq!(root.thread.as_deref(), Some(root.id.as_str()));
    assert_eq!(reply.thread.as_deref(), Some(root.id.as_str()));
    assert!(reply.at < root.at);
    assert_eq!(reply.at, utc("2019-03-21T11:09:44.976Z"));
    assert_eq!(reply.text, "The weather is so hot!");
    assert_eq!(reply.author.as_deref(), Some("Ron Weasley"));
    assert_eq!(reply.origin.line, Some(14));
    assert_eq!(
        root.text, "harry joined the channel.",
        "system messages are plain posts in this export"
    );
    assert_eq!(root.subtype, None);
    assert!(root.reactions.is_empty(), "`reactions: null`");

    let hello = read
        .messages
        .iter()
        .find(|m| m.text == "Hello world")
        .unwrap();
    assert_eq!(hello.reactions, ["tick", "smile", "world_map"]);
    let mut ids: Vec<&str> = read.messages.iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 21);
}

#[test]
fn a_mattermost_post_whose_team_does_not_hold_its_channel_is_read_with_a_warning() {
    let read = read_mattermost(&mattermost_fixture(), &everything()).unwrap();
    assert_eq!(
        read.summary.warnings,
        [
            "export.jsonl, line 33: the post names team `gryffindor`, but channel `slytherin-quidditch-team` belongs to team `slytherin`; read as written"
        ]
    );
    let snape = read.messages.last().unwrap();
    assert_eq!(snape.author.as_deref(), Some("Severus Snape"));
    assert_eq!(
        snape.id,
        "mattermost:gryffindor:slytherin-quidditch-team:1553166740759:snape"
    );
}

#[test]
fn a_mattermost_window_picks_channels_by_name_or_team_and_times() {
    let by_name = ChatWindow {
        channel: Some("dumbledores-army".into()),
        from: None,
        to: None,
    };
    assert_eq!(
        read_mattermost(&mattermost_fixture(), &by_name)
            .unwrap()
            .messages
            .len(),
        5
    );
    let by_team = ChatWindow {
        channel: Some("slytherin:slytherin-quidditch-team".into()),
        from: Some(utc("2019-03-21T11:14:00Z")),
        to: None,
    };
    let read = read_mattermost(&mattermost_fixture(), &by_team).unwrap();
    let texts: Vec<&str> = read.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["malfoy joined the team.", ":rofl: 4", "Hello folks"]
    );
}

#[test]
fn mattermost_direct_posts_bots_pins_edits_and_late_users() {
    let export = concat!(
        "\u{feff}{\"type\":\"version\",\"version\":1}\n",
        "\n",
        "{\"type\":\"direct_channel\",\"direct_channel\":{\"members\":[\"ron\",\"harry\"]}}\r\n",
        "{\"type\":\"direct_post\",\"direct_post\":{\"channel_members\":[\"ron\",\"harry\"],\"user\":\"ron\",",
        "\"message\":\"see [the graph](https://grafana.example/d/1) and https://x.example/a.\",",
        "\"create_at\":1700000000000,\"edit_at\":1700000001000,\"is_pinned\":true,",
        "\"replies\":[{\"user\":\"harry\",\"message\":\"ok\",\"create_at\":1700000002000,\"reactions\":[{\"user\":\"ron\",\"emoji_name\":\"+1\",\"create_at\":1}]}]}}\n",
        "{\"type\":\"scheme\",\"scheme\":{\"name\":\"x\"}}\n",
        "{\"type\":\"post\",\"post\":{\"team\":\"t\",\"channel\":\"ops\",\"user\":\"bot-user\",\"message\":\"[FIRING] disk\",",
        "\"create_at\":1700000003000,\"type\":\"custom_alert\",\"props\":{\"from_webhook\":\"true\",\"override_username\":\"alertmanager\"}}}\n",
        "{\"type\":\"user\",\"user\":{\"username\":\"ron\",\"first_name\":\"Ron\",\"last_name\":\"Weasley\",\"nickname\":\"Ronnie\",\"position\":\"Keeper\"}}\n",
    );
    let read = read_mattermost(export.as_bytes(), &everything()).unwrap();
    assert_eq!(read.messages.len(), 3);
    let dm = &read.messages[0];
    assert_eq!(dm.channel, "harry, ron");
    assert_eq!(dm.id, "mattermost:direct:harry, ron:1700000000000:ron");
    assert_eq!(
        dm.author.as_deref(),
        Some("ron"),
        "users after posts are not known yet"
    );
    assert!(dm.pinned && dm.edited && !dm.bot);
    assert_eq!(
        links(dm),
        ["https://grafana.example/d/1", "https://x.example/a"]
    );
    assert_eq!(dm.origin.line, Some(4));
    let reply = &read.messages[1];
    assert_eq!(reply.thread.as_deref(), Some(dm.id.as_str()));
    assert_eq!(reply.reactions, ["+1"]);
    assert!(!reply.pinned && !reply.edited);
    let alert = &read.messages[2];
    assert!(alert.bot);
    assert_eq!(alert.author.as_deref(), Some("alertmanager"));
    assert_eq!(alert.author_id.as_deref(), Some("bot-user"));
    assert_eq!(alert.subtype.as_deref(), Some("custom_alert"));
    assert_eq!(read.summary.channels, ["harry, ron", "ops"]);
    assert_eq!(read.summary.users[0].title.as_deref(), Some("Keeper"));
    assert_eq!(read.summary.users[0].name, "Ronnie");
    assert_eq!(read.summary.warnings.len(), 1, "ops has no channel line");
}

#[test]
fn malformed_mattermost_lines_are_named() {
    let check = |export: &str, line: u64, expected: &str| {
        let error = read_mattermost(export.as_bytes(), &everything())
            .err()
            .unwrap();
        assert_eq!(error.origin.file, "export.jsonl");
        assert_eq!(error.origin.line, Some(line), "{error}");
        assert!(error.message.contains(expected), "{error}");
    };
    let post = r#"{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"m","create_at":1700000000000}}"#;
    check(
        &format!("{post}\n{post}\n{{\"type\":\"post\",\"post\":{{\"team\":\"t\"\n"),
        3,
        "cut short",
    );
    check(
        &format!("{post}\n{}", post.replace("1700000000000", "\"soon\"")),
        2,
        "invalid type: string \"soon\", expected i64",
    );
    check(
        &post.replace(",\"create_at\":1700000000000", ""),
        1,
        "missing field `create_at`",
    );
    check(
        &post.replace("1700000000000", "99999999999999999"),
        1,
        "`create_at` 99999999999999999 is not a time",
    );
    check(
        r#"{"type":"post"}"#,
        1,
        "a `post` line without its `post` object",
    );
    check(
        &post.replace(r#""channel":"c","#, ""),
        1,
        "a post without its `channel`",
    );
    let mut invalid = post.as_bytes().to_vec();
    invalid.splice(70..70, [0xFF, 0xFE]);
    let error = read_mattermost(&invalid, &everything()).err().unwrap();
    assert_eq!(error.origin.line, Some(1), "{error}");
    assert!(error.message.starts_with("column "), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Plain logs

#[test]
fn a_plain_csv_log_reads_times_in_every_form() {
    let csv = "\u{feff}Time,Author,Text,Channel\n\
        2026-11-20 14:03,ana,\"rolled back, see https://deploy.example/1\",\n\
        2026-11-20T13:05:00Z,,\"two\nlines\",war-room\n\
        1795183500,bob,   ,\n\
        1795183560123,bob,all clear,\n";
    let read = read_plain(csv.as_bytes(), "logs/inc-2041.csv", &everything()).unwrap();
    let got: Vec<String> = read
        .messages
        .iter()
        .map(|m| {
            format!(
                "{} | {} | {:?} | {:?} | line {:?}",
                m.channel,
                m.at.to_rfc3339(),
                m.author,
                m.text,
                m.origin.line
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            r#"inc-2041 | 2026-11-20T13:03:00+00:00 | Some("ana") | "rolled back, see https://deploy.example/1" | line Some(2)"#,
            r#"war-room | 2026-11-20T13:05:00+00:00 | None | "two\nlines" | line Some(3)"#,
            r#"inc-2041 | 2026-11-20T14:06:00.123+00:00 | Some("bob") | "all clear" | line Some(6)"#,
        ]
    );
    assert_eq!(links(&read.messages[0]), ["https://deploy.example/1"]);
    assert_eq!(
        read.summary.warnings,
        ["logs/inc-2041.csv, line 5: skipped: no text"]
    );
    assert_eq!(read.summary.channels, ["inc-2041", "war-room"]);
    assert_eq!(read.summary.bytes, csv.len() as u64);
    assert_eq!(read.progress.last(), Some(&(csv.len() as u64)));

    let again = read_plain(csv.as_bytes(), "logs/inc-2041.csv", &everything()).unwrap();
    assert_eq!(again.messages, read.messages, "ids are stable");
    assert!(
        read.messages[0]
            .id
            .starts_with("plain:inc-2041:1795179780000000:")
    );
}

#[test]
fn a_plain_json_lines_log_takes_strings_and_numbers() {
    let log = concat!(
        "{\"time\":\"2026-11-20T14:03:00+01:00\",\"author\":\"ana\",\"text\":\"paging db\"}\n",
        "\n",
        "{\"time\":1795183500,\"author\":\"bob\",\"text\":\"ack\",\"channel\":\"war-room\",\"extra\":[1]}\n",
        "{\"time\":1795183560123,\"text\":\"bot says hi\"}\n",
        "{\"time\":1795183560.25,\"author\":\"bob\",\"text\":\"quarter\"}\n",
        "{\"time\":\"2026-11-20 15:00\",\"author\":\"ana\"}\n",
    );
    let read = read_plain(log.as_bytes(), "inc.ndjson", &everything()).unwrap();
    let got: Vec<(String, Option<&str>, &str)> = read
        .messages
        .iter()
        .map(|m| (m.at.to_rfc3339(), m.author.as_deref(), m.channel.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-11-20T13:03:00+00:00".to_owned(), Some("ana"), "inc"),
            (
                "2026-11-20T14:05:00+00:00".to_owned(),
                Some("bob"),
                "war-room"
            ),
            ("2026-11-20T14:06:00.123+00:00".to_owned(), None, "inc"),
            (
                "2026-11-20T14:06:00.250+00:00".to_owned(),
                Some("bob"),
                "inc"
            ),
        ]
    );
    assert_eq!(
        read.summary.warnings,
        ["inc.ndjson, line 6: skipped: no text"]
    );
    let window = ChatWindow {
        channel: Some("war-room".into()),
        from: None,
        to: None,
    };
    assert_eq!(
        read_plain(log.as_bytes(), "inc.jsonl", &window)
            .unwrap()
            .messages
            .len(),
        1
    );
}

#[test]
fn plain_logs_that_cannot_be_read_say_where_and_why() {
    let check = |bytes: &[u8], file: &str, line: Option<u64>, expected: &str| {
        let error = read_plain(bytes, file, &everything()).err().unwrap();
        assert_eq!(error.origin.file, file);
        assert_eq!(error.origin.line, line, "{error}");
        assert!(error.message.contains(expected), "{error}");
    };
    check(
        b"time,text\n",
        "a.csv",
        Some(1),
        "expected the columns time, author and text",
    );
    check(
        b"time,author,text\n2026-11-20 14:03,ana,ok\nyesterday,ana,hm\n",
        "a.csv",
        Some(3),
        "column `time`: `yesterday` is not a time",
    );
    check(
        b"time,author,text\n2026-03-29 02:30,ana,dst\n",
        "a.csv",
        Some(2),
        "daylight saving",
    );
    check(
        b"time,author,text\n,ana,no time\n",
        "a.csv",
        Some(2),
        "no time",
    );
    check(
        b"time,author,text\n2026-11-20 14:03,ana,caf\xC3\x28\n",
        "a.csv",
        Some(2),
        "field 3: not UTF-8",
    );
    check(
        b"{\"author\":\"ana\",\"text\":\"x\"}\n",
        "a.jsonl",
        Some(1),
        "`time`: no time",
    );
    check(
        b"{\"time\":true,\"text\":\"x\"}\n",
        "a.jsonl",
        Some(1),
        "expected a string or a number",
    );
    check(
        b"{\"time\":-5,\"text\":\"x\"}\n",
        "a.jsonl",
        Some(1),
        "seconds or milliseconds since 1970",
    );
    check(b"ok\n", "a.jsonl", Some(1), "column 1: expected value");
    check(
        b"time,author,text\n",
        "a.txt",
        None,
        "expected a .csv, .jsonl or .ndjson file",
    );
}

// ---------------------------------------------------------------------------------------------
// Arbitrary input never panics

/// Slack reads of `bytes` as each top-level file, as a day file, inside a zip, and as the zip.
fn slack_survives(bytes: &[u8], day: &[u8]) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("export");
    std::fs::create_dir_all(root.join("ops")).unwrap();
    std::fs::write(root.join("users.json"), bytes).unwrap();
    std::fs::write(root.join("channels.json"), r#"[{"id":"C1","name":"ops"}]"#).unwrap();
    std::fs::write(root.join("ops/2026-11-20.json"), day).unwrap();
    let _ = read_slack(&root, &everything());
    std::fs::write(root.join("users.json"), "[]").unwrap();
    std::fs::write(root.join("channels.json"), bytes).unwrap();
    let _ = read_slack(&root, &everything());
    std::fs::write(root.join("channels.json"), r#"[{"id":"C1","name":"ops"}]"#).unwrap();
    let zip = temp.path().join("export.zip");
    zip_tree(&root, &zip, "", &BTreeMap::new());
    let _ = read_slack(&zip, &everything());
    let raw_zip = temp.path().join("raw.zip");
    std::fs::write(&raw_zip, bytes).unwrap();
    let _ = read_slack(&raw_zip, &everything());
}

/// `text` with the byte at `at` (modulo its length) replaced by `byte`.
fn mutate(text: &[u8], at: usize, byte: u8) -> Vec<u8> {
    let mut bytes = text.to_vec();
    if !bytes.is_empty() {
        let index = at % bytes.len();
        bytes[index] = byte;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn slack_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        slack_survives(&bytes, &bytes);
    }

    #[test]
    fn slack_never_panics_on_a_mutated_day(at in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
        let day = std::fs::read(fixture(SLACK_2016).join("traveling-sailor/2016-03-25.json")).unwrap();
        let mutated = mutate(&day, at, byte);
        let cut = cut % (mutated.len() + 1);
        slack_survives(b"[]", &mutated[..cut]);
        slack_survives(b"[]", &mutated);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mattermost_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_mattermost(&bytes, &everything());
    }

    #[test]
    fn mattermost_never_panics_on_a_mutated_export(at in any::<usize>(), byte in any::<u8>()) {
        let _ = read_mattermost(&mutate(&mattermost_fixture(), at, byte), &everything());
    }

    #[test]
    fn plain_logs_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for file in ["chat.csv", "chat.jsonl", "chat.ndjson", "chat"] {
            let _ = read_plain(&bytes, file, &everything());
        }
    }

    #[test]
    fn plain_logs_never_panic_on_arbitrary_text(text in "(time,author,text,channel\n)?([0-9T:.Z +-]{0,25},[a-z\"]{0,5},[ -~\n]{0,20}\n){0,5}") {
        let _ = read_plain(text.as_bytes(), "chat.csv", &everything());
        let json: String = text.lines().map(|line| {
            let cells: Vec<&str> = line.splitn(3, ',').collect();
            format!("{{\"time\":{:?},\"author\":{:?},\"text\":{:?}}}\n", cells[0], cells.get(1).copied().unwrap_or_default(), cells.get(2).copied().unwrap_or_default())
        }).collect();
        let _ = read_plain(json.as_bytes(), "chat.jsonl", &everything());
    }
}
