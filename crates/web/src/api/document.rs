//! The parts of an incident's document with endpoints of their own: the responders (kept beside
//! the post-mortem, not in it), the messages with their drafts and blameless-language findings,
//! the after-incident checklists, and a whole document imported as a new incident. Everything
//! else in the post-mortem changes through `PUT …/postmortem` with `If-Match`.

use super::json::ApiJson;
use super::model::IncidentJson;
use super::{app_for, blocking, etag, parse_key, reader, visible_record, writer};
use crate::{ApiError, AppState, auth::Caller, error::ErrorBody};
use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use hindsight_app::Hindsight;
use hindsight_core::{
    IncidentKey, IncidentRecord, MessageKind, Person, Responders, lint::BlameFinding,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person: their name and job title ("Jane Doe", "Engineer").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonJson {
    pub name: String,
    #[serde(default)]
    pub job_title: Option<String>,
}

impl From<&Person> for PersonJson {
    fn from(p: &Person) -> Self {
        PersonJson {
            name: p.name.as_str().to_owned(),
            job_title: p.job_title.clone(),
        }
    }
}

/// Who held which response role, and everyone else who took part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondersJson {
    #[serde(default)]
    pub commander: Option<PersonJson>,
    #[serde(default)]
    pub deputy: Option<PersonJson>,
    #[serde(default)]
    pub scribe: Option<PersonJson>,
    /// Subject-matter experts.
    #[serde(default)]
    pub smes: Vec<PersonJson>,
    #[serde(default)]
    pub customer_liaison: Option<PersonJson>,
    /// Everyone else who took part, with their job titles.
    #[serde(default)]
    pub participants: Vec<PersonJson>,
}

impl From<&Responders> for RespondersJson {
    fn from(r: &Responders) -> Self {
        RespondersJson {
            commander: r.commander.as_ref().map(Into::into),
            deputy: r.deputy.as_ref().map(Into::into),
            scribe: r.scribe.as_ref().map(Into::into),
            smes: r.smes.iter().map(Into::into).collect(),
            customer_liaison: r.customer_liaison.as_ref().map(Into::into),
            participants: r.participants.iter().map(Into::into).collect(),
        }
    }
}

impl RespondersJson {
    /// The responders these fields describe, or the field at fault. A list naming someone twice
    /// keeps them once, with the last job title given.
    pub fn to_domain(&self) -> Result<Responders, ApiError> {
        let person = |field: String, p: &PersonJson| {
            Person::new(&p.name, p.job_title.as_deref())
                .map_err(|e| ApiError::bad_request(field, e))
        };
        let single = |field: &str, p: &Option<PersonJson>| {
            p.as_ref().map(|p| person(field.to_owned(), p)).transpose()
        };
        let mut responders = Responders {
            commander: single("commander", &self.commander)?,
            deputy: single("deputy", &self.deputy)?,
            scribe: single("scribe", &self.scribe)?,
            customer_liaison: single("customer_liaison", &self.customer_liaison)?,
            ..Responders::default()
        };
        for (i, p) in self.smes.iter().enumerate() {
            responders.assign(hindsight_core::Role::Sme, person(format!("smes[{i}]"), p)?);
        }
        for (i, p) in self.participants.iter().enumerate() {
            responders.assign(
                hindsight_core::Role::Participant,
                person(format!("participants[{i}]"), p)?,
            );
        }
        Ok(responders)
    }
}

/// Replaces the responders: roles and participants with their job titles.
#[utoipa::path(put, path = "/api/v1/incidents/{key}/responders", tag = "postmortem", request_body = RespondersJson,
    params(("key" = String, Path)),
    responses((status = 200, description = "saved; the responders as they now stand", body = RespondersJson),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn put_responders(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<RespondersJson>,
) -> Result<Json<RespondersJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let responders = body.to_domain()?;
    let app = app_for(&state, &user);
    let saved = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(
            app.edit_responders(key, "changed the responders", |current| {
                *current = responders.clone()
            })?,
        )
    })
    .await?;
    Ok(Json((&saved).into()))
}

/// Which message a path names.
pub fn message_kind(name: &str) -> Result<MessageKind, ApiError> {
    name.parse().map_err(|_| {
        ApiError::not_found(format!(
            "no message `{name}`: expected internal (the e-mail) or external (the status page)"
        ))
    })
}

/// Where the post-mortem of `key` is read from outside, for the internal e-mail's link.
pub fn postmortem_link(state: &AppState, key: IncidentKey) -> Option<String> {
    state
        .config
        .public_url
        .as_deref()
        .map(|base| format!("{}/incidents/{key}", base.trim_end_matches('/')))
}

/// A message's text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageTextJson {
    /// The whole message; empty removes it.
    pub text: String,
}

/// A draft of a message, written from the document; not saved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftJson {
    /// `internal` or `external`.
    pub kind: String,
    pub text: String,
}

/// A sentence the blameless-language lint finds blaming a person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlameFindingJson {
    /// A stable rule id: `person-as-cause`, `human-error`, `should-have`…
    pub rule: String,
    /// The words that triggered it, as written.
    pub phrase: String,
    /// The whole sentence.
    pub sentence: String,
    pub message: String,
    /// A systemic rewording to start from.
    pub suggestion: String,
}

impl From<&BlameFinding> for BlameFindingJson {
    fn from(f: &BlameFinding) -> Self {
        BlameFindingJson {
            rule: f.rule.to_owned(),
            phrase: f.phrase.clone(),
            sentence: f.sentence.clone(),
            message: f.message.clone(),
            suggestion: f.suggestion.clone(),
        }
    }
}

/// A saved message and what the blameless-language lint finds in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageJson {
    pub kind: String,
    /// The message as saved; absent when it was removed.
    pub text: Option<String>,
    pub findings: Vec<BlameFindingJson>,
}

/// What the blameless-language lint finds in `text`, with the incident's people as the names it
/// looks for: the rule `Hindsight::set_message` applies.
pub fn message_findings(record: &IncidentRecord, text: &str) -> Vec<BlameFinding> {
    let people: Vec<&str> = record
        .responders
        .iter()
        .map(|(_, p)| p.name.as_str())
        .collect();
    hindsight_core::lint::blame_findings(text, &people)
}

/// Saves a message only if the post-mortem is still at `version`, and lints it.
///
/// `Hindsight::set_message` applies the text to whatever version is newest, which is right for a
/// script that sends no version; a person who edited an older version must not silently replace
/// a message someone saved since, so a form (or a request with `If-Match`) saves here.
pub fn save_message_at(
    app: &Hindsight,
    record: &IncidentRecord,
    version: u64,
    kind: MessageKind,
    text: &str,
) -> Result<(u64, Vec<BlameFinding>), ApiError> {
    let text = hindsight_core::text::optional("message", Some(text), hindsight_core::text::LONG)
        .map_err(|e| ApiError::bad_request("text", e))?;
    let mut postmortem = record.postmortem.clone();
    postmortem.messages.set(kind, text.clone());
    let version = app.save_postmortem_at(
        record.incident.key,
        version,
        &postmortem,
        &format!("wrote the {kind} message"),
    )?;
    let findings = text
        .map(|t| message_findings(record, &t))
        .unwrap_or_default();
    Ok((version, findings))
}

/// A first draft of a message, written from the document (the internal e-mail links to the
/// post-mortem when the server knows its public address). Nothing is saved.
#[utoipa::path(post, path = "/api/v1/incidents/{key}/messages/{kind}/draft", tag = "postmortem",
    params(("key" = String, Path), ("kind" = String, Path, description = "internal or external")),
    responses((status = 200, body = DraftJson), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn draft_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, kind)): Path<(String, String)>,
) -> Result<Json<DraftJson>, ApiError> {
    let user = reader(&caller)?;
    let key = parse_key(&key)?;
    let kind = message_kind(&kind)?;
    let link = postmortem_link(&state, key);
    let app = state.app.clone();
    let text = blocking(move || {
        visible_record(&app, &user, key)?;
        Ok::<_, ApiError>(app.draft_message(key, kind, link.as_deref())?)
    })
    .await?;
    Ok(Json(DraftJson {
        kind: kind.as_str().to_owned(),
        text,
    }))
}

/// Saves a message and answers with what the blameless-language lint finds in it. With
/// `If-Match`, only if the post-mortem is still at that version (409 otherwise); without, on the
/// newest version, replacing this message whatever it was.
#[utoipa::path(put, path = "/api/v1/incidents/{key}/messages/{kind}", tag = "postmortem", request_body = MessageTextJson,
    params(("key" = String, Path), ("kind" = String, Path, description = "internal or external"),
        ("If-Match" = Option<String>, Header, description = "the ETag the edit started from")),
    responses((status = 200, description = "saved; the new ETag is sent", body = MessageJson),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "someone saved a newer version; nothing was saved", body = ErrorBody)))]
pub async fn put_message(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, kind)): Path<(String, String)>,
    ApiJson(body): ApiJson<MessageTextJson>,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let kind = message_kind(&kind)?;
    let expected = headers
        .contains_key(header::IF_MATCH)
        .then(|| super::if_match(&headers))
        .transpose()?;
    let app = app_for(&state, &user);
    let (version, text, findings) = blocking(move || {
        let record = visible_record(&app, &user, key)?;
        let findings = match expected {
            Some(version) => save_message_at(&app, &record, version, kind, &body.text)?.1,
            None => app.set_message(key, kind, &body.text)?,
        };
        let saved = app.store().postmortem(key)?;
        let text = saved.value.messages.get(kind).map(str::to_owned);
        Ok::<_, ApiError>((saved.version, text, findings))
    })
    .await?;
    Ok((
        [(header::ETAG, etag(version))],
        Json(MessageJson {
            kind: kind.as_str().to_owned(),
            text,
            findings: findings.iter().map(Into::into).collect(),
        }),
    )
        .into_response())
}

/// Whether a checklist item is done.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickJson {
    pub done: bool,
}

/// One item of an after-incident checklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistItemJson {
    /// Its place in the list, from 1.
    pub position: usize,
    /// `commander`, `scribe`, `sme`, `customer_liaison` or `owner`.
    pub role: String,
    pub text: String,
    pub done: bool,
}

/// Ticks or unticks an item of the after-incident checklists (made when the incident is
/// resolved).
#[utoipa::path(post, path = "/api/v1/incidents/{key}/checklist/{position}", tag = "postmortem", request_body = TickJson,
    params(("key" = String, Path), ("position" = usize, Path, description = "the item's place in the list, from 1")),
    responses((status = 200, body = ChecklistItemJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "no such incident or item", body = ErrorBody)))]
pub async fn tick_checklist(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((key, position)): Path<(String, String)>,
    ApiJson(body): ApiJson<TickJson>,
) -> Result<Json<ChecklistItemJson>, ApiError> {
    let user = writer(&caller, &headers)?;
    let key = parse_key(&key)?;
    let position: usize = position.parse().map_err(|_| {
        ApiError::not_found(format!(
            "no checklist item `{position}`: items are numbered from 1"
        ))
    })?;
    let app = app_for(&state, &user);
    let item = blocking(move || {
        visible_record(&app, &user, key)?;
        app.tick_checklist(key, position, body.done)?;
        let saved = app.store().postmortem(key)?;
        saved
            .value
            .checklists
            .get(position.saturating_sub(1))
            .cloned()
            .ok_or_else(ApiError::internal)
    })
    .await?;
    Ok(Json(ChecklistItemJson {
        position,
        role: item.role.as_str().to_owned(),
        text: item.text,
        done: item.done,
    }))
}

/// The largest document the API imports (32 MiB): a long timeline with every section fits.
const MAX_DOCUMENT: usize = 32 * 1024 * 1024;

/// Imports a post-mortem in the JSON document format (`hindsight.postmortem`, version 1, as
/// `…/export/json` writes it) as a new incident with a key of its own, all or nothing. Its review
/// starts again as a draft.
#[utoipa::path(post, path = "/api/v1/documents", tag = "postmortem",
    request_body(content = Object, content_type = "application/json",
        description = "a document in the format of the PostmortemDocument schema"),
    responses((status = 201, description = "imported; `Location` is the new incident", body = IncidentJson),
        (status = 400, description = "the document was refused: the message says where", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
pub async fn import_document(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let user = writer(&caller, &headers)?;
    let bytes = super::json::json_body(&headers, body, MAX_DOCUMENT, "the document").await?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("body", "the document is not UTF-8 text"))?;
    let app = app_for(&state, &user);
    let record = blocking(move || {
        let incident = app.import_document(&text, "the document")?;
        Ok::<_, ApiError>(app.record(incident.key)?)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/incidents/{}", record.incident.key),
        )],
        Json(IncidentJson::of_record(&record)),
    )
        .into_response())
}
