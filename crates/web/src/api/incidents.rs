//! `/api/v1/incidents…`: incidents, their timelines, post-mortems, checks, actions, history and
//! exports.

use super::json::ApiJson;
use super::model::*;
use super::{app_for, blocking, etag, if_match, parse_key, reader, visible_record, writer};
use crate::{ApiError, AppState, auth::Caller, error::ErrorBody};
use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{NaiveDate, TimeZone, Utc};
use hindsight_app::{ExportFormat, Hindsight};
use hindsight_core::{
    ActionId, EventId, EventKind, EventSource, IncidentStatus, NewActionItem, NewIncident,
    NewTimelineEvent, Postmortem, PostmortemStatus, Severity, incident::parse_timezone, text::Line,
};
use hindsight_store::IncidentQuery;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The most incidents one page lists.
const MAX_PAGE: u32 = 200;

/// Filters and paging of the incident list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `active`, `mitigated` or `resolved`.
    pub status: Option<String>,
    /// `SEV-1` … `SEV-5`: the severity the incident was opened with.
    pub severity: Option<String>,
    /// An affected service, by exact name.
    pub service: Option<String>,
    /// The post-mortem owner, by exact name.
    pub owner: Option<String>,
    /// `draft`, `in_review`, `reviewed`, `published`, `closed`.
    pub postmortem_status: Option<String>,
    /// Opened on or after this day (UTC), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Opened on or before this day (UTC), `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Words the title must contain.
    pub q: Option<String>,
    /// The next page: incidents older than this key.
    pub before: Option<String>,
    /// At most this many (default 50, at most 200).
    pub limit: Option<u32>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ListQuery {
    /// The store's query for this request, or the parameter at fault.
    pub fn to_query(&self, member: Option<String>) -> Result<IncidentQuery, ApiError> {
        let day = |field: &str, value: &str| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(
                    field,
                    format!("`{value}` is not a date: expected YYYY-MM-DD"),
                )
            })
        };
        let start_of =
            |date: NaiveDate| Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default());
        Ok(IncidentQuery {
            status: blank(&self.status)
                .map(|s| match s {
                    "active" => Ok(IncidentStatus::Active),
                    "mitigated" => Ok(IncidentStatus::Mitigated),
                    "resolved" => Ok(IncidentStatus::Resolved),
                    other => Err(ApiError::bad_request(
                        "status",
                        format!("unknown status `{other}`: expected active, mitigated or resolved"),
                    )),
                })
                .transpose()?,
            severity: blank(&self.severity)
                .map(|s| {
                    s.parse::<Severity>()
                        .map_err(|e| ApiError::bad_request("severity", e))
                })
                .transpose()?,
            service: blank(&self.service).map(str::to_owned),
            owner: blank(&self.owner).map(str::to_owned),
            postmortem_status: blank(&self.postmortem_status)
                .map(|s| {
                    s.parse::<PostmortemStatus>()
                        .map_err(|e| ApiError::bad_request("postmortem_status", e))
                })
                .transpose()?,
            opened_from: blank(&self.from)
                .map(|v| day("from", v))
                .transpose()?
                .map(start_of),
            opened_before: blank(&self.to)
                .map(|v| day("to", v))
                .transpose()?
                .and_then(|d| d.succ_opt())
                .map(start_of),
            title_contains: blank(&self.q).map(str::to_owned),
            before: blank(&self.before)
                .map(|v| v.parse().map_err(|e| ApiError::bad_request("before", e)))
                .transpose()?,
            member,
            limit: self.limit.unwrap_or(50).clamp(1, MAX_PAGE),
        })
    }

    /// The query string of the page after the one that ended at `last`.
    pub fn next_page(&self, last: &str) -> String {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("status", &self.status),
            ("severity", &self.severity),
            ("service", &self.service),
            ("owner", &self.owner),
            ("postmortem_status", &self.postmortem_status),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ] {
            if let Some(value) = blank(value) {
                pairs.append_pair(name, value);
            }
        }
        if let Some(limit) = self.limit {
            pairs.append_pair("limit", &limit.to_string());
        }
        pairs.append_pair("before", last);
        pairs.finish()
    }
}

/// Who a list is for: an admin sees every incident, others the private ones they are part of.
pub(crate) fn member_of(user: &hindsight_core::User) -> Option<String> {
    (!user.role.is_admin()).then(|| user.display_name.as_str().to_owned())
}

/// The newest incidents, filtered.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(ListQuery),
    responses(
        (status = 200, description = "a page of incidents, newest first", body = IncidentPage),
        (status = 400, description = "a filter could not be read", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
    Query(list): Query<ListQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    let user = reader(&caller)?;
    let query = list.to_query(member_of(&user))?;
    let limit = query.limit as usize;
    let app = state.app.clone();
    let found = blocking(move || Ok::<_, ApiError>(app.store().search_incidents(&query)?)).await?;
    let next = (found.len() == limit)
        .then(|| found.last())
        .flatten()
        .map(|last| {
            format!(
                "/api/v1/incidents?{}",
                list.next_page(&last.incident.key.to_string())
            )
        });
    Ok(Json(IncidentPage {
        incidents: found.iter().map(IncidentJson::of_summary).collect(),
        next,
    }))
}

/// Opens an incident with an empty draft post-mortem.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncidentJson,
    responses(
        (status = 201, description = "opened; `Location` is its URL", body = IncidentJson),
        (status = 400, description = "a field was refused", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    ))]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewIncidentJson>,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let new = new_incident(&body)?;
    let app = app_for(&state, &user);
    let record = blocking(move || {
        let incident = open_incident(&app, &user, new)?;
        Ok::<_, ApiError>(app.record(incident.key)?)
    })
    .await?;
    let location = format!("/api/v1/incidents/{}", record.incident.key);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(IncidentJson::of_record(&record)),
    )
        .into_response())
}

/// Opens `new` for `user`; shared with the form.
pub(crate) fn open_incident(
    app: &Hindsight,
    user: &hindsight_core::User,
    new: NewIncident,
) -> Result<hindsight_core::Incident, hindsight_app::AppError> {
    let private = new.private;
    let incident = app.create_incident(new)?;
    if private {
        keep_in_sight(app, user, incident.key)?;
    }
    Ok(incident)
}

/// Names `user` a participant of a private incident they could not see otherwise, so that the
/// person who opens an incident, or makes it private, is not the first one it is hidden from.
pub(crate) fn keep_in_sight(
    app: &Hindsight,
    user: &hindsight_core::User,
    key: hindsight_core::IncidentKey,
) -> Result<(), hindsight_app::AppError> {
    if crate::auth::can_see(user, &app.record(key)?) {
        return Ok(());
    }
    let person = hindsight_core::Person::new(user.display_name.as_str(), None)
        .map_err(|e| hindsight_app::AppError::invalid("display_name", e))?;
    app.edit_responders(key, &format!("{} took part", person.name), |responders| {
        responders.assign(hindsight_core::Role::Participant, person.clone())
    })?;
    Ok(())
}

/// Checks the fields of a new incident.
pub(crate) fn new_incident(body: &NewIncidentJson) -> Result<NewIncident, ApiError> {
    let severity: Severity = body
        .severity
        .parse()
        .map_err(|e| ApiError::bad_request("severity", e))?;
    let timezone = match blank(&body.timezone) {
        Some(name) => parse_timezone(name).map_err(|e| ApiError::bad_request("timezone", e))?,
        None => chrono_tz::UTC,
    };
    let mut new = NewIncident::new(&body.title, severity, timezone)
        .map_err(|e| ApiError::bad_request("title", e))?
        .with_services(
            body.services
                .iter()
                .map(String::as_str)
                .filter(|s| !s.trim().is_empty()),
        )
        .map_err(|e| ApiError::bad_request("services", e))?;
    new.private = body.private;
    if let Some(template) = blank(&body.template) {
        new.template = template.to_owned();
    }
    Ok(new)
}

/// An incident with its derived figures and its whole document.
#[utoipa::path(get, path = "/api/v1/incidents/{key}", tag = "incidents",
    params(("key" = String, Path, description = "the incident's key, e.g. INC-42")),
    responses(
        (status = 200, body = IncidentDetailJson),
        (status = 401, body = ErrorBody),
        (status = 404, description = "no such incident, or a private one the caller is not part of", body = ErrorBody),
    ))]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let app = state.app.clone();
    let detail = blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let figures = record.figures(&app.policy().meeting, app.now());
        Ok::<_, ApiError>(IncidentDetailJson {
            incident: IncidentJson::of_record(&record),
            figures: (&figures).into(),
            postmortem_version: record.postmortem_version,
            // The record itself becomes the document, serialised once with the answer.
            document: hindsight_core::exchange::PostmortemDocument::of_record(record),
        })
    })
    .await?;
    Ok(Json(detail).into_response())
}

/// Changes an incident's title, severity, services, timezone or privacy.
#[utoipa::path(patch, path = "/api/v1/incidents/{key}", tag = "incidents", request_body = IncidentChangeJson,
    params(("key" = String, Path)),
    responses((status = 200, body = IncidentJson), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn change_incident(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(change): ApiJson<IncidentChangeJson>,
) -> Result<Json<IncidentJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let app = app_for(&state, &user);
    let record = blocking(move || {
        visible_record(&app, &user, key)?;
        app.edit_incident(key, |incident| {
            apply_incident_change(incident, &change).map_err(|e| {
                hindsight_app::AppError::invalid(
                    e.body.field.clone().unwrap_or_default(),
                    e.body.message,
                )
            })
        })?;
        if change.private == Some(true) {
            keep_in_sight(&app, &user, key)?;
        }
        Ok::<_, ApiError>(app.record(key)?)
    })
    .await?;
    Ok(Json(IncidentJson::of_record(&record)))
}

pub(crate) fn apply_incident_change(
    incident: &mut hindsight_core::Incident,
    change: &IncidentChangeJson,
) -> Result<(), ApiError> {
    if let Some(title) = &change.title {
        incident.title =
            Line::parse("title", title).map_err(|e| ApiError::bad_request("title", e))?;
    }
    if let Some(severity) = &change.severity {
        incident.severity = severity
            .parse()
            .map_err(|e| ApiError::bad_request("severity", e))?;
    }
    if let Some(services) = &change.services {
        let mut parsed = Vec::new();
        for service in services.iter().filter(|s| !s.trim().is_empty()) {
            let name = Line::parse("service", service)
                .map_err(|e| ApiError::bad_request("services", e))?;
            if !parsed.contains(&name) {
                parsed.push(name);
            }
        }
        incident.services = parsed;
    }
    if let Some(timezone) = &change.timezone {
        incident.timezone =
            parse_timezone(timezone).map_err(|e| ApiError::bad_request("timezone", e))?;
    }
    if let Some(private) = change.private {
        incident.private = private;
    }
    Ok(())
}

/// The timeline, in time order.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/timeline", tag = "timeline",
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<EventJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<Vec<EventJson>>, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let app = state.app.clone();
    let record = blocking(move || visible_record(&app, &user, key)).await?;
    Ok(Json(record.timeline.iter().map(EventJson::from).collect()))
}

/// Builds an event from its JSON in the incident's timezone.
pub(crate) fn new_event(
    body: &NewEventJson,
    timezone: chrono_tz::Tz,
    source: EventSource,
) -> Result<NewTimelineEvent, ApiError> {
    let at = hindsight_import::local_time::parse_instant(&body.at, timezone)
        .map_err(|e| ApiError::bad_request("at", e))?;
    let kind: EventKind = body
        .kind
        .parse()
        .map_err(|e| ApiError::bad_request("kind", e))?;
    let severity = blank(&body.severity)
        .map(|s| {
            s.parse::<Severity>()
                .map_err(|e| ApiError::bad_request("severity", e))
        })
        .transpose()?;
    let mut event = NewTimelineEvent::from_parts(at, kind, &body.text, source, severity)
        .map_err(|e| ApiError::bad_request(event_field(&e), e))?
        .with_author(blank(&body.author))
        .map_err(|e| ApiError::bad_request("author", e))?
        .key_point(body.key_point);
    for (i, link) in body.evidence.iter().enumerate() {
        let url = hindsight_core::text::web_url(link)
            .map_err(|e| ApiError::bad_request(format!("evidence[{i}]"), e))?;
        event = event
            .with_evidence(url)
            .map_err(|e| ApiError::bad_request(format!("evidence[{i}]"), e))?;
    }
    Ok(event)
}

fn event_field(error: &hindsight_core::timeline::EventError) -> &'static str {
    use hindsight_core::timeline::EventError;
    match error {
        EventError::MissingSeverity | EventError::UnexpectedSeverity(_) => "severity",
        EventError::EvidenceScheme(_) => "evidence",
        EventError::LeapSecond(_) => "at",
        _ => "text",
    }
}

/// Adds an event; an event already on the timeline (same instant, kind and text) is not added
/// again (200 with `null`).
#[utoipa::path(post, path = "/api/v1/incidents/{key}/timeline", tag = "timeline", request_body = NewEventJson,
    params(("key" = String, Path)),
    responses((status = 201, body = EventJson), (status = 200, description = "already on the timeline"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_event(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<NewEventJson>,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let app = app_for(&state, &user);
    let added = blocking(move || {
        let timezone = visible_record(&app, &user, key)?.incident.timezone;
        let event = new_event(&body, timezone, EventSource::Typed)?;
        Ok::<_, ApiError>(app.add_event(key, event)?)
    })
    .await?;
    Ok(match added {
        Some(event) => (StatusCode::CREATED, Json(EventJson::from(&event))).into_response(),
        None => (StatusCode::OK, Json(serde_json::Value::Null)).into_response(),
    })
}

/// Replaces an event's content.
#[utoipa::path(put, path = "/api/v1/incidents/{key}/timeline/{id}", tag = "timeline", request_body = NewEventJson,
    params(("key" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = EventJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn replace_event(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<NewEventJson>,
) -> Result<Json<EventJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let app = app_for(&state, &user);
    let event = blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let timezone = record.incident.timezone;
        let replacement = new_event(&body, timezone, EventSource::Typed)?;
        Ok::<_, ApiError>(app.edit_event(key, EventId(id), |event| {
            event.event = rebuilt_event(event.event.source(), &replacement)
                .map_err(|e| hindsight_app::AppError::invalid("event", e))?;
            Ok(())
        })?)
    })
    .await?;
    Ok(Json(EventJson::from(&event)))
}

/// `replacement`'s content for an event that keeps where it came from (`source`).
pub(crate) fn rebuilt_event(
    source: EventSource,
    replacement: &NewTimelineEvent,
) -> Result<NewTimelineEvent, hindsight_core::timeline::EventError> {
    let mut event = NewTimelineEvent::from_parts(
        replacement.at(),
        replacement.kind(),
        replacement.text(),
        source,
        replacement.severity(),
    )?
    .with_author(replacement.author())?
    .key_point(replacement.is_key_point());
    for url in replacement.evidence() {
        event = event.with_evidence(url.clone())?;
    }
    Ok(event)
}

/// Removes an event.
#[utoipa::path(delete, path = "/api/v1/incidents/{key}/timeline/{id}", tag = "timeline",
    params(("key" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_event(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let app = app_for(&state, &user);
    blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.remove_event(key, EventId(id))?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The post-mortem document; its `ETag` is its version.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/postmortem", tag = "postmortem",
    params(("key" = String, Path)),
    responses((status = 200, description = "the document, with its version as ETag", body = Object),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let app = state.app.clone();
    let record = blocking(move || visible_record(&app, &user, key)).await?;
    Ok((
        [(header::ETAG, etag(record.postmortem_version))],
        Json(record.postmortem),
    )
        .into_response())
}

/// Replaces the post-mortem document (owner, sections, impact, factors, how'd we do, questions,
/// communication, commands, meeting, messages, checklists), if it is still at the version in
/// `If-Match`. The status moves through `…/postmortem/status`.
#[utoipa::path(put, path = "/api/v1/incidents/{key}/postmortem", tag = "postmortem", request_body = Object,
    params(("key" = String, Path), ("If-Match" = String, Header, description = "the ETag the edit started from")),
    responses((status = 200, description = "saved; the new ETag is sent", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "someone saved a newer version; nothing was saved", body = ErrorBody),
        (status = 428, description = "If-Match is missing", body = ErrorBody)))]
pub async fn put_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let version = if_match(&headers)?;
    let postmortem: Postmortem = super::json::parse_strict(body)?;
    for (id, text) in &postmortem.sections {
        if text.chars().count() > hindsight_core::text::LONG {
            return Err(ApiError::bad_request(
                format!("sections.{id}"),
                format!("longer than {} characters", hindsight_core::text::LONG),
            ));
        }
    }
    let app = app_for(&state, &user);
    let (version, saved) = blocking(move || {
        visible_record(&app, &user, key)?;
        let version =
            app.save_postmortem_at(key, version, &postmortem, "edited the post-mortem")?;
        Ok::<_, ApiError>((version, app.store().postmortem(key)?.value))
    })
    .await?;
    Ok(([(header::ETAG, etag(version))], Json(saved)).into_response())
}

/// The new Markdown of one section.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionJson {
    pub markdown: String,
}

/// Replaces one section's Markdown, if the document is still at the version in `If-Match`.
#[utoipa::path(put, path = "/api/v1/incidents/{key}/postmortem/sections/{section}", tag = "postmortem",
    request_body = SectionJson,
    params(("key" = String, Path), ("section" = String, Path, description = "a section id of the template"),
        ("If-Match" = String, Header)),
    responses((status = 204, description = "saved; the new ETag is sent"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 428, body = ErrorBody)))]
pub async fn put_section(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, section)): Path<(String, String)>,
    ApiJson(body): ApiJson<SectionJson>,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let version = if_match(&headers)?;
    let app = app_for(&state, &user);
    let version =
        blocking(move || save_section(&app, &user, key, version, &section, &body.markdown)).await?;
    Ok((StatusCode::NO_CONTENT, [(header::ETAG, etag(version))]).into_response())
}

/// Saves one section at `version`; shared with the section form.
pub(crate) fn save_section(
    app: &Hindsight,
    user: &hindsight_core::User,
    key: hindsight_core::IncidentKey,
    version: u64,
    section: &str,
    markdown: &str,
) -> Result<u64, ApiError> {
    let record = visible_record(app, user, key)?;
    let template = app.template(&record.postmortem.template)?;
    let title = template
        .sections
        .iter()
        .find(|s| s.id == section)
        .map(|s| s.title.clone())
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "the {} template has no section `{section}`: it has {}",
                template.name,
                template
                    .sections
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let mut postmortem = record.postmortem.clone();
    postmortem
        .set_section(section, markdown)
        .map_err(|e| ApiError::bad_request("markdown", e))?;
    Ok(app.save_postmortem_at(
        key,
        version,
        &postmortem,
        &format!("wrote the section {title}"),
    )?)
}

/// Where the post-mortem should move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveJson {
    /// `in_review`, `reviewed`, `published`, `closed` (or back to `draft`).
    pub to: String,
}

/// Moves the post-mortem through its lifecycle; refused with 422 and the blocking findings when
/// the readiness check fails or actions are open.
#[utoipa::path(post, path = "/api/v1/incidents/{key}/postmortem/status", tag = "postmortem", request_body = MoveJson,
    params(("key" = String, Path)),
    responses((status = 200, body = IncidentJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "the move is not allowed yet: the findings say why", body = ErrorBody)))]
pub async fn move_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<MoveJson>,
) -> Result<Json<IncidentJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let to: PostmortemStatus = body
        .to
        .parse()
        .map_err(|e| ApiError::bad_request("to", e))?;
    let app = app_for(&state, &user);
    let record = blocking(move || {
        visible_record(&app, &user, key)?;
        app.move_postmortem(key, to).map_err(|e| match e {
            // A move that does not exist is the request's `to` at fault.
            hindsight_app::AppError::Invalid { field, message } if field == "status" => {
                ApiError::bad_request("to", message)
            }
            other => other.into(),
        })?;
        Ok::<_, ApiError>(app.record(key)?)
    })
    .await?;
    Ok(Json(IncidentJson::of_record(&record)))
}

/// The readiness check: errors first, then warnings.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/check", tag = "postmortem",
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<FindingJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<Vec<FindingJson>>, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let app = state.app.clone();
    let findings = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.check(key)?.2)
    })
    .await?;
    Ok(Json(findings.iter().map(FindingJson::from).collect()))
}

/// The action items, with their tags.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/actions", tag = "actions",
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<ActionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_actions(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<Vec<ActionJson>>, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let app = state.app.clone();
    let (record, tags) = blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let figures = record.figures(&app.policy().meeting, app.now());
        let tags = record.action_tags(&figures).to_vec();
        Ok::<_, ApiError>((record, tags))
    })
    .await?;
    Ok(Json(
        record
            .actions
            .iter()
            .map(|a| ActionJson::new(a, &tags))
            .collect(),
    ))
}

/// Applies the fields present in `fields` to an action item.
pub(crate) fn apply_action_fields(
    item: &mut NewActionItem,
    fields: &ActionFieldsJson,
) -> Result<(), ApiError> {
    if let Some(title) = &fields.title {
        item.title = Line::parse("title", title).map_err(|e| ApiError::bad_request("title", e))?;
    }
    if let Some(description) = &fields.description {
        *item = item
            .clone()
            .with_description(description)
            .map_err(|e| ApiError::bad_request("description", e))?;
    }
    if let Some(owner) = &fields.owner {
        *item = item
            .clone()
            .with_owner(Some(owner))
            .map_err(|e| ApiError::bad_request("owner", e))?;
    }
    if let Some(due) = &fields.due {
        item.due = match due.trim() {
            "" => None,
            text => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(
                    "due",
                    format!("`{text}` is not a date: expected YYYY-MM-DD"),
                )
            })?),
        };
    }
    if let Some(v) = &fields.priority {
        item.priority = v
            .parse()
            .map_err(|e| ApiError::bad_request("priority", e))?;
    }
    if let Some(v) = &fields.kind {
        item.kind = v.parse().map_err(|e| ApiError::bad_request("kind", e))?;
    }
    if let Some(v) = &fields.impact {
        item.impact = v.parse().map_err(|e| ApiError::bad_request("impact", e))?;
    }
    if let Some(v) = &fields.effort {
        item.effort = v.parse().map_err(|e| ApiError::bad_request("effort", e))?;
    }
    if let Some(v) = &fields.status {
        item.status = v.parse().map_err(|e| ApiError::bad_request("status", e))?;
    }
    if let Some(ticket) = &fields.ticket {
        item.ticket = match ticket.trim() {
            "" => None,
            text => Some(
                hindsight_core::text::web_url(text)
                    .map_err(|e| ApiError::bad_request("ticket", e))?,
            ),
        };
    }
    Ok(())
}

/// Files an action item; `title` is required.
#[utoipa::path(post, path = "/api/v1/incidents/{key}/actions", tag = "actions", request_body = ActionFieldsJson,
    params(("key" = String, Path)),
    responses((status = 201, body = ActionJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(fields): ApiJson<ActionFieldsJson>,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let title = fields
        .title
        .as_deref()
        .ok_or_else(|| ApiError::bad_request("title", "a new action needs a title"))?;
    let mut item = NewActionItem::new(title).map_err(|e| ApiError::bad_request("title", e))?;
    apply_action_fields(&mut item, &fields)?;
    let app = app_for(&state, &user);
    let (action, tags) = blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let figures = record.figures(&app.policy().meeting, app.now());
        let action = app.add_action(key, &item)?;
        Ok::<_, ApiError>((action, record.action_tags(&figures).to_vec()))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(ActionJson::new(&action, &tags))).into_response())
}

/// Changes the fields present of an action item.
#[utoipa::path(patch, path = "/api/v1/incidents/{key}/actions/{id}", tag = "actions", request_body = ActionFieldsJson,
    params(("key" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = ActionJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn change_action(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, id)): Path<(String, i64)>,
    ApiJson(fields): ApiJson<ActionFieldsJson>,
) -> Result<Json<ActionJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let app = app_for(&state, &user);
    let (action, tags) = blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let figures = record.figures(&app.policy().meeting, app.now());
        let action = app.edit_action(key, ActionId(id), |action| {
            apply_action_fields(&mut action.item, &fields).map_err(|e| {
                hindsight_app::AppError::invalid(
                    e.body.field.clone().unwrap_or_default(),
                    e.body.message,
                )
            })
        })?;
        Ok::<_, ApiError>((action, record.action_tags(&figures).to_vec()))
    })
    .await?;
    Ok(Json(ActionJson::new(&action, &tags)))
}

/// One change in the history.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct RevisionJson {
    pub number: u64,
    pub author: String,
    pub at: chrono::DateTime<Utc>,
    pub summary: String,
}

/// The history of the post-mortem, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/history", tag = "postmortem",
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<RevisionJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<Vec<RevisionJson>>, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let app = state.app.clone();
    let revisions = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.history(key)?)
    })
    .await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|r| RevisionJson {
                number: r.number,
                author: r.author,
                at: r.at,
                summary: r.summary,
            })
            .collect(),
    ))
}

/// Two revisions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    pub from: u64,
    pub to: u64,
}

/// A unified diff of the rendered document between two revisions.
#[utoipa::path(get, path = "/api/v1/incidents/{key}/diff", tag = "postmortem",
    params(("key" = String, Path), DiffQuery),
    responses((status = 200, description = "a unified diff", body = String, content_type = "text/plain"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn diff(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    query: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let Query(query) = query.map_err(|e| {
        ApiError::bad_request("from", format!("{}: expected ?from=N&to=M", e.body_text()))
    })?;
    let app = state.app.clone();
    let text = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.diff(key, query.from, query.to)?)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// The post-mortem exported as `markdown`, `html` (one standalone sanitised page) or `json`
/// (the document format, which imports back without loss).
#[utoipa::path(get, path = "/api/v1/incidents/{key}/export/{format}", tag = "postmortem",
    params(("key" = String, Path), ("format" = String, Path, description = "markdown, html or json")),
    responses((status = 200, description = "the document", body = String),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let (format, content_type, extension) = export_format(&format)?;
    let app = state.app.clone();
    let text = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.export(key, format)?)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{}.{extension}\"",
                    key.to_string().to_lowercase()
                ),
            ),
        ],
        text,
    )
        .into_response())
}

pub(crate) fn export_format(
    name: &str,
) -> Result<(ExportFormat, &'static str, &'static str), ApiError> {
    Ok(match name {
        "markdown" | "md" => (ExportFormat::Markdown, "text/markdown; charset=utf-8", "md"),
        "html" => (ExportFormat::Html, "text/html; charset=utf-8", "html"),
        "json" => (ExportFormat::Json, "application/json", "json"),
        other => {
            return Err(ApiError::not_found(format!(
                "no export format `{other}`: expected markdown, html or json"
            )));
        }
    })
}
