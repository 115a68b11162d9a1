//! `/api/v1/me`, `/api/v1/tokens` and `/api/v1/users`: who am I, my API tokens, and (for
//! admins) the accounts.

use super::json::ApiJson;
use super::model::UserJson;
use super::{blocking, reader};
use crate::{
    ApiError, AppState,
    auth::{self, Caller},
    error::ErrorBody,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{delete, get, patch},
};
use hindsight_core::{AccountRole, NewUser, UserId, text::Line};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", patch(change_user))
}

/// The account making the request.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = UserJson), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Result<Json<UserJson>, ApiError> {
    Ok(Json(UserJson::from(&reader(&caller)?)))
}

/// An API token as listed: the secret itself is shown only once, when it is made.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    pub id: i64,
    pub label: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Only in the answer to its creation: keep it, it cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// What to call a new token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenJson {
    pub label: String,
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, body = Vec<TokenJson>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenJson>>, ApiError> {
    let user = reader(&caller)?;
    let app = state.app.clone();
    let tokens = blocking(move || Ok::<_, ApiError>(app.store().api_tokens(user.id)?)).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenJson {
                id: t.id,
                label: t.label.as_str().to_owned(),
                created_at: t.created_at,
                token: None,
            })
            .collect(),
    ))
}

/// Makes an API token for the caller, with the caller's role.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewTokenJson,
    responses((status = 201, description = "the token, shown this once", body = TokenJson),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewTokenJson>,
) -> Result<Response, ApiError> {
    let user = caller
        .api_require_write(AccountRole::Viewer, &headers)?
        .clone();
    let label = Line::parse("label", &body.label).map_err(|e| ApiError::bad_request("label", e))?;
    let app = state.app.clone();
    let (info, secret) = blocking(move || {
        let (info, secret) = make_token(&app, user.id, &label)?;
        Ok::<_, ApiError>((info, secret))
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenJson {
            id: info.id,
            label: info.label.as_str().to_owned(),
            created_at: info.created_at,
            token: Some(secret),
        }),
    )
        .into_response())
}

/// Makes a token and returns it with its secret; shared with the account page.
pub(crate) fn make_token(
    app: &hindsight_app::Hindsight,
    user: UserId,
    label: &Line,
) -> Result<(hindsight_core::ApiTokenInfo, String), ApiError> {
    let secret = format!("{}{}", auth::TOKEN_PREFIX, auth::new_secret());
    let info = app
        .store()
        .create_api_token(user, label, &auth::secret_hash(&secret), app.now())?;
    Ok((info, secret))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let user = caller
        .api_require_write(AccountRole::Viewer, &headers)?
        .clone();
    let app = state.app.clone();
    let revoked =
        blocking(move || Ok::<_, ApiError>(app.store().revoke_api_token(user.id, id)?)).await?;
    // The token stops working on the next request, not only when the memory of callers expires.
    state.callers.forget_all();
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("you have no API token {id}")))
    }
}

/// Every account (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, body = Vec<UserJson>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserJson>>, ApiError> {
    caller.api_require(AccountRole::Admin)?;
    let app = state.app.clone();
    let users = blocking(move || Ok::<_, ApiError>(app.store().users()?)).await?;
    Ok(Json(users.iter().map(UserJson::from).collect()))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserJson {
    /// The sign-in name: a-z, 0-9, `.`, `_`, `-`.
    pub name: String,
    /// How the person is named on post-mortems.
    pub display_name: String,
    /// `viewer`, `editor` or `admin`.
    pub role: String,
    /// At least 10 characters.
    pub password: String,
}

/// Creates an account (admins only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserJson,
    responses((status = 201, body = UserJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, description = "the name is taken", body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewUserJson>,
) -> Result<Response, ApiError> {
    caller.api_require_write(AccountRole::Admin, &headers)?;
    let role: AccountRole = body
        .role
        .parse()
        .map_err(|e| ApiError::bad_request("role", e))?;
    let new = NewUser::new(&body.name, &body.display_name, role).map_err(|e| match e {
        hindsight_core::AccountError::Name(e) => ApiError::bad_request("name", e),
        hindsight_core::AccountError::Text(e) => ApiError::bad_request("display_name", e),
    })?;
    auth::check_new_password(&body.password).map_err(|e| ApiError::bad_request("password", e))?;
    let app = state.app.clone();
    let user = blocking(move || {
        let hash = auth::hash_password(&body.password).map_err(|e| {
            tracing::error!("{e}");
            ApiError::internal()
        })?;
        Ok::<_, ApiError>(app.store().create_user(&new, &hash, app.now())?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(UserJson::from(&user))).into_response())
}

/// A change of role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeJson {
    pub role: String,
}

/// Changes an account's role (admins only).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "accounts", request_body = UserChangeJson,
    params(("id" = i64, Path)),
    responses((status = 200, body = UserJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserChangeJson>,
) -> Result<Json<UserJson>, ApiError> {
    let admin = caller.api_require_write(AccountRole::Admin, &headers)?;
    let role: AccountRole = body
        .role
        .parse()
        .map_err(|e| ApiError::bad_request("role", e))?;
    if admin.id == UserId(id) && role != AccountRole::Admin {
        return Err(ApiError::bad_request(
            "role",
            "an admin cannot take the admin role from themselves; ask another admin",
        ));
    }
    let app = state.app.clone();
    let user =
        blocking(move || Ok::<_, ApiError>(app.store().set_user_role(UserId(id), role)?)).await?;
    state.callers.forget_all();
    Ok(Json(UserJson::from(&user)))
}
