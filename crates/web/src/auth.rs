//! Who is calling, and what they may do.
//!
//! - Browsers sign in with a name and password (argon2 hashes) and get a session cookie
//!   (`HttpOnly`, `SameSite=Lax`, `Secure` behind HTTPS) whose token the store keeps only as a
//!   SHA-256 hash. Every form of a session carries its CSRF token, checked on every POST.
//! - Scripts send an API token as `Authorization: Bearer hs_…`; the store keeps only its hash.
//! - Each account has a role (viewer, editor, admin); private incidents are visible to their
//!   members (a responder or the owner with the account's display name) and to admins, and a
//!   private incident hidden from a caller answers 404, as if it did not exist.

use crate::{ApiError, AppState, PageError};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng, rand_core::RngCore},
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use hindsight_core::{AccountRole, IncidentRecord, User};
use sha2::{Digest, Sha256};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "hindsight_session";
/// The prefix of API tokens, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "hs_";

/// Hashes a password for storage (argon2id, a random salt, the PHC string format).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored `hash`; an unreadable hash matches nothing.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Checks a new password: long enough to resist guessing, short enough to hash quickly.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < 10 {
        return Err("a password needs at least 10 characters".to_owned());
    }
    if length > 256 {
        return Err("a password has at most 256 characters".to_owned());
    }
    Ok(())
}

/// A fresh random secret: 32 bytes from the operating system, in hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the store keeps of a secret: its SHA-256, in hex.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    /// A browser session: forms must carry `csrf_token`.
    Session {
        token_hash: String,
        csrf_token: String,
    },
    /// An API token: no cookie, so no cross-site request can carry it.
    Token,
}

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Option<User>,
    pub via: Via,
}

impl Caller {
    pub fn anonymous() -> Self {
        Caller {
            user: None,
            via: Via::Anonymous,
        }
    }

    /// The CSRF token forms of this session carry (empty without a session).
    pub fn csrf_token(&self) -> &str {
        match &self.via {
            Via::Session { csrf_token, .. } => csrf_token,
            _ => "",
        }
    }

    /// The signed-in account, if it has at least `role`; for the API.
    pub fn api_require(&self, role: AccountRole) -> Result<&User, ApiError> {
        let user = self.user.as_ref().ok_or_else(ApiError::unauthorized)?;
        if user.role < role {
            return Err(ApiError::forbidden(format!(
                "this needs the {} role; {} is {}",
                role.as_str(),
                user.name,
                user.role.as_str()
            )));
        }
        Ok(user)
    }

    /// Like [`Caller::api_require`], for a request that changes something: a browser session
    /// must also send its CSRF token in `X-CSRF-Token`.
    pub fn api_require_write(
        &self,
        role: AccountRole,
        headers: &HeaderMap,
    ) -> Result<&User, ApiError> {
        let user = self.api_require(role)?;
        if let Via::Session { csrf_token, .. } = &self.via {
            let sent = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same_secret(sent, csrf_token) {
                return Err(ApiError::forbidden(
                    "a change made with a session cookie needs the session's X-CSRF-Token header",
                ));
            }
        }
        Ok(user)
    }

    /// The signed-in account, if it has at least `role`; for a page. Anonymous callers are sent
    /// to the sign-in page by [`PageError`]'s 401 handling.
    pub fn page_require(&self, role: AccountRole) -> Result<&User, PageError> {
        let user = self
            .user
            .as_ref()
            .ok_or_else(|| PageError::new(StatusCode::UNAUTHORIZED, "sign in to see this page"))?;
        if user.role < role {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "this needs the {} role; you are {}. An admin can change your role.",
                    role.as_str(),
                    user.role.as_str()
                ),
            ));
        }
        Ok(user)
    }

    /// Checks the CSRF token a form sent; then the account must have at least `role`.
    pub fn page_require_form(&self, role: AccountRole, sent: &str) -> Result<&User, PageError> {
        let user = self.page_require(role)?;
        if !same_secret(sent, self.csrf_token()) || sent.is_empty() {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "this form is out of date or did not come from hindsight: reload the page and try again",
            ));
        }
        Ok(user)
    }
}

/// Whether `user` may see this incident at all: the same rule the incident list applies in the
/// store, so a page and the list cannot disagree.
pub fn can_see(user: &User, record: &IncidentRecord) -> bool {
    let member = (!user.role.is_admin()).then(|| user.display_name.as_str());
    hindsight_store::visible_to(record, member)
}

/// The value of one cookie of a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Found already by `require_account`.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let session = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
        if bearer.is_none() && session.is_none() {
            return Ok(Caller::anonymous());
        }
        if let Some(token) = bearer {
            return token_caller(state, &token).await;
        }
        let Some(cookie) = session else {
            return Ok(Caller::anonymous());
        };
        let app = state.app.clone();
        let now = app.now();
        // Hashed once, and first looked up in the few seconds' memory of recent callers.
        let token_hash = secret_hash(&cookie);
        let callers = state.callers.clone();
        if let Some(found) = callers.session(&token_hash, now) {
            return Ok(Caller {
                user: Some(found.user),
                via: Via::Session {
                    token_hash,
                    csrf_token: found.csrf_token,
                },
            });
        }
        tokio::task::spawn_blocking(move || {
            Ok(match app.store().session(&token_hash, now)? {
                Some(found) => {
                    callers.remember_session(&token_hash, &found);
                    Caller {
                        user: Some(found.user),
                        via: Via::Session {
                            token_hash,
                            csrf_token: found.csrf_token,
                        },
                    }
                }
                // An expired or unknown cookie is just a signed-out browser.
                None => Caller::anonymous(),
            })
        })
        .await
        .map_err(|_| ApiError::internal())?
    }
}

/// The caller an API token names, whether it came in `Authorization` or (for webhooks) in the
/// query: first from the few seconds' memory of recent callers, then from the store. A bad
/// token is an error, not anonymity: a script should hear that its token stopped working rather
/// than be served as nobody.
pub async fn token_caller(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let token_hash = secret_hash(token);
    let callers = state.callers.clone();
    if let Some(user) = callers.token(&token_hash) {
        return Ok(Caller {
            user: Some(user),
            via: Via::Token,
        });
    }
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || {
        let user = app.store().user_by_api_token(&token_hash)?.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this API token is unknown or was revoked",
            )
        })?;
        callers.remember_token(&token_hash, &user);
        Ok(Caller {
            user: Some(user),
            via: Via::Token,
        })
    })
    .await
    .map_err(|_| ApiError::internal())?
}

/// The API answers accounts only: a request without one is refused (401) before anything else of
/// it is read, so an anonymous caller hears "sign in" rather than what its body lacks. The
/// caller found is kept for the handler, which then checks the role.
pub async fn require_account(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match Caller::from_request_parts(&mut parts, &state).await {
        Ok(caller) if caller.user.is_some() => {
            parts.extensions.insert(caller);
            next.run(Request::from_parts(parts, body)).await
        }
        Ok(_) => ApiError::unauthorized().into_response(),
        Err(refused) => refused.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery "));
        assert!(!verify_password("not a hash", "anything"));
    }

    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(secret_hash(&a), a);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &b));
        assert!(!same_secret("", &a));
    }

    #[test]
    fn cookies_are_found_by_name_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "theme=dark; hindsight_session=abc123; other=1"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc123"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
