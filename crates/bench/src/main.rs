//! `hindsight-bench`: the benchmarks behind BENCHMARKS.md. Each measures in one run, so the
//! figures compare as ratios on a noisy machine, and each phase runs in a child process of its
//! own so its peak memory is its own.
//!
//! `cargo run --release -p hindsight-bench -- slack-import --messages 1000000`
//!
//! The web benchmark (`crates/bench/serve-bench.sh`) uses two more commands: `seed-serve` fills
//! a database with its workload ([`seed`]), and `cold-start` starts the server and times it to
//! its first answer.

mod parts;
mod seed;
mod team;

use anyhow::{Context, Result, bail};
use hindsight_import::{
    chat::ChatWindow,
    extract::{ExtractionRules, propose},
    slack,
};
use serde_json::{Value, json};
use std::{
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

const CHANNELS: usize = 20;
const USERS: usize = 200;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match args.first().map(String::as_str) {
        Some("slack-import") => {
            let messages: usize = flag("--messages").map_or(Ok(1_000_000), |m| m.parse())?;
            let dir = flag("--dir").map_or_else(
                || std::env::temp_dir().join(format!("hindsight-bench-slack-{messages}")),
                PathBuf::from,
            );
            slack_import(messages, &dir)
        }
        Some("seed-serve") => {
            let db = flag("--db").context("seed-serve needs --db FILE")?;
            let incidents: usize = flag("--incidents").map_or(Ok(10_000), |n| n.parse())?;
            let seeded = seed::seed(Path::new(&db), incidents)?;
            eprintln!(
                "seeded {} incidents in {db} in {:.1} s ({:.0} incidents/s)",
                seeded.incidents,
                seeded.seconds,
                seeded.incidents as f64 / seeded.seconds
            );
            // Shell assignments, for `eval`; hex and `hs_` only, so nothing needs quoting.
            println!("HINDSIGHT_TOKEN={}", seeded.token);
            println!("HINDSIGHT_SESSION={}", seeded.session);
            println!("HINDSIGHT_CSRF={}", seeded.csrf);
            Ok(())
        }
        Some("serve-parts") => {
            let db = flag("--db").context("serve-parts needs --db FILE (made by seed-serve)")?;
            let incidents: u64 = flag("--incidents").map_or(Ok(10_000), |n| n.parse())?;
            let token = std::env::var("HINDSIGHT_TOKEN").context("set HINDSIGHT_TOKEN")?;
            let session = std::env::var("HINDSIGHT_SESSION").context("set HINDSIGHT_SESSION")?;
            let n: usize = flag("--times").map_or(Ok(2000), |n| n.parse())?;
            parts::parts(Path::new(&db), incidents, &token, &session, n)
        }
        Some("cold-start") => {
            let Some(split) = args.iter().position(|a| a == "--") else {
                bail!("cold-start --url URL [--log FILE] [--runs N] -- COMMAND ARGS…");
            };
            let url = flag("--url").context("cold-start needs --url http://HOST:PORT/PATH")?;
            let runs: usize = flag("--runs").map_or(Ok(1), |n| n.parse())?;
            let log = flag("--log").map(PathBuf::from);
            cold_start(&url, log.as_deref(), runs.max(1), &args[split + 1..])
        }
        Some("team-model") => {
            let incidents: usize = flag("--incidents").map_or(Ok(500), |n| n.parse())?;
            let messages: usize = flag("--messages").map_or(Ok(200), |n| n.parse())?;
            let dir = flag("--dir").map_or_else(
                || std::env::temp_dir().join("hindsight-bench-team"),
                PathBuf::from,
            );
            team::team_model(&dir, incidents, messages)
        }
        Some("phase") => {
            let (Some(phase), Some(dir)) = (args.get(1), args.get(2)) else {
                bail!("phase NAME DIR");
            };
            let report = run_phase(phase, Path::new(dir))?;
            println!("{report}");
            Ok(())
        }
        _ => bail!(
            "usage: hindsight-bench slack-import [--messages N] [--dir DIR]\n\
             \x20 generates a Slack export of N messages (default 1,000,000, over 500 MB) in DIR \
             and measures hindsight's import beside a bare serde_json parse of the same bytes\n\
             usage: hindsight-bench team-model [--incidents N] [--messages M] [--dir DIR]\n\
             \x20 fills a database with N reviewed incidents (default 500) of M chat messages \
             (default 200) and times building the team model beside a whole import\n\
             usage: hindsight-bench seed-serve --db FILE [--incidents N]\n\
             \x20 fills a fresh SQLite database with N incidents (default 10,000) and an editor \
             account; prints its API token and session cookie as shell assignments\n\
             usage: hindsight-bench serve-parts --db FILE [--incidents N] [--times N]\n\
             \x20 times the parts of the web requests alone and whole requests through the router \
             in this process (HINDSIGHT_TOKEN and HINDSIGHT_SESSION from seed-serve)\n\
             usage: hindsight-bench cold-start --url URL [--log FILE] [--runs N] -- COMMAND ARGS…\n\
             \x20 starts COMMAND N times, timing each start to the first 200 from URL; the last \
             one is left running and its pid printed"
        ),
    }
}

/// Generates the export if needed, runs each phase in a child, and prints the comparison.
fn slack_import(messages: usize, dir: &Path) -> Result<()> {
    let marker = dir.join(".complete");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(&messages.to_string()) {
        eprintln!("generating {messages} messages in {} …", dir.display());
        let started = Instant::now();
        generate(messages, dir)?;
        std::fs::write(&marker, messages.to_string())?;
        eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    }
    let me = std::env::current_exe()?;
    let mut results = Vec::new();
    for phase in ["bare-value", "bare-ignored", "read", "import"] {
        let output = Command::new(&me)
            .args(["phase", phase, &dir.display().to_string()])
            .output()
            .with_context(|| format!("cannot run phase {phase}"))?;
        if !output.status.success() {
            bail!(
                "phase {phase} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let report: Value = serde_json::from_slice(&output.stdout)?;
        eprintln!("{phase}: {report}");
        results.push((phase, report));
    }
    let rate =
        |r: &Value| r["bytes"].as_f64().unwrap_or(0.0) / 1e6 / r["seconds"].as_f64().unwrap_or(1.0);
    let (value, ignored, read, import) =
        (&results[0].1, &results[1].1, &results[2].1, &results[3].1);
    println!(
        "export: {} messages, {:.0} MB in {} files, largest file {:.2} MB",
        import["messages"],
        import["bytes"].as_f64().unwrap_or(0.0) / 1e6,
        import["files"],
        import["largest_file"].as_f64().unwrap_or(0.0) / 1e6
    );
    for (name, r) in &results {
        println!(
            "{name:<13} {:>7.1} MB/s  {:>6.2} s  peak {:>6.1} MB",
            rate(r),
            r["seconds"].as_f64().unwrap_or(0.0),
            r["peak_kb"].as_f64().unwrap_or(0.0) / 1024.0
        );
    }
    println!(
        "import / bare serde_json::Value parse: {:.2} (reading alone: {:.2}); import / bare parse into IgnoredAny: {:.2}; proposals made: {}",
        rate(import) / rate(value),
        rate(read) / rate(value),
        rate(import) / rate(ignored),
        import["proposals"]
    );
    Ok(())
}

/// Starts the server `runs` times, each time measuring from the spawn to the first 200 answer
/// from `url`; stops all but the last, which keeps running (its pid is printed for the caller to
/// stop). Polls with a plain HTTP/1.1 request over a fresh connection every 200 µs, so the
/// figure is the server's, not a client's.
fn cold_start(url: &str, log: Option<&Path>, runs: usize, command: &[String]) -> Result<()> {
    let Some((program, args)) = command.split_first() else {
        bail!("cold-start needs a command after --");
    };
    let rest = url
        .strip_prefix("http://")
        .context("cold-start polls http:// URLs")?;
    let (address, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut times = Vec::new();
    for run in 1..=runs {
        if std::net::TcpStream::connect(address).is_ok() {
            bail!("something already listens on {address}: choose another port");
        }
        let mut server = Command::new(program);
        server.args(args).stdin(std::process::Stdio::null());
        if let Some(log) = log {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)?;
            server.stdout(file.try_clone()?).stderr(file);
        }
        let started = Instant::now();
        let mut child = server
            .spawn()
            .with_context(|| format!("cannot start {program}"))?;
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("the server exited ({status}) before answering {url}");
            }
            if started.elapsed() > std::time::Duration::from_secs(30) {
                let _ = child.kill();
                bail!("no 200 from {url} within 30 s");
            }
            if answers_200(address, &request) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        eprintln!("run {run}: first 200 after {ms:.1} ms");
        times.push(ms);
        if run < runs {
            // SIGTERM, so the server shuts down as it would in production.
            Command::new("kill").arg(child.id().to_string()).status()?;
            child.wait()?;
        } else {
            println!("pid={}", child.id());
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "cold_start_ms_median={:.1} cold_start_ms_min={:.1} cold_start_ms_max={:.1} runs={}",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len()
    );
    Ok(())
}

/// Whether one GET over a fresh connection answers 200.
fn answers_200(address: &str, request: &str) -> bool {
    use std::io::Read;
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer.starts_with(b"HTTP/1.1 200")
}

/// The peak resident memory of this process, in KiB, as Linux reports it.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Every day file of the export, in a stable order.
fn day_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for channel in std::fs::read_dir(dir)? {
        let channel = channel?.path();
        if channel.is_dir() {
            for day in std::fs::read_dir(&channel)? {
                files.push(day?.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn run_phase(phase: &str, dir: &Path) -> Result<Value> {
    let files = day_files(dir)?;
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut messages = 0u64;
    let mut proposals = 0u64;
    let mut largest = 0u64;
    match phase {
        "bare-value" | "bare-ignored" => {
            for file in &files {
                let data = std::fs::read(file)?;
                bytes += data.len() as u64;
                largest = largest.max(data.len() as u64);
                if phase == "bare-value" {
                    let parsed: Vec<Value> = serde_json::from_slice(&data)?;
                    messages += parsed.len() as u64;
                } else {
                    let parsed: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&data)?;
                    messages += parsed.len() as u64;
                }
            }
        }
        "read" | "import" => {
            let rules = ExtractionRules::default();
            let extract = phase == "import";
            let summary = slack::read(dir, &ChatWindow::default(), &mut |_| {}, &mut |message| {
                messages += 1;
                // Extraction message by message, as an incident channel would get it,
                // without holding the export in memory.
                if extract {
                    proposals += propose(std::slice::from_ref(&message), &[], &rules).len() as u64;
                }
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            bytes = summary.bytes;
            largest = files
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .max()
                .unwrap_or(0);
        }
        other => bail!("unknown phase {other}"),
    }
    Ok(json!({
        "phase": phase,
        "bytes": bytes,
        "files": files.len(),
        "largest_file": largest,
        "messages": messages,
        "proposals": proposals,
        "seconds": started.elapsed().as_secs_f64(),
        "peak_kb": peak_kb(),
    }))
}

/// Words for generated messages: incident chatter, so extraction has work to do.
const PHRASES: &[&str] = &[
    "looking at the dashboards now, p99 is climbing on checkout",
    "rolled back the deploy to the previous build, watching graphs",
    "paging the database on-call to rule it out",
    "we should add an alert on connection pool saturation",
    "status page updated with the latest from support",
    "lol that graph looks like a mountain range",
    "coffee break in five, anyone want anything",
    "TODO: write the runbook for draining payment workers",
    "error rate is back to baseline, calling this mitigated",
    "did anyone check the CDN logs yet?",
];

fn generate(messages: usize, dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let users: Vec<Value> = (0..USERS)
        .map(|i| {
            json!({
                "id": format!("U{i:08}"), "name": format!("user{i}"), "real_name": format!("User Number {i}"),
                "profile": {"display_name": format!("user{i}"), "real_name": format!("User Number {i}"), "title": "Engineer"},
                "is_bot": false
            })
        })
        .collect();
    std::fs::write(dir.join("users.json"), serde_json::to_vec(&users)?)?;
    let channels: Vec<Value> = (0..CHANNELS)
        .map(|i| json!({"id": format!("C{i:08}"), "name": format!("channel-{i}"), "created": 1_700_000_000 + i}))
        .collect();
    std::fs::write(dir.join("channels.json"), serde_json::to_vec(&channels)?)?;
    let days = (messages / CHANNELS / 1000).max(1);
    let per_day = messages.div_ceil(CHANNELS * days);
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")?.timestamp();
    let mut written = 0;
    for channel in 0..CHANNELS {
        let folder = dir.join(format!("channel-{channel}"));
        std::fs::create_dir_all(&folder)?;
        for day in 0..days {
            if written >= messages {
                break;
            }
            let date = chrono::DateTime::from_timestamp(start + day as i64 * 86_400, 0)
                .context("date")?
                .format("%Y-%m-%d")
                .to_string();
            let mut out =
                BufWriter::new(std::fs::File::create(folder.join(format!("{date}.json")))?);
            out.write_all(b"[")?;
            for n in 0..per_day.min(messages - written) {
                let ts = start + day as i64 * 86_400 + (n as i64 * 86_000 / per_day as i64);
                let user = (n * 7 + channel) % USERS;
                let text = format!(
                    "<@U{:08}> {} — see <https://grafana.example.com/d/checkout?from={ts}&to={}|dashboard> and https://logs.example.com/search?q=trace-{n}",
                    (user + 1) % USERS,
                    PHRASES[(n + channel) % PHRASES.len()],
                    ts + 600
                );
                let mut message = json!({
                    "client_msg_id": format!("{channel:04}-{day:04}-{n:06}-5f1a-4c1e-9d2b-{user:012}"),
                    "type": "message",
                    "text": text,
                    "user": format!("U{user:08}"),
                    "ts": format!("{ts}.{:06}", n % 1_000_000),
                    "team": "T00000001",
                    "user_team": "T00000001",
                    "source_team": "T00000001",
                    "user_profile": {"avatar_hash": "g0123456789a", "image_72": "https://avatars.example.com/72.png", "first_name": "User", "real_name": format!("User Number {user}"), "display_name": format!("user{user}"), "team": "T00000001", "name": format!("user{user}"), "is_restricted": false, "is_ultra_restricted": false},
                    "blocks": [{"type": "rich_text", "block_id": format!("b{n}"), "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": PHRASES[(n + channel) % PHRASES.len()]}]}]}]
                });
                if n % 5 == 0 {
                    message["reactions"] = json!([{"name": if n % 50 == 0 { "pushpin" } else { "eyes" }, "users": [format!("U{:08}", (user + 3) % USERS)], "count": 1}]);
                }
                if n % 9 == 0 && n > 0 {
                    message["thread_ts"] = json!(format!("{}.{:06}", ts - 30, (n - 1) % 1_000_000));
                    message["parent_user_id"] = json!(format!("U{:08}", (user + 2) % USERS));
                }
                if n > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut out, &message)?;
                written += 1;
            }
            out.write_all(b"]")?;
            out.flush()?;
        }
    }
    Ok(())
}
