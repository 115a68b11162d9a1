//! Accounts: who may read and change post-mortems, and how much.
//!
//! A user signs in with a name and a password (the web pages) or presents an API token
//! (scripts). Each user has one [`AccountRole`]; private incidents are visible only to their
//! members (a responder or the post-mortem owner with the user's display name) and admins.

use crate::action::named_enum;
use crate::text::{Line, TextError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

named_enum!(
    /// How much an account may do. Ordered: each role may do what the ones before it may.
    AccountRole, "account role" {
        /// Reads every post-mortem it can see.
        Viewer = "viewer",
        /// Also writes: incidents, timelines, documents, actions, imports.
        Editor = "editor",
        /// Also manages accounts and sees private incidents.
        Admin = "admin",
    }
);

impl AccountRole {
    pub fn can_edit(self) -> bool {
        self >= AccountRole::Editor
    }

    pub fn is_admin(self) -> bool {
        self == AccountRole::Admin
    }
}

/// A sign-in name: 1 to 64 characters of lower-case ASCII letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Names are compared as written, so they are lower-cased when
/// parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why a sign-in name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a user name: expected 1 to 64 of a-z, 0-9, `.`, `_` and `-`, starting with a letter or digit"
)]
pub struct BadUsername(pub String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, BadUsername> {
        let name = text.trim().to_ascii_lowercase();
        let good_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c);
        let starts_well = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if name.is_empty() || name.len() > 64 || !starts_well || !name.chars().all(good_char) {
            return Err(BadUsername(text.to_owned()));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Username {
    type Err = BadUsername;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Username::parse(s)
    }
}

impl TryFrom<String> for Username {
    type Error = BadUsername;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Username::parse(&s)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> String {
        name.0
    }
}

/// The number of a stored account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What it takes to create an account (the password hash is passed beside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: Username,
    /// How the person is named on post-mortems ("Ana Lima"): revisions name it, and it makes the
    /// user a member of the private incidents where a responder has this name.
    pub display_name: Line,
    pub role: AccountRole,
}

impl NewUser {
    pub fn new(name: &str, display_name: &str, role: AccountRole) -> Result<Self, AccountError> {
        Ok(NewUser {
            name: Username::parse(name)?,
            display_name: Line::parse("display name", display_name)?,
            role,
        })
    }
}

/// Why an account could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Name(#[from] BadUsername),
    #[error(transparent)]
    Text(#[from] TextError),
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: Username,
    pub display_name: Line,
    pub role: AccountRole,
    pub created_at: DateTime<Utc>,
}

/// A signed-in browser session, found by the hash of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    /// The token every form of this session must carry (CSRF protection).
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// An API token as listed to its owner: never the token itself, which is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub user: UserId,
    /// What the owner called it ("deploy bot").
    pub label: Line,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_lower_cased_and_checked() {
        assert_eq!(Username::parse(" Ana.Lima ").unwrap().as_str(), "ana.lima");
        for bad in ["", "-ana", "ana lima", "ana@example.com", &"a".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn roles_are_ordered_by_what_they_may_do() {
        assert!(AccountRole::Viewer < AccountRole::Editor);
        assert!(AccountRole::Editor < AccountRole::Admin);
        assert!(!AccountRole::Viewer.can_edit());
        assert!(AccountRole::Admin.can_edit());
        assert_eq!("admin".parse::<AccountRole>().unwrap(), AccountRole::Admin);
    }
}
