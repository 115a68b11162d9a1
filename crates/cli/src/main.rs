//! The `hindsight` binary: reads the command line and the configuration, opens the store, and
//! hands each command to the app's use cases. Results go to stdout, diagnostics to stderr; a
//! refused command exits 1 (2 for a command line clap could not read).

mod args;
mod demo;
mod intake;
mod print;
mod serve;
mod settings;

use anyhow::{Context, Result, anyhow, bail};
use args::*;
use clap::Parser;
use hindsight_app::{AppError, ExportFormat, Hindsight, Policy};
use hindsight_core::text;
use hindsight_core::{
    ContributingFactor, CustomFigure, IncidentKey, Link, NewActionItem, NewIncident,
    NewTimelineEvent, Person, Question, Role, text::Line,
};
use hindsight_store::Store;
use settings::Settings;
use std::{io::Read, process::ExitCode, sync::Arc};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server says what it does (one line per request at debug); other commands only warn.
    let default_level = if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HINDSIGHT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `HINDSIGHT_LOG_FORMAT=json`: one JSON object per line, for a log collector.
    if std::env::var("HINDSIGHT_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Opens the configured store and brings its schema up to date.
fn open_store(database: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> =
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            Arc::new(hindsight_store_postgres::PostgresStore::connect(database)?)
        } else {
            Arc::new(hindsight_store_sqlite::SqliteStore::open(database)?)
        };
    store
        .migrate()
        .with_context(|| format!("cannot prepare the database {}", redact(database)))?;
    Ok(store)
}

/// A database location fit for a message: no password.
fn redact(database: &str) -> String {
    match url::Url::parse(database) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => database.to_owned(),
    }
}

fn run(cli: Cli) -> Result<()> {
    // Commands that need no database.
    match &cli.command {
        Command::Config(ConfigCommand::Default) => {
            print!("{}", settings::DEFAULT_TOML);
            return Ok(());
        }
        Command::Template(TemplateCommand::Check { files }) => {
            for file in files {
                let template = settings::read_template(file)?;
                eprintln!(
                    "{}: template `{}` with {} sections is valid",
                    file.display(),
                    template.name,
                    template.sections.len()
                );
            }
            return Ok(());
        }
        Command::Postmortem(PostmortemCommand::Schema) => {
            print!(
                "{}",
                hindsight_core::exchange::PostmortemDocument::json_schema()
            );
            return Ok(());
        }
        Command::Template(TemplateCommand::Placeholders) => {
            for (name, meaning) in hindsight_core::template::PLACEHOLDERS {
                println!("{{{{{name}}}}}  {meaning}");
            }
            return Ok(());
        }
        _ => {}
    }
    let settings = Settings::load(cli.config.as_deref(), cli.db, cli.templates)?;
    let templates = settings.load_templates()?;
    let store = open_store(&settings.database)?;
    let actor = cli
        .actor
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    let app = Hindsight::new(
        store,
        Arc::new(SystemClock),
        Policy {
            meeting: settings.meeting.clone(),
            readiness: settings.readiness.clone(),
            templates,
        },
    )
    .acting_as(&actor);
    match cli.command {
        Command::Config(_) => Ok(()),
        Command::Template(TemplateCommand::List) => {
            let builtin: Vec<_> = hindsight_core::Template::built_in()
                .into_iter()
                .map(|t| t.name)
                .collect();
            for template in app.templates() {
                let origin = if builtin.contains(&template.name) {
                    "built-in"
                } else {
                    "team"
                };
                println!("{:<16} {:<9} {}", template.name, origin, template.title);
            }
            Ok(())
        }
        Command::Template(TemplateCommand::Show { name }) => {
            print!("{}", print::template(&app.template(&name)?));
            Ok(())
        }
        Command::Template(_) => Ok(()),
        Command::Migrate => {
            eprintln!("{} is up to date", redact(&settings.database));
            Ok(())
        }
        Command::Serve(args) => serve::serve(app, args),
        Command::User(command) => serve::user(&app, command),
        Command::Demo => demo::run(&app, &settings.database),
        Command::Incident(command) => incident(&app, command),
        Command::Timeline(command) => timeline(&app, command),
        Command::Figures { key, json } => {
            let (record, figures) = app.figures(key)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&print::figures_json(&record, &figures))?
                );
            } else {
                print!("{}", print::figures(&record, &figures));
            }
            Ok(())
        }
        Command::Check { key, json } => check(&app, key, json),
        Command::History { key } => {
            let history = app.history(key)?;
            let tz = app.incident(key)?.timezone;
            for revision in history {
                println!(
                    "{:>4}  {}  {:<16} {}",
                    revision.number,
                    hindsight_render::local_time(revision.at, tz),
                    revision.author,
                    revision.summary
                );
            }
            Ok(())
        }
        Command::Diff { key, from, to } => {
            print!("{}", app.diff(key, from, to)?);
            Ok(())
        }
        Command::Checklist(command) => checklist(&app, command),
        Command::Import(command) => intake::import(&app, command),
        Command::Proposals(command) => intake::proposals(&app, command),
        Command::Webhook(args) => intake::webhook(&app, args),
        Command::Message(command) => message(&app, command),
        Command::Role(command) => role(&app, command),
        Command::Participant(command) => {
            let command = match command {
                ParticipantCommand::Add { key, name, title } => RoleCommand::Set {
                    key,
                    role: Role::Participant,
                    name,
                    title,
                },
                ParticipantCommand::Remove { key, name } => RoleCommand::Remove {
                    key,
                    role: Role::Participant,
                    name,
                },
            };
            role(&app, command)
        }
        Command::Postmortem(command) => postmortem(&app, command),
        Command::Impact(ImpactCommand::Set(args)) => impact(&app, args),
        Command::Factor(command) => factor(&app, command),
        Command::Action(command) => action(&app, command),
        Command::Howd(HowdCommand::Add { key, list, text }) => {
            let text = required("text", &text)?;
            edit(&app, key, &format!("added to {list}"), |pm| {
                pm.howd_we_do.list_mut(list).push(text.clone());
                Ok(())
            })?;
            eprintln!("{key}: added to {list}");
            Ok(())
        }
        Command::Question(command) => question(&app, command),
        Command::Link(command) => link(&app, command),
        Command::Query(QueryCommand::Add {
            key,
            description,
            command,
        }) => {
            let used = hindsight_core::CommandUsed {
                description: required("description", &description)?,
                command: required("command", &command)?,
            };
            edit(&app, key, "recorded a command used", |pm| {
                pm.commands.push(used.clone());
                Ok(())
            })?;
            eprintln!("{key}: command recorded");
            Ok(())
        }
        Command::Meeting(MeetingCommand::Set {
            key,
            at,
            moderator,
            note_taker,
        }) => {
            let incident = app.incident(key)?;
            let at = at
                .map(|at| hindsight_import::local_time::parse_instant(&at, incident.timezone))
                .transpose()
                .context("--at")?;
            let moderator = moderator.map(|m| line("--moderator", &m)).transpose()?;
            let note_taker = note_taker.map(|n| line("--note-taker", &n)).transpose()?;
            edit(&app, key, "scheduled the meeting", |pm| {
                if at.is_some() {
                    pm.meeting.scheduled_for = at;
                }
                if moderator.is_some() {
                    pm.meeting.moderator = moderator.clone();
                }
                if note_taker.is_some() {
                    pm.meeting.note_taker = note_taker.clone();
                }
                Ok(())
            })?;
            eprintln!("{key}: meeting updated");
            Ok(())
        }
    }
}

/// The wall clock, for the binary only: everything below takes time from a `Clock`.
#[derive(Debug)]
struct SystemClock;

impl hindsight_core::Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

fn line(field: &'static str, value: &str) -> Result<Line> {
    Line::parse(field, value).map_err(|e| anyhow!("{field}: {e}"))
}

fn optional(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    text::optional(field, value, max).map_err(|e| anyhow!("{e}"))
}

fn required(field: &'static str, value: &str) -> Result<String> {
    hindsight_core::text::required(field, value, hindsight_core::text::LONG)
        .map_err(|e| anyhow!("{e}"))
}

fn edit(
    app: &Hindsight,
    key: IncidentKey,
    what: &str,
    change: impl Fn(&mut hindsight_core::Postmortem) -> Result<(), AppError>,
) -> Result<()> {
    app.edit_postmortem(key, what, change)?;
    Ok(())
}

fn incident(app: &Hindsight, command: IncidentCommand) -> Result<()> {
    match command {
        IncidentCommand::New {
            title,
            severity,
            timezone,
            services,
            private,
            template,
        } => {
            let mut new = NewIncident::new(&title, severity, timezone)
                .context("--title")?
                .with_services(services.iter().map(String::as_str))
                .context("--service")?;
            new.private = private;
            new.template = template;
            let incident = app.create_incident(new)?;
            println!("{}", incident.key);
        }
        IncidentCommand::List { limit, json } => {
            let incidents = app.list_incidents(limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&incidents)?);
            } else {
                print!("{}", print::incident_list(&incidents));
            }
        }
        IncidentCommand::Show { key, json } => {
            let (record, figures) = app.figures(key)?;
            if json {
                let value = serde_json::json!({
                    "record": record,
                    "status": record.status(),
                    "figures": print::figures_json(&record, &figures),
                    "tags": record.action_tags(&figures),
                });
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                print!("{}", print::incident(&record, &figures));
            }
        }
        IncidentCommand::Set {
            key,
            title,
            severity,
            timezone,
            services,
            private,
        } => {
            let title = title.map(|t| line("--title", &t)).transpose()?;
            let services = services
                .iter()
                .map(|s| line("--service", s))
                .collect::<Result<Vec<_>>>()?;
            app.edit_incident(key, |incident| {
                if let Some(title) = title {
                    incident.title = title;
                }
                if let Some(severity) = severity {
                    incident.severity = severity;
                }
                if let Some(timezone) = timezone {
                    incident.timezone = timezone;
                }
                if !services.is_empty() {
                    incident.services = services;
                }
                if let Some(private) = private {
                    incident.private = private;
                }
                Ok(())
            })?;
            eprintln!("{key}: updated");
        }
    }
    Ok(())
}

fn timeline(app: &Hindsight, command: TimelineCommand) -> Result<()> {
    match command {
        TimelineCommand::Import { key, file } => {
            let name = file.display().to_string();
            let report = if name == "-" {
                app.import_timeline_csv(key, std::io::stdin().lock(), "<stdin>")?
            } else {
                let reader =
                    std::fs::File::open(&file).with_context(|| format!("cannot open {name}"))?;
                app.import_timeline_csv(key, std::io::BufReader::new(reader), &name)?
            };
            eprintln!(
                "{key}: imported {} events from {name}{}",
                report.added.len(),
                match report.duplicates {
                    0 => String::new(),
                    n => format!(" ({n} already on the timeline, skipped)"),
                }
            );
            for warning in &report.warnings {
                eprintln!("warning: {key}: {warning}");
            }
        }
        TimelineCommand::Add {
            key,
            time,
            kind,
            text,
            author,
            severity,
            evidence,
            key_point,
        } => {
            let incident = app.incident(key)?;
            let at = hindsight_import::local_time::parse_instant(&time, incident.timezone)
                .context("--time")?;
            let mut event = NewTimelineEvent::from_parts(
                at,
                kind,
                &text,
                hindsight_core::EventSource::Typed,
                severity,
            )?
            .with_author(author.as_deref())?
            .key_point(key_point);
            for url in evidence {
                event = event.with_evidence(url).context("--evidence")?;
            }
            match app.add_event(key, event)? {
                Some(event) => println!("{}", event.id),
                None => eprintln!("{key}: the timeline already has this event"),
            }
        }
        TimelineCommand::List { key, json } => {
            let record = app.record(key)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&record.timeline)?);
            } else {
                print!("{}", print::timeline(&record));
            }
        }
        TimelineCommand::KeyPoint { key, id, off } => {
            app.edit_event(key, event_id(id), |event| {
                event.event = event.event.clone().key_point(!off);
                Ok(())
            })?;
            eprintln!(
                "{key}: event {id} {}",
                if off {
                    "is no longer a key point"
                } else {
                    "is a key point"
                }
            );
        }
        TimelineCommand::Evidence { key, id, url } => {
            app.edit_event(key, event_id(id), |event| {
                event.event = event
                    .event
                    .clone()
                    .with_evidence(url)
                    .map_err(|e| AppError::invalid("evidence", e))?;
                Ok(())
            })?;
            eprintln!("{key}: evidence added to event {id}");
        }
        TimelineCommand::Remove { key, id } => {
            app.remove_event(key, event_id(id))?;
            eprintln!("{key}: event {id} removed");
        }
    }
    Ok(())
}

fn role(app: &Hindsight, command: RoleCommand) -> Result<()> {
    match command {
        RoleCommand::Set {
            key,
            role,
            name,
            title,
        } => {
            let person = Person::new(&name, title.as_deref())?;
            let shown = person.to_string();
            let what = format!("{shown} is {}", role.title().to_lowercase());
            app.edit_responders(key, &what, |responders| {
                responders.assign(role, person.clone())
            })?;
            eprintln!("{key}: {} is {}", shown, role.title().to_lowercase());
        }
        RoleCommand::Remove { key, role, name } => {
            let mut removed = false;
            let what = format!("{name} is no longer {}", role.title().to_lowercase());
            app.edit_responders(key, &what, |responders| {
                removed = responders.unassign(role, &name)
            })?;
            if !removed {
                bail!("{key} has no {} named {name}", role.title().to_lowercase());
            }
            eprintln!("{key}: {name} is no longer {}", role.title().to_lowercase());
        }
    }
    Ok(())
}

fn read_text(text: Option<String>, file: Option<std::path::PathBuf>) -> Result<String> {
    match (text, file) {
        (Some(text), _) if text != "-" => Ok(text),
        (_, Some(file)) => std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display())),
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input")?;
            Ok(text)
        }
    }
}

fn postmortem(app: &Hindsight, command: PostmortemCommand) -> Result<()> {
    match command {
        PostmortemCommand::Render {
            key,
            format,
            output,
        } => {
            let format = match format {
                Format::Markdown => ExportFormat::Markdown,
                Format::Html => ExportFormat::Html,
                Format::Json => ExportFormat::Json,
            };
            let text = app.export(key, format)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("{key}: written to {}", path.display());
                }
                None => print!("{text}"),
            }
        }
        PostmortemCommand::Import { file } => {
            let name = file.display().to_string();
            let text = read_text(None, (name != "-").then_some(file))?;
            let incident = app.import_document(&text, &name)?;
            println!("{}", incident.key);
        }
        PostmortemCommand::Schema => {}
        PostmortemCommand::Status { key, to } => {
            app.move_postmortem(key, to)?;
            eprintln!(
                "{key}: the post-mortem is {}",
                to.as_str().replace('_', " ")
            );
        }
        PostmortemCommand::Owner { key, name } => {
            let owner = line("owner", &name)?;
            edit(app, key, &format!("designated {owner} as owner"), |pm| {
                pm.owner = Some(owner.clone());
                Ok(())
            })?;
            eprintln!("{key}: {owner} owns the post-mortem");
        }
        PostmortemCommand::Section {
            key,
            section,
            text,
            file,
        } => {
            let record = app.record(key)?;
            let template = app.template(&record.postmortem.template)?;
            if template.section(&section).is_none() {
                bail!(
                    "the {} template has no section `{section}`: expected one of {}",
                    template.name,
                    template
                        .sections
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let text = read_text(text, file)?;
            edit(app, key, &format!("wrote the {section} section"), |pm| {
                pm.set_section(&section, &text)
                    .map_err(|e| AppError::invalid(section.clone(), e))
            })?;
            eprintln!("{key}: section {section} saved");
        }
        PostmortemCommand::Sections { key } => {
            let record = app.record(key)?;
            let template = app.template(&record.postmortem.template)?;
            print!("{}", print::sections(&record, &template));
        }
    }
    Ok(())
}

fn impact(app: &Hindsight, args: ImpactArgs) -> Result<()> {
    let custom = args
        .custom
        .iter()
        .map(|c| parse_custom(c).with_context(|| format!("--custom {c:?}")))
        .collect::<Result<Vec<_>>>()?;
    let key = args.key;
    edit(app, key, "recorded impact figures", |pm| {
        let impact = &mut pm.impact;
        let set = |slot: &mut Option<u64>, value: Option<u64>| {
            if value.is_some() {
                *slot = value;
            }
        };
        set(&mut impact.users_affected, args.users_affected);
        set(&mut impact.accounts_affected, args.accounts_affected);
        set(
            &mut impact.notifications_out_of_sla,
            args.notifications_out_of_sla,
        );
        set(&mut impact.events_dropped, args.events_dropped);
        set(&mut impact.support_requests, args.support_requests);
        if let Some(full) = args.full_outage {
            impact.full_outage = full;
        }
        for ticket in &args.support_tickets {
            if !impact.support_tickets.contains(ticket) {
                impact.support_tickets.push(ticket.clone());
            }
        }
        for figure in &custom {
            match impact.custom.iter_mut().find(|f| f.name == figure.name) {
                Some(existing) => *existing = figure.clone(),
                None => impact.custom.push(figure.clone()),
            }
        }
        Ok(())
    })?;
    eprintln!("{key}: impact updated");
    Ok(())
}

/// `NAME=VALUE` or `NAME=VALUE UNIT`.
fn parse_custom(text: &str) -> Result<CustomFigure> {
    let (name, rest) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("expected NAME=VALUE or NAME=VALUE UNIT"))?;
    let mut parts = rest.trim().splitn(2, char::is_whitespace);
    let value = parts.next().unwrap_or_default().parse()?;
    let unit = parts
        .next()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    Ok(CustomFigure {
        name: line("name", name)?,
        value,
        unit,
    })
}

fn factor(app: &Hindsight, command: FactorCommand) -> Result<()> {
    match command {
        FactorCommand::Add {
            key,
            category,
            description,
            whys,
            made_worse,
        } => {
            let mut factor =
                ContributingFactor::new(category, &description).context("--description")?;
            factor.whys = whys
                .iter()
                .map(|w| required("--why", w))
                .collect::<Result<_>>()?;
            factor.made_worse = made_worse;
            let mut position = 0;
            app.edit_postmortem(key, "added a contributing factor", |pm| {
                pm.factors.push(factor.clone());
                Ok(())
            })
            .map(|pm| position = pm.factors.len())?;
            println!("{position}");
        }
        FactorCommand::Remove { key, position } => {
            app.edit_postmortem(
                key,
                &format!("removed contributing factor {position}"),
                |pm| {
                    if position == 0 || position > pm.factors.len() {
                        return Err(AppError::NotFound(format!(
                            "{key} has no contributing factor {position} (it has {})",
                            pm.factors.len()
                        )));
                    }
                    pm.factors.remove(position - 1);
                    Ok(())
                },
            )?;
            eprintln!("{key}: factor {position} removed");
        }
    }
    Ok(())
}

fn apply_action_fields(item: &mut NewActionItem, fields: &ActionFields) -> Result<(), AppError> {
    if let Some(description) = &fields.description {
        *item = item
            .clone()
            .with_description(description)
            .map_err(|e| AppError::invalid("--description", e))?;
    }
    if let Some(owner) = &fields.owner {
        *item = item
            .clone()
            .with_owner(Some(owner))
            .map_err(|e| AppError::invalid("--owner", e))?;
    }
    if fields.due.is_some() {
        item.due = fields.due;
    }
    if let Some(priority) = fields.priority {
        item.priority = priority;
    }
    if let Some(kind) = fields.kind {
        item.kind = kind;
    }
    if let Some(impact) = fields.impact {
        item.impact = impact;
    }
    if let Some(effort) = fields.effort {
        item.effort = effort;
    }
    if fields.ticket.is_some() {
        item.ticket = fields.ticket.clone();
    }
    Ok(())
}

fn action(app: &Hindsight, command: ActionCommand) -> Result<()> {
    match command {
        ActionCommand::Add { key, title, fields } => {
            let mut item = NewActionItem::new(&title).context("--title")?;
            apply_action_fields(&mut item, &fields)?;
            let action = app.add_action(key, &item)?;
            println!("{}", action.id);
        }
        ActionCommand::List { key, json } => {
            let (record, figures) = app.figures(key)?;
            if json {
                let tags = record.action_tags(&figures);
                let items: Vec<_> = record
                    .actions
                    .iter()
                    .map(|a| {
                        let mut value = serde_json::to_value(a).unwrap_or_default();
                        value["tags"] = serde_json::json!(tags);
                        value
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                print!("{}", print::actions(&record, &figures));
            }
        }
        ActionCommand::Set {
            key,
            id,
            title,
            status,
            fields,
        } => {
            let title = title.map(|t| line("--title", &t)).transpose()?;
            app.edit_action(key, action_id(id), |action| {
                if let Some(title) = title {
                    action.item.title = title;
                }
                if let Some(status) = status {
                    action.item.status = status;
                }
                apply_action_fields(&mut action.item, &fields)
            })?;
            eprintln!("{key}: action {id} updated");
        }
    }
    Ok(())
}

fn question(app: &Hindsight, command: QuestionCommand) -> Result<()> {
    match command {
        QuestionCommand::Add {
            key,
            question,
            answer,
            asked_by,
        } => {
            let question = Question {
                question: required("question", &question)?,
                answer: optional("--answer", answer.as_deref(), text::LONG)?,
                asked_by: optional("--asked-by", asked_by.as_deref(), text::SHORT)?,
            };
            let pm = app.edit_postmortem(key, "recorded a question", |pm| {
                pm.questions.push(question.clone());
                Ok(())
            })?;
            println!("{}", pm.questions.len());
        }
        QuestionCommand::Answer {
            key,
            position,
            answer,
        } => {
            let answer = required("answer", &answer)?;
            app.edit_postmortem(key, &format!("answered question {position}"), |pm| {
                let count = pm.questions.len();
                let question = position
                    .checked_sub(1)
                    .and_then(|i| pm.questions.get_mut(i))
                    .ok_or_else(|| {
                        AppError::NotFound(format!(
                            "{key} has no question {position} (it has {count})"
                        ))
                    })?;
                question.answer = Some(answer.clone());
                Ok(())
            })?;
            eprintln!("{key}: question {position} answered");
        }
    }
    Ok(())
}

fn link(app: &Hindsight, command: LinkCommand) -> Result<()> {
    match command {
        LinkCommand::Add {
            key,
            kind,
            url,
            title,
        } => {
            let link = Link {
                kind,
                url,
                title: optional("--title", title.as_deref(), text::SHORT)?,
            };
            edit(app, key, "added a link", |pm| {
                if !pm.communication.links.iter().any(|l| l.url == link.url) {
                    pm.communication.links.push(link.clone());
                }
                Ok(())
            })?;
            eprintln!("{key}: link added");
        }
        LinkCommand::Channel { key, name } => {
            let name = required("channel", &name)?;
            edit(app, key, "named the war room", |pm| {
                pm.communication.channel = Some(name.clone());
                Ok(())
            })?;
            eprintln!("{key}: war room is {name}");
        }
    }
    Ok(())
}

/// Prints the readiness findings; any error makes the command fail, so it can guard a workflow.
fn check(app: &Hindsight, key: IncidentKey, json: bool) -> Result<()> {
    use hindsight_core::readiness::Level;
    let (_, _, findings) = app.check(key)?;
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    if json {
        println!("{}", serde_json::to_string_pretty(&findings)?);
    } else if findings.is_empty() {
        println!("{key}: ready, nothing to fix");
    } else {
        for f in &findings {
            let level = match f.level {
                Level::Error => "error",
                Level::Warning => "warning",
            };
            println!(
                "{level:<7} {:<28} {:<24} {}",
                f.location.to_string(),
                f.rule,
                f.message
            );
        }
    }
    if errors > 0 {
        bail!(
            "{key} is not ready: {errors} error{}, {} warning{}",
            if errors == 1 { "" } else { "s" },
            findings.len() - errors,
            if findings.len() - errors == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    Ok(())
}

fn checklist(app: &Hindsight, command: ChecklistCommand) -> Result<()> {
    match command {
        ChecklistCommand::List { key } => {
            let record = app.record(key)?;
            let items = &record.postmortem.checklists;
            if items.is_empty() {
                println!(
                    "{key} has no checklists yet: they are made when the incident is resolved"
                );
            }
            for (i, item) in items.iter().enumerate() {
                println!(
                    "{:>3}  [{}] {:<24} {}",
                    i + 1,
                    if item.done { "x" } else { " " },
                    item.role.title(),
                    item.text
                );
            }
        }
        ChecklistCommand::Tick {
            key,
            position,
            undo,
        } => {
            app.tick_checklist(key, position, !undo)?;
            eprintln!(
                "{key}: item {position} {}",
                if undo { "reopened" } else { "done" }
            );
        }
    }
    Ok(())
}

fn message(app: &Hindsight, command: MessageCommand) -> Result<()> {
    let report = |key: IncidentKey, findings: Vec<hindsight_core::lint::BlameFinding>| {
        for f in findings {
            eprintln!("warning: {key}: {}: {}", f.message, f.suggestion);
        }
    };
    match command {
        MessageCommand::Draft {
            key,
            kind,
            link,
            save,
        } => {
            let draft = app.draft_message(key, kind, link.as_deref())?;
            println!("{draft}");
            if save {
                report(key, app.set_message(key, kind, &draft)?);
                eprintln!("{key}: {kind} message saved");
            }
        }
        MessageCommand::Set {
            key,
            kind,
            text,
            file,
        } => {
            let text = read_text(text, file)?;
            report(key, app.set_message(key, kind, &text)?);
            eprintln!("{key}: {kind} message saved");
        }
        MessageCommand::Show { key, kind } => {
            let record = app.record(key)?;
            match record.postmortem.messages.get(kind) {
                Some(text) => println!("{text}"),
                None => bail!(
                    "{key} has no {kind} message yet: `hindsight message draft {key} {kind}` writes a first draft"
                ),
            }
        }
    }
    Ok(())
}
