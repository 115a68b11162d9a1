//! `/api/v1/incidents/{key}/proposals` and `/import/{format}`: chat exports read into proposals
//! for the scribe, and the scribe's decisions. The import review page uses the same functions.
//!
//! An upload is streamed to a temporary file, never held whole in memory, and read there by the
//! same reader the CLI uses, on a blocking thread. The file is written under the name the person
//! gave it, inside a fresh temporary folder, so that a reader's error names the file as they know
//! it (`export.zip/ops/2016-03-28.json, line 3`) and not a path of the server.

use super::json::ApiJson;
use super::{app_for, blocking, parse_key, reader, visible_record, writer};
use crate::{ApiError, AppState, auth::Caller, error::ErrorBody};
use axum::{
    Json,
    body::Body,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
};
use chrono::{DateTime, Utc};
use hindsight_app::{Hindsight, ProposalReport};
use hindsight_core::{
    IncidentKey,
    proposal::{Proposal, ProposalId, ProposalStatus, Suggestion},
};
use hindsight_import::{
    chat::{ChatMessage, ChatWindow},
    extract::ExtractionRules,
    local_time::parse_instant,
};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, ToSchema};

/// The largest chat export the server reads (200 MiB): a busy incident channel's export is a
/// few megabytes; a whole workspace's is better imported from the command line.
pub const MAX_UPLOAD: u64 = 200 * 1024 * 1024;

/// The chat formats an export is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFormat {
    /// A Slack workspace export, as its `.zip`.
    Slack,
    /// A Mattermost bulk export (JSON Lines).
    Mattermost,
    /// A plain CSV or JSON Lines of time, author, text.
    Plain,
}

impl ChatFormat {
    pub const ALL: [ChatFormat; 3] = [ChatFormat::Slack, ChatFormat::Mattermost, ChatFormat::Plain];

    /// The name in URLs and forms: `slack`, `mattermost`, `chat`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatFormat::Slack => "slack",
            ChatFormat::Mattermost => "mattermost",
            ChatFormat::Plain => "chat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChatFormat::Slack => "Slack workspace export (.zip)",
            ChatFormat::Mattermost => "Mattermost bulk export (.jsonl)",
            ChatFormat::Plain => "Plain chat log (.csv or .jsonl of time, author, text)",
        }
    }

    pub fn parse(name: &str) -> Result<ChatFormat, ApiError> {
        ChatFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == name.trim())
            .ok_or_else(|| {
                ApiError::bad_request(
                    "format",
                    format!("unknown chat format `{name}`: expected slack, mattermost or chat"),
                )
            })
    }

    /// The file name an upload gets when its sender gave none.
    fn default_name(self, content_type: Option<&str>) -> &'static str {
        match self {
            ChatFormat::Slack => "slack-export.zip",
            ChatFormat::Mattermost => "mattermost-export.jsonl",
            ChatFormat::Plain => match content_type {
                Some(t) if t.contains("json") => "chat.jsonl",
                _ => "chat.csv",
            },
        }
    }
}

/// A file name safe to create inside a temporary folder: the last component of what the sender
/// called it, with only letters, digits, `.`, `-` and `_`; `fallback` when nothing is left.
pub fn upload_name(given: Option<&str>, fallback: &str) -> String {
    let base = given.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '_') {
        fallback.to_owned()
    } else {
        cleaned
    }
}

/// An upload on disk, removed with its folder when dropped.
#[derive(Debug)]
pub struct Upload {
    dir: tempfile::TempDir,
    pub path: PathBuf,
    /// The name people know it by.
    pub name: String,
    pub bytes: u64,
}

impl Upload {
    /// A new empty upload named `name`, and the file to write it to.
    pub async fn create(name: String) -> Result<(Upload, tokio::fs::File), ApiError> {
        let dir = tempfile::tempdir().map_err(|e| {
            tracing::error!(error = %e, "cannot make a temporary folder for an upload: {e}");
            ApiError::internal()
        })?;
        let path = dir.path().join(&name);
        let file = tokio::fs::File::create(&path).await.map_err(|e| {
            tracing::error!(error = %e, "cannot create {}: {e}", path.display());
            ApiError::internal()
        })?;
        Ok((
            Upload {
                dir,
                path,
                name,
                bytes: 0,
            },
            file,
        ))
    }

    /// Appends `chunk`, refusing an upload past [`MAX_UPLOAD`].
    pub async fn write(
        &mut self,
        file: &mut tokio::fs::File,
        chunk: &[u8],
    ) -> Result<(), ApiError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > MAX_UPLOAD {
            return Err(too_large());
        }
        file.write_all(chunk).await.map_err(|e| {
            tracing::error!(error = %e, "cannot write an upload: {e}");
            ApiError::internal()
        })
    }

    /// Waits until every byte is on disk.
    pub async fn finish(&self, file: &mut tokio::fs::File) -> Result<(), ApiError> {
        file.flush().await.map_err(|e| {
            tracing::error!(error = %e, "cannot write an upload: {e}");
            ApiError::internal()
        })
    }

    /// An error of a reader in the words of the person who sent the file: the temporary folder
    /// is left out of every path.
    fn in_their_words(&self, message: &str) -> String {
        let folder = format!("{}{}", self.dir.path().display(), std::path::MAIN_SEPARATOR);
        message.replace(&folder, "")
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the export is larger than {} MiB: import it with `hindsight import` on the command line",
            MAX_UPLOAD / 1024 / 1024
        ),
    )
}

/// Streams a request body into an upload named `name`.
pub async fn receive_body(body: Body, name: String) -> Result<Upload, ApiError> {
    let (mut upload, mut file) = Upload::create(name).await?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::bad_request("body", format!("the upload stopped before its end: {e}"))
        })?;
        if let Ok(data) = frame.into_data() {
            upload.write(&mut file, &data).await?;
        }
    }
    upload.finish(&mut file).await?;
    if upload.bytes == 0 {
        return Err(ApiError::bad_request("body", "the export is empty"));
    }
    Ok(upload)
}

/// The channel and time window to read, as written by a person: `None` keeps the incident's
/// default (its war room, an hour before its first event to a day after its resolution); an
/// empty `from` or `to` leaves that end open.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowQuery {
    /// The channel, by name or id; the incident's war-room channel when absent.
    pub channel: Option<String>,
    /// The start: RFC 3339, or a local `YYYY-MM-DD HH:MM` in the incident's timezone; empty for
    /// no start. An hour before the first event when absent.
    pub from: Option<String>,
    /// The end, written like `from`; empty for no end. A day after the resolution when absent.
    pub to: Option<String>,
    /// The export's file name, which names the channel of a plain chat log without a channel
    /// column and tells CSV (`.csv`) from JSON Lines (`.jsonl`).
    pub name: Option<String>,
}

/// The window of `query` over the incident's default.
pub fn chat_window(
    app: &Hindsight,
    key: IncidentKey,
    query: &WindowQuery,
) -> Result<ChatWindow, ApiError> {
    let mut window = app.default_chat_window(key)?;
    let timezone = app.incident(key)?.timezone;
    if let Some(channel) = &query.channel {
        let channel = channel.trim().trim_start_matches('#');
        window.channel = (!channel.is_empty()).then(|| channel.to_owned());
    }
    let instant = |field: &str, text: &str| match text.trim() {
        "" => Ok(None),
        text => parse_instant(text, timezone)
            .map(Some)
            .map_err(|e| ApiError::bad_request(field, e)),
    };
    if let Some(from) = &query.from {
        window.from = instant("from", from)?;
    }
    if let Some(to) = &query.to {
        window.to = instant("to", to)?;
    }
    if let (Some(from), Some(to)) = (window.from, window.to)
        && to < from
    {
        return Err(ApiError::bad_request(
            "to",
            "the end of the window is before its start",
        ));
    }
    if window.channel.is_none() {
        return Err(ApiError::bad_request(
            "channel",
            "which channel? name the channel to read, or the incident's war room in its communication first",
        ));
    }
    Ok(window)
}

/// What reading an export proposed.
#[derive(Debug, Clone)]
pub struct ChatImport {
    /// Messages of the export in the window.
    pub messages: usize,
    pub report: ProposalReport,
    /// What the reader skipped or found odd, each with where.
    pub warnings: Vec<String>,
}

/// Reads `upload` as `format` and proposes from the messages in `window`, as the CLI does. It
/// blocks: call it on a blocking thread.
pub fn propose_from_upload(
    app: &Hindsight,
    key: IncidentKey,
    format: ChatFormat,
    upload: &Upload,
    window: &ChatWindow,
) -> Result<ChatImport, ApiError> {
    let timezone = app.incident(key)?.timezone;
    let mut messages: Vec<ChatMessage> = Vec::new();
    let mut keep = |message: ChatMessage| messages.push(message);
    let mut progress = |_: u64| {};
    let refused = |message: String| {
        let mut error = ApiError::new(StatusCode::BAD_REQUEST, message);
        error.body.field = Some("file".to_owned());
        error
    };
    let open = || {
        std::fs::File::open(&upload.path)
            .map(std::io::BufReader::new)
            .map_err(|e| {
                tracing::error!(error = %e, "cannot reopen an upload: {e}");
                ApiError::internal()
            })
    };
    let summary = match format {
        ChatFormat::Slack => {
            hindsight_import::slack::read(&upload.path, window, &mut progress, &mut keep)
        }
        ChatFormat::Mattermost => hindsight_import::mattermost::read(
            open()?,
            &upload.name,
            window,
            &mut progress,
            &mut keep,
        ),
        ChatFormat::Plain => {
            if hindsight_import::plain_chat::PlainFormat::of_file(&upload.name).is_none() {
                return Err(refused(format!(
                    "{}: a plain chat log is a .csv or a .jsonl file; its name says which",
                    upload.name
                )));
            }
            hindsight_import::plain_chat::read(
                open()?,
                &upload.name,
                timezone,
                window,
                &mut progress,
                &mut keep,
            )
        }
    }
    .map_err(|e| refused(upload.in_their_words(&e.to_string())))?;
    if messages.is_empty() {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "no message of {} is in channel {} between {} and {}: check the channel and the window (channels: {})",
                upload.name,
                window.channel.as_deref().unwrap_or("any"),
                window
                    .from
                    .map_or("the start".to_owned(), |t| t.to_rfc3339()),
                window.to.map_or("the end".to_owned(), |t| t.to_rfc3339()),
                if summary.channels.is_empty() {
                    "none".to_owned()
                } else {
                    summary.channels.join(", ")
                }
            ),
        );
        error.body.field = Some("channel".to_owned());
        return Err(error);
    }
    messages.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let report = app.propose_from_chat(
        key,
        &messages,
        &summary.users,
        &ExtractionRules::default(),
        &upload.name,
    )?;
    Ok(ChatImport {
        messages: messages.len(),
        report,
        warnings: summary
            .warnings
            .iter()
            .map(|w| upload.in_their_words(w))
            .collect(),
    })
}

/// Accepts and rejects proposals: every named id is checked (it exists and is pending, and is
/// not both accepted and rejected) before any is decided, so a wrong id decides nothing. The
/// named ones are decided first, then every other pending one when `all` says how.
pub fn decide(
    app: &Hindsight,
    key: IncidentKey,
    accept: &[ProposalId],
    reject: &[ProposalId],
    all: Option<bool>,
) -> Result<(Vec<Proposal>, Vec<Proposal>), ApiError> {
    if accept.is_empty() && reject.is_empty() && all.is_none() {
        return Err(ApiError::bad_request(
            "accept",
            "name the proposals to accept or reject, or set accept_all or reject_all",
        ));
    }
    if let Some(id) = accept.iter().find(|id| reject.contains(id)) {
        return Err(ApiError::bad_request(
            "reject",
            format!("proposal {id} cannot be both accepted and rejected"),
        ));
    }
    let known = app.proposals(key)?;
    for id in accept.iter().chain(reject) {
        let proposal = known
            .iter()
            .find(|p| p.id == *id)
            .ok_or_else(|| ApiError::not_found(format!("{key} has no proposal {id}")))?;
        if proposal.status != ProposalStatus::Pending {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("proposal {id} of {key} was already {}", proposal.status),
            ));
        }
    }
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    if !reject.is_empty() {
        rejected.extend(app.decide_proposals(key, reject, false)?);
    }
    if !accept.is_empty() {
        accepted.extend(app.decide_proposals(key, accept, true)?);
    }
    match all {
        Some(true) => accepted.extend(app.decide_proposals(key, &[], true)?),
        Some(false) => rejected.extend(app.decide_proposals(key, &[], false)?),
        None => {}
    }
    Ok((accepted, rejected))
}

/// A person a proposal names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposedPersonJson {
    pub name: String,
    pub job_title: Option<String>,
}

/// The timeline event a proposal would add.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposedEventJson {
    /// When it happened: the time of the message, kept when the event is accepted.
    pub at: DateTime<Utc>,
    pub kind: String,
    pub text: String,
    pub author: Option<String>,
    pub severity: Option<String>,
    pub evidence: Vec<String>,
    pub key_point: bool,
}

/// The action item a proposal would file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposedActionJson {
    pub title: String,
    pub description: String,
    pub owner: Option<String>,
}

/// What an importer suggested, and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalJson {
    pub id: i64,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    /// `event`, `action` or `participant`.
    pub kind: String,
    /// Why it was proposed: "pinned in the channel", "says “rolled back”".
    pub reason: String,
    /// The message it came from, as written.
    pub quote: Option<String>,
    /// The message's id in its chat (or `participant:<name>`): the same export proposes nothing
    /// twice.
    pub source_id: String,
    /// When the message was written, for an event.
    pub at: Option<DateTime<Utc>>,
    pub event: Option<ProposedEventJson>,
    pub action: Option<ProposedActionJson>,
    pub participant: Option<ProposedPersonJson>,
    pub created_at: DateTime<Utc>,
    /// A message nothing proposed, kept so that it can still be accepted; listed only with
    /// `?quiet=true`, and left alone when deciding "all".
    pub quiet: bool,
}

impl From<&Proposal> for ProposalJson {
    fn from(p: &Proposal) -> Self {
        let (event, action, participant) = match &p.suggestion {
            Suggestion::Event { event } => (
                Some(ProposedEventJson {
                    at: event.at(),
                    kind: event.kind().as_str().to_owned(),
                    text: event.text().to_owned(),
                    author: event.author().map(str::to_owned),
                    severity: event.severity().map(|s| s.to_string()),
                    evidence: event.evidence().iter().map(|u| u.to_string()).collect(),
                    key_point: event.is_key_point(),
                }),
                None,
                None,
            ),
            Suggestion::Action { item } => (
                None,
                Some(ProposedActionJson {
                    title: item.title.as_str().to_owned(),
                    description: item.description.clone(),
                    owner: item.owner.as_ref().map(|o| o.as_str().to_owned()),
                }),
                None,
            ),
            Suggestion::Participant { person } => (
                None,
                None,
                Some(ProposedPersonJson {
                    name: person.name.as_str().to_owned(),
                    job_title: person.job_title.clone(),
                }),
            ),
        };
        ProposalJson {
            id: p.id.0,
            status: p.status.as_str().to_owned(),
            kind: p.suggestion.kind().to_owned(),
            reason: p.reason.clone(),
            quote: p.quote.clone(),
            source_id: p.source_id.clone(),
            at: event.as_ref().map(|e| e.at),
            event,
            action,
            participant,
            created_at: p.created_at,
            quiet: p.quiet,
        }
    }
}

/// Which proposals to accept and reject.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideJson {
    /// Proposal ids to accept.
    #[serde(default)]
    pub accept: Vec<i64>,
    /// Proposal ids to reject.
    #[serde(default)]
    pub reject: Vec<i64>,
    /// Accept every pending proposal not named in `reject`, quiet ones aside.
    #[serde(default)]
    pub accept_all: bool,
    /// Reject every pending proposal not named in `accept`, quiet ones aside.
    #[serde(default)]
    pub reject_all: bool,
}

/// What was decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecidedJson {
    pub accepted: Vec<ProposalJson>,
    pub rejected: Vec<ProposalJson>,
}

/// What an import proposed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJson {
    /// Messages of the export in the channel and window.
    pub messages: usize,
    /// The proposals made now, pending.
    pub proposed: Vec<ProposalJson>,
    /// Proposals the same messages had made before, not made again.
    pub already_proposed: usize,
    /// The other messages, kept as quiet proposals (listed with `?quiet=true`).
    pub kept: usize,
    /// What the team's reviewed incidents taught this import, when there were enough of them.
    pub learnt_from: Option<LearntJson>,
    pub warnings: Vec<String>,
}

/// The team's reviews an import learnt from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LearntJson {
    /// Messages of reviewed incidents.
    pub messages: u32,
    /// How many of them were kept on a timeline.
    pub kept: u32,
}

/// Which proposals to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalsQuery {
    /// Also the quiet ones: messages nothing proposed, kept so that one can still be accepted.
    #[serde(default)]
    pub quiet: bool,
}

fn ids(list: &[i64]) -> Vec<ProposalId> {
    list.iter().map(|id| ProposalId(*id)).collect()
}

/// Every proposal of the incident, in the order they were made; the quiet ones (messages kept,
/// not proposed) only with `?quiet=true`.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/proposals", tag = "intake",
    params(("key" = String, Path), ProposalsQuery),
    responses((status = 200, body = Vec<ProposalJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_proposals(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    query: Result<Query<ProposalsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ProposalJson>>, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let Query(query) = query.map_err(|e| {
        ApiError::bad_request(
            "quiet",
            format!("{}: expected ?quiet=true or false", e.body_text()),
        )
    })?;
    let app = state.app.clone();
    let proposals = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.proposals(key)?)
    })
    .await?;
    Ok(Json(
        proposals
            .iter()
            .filter(|p| query.quiet || !p.quiet)
            .map(ProposalJson::from)
            .collect(),
    ))
}

/// Accepts and rejects proposals. Accepting adds what each suggests (a timeline event at the
/// time of its message, an action item, a participant). Every named id is checked before any
/// is decided.
#[utoipa::path(post, path = "/api/v1/incidents/{key}/proposals/decide", tag = "intake", request_body = DecideJson,
    params(("key" = String, Path)),
    responses((status = 200, body = DecidedJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "no such incident or proposal", body = ErrorBody),
        (status = 409, description = "a named proposal was already decided; nothing was decided", body = ErrorBody)))]
pub async fn decide_proposals(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<DecideJson>,
) -> Result<Json<DecidedJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let all = match (body.accept_all, body.reject_all) {
        (true, true) => {
            return Err(ApiError::bad_request(
                "reject_all",
                "accept_all and reject_all cannot both be set",
            ));
        }
        (true, false) => Some(true),
        (false, true) => Some(false),
        (false, false) => None,
    };
    let app = app_for(&state, &user);
    let (accepted, rejected) = blocking(move || {
        visible_record(&app, &user, key)?;
        decide(&app, key, &ids(&body.accept), &ids(&body.reject), all)
    })
    .await?;
    Ok(Json(DecidedJson {
        accepted: accepted.iter().map(ProposalJson::from).collect(),
        rejected: rejected.iter().map(ProposalJson::from).collect(),
    }))
}

/// Reads a chat export sent as the request body (a Slack `.zip`, a Mattermost bulk export, or a
/// plain CSV / JSON Lines chat log) and proposes its key events, evidence, participants and
/// to-dos for the scribe. Messages that made a proposal before make none again. A malformed file
/// proposes nothing and names the file, line and reason.
#[utoipa::path(post, path = "/api/v1/incidents/{key}/import/{format}", tag = "intake",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "the export's bytes, at most 200 MiB"),
    params(("key" = String, Path), ("format" = String, Path, description = "slack, mattermost or chat"), WindowQuery),
    responses((status = 200, body = ImportJson), (status = 400, description = "the file or a parameter could not be read", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, description = "no message of the export is in the channel and window", body = ErrorBody)))]
pub async fn import_chat(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, format)): Path<(String, String)>,
    Query(query): Query<WindowQuery>,
    body: Body,
) -> Result<Json<ImportJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let format = ChatFormat::parse(&format)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let name = upload_name(query.name.as_deref(), format.default_name(content_type));
    // The incident and the window are checked before a byte of the export is read.
    let app = app_for(&state, &user);
    let window = {
        let (app, query) = (app.clone(), query.clone());
        blocking(move || {
            visible_record(&app, &user, key)?;
            chat_window(&app, key, &query)
        })
        .await?
    };
    let upload = receive_body(body, name).await?;
    let imported =
        blocking(move || propose_from_upload(&app, key, format, &upload, &window)).await?;
    Ok(Json(ImportJson {
        messages: imported.messages,
        proposed: imported.report.proposed().map(ProposalJson::from).collect(),
        already_proposed: imported.report.already_proposed,
        kept: imported.report.kept(),
        learnt_from: imported
            .report
            .learnt_from
            .map(|(messages, kept)| LearntJson { messages, kept }),
        warnings: imported.warnings,
    }))
}
