//! A few seconds' memory of who presented which credential, so that a script or a browser making
//! many requests is not one more database read (and one more hop to a blocking thread) per
//! request.
//!
//! Only credentials the store recognised are kept, by the hash the store keeps of them (an unknown
//! token always asks the store again). Every change to accounts, tokens or sessions made through
//! this server forgets everything at once ([`CallerCache::forget_all`]), so a revoked token or a
//! lowered role takes effect on the next request; a change made elsewhere (the command line,
//! another server on the same PostgreSQL) is seen within [`TTL`]. A session's expiry is checked on
//! every use, cached or not.

use chrono::{DateTime, Utc};
use hindsight_core::{Session, User};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long an answer of the store is trusted.
pub(crate) const TTL: Duration = Duration::from_secs(2);
/// Past this many credentials the memory starts again empty: a bound, not an eviction policy.
const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Clone)]
enum Known {
    Token(User),
    Session(Session),
}

#[derive(Debug, Default)]
pub(crate) struct CallerCache {
    entries: Mutex<HashMap<String, (Instant, Known)>>,
}

impl CallerCache {
    fn get(&self, key: &str) -> Option<Known> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, known)| known.clone())
    }

    fn put(&self, key: String, known: Known) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), known));
    }

    /// The account of an API token the store recognised within [`TTL`], by the token's hash.
    pub(crate) fn token(&self, token_hash: &str) -> Option<User> {
        match self.get(&format!("t{token_hash}"))? {
            Known::Token(user) => Some(user),
            Known::Session(_) => None,
        }
    }

    pub(crate) fn remember_token(&self, token_hash: &str, user: &User) {
        self.put(format!("t{token_hash}"), Known::Token(user.clone()));
    }

    /// A session the store recognised within [`TTL`] that has not expired by `now`.
    pub(crate) fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Option<Session> {
        match self.get(&format!("s{token_hash}"))? {
            Known::Session(session) if session.expires_at > now => Some(session),
            _ => None,
        }
    }

    pub(crate) fn remember_session(&self, token_hash: &str, session: &Session) {
        self.put(format!("s{token_hash}"), Known::Session(session.clone()));
    }

    /// Forgets every credential: after a token is revoked, a role changed, a password changed or
    /// a session ended.
    pub(crate) fn forget_all(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_core::{AccountRole, UserId, Username, text::Line};

    fn user() -> User {
        User {
            id: UserId(1),
            name: Username::parse("ana").unwrap(),
            display_name: Line::parse("name", "Ana Lima").unwrap(),
            role: AccountRole::Editor,
            created_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn tokens_and_sessions_are_remembered_apart_and_forgotten_together() {
        let cache = CallerCache::default();
        let now = Utc::now();
        cache.remember_token("abc", &user());
        assert_eq!(cache.token("abc"), Some(user()));
        assert_eq!(cache.token("abd"), None);
        // A token's hash is not a session's.
        assert_eq!(cache.session("abc", now), None);
        let session = Session {
            user: user(),
            csrf_token: "csrf".into(),
            expires_at: now + chrono::Duration::hours(1),
        };
        cache.remember_session("def", &session);
        assert_eq!(cache.session("def", now), Some(session.clone()));
        cache.forget_all();
        assert_eq!(cache.token("abc"), None);
        assert_eq!(cache.session("def", now), None);
    }

    #[test]
    fn an_expired_session_is_not_answered_from_memory() {
        let cache = CallerCache::default();
        let now = Utc::now();
        let session = Session {
            user: user(),
            csrf_token: "csrf".into(),
            expires_at: now + chrono::Duration::seconds(1),
        };
        cache.remember_session("def", &session);
        assert!(cache.session("def", now).is_some());
        assert_eq!(
            cache.session("def", now + chrono::Duration::seconds(1)),
            None
        );
    }
}
