//! The JSON API under `/api/v1`: everything the pages do, for scripts. Reads need the viewer
//! role, changes the editor role, accounts the admin role; a private incident the caller may not
//! see answers 404. The post-mortem document is versioned: its `ETag` is its version, and a save
//! must send it back in `If-Match` so that a stale save is refused (409) instead of overwriting.

pub mod accounts;
pub mod document;
pub mod incidents;
pub mod intake;
pub mod json;
pub mod model;

use crate::{ApiError, AppState, auth::Caller};
use axum::{
    Router,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    routing::{get, post, put},
};
use hindsight_app::Hindsight;
use hindsight_core::{AccountRole, IncidentKey, IncidentRecord, User};

pub fn routes() -> Router<AppState> {
    use incidents::*;
    Router::new()
        .route("/incidents", get(list_incidents).post(create_incident))
        .route("/incidents/{key}", get(get_incident).patch(change_incident))
        .route(
            "/incidents/{key}/timeline",
            get(list_events).post(add_event),
        )
        .route(
            "/incidents/{key}/timeline/{id}",
            put(replace_event).delete(delete_event),
        )
        .route(
            "/incidents/{key}/postmortem",
            get(get_postmortem).put(put_postmortem),
        )
        .route(
            "/incidents/{key}/postmortem/sections/{section}",
            put(put_section),
        )
        .route("/incidents/{key}/postmortem/status", post(move_postmortem))
        .route("/incidents/{key}/check", get(check))
        .route(
            "/incidents/{key}/actions",
            get(list_actions).post(add_action),
        )
        .route(
            "/incidents/{key}/actions/{id}",
            axum::routing::patch(change_action),
        )
        .route("/incidents/{key}/history", get(history))
        .route("/incidents/{key}/diff", get(diff))
        .route("/incidents/{key}/export/{format}", get(export))
        .merge(document_routes())
        .merge(accounts::routes())
        .fallback(|| async { ApiError::not_found("no such API route; see /api/openapi.json") })
}

/// The responders, messages, checklists, proposals, chat imports and document imports.
fn document_routes() -> Router<AppState> {
    use document::*;
    use intake::*;
    Router::new()
        .route("/incidents/{key}/responders", put(put_responders))
        .route(
            "/incidents/{key}/messages/{kind}",
            put(document::put_message),
        )
        .route(
            "/incidents/{key}/messages/{kind}/draft",
            post(draft_message),
        )
        .route(
            "/incidents/{key}/checklist/{position}",
            post(tick_checklist),
        )
        .route("/incidents/{key}/proposals", get(list_proposals))
        .route("/incidents/{key}/proposals/decide", post(decide_proposals))
        .route(
            "/incidents/{key}/import/{format}",
            post(import_chat).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD as usize)),
        )
        .route("/documents", post(document::import_document))
}

/// Runs store work on a blocking thread: the store is synchronous.
pub(crate) async fn blocking<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| E::from(ApiError::internal()))?
}

/// Reads an incident key from a path; a malformed key is an unknown incident.
pub(crate) fn parse_key(text: &str) -> Result<IncidentKey, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(format!("no incident {text}: keys look like INC-42")))
}

/// The record of `key`, if `user` may see it; otherwise the same 404 as a missing incident.
pub(crate) fn visible_record(
    app: &Hindsight,
    user: &User,
    key: IncidentKey,
) -> Result<IncidentRecord, ApiError> {
    let record = app.record(key)?;
    if !crate::auth::can_see(user, &record) {
        return Err(ApiError::not_found(format!("no incident {key}")));
    }
    Ok(record)
}

/// The application acting as the caller, so revisions name them.
pub(crate) fn app_for(state: &AppState, user: &User) -> Hindsight {
    state.app.acting_as(user.display_name.as_str())
}

/// The caller with at least `role`, for a read.
pub(crate) fn reader(caller: &Caller) -> Result<User, ApiError> {
    caller.api_require(AccountRole::Viewer).cloned()
}

/// The caller with at least `role`, for a change.
pub(crate) fn writer(caller: &Caller, headers: &HeaderMap) -> Result<User, ApiError> {
    caller
        .api_require_write(AccountRole::Editor, headers)
        .cloned()
}

/// The `ETag` of a post-mortem version.
pub(crate) fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version a save is based on, from `If-Match`: required, so no client can overwrite a
/// document it has not read.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    let value = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "send the version you edited in If-Match (the ETag of GET …/postmortem), so a concurrent change is not overwritten",
            )
        })?;
    value
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| {
            ApiError::bad_request(
                "If-Match",
                format!(
                    "`{value}` is not a version: expected the ETag of the post-mortem, like \"3\""
                ),
            )
        })
}
