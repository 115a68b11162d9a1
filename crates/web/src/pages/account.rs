//! Signing in and out, the account page (API tokens, password) and the admins' accounts page.

use super::layout::{bare, csrf, flash, page};
use super::{CsrfOnly, DoneQuery, notice, see_other, signed_in};
use crate::{
    AppState, PageError,
    api::blocking,
    auth::{self, Caller, SESSION_COOKIE},
};
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Duration;
use hindsight_core::{AccountRole, NewUser, UserId, Username, text::Line};
use hindsight_store::NewSession;
use maud::html;
use serde::Deserialize;
use std::sync::OnceLock;

/// The cookie that ties the sign-in form to the browser that asked for it, so no other site can
/// sign a visitor into an account of its choosing.
const SIGNIN_COOKIE: &str = "hindsight_signin";

#[derive(Debug, Default, Deserialize)]
pub struct SigninQuery {
    next: Option<String>,
    done: Option<String>,
}

/// A path on this server to return to after signing in; anything else goes to the list.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn cookie_attributes(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

pub async fn signin_page(
    State(state): State<AppState>,
    Query(query): Query<SigninQuery>,
) -> Response {
    signin_form(&state, &query, None, StatusCode::OK)
}

fn signin_form(
    state: &AppState,
    query: &SigninQuery,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let nonce = auth::new_secret();
    let body = html! {
        section.card.signin {
            h1 { "Sign in to hindsight" }
            (flash(notice(query.done.as_deref()), error))
            form method="post" action="/signin" {
                input type="hidden" name="nonce" value=(nonce);
                input type="hidden" name="next" value=(local_path(query.next.as_deref()));
                div.field { label for="name" { "Name" } input #name name="name" autocomplete="username" required autofocus; }
                div.field { label for="password" { "Password" } input #password type="password" name="password" autocomplete="current-password" required; }
                button type="submit" { "Sign in" }
            }
            p.muted.small {
                "No account yet? An admin makes one on the Accounts page, or on the server: "
                code { "hindsight user add NAME --display-name \"Your Name\" --role editor" }
            }
        }
    };
    let cookie = format!(
        "{SIGNIN_COOKIE}={nonce}; Path=/signin; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        cookie_attributes(state)
    );
    (
        status,
        [(header::SET_COOKIE, cookie)],
        bare("Sign in", body),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    nonce: String,
    next: Option<String>,
}

/// A hash to check a password against when the name is unknown, so a wrong name takes as long
/// as a wrong password and names cannot be probed by timing.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| auth::hash_password("decoy password, never valid").unwrap_or_default())
}

pub async fn signin(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SigninForm>,
) -> Response {
    let query = SigninQuery {
        next: form.next.clone(),
        done: None,
    };
    let nonce = auth::cookie(&headers, SIGNIN_COOKIE).unwrap_or("");
    if form.nonce.is_empty() || !auth::same_secret(nonce, &form.nonce) {
        return signin_form(
            &state,
            &query,
            Some("This sign-in form expired or came from elsewhere; please sign in again."),
            StatusCode::FORBIDDEN,
        );
    }
    let Ok(name) = Username::parse(&form.name) else {
        return signin_form(
            &state,
            &query,
            Some("The name or the password is wrong."),
            StatusCode::UNAUTHORIZED,
        );
    };
    let app = state.app.clone();
    let hours = state.config.session_hours;
    let password = form.password;
    let signed: Result<Option<String>, PageError> = blocking(move || {
        let found = app.store().user_credentials(&name)?;
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, decoy_hash().to_owned()),
        };
        let good = auth::verify_password(&hash, &password);
        let Some(user) = user.filter(|_| good) else {
            return Ok(None);
        };
        let token = auth::new_secret();
        app.store().create_session(&NewSession {
            token_hash: auth::secret_hash(&token),
            user: user.id,
            csrf_token: auth::new_secret(),
            expires_at: app.now() + Duration::hours(hours),
        })?;
        tracing::info!(user = %user.name, "{} signed in", user.name);
        Ok(Some(token))
    })
    .await;
    match signed {
        Ok(Some(token)) => {
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                hours * 3600,
                cookie_attributes(&state)
            );
            let mut response = Redirect::to(&local_path(form.next.as_deref())).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookie.parse().expect("a cookie header"));
            response
        }
        Ok(None) => signin_form(
            &state,
            &query,
            Some("The name or the password is wrong."),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => e.into_response(),
    }
}

pub async fn signout(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    if let auth::Via::Session { token_hash, .. } = &caller.via {
        caller.page_require_form(AccountRole::Viewer, &form.csrf)?;
        let app = state.app.clone();
        let token_hash = token_hash.clone();
        blocking(move || Ok::<_, PageError>(app.store().delete_session(&token_hash)?)).await?;
        state.callers.forget_all();
    }
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_attributes(&state)
    );
    let mut response = Redirect::to("/signin?done=signed-out").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie.parse().expect("a cookie header"));
    Ok(response)
}

pub async fn account_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DoneQuery>,
) -> Response {
    let user = match signed_in(&caller, "/account") {
        Ok(user) => user,
        Err(redirect) => return redirect,
    };
    account_view(
        &state,
        &caller,
        user,
        notice(query.done.as_deref()),
        None,
        None,
    )
    .await
}

async fn account_view(
    state: &AppState,
    caller: &Caller,
    user: hindsight_core::User,
    ok: Option<&str>,
    error: Option<&str>,
    new_token: Option<String>,
) -> Response {
    let app = state.app.clone();
    let id = user.id;
    let tokens = match blocking(move || Ok::<_, PageError>(app.store().api_tokens(id)?)).await {
        Ok(tokens) => tokens,
        Err(e) => return e.into_response(),
    };
    let body = html! {
        h1 { "Your account" }
        (flash(ok, error))
        section.card {
            h2 { (user.display_name.as_str()) }
            p.muted { "Signed in as " code { (user.name) } " with the " strong { (user.role.as_str()) } " role." }
        }
        section.card {
            h2 { "API tokens" }
            p.muted.small { "Scripts send a token as " code { "Authorization: Bearer TOKEN" } "; it acts with your role. The API is described at " a href="/api/openapi.json" { "/api/openapi.json" } "." }
            @if let Some(token) = &new_token {
                div.flash.ok { "New token: " code #new-token { (token) } }
            }
            @if tokens.is_empty() { p { "You have no API token." } } @else {
                div.table-wrap { table {
                    thead { tr { th { "Label" } th { "Made" } th {} } }
                    tbody { @for t in &tokens { tr {
                        td { (t.label.as_str()) }
                        td { (t.created_at.format("%Y-%m-%d %H:%M UTC")) }
                        td { form.inline-form method="post" action={ "/account/tokens/" (t.id) "/revoke" } {
                            (csrf(caller)) button.danger type="submit" { "Revoke" } } }
                    } } }
                } }
            }
            form method="post" action="/account/tokens" {
                (csrf(caller))
                div.row {
                    div.field { label for="label" { "Label" } input #label name="label" placeholder="deploy bot" required; }
                }
                button type="submit" { "Make a token" }
            }
        }
        section.card {
            h2 { "Password" }
            form method="post" action="/account/password" {
                (csrf(caller))
                div.row {
                    div.field { label for="current" { "Current password" } input #current type="password" name="current" autocomplete="current-password" required; }
                    div.field { label for="new" { "New password" span.hint { " (at least 10 characters)" } } input #new type="password" name="new" autocomplete="new-password" required minlength="10"; }
                }
                button type="submit" { "Change the password" }
            }
        }
    };
    page("Your account", caller, body).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    let user = caller
        .page_require_form(AccountRole::Viewer, &form.csrf)?
        .clone();
    let label = match Line::parse("label", &form.label) {
        Ok(label) => label,
        Err(e) => {
            return Ok(account_view(&state, &caller, user, None, Some(&e.to_string()), None).await);
        }
    };
    let app = state.app.clone();
    let id = user.id;
    let (_, secret) = blocking(move || {
        crate::api::accounts::make_token(&app, id, &label).map_err(PageError::from)
    })
    .await?;
    // The token is shown in this answer only; it is not put in a URL.
    Ok(account_view(
        &state,
        &caller,
        user,
        notice(Some("token")),
        None,
        Some(secret),
    )
    .await)
}

pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    let user = caller
        .page_require_form(AccountRole::Viewer, &form.csrf)?
        .clone();
    let app = state.app.clone();
    blocking(move || Ok::<_, PageError>(app.store().revoke_api_token(user.id, id)?)).await?;
    state.callers.forget_all();
    Ok(see_other("/account", "saved"))
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let user = caller
        .page_require_form(AccountRole::Viewer, &form.csrf)?
        .clone();
    if let Err(e) = auth::check_new_password(&form.new) {
        return Ok(account_view(&state, &caller, user, None, Some(&e), None).await);
    }
    let app = state.app.clone();
    let name = user.name.clone();
    let changed = blocking(move || {
        let Some((found, hash)) = app.store().user_credentials(&name)? else {
            return Ok(false);
        };
        if !auth::verify_password(&hash, &form.current) {
            return Ok(false);
        }
        let new_hash = auth::hash_password(&form.new)
            .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        app.store().set_password_hash(found.id, &new_hash)?;
        Ok::<_, PageError>(true)
    })
    .await?;
    // Other sessions were ended: forget them here too.
    state.callers.forget_all();
    if !changed {
        return Ok(account_view(
            &state,
            &caller,
            user,
            None,
            Some("The current password is wrong; nothing changed."),
            None,
        )
        .await);
    }
    // Changing the password ended every session, this one too: sign in again.
    Ok(Redirect::to("/signin?done=password").into_response())
}

pub async fn users_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    if let Err(redirect) = signed_in(&caller, "/admin/users") {
        return Ok(redirect);
    }
    caller.page_require(AccountRole::Admin)?;
    users_view(&state, &caller, notice(query.done.as_deref()), None).await
}

async fn users_view(
    state: &AppState,
    caller: &Caller,
    ok: Option<&str>,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let app = state.app.clone();
    let users = blocking(move || Ok::<_, PageError>(app.store().users()?)).await?;
    let body = html! {
        h1 { "Accounts" }
        (flash(ok, error))
        section.card {
            p.muted.small { "Viewers read, editors also write, admins also manage accounts and see every private incident." }
            div.table-wrap { table {
                thead { tr { th { "Name" } th { "Display name" } th { "Role" } th { "Since" } } }
                tbody { @for u in &users { tr {
                    td { code { (u.name) } }
                    td { (u.display_name.as_str()) }
                    td {
                        form.inline-form method="post" action={ "/admin/users/" (u.id) "/role" } {
                            (csrf(caller))
                            select name="role" aria-label={ "Role of " (u.name) } {
                                @for role in AccountRole::ALL {
                                    option value=(role.as_str()) selected[*role == u.role] { (role.as_str()) }
                                }
                            }
                            " " button.secondary type="submit" { "Change" }
                        }
                    }
                    td { (u.created_at.format("%Y-%m-%d")) }
                } } }
            } }
        }
        section.card {
            h2 { "New account" }
            form method="post" action="/admin/users" {
                (csrf(caller))
                div.row {
                    div.field { label for="name" { "Sign-in name" } input #name name="name" required placeholder="ana.lima"; }
                    div.field { label for="display_name" { "Display name" span.hint { " as on post-mortems" } } input #display_name name="display_name" required placeholder="Ana Lima"; }
                    div.field { label for="role" { "Role" } select #role name="role" { @for role in AccountRole::ALL { option value=(role.as_str()) selected[*role == AccountRole::Editor] { (role.as_str()) } } } }
                    div.field { label for="password" { "Password" span.hint { " (10+ characters)" } } input #password type="password" name="password" required minlength="10" autocomplete="new-password"; }
                }
                button type="submit" { "Create the account" }
            }
        }
    };
    Ok(page("Accounts", caller, body).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    caller.page_require_form(AccountRole::Admin, &form.csrf)?;
    let role = form.role.parse::<AccountRole>().map_err(|e| e.to_string());
    let new = role.and_then(|role| {
        NewUser::new(&form.name, &form.display_name, role).map_err(|e| e.to_string())
    });
    let checked = new.and_then(|new| auth::check_new_password(&form.password).map(|()| new));
    let new = match checked {
        Ok(new) => new,
        Err(e) => return users_view(&state, &caller, None, Some(&e)).await,
    };
    let app = state.app.clone();
    let password = form.password;
    let created = blocking(move || {
        let hash = auth::hash_password(&password)
            .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        match app.store().create_user(&new, &hash, app.now()) {
            Ok(_) => Ok(None),
            Err(hindsight_store::StoreError::UserExists(name)) => {
                Ok(Some(format!("a user named `{name}` already exists")))
            }
            Err(e) => Err(PageError::from(e)),
        }
    })
    .await?;
    match created {
        None => Ok(see_other("/admin/users", "user-created")),
        Some(error) => users_view(&state, &caller, None, Some(&error)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response, PageError> {
    let admin = caller
        .page_require_form(AccountRole::Admin, &form.csrf)?
        .clone();
    let role = match form.role.parse::<AccountRole>() {
        Ok(role) => role,
        Err(e) => return users_view(&state, &caller, None, Some(&e.to_string())).await,
    };
    if admin.id == UserId(id) && role != AccountRole::Admin {
        return users_view(
            &state,
            &caller,
            None,
            Some("You cannot take the admin role from yourself; ask another admin."),
        )
        .await;
    }
    let app = state.app.clone();
    blocking(move || Ok::<_, PageError>(app.store().set_user_role(UserId(id), role)?)).await?;
    state.callers.forget_all();
    Ok(see_other("/admin/users", "role"))
}
