//! The `hindsight` binary as a user runs it: a real process over a real SQLite file (and a real
//! PostgreSQL where `HINDSIGHT_TEST_POSTGRES` names one).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use serde_json::Value;
use std::{path::Path, process::Command};

const GITHUB_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/github-2018-10-21.csv"
);

/// One user's workspace: a fresh database file and the binary pointed at it.
struct Hindsight {
    dir: tempfile::TempDir,
    db: String,
}

/// What a run printed and how it ended.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        self
    }

    fn failed(self) -> Run {
        assert_ne!(self.code, 0, "expected a failure, got {self:#?}");
        assert!(!self.stderr.contains("panicked"), "a panic: {self:#?}");
        self
    }
}

impl Hindsight {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hindsight.db").display().to_string();
        Hindsight { dir, db }
    }

    fn on(db: String) -> Self {
        Hindsight {
            dir: tempfile::tempdir().unwrap(),
            db,
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        use std::io::Write;
        let mut command = Command::new(env!("CARGO_BIN_EXE_hindsight"));
        command
            .args(["--db", &self.db])
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("HINDSIGHT_DB")
            .env_remove("HINDSIGHT_CONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    fn new_incident(&self, title: &str, severity: &str, timezone: &str) -> String {
        let run = self
            .run(&[
                "incident",
                "new",
                "--title",
                title,
                "--severity",
                severity,
                "--timezone",
                timezone,
            ])
            .ok();
        run.stdout.trim().to_owned()
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn figures(&self, key: &str) -> Value {
        serde_json::from_str(&self.run(&["figures", key, "--json"]).ok().stdout).unwrap()
    }
}

#[test]
fn a_new_incident_prints_its_key_and_keys_count_up() {
    let h = Hindsight::new();
    assert_eq!(
        h.new_incident("Checkout 502s", "SEV-1", "Europe/Paris"),
        "INC-1"
    );
    assert_eq!(h.new_incident("Search slow", "sev3", "UTC"), "INC-2");
    let list = h.run(&["incident", "list"]).ok().stdout;
    assert!(list.starts_with("INC-2"), "{list}");
    assert!(list.contains("INC-1    SEV-1"), "{list}");
}

#[test]
fn the_database_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.db");
    let output = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .args(["incident", "new", "--title", "x", "--severity", "SEV-2"])
        .env("HINDSIGHT_DB", &db)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "INC-1");
    assert!(db.exists());
    assert!(!dir.path().join("hindsight.db").exists());
}

/// GitHub's public post-mortem of 21 October 2018 (see tests/data/github-2018-10-21.SOURCE.md):
/// the figures derived from its published timeline equal the durations it published.
fn check_github_2018(h: &Hindsight) {
    let key = h.new_incident(
        "GitHub: 24 hours of degraded service after a network partition",
        "SEV-1",
        "UTC",
    );
    let run = h.run(&["timeline", "import", &key, GITHUB_CSV]).ok();
    assert!(run.stderr.contains("imported 26 events"), "{}", run.stderr);

    let figures = h.figures(&key);
    assert_eq!(figures["started_at"], "2018-10-21T22:52:00Z");
    assert_eq!(figures["detected_at"], "2018-10-21T22:54:00Z");
    assert_eq!(figures["acknowledged_at"], "2018-10-21T23:11:00Z");
    assert_eq!(figures["mitigated_at"], "2018-10-22T16:24:00Z");
    assert_eq!(figures["resolved_at"], "2018-10-22T23:03:00Z");
    // "24 hours and 11 minutes of service degradation".
    assert_eq!(figures["impact_duration_s"], 24 * 3600 + 11 * 60);
    assert_eq!(figures["time_to_resolve_s"], 24 * 3600 + 11 * 60);
    assert_eq!(figures["time_to_detect_s"], 2 * 60);
    assert_eq!(figures["time_to_acknowledge_s"], 17 * 60);
    assert_eq!(figures["time_to_mitigate_s"], 17 * 3600 + 32 * 60);
    // Yellow (SEV-2) until "two minutes" after 23:11, then red (SEV-1) until resolution.
    assert_eq!(figures["time_in_severity_s"]["SEV-2"], 21 * 60);
    assert_eq!(figures["time_in_severity_s"]["SEV-1"], 23 * 3600 + 50 * 60);
    // Resolved on Monday 22 October: five business days later is Monday 29 October.
    assert_eq!(figures["meeting_deadline"], "2018-10-29");

    let markdown = h
        .run(&["postmortem", "render", &key, "--format", "markdown"])
        .ok()
        .stdout;
    assert!(
        markdown.contains("| 2018-10-21 22:52:00 UTC | Impact started |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| 2018-10-22 23:03:00 UTC | Resolved |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Impact duration | 1d 0h 11m (87060 s) |"),
        "{markdown}"
    );

    // Importing the same file again adds nothing.
    let again = h.run(&["timeline", "import", &key, GITHUB_CSV]).ok();
    assert!(
        again.stderr.contains("imported 0 events") && again.stderr.contains("26 already"),
        "{}",
        again.stderr
    );
}

#[test]
fn github_2018_published_durations_are_derived_from_its_timeline() {
    check_github_2018(&Hindsight::new());
}

#[test]
fn github_2018_published_durations_are_derived_on_postgresql_too() {
    let Some(server) = std::env::var("HINDSIGHT_TEST_POSTGRES").ok() else {
        assert!(
            std::env::var_os("HINDSIGHT_REQUIRE_POSTGRES").is_none(),
            "HINDSIGHT_TEST_POSTGRES is not set"
        );
        return;
    };
    // A schema of its own, so the test sees only its rows and leaves nothing behind.
    use hindsight_store_postgres::postgres::{Client, NoTls};
    let schema = format!(
        "hs_cli_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let mut admin = Client::connect(&server, NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let separator = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{separator}options=-csearch_path%3D{schema}");
    let result = std::panic::catch_unwind(|| check_github_2018(&Hindsight::on(url)));
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
    result.unwrap();
}

#[test]
fn a_bad_row_names_its_line_and_column_and_nothing_is_stored() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-2", "Europe/Paris");
    let cases = [
        (
            "kind.csv",
            "2026-11-20 14:00,rolled_back,Oops,",
            "kind.csv: line 3, column `kind`: unknown event kind `rolled_back`: expected one of",
        ),
        (
            "time.csv",
            "20/11/2026 14:00,note,Oops,",
            "time.csv: line 3, column `time`: `20/11/2026 14:00` is not a time",
        ),
        (
            "severity.csv",
            "2026-11-20 14:00,severity_changed,Worse,SEV-0",
            "severity.csv: line 3, column `severity`: unknown severity `SEV-0`",
        ),
        (
            "dst.csv",
            "2026-03-29 02:30,note,Oops,",
            "dst.csv: line 3, column `time`: 2026-03-29 02:30:00 does not exist in Europe/Paris",
        ),
    ];
    for (name, bad_row, expected) in cases {
        let file = h.write(
            name,
            &format!("time,kind,text,severity\n2026-11-20 13:00,detected,Alert,\n{bad_row}\n"),
        );
        let run = h.run(&["timeline", "import", &key, &file]).failed();
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
    }
    let timeline = h.run(&["timeline", "list", &key, "--json"]).ok().stdout;
    assert_eq!(timeline.trim(), "[]");
}

#[test]
fn an_unknown_incident_or_a_malformed_key_is_an_error_not_a_panic() {
    let h = Hindsight::new();
    let run = h.run(&["figures", "INC-99"]).failed();
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr.trim(), "error: no incident INC-99");

    let file = h.write("t.csv", "time,kind,text\n2026-11-20T14:00:00Z,note,x\n");
    let run = h.run(&["timeline", "import", "INC-7", &file]).failed();
    assert_eq!(run.stderr.trim(), "error: no incident INC-7");

    let run = h.run(&["figures", "42"]).failed();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`42` is not an incident key: expected INC- and a number"),
        "{}",
        run.stderr
    );

    let run = h
        .run(&["incident", "new", "--title", "x", "--severity", "SEV-9"])
        .failed();
    assert!(
        run.stderr.contains("unknown severity `SEV-9`"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&[
            "incident",
            "new",
            "--title",
            "x",
            "--severity",
            "SEV-2",
            "--timezone",
            "Mars/Olympus",
        ])
        .failed();
    assert!(
        run.stderr.contains("unknown timezone `Mars/Olympus`"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&["timeline", "import", "INC-1", "/nonexistent/t.csv"])
        .failed();
    assert!(
        run.stderr.contains("no incident INC-1") || run.stderr.contains("cannot open"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_file_is_named() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-2", "UTC");
    let run = h.run(&["timeline", "import", &key, "missing.csv"]).failed();
    assert!(
        run.stderr.contains("error: cannot open missing.csv"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_timeline_can_come_from_standard_input() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-2", "UTC");
    h.run_with_stdin(
        &["timeline", "import", &key, "-"],
        Some("time,kind,text\n2026-11-20T14:00:00Z,note,from a pipe\n"),
    )
    .ok();
    let list = h.run(&["timeline", "list", &key]).ok().stdout;
    assert!(
        list.contains("2026-11-20 14:00:00 UTC  note  from a pipe"),
        "{list}"
    );
}

/// A post-mortem filled from the command line alone renders every part of it.
#[test]
fn a_postmortem_filled_from_the_command_line_alone() {
    let h = Hindsight::new();
    let key = h.new_incident("Search results went stale", "SEV-3", "America/New_York");
    let csv = h.write(
        "timeline.csv",
        "time,kind,text,author,severity,evidence,key_point\n\
         2026-11-19 09:10,root_cause_began,Index job stops after a schema change,,,,\n\
         2026-11-19 09:30,impact_started,Search serves results older than an hour,,,https://grafana.example.com/d/search,yes\n\
         2026-11-19 10:02,detected,Freshness alert fires,Alertmanager,,,\n\
         2026-11-19 10:05,acknowledged,On-call acknowledges,Rae Kim,,,\n\
         2026-11-19 10:20,severity_changed,Raised: checkout search affected,Rae Kim,SEV-2,,yes\n\
         2026-11-19 11:40,mitigated,Index job restarted with the old schema,Sol Vega,,,\n\
         2026-11-19 12:15,resolved,Index caught up,Rae Kim,,https://grafana.example.com/d/search?to=1,\n",
    );
    h.run(&["timeline", "import", &key, &csv]).ok();
    h.run(&[
        "role",
        "set",
        &key,
        "commander",
        "Rae Kim",
        "--title",
        "SRE",
    ])
    .ok();
    h.run(&[
        "role", "set", &key, "scribe", "Tom Ash", "--title", "Engineer",
    ])
    .ok();
    h.run(&[
        "role",
        "set",
        &key,
        "sme",
        "Sol Vega",
        "--title",
        "Search engineer",
    ])
    .ok();
    h.run(&[
        "role",
        "set",
        &key,
        "customer_liaison",
        "Uma Bell",
        "--title",
        "Support",
    ])
    .ok();
    h.run(&[
        "participant",
        "add",
        &key,
        "Vic Orr",
        "--title",
        "Product manager",
    ])
    .ok();
    h.run(&["postmortem", "owner", &key, "Tom Ash"]).ok();
    h.run(&[
        "postmortem",
        "section",
        &key,
        "overview",
        "Search served stale results for 2h45m.",
    ])
    .ok();
    h.run_with_stdin(
        &["postmortem", "section", &key, "what_happened"],
        Some("The index job stopped.\n\nNobody noticed for 32 minutes.\n"),
    )
    .ok();
    h.run(&[
        "postmortem",
        "section",
        &key,
        "resolution",
        "Restarted the job with the old schema.",
    ])
    .ok();
    h.run(&[
        "impact",
        "set",
        &key,
        "--users-affected",
        "5200",
        "--events-dropped",
        "0",
        "--support-requests",
        "3",
        "--support-ticket",
        "https://support.example.com/t/77",
        "--custom",
        "stale queries=91000 queries",
    ])
    .ok();
    let factor = h
        .run(&[
            "factor",
            "add",
            &key,
            "--category",
            "technical",
            "--description",
            "The index job fails silently on schema changes",
            "--why",
            "It catches every error",
            "--why",
            "Its alerts only watch latency",
        ])
        .ok();
    assert_eq!(factor.stdout.trim(), "1");
    h.run(&[
        "howd",
        "add",
        &key,
        "went_well",
        "Rollback took ten minutes",
    ])
    .ok();
    h.run(&[
        "howd",
        "add",
        &key,
        "lessons",
        "Freshness is a user-facing SLO",
    ])
    .ok();
    h.run(&[
        "question",
        "add",
        &key,
        "Which other jobs swallow errors?",
        "--asked-by",
        "Vic Orr",
    ])
    .ok();
    h.run(&["link", "channel", &key, "#inc-search-stale"]).ok();
    h.run(&[
        "link",
        "add",
        &key,
        "dashboard",
        "https://grafana.example.com/d/search",
        "--title",
        "Search freshness",
    ])
    .ok();
    h.run(&[
        "query",
        "add",
        &key,
        "--description",
        "Last indexed document",
        "SELECT max(indexed_at) FROM documents;",
    ])
    .ok();
    let id = h
        .run(&[
            "action",
            "add",
            &key,
            "--title",
            "Alert on index freshness",
            "--owner",
            "Sol Vega",
            "--due",
            "2026-12-04",
            "--priority",
            "p2",
            "--kind",
            "preparedness",
            "--ticket",
            "https://tracker.example.com/SRCH-9",
        ])
        .ok();
    assert_eq!(id.stdout.trim(), "1");
    h.run(&[
        "action",
        "add",
        &key,
        "--title",
        "Fail the index job loudly on schema errors",
    ])
    .ok();
    h.run(&["action", "set", &key, "1", "--status", "in_progress"])
        .ok();

    let markdown = h.run(&["postmortem", "render", &key]).ok().stdout;
    insta::assert_snapshot!(markdown);

    let show = h.run(&["incident", "show", &key]).ok().stdout;
    assert!(show.contains("SEV-2 at peak (declared SEV-3)"), "{show}");
    assert!(
        show.contains("7 events, 2 key points, 5 without evidence"),
        "{show}"
    );
    assert!(show.contains("2 (2 open, 1 without an owner)"), "{show}");
    let actions: Value =
        serde_json::from_str(&h.run(&["action", "list", &key, "--json"]).ok().stdout).unwrap();
    assert_eq!(
        actions[0]["tags"],
        serde_json::json!(["sev2", "sev2_20261119"])
    );
}

#[test]
fn edits_of_things_that_do_not_exist_say_what_is_missing() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-2", "UTC");
    let run = h
        .run(&["postmortem", "section", &key, "summary", "text"])
        .failed();
    assert!(
        run.stderr
            .contains("the pagerduty template has no section `summary`: expected one of overview"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&["action", "set", &key, "9", "--status", "done"])
        .failed();
    assert_eq!(
        run.stderr.trim(),
        format!("error: incident {key} has no action item 9")
    );
    let run = h.run(&["factor", "remove", &key, "1"]).failed();
    assert!(
        run.stderr
            .contains("has no contributing factor 1 (it has 0)"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&["role", "remove", &key, "commander", "Nobody"])
        .failed();
    assert!(
        run.stderr
            .contains("has no incident commander named Nobody"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&["impact", "set", &key, "--custom", "refunds=lots"])
        .failed();
    assert!(
        run.stderr.contains("`lots` is not a number"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_demo_prints_a_complete_postmortem() {
    let h = Hindsight::new();
    let run = h.run(&["demo"]).ok();
    assert!(
        run.stdout.starts_with("# INC-1: Checkout returned 502s"),
        "{}",
        run.stdout
    );
    for heading in [
        "## Overview",
        "## What happened",
        "## Contributing factors",
        "## Resolution",
        "## Impact",
        "## Timeline",
        "## Responders",
        "## How'd we do?",
        "## Action items",
        "## Messaging",
    ] {
        assert!(run.stdout.contains(heading), "{heading}");
    }
    assert!(
        !run.stdout.contains("_Not written yet._"),
        "the demo fills every section"
    );
    assert!(run.stderr.contains("Created INC-1"), "{}", run.stderr);
    assert!(Path::new(&h.db).exists());
}

#[test]
fn the_default_configuration_prints_and_is_read_back() {
    let h = Hindsight::new();
    let config = h.run(&["config", "default"]).ok().stdout;
    let custom = config.replace("business_days = 5", "business_days = 2");
    let path = h.write("team.toml", &custom);
    let key = h.new_incident("x", "SEV-2", "UTC");
    let csv = h.write(
        "t.csv",
        "time,kind,text\n2026-11-20T10:00:00Z,impact_started,a\n2026-11-20T11:00:00Z,resolved,b\n",
    );
    h.run(&["timeline", "import", &key, &csv]).ok();
    // Resolved on Friday 20 November: two business days later is Tuesday 24 November.
    let run = h.run(&["--config", &path, "figures", &key, "--json"]).ok();
    let figures: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(figures["meeting_deadline"], "2026-11-24");
    let bad = h.write("bad.toml", "[meeting]\nbusiness_days = \"five\"\n");
    let run = h.run(&["--config", &bad, "figures", &key]).failed();
    assert!(
        run.stderr.contains("bad.toml") && run.stderr.contains("line 2"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_lists_every_command() {
    let h = Hindsight::new();
    insta::assert_snapshot!(h.run(&["--help"]).ok().stdout);
}

// Regressions found in review, each named after what broke.

#[test]
fn an_instant_far_in_the_future_is_refused_instead_of_panicking() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "Pacific/Kiritimati");
    let file = h.write(
        "far.csv",
        "time,kind,text\n+262142-12-31 20:00,impact_started,a\n9999-12-31T23:59:00Z,resolved,b\n",
    );
    let run = h.run(&["timeline", "import", &key, &file]).failed();
    assert!(run.stderr.contains("far.csv: line 2, column `time`: `+262142-12-31 20:00` is outside the years 1900 to 9999"), "{}", run.stderr);
    let file = h.write(
        "edge.csv",
        "time,kind,text\n9999-12-31T20:00:00Z,impact_started,a\n9999-12-31T23:59:00Z,resolved,b\n",
    );
    h.run(&["timeline", "import", &key, &file]).ok();
    h.run(&["figures", &key]).ok();
    h.run(&["postmortem", "render", &key]).ok();
}

#[test]
fn a_file_that_is_not_a_database_is_reported_at_once_in_one_line() {
    let h = Hindsight::new();
    let path = h.write("notes.txt", &"not a database\n".repeat(100));
    let started = std::time::Instant::now();
    let run = Hindsight::on(path.clone())
        .run(&["incident", "list"])
        .failed();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        run.stderr.trim(),
        format!("error: database error: cannot open {path}: file is not a database")
    );
}

#[test]
fn an_empty_database_path_is_refused() {
    let run = Hindsight::on(String::new())
        .run(&["incident", "list"])
        .failed();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("a value is required for '--db <PATH|URL>' but none was supplied"),
        "{}",
        run.stderr
    );
}

#[test]
fn participants_added_at_the_same_time_are_all_kept() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "UTC");
    std::thread::scope(|s| {
        for i in 0..6 {
            let (h, key) = (&h, &key);
            s.spawn(move || {
                h.run(&["participant", "add", key, &format!("Person {i}")])
                    .ok()
            });
        }
    });
    let json: Value =
        serde_json::from_str(&h.run(&["incident", "show", &key, "--json"]).ok().stdout).unwrap();
    assert_eq!(
        json["record"]["responders"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn the_same_file_imported_at_the_same_time_is_added_once() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "UTC");
    let mut csv = String::from("time,kind,text\n");
    for minute in 0..300 {
        csv.push_str(&format!("2026-11-20T10:00:00Z,note,event {minute}\n"));
    }
    let file = h.write("many.csv", &csv);
    std::thread::scope(|s| {
        for _ in 0..4 {
            let (h, key, file) = (&h, &key, &file);
            s.spawn(move || h.run(&["timeline", "import", key, file]).ok());
        }
    });
    let timeline: Value =
        serde_json::from_str(&h.run(&["timeline", "list", &key, "--json"]).ok().stdout).unwrap();
    assert_eq!(timeline.as_array().unwrap().len(), 300);
}

#[test]
fn a_title_with_a_line_break_is_refused() {
    let h = Hindsight::new();
    let run = h
        .run(&[
            "incident",
            "new",
            "--title",
            "T | x\n# H1",
            "--severity",
            "SEV-2",
        ])
        .failed();
    assert!(
        run.stderr.contains("title must be one line"),
        "{}",
        run.stderr
    );
}

#[test]
fn links_that_are_not_web_links_are_refused_everywhere() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "UTC");
    for args in [
        vec![
            "action",
            "add",
            &key,
            "--title",
            "t",
            "--ticket",
            "javascript:alert(1)",
        ],
        vec![
            "impact",
            "set",
            &key,
            "--support-ticket",
            "file:///etc/passwd",
        ],
        vec!["link", "add", &key, "dashboard", "data:text/html,hi"],
        vec![
            "timeline",
            "add",
            &key,
            "--time",
            "2026-11-20 10:00",
            "--kind",
            "note",
            "--text",
            "x",
            "--evidence",
            "javascript:x",
        ],
    ] {
        let run = h.run(&args).failed();
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            run.stderr
                .contains("is not a web link: expected http:// or https://"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_bad_timezone_or_date_is_a_usage_error_that_says_what_is_expected() {
    let h = Hindsight::new();
    let run = h
        .run(&[
            "incident",
            "new",
            "--title",
            "x",
            "--severity",
            "SEV-2",
            "--timezone",
            "Europe/Pariss",
        ])
        .failed();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown timezone `Europe/Pariss`"),
        "{}",
        run.stderr
    );
    let key = h.new_incident("x", "SEV-3", "UTC");
    let run = h
        .run(&["action", "add", &key, "--title", "t", "--due", "2026-13-45"])
        .failed();
    assert!(
        run.stderr
            .contains("`2026-13-45` is not a date: expected YYYY-MM-DD"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_resolution_before_the_start_is_imported_with_a_warning() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "UTC");
    let file = h.write(
        "t.csv",
        "time,kind,text\n2026-10-24T22:52:00Z,impact_started,a\n2026-10-24T00:30:00Z,resolved,b\n",
    );
    let run = h.run(&["timeline", "import", &key, &file]).ok();
    assert!(
        run.stderr.contains(
            "warning: INC-1: the resolution (2026-10-24 00:30:00 UTC) is before the start of impact"
        ),
        "{}",
        run.stderr
    );
}

/// The seven public templates of `templates/` (see its README) are valid, and a post-mortem made
/// from each renders every heading of the original, in order, with its placeholders filled.
#[test]
fn the_seven_public_templates_render_every_heading() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../templates");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");
    let h = Hindsight::new();
    let checked = h
        .run(&["template", "check", &format!("{dir}/azure.toml")])
        .ok();
    assert!(checked.stderr.contains("is valid"), "{}", checked.stderr);
    let listed = h.run(&["--templates", dir, "template", "list"]).ok().stdout;
    for path in &names {
        let name = path.file_stem().unwrap().to_str().unwrap();
        assert!(listed.contains(name), "{listed}");
        let key = h
            .run(&[
                "--templates",
                dir,
                "incident",
                "new",
                "--title",
                "Partition",
                "--severity",
                "SEV-1",
                "--template",
                name,
            ])
            .ok()
            .stdout
            .trim()
            .to_owned();
        h.run(&["timeline", "import", &key, GITHUB_CSV]).ok();
        h.run(&[
            "role",
            "set",
            &key,
            "commander",
            "Ana Lima",
            "--title",
            "SRE",
        ])
        .ok();
        h.run(&["postmortem", "owner", &key, "Bo Chen"]).ok();
        let markdown = h
            .run(&["--templates", dir, "postmortem", "render", &key])
            .ok()
            .stdout;
        assert!(
            !markdown.contains("{{"),
            "{name}: a placeholder was left unfilled"
        );
        let template = std::fs::read_to_string(path).unwrap();
        let titles: Vec<&str> = template
            .lines()
            .filter_map(|l| l.strip_prefix("title = \""))
            .skip(1) // the template's own title
            .map(|t| t.trim_end_matches('"'))
            .collect();
        let mut rest = markdown.as_str();
        for title in titles {
            let title = title.replace("\\\"", "\"");
            let at = rest
                .find(&format!(" {title}\n"))
                .unwrap_or_else(|| panic!("{name}: heading “{title}” missing or out of order"));
            rest = &rest[at..];
        }
        insta::assert_snapshot!(format!("template_{name}"), markdown);
    }
}

// The post-mortem document: readiness, lifecycle, history, messages, exports.

#[test]
fn check_lists_the_errors_of_an_empty_postmortem_and_passes_a_complete_one() {
    let h = Hindsight::new();
    let empty = h.new_incident("x", "SEV-2", "UTC");
    let run = h.run(&["check", &empty]).failed();
    assert_eq!(run.code, 1);
    for rule in [
        "no-owner",
        "required-section-empty",
        "no-start",
        "no-resolution",
        "events-dropped-unchecked",
        "meeting-not-scheduled",
    ] {
        assert!(run.stdout.contains(rule), "{rule}: {}", run.stdout);
    }
    assert!(
        run.stderr
            .contains(&format!("error: {empty} is not ready:")),
        "{}",
        run.stderr
    );
    let json: Value =
        serde_json::from_str(&h.run(&["check", &empty, "--json"]).failed().stdout).unwrap();
    assert_eq!(json[0]["rule"], "no-owner");
    assert_eq!(json[0]["level"], "error");
    assert_eq!(json[0]["location"]["kind"], "document");

    h.run(&["demo"]).ok();
    let run = h.run(&["check", "INC-2"]).ok();
    assert_eq!(run.stdout.trim(), "INC-2: ready, nothing to fix");
}

#[test]
fn the_lifecycle_refuses_a_move_with_the_findings_as_the_reason() {
    let h = Hindsight::new();
    let empty = h.new_incident("x", "SEV-2", "UTC");
    let run = h
        .run(&["postmortem", "status", &empty, "in_review"])
        .failed();
    assert!(
        run.stderr
            .contains(&format!("{empty} cannot move to in review:")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("[no-owner]: nobody owns the post-mortem"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&["postmortem", "status", &empty, "published"])
        .failed();
    assert!(
        run.stderr
            .contains("cannot move from draft to published: from draft it can move to in review"),
        "{}",
        run.stderr
    );

    h.run(&["demo"]).ok();
    for status in ["in_review", "reviewed", "published"] {
        h.run(&["postmortem", "status", "INC-2", status]).ok();
    }
    let run = h.run(&["postmortem", "status", "INC-2", "closed"]).failed();
    assert!(
        run.stderr
            .contains("INC-2 cannot be closed while actions are open:"),
        "{}",
        run.stderr
    );
    for id in ["1", "2", "3"] {
        h.run(&["action", "set", "INC-2", id, "--status", "done"])
            .ok();
    }
    h.run(&["postmortem", "status", "INC-2", "closed"]).ok();
    let show = h.run(&["incident", "show", "INC-2"]).ok().stdout;
    assert!(show.contains("post-mortem       closed"), "{show}");
}

#[test]
fn every_change_is_a_revision_with_who_and_what_and_revisions_can_be_compared() {
    let h = Hindsight::new();
    let key = h.new_incident("Search stale", "SEV-3", "UTC");
    h.run(&["--as", "Ana Lima", "postmortem", "owner", &key, "Tom Ash"])
        .ok();
    h.run(&[
        "--as",
        "Tom Ash",
        "postmortem",
        "section",
        &key,
        "overview",
        "Search served stale results.",
    ])
    .ok();
    h.run(&[
        "--as",
        "Tom Ash",
        "postmortem",
        "section",
        &key,
        "overview",
        "Search served results an hour old.",
    ])
    .ok();
    let history = h.run(&["history", &key]).ok().stdout;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 4, "{history}");
    assert!(
        lines[1].contains("Ana Lima") && lines[1].ends_with("designated Tom Ash as owner"),
        "{history}"
    );
    assert!(
        lines[3].contains("Tom Ash") && lines[3].ends_with("wrote the overview section"),
        "{history}"
    );
    let diff = h.run(&["diff", &key, "3", "4"]).ok().stdout;
    assert!(
        diff.starts_with("--- revision 3\n+++ revision 4\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n-Search served stale results.\n+Search served results an hour old.\n"),
        "{diff}"
    );
    let run = h.run(&["diff", &key, "1", "9"]).failed();
    assert!(
        run.stderr
            .contains(&format!("incident {key} has no revision 9")),
        "{}",
        run.stderr
    );
}

#[test]
fn resolving_an_incident_gives_each_role_its_checklist() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-2", "UTC");
    let list = h.run(&["checklist", "list", &key]).ok().stdout;
    assert!(
        list.contains("made when the incident is resolved"),
        "{list}"
    );
    let file = h.write(
        "t.csv",
        "time,kind,text\n2026-11-20T10:00:00Z,impact_started,a\n2026-11-20T11:00:00Z,resolved,b\n",
    );
    h.run(&["timeline", "import", &key, &file]).ok();
    let list = h.run(&["checklist", "list", &key]).ok().stdout;
    assert!(
        list.contains("  1  [ ] Incident commander       Create the post-mortem from a template"),
        "{list}"
    );
    assert!(
        list.contains("Scribe")
            && list.contains("Customer liaison")
            && list.contains("Post-mortem owner"),
        "{list}"
    );
    h.run(&["checklist", "tick", &key, "1"]).ok();
    assert!(
        h.run(&["checklist", "list", &key])
            .ok()
            .stdout
            .contains("  1  [x] Incident commander")
    );
    let markdown = h.run(&["postmortem", "render", &key]).ok().stdout;
    assert!(
        markdown.contains("## After-incident checklist\n\n14 of 15 still open."),
        "{markdown}"
    );
    assert!(
        h.run(&["checklist", "tick", &key, "99"])
            .failed()
            .stderr
            .contains("has no checklist item 99")
    );
}

#[test]
fn messages_are_drafted_from_the_document_and_linted() {
    let h = Hindsight::new();
    h.run(&["demo"]).ok();
    let draft = h
        .run(&["message", "draft", "INC-1", "external"])
        .ok()
        .stdout;
    assert!(draft.contains("We are sorry"), "{draft}");
    let run = h
        .run(&[
            "message",
            "set",
            "INC-1",
            "external",
            "Bo Chen forgot to check the limit and caused an outage.",
        ])
        .ok();
    assert!(run.stderr.contains("warning: INC-1:"), "{}", run.stderr);
    let run = h.run(&["check", "INC-1"]).failed();
    assert!(
        run.stdout.contains("blame-language") && run.stdout.contains("outage-in-external-message"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_json_export_imports_back_as_the_same_postmortem() {
    let h = Hindsight::new();
    h.run(&["demo"]).ok();
    let json = h
        .run(&["postmortem", "render", "INC-1", "--format", "json"])
        .ok()
        .stdout;
    let file = h.write("inc-1.json", &json);
    let key = h
        .run(&["postmortem", "import", &file])
        .ok()
        .stdout
        .trim()
        .to_owned();
    assert_eq!(key, "INC-2");
    // The same post-mortem under a new key, with new ids for its events and actions.
    let without_ids = |key: &str| {
        let mut doc: Value = serde_json::from_str(
            &h.run(&["postmortem", "render", key, "--format", "json"])
                .ok()
                .stdout,
        )
        .unwrap();
        doc["incident"]["key"] = Value::Null;
        for list in ["timeline", "actions"] {
            for item in doc[list].as_array_mut().unwrap() {
                item["id"] = Value::Null;
            }
        }
        doc
    };
    assert_eq!(without_ids("INC-2"), without_ids("INC-1"));
    let history = h.run(&["history", "INC-2"]).ok().stdout;
    assert!(
        history.contains("imported from") && history.contains("(was INC-1)"),
        "{history}"
    );

    let broken = h.write("broken.json", &json.replacen("\"SEV-2\"", "\"SEV-9\"", 1));
    let run = h.run(&["postmortem", "import", &broken]).failed();
    assert!(
        run.stderr
            .contains("broken.json: not a hindsight post-mortem: unknown severity `SEV-9`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        h.run(&["incident", "list"]).ok().stdout.lines().count(),
        2,
        "nothing half-imported"
    );
}

#[test]
fn the_html_export_is_one_page_where_no_authors_script_runs() {
    let h = Hindsight::new();
    let key = h.new_incident("<script>alert('title')</script>", "SEV-2", "UTC");
    h.run(&[
        "postmortem",
        "section",
        &key,
        "overview",
        "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(2))",
    ])
    .ok();
    h.run(&[
        "action",
        "add",
        &key,
        "--title",
        "<b onclick=alert(3)>fix</b>",
    ])
    .ok();
    let path = h.dir.path().join("inc.html");
    h.run(&[
        "postmortem",
        "render",
        &key,
        "--format",
        "html",
        "--output",
        path.to_str().unwrap(),
    ])
    .ok();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    for forbidden in [
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<link",
        "src=\"http",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(
        html.contains(
            "<title>INC-1:&#32;&lt;script&gt;alert(&apos;title&apos;)&lt;&#47;script&gt;</title>"
        ),
        "{html}"
    );
}

#[test]
fn the_document_schema_is_printed_for_tools() {
    let h = Hindsight::new();
    let schema: Value =
        serde_json::from_str(&h.run(&["postmortem", "schema"]).ok().stdout).unwrap();
    assert_eq!(schema["title"], "hindsight post-mortem");
    let published = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/schema/hindsight-postmortem-v1.schema.json"
    ))
    .unwrap();
    assert_eq!(serde_json::from_str::<Value>(&published).unwrap(), schema);
}

// Importers: chat exports become proposals; webhooks become incidents.

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");
const EXTRACTION_EXPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../import/tests/data/extraction-export"
);

#[test]
fn a_slack_export_is_proposed_once_and_accepted_proposals_keep_the_message_time() {
    let h = Hindsight::new();
    let key = h.new_incident("Checkout 502s", "SEV-2", "UTC");
    let run = h
        .run(&[
            "import",
            "slack",
            EXTRACTION_EXPORT,
            "--incident",
            &key,
            "--channel",
            "inc-2041-checkout-502s",
            "--permalink-base",
            "https://acme.slack.com/archives/",
        ])
        .ok();
    assert!(
        run.stderr.contains(&format!("{key}: read ")) && run.stderr.contains("participants"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("other messages; `hindsight proposals list"),
        "{}",
        run.stderr
    );
    let again = h
        .run(&[
            "import",
            "slack",
            EXTRACTION_EXPORT,
            "--incident",
            &key,
            "--channel",
            "inc-2041-checkout-502s",
        ])
        .ok();
    assert!(
        again
            .stderr
            .contains("proposed 0 events, 0 to-dos and 0 participants"),
        "{}",
        again.stderr
    );

    let proposals: Value =
        serde_json::from_str(&h.run(&["proposals", "list", &key, "--json"]).ok().stdout).unwrap();
    let all = proposals.as_array().unwrap();
    let event = all
        .iter()
        .find(|p| p["suggestion"]["kind"] == "event")
        .unwrap();
    assert!(event["reason"].as_str().unwrap().len() > 3);
    let id = event["id"].to_string();
    h.run(&["proposals", "accept", &key, &id]).ok();
    let timeline: Value =
        serde_json::from_str(&h.run(&["timeline", "list", &key, "--json"]).ok().stdout).unwrap();
    assert_eq!(
        timeline[0]["at"], event["suggestion"]["event"]["at"],
        "the message's own time"
    );
    assert!(
        timeline[0]["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("https://acme.slack.com/archives/C"),
        "{timeline}"
    );
    let run = h.run(&["proposals", "accept", &key, &id]).failed();
    assert!(
        run.stderr.contains("was already accepted"),
        "{}",
        run.stderr
    );

    h.run(&["proposals", "reject", &key, "--all"]).ok();
    let pending = h.run(&["proposals", "list", &key]).ok().stdout;
    assert_eq!(pending.trim(), format!("{key} has no pending proposals"));

    // The messages nothing proposed were kept; `--quiet` lists them and one can be added.
    let kept = h.run(&["proposals", "list", &key, "--quiet"]).ok().stdout;
    let line = kept
        .lines()
        .find(|l| l.contains("kept") && l.contains("not proposed; kept so it can still be added"))
        .unwrap_or_else(|| panic!("{kept}"));
    let id = line.split_whitespace().next().unwrap();
    h.run(&["proposals", "accept", &key, id]).ok();
    let timeline: Value =
        serde_json::from_str(&h.run(&["timeline", "list", &key, "--json"]).ok().stdout).unwrap();
    assert_eq!(timeline.as_array().unwrap().len(), 2);
}

#[test]
fn the_2016_slack_export_is_read_from_its_folder() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "UTC");
    let run = h
        .run(&[
            "import",
            "slack",
            &format!("{FIXTURES}/slack-export-2016"),
            "--incident",
            &key,
            "--channel",
            "enrique",
        ])
        .ok();
    assert!(run.stderr.contains("read 102 messages"), "{}", run.stderr);
    let run = h
        .run(&[
            "import",
            "slack",
            &format!("{FIXTURES}/slack-export-2016"),
            "--incident",
            &key,
            "--channel",
            "nope",
        ])
        .failed();
    assert!(
        run.stderr.contains("channels: enrique, traveling-sailor"),
        "{}",
        run.stderr
    );
    let run = h
        .run(&[
            "import",
            "slack",
            &format!("{FIXTURES}/slack-export-2016"),
            "--incident",
            &key,
        ])
        .failed();
    assert!(run.stderr.contains("which channel?"), "{}", run.stderr);
}

#[test]
fn every_webhook_fixture_opens_or_updates_an_incident_and_a_repeat_changes_nothing() {
    let h = Hindsight::new();
    for (tool, file) in [
        ("pagerduty", "pagerduty-v3/triggered_v3.json"),
        ("pagerduty", "pagerduty-v3/acknowledged_v3.json"),
        ("pagerduty", "pagerduty-v3/escalate_v3.json"),
        ("pagerduty", "pagerduty-v3/annotated_v3.json"),
        ("pagerduty", "pagerduty-v3/priority_updated_v3.json"),
        ("pagerduty", "pagerduty-v3/responder_added.json"),
        ("pagerduty", "pagerduty-v3/resolved_v3.json"),
        ("alertmanager", "alertmanager/zulip_alert_firing.json"),
        ("opsgenie", "opsgenie/create.json"),
        ("statuspage", "statuspage/incident_update.json"),
    ] {
        let path = format!("{FIXTURES}/webhooks/{file}");
        let first = h.run(&["webhook", tool, &path]).ok();
        assert!(first.stdout.trim().starts_with("INC-"), "{file}: {first:?}");
        let again = h.run(&["webhook", tool, &path]).ok();
        assert_eq!(again.stdout, first.stdout, "{file}");
        assert!(
            again.stderr.contains("applied before; nothing changed"),
            "{file}: {}",
            again.stderr
        );
    }
    let acked: Value =
        serde_json::from_str(&h.run(&["incident", "show", "INC-2", "--json"]).ok().stdout).unwrap();
    assert_eq!(
        acked["figures"]["acknowledged_at"],
        "2021-06-04T13:55:30.394Z"
    );
}

#[test]
fn a_pagerduty_payload_with_a_wrong_signature_is_refused() {
    let h = Hindsight::new();
    let dir = format!("{FIXTURES}/webhooks/pagerduty-signature-test-vector");
    let secret = std::fs::read_to_string(format!("{dir}/secret.txt")).unwrap();
    let vectors = std::fs::read_to_string(format!("{dir}/vectors.txt")).unwrap();
    let signatures: Vec<&str> = vectors
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("v1=")))
        .collect();
    assert!(signatures.len() >= 2, "{vectors}");
    let body = format!("{dir}/body.json");
    let results: Vec<bool> = signatures
        .iter()
        .map(|signature| {
            h.run(&[
                "webhook",
                "pagerduty",
                &body,
                "--secret",
                secret.trim(),
                "--signature",
                signature,
            ])
            .code
                == 0
        })
        .collect();
    assert!(
        results.contains(&true) && results.contains(&false),
        "one valid and one wrong signature: {results:?}"
    );
    let run = h
        .run(&["webhook", "pagerduty", &body, "--secret", secret.trim()])
        .failed();
    assert!(
        run.stderr.contains("refusing an unsigned payload"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_webhook_body_that_is_not_json_names_the_line_and_column() {
    let h = Hindsight::new();
    let file = h.write("bad.json", "{\n  \"event\": oops\n}");
    let run = h.run(&["webhook", "pagerduty", &file]).failed();
    assert!(
        run.stderr.contains("bad.json: line 2, column"),
        "{}",
        run.stderr
    );
}

/// Found in review: accepting `1 2 999 3` accepted 1 and 2, then failed on 999.
#[test]
fn a_wrong_proposal_id_decides_nothing() {
    let h = Hindsight::new();
    let key = h.new_incident("x", "SEV-3", "UTC");
    h.run(&[
        "import",
        "slack",
        EXTRACTION_EXPORT,
        "--incident",
        &key,
        "--channel",
        "inc-2077-search-stale",
        "--permalink-base",
        "https://acme.slack.com/archives",
    ])
    .ok();
    let run = h
        .run(&["proposals", "accept", &key, "1", "2", "999"])
        .failed();
    assert!(run.stderr.contains("has no proposal 999"), "{}", run.stderr);
    assert_eq!(
        h.run(&["timeline", "list", &key, "--json"])
            .ok()
            .stdout
            .trim(),
        "[]",
        "nothing accepted"
    );
    h.run(&["proposals", "accept", &key, "1", "1"]).ok();
    let timeline: Value =
        serde_json::from_str(&h.run(&["timeline", "list", &key, "--json"]).ok().stdout).unwrap();
    // Found in review: a base without a trailing slash lost its last segment.
    assert!(
        timeline[0]["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("https://acme.slack.com/archives/C"),
        "{timeline}"
    );
    assert!(
        h.run(&["history", &key])
            .ok()
            .stdout
            .contains("accepted 1 proposals")
    );
}

/// Found in review: a document claiming "closed" was imported closed, past every gate.
#[test]
fn an_imported_postmortem_starts_its_review_again_as_a_draft() {
    let h = Hindsight::new();
    h.run(&["demo"]).ok();
    let json = h
        .run(&["postmortem", "render", "INC-1", "--format", "json"])
        .ok()
        .stdout;
    let file = h.write(
        "closed.json",
        &json.replacen("\"status\": \"draft\"", "\"status\": \"closed\"", 1),
    );
    let key = h
        .run(&["postmortem", "import", &file])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let show = h.run(&["incident", "show", &key]).ok().stdout;
    assert!(show.contains("post-mortem       draft"), "{show}");
}
