//! Action items: the follow-up tickets a post-mortem files.

use crate::{
    severity::Severity,
    text::{self, Line, TextError},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use url::Url;

/// Declares a closed set of names parsed from and shown as snake_case text, with an error that
/// lists the allowed names.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = crate::action::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let normal = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == normal)
                    .ok_or_else(|| crate::action::UnknownName {
                        what: $what,
                        given: s.to_owned(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use named_enum;

/// A name outside a closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{given}`: expected one of {expected}")]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub expected: String,
}

named_enum!(
    /// How urgent a ticket is, P1 the most.
    Priority, "priority" { P1 = "p1", P2 = "p2", P3 = "p3", P4 = "p4" }
);

named_enum!(
    /// What an action is for.
    ActionKind, "action kind" {
        /// Prevents the contributing factors from causing this again.
        Prevent = "prevent",
        /// A remaining post-mortem step: the internal e-mail, the status-page post, the meeting.
        PostmortemStep = "postmortem_step",
        /// Makes the next response better prepared: runbooks, alerts, dashboards.
        Preparedness = "preparedness",
        /// Improves how the team responds.
        ResponseProcess = "response_process",
    }
);

named_enum!(
    /// Low, medium or high: the impact and the effort of an action, for a prioritisation matrix.
    Level, "level" { Low = "low", Medium = "medium", High = "high" }
);

named_enum!(
    /// Where an action stands. Done and dropped are final.
    ActionStatus, "action status" {
        Open = "open", InProgress = "in_progress", Done = "done", Dropped = "dropped"
    }
);

impl ActionStatus {
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Dropped)
    }
}

/// The id a store gave an action item.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct ActionId(pub i64);

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Everything a person writes about an action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewActionItem {
    pub title: Line,
    #[serde(default)]
    pub description: String,
    /// Who will do it; may be empty until the meeting gives it an explicit owner.
    #[serde(default)]
    pub owner: Option<Line>,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    pub priority: Priority,
    pub kind: ActionKind,
    pub impact: Level,
    pub effort: Level,
    pub status: ActionStatus,
    /// The ticket in the team's tracker.
    #[serde(default)]
    pub ticket: Option<Url>,
}

impl NewActionItem {
    /// An open P3 action to prevent a recurrence, of medium impact and effort, until told more.
    pub fn new(title: &str) -> Result<Self, TextError> {
        Ok(NewActionItem {
            title: Line::parse("title", title)?,
            description: String::new(),
            owner: None,
            due: None,
            priority: Priority::P3,
            kind: ActionKind::Prevent,
            impact: Level::Medium,
            effort: Level::Medium,
            status: ActionStatus::Open,
            ticket: None,
        })
    }

    pub fn with_description(mut self, description: &str) -> Result<Self, TextError> {
        self.description =
            text::optional("description", Some(description), text::LONG)?.unwrap_or_default();
        Ok(self)
    }

    pub fn with_owner(mut self, owner: Option<&str>) -> Result<Self, TextError> {
        self.owner = match owner.map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(Line::parse("owner", name)?),
        };
        Ok(self)
    }
}

/// A stored action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActionItem {
    pub id: ActionId,
    #[serde(flatten)]
    pub item: NewActionItem,
    pub created_at: DateTime<Utc>,
}

impl std::ops::Deref for ActionItem {
    type Target = NewActionItem;
    fn deref(&self) -> &NewActionItem {
        &self.item
    }
}

impl std::ops::DerefMut for ActionItem {
    fn deref_mut(&mut self) -> &mut NewActionItem {
        &mut self.item
    }
}

/// The tags every follow-up ticket of an incident carries: `sev1` and `sev1_20261120`, from the
/// incident's peak severity and the date it started in its timezone.
pub fn action_tags(severity: Severity, date: NaiveDate) -> [String; 2] {
    [
        severity.tag(),
        format!("{}_{}", severity.tag(), date.format("%Y%m%d")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_carry_the_severity_and_the_date() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(
            action_tags(Severity::from_level(1).unwrap(), date),
            ["sev1".to_owned(), "sev1_20261120".to_owned()]
        );
    }

    #[test]
    fn closed_sets_parse_and_list_their_names() {
        assert_eq!(
            "In progress".parse::<ActionStatus>(),
            Ok(ActionStatus::InProgress)
        );
        assert_eq!("P1".parse::<Priority>(), Ok(Priority::P1));
        let err = "urgent".parse::<Priority>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown priority `urgent`: expected one of p1, p2, p3, p4"
        );
        assert!(ActionStatus::Dropped.is_closed());
    }

    #[test]
    fn an_empty_owner_means_nobody_yet() {
        let item = NewActionItem::new("Add an alert")
            .unwrap()
            .with_owner(Some(" "))
            .unwrap();
        assert_eq!(item.owner, None);
    }
}
