//! Severity levels: SEV-1 (the worst) to SEV-5.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// How bad an incident is, from SEV-1 (critical) to SEV-5 (minor).
///
/// Ordering follows the level, so `SEV-1 < SEV-2`: the *minimum* of a set is its most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Severity(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}`: expected one of SEV-1, SEV-2, SEV-3, SEV-4, SEV-5")]
pub struct UnknownSeverity(pub String);

impl Severity {
    pub const MOST_SEVERE: u8 = 1;
    pub const LEAST_SEVERE: u8 = 5;
    pub const ALL: [Severity; 5] = [
        Severity(1),
        Severity(2),
        Severity(3),
        Severity(4),
        Severity(5),
    ];

    /// The severity at `level` (1 to 5).
    pub fn from_level(level: u8) -> Result<Self, UnknownSeverity> {
        if (Self::MOST_SEVERE..=Self::LEAST_SEVERE).contains(&level) {
            Ok(Severity(level))
        } else {
            Err(UnknownSeverity(level.to_string()))
        }
    }

    pub fn level(self) -> u8 {
        self.0
    }

    /// The tag put on follow-up tickets: `sev1`.
    pub fn tag(self) -> String {
        format!("sev{}", self.0)
    }
}

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Accepts `SEV-1`, `sev1`, `Sev 1` and the bare level `1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        let lower = trimmed.to_ascii_lowercase();
        let digits = lower
            .strip_prefix("sev")
            .map(|rest| rest.trim_start_matches(['-', ' ', '_']))
            .unwrap_or(&lower);
        match digits.parse::<u8>() {
            Ok(level) => Severity::from_level(level).map_err(|_| UnknownSeverity(trimmed.into())),
            Err(_) => Err(UnknownSeverity(trimmed.into())),
        }
    }
}

impl TryFrom<String> for Severity {
    type Error = UnknownSeverity;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Severity> for String {
    fn from(value: Severity) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SEV-{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_in_the_spellings_people_type() {
        for s in ["SEV-1", "sev1", "Sev 1", "sev_1", "1"] {
            assert_eq!(s.parse::<Severity>(), Ok(Severity(1)), "{s}");
        }
    }

    #[test]
    fn out_of_range_severities_are_refused_with_the_allowed_names() {
        let err = "SEV-6".parse::<Severity>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown severity `SEV-6`: expected one of SEV-1, SEV-2, SEV-3, SEV-4, SEV-5"
        );
        assert!("critical".parse::<Severity>().is_err());
        assert!("SEV-0".parse::<Severity>().is_err());
    }

    #[test]
    fn the_most_severe_is_the_smallest() {
        assert!(Severity(1) < Severity(2));
        assert_eq!(Severity(2).tag(), "sev2");
    }
}

crate::schema::string_schema!(Severity, "^SEV-[1-5]$", "SEV-1 (the worst) to SEV-5");
