//! The import review screen: the proposals chat imports made for an incident (key events with
//! their evidence, to-dos, participants), each with the message it came from, to accept or
//! reject one by one or all at once; those decided below; and the form that uploads a chat
//! export (a Slack `.zip`, a Mattermost bulk export, a plain CSV or JSON Lines log) with the
//! channel and window to read, defaulting as the CLI does.
//!
//! The upload is a multipart form whose CSRF token comes before the file: the file is written to
//! disk only once the token is checked, so a forged form cannot make the server store anything.

use super::layout::{csrf, flash, page};
use super::{DoneQuery, signed_in};
use crate::{
    ApiError, AppState, PageError,
    api::{
        blocking,
        intake::{
            ChatFormat, ChatImport, Upload, WindowQuery, chat_window, decide, propose_from_upload,
            too_large, upload_name,
        },
        parse_key, visible_record,
    },
    auth::{Caller, same_secret},
};
use axum::{
    Form,
    extract::{Multipart, Path, Query, State, multipart::MultipartError},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hindsight_core::{
    AccountRole, IncidentRecord, User,
    proposal::{Proposal, ProposalId, ProposalStatus, Suggestion},
};
use maud::{Markup, html};
use serde::Deserialize;

/// What the upload form holds, kept when an import is refused.
#[derive(Debug, Clone, Default)]
pub struct ImportFields {
    format: String,
    channel: String,
    from: String,
    to: String,
}

impl ImportFields {
    /// The CLI's defaults: the incident's war room, an hour before its first event to a day
    /// after its resolution, written in its timezone.
    fn defaults(app: &hindsight_app::Hindsight, record: &IncidentRecord) -> ImportFields {
        let tz = record.incident.timezone;
        let window = app
            .default_chat_window(record.incident.key)
            .unwrap_or_default();
        ImportFields {
            format: ChatFormat::Slack.as_str().to_owned(),
            channel: window.channel.unwrap_or_default(),
            from: window.from.map(|t| local(t, tz)).unwrap_or_default(),
            to: window.to.map(|t| local(t, tz)).unwrap_or_default(),
        }
    }
}

fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

fn shown_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %d %b %Y %H:%M:%S %Z")
        .to_string()
}

/// The notices of this page, by the code a redirect carries.
fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "accepted" => "Accepted: it is in the incident now.",
        "rejected" => "Rejected.",
        "accepted-all" => "Every pending proposal is accepted.",
        "rejected-all" => "Every pending proposal is rejected.",
        other => return super::notice(Some(other)),
    })
}

struct ReviewPage<'a> {
    proposals: &'a [Proposal],
    fields: &'a ImportFields,
    ok: Option<&'a str>,
    error: Option<&'a str>,
    /// What the last import said, beside the notice.
    report: Option<&'a ChatImport>,
    status: StatusCode,
}

fn review_view(
    caller: &Caller,
    user: &User,
    record: &IncidentRecord,
    view: ReviewPage<'_>,
) -> Response {
    let key = record.incident.key;
    let tz = record.incident.timezone;
    let base = format!("/incidents/{key}");
    let can_edit = user.role.can_edit();
    let (waiting, decided): (Vec<&Proposal>, Vec<&Proposal>) = view
        .proposals
        .iter()
        .partition(|p| p.status == ProposalStatus::Pending);
    let (kept, pending): (Vec<&Proposal>, Vec<&Proposal>) =
        waiting.into_iter().partition(|p| p.quiet);
    let body = html! {
        (flash(view.ok, view.error))
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href=(base) { (key) } " / proposals" }
        h1 { "Proposals for " (key) ": " (record.incident.title.as_str()) }
        p.muted { "Chat imports propose the key events (pinned or marked messages, and those saying what was deployed, rolled back, paged, mitigated, resolved…) with the links in them as evidence, every participant, and every to-do said as a draft action item. Accept what belongs in the post-mortem; an accepted event keeps the time of its message." }
        @if let Some(report) = view.report {
            section.card #import-report {
                h2 { "What the import read" }
                p { (report.messages) " message" @if report.messages != 1 { "s" } " in the channel and window; "
                    (count(report, "event")) " event" @if count(report, "event") != 1 { "s" } ", "
                    (count(report, "action")) " to-do" @if count(report, "action") != 1 { "s" } " and "
                    (count(report, "participant")) " participant" @if count(report, "participant") != 1 { "s" } " proposed"
                    @if report.report.already_proposed > 0 { " (" (report.report.already_proposed) " proposed before, not again)" } "." }
                @if let Some((messages, kept)) = report.report.learnt_from {
                    p.small.muted { "Besides the rules, it learnt from this team's reviewed incidents: " (messages) " messages, " (kept) " of them kept on a timeline." }
                }
                @if !report.warnings.is_empty() {
                    details { summary { (report.warnings.len()) " warning" @if report.warnings.len() != 1 { "s" } }
                        ul.small { @for w in &report.warnings { li { (w) } } } }
                }
            }
        }
        section.card #pending {
            div.section-head {
                h2 style="margin-top: 0" { "Waiting for a decision (" (pending.len()) ")" }
                @if can_edit && !pending.is_empty() {
                    div.actions-bar {
                        (decide_button(caller, &base, "all", "accept", "Accept all", false))
                        (decide_button(caller, &base, "all", "reject", "Reject all", true))
                    }
                }
            }
            @if pending.is_empty() { p.muted { "Nothing waits for a decision." @if can_edit { " Import a chat export below." } } } @else {
                (proposal_table(caller, &base, tz, &pending, can_edit))
            }
        }
        @if !kept.is_empty() {
            section.card #kept {
                details {
                    summary { "The rest of the channel: " (kept.len()) " message" @if kept.len() != 1 { "s" } " nothing proposed" }
                    p.small.muted { "Kept so that a key event the import missed can still be added, at the time of its message. Once every proposal above is decided, what you accept here and what you leave teach the next import this team's words" @if record.incident.private { " — though not from this incident, which is private" } "." }
                    @if kept.len() > KEPT_SHOWN { p.small.muted { "The first " (KEPT_SHOWN) " are shown; " code { "hindsight proposals list " (key) " --quiet" } " lists them all." } }
                    (proposal_table(caller, &base, tz, &kept[..kept.len().min(KEPT_SHOWN)], can_edit))
                }
            }
        }
        @if can_edit { (upload_form(caller, &base, record, view.fields)) }
        section.card #decided {
            h2 { "Decided (" (decided.len()) ")" }
            @if decided.is_empty() { p.muted { "Nothing decided yet." } } @else {
                (proposal_table(caller, &base, tz, &decided, false))
            }
        }
    };
    (
        view.status,
        page(&format!("Proposals for {key}"), caller, body),
    )
        .into_response()
}

fn count(report: &ChatImport, kind: &str) -> usize {
    report
        .report
        .proposed()
        .filter(|p| p.suggestion.kind() == kind)
        .count()
}

/// How many kept messages the review page shows: a long channel stays one page.
const KEPT_SHOWN: usize = 1000;

fn decide_button(
    caller: &Caller,
    base: &str,
    id: &str,
    decision: &str,
    label: &str,
    secondary: bool,
) -> Markup {
    html! {
        form.inline-form method="post" action={ (base) "/proposals/decide" } {
            (csrf(caller))
            input type="hidden" name="id" value=(id);
            input type="hidden" name="decision" value=(decision);
            button class=(if secondary { "secondary" } else { "" }) type="submit" { (label) }
        }
    }
}

fn proposal_table(
    caller: &Caller,
    base: &str,
    tz: Tz,
    proposals: &[&Proposal],
    can_decide: bool,
) -> Markup {
    html! {
        div.table-wrap { table.proposals {
            thead { tr { th { "#" } th { "Kind" } th { "Proposed" } th { "Why" } th { "From the message" } th { @if can_decide { "Decide" } @else { "Status" } } } }
            tbody { @for p in proposals { tr id={ "proposal-" (p.id) } {
                td { (p.id) }
                td { (p.suggestion.kind()) }
                td { (proposed(p, tz)) }
                td.small { (p.reason) }
                td.small {
                    @if let Suggestion::Event { event } = &p.suggestion { span.muted { (shown_time(event.at(), tz)) } br; }
                    @match &p.quote { Some(q) => { span style="white-space: pre-wrap" { (q) } } None => { span.muted { "—" } } }
                }
                td { @if can_decide {
                    (decide_button(caller, base, &p.id.to_string(), "accept", "Accept", false))
                    " "
                    (decide_button(caller, base, &p.id.to_string(), "reject", "Reject", true))
                } @else { (p.status.as_str()) } }
            } } }
        } }
    }
}

/// What a proposal would add, as the timeline or the action list would show it.
fn proposed(p: &Proposal, tz: Tz) -> Markup {
    html! {
        @match &p.suggestion {
            Suggestion::Event { event } => {
                strong { (event.kind().label()) } @if let Some(s) = event.severity() { " " span class={ "badge sev-" (s.level()) } { (s) } }
                @if event.is_key_point() { " " span.badge title="key point" { "★ key" } }
                br; span.small.muted { (shown_time(event.at(), tz)) }
                br; (event.text())
                @if let Some(a) = event.author() { br; span.small.muted { "— " (a) } }
                @if !event.evidence().is_empty() {
                    br; span.small { "Evidence: " @for (i, url) in event.evidence().iter().enumerate() {
                        @if i > 0 { ", " } a href=(url) rel="noopener noreferrer nofollow" { (url.host_str().unwrap_or("link")) }
                    } }
                }
            }
            Suggestion::Action { item } => {
                strong { "Action: " } (item.title.as_str())
                @if !item.description.is_empty() { br; span.small.muted style="white-space: pre-wrap" { (item.description) } }
            }
            Suggestion::Participant { person } => { strong { "Participant: " } (person.to_string()) }
        }
    }
}

fn upload_form(
    caller: &Caller,
    base: &str,
    record: &IncidentRecord,
    fields: &ImportFields,
) -> Markup {
    html! {
        section.card #import {
            h2 { "Import a chat export" }
            // The CSRF token comes first: the server checks it before it writes the file.
            form method="post" action={ (base) "/proposals/import" } enctype="multipart/form-data" {
                (csrf(caller))
                div.row {
                    div.field { label for="format" { "Format" } select #format name="format" {
                        @for f in ChatFormat::ALL { option value=(f.as_str()) selected[fields.format == f.as_str()] { (f.label()) } }
                    } }
                    div.field { label for="channel" { "Channel" span.hint { " name or id; the war room by default" } } input #channel name="channel" value=(fields.channel) placeholder="incident-2041"; }
                }
                div.row {
                    div.field { label for="from" { "From" span.hint { " local time in " (record.incident.timezone.name()) "; empty for the start of the export" } } input #from name="from" value=(fields.from) placeholder="2026-10-24 21:00"; }
                    div.field { label for="to" { "To" span.hint { " empty for the end of the export" } } input #to name="to" value=(fields.to) placeholder="2026-10-25 23:00"; }
                }
                div.field { label for="file" { "Export file" span.hint { " at most 200 MiB; larger exports import from the command line" } } input #file type="file" name="file" required accept=".zip,.jsonl,.ndjson,.csv,.json"; }
                p.small.muted { "Messages that made a proposal before make none again, so importing the same export twice proposes nothing twice. A malformed file proposes nothing and says which file and line." }
                button type="submit" { "Read the export" }
            }
        }
    }
}

/// The incident, its proposals, and the upload form's defaults, read on a blocking thread.
async fn load(
    state: &AppState,
    user: &User,
    key: &str,
) -> Result<(IncidentRecord, Vec<Proposal>, ImportFields), PageError> {
    let key = parse_key(key).map_err(PageError::from)?;
    let (app, user) = (state.app.clone(), user.clone());
    blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let proposals = app.proposals(key)?;
        let defaults = ImportFields::defaults(&app, &record);
        Ok::<_, PageError>((record, proposals, defaults))
    })
    .await
}

pub async fn review_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/proposals")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    let (record, proposals, fields) = load(&state, &user, &key).await?;
    Ok(review_view(
        &caller,
        &user,
        &record,
        ReviewPage {
            proposals: &proposals,
            fields: &fields,
            ok: notice(query.done.as_deref()),
            error: None,
            report: None,
            status: StatusCode::OK,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    /// A proposal id, or `all` for every pending one.
    #[serde(default)]
    id: String,
    /// `accept` or `reject`.
    #[serde(default)]
    decision: String,
}

pub async fn decide_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<DecideForm>,
) -> Result<Response, PageError> {
    let user = caller
        .page_require_form(AccountRole::Editor, &form.csrf)?
        .clone();
    let accept = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        other => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                format!("decision: `{other}` is neither accept nor reject"),
            ));
        }
    };
    let (record, _, _) = load(&state, &user, &key).await?;
    let incident_key = record.incident.key;
    let (ids, all) = match form.id.trim() {
        "all" => (Vec::new(), Some(accept)),
        id => (
            vec![ProposalId(id.parse().map_err(|_| {
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    format!("id: `{id}` is not a proposal number"),
                )
            })?)],
            None,
        ),
    };
    let app = state.app.acting_as(user.display_name.as_str());
    let result = blocking(move || {
        Ok::<_, ApiError>(if accept {
            decide(&app, incident_key, &ids, &[], all)
        } else {
            decide(&app, incident_key, &[], &ids, all)
        })
    })
    .await?;
    let code = match (accept, all.is_some()) {
        (true, false) => "accepted",
        (false, false) => "rejected",
        (true, true) => "accepted-all",
        (false, true) => "rejected-all",
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/incidents/{incident_key}/proposals?done={code}"))
                .into_response(),
        ),
        // Someone decided it first, or it is gone: say so on the page as it now stands.
        Err(e)
            if matches!(
                e.status,
                StatusCode::CONFLICT | StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ) =>
        {
            let (record, proposals, fields) = load(&state, &user, &key).await?;
            Ok(review_view(
                &caller,
                &user,
                &record,
                ReviewPage {
                    proposals: &proposals,
                    fields: &fields,
                    ok: None,
                    error: Some(&e.body.message),
                    report: None,
                    status: e.status,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

fn multipart_refusal(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::bad_request(
            "file",
            format!("the upload could not be read: {}", error.body_text()),
        )
    }
}

/// Reads the upload form: the fields, and the file written to disk once the CSRF token before
/// it is checked.
async fn receive_form(
    caller: &Caller,
    mut multipart: Multipart,
) -> Result<(ImportFields, Option<Upload>), Result<ApiError, PageError>> {
    let mut fields = ImportFields::default();
    let mut csrf_checked = false;
    let mut upload = None;
    let forged = || {
        PageError::new(
            StatusCode::FORBIDDEN,
            "this form is out of date or did not come from hindsight: reload the page and try again",
        )
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| Ok(multipart_refusal(e)))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            if !csrf_checked {
                return Err(Err(forged()));
            }
            let format = ChatFormat::parse(&fields.format).unwrap_or(ChatFormat::Slack);
            let given = field.file_name().map(str::to_owned);
            let fallback = match format {
                ChatFormat::Slack => "slack-export.zip",
                ChatFormat::Mattermost => "mattermost-export.jsonl",
                ChatFormat::Plain => "chat.csv",
            };
            let (mut received, mut file) = Upload::create(upload_name(given.as_deref(), fallback))
                .await
                .map_err(Ok)?;
            while let Some(chunk) = field.chunk().await.map_err(|e| Ok(multipart_refusal(e)))? {
                received.write(&mut file, &chunk).await.map_err(Ok)?;
            }
            received.finish(&mut file).await.map_err(Ok)?;
            if received.bytes > 0 {
                upload = Some(received);
            }
            continue;
        }
        let value = field.text().await.map_err(|e| Ok(multipart_refusal(e)))?;
        match name.as_str() {
            "csrf" => {
                if value.is_empty() || !same_secret(&value, caller.csrf_token()) {
                    return Err(Err(forged()));
                }
                csrf_checked = true;
            }
            "format" => fields.format = value,
            "channel" => fields.channel = value,
            "from" => fields.from = value,
            "to" => fields.to = value,
            _ => {}
        }
    }
    if !csrf_checked {
        return Err(Err(forged()));
    }
    Ok((fields, upload))
}

/// Reads an uploaded export into proposals and shows them with what the import read.
pub async fn import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // Only an editor's upload is read at all; the CSRF token is checked before the file.
    let user = caller.page_require(AccountRole::Editor)?.clone();
    let (record, _, defaults) = load(&state, &user, &key).await?;
    let incident_key = record.incident.key;
    let (fields, upload) = match receive_form(&caller, multipart).await {
        Ok(received) => received,
        Err(Err(page_error)) => return Err(page_error),
        Err(Ok(api_error)) => {
            return refused(&state, &caller, &user, &key, &defaults, api_error).await;
        }
    };
    let prepared = (|| {
        let format = ChatFormat::parse(&fields.format)?;
        let upload = upload.ok_or_else(|| {
            ApiError::bad_request(
                "file",
                "choose the export file to read (it was empty or missing)",
            )
        })?;
        Ok::<_, ApiError>((format, upload))
    })();
    let (format, upload) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => return refused(&state, &caller, &user, &key, &fields, e).await,
    };
    let query = WindowQuery {
        channel: Some(fields.channel.clone()),
        from: Some(fields.from.clone()),
        to: Some(fields.to.clone()),
        name: None,
    };
    let app = state.app.acting_as(user.display_name.as_str());
    let result =
        blocking(move || {
            Ok::<_, ApiError>(chat_window(&app, incident_key, &query).and_then(|window| {
                propose_from_upload(&app, incident_key, format, &upload, &window)
            }))
        })
        .await?;
    match result {
        Ok(imported) => {
            let (record, proposals, _) = load(&state, &user, &key).await?;
            let ok = if !imported.report.added.is_empty()
                && imported.report.proposed().next().is_none()
            {
                "Nothing in this export was proposed: its messages are kept below, under “The rest of the channel”."
            } else if imported.report.added.is_empty() {
                "Every proposal of this export was made before: nothing new is proposed."
            } else {
                "The export is read: its proposals wait for a decision below."
            };
            Ok(review_view(
                &caller,
                &user,
                &record,
                ReviewPage {
                    proposals: &proposals,
                    fields: &fields,
                    ok: Some(ok),
                    error: None,
                    report: Some(&imported),
                    status: StatusCode::OK,
                },
            ))
        }
        Err(e) => refused(&state, &caller, &user, &key, &fields, e).await,
    }
}

/// An import refused: the page again with the reason, the form as it was sent.
async fn refused(
    state: &AppState,
    caller: &Caller,
    user: &User,
    key: &str,
    fields: &ImportFields,
    error: ApiError,
) -> Result<Response, PageError> {
    if error.status.is_server_error() {
        return Err(error.into());
    }
    let (record, proposals, _) = load(state, user, key).await?;
    Ok(review_view(
        caller,
        user,
        &record,
        ReviewPage {
            proposals: &proposals,
            fields,
            ok: None,
            error: Some(&error.body.message),
            report: None,
            status: error.status,
        },
    ))
}
