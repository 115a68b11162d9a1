//! The HTML pages: server-rendered, working without JavaScript. Reading needs a signed-in
//! viewer, every form an editor (admins for accounts) and the session's CSRF token. After a
//! change a form redirects (post/redirect/get) with a fixed notice code, never with text from the
//! request, so a link cannot make hindsight display words it did not write.

pub mod account;
pub mod document;
pub mod incident;
pub mod intake;
pub mod layout;
pub mod list;

use crate::{AppState, PageError, auth::Caller};
use axum::{
    Router,
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list::incidents))
        .route("/static/hindsight.css", get(stylesheet))
        .route("/signin", get(account::signin_page).post(account::signin))
        .route("/signout", post(account::signout))
        .route("/account", get(account::account_page))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/password", post(account::change_password))
        .route(
            "/admin/users",
            get(account::users_page).post(account::create_user),
        )
        .route("/admin/users/{id}/role", post(account::change_role))
        .route("/incidents/new", get(incident::new_page))
        .route("/incidents", post(incident::create))
        .route("/incidents/{key}", get(incident::show))
        .route(
            "/incidents/{key}/edit",
            get(incident::edit_page).post(incident::edit),
        )
        .route(
            "/incidents/{key}/sections/{section}",
            get(incident::section_page).post(incident::save_section),
        )
        .route("/incidents/{key}/events", post(incident::add_event))
        .route("/incidents/{key}/timeline.csv", post(incident::import_csv))
        .route(
            "/incidents/{key}/events/{id}",
            get(incident::event_page).post(incident::edit_event),
        )
        .route(
            "/incidents/{key}/events/{id}/delete",
            post(incident::delete_event),
        )
        .route("/incidents/{key}/actions", post(incident::add_action))
        .route(
            "/incidents/{key}/actions/{id}",
            get(incident::action_page).post(incident::edit_action),
        )
        .route("/incidents/{key}/status", post(incident::move_status))
        .route(
            "/incidents/{key}/checklist/{position}",
            post(incident::tick),
        )
        .route("/incidents/{key}/history", get(incident::history))
        .merge(document_routes())
        .fallback(|| async { PageError::not_found("there is no page here") })
}

/// The document's forms, the messages, and the import review screen.
fn document_routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{key}/document", get(document::document_page))
        .route(
            "/incidents/{key}/document/{part}",
            get(document::part_page).post(document::save_part),
        )
        .route(
            "/incidents/{key}/messages/{kind}",
            get(document::message_page).post(document::save_message),
        )
        .route("/incidents/{key}/proposals", get(intake::review_page))
        .route(
            "/incidents/{key}/proposals/decide",
            post(intake::decide_form),
        )
        .route(
            "/incidents/{key}/proposals/import",
            post(intake::import_form).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::intake::MAX_UPLOAD as usize + 64 * 1024,
            )),
        )
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        layout::STYLESHEET,
    )
        .into_response()
}

/// `?done=CODE`: the notice a redirect asks the page to show.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// A form that carries nothing but the session's CSRF token.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// The record of `key` if `user` may see it; the same "not found" as a missing incident if not.
pub async fn visible(
    state: &AppState,
    user: &hindsight_core::User,
    key: &str,
) -> Result<hindsight_core::IncidentRecord, PageError> {
    let key = crate::api::parse_key(key).map_err(PageError::from)?;
    let (app, user) = (state.app.clone(), user.clone());
    crate::api::blocking(move || Ok::<_, PageError>(crate::api::visible_record(&app, &user, key)?))
        .await
}

/// The notices a redirect may ask a page to show, by code.
pub fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "The incident is open. Fill its timeline and post-mortem below.",
        "saved" => "Saved.",
        "event-added" => "The event is on the timeline.",
        "event-exists" => "That event was already on the timeline; nothing was added.",
        "event-removed" => "The event was removed.",
        "imported" => "The events of the CSV are on the timeline.",
        "action-added" => "The action item is filed.",
        "moved" => "The post-mortem moved on.",
        "token" => "Your API token is below. Copy it now: it is shown only once.",
        "password" => "Your password is changed, and your other sessions are signed out.",
        "user-created" => "The account is created.",
        "role" => "The role is changed.",
        "signed-out" => "You are signed out.",
        _ => return None,
    })
}

/// Where to go after a change: the page and a notice code.
pub fn see_other(path: &str, code: &str) -> Response {
    Redirect::to(&format!("{path}?done={code}")).into_response()
}

/// Pages need a signed-in viewer: anonymous visitors go to the sign-in page and come back.
// The refusal is a whole response that the caller returns at once; boxing it would only add a
// dereference at every call site.
#[allow(clippy::result_large_err)]
pub fn signed_in(caller: &Caller, here: &str) -> Result<hindsight_core::User, Response> {
    match caller.page_require(hindsight_core::AccountRole::Viewer) {
        Ok(user) => Ok(user.clone()),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            let next = url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>();
            Err(Redirect::to(&format!("/signin?next={next}")).into_response())
        }
        Err(e) => Err(e.into_response()),
    }
}
