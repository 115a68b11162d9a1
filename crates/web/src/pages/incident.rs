//! An incident's post-mortem page and the forms that edit it: the incident's fields, sections
//! (Markdown with a preview), timeline events with evidence, action items, the lifecycle and the
//! checklists; and the revision history with diffs.

use super::layout::{csrf, flash, markdown, page};
use super::{CsrfOnly, DoneQuery, notice, see_other, signed_in, visible};
use crate::{
    ApiError, AppState, PageError,
    api::{
        app_for, blocking,
        incidents::{
            apply_action_fields, apply_incident_change, keep_in_sight, new_event, new_incident,
            open_incident,
        },
        model::{ActionFieldsJson, IncidentChangeJson, NewEventJson, NewIncidentJson},
        parse_key,
    },
    auth::Caller,
};
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use hindsight_app::AppError;
use hindsight_core::{
    AccountRole, ActionId, ActionKind, ActionStatus, EventId, EventKind, EventSource,
    IncidentRecord, Level as Importance, NewActionItem, PostmortemStatus, Priority, SectionContent,
    Severity, User,
    figures::{Figures, human_duration},
    lifecycle,
    readiness::{Level, ReadinessFinding},
};
use hindsight_render::markdown::section_body;
use maud::{Markup, html};
use serde::Deserialize;

/// Reads a record for a page; a private incident the user is not part of is "not found".
async fn load(
    state: &AppState,
    user: &User,
    key: &str,
) -> Result<(IncidentRecord, Figures, Vec<ReadinessFinding>), PageError> {
    let key = parse_key(key).map_err(PageError::from)?;
    let app = state.app.clone();
    let user = user.clone();
    blocking(move || {
        // One read of the record: the check's own decides whether the user may see it.
        let checked = app.check(key)?;
        if !crate::auth::can_see(&user, &checked.0) {
            return Err(ApiError::not_found(format!("no incident {key}")).into());
        }
        Ok::<_, PageError>(checked)
    })
    .await
}

fn time(record: &IncidentRecord, at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&record.incident.timezone)
        .format("%a %d %b %Y %H:%M %Z")
        .to_string()
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    let (record, figures, findings) = load(&state, &user, &key).await?;
    Ok(incident_view(
        &state,
        &caller,
        &user,
        &record,
        &figures,
        &findings,
        notice(query.done.as_deref()),
        None,
        StatusCode::OK,
    ))
}

#[allow(clippy::too_many_arguments)]
fn incident_view(
    state: &AppState,
    caller: &Caller,
    user: &User,
    record: &IncidentRecord,
    figures: &Figures,
    findings: &[ReadinessFinding],
    ok: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let incident = &record.incident;
    let key = incident.key;
    let base = format!("/incidents/{key}");
    let pm = &record.postmortem;
    let can_edit = user.role.can_edit();
    let template = state
        .app
        .template(&pm.template)
        .or_else(|_| state.app.template(hindsight_core::Template::DEFAULT));
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let body = html! {
        (flash(ok, error))
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " (key) }
        h1 { (key) ": " (incident.title.as_str()) }
        div.actions-bar {
            span class={ "badge sev-" (figures.peak_severity.level()) } title="peak severity" { (figures.peak_severity) }
            @if figures.current_severity != figures.peak_severity { span class={ "badge sev-" (figures.current_severity.level()) } title="current severity" { "now " (figures.current_severity) } }
            span class={ "badge st-" (record.status()) } { (record.status()) }
            span class={ "badge pm-" (pm.status.as_str()) } { "post-mortem " (pm.status.as_str().replace('_', " ")) }
            @if incident.private { span.badge.muted { "private" } }
            span.small.muted { "Owner: " (pm.owner.as_ref().map(|o| o.as_str()).unwrap_or("not designated")) }
            @if !incident.services.is_empty() { span.small.muted { "Services: " (incident.services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) } }
            span.small.muted { "Timezone: " (incident.timezone.name()) }
            @if can_edit { a.small href={ (base) "/edit" } { "Edit the incident" } }
        }
        (lifecycle_bar(caller, record, errors, can_edit))
        div.grid {
            div {
                section.card {
                    h2 { "Timeline" }
                    div.timeline-picture { (maud::PreEscaped(hindsight_render::svg::timeline_svg(record, figures))) }
                    (events_table(record, can_edit))
                    @if can_edit { (event_form(caller, &base, None)) (csv_form(caller, &base)) }
                }
                section.card #document {
                    h2 { "Post-mortem" span.small.muted { " — " (template.as_ref().map(|t| t.title.as_str()).unwrap_or("")) } }
                    @if let Ok(template) = &template {
                        @for section in &template.sections {
                            div.section id={ "section-" (section.id) } {
                                div.section-head {
                                    @match section.level { 3 => { h3 { (section.title) } } 4 => { h4 { (section.title) } } _ => { h3 { (section.title) } } }
                                    @if let (true, Some(part)) = (can_edit, super::document::part_for(section.content)) {
                                        span {
                                            a href={ (base) "/document/" (part.slug()) } { "Edit " (part.title().to_lowercase()) }
                                            " · " a href={ (base) "/sections/" (section.id) } { @if pm.section(&section.id).is_some() { "Notes" } @else { "Add notes" } }
                                        }
                                    } @else if can_edit && (section.content == SectionContent::Narrative || pm.section(&section.id).is_some()) {
                                        a href={ (base) "/sections/" (section.id) } { "Edit" }
                                    } @else if can_edit {
                                        a href={ (base) "/sections/" (section.id) } { "Add notes" }
                                    }
                                }
                                div.prose { (markdown(&section_body(section, record, figures))) }
                            }
                        }
                    }
                }
                section.card #actions {
                    h2 { "Action items" }
                    (actions_table(record, figures, can_edit))
                    @if can_edit { (action_form(caller, &base)) }
                }
            }
            aside {
                section.card {
                    h2 { "Figures" }
                    (figures_list(record, figures))
                }
                section.card #readiness {
                    h2 { "Readiness" }
                    @if findings.is_empty() { p.muted { "Nothing is missing: ready for review." } } @else {
                        p.small.muted { (errors) " error" @if errors != 1 { "s" } " (block review and publication), " (findings.len() - errors) " warning" @if findings.len() - errors != 1 { "s" } "." }
                        ul.findings { @for f in findings { li {
                            span class={ @if f.level == Level::Error { "lvl-error" } @else { "lvl-warning" } } { @if f.level == Level::Error { "Error" } @else { "Warning" } }
                            " " span.small.muted { (f.location) } br;
                            (f.message) " " span.rule { "[" (f.rule) "]" }
                        } } }
                    }
                }
                @if !pm.checklists.is_empty() {
                    section.card {
                        h2 { "Checklists" }
                        ul.checklist { @for (i, item) in pm.checklists.iter().enumerate() { li {
                            @if can_edit {
                                form.inline-form method="post" action={ (base) "/checklist/" (i + 1) } {
                                    (csrf(caller))
                                    input type="hidden" name="done" value=(if item.done { "false" } else { "true" });
                                    button.secondary type="submit" aria-label={ @if item.done { "Untick" } @else { "Tick" } ": " (item.text) } { @if item.done { "☑" } @else { "☐" } }
                                }
                            } @else { span { @if item.done { "☑" } @else { "☐" } } }
                            span { strong { (item.role.title()) } ": " (item.text) }
                        } } }
                    }
                }
                section.card {
                    h2 { "More" }
                    ul {
                        li { a href={ (base) "/document" } { "The whole document" } ": roles, owner, impact, factors, how'd we do, questions, meeting, messages" }
                        li { a href={ (base) "/proposals" } { "Proposals from chat imports" } }
                        li { a href={ (base) "/history" } { "Revision history" } }
                        li { "Export: " a href={ "/api/v1/incidents/" (key) "/export/markdown" } { "Markdown" } ", "
                             a href={ "/api/v1/incidents/" (key) "/export/html" } { "HTML page" } ", "
                             a href={ "/api/v1/incidents/" (key) "/export/json" } { "JSON" } }
                    }
                }
            }
        }
    };
    (
        status,
        page(&format!("{key}: {}", incident.title.as_str()), caller, body),
    )
        .into_response()
}

fn lifecycle_bar(
    caller: &Caller,
    record: &IncidentRecord,
    errors: usize,
    can_edit: bool,
) -> Markup {
    let from = record.postmortem.status;
    let key = record.incident.key;
    let moves: Vec<(PostmortemStatus, lifecycle::Gate)> = PostmortemStatus::ALL
        .iter()
        .filter_map(|to| lifecycle::gate(from, *to).ok().map(|gate| (*to, gate)))
        .collect();
    let open_actions = record
        .actions
        .iter()
        .filter(|a| !a.status.is_closed())
        .count();
    html! {
        @if can_edit && !moves.is_empty() {
            section.card.no-print #lifecycle {
                div.actions-bar {
                    strong { "Post-mortem: " (from.as_str().replace('_', " ")) }
                    @for (to, gate) in &moves {
                        form.inline-form method="post" action={ "/incidents/" (key) "/status" } {
                            (csrf(caller))
                            input type="hidden" name="to" value=(to.as_str());
                            @let forward = PostmortemStatus::ALL.iter().position(|s| s == to) > PostmortemStatus::ALL.iter().position(|s| *s == from);
                            button class=(if forward { "" } else { "secondary" }) type="submit" { @if forward { "Move to " } @else { "Back to " } (to.as_str().replace('_', " ")) }
                        }
                        @match gate {
                            lifecycle::Gate::Ready if errors > 0 => { span.small.lvl-error { "blocked by " (errors) " readiness error" @if errors != 1 { "s" } " — " a href="#readiness" { "see why" } } }
                            lifecycle::Gate::ActionsClosed if open_actions > 0 => { span.small.lvl-error { (open_actions) " action" @if open_actions != 1 { "s" } " still open" } }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

fn figures_list(record: &IncidentRecord, f: &Figures) -> Markup {
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| time(record, t)).unwrap_or_else(|| "—".to_owned())
    };
    let dur = |s: Option<i64>| s.map(human_duration).unwrap_or_else(|| "—".to_owned());
    html! {
        dl.figures {
            dt { "Started" } dd { (at(f.instants.started)) }
            dt { "Detected" } dd { (at(f.instants.detected)) }
            dt { "Resolved" } dd { (at(f.instants.resolved)) }
            dt { "Time to detect" } dd { (dur(f.time_to_detect_s)) }
            dt { "Time to acknowledge" } dd { (dur(f.time_to_acknowledge_s)) }
            dt { "Time to mitigate" } dd { (dur(f.time_to_mitigate_s)) }
            dt { "Time to resolve" } dd { (dur(f.time_to_resolve_s)) }
            dt { "Impact" } dd { (dur(f.impact_duration_s)) }
            @for (severity, seconds) in &f.time_in_severity_s {
                dt { "In " (severity) } dd { (human_duration(*seconds)) }
            }
            dt { "Meeting by" } dd { (f.meeting_deadline.map(|d| d.format("%a %Y-%m-%d").to_string()).unwrap_or_else(|| "set once resolved".to_owned())) }
            dt { "Ticket tags" } dd { (record.action_tags(f).join(", ")) }
        }
    }
}

fn events_table(record: &IncidentRecord, can_edit: bool) -> Markup {
    let key = record.incident.key;
    html! {
        @if record.timeline.is_empty() { p.muted { "No event yet. Add the first below, or import the chat channel from the command line." } } @else {
            div.table-wrap { table #timeline {
                thead { tr { th { "When (" (record.incident.timezone.name()) ")" } th { "Kind" } th { "What happened" } th { "Evidence" } @if can_edit { th {} } } }
                tbody { @for e in &record.timeline { tr {
                    td.small { (time(record, e.at())) }
                    td { (e.kind().label()) @if let Some(s) = e.severity() { " " span class={ "badge sev-" (s.level()) } { (s) } } @if e.is_key_point() { " " span.badge title="key point" { "★ key" } } }
                    td { (e.text()) @if let Some(a) = e.author() { br; span.small.muted { "— " (a) } } }
                    td.small { @if e.evidence().is_empty() { span.lvl-warning { "none" } } @else {
                        @for (i, url) in e.evidence().iter().enumerate() { @if i > 0 { br; } a href=(url) rel="noopener noreferrer nofollow" { (url.host_str().unwrap_or("link")) } }
                    } }
                    @if can_edit { td.small { a href={ "/incidents/" (key) "/events/" (e.id.0) } { "Edit" } } }
                } } }
            } }
        }
    }
}

/// The form that adds an event, or edits one when `event` is given.
fn event_form(
    caller: &Caller,
    base: &str,
    event: Option<&hindsight_core::TimelineEvent>,
) -> Markup {
    let (action, button) = match event {
        Some(e) => (format!("{base}/events/{}", e.id.0), "Save the event"),
        None => (format!("{base}/events"), "Add the event"),
    };
    let at = event.map(|e| e.at().to_rfc3339()).unwrap_or_default();
    html! {
        details open[event.is_some()] {
            @if event.is_none() { summary { "Add an event" } }
            form method="post" action=(action) {
                (csrf(caller))
                div.row {
                    div.field { label for="at" { "When" span.hint { " local time in the incident's timezone (2026-10-24 22:52) or RFC 3339" } } input #at name="at" required value=(at); }
                    div.field { label for="kind" { "Kind" } select #kind name="kind" {
                        @for kind in EventKind::ALL { option value=(kind.as_str()) selected[event.map(|e| e.kind()) == Some(*kind) || (event.is_none() && *kind == EventKind::Note)] { (kind.label()) } }
                    } }
                    div.field { label for="severity" { "Severity" span.hint { " with severity changed or declared" } } select #severity name="severity" {
                        option value="" { "—" }
                        @for level in 1..=5u8 { @if let Ok(s) = Severity::from_level(level) { option value=(s) selected[event.and_then(|e| e.severity()) == Some(s)] { (s) } } }
                    } }
                }
                div.field { label for="text" { "What happened" } input #text name="text" required value=(event.map(|e| e.text()).unwrap_or("")); }
                div.row {
                    div.field { label for="author" { "Who" } input #author name="author" value=(event.and_then(|e| e.author()).unwrap_or("")); }
                    div.field { label for="evidence" { "Evidence" span.hint { " http(s) links, separated by spaces" } } input #evidence name="evidence" value=(event.map(|e| e.evidence().iter().map(|u| u.to_string()).collect::<Vec<_>>().join(" ")).unwrap_or_default()); }
                }
                div.field { label { input type="checkbox" name="key_point" value="true" checked[event.is_some_and(|e| e.is_key_point())]; " Key point" } }
                button type="submit" { (button) }
            }
        }
    }
}

fn csv_form(caller: &Caller, base: &str) -> Markup {
    html! {
        details {
            summary { "Import events from a CSV" }
            form method="post" action={ (base) "/timeline.csv" } {
                (csrf(caller))
                p.small.muted { "A header row, then one event per row: " code { "time,kind,text" } " and optionally " code { "author,severity,evidence,key_point" } ". Times are local to the incident's timezone unless they carry an offset. A file with a bad row adds nothing and names the row; events already on the timeline are skipped." }
                div.field { label for="csv" { "CSV" } textarea #csv name="csv" required placeholder="time,kind,text\n2026-10-24 22:52,impact_started,Checkout returns 502 for 30% of requests" {} }
                button type="submit" { "Import" }
            }
        }
    }
}

fn actions_table(record: &IncidentRecord, figures: &Figures, can_edit: bool) -> Markup {
    let key = record.incident.key;
    let tags = record.action_tags(figures).join(", ");
    html! {
        @if record.actions.is_empty() { p.muted { "No action item yet." } } @else {
            p.small.muted { "Every ticket carries the tags " code { (tags) } "." }
            div.table-wrap { table #action-items {
                thead { tr { th { "#" } th { "Action" } th { "Owner" } th { "Due" } th { "Priority" } th { "Status" } @if can_edit { th {} } } }
                tbody { @for a in &record.actions { tr {
                    td { (a.id.0) }
                    td { (a.title.as_str()) br; span.small.muted { (a.kind.as_str().replace('_', " ")) " · impact " (a.impact.as_str()) " · effort " (a.effort.as_str())
                        @if let Some(t) = &a.ticket { " · " a href=(t) rel="noopener noreferrer nofollow" { "ticket" } } } }
                    td { @if let Some(o) = &a.owner { (o.as_str()) } @else { span.lvl-warning { "no owner" } } }
                    td { @if let Some(d) = a.due { (d) } @else { span.lvl-warning { "no date" } } }
                    td { (a.priority.as_str().to_uppercase()) }
                    td { (a.status.as_str().replace('_', " ")) }
                    @if can_edit { td.small { a href={ "/incidents/" (key) "/actions/" (a.id.0) } { "Edit" } } }
                } } }
            } }
        }
    }
}

fn action_fields(action: Option<&hindsight_core::ActionItem>) -> Markup {
    let item = action.map(|a| &a.item);
    html! {
        div.field { label for="title" { "Title" } input #title name="title" required value=(item.map(|i| i.title.as_str()).unwrap_or("")); }
        div.row {
            div.field { label for="owner" { "Owner" } input #owner name="owner" value=(item.and_then(|i| i.owner.as_ref()).map(|o| o.as_str()).unwrap_or("")); }
            div.field { label for="due" { "Due" } input #due type="date" name="due" value=(item.and_then(|i| i.due).map(|d| d.to_string()).unwrap_or_default()); }
            div.field { label for="priority" { "Priority" } select #priority name="priority" { @for p in Priority::ALL { option value=(p.as_str()) selected[item.map(|i| i.priority) == Some(*p) || (item.is_none() && *p == Priority::P2)] { (p.as_str().to_uppercase()) } } } }
            div.field { label for="action-kind" { "Kind" } select #action-kind name="kind" { @for k in ActionKind::ALL { option value=(k.as_str()) selected[item.map(|i| i.kind) == Some(*k)] { (k.as_str().replace('_', " ")) } } } }
        }
        div.row {
            div.field { label for="impact" { "Impact" } select #impact name="impact" { @for l in Importance::ALL { option value=(l.as_str()) selected[item.map(|i| i.impact) == Some(*l)] { (l.as_str()) } } } }
            div.field { label for="effort" { "Effort" } select #effort name="effort" { @for l in Importance::ALL { option value=(l.as_str()) selected[item.map(|i| i.effort) == Some(*l)] { (l.as_str()) } } } }
            div.field { label for="status" { "Status" } select #status name="status" { @for s in ActionStatus::ALL { option value=(s.as_str()) selected[item.map(|i| i.status) == Some(*s)] { (s.as_str().replace('_', " ")) } } } }
            div.field { label for="ticket" { "Ticket link" } input #ticket name="ticket" type="url" value=(item.and_then(|i| i.ticket.as_ref()).map(|t| t.to_string()).unwrap_or_default()); }
        }
        div.field { label for="description" { "Description" } textarea #description name="description" style="min-height: 5rem" { (item.map(|i| i.description.as_str()).unwrap_or("")) } }
    }
}

fn action_form(caller: &Caller, base: &str) -> Markup {
    html! {
        details {
            summary { "File an action item" }
            form method="post" action={ (base) "/actions" } {
                (csrf(caller))
                (action_fields(None))
                button type="submit" { "File the action" }
            }
        }
    }
}

/// The editor behind a page form: signed in, the role, and the session's CSRF token.
fn editor(caller: &Caller, sent_csrf: &str) -> Result<User, PageError> {
    Ok(caller
        .page_require_form(AccountRole::Editor, sent_csrf)?
        .clone())
}

/// A refusal of a form: shown on the incident page with the problem, nothing saved.
async fn refused(
    state: &AppState,
    caller: &Caller,
    user: &User,
    key: &str,
    error: PageError,
) -> Result<Response, PageError> {
    if matches!(
        error.status,
        StatusCode::BAD_REQUEST | StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
    ) {
        let (record, figures, findings) = load(state, user, key).await?;
        return Ok(incident_view(
            state,
            caller,
            user,
            &record,
            &figures,
            &findings,
            None,
            Some(&error.message),
            error.status,
        ));
    }
    Err(error)
}

pub async fn new_page(
    State(_state): State<AppState>,
    caller: Caller,
) -> Result<Response, PageError> {
    if let Err(redirect) = signed_in(&caller, "/incidents/new") {
        return Ok(redirect);
    }
    caller.page_require(AccountRole::Editor)?;
    Ok(new_view(
        &caller,
        &NewIncidentForm::default(),
        None,
        StatusCode::OK,
        &_state,
    ))
}

fn new_view(
    caller: &Caller,
    form: &NewIncidentForm,
    error: Option<&str>,
    status: StatusCode,
    state: &AppState,
) -> Response {
    let templates = state.app.templates();
    let body = html! {
        h1 { "Open an incident" }
        (flash(None, error))
        section.card {
            form method="post" action="/incidents" {
                (csrf(caller))
                div.field { label for="title" { "Title" } input #title name="title" required value=(form.title) placeholder="Checkout returned 502s"; }
                div.row {
                    div.field { label for="severity" { "Severity" } select #severity name="severity" {
                        @for level in 1..=5u8 { @if let Ok(s) = Severity::from_level(level) { option value=(s) selected[form.severity == s.to_string() || (form.severity.is_empty() && level == 3)] { (s) } } }
                    } }
                    div.field { label for="timezone" { "Timezone" span.hint { " IANA name" } } input #timezone name="timezone" value=(if form.timezone.is_empty() { "UTC" } else { &form.timezone }) placeholder="Europe/Paris"; }
                    div.field { label for="template" { "Template" } select #template name="template" {
                        @for t in &templates { option value=(t.name) selected[form.template == t.name] { (t.title) } }
                    } }
                }
                div.field { label for="services" { "Services" span.hint { " separated by commas" } } input #services name="services" value=(form.services) placeholder="checkout-api, payments"; }
                div.field { label { input type="checkbox" name="private" value="true" checked[form.private.is_some()]; " Private: visible only to its responders, its owner and admins" } }
                button type="submit" { "Open the incident" }
            }
        }
    };
    (status, page("Open an incident", caller, body)).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct NewIncidentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    services: String,
    private: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<NewIncidentForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let body = NewIncidentJson {
        title: form.title.clone(),
        severity: form.severity.clone(),
        services: form
            .services
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        timezone: Some(form.timezone.clone()),
        private: form.private.is_some(),
        template: Some(form.template.clone()),
    };
    let new = match new_incident(&body) {
        Ok(new) => new,
        Err(e) => {
            return Ok(new_view(
                &caller,
                &form,
                Some(&e.body.message),
                StatusCode::BAD_REQUEST,
                &state,
            ));
        }
    };
    let app = app_for(&state, &user);
    match blocking(move || Ok::<_, PageError>(open_incident(&app, &user, new)?)).await {
        Ok(incident) => Ok(see_other(
            &format!("/incidents/{}", incident.key),
            "created",
        )),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            Ok(new_view(&caller, &form, Some(&e.message), e.status, &state))
        }
        Err(e) => Err(e),
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/edit")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    caller.page_require(AccountRole::Editor)?;
    let record = visible(&state, &user, &key).await?;
    Ok(edit_view(&caller, &record, None, StatusCode::OK))
}

fn edit_view(
    caller: &Caller,
    record: &IncidentRecord,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let incident = &record.incident;
    let body = html! {
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href={ "/incidents/" (incident.key) } { (incident.key) } " / edit" }
        h1 { "Edit " (incident.key) }
        (flash(None, error))
        section.card {
            form method="post" action={ "/incidents/" (incident.key) "/edit" } {
                (csrf(caller))
                div.field { label for="title" { "Title" } input #title name="title" required value=(incident.title.as_str()); }
                div.row {
                    div.field { label for="severity" { "Severity it was opened with" span.hint { " later changes are timeline events" } } select #severity name="severity" {
                        @for level in 1..=5u8 { @if let Ok(s) = Severity::from_level(level) { option value=(s) selected[incident.severity == s] { (s) } } }
                    } }
                    div.field { label for="timezone" { "Timezone" } input #timezone name="timezone" value=(incident.timezone.name()); }
                }
                div.field { label for="services" { "Services" span.hint { " separated by commas" } } input #services name="services" value=(incident.services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")); }
                div.field { label { input type="checkbox" name="private" value="true" checked[incident.private]; " Private" } }
                button type="submit" { "Save" } " " a.button.secondary href={ "/incidents/" (incident.key) } { "Cancel" }
            }
        }
    };
    (
        status,
        page(&format!("Edit {}", incident.key), caller, body),
    )
        .into_response()
}

pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<NewIncidentForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let change = IncidentChangeJson {
        title: Some(form.title.clone()),
        severity: Some(form.severity.clone()),
        services: Some(
            form.services
                .split(',')
                .map(|s| s.trim().to_owned())
                .collect(),
        ),
        timezone: Some(form.timezone.clone()),
        private: Some(form.private.is_some()),
    };
    let record = visible(&state, &user, &key).await?;
    let incident_key = record.incident.key;
    let mut preview = record.incident.clone();
    if let Err(e) = apply_incident_change(&mut preview, &change) {
        return Ok(edit_view(
            &caller,
            &record,
            Some(&e.body.message),
            StatusCode::BAD_REQUEST,
        ));
    }
    let app = app_for(&state, &user);
    blocking(move || {
        app.edit_incident(incident_key, |incident| {
            apply_incident_change(incident, &change).map_err(|e| {
                AppError::invalid(e.body.field.clone().unwrap_or_default(), e.body.message)
            })
        })?;
        if change.private == Some(true) {
            keep_in_sight(&app, &user, incident_key)?;
        }
        Ok::<_, PageError>(())
    })
    .await?;
    Ok(see_other(&format!("/incidents/{incident_key}"), "saved"))
}

#[derive(Debug, Default, Deserialize)]
pub struct SectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    markdown: String,
    #[serde(default)]
    version: u64,
    /// `preview` or `save`.
    #[serde(default)]
    intent: String,
}

pub async fn section_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, section)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/sections/{section}")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    caller.page_require(AccountRole::Editor)?;
    let record = visible(&state, &user, &key).await?;
    let text = record.postmortem.section(&section).unwrap_or("").to_owned();
    section_view(
        &state,
        &caller,
        &record,
        &section,
        &text,
        record.postmortem_version,
        false,
        None,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn section_view(
    state: &AppState,
    caller: &Caller,
    record: &IncidentRecord,
    section_id: &str,
    text: &str,
    version: u64,
    preview: bool,
    conflict: Option<Markup>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let key = record.incident.key;
    let template = state.app.template(&record.postmortem.template)?;
    let section = template
        .sections
        .iter()
        .find(|s| s.id == section_id)
        .ok_or_else(|| {
            PageError::not_found(format!(
                "the {} template has no section `{section_id}`",
                template.name
            ))
        })?;
    let body = html! {
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href={ "/incidents/" (key) } { (key) } " / " (section.title) }
        h1 { (section.title) }
        @if let Some(conflict) = conflict { (conflict) }
        p.muted { (section.help) @if section.required { " " strong { "Required." } } }
        section.card {
            form method="post" action={ "/incidents/" (key) "/sections/" (section.id) } {
                (csrf(caller))
                input type="hidden" name="version" value=(version);
                div.field { label for="markdown" { "Markdown" } textarea #markdown name="markdown" { (text) } }
                div.actions-bar {
                    button type="submit" name="intent" value="save" { "Save" }
                    button.secondary type="submit" name="intent" value="preview" { "Preview" }
                    a href={ "/incidents/" (key) "#section-" (section.id) } { "Cancel" }
                }
            }
        }
        @if preview {
            section.card #preview { h2 { "Preview" } div.prose { (markdown(text)) } }
        }
    };
    Ok((
        status,
        page(&format!("{key}: {}", section.title), caller, body),
    )
        .into_response())
}

pub async fn save_section(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, section)): Path<(String, String)>,
    Form(form): Form<SectionForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    if form.intent == "preview" {
        return section_view(
            &state,
            &caller,
            &record,
            &section,
            &form.markdown,
            form.version,
            true,
            None,
            StatusCode::OK,
        );
    }
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    let (section_id, text, version) = (section.clone(), form.markdown.clone(), form.version);
    let saved = blocking(move || {
        Ok::<_, ApiError>(crate::api::incidents::save_section(
            &app,
            &user,
            incident_key,
            version,
            &section_id,
            &text,
        ))
    })
    .await?;
    match saved {
        Ok(_) => Ok(see_other(&format!("/incidents/{incident_key}"), "saved")),
        Err(ApiError {
            status: StatusCode::CONFLICT,
            ..
        }) => {
            // Someone saved since this form was opened: show what they wrote, keep what this
            // person wrote in the form, and let them save again on top of the new version.
            let theirs = record.postmortem.section(&section).unwrap_or("");
            let diff = similar::TextDiff::from_lines(theirs, form.markdown.as_str())
                .unified_diff()
                .context_radius(2)
                .header("saved meanwhile", "your text")
                .to_string();
            let conflict = html! {
                div.flash.error role="alert" {
                    strong { "Not saved: someone else saved this post-mortem since you opened the form." }
                    " Your text is still in the form below. Compare it with what is saved now, merge what you need, and save again."
                }
                section.card { h2 { "What changed" } (diff_block(&diff)) }
            };
            section_view(
                &state,
                &caller,
                &record,
                &section,
                &form.markdown,
                record.postmortem_version,
                false,
                Some(conflict),
                StatusCode::CONFLICT,
            )
        }
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let conflict = html! { div.flash.error role="alert" { (e.body.message) } };
            section_view(
                &state,
                &caller,
                &record,
                &section,
                &form.markdown,
                form.version,
                false,
                Some(conflict),
                StatusCode::BAD_REQUEST,
            )
        }
        Err(e) => Err(e.into()),
    }
}

fn diff_block(diff: &str) -> Markup {
    html! {
        pre.diff { @for line in diff.lines() {
            @let class = if line.starts_with("@@") { "hunk" } else if line.starts_with('+') { "add" } else if line.starts_with('-') { "del" } else { "" };
            span class=(class) { (line) } "\n"
        } }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    evidence: String,
    key_point: Option<String>,
}

impl EventForm {
    fn to_json(&self) -> NewEventJson {
        NewEventJson {
            at: self.at.clone(),
            kind: self.kind.clone(),
            text: self.text.clone(),
            author: Some(self.author.clone()),
            severity: Some(self.severity.clone()),
            evidence: self
                .evidence
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            key_point: self.key_point.is_some(),
        }
    }
}

pub async fn add_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<EventForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let event = match new_event(
        &form.to_json(),
        record.incident.timezone,
        EventSource::Typed,
    ) {
        Ok(event) => event,
        Err(e) => return refused(&state, &caller, &user, &key, e.into()).await,
    };
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    match blocking(move || Ok::<_, PageError>(app.add_event(incident_key, event)?)).await {
        Ok(Some(_)) => Ok(see_other(
            &format!("/incidents/{incident_key}"),
            "event-added",
        )),
        Ok(None) => Ok(see_other(
            &format!("/incidents/{incident_key}"),
            "event-exists",
        )),
        Err(e) => refused(&state, &caller, &user, &key, e).await,
    }
}

pub async fn event_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/events/{id}")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    caller.page_require(AccountRole::Editor)?;
    let record = visible(&state, &user, &key).await?;
    let event = record
        .timeline
        .iter()
        .find(|e| e.id == EventId(id))
        .ok_or_else(|| {
            PageError::not_found(format!(
                "{} has no timeline event {id}",
                record.incident.key
            ))
        })?;
    let base = format!("/incidents/{}", record.incident.key);
    let body = html! {
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href=(base) { (record.incident.key) } " / event " (id) }
        h1 { "Edit event " (id) }
        section.card {
            (event_form(&caller, &base, Some(event)))
        }
        section.card {
            form method="post" action={ (base) "/events/" (id) "/delete" } {
                (csrf(&caller))
                button.danger type="submit" { "Remove this event" }
            }
        }
    };
    Ok(page(
        &format!("{} event {id}", record.incident.key),
        &caller,
        body,
    )
    .into_response())
}

pub async fn edit_event(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, id)): Path<(String, i64)>,
    Form(form): Form<EventForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let replacement = match new_event(
        &form.to_json(),
        record.incident.timezone,
        EventSource::Typed,
    ) {
        Ok(event) => event,
        Err(e) => return refused(&state, &caller, &user, &key, e.into()).await,
    };
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    let result = blocking(move || {
        Ok::<_, PageError>(app.edit_event(incident_key, EventId(id), |event| {
            // Where the event came from stays; what it says is the form's.
            event.event = crate::api::incidents::rebuilt_event(event.event.source(), &replacement)
                .map_err(|e| AppError::invalid("event", e))?;
            Ok(())
        })?)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/incidents/{incident_key}"), "saved")),
        Err(e) => refused(&state, &caller, &user, &key, e).await,
    }
}

pub async fn delete_event(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, id)): Path<(String, i64)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    blocking(move || Ok::<_, PageError>(app.remove_event(incident_key, EventId(id))?)).await?;
    Ok(see_other(
        &format!("/incidents/{incident_key}"),
        "event-removed",
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct CsvForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    csv: String,
}

pub async fn import_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<CsvForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    let result = blocking(move || {
        Ok::<_, PageError>(app.import_timeline_csv(
            incident_key,
            form.csv.as_bytes(),
            "the pasted CSV",
        )?)
    })
    .await;
    match result {
        Ok(report) if report.added.is_empty() => Ok(see_other(
            &format!("/incidents/{incident_key}"),
            "event-exists",
        )),
        Ok(_) => Ok(see_other(&format!("/incidents/{incident_key}"), "imported")),
        Err(e) => refused(&state, &caller, &user, &key, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    fields: std::collections::HashMap<String, String>,
}

impl ActionForm {
    fn to_json(&self) -> ActionFieldsJson {
        let get = |name: &str| self.fields.get(name).cloned();
        ActionFieldsJson {
            title: get("title"),
            description: get("description"),
            owner: get("owner"),
            due: get("due"),
            priority: get("priority"),
            kind: get("kind"),
            impact: get("impact"),
            effort: get("effort"),
            status: get("status"),
            ticket: get("ticket"),
        }
    }
}

pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let fields = form.to_json();
    let built = NewActionItem::new(fields.title.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request("title", e))
        .and_then(|mut item| apply_action_fields(&mut item, &fields).map(|()| item));
    let item = match built {
        Ok(item) => item,
        Err(e) => return refused(&state, &caller, &user, &key, e.into()).await,
    };
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    blocking(move || Ok::<_, PageError>(app.add_action(incident_key, &item)?)).await?;
    Ok(see_other(
        &format!("/incidents/{incident_key}"),
        "action-added",
    ))
}

pub async fn action_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/actions/{id}")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    caller.page_require(AccountRole::Editor)?;
    let record = visible(&state, &user, &key).await?;
    let action = record
        .actions
        .iter()
        .find(|a| a.id == ActionId(id))
        .ok_or_else(|| {
            PageError::not_found(format!("{} has no action item {id}", record.incident.key))
        })?;
    let base = format!("/incidents/{}", record.incident.key);
    let body = html! {
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href=(base) { (record.incident.key) } " / action " (id) }
        h1 { "Action " (id) }
        section.card {
            form method="post" action={ (base) "/actions/" (id) } {
                (csrf(&caller))
                (action_fields(Some(action)))
                button type="submit" { "Save the action" } " " a.button.secondary href={ (base) "#actions" } { "Cancel" }
            }
        }
    };
    Ok(page(
        &format!("{} action {id}", record.incident.key),
        &caller,
        body,
    )
    .into_response())
}

pub async fn edit_action(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, id)): Path<(String, i64)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let fields = form.to_json();
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    let result = blocking(move || {
        Ok::<_, PageError>(app.edit_action(incident_key, ActionId(id), |action| {
            apply_action_fields(&mut action.item, &fields).map_err(|e| {
                AppError::invalid(e.body.field.clone().unwrap_or_default(), e.body.message)
            })
        })?)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/incidents/{incident_key}"), "saved")),
        Err(e) => refused(&state, &caller, &user, &key, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let to = match form.to.parse::<PostmortemStatus>() {
        Ok(to) => to,
        Err(e) => {
            return refused(
                &state,
                &caller,
                &user,
                &key,
                ApiError::bad_request("to", e).into(),
            )
            .await;
        }
    };
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    match blocking(move || Ok::<_, PageError>(app.move_postmortem(incident_key, to)?)).await {
        Ok(_) => Ok(see_other(&format!("/incidents/{incident_key}"), "moved")),
        Err(e) => refused(&state, &caller, &user, &key, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TickForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    done: String,
}

pub async fn tick(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, position)): Path<(String, usize)>,
    Form(form): Form<TickForm>,
) -> Result<Response, PageError> {
    let user = editor(&caller, &form.csrf)?;
    let record = visible(&state, &user, &key).await?;
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    let done = form.done == "true";
    blocking(move || Ok::<_, PageError>(app.tick_checklist(incident_key, position, done)?)).await?;
    Ok(see_other(&format!("/incidents/{incident_key}"), "saved"))
}

#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    from: Option<u64>,
    to: Option<u64>,
}

pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/history")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    let record = visible(&state, &user, &key).await?;
    let app = state.app.clone();
    let incident_key = record.incident.key;
    let (revisions, diff) = blocking(move || {
        let revisions = app.history(incident_key)?;
        let last = revisions.last().map(|r| r.number).unwrap_or(1);
        let to = query.to.unwrap_or(last);
        let from = query.from.unwrap_or(to.saturating_sub(1).max(1));
        let diff = if from != to {
            Some((from, to, app.diff(incident_key, from, to)?))
        } else {
            None
        };
        Ok::<_, PageError>((revisions, diff))
    })
    .await?;
    let base = format!("/incidents/{incident_key}");
    let body = html! {
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href=(base) { (incident_key) } " / history" }
        h1 { "History of " (incident_key) }
        @if let Some((from, to, text)) = &diff {
            section.card { h2 { "Revision " (from) " → " (to) } @if text.is_empty() { p.muted { "The rendered document did not change." } } @else { (diff_block(text)) } }
        }
        section.card {
            div.table-wrap { table {
                thead { tr { th { "#" } th { "When (UTC)" } th { "Who" } th { "What" } th {} } }
                tbody { @for r in revisions.iter().rev() { tr {
                    td { (r.number) }
                    td.small { (r.at.format("%Y-%m-%d %H:%M:%S")) }
                    td { (r.author) }
                    td { (r.summary) }
                    td.small { @if r.number > 1 { a href={ (base) "/history?from=" (r.number - 1) "&to=" (r.number) } { "diff" } } }
                } } }
            } }
        }
    };
    Ok(page(&format!("History of {incident_key}"), &caller, body).into_response())
}
