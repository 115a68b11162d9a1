//! What can be typed: the command line as clap reads it. Values are parsed here, at the edge,
//! into domain types, so a bad key, severity or kind is refused before anything runs.

use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use hindsight_core::{
    ActionId, ActionKind, ActionStatus, EventId, EventKind, FactorCategory, IncidentKey, Level,
    LinkKind, MessageKind, PostmortemStatus, Priority, Role, Severity, postmortem::HowdList,
};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "hindsight",
    version,
    about = "Blameless post-mortems: timeline, impact, contributing factors and follow-up actions",
    long_about = None,
    after_help = "Start with `hindsight demo`, then `hindsight incident new --help`."
)]
pub struct Cli {
    /// The database: a SQLite file (created when missing) or a postgres:// URL.
    #[arg(
        long,
        global = true,
        env = "HINDSIGHT_DB",
        value_name = "PATH|URL",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    pub db: Option<String>,

    /// A TOML configuration file (`hindsight config default` prints one).
    #[arg(long, global = true, env = "HINDSIGHT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Who you are, as the revision history will name you [default: $USER].
    #[arg(
        long = "as",
        global = true,
        env = "HINDSIGHT_USER",
        value_name = "NAME"
    )]
    pub actor: Option<String>,

    /// A folder of team templates, one TOML file each.
    #[arg(long, global = true, env = "HINDSIGHT_TEMPLATES", value_name = "DIR")]
    pub templates: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages, the JSON API and the webhook endpoints.
    Serve(ServeArgs),
    /// Accounts for the web pages and the API: add, list, change a role or a password.
    #[command(subcommand)]
    User(UserCommand),
    /// Create a sample incident with a full post-mortem and print it.
    Demo,
    /// Bring the database schema up to date (every command also does this first).
    Migrate,
    /// Configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Post-mortem templates: the built-in ones and the team's.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Open, list, show and change incidents.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Import, add, list and edit timeline events.
    #[command(subcommand)]
    Timeline(TimelineCommand),
    /// Print the derived figures: key instants, durations, time in severity, meeting deadline.
    Figures {
        key: IncidentKey,
        /// One JSON object instead of text for a person.
        #[arg(long)]
        json: bool,
    },
    /// Run the readiness check; exits 1 when it finds an error.
    Check {
        key: IncidentKey,
        /// The findings as JSON, for tools.
        #[arg(long)]
        json: bool,
    },
    /// The revisions of a post-mortem: who changed what, when.
    History { key: IncidentKey },
    /// What changed between two revisions, as a unified diff of the document.
    Diff {
        key: IncidentKey,
        from: u64,
        to: u64,
    },
    /// Each role's after-incident checklist, made when the incident is resolved.
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// The internal e-mail and the external status-page message.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Read a chat export and propose key events, evidence, participants and to-dos.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Review what importers proposed: list, accept, reject.
    #[command(subcommand)]
    Proposals(ProposalsCommand),
    /// Apply a pager or alert webhook payload from a file or standard input.
    Webhook(WebhookArgs),
    /// Set the response roles: commander, deputy, scribe, sme, customer_liaison, participant.
    #[command(subcommand)]
    Role(RoleCommand),
    /// Add or remove participants (everyone who took part, with their job titles).
    #[command(subcommand)]
    Participant(ParticipantCommand),
    /// The post-mortem document: owner, sections and rendering.
    #[command(subcommand)]
    Postmortem(PostmortemCommand),
    /// Record the measured impact in exact numbers.
    #[command(subcommand)]
    Impact(ImpactCommand),
    /// Contributing factors, each with a category and an optional 5-whys chain.
    #[command(subcommand)]
    Factor(FactorCommand),
    /// Follow-up action items.
    #[command(subcommand)]
    Action(ActionCommand),
    /// How'd we do: went well, went wrong, got lucky, lessons.
    #[command(subcommand)]
    Howd(HowdCommand),
    /// Questions raised before or in the meeting, and their answers.
    #[command(subcommand)]
    Question(QuestionCommand),
    /// Communication: the war-room channel and links to logs, dashboards, recordings.
    #[command(subcommand)]
    Link(LinkCommand),
    /// Commands and queries used to look the data up, so others can rerun them.
    #[command(subcommand)]
    Query(QueryCommand),
    /// The post-mortem meeting: when, who moderates, who takes notes.
    #[command(subcommand)]
    Meeting(MeetingCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the default configuration, commented.
    Default,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// List the templates, built-in first.
    List,
    /// Show a template's sections with their help and starting text.
    Show { name: String },
    /// Check template files without installing them.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the placeholders starting text may use.
    Placeholders,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident and print its key.
    New {
        #[arg(long)]
        title: String,
        /// SEV-1 (the worst) to SEV-5.
        #[arg(long)]
        severity: Severity,
        /// The IANA timezone it is reported in.
        #[arg(long, default_value = "UTC", value_parser = timezone)]
        timezone: Tz,
        /// An affected service; repeat for several.
        #[arg(long = "service", value_name = "SERVICE")]
        services: Vec<String>,
        /// Visible only to its members and admins.
        #[arg(long)]
        private: bool,
        /// The post-mortem template.
        #[arg(long, default_value = "pagerduty")]
        template: String,
    },
    /// List incidents, newest first.
    List {
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Show an incident: its fields, roles, figures and what is left to do.
    Show {
        key: IncidentKey,
        /// The whole record and its figures as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change an incident's fields.
    Set {
        key: IncidentKey,
        #[arg(long)]
        title: Option<String>,
        /// The severity it was declared at; later changes belong on the timeline.
        #[arg(long)]
        severity: Option<Severity>,
        #[arg(long, value_parser = timezone)]
        timezone: Option<Tz>,
        /// Replaces the affected services; repeat for several.
        #[arg(long = "service", value_name = "SERVICE")]
        services: Vec<String>,
        #[arg(long)]
        private: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TimelineCommand {
    /// Import a CSV with columns time,kind,text and optionally author,severity,evidence,key_point.
    Import {
        key: IncidentKey,
        /// The CSV file, or - for standard input.
        file: PathBuf,
    },
    /// Add one event.
    Add {
        key: IncidentKey,
        /// RFC 3339 with an offset, or a local time in the incident's timezone.
        #[arg(long)]
        time: String,
        #[arg(long)]
        kind: EventKind,
        #[arg(long)]
        text: String,
        #[arg(long)]
        author: Option<String>,
        /// With severity_changed (required) or declared.
        #[arg(long)]
        severity: Option<Severity>,
        /// A link to the graph, log search or post that shows it; repeat for several.
        #[arg(long = "evidence", value_name = "URL", value_parser = web_url)]
        evidence: Vec<url::Url>,
        /// Lift the event into the key points.
        #[arg(long)]
        key_point: bool,
    },
    /// List the timeline with event ids, in the incident's timezone.
    List {
        key: IncidentKey,
        #[arg(long)]
        json: bool,
    },
    /// Mark or unmark an event as a key point.
    KeyPoint {
        key: IncidentKey,
        id: i64,
        /// Remove the mark instead.
        #[arg(long)]
        off: bool,
    },
    /// Add evidence to an event.
    Evidence {
        key: IncidentKey,
        id: i64,
        url: url::Url,
    },
    /// Remove an event.
    Remove { key: IncidentKey, id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Give a role to a person (SMEs and participants add to a list).
    Set {
        key: IncidentKey,
        role: Role,
        name: String,
        /// Their job title, e.g. "Engineer".
        #[arg(long)]
        title: Option<String>,
    },
    /// Take a role away from a person.
    Remove {
        key: IncidentKey,
        role: Role,
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Add someone who took part.
    Add {
        key: IncidentKey,
        name: String,
        #[arg(long)]
        title: Option<String>,
    },
    Remove {
        key: IncidentKey,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One standalone HTML page, sanitised, with no external asset.
    Html,
    /// The versioned JSON document format (see `postmortem schema`).
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// List the checklist items, numbered.
    List { key: IncidentKey },
    /// Tick an item done.
    Tick {
        key: IncidentKey,
        position: usize,
        /// Untick it instead.
        #[arg(long)]
        undo: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Print a first draft written from the document (internal or external).
    Draft {
        key: IncidentKey,
        kind: MessageKind,
        /// Where the post-mortem can be read, for the internal e-mail.
        #[arg(long)]
        link: Option<String>,
        /// Save the draft as the message.
        #[arg(long)]
        save: bool,
    },
    /// Write a message: from TEXT, from --file, or from standard input.
    Set {
        key: IncidentKey,
        kind: MessageKind,
        text: Option<String>,
        #[arg(long, conflicts_with = "text")]
        file: Option<PathBuf>,
    },
    /// Print a message as saved.
    Show { key: IncidentKey, kind: MessageKind },
}

#[derive(Debug, Subcommand)]
pub enum PostmortemCommand {
    /// Render the post-mortem with its template, or export it as JSON.
    Render {
        key: IncidentKey,
        #[arg(long, value_enum, default_value = "markdown")]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Import a post-mortem exported as JSON, as a new incident; prints its key.
    Import {
        /// The JSON document, or - for standard input.
        file: PathBuf,
    },
    /// Print the JSON Schema of the document format.
    Schema,
    /// Move the post-mortem: draft, in_review, reviewed, published, closed.
    Status {
        key: IncidentKey,
        to: PostmortemStatus,
    },
    /// Designate the post-mortem owner.
    Owner { key: IncidentKey, name: String },
    /// Write a section's Markdown: from TEXT, from --file, or from standard input.
    Section {
        key: IncidentKey,
        /// The section id, as `hindsight postmortem sections` lists them.
        section: String,
        text: Option<String>,
        #[arg(long, conflicts_with = "text")]
        file: Option<PathBuf>,
    },
    /// List the sections of the post-mortem's template and which are written.
    Sections { key: IncidentKey },
}

#[derive(Debug, Subcommand)]
pub enum ImpactCommand {
    /// Set impact figures; only the given ones change.
    Set(ImpactArgs),
}

#[derive(Debug, Args)]
pub struct ImpactArgs {
    pub key: IncidentKey,
    #[arg(long)]
    pub users_affected: Option<u64>,
    #[arg(long)]
    pub accounts_affected: Option<u64>,
    #[arg(long)]
    pub notifications_out_of_sla: Option<u64>,
    /// Events dropped or not accepted; 0 records that it was checked.
    #[arg(long)]
    pub events_dropped: Option<u64>,
    #[arg(long)]
    pub support_requests: Option<u64>,
    /// A support ticket raised by the incident; repeat for several.
    #[arg(long = "support-ticket", value_name = "URL", value_parser = web_url)]
    pub support_tickets: Vec<url::Url>,
    /// Whether the services were entirely down (true) or degraded (false); the external message
    /// may say "outage" only for a full outage.
    #[arg(long)]
    pub full_outage: Option<bool>,
    /// A custom figure, `NAME=VALUE` or `NAME=VALUE UNIT` (e.g. "refunds=1520.50 EUR").
    #[arg(long = "custom", value_name = "NAME=VALUE [UNIT]")]
    pub custom: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum FactorCommand {
    /// Add a contributing factor.
    Add {
        key: IncidentKey,
        #[arg(long)]
        category: FactorCategory,
        #[arg(long)]
        description: String,
        /// One answer of a 5-whys chain, in order; repeat for each.
        #[arg(long = "why", value_name = "ANSWER")]
        whys: Vec<String>,
        /// An action during the response that made things worse.
        #[arg(long)]
        made_worse: bool,
    },
    /// Remove the factor at a position (1 is the first).
    Remove { key: IncidentKey, position: usize },
}

#[derive(Debug, Args)]
pub struct ActionFields {
    #[arg(long)]
    pub description: Option<String>,
    /// Who will do it; an empty value clears it.
    #[arg(long)]
    pub owner: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long, value_parser = date)]
    pub due: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub priority: Option<Priority>,
    #[arg(long)]
    pub kind: Option<ActionKind>,
    #[arg(long)]
    pub impact: Option<Level>,
    #[arg(long)]
    pub effort: Option<Level>,
    /// The ticket in the team's tracker.
    #[arg(long, value_parser = web_url)]
    pub ticket: Option<url::Url>,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// File an action item and print its id.
    Add {
        key: IncidentKey,
        #[arg(long)]
        title: String,
        #[command(flatten)]
        fields: ActionFields,
    },
    /// List action items with their tags.
    List {
        key: IncidentKey,
        #[arg(long)]
        json: bool,
    },
    /// Change an action item.
    Set {
        key: IncidentKey,
        id: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        status: Option<ActionStatus>,
        #[command(flatten)]
        fields: ActionFields,
    },
}

#[derive(Debug, Subcommand)]
pub enum HowdCommand {
    /// Add a line to one list: went_well, went_wrong, got_lucky or lessons.
    Add {
        key: IncidentKey,
        list: HowdList,
        text: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum QuestionCommand {
    /// Record a question, with its answer if known.
    Add {
        key: IncidentKey,
        question: String,
        #[arg(long)]
        answer: Option<String>,
        #[arg(long)]
        asked_by: Option<String>,
    },
    /// Answer the question at a position (1 is the first).
    Answer {
        key: IncidentKey,
        position: usize,
        answer: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Add a link: log, dashboard, recording, ticket, document or other.
    Add {
        key: IncidentKey,
        kind: LinkKind,
        #[arg(value_parser = web_url)]
        url: url::Url,
        #[arg(long)]
        title: Option<String>,
    },
    /// Name the war-room channel.
    Channel { key: IncidentKey, name: String },
}

#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Record a command or query that was used, with what it shows.
    Add {
        key: IncidentKey,
        #[arg(long)]
        description: String,
        command: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Schedule the meeting and name its moderator and note-taker.
    Set {
        key: IncidentKey,
        /// RFC 3339 with an offset, or a local time in the incident's timezone.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        moderator: Option<String>,
        #[arg(long)]
        note_taker: Option<String>,
    },
}

fn timezone(text: &str) -> Result<Tz, String> {
    hindsight_core::incident::parse_timezone(text).map_err(|e| e.to_string())
}

fn web_url(text: &str) -> Result<url::Url, String> {
    hindsight_core::text::web_url(text).map_err(|e| e.to_string())
}

fn date(text: &str) -> Result<chrono::NaiveDate, String> {
    let expected = || format!("`{text}` is not a date: expected YYYY-MM-DD, like 2026-12-04");
    let date =
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| expected())?;
    if (1900..=9999).contains(&chrono::Datelike::year(&date)) {
        Ok(date)
    } else {
        Err(format!("`{text}` is outside the years 1900 to 9999"))
    }
}

pub fn event_id(id: i64) -> EventId {
    EventId(id)
}

pub fn action_id(id: i64) -> ActionId {
    ActionId(id)
}

/// Which messages of a chat export to read.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The incident the proposals are for.
    #[arg(long)]
    pub incident: IncidentKey,
    /// The channel, by name or id [default: the incident's war-room channel].
    #[arg(long)]
    pub channel: Option<String>,
    /// The first instant to read, RFC 3339 or local to the incident [default: an hour before
    /// its first event].
    #[arg(long)]
    pub from: Option<String>,
    /// The last instant to read [default: a day after its resolution].
    #[arg(long)]
    pub to: Option<String>,
    /// A reaction that marks a key event; repeat for several [default: pushpin, round_pushpin,
    /// star, bookmark, key].
    #[arg(long = "key-emoji", value_name = "NAME")]
    pub key_emoji: Vec<String>,
    /// Where a message opens, e.g. https://acme.slack.com/archives/ (Slack only): accepted
    /// events link back to their message.
    #[arg(long, value_parser = web_url)]
    pub permalink_base: Option<url::Url>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A Slack workspace export: its folder or its .zip.
    Slack {
        export: PathBuf,
        #[command(flatten)]
        chat: ChatArgs,
    },
    /// A Mattermost bulk export (JSON Lines).
    Mattermost {
        export: PathBuf,
        #[command(flatten)]
        chat: ChatArgs,
    },
    /// A plain CSV (time,author,text) or JSON Lines of {"time","author","text"}.
    Chat {
        file: PathBuf,
        #[command(flatten)]
        chat: ChatArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProposalsCommand {
    /// List the proposals with their reasons.
    List {
        key: IncidentKey,
        /// Every proposal, not only the pending ones (the quiet ones still need --quiet).
        #[arg(long)]
        all: bool,
        /// Also the messages nothing proposed, kept so that one can still be accepted.
        #[arg(long)]
        quiet: bool,
        #[arg(long)]
        json: bool,
    },
    /// Accept proposals by id (a kept message too), or every pending one with --all (quiet ones
    /// aside).
    Accept {
        key: IncidentKey,
        ids: Vec<i64>,
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
    /// Reject proposals by id, or every pending one with --all (quiet ones aside).
    Reject {
        key: IncidentKey,
        ids: Vec<i64>,
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WebhookTool {
    Pagerduty,
    Alertmanager,
    Opsgenie,
    Statuspage,
}

#[derive(Debug, Args)]
pub struct WebhookArgs {
    pub tool: WebhookTool,
    /// The payload, or - for standard input.
    pub file: PathBuf,
    /// PagerDuty: the webhook's signing secret; with --signature, the payload is refused
    /// unless signed with it.
    #[arg(long, env = "HINDSIGHT_PAGERDUTY_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// PagerDuty: the X-PagerDuty-Signature header as received.
    #[arg(long)]
    pub signature: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen.
    #[arg(
        long,
        env = "HINDSIGHT_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDRESS:PORT"
    )]
    pub listen: String,
    /// Mark cookies Secure: set this when hindsight is reached over HTTPS.
    #[arg(long, env = "HINDSIGHT_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A secret PagerDuty signs its webhooks with; repeat it (or separate with commas) during a
    /// rotation.
    #[arg(
        long = "pagerduty-secret",
        env = "HINDSIGHT_PAGERDUTY_SECRET",
        value_delimiter = ',',
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub pagerduty_secrets: Vec<String>,
    /// On an empty database, do not create the sample incident.
    #[arg(long)]
    pub no_sample: bool,
    /// Do not migrate the database on start (run `hindsight migrate` first).
    #[arg(long)]
    pub no_migrate: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its password is read from standard input with --password-stdin, or
    /// made up and printed once.
    Add {
        /// The sign-in name: a-z, 0-9, `.`, `_`, `-`.
        name: String,
        /// How the person is named on post-mortems ("Ana Lima").
        #[arg(long)]
        display_name: Option<String>,
        /// viewer, editor or admin.
        #[arg(long, default_value = "editor")]
        role: hindsight_core::AccountRole,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Change an account's role.
    Role {
        name: String,
        role: hindsight_core::AccountRole,
    },
    /// Set a new password (read from standard input with --password-stdin, or made up and
    /// printed once); signs the account out everywhere.
    Password {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
}
