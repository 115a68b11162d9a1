//! The incident record: its human key, title, severity, services and timezone.

use crate::{
    severity::Severity,
    text::{Line, TextError},
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The human key of an incident: `INC-42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IncidentKey(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an incident key: expected INC- and a number, like INC-42")]
pub struct BadIncidentKey(pub String);

impl IncidentKey {
    pub const PREFIX: &'static str = "INC";

    pub fn from_number(number: u64) -> Result<Self, BadIncidentKey> {
        if number == 0 {
            return Err(BadIncidentKey("INC-0".into()));
        }
        Ok(IncidentKey(number))
    }

    pub fn number(self) -> u64 {
        self.0
    }
}

impl FromStr for IncidentKey {
    type Err = BadIncidentKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadIncidentKey(s.to_owned());
        let trimmed = s.trim();
        let (prefix, number) = trimmed.split_once('-').ok_or_else(bad)?;
        if !prefix.eq_ignore_ascii_case(Self::PREFIX)
            || number.is_empty()
            || !number.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let number: u64 = number.parse().map_err(|_| bad())?;
        IncidentKey::from_number(number).map_err(|_| bad())
    }
}

impl TryFrom<String> for IncidentKey {
    type Error = BadIncidentKey;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IncidentKey> for String {
    fn from(value: IncidentKey) -> Self {
        value.to_string()
    }
}

impl fmt::Display for IncidentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", Self::PREFIX, self.0)
    }
}

/// A service an incident affected, as the team names it (`checkout-api`).
pub type ServiceName = Line;

/// Where an incident stands. Derived from its timeline (see [`crate::IncidentRecord::status`]),
/// never typed: an incident is resolved because its timeline says when it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Active,
    Mitigated,
    Resolved,
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IncidentStatus::Active => "active",
            IncidentStatus::Mitigated => "mitigated",
            IncidentStatus::Resolved => "resolved",
        })
    }
}

/// What it takes to open an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub title: Line,
    /// The severity it was declared at; later changes are `severity_changed` timeline events.
    pub severity: Severity,
    pub services: Vec<ServiceName>,
    /// The timezone the incident is reported in: timeline tables and dates are shown in it.
    pub timezone: Tz,
    /// Visible only to its named members and admins.
    pub private: bool,
    /// The post-mortem template its document starts from.
    pub template: String,
}

impl NewIncident {
    pub fn new(title: &str, severity: Severity, timezone: Tz) -> Result<Self, TextError> {
        Ok(NewIncident {
            title: Line::parse("title", title)?,
            severity,
            services: Vec::new(),
            timezone,
            private: false,
            template: crate::Template::DEFAULT.to_owned(),
        })
    }

    /// Adds services by name, ignoring repeats.
    pub fn with_services<'a>(
        mut self,
        services: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, TextError> {
        for service in services {
            let name = Line::parse("service", service)?;
            if !self.services.contains(&name) {
                self.services.push(name);
            }
        }
        Ok(self)
    }
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Incident {
    pub key: IncidentKey,
    pub title: Line,
    /// The severity it was declared at. The severity over time is derived from the timeline.
    pub severity: Severity,
    pub services: Vec<ServiceName>,
    #[serde(with = "tz_name")]
    #[schemars(
        with = "String",
        description = "an IANA timezone name, e.g. Europe/Paris"
    )]
    pub timezone: Tz,
    pub private: bool,
    pub created_at: DateTime<Utc>,
}

/// Parses an IANA timezone name (`Europe/Paris`) with an error that says what was expected.
pub fn parse_timezone(name: &str) -> Result<Tz, UnknownTimezone> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| UnknownTimezone(name.to_owned()))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown timezone `{0}`: expected an IANA name such as Europe/Paris, America/New_York or UTC"
)]
pub struct UnknownTimezone(pub String);

/// Serialises a timezone as its IANA name.
pub mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        super::parse_timezone(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_text() {
        let key: IncidentKey = "INC-42".parse().unwrap();
        assert_eq!(key.number(), 42);
        assert_eq!(key.to_string(), "INC-42");
        assert_eq!("inc-7".parse::<IncidentKey>().unwrap().to_string(), "INC-7");
    }

    #[test]
    fn malformed_keys_say_what_was_expected() {
        for bad in ["42", "INC-", "INC-0", "INC-4x", "BUG-3", "INC--3", ""] {
            let err = bad.parse::<IncidentKey>().unwrap_err();
            assert!(err.to_string().contains("expected INC-"), "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_timezones_name_an_example() {
        let err = parse_timezone("Europe/Pariss").unwrap_err();
        assert!(err.to_string().contains("Europe/Pariss"));
        assert_eq!(
            parse_timezone("Europe/Paris").unwrap(),
            chrono_tz::Europe::Paris
        );
    }
}

crate::schema::string_schema!(
    IncidentKey,
    "^INC-[1-9][0-9]*$",
    "an incident key, e.g. INC-42"
);
