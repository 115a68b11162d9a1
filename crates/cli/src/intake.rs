//! The commands that bring outside data in: chat exports (proposals for the scribe) and pager
//! or alert webhooks read from a file or standard input.

use crate::args::{ChatArgs, ImportCommand, ProposalsCommand, WebhookArgs, WebhookTool};
use anyhow::{Context, Result, anyhow, bail};
use hindsight_app::Hindsight;
use hindsight_core::proposal::{Proposal, ProposalId, ProposalStatus, Suggestion};
use hindsight_import::{
    chat::{ChatMessage, ChatWindow},
    extract::ExtractionRules,
    local_time::parse_instant,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::{io::IsTerminal, path::Path};

/// A progress bar on a terminal, nothing when standard error is piped.
fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total),
        None => ProgressBar::new_spinner(),
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} reading {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left) {wide_bar}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The size of what an import will read: a file, or every file of a folder.
fn size_of(path: &Path) -> Option<u64> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return Some(meta.len());
    }
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let meta = entry.metadata().ok()?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                total += meta.len();
            }
        }
    }
    Some(total)
}

fn window(app: &Hindsight, chat: &ChatArgs) -> Result<ChatWindow> {
    let mut window = app.default_chat_window(chat.incident)?;
    let tz = app.incident(chat.incident)?.timezone;
    if let Some(channel) = &chat.channel {
        window.channel = Some(channel.clone());
    }
    if let Some(from) = &chat.from {
        window.from = Some(parse_instant(from, tz).context("--from")?);
    }
    if let Some(to) = &chat.to {
        window.to = Some(parse_instant(to, tz).context("--to")?);
    }
    if window.channel.is_none() {
        bail!(
            "which channel? give --channel, or name the incident's war room first: `hindsight link channel {} NAME`",
            chat.incident
        );
    }
    Ok(window)
}

fn rules(chat: &ChatArgs) -> ExtractionRules {
    let mut rules = ExtractionRules::default();
    if !chat.key_emoji.is_empty() {
        rules.key_emoji = chat
            .key_emoji
            .iter()
            .map(|e| e.trim_matches(':').to_owned())
            .collect();
    }
    rules.permalink_base = chat.permalink_base.clone();
    rules
}

pub fn import(app: &Hindsight, command: ImportCommand) -> Result<()> {
    let (path, chat) = match &command {
        ImportCommand::Slack { export, chat }
        | ImportCommand::Mattermost { export, chat }
        | ImportCommand::Chat { file: export, chat } => (export.clone(), chat),
    };
    let window = window(app, chat)?;
    let name = path.display().to_string();
    let bar = progress_bar(size_of(&path));
    let mut progress = |bytes: u64| bar.set_position(bytes);
    let mut messages: Vec<ChatMessage> = Vec::new();
    let mut keep = |message: ChatMessage| messages.push(message);
    let open = || -> Result<std::io::BufReader<std::fs::File>> {
        Ok(std::io::BufReader::new(
            std::fs::File::open(&path).with_context(|| format!("cannot open {name}"))?,
        ))
    };
    let summary = match &command {
        ImportCommand::Slack { .. } => {
            hindsight_import::slack::read(&path, &window, &mut progress, &mut keep)
        }
        ImportCommand::Mattermost { .. } => {
            hindsight_import::mattermost::read(open()?, &name, &window, &mut progress, &mut keep)
        }
        ImportCommand::Chat { .. } => {
            let tz = app.incident(chat.incident)?.timezone;
            hindsight_import::plain_chat::read(
                open()?,
                &name,
                tz,
                &window,
                &mut progress,
                &mut keep,
            )
        }
    }
    .map_err(|e| anyhow!("{e}"))?;
    bar.finish_and_clear();
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    if messages.is_empty() {
        bail!(
            "no message of {name} is in channel {} between {} and {}: check --channel, --from and --to (channels: {})",
            window.channel.as_deref().unwrap_or("any"),
            window
                .from
                .map_or("the start".to_owned(), |t| t.to_rfc3339()),
            window.to.map_or("the end".to_owned(), |t| t.to_rfc3339()),
            summary.channels.join(", ")
        );
    }
    messages.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let report = app.propose_from_chat(
        chat.incident,
        &messages,
        &summary.users,
        &rules(chat),
        &name,
    )?;
    let count = |kind: &str| {
        report
            .proposed()
            .filter(|p| p.suggestion.kind() == kind)
            .count()
    };
    let kept = report.kept();
    eprintln!(
        "{}: read {} messages; proposed {} events, {} to-dos and {} participants{}; review them with `hindsight proposals list {}`",
        chat.incident,
        messages.len(),
        count("event"),
        count("action"),
        count("participant"),
        match report.already_proposed {
            0 => String::new(),
            n => format!(" ({n} proposed before, not again)"),
        },
        chat.incident
    );
    if let Some((messages, kept)) = report.learnt_from {
        eprintln!(
            "{}: learnt from the team's reviewed incidents ({messages} messages, {kept} kept on a timeline)",
            chat.incident
        );
    }
    if kept > 0 {
        eprintln!(
            "{}: kept the {kept} other messages; `hindsight proposals list {} --quiet` shows them, accepting one adds it",
            chat.incident, chat.incident
        );
    }
    Ok(())
}

fn describe(proposal: &Proposal) -> String {
    match &proposal.suggestion {
        Suggestion::Event { event } => format!(
            "event  {} {} — {}",
            event.at().format("%Y-%m-%d %H:%M:%S UTC"),
            event.kind(),
            one_line(event.text(), 100)
        ),
        Suggestion::Action { item } => format!("to-do  {}", one_line(item.title.as_str(), 100)),
        Suggestion::Participant { person } => format!("person {person}"),
    }
}

fn one_line(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max - 1).collect::<String>())
    } else {
        line
    }
}

pub fn proposals(app: &Hindsight, command: ProposalsCommand) -> Result<()> {
    match command {
        ProposalsCommand::List {
            key,
            all,
            quiet,
            json,
        } => {
            let proposals: Vec<Proposal> = app
                .proposals(key)?
                .into_iter()
                .filter(|p| all || p.status == ProposalStatus::Pending)
                .filter(|p| quiet || !p.quiet)
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&proposals)?);
                return Ok(());
            }
            if proposals.is_empty() {
                println!("{key} has no pending proposals");
            }
            for p in &proposals {
                let status = if all {
                    format!("{:<9}", p.status.as_str())
                } else {
                    String::new()
                };
                let kept = if p.quiet { "kept   " } else { "" };
                println!("{:>5}  {status}{kept}{}  ({})", p.id, describe(p), p.reason);
            }
        }
        ProposalsCommand::Accept { key, ids, all } | ProposalsCommand::Reject { key, ids, all }
            if ids.is_empty() && !all =>
        {
            bail!("name the proposals to decide, or --all for every pending one of {key}")
        }
        ProposalsCommand::Accept { key, ids, .. } => decide(app, key, &ids, true)?,
        ProposalsCommand::Reject { key, ids, .. } => decide(app, key, &ids, false)?,
    }
    Ok(())
}

fn decide(
    app: &Hindsight,
    key: hindsight_core::IncidentKey,
    ids: &[i64],
    accept: bool,
) -> Result<()> {
    let ids: Vec<ProposalId> = ids.iter().map(|id| ProposalId(*id)).collect();
    let decided = app.decide_proposals(key, &ids, accept)?;
    eprintln!(
        "{key}: {} {} proposals",
        if accept { "accepted" } else { "rejected" },
        decided.len()
    );
    Ok(())
}

pub fn webhook(app: &Hindsight, args: WebhookArgs) -> Result<()> {
    let name = args.file.display().to_string();
    let body = if name == "-" {
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut body)
            .context("cannot read standard input")?;
        body
    } else {
        std::fs::read(&args.file).with_context(|| format!("cannot read {name}"))?
    };
    let update = match args.tool {
        WebhookTool::Pagerduty => {
            match (&args.secret, &args.signature) {
                (Some(secret), Some(signature)) => {
                    hindsight_import::pagerduty::verify_signature(secret.as_bytes(), &body, signature)
                        .map_err(|e| anyhow!("{name}: {e}"))?
                }
                (None, Some(_)) => bail!("--signature needs --secret (or $HINDSIGHT_PAGERDUTY_SECRET) to check it against"),
                (Some(_), None) => bail!("--secret is set but the payload has no --signature: refusing an unsigned payload"),
                (None, None) => {}
            }
            hindsight_import::pagerduty::parse(&body)
        }
        WebhookTool::Alertmanager => hindsight_import::alertmanager::parse(&body),
        WebhookTool::Opsgenie => hindsight_import::opsgenie::parse(&body),
        WebhookTool::Statuspage => hindsight_import::statuspage::parse(&body),
    }
    .map_err(|e| anyhow!("{name}: {e}"))?;
    for warning in &update.warnings {
        eprintln!("warning: {name}: {warning}");
    }
    let Some(outcome) = app.apply_webhook(&update)? else {
        eprintln!("{name}: the payload records nothing about an incident; nothing applied");
        return Ok(());
    };
    println!("{}", outcome.key);
    eprintln!(
        "{}: {}",
        outcome.key,
        if outcome.duplicate {
            "this delivery was applied before; nothing changed".to_owned()
        } else if outcome.created {
            format!(
                "opened from {} incident {} with {} events",
                update.source, update.external_id, outcome.events_added
            )
        } else {
            format!("{} new events from {}", outcome.events_added, update.source)
        }
    );
    Ok(())
}
